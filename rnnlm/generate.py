"""Sampling text from a trained recurrent language model.

The prompt is tokenized with the model's own vocabulary settings and run through the network
to build the hidden state; then one token at a time is drawn from the softmax of eq. 5.2,
sharpened or flattened by a temperature (logits / temperature; 0 means always the most likely
token) and optionally restricted to the ``top_k`` most likely tokens (Fan, Lewis & Dauphin
2018, "Hierarchical Neural Story Generation"). With a seed the draw is reproducible.
"""

from __future__ import annotations

import warnings

import torch

from rnnlm.data.tokenize import get_tokenizer
from rnnlm.models.language_model import RecurrentLanguageModel


def encode_prompt(model: RecurrentLanguageModel, prompt: str) -> list[int]:
    """Token ids of ``prompt``; unknown tokens become ``<unk>`` with a warning; never empty."""
    vocab = model.vocab
    tokenizer = get_tokenizer(vocab.level, lower=vocab.lower, vocab=vocab)  # bpe: the vocabulary's own tokenizer
    tokens = tokenizer.tokenize(prompt)
    if vocab.level == "word" and tokens and not prompt.endswith("\n"):
        tokens = tokens[:-1]  # the tokenizer closes the last line; a prompt goes on instead
    unknown = sorted({token for token in tokens if token not in vocab})
    if unknown:
        shown = ", ".join(repr(token) for token in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        warnings.warn(f"{len(unknown)} prompt token(s) not in the vocabulary, read as {vocab.unk_token}: {shown}",
                      stacklevel=3)
    if not tokens:  # start as at the beginning of a line
        if vocab.level == "bpe":
            return vocab.encode(tokenizer.tokenize("\n"))
        start = vocab.eos_token if vocab.level == "word" else "\n"
        return [vocab.stoi.get(start, vocab.unk_index)]
    return vocab.encode(tokens)


@torch.no_grad()
def generate(model: RecurrentLanguageModel, prompt: str = "", max_tokens: int = 100, temperature: float = 1.0,
             top_k: int | None = None, seed: int | None = None) -> str:
    """The prompt followed by ``max_tokens`` sampled tokens, as text.

    Args:
        model: a trained model carrying its ``vocab`` (e.g. ``load_language_model(path)``)
        prompt: text to continue ("" starts a new line)
        max_tokens: number of tokens to sample
        temperature: divides the logits; below 1 is more conservative, 0 is greedy
        top_k: sample among the k most likely tokens only (None: all)
        seed: seed of the sampler's own generator (the same seed gives the same text)
    """
    if model.vocab is None:
        raise ValueError("the model has no vocabulary: load it from a checkpoint written by rnnlm fit")
    if max_tokens < 0:
        raise ValueError(f"max_tokens must be >= 0, got {max_tokens}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 = greedy), got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be a positive integer or None, got {top_k}")
    vocab = model.vocab
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    ids = encode_prompt(model, prompt)
    logits, hidden = model(torch.tensor([ids], device=device))  # [1, P, V]
    sampled: list[int] = []
    for _ in range(max_tokens):
        last = logits[0, -1].float().cpu()  # [V]
        if temperature == 0:
            token = int(last.argmax())
        else:
            scaled = last / temperature
            if top_k is not None and top_k < scaled.numel():
                threshold = torch.topk(scaled, top_k).values[-1]
                scaled = scaled.masked_fill(scaled < threshold, float("-inf"))
            token = int(torch.multinomial(torch.softmax(scaled, dim=-1), 1, generator=generator))
        sampled.append(token)
        logits, hidden = model(torch.tensor([[token]], device=device), hidden)  # [1, 1, V]
    model.train(was_training)
    prompt_ids = ids if prompt else []
    return get_tokenizer(vocab.level).detokenize(vocab.decode(prompt_ids + sampled))
