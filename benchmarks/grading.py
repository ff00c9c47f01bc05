"""Grading benchmark: one complete submission in the sandbox, then a generated class with grade-all.

    python benchmarks/grading.py                      # 1 submission x 3 runs, a class of 50 with -j 2
    python benchmarks/grading.py --students 10 --runs 1
    python benchmarks/grading.py --compare c23e033 --runs 7   # `autograder grade` here vs at a commit

The class mixes the reference solutions, tests/exercises/alternative implementations, wrong
implementations (tests/exercises/wrong) and untouched stubs (assignments/), one exercise file each,
chosen deterministically per student. Writes benchmarks/results/grading.md (machine described).

``--compare REF`` times the whole ``autograder grade`` command (a fresh process: start, grading,
the JSON, HTML and Gradescope reports) on the complete submission, alternating between this
checkout and the tree of git commit REF (``git archive``, in a temporary folder), and writes
the medians and their ratio as a section of the results file, keeping the rest.
"""

from __future__ import annotations

import argparse
import platform
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.runner import grade_submission, load_suites  # noqa: E402
from autograder.sandbox import Sandbox  # noqa: E402
from autograder.submission import load_submission  # noqa: E402


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


CPUACCT = Path(f"/sys/fs/cgroup/cpuacct/autograder-benchmark-{os.getpid()}")


def _join_cpuacct() -> bool:
    """Put this process (and so every worker it starts) in a cpuacct cgroup, where that is allowed."""
    try:
        CPUACCT.mkdir()
        (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
        return True
    except OSError:
        return False


def _leave_cpuacct() -> None:
    try:
        (CPUACCT.parent / "cgroup.procs").write_text(str(os.getpid()))
        CPUACCT.rmdir()
    except OSError:
        pass


def _cpu_seconds() -> float:
    """CPU time of this process and all its descendants, sandboxed workers included (cgroup cpuacct).

    ``getrusage(RUSAGE_CHILDREN)`` misses the workers: bubblewrap's monitor exits without waiting for
    its PID-namespace init. Without a cpuacct cgroup the value is NaN.
    """
    try:
        return int((CPUACCT / "cpuacct.usage").read_text()) / 1e9
    except (OSError, ValueError):
        return float("nan")


def _make_class(folder: Path, students: int) -> dict[str, int]:
    """Generated submissions; returns how many files of each kind were used."""
    exercises = sorted(p.stem for p in (ROOT / "solutions").glob("ex*.py"))
    kinds = {"solution": 0, "alternative": 0, "wrong": 0, "stub": 0}
    rng = random.Random(0)
    for index in range(students):
        target = folder / f"student{index:03d}"
        target.mkdir()
        for exercise in exercises:
            options = [("solution", ROOT / "solutions" / f"{exercise}.py"),
                       ("stub", ROOT / "assignments" / f"{exercise}.py")]
            alternative = ROOT / "tests" / "exercises" / "alternative" / f"{exercise}.py"
            if alternative.is_file():
                options.append(("alternative", alternative))
            options += [("wrong", p) for p in sorted((ROOT / "tests" / "exercises" / "wrong" / exercise).glob("*.py"))]
            kind, source = rng.choice(options)
            kinds[kind] += 1
            shutil.copy(source, target / f"{exercise}.py")
    return kinds


COMPARE_TITLE = "## `autograder grade` here vs an earlier commit, side by side"


def _grade_command(tree: Path, folder: Path, out: Path) -> tuple[float, float]:
    """Run ``autograder grade`` from ``tree`` on ``folder``; (process wall seconds, grading seconds)."""
    import json

    command = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--require-sandbox", "--quiet",
               "--json", str(out / "result.json"), "--gradescope", str(out / "gradescope.json")]
    if (tree / "autograder" / "html_report.py").is_file():  # trees before the HTML report have no --html
        command += ["--html", str(out / "report.html")]
    started = time.perf_counter()
    subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"},
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    result = json.loads((out / "result.json").read_text())
    if result["score"] != result["max_score"]:
        raise SystemExit(f"{tree}: the reference solutions scored {result['score']}/{result['max_score']}")
    return wall, result["seconds"]


