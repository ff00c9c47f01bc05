"""Grading time before and after the diagnoses and the stricter hidden suites (issue 13, parts 2 and 4).

    git archive <base-commit> | tar -x -C /tmp/base
    python benchmarks/grading_diagnoses.py --baseline /tmp/base --runs 5

Grades two submissions with both trees, alternating fresh processes (baseline, this tree,
baseline, ...): the reference solutions (100/100: no check fails, so no diagnosis runs) and a
submission made of the first wrong implementation of every exercise (every exercise loses
points: the diagnoses run). Each process imports its tree's grader and grades in the sandbox;
the time measured is ``grade_submission`` alone (the import of the grader is the same in both).
The CPU time is that of the whole process tree (grader, its
sandbox and workers; the grader's own import included, the same in both). Prints medians and
ratios as a Markdown table, with the machine and its load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from autograder.runner import grade_submission, load_suites
from autograder.sandbox import Sandbox
from autograder.submission import load_submission
submission = load_submission(Path(sys.argv[2]), "bench")
suites = load_suites()
started = time.perf_counter()
result = grade_submission(submission, suites, sandbox=Sandbox(), jobs=1)
print(json.dumps({"seconds": time.perf_counter() - started, "score": result["score"]}))
"""


def _submission(folder: Path, files: dict[str, Path]) -> Path:
    folder.mkdir(parents=True)
    for exercise, source in files.items():
        shutil.copy(source, folder / f"{exercise}.py")
    return folder


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _grade(tree: Path, folder: Path) -> dict:
    """Grade ``folder`` with ``tree`` in a fresh process: its wall time, score, and the CPU time of the whole tree."""
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1")
    before = _children_cpu()
    output = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(folder)], env=env, cwd=tree,
                            capture_output=True, text=True, check=True).stdout
    outcome = json.loads(output.strip().splitlines()[-1])
    outcome["cpu"] = _children_cpu() - before  # the grader process and every sandboxed worker it waited for
    return outcome


def main() -> int:
    """Run the alternating comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="an exported tree of the base commit")
    parser.add_argument("--runs", type=int, default=5, help="gradings per tree and submission")
    arguments = parser.parse_args()
    wrong = {path.parent.name: path for path in sorted((ROOT / "tests/exercises/wrong").glob("ex*/*.py"))
             if path.stem == sorted(p.stem for p in path.parent.glob("*.py"))[0]}
    with tempfile.TemporaryDirectory() as temporary:
        submissions = {
            "reference solutions (100/100)": _submission(Path(temporary) / "reference",
                                                          {p.stem: p for p in (ROOT / "solutions").glob("ex*.py")}),
            "first wrong file of every exercise": _submission(Path(temporary) / "wrong", wrong),
        }
        load = [Path("/proc/loadavg").read_text().split()[0]]
        rows = []
        for label, folder in submissions.items():
            times: dict[str, list[float]] = {"baseline": [], "this tree": []}
            cpu: dict[str, list[float]] = {"baseline": [], "this tree": []}
            scores = {}
            for _ in range(arguments.runs):
                for name, tree in (("baseline", arguments.baseline), ("this tree", ROOT)):
                    outcome = _grade(tree, folder)
                    times[name].append(outcome["seconds"])
                    cpu[name].append(outcome["cpu"])
                    scores[name] = outcome["score"]
            base, mine = statistics.median(times["baseline"]), statistics.median(times["this tree"])
            base_cpu, mine_cpu = statistics.median(cpu["baseline"]), statistics.median(cpu["this tree"])
            rows.append(f"| {label} | {base:.2f} s, {base_cpu:.1f} CPU-s ({scores['baseline']:g}) "
                        f"| {mine:.2f} s, {mine_cpu:.1f} CPU-s ({scores['this tree']:g}) "
                        f"| {mine / base:.2f} | {mine_cpu / base_cpu:.2f} |")
        load.append(Path("/proc/loadavg").read_text().split()[0])
    print(f"{os.cpu_count()} CPUs, load average {load[0]} before and {load[1]} after, {arguments.runs} runs each\n")
    print("| submission | baseline: median wall, CPU (score) | this tree: median wall, CPU (score) | wall ratio "
          "| CPU ratio |\n| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
