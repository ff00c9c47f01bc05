"""The public tests: the reference solutions and the correct alternatives pass them, fresh stubs fail them with NotImplementedError."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from autograder import stubgen
from exercise_probes import ALTERNATIVE, EXERCISES, ROOT, SOLUTIONS

DRIVER = Path(__file__).resolve().parent / "public_tests_driver.py"


@pytest.fixture(scope="module")
def public_results(tmp_path_factory) -> dict[str, dict]:
    """Outcomes of the public tests against the solutions and against freshly generated stubs."""
    folder = tmp_path_factory.mktemp("public")
    stubs = folder / "stubs"
    stubgen.write_stubs(SOLUTIONS, stubs)
    report = folder / "report.json"
    result = subprocess.run([sys.executable, str(DRIVER), str(report), str(SOLUTIONS), str(stubs), str(ALTERNATIVE)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(report.read_text())
    return {"solutions": results[str(SOLUTIONS)], "stubs": results[str(stubs)], "alternative": results[str(ALTERNATIVE)]}


def by_exercise(outcomes: list[list[str]]) -> dict[str, list[tuple[str, str, str]]]:
    grouped = defaultdict(list)
    for nodeid, outcome, message in outcomes:
        exercise = nodeid.split("::")[0].rsplit("/", 1)[-1].removeprefix("test_").removesuffix(".py")
        grouped[exercise].append((nodeid.split("::", 1)[1], outcome, message))
    return grouped


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["solutions", "alternative"])
def test_correct_implementations_pass_every_public_test(public_results, folder):
    run = public_results[folder]
    assert run["collection_errors"] == []
    failed = [outcome for outcome in run["outcomes"] if outcome[1] != "passed"]
    assert run["exit_code"] == 0 and not failed, failed
    grouped = by_exercise(run["outcomes"])
    assert sorted(grouped) == EXERCISES  # one public test file per exercise, each collected
    assert all(len(cases) >= 4 for cases in grouped.values())


@pytest.mark.slow
def test_fresh_stubs_fail_with_not_implemented_error_only(public_results):
    run = public_results["stubs"]
    assert run["collection_errors"] == [], "a stub does not import cleanly"
    assert run["exit_code"] == 1
    grouped = by_exercise(run["outcomes"])
    assert sorted(grouped) == EXERCISES
    for exercise, cases in grouped.items():
        failures = [(name, message) for name, outcome, message in cases if outcome != "passed"]
        assert failures, f"{exercise}: the bare stub passes every public test"
        for name, message in failures:
            assert message.startswith("NotImplementedError"), f"{exercise}::{name} failed with {message!r}"
        passed = [name for name, outcome, _ in cases if outcome == "passed"]
        assert all("signature" in name or "refused" in name for name in passed), (exercise, passed)
