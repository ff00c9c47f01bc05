"""Discriminating power of the hidden suites on the real exercises.

In the real sandbox: the ten reference solutions get full marks, and a submission that uses
torch.nn.LSTM in ex04 loses exactly the points of the tests that call it, with a clear message.
In process (the same wire format and checks, without the sandbox's start-up cost): every wrong
implementation of tests/exercises/wrong loses points, every alternative gets full points, and
repeated runs give identical results.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.oracle import InProcessSubmission
from autograder.runner import DEFAULT_SOLUTIONS, grade_submission, load_suites, reference_for, run_test
from autograder.submission import load_submission

from .conftest import SUBMISSIONS

EXERCISES_TESTS = Path(__file__).resolve().parents[1] / "exercises"
WRONG = sorted((EXERCISES_TESTS / "wrong").glob("ex*/*.py"))
ALTERNATIVE = sorted((EXERCISES_TESTS / "alternative").glob("ex*.py"))
SUITES = {suite.exercise: suite for suite in load_suites()}


def _in_process_score(path: Path, exercise: str, stop_at_first_failure: bool = False) -> tuple[float, list[str]]:
    suite = SUITES[exercise]
    try:
        proxy = InProcessSubmission.from_file(path, exercise, suite.forbidden)
    except Exception as error:  # noqa: BLE001 - a module that does not import scores 0
        return 0.0, [f"import failed: {error}"]
    reference = reference_for(exercise)
    score, failures = 0.0, []
    for test in suite.tests:
        passed, message = run_test(test, proxy, reference)
        score += test.points if passed else 0.0
        if not passed:
            failures.append(f"{test.name}: {message}")
            if stop_at_first_failure:
                break
    return score, failures


@pytest.mark.parametrize("path", WRONG, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_wrong_implementation_loses_points(path):
    score, failures = _in_process_score(path, path.parent.name, stop_at_first_failure=True)
    assert failures, f"{path.name} passed every hidden test of {path.parent.name}"
    assert failures[0].split(": ", 1)[1], "a failed test must say why"


@pytest.mark.parametrize("path", ALTERNATIVE, ids=lambda p: p.stem)
def test_every_alternative_gets_full_points(path):
    score, failures = _in_process_score(path, path.stem)
    assert score == SUITES[path.stem].max_score, failures


def test_grades_repeat_exactly():
    path = DEFAULT_SOLUTIONS / "ex06_gru_cell.py"
    assert _in_process_score(path, "ex06_gru_cell") == _in_process_score(path, "ex06_gru_cell")


@pytest.mark.sandbox
@pytest.mark.slow
def test_reference_solutions_get_full_marks_in_the_sandbox(sandbox, tmp_path):
    for source in DEFAULT_SOLUTIONS.glob("ex*.py"):
        shutil.copy(source, tmp_path / source.name)
    submission = load_submission(tmp_path, "reference")
    try:
        result = grade_submission(submission, list(SUITES.values()), sandbox=sandbox, jobs=2)
    finally:
        submission.cleanup()
    failures = [t["output"] for e in result["exercises"].values() for t in e["tests"] if not t["passed"]]
    assert result["score"] == result["max_score"] == 100.0, failures


@pytest.mark.sandbox
def test_forbidden_shortcut_costs_its_tests_in_the_sandbox(sandbox):
    submission = load_submission(SUBMISSIONS / "lstm_shortcut", "shortcut")
    try:
        result = grade_submission(submission, [SUITES["ex04_lstm_cell"]], sandbox=sandbox, jobs=1)
    finally:
        submission.cleanup()
    tests = {t["name"].split("::")[1]: t for t in result["exercises"]["ex04_lstm_cell"]["tests"]}
    assert tests["test_concatenated_weights"]["passed"] and tests["test_lstm_gates"]["passed"]
    for name in ("test_lstm_cell", "test_lstm_cell_matches_torch", "test_lstm_cell_gradients", "test_lstm_forward"):
        assert not tests[name]["passed"]
        assert "forbidden shortcut: torch.nn.LSTM" in tests[name]["output"], tests[name]["output"]
