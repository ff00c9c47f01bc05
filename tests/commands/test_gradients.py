"""``rnnlm gradients`` through the dispatcher: the figure, the CSV, the JSON summary and the printed table."""

from __future__ import annotations

import csv
import json

from rnnlm.cli import main


def test_gradients_command_writes_figure_and_numbers(tmp_path, capsys):
    status = main(["gradients", "--hidden_size", "8", "--embedding_size", "6", "--vocab_size", "30", "--steps", "12", "--batch_size", "2", "--output_dir", str(tmp_path)])
    assert status == 0
    assert (tmp_path / "fig_5_2.png").stat().st_size > 1000
    with open(tmp_path / "fig_5_2.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 3 * 12 and {row["architecture"] for row in rows} == {"rnn", "lstm", "gru"}
    summary = json.loads((tmp_path / "fig_5_2.json").read_text())
    assert [entry["architecture"] for entry in summary] == ["rnn", "lstm", "gru"]
    assert "factor / step" in capsys.readouterr().out
