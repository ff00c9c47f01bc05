"""Tests of the exercises themselves: make ``exercise_probes`` (beside this file) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
