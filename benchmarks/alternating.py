"""Per-step time from whole-process wall times, sides alternated, start-up cancelled.

The method of ``../shared/bench/step_overhead.py`` and ``peer_wlm.py``: every side runs as a
fresh process for N1 and for N2 steps, per-step time = (t(N2) - t(N1)) / (N2 - N1), so imports,
data loading and every other one-off cost cancel; the sides take turns in each repeat, so all
see the same machine load; results are medians and ratios of medians. Shared by
``benchmarks/step_overhead.py`` and ``benchmarks/peer_wlm.py``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch


# `rnnlm fit` timed inside the process (argv: FIRST LAST CLI-ARGS...): the clock is read at the end
# of the batches at which global_step passes FIRST and LAST, in the CLI's own tokens/s callback.
FIT_TIMED = r'''
import sys, time
import rnnlm.training.callbacks as callbacks
from rnnlm.training.cli import lightning_main
first, last = int(sys.argv[1]), int(sys.argv[2])
stamps = {}
batch_end = callbacks.TokensPerSecond.on_train_batch_end
def timed(self, trainer, *args, **kwargs):
    for mark in (first, last):
        if trainer.global_step >= mark and mark not in stamps:
            stamps[mark] = (time.perf_counter(), trainer.global_step)
    return batch_end(self, trainer, *args, **kwargs)
callbacks.TokensPerSecond.on_train_batch_end = timed
lightning_main(sys.argv[3:])
(t0, s0), (t1, s1) = stamps[first], stamps[last]
print(f"ms/step {(t1 - t0) / (s1 - s0) * 1000:.4f}")
'''


@dataclass
class Side:
    """One contender: ``command(steps)`` gives (argv, working directory, extra environment)."""

    name: str
    command: Callable[[int], tuple[list[str], str, dict[str, str]]]
    per_step_ms: list[float] = field(default_factory=list)


def run_once(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    """Wall seconds of one process; stop the benchmark with its stderr if it fails."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **env})
    if done.returncode:
        sys.exit(f"failed: {' '.join(argv)}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def measure(sides: list[Side], n1: int, n2: int, repeats: int) -> list[Side]:
    """Fill each side's ``per_step_ms`` with ``repeats`` alternated measurements."""
    for repeat in range(repeats):
        for side in sides:
            short, long = run_once(*side.command(n1)), run_once(*side.command(n2))
            side.per_step_ms.append((long - short) / (n2 - n1) * 1000)
            print(f"repeat {repeat + 1}/{repeats} {side.name}: {side.per_step_ms[-1]:.2f} ms/step", flush=True)
    return sides


def measure_reported(sides: list[Side], repeats: int) -> list[Side]:
    """Like :func:`measure`, for sides that time themselves: each process prints ``ms/step X``
    (steps timed inside the process, after a warm-up), one process per side and repeat."""
    for repeat in range(repeats):
        for side in sides:
            argv, cwd, env = side.command(0)
            done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env={**os.environ, **env})
            reported = [line for line in done.stdout.splitlines() if line.startswith("ms/step ")]
            if done.returncode or not reported:
                sys.exit(f"failed: {' '.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
            side.per_step_ms.append(float(reported[-1].split()[1]))
            print(f"repeat {repeat + 1}/{repeats} {side.name}: {side.per_step_ms[-1]:.3f} ms/step", flush=True)
    return sides


def machine() -> str:
    """The machine and the load seen, for the results file."""
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}; "
            f"load average (1, 5, 15 min) {' '.join(load)}")


def table(sides: list[Side], baseline: str, ratio_name: str) -> list[str]:
    """Markdown rows: median ms/step, every run, and the ratio to ``baseline``'s median."""
    base = statistics.median(next(side for side in sides if side.name == baseline).per_step_ms)
    rows = [f"| side | median ms/step | runs (ms/step) | {ratio_name} |", "|---|---|---|---|"]
    for side in sides:
        median = statistics.median(side.per_step_ms)
        runs = ", ".join(f"{x:.2f}" for x in side.per_step_ms)
        rows.append(f"| {side.name} | {median:.2f} | {runs} | {median / base:.3f} |")
    return rows
