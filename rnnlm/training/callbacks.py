"""Callbacks of the ``rnnlm`` CLI: training speed in tokens per second, a progress bar that costs nothing per step.

A NaN or infinite loss is caught by the model itself (``rnnlm.models.tbptt``) so that it stops
training with or without the CLI.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any

from lightning.pytorch import Callback, LightningModule, Trainer
from lightning.pytorch.callbacks import TQDMProgressBar

from rnnlm.data.streams import batch_tokens


class TokensPerSecond(Callback):
    """Log ``train/tokens_per_sec``: tokens of every rank per second of wall time.

    The clock runs from the end of one training batch to the end of the next, so data loading,
    the optimizer and the other callbacks count too (what a user waits for). The rate is
    averaged over the last ``window`` batches (of one or several windows) and logged when
    Lightning writes step metrics (every ``log_every_n_steps`` batches): a ``self.log`` call
    costs about a millisecond, as much as a step of a small model, so it is not made on the
    other batches.

    Args:
        window: number of recent batches averaged
    """

    def __init__(self, window: int = 20) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self._last: float | None = None
        self._recent: deque[tuple[int, float]] = deque(maxlen=window)  # (tokens, seconds) of each step

    def on_train_epoch_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self._last = time.perf_counter()
        self._recent.clear()

    def on_train_batch_end(self, trainer: Trainer, pl_module: LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self._recent.append((batch_tokens(batch) * trainer.world_size, now - self._last))  # per rank
        self._last = now
        # the test Lightning's own LearningRateMonitor uses: will this batch's step metrics be written?
        if not trainer.log_every_n_steps or not trainer._logger_connector.should_update_logs or not self._recent:
            return
        seconds = sum(elapsed for _, elapsed in self._recent)
        if seconds > 0:
            rate = sum(count for count, _ in self._recent) / seconds
            pl_module.log("train/tokens_per_sec", rate, on_step=True, on_epoch=False)  # shown by ProgressBar

    def on_validation_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self._last = time.perf_counter()  # validation time is not training throughput


class ProgressBar(TQDMProgressBar):
    """Lightning's bar, redrawn at most every ``min_seconds``, showing the step values logged without ``prog_bar``.

    Lightning turns every ``prog_bar=True`` value into a Python number after *every* step (a
    device sync on a GPU), whether or not the bar redraws. The training step metrics are
    therefore logged without it, and this bar reads them from ``trainer.callback_metrics`` only
    when it redraws. A redraw (metrics, formatting, a terminal write that wandb captures) costs
    about a millisecond: with batches of a small model taking a few milliseconds, the bar
    redraws when ``min_seconds`` have passed, and after every batch when batches are slower.

    Args:
        refresh_rate: batches between redraws at most (Lightning's meaning)
        min_seconds: shortest time between two redraws of a bar (its last batch always redraws)
    """

    SHOWN = {"train/loss_step": "loss", "train/tokens_per_sec": "tokens/s"}

    def __init__(self, refresh_rate: int = 1, min_seconds: float = 0.5) -> None:
        super().__init__(refresh_rate=refresh_rate)
        if min_seconds < 0:
            raise ValueError(f"min_seconds must be >= 0, got {min_seconds}")
        self.min_seconds = min_seconds
        self._last_redraw = -math.inf

    def _should_update(self, current: int, total: int) -> bool:
        if not super()._should_update(current, total):
            return False
        now = time.monotonic()
        if current != total and now - self._last_redraw < self.min_seconds:
            return False
        self._last_redraw = now
        return True

    def get_metrics(self, trainer: Trainer, pl_module: LightningModule) -> dict[str, int | str | float | dict[str, float]]:
        items = super().get_metrics(trainer, pl_module)
        for key, label in self.SHOWN.items():
            value = trainer.callback_metrics.get(key)
            if value is not None:
                items[label] = f"{float(value):.3g}" if key == "train/loss_step" else f"{float(value):,.0f}"
        return items
