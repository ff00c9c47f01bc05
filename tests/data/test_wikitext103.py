"""WikiText-103: the archive in its real layout, fetched over file:// and a 127.0.0.1 server, verified, extracted."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from rnnlm.data import corpora
from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.data.download import ChecksumError, OfflineError
from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.tokenize import get_tokenizer
from tests.support.http_server import serve_folder

PINNED = "242ba0f20b329cfdf1ccc61e9e9e5b59becf189db7f7a81cd2a0e2fc31539590"  # docs/data.md: where it comes from


@pytest.fixture
def wikitext103_mirror(shared_data, tmp_path, monkeypatch):
    """A mirror folder holding ``wikitext-103/wikitext-103-v1.zip`` built like the real one from WikiText-2 text."""
    mirror = tmp_path / "mirror"
    archive = mirror / "wikitext-103" / "wikitext-103-v1.zip"
    archive.parent.mkdir(parents=True)
    texts = {"train": (shared_data / "wikitext-2" / "valid.txt").read_bytes(),
             "valid": (shared_data / "wikitext-2" / "test.txt").read_bytes()[:200_000],
             "test": (shared_data / "wikitext-2" / "test.txt").read_bytes()[200_000:]}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("wikitext-103/", b"")
        for split, data in texts.items():
            zipped.writestr(f"wikitext-103/wiki.{split}.tokens", data)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    folder, name, url, _, members = corpora.ARCHIVE_CORPORA["wikitext103"]
    monkeypatch.setitem(corpora.ARCHIVE_CORPORA, "wikitext103", (folder, name, url, digest, members))
    return mirror, texts


def test_pinned_source_is_the_authors_archive():
    folder, name, url, sha256, members = corpora.ARCHIVE_CORPORA["wikitext103"]
    assert (name, sha256) == ("wikitext-103-v1.zip", PINNED) and url.endswith("/wikitext-103-v1.zip")
    assert members == {split: f"wikitext-103/wiki.{split}.tokens" for split in ("train", "valid", "test")}


def test_file_mirror_extracts_the_splits_and_prepares_them(wikitext103_mirror, tmp_path, monkeypatch):
    mirror, texts = wikitext103_mirror
    monkeypatch.setenv("RNNLM_MIRROR", mirror.as_uri())
    data_dir = tmp_path / "downloads"
    prepared = prepare_corpus("wikitext103", "word", data_dir=str(data_dir), use_cache=False)
    extracted = data_dir / "wikitext-103"
    assert sorted(p.name for p in extracted.iterdir()) == ["wiki.test.tokens", "wiki.train.tokens",
                                                          "wiki.valid.tokens", "wikitext-103-v1.zip"]
    for split, data in texts.items():
        assert (extracted / f"wiki.{split}.tokens").read_bytes() == data
    tokens = get_tokenizer("word").tokenize(texts["valid"].decode("utf-8"))
    assert prepared.vocab.decode(prepared.arrays["valid"]) == [t if t in prepared.vocab else "<unk>" for t in tokens]
    assert "<unk>" in prepared.vocab and prepared.vocab.itos.count("<unk>") == 1  # WikiText's own <unk>


@pytest.fixture
def http_server(wikitext103_mirror):
    with serve_folder(wikitext103_mirror[0]) as url:
        yield url


def test_http_mirror_then_the_datamodule_reads_it_in_place(http_server, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLM_MIRROR", http_server)
    data = LanguageModelDataModule(corpus="wikitext103", data_dir=str(tmp_path), batch_size=4, bptt=10)
    assert data.vocab.corpus == "wikitext103" and data.prepared.meta["dtype"] == "uint16"
    monkeypatch.setenv("RNNLM_MIRROR", "http://127.0.0.1:9")  # nothing listens: the files are read in place
    assert corpora.archive_paths("wikitext103", tmp_path)["train"] == tmp_path / "wikitext-103" / "wiki.train.tokens"


def test_wrong_archive_is_refused_and_nothing_is_extracted(wikitext103_mirror, tmp_path, monkeypatch):
    folder, name, url, _, members = corpora.ARCHIVE_CORPORA["wikitext103"]
    monkeypatch.setitem(corpora.ARCHIVE_CORPORA, "wikitext103", (folder, name, url, PINNED, members))
    with pytest.raises(ChecksumError, match=f"expected sha256 {PINNED}"):
        corpora.archive_paths("wikitext103", tmp_path, mirror=wikitext103_mirror[0].as_uri())
    assert list((tmp_path / "wikitext-103").iterdir()) == []
    with pytest.raises(OfflineError, match=f"place it by hand at {tmp_path / 'wikitext-103' / name}"):
        corpora.archive_paths("wikitext103", tmp_path, mirror="http://127.0.0.1:9")
