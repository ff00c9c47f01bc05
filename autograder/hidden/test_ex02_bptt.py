"""Hidden suite of exercise 2: BPTT by hand for the tanh RNN, and gradient clipping (5.2.1, 5.2.4).

The reference gradients come from the reference solution (itself checked against autograd in the
exercise tests); the student's worker has autograd and torch's clipping utilities blocked.
"""

import torch

from autograder.checks import compare, expect_close, inputs, points, randn

EXERCISE = "ex02_bptt"
FORBIDDEN = ["torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_value_",
             "torch.nn.utils.clip_grad.clip_grad_norm_", "torch.nn.utils.clip_grad.clip_grad_value_",
             "torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"]

SHAPES = [
    ("B=3 T=5 I=4 H=6", 3, 5, 4, 6, 1.0),
    ("batch 1", 1, 4, 3, 5, 1.0),
    ("length 1", 2, 1, 3, 4, 1.0),
    ("saturated (large inputs)", 2, 6, 3, 4, 20.0),
    ("long sequence T=40", 2, 40, 3, 5, 1.0),
    ("empty sequence T=0", 2, 0, 3, 4, 1.0),
]


def _problem(label, batch, time, input_size, hidden, scale):
    generator = inputs(EXERCISE, "bptt", label)
    return (randn(generator, batch, time, input_size, scale=scale), randn(generator, batch, hidden, scale=0.5),
            randn(generator, hidden, input_size, scale=0.5), randn(generator, hidden, hidden, scale=0.5),
            randn(generator, hidden, scale=0.1), randn(generator, batch, time, hidden))


def _subset(gradients, keys):
    """The entries ``keys`` of a gradients dict (points are split by key); anything else as is."""
    return {key: gradients.get(key) for key in keys} if type(gradients) is dict else gradients


@points(2)
def test_rnn_backward_parameters(submission, reference):
    for label, *shape in SHAPES:
        args = _problem(label, *shape)
        want = reference.call("rnn_backward", *args)
        got = submission.call("rnn_backward", *args)
        expect_close(_subset(got, ("W_xh", "W_hh")), _subset(want, ("W_xh", "W_hh")), rtol=1e-6, atol=1e-9,
                     name="weight gradients", case=label)


@points(1.5)
def test_rnn_backward_bias_and_h0(submission, reference):
    for label, *shape in SHAPES:
        args = _problem(label, *shape)
        want = reference.call("rnn_backward", *args)
        got = submission.call("rnn_backward", *args)
        expect_close(_subset(got, ("b_h", "h0")), _subset(want, ("b_h", "h0")), rtol=1e-6, atol=1e-9,
                     name="gradients of b_h and h0", case=label)


@points(1)
def test_rnn_backward_complete(submission, reference):
    """The exact dict: the four keys, float32 kept float32, and zero upstream gives zero gradients."""
    args = tuple(t.float() for t in _problem("float32", 2, 3, 3, 4, 1.0))
    compare(submission, reference, "rnn_backward", args, rtol=1e-4, atol=1e-5, case="float32", name="gradients")
    zero = _problem("zero upstream", 2, 3, 3, 4, 1.0)[:-1] + (torch.zeros(2, 3, 4, dtype=torch.float64),)
    compare(submission, reference, "rnn_backward", zero, rtol=0, atol=1e-12, case="zero upstream", name="gradients")


def _gradients(label, shapes, scale):
    generator = inputs(EXERCISE, "clip", label)
    return [randn(generator, *shape, scale=scale) for shape in shapes]


@points(1.5)
def test_clip_grad_norm(submission, reference):
    cases = [("norm above max", [(3, 4), (5,), (2, 2, 2)], 1.0, 1.0), ("norm below max (unchanged)", [(3,), (2, 3)], 0.1, 10.0),
             ("one tensor", [(7,)], 3.0, 0.5), ("large gradients", [(4, 4), (4,)], 1e4, 5.0)]
    for label, shapes, scale, max_norm in cases:
        compare(submission, reference, "clip_grad_norm", (_gradients(label, shapes, scale), max_norm), rtol=1e-9,
                atol=1e-12, case=label, name="(clipped, total_norm)", allow_alias=False)


@points(1)
def test_clip_grad_norm_edges(submission, reference):
    """The documented rule is scale = max_norm / (norm + 1e-6) < 1: max_norm just inside and outside that band."""
    grads = _gradients("band", [(3, 4), (5,)], 1.0)
    norm = torch.sqrt(sum((g**2).sum() for g in grads)).item()
    for label, max_norm in [("max_norm = norm + 0.5e-6 (clipped, by 1 - 1e-7)", norm + 0.5e-6),
                            ("max_norm = norm + 2e-6 (unchanged)", norm + 2e-6), ("max_norm = norm / 2", norm / 2)]:
        compare(submission, reference, "clip_grad_norm", (grads, max_norm), rtol=1e-12, atol=1e-15, case=label,
                name="(clipped, total_norm)", allow_alias=False)
    compare(submission, reference, "clip_grad_norm", ([], 1.0), rtol=0, atol=0, case="no gradients (empty list)",
            name="(clipped, total_norm)")


@points(0.5)
def test_clip_grad_norm_zero_gradients(submission, reference):
    grads = [torch.zeros(3, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64)]
    compare(submission, reference, "clip_grad_norm", (grads, 1.0), rtol=0, atol=0, case="all zeros",
            name="(clipped, total_norm)", allow_alias=False)


@points(1)
def test_clip_grad_norm_float32(submission, reference):
    grads = [g.float() for g in _gradients("float32", [(3, 3), (3,)], 4.0)]
    compare(submission, reference, "clip_grad_norm", (grads, 2.0), rtol=1e-5, atol=1e-6, case="float32",
            name="(clipped, total_norm)", allow_alias=False)


@points(1.5)
def test_clip_grad_value(submission, reference):
    cases = [("mixed signs", [(4, 5), (3,)], 2.0, 1.0), ("nothing to clip", [(3, 3)], 0.1, 5.0),
             ("float32", [(6,)], 3.0, 0.5)]
    for label, shapes, scale, clip_value in cases:
        grads = _gradients(label, shapes, scale)
        if label == "float32":
            grads = [g.float() for g in grads]
        compare(submission, reference, "clip_grad_value", (grads, clip_value), rtol=0, atol=0, case=label,
                name="clipped gradients", allow_alias=False)
    compare(submission, reference, "clip_grad_value", ([], 1.0), rtol=0, atol=0, case="no gradients (empty list)",
            name="clipped gradients")
