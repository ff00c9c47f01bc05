"""``rnnlm longrange``: the largest recall gap each architecture learns within a fixed budget.

    rnnlm longrange                                   # RNN, LSTM (forget bias 1 and chrono), GRU
    rnnlm longrange --lstm_inits '[default, forget_bias, chrono]' --max_gap 512
    rnnlm longrange --budget 2000 --time_limit 240

Each trial trains a fresh model on ``key, d distractors, query -> key`` (see
``rnnlm.analysis.longrange``); the search doubles d until a gap is not learned to
``--threshold`` accuracy, then bisects. Every LSTM initialisation in ``--lstm_inits`` is searched
as its own series. Writes ``longrange.png`` (accuracy against gap), ``longrange.csv`` (every
trial) and ``longrange.json`` (largest gap per series, the settings and every trial) into
``--output_dir``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from rnnlm.architectures import ARCHITECTURES, Architecture, check_architecture, check_choice
from rnnlm.errors import UsageError

LSTMInitName = Literal["default", "forget_bias", "chrono"]


def command(
    architectures: list[Architecture] | None = None,
    lstm_inits: list[LSTMInitName] | None = None,
    budget: int = 500,
    time_limit: float | None = None,
    batch_size: int = 32,
    learning_rate: float = 1e-2,
    hidden_size: int = 32,
    embedding_size: int = 16,
    forget_bias: float = 1.0,
    chrono_max: float | None = None,
    num_keys: int = 8,
    num_distractors: int = 8,
    threshold: float = 0.9,
    max_gap: int = 256,
    seed: int = 0,
    threads: int = 1,
    output_dir: str = "longrange",
) -> int:
    """The largest recall gap each architecture learns within a fixed budget.

    Key, d distractors, query -> key: for each architecture (and each LSTM initialisation) the
    search doubles d until a gap is not learned, then bisects; every gap trains a fresh model.

    Args:
        architectures: architectures to search (default: rnn, lstm, gru).
        lstm_inits: LSTM initialisations, each searched as its own series: "default" (torch's),
            "forget_bias" (b_f = --forget_bias), "chrono" (Tallec & Ollivier 2018) (default: forget_bias, chrono).
        budget: optimizer steps per trial (one model, one gap).
        time_limit: wall-clock seconds per trial (default: none).
        batch_size: fresh sequences per step.
        learning_rate: Adam learning rate.
        hidden_size: hidden size of the recurrent layer.
        embedding_size: token embedding size.
        forget_bias: initial LSTM forget-gate bias of the "forget_bias" init.
        chrono_max: T_max of the "chrono" init, in steps (default: --max_gap).
        num_keys: keys to recall (chance accuracy is 1/num_keys).
        num_distractors: distinct distractor tokens.
        threshold: test accuracy that counts as learned, in (0, 1].
        max_gap: largest gap tried.
        seed: seed of every trial's data and weights.
        threads: torch CPU threads (1 by default: these models are too small to gain from more).
        output_dir: where the figure and the numbers go.
    """
    import torch

    from rnnlm.analysis.longrange import (
        LSTM_INITS, LSTMInit, RecallBudget, RecallTask, default_chrono_max, largest_gap, trial_rows,
    )
    from rnnlm.plots import plot_longrange

    architectures = [check_architecture(name) for name in (architectures or ARCHITECTURES)]
    lstm_inits = [check_choice("LSTM init", name, LSTM_INITS) for name in (lstm_inits or ("forget_bias", "chrono"))]
    for name, value in (("budget", budget), ("batch_size", batch_size), ("hidden_size", hidden_size),
                        ("embedding_size", embedding_size), ("max_gap", max_gap), ("threads", threads)):
        if value < 1:
            raise UsageError(f"--{name} must be >= 1; received {value}")
    if not 0 < threshold <= 1:
        raise UsageError(f"--threshold must be in (0, 1]; received {threshold}")
    if time_limit is not None and time_limit <= 0:
        raise UsageError(f"--time_limit must be > 0 seconds (or left out); received {time_limit}")
    task = RecallTask(num_keys, num_distractors)
    series = [(name, LSTMInit(kind, forget_bias, chrono_max)) for name in architectures
              for kind in (lstm_inits if name == "lstm" else ("default",))]  # validates the inits before any training
    torch.set_num_threads(threads)
    trial_budget = RecallBudget(max_steps=budget, max_seconds=time_limit, batch_size=batch_size, learning_rate=learning_rate)
    summary, trials = {}, []
    for architecture, lstm_init in series:
        start = time.perf_counter()
        gap, found = largest_gap(
            architecture, max_gap, task=task, budget=trial_budget, hidden_size=hidden_size,
            embedding_size=embedding_size, lstm_init=lstm_init, threshold=threshold, seed=seed,
            on_trial=lambda t: print(f"  {_series(t.architecture, t.init):<28} gap {t.gap:>4}: accuracy {t.accuracy:.3f} "
                                     f"after {t.steps} steps ({t.seconds:.1f} s)", flush=True),
        )
        seconds = time.perf_counter() - start
        name = _series(architecture, found[0].init)
        summary[name] = {"architecture": architecture, "init": found[0].init, "largest_gap": gap,
                         "reached_max_gap": gap >= max_gap, "seconds": round(seconds, 1), "trials": len(found)}
        trials += trial_rows(found)
        print(f"{name}: largest gap learned to {threshold:.0%}: {gap}"
              f"{' (the search limit)' if gap >= max_gap else ''} [{len(found)} trials, {seconds:.0f} s]", flush=True)
    settings = dict(architectures=architectures, lstm_inits=lstm_inits, budget=budget, time_limit=time_limit,
                    batch_size=batch_size, learning_rate=learning_rate, hidden_size=hidden_size,
                    embedding_size=embedding_size, forget_bias=forget_bias, chrono_max=chrono_max or default_chrono_max(max_gap),
                    num_keys=num_keys, num_distractors=num_distractors, threshold=threshold, max_gap=max_gap,
                    seed=seed, threads=threads, output_dir=output_dir)
    for row in trials:
        row["series"] = _series(row["architecture"], row["init"])
    paths = plot_longrange(trials, Path(output_dir) / "longrange", threshold=threshold, summary=summary, settings=settings)
    print("wrote " + ", ".join(str(path) for path in paths))
    return 0


def _series(architecture: str, init: str) -> str:
    """``LSTM (chrono T_max=256)``, or ``RNN``: the name of one searched series."""
    return architecture.upper() + (f" ({init})" if init else "")
