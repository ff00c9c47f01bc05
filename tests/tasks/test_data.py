"""The Shakespeare tasks: parsing, labels, splits by play, batches, majority baseline."""

from __future__ import annotations

import pytest
import torch

from rnnlm.data.corpora import HELD_OUT_PLAYS
from rnnlm.tasks.data import GenreDataModule, TruecaseDataModule, collate
from rnnlm.tasks.shakespeare import GENRE_SPLITS, NO_TAG, case_tag, read_speeches

PLAY = """# A Play

## ACT I

### SCENE I. A street.

_Enter ROMEO and
BENVOLIO_

**ROMEO**  
Is the day so young?  
But new struck nine. _\\[Aside]_ Ay me!

**BENVOLIO**  
_\\[Reads]_  
'Tis NOTHING, I say.
"""


def test_read_speeches_keeps_speakers_and_spoken_lines_only():
    speeches = read_speeches(PLAY, "comedies/a-play")
    assert [(s.speaker, s.lines) for s in speeches] == [
        ("ROMEO", ("Is the day so young?", "But new struck nine.  Ay me!")),
        ("BENVOLIO", ("'Tis NOTHING, I say.",)),
    ]
    assert speeches[0].words == ["Is", "the", "day", "so", "young?", "But", "new", "struck", "nine.", "Ay", "me!"]


@pytest.mark.parametrize("word, tag", [("lord", 0), ("Lord,", 1), ("'Tis", 1), ("I", 1), ("NOTHING", 2),
                                       ("O'ER", 2), ("--", NO_TAG), ("d'Alençon", 0)])
def test_case_tags(word, tag):
    assert case_tag(word) == tag


@pytest.fixture(scope="module")
def genre(speeches):
    return GenreDataModule(speeches=speeches, min_freq=1)


@pytest.fixture(scope="module")
def truecase(speeches):
    return TruecaseDataModule(speeches=speeches)


def test_splits_hold_out_whole_plays(speeches, genre, truecase):
    assert set(GENRE_SPLITS["test"]).isdisjoint(GENRE_SPLITS["valid"])
    # every held-out play's speeches are in its split and nowhere else
    for module, held_out in ((genre, GENRE_SPLITS), (truecase, HELD_OUT_PLAYS)):
        sizes = {split: len(module.examples[split]) for split in ("train", "valid", "test")}
        assert all(size > 500 for size in sizes.values()), sizes
    othello = [s for s in speeches["tragedies/othello"] if len(s.words) >= 10]
    assert len(genre.examples["test"]) > len(othello)
    first = [w.lower() for w in othello[0].words]
    assert any(words == first[:200] for words, _ in genre.examples["test"])
    assert not any(words == first[:200] for words, _ in genre.examples["train"])


def test_inputs_are_lower_cased_and_tags_come_from_the_original(speeches, truecase):
    data = truecase
    for words, tags in data.examples["train"]:
        assert all(word == word.lower() for word in words)
        assert len(words) == len(tags) <= 100
    counts = data.label_counts("test")
    assert counts[0] > counts[1] > counts[2] > 0 and NO_TAG not in counts  # UPPER is rare: 9 test words
    majority, accuracy = data.majority_baseline("test")
    assert majority == "lower" and accuracy == pytest.approx(counts[0] / sum(counts.values()))


def test_collate_pads_tokens_and_tags():
    tokens, lengths, tags = collate([([5, 6, 7], [0, 1, NO_TAG]), ([8], [2])])
    assert tokens.tolist() == [[5, 6, 7], [8, 0, 0]] and lengths.tolist() == [3, 1]
    assert tags.tolist() == [[0, 1, NO_TAG], [2, NO_TAG, NO_TAG]]
    tokens, lengths, labels = collate([([5, 6], 2), ([8], 0)])
    assert labels.tolist() == [2, 0] and tokens.shape == (2, 2)
    assert labels.dtype == torch.long


def test_limits_take_seeded_subsets(speeches):
    small = GenreDataModule(speeches=speeches, limit_train=100, limit_valid=20, limit_test=30, seed=3)
    again = GenreDataModule(speeches=speeches, limit_train=100, limit_valid=20, limit_test=30, seed=3)
    assert [len(small.examples[split]) for split in ("train", "valid", "test")] == [100, 20, 30]
    assert small.examples["train"] == again.examples["train"]


def test_vocabulary_comes_from_training_plays_only(genre):
    data = genre
    train_words = {word for words, _ in data.examples["train"] for word in words}
    assert set(data.vocab.itos) - {"<unk>", "<eos>"} == train_words
    test_only = {word for words, _ in data.examples["test"] for word in words} - train_words
    assert test_only and all(data.vocab.encode([word]) == [data.vocab.unk_index] for word in test_only)


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        GenreDataModule(batch_size=0)
    with pytest.raises(ValueError, match="need 1 <= min_words <= max_words"):
        GenreDataModule(min_words=20, max_words=10)
    with pytest.raises(ValueError, match="the train split of GenreDataModule is empty"):
        _ = GenreDataModule(speeches={}).examples
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        TruecaseDataModule(speeches={"comedies/x": read_speeches(PLAY, "comedies/x")}).encoded("dev")
