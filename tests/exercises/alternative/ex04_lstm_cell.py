"""Correct alternative for exercise 4: the chapter's form, one weight per gate on [h_{t-1}, x_t] and one summed bias."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["concatenated_weights", "lstm_gates", "lstm_cell", "lstm_forward"]


def concatenated_weights(weight_ih: Tensor, weight_hh: Tensor) -> dict[str, Tensor]:
    H = weight_hh.shape[1]
    both = torch.cat([weight_hh, weight_ih], dim=1)  # [4H, H + I]
    return {"i": both[0:H], "f": both[H:2 * H], "c": both[2 * H:3 * H], "o": both[3 * H:4 * H]}


def lstm_gates(x: Tensor, h_prev: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor,
               bias_hh: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    H = weight_hh.shape[1]
    W = concatenated_weights(weight_ih, weight_hh)
    bias = bias_ih + bias_hh
    hx = torch.cat([h_prev, x], dim=1)  # [h_{t-1}, x_t]
    i = torch.sigmoid(hx @ W["i"].T + bias[0:H])  # eq. 5.5
    f = torch.sigmoid(hx @ W["f"].T + bias[H:2 * H])  # eq. 5.4
    g = torch.tanh(hx @ W["c"].T + bias[2 * H:3 * H])  # eq. 5.6
    o = torch.sigmoid(hx @ W["o"].T + bias[3 * H:])  # eq. 5.8
    return i, f, g, o


def lstm_cell(x: Tensor, state: tuple[Tensor, Tensor], weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor,
              bias_hh: Tensor) -> tuple[Tensor, Tensor]:
    h_prev, c_prev = state
    i, f, g, o = lstm_gates(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh)
    c = torch.addcmul(f * c_prev, i, g)  # eq. 5.7
    return o * c.tanh(), c


def lstm_forward(x: Tensor, state: tuple[Tensor, Tensor] | None, weight_ih: Tensor, weight_hh: Tensor,
                 bias_ih: Tensor, bias_hh: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    B, T, _ = x.shape
    H = weight_hh.shape[1]
    h, c = state if state is not None else (torch.zeros(B, H, dtype=x.dtype), torch.zeros(B, H, dtype=x.dtype))
    outputs = []
    for x_t in x.unbind(dim=1):
        h, c = lstm_cell(x_t, (h, c), weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(h)
    return (torch.stack(outputs, dim=1) if outputs else torch.zeros(B, 0, H, dtype=x.dtype)), (h, c)
