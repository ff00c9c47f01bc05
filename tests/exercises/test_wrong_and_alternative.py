"""The measuring stick of the autograder: wrong implementations differ from the solutions, alternatives agree.

Every file under ``wrong/<exercise>/`` is the solution with one plausible mistake (written by
``make_wrong.py``); the probes of ``exercise_probes`` must tell it apart from the solution, so a
hidden suite can too. Every file under ``alternative/`` is a correct but differently written
submission; it must agree with the solution on every probe (the grader must give it full points).
"""

from __future__ import annotations

import ast
from functools import cache

import pytest

import make_wrong
from exercise_probes import ALTERNATIVE, EXERCISES, SOLUTIONS, WRONG, differing_probes, load, run_probes, same

WRONG_FILES = sorted(WRONG.glob("ex*/*.py"))


@cache
def solution_outcomes(exercise: str):
    return run_probes(load(SOLUTIONS / f"{exercise}.py"), exercise)


def test_wrong_implementations_are_up_to_date():
    expected = make_wrong.expected_files()
    stale = [str(path) for path, text in expected.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    extra = sorted(str(path) for path in set(WRONG_FILES) - set(expected))
    assert not stale and not extra, f"run python tests/exercises/make_wrong.py (stale: {stale}, extra: {extra})"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_at_least_five_mistakes_per_exercise(exercise):
    assert len(list((WRONG / exercise).glob("*.py"))) >= 5


@pytest.mark.parametrize("path", WRONG_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_wrong_implementation_is_observably_wrong(path):
    module_docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert module_docstring and "\n" not in module_docstring, "one-line docstring naming the mistake"
    exercise = path.parent.name
    outcomes = run_probes(load(path), exercise)
    differing = [label for (label, mine), (_, reference) in zip(outcomes, solution_outcomes(exercise)) if not same(mine, reference)]
    assert differing, f"{path.name} ({module_docstring}) agrees with the solution on every probe"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_alternative_implementation_agrees_everywhere(exercise):
    path = ALTERNATIVE / f"{exercise}.py"
    assert path.is_file(), f"no correct alternative for {exercise}"
    module = load(path)
    assert differing_probes(module, load(SOLUTIONS / f"{exercise}.py"), exercise) == []
    assert sorted(module.__all__) == sorted(load(SOLUTIONS / f"{exercise}.py").__all__)
