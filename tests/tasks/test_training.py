"""Short training runs on a slice of the plays beat the majority-class baseline on unseen plays."""

from __future__ import annotations

import lightning as L
import pytest

from rnnlm.tasks.data import GenreDataModule, TruecaseDataModule
from rnnlm.tasks.models import SentenceClassifier, SequenceTagger


def train_and_test(model, data, epochs: int) -> float:
    trainer = L.Trainer(max_epochs=epochs, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, num_sanity_val_steps=0)
    trainer.fit(model, data)
    return trainer.test(model, data, verbose=False)[0]["test/acc"]


@pytest.mark.slow
def test_tagger_beats_the_majority_baseline(speeches):
    L.seed_everything(0, verbose=False)
    data = TruecaseDataModule(speeches=speeches, limit_train=500, limit_valid=10, limit_test=200, batch_size=32,
                              max_words=40)
    model = SequenceTagger(data.vocab_size, data.num_labels, embedding_size=32, hidden_size=32, learning_rate=1e-2)
    accuracy = train_and_test(model, data, epochs=3)
    _, baseline = data.majority_baseline("test")
    assert accuracy > baseline + 0.02, (accuracy, baseline)  # measured: 0.865 against 0.828


@pytest.mark.slow
def test_classifier_beats_the_majority_baseline(speeches):
    L.seed_everything(0, verbose=False)
    data = GenreDataModule(speeches=speeches, limit_train=2500, limit_valid=10, limit_test=400, batch_size=64,
                           max_words=50)
    model = SentenceClassifier(data.vocab_size, data.num_labels, pooling="mean", embedding_size=32, hidden_size=32,
                               learning_rate=1e-2)
    accuracy = train_and_test(model, data, epochs=4)
    _, baseline = data.majority_baseline("test")
    assert accuracy > baseline + 0.05, (accuracy, baseline)  # measured: 0.41 against 0.295
