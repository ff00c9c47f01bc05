"""The stub generator: committed stubs match the solutions (drift test), and its rules hold."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograder import stubgen
from exercise_probes import ASSIGNMENTS, EXERCISES, ROOT, SOLUTIONS, load

SOLUTION_SOURCE = '''"""Doc."""

LIMIT = 3


def answer(x: int) -> int:
    """Say something."""
    if x < 0:
        raise ValueError("x must be >= 0")
    ### BEGIN SOLUTION hint: add "one"
    y = x + 1
    return y
    ### END SOLUTION


def helper() -> int:
    return LIMIT
'''


def test_committed_stubs_match_the_solutions():
    problems = stubgen.drifted()
    assert not problems, "stubs out of date (run python -m autograder.stubgen):\n" + "\n".join(problems)


def test_check_command_exits_zero_on_the_repository():
    result = subprocess.run([sys.executable, "-m", "autograder.stubgen", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_command_lists_a_drifted_stub(tmp_path):
    assignments = tmp_path / "assignments"
    assert stubgen.main(["--assignments", str(assignments)]) == 0
    drifted = assignments / f"{EXERCISES[3]}.py"
    drifted.write_text(drifted.read_text() + "\n# edited by hand\n")
    (assignments / "ex99_orphan.py").write_text("x = 1\n")
    result = subprocess.run([sys.executable, "-m", "autograder.stubgen", "--check", "--assignments", str(assignments)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert drifted.name in result.stderr and "ex99_orphan.py" in result.stderr
    assert f"{EXERCISES[0]}.py" not in result.stderr


def test_one_stub_per_solution_and_ten_exercises():
    assert len(EXERCISES) == 10
    assert sorted(path.stem for path in ASSIGNMENTS.glob("ex[0-9][0-9]_*.py")) == EXERCISES


def test_region_becomes_not_implemented_with_the_hint_and_the_rest_is_verbatim():
    stub = stubgen.make_stub(SOLUTION_SOURCE)
    assert "y = x + 1" not in stub and "END SOLUTION" not in stub
    assert '    raise NotImplementedError(\'add "one"\')\n' in stub
    kept = [line for line in SOLUTION_SOURCE.splitlines() if "SOLUTION" not in line and line.strip() not in ("y = x + 1", "return y")]
    assert [line for line in stub.splitlines() if "NotImplementedError" not in line] == kept


def test_region_without_hint_gets_the_default_hint():
    source = SOLUTION_SOURCE.replace(' hint: add "one"', "")
    assert f'raise NotImplementedError("{stubgen.DEFAULT_HINT}")' in stubgen.make_stub(source)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace("    ### END SOLUTION\n", ""), "never closed"),
        (lambda s: s.replace("    ### BEGIN SOLUTION hint: add \"one\"\n", ""), "without a BEGIN"),
        (lambda s: s.replace("    y = x + 1\n", "    ### BEGIN SOLUTION\n"), "inside another solution region"),
        (lambda s: s + "### BEGIN SOLUTION\nZ = 1\n### END SOLUTION\n", "module level"),
        (lambda s: s.replace("### BEGIN SOLUTION hint: add \"one\"", "pass").replace("### END SOLUTION", ""), "no '### BEGIN"),
    ],
)
def test_malformed_regions_are_refused_with_the_line(change, message):
    with pytest.raises(ValueError, match=message):
        stubgen.make_stub(change(SOLUTION_SOURCE), "demo.py")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_stub_imports_and_keeps_the_graded_names(exercise):
    solution = load(SOLUTIONS / f"{exercise}.py")
    stub = load(ASSIGNMENTS / f"{exercise}.py")
    assert stub.__all__ == solution.__all__
    for name in solution.__all__:
        assert callable(getattr(stub, name)), name
    assert "### BEGIN SOLUTION" not in (ASSIGNMENTS / f"{exercise}.py").read_text()


def test_stubgen_writes_atomically_and_only_what_changed(tmp_path):
    assignments = tmp_path / "out"
    written = stubgen.write_stubs(SOLUTIONS, assignments)
    assert len(written) == 10
    assert stubgen.write_stubs(SOLUTIONS, assignments) == []
    assert not list(assignments.glob(".*.tmp"))
