"""Turn a reference solution module into an nbgrader source notebook.

A solution ``solutions/exNN_<topic>.py`` becomes ``exNN_<topic>.ipynb`` whose cells are:

1. a read-only Markdown cell: the exercise's title and how the notebook is graded;
2. the module split into code cells at its top-level functions and classes (module-level
   statements between them stay together). A cell that holds a solution region
   (``### BEGIN SOLUTION`` / ``### END SOLUTION``) is an nbgrader "autograded answer"
   cell, so ``nbgrader generate_assignment`` replaces the region by its stub; every other
   cell (imports, ``__all__``, helpers given to the student) is read-only (``locked``);
3. a read-only Markdown cell introducing the checks, then one autograded test cell per
   hidden check (``grade=True``, its points, ``locked``) that runs that check in the
   kernel against the functions the notebook defined (:mod:`autograder.nbgrader.bridge`).

Test cells call the bridge instead of holding assertions, so the hidden checks stay in one
place (the grader's hidden suites) and are never copied into notebooks. A segment boundary
never falls inside a solution region, so every region lands whole in one cell.

References: nbgrader's cell metadata (schema version 3) and its ``ClearSolutions`` /
``LockCells`` / ``OverwriteCells`` preprocessors, https://nbgrader.readthedocs.io/en/stable/
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.markers import BEGIN_SOLUTION, END_SOLUTION, solution_regions

NBGRADER_SCHEMA_VERSION = 3
LOAD_CHECKS_SUFFIX = "_load_checks"
"""Grade id suffix of the read-only cell that loads the hidden checks."""
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


@dataclass(frozen=True)
class HiddenCheck:
    """One hidden check of an exercise, as a notebook's test cell runs it."""

    exercise: str
    """Exercise id, such as ``"ex01"``."""
    name: str
    """The check's name in the hidden suite (what the bridge is asked to run)."""
    points: float
    """Points the check is worth."""


