"""Builds the zero state of lstm_forward with torch.zeros (float32) instead of the dtype of x."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["concatenated_weights", "lstm_gates", "lstm_cell", "lstm_forward"]


def concatenated_weights(weight_ih: Tensor, weight_hh: Tensor) -> dict[str, Tensor]:
    """The chapter's per-gate weights ``W_i, W_f, W_c, W_o`` acting on ``[h_{t-1}, x_t]``.

    Args:
        weight_ih: ``[4H, I]`` (gate order i, f, g, o); weight_hh: ``[4H, H]`` (same order).

    Returns:
        ``{"i": W_i, "f": W_f, "c": W_c, "o": W_o}``, each ``[H, H + I]``: the first ``H``
        columns multiply ``h_{t-1}``, the last ``I`` columns multiply ``x_t``.
    """
    blocks_ih = weight_ih.chunk(4, dim=0)  # 4 x [H, I]
    blocks_hh = weight_hh.chunk(4, dim=0)  # 4 x [H, H]
    names = ("i", "f", "c", "o")  # torch's "g" is the chapter's candidate c~
    return {name: torch.cat([w_hh, w_ih], dim=1) for name, w_ih, w_hh in zip(names, blocks_ih, blocks_hh)}


def lstm_gates(
    x: Tensor, h_prev: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor, bias_hh: Tensor
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The four gate activations of one step, eqs. 5.4, 5.5, 5.6 and the first half of 5.8.

    Args:
        x: ``x_t``, ``[B, I]``; h_prev: ``h_{t-1}``, ``[B, H]``.
        weight_ih: ``[4H, I]``; weight_hh: ``[4H, H]``; bias_ih, bias_hh: ``[4H]`` (order i, f, g, o).

    Returns:
        ``(i_t, f_t, g_t, o_t)``, each ``[B, H]``: sigmoid for i, f, o and tanh for g (= c~_t).
    """
    pre = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh  # [B, 4H]
    i, f, g, o = pre.chunk(4, dim=1)  # 4 x [B, H]
    return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)  # eqs. 5.5, 5.4, 5.6, 5.8


def lstm_cell(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (eqs. 5.4-5.8), numerically equal to ``torch.nn.LSTMCell`` with these weights.

    Args:
        x: ``x_t``, ``[B, I]``.
        state: ``(h_{t-1}, c_{t-1})``, each ``[B, H]``.
        weight_ih: ``[4H, I]``; weight_hh: ``[4H, H]``; bias_ih, bias_hh: ``[4H]`` (order i, f, g, o).

    Returns:
        ``(h_t, c_t)``, each ``[B, H]``.
    """
    h_prev, c_prev = state
    pre = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh  # [B, 4H]
    i, f, g, o = pre.chunk(4, dim=1)  # 4 x [B, H]
    c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)  # [B, H] eq. 5.7
    h = torch.sigmoid(o) * torch.tanh(c)  # [B, H] eq. 5.8
    return h, c


def lstm_forward(
    x: Tensor,
    state: tuple[Tensor, Tensor] | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """A one-layer LSTM over a batch of sequences, like ``torch.nn.LSTM(I, H, batch_first=True)``.

    Args:
        x: ``[B, T, I]``.
        state: ``(h_0, c_0)``, each ``[B, H]``; ``None`` means zeros.
        weight_ih: ``[4H, I]``; weight_hh: ``[4H, H]``; bias_ih, bias_hh: ``[4H]``.

    Returns:
        ``(output, (h_T, c_T))``: ``output[:, t-1] = h_t`` (``[B, T, H]``) and the final state
        (each ``[B, H]``; ``torch.nn.LSTM`` adds a leading layer dimension of size 1), in the
        dtype of ``x``. An empty sequence (``T = 0``) gives ``output`` of shape ``[B, 0, H]`` and
        the initial state. Neither ``x`` nor ``state`` is modified.
    """
    hidden_size = weight_hh.shape[1]
    if state is None:
        zeros = torch.zeros(x.shape[0], hidden_size)  # [B, H]
        state = (zeros, zeros)
    h, c = state
    outputs = []
    for t in range(x.shape[1]):
        pre = x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh  # [B, 4H]
        i, f, g, o = pre.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # [B, H] eq. 5.7
        h = torch.sigmoid(o) * torch.tanh(c)  # [B, H] eq. 5.8
        outputs.append(h)
    output = torch.stack(outputs, dim=1) if outputs else x.new_zeros(x.shape[0], 0, hidden_size)
    return output, (h, c)  # [B, T, H]
