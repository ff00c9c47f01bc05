"""NGramLM: normalisation, hand-computed examples, brute-force counts, agreement with nltk.lm."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
import torch

from rnnlm.ngram.counting import count_ngrams, lookup_gram
from rnnlm.ngram.model import NGramLM
from rnnlm.ngram.reference import fit_on_stream, kneser_ney_with_uniform_base

SMOOTHINGS = ["mle", "add_k", "kneser_ney", "modified_kneser_ney"]


def zipf_stream(seed: int, length: int, distinct: int) -> np.ndarray:
    """A skewed random stream over ids 0..distinct-1 (so that counts of counts n1..n4 exist)."""
    rng = np.random.default_rng(seed)
    return (rng.zipf(1.4, size=length) - 1) % distinct


# normalisation and consistency ---------------------------------------------------------------


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_distribution_sums_to_one_for_seen_and_unseen_contexts(smoothing, order):
    vocab_size = 60  # ids 50..59 never occur in training: unseen words and contexts
    stream = zipf_stream(order, 4000, 50)
    lm = NGramLM(order, smoothing).fit(stream, vocab_size)
    rng = np.random.default_rng(1)
    contexts = [stream[i:i + order - 1] for i in rng.integers(0, 3000, size=20)]  # seen
    contexts += [rng.integers(0, vocab_size, size=order - 1) for _ in range(20)]  # mostly unseen
    contexts += [rng.integers(0, vocab_size, size=length) for length in range(order - 1)]  # short
    for context in contexts:
        distribution = lm.distribution(context)
        assert distribution.shape == (vocab_size,)
        assert np.all(distribution >= 0)
        assert abs(distribution.sum() - 1.0) < 1e-12, (context, distribution.sum())
        if smoothing != "mle":
            assert np.all(distribution > 0), "smoothed models give every word a probability"


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_log_prob_of_a_stream_equals_the_distribution_of_each_context(smoothing):
    stream = zipf_stream(7, 3000, 40)
    lm = NGramLM(3, smoothing).fit(stream, 45)
    scored = np.concatenate([zipf_stream(8, 200, 45), [44, 44, 3]])  # unseen ids and contexts too
    log_probs = lm.log_prob(scored) if smoothing != "mle" else None
    if smoothing == "mle":
        with pytest.warns(RuntimeWarning, match="probability 0"):
            log_probs = lm.log_prob(scored)
    # position i is conditioned on the min(i, order - 1) tokens before it
    expected = [lm.distribution(scored[max(0, i - 2):i])[scored[i]] for i in range(len(scored))]
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(log_probs, np.log(expected), rtol=1e-12, atol=0)


def test_stream_start_uses_shorter_contexts():
    lm = NGramLM(3, "add_k", k=0.5).fit(np.array([0, 1, 0, 1, 2]), vocab_size=4)
    log_probs = lm.log_prob(np.array([0, 1, 0]))
    unigram = (2 + 0.5) / (5 + 0.5 * 4)  # c(a) = 2 of 5 tokens
    bigram = (2 + 0.5) / (2 + 0.5 * 4)  # c(a b) = 2, c(a .) = 2
    trigram = (1 + 0.5) / (2 + 0.5 * 4)  # c(a b a) = 1, c(a b .) = 2: (a b a) and (a b c)
    np.testing.assert_allclose(np.exp(log_probs), [unigram, bigram, trigram], rtol=1e-14)


# hand-computed examples ------------------------------------------------------------------------

# corpus "a b a b c" with a = 0, b = 1, c = 2 and an unseen id 3 (<unk>): V = 4
TINY = np.array([0, 1, 0, 1, 2])


def test_add_k_by_hand():
    lm = NGramLM(2, "add_k", k=0.5).fit(TINY, vocab_size=4)
    # c(a b) = 2, c(a .) = 2: P(b | a) = (2 + .5) / (2 + .5 * 4) = 2.5 / 4; P(x | a) = .5 / 4 otherwise
    np.testing.assert_allclose(lm.distribution([0]), [0.125, 0.625, 0.125, 0.125], rtol=1e-15)
    # c(b a) = c(b c) = 1, c(b .) = 2: (1 + .5) / 4 and .5 / 4
    np.testing.assert_allclose(lm.distribution([1]), [0.375, 0.125, 0.375, 0.125], rtol=1e-15)
    # c is never followed by anything (last token): c(c .) = 0, the uniform 1 / V
    np.testing.assert_allclose(lm.distribution([2]), [0.25] * 4, rtol=1e-15)
    # unigram: (c(w) + .5) / (5 + .5 * 4)
    np.testing.assert_allclose(lm.distribution([]), np.array([2.5, 2.5, 1.5, 0.5]) / 7, rtol=1e-15)


def test_kneser_ney_by_hand():
    lm = NGramLM(2, "kneser_ney", discount=0.5).fit(TINY, vocab_size=4)
    # unigram level, continuation counts N1+(. w): a <- b, b <- a, c <- b: 1 each; 3 distinct bigrams.
    # P1(w) = max(N1+(. w) - D, 0) / 3 + D * 3 / 3 * 1/V   (interpolated with the uniform 1/V)
    p1 = np.array([0.5 / 3 + 0.5 / 4] * 3 + [0.5 / 4])
    np.testing.assert_allclose(lm.distribution([]), p1, rtol=1e-14)
    # context a: c(a b) = 2, c(a .) = 2, N1+(a .) = 1: alpha(b) = 1.5 / 2, gamma = .5 * 1 / 2
    np.testing.assert_allclose(lm.distribution([0]), 0.25 * p1 + [0, 0.75, 0, 0], rtol=1e-14)
    # context b: c(b a) = c(b c) = 1, N1+(b .) = 2: alpha = .5 / 2 each, gamma = .5 * 2 / 2
    np.testing.assert_allclose(lm.distribution([1]), 0.5 * p1 + [0.25, 0, 0.25, 0], rtol=1e-14)
    # context c (never followed) and context <unk> (never seen): the unigram level unchanged
    np.testing.assert_allclose(lm.distribution([2]), p1, rtol=1e-14)
    np.testing.assert_allclose(lm.distribution([3]), p1, rtol=1e-14)
    # P(b | a) = .75 + .25 * (.5/3 + .5/4) = 0.822916...
    assert lm.distribution([0])[1] == pytest.approx(0.75 + 0.25 * (0.5 / 3 + 0.125), rel=1e-14)


def test_per_order_discounts_and_modified_kneser_ney_estimates():
    stream = zipf_stream(3, 20000, 5000)
    per_order = NGramLM(3, "kneser_ney", discount=[0.3, 0.6, 0.9]).fit(stream, 5000)
    np.testing.assert_array_equal(per_order.discounts_, [[0.3] * 3, [0.6] * 3, [0.9] * 3])
    lm = NGramLM(3, "modified_kneser_ney").fit(stream, 5000)
    # eq. 26 of Chen & Goodman from counts of counts computed here with a Counter
    trigram_counts = Counter(Counter(zip(stream, stream[1:], stream[2:])).values())
    bigram_types = set(zip(stream, stream[1:]))
    continuation = Counter(Counter(b for _, b in bigram_types).values())  # N1+(. w) of unigrams
    for order_index, n in [(2, trigram_counts), (0, continuation)]:
        assert all(n[c] > 0 for c in (1, 2, 3, 4))
        y = n[1] / (n[1] + 2 * n[2])
        expected = [1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]]
        np.testing.assert_allclose(lm.discounts_[order_index], np.clip(expected, 0, [1, 2, 3]), rtol=1e-14)


# counting against brute force --------------------------------------------------------------------


def test_counts_and_continuation_counts_match_brute_force():
    stream = zipf_stream(11, 700, 12)
    order, vocab_size = 5, 10**6  # a large V: the keys must not overflow int64
    counts = count_ngrams(stream, order, vocab_size)
    for m in range(1, order + 1):
        grams = Counter(tuple(stream[i:i + m]) for i in range(len(stream) - m + 1))
        assert len(counts.keys[m - 1]) == len(grams)
        for gram, occurrences in grams.items():
            node = lookup_gram(counts, np.array(gram))
            assert counts.counts[m - 1][node] == occurrences
        if m < order:
            longer = {tuple(stream[i:i + m + 1]) for i in range(len(stream) - m)}
            left_context = Counter(gram[1:] for gram in longer)
            for gram in grams:
                assert counts.continuation[m - 1][lookup_gram(counts, np.array(gram))] == left_context[gram]
    assert lookup_gram(counts, np.array([99999])) == -1


@pytest.mark.parametrize("high", [50, 2**40, 2**62])  # the last cannot be packed with positions
def test_unique_and_hash_index_match_numpy(high):
    from rnnlm.ngram.counting import KeyIndex, _unique

    values = np.random.default_rng(0).integers(0, high, size=5000)
    expected = np.unique(values, return_inverse=True, return_counts=True)
    for ours, theirs in zip(_unique(values), expected):
        np.testing.assert_array_equal(ours, theirs.reshape(-1))
    keys = expected[0]
    queries = np.concatenate([values, np.random.default_rng(1).integers(0, high, size=5000)])
    position = np.searchsorted(keys, queries).clip(max=len(keys) - 1)
    np.testing.assert_array_equal(KeyIndex(keys).find(queries), np.where(keys[position] == queries, position, -1))


# agreement with nltk.lm --------------------------------------------------------------------------

nltk_lm = pytest.importorskip("nltk.lm")


def nltk_fit(model, stream: np.ndarray):
    return fit_on_stream(model, [str(i) for i in stream])


def word(index: int, distinct: int) -> str:
    return "<UNK>" if index == distinct else str(index)  # our last id is nltk's <UNK>


def all_contexts(stream: np.ndarray, order: int, distinct: int):
    """Every context of length 0..order-1 over the vocabulary (small V only)."""
    for length in range(order):
        yield from itertools.product(range(distinct + 1), repeat=length)


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("k", [1.0, 0.1])
def test_add_k_agrees_with_nltk_lidstone(order, k):
    distinct = 5
    stream = zipf_stream(order, 300, distinct)
    assert set(stream.tolist()) == set(range(distinct))
    ours = NGramLM(order, "add_k", k=k).fit(stream, distinct + 1)  # + 1: nltk's <UNK>
    theirs = nltk_fit(nltk_lm.Laplace(order) if k == 1.0 else nltk_lm.Lidstone(k, order), stream)
    for context in all_contexts(stream, order, distinct):
        expected = [theirs.score(word(w, distinct), [word(c, distinct) for c in context])
                    for w in range(distinct + 1)]
        np.testing.assert_allclose(ours.distribution(context), expected, rtol=1e-9, atol=0)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_mle_agrees_with_nltk_on_seen_contexts(order):
    distinct = 5
    stream = zipf_stream(order + 10, 300, distinct)
    ours = NGramLM(order, "mle").fit(stream, distinct + 1)
    theirs = nltk_fit(nltk_lm.MLE(order), stream)
    compared = 0
    for context in all_contexts(stream, order, distinct):
        if not theirs.context_counts(tuple(word(c, distinct) for c in context)).N():
            continue  # unseen context: nltk gives 0 everywhere (not a distribution); we back off
        expected = [theirs.score(word(w, distinct), [word(c, distinct) for c in context])
                    for w in range(distinct + 1)]
        np.testing.assert_allclose(ours.distribution(context), expected, rtol=1e-9, atol=0)
        compared += 1
    assert compared > 5 ** (order - 1) // 2


def starts_are_repeated(stream: np.ndarray, order: int) -> bool:
    """Every lower-order n-gram at the stream's start also occurs later (where nltk and the
    definition coincide: nltk counts a context's distinct followers on raw counts)."""
    text = stream.tolist()
    return all(any(text[i:i + m] == text[:m] for i in range(1, len(text) - m + 1)) for m in range(1, order))


