"""Exercise 96: scale and sum a tensor (a toy exercise for the nbgrader workflow's tests).

Uses PyTorch, whose warnings must never cost a student points.
"""

from __future__ import annotations

import torch

__all__ = ["scale", "total"]


def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    """``factor * x``, same shape and dtype as ``x``."""
    ### BEGIN SOLUTION hint: multiply
    return x * factor
    ### END SOLUTION


def total(x: torch.Tensor) -> torch.Tensor:
    """The sum of all entries of ``x``, a 0-dimensional tensor."""
    ### BEGIN SOLUTION
    return x.sum()
    ### END SOLUTION
