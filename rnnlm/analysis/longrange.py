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

The LSTM's initialisation decides how far it reaches (docs/analysis.md has the numbers):
``lstm_init="default"`` is torch's (forget-gate bias about 0), ``"forget_bias"`` sets
``b_f = forget_bias`` (1 in Gers, Schmidhuber & Cummins 2000 and Jozefowicz, Zaremba & Sutskever
2015), ``"chrono"`` is Tallec & Ollivier's (2018) ``b_f = log U[1, T_max - 1]``, ``b_i = -b_f``
with ``T_max = chrono_max`` (``rnnlm.cells.init``). With ``b_f = 1`` a fresh cell keeps 0.73 of
itself per step and its input gate, half open, writes every distractor over the key, so neither
the key nor the gradient survives 100 steps (0.73^100 = 2e-14); chrono starts units that hold
for up to ``T_max`` steps with their input gate nearly shut, and training only has to find them.

References: Hochreiter & Schmidhuber (1997), Long Short-Term Memory (the long-time-lag
experiments); Bengio, Simard & Frasconi (1994); Tallec & Ollivier (2018), Can Recurrent Neural
Networks Warp Time?; the lecture seeds ("about 100 timesteps rather than about 7").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnnlm.architectures import TORCH_LAYERS, check_architecture, check_choice
from rnnlm.cells.init import apply_init_, check_init_options
from rnnlm.errors import UsageError

LSTM_INITS = ("default", "forget_bias", "chrono")
"""How a recall LSTM starts: torch's init, ``b_f = forget_bias``, or chrono (``rnnlm.cells.init``)."""



def default_chrono_max(max_gap: int) -> float:
    """T_max of a chrono init that names none: the largest gap searched (at least 3, as T_max > 2)."""
    return float(max(max_gap, 3))


@dataclass(frozen=True)
class LSTMInit:
    """The LSTM's gate-bias initialisation (ignored by the RNN and the GRU)."""

    kind: str = "forget_bias"  # one of LSTM_INITS
    forget_bias: float = 1.0  # b_f for kind "forget_bias"
    chrono_max: float | None = None  # T_max for kind "chrono" (None: the largest gap searched)

    def __post_init__(self) -> None:
        check_choice("LSTM init", self.kind, LSTM_INITS)
        if self.kind == "chrono" and self.chrono_max is not None:
            check_init_options(None, "chrono", self.chrono_max, bias=True)
        if self.kind == "forget_bias":
            check_init_options(self.forget_bias, "default", None, bias=True)

    def label(self, chrono_max: float | None = None) -> str:
        """A short name for tables and legends, e.g. ``chrono T_max=256``."""
        if self.kind == "forget_bias":
            return f"forget bias {self.forget_bias:g}"
        if self.kind == "chrono":
            return f"chrono T_max={self.chrono_max or chrono_max:g}"
        return "torch init"

    def apply(self, layer: nn.Module, chrono_max: float | None = None) -> None:
        """Set ``layer``'s gate biases (``chrono_max`` stands in for a missing ``self.chrono_max``)."""
        if self.kind == "forget_bias":
            apply_init_(layer, self.forget_bias, "default", None)
        elif self.kind == "chrono":
            apply_init_(layer, None, "chrono", self.chrono_max or chrono_max)


