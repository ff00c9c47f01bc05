"""Create an nbgrader course folder for the rnnlm exercises.

``init_course`` writes what nbgrader needs and nothing else, so that nbgrader's own commands
(``generate_assignment``, ``autograde``, ``generate_feedback``, ``export``) then run unchanged:

```
COURSE_DIR/
  nbgrader_config.py                    course id, gradebook database, per-cell timeout, kernel
  source/<assignment>/exNN_<topic>.ipynb   one notebook per exercise (autograder.nbgrader.notebook)
```

Every file is written atomically (a temporary file in the same folder, then ``os.replace``),
and existing notebooks or a different configuration are never overwritten without ``force``.

Reference: nbgrader's course directory layout and configuration,
https://nbgrader.readthedocs.io/en/stable/user_guide/philosophy.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnnlm.atomic import write_text_atomic as write_atomic

from autograder.nbgrader import checks
from autograder.nbgrader.bridge import GRADING_ENVIRONMENT_VARIABLE
from autograder.nbgrader.notebook import HiddenCheck, build_notebook

EXERCISE_FILE = re.compile(r"^(ex\d{2})_[a-z0-9_]+\.py$")

CONFIG_TEMPLATE = '''\
"""nbgrader configuration of the {course_id!r} course (written by `autograder nbgrader init`).

