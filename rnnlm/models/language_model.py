"""Recurrent language models as LightningModules: ``RNNLM``, ``LSTMLM``, ``GRULM``.

Section 5.5 of the chapter: an embedding layer feeds stacked recurrent layers whose output
predicts the next token through a softmax (eq. 5.2), trained with truncated backpropagation
through time (TBPTT)::

    tokens [B, T] -> embedding -> dropout -> L recurrent layers (dropout between) -> dropout
                  -> decoder [B, T, V] (softmax, or an adaptive softmax for large vocabularies)

- Dropout only on the non-recurrent connections: Zaremba, Sutskever & Vinyals (2014),
  "Recurrent Neural Network Regularization", arXiv:1409.2329. Their uniform initialisation in
  [-init_range, init_range] and their SGD schedule (constant learning rate, then multiplied by
  ``lr_decay`` every epoch) are the defaults.
- Weight tying (decoder = embedding matrix): Press & Wolf (2017), "Using the Output Embedding
  to Improve Language Models", EACL; Inan, Khosravi & Socher (2017), "Tying Word Vectors and
  Word Classifiers", ICLR.
- Adaptive softmax: Grave, Joulin, Cisse, Grangier & Jegou (2017), "Efficient softmax
  approximation for GPUs", ICML (``torch.nn.AdaptiveLogSoftmaxWithLoss``).

The hidden state is carried from one window to the next and detached (TBPTT), reset when the
batch says a walk over the streams restarts (``TBPTTBatch.reset``), and kept separately for
training, validation, test and prediction. It is a plain attribute, never a registered buffer:
under DDP, ``broadcast_buffers`` would overwrite every rank's state with rank 0's.
Perplexity is token-weighted: the NLL sum and the token count are two ``SumMetric``s summed
across ranks, perplexity = exp(sum / count), bits per character = loss / ln 2.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import torch
import torch.nn.functional as F
from lightning.pytorch import LightningModule
from lightning.pytorch.utilities import rank_zero_warn
from torch import Tensor, nn
from torchmetrics import SumMetric

from rnnlm.cells import make_recurrent_layer
from rnnlm.data.vocab import Vocabulary
from rnnlm.models import state as hidden_state
from rnnlm.models.state import Hidden

BACKENDS = ("fused", "scratch")
OPTIMIZERS = ("sgd", "adam", "adamw")
NONLINEARITIES = ("tanh", "relu")
GRU_VARIANTS = ("pytorch", "textbook")
STAGES = ("train", "val", "test", "predict")

# What must agree between a checkpoint and the model it is loaded into (the backend need
# not: both backends share one state_dict).
ARCHITECTURE_KEYS = ("vocab_size", "embedding_dim", "hidden_size", "num_layers", "tie_weights",
                     "adaptive_softmax_cutoffs", "nonlinearity", "gru_variant")


def _choose(name: str, value: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; choose one of: {', '.join(options)}")
    return value


class RecurrentLanguageModel(LightningModule):
    """Embedding -> stacked recurrent layers -> decoder, trained with truncated BPTT.

    Subclasses name the recurrence (:class:`RNNLM`, :class:`LSTMLM`, :class:`GRULM`).
    ``forward(inputs[B, T], hidden) -> (logits[B, T, V], hidden)``; a training, validation or
    test batch is a ``TBPTTBatch(inputs, targets, reset)``.
    """

    kind: str = ""  # "rnn" | "lstm" | "gru", set by each subclass

    def __init__(
        self,
        vocab_size: int | None = None,
        embedding_dim: int = 200,
        hidden_size: int = 200,
        num_layers: int = 2,
        dropout: float = 0.2,
        tie_weights: bool = False,
        backend: Literal["fused", "scratch"] = "fused",
        init_range: float = 0.1,
        optimizer: Literal["sgd", "adam", "adamw"] = "sgd",
        lr: float = 20.0,
        weight_decay: float = 0.0,
        lr_decay: float = 0.5,
        lr_decay_start: int = 4,
        adaptive_softmax_cutoffs: list[int] | None = None,
        vocab: Vocabulary | None = None,
    ) -> None:
        """
        Args:
            vocab_size: number of token types V (linked from the DataModule by the CLI; taken from ``vocab`` when omitted)
            embedding_dim: size E of the token embeddings
            hidden_size: size H of each recurrent layer's hidden state
            num_layers: number of stacked recurrent layers L
            dropout: dropout probability on embeddings, between layers and before the decoder (Zaremba et al. 2014), in [0, 1)
            tie_weights: share the embedding matrix with the decoder (Press & Wolf 2017); needs embedding_dim == hidden_size
            backend: "fused" (torch.nn, cuDNN on GPU) or "scratch" (the chapter's equations, rnnlm.cells)
            init_range: parameters start uniform in [-init_range, init_range] (Zaremba et al. 2014)
            optimizer: "sgd" (Zaremba et al.), "adam" or "adamw"
            lr: initial learning rate (20 suits SGD with gradients clipped at 0.25; Zaremba et al. use 1 with clipping at 5)
            weight_decay: L2 penalty (decoupled for adamw)
            lr_decay: learning-rate factor applied each epoch once lr_decay_start epochs have passed (1.0 = constant)
            lr_decay_start: number of epochs trained at the initial learning rate
            adaptive_softmax_cutoffs: increasing token ids splitting the vocabulary into frequency clusters for an adaptive softmax (Grave et al. 2017), word level only; None = full softmax
            vocab: the Vocabulary (taken from the DataModule when training; travels in the checkpoint)
        """
        super().__init__()
        _choose("backend", backend, BACKENDS)
        _choose("optimizer", optimizer, OPTIMIZERS)
        if self.kind not in ("rnn", "lstm", "gru"):
            raise TypeError("use RNNLM, LSTMLM or GRULM (RecurrentLanguageModel is their base class)")
        if vocab_size is None and vocab is None:
            raise ValueError("vocab_size is required (or pass vocab=...); the CLI links it from the DataModule")
        if vocab is not None and vocab_size is not None and vocab_size != len(vocab):
            raise ValueError(f"vocab_size={vocab_size} but the vocabulary has {len(vocab)} tokens")
        vocab_size = len(vocab) if vocab_size is None else vocab_size
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if init_range <= 0 or lr <= 0 or lr_decay <= 0 or weight_decay < 0 or lr_decay_start < 0:
            raise ValueError(f"need init_range > 0, lr > 0, lr_decay > 0, weight_decay >= 0, lr_decay_start >= 0; "
                             f"got {init_range}, {lr}, {lr_decay}, {weight_decay}, {lr_decay_start}")
        if tie_weights and embedding_dim != hidden_size:
            raise ValueError(f"tie_weights needs embedding_dim == hidden_size, got embedding_dim={embedding_dim} "
                             f"and hidden_size={hidden_size}; set them equal or tie_weights=False")
        if adaptive_softmax_cutoffs is not None:
            _check_cutoffs(adaptive_softmax_cutoffs, vocab_size, tie_weights)
            if vocab is not None and vocab.level != "word":
                raise ValueError("the adaptive softmax is for word-level vocabularies; this one is "
                                 f"{vocab.level}-level: set adaptive_softmax_cutoffs=None")
        if getattr(self, "gru_variant", "pytorch") == "textbook" and backend != "scratch":
            raise ValueError("gru_variant='textbook' (eq. 5.11) needs backend='scratch'; "
                             "torch.nn.GRU implements only gru_variant='pytorch'")
        self.save_hyperparameters(ignore=["vocab"])
        self.hparams["vocab_size"] = vocab_size
        self.vocab = vocab

        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.input_dropout = nn.Dropout(dropout)
        # Dropout between stacked layers (Zaremba et al.); torch.nn warns about it with one layer.
        self.recurrent = make_recurrent_layer(self.kind, backend, embedding_dim, hidden_size, num_layers,
                                              dropout=dropout if num_layers > 1 else 0.0,
                                              nonlinearity=getattr(self, "nonlinearity", "tanh"),
                                              variant=getattr(self, "gru_variant", "pytorch"))
        self.output_dropout = nn.Dropout(dropout)
        if adaptive_softmax_cutoffs is not None:
            self.decoder: nn.Module = nn.AdaptiveLogSoftmaxWithLoss(hidden_size, vocab_size,
                                                                    list(adaptive_softmax_cutoffs), div_value=4.0)
        else:
            self.decoder = nn.Linear(hidden_size, vocab_size)
        self._init_weights(init_range)
        if tie_weights:
            self.decoder.weight = self.embedding.weight  # Press & Wolf 2017; Inan et al. 2017

        self._hidden: dict[str, Hidden | None] = dict.fromkeys(STAGES)
        self._pending_rng: Tensor | None = None
        self.val_nll, self.val_tokens = SumMetric(), SumMetric()
        self.test_nll, self.test_tokens = SumMetric(), SumMetric()

    # ----------------------------------------------------------------------------- model
    def _init_weights(self, init_range: float) -> None:
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -init_range, init_range)  # Zaremba et al. 2014

    @property
    def is_char_level(self) -> bool:
        return self.vocab is not None and self.vocab.level == "char"

    def init_hidden(self, batch_size: int) -> Hidden:
        """A zero hidden state for ``batch_size`` streams: ``[L, B, H]`` (a pair for the LSTM)."""
        zeros = torch.zeros(self.hparams.num_layers, batch_size, self.hparams.hidden_size,
                            device=self.embedding.weight.device, dtype=self.embedding.weight.dtype)
        return (zeros, zeros.clone()) if self.kind == "lstm" else zeros

    def features(self, inputs: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """The last layer's outputs after dropout, ``[B, T, H]``, and the new hidden state."""
        if inputs.dim() != 2:
            raise ValueError(f"inputs must be token ids of shape [B, T], got shape {tuple(inputs.shape)}")
        if hidden is None:
            hidden = self.init_hidden(inputs.size(0))
        embedded = self.input_dropout(self.embedding(inputs))  # [B, T, E]
        outputs, hidden = self.recurrent(embedded, hidden)  # [B, T, H]; [L, B, H] each
        return self.output_dropout(outputs), hidden  # [B, T, H]

    def forward(self, inputs: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """Next-token logits ``[B, T, V]`` (log-probabilities with an adaptive softmax) and the new hidden state."""
        outputs, hidden = self.features(inputs, hidden)  # [B, T, H]
        if isinstance(self.decoder, nn.AdaptiveLogSoftmaxWithLoss):
            logits = self.decoder.log_prob(outputs.reshape(-1, outputs.size(-1)))  # [B*T, V]
            return logits.view(*outputs.shape[:2], -1), hidden  # [B, T, V]
        return self.decoder(outputs), hidden  # eq. 5.2 before the softmax: [B, T, V]

    def token_nll(self, inputs: Tensor, targets: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """Negative log-likelihood of each target token, ``[B, T]``, and the new hidden state."""
        if targets.shape != inputs.shape:
            raise ValueError(f"targets must have the shape of inputs {tuple(inputs.shape)}, got {tuple(targets.shape)}")
        outputs, hidden = self.features(inputs, hidden)  # [B, T, H]
        flat = outputs.reshape(-1, outputs.size(-1))  # [B*T, H]
        if isinstance(self.decoder, nn.AdaptiveLogSoftmaxWithLoss):
            nll = -self.decoder(flat, targets.reshape(-1)).output  # [B*T]: only the needed clusters
        else:
            nll = F.cross_entropy(self.decoder(flat), targets.reshape(-1), reduction="none")  # [B*T]
        return nll.view_as(targets), hidden  # [B, T]

    # ------------------------------------------------------------------------ TBPTT steps
    def _carried_hidden(self, stage: str, batch_size: int, reset: bool) -> Hidden:
        hidden = self._hidden[stage]
        if reset or hidden is None or hidden_state.batch_size_of(hidden) != batch_size:
            return self.init_hidden(batch_size)
        return hidden_state.move(hidden, self.embedding.weight.device)

    def _window_nll(self, batch: Any, stage: str) -> Tensor:
        inputs, targets, reset = batch  # [B, T], [B, T], bool
        hidden = self._carried_hidden(stage, inputs.size(0), bool(reset))
        nll, hidden = self.token_nll(inputs, targets, hidden)  # [B, T]
        self._hidden[stage] = hidden_state.detach(hidden)  # truncated BPTT: the graph ends here
        return nll

    def training_step(self, batch: Any, batch_idx: int) -> Tensor:
        loss = self._window_nll(batch, "train").mean()
        self._stop_if_not_finite(loss, batch_idx)
        batch_size = batch[0].size(0)
        self.log("train/loss", loss, prog_bar=True, on_step=True, on_epoch=True, batch_size=batch_size)
        if self.is_char_level:
            self.log("train/bpc", loss / math.log(2), on_step=True, on_epoch=True, batch_size=batch_size)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        nll = self._window_nll(batch, "val")
        self.val_nll.update(nll.sum())
        self.val_tokens.update(torch.tensor(float(nll.numel()), device=nll.device))

    def test_step(self, batch: Any, batch_idx: int) -> None:
        nll = self._window_nll(batch, "test")
        self.test_nll.update(nll.sum())
        self.test_tokens.update(torch.tensor(float(nll.numel()), device=nll.device))

    def predict_step(self, batch: Any, batch_idx: int) -> Tensor:
        """Per-token negative log-likelihood ``[B, T]`` of the batch's targets (scoring text)."""
        return self._window_nll(batch, "predict")

    def _stop_if_not_finite(self, loss: Tensor, batch_idx: int) -> None:
        bad = not bool(torch.isfinite(loss.detach()))
        if self._trainer is not None and self.trainer.world_size > 1:
            bad = self.trainer.strategy.reduce_boolean_decision(bad, all=False)  # every rank stops together
        if bad:
            raise FloatingPointError(
                f"train/loss is {loss.item()} at step {self.global_step} (epoch {self.current_epoch}, "
                f"batch {batch_idx}): training stopped. Lower the learning rate (--model.lr) or clip "
                f"gradients harder (--trainer.gradient_clip_val), then start again from the last checkpoint.")

    # ------------------------------------------------------------------ epochs and metrics
    def on_train_epoch_start(self) -> None:
        self._hidden["train"] = None

    def on_validation_epoch_start(self) -> None:
        self._hidden["val"] = None

    def on_test_epoch_start(self) -> None:
        self._hidden["test"] = None

    def on_predict_epoch_start(self) -> None:
        self._hidden["predict"] = None

    def on_validation_epoch_end(self) -> None:
        self._log_perplexity("val", self.val_nll, self.val_tokens)

    def on_test_epoch_end(self) -> None:
        self._log_perplexity("test", self.test_nll, self.test_tokens)

    def _log_perplexity(self, stage: str, nll: SumMetric, tokens: SumMetric) -> None:
        if int(tokens.update_count) == 0:  # every rank walks the same number of windows
            return
        loss = nll.compute() / tokens.compute().clamp_min(1.0)  # summed over every rank's tokens
        self.log(f"{stage}/loss", loss, prog_bar=True)
        self.log(f"{stage}/ppl", torch.exp(loss), prog_bar=True)
        if self.is_char_level:
            self.log(f"{stage}/bpc", loss / math.log(2))
        nll.reset()
        tokens.reset()

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        if self._pending_rng is not None:  # resumed: continue the dropout masks of the interrupted run
            hidden_state.set_rng_state(self._pending_rng, self.device)
            self._pending_rng = None

    # ------------------------------------------------------------------------- optimizers
    def configure_optimizers(self) -> dict[str, Any]:
        hp = self.hparams
        if hp.optimizer == "sgd":
            optimizer = torch.optim.SGD(self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        elif hp.optimizer == "adam":
            optimizer = torch.optim.Adam(self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        else:
            optimizer = torch.optim.AdamW(self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, ZarembaDecay(hp.lr_decay, hp.lr_decay_start))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}

    # ------------------------------------------------------------------------ checkpoints
    def setup(self, stage: str) -> None:
        datamodule = getattr(self._trainer, "datamodule", None) if self._trainer is not None else None
        data_vocab = getattr(datamodule, "vocab", None)
        if data_vocab is None:
            return
        if self.vocab is None:
            check_vocabulary(data_vocab, self.hparams.vocab_size, what="the DataModule's vocabulary")
            if self.hparams.adaptive_softmax_cutoffs is not None and data_vocab.level != "word":
                raise ValueError("the adaptive softmax is for word-level vocabularies; the DataModule's is "
                                 f"{data_vocab.level}-level: set --model.adaptive_softmax_cutoffs null")
            self.vocab = data_vocab
        elif self.vocab.fingerprint != data_vocab.fingerprint:
            raise ValueError(f"the model's vocabulary ({_describe(self.vocab)}) differs from the DataModule's "
                             f"({_describe(data_vocab)}): train or evaluate on the corpus and settings the "
                             "model was trained with")

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["rnnlm"] = {"architecture": type(self).__name__}
        if self.vocab is not None:
            checkpoint["vocabulary"] = self.vocab.to_dict()
        if self._trainer is None:
            return
        # Runs on every rank (Trainer.save_checkpoint -> dump_checkpoint); only rank 0 writes.
        world_size = self.trainer.world_size
        gather = self.trainer.strategy.all_gather
        hidden = self._hidden["train"]
        present = torch.tensor(0 if hidden is None else 1, device=self.device)
        if int(gather_sum(gather, present, world_size)) == world_size:
            checkpoint["rnnlm"]["hidden"] = [hidden_state.gather_across_ranks(t.contiguous(), gather, world_size)
                                             for t in hidden_state.as_tuple(hidden)]  # [W, L, B, H] each
        checkpoint["rnnlm"]["rng"] = hidden_state.gather_across_ranks(hidden_state.rng_state(self.device),
                                                                      gather, world_size)  # [W, bytes]

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        saved = checkpoint.get("rnnlm", {})
        check_architecture(self, saved.get("architecture"), checkpoint.get("hyper_parameters", {}))
        if "vocabulary" in checkpoint:
            loaded = Vocabulary.from_dict(checkpoint["vocabulary"])
            if self.vocab is not None and self.vocab.fingerprint != loaded.fingerprint:
                raise ValueError(f"checkpoint vocabulary ({_describe(loaded)}) differs from this run's "
                                 f"({_describe(self.vocab)}): use the corpus and vocabulary settings the "
                                 "checkpoint was trained with")
            self.vocab = loaded
        if self._trainer is None:  # load_from_checkpoint: weights and vocabulary only
            return
        rank, world_size = self.global_rank, self.trainer.world_size
        saved_world_size = saved["rng"].size(0) if "rng" in saved else world_size
        if saved_world_size != world_size:
            rank_zero_warn(f"the checkpoint was written by {saved_world_size} rank(s) and this run has {world_size}: "
                           "hidden states and dropout RNGs start afresh, so the resume is not exact "
                           f"(resume with --trainer.devices {saved_world_size} for an exact one)")
        if "hidden" in saved and saved["hidden"][0].size(0) == world_size:
            self._hidden["train"] = hidden_state.from_tuple(tuple(t[rank] for t in saved["hidden"]))
        if "rng" in saved and saved["rng"].size(0) == world_size:
            self._pending_rng = saved["rng"][rank]


class ZarembaDecay:
    """Learning-rate factor of epoch e: 1 for the first ``start`` epochs, then ``decay`` ** (e + 1 - start)."""

    def __init__(self, decay: float, start: int) -> None:
        self.decay, self.start = decay, start

    def __call__(self, epoch: int) -> float:
        return self.decay ** max(0, epoch + 1 - self.start)


def gather_sum(all_gather: Any, value: Tensor, world_size: int) -> Tensor:
    gathered = all_gather(value)
    return gathered.sum() if world_size > 1 else gathered


def _check_cutoffs(cutoffs: list[int], vocab_size: int, tie_weights: bool) -> None:
    if tie_weights:
        raise ValueError("tie_weights cannot be combined with adaptive_softmax_cutoffs (the adaptive softmax "
                         "has no single output matrix to share): choose one")
    if not cutoffs or list(cutoffs) != sorted(set(cutoffs)) or cutoffs[0] < 1 or cutoffs[-1] >= vocab_size:
        raise ValueError(f"adaptive_softmax_cutoffs must be strictly increasing token ids between 1 and "
                         f"vocab_size - 1 = {vocab_size - 1}, got {list(cutoffs)} (e.g. [2000, 10000])")


def _describe(vocab: Vocabulary) -> str:
    return f"{getattr(vocab, 'corpus', '?')}, {vocab.level} level, {len(vocab)} tokens, fingerprint {vocab.fingerprint[:12]}"


def check_vocabulary(vocab: Vocabulary, vocab_size: int, what: str) -> None:
    if len(vocab) != vocab_size:
        raise ValueError(f"{what} has {len(vocab)} tokens but the model was built for vocab_size={vocab_size}")


def check_architecture(model: RecurrentLanguageModel, architecture: str | None, saved: dict[str, Any]) -> None:
    """Refuse a checkpoint of another class or shape, naming every difference."""
    differences = []
    if architecture is not None and architecture != type(model).__name__:
        differences.append(f"architecture {architecture} != {type(model).__name__}")
    for key in ARCHITECTURE_KEYS:
        if key in saved and key in model.hparams and _normalise(saved[key]) != _normalise(model.hparams[key]):
            differences.append(f"{key} {saved[key]} != {model.hparams[key]}")
    if differences:
        raise ValueError("checkpoint does not fit this model (checkpoint != model): " + "; ".join(differences)
                         + ". Build the model with the checkpoint's settings, or load it with "
                         "rnnlm.models.load_language_model(path)")


def _normalise(value: Any) -> Any:
    return list(value) if isinstance(value, (tuple, list)) else value


class RNNLM(RecurrentLanguageModel):
    """Elman RNN language model (eq. 5.1, tanh or relu; Elman 1990, Mikolov et al. 2010)."""

    kind = "rnn"

    def __init__(self, *, nonlinearity: Literal["tanh", "relu"] = "tanh", **kwargs: Any) -> None:
        """
        Args:
            nonlinearity: activation of eq. 5.1, "tanh" or "relu"
        """
        self.nonlinearity = _choose("nonlinearity", nonlinearity, NONLINEARITIES)  # read by the base class
        super().__init__(**kwargs)


class LSTMLM(RecurrentLanguageModel):
    """LSTM language model (eqs. 5.4-5.8; Hochreiter & Schmidhuber 1997; Zaremba et al. 2014)."""

    kind = "lstm"


class GRULM(RecurrentLanguageModel):
    """GRU language model (eqs. 5.9-5.11; Cho et al. 2014)."""

    kind = "gru"

    def __init__(self, *, gru_variant: Literal["pytorch", "textbook"] = "pytorch", **kwargs: Any) -> None:
        """
        Args:
            gru_variant: "pytorch" (reset gate after the matmul, torch.nn.GRU) or "textbook" (eq. 5.11; needs backend="scratch")
        """
        self.gru_variant = _choose("gru_variant", gru_variant, GRU_VARIANTS)  # read by the base class
        super().__init__(**kwargs)
