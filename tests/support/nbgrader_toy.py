"""The nbgrader tests' toy course (ex95 on NumPy, ex96 on PyTorch) and a runner for nbgrader's commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOY = Path(__file__).resolve().parents[1] / "nbgrader" / "toy"
TOY_SOLUTIONS = TOY / "solutions"
TOY_SUITES = TOY / "suites"


def run_nbgrader(env: dict[str, str], course: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader ARGS --CourseDirectory.root=COURSE`` in the course folder; fails on a non-zero exit."""
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    result = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result
