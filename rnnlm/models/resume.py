"""Exact resume: the training state Lightning does not checkpoint, gathered from every rank.

The hidden state of a TBPTT language model is *training state*, like the optimizer's moments:
a run resumed from a mid-epoch checkpoint must start its next window from the state the
uninterrupted run had, on every rank. Lightning writes the checkpoint on rank 0 only
(``Strategy.save_checkpoint``) but builds it on every rank (``Trainer.save_checkpoint`` calls
``dump_checkpoint`` and with it ``LightningModule.on_save_checkpoint`` everywhere), so
:func:`save_training_state` gathers every rank's tensors into one ``[world_size, ...]`` stack
and :func:`restore_training_state` gives each rank its own slice back.

The same holds for the random number generators that drive dropout: Lightning does not
checkpoint them, so they travel here too (torch CPU, and the current CUDA device when there
is one), and are set just before the first resumed step (so that nothing drawn between
loading and training, e.g. a sanity validation, shifts them).

Checkpoint layout: ``checkpoint["rnnlm"]["hidden"]`` = list of ``[W, L, B, H]`` tensors (one,
or two for an LSTM), ``checkpoint["rnnlm"]["rng"]`` = ``[W, bytes]`` uint8.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from lightning.pytorch.utilities import rank_zero_warn
from torch import Tensor

from rnnlm.architectures import Hidden
from rnnlm.models import state


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


def save_training_state(checkpoint: dict[str, Any], hidden: Hidden | None, strategy: Any, world_size: int,
                        device: torch.device) -> None:
    """Put every rank's carried hidden state and dropout RNG into ``checkpoint["rnnlm"]`` (call on every rank)."""
    gather = strategy.all_gather
    present = torch.tensor(0 if hidden is None else 1, device=device)
    ranks_with_state = gather(present)  # [W] (a scalar with one rank)
    if int(ranks_with_state.sum()) == world_size:
        checkpoint["rnnlm"]["hidden"] = [gather_across_ranks(t.contiguous(), gather, world_size)
                                         for t in state.as_tuple(hidden)]  # [W, L, B, H] each
    checkpoint["rnnlm"]["rng"] = gather_across_ranks(rng_state(device), gather, world_size)  # [W, bytes]


def restore_training_state(saved: dict[str, Any], rank: int, world_size: int) -> tuple[Hidden | None, Tensor | None]:
    """This rank's hidden state and packed RNG state from ``checkpoint["rnnlm"]``, or None where absent.

    A checkpoint written by another number of ranks cannot be split among this run's ranks:
    it warns and both start afresh.
    """
    saved_world_size = saved["rng"].size(0) if "rng" in saved else world_size
    if saved_world_size != world_size:
        rank_zero_warn(f"the checkpoint was written by {saved_world_size} rank(s) and this run has {world_size}: "
                       "hidden states and dropout RNGs start afresh, so the resume is not exact "
                       f"(resume with --trainer.devices {saved_world_size} for an exact one)")
        return None, None
    hidden = state.from_tuple(tuple(t[rank] for t in saved["hidden"])) if "hidden" in saved else None
    rng = saved["rng"][rank] if "rng" in saved else None
    return hidden, rng


__all__ = ["gather_across_ranks", "rng_state", "set_rng_state", "save_training_state", "restore_training_state"]
