"""Extra ``rnnlm`` verbs: one typed ``command(...)`` function per verb, its parser built by jsonargparse.

A verb module defines ``command(...)`` (or, where two verbs share a module, one function per
verb) with typed parameters and a Google-style docstring. ``build_parser`` turns it into a
jsonargparse parser, as litgpt does for its commands: one flag per parameter, named exactly as
the parameter (``--max_tokens``, the underscore style of ``rnnlm fit --data.min_freq``), its help
taken from the docstring's ``Args:`` entry, ``--config`` for a YAML file of the same keys and
``--print_config`` to write one. Parameters without a default are positional
(``rnnlm score FILE``); keyword-only parameters without a default are required flags
(``--ckpt_path``). A dataclass parameter becomes a group of dotted flags (``--model.hidden_size``).

List parameters accept jsonargparse's ``--orders [1,2]`` and, as the argparse verbs did,
``--orders 1 2``; a boolean takes ``--lower true`` / ``--lower false``, or a bare ``--lower``.

Parse errors become one ``UsageError`` line (see ``rnnlm.errors``) instead of argparse's usage
block. References: jsonargparse, "Functions as CLI" (``add_function_arguments``); litgpt's
``__main__.py``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import typing
from collections.abc import Callable
from typing import Any

from rnnlm.errors import UsageError


def description_of(function: Callable[..., Any]) -> str:
    """The docstring of ``function`` without its ``Args:`` section (the text ``--help`` shows first)."""
    doc = inspect.getdoc(function) or ""
    return doc.split("\nArgs:")[0].strip()


def _is_list(annotation: Any) -> bool:
    """Whether a type is a list or tuple, or a union holding one (``list[str] | None``)."""
    if typing.get_origin(annotation) in (list, tuple):
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return False
    return any(_is_list(argument) for argument in typing.get_args(annotation))


def flag_kinds(function: Callable[..., Any]) -> tuple[set[str], set[str]]:
    """The ``--flags`` of ``function`` whose parameters take lists, and those that take a bool."""
    hints = {name: hint for name, hint in typing.get_type_hints(function).items() if name != "return"}
    lists = {f"--{name}" for name, hint in hints.items() if _is_list(hint)}
    switches = {f"--{name}" for name, hint in hints.items() if hint is bool}
    return lists, switches


def _yaml_item(value: str) -> str:
    """One list item as flow YAML: a number stays as typed, anything else is a quoted string."""
    try:
        float(value)
    except ValueError:
        return json.dumps(value)
    return value


def normalize_argv(argv: list[str], function: Callable[..., Any]) -> list[str]:
    """Accept the argparse habits of the earlier verbs in jsonargparse's one-token-per-flag form.

    ``--orders 1 2 3`` becomes ``--orders [1, 2, 3]`` for a list parameter, and a bare boolean
    switch (``--lower``, followed by another flag or nothing) becomes ``--lower true``.
    """
    lists, switches = flag_kinds(function)
    result: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        result.append(token)
        index += 1
        if token in switches and (index == len(argv) or argv[index].startswith("--")):
            result.append("true")
        if token not in lists:
            continue
        values = []
        while index < len(argv) and not argv[index].startswith("-"):
            values.append(argv[index])
            index += 1
        if len(values) == 1 and values[0].startswith("["):
            result.append(values[0])  # already jsonargparse's own form
        elif values:
            result.append("[" + ", ".join(_yaml_item(value) for value in values) + "]")
    return result


def build_parser(function: Callable[..., Any], prog: str):
    """A jsonargparse parser for ``function``: flags from its signature, help from its docstring."""
    from jsonargparse import ActionConfigFile, ArgumentParser

    parser = ArgumentParser(prog=prog, description=description_of(function), exit_on_error=False)
    parser.add_argument("--config", action=ActionConfigFile, help="a YAML file of these options (see --print_config)")
    parser.add_function_arguments(function, as_positional=True)
    return parser


def parse_arguments(function: Callable[..., Any], prog: str, argv: list[str]) -> dict[str, Any]:
    """The keyword arguments of ``function`` from ``argv``; a parse error becomes one UsageError line."""
    parser = build_parser(function, prog)
    try:
        config = parser.parse_args(normalize_argv(list(argv), function))
    except argparse.ArgumentError as error:
        raise UsageError(f"{readable_parse_error(str(error), function)} (see `{prog} --help`)") from None
    values = parser.instantiate_classes(config)
    return {name: values[name] for name in inspect.signature(function).parameters}


def _hint_of(function: Callable[..., Any], key: str) -> Any:
    """The type of parameter ``key`` of ``function``, following dots into dataclass fields; None if unknown."""
    hint: Any = function
    for name in key.split("."):
        hints = typing.get_type_hints(hint if callable(hint) else type(hint))
        if name not in hints:
            return None
        hint = hints[name]
    return hint


def _type_text(hint: Any) -> str:
    """``int``, ``int or null``, ``a list of float``: a type as the user types values."""
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(hint)))
    if typing.get_origin(hint) in (list, tuple):
        return "a list of " + _type_text(typing.get_args(hint)[0]).removeprefix("one of ")
    if typing.get_args(hint):  # a union
        return " or ".join(_type_text(argument) for argument in typing.get_args(hint))
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))


def readable_parse_error(message: str, function: Callable[..., Any]) -> str:
    """jsonargparse's error about one value, as one line naming the flag, what it takes and what it got."""
    flat = " ".join(line.strip() for line in message.splitlines() if line.strip())
    key = re.match(r'Parser key "([^"]+)":', flat)
    value = re.search(r"(?:Given|Got) value: (.*?)(?: Given value type:|$)", flat)
    hint = _hint_of(function, key.group(1)) if key and value else None
    if hint is None:
        return flat
    return f"--{key.group(1)} takes {_type_text(hint)}; received {value.group(1)!r}"


def run_function(function: Callable[..., Any], prog: str, argv: list[str]) -> int:
    """Parse ``argv`` for ``function``, call it, and return its exit status (None counts as 0)."""
    return int(function(**parse_arguments(function, prog, argv)) or 0)
