"""Silence messages of our dependencies that an ``rnnlm`` user can do nothing about.

Called by every ``rnnlm`` verb (and by ``lightning_main`` for use from Python). Each filter is
narrow (one message) and says why it exists; nothing of our own is ever silenced.
"""

from __future__ import annotations

import logging
import warnings


class _DropAdvertisements(logging.Filter):
    """Lightning 2.6 prints a tip for its cloud logger on every run; it says nothing about this run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "litlogger" not in str(record.msg)


def quiet_dependency_noise() -> None:
    """Install the filters (idempotent)."""
    rank_zero_log = logging.getLogger("lightning.pytorch.utilities.rank_zero")
    if not any(isinstance(f, _DropAdvertisements) for f in rank_zero_log.filters):
        rank_zero_log.addFilter(_DropAdvertisements())
    # Lightning's _pytree helper calls an API that torch 2.13 deprecates, once per evaluation loop
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)")
    # Lightning 2.6 suggests keeping a copy of the weights from before each optimizer step for
    # mid-epoch checkpoints under manual optimization; rnnlm's checkpoints hold the weights after
    # the step on purpose: they go with the data position and hidden state saved beside them.
    warnings.filterwarnings("ignore", message=r"Using ModelCheckpoint with manual optimization and every_n_train_steps")
    # rnnlm's models override `transfer_batch_to_device` on purpose (a batch of TBPTT windows moves
    # tensor by tensor, models/tbptt.py); Lightning 2.6 warns on every run that the model's hook wins
    # over the DataModule's, which has none.
    warnings.filterwarnings("ignore", message=r"You have overridden `transfer_batch_to_device` in `LightningModule`")


def quiet_wandb_logger(logger: object) -> None:
    """Lightning 2.6's WandbLogger passes ``anonymous=None`` to ``wandb.init``, and wandb 0.31 warns on every
    run that "the anonymous setting has no effect" whatever its value. None means unset: leave it out.

    Call before the logger creates its run (Lightning creates it at ``setup``); a value given by the
    user is kept, with wandb's warning.
    """
    init = getattr(logger, "_wandb_init", None)
    if isinstance(init, dict) and "anonymous" in init and init["anonymous"] is None:
        del init["anonymous"]
