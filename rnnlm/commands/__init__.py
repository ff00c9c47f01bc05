"""Extra ``rnnlm`` verbs: one typed ``command(...)`` function per verb, its parser built by jsonargparse.

A verb module defines ``command(...)`` (or, where two verbs share a module, one function per
verb) with typed parameters and a Google-style docstring. ``build_parser`` turns it into a
jsonargparse parser, as litgpt does for its commands: one flag per parameter, named exactly as
the parameter (``--max_tokens``, the underscore style of ``rnnlm fit --data.min_freq``), its help
taken from the docstring's ``Args:`` entry, ``--config`` for a YAML file of the same keys and
``--print_config`` to write one. Parameters without a default are positional
(``rnnlm score FILE``); keyword-only parameters without a default are required flags
(``--ckpt_path``). A dataclass parameter becomes a group of dotted flags (``--model.hidden_size``).

List parameters accept jsonargparse's ``--orders [1,2]`` and, as before, ``--orders 1 2``.

Parse errors become one ``UsageError`` line (see ``rnnlm.errors``) instead of argparse's usage
block. References: jsonargparse, "Functions as CLI" (``add_function_arguments``); litgpt's
``__main__.py``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import typing
from collections.abc import Callable
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


def list_flags(function: Callable[..., Any]) -> set[str]:
    """The ``--flags`` of ``function`` whose parameters take lists."""
    hints = typing.get_type_hints(function)
    return {f"--{name}" for name, hint in hints.items() if name != "return" and _is_list(hint)}


def _yaml_item(value: str) -> str:
    """One list item as flow YAML: a number stays as typed, anything else is a quoted string."""
    try:
        float(value)
    except ValueError:
        return json.dumps(value)
    return value


def join_list_values(argv: list[str], flags: set[str]) -> list[str]:
    """Rewrite ``--flag a b c`` as ``--flag [a, b, c]`` for list flags (jsonargparse takes one token)."""
    result: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        result.append(token)
        index += 1
        if token not in flags:
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
        config = parser.parse_args(join_list_values(list(argv), list_flags(function)))
    except argparse.ArgumentError as error:
        message = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise UsageError(f"{message} (see `{prog} --help`)") from None
    values = parser.instantiate_classes(config)
    return {name: values[name] for name in inspect.signature(function).parameters}


def run_function(function: Callable[..., Any], prog: str, argv: list[str]) -> int:
    """Parse ``argv`` for ``function``, call it, and return its exit status (None counts as 0)."""
    return int(function(**parse_arguments(function, prog, argv)) or 0)


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
    import pickle

    from rnnlm.models import load_language_model

    path = check_file(ckpt_path, "checkpoint", "pass the .ckpt written by `rnnlm fit` (e.g. .../checkpoints/last.ckpt)")
    try:
        return load_language_model(path, map_location=device)
    except UsageError:
        raise
    except (OSError, EOFError, RuntimeError, ValueError, pickle.UnpicklingError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise UsageError(f"cannot load checkpoint {path} ({reason}); is it complete and written by `rnnlm fit`?"
                         ) from error
