"""The in-kernel bridge, run here in-process: verdicts, silenced stderr, missing suites, timeouts."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import warnings

import pytest
import torch

from autograder.nbgrader import bridge
from autograder.nbgrader.bridge import HiddenCheckFailed, load_hidden_checks, run_hidden_check, silenced_output, student_namespace
from tests.support.nbgrader_toy import TOY_SOLUTIONS, TOY_SUITES


@pytest.fixture
def toy_suites(monkeypatch):
    """Point the bridge at the toy suites and solutions, as nbgrader_config.py does for kernels."""
    monkeypatch.setenv("AUTOGRADER_SUITES_DIR", str(TOY_SUITES))
    monkeypatch.setenv("AUTOGRADER_SOLUTIONS_DIR", str(TOY_SOLUTIONS))
    monkeypatch.setenv("AUTOGRADER_NBGRADER_GRADING", "1")


def _namespace(exercise: str) -> dict:
    """The reference solution's globals, as a notebook that ran its cells would hold them."""
    spec = importlib.util.spec_from_file_location(f"_toy_{exercise}", TOY_SOLUTIONS / f"{exercise}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(vars(module))


def test_silenced_output_keeps_stderr_of_python_warnings_logging_and_native_code(capfd):
    with silenced_output() as captured:
        warnings.warn("a python warning", UserWarning)
        torch.tensor(torch.ones(2))  # torch's own UserWarning (copy-constructing a tensor)
        logging.getLogger("some.library").error("a logged error")
        print("to sys.stderr", file=sys.stderr)
        os.write(2, b"to descriptor 2\n")
        print("to sys.stdout")
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    assert "to sys.stderr" in captured.getvalue() and "to sys.stdout" in captured.getvalue()
    os.write(2, b"after\n")  # descriptor 2 is back
    assert capfd.readouterr().err == "after\n"
    assert not logging.root.manager.disable


def test_a_right_answer_passes_with_noise_shown_on_stdout(toy_suites, capfd):
    run_hidden_check("ex96_scale", "test_scale", _namespace("ex96_scale"))  # the check warns and writes to fd 2
    out, err = capfd.readouterr()
    assert err == ""
    assert "ex96_scale::test_scale passed" in out and "native library message on stderr" in out


def test_a_wrong_answer_fails_with_the_suites_feedback(toy_suites, capfd):
    namespace = _namespace("ex95_affine")
    namespace["norm"] = lambda x: float((x * x).sum())
    with pytest.raises(HiddenCheckFailed, match=r"norm\(x\): off by"):
        run_hidden_check("ex95_affine", "test_norm", namespace)
    run_hidden_check("ex95_affine", "test_affine", namespace)  # the other function still earns its points
    assert capfd.readouterr().err == ""


def test_unknown_check_and_missing_suites(toy_suites, monkeypatch, tmp_path, capsys):
    with pytest.raises(HiddenCheckFailed, match="has no test 'test_nothing'; valid: test_affine, test_affine_zero_input, test_norm"):
        run_hidden_check("ex95_affine", "test_nothing", {})
    monkeypatch.setenv("AUTOGRADER_SUITES_DIR", str(tmp_path))
    with pytest.raises(HiddenCheckFailed, match="could not be loaded in this grading environment"):
        run_hidden_check("ex97_absent", "test_x", {})  # a grading run never gives points away
    monkeypatch.delenv("AUTOGRADER_NBGRADER_GRADING")
    run_hidden_check("ex97_absent", "test_x", {})  # a student's own Jupyter: only a note
    load_hidden_checks("ex97_absent")
    assert capsys.readouterr().out.count("runs when your notebook is graded") == 1


def test_a_function_interrupted_by_the_timeout_is_not_called_again(monkeypatch):
    monkeypatch.setattr(bridge, "_interrupted", set())
    calls = []

    def endless(x):
        calls.append(x)
        raise KeyboardInterrupt  # what nbgrader's interrupt raises inside a loop

    def helper(x):
        return x

    endless.__module__ = helper.__module__ = "__main__"  # defined in the notebook
    namespace = student_namespace("ex95_affine", {"norm": endless, "helper": helper, "_private": 1, "np": object()})
    assert set(namespace) == {"norm", "helper", "np"}
    with pytest.raises(KeyboardInterrupt):
        namespace["norm"](1)
    with pytest.raises(TimeoutError, match=r"norm\(\) did not finish within the time limit in an earlier check"):
        namespace["norm"](2)
    assert calls == [1] and namespace["helper"](3) == 3
