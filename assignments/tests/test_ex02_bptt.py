"""Public tests of exercise 2 (BPTT and clipping): signatures, shapes, dtypes, one known value each."""

import inspect

import torch

import ex02_bptt as ex


def test_signatures():
    assert list(inspect.signature(ex.rnn_backward).parameters) == ["x", "h0", "W_xh", "W_hh", "b_h", "grad_outputs"]
    assert list(inspect.signature(ex.clip_grad_norm).parameters) == ["grads", "max_norm"]
    assert list(inspect.signature(ex.clip_grad_value).parameters) == ["grads", "clip_value"]


def test_rnn_backward_scalar_example():
    one = torch.ones(1, 1)
    grads = ex.rnn_backward(torch.zeros(1, 1, 1), 0.5 * one, 0 * one, one, torch.zeros(1), one[:, None])
    assert set(grads) == {"W_xh", "W_hh", "b_h", "h0"}
    derivative = 1 - torch.tanh(torch.tensor(0.5)) ** 2
    torch.testing.assert_close(grads["W_hh"], (0.5 * derivative).reshape(1, 1))
    torch.testing.assert_close(grads["h0"], derivative.reshape(1, 1))


def test_rnn_backward_shapes():
    B, T, I, H = 2, 3, 4, 5
    grads = ex.rnn_backward(torch.zeros(B, T, I), torch.zeros(B, H), torch.zeros(H, I), torch.zeros(H, H),
                            torch.zeros(H), torch.ones(B, T, H))
    assert grads["W_xh"].shape == (H, I) and grads["W_hh"].shape == (H, H)
    assert grads["b_h"].shape == (H,) and grads["h0"].shape == (B, H)
    assert grads["W_hh"].dtype == torch.float32


def test_clip_grad_norm_known_value():
    clipped, norm = ex.clip_grad_norm([torch.tensor([3.0]), torch.tensor([4.0])], 1.0)
    assert isinstance(norm, float) and abs(norm - 5.0) < 1e-5
    torch.testing.assert_close(torch.cat(clipped), torch.tensor([0.6, 0.8]), rtol=1e-5, atol=1e-6)


def test_clip_grad_value_known_value():
    (clipped,) = ex.clip_grad_value([torch.tensor([-3.0, 0.5, 2.0])], 1.0)
    torch.testing.assert_close(clipped, torch.tensor([-1.0, 0.5, 1.0]))
