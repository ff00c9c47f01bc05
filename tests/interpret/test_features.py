"""The text features on hand-made strings, and the Python scanner against ``tokenize``."""

from __future__ import annotations

import io
import sysconfig
import token
import tokenize
from pathlib import Path

import numpy as np
import pytest

from rnnlm.errors import UsageError
from rnnlm.interpret.features import FEATURES, compute_features, python_spans


def marks(values: np.ndarray) -> str:
    """A 0/1 feature as a string of '0'/'1', for readable expectations."""
    return "".join(str(int(value)) for value in values)


def test_quotes_run_from_the_opening_quote_to_before_the_closing_one():
    text = 'say "hi there" now'
    assert marks(FEATURES["inside_quotes"].compute(text)) == "0000" + "1" * 9 + "00000"


def test_bracket_depth_counts_nesting_and_never_goes_negative():
    text = "a(b[c]d)e)f"
    assert FEATURES["bracket_depth"].compute(text).tolist() == [0, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0]
    assert marks(FEATURES["inside_brackets"].compute(text)) == "01111110000"


def test_line_position_and_distance_to_line_end():
    text = "ab\ncde\n\nf"
    assert FEATURES["line_position"].compute(text).tolist() == [0, 1, 2, 0, 1, 2, 3, 0, 0]
    assert FEATURES["distance_to_line_end"].compute(text).tolist() == [2, 1, 0, 3, 2, 1, 0, 0, 0]


def test_speaker_lines_are_names_with_a_colon_alone():
    text = "First Citizen:\nBefore we proceed: hear me.\nKING RICHARD III:\n"
    values = FEATURES["speaker_line"].compute(text)
    lines = text.splitlines(keepends=True)
    expected = [1.0] * len(lines[0]) + [0.0] * len(lines[1]) + [1.0] * len(lines[2])
    assert values.tolist() == expected


def test_indentation_counts_leading_spaces_and_tabs():
    text = "def f():\n    x = 1\n\tif x:\n   \n"
    values = FEATURES["indentation"].compute(text)
    lines = text.splitlines(keepends=True)
    expected = [0] * len(lines[0]) + [4] * len(lines[1]) + [4] * len(lines[2]) + [0] * len(lines[3])
    assert values.tolist() == expected


def test_strings_comments_escapes_and_triple_quotes():
    text = 'x = "a#\\"b"  # c "d"\ny = r\'\'\'q\n#no\'\'\' + 1\n'
    string, comment = python_spans(text)
    lines = text.splitlines(keepends=True)
    assert marks(string[: len(lines[0])]) == "0000" + "1" * 6 + "0" * 11
    assert marks(comment[: len(lines[0])]) == "0" * 13 + "1" * 7 + "0"
    rest = text[len(lines[0]):]
    start = rest.index("'''")
    end = rest.index("'''", start + 3)  # the closing quotes are outside
    assert marks(string[len(lines[0]):]) == "0" * start + "1" * (end - start) + "0" * (len(rest) - end)
    assert comment[len(lines[0]):].sum() == 0  # "#no" is inside the string


def tokenize_spans(source: str) -> tuple[np.ndarray, np.ndarray]:
    """String and comment marks from Python's own tokenizer (the independent reference)."""
    offsets = np.cumsum([0] + [len(line) for line in source.splitlines(keepends=True)])
    string, comment = np.zeros(len(source)), np.zeros(len(source))
    fstring_depth, fstring_start = 0, 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        name = token.tok_name[tok.type]
        if name == "FSTRING_START":  # Python >= 3.12 splits f-strings into several tokens
            fstring_depth += 1
            fstring_start = start if fstring_depth == 1 else fstring_start
        elif name == "FSTRING_END":
            fstring_depth -= 1
            if fstring_depth == 0:
                string[fstring_start : end - len(tok.string)] = 1.0
        elif tok.type == token.STRING and fstring_depth == 0:
            prefix = len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))
            quote = 3 if tok.string[prefix : prefix + 3] in ('"""', "'''") else 1
            string[start + prefix : end - quote] = 1.0  # the closing quote is outside
        elif tok.type == token.COMMENT:
            comment[start:end] = 1.0
    return string, comment


@pytest.mark.parametrize("name", ["textwrap.py", "argparse.py", "tokenize.py", "string.py"])
def test_python_scanner_matches_the_tokenizer_on_the_standard_library(name):
    path = Path(sysconfig.get_paths()["stdlib"]) / name
    source = path.read_text(encoding="utf-8")
    string, comment = python_spans(source)
    expected_string, expected_comment = tokenize_spans(source)
    # f-string prefixes: the reference above includes them for Python >= 3.12; compare inside quotes
    mismatch = np.flatnonzero((string != expected_string) & ~np.isin(list(source), list("fFrRbBuU")))
    assert mismatch.size == 0, f"{name}: string marks differ at {mismatch[:5]}: {source[mismatch[0]-20:mismatch[0]+20]!r}"
    assert np.array_equal(comment, expected_comment)
    assert string.sum() > 1000 and comment.sum() > 1000  # the files do exercise both


def test_every_feature_is_as_long_as_the_text():
    text = 'ROMEO:\n  "O (sweet [love])" # x\n'
    values = compute_features(text, tuple(FEATURES))
    assert all(array.shape == (len(text),) for array in values.values())
    assert all(set(np.unique(values[name])) <= {0.0, 1.0} for name, f in FEATURES.items() if f.kind == "binary")


def test_unknown_feature_names_the_valid_ones():
    with pytest.raises(UsageError, match="unknown feature.*'colour'.*inside_quotes"):
        compute_features("x", ["colour"])


def test_lines_into_speech_counts_from_the_last_speaker_line():
    text = "prologue\nROMEO:\nO she doth\nteach the torches\nJULIET:\nAy me\n"
    per_line = [0, 0, 1, 2, 0, 1]
    lines = text.splitlines(keepends=True)
    expected = [float(n) for n, line in zip(per_line, lines) for _ in line]
    assert FEATURES["lines_into_speech"].compute(text).tolist() == expected


def test_word_position_restarts_after_whitespace():
    assert FEATURES["word_position"].compute("ab  cde\nf").tolist() == [0, 1, 0, 0, 0, 1, 2, 0, 0]


def test_code_brackets_ignore_brackets_in_strings_and_comments():
    text = 'f(")", x[1])  # (\n'
    depth = FEATURES["code_bracket_depth"].compute(text)
    assert depth.tolist()[:13] == [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 0, 0]
    assert depth[13:].sum() == 0  # the comment's "(" opens nothing
    assert FEATURES["bracket_depth"].compute(text)[-1] == 1  # the plain count is fooled by it
