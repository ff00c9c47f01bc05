"""Uses pre-activations of 9: sigmoid(9)**100 = 0.988, a drift just over the 0.01 tolerance."""

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
    return forget_gates[k:].prod(dim=0)


def forget_bias_for_retention(steps: int, retention: float) -> float:
    """The forget-gate bias ``b`` with ``sigmoid(b) ** steps == retention``.

    With no input contribution to the forget gate, ``f = sigmoid(b)`` at every step and the cell
    keeps ``f ** steps`` of its value (input gate closed). ``0 < retention < 1``, ``steps >= 1``.

    >>> round(forget_bias_for_retention(100, 0.5), 3)
    4.968
    """
    f = retention ** (1.0 / steps)
    return math.log(f / (1.0 - f))


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
    large = 9.0
    weight_ih = torch.zeros(4, 2)  # rows i, f, g, o; columns FILLER, TRIGGER
    weight_ih[0] = torch.tensor([-large, -large])  # input gate closed: nothing is written
    weight_ih[1] = torch.tensor([large, -large])  # forget gate: keep on FILLER, erase on TRIGGER
    return {
        "weight_ih": weight_ih,
        "weight_hh": torch.zeros(4, 1),
        "bias_ih": torch.zeros(4),
        "bias_hh": torch.zeros(4),
    }


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
