"""The scratch LSTM layer (eqs. 5.4-5.8), with the variants that torch.nn lacks.

With its defaults ``LSTM`` is ``torch.nn.LSTM`` (same arguments, parameter names, gate order
``i, f, g, o``, initialisation and results; ``batch_first=True`` by default). The variants:

============================  =====================================================  ======================================
option                        equation                                               extra parameters (per layer/direction)
============================  =====================================================  ======================================
``coupled=True``              ``c_t = f_t * c_{t-1} + (1 - f_t) * g_t`` (CIFG)       none; gates ``f, g, o`` (3H rows, not 4H)
``peephole=True``             ``i, f`` see ``c_{t-1}``, ``o`` sees ``c_t``            ``weight_peephole_l{k}`` ``[3H]`` (``[2H]`` coupled)
``connection="residual"``     layer ``k >= 1``: ``y = LSTM_k(x) + x``                 none
``connection="highway"``      layer ``k >= 1``: ``y = T * LSTM_k(x) + (1 - T) * x``    ``weight_highway_l{k}`` ``[DH, DH]``, ``bias_highway_l{k}`` ``[DH]``
``forget_bias=b``             ``b_f = b`` at initialisation                           none
``init="chrono"``             ``b_f = log U[1, T_max - 1]``, ``b_i = -b_f``           none (``chrono_max`` is T_max)
============================  =====================================================  ======================================

Equations and references in ``rnnlm.cells.variants`` and ``rnnlm.cells.init``. Layer 0 has no
residual or highway connection (its input has ``I``, not ``D*H``, features), so those need
``num_layers >= 2``. Dropout (between layers, training only) acts on what a layer passes on,
after its connection. ``to_torch`` converts an LSTM whose variants are initialisations only.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from rnnlm.cells import functional, variants
from rnnlm.cells import init as init_module
from rnnlm.cells._validation import check_choice
from rnnlm.cells.layers import RecurrentLayer

VARIANT_DEFAULTS: dict[str, object] = {
    "coupled": False, "peephole": False, "connection": "plain", "forget_bias": None, "init": "default", "chrono_max": None,
}
"""The variant options and the values that make ``LSTM`` torch.nn's LSTM."""

STRUCTURAL_VARIANTS = ("coupled", "peephole", "connection")
"""The options that change the function computed (the others change the initialisation only)."""


