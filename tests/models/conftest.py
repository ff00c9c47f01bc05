"""Small vocabularies for the model tests (batches and a quiet Trainer: tests/support/batches.py)."""

from __future__ import annotations

import pytest

from rnnlm.data.vocab import Vocabulary


@pytest.fixture
def word_vocab() -> Vocabulary:
    return Vocabulary(["<unk>", "<eos>"] + [f"w{i}" for i in range(30)], level="word", corpus="tiny")


@pytest.fixture
def char_vocab() -> Vocabulary:
    return Vocabulary(["<unk>"] + list("abcdefgh \n"), level="char", corpus="tiny-chars")
