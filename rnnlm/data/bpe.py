"""Byte-level BPE with Hugging Face ``tokenizers``: train on the training split, or load a ``tokenizer.json``.

Byte-level BPE (Radford et al. 2019, GPT-2; Sennrich et al. 2016 for BPE itself) starts from
the 256 bytes, so every text is encodable and ``<unk>`` never occurs; the vocabulary keeps
``<unk>`` as id 0 only because every rnnlm vocabulary has one. The text is encoded line by
line (each line with its ``\\n``, which becomes the byte token ``Ċ``), both for training and
for encoding, so the ids of a line never depend on how a file was cut into chunks.

The tokenizer travels inside the :class:`~rnnlm.data.vocab.Vocabulary` (its JSON text), so
that a checkpoint decodes what it generates; it is also saved as ``tokenizer.json`` beside
``vocab.json`` in the prepared folder, loadable with ``tokenizers.Tokenizer.from_file``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from rnnlm.data.vocab import UNK_TOKEN, Vocabulary
from rnnlm.errors import UsageError

BYTES = 256  # the initial alphabet of a byte-level BPE
MIN_VOCAB_SIZE = BYTES + 1  # the bytes and <unk>


def _tokenizers():
    try:
        import tokenizers
    except ModuleNotFoundError:
        raise UsageError("level bpe needs the package tokenizers: pip install 'tokenizers>=0.15'") from None
    return tokenizers


def train_bpe(lines: Iterable[str], vocab_size: int, lower: bool = False):
    """A byte-level BPE tokenizer of ``vocab_size`` tokens (``<unk>`` and the 256 bytes included) learnt on ``lines``."""
    if not MIN_VOCAB_SIZE <= vocab_size < 2**32:
        raise UsageError(f"bpe_vocab_size must be at least {MIN_VOCAB_SIZE} (<unk> and the {BYTES} bytes), "
                         f"got {vocab_size}")
    tk = _tokenizers()
    tokenizer = tk.Tokenizer(tk.models.BPE())
    tokenizer.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = tk.decoders.ByteLevel()
    trainer = tk.trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[UNK_TOKEN], show_progress=False,
                                     initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator((line.lower() if lower else line for line in lines), trainer=trainer)
    return tokenizer


def load_tokenizer_file(path: str | Path):
    """A ``tokenizer.json`` file; one clear error if it does not load."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UsageError(f"tokenizer file {path} does not exist: give the tokenizer.json of a Hugging Face "
                         "tokenizer, or leave tokenizer unset to train one (bpe_vocab_size)")
    try:
        return _tokenizers().Tokenizer.from_file(str(path))
    except Exception as error:  # noqa: BLE001 (tokenizers raises a bare Exception for every parse failure)
        raise UsageError(f"tokenizer file {path} does not load as a Hugging Face tokenizer.json ({error}): "
                         "give a file saved by tokenizers' Tokenizer.save or by rnnlm prepare") from None


def check_tokenizer_corpus(path: str | Path, corpus: str) -> None:
    """Refuse a tokenizer that rnnlm prepared for another corpus (the ``vocab.json`` beside it says which)."""
    beside = Path(path).expanduser().with_name("vocab.json")
    if not beside.is_file():
        return  # a tokenizer from elsewhere (e.g. GPT-2's): the user's choice
    try:
        trained_on = json.loads(beside.read_text(encoding="utf-8")).get("corpus")
    except (ValueError, OSError, AttributeError):
        return
    if trained_on and trained_on != corpus:
        raise UsageError(f"tokenizer file {path} was trained on corpus {trained_on!r} (see {beside}), not "
                         f"{corpus!r}: give this corpus's tokenizer, or leave tokenizer unset to train one")


def vocabulary_of(tokenizer, corpus: str, lower: bool = False) -> Vocabulary:
    """The :class:`Vocabulary` whose ids are the tokenizer's ids (``<unk>`` added if it lacks one)."""
    if tokenizer.token_to_id(UNK_TOKEN) is None:
        tokenizer.add_special_tokens([UNK_TOKEN])
    size = tokenizer.get_vocab_size(with_added_tokens=True)
    itos = [tokenizer.id_to_token(index) for index in range(size)]
    if any(token is None for token in itos):
        raise UsageError(f"the tokenizer's ids are not contiguous (no token for id {itos.index(None)}): "
                         "give a tokenizer whose ids run from 0 to its size - 1")
    return Vocabulary(itos, level="bpe", corpus=corpus, lower=lower, tokenizer=tokenizer.to_str())


def tokenizer_fingerprint(vocab: Vocabulary) -> str | None:
    """SHA-256 of the tokenizer carried by a bpe vocabulary (None at the other levels)."""
    return None if vocab.tokenizer is None else hashlib.sha256(vocab.tokenizer.encode("utf-8")).hexdigest()


def lines_of(text: str) -> list[str]:
    """The lines of ``text``, each keeping its ``\\n`` (the unit that BPE encodes)."""
    parts = text.split("\n")  # only \n ends a line (str.splitlines would also cut at \x0b, \u2028, ...)
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def iter_lines(texts: Iterable[str]) -> Iterator[str]:
    """Every line of every text, in order."""
    for text in texts:
        yield from lines_of(text)


class BPETokenizer:
    """Text <-> byte-level BPE tokens of a vocabulary (the :func:`rnnlm.data.tokenize.get_tokenizer` interface).

    Args:
        vocab: a bpe-level vocabulary carrying its tokenizer (None: ``detokenize`` only, by
            the byte-level mapping, which needs no merges).
        lower: lower-case the text before encoding.
    """

    level = "bpe"

    def __init__(self, vocab: Vocabulary | None = None, lower: bool = False):
        tk = _tokenizers()
        self.vocab, self.lower = vocab, lower
        self.tokenizer = tk.Tokenizer.from_str(vocab.tokenizer) if vocab is not None else None
        self.decoder = self.tokenizer.decoder if self.tokenizer is not None else None
        if self.decoder is None:
            self.decoder = tk.decoders.ByteLevel()

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, line by line."""
        if self.tokenizer is None:
            raise ValueError("encoding bpe text needs the vocabulary that carries the tokenizer: get_tokenizer("
                             "'bpe', vocab=vocab)")
        lines = lines_of(text.lower() if self.lower else text)
        return [index for encoding in self.tokenizer.encode_batch(lines, add_special_tokens=False)
                for index in encoding.ids]

    def tokenize(self, text: str) -> list[str]:
        """The BPE tokens of ``text`` (strings of the vocabulary, e.g. ``"Ġthe"``)."""
        return self.vocab.decode(self.encode(text))

    def detokenize(self, tokens: list[str]) -> str:
        """The text the tokens spell (bytes that are not valid UTF-8 become U+FFFD)."""
        return self.decoder.decode(list(tokens))
