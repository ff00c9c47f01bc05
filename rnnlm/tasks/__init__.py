"""Sequence tagging and sentence classification with (bidirectional) RNNs on Shakespeare's plays."""

from rnnlm.tasks.data import GenreDataModule, ShakespeareTaskDataModule, TruecaseDataModule
from rnnlm.tasks.models import POOLINGS, SentenceClassifier, SequenceTagger, pool

__all__ = ["GenreDataModule", "POOLINGS", "SentenceClassifier", "SequenceTagger", "ShakespeareTaskDataModule",
           "TruecaseDataModule", "pool"]
