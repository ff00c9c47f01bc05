"""The default logger: Weights & Biases offline (no account, no network, no prompt), with the
logged metrics in the run directory."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
import wandb
import yaml
from wandb.errors import term as wandb_term
from wandb.proto import wandb_internal_pb2

from rnnlm.training.cli import lightning_main

from tests.support.cli_corpus import TINY_DATA, TINY_MODEL


def wandb_history(path) -> list[dict]:
    """The history rows of an offline ``run-*.wandb`` file (wandb writes no summary file offline).

    The file is a LevelDB-style log: a 7-byte header (``:W&B``, magic, version), then records of
    checksum (4 bytes), length (2, little-endian), type (1: full, 2: first, 3: middle, 4: last)
    in 32 KiB blocks; each record is a ``wandb_internal_pb2.Record``.
    """
    data, position, block, pending, rows = path.read_bytes(), 7, 32768, b"", []
    assert data[:4] == b":W&B", f"{path} is not a wandb run file"
    while position + 7 <= len(data):
        if block - position % block < 7:  # a block ends with padding too short for a header
            position += block - position % block
            continue
        length, kind = int.from_bytes(data[position + 4 : position + 6], "little"), data[position + 6]
        chunk, position = data[position + 7 : position + 7 + length], position + 7 + length
        if kind in (2, 3):
            pending = (b"" if kind == 2 else pending) + chunk
            continue
        if kind == 4:
            chunk, pending = pending + chunk, b""
        record = wandb_internal_pb2.Record()
        record.ParseFromString(chunk)
        if record.WhichOneof("record_type") == "history":
            rows.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                         for item in record.history.item})
    return rows


@pytest.fixture
def no_wandb_account(monkeypatch, tmp_path):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.netrc either
    yield
    wandb.finish()  # a later logger would otherwise reuse this run


@pytest.mark.slow
def test_default_wandb_logger_is_offline_and_keeps_the_metrics(tiny_corpus, tmp_path, no_wandb_account, capfd,
                                                              caplog, recwarn):
    caplog.set_level(logging.INFO)
    wandb_term._printed_messages.clear()  # wandb prints some warnings once per process: let this run print afresh
    cli = lightning_main(["fit", "--data.corpus", str(tiny_corpus), *TINY_DATA, *TINY_MODEL,
                          "--trainer.max_epochs", "2", "--trainer.limit_train_batches", "4",
                          "--trainer.log_every_n_steps", "1", "--trainer.enable_progress_bar", "false",
                          "--trainer.logger.save_dir", str(tmp_path / "runs")])
    logger = cli.trainer.logger
    assert type(logger).__name__ == "WandbLogger" and logger.experiment.settings.mode in ("offline", "dryrun")
    run_dir = logger.experiment.dir
    expected_val_loss = float(cli.trainer.callback_metrics["val/loss"])
    wandb.finish()
    runs = list((tmp_path / "runs" / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and os.path.commonpath([run_dir, str(runs[0])]) == str(runs[0])
    (run_file,) = runs[0].glob("run-*.wandb")  # the full history, for `wandb sync` later
    for _ in range(60):  # wandb's service may still be writing the last records after finish()
        history = wandb_history(run_file)
        validation = [row for row in history if "val/loss" in row]
        if len(validation) == 2 and any("train/loss_epoch" in row for row in history[-2:]):
            break
        time.sleep(0.5)
    assert len(validation) == 2  # one per epoch
    assert validation[-1]["val/loss"] == pytest.approx(expected_val_loss, rel=1e-6)
    logged = {key for row in history for key in row}
    assert {"val/ppl", "train/loss_step", "train/tokens_per_sec", "trainer/global_step"} <= logged
    checkpoints = list((tmp_path / "runs").rglob("*.ckpt"))
    assert any(path.name == "last.ckpt" for path in checkpoints)
    # the run's configuration is kept in the run's own folder, beside its checkpoints, not in the
    # save_dir that every run shares (Lightning's default for this logger: each run overwrote it)
    own_folder = tmp_path / "runs" / "rnnlm" / logger.version
    assert (own_folder / "checkpoints" / "last.ckpt").is_file()
    saved = yaml.safe_load((own_folder / "config.yaml").read_text())
    assert saved["trainer"]["max_epochs"] == 2 and saved["data"]["corpus"] == str(tiny_corpus)
    assert not (tmp_path / "runs" / "config.yaml").exists()
    # a first run prints none of the dependencies' noise that a user can do nothing about
    printed = "".join(capfd.readouterr()) + "\n".join(record.getMessage() for record in caplog.records)
    assert "git root" not in printed and "litlogger" not in printed and "anonymous setting" not in printed
    assert not [w for w in recwarn if "LeafSpec" in str(w.message)]


def test_the_progress_bar_redraws_at_most_every_min_seconds(monkeypatch):
    from rnnlm.training import callbacks

    clock = [100.0]
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: clock[0])
    bar = callbacks.ProgressBar(min_seconds=0.5)
    assert bar._should_update(1, 10)  # the first batch draws
    clock[0] += 0.2
    assert not bar._should_update(2, 10)  # too soon
    assert bar._should_update(10, 10)  # the last batch always draws
    clock[0] += 0.6
    assert bar._should_update(3, 10)
    with pytest.raises(ValueError, match="min_seconds"):
        callbacks.ProgressBar(min_seconds=-1)
