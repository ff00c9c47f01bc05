"""Vanishing-gradient measurement: eq. 5.3, brute force, vanishing/exploding, spectral radius."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from rnnlm.analysis.gradients import (
    eq_5_3_gradient,
    fit_decay,
    gate_blocks,
    hidden_gradients,
    measure_gradient_flow,
    spectral_radius,
)
from rnnlm.analysis.stack import build_stack, stack_from_module, unroll

ATOL = 1e-10
RTOL = 1e-8


def _random_inputs(batch_size=3, steps=7, features=4, seed=0):
    return torch.randn(batch_size, steps, features, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _unit_readout(batch_size, hidden_size, seed=1):
    readout = torch.randn(batch_size, hidden_size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return readout / readout.norm(dim=1, keepdim=True)


def test_eq_5_3_explicit_product_matches_autograd():
    stack = build_stack("rnn", hidden_size=5, input_size=4, seed=3).copy_as(torch.float64)
    inputs = _random_inputs()
    readout = _unit_readout(3, 5)
    grads, hidden = hidden_gradients(stack, inputs, readout)
    steps = inputs.shape[1]
    for k in range(1, steps + 1):
        explicit = eq_5_3_gradient(hidden[0], stack.weights_hh[0].detach(), readout, k)  # eq. 5.3
        torch.testing.assert_close(explicit, grads[0][k - 1], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("architecture", ["rnn", "lstm", "gru"])
def test_gradients_equal_brute_force_restart_from_h_k(architecture):
    """dL_T/dh_k by re-running the fused torch layer from a leaf h_k (c_k held fixed for the LSTM)."""
    torch.manual_seed(0)
    layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[architecture](4, 5, batch_first=True).double()
    stack = stack_from_module(layer)
    inputs, readout = _random_inputs(), _unit_readout(3, 5)
    grads, _ = hidden_gradients(stack, inputs, readout)
    steps = inputs.shape[1]
    for k in range(1, steps):
        with torch.no_grad():
            _, state = layer(inputs[:, :k])  # state after step k
        h_k = (state[0] if architecture == "lstm" else state).clone().requires_grad_(True)  # [1, B, H]
        hx = (h_k, state[1]) if architecture == "lstm" else h_k
        output, _ = layer(inputs[:, k:], hx)
        (brute,) = torch.autograd.grad((output[:, -1] * readout).sum(), h_k)
        torch.testing.assert_close(grads[0][k - 1], brute[0], rtol=RTOL, atol=ATOL)


def test_measure_gradient_flow_norms_are_batch_means_by_distance():
    stack = build_stack("gru", hidden_size=5, input_size=4, seed=1)
    flow = measure_gradient_flow(stack, steps=6, batch_size=3, seed=7)
    generator = torch.Generator().manual_seed(7)  # the same draws, in the same order, as the function
    inputs = torch.randn(3, 6, 4, generator=generator).double()
    readout = torch.randn(3, 5, generator=generator).double()
    grads, _ = hidden_gradients(stack.copy_as(torch.float64), inputs, readout / readout.norm(dim=1, keepdim=True))
    expected = [grads[0][6 - 1 - d].norm(dim=1).mean().item() for d in range(6)]
    np.testing.assert_allclose(flow.norms[0], expected, rtol=1e-12)
    assert flow.norms[0][0] == pytest.approx(1.0, rel=1e-12)  # ||dL_T/dh_T|| = ||u|| = 1


def _rnn_with_recurrent_weight(weight_hh: torch.Tensor, input_weight_scale: float) -> nn.RNN:
    hidden_size = weight_hh.shape[0]
    layer = nn.RNN(3, hidden_size, batch_first=True).double()
    with torch.no_grad():
        layer.weight_hh_l0.copy_(weight_hh)
        layer.weight_ih_l0.mul_(input_weight_scale)
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
    return layer


def _orthogonal(size: int, seed: int = 0) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(size, size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64))
    return q


def test_tanh_rnn_with_small_weights_vanishes():
    torch.manual_seed(0)
    layer = _rnn_with_recurrent_weight(0.5 * _orthogonal(8), input_weight_scale=1.0)
    flow = measure_gradient_flow(stack_from_module(layer), steps=30, batch_size=4)
    assert flow.norms[0][20] < 1e-3 * flow.norms[0][0]
    assert flow.factor_per_step < 0.5 + 1e-9  # |tanh'| <= 1 and ||W_hh|| = 0.5
    assert flow.spectral_radius["h"] == pytest.approx(0.5, rel=1e-6)


def test_tanh_rnn_with_large_spectral_radius_explodes():
    """Zero inputs keep h at the fixed point 0, where tanh' = 1: the Jacobian product is W_hh^d exactly."""
    torch.manual_seed(0)
    layer = _rnn_with_recurrent_weight(2.0 * _orthogonal(8), input_weight_scale=0.0)
    flow = measure_gradient_flow(stack_from_module(layer), steps=30, batch_size=4)
    assert flow.norms[0][20] > 1e3 * flow.norms[0][0]
    np.testing.assert_allclose(flow.norms[0], 2.0 ** np.arange(30), rtol=1e-9)
    assert flow.factor_per_step == pytest.approx(2.0, rel=1e-9)
    assert flow.half_life == math.inf


