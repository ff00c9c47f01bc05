"""Truncated-BPTT streams: one token stream cut into contiguous rows, walked window by window.

The layout (pytorch/examples ``batchify``, extended to many ranks). A split of ``N`` tokens
is cut into ``S = world_size * batch_size`` contiguous streams of ``L = N // S`` tokens (the
last ``N - S * L`` tokens are dropped, and the number is logged). Rank ``r`` takes streams
``r*B .. r*B+B-1`` as the rows of a ``[B, L]`` tensor::

    stream:  a b c d e f g h i j k l m n o p q r s t u v w x   (N = 24, W = 2, B = 2, L = 6)
    rank 0:  [[a b c d e f],        rank 1:  [[m n o p q r],
              [g h i j k l]]                  [s t u v w x]]

    bptt = 2: window 0 = columns 0-1 (targets 1-2), window 1 = columns 2-3 (targets 3-4),
              window 2 = column 4 (targets column 5): the last window is shorter.

Every rank has the same ``L`` and therefore the same window schedule and number of steps,
which DDP needs (a rank with one batch more would hang in the gradient all-reduce). Row ``b``
of window ``k + 1`` continues row ``b`` of window ``k``, so the hidden state is carried from
one window to the next; ``reset=True`` marks the first window of an epoch's walk.

Variable BPTT (Merity et al. 2018, "Regularizing and Optimizing LSTM Language Models",
section 4.1): each window length is ``bptt`` with probability 0.95, else ``bptt / 2``, plus
normal jitter (std 5), at least 5 tokens. Lightning fixes the number of batches per epoch
at the first epoch, so the drawn lengths are then scaled by one common factor (close to 1)
to cover the streams exactly in a fixed number of windows. The draw is seeded by
``(seed, epoch)``: identical on every rank, different every epoch.

Several windows per batch (``windows_per_batch = K > 1``): the loader yields a ``list`` of K
consecutive windows, and the model takes one optimizer step per window inside one Lightning
training step (``rnnlm.models.tbptt``). The optimization is the same window by window; only
Lightning's per-batch work (hooks, logging, checkpoint checks: about a millisecond on a CPU)
is shared by K steps. An epoch's batches are the windows ``[0, K), [K, 2K), ...`` up to the
last window, which is a batch of its own (see ``_batch_ends``); when training must stop
inside a batch (``steps_left``, e.g. ``max_steps``), the batch ends there, and a run resumed
at such a window joins the rest of that batch to the next one, so that every epoch has
``len(loader)`` batches whatever happened, as Lightning counted them.

``TBPTTLoader`` is a plain iterable, not a ``torch.utils.data.DataLoader``: Lightning then
never injects a ``DistributedSampler`` (which would shuffle and interleave the windows).

The split may be a memory-mapped token file (``uint16``/``uint32``, see
:mod:`rnnlm.data.tokenfile`): the loader keeps a view of this rank's ``[B, L]`` block of the
map, never a copy, and converts each window to int64 as it yields it, so a rank's memory does
not grow with the corpus, only with the pages of its own streams that it has read.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

HALF_PROBABILITY = 0.05  # AWD-LSTM: a window of bptt / 2 with probability 0.05
JITTER_STD = 5.0  # AWD-LSTM: normal jitter of the window length, in tokens
MIN_WINDOW = 5  # AWD-LSTM: shortest window


class TBPTTBatch(NamedTuple):
    """One truncated-BPTT window of every row of a rank's streams."""

    inputs: torch.Tensor  # [B, T] token ids
    targets: torch.Tensor  # [B, T] the next token of each input
    reset: bool  # first window of a walk: start from a zero hidden state


def batch_windows(batch: Any) -> list[Any]:
    """The windows of a batch: the batch itself when it is one window, else its list of windows."""
    return batch if isinstance(batch, list) else [batch]


def batch_tokens(batch: Any) -> int:
    """Input tokens of a batch of one or several windows (``inputs`` is ``[B, T]``)."""
    return sum(int(window[0].numel()) for window in batch_windows(batch))


def fixed_windows(usable: int, bptt: int) -> list[tuple[int, int]]:
    """``(start, length)`` of each window over ``usable`` input positions, ``bptt`` at a time."""
    return [(start, min(bptt, usable - start)) for start in range(0, usable, bptt)]


def variable_windows(usable: int, bptt: int, seed: int, epoch: int) -> list[tuple[int, int]]:
    """AWD-LSTM window lengths for ``epoch``, scaled to cover ``usable`` positions exactly."""
    mean_length = bptt * (1 - HALF_PROBABILITY / 2)
    count = max(1, min(usable, round(usable / mean_length)))
    generator = np.random.default_rng([seed, epoch])
    base = np.where(generator.random(count) < HALF_PROBABILITY, bptt / 2, bptt)
    lengths = np.maximum(min(MIN_WINDOW, bptt), np.floor(generator.normal(base, JITTER_STD)))
    ends = np.rint(np.cumsum(lengths) * (usable / lengths.sum())).astype(np.int64)
    windows, start = [], 0
    for k, end in enumerate(ends.tolist()):
        # keep every window non-empty and leave room for the ones after it
        end = min(max(end, start + 1), usable - (count - 1 - k))
        windows.append((start, end - start))
        start = end
    return windows


