"""Train a tiny LSTMLM for a few steps, on two DDP ranks (gloo, CPU) or in one process.

Run by test_ddp.py as a real program, because Lightning's DDP launcher starts rank 1 by
running this same script again::

    python ddp_script.py CORPUS OUT_DIR ddp|single STEPS BATCH [WINDOWS_PER_BATCH]
        two ranks (or one process with 2 x BATCH streams), no dropout, STEPS steps, then one
        validation; writes MODE.ckpt, MODE_parameters.pt, MODE_val_loss.pt and hidden_rank{r}.pt
    python ddp_script.py CORPUS OUT_DIR ddp-stop STEPS BATCH STOP
        two ranks, with dropout: an uninterrupted run of STEPS steps (OUT_DIR/uninterrupted),
        then a fresh run stopped at step STOP with its checkpoint OUT_DIR/stopped/stepSTOP.ckpt
    python ddp_script.py CORPUS OUT_DIR ddp-resume STEPS BATCH CKPT
        two new processes resume CKPT and train on to STEPS (OUT_DIR/resumed)

The resume modes write, per phase folder, every rank's final carried hidden state
(hidden_rank{r}.pt), every rank's loss at each step (losses_rank{r}.pt) and the parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from lightning.pytorch import Callback, Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.models import LSTMLM

# The resume modes: dropout, AWD-LSTM window lengths and a learning-rate decay after epoch 0,
# so that the dropout RNGs, the data position and the schedule all have to be restored.
RESUME_SETTINGS = dict(bptt=20, variable_bptt=True, dropout=0.3, lr_decay=0.5, lr_decay_start=1)


class SaveHiddenState(Callback):
    """Each rank writes the hidden state it carries at the end (to compare with the checkpoint's)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir

    def on_train_end(self, trainer, pl_module) -> None:
        hidden = tuple(t.detach().clone() for t in pl_module._hidden["train"])
        torch.save(hidden, self.out_dir / f"hidden_rank{trainer.global_rank}.pt")


class RecordLosses(Callback):
    """Each rank writes its own loss at every step ({global_step: loss}), saved at the end."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.losses: dict[int, float] = {}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.losses[trainer.global_step] = outputs["loss"].item()

    def on_train_end(self, trainer, pl_module) -> None:
        torch.save(self.losses, self.out_dir / f"losses_rank{trainer.global_rank}.pt")


class SeedEachRankDifferently(Callback):
    """``seed_everything`` gives every rank the same generator, hence the same dropout masks; a
    seed per rank makes the ranks' RNG states differ, so that handing a rank another rank's
    saved state would show. A resumed run replaces this with the checkpoint's state (its
    ``on_train_batch_start`` runs after this ``on_train_start``)."""

    def on_train_start(self, trainer, pl_module) -> None:
        torch.manual_seed(1000 + trainer.global_rank)


def main(corpus: str, out_dir: str, mode: str, steps: int, batch_size: int, windows_per_batch: int = 1) -> None:
    torch.set_num_threads(1)
    out = Path(out_dir)
    seed_everything(3)  # identical initial weights in every process
    ranks = 2 if mode == "ddp" else 1
    data = LanguageModelDataModule(corpus=corpus, batch_size=batch_size if mode == "ddp" else 2 * batch_size,
                                   eval_batch_size=2 if mode == "ddp" else 4, bptt=7,
                                   windows_per_batch=windows_per_batch)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=2, dropout=0.0,
                   optimizer="sgd", lr=1.0)
    trainer = Trainer(accelerator="cpu", devices=ranks, strategy="ddp" if mode == "ddp" else "auto",
                      max_steps=steps, limit_val_batches=0, num_sanity_val_steps=0, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      gradient_clip_val=0.5, use_distributed_sampler=False, default_root_dir=out,
                      callbacks=[SaveHiddenState(out)])
    trainer.fit(model, datamodule=data)
    trainer.save_checkpoint(out / f"{mode}.ckpt")  # every rank calls it; rank 0 writes
    if trainer.global_rank == 0:
        torch.save({name: tensor.detach().clone() for name, tensor in model.state_dict().items()},
                   out / f"{mode}_parameters.pt")
    # The validation loss: token-weighted over both ranks' streams (the metric's states are summed).
    validator = Trainer(accelerator="cpu", devices=ranks, strategy="ddp" if mode == "ddp" else "auto", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        use_distributed_sampler=False, default_root_dir=out)
    validator.validate(model, datamodule=data, verbose=False)
    if validator.global_rank == 0:
        torch.save(float(validator.callback_metrics["val/loss"]), out / f"{mode}_val_loss.pt")


def train_two_ranks(corpus: str, out: Path, steps: int, batch_size: int, save_at: int | None = None,
                    ckpt_path: str | None = None) -> None:
    """One two-rank run of the resume modes, every output in ``out``; a checkpoint at ``save_at``."""
    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything(3)  # identical initial weights in every process and every phase
    settings = dict(RESUME_SETTINGS)
    data = LanguageModelDataModule(corpus=corpus, batch_size=batch_size, eval_batch_size=2,
                                   bptt=settings.pop("bptt"), variable_bptt=settings.pop("variable_bptt"))
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=2,
                   optimizer="sgd", lr=1.0, **settings)
    callbacks = [SeedEachRankDifferently(), RecordLosses(out), SaveHiddenState(out)]
    if save_at is not None:
        callbacks.append(ModelCheckpoint(dirpath=out, filename="step{step}", every_n_train_steps=save_at,
                                         save_top_k=-1, monitor=None, auto_insert_metric_name=False))
    trainer = Trainer(accelerator="cpu", devices=2, strategy="ddp", max_steps=steps, limit_val_batches=0,
                      num_sanity_val_steps=0, logger=False, enable_checkpointing=save_at is not None,
                      enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=0.5,
                      use_distributed_sampler=False, default_root_dir=out, callbacks=callbacks)
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path)
    if trainer.global_rank == 0:
        torch.save({name: tensor.detach().clone() for name, tensor in model.state_dict().items()},
                   out / "parameters.pt")


if __name__ == "__main__":
    corpus, out_dir, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    steps, batch = int(sys.argv[4]), int(sys.argv[5])
    if mode == "ddp-stop":
        # Two fits in the same two processes (the launcher starts rank 1 once, the process group
        # is reused): one interpreter start less than a separate program for each.
        train_two_ranks(corpus, out_dir / "uninterrupted", steps, batch)
        stop = int(sys.argv[6])
        train_two_ranks(corpus, out_dir / "stopped", stop, batch, save_at=stop)
    elif mode == "ddp-resume":
        train_two_ranks(corpus, out_dir / "resumed", steps, batch, ckpt_path=sys.argv[6])
    else:
        main(corpus, str(out_dir), mode, steps, batch, *(int(arg) for arg in sys.argv[6:7]))
