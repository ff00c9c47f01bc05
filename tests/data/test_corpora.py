"""Corpora: the Shakespeare Markdown parser and split, local files and folders, bad input."""

from __future__ import annotations

import pytest

from rnnlm.errors import UsageError
from rnnlm.data.corpora import HELD_OUT_PLAYS, load_corpus, play_paths, split_text, strip_play_markdown

PLAY = """# A Play

## ACT I

### SCENE I. A room.

_Enter HAMLET and HORATIO,
with Attendants_

**HAMLET**  
To be, or not to be,\\--that is  
the question. _\\[Aside]_  

**HORATIO**  
__\\[Within]_  
My lord?
[Aside]_  

*Exit Horatio, and
returns.*

**HAMLET**  
Farewell.

_Exeunt_
"""


def test_strip_play_markdown_keeps_speakers_and_spoken_lines():
    assert strip_play_markdown(PLAY) == (
        "HAMLET:\nTo be, or not to be,--that is\nthe question.\nHORATIO:\nMy lord?\nHAMLET:\nFarewell.\n"
    )


def test_shakespeare_holds_out_whole_plays():
    plays = play_paths()
    assert len(plays) == 38
    corpus = load_corpus("shakespeare")
    for split, held in HELD_OUT_PLAYS.items():
        for play in held:
            text = strip_play_markdown(plays[play].read_text(encoding="utf-8"))
            assert text in corpus.split(split) and text not in corpus.train
    assert corpus.valid.startswith("DUKE ORSINO:\nIf music be the food of love, play on;\n")  # Twelfth Night
    for marker in ("#", "**", "\\", "_Enter", "[Aside"):
        assert marker not in corpus.train + corpus.valid + corpus.test
    sizes = [len(corpus.train), len(corpus.valid), len(corpus.test)]
    assert 0.80 < sizes[0] / sum(sizes) < 0.90


def test_local_file_split_at_line_ends(tmp_path):
    text = "".join(f"line {i}\n" for i in range(200))
    path = tmp_path / "book.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus(str(path))
    assert corpus.name == "book"
    assert corpus.train + corpus.valid + corpus.test == text
    assert all(part.endswith("\n") for part in (corpus.train, corpus.valid))
    assert abs(len(corpus.train) / len(text) - 0.90) < 0.01 and abs(len(corpus.valid) / len(text) - 0.05) < 0.01


def test_local_single_line_file_is_cut_at_spaces():
    text = " ".join(f"w{i}" for i in range(1000))
    train, valid, test = split_text(text)
    assert train + valid + test == text and train.endswith(" ") and valid.endswith(" ")


def test_folder_with_split_files(numbered_folder):
    corpus = load_corpus(numbered_folder)
    assert corpus.train == (numbered_folder / "train.txt").read_text()
    assert corpus.test == (numbered_folder / "test.txt").read_text()


def test_folder_of_txt_files_is_concatenated_in_sorted_order(tmp_path):
    for name in ("b.txt", "a.txt", "c.md"):
        (tmp_path / name).write_text("".join(f"{name} {i}\n" for i in range(100)))
    corpus = load_corpus(tmp_path)
    assert corpus.train.startswith("a.txt 0\n") and "c.md" not in corpus.train + corpus.valid + corpus.test
    assert corpus.test.endswith("b.txt 99\n")


def test_folder_with_some_split_files_only(tmp_path):
    (tmp_path / "train.txt").write_text("a\n")
    with pytest.raises(UsageError, match="not valid.txt, test.txt"):
        load_corpus(tmp_path)


def test_crlf_is_normalized(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"".join(b"line %d\r\n" % i for i in range(100)))
    assert "\r" not in load_corpus(tmp_path / "x.txt").train


def test_unknown_corpus_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown corpus 'shakespear': choose one of shakespeare, tinyshakespeare, "
                                         "ptb, wikitext2, wikitext103, or give the path"):
        load_corpus("shakespear")


def test_missing_empty_and_non_utf8_files(tmp_path):
    with pytest.raises(UsageError, match="holds no .txt files"):
        load_corpus(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(ValueError, match=f"corpus file {empty} is empty"):
        load_corpus(empty)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\u00e9 ol\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=f"{latin} is not UTF-8: byte 0xe9 at byte offset 3"):
        load_corpus(latin)
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("one line\n")
    with pytest.raises(ValueError, match="too short to split"):
        load_corpus(tiny)