def test_spectral_radius_matches_eigvals():
    generator = torch.Generator().manual_seed(0)
    basis = torch.randn(4, 4, generator=generator, dtype=torch.float64)
    matrix = basis @ torch.diag(torch.tensor([0.3, -1.7, 0.9, 0.1], dtype=torch.float64)) @ torch.linalg.inv(basis)
    assert spectral_radius(matrix) == pytest.approx(1.7, rel=1e-9)
    weight_hh = torch.randn(4 * 6, 6, generator=generator)
    blocks = gate_blocks(weight_hh, "lstm")
    assert list(blocks) == ["i", "f", "g", "o"]
    for index, block in enumerate(blocks.values()):
        reference = torch.linalg.eigvals(weight_hh[index * 6 : (index + 1) * 6].double()).abs().max().item()
        assert spectral_radius(block) == pytest.approx(reference, rel=1e-9)
    with pytest.raises(ValueError, match="square"):
        spectral_radius(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"\[3\*H, H\]"):
        gate_blocks(weight_hh, "gru")


@pytest.mark.parametrize(("architecture", "variant", "bias", "expected"), [
    ("lstm", None, 30.0, 1.0), ("lstm", None, -30.0, 0.0),  # forget gate open / shut
    ("gru", "pytorch", 30.0, 1.0), ("gru", "textbook", 30.0, 0.0),  # torch's z keeps h; eq. 5.11's z replaces it
])
def test_keep_gate_follows_the_gate_bias(architecture, variant, bias, expected):
    torch.manual_seed(0)
    if variant == "textbook":
        from rnnlm.cells import GRU

        layer = GRU(4, 5, batch_first=True, variant="textbook")
    else:
        layer = {"lstm": nn.LSTM, "gru": nn.GRU}[architecture](4, 5, batch_first=True)
    with torch.no_grad():
        layer.bias_ih_l0[5:10].fill_(bias)  # gate block 1: LSTM f, GRU z
    flow = measure_gradient_flow(stack_from_module(layer), steps=5, batch_size=2)
    assert flow.keep_gate["mean"] == pytest.approx(expected, abs=1e-6)
    assert flow.keep_gate["max_unit"] == pytest.approx(expected, abs=1e-6)
    assert flow.keep_gate["units_above_0.9"] == expected
    assert measure_gradient_flow(build_stack("rnn", 4), steps=3, batch_size=1).keep_gate is None


def test_fit_decay_recovers_a_geometric_rate():
    distances = np.arange(40)
    factor, half_life = fit_decay(distances, 3.0 * 0.8**distances)
    assert factor == pytest.approx(0.8, rel=1e-9)
    assert half_life == pytest.approx(math.log(0.5) / math.log(0.8), rel=1e-9)


def _layer(architecture: str) -> nn.Module:
    if architecture == "gru-textbook":  # eq. 5.11, only in the scratch backend
        from rnnlm.cells import GRU

        return GRU(4, 5, num_layers=2, batch_first=True, variant="textbook")
    return {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[architecture](4, 5, num_layers=2, batch_first=True)


@pytest.mark.parametrize("architecture", ["rnn", "lstm", "gru", "gru-textbook"])
def test_unrolled_stack_matches_the_fused_layer(architecture):
    torch.manual_seed(0)
    layer = _layer(architecture)
    stack = stack_from_module(layer)
    inputs = _random_inputs().float()
    hidden, _ = unroll(stack, inputs)
    expected, _ = layer(inputs)  # [B, T, H] of the top layer
    torch.testing.assert_close(torch.stack(hidden[-1], dim=1), expected, rtol=1e-5, atol=1e-6)
    assert stack.layers[1].weight_hh_l0 is layer.weight_hh_l1  # shared, not copied


def test_bad_inputs_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown architecture .transformer.; valid: .rnn., .lstm., .gru."):
        build_stack("transformer", hidden_size=4)
    with pytest.raises(ValueError, match="no recurrent layer"):
        stack_from_module(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="not found"):
        from rnnlm.analysis.stack import load_checkpoint_stack

        load_checkpoint_stack("/nonexistent/model.ckpt")