@pytest.mark.parametrize("order", [2, 3, 4])
def test_kneser_ney_agrees_with_nltk_where_definitions_coincide(order):
    distinct, discount = 4, 0.75
    stream = zipf_stream(order + 20, 250, distinct)
    assert starts_are_repeated(stream, order)
    ours = NGramLM(order, "kneser_ney", discount=discount).fit(stream, distinct + 1)
    theirs = nltk_fit(kneser_ney_with_uniform_base(order, discount), stream)
    for context in all_contexts(stream, order, distinct):
        expected = [theirs.score(word(w, distinct), [word(c, distinct) for c in context])
                    for w in range(distinct + 1)]
        np.testing.assert_allclose(ours.distribution(context), expected, rtol=1e-9, atol=0)


def test_nltk_differs_where_an_ngram_occurs_only_at_the_stream_start():
    """The second documented difference: (4 3) occurs only at position 0, so its continuation
    count is 0. nltk still counts 3 among the followers of (4) (on raw counts) when weighing
    the lower order, and its P(. | 4) sums to 1.375; ours counts continuation types and sums to 1.
    Where a context occurs only at the start, nltk divides by a zero continuation total."""
    stream = np.array([4, 3, 0, 1, 4, 0, 2, 1, 0, 1, 3, 2, 0, 1, 1, 2, 4, 2, 1, 0])
    ours = NGramLM(3, "kneser_ney").fit(stream, 6)
    theirs = nltk_fit(kneser_ney_with_uniform_base(3, 0.75), stream)
    nltk_total = sum(theirs.score(word(w, 5), ["4"]) for w in range(6))
    assert nltk_total == pytest.approx(1.375, rel=1e-12)
    assert ours.distribution([4]).sum() == pytest.approx(1.0, abs=1e-12)
    only_at_start = nltk_fit(kneser_ney_with_uniform_base(3, 0.75), np.array([4, 3, 0, 1, 0, 2, 1, 0, 1, 3]))
    with pytest.raises(ZeroDivisionError):
        only_at_start.score("0", ["4"])
    assert NGramLM(3, "kneser_ney").fit(np.array([4, 3, 0, 1, 0, 2, 1, 0, 1, 3]), 6).distribution([4]).sum() == \
        pytest.approx(1.0, abs=1e-12)


