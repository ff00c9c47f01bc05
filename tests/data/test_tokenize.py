"""Tokenizers: word level with <eos> per line (empty lines included), character level."""

from __future__ import annotations

import pytest

from rnnlm.data.tokenize import CharTokenizer, WordTokenizer, get_tokenizer


def test_word_tokens_and_eos_per_line():
    tokenizer = get_tokenizer("word")
    assert tokenizer.tokenize("a b\n\n c  d \n") == ["a", "b", "<eos>", "<eos>", "c", "d", "<eos>"]
    # a last line without its newline still ends with <eos>, as in pytorch/examples
    assert tokenizer.tokenize("x y") == ["x", "y", "<eos>"]
    assert tokenizer.tokenize("") == []


def test_word_detokenize_inverts_up_to_whitespace():
    tokenizer = get_tokenizer("word")
    text = "The cat\n\nsat  on the mat\n"
    assert tokenizer.detokenize(tokenizer.tokenize(text)) == "The cat\n\nsat on the mat\n"


def test_lower_casing():
    assert get_tokenizer("word", lower=True).tokenize("The CAT\n") == ["the", "cat", "<eos>"]
    assert get_tokenizer("char", lower=True).tokenize("Ab") == ["a", "b"]


def test_char_tokens_keep_newlines():
    tokenizer = get_tokenizer("char")
    assert isinstance(tokenizer, CharTokenizer)
    assert tokenizer.tokenize("hi\nyo") == ["h", "i", "\n", "y", "o"]
    assert tokenizer.detokenize(tokenizer.tokenize("hi\nyo\n")) == "hi\nyo\n"


def test_get_tokenizer_rejects_unknown_level():
    assert isinstance(get_tokenizer("word"), WordTokenizer)
    with pytest.raises(ValueError, match="unknown level 'subword'; choose one of: word, char, bpe"):
        get_tokenizer("subword")
