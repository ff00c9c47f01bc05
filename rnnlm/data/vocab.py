"""Vocabulary: token <-> id maps built on the training split only.

Ids are deterministic: the special tokens come first (``<unk>``, then ``<eos>`` at word
level), then the training tokens by descending frequency, ties broken by first occurrence
(the order of a ``collections.Counter``, which remembers insertion order). So the same
corpus and options always give the same ids, on every rank and every machine.

At the ``bpe`` level the ids are those of a byte-level BPE tokenizer (Hugging Face
``tokenizers``, see :mod:`rnnlm.data.bpe`): ``itos`` is its token list and the vocabulary
carries the tokenizer itself (its ``tokenizer.json`` text), so that a checkpoint can encode
prompts and decode samples.

A token that is literally ``<unk>`` in the text (Penn Treebank, WikiText) is counted as the
special token, never as a second entry: PTB's vocabulary keeps its 10,000 types.

References: Mikolov et al. (2010), "Recurrent neural network based language model" (the
PTB preprocessing with ``<unk>``); pytorch/examples ``word_language_model/data.py``
(``<eos>`` at every line end).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rnnlm.atomic import write_text_atomic

UNK_TOKEN = "<unk>"
EOS_TOKEN = "<eos>"
LEVELS = ("word", "char", "bpe")
FORMAT_NAME = "rnnlm-vocabulary"
FORMAT_VERSION = 1


def check_level(level: str) -> str:
    """Return ``level`` if it is a known tokenization level, else raise a ValueError."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
    return level


def special_tokens(level: str) -> list[str]:
    """The special tokens that open the vocabulary at this level, in id order (byte-level BPE needs no ``<eos>``)."""
    return [UNK_TOKEN, EOS_TOKEN] if check_level(level) == "word" else [UNK_TOKEN]


class Vocabulary:
    """A fixed token <-> id map.

    Args:
        itos: the tokens in id order (specials first).
        level: ``"word"``, ``"char"`` or ``"bpe"``.
        corpus: the name of the corpus the vocabulary was built on (checked when reloaded).
        lower: whether the text was lower-cased before tokenizing.
        tokenizer: at the ``bpe`` level, the tokenizer's ``tokenizer.json`` text (ids = its ids).
    """

    unk_token = UNK_TOKEN

    def __init__(self, itos: Sequence[str], level: str = "word", corpus: str = "", lower: bool = False,
                 tokenizer: str | None = None):
        self.level = check_level(level)
        if (level == "bpe") != (tokenizer is not None):
            raise ValueError("a bpe-level vocabulary carries its tokenizer (tokenizer=...), and only it does")
        self.tokenizer = tokenizer
        self.corpus = corpus
        self.lower = bool(lower)
        self.itos: list[str] = list(itos)
        self.stoi: dict[str, int] = {token: index for index, token in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            duplicates = sorted(token for token, n in Counter(self.itos).items() if n > 1)
            raise ValueError(f"vocabulary has duplicate tokens: {duplicates[:10]}")
        missing = [token for token in special_tokens(level) if token not in self.stoi]
        if missing:
            raise ValueError(f"a {level}-level vocabulary must contain {missing}")
        self.unk_index: int = self.stoi[UNK_TOKEN]
        self.eos_token: str | None = EOS_TOKEN if level == "word" else None
        self.eos_index: int | None = self.stoi[EOS_TOKEN] if level == "word" else None

    @classmethod
    def build(
        cls,
        tokens: Iterable[str],
        level: str = "word",
        corpus: str = "",
        min_freq: int = 1,
        max_size: int | None = None,
        lower: bool = False,
    ) -> Vocabulary:
        """Count ``tokens`` (the training split) and keep those seen ``min_freq`` times or more.

        ``max_size`` caps the whole vocabulary, special tokens included; the rarest tokens
        (the latest seen among equals) are the ones left out and become ``<unk>``.
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be >= 1, got {min_freq}")
        specials = special_tokens(level)
        if max_size is not None and max_size <= len(specials):
            raise ValueError(f"max_size must exceed the {len(specials)} special tokens {specials}, got {max_size}")
        counts = Counter(tokens)
        for token in specials:
            counts.pop(token, None)
        # sorted() is stable: equal counts keep the Counter's first-occurrence order
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        kept = [token for token, count in ranked if count >= min_freq]
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        return cls(specials + kept, level=level, corpus=corpus, lower=lower)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Vocabulary(size={len(self)}, level={self.level!r}, corpus={self.corpus!r})"

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Token ids; a token outside the vocabulary becomes ``unk_index``."""
        return list(map(self.stoi.get, tokens, itertools.repeat(self.unk_index)))

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for ``ids`` (ints or a 1-D tensor)."""
        itos = self.itos
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        try:
            return list(map(itos.__getitem__, ids))
        except IndexError:
            bad = [index for index in ids if not 0 <= index < len(itos)]
            raise ValueError(f"ids {bad[:5]} are outside the vocabulary (size {len(itos)})") from None

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the token list (and of the BPE merges): equal fingerprints mean identical ids."""
        digest = hashlib.sha256(json.dumps(self.itos, ensure_ascii=False).encode("utf-8"))
        if self.tokenizer is not None:
            digest.update(self.tokenizer.encode("utf-8"))
        return digest.hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (for ``vocab.json`` and checkpoints)."""
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "level": self.level,
            "corpus": self.corpus,
            "lower": self.lower,
            "itos": list(self.itos),
        }
        if self.tokenizer is not None:
            data["tokenizer"] = self.tokenizer
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError("not an rnnlm vocabulary (expected a dict with format='rnnlm-vocabulary')")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"vocabulary format version {data.get('version')} is not supported "
                             f"(this rnnlm reads version {FORMAT_VERSION})")
        return cls(data["itos"], level=data["level"], corpus=data.get("corpus", ""), lower=data.get("lower", False),
                   tokenizer=data.get("tokenizer"))

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary as JSON (atomically: a crash never leaves half a file)."""
        write_text_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False))

    @classmethod
    def load(
        cls,
        path: str | os.PathLike,
        corpus: str | None = None,
        level: str | None = None,
        lower: bool | None = None,
    ) -> Vocabulary:
        """Read a vocabulary saved by :meth:`save`; check its corpus/level/lower when given."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            vocab = cls.from_dict(data)
        except FileNotFoundError:
            raise FileNotFoundError(f"vocabulary file {path} does not exist") from None
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is not a valid rnnlm vocabulary file: {error}") from None
        vocab.check_matches(corpus=corpus, level=level, lower=lower, source=str(path))
        return vocab

    def check_matches(
        self, corpus: str | None = None, level: str | None = None, lower: bool | None = None, source: str = "vocabulary"
    ) -> None:
        """Raise a ValueError if this vocabulary was built for another corpus, level or casing."""
        problems = []
        if corpus is not None and self.corpus != corpus:
            problems.append(f"corpus {self.corpus!r} (expected {corpus!r})")
        if level is not None and self.level != level:
            problems.append(f"level {self.level!r} (expected {level!r})")
        if lower is not None and self.lower != lower:
            problems.append(f"lower={self.lower} (expected lower={lower})")
        if problems:
            raise ValueError(f"{source} was built for {', '.join(problems)}: use the vocabulary of the "
                             "same corpus and level, or delete the file so that it is rebuilt")
