"""Stacks the outputs of gru_forward without handling an empty sequence (T = 0)."""

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
    hidden_size = weight_hh.shape[1]
    h = x.new_zeros(x.shape[0], hidden_size) if h0 is None else h0  # [B, H]
    outputs = []
    for t in range(x.shape[1]):
        h = gru_cell(x[:, t], h, weight_ih, weight_hh, bias_ih, bias_hh, variant)  # [B, H]
        outputs.append(h)
    output = torch.stack(outputs, dim=1)
    return output, h  # [B, T, H], [B, H]
