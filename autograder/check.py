"""``autograder check``: a student runs the public tests on their own files and sees a score table.

This is the student's side and ships in the student bundle: it runs ``pytest`` in this process
on ``assignments/tests`` (the public tests: signatures, shapes, one known value per function;
never the hidden checks), groups the outcomes by exercise (``test_ex04_*.py`` -> ``ex04_...``)
and prints the same kind of table as ``autograder grade``. Passing every public test does not
guarantee full marks: the hidden suites test more cases.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rnnlm.atomic import write_text_atomic
from rnnlm.errors import UsageError

from autograder.report import ensure_writable, score_table
from autograder.results import CheckResult, ExerciseResult, SubmissionResult, split_diagnosis

TEST_FILE = re.compile(r"^test_(ex\d\d)(?:_\w+)?\.py$")


class _Collector:
    """A pytest plugin recording one outcome per test (its call phase, or the failing setup)."""

    def __init__(self):
        self.outcomes: dict[str, tuple[bool, str]] = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            message = ""
            if report.failed:
                message = str(getattr(report.longrepr, "reprcrash", None) and report.longrepr.reprcrash.message
                              or report.longreprtext.strip().splitlines()[-1:] or "failed")
            if report.skipped:
                message = "skipped"
            self.outcomes[report.nodeid] = (report.passed, message)

    def pytest_collectreport(self, report):
        if report.failed:
            self.outcomes[report.nodeid or "collection"] = (False, "could not be collected: " +
                                                            (report.longreprtext.strip().splitlines() or ["error"])[-1])


def check(directory: Path = Path("assignments"), exercises: list[str] | None = None, html: Path | None = None) -> int:
    """Run the public tests of ``directory/tests`` (all, or those of ``exercises``); print the table.

    ``html``: also write the student's HTML report there (the same page ``autograder grade`` writes).
    """
    import pytest

    tests_dir = Path(directory) / "tests"
    if not tests_dir.is_dir():
        raise UsageError(f"no public tests in {tests_dir}: run this from the folder that holds assignments/ "
                         "or pass --dir")
    files = sorted(p for p in tests_dir.glob("test_ex*.py") if TEST_FILE.match(p.name))
    wanted = [e.lower() for e in exercises or []]
    if wanted:
        files = [p for p in files if any(p.name.startswith(f"test_{e}") for e in wanted)]
        if not files:
            available = [TEST_FILE.match(p.name).group(1) for p in sorted(tests_dir.glob("test_ex*.py"))
                         if TEST_FILE.match(p.name)]
            raise UsageError(f"no public tests match {wanted}; available: {available}")
    if html is not None:
        ensure_writable(html)
    collector = _Collector()
    arguments = [str(p) for p in files] + ["-q", "--no-header", "-p", "no:cacheprovider", "-o", "addopts=",
                                           "--import-mode=importlib", "--rootdir", str(Path(directory).resolve())]
    pytest.main(arguments, plugins=[collector])
    result = as_result(collector.outcomes, files)
    print()
    print(score_table(result, "public tests (the hidden tests check more cases)"))
    if html is not None:
        from autograder.html_report import student_page

        write_text_atomic(html, student_page(result, "Public tests (the hidden tests check more cases)"))
        print(f"HTML report: {html}")
    return 0 if result.score == result.max_score else 1


def as_result(outcomes: dict[str, tuple[bool, str]], files: list[Path]) -> SubmissionResult:
    """The outcomes as a ``SubmissionResult`` like ``autograder grade``'s: one point per public test."""
    names = {TEST_FILE.match(p.name).group(1): p.stem.removeprefix("test_") for p in files}
    exercises = {name: ExerciseResult(name) for name in names.values()}
    for node, (passed, message) in outcomes.items():
        match = re.search(r"test_(ex\d\d)", node)
        if not match or match.group(1) not in names:
            continue
        output, diagnosis = split_diagnosis(message)
        exercises[names[match.group(1)]].tests.append(
            CheckResult(node, float(passed), 1.0, passed, output, diagnosis))
    return SubmissionResult("public tests", exercises, sandbox="this process (public tests only)")


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("assignments")))
