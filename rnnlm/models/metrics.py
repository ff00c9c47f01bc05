"""Token-weighted evaluation metrics: loss, perplexity and bits per character.

Perplexity is ``exp`` of the mean negative log-likelihood over every target token of the split,
on every rank: one torchmetrics ``MeanMetric`` per stage, updated with the per-token NLL
``[B, T]`` (weight 1 per token), sums ``value`` and ``weight`` across ranks (``dist_reduce_fx="sum"``)
before dividing, so uneven windows and batches weigh each token once. The states are float32
whatever the autocast dtype of the forward pass. ``torchmetrics.text.Perplexity`` is not used:
it computes ``softmax(...).log()`` (one underflowing probability makes it infinite) and
allocates another ``[B, T, V]`` tensor per update.

Bits per character (char level) = loss / ln 2. Perplexity per word (char and bpe levels) =
exp(loss * tokens per word of the same split), so that levels compare on the same text.
"""

from __future__ import annotations

import math

import torch
from lightning.pytorch import LightningModule
from torchmetrics import MeanMetric


def token_mean() -> MeanMetric:
    """A token-weighted mean; no NaN filtering (a NaN loss must show, and the check would sync the host)."""
    return MeanMetric(nan_strategy="disable")


def log_perplexity(module: LightningModule, stage: str, metric: MeanMetric, char_level: bool,
                   tokens_per_word: float | None = None) -> None:
    """Log ``<stage>/loss``, ``<stage>/ppl`` (and ``<stage>/bpc``, ``<stage>/word_ppl``) from ``metric``, then reset it."""
    if not metric.update_called:  # every rank walks the same number of windows: all skip or none
        return
    loss = metric.compute()  # mean over every rank's tokens
    module.log(f"{stage}/loss", loss, prog_bar=True)
    module.log(f"{stage}/ppl", torch.exp(loss), prog_bar=True)
    if char_level:
        module.log(f"{stage}/bpc", loss / math.log(2))
    if tokens_per_word is not None and tokens_per_word != 1.0:
        module.log(f"{stage}/word_ppl", torch.exp(loss * tokens_per_word))
    metric.reset()
