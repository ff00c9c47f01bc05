"""Returns a list instead of a tuple for an (h, c) state."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["batchify", "rank_streams", "window_schedule", "get_window", "tbptt_windows", "detach_state"]


def batchify(ids: Tensor, num_streams: int) -> Tensor:
    """Cut a 1-D token stream into ``num_streams`` contiguous streams of equal length.

    Args:
        ids: ``[N]`` token ids.
        num_streams: ``S``, the number of rows (>= 1, at most ``N``).

    Returns:
        ``[S, L]`` with ``L = N // S``, in the dtype of ``ids``: row ``s`` is
        ``ids[s*L : (s+1)*L]``; the last ``N - S*L`` tokens are dropped.

    Raises:
        ValueError: if ``ids`` is not 1-D or ``num_streams`` is not in ``[1, N]``.
    """
    if ids.dim() != 1:
        raise ValueError(f"ids must be a 1-D tensor of token ids, got shape {tuple(ids.shape)}")
    if not 1 <= num_streams <= ids.shape[0]:
        raise ValueError(f"num_streams must be in [1, {ids.shape[0]}] (the number of tokens), got {num_streams}")
    stream_length = ids.shape[0] // num_streams
    return ids[: num_streams * stream_length].reshape(num_streams, stream_length)  # [S, L]


def rank_streams(ids: Tensor, batch_size: int, rank: int = 0, world_size: int = 1) -> Tensor:
    """Rank ``rank``'s rows: streams ``rank*B .. rank*B + B - 1`` of the ``world_size * B`` streams.

    Args:
        ids: ``[N]`` token ids (the same on every rank).
        batch_size: ``B``, rows per rank.
        rank: this process, ``0 <= rank < world_size``.
        world_size: ``W``, the number of processes.

    Returns:
        ``[B, L]`` with ``L = N // (W * B)`` (the same ``L`` on every rank).

    >>> import torch
    >>> rank_streams(torch.arange(12), batch_size=1, rank=1, world_size=3)
    tensor([[4, 5, 6, 7]])

    Raises:
        ValueError: if ``rank`` is not in ``[0, world_size)``.
    """
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must be in [0, {world_size}) for world_size={world_size}, got {rank}")
    streams = batchify(ids, world_size * batch_size)  # [W*B, L]
    return streams[rank * batch_size : (rank + 1) * batch_size]  # [B, L]


def window_schedule(stream_length: int, bptt: int) -> list[tuple[int, int]]:
    """``(start, length)`` of every window over streams of ``stream_length`` tokens.

    Windows start at ``0, bptt, 2*bptt, ...`` and cover the ``stream_length - 1`` input positions
    (the last token is only a target); the last window is shorter when ``bptt`` does not divide
    ``stream_length - 1``. Streams of at most one token have no window: ``[]``.

    >>> window_schedule(6, 2)
    [(0, 2), (2, 2), (4, 1)]
    """
    usable = stream_length - 1
    return [(start, min(bptt, usable - start)) for start in range(0, usable, bptt)]


def get_window(streams: Tensor, start: int, bptt: int) -> tuple[Tensor, Tensor]:
    """The window of inputs starting at column ``start`` and its targets shifted by one.

    Args:
        streams: ``[B, L]``.
        start: first input column, ``0 <= start <= L - 2``.
        bptt: the longest window.

    Returns:
        ``(inputs, targets)``, each ``[B, T]`` with ``T = min(bptt, L - 1 - start)``:
        ``inputs = streams[:, start : start+T]`` and ``targets = streams[:, start+1 : start+1+T]``.

    Raises:
        ValueError: if ``start`` is not in ``[0, L - 2]`` (no input column with a target there).
    """
    if not 0 <= start <= streams.shape[1] - 2:
        raise ValueError(f"start must be in [0, {streams.shape[1] - 2}] for streams of length {streams.shape[1]}, got {start}")
    length = min(bptt, streams.shape[1] - 1 - start)
    inputs = streams[:, start : start + length]  # [B, T]
    targets = streams[:, start + 1 : start + 1 + length]  # [B, T]
    return inputs, targets


def tbptt_windows(
    ids: Tensor, batch_size: int, bptt: int, rank: int = 0, world_size: int = 1
) -> list[tuple[Tensor, Tensor]]:
    """Every ``(inputs, targets)`` window rank ``rank`` trains on in one epoch, in order.

    Equal to the ``(batch.inputs, batch.targets)`` pairs that ``rnnlm.data.TBPTTLoader(ids,
    batch_size, bptt, rank, world_size)`` yields (fixed ``bptt``).

    >>> import torch
    >>> [(x.tolist(), y.tolist()) for x, y in tbptt_windows(torch.arange(7), 1, 4)]
    [([[0, 1, 2, 3]], [[1, 2, 3, 4]]), ([[4, 5]], [[5, 6]])]
    """
    streams = rank_streams(ids, batch_size, rank, world_size)  # [B, L]
    return [get_window(streams, start, bptt) for start, _ in window_schedule(streams.shape[1], bptt)]


def detach_state(state: Tensor | tuple[Tensor, ...]) -> Tensor | tuple[Tensor, ...]:
    """Cut the autograd history of a hidden state between two windows (truncated BPTT).

    Args:
        state: ``h`` (RNN, GRU) or a tuple such as ``(h, c)`` (LSTM), any shapes.

    Returns:
        the same structure (a tensor, or a tuple of the same length) with the same values,
        each tensor detached from the graph (``requires_grad`` False, no ``grad_fn``). The
        caller's tensors stay as they are (no in-place ``detach_()``).
    """
    if isinstance(state, Tensor):
        return state.detach()
    return [detach_state(part) for part in state]
