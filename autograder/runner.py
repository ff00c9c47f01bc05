"""Grade one submission: run every hidden suite against it, in the sandbox, and collect points.

The trusted grader process loads the hidden suites and the reference solutions (both stay in
this process), builds the manifest of expected tests and points *before* running anything, then
runs each suite's tests with a ``SandboxedSubmission`` proxy (one worker per exercise, exercises
in parallel on ``jobs`` threads). The workers are forked by one sandboxed fork server per
submission, which imports PyTorch once (``autograder.sandbox.ForkServer``). A test scores its
points only if it returns normally; every test of the manifest that did not report is failed, so
nothing the student does can skip a test.

``grade`` is the one place where grading results are built, as ``autograder.results`` records
(a failure's "Likely mistake: " paragraph becomes the check's ``diagnosis``, and a check stopped
by a resource limit names it); ``grade_submission`` returns their JSON form. User mistakes (an
unknown exercise, no suites, no reference solution, ``jobs`` < 1) raise ``rnnlm.errors.UsageError``.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable

from rnnlm.errors import UsageError

from autograder.checks import CheckFailed
from autograder.oracle import InProcessSubmission, SandboxedSubmission
from autograder.results import VISIBILITIES, CheckResult, ExerciseResult, SubmissionResult, split_diagnosis
from autograder.sandbox import ForkServer, Limits, Sandbox, WorkerError, widest
from autograder.submission import Submission

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SUITES = PACKAGE_DIR / "hidden"
DEFAULT_SOLUTIONS = PACKAGE_DIR.parent / "solutions"
FEEDBACK_CHARS = 3000
"""Longest feedback kept per test (the rest is cut)."""
LIMIT_PHRASES = (
    ("time budget of", "exercise time budget"),
    ("used up its CPU time", "CPU time"),
    ("memory or process limit", "memory or processes"),
    ("MemoryError", "memory"),
    ("a file larger than the limit", "file size"),
)
"""Phrases of the sandbox's and worker's messages that mean a resource limit stopped the code."""


@dataclass
class HiddenTest:
    """One test of a suite: its name, its points and the function to run."""

    name: str
    points: float
    function: Callable
    visibility: str = "visible"
    """Who sees the check on Gradescope (a suite may set ``test_x.visibility = "hidden"``)."""


@dataclass
class Suite:
    """A hidden suite module: the exercise it grades, its tests, and the worker's settings."""

    exercise: str
    module: Any
    tests: list[HiddenTest]
    forbidden: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    import_torch: bool = True

    @property
    def max_score(self) -> float:
        """Sum of the points of the suite's tests."""
        return sum(test.points for test in self.tests)


def load_suite(path: Path) -> Suite:
    """Import one ``test_exNN_*.py`` suite by path and read its manifest."""
    name = f"_autograder_suite_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    exercise = getattr(module, "EXERCISE", None)
    if not isinstance(exercise, str):
        raise UsageError(f"{path}: a hidden suite must define EXERCISE = 'exNN_topic'")
    tests = []
    for attribute, value in vars(module).items():
        if attribute.startswith("test_") and callable(value):
            points = getattr(value, "points", None)
            if points is None:
                raise UsageError(f"{path}: {attribute} has no points; decorate it with @points(n)")
            visibility = getattr(value, "visibility", "visible")
            if visibility not in VISIBILITIES:
                raise UsageError(f"{path}: {attribute}.visibility is {visibility!r}; use one of {list(VISIBILITIES)}")
            tests.append(HiddenTest(f"{exercise}::{attribute}", float(points), value, visibility))
    if not tests:
        raise UsageError(f"{path}: no test_* functions")
    return Suite(exercise, module, tests, list(getattr(module, "FORBIDDEN", [])),
                 getattr(module, "LIMITS", Limits()), bool(getattr(module, "IMPORT_TORCH", True)))


def load_suites(suites_dir: Path = DEFAULT_SUITES, only: list[str] | None = None) -> list[Suite]:
    """All suites of a folder, sorted by exercise; ``only`` keeps the named exercises."""
    paths = sorted(Path(suites_dir).glob("test_ex*.py"))
    if not paths:
        raise UsageError(f"no hidden suites (test_ex*.py) in {suites_dir}; pass --suites DIR")
    suites = [load_suite(path) for path in paths]
    if only:
        known = {suite.exercise for suite in suites}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise UsageError(f"unknown exercise(s) {unknown}; valid: {sorted(known)}")
        suites = [suite for suite in suites if suite.exercise in only]
    return suites


_references: dict[tuple[str, str], InProcessSubmission] = {}
_references_lock = threading.Lock()


def reference_for(exercise: str, solutions_dir: Path = DEFAULT_SOLUTIONS) -> InProcessSubmission:
    """The reference solution of ``exercise`` as an in-process proxy (imported once per process)."""
    key = (str(solutions_dir), exercise)
    with _references_lock:
        if key not in _references:
            path = Path(solutions_dir) / f"{exercise}.py"
            if not path.is_file():
                raise FileNotFoundError(f"reference solution {path} not found (use --solutions DIR)")
            _references[key] = InProcessSubmission.from_file(path, exercise)
        return _references[key]


def run_test(test: HiddenTest, submission: Any, reference: Any) -> tuple[bool, str]:
    """Run one hidden test; ``(passed, feedback)``. Never raises (but KeyboardInterrupt)."""
    check = run_check(test, submission, reference)
    return check.passed, "\n\n".join(part for part in (check.output, check.diagnosis) if part)


