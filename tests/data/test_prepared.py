"""Prepared corpora: cache folder contents, reuse, statistics, vocabulary files, the prepare verb."""

from __future__ import annotations

import json

import pytest
import torch

from jsonargparse import CLI

from rnnlm.cli import main
from rnnlm.commands.prepare import command
from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError


def test_folder_contents_and_reuse(numbered_folder):
    prepared = prepare_corpus(str(numbered_folder), "word")
    files = sorted(p.name for p in prepared.folder.iterdir())
    assert files == ["meta.json", "test.bin", "test.txt", "train.bin", "train.txt", "valid.bin", "valid.txt",
                     "vocab.json"]
    assert prepared.stats["vocab_size"] == 2 + 2000 and prepared.stats["tokens"]["train"] == 2000 + 200
    assert prepared.stats["unk_rate"]["valid"] == 0.0  # w0..w599 all appear in train
    again = prepare_corpus(str(numbered_folder), "word")
    assert again.folder == prepared.folder and again.vocab == prepared.vocab
    for split in ("train", "valid", "test"):
        torch.testing.assert_close(again.ids[split], prepared.ids[split], rtol=0, atol=0)
    assert json.loads((prepared.folder / "meta.json").read_text())["options"]["level"] == "word"


def test_options_get_their_own_folder(numbered_folder):
    word = prepare_corpus(str(numbered_folder), "word")
    capped = prepare_corpus(str(numbered_folder), "word", max_size=100)
    char = prepare_corpus(str(numbered_folder), "char")
    assert len({word.folder, capped.folder, char.folder}) == 3
    assert len(capped.vocab) == 100 and char.vocab.level == "char"
    # the 98 most frequent words are w0..w97 (all once, so first occurrence): w98.. become <unk>
    assert capped.stats["unk_rate"]["valid"] == pytest.approx((600 - 98) / 660, abs=1e-12)


def test_char_level_ids_match_the_vocabulary(numbered_folder):
    prepared = prepare_corpus(str(numbered_folder), "char", use_cache=False)
    text = (numbered_folder / "valid.txt").read_text()
    assert prepared.vocab.decode(prepared.ids["valid"]) == list(text)
    assert prepared.folder is None


def test_vocab_file_from_another_corpus_or_level_is_refused(numbered_folder, tmp_path):
    path = tmp_path / "vocab.json"
    Vocabulary.build(list("abc"), level="char", corpus="numbered").save(path)
    with pytest.raises(ValueError, match=r"built for level 'char' \(expected 'word'\)"):
        prepare_corpus(str(numbered_folder), "word", vocab_file=str(path))
    Vocabulary.build(["a"], level="word", corpus="ptb").save(path)
    with pytest.raises(ValueError, match=r"built for corpus 'ptb' \(expected 'numbered'\)"):
        prepare_corpus(str(numbered_folder), "word", vocab_file=str(path))


def test_vocab_file_is_reused(numbered_folder, tmp_path):
    built = prepare_corpus(str(numbered_folder), "word", max_size=50).vocab
    path = tmp_path / "vocab.json"
    built.save(path)
    reused = prepare_corpus(str(numbered_folder), "word", vocab_file=str(path))
    assert reused.vocab == built


def test_prepare_verb_prints_folder_and_statistics(numbered_folder, capsys):
    assert main(["prepare", "--corpus", str(numbered_folder), "--level", "word"]) == 0
    out = capsys.readouterr().out
    assert "prepared corpus: " in out and "vocabulary size: 2,002" in out
    assert "train         2,200      0.00%        1.000" in out and "valid           660      0.00%" in out
    # char level: tokens per word = characters / (words + line ends) of the same text
    assert CLI(command, args=["--corpus", str(numbered_folder), "--level", "char"], as_positional=False) == 0
    text = (numbered_folder / "valid.txt").read_text()
    per_word = len(text) / (len(text.split()) + text.count("\n"))
    assert f"valid  {len(text):>12,}      0.00% {per_word:>12.3f}" in capsys.readouterr().out


def test_prepare_verb_reports_bad_input(capsys):
    assert main(["prepare", "--corpus", "no-such-corpus"]) == 2  # one line, exit status 2 (rnnlm.errors)
    error = capsys.readouterr().err
    assert error.startswith("rnnlm: error: unknown corpus 'no-such-corpus'") and error.count("\n") == 1


def test_failed_preparation_leaves_no_folder(tmp_path):
    from rnnlm.data.download import cache_dir

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n" * 50 + b"\xff\xfe broken\n")
    with pytest.raises(ValueError, match="byte 0xff at byte offset 500"):
        prepare_corpus(str(bad), "word")
    prepared_root = cache_dir() / "prepared"
    assert not prepared_root.exists() or not any(p.name.startswith("bad-") for p in prepared_root.iterdir())


def test_prepare_verb_offline_names_the_file_to_place(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLM_MIRROR", "http://127.0.0.1:9")  # port 9 (discard): nothing listens
    with pytest.raises(UsageError) as raised:
        command(corpus="wikitext2", data_dir=str(tmp_path))
    error = str(raised.value)
    assert error.startswith("3 files of wikitext2 are missing:")
    assert "http://127.0.0.1:9/wikitext-2/train.txt" in error
    assert f"place it by hand at {tmp_path / 'wikitext-2' / 'train.txt'}" in error
    assert list((tmp_path / "wikitext-2").iterdir()) == []
