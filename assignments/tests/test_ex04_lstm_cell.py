"""Public tests of exercise 4 (LSTM cell): signatures, shapes, dtypes, one known value each."""

import inspect

import torch

import ex04_lstm_cell as ex

WEIGHTS = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]


def zero_weights(input_size, hidden_size):
    return (torch.zeros(4 * hidden_size, input_size), torch.zeros(4 * hidden_size, hidden_size),
            torch.zeros(4 * hidden_size), torch.zeros(4 * hidden_size))


def test_signatures():
    assert list(inspect.signature(ex.concatenated_weights).parameters) == ["weight_ih", "weight_hh"]
    assert list(inspect.signature(ex.lstm_gates).parameters) == ["x", "h_prev", *WEIGHTS]
    assert list(inspect.signature(ex.lstm_cell).parameters) == ["x", "state", *WEIGHTS]
    assert list(inspect.signature(ex.lstm_forward).parameters) == ["x", "state", *WEIGHTS]


def test_concatenated_weights_shapes():
    weights = ex.concatenated_weights(torch.zeros(8, 3), torch.zeros(8, 2))
    assert set(weights) == {"i", "f", "c", "o"}
    assert all(w.shape == (2, 5) for w in weights.values())


def test_lstm_gates_at_zero():
    gates = ex.lstm_gates(torch.zeros(2, 3), torch.zeros(2, 4), *zero_weights(3, 4))
    assert len(gates) == 4 and all(g.shape == (2, 4) for g in gates)
    i, f, g, o = gates
    torch.testing.assert_close(f, torch.full((2, 4), 0.5))
    torch.testing.assert_close(g, torch.zeros(2, 4))


def test_lstm_cell_known_value():
    h, c = ex.lstm_cell(torch.zeros(1, 1), (torch.zeros(1, 1), torch.ones(1, 1)), *zero_weights(1, 1))
    assert h.dtype == torch.float32
    torch.testing.assert_close(c, torch.tensor([[0.5]]))
    torch.testing.assert_close(h, 0.5 * torch.tanh(torch.tensor([[0.5]])))


def test_lstm_forward_shapes():
    output, (h, c) = ex.lstm_forward(torch.zeros(2, 5, 3), None, *zero_weights(3, 4))
    assert output.shape == (2, 5, 4) and h.shape == (2, 4) and c.shape == (2, 4)
