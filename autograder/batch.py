"""Grade a whole class: ``autograder grade-all SUBMISSIONS_DIR -j N``.

Each entry of ``SUBMISSIONS_DIR`` (a folder or a ``.zip``) is one student. Every student is
graded by its own trusted grader *process* (``autograder grade``), ``N`` at a time, so one
student's crash, hang or memory blow-up never stops the batch. Each result is written atomically
to ``OUT/results/<student>.json`` together with the SHA-256 of what was graded; a later run skips
students whose result matches their current submission (``--force`` regrades everyone), which
also makes an interrupted batch (even ``kill -9``) resumable without losing finished work. At the
end the gradebook (``gradebook.csv``), one Gradescope ``results.json`` per student and
``summary.json`` are rebuilt from all results on disk.

Layout of ``OUT``::

    results/<student>.json            per-test results (the `autograder grade --json` format)
    errors/<student>.json             why grading failed (retried on the next run)
    gradescope/<student>/results.json Gradescope's format
    gradebook.csv                     student x exercise points, total, maximum
    summary.json                      class means and full-marks counts per exercise
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder import report


def student_entries(submissions_dir: Path) -> dict[str, Path]:
    """Students of a submissions folder: sub-folders and ``.zip`` files (hidden entries skipped)."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise ValueError(f"{submissions_dir} is not a folder of submissions (one folder or .zip per student)")
    entries: dict[str, Path] = {}
    for path in sorted(submissions_dir.iterdir()):
        if path.name.startswith(".") or path.is_symlink():
            continue
        if path.is_dir() or path.suffix == ".zip":
            student = path.stem if path.suffix == ".zip" else path.name
            if student in entries:
                raise ValueError(f"two submissions for {student!r}: {entries[student].name} and {path.name}")
            entries[student] = path
    return entries


def fingerprint(path: Path) -> str:
    """SHA-256 over a submission's files (names and bytes; links are not followed)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _die_with_parent() -> None:  # runs in the child before exec
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphans after kill -9
    except (OSError, AttributeError):
        pass


def grade_one(student: str, path: Path, out: Path, options: list[str], timeout: float) -> tuple[str, str]:
    """Grade one student in a fresh grader process; ``(student, "graded" | "failed: ...")``."""
    result_path = out / "results" / f"{student}.json"
    error_path = out / "errors" / f"{student}.json"
    digest = fingerprint(path)
    command = [sys.executable, "-m", "autograder.cli", "grade", str(path), "--name", student, "--json", str(result_path),
               "--fingerprint", digest, "--quiet", *options]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=timeout, preexec_fn=_die_with_parent, start_new_session=True)
        problem = None if completed.returncode == 0 else (
            f"grader exited with status {completed.returncode}: " + completed.stderr.decode(errors="replace")[-2000:])
    except subprocess.TimeoutExpired:
        problem = f"grading took longer than {timeout:g} s and was stopped"
    if problem is None and _valid_result(result_path, digest):
        if error_path.exists():
            error_path.unlink()
        return student, "graded"
    problem = problem or "the grader finished without writing a result"
    report.write_atomic(error_path, report.dumps({"student": student, "error": problem, "fingerprint": digest,
                                                  "seconds": round(time.monotonic() - started, 3)}))
    return student, f"failed: {problem.splitlines()[0]}"


def _valid_result(path: Path, digest: str) -> bool:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("fingerprint") == digest and "exercises" in data


def grade_all(submissions_dir: Path, out: Path, *, jobs: int = 2, force: bool = False, options: list[str] | None = None,
              timeout: float = 1800.0, log=print) -> dict:
    """Grade every student not yet graded (all with ``force``), then rebuild the reports."""
    entries = student_entries(submissions_dir)
    out = Path(out)
    (out / "results").mkdir(parents=True, exist_ok=True)
    todo = {s: p for s, p in entries.items() if force or not _valid_result(out / "results" / f"{s}.json", fingerprint(p))}
    log(f"{len(entries)} submissions, {len(entries) - len(todo)} already graded, {len(todo)} to grade with -j {jobs}")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, s, p, out, list(options or []), timeout) for s, p in todo.items()]
        for future in as_completed(futures):
            student, status = future.result()
            log(f"  {student}: {status}")
    return rebuild_reports(entries, out)


def rebuild_reports(entries: dict[str, Path], out: Path) -> dict:
    """Write gradebook.csv, the Gradescope files and summary.json from the results on disk."""
    results: dict[str, dict] = {}
    for student in entries:
        try:
            results[student] = json.loads((out / "results" / f"{student}.json").read_text())
        except (OSError, ValueError):
            try:
                results[student] = json.loads((out / "errors" / f"{student}.json").read_text())
            except (OSError, ValueError):
                results[student] = {"error": "not graded"}
    graded = [r for r in results.values() if "error" not in r]
    exercises = sorted({e for r in graded for e in r["exercises"]})
    for student, result in results.items():
        if "error" not in result:
            report.write_atomic(out / "gradescope" / student / "results.json", report.dumps(report.gradescope(result)))
    report.write_atomic(out / "gradebook.csv", report.gradebook_csv(results, exercises))
    overview = report.summary(results, exercises)
    report.write_atomic(out / "summary.json", report.dumps(overview))
    return overview
