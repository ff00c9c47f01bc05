"""Discriminating power of the hidden suites on the real exercises, graded in the real sandbox.

Every wrong implementation of tests/exercises/wrong loses points, and at least 80% of them get
feedback that names their mistake (the "Likely mistake: " paragraph, docs/feedback.md); every
correct alternative of tests/exercises/alternative and every reference solution gets full points,
and grades are the same across repeated runs and across ``-j`` values. Grading goes through the
whole path a class goes through (submission loading, the sandboxed fork server, the wire format,
the checks): the wrong files are batched into submissions of one file per exercise, so the 120
wrong and 10 alternative implementations take 17 sandboxed gradings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.checks import LIKELY
from autograder.hidden.mistakes import MISTAKES
from autograder.runner import DEFAULT_SOLUTIONS, grade_submission, load_suites
from autograder.submission import load_submission

from tests.support.grading_toy import SUBMISSIONS

pytestmark = pytest.mark.sandbox

EXERCISES_TESTS = Path(__file__).resolve().parents[1] / "exercises"
WRONG = sorted((EXERCISES_TESTS / "wrong").glob("ex*/*.py"))
ALTERNATIVE = sorted((EXERCISES_TESTS / "alternative").glob("ex*.py"))
SUITES = {suite.exercise: suite for suite in load_suites()}
DESCRIPTIONS = {(exercise, name): text for exercise, mistakes in MISTAKES.items() for name, text, _ in mistakes}
DIAGNOSIS_GOAL = 0.8


def _batches() -> list[dict[str, Path]]:
    """Submissions of one file per exercise: the i-th wrong file of each exercise, then the alternatives."""
    by_exercise: dict[str, list[Path]] = {}
    for path in WRONG:
        by_exercise.setdefault(path.parent.name, []).append(path)
    depth = max(len(paths) for paths in by_exercise.values())
    batches = [{exercise: paths[i] for exercise, paths in by_exercise.items() if i < len(paths)} for i in range(depth)]
    return batches + [{path.stem: path for path in ALTERNATIVE}]


BATCHES = _batches()


def _grade(sandbox, files: dict[str, Path], folder: Path, jobs: int = 2) -> dict:
    """Copy ``files`` into a submission folder and grade it with their exercises' hidden suites."""
    folder.mkdir(parents=True)
    for exercise, source in files.items():
        shutil.copy(source, folder / f"{exercise}.py")
    submission = load_submission(folder, folder.name)
    try:
        return grade_submission(submission, [SUITES[e] for e in sorted(files)], sandbox=sandbox, jobs=jobs)
    finally:
        submission.cleanup()


@pytest.fixture(scope="module")
def graded(sandbox, tmp_path_factory) -> list[dict]:
    """The result of each batch, graded in the sandbox with ``-j 2``."""
    root = tmp_path_factory.mktemp("discriminating")
    return [_grade(sandbox, files, root / f"batch{index:02d}") for index, files in enumerate(BATCHES)]


def _result_of(path: Path, graded: list[dict]) -> dict:
    index = next(i for i, files in enumerate(BATCHES) if path in files.values())
    return graded[index]["exercises"][path.parent.name if path in WRONG else path.stem]


def test_batches_cover_every_file():
    covered = [path for files in BATCHES for path in files.values()]
    assert sorted(covered) == sorted(WRONG + ALTERNATIVE) and len(WRONG) >= 80 and len(ALTERNATIVE) == 10


@pytest.mark.parametrize("path", WRONG, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_wrong_implementation_loses_points(path, graded):
    exercise = _result_of(path, graded)
    assert exercise["status"] == "graded", exercise["message"]
    assert exercise["score"] < exercise["max_score"], f"{path.name} passed every hidden test of {path.parent.name}"
    failed = [test for test in exercise["tests"] if not test["passed"]]
    assert all(test["output"].strip() for test in failed), "a failed test must say why"


def _names_its_mistake(path: Path, graded: list[dict]) -> bool:
    """Whether a failed test's "Likely mistake: " paragraph names this file's own mistake."""
    description = DESCRIPTIONS[(path.parent.name, path.stem)]
    # The grader's results keep the "Likely mistake: " paragraph in its own field (autograder.results).
    feedback = [f'{test["output"]}\n{test.get("diagnosis") or ""}'
                for test in _result_of(path, graded)["tests"] if not test["passed"]]
    return any(LIKELY in text and description in text.split(LIKELY, 1)[1] for text in feedback)


def test_feedback_names_the_mistake(graded):
    """The diagnosis share: the wrong implementations whose feedback names their own mistake (goal 80%)."""
    named: dict[str, list[bool]] = {}
    for path in WRONG:
        named.setdefault(path.parent.name, []).append(_names_its_mistake(path, graded))
    table = "\n".join(f"{exercise:22} {sum(flags):3} / {len(flags):3}" for exercise, flags in sorted(named.items()))
    total = sum(sum(flags) for flags in named.values())
    print(f"\nfeedback names the mistake:\n{table}\n{'all':22} {total:3} / {len(WRONG):3}")
    missed = [f"{path.parent.name}/{path.stem}" for path in WRONG if not _names_its_mistake(path, graded)]
    assert total >= DIAGNOSIS_GOAL * len(WRONG), f"only {total} of {len(WRONG)} diagnosed; missed: {missed}"


@pytest.mark.parametrize("path", ALTERNATIVE, ids=lambda p: p.stem)
def test_every_alternative_gets_full_points(path, graded):
    exercise = _result_of(path, graded)
    assert exercise["score"] == exercise["max_score"] == SUITES[path.stem].max_score, [
        test["output"] for test in exercise["tests"] if not test["passed"]]


def _outcomes(result: dict) -> dict:
    return {test["name"]: (test["score"], test["output"])
            for exercise in result["exercises"].values() for test in exercise["tests"]}


def test_grades_identical_across_runs_and_jobs(sandbox, graded, tmp_path):
    again = _grade(sandbox, BATCHES[0], tmp_path / "batch00", jobs=1)
    assert _outcomes(again) == _outcomes(graded[0])
    assert again["score"] == graded[0]["score"] < graded[0]["max_score"]


@pytest.mark.slow
def test_reference_solutions_get_full_marks_in_the_sandbox(sandbox, tmp_path):
    result = _grade(sandbox, {path.stem: path for path in DEFAULT_SOLUTIONS.glob("ex*.py")}, tmp_path / "reference")
    failures = [t["output"] for e in result["exercises"].values() for t in e["tests"] if not t["passed"]]
    assert result["score"] == result["max_score"] == 100.0, failures


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
