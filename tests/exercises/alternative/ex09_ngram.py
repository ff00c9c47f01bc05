"""Correct alternative for exercise 9: explicit loops and dictionaries, Kneser-Ney written recursively."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

__all__ = ["count_ngrams", "continuation_counts", "add_k_distribution", "kneser_ney_distribution",
           "ngram_log_probs", "perplexity"]

SMOOTHINGS = ("add_k", "kneser_ney")


def count_ngrams(ids: Sequence[int], n: int) -> dict[tuple[int, ...], int]:
    tokens = list(map(int, ids))
    counts: dict[tuple[int, ...], int] = {}
    for i in range(len(tokens) - n + 1):
        gram = tuple(tokens[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
    return counts


def continuation_counts(ids: Sequence[int], n: int) -> dict[tuple[int, ...], int]:
    predecessors: dict[tuple[int, ...], set[int]] = defaultdict(set)
    tokens = list(map(int, ids))
    for i in range(1, len(tokens) - n + 1):
        predecessors[tuple(tokens[i:i + n])].add(tokens[i - 1])
    return {gram: len(before) for gram, before in predecessors.items()}


def add_k_distribution(train_ids: Sequence[int], vocab_size: int, context: Sequence[int] = (), k: float = 1.0) -> np.ndarray:
    context = tuple(map(int, context))
    counts = count_ngrams(train_ids, len(context) + 1)
    row = np.array([counts.get(context + (w,), 0) for w in range(vocab_size)], dtype=np.float64)
    return (row + k) / (row.sum() + k * vocab_size)


def _kneser_ney(train_ids, vocab_size: int, order: int, context: tuple[int, ...], discount: float) -> np.ndarray:
    if context is None:
        return np.full(vocab_size, 1.0 / vocab_size)
    m = len(context) + 1
    lower = _kneser_ney(train_ids, vocab_size, order, context[1:] if context else None, discount)
    table = count_ngrams(train_ids, m) if m == order else continuation_counts(train_ids, m)
    row = np.array([table.get(context + (w,), 0) for w in range(vocab_size)], dtype=np.float64)
    if row.sum() == 0:
        return lower
    lam = discount * np.sum(row > 0) / row.sum()
    return np.clip(row - discount, 0, None) / row.sum() + lam * lower


def kneser_ney_distribution(train_ids: Sequence[int], vocab_size: int, order: int, context: Sequence[int] = (),
                            discount: float = 0.75) -> np.ndarray:
    if len(context) > order - 1:
        raise ValueError(f"context has {len(context)} tokens but an order-{order} model conditions on at most {order - 1}")
    return _kneser_ney(list(train_ids), vocab_size, order, tuple(map(int, context)), discount)


def ngram_log_probs(train_ids: Sequence[int], test_ids: Sequence[int], vocab_size: int, order: int,
                    smoothing: str = "kneser_ney", k: float = 1.0, discount: float = 0.75) -> np.ndarray:
    if smoothing not in SMOOTHINGS:
        raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
    test = list(map(int, test_ids))
    result = []
    for i, token in enumerate(test):
        context = test[max(0, i - (order - 1)):i]
        if smoothing == "add_k":
            p = add_k_distribution(train_ids, vocab_size, context, k)
        else:
            p = kneser_ney_distribution(train_ids, vocab_size, order, context, discount)
        result.append(np.log(p[token]))
    return np.array(result, dtype=np.float64)


def perplexity(log_probs: np.ndarray) -> float:
    return float(np.exp(-np.sum(log_probs) / len(log_probs)))
