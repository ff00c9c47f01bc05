"""The tiny word corpus the CLI tests train on (helpers in tests/support/cli_corpus.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_corpus import write_corpus


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "tiny")
