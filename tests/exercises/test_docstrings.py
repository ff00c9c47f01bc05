"""What a student reads: every worked example in the docstrings runs, every graded function is documented."""

from __future__ import annotations

import doctest
import inspect

import pytest

from exercise_probes import EXERCISES, SOLUTIONS, load


@pytest.mark.parametrize("exercise", EXERCISES)
def test_docstring_examples_of_the_solution_hold(exercise):
    module = load(SOLUTIONS / f"{exercise}.py")
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for test in finder.find(module, module.__name__):
        examples += len(test.examples)
        runner.run(test, out=lambda text: None)
    assert examples >= 1, f"{exercise} has no worked example"
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {exercise} fail: python -m doctest solutions/{exercise}.py"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_module_and_graded_functions_are_documented(exercise):
    module = load(SOLUTIONS / f"{exercise}.py")
    assert module.__doc__ and "References" in module.__doc__ and f"Exercise {int(exercise[2:4])}" in module.__doc__
    for name in module.__all__:
        function = getattr(module, name)
        signature = inspect.signature(function)
        assert function.__doc__ and len(function.__doc__.strip()) > 40, f"{exercise}.{name} needs a docstring"
        assert signature.return_annotation is not inspect.Signature.empty, f"{exercise}.{name}: return type hint"
        assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()), (
            f"{exercise}.{name}: every parameter needs a type hint")