def compare(reference: str, runs: int, output: Path) -> None:
    """Side by side: this checkout's ``autograder grade`` against commit ``reference``'s, alternating."""
    load_before = _load()
    commit = subprocess.run(["git", "rev-parse", "--short", reference], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        folder = Path(temporary) / "reference"
        folder.mkdir()
        for source in (ROOT / "solutions").glob("ex*.py"):
            shutil.copy(source, folder / source.name)
        times: dict[str, list[tuple[float, float]]] = {"here": [], commit: []}
        for run in range(runs):
            order = [("here", ROOT), (commit, base)] if run % 2 == 0 else [(commit, base), ("here", ROOT)]
            for name, tree in order:
                out = Path(temporary) / f"out-{name}-{run}"
                out.mkdir()
                times[name].append(_grade_command(tree, folder, out))
                print(f"{name}: {times[name][-1][0]:.2f} s (grading {times[name][-1][1]:.2f} s)", flush=True)
    walls = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    grading = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    section = [
        COMPARE_TITLE,
        "",
        f"`python benchmarks/grading.py --compare {reference} --runs {runs}`: the complete submission graded by "
        f"`autograder grade --require-sandbox` in a fresh process, {runs} runs each, alternating (first one then "
        f"the other), on {_cpu_model()} (`nproc` = {os.cpu_count()}); load average before: {load_before}, "
        f"after: {_load()}.",
        "",
        "| tree | median process wall time | median grading time (results `seconds`) | all runs (s) |",
        "| --- | --- | --- | --- |",
        *[f"| {name} | {walls[name]:.2f} s | {grading[name]:.2f} s | "
          f"{', '.join(f'{t[0]:.2f}' for t in times[name])} |" for name in times],
        "",
        f"Ratio here / {commit}: **{walls['here'] / walls[commit]:.3f}** (process), "
        f"**{grading['here'] / grading[commit]:.3f}** (grading). Goal: within 10% (at most 1.10).",
        "",
    ]
    previous = output.read_text() if output.exists() else "# Grading benchmark\n"
    kept = previous.split(COMPARE_TITLE)[0].rstrip() + "\n\n"
    output.write_text(kept + "\n".join(section))
    print("\n".join(section))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed gradings of the complete submission")
    parser.add_argument("--students", type=int, default=50, help="size of the generated class")
    parser.add_argument("--jobs", type=int, default=2, help="grade-all -j")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "grading.md")
    parser.add_argument("--compare", default=None, metavar="REF",
                        help="only compare `autograder grade` here with git commit REF, side by side")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.runs, args.output)
        return
    suites = load_suites()
    sandbox = Sandbox(use_bwrap=True)
    try:
        _join_cpuacct()
        _run(args, suites, sandbox)
    finally:
        _leave_cpuacct()


