"""Run the public tests against several exercise folders in ONE interpreter (torch and pytest load once).

Usage: ``python public_tests_driver.py REPORT.json FOLDER [FOLDER ...]``. For each folder it sets
``RNNLM_EXERCISES_DIR``, forgets every module imported from the earlier folders or from
``assignments/tests`` (so the conftest and the exercises are imported afresh), runs
``pytest assignments/tests`` and records ``{folder: {"exit_code", "outcomes": [[nodeid, outcome,
message]], "collection_errors": [...]}}`` in REPORT.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_TESTS = ROOT / "assignments" / "tests"


class Recorder:
    """A pytest plugin that keeps each test's outcome and the first line of its failure."""

    def __init__(self) -> None:
        self.outcomes: list[list[str]] = []
        self.collection_errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            message = ""
            if report.outcome != "passed" and getattr(report.longrepr, "reprcrash", None) is not None:
                message = report.longrepr.reprcrash.message
            self.outcomes.append([report.nodeid, report.outcome, message])

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-500:]}")


def forget_modules(*folders: Path) -> None:
    """Drop from sys.modules every module whose file lies in one of ``folders``."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and any(Path(file).resolve().is_relative_to(folder) for folder in folders):
            del sys.modules[name]


def main(report: str, *folders: str) -> int:
    results = {}
    seen = [PUBLIC_TESTS, ROOT / "assignments", ROOT / "solutions"]
    for folder in folders:
        folder_path = Path(folder).resolve()
        seen.append(folder_path)
        forget_modules(*seen)  # the exercises and the conftest of every earlier run
        os.environ["RNNLM_EXERCISES_DIR"] = str(folder_path)
        recorder = Recorder()
        exit_code = pytest.main([str(PUBLIC_TESTS), "-q", "--tb=line", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:anyio"], plugins=[recorder])
        results[folder] = {"exit_code": int(exit_code), "outcomes": recorder.outcomes,
                           "collection_errors": recorder.collection_errors}
    Path(report).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
