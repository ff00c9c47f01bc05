"""Every shipped recipe in configs/ is loaded and dry-run (one training and one validation window).

The parser is built once; each config is parsed with the tiny corpus and small windows swapped
in (the model is built exactly as shipped), instantiated, and run with ``fast_dev_run``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rnnlm.training.cli import lightning_main

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


@pytest.fixture(scope="module")
def cli(tiny_corpus):
    return lightning_main(["--data.corpus", str(tiny_corpus), "--trainer.logger", "false"], run=False)


def test_the_recipes_are_shipped():
    names = {path.stem for path in CONFIGS}
    assert {"zaremba_small", "zaremba_medium", "zaremba_large", "char_rnn_tinyshakespeare"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_config_loads_and_dry_runs(path, cli, tiny_corpus, tmp_path):
    shipped = yaml.safe_load(path.read_text())
    overrides = ["--data.corpus", str(tiny_corpus), "--data.batch_size", "2", "--data.eval_batch_size", "2",
                 "--data.bptt", "5", "--trainer.fast_dev_run", "true", "--trainer.logger", "false",
                 "--trainer.enable_progress_bar", "false", "--trainer.default_root_dir", str(tmp_path)]
    if shipped["model"]["init_args"].get("adaptive_softmax_cutoffs"):
        overrides += ["--model.init_args.adaptive_softmax_cutoffs", "[4, 12]"]  # the tiny vocabulary is ~30 words
    cli.config = cli.parser.parse_args(["-c", str(path), *overrides])
    # LightningCLI caches the config it hands to save_hyperparameters; one CLI, many configs here.
    cli.__dict__.pop("config_dump", None)
    cli.instantiate_classes()
    assert type(cli.model).__name__ == shipped["model"]["class_path"].rsplit(".", 1)[-1]
    for key, value in shipped["model"]["init_args"].items():
        if key != "adaptive_softmax_cutoffs":
            assert cli.model.hparams[key] == value, key
    assert cli.datamodule.level == shipped["data"].get("level", "word")
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    assert cli.trainer.state.finished and "val/loss" in cli.trainer.callback_metrics
