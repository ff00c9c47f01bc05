"""The chapter's diagrams drawn from code: Fig. 5.1 (unrolled RNN), 5.3 (LSTM cell), 5.4 (GRU cell).

``write_diagrams(output_dir)`` writes the three SVG files (``rnnlm diagrams``); ``svg`` holds the
small SVG writer, ``figures`` the drawings.
"""

from rnnlm.diagrams.figures import DIAGRAMS, Diagram, gru_cell, lstm_cell, unrolled_rnn, write_diagrams

__all__ = ["DIAGRAMS", "Diagram", "unrolled_rnn", "lstm_cell", "gru_cell", "write_diagrams"]
