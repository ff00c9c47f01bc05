"""``autograder release OUT``: build the student bundle, and prove what is not in it.

The bundle is an installable project: the ``rnnlm`` package, ``assignments/`` (stubs, public
tests, the student README, which also becomes the bundle's README), ``configs/``, and the
student's half of the autograder (``autograder check`` only: ``__init__``, ``cli``, ``check``,
``report``, ``results``, ``html_report``). It never contains ``solutions/``, ``autograder/hidden/``, the sandbox or the
project's tests. After copying, ``verify_release`` scans every file of the bundle outside the
public ``rnnlm`` library for any line found only in a solution region (between
``### BEGIN SOLUTION`` and ``### END SOLUTION``) and refuses the bundle if one is found.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder.markers import solution_regions
from rnnlm.errors import UsageError

REPOSITORY = Path(__file__).resolve().parent.parent
STUDENT_AUTOGRADER = ("__init__.py", "cli.py", "check.py", "report.py", "results.py", "html_report.py")
"""The only autograder modules a student receives (``autograder check``)."""
STUDENT_NBGRADER = ("__init__.py", "bridge.py")
"""What the grade cells of a released notebook import (no checks, no solutions)."""
FORBIDDEN_PATHS = ("solutions", "autograder/hidden", "tests", "autograder/sandbox", "autograder/worker")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")


def solution_lines(solutions_dir: Path = REPOSITORY / "solutions") -> set[str]:
    """Distinctive lines found only inside solution regions (stripped; short lines and comments skipped).

    A line that also appears outside every region (given code, docstrings) is public anyway.
    Raises ``ValueError`` where a solution's markers are malformed (``autograder.markers``).
    """
    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("ex*.py")):
        source = path.read_text(encoding="utf-8")
        regions = solution_regions(source, str(path))
        markers = {index for region in regions for index in (region.begin, region.end)}
        for index, line in enumerate(source.splitlines()):
            if index not in markers:
                inside = any(index in region for region in regions)
                (inside_lines if inside else outside_lines).add(line.strip())
    return {line for line in inside_lines - outside_lines if len(line) >= 25 and not line.startswith("#")}


def verify_release(out: Path, solutions_dir: Path = REPOSITORY / "solutions") -> None:
    """Raise ``ValueError`` if the bundle holds a forbidden path or any line of a solution."""
    out = Path(out)
    for relative in FORBIDDEN_PATHS:
        if (out / relative).exists():
            raise ValueError(f"release check failed: {relative} is in the bundle")
    secrets = solution_lines(solutions_dir)
    # The rnnlm library is public by design (it implements the chapter's models; submissions may
    # not import it): only the rest of the bundle is scanned for solution lines.
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != "rnnlm"):
        text = path.read_bytes().decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip() in secrets:
                raise ValueError(f"release check failed: {path.relative_to(out)} contains a solution line: {line.strip()[:80]!r}")


def build_release(out: Path, make_zip: bool = False, repository: Path = REPOSITORY) -> Path:
    """Copy the student bundle into ``out`` (new or empty), verify it, optionally zip it."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not empty; choose a new folder")
    if not (repository / "assignments").is_dir():
        raise UsageError(f"{repository / 'assignments'} not found: generate the stubs first (autograder stubs)")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repository / "rnnlm", out / "rnnlm", ignore=IGNORED)
    shutil.copytree(repository / "assignments", out / "assignments", ignore=IGNORED)
    if (repository / "configs").is_dir():
        shutil.copytree(repository / "configs", out / "configs", ignore=IGNORED)
    (out / "autograder").mkdir()
    for name in STUDENT_AUTOGRADER:
        shutil.copyfile(repository / "autograder" / name, out / "autograder" / name)
    (out / "autograder" / "nbgrader").mkdir()
    for name in STUDENT_NBGRADER:
        shutil.copyfile(repository / "autograder" / "nbgrader" / name, out / "autograder" / "nbgrader" / name)
    for name in ("constraints.txt", "LICENSE"):
        if (repository / name).is_file():
            shutil.copyfile(repository / name, out / name)
    readme = repository / "assignments" / "README.md"
    (out / "README.md").write_text(readme.read_text(encoding="utf-8") if readme.is_file()
                                   else "# Exercises\n\nRun `autograder check` to test your work.\n", encoding="utf-8")
    pyproject = (repository / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = re.sub(r'testpaths = \["tests"\]', 'testpaths = ["assignments/tests"]', pyproject)
    (out / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    verify_release(out, repository / "solutions")
    if make_zip:
        shutil.make_archive(str(out), "zip", root_dir=out)
    print(f"student bundle written to {out}" + (f" and {out}.zip" if make_zip else ""))
    return out
