"""Benchmark: streaming preparation of a synthetic corpus at 1x, 10x and 100x the complete works.

    python benchmarks/scale_prep.py [--scales 1 10 100] [--levels word] [--workdir /tmp/rnnlm-scale]

The corpus (``scale_corpus``) is built reproducibly from the real text, so that the vocabulary
stays realistic: copy 0 of each split is the complete works as ``rnnlm`` splits them, copy
``i > 0`` the same lines shuffled with seed ``i``; ``k`` copies make the ``k``x corpus, written as
a folder of ``train.txt``/``valid.txt``/``test.txt``. Each preparation (``rnnlm prepare``'s
``prepare_corpus``, token files and text splits written to a fresh cache) runs in a fresh
process; reported: wall seconds, CPU seconds of the process and of its workers, peak RSS of
the parent and of the largest worker (``ru_maxrss``; the workers run at the same time, so
parent + workers bounds the total). Writes ``benchmarks/results/scale_prep.md``.
Goal of issue 11: 100M tokens in <= 120 s on 2 cores with peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "scale_prep.md"
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, resource, sys, time
from rnnlm.data.prepared import prepare_corpus

folder, level = sys.argv[1], sys.argv[2]
start, cpu_start = time.perf_counter(), time.process_time()
prepared = prepare_corpus(folder, level)
wall = time.perf_counter() - start
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": wall, "cpu_parent": time.process_time() - cpu_start,
                  "cpu_workers": workers.ru_utime + workers.ru_stime,
                  "peak_parent_mib": me.ru_maxrss / 1024, "peak_worker_mib": workers.ru_maxrss / 1024,
                  "tokens": sum(prepared.stats["tokens"].values()), "vocab": len(prepared.vocab),
                  "dtype": prepared.meta["dtype"],
                  "bytes_on_disk": sum(f["bytes"] for f in prepared.meta["files"].values())}))
"""


def scale_corpus(scale: int, root: Path) -> Path:
    """The ``scale``x corpus folder under ``root`` (built once): copy 0 verbatim, copy i shuffled with seed i."""
    from rnnlm.data.corpora import SPLITS, load_shakespeare

    folder = root / f"shakespeare-x{scale}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    corpus = load_shakespeare()
    for split in SPLITS:
        lines = corpus.split(split).splitlines(keepends=True)
        with open(folder / f"{split}.txt", "w", encoding="utf-8") as out:
            for copy in range(scale):
                order = np.random.default_rng(copy).permutation(len(lines)) if copy else range(len(lines))
                out.write("".join(lines[i] for i in order))
    (folder / "done").write_text("")
    return folder


def measure(folder: Path, level: str, cache: Path) -> dict:
    """Prepare ``folder`` into an empty cache in a fresh process; return its measurements."""
    shutil.rmtree(cache, ignore_errors=True)
    environment = {**os.environ, "RNNLM_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1"}
    completed = subprocess.run([sys.executable, "-c", CHILD, str(folder), level], env=environment,
                               capture_output=True, text=True, check=True)
    shutil.rmtree(cache, ignore_errors=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    from data_prep import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100], help="corpus multiples")
    parser.add_argument("--levels", nargs="+", default=["word"], help="tokenization levels")
    parser.add_argument("--workdir", default="/tmp/rnnlm-scale", help="where the synthetic corpora are written")
    args = parser.parse_args()
    root = Path(args.workdir)
    rows = []
    for level in args.levels:
        for scale in args.scales:
            folder = scale_corpus(scale, root)
            load_before = os.getloadavg()[0]
            r = measure(folder, level, root / "cache")
            rows.append(f"| {level} | {scale}x | {r['tokens']:,} | {r['vocab']:,} ({r['dtype']}) | {r['seconds']:.1f} | "
                        f"{r['cpu_parent']:.1f} + {r['cpu_workers']:.1f} | {r['peak_parent_mib']:.0f} | "
                        f"{r['peak_worker_mib']:.0f} | {r['tokens'] / r['seconds'] / 1e6:.2f} | "
                        f"{load_before:.1f} |")
            print(rows[-1], flush=True)
    table = "\n".join([
        "| level | corpus | tokens | vocabulary (dtype) | wall s | CPU s parent + workers | peak RSS parent MiB "
        "| peak RSS largest worker MiB | M tokens / wall s | load (1 min) before |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", *rows])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "# Streaming preparation at scale\n\n"
        "`python benchmarks/scale_prep.py`: the complete works (copy 0) plus seeded shuffles of its lines "
        "(copies 1..k-1) as a folder of split files, prepared by `prepare_corpus` (two passes in worker "
        "processes, token files + text splits + vocabulary written to an empty cache) in a fresh process "
        "per row. Peak RSS is `ru_maxrss` (absolute, imports included) of the parent and of the largest "
        f"worker; the workers run concurrently.\n\nMachine: {machine()}.\n\n{table}\n",
        encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
