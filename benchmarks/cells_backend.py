"""Scratch cells (rnnlm.cells) against torch.nn's fused RNN/LSTM/GRU: training speed and memory.

One forward + backward of a 2-layer x 200 recurrent stack over a [20, 35, 200] float32 window
(batch 20, bptt 35: Zaremba et al.'s small setting), on CPU. The two backends hold the same
weights and run in alternating repetitions in one process; we report the median tokens/s of
each, their ratio (goal: scratch within 2x of fused), and two memory figures:

- saved for backward: bytes of the distinct tensors autograd keeps between forward and
  backward (counted with ``torch.autograd.graph.saved_tensors_hooks``);
- peak RSS growth: how much a fresh process's peak resident memory (VmHWM, reset after a
  first, warm-up step) grows over one forward + backward, which also counts temporaries
  (Linux only; large allocations are sent to mmap so that freed memory leaves the RSS).

Usage:
    python benchmarks/cells_backend.py                       # writes benchmarks/results/cells_backend.md
    python benchmarks/cells_backend.py --repeats 3 --output /tmp/cells.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from rnnlm.cells import make_recurrent_layer

# (label, mode, variant): the textbook GRU has no fused counterpart; it is timed against
# torch.nn.GRU only to show what its second matmul per step costs.
CASES = [("lstm", "lstm", "pytorch"), ("gru", "gru", "pytorch"), ("rnn (tanh)", "rnn", "pytorch"),
         ("gru, textbook variant", "gru", "textbook")]


def build(mode: str, variant: str, backend: str, hidden_size: int, num_layers: int) -> torch.nn.Module:
    """The recurrent stack of one backend (the textbook variant exists only as scratch)."""
    return make_recurrent_layer(
        mode, backend, hidden_size, hidden_size, num_layers,
        variant=variant if backend == "scratch" else "pytorch",
    )


def train_step(layer: torch.nn.Module, inputs: torch.Tensor) -> None:
    """One forward + backward, gradients into the parameters and the inputs."""
    output, _ = layer(inputs)  # [B, T, H]
    output.sum().backward()


def saved_bytes(layer: torch.nn.Module, inputs: torch.Tensor) -> int:
    """Bytes of the distinct storages autograd saves for backward during one forward."""
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.layout == torch.strided and not isinstance(tensor, torch.nn.Parameter):
            storage = tensor.untyped_storage()
            storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        output, _ = layer(inputs)
    output.sum().backward()
    parameters = {p.untyped_storage().data_ptr() for p in layer.parameters()}
    parameters.add(inputs.untyped_storage().data_ptr())
    return sum(size for pointer, size in storages.items() if pointer not in parameters)


def peak_rss_growth(args: argparse.Namespace, mode: str, variant: str, backend: str) -> int | None:
    """Peak-RSS growth in bytes over one forward + backward, measured in a fresh process."""
    command = [sys.executable, __file__, "--rss-probe", json.dumps([mode, variant, backend]),
               "--batch-size", str(args.batch_size), "--bptt", str(args.bptt),
               "--hidden-size", str(args.hidden_size), "--num-layers", str(args.num_layers),
               "--threads", str(args.threads)]
    # Allocations from 4 KiB up get their own mmap, returned to the system when freed, so the
    # resident set follows the live tensors instead of the allocator's cache.
    environment = dict(os.environ, MALLOC_MMAP_THRESHOLD_="4096", MALLOC_TRIM_THRESHOLD_="0", MALLOC_TOP_PAD_="0")
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:  # e.g. not Linux: the table says n/a rather than losing the timings
        print(f"peak RSS probe failed for {backend} {mode}: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return int(result.stdout.strip())


def rss_probe(args: argparse.Namespace) -> None:
    """Child process of ``peak_rss_growth``: print the growth of ru_maxrss (bytes)."""
    mode, variant, backend = json.loads(args.rss_probe)
    layer = build(mode, variant, backend, args.hidden_size, args.num_layers)
    inputs = torch.randn(args.batch_size, args.bptt, args.hidden_size, requires_grad=True)
    train_step(layer, inputs)  # first call: one-time initialisation and gradient buffers
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    before = _high_water_mark()
    train_step(layer, inputs)
    print(_high_water_mark() - before)


def _high_water_mark() -> int:
    """Peak resident memory of this process since the last reset, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # reported in kB
    raise RuntimeError("no VmHWM in /proc/self/status: peak RSS needs Linux")


