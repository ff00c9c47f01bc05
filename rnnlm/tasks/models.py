"""Other uses of RNNs (seed 000, "Uses of RNNs"): sequence tagging and sentence classification.

- ``SequenceTagger``: embedding -> bidirectional RNN/LSTM/GRU -> one tag per token. Each
  token's tag sees the words on both sides of it (the forward and the backward hidden states
  concatenated), as in part-of-speech tagging or named-entity recognition.
- ``SentenceClassifier``: embedding -> (bidirectional) RNN -> a sentence encoding -> classes.
  The encoding pools the hidden states: their element-wise ``mean`` or ``max`` over the real
  (unpadded) tokens ("usually better", as the lecture says), or the ``final`` state (the
  forward direction's last state, and with a bidirectional encoder the backward direction's
  state after reading back to the first token).

Batches are padded; the recurrent layers run on packed sequences
(``torch.nn.utils.rnn.pack_padded_sequence``), so padding never enters a hidden state, and
pooling masks the padded positions out: the encoding of a sentence does not depend on what it
is padded with or to which length.

References: Graves & Schmidhuber, "Framewise phoneme classification with bidirectional LSTM",
2005; Huang, Xu & Yu, "Bidirectional LSTM-CRF Models for Sequence Tagging", 2015;
Conneau et al., "Supervised Learning of Universal Sentence Representations", 2017 (max pooling).
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlm.architectures import TORCH_LAYERS, check_architecture, check_choice
from rnnlm.tasks.shakespeare import NO_TAG

CELLS = TORCH_LAYERS  # the earlier public name of the architecture -> torch.nn class map
POOLINGS = ("mean", "max", "final")


def pool(states: torch.Tensor, lengths: torch.Tensor, mode: str) -> torch.Tensor:
    """Mean or max of ``states`` [B, T, F] over the first ``lengths`` [B] steps -> [B, F].

    ``final`` is not a pooling of ``states`` (see ``RecurrentEncoder``); here it takes the
    state at position ``length - 1``, which is the final state of a unidirectional encoder.
    """
    check_choice("pooling", mode, POOLINGS)
    batch, steps, _ = states.shape
    lengths = lengths.to(states.device)
    mask = torch.arange(steps, device=states.device)[None, :] < lengths[:, None]  # [B, T]
    if mode == "mean":
        summed = (states * mask[..., None]).sum(dim=1)  # [B, F]
        return summed / lengths[:, None].to(states.dtype)
    if mode == "max":
        return states.masked_fill(~mask[..., None], float("-inf")).amax(dim=1)  # [B, F]
    return states[torch.arange(batch, device=states.device), lengths - 1]  # [B, F]


class RecurrentEncoder(nn.Module):
    """Embedding and a (bidirectional) torch.nn RNN/LSTM/GRU over padded batches of token ids."""

    def __init__(self, vocab_size: int, embedding_size: int, hidden_size: int, num_layers: int,
                 architecture: str, bidirectional: bool, dropout: float) -> None:
        super().__init__()
        architecture = check_architecture(architecture)
        for name, value in (("vocab_size", vocab_size), ("embedding_size", embedding_size),
                            ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout}")
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.dropout = nn.Dropout(dropout)
        self.rnn = TORCH_LAYERS[architecture](embedding_size, hidden_size, num_layers=num_layers, batch_first=True,
                               bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.architecture, self.directions = architecture, 2 if bidirectional else 1
        self.output_size = self.directions * hidden_size

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens [B, T], lengths [B] -> (states [B, T, D*H] zero past each length, final [B, D*H])."""
        if tokens.dim() != 2 or lengths.shape != tokens.shape[:1]:
            raise ValueError(f"expected tokens [B, T] and lengths [B], got {tuple(tokens.shape)} and {tuple(lengths.shape)}")
        if int(lengths.min()) < 1 or int(lengths.max()) > tokens.shape[1]:
            raise ValueError(f"lengths must lie in [1, {tokens.shape[1]}] (T), got [{int(lengths.min())}, {int(lengths.max())}]")
        embedded = self.dropout(self.embedding(tokens))  # [B, T, E]
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_states, hidden = self.rnn(packed)
        states, _ = pad_packed_sequence(packed_states, batch_first=True, total_length=tokens.shape[1])  # [B, T, D*H]
        h_n = hidden[0] if self.architecture == "lstm" else hidden  # [L*D, B, H]
        final = torch.cat(list(h_n[-self.directions:]), dim=-1)  # [B, D*H]: last layer, every direction
        return states, final


class _SupervisedTask(L.LightningModule):
    """What the two task models share: every stage runs the subclass's ``_step(batch, stage)``
    (which logs ``<stage>/loss`` and ``<stage>/acc``), optimised by Adam at ``hparams.learning_rate``."""

    def training_step(self, batch, batch_index: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch, batch_index: int) -> None:
        self._step(batch, "val")

    def test_step(self, batch, batch_index: int) -> None:
        self._step(batch, "test")

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)


