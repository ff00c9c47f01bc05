"""nltk.lm as an independent reference for ``NGramLM`` (for tests and benchmarks; needs nltk).

``nltk.lm.KneserNeyInterpolated`` and our ``kneser_ney`` coincide except in one definition:
nltk's unigram level is the bare continuation ratio N1+(. w) / N1+(. .), where Chen & Goodman
(1998) discount it too and interpolate it with the uniform distribution 1/V (so that no word
of the vocabulary, ``<unk>`` included, gets probability 0). ``kneser_ney_with_uniform_base``
is nltk's model with that one method replaced; counting, continuation counts, discounting
and the recursion stay nltk's code. A second difference remains, only for an n-gram that
occurs nowhere but at the very start of the stream (its continuation count is 0): nltk weighs a
lower-order context by its distinct followers on raw counts, so that P(. | context) no longer
sums to 1, and it divides by zero for a context seen only there; ours counts continuation
types and passes such a context through to the lower order.
"""

from __future__ import annotations

from collections.abc import Sequence


def fit_on_stream(model, tokens: Sequence[str]):
    """Fit an nltk model on ONE stream without padding: every m-gram, m = 1..order, as ours."""
    from nltk.util import everygrams

    tokens = list(tokens)
    model.fit([list(everygrams(tokens, max_len=model.order))], vocabulary_text=tokens)
    return model


def kneser_ney_with_uniform_base(order: int, discount: float):
    """nltk's interpolated Kneser-Ney whose unigram level is Chen & Goodman's (see above)."""
    from nltk.lm.models import InterpolatedLanguageModel
    from nltk.lm.smoothing import KneserNey

    class KneserNeyWithUniformBase(KneserNey):
        _seen_types: int | None = None

        def unigram_score(self, word):
            count, total = self._continuation_counts(word)
            if self._seen_types is None:  # words with N1+(. w) > 0: those that follow some word
                self._seen_types = len({w for followers in self.counts[2].values() for w in followers})
            return (max(count - self.discount, 0) / total
                    + self.discount * self._seen_types / total / len(self.vocab))

    return InterpolatedLanguageModel(KneserNeyWithUniformBase, order, params={"discount": discount, "order": order})
