"""n-gram vs neural language models on one corpus and split (the chapter's sec. 5.5.3).

Unigram, bigram and trigram models (interpolated Kneser-Ney, ``rnnlm.ngram.NGramLM``) and the
RNN, LSTM and GRU language models (``rnnlm.models``) are trained on the training split of one
``LanguageModelDataModule`` and scored on one held-out split of it: the same vocabulary, the same
``<unk>``/``<eos>`` handling and the same token stream, so the perplexities are comparable.

The neural models train with Lightning's ``Trainer`` and the settings of ``rnnlm fit``
(``rnnlm.training.cli.TRAINER_DEFAULTS``: gradient clipping, no distributed sampler), a
``CSVLogger`` recording the training loss every few steps and the validation loss at every
validation (Fig. 5.5). With ``time_budget`` each model trains for that many seconds
(``Trainer(max_time=...)``), validating every ``val_check_interval`` windows on at most
``curve_val_batches`` validation windows (the curve); the final number is always the whole split.

Outputs (``output_dir``): ``results.csv`` / ``results.md`` (model, parameters, training time,
tokens seen, perplexity), ``fig_5_5.png`` / ``.csv`` (loss curves), ``fig_5_6.png`` / ``.csv``
(perplexity bars), ``checkpoints/<model>.ckpt`` (the trained neural models, for
``rnnlm gradients --ckpt_path``) and ``logs/`` (the CSVLogger runs).

References: Mikolov et al. (2010), Recurrent neural network based language model; Zaremba,
Sutskever & Vinyals (2014), Recurrent Neural Network Regularization; Chen & Goodman (1998),
An empirical study of smoothing techniques for language modeling.
"""

from __future__ import annotations

import csv
import math
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from rnnlm.architectures import ARCHITECTURES, check_choice
from rnnlm.errors import UsageError

NGRAM_NAMES = {1: "unigram", 2: "bigram", 3: "trigram"}
SPLITS = ("valid", "test")


@dataclass
class CompareConfig:
    """Everything one comparison depends on (written beside the results)."""

    corpus: str = "shakespeare"  # corpus name or path, as for ``rnnlm fit --data.corpus``
    level: str = "word"  # word or char
    split: str = "valid"  # held-out split scored: valid or test
    ngram_orders: tuple[int, ...] = (1, 2, 3)
    smoothing: str = "kneser_ney"
    architectures: tuple[str, ...] = ("rnn", "lstm", "gru")
    time_budget: float | None = None  # seconds of training per neural model; None: the full recipe
    max_epochs: int = 13  # the full recipe's epochs (Zaremba et al. 2014, small); a cap under a budget
    batch_size: int = 20
    bptt: int = 35
    eval_batch_size: int = 10
    max_size: int | None = None  # vocabulary cap (shared by every model)
    min_freq: int = 1
    embedding_dim: int = 200
    hidden_size: int = 200
    num_layers: int = 2
    dropout: float = 0.2
    optimizer: str = "sgd"
    lr: float = 1.0
    lr_decay: float = 0.5
    lr_decay_start: int = 4
    val_check_interval: int = 100  # training windows between validations under a budget
    curve_val_batches: int = 20  # validation windows per curve point under a budget
    log_every_n_steps: int = 10
    accelerator: str = "auto"
    seed: int = 1234
    output_dir: str = "compare"

    def __post_init__(self) -> None:
        check_choice("split", self.split, SPLITS)
        for architecture in self.architectures:
            check_choice("architecture", architecture, ARCHITECTURES)
        if any(order < 1 for order in self.ngram_orders):
            raise UsageError(f"n-gram orders must be >= 1; received {list(self.ngram_orders)}")
        if self.time_budget is not None and self.time_budget <= 0:
            raise UsageError(f"time_budget must be a positive number of seconds; received {self.time_budget}")


