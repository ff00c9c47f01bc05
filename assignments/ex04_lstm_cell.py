"""Exercise 4: the LSTM cell from its equations, with torch.nn.LSTM's weight layout.

Chapter 5, section 5.3. The chapter writes every gate with one weight on the concatenation
``[h_{t-1}, x_t]`` (hidden state FIRST, then the input):

    f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)                       (5.4, forget gate)
    i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)                       (5.5, input gate)
    c~_t = tanh(W_c [h_{t-1}, x_t] + b_c)                         (5.6, candidate cell)
    c_t = f_t * c_{t-1} + i_t * c~_t                              (5.7, cell update)
    o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o),  h_t = o_t * tanh(c_t)   (5.8)

``torch.nn.LSTM`` stores the same numbers differently, and so do we here:

* ``weight_ih`` (``[4H, I]``) holds the input halves and ``weight_hh`` (``[4H, H]``) the
  recurrent halves of all four gates, stacked by rows in the order **i, f, g, o** (input gate,
  forget gate, candidate "g" = c~, output gate): rows ``0:H`` are gate i, ``H:2H`` gate f, ...
  Splitting ``W_f`` by columns, ``W_f = [W_hf | W_if]`` and ``W_f [h, x] = W_hf h + W_if x``.
* two biases ``bias_ih`` and ``bias_hh`` (``[4H]`` each, same gate order) whose sum is the
  chapter's bias: ``b_f = b_if + b_hf``.
* batches of row vectors: ``x`` is ``[B, I]`` and ``W x`` is computed as ``x @ W.T``.

Worked example: with all weights and biases zero every gate is ``sigmoid(0) = 0.5`` and the
candidate is ``tanh(0) = 0``, so ``c_1 = 0.5 c_0`` and ``h_1 = 0.5 tanh(c_1)``.

>>> import torch
>>> H, I = 1, 1
>>> h, c = lstm_cell(torch.zeros(1, I), (torch.zeros(1, H), torch.ones(1, H)),
...                  torch.zeros(4 * H, I), torch.zeros(4 * H, H), torch.zeros(4 * H), torch.zeros(4 * H))
>>> round(c.item(), 4), round(h.item(), 4)
(0.5, 0.2311)

References: Hochreiter & Schmidhuber (1997), Long Short-Term Memory; Gers, Schmidhuber &
Cummins (2000), Learning to Forget (the forget gate); the ``torch.nn.LSTM`` documentation.
"""

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
    raise NotImplementedError("split both matrices into four row blocks (i, f, g, o) and concatenate each pair along the columns, the h part first")


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
    raise NotImplementedError("one matmul per weight gives all four pre-activations [B, 4H]; chunk them in the order i, f, g, o")


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
    raise NotImplementedError("gates as in lstm_gates, then eq. 5.7 for c_t and eq. 5.8 for h_t")


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
    raise NotImplementedError("carry BOTH h and c from step to step; start from zeros when state is None")
