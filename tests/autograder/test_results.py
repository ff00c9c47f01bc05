"""The typed grading results: one JSON form, the diagnosis split, limits, and the reporters reading them."""

from __future__ import annotations

import csv
import io
import json
import textwrap

import pytest

from autograder import report
from autograder.checks import CheckFailed, points
from autograder.results import (SCHEMA_VERSION, CheckResult, ExerciseResult, FailedSubmission, SubmissionResult,
                                split_diagnosis)
from autograder.runner import HiddenTest, grade, limit_hit, load_suites, run_check, run_test
from autograder.sandbox import WorkerError
from rnnlm.errors import UsageError
from autograder.submission import load_submission

from tests.support.grading_toy import TOY_SOLUTIONS, TOY_SUITES


def sample() -> SubmissionResult:
    """A submission with every kind of check: passed, failed with a diagnosis, stopped by a limit."""
    return SubmissionResult("alice", {
        "ex04_lstm_cell": ExerciseResult("ex04_lstm_cell", [
            CheckResult("ex04_lstm_cell::test_shapes", 2.0, 2.0, True),
            CheckResult("ex04_lstm_cell::test_values", 0.0, 2.5, False, "h_t: max abs error 0.41 > 1e-6",
                        "Likely mistake: the gates are in i, f, o, g order; look at how you split the gates."),
        ], printed="debug <b>print</b>"),
        "ex10_perplexity": ExerciseResult("ex10_perplexity", [
            CheckResult("ex10_perplexity::test_loop", 0.0, 1.5, False, "timed out after 20 s", limit="time"),
        ], status="graded"),
    }, sandbox="bubblewrap", graded_at="2026-12-07T01:00:00+00:00", seconds=3.25, warnings=["a note"],
        fingerprint="ab" * 32)


def test_json_round_trip_and_computed_scores():
    result = sample()
    data = json.loads(report.dumps(result.to_json()))
    assert data["schema"] == SCHEMA_VERSION
    assert (data["score"], data["max_score"]) == (2.0, 6.0)
    assert data["exercises"]["ex04_lstm_cell"]["score"] == 2.0 and data["exercises"]["ex04_lstm_cell"]["max_score"] == 4.5
    assert SubmissionResult.from_json(data) == result
    assert result.limits_hit() == [("ex10_perplexity::test_loop", "time")]


def test_reads_results_written_before_the_schema():
    """A version-1 file (no schema, no diagnosis/limit keys) reads with the same scores and feedback."""
    old = {"submission": "bob", "score": 1.0, "max_score": 3.0, "sandbox": "bubblewrap", "warnings": [],
           "exercises": {"ex90_affine": {"exercise": "ex90_affine", "score": 1.0, "max_score": 3.0, "status": "graded",
                                         "message": "", "printed": "", "seconds": 0.1, "tests": [
                                             {"name": "ex90_affine::a", "score": 0.0, "max_score": 2.0, "passed": False,
                                              "output": "boom"},
                                             {"name": "ex90_affine::b", "score": 1.0, "max_score": 1.0, "passed": True,
                                              "output": ""}]}}}
    result = SubmissionResult.from_json(old)
    assert (result.score, result.max_score) == (1.0, 3.0)
    assert result.exercises["ex90_affine"].tests[0].output == "boom"
    assert result.exercises["ex90_affine"].tests[0].diagnosis is None


def test_refuses_a_newer_schema_and_non_results():
    with pytest.raises(ValueError, match="newer than this grader"):
        SubmissionResult.from_json({"schema": SCHEMA_VERSION + 1, "exercises": {}})
    with pytest.raises(ValueError, match="not a grading result"):
        SubmissionResult.from_json({"student": "x", "error": "boom"})


@pytest.mark.parametrize("message, rest, diagnosis", [
    ("max abs error 0.4", "max abs error 0.4", None),
    ("max abs error 0.4\n\nLikely mistake: gate order i, f, o, g.\nLook at the split.\n\ncase 2",
     "max abs error 0.4\n\ncase 2", "Likely mistake: gate order i, f, o, g.\nLook at the split."),
    ("error\nLikely mistake: per-tensor clipping.", "error", "Likely mistake: per-tensor clipping."),
    ("  Likely mistake: only this.", "", "Likely mistake: only this."),
])
def test_split_diagnosis(message, rest, diagnosis):
    assert split_diagnosis(message) == (rest, diagnosis)


def test_run_check_splits_the_diagnosis_and_keeps_run_test_feedback():
    @points(2)
    def failing(submission):
        raise CheckFailed("h_t: max abs error 0.41\n\nLikely mistake: the gates are in i, f, o, g order.")

    test = HiddenTest("ex04::failing", 2.0, failing)
    check = run_check(test, object(), object())
    assert (check.passed, check.score, check.max_score) == (False, 0.0, 2.0)
    assert check.output == "h_t: max abs error 0.41"
    assert check.diagnosis == "Likely mistake: the gates are in i, f, o, g order."
    # the stable run_test API (nbgrader's bridge) still returns the whole feedback
    assert run_test(test, object(), object()) == (False, "h_t: max abs error 0.41\n\n" + check.diagnosis)

    def empty_failure(submission):
        raise CheckFailed("")

    assert run_check(HiddenTest("ex04::empty", 1.0, empty_failure), None, None).passed is False


