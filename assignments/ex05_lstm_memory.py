"""Exercise 5 (theory): why LSTMs keep memory, answered with numbers and constructed parameters.

Chapter 5, section 5.3.5. Along the cell state the LSTM update (eq. 5.7) is *additive*:
``c_t = f_t * c_{t-1} + i_t * c~_t``. Holding the gates fixed, the derivative of the cell state
through this direct path is

    dc_T / dc_k = prod_{t=k+1}^{T} f_t          (elementwise; 1 when k = T)

a product of forget-gate values that the network controls (no repeated ``W_hh`` and no tanh
derivative, unlike eq. 5.3). With ``f_t`` close to 1 the gradient, and the stored value, survive
hundreds of steps; with ``f_t = 0`` the memory is erased.

You answer in code:

* :func:`cell_gradient_through_time`: ``dc_T/dc_k`` from a sequence of forget gates;
* :func:`forget_bias_for_retention`: the forget-gate bias that keeps a given fraction of the cell
  after a given number of steps;
* :func:`memory_parameters`: construct an LSTM (one hidden unit) that holds its cell value for
  100 steps and erases it when a trigger token arrives. :func:`simulate_cell` (given) runs it.

Conventions: parameters are in ``torch.nn.LSTM`` layout (see exercise 4): ``weight_ih``
``[4H, I]``, ``weight_hh`` ``[4H, H]``, ``bias_ih`` and ``bias_hh`` ``[4H]``, gate rows in the order
**i, f, g, o**. Tokens are ids 0 (``FILLER``) and 1 (``TRIGGER``) fed as one-hot vectors (``I = 2``).

Worked example: forget gates 0.9, 0.8, 0.5 at steps 1, 2, 3 give ``dc_3/dc_0 = 0.36`` and
``dc_3/dc_1 = 0.4``.

>>> import torch
>>> f = torch.tensor([[0.9], [0.8], [0.5]])        # f_1, f_2, f_3 for one unit
>>> round(cell_gradient_through_time(f, 0).item(), 4), round(cell_gradient_through_time(f, 1).item(), 4)
(0.36, 0.4)

References: Hochreiter & Schmidhuber (1997), Long Short-Term Memory; Gers, Schmidhuber &
Cummins (2000), Learning to Forget: Continual Prediction with LSTM.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["cell_gradient_through_time", "forget_bias_for_retention", "memory_parameters"]

FILLER = 0
"""Token id of an ordinary token: the memory must be kept."""
TRIGGER = 1
"""Token id of the trigger: the memory must be erased."""
HOLD_STEPS = 100
"""How many filler steps the constructed cell must hold its value."""
TOLERANCE = 0.01
"""Allowed drift of the held value, and the largest ``|c|`` allowed after the trigger."""


def cell_gradient_through_time(forget_gates: Tensor, k: int) -> Tensor:
    """``dc_T/dc_k = prod_{t=k+1}^{T} f_t`` along the cell-state path.

    Args:
        forget_gates: ``f_1 .. f_T`` stacked along dim 0, ``[T, ...]`` with ``T >= 1`` (e.g.
            ``[T, H]`` or ``[T, B, H]``): ``forget_gates[t - 1]`` is ``f_t``. Not modified.
        k: the earlier step, ``0 <= k <= T`` (``k = T``: the empty product, ones).

    Returns:
        the product, shaped like one forget gate (``forget_gates.shape[1:]``); ones when ``k = T``.
    """
    raise NotImplementedError("f_t sits at index t - 1 of forget_gates; multiply the factors f_{k+1} .. f_T along dim 0")


def forget_bias_for_retention(steps: int, retention: float) -> float:
    """The forget-gate bias ``b`` with ``sigmoid(b) ** steps == retention``.

    With no input contribution to the forget gate, ``f = sigmoid(b)`` at every step and the cell
    keeps ``f ** steps`` of its value (input gate closed). ``0 < retention < 1``, ``steps >= 1``.

    >>> round(forget_bias_for_retention(100, 0.5), 3)
    4.968
    """
    raise NotImplementedError("find the per-step forget value f with f ** steps == retention, then invert the sigmoid (solve sigmoid(b) = f for b)")


def memory_parameters() -> dict[str, Tensor]:
    """LSTM parameters (``H = 1``, ``I = 2``) that hold the cell value and erase it on a trigger.

    The check (run it yourself with :func:`simulate_cell`): for every start value ``c_0`` in
    ``[-1, 1]`` and ``h_0 = 0``,

    1. during ``HOLD_STEPS`` (100) ``FILLER`` tokens every ``c_t`` stays within ``TOLERANCE``
       (0.01) of ``c_0``;
    2. one ``TRIGGER`` token then brings ``|c_t| <= TOLERANCE``;
    3. and it stays ``<= TOLERANCE`` during 20 more ``FILLER`` tokens.

    Returns:
        ``{"weight_ih": [4, 2], "weight_hh": [4, 1], "bias_ih": [4], "bias_hh": [4]}`` (float32,
        gate rows in the order i, f, g, o; column ``v`` of ``weight_ih`` is what token ``v`` adds).
    """
    raise NotImplementedError("forget gate ~1 on FILLER and ~0 on TRIGGER, input gate ~0 always; sigmoid(x) ** 100 must stay above 0.99, so use pre-activations of magnitude 10 or more")


def simulate_cell(parameters: dict[str, Tensor], tokens: list[int], c0: float) -> Tensor:
    """Given: run ``torch.nn.LSTMCell`` with ``parameters`` over ``tokens`` from ``(h_0, c_0) = (0, c0)``.

    Returns:
        the cell values ``c_1 .. c_T`` as a ``[T]`` tensor (``T = len(tokens)``).

    Example: ``simulate_cell(memory_parameters(), [FILLER] * 100 + [TRIGGER], 0.7)``.
    """
    cell = torch.nn.LSTMCell(input_size=2, hidden_size=1)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(parameters[name])
        h = torch.zeros(1, 1)
        c = torch.full((1, 1), float(c0))
        cells = []
        for token in tokens:
            x = torch.nn.functional.one_hot(torch.tensor([token]), num_classes=2).float()  # [1, 2]
            h, c = cell(x, (h, c))
            cells.append(c[0, 0])
    return torch.stack(cells) if cells else torch.zeros(0)
