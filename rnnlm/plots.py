"""The chapter's matplotlib figures, each saved as a PNG beside the numbers behind it.

- Fig. 5.2 ``plot_gradient_flow``: ||dL_T/dh_k|| against the distance T - k, log scale.
- Fig. 5.5 ``plot_training_curves``: training and validation loss per architecture.
- Fig. 5.6 ``plot_perplexity_bars``: held-out perplexity of n-grams and neural LMs.
- ``plot_longrange``: recall accuracy against the gap, per architecture.

Every function writes ``<stem>.png`` and ``<stem>.csv`` (and JSON where a table is not enough)
atomically (a temporary file in the same folder, then ``os.replace``), so an interrupted run never
leaves half a file, and returns the paths written. matplotlib is imported lazily with the Agg
backend so that importing this module costs nothing and works without a display.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Sequence

from rnnlm.atomic import write_bytes_atomic

COLORS = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}
DPI = 100


def write_csv(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Rows of dicts as CSV (columns: the union of the keys, in first-seen order), atomically."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_bytes_atomic(Path(path), buffer.getvalue().encode())


def write_json(data: Any, path: str | Path) -> Path:
    """``data`` as indented JSON (inf/nan written as strings, which JSON lacks), atomically."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    return write_bytes_atomic(Path(path), (json.dumps(clean(data), indent=2) + "\n").encode())


def write_text(text: str, path: str | Path) -> Path:
    """Plain text, atomically."""
    return write_bytes_atomic(Path(path), text.encode())


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: str | Path) -> Path:
    """Save a matplotlib figure as PNG atomically and close it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    _pyplot().close(figure)
    return write_bytes_atomic(Path(path), buffer.getvalue())


def _color(name: str) -> str | None:
    return COLORS.get(name.lower())


def plot_gradient_flow(flows: Iterable, stem: str | Path, title: str | None = None) -> list[Path]:
    """Fig. 5.2: mean ||dL_T/dh_k|| against T - k (log y), one line per architecture (bottom layer)."""
    flows = list(flows)
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    for flow in flows:
        label = f"{flow.architecture.upper()} ({flow.source}): x{flow.factor_per_step:.3g}/step"
        norms = [value if value > 0 else float("nan") for value in flow.norms[0]]  # underflow to 0: not drawn
        axes.semilogy(flow.distances, norms, label=label, color=_color(flow.architecture))
    axes.set_xlabel("distance T - k (steps)")
    axes.set_ylabel(r"$\|\partial L_T / \partial h_k\|$")
    axes.set_title(title or "Fig. 5.2: gradient norm against distance")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8)
    stem = Path(stem)
    rows = [row for flow in flows for row in flow.rows()]
    return [save_figure(figure, stem.with_suffix(".png")), write_csv(rows, stem.with_suffix(".csv")),
            write_json([flow.summary() for flow in flows], stem.with_suffix(".json"))]


def plot_training_curves(curves: Sequence[dict[str, Any]], stem: str | Path, x: str = "tokens") -> list[Path]:
    """Fig. 5.5: loss against tokens seen (or epochs); rows ``{model, split, tokens, epoch, loss}``."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    models = list(dict.fromkeys(row["model"] for row in curves))
    for model in models:
        for split, style in (("train", ".-"), ("valid", "o--")):
            points = sorted((row[x], row["loss"]) for row in curves if row["model"] == model and row["split"] == split)
            if points:
                xs, ys = zip(*points)
                axes.plot(xs, ys, style, color=_color(model), label=f"{model} {split}", markersize=3 if split == "train" else 5,
                          alpha=0.8 if split == "train" else 1.0)
    axes.set_xlabel("tokens seen" if x == "tokens" else "epoch")
    axes.set_ylabel("cross-entropy loss (nats / token)")
    axes.set_title("Fig. 5.5: training curves")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, ncol=2)
    stem = Path(stem)
    return [save_figure(figure, stem.with_suffix(".png")), write_csv(list(curves), stem.with_suffix(".csv"))]


def plot_perplexity_bars(results: Sequence[dict[str, Any]], stem: str | Path, split: str = "valid") -> list[Path]:
    """Fig. 5.6: one bar per model (rows ``{model, perplexity}``), log scale when they span > 10x."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    names = [row["model"] for row in results]
    values = [float(row["perplexity"]) for row in results]
    colors = [_color(name) or "tab:gray" for name in names]
    bars = axes.bar([name.replace(" (", "\n(") for name in names], values, color=colors)
    finite = [v for v in values if math.isfinite(v) and v > 0]
    if finite and max(finite) / min(finite) > 10:
        axes.set_yscale("log")
    for bar, value in zip(bars, values):
        axes.annotate(f"{value:.0f}" if math.isfinite(value) else "inf", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=8)
    axes.set_ylabel(f"{split} perplexity (lower is better)")
    axes.set_title("Fig. 5.6: perplexity comparison")
    axes.grid(True, axis="y", alpha=0.3)
    stem = Path(stem)
    return [save_figure(figure, stem.with_suffix(".png")), write_csv(list(results), stem.with_suffix(".csv"))]


def plot_longrange(trials: Sequence[dict[str, Any]], stem: str | Path, threshold: float = 0.9,
                   summary: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> list[Path]:
    """Recall accuracy against the gap d (log x), one line per series (rows ``{architecture, gap, accuracy}``,
    optionally ``series``, e.g. one per LSTM initialisation; ``summary`` is keyed by series)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    styles: dict[str, list[str]] = {}  # an architecture's series share its colour, each with its own line style
    for series in dict.fromkeys(row.get("series", row["architecture"]) for row in trials):
        rows = [row for row in trials if row.get("series", row["architecture"]) == series]
        xs, ys = zip(*sorted((row["gap"], row["accuracy"]) for row in rows))
        architecture = rows[0]["architecture"]
        best = (summary or {}).get(series, {}).get("largest_gap")
        label = (series if "series" in rows[0] else architecture.upper()) + (f": largest gap {best}" if best is not None else "")
        style = ("o-", "s--", "^:", "d-.")[len(styles.setdefault(architecture, [])) % 4]
        styles[architecture].append(series)
        axes.plot(xs, ys, style, color=_color(architecture), label=label)
    axes.axhline(threshold, color="black", linestyle=":", linewidth=1, label=f"{threshold:.0%} threshold")
    axes.set_xscale("log", base=2)
    axes.set_ylim(0, 1.05)
    axes.set_xlabel("gap d (distractor tokens between key and query)")
    axes.set_ylabel("recall accuracy")
    budget = ""
    if settings and "budget" in settings:
        limit = f" or {settings['time_limit']:g} s" if settings.get("time_limit") else ""
        budget = (f"\n(each gap: a fresh model, at most {settings['budget']} steps x "
                  f"{settings.get('batch_size', '?')} sequences{limit})")
    axes.set_title("How far back each architecture learns" + budget, fontsize=10)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    stem = Path(stem)
    paths = [save_figure(figure, stem.with_suffix(".png")), write_csv(list(trials), stem.with_suffix(".csv"))]
    if summary is not None:
        paths.append(write_json({"threshold": threshold, "settings": settings or {}, "architectures": summary,
                                 "trials": list(trials)},
                                stem.with_suffix(".json")))
    return paths
