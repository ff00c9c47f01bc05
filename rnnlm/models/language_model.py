"""Recurrent language models as LightningModules: ``RNNLM``, ``LSTMLM``, ``GRULM``.

Section 5.5 of the chapter: an embedding layer feeds stacked recurrent layers whose output
predicts the next token through a softmax (eq. 5.2), trained with truncated backpropagation
through time (``rnnlm.models.tbptt``)::

    tokens [B, T] -> embedding -> dropout -> L recurrent layers (dropout between) -> dropout
                  -> decoder [B, T, V] (softmax, or an adaptive softmax for large vocabularies)

- Dropout only on the non-recurrent connections: Zaremba, Sutskever & Vinyals (2014),
  "Recurrent Neural Network Regularization", arXiv:1409.2329. Their uniform initialisation in
  [-init_range, init_range] and their SGD schedule (``rnnlm.models.optimization``) are the defaults.
- Weight tying (decoder = embedding matrix): Press & Wolf (2017), "Using the Output Embedding
  to Improve Language Models", EACL; Inan, Khosravi & Socher (2017), "Tying Word Vectors and
  Word Classifiers", ICLR.
- Adaptive softmax: Grave, Joulin, Cisse, Grangier & Jegou (2017), "Efficient softmax
  approximation for GPUs", ICML (``torch.nn.AdaptiveLogSoftmaxWithLoss``).

The other concerns live beside this file: the steps and metrics (``tbptt``, ``metrics``), the
optimizer (``optimization``), what is refused (``settings``) and exact resume (``resume``).
"""

from __future__ import annotations

import os
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlm.architectures import Architecture, Hidden, check_architecture
from rnnlm.cells import make_recurrent_layer
from rnnlm.cells.init import apply_init_
from rnnlm.cells.lstm import LSTM as ScratchLSTM
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError
from rnnlm.models import resume
from rnnlm.models.optimization import ZarembaDecay, optimizer_and_schedule
from rnnlm.models.settings import check_checkpoint_fits, check_settings, check_vocabulary
from rnnlm.models.tbptt import TruncatedBPTTSteps


def init_lstm_variants_(layer: nn.Module, options: dict[str, Any]) -> None:
    """Set the gate biases the LSTM options ask for, after a model-wide re-initialisation."""
    if isinstance(layer, ScratchLSTM):
        layer.init_variants_()  # highway biases too
    else:
        apply_init_(layer, options["forget_bias"], options["init"], options["chrono_max"])


