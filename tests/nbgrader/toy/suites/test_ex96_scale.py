"""Hidden suite of the toy exercise ex96 (PyTorch): 3 points; its checks make torch warn."""

import os
import warnings

import torch

from autograder.checks import expect_close, inputs, points
from autograder.sandbox import Limits

EXERCISE = "ex96_scale"
LIMITS = Limits(call_seconds=10.0, start_seconds=60.0, exercise_seconds=60.0, cpu_seconds=60)


@points(2)
def test_scale(submission, reference):
    x = torch.randn(3, 4, generator=inputs(EXERCISE, "scale"))
    # Framework noise on stderr while a check runs must not cost points: a real torch
    # UserWarning (copy-constructing a tensor), another warning, and bytes on descriptor 2.
    copied = torch.tensor(x)
    warnings.warn("a framework warning raised inside the hidden check", UserWarning)
    os.write(2, b"native library message on stderr\n")
    expect_close(submission.call("scale", copied, 2.5), reference.call("scale", copied, 2.5),
                 rtol=1e-6, atol=1e-6, name="scale(x, 2.5)")


@points(1)
def test_total(submission, reference):
    x = torch.randn(5, generator=inputs(EXERCISE, "total"))
    expect_close(submission.call("total", x), reference.call("total", x), rtol=1e-6, atol=1e-6, name="total(x)")
