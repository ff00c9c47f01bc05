"""Counting and encoding text chunks, in worker processes: the two passes of streaming preparation.

Pass 1 counts the training tokens chunk by chunk (a ``Counter`` per chunk, merged in chunk
order, so ties keep their first occurrence and the ids are those of ``Vocabulary.build`` on the
whole text). Pass 2 encodes every chunk of every split into token ids of the file's dtype and
the text as the model sees it. Chunks go to a pool of forked processes (``imap``: in order,
a few chunks in flight), which inherit the vocabulary from this module's ``_STATE`` instead of
receiving it with every chunk; a split of one chunk is processed in this process.

Memory: each process holds one chunk (``CHUNK_BYTES`` of text) and its tokens, whatever the
corpus size; the parent holds the vocabulary and one chunk's results at a time.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlm.data.sources import Chunk
from rnnlm.data.tokenize import WordTokenizer
from rnnlm.data.vocab import UNK_TOKEN, Vocabulary

_STATE: dict[str, Any] = {}  # what the workers need, set before the pool forks


@dataclass
class EncodedChunk:
    """One chunk encoded: ids, the text as the model sees it, and counts for the statistics."""

    ids: np.ndarray  # [n] token ids in the token file's dtype
    text: str  # the chunk as the model sees it (words outside the vocabulary written <unk>)
    unknown: int  # how many ids are <unk>
    words: int  # word-level tokens of the same text (whitespace words + line ends)
    blank: bool  # the chunk holds no text but whitespace


def default_workers() -> int:
    """The CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parallel_map(function: Callable[[Chunk], Any], chunks: list[Chunk], workers: int,
                 state: dict[str, Any]) -> Iterator[Any]:
    """``function`` over ``chunks`` in order, in ``workers`` forked processes when there is more than one chunk."""
    _STATE.clear()
    _STATE.update(state)
    if workers <= 1 or len(chunks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, chunks)
        return
    with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
        yield from pool.imap(function, chunks)


def word_tokens(text: str) -> list[str]:
    """Word-level tokens (``<eos>`` closing every line, the last one included)."""
    return WordTokenizer().tokenize(text)


def word_count(text: str) -> int:
    """Word-level tokens of ``text`` without building them: whitespace words plus lines."""
    return len(text.split()) + text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def chunk_text(chunk: Chunk) -> str:
    """The chunk's text, lower-cased if the preparation asks for it."""
    text = chunk.read()
    return text.lower() if _STATE["lower"] else text


def count_chunk(chunk: Chunk) -> Counter:
    """Pass 1: token counts of one chunk (characters at char level)."""
    text = chunk_text(chunk)
    return Counter(text) if _STATE["level"] == "char" else Counter(word_tokens(text))


def merge_counts(counters: Iterable[Counter]) -> Counter:
    """Chunk counts merged in chunk order (a Counter keeps first-insertion order: the tie-break of ids)."""
    total: Counter = Counter()
    for counter in counters:
        total.update(counter)
    return total


def character_table(vocab: Vocabulary) -> np.ndarray:
    """Code point -> id for every single-character token; the last entry is ``<unk>`` for the others."""
    points = {ord(token): index for token, index in vocab.stoi.items() if len(token) == 1}
    table = np.full(max(points, default=0) + 2, vocab.unk_index, dtype=np.int64)
    for point, index in points.items():
        table[point] = index
    return table


def worker_state(vocab: Vocabulary, lower: bool, dtype: np.dtype) -> dict[str, Any]:
    """What :func:`encode_chunk` needs, for :func:`parallel_map`."""
    state: dict[str, Any] = {"level": vocab.level, "lower": lower, "dtype": dtype, "unk": vocab.unk_index}
    if vocab.level == "word":
        state["stoi"] = vocab.stoi
    elif vocab.level == "char":
        state["table"] = character_table(vocab)
    return state


def _encode_words(text: str) -> tuple[np.ndarray, str]:
    stoi, unk = _STATE["stoi"], _STATE["unk"]
    tokens = word_tokens(text)
    ids = np.fromiter(map(stoi.get, tokens, itertools.repeat(unk)), dtype=np.int64, count=len(tokens))  # [n]
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the empty string after the last line end
    if bool((ids == unk).any()):
        view = "".join(" ".join(word if word in stoi else UNK_TOKEN for word in line.split()) + "\n" for line in lines)
    else:
        view = "".join(" ".join(line.split()) + "\n" for line in lines)
    return ids, view


def _encode_characters(text: str) -> np.ndarray:
    table = _STATE["table"]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)  # [n] code points
    return table[np.minimum(codes, table.size - 1)]  # [n] (the last entry of the table is <unk>)


def encode_chunk(chunk: Chunk) -> EncodedChunk:
    """Pass 2: one chunk's ids (in the token file's dtype), its text as the model sees it, its counts."""
    text = chunk_text(chunk)
    level = _STATE["level"]
    if level == "word":
        ids, view = _encode_words(text)
        words = ids.size
    else:
        ids = _encode_characters(text) if level == "char" else np.asarray(_STATE["encode"](text), dtype=np.int64)
        view, words = text, word_count(text)
    unknown = int(np.count_nonzero(ids == _STATE["unk"]))
    return EncodedChunk(ids.astype(_STATE["dtype"]), view, unknown, words, not text or text.isspace())