class LSTM(RecurrentLayer):
    """LSTM layers (eqs. 5.4-5.8); parameters laid out as ``torch.nn.LSTM`` (gates i, f, g, o).

    The chapter's ``W_f [h_{t-1}, x_t] + b_f`` (eq. 5.4) is ``W_hf h_{t-1} + W_if x_t + b_if + b_hf``
    here: ``W_hf`` is rows ``H:2H`` of ``weight_hh_l{k}``, ``W_if`` the same rows of
    ``weight_ih_l{k}``, and the chapter's one bias is the sum of the two (likewise i: rows
    ``0:H``, the candidate ``c~`` (torch's g): ``2H:3H``, o: ``3H:4H``). A coupled LSTM stacks
    ``f, g, o`` (rows ``0:H``, ``H:2H``, ``2H:3H``).
    """

    mode = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        coupled: bool = False,
        peephole: bool = False,
        connection: str = "plain",
        forget_bias: float | None = None,
        init: str = "default",
        chrono_max: float | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        """
        Args:
            input_size: features per input step (I).
            hidden_size: size of the hidden and cell states (H).
            num_layers: stacked layers (L).
            bias: learn ``b_ih`` and ``b_hh`` (their sum is the chapter's ``b``).
            batch_first: inputs and outputs are ``[B, T, *]`` (else ``[T, B, *]``).
            dropout: dropout probability on each layer's output except the last, in [0, 1).
            bidirectional: add a layer that reads the window backwards (D = 2).
            coupled: couple the input gate to the forget gate, ``i_t = 1 - f_t`` (CIFG).
            peephole: let the gates see the cell state (Gers & Schmidhuber 2000).
            connection: between stacked layers: "plain" (torch.nn), "residual" or "highway".
            forget_bias: initial forget-gate bias ``b_f`` (1.0 in Jozefowicz et al. 2015); None keeps torch's init.
            init: "default" (torch's uniform init) or "chrono" (Tallec & Ollivier 2018; needs ``chrono_max``).
            chrono_max: T_max of the chrono init, about the longest dependency to learn, in steps (> 2).
            device: where to create the parameters.
            dtype: the parameters' dtype.
        """
        # Set before the base class allocates and initialises the parameters, which reads them.
        self.coupled = bool(coupled)
        self.peephole = bool(peephole)
        self.connection = check_choice("connection", connection, variants.CONNECTIONS)
        self.forget_bias, self.init, self.chrono_max = init_module.check_init_options(forget_bias, init, chrono_max, bias)
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device=device, dtype=dtype,
        )
        if self.connection != "plain" and self.num_layers == 1:
            warnings.warn(
                f"connection={self.connection!r} joins stacked layers, so it has no effect with num_layers=1",
                stacklevel=2,
            )

    @property
    def gate_order(self) -> tuple[str, ...]:
        """``i, f, g, o``, or ``f, g, o`` when coupled."""
        return variants.gate_order(self.coupled)

    @property
    def is_torch_compatible(self) -> bool:
        """True if torch.nn.LSTM computes the same function (the variants used are initialisations only)."""
        return all(getattr(self, name) == VARIANT_DEFAULTS[name] for name in STRUCTURAL_VARIANTS)

    def _register_extra_parameters(self, factory: dict) -> None:
        width = self.num_directions * self.hidden_size
        for layer in range(self.num_layers):
            if self.peephole:
                for direction in range(self.num_directions):
                    size = len(variants.peephole_order(self.coupled)) * self.hidden_size
                    self.register_parameter(
                        f"weight_peephole{self._suffix(layer, direction)}", nn.Parameter(torch.empty(size, **factory))
                    )
            if self.connection == "highway" and layer >= 1:
                self.register_parameter(f"weight_highway_l{layer}", nn.Parameter(torch.empty(width, width, **factory)))
                self.register_parameter(f"bias_highway_l{layer}", nn.Parameter(torch.empty(width, **factory)))

    def reset_parameters(self) -> None:
        """torch's uniform init of every parameter, then ``init_variants_``."""
        super().reset_parameters()
        self.init_variants_()

    def init_variants_(self) -> None:
        """Set what the variants initialise (highway biases, ``forget_bias`` or chrono), keeping the rest.

        A model that re-initialises every parameter its own way (e.g. uniform in ``[-0.1, 0.1]``,
        Zaremba et al.) calls this afterwards to keep the variants' initialisation.
        """
        if self.connection == "highway":
            for layer in range(1, self.num_layers):
                nn.init.constant_(getattr(self, f"bias_highway_l{layer}"), variants.HIGHWAY_BIAS)
        init_module.apply_init_(self, self.forget_bias, self.init, self.chrono_max)

    def _make_step(self, suffix: str, bias_hh: Tensor | None) -> functional.Step:
        if not (self.coupled or self.peephole):
            return super()._make_step(suffix, bias_hh)  # the plain LSTM, exactly as torch.nn's
        weight_hh_t = getattr(self, f"weight_hh{suffix}").t()  # [H, G*H], once per window
        peephole = getattr(self, f"weight_peephole{suffix}") if self.peephole else None  # [P*H]
        coupled = self.coupled
        return lambda x_projected, state: variants.lstm_variant_step(x_projected, state, weight_hh_t, peephole, coupled)

    def _connect(self, layer: int, layer_input: Tensor, layer_output: Tensor) -> Tensor:
        if layer == 0 or self.connection == "plain":
            return layer_output  # [B, T, D*H]
        highway = (getattr(self, f"weight_highway_l{layer}"), getattr(self, f"bias_highway_l{layer}")) \
            if self.connection == "highway" else (None, None)
        return variants.connect(self.connection, layer_input, layer_output, *highway)  # [B, T, D*H]

    def extra_repr(self) -> str:
        changed = [f"{name}={getattr(self, name)!r}" for name, default in VARIANT_DEFAULTS.items()
                   if getattr(self, name) != default]
        return ", ".join([super().extra_repr(), *changed])

