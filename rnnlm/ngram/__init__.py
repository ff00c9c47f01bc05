"""N-gram baselines on the same token stream as the neural models (see docs/ngram.md)."""

from rnnlm.ngram.model import NGramLM

__all__ = ["NGramLM"]
