"""``rnnlm export``: the TorchScript file computes the model's logits and hidden state; ONNX where onnx is installed."""

from __future__ import annotations

import importlib.util
import json

import pytest
import torch

from rnnlm.cli import main
from rnnlm.commands.export import example_inputs
from rnnlm.models import load_language_model
from tests.support.checkpoints import train_checkpoint


@pytest.mark.parametrize("architecture", ["rnn", "lstm", "gru"])
def test_torchscript_gives_the_models_logits_and_state(architecture, tiny_corpus, tmp_path, capsys):
    checkpoint = train_checkpoint(tiny_corpus, tmp_path / f"{architecture}.ckpt", architecture, steps=1,
                                  num_layers=2)
    assert main(["export", "--ckpt_path", str(checkpoint), "--output", str(tmp_path / "model.pt")]) == 0
    assert "wrote" in capsys.readouterr().out
    files = {"vocab.json": ""}
    exported = torch.jit.load(str(tmp_path / "model.pt"), _extra_files=files)
    model = load_language_model(checkpoint)
    assert json.loads(files["vocab.json"]) == model.vocab.to_dict()
    inputs, hidden = example_inputs(model, batch_size=4, steps=11)  # not the traced shape
    with torch.no_grad():
        expected_logits, expected_hidden = model(inputs, hidden)
        logits, new_hidden = exported(inputs, hidden)
    assert logits.shape == (4, 11, model.hparams.vocab_size)
    torch.testing.assert_close(logits, expected_logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(new_hidden, expected_hidden, rtol=1e-5, atol=1e-5)


def test_onnx_gives_the_models_logits(word_checkpoint, tmp_path):
    if importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None:
        pytest.skip("onnx and onnxruntime are not installed (pip install onnx onnxruntime)")
    import onnxruntime

    output = tmp_path / "model.onnx"
    assert main(["export", "--ckpt_path", str(word_checkpoint), "--format", "onnx", "--output", str(output)]) == 0
    model = load_language_model(word_checkpoint)
    inputs, (h, c) = example_inputs(model, batch_size=3, steps=9)
    session = onnxruntime.InferenceSession(str(output))
    logits, _, _ = session.run(None, {"inputs": inputs.numpy(), "h0": h.numpy(), "c0": c.numpy()})
    with torch.no_grad():
        expected, _ = model(inputs, (h, c))
    torch.testing.assert_close(torch.from_numpy(logits), expected, rtol=1e-4, atol=1e-4)
    assert (tmp_path / "model.onnx.vocab.json").exists()
