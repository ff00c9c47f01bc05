"""Correct alternative for exercise 10: NumPy, log2 arithmetic and conversions through one another."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["corpus_perplexity", "uniform_perplexity", "unigram_perplexity", "bits_per_character",
           "perplexity_from_bits", "word_perplexity_from_bpc", "compare_models"]


def corpus_perplexity(nll_sums: Sequence[float], token_counts: Sequence[int]) -> float:
    return float(np.exp(np.sum(nll_sums) / np.sum(token_counts)))


def uniform_perplexity(vocab_size: int) -> float:
    return math.exp(-vocab_size * (1.0 / vocab_size) * math.log(1.0 / vocab_size))


def unigram_perplexity(token_counts: Sequence[int]) -> float:
    counts = np.asarray(token_counts, dtype=np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(2.0 ** -(p * np.log2(p)).sum())


def bits_per_character(nll_sum_nats: float, num_characters: int) -> float:
    return nll_sum_nats * math.log2(math.e) / num_characters


def perplexity_from_bits(bits_per_token: float) -> float:
    return math.exp(bits_per_token * math.log(2))


def word_perplexity_from_bpc(bpc: float, characters_per_word: float) -> float:
    return perplexity_from_bits(bpc) ** characters_per_word


def compare_models(lstm_nll_sum: float, trigram_nll_sum: float, num_tokens: int) -> dict[str, float]:
    lstm, trigram = corpus_perplexity([lstm_nll_sum], [num_tokens]), corpus_perplexity([trigram_nll_sum], [num_tokens])
    return {
        "lstm_perplexity": lstm,
        "trigram_perplexity": trigram,
        "reduction": (trigram - lstm) / trigram,
        "bits_saved_per_token": math.log2(trigram) - math.log2(lstm),
    }
