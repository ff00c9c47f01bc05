"""Vocabulary: deterministic ids, specials, min_freq/max_size, encode/decode, save/load."""

from __future__ import annotations

import json

import pytest

from rnnlm.data.vocab import EOS_TOKEN, UNK_TOKEN, Vocabulary


def test_ids_are_specials_then_frequency_then_first_occurrence():
    tokens = "b a c a b d a <eos> <eos>".split()
    vocab = Vocabulary.build(tokens, level="word", corpus="toy")
    # a: 3, b: 2, then c and d once each in order of first appearance
    assert vocab.itos == [UNK_TOKEN, EOS_TOKEN, "a", "b", "c", "d"]
    assert (vocab.unk_index, vocab.eos_index) == (0, 1)
    assert vocab.stoi == {token: index for index, token in enumerate(vocab.itos)}


def test_build_is_deterministic_across_calls():
    tokens = [f"t{i % 37}" for i in range(1000)] + ["x", "y", "z"]
    first = Vocabulary.build(tokens, corpus="c")
    second = Vocabulary.build(list(tokens), corpus="c")
    assert first.itos == second.itos and first.fingerprint == second.fingerprint


def test_literal_unk_in_text_is_not_doubled():
    vocab = Vocabulary.build(["<unk>", "the", "<unk>", "N", "<eos>"], level="word")
    assert vocab.itos.count(UNK_TOKEN) == 1
    assert vocab.encode(["<unk>", "the", "never-seen"]) == [vocab.unk_index, vocab.stoi["the"], vocab.unk_index]


def test_min_freq_and_max_size():
    tokens = list("aaaabbbccd")
    assert Vocabulary.build(tokens, level="char", min_freq=2).itos == [UNK_TOKEN, "a", "b", "c"]
    assert Vocabulary.build(tokens, level="char", max_size=3).itos == [UNK_TOKEN, "a", "b"]
    with pytest.raises(ValueError, match="min_freq"):
        Vocabulary.build(tokens, level="char", min_freq=0)
    with pytest.raises(ValueError, match="max_size"):
        Vocabulary.build(tokens, level="char", max_size=1)


def test_char_level_has_no_eos():
    vocab = Vocabulary.build("hello\n", level="char")
    assert vocab.eos_token is None and vocab.eos_index is None
    assert vocab.itos[0] == UNK_TOKEN and "\n" in vocab


def test_encode_decode_round_trip():
    tokens = "to be or not to be <eos> that is the question <eos>".split()
    vocab = Vocabulary.build(tokens)
    assert vocab.decode(vocab.encode(tokens)) == tokens
    import torch

    assert vocab.decode(torch.tensor(vocab.encode(tokens))) == tokens
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.decode([len(vocab)])


def test_save_load_and_dict_round_trip(tmp_path):
    vocab = Vocabulary.build("a b c a <eos>".split(), corpus="toy", lower=True)
    path = tmp_path / "vocab.json"
    vocab.save(path)
    assert Vocabulary.load(path) == vocab
    assert Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict()))) == vocab
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_load_checks_corpus_level_and_casing(tmp_path):
    path = tmp_path / "vocab.json"
    Vocabulary.build("a b".split(), level="word", corpus="ptb").save(path)
    with pytest.raises(ValueError, match=r"corpus 'ptb' \(expected 'wikitext2'\)"):
        Vocabulary.load(path, corpus="wikitext2")
    with pytest.raises(ValueError, match=r"level 'word' \(expected 'char'\)"):
        Vocabulary.load(path, level="char")
    with pytest.raises(ValueError, match="lower=False"):
        Vocabulary.load(path, lower=True)


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a valid rnnlm vocabulary"):
        Vocabulary.load(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Vocabulary.load(tmp_path / "missing.json")


def test_unknown_level():
    with pytest.raises(ValueError, match="choose one of: word, char"):
        Vocabulary.build(["a"], level="subword")
