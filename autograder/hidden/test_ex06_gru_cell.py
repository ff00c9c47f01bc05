"""Hidden suite of exercise 6: the GRU cell, textbook form (eqs. 5.9-5.11) and torch.nn.GRU's form.

torch.nn.GRU / GRUCell and the fused kernels are blocked inside the student's worker.
"""

import torch

from autograder.checks import compare, compare_gradients, expect_close, expect_true, inputs, points, randn

EXERCISE = "ex06_gru_cell"
FORBIDDEN = ["torch.nn.GRU", "torch.nn.GRUCell", "torch.nn.modules.rnn.GRU", "torch.nn.modules.rnn.GRUCell",
             "torch.gru", "torch.gru_cell", "torch._VF.gru", "torch._VF.gru_cell"]
TOLERANCE = {torch.float64: (1e-7, 1e-9), torch.float32: (1e-4, 1e-5)}

SHAPES = [
    ("B=3 I=4 H=5", 3, 4, 5, torch.float64, 1.0),
    ("batch 1", 1, 3, 4, torch.float64, 1.0),
    ("H=1", 2, 3, 1, torch.float64, 1.0),
    ("I != H, float32", 4, 7, 2, torch.float32, 1.0),
    ("large values (saturated gates)", 2, 3, 4, torch.float64, 25.0),
]


def _weights(generator, input_size, hidden, dtype):
    return (randn(generator, 3 * hidden, input_size, dtype=dtype, scale=0.5),
            randn(generator, 3 * hidden, hidden, dtype=dtype, scale=0.5),
            randn(generator, 3 * hidden, dtype=dtype, scale=0.5), randn(generator, 3 * hidden, dtype=dtype, scale=0.5))


def _step(label, batch, input_size, hidden, dtype, scale):
    generator = inputs(EXERCISE, "step", label)
    x = randn(generator, batch, input_size, dtype=dtype, scale=scale)
    return x, randn(generator, batch, hidden, dtype=dtype), *_weights(generator, input_size, hidden, dtype)


def _cells(submission, reference, variant):
    for label, *shape in SHAPES:
        args = _step(label, *shape)
        rtol, atol = TOLERANCE[args[0].dtype]
        compare(submission, reference, "gru_cell", args, kwargs={"variant": variant}, rtol=rtol, atol=atol,
                case=f"{variant}, {label}", name="h_t")


@points(2.5)
def test_gru_cell_textbook(submission, reference):
    _cells(submission, reference, "textbook")


@points(2)
def test_gru_cell_pytorch(submission, reference):
    _cells(submission, reference, "pytorch")


@points(1)
def test_gru_cell_pytorch_matches_torch(submission):
    """Independent of the reference: torch.nn.GRUCell with the same weights (run here, in the grader)."""
    x, h, weight_ih, weight_hh, bias_ih, bias_hh = _step("torch", 3, 4, 5, torch.float64, 1.0)
    cell = torch.nn.GRUCell(4, 5).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(cell, name).copy_(value)
        want = cell(x, h)
    got = submission.call("gru_cell", x, h, weight_ih, weight_hh, bias_ih, bias_hh, variant="pytorch")
    expect_close(got, want, rtol=1e-7, atol=1e-9, name="h_t", case="variant='pytorch' against torch.nn.GRUCell")


@points(0.5)
def test_gru_cell_rejects_unknown_variant(submission, reference):
    x, h, *weights = _step("variant", 2, 3, 4, torch.float64, 1.0)
    # The stub already holds this check (outside the solution region): score it only beside a
    # working gru_cell, so the untouched release earns nothing.
    compare(submission, reference, "gru_cell", (x, h, *weights), rtol=1e-7, atol=1e-9, case="textbook",
            name="h_t")
    try:
        submission.call("gru_cell", x, h, *weights, variant="keras")
    except AssertionError as error:
        expect_true("ValueError" in str(error), "an unknown variant must raise ValueError, not "
                    + str(error).split(":")[0][:120])
        return
    expect_true(False, "gru_cell(..., variant='keras') must raise ValueError naming the valid variants")


@points(1.5)
def test_gru_cell_gradients(submission, reference):
    args = _step("gradients", 2, 3, 4, torch.float64, 1.0)
    compare_gradients(submission, reference, "gru_cell", args, [(0,), (1,), (2,), (3,), (4,), (5,)], rtol=1e-6,
                      atol=1e-9, case="textbook, B=2 I=3 H=4",
                      names=["x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh"])


def _sequence(label, batch, time, input_size, hidden, with_state):
    generator = inputs(EXERCISE, "forward", label)
    x = randn(generator, batch, time, input_size)
    h0 = randn(generator, batch, hidden) if with_state else None
    return x, h0, *_weights(generator, input_size, hidden, torch.float64)


@points(2.5)
def test_gru_forward(submission, reference):
    cases = [("B=3 T=6", 3, 6, 4, 5, True), ("h0 None (zeros)", 2, 5, 3, 4, False), ("length 1", 2, 1, 3, 4, True),
             ("batch 1", 1, 7, 2, 3, True), ("long T=50", 2, 50, 3, 4, True), ("empty sequence T=0", 2, 0, 3, 4, True),
             ("empty sequence T=0, h0 None", 2, 0, 3, 4, False)]
    for variant in ("textbook", "pytorch"):
        for label, *shape in cases:
            compare(submission, reference, "gru_forward", _sequence(label, *shape), kwargs={"variant": variant},
                    rtol=1e-7, atol=1e-9, case=f"{variant}, {label}", name="(output, h_T)")
