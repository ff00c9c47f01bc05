"""The hidden suites as nbgrader notebooks use them: listed by ``init``, run in the kernel.

This is the only module of the nbgrader bridge that knows the grader's API
(:mod:`autograder.runner`, :mod:`autograder.oracle`); the checks themselves live once, in the
hidden suites (``autograder/hidden/test_exNN_<topic>.py``), and are never copied into notebooks.

- :func:`hidden_checks` reads a suite's manifest (test names and points in definition order)
  to write one autograded cell per test.
- :func:`run_check_in_process` runs one test with an :class:`~autograder.oracle.InProcessSubmission`
  over the notebook's namespace (the exercise's forbidden shortcuts blocked during each call)
  and the reference solution, exactly as ``autograder grade`` runs it with a sandboxed proxy.

Where the suites and solutions are: ``AUTOGRADER_SUITES_DIR`` / ``AUTOGRADER_SOLUTIONS_DIR``
when set (``nbgrader_config.py`` sets them when ``init`` was given ``--suites`` /
``--solutions``), else the grader's defaults.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from autograder.nbgrader.notebook import HiddenCheck

SUITES_ENVIRONMENT_VARIABLE = "AUTOGRADER_SUITES_DIR"
SOLUTIONS_ENVIRONMENT_VARIABLE = "AUTOGRADER_SOLUTIONS_DIR"


class HiddenSuiteUnavailable(ImportError):
    """The hidden suite of an exercise (or the grader itself) cannot be loaded here."""


def suites_dir() -> Path:
    """Folder of the hidden suites (``$AUTOGRADER_SUITES_DIR``, else ``autograder/hidden``)."""
    override = os.environ.get(SUITES_ENVIRONMENT_VARIABLE)
    if override:
        return Path(override)
    try:
        from autograder.runner import DEFAULT_SUITES
    except ImportError as error:
        raise HiddenSuiteUnavailable(f"the grader is not installed here ({error})") from None
    return DEFAULT_SUITES


def solutions_dir() -> Path:
    """Folder of the reference solutions (``$AUTOGRADER_SOLUTIONS_DIR``, else ``solutions/``)."""
    override = os.environ.get(SOLUTIONS_ENVIRONMENT_VARIABLE)
    if override:
        return Path(override)
    from autograder.runner import DEFAULT_SOLUTIONS

    return DEFAULT_SOLUTIONS


@functools.cache
def load_exercise_suite(exercise: str, folder: str):
    """The hidden suite (``autograder.runner.Suite``) whose ``EXERCISE`` is ``exercise``."""
    try:
        from autograder.runner import load_suite, load_suites
    except ImportError as error:
        raise HiddenSuiteUnavailable(f"the grader is not installed here ({error})") from None
    path = Path(folder) / f"test_{exercise}.py"
    if not Path(folder).is_dir():
        raise HiddenSuiteUnavailable(f"no hidden suites folder at {folder}")
    try:
        suite = load_suite(path) if path.is_file() else None
        if suite is None or suite.exercise != exercise:
            suite = next((candidate for candidate in load_suites(Path(folder)) if candidate.exercise == exercise), None)
    except (ValueError, OSError, SyntaxError, ImportError) as error:
        raise HiddenSuiteUnavailable(f"the hidden suites in {folder} could not be loaded ({error})") from None
    if suite is None:
        raise HiddenSuiteUnavailable(f"no hidden suite with EXERCISE = {exercise!r} in {folder}")
    return suite


def _reference(exercise: str):
    """The reference solution of ``exercise`` as the grader's in-process proxy."""
    from autograder.runner import reference_for

    try:
        return reference_for(exercise, solutions_dir())
    except (FileNotFoundError, ValueError, SyntaxError, ImportError) as error:
        raise HiddenSuiteUnavailable(f"the reference solution of {exercise} could not be loaded ({error})") from None


def _test_name(qualified: str) -> str:
    """``ex01_rnn_forward::test_step`` -> ``test_step``."""
    return qualified.rpartition("::")[2]


def hidden_checks(exercise: str, folder: Path | None = None) -> list[HiddenCheck]:
    """One ``HiddenCheck`` per test of the exercise's hidden suite (in ``folder``), in order."""
    suite = load_exercise_suite(exercise, str(folder or suites_dir()))
    return [HiddenCheck(exercise=exercise, name=_test_name(test.name), points=test.points) for test in suite.tests]


def prepare(exercise: str) -> None:
    """Load the exercise's suite and its reference solution (and so their imports) now."""
    load_exercise_suite(exercise, str(suites_dir()))
    _reference(exercise)


def run_check_in_process(exercise: str, check: str, namespace: dict) -> tuple[bool, str]:
    """Run test ``check`` of ``exercise``'s suite against ``namespace``: ``(passed, feedback)``."""
    from autograder.oracle import InProcessSubmission
    from autograder.runner import run_test

    suite = load_exercise_suite(exercise, str(suites_dir()))
    tests = {_test_name(test.name): test for test in suite.tests}
    if check not in tests:
        raise HiddenSuiteUnavailable(f"the hidden suite of {exercise} has no test {check!r}; valid: {', '.join(tests)}")
    submission = InProcessSubmission(namespace, exercise, forbidden=suite.forbidden)
    reference = _reference(exercise)
    return run_test(tests[check], submission, reference)
