"""Hidden suite of exercise 10 (theory): perplexity arithmetic (5.5.3)."""

import math

import numpy as np

from autograder.checks import compare, points, seed_of

EXERCISE = "ex10_perplexity"
IMPORT_TORCH = False  # plain floats: the worker starts without torch (faster)


@points(2.5)
def test_corpus_perplexity(submission, reference):
    rng = np.random.default_rng(seed_of(EXERCISE, "corpus"))
    counts = [int(c) for c in rng.integers(1, 700, size=6)]
    sums = [float(c * rng.uniform(3.0, 6.0)) for c in counts]
    cases = [("uneven batches", sums, counts), ("one batch", sums[:1], counts[:1]),
             ("a short last window", [700.0 * 4.2, 35.0 * 9.0], [700, 35]), ("perfect model", [0.0, 0.0], [10, 20])]
    for label, nll_sums, token_counts in cases:
        compare(submission, reference, "corpus_perplexity", (nll_sums, token_counts), rtol=1e-10, atol=1e-12,
                case=label, name="perplexity")


@points(1)
def test_uniform_perplexity(submission, reference):
    for vocab in (1, 2, 10000, 33278):
        compare(submission, reference, "uniform_perplexity", (vocab,), rtol=1e-12, atol=0, case=f"V={vocab}",
                name="perplexity")


@points(2)
def test_unigram_perplexity(submission, reference):
    rng = np.random.default_rng(seed_of(EXERCISE, "unigram"))
    cases = [("counts with zeros", [2, 1, 1, 0]), ("Zipf-like", [int(1000 / r) for r in range(1, 50)]),
             ("one type", [7]), ("uniform", [5] * 8), ("random", [int(c) for c in rng.integers(0, 100, size=30)])]
    for label, counts in cases:
        compare(submission, reference, "unigram_perplexity", (counts,), rtol=1e-10, atol=1e-12, case=label,
                name="perplexity")


@points(1.5)
def test_bits_per_character(submission, reference):
    for nll, characters in [(math.log(2) * 30, 20), (1234.5, 1000), (0.0, 5), (1e6, 3)]:
        compare(submission, reference, "bits_per_character", (nll, characters), rtol=1e-12, atol=1e-12,
                case=f"{characters} characters", name="bpc")


@points(1)
def test_perplexity_from_bits(submission, reference):
    for bits in (1.5, 0.0, 7.2, 12.0):
        compare(submission, reference, "perplexity_from_bits", (bits,), rtol=1e-12, atol=0, case=f"{bits} bits",
                name="perplexity")


@points(1)
def test_word_perplexity_from_bpc(submission, reference):
    for bpc, characters_per_word in [(1.5, 5.5), (1.2, 6.1), (0.9, 1.0)]:
        compare(submission, reference, "word_perplexity_from_bpc", (bpc, characters_per_word), rtol=1e-10, atol=0,
                case=f"bpc={bpc}, {characters_per_word} characters per word", name="word perplexity")


@points(1)
def test_compare_models(submission, reference):
    for lstm, trigram, tokens in [(100 * math.log(100), 100 * math.log(200), 100), (5000.0, 4000.0, 1000),
                                  (820.3, 1107.9, 250), (4321.0, 4321.0, 900)]:
        compare(submission, reference, "compare_models", (lstm, trigram, tokens), rtol=1e-10, atol=1e-12,
                case=f"{tokens} tokens", name="comparison")
