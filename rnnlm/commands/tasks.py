"""``rnnlm tag`` and ``rnnlm classify``: train and test the two Shakespeare tasks.

    rnnlm tag                                           # truecasing with a bidirectional LSTM tagger
    rnnlm classify --pooling mean --architecture gru    # genre of a speech from mean-pooled GRU states
    rnnlm tag --training.max_minutes 8 --training.limit_train 0     # longer, on every speech

Trains for at most ``--training.max_epochs`` epochs (3) within ``--training.max_minutes`` (2 by
default: on an idle 2-core CPU that is 2.4 to 3 epochs; the tagger uses a seeded subset of 8,000
training pieces), validates on a seeded subset of the validation plays, keeps the weights of the
best validation check, and prints the accuracy on the whole test split beside the majority-class
baseline (always predicting the label most frequent in training). The tasks and splits are
described in ``rnnlm.tasks.shakespeare`` and docs/tasks.md.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from typing import Literal

from rnnlm.architectures import Architecture
from rnnlm.commands.checks import check_minimum, options_checked
from rnnlm.commands.options import NetworkOptions
from rnnlm.errors import UsageError

_NETWORK = NetworkOptions(embedding_dim=64, hidden_size=64, num_layers=1, dropout=0.3, lr=5e-3)


@dataclass
class TaskTraining:
    """How long and on what the task model trains.

    Args:
        batch_size: examples per batch.
        max_epochs: most passes over the training examples.
        max_minutes: training time budget in minutes.
        limit_train: train on a random subset of this many examples (0: all).
        limit_valid: validate on a random subset of this many examples (0: all).
        limit_test: test on this many examples (0: all).
        seed: seed of the weights, subsets and training order.
        threads: torch CPU threads (small RNNs gain little from more; a busy machine loses a lot).
    """

    batch_size: int = 64
    max_epochs: int = 3
    max_minutes: float = 2.0
    limit_train: int = 0
    limit_valid: int = 500
    limit_test: int = 0
    seed: int = 0
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_epochs", "threads"):
            check_minimum(f"training.{name}", getattr(self, name), 1)
        for name in ("limit_train", "limit_valid", "limit_test"):
            check_minimum(f"training.{name}", getattr(self, name), 0)
        if not self.max_minutes > 0:
            raise UsageError(f"--training.max_minutes must be > 0; received {self.max_minutes}")


def tag(
    architecture: Architecture = "lstm",
    unidirectional: bool = False,
    model: NetworkOptions = _NETWORK,
    training: TaskTraining = TaskTraining(limit_train=8000),
) -> int:
    """Train and test the bidirectional sequence tagger (truecasing).

    Each word of a lower-cased speech is tagged lower, Capitalised or UPPER; prints the test
    accuracy beside the majority-class baseline.

    Args:
        architecture: recurrent architecture: rnn, lstm or gru.
        unidirectional: read left to right only.
        model: the recurrent network (--model.hidden_size is per direction).
        training: the training budget and data subsets.
    """
    return _train_and_test("tag", architecture, unidirectional, model, training, pooling=None)


def classify(
    pooling: Literal["mean", "max", "final"] = "max",
    architecture: Architecture = "lstm",
    unidirectional: bool = False,
    model: NetworkOptions = _NETWORK,
    training: TaskTraining = TaskTraining(),
) -> int:
    """Train and test the sentence classifier (the genre of a speech).

    The speech's hidden states are pooled into one encoding, classified as comedy, history or
    tragedy; prints the test accuracy beside the majority-class baseline.

    Args:
        pooling: sentence encoding: mean or max of the hidden states, or the final state.
        architecture: recurrent architecture: rnn, lstm or gru.
        unidirectional: read left to right only.
        model: the recurrent network (--model.hidden_size is per direction).
        training: the training budget and data subsets.
    """
    return _train_and_test("classify", architecture, unidirectional, model, training, pooling=pooling)


def _train_and_test(verb: str, architecture: str, unidirectional: bool, network: NetworkOptions,
                    training: TaskTraining, pooling: str | None) -> int:
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint

    from rnnlm.tasks.data import GenreDataModule, TruecaseDataModule
    from rnnlm.tasks.models import SentenceClassifier, SequenceTagger

    torch.set_num_threads(training.threads)
    L.seed_everything(training.seed, verbose=False)
    options = dict(batch_size=training.batch_size, limit_train=training.limit_train or None,
                   limit_valid=training.limit_valid or None, limit_test=training.limit_test or None,
                   seed=training.seed)
    model_options = dict(embedding_size=network.embedding_dim, hidden_size=network.hidden_size,
                         num_layers=network.num_layers, architecture=architecture,
                         bidirectional=not unidirectional, dropout=network.dropout, learning_rate=network.lr)
    with options_checked():
        if verb == "tag":
            data = TruecaseDataModule(**options)
            model = SequenceTagger(data.vocab_size, data.num_labels, **model_options)
        else:
            data = GenreDataModule(**options)
            model = SentenceClassifier(data.vocab_size, data.num_labels, pooling=pooling, **model_options)

    with tempfile.TemporaryDirectory() as checkpoints:
        best = ModelCheckpoint(dirpath=checkpoints, monitor="val/acc", mode="max", save_top_k=1)
        trainer = L.Trainer(max_epochs=training.max_epochs, max_time={"minutes": training.max_minutes},
                            logger=False, callbacks=[best], enable_progress_bar=False, enable_model_summary=False,
                            num_sanity_val_steps=0)
        start = time.perf_counter()
        trainer.fit(model, data)
        seconds = time.perf_counter() - start
        tested = trainer.test(model, data, ckpt_path=best.best_model_path or None, verbose=False)[0]

    majority, baseline = data.majority_baseline("test")
    unit = "words" if verb == "tag" else "speeches"
    counts = data.label_counts("test")
    print(f"task              {'truecasing (tagging)' if verb == 'tag' else 'genre of a speech (classification)'}")
    print(f"model             {'uni' if unidirectional else 'bi'}directional {architecture.upper()}"
          + (f", {pooling} pooling" if verb == "classify" else ""))
    batches_per_epoch = math.ceil(len(data.examples["train"]) / training.batch_size)
    print(f"training          {len(data.examples['train']):,} examples, {trainer.global_step:,} steps of "
          f"{training.batch_size} ({trainer.global_step / batches_per_epoch:.2f} epochs) in {seconds:.0f} s "
          "(best validation kept)")
    print(f"test {unit:<13}{sum(counts.values()):,} "
          f"({', '.join(f'{data.labels[k]} {v:,}' for k, v in sorted(counts.items()))})")
    print(f"test accuracy     {tested['test/acc']:.4f}")
    print(f"majority baseline {baseline:.4f} (always '{majority}')")
    return 0
