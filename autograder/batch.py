"""Grade a whole class: ``autograder grade-all SUBMISSIONS_DIR -j N``.

Each entry of ``SUBMISSIONS_DIR`` (a folder or a ``.zip``) is one student. Every student is
graded by its own trusted grader *process* (``autograder grade``), ``N`` at a time, so one
student's crash, hang or memory blow-up never stops the batch. Each result is written atomically
to ``OUT/results/<student>.json`` together with the SHA-256 of what was graded; a later run skips
students whose result matches their current submission (``--force`` regrades everyone), which
also makes an interrupted batch (even ``kill -9``) resumable without losing finished work. At the
end the gradebook (``gradebook.csv``), one Gradescope ``results.json`` per student and
``summary.json`` are rebuilt from all results on disk, with an HTML report per student and a
class summary page (``autograder.html_report``). Results are read back as ``autograder.results``
records, the one form every report is built from.

Layout of ``OUT``::

    results/<student>.json            per-test results (the `autograder grade --json` format)
    errors/<student>.json             why grading failed (retried on the next run)
    gradescope/<student>/results.json Gradescope's format
    html/<student>.html               the student's report: every check, its feedback and diagnosis
    gradebook.csv                     student x exercise points, total, maximum
    summary.json                      class means, full-marks counts and check pass rates per exercise
    summary.html                      the same with the score distribution, for the instructor
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

from rnnlm.atomic import write_text_atomic
from rnnlm.errors import UsageError

from autograder import html_report, report
from autograder.results import FailedSubmission, StudentResult, SubmissionResult, dumps


def student_entries(submissions_dir: Path) -> dict[str, Path]:
    """Students of a submissions folder: sub-folders and ``.zip`` files (hidden entries skipped)."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise UsageError(f"{submissions_dir} is not a folder of submissions (one folder or .zip per student)")
    entries: dict[str, Path] = {}
    for path in sorted(submissions_dir.iterdir()):
        if path.name.startswith(".") or path.is_symlink():
            continue
        if path.is_dir() or path.suffix == ".zip":
            student = path.stem if path.suffix == ".zip" else path.name
            if student in entries:
                raise UsageError(f"two submissions for {student!r}: {entries[student].name} and {path.name}")
            entries[student] = path
    if not entries:
        raise UsageError(f"no submissions in {submissions_dir}: expected one folder or .zip per student")
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
               "--html", str(out / "html" / f"{student}.html"), "--fingerprint", digest, "--quiet", *options]
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
    failure = FailedSubmission(student, problem, digest, round(time.monotonic() - started, 3))
    write_text_atomic(error_path, dumps(failure.to_json()))
    return student, f"failed: {problem.splitlines()[0]}"


def _valid_result(path: Path, digest: str) -> bool:
    result = _read(path, SubmissionResult)
    return result is not None and result.fingerprint == digest


def _read(path: Path, kind: type[SubmissionResult] | type[FailedSubmission]) -> StudentResult | None:
    """A results file as its record, or None where it is missing, partial or of another kind."""
    try:
        return kind.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def grade_all(submissions_dir: Path, out: Path, *, jobs: int = 2, force: bool = False, options: list[str] | None = None,
              timeout: float = 1800.0, log=print) -> dict:
    """Grade every student not yet graded (all with ``force``), then rebuild the reports."""
    if jobs < 1:
        raise UsageError(f"-j/--jobs must be at least 1, got {jobs}")
    if timeout <= 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {timeout:g}")
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
    """Write gradebook.csv, the Gradescope files, the HTML pages and summary.json from the results on disk."""
    results: dict[str, StudentResult] = {}
    for student in entries:
        results[student] = (_read(out / "results" / f"{student}.json", SubmissionResult)
                            or _read(out / "errors" / f"{student}.json", FailedSubmission)
                            or FailedSubmission(student, "not graded"))
    graded = {s: r for s, r in results.items() if isinstance(r, SubmissionResult)}
    exercises = sorted({e for r in graded.values() for e in r.exercises})
    for student, result in graded.items():
        write_text_atomic(out / "gradescope" / student / "results.json", dumps(report.gradescope(result)))
        write_text_atomic(out / "html" / f"{student}.html", html_report.student_page(result))
    write_text_atomic(out / "gradebook.csv", report.gradebook_csv(results, exercises))
    overview = report.summary(results, exercises)
    write_text_atomic(out / "summary.json", dumps(overview))
    write_text_atomic(out / "summary.html", html_report.class_page(results, exercises))
    return overview
