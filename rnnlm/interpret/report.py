"""The results of a cell search as a table (Markdown and JSON) and as PNG figures.

- ``summary_rows``: one row per feature: the best cell, its score on the selection part and on
  the held-out part, and (optionally) the best held-out score of an untrained network of the
  same shape, the control that says how much of a score training made.
- ``plot_text_heat``: a few lines of text per cell, each character on its activation's colour
  (the PNG twin of the HTML page, after Karpathy et al. 2015, Figure 2).
- ``plot_feature_traces``: for each feature, the feature and its best cell along the text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rnnlm.interpret.page import Row, level_color, level_of
from rnnlm.interpret.ranking import FeatureReport
from rnnlm.interpret.record import Activations
from rnnlm.plots import save_figure


def metric_name(report: FeatureReport) -> str:
    """What ranks the cells: the absolute correlation, or the probe's share of the baseline's errors removed."""
    return "abs(r)" if report.kind == "continuous" else "error reduction"


def summary_rows(reports: list[FeatureReport], controls: list[FeatureReport] | None = None) -> list[dict[str, Any]]:
    """One plain dict per feature (JSON-ready): best cell, scores, and the untrained control's score."""
    rows = []
    for index, report in enumerate(reports):
        row: dict[str, Any] = {
            "feature": report.feature, "kind": report.kind, "metric": metric_name(report),
            "best_cell": str(report.best.cell), "selection_score": round(report.best.score, 4),
            "held_out_score": round(report.held_out.score, 4),
        }
        if report.kind == "binary":
            row.update(positive_share=round(report.positive_share, 4), held_out_accuracy=round(report.held_out.accuracy, 4),
                       majority_baseline=round(report.baseline, 4))
        else:
            row["held_out_correlation"] = round(report.held_out.correlation, 4)
        if controls is not None:
            row["untrained_held_out_score"] = round(controls[index].held_out.score, 4)
        if report.notes:
            row["notes"] = "; ".join(report.notes)
        rows.append(row)
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The summary rows as a Markdown table."""
    control = any("untrained_held_out_score" in row for row in rows)
    header = ["feature", "kind (share of chars)", "metric", "best cell", "selection", "held-out",
              "held-out accuracy vs majority"] + (["untrained net, held-out"] if control else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        binary = row["kind"] == "binary"
        kind = f"binary ({row['positive_share']:.1%})" if binary else "continuous"
        accuracy = f"{row['held_out_accuracy']:.3f} vs {row['majority_baseline']:.3f}" if binary else ""
        cells = [row["feature"], kind, row["metric"], row["best_cell"], f"{row['selection_score']:.3f}",
                 f"{row['held_out_score']:.3f}", accuracy]
        if control:
            cells.append(f"{row['untrained_held_out_score']:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_text_heat(path: str | Path, text: str, rows: list[Row], columns: int = 100, max_lines: int = 10) -> Path:
    """Each row's text, wrapped at ``columns`` (and at newlines), characters on their activation's colour."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    placed, line, column = [], 0, 0  # (index, line, column) of each character shown
    for index, char in enumerate(text):
        if line >= max_lines:
            break
        placed.append((index, line, column))
        column += 1
        if char == "\n" or column >= columns:
            line, column = line + 1, 0
    lines = max(line for _, line, _ in placed) + 1
    figure = Figure(figsize=(columns * 0.11, len(rows) * (lines * 0.2 + 0.5)))
    axes = figure.subplots(len(rows), 1, squeeze=False)
    for axis, row in zip(axes[:, 0], rows):
        levels = level_of(row.values)
        for index, line, column in placed:
            colour = tuple(channel / 255 for channel in level_color(int(levels[index])))
            axis.add_patch(Rectangle((column, -line - 1), 1, 1, facecolor=colour, edgecolor="none"))
            if not text[index].isspace():
                axis.text(column + 0.5, -line - 0.5, text[index], ha="center", va="center", family="monospace",
                          fontsize=8)
        axis.set_xlim(0, columns)
        axis.set_ylim(-lines, 0)
        axis.set_axis_off()
        axis.set_title(row.title, loc="left", fontsize=9)
    return save_figure(figure, path)


def plot_feature_traces(path: str | Path, activations: Activations, features: dict[str, np.ndarray],
                        reports: list[FeatureReport], start: int = 0, length: int = 400) -> Path:
    """For each feature, the feature (grey, scaled to [0, 1]) and its best cell (blue) over ``length`` characters."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 1.3 * len(reports) + 0.5))
    axes = figure.subplots(len(reports), 1, sharex=True, squeeze=False)
    span = slice(start, start + length)
    for axis, report in zip(axes[:, 0], reports):
        target = features[report.feature][span]
        scale = np.ptp(target) or 1.0
        axis.fill_between(np.arange(len(target)), (target - target.min()) / scale, color="0.85", step="mid",
                          label=report.feature)
        cell = activations.column(report.best.cell)[span]
        axis.plot((cell - cell.min()) / (np.ptp(cell) or 1.0), color="tab:blue", linewidth=0.9,
                  label=str(report.best.cell))
        axis.set_yticks([])
        axis.set_title(f"{report.feature}: {report.best.cell}, held-out {metric_name(report)} "
                       f"{report.held_out.score:.2f}", loc="left", fontsize=9)
    axes[-1, 0].set_xlabel(f"character (from {start} of the held-out part)")
    figure.tight_layout()
    return save_figure(figure, path)
