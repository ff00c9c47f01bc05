"""End to end with the real nbgrader: init, generate_assignment, autograde, feedback, export.

One fresh course of two toy exercises (ex95 on NumPy, 4 points; ex96 on PyTorch, 3 points,
whose hidden check makes torch warn and writes to stderr) and five students:

============ ============================================================== ======
student      what they submitted                                            points
============ ============================================================== ======
complete     every answer right                                             7
untouched    the release as generated (every answer raises)                 0
partial      ex95 norm without the square root, ex96 total as a mean,        5
             ex96 scale right but printing to stderr and warning
tampered     ex95 affine without the bias and the affine check cell          1
             replaced by ``pass`` (nbgrader's checksum restores it)
looping      ex95 norm loops forever (interrupted at the timeout)            6
============ ============================================================== ======

The expected points are worked out from the hidden suites by hand, independently of both
nbgrader and the bridge; the same submissions exported to ``.py`` and graded by the sandboxed
``autograder grade-all`` must score the same.
"""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.nbgrader.cli import main as nbgrader_cli
from tests.support.nbgrader_toy import TOY_SOLUTIONS, TOY_SUITES, run_nbgrader

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

ASSIGNMENT = "chapter5"
TIMEOUT_SECONDS = 10
MAX_SCORE = 7.0
EXPECTED = {  # student -> points per exercise (ex95 out of 4, ex96 out of 3)
    "complete": {"ex95_affine": 4.0, "ex96_scale": 3.0},
    "untouched": {"ex95_affine": 0.0, "ex96_scale": 0.0},
    "partial": {"ex95_affine": 3.0, "ex96_scale": 2.0},
    "tampered": {"ex95_affine": 1.0, "ex96_scale": 0.0},
    "looping": {"ex95_affine": 3.0, "ex96_scale": 3.0},
}
EXPECTED_TOTALS = {student: sum(points.values()) for student, points in EXPECTED.items()}
EXPECTED_CELLS = {  # (notebook, grade cell) -> points, for the students whose details matter
    "partial": {
        ("ex95_affine", "ex95_test_affine"): 2.0,
        ("ex95_affine", "ex95_test_affine_zero_input"): 1.0,
        ("ex95_affine", "ex95_test_norm"): 0.0,
        ("ex96_scale", "ex96_test_scale"): 2.0,
        ("ex96_scale", "ex96_test_total"): 0.0,
    },
    "tampered": {
        ("ex95_affine", "ex95_test_affine"): 0.0,
        ("ex95_affine", "ex95_test_affine_zero_input"): 0.0,
        ("ex95_affine", "ex95_test_norm"): 1.0,
    },
    "looping": {
        ("ex95_affine", "ex95_test_affine"): 2.0,
        ("ex95_affine", "ex95_test_affine_zero_input"): 1.0,
        ("ex95_affine", "ex95_test_norm"): 0.0,
        ("ex96_scale", "ex96_test_scale"): 2.0,
        ("ex96_scale", "ex96_test_total"): 1.0,
    },
}

# The students' answers, by grade id of the answer cell (None: the reference answer).
NORM_WITHOUT_SQRT = '''@np.errstate(all="ignore")
def norm(x: np.ndarray) -> float:
    return float((x * x).sum())
'''
NOISY_SCALE = '''import sys
import warnings

def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    print("debugging scale", file=sys.stderr)
    warnings.warn("my own warning", RuntimeWarning)
    return x * factor
'''
MEAN_NOT_SUM = "def total(x):\n    return x.mean()\n"
AFFINE_WITHOUT_BIAS = "def affine(x, weight, bias):\n    return x @ weight\n"
ENDLESS_NORM = "def norm(x):\n    while True:\n        pass\n"
# student -> {grade id of a cell: its new source}; other answer cells get the reference answer.
STUDENTS = {
    "complete": {},
    "partial": {"ex95_norm": NORM_WITHOUT_SQRT, "ex96_scale": NOISY_SCALE, "ex96_total": MEAN_NOT_SUM},
    "tampered": {"ex95_affine": AFFINE_WITHOUT_BIAS, "ex95_test_affine": "pass"},
    "looping": {"ex95_norm": ENDLESS_NORM},
}
LEFT_AS_RELEASED = {("untouched", "ex95_affine"), ("untouched", "ex96_scale"), ("tampered", "ex96_scale")}


