"""`autograder check`: the student's public tests, grouped into the same kind of table."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from autograder.release import REPOSITORY
from tests.support.dom import parse, rendered


def test_check_prints_a_table_per_exercise(tmp_path):
    """A correct ex10 in a student's folder: every public test of ex10 passes, status 0."""
    import re

    if not (REPOSITORY / "assignments" / "tests").is_dir():
        pytest.skip("assignments/ not generated yet")
    shutil.copytree(REPOSITORY / "assignments" / "tests", tmp_path / "tests")
    shutil.copy(REPOSITORY / "solutions" / "ex10_perplexity.py", tmp_path / "ex10_perplexity.py")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--dir", str(tmp_path), "ex10",
                                "--html", str(tmp_path / "report.html")],
                               capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    match = re.search(r"ex10_perplexity\s+(\d+)/\1\s+\1/\1\s+all passed", completed.stdout)
    assert match, completed.stdout[-2000:]
    # the same report a grader writes, showing the table's numbers
    dom = parse((tmp_path / "report.html").read_text())
    assert dom.find(lambda n: n.attrs.get("id") == "total")[0].text == f"{match.group(1)}/{match.group(1)}"
    checks = dom.by_class("check")
    assert len(checks) == int(match.group(1)) and all(c.attrs["class"] == "check passed" for c in checks)


def test_check_reports_a_failure_in_html(tmp_path):
    """A stub ex10 fails its public tests: status 1, and the HTML page shows each failure's message."""
    if not (REPOSITORY / "assignments" / "tests").is_dir():
        pytest.skip("assignments/ not generated yet")
    shutil.copytree(REPOSITORY / "assignments" / "tests", tmp_path / "tests")
    shutil.copy(REPOSITORY / "assignments" / "ex10_perplexity.py", tmp_path / "ex10_perplexity.py")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--dir", str(tmp_path), "ex10",
                                "--html", str(tmp_path / "out" / "report.html")],
                               capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    dom = rendered((tmp_path / "out" / "report.html").read_text(), tmp_path)
    failed = dom.by_class("failed")
    assert failed and all("NotImplementedError" in row.by_class("message")[0].text for row in failed)


def test_check_names_the_valid_exercises(tmp_path):
    if not (REPOSITORY / "assignments" / "tests").is_dir():
        pytest.skip("assignments/ not generated yet")
    shutil.copytree(REPOSITORY / "assignments" / "tests", tmp_path / "tests")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--dir", str(tmp_path), "ex99"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "no public tests match ['ex99']; available: ['ex01'" in completed.stderr
