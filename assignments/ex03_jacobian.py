"""Exercise 3 (theory): Jacobian products, the spectral radius, vanishing and exploding gradients.

Chapter 5, sections 5.2.2 and 5.2.3. For the tanh RNN of eq. 5.1 the Jacobian of one step is

    J_t = dh_t / dh_{t-1} = diag(1 - h_t^2) W_hh                                   ([H, H])

and, by the chain rule, the Jacobian of ``h_T`` with respect to an earlier ``h_k`` is the product

    dh_T / dh_k = J_T J_{T-1} ... J_{k+1}          (the identity when k = T)

so that, for a row-vector gradient ``g_T = dL/dh_T`` of shape ``[H]``, eq. 5.3 reads
``dL/dh_k = g_T @ J_T @ J_{T-1} @ ... @ J_{k+1}``. Each factor multiplies by ``W_hh`` and by
tanh derivatives ``<= 1``: the size of the product is governed by the largest absolute eigenvalue
of ``W_hh`` (its spectral radius ``rho``): for the linear recurrence ``h_t = W_hh h_{t-1}`` the
product is ``W_hh^n``, which shrinks exponentially (gradients *vanish*) when ``rho < 1``, grows
exponentially (*explodes*) when ``rho > 1`` and propagates when ``rho = 1``. With tanh, whose
derivative is bounded by ``gamma = 1``, submultiplicativity of the spectral norm gives the bound

    || dh_T / dh_{T-n} ||_2  <=  (gamma * ||W_hh||_2)^n

so ``||W_hh||_2 < 1 / gamma`` is sufficient for vanishing gradients (Pascanu et al., 2013).

Conventions: ``hidden_states`` holds ``h_0, h_1, ..., h_T`` for ONE sequence as a ``[T+1, H]``
tensor; all norms are the Euclidean norm for vectors and the spectral norm (largest singular
value, ``torch.linalg.matrix_norm(A, ord=2)``) for matrices.

Worked example: ``W_hh = 0.5 I`` and all ``h_t = 0`` give ``J_t = 0.5 I``; from distance 3 the
product is ``0.125 I``.

>>> import torch
>>> states = torch.zeros(4, 2)   # h_0 .. h_3, all zero
>>> jacobian_product(states, 0.5 * torch.eye(2), k=0)
tensor([[0.1250, 0.0000],
        [0.0000, 0.1250]])

References: Bengio, Simard & Frasconi (1994), Learning Long-Term Dependencies with Gradient
Descent is Difficult; Pascanu, Mikolov & Bengio (2013), On the Difficulty of Training Recurrent
Neural Networks.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = [
    "step_jacobian",
    "jacobian_product",
    "gradient_norms_by_distance",
    "spectral_radius",
    "predict_gradient_behaviour",
    "jacobian_norm_bound",
    "steps_until_below",
]


def step_jacobian(h_t: Tensor, W_hh: Tensor) -> Tensor:
    """The one-step Jacobian ``J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh``.

    Args:
        h_t: the hidden state AFTER the step, ``[H]``.
        W_hh: recurrent weight, ``[H, H]``.

    Returns:
        a new ``[H, H]`` tensor in the dtype of the inputs: row ``i`` is ``W_hh[i]`` scaled by
        ``1 - h_t[i]^2`` (``W_hh`` itself is not modified).
    """
    raise NotImplementedError("diag(1 - h_t**2) @ W_hh; the tanh derivative scales the ROWS of W_hh")


def jacobian_product(hidden_states: Tensor, W_hh: Tensor, k: int) -> Tensor:
    """``dh_T/dh_k = J_T J_{T-1} ... J_{k+1}`` (eq. 5.3 without the leading ``dL/dh_T``).

    Args:
        hidden_states: ``h_0 .. h_T`` of one sequence, ``[T+1, H]``.
        W_hh: recurrent weight, ``[H, H]``.
        k: the earlier step, ``0 <= k <= T``; ``k = T`` gives the identity.

    Returns:
        ``[H, H]`` in the dtype of ``W_hh``, the Jacobian of ``h_T`` with respect to ``h_k`` (the
        identity when ``k = T``, e.g. for ``T = 0``: a single state ``h_0``).
    """
    raise NotImplementedError("start from the identity and multiply on the right by J_T, then J_{T-1}, ..., down to J_{k+1} (J_t = diag(1 - h_t**2) W_hh)")


def gradient_norms_by_distance(hidden_states: Tensor, W_hh: Tensor, grad_last: Tensor) -> Tensor:
    """``|| dL/dh_{T-n} ||`` for every distance ``n = 0 .. T`` (the curve of Fig. 5.2).

    Args:
        hidden_states: ``h_0 .. h_T``, ``[T+1, H]``.
        W_hh: ``[H, H]``.
        grad_last: ``dL/dh_T``, ``[H]`` (the loss sits at the last step only).

    Returns:
        ``[T+1]``: entry ``n`` is the Euclidean norm of ``grad_last @ dh_T/dh_{T-n}``; entry 0 is
        ``||grad_last||``.
    """
    raise NotImplementedError("propagate the row vector backwards one J_t at a time (g = g @ J_t) and record its norm after each step")


def spectral_radius(W: Tensor) -> float:
    """The spectral radius ``rho(W) = max_i |lambda_i(W)|`` of a square matrix (eigenvalues may be complex).

    >>> import torch
    >>> round(spectral_radius(torch.tensor([[0.0, -2.0], [2.0, 0.0]])), 4)   # eigenvalues +-2i
    2.0
    """
    raise NotImplementedError("torch.linalg.eigvals, then the largest absolute value (a Python float)")


def predict_gradient_behaviour(W_hh: Tensor, tolerance: float = 1e-3) -> str:
    """Predict what happens to gradients of the LINEAR recurrence ``h_t = W_hh h_{t-1}`` far back in time.

    Returns ``"vanish"`` if ``rho(W_hh) < 1 - tolerance``, ``"explode"`` if
    ``rho(W_hh) > 1 + tolerance``, else ``"propagate"`` (5.2.2: the largest eigenvalue decides).
    Both comparisons are strict: a radius exactly ``1 - tolerance`` or ``1 + tolerance`` is
    ``"propagate"``.

    >>> import torch
    >>> predict_gradient_behaviour(0.9 * torch.eye(3))
    'vanish'
    """
    raise NotImplementedError("compare the spectral radius (largest |eigenvalue|) with 1, using the tolerance band")


def jacobian_norm_bound(W_hh: Tensor, n: int, gamma: float = 1.0) -> float:
    """The upper bound ``(gamma * ||W_hh||_2)^n`` on ``||dh_T/dh_{T-n}||_2``.

    Args:
        W_hh: ``[H, H]``.
        n: the distance ``T - k`` (>= 0).
        gamma: a bound on the activation's derivative (1 for tanh, 1/4 for the sigmoid).

    >>> import torch
    >>> jacobian_norm_bound(torch.diag(torch.tensor([0.5, 2.0])), 3)
    8.0
    """
    raise NotImplementedError("the spectral norm is the largest SINGULAR value (torch.linalg.matrix_norm(W, ord=2)), not the largest eigenvalue")


def steps_until_below(factor: float, threshold: float) -> int:
    """The smallest number of steps ``n >= 0`` with ``factor**n < threshold`` (0 < factor < 1, 0 < threshold).

    How far back a gradient reaches before it shrinks below ``threshold`` when every step
    multiplies it by ``factor`` (5.2.3). Returns 0 when ``threshold > 1``.

    >>> steps_until_below(0.9, 1e-3)     # 0.9**65 = 1.05e-3, 0.9**66 = 9.5e-4
    66
    """
    raise NotImplementedError("solve factor**n < threshold for n with logarithms (mind the direction of the inequality when dividing by log(factor) < 0)")
