"""Public tests of exercise 10 (perplexity arithmetic): signatures, return types, one known value each."""

import inspect
import math

import ex10_perplexity as ex


def test_signatures():
    assert list(inspect.signature(ex.corpus_perplexity).parameters) == ["nll_sums", "token_counts"]
    assert list(inspect.signature(ex.uniform_perplexity).parameters) == ["vocab_size"]
    assert list(inspect.signature(ex.unigram_perplexity).parameters) == ["token_counts"]
    assert list(inspect.signature(ex.bits_per_character).parameters) == ["nll_sum_nats", "num_characters"]
    assert list(inspect.signature(ex.perplexity_from_bits).parameters) == ["bits_per_token"]
    assert list(inspect.signature(ex.word_perplexity_from_bpc).parameters) == ["bpc", "characters_per_word"]
    assert list(inspect.signature(ex.compare_models).parameters) == ["lstm_nll_sum", "trigram_nll_sum", "num_tokens"]


def test_corpus_perplexity_known_value():
    assert math.isclose(ex.corpus_perplexity([10.0, 3.0], [5, 1]), math.exp(13 / 6), rel_tol=1e-9)


def test_uniform_perplexity_known_value():
    assert math.isclose(ex.uniform_perplexity(10000), 10000.0, rel_tol=1e-9)


def test_unigram_perplexity_known_value():
    assert math.isclose(ex.unigram_perplexity([2, 1, 1, 0]), 2 ** 1.5, rel_tol=1e-9)


def test_bits_per_character_known_value():
    assert math.isclose(ex.bits_per_character(math.log(2) * 30, 20), 1.5, rel_tol=1e-9)


def test_perplexity_from_bits_known_value():
    assert math.isclose(ex.perplexity_from_bits(1.5), 2 ** 1.5, rel_tol=1e-9)


def test_word_perplexity_from_bpc_known_value():
    assert math.isclose(ex.word_perplexity_from_bpc(1.0, 3.0), 8.0, rel_tol=1e-9)


def test_compare_models_keys():
    result = ex.compare_models(100 * math.log(100), 100 * math.log(200), 100)
    assert set(result) == {"lstm_perplexity", "trigram_perplexity", "reduction", "bits_saved_per_token"}
    assert math.isclose(result["reduction"], 0.5, rel_tol=1e-9)
