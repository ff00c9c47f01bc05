"""What an autograded notebook cell runs: one hidden check, in the kernel, without stray stderr.

Each test cell of a generated notebook calls ``run_hidden_check("ex01", "<check>", globals())``.
The check runs in-process against the functions the notebook defined (nbgrader's trust model:
the student's code and the check share one kernel with the grader's rights). The cell's outcome
follows nbgrader's rule for test cells: no error means full points, an error means zero.

nbgrader also zeroes a test cell that writes anything to stderr, so while a check runs this
module deliberately silences what is not the check's verdict: Python warnings (torch's
``UserWarning`` s included), ``logging``, ``sys.stderr`` and the process's file descriptor 2
(C++ warnings). What was printed is shown afterwards on stdout, truncated, where it costs
nothing. A failed check raises :class:`HiddenCheckFailed` with the hidden suite's message.

A function whose call was interrupted by nbgrader's per-cell timeout is remembered: later
checks that call it fail at once ("did not finish in an earlier check") instead of each one
waiting out its own timeout.

Outside a grading run (``AUTOGRADER_NBGRADER_GRADING`` unset, e.g. a student's own Jupyter
where the hidden suites are not installed) the cell only says that it runs when graded. In a
grading run a missing hidden suite fails the cell, so a misconfigured grader never gives
points away.

Reference: nbgrader's grading of autograder test cells (``nbgrader.utils.determine_grade``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import sys
import tempfile
import types
import warnings
from collections.abc import Iterator

GRADING_ENVIRONMENT_VARIABLE = "AUTOGRADER_NBGRADER_GRADING"
MAX_ECHO_CHARS = 2000
"""Most characters of a check's own printing echoed back on stdout."""

_interrupted: set[tuple[str, str]] = set()
"""(exercise, function) pairs whose call was interrupted by a timeout in this kernel."""


class HiddenCheckFailed(AssertionError):
    """A hidden check did not pass; the message is the hidden suite's feedback."""


@contextlib.contextmanager
def silenced_output() -> Iterator[io.StringIO]:
    """Capture stdout/stderr (Python and file descriptor 2), warnings and logging for a while."""
    captured = io.StringIO()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved_descriptor = os.dup(2)
    previous_logging = logging.root.manager.disable
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                logging.disable(logging.CRITICAL)
                yield captured
        finally:
            logging.disable(previous_logging)
            os.dup2(saved_descriptor, 2)
            os.close(saved_descriptor)
            sink.seek(0)
            native = sink.read(MAX_ECHO_CHARS * 4).decode("utf-8", errors="replace")
            if native:
                captured.write(native)


def _guard(exercise: str, name: str, function: types.FunctionType) -> types.FunctionType:
    """Wrap a student function so a timeout inside it is remembered for later checks."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        if (exercise, name) in _interrupted:
            raise TimeoutError(f"{name}() did not finish within the time limit in an earlier check; it is not called again")
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            _interrupted.add((exercise, name))
            raise

    return guarded


def student_namespace(exercise: str, namespace: dict) -> dict:
    """The notebook's public names, with the functions it defined wrapped by ``_guard``."""
    public = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
            value = _guard(exercise, name, value)
        public[name] = value
    return public


def _echo(text: str) -> None:
    """Show what the check printed, on stdout and bounded."""
    text = text.strip()
    if text:
        shown = text if len(text) <= MAX_ECHO_CHARS else text[:MAX_ECHO_CHARS] + f"\n... ({len(text) - MAX_ECHO_CHARS} more characters)"
        print("Output while the check ran (does not affect the grade):\n" + shown)


def _unavailable(exercise: str, check: str, error: Exception) -> None:
    """No hidden suite here: fail in a grading run, otherwise say where the check runs."""
    if os.environ.get(GRADING_ENVIRONMENT_VARIABLE) == "1":
        raise HiddenCheckFailed(f"the hidden check {exercise}::{check} could not be loaded in this grading environment ({error})")
    print(f"Hidden check {exercise}::{check} runs when your notebook is graded (the hidden suites are not installed here).")


def load_hidden_checks(exercise: str) -> None:
    """Import the exercise's hidden suite and reference ahead of its checks (a no-op where absent)."""
    try:
        from autograder.nbgrader.checks import HiddenSuiteUnavailable, prepare
    except ImportError as error:
        print(f"The hidden checks of {exercise} run when your notebook is graded ({error}).")
        return
    try:
        with silenced_output() as captured:
            prepare(exercise)
    except HiddenSuiteUnavailable as error:
        print(f"The hidden checks of {exercise} run when your notebook is graded ({error}).")
        return
    _echo(captured.getvalue())


def run_hidden_check(exercise: str, check: str, namespace: dict) -> None:
    """Run one hidden check against ``namespace``; return quietly if it passes, else raise."""
    __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
    try:
        from autograder.nbgrader.checks import HiddenSuiteUnavailable, run_check_in_process
    except ImportError as error:
        _unavailable(exercise, check, error)
        return
    try:
        with silenced_output() as captured:
            passed, message = run_check_in_process(exercise, check, student_namespace(exercise, namespace))
    except HiddenSuiteUnavailable as error:
        _unavailable(exercise, check, error)
        return
    _echo(captured.getvalue())
    if not passed:
        raise HiddenCheckFailed(message)
    print(f"{exercise}::{check} passed")