def _reference_answer(source: str) -> str:
    """An answer cell of the source notebook with the solution markers removed."""
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def _submit(course: Path, student: str, changes: dict[str, str]) -> None:
    """Write a student's notebooks: the release, answered as ``changes`` says."""
    for release_path in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb")):
        notebook = copy.deepcopy(nbformat.read(release_path, as_version=4))
        if (student, release_path.stem) not in LEFT_AS_RELEASED:
            source = nbformat.read(course / "source" / ASSIGNMENT / release_path.name, as_version=4)
            answers = {cell.metadata.nbgrader["grade_id"]: cell.source for cell in source.cells}
            for cell in notebook.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in changes:
                    cell.source = changes[grade_id]
                elif cell.metadata.get("nbgrader", {}).get("solution"):
                    cell.source = _reference_answer(answers[grade_id])
        target = course / "submitted" / student / ASSIGNMENT / release_path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory, jupyter_env: dict[str, str]) -> dict:
    """A course taken through init -> generate_assignment -> autograde -> feedback -> export."""
    course = tmp_path_factory.mktemp("course")
    status = nbgrader_cli(
        ["init", str(course), "--assignment", ASSIGNMENT, "--solutions", str(TOY_SOLUTIONS),
         "--suites", str(TOY_SUITES), "--timeout", str(TIMEOUT_SECONDS)]
    )
    assert status == 0
    run_nbgrader(jupyter_env, course, "generate_assignment", ASSIGNMENT)
    for student, changes in {"untouched": {}, **STUDENTS}.items():
        _submit(course, student, changes)
    autograde = run_nbgrader(jupyter_env, course, "autograde", ASSIGNMENT)
    run_nbgrader(jupyter_env, course, "generate_feedback", ASSIGNMENT)
    run_nbgrader(jupyter_env, course, "export", "--to", str(course / "grades.csv"))
    return {"course": course, "log": autograde.stdout + autograde.stderr}


def _cell_scores(course: Path, student: str) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[(notebook.name, grade.name)] = grade.score
    return scores


def test_release_has_stubs_and_no_answers(graded_course):
    release = graded_course["course"] / "release" / ASSIGNMENT / "ex95_affine.ipynb"
    text = release.read_text(encoding="utf-8")
    assert "raise NotImplementedError()" in text
    assert "return x @ weight + bias" not in text and "np.sqrt" not in text
    assert "# Hint: one matrix product" in text  # the hint moved out of the solution region


