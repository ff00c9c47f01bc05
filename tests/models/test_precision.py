"""``--trainer.precision bf16-mixed`` on CPU autocast: the loss follows float32's, the metric stays float32."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from lightning.pytorch import Callback

from rnnlm.models import LSTMLM

from tests.support.batches import quiet_trainer, stream_batches

SMALL = dict(embedding_dim=16, hidden_size=16, num_layers=2, dropout=0.0, lr=1.0)


class Losses(Callback):
    def __init__(self) -> None:
        self.values: list[torch.Tensor] = []

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.values.append(outputs["loss"].detach())


def train(precision: str, vocab, batches) -> tuple[LSTMLM, list[torch.Tensor]]:
    torch.manual_seed(0)
    model = LSTMLM(vocab=vocab, **SMALL)
    losses = Losses()
    quiet_trainer(max_steps=len(batches), precision=precision, callbacks=[losses],
                  gradient_clip_val=0.25).fit(model, train_dataloaders=batches)
    return model, losses.values


def test_bf16_mixed_loss_stays_close_to_float32(word_vocab):
    streams = torch.randint(0, len(word_vocab), (4, 49), generator=torch.Generator().manual_seed(1))
    batches = stream_batches(streams, bptt=8)  # 6 steps
    _, reference = train("32-true", word_vocab, batches)
    _, mixed = train("bf16-mixed", word_vocab, batches)
    assert all(loss.dtype == torch.float32 for loss in mixed)  # the loss itself is reduced in float32
    reference, mixed = torch.stack(reference), torch.stack(mixed)
    assert not torch.equal(mixed, reference)  # autocast did run in bfloat16
    torch.testing.assert_close(mixed, reference, rtol=2e-2, atol=0)  # bf16 has 8 bits of mantissa: ~0.4% per op
    assert mixed[-1] < mixed[0]  # and it learns


def test_bf16_mixed_perplexity_is_token_weighted_in_float32(word_vocab):
    torch.manual_seed(2)
    model = LSTMLM(vocab=word_vocab, **SMALL)
    first = torch.randint(0, len(word_vocab), (3, 10))  # windows of 5 and 4 steps over 3 streams
    second = torch.randint(0, len(word_vocab), (2, 7))  # then 2 streams: uneven batches
    trainer = quiet_trainer(precision="bf16-mixed")
    trainer.validate(model, dataloaders=stream_batches(first, bptt=5) + stream_batches(second, bptt=5),
                     verbose=False)
    assert model.val_loss.mean_value.dtype == torch.float32 and model.val_loss.weight.dtype == torch.float32
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits = [model(s[:, :-1])[0].float().reshape(-1, len(word_vocab)) for s in (first, second)]
    targets = torch.cat([first[:, 1:].reshape(-1), second[:, 1:].reshape(-1)])
    reference = F.cross_entropy(torch.cat(logits), targets)  # mean over 3*9 + 2*6 tokens, float32
    loss = trainer.callback_metrics["val/loss"]
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, reference, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(trainer.callback_metrics["val/ppl"], reference.exp(), rtol=1e-5, atol=1e-5)