def _ngram_name(order: int, smoothing: str) -> str:
    name = NGRAM_NAMES.get(order, f"{order}-gram")
    return f"{name} ({'KN' if smoothing == 'kneser_ney' else smoothing})"


def run_ngrams(config: CompareConfig, data) -> list[dict[str, Any]]:
    """Fit each n-gram order on the training stream and score the held-out split."""
    from rnnlm.ngram.model import NGramLM

    train, held_out = data.split_ids("train"), data.split_ids(config.split)
    rows = []
    for order in config.ngram_orders:
        start = time.perf_counter()
        model = NGramLM(order=order, smoothing=config.smoothing).fit(train, data.vocab_size)
        seconds = time.perf_counter() - start
        rows.append({"model": _ngram_name(order, config.smoothing), "kind": "n-gram",
                     "parameters": sum(model.num_ngrams), "train_seconds": round(seconds, 2),
                     "tokens_seen": len(train), "epochs": 1, "perplexity": model.perplexity(held_out)})
    return rows


def _trainer(config: CompareConfig, logger, *, fitting: bool):
    from lightning.pytorch import Trainer

    from rnnlm.training.cli import TRAINER_DEFAULTS

    options: dict[str, Any] = {
        "accelerator": config.accelerator, "devices": 1, "logger": logger, "enable_checkpointing": False,
        "enable_progress_bar": False, "enable_model_summary": False,
        "use_distributed_sampler": TRAINER_DEFAULTS["use_distributed_sampler"],
    }
    if fitting:
        options.update(gradient_clip_val=TRAINER_DEFAULTS["gradient_clip_val"], max_epochs=config.max_epochs,
                       log_every_n_steps=config.log_every_n_steps)
        if config.time_budget is not None:
            options.update(max_time={"seconds": config.time_budget}, val_check_interval=config.val_check_interval,
                           limit_val_batches=config.curve_val_batches, check_val_every_n_epoch=None)
    return Trainer(**options)


def run_neural(config: CompareConfig, data, architecture: str, output_dir: Path) -> tuple[dict[str, Any], list[dict]]:
    """Train one architecture, score the whole held-out split; returns (result row, curve rows)."""
    from lightning.pytorch import seed_everything
    from lightning.pytorch.loggers import CSVLogger

    from rnnlm.analysis.stack import language_model_class

    seed_everything(config.seed, verbose=False)
    model = language_model_class(architecture)(
        vocab_size=data.vocab_size, vocab=data.vocab, embedding_dim=config.embedding_dim, hidden_size=config.hidden_size,
        num_layers=config.num_layers, dropout=config.dropout, optimizer=config.optimizer, lr=config.lr,
        lr_decay=config.lr_decay, lr_decay_start=config.lr_decay_start)
    logger = CSVLogger(output_dir / "logs", name=architecture, version=0)
    trainer = _trainer(config, logger, fitting=True)
    start = time.perf_counter()
    trainer.fit(model, datamodule=data)
    seconds = time.perf_counter() - start
    trainer.save_checkpoint(output_dir / "checkpoints" / f"{architecture}.ckpt")
    evaluator = _trainer(config, False, fitting=False)
    if config.split == "valid":
        metrics = evaluator.validate(model, datamodule=data, verbose=False)[0]
        loss = metrics["val/loss"]
    else:
        metrics = evaluator.test(model, datamodule=data, verbose=False)[0]
        loss = metrics["test/loss"]
    tokens_per_step = config.batch_size * config.bptt
    row = {"model": architecture.upper(), "kind": "neural", "parameters": sum(p.numel() for p in model.parameters()),
           "train_seconds": round(seconds, 1), "tokens_seen": trainer.global_step * tokens_per_step,
           "epochs": round(trainer.global_step / max(1, trainer.num_training_batches), 2), "perplexity": math.exp(loss)}
    return row, read_curves(Path(logger.log_dir) / "metrics.csv", architecture.upper(), tokens_per_step)


