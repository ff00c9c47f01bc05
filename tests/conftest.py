"""Shared test set-up: keep every test hermetic (no writes to ~, no network, no GUI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _hermetic_environment(tmp_path_factory: pytest.TempPathFactory):
    """Send caches, wandb files and matplotlib to a per-session temporary folder."""
    root = tmp_path_factory.mktemp("env")
    saved = dict(os.environ)
    os.environ.update(
        {
            "RNNLM_CACHE_DIR": str(root / "rnnlm-cache"),
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_CACHE_DIR": str(root / "wandb-cache"),
            "WANDB_CONFIG_DIR": str(root / "wandb-config"),
            "WANDB_DATA_DIR": str(root / "wandb-data"),
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        }
    )
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (reference corpora); tests that need it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference corpora not found at {SHARED_DATA}")
    return SHARED_DATA
