"""Public tests of exercise 1 (RNN forward pass): signatures, shapes, dtypes, one known value each."""

import inspect

import torch

import ex01_rnn_forward as ex


def test_signatures():
    assert list(inspect.signature(ex.rnn_step).parameters) == ["x_t", "h_prev", "W_xh", "W_hh", "b_h"]
    assert list(inspect.signature(ex.rnn_forward).parameters) == ["x", "h0", "W_xh", "W_hh", "b_h"]
    assert list(inspect.signature(ex.lm_output).parameters) == ["h", "W_hy", "b_y"]
    assert list(inspect.signature(ex.rnn_language_model).parameters) == [
        "tokens", "embedding", "W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"]
    assert list(inspect.signature(ex.sequence_nll).parameters) == ["probs", "targets"]


def test_rnn_step_known_value():
    h1 = ex.rnn_step(torch.zeros(1, 1), torch.full((1, 1), 0.5), torch.zeros(1, 1), torch.ones(1, 1), torch.zeros(1))
    assert h1.shape == (1, 1) and h1.dtype == torch.float32
    torch.testing.assert_close(h1, torch.tanh(torch.tensor([[0.5]])))


def test_rnn_forward_shapes():
    B, T, I, H = 2, 3, 4, 5
    outputs, h_last = ex.rnn_forward(torch.zeros(B, T, I), torch.zeros(B, H), torch.zeros(H, I), torch.zeros(H, H),
                                     torch.zeros(H))
    assert outputs.shape == (B, T, H) and h_last.shape == (B, H)
    assert outputs.dtype == torch.float32
    torch.testing.assert_close(outputs, torch.zeros(B, T, H))


def test_lm_output_uniform():
    probs = ex.lm_output(torch.zeros(2, 3, 4), torch.zeros(6, 4), torch.zeros(6))
    assert probs.shape == (2, 3, 6)
    torch.testing.assert_close(probs, torch.full((2, 3, 6), 1 / 6))


def test_rnn_language_model_shapes():
    V, E, H, B, T = 7, 3, 4, 2, 5
    probs, h_last = ex.rnn_language_model(torch.zeros(B, T, dtype=torch.long), torch.zeros(V, E), torch.zeros(H, E),
                                          torch.zeros(H, H), torch.zeros(H), torch.zeros(V, H), torch.zeros(V))
    assert probs.shape == (B, T, V) and h_last.shape == (B, H)
    torch.testing.assert_close(probs.sum(-1), torch.ones(B, T))


def test_sequence_nll_known_value():
    loss = ex.sequence_nll(torch.full((1, 2, 4), 0.25), torch.tensor([[0, 3]]))
    assert loss.dim() == 0
    torch.testing.assert_close(loss, torch.log(torch.tensor(4.0)))
