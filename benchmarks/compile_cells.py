"""``compile_cells`` on CPU: scratch cells compiled by torch.compile (inductor) vs eager vs fused torch.nn.

One process builds the three LSTM language models with the same weights, compiles once (the
first call, timed separately), then alternates timing rounds of training steps (forward +
backward + SGD) among them, so all three see the same machine load; medians of the rounds.

    python benchmarks/compile_cells.py --hidden 64 --bptt 10 --rounds 5

Results go to benchmarks/results/compile_cells.md with the machine and load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from alternating import machine  # noqa: E402

from rnnlm.atomic import write_text_atomic  # noqa: E402
from rnnlm.models import LSTMLM  # noqa: E402


def steps(model: LSTMLM, inputs: torch.Tensor, targets: torch.Tensor, count: int) -> float:
    """Seconds for ``count`` training steps (the hidden state carried and detached, as in TBPTT)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    hidden = model.init_hidden(inputs.size(0))
    start = time.perf_counter()
    for _ in range(count):
        nll, hidden = model.token_nll(inputs, targets, hidden)  # [B, T]
        hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad(set_to_none=True)
        nll.mean().backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=64, help="embedding and hidden size")
    parser.add_argument("--layers", type=int, default=1, help="LSTM layers")
    parser.add_argument("--batch", type=int, default=8, help="streams per batch")
    parser.add_argument("--bptt", type=int, default=10, help="window length (one compiled graph per length)")
    parser.add_argument("--vocab", type=int, default=100, help="vocabulary size")
    parser.add_argument("--steps", type=int, default=20, help="training steps per timing round")
    parser.add_argument("--rounds", type=int, default=5, help="alternated timing rounds")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "compile_cells.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    sizes = dict(vocab_size=args.vocab, embedding_dim=args.hidden, hidden_size=args.hidden, num_layers=args.layers,
                 dropout=0.0)
    torch.manual_seed(0)
    models = {"fused (torch.nn)": LSTMLM(**sizes), "scratch, eager": LSTMLM(**sizes, backend="scratch"),
              "scratch, compiled": LSTMLM(**sizes, backend="scratch", compile_cells=True)}
    for model in models.values():
        model.load_state_dict(models["fused (torch.nn)"].state_dict())
    tokens = torch.randint(0, args.vocab, (args.batch, args.bptt + 1))
    inputs, targets = tokens[:, :-1], tokens[:, 1:]  # [B, T] each
    first_call = {name: steps(model, inputs, targets, 2) for name, model in models.items()}  # compiles
    rounds: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for name, model in models.items():
            rounds[name].append(steps(model, inputs, targets, args.steps) / args.steps * 1000)
    eager = statistics.median(rounds["scratch, eager"])
    lines = ["# `compile_cells` on CPU: compiled scratch cells vs eager vs fused", "",
             f"LSTM {args.layers} x {args.hidden}, batch {args.batch} x bptt {args.bptt}, vocabulary {args.vocab}, "
             f"1 thread; training steps (forward + backward + SGD); {args.rounds} alternated rounds of {args.steps} "
             "steps after 2 warm-up steps (benchmarks/compile_cells.py).", "",
             f"Machine: {machine()} (at the end of the run).", "",
             "| layers | median ms/step | rounds (ms/step) | time / eager scratch | first 2 steps (s, compilation) |",
             "|---|---|---|---|---|"]
    for name, values in rounds.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.2f} | {', '.join(f'{v:.2f}' for v in values)} | {median / eager:.2f} "
                     f"| {first_call[name]:.1f} |")
    write_text_atomic(Path(args.out), "\n".join(lines + [""]))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