class RecurrentLanguageModel(TruncatedBPTTSteps):
    """Embedding -> stacked recurrent layers -> decoder, trained with truncated BPTT.

    Use a subclass (:class:`RNNLM`, :class:`LSTMLM`, :class:`GRULM`): each passes its
    ``architecture`` and its own options forward. ``forward(inputs[B, T], hidden) ->
    (logits[B, T, V], hidden)``; a training, validation or test batch is a
    ``TBPTTBatch(inputs, targets, reset)``.
    """

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
        compile_cells: bool = False,
        vocab: Vocabulary | None = None,
        *,
        architecture: Architecture,
        nonlinearity: Literal["tanh", "relu"] | None = None,
        gru_variant: Literal["pytorch", "textbook"] | None = None,
        lstm_options: dict[str, Any] | None = None,
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
            compile_cells: torch.compile the scratch recurrent layers (backend="scratch" only): fuses each step's gate arithmetic; the first steps pay the compilation
            vocab: the Vocabulary (taken from the DataModule when training; travels in the checkpoint)
            architecture: "rnn", "lstm" or "gru" (given by the subclass)
            nonlinearity: activation of eq. 5.1 (given by RNNLM; None for the other architectures)
            gru_variant: GRU form (given by GRULM; None for the other architectures)
            lstm_options: the LSTM variant and initialisation (given by LSTMLM; rnnlm.cells.make_recurrent_layer's
                coupled, peephole, connection, forget_bias, init, chrono_max)
        """
        super().__init__()
        if type(self) is RecurrentLanguageModel:
            raise TypeError("use RNNLM, LSTMLM or GRULM (RecurrentLanguageModel is their base class)")
        self.architecture = check_architecture(architecture)
        if vocab_size is None and vocab is None:
            raise UsageError("vocab_size is required (or pass vocab=...); the CLI links it from the DataModule")
        if vocab is not None and vocab_size is not None and vocab_size != len(vocab):
            raise UsageError(f"vocab_size={vocab_size} but the vocabulary has {len(vocab)} tokens")
        vocab_size = len(vocab) if vocab_size is None else vocab_size
        check_settings(self.architecture, dict(
            vocab_size=vocab_size, embedding_dim=embedding_dim, hidden_size=hidden_size, num_layers=num_layers,
            dropout=dropout, tie_weights=tie_weights, backend=backend, init_range=init_range, optimizer=optimizer,
            lr=lr, weight_decay=weight_decay, lr_decay=lr_decay, lr_decay_start=lr_decay_start,
            adaptive_softmax_cutoffs=adaptive_softmax_cutoffs, nonlinearity=nonlinearity, gru_variant=gru_variant,
            compile_cells=compile_cells))
        # LSTMLM records its own variant options; the dict it builds from them is not an option.
        self.save_hyperparameters(ignore=["vocab", "architecture", "lstm_options"])
        self.hparams["vocab_size"] = vocab_size
        for option in ("nonlinearity", "gru_variant"):
            if self.hparams.get(option, "absent") is None:  # not an option of this class: out of configs and checkpoints
                self.hparams.pop(option)
        self.vocab: Vocabulary | None = None
        if vocab is not None:
            self.adopt_vocabulary(vocab, "the vocabulary given to the model")

        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.input_dropout = nn.Dropout(dropout)
        # Dropout between stacked layers (Zaremba et al.); torch.nn warns about it with one layer.
        self.recurrent = make_recurrent_layer(self.architecture, backend, embedding_dim, hidden_size, num_layers,
                                              dropout=dropout if num_layers > 1 else 0.0,
                                              nonlinearity=nonlinearity or "tanh", variant=gru_variant or "pytorch",
                                              **(lstm_options or {}))
        if compile_cells:
            # In place (nn.Module.compile): the state_dict keeps its names, so checkpoints of eager
            # and compiled runs are interchangeable.
            self.recurrent.compile()
        self.output_dropout = nn.Dropout(dropout)
        if adaptive_softmax_cutoffs is not None:
            self.decoder: nn.Module = nn.AdaptiveLogSoftmaxWithLoss(hidden_size, vocab_size,
                                                                    list(adaptive_softmax_cutoffs), div_value=4.0)
        else:
            self.decoder = nn.Linear(hidden_size, vocab_size)
        self._init_weights(init_range)
        if lstm_options:  # Zaremba's uniform init overwrote the variants' gate biases: set them again
            init_lstm_variants_(self.recurrent, lstm_options)
        if tie_weights:
            self.decoder.weight = self.embedding.weight  # Press & Wolf 2017; Inan et al. 2017
        self._pending_rng: Tensor | None = None

    # ----------------------------------------------------------------------------- model
    def _init_weights(self, init_range: float) -> None:
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -init_range, init_range)  # Zaremba et al. 2014

    @property
    def is_char_level(self) -> bool:
        """Whether the vocabulary is of characters (then bits per character are logged)."""
        return self.vocab is not None and self.vocab.level == "char"

    def init_hidden(self, batch_size: int) -> Hidden:
        """A zero hidden state for ``batch_size`` streams: ``[L, B, H]`` (a pair for the LSTM)."""
        zeros = torch.zeros(self.hparams.num_layers, batch_size, self.hparams.hidden_size,
                            device=self.embedding.weight.device, dtype=self.embedding.weight.dtype)
        return (zeros, zeros.clone()) if self.architecture == "lstm" else zeros

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
        nll, hidden = self._nll(inputs, targets, hidden, "none")  # [B*T]
        return nll.view_as(targets), hidden  # [B, T]

    def mean_nll(self, inputs: Tensor, targets: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """The mean of :meth:`token_nll` over the ``B x T`` tokens (the training loss), in one fused reduction.

        ``token_nll(...).mean()`` is the same number (up to the order of the sum), but with a
        10,000-word softmax on a CPU the model alone took about 20% longer per step that way,
        with up to ten times the page faults (benchmarks/results/peer_wlm.md).
        """
        return self._nll(inputs, targets, hidden, "mean")

    def _nll(self, inputs: Tensor, targets: Tensor, hidden: Hidden | None, reduction: str) -> tuple[Tensor, Hidden]:
        if targets.shape != inputs.shape:
            raise ValueError(f"targets must have the shape of inputs {tuple(inputs.shape)}, got {tuple(targets.shape)}")
        outputs, hidden = self.features(inputs, hidden)  # [B, T, H]
        flat = outputs.reshape(-1, outputs.size(-1))  # [B*T, H]
        # The softmax and the loss in float32 even under bf16 autocast (a no-op in float32 training).
        if isinstance(self.decoder, nn.AdaptiveLogSoftmaxWithLoss):
            nll = -self.decoder(flat, targets.reshape(-1)).output.float()  # [B*T]: only the needed clusters
            return (nll.mean() if reduction == "mean" else nll), hidden
        return F.cross_entropy(self.decoder(flat).float(), targets.reshape(-1), reduction=reduction), hidden

    # ------------------------------------------------------------------------- vocabulary
    def adopt_vocabulary(self, vocab: Vocabulary, source: str) -> None:
        """The one way a vocabulary enters the model (constructor, DataModule, checkpoint): checked, then kept."""
        check_vocabulary(vocab, source, self.hparams, self.vocab)
        self.vocab = vocab

    def setup(self, stage: str) -> None:
        data_vocab = getattr(getattr(self._trainer, "datamodule", None), "vocab", None)
        if data_vocab is not None:
            self.adopt_vocabulary(data_vocab, "the DataModule's vocabulary")

    # ------------------------------------------------------------------ optimizer, resume
    def configure_optimizers(self) -> dict[str, Any]:
        return optimizer_and_schedule(self.parameters(), self.hparams)

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        if self._pending_rng is not None:  # resumed: continue the dropout masks of the interrupted run
            resume.set_rng_state(self._pending_rng, self.device)
            self._pending_rng = None

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._check_finite()  # never write a checkpoint after a NaN step (runs on every rank)
        checkpoint["rnnlm"] = {"architecture": type(self).__name__}
        if self.vocab is not None:
            checkpoint["vocabulary"] = self.vocab.to_dict()
        if self._trainer is not None:  # runs on every rank; only rank 0 writes
            resume.save_training_state(checkpoint, self._hidden["train"], self.trainer.strategy,
                                       self.trainer.world_size, self.device)

    @classmethod
    def load_from_checkpoint(cls, checkpoint_path: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Lightning's loader, after refusing a checkpoint of another architecture by its name: its
        options (an LSTM's variants, say) would not even fit this class's constructor."""
        saved_class = None
        if isinstance(checkpoint_path, (str, os.PathLike)) and os.path.isfile(checkpoint_path):
            try:  # mmap: only the small dictionary is read, not the weights
                checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False, mmap=True)
                saved_class = checkpoint.get("rnnlm", {}).get("architecture")
            except Exception:  # noqa: BLE001 (an unreadable file is reported by Lightning's own loader below)
                saved_class = None
        if saved_class is not None and saved_class != cls.__name__:
            check_checkpoint_fits(cls.__name__, {}, saved_class, {})
        return super().load_from_checkpoint(checkpoint_path, *args, **kwargs)

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        saved = checkpoint.get("rnnlm", {})
        check_checkpoint_fits(type(self).__name__, self.hparams, saved.get("architecture"),
                              checkpoint.get("hyper_parameters", {}))
        if "vocabulary" in checkpoint:
            self.adopt_vocabulary(Vocabulary.from_dict(checkpoint["vocabulary"]), "the checkpoint vocabulary")
        if self._trainer is None:  # load_from_checkpoint: weights and vocabulary only
            return
        hidden, self._pending_rng = resume.restore_training_state(saved, self.global_rank, self.trainer.world_size)
        if hidden is not None:
            self._hidden["train"] = hidden


