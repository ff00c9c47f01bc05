"""Exercise 95: an affine map and a norm (a toy exercise for the nbgrader workflow's tests).

Self-contained like the real exercises (NumPy only), so its notebook's kernel starts fast.

>>> affine(np.ones((1, 2)), np.ones((2, 3)), np.zeros(3)).tolist()
[[2.0, 2.0, 2.0]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["affine", "norm"]

# A module-level constant: it stays in the read-only set-up cell.
EPSILON = 0.0


def affine(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x @ weight + bias`` for ``x [B, I]``, ``weight [I, O]``, ``bias [O]``; returns ``[B, O]``."""
    ### BEGIN SOLUTION hint: one matrix product, then add the bias (it broadcasts over the batch)
    return x @ weight + bias  # [B, O]
    ### END SOLUTION


@np.errstate(all="ignore")
def norm(x: np.ndarray) -> float:
    """The Euclidean norm of ``x`` as a Python float."""
    ### BEGIN SOLUTION
    return float(np.sqrt((x * x).sum()) + EPSILON)
    ### END SOLUTION


if __name__ == "__main__":
    print(norm(np.ones(4)))