class TBPTTLoader:
    """Rank ``rank``'s share of a token stream, yielded as :class:`TBPTTBatch` windows.

    Args:
        ids: the whole split as a 1-D array of token ids, the same on every rank: a tensor, or
            a NumPy array such as the memory map of a token file (read window by window).
        batch_size: streams (rows) per rank.
        bptt: window length (the mean target when ``variable_bptt``).
        rank: this process's global rank.
        world_size: the number of processes.
        variable_bptt: draw AWD-LSTM window lengths, a new schedule each epoch.
        seed: seed of the variable-length draw (combined with the epoch).
        split: the split's name, for messages.
        windows_per_batch: windows yielded together as one batch (a list) when > 1.
        steps_left: optional; called before each batch, returns how many more windows may be
            trained (None: no limit). A batch never holds more, so training that stops at
            ``max_steps`` stops at a batch's end and its checkpoint resumes at the next window.

    State (``state_dict``) is rank-independent: the epoch and the number of windows of
    that epoch already yielded. Lightning saves it in checkpoints (rank 0's copy) and hands
    it back on resume; every rank then continues at the same window.
    """

    batch_sampler = None  # Lightning inspects loader.batch_sampler; there is none

    def __init__(
        self,
        ids: torch.Tensor | np.ndarray,
        batch_size: int,
        bptt: int,
        rank: int = 0,
        world_size: int = 1,
        variable_bptt: bool = False,
        seed: int = 0,
        split: str = "train",
        windows_per_batch: int = 1,
        steps_left: Callable[[], int | None] | None = None,
    ):
        if ids.ndim != 1:
            raise ValueError(f"ids must be a 1-D array of token ids, got shape {tuple(ids.shape)}")
        for name, value in (("batch_size", batch_size), ("bptt", bptt), ("world_size", world_size),
                            ("windows_per_batch", windows_per_batch)):
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        if not 0 <= rank < world_size:
            raise ValueError(f"rank must be in [0, {world_size}), got {rank}")
        num_tokens, num_streams = int(ids.shape[0]), world_size * batch_size
        stream_length = num_tokens // num_streams
        if stream_length - 1 < bptt:
            raise ValueError(
                f"the {split} split has {num_tokens:,} tokens, too few for world_size x batch_size x "
                f"(bptt + 1) = {world_size} x {batch_size} x {bptt + 1} = {num_streams * (bptt + 1):,}: "
                "lower batch_size or bptt, use fewer devices, or use a larger corpus"
            )
        self.batch_size, self.bptt, self.rank, self.world_size = batch_size, bptt, rank, world_size
        self.variable_bptt, self.seed, self.split = variable_bptt, seed, split
        self.windows_per_batch, self.steps_left = windows_per_batch, steps_left
        self.num_streams, self.stream_length = num_streams, stream_length
        self.dropped_tokens = num_tokens - num_streams * stream_length
        first = rank * batch_size * stream_length
        if isinstance(ids, torch.Tensor):
            ids = ids.numpy()  # shares memory
        # a view of this rank's streams: no copy, a memory map stays a memory map
        self.rows = ids[first : first + batch_size * stream_length].reshape(batch_size, stream_length)  # [B, L]
        self.epoch = 0
        self.window_index = 0  # windows of this epoch already yielded
        self._resume_pending = False
        self._schedule: tuple[int, np.ndarray] | None = None

    def layout_summary(self) -> str:
        """One line for the logs: streams, their length, and how many tokens were dropped."""
        num_tokens = self.num_streams * self.stream_length + self.dropped_tokens
        batches = f", {len(self):,} batches of up to {self.windows_per_batch}" if self.windows_per_batch > 1 else ""
        return (f"{self.split}: {num_tokens:,} tokens -> {self.num_streams} streams x {self.stream_length:,} tokens "
                f"({self.batch_size} per rank, {len(self._windows()):,} windows{batches}, "
                f"{'variable ' if self.variable_bptt else ''}bptt {self.bptt}); "
                f"{self.dropped_tokens} tokens dropped at the end")

    @property
    def data(self) -> torch.Tensor:
        """This rank's streams as a LongTensor ``[B, L]`` (a copy, for inspection; iteration reads ``rows``)."""
        return torch.from_numpy(np.asarray(self.rows, dtype=np.int64))

    @property
    def sampler(self) -> TBPTTLoader:
        """Lightning calls ``loader.sampler.set_epoch(epoch)`` at each epoch start: that is us."""
        return self

    def windows(self, epoch: int | None = None) -> list[tuple[int, int]]:
        """The ``(start, length)`` schedule of ``epoch`` (default: the current one)."""
        return [(int(start), int(length)) for start, length in self._windows(epoch)]

    def _windows(self, epoch: int | None = None) -> np.ndarray:
        """The schedule as an int64 array ``[num_windows, 2]`` of ``(start, length)`` rows."""
        epoch = self.epoch if epoch is None else epoch
        if not self.variable_bptt:
            epoch = 0  # one schedule for all epochs
        if self._schedule is None or self._schedule[0] != epoch:
            usable = self.stream_length - 1  # the last token of a stream is only a target
            if self.variable_bptt:
                schedule = variable_windows(usable, self.bptt, self.seed, epoch)
            else:
                schedule = fixed_windows(usable, self.bptt)
            # an int64 array, not a list of tuples: 16 bytes a window (a 100M-token split has 10^5 to 10^6)
            self._schedule = (epoch, np.asarray(schedule, dtype=np.int64).reshape(-1, 2))
        return self._schedule[1]

    def _batch_ends(self) -> list[int]:
        """Where each batch of the epoch ends, in windows: K, 2K, ... and then the last window alone.

        The last window is a batch of its own so that a batch cut short (training stopped inside
        it) always has a next batch for its rest to join on resume (``_walk``).
        """
        num_windows, size = len(self._windows()), self.windows_per_batch
        if size == 1 or num_windows == 1:
            return list(range(1, num_windows + 1))
        return [*range(size, num_windows - 1, size), num_windows - 1, num_windows]

    def __len__(self) -> int:
        """Batches per epoch (windows when ``windows_per_batch`` is 1)."""
        return len(self._batch_ends())

    def set_epoch(self, epoch: int) -> None:
        """Start ``epoch``: its window schedule, from its first window (no-op if already there)."""
        if epoch != self.epoch:
            self.epoch, self.window_index = epoch, 0

    def __iter__(self):
        return self._walk()

    def _walk(self):
        # a generator: this body runs at the first next(), after Lightning's set_epoch
        if self._resume_pending:
            self._resume_pending = False
        elif self.window_index > 0:
            self.epoch, self.window_index = self.epoch + 1, 0  # a new walk without set_epoch
        windows = self._windows()
        if self.window_index >= len(windows):
            self.epoch, self.window_index = self.epoch + 1, 0  # resumed at an epoch's very end
            windows = self._windows()
        ends = self._batch_ends()
        while self.window_index < len(windows):
            start = self.window_index
            k = bisect.bisect_right(ends, start)  # the batch holding window `start`
            if start > 0 and ends[k - 1] != start:
                k += 1  # resumed inside a batch cut short: its rest joins the next batch
            end = ends[min(k, len(ends) - 1)]
            left = self.steps_left() if self.steps_left is not None else None
            if left is not None and left > 0:
                end = min(end, start + left)
            self.window_index = end
            batch = [self._window(windows, index) for index in range(start, end)]
            yield batch[0] if self.windows_per_batch == 1 else batch

    def _window(self, windows: np.ndarray, index: int) -> TBPTTBatch:
        start, length = int(windows[index, 0]), int(windows[index, 1])
        window = torch.from_numpy(self.rows[:, start : start + length + 1].astype(np.int64))  # [B, T + 1]
        return TBPTTBatch(window[:, :-1].contiguous(), window[:, 1:].contiguous(), index == 0)  # [B, T] each

    def state_dict(self) -> dict[str, Any]:
        """Rank-independent position: epoch and windows already yielded, plus the layout."""
        return {
            "epoch": self.epoch,
            "window_index": self.window_index,
            "num_windows": len(self._windows()),
            "windows_per_batch": self.windows_per_batch,
            "num_streams": self.num_streams,
            "stream_length": self.stream_length,
            "bptt": self.bptt,
            "variable_bptt": self.variable_bptt,
            "seed": self.seed,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue at the saved window; the next ``iter()`` starts there."""
        saved_per_batch = int(state.get("windows_per_batch", 1))
        if saved_per_batch != self.windows_per_batch and int(state["window_index"]) > 0:
            from rnnlm.errors import UsageError

            raise UsageError(
                f"this checkpoint stopped inside an epoch with windows_per_batch={saved_per_batch}, and the "
                f"{self.split} loader now has windows_per_batch={self.windows_per_batch}: Lightning counted that "
                f"epoch's batches in groups of {saved_per_batch}. Resume with --data.windows_per_batch "
                f"{saved_per_batch} (change it at the next run that starts an epoch)")
        self.epoch = int(state["epoch"])
        layout = ("num_streams", "stream_length", "bptt", "variable_bptt", "seed")
        same_layout = all(state.get(key) == getattr(self, key) for key in layout)
        if same_layout:
            self.window_index = int(state["window_index"])
        else:
            fraction = int(state["window_index"]) / max(1, int(state["num_windows"]))
            self.window_index = min(len(self._windows()), math.ceil(fraction * len(self._windows())))
            warnings.warn(
                f"{self.split} loader resumed with a different stream layout "
                f"({', '.join(f'{key}={state.get(key)}' for key in layout)} saved, now "
                f"{', '.join(f'{key}={getattr(self, key)}' for key in layout)}): continuing at the same "
                f"fraction of the epoch, window {self.window_index} of {len(self._windows())}, not at the same tokens",
                stacklevel=2,
            )
        self._resume_pending = True
