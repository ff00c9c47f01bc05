"""LSTM variants as step and stacking equations: coupled gates, peepholes, residual and highway stacks.

Each function is one equation of a paper, written for the scratch LSTM (``rnnlm.cells.lstm``);
torch.nn has none of them. Gate blocks are stacked as in ``rnnlm.cells.functional``: the plain
LSTM's ``i, f, g, o``, the coupled LSTM's ``f, g, o`` (it has no input gate of its own).

- Coupled input and forget gates (CIFG; Greff et al. 2017, seed 003):
  ``c_t = f_t * c_{t-1} + (1 - f_t) * g_t``: whatever the cell forgets it overwrites.
- Peephole connections (Gers & Schmidhuber 2000, "Recurrent nets that time and count"): the
  gates also see the cell, through a diagonal weight per gate:
  ``i_t = sigmoid(W_i x_t + U_i h_{t-1} + p_i * c_{t-1} + b_i)``, the same for ``f_t``, and
  ``o_t = sigmoid(W_o x_t + U_o h_{t-1} + p_o * c_t + b_o)`` (the *new* cell, as in the paper).
- Residual connections between stacked layers (He et al. 2016; seed 000): layer ``k >= 1``
  outputs ``y = LSTM_k(x) + x``.
- Highway connections (Srivastava, Greff & Schmidhuber 2015, "Training Very Deep Networks";
  seed 000): a transform gate ``T = sigmoid(W_T x + b_T)`` computed from the layer's input
  mixes output and input, ``y = T * LSTM_k(x) + (1 - T) * x``.

References: Greff, Srivastava, Koutnik, Steunebrink & Schmidhuber (2017), LSTM: A Search Space
Odyssey (the variants compared); the papers above for each equation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlm.cells.functional import State

CONNECTIONS = ("plain", "residual", "highway")
"""How stacked layers connect: output only, output + input, or a gated mix of the two."""

HIGHWAY_BIAS = -1.0
"""Initial transform-gate bias: ``T = sigmoid(-1) = 0.27``, so a fresh stack mostly carries its
input through (Srivastava et al. 2015 start deep highway networks at -1 to -3)."""


def gate_order(coupled: bool) -> tuple[str, ...]:
    """The gate blocks stacked in ``weight_ih`` / ``weight_hh`` / the biases, in order."""
    return ("f", "g", "o") if coupled else ("i", "f", "g", "o")


def peephole_order(coupled: bool) -> tuple[str, ...]:
    """The gates with a peephole, in the order of their blocks in ``weight_peephole``."""
    return ("f", "o") if coupled else ("i", "f", "o")


def lstm_variant_step(
    x_projected: Tensor, state: State, weight_hh_t: Tensor, peephole: Tensor | None, coupled: bool
) -> State:
    """One step of a coupled and/or peephole LSTM.

    ``x_projected`` ``[B, G*H]`` holds ``W x_t + b`` for the blocks of ``gate_order(coupled)``,
    ``weight_hh_t`` is ``U^T`` ``[H, G*H]``, ``peephole`` the diagonal weights ``[P*H]`` of
    ``peephole_order(coupled)`` (or None).
    """
    h, c = state  # [B, H] each
    hidden_size = h.shape[1]
    blocks = torch.addmm(x_projected, h, weight_hh_t).split(hidden_size, dim=1)  # G x [B, H]
    pre = dict(zip(gate_order(coupled), blocks))
    peepholes = dict(zip(peephole_order(coupled), peephole.split(hidden_size))) if peephole is not None else {}
    if "f" in peepholes:
        pre["f"] = torch.addcmul(pre["f"], peepholes["f"], c)  # [B, H]: p_f * c_{t-1}
    forget_gate = torch.sigmoid(pre["f"])  # [B, H]
    if coupled:
        input_gate = 1 - forget_gate  # [B, H]: what is forgotten is overwritten
    else:
        if "i" in peepholes:
            pre["i"] = torch.addcmul(pre["i"], peepholes["i"], c)  # [B, H]: p_i * c_{t-1}
        input_gate = torch.sigmoid(pre["i"])  # [B, H]
    candidate = torch.tanh(pre["g"])  # [B, H]
    c = torch.addcmul(forget_gate * c, input_gate, candidate)  # [B, H]
    if "o" in peepholes:
        pre["o"] = torch.addcmul(pre["o"], peepholes["o"], c)  # [B, H]: p_o * c_t, the new cell
    h = torch.sigmoid(pre["o"]) * torch.tanh(c)  # [B, H]
    return h, c


def connect(
    connection: str, layer_input: Tensor, layer_output: Tensor,
    highway_weight: Tensor | None = None, highway_bias: Tensor | None = None,
) -> Tensor:
    """What a stacked layer passes on: ``layer_input`` and ``layer_output`` are ``[B, T, D*H]``."""
    if connection == "residual":
        return layer_output + layer_input  # [B, T, D*H]
    if connection == "highway":
        transform = torch.sigmoid(F.linear(layer_input, highway_weight, highway_bias))  # [B, T, D*H]: T(x)
        return torch.lerp(layer_input, layer_output, transform)  # [B, T, D*H]: T * y + (1 - T) * x
    return layer_output
