"""The texts to interpret and a small character LSTM trained on them within a CPU budget.

Two offline corpora: Tiny Shakespeare (Karpathy's char-rnn file; ``rnnlm.data``), and Python
source: the standard library's own top-level ``.py`` files, the analogue of the Linux kernel
source in Karpathy, Johnson & Fei-Fei (2015). Every tenth file (in sorted order) is held out;
the text interpreted is always held-out text, never text the model trained on. For Python it
is pieced together from several held-out files (``analysis_text``): one file alone can be
unlike code in general (``_compat_pickle.py`` is mostly one big dict of strings).

Training is a plain truncated-BPTT loop over ``rnnlm.data.TBPTTLoader`` windows with Adam and
gradient clipping (no Lightning Trainer: no logger, no checkpoint files), stopped after
``max_steps`` steps or ``max_seconds`` seconds, whichever comes first.
"""

from __future__ import annotations

import math
import re
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from rnnlm.data.corpora import load_corpus
from rnnlm.data.streams import TBPTTLoader
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError
from rnnlm.interpret.features import code_bracket_depth, python_spans
from rnnlm.models import LSTMLM, RecurrentLanguageModel

PYTHON_CORPUS = "python"
HELD_OUT_EVERY = 10  # every tenth standard-library file is held out


@dataclass
class InterpretCorpus:
    """The training text and the held-out text of one corpus."""

    name: str
    train: str
    held_out: str
    source: str
    held_out_documents: list[str] | None = None  # the held-out files, where the corpus has files


def python_source_files(stdlib: str | Path | None = None) -> list[Path]:
    """The standard library's top-level ``.py`` files, sorted by name."""
    folder = Path(stdlib or sysconfig.get_paths()["stdlib"])
    files = sorted(path for path in folder.glob("*.py") if path.is_file())
    if len(files) < HELD_OUT_EVERY:
        raise UsageError(f"{folder} holds {len(files)} .py files, too few for the python corpus")
    return files


def load_python_corpus(stdlib: str | Path | None = None) -> InterpretCorpus:
    """Python source: every tenth standard-library file held out, the others for training."""
    files = python_source_files(stdlib)
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    train = "".join(text for index, text in enumerate(texts) if index % HELD_OUT_EVERY)
    held_out = "".join(text for index, text in enumerate(texts) if index % HELD_OUT_EVERY == 0)
    documents = [text for index, text in enumerate(texts) if index % HELD_OUT_EVERY == 0]
    return InterpretCorpus(PYTHON_CORPUS, train, held_out, str(files[0].parent), documents)


def load_interpret_corpus(name: str, data_dir: str | Path | None = None) -> InterpretCorpus:
    """``python`` (the standard library's source) or any corpus ``rnnlm.data.load_corpus`` knows (train, valid)."""
    if name == PYTHON_CORPUS:
        return load_python_corpus()
    corpus = load_corpus(name, data_dir)
    return InterpretCorpus(corpus.name, corpus.train, corpus.valid, corpus.source)


def excerpt(text: str, max_chars: int, start: int = 0) -> str:
    """Up to ``max_chars`` characters of ``text`` from the first line start at or after ``start``."""
    if max_chars < 1:
        raise UsageError(f"max_chars must be a positive integer, got {max_chars}")
    if start > 0:
        newline = text.find("\n", start - 1)
        start = newline + 1 if newline != -1 else start
    piece = text[start : start + max_chars]
    if not piece:
        raise UsageError(f"the text has {len(text)} characters: nothing left from position {start}")
    return piece


def statement_starts(source: str) -> list[int]:
    """Offsets of the lines of Python ``source`` that start a top-level statement: column 0, not
    blank, and outside every string, comment and bracket."""
    depth, (string, _) = code_bracket_depth(source), python_spans(source)
    starts = [0] + [match.end() for match in re.finditer("\n", source)]
    return [start for start in starts if start < len(source) and not source[start].isspace()
            and source[start] != "#" and (start == 0 or (depth[start - 1] == 0 and string[start - 1] == 0))]


