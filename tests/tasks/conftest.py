"""Fixtures of the task tests: the plays parsed once (one torch thread comes from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def speeches():
    from rnnlm.tasks.shakespeare import load_speeches

    return load_speeches()
