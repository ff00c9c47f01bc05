"""How far back can each architecture learn? A key-recall task with a gap of d steps.

The lectures' example ("she tried to print her *tickets* ... she finally printed her ___")
needs the model to carry one token across many steps. The synthetic version:

    key  x_1 x_2 ... x_d  QUERY   ->  key
    (one of K keys, then d distractor tokens drawn uniformly, then the query token; the model
     reads the sequence and must output the key at the query's position)

Every trial trains a fresh model (embedding -> one recurrent layer -> linear over the K keys,
loss at the last step only) on freshly sampled batches for a fixed budget of optimizer steps,
stopping early once a held-out batch is well past the accuracy threshold; it counts as learned when
a fresh test set of sequences reaches the threshold (chance is 1/K). ``largest_gap`` searches
over d by doubling (1, 2, 4, ...) until a gap is not learned, then by bisection between the
last gap learned and the first one not learned (to within 25%).

The LSTM's forget-gate bias starts at 1 (``forget_bias``; Gers, Schmidhuber & Cummins 2000;
Jozefowicz, Zaremba & Sutskever 2015), the usual practice; ``forget_bias=0`` gives torch's init.

References: Hochreiter & Schmidhuber (1997), Long Short-Term Memory (the long-time-lag
experiments); Bengio, Simard & Frasconi (1994); the lecture seeds ("about 100 timesteps rather
than about 7").
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnnlm.analysis.stack import check_architecture

_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


@dataclass(frozen=True)
class RecallTask:
    """Vocabulary: keys ``0..K-1``, distractors ``K..K+D-1``, then the query token ``K+D``."""

    num_keys: int = 8
    num_distractors: int = 8

    def __post_init__(self) -> None:
        if self.num_keys < 2 or self.num_distractors < 1:
            raise ValueError(f"need num_keys >= 2 and num_distractors >= 1; received {self.num_keys}, {self.num_distractors}")

    @property
    def query_token(self) -> int:
        return self.num_keys + self.num_distractors

    @property
    def vocab_size(self) -> int:
        return self.num_keys + self.num_distractors + 1

    def sample(self, batch_size: int, gap: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``(inputs [B, gap + 2], targets [B])``: key, ``gap`` distractors, query; the target is the key."""
        if gap < 0:
            raise ValueError(f"gap must be >= 0; received {gap}")
        keys = torch.randint(self.num_keys, (batch_size,), generator=generator)  # [B]
        distractors = torch.randint(self.num_distractors, (batch_size, gap), generator=generator) + self.num_keys  # [B, d]
        query = torch.full((batch_size, 1), self.query_token, dtype=torch.long)  # [B, 1]
        return torch.cat([keys[:, None], distractors, query], dim=1), keys  # [B, d + 2], [B]


class RecallModel(nn.Module):
    """Embedding -> one ``torch.nn`` RNN/LSTM/GRU layer -> linear over the keys, read at the last step."""

    def __init__(
        self, architecture: str, task: RecallTask, hidden_size: int = 32, embedding_size: int = 16, forget_bias: float = 0.0
    ) -> None:
        super().__init__()
        architecture = check_architecture(architecture)
        self.embedding = nn.Embedding(task.vocab_size, embedding_size)
        self.recurrent = _LAYERS[architecture](embedding_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, task.num_keys)
        if architecture == "lstm" and forget_bias:
            with torch.no_grad():  # forget-gate block (order i, f, g, o) of the two biases sums to forget_bias
                self.recurrent.bias_ih_l0[hidden_size : 2 * hidden_size].fill_(forget_bias)
                self.recurrent.bias_hh_l0[hidden_size : 2 * hidden_size].zero_()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        output, _ = self.recurrent(self.embedding(inputs))  # [B, T, H]
        return self.readout(output[:, -1])  # [B, K]: logits at the query position


