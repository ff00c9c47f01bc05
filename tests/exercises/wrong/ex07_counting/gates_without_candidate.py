"""Counts only the gates: 3 blocks for the LSTM and 2 for the GRU."""

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
    return {"rnn": 1, "lstm": 3, "gru": 2}[cell]


def layer_parameters(
    input_size: int, hidden_size: int, cell: str, bias: bool = True, bidirectional: bool = False
) -> int:
    """Parameters of ONE recurrent layer, as ``torch.nn.<cell>(input_size, hidden_size, bias=..., bidirectional=...)``.

    >>> layer_parameters(10, 20, "lstm")
    2560
    """
    blocks = gate_count(cell) * hidden_size
    per_direction = blocks * (input_size + hidden_size) + (2 * blocks if bias else 0)
    return per_direction * (2 if bidirectional else 1)


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
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else directions * hidden_size
        total += layer_parameters(layer_input, hidden_size, cell, bias, bidirectional)
    return total


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
    embedding = vocab_size * embedding_size
    recurrent = stack_parameters(embedding_size, hidden_size, num_layers, cell)
    decoder = vocab_size + (0 if tie_weights else vocab_size * hidden_size)
    return embedding + recurrent + decoder


def multiply_adds_per_step(
    input_size: int, hidden_size: int, cell: str, num_layers: int = 1, bidirectional: bool = False
) -> int:
    """Multiply-adds of the matrix-vector products of one time step, one sequence, the whole stack.

    >>> multiply_adds_per_step(10, 20, "lstm")
    2400
    """
    directions = 2 if bidirectional else 1
    blocks = gate_count(cell) * hidden_size
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else directions * hidden_size
        total += directions * blocks * (layer_input + hidden_size)
    return total


def gru_hidden_size_for_budget(input_size: int, lstm_hidden_size: int) -> int:
    """The largest GRU hidden size whose ONE layer has at most as many parameters as an LSTM layer.

    "At most" includes equality: a GRU layer with exactly the LSTM's count qualifies.

    Both layers read ``input_size`` features and have biases; the LSTM has ``lstm_hidden_size``
    units. This is the fair comparison of 5.4.3: a GRU "as big as" the LSTM.

    >>> gru_hidden_size_for_budget(10, 20)
    23
    """
    budget = layer_parameters(input_size, lstm_hidden_size, "lstm")
    hidden = 0
    while layer_parameters(input_size, hidden + 1, "gru") <= budget:
        hidden += 1
    return hidden
