"""A training step reads nothing back from the device: the loss is looked at (NaN check, logging)
only every ``log_every_n_steps`` steps (issue 11: on a GPU each read is a host synchronisation).

Every way a tensor's value reaches Python (``item``, ``tolist``, ``bool``, ``float``, ``int``,
``numpy``) is counted while 40 steps train with logging every 10 steps.
"""

from __future__ import annotations

import torch
from lightning.pytorch import Callback, Trainer
from lightning.pytorch.loggers import CSVLogger

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.models import LSTMLM
from rnnlm.training.callbacks import TokensPerSecond

READS = ("item", "tolist", "__bool__", "__float__", "__int__", "numpy")


class CountReads(Callback):
    """Counts device reads between the start of the 2nd step and the end of the last one."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch, self.count, self.active = monkeypatch, 0, False
        for name in READS:
            original = getattr(torch.Tensor, name)

            def counted(tensor, *args, _original=original, **kwargs):
                self.count += self.active
                return _original(tensor, *args, **kwargs)

            monkeypatch.setattr(torch.Tensor, name, counted)

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self.active = self.active or batch_idx == 1

    def on_train_end(self, trainer, pl_module) -> None:
        self.active = False


def test_steps_read_the_device_only_at_the_logging_interval(tiny_corpus, tmp_path, monkeypatch):
    data = LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=2, bptt=4)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=8, hidden_size=8, num_layers=1)
    reads = CountReads(monkeypatch)
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=41, log_every_n_steps=10, limit_val_batches=0,
                      logger=CSVLogger(tmp_path), callbacks=[TokensPerSecond(), reads], enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=0.25)
    trainer.fit(model, datamodule=data)
    # steps 2..41: four logging steps (10, 20, 30, 40), each one NaN check (one tolist) and the
    # logger turning the logged values into numbers (train/loss_step, train/tokens_per_sec); then
    # the last check when training ends (step 41) and the epoch's mean. Reading every step: >= 40.
    assert reads.count <= 4 * 3 + 2, reads.count
    assert 0 < reads.count  # the counter counts


def test_the_default_profiler_is_swapped_for_a_free_one_and_a_chosen_one_kept(tiny_corpus, tmp_path):
    from lightning.pytorch.profilers import PassThroughProfiler, SimpleProfiler

    from rnnlm.models.tbptt import FreePassThroughProfiler

    data = LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=2, bptt=4)
    for chosen, expected in ((None, FreePassThroughProfiler), (SimpleProfiler(dirpath=tmp_path, filename="p"), SimpleProfiler)):
        model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=8, hidden_size=8, num_layers=1)
        trainer = Trainer(accelerator="cpu", devices=1, max_steps=3, limit_val_batches=0, logger=False, profiler=chosen,
                          enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
        assert type(trainer.profiler) is (PassThroughProfiler if chosen is None else SimpleProfiler)
        trainer.fit(model, datamodule=data)
        assert type(trainer.profiler) is expected and trainer.global_step == 3
    assert "training_step" in (tmp_path / "fit-p.txt").read_text()  # the chosen profiler still profiled


def test_the_hook_name_is_a_plain_attribute_and_modules_still_register():
    from torch import nn

    model = LSTMLM(vocab_size=10, embedding_dim=8, hidden_size=8, num_layers=1)
    model._current_fx_name = "training_step"
    assert model.__dict__["_current_fx_name"] == "training_step"
    model.extra = nn.Linear(2, 2)  # every other attribute still goes through nn.Module
    assert "extra" in model._modules and "extra.weight" in dict(model.named_parameters())
