"""The truncated-BPTT steps of a language model: carried hidden state, loss, metrics, NaN guard.

The hidden state is carried from one window to the next and detached (TBPTT; pytorch/examples'
``repackage_hidden``), reset when the batch says a walk over the streams restarts
(``TBPTTBatch.reset``) or its batch size changes, and kept separately for training, validation,
test and prediction. It is a plain attribute, never a registered buffer: under DDP,
``broadcast_buffers`` would overwrite every rank's state with rank 0's.

A NaN or infinite training loss stops training with the step and a hint, on every rank at
once; it is caught here (not in a CLI callback) so that it holds with or without the CLI.

The optimizer is stepped here (Lightning's manual optimization, the TBPTT recipe of its
documentation): a batch may hold several consecutive windows (``windows_per_batch`` of the
DataModule) and each window gets its own forward, backward, clipping and optimizer step, as in
a bare loop. Lightning's own work per batch (hooks, logging, progress, checkpoint checks: about
a millisecond on a CPU, as long as a step of a small model on a GPU) is then shared by the
batch's windows. What automatic optimization would do for us is done here the same way:
``manual_backward`` (precision, and DDP's gradient all-reduce per window), the Trainer's
``gradient_clip_val`` applied in ``on_before_optimizer_step`` (after a mixed-precision
unscale), and the learning-rate schedulers stepped at their interval.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import torch
from lightning.pytorch import LightningModule
from lightning.pytorch.profilers import PassThroughProfiler
from torch import Tensor

from rnnlm.architectures import Hidden
from rnnlm.data.streams import TBPTTBatch, batch_windows
from rnnlm.errors import UsageError
from rnnlm.models import state
from rnnlm.models.metrics import log_perplexity, token_mean

STAGES = ("train", "val", "test", "predict")
FINITE_CHECK_EVERY = 50  # steps between finiteness checks when step logging is off (log_every_n_steps=0)


class LossWatch:
    """Training losses kept on the device: the epoch's token-weighted sum and those not yet checked.

    A step copies its loss into a preallocated float64 buffer (no host sync, and nothing new that
    outlives the step); the losses are folded into the epoch's sum when they are looked at. Keeping
    each step's loss tensor alive instead pins the allocator's heap: the few bytes of a queued
    scalar land in the hole that the step's large temporaries (logits and their gradient) just
    left, the next step cannot reuse it, and the heap grew by about one logits tensor per step
    until the next look (0.7 GB peak RSS became 3.2 GB within 100 steps of the peer's recipe, and
    every new page is a page fault). A plain object, not module attributes:
    ``nn.Module.__setattr__`` costs microseconds per call.
    """

    def __init__(self) -> None:
        self.epoch_sum: Tensor | None = None  # float64 scalar, added to in place: exact over millions of tokens
        self.epoch_tokens = 0
        self.unchecked: list[tuple[int, int, int]] = []  # (tokens, global step, batch index) per queued loss
        self._slots: list[Tensor] = []  # views of one float64 buffer: slot i holds the i-th queued loss
        self._buffer: Tensor | None = None

    def add(self, loss: Tensor, tokens: int, step: int, batch_idx: int) -> None:
        """Queue one step's mean loss over ``tokens`` tokens (an asynchronous copy on the device)."""
        queued = len(self.unchecked)
        if queued == len(self._slots) or self._slots[queued].device != loss.device:
            self._grow(loss.device, queued)
        self._slots[queued].copy_(loss)
        self.unchecked.append((tokens, step, batch_idx))

    def _grow(self, device: torch.device, queued: int) -> None:
        """Twice the room (rare: the queue empties at every look), keeping the ``queued`` losses."""
        buffer = torch.zeros(max(64, 2 * queued), dtype=torch.float64, device=device)
        if queued:
            buffer[:queued] = self._buffer[:queued].to(device)
        self._buffer, self._slots = buffer, list(buffer.unbind())

    def take_unchecked(self) -> tuple[list[tuple[int, int, int]], Tensor | None]:
        """The entries queued since the last call and their losses (float64 ``[steps]``, None when
        there are none), added to the epoch's sum."""
        unchecked, self.unchecked = self.unchecked, []
        if not unchecked:
            return unchecked, None
        losses = self._buffer[: len(unchecked)].clone()  # [steps]: the buffer is reused from now on
        counts = torch.tensor([tokens for tokens, _, _ in unchecked], dtype=torch.float64, device=losses.device)
        if self.epoch_sum is None:
            self.epoch_sum = torch.zeros((), dtype=torch.float64, device=losses.device)
        self.epoch_sum += (losses * counts).sum()
        self.epoch_tokens += sum(tokens for tokens, _, _ in unchecked)
        return unchecked, losses


