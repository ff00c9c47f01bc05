"""Tokenizers: word level (whitespace, ``<eos>`` at each line end), character level, byte-level BPE.

Word level follows pytorch/examples ``word_language_model/data.py``: every line of the file,
empty lines included, becomes its whitespace-separated tokens followed by ``<eos>``; this is
what the published PTB (929k train tokens) and WikiText-2 (2,088,628) counts assume.
Character level keeps every character, the newline included, as char-rnn and nanoGPT's
``shakespeare_char`` do. The ``bpe`` level is :class:`rnnlm.data.bpe.BPETokenizer`: it needs
the vocabulary that carries the tokenizer to encode (``get_tokenizer("bpe", vocab=vocab)``),
and decodes without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnlm.data.vocab import EOS_TOKEN, check_level

if TYPE_CHECKING:
    from rnnlm.data.bpe import BPETokenizer
    from rnnlm.data.vocab import Vocabulary


class WordTokenizer:
    """Whitespace tokens with ``<eos>`` closing every line.

    Args:
        lower: lower-case the text before splitting.
    """

    level = "word"

    def __init__(self, lower: bool = False):
        self.lower = lower

    def tokenize(self, text: str) -> list[str]:
        """``"a b\\nc\\n"`` -> ``["a", "b", "<eos>", "c", "<eos>"]``."""
        if self.lower:
            text = text.lower()
        if text and not text.endswith("\n"):
            text += "\n"  # the last line gets its <eos> too
        # one pass in C: the same tokens as line.split() + ["<eos>"] for every line
        return text.replace("\n", f" {EOS_TOKEN} ").split()

    def detokenize(self, tokens: list[str]) -> str:
        """Tokens joined by spaces, one line per ``<eos>`` (the inverse up to whitespace)."""
        lines, start = [], 0
        for end in [index for index, token in enumerate(tokens) if token == EOS_TOKEN]:
            lines.append(" ".join(tokens[start:end]) + "\n")
            start = end + 1
        return "".join(lines) + " ".join(tokens[start:])


class CharTokenizer:
    """Every character is a token, the newline included.

    Args:
        lower: lower-case the text first.
    """

    level = "char"

    def __init__(self, lower: bool = False):
        self.lower = lower

    def tokenize(self, text: str) -> list[str]:
        """``"ab\\n"`` -> ``["a", "b", "\\n"]``."""
        return list(text.lower() if self.lower else text)

    def detokenize(self, tokens: list[str]) -> str:
        """The characters joined back into text."""
        return "".join(tokens)


def get_tokenizer(level: str = "word", lower: bool = False,
                  vocab: Vocabulary | None = None) -> WordTokenizer | CharTokenizer | BPETokenizer:
    """The tokenizer for ``level`` (``"word"``, ``"char"`` or ``"bpe"``; ``bpe`` encodes with ``vocab``'s tokenizer)."""
    if check_level(level) == "bpe":
        from rnnlm.data.bpe import BPETokenizer

        return BPETokenizer(vocab if vocab is not None and vocab.tokenizer is not None else None, lower)
    return WordTokenizer(lower) if level == "word" else CharTokenizer(lower)
