"""Public tests of exercise 6 (GRU cell): signatures, shapes, dtypes, one known value each."""

import inspect

import pytest
import torch

import ex06_gru_cell as ex

WEIGHTS = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "variant"]


def zero_weights(input_size, hidden_size):
    return (torch.zeros(3 * hidden_size, input_size), torch.zeros(3 * hidden_size, hidden_size),
            torch.zeros(3 * hidden_size), torch.zeros(3 * hidden_size))


def test_signatures():
    assert list(inspect.signature(ex.gru_cell).parameters) == ["x", "h_prev", *WEIGHTS]
    assert list(inspect.signature(ex.gru_forward).parameters) == ["x", "h0", *WEIGHTS]


@pytest.mark.parametrize("variant", ["textbook", "pytorch"])
def test_gru_cell_known_value(variant):
    h1 = ex.gru_cell(torch.zeros(1, 1), torch.ones(1, 1), *zero_weights(1, 1), variant=variant)
    assert h1.shape == (1, 1) and h1.dtype == torch.float32
    torch.testing.assert_close(h1, torch.tensor([[0.5]]))


@pytest.mark.parametrize("variant", ["textbook", "pytorch"])
def test_gru_forward_shapes(variant):
    output, h = ex.gru_forward(torch.zeros(2, 5, 3), None, *zero_weights(3, 4), variant=variant)
    assert output.shape == (2, 5, 4) and h.shape == (2, 4)


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        ex.gru_cell(torch.zeros(1, 1), torch.ones(1, 1), *zero_weights(1, 1), variant="cho")
