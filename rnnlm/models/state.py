"""Recurrent hidden state and what must travel in a checkpoint for an exact resume.

The hidden state of a TBPTT language model is *training state*, like the optimizer's moments:
a run resumed from a mid-epoch checkpoint must start its next window from the state the
uninterrupted run had, on every rank. Lightning writes the checkpoint on rank 0 only
(``Strategy.save_checkpoint``) but builds it on every rank (``Trainer.save_checkpoint`` calls
``dump_checkpoint`` and with it ``LightningModule.on_save_checkpoint`` everywhere), so the
helpers here gather every rank's tensors into one ``[world_size, ...]`` stack and give each
rank its own slice back on load.

The same holds for the random number generators that drive dropout: Lightning does not
checkpoint them, so the model saves and restores them itself (torch CPU, and the current
CUDA device when there is one).
"""

from __future__ import annotations

from typing import Union
from collections.abc import Callable

import torch
from torch import Tensor

# An LSTM carries (h, c); an Elman RNN and a GRU carry h alone. Each tensor is [L, B, H].
Hidden = Union[Tensor, tuple[Tensor, Tensor]]  # noqa: UP007 (a runtime alias: X | Y needs Python 3.10 types)


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


def gather_across_ranks(tensor: Tensor, all_gather: Callable[[Tensor], Tensor], world_size: int) -> Tensor:
    """Every rank's ``tensor`` stacked on a new first dimension: ``[world_size, ...]`` on CPU."""
    gathered = all_gather(tensor)
    if world_size == 1:
        gathered = gathered.unsqueeze(0)  # [1, ...]
    return gathered.detach().cpu()


def rng_state(device: torch.device) -> Tensor:
    """The torch generator state(s) dropout draws from, as one uint8 tensor on ``device``."""
    states = [torch.get_rng_state()]
    if device.type == "cuda":
        states.append(torch.cuda.get_rng_state(device))
    lengths = torch.tensor([len(s) for s in states], dtype=torch.int64).view(torch.uint8)
    header = torch.tensor([len(states)], dtype=torch.int64).view(torch.uint8)
    return torch.cat([header, lengths] + states).to(device)


def set_rng_state(packed: Tensor, device: torch.device) -> None:
    """Restore what :func:`rng_state` packed (on the same kind of device)."""
    packed = packed.cpu()
    count = int(packed[:8].view(torch.int64).item())
    lengths = packed[8 : 8 + 8 * count].view(torch.int64).tolist()
    offset = 8 + 8 * count
    states = []
    for length in lengths:
        states.append(packed[offset : offset + length].clone())
        offset += length
    torch.set_rng_state(states[0])
    if len(states) > 1 and device.type == "cuda":
        torch.cuda.set_rng_state(states[1], device)
