"""N-gram language models: MLE, add-k and interpolated (modified) Kneser-Ney.

The baselines of Chapter 3 that Chapter 5's neural models are measured against (Fig. 5.6).
They run on the very same token stream as the neural models: the ids of
``LanguageModelDataModule(...).split_ids(split)`` over its ``vocab`` (``<unk>`` for the
words outside the vocabulary, ``<eos>`` at every line end), so that the perplexities compare.

Conventions (the same for fitting and scoring):

- A split is ONE long stream. Training counts every m-gram at every position (m = 1..order).
  Scoring predicts every token: the token at position i is conditioned on the
  ``min(i, order - 1)`` tokens before it, so the first ``order - 1`` tokens of a stream see
  shorter contexts, exactly as ``distribution(context)`` does for a short context. There is
  no padding symbol; a stream of N tokens gives N log-probabilities.
- ``<eos>`` and ``<unk>`` are ordinary tokens: predicted, counted and conditioned on.
- ``mle``: P(w | h) = c(h w) / c(h .), with c(h .) the count of h followed by anything. Where
  h was never seen followed by anything the ratio is undefined; the model then uses the
  longest suffix of h that was (ultimately the unigram). Unseen words get probability 0 and
  a stream containing one has infinite perplexity (a warning counts them).
- ``add_k`` (Lidstone; Laplace at k = 1): P(w | h) = (c(h w) + k) / (c(h .) + k V), no
  back-off (an unseen context gives the uniform distribution).
- ``kneser_ney``: interpolated Kneser-Ney (Chen & Goodman 1998, eq. 17 and sec. 2.7), one
  absolute discount D per order (0 < D < 1)::

      P(w | h) = max(c(h w) - D, 0) / c(h .) + D N1+(h .) / c(h .) * P(w | h')     h' = h minus its first word

  with raw counts c at the highest order and continuation counts N1+(. h w) (the number
  of distinct words seen before h w) at every lower order, down to the uniform
  distribution 1/V below the unigram, so that no token of the vocabulary gets probability
  zero. An unseen context h (c(h .) = 0) passes P(w | h') through unchanged.
- ``modified_kneser_ney``: three discounts D1, D2, D3+ per order, for n-grams seen once,
  twice and three or more times, estimated from the counts of counts n1..n4 of each order
  (Chen & Goodman 1998, eq. 26; an order where one of n1..n4 is 0, as for the unigrams of
  a character vocabulary, falls back to one discount, Y = n1 / (n1 + 2 n2), or 0.75 when
  n1 or n2 is 0), the weight of the lower order being
  (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / c(h .).

Where nltk.lm's ``KneserNeyInterpolated`` differs (see docs/ngram.md): its unigram is the
bare continuation distribution, not interpolated with the uniform one (a word never seen
after another word gets probability 0), and its lower-order weights count distinct
followers by raw counts rather than continuation counts (they differ only for an n-gram that
occurs nowhere but at the very start of the stream; there nltk's distribution does not sum to
1, or it divides by zero).

References: R. Kneser and H. Ney, "Improved backing-off for m-gram language modeling",
ICASSP 1995. S. F. Chen and J. Goodman, "An Empirical Study of Smoothing Techniques for
Language Modeling", Harvard TR-10-98, 1998. D. Jurafsky and J. H. Martin, "Speech and
Language Processing", 3rd ed., ch. 3.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from rnnlm.ngram.counting import NGramCounts, count_ngrams, followers, lookup_gram, lookup_stream

SMOOTHINGS = ("mle", "add_k", "kneser_ney", "modified_kneser_ney")
DEFAULT_DISCOUNT = 0.75
DEFAULT_K = 1.0


class NGramLM:
    """An n-gram language model over integer token ids (vectorised with NumPy).

    Args:
        order: n, the number of tokens of an n-gram (1 = unigram, 3 = trigram).
        smoothing: one of ``"mle"``, ``"add_k"``, ``"kneser_ney"``, ``"modified_kneser_ney"``.
        k: the pseudo-count of ``add_k`` (default 1.0, Laplace); only for ``add_k``.
        discount: the absolute discount of ``kneser_ney``, one value in (0, 1) for every order
            or a sequence of ``order`` values (unigram first); default 0.75. Not allowed with
            ``modified_kneser_ney``, which estimates its discounts from the data.

    Example::

        >>> import numpy as np
        >>> lm = NGramLM(order=2, smoothing="add_k", k=1.0).fit(np.array([0, 1, 0, 1, 2]), vocab_size=3)
        >>> lm.distribution([0]).round(3).tolist()       # (c(0 w) + 1) / (2 + 3)
        [0.2, 0.6, 0.2]
    """

    def __init__(self, order: int = 3, smoothing: str = "kneser_ney", k: float | None = None,
                 discount: float | Sequence[float] | None = None) -> None:
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise ValueError(f"order must be an integer >= 1 (1 = unigram, 3 = trigram), got {order!r}")
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"unknown smoothing {smoothing!r}; choose one of: {', '.join(SMOOTHINGS)}")
        if k is not None and smoothing != "add_k":
            raise ValueError(f"k is the pseudo-count of smoothing='add_k'; it does not apply to {smoothing!r}")
        if k is not None and not (isinstance(k, (int, float)) and math.isfinite(k) and k > 0):
            raise ValueError(f"k must be a finite number > 0 (k = 0 is smoothing='mle'), got {k!r}")
        if discount is not None and smoothing != "kneser_ney":
            hint = " (it estimates its discounts)" if smoothing == "modified_kneser_ney" else ""
            raise ValueError(f"discount applies only to smoothing='kneser_ney', not {smoothing!r}{hint}")
        self.order = int(order)
        self.smoothing = smoothing
        self.k = float(DEFAULT_K if k is None else k)
        self.discount = _check_discounts(DEFAULT_DISCOUNT if discount is None else discount, self.order)
        self.vocab_size: int | None = None
        self.num_train_tokens = 0
        self.discounts_: np.ndarray | None = None  # [order, 3]: D1, D2, D3+ per order, after fit
        self._counts: NGramCounts | None = None

    def __repr__(self) -> str:
        fitted = f", vocab_size={self.vocab_size}, trained on {self.num_train_tokens} tokens" if self._counts else ""
        return f"NGramLM(order={self.order}, smoothing={self.smoothing!r}{fitted})"

    # fitting ----------------------------------------------------------------------------

    def fit(self, ids, vocab_size: int) -> NGramLM:
        """Count the n-grams of the stream ``ids`` [N] (ints in [0, vocab_size)); returns self."""
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
            raise ValueError(f"vocab_size must be an integer >= 1, got {vocab_size!r}")
        ids = _check_ids(ids, "training stream", int(vocab_size))  # a failed fit leaves the model as it was
        counts = count_ngrams(ids, self.order, int(vocab_size))
        self.vocab_size, self._counts, self.num_train_tokens = int(vocab_size), counts, len(ids)
        self._levels = [self._level(m) for m in range(1, self.order + 1)]
        return self

    @property
    def num_ngrams(self) -> list[int]:
        """Distinct n-grams seen in training, per order (unigrams first)."""
        return [len(keys) for keys in self._fitted().keys]

    def _level(self, m: int) -> dict[str, np.ndarray]:
        """Per-order tables: the counts used at order m and the statistics of their contexts."""
        counts = self._counts
        kneser_ney = self.smoothing in ("kneser_ney", "modified_kneser_ney")
        use_continuation = kneser_ney and m < self.order
        level_counts = counts.continuation[m - 1] if use_continuation else counts.counts[m - 1]
        prefixes = counts.prefixes(m)  # [K_m] context index of each m-gram
        num_contexts = 1 if m == 1 else len(counts.keys[m - 2])
        totals = np.bincount(prefixes, weights=level_counts, minlength=num_contexts)  # c(h .)
        level = {"counts": level_counts.astype(np.float64), "totals": totals}
        if self.smoothing == "mle":
            level["ratio"] = level_counts / np.maximum(totals[prefixes], 1)
        if kneser_ney:
            discounts = self._discounts_for(m, level_counts)
            per_gram = np.concatenate([[0.0], discounts])[np.minimum(level_counts, 3)]  # D(c), D(0) = 0
            kept = np.maximum(level_counts - per_gram, 0.0)
            level["alpha"] = kept / np.maximum(totals[prefixes], 1e-300)
            released = np.bincount(prefixes, weights=per_gram, minlength=num_contexts)
            level["gamma"] = np.where(totals > 0, released / np.maximum(totals, 1e-300), 1.0)
        # a sentinel at the end, read through index -1 (an n-gram or context never seen): no count,
        # no mass of its own, and a lower order passed through unchanged
        sentinel = {"counts": 0.0, "totals": 0.0, "ratio": 0.0, "alpha": 0.0, "gamma": 1.0}
        return {name: np.append(values, sentinel[name]) for name, values in level.items()}

    def _discounts_for(self, m: int, level_counts: np.ndarray) -> np.ndarray:
        """[3] discounts D1, D2, D3+ of order m (fixed, or estimated for modified KN)."""
        if self.discounts_ is None:
            self.discounts_ = np.zeros((self.order, 3))
        if self.smoothing == "kneser_ney":
            self.discounts_[m - 1] = self.discount[m - 1]
            return self.discounts_[m - 1]
        n = np.bincount(level_counts, minlength=5)[1:5]  # counts of counts n1..n4
        if np.all(n > 0):
            y = n[0] / (n[0] + 2 * n[1])
            estimated = np.array([c - (c + 1) * y * n[c] / n[c - 1] for c in (1, 2, 3)])  # eq. 26
            self.discounts_[m - 1] = np.clip(estimated, 0.0, [1.0, 2.0, 3.0])  # keep 0 <= D_c <= c
        else:  # too few rare n-grams at this order (e.g. characters): one discount, Ney's Y if defined
            self.discounts_[m - 1] = n[0] / (n[0] + 2 * n[1]) if n[0] > 0 and n[1] > 0 else DEFAULT_DISCOUNT
        return self.discounts_[m - 1]

    # scoring ----------------------------------------------------------------------------

    def log_prob(self, ids) -> np.ndarray:
        """Natural-log probability of every token of the stream ``ids`` [N] -> [N] float64."""
        counts = self._fitted()
        ids = _check_ids(ids, "scored stream", self.vocab_size)
        nodes = lookup_stream(counts, ids)  # per order m: [N - m + 1]
        probability = np.full(len(ids), 1.0 / self.vocab_size)  # [N]
        for m in range(1, min(self.order, len(ids)) + 1):
            contexts = np.zeros(len(nodes[m - 1]), dtype=np.int64) if m == 1 else nodes[m - 2][:-1]
            probability[m - 1:] = self._step(m, nodes[m - 1], contexts, probability[m - 1:])
        with np.errstate(divide="ignore"):
            log_probability = np.log(probability)
        zeros = int(np.count_nonzero(probability == 0))
        if zeros:
            warnings.warn(f"{zeros} of {len(ids)} tokens have probability 0 under smoothing='mle' "
                          "(never seen in that context): their log-probability is -inf and the "
                          "perplexity is infinite; use smoothing='add_k' or 'kneser_ney'",
                          RuntimeWarning, stacklevel=2)
        return log_probability

    def _step(self, m: int, grams: np.ndarray, contexts: np.ndarray, lower: np.ndarray) -> np.ndarray:
        """P at order m for positions whose m-gram / context have key index grams / contexts."""
        level = self._levels[m - 1]  # index -1 reads each table's sentinel
        if self.smoothing in ("kneser_ney", "modified_kneser_ney"):
            return level["alpha"][grams] + level["gamma"][contexts] * lower  # eq. 17 of Chen & Goodman
        gram_count, total = level["counts"][grams], level["totals"][contexts]
        if self.smoothing == "add_k":
            return (gram_count + self.k) / (total + self.k * self.vocab_size)
        return np.where(total > 0, gram_count / np.maximum(total, 1), lower)  # mle: unseen context -> lower order

    def distribution(self, context: Sequence[int] = ()) -> np.ndarray:
        """P(. | context) over the whole vocabulary -> [V] float64, summing to 1.

        ``context`` holds at most ``order - 1`` token ids, oldest first; a shorter one gives
        the lower-order distribution used at the start of a stream.
        """
        counts = self._fitted()
        if hasattr(context, "detach"):
            context = context.detach().cpu().numpy()
        context = np.asarray(context).reshape(-1)
        if len(context) > self.order - 1:
            raise ValueError(f"context has {len(context)} tokens but an order-{self.order} model conditions on "
                             f"at most {self.order - 1}; pass the last {self.order - 1} tokens")
        context = _check_ids(context, "context", self.vocab_size) if len(context) else np.zeros(0, dtype=np.int64)
        probability = np.full(self.vocab_size, 1.0 / self.vocab_size)  # [V]
        for m in range(1, len(context) + 2):
            node = 0 if m == 1 else lookup_gram(counts, context[len(context) - m + 1:])
            level = self._levels[m - 1]
            run = followers(counts, m, node) if node >= 0 else slice(0, 0)
            words = counts.keys[m - 1][run] - node * self.vocab_size
            total = level["totals"][node]  # 0 (the sentinel) for an unseen context
            if self.smoothing in ("kneser_ney", "modified_kneser_ney"):
                if node >= 0:
                    probability *= level["gamma"][node]
                    probability[words] += level["alpha"][run]
            elif self.smoothing == "add_k":
                probability = np.full(self.vocab_size, self.k / (total + self.k * self.vocab_size))
                probability[words] += level["counts"][run] / (total + self.k * self.vocab_size)
            elif total > 0:
                probability = np.zeros(self.vocab_size)
                probability[words] = level["ratio"][run]
        return probability

    def perplexity(self, ids) -> float:
        """exp of the mean negative log-probability over every token of ``ids`` (inf if one is 0)."""
        return float(np.exp(-np.mean(self.log_prob(ids))))

    # checks -----------------------------------------------------------------------------

    def _fitted(self) -> NGramCounts:
        if self._counts is None:
            raise RuntimeError("this NGramLM is not fitted yet: call fit(ids, vocab_size) first")
        return self._counts

def _check_ids(ids, what: str, vocab_size: int) -> np.ndarray:
    """``ids`` as a 1-D int64 array of token ids in [0, vocab_size), or one clear ValueError."""
    if hasattr(ids, "detach"):  # a torch tensor, possibly on a GPU
        ids = ids.detach().cpu().numpy()
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"the {what} must be a 1-D stream of token ids, got shape {tuple(ids.shape)}")
    if len(ids) == 0:
        raise ValueError(f"the {what} is empty: an n-gram model needs at least one token")
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"the {what} must hold integer token ids, got dtype {ids.dtype}")
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(f"the {what} holds ids in [{low}, {high}] but the vocabulary has "
                         f"{vocab_size} entries (ids 0..{vocab_size - 1}); encode with the "
                         "same Vocabulary (unknown words -> <unk>)")
    return ids.astype(np.int64, copy=False)


def _check_discounts(discount: float | Sequence[float], order: int) -> np.ndarray:
    """[order] Kneser-Ney discounts (unigram first), each in (0, 1)."""
    values = np.atleast_1d(np.asarray(discount, dtype=np.float64))
    if values.ndim != 1 or len(values) not in (1, order):
        raise ValueError(f"discount must be one number or {order} numbers (one per order, unigram first), "
                         f"got {discount!r}")
    if not np.all((values > 0) & (values < 1)):
        raise ValueError(f"each Kneser-Ney discount must lie in (0, 1), got {discount!r}")
    return np.broadcast_to(values, (order,)).copy()