def test_unmodified_nltk_kneser_ney_unigram_differs_only_by_the_uniform_base():
    distinct, discount = 5, 0.75
    stream = zipf_stream(5, 300, distinct)
    ours = NGramLM(2, "kneser_ney", discount=discount).fit(stream, distinct + 1)
    theirs = nltk_fit(nltk_lm.KneserNeyInterpolated(2, discount=discount), stream)
    bigram_types = len(set(zip(stream.tolist(), stream[1:].tolist())))
    for w in range(distinct + 1):
        nltk_unigram = theirs.score(word(w, distinct))  # N1+(. w) / N1+(. .), 0 for <UNK>
        seen_types = distinct  # every real word follows another one in this stream
        ours_expected = (max(nltk_unigram * bigram_types - discount, 0) / bigram_types
                         + discount * seen_types / bigram_types / (distinct + 1))
        assert ours.distribution([])[w] == pytest.approx(ours_expected, rel=1e-12)
    assert theirs.score("<UNK>") == 0.0 and ours.distribution([])[distinct] > 0


# perplexity, unseen words and bad input ----------------------------------------------------------


def test_unseen_words_are_never_zero_probability_except_under_mle():
    stream = zipf_stream(2, 2000, 30)
    test_stream = np.array([0, 31, 1, 31, 31, 2])  # 31: in the vocabulary, never in training
    for smoothing in ["add_k", "kneser_ney", "modified_kneser_ney"]:
        lm = NGramLM(3, smoothing).fit(stream, 32)
        assert math.isfinite(lm.perplexity(test_stream))
    mle = NGramLM(3, "mle").fit(stream, 32)
    with pytest.warns(RuntimeWarning, match="3 of 6 tokens have probability 0"):
        assert mle.perplexity(test_stream) == math.inf


