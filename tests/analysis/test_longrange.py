"""The key-recall task: generator, one learned trial, the gap search, the command."""

from __future__ import annotations

import json

import pytest
import torch

from rnnlm.analysis import longrange
from rnnlm.analysis.longrange import RecallBudget, RecallModel, RecallTask, Trial, largest_gap, train_trial
from rnnlm.cli import main


def test_generator_places_key_gap_and_query_exactly():
    task = RecallTask(num_keys=5, num_distractors=3)
    inputs, targets = task.sample(200, gap=7, generator=torch.Generator().manual_seed(0))
    assert inputs.shape == (200, 9) and targets.shape == (200,)
    assert torch.equal(inputs[:, 0], targets)  # the label is the first token
    assert bool(((targets >= 0) & (targets < 5)).all())
    middle = inputs[:, 1:-1]  # exactly `gap` distractors between key and query
    assert middle.shape[1] == 7 and bool(((middle >= 5) & (middle < 8)).all())
    assert bool((inputs[:, -1] == task.query_token).all()) and task.query_token == 8 == task.vocab_size - 1
    assert set(targets.tolist()) == set(range(5))  # every key occurs
    empty_gap, _ = task.sample(4, gap=0, generator=torch.Generator().manual_seed(0))
    assert empty_gap.shape == (4, 2)


def test_bad_task_arguments_are_refused():
    with pytest.raises(ValueError, match="num_keys >= 2"):
        RecallTask(num_keys=1)
    with pytest.raises(ValueError, match="gap must be >= 0"):
        RecallTask().sample(2, gap=-1, generator=torch.Generator())
    with pytest.raises(ValueError, match="choose one of rnn, lstm, gru"):
        RecallModel("mlp", RecallTask())
    with pytest.raises(ValueError, match="max_gap must be >= 1"):
        largest_gap("lstm", max_gap=0)


def test_forget_bias_sets_the_lstm_forget_block():
    model = RecallModel("lstm", RecallTask(), hidden_size=4, forget_bias=1.0)
    total = model.recurrent.bias_ih_l0 + model.recurrent.bias_hh_l0  # [4H]: blocks i, f, g, o
    torch.testing.assert_close(total[4:8], torch.ones(4))


def test_lstm_learns_a_tiny_gap_quickly():
    trial = train_trial("lstm", gap=2, budget=RecallBudget(max_steps=300, eval_every=10), seed=0)
    assert trial.learned and trial.accuracy >= 0.9
    assert trial.steps < 300  # stopped early on the held-out batch


def test_search_doubles_then_bisects(monkeypatch):
    """With a fake trainer that learns every gap <= 11, the search must find 11 (to within its precision)."""
    tried = []

    def fake_trial(architecture, gap, **_):
        tried.append(gap)
        return Trial(architecture, gap, 1.0 if gap <= 11 else 0.1, gap <= 11, 1, 0.0)

    monkeypatch.setattr(longrange, "train_trial", fake_trial)
    gap, trials = largest_gap("rnn", max_gap=64)
    assert tried[:5] == [1, 2, 4, 8, 16]  # doubling until the first failure
    assert 10 <= gap <= 11 and all(t.learned == (t.gap <= 11) for t in trials)
    gap, _ = largest_gap("rnn", max_gap=6)  # every doubling learned: the last try is max_gap itself
    assert gap == 6


def test_longrange_command_writes_plot_and_numbers(tmp_path, capsys):
    status = main(["longrange", "--architectures", "lstm", "--max_gap", "2", "--budget", "200",
                   "--output_dir", str(tmp_path)])
    assert status == 0
    report = json.loads((tmp_path / "longrange.json").read_text())
    assert report["architectures"]["lstm"]["largest_gap"] == 2
    assert report["settings"]["budget"] == 200
    assert [row["gap"] for row in report["trials"]] == [1, 2]
    assert (tmp_path / "longrange.png").stat().st_size > 1000 and (tmp_path / "longrange.csv").exists()
    assert "LSTM: largest gap learned to 90%: 2" in capsys.readouterr().out
