"""``LanguageModelDataModule``: corpora -> vocabulary -> truncated-BPTT streams, on any number of ranks.

The vocabulary is known as soon as the DataModule exists (prepared on first access and
cached on disk), so ``LightningCLI`` can link ``data.vocab_size`` into ``model.vocab_size``
when it instantiates the classes. ``prepare_data`` (once per node) prepares the corpus into
the cache if it is not there (streaming, :mod:`rnnlm.data.prepared`); ``setup`` (every rank)
opens the cached token files as memory maps and checks them against ``meta.json``. Each ``*_dataloader()`` returns a
:class:`~rnnlm.data.streams.TBPTTLoader` holding only this rank's streams: a plain iterable,
so Lightning leaves it alone (no ``DistributedSampler``, no shuffling) whatever
``use_distributed_sampler`` says.

Mid-epoch resume: Lightning (>= 2.2) saves the ``state_dict()`` of the object returned by
``train_dataloader()`` in the checkpoint (``loops.fit_loop.state_dict.combined_loader``) and
hands it back before iterating, so the DataModule itself needs no state.

References: pytorch/examples ``word_language_model`` (``batchify``); Lightning's
``demos/lstm.py``; Merity et al. (2018) for variable BPTT.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities import rank_zero_info

from rnnlm.errors import UsageError
from rnnlm.data.corpora import KNOWN_CORPORA, SPLITS
from rnnlm.data.prepared import PreparedCorpus, prepare_corpus
from rnnlm.data.streams import TBPTTLoader
from rnnlm.data.vocab import Vocabulary, check_level


class LanguageModelDataModule(L.LightningDataModule):
    """Token streams of a corpus for truncated-BPTT language modelling.

    Args:
        corpus: ``shakespeare`` (offline default), ``tinyshakespeare``, ``ptb``, ``wikitext2``,
            ``wikitext103``, or the path of a ``.txt`` file or folder.
        level: tokenization, ``word`` (whitespace, ``<eos>`` at line ends), ``char``, or ``bpe``
            (byte-level BPE trained on the training split, or loaded from ``tokenizer``).
        batch_size: training streams per rank (rows of a batch).
        eval_batch_size: validation/test streams per rank.
        bptt: window length of truncated backpropagation through time (tokens).
        variable_bptt: AWD-LSTM window lengths (mostly ``bptt``, sometimes ``bptt/2``, jittered).
        lower: lower-case the text before tokenizing.
        min_freq: tokens seen fewer times in train become ``<unk>``.
        max_size: largest vocabulary, special tokens included (None: no limit).
        data_dir: folder of downloaded corpus files (default: ``<cache>/downloads``).
        seed: seed of the variable-BPTT schedule (identical on every rank).
        vocab_file: reuse this saved vocabulary (same corpus and level) instead of building one.
        tokenizer: at the bpe level, a Hugging Face ``tokenizer.json`` to use instead of training one.
        bpe_vocab_size: at the bpe level, the vocabulary size of the trained tokenizer.
        windows_per_batch: training windows per Lightning batch. The model still takes one
            optimizer step per window; a batch of K windows only shares Lightning's per-batch
            work among K steps (see docs/training.md). Lightning's batch counts
            (``limit_train_batches``, ``log_every_n_steps``, an integer ``val_check_interval``)
            then count batches of K windows, while ``max_steps`` and ``global_step`` count windows.
    """

    def __init__(
        self,
        corpus: str = "shakespeare",
        level: str = "word",
        batch_size: int = 20,
        eval_batch_size: int = 10,
        bptt: int = 35,
        variable_bptt: bool = False,
        lower: bool = False,
        min_freq: int = 1,
        max_size: int | None = None,
        data_dir: str | None = None,
        seed: int = 0,
        vocab_file: str | None = None,
        tokenizer: str | None = None,
        bpe_vocab_size: int = 8000,
        windows_per_batch: int = 1,
    ):
        super().__init__()
        check_level(level)
        for name, value in (("batch_size", batch_size), ("eval_batch_size", eval_batch_size),
                            ("bptt", bptt), ("min_freq", min_freq), ("bpe_vocab_size", bpe_vocab_size),
                            ("windows_per_batch", windows_per_batch)):
            if value < 1:
                raise UsageError(f"{name} must be >= 1, got {value}")
        if str(corpus) not in KNOWN_CORPORA and not Path(str(corpus)).expanduser().exists():
            raise UsageError(f"unknown corpus {corpus!r}: choose one of {', '.join(KNOWN_CORPORA)}, "
                             "or give the path of an existing .txt file or folder")
        self.save_hyperparameters()
        self.corpus, self.level = str(corpus), level
        self.batch_size, self.eval_batch_size, self.bptt = batch_size, eval_batch_size, bptt
        self.variable_bptt, self.lower, self.min_freq, self.max_size = variable_bptt, lower, min_freq, max_size
        self.data_dir, self.seed, self.vocab_file = data_dir, seed, vocab_file
        self.tokenizer, self.bpe_vocab_size = tokenizer, bpe_vocab_size
        self.windows_per_batch = windows_per_batch
        self._prepared: PreparedCorpus | None = None

    def _prepare(self) -> PreparedCorpus:
        return prepare_corpus(self.corpus, self.level, self.lower, self.min_freq, self.max_size, self.data_dir,
                              self.vocab_file, tokenizer=self.tokenizer, bpe_vocab_size=self.bpe_vocab_size)

    @property
    def prepared(self) -> PreparedCorpus:
        """The prepared corpus (built on first access, then read from the cache)."""
        if self._prepared is None:
            self._prepared = self._prepare()
        return self._prepared

    @property
    def vocab(self) -> Vocabulary:
        """The vocabulary built on the training split."""
        return self.prepared.vocab

    @property
    def vocab_size(self) -> int:
        """Number of tokens in the vocabulary (the model's input and output size)."""
        return len(self.vocab)

    def prepare_data(self) -> None:
        """Download and prepare the corpus into the cache if it is not there (Lightning: once per node)."""
        prepared = self._prepare()
        rank_zero_info(f"prepared corpus {prepared.name} ({prepared.level} level, {len(prepared.vocab):,} tokens "
                       f"in the vocabulary) in {prepared.folder}")

    def setup(self, stage: str | None = None) -> None:
        """Open this rank's view of the prepared corpus: the cached token files, memory-mapped and checked."""
        self._prepared = self._prepare()
        for split in SPLITS:
            self._prepared.tokens(split)  # a damaged token file fails here, before training starts

    def split_ids(self, split: str) -> torch.Tensor:
        """The whole encoded split as a LongTensor ``[N]`` (the n-gram models use this stream)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
        return self.prepared.ids[split]

    def tokens_per_word(self, split: str) -> float:
        """Tokens per word of ``split`` (words = word-level tokens of the same text, line ends included;
        1.0 at word level): perplexity per word = exp(loss per token * tokens_per_word)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
        return 1.0 if self.level == "word" else self.prepared.tokens_per_word(split)

    def _rank_and_world_size(self) -> tuple[int, int]:
        trainer = self.trainer
        return (0, 1) if trainer is None else (trainer.global_rank, trainer.world_size)

    def _steps_left(self) -> int | None:
        """Optimizer steps (windows) before the Trainer's ``max_steps``; None without a limit."""
        trainer = self.trainer
        max_steps = getattr(trainer, "max_steps", None)  # None: no Trainer (or a stand-in without one)
        if max_steps is None or max_steps < 0:
            return None
        return max_steps - trainer.global_step

    def _loader(self, split: str, batch_size: int, variable_bptt: bool, windows_per_batch: int = 1) -> TBPTTLoader:
        rank, world_size = self._rank_and_world_size()
        loader = TBPTTLoader(self.prepared.tokens(split), batch_size, self.bptt, rank=rank, world_size=world_size,
                             variable_bptt=variable_bptt, seed=self.seed, split=split,
                             windows_per_batch=windows_per_batch,
                             steps_left=self._steps_left if split == "train" else None)
        rank_zero_info(loader.layout_summary())
        return loader

    def train_dataloader(self) -> TBPTTLoader:
        """This rank's ``batch_size`` training streams, ``windows_per_batch`` windows at a time."""
        return self._loader("train", self.batch_size, self.variable_bptt, self.windows_per_batch)

    def val_dataloader(self) -> TBPTTLoader:
        """This rank's ``eval_batch_size`` validation streams (fixed ``bptt``)."""
        return self._loader("valid", self.eval_batch_size, False)

    def test_dataloader(self) -> TBPTTLoader:
        """This rank's ``eval_batch_size`` test streams (fixed ``bptt``)."""
        return self._loader("test", self.eval_batch_size, False)

    def predict_dataloader(self) -> TBPTTLoader:
        """The test streams again: ``rnnlm predict`` scores them (per-token negative log-likelihood)."""
        return self._loader("test", self.eval_batch_size, False)
