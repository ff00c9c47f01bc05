"""Named features of a text, one value per character, computed from the text alone.

These are the properties that Karpathy, Johnson & Fei-Fei (2015), "Visualizing and
Understanding Recurrent Networks" (arXiv:1506.02078), found single LSTM cells tracking: being
inside quotes, the position in the line, the nesting depth of brackets, being inside a comment
or a string in code. Each feature is an array ``[N]`` aligned with the characters of the text.

Convention (one for every span feature): the value at a character is the state *after reading
it*, which is what the network's activation at that step can know. So an opening quote or
bracket is inside, and a closing one is already outside (its depth already decremented); a
comment runs from ``#`` to the last character before the newline (as Python's ``tokenize``
reports a COMMENT token). Line features count the newline as the last character of the line
it ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnlm.errors import UsageError

OPENERS, CLOSERS = "([{", ")]}"
# A Tiny Shakespeare speaker line: "First Citizen:", "KING RICHARD III:", "ROMEO:".
SPEAKER_LINE = re.compile(r"[A-Z][A-Za-z' .\-]*:")


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its newline, so that their lengths add up to ``len(text)``."""
    return text.splitlines(keepends=True) if text else []


def _per_line(text: str, value: Callable[[str], np.ndarray]) -> np.ndarray:
    """Concatenate ``value(line)`` (an array as long as the line) over the lines of ``text``."""
    parts = [value(line) for line in _lines(text)]
    return np.concatenate(parts) if parts else np.zeros(0)


def line_position(text: str) -> np.ndarray:
    """Column of each character in its line (0 for the first character)."""
    return _per_line(text, lambda line: np.arange(len(line), dtype=np.float64))


def distance_to_line_end(text: str) -> np.ndarray:
    """How many characters follow each one before its line ends (0 for the newline itself)."""
    return _per_line(text, lambda line: np.arange(len(line) - 1, -1, -1, dtype=np.float64))


def indentation(text: str) -> np.ndarray:
    """The indentation of each character's line: its leading spaces, a tab counting 4."""
    def indent(line: str) -> np.ndarray:
        stripped = line.lstrip(" \t")
        width = sum(4 if char == "\t" else 1 for char in line[: len(line) - len(stripped)])
        return np.full(len(line), float(width) if stripped.strip() else 0.0)  # a blank line has none
    return _per_line(text, indent)


def speaker_line(text: str) -> np.ndarray:
    """1 on every character of a line that is only a speaker's name and a colon (``ROMEO:``)."""
    return _per_line(text, lambda line: np.full(len(line), float(bool(SPEAKER_LINE.fullmatch(line.rstrip("\n"))))))


def lines_into_speech(text: str) -> np.ndarray:
    """How many lines each character's line lies after the last speaker line (0 on and before it)."""
    values, count = [], 0
    for line in _lines(text):
        count = 0 if SPEAKER_LINE.fullmatch(line.rstrip("\n")) else count + 1 if values else 0
        values.append(np.full(len(line), float(count)))
    return np.concatenate(values) if values else np.zeros(0)


def word_position(text: str) -> np.ndarray:
    """How many non-space characters precede each one in its word (0 on spaces and newlines)."""
    values, run = np.zeros(len(text)), 0
    for index, char in enumerate(text):
        run = 0 if char.isspace() else run + 1
        values[index] = max(run - 1, 0)
    return values


def bracket_depth(text: str, skip: np.ndarray | None = None) -> np.ndarray:
    """Nesting depth of ``( [ {`` at each character (unmatched closers never go below 0)."""
    depth, values = 0, np.zeros(len(text))
    for index, char in enumerate(text):
        if skip is not None and skip[index]:
            pass  # a bracket in a string or a comment does not nest code
        elif char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(depth - 1, 0)
        values[index] = depth
    return values


def inside_brackets(text: str) -> np.ndarray:
    """1 inside any ``( [ {`` pair, from the opening bracket to just before the closing one."""
    return (bracket_depth(text) > 0).astype(np.float64)


def inside_quotes(text: str) -> np.ndarray:
    """1 from a double quote to just before the next one (prose dialogue)."""
    inside, values = False, np.zeros(len(text))
    for index, char in enumerate(text):
        inside = not inside if char == '"' else inside
        values[index] = float(inside)
    return values


