"""Training speed against the peer: pytorch/examples word_language_model (WLM) vs ``rnnlm fit``.

Both train the same model on the same tokens: LSTM 2 x 200, embeddings 200, dropout 0.2, SGD
at lr 20, gradients clipped at 0.25 (global norm), bptt 35, batch 20, the mean cross-entropy
over the window's tokens, on the complete works as ``rnnlm prepare`` writes them (10,000 words;
WLM reads the split files as its data folder and finds the same 10,000 types). ``rnnlm fit``
runs with its CLI defaults (wandb offline, progress bar, checkpoints, tokens/s). Method of
``../shared/bench/peer_wlm.py`` (``benchmarks/alternating.py``): fresh processes, sides
alternated, start-up cancelled by differencing N1 and N2 steps; WLM stops after N batches
through the peer's own ``main_limited.py`` (``MAX_BATCHES``).

    python benchmarks/peer_wlm.py WLM_DIR DATA_DIR --repeats 3 [--before /path/to/older/checkout] [--in-process]

``--in-process`` times steps 200-400 inside each process instead: WLM's own ``ms/batch`` line
for batches 201-400 (``--log-interval 200``), and for ``rnnlm fit`` the clock of
``alternating.FIT_TIMED`` at the same steps; start-up, data loading and teardown are then
outside the measurement instead of cancelled by a difference of two noisy process times.

Goal (issue 11): WLM's time per step / ours >= 1.0. Results go to benchmarks/results/peer_wlm.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alternating import FIT_TIMED, Side, machine, measure, measure_reported, table  # noqa: E402

from rnnlm.atomic import write_text_atomic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Runs WLM's main_limited.py unchanged (argv: SCRIPT ARGS...) and turns its last `ms/batch` line into `ms/step X`.
WLM_TIMED = r'''
import contextlib, io, os, re, runpy, sys
script, sys.argv = sys.argv[1], sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(script)))  # its `import data, model`
captured = io.StringIO()
try:
    with contextlib.redirect_stdout(captured):
        runpy.run_path(script, run_name="__main__")
except SystemExit:
    pass
lines = re.findall(r"ms/batch\s+([0-9.]+)", captured.getvalue())
print(f"ms/step {float(lines[-1]):.4f}")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wlm", help="folder of pytorch/examples word_language_model with main_limited.py")
    parser.add_argument("data", help="folder of train/valid/test.txt written by `rnnlm prepare`")
    parser.add_argument("--repeats", type=int, default=3, help="alternated measurements per side")
    parser.add_argument("--threads", default="1", help="OMP_NUM_THREADS of both sides")
    parser.add_argument("--n1", type=int, default=20, help="steps of the short run")
    parser.add_argument("--n2", type=int, default=120, help="steps of the long run")
    parser.add_argument("--before", help="an older checkout whose rnnlm fit is measured too")
    parser.add_argument("--in-process", action="store_true", help="time steps 200-400 inside each process")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "peer_wlm.md"))
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    env = {"OMP_NUM_THREADS": args.threads, "WANDB_MODE": "offline"}

    fit_timed = Path(work) / "fit_timed.py"
    fit_timed.write_text(FIT_TIMED)
    wlm_timed = Path(work) / "wlm_timed.py"
    wlm_timed.write_text(WLM_TIMED)
    settings = ["--trainer.limit_train_batches", "null", "--trainer.limit_val_batches", "0",
                "--trainer.num_sanity_val_steps", "0"]

    def fit(tree: Path):
        if args.in_process:
            return lambda n: ([sys.executable, str(fit_timed), "200", "400", "fit", "--trainer.max_steps", "440",
                               *settings], work, {**env, "PYTHONPATH": str(tree)})
        return lambda n: ([sys.executable, "-m", "rnnlm.cli", "fit", "--trainer.max_steps", str(n), *settings],
                          work, {**env, "PYTHONPATH": str(tree)})

    def wlm(n: int):
        if args.in_process:  # its last ms/batch line: batches 201-400
            return ([sys.executable, str(wlm_timed), "main_limited.py", "--data", args.data,
                     "--epochs", "1", "--log-interval", "200"], args.wlm, {**env, "MAX_BATCHES": "401"})
        return ([sys.executable, "main_limited.py", "--data", args.data, "--epochs", "1", "--log-interval", "100000"],
                args.wlm, {**env, "MAX_BATCHES": str(n)})

    sides = [Side("WLM main.py", wlm), Side("rnnlm fit", fit(ROOT))]
    if args.before:
        sides.append(Side("rnnlm fit (before)", fit(Path(args.before))))
    if args.in_process:
        measure_reported(sides, args.repeats)
        method = f"steps 200-400 timed inside each process, {args.repeats} alternated repeats"
    else:
        measure(sides, args.n1, args.n2, args.repeats)
        method = f"N1={args.n1}, N2={args.n2} steps, {args.repeats} alternated repeats"
    peer = statistics.median(sides[0].per_step_ms)
    lines = ["# Training speed: pytorch/examples word_language_model vs `rnnlm fit`", "",
             f"LSTM 2 x 200, dropout 0.2, SGD lr 20, clip 0.25, bptt 35, batch 20 (700 tokens/step), 10,000 words; "
             f"{args.threads} thread(s); {method} (benchmarks/peer_wlm.py).", "",
             f"Machine: {machine()} (at the end of the run).", "",
             *table(sides, "WLM main.py", "time / WLM's"), "",
             *[f"- {side.name}: WLM/this = {peer / statistics.median(side.per_step_ms):.3f}, "
               f"{700 / statistics.median(side.per_step_ms) * 1000:,.0f} tokens/s" for side in sides], ""]
    write_text_atomic(Path(args.out), "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
