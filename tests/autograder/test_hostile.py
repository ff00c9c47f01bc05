"""Every hostile or broken submission gets the right grade, a clear message, and spoils nothing else.

Each case of ``submissions/`` replaces the toy exercise ex90 (4 points: affine 2 + zeros 1, norm 1)
and is graded in the real sandbox together with a correct ex91 (1 point), which must always get
its full point. All cases are graded in one module-scoped batch (2 exercises in parallel).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.runner import grade_submission
from autograder.sandbox import Limits, pids_cgroup_available
from autograder.submission import MAX_FILE_BYTES, load_submission

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS

pytestmark = pytest.mark.sandbox

# case -> (points of ex90 out of 4, regex the ex90 feedback must match)
EXPECTED = {
    "syntax_error": (0, r"could not be imported.*SyntaxError"),
    "import_error": (0, r"could not be imported.*ModuleNotFoundError"),
    "missing_function": (1, r"does not define the function affine\(\)"),
    "wrong_signature": (1, r"affine\(\) raised TypeError"),
    "exception": (1, r"affine\(\) raised ValueError: boom"),
    "infinite_loop": (1, r"timed out after 3 s while running affine\(\)"),
    "memory_bomb": (1, r"MemoryError|memory"),
    "fork_bomb": (1, r"affine\(\)"),
    "sys_exit_at_import": (0, r"could not be imported.*SystemExit"),
    "os_exit_at_import": (0, r"exited .*before answering"),
    "endless_output": (1, r"timed out"),
    "fake_passed": (2, r"max abs error"),  # zeros are right for the all-zeros case
    "writes_results_file": (2, r"max abs error"),
    "monkeypatch": (2, r"max abs error"),
    "lying_eq": (1, r"returned an object of type .*Anything"),
    "array_subclass": (1, r"returned an object of type .*Sneaky"),
    "returns_input": (1, r"shape \[\d+, \d+\], expected|max abs error"),
    "modifies_input": (2, r"modified its inputs in place \(argument 0\)"),  # zeros stay zeros
    "reads_secrets": (4, r"^$"),
    "imports_autograder": (0, r"importing 'autograder' is not allowed"),
    "detects_grader_env": (4, r"^$"),
    "non_utf8": (0, r"not valid UTF-8 \(byte 0xe9"),
    "huge_file": (0, r"larger than 1024 KiB"),
    "symlink": (0, r"symbolic links are refused"),
    "zip_slip": (0, r"not found in the submission"),
}


def _generated(case: str, root: Path) -> list[Path]:
    """Cases that cannot live in git as files: built here."""
    folder = root / case
    folder.mkdir()
    if case == "huge_file":
        (folder / "ex90_affine.py").write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 10))
    elif case == "symlink":
        os.symlink(TOY_SOLUTIONS / "ex90_affine.py", folder / "ex90_affine.py")
    elif case == "zip_slip":
        archive = root / "zip_slip.zip"
        with zipfile.ZipFile(archive, "w") as handle:
            handle.writestr("../ex90_affine.py", (TOY_SOLUTIONS / "ex90_affine.py").read_text())
            handle.writestr("/tmp/ex90_affine.py", (TOY_SOLUTIONS / "ex90_affine.py").read_text())
            link = zipfile.ZipInfo("nested/ex90_affine.py")
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            handle.writestr(link, str(TOY_SOLUTIONS / "ex90_affine.py"))
            handle.writestr("ex91_scale.py", (TOY_SOLUTIONS / "ex91_scale.py").read_text())
        return [archive]
    return [folder]


@pytest.fixture(scope="module")
def graded(sandbox, toy_suites, tmp_path_factory):
    """Grade every case once; ``{case: result}``."""
    root = tmp_path_factory.mktemp("generated")
    cases = {}
    for case in EXPECTED:
        if case == "fork_bomb" and not pids_cgroup_available():
            continue
        paths = [SUBMISSIONS / case] if (SUBMISSIONS / case).is_dir() else _generated(case, root)
        if case != "zip_slip":
            paths.append(TOY_SOLUTIONS / "ex91_scale.py")
        cases[case] = paths

    def grade(item):
        case, paths = item
        submission = load_submission(paths, case)
        try:
            return case, grade_submission(submission, toy_suites, sandbox=sandbox, solutions_dir=TOY_SOLUTIONS, jobs=2)
        finally:
            submission.cleanup()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, cases.items()))


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_hostile_submission(case, graded):
    if case not in graded:
        pytest.skip("no pids cgroup here: a fork bomb would only be stopped by the wall-time kill (see docs/grading.md)")
    result = graded[case]
    points, pattern = EXPECTED[case]
    affine = result["exercises"]["ex90_affine"]
    feedback = "\n".join([affine["message"]] + [t["output"] for t in affine["tests"]])
    assert affine["score"] == points, f"{case}: {affine['score']} points, expected {points}; feedback: {feedback}"
    assert re.search(pattern, feedback.strip() if pattern == r"^$" else feedback, re.S), feedback
    assert result["exercises"]["ex91_scale"]["score"] == 1.0, result["exercises"]["ex91_scale"]
    assert result["max_score"] == 5.0


def test_endless_output_is_capped(graded):
    printed = graded["endless_output"]["exercises"]["ex90_affine"]["printed"]
    assert "spam" in printed and "of output dropped" in printed
    assert len(printed) < Limits().output_bytes + 200


def test_zip_members_refused_with_reasons(graded):
    warnings = "\n".join(graded["zip_slip"]["warnings"])
    assert "'../ex90_affine.py' refused" in warnings
    assert "'/tmp/ex90_affine.py' refused" in warnings
    assert "symbolic links are not allowed" in warnings
