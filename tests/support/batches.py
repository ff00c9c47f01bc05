"""Hand-made TBPTT batches and a quiet CPU Trainer, for tests that drive a model without a DataModule."""

from __future__ import annotations

import torch
from lightning.pytorch import Trainer

from rnnlm.data.streams import TBPTTBatch


class Windows:
    """An iterable of batches (a plain list would be read by Lightning as a collection of loaders)."""

    def __init__(self, batches: list[TBPTTBatch]) -> None:
        self.batches = list(batches)

    def __iter__(self):
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)

    def __add__(self, other: Windows) -> Windows:
        return Windows(self.batches + other.batches)

    def __getitem__(self, index: int) -> TBPTTBatch:
        return self.batches[index]


def stream_batches(streams: torch.Tensor, bptt: int) -> Windows:
    """Walk ``streams[B, N]`` window by window, as the DataModule does (first window resets)."""
    batches = []
    for start in range(0, streams.size(1) - 1, bptt):
        length = min(bptt, streams.size(1) - 1 - start)
        batches.append(TBPTTBatch(streams[:, start : start + length], streams[:, start + 1 : start + 1 + length],
                                  start == 0))
    return Windows(batches)


def quiet_trainer(**overrides) -> Trainer:
    options = dict(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                   enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0)
    options.update(overrides)
    return Trainer(**options)
