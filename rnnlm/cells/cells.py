"""Single-step cells, laid out as ``torch.nn.RNNCell/LSTMCell/GRUCell``.

One call is one time step: ``cell(x_t[B, I], h_{t-1}) -> h_t`` (LSTM: ``(h_t, c_t)``), with
parameters ``weight_ih [G*H, I]``, ``weight_hh [G*H, H]``, ``bias_ih``, ``bias_hh`` ``[G*H]``.
Use them to unroll by hand and read off ``dL/dh_t`` at every step (eq. 5.3); for whole
windows the layers in ``rnnlm.cells.layers`` are faster (one input matmul per window).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from rnnlm.cells import functional
from rnnlm.cells._validation import (
    GRU_VARIANTS,
    NONLINEARITIES,
    check_choice,
    check_input,
    check_positive_int,
    check_state,
)

CellState = Tensor | tuple[Tensor, Tensor]


class RecurrentCell(nn.Module):
    """Shared machinery of ``RNNCell``, ``LSTMCell`` and ``GRUCell`` (use those)."""

    mode: str = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        variant: str = "pytorch",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.variant = check_choice("GRU variant", variant, GRU_VARIANTS)
        factory = {"device": device, "dtype": dtype}
        gates = functional.GATE_COUNTS[self.mode] * self.hidden_size
        self.weight_ih = nn.Parameter(torch.empty(gates, self.input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(gates, self.hidden_size, **factory))
        if self.bias:
            self.bias_ih = nn.Parameter(torch.empty(gates, **factory))
            self.bias_hh = nn.Parameter(torch.empty(gates, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ``[-1/sqrt(H), 1/sqrt(H)]``, as torch.nn does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, bias={self.bias}"
        if self.mode == "rnn":
            text += f", nonlinearity={self.nonlinearity!r}"
        if self.mode == "gru":
            text += f", variant={self.variant!r}"
        return text

    def forward(self, input: Tensor, hx: CellState | None = None) -> CellState:
        """``input`` ``[B, I]`` (or ``[I]``) and the previous state ``[B, H]`` (LSTM: ``(h, c)``;
        zeros if None) -> the next state, same shapes."""
        check_input(input, self.input_size, 2, "[B, I]", self.weight_ih)
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)  # [B, I]
        expected = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        names = ("h", "c") if self.mode == "lstm" else ("h",)
        if hx is None:
            state = (x.new_zeros(x.shape[0], self.hidden_size),) * len(names)  # [B, H] each
        else:
            parts = tuple(hx) if self.mode == "lstm" and isinstance(hx, (tuple, list)) else (hx,)
            if len(parts) != len(names):
                raise ValueError(f"expected hx as {len(names)} tensor(s) {names}, received {len(parts)}")
            for name, part in zip(names, parts):
                check_state(name, part, expected, self.weight_ih)
            state = parts if batched else tuple(part.unsqueeze(0) for part in parts)
        bias = functional.projection_bias(self.mode, self.variant, self.bias_ih, self.bias_hh)
        projected = functional.project_inputs(x.unsqueeze(1), self.weight_ih, bias)[:, 0]  # [B, G*H]
        step = functional.make_step(self.mode, self.weight_hh, self.bias_hh, self.nonlinearity, self.variant)
        state = step(projected, state)
        if not batched:
            state = tuple(part.squeeze(0) for part in state)  # [H] each
        return state if self.mode == "lstm" else state[0]


class RNNCell(RecurrentCell):
    """One step of the Elman RNN (eq. 5.1), laid out as ``torch.nn.RNNCell``."""

    mode = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features of the input (I).
            hidden_size: size of the hidden state (H).
            bias: learn ``b_ih`` and ``b_hh``.
            nonlinearity: "tanh" or "relu".
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        super().__init__(input_size, hidden_size, bias, nonlinearity=nonlinearity, device=device, dtype=dtype)


class LSTMCell(RecurrentCell):
    """One LSTM step (eqs. 5.4-5.8), laid out as ``torch.nn.LSTMCell`` (gates i, f, g, o)."""

    mode = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features of the input (I).
            hidden_size: size of the hidden and cell states (H).
            bias: learn ``b_ih`` and ``b_hh``.
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        super().__init__(input_size, hidden_size, bias, device=device, dtype=dtype)


class GRUCell(RecurrentCell):
    """One GRU step, laid out as ``torch.nn.GRUCell`` (gates r, z, n); ``variant`` as in ``GRU``."""

    mode = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        variant: str = "pytorch",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features of the input (I).
            hidden_size: size of the hidden state (H).
            bias: learn ``b_ih`` and ``b_hh``.
            variant: "pytorch" (as torch.nn.GRUCell) or "textbook" (eq. 5.11).
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        super().__init__(input_size, hidden_size, bias, variant=variant, device=device, dtype=dtype)
