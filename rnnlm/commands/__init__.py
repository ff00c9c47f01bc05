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
import contextlib
import inspect
import json
import re
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rnnlm.errors import UsageError


def description_of(function: Callable[..., Any]) -> str:
    """The docstring of ``function`` without its ``Args:`` section (the text ``--help`` shows first)."""
    doc = inspect.getdoc(function) or ""
    return doc.split("\nArgs:")[0].strip()


def summary_of(function: Callable[..., Any]) -> str:
    """The first line of the docstring of ``function``."""
    return description_of(function).split("\n")[0].strip()


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


@contextlib.contextmanager
def options_checked() -> Iterator[None]:
    """Around the constructors a verb calls with the user's options: their ValueErrors become UsageErrors.

    Keep it narrow (building a model, a DataModule, a config): a ValueError raised later, while
    training or scoring, is an internal error and keeps its traceback.
    """
    try:
        yield
    except UsageError:
        raise
    except ValueError as error:
        raise UsageError(str(error)) from None


def check_minimum(name: str, value: float | None, minimum: float) -> None:
    """Raise a UsageError naming ``--name`` when ``value`` is below ``minimum`` (None passes)."""
    if value is not None and value < minimum:
        raise UsageError(f"--{name} must be >= {minimum:g}; received {value}")


def check_file(path: str | Path, what: str, hint: str) -> Path:
    """``path`` as a Path if it is an existing file; otherwise a UsageError naming ``what`` and ``hint``."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{what} not found: {path}; {hint}")
    return path


def load_checkpoint(ckpt_path: str | Path, device: str = "cpu"):
    """The ``RNNLM``/``LSTMLM``/``GRULM`` saved in ``ckpt_path``, in eval mode; a UsageError if it cannot be read.

    A missing file, a truncated or foreign file (torch.load fails with an OSError, a RuntimeError
    or an unpickling error) and a checkpoint of another model are user mistakes: each gets one line.
    """
    path = check_file(ckpt_path, "checkpoint", "pass the .ckpt written by `rnnlm fit` (e.g. .../checkpoints/last.ckpt)")
    import pickle

    from rnnlm.models import load_language_model  # after the check: a missing file is reported at once
    try:
        return load_language_model(path, map_location=device)
    except UsageError:
        raise
    except (OSError, EOFError, RuntimeError, ValueError, pickle.UnpicklingError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise UsageError(f"cannot load checkpoint {path} ({reason}); is it complete and written by `rnnlm fit`?"
                         ) from error
