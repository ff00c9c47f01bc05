"""The vocabulary travels in the checkpoint; a checkpoint of another model or vocabulary is refused."""

from __future__ import annotations

import pytest
import torch
from lightning.pytorch import LightningDataModule

from rnnlm.data.vocab import Vocabulary
from rnnlm.models import GRULM, LSTMLM, load_language_model

from tests.support.batches import quiet_trainer, stream_batches

SMALL = dict(embedding_dim=8, hidden_size=8, num_layers=1)


class FixedData(LightningDataModule):
    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__()
        self.vocab = vocab
        self.streams = torch.randint(0, len(vocab), (2, 13), generator=torch.Generator().manual_seed(0))

    def train_dataloader(self):
        return stream_batches(self.streams, bptt=4)


@pytest.fixture
def checkpoint(tmp_path, word_vocab):
    model = LSTMLM(vocab_size=len(word_vocab), **SMALL)  # the vocabulary comes from the DataModule
    trainer = quiet_trainer(max_steps=2)
    trainer.fit(model, datamodule=FixedData(word_vocab))
    path = tmp_path / "lstm.ckpt"
    trainer.save_checkpoint(path)
    return path, model


def test_vocabulary_travels_in_the_checkpoint(checkpoint, word_vocab):
    path, trained = checkpoint
    loaded = LSTMLM.load_from_checkpoint(path)
    assert isinstance(loaded.vocab, Vocabulary) and loaded.vocab == word_vocab
    for name, tensor in trained.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[name], tensor, rtol=0, atol=0)
    assert type(load_language_model(path)) is LSTMLM and not load_language_model(path).training


def test_checkpoint_of_another_architecture_is_refused(checkpoint, word_vocab):
    path, _ = checkpoint
    with pytest.raises(ValueError, match="architecture LSTMLM != GRULM"):
        GRULM.load_from_checkpoint(path)
    wider = LSTMLM(vocab_size=len(word_vocab), embedding_dim=8, hidden_size=16, num_layers=1)
    with pytest.raises(ValueError, match="hidden_size 8 != 16"):
        quiet_trainer(max_steps=3).fit(wider, datamodule=FixedData(word_vocab), ckpt_path=path)


def test_checkpoint_of_another_vocabulary_is_refused(checkpoint, word_vocab):
    path, _ = checkpoint
    other = Vocabulary(["<unk>", "<eos>"] + word_vocab.itos[:1:-1], level="word", corpus="other")  # same size
    model = LSTMLM(vocab_size=len(other), **SMALL)
    with pytest.raises(ValueError, match="checkpoint vocabulary .* differs"):
        quiet_trainer(max_steps=3).fit(model, datamodule=FixedData(other), ckpt_path=path)


def test_model_and_datamodule_vocabularies_must_agree(word_vocab):
    model = LSTMLM(vocab_size=len(word_vocab) + 1, **SMALL)
    with pytest.raises(ValueError, match="has 32 tokens but the model was built for vocab_size=33"):
        quiet_trainer(max_steps=1).fit(model, datamodule=FixedData(word_vocab))


def test_load_language_model_refuses_other_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        load_language_model(tmp_path / "missing.ckpt")
    torch.save({"state_dict": {}}, tmp_path / "other.ckpt")
    with pytest.raises(ValueError, match="not an rnnlm language-model checkpoint"):
        load_language_model(tmp_path / "other.ckpt")


def test_resuming_with_another_number_of_ranks_warns(checkpoint, word_vocab, tmp_path):
    path, _ = checkpoint
    saved = torch.load(path, weights_only=False)
    saved["rnnlm"]["rng"] = saved["rnnlm"]["rng"].repeat(2, 1)  # as if written by 2 ranks
    saved["rnnlm"]["hidden"] = [state.repeat(2, 1, 1, 1) for state in saved["rnnlm"]["hidden"]]
    torch.save(saved, tmp_path / "two_ranks.ckpt")
    model = LSTMLM(vocab_size=len(word_vocab), **SMALL)
    with pytest.warns(UserWarning, match="written by 2 rank.* this run has 1"):
        quiet_trainer(max_steps=3).fit(model, datamodule=FixedData(word_vocab), ckpt_path=tmp_path / "two_ranks.ckpt")
    assert model._hidden["train"] is not None  # trained on from a fresh state
