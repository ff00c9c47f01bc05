"""The one solution-marker parser, and the three places that read markers through it."""

from __future__ import annotations

import pytest

from autograder import stubgen
from autograder.markers import BEGIN_SOLUTION, END_SOLUTION, Region, solution_regions
from autograder.nbgrader.notebook import move_hints_out_of_regions, split_solution_source
from autograder.release import solution_lines

SOURCE = (
    '"""Doc."""\n'
    "def first(x):\n"
    f"    {BEGIN_SOLUTION} hint: add one\n"
    "    return x + 1000000000000000000000000001\n"
    f"    {END_SOLUTION}\n"
    "def second(x):\n"
    f"\t{BEGIN_SOLUTION}\n"
    "\treturn x - 1000000000000000000000000001\n"
    f"\t{END_SOLUTION}  \n"
)


def test_regions_are_found_with_their_indentation_and_hint():
    assert solution_regions(SOURCE) == [Region(2, 4, "    ", "add one"), Region(6, 8, "\t", None)]
    assert 3 in solution_regions(SOURCE)[0] and 5 not in solution_regions(SOURCE)[0]
    assert solution_regions("def f():\n    return 1\n") == []


@pytest.mark.parametrize("line", [
    f"    x = 1  {BEGIN_SOLUTION}",                # nbgrader would open a region here
    f"    {BEGIN_SOLUTION}S",                      # a typo of the marker
    f"    {BEGIN_SOLUTION} add one",               # a hint without 'hint:'
    f"    # see {END_SOLUTION} below",
])
def test_a_line_nbgrader_would_read_as_a_marker_is_refused_by_every_reader(line, tmp_path):
    source = SOURCE.replace("    return x +", f"{line}\n    return x +")
    (tmp_path / "ex01_demo.py").write_text(source)
    expected = r"demo.py:4: a solution marker must stand alone on its line"
    for read in (lambda: stubgen.make_stub(source, "ex01_demo.py"),
                 lambda: split_solution_source(source, "ex01_demo.py"),
                 lambda: move_hints_out_of_regions(source, "ex01_demo.py"),
                 lambda: solution_lines(tmp_path)):
        with pytest.raises(ValueError, match=expected):
            read()


def test_the_readers_agree_on_what_is_inside(tmp_path):
    (tmp_path / "ex01_demo.py").write_text(SOURCE)
    assert solution_lines(tmp_path) == {"return x + 1000000000000000000000000001",
                                        "return x - 1000000000000000000000000001"}
    stub = stubgen.make_stub(SOURCE)
    assert "1000000000000000000000000001" not in stub
    assert stub.count("raise NotImplementedError(") == 2 and '"add one"' in stub
    answers = [segment for segment in split_solution_source(move_hints_out_of_regions(SOURCE)) if segment.is_solution]
    assert [segment.name for segment in answers] == ["first", "second"]
    assert "# Hint: add one" in answers[0].source
