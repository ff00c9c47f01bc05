"""Public tests of exercise 7 (counting): signatures, return types, one known value each."""

import inspect

import ex07_counting as ex


def test_signatures():
    assert list(inspect.signature(ex.gate_count).parameters) == ["cell"]
    assert list(inspect.signature(ex.layer_parameters).parameters) == [
        "input_size", "hidden_size", "cell", "bias", "bidirectional"]
    assert list(inspect.signature(ex.stack_parameters).parameters) == [
        "input_size", "hidden_size", "num_layers", "cell", "bias", "bidirectional"]
    assert list(inspect.signature(ex.language_model_parameters).parameters) == [
        "vocab_size", "embedding_size", "hidden_size", "num_layers", "cell", "tie_weights"]
    assert list(inspect.signature(ex.multiply_adds_per_step).parameters) == [
        "input_size", "hidden_size", "cell", "num_layers", "bidirectional"]
    assert list(inspect.signature(ex.gru_hidden_size_for_budget).parameters) == ["input_size", "lstm_hidden_size"]


def test_gate_count_rnn():
    assert ex.gate_count("rnn") == 1


def test_layer_parameters_known_value():
    result = ex.layer_parameters(10, 20, "rnn")
    assert isinstance(result, int) and result == 640


def test_stack_parameters_one_layer_equals_layer():
    assert ex.stack_parameters(10, 20, 1, "rnn") == 640


def test_language_model_parameters_known_value():
    assert ex.language_model_parameters(100, 8, 8, 1, "rnn", tie_weights=True) == 1044


def test_multiply_adds_per_step_known_value():
    assert ex.multiply_adds_per_step(10, 20, "rnn") == 600


def test_gru_hidden_size_for_budget_type():
    assert isinstance(ex.gru_hidden_size_for_budget(10, 20), int)
