"""Several windows per Lightning batch (``windows_per_batch = K``): the same training as one
window per batch, only Lightning's per-batch work is shared.

The references are the one-window-per-batch path: the same windows in the same order, and
after training the same parameters and learning rate, bitwise (the same operations in the same
order: one forward, backward, clipping and optimizer step per window, epoch schedule included).
A run stopped inside a batch by ``max_steps`` and resumed continues bitwise too.
"""

from __future__ import annotations

import pytest
import torch
from lightning.pytorch import Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.data.streams import TBPTTLoader, batch_tokens
from rnnlm.errors import UsageError
from rnnlm.models import LSTMLM

IDS = torch.arange(1000)  # 2 streams of 500 tokens: 100 windows of bptt 5 (the last of 4)


def same_windows(left, right) -> bool:
    return len(left) == len(right) and all(
        torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets) and a.reset == b.reset
        for a, b in zip(left, right))


def test_batches_are_consecutive_windows_and_the_last_window_is_alone():
    one_by_one = list(TBPTTLoader(IDS, 2, 5))
    grouped = TBPTTLoader(IDS, 2, 5, windows_per_batch=4)
    batches = list(grouped)
    assert len(batches) == len(grouped) == 26
    assert [len(batch) for batch in batches] == [4] * 24 + [3, 1]
    assert same_windows([window for batch in batches for window in batch], one_by_one)
    assert batch_tokens(batches[0]) == 4 * 2 * 5 and batch_tokens(one_by_one[0]) == 2 * 5
    assert len(TBPTTLoader(IDS, 2, 5, windows_per_batch=1)) == len(one_by_one) == 100


def test_a_batch_ends_where_training_must_stop_and_the_rest_joins_the_next_batch_on_resume():
    consumed = 0
    loader = TBPTTLoader(IDS, 2, 5, windows_per_batch=4, steps_left=lambda: 6 - consumed)
    walk = iter(loader)
    first = next(walk)
    consumed += len(first)
    second = next(walk)
    consumed += len(second)
    assert [len(first), len(second)] == [4, 2]  # cut at the 6th window: max_steps

    resumed = TBPTTLoader(IDS, 2, 5, windows_per_batch=4)
    resumed.load_state_dict(loader.state_dict())
    rest = list(resumed)
    assert len(rest) == len(loader) - 2  # Lightning counted two batches before the stop
    assert len(rest[0]) == 2 + 4  # windows 6-7 (the cut batch's rest) with the next batch, 8-11
    walked = [*first, *second, *(window for batch in rest for window in batch)]
    assert same_windows(walked, list(TBPTTLoader(IDS, 2, 5)))


def test_resuming_inside_an_epoch_with_another_batch_grouping_is_one_clear_error():
    loader = TBPTTLoader(IDS, 2, 5, windows_per_batch=4)
    next(iter(loader))
    other = TBPTTLoader(IDS, 2, 5, windows_per_batch=8)
    with pytest.raises(UsageError, match="--data.windows_per_batch 4"):
        other.load_state_dict(loader.state_dict())


def fit(corpus, folder, windows_per_batch: int, max_steps: int, ckpt_path=None, save_at: int | None = None):
    seed_everything(5)
    data = LanguageModelDataModule(corpus=str(corpus), batch_size=4, eval_batch_size=4, bptt=8,
                                   variable_bptt=True, windows_per_batch=windows_per_batch)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=1, dropout=0.2,
                   lr=2.0, lr_decay=0.5, lr_decay_start=1)
    callbacks = []
    if save_at:
        callbacks.append(ModelCheckpoint(dirpath=folder, filename="step{step}", every_n_train_steps=save_at,
                                         save_top_k=-1, monitor=None, auto_insert_metric_name=False))
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=max_steps, logger=False, callbacks=callbacks,
                      enable_checkpointing=bool(save_at), enable_progress_bar=False, enable_model_summary=False,
                      gradient_clip_val=0.5, limit_val_batches=2, num_sanity_val_steps=0, default_root_dir=folder)
    trainer.fit(model, datamodule=data, ckpt_path=ckpt_path)
    return model, trainer


