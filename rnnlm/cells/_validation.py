"""Argument checks shared by the cells, the layers and the factory: one clear error each.

Option checks raise ``rnnlm.errors.UsageError`` (a ``ValueError``), shape checks ``ValueError``;
choice-valued options go through the package's one validator, ``rnnlm.architectures.check_choice``.
"""

from __future__ import annotations

from torch import Tensor

from rnnlm.architectures import ARCHITECTURES, check_choice
from rnnlm.errors import UsageError

MODES = ARCHITECTURES  # the old name of the rnn/lstm/gru choice inside rnnlm.cells
BACKENDS = ("fused", "scratch")
NONLINEARITIES = ("tanh", "relu")
GRU_VARIANTS = ("pytorch", "textbook")

__all__ = ["BACKENDS", "GRU_VARIANTS", "MODES", "NONLINEARITIES", "check_choice", "check_dropout",
           "check_input", "check_positive_int", "check_state"]


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int >= 1; else raise UsageError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{name} must be a positive integer, received {value!r}")
    return value


def check_dropout(dropout: object) -> float:
    """Return ``dropout`` as a float if it lies in [0, 1); else raise UsageError."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise UsageError(f"dropout must be a probability in [0, 1), received {dropout!r}")
    return float(dropout)


def check_input(
    inputs: Tensor, input_size: int, batched_rank: int, layout: str, reference: Tensor
) -> None:
    """Check an input's rank, feature size and dtype against what the module expects.

    ``layout`` names the batched shape for the message, e.g. ``"[B, T, I]"``.
    """
    if not isinstance(inputs, Tensor):
        raise TypeError(
            f"expected a Tensor of shape {layout}, received {type(inputs).__name__}"
            " (packed sequences are supported only by the fused backend: pad the batch instead)"
        )
    if inputs.dim() not in (batched_rank - 1, batched_rank):
        raise ValueError(
            f"expected a {batched_rank}-D input of shape {layout} with I={input_size}"
            f" (or {batched_rank - 1}-D without the batch dimension),"
            f" received {inputs.dim()}-D input of shape {list(inputs.shape)}"
        )
    if inputs.shape[-1] != input_size:
        raise ValueError(
            f"expected input size I={input_size} in the last dimension of {layout},"
            f" received shape {list(inputs.shape)}"
        )
    if inputs.dtype != reference.dtype:
        raise ValueError(
            f"input dtype {inputs.dtype} does not match the parameters' dtype {reference.dtype};"
            f" convert one of them (e.g. module.to({inputs.dtype}))"
        )


def check_state(name: str, state: Tensor, expected: tuple[int, ...], reference: Tensor) -> None:
    """Check an initial state's shape and dtype."""
    if not isinstance(state, Tensor) or tuple(state.shape) != expected:
        received = list(state.shape) if isinstance(state, Tensor) else type(state).__name__
        raise ValueError(f"expected {name} of shape {list(expected)}, received {received}")
    if state.dtype != reference.dtype:
        raise ValueError(
            f"{name} dtype {state.dtype} does not match the parameters' dtype {reference.dtype}"
        )
