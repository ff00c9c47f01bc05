"""The student bundle holds the package, the stubs and the public tests, and no solution."""

from __future__ import annotations

import pytest

from autograder.release import REPOSITORY, build_release, solution_lines, verify_release


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    if not (REPOSITORY / "assignments").is_dir():
        pytest.skip("assignments/ not generated yet")
    return build_release(tmp_path_factory.mktemp("release") / "bundle")


def test_release_contains_what_students_need(bundle):
    assert (bundle / "rnnlm" / "__init__.py").is_file() and (bundle / "pyproject.toml").is_file()
    assert sorted(p.name for p in (bundle / "autograder").iterdir()) == ["__init__.py", "check.py", "cli.py",
                                                                          "html_report.py", "nbgrader", "report.py",
                                                                          "results.py"]
    # what a released notebook's grade cells import: the bridge only, never the checks
    assert sorted(p.name for p in (bundle / "autograder" / "nbgrader").iterdir()) == ["__init__.py", "bridge.py"]
    assert list((bundle / "assignments" / "tests").glob("test_ex*.py"))


def test_release_contains_no_solution_and_no_hidden_suite(bundle):
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")}
    assert not [n for n in names if n.startswith("solutions") or "hidden" in n or n.startswith("tests/")]
    assert not [n for n in names if n.endswith(("sandbox.py", "worker.py", "runner.py"))
                or n.startswith(("autograder/sandbox", "autograder/worker"))]
    secrets = solution_lines()
    assert len(secrets) > 50  # the scan has something to look for
    for path in bundle.rglob("*.py"):
        if path.relative_to(bundle).parts[0] != "rnnlm":
            text = path.read_text(encoding="utf-8")
            assert not [line for line in text.splitlines() if line.strip() in secrets], path


def test_verify_release_catches_a_leaked_solution(bundle, tmp_path):
    import shutil

    leaked = tmp_path / "leaked"
    shutil.copytree(bundle, leaked)
    line = sorted(solution_lines())[0]
    (leaked / "assignments" / "notes.py").write_text(f"    {line}\n")
    with pytest.raises(ValueError, match="contains a solution line"):
        verify_release(leaked)
    shutil.copytree(REPOSITORY / "autograder" / "hidden", leaked / "autograder" / "hidden")
    with pytest.raises(ValueError, match="autograder/hidden is in the bundle"):
        verify_release(leaked)
    shutil.rmtree(leaked / "autograder" / "hidden")
    shutil.copytree(REPOSITORY / "autograder" / "worker", leaked / "autograder" / "worker")
    with pytest.raises(ValueError, match="autograder/worker is in the bundle"):
        verify_release(leaked)
