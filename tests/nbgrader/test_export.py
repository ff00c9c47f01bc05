"""``export-submissions``: students' notebooks -> ``.py`` files laid out for ``autograder grade-all``."""

from __future__ import annotations

import nbformat
import pytest

from autograder.nbgrader.export import IPYTHON_ONLY, export_submissions, notebook_to_python
from autograder.nbgrader.notebook import HiddenCheck, build_notebook
from tests.support.nbgrader_toy import TOY_SOLUTIONS


def _student_notebook(tmp_path, student: str, name: str = "ex95_affine.ipynb"):
    """A filled-in ex95 notebook with a magic, a shell escape and a cell magic in it."""
    notebook = build_notebook(TOY_SOLUTIONS / "ex95_affine.py", [HiddenCheck("ex95_affine", "test_affine", 2.0)])
    notebook.cells.insert(2, nbformat.v4.new_code_cell("%matplotlib inline\n  !pip install numpy\nvalue = 3"))
    notebook.cells.insert(3, nbformat.v4.new_code_cell("%%time\nslow = 1"))
    path = tmp_path / "submitted" / student / "hw1" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def test_code_cells_become_a_module_without_bridge_cells_or_ipython_syntax(tmp_path):
    text = notebook_to_python(_student_notebook(tmp_path, "ada"), "label")
    assert "run_hidden_check" not in text and "load_hidden_checks" not in text
    assert "def affine(" in text and "def norm(" in text and "EPSILON = 0.0" in text
    assert f"{IPYTHON_ONLY}%matplotlib inline" in text and f"{IPYTHON_ONLY}  !pip install numpy" in text
    assert f"{IPYTHON_ONLY}%%time\n{IPYTHON_ONLY}slow = 1" in text
    namespace: dict = {}
    exec(compile(text, "exported.py", "exec"), namespace)  # noqa: S102 (it is plain Python, written by the test)
    assert namespace["value"] == 3 and "slow" not in namespace
    assert namespace["affine"].__doc__.startswith("``x @ weight + bias``")


def test_layout_is_one_folder_per_student_named_after_the_exercises(tmp_path):
    _student_notebook(tmp_path, "ada")
    _student_notebook(tmp_path, "bob")
    _student_notebook(tmp_path, "bob", name="scratch.ipynb")
    broken = tmp_path / "submitted" / "cy" / "hw1" / "ex95_affine.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text("{ not json", encoding="utf-8")
    (tmp_path / "submitted" / "dee" / "hw2").mkdir(parents=True)  # another assignment: not this one's student
    report = export_submissions(tmp_path, "hw1", tmp_path / "out")
    assert {student: [p.name for p in paths] for student, paths in report.written.items()} == {
        "ada": ["ex95_affine.py"],
        "bob": ["ex95_affine.py"],
        "cy": [],
    }
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "ada", "ada/ex95_affine.py", "bob", "bob/ex95_affine.py",
    ]
    assert len(report.problems) == 2
    assert "submitted/bob/hw1/scratch.ipynb: not an exercise notebook" in report.problems[0]
    assert "submitted/cy/hw1/ex95_affine.ipynb: unreadable notebook" in report.problems[1]


def test_unknown_assignment_is_one_clear_error(tmp_path):
    _student_notebook(tmp_path, "ada")
    with pytest.raises(FileNotFoundError, match="no student in .* has a 'hw9' folder"):
        export_submissions(tmp_path, "hw9", tmp_path / "out")
