"""The scratch layers and cells against torch.nn: outputs and every gradient, float64, 1e-10.

Reference: torch.nn.RNN / LSTM / GRU and their *Cell versions, loaded with the same weights.
"""

from __future__ import annotations

import itertools
import zlib

import pytest
import torch
from torch import nn

from rnnlm import cells

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}

# (mode, nonlinearity): the four recurrences torch.nn has.
KINDS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
# (input_size, hidden_size, batch_size, steps): batch 1 and a single step included.
SIZES = [(3, 4, 2, 5), (5, 3, 1, 4), (4, 6, 3, 1), (2, 5, 1, 1), (6, 2, 4, 7)]


def _torch_layer(mode: str, nonlinearity: str, **options) -> nn.Module:
    if mode == "rnn":
        return nn.RNN(nonlinearity=nonlinearity, **options)
    return {"lstm": nn.LSTM, "gru": nn.GRU}[mode](**options)


def _scratch_layer(mode: str, nonlinearity: str, **options) -> nn.Module:
    if mode == "rnn":
        return cells.RNN(nonlinearity=nonlinearity, **options)
    return {"lstm": cells.LSTM, "gru": cells.GRU}[mode](**options)


def _flatten(hidden):
    return list(hidden) if isinstance(hidden, tuple) else [hidden]


def _outputs_and_gradients(module, inputs, hidden, upstream):
    """Forward, then backward a fixed random projection of every output; return all of it."""
    inputs = inputs.detach().clone().requires_grad_(True)
    hidden = None if hidden is None else tuple(h.detach().clone().requires_grad_(True) for h in hidden)
    call_hidden = None if hidden is None else (hidden if len(hidden) == 2 else hidden[0])
    output, final = module(inputs, call_hidden)
    results = [output] + _flatten(final)
    loss = sum((result * weight).sum() for result, weight in zip(results, upstream))
    module.zero_grad()
    loss.backward()
    gradients = {name: p.grad.clone() for name, p in module.named_parameters()}
    gradients["input"] = inputs.grad
    if hidden is not None:
        for index, h in enumerate(hidden):
            gradients[f"hx{index}"] = h.grad
    return [r.detach() for r in results], gradients


# (bidirectional, bias, initial state): every pair of values of these three switches occurs
# once, for each recurrence and depth (a pairwise design: half the full product's cases).
SWITCHES = [(False, True, False), (False, False, True), (True, True, True), (True, False, False)]
CASES = [
    (kind, num_layers, bidirectional, bias, with_hidden, SIZES[index % len(SIZES)])
    for index, (kind, num_layers, (bidirectional, bias, with_hidden)) in enumerate(
        itertools.product(KINDS, (1, 2, 3), SWITCHES)
    )
]


@pytest.mark.parametrize(
    "kind, num_layers, bidirectional, bias, with_hidden, sizes",
    CASES,
    ids=[
        f"{m}-{n}-L{l}-{'bi' if b else 'uni'}-{'bias' if bb else 'nobias'}-{'hx' if h else 'nohx'}-{s}"
        for (m, n), l, b, bb, h, s in CASES
    ],
)
def test_layer_matches_torch(kind, num_layers, bidirectional, bias, with_hidden, sizes):
    mode, nonlinearity = kind
    input_size, hidden_size, batch_size, steps = sizes
    generator = torch.Generator().manual_seed(zlib.crc32(repr((kind, num_layers, bidirectional, bias, with_hidden)).encode()))
    options = dict(
        input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, bias=bias,
        batch_first=True, bidirectional=bidirectional,
    )
    reference = _torch_layer(mode, nonlinearity, **options).double()
    with torch.no_grad():  # wider than torch's default init, so that gates saturate differently
        for parameter in reference.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=torch.float64) * 0.7)
    scratch = _scratch_layer(mode, nonlinearity, **options).double()
    scratch.load_state_dict(reference.state_dict())

    directions = 2 if bidirectional else 1
    inputs = torch.randn(batch_size, steps, input_size, generator=generator, dtype=torch.float64)
    state_shape = (num_layers * directions, batch_size, hidden_size)
    hidden = None
    if with_hidden:
        hidden = tuple(
            torch.randn(state_shape, generator=generator, dtype=torch.float64)
            for _ in range(2 if mode == "lstm" else 1)
        )
    result_shapes = [(batch_size, steps, directions * hidden_size)] + [state_shape] * (2 if mode == "lstm" else 1)
    upstream = [torch.randn(shape, generator=generator, dtype=torch.float64) for shape in result_shapes]

    expected_results, expected_gradients = _outputs_and_gradients(reference, inputs, hidden, upstream)
    results, gradients = _outputs_and_gradients(scratch, inputs, hidden, upstream)
    for expected, actual, shape in zip(expected_results, results, result_shapes):
        assert actual.shape == shape
        torch.testing.assert_close(actual, expected, **TOLERANCE)
    assert gradients.keys() == expected_gradients.keys()
    for name, expected in expected_gradients.items():
        torch.testing.assert_close(gradients[name], expected, **TOLERANCE, msg=lambda m, name=name: f"d/d{name}: {m}")


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_time_major_and_unbatched_inputs_match_torch(mode):
    torch.manual_seed(1)
    reference = _torch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, batch_first=False).double()
    scratch = _scratch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, batch_first=False).double()
    scratch.load_state_dict(reference.state_dict())
    time_major = torch.randn(5, 2, 3, dtype=torch.float64)  # [T, B, I]
    unbatched = torch.randn(5, 3, dtype=torch.float64)  # [T, I]
    for inputs in (time_major, unbatched):
        expected, actual = reference(inputs), scratch(inputs)
        torch.testing.assert_close(actual[0], expected[0], **TOLERANCE)
        for e, a in zip(_flatten(expected[1]), _flatten(actual[1])):
            torch.testing.assert_close(a, e, **TOLERANCE)


