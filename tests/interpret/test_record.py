"""Recorded activations against the model's own forward and the chapter's equations; a planted cell is found."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError
from rnnlm.interpret.features import compute_features
from rnnlm.interpret.ranking import rank_cells
from rnnlm.interpret.record import Cell, record_activations
from rnnlm.models import GRULM, LSTMLM

TEXT = "The (quick [brown]) fox\n(jumps (over (the))) lazy dog.\nAnd (then) some (more (text)) here.\n" * 3


def small_model(backend: str = "fused", seed: int = 0, cls=LSTMLM) -> LSTMLM:
    torch.manual_seed(seed)
    vocab = Vocabulary.build(list(TEXT), level="char", corpus="test")
    return cls(vocab=vocab, embedding_dim=6, hidden_size=5, num_layers=2, dropout=0.0, backend=backend).double()


def chapter_lstm_layer(x: torch.Tensor, weight_ih, weight_hh, bias_ih, bias_hh) -> tuple[torch.Tensor, torch.Tensor]:
    """Eqs. 5.4-5.8 written out step by step (gate order i, f, g, o): every h_t and c_t, each [T, H]."""
    hidden_size = weight_hh.shape[1]
    h, c = torch.zeros(hidden_size, dtype=x.dtype), torch.zeros(hidden_size, dtype=x.dtype)
    hs, cs = [], []
    for x_t in x:
        z = weight_ih @ x_t + weight_hh @ h + bias_ih + bias_hh  # [4H]
        i, f, g, o = z.split(hidden_size)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # eq. 5.7
        h = torch.sigmoid(o) * torch.tanh(c)  # eq. 5.8
        hs.append(h)
        cs.append(c)
    return torch.stack(hs), torch.stack(cs)


@pytest.mark.parametrize("backend", ["fused", "scratch"])
def test_recorded_states_match_the_forward_pass_and_the_equations(backend):
    model = small_model(backend).eval()
    activations = record_activations(model, TEXT)
    hidden_size, layers = 5, 2
    assert activations.values.shape == (len(TEXT), 2 * layers * hidden_size)
    ids = torch.tensor(model.vocab.encode(list(TEXT)))
    with torch.no_grad():
        outputs, _ = model.features(ids[None])  # [1, N, H]: the last layer's h_t in one call
        layer_input = model.embedding(ids)  # [N, E]
        for layer in range(layers):
            weights = [getattr(model.recurrent, f"{name}_l{layer}") for name in
                       ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            h, c = chapter_lstm_layer(layer_input, *weights)  # [N, H] each
            for state, expected in (("h", h), ("c", c)):
                recorded = np.stack([activations.column(Cell(state, layer, k)) for k in range(hidden_size)], axis=1)
                np.testing.assert_allclose(recorded, expected.numpy(), rtol=0, atol=1e-10)
            layer_input = h
    last = np.stack([activations.column(Cell("h", 1, k)) for k in range(hidden_size)], axis=1)
    np.testing.assert_allclose(last, outputs[0].numpy(), rtol=0, atol=1e-10)


def test_a_gru_has_only_hidden_states():
    activations = record_activations(small_model(cls=GRULM), TEXT[:30])
    assert {cell.state for cell in activations.cells} == {"h"} and activations.values.shape == (30, 10)


def test_a_word_level_model_is_refused():
    vocab = Vocabulary.build("a b c".split(), level="word")
    with pytest.raises(UsageError, match="character-level"):
        record_activations(LSTMLM(vocab=vocab, embedding_dim=4, hidden_size=3, num_layers=1), "a b")


def plant_bracket_counter(model: LSTMLM, cell: int) -> None:
    """Make layer 0's cell ``cell`` count open brackets: c += 1 on '(' and '[', c -= 1 on ')' and ']'."""
    vocab, hidden_size = model.vocab, model.hparams.hidden_size
    with torch.no_grad():
        model.embedding.weight.copy_(torch.eye(len(vocab), dtype=torch.float64))  # one-hot: embedding_dim = |V|
        layer = model.recurrent
        weight_ih = torch.randn(4 * hidden_size, len(vocab), dtype=torch.float64) * 0.3
        gate = {name: slice(k * hidden_size + cell, k * hidden_size + cell + 1) for k, name in enumerate("ifgo")}
        weight_ih[gate["i"]] = weight_ih[gate["g"]] = weight_ih[gate["f"]] = 0.0
        for char, direction in (("(", 1), ("[", 1), (")", -1), ("]", -1)):
            weight_ih[gate["i"], vocab.stoi[char]] = 40.0  # open the input gate only on brackets
            weight_ih[gate["g"], vocab.stoi[char]] = 40.0 * direction  # candidate +1 or -1
        layer.weight_ih_l0 = torch.nn.Parameter(weight_ih)
        layer.weight_hh_l0[gate["i"]] = layer.weight_hh_l0[gate["g"]] = layer.weight_hh_l0[gate["f"]] = 0.0
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
        layer.bias_ih_l0[gate["i"]] = -20.0  # input gate shut elsewhere
        layer.bias_ih_l0[gate["f"]] = 30.0  # forget gate open: keep the count


def test_a_planted_bracket_counting_cell_is_ranked_first():
    vocab = Vocabulary.build(list(TEXT), level="char", corpus="test")
    torch.manual_seed(1)
    model = LSTMLM(vocab=vocab, embedding_dim=len(vocab), hidden_size=8, num_layers=2, dropout=0.0).double()
    plant_bracket_counter(model, cell=5)
    activations = record_activations(model, TEXT)
    planted = Cell("c", 0, 5)
    depth = compute_features(TEXT, ["bracket_depth"])["bracket_depth"]
    np.testing.assert_allclose(activations.column(planted), depth, atol=1e-6)  # the cell counts brackets
    reports = rank_cells(activations, compute_features(TEXT, ["bracket_depth", "inside_brackets"]))
    for report in reports:
        assert report.best.cell == planted, f"{report.feature}: {report.ranked[:3]}"
        assert report.held_out.score > 0.99
    runner_up = reports[0].ranked[1]
    assert runner_up.score < reports[0].best.score - 0.05  # found first by a margin, not by a tie


def test_ranking_is_reproducible_under_a_seed_and_changes_with_it():
    def top_cells(seed: int) -> list[list[Cell]]:
        activations = record_activations(small_model(seed=seed), TEXT)
        reports = rank_cells(activations, compute_features(TEXT, ["bracket_depth", "line_position", "inside_brackets"]))
        return [[score.cell for score in report.ranked[:5]] for report in reports]

    assert top_cells(3) == top_cells(3)
    assert top_cells(3) != top_cells(4)
