"""Downloads into the cache: pinned SHA-256, atomic writes, one clear error when offline.

The cache folder is ``$RNNLM_CACHE_DIR``, else ``$XDG_CACHE_HOME/rnnlm``, else
``~/.cache/rnnlm`` (the XDG Base Directory convention). A file is streamed into a temporary
file next to its destination, hashed on the way, and moved into place with ``os.replace``
only when its digest matches: an interrupted or corrupted download never leaves a file that
looks finished. ``$RNNLM_MIRROR`` (or ``mirror=``) replaces the standard address by
``<mirror>/<corpus folder>/<file name>``: an ``http(s)://`` server or a ``file://`` folder
laid out like the original corpora (``ptb/ptb.valid.txt``, ``wikitext-2/valid.txt``, ...).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from rnnlm.atomic import atomic_open
from rnnlm.errors import UsageError

MIRROR_ENV = "RNNLM_MIRROR"
CHUNK_BYTES = 1 << 20
TIMEOUT_SECONDS = 30.0


class ChecksumError(UsageError):
    """A file's SHA-256 differs from the pinned one (a ``UsageError``, so still a ``ValueError``)."""


class OfflineError(UsageError, RuntimeError):
    """A file could not be downloaded; the message says which file to place where by hand.

    A ``UsageError`` (the command-line tools print its message without a traceback, as the user must
    act on it) that stays a ``RuntimeError`` for callers that caught it as one.
    """

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable  # the server could not be reached at all (no network)


def cache_dir() -> Path:
    """``$RNNLM_CACHE_DIR``, else ``$XDG_CACHE_HOME/rnnlm``, else ``~/.cache/rnnlm``."""
    if os.environ.get("RNNLM_CACHE_DIR"):
        return Path(os.environ["RNNLM_CACHE_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "rnnlm"
    return Path.home() / ".cache" / "rnnlm"


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def mirror_url(url: str, relative_path: str, mirror: str | None = None) -> str:
    """``<mirror>/<relative_path>`` when a mirror is given (or ``$RNNLM_MIRROR`` is set), else ``url``."""
    mirror = mirror or os.environ.get(MIRROR_ENV)
    if not mirror:
        return url
    return f"{mirror.rstrip('/')}/{relative_path.lstrip('/')}"


def _check_digest(path: Path, actual: str, expected: str, url: str) -> None:
    if actual != expected:
        raise ChecksumError(
            f"checksum mismatch for {path.name} (from {url}): expected sha256 {expected}, got {actual}. "
            "The file is corrupted or not the corpus this version of rnnlm pins; "
            f"nothing was kept at {path}"
        )


def offline_message(url: str, sha256: str, dest: Path, reason: object) -> str:
    """What to do when ``url`` cannot be reached: the file to place by hand, and where."""
    return (f"could not download {url} ({reason}). If this machine is offline, download that file "
            f"elsewhere (sha256 {sha256}) and place it by hand at {dest}; or set {MIRROR_ENV} "
            "to a server or file:// folder that holds it")


def fetch(url: str, sha256: str, dest: str | os.PathLike) -> Path:
    """Make sure ``dest`` holds the file at ``url`` with this SHA-256; download it if absent.

    An existing ``dest`` is verified, never overwritten. Raises :class:`ChecksumError` on a
    digest mismatch and :class:`OfflineError` when the download fails.
    """
    dest = Path(dest)
    if dest.exists():
        actual = sha256_of(dest)
        if actual != sha256:
            raise ChecksumError(
                f"checksum mismatch for {dest}: expected sha256 {sha256}, got {actual}. "
                f"Delete the file to download it again from {url}"
            )
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PermissionError(f"cannot create {dest.parent} ({error}): choose a writable data_dir "
                              "or set RNNLM_CACHE_DIR") from None
    if not os.access(dest.parent, os.W_OK):
        raise PermissionError(f"cannot write into {dest.parent}: choose a writable data_dir or set RNNLM_CACHE_DIR")
    try:
        # atomic_open deletes the partial file if anything below raises, the checksum included
        with atomic_open(dest, binary=True) as out, urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            digest = hashlib.sha256()
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                digest.update(chunk)
                out.write(chunk)
            _check_digest(dest, digest.hexdigest(), sha256, url)
    except ChecksumError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        reached = isinstance(error, urllib.error.HTTPError) or isinstance(reason, FileNotFoundError)
        raise OfflineError(offline_message(url, sha256, dest, reason), unreachable=not reached) from None
    return dest



def extract_member(archive: str | os.PathLike, member: str, dest: str | os.PathLike) -> Path:
    """Copy ``member`` of the zip ``archive`` to ``dest`` (streamed, atomically); clear errors for bad archives."""
    archive, dest = Path(archive), Path(dest)
    try:
        with zipfile.ZipFile(archive) as zipped, zipped.open(member) as source, atomic_open(dest, binary=True) as out:
            for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
                out.write(chunk)
    except KeyError:
        raise UsageError(f"{archive} has no member {member}: it is not the expected archive; "
                         "delete it so that it is downloaded again") from None
    except zipfile.BadZipFile as error:
        raise UsageError(f"{archive} is not a readable zip archive ({error}): delete it so that it is "
                         "downloaded again") from None
    return dest
