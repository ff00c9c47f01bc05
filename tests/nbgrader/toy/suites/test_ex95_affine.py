"""Hidden suite of the toy exercise ex95 (NumPy only): 4 points."""

import numpy as np

from autograder.checks import expect_close, points, seed_of
from autograder.sandbox import Limits

EXERCISE = "ex95_affine"
IMPORT_TORCH = False
LIMITS = Limits(call_seconds=5.0, start_seconds=30.0, exercise_seconds=30.0, cpu_seconds=30,
                memory_bytes=1024**3, processes=16)


def _case(*key):
    rng = np.random.default_rng(seed_of(EXERCISE, *key))
    batch, inputs, outputs = rng.integers(1, 5, size=3)
    return rng.normal(size=(batch, inputs)), rng.normal(size=(inputs, outputs)), rng.normal(size=outputs)


@points(2)
def test_affine(submission, reference):
    for index in range(3):
        x, weight, bias = _case("affine", index)
        expect_close(submission.call("affine", x, weight, bias), reference.call("affine", x, weight, bias),
                     rtol=1e-9, atol=1e-12, name="affine(x, W, b)", case=f"case {index}")


@points(1)
def test_affine_zero_input(submission, reference):
    x, weight, bias = _case("zeros", 0)
    x = np.zeros_like(x)
    expect_close(submission.call("affine", x, weight, bias), reference.call("affine", x, weight, bias),
                 rtol=1e-12, atol=1e-12, name="affine of a zero input")


@points(1)
def test_norm(submission, reference):
    x = _case("norm", 0)[0]
    expect_close(submission.call("norm", x), reference.call("norm", x), rtol=1e-12, atol=1e-12, name="norm(x)")
