"""Generate the student stubs in ``assignments/`` from the reference solutions in ``solutions/``.

Every solution region of ``solutions/exNN_<topic>.py``::

        ### BEGIN SOLUTION hint: <one line for the student>
        <reference code>
        ### END SOLUTION

becomes, at the marker's indentation, ``raise NotImplementedError("<one line for the student>")``;
every other line is copied verbatim (docstrings, signatures, given helpers, constants), so a stub
imports cleanly and fails only when a function with an answer is called. The markers are
nbgrader's (``ClearSolutions`` looks for ``### BEGIN SOLUTION`` anywhere in a line, so the hint
suffix is compatible with it); ``autograder.markers`` parses them.

Usage::

    python -m autograder.stubgen            # (re)write assignments/exNN_*.py
    python -m autograder.stubgen --check    # exit 1 listing the stubs that differ from the solutions

References: nbgrader's ``ClearSolutions`` preprocessor (the marker convention).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlm.atomic import write_text_atomic

from autograder.markers import BEGIN_SOLUTION, solution_regions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = ROOT / "solutions"
ASSIGNMENTS_DIR = ROOT / "assignments"
EXERCISE_PATTERN = "ex[0-9][0-9]_*.py"
DEFAULT_HINT = "implement this function (its docstring says what to return)"


def _python_string(text: str) -> str:
    """A double-quoted Python literal for ``text`` (repr's escaping when it needs any)."""
    if '"' in text or "\\" in text or not text.isprintable():
        return repr(text)
    return f'"{text}"'


def make_stub(source: str, filename: str = "<solution>") -> str:
    """The stub of one solution module: each solution region replaced by ``raise NotImplementedError(hint)``.

    Raises:
        ValueError: on a malformed region (nested, unterminated, an END without BEGIN, at module
            level, or a module without any region), naming the file and line.
    """
    regions = solution_regions(source, filename)
    if not regions:
        raise ValueError(f"{filename}: no '{BEGIN_SOLUTION}' region: nothing for the student to write")
    lines = source.splitlines(keepends=True)  # the same line indices as the regions'
    output: list[str] = []
    copied_up_to = 0
    for region in regions:
        if not region.indent:
            raise ValueError(
                f"{filename}:{region.begin + 1}: a solution region at module level would make the stub fail at "
                "import; put the answer inside a function"
            )
        output += lines[copied_up_to:region.begin]
        output.append(f"{region.indent}raise NotImplementedError({_python_string(region.hint or DEFAULT_HINT)})\n")
        copied_up_to = region.end + 1
    output += lines[copied_up_to:]
    stub = "".join(output)
    compile(stub, filename, "exec")  # a stub must at least be valid Python
    return stub


def expected_stubs(solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, str]:
    """``{file name: stub text}`` for every ``exNN_<topic>.py`` of ``solutions_dir``, sorted by name."""
    sources = sorted(solutions_dir.glob(EXERCISE_PATTERN))
    if not sources:
        raise FileNotFoundError(f"no {EXERCISE_PATTERN} files in {solutions_dir}")
    return {path.name: make_stub(path.read_text(encoding="utf-8"), str(path)) for path in sources}


def drifted(solutions_dir: Path = SOLUTIONS_DIR, assignments_dir: Path = ASSIGNMENTS_DIR) -> list[str]:
    """Messages naming every stub that is missing, differs from its solution, or has no solution."""
    expected = expected_stubs(solutions_dir)
    problems = []
    for name, text in expected.items():
        path = assignments_dir / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs from what {solutions_dir / name} generates")
    for path in sorted(assignments_dir.glob(EXERCISE_PATTERN)):
        if path.name not in expected:
            problems.append(f"{path}: no solutions/{path.name} to generate it from")
    return problems


def write_stubs(solutions_dir: Path = SOLUTIONS_DIR, assignments_dir: Path = ASSIGNMENTS_DIR) -> list[Path]:
    """(Re)write every stub that differs from its solution; returns the paths written."""
    expected = expected_stubs(solutions_dir)  # all generated before anything is written
    assignments_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected.items():
        path = assignments_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_text_atomic(path, text)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write the stubs, or with ``--check`` report the drifted ones (exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.stubgen", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a stub differs from its solution")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR, help="folder of the reference solutions")
    parser.add_argument("--assignments", type=Path, default=ASSIGNMENTS_DIR, help="folder of the student stubs")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = drifted(args.solutions, args.assignments)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(f"{len(problems)} stub(s) out of date: run python -m autograder.stubgen", file=sys.stderr)
                return 1
            print(f"all stubs in {args.assignments} match {args.solutions}")
            return 0
        written = write_stubs(args.solutions, args.assignments)
    except (ValueError, FileNotFoundError, SyntaxError) as error:
        print(f"stubgen: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"all stubs in {args.assignments} already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
