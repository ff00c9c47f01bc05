"""Gate-bias initialisations of the LSTM: forget-gate bias and chrono.

Both act on the biases only, and work on any LSTM laid out as torch.nn's (``torch.nn.LSTM``,
``torch.nn.LSTMCell`` and the scratch ``rnnlm.cells.LSTM`` / ``LSTMCell``, coupled ones included):
a gate's bias is the sum ``b_ih + b_hh`` of its block, so each sets the ``b_ih`` block to the
value wanted and the ``b_hh`` block to zero.

- Forget-gate bias (Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba & Sutskever 2015,
  "An Empirical Exploration of Recurrent Network Architectures": bias 1). With ``b_f = b`` a
  fresh cell keeps ``sigmoid(b)`` of itself per step: 0.73 for b = 1, so 0.73^100 = 2e-14 of a
  value written 100 steps ago survives. Enough for short dependencies, not for long ones.
- Chrono initialisation (Tallec & Ollivier 2018, "Can Recurrent Neural Networks Warp Time?"):
  ``b_f = log(u)``, ``u ~ Uniform[1, T_max - 1]``, and ``b_i = -b_f``. Unit ``j`` then forgets
  with a time constant of about ``1 + u_j`` steps (``1 / (1 - sigmoid(log u)) = 1 + u``), spread
  over ``[2, T_max]``, and its input gate starts nearly closed (``sigmoid(-log u) = 1/(1+u)``),
  so what it holds is not overwritten by every new input. A coupled LSTM has no input gate of
  its own (``i = 1 - f`` already), so only ``b_f`` is set.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from rnnlm.architectures import GATES, check_choice
from rnnlm.errors import UsageError

INITS = ("default", "chrono")
"""``default``: torch's uniform init (plus ``forget_bias`` if given); ``chrono``: Tallec & Ollivier."""


def _gate_order(module: nn.Module) -> tuple[str, ...]:
    return getattr(module, "gate_order", GATES["lstm"])


def _bias_pairs(module: nn.Module, what: str) -> list[tuple[Tensor, Tensor]]:
    """Every ``(bias_ih..., bias_hh...)`` pair of the module (one per layer and direction)."""
    parameters = dict(module.named_parameters())
    pairs = [(p, parameters[name.replace("bias_ih", "bias_hh", 1)])
             for name, p in parameters.items() if name.startswith("bias_ih")]
    if not pairs:
        raise UsageError(f"{what} sets the gate biases, but {type(module).__name__} has none (bias=False);"
                         " build it with bias=True")
    return pairs


def _write_gate(bias_ih: Tensor, bias_hh: Tensor, order: tuple[str, ...], gate: str, values: Tensor | float) -> None:
    """Set one gate's block of ``b_ih`` to ``values`` and of ``b_hh`` to 0 (their sum is the gate's bias)."""
    hidden_size = bias_ih.shape[0] // len(order)
    start = order.index(gate) * hidden_size
    bias_ih[start : start + hidden_size] = values  # [H]
    bias_hh[start : start + hidden_size] = 0.0  # [H]


def set_gate_bias_(module: nn.Module, gate: str, values: Tensor | float) -> None:
    """Make the chapter's bias ``b_ih + b_hh`` of ``gate`` (e.g. "f") equal ``values`` (``[H]`` or a number)."""
    order = _gate_order(module)
    if gate not in order:
        raise UsageError(f"this LSTM has no {gate!r} gate; its gates are {', '.join(order)}")
    with torch.no_grad():
        for bias_ih, bias_hh in _bias_pairs(module, f"setting the {gate!r} gate's bias"):
            _write_gate(bias_ih, bias_hh, order, gate, values)


def forget_bias_(module: nn.Module, value: float) -> None:
    """Forget-gate bias ``b_f = value`` in every layer and direction (Jozefowicz et al. 2015 use 1)."""
    value, _, _ = check_init_options(value, "default", None, bias=True)
    set_gate_bias_(module, "f", value)


def check_chrono_max(chrono_max: object) -> float:
    """Return ``chrono_max`` as a float if it is a number > 2; else a UsageError."""
    if isinstance(chrono_max, bool) or not isinstance(chrono_max, (int, float)) or not chrono_max > 2:
        raise UsageError(
            f"chrono_max (T_max) must be a number > 2, about the longest dependency to learn in steps;"
            f" received {chrono_max!r}"
        )
    return float(chrono_max)


def chrono_(module: nn.Module, chrono_max: float, generator: torch.Generator | None = None) -> None:
    """Chrono initialisation: ``b_f = log(Uniform[1, T_max - 1])``, ``b_i = -b_f``, per layer and direction."""
    chrono_max = check_chrono_max(chrono_max)
    order = _gate_order(module)
    with torch.no_grad():
        for bias_ih, bias_hh in _bias_pairs(module, "chrono initialisation"):
            uniform = torch.rand(bias_ih.shape[0] // len(order), generator=generator, dtype=torch.float64)  # [H]
            forget_bias = torch.log(1 + uniform * (chrono_max - 2)).to(bias_ih)  # [H]: log U[1, T_max - 1]
            _write_gate(bias_ih, bias_hh, order, "f", forget_bias)
            if "i" in order:  # a coupled LSTM's input gate is 1 - f already
                _write_gate(bias_ih, bias_hh, order, "i", -forget_bias)


def check_init_options(
    forget_bias: float | None, init: str, chrono_max: float | None, bias: bool
) -> tuple[float | None, str, float | None]:
    """Validate an LSTM's init options together; return them normalised (one UsageError each)."""
    init = check_choice("init", init, INITS)
    if forget_bias is not None and (isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float))
                                    or not math.isfinite(forget_bias)):
        raise UsageError(f"forget_bias must be a finite number (1.0 is the usual choice) or None, received {forget_bias!r}")
    if init == "chrono" and chrono_max is None:
        raise UsageError("init='chrono' needs chrono_max (T_max, about the longest dependency in steps), e.g. 100")
    if init != "chrono" and chrono_max is not None:
        raise UsageError(f"chrono_max={chrono_max!r} is used only by init='chrono' (received init={init!r})")
    if init == "chrono" and forget_bias is not None:
        raise UsageError("init='chrono' sets the forget-gate bias itself: give either forget_bias or init='chrono'")
    if (forget_bias is not None or init == "chrono") and not bias:
        raise UsageError("forget_bias and init='chrono' set gate biases: they need bias=True")
    return (None if forget_bias is None else float(forget_bias), init,
            None if chrono_max is None else check_chrono_max(chrono_max))


def apply_init_(module: nn.Module, forget_bias: float | None, init: str, chrono_max: float | None) -> None:
    """Apply the init options (validated by ``check_init_options``) to a freshly initialised LSTM."""
    if forget_bias is not None:
        forget_bias_(module, forget_bias)
    if init == "chrono":
        chrono_(module, chrono_max)
