"""The HTML reports in a real headless Chromium (offline): what they show is what the JSON says."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from autograder import report
from autograder.html_report import class_page, histogram_svg, student_page
from autograder.results import CheckResult, ExerciseResult, FailedSubmission, SubmissionResult
from tests.support.dom import Node, rendered

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS, TOY_SUITES
from .test_results import sample

def assert_self_contained(html: str) -> None:
    """Nothing to fetch: no src, no href, no @import or url(), no script."""
    assert not re.search(r"\b(src|href)\s*=|@import|url\(|<script", html, re.I), "the page references something"


def assert_shows(dom: Node, result: SubmissionResult) -> None:
    """Every check's row shows the JSON's points, verdict, message, diagnosis and limit."""
    data = json.loads(report.dumps(result.to_json()))
    assert dom.find(lambda n: n.attrs.get("id") == "total")[0].text == f"{data['score']:g}/{data['max_score']:g}"
    rows = {node.attrs["data-name"]: node for node in dom.by_class("check")}
    expected = [test for exercise in data["exercises"].values() for test in exercise["tests"]]
    assert sorted(rows) == sorted(test["name"] for test in expected)
    for test in expected:
        row = rows[test["name"]]
        assert row.by_class("points")[0].text == f"{test['score']:g}/{test['max_score']:g}"
        assert row.find(lambda n: "verdict" in n.attrs.get("class", ""))[0].text == (
            "passed" if test["passed"] else "failed")
        assert [n.text for n in row.by_class("message")] == ([test["output"]] if test["output"] else [])
        assert [n.text for n in row.by_class("diagnosis")] == ([test["diagnosis"]] if test["diagnosis"] else [])
        assert [n.text for n in row.by_class("limit")] == ([test["limit"]] if test["limit"] else [])
    for name, exercise in data["exercises"].items():
        row = [n for n in dom.by_class("exercise") if n.attrs["data-name"] == name][0]
        assert row.by_class("points")[0].text == f"{exercise['score']:g}/{exercise['max_score']:g}"


def test_student_page_shows_the_json(tmp_path):
    result = sample()
    hostile = "<script>document.title='owned'</script> & <b>bold</b>"
    result.exercises["ex04_lstm_cell"].tests[1].output += "\n" + hostile  # student output is untrusted
    result.exercises["ex04_lstm_cell"].printed = hostile
    html = student_page(result)
    assert_self_contained(html)
    dom = rendered(html, tmp_path)
    assert_shows(dom, result)
    assert not dom.find(lambda n: n.tag in ("script", "b")), "student text was rendered as markup"
    assert dom.find(lambda n: n.tag == "title")[0].text == "alice: 2/6"
    assert [n.text for n in dom.by_class("warning")] == ["a note"]


def test_unsandboxed_page_warns_first(tmp_path):
    result = sample()
    result.sandboxed = False
    dom = rendered(student_page(result), tmp_path)
    assert dom.by_class("warning")[0].text.startswith("WARNING: the bubblewrap sandbox could not start")


def _class() -> dict:
    def student(name, scores):
        checks = [CheckResult(f"ex01::test_{i}", s, 1.0, s == 1.0) for i, s in enumerate(scores)]
        return SubmissionResult(name, {"ex01": ExerciseResult("ex01", checks)})

    return {"ann": student("ann", [1, 1, 1, 1]), "ben": student("ben", [1, 0, 1, 0]),
            "cat": student("cat", [1, 0, 0, 0]), "dan": student("dan", [1, 0, 1, 1]),
            "eve": FailedSubmission("eve", "grader exited with status 2: not a zip\nmore")}


def test_class_page_shows_the_summary(tmp_path):
    results = _class()
    html = class_page(results, ["ex01"])
    assert_self_contained(html)
    dom = rendered(html, tmp_path)
    overview = report.summary(results, ["ex01"])
    bars = dom.find(lambda n: n.tag == "rect")
    assert len(bars) == 10 and sum(int(b.attrs["data-count"]) for b in bars) == overview["graded"] == 4
    assert [int(b.attrs["data-count"]) for b in bars] == [0, 0, 1, 0, 0, 1, 0, 1, 0, 1]  # scores 1, 2, 3, 4 of 4
    assert all(float(b.attrs["height"]) > 0 for b in bars if b.attrs["data-count"] != "0")
    rates = [(n.attrs["data-name"], n.by_class("rate")[0].text) for n in dom.by_class("check")]
    expected = sorted(overview["exercises"]["ex01"]["checks"].items(), key=lambda item: (item[1], item[0]))
    assert rates == [(name, f"{100 * rate:.0f}%") for name, rate in expected]
    assert rates[0] == ("ex01::test_1", "25%")  # the concept the class missed comes first
    assert dom.find(lambda n: n.attrs.get("id") == "mean")[0].text == "2.50/4"
    assert [n.text for n in dom.by_class("failed")] == ["eve: grader exited with status 2: not a zip"]
    assert dom.by_class("full")[0].text == "1/4"


def test_histogram_edges():
    svg = histogram_svg([0.0, 5.0, 10.0], 10.0, bins=5)
    assert re.findall(r'data-count="(\d+)"', svg) == ["1", "0", "1", "0", "1"]  # the maximum falls in the last bin
    assert re.findall(r'data-count="(\d+)"', histogram_svg([0.0], 0.0, bins=2)) == ["1", "0"]


@pytest.mark.sandbox
def test_grade_writes_the_html_of_its_json(sandbox, tmp_path):
    """``autograder grade`` end to end: the HTML it writes shows its results JSON."""
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "ex90_affine.py").write_text((SUBMISSIONS / "exception" / "ex90_affine.py").read_text())
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(folder), "--suites", str(TOY_SUITES),
                                "--solutions", str(TOY_SOLUTIONS), "--require-sandbox", "--json", str(tmp_path / "b.json"),
                                "--html", str(tmp_path / "b.html"), "--quiet"], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = SubmissionResult.from_json(json.loads((tmp_path / "b.json").read_text()))
    assert result.score == 1.0
    html = (tmp_path / "b.html").read_text()
    assert_self_contained(html)
    assert_shows(rendered(html, tmp_path, "b-copy.html"), result)
