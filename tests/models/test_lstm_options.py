"""LSTMLM's variant options: they reach the recurrent layer, survive the uniform init, travel in checkpoints."""

from __future__ import annotations

import pytest
import torch

from rnnlm.cells.lstm import LSTM as ScratchLSTM
from rnnlm.errors import UsageError
from rnnlm.models import LSTMLM

SMALL = dict(vocab_size=20, embedding_dim=8, hidden_size=8, num_layers=2, dropout=0.0)


def forget_bias_of(layer, index: int = 0) -> torch.Tensor:
    """The summed forget-gate bias of layer ``index`` (gates i, f, g, o: rows H..2H)."""
    hidden = layer.hidden_size
    total = getattr(layer, f"bias_ih_l{index}") + getattr(layer, f"bias_hh_l{index}")
    return total[hidden:2 * hidden].detach()


def test_the_plain_lstm_is_unchanged():
    torch.manual_seed(0)
    plain = LSTMLM(**SMALL)
    torch.manual_seed(0)
    defaults = LSTMLM(**SMALL, coupled=False, peephole=False, connection="plain", forget_bias=None)
    assert isinstance(plain.recurrent, torch.nn.LSTM)
    for (name, a), (_, b) in zip(plain.state_dict().items(), defaults.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
    assert "coupled" in plain.hparams and plain.hparams.coupled is False


@pytest.mark.parametrize("backend", ["fused", "scratch"])
def test_forget_bias_survives_the_uniform_init(backend):
    model = LSTMLM(**SMALL, backend=backend, forget_bias=1.0)
    for index in range(2):
        torch.testing.assert_close(forget_bias_of(model.recurrent, index), torch.ones(8), rtol=0, atol=0)


def test_chrono_init_sets_forget_and_input_biases():
    model = LSTMLM(**SMALL, backend="scratch", lstm_init="chrono", chrono_max=50.0)
    forget = forget_bias_of(model.recurrent)
    assert (forget >= 0).all() and (forget <= torch.log(torch.tensor(49.0)) + 1e-6).all()
    hidden = 8
    input_bias = (model.recurrent.bias_ih_l0 + model.recurrent.bias_hh_l0)[:hidden].detach()
    torch.testing.assert_close(input_bias, -forget)


def test_structural_variants_build_the_scratch_lstm_and_train():
    model = LSTMLM(**SMALL, backend="scratch", coupled=True, peephole=True, connection="highway")
    assert isinstance(model.recurrent, ScratchLSTM)
    assert model.recurrent.coupled and model.recurrent.peephole and model.recurrent.connection == "highway"
    plain = LSTMLM(**SMALL, backend="scratch")
    assert sum(p.numel() for p in model.parameters()) != sum(p.numel() for p in plain.parameters())
    inputs = torch.randint(0, 20, (3, 5))
    nll, hidden = model.token_nll(inputs, inputs)
    nll.mean().backward()
    assert nll.shape == (3, 5) and all(p.grad is not None for p in model.parameters() if p.requires_grad)


def test_structural_variants_need_the_scratch_backend():
    with pytest.raises(UsageError, match="scratch"):
        LSTMLM(**SMALL, backend="fused", coupled=True)


def test_variants_travel_in_the_checkpoint(tmp_path):
    from lightning.pytorch import Trainer

    model = LSTMLM(**SMALL, backend="scratch", coupled=True, forget_bias=1.0)
    trainer = Trainer(max_epochs=0, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                      enable_model_summary=False)
    trainer.strategy.connect(model)
    path = tmp_path / "variant.ckpt"
    trainer.save_checkpoint(path)
    loaded = LSTMLM.load_from_checkpoint(path)
    assert loaded.recurrent.coupled and loaded.hparams.forget_bias == 1.0
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
