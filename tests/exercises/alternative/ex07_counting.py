"""Correct alternative for exercise 7: closed-form sums and the quadratic formula for the GRU budget."""

from __future__ import annotations

import math

__all__ = ["gate_count", "layer_parameters", "stack_parameters", "language_model_parameters",
           "multiply_adds_per_step", "gru_hidden_size_for_budget"]

CELLS = ("rnn", "lstm", "gru")


def gate_count(cell: str) -> int:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    return (1, 4, 3)[CELLS.index(cell)]


def layer_parameters(input_size: int, hidden_size: int, cell: str, bias: bool = True, bidirectional: bool = False) -> int:
    G, H, D = gate_count(cell), hidden_size, 1 + int(bidirectional)
    return D * (G * H * input_size + G * H * H + 2 * G * H * int(bias))


def stack_parameters(input_size: int, hidden_size: int, num_layers: int, cell: str, bias: bool = True,
                     bidirectional: bool = False) -> int:
    D = 1 + int(bidirectional)
    first = layer_parameters(input_size, hidden_size, cell, bias, bidirectional)
    return first + (num_layers - 1) * layer_parameters(D * hidden_size, hidden_size, cell, bias, bidirectional)


def language_model_parameters(vocab_size: int, embedding_size: int, hidden_size: int, num_layers: int, cell: str,
                              tie_weights: bool = False) -> int:
    if tie_weights and embedding_size != hidden_size:
        raise ValueError(f"tied weights need embedding_size == hidden_size, got {embedding_size} and {hidden_size}")
    shared_matrices = 1 if tie_weights else 2
    matrices = vocab_size * hidden_size * (shared_matrices - 1) + vocab_size * embedding_size
    return matrices + vocab_size + stack_parameters(embedding_size, hidden_size, num_layers, cell)


def multiply_adds_per_step(input_size: int, hidden_size: int, cell: str, num_layers: int = 1,
                           bidirectional: bool = False) -> int:
    return stack_parameters(input_size, hidden_size, num_layers, cell, bias=False, bidirectional=bidirectional)


def gru_hidden_size_for_budget(input_size: int, lstm_hidden_size: int) -> int:
    budget = layer_parameters(input_size, lstm_hidden_size, "lstm")
    # 3 H^2 + (3 I + 6) H - budget <= 0
    b = 3 * input_size + 6
    hidden = int((-b + math.sqrt(b * b + 12 * budget)) // 6)
    while layer_parameters(input_size, hidden + 1, "gru") <= budget:
        hidden += 1
    while hidden > 0 and layer_parameters(input_size, hidden, "gru") > budget:
        hidden -= 1
    return hidden
