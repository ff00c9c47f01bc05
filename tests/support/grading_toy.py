"""The autograder tests' toy exercises (ex90, ex91) and hostile submissions, as paths."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "autograder"
TOY_SUITES = HERE / "toy" / "suites"
TOY_SOLUTIONS = HERE / "toy" / "solutions"
SUBMISSIONS = HERE / "submissions"
