"""LSTM variants against the plain LSTM on one character-level language model (Greff et al. 2017 style).

Every variant of ``rnnlm.cells.LSTM`` trains the same model (embedding 64 -> LSTM 128 -> linear
over the characters) on the same Tiny Shakespeare stream (first 90% train, last 10% valid), with
the same optimizer (Adam, lr 2e-3, gradient norm clipped at 1), the same truncated BPTT (32
streams x 64 characters, state carried and detached) and the same number of optimizer steps; the
score is the validation loss in bits per character on the first ``--valid_chars`` of the valid
split. A fixed step budget, not a fixed wall time, is the fair budget on a shared CPU whose load
changes during the run; the wall time of each run is reported beside it. Each (variant, seed)
runs in a fresh process, variants alternating within each seed, at one thread.

Usage:
    python benchmarks/lstm_variants.py --text ../shared/data/tinyshakespeare/input.txt \
        --steps 400 --seeds 0 1 --output benchmarks/results/lstm_variants.md
    python benchmarks/lstm_variants.py --text ... --steps 400 --seeds 2 --append   # one more seed

Reference: Greff, Srivastava, Koutnik, Steunebrink & Schmidhuber (2017), LSTM: A Search Space
Odyssey (coupled gates and no peepholes cost little; the forget gate and the output activation
matter most).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

# label -> LSTM options (num_layers 1 unless given).
VARIANTS: dict[str, dict] = {
    "plain (torch.nn.LSTM)": {},
    "coupled gates (CIFG)": {"coupled": True},
    "peepholes": {"peephole": True},
    "forget bias 1": {"forget_bias": 1.0},
    "chrono, T_max = 64": {"init": "chrono", "chrono_max": 64},
    "2 layers, plain": {"num_layers": 2},
    "2 layers, residual": {"num_layers": 2, "connection": "residual"},
    "2 layers, highway": {"num_layers": 2, "connection": "highway"},
}


def train_one(text_path: str, options: dict, steps: int, seed: int, valid_chars: int) -> dict:
    """Train one variant in this process; return its numbers."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from rnnlm.cells import LSTM

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    text = Path(text_path).read_text(encoding="utf-8")
    alphabet = sorted(set(text))
    index = {ch: i for i, ch in enumerate(alphabet)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.long)  # [N]
    split = int(0.9 * len(ids))
    train, valid = ids[:split], ids[split : split + valid_chars + 1]
    batch, bptt, embedding_size, hidden_size = 32, 64, 64, 128
    streams = train[: (len(train) - 1) // batch * batch + 1]
    width = (len(streams) - 1) // batch
    inputs = streams[:-1].view(batch, width)  # [B, W]: row b is one unbroken stream
    targets = streams[1:].view(batch, width)  # [B, W]

    embedding = nn.Embedding(len(alphabet), embedding_size)
    lstm = LSTM(embedding_size, hidden_size, **options)
    readout = nn.Linear(hidden_size, len(alphabet))
    model = nn.ModuleList([embedding, lstm, readout])
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    hidden, position, start = None, 0, time.perf_counter()
    for _ in range(steps):
        if position + bptt > width:
            hidden, position = None, 0  # a new epoch starts the streams again
        x, y = inputs[:, position : position + bptt], targets[:, position : position + bptt]  # [B, T] each
        output, hidden = lstm(embedding(x), hidden)  # [B, T, H]
        hidden = tuple(h.detach() for h in hidden)
        loss = F.cross_entropy(readout(output).flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        position += bptt
    seconds = time.perf_counter() - start
    with torch.no_grad():  # one stream over the validation text, state carried across windows
        hidden, total = None, 0.0
        for begin in range(0, valid_chars, 256):
            x, y = valid[begin : begin + 256][None], valid[begin + 1 : begin + 257][None]  # [1, T]
            x = x[:, : y.shape[1]]
            output, hidden = lstm(embedding(x), hidden)
            total += F.cross_entropy(readout(output)[0], y[0], reduction="sum").item()
    bits = total / valid_chars / torch.log(torch.tensor(2.0)).item()
    return {"valid_bpc": bits, "seconds": seconds, "steps": steps, "train_loss_last": loss.item(),
            "parameters": sum(p.numel() for p in model.parameters())}


def write_table(args: argparse.Namespace, results: dict[str, list[dict]]) -> list[str]:
    """Write the Markdown table (and the raw results as JSON) of the runs so far; return its lines."""
    done = {label: runs for label, runs in results.items() if runs}
    loads = [run["load_1min_after"] for runs in done.values() for run in runs if "load_1min_after" in run]
    count = sum(len(runs) for runs in done.values())
    load_text = (f"{min(loads):.1f} to {max(loads):.1f} (recorded for {len(loads)} of {count} runs)"
                 if loads else "not recorded")
    plain = statistics.median(r["valid_bpc"] for r in done[args.variants[0]])
    lines = [
        "# LSTM variants on a character-level LM (benchmarks/lstm_variants.py)", "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" one thread per run; 1-minute load average after each run: {load_text}"
        " (the scores count steps, not seconds: only the wall times depend on the load).",
        f"Tiny Shakespeare, char level; embedding 64, hidden 128, Adam 2e-3, clip 1, 32 x 64 TBPTT,"
        f" {args.steps} steps ({args.steps * 32 * 64:,} training characters) per run; validation bits per character"
        f" on {args.valid_chars:,} held-out characters; seeds {args.seeds}.", "",
        "| variant | parameters | valid bpc per seed | median | vs plain | wall s (median) |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for label, runs in done.items():
        median = statistics.median(r["valid_bpc"] for r in runs)
        per_seed = ", ".join(f"{r['valid_bpc']:.3f}" for r in runs)
        lines.append(f"| {label} | {runs[0]['parameters']:,} | {per_seed} |"
                     f" {median:.3f} | {median - plain:+.3f} | {statistics.median(r['seconds'] for r in runs):.0f} |")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    from rnnlm.atomic import write_text_atomic

    write_text_atomic(args.output, "\n".join(lines) + "\n")
    write_text_atomic(args.output.with_suffix(".json"), json.dumps(done, indent=1) + "\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", required=True, help="Tiny Shakespeare (input.txt of char-rnn)")
    parser.add_argument("--steps", type=int, default=400, help="optimizer steps per run (32 x 64 characters each)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--valid_chars", type=int, default=20_000, help="validation characters scored")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), help="labels of VARIANTS to run")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/lstm_variants.md"))
    parser.add_argument("--append", action="store_true", help="add --seeds to the runs in --output's JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # JSON: run one variant, print its result
    args = parser.parse_args()
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(train_one(args.text, VARIANTS[job["variant"]], args.steps, job["seed"], args.valid_chars)))
        return
    results: dict[str, list[dict]] = {label: [] for label in args.variants}
    if args.append:  # more seeds on top of an earlier run's JSON (same steps and validation text)
        earlier = json.loads(args.output.with_suffix(".json").read_text())
        for label in args.variants:
            results[label] = earlier.get(label, [])
        args.seeds = sorted({run["seed"] for runs in earlier.values() for run in runs} | set(args.seeds))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for seed in args.seeds:
        for label in args.variants:
            if any(run["seed"] == seed for run in results[label]):
                continue  # already measured (with --append)  # variants alternate within each seed, each in a fresh process
            job = json.dumps({"variant": label, "seed": seed})
            command = [sys.executable, __file__, "--text", args.text, "--steps", str(args.steps),
                       "--valid_chars", str(args.valid_chars), "--worker", job]
            out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
            load = float(Path("/proc/loadavg").read_text().split()[0])
            results[label].append(json.loads(out.strip().splitlines()[-1]) | {"seed": seed, "load_1min_after": load})
            print(label, results[label][-1], flush=True)
            lines = write_table(args, results)  # after every run, so that a cut-short run keeps its numbers
    print("\n".join(lines))


if __name__ == "__main__":
    main()
