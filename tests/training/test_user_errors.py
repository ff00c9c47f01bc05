"""``rnnlm fit`` mistakes print one line ``rnnlm: error: ...`` and exit with status 2 (issue 14).

Each case runs the real entry point (``rnnlm.training.cli.main``) in-process and checks the
exact short message on stderr, the status, and that no traceback is printed.
"""

from __future__ import annotations

import pytest
import torch

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.errors import UsageError
from rnnlm.training.cli import main

from tests.support.cli_corpus import TINY_DATA, TINY_MODEL


def fit(corpus, tmp_path, *extra: str) -> list[str]:
    return ["fit", "--data.corpus", str(corpus), *TINY_DATA, *TINY_MODEL, "--trainer.max_epochs", "1",
            "--trainer.limit_train_batches", "2", "--trainer.limit_val_batches", "2", "--trainer.logger", "false", "--trainer.enable_progress_bar", "false",
            "--trainer.enable_model_summary", "false", "--trainer.default_root_dir", str(tmp_path),
            "--checkpoint.dirpath", str(tmp_path / "checkpoints"), *extra]


def one_line_error(capsys, argv: list[str]) -> str:
    """Run ``argv``, check status 2 and a single stderr line without traceback; return that line."""
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("rnnlm: error: ")]
    assert status == 2, err[-2000:]
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    return lines[0]


def test_a_refused_model_option_is_one_line_not_a_namespace_dump(tiny_corpus, tmp_path, capsys):
    line = one_line_error(capsys, fit(tiny_corpus, tmp_path, "--model.lr", "-1"))
    assert line == "rnnlm: error: lr must be > 0, got -1.0"
    line = one_line_error(capsys, fit(tiny_corpus, tmp_path, "--model.adaptive_softmax_cutoffs", "[5, 500]"))
    assert line.startswith("rnnlm: error: adaptive_softmax_cutoffs must be strictly increasing token ids between 1 "
                           "and vocab_size - 1")


def test_a_truncated_or_missing_checkpoint_is_named(tiny_corpus, tmp_path, capsys):
    whole = tmp_path / "whole.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(1000)}, "hyper_parameters": {}}, whole)
    truncated = tmp_path / "truncated.ckpt"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    line = one_line_error(capsys, fit(tiny_corpus, tmp_path, "--ckpt_path", str(truncated)))
    assert line == (f"rnnlm: error: {truncated} is not a complete PyTorch checkpoint (truncated or another kind of "
                    f"file, {truncated.stat().st_size} bytes): copy it again or choose another .ckpt")
    missing = tmp_path / "missing.ckpt"
    line = one_line_error(capsys, fit(tiny_corpus, tmp_path, "--ckpt_path", str(missing)))
    assert line == f"rnnlm: error: checkpoint not found: {missing} (give the path of a .ckpt file written by rnnlm fit)"


def test_training_without_checkpoints(tiny_corpus, tmp_path, capsys):
    assert main(fit(tiny_corpus, tmp_path, "--trainer.enable_checkpointing", "false")) == 0
    assert "validation perplexity" in capsys.readouterr().out
    assert not list(tmp_path.rglob("*.ckpt"))


def test_a_usage_error_raised_while_fitting_is_one_line(tiny_corpus, tmp_path, capsys, monkeypatch):
    def refuse(self):
        raise UsageError("the training split is empty: give a corpus with text in train.txt")

    monkeypatch.setattr(LanguageModelDataModule, "train_dataloader", refuse)
    line = one_line_error(capsys, fit(tiny_corpus, tmp_path))
    assert line == "rnnlm: error: the training split is empty: give a corpus with text in train.txt"


def _data_layer_raises_usage_errors(corpus: str) -> None:
    """The data layer refuses the corpus with a UsageError (so the CLI prints it on one line)."""
    with pytest.raises(UsageError):
        LanguageModelDataModule(corpus=corpus).vocab_size


def test_an_unknown_corpus_path_is_one_line(tmp_path, capsys):
    missing = tmp_path / "no_such_corpus"
    _data_layer_raises_usage_errors(str(missing))
    line = one_line_error(capsys, fit(missing, tmp_path))
    assert str(missing) in line


def test_a_corpus_that_is_not_utf8_is_one_line(tmp_path, capsys):
    corpus = tmp_path / "latin1"
    corpus.mkdir()
    for split in ("train", "valid", "test"):
        (corpus / f"{split}.txt").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e\n".encode("latin-1") * 20)
    _data_layer_raises_usage_errors(str(corpus))
    line = one_line_error(capsys, fit(corpus, tmp_path))
    assert "utf" in line.lower() and "train.txt" in line


def test_a_corpus_that_cannot_be_downloaded_is_one_line_naming_where_to_put_it(tmp_path, capsys, monkeypatch):
    """Offline (nothing listens at the mirror): the download's own message, without the traceback that
    Lightning's fit would otherwise print from `prepare_data`, and nothing half-written in the cache."""
    monkeypatch.setenv("RNNLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RNNLM_MIRROR", "http://127.0.0.1:9")
    line = one_line_error(capsys, ["fit", "--data.corpus", "wikitext103", "--trainer.logger", "false",
                                   "--trainer.default_root_dir", str(tmp_path)])
    assert line.startswith("rnnlm: error: could not download http://127.0.0.1:9/")
    assert "place it by hand at " + str(tmp_path / "cache") in line
    assert not [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]
