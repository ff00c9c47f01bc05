"""The Gradescope package: build the zip, unpack it into a replica of /autograder, run run_autograder.

setup.sh's installs are not run (they need root and the network); everything else is what
Gradescope does: the zip unpacked into ``ROOT/source``, the student's files in
``ROOT/submission``, ``run_autograder`` started in ``ROOT``, and ``ROOT/results/results.json``
read back and checked against Gradescope's format.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope import build_package, pinned_torch
from rnnlm.errors import UsageError

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS, TOY_SUITES

TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return build_package(tmp_path_factory.mktemp("package") / "autograder.zip", suites_dir=TOY_SUITES,
                         solutions_dir=TOY_SOLUTIONS, visibility="visible")


def _replica(package: Path, root: Path, files: dict[str, str | Path]) -> Path:
    """Gradescope's layout under ``root``: source/ (the zip, with its modes), submission/, results/."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
        for member in archive.infolist():  # extractall drops the executable bit; Gradescope keeps it
            mode = member.external_attr >> 16
            if mode:
                os.chmod(root / "source" / member.filename, stat.S_IMODE(mode))
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, content in files.items():
        target = root / "submission" / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content)
    return root


def _run(root: Path, path: str | None = None) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)  # run_autograder must find the grader in the zip, not in this checkout
    if path is not None:
        env["PATH"] = path
    completed = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                               timeout=300, cwd="/")
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"} <= set(results)
    for test in results["tests"]:
        assert set(test) == TEST_KEYS and test["visibility"] in ("visible", "hidden", "after_due_date",
                                                                 "after_published")
    assert results["score"] == sum(test["score"] for test in results["tests"])
    return results


def test_the_zip_holds_what_gradescope_runs(package):
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        settings = json.loads(archive.read("settings.json"))
    assert {"setup.sh", "run_autograder", "settings.json", "autograder/runner.py", "rnnlm/errors.py",
            "suites/test_ex90_affine.py", "suites/test_ex91_scale.py", "solutions/ex90_affine.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not [n for n in names if "__pycache__" in n or n.startswith("autograder/hidden/test_ex")]
    assert f'"torch=={pinned_torch()}"' in setup and "download.pytorch.org/whl/cpu" in setup
    assert "bubblewrap" in setup and "lightning" not in setup
    assert settings == {"exercises": ["ex90_affine", "ex91_scale"], "require_sandbox": False, "visibility": "visible"}


def test_chosen_exercises_only(tmp_path):
    out = build_package(tmp_path / "one.zip", ["ex91_scale"], suites_dir=TOY_SUITES, solutions_dir=TOY_SOLUTIONS)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert json.loads(archive.read("settings.json"))["visibility"] == "after_published"
    assert "suites/test_ex91_scale.py" in names and "solutions/ex91_scale.py" in names
    assert "suites/test_ex90_affine.py" not in names and "solutions/ex90_affine.py" not in names


def test_bad_package_arguments(tmp_path):
    with pytest.raises(UsageError, match=r"unknown exercise\(s\) \['ex99'\]; valid: \['ex90_affine', 'ex91_scale'\]"):
        build_package(tmp_path / "a.zip", ["ex99"], suites_dir=TOY_SUITES, solutions_dir=TOY_SOLUTIONS)
    with pytest.raises(UsageError, match="the Gradescope package is a .zip"):
        build_package(tmp_path / "a.tar", suites_dir=TOY_SUITES, solutions_dir=TOY_SOLUTIONS)
    with pytest.raises(UsageError, match=r"no reference solution for \['ex90_affine', 'ex91_scale'\]"):
        build_package(tmp_path / "a.zip", suites_dir=TOY_SUITES, solutions_dir=tmp_path)
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.sandbox
def test_complete_partial_and_hostile_submissions(sandbox, package, tmp_path):
    complete = _run(_replica(package, tmp_path / "complete", {
        "ex90_affine.py": TOY_SOLUTIONS / "ex90_affine.py", "ex91_scale.py": TOY_SOLUTIONS / "ex91_scale.py"}))
    assert complete["score"] == 5.0 and all(t["status"] == "passed" for t in complete["tests"])
    assert complete["output"].startswith("Graded in: bubblewrap.")

    partial = _run(_replica(package, tmp_path / "partial", {"ex90_affine.py": SUBMISSIONS / "exception" / "ex90_affine.py"}))
    by_name = {t["name"]: t for t in partial["tests"]}
    assert partial["score"] == 1.0  # norm right, affine raising, ex91 missing
    assert "affine() raised ValueError: boom" in by_name["ex90_affine::test_affine"]["output"]
    assert "ex91_scale.py was not found in the submission" in by_name["ex91_scale::test_scale"]["output"]

    # A hostile submission forges Gradescope's results file at import, from inside the sandbox,
    # and prints a fake verdict: the grader's results.json is what remains.
    root = tmp_path / "hostile"
    forged = json.dumps({"score": 1000, "tests": []})
    hostile = (f"import numpy as np\nprint('ALL TESTS PASSED: 5/5')\n"
               f"for path in ({str(root / 'results' / 'results.json')!r}, '/autograder/results/results.json'):\n"
               f"    try:\n        open(path, 'w').write({forged!r})\n    except OSError:\n        pass\n"
               "def affine(x, weight, bias):\n    return np.zeros((x.shape[0], weight.shape[1]))\n"
               "def norm(x):\n    return float(np.sqrt((x * x).sum()))\n")
    result = _run(_replica(package, root, {"ex90_affine.py": hostile, "ex91_scale.py": TOY_SOLUTIONS / "ex91_scale.py"}))
    assert result["score"] == 3.0  # zeros are right only for the all-zeros case (1) + norm (1) + ex91 (1)
    failed = [t for t in result["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == ["ex90_affine::test_affine"]
    assert "Your code printed:\nALL TESTS PASSED: 5/5" in failed[0]["output"]


def _path_without_bwrap(tmp_path: Path) -> str:
    """A PATH holding bash only (so bubblewrap is "not installed")."""
    folder = tmp_path / "bin"
    folder.mkdir()
    os.symlink(shutil.which("bash"), folder / "bash")
    return str(folder)


def test_without_the_sandbox_results_say_so(package, tmp_path):
    """No bubblewrap on PATH (as in a container without it): graded, with the warning on top and as a test."""
    result = _run(_replica(package, tmp_path / "open", {"ex91_scale.py": TOY_SOLUTIONS / "ex91_scale.py"}),
                  path=_path_without_bwrap(tmp_path))
    assert result["output"].startswith("WARNING: the bubblewrap sandbox could not start here")
    assert "bubblewrap (bwrap) is not installed" in result["output"]
    first = result["tests"][0]
    assert first["name"] == "sandbox: NOT isolated (bubblewrap could not start)" and first["max_score"] == 0.0
    assert result["score"] == 1.0  # ex91 right, ex90 missing: graded all the same


def test_require_sandbox_gives_no_grade_without_it(tmp_path):
    package = build_package(tmp_path / "strict.zip", suites_dir=TOY_SUITES, solutions_dir=TOY_SOLUTIONS,
                            require_sandbox=True)
    result = _run(_replica(package, tmp_path / "strict", {"ex91_scale.py": TOY_SOLUTIONS / "ex91_scale.py"}),
                  path=_path_without_bwrap(tmp_path))
    assert result["score"] == 0.0 and [t["name"] for t in result["tests"]] == ["autograder: not graded"]
    assert "The sandbox could not start, and this course requires it" in result["output"]
