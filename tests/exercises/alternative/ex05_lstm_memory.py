"""Correct alternative for exercise 5: a loop for the product, -log(1/f - 1), a construction with biases."""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["cell_gradient_through_time", "forget_bias_for_retention", "memory_parameters"]

FILLER = 0
TRIGGER = 1
HOLD_STEPS = 100
TOLERANCE = 0.01


def cell_gradient_through_time(forget_gates: Tensor, k: int) -> Tensor:
    product = torch.ones_like(forget_gates[0])
    for t in range(k + 1, forget_gates.shape[0] + 1):
        product = product * forget_gates[t - 1]
    return product


def forget_bias_for_retention(steps: int, retention: float) -> float:
    f = math.exp(math.log(retention) / steps)
    return -math.log(1.0 / f - 1.0)


def memory_parameters() -> dict[str, Tensor]:
    # forget: bias +15, the trigger subtracts 40; input gate: bias -20; candidate and output unused
    bias_ih = torch.tensor([-20.0, 15.0, 0.0, 0.0])
    weight_ih = torch.zeros(4, 2)
    weight_ih[1, TRIGGER] = -40.0
    weight_hh = torch.zeros(4, 1)
    weight_hh[2, 0] = 1.0  # the candidate may depend on h: the closed input gate keeps it out
    return {"weight_ih": weight_ih, "weight_hh": weight_hh, "bias_ih": bias_ih, "bias_hh": torch.zeros(4)}


def simulate_cell(parameters: dict[str, Tensor], tokens: list[int], c0: float) -> Tensor:
    cell = torch.nn.LSTMCell(input_size=2, hidden_size=1)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(parameters[name])
        h, c = torch.zeros(1, 1), torch.full((1, 1), float(c0))
        cells = []
        for token in tokens:
            h, c = cell(torch.nn.functional.one_hot(torch.tensor([token]), 2).float(), (h, c))
            cells.append(c[0, 0])
    return torch.stack(cells) if cells else torch.zeros(0)
