"""Uses the spectral radius in the bound instead of the spectral norm."""

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
    return (1 - h_t**2).unsqueeze(1) * W_hh  # [H, H]


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
    T = hidden_states.shape[0] - 1
    product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)  # [H, H]
    for t in range(T, k, -1):
        product = product @ ((1 - hidden_states[t] ** 2).unsqueeze(1) * W_hh)  # times J_t
    return product


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
    T = hidden_states.shape[0] - 1
    grad = grad_last  # [H]
    norms = [torch.linalg.vector_norm(grad)]
    for t in range(T, 0, -1):
        grad = grad @ ((1 - hidden_states[t] ** 2).unsqueeze(1) * W_hh)  # [H] eq. 5.3, one factor
        norms.append(torch.linalg.vector_norm(grad))
    return torch.stack(norms)  # [T+1]


def spectral_radius(W: Tensor) -> float:
    """The spectral radius ``rho(W) = max_i |lambda_i(W)|`` of a square matrix (eigenvalues may be complex).

    >>> import torch
    >>> round(spectral_radius(torch.tensor([[0.0, -2.0], [2.0, 0.0]])), 4)   # eigenvalues +-2i
    2.0
    """
    return torch.linalg.eigvals(W).abs().max().item()


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
    rho = torch.linalg.eigvals(W_hh).abs().max().item()
    if rho < 1 - tolerance:
        return "vanish"
    if rho > 1 + tolerance:
        return "explode"
    return "propagate"


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
    return (gamma * torch.linalg.eigvals(W_hh).abs().max().item()) ** n


def steps_until_below(factor: float, threshold: float) -> int:
    """The smallest number of steps ``n >= 0`` with ``factor**n < threshold`` (0 < factor < 1, 0 < threshold).

    How far back a gradient reaches before it shrinks below ``threshold`` when every step
    multiplies it by ``factor`` (5.2.3). Returns 0 when ``threshold > 1``.

    >>> steps_until_below(0.9, 1e-3)     # 0.9**65 = 1.05e-3, 0.9**66 = 9.5e-4
    66
    """
    if threshold > 1:
        return 0
    n = math.floor(math.log(threshold) / math.log(factor)) + 1
    while factor**n >= threshold:  # guard the float rounding of the logarithms
        n += 1
    while n > 0 and factor ** (n - 1) < threshold:
        n -= 1
    return n
