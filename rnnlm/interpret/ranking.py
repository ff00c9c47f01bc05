"""Rank cells by how well one cell alone predicts a text feature.

- Continuous features (position in the line, bracket depth, ...): the absolute Pearson
  correlation between the cell's activation and the feature.
- Binary features (inside quotes, inside a comment, ...): a one-cell threshold probe, i.e. the
  rule "feature = 1 where activation > threshold" (or ``<``), with the threshold and direction
  that maximise accuracy. Its accuracy is reported beside the majority baseline (always
  predict the commoner value) and as the share of the baseline's errors it removes,
  ``(accuracy - baseline) / (1 - baseline)``, which is what ranks the cells.

Choosing the best of hundreds of cells on the same text flatters the winner, so the text is
cut in two: cells are ranked (and probes fitted) on the first part, and the best cell's score
is reported again on the second part, which took no part in choosing it.

Reference: Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent
Networks", section 4.2; Alain & Bengio (2016), "Understanding intermediate layers using
linear classifier probes" (probes, here of one unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnlm.errors import UsageError
from rnnlm.interpret.features import FEATURES
from rnnlm.interpret.record import Activations, Cell


def correlations(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of ``values`` ``[N, K]`` with ``target`` ``[N]``; 0 where either is constant."""
    centred = values - values.mean(axis=0)  # [N, K]
    target_centred = target - target.mean()  # [N]
    norms = np.sqrt((centred**2).sum(axis=0) * (target_centred**2).sum())  # [K]
    covariance = target_centred @ centred  # [K]
    return np.divide(covariance, norms, out=np.zeros_like(covariance), where=norms > 0)


