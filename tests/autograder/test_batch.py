"""grade-all: gradebook, Gradescope files, skipping, identical grades across -j, and kill -9 + resume."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.dom import parse

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS, TOY_SUITES

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

STUDENTS = {"alice": None, "bob": "exception", "dave": "syntax_error"}


def _class(root: Path) -> Path:
    folder = root / "submissions"
    folder.mkdir()
    (folder / "mallory.zip").write_bytes(b"this is not a zip archive")  # the grader refuses it; the batch goes on
    for student, case in STUDENTS.items():
        target = folder / student
        target.mkdir()
        shutil.copy(TOY_SOLUTIONS / "ex91_scale.py", target)
        source = SUBMISSIONS / case / "ex90_affine.py" if case else TOY_SOLUTIONS / "ex90_affine.py"
        shutil.copy(source, target / "ex90_affine.py")
    return folder


def _command(submissions: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "autograder.cli", "grade-all", str(submissions), "--out", str(out), "-j", str(jobs),
            "--suites", str(TOY_SUITES), "--solutions", str(TOY_SOLUTIONS), "--require-sandbox"]


def _grades(out: Path) -> dict:
    return {student: json.loads((out / "results" / f"{student}.json").read_text()) for student in STUDENTS}


def _scores(out: Path) -> dict:
    return {s: {e: (r["exercises"][e]["score"], [t["output"] for t in r["exercises"][e]["tests"]])
                for e in r["exercises"]} for s, r in _grades(out).items()}


def test_grade_all_kill_resume_and_jobs(sandbox, tmp_path):
    submissions = _class(tmp_path)
    reference_out = tmp_path / "reference"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    first = subprocess.run(_command(submissions, reference_out, 1), capture_output=True, text=True, timeout=600,
                           cwd=workdir)
    assert not list(workdir.iterdir())  # everything goes to --out, nothing to the current folder
    assert first.returncode == 1 and "mallory: failed" in first.stdout  # reported, and the others are graded
    error = json.loads((reference_out / "errors" / "mallory.json").read_text())["error"]
    assert "not a readable zip archive" in error

    with open(reference_out / "gradebook.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["alice"]["total"] == "5" and rows["bob"]["ex90_affine"] == "1" and rows["dave"]["ex90_affine"] == "0"
    assert rows["dave"]["ex91_scale"] == "1"  # one broken exercise spoils nothing else
    gradescope = json.loads((reference_out / "gradescope" / "bob" / "results.json").read_text())
    assert gradescope["score"] == 2 and gradescope["max_score"] == 5
    assert {"name", "score", "max_score", "output", "visibility"} <= set(gradescope["tests"][0])
    summary = json.loads((reference_out / "summary.json").read_text())
    assert summary["graded"] == 3 and summary["failed"] == ["mallory"]
    assert summary["exercises"]["ex91_scale"]["full_marks"] == 3
    assert rows["mallory"]["total"] == "0"
    assert summary["exercises"]["ex90_affine"]["checks"]["ex90_affine::test_norm"] == 2 / 3  # dave's file is broken
    # HTML: one page per graded student showing its JSON's total, and the class page
    for student in STUDENTS:
        total = json.loads((reference_out / "results" / f"{student}.json").read_text())["score"]
        page = parse((reference_out / "html" / f"{student}.html").read_text())
        assert page.find(lambda n: n.attrs.get("id") == "total")[0].text == f"{total:g}/5"
    overview = parse((reference_out / "summary.html").read_text())
    assert overview.find(lambda n: n.attrs.get("id") == "mean")[0].text == f"{summary['mean_score']:.2f}/5"
    assert [n.attrs["data-name"] for n in overview.find(lambda n: n.tag == "li")] == ["mallory"]

    out = tmp_path / "resumed"
    process = subprocess.Popen(_command(submissions, out, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 1:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    for path in (out / "results").glob("*.json"):  # written atomically: every result on disk is complete
        assert json.loads(path.read_text())["exercises"]
    done = len(list((out / "results").glob("*.json")))
    resumed = subprocess.run(_command(submissions, out, 2), capture_output=True, text=True, timeout=600)
    assert f"{done} already graded, {4 - done} to grade" in resumed.stdout  # mallory is retried
    assert _scores(out) == _scores(reference_out)  # nothing lost, and -j 2 grades exactly like -j 1
    again = subprocess.run(_command(submissions, out, 2), capture_output=True, text=True, timeout=600)
    assert "3 already graded, 1 to grade" in again.stdout
