"""Data: corpora, tokenizers, vocabulary, truncated-BPTT streams and the DataModule.

Names are imported lazily: ``rnnlm.data.vocab`` and friends load without Lightning.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Vocabulary": "rnnlm.data.vocab",
    "get_tokenizer": "rnnlm.data.tokenize",
    "Corpus": "rnnlm.data.corpora",
    "load_corpus": "rnnlm.data.corpora",
    "KNOWN_CORPORA": "rnnlm.data.corpora",
    "cache_dir": "rnnlm.data.download",
    "fetch": "rnnlm.data.download",
    "TBPTTBatch": "rnnlm.data.streams",
    "TBPTTLoader": "rnnlm.data.streams",
    "PreparedCorpus": "rnnlm.data.prepared",
    "prepare_corpus": "rnnlm.data.prepared",
    "BPETokenizer": "rnnlm.data.bpe",
    "LanguageModelDataModule": "rnnlm.data.datamodule",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rnnlm.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