def run_check(test: HiddenTest, submission: Any, reference: Any) -> CheckResult:
    """Run one hidden test into a ``CheckResult``. Never raises (but KeyboardInterrupt).

    A failure's "Likely mistake: " paragraph becomes the check's ``diagnosis``; a failure caused
    by a resource limit names that limit.
    """
    wanted = inspect.signature(test.function).parameters
    arguments = {"submission": submission, "reference": reference}
    started = time.monotonic()
    failed, feedback, limit = True, "", None
    try:
        test.function(**{name: arguments[name] for name in wanted if name in arguments})
        failed = False
    except CheckFailed as error:
        feedback, limit = str(error), limit_hit(error)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # noqa: BLE001 - the check itself broke on what the submission returned
        feedback = (f"the check could not complete ({type(error).__name__}: {error}); "
                    "does your function return the documented types?")
    seconds = round(time.monotonic() - started, 3)
    if not failed:
        return CheckResult(test.name, test.points, test.points, True, visibility=test.visibility, seconds=seconds)
    message, diagnosis = split_diagnosis(feedback)
    return CheckResult(test.name, 0.0, test.points, False, _cut(message), diagnosis and _cut(diagnosis),
                       visibility=test.visibility, limit=limit, seconds=seconds)


def limit_hit(error: BaseException) -> str | None:
    """The resource limit behind a failed check, if any (read from the sandbox's own wording)."""
    cause = error.__context__  # the proxy raises CheckFailed "from None": the WorkerError is kept here
    text = str(error)
    if isinstance(cause, WorkerError) and cause.kind == "timeout":
        return "time"
    for phrase, limit in LIMIT_PHRASES:
        if phrase in text:
            return limit
    return None


def _cut(text: str) -> str:
    return text if len(text) <= FEEDBACK_CHARS else text[:FEEDBACK_CHARS] + " ... [cut]"


def grade_exercise(suite: Suite, student_file: Path | None, problem: str | None, sandbox: Sandbox,
                   solutions_dir: Path, server: ForkServer | None = None) -> ExerciseResult:
    """Grade one exercise: every test of its suite, in order, against one sandboxed worker.

    ``server`` is the submission's fork server; without one the exercise gets a sandbox of its own.
    """
    started = time.monotonic()
    reference = reference_for(suite.exercise, solutions_dir)
    proxy = SandboxedSubmission(None if problem else student_file, suite.exercise, sandbox=sandbox,
                                limits=suite.limits, forbidden=suite.forbidden, import_torch=suite.import_torch,
                                server=server)
    if problem:
        proxy.import_failure = problem
    checks = []
    try:
        for test in suite.tests:
            checks.append(run_check(test, proxy, reference))
    finally:
        proxy.close()
    status = "graded"
    if student_file is None and not problem:
        status = "missing"
    elif problem or proxy.import_failure:
        status = "not imported"
    return ExerciseResult(suite.exercise, checks, status, problem or proxy.import_failure or "", proxy.printed(),
                          round(time.monotonic() - started, 3))


def grade(submission: Submission, suites: list[Suite], *, sandbox: Sandbox, solutions_dir: Path = DEFAULT_SOLUTIONS,
          jobs: int = 2) -> SubmissionResult:
    """Grade all suites against one submission: the one place where grading results are built."""
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    missing = [s.exercise for s in suites if not (Path(solutions_dir) / f"{s.exercise}.py").is_file()]
    if missing:
        raise UsageError(f"no reference solution for {missing} in {solutions_dir}; pass --solutions DIR")
    started = time.monotonic()
    manifest = {test.name: test.points for suite in suites for test in suite.tests}
    server = None
    if sandbox.contains_processes:  # one sandbox imports PyTorch once and forks every exercise's worker
        files = {s.exercise: submission.files[s.exercise] for s in suites
                 if s.exercise in submission.files and s.exercise not in submission.problems}
        server = ForkServer(sandbox, files, widest([s.limits for s in suites]), any(s.import_torch for s in suites))
    startup = 0.0
    if server is not None and server.files:
        try:
            startup = server.start()  # before the exercises, so their times are their own
        except WorkerError:
            pass  # kept by the server: every exercise reports why the sandbox could not start

    def one(suite: Suite) -> ExerciseResult:
        return grade_exercise(suite, submission.files.get(suite.exercise), submission.problems.get(suite.exercise),
                              sandbox, solutions_dir, server)

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            exercises = list(pool.map(one, suites))
    finally:
        if server is not None:
            server.close()
    for exercise in exercises:  # the manifest decides: a test that did not report is a failed test
        reported = {check.name for check in exercise.tests}
        exercise.tests = [check for check in exercise.tests if check.name in manifest]
        exercise.tests += [CheckResult(name, 0.0, points, False, "this test did not run")
                           for name, points in manifest.items()
                           if name.startswith(exercise.exercise + "::") and name not in reported]
    return SubmissionResult(
        submission=submission.name,
        exercises={e.exercise: e for e in exercises},
        sandbox=sandbox.description,
        sandboxed=sandbox.bwrap is not None,
        graded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        seconds=round(time.monotonic() - started, 3),
        startup_seconds=round(startup, 3),
        warnings=list(submission.warnings),
    )


def grade_submission(submission: Submission, suites: list[Suite], *, sandbox: Sandbox,
                     solutions_dir: Path = DEFAULT_SOLUTIONS, jobs: int = 2) -> dict:
    """Grade all suites against one submission; the per-test results JSON (``grade(...).to_json()``)."""
    return grade(submission, suites, sandbox=sandbox, solutions_dir=solutions_dir, jobs=jobs).to_json()
