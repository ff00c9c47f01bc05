"""From a model and a corpus to the files: activations, ranking, control, page, figures, table.

``find_cells`` records every cell over held-out text, ranks the cells for each feature and, as a
control, does the same for an untrained network of the same shape and seed (for a model
trained here, exactly the weights training started from): a feature only counts as learned
where the trained network's score clearly beats the untrained one's. ``write_results`` writes
``interpret_<corpus>.html`` (the page), ``.png`` (text coloured by the best cells),
``_traces.png`` (features against their best cells), ``.json`` and ``.md`` (the table).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnlm.atomic import write_text_atomic
from rnnlm.interpret.features import compute_features
from rnnlm.interpret.page import Row, write_page
from rnnlm.interpret.ranking import FeatureReport, rank_cells
from rnnlm.interpret.record import Activations, record_activations
from rnnlm.interpret.report import markdown_table, metric_name, plot_feature_traces, plot_text_heat, summary_rows
from rnnlm.models import RecurrentLanguageModel


@dataclass
class CellSearch:
    """Everything one search found: the text, the activations, the reports and the control's reports."""

    corpus: str
    text: str
    activations: Activations
    features: dict[str, np.ndarray]
    reports: list[FeatureReport]
    controls: list[FeatureReport] | None
    selection_share: float
    details: dict[str, Any]


def untrained_twin(model: RecurrentLanguageModel, seed: int) -> RecurrentLanguageModel:
    """A freshly initialised model of the same class and shape (``seed`` fixes its weights)."""
    torch.manual_seed(seed)
    hparams = {key: value for key, value in dict(model.hparams).items() if key != "vocab"}
    return type(model)(**hparams, vocab=model.vocab).eval()


def find_cells(model: RecurrentLanguageModel, corpus: str, text: str, feature_names: tuple[str, ...],
               selection_share: float = 0.5, control_seed: int | None = 0, top: int = 10,
               details: dict[str, Any] | None = None) -> CellSearch:
    """Record, rank, and (unless ``control_seed`` is None) rank an untrained twin too."""
    features = compute_features(text, feature_names)
    activations = record_activations(model, text)
    reports = rank_cells(activations, features, selection_share, top)
    controls = None
    if control_seed is not None:
        control = record_activations(untrained_twin(model, control_seed), text)
        controls = rank_cells(control, features, selection_share, top)
    return CellSearch(corpus, text, activations, features, reports, controls, selection_share, details or {})


def display_values(activations: Activations, cell) -> tuple[np.ndarray, float]:
    """What the page shows for a cell: its activation divided by its largest magnitude over the
    whole recorded text (so a cell state that grows past 1 keeps its contrast), and that scale."""
    column = activations.column(cell)
    scale = float(np.abs(column).max()) or 1.0
    return column / scale, scale


def page_rows(search: CellSearch, span: slice, cells_shown: int) -> list[Row]:
    """One row per distinct best cell, in the order of the features, at most ``cells_shown``."""
    rows, seen = [], set()
    for report in search.reports:
        if report.best.cell in seen or len(rows) >= cells_shown:
            continue
        seen.add(report.best.cell)
        metric = metric_name(report)
        values, scale = display_values(search.activations, report.best.cell)
        caption = (f"best cell for {report.feature}: held-out {metric} {report.held_out.score:.2f} "
                   f"(selection {report.best.score:.2f}); colour = {report.best.cell.state}_t / {scale:.2f}")
        rows.append(Row(f"{report.best.cell}  ({report.feature})", caption, values[span]))
    return rows


def write_results(search: CellSearch, output_dir: str | Path, page_chars: int = 1500,
                  cells_shown: int = 6) -> list[Path]:
    """The page, the two PNGs, the JSON and the Markdown table of ``search``, in ``output_dir``."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    stem = f"interpret_{search.corpus}"
    # Show held-out text only: the second part, which took no part in choosing the cells.
    cut = int(len(search.text) * search.selection_share)
    start = search.text.find("\n", cut) + 1 or cut
    span = slice(start, start + page_chars)
    text = search.text[span]
    rows = page_rows(search, span, cells_shown)
    summary = (f"Cells of a character LSTM on {search.corpus}, ranked on the first {cut:,} characters of held-out "
               f"text; shown on characters {start:,}-{start + len(text):,}, which took no part in choosing them.")
    table = summary_rows(search.reports, search.controls)
    document = {"corpus": search.corpus, "characters": len(search.text), "selection_characters": cut,
                **search.details, "features": table,
                "ranked": {report.feature: [[str(score.cell), round(score.score, 4)] for score in report.ranked]
                           for report in search.reports}}
    return [
        write_page(output / f"{stem}.html", text, rows, f"Interpretable cells: {search.corpus}", summary),
        plot_text_heat(output / f"{stem}.png", text, rows),
        plot_feature_traces(output / f"{stem}_traces.png", search.activations, search.features, search.reports,
                            start=start),
        write_text_atomic(output / f"{stem}.json", json.dumps(document, indent=2) + "\n"),
        write_text_atomic(output / f"{stem}.md", markdown_table(table)),
    ]
