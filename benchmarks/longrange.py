"""What lets an LSTM recall a key across 100 steps: its gate biases at initialisation (an ablation).

The key-recall task of ``rnnlm longrange`` (``rnnlm.analysis.longrange``) at one gap (100 by
default), the same 32-unit LSTM, budget (at most 500 Adam steps x 32 fresh sequences, early stop)
and seeds, and only the initial forget-gate bias ``b_f`` and input-gate bias ``b_i`` changed:

- torch init: both uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (twice, b_ih + b_hh), so ``f ~ 0.5``;
- forget bias 1 (Jozefowicz et al. 2015) and forget bias 5, input gate as torch's;
- forget bias 5 with input bias -5: every unit holds long and writes little;
- chrono's forget bias alone (``log U[1, T_max - 1]``), input gate as torch's;
- chrono (Tallec & Ollivier 2018): that forget bias and ``b_i = -b_f``.

Usage:
    python benchmarks/longrange.py --gap 100 --seeds 0 1 2 --output benchmarks/results/longrange.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from rnnlm.analysis.longrange import LSTMInit, RecallBudget, train_trial
from rnnlm.atomic import write_text_atomic
from rnnlm.cells.init import chrono_, set_gate_bias_


@dataclass(frozen=True)
class BiasInit(LSTMInit):
    """An LSTMInit that sets ``b_f`` (a number, "chrono", or None for torch's) and optionally ``b_i``."""

    forget: float | str | None = None
    input: float | None = None  # None keeps torch's (or, with chrono, chrono's -b_f if keep_chrono_input)
    keep_chrono_input: bool = True
    name: str = ""

    def label(self, chrono_max: float | None = None) -> str:
        return self.name

    def apply(self, layer: nn.Module, chrono_max: float | None = None) -> None:
        hidden = layer.hidden_size
        torch_input = (layer.bias_ih_l0 + layer.bias_hh_l0)[:hidden].detach().clone()  # [H]: block i of i, f, g, o
        if self.forget == "chrono":
            chrono_(layer, self.chrono_max)
            if not self.keep_chrono_input:
                set_gate_bias_(layer, "i", torch_input)
        elif self.forget is not None:
            set_gate_bias_(layer, "f", float(self.forget))
        if self.input is not None:
            set_gate_bias_(layer, "i", float(self.input))


def inits(chrono_max: float) -> list[BiasInit]:
    """The initialisations compared, from torch's to chrono."""
    return [
        BiasInit("default", name="torch init (b_f ~ 0)"),
        BiasInit(forget=1.0, name="forget bias 1"),
        BiasInit(forget=5.0, name="forget bias 5"),
        BiasInit(forget=5.0, input=-5.0, name="forget bias 5, input bias -5"),
        BiasInit(chrono_max=chrono_max, forget="chrono", keep_chrono_input=False, name=f"chrono b_f only (T_max={chrono_max:g})"),
        BiasInit(chrono_max=chrono_max, forget="chrono", name=f"chrono (T_max={chrono_max:g})"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gap", type=int, default=100, help="distractors between key and query")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=500, help="at most this many Adam steps x 32 sequences per trial")
    parser.add_argument("--chrono_max", type=float, default=256.0, help="T_max of the chrono inits")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/longrange.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    loads = [Path("/proc/loadavg").read_text().split()[:3]]
    rows = []
    for lstm_init in inits(args.chrono_max):
        trials = []
        for seed in args.seeds:
            start = time.perf_counter()
            trial = train_trial("lstm", args.gap, budget=RecallBudget(max_steps=args.steps), lstm_init=lstm_init, seed=seed)
            trials.append(trial)
            print(f"{lstm_init.name:<40} seed {seed}: accuracy {trial.accuracy:.3f} after {trial.steps} steps"
                  f" ({time.perf_counter() - start:.1f} s)", flush=True)
        loads.append(Path("/proc/loadavg").read_text().split()[:3])
        accuracies = ", ".join(f"{t.accuracy:.2f}" for t in trials)
        learned = sum(t.learned for t in trials)
        steps = statistics.median(t.steps for t in trials)
        rows.append(f"| {lstm_init.name} | {accuracies} | {learned}/{len(trials)} | {steps:.0f} |")
    lines = [
        f"# Recall across {args.gap} steps: which LSTM initialisation learns it (benchmarks/longrange.py)", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, one thread, Python {platform.python_version()},"
        f" torch {torch.__version__}; load average (1, 5, 15 min) from {' '.join(loads[0])} to {' '.join(loads[-1])}"
        f" (the result depends on steps, not on time: it is the same on an idle machine).",
        f"Task: key (8), {args.gap} distractors (8 kinds), query -> key; embedding 16, LSTM 32, Adam 0.01, clip 1;"
        f" at most {args.steps} steps x 32 fresh sequences, early stop at 95% on 512 held-out sequences;"
        " test accuracy on 1000 fresh sequences (learned: >= 90%; chance 12.5%).", "",
        "| initialisation | test accuracy per seed | learned | median steps |",
        "|---|---|---:|---:|",
        *rows,
    ]
    write_text_atomic(args.output, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
