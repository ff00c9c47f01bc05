"""Stacked, optionally bidirectional recurrent layers that unroll the chapter's cells over time.

``RNN``, ``LSTM`` and ``GRU`` are drop-in replacements for ``torch.nn.RNN/LSTM/GRU``: the same
constructor arguments (``batch_first=True`` by default here), the same parameter names,
shapes and gate order (``weight_ih_l{k}[_reverse]``, ``weight_hh_l{k}[_reverse]``,
``bias_ih_l{k}[_reverse]``, ``bias_hh_l{k}[_reverse]``; LSTM ``i, f, g, o``; GRU ``r, z, n``),
the same initialisation (uniform in ``[-1/sqrt(H), 1/sqrt(H)]``) and the same call:
``layer(x[B, T, I], hx) -> (output[B, T, D*H], h_n[L*D, B, H])`` (LSTM: ``(h_n, c_n)``).
A state_dict therefore moves between the two backends unchanged.

Per layer and direction, the input projections ``W_ih x_t + b`` of the whole window are one
matmul over ``[B*T, I]``; the time loop then does one fused matmul per step for all gates
(``rnnlm.cells.functional``). Dropout acts between layers, in training only, as in torch.nn.
``LSTM`` lives in ``rnnlm.cells.lstm`` with its variants (coupled gates, peepholes, residual and
highway stacks, forget-bias and chrono initialisation), which use the hooks ``gate_order``,
``_register_extra_parameters``, ``_make_step`` and ``_connect`` of ``RecurrentLayer``.

Reference: the PyTorch documentation of ``torch.nn.RNN``, ``torch.nn.LSTM``, ``torch.nn.GRU``
(parameter layout and conventions); the equations are those of chapter 5 (5.1, 5.4-5.11).
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlm.architectures import GATES, Hidden
from rnnlm.cells import functional
from rnnlm.cells._validation import (
    GRU_VARIANTS,
    NONLINEARITIES,
    check_choice,
    check_dropout,
    check_input,
    check_positive_int,
    check_state,
)


class RecurrentLayer(nn.Module):
    """Shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (use those)."""

    mode: str = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        variant: str = "pytorch",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.dropout = check_dropout(dropout)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.bidirectional = bool(bidirectional)
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.variant = check_choice("GRU variant", variant, GRU_VARIANTS)
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"dropout={self.dropout} acts only between stacked layers, so it has no effect"
                " with num_layers=1",
                stacklevel=3,
            )
        factory = {"device": device, "dtype": dtype}
        gates = len(self.gate_order) * self.hidden_size
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            layer_input_size = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = self._suffix(layer, direction)
                self.register_parameter(
                    f"weight_ih{suffix}", nn.Parameter(torch.empty(gates, layer_input_size, **factory))
                )
                self.register_parameter(
                    f"weight_hh{suffix}", nn.Parameter(torch.empty(gates, self.hidden_size, **factory))
                )
                if self.bias:
                    self.register_parameter(f"bias_ih{suffix}", nn.Parameter(torch.empty(gates, **factory)))
                    self.register_parameter(f"bias_hh{suffix}", nn.Parameter(torch.empty(gates, **factory)))
        self._register_extra_parameters(factory)
        self.reset_parameters()

    @property
    def gate_order(self) -> tuple[str, ...]:
        """The gate blocks stacked in the weights and biases, in torch.nn's order."""
        return GATES[self.mode]

    def _register_extra_parameters(self, factory: dict) -> None:
        """Parameters that torch.nn lacks (LSTM variants); none here."""

    def _make_step(self, suffix: str, bias_hh: Tensor | None) -> functional.Step:
        """The step function of one layer and direction (``suffix`` as in ``weight_hh{suffix}``)."""
        return functional.make_step(self.mode, getattr(self, f"weight_hh{suffix}"), bias_hh, self.nonlinearity, self.variant)

    def _connect(self, layer: int, layer_input: Tensor, layer_output: Tensor) -> Tensor:
        """What layer ``layer`` passes on (``[B, T, D*H]``): its output, as in torch.nn."""
        return layer_output

    @staticmethod
    def _suffix(layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction == 1 else "")

    @property
    def num_directions(self) -> int:
        """2 if bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """Uniform in ``[-1/sqrt(H), 1/sqrt(H)]``, as torch.nn does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        if self.mode == "rnn":
            text += f", nonlinearity={self.nonlinearity!r}"
        if self.mode == "gru":
            text += f", variant={self.variant!r}"
        return text + (
            f", bias={self.bias}, batch_first={self.batch_first}, dropout={self.dropout},"
            f" bidirectional={self.bidirectional}"
        )

    def _initial_states(
        self, hx: Hidden | None, batch_size: int, batched: bool, reference: Tensor
    ) -> list[tuple[Tensor, ...]]:
        """One state per (layer, direction), ``k = layer * D + direction``; each ``([B, H], ...)``."""
        count = self.num_layers * self.num_directions
        expected = (count, batch_size, self.hidden_size) if batched else (count, self.hidden_size)
        names = ("h_0", "c_0") if self.mode == "lstm" else ("h_0",)
        if hx is None:
            zeros = reference.new_zeros(count, batch_size, self.hidden_size)  # [L*D, B, H]
            parts = (zeros,) * len(names)
        else:
            if self.mode == "lstm":
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise ValueError(f"an LSTM's hx must be a tuple (h_0, c_0), each of shape {list(expected)}")
                parts = tuple(hx)
            else:
                if isinstance(hx, (tuple, list)):
                    raise ValueError(
                        f"hx of a {type(self).__name__} is one tensor of shape {list(expected)}, received a tuple"
                    )
                parts = (hx,)
            for name, part in zip(names, parts):
                check_state(name, part, expected, reference)
            if not batched:
                parts = tuple(part.unsqueeze(1) for part in parts)  # [L*D, 1, H]
        return [tuple(part[k] for part in parts) for k in range(count)]

    def forward_with_hidden_states(
        self, input: Tensor, hx: Hidden | None = None
    ) -> tuple[Tensor, Hidden, list[list[Tensor]]]:
        """Like ``forward``, plus every per-step hidden state: ``states[layer * D + direction][t]``
        is ``h_t`` (``[B, H]``), a node of the autograd graph (e.g. for ``dL/dh_t``, eq. 5.3)."""
        reference = self.weight_ih_l0
        check_input(input, self.input_size, 3, "[B, T, I]" if self.batch_first else "[T, B, I]", reference)
        batched = input.dim() == 3
        if not batched:
            inputs = input.unsqueeze(0)  # [1, T, I]
        elif not self.batch_first:
            inputs = input.transpose(0, 1)  # [B, T, I]
        else:
            inputs = input  # [B, T, I]
        states = self._initial_states(hx, inputs.shape[0], batched, reference)

        finals: list[tuple[Tensor, ...]] = []
        all_hidden_states: list[list[Tensor]] = []
        layer_input = inputs  # [B, T, I] then [B, T, D*H]
        for layer in range(self.num_layers):
            direction_outputs = []
            for direction in range(self.num_directions):
                suffix = self._suffix(layer, direction)
                bias_ih = getattr(self, f"bias_ih{suffix}") if self.bias else None
                bias_hh = getattr(self, f"bias_hh{suffix}") if self.bias else None
                bias = functional.projection_bias(self.mode, self.variant, bias_ih, bias_hh)
                weight_ih = getattr(self, f"weight_ih{suffix}")  # [G*H, I] or [G*H, D*H]
                projected = functional.project_inputs(layer_input, weight_ih, bias)  # [B, T, G*H]
                step = self._make_step(suffix, bias_hh)
                hidden_states, final = functional.unroll(
                    step, projected, states[layer * self.num_directions + direction], reverse=direction == 1
                )
                direction_outputs.append(torch.stack(hidden_states, dim=1))  # [B, T, H]
                all_hidden_states.append(hidden_states)
                finals.append(final)
            layer_output = torch.cat(direction_outputs, dim=2) if self.bidirectional else direction_outputs[0]  # [B, T, D*H]
            layer_input = self._connect(layer, layer_input, layer_output)  # [B, T, D*H]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)  # between layers only

        output = layer_input  # [B, T, D*H]
        h_n = torch.stack([final[0] for final in finals])  # [L*D, B, H]
        if self.mode == "lstm":
            c_n = torch.stack([final[1] for final in finals])  # [L*D, B, H]
        if not batched:
            output, h_n = output.squeeze(0), h_n.squeeze(1)  # [T, D*H], [L*D, H]
            if self.mode == "lstm":
                c_n = c_n.squeeze(1)
        elif not self.batch_first:
            output = output.transpose(0, 1)  # [T, B, D*H]
        hidden: Hidden = (h_n, c_n) if self.mode == "lstm" else h_n
        return output, hidden, all_hidden_states

    def forward(self, input: Tensor, hx: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """``input`` ``[B, T, I]`` (``[T, B, I]`` if not batch_first; ``[T, I]`` unbatched) and
        optional initial state ``[L*D, B, H]`` (LSTM: a tuple ``(h_0, c_0)``) -> ``(output, h_n)``."""
        output, hidden, _ = self.forward_with_hidden_states(input, hx)
        return output, hidden


class RNN(RecurrentLayer):
    """Elman RNN layers (eq. 5.1), tanh or ReLU; parameters laid out as ``torch.nn.RNN``.

    eq. 5.1's ``W_hh``, ``W_xh``, ``b_h`` are ``weight_hh_l{k}``, ``weight_ih_l{k}`` and
    ``bias_ih_l{k} + bias_hh_l{k}``.
    """

    mode = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features per input step (I).
            hidden_size: size of the hidden state (H).
            num_layers: stacked layers (L).
            nonlinearity: "tanh" or "relu".
            bias: learn ``b_ih`` and ``b_hh``.
            batch_first: inputs and outputs are ``[B, T, *]`` (else ``[T, B, *]``).
            dropout: dropout probability on each layer's output except the last, in [0, 1).
            bidirectional: add a layer that reads the window backwards (D = 2).
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            nonlinearity=nonlinearity, device=device, dtype=dtype,
        )


class GRU(RecurrentLayer):
    """GRU layers; parameters laid out as ``torch.nn.GRU`` (gates r, z, n).

    ``variant="pytorch"`` computes ``torch.nn.GRU``; ``variant="textbook"`` computes eqs.
    5.9-5.11 (reset gate applied to ``h`` before the matmul; ``z`` weights the candidate).
    The chapter's ``W_z [h, x] + b_z`` is ``W_hz h + W_iz x + b_iz + b_hz`` (rows ``H:2H`` of
    ``weight_hh_l{k}`` / ``weight_ih_l{k}``; r: ``0:H``, candidate: ``2H:3H``).
    """

    mode = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        variant: str = "pytorch",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features per input step (I).
            hidden_size: size of the hidden state (H).
            num_layers: stacked layers (L).
            bias: learn ``b_ih`` and ``b_hh``.
            batch_first: inputs and outputs are ``[B, T, *]`` (else ``[T, B, *]``).
            dropout: dropout probability on each layer's output except the last, in [0, 1).
            bidirectional: add a layer that reads the window backwards (D = 2).
            variant: "pytorch" (as torch.nn.GRU) or "textbook" (eq. 5.11).
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            variant=variant, device=device, dtype=dtype,
        )
