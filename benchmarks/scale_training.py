"""Benchmark: peak memory of a training process at 1x and 100x the complete works, and of 4 gloo ranks at 100x.

    python benchmarks/scale_training.py [--scales 1 100] [--steps 100] [--workdir /tmp/rnnlm-scale]

The corpora are those of ``scale_prep.py`` (the complete works plus seeded shuffles of its
lines: the same vocabulary at every scale, so the same model). Each corpus is prepared once
into a cache (not measured); then a fresh process trains the same LSTM (1 x 64, embeddings
64, batch 20, bptt 35) for ``--steps`` steps with 20 validation windows, on 1 process, and on
4 DDP ranks (gloo, CPU), at every scale. Each rank reports its own peak RSS
(``ru_maxrss``, absolute: imports, model, optimizer, the pages of the token files it read).
Issue 11's goal: 1x and 100x within 10% of each other, and each of the 4 ranks at 100x
within 10% of the 1x figure. Writes ``benchmarks/results/scale_training.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "scale_training.md"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def child(folder: str, devices: int, steps: int, out: str) -> None:
    """Train on ``folder`` with ``devices`` CPU ranks; each rank writes its peak RSS to ``out/rank<r>.json``."""
    import lightning as L
    import torch

    from rnnlm.data.datamodule import LanguageModelDataModule
    from rnnlm.models import LSTMLM

    torch.set_num_threads(1)
    data = LanguageModelDataModule(corpus=folder, level="word", batch_size=20, eval_batch_size=10, bptt=35)
    torch.manual_seed(0)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=64, hidden_size=64, num_layers=1, vocab=data.vocab,
                   optimizer="adam", lr=1e-3)
    trainer = L.Trainer(accelerator="cpu", devices=devices, strategy="ddp" if devices > 1 else "auto",
                        max_steps=steps, limit_val_batches=20, val_check_interval=steps, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=data)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    train_tokens = int(data.prepared.meta["files"]["train"]["length"])
    Path(out, f"rank{trainer.global_rank}.json").write_text(json.dumps(
        {"rank": trainer.global_rank, "peak_mib": peak_mib, "train_tokens": train_tokens}))


def run(folder: Path, devices: int, steps: int, out: Path, cache: Path) -> list[dict]:
    """One fresh training process (which launches the other ranks); the ranks' records."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("rank*.json"):
        old.unlink()
    environment = {**os.environ, "RNNLM_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1",
                   "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                  os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, __file__, "--child", str(folder), str(devices), str(steps), str(out)],
                   env=environment, check=True, capture_output=True, text=True)
    return [json.loads(path.read_text()) for path in sorted(out.glob("rank*.json"))]


def main() -> None:
    from data_prep import machine
    from scale_prep import scale_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100], help="corpus multiples")
    parser.add_argument("--steps", type=int, default=100, help="training steps per run")
    parser.add_argument("--ranks", type=int, default=4, help="DDP ranks on the largest corpus")
    parser.add_argument("--workdir", default="/tmp/rnnlm-scale", help="where the corpora and caches live")
    args = parser.parse_args()
    root = Path(args.workdir)
    cache = root / "training-cache"
    os.environ["RNNLM_CACHE_DIR"] = str(cache)
    from rnnlm.data.prepared import prepare_corpus

    runs = [(scale, 1) for scale in args.scales] + [(scale, args.ranks) for scale in args.scales]
    rows, reference, same_ranks = [], None, {}
    for scale, devices in runs:
        folder = scale_corpus(scale, root)
        prepare_corpus(str(folder), "word")  # not measured
        load = os.getloadavg()[0]
        records = run(folder, devices, args.steps, root / "ranks", cache)
        for record in records:
            reference = reference or record["peak_mib"]
            base = same_ranks.setdefault((devices, record["rank"]), record["peak_mib"])  # the smallest scale's
            rows.append(f"| {scale}x | {record['train_tokens']:,} | {devices} | {record['rank']} | "
                        f"{record['peak_mib']:.0f} | {record['peak_mib'] / reference:.3f} | "
                        f"{record['peak_mib'] / base:.3f} | {load:.1f} |")
            print(rows[-1], flush=True)
    table = "\n".join(["| corpus | train tokens | ranks | rank | peak RSS MiB | relative to 1x, 1 rank "
                       "| relative to 1x, same rank of the same run size | load (1 min) |",
                       "| --- | --- | --- | --- | --- | --- | --- | --- |", *rows])
    RESULTS.write_text(
        "# Training memory at scale\n\n"
        f"`python benchmarks/scale_training.py`: LSTM 1 x 64 (embeddings 64, Adam), batch 20, bptt 35, "
        f"{args.steps} training steps and 20 validation windows, in a fresh process per row group; "
        "each rank's `ru_maxrss` (absolute). The token files are memory-mapped: a rank reads only the "
        f"pages of its own streams.\n\nMachine: {machine()}.\n\n{table}\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        main()
