"""Fixtures of the verb tests: one tiny word-level checkpoint per session (see tests/support/checkpoints.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.checkpoints import train_checkpoint


@pytest.fixture(scope="session")
def word_checkpoint(tiny_corpus: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An LSTMLM trained for three windows on the tiny corpus (word level)."""
    return train_checkpoint(tiny_corpus, tmp_path_factory.mktemp("checkpoints") / "lstm.ckpt")
