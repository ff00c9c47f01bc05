"""Source notebooks and the course folder: cell splitting, nbgrader metadata, config, CLI errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder.nbgrader import checks
from autograder.nbgrader.cli import main as nbgrader_cli
from autograder.nbgrader.course import find_exercises, init_course
from autograder.nbgrader.notebook import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    HiddenCheck,
    build_notebook,
    is_bridge_cell,
    move_hints_out_of_regions,
    split_solution_source,
)
from tests.support.nbgrader_toy import TOY_SOLUTIONS, TOY_SUITES

REPOSITORY = Path(__file__).resolve().parents[2]
REAL_SOLUTIONS = sorted((REPOSITORY / "solutions").glob("ex[0-9][0-9]_*.py"))
TOY_CHECKS = [HiddenCheck("ex95_affine", "test_affine", 2.0), HiddenCheck("ex95_affine", "test_norm[case 1]", 1.5)]


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def test_toy_solution_splits_at_functions_and_drops_the_main_guard():
    source = (TOY_SOLUTIONS / "ex95_affine.py").read_text(encoding="utf-8")
    segments = split_solution_source(source)
    assert [(s.name, s.is_solution) for s in segments] == [("setup", False), ("affine", True), ("norm", True)]
    assert segments[0].source.startswith('"""Exercise 95') and "EPSILON = 0.0" in segments[0].source
    assert segments[2].source.startswith('@np.errstate(all="ignore")')  # decorator stays with its function
    assert all("__main__" not in s.source for s in segments)
    assert "\n".join(s.source for s in segments).count(BEGIN_SOLUTION) == source.count(BEGIN_SOLUTION)


def test_comments_above_a_function_go_with_it_and_regions_are_never_cut():
    source = (
        "import math\n\nX = 1\n# Helper for the answer.\ndef given():\n    return 1\n\n"
        f"{BEGIN_SOLUTION}\nANSWER = 42\n\ndef helper():\n    return ANSWER\n{END_SOLUTION}\n\n"
        f"def answer():\n    {BEGIN_SOLUTION}\n    return helper()\n    {END_SOLUTION}\n"
    )
    segments = split_solution_source(source)
    assert [(s.name, s.is_solution) for s in segments] == [("setup", False), ("given", False), ("setup", True), ("answer", True)]
    assert segments[1].source.startswith("# Helper for the answer.")
    assert "ANSWER = 42" in segments[2].source and "def helper" in segments[2].source


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (f"def f():\n    {BEGIN_SOLUTION}\n    {BEGIN_SOLUTION}\n    return 1\n    {END_SOLUTION}\n", r"<solution>:3: .*inside another solution region"),
        (f"def f():\n    {BEGIN_SOLUTION}\n    return 1\n", r"<solution>:2: .*never closed"),
        (f"def f():\n    return 1\n    {END_SOLUTION}\n", r"<solution>:3: .*without a"),
        ("def f():\n    return 1\n", r"no solution region"),
        ("def f(:\n", r"<solution>:1: cannot parse"),
        (f"import os\nif __name__ == '__main__':\n    {BEGIN_SOLUTION}\n    print(1)\n    {END_SOLUTION}\n", r"<solution>:2: .*would never reach"),
    ],
)
def test_malformed_solutions_get_one_clear_error(source, message):
    with pytest.raises(ValueError, match=message):
        split_solution_source(source)


def test_hints_move_above_the_region_so_the_release_keeps_them():
    source = f"def f():\n    {BEGIN_SOLUTION} hint: use math.exp\n    return 1\n    {END_SOLUTION}\n"
    moved = move_hints_out_of_regions(source)
    assert moved == f"def f():\n    # Hint: use math.exp\n    {BEGIN_SOLUTION}\n    return 1\n    {END_SOLUTION}\n"


def test_notebook_cells_carry_nbgrader_metadata():
    notebook = build_notebook(TOY_SOLUTIONS / "ex95_affine.py", TOY_CHECKS)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    ids = [_nbgrader(cell)["grade_id"] for cell in notebook.cells]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    grade_cells = [cell for cell in notebook.cells if _nbgrader(cell)["grade"]]
    assert [(_nbgrader(c)["grade_id"], _nbgrader(c)["points"]) for c in grade_cells] == [
        ("ex95_test_affine", 2.0),
        ("ex95_test_norm_case_1", 1.5),
    ]
    assert all(_nbgrader(c)["locked"] and not _nbgrader(c)["solution"] for c in grade_cells)
    assert "run_hidden_check('ex95_affine', 'test_norm[case 1]', globals())" in grade_cells[1].source
    answers = [cell for cell in notebook.cells if _nbgrader(cell)["solution"]]
    assert [_nbgrader(c)["grade_id"] for c in answers] == ["ex95_affine", "ex95_norm"]
    assert all(not _nbgrader(c)["locked"] and BEGIN_SOLUTION in c.source for c in answers)
    read_only = [cell for cell in notebook.cells if not _nbgrader(cell)["solution"] and not _nbgrader(cell)["grade"]]
    assert all(_nbgrader(c)["locked"] and BEGIN_SOLUTION not in c.source for c in read_only)
    assert [c for c in notebook.cells if is_bridge_cell(c)] == [read_only[-1], *grade_cells]
    assert "load_hidden_checks('ex95_affine')" in read_only[-1].source


