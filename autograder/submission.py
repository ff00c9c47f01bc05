"""Find a submission's exercise files: a folder, a ``.zip``, or single files, read defensively.

The trusted grader touches student files only here, and only as bytes: symlinks are never
followed (a link to ``solutions/`` would otherwise be read with the grader's rights), zip members
with absolute paths, ``..`` components, links or special types are refused, and sizes are capped
(one exercise file, the whole archive, the number of members). Each exercise file found is
copied into a private folder; everything else in the submission is ignored.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rnnlm.errors import UsageError

MAX_FILE_BYTES = 1024 * 1024
"""Largest exercise file accepted (source files of these exercises are a few kB)."""
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""Largest total uncompressed size of a submitted zip."""
MAX_ARCHIVE_MEMBERS = 2000
"""Most members in a submitted zip."""
EXERCISE_FILE = re.compile(r"^(ex\d\d_[A-Za-z0-9_]+)\.py$")


class SubmissionError(UsageError):
    """The submission as a whole cannot be read (not a folder/zip/.py, a corrupted zip)."""


@dataclass
class Submission:
    """The exercise files of one submission, copied into ``workdir``, plus what was wrong."""

    name: str
    files: dict[str, Path] = field(default_factory=dict)
    """exercise name (``ex04_lstm_cell``) -> private copy of the student's file."""
    problems: dict[str, str] = field(default_factory=dict)
    """exercise name -> why its file was rejected (too large, a symlink ...)."""
    warnings: list[str] = field(default_factory=list)
    """Whole-submission notes (zip members refused, duplicates ignored)."""
    workdir: Path | None = None

    def cleanup(self) -> None:
        """Remove the private copies."""
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def load_submission(paths: list[Path] | Path, name: str | None = None) -> Submission:
    """Read a folder, a ``.zip`` or ``.py`` files into a ``Submission`` (raises ``SubmissionError``)."""
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise SubmissionError("no submission given: pass a folder, a .zip or exercise .py files")
    workdir = Path(tempfile.mkdtemp(prefix="autograder-submission-"))
    result = Submission(name=name or _default_name(paths), workdir=workdir)
    try:
        for path in paths:
            info = os.lstat(path) if os.path.lexists(path) else None
            if info is None:
                raise SubmissionError(f"{path} does not exist; pass a folder, a .zip or exercise .py files")
            if stat.S_ISLNK(info.st_mode):
                raise SubmissionError(f"{path} is a symbolic link; pass the real folder or file")
            if stat.S_ISDIR(info.st_mode):
                _from_folder(path, result)
            elif path.suffix == ".zip":
                _from_zip(path, result)
            elif path.suffix == ".py":
                _accept(path.name, lambda p=path: _read_regular(p), result)
            else:
                raise SubmissionError(f"{path} is not a folder, a .zip or a .py file; pass one of those")
    except BaseException:
        result.cleanup()
        raise
    return result


def _default_name(paths: list[Path]) -> str:
    """A folder's name, a zip's stem, or the folder holding the .py files given."""
    first = paths[0]
    if first.suffix == ".zip":
        return first.stem
    return first.resolve().parent.name if first.suffix == ".py" else first.resolve().name


def _read_regular(path: Path) -> bytes:
    """Read a regular file without following a symlink, at most ``MAX_FILE_BYTES`` (+1 to detect more)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _accept(file_name: str, read, result: Submission) -> None:
    match = EXERCISE_FILE.match(file_name)
    if not match:
        return
    exercise = match.group(1)
    if exercise in result.files or exercise in result.problems:
        result.warnings.append(f"more than one {file_name}: the first one found (shallowest path) is graded")
        return
    try:
        data = read()
    except OSError as error:
        result.problems[exercise] = (f"{file_name} could not be read as a regular file ({error.strerror or error}); "
                                     "symbolic links are refused")
        return
    if len(data) > MAX_FILE_BYTES:
        result.problems[exercise] = f"{file_name} is larger than {MAX_FILE_BYTES // 1024} KiB; submit the source file only"
        return
    target = result.workdir / f"{exercise}.py"
    target.write_bytes(data)
    result.files[exercise] = target


def _from_folder(folder: Path, result: Submission) -> None:
    candidates = []
    for root, directories, files in os.walk(folder, followlinks=False):
        directories[:] = sorted(d for d in directories if not d.startswith(".") and d != "__pycache__")
        for file_name in files:
            candidates.append(Path(root) / file_name)
    for path in sorted(candidates, key=lambda p: (len(p.relative_to(folder).parts), str(p))):
        _accept(path.name, lambda p=path: _read_regular(p), result)


def _from_zip(path: Path, result: Submission) -> None:
    try:
        archive = zipfile.ZipFile(_open_regular(path))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{path} is not a readable zip archive ({error})") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise SubmissionError(f"{path} has {len(members)} members (limit {MAX_ARCHIVE_MEMBERS})")
    if sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
        raise SubmissionError(f"{path} unpacks to more than {MAX_ARCHIVE_BYTES // 1024**2} MiB")
    safe = []
    for member in members:
        name = member.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        kind = stat.S_IFMT(member.external_attr >> 16)
        if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
            result.warnings.append(f"zip member {name!r} refused: absolute paths and '..' are not allowed")
        elif kind == stat.S_IFLNK:
            result.warnings.append(f"zip member {name!r} refused: symbolic links are not allowed")
        elif not member.is_dir() and kind not in (0, stat.S_IFREG):
            result.warnings.append(f"zip member {name!r} refused: not a regular file")
        elif not member.is_dir() and "__MACOSX" not in pure.parts:
            safe.append((pure, member))
    for pure, member in sorted(safe, key=lambda item: (len(item[0].parts), str(item[0]))):
        _accept(pure.name, lambda m=member: _read_member(archive, m), result)


def _open_regular(path: Path):
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return os.fdopen(fd, "rb")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    with archive.open(member) as handle:
        return handle.read(MAX_FILE_BYTES + 1)