def time_backends(args: argparse.Namespace, mode: str, variant: str) -> dict[str, list[float]]:
    """Tokens/s of each backend per repetition, alternating which goes first."""
    torch.manual_seed(0)
    fused = build(mode, variant, "fused", args.hidden_size, args.num_layers)
    scratch = build(mode, variant, "scratch", args.hidden_size, args.num_layers)
    scratch.load_state_dict(fused.state_dict())
    inputs = torch.randn(args.batch_size, args.bptt, args.hidden_size, requires_grad=True)
    layers = {"fused": fused, "scratch": scratch}
    for layer in layers.values():
        for _ in range(args.warmup):
            train_step(layer, inputs)
    tokens = args.batch_size * args.bptt * args.iterations
    speeds: dict[str, list[float]] = {"fused": [], "scratch": []}
    for repeat in range(args.repeats):
        order = ("fused", "scratch") if repeat % 2 == 0 else ("scratch", "fused")
        for name in order:
            start = time.perf_counter()
            for _ in range(args.iterations):
                train_step(layers[name], inputs)
            speeds[name].append(tokens / (time.perf_counter() - start))
    speeds["saved_fused"] = [saved_bytes(fused, inputs)]
    speeds["saved_scratch"] = [saved_bytes(scratch, inputs)]
    return speeds


def machine() -> list[str]:
    """Lines describing where this ran."""
    model = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return [
        f"- CPU: {model}, `nproc` = {os.cpu_count()}, torch intra-op threads = {torch.get_num_threads()}",
        f"- torch {torch.__version__} (oneDNN/mkldnn available: {torch.backends.mkldnn.is_available()}),"
        f" Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- load average at start: {os.getloadavg()[0]:.1f} (the machine is shared)",
    ]


def _mebibytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 2.0**20:.1f} MiB"


def report(args: argparse.Namespace) -> str:
    """Run every case and return the Markdown report."""
    torch.set_num_threads(args.threads)
    lines = ["# Scratch cells vs torch.nn (fused): forward + backward on CPU", ""]
    lines += machine()
    lines += [
        f"- workload: {args.num_layers} layers x {args.hidden_size} hidden, input size {args.hidden_size},"
        f" batch {args.batch_size}, bptt {args.bptt}, float32; forward + backward of `output.sum()`",
        f"- {args.repeats} alternating repetitions of {args.iterations} steps each after {args.warmup} warm-up steps;"
        " medians (min-max in brackets)",
        f"- command: `{' '.join(['python benchmarks/cells_backend.py', *args.argv])}`",
        "",
        "| layer | fused tokens/s | scratch tokens/s | scratch time / fused time (goal <= 2) | saved for backward fused / scratch | peak RSS growth fused / scratch |",
        "|---|---|---|---|---|---|",
    ]
    for label, mode, variant in CASES:
        speeds = time_backends(args, mode, variant)
        fused, scratch = statistics.median(speeds["fused"]), statistics.median(speeds["scratch"])
        rss = {backend: peak_rss_growth(args, mode, variant, backend) for backend in ("fused", "scratch")}
        lines.append(
            f"| {label} | {fused:,.0f} [{min(speeds['fused']):,.0f}-{max(speeds['fused']):,.0f}]"
            f" | {scratch:,.0f} [{min(speeds['scratch']):,.0f}-{max(speeds['scratch']):,.0f}]"
            f" | **{fused / scratch:.2f}**"
            f" | {_mebibytes(speeds['saved_fused'][0])} / {_mebibytes(speeds['saved_scratch'][0])}"
            f" | {_mebibytes(rss['fused'])} / {_mebibytes(rss['scratch'])} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        f"- load average at end: {os.getloadavg()[0]:.1f}",
        "",
        "Reading the table: the ratio is what this benchmark is for (both backends see the same",
        "machine state, repetition by repetition); absolute tokens/s depend on what else the",
        "machine runs. The textbook GRU (eq. 5.11) is a different function, timed against",
        "torch.nn.GRU only to show what its second matmul per step costs. 'Saved for backward'",
        "counts whole storages (torch.nn saves its oneDNN workspace); peak RSS growth counts only",
        "pages actually touched, temporaries included.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=20, help="sequences per batch")
    parser.add_argument("--bptt", type=int, default=35, help="time steps per window")
    parser.add_argument("--hidden-size", type=int, default=200, help="hidden size (and input size)")
    parser.add_argument("--num-layers", type=int, default=2, help="stacked layers")
    parser.add_argument("--repeats", type=int, default=7, help="alternating repetitions per backend")
    parser.add_argument("--iterations", type=int, default=5, help="forward + backward steps per repetition")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per backend first")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (1: on a small shared CPU, more threads mostly wait on each other)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "cells_backend.md",
                        help="where to write the Markdown report")
    parser.add_argument("--rss-probe", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    if args.rss_probe:
        torch.set_num_threads(args.threads)
        rss_probe(args)
        return
    text = report(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=args.output.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
