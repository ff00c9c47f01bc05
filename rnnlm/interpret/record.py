"""Every cell's activation over a text: ``c_t`` and ``h_t`` of each layer of a character LSTM.

The recurrent layers are stepped one character at a time with the state carried, so each
step hands back the full state of every layer (``h_n``, ``c_n``: ``[L, 1, H]``); this is exact
for both backends (torch.nn and ``rnnlm.cells``) and is the same computation as one call over
the whole text (``tests/interpret/test_record.py`` checks it against the model's own forward
and against the chapter's equations 5.4-5.8 written out). A GRU or an Elman RNN has no cell
state: only ``h_t`` is recorded for them.

Reference: Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent
Networks", section 4.2 (they colour by ``tanh(c_t)``; the page here scales each cell by its
largest magnitude instead, which keeps the contrast of a cell state far past 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from rnnlm.errors import UsageError
from rnnlm.models import RecurrentLanguageModel


class Cell(NamedTuple):
    """One unit of the network: ``state`` ``"c"`` (cell state) or ``"h"`` (hidden state), its layer and index."""

    state: str
    layer: int
    index: int

    def __str__(self) -> str:
        return f"layer {self.layer} {self.state}[{self.index}]"


@dataclass
class Activations:
    """``values[n, k]``: the activation of ``cells[k]`` right after reading ``text[n]``."""

    text: str
    cells: list[Cell]
    values: np.ndarray  # [N, K]

    def column(self, cell: Cell) -> np.ndarray:
        """The activations of one cell over the text, ``[N]``."""
        return self.values[:, self.cells.index(cell)]


def encode_text(model: RecurrentLanguageModel, text: str) -> torch.Tensor:
    """The characters of ``text`` as the model's token ids, ``[N]`` (unknown characters -> ``<unk>``)."""
    if model.vocab is None or model.vocab.level != "char":
        level = "no" if model.vocab is None else model.vocab.level
        raise UsageError(f"interpreting cells needs a character-level model; this one has a {level}-level "
                         "vocabulary: train one with --data.level char")
    if not text:
        raise UsageError("the text to record activations over is empty: give a longer text")
    return torch.tensor(model.vocab.encode(list(text)), dtype=torch.long)


@torch.no_grad()
def record_activations(model: RecurrentLanguageModel, text: str) -> Activations:
    """Every layer's ``c_t`` (LSTM only) and ``h_t`` after each character of ``text``, from a zero state."""
    was_training = model.training
    model.eval()  # no dropout: the activations the model computes at test time
    try:
        ids = encode_text(model, text).to(model.embedding.weight.device)  # [N]
        embedded = model.embedding(ids)[None]  # [1, N, E]
        hidden = model.init_hidden(1)  # [L, 1, H] (a pair for the LSTM)
        steps = []
        for t in range(ids.numel()):
            _, hidden = model.recurrent(embedded[:, t : t + 1], hidden)  # one character, state carried
            parts = hidden if isinstance(hidden, tuple) else (hidden,)
            steps.append(torch.stack([part[:, 0] for part in parts]))  # [S, L, H]: (h, c) or (h,)
    finally:
        model.train(was_training)
    stacked = torch.stack(steps).double().cpu()  # [N, S, L, H]
    names = ("h", "c")[: stacked.shape[1]]
    order = [names.index(state) for state in ("c", "h") if state in names]  # cell states first
    stacked = stacked[:, order]  # [N, S, L, H]
    _, num_states, num_layers, hidden_size = stacked.shape
    cells = [Cell(names[s], layer, index) for s in order for layer in range(num_layers) for index in range(hidden_size)]
    return Activations(text, cells, stacked.reshape(len(text), -1).numpy())  # [N, S*L*H]
