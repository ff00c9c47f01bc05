"""Every user mistake with ``autograder`` prints one line and exits 2; internal errors keep their traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from autograder.cli import main

from tests.support.grading_toy import TOY_SOLUTIONS, TOY_SUITES

TOY = ["--suites", str(TOY_SUITES), "--solutions", str(TOY_SOLUTIONS)]


def _error(capsys, argv: list[str]) -> str:
    """Run ``autograder ARGV`` in process; assert status 2 and one line on stderr; return that line."""
    status = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert status == 2 and len(lines) == 1, (status, captured.err)
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.fixture
def student(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copy(TOY_SOLUTIONS / "ex91_scale.py", folder)
    return folder


def test_grade_user_mistakes(capsys, tmp_path, student):
    missing = tmp_path / "nobody"
    assert _error(capsys, ["grade", str(missing), *TOY]) == (
        f"autograder grade: error: {missing} does not exist; pass a folder, a .zip or exercise .py files")
    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    (empty / "notes" / "readme.txt").write_text("no code here")
    assert _error(capsys, ["grade", str(empty), *TOY]) == (
        f"autograder grade: error: no exercise files (exNN_<topic>.py) in {empty}; "
        "submit the exercise files, a folder or a .zip holding them")
    assert _error(capsys, ["grade", str(student), "-j", "0", *TOY]) == (
        "autograder grade: error: -j/--jobs must be at least 1, got 0")
    assert _error(capsys, ["grade", str(student), "--exercises", "ex99", *TOY]) == (
        "autograder grade: error: unknown exercise(s) ['ex99']; valid: ['ex90_affine', 'ex91_scale']")
    assert _error(capsys, ["grade", str(student), "--exercises", " , ", *TOY]) == (
        "autograder grade: error: --exercises is empty; give comma-separated names such as ex04_lstm_cell,ex06_gru_cell")
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    assert _error(capsys, ["grade", str(student), "--json", str(blocker / "out.json"), *TOY]) == (
        f"autograder grade: error: cannot write {blocker / 'out.json'}: {blocker} is a file, not a folder; "
        "choose a writable path")
    assert _error(capsys, ["grade", str(student), "--html", str(tmp_path), *TOY]) == (
        f"autograder grade: error: cannot write the report to {tmp_path}: it is a folder; give a file name")
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"not a zip")
    assert _error(capsys, ["grade", str(archive), *TOY]).startswith(
        f"autograder grade: error: {archive} is not a readable zip archive (")
    assert _error(capsys, ["grade", str(blocker), *TOY]) == (
        f"autograder grade: error: {blocker} is not a folder, a .zip or a .py file; pass one of those")
    assert _error(capsys, ["grade", str(student), "--suites", str(tmp_path)]) == (
        f"autograder grade: error: no hidden suites (test_ex*.py) in {tmp_path}; pass --suites DIR")
    assert _error(capsys, ["grade", str(student), "--suites", str(TOY_SUITES), "--solutions", str(tmp_path)]) == (
        f"autograder grade: error: no reference solution for ['ex90_affine', 'ex91_scale'] in {tmp_path}; "
        "pass --solutions DIR")
    assert not list(tmp_path.glob("*.results.json")) and not (blocker.parent / "out.json").exists()


def test_grade_all_user_mistakes(capsys, tmp_path):
    missing = tmp_path / "class"
    assert _error(capsys, ["grade-all", str(missing), "--out", str(tmp_path / "g"), *TOY]) == (
        f"autograder grade-all: error: {missing} is not a folder of submissions (one folder or .zip per student)")
    missing.mkdir()
    assert _error(capsys, ["grade-all", str(missing), "--out", str(tmp_path / "g"), *TOY]) == (
        f"autograder grade-all: error: no submissions in {missing}: expected one folder or .zip per student")
    (missing / "ann").mkdir()
    (missing / "ann.zip").write_bytes(b"")
    assert _error(capsys, ["grade-all", str(missing), "--out", str(tmp_path / "g"), *TOY]) == (
        "autograder grade-all: error: two submissions for 'ann': ann and ann.zip")
    assert _error(capsys, ["grade-all", str(missing), "-j", "-1", *TOY]) == (
        "autograder grade-all: error: -j/--jobs must be at least 1, got -1")
    assert _error(capsys, ["grade-all", str(missing), "--timeout", "0", *TOY]) == (
        "autograder grade-all: error: --timeout must be a positive number of seconds, got 0")
    assert _error(capsys, ["grade-all", str(missing), "--exercises", "ex9", *TOY]) == (
        "autograder grade-all: error: unknown exercise(s) ['ex9']; valid: ['ex90_affine', 'ex91_scale']")
    assert not (tmp_path / "g").exists()


def test_other_verbs_user_mistakes(capsys, tmp_path):
    assert _error(capsys, ["check", "--dir", str(tmp_path)]) == (
        f"autograder check: error: no public tests in {tmp_path / 'tests'}: run this from the folder that holds "
        "assignments/ or pass --dir")
    assert _error(capsys, ["gradescope", str(tmp_path / "a.tar"), *TOY]) == (
        f"autograder gradescope: error: {tmp_path / 'a.tar'}: the Gradescope package is a .zip; name it e.g. "
        "autograder.zip")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    assert _error(capsys, ["release", str(tmp_path / "full")]) == (
        f"autograder release: error: {tmp_path / 'full'} exists and is not empty; choose a new folder")


def test_require_sandbox_without_bubblewrap(capsys, monkeypatch, student):
    import autograder.sandbox.bwrap

    monkeypatch.setattr(autograder.sandbox.bwrap, "bubblewrap", lambda: None)
    assert _error(capsys, ["grade", str(student), "--require-sandbox", *TOY]) == (
        "autograder grade: error: bubblewrap (bwrap) is not installed: install the 'bubblewrap' package")


def test_process_status_and_internal_errors(tmp_path, student):
    """End to end: exit 2 and one line for a mistake; a broken suite is an internal error with its traceback."""
    command = [sys.executable, "-m", "autograder.cli", "grade", str(student), "-j", "0", *TOY]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and completed.stderr == "autograder grade: error: -j/--jobs must be at least 1, got 0\n"
    debug = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "RNNLM_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "UsageError" in debug.stderr

    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "test_ex91_scale.py").write_text("raise RuntimeError('the suite itself is broken')\n")
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(student), "--suites", str(suites),
                                "--solutions", str(TOY_SOLUTIONS)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1 and "Traceback" in completed.stderr
    assert completed.stderr.rstrip().endswith("RuntimeError: the suite itself is broken")