@pytest.mark.parametrize("kind", KINDS, ids=[f"{m}-{n}" for m, n in KINDS])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch(kind, batched, bias):
    mode, nonlinearity = kind
    torch.manual_seed(2)
    if mode == "rnn":
        reference, scratch = nn.RNNCell(4, 5, bias, nonlinearity), cells.RNNCell(4, 5, bias, nonlinearity)
    else:
        reference = {"lstm": nn.LSTMCell, "gru": nn.GRUCell}[mode](4, 5, bias)
        scratch = {"lstm": cells.LSTMCell, "gru": cells.GRUCell}[mode](4, 5, bias)
    reference, scratch = reference.double(), scratch.double()
    scratch.load_state_dict(reference.state_dict())
    batch = (3,) if batched else ()
    inputs = torch.randn(*batch, 4, dtype=torch.float64)
    for hidden in (None, tuple(torch.randn(*batch, 5, dtype=torch.float64) for _ in range(2 if mode == "lstm" else 1))):
        outputs = []
        for module in (reference, scratch):
            x = inputs.clone().requires_grad_(True)
            h = None if hidden is None else tuple(part.clone().requires_grad_(True) for part in hidden)
            result = module(x, None if h is None else (h if mode == "lstm" else h[0]))
            loss = sum((part * (index + 1.5)).tanh().sum() for index, part in enumerate(_flatten(result)))
            module.zero_grad()
            loss.backward()
            grads = [x.grad] + ([] if h is None else [part.grad for part in h])
            grads += [p.grad.clone() for p in module.parameters()]
            outputs.append((_flatten(result), grads))
        (expected, expected_grads), (actual, actual_grads) = outputs
        for e, a in zip(expected + expected_grads, actual + actual_grads):
            assert a.shape == e.shape
            torch.testing.assert_close(a, e, **TOLERANCE)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_parameter_names_shapes_and_initial_range_match_torch(mode):
    reference = _torch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    scratch = _scratch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    expected = {name: p.shape for name, p in reference.named_parameters()}
    assert {name: p.shape for name, p in scratch.named_parameters()} == expected
    assert list(scratch.state_dict()) == list(reference.state_dict())
    for parameter in scratch.parameters():  # torch.nn's init: U(-1/sqrt(H), 1/sqrt(H))
        assert parameter.abs().max() <= 0.5 and parameter.std() > 0.1


def test_dropout_acts_between_layers_in_training_only():
    torch.manual_seed(3)
    scratch = cells.LSTM(3, 8, num_layers=2, dropout=0.5).double()
    reference = nn.LSTM(3, 8, num_layers=2, dropout=0.5, batch_first=True).double()
    reference.load_state_dict(scratch.state_dict())
    inputs = torch.randn(2, 6, 3, dtype=torch.float64)
    scratch.eval(), reference.eval()
    torch.testing.assert_close(scratch(inputs)[0], reference(inputs)[0], **TOLERANCE)
    scratch.train()
    first, second = scratch(inputs)[0], scratch(inputs)[0]
    assert not torch.allclose(first, second), "two training passes should draw different masks"
    single = cells.LSTM(3, 8, num_layers=1).double()
    single.load_state_dict({k: v for k, v in scratch.state_dict().items() if k.endswith("l0")})
    single_layer_out = single(inputs)[0]
    # The first layer's own output is untouched by dropout: it acts only between layers.
    _, _, states = scratch.forward_with_hidden_states(inputs)
    torch.testing.assert_close(torch.stack(states[0], dim=1), single_layer_out, **TOLERANCE)


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="num_layers=1"):
        cells.GRU(3, 4, num_layers=1, dropout=0.2)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_scratch_on_cuda_matches_cudnn(mode):
    torch.manual_seed(6)
    reference = _torch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                             batch_first=True).double().cuda()
    scratch = _scratch_layer(mode, "tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                             batch_first=True).double().cuda()
    scratch.load_state_dict(reference.state_dict())
    inputs = torch.randn(2, 5, 3, dtype=torch.float64, device="cuda")
    upstream = [torch.randn(2, 5, 8, dtype=torch.float64, device="cuda")] + [
        torch.randn(4, 2, 4, dtype=torch.float64, device="cuda") for _ in range(2 if mode == "lstm" else 1)
    ]
    expected_results, expected_gradients = _outputs_and_gradients(reference, inputs, None, upstream)
    results, gradients = _outputs_and_gradients(scratch, inputs, None, upstream)
    for expected, actual in zip(expected_results, results):
        torch.testing.assert_close(actual, expected, **TOLERANCE)
    for name, expected in expected_gradients.items():
        torch.testing.assert_close(gradients[name], expected, **TOLERANCE)
