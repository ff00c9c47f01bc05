"""Checks the verbs share: option values, input files, and a checkpoint read from the user's path.

Each failure is a ``UsageError`` with one message that names the option or file and the fix
(``rnnlm.errors``); the ``rnnlm`` entry point prints it on one line and exits with status 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from rnnlm.errors import UsageError


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