class TruncatedBPTTSteps(LightningModule):
    """Training, validation, test and predict steps over ``TBPTTBatch(inputs[B, T], targets[B, T], reset)``.

    A subclass provides ``init_hidden(batch_size)``, ``token_nll(inputs, targets, hidden)`` and
    ``is_char_level``, and may provide a faster ``mean_nll`` (the training loss).
    """

    def __init__(self) -> None:
        super().__init__()
        self.automatic_optimization = False  # one optimizer step per window, several windows per batch
        self._hidden: dict[str, Hidden | None] = dict.fromkeys(STAGES)
        self.val_loss, self.test_loss = token_mean(), token_mean()
        self._losses = LossWatch()
        self._gradient_clipping: tuple[float, str] | None = None  # (value, "norm" | "value"), from the Trainer

    # ------------------------------------------------------------------ the Trainer's clipping
    @property
    def trainer(self) -> Any:
        return LightningModule.trainer.fget(self)

    @trainer.setter
    def trainer(self, trainer: Any) -> None:
        LightningModule.trainer.fset(self, trainer)
        if trainer is not None:
            refuse_gradient_accumulation(trainer)
            self._gradient_clipping = adopt_gradient_clipping(trainer)
            if type(trainer.profiler) is PassThroughProfiler:  # no profiler chosen: the same, at no cost
                trainer.profiler = FreePassThroughProfiler()

    def __setattr__(self, name: str, value: Any) -> None:
        # Lightning names the running hook in `_current_fx_name` before and after every hook it
        # calls, 13 times per optimizer step; a string never needs nn.Module's registry checks,
        # which cost a microsecond each time.
        if name == "_current_fx_name":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    # ------------------------------------------------------------------------------ steps
    def transfer_batch_to_device(self, batch: Any, device: torch.device, dataloader_idx: int) -> Any:
        """A batch of our windows moves tensor by tensor: Lightning's generic walk over a list of
        named tuples costs tens of microseconds per window, a step of a small model on a GPU."""
        windows = batch_windows(batch)
        if not all(type(window) is TBPTTBatch for window in windows):
            return super().transfer_batch_to_device(batch, device, dataloader_idx)
        moved = [TBPTTBatch(window.inputs.to(device), window.targets.to(device), window.reset) for window in windows]
        return moved if isinstance(batch, list) else moved[0]

    def _carried_hidden(self, stage: str, batch_size: int, reset: bool) -> Hidden:
        hidden = self._hidden[stage]
        if reset or hidden is None or state.batch_size_of(hidden) != batch_size:
            return self.init_hidden(batch_size)
        return state.move(hidden, self.device)

    def _window_nll(self, batch: Any, stage: str, mean: bool = False) -> Tensor:
        """Per-token NLL ``[B, T]`` of a window (or its mean, the training loss), carrying the hidden state."""
        inputs, targets, reset = batch  # [B, T], [B, T], bool
        hidden = self._carried_hidden(stage, inputs.size(0), bool(reset))
        nll, hidden = (self.mean_nll if mean else self.token_nll)(inputs, targets, hidden)  # [] or [B, T]
        self._hidden[stage] = state.detach(hidden)  # truncated BPTT: the graph ends here
        return nll

    def mean_nll(self, inputs: Tensor, targets: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """Mean NLL over the window's ``B x T`` tokens and the new hidden state (the training loss)."""
        nll, hidden = self.token_nll(inputs, targets, hidden)
        return nll.mean(), hidden

    def training_step(self, batch: Any, batch_idx: int) -> Tensor | None:
        """One optimizer step per window of the batch (one window, or a list of consecutive ones)."""
        optimizer, trainer = self.optimizers(), self.trainer
        max_steps, loss, step = trainer.max_steps, None, self.global_step
        for window in batch_windows(batch):
            if 0 <= max_steps <= step:
                break  # a loader without steps_left gave more windows than max_steps allows
            loss = self._window_nll(window, "train", mean=True)  # mean over the window's B x T tokens
            self._losses.add(loss.detach(), window[0].numel(), step, batch_idx)
            self.manual_backward(loss)
            optimizer.step()  # clipping in on_before_optimizer_step; global_step counts this step
            optimizer.zero_grad(set_to_none=True)
            step += 1
            self._step_schedulers("step")
        if batch_idx + 1 >= trainer.num_training_batches or trainer.fit_loop.epoch_loop.batch_progress.is_last_batch:
            self._step_schedulers("epoch")  # where Lightning steps them: after the epoch's last batch
        if loss is not None:
            self._look_at_losses(loss.detach())
        return loss

    def on_before_optimizer_step(self, optimizer: Any) -> None:
        if self._gradient_clipping is not None:
            value, algorithm = self._gradient_clipping
            self.clip_gradients(optimizer, gradient_clip_val=value, gradient_clip_algorithm=algorithm)

    def _step_schedulers(self, interval: str) -> None:
        """Step the schedulers of ``interval`` ("step": per optimizer step; "epoch") at their frequency."""
        trainer = self.trainer
        for config in trainer.lr_scheduler_configs:
            if config.interval != interval:
                continue
            count = self.global_step if interval == "step" else trainer.current_epoch + 1
            if count % config.frequency:
                continue
            if config.reduce_on_plateau:
                metric = trainer.callback_metrics.get(config.monitor)
                if metric is None:
                    if config.strict:
                        raise RuntimeError(f"ReduceLROnPlateau monitors {config.monitor!r}, which was not logged")
                    continue
                config.scheduler.step(metric)
            else:
                config.scheduler.step()

    def _look_at_losses(self, loss: Tensor) -> None:
        """Look at the losses (a host sync) only when Lightning writes step metrics.

        Reading a loss on the host waits for the device to finish the step, and Lightning's
        ``self.log`` costs about a millisecond of Python per call: on a GPU either alone would
        cost a step of a small model. So a step only queues two tensor operations; at the
        batches where Lightning writes step metrics (every ``log_every_n_steps`` batches) the
        losses seen since the last look are checked for NaN/inf and the latest is logged.
        Without step logging they are checked every ``FINITE_CHECK_EVERY`` steps.
        """
        trainer = self._trainer
        interval = trainer.log_every_n_steps if trainer is not None else 1
        if interval:
            if trainer is not None and not trainer._logger_connector.should_update_logs:
                return  # the test Lightning's LearningRateMonitor uses too; the same on every rank
        elif len(self._losses.unchecked) < FINITE_CHECK_EVERY:
            return
        self._check_finite()
        if interval:
            # prog_bar=False: Lightning would read a progress-bar value on the host after every
            # step from now on; rnnlm's bar (training.callbacks.ProgressBar) reads it when it redraws.
            self.log("train/loss_step", loss, on_step=True, on_epoch=False)
            if self.is_char_level:
                self.log("train/bpc_step", loss / math.log(2), on_step=True, on_epoch=False)

    def _check_finite(self) -> None:
        """Stop every rank together if a loss since the last check was NaN or infinite (one host sync)."""
        unchecked, losses = self._losses.take_unchecked()  # losses: [steps since the last check]
        if losses is None:
            return
        finite = torch.isfinite(losses).tolist()
        bad = not all(finite)
        if self._trainer is not None and self.trainer.world_size > 1:
            bad = self.trainer.strategy.reduce_boolean_decision(bad, all=False)  # every rank stops together
        if bad:
            here = not all(finite)  # else another rank saw it
            at = finite.index(False) if here else len(unchecked) - 1
            _, step, batch_idx = unchecked[at]
            where = f"train/loss is {losses[at].item()} at step {step}" if here else f"another rank's loss is not finite by step {step}"
            raise FloatingPointError(
                f"{where} (epoch {self.current_epoch}, batch {batch_idx}): training stopped. Lower the learning rate "
                "(--model.lr) or clip gradients harder (--trainer.gradient_clip_val), then start again from "
                "the last checkpoint.")

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        self.val_loss.update(self._window_nll(batch, "val"))  # [B, T]: one weight per token

    def test_step(self, batch: Any, batch_idx: int) -> None:
        self.test_loss.update(self._window_nll(batch, "test"))  # [B, T]

    def predict_step(self, batch: Any, batch_idx: int) -> Tensor:
        """Per-token negative log-likelihood ``[B, T]`` of the batch's targets (scoring text)."""
        return self._window_nll(batch, "predict")

    # ------------------------------------------------------------------ epochs and metrics
    def on_train_epoch_start(self) -> None:
        self._hidden["train"] = None
        self._losses = LossWatch()

    def on_train_epoch_end(self) -> None:
        self._check_finite()
        if self._losses.epoch_tokens:
            loss = (self._losses.epoch_sum / self._losses.epoch_tokens).float()  # token-weighted mean of the epoch
            self.log("train/loss_epoch", loss, on_step=False, on_epoch=True, sync_dist=True)
            if self.is_char_level:
                self.log("train/bpc_epoch", loss / math.log(2), on_step=False, on_epoch=True, sync_dist=True)

    def on_train_end(self) -> None:
        self._check_finite()  # max_steps may end training between two checks

    def on_validation_epoch_start(self) -> None:
        self._hidden["val"] = None

    def on_test_epoch_start(self) -> None:
        self._hidden["test"] = None

    def on_predict_epoch_start(self) -> None:
        self._hidden["predict"] = None

    def on_validation_epoch_end(self) -> None:
        log_perplexity(self, "val", self.val_loss, self.is_char_level, self._tokens_per_word("valid"))

    def on_test_epoch_end(self) -> None:
        log_perplexity(self, "test", self.test_loss, self.is_char_level, self._tokens_per_word("test"))

    def _tokens_per_word(self, split: str) -> float | None:
        """Tokens per word of ``split`` when the DataModule knows it (char and bpe levels), else None."""
        from rnnlm.data.datamodule import LanguageModelDataModule

        datamodule = self.trainer.datamodule
        if not isinstance(datamodule, LanguageModelDataModule) or datamodule.level == "word":
            return None
        return datamodule.tokens_per_word(split)


class FreePassThroughProfiler(PassThroughProfiler):
    """Lightning's default profiler (profiling nothing) without its cost per call.

    Lightning wraps every hook of every callback in ``trainer.profiler.profile(name)``; the
    default's ``profile`` builds a generator context manager each time, about a microsecond,
    20-odd times per optimizer step with the CLI's callbacks. This one hands out one shared null
    context. A profiler the user chose (``--trainer.profiler simple``) is left alone.
    """

    _NULL = contextlib.nullcontext()

    def profile(self, action_name: str) -> contextlib.nullcontext:
        return self._NULL


def refuse_gradient_accumulation(trainer: Any) -> None:
    """One clear error instead of Lightning's (which suggests automatic optimization) for
    ``accumulate_grad_batches``: every window is an optimizer step in truncated BPTT."""
    accumulate = getattr(trainer, "accumulate_grad_batches", 1)
    if accumulate != 1:
        raise UsageError(
            f"accumulate_grad_batches={accumulate} is not supported: the language models take one optimizer "
            "step per TBPTT window. For a larger effective batch raise --data.batch_size (streams per rank) "
            "or train on more devices")


def adopt_gradient_clipping(trainer: Any) -> tuple[float, str] | None:
    """The Trainer's ``gradient_clip_val``/``gradient_clip_algorithm``, applied by the model itself.

    Lightning refuses ``Trainer(gradient_clip_val=...)`` with manual optimization, because it
    would not apply it; these models do (``on_before_optimizer_step``, where automatic
    optimization clips). So the setting is taken from the Trainer when the model is attached,
    and cleared there; it is kept on the Trainer under ``_rnnlm_gradient_clipping`` so that a
    second ``fit`` with the same Trainer clips the same way.
    """
    if trainer.gradient_clip_val:
        algorithm = getattr(trainer.gradient_clip_algorithm, "value", trainer.gradient_clip_algorithm) or "norm"
        trainer._rnnlm_gradient_clipping = (float(trainer.gradient_clip_val), str(algorithm))
        trainer.gradient_clip_val = None
    return getattr(trainer, "_rnnlm_gradient_clipping", None)
