"""``rnnlm score``: the log-probability of every line of a text file, and the file's perplexity.

    rnnlm score valid.txt --ckpt_path runs/rnnlm/<run>/checkpoints/last.ckpt
    rnnlm score sentences.txt --ckpt_path lstm.ckpt --independent_lines true   # KenLM's habit

KenLM's ``query`` habit (Heafield 2011, "KenLM: Faster and Smaller Language Model Queries"):
one row per line, ``line  tokens  oov  log_prob`` (tab-separated; natural log, the sum over the
line's tokens), then the totals and the perplexity ``exp(-sum log p / tokens)`` of the whole file.

Each line is tokenized as the model's corpus was (its vocabulary's level and lower-casing),
closed by ``<eos>`` (word level) or ``"\\n"`` (character level), so that the line end is scored
too; a token outside the vocabulary is read as ``<unk>`` and counted as ``oov``. The first token
is predicted from a line start (``<eos>`` / ``"\\n"``), as ``rnnlm generate`` starts. By default
the hidden state runs on from line to line, as the model read its corpus in training and
evaluation (``rnnlm test`` differs only in splitting the text into ``eval_batch_size``
streams, each starting from a zero state, and in not scoring the first token). With
``--independent_lines true`` every line starts from a zero state (KenLM scores sentences
independently).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from rnnlm.commands.checks import check_file, check_minimum, load_checkpoint
from rnnlm.errors import UsageError


@dataclass
class LineScore:
    """The score of one line: tokens (its line end included), those read as <unk>, and log p (nats)."""

    tokens: int
    oov: int
    log_prob: float


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 text file (without their line ends); a UsageError if it is not UTF-8."""
    path = check_file(path, "file to score", "pass the path of a UTF-8 text file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not UTF-8 text (byte {error.start} is {error.object[error.start:error.start + 1]!r})"
                         "; convert it first, e.g. `iconv -f latin1 -t utf-8`") from None
    if not text:
        raise UsageError(f"{path} is empty: there is nothing to score")
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def line_ids(model, lines: list[str]) -> tuple[list[list[int]], list[int]]:
    """Token ids of each line as the model's vocabulary reads it, and the count of <unk> per line."""
    from rnnlm.data.tokenize import get_tokenizer

    vocab = model.vocab
    if vocab is None:
        raise UsageError("the checkpoint holds no vocabulary: score with a checkpoint written by `rnnlm fit`")
    tokenizer = get_tokenizer(vocab.level, lower=vocab.lower)
    ids, oov = [], []
    for line in lines:
        tokens = tokenizer.tokenize(line + "\n")  # the line end is a token too
        ids.append(vocab.encode(tokens))
        oov.append(sum(token not in vocab for token in tokens))
    return ids, oov


def start_id(model) -> int:
    """The token a line starts after: ``<eos>`` at word level, ``"\\n"`` at character level."""
    vocab = model.vocab
    return vocab.eos_index if vocab.level == "word" else vocab.stoi.get("\n", vocab.unk_index)


@torch.no_grad()
def token_log_probs(model, ids: list[int], start: int, chunk: int = 256) -> torch.Tensor:
    """log p of each of ``ids`` given the tokens before it (and ``start`` before the first): [N]."""
    device = model.embedding.weight.device
    stream = torch.tensor([start] + ids, device=device)  # [N + 1]
    hidden = model.init_hidden(1)
    pieces = []
    for begin in range(0, len(ids), chunk):  # windows bound the memory; the state carries across them
        end = min(begin + chunk, len(ids))
        inputs = stream[begin:end].unsqueeze(0)  # [1, T]
        targets = stream[begin + 1 : end + 1].unsqueeze(0)  # [1, T]
        nll, hidden = model.token_nll(inputs, targets, hidden)  # [1, T]
        pieces.append(-nll[0].double())
    return torch.cat(pieces) if pieces else torch.zeros(0, dtype=torch.float64)  # [N]


def score_lines(model, lines: list[str], independent_lines: bool = False, chunk: int = 256) -> list[LineScore]:
    """Score each line with ``model`` (in eval mode); see the module docstring for the conventions."""
    ids, oov = line_ids(model, lines)
    start = start_id(model)
    if independent_lines:
        sums = [float(token_log_probs(model, line, start, chunk).sum()) for line in ids]
    else:
        flat = token_log_probs(model, [token for line in ids for token in line], start, chunk)  # [N]
        sums = [float(piece.sum()) for piece in flat.split([len(line) for line in ids])]
    return [LineScore(len(line), unknown, total) for line, unknown, total in zip(ids, oov, sums)]


def format_scores(scores: list[LineScore], per_line: bool = True) -> str:
    """The table of ``rnnlm score``: one row per line, then the totals and the perplexity."""
    import math

    rows = ["line\ttokens\toov\tlog_prob"] if per_line else []
    rows += [f"{number}\t{s.tokens}\t{s.oov}\t{s.log_prob:.4f}" for number, s in enumerate(scores, 1)] if per_line else []
    tokens, oov = sum(s.tokens for s in scores), sum(s.oov for s in scores)
    log_prob = sum(s.log_prob for s in scores)
    perplexity = math.exp(-log_prob / tokens) if tokens else math.nan
    rows += [f"lines\t{len(scores)}", f"tokens\t{tokens}", f"oov\t{oov}", f"log_prob\t{log_prob:.4f}",
             f"perplexity\t{perplexity:.4f}"]
    return "\n".join(rows)


def command(
    file: str,
    *,
    ckpt_path: str,
    independent_lines: bool = False,
    per_line: bool = True,
    chunk: int = 256,
    device: str = "cpu",
) -> int:
    """Log-probability of each line of a text file, and the file's perplexity.

    Prints one tab-separated row per line (line number, tokens, tokens read as <unk>, natural-log
    probability), then the totals and the perplexity exp(-log_prob / tokens) of the whole file.

    Args:
        file: UTF-8 text file to score, one sentence or line of text per line.
        ckpt_path: checkpoint of an RNNLM / LSTMLM / GRULM written by `rnnlm fit`.
        independent_lines: start every line from a zero hidden state (KenLM's habit) instead of running on.
        per_line: print the row of every line (false: the totals only).
        chunk: tokens per forward call; the hidden state carries across chunks, so only memory depends on it.
        device: torch device to run on (cpu, cuda, cuda:1, ...).
    """
    check_minimum("chunk", chunk, 1)
    lines = read_lines(file)
    model = load_checkpoint(ckpt_path, device)
    print(format_scores(score_lines(model, lines, independent_lines, chunk), per_line))
    return 0