class RNNLM(RecurrentLanguageModel):
    """Elman RNN language model (eq. 5.1, tanh or relu; Elman 1990, Mikolov et al. 2010)."""

    def __init__(self, *, nonlinearity: Literal["tanh", "relu"] = "tanh", **kwargs: Any) -> None:
        """
        Args:
            nonlinearity: activation of eq. 5.1, "tanh" or "relu"
        """
        super().__init__(architecture="rnn", nonlinearity=nonlinearity, gru_variant=None, **kwargs)


class LSTMLM(RecurrentLanguageModel):
    """LSTM language model (eqs. 5.4-5.8; Hochreiter & Schmidhuber 1997; Zaremba et al. 2014).

    The variants (docs/cells.md) are options: coupled input and forget gates, peepholes (Gers &
    Schmidhuber 2000), residual or highway connections between stacked layers (Srivastava et al.
    2015) need ``backend="scratch"``; the forget-gate bias (Jozefowicz et al. 2015) and the chrono
    initialisation (Tallec & Ollivier 2018) work with either backend.
    """

    def __init__(
        self,
        *,
        coupled: bool = False,
        peephole: bool = False,
        connection: Literal["plain", "residual", "highway"] = "plain",
        forget_bias: float | None = None,
        lstm_init: Literal["default", "chrono"] = "default",
        chrono_max: float | None = None,
        **kwargs: Any,
    ) -> None:
        """
        Args:
            coupled: couple the input and forget gates, c_t = f_t * c_{t-1} + (1 - f_t) * g_t (backend="scratch")
            peephole: gates also read the cell state (Gers & Schmidhuber 2000; backend="scratch")
            connection: between stacked layers: "plain", "residual" or "highway" (Srivastava et al. 2015; backend="scratch")
            forget_bias: initial forget-gate bias, e.g. 1.0 (Jozefowicz et al. 2015); None keeps the uniform init
            lstm_init: "default" or "chrono" (Tallec & Ollivier 2018: forget bias log(U[1, chrono_max - 1]), input bias its negative)
            chrono_max: T_max of the chrono initialisation, about the longest dependency in steps
        """
        options = dict(coupled=coupled, peephole=peephole, connection=connection, forget_bias=forget_bias,
                       init=lstm_init, chrono_max=chrono_max)
        plain = dict(coupled=False, peephole=False, connection="plain", forget_bias=None, init="default",
                     chrono_max=None)
        super().__init__(architecture="lstm", nonlinearity=None, gru_variant=None,
                         lstm_options=None if options == plain else options, **kwargs)


class GRULM(RecurrentLanguageModel):
    """GRU language model (eqs. 5.9-5.11; Cho et al. 2014)."""

    def __init__(self, *, gru_variant: Literal["pytorch", "textbook"] = "pytorch", **kwargs: Any) -> None:
        """
        Args:
            gru_variant: "pytorch" (reset gate after the matmul, torch.nn.GRU) or "textbook" (eq. 5.11; needs backend="scratch")
        """
        super().__init__(architecture="gru", nonlinearity=None, gru_variant=gru_variant, **kwargs)


__all__ = ["RecurrentLanguageModel", "RNNLM", "LSTMLM", "GRULM", "ZarembaDecay"]
