"""Converters, the backend factory, and the errors a user gets for bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnlm import cells
from rnnlm.cells import from_torch, make_recurrent_layer, to_torch

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}


def _tensors(result) -> list[torch.Tensor]:
    """The tensors of a layer's or cell's result, nested tuples flattened."""
    if isinstance(result, torch.Tensor):
        return [result]
    return [tensor for part in result for tensor in _tensors(part)]


def _same_outputs(first: nn.Module, second: nn.Module, inputs: torch.Tensor) -> None:
    expected, actual = _tensors(first(inputs)), _tensors(second(inputs))
    assert len(actual) == len(expected)
    for e, a in zip(expected, actual):
        torch.testing.assert_close(a, e, **TOLERANCE)


TORCH_LAYERS = [
    lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True, bidirectional=True),
    lambda: nn.LSTM(3, 4, num_layers=3, dropout=0.25, bias=False),
    lambda: nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True),
]


@pytest.mark.parametrize("build", TORCH_LAYERS, ids=["rnn", "lstm", "gru"])
def test_layers_round_trip_through_scratch(build):
    torch.manual_seed(0)
    original = build().double().eval()
    scratch = from_torch(original)
    assert isinstance(scratch, cells.RecurrentLayer) and not scratch.training
    for attribute in ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"):
        assert getattr(scratch, attribute) == getattr(original, attribute), attribute
    inputs = torch.randn(2, 5, 3, dtype=torch.float64)
    _same_outputs(original, scratch, inputs)
    back = to_torch(scratch)
    assert type(back) is type(original) and back.mode == original.mode
    assert back.state_dict().keys() == original.state_dict().keys()
    for name, value in original.state_dict().items():
        assert torch.equal(back.state_dict()[name], value) and back.state_dict()[name].dtype == torch.float64
    _same_outputs(original, back, inputs)


@pytest.mark.parametrize("torch_cell", [nn.RNNCell(3, 4, nonlinearity="relu"), nn.LSTMCell(3, 4), nn.GRUCell(3, 4, bias=False)])
def test_cells_round_trip_through_scratch(torch_cell):
    original = torch_cell.double()
    scratch = from_torch(original)
    assert isinstance(scratch, cells.RecurrentCell)
    inputs = torch.randn(2, 3, dtype=torch.float64)
    _same_outputs(original, scratch, inputs)
    back = to_torch(scratch)
    assert type(back) is type(original)
    _same_outputs(original, back, inputs)


def test_textbook_gru_refuses_conversion_to_torch():
    with pytest.raises(ValueError, match="variant='textbook'"):
        to_torch(cells.GRU(3, 4, variant="textbook"))
    with pytest.raises(ValueError, match="variant='textbook'"):
        to_torch(cells.GRUCell(3, 4, variant="textbook"))


def test_converters_refuse_other_modules():
    with pytest.raises(TypeError, match="Linear"):
        from_torch(nn.Linear(3, 4))
    with pytest.raises(TypeError, match="LSTM"):
        to_torch(nn.LSTM(3, 4))
    with pytest.raises(ValueError, match="proj_size"):
        from_torch(nn.LSTM(3, 4, proj_size=2))


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_factory_builds_both_backends_with_one_state_dict(mode):
    fused = make_recurrent_layer(mode, "fused", 3, 4, num_layers=2, dropout=0.1)
    scratch = make_recurrent_layer(mode, "scratch", 3, 4, num_layers=2, dropout=0.1)
    assert isinstance(fused, (nn.RNN, nn.LSTM, nn.GRU)) and fused.batch_first
    assert isinstance(scratch, cells.RecurrentLayer) and scratch.batch_first
    scratch.load_state_dict(fused.state_dict())
    _same_outputs(fused.double().eval(), scratch.double().eval(), torch.randn(2, 5, 3, dtype=torch.float64))


def test_factory_passes_gru_variant_and_rnn_nonlinearity():
    assert make_recurrent_layer("gru", "scratch", 3, 4, variant="textbook").variant == "textbook"
    assert make_recurrent_layer("rnn", "fused", 3, 4, nonlinearity="relu").nonlinearity == "relu"
    assert make_recurrent_layer("rnn", "scratch", 3, 4, nonlinearity="relu").nonlinearity == "relu"


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(mode="transformer"), r"unknown mode 'transformer'; valid: 'rnn', 'lstm', 'gru'"),
        (dict(backend="cudnn"), r"unknown backend 'cudnn'; valid: 'fused', 'scratch'"),
        (dict(mode="gru", variant="cho"), r"unknown GRU variant 'cho'; valid: 'pytorch', 'textbook'"),
        (dict(mode="gru", variant="textbook", backend="fused"), r"only with backend='scratch'"),
        (dict(mode="lstm", variant="textbook"), r"applies only to mode='gru'"),
        (dict(mode="lstm", nonlinearity="relu"), r"applies only to mode='rnn'"),
        (dict(nonlinearity="sigmoid"), r"unknown nonlinearity 'sigmoid'; valid: 'tanh', 'relu'"),
        (dict(dropout=1.0), r"dropout must be a probability in \[0, 1\), received 1.0"),
        (dict(dropout=-0.1), r"dropout must be a probability in \[0, 1\), received -0.1"),
        (dict(num_layers=0), r"num_layers must be a positive integer, received 0"),
        (dict(hidden_size=2.5), r"hidden_size must be a positive integer, received 2.5"),
    ],
)
def test_factory_rejects_bad_options(arguments, message):
    options = dict(mode="rnn", backend="scratch", input_size=3, hidden_size=4) | arguments
    with pytest.raises(ValueError, match=message):
        make_recurrent_layer(**options)


@pytest.mark.parametrize(
    "build",
    [lambda: cells.LSTM(3, 4, dropout=1.5), lambda: cells.GRU(3, 4, variant="chapter"), lambda: cells.RNN(3, 4, nonlinearity="gelu")],
)
def test_layers_reject_bad_options(build):
    with pytest.raises(ValueError, match="valid|in \\[0, 1\\)"):
        build()


def test_wrong_input_rank_size_and_dtype_say_expected_and_received():
    layer = cells.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"expected a 3-D input of shape \[B, T, I\] with I=3.*received 4-D input of shape \[1, 2, 5, 3\]"):
        layer(torch.zeros(1, 2, 5, 3))
    with pytest.raises(ValueError, match=r"expected input size I=3 .*received shape \[2, 5, 7\]"):
        layer(torch.zeros(2, 5, 7))
    with pytest.raises(ValueError, match=r"input dtype torch.float64 does not match the parameters' dtype torch.float32"):
        layer(torch.zeros(2, 5, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"expected a 2-D input of shape \[B, I\] with I=3.*received 3-D"):
        cells.GRUCell(3, 4)(torch.zeros(2, 5, 3))
    with pytest.raises(TypeError, match="pad the batch"):
        layer(nn.utils.rnn.pack_sequence([torch.zeros(2, 3)]))


def test_wrong_initial_state_says_expected_and_received():
    with pytest.raises(ValueError, match=r"expected h_0 of shape \[2, 2, 4\], received \[1, 2, 4\]"):
        cells.GRU(3, 4, num_layers=2)(torch.zeros(2, 5, 3), torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"tuple \(h_0, c_0\)"):
        cells.LSTM(3, 4)(torch.zeros(2, 5, 3), torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"expected c_0 of shape \[2, 2, 4\], received \[2, 3, 4\]"):
        cells.LSTM(3, 4, bidirectional=True)(torch.zeros(2, 5, 3), (torch.zeros(2, 2, 4), torch.zeros(2, 3, 4)))
    with pytest.raises(ValueError, match=r"expected h of shape \[2, 4\], received \[4\]"):
        cells.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(4))
