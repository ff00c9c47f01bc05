"""Public tests of exercise 5 (LSTM memory): signatures, shapes, dtypes, one known value each."""

import inspect

import torch

import ex05_lstm_memory as ex


def test_signatures():
    assert list(inspect.signature(ex.cell_gradient_through_time).parameters) == ["forget_gates", "k"]
    assert list(inspect.signature(ex.forget_bias_for_retention).parameters) == ["steps", "retention"]
    assert list(inspect.signature(ex.memory_parameters).parameters) == []


def test_cell_gradient_through_time_known_value():
    f = torch.tensor([[0.9], [0.8], [0.5]])
    result = ex.cell_gradient_through_time(f, 0)
    assert result.shape == (1,)
    torch.testing.assert_close(result, torch.tensor([0.36]))


def test_forget_bias_for_retention_known_value():
    bias = ex.forget_bias_for_retention(100, 0.5)
    assert isinstance(bias, float)
    assert abs(torch.sigmoid(torch.tensor(bias, dtype=torch.float64)).item() ** 100 - 0.5) < 1e-6


def test_memory_parameters_shapes_and_one_run():
    parameters = ex.memory_parameters()
    assert {name: tuple(p.shape) for name, p in parameters.items()} == {
        "weight_ih": (4, 2), "weight_hh": (4, 1), "bias_ih": (4,), "bias_hh": (4,)}
    cells = ex.simulate_cell(parameters, [ex.FILLER] * ex.HOLD_STEPS + [ex.TRIGGER], 0.5)
    assert abs(cells[ex.HOLD_STEPS - 1].item() - 0.5) <= ex.TOLERANCE
    assert abs(cells[-1].item()) <= ex.TOLERANCE