@dataclass(frozen=True)
class Segment:
    """A run of source lines that becomes one code cell."""

    name: str
    """Name of the function or class it defines, or ``"setup"`` for module-level code."""
    source: str
    """The cell's code."""
    is_solution: bool
    """Whether it contains a solution region (an autograded answer cell)."""


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (a script's demo, which a notebook would always run)."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _node_start(node: ast.stmt, lines: list[str], region_ends: set[int]) -> int:
    """0-based first line of a top-level node: its decorators and the comments right above.

    A ``BEGIN SOLUTION`` marker right above opens a region around this node, so it comes along;
    an ``END SOLUTION`` marker closes the region above, so it stays there.
    """
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while start > 0:
        above = lines[start - 1].strip()
        if not above.startswith("#") or start - 1 in region_ends:
            break
        start -= 1
    return start


def split_solution_source(source: str, filename: str = "<solution>") -> list[Segment]:
    """Split a solution module into code cells: one per top-level def/class, setup code between."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise ValueError(f"{filename}:{error.lineno}: cannot parse the solution ({error.msg}); fix it before building notebooks") from None
    lines = source.splitlines()
    regions = solution_regions(source, filename)

    # (start line, name, keep) for each piece; consecutive module-level statements share one.
    pieces: list[tuple[int, str, bool]] = []
    for index, node in enumerate(tree.body):
        is_definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        start = 0 if index == 0 else _node_start(node, lines, {region.end for region in regions})
        if _is_main_guard(node):
            pieces.append((start, "__main__", False))
        elif is_definition:
            pieces.append((start, node.name, True))
        elif not pieces or pieces[-1][1] != "setup":
            pieces.append((start, "setup", True))
    # A boundary inside a solution region would cut it in two: merge across it.
    merged: list[tuple[int, str, bool]] = []
    for start, name, keep in pieces:
        if merged and any(region.begin < start <= region.end for region in regions):
            previous_start, previous_name, previous_keep = merged[-1]
            merged[-1] = (previous_start, previous_name, previous_keep and keep)
        else:
            merged.append((start, name, keep))

    segments = []
    for position, (start, name, keep) in enumerate(merged):
        stop = merged[position + 1][0] if position + 1 < len(merged) else len(lines)
        text = "\n".join(lines[start:stop]).strip("\n")
        is_solution = any(start <= region.begin < stop for region in regions)
        if not keep and is_solution:
            raise ValueError(f"{filename}:{start + 1}: a solution region inside 'if __name__ == \"__main__\":' would never reach the notebook; move it into a function")
        if not keep or not text.strip():
            continue
        segments.append(Segment(name=name, source=text, is_solution=is_solution))
    if not any(segment.is_solution for segment in segments):
        raise ValueError(f"{filename}: no solution region ('{BEGIN_SOLUTION}' ... '{END_SOLUTION}'); a notebook needs at least one")
    return segments


def move_hints_out_of_regions(source: str, filename: str = "<solution>") -> str:
    """``### BEGIN SOLUTION hint: TEXT`` -> a ``# Hint: TEXT`` comment above a bare marker.

    nbgrader replaces a whole region, marker line included, by its code stub; moving the hint
    above the region keeps it in the student's notebook.
    """
    lines = source.splitlines()
    for region in reversed(solution_regions(source, filename)):  # from the end, so earlier indices stay valid
        if region.hint:
            lines[region.begin:region.begin + 1] = [f"{region.indent}# Hint: {region.hint}", f"{region.indent}{BEGIN_SOLUTION}"]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def exercise_title(source: str, stem: str) -> str:
    """The first line of the module docstring, else a title made from the file name."""
    docstring = ast.get_docstring(ast.parse(source)) or ""
    first_line = docstring.strip().splitlines()[0].strip() if docstring.strip() else ""
    if first_line:
        return first_line.rstrip(".")
    number, _, topic = stem.partition("_")
    return f"Exercise {number[2:]}: {topic.replace('_', ' ')}"


def _safe_id(text: str) -> str:
    """A grade id made of letters, digits, ``_`` and ``-`` only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "cell"


def _cell_metadata(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points: float | None = None) -> dict:
    metadata = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": NBGRADER_SCHEMA_VERSION}
    if points is not None:
        metadata["points"] = points
    return {"nbgrader": metadata}


def check_cell_source(check: HiddenCheck, index: int, total: int) -> str:
    """The code of the test cell that runs one hidden check through the bridge."""
    return (
        f"# Autograded check {index} of {total}: {check.name} ({check.points:g} point{'' if check.points == 1 else 's'}). Read-only.\n"
        f"# It runs the hidden check against the functions defined above when the notebook is graded.\n"
        f"from autograder.nbgrader.bridge import run_hidden_check\n"
        f"run_hidden_check({check.exercise!r}, {check.name!r}, globals())"
    )


def is_bridge_cell(cell: nbformat.NotebookNode) -> bool:
    """A cell that only calls the bridge: an autograded test cell or the checks-loading cell."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    is_test = bool(nbgrader.get("grade")) and not nbgrader.get("solution")
    return is_test or str(nbgrader.get("grade_id", "")).endswith(LOAD_CHECKS_SUFFIX)


def load_cell_source(exercise: str) -> str:
    """The read-only cell that loads the hidden checks (and their imports) before they run."""
    return (
        "# Read-only. Loads the hidden checks before they run, so that importing their libraries\n"
        "# never counts against a check's time limit.\n"
        "from autograder.nbgrader.bridge import load_hidden_checks\n"
        f"load_hidden_checks({exercise!r})"
    )


def build_notebook(solution_path: Path, checks: list[HiddenCheck]) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one exercise (see the module docstring for its cells)."""
    source = Path(solution_path).read_text(encoding="utf-8")
    stem = Path(solution_path).stem
    exercise = stem.split("_", 1)[0]
    if not checks:
        raise ValueError(f"{exercise}: no hidden checks to put in the notebook; the hidden suite must define at least one")
    segments = split_solution_source(move_hints_out_of_regions(source, str(solution_path)), str(solution_path))
    total_points = sum(check.points for check in checks)
    used_ids: set[str] = set()

    def unique(grade_id: str) -> str:
        candidate, suffix = _safe_id(grade_id), 2
        while candidate in used_ids:
            candidate, suffix = f"{_safe_id(grade_id)}_{suffix}", suffix + 1
        used_ids.add(candidate)
        return candidate

    intro = (
        f"# {exercise_title(source, stem)}\n\n"
        "Complete every cell that says `# YOUR CODE HERE`: replace `raise NotImplementedError()` "
        "with your code. Read-only cells hold the exercise's set-up and given code; do not copy them "
        "elsewhere or change them (edits to read-only cells are detected and undone when grading).\n\n"
        "Before submitting, run the whole notebook from a fresh kernel (Kernel, Restart & Run All).\n\n"
        f"The {len(checks)} autograded cells at the end run hidden checks worth {total_points:g} points "
        "in all when your notebook is graded."
    )
    cells = [nbformat.v4.new_markdown_cell(intro, metadata=_cell_metadata(unique(f"{exercise}_intro"), locked=True))]
    for segment in segments:
        grade_id = unique(f"{exercise}_{segment.name}")
        metadata = _cell_metadata(grade_id, solution=True) if segment.is_solution else _cell_metadata(grade_id, locked=True)
        cells.append(nbformat.v4.new_code_cell(segment.source, metadata=metadata))
    lines = [
        "## Autograded checks",
        "",
        "Each cell below runs one hidden check against your functions when the notebook is graded; "
        "where the hidden checks are not installed (your own Jupyter) it only says so. "
        "A check that fails or runs out of time scores 0; the others are not affected.",
        "",
        "| check | points |",
        "| --- | --- |",
    ]
    lines += [f"| `{check.name}` | {check.points:g} |" for check in checks]
    cells.append(nbformat.v4.new_markdown_cell("\n".join(lines), metadata=_cell_metadata(unique(f"{exercise}_checks"), locked=True)))
    cells.append(nbformat.v4.new_code_cell(load_cell_source(checks[0].exercise), metadata=_cell_metadata(unique(f"{exercise}{LOAD_CHECKS_SUFFIX}"), locked=True)))
    for index, check in enumerate(checks, start=1):
        metadata = _cell_metadata(unique(f"{exercise}_{check.name}"), grade=True, locked=True, points=check.points)
        cells.append(nbformat.v4.new_code_cell(check_cell_source(check, index, len(checks)), metadata=metadata))

    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook
