"""Byte-level BPE: trained on train, ids equal to the tokenizer's, carried in checkpoints, decoded by generate."""

from __future__ import annotations

import json

import lightning as L
import numpy as np
import pytest
import torch

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.tokenize import get_tokenizer
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError
from rnnlm.generate import generate
from rnnlm.models import LSTMLM, load_language_model

tokenizers = pytest.importorskip("tokenizers")


@pytest.fixture
def prose_folder(tmp_path):
    """train/valid/test.txt of varied English-like lines (non-ASCII included)."""
    rng = np.random.default_rng(0)
    words = "the cat sat on a mat and dog ran far from home café naïve über twelve lines".split()
    folder = tmp_path / "prose"
    folder.mkdir()
    for split, lines in (("train", 400), ("valid", 60), ("test", 60)):
        text = "\n".join(" ".join(rng.choice(words, size=rng.integers(3, 12))) for _ in range(lines)) + "\n\n"
        (folder / f"{split}.txt").write_text(text, encoding="utf-8")
    return folder


def test_ids_are_the_tokenizers_and_decode_back_to_the_text(prose_folder):
    prepared = prepare_corpus(str(prose_folder), "bpe", bpe_vocab_size=300)
    vocab = prepared.vocab
    assert vocab.level == "bpe" and len(vocab) == 300 and vocab.itos[0] == "<unk>" and prepared.meta["dtype"] == "uint16"
    reference = tokenizers.Tokenizer.from_file(str(prepared.folder / "tokenizer.json"))  # an independent reload
    text = (prose_folder / "valid.txt").read_text(encoding="utf-8")
    expected = [i for line in text.split("\n")[:-1] for i in reference.encode(line + "\n").ids]
    assert prepared.tokens("valid").tolist() == expected
    assert get_tokenizer("bpe").detokenize(vocab.decode(prepared.tokens("valid"))) == text  # no model needed
    assert (prepared.folder / "valid.txt").read_text(encoding="utf-8") == text
    words = len(text.split()) + text.count("\n")
    assert prepared.tokens_per_word("valid") == pytest.approx(len(expected) / words, rel=1e-12)
    assert prepared.stats["unk_rate"]["valid"] == 0.0  # byte level: every text is encodable


def test_vocabulary_carries_the_tokenizer_through_to_dict(prose_folder):
    vocab = prepare_corpus(str(prose_folder), "bpe", bpe_vocab_size=300).vocab
    again = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert again == vocab and again.fingerprint == vocab.fingerprint
    assert get_tokenizer("bpe", vocab=again).tokenize("the cat\n") == get_tokenizer("bpe", vocab=vocab).tokenize("the cat\n")
    other = prepare_corpus(str(prose_folder), "bpe", bpe_vocab_size=280).vocab
    assert other.fingerprint != vocab.fingerprint


def test_given_tokenizer_json_is_used(prose_folder, tmp_path):
    trained = prepare_corpus(str(prose_folder), "bpe", bpe_vocab_size=290)
    copy = tmp_path / "mine" / "tokenizer.json"
    copy.parent.mkdir()
    copy.write_bytes((trained.folder / "tokenizer.json").read_bytes())
    given = prepare_corpus(str(prose_folder), "bpe", tokenizer=str(copy))
    assert given.vocab == trained.vocab and given.folder != trained.folder
    assert given.tokens("test").tolist() == trained.tokens("test").tolist()


def test_fit_checkpoint_and_generate_decode_bpe(prose_folder, tmp_path):
    data = LanguageModelDataModule(corpus=str(prose_folder), level="bpe", bpe_vocab_size=300, batch_size=4, bptt=8)
    torch.manual_seed(0)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=8, hidden_size=8, num_layers=1, vocab=data.vocab)
    trainer = L.Trainer(max_steps=3, limit_val_batches=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(model, datamodule=data)
    trainer.save_checkpoint(tmp_path / "bpe.ckpt")
    loaded = load_language_model(tmp_path / "bpe.ckpt")
    assert loaded.vocab == data.vocab
    text = generate(loaded, "the cat", max_tokens=20, seed=1)
    assert text.startswith("the cat")
    ids = get_tokenizer("bpe", vocab=loaded.vocab).encode(text)
    assert get_tokenizer("bpe").detokenize(loaded.vocab.decode(ids)) == text  # it is text the tokenizer spells
    assert generate(loaded, "", max_tokens=5, seed=1) == generate(loaded, "", max_tokens=5, seed=1)


def test_bad_tokenizers_are_refused_with_the_file_named(prose_folder, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(UsageError, match=f"tokenizer file {broken} does not load as a Hugging Face tokenizer.json"):
        prepare_corpus(str(prose_folder), "bpe", tokenizer=str(broken))
    with pytest.raises(UsageError, match="does not exist"):
        prepare_corpus(str(prose_folder), "bpe", tokenizer=str(tmp_path / "absent.json"))
    other_corpus = tmp_path / "other"
    other_corpus.mkdir()
    for split in ("train", "valid", "test"):
        (other_corpus / f"{split}.txt").write_text("completely different words here\n" * 20)
    foreign = prepare_corpus(str(other_corpus), "bpe", bpe_vocab_size=270).folder / "tokenizer.json"
    with pytest.raises(UsageError, match=f"{foreign} was trained on corpus 'other'.*not 'prose'"):
        prepare_corpus(str(prose_folder), "bpe", tokenizer=str(foreign))
    with pytest.raises(UsageError, match="bpe_vocab_size must be at least 257"):
        prepare_corpus(str(prose_folder), "bpe", bpe_vocab_size=100)
