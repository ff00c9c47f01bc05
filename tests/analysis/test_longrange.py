"""The key-recall task: generator, one learned trial, the LSTM inits, the gap search, the command."""

from __future__ import annotations

import json
import math

import pytest
import torch
from jsonargparse import CLI

from rnnlm.analysis import longrange
from rnnlm.analysis.longrange import LSTMInit, RecallBudget, RecallModel, RecallTask, Trial, largest_gap, train_trial
from rnnlm.commands.longrange import command
from rnnlm.errors import UsageError


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
    with pytest.raises(UsageError, match="unknown architecture 'mlp'"):
        RecallModel("mlp", RecallTask())
    with pytest.raises(UsageError, match="max_gap must be an integer >= 1"):
        largest_gap("lstm", max_gap=0)
    with pytest.raises(UsageError, match="unknown LSTM init 'xavier'"):
        LSTMInit("xavier")
    with pytest.raises(UsageError, match="chrono_max"):
        LSTMInit("chrono", chrono_max=1)


def test_lstm_inits_set_the_gate_biases():
    total = lambda model: (model.recurrent.bias_ih_l0 + model.recurrent.bias_hh_l0).detach()  # noqa: E731  [4H]: i, f, g, o
    model = RecallModel("lstm", RecallTask(), hidden_size=4, lstm_init=LSTMInit("forget_bias", 1.0))
    torch.testing.assert_close(total(model)[4:8], torch.ones(4))
    torch.manual_seed(0)
    model = RecallModel("lstm", RecallTask(), hidden_size=4, lstm_init=LSTMInit("chrono"), chrono_max=100)
    forget = total(model)[4:8]
    assert bool((forget >= 0).all() & (forget <= math.log(99) + 1e-6).all())
    torch.testing.assert_close(total(model)[0:4], -forget)  # input gate b_i = -b_f
    assert LSTMInit("chrono").label(256) == "chrono T_max=256" and LSTMInit().label() == "forget bias 1"


def test_lstm_learns_a_tiny_gap_quickly():
    trial = train_trial("lstm", gap=2, budget=RecallBudget(max_steps=300, eval_every=10), seed=0)
    assert trial.learned and trial.accuracy >= 0.9
    assert trial.steps < 300  # stopped early on the held-out batch


@pytest.mark.slow
def test_chrono_reaches_a_gap_that_forget_bias_one_does_not():
    """The mechanism: with 200 steps x 32 sequences, chrono learns gap 64, forget bias 1 does not.

    About 5 s on an idle CPU. Gap 64 rather than a cheaper gap: at gap 32 chrono learns even with
    its input-gate bias left at 0, so only a longer gap checks that part of the init.
    """
    budget = RecallBudget(max_steps=200, eval_every=20)
    chrono = train_trial("lstm", 64, budget=budget, lstm_init=LSTMInit("chrono"), chrono_max=64, seed=1)
    assert chrono.learned and chrono.init == "chrono T_max=64"
    forget_one = train_trial("lstm", 64, budget=budget, lstm_init=LSTMInit("forget_bias", 1.0), seed=1)
    assert not forget_one.learned and forget_one.accuracy < 0.3  # chance is 1/8


def test_search_doubles_then_bisects(monkeypatch):
    """With a fake trainer that learns every gap <= 11, the search must find 11 (to within its precision)."""
    tried = []

    def fake_trial(architecture, gap, **_):
        tried.append(gap)
        return Trial(architecture, "", gap, 1.0 if gap <= 11 else 0.1, gap <= 11, 1, 0.0)

    monkeypatch.setattr(longrange, "train_trial", fake_trial)
    gap, trials = largest_gap("rnn", max_gap=64)
    assert tried[:5] == [1, 2, 4, 8, 16]  # doubling until the first failure
    assert 10 <= gap <= 11 and all(t.learned == (t.gap <= 11) for t in trials)
    gap, _ = largest_gap("rnn", max_gap=6)  # every doubling learned: the last try is max_gap itself
    assert gap == 6


def test_longrange_command_writes_plot_and_numbers(tmp_path, capsys):
    status = CLI(command, as_positional=False, args=[
        "--architectures", "[lstm]", "--lstm_inits", "[forget_bias, chrono]", "--max_gap", "2", "--budget", "200",
        "--output_dir", str(tmp_path)])
    assert status == 0
    report = json.loads((tmp_path / "longrange.json").read_text())
    assert set(report["architectures"]) == {"LSTM (forget bias 1)", "LSTM (chrono T_max=3)"}  # T_max > 2
    assert all(entry["largest_gap"] == 2 for entry in report["architectures"].values())
    assert report["settings"]["budget"] == 200 and report["settings"]["lstm_inits"] == ["forget_bias", "chrono"]
    assert [row["gap"] for row in report["trials"]] == [1, 2, 1, 2]
    assert (tmp_path / "longrange.png").stat().st_size > 1000 and (tmp_path / "longrange.csv").exists()
    assert "LSTM (forget bias 1): largest gap learned to 90%: 2" in capsys.readouterr().out


@pytest.mark.parametrize("options, message", [
    ({"budget": 0}, "--budget must be >= 1"),
    ({"threshold": 1.5}, "--threshold must be in"),
    ({"chrono_max": 2}, "chrono_max"),
    ({"lstm_inits": ["xavier"]}, "unknown LSTM init 'xavier'"),
])
def test_longrange_command_refuses_bad_options_before_training(options, message, tmp_path):
    with pytest.raises(UsageError, match=message):
        command(**options, output_dir=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
