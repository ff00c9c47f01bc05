"""The scratch cells against deliberately naive transcriptions of the chapter's equations.

Each reference below is written the way the chapter writes it: one weight on the
concatenation [h_{t-1}, x_t] and one bias per gate, one time step at a time, no fusing.
The concatenated weights are assembled from the torch-layout parameters exactly as
docs/cells.md describes: W_gate = [W_h,gate | W_i,gate], b_gate = b_i,gate + b_h,gate.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnlm import cells

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}


def _block(tensor: torch.Tensor, index: int, hidden_size: int) -> torch.Tensor:
    return tensor[index * hidden_size : (index + 1) * hidden_size]


def _chapter_weights(module: nn.Module, gates: list[str], suffix: str = "_l0") -> dict:
    """{gate: (W on [h, x], b)} from torch-layout parameters (gate order as torch stacks them)."""
    hidden_size = module.hidden_size
    weight_ih, weight_hh = getattr(module, f"weight_ih{suffix}"), getattr(module, f"weight_hh{suffix}")
    bias_ih, bias_hh = getattr(module, f"bias_ih{suffix}"), getattr(module, f"bias_hh{suffix}")
    return {
        gate: (
            torch.cat([_block(weight_hh, k, hidden_size), _block(weight_ih, k, hidden_size)], dim=1),
            _block(bias_ih, k, hidden_size) + _block(bias_hh, k, hidden_size),
        )
        for k, gate in enumerate(gates)
    }


def _naive_elman(module, inputs, h):
    (W, b) = _chapter_weights(module, ["h"])["h"]
    outputs = []
    for t in range(inputs.shape[1]):
        h = torch.tanh(torch.cat([h, inputs[:, t]], dim=1) @ W.T + b)  # eq. 5.1
        outputs.append(h)
    return torch.stack(outputs, dim=1), h


def _naive_lstm(module, inputs, h, c):
    weights = _chapter_weights(module, ["i", "f", "c", "o"])
    sigmoid = lambda v: 1.0 / (1.0 + torch.exp(-v))  # noqa: E731
    outputs = []
    for t in range(inputs.shape[1]):
        hx = torch.cat([h, inputs[:, t]], dim=1)  # [h_{t-1}, x_t]
        f = sigmoid(hx @ weights["f"][0].T + weights["f"][1])  # eq. 5.4
        i = sigmoid(hx @ weights["i"][0].T + weights["i"][1])  # eq. 5.5
        c_tilde = torch.tanh(hx @ weights["c"][0].T + weights["c"][1])  # eq. 5.6
        c = f * c + i * c_tilde  # eq. 5.7
        o = sigmoid(hx @ weights["o"][0].T + weights["o"][1])  # eq. 5.8
        h = o * torch.tanh(c)  # eq. 5.8
        outputs.append(h)
    return torch.stack(outputs, dim=1), h, c


def _naive_textbook_gru(module, inputs, h):
    weights = _chapter_weights(module, ["r", "z", "h"])
    sigmoid = lambda v: 1.0 / (1.0 + torch.exp(-v))  # noqa: E731
    outputs = []
    for t in range(inputs.shape[1]):
        x = inputs[:, t]
        z = sigmoid(torch.cat([h, x], dim=1) @ weights["z"][0].T + weights["z"][1])  # eq. 5.9
        r = sigmoid(torch.cat([h, x], dim=1) @ weights["r"][0].T + weights["r"][1])  # eq. 5.10
        candidate = torch.tanh(torch.cat([r * h, x], dim=1) @ weights["h"][0].T + weights["h"][1])
        h = (1 - z) * h + z * candidate  # eq. 5.11
        outputs.append(h)
    return torch.stack(outputs, dim=1), h


@pytest.fixture
def window():
    generator = torch.Generator().manual_seed(5)
    inputs = torch.randn(3, 6, 4, generator=generator, dtype=torch.float64)  # [B, T, I]
    h0 = torch.randn(3, 5, generator=generator, dtype=torch.float64)  # [B, H]
    c0 = torch.randn(3, 5, generator=generator, dtype=torch.float64)
    return inputs, h0, c0


def _randomise(module: nn.Module, seed: int) -> nn.Module:
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    return module


def test_elman_rnn_follows_eq_5_1(window):
    inputs, h0, _ = window
    layer = _randomise(cells.RNN(4, 5).double(), 0)
    output, h_n = layer(inputs, h0.unsqueeze(0))
    expected_output, expected_h = _naive_elman(layer, inputs, h0)
    torch.testing.assert_close(output, expected_output, **TOLERANCE)
    torch.testing.assert_close(h_n[0], expected_h, **TOLERANCE)


def test_lstm_follows_eqs_5_4_to_5_8(window):
    inputs, h0, c0 = window
    layer = _randomise(cells.LSTM(4, 5).double(), 1)
    output, (h_n, c_n) = layer(inputs, (h0.unsqueeze(0), c0.unsqueeze(0)))
    expected_output, expected_h, expected_c = _naive_lstm(layer, inputs, h0, c0)
    torch.testing.assert_close(output, expected_output, **TOLERANCE)
    torch.testing.assert_close(h_n[0], expected_h, **TOLERANCE)
    torch.testing.assert_close(c_n[0], expected_c, **TOLERANCE)


def test_textbook_gru_follows_eqs_5_9_to_5_11(window):
    inputs, h0, _ = window
    layer = _randomise(cells.GRU(4, 5, variant="textbook").double(), 2)
    output, h_n = layer(inputs, h0.unsqueeze(0))
    expected_output, expected_h = _naive_textbook_gru(layer, inputs, h0)
    torch.testing.assert_close(output, expected_output, **TOLERANCE)
    torch.testing.assert_close(h_n[0], expected_h, **TOLERANCE)
    # The single-step cell computes the same recurrence.
    cell = cells.GRUCell(4, 5, variant="textbook").double()
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in layer.state_dict().items()})
    h = h0
    for t in range(inputs.shape[1]):
        h = cell(inputs[:, t], h)
        torch.testing.assert_close(h, expected_output[:, t], **TOLERANCE)


def _flip_update_gate(state: dict, hidden_size: int) -> dict:
    """Negate the z rows: sigmoid(-a) = 1 - sigmoid(a) turns torch's z into the chapter's."""
    flipped = {}
    for name, value in state.items():
        value = value.clone()
        value[hidden_size : 2 * hidden_size] *= -1
        flipped[name] = value
    return flipped


def test_textbook_gru_differs_from_pytorch_gru_by_where_the_reset_gate_acts(window):
    inputs, h0, _ = window
    hidden = h0.unsqueeze(0)
    textbook = _randomise(cells.GRU(4, 5, variant="textbook").double(), 3)
    pytorch = nn.GRU(4, 5, batch_first=True).double()

    # Same weights: the outputs differ.
    pytorch.load_state_dict(textbook.state_dict())
    assert (textbook(inputs, hidden)[0] - pytorch(inputs, hidden)[0]).abs().max() > 0.05

    # Even with z re-expressed in torch's convention (z_torch = 1 - z_textbook), they differ,
    # because the reset gate multiplies h before W_hn in eq. 5.11 and after it in torch ...
    pytorch.load_state_dict(_flip_update_gate(textbook.state_dict(), 5))
    assert (textbook(inputs, hidden)[0] - pytorch(inputs, hidden)[0]).abs().max() > 0.05

    # ... and that is the only difference: with the reset gate held open (r = 1) they agree.
    with torch.no_grad():
        textbook.weight_ih_l0[:5] = 0
        textbook.weight_hh_l0[:5] = 0
        textbook.bias_ih_l0[:5] = 60.0  # sigmoid(60) == 1.0 in float64
    pytorch.load_state_dict(_flip_update_gate(textbook.state_dict(), 5))
    torch.testing.assert_close(textbook(inputs, hidden)[0], pytorch(inputs, hidden)[0], **TOLERANCE)


def test_textbook_gru_gradients_match_the_naive_equations(window):
    inputs, h0, _ = window
    layer = _randomise(cells.GRU(4, 5, variant="textbook").double(), 4)
    results = []
    for run in ("scratch", "naive"):
        x = inputs.clone().requires_grad_(True)
        h = h0.clone().requires_grad_(True)
        layer.zero_grad()
        output = layer(x, h.unsqueeze(0))[0] if run == "scratch" else _naive_textbook_gru(layer, x, h)[0]
        (output.sin().sum()).backward()
        results.append([x.grad, h.grad] + [p.grad.clone() for p in layer.parameters()])
    for expected, actual in zip(*results):
        torch.testing.assert_close(actual, expected, **TOLERANCE)


def test_per_step_hidden_states_give_the_bptt_product_of_eq_5_3(window):
    """dL/dh_k = dL/dh_T prod_{t=k+1}^{T} diag(1 - h_t^2) W_hh, read off the layer's graph."""
    inputs, h0, _ = window
    layer = _randomise(cells.RNN(4, 5, bias=False).double(), 5)
    with torch.no_grad():
        layer.weight_hh_l0.mul_(0.3)
    output, _, states = layer.forward_with_hidden_states(inputs, h0.unsqueeze(0))
    h = states[0]  # T x [B, H]
    upstream = torch.randn(3, 5, dtype=torch.float64)
    loss = (h[-1] * upstream).sum()  # L depends on h_T only
    gradients = torch.autograd.grad(loss, h)
    expected = upstream  # dL/dh_T, [B, H] (row vectors)
    for k in range(len(h) - 1, -1, -1):
        torch.testing.assert_close(gradients[k], expected, **TOLERANCE)
        expected = (expected * (1 - h[k] ** 2)) @ layer.weight_hh_l0  # one factor of eq. 5.3
    torch.testing.assert_close(torch.stack(h, dim=1), output, **TOLERANCE)
