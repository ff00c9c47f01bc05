"""The ``rnnlm`` dispatcher: typed verb functions become parsers (flags, lists, switches, --config, --help)."""

from __future__ import annotations

import importlib

import pytest

from rnnlm import cli
from rnnlm.cli import EXTRA_VERBS, main
from rnnlm.commands import build_parser, normalize_argv, parse_arguments
from rnnlm.commands import compare as compare_verb
from rnnlm.commands import ngram as ngram_verb
from rnnlm.commands.options import NetworkOptions


def verb_function(verb: str):
    return cli.verb_function(importlib.import_module(EXTRA_VERBS[verb][0]), verb)


def test_lists_take_spaces_or_brackets_and_groups_take_dots():
    argv = ["--architectures", "gru", "lstm", "--ngram_orders", "1", "2", "--model.hidden_size", "8"]
    spaced = parse_arguments(compare_verb.command, "rnnlm compare", argv)
    bracketed = parse_arguments(compare_verb.command, "rnnlm compare",
                                ["--architectures", "[gru, lstm]", "--ngram_orders", "[1,2]", "--model.hidden_size", "8"])
    assert spaced == bracketed
    assert spaced["architectures"] == ("gru", "lstm") and spaced["ngram_orders"] == (1, 2)
    assert spaced["model"] == NetworkOptions(embedding_dim=200, hidden_size=8, num_layers=2, dropout=0.2, lr=1.0)
    assert spaced["time_budget"] is None and spaced["output_dir"] == "compare"


def test_bare_switches_mean_true():
    assert normalize_argv(["--lower", "--order", "2"], ngram_verb.command) == ["--lower", "true", "--order", "2"]
    assert normalize_argv(["--lower", "false"], ngram_verb.command) == ["--lower", "false"]
    assert parse_arguments(ngram_verb.command, "rnnlm ngram", ["--lower"])["lower"] is True
    assert normalize_argv(["--discount", "0.5", "a b"], ngram_verb.command) == ["--discount", '[0.5, "a b"]']


def test_config_files_and_print_config_round_trip(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ngram", "--order", "4", "--smoothing", "add_k", "--k", "0.25", "--print_config"])
    assert exit_.value.code == 0
    config = tmp_path / "ngram.yaml"
    config.write_text(capsys.readouterr().out)
    parsed = parse_arguments(ngram_verb.command, "rnnlm ngram", ["--config", str(config), "--k", "0.5"])
    assert (parsed["order"], parsed["smoothing"], parsed["k"]) == (4, "add_k", 0.5)  # a later flag wins
    nested = tmp_path / "compare.yaml"
    nested.write_text("model:\n  hidden_size: 16\n  dropout: 0.0\narchitectures: [rnn]\n")
    parsed = parse_arguments(compare_verb.command, "rnnlm compare", ["--config", str(nested)])
    assert parsed["model"].hidden_size == 16 and parsed["model"].dropout == 0.0 and parsed["architectures"] == ("rnn",)


@pytest.mark.parametrize("verb", sorted(EXTRA_VERBS))
def test_every_verb_has_help_from_its_docstring(verb, capsys):
    function = verb_function(verb)
    if function is None:
        pytest.skip(f"rnnlm {verb} still has an argparse module (its owner converts it)")
    with pytest.raises(SystemExit) as exit_:
        main([verb, "--help"])
    assert exit_.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert " ".join(function.__doc__.split("\n")[0].split()) in shown  # the summary line
    from docstring_parser import parse

    for parameter in parse(function.__doc__).params:  # every Args: entry is the help of its flag
        assert " ".join(parameter.description.split()).rstrip(".") in shown, parameter.arg_name  # group titles lose the dot
        prefix = "" if parameter.arg_name == "file" else "--"
        assert f"{prefix}{parameter.arg_name}" in shown


def test_every_parameter_is_documented():
    from docstring_parser import parse

    for verb in EXTRA_VERBS:
        function = verb_function(verb)
        if function is None:
            continue
        parser = build_parser(function, f"rnnlm {verb}")
        documented = {p.arg_name for p in parse(function.__doc__).params}
        assert documented == set(function.__code__.co_varnames[: function.__code__.co_argcount
                                                                + function.__code__.co_kwonlyargcount]), verb
        assert parser.prog == f"rnnlm {verb}"
