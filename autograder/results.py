"""Grading results as typed records: a check, an exercise, a submission, and one JSON form.

The runner (``autograder.runner``) builds these records, and only the runner; every reporter
(the score table, Gradescope's ``results.json``, the CSV gradebook, the class summary, the HTML
pages) reads them. ``to_json`` / ``from_json`` are the one JSON form, versioned by
``SCHEMA_VERSION``: files written before the schema existed (no ``schema`` key) read as version 1,
which kept the same keys. Scores are never stored independently of the checks: an exercise's
score is the sum of its checks', a submission's the sum of its exercises'.

The keys follow the results JSON that existed before these records (``score``, ``max_score``,
``output``, ``tests``), which are also Gradescope's names, so every consumer of that JSON keeps
working. This module imports nothing from the grader: it ships in the student bundle, where
``autograder check`` builds the same records from the public tests.

Reference: Gradescope's results format, https://gradescope-autograders.readthedocs.io/en/latest/specs/
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

SCHEMA_VERSION = 2
"""Version of the JSON form. 1: the hand-built dicts (no diagnosis); 2: these records."""
DIAGNOSIS_MARKER = "Likely mistake: "
"""A failing check's message may hold a paragraph starting with this: the diagnosis of the mistake."""

Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
"""Gradescope's visibility values (who sees a check, and when)."""
VISIBILITIES: tuple[str, ...] = get_args(Visibility)
"""The same values, for validation and choices."""


def split_diagnosis(message: str) -> tuple[str, str | None]:
    """Split ``message`` into (the message without it, the "Likely mistake: " paragraph or None).

    A paragraph is a block separated by a blank line, or the rest of the message when the
    marker starts a line inside one; the diagnosis keeps its marker, so it reads on its own.
    """
    lines = message.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(DIAGNOSIS_MARKER)), None)
    if start is None:
        return message, None
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    diagnosis = "\n".join(line.strip() for line in lines[start:end])
    before, after = lines[:start], lines[end:]
    if before and not before[-1].strip() and after and not after[0].strip():
        after = after[1:]  # one blank line between what came before and after the paragraph, not two
    return "\n".join(before + after).strip(), diagnosis


@dataclass
class CheckResult:
    """One check (a hidden test, or a public test in ``autograder check``) and its verdict."""

    name: str
    """``exercise::test`` for hidden tests, pytest's node id for public ones."""
    score: float
    """Points earned (all or nothing: ``max_score`` if passed, else 0)."""
    max_score: float
    """Points the check is worth."""
    passed: bool
    """Whether the check returned normally."""
    output: str = ""
    """Feedback for the student (empty when passed), without the diagnosis paragraph."""
    diagnosis: str | None = None
    """The "Likely mistake: ..." paragraph of a failing check, if its suite named one."""
    visibility: Visibility = "visible"
    """Who sees the check on Gradescope."""
    limit: str | None = None
    """The resource limit the check ran into ("time", "CPU time", "memory", ...), if any."""
    seconds: float = 0.0
    """Wall time of the check in the grader."""

    def to_json(self) -> dict[str, Any]:
        """The check as plain JSON types."""
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "passed": self.passed,
                "output": self.output, "diagnosis": self.diagnosis, "visibility": self.visibility,
                "limit": self.limit, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """Read a check written by ``to_json`` (or by the version-1 grader)."""
        return cls(name=str(data["name"]), score=float(data["score"]), max_score=float(data["max_score"]),
                   passed=bool(data["passed"]), output=str(data.get("output") or ""), diagnosis=data.get("diagnosis"),
                   visibility=data.get("visibility", "visible"), limit=data.get("limit"),
                   seconds=float(data.get("seconds", 0.0)))


