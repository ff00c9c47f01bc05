"""Exercise 8: truncated-BPTT batching: streams, windows, detached state and DDP shards.

Chapter 5, sections 5.5.2 and 5.5.4. A language model trains on one long token stream. To use a
batch of ``B`` rows without breaking the text, the stream is cut into contiguous *streams*, one
per row, and each row is walked window by window, ``bptt`` tokens at a time; the hidden state
at the end of one window is the start of the next (detached, so backpropagation is *truncated*
at the window boundary). With ``W`` data-parallel processes (ranks), the stream is cut into
``W * B`` streams and rank ``r`` takes streams ``r*B .. r*B + B - 1``. This is exactly the
layout of ``rnnlm.data.TBPTTLoader`` (``LanguageModelDataModule``)::

    stream:  a b c d e f g h i j k l m n o p q r s t u v w x y   (N = 25, W = 2, B = 2)
    S = W*B = 4 streams of L = N // S = 6 tokens; the last N - S*L = 1 token (y) is dropped
    rank 0:  [[a b c d e f],        rank 1:  [[m n o p q r],
              [g h i j k l]]                  [s t u v w x]]
    bptt = 2:  window 0: inputs columns 0-1, targets columns 1-2
               window 1: inputs columns 2-3, targets columns 3-4
               window 2: inputs column 4,   targets column 5   (the last window may be shorter)

Targets are the inputs shifted by ONE token: ``targets[:, j] = streams[:, start + j + 1]``. The
last token of a row is only ever a target, so the windows cover input columns ``0 .. L-2``.

Conventions: token ids are ``torch.long`` 1-D tensors; streams are ``[rows, L]`` (batch first).

>>> import torch
>>> batchify(torch.arange(10), 3)
tensor([[0, 1, 2],
        [3, 4, 5],
        [6, 7, 8]])

References: pytorch/examples word_language_model (``batchify``, ``get_batch``, ``repackage_hidden``);
Zaremba, Sutskever & Vinyals (2014), Recurrent Neural Network Regularization; Williams & Peng
(1990), truncated backpropagation through time.
"""

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
    ### BEGIN SOLUTION hint: L = N // num_streams; drop the tail, then reshape so that each ROW is a contiguous piece (not each column)
    stream_length = ids.shape[0] // num_streams
    return ids[: num_streams * stream_length].reshape(num_streams, stream_length)  # [S, L]
    ### END SOLUTION


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
    ### BEGIN SOLUTION hint: batchify into world_size * batch_size streams, then take batch_size consecutive rows starting at rank * batch_size
    streams = batchify(ids, world_size * batch_size)  # [W*B, L]
    return streams[rank * batch_size : (rank + 1) * batch_size]  # [B, L]
    ### END SOLUTION


def window_schedule(stream_length: int, bptt: int) -> list[tuple[int, int]]:
    """``(start, length)`` of every window over streams of ``stream_length`` tokens.

    Windows start at ``0, bptt, 2*bptt, ...`` and cover the ``stream_length - 1`` input positions
    (the last token is only a target); the last window is shorter when ``bptt`` does not divide
    ``stream_length - 1``. Streams of at most one token have no window: ``[]``.

    >>> window_schedule(6, 2)
    [(0, 2), (2, 2), (4, 1)]
    """
    ### BEGIN SOLUTION hint: windows start every bptt columns; the last token of a stream is only a target, so no window may start or reach past column L - 2
    usable = stream_length - 1
    return [(start, min(bptt, usable - start)) for start in range(0, usable, bptt)]
    ### END SOLUTION


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
    ### BEGIN SOLUTION hint: T = min(bptt, L - 1 - start); the targets are the same slice moved one column right
    length = min(bptt, streams.shape[1] - 1 - start)
    inputs = streams[:, start : start + length]  # [B, T]
    targets = streams[:, start + 1 : start + 1 + length]  # [B, T]
    return inputs, targets
    ### END SOLUTION


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
    ### BEGIN SOLUTION hint: rank_streams, then get_window at every start of window_schedule
    streams = rank_streams(ids, batch_size, rank, world_size)  # [B, L]
    return [get_window(streams, start, bptt) for start, _ in window_schedule(streams.shape[1], bptt)]
    ### END SOLUTION


def detach_state(state: Tensor | tuple[Tensor, ...]) -> Tensor | tuple[Tensor, ...]:
    """Cut the autograd history of a hidden state between two windows (truncated BPTT).

    Args:
        state: ``h`` (RNN, GRU) or a tuple such as ``(h, c)`` (LSTM), any shapes.

    Returns:
        the same structure (a tensor, or a tuple of the same length) with the same values,
        each tensor detached from the graph (``requires_grad`` False, no ``grad_fn``). The
        caller's tensors stay as they are (no in-place ``detach_()``).
    """
    ### BEGIN SOLUTION hint: tensor.detach() for a tensor; for a tuple, detach every element (recursively) and return a tuple
    if isinstance(state, Tensor):
        return state.detach()
    return tuple(detach_state(part) for part in state)
    ### END SOLUTION
