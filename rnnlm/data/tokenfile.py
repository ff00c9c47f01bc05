"""Token files: one flat array of token ids per split, memory-mapped for training.

``<split>.bin`` holds the ids as raw little-endian ``uint16`` when the vocabulary fits (at
most 65,536 tokens), else ``uint32``: 2 or 4 bytes a token instead of the 8 of an int64
tensor. ``meta.json`` records, for each file, its dtype, length in tokens, size in bytes and
SHA-256, so that a file that disagrees (truncated, from another preparation, another dtype)
is reported by name instead of training on garbage. Training maps the file read-only
(``mmap``, viewed as a NumPy array): a rank reads only the pages of its own streams
(nanoGPT's ``train.bin`` works the same way).
"""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path
from typing import IO, Any

import numpy as np

from rnnlm.errors import UsageError

TOKEN_DTYPES = {"uint16": np.dtype("<u2"), "uint32": np.dtype("<u4")}
DTYPE_CHOICES = ("auto", *TOKEN_DTYPES)


def choose_dtype(vocab_size: int, requested: str = "auto") -> str:
    """``uint16`` when ``vocab_size`` ids fit in it, else ``uint32``; a requested dtype that is too small is an error."""
    if requested not in DTYPE_CHOICES:
        raise UsageError(f"unknown token_dtype {requested!r}; choose one of: {', '.join(DTYPE_CHOICES)}")
    if requested == "auto":
        return "uint16" if vocab_size <= 2**16 else "uint32"
    largest = int(np.iinfo(TOKEN_DTYPES[requested]).max) + 1
    if vocab_size > largest:
        raise UsageError(f"a vocabulary of {vocab_size:,} tokens does not fit in {requested} token files (at most "
                         f"{largest:,} ids): use token_dtype auto or uint32, or cap the vocabulary with max_size")
    return requested


class TokenFileWriter:
    """Appends id arrays to an open binary file, counting and hashing them on the way."""

    def __init__(self, file: IO[bytes], dtype: str):
        self.file, self.dtype = file, TOKEN_DTYPES[dtype]
        self.length, self.digest = 0, hashlib.sha256()

    def write(self, ids: np.ndarray) -> None:
        """Append ``ids`` [n] (already of the file's dtype)."""
        data = np.ascontiguousarray(ids, dtype=self.dtype).tobytes()
        self.digest.update(data)
        self.file.write(data)
        self.length += ids.size

    def entry(self, name: str) -> dict[str, Any]:
        """What ``meta.json`` records about the file."""
        return {"file": name, "dtype": self.dtype.name, "length": self.length,
                "bytes": self.length * self.dtype.itemsize, "sha256": self.digest.hexdigest()}


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 8 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_token_file(folder: Path, entry: dict[str, Any], vocab_size: int, verify: bool = False) -> np.ndarray:
    """The ids of one split, memory-mapped read-only, after checking the file against ``meta.json``."""
    path = Path(folder) / entry["file"]
    fix = f"delete {folder} so that the corpus is prepared again"
    if entry.get("dtype") not in TOKEN_DTYPES:
        raise UsageError(f"{folder / 'meta.json'} gives the token dtype {entry.get('dtype')!r} for {path.name} "
                         f"(expected one of {', '.join(TOKEN_DTYPES)}): {fix}")
    dtype = TOKEN_DTYPES[entry["dtype"]]
    if vocab_size > int(np.iinfo(dtype).max) + 1:
        raise UsageError(f"{path} stores {dtype.name} ids but the vocabulary has {vocab_size:,} tokens: {fix}")
    if not path.is_file():
        raise UsageError(f"token file {path} is missing: {fix}")
    size, expected = path.stat().st_size, int(entry["length"]) * dtype.itemsize
    if size != expected:
        raise UsageError(f"token file {path} holds {size:,} bytes but meta.json says {int(entry['length']):,} "
                         f"{dtype.name} tokens ({expected:,} bytes): the file is truncated or was written by "
                         f"another preparation; {fix}")
    if verify and sha256_file(path) != entry["sha256"]:
        raise UsageError(f"token file {path} does not have the SHA-256 recorded in meta.json: it was modified; {fix}")
    if entry["length"] == 0:
        return np.zeros(0, dtype=dtype)  # mmap cannot map an empty file
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mapped, "madvise"):
        # a rank reads B short runs far apart: read-ahead would pull (and count in its RSS) far more than it uses
        mapped.madvise(mmap.MADV_RANDOM)
    return np.frombuffer(mapped, dtype=dtype)  # [N] read-only, backed by the map

