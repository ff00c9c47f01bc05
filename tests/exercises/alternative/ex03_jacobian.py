"""Correct alternative for exercise 3: explicit diag matrices, functools.reduce, NumPy eigenvalues, a loop for the steps."""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor

__all__ = ["step_jacobian", "jacobian_product", "gradient_norms_by_distance", "spectral_radius",
           "predict_gradient_behaviour", "jacobian_norm_bound", "steps_until_below"]


def step_jacobian(h_t: Tensor, W_hh: Tensor) -> Tensor:
    return torch.diag(1 - h_t * h_t) @ W_hh


def jacobian_product(hidden_states: Tensor, W_hh: Tensor, k: int) -> Tensor:
    T = hidden_states.shape[0] - 1
    factors = [step_jacobian(hidden_states[t], W_hh) for t in range(T, k, -1)]  # J_T, ..., J_{k+1}
    return functools.reduce(torch.matmul, factors, torch.eye(W_hh.shape[0], dtype=W_hh.dtype))


def gradient_norms_by_distance(hidden_states: Tensor, W_hh: Tensor, grad_last: Tensor) -> Tensor:
    T = hidden_states.shape[0] - 1
    return torch.stack([torch.linalg.vector_norm(grad_last @ jacobian_product(hidden_states, W_hh, T - n))
                        for n in range(T + 1)])


def spectral_radius(W: Tensor) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(W.detach().double().numpy()))))


def predict_gradient_behaviour(W_hh: Tensor, tolerance: float = 1e-3) -> str:
    rho = spectral_radius(W_hh)
    return "explode" if rho > 1 + tolerance else "vanish" if rho < 1 - tolerance else "propagate"


def jacobian_norm_bound(W_hh: Tensor, n: int, gamma: float = 1.0) -> float:
    largest_singular_value = torch.linalg.svdvals(W_hh.double())[0].item()
    return gamma**n * largest_singular_value**n


def steps_until_below(factor: float, threshold: float) -> int:
    n, value = 0, 1.0
    while value >= threshold:
        value *= factor
        n += 1
    return n
