"""Hidden suite of exercise 7 (theory): parameters and multiply-adds of RNN, LSTM and GRU layers (5.4.3).

Parameter counts are checked against the reference AND against ``sum(p.numel())`` of the real
``torch.nn`` modules, built here in the grader.
"""

import torch

from autograder.checks import compare, expect_close, expect_true, points

EXERCISE = "ex07_counting"
IMPORT_TORCH = False  # the answers are integers: the worker starts without torch (faster)
CELLS = ("rnn", "lstm", "gru")
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def _numel(cell, *args, **kwargs) -> int:
    return sum(p.numel() for p in MODULES[cell](*args, **kwargs).parameters())


@points(1)
def test_gate_count(submission, reference):
    for cell in CELLS:
        compare(submission, reference, "gate_count", (cell,), rtol=0, atol=0, case=cell, name="gate count")


@points(0.5)
def test_gate_count_rejects_unknown_cell(submission, reference):
    # The stub already holds this check (outside the solution region): score it only beside a
    # working gate_count, so the untouched release earns nothing.
    compare(submission, reference, "gate_count", ("lstm",), rtol=0, atol=0, case="lstm", name="gate count")
    try:
        submission.call("gate_count", "transformer")
    except AssertionError as error:
        expect_true("ValueError" in str(error), "an unknown cell must raise ValueError")
        return
    expect_true(False, "gate_count('transformer') must raise ValueError naming the valid cells")


@points(2)
def test_layer_parameters(submission):
    for cell in CELLS:
        for input_size, hidden, bias, bidirectional in [(10, 20, True, False), (7, 3, False, False), (5, 8, True, True),
                                                         (1, 1, False, True)]:
            got = submission.call("layer_parameters", input_size, hidden, cell, bias=bias, bidirectional=bidirectional)
            want = _numel(cell, input_size, hidden, bias=bias, bidirectional=bidirectional)
            expect_close(got, want, rtol=0, atol=0, name="parameters",
                         case=f"{cell}, I={input_size}, H={hidden}, bias={bias}, bidirectional={bidirectional}")


@points(2)
def test_stack_parameters(submission):
    for cell in CELLS:
        for input_size, hidden, layers, bidirectional in [(10, 20, 2, False), (10, 20, 2, True), (4, 6, 3, True),
                                                           (3, 5, 1, False)]:
            got = submission.call("stack_parameters", input_size, hidden, layers, cell, bidirectional=bidirectional)
            want = _numel(cell, input_size, hidden, layers, bidirectional=bidirectional)
            expect_close(got, want, rtol=0, atol=0, name="parameters",
                         case=f"{cell}, I={input_size}, H={hidden}, layers={layers}, bidirectional={bidirectional}")


@points(2)
def test_language_model_parameters(submission, reference):
    cases = [(100, 8, 8, 1, "rnn", True), (1000, 32, 64, 2, "lstm", False), (50, 16, 16, 3, "gru", True),
             (30, 4, 6, 1, "gru", False)]
    for vocab, embedding, hidden, layers, cell, tie in cases:
        compare(submission, reference, "language_model_parameters", (vocab, embedding, hidden, layers, cell),
                kwargs={"tie_weights": tie}, rtol=0, atol=0, name="parameters",
                case=f"{cell}, V={vocab}, E={embedding}, H={hidden}, layers={layers}, tied={tie}")
    try:
        submission.call("language_model_parameters", 100, 8, 16, 1, "lstm", tie_weights=True)
    except AssertionError as error:
        expect_true("ValueError" in str(error), "tying weights with embedding_size != hidden_size must raise ValueError")
        return
    expect_true(False, "tying weights with embedding_size != hidden_size must raise ValueError")


@points(1.5)
def test_multiply_adds_per_step(submission, reference):
    for cell in CELLS:
        for input_size, hidden, layers, bidirectional in [(10, 20, 1, False), (10, 20, 2, True), (3, 7, 3, False)]:
            compare(submission, reference, "multiply_adds_per_step", (input_size, hidden, cell),
                    kwargs={"num_layers": layers, "bidirectional": bidirectional}, rtol=0, atol=0, name="multiply-adds",
                    case=f"{cell}, I={input_size}, H={hidden}, layers={layers}, bidirectional={bidirectional}")


@points(1)
def test_gru_hidden_size_for_budget(submission, reference):
    # (2, 5) and (9, 4): a GRU layer exactly as large as the LSTM's ("at most as many" includes it)
    for input_size, lstm_hidden in [(10, 20), (1, 1), (256, 512), (33, 100), (2, 5), (9, 4)]:
        compare(submission, reference, "gru_hidden_size_for_budget", (input_size, lstm_hidden), rtol=0, atol=0,
                name="GRU hidden size", case=f"I={input_size}, LSTM H={lstm_hidden}")
