"""GradientFlowCallback logs Fig. 5.2's numbers and figure during a real (tiny) training run."""

from __future__ import annotations

import csv

import pytest
from lightning.pytorch import Trainer
from lightning.pytorch.loggers import CSVLogger

from rnnlm.analysis.gradients import measure_gradient_flow
from rnnlm.analysis.stack import stack_from_module
from rnnlm.cli import main
from rnnlm.data import LanguageModelDataModule
from rnnlm.models import LSTMLM
from rnnlm.training.gradient_flow import GradientFlowCallback


def test_callback_logs_numbers_and_figure_with_csv_logger(tmp_path, tiny_corpus):
    data = LanguageModelDataModule(corpus=tiny_corpus, batch_size=4, eval_batch_size=2, bptt=8)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=8, hidden_size=8, num_layers=2, dropout=0.0)
    before = {name: parameter.detach().clone() for name, parameter in model.named_parameters()}
    callback = GradientFlowCallback(every_n_steps=2, steps=6, sequences=3, distances=(1, 3))
    trainer = Trainer(max_steps=4, logger=CSVLogger(tmp_path, name="run"), callbacks=[callback], limit_val_batches=0,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=data)
    assert [entry["step"] for entry in callback.history] == [2, 4]
    assert any((before[name] != parameter).any() for name, parameter in model.named_parameters())  # it trained
    with open(trainer.logger.log_dir + "/metrics.csv") as stream:
        rows = [row for row in csv.DictReader(stream) if row.get("gradient_flow/norm_at_1")]
    assert [int(row["step"]) for row in rows] == [2, 4]
    for row in rows:
        assert 0 < float(row["gradient_flow/norm_at_3"]) < float("inf")
        assert float(row["gradient_flow/spectral_radius_f"]) > 0
        assert 0 < float(row["gradient_flow/keep_gate_mean"]) < 1
    figures = sorted(p.name for p in (tmp_path / "run" / "version_0" / "gradient_flow").glob("*.png"))
    assert figures == ["step_0000002.png", "step_0000004.png"]

    # The trained model, saved and measured by `rnnlm gradients --ckpt_path`, whole stack.
    trainer.save_checkpoint(tmp_path / "lstm.ckpt")
    assert main(["gradients", "--ckpt_path", str(tmp_path / "lstm.ckpt"), "--all_layers", "--steps", "6",
                 "--batch_size", "3", "--output_dir", str(tmp_path / "gradients")]) == 0
    with open(tmp_path / "gradients" / "fig_5_2.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["layer"] for row in rows} == {"0", "1"} and rows[0]["source"] == "trained (lstm.ckpt)"
    expected = measure_gradient_flow(stack_from_module(model), steps=6, batch_size=3)
    measured = [float(row["grad_norm"]) for row in rows if row["layer"] == "0"]
    assert measured == pytest.approx(list(expected.norms[0]), rel=1e-6)


def test_bad_callback_arguments_are_refused():
    with pytest.raises(ValueError, match="every_n_steps >= 1"):
        GradientFlowCallback(every_n_steps=0)
