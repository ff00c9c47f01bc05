"""Recurrent cells and layers written from the chapter's equations (the "scratch" backend).

- ``RNN``, ``LSTM``, ``GRU``: stacked, optionally bidirectional layers with the parameter names,
  shapes, gate order and call signature of ``torch.nn.RNN/LSTM/GRU`` (``batch_first=True`` by
  default), so a state_dict moves between the backends unchanged. ``GRU(variant="textbook")``
  is eq. 5.11 (reset gate applied to ``h`` before the matmul), ``variant="pytorch"`` is torch's.
- ``RNNCell``, ``LSTMCell``, ``GRUCell``: one time step, laid out as ``torch.nn.*Cell``.
- ``make_recurrent_layer(mode, backend, ...)``: either backend by name; ``from_torch`` /
  ``to_torch`` convert modules with their weights.
- ``rnnlm.cells.functional``: the step equations (5.1, 5.4-5.8, 5.9-5.11) and the time loop.
- ``LSTM(..., coupled, peephole, connection, forget_bias, init, chrono_max)``: LSTM variants
  torch.nn lacks (``rnnlm.cells.lstm``; equations in ``rnnlm.cells.variants``, the forget-bias
  and chrono initialisations in ``rnnlm.cells.init``, which also work on torch.nn.LSTM).

See docs/cells.md for how the chapter's single weight on ``[h_{t-1}, x_t]`` maps onto torch's
``weight_ih`` / ``weight_hh`` and two biases.
"""

from rnnlm.cells.cells import GRUCell, LSTMCell, RecurrentCell, RNNCell
from rnnlm.cells.convert import from_torch, make_recurrent_layer, to_torch
from rnnlm.cells.layers import GRU, RNN, RecurrentLayer
from rnnlm.cells.lstm import LSTM

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNCell",
    "RecurrentCell",
    "RecurrentLayer",
    "from_torch",
    "make_recurrent_layer",
    "to_torch",
]
