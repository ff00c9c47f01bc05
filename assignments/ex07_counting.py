"""Exercise 7 (theory): counting parameters and multiply-adds of RNN, LSTM and GRU layers.

Chapter 5, section 5.4.3 (LSTM vs GRU: "the GRU has fewer parameters and is quicker"). Count
exactly what ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` allocate, so your answers
can be checked against ``sum(p.numel() for p in module.parameters())``:

* a layer of ``cell`` with ``G`` blocks (``G = 1`` for ``"rnn"``, 4 for ``"lstm"``: i, f, g, o,
  3 for ``"gru"``: r, z, n) and ``H`` hidden units on inputs of size ``I`` has
  ``weight_ih`` ``[G*H, I]``, ``weight_hh`` ``[G*H, H]`` and, when ``bias=True``, TWO biases
  ``bias_ih`` and ``bias_hh`` of ``[G*H]`` each (the chapter's single bias is their sum; torch
  keeps both);
* a bidirectional layer has two such sets (forward and reverse);
* in a stack, layer 0 reads the input (size ``I``) and every later layer reads the previous
  layer's output, of size ``H`` (``2H`` when bidirectional).

Multiply-adds: count only the matrix-vector products of one time step for one sequence
(``G*H*I + G*H*H`` per direction and layer); biases, gates' elementwise products and
nonlinearities are not counted.

The language model of 5.5.1 is embedding ``[V, E]`` -> recurrent stack -> decoder
(``torch.nn.Linear(H, V)``: weight ``[V, H]`` + bias ``[V]``). With *tied* weights (Press & Wolf,
2017; Inan et al., 2017) the decoder reuses the embedding matrix, which needs ``E == H``, and only
its bias ``[V]`` is new.

Worked example: ``torch.nn.RNN(10, 20)`` has ``20*10 + 20*20 + 20 + 20 = 640`` parameters.

>>> layer_parameters(10, 20, "rnn")
640

References: the torch.nn.RNN/LSTM/GRU documentation (Variables); Jozefowicz, Zaremba & Sutskever
(2015), An Empirical Exploration of Recurrent Network Architectures; Chung et al. (2014),
Empirical Evaluation of Gated Recurrent Neural Networks on Sequence Modeling.
"""

from __future__ import annotations

__all__ = [
    "gate_count",
    "layer_parameters",
    "stack_parameters",
    "language_model_parameters",
    "multiply_adds_per_step",
    "gru_hidden_size_for_budget",
]

CELLS = ("rnn", "lstm", "gru")
"""The recurrent cells, in the order of the chapter."""


def gate_count(cell: str) -> int:
    """The number ``G`` of weight blocks of a cell: 1 (rnn), 4 (lstm), 3 (gru).

    Raises:
        ValueError: if ``cell`` is not one of ``"rnn"``, ``"lstm"``, ``"gru"``.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    raise NotImplementedError("one block for the Elman RNN; count the gates plus the candidate for the LSTM (i, f, g, o) and the GRU (r, z, n)")


def layer_parameters(
    input_size: int, hidden_size: int, cell: str, bias: bool = True, bidirectional: bool = False
) -> int:
    """Parameters of ONE recurrent layer, as ``torch.nn.<cell>(input_size, hidden_size, bias=..., bidirectional=...)``.

    >>> layer_parameters(10, 20, "lstm")
    2560
    """
    raise NotImplementedError("G*H*I + G*H*H weights, plus 2*G*H for the two biases, times 2 if bidirectional")


def stack_parameters(
    input_size: int,
    hidden_size: int,
    num_layers: int,
    cell: str,
    bias: bool = True,
    bidirectional: bool = False,
) -> int:
    """Parameters of a stack, as ``torch.nn.<cell>(input_size, hidden_size, num_layers, bias=..., bidirectional=...)``.

    >>> stack_parameters(10, 20, 2, "gru", bidirectional=True)
    11280
    """
    raise NotImplementedError("layer 0 reads input_size features; layers 1.. read hidden_size, or 2 * hidden_size when bidirectional")


def language_model_parameters(
    vocab_size: int,
    embedding_size: int,
    hidden_size: int,
    num_layers: int,
    cell: str,
    tie_weights: bool = False,
) -> int:
    """Parameters of embedding ``[V, E]`` -> ``num_layers`` unidirectional layers -> ``Linear(H, V)``.

    Raises:
        ValueError: if ``tie_weights`` and ``embedding_size != hidden_size``.

    >>> language_model_parameters(100, 8, 8, 1, "rnn", tie_weights=True)
    1044
    """
    if tie_weights and embedding_size != hidden_size:
        raise ValueError(
            f"tied weights need embedding_size == hidden_size, got {embedding_size} and {hidden_size}"
        )
    raise NotImplementedError("embedding V*E + the stack + decoder weight V*H and bias V; tying shares the decoder WEIGHT with the embedding (its bias stays)")


def multiply_adds_per_step(
    input_size: int, hidden_size: int, cell: str, num_layers: int = 1, bidirectional: bool = False
) -> int:
    """Multiply-adds of the matrix-vector products of one time step, one sequence, the whole stack.

    >>> multiply_adds_per_step(10, 20, "lstm")
    2400
    """
    raise NotImplementedError("per layer and direction G*H*(I_layer + H), where I_layer is input_size for layer 0 and (directions * H) above")


def gru_hidden_size_for_budget(input_size: int, lstm_hidden_size: int) -> int:
    """The largest GRU hidden size whose ONE layer has at most as many parameters as an LSTM layer.

    "At most" includes equality: a GRU layer with exactly the LSTM's count qualifies.

    Both layers read ``input_size`` features and have biases; the LSTM has ``lstm_hidden_size``
    units. This is the fair comparison of 5.4.3: a GRU "as big as" the LSTM.

    >>> gru_hidden_size_for_budget(10, 20)
    23
    """
    raise NotImplementedError("compute the LSTM layer's count, then find the largest H with 3*H*(I + H) + 6*H <= that budget (a loop or the quadratic formula)")
