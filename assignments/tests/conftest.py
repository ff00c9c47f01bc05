"""Public tests of the exercises: import ``exNN_<topic>`` from the folder under test.

By default that folder is ``assignments/`` (your work). Set ``RNNLM_EXERCISES_DIR`` to test
another folder with the same tests, e.g. the reference solutions::

    RNNLM_EXERCISES_DIR=solutions python -m pytest assignments/tests
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

EXERCISES_DIR = Path(os.environ.get("RNNLM_EXERCISES_DIR") or Path(__file__).resolve().parents[1]).resolve()

if not EXERCISES_DIR.is_dir():
    raise pytest.UsageError(
        f"RNNLM_EXERCISES_DIR={EXERCISES_DIR} is not a folder: point it at the folder holding exNN_<topic>.py"
    )
sys.path.insert(0, str(EXERCISES_DIR))


def pytest_report_header(config: pytest.Config) -> str:
    return f"exercises under test: {EXERCISES_DIR}"
