"""Reports of a grading run, read from the typed results: score table, Gradescope, gradebook, summary.

Every function here reads ``autograder.results`` records, never hand-built dicts; the HTML pages
are in ``autograder.html_report``. Gradescope's format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a JSON object with ``score``,
``execution_time`` (seconds), ``output`` (text for the whole submission), ``visibility``,
``stdout_visibility`` and ``tests``: objects with ``name``, ``score``, ``max_score``, ``status``,
``output`` and ``visibility``. This module ships in the student bundle (``autograder check``
prints its table), so it imports nothing of the grader.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from rnnlm.errors import UsageError

from autograder.results import ExerciseResult, FailedSubmission, StudentResult, SubmissionResult, dumps

__all__ = ["dumps", "ensure_writable", "gradebook_csv", "gradescope", "score_table", "summary", "UNSANDBOXED_WARNING"]

UNSANDBOXED_WARNING = ("WARNING: the bubblewrap sandbox could not start here, so this submission's code ran in a plain "
                       "subprocess WITHOUT isolation: it could read the grader's files. Scores are computed as usual; "
                       "the instructor should review suspicious submissions.")
"""What every report says first when a submission was graded without the sandbox."""


def number(value: float) -> str:
    """A score as people write it: ``10``, ``2.5``."""
    return f"{value:g}"


def first_problem(exercise: ExerciseResult) -> str:
    """The line that sums up an exercise: why it was not graded, its first failure, or "all passed"."""
    first = exercise.message or next((c.output or c.diagnosis or "" for c in exercise.tests if not c.passed), "")
    return first.splitlines()[0] if first else ("all passed" if exercise.tests else "")


def score_table(result: SubmissionResult, title: str | None = None) -> str:
    """A plain-text table: one row per exercise (points, tests passed, first problem), then the total."""
    rows = [("exercise", "points", "tests", "feedback")]
    for name, exercise in result.exercises.items():
        rows.append((name, f"{number(exercise.score)}/{number(exercise.max_score)}",
                     f"{exercise.passed}/{len(exercise.tests)}", first_problem(exercise)[:90]))
    rows.append(("total", f"{number(result.score)}/{number(result.max_score)}", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [title] if title else []
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            lines.append("-" * (sum(widths) + 6 + 20))
        lines.append("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def gradescope(result: SubmissionResult, visibility: str = "visible", sandbox_problem: str | None = None) -> dict:
    """Gradescope's results.json for one graded submission.

    Without the sandbox (``result.sandboxed`` false), the top-level output starts with a warning
    and a 0-point test named "sandbox: NOT isolated" says so where students and staff look first;
    ``sandbox_problem`` is why it could not start.
    """
    tests = []
    for exercise in result.exercises.values():
        for check in exercise.tests:
            output = "\n\n".join(part for part in (check.output, check.diagnosis) if part) or "passed"
            if check.limit:
                output += f"\n\n(limit reached: {check.limit})"
            if not check.passed and exercise.printed:
                output += "\n\nYour code printed:\n" + exercise.printed[:1500]
            tests.append({"name": check.name, "score": check.score, "max_score": check.max_score,
                          "status": "passed" if check.passed else "failed", "output": output,
                          "visibility": check.visibility if check.visibility != "visible" else visibility})
    notes = [f"Graded in: {result.sandbox}."] + list(result.warnings)
    if not result.sandboxed:
        why = f" ({sandbox_problem})" if sandbox_problem else ""
        notes.insert(0, UNSANDBOXED_WARNING + why)
        tests.insert(0, {"name": "sandbox: NOT isolated (bubblewrap could not start)", "score": 0.0, "max_score": 0.0,
                         "status": "failed", "output": UNSANDBOXED_WARNING + why, "visibility": "visible"})
    return {"score": result.score, "max_score": result.max_score, "execution_time": round(result.seconds, 3),
            "output": "\n".join(notes), "visibility": visibility, "stdout_visibility": "hidden", "tests": tests}


def gradebook_csv(results: dict[str, StudentResult], exercises: list[str]) -> str:
    """The gradebook: one row per student, one column per exercise, then the total and maximum."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "max_score"])
    graded = [r for r in results.values() if isinstance(r, SubmissionResult)]
    max_score = number(graded[0].max_score) if graded else ""
    for student in sorted(results):
        result = results[student]
        if isinstance(result, FailedSubmission):
            writer.writerow([student, *["" for _ in exercises], 0, max_score])
            continue
        scores = [number(result.exercises[e].score) if e in result.exercises else "" for e in exercises]
        writer.writerow([student, *scores, number(result.score), number(result.max_score)])
    return buffer.getvalue()


def summary(results: dict[str, StudentResult], exercises: list[str]) -> dict:
    """Class-level numbers: per exercise mean, full marks and per-check pass rates; failed submissions."""
    graded = {s: r for s, r in results.items() if isinstance(r, SubmissionResult)}
    per_exercise = {}
    for exercise in exercises:
        scores = [r.exercises[exercise] for r in graded.values() if exercise in r.exercises]
        if scores:
            names = list(dict.fromkeys(c.name for s in scores for c in s.tests))
            per_exercise[exercise] = {
                "mean": sum(s.score for s in scores) / len(scores),
                "max_score": scores[0].max_score,
                "full_marks": sum(1 for s in scores if s.score == s.max_score),
                "checks": {name: sum(1 for s in scores for c in s.tests if c.name == name and c.passed) / len(scores)
                           for name in names},
            }
    totals = [r.score for r in graded.values()]
    return {
        "students": len(results),
        "graded": len(graded),
        "failed": sorted(s for s, r in results.items() if isinstance(r, FailedSubmission)),
        "mean_score": sum(totals) / len(totals) if totals else None,
        "max_score": next(iter(graded.values())).max_score if graded else None,
        "scores": {s: r.score for s, r in sorted(graded.items())},
        "exercises": per_exercise,
    }


def ensure_writable(path: Path) -> None:
    """Fail early, with one clear line, if a report cannot be written to ``path``."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"cannot write the report to {path}: it is a folder; give a file name")
    blocker = next((folder for folder in [path.parent, *path.parent.parents] if folder.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UsageError(f"cannot write {path}: {blocker} is a file, not a folder; choose a writable path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}; choose a writable path") from None
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"cannot write {path}: its folder is not writable; choose a writable path")
