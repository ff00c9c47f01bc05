"""Hidden suite of exercise 1: the vanilla RNN forward pass (eq. 5.1) and the LM output layer (eq. 5.2)."""

import torch

from autograder.checks import compare, compare_gradients, inputs, points, randn

EXERCISE = "ex01_rnn_forward"
FORBIDDEN = ["torch.nn.RNN", "torch.nn.RNNCell", "torch.nn.modules.rnn.RNN", "torch.nn.modules.rnn.RNNCell",
             "torch.rnn_tanh", "torch.rnn_tanh_cell", "torch._VF.rnn_tanh", "torch._VF.rnn_tanh_cell"]
TOLERANCE = {torch.float64: (1e-7, 1e-9), torch.float32: (1e-4, 1e-5)}

# (label, batch, time, input, hidden, dtype, scale): batch 1, length 1, float32, saturating inputs.
SHAPES = [
    ("B=3 T=5 I=4 H=6 float64", 3, 5, 4, 6, torch.float64, 1.0),
    ("batch 1", 1, 4, 3, 5, torch.float64, 1.0),
    ("length 1", 2, 1, 3, 4, torch.float64, 1.0),
    ("float32", 4, 6, 5, 3, torch.float32, 1.0),
    ("large values", 2, 5, 3, 4, torch.float64, 30.0),
]


def _rnn(label, batch, time, inputs_size, hidden, dtype, scale):
    generator = inputs(EXERCISE, "rnn", label)
    x = randn(generator, batch, time, inputs_size, dtype=dtype, scale=scale)
    h0 = randn(generator, batch, hidden, dtype=dtype, scale=0.5)
    W_xh = randn(generator, hidden, inputs_size, dtype=dtype, scale=0.5)
    W_hh = randn(generator, hidden, hidden, dtype=dtype, scale=0.5)
    b_h = randn(generator, hidden, dtype=dtype, scale=0.1)
    return x, h0, W_xh, W_hh, b_h


@points(2)
def test_rnn_step(submission, reference):
    for label, *shape in SHAPES:
        x, h0, W_xh, W_hh, b_h = _rnn(label, *shape)
        rtol, atol = TOLERANCE[x.dtype]
        compare(submission, reference, "rnn_step", (x[:, 0], h0, W_xh, W_hh, b_h), rtol=rtol, atol=atol, case=label)
    x, h0, W_xh, W_hh, b_h = (torch.zeros_like(t) for t in _rnn("zeros", 2, 1, 3, 4, torch.float64, 1.0))
    compare(submission, reference, "rnn_step", (x[:, 0], h0, W_xh, W_hh, b_h), rtol=0, atol=1e-12, case="all zeros")


@points(2)
def test_rnn_forward(submission, reference):
    for label, *shape in SHAPES + [("empty sequence T=0", 2, 0, 3, 4, torch.float64, 1.0)]:
        args = _rnn(label, *shape)
        rtol, atol = TOLERANCE[args[0].dtype]
        compare(submission, reference, "rnn_forward", args, rtol=rtol, atol=atol, case=label,
                name="(outputs, h_T)")


@points(1)
def test_rnn_forward_gradients(submission, reference):
    """Parameter sharing: the gradient of W_hh sums over every step of the unrolled graph."""
    args = _rnn("gradients", 2, 6, 3, 4, torch.float64, 1.0)
    compare_gradients(submission, reference, "rnn_forward", args, [(2,), (3,), (4,), (1,)], rtol=1e-6, atol=1e-8,
                      case="B=2 T=6", names=["W_xh", "W_hh", "b_h", "h0"])


def _output_layer(label, shape, vocab, dtype, scale):
    generator = inputs(EXERCISE, "lm_output", label)
    h = randn(generator, *shape, dtype=dtype)
    return h, randn(generator, vocab, shape[-1], dtype=dtype, scale=scale), randn(generator, vocab, dtype=dtype)


@points(1.5)
def test_lm_output(submission, reference):
    cases = [("[B, T, H]", (3, 4, 5), 7, torch.float64, 1.0), ("[B, H]", (2, 5), 6, torch.float64, 1.0),
             ("batch 1 length 1", (1, 1, 3), 4, torch.float64, 1.0), ("float32", (2, 3, 4), 9, torch.float32, 1.0)]
    for label, shape, vocab, dtype, scale in cases:
        rtol, atol = TOLERANCE[dtype]
        compare(submission, reference, "lm_output", _output_layer(label, shape, vocab, dtype, scale),
                rtol=rtol, atol=atol, case=label, name="probabilities")


@points(0.5)
def test_lm_output_large_logits(submission, reference):
    """Logits in the hundreds: exp overflows unless the softmax subtracts the maximum first."""
    args = _output_layer("large logits", (2, 3, 4), 5, torch.float32, 60.0)
    compare(submission, reference, "lm_output", args, rtol=1e-4, atol=1e-6, case="logits in the hundreds (float32)",
            name="probabilities")


def _language_model(label, batch, time, vocab, embed, hidden, with_h0):
    generator = inputs(EXERCISE, "language_model", label)
    tokens = torch.randint(0, vocab, (batch, time), generator=generator)
    parameters = (randn(generator, vocab, embed), randn(generator, hidden, embed, scale=0.5),
                  randn(generator, hidden, hidden, scale=0.5), randn(generator, hidden, scale=0.1),
                  randn(generator, vocab, hidden), randn(generator, vocab, scale=0.1))
    h0 = randn(generator, batch, hidden, scale=0.5) if with_h0 else None
    return (tokens, *parameters), {} if h0 is None else {"h0": h0}


@points(2)
def test_rnn_language_model(submission, reference):
    cases = [("B=3 T=5 V=11 h0=None", 3, 5, 11, 4, 6, False), ("with h0", 2, 4, 7, 3, 5, True),
             ("batch 1 length 1", 1, 1, 5, 2, 3, False), ("empty sequence T=0", 2, 0, 5, 2, 3, True)]
    for label, *shape in cases:
        args, kwargs = _language_model(label, *shape)
        compare(submission, reference, "rnn_language_model", args, kwargs=kwargs, rtol=1e-7, atol=1e-9, case=label,
                name="(probs, h_T)")


@points(1)
def test_sequence_nll(submission, reference):
    for label, (batch, time, vocab) in [("B=3 T=4 V=6", (3, 4, 6)), ("batch 1 length 1", (1, 1, 5))]:
        generator = inputs(EXERCISE, "nll", label)
        probs = torch.softmax(randn(generator, batch, time, vocab, scale=2.0), dim=-1)
        targets = torch.randint(0, vocab, (batch, time), generator=generator)
        compare(submission, reference, "sequence_nll", (probs, targets), rtol=1e-9, atol=1e-12, case=label,
                name="mean NLL")
    # tiny probabilities away from the targets: a clamp must not write into the caller's tensor
    generator = inputs(EXERCISE, "nll", "tiny probabilities")
    probs = torch.softmax(randn(generator, 2, 3, 4, scale=2.0), dim=-1)
    targets = probs.argmax(dim=-1)  # [B, T]
    probs = torch.where(probs == probs.min(dim=-1, keepdim=True).values, torch.full_like(probs, 1e-30), probs)
    compare(submission, reference, "sequence_nll", (probs, targets), rtol=1e-9, atol=1e-12,
            case="some probabilities of 1e-30 (not at the targets)", name="mean NLL")
