"""Callbacks of the ``rnnlm`` CLI: training speed in tokens per second.

A NaN or infinite loss is caught by the model itself (``RecurrentLanguageModel.training_step``)
so that it stops training with or without the CLI.
"""

from __future__ import annotations

import time
from typing import Any

from lightning.pytorch import Callback, LightningModule, Trainer


class TokensPerSecond(Callback):
    """Log ``train/tokens_per_sec``: tokens of every rank per second of wall time, step by step.

    The clock runs from the end of one training step to the end of the next, so data loading,
    the optimizer and the other callbacks count too (what a user waits for). The rate is
    averaged over the last ``window`` steps so the progress bar stays readable.

    Args:
        window: number of recent steps averaged
    """

    def __init__(self, window: int = 20) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self._last: float | None = None
        self._recent: list[tuple[int, float]] = []

    def on_train_epoch_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self._last, self._recent = time.perf_counter(), []

    def on_train_batch_end(self, trainer: Trainer, pl_module: LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        now = time.perf_counter()
        if self._last is not None:
            tokens = batch[0].numel() * trainer.world_size  # inputs [B, T] on every rank
            self._recent = (self._recent + [(tokens, now - self._last)])[-self.window:]
            seconds = sum(elapsed for _, elapsed in self._recent)
            if seconds > 0:
                rate = sum(count for count, _ in self._recent) / seconds
                pl_module.log("train/tokens_per_sec", rate, prog_bar=True, on_step=True, on_epoch=False,
                              batch_size=batch[0].size(0))
        self._last = now

    def on_validation_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self._last = time.perf_counter()  # validation time is not training throughput