def assert_same_training(model_a, trainer_a, model_b, trainer_b) -> None:
    assert trainer_a.global_step == trainer_b.global_step
    for (name, a), b in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        torch.testing.assert_close(b, a, rtol=0, atol=0, msg=name)
    assert trainer_a.optimizers[0].param_groups[0]["lr"] == trainer_b.optimizers[0].param_groups[0]["lr"]


@pytest.mark.slow
def test_grouped_windows_train_exactly_as_one_window_per_batch(tiny_corpus, tmp_path):
    windows = len(LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=4, bptt=8,
                                          variable_bptt=True).train_dataloader())
    total = windows + 7  # into epoch 1, where the learning rate halves; 7 is not a multiple of 3
    one, trainer_one = fit(tiny_corpus, tmp_path / "one", 1, total)
    grouped, trainer_grouped = fit(tiny_corpus, tmp_path / "grouped", 3, total)
    assert trainer_grouped.global_step == total
    assert trainer_grouped.optimizers[0].param_groups[0]["lr"] == 1.0  # decayed once, after epoch 0
    assert_same_training(one, trainer_one, grouped, trainer_grouped)


@pytest.mark.slow
def test_a_run_stopped_inside_a_batch_resumes_exactly(tiny_corpus, tmp_path):
    windows = len(LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=4, bptt=8,
                                          variable_bptt=True).train_dataloader())
    stop, total = 7, windows + 4  # batches of 3: [0, 3), [3, 6), [6, 7) cut by max_steps
    uninterrupted, trainer_a = fit(tiny_corpus, tmp_path / "a", 3, total)
    fit(tiny_corpus, tmp_path / "b", 3, stop, save_at=stop)
    checkpoint = tmp_path / "b" / f"step{stop}.ckpt"
    saved = torch.load(checkpoint, weights_only=False)
    assert saved["loops"]["fit_loop"]["state_dict"]["combined_loader"][0]["window_index"] == stop
    resumed, trainer_b = fit(tiny_corpus, tmp_path / "c", 3, total, ckpt_path=checkpoint)
    assert_same_training(uninterrupted, trainer_a, resumed, trainer_b)


@pytest.mark.parametrize("algorithm", ["norm", "value"])
def test_the_trainers_gradient_clipping_is_applied_by_the_model(tiny_corpus, tmp_path, algorithm):
    """Lightning refuses Trainer clipping under manual optimization; the model applies it, as
    a bare step would (one window: forward, backward, clip, SGD step)."""
    seed_everything(3)
    data = LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=4, bptt=8)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=1, dropout=0.0, lr=2.0)
    reference = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=1, dropout=0.0,
                       lr=2.0)
    reference.load_state_dict(model.state_dict())
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=1, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, limit_val_batches=0,
                      gradient_clip_val=0.05, gradient_clip_algorithm=algorithm, default_root_dir=tmp_path)
    trainer.fit(model, datamodule=data)

    data.trainer = None
    inputs, targets, _ = next(iter(data.train_dataloader()))
    nll, _ = reference.token_nll(inputs, targets, reference.init_hidden(4))
    nll.mean().backward()
    if algorithm == "norm":
        torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.05)
    else:
        torch.nn.utils.clip_grad_value_(reference.parameters(), 0.05)
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter -= 2.0 * parameter.grad
    for (name, a), b in zip(reference.state_dict().items(), model.state_dict().values()):
        torch.testing.assert_close(b, a, rtol=0, atol=1e-6, msg=name)
    assert trainer._rnnlm_gradient_clipping == (0.05, algorithm)


def test_gradient_accumulation_is_one_clear_error(tiny_corpus, tmp_path):
    data = LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=4, bptt=8)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=1)
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=1, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, accumulate_grad_batches=2,
                      default_root_dir=tmp_path)
    with pytest.raises(UsageError, match="raise --data.batch_size"):
        trainer.fit(model, datamodule=data)
