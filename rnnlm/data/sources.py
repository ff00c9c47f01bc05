"""The text of each split as a list of chunks, so that preparation streams it with bounded memory.

A split is a list of :class:`Chunk` s, each a piece of text that ends at a line end (except the
very last piece of a split). A chunk of a file is only its byte range, ``(path, start, end)``:
it is read and decoded where it is processed (a worker process), so that the parent never
holds a whole file. Corpora that are small or built in memory (the Shakespeare plays, Tiny
Shakespeare, a single local file split 90/5/5) are cut into in-memory chunks instead.

Reading follows :func:`rnnlm.data.corpora.read_text`: UTF-8 (an error names the byte offset in
the file), ``\\r\\n`` normalized to ``\\n`` (a chunk always ends after a ``\\n`` byte, so a
``\\r\\n`` pair is never cut), and a split that holds no text at all is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnlm.data.corpora import (
    ARCHIVE_CORPORA,
    REMOTE_CORPORA,
    SPLITS,
    archive_paths,
    load_corpus,
    remote_paths,
)
from rnnlm.errors import UsageError

CHUNK_BYTES = 8 << 20  # 8 MiB of text per chunk: about 100 MiB of Python tokens at word level
SCAN_BYTES = 1 << 16  # read this much at a time when looking for the next line end


@dataclass(frozen=True)
class Chunk:
    """A piece of a split: ``text`` in memory, or bytes ``start:end`` of the file ``path``."""

    text: str | None = None
    path: str | None = None
    start: int = 0
    end: int = 0

    def read(self) -> str:
        """The chunk's text (a file's bytes decoded as UTF-8, ``\\r\\n`` normalized)."""
        if self.text is not None:
            return self.text
        with open(self.path, "rb") as file:
            file.seek(self.start)
            data = file.read(self.end - self.start)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            offset = self.start + error.start
            raise UsageError(
                f"{self.path} is not UTF-8: byte 0x{data[error.start]:02x} at byte offset {offset} cannot be "
                "decoded; convert the file, e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`"
            ) from None
        return text.replace("\r\n", "\n")


def _next_line_end(file, position: int, size: int) -> int:
    """The offset just after the first ``\\n`` at or after ``position`` (``size`` if there is none)."""
    file.seek(position)
    while position < size:
        block = file.read(SCAN_BYTES)
        found = block.find(b"\n")
        if found != -1:
            return position + found + 1
        position += len(block)
    return size


def file_chunks(path: str | Path, chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """A file cut into chunks of about ``chunk_bytes``, each ending just after a line end."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"corpus file {path} does not exist" if not path.exists()
                                else f"corpus path {path} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise UsageError(f"corpus file {path} is empty: give a file with some text")
    bounds = [0]
    with open(path, "rb") as file:
        while bounds[-1] + chunk_bytes < size:
            bounds.append(_next_line_end(file, bounds[-1] + chunk_bytes, size))
    if bounds[-1] != size:
        bounds.append(size)
    return [Chunk(path=str(path), start=start, end=end) for start, end in zip(bounds, bounds[1:])]


def text_chunks(text: str, chunk_chars: int = CHUNK_BYTES) -> list[Chunk]:
    """An in-memory text cut into chunks of about ``chunk_chars`` characters at line ends."""
    chunks, start = [], 0
    while start < len(text):
        end = text.find("\n", start + chunk_chars)
        end = len(text) if end == -1 else end + 1
        chunks.append(Chunk(text=text[start:end]))
        start = end
    return chunks


def split_files(name_or_path: str, data_dir: str | None = None, mirror: str | None = None) -> dict[str, Path] | None:
    """The file of each split when the corpus has one per split (streamed), else None (read in memory)."""
    if name_or_path in ARCHIVE_CORPORA:
        return archive_paths(name_or_path, data_dir, mirror)
    if name_or_path in REMOTE_CORPORA and "all" not in REMOTE_CORPORA[name_or_path][1]:
        return remote_paths(name_or_path, data_dir, mirror)
    path = Path(name_or_path).expanduser()
    named = {split: path / f"{split}.txt" for split in SPLITS}
    if path.is_dir() and all(file.is_file() for file in named.values()):
        return named
    return None


def corpus_chunks(name_or_path: str, data_dir: str | None = None, mirror: str | None = None,
                  chunk_bytes: int = CHUNK_BYTES) -> dict[str, list[Chunk]]:
    """Every split of a corpus as chunks: files streamed by byte ranges, small corpora in memory."""
    files = split_files(str(name_or_path), data_dir, mirror)
    if files is not None:
        return {split: file_chunks(files[split], chunk_bytes) for split in SPLITS}
    corpus = load_corpus(name_or_path, data_dir, mirror)
    return {split: text_chunks(corpus.split(split), chunk_bytes) for split in SPLITS}
