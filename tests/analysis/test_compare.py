"""``rnnlm compare`` on a tiny slice of the complete works: outputs exist and the numbers are sane."""

from __future__ import annotations

import csv
import json
import math

import pytest

from rnnlm.analysis.compare import CompareConfig, compare, read_curves

TINY = dict(embedding_dim=8, hidden_size=8, num_layers=1, dropout=0.0, eval_batch_size=4, accelerator="cpu")


@pytest.mark.slow
def test_compare_writes_table_and_figures_with_sane_numbers(tmp_path, tiny_corpus):
    config = CompareConfig(corpus=tiny_corpus, max_epochs=1, output_dir=str(tmp_path), optimizer="adam", lr=0.01, **TINY)
    rows = compare(config)
    assert [row["model"] for row in rows] == ["unigram (KN)", "bigram (KN)", "trigram (KN)", "RNN", "LSTM", "GRU"]
    perplexity = {row["model"]: row["perplexity"] for row in rows}
    assert all(math.isfinite(value) and value > 1 for value in perplexity.values())
    assert perplexity["unigram (KN)"] > perplexity["bigram (KN)"]  # context helps on real text
    vocab_size = json.loads((tmp_path / "results.json").read_text())["vocab_size"]
    assert perplexity["unigram (KN)"] < vocab_size  # better than uniform
    with open(tmp_path / "results.csv") as stream:
        assert [row["model"] for row in csv.DictReader(stream)] == list(perplexity)
    table = (tmp_path / "results.md").read_text()
    assert "| LSTM |" in table and "perplexity" in table
    for name in ("fig_5_5.png", "fig_5_6.png"):
        assert (tmp_path / name).stat().st_size > 1000
    with open(tmp_path / "fig_5_5.csv") as stream:
        curves = list(csv.DictReader(stream))
    assert {(row["model"], row["split"]) for row in curves} >= {("RNN", "train"), ("LSTM", "valid"), ("GRU", "train")}
    neural = [row for row in rows if row["kind"] == "neural"]
    assert all(row["tokens_seen"] > 0 and row["epochs"] == pytest.approx(1.0) for row in neural)
    assert (tmp_path / "checkpoints" / "lstm.ckpt").exists()


def test_bad_configurations_are_refused():
    with pytest.raises(ValueError, match="unknown split .train.; valid: .valid., .test."):
        CompareConfig(split="train")
    with pytest.raises(ValueError, match="unknown architecture .transformer.; valid: .rnn., .lstm., .gru."):
        CompareConfig(architectures=("transformer",))
    with pytest.raises(ValueError, match="orders must be >= 1"):
        CompareConfig(ngram_orders=(0,))
    with pytest.raises(ValueError, match="positive number of seconds"):
        CompareConfig(time_budget=0)


def test_read_curves_maps_steps_to_tokens(tmp_path):
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("epoch,step,train/loss_step,val/loss\n0,9,5.0,\n0,19,4.0,\n0,19,,4.5\n")
    rows = read_curves(metrics, "LSTM", tokens_per_step=700)
    assert [(r["split"], r["step"], r["tokens"], r["loss"]) for r in rows] == [
        ("train", 10, 7000, 5.0), ("train", 20, 14000, 4.0), ("valid", 20, 14000, 4.5)]