class SequenceTagger(_SupervisedTask):
    """A bidirectional recurrent tagger: one tag per token.

    Args:
        vocab_size: number of input token ids.
        num_tags: number of tags (targets equal to -100 are not scored).
        embedding_size: size of the word embeddings.
        hidden_size: hidden units per direction.
        num_layers: stacked recurrent layers.
        architecture: ``rnn``, ``lstm`` or ``gru``.
        bidirectional: read the sentence in both directions (the usual tagger).
        dropout: dropout on the embeddings, between layers and before the output layer.
        learning_rate: Adam's learning rate.
        cell: the earlier name of ``architecture`` (kept for old callers).
    """

    def __init__(self, vocab_size: int, num_tags: int, embedding_size: int = 64, hidden_size: int = 128,
                 num_layers: int = 1, architecture: str = "lstm", bidirectional: bool = True, dropout: float = 0.2,
                 learning_rate: float = 3e-3, cell: str | None = None) -> None:
        super().__init__()
        architecture = architecture if cell is None else cell
        if num_tags < 2:
            raise ValueError(f"num_tags must be >= 2, got {num_tags}")
        self.save_hyperparameters(ignore=["cell"])
        self.encoder = RecurrentEncoder(vocab_size, embedding_size, hidden_size, num_layers, architecture,
                                        bidirectional, dropout)
        self.output = nn.Linear(self.encoder.output_size, num_tags)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens [B, T], lengths [B] -> tag logits [B, T, num_tags]."""
        states, _ = self.encoder(tokens, lengths)  # [B, T, D*H]
        return self.output(self.encoder.dropout(states))  # [B, T, C]

    def _step(self, batch, stage: str) -> torch.Tensor:
        tokens, lengths, tags = batch  # [B, T], [B], [B, T]
        logits = self(tokens, lengths)  # [B, T, C]
        loss = F.cross_entropy(logits.flatten(0, 1), tags.flatten(), ignore_index=NO_TAG)
        scored = tags != NO_TAG
        correct = (logits.argmax(-1) == tags) & scored
        self.log(f"{stage}/loss", loss, prog_bar=stage != "train", batch_size=int(scored.sum()))
        self.log(f"{stage}/acc", correct.sum() / scored.sum().clamp(min=1), prog_bar=True,
                 batch_size=int(scored.sum()))  # weighted by scored tokens: a token-level accuracy
        return loss


class SentenceClassifier(_SupervisedTask):
    """A recurrent sentence classifier over a pooled sentence encoding.

    Args:
        vocab_size: number of input token ids.
        num_classes: number of classes.
        pooling: sentence encoding: ``mean`` or ``max`` of the hidden states, or the ``final`` state.
        embedding_size: size of the word embeddings.
        hidden_size: hidden units per direction.
        num_layers: stacked recurrent layers.
        architecture: ``rnn``, ``lstm`` or ``gru``.
        bidirectional: read the sentence in both directions.
        dropout: dropout on the embeddings, between layers and on the sentence encoding.
        learning_rate: Adam's learning rate.
        cell: the earlier name of ``architecture`` (kept for old callers).
    """

    def __init__(self, vocab_size: int, num_classes: int, pooling: str = "max", embedding_size: int = 64,
                 hidden_size: int = 128, num_layers: int = 1, architecture: str = "lstm", bidirectional: bool = True,
                 dropout: float = 0.2, learning_rate: float = 3e-3, cell: str | None = None) -> None:
        super().__init__()
        architecture = architecture if cell is None else cell
        check_choice("pooling", pooling, POOLINGS)
        if num_classes < 2:
            raise ValueError(f"num_classes must be >= 2, got {num_classes}")
        self.save_hyperparameters(ignore=["cell"])
        self.encoder = RecurrentEncoder(vocab_size, embedding_size, hidden_size, num_layers, architecture,
                                        bidirectional, dropout)
        self.output = nn.Linear(self.encoder.output_size, num_classes)

    def encode(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens [B, T], lengths [B] -> sentence encodings [B, D*H]."""
        states, final = self.encoder(tokens, lengths)  # [B, T, D*H], [B, D*H]
        if self.hparams.pooling == "final":
            return final
        return pool(states, lengths, self.hparams.pooling)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens [B, T], lengths [B] -> class logits [B, num_classes]."""
        return self.output(self.encoder.dropout(self.encode(tokens, lengths)))  # [B, C]

    def _step(self, batch, stage: str) -> torch.Tensor:
        tokens, lengths, labels = batch  # [B, T], [B], [B]
        logits = self(tokens, lengths)  # [B, C]
        loss = F.cross_entropy(logits, labels)
        self.log(f"{stage}/loss", loss, prog_bar=stage != "train", batch_size=len(labels))
        self.log(f"{stage}/acc", (logits.argmax(-1) == labels).float().mean(), prog_bar=True, batch_size=len(labels))
        return loss