def fit_threshold_probes(values: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best one-cell threshold rule per column of ``values`` ``[N, K]`` for 0/1 ``labels`` ``[N]``.

    Returns ``(accuracy[K], threshold[K], sign[K])``: the rule predicts 1 where
    ``sign * (value - threshold) > 0``. Every cut between two distinct sorted values is tried,
    plus "all 0" and "all 1", in one pass over the sorted columns.
    """
    count, _ = values.shape
    order = np.argsort(values, axis=0, kind="stable")  # [N, K]
    sorted_values = np.take_along_axis(values, order, axis=0)  # [N, K]
    sorted_labels = labels[order]  # [N, K]
    positives_below = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(sorted_labels, axis=0)])  # [N+1, K]
    below = np.arange(count + 1)[:, None]  # [N+1, 1]: cut j puts sorted rows < j below the threshold
    total_positives = labels.sum()
    # "1 above the cut": right below = negatives below; right above = positives above.
    upward = (below - positives_below) + (total_positives - positives_below)  # [N+1, K]
    downward = count - upward  # "1 below the cut" is right exactly where "1 above" is wrong
    # A cut is valid only between distinct values (or at either end).
    distinct = np.vstack([np.ones((1, values.shape[1]), bool), sorted_values[1:] > sorted_values[:-1],
                          np.ones((1, values.shape[1]), bool)])  # [N+1, K]
    upward, downward = np.where(distinct, upward, -1), np.where(distinct, downward, -1)
    best_up, best_down = upward.argmax(axis=0), downward.argmax(axis=0)  # [K]
    columns = np.arange(values.shape[1])
    use_up = upward[best_up, columns] >= downward[best_down, columns]
    cut = np.where(use_up, best_up, best_down)  # [K]
    correct = np.where(use_up, upward[best_up, columns], downward[best_down, columns])
    # Threshold halfway between the values either side of the cut (beyond the ends for "all").
    padded = np.vstack([sorted_values[:1] - 1.0, sorted_values, sorted_values[-1:] + 1.0])  # [N+2, K]
    threshold = (padded[cut, columns] + padded[cut + 1, columns]) / 2
    return correct / count, threshold, np.where(use_up, 1.0, -1.0)


def probe_accuracy(values: np.ndarray, labels: np.ndarray, threshold: float, sign: float) -> float:
    """Accuracy of the rule ``sign * (value - threshold) > 0`` on ``values`` ``[N]``."""
    return float(((sign * (values - threshold) > 0) == (labels > 0.5)).mean())


def majority_baseline(labels: np.ndarray) -> float:
    """Accuracy of always predicting the commoner of 0 and 1."""
    share = float(labels.mean())
    return max(share, 1.0 - share)


def error_reduction(accuracy: float | np.ndarray, baseline: float) -> float | np.ndarray:
    """The share of the majority baseline's errors that the probe removes (0 = none, 1 = all)."""
    return (accuracy - baseline) / (1.0 - baseline) if baseline < 1.0 else accuracy * 0.0


@dataclass
class CellScore:
    """One cell's score for one feature: ``score`` ranks (|r|, or error reduction for a probe)."""

    cell: Cell
    score: float
    correlation: float | None = None  # continuous features: signed r
    accuracy: float | None = None  # binary features: probe accuracy
    threshold: float | None = None
    sign: float | None = None


@dataclass
class FeatureReport:
    """The cells ranked for one feature on the first part of the text, and the best one's held-out score."""

    feature: str
    kind: str
    ranked: list[CellScore]  # best first, on the selection part
    held_out: CellScore  # the best cell, scored again on the held-out part
    baseline: float | None = None  # binary: majority accuracy on the held-out part
    positive_share: float | None = None  # binary: share of characters with the feature
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> CellScore:
        """The cell ranked first on the selection part."""
        return self.ranked[0]


def _score_continuous(values: np.ndarray, target: np.ndarray, cells: list[Cell]) -> list[CellScore]:
    r = correlations(values, target)  # [K]
    return [CellScore(cell, float(abs(r[k])), correlation=float(r[k])) for k, cell in enumerate(cells)]


def _score_binary(values: np.ndarray, labels: np.ndarray, cells: list[Cell]) -> list[CellScore]:
    accuracy, threshold, sign = fit_threshold_probes(values, labels)  # [K] each
    reduction = error_reduction(accuracy, majority_baseline(labels))
    return [CellScore(cell, float(reduction[k]), accuracy=float(accuracy[k]), threshold=float(threshold[k]),
                      sign=float(sign[k])) for k, cell in enumerate(cells)]


def rank_feature(activations: Activations, name: str, target: np.ndarray, selection_share: float = 0.5,
                 top: int = 10) -> FeatureReport:
    """Rank every cell for one feature (``target`` ``[N]``) and score the best on the held-out part."""
    if not 0.0 < selection_share < 1.0:
        raise UsageError(f"selection_share must be in (0, 1), got {selection_share}")
    if target.shape != (len(activations.text),):
        raise ValueError(f"feature {name!r} has shape {target.shape}, expected ({len(activations.text)},)")
    kind = FEATURES[name].kind if name in FEATURES else ("binary" if set(np.unique(target)) <= {0, 1} else "continuous")
    cut = int(len(target) * selection_share)
    fit_values, test_values = activations.values[:cut], activations.values[cut:]  # [n, K], [N-n, K]
    fit_target, test_target = target[:cut], target[cut:]
    if kind == "continuous":
        scores = _score_continuous(fit_values, fit_target, activations.cells)
    else:
        scores = _score_binary(fit_values, fit_target, activations.cells)
    # Stable sort: equal scores keep the cells' order, so the ranking is reproducible.
    ranked = sorted(scores, key=lambda score: -score.score)
    best = ranked[0]
    column = test_values[:, activations.cells.index(best.cell)]  # [N-n]
    notes = []
    if kind == "continuous":
        r = float(correlations(column[:, None], test_target)[0])
        held_out = CellScore(best.cell, abs(r), correlation=r)
        baseline = positive_share = None
        if np.ptp(test_target) == 0:
            notes.append("the feature is constant on the held-out part")
    else:
        baseline = majority_baseline(test_target)
        accuracy = probe_accuracy(column, test_target, best.threshold, best.sign)
        held_out = CellScore(best.cell, float(error_reduction(accuracy, baseline)), accuracy=accuracy,
                             threshold=best.threshold, sign=best.sign)
        positive_share = float(target.mean())
        if fit_target.min() == fit_target.max() or test_target.min() == test_target.max():
            notes.append("the feature never changes in one part of the text: no score is meaningful")
    return FeatureReport(name, kind, ranked[:top], held_out, baseline, positive_share, notes)


def rank_cells(activations: Activations, features: dict[str, np.ndarray], selection_share: float = 0.5,
               top: int = 10) -> list[FeatureReport]:
    """``rank_feature`` for each of ``features`` (``{name: values[N]}``), in their order."""
    return [rank_feature(activations, name, target, selection_share, top) for name, target in features.items()]
