"""One-line errors for ``rnnlm fit|validate|test|predict``: the user's mistake, not a traceback.

Three mistakes reach a user of the LightningCLI in a form that hides them:

- a model option the model refuses (``--model.lr -1``): jsonargparse instantiates the model
  inside a ``Union`` type check and re-raises every failure as one ``ValueError`` that dumps the
  whole namespace, keeping only the text of the model's own ``UsageError``.
  :func:`instantiation_usage_error` replays the construction outside jsonargparse to recover it;
- a checkpoint that is missing, truncated or not a checkpoint (``--ckpt_path``): ``torch.load``
  fails with ``OSError: [Errno 22]`` or a ``RuntimeError`` about zip archives.
  :func:`check_checkpoint_file` names the file and the fix first;
- anything else the library refuses raises :class:`~rnnlm.errors.UsageError` itself, which
  :func:`rnnlm.errors.run_cli` prints on one line with exit status 2.

Reference: https://jsonargparse.readthedocs.io (how class types are instantiated).
"""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path
from typing import Any

from rnnlm.errors import UsageError

# ``--ckpt_path`` values that name a checkpoint Lightning finds itself rather than a file.
CHECKPOINT_KEYWORDS = ("last", "best", "hpc", "registry")


def check_checkpoint_file(ckpt_path: str | Path | None) -> None:
    """Refuse a ``--ckpt_path`` that is missing, not a file or not a complete PyTorch checkpoint."""
    if ckpt_path is None or str(ckpt_path) in CHECKPOINT_KEYWORDS or str(ckpt_path).startswith("registry:"):
        return
    path = Path(ckpt_path).expanduser()
    if not path.is_file():
        raise UsageError(f"checkpoint not found: {path} (give the path of a .ckpt file written by rnnlm fit)")
    # torch.save writes a zip archive whose directory sits at the end: a truncated copy has none.
    if not zipfile.is_zipfile(path):
        raise UsageError(f"{path} is not a complete PyTorch checkpoint (truncated or another kind of file, "
                         f"{path.stat().st_size} bytes): copy it again or choose another .ckpt")


# What torch.load raises for a damaged archive (an unpickling error is a RuntimeError subclass in torch).
CHECKPOINT_READ_ERRORS = (OSError, RuntimeError, EOFError)


def unreadable_checkpoint(ckpt_path: str | Path, error: BaseException) -> UsageError:
    """The one-line error for a checkpoint that passed :func:`check_checkpoint_file` but ``torch.load`` refused."""
    detail = str(error).splitlines()[0] if str(error) else "no detail"
    return UsageError(f"{ckpt_path} could not be read as a PyTorch checkpoint ({type(error).__name__}: {detail}): "
                      "copy it again or choose another .ckpt")


def _import(class_path: str) -> type:
    module, _, name = class_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def instantiation_usage_error(config: Any, data_class: type) -> UsageError | None:
    """The UsageError that building the DataModule or the model from ``config`` raises, if any.

    ``config`` is the subcommand's parsed namespace (``data`` = the DataModule's arguments,
    ``model`` = ``class_path`` and ``init_args``). The vocabulary size is linked as the CLI
    links it. Anything other than a UsageError is left to the caller's original exception.
    """
    try:
        data = data_class(**_plain(config.get("data")))
        model = config.get("model")
        if model is None or not getattr(model, "class_path", None):
            return None
        arguments = _plain(getattr(model, "init_args", None))
        arguments["vocab_size"] = data.vocab_size
        _import(model.class_path)(**arguments)
    except UsageError as error:
        return error
    except Exception:  # noqa: BLE001 (not the user's mistake we are looking for: keep the original error)
        return None
    return None


def _plain(namespace: Any) -> dict[str, Any]:
    if namespace is None:
        return {}
    return namespace.as_dict() if hasattr(namespace, "as_dict") else dict(namespace)
