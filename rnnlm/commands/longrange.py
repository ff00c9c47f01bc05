"""``rnnlm longrange``: the largest recall gap each architecture learns within a fixed budget.

    rnnlm longrange                          # RNN, LSTM, GRU; 500 steps x 32 sequences per trial
    rnnlm longrange --budget 3000 --max_gap 512

Each trial trains a fresh model on ``key, d distractors, query -> key`` (see
``rnnlm.analysis.longrange``); the search doubles d until a gap is not learned to
``--threshold`` accuracy, then bisects. Writes ``longrange.png`` (accuracy against gap),
``longrange.csv`` (every trial) and ``longrange.json`` (largest gap per architecture, the budget
and every trial) into ``--output_dir``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rnnlm.analysis.stack import ARCHITECTURES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--architectures", nargs="+", default=list(ARCHITECTURES), choices=ARCHITECTURES,
                        help="architectures to search")
    parser.add_argument("--budget", type=int, default=500, help="optimizer steps per trial (one model, one gap)")
    parser.add_argument("--time_limit", type=float, default=None, help="wall-clock seconds per trial (default: none)")
    parser.add_argument("--batch_size", type=int, default=32, help="fresh sequences per step")
    parser.add_argument("--learning_rate", type=float, default=1e-2, help="Adam learning rate")
    parser.add_argument("--hidden_size", type=int, default=32, help="hidden size of the recurrent layer")
    parser.add_argument("--embedding_size", type=int, default=16, help="token embedding size")
    parser.add_argument("--forget_bias", type=float, default=1.0, help="initial LSTM forget-gate bias (0: torch's init)")
    parser.add_argument("--num_keys", type=int, default=8, help="keys to recall (chance accuracy is 1/num_keys)")
    parser.add_argument("--num_distractors", type=int, default=8, help="distinct distractor tokens")
    parser.add_argument("--threshold", type=float, default=0.9, help="test accuracy that counts as learned")
    parser.add_argument("--max_gap", type=int, default=256, help="largest gap tried")
    parser.add_argument("--seed", type=int, default=0, help="seed of every trial's data and weights")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1 by default: these models are too small to gain from more)")
    parser.add_argument("--output_dir", type=Path, default=Path("longrange"), help="where the figure and numbers go")


def run(args: argparse.Namespace) -> int:
    import torch

    from rnnlm.analysis.longrange import RecallBudget, RecallTask, largest_gap, trial_rows
    from rnnlm.plots import plot_longrange

    for name in ("budget", "batch_size", "hidden_size", "embedding_size", "max_gap"):
        if getattr(args, name) < 1:
            raise SystemExit(f"rnnlm longrange: --{name} must be >= 1; received {getattr(args, name)}")
    if not 0 < args.threshold <= 1:
        raise SystemExit(f"rnnlm longrange: --threshold must be in (0, 1]; received {args.threshold}")
    if args.threads:
        torch.set_num_threads(args.threads)
    task = RecallTask(args.num_keys, args.num_distractors)
    budget = RecallBudget(max_steps=args.budget, max_seconds=args.time_limit, batch_size=args.batch_size,
                          learning_rate=args.learning_rate)
    summary, trials = {}, []
    for architecture in args.architectures:
        start = time.perf_counter()
        gap, found = largest_gap(
            architecture, args.max_gap, task=task, budget=budget, hidden_size=args.hidden_size,
            embedding_size=args.embedding_size, forget_bias=args.forget_bias, threshold=args.threshold, seed=args.seed,
            on_trial=lambda t: print(f"  {t.architecture:<4} gap {t.gap:>4}: accuracy {t.accuracy:.3f} "
                                     f"after {t.steps} steps ({t.seconds:.1f} s)", flush=True),
        )
        seconds = time.perf_counter() - start
        summary[architecture] = {"largest_gap": gap, "reached_max_gap": gap >= args.max_gap, "seconds": round(seconds, 1),
                                 "trials": len(found)}
        trials += trial_rows(found)
        print(f"{architecture.upper()}: largest gap learned to {args.threshold:.0%}: {gap}"
              f"{' (the search limit)' if gap >= args.max_gap else ''} [{len(found)} trials, {seconds:.0f} s]", flush=True)
    settings = {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items() if key != "verb"}
    paths = plot_longrange(trials, args.output_dir / "longrange", threshold=args.threshold, summary=summary, settings=settings)
    print("wrote " + ", ".join(str(path) for path in paths))
    return 0
