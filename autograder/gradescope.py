"""Gradescope: build the ``autograder.zip`` (``autograder gradescope OUT.zip``) and grade inside it.

Gradescope's autograder contract (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the zip holds ``setup.sh`` (run once, as root, on Gradescope's Ubuntu image, to install what
grading needs) and ``run_autograder`` at its root; the zip is unpacked into
``/autograder/source``; the student's files arrive in ``/autograder/submission``; and
``run_autograder`` must write ``/autograder/results/results.json`` (score, execution_time,
output, visibility, stdout_visibility, tests with name, score, max_score, output, visibility).
otter-grader's ``otter generate`` is the model.

What the zip holds::

    setup.sh          apt: python3, pip, bubblewrap (where the image allows); pip: the pinned
                      torch CPU wheel (constraints.txt) and numpy, nothing else
    run_autograder    python3 -m autograder.gradescope (this module's ``main``)
    settings.json     the exercises, the visibility, whether the sandbox is required
    autograder/ rnnlm/   the grader (run from here through PYTHONPATH: never installed where the
                      sandbox could see it; the sandbox binds only /usr and Python's own prefixes)
    suites/ solutions/   the chosen exercises' hidden suites and reference solutions

``AUTOGRADER_ROOT`` (default ``/autograder``), ``AUTOGRADER_SOURCE`` (default ``$ROOT/source``)
and ``AUTOGRADER_PYTHON`` (default ``python3``) move the layout, so the tests unpack the zip into
a replica of it in a temporary folder and run ``run_autograder`` there. Where bubblewrap cannot
start (Docker often disables unprivileged user namespaces), the submission is graded in a plain
subprocess and results.json says so at the top and in a 0-point test named
"sandbox: NOT isolated ..." (or, with ``--require-sandbox``, gives no grade and the reason).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
import zipfile
from pathlib import Path

from rnnlm.atomic import atomic_open, write_text_atomic
from rnnlm.errors import UsageError

from autograder import report
from autograder.results import dumps

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY = PACKAGE_DIR.parent
SKIPPED = re.compile(r"(^|/)(__pycache__|\.pytest_cache)(/|$)|\.pyc$")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: it installs exactly
# what grading needs. Written by `autograder gradescope`.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-pip
# The sandbox. Where the image cannot install it, or the container cannot start it, grading
# goes on without isolation and every results.json says so (see docs/grading.md).
apt-get install -y -qq bubblewrap || echo "warning: bubblewrap not installed: grading will run unsandboxed" >&2
flags=(--no-cache-dir)
if python3 -m pip install --help | grep -q -- --break-system-packages; then flags+=(--break-system-packages); fi
# The CPU wheel of the pinned torch (the default index would pull a multi-GB CUDA build).
python3 -m pip install "${{flags[@]}}" --index-url https://download.pytorch.org/whl/cpu "torch=={torch}"
python3 -m pip install "${{flags[@]}}" "numpy=={numpy}"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. Written by `autograder gradescope`.
# AUTOGRADER_ROOT / AUTOGRADER_SOURCE / AUTOGRADER_PYTHON move the layout (the tests use a replica).
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="${AUTOGRADER_SOURCE:-$root/source}"
cd "$root"
export PYTHONPATH="$source_dir"
exec "${AUTOGRADER_PYTHON:-python3}" -m autograder.gradescope --root "$root" --source "$source_dir"
"""


