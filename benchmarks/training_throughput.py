"""Training throughput: Lightning against a hand-written TBPTT loop, backends, softmaxes, memory.

Every configuration trains the same ``LSTMLM`` (2 layers x 200, bptt 35, batch 20, SGD,
gradient clipping 0.25) on the same word-level stream of the complete works, for a fixed
number of steps, in a fresh subprocess (so that peak memory is that configuration's alone).
The configurations are run in alternation, ``--repeats`` times, so that both sides of every
comparison see the same machine load; the table quotes medians and ratios of medians.

    python benchmarks/training_throughput.py --steps 60 --repeats 5

Timing starts after ``--warmup`` steps (allocator and thread-pool warm-up) and stops after
the last optimizer step; data preparation and process start-up are excluded on both sides.
"""

from __future__ import annotations

import argparse
import os
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONFIGS = {
    # name: (runner, model overrides)
    "lightning/fused/full": ("lightning", {}),
    "plain/fused/full": ("plain", {}),
    "lightning/scratch/full": ("lightning", {"backend": "scratch"}),
    "lightning/fused/adaptive": ("lightning", {"adaptive_softmax_cutoffs": [1000, 4000]}),
}
MODEL = dict(embedding_dim=200, hidden_size=200, num_layers=2, dropout=0.0, optimizer="sgd", lr=1.0)
CLIP = 0.25


def build(overrides: dict, batch_size: int, bptt: int, corpus: str, max_size: int):
    import torch

    from rnnlm import LanguageModelDataModule, LSTMLM

    torch.manual_seed(0)
    datamodule = LanguageModelDataModule(corpus=corpus, batch_size=batch_size, bptt=bptt, max_size=max_size)
    model = LSTMLM(vocab_size=datamodule.vocab_size, **{**MODEL, **overrides})
    return datamodule, model


def run_plain(model, datamodule, steps: int, warmup: int) -> float:
    """The reference: a hand-written TBPTT loop (pytorch/examples word_language_model style)."""
    import torch

    optimizer = torch.optim.SGD(model.parameters(), lr=model.hparams.lr)
    model.train()
    hidden, start = None, None
    for step, (inputs, targets, reset) in enumerate(datamodule.train_dataloader()):
        if step == warmup:
            start = time.perf_counter()
        if step == steps:
            break
        if reset:
            hidden = None
        nll, hidden = model.token_nll(inputs, targets, hidden)
        hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad(set_to_none=True)
        nll.mean().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
    return time.perf_counter() - start


def run_lightning(model, datamodule, steps: int, warmup: int) -> float:
    import lightning as L

    class StepClock(L.Callback):
        def __init__(self) -> None:
            self.start = self.end = 0.0

        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
            if trainer.global_step == warmup:
                self.start = time.perf_counter()

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
            self.end = time.perf_counter()

    clock = StepClock()
    trainer = L.Trainer(accelerator="cpu", devices=1, max_steps=steps, logger=False, callbacks=[clock],
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        limit_val_batches=0, num_sanity_val_steps=0, gradient_clip_val=CLIP)
    trainer.fit(model, datamodule=datamodule)
    return clock.end - clock.start


def worker(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    runner, overrides = CONFIGS[args.worker]
    datamodule, model = build(overrides, args.batch_size, args.bptt, args.corpus, args.max_size)
    datamodule.prepared  # data preparation is not timed
    seconds = (run_lightning if runner == "lightning" else run_plain)(model, datamodule, args.steps, args.warmup)
    tokens = (args.steps - args.warmup) * args.batch_size * args.bptt
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tokens_per_s": tokens / seconds, "peak_mib": peak_mib}))


def machine() -> str:
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, torch {torch.__version__}, "
            f"{torch.get_num_threads()} intra-op threads")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60, help="optimizer steps per run (warm-up included)")
    parser.add_argument("--warmup", type=int, default=10, help="steps excluded from the timing")
    parser.add_argument("--repeats", type=int, default=5, help="alternating repetitions of every configuration")
    parser.add_argument("--batch_size", type=int, default=20)
    parser.add_argument("--bptt", type=int, default=35)
    parser.add_argument("--corpus", default="shakespeare")
    parser.add_argument("--max_size", type=int, default=10000, help="vocabulary size (rnnlm fit's default)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads per run")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset of: " + ", ".join(CONFIGS))
    parser.add_argument("--output", default=str(Path(__file__).parent / "results" / "training_throughput.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    names = args.configs.split(",")
    results: dict[str, list[dict]] = {name: [] for name in names}
    for repeat in range(args.repeats):
        for name in names:  # alternate: every configuration sees the same load
            command = [sys.executable, __file__, "--worker", name, "--steps", str(args.steps), "--warmup",
                       str(args.warmup), "--batch_size", str(args.batch_size), "--bptt", str(args.bptt),
                       "--corpus", args.corpus,
                       "--max_size", str(args.max_size), "--threads", str(args.threads)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results[name].append(json.loads(output.strip().splitlines()[-1]))
            print(f"repeat {repeat + 1}/{args.repeats} {name}: {results[name][-1]}", flush=True)

    median = {name: statistics.median(r["tokens_per_s"] for r in runs) for name, runs in results.items()}
    peak = {name: max(r["peak_mib"] for r in runs) for name, runs in results.items()}
    reference = {"lightning/fused/full": "plain/fused/full", "lightning/scratch/full": "lightning/fused/full",
                 "lightning/fused/adaptive": "lightning/fused/full"}
    lines = [
        "# Training throughput",
        "",
        f"Machine: {machine()}.",
        f"Model: LSTMLM 2 x 200, embedding 200, bptt {args.bptt}, batch {args.batch_size}, SGD, clip {CLIP}, "
        f"word-level `{args.corpus}` with the {args.max_size} most frequent words (adaptive softmax: cutoffs "
        f"[1000, 4000]); {args.threads} torch thread(s), load average at the end: {os.getloadavg()[0]:.1f}. {args.steps} steps per run, the first {args.warmup} untimed; "
        f"{args.repeats} alternating repeats, each run in a fresh process.",
        "",
        f"Command: `python benchmarks/training_throughput.py --steps {args.steps} --warmup {args.warmup} "
        f"--repeats {args.repeats} --threads {args.threads} --max_size {args.max_size}`",
        "",
        "| configuration | median tokens/s | all runs (tokens/s) | ratio | peak RSS (MiB) |",
        "| --- | ---: | --- | --- | ---: |",
    ]
    for name in names:
        ratio = ""
        if reference.get(name) in median:
            ratio = f"{median[name] / median[reference[name]]:.3f} x `{reference[name]}`"
        runs = ", ".join(f"{r['tokens_per_s']:.0f}" for r in results[name])
        lines.append(f"| `{name}` | {median[name]:.0f} | {runs} | {ratio} | {peak[name]:.0f} |")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
