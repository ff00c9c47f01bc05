"""``rnnlm fit | validate | test | predict``: Lightning's CLI for the recurrent language models.

Every argument of the model (``--model LSTMLM|GRULM|RNNLM`` and ``--model.*``), of
``LanguageModelDataModule`` (``--data.*``) and of the Trainer (``--trainer.*``) is a flag or a
YAML key (``-c configs/zaremba_small.yaml``; ``--print_config`` prints one). The DataModule's
vocabulary size is linked into the model, which takes the vocabulary itself from the DataModule
at ``setup`` (``RecurrentLanguageModel.adopt_vocabulary``). Defaults chosen for a first run on a laptop CPU:

- an LSTM of 2 x 200 on the complete works of Shakespeare (word level, the 10,000 most frequent
  words as in PTB), a few minutes: one epoch cut at 300 windows of 20 x 35 tokens (210k
  tokens, a quarter of the training split), SGD at lr 20 with gradients clipped at 0.25 (as
  pytorch/examples' word_language_model), then validation on the whole validation split; the
  validation perplexity is printed at the end;
- 20 windows per Lightning batch (``--data.windows_per_batch``): one optimizer step per window
  as always, but Lightning's per-batch work (about a millisecond) is shared by 20 steps. So
  ``limit_train_batches=15`` is the 300 windows, and ``log_every_n_steps=5`` logs every 100
  windows (the progress bar redraws at most twice a second); ``max_steps``, ``global_step`` and ``every_n_train_steps`` count
  optimizer steps (windows);
- logging to Weights & Biases *offline* under ``runs/`` (no account, no network, no prompt;
  ``--trainer.logger.offline false`` goes online, ``--trainer.logger CSVLogger`` writes CSV);
- the resolved configuration saved as ``runs/rnnlm/<run id>/config.yaml``, beside the run's checkpoints;
- checkpoints of the best ``val/loss`` and the last step (``--checkpoint.*`` configures them;
  ``--checkpoint.every_n_train_steps N`` adds mid-epoch ones for an exact resume with
  ``--ckpt_path``), gradient clipping, a learning-rate monitor and tokens per second;
- on Linux with glibc, the process keeps the memory a step frees for the next step instead of
  faulting it in again (``training/allocator.py``; ``RNNLM_KEEP_FREED_MEMORY=0`` opts out).

Reference: Lightning's ``LightningCLI`` (jsonargparse), https://lightning.ai/docs/pytorch/stable/cli/
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from lightning.pytorch import Callback, Trainer
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.callbacks import ProgressBar as LightningProgressBar
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI, SaveConfigCallback
from lightning.pytorch.utilities import rank_zero_only

from rnnlm.atomic import write_text_atomic
from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.errors import UsageError, run_cli
from rnnlm.models.language_model import RecurrentLanguageModel
from rnnlm.training.allocator import keep_freed_memory
from rnnlm.training.callbacks import ProgressBar, TokensPerSecond
from rnnlm.training.noise import quiet_dependency_noise, quiet_wandb_logger
from rnnlm.training.user_errors import (CHECKPOINT_READ_ERRORS, check_checkpoint_file, instantiation_usage_error,
                                        unreadable_checkpoint)

RUNS_DIR = "runs"
DEFAULT_SEED = 1234
DEFAULT_VOCABULARY_SIZE = 10_000

WINDOWS_PER_BATCH = 20  # Lightning's per-batch work shared by 20 optimizer steps (benchmarks/step_overhead.py)
TRAINER_DEFAULTS: dict[str, Any] = {
    "max_epochs": 1,
    "limit_train_batches": 300 // WINDOWS_PER_BATCH,  # 300 windows
    "gradient_clip_val": 0.25,
    "log_every_n_steps": 5,  # batches: every 100 windows
    "use_distributed_sampler": False,  # TBPTTLoader shards the streams itself; never shuffle them
}


def run_directory(trainer: Trainer) -> Path:
    """The run's own folder: ``<save_dir>/<name>/<version>`` of the first logger (``runs/rnnlm/<run id>``),
    the folder that Lightning's ModelCheckpoint puts ``checkpoints/`` in; ``default_root_dir`` without a logger."""
    if not trainer.loggers:
        return Path(trainer.default_root_dir)
    logger = trainer.loggers[0]
    version = logger.version if isinstance(logger.version, str) else f"version_{logger.version}"
    return Path(logger.save_dir or trainer.default_root_dir, str(logger.name), version)


