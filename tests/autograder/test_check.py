"""`autograder check`: the student's public tests, grouped into the same kind of table."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from autograder.release import REPOSITORY


def test_check_prints_a_table_per_exercise(tmp_path):
    """A correct ex10 in a student's folder: every public test of ex10 passes, status 0."""
    import re

    if not (REPOSITORY / "assignments" / "tests").is_dir():
        pytest.skip("assignments/ not generated yet")
    shutil.copytree(REPOSITORY / "assignments" / "tests", tmp_path / "tests")
    shutil.copy(REPOSITORY / "solutions" / "ex10_perplexity.py", tmp_path / "ex10_perplexity.py")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--dir", str(tmp_path), "ex10"],
                               capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert re.search(r"ex10_perplexity\s+(\d+)/\1\s+\1/\1\s+all passed", completed.stdout), completed.stdout[-2000:]


def test_check_names_the_valid_exercises(tmp_path):
    if not (REPOSITORY / "assignments" / "tests").is_dir():
        pytest.skip("assignments/ not generated yet")
    shutil.copytree(REPOSITORY / "assignments" / "tests", tmp_path / "tests")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--dir", str(tmp_path), "ex99"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "no public tests match ['ex99']; available: ['ex01'" in completed.stderr
