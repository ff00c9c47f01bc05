"""Fixtures for the data tests: small corpora written to temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest


def numbered_text(num_tokens: int, per_line: int = 10) -> str:
    """``w0 w1 ... w9\\nw10 ...``: every word distinct, so a token id tells its position."""
    words = [f"w{i}" for i in range(num_tokens)]
    lines = [" ".join(words[i : i + per_line]) for i in range(0, num_tokens, per_line)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def numbered_folder(tmp_path: Path) -> Path:
    """A folder with train/valid/test.txt of distinct words (train 2,000, valid 600, test 600)."""
    folder = tmp_path / "numbered"
    folder.mkdir()
    for split, size in (("train", 2000), ("valid", 600), ("test", 600)):
        (folder / f"{split}.txt").write_text(numbered_text(size), encoding="utf-8")
    return folder
