"""``rnnlm fit|validate|test`` through the LightningCLI: defaults, CSV logger, print_config round trip."""

from __future__ import annotations

import csv
import re
import warnings

import pytest
import yaml

from rnnlm.models import GRULM, LSTMLM
from rnnlm.training.cli import lightning_main

from tests.support.cli_corpus import TINY_DATA, TINY_MODEL, write_corpus


def fit_args(corpus, tmp_path, *extra: str) -> list[str]:
    return ["fit", "--data.corpus", str(corpus), *TINY_DATA, *TINY_MODEL,
            "--trainer.max_epochs", "1", "--trainer.limit_train_batches", "6", "--trainer.log_every_n_steps", "2",
            "--trainer.enable_progress_bar", "false", "--trainer.enable_model_summary", "false",
            "--trainer.default_root_dir", str(tmp_path), "--checkpoint.dirpath", str(tmp_path / "checkpoints"),
            *extra]


def test_fit_with_csv_logger_reports_validation_perplexity(tiny_corpus, tmp_path, capsys):
    cli = lightning_main(fit_args(tiny_corpus, tmp_path, "--trainer.logger", "CSVLogger",
                                  "--trainer.logger.save_dir", str(tmp_path / "csv")))
    assert isinstance(cli.model, LSTMLM)  # the default architecture
    assert cli.model.hparams.vocab_size == cli.datamodule.vocab_size  # linked from the DataModule
    assert cli.model.vocab == cli.datamodule.vocab
    out = capsys.readouterr().out
    loss = float(cli.trainer.callback_metrics["val/loss"])
    assert f"validation perplexity {2.718281828459045 ** loss:.1f} (val/loss {loss:.3f})" in out
    rows = list(csv.DictReader(open(next((tmp_path / "csv").rglob("metrics.csv")))))
    logged = {key for row in rows for key, value in row.items() if value}
    assert {"train/loss_step", "val/loss", "val/ppl", "train/tokens_per_sec", "lr-SGD"} <= logged
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    assert (tmp_path / "csv" / "version_0" / "config.yaml").is_file()  # the run's own folder, beside metrics.csv


def test_a_run_stopped_before_validation_says_so_and_names_its_checkpoint(tiny_corpus, tmp_path, capsys):
    """`--trainer.max_steps` inside the first epoch ends before the validation at the epoch's end: the
    user is told why no perplexity is printed and which checkpoint the run left."""
    from lightning.pytorch.trainer.connectors import data_connector

    data_connector.warning_cache.clear()  # Lightning warns once per process: let this run warn afresh
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cli = lightning_main(fit_args(tiny_corpus, tmp_path, "--trainer.max_steps", "3", "--trainer.logger", "false"))
    assert cli.trainer.global_step == 3 and "val/loss" not in cli.trainer.callback_metrics
    out = capsys.readouterr().out
    assert "no validation ran: training stopped after 3 steps, before the first validation" in out
    assert "perplexity" not in out.replace("no validation ran", "")
    last = tmp_path / "checkpoints" / "last.ckpt"
    assert f"last checkpoint: {last}" in out
    # the command it suggests measures that checkpoint with the run's own saved configuration
    suggested = re.search(r"`rnnlm validate (-c \S+ --ckpt_path \S+)` measures it", out)
    assert suggested and suggested.group(1) == f"-c {tmp_path / 'config.yaml'} --ckpt_path {last}"
    capsys.readouterr()
    validated = lightning_main(["validate", *suggested.group(1).split(), "--trainer.enable_progress_bar", "false"])
    assert "val/loss" in validated.trainer.callback_metrics
    assert "validation perplexity" in capsys.readouterr().out
    # the models move TBPTT batches themselves on purpose; Lightning's note about it is not shown
    assert not [w for w in caught if "transfer_batch_to_device" in str(w.message)]


def test_model_is_chosen_by_name_and_print_config_round_trips(tiny_corpus, tmp_path, capsys):
    args = fit_args(tiny_corpus, tmp_path, "--model", "GRULM", "--model.dropout", "0.3", "--trainer.logger", "false")
    with pytest.raises(SystemExit):
        lightning_main(args + ["--print_config"])
    printed = capsys.readouterr().out
    config = yaml.safe_load(printed)
    assert config["model"]["class_path"].endswith("GRULM") and config["model"]["init_args"]["dropout"] == 0.3
    assert "vocab_size" not in config["model"]["init_args"]  # linked, not a user setting
    (tmp_path / "config.yaml").write_text(printed)
    with pytest.raises(SystemExit):
        lightning_main(["fit", "-c", str(tmp_path / "config.yaml"), "--print_config"])
    assert yaml.safe_load(capsys.readouterr().out) == config


