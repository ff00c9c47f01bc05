"""The truncated-BPTT steps of a language model: carried hidden state, loss, metrics, NaN guard.

The hidden state is carried from one window to the next and detached (TBPTT; pytorch/examples'
``repackage_hidden``), reset when the batch says a walk over the streams restarts
(``TBPTTBatch.reset``) or its batch size changes, and kept separately for training, validation,
test and prediction. It is a plain attribute, never a registered buffer: under DDP,
``broadcast_buffers`` would overwrite every rank's state with rank 0's.

A NaN or infinite training loss stops training with the step and a hint, on every rank at
once; it is caught here (not in a CLI callback) so that it holds with or without the CLI.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from lightning.pytorch import LightningModule
from torch import Tensor

from rnnlm.architectures import Hidden
from rnnlm.models import state
from rnnlm.models.metrics import log_perplexity, token_mean

STAGES = ("train", "val", "test", "predict")


class TruncatedBPTTSteps(LightningModule):
    """Training, validation, test and predict steps over ``TBPTTBatch(inputs[B, T], targets[B, T], reset)``.

    A subclass provides ``init_hidden(batch_size)``, ``token_nll(inputs, targets, hidden)`` and
    ``is_char_level``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._hidden: dict[str, Hidden | None] = dict.fromkeys(STAGES)
        self.val_loss, self.test_loss = token_mean(), token_mean()

    # ------------------------------------------------------------------------------ steps
    def _carried_hidden(self, stage: str, batch_size: int, reset: bool) -> Hidden:
        hidden = self._hidden[stage]
        if reset or hidden is None or state.batch_size_of(hidden) != batch_size:
            return self.init_hidden(batch_size)
        return state.move(hidden, self.device)

    def _window_nll(self, batch: Any, stage: str) -> Tensor:
        inputs, targets, reset = batch  # [B, T], [B, T], bool
        hidden = self._carried_hidden(stage, inputs.size(0), bool(reset))
        nll, hidden = self.token_nll(inputs, targets, hidden)  # [B, T]
        self._hidden[stage] = state.detach(hidden)  # truncated BPTT: the graph ends here
        return nll

    def training_step(self, batch: Any, batch_idx: int) -> Tensor:
        loss = self._window_nll(batch, "train").mean()
        self._stop_if_not_finite(loss, batch_idx)
        batch_size = batch[0].size(0)
        self.log("train/loss", loss, prog_bar=True, on_step=True, on_epoch=True, batch_size=batch_size)
        if self.is_char_level:
            self.log("train/bpc", loss / math.log(2), on_step=True, on_epoch=True, batch_size=batch_size)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        self.val_loss.update(self._window_nll(batch, "val"))  # [B, T]: one weight per token

    def test_step(self, batch: Any, batch_idx: int) -> None:
        self.test_loss.update(self._window_nll(batch, "test"))  # [B, T]

    def predict_step(self, batch: Any, batch_idx: int) -> Tensor:
        """Per-token negative log-likelihood ``[B, T]`` of the batch's targets (scoring text)."""
        return self._window_nll(batch, "predict")

    def _stop_if_not_finite(self, loss: Tensor, batch_idx: int) -> None:
        bad = not bool(torch.isfinite(loss.detach()))
        if self._trainer is not None and self.trainer.world_size > 1:
            bad = self.trainer.strategy.reduce_boolean_decision(bad, all=False)  # every rank stops together
        if bad:
            raise FloatingPointError(
                f"train/loss is {loss.item()} at step {self.global_step} (epoch {self.current_epoch}, "
                f"batch {batch_idx}): training stopped. Lower the learning rate (--model.lr) or clip "
                f"gradients harder (--trainer.gradient_clip_val), then start again from the last checkpoint.")

    # ------------------------------------------------------------------ epochs and metrics
    def on_train_epoch_start(self) -> None:
        self._hidden["train"] = None

    def on_validation_epoch_start(self) -> None:
        self._hidden["val"] = None

    def on_test_epoch_start(self) -> None:
        self._hidden["test"] = None

    def on_predict_epoch_start(self) -> None:
        self._hidden["predict"] = None

    def on_validation_epoch_end(self) -> None:
        log_perplexity(self, "val", self.val_loss, self.is_char_level)

    def on_test_epoch_end(self) -> None:
        log_perplexity(self, "test", self.test_loss, self.is_char_level)
