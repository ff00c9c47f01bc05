"""Hidden suite of exercise 4: the LSTM cell from eqs. 5.4-5.8 in torch.nn.LSTM's weight layout.

torch.nn.LSTM / LSTMCell and the fused torch/_VF kernels are blocked inside the student's worker.
"""

import torch

from autograder.checks import compare, compare_gradients, expect_close, inputs, points, randn

EXERCISE = "ex04_lstm_cell"
FORBIDDEN = ["torch.nn.LSTM", "torch.nn.LSTMCell", "torch.nn.modules.rnn.LSTM", "torch.nn.modules.rnn.LSTMCell",
             "torch.lstm", "torch.lstm_cell", "torch._VF.lstm", "torch._VF.lstm_cell"]
TOLERANCE = {torch.float64: (1e-7, 1e-9), torch.float32: (1e-4, 1e-5)}

SHAPES = [
    ("B=3 I=4 H=5", 3, 4, 5, torch.float64, 1.0),
    ("batch 1", 1, 3, 4, torch.float64, 1.0),
    ("H=1", 2, 3, 1, torch.float64, 1.0),
    ("I != H, float32", 4, 7, 2, torch.float32, 1.0),
    ("large values (saturated gates)", 2, 3, 4, torch.float64, 25.0),
]


def _weights(generator, input_size, hidden, dtype, scale=1.0):
    return (randn(generator, 4 * hidden, input_size, dtype=dtype, scale=0.5 * scale),
            randn(generator, 4 * hidden, hidden, dtype=dtype, scale=0.5 * scale),
            randn(generator, 4 * hidden, dtype=dtype, scale=0.5), randn(generator, 4 * hidden, dtype=dtype, scale=0.5))


def _step(label, batch, input_size, hidden, dtype, scale):
    generator = inputs(EXERCISE, "step", label)
    x = randn(generator, batch, input_size, dtype=dtype, scale=scale)
    state = (randn(generator, batch, hidden, dtype=dtype), randn(generator, batch, hidden, dtype=dtype))
    return x, state, *_weights(generator, input_size, hidden, dtype)


@points(1)
def test_concatenated_weights(submission, reference):
    for label, _, input_size, hidden, dtype, _ in SHAPES[:4]:
        generator = inputs(EXERCISE, "concatenated", label)
        weight_ih, weight_hh, _, _ = _weights(generator, input_size, hidden, dtype)
        compare(submission, reference, "concatenated_weights", (weight_ih, weight_hh), rtol=0, atol=0, case=label,
                name="per-gate weights")


@points(1.5)
def test_lstm_gates(submission, reference):
    for label, *shape in SHAPES:
        x, (h, _), *weights = _step(label, *shape)
        rtol, atol = TOLERANCE[x.dtype]
        compare(submission, reference, "lstm_gates", (x, h, *weights), rtol=rtol, atol=atol, case=label,
                name="(i, f, g, o)")


@points(2.5)
def test_lstm_cell(submission, reference):
    for label, *shape in SHAPES:
        args = _step(label, *shape)
        rtol, atol = TOLERANCE[args[0].dtype]
        compare(submission, reference, "lstm_cell", args, rtol=rtol, atol=atol, case=label, name="(h_t, c_t)")
    zeros = tuple(torch.zeros_like(t) if isinstance(t, torch.Tensor) else tuple(map(torch.zeros_like, t))
                  for t in _step("zeros", 2, 3, 4, torch.float64, 1.0))
    compare(submission, reference, "lstm_cell", zeros, rtol=0, atol=1e-12, case="all zeros", name="(h_t, c_t)")


@points(1)
def test_lstm_cell_matches_torch(submission):
    """Independent of the reference: torch.nn.LSTMCell with the same weights (run here, in the grader)."""
    x, (h, c), weight_ih, weight_hh, bias_ih, bias_hh = _step("torch", 3, 4, 5, torch.float64, 1.0)
    cell = torch.nn.LSTMCell(4, 5).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(cell, name).copy_(value)
        want = cell(x, (h, c))
    got = submission.call("lstm_cell", x, (h, c), weight_ih, weight_hh, bias_ih, bias_hh)
    expect_close(got, tuple(want), rtol=1e-7, atol=1e-9, name="(h_t, c_t)", case="against torch.nn.LSTMCell")


@points(1.5)
def test_lstm_cell_gradients(submission, reference):
    args = _step("gradients", 2, 3, 4, torch.float64, 1.0)
    compare_gradients(submission, reference, "lstm_cell", args, [(0,), (1, 0), (1, 1), (2,), (3,), (4,)], rtol=1e-6,
                      atol=1e-9, case="B=2 I=3 H=4", names=["x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih"])


def _sequence(label, batch, time, input_size, hidden, with_state, dtype=torch.float64):
    generator = inputs(EXERCISE, "forward", label)
    x = randn(generator, batch, time, input_size, dtype=dtype)
    state = (randn(generator, batch, hidden, dtype=dtype), randn(generator, batch, hidden, dtype=dtype)) if with_state else None
    return x, state, *_weights(generator, input_size, hidden, dtype)


@points(2.5)
def test_lstm_forward(submission, reference):
    cases = [("B=3 T=6 with state", 3, 6, 4, 5, True), ("state None (zeros)", 2, 5, 3, 4, False),
             ("length 1", 2, 1, 3, 4, True), ("batch 1", 1, 7, 2, 3, True), ("long T=50", 2, 50, 3, 4, True),
             ("empty sequence T=0", 2, 0, 3, 4, True), ("empty sequence T=0, state None", 2, 0, 3, 4, False)]
    for label, *shape in cases:
        compare(submission, reference, "lstm_forward", _sequence(label, *shape), rtol=1e-7, atol=1e-9, case=label,
                name="(output, (h_T, c_T))")
    args = _sequence("float32", 2, 4, 3, 4, True, torch.float32)
    compare(submission, reference, "lstm_forward", args, rtol=1e-4, atol=1e-5, case="float32", name="(output, (h_T, c_T))")
