"""The three recurrent architectures of the chapter, named once for the whole package.

Everywhere in rnnlm the choice between an Elman RNN (eq. 5.1), an LSTM (eqs. 5.4-5.8) and a
GRU (eqs. 5.9-5.11) is called ``architecture`` and takes the values below. This module holds
the names, the gate order of each (torch.nn's layout), the torch.nn classes, the hidden-state
type, and the one validator for every choice-valued option.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from torch import Tensor, nn

from rnnlm.errors import UsageError

ARCHITECTURES = ("rnn", "lstm", "gru")
Architecture = Literal["rnn", "lstm", "gru"]

# Gate blocks stacked in weight_ih / weight_hh, in torch.nn's order.
GATES: dict[str, tuple[str, ...]] = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}

TORCH_LAYERS: dict[str, type[nn.Module]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
TORCH_CELLS: dict[str, type[nn.Module]] = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}

# An LSTM carries (h, c); an Elman RNN and a GRU carry h alone. Each tensor is [L*D, B, H].
Hidden = Tensor | tuple[Tensor, Tensor]


def check_choice(name: str, value: object, valid: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``valid``; else raise a UsageError listing them."""
    valid = tuple(valid)
    if value not in valid:
        raise UsageError(f"unknown {name} {value!r}; valid: {', '.join(repr(v) for v in valid)}")
    return value  # type: ignore[return-value]


def check_architecture(architecture: object) -> str:
    """Return ``architecture`` lower-cased if it names one of ARCHITECTURES; else a UsageError."""
    name = str(architecture).lower()
    return check_choice("architecture", name, ARCHITECTURES)
