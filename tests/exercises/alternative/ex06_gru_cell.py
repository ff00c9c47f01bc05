"""Correct alternative for exercise 6: gate by gate with named slices; the textbook form via torch's z convention."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["gru_cell", "gru_forward"]

VARIANTS = ("textbook", "pytorch")


def gru_cell(x: Tensor, h_prev: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor, bias_hh: Tensor,
             variant: str = "textbook") -> Tensor:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    W_ir, W_iz, W_in = weight_ih.chunk(3)
    W_hr, W_hz, W_hn = weight_hh.chunk(3)
    b_ir, b_iz, b_in = bias_ih.chunk(3)
    b_hr, b_hz, b_hn = bias_hh.chunk(3)
    r = torch.sigmoid(F.linear(x, W_ir, b_ir) + F.linear(h_prev, W_hr, b_hr))
    z = torch.sigmoid(F.linear(x, W_iz, b_iz) + F.linear(h_prev, W_hz, b_hz))
    if variant == "pytorch":
        n = torch.tanh(F.linear(x, W_in, b_in) + r * F.linear(h_prev, W_hn, b_hn))
        return n + z * (h_prev - n)
    n = torch.tanh(F.linear(x, W_in, b_in) + F.linear(r * h_prev, W_hn, b_hn))
    keep = 1 - z  # torch's z for the textbook gate
    return n + keep * (h_prev - n)


def gru_forward(x: Tensor, h0: Tensor | None, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor, bias_hh: Tensor,
                variant: str = "textbook") -> tuple[Tensor, Tensor]:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    H = weight_hh.shape[1]
    h = torch.zeros(x.shape[0], H, dtype=x.dtype) if h0 is None else h0
    outputs = []
    for x_t in x.unbind(1):
        h = gru_cell(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh, variant)
        outputs.append(h)
    return (torch.stack(outputs, 1) if outputs else torch.zeros(x.shape[0], 0, H, dtype=x.dtype)), h