def test_a_checkpoint_alone_evaluates_and_a_foreign_vocabulary_is_refused(tiny_corpus, tmp_path, capsys):
    lightning_main(fit_args(tiny_corpus, tmp_path, "--model", "GRULM", "--trainer.logger", "false"))
    checkpoint = tmp_path / "checkpoints" / "last.ckpt"
    capsys.readouterr()
    # no model arguments: LightningCLI rebuilds the model from the checkpoint's hyperparameters
    common = ["--data.corpus", str(tiny_corpus), *TINY_DATA, "--trainer.logger", "false",
              "--trainer.enable_progress_bar", "false", "--trainer.default_root_dir", str(tmp_path / "eval"),
              "--ckpt_path", str(checkpoint)]
    cli = lightning_main(["test", *common])
    assert isinstance(cli.model, GRULM) and "test/ppl" in cli.trainer.callback_metrics
    loss = float(cli.trainer.callback_metrics["test/loss"])
    assert f"test perplexity {2.718281828459045 ** loss:.1f} (test/loss {loss:.3f})" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"vocab_size \d+ != 12"):
        lightning_main(["validate", *common, "--data.max_size", "12"])


def test_bad_options_are_refused_with_the_valid_ones(tiny_corpus, tmp_path):
    with pytest.raises(ValueError, match="dropout must be in"):
        lightning_main(fit_args(tiny_corpus, tmp_path, "--model.dropout", "1.5", "--trainer.logger", "false"))
    with pytest.raises(SystemExit):  # jsonargparse lists the valid choices
        lightning_main(fit_args(tiny_corpus, tmp_path, "--model.backend", "cuda", "--trainer.logger", "false"))


def test_bpe_level_reports_perplexity_per_word_and_generates(tiny_corpus, tmp_path, capsys):
    """`--data.level bpe` trains, logs val/word_ppl = exp(val/loss * tokens per word), and the
    checkpoint's vocabulary carries the tokenizer, so the model's samples decode to text."""
    import math

    from rnnlm.generate import generate

    cli = lightning_main(fit_args(tiny_corpus, tmp_path, "--data.level", "bpe", "--data.bpe_vocab_size", "300",
                                  "--trainer.logger", "false"))
    metrics = cli.trainer.callback_metrics
    tokens_per_word = cli.datamodule.tokens_per_word("valid")
    assert tokens_per_word > 1.0
    assert float(metrics["val/word_ppl"]) == pytest.approx(math.exp(float(metrics["val/loss"]) * tokens_per_word),
                                                           rel=1e-5)
    assert f"per word {float(metrics['val/word_ppl']):.1f}" in capsys.readouterr().out
    loaded = LSTMLM.load_from_checkpoint(tmp_path / "checkpoints" / "last.ckpt")
    assert loaded.vocab.level == "bpe"
    text = generate(loaded, prompt="the king", max_tokens=12, seed=0)
    assert isinstance(text, str) and text.startswith("the king") and len(text) > len("the king")


def test_an_lstm_variant_trains_from_the_command_line(tiny_corpus, tmp_path):
    cli = lightning_main(fit_args(tiny_corpus, tmp_path, "--model.backend", "scratch", "--model.coupled", "true",
                                  "--model.forget_bias", "1.0", "--trainer.logger", "false"))
    assert cli.model.recurrent.coupled and cli.model.hparams.forget_bias == 1.0
    assert "val/loss" in cli.trainer.callback_metrics


def test_the_default_run_is_300_windows_in_batches_of_20(tmp_path):
    """The CLI's defaults: ``limit_train_batches`` 15 batches of ``windows_per_batch`` 20 windows,
    one optimizer step each (``global_step`` counts windows, as the checkpoint names do)."""
    corpus = write_corpus(tmp_path / "corpus", lines=2000)  # ~1,600 windows of 2 x 5 tokens
    args = ["fit", "--data.corpus", str(corpus), "--data.batch_size", "2", "--data.bptt", "5", *TINY_MODEL,
            "--trainer.logger", "false", "--trainer.enable_progress_bar", "false", "--trainer.limit_val_batches", "2",
            "--trainer.default_root_dir", str(tmp_path), "--checkpoint.dirpath", str(tmp_path / "checkpoints")]
    cli = lightning_main(args)
    assert cli.datamodule.windows_per_batch == 20 and cli.trainer.num_training_batches == 15
    assert cli.trainer.global_step == 300
    assert (tmp_path / "checkpoints" / "epoch0-step300.ckpt").is_file()
