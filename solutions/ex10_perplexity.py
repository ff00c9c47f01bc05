"""Exercise 10 (theory): perplexity arithmetic.

Chapter 5, section 5.5.3. Perplexity is the exponential of the average negative log-likelihood
PER TOKEN over a whole evaluation set:

    PPL = exp( (sum of -ln p(token) over all tokens) / (number of tokens) )

Answer in code:

* :func:`corpus_perplexity`: from per-batch SUMS of NLL and per-batch token counts (batches can
  have different sizes: the last TBPTT window is shorter); the mean of per-batch perplexities
  (or of per-batch mean losses) is NOT the corpus perplexity when batches are uneven;
* :func:`uniform_perplexity`: a model that spreads probability evenly over ``V`` tokens (the
  upper bound any sensible model must beat);
* :func:`unigram_perplexity`: the best any context-free (unigram) model can do on a text, the
  exponential of the entropy of the text's own token frequencies;
* :func:`bits_per_character` and :func:`perplexity_from_bits`: character models are reported in
  bits (log base 2) per character, ``bpc = NLL_nats / (N ln 2)``, and ``PPL = 2 ** bpc``;
* :func:`word_perplexity_from_bpc`: a character model's bpc turned into a per-WORD perplexity,
  so it can be compared with a word model: ``2 ** (bpc * characters_per_word)``;
* :func:`compare_models`: an LSTM against a trigram on the same test tokens.

Conventions: NLL values are in nats (natural log) unless a name says bits; counts are ints.

Worked example: two batches with NLL sums 10 and 2 nats over 5 and 1 tokens have corpus
perplexity ``exp(12 / 6) = e ** 2 = 7.389``; the mean of the batch perplexities
``(e ** 2 + e ** 2) / 2`` happens to agree here, but ``[10, 3] / [5, 1]`` gives ``exp(13/6) = 8.73``
versus ``(e ** 2 + e ** 3) / 2 = 13.74``.

>>> round(corpus_perplexity([10.0, 3.0], [5, 1]), 2)
8.73

References: Jurafsky & Martin, Speech and Language Processing, 3rd ed., 3.3 (perplexity);
Graves (2013), Generating Sequences With Recurrent Neural Networks (bits per character);
Mikolov et al. (2010), Recurrent Neural Network Based Language Model.
"""

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
    ### BEGIN SOLUTION hint: weight by tokens: divide the total NLL by the total number of tokens before exponentiating
    return math.exp(sum(nll_sums) / sum(token_counts))
    ### END SOLUTION


def uniform_perplexity(vocab_size: int) -> float:
    """Perplexity of the uniform model ``p(w) = 1 / V`` on any text.

    >>> uniform_perplexity(10000)
    10000.0
    """
    ### BEGIN SOLUTION hint: every token costs -ln(1/V) = ln V nats; the perplexity is exp of the mean cost
    return float(vocab_size)  # exp(-ln(1 / V)) = V, whatever the text
    ### END SOLUTION


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
    ### BEGIN SOLUTION hint: entropy of the frequencies p = count / total in nats, skipping zero counts, then exp
    total = sum(token_counts)
    entropy = -sum((count / total) * math.log(count / total) for count in token_counts if count > 0)
    return math.exp(entropy)
    ### END SOLUTION


def bits_per_character(nll_sum_nats: float, num_characters: int) -> float:
    """Bits per character: the mean NLL per character in base 2 (``nats / ln 2``).

    >>> round(bits_per_character(math.log(2) * 30, 20), 4)
    1.5
    """
    ### BEGIN SOLUTION hint: mean nats per character, converted to bits by dividing by ln 2
    return nll_sum_nats / (num_characters * math.log(2))
    ### END SOLUTION


def perplexity_from_bits(bits_per_token: float) -> float:
    """The perplexity that corresponds to a cross-entropy of ``bits_per_token`` bits: ``2 ** bits``.

    >>> perplexity_from_bits(1.5)
    2.8284271247461903
    """
    ### BEGIN SOLUTION hint: the base is 2 because the unit is bits
    return 2.0**bits_per_token
    ### END SOLUTION


def word_perplexity_from_bpc(bpc: float, characters_per_word: float) -> float:
    """A character model's bpc as a per-word perplexity: ``2 ** (bpc * characters_per_word)``.

    ``characters_per_word`` counts every character a word costs, including the space or
    newline after it (total characters / total words of the text).

    >>> round(word_perplexity_from_bpc(1.5, 5.5), 2)
    304.44
    """
    ### BEGIN SOLUTION hint: bits per word = bits per character times characters per word; then 2 ** that
    return 2.0 ** (bpc * characters_per_word)
    ### END SOLUTION


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
    ### BEGIN SOLUTION hint: each perplexity is exp(NLL sum / num_tokens); the bits saved are the difference of the two cross-entropies in base 2
    lstm = math.exp(lstm_nll_sum / num_tokens)
    trigram = math.exp(trigram_nll_sum / num_tokens)
    return {
        "lstm_perplexity": lstm,
        "trigram_perplexity": trigram,
        "reduction": 1.0 - lstm / trigram,
        "bits_saved_per_token": (trigram_nll_sum - lstm_nll_sum) / (num_tokens * math.log(2)),
    }
    ### END SOLUTION
