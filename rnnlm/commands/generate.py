"""``rnnlm generate``: sample text from a checkpoint written by ``rnnlm fit``.

    rnnlm generate --ckpt_path runs/rnnlm/<run>/checkpoints/last.ckpt --prompt "To be" --max_tokens 50
    rnnlm generate --ckpt_path char.ckpt --prompt "ROMEO:" --temperature 0.8 --top_k 20 --seed 1

The checkpoint alone is enough: it holds the architecture, the weights and the vocabulary.
Sampling is ``rnnlm.generate.generate`` (temperature and top-k: Fan, Lewis & Dauphin 2018).
"""

from __future__ import annotations

from rnnlm.commands.checks import check_minimum, load_checkpoint


def command(
    *,
    ckpt_path: str,
    prompt: str = "",
    max_tokens: int = 100,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
    device: str = "cpu",
) -> int:
    """Sample text from a trained checkpoint.

    Prints the prompt followed by the sampled tokens.

    Args:
        ckpt_path: checkpoint of an RNNLM / LSTMLM / GRULM written by `rnnlm fit`.
        prompt: text to continue (default: start a new line).
        max_tokens: number of tokens (words or characters) to sample.
        temperature: softmax temperature; 0 is greedy.
        top_k: sample among the k most likely tokens only (default: all).
        seed: seed of the sampler: the same seed gives the same text.
        device: torch device to run on (cpu, cuda, cuda:1, ...).
    """
    check_minimum("max_tokens", max_tokens, 0)
    check_minimum("temperature", temperature, 0)
    check_minimum("top_k", top_k, 1)
    model = load_checkpoint(ckpt_path, device)  # a missing file is reported before torch is imported
    from rnnlm.generate import generate

    print(generate(model, prompt, max_tokens=max_tokens, temperature=temperature, top_k=top_k, seed=seed))
    return 0