def test_exported_csv_holds_every_students_total(graded_course):
    with open(graded_course["course"] / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    assert set(rows) == set(EXPECTED_TOTALS)
    for student, expected in EXPECTED_TOTALS.items():
        assert float(rows[student]["max_score"]) == MAX_SCORE
        assert float(rows[student]["raw_score"]) == pytest.approx(expected, abs=1e-9), student
        assert float(rows[student]["score"]) == pytest.approx(expected, abs=1e-9), student


@pytest.mark.parametrize("student", sorted(EXPECTED_CELLS))
def test_cell_scores(graded_course, student):
    scores = _cell_scores(graded_course["course"], student)
    for cell, expected in EXPECTED_CELLS[student].items():
        assert scores[cell] == pytest.approx(expected, abs=1e-9), (student, cell)


def test_edited_grade_cell_is_caught_by_checksum_and_restored(graded_course):
    log, course = graded_course["log"], graded_course["course"]
    assert "Attribute 'checksum' for cell ex95_test_affine has changed" in log
    assert log.count("Attribute 'checksum'") == 1  # only the tampered cell, nobody else's
    autograded = nbformat.read(course / "autograded" / "tampered" / ASSIGNMENT / "ex95_affine.ipynb", as_version=4)
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex95_test_affine")
    assert "run_hidden_check('ex95_affine', 'test_affine', globals())" in cell.source
    assert any(output.output_type == "error" for output in cell.outputs)


def test_endless_loop_is_interrupted_at_the_timeout(graded_course):
    assert f"Timeout waiting for execute reply ({TIMEOUT_SECONDS}s)" in graded_course["log"]
    assert graded_course["log"].count("Timeout waiting for execute reply") == 1  # one cell, one timeout


def test_noise_on_stderr_costs_nothing_and_is_shown_on_stdout(graded_course):
    course = graded_course["course"]
    for student in ("complete", "partial"):
        notebook = nbformat.read(course / "autograded" / student / ASSIGNMENT / "ex96_scale.ipynb", as_version=4)
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex96_test_scale")
        assert [output.output_type for output in cell.outputs] == ["stream"]
        assert cell.outputs[0].name == "stdout"
        assert "native library message on stderr" in cell.outputs[0].text
    assert "debugging scale" in cell.outputs[0].text  # the partial student's own stderr print


def test_feedback_explains_the_failed_check(graded_course):
    feedback = graded_course["course"] / "feedback" / "partial" / ASSIGNMENT / "ex95_affine.html"
    html = feedback.read_text(encoding="utf-8")
    assert "HiddenCheckFailed" in html and "norm(x): off by" in html
    assert (graded_course["course"] / "feedback" / "complete" / ASSIGNMENT / "ex96_scale.html").is_file()


def test_exported_submissions_score_the_same_in_the_sandboxed_grader(graded_course, jupyter_env, tmp_path):
    course = graded_course["course"]
    exported = tmp_path / "exported"
    assert nbgrader_cli(["export-submissions", str(course), ASSIGNMENT, str(exported)]) == 0
    assert sorted(path.name for path in (exported / "partial").iterdir()) == ["ex95_affine.py", "ex96_scale.py"]
    text = (exported / "tampered" / "ex95_affine.py").read_text(encoding="utf-8")
    assert "run_hidden_check" not in text and "return x @ weight" in text

    gradebook_dir = tmp_path / "grades"
    command = [sys.executable, "-m", "autograder.cli", "grade-all", str(exported), "-o", str(gradebook_dir),
               "--suites", str(TOY_SUITES), "--solutions", str(TOY_SOLUTIONS)]
    result = subprocess.run(command, env=jupyter_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(gradebook_dir / "gradebook.csv", newline="", encoding="utf-8") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert set(rows) == set(EXPECTED)
    for student, points in EXPECTED.items():
        for exercise, expected in points.items():
            assert float(rows[student][exercise]) == pytest.approx(expected, abs=1e-9), (student, exercise)
        assert float(rows[student]["total"]) == pytest.approx(EXPECTED_TOTALS[student], abs=1e-9), student


def test_a_real_exercise_scores_full_points_with_its_real_hidden_suite(tmp_path, jupyter_env):
    """ex01 from solutions/ with autograder/hidden's suite: the reference answers earn every point."""
    repository = Path(__file__).resolve().parents[2]
    if not (repository / "autograder" / "hidden" / "test_ex01_rnn_forward.py").is_file():
        pytest.skip("the hidden suite of ex01 is not in this checkout")
    from autograder.nbgrader.checks import hidden_checks

    course = tmp_path / "real"
    arguments = ["--solutions", str(repository / "solutions"), "--suites", str(repository / "autograder" / "hidden")]
    assert nbgrader_cli(["init", str(course), "--assignment", ASSIGNMENT, "--exercises", "ex01", "--timeout", "60", *arguments]) == 0
    run_nbgrader(jupyter_env, course, "generate_assignment", ASSIGNMENT)
    _submit(course, "reference", {})
    run_nbgrader(jupyter_env, course, "autograde", ASSIGNMENT)
    scores = _cell_scores(course, "reference")
    checks = hidden_checks("ex01_rnn_forward", repository / "autograder" / "hidden")
    expected = {("ex01_rnn_forward", f"ex01_{check.name}"): check.points for check in checks}
    assert scores == pytest.approx(expected)