def pinned_torch(constraints: Path = REPOSITORY / "constraints.txt") -> str:
    """The torch version pinned in constraints.txt (the CPU wheel the course tests with)."""
    for line in constraints.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*torch\s*==\s*([^\s#;]+)", line)
        if match:
            return match.group(1)
    raise UsageError(f"{constraints} pins no torch version (a line 'torch==X.Y.Z' is needed)")


def _add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str, keep=lambda path: True) -> None:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and not SKIPPED.search(relative) and keep(path):
            archive.write(path, f"{prefix}/{relative}")


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def build_package(out: Path, exercises: list[str] | None = None, *, suites_dir: Path | None = None,
                  solutions_dir: Path | None = None, visibility: str = "after_published",
                  require_sandbox: bool = False) -> Path:
    """Write Gradescope's autograder zip for ``exercises`` (all by default) to ``out``.

    Args:
        out: the zip to write (its name must end in .zip).
        exercises: the exercises to grade, e.g. ["ex04_lstm_cell"]; None for every suite.
        suites_dir: folder of hidden suites (default: autograder/hidden).
        solutions_dir: folder of reference solutions (default: solutions/).
        visibility: Gradescope visibility of the checks ("after_published" shows them once grades are out).
        require_sandbox: where the sandbox cannot start, give no grade (score 0 and the reason).
    """
    import numpy

    from autograder import runner

    out = Path(out)
    if out.suffix != ".zip":
        raise UsageError(f"{out}: the Gradescope package is a .zip; name it e.g. autograder.zip")
    report.ensure_writable(out)
    suites_dir = Path(suites_dir or runner.DEFAULT_SUITES)
    solutions_dir = Path(solutions_dir or runner.DEFAULT_SOLUTIONS)
    chosen = {suite.exercise: suite for suite in runner.load_suites(suites_dir, exercises)}
    missing = [name for name in chosen if not (solutions_dir / f"{name}.py").is_file()]
    if missing:
        raise UsageError(f"no reference solution for {missing} in {solutions_dir}; pass --solutions DIR")
    suite_files = {Path(suite.module.__file__).name for suite in chosen.values()}
    settings = {"exercises": sorted(chosen), "visibility": visibility, "require_sandbox": require_sandbox}

    def is_suite(path: Path) -> bool:  # every test_ex* file is a suite; only the chosen ones travel
        return not path.name.startswith("test_ex") or path.name in suite_files

    def outside_hidden(path: Path) -> bool:  # the package's own suites travel as suites/ only
        return (PACKAGE_DIR / "hidden") not in path.parents

    with atomic_open(out, binary=True) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, "setup.sh", SETUP_SH.format(torch=pinned_torch(), numpy=numpy.__version__), executable=True)
        _add_text(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add_text(archive, "settings.json", dumps(settings))
        _add_tree(archive, PACKAGE_DIR, "autograder", outside_hidden)
        _add_tree(archive, PACKAGE_DIR / "hidden", "autograder/hidden", lambda p: not p.name.startswith("test_ex"))
        _add_tree(archive, REPOSITORY / "rnnlm", "rnnlm")
        _add_tree(archive, suites_dir, "suites", lambda p: p.suffix == ".py" and is_suite(p))
        for name in sorted(chosen):
            archive.write(solutions_dir / f"{name}.py", f"solutions/{name}.py")
    print(f"Gradescope package for {len(chosen)} exercise(s) written to {out}")
    return out


def _not_graded(reason: str, started: float) -> dict:
    """results.json when no grade can be given: score 0, the reason on top and in a named test."""
    return {"score": 0.0, "execution_time": round(time.monotonic() - started, 3), "output": reason,
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{"name": "autograder: not graded", "score": 0.0, "max_score": 0.0, "status": "failed",
                       "output": reason, "visibility": "visible"}]}


def grade_in_container(root: Path, source: Path) -> dict:
    """Grade ``root/submission`` with the zip's settings; the results.json object (never raises for grading)."""
    from autograder import runner
    from autograder.sandbox import Sandbox
    from autograder.submission import load_submission

    started = time.monotonic()
    settings = json.loads((source / "settings.json").read_text(encoding="utf-8"))
    problem = None
    try:
        sandbox = Sandbox(use_bwrap=True)
    except RuntimeError as error:
        problem = str(error)
        if settings.get("require_sandbox"):
            return _not_graded(f"The sandbox could not start, and this course requires it: {problem}. "
                               "Your submission was not graded; tell your instructor.", started)
        with warnings.catch_warnings():  # said in results.json instead, where people look
            warnings.simplefilter("ignore", RuntimeWarning)
            sandbox = Sandbox(use_bwrap=False)
    suites = runner.load_suites(source / "suites", settings["exercises"])
    try:
        submission = load_submission(root / "submission", "submission")
    except UsageError as error:  # an unreadable zip, say: the student can fix it
        return _not_graded(f"Your submission could not be read: {error}", started)
    try:
        result = runner.grade(submission, suites, sandbox=sandbox, solutions_dir=source / "solutions", jobs=2)
    finally:
        submission.cleanup()
    print(report.score_table(result, f"graded in {result.sandbox}, {result.seconds:.1f} s"))
    results = report.gradescope(result, visibility=settings.get("visibility", "visible"), sandbox_problem=problem)
    results["execution_time"] = round(time.monotonic() - started, 3)
    return results


def main(argv: list[str] | None = None) -> int:
    """``run_autograder``'s entry point: grade, then write results/results.json (whatever happened)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope", description=main.__doc__)
    parser.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's /autograder folder")
    parser.add_argument("--source", type=Path, default=None, help="the unpacked zip (default: ROOT/source)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    target = args.root / "results" / "results.json"
    try:
        results = grade_in_container(args.root, args.source or args.root / "source")
    except BaseException as error:  # still tell the student something, then fail loudly for the instructor
        write_text_atomic(target, dumps(_not_graded(f"The autograder failed ({type(error).__name__}: {error}); "
                                                    "tell your instructor.", started)))
        raise
    write_text_atomic(target, dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