def read_curves(metrics_csv: Path, model: str, tokens_per_step: int) -> list[dict[str, Any]]:
    """Training (per logged step) and validation losses from a CSVLogger's ``metrics.csv``."""
    rows = []
    if not metrics_csv.exists():
        return rows
    with open(metrics_csv) as stream:
        for record in csv.DictReader(stream):
            step = int(record["step"]) + 1  # the CSVLogger's step is 0-based at the first optimizer step
            for split, key in (("train", "train/loss_step"), ("valid", "val/loss")):
                if record.get(key):
                    rows.append({"model": model, "split": split, "step": step, "tokens": step * tokens_per_step,
                                 "epoch": record.get("epoch", ""), "loss": float(record[key])})
    return rows


def markdown_table(rows: list[dict[str, Any]], config: CompareConfig) -> str:
    """The results as a Markdown table, with the settings they depend on."""
    budget = f"{config.time_budget:g} s per neural model" if config.time_budget else f"full recipe ({config.max_epochs} epochs)"
    lines = [f"Corpus `{config.corpus}` ({config.level} level), perplexity on the `{config.split}` split; "
             f"neural training: {budget}; {config.num_layers} x {config.hidden_size} {config.optimizer} lr {config.lr:g}, "
             f"batch {config.batch_size} x bptt {config.bptt}, dropout {config.dropout:g}.", "",
             "| model | parameters | train time (s) | tokens seen | epochs | perplexity |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['model']} | {row['parameters']:,} | {row['train_seconds']:g} | {row['tokens_seen']:,} | "
                     f"{row['epochs']:g} | {row['perplexity']:.1f} |")
    lines += ["", "n-gram parameters: distinct n-grams stored (all orders); neural: trainable weights. "
              "Train time: counting for the n-grams; the wall time of `Trainer.fit` for the neural models "
              "(set-up, sanity check and curve validations included).",
              f"Machine: {machine_description()}."]
    return "\n".join(lines) + "\n"


def machine_description() -> str:
    """CPU model and count, torch threads and version, and the GPU when one is used."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as stream:
            cpu = next((line.split(":", 1)[1].strip() for line in stream if line.startswith("model name")), cpu)
    except OSError:
        pass
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""
    return (f"{cpu}, {os.cpu_count()} CPUs, {torch.get_num_threads()} torch threads{gpu}, torch {torch.__version__}")


def compare(config: CompareConfig) -> list[dict[str, Any]]:
    """Run the whole comparison and write every output; returns the result rows."""
    from rnnlm.commands.checks import options_checked
    from rnnlm.data import LanguageModelDataModule
    from rnnlm.plots import plot_perplexity_bars, plot_training_curves, write_csv, write_json, write_text

    output_dir = Path(config.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with options_checked():  # an unknown corpus or a bad data option is the user's to fix
        data = LanguageModelDataModule(corpus=config.corpus, level=config.level, batch_size=config.batch_size,
                                       eval_batch_size=config.eval_batch_size, bptt=config.bptt,
                                       max_size=config.max_size, min_freq=config.min_freq, seed=config.seed)
    data.prepare_data()
    if len(data.split_ids(config.split)) == 0:
        raise UsageError(f"the {config.split} split of {config.corpus!r} is empty; choose a corpus with held-out text")
    rows, curves = run_ngrams(config, data), []
    write_csv(rows, output_dir / "results.csv")  # partial results survive an interruption of the neural runs
    for architecture in config.architectures:
        row, curve = run_neural(config, data, architecture, output_dir)
        rows.append(row)
        curves += curve
        write_csv(rows, output_dir / "results.csv")
    write_text(markdown_table(rows, config), output_dir / "results.md")
    write_json({"config": asdict(config), "vocab_size": data.vocab_size, "results": rows}, output_dir / "results.json")
    if curves:
        plot_training_curves(curves, output_dir / "fig_5_5")
    plot_perplexity_bars(rows, output_dir / "fig_5_6", split=config.split)
    return rows
