"""Public tests of exercise 9 (n-gram LM): signatures, shapes, dtypes, one known value each."""

import inspect
import math

import numpy as np

import ex09_ngram as ex

TRAIN = [0, 1, 0, 1, 2]


def test_signatures():
    assert list(inspect.signature(ex.count_ngrams).parameters) == ["ids", "n"]
    assert list(inspect.signature(ex.continuation_counts).parameters) == ["ids", "n"]
    assert list(inspect.signature(ex.add_k_distribution).parameters) == ["train_ids", "vocab_size", "context", "k"]
    assert list(inspect.signature(ex.kneser_ney_distribution).parameters) == [
        "train_ids", "vocab_size", "order", "context", "discount"]
    assert list(inspect.signature(ex.ngram_log_probs).parameters) == [
        "train_ids", "test_ids", "vocab_size", "order", "smoothing", "k", "discount"]
    assert list(inspect.signature(ex.perplexity).parameters) == ["log_probs"]


def test_count_ngrams_known_value():
    assert ex.count_ngrams(TRAIN, 2) == {(0, 1): 2, (1, 0): 1, (1, 2): 1}


def test_continuation_counts_type():
    counts = ex.continuation_counts(TRAIN, 1)
    assert isinstance(counts, dict) and all(isinstance(key, tuple) for key in counts)


def test_add_k_distribution_known_value():
    distribution = ex.add_k_distribution(TRAIN, 3, context=[0], k=1.0)
    assert distribution.shape == (3,)
    np.testing.assert_allclose(distribution, [0.2, 0.6, 0.2])


def test_kneser_ney_distribution_sums_to_one():
    distribution = ex.kneser_ney_distribution(TRAIN, 4, order=2, context=[1])
    assert distribution.shape == (4,) and distribution.dtype == np.float64
    assert abs(distribution.sum() - 1) < 1e-9 and (distribution > 0).all()


def test_ngram_log_probs_shape():
    log_probs = ex.ngram_log_probs(TRAIN, [2, 0, 1], 3, order=2, smoothing="add_k")
    assert log_probs.shape == (3,)
    assert abs(log_probs[0] - math.log(2 / 8)) < 1e-9  # the first token has no context: (1 + 1) / (5 + 3)


def test_perplexity_known_value():
    assert abs(ex.perplexity(np.log(np.full(4, 0.25))) - 4.0) < 1e-9