class RunConfig(SaveConfigCallback):
    """Saves the resolved configuration as ``config.yaml`` in the run's own folder, beside its checkpoints.

    Lightning saves it in ``trainer.log_dir``, which for the wandb logger is its ``save_dir`` (``runs/``),
    shared by every run: each run overwrote the last one's. Written on rank zero, atomically.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "save_to_log_dir": False})

    def path(self, trainer: Trainer) -> Path:
        return run_directory(trainer) / self.config_filename

    def save_config(self, trainer: Trainer, pl_module: Any, stage: str) -> None:
        write_text_atomic(self.path(trainer), self.parser.dump(self.config, skip_none=False))


class LanguageModelCLI(LightningCLI):
    """LightningCLI with the vocabulary linked, offline wandb logging and a perplexity report."""

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.link_arguments("data.vocab_size", "model.init_args.vocab_size", apply_on="instantiate")
        parser.add_lightning_class_args(ModelCheckpoint, "checkpoint")
        parser.set_defaults({
            "model": {"class_path": "rnnlm.models.language_model.LSTMLM"},
            "trainer.logger": {
                "class_path": "lightning.pytorch.loggers.WandbLogger",
                "init_args": {"offline": True, "save_dir": RUNS_DIR, "project": "rnnlm"},
            },
            "checkpoint.monitor": "val/loss",
            "checkpoint.mode": "min",
            "checkpoint.save_last": True,
            "checkpoint.filename": "epoch{epoch}-step{step}",
            "checkpoint.auto_insert_metric_name": False,
        })
        parser.set_defaults({f"trainer.{key}": value for key, value in TRAINER_DEFAULTS.items()})
        # PTB's vocabulary size: the full softmax over Shakespeare's ~60k word types is 6x slower on a CPU
        parser.set_defaults({"data.max_size": DEFAULT_VOCABULARY_SIZE, "data.windows_per_batch": WINDOWS_PER_BATCH})

    def before_instantiate_classes(self) -> None:
        # wandb looks for a git repository in its save_dir before creating it, and warns
        # "git root runs does not exist" on every first run: create it first.
        config = self.config.get(self.subcommand) if self.subcommand else self.config
        loggers = config.get("trainer.logger") if config is not None else None
        for logger in loggers if isinstance(loggers, list) else [loggers]:
            save_dir = getattr(getattr(logger, "init_args", None), "save_dir", None)
            if isinstance(save_dir, str) and "WandbLogger" in str(getattr(logger, "class_path", "")):
                Path(save_dir).mkdir(parents=True, exist_ok=True)

    def _parse_ckpt_path(self) -> None:
        # Lightning reads the checkpoint's hyperparameters here, before anything else: check the file first.
        ckpt_path = self.config[self.config.subcommand].get("ckpt_path") if self.config.get("subcommand") else None
        check_checkpoint_file(ckpt_path)
        try:
            super()._parse_ckpt_path()
        except CHECKPOINT_READ_ERRORS as error:
            raise unreadable_checkpoint(ckpt_path, error) from error

    def instantiate_classes(self) -> None:
        try:
            super().instantiate_classes()
        except ValueError as error:
            if isinstance(error, UsageError):
                raise
            config = self.config.get(self.subcommand) if self.subcommand else self.config
            usage_error = instantiation_usage_error(config, self.datamodule_class)
            if usage_error is None:
                raise
            raise usage_error from error

    def _instantiate_trainer(self, config: dict[str, Any], callbacks: list[Callback]) -> Trainer:
        if config.get("enable_checkpointing") is False:  # --trainer.enable_checkpointing false: train without
            callbacks = [callback for callback in callbacks if not isinstance(callback, ModelCheckpoint)]
        given = config.get("callbacks") or []
        if config.get("enable_progress_bar") is not False and not any(
                isinstance(callback, LightningProgressBar) for callback in (given if isinstance(given, list) else [given])):
            # Lightning's bar redraws after every batch, reading every logged value on the host (a device
            # sync) and writing to the terminal, which wandb captures: at most twice a second.
            callbacks = [*callbacks, ProgressBar(min_seconds=0.5)]
        return super()._instantiate_trainer(config, callbacks)

    def instantiate_trainer(self, **kwargs: Any) -> Trainer:
        trainer = super().instantiate_trainer(**kwargs)
        for logger in trainer.loggers:
            quiet_wandb_logger(logger)
        if trainer.loggers:  # LearningRateMonitor refuses to run without a logger
            trainer.callbacks.append(LearningRateMonitor(logging_interval="epoch"))
        return trainer

    def after_fit(self) -> None:
        fit_summary(self.trainer)

    def after_validate(self) -> None:
        report(self.trainer, "val", "validation")

    def after_test(self) -> None:
        report(self.trainer, "test", "test")


@rank_zero_only
def fit_summary(trainer: Trainer) -> None:
    """What a finished ``rnnlm fit`` tells its user: the validation perplexity, or why there is none, and
    the checkpoint to use next (the best one by ``val/loss``, else the last one)."""
    callback = trainer.checkpoint_callback
    best, last = getattr(callback, "best_model_path", ""), getattr(callback, "last_model_path", "")
    if not report(trainer, "val", "validation") and trainer.limit_val_batches != 0 and trainer.global_step > 0:
        # e.g. `--trainer.max_steps 40` stops inside the first epoch, before the validation at its end
        saver = next((callback for callback in trainer.callbacks if isinstance(callback, RunConfig)), None)
        config = saver.path(trainer) if saver is not None else None
        how = (f"`rnnlm validate -c {config} --ckpt_path {best or last}` measures it" if config and (best or last)
               else "`rnnlm validate` with the same options and `--ckpt_path` measures a checkpoint")
        print(f"no validation ran: training stopped after {trainer.global_step} steps, before the first validation "
              f"(`--trainer.val_check_interval` validates sooner; {how})", flush=True)
    if best:
        print(f"best checkpoint: {best}", flush=True)
    elif last:
        print(f"last checkpoint: {last}", flush=True)


@rank_zero_only
def report(trainer: Trainer, stage: str, words: str) -> bool:
    """Print ``<words> perplexity P (<stage>/loss L)`` (and bits per character) from the last evaluation;
    False when there was none."""
    metrics = trainer.callback_metrics
    if f"{stage}/loss" not in metrics:
        return False
    loss = float(metrics[f"{stage}/loss"])
    line = f"{words} perplexity {math.exp(loss):.1f} ({stage}/loss {loss:.3f}"
    if f"{stage}/bpc" in metrics:
        line += f", {stage}/bpc {float(metrics[f'{stage}/bpc']):.3f}"
    if f"{stage}/word_ppl" in metrics:
        line += f", per word {float(metrics[f'{stage}/word_ppl']):.1f}"
    print(line + ")", flush=True)
    return True


def lightning_main(argv: list[str] | None = None, run: bool = True) -> LanguageModelCLI:
    """Run ``rnnlm fit|validate|test|predict ...`` (``argv`` without the program name).

    With ``run=False`` there is no subcommand: the classes are built from ``argv`` and the CLI
    is returned (its ``parser`` can then parse and check more configurations).
    """
    quiet_dependency_noise()
    if run:
        keep_freed_memory()  # a step's large tensors reuse the last step's pages (training/allocator.py)
    return LanguageModelCLI(
        RecurrentLanguageModel,
        LanguageModelDataModule,
        subclass_mode_model=True,
        trainer_defaults={"callbacks": [TokensPerSecond()]},
        seed_everything_default=DEFAULT_SEED,
        save_config_callback=RunConfig,
        auto_configure_optimizers=False,
        run=run,
        # Lightning warns when both `args` and sys.argv are given: pass only what differs.
        args=None if argv is None or list(argv) == sys.argv[1:] else argv,
    )


def main(argv: list[str] | None = None) -> int:
    """``rnnlm fit|validate|test|predict`` as a program: a user's mistake prints one line and returns 2.

    ``argv`` is without the program name (``sys.argv[1:]`` when None). ``RNNLM_DEBUG=1`` shows
    the traceback of a mistake too; internal errors always keep theirs.
    """
    def run() -> None:
        lightning_main(argv)

    return run_cli(run, "rnnlm")


__all__ = ["LanguageModelCLI", "RunConfig", "fit_summary", "lightning_main", "main", "report"]
