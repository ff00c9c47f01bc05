"""The solution markers of the reference solutions: one parser for stubs, release and notebooks.

A solution region of ``solutions/exNN_<topic>.py`` is::

        ### BEGIN SOLUTION hint: <one line for the student>
        <reference code>
        ### END SOLUTION

Each marker stands alone on its line (after the indentation); the ``hint:`` suffix is optional.
Regions do not nest. ``solution_regions`` is the only code that reads these markers: the stub
generator (``autograder.stubgen``) replaces each region by ``raise NotImplementedError(hint)``,
the release check (``autograder.release``) refuses bundles holding a line found only inside a
region, and the notebook builder (``autograder.nbgrader.notebook``) turns regions into nbgrader
answer cells.

nbgrader's ``ClearSolutions`` takes any line *containing* ``### BEGIN SOLUTION`` for a marker;
a line that contains a marker's text without being a well-formed marker is therefore refused
here, so that the stubs, the release check and nbgrader always agree on where a region is.

References: nbgrader's ``ClearSolutions`` preprocessor (the marker convention),
https://nbgrader.readthedocs.io/en/stable/user_guide/creating_and_grading_assignments.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?:[ \t]+hint:[ \t]*(?P<hint>.*?))?[ \t]*$")
_END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")


@dataclass(frozen=True)
class Region:
    """One solution region, by the 0-based indices of its marker lines in ``source.splitlines()``."""

    begin: int
    """Index of the ``### BEGIN SOLUTION`` line."""
    end: int
    """Index of the ``### END SOLUTION`` line."""
    indent: str
    """The BEGIN marker's indentation (empty at module level)."""
    hint: str | None
    """The text after ``hint:`` on the BEGIN line, ``None`` where there is none."""

    def __contains__(self, index: int) -> bool:
        """Whether line ``index`` belongs to the region, its marker lines included."""
        return self.begin <= index <= self.end


def solution_regions(source: str, filename: str = "<solution>") -> list[Region]:
    """The solution regions of ``source``, in order.

    Args:
        source: the text of a solution module.
        filename: named in error messages.

    Raises:
        ValueError: on a malformed marker, a nested or unterminated region, or an END without a
            BEGIN, naming the file and the (1-based) line.
    """
    regions: list[Region] = []
    opened: tuple[int, str, str | None] | None = None  # (index, indent, hint) of the region being read
    for index, line in enumerate(source.splitlines()):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if opened is not None:
                raise ValueError(f"{filename}:{index + 1}: '{BEGIN_SOLUTION}' inside another solution region "
                                 f"(opened at line {opened[0] + 1}); close that one with '{END_SOLUTION}' first")
            hint = begin.group("hint")
            opened = (index, begin.group("indent"), hint or None)
        elif end:
            if opened is None:
                raise ValueError(f"{filename}:{index + 1}: '{END_SOLUTION}' without a BEGIN before it "
                                 f"(a region starts with '{BEGIN_SOLUTION}')")
            regions.append(Region(opened[0], index, opened[1], opened[2]))
            opened = None
        elif BEGIN_SOLUTION in line or END_SOLUTION in line:  # nbgrader would take it for a marker
            raise ValueError(f"{filename}:{index + 1}: a solution marker must stand alone on its line, as "
                             f"'{BEGIN_SOLUTION}', '{BEGIN_SOLUTION} hint: TEXT' or '{END_SOLUTION}'")
    if opened is not None:
        raise ValueError(f"{filename}:{opened[0] + 1}: '{BEGIN_SOLUTION}' is never closed by '{END_SOLUTION}'")
    return regions
