"""Interpretable cells: which single LSTM cells track a property of the text, and pages that show them.

After Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent Networks"
(arXiv:1506.02078). The pieces, in the order they run:

- ``train``: the corpora (Tiny Shakespeare; the standard library's Python source) and a small
  character LSTM trained on them within a CPU budget;
- ``record``: every cell's ``c_t`` and ``h_t`` after each character of held-out text;
- ``features``: named properties of each character, computed from the text alone;
- ``ranking``: cells ranked per feature (|correlation|, or a one-cell threshold probe against
  the majority baseline), the best one scored again on text that took no part in choosing it;
- ``page`` and ``report``: the HTML page, the PNG figures and the table;
- ``pipeline``: all of it for one model and one corpus (``rnnlm interpret``).
"""

from rnnlm.interpret.features import FEATURES, compute_features
from rnnlm.interpret.pipeline import CellSearch, find_cells, write_results
from rnnlm.interpret.ranking import FeatureReport, rank_cells
from rnnlm.interpret.record import Activations, Cell, record_activations

__all__ = ["FEATURES", "compute_features", "Activations", "Cell", "record_activations", "FeatureReport",
           "rank_cells", "CellSearch", "find_cells", "write_results"]
