"""``rnnlm score``: per-line log-probabilities and the file's perplexity against F.cross_entropy computed directly."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from rnnlm.cli import main
from rnnlm.commands.score import format_scores, score_lines
from rnnlm.models import load_language_model

LINES = ["First Citizen:", "", "Before we proceed any further, hear me speak.", "zyzzyva qwertyuiop speak"]


def reference_log_probs(model, lines: list[str], independent: bool) -> list[float]:
    """Per-line sums of log p from one forward call per stream and F.cross_entropy (no chunks, no tokenizer)."""
    vocab = model.vocab
    ids = [[vocab.stoi.get(word, vocab.unk_index) for word in line.split()] + [vocab.eos_index] for line in lines]
    streams = ids if independent else [[token for line in ids for token in line]]
    log_probs = []
    with torch.no_grad():
        for stream in streams:
            tokens = torch.tensor([[vocab.eos_index] + stream])  # [1, N + 1]
            logits, _ = model(tokens[:, :-1])  # [1, N, V]
            log_probs.append(-F.cross_entropy(logits[0], tokens[0, 1:], reduction="none"))  # [N]
    if independent:
        return [float(piece.sum()) for piece in log_probs]
    return [float(piece.sum()) for piece in log_probs[0].split([len(line) for line in ids])]


@pytest.mark.parametrize("independent", [False, True])
def test_line_log_probs_match_cross_entropy(word_checkpoint, independent):
    model = load_language_model(word_checkpoint)
    scores = score_lines(model, LINES, independent_lines=independent, chunk=5)  # chunks shorter than a line
    expected = reference_log_probs(model, LINES, independent)
    torch.testing.assert_close([s.log_prob for s in scores], expected, rtol=1e-5, atol=1e-5)
    assert [s.tokens for s in scores] == [len(line.split()) + 1 for line in LINES]
    assert [s.oov for s in scores] == [sum(word not in model.vocab.stoi for word in line.split()) for line in LINES]
    assert scores[-1].oov >= 2  # the two made-up words


def test_the_command_prints_rows_and_the_file_perplexity(word_checkpoint, tmp_path, capsys):
    text = tmp_path / "lines.txt"
    text.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert main(["score", str(text), "--ckpt_path", str(word_checkpoint), "--chunk", "7"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "line\ttokens\toov\tlog_prob" and len(printed) == 1 + len(LINES) + 5
    expected = reference_log_probs(load_language_model(word_checkpoint), LINES, independent=False)
    tokens = sum(len(line.split()) + 1 for line in LINES)
    totals = dict(line.split("\t") for line in printed[-5:])
    assert int(totals["tokens"]) == tokens and int(totals["oov"]) >= 2
    assert float(totals["perplexity"]) == pytest.approx(math.exp(-sum(expected) / tokens), rel=1e-4)
    assert [float(row.split("\t")[3]) for row in printed[1:-5]] == pytest.approx(expected, abs=1e-3)


def test_a_file_without_a_final_line_end_scores_its_last_line(word_checkpoint, tmp_path, capsys):
    text = tmp_path / "two.txt"
    text.write_text("hear me\nspeak", encoding="utf-8")
    assert main(["score", str(text), "--ckpt_path", str(word_checkpoint), "--per_line", "false"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["lines\t2", "tokens\t5"]


def test_format_scores_of_nothing_is_not_a_number():
    assert format_scores([]).endswith("perplexity\tnan")