@dataclass(frozen=True)
class RecallTask:
    """Vocabulary: keys ``0..K-1``, distractors ``K..K+D-1``, then the query token ``K+D``."""

    num_keys: int = 8
    num_distractors: int = 8

    def __post_init__(self) -> None:
        if self.num_keys < 2 or self.num_distractors < 1:
            raise UsageError(f"need num_keys >= 2 and num_distractors >= 1; received {self.num_keys}, {self.num_distractors}")

    @property
    def query_token(self) -> int:
        return self.num_keys + self.num_distractors

    @property
    def vocab_size(self) -> int:
        return self.num_keys + self.num_distractors + 1

    def sample(self, batch_size: int, gap: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``(inputs [B, gap + 2], targets [B])``: key, ``gap`` distractors, query; the target is the key."""
        if gap < 0:
            raise UsageError(f"gap must be >= 0; received {gap}")
        keys = torch.randint(self.num_keys, (batch_size,), generator=generator)  # [B]
        distractors = torch.randint(self.num_distractors, (batch_size, gap), generator=generator) + self.num_keys  # [B, d]
        query = torch.full((batch_size, 1), self.query_token, dtype=torch.long)  # [B, 1]
        return torch.cat([keys[:, None], distractors, query], dim=1), keys  # [B, d + 2], [B]


class RecallModel(nn.Module):
    """Embedding -> one ``torch.nn`` RNN/LSTM/GRU layer -> linear over the keys, read at the last step."""

    def __init__(
        self, architecture: str, task: RecallTask, hidden_size: int = 32, embedding_size: int = 16,
        lstm_init: LSTMInit = LSTMInit("default"), chrono_max: float | None = None,
    ) -> None:
        """
        Args:
            architecture: "rnn", "lstm" or "gru".
            task: the recall task (its vocabulary and number of keys).
            hidden_size: size of the recurrent state.
            embedding_size: size of the token embeddings.
            lstm_init: the LSTM's gate-bias initialisation.
            chrono_max: T_max of a chrono init that names none (the largest gap searched).
        """
        super().__init__()
        architecture = check_architecture(architecture)
        self.embedding = nn.Embedding(task.vocab_size, embedding_size)
        self.recurrent = TORCH_LAYERS[architecture](embedding_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, task.num_keys)
        if architecture == "lstm":
            lstm_init.apply(self.recurrent, chrono_max)

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
    init: str  # the LSTM's initialisation (LSTMInit.label), "" for the RNN and the GRU
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
    lstm_init: LSTMInit = LSTMInit(),
    chrono_max: float | None = None,
    threshold: float = 0.9,
    seed: int = 0,
) -> Trial:
    """Train a fresh model at ``gap`` within ``budget``; learned if the test accuracy >= ``threshold``."""
    architecture = check_architecture(architecture)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = RecallModel(architecture, task, hidden_size, embedding_size, lstm_init, chrono_max)
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
    label = lstm_init.label(chrono_max) if architecture == "lstm" else ""
    return Trial(architecture, label, gap, test_accuracy, test_accuracy >= threshold, step, time.perf_counter() - start)


def largest_gap(
    architecture: str,
    max_gap: int = 256,
    *,
    task: RecallTask = RecallTask(),
    budget: RecallBudget = RecallBudget(),
    hidden_size: int = 32,
    embedding_size: int = 16,
    lstm_init: LSTMInit = LSTMInit(),
    threshold: float = 0.9,
    seed: int = 0,
    on_trial: Callable[[Trial], None] | None = None,
) -> tuple[int, list[Trial]]:
    """The largest gap learned (0 if even gap 1 is not) and every trial, by doubling then bisection.

    The search assumes that learning gets harder with the gap; with one seed per gap it can be
    fooled by a lucky or unlucky trial near the boundary, so the figure shows every trial. A
    chrono init without its own ``chrono_max`` uses ``max_gap``, the longest dependency searched.
    """
    architecture = check_architecture(architecture)
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or max_gap < 1:
        raise UsageError(f"max_gap must be an integer >= 1; received {max_gap!r}")
    trials: dict[int, Trial] = {}

    def learned(gap: int) -> bool:
        if gap not in trials:
            trials[gap] = train_trial(architecture, gap, task=task, budget=budget, hidden_size=hidden_size,
                                      embedding_size=embedding_size, lstm_init=lstm_init, chrono_max=default_chrono_max(max_gap),
                                      threshold=threshold, seed=seed * 100_003 + gap)
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
