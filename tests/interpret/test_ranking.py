"""The cell ranking: the probe against brute force, correlations against numpy, held-out scoring."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlm.errors import UsageError
from rnnlm.interpret.ranking import (
    correlations,
    error_reduction,
    fit_threshold_probes,
    majority_baseline,
    probe_accuracy,
    rank_feature,
)
from rnnlm.interpret.record import Activations, Cell


def brute_force_probe(column: np.ndarray, labels: np.ndarray) -> float:
    """Best accuracy over every threshold between sorted values, both directions (the reference)."""
    points = np.unique(column)
    candidates = np.concatenate([[points[0] - 1], (points[1:] + points[:-1]) / 2, [points[-1] + 1]])
    return max(probe_accuracy(column, labels, t, s) for t in candidates for s in (1.0, -1.0))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_threshold_probe_matches_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, size=(40, 7)).astype(float)  # many ties
    labels = (rng.random(40) < 0.3).astype(float)
    accuracy, threshold, sign = fit_threshold_probes(values, labels)
    for k in range(values.shape[1]):
        assert accuracy[k] == pytest.approx(brute_force_probe(values[:, k], labels), abs=1e-12)
        assert probe_accuracy(values[:, k], labels, threshold[k], sign[k]) == pytest.approx(accuracy[k], abs=1e-12)


def test_probe_finds_a_separating_cell_in_either_direction():
    labels = np.array([0, 0, 1, 1, 0, 1], float)
    values = np.stack([labels * 2 - 0.5, -labels, np.zeros(6)], axis=1)  # [6, 3]
    accuracy, _, sign = fit_threshold_probes(values, labels)
    assert accuracy.tolist() == [1.0, 1.0, 0.5]
    assert sign[:2].tolist() == [1.0, -1.0]


def test_correlations_match_numpy_and_constant_columns_give_zero():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(50, 4))
    values[:, 3] = 2.0
    target = values[:, 0] * 3 + rng.normal(size=50)
    r = correlations(values, target)
    for k in range(3):
        assert r[k] == pytest.approx(np.corrcoef(values[:, k], target)[0, 1], abs=1e-12)
    assert r[3] == 0.0


def test_baseline_and_error_reduction():
    labels = np.array([1, 0, 0, 0], float)
    assert majority_baseline(labels) == 0.75
    assert error_reduction(1.0, 0.75) == 1.0 and error_reduction(0.75, 0.75) == 0.0


def test_rank_feature_selects_on_the_first_part_and_scores_the_second():
    rng = np.random.default_rng(4)
    n = 400
    target = (np.arange(n) // 20 % 2).astype(float)  # alternating blocks
    noise = rng.normal(size=(n, 5))
    good = target + 0.1 * rng.normal(size=n)
    lucky = noise[:, 1].copy()
    lucky[: n // 2] = target[: n // 2]  # perfect on the selection part, noise on the held-out part
    values = np.column_stack([noise[:, 0], lucky, good, noise[:, 3], noise[:, 4]])
    cells = [Cell("c", 0, k) for k in range(5)]
    report = rank_feature(Activations("x" * n, cells, values), "inside_quotes", target)
    assert report.best.cell == cells[1]  # chosen on the selection part...
    assert report.held_out.score < 0.3  # ...and found out on the held-out part
    assert [score.cell for score in report.ranked[:2]] == [cells[1], cells[2]]
    assert report.baseline == pytest.approx(0.5)


def test_rank_feature_rejects_a_bad_share():
    cells = [Cell("h", 0, 0)]
    with pytest.raises(UsageError, match="selection_share"):
        rank_feature(Activations("ab", cells, np.zeros((2, 1))), "line_position", np.zeros(2), selection_share=1.0)