nbgrader reads this file when run from this folder or with --CourseDirectory.root=THIS_FOLDER.
"""

import os

c = get_config()  # noqa: F821 (traitlets defines get_config when it loads this file)

course_root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = course_root
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(course_root, "gradebook.db")

# Autograde runs every notebook in a fresh kernel of this name. A cell that runs longer than
# its limit is interrupted and scores 0; the notebook's other cells still run. Student code
# (answer and check cells) gets `timeout` seconds per cell; the read-only cells that import
# the exercise's libraries and load the hidden checks get the longer start-up allowance, so a
# slow import on a busy machine is never interrupted (an interrupted import can break the kernel).
c.Execute.kernel_name = {kernel_name!r}
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.Execute.iopub_timeout = 30


def cell_timeout(cell, limit={timeout}, start_up={startup_timeout}):
    """Seconds a cell may run: the start-up allowance for read-only set-up cells, else the limit."""
    nbgrader = cell.get("metadata", {{}}).get("nbgrader", {{}})
    is_setup = nbgrader.get("locked") and nbgrader.get("grade_id") and not nbgrader.get("grade")
    return start_up if is_setup else limit


c.Execute.timeout_func = cell_timeout

# What `nbgrader generate_assignment` puts where a solution region was.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}

# Kernels inherit this: it tells the autograded cells that this is a grading run, so a check
# whose hidden suite cannot be loaded fails instead of only saying where it will run.
os.environ[{environment_variable!r}] = "1"
{locations}'''

LOCATIONS_TEMPLATE = '''
# Where the autograded cells find the hidden suites and the reference solutions (given to
# `autograder nbgrader init`; without these lines the installed autograder's own are used).
os.environ[{suites_variable!r}] = {suites!r}
os.environ[{solutions_variable!r}] = {solutions!r}
'''


@dataclass(frozen=True)
class CourseLayout:
    """What ``init_course`` wrote."""

    root: Path
    """The course folder."""
    config: Path
    """Its ``nbgrader_config.py``."""
    notebooks: list[Path]
    """The source notebooks, one per exercise."""
    total_points: float
    """Points of all autograded cells together."""


def find_exercises(solutions_dir: Path, selected: list[str] | None = None) -> list[Path]:
    """The solution files ``exNN_<topic>.py`` to turn into notebooks, in exercise order."""
    solutions_dir = Path(solutions_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(f"solutions folder not found: {solutions_dir}; pass --solutions DIR (the folder holding exNN_<topic>.py)")
    available = {match.group(1): path for path in sorted(solutions_dir.iterdir()) if (match := EXERCISE_FILE.match(path.name))}
    if not available:
        raise FileNotFoundError(f"no exNN_<topic>.py files in {solutions_dir}")
    if not selected:
        return [available[key] for key in sorted(available)]
    unknown = [name for name in selected if name not in available]
    if unknown:
        raise ValueError(f"unknown exercise(s) {', '.join(unknown)}; valid: {', '.join(sorted(available))}")
    return [available[name] for name in dict.fromkeys(selected)]


def config_text(
    course_id: str,
    timeout: int,
    kernel_name: str,
    suites_dir: Path | None = None,
    solutions_dir: Path | None = None,
    startup_timeout: int = 300,
) -> str:
    """The content of ``nbgrader_config.py`` (suite and solution folders only when given)."""
    locations = ""
    if suites_dir is not None or solutions_dir is not None:
        locations = LOCATIONS_TEMPLATE.format(
            suites_variable=checks.SUITES_ENVIRONMENT_VARIABLE,
            suites=str(Path(suites_dir or checks.suites_dir()).resolve()),
            solutions_variable=checks.SOLUTIONS_ENVIRONMENT_VARIABLE,
            solutions=str(Path(solutions_dir or checks.solutions_dir()).resolve()),
        )
    return CONFIG_TEMPLATE.format(
        course_id=course_id,
        timeout=int(timeout),
        startup_timeout=int(startup_timeout),
        kernel_name=kernel_name,
        environment_variable=GRADING_ENVIRONMENT_VARIABLE,
        locations=locations,
    )


def init_course(
    course_dir: Path,
    assignment: str,
    checks_of: Callable[[str, Path | None], list[HiddenCheck]],
    exercises: list[str] | None = None,
    solutions_dir: Path | None = None,
    suites_dir: Path | None = None,
    course_id: str = "rnnlm",
    timeout: int = 120,
    startup_timeout: int = 300,
    kernel_name: str = "python3",
    force: bool = False,
) -> CourseLayout:
    """Write ``nbgrader_config.py`` and ``source/<assignment>/`` notebooks; nothing else.

    ``checks_of(exercise, suites_dir)`` lists the hidden checks of an exercise (its module
    name, such as ``ex01_rnn_forward``); ``suites_dir``/``solutions_dir`` default to the
    grader's own folders and, when given, are recorded in the configuration for the kernels.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", assignment):
        raise ValueError(f"assignment name {assignment!r} must be letters, digits, '_', '-' or '.' (nbgrader uses it as a folder name)")
    for name, value in (("timeout", timeout), ("startup timeout", startup_timeout)):
        if value <= 0:
            raise ValueError(f"the {name} must be a positive number of seconds per cell, got {value}")
    root = Path(course_dir).resolve()
    paths = find_exercises(solutions_dir or checks.solutions_dir(), exercises)

    # Build everything in memory first: a failure leaves the course folder untouched.
    notebooks = {path.stem: build_notebook(path, checks_of(path.stem, suites_dir)) for path in paths}
    config = config_text(course_id, timeout, kernel_name, suites_dir, solutions_dir, startup_timeout)

    config_path = root / "nbgrader_config.py"
    source_dir = root / "source" / assignment
    if not force:
        if config_path.exists() and config_path.read_text(encoding="utf-8") != config:
            raise FileExistsError(f"{config_path} exists with other settings; pass --force to overwrite it")
        existing = sorted(source_dir.glob("*.ipynb")) if source_dir.is_dir() else []
        if existing:
            raise FileExistsError(f"{source_dir} already holds {len(existing)} notebook(s); pass --force to overwrite them")
    written = []
    for stem, notebook in notebooks.items():
        target = source_dir / f"{stem}.ipynb"
        write_atomic(target, nbformat.writes(notebook) + "\n")
        written.append(target)
    write_atomic(config_path, config)
    total = sum(cell.metadata["nbgrader"].get("points", 0) for nb in notebooks.values() for cell in nb.cells if cell.metadata["nbgrader"]["grade"])
    return CourseLayout(root=root, config=config_path, notebooks=written, total_points=float(total))