@dataclass
class ExerciseResult:
    """One exercise: its checks, whether the file was found and imported, what it printed."""

    exercise: str
    """The exercise's name (``ex04_lstm_cell``)."""
    tests: list[CheckResult] = field(default_factory=list)
    """Its checks, in the suite's order (those that never reported are failed, never dropped)."""
    status: Literal["graded", "missing", "not imported"] = "graded"
    """Whether the file was graded, absent, or could not be imported (then ``message`` says why)."""
    message: str = ""
    """Why the exercise could not be graded (empty when it was)."""
    printed: str = ""
    """What the student's code printed (capped), shown beside failing checks."""
    seconds: float = 0.0
    """Wall time of the exercise in the grader."""

    @property
    def score(self) -> float:
        """Points earned: the sum of the checks' scores."""
        return sum(check.score for check in self.tests)

    @property
    def max_score(self) -> float:
        """Points possible: the sum of the checks' maxima."""
        return sum(check.max_score for check in self.tests)

    @property
    def passed(self) -> int:
        """How many checks passed."""
        return sum(1 for check in self.tests if check.passed)

    def to_json(self) -> dict[str, Any]:
        """The exercise as plain JSON types (scores included, for readers of the file)."""
        return {"exercise": self.exercise, "score": self.score, "max_score": self.max_score, "status": self.status,
                "message": self.message, "printed": self.printed, "seconds": self.seconds,
                "tests": [check.to_json() for check in self.tests]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExerciseResult:
        """Read an exercise written by ``to_json`` (scores are recomputed from the checks)."""
        return cls(exercise=str(data["exercise"]), tests=[CheckResult.from_json(t) for t in data.get("tests", [])],
                   status=data.get("status", "graded"), message=str(data.get("message") or ""),
                   printed=str(data.get("printed") or ""), seconds=float(data.get("seconds", 0.0)))


@dataclass
class SubmissionResult:
    """One graded submission: every exercise, and how it was graded."""

    submission: str
    """The submission's (student's) name."""
    exercises: dict[str, ExerciseResult] = field(default_factory=dict)
    """Exercise name -> its result, sorted by name."""
    sandbox: str = "unknown"
    """Which isolation graded it (``Sandbox.description``)."""
    sandboxed: bool = True
    """False when student code ran without the bubblewrap sandbox (reports say so loudly)."""
    graded_at: str = ""
    """ISO 8601 time (UTC) at which grading finished."""
    seconds: float = 0.0
    """Wall time of the whole grading."""
    startup_seconds: float = 0.0
    """Wall time to start the sandbox's fork server (PyTorch imported once)."""
    warnings: list[str] = field(default_factory=list)
    """Whole-submission notes (zip members refused, duplicates ignored, no sandbox)."""
    fingerprint: str | None = None
    """SHA-256 of what was graded (``grade-all`` skips a student whose files still match)."""

    @property
    def score(self) -> float:
        """Points earned over all exercises."""
        return sum(exercise.score for exercise in self.exercises.values())

    @property
    def max_score(self) -> float:
        """Points possible over all exercises."""
        return sum(exercise.max_score for exercise in self.exercises.values())

    def checks(self) -> list[CheckResult]:
        """Every check of every exercise, in order."""
        return [check for exercise in self.exercises.values() for check in exercise.tests]

    def limits_hit(self) -> list[tuple[str, str]]:
        """``(check name, limit)`` for every check that ran into a resource limit."""
        return [(check.name, check.limit) for check in self.checks() if check.limit]

    def to_json(self) -> dict[str, Any]:
        """The submission as plain JSON types: the per-test results file."""
        data = {"schema": SCHEMA_VERSION, "submission": self.submission, "score": self.score,
                "max_score": self.max_score, "sandbox": self.sandbox, "sandboxed": self.sandboxed,
                "graded_at": self.graded_at, "seconds": self.seconds, "startup_seconds": self.startup_seconds,
                "warnings": list(self.warnings), "exercises": {n: e.to_json() for n, e in self.exercises.items()}}
        if self.fingerprint is not None:
            data["fingerprint"] = self.fingerprint
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionResult:
        """Read a results file's JSON; ``ValueError`` for a newer schema or something else entirely."""
        if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
            raise ValueError("not a grading result: a JSON object with 'exercises' was expected")
        version = data.get("schema", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(f"results schema {version!r} is newer than this grader's ({SCHEMA_VERSION}); "
                             "upgrade the autograder to read it")
        return cls(submission=str(data.get("submission", "")),
                   exercises={name: ExerciseResult.from_json({"exercise": name, **e})
                              for name, e in data["exercises"].items()},
                   sandbox=str(data.get("sandbox", "unknown")), sandboxed=bool(data.get("sandboxed", True)),
                   graded_at=str(data.get("graded_at", "")), seconds=float(data.get("seconds", 0.0)),
                   startup_seconds=float(data.get("startup_seconds", 0.0)), warnings=list(data.get("warnings", [])),
                   fingerprint=data.get("fingerprint"))


@dataclass
class FailedSubmission:
    """A student whose grading did not finish (``grade-all`` records why and retries next run)."""

    submission: str
    """The student's name."""
    error: str
    """Why grading failed (the grader's one-line error, a timeout, ...)."""
    fingerprint: str | None = None
    """SHA-256 of what was submitted."""
    seconds: float = 0.0
    """How long the attempt took."""

    def to_json(self) -> dict[str, Any]:
        """The failure as plain JSON types (``errors/<student>.json``)."""
        return {"schema": SCHEMA_VERSION, "student": self.submission, "error": self.error,
                "fingerprint": self.fingerprint, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FailedSubmission:
        """Read a failure written by ``to_json``."""
        return cls(submission=str(data.get("student", "")), error=str(data.get("error", "not graded")),
                   fingerprint=data.get("fingerprint"), seconds=float(data.get("seconds", 0.0)))


StudentResult = SubmissionResult | FailedSubmission
"""What a class report holds per student."""


def dumps(data: dict[str, Any]) -> str:
    """JSON as written to disk (sorted keys, so runs compare byte for byte where values agree)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
