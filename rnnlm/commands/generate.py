"""``rnnlm generate``: sample text from a checkpoint written by ``rnnlm fit``.

    rnnlm generate --ckpt_path runs/rnnlm/<run>/checkpoints/last.ckpt --prompt "To be" --max_tokens 50
    rnnlm generate --ckpt_path char.ckpt --prompt "ROMEO:" --temperature 0.8 --top_k 20 --seed 1

The checkpoint alone is enough: it holds the architecture, the weights and the vocabulary.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ckpt_path", required=True, help="checkpoint of an RNNLM / LSTMLM / GRULM (rnnlm fit)")
    parser.add_argument("--prompt", default="", help="text to continue (default: start a new line)")
    parser.add_argument("--max_tokens", type=int, default=100, help="number of tokens (words or characters) to sample")
    parser.add_argument("--temperature", type=float, default=1.0, help="softmax temperature; 0 = greedy")
    parser.add_argument("--top_k", type=int, default=None, help="sample among the k most likely tokens only")
    parser.add_argument("--seed", type=int, default=None, help="seed: the same seed gives the same text")
    parser.add_argument("--device", default="cpu", help="torch device to run on (cpu, cuda, cuda:1, ...)")


def run(args: argparse.Namespace) -> int:
    from rnnlm.generate import generate
    from rnnlm.models import load_language_model

    try:
        model = load_language_model(args.ckpt_path, map_location=args.device)
        text = generate(model, args.prompt, max_tokens=args.max_tokens, temperature=args.temperature,
                        top_k=args.top_k, seed=args.seed)
    except (FileNotFoundError, ValueError) as error:
        print(f"rnnlm generate: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0