@dataclass
class RecallBudget:
    """What one trial (one architecture, one gap) may spend."""

    max_steps: int = 500  # optimizer steps (batches of fresh sequences)
    max_seconds: float | None = None  # wall-clock cap per trial, None for none
    batch_size: int = 32
    learning_rate: float = 1e-2
    eval_every: int = 25  # steps between checks on the held-out batch (early stop)
    eval_size: int = 512
    test_size: int = 1000
    gradient_clip: float = 1.0


@dataclass
class Trial:
    """The outcome of training one architecture at one gap."""

    architecture: str
    gap: int
    accuracy: float  # on a fresh test set
    learned: bool
    steps: int
    seconds: float


def accuracy(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose argmax prediction is the key."""
    with torch.no_grad():
        return (model(inputs).argmax(dim=1) == targets).float().mean().item()


def train_trial(
    architecture: str,
    gap: int,
    *,
    task: RecallTask = RecallTask(),
    budget: RecallBudget = RecallBudget(),
    hidden_size: int = 32,
    embedding_size: int = 16,
    forget_bias: float = 1.0,
    threshold: float = 0.9,
    seed: int = 0,
) -> Trial:
    """Train a fresh model at ``gap`` within ``budget``; learned if the test accuracy >= ``threshold``."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = RecallModel(architecture, task, hidden_size, embedding_size, forget_bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=budget.learning_rate)
    held_out = task.sample(budget.eval_size, gap, generator)
    stop_at = threshold + (1 - threshold) / 2  # a margin, so that an early stop also passes the test set
    start, step = time.perf_counter(), 0
    while step < budget.max_steps:
        if budget.max_seconds is not None and time.perf_counter() - start > budget.max_seconds:
            break
        inputs, targets = task.sample(budget.batch_size, gap, generator)
        loss = F.cross_entropy(model(inputs), targets)  # loss at the last step only
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), budget.gradient_clip)
        optimizer.step()
        step += 1
        if step % budget.eval_every == 0 and accuracy(model, *held_out) >= stop_at:
            break
    test_accuracy = accuracy(model, *task.sample(budget.test_size, gap, generator))
    return Trial(architecture, gap, test_accuracy, test_accuracy >= threshold, step, time.perf_counter() - start)


def largest_gap(
    architecture: str,
    max_gap: int = 256,
    *,
    task: RecallTask = RecallTask(),
    budget: RecallBudget = RecallBudget(),
    hidden_size: int = 32,
    embedding_size: int = 16,
    forget_bias: float = 1.0,
    threshold: float = 0.9,
    seed: int = 0,
    on_trial=None,
) -> tuple[int, list[Trial]]:
    """The largest gap learned (0 if even gap 1 is not) and every trial, by doubling then bisection.

    The search assumes that learning gets harder with the gap; with one seed per gap it can be
    fooled by a lucky or unlucky trial near the boundary, so the figure shows every trial.
    """
    architecture = check_architecture(architecture)
    if max_gap < 1:
        raise ValueError(f"max_gap must be >= 1; received {max_gap}")
    trials: dict[int, Trial] = {}

    def learned(gap: int) -> bool:
        if gap not in trials:
            trials[gap] = train_trial(architecture, gap, task=task, budget=budget, hidden_size=hidden_size,
                                      embedding_size=embedding_size, forget_bias=forget_bias, threshold=threshold, seed=seed * 100_003 + gap)
            if on_trial is not None:
                on_trial(trials[gap])
        return trials[gap].learned

    lower, upper, gap = 0, None, 1  # lower: learned; upper: not learned
    while gap <= max_gap:
        if not learned(gap):
            upper = gap
            break
        lower, gap = gap, gap * 2
    if upper is None:
        if lower < max_gap and learned(max_gap):
            lower = max_gap
        elif lower < max_gap:
            upper = max_gap
    while upper is not None and upper - lower > max(1, lower // 4):  # bisection to ~25% of the gap
        middle = (lower + upper) // 2
        lower, upper = (middle, upper) if learned(middle) else (lower, middle)
    return lower, sorted(trials.values(), key=lambda trial: trial.gap)


def trial_rows(trials: list[Trial]) -> list[dict]:
    """Trials as plain dicts (CSV / JSON rows)."""
    return [asdict(trial) for trial in trials]