def _load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def _run(args, suites, sandbox) -> None:
    """The two measurements, then the Markdown report."""
    load_before = _load()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "reference"
        folder.mkdir()
        for source in (ROOT / "solutions").glob("ex*.py"):
            shutil.copy(source, folder / source.name)
        walls, cpus, per_exercise, startups, score = [], [], {}, [], None
        old_walls, old_cpus = [], []  # the design before the fork server: a sandbox (and torch import) per exercise
        capable = sandbox.contains_processes  # a pids cgroup is what lets one sandbox serve every exercise
        for _ in range(args.runs):
            for shared in (True, False):  # alternated, so both designs see the same machine
                sandbox._contains_processes = shared and capable
                submission = load_submission(folder, "reference")
                started, cpu_before = time.perf_counter(), _cpu_seconds()
                result = grade_submission(submission, suites, sandbox=sandbox, jobs=2)
                wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
                submission.cleanup()
                score = f"{result['score']:g}/{result['max_score']:g}"
                print(f"complete submission ({'one sandbox' if shared else 'a sandbox per exercise'}) graded in "
                      f"{wall:.1f} s, {cpu:.1f} CPU-s ({score})", flush=True)
                if not shared:
                    old_walls.append(wall)
                    old_cpus.append(cpu)
                    continue
                walls.append(wall)
                cpus.append(cpu)
                startups.append(result["startup_seconds"])
                for name, exercise in result["exercises"].items():
                    per_exercise.setdefault(name, []).append(exercise["seconds"])
        del sandbox._contains_processes

        class_dir = Path(temporary) / "class"
        class_dir.mkdir()
        kinds = _make_class(class_dir, args.students)
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        batch = subprocess.run([sys.executable, "-m", "autograder.cli", "grade-all", str(class_dir), "--out",
                                str(Path(temporary) / "grades"), "-j", str(args.jobs), "--require-sandbox"],
                               cwd=ROOT, stdout=subprocess.DEVNULL)
        if batch.returncode not in (0, 1):  # 1: some students could not be graded (reported in the summary)
            raise SystemExit(f"grade-all failed with status {batch.returncode}")
        class_wall, class_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
        gradebook = (Path(temporary) / "grades" / "gradebook.csv").read_text().splitlines()

    lines = [
        "# Grading benchmark",
        "",
        f"Machine: {_cpu_model()}, `nproc` = {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}, "
        f"torch {torch.__version__}, Python {platform.python_version()}, {sandbox.description}; "
        f"load average (1, 5, 15 min) before: {load_before}, after: {_load()} (2 is both cores busy).",
        "",
        "Command: `python benchmarks/grading.py " + " ".join(sys.argv[1:]) + "`",
        "",
        "## One complete ten-exercise submission (the reference solutions), `-j 2` exercises in parallel",
        "",
        f"Score {score}; wall time over {args.runs} run(s): median **{statistics.median(walls):.1f} s** "
        f"(min {min(walls):.1f} s, max {max(walls):.1f} s). CPU time (grader + sandboxed workers): median "
        f"**{statistics.median(cpus):.1f} CPU-s**, so at least {statistics.median(cpus) / 2:.1f} s of wall time on 2 "
        "idle cores. Goal: under 20 s on 2 cores.",
        "",
        "Side by side, alternating runs: the previous design, a sandbox per exercise that imports PyTorch "
        f"in each (the fallback where no pids cgroup can be made), median **{statistics.median(old_walls):.1f} s** "
        f"and **{statistics.median(old_cpus):.1f} CPU-s**, i.e. "
        f"{statistics.median(old_walls) / statistics.median(walls):.2f}x the fork server's wall time and "
        f"{statistics.median(old_cpus) / statistics.median(cpus):.2f}x its CPU time.",
        "",
        "| part | median seconds |",
        "| --- | --- |",
        f"| sandbox start (bubblewrap, Python, NumPy and PyTorch imported once per submission) | "
        f"{statistics.median(startups):.2f} |",
        *[f"| {name} (fork a worker, import the file, run every check) | {statistics.median(times):.2f} |"
          for name, times in sorted(per_exercise.items())],
        "",
        f"## A generated class of {args.students} submissions, `grade-all -j {args.jobs}`",
        "",
        f"Exercise files used: {kinds}. Wall time **{class_wall:.0f} s** "
        f"({class_wall / args.students:.1f} s per student); CPU time **{class_cpu:.0f} CPU-s** "
        f"({class_cpu / args.students:.1f} CPU-s per student, so at least {class_cpu / args.students * 50 / 2 / 60:.1f} "
        "minutes for 50 students on 2 idle cores). Goal: 50 submissions under 10 minutes.",
        "",
        f"Gradebook rows: {len(gradebook) - 1}.",
        "",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
