"""Atomic file writes: a temporary file in the destination's folder, flushed to disk, then ``os.replace``.

A reader (another rank, another tool, a grader resuming after ``kill -9``) sees either the old
file or the complete new one, never a partial write; an error or an interrupt deletes the
temporary file. The one writer of the project: caches, vocabularies, checkpoints' side files,
figures, grades and generated stubs all go through it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _ordinary_mode() -> int:
    # mkstemp creates 0o600; give the file the permissions an ordinary open() would (0o666 - umask),
    # so a shared cache or a gradebook stays readable by others.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, binary: bool = False) -> Iterator[IO]:
    """``with atomic_open(path) as file: ...`` writes ``path`` all at once, or not at all.

    Text is UTF-8 and written as given (no newline translation). The parent folder is created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _ordinary_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic_open(path) as file:
        file.write(text)
    return Path(path)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_open(path, binary=True) as file:
        file.write(data)
    return Path(path)