def test_limit_hit_reads_the_sandbox_error():
    try:
        try:
            raise WorkerError("timed out after 3 s while running f()", "timeout")
        except WorkerError as cause:
            raise CheckFailed(f"f(): {cause}") from None
    except CheckFailed as error:
        assert limit_hit(error) == "time"
    assert limit_hit(CheckFailed("f(): the worker stopped: it used up its CPU time")) == "CPU time"
    assert limit_hit(CheckFailed("f() raised MemoryError: ")) == "memory"
    assert limit_hit(CheckFailed("max abs error 0.4")) is None


def test_reporters_read_the_records():
    result = sample()
    table = report.score_table(result)
    rows = {line.split()[0]: line.split(maxsplit=3)[1:] for line in table.splitlines()[1:-2]}
    assert rows["ex04_lstm_cell"] == ["2/4.5", "1/2", "h_t: max abs error 0.41 > 1e-6"]
    assert rows["ex10_perplexity"] == ["0/1.5", "0/1", "timed out after 20 s"]
    assert table.splitlines()[-1].split() == ["total", "2/6"]
    gradescope = report.gradescope(result)
    values = gradescope["tests"][1]
    assert values["status"] == "failed" and values["score"] == 0.0 and values["max_score"] == 2.5
    assert "Likely mistake: the gates" in values["output"] and "Your code printed:\ndebug <b>print</b>" in values["output"]
    assert "(limit reached: time)" in gradescope["tests"][2]["output"]
    assert gradescope["execution_time"] == 3.25 and gradescope["stdout_visibility"] == "hidden"
    assert not [t for t in gradescope["tests"] if "NOT isolated" in t["name"]]

    results = {"alice": result, "mallory": FailedSubmission("mallory", "not a zip")}
    rows = list(csv.DictReader(io.StringIO(report.gradebook_csv(results, ["ex04_lstm_cell", "ex10_perplexity"]))))
    assert rows[0] == {"student": "alice", "ex04_lstm_cell": "2", "ex10_perplexity": "0", "total": "2", "max_score": "6"}
    assert rows[1]["total"] == "0" and rows[1]["max_score"] == "6"
    overview = report.summary(results, ["ex04_lstm_cell", "ex10_perplexity"])
    assert overview["failed"] == ["mallory"] and overview["graded"] == 1
    assert overview["exercises"]["ex04_lstm_cell"]["checks"] == {"ex04_lstm_cell::test_shapes": 1.0,
                                                                  "ex04_lstm_cell::test_values": 0.0}


def test_unsandboxed_results_say_so_in_gradescope():
    result = sample()
    result.sandboxed = False
    gradescope = report.gradescope(result, sandbox_problem="no user namespaces")
    assert gradescope["output"].startswith("WARNING: the bubblewrap sandbox could not start")
    assert "no user namespaces" in gradescope["output"]
    first = gradescope["tests"][0]
    assert first["name"].startswith("sandbox: NOT isolated") and first["score"] == first["max_score"] == 0.0
    assert gradescope["score"] == 2.0  # the warning costs nothing


@pytest.mark.sandbox
def test_runner_builds_the_records_in_the_sandbox(sandbox, toy_suites, tmp_path):
    """A diagnosing suite and an endless loop, graded for real: diagnosis split, time limit named."""
    suites = tmp_path / "suites"
    suites.mkdir()
    source = (TOY_SUITES / "test_ex90_affine.py").read_text()
    source += textwrap.dedent('''

        @points(1)
        def test_names_the_mistake(submission, reference):
            from autograder.checks import CheckFailed
            if submission.call("norm", np.ones((2, 2))) != 2.0:
                raise CheckFailed("norm(x): wrong value\\n\\nLikely mistake: the square root is missing.")
        ''')
    (suites / "test_ex90_affine.py").write_text(source)
    (tmp_path / "ex90_affine.py").write_text("import numpy as np\ndef affine(x, w, b):\n    while True:\n        pass\n"
                                             "def norm(x):\n    return float((x * x).sum())\n")
    submission = load_submission([tmp_path / "ex90_affine.py"], "carol")
    try:
        result = grade(submission, load_suites(suites), sandbox=sandbox, solutions_dir=TOY_SOLUTIONS, jobs=1)
    finally:
        submission.cleanup()
    checks = {c.name.split("::")[1]: c for c in result.checks()}
    assert checks["test_affine"].limit == "time" and not checks["test_affine"].passed
    assert checks["test_names_the_mistake"].output == "norm(x): wrong value"
    assert checks["test_names_the_mistake"].diagnosis == "Likely mistake: the square root is missing."
    assert checks["test_norm"].passed is False and checks["test_norm"].diagnosis is None
    assert result.score == 0.0 and result.max_score == 5.0 and result.sandboxed
    assert SubmissionResult.from_json(json.loads(report.dumps(result.to_json()))) == result


def test_a_suite_sets_a_check_visibility(tmp_path):
    suite = tmp_path / "test_ex90_affine.py"
    suite.write_text("from autograder.checks import points\nEXERCISE = 'ex90_affine'\n\n@points(1)\n"
                     "def test_secret(submission):\n    pass\n\ntest_secret.visibility = 'hidden'\n")
    (test,) = load_suites(tmp_path)[0].tests
    check = run_check(test, object(), object())
    assert check.visibility == "hidden" and check.passed
    gradescope = report.gradescope(SubmissionResult("x", {"ex90_affine": ExerciseResult("ex90_affine", [check])}),
                                   visibility="after_published")
    assert gradescope["tests"][0]["visibility"] == "hidden" and gradescope["visibility"] == "after_published"
    suite.write_text(suite.read_text().replace("'hidden'", "'secret'"))
    with pytest.raises(UsageError, match=r"test_secret.visibility is 'secret'; use one of \['visible', 'hidden'"):
        load_suites(tmp_path)
