"""Downloads: cache location, checksums, atomic writes, offline errors, mirrors (file:// and HTTP)."""

from __future__ import annotations

import hashlib
import socket

import pytest

from rnnlm.data.corpora import load_corpus
from rnnlm.data.download import ChecksumError, OfflineError, cache_dir, fetch, mirror_url, sha256_of
from tests.support.http_server import serve_folder

PTB_VALID_SHA256 = "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLM_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("RNNLM_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "rnnlm"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "rnnlm"


def test_fetch_file_url_verifies_and_keeps_nothing_else(shared_data, tmp_path):
    source = shared_data / "ptb" / "ptb.valid.txt"
    dest = tmp_path / "cache" / "ptb.valid.txt"
    assert fetch(source.as_uri(), PTB_VALID_SHA256, dest) == dest
    assert dest.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["ptb.valid.txt"]
    assert fetch("http://127.0.0.1:9/never-used", PTB_VALID_SHA256, dest) == dest  # present: no download


def test_checksum_mismatch_names_both_digests_and_leaves_nothing(shared_data, tmp_path):
    source = shared_data / "ptb" / "ptb.valid.txt"
    dest = tmp_path / "ptb.valid.txt"
    with pytest.raises(ChecksumError) as error:
        fetch(source.as_uri(), "0" * 64, dest)
    assert "0" * 64 in str(error.value) and PTB_VALID_SHA256 in str(error.value) and "ptb.valid.txt" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_existing_corrupt_file_is_reported(tmp_path):
    dest = tmp_path / "input.txt"
    dest.write_text("not the corpus")
    with pytest.raises(ChecksumError, match=f"checksum mismatch for {dest}.*Delete the file"):
        fetch("http://127.0.0.1:9/input.txt", PTB_VALID_SHA256, dest)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_error_names_the_file_and_where_to_put_it(tmp_path):
    dest = tmp_path / "ptb" / "ptb.train.txt"
    url = f"http://127.0.0.1:{_closed_port()}/ptb.train.txt"
    with pytest.raises(OfflineError) as error:
        fetch(url, PTB_VALID_SHA256, dest)
    message = str(error.value)
    assert url in message and f"place it by hand at {dest}" in message and PTB_VALID_SHA256 in message
    assert list(dest.parent.iterdir()) == []


@pytest.fixture
def http_mirror(shared_data):
    """``../shared/data`` served over HTTP on 127.0.0.1."""
    with serve_folder(shared_data) as url:
        yield url


def test_http_mirror_downloads_tinyshakespeare_with_nanogpt_split(http_mirror, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLM_MIRROR", http_mirror)
    corpus = load_corpus("tinyshakespeare", data_dir=tmp_path)
    downloaded = tmp_path / "tinyshakespeare" / "input.txt"
    assert sha256_of(downloaded) == hashlib.sha256((shared_data / "tinyshakespeare" / "input.txt").read_bytes()).hexdigest()
    data = downloaded.read_text(encoding="utf-8")
    n = len(data)
    assert corpus.valid == data[int(n * 0.9):] and corpus.train == data[: int(n * 0.9)]  # nanoGPT's val split
    assert len(corpus.valid) == 111_540 and corpus.test == corpus.valid


def test_mirror_url_layout(monkeypatch):
    monkeypatch.delenv("RNNLM_MIRROR", raising=False)
    assert mirror_url("https://x/y/ptb.train.txt", "ptb/ptb.train.txt") == "https://x/y/ptb.train.txt"
    assert mirror_url("https://x", "ptb/ptb.train.txt", mirror="file:///m/") == "file:///m/ptb/ptb.train.txt"
    monkeypatch.setenv("RNNLM_MIRROR", "http://127.0.0.1:8000")
    assert mirror_url("https://x", "ptb/a.txt") == "http://127.0.0.1:8000/ptb/a.txt"


def test_ptb_without_its_train_file_says_what_to_place_where(shared_data, tmp_path):
    # ../shared/data holds PTB's valid and test only: the train file must be named
    with pytest.raises(OfflineError) as error:
        load_corpus("ptb", data_dir=tmp_path, mirror=shared_data.as_uri())
    message = str(error.value)
    assert "ptb.train.txt" in message and str(tmp_path / "ptb" / "ptb.train.txt") in message
    assert "ptb.valid.txt" not in message  # valid and test came from the mirror
    assert sorted(p.name for p in (tmp_path / "ptb").iterdir()) == ["ptb.test.txt", "ptb.valid.txt"]


def test_one_error_lists_every_missing_file(tmp_path):
    with pytest.raises(OfflineError) as error:
        load_corpus("ptb", data_dir=tmp_path, mirror="http://127.0.0.1:9")
    message = str(error.value)
    assert message.startswith("3 files of ptb are missing:")
    assert message.count("not tried: the server could not be reached") == 2  # one network wait, not three
    for name in ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"):
        assert f"place it by hand at {tmp_path / 'ptb' / name}" in message


def test_data_dir_holding_the_files_is_read_in_place(shared_data):
    corpus = load_corpus("tinyshakespeare", data_dir=shared_data)
    assert corpus.train.startswith("First Citizen:\nBefore we proceed any further")
