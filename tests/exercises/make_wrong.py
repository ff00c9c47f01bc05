"""The plausible wrong implementations of every exercise, written from the solutions by one command.

The mistakes live in the grader's catalogue, ``autograder.hidden.mistakes.MISTAKES`` (the same
table the grader's diagnoses use): a name, a one-line description and the textual edits that
turn the reference solution into that wrong submission. ``python tests/exercises/make_wrong.py``
writes ``tests/exercises/wrong/<exercise>/<mistake>.py``: the solution with its module docstring
replaced by the description and the nbgrader markers removed: a complete module, as a student
would submit it. ``tests/exercises/test_wrong_and_alternative.py`` checks that the files are up to
date and that each one is observably different from the solution, so that the hidden suites can
be measured against them (every one of them must lose points, and its feedback should name it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rnnlm.atomic import write_text_atomic
from autograder.hidden.mistakes import MISTAKES, apply_mistake

HERE = Path(__file__).resolve().parent
SOLUTIONS = HERE.parents[1] / "solutions"
WRONG = HERE / "wrong"


def expected_files() -> dict[Path, str]:
    """``{path: text}`` of every wrong implementation."""
    files = {}
    for exercise, mistakes in MISTAKES.items():
        solution = (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")
        for name, description, edits in mistakes:
            files[WRONG / exercise / f"{name}.py"] = apply_mistake(solution, description, edits, f"{exercise}/{name}")
    return files


def main() -> int:
    """Write every wrong implementation (atomically), and remove stale ones."""
    files = expected_files()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
    for stale in set(WRONG.glob("*/*.py")) - set(files):
        stale.unlink()
        print(f"removed {stale}")
    print(f"wrote {len(files)} wrong implementations under {WRONG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
