"""RNNLM / LSTMLM / GRULM: shapes, options refused, hidden state across windows, perplexity."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnlm.data.streams import TBPTTBatch
from rnnlm.models import GRULM, LSTMLM, RNNLM
from rnnlm.models.language_model import ZarembaDecay

from tests.support.batches import quiet_trainer, stream_batches

SMALL = dict(embedding_dim=12, hidden_size=12, num_layers=2)


@pytest.mark.parametrize("cls, extra", [(RNNLM, {"nonlinearity": "relu"}), (RNNLM, {}), (LSTMLM, {}),
                                        (GRULM, {}), (GRULM, {"gru_variant": "textbook", "backend": "scratch"})])
def test_forward_shapes_and_hidden(cls, extra, word_vocab):
    model = cls(vocab=word_vocab, **SMALL, **extra)
    inputs = torch.randint(0, len(word_vocab), (3, 7))  # [B, T]
    logits, hidden = model(inputs)
    assert logits.shape == (3, 7, len(word_vocab))
    for tensor in (hidden if isinstance(hidden, tuple) else (hidden,)):
        assert tensor.shape == (2, 3, 12)
    assert isinstance(hidden, tuple) == (cls is LSTMLM)
    assert model.hparams.vocab_size == len(word_vocab)


@pytest.mark.parametrize("cls", [RNNLM, LSTMLM, GRULM])
def test_scratch_backend_matches_fused(cls):
    torch.manual_seed(0)
    fused = cls(vocab_size=20, **SMALL, dropout=0.0).double()
    scratch = cls(vocab_size=20, **SMALL, dropout=0.0, backend="scratch").double()
    scratch.load_state_dict(fused.state_dict())  # one state_dict for both backends
    inputs = torch.randint(0, 20, (2, 5))
    torch.testing.assert_close(scratch(inputs)[0], fused(inputs)[0], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("options, message", [
    (dict(dropout=1.0), "dropout must be in [0, 1)"),
    (dict(dropout=-0.1), "dropout must be in [0, 1)"),
    (dict(tie_weights=True, embedding_dim=10, hidden_size=12), "embedding_dim=10 and hidden_size=12"),
    (dict(backend="cudnn"), "valid: 'fused', 'scratch'"),
    (dict(optimizer="rmsprop"), "valid: 'sgd', 'adam', 'adamw'"),
    (dict(num_layers=0), "num_layers must be a positive integer"),
    (dict(adaptive_softmax_cutoffs=[10, 5]), "strictly increasing"),
    (dict(adaptive_softmax_cutoffs=[10, 40]), "vocab_size - 1 = 31"),
])
def test_impossible_settings_are_refused(options, message):
    with pytest.raises(ValueError) as error:
        LSTMLM(vocab_size=32, **options)
    assert message in str(error.value)


def test_unknown_nonlinearity_and_variant_are_refused():
    with pytest.raises(ValueError, match="valid: 'tanh', 'relu'"):
        RNNLM(vocab_size=10, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="valid: 'pytorch', 'textbook'"):
        GRULM(vocab_size=10, gru_variant="cho")
    with pytest.raises(ValueError, match="needs backend='scratch'"):
        GRULM(vocab_size=10, gru_variant="textbook")
    with pytest.raises(ValueError, match="vocab_size is required"):
        LSTMLM()


def test_tied_weights_share_one_matrix_and_init_is_uniform():
    model = LSTMLM(vocab_size=40, embedding_dim=16, hidden_size=16, tie_weights=True, init_range=0.05)
    assert model.decoder.weight is model.embedding.weight
    assert sum(p.numel() for p in model.parameters()) == (
        sum(p.numel() for p in LSTMLM(vocab_size=40, embedding_dim=16, hidden_size=16).parameters()) - 40 * 16)
    for parameter in model.parameters():
        assert parameter.abs().max() <= 0.05


def test_hidden_state_is_never_a_buffer():
    model = LSTMLM(vocab_size=10, **SMALL)
    model._window_nll(TBPTTBatch(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long), True), "train")
    assert model._hidden["train"] is not None
    assert list(model.buffers()) == []  # DDP's broadcast_buffers would overwrite a buffer with rank 0's
    assert not any("hidden" in key for key in model.state_dict())


def test_hidden_state_is_carried_across_windows_and_reset(word_vocab):
    """Two windows with the carried state give the NLL of one forward pass over both."""
    torch.manual_seed(1)
    model = LSTMLM(vocab=word_vocab, **SMALL).eval()
    streams = torch.randint(0, len(word_vocab), (3, 12))  # [B, N]
    with torch.no_grad():
        for batch in stream_batches(streams, bptt=4):
            model.validation_step(batch, 0)
        reference = F.cross_entropy(model(streams[:, :-1])[0].reshape(-1, len(word_vocab)),
                                    streams[:, 1:].reshape(-1), reduction="mean")
        torch.testing.assert_close(model.val_loss.compute(), reference, rtol=1e-5, atol=1e-5)
        # reset=True and a new batch size both start from a zero state
        first = stream_batches(streams, bptt=4)[0]
        model.validation_step(TBPTTBatch(first.inputs, first.targets, True), 0)
        assert torch.equal(model._hidden["val"][0], model(first.inputs)[1][0])
        model.validation_step(TBPTTBatch(first.inputs[:2], first.targets[:2], False), 0)
        assert torch.equal(model._hidden["val"][0], model(first.inputs[:2])[1][0])


def test_train_and_eval_states_are_separate(word_vocab):
    model = LSTMLM(vocab=word_vocab, **SMALL)
    streams = torch.randint(0, len(word_vocab), (2, 9))
    batch = stream_batches(streams, bptt=4)[0]
    model._window_nll(batch, "train")
    train_state = model._hidden["train"][0].clone()
    model.eval()
    with torch.no_grad():
        model.validation_step(stream_batches(streams.flip(1), bptt=4)[0], 0)
    assert torch.equal(model._hidden["train"][0], train_state)
    assert not model._hidden["train"][0].requires_grad  # detached: the graph ends at the window


def test_validation_perplexity_matches_cross_entropy_over_uneven_batches(word_vocab):
    torch.manual_seed(2)
    model = GRULM(vocab=word_vocab, **SMALL)
    first = torch.randint(0, len(word_vocab), (3, 10))  # two windows of 5 and 4 steps over 3 streams
    second = torch.randint(0, len(word_vocab), (2, 7))  # a walk over 2 streams: B changes
    batches = stream_batches(first, bptt=5) + stream_batches(second, bptt=5)
    quiet_trainer().validate(model, dataloaders=batches, verbose=False)
    model.eval()
    with torch.no_grad():
        logits = [model(s[:, :-1])[0].reshape(-1, len(word_vocab)) for s in (first, second)]
    targets = torch.cat([first[:, 1:].reshape(-1), second[:, 1:].reshape(-1)])
    reference = F.cross_entropy(torch.cat(logits), targets)  # mean over 3*9 + 2*6 tokens
    metrics = model.trainer.callback_metrics
    torch.testing.assert_close(metrics["val/loss"], reference, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(metrics["val/ppl"], reference.exp(), rtol=1e-5, atol=1e-5)
    assert "val/bpc" not in metrics


def test_character_models_report_bits_per_character(char_vocab):
    model = LSTMLM(vocab=char_vocab, **SMALL)
    streams = torch.randint(0, len(char_vocab), (2, 11))
    quiet_trainer().test(model, dataloaders=stream_batches(streams, bptt=5), verbose=False)
    metrics = model.trainer.callback_metrics
    torch.testing.assert_close(metrics["test/bpc"], metrics["test/loss"] / math.log(2))


def test_adaptive_softmax_gives_normalised_log_probabilities(word_vocab):
    torch.manual_seed(3)
    model = LSTMLM(vocab=word_vocab, **SMALL, adaptive_softmax_cutoffs=[8, 20])
    inputs = torch.randint(0, len(word_vocab), (2, 6))
    targets = torch.randint(0, len(word_vocab), (2, 6))
    model.eval()
    log_probs, _ = model(inputs)  # [B, T, V]
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 6), rtol=1e-5, atol=1e-5)
    nll, _ = model.token_nll(inputs, targets)
    torch.testing.assert_close(nll, -log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="word-level"):
        LSTMLM(vocab=__import__("rnnlm").Vocabulary(["<unk>", "a", "b", "c"], level="char"),
               adaptive_softmax_cutoffs=[2])
    with pytest.raises(ValueError, match="tie_weights cannot be combined"):
        LSTMLM(vocab_size=40, embedding_dim=12, hidden_size=12, tie_weights=True, adaptive_softmax_cutoffs=[8])


def test_zaremba_schedule():
    decay = ZarembaDecay(0.5, 4)  # constant for 4 epochs, then halved each epoch
    assert [decay(epoch) for epoch in range(7)] == [1, 1, 1, 1, 0.5, 0.25, 0.125]
    model = LSTMLM(vocab_size=10, lr=1.0, lr_decay=0.5, lr_decay_start=1)
    scheduler = model.configure_optimizers()["lr_scheduler"]["scheduler"]
    assert scheduler.get_last_lr() == [1.0]
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5]


@pytest.mark.parametrize("optimizer, expected", [("sgd", torch.optim.SGD), ("adam", torch.optim.Adam),
                                                 ("adamw", torch.optim.AdamW)])
def test_optimizer_choice(optimizer, expected):
    model = RNNLM(vocab_size=10, optimizer=optimizer, lr=0.01, weight_decay=0.1)
    built = model.configure_optimizers()["optimizer"]
    assert type(built) is expected and built.defaults["weight_decay"] == 0.1


def test_non_finite_loss_stops_training_with_step_and_hint(word_vocab):
    model = LSTMLM(vocab=word_vocab, **SMALL)
    streams = torch.randint(0, len(word_vocab), (2, 20))
    batches = stream_batches(streams, bptt=4)

    class Poison(nn.Module):
        def forward(self, outputs):
            return outputs * (float("inf") if model.global_step >= 2 else 1.0)

    model.output_dropout = Poison()
    with pytest.raises(FloatingPointError) as error:
        quiet_trainer(max_steps=5).fit(model, train_dataloaders=batches)
    assert "at step 2" in str(error.value) and "--model.lr" in str(error.value)
    assert "gradient_clip_val" in str(error.value)
