"""Exercise 9: an n-gram language model with add-k and interpolated Kneser-Ney smoothing.

Chapter 5, section 5.5.3: the count-based baselines that the neural models of the chapter are
compared with (Fig. 5.6). Everything works on integer token ids ``0 .. V-1`` and follows the
conventions of ``rnnlm.ngram.NGramLM``, so your numbers can be compared with the library's:

* A training split is ONE long stream: every m-gram at every position is counted; there is no
  padding or sentence-start symbol (an end-of-line token, if any, is an ordinary id).
* ``c(h w)`` is the count of the m-gram ``h w`` (``h`` = the ``m - 1`` context tokens, oldest
  first) and ``c(h .) = sum_w c(h w)``, the number of times ``h`` is followed by anything.
* **add-k** (Lidstone; Laplace when ``k = 1``): ``P(w | h) = (c(h w) + k) / (c(h .) + k V)``.
* **interpolated Kneser-Ney** with one absolute discount ``D`` (0 < D < 1) for every order::

      P_m(w | h) = max(c_m(h w) - D, 0) / c_m(h .)  +  D * N1+(h .) / c_m(h .) * P_{m-1}(w | h')

  where ``h'`` is ``h`` without its oldest token, ``N1+(h .)`` is the number of distinct words
  ``w`` with ``c_m(h w) > 0``, and ``P_0(w) = 1 / V`` (uniform) below the unigram. ``c_m`` is the
  RAW count at the model's highest order and the CONTINUATION count at every lower order:
  ``N1+(. g)``, the number of distinct tokens seen immediately before the m-gram ``g``. If the
  context was never seen (``c_m(h .) = 0``) the lower order passes through unchanged:
  ``P_m(w | h) = P_{m-1}(w | h')``.
* Scoring a stream predicts EVERY token: token ``i`` is conditioned on the
  ``min(i, order - 1)`` tokens before it, so the first tokens use shorter contexts (the same
  formulas with a shorter ``h``); ``N`` tokens give ``N`` log-probabilities, in natural log.
* Perplexity = ``exp(-mean natural-log probability)`` over all scored tokens.

Worked example: train ``[0, 1, 0, 1, 2]``, ``V = 3``; bigram add-1 after token 0:
``c(0 .) = 2`` and ``c(0 1) = 2`` give ``P(. | 0) = [1/5, 3/5, 1/5]``.

>>> add_k_distribution([0, 1, 0, 1, 2], 3, context=[0], k=1.0).round(3).tolist()
[0.2, 0.6, 0.2]

References: Kneser & Ney (1995), Improved Backing-off for M-gram Language Modeling; Chen &
Goodman (1998), An Empirical Study of Smoothing Techniques for Language Modeling (eq. 17,
section 2.7); Jurafsky & Martin, Speech and Language Processing, 3rd ed., chapter 3.
"""

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
    raise NotImplementedError("slide a window of n tokens over the stream and count the tuples (collections.Counter)")


def continuation_counts(ids: Sequence[int], n: int) -> dict[tuple[int, ...], int]:
    """Kneser-Ney continuation counts ``N1+(. g)`` of every n-gram ``g`` seen with a predecessor.

    ``N1+(. g)`` is the number of DISTINCT tokens ``v`` such that the (n+1)-gram ``v g`` occurs
    in the stream (not how often). An n-gram seen only at the very start of the stream has no
    predecessor and is absent from the result (its continuation count is 0).

    >>> continuation_counts([0, 1, 0, 1, 2], 1)
    {(1,): 1, (0,): 1, (2,): 1}
    """
    raise NotImplementedError("take the DISTINCT (n+1)-grams and count how many of them end with each n-gram")


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
    raise NotImplementedError("count the (len(context)+1)-grams; c(h w) for every w and c(h .) = their sum over w")


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
    raise NotImplementedError("start from the uniform 1/V; for m = 1 .. len(context)+1 mix in order m (raw counts if m == order, else continuation counts) using the last m-1 context tokens")


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
    raise NotImplementedError("for each position i take the previous min(i, order-1) tokens as context, call the matching distribution function, take log of the test token's entry (cache by context: it repeats)")


def perplexity(log_probs: np.ndarray) -> float:
    """``exp(-mean(log_probs))`` for natural-log probabilities ``[N]`` (``N >= 1``; not modified).

    >>> round(perplexity(np.log(np.full(4, 0.25))), 6)
    4.0
    """
    raise NotImplementedError("the log-probabilities are natural logs, so use exp (not 2 **)")