def python_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``(in_string, in_comment)`` for Python source, by a scanner that follows the tokenizer's
    rules for comments, quotes, triple quotes and backslash escapes. A string runs from its
    opening quote to just before its closing quote (prefixes such as ``r``/``b``/``f`` are left
    outside; an unterminated one-line string ends at the newline)."""
    string, comment = np.zeros(len(text)), np.zeros(len(text))
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            end = length if end == -1 else end
            comment[index:end] = 1.0
            index = end
        elif char in "'\"":
            quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
            cursor, closing = index + len(quote), 0
            while cursor < length:
                if text[cursor] == "\\":
                    cursor += 2
                elif text.startswith(quote, cursor):
                    closing = len(quote)
                    break
                elif text[cursor] == "\n" and len(quote) == 1:
                    break
                else:
                    cursor += 1
            end = min(cursor, length)
            string[index:end] = 1.0  # the closing quote, at end, is already outside
            index = end + closing
        else:
            index += 1
    return string, comment


def code_bracket_depth(text: str) -> np.ndarray:
    """Nesting depth of ``( [ {`` in Python code, brackets inside strings and comments ignored."""
    string, comment = python_spans(text)
    return bracket_depth(text, skip=(string + comment) > 0)


def inside_code_brackets(text: str) -> np.ndarray:
    """1 inside a ``( [ {`` pair of Python code (brackets in strings and comments ignored)."""
    return (code_bracket_depth(text) > 0).astype(np.float64)


def in_string(text: str) -> np.ndarray:
    """1 inside a Python string literal: the opening quote and the characters up to the closing one."""
    return python_spans(text)[0]


def in_comment(text: str) -> np.ndarray:
    """1 on every character of a Python comment, from ``#`` to the end of its line."""
    return python_spans(text)[1]


@dataclass(frozen=True)
class Feature:
    """A named property of each character: ``binary`` (0/1) or ``continuous``."""

    name: str
    kind: Literal["binary", "continuous"]
    compute: Callable[[str], np.ndarray]

    @property
    def description(self) -> str:
        """The first line of the extractor's docstring."""
        return (self.compute.__doc__ or self.name).strip().splitlines()[0]


FEATURES: dict[str, Feature] = {feature.name: feature for feature in (
    Feature("inside_quotes", "binary", inside_quotes),
    Feature("inside_brackets", "binary", inside_brackets),
    Feature("bracket_depth", "continuous", bracket_depth),
    Feature("line_position", "continuous", line_position),
    Feature("distance_to_line_end", "continuous", distance_to_line_end),
    Feature("speaker_line", "binary", speaker_line),
    Feature("lines_into_speech", "continuous", lines_into_speech),
    Feature("word_position", "continuous", word_position),
    Feature("indentation", "continuous", indentation),
    Feature("in_string", "binary", in_string),
    Feature("inside_code_brackets", "binary", inside_code_brackets),
    Feature("code_bracket_depth", "continuous", code_bracket_depth),
    Feature("in_comment", "binary", in_comment),
)}
"""Every feature, by name, in the order reports list them."""

# Tiny Shakespeare has no double quote and no bracket at all, so prose defaults leave them out.
PROSE_FEATURES = ("speaker_line", "lines_into_speech", "line_position", "distance_to_line_end", "word_position")
CODE_FEATURES = ("in_string", "in_comment", "inside_code_brackets", "code_bracket_depth", "indentation",
                 "line_position", "distance_to_line_end")


def check_features(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``names`` if each is a known feature; otherwise a UsageError listing the valid ones."""
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise UsageError(f"unknown feature(s) {', '.join(map(repr, unknown))}: choose from {', '.join(FEATURES)}")
    if not names:
        raise UsageError(f"give at least one feature, from {', '.join(FEATURES)}")
    return tuple(names)


def compute_features(text: str, names: list[str] | tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each named feature of ``text``: ``{name: values[N]}`` with ``N = len(text)``."""
    return {name: FEATURES[name].compute(text) for name in check_features(names)}