def _top_level_piece(source: str, length: int) -> str:
    """About ``length`` characters of Python ``source`` that begin and end at top-level statements,
    so that no string or bracket is cut open, from a third of the way in (past the docstring and
    the imports) where the file is long enough."""
    bounds = statement_starts(source) + [len(source)]
    start = next((b for b in bounds if b >= len(source) // 3 and len(source) - b >= length), bounds[0])
    ends = [b for b in bounds if start < b <= start + length]
    return source[start : ends[-1]] if ends else ""


def analysis_text(corpus: InterpretCorpus, max_chars: int, pieces: int = 10) -> str:
    """About ``max_chars`` held-out characters: the start of the held-out text, or, for a corpus of
    files, up to ``pieces`` parts of files spread over the held-out ones, each cut at top-level
    statements (``_top_level_piece``)."""
    documents = corpus.held_out_documents
    if not documents:
        return excerpt(corpus.held_out, max_chars)
    count = min(pieces, len(documents))
    chosen = [documents[round(k * (len(documents) - 1) / max(count - 1, 1))] for k in range(count)]
    parts = [piece for document in chosen if (piece := _top_level_piece(document, max_chars // count))]
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


@dataclass
class TrainingLog:
    """What training did: steps, seconds, and bits per character."""

    steps: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time: the budget actually spent, whatever the machine's load
    train_bpc: float  # mean over the last 50 steps
    held_out_bpc: float


@torch.no_grad()
def bits_per_character(model: RecurrentLanguageModel, text: str, window: int = 256) -> float:
    """Mean NLL in bits per character of ``text`` under ``model``, state carried across windows."""
    model.eval()
    ids = torch.tensor(model.vocab.encode(list(text)), dtype=torch.long)  # [N]
    hidden, total = model.init_hidden(1), 0.0
    for start in range(0, ids.numel() - 1, window):
        chunk = ids[start : start + window + 1]  # [<= window + 1]
        nll, hidden = model.token_nll(chunk[None, :-1], chunk[None, 1:], hidden)  # [1, T]
        total += float(nll.sum())
    return total / max(ids.numel() - 1, 1) / math.log(2)


def train_char_lstm(corpus: InterpretCorpus, hidden_size: int = 256, num_layers: int = 2, embedding_dim: int = 64,
                    max_steps: int = 2000, max_seconds: float = 300.0, batch_size: int = 32, bptt: int = 100,
                    lr: float = 2e-3, seed: int = 0, min_freq: int = 5,
                    eval_chars: int = 50_000) -> tuple[LSTMLM, TrainingLog]:
    """A character LSTM language model trained on ``corpus.train``; bpc measured on held-out text."""
    if max_steps < 1 or max_seconds <= 0:
        raise UsageError(f"need max_steps >= 1 and max_seconds > 0, got {max_steps} and {max_seconds}")
    torch.manual_seed(seed)
    vocab = Vocabulary.build(list(corpus.train), level="char", corpus=corpus.name, min_freq=min_freq)
    model = LSTMLM(vocab=vocab, embedding_dim=embedding_dim, hidden_size=hidden_size, num_layers=num_layers,
                   dropout=0.0, optimizer="adam", lr=lr)
    ids = torch.tensor(vocab.encode(list(corpus.train)), dtype=torch.long)  # [N]
    loader = TBPTTLoader(ids, batch_size=batch_size, bptt=bptt)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses: list[float] = []
    started, cpu_started, step, epoch = time.perf_counter(), time.process_time(), 0, 0
    while step < max_steps and time.perf_counter() - started < max_seconds:
        loader.set_epoch(epoch)
        hidden = None
        for inputs, targets, reset in loader:
            hidden = model.init_hidden(inputs.size(0)) if reset or hidden is None else hidden
            nll, hidden = model.token_nll(inputs, targets, hidden)  # [B, T]
            hidden = tuple(part.detach() for part in hidden)  # truncated BPTT
            loss = nll.mean()  # mean NLL per character (nats)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step >= max_steps or time.perf_counter() - started >= max_seconds:
                break
        epoch += 1
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    recent = losses[-50:]
    log = TrainingLog(step, seconds, cpu_seconds, sum(recent) / len(recent) / math.log(2),
                      bits_per_character(model, corpus.held_out[:eval_chars]))
    return model.eval(), log
