"""Counts occurrences of (v g) instead of distinct predecessors v."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = [
    "count_ngrams",
    "continuation_counts",
    "add_k_distribution",
    "kneser_ney_distribution",
    "ngram_log_probs",
    "perplexity",
]

SMOOTHINGS = ("add_k", "kneser_ney")
"""The smoothing methods of :func:`ngram_log_probs`."""


def count_ngrams(ids: Sequence[int], n: int) -> dict[tuple[int, ...], int]:
    """Counts of every n-gram (``n >= 1``) of the stream, at every position.

    Returns:
        ``{(w_1, ..., w_n): count}`` with plain Python ints; ``len(ids) - n + 1`` n-grams in all
        (none, ``{}``, when the stream is shorter than ``n`` or empty).

    >>> count_ngrams([0, 1, 0, 1, 2], 2)
    {(0, 1): 2, (1, 0): 1, (1, 2): 1}
    """
    tokens = [int(token) for token in ids]
    grams = zip(*(tokens[offset:] for offset in range(n)))
    return dict(Counter(grams))


def continuation_counts(ids: Sequence[int], n: int) -> dict[tuple[int, ...], int]:
    """Kneser-Ney continuation counts ``N1+(. g)`` of every n-gram ``g`` seen with a predecessor.

    ``N1+(. g)`` is the number of DISTINCT tokens ``v`` such that the (n+1)-gram ``v g`` occurs
    in the stream (not how often). An n-gram seen only at the very start of the stream has no
    predecessor and is absent from the result (its continuation count is 0).

    >>> continuation_counts([0, 1, 0, 1, 2], 1)
    {(1,): 1, (0,): 1, (2,): 1}
    """
    counts: Counter = Counter()
    for gram, count in count_ngrams(ids, n + 1).items():
        counts[gram[1:]] += count
    return dict(counts)


def add_k_distribution(
    train_ids: Sequence[int], vocab_size: int, context: Sequence[int] = (), k: float = 1.0
) -> np.ndarray:
    """Add-k ``P(. | context)`` of the (len(context) + 1)-gram model trained on ``train_ids``.

    Args:
        train_ids: the training stream of ids in ``[0, vocab_size)``.
        vocab_size: ``V``.
        context: ``h``, the previous tokens, oldest first (empty: the unigram model).
        k: the pseudo-count (> 0).

    Returns:
        ``[V]`` float64, summing to 1: ``(c(h w) + k) / (c(h .) + k V)`` (uniform for an unseen
        context or an empty training stream).
    """
    context = tuple(int(token) for token in context)
    counts = count_ngrams(train_ids, len(context) + 1)
    numerators = np.full(vocab_size, float(k))  # [V]
    for gram, count in counts.items():
        if gram[:-1] == context:
            numerators[gram[-1]] += count
    total = numerators.sum() - k * vocab_size  # c(h .)
    return numerators / (total + k * vocab_size)


def kneser_ney_distribution(
    train_ids: Sequence[int],
    vocab_size: int,
    order: int,
    context: Sequence[int] = (),
    discount: float = 0.75,
) -> np.ndarray:
    """Interpolated Kneser-Ney ``P(. | context)`` of the order-``order`` model trained on ``train_ids``.

    Args:
        train_ids: the training stream of ids in ``[0, vocab_size)``.
        vocab_size: ``V``.
        order: the model's ``n`` (3 = trigram); decides which level uses raw counts.
        context: at most ``order - 1`` previous tokens, oldest first; a shorter context uses
            the formula from the unigram up to order ``len(context) + 1`` only.
        discount: ``D`` in (0, 1), the same for every order.

    Returns:
        ``[V]`` float64, summing to 1, every entry > 0. A level whose context was never seen
        (``c(h .) = 0``, e.g. an empty training stream) passes the lower order through unchanged.

    Raises:
        ValueError: if ``context`` has more than ``order - 1`` tokens.
    """
    if len(context) > order - 1:
        raise ValueError(
            f"context has {len(context)} tokens but an order-{order} model conditions on at most {order - 1}"
        )
    context = tuple(int(token) for token in context)
    probability = np.full(vocab_size, 1.0 / vocab_size)  # [V] P_0: uniform
    for m in range(1, len(context) + 2):
        history = context[len(context) - m + 1 :]  # the last m - 1 tokens
        table = count_ngrams(train_ids, m) if m == order else continuation_counts(train_ids, m)
        counts = np.zeros(vocab_size)  # [V] c_m(h w)
        for gram, count in table.items():
            if gram[:-1] == history:
                counts[gram[-1]] = count
        total = counts.sum()  # c_m(h .)
        if total == 0:
            continue  # unseen context: the lower order passes through
        followers = np.count_nonzero(counts)  # N1+(h .)
        probability = np.maximum(counts - discount, 0) / total + discount * followers / total * probability
    return probability


def ngram_log_probs(
    train_ids: Sequence[int],
    test_ids: Sequence[int],
    vocab_size: int,
    order: int,
    smoothing: str = "kneser_ney",
    k: float = 1.0,
    discount: float = 0.75,
) -> np.ndarray:
    """Natural-log probability of every token of ``test_ids`` under the trained n-gram model.

    Token ``i`` is conditioned on ``test_ids[max(0, i - order + 1) : i]`` (shorter contexts at the
    start). Equal to ``rnnlm.ngram.NGramLM(order, smoothing, ...).fit(train_ids, V).log_prob(test_ids)``.

    Args:
        train_ids, vocab_size, order: the model (see the distribution functions).
        test_ids: the stream to score.
        smoothing: ``"add_k"`` (uses ``k``) or ``"kneser_ney"`` (uses ``discount``).

    Returns:
        ``[N]`` float64, ``N = len(test_ids)`` (an empty float64 array for an empty stream).

    Raises:
        ValueError: if ``smoothing`` is not one of ``"add_k"``, ``"kneser_ney"``.
    """
    if smoothing not in SMOOTHINGS:
        raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
    test = [int(token) for token in test_ids]
    cache: dict[tuple[int, ...], np.ndarray] = {}
    log_probs = np.empty(len(test))
    for i, token in enumerate(test):
        context = tuple(test[max(0, i - order + 1) : i])
        if context not in cache:
            if smoothing == "add_k":
                cache[context] = add_k_distribution(train_ids, vocab_size, context, k)
            else:
                cache[context] = kneser_ney_distribution(train_ids, vocab_size, order, context, discount)
        log_probs[i] = math.log(cache[context][token])
    return log_probs


def perplexity(log_probs: np.ndarray) -> float:
    """``exp(-mean(log_probs))`` for natural-log probabilities ``[N]`` (``N >= 1``; not modified).

    >>> round(perplexity(np.log(np.full(4, 0.25))), 6)
    4.0
    """
    return float(math.exp(-float(np.mean(log_probs))))
