"""Export students' nbgrader notebooks as ``.py`` submissions for the sandboxed grader.

nbgrader's ``autograde`` runs each notebook with the grader's rights, in one kernel that also
holds the hidden checks; ``autograder grade-all`` runs student code in a sandbox and compares
in a separate trusted process. This module bridges the two: it reads
``COURSE_DIR/submitted/<student>/<assignment>/exNN_<topic>.ipynb`` (as nbgrader collected
them) and writes ``OUT/<student>/exNN_<topic>.py``, the layout ``autograder grade-all OUT``
grades.

What goes into each ``.py``: the notebook's code cells in order, except the cells that only
call the in-kernel bridge (the autograded test cells and the cell that loads the checks).
IPython-only lines (``%magic``, ``!shell``) and ``%%`` cell magics are kept as comments, since
they are not Python. Nothing is executed here: notebooks are read as JSON only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnlm.atomic import write_text_atomic as write_atomic
from autograder.nbgrader.notebook import is_bridge_cell

NOTEBOOK_NAME = re.compile(r"^(ex\d{2}_[a-z0-9_]+)\.ipynb$")
IPYTHON_ONLY = "# [IPython only, not part of the graded file] "


@dataclass
class ExportReport:
    """What ``export_submissions`` wrote and what it could not read."""

    written: dict[str, list[Path]] = field(default_factory=dict)
    """Student id -> the ``.py`` files written for them."""
    problems: list[str] = field(default_factory=list)
    """One line per notebook that could not be exported (that exercise then scores 0)."""


def _python_only(source: str) -> str:
    """Comment out IPython syntax (``%%cell``, ``%line``, ``!shell``) so the file is Python."""
    if source.lstrip().startswith("%%"):
        return "\n".join(IPYTHON_ONLY + line for line in source.splitlines())
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append(IPYTHON_ONLY + line if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def notebook_to_python(path: Path, label: str) -> str:
    """The graded code of one notebook as a Python module's text."""
    notebook = nbformat.read(str(path), as_version=4)
    chunks = [f"# Exported from {label} by `autograder nbgrader export-submissions`.\n"]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or is_bridge_cell(cell):
            continue
        chunks.append(f"# In[{index}]:\n{_python_only(cell.source)}\n")
    return "\n".join(chunks)


def export_submissions(course_dir: Path, assignment: str, out_dir: Path) -> ExportReport:
    """Write ``out_dir/<student>/exNN_<topic>.py`` for every submitted notebook of ``assignment``."""
    submitted = Path(course_dir) / "submitted"
    if not submitted.is_dir():
        raise FileNotFoundError(f"{submitted} not found: place students' notebooks in submitted/<student>/{assignment}/ (nbgrader collect or zip_collect does this)")
    students = sorted(path.name for path in submitted.iterdir() if (path / assignment).is_dir())
    if not students:
        raise FileNotFoundError(f"no student in {submitted} has a {assignment!r} folder; check the assignment name")
    report = ExportReport()
    for student in students:
        folder = submitted / student / assignment
        report.written[student] = []
        for notebook_path in sorted(folder.glob("*.ipynb")):
            match = NOTEBOOK_NAME.match(notebook_path.name)
            label = f"submitted/{student}/{assignment}/{notebook_path.name}"
            if not match:
                report.problems.append(f"{label}: not an exercise notebook (exNN_<topic>.ipynb); skipped")
                continue
            try:
                text = notebook_to_python(notebook_path, label)
            except (ValueError, UnicodeDecodeError, KeyError, AttributeError, TypeError) as error:
                report.problems.append(f"{label}: unreadable notebook ({type(error).__name__}: {error}); not exported")
                continue
            target = Path(out_dir) / student / f"{match.group(1)}.py"
            write_atomic(target, text)
            report.written[student].append(target)
    return report
