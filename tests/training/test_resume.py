"""Exact resume: a run stopped after a mid-epoch checkpoint and resumed walks on exactly as the
uninterrupted run (hidden state, data position with variable BPTT, optimizer, learning-rate
schedule across an epoch boundary, dropout RNG). Compared loss by loss."""

from __future__ import annotations

import pytest
import torch
from lightning.pytorch import Callback, Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.models import LSTMLM


class LossRecorder(Callback):
    def __init__(self) -> None:
        self.losses: dict[int, float] = {}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.losses[trainer.global_step] = outputs["loss"].item()


def train(corpus, folder, max_steps: int, ckpt_path=None, save_every: int | None = None):
    seed_everything(7)
    data = LanguageModelDataModule(corpus=str(corpus), batch_size=6, eval_batch_size=4, bptt=12, variable_bptt=True)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=16, hidden_size=16, num_layers=2, dropout=0.3,
                   optimizer="sgd", lr=2.0, lr_decay=0.5, lr_decay_start=1)
    recorder = LossRecorder()
    callbacks = [recorder]
    if save_every:
        callbacks.append(ModelCheckpoint(dirpath=folder, filename="step{step}", every_n_train_steps=save_every,
                                         save_top_k=-1, monitor=None, auto_insert_metric_name=False))
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=max_steps, logger=False, callbacks=callbacks,
                      enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=0.5,
                      limit_val_batches=3, num_sanity_val_steps=0, enable_checkpointing=bool(save_every),
                      default_root_dir=folder)
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path)
    return recorder.losses, model, trainer


@pytest.mark.slow
def test_resumed_run_continues_exactly(tiny_corpus, tmp_path):
    total = 40
    steps_per_epoch = len(LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=6, bptt=12,
                                                  variable_bptt=True).train_dataloader())
    stop = steps_per_epoch // 2  # mid-epoch 0; the resumed run then crosses into epoch 1 (lr halves)
    assert stop + 3 < steps_per_epoch < total

    uninterrupted, model_a, trainer_a = train(tiny_corpus, tmp_path / "a", total)
    first_half, _, _ = train(tiny_corpus, tmp_path / "b", stop, save_every=stop)
    checkpoint = tmp_path / "b" / f"step{stop}.ckpt"
    saved = torch.load(checkpoint, weights_only=False)
    assert saved["rnnlm"]["hidden"][0].shape == (1, 2, 6, 16)  # [world_size, L, B, H]
    resumed, model_b, trainer_b = train(tiny_corpus, tmp_path / "c", total, ckpt_path=checkpoint)

    assert sorted(resumed) == list(range(stop + 1, total + 1))
    for step in range(1, stop + 1):
        assert first_half[step] == uninterrupted[step], step
    for step in range(stop + 1, total + 1):  # bitwise: same windows, states, masks and updates
        assert resumed[step] == uninterrupted[step], (step, resumed[step], uninterrupted[step])
    for (name, a), b in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        torch.testing.assert_close(b, a, rtol=0, atol=0, msg=name)
    assert trainer_b.optimizers[0].param_groups[0]["lr"] == trainer_a.optimizers[0].param_groups[0]["lr"] == 1.0