@pytest.mark.parametrize("path", REAL_SOLUTIONS, ids=[path.stem for path in REAL_SOLUTIONS])
def test_every_real_solution_becomes_a_valid_notebook(path):
    suite = REPOSITORY / "autograder" / "hidden" / f"test_{path.stem}.py"
    exercise_checks = checks.hidden_checks(path.stem) if suite.is_file() else [HiddenCheck(path.stem, "test_placeholder_for_layout", 1.0)]
    notebook = build_notebook(path, exercise_checks)
    nbformat.validate(notebook)
    source = path.read_text(encoding="utf-8")
    code = [cell for cell in notebook.cells if cell.cell_type == "code" and not is_bridge_cell(cell)]
    assert sum(cell.source.count(BEGIN_SOLUTION) for cell in code) == source.count(BEGIN_SOLUTION)
    assert all(_nbgrader(cell)["solution"] == (BEGIN_SOLUTION in cell.source) for cell in code)
    if suite.is_file():
        points = sum(_nbgrader(cell).get("points", 0) for cell in notebook.cells)
        assert points == pytest.approx(checks.load_exercise_suite(path.stem, str(suite.parent)).max_score)


def test_init_writes_config_and_notebooks_and_never_overwrites_silently(tmp_path, monkeypatch):
    for variable in ("AUTOGRADER_NBGRADER_GRADING", "AUTOGRADER_SUITES_DIR", "AUTOGRADER_SOLUTIONS_DIR"):
        monkeypatch.setenv(variable, "")  # loading the config sets them: restored after the test
    course = tmp_path / "course"
    layout = init_course(course, "week1", checks.hidden_checks, solutions_dir=TOY_SOLUTIONS, suites_dir=TOY_SUITES, timeout=7, startup_timeout=99)
    assert [path.name for path in layout.notebooks] == ["ex95_affine.ipynb", "ex96_scale.ipynb"]
    assert layout.total_points == 7.0
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.course_id == "rnnlm"
    assert os.environ["AUTOGRADER_NBGRADER_GRADING"] == "1" and os.environ["AUTOGRADER_SUITES_DIR"] == str(TOY_SUITES)
    assert config.CourseDirectory.root == str(course.resolve())
    assert config.CourseDirectory.db_url == f"sqlite:///{course.resolve() / 'gradebook.db'}"
    assert (config.Execute.timeout, config.Execute.kernel_name, config.Execute.interrupt_on_timeout) == (7, "python3", True)
    cell_timeout = config.Execute.timeout_func
    notebook = nbformat.read(layout.notebooks[0], as_version=4)
    by_id = {_nbgrader(cell)["grade_id"]: cell for cell in notebook.cells}
    assert cell_timeout(by_id["ex95_setup"]) == 99 and cell_timeout(by_id["ex95_load_checks"]) == 99
    assert cell_timeout(by_id["ex95_affine"]) == 7 and cell_timeout(by_id["ex95_test_affine"]) == 7
    assert cell_timeout(nbformat.v4.new_code_cell("x = 1")) == 7

    before = layout.notebooks[0].read_bytes()
    with pytest.raises(FileExistsError, match="already holds 2 notebook"):
        init_course(course, "week1", checks.hidden_checks, solutions_dir=TOY_SOLUTIONS, suites_dir=TOY_SUITES, timeout=7, startup_timeout=99)
    with pytest.raises(FileExistsError, match="nbgrader_config.py exists with other settings"):
        init_course(course, "week2", checks.hidden_checks, solutions_dir=TOY_SOLUTIONS, suites_dir=TOY_SUITES, timeout=8)
    assert layout.notebooks[0].read_bytes() == before
    init_course(course, "week1", checks.hidden_checks, exercises=["ex96"], solutions_dir=TOY_SOLUTIONS, suites_dir=TOY_SUITES, force=True)
    assert (course / "source" / "week1" / "ex96_scale.ipynb").is_file()


def test_exercise_selection_and_bad_names():
    assert [p.stem for p in find_exercises(TOY_SOLUTIONS, ["ex96", "ex95", "ex96"])] == ["ex96_scale", "ex95_affine"]
    with pytest.raises(ValueError, match="unknown exercise.*ex42.*valid: ex95, ex96"):
        find_exercises(TOY_SOLUTIONS, ["ex42"])
    with pytest.raises(FileNotFoundError, match="solutions folder not found"):
        find_exercises(TOY_SOLUTIONS / "missing")


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys):
    arguments = ["init", str(tmp_path / "c"), "--solutions", str(TOY_SOLUTIONS), "--suites", str(TOY_SUITES)]
    assert nbgrader_cli([*arguments, "--exercises", "ex95,ex07"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == "autograder nbgrader init: error: unknown exercise(s) ex07; valid: ex95, ex96"
    assert nbgrader_cli([*arguments, "--assignment", "../up"]) == 2
    assert "assignment name '../up'" in capsys.readouterr().err
    assert nbgrader_cli([*arguments, "--timeout", "0"]) == 2
    assert "timeout must be a positive number" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()  # nothing written on a bad input
    assert nbgrader_cli(["export-submissions", str(tmp_path), "hw", str(tmp_path / "out")]) == 2
    assert "submitted not found" in capsys.readouterr().err
