"""Exercise 6: the GRU cell, in the textbook's form (eqs. 5.9-5.11) and in torch.nn.GRU's form.

Chapter 5, section 5.4. The textbook GRU (Cho et al., 2014, as the chapter writes it):

    z_t = sigmoid(W_z [h_{t-1}, x_t] + b_z)                                       (5.9, update gate)
    r_t = sigmoid(W_r [h_{t-1}, x_t] + b_r)                                       (5.10, reset gate)
    h_t = (1 - z_t) * h_{t-1} + z_t * tanh(W_h [r_t * h_{t-1}, x_t] + b_h)        (5.11)

The reset gate multiplies ``h_{t-1}`` BEFORE the matmul with the recurrent weight, and ``z_t``
weights the NEW content. ``torch.nn.GRU`` computes a different function with the same weights:

    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))     (reset applied AFTER the matmul)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                         (its z weights the OLD state)

Moving the reset gate after the matmul (with ``b_hn`` inside it) is the one change to the
candidate; the role of ``z`` is only a naming convention (``z_torch = 1 - z_textbook``), and we
keep each form's own convention, as ``rnnlm.cells.GRU(variant=...)`` does.

Weight layout (both variants, as ``torch.nn.GRU``): ``weight_ih`` ``[3H, I]`` and ``weight_hh``
``[3H, H]`` hold the input and recurrent halves of the three blocks stacked by rows in the order
**r, z, n** (reset, update, candidate); biases ``bias_ih``, ``bias_hh`` ``[3H]``, same order. In the
textbook form the chapter's single bias is their sum (``b_z = b_iz + b_hz``, ``b_h = b_in + b_hn``)
and ``W_h [r * h, x] = W_hn (r * h) + W_in x``. Batches of row vectors: ``W x`` is ``x @ W.T``.

Worked example: all weights and biases zero give ``r = z = 0.5`` and a zero candidate, so
``h_1 = 0.5 h_0`` in both forms.

>>> import torch
>>> zeros = torch.zeros
>>> h1 = gru_cell(zeros(1, 1), torch.ones(1, 1), zeros(3, 1), zeros(3, 1), zeros(3), zeros(3))
>>> h1.item()
0.5

References: Cho et al. (2014), Learning Phrase Representations using RNN Encoder-Decoder for
Statistical Machine Translation; the ``torch.nn.GRU`` documentation.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["gru_cell", "gru_forward"]

VARIANTS = ("textbook", "pytorch")
"""The two GRU forms: eq. 5.11 as written, and ``torch.nn.GRU``'s."""


def gru_cell(
    x: Tensor,
    h_prev: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
    variant: str = "textbook",
) -> Tensor:
    """One GRU step.

    Args:
        x: ``x_t``, ``[B, I]``; h_prev: ``h_{t-1}``, ``[B, H]``.
        weight_ih: ``[3H, I]``; weight_hh: ``[3H, H]``; bias_ih, bias_hh: ``[3H]`` (order r, z, n).
        variant: ``"textbook"`` (eqs. 5.9-5.11) or ``"pytorch"`` (equal to ``torch.nn.GRUCell``).

    Returns:
        ``h_t``, ``[B, H]``.

    Raises:
        ValueError: if ``variant`` is not one of ``"textbook"``, ``"pytorch"``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    ### BEGIN SOLUTION hint: r and z from x @ W_ih.T + b_ih + h @ W_hh.T + b_hh (first two thirds); the candidate third differs: textbook multiplies h by r BEFORE its matmul, pytorch multiplies (W_hn h + b_hn) by r AFTER
    hidden_size = h_prev.shape[1]
    two = 2 * hidden_size
    x_projected = x @ weight_ih.T + bias_ih  # [B, 3H]
    reset_gate, update_gate = torch.sigmoid(
        x_projected[:, :two] + h_prev @ weight_hh[:two].T + bias_hh[:two]
    ).chunk(2, dim=1)  # [B, H] each: eq. 5.10, eq. 5.9
    if variant == "textbook":
        candidate = torch.tanh(
            x_projected[:, two:] + (reset_gate * h_prev) @ weight_hh[two:].T + bias_hh[two:]
        )  # [B, H] eq. 5.11: W_h [r * h, x] + b_h
        return (1 - update_gate) * h_prev + update_gate * candidate  # [B, H] eq. 5.11
    candidate = torch.tanh(
        x_projected[:, two:] + reset_gate * (h_prev @ weight_hh[two:].T + bias_hh[two:])
    )  # [B, H]: reset gate after the matmul
    return (1 - update_gate) * candidate + update_gate * h_prev  # [B, H]
    ### END SOLUTION


def gru_forward(
    x: Tensor,
    h0: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
    variant: str = "textbook",
) -> tuple[Tensor, Tensor]:
    """A one-layer GRU over a batch of sequences (``variant="pytorch"``: like ``torch.nn.GRU(batch_first=True)``).

    Args:
        x: ``[B, T, I]``; h0: ``[B, H]``, ``None`` means zeros.
        weight_ih, weight_hh, bias_ih, bias_hh, variant: as in :func:`gru_cell`.

    Returns:
        ``(output, h_T)``: ``output[:, t-1] = h_t`` (``[B, T, H]``) and ``h_T`` (``[B, H]``), in
        the dtype of ``x``. An empty sequence (``T = 0``) gives ``output`` of shape ``[B, 0, H]``
        and ``h_T = h0`` (zeros when ``None``). ``h0`` is not modified.

    Raises:
        ValueError: if ``variant`` is not one of ``"textbook"``, ``"pytorch"``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    ### BEGIN SOLUTION hint: call gru_cell at every step, feeding h_t back in
    hidden_size = weight_hh.shape[1]
    h = x.new_zeros(x.shape[0], hidden_size) if h0 is None else h0  # [B, H]
    outputs = []
    for t in range(x.shape[1]):
        h = gru_cell(x[:, t], h, weight_ih, weight_hh, bias_ih, bias_hh, variant)  # [B, H]
        outputs.append(h)
    output = torch.stack(outputs, dim=1) if outputs else x.new_zeros(x.shape[0], 0, hidden_size)
    return output, h  # [B, T, H], [B, H]
    ### END SOLUTION
