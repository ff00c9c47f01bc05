"""Token files: uint16/uint32 ids equal to an independent encoding, memory-mapped, damaged caches reported by name."""

from __future__ import annotations

import json
import mmap
import os

import numpy as np
import pytest
import torch

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.data.download import cache_dir
from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.sources import file_chunks
from rnnlm.data.tokenize import get_tokenizer
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError


def mapped_file(array: np.ndarray) -> bool:
    """Whether ``array`` is a view of a memory-mapped file (not a copy in memory)."""
    while isinstance(array, np.ndarray):
        array = array.base
    return isinstance(array, memoryview) and isinstance(array.obj, mmap.mmap)


def test_token_files_hold_the_ids_of_a_whole_text_encoding(numbered_folder):
    prepared = prepare_corpus(str(numbered_folder), "word", max_size=500)
    text = (numbered_folder / "valid.txt").read_text()
    tokens = get_tokenizer("word").tokenize(text)  # the reference: the whole split in one piece
    reference = Vocabulary.build(get_tokenizer("word").tokenize((numbered_folder / "train.txt").read_text()),
                                 corpus="numbered", max_size=500)
    assert prepared.vocab == reference
    raw = np.fromfile(prepared.folder / "valid.bin", dtype="<u2")
    assert raw.tolist() == reference.encode(tokens)
    tokens_map = prepared.tokens("valid")
    assert mapped_file(tokens_map) and tokens_map.dtype == np.uint16 and not tokens_map.flags.writeable
    entry = prepared.meta["files"]["valid"]
    assert entry["length"] == len(tokens) and entry["bytes"] == 2 * len(tokens) and entry["dtype"] == "uint16"


def test_many_chunks_in_two_workers_give_the_same_ids_and_files(numbered_folder, monkeypatch):
    whole = prepare_corpus(str(numbered_folder), "word", use_cache=False, workers=1)
    monkeypatch.setattr("rnnlm.data.sources.CHUNK_BYTES", 700)  # about 60 chunks, lines never cut
    chunks = file_chunks(numbered_folder / "train.txt", 700)
    assert len(chunks) > 10 and all(chunk.read().endswith("\n") for chunk in chunks)
    assert "".join(chunk.read() for chunk in chunks) == (numbered_folder / "train.txt").read_text()
    import rnnlm.data.prepared as prepared_module

    monkeypatch.setattr(prepared_module, "corpus_chunks",
                        lambda corpus, data_dir: {s: file_chunks(numbered_folder / f"{s}.txt", 700)
                                                  for s in ("train", "valid", "test")})
    chunked = prepare_corpus(str(numbered_folder), "word", workers=2)
    assert chunked.vocab == whole.vocab
    for split in ("train", "valid", "test"):
        assert chunked.tokens(split).tolist() == whole.arrays[split].tolist()
    char_whole = prepare_corpus(str(numbered_folder), "char", use_cache=False, workers=1)
    char_chunked = prepare_corpus(str(numbered_folder), "char", workers=2)
    assert char_chunked.vocab == char_whole.vocab
    assert char_chunked.tokens("test").tolist() == char_whole.arrays["test"].tolist()


def test_large_vocabulary_gets_uint32_and_a_too_small_dtype_is_refused(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    words = " ".join(f"w{i}" for i in range(70_000))
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text(words + "\n")
    prepared = prepare_corpus(str(folder), "word")
    assert prepared.meta["dtype"] == "uint32" and prepared.tokens("valid").dtype == np.uint32
    assert int(prepared.tokens("valid")[-2]) == len(prepared.vocab) - 1  # an id above 65,535 survives
    with pytest.raises(UsageError, match="a vocabulary of 70,002 tokens does not fit in uint16 token files"):
        prepare_corpus(str(folder), "word", token_dtype="uint16")
    assert all((p / "meta.json").exists() for p in (cache_dir() / "prepared").iterdir())  # nothing half-written


@pytest.mark.parametrize("damage, message", [
    ("truncate", r"token file .*train\.bin holds 4,398 bytes but meta.json says 2,200 uint16 tokens \(4,400 bytes\)"),
    ("append", r"token file .*train\.bin holds 4,402 bytes but meta.json says 2,200 uint16 tokens"),
    ("dtype", r"meta.json gives the token dtype 'int8' for train.bin"),
    ("length", r"token file .*train\.bin holds 4,400 bytes but meta.json says 2,201 uint16 tokens"),
    ("vocab", r"vocab.json is not the vocabulary the token files were encoded with"),
])
def test_damaged_cache_is_reported_with_the_file_and_the_fix(numbered_folder, damage, message):
    folder = prepare_corpus(str(numbered_folder), "word").folder
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text())
    if damage == "truncate":
        os.truncate(folder / "train.bin", 4_398)
    elif damage == "append":
        with open(folder / "train.bin", "ab") as file:
            file.write(b"\x01\x00")
    elif damage == "dtype":
        meta["files"]["train"]["dtype"] = "int8"
    elif damage == "length":
        meta["files"]["train"]["length"] = 2_201
    else:
        Vocabulary(["<unk>", "<eos>", "x"], corpus="numbered").save(folder / "vocab.json")
    meta_path.write_text(json.dumps(meta))
    data = LanguageModelDataModule(corpus=str(numbered_folder), batch_size=2, bptt=5)
    with pytest.raises(UsageError, match=message) as raised:
        data.setup("fit")
    assert f"delete {folder} so that the corpus is prepared again" in str(raised.value)


def test_modified_token_file_fails_the_checksum_on_verify(numbered_folder):
    folder = prepare_corpus(str(numbered_folder), "word").folder
    with open(folder / "test.bin", "r+b") as file:
        file.write(b"\x05\x00")
    prepare_corpus(str(numbered_folder), "word")  # a plain load checks sizes only
    with pytest.raises(UsageError, match=r"test\.bin does not have the SHA-256 recorded in meta.json"):
        prepare_corpus(str(numbered_folder), "word", verify=True)


def test_bad_split_file_leaves_no_folder_behind(numbered_folder):
    root = cache_dir() / "prepared"
    before = set(root.iterdir()) if root.exists() else set()
    (numbered_folder / "test.txt").write_bytes(b"fine\n" * 10 + b"caf\xe9\n")
    with pytest.raises(UsageError, match=r"test.txt is not UTF-8: byte 0xe9 at byte offset 53"):
        prepare_corpus(str(numbered_folder), "word")
    assert set(root.iterdir()) == before  # train and valid were encoded, then all was removed
    (numbered_folder / "test.txt").write_text(" \n\n")
    with pytest.raises(UsageError, match="test.txt is empty"):
        prepare_corpus(str(numbered_folder), "word")


def test_loader_keeps_a_view_of_the_map_and_yields_int64(numbered_folder):
    data = LanguageModelDataModule(corpus=str(numbered_folder), batch_size=2, bptt=5)
    data.setup("fit")
    loader = data.train_dataloader()
    assert mapped_file(loader.rows)  # a view of the map, not a copy
    assert torch.equal(loader.data, torch.from_numpy(loader.rows.astype(np.int64)))
    batch = next(iter(loader))
    assert batch.inputs.dtype == batch.targets.dtype == torch.int64
    stream = data.split_ids("train")
    assert batch.inputs[1].tolist() == stream[1100:1105].tolist() and batch.targets[0].tolist() == stream[1:6].tolist()
