"""Writes the tanh derivative as h_t^2 - 1 (wrong sign)."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["rnn_backward", "clip_grad_norm", "clip_grad_value"]


def _rnn_states(x: Tensor, h0: Tensor, W_xh: Tensor, W_hh: Tensor, b_h: Tensor) -> list[Tensor]:
    """Forward pass of eq. 5.1 (given): ``[h_0, h_1, ..., h_T]``, each ``[B, H]``."""
    states = [h0]
    for t in range(x.shape[1]):
        states.append(torch.tanh(states[-1] @ W_hh.T + x[:, t] @ W_xh.T + b_h))  # [B, H] eq. 5.1
    return states


def rnn_backward(
    x: Tensor, h0: Tensor, W_xh: Tensor, W_hh: Tensor, b_h: Tensor, grad_outputs: Tensor
) -> dict[str, Tensor]:
    """Gradients of the tanh RNN by backpropagation through time, without autograd.

    Args:
        x: inputs, ``[B, T, I]``.
        h0: initial hidden state, ``[B, H]``.
        W_xh: ``[H, I]``; W_hh: ``[H, H]``; b_h: ``[H]``.
        grad_outputs: upstream gradients ``dL/dh_t`` for ``t = 1 .. T`` (the direct ones, from
            the loss at each step, NOT including what flows back through ``h_{t+1}``), ``[B, T, H]``.

    Returns:
        ``{"W_xh": [H, I], "W_hh": [H, H], "b_h": [H], "h0": [B, H]}``: the gradients of ``L``
        (summed over the batch and over time for the shared parameters), the same as
        ``torch.autograd.grad`` would give for ``L = sum_t (grad_outputs[:, t-1] * h_t).sum()``,
        in the dtype of the inputs. An empty sequence (``T = 0``) gives zeros everywhere.
    """
    states = _rnn_states(x, h0, W_xh, W_hh, b_h)  # T + 1 tensors [B, H]
    grad_W_xh = torch.zeros_like(W_xh)  # [H, I]
    grad_W_hh = torch.zeros_like(W_hh)  # [H, H]
    grad_b_h = torch.zeros_like(b_h)  # [H]
    carry = torch.zeros_like(h0)  # [B, H]: dL/dh_t arriving from step t + 1
    for t in range(x.shape[1], 0, -1):
        grad_h = grad_outputs[:, t - 1] + carry  # [B, H]: total dL/dh_t
        grad_z = grad_h * (states[t] ** 2 - 1)  # [B, H]: times diag(1 - h_t^2)
        grad_W_hh += grad_z.T @ states[t - 1]  # [H, H]
        grad_W_xh += grad_z.T @ x[:, t - 1]  # [H, I]
        grad_b_h += grad_z.sum(dim=0)  # [H]
        carry = grad_z @ W_hh  # [B, H]: one factor diag(1 - h_t^2) W_hh of eq. 5.3
    return {"W_xh": grad_W_xh, "W_hh": grad_W_hh, "b_h": grad_b_h, "h0": carry}


def clip_grad_norm(grads: list[Tensor], max_norm: float) -> tuple[list[Tensor], float]:
    """Clip by global norm: scale ALL gradients by one factor so their joint L2 norm is <= max_norm.

    ``total_norm = sqrt(sum over every tensor and every entry of g**2)``;
    ``scale = max_norm / (total_norm + 1e-6)``; if ``scale < 1`` (strictly; note the ``1e-6``: a
    ``max_norm`` just above ``total_norm`` still clips, by a factor just below 1) every tensor is
    multiplied by ``scale``, otherwise all are returned unchanged. The direction of the full
    gradient is kept.

    Args:
        grads: gradient tensors of any shapes (they are not modified).
        max_norm: the largest allowed global norm (> 0).

    Returns:
        ``(clipped, total_norm)``: NEW tensors (never the input tensors themselves, even when
        nothing is clipped) with the shapes and dtypes of ``grads``, and the global norm measured
        BEFORE clipping as a Python float. An empty list gives ``([], 0.0)``.

    >>> import torch
    >>> clipped, norm = clip_grad_norm([torch.tensor([3.0]), torch.tensor([4.0])], 1.0)
    >>> norm, [round(g.item(), 4) for g in clipped]
    (5.0, [0.6, 0.8])
    """
    total_norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item() if grads else 0.0
    scale = max_norm / (total_norm + 1e-6)
    if scale < 1:
        return [g * scale for g in grads], total_norm
    return [g.clone() for g in grads], total_norm


def clip_grad_value(grads: list[Tensor], clip_value: float) -> list[Tensor]:
    """Clip by value: every entry is clamped into ``[-clip_value, clip_value]`` (clip_value > 0).

    Args:
        grads: gradient tensors of any shapes (they are not modified).
        clip_value: the largest allowed absolute value of an entry.

    Returns:
        new tensors (not the inputs) with the shapes and dtypes of ``grads``; ``[]`` for ``[]``.

    >>> import torch
    >>> clip_grad_value([torch.tensor([-3.0, 0.5, 2.0])], 1.0)[0].tolist()
    [-1.0, 0.5, 1.0]
    """
    return [g.clamp(min=-clip_value, max=clip_value) for g in grads]
