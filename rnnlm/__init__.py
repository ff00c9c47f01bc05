"""rnnlm: recurrent language models (RNN, LSTM, GRU) on PyTorch Lightning.

Chapter 5 of the course, "Sequence Models: RNNs, LSTMs, and GRUs", made runnable:
cells written from the chapter's equations (5.1, 5.4-5.11), LightningModules trained with
truncated backpropagation through time on one or many devices, n-gram baselines on the
same token stream, and the analyses behind the chapter's figures.

The public names below are imported lazily so that ``import rnnlm`` stays fast and the
command-line tools start quickly.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    # data
    "LanguageModelDataModule": "rnnlm.data.datamodule",
    "Vocabulary": "rnnlm.data.vocab",
    "load_corpus": "rnnlm.data.corpora",
    # models
    "RNNLM": "rnnlm.models.language_model",
    "LSTMLM": "rnnlm.models.language_model",
    "GRULM": "rnnlm.models.language_model",
    "RecurrentLanguageModel": "rnnlm.models.language_model",
    # n-grams
    "NGramLM": "rnnlm.ngram.model",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rnnlm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
