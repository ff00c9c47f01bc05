"""Exercise 2: backpropagation through time (BPTT) by hand, and gradient clipping.

Chapter 5, sections 5.2.1 and 5.2.4. The network is the tanh RNN of eq. 5.1,
``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)`` for ``t = 1 .. T``, with the weight layout of
exercise 1 (``W_xh`` is ``[H, I]``, ``W_hh`` is ``[H, H]``, batch-first row vectors, so the
pre-activation is ``z_t = h_{t-1} @ W_hh.T + x_t @ W_xh.T + b_h``).

You implement, without autograd and without ``torch.nn.utils``:

* :func:`rnn_backward`: given the *upstream* gradients ``dL/dh_t`` that the loss sends into each
  hidden state directly (e.g. through the output layer of eq. 5.2), return ``dL/dW_hh``,
  ``dL/dW_xh``, ``dL/db_h`` and ``dL/dh_0``. Walk backwards from ``t = T``: the total gradient
  reaching ``h_t`` is its upstream gradient plus what flows back from ``h_{t+1}``;
  ``dh_t/dz_t = diag(1 - h_t^2)`` (the derivative of tanh) and ``dz_t/dh_{t-1} = W_hh``, the
  one-step Jacobian whose product over many steps is eq. 5.3.
* :func:`clip_grad_norm`: rescale a list of gradients so that their *global* L2 norm (over all
  tensors together) is at most ``max_norm``; same formula as ``torch.nn.utils.clip_grad_norm_``:
  ``scale = max_norm / (total_norm + 1e-6)``, applied only when ``scale < 1``.
* :func:`clip_grad_value`: clamp every gradient entry into ``[-clip_value, clip_value]``.

Worked example (scalars: B = I = H = T = 1, W_xh = 0, W_hh = 1, b_h = 0, h_0 = 0.5,
dL/dh_1 = 1): ``h_1 = tanh(0.5) = 0.46212``, ``dL/dz_1 = 1 - h_1^2 = 0.78645``, so
``dL/dW_hh = 0.78645 * h_0 = 0.39322`` and ``dL/dh_0 = 0.78645 * W_hh = 0.78645``.

>>> import torch
>>> one = torch.ones(1, 1)
>>> g = rnn_backward(torch.zeros(1, 1, 1), 0.5 * one, 0 * one, one, torch.zeros(1), one[:, None])
>>> round(g["W_hh"].item(), 5), round(g["h0"].item(), 5)
(0.39322, 0.78645)

References: Werbos (1990), Backpropagation Through Time; Pascanu, Mikolov & Bengio (2013),
On the Difficulty of Training Recurrent Neural Networks (clipping).
"""

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
    raise NotImplementedError("walk t = T..1 carrying the gradient that flows back from h_{t+1}; multiply by the tanh derivative (1 - h_t**2) before using the weights; the shared parameters ACCUMULATE over t")


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
    raise NotImplementedError("one norm over all tensors together (not one per tensor); scale = max_norm / (total_norm + 1e-6), applied only if < 1")


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
    raise NotImplementedError("clamp each tensor elementwise, both below and above")
