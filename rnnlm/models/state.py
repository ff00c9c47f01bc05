"""The recurrent hidden state carried between truncated-BPTT windows.

An LSTM carries ``(h, c)``; an Elman RNN and a GRU carry ``h`` alone (``rnnlm.architectures.Hidden``),
each tensor ``[L, B, H]``. These helpers treat both forms alike. The state is cut from the
graph at every window boundary (:func:`detach`), as pytorch/examples' ``repackage_hidden`` does.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rnnlm.architectures import Hidden


def as_tuple(hidden: Hidden) -> tuple[Tensor, ...]:
    """The hidden state as a tuple of tensors (one for RNN/GRU, two for LSTM)."""
    return tuple(hidden) if isinstance(hidden, (tuple, list)) else (hidden,)


def from_tuple(tensors: tuple[Tensor, ...]) -> Hidden:
    """Inverse of :func:`as_tuple`."""
    return tensors[0] if len(tensors) == 1 else (tensors[0], tensors[1])


def detach(hidden: Hidden) -> Hidden:
    """Cut the graph at the window boundary (truncated BPTT), keeping the values."""
    return from_tuple(tuple(t.detach() for t in as_tuple(hidden)))


def batch_size_of(hidden: Hidden) -> int:
    """B of a hidden state whose tensors are ``[L, B, H]``."""
    return as_tuple(hidden)[0].size(1)


def move(hidden: Hidden, device: torch.device) -> Hidden:
    """The hidden state on ``device`` (a no-op when it is already there)."""
    return from_tuple(tuple(t.to(device) for t in as_tuple(hidden)))


__all__ = ["Hidden", "as_tuple", "from_tuple", "detach", "batch_size_of", "move"]
