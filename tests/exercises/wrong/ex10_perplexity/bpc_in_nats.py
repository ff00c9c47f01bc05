"""Reports nats per character (forgets to divide by ln 2)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "corpus_perplexity",
    "uniform_perplexity",
    "unigram_perplexity",
    "bits_per_character",
    "perplexity_from_bits",
    "word_perplexity_from_bpc",
    "compare_models",
]


def corpus_perplexity(nll_sums: Sequence[float], token_counts: Sequence[int]) -> float:
    """Perplexity of a whole evaluation set from per-batch NLL sums (nats) and token counts.

    Args:
        nll_sums: for each batch, the SUM over its tokens of ``-ln p(token)``.
        token_counts: for each batch, its number of tokens (same length as ``nll_sums``).

    Returns:
        ``exp(sum(nll_sums) / sum(token_counts))``.

    Raises:
        ValueError: if the two lists differ in length or hold no token at all.
    """
    if len(nll_sums) != len(token_counts):
        raise ValueError(f"one token count per batch: got {len(nll_sums)} NLL sums and {len(token_counts)} counts")
    if sum(token_counts) <= 0:
        raise ValueError("the batches hold no token: perplexity is undefined")
    return math.exp(sum(nll_sums) / sum(token_counts))


def uniform_perplexity(vocab_size: int) -> float:
    """Perplexity of the uniform model ``p(w) = 1 / V`` on any text.

    >>> uniform_perplexity(10000)
    10000.0
    """
    return float(vocab_size)  # exp(-ln(1 / V)) = V, whatever the text


def unigram_perplexity(token_counts: Sequence[int]) -> float:
    """Perplexity on a text of the unigram model fitted to that same text (its MLE frequencies).

    Args:
        token_counts: how many times each vocabulary entry occurs in the text (zeros allowed).

    Returns:
        ``exp(H)`` with ``H = -sum_w p(w) ln p(w)`` and ``p(w) = count(w) / total`` (``0 ln 0 = 0``).
        No model that ignores context does better on this text; ``<= uniform_perplexity(V)``.

    >>> round(unigram_perplexity([2, 1, 1, 0]), 4)      # p = 1/2, 1/4, 1/4
    2.8284
    """
    total = sum(token_counts)
    entropy = -sum((count / total) * math.log(count / total) for count in token_counts if count > 0)
    return math.exp(entropy)


def bits_per_character(nll_sum_nats: float, num_characters: int) -> float:
    """Bits per character: the mean NLL per character in base 2 (``nats / ln 2``).

    >>> round(bits_per_character(math.log(2) * 30, 20), 4)
    1.5
    """
    return nll_sum_nats / num_characters


def perplexity_from_bits(bits_per_token: float) -> float:
    """The perplexity that corresponds to a cross-entropy of ``bits_per_token`` bits: ``2 ** bits``.

    >>> perplexity_from_bits(1.5)
    2.8284271247461903
    """
    return 2.0**bits_per_token


def word_perplexity_from_bpc(bpc: float, characters_per_word: float) -> float:
    """A character model's bpc as a per-word perplexity: ``2 ** (bpc * characters_per_word)``.

    ``characters_per_word`` counts every character a word costs, including the space or
    newline after it (total characters / total words of the text).

    >>> round(word_perplexity_from_bpc(1.5, 5.5), 2)
    304.44
    """
    return 2.0 ** (bpc * characters_per_word)


def compare_models(lstm_nll_sum: float, trigram_nll_sum: float, num_tokens: int) -> dict[str, float]:
    """Compare an LSTM and a trigram scored on the same ``num_tokens`` test tokens (NLL sums in nats).

    Returns:
        ``{"lstm_perplexity", "trigram_perplexity", "reduction", "bits_saved_per_token"}``:
        the two perplexities; ``reduction = 1 - lstm / trigram`` (the relative perplexity
        reduction, 0.3 = "30% lower"); ``bits_saved_per_token = log2(trigram / lstm)``, how many
        fewer bits per token the LSTM needs (negative if the trigram is better, 0 for a tie).

    >>> {k: round(v, 4) for k, v in compare_models(100 * math.log(100), 100 * math.log(200), 100).items()}
    {'lstm_perplexity': 100.0, 'trigram_perplexity': 200.0, 'reduction': 0.5, 'bits_saved_per_token': 1.0}
    """
    lstm = math.exp(lstm_nll_sum / num_tokens)
    trigram = math.exp(trigram_nll_sum / num_tokens)
    return {
        "lstm_perplexity": lstm,
        "trigram_perplexity": trigram,
        "reduction": 1.0 - lstm / trigram,
        "bits_saved_per_token": (trigram_nll_sum - lstm_nll_sum) / (num_tokens * math.log(2)),
    }
