"""``rnnlm compare`` through the dispatcher: a time budget, the --model group, the table printed."""

from __future__ import annotations

import csv
import math

import pytest

from rnnlm.cli import main


@pytest.mark.slow
def test_compare_command_with_a_time_budget(tmp_path, tiny_corpus, capsys):
    status = main(["compare", "--corpus", tiny_corpus, "--architectures", "gru", "--ngram_orders", "1", "2",
                   "--time_budget", "1", "--model.embedding_dim", "8", "--model.hidden_size", "8", "--model.num_layers", "1",
                   "--val_check_interval", "2", "--curve_val_batches", "1", "--accelerator", "cpu",
                   "--output_dir", str(tmp_path)])
    assert status == 0
    with open(tmp_path / "results.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["model"] for row in rows] == ["unigram (KN)", "bigram (KN)", "GRU"]
    assert math.isfinite(float(rows[-1]["perplexity"]))
    assert "| GRU |" in capsys.readouterr().out