def test_perplexity_is_exp_of_mean_negative_log_prob_and_takes_torch_tensors():
    stream = zipf_stream(4, 2000, 30)
    lm = NGramLM(2, "kneser_ney").fit(torch.as_tensor(stream), 30)
    held_out = zipf_stream(5, 500, 30)
    expected = math.exp(-np.mean(lm.log_prob(held_out)))
    assert lm.perplexity(torch.as_tensor(held_out)) == pytest.approx(expected, rel=1e-12)
    uniform = NGramLM(1, "add_k", k=1e9).fit(stream, 30)  # a huge pseudo-count: ~uniform
    assert uniform.perplexity(held_out) == pytest.approx(30, rel=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"order": 0}, "order must be an integer >= 1"),
    ({"order": 2.5}, "order must be an integer >= 1"),
    ({"smoothing": "witten_bell"}, "choose one of: mle, add_k, kneser_ney"),
    ({"smoothing": "add_k", "k": 0}, "k must be a finite number > 0"),
    ({"smoothing": "add_k", "k": -1.0}, "k must be a finite number > 0"),
    ({"smoothing": "mle", "k": 1.0}, "does not apply to 'mle'"),
    ({"discount": 1.0}, r"discount must lie in \(0, 1\)"),
    ({"discount": 0.0}, r"discount must lie in \(0, 1\)"),
    ({"discount": [0.5, 0.5]}, "one number or 3 numbers"),
    ({"smoothing": "modified_kneser_ney", "discount": 0.5}, "estimates its discounts"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NGramLM(**{"order": 3, **kwargs})


def test_bad_streams_and_contexts():
    lm = NGramLM(3)
    with pytest.raises(RuntimeError, match="not fitted"):
        lm.distribution([])
    with pytest.raises(ValueError, match="training stream is empty"):
        lm.fit(np.array([], dtype=np.int64), 10)
    with pytest.raises(ValueError, match=r"ids in \[0, 12\] but the vocabulary has 10"):
        lm.fit(np.array([0, 12]), 10)
    with pytest.raises(ValueError, match="integer token ids"):
        lm.fit(np.array([0.0, 1.0]), 10)
    with pytest.raises(ValueError, match="1-D stream"):
        lm.fit(np.zeros((2, 3), dtype=np.int64), 10)
    with pytest.raises(ValueError, match="vocab_size must be an integer >= 1"):
        lm.fit(np.array([0, 1]), 0)
    lm.fit(np.array([0, 1, 2, 3]), 10)
    with pytest.raises(ValueError, match="context has 3 tokens but an order-3 model conditions on at most 2"):
        lm.distribution([0, 1, 2])
    with pytest.raises(ValueError, match=r"ids in \[-1, 1\]"):
        lm.distribution([-1, 1])
    with pytest.raises(ValueError, match="scored stream is empty"):
        lm.perplexity([])


def test_modified_kneser_ney_falls_back_to_one_discount_without_rare_ngrams():
    stream = np.array([0, 1, 0, 1, 0, 1, 0, 1, 2, 2])
    lm = NGramLM(2, "modified_kneser_ney").fit(stream, 4)
    # bigrams: (0 1) x4, (1 0) x3, (1 2) x1, (2 2) x1: n1 = 2, n2 = 0 -> the default 0.75.
    # unigram level, continuation counts: 0 <- {1}, 1 <- {0}, 2 <- {1, 2}: n1 = 2, n2 = 1, n3 = 0
    # -> Y = n1 / (n1 + 2 n2) = 2 / 4
    np.testing.assert_array_equal(lm.discounts_, [[0.5] * 3, [0.75] * 3])
    assert abs(lm.distribution([1]).sum() - 1) < 1e-12
