"""``rnnlm tag`` / ``rnnlm classify`` through the dispatcher: the new flags reach the models and the printout."""

from __future__ import annotations

import pytest

from rnnlm.cli import main
from rnnlm.tasks.data import GenreDataModule

SMALL = ["--model.embedding_dim", "8", "--model.hidden_size", "8", "--training.max_epochs", "1",
         "--training.limit_train", "200", "--training.limit_valid", "20", "--training.limit_test", "100"]


@pytest.mark.slow
def test_classify_prints_its_model_and_the_majority_baseline(capsys):
    assert main(["classify", "--pooling", "mean", "--architecture", "gru", "--unidirectional", *SMALL]) == 0
    printed = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()
                   if line.startswith(("model", "majority", "test accuracy")))
    assert printed["model"].strip() == "unidirectional GRU, mean pooling"
    majority, baseline = GenreDataModule(limit_train=200, limit_valid=20, limit_test=100).majority_baseline("test")
    assert printed["majority"].strip() == f"baseline {baseline:.4f} (always '{majority}')"
