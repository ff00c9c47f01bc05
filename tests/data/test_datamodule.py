"""LanguageModelDataModule: vocabulary at construction, sharding, and exact mid-epoch resume in a real Trainer."""

from __future__ import annotations

from types import SimpleNamespace

import lightning as L
import pytest
import torch

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.data.streams import TBPTTBatch, TBPTTLoader


def test_default_corpus_is_ready_at_construction():
    data = LanguageModelDataModule()
    assert data.vocab_size == len(data.vocab) > 50_000 and data.level == "word"  # no setup() needed
    assert data.vocab.corpus == "shakespeare"
    train = data.split_ids("train")
    assert train.dtype == torch.long and train.dim() == 1
    assert data.vocab.decode(train[:3]) == ["THESEUS:", "<eos>", "Now,"]
    batch = next(iter(data.train_dataloader()))
    assert isinstance(batch, TBPTTBatch) and batch.inputs.shape == (20, 35) and batch.reset
    assert next(iter(data.val_dataloader())).inputs.shape == (10, 35)


def test_loaders_are_sharded_by_the_trainer_rank(numbered_folder):
    data = LanguageModelDataModule(str(numbered_folder), batch_size=3, eval_batch_size=2, bptt=5)
    ids = data.split_ids("train")
    data.trainer = SimpleNamespace(global_rank=1, world_size=2)
    loader = data.train_dataloader()
    stream_length = ids.numel() // 6
    assert (loader.rank, loader.world_size, loader.stream_length) == (1, 2, stream_length)
    torch.testing.assert_close(next(iter(loader)).inputs[:, 0], ids[torch.arange(3, 6) * stream_length], rtol=0, atol=0)
    assert data.test_dataloader().batch_size == 2 and data.val_dataloader().variable_bptt is False


@pytest.mark.parametrize("kwargs,message", [
    ({"level": "subword"}, "unknown level 'subword'; choose one of: word, char, bpe"),
    ({"batch_size": 0}, "batch_size must be >= 1"),
    ({"bptt": 0}, "bptt must be >= 1"),
    ({"corpus": "wikitext3"}, "unknown corpus 'wikitext3': choose one of shakespeare, tinyshakespeare, ptb, wikitext2"),
])
def test_bad_arguments_fail_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LanguageModelDataModule(**kwargs)


def test_too_small_for_the_batch_layout(numbered_folder):
    data = LanguageModelDataModule(str(numbered_folder), batch_size=100, eval_batch_size=100, bptt=35)
    with pytest.raises(ValueError, match=r"train split has 2,200 tokens, too few for world_size x batch_size x "
                                         r"\(bptt \+ 1\) = 1 x 100 x 36 = 3,600"):
        data.train_dataloader()


class WindowRecorder(L.LightningModule):
    """Records, per training step, the epoch, the first token of every row, the length and the reset flag."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(()))
        self.seen: list[tuple[int, list[int], int, bool]] = []

    def training_step(self, batch: TBPTTBatch, batch_idx: int) -> torch.Tensor:
        self.seen.append((self.current_epoch, batch.inputs[:, 0].tolist(), batch.inputs.shape[1], batch.reset))
        return self.weight * batch.inputs.float().mean()

    def validation_step(self, batch: TBPTTBatch, batch_idx: int) -> None:
        pass  # never run (limit_val_batches=0)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.0)


class SaveAtStep(L.Callback):
    def __init__(self, step: int, path):
        self.step, self.path = step, path

    def on_train_batch_end(self, trainer, *args):
        if trainer.global_step == self.step:
            trainer.save_checkpoint(self.path)


def _fit(data, model, tmp_path, callbacks=(), ckpt_path=None):
    trainer = L.Trainer(accelerator="cpu", devices=1, max_epochs=2, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, limit_val_batches=0,
                        callbacks=list(callbacks), default_root_dir=tmp_path)
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path)
    return trainer


def test_trainer_resumes_mid_epoch_at_the_same_window(numbered_folder, tmp_path):
    def make_data():
        return LanguageModelDataModule(str(numbered_folder), batch_size=4, bptt=10, variable_bptt=True, seed=7)

    full = WindowRecorder()
    trainer = _fit(make_data(), full, tmp_path)
    loader = trainer.train_dataloader
    assert isinstance(loader, TBPTTLoader)  # handed over untouched: no DataLoader, no sampler injected
    per_epoch = len(loader)
    assert len(full.seen) == 2 * per_epoch
    # Lightning called set_epoch: epoch 1 walked the epoch-1 schedule, resetting only at its start
    assert [length for _, _, length, _ in full.seen[per_epoch:]] == [length for _, length in loader.windows(1)]
    assert [reset for *_, reset in full.seen] == ([True] + [False] * (per_epoch - 1)) * 2

    stop = per_epoch + 9  # mid-way through the second epoch
    checkpoint = tmp_path / "mid.ckpt"
    first_part = WindowRecorder()
    _fit(make_data(), first_part, tmp_path, callbacks=[SaveAtStep(stop, checkpoint)])
    saved = torch.load(checkpoint, weights_only=False)["loops"]["fit_loop"]["state_dict"]["combined_loader"]
    assert saved[0]["epoch"] == 1 and saved[0]["window_index"] == 9
    resumed = WindowRecorder()
    _fit(make_data(), resumed, tmp_path, ckpt_path=checkpoint)
    assert resumed.seen == full.seen[stop:]


class EvaluationRecorder(L.LightningModule):
    """Records the windows of validation and test runs."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(()))
        self.seen: list[tuple[str, torch.Tensor, bool]] = []

    def validation_step(self, batch: TBPTTBatch, batch_idx: int) -> None:
        self.seen.append(("valid", batch.inputs, batch.reset))

    def test_step(self, batch: TBPTTBatch, batch_idx: int) -> None:
        self.seen.append(("test", batch.inputs, batch.reset))


def test_every_evaluation_walks_its_split_from_the_start(numbered_folder, tmp_path):
    data = LanguageModelDataModule(str(numbered_folder), batch_size=4, eval_batch_size=3, bptt=6)
    model = EvaluationRecorder()
    trainer = L.Trainer(accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path)
    for _ in range(2):  # a second run must start again at window 0, not continue
        trainer.validate(model, datamodule=data, verbose=False)
    trainer.test(model, datamodule=data, verbose=False)
    for split, runs in (("valid", 2), ("test", 1)):
        stream = data.split_ids(split)
        stream_length = stream.numel() // 3
        expected = stream[: 3 * stream_length].view(3, stream_length)[:, :-1]  # [B, L - 1]
        walks = [entry for entry in model.seen if entry[0] == split]
        per_run = len(walks) // runs
        for run in range(runs):
            walk = walks[run * per_run : (run + 1) * per_run]
            torch.testing.assert_close(torch.cat([inputs for _, inputs, _ in walk], dim=1), expected, rtol=0, atol=0)
            assert [reset for *_, reset in walk] == [True] + [False] * (per_run - 1)
