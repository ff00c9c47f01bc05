"""The real formats of ../shared/data: PTB (<unk>, N) and WikiText-2 (= Heading =, @-@)."""

from __future__ import annotations

import os

from rnnlm.data.corpora import read_text
from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.tokenize import get_tokenizer
from rnnlm.data.vocab import Vocabulary


def test_ptb_counts_and_unk_not_doubled(shared_data):
    tokenizer = get_tokenizer("word")
    valid = tokenizer.tokenize(read_text(shared_data / "ptb" / "ptb.valid.txt"))
    test = tokenizer.tokenize(read_text(shared_data / "ptb" / "ptb.test.txt"))
    assert (len(valid), len(test)) == (73_760, 82_430)  # the published PTB counts, <eos> included
    assert valid[:4] == ["consumers", "may", "want", "to"]
    vocab = Vocabulary.build(valid, corpus="ptb")
    assert vocab.itos.count("<unk>") == 1 and vocab.unk_index == 0
    assert len(vocab) == len(set(valid))  # the text's <unk> and our <eos> are the two specials
    assert "N" in vocab and vocab.encode(["<unk>"]) == [vocab.unk_index]


def test_wikitext_headings_and_at_tokens(shared_data):
    text = read_text(shared_data / "wikitext-2" / "valid.txt")
    tokens = get_tokenizer("word").tokenize(text)
    assert len(tokens) == 217_646  # WikiText-2 valid as counted by pytorch/examples
    # ' \n = Homarus gammarus = \n \n': an empty line, a heading, an empty line
    assert tokens[:7] == ["<eos>", "=", "Homarus", "gammarus", "=", "<eos>", "<eos>"]
    assert tokens[tokens.index("Description") - 2: tokens.index("Description") + 3] == ["=", "=", "Description", "=", "="]
    vocab = Vocabulary.build(tokens, corpus="wikitext2")
    assert "@-@" in vocab and "@.@" in vocab and vocab.itos.count("<unk>") == 1


def test_prepare_ptb_folder_writes_the_splits_as_the_model_sees_them(shared_data, tmp_path):
    folder = tmp_path / "ptb-like"
    folder.mkdir()
    # PTB's train split is not on this machine: valid plays train, test plays valid and test
    os.symlink(shared_data / "ptb" / "ptb.valid.txt", folder / "train.txt")
    os.symlink(shared_data / "ptb" / "ptb.test.txt", folder / "valid.txt")
    os.symlink(shared_data / "ptb" / "ptb.test.txt", folder / "test.txt")
    prepared = prepare_corpus(str(folder), "word")
    assert prepared.stats["tokens"] == {"train": 73_760, "valid": 82_430, "test": 82_430}
    assert prepared.stats["vocab_size"] == 6_022
    train_lines = (prepared.folder / "train.txt").read_text(encoding="utf-8").split("\n")
    assert train_lines[0] == "consumers may want to move their telephones a little closer to the tv set"
    assert len(train_lines) == 3_370 + 1  # one line per original line, then the final newline
    valid_text = (prepared.folder / "valid.txt").read_text(encoding="utf-8")
    retokenized = get_tokenizer("word").tokenize(valid_text)
    assert prepared.vocab.encode(retokenized) == prepared.ids["valid"].tolist()  # identical data for other tools
    assert set(retokenized) <= set(prepared.vocab.itos)
    unk_share = retokenized.count("<unk>") / len(retokenized)
    assert abs(unk_share - prepared.stats["unk_rate"]["valid"]) < 1e-12 and unk_share > 4_794 / 82_430
