"""The optimizer and learning-rate schedule of the language models.

Zaremba, Sutskever & Vinyals (2014), "Recurrent Neural Network Regularization", arXiv:1409.2329:
plain SGD at a constant learning rate for the first epochs, then multiplied by ``lr_decay``
after every epoch. Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019, decoupled
weight decay) are offered for comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

OPTIMIZER_CLASSES: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
}


class ZarembaDecay:
    """Learning-rate factor of epoch e: 1 for the first ``start`` epochs, then ``decay`` ** (e + 1 - start)."""

    def __init__(self, decay: float, start: int) -> None:
        self.decay, self.start = decay, start

    def __call__(self, epoch: int) -> float:
        return self.decay ** max(0, epoch + 1 - self.start)


def optimizer_and_schedule(parameters: Iterable[nn.Parameter], hp: Any) -> dict[str, Any]:
    """Lightning's ``configure_optimizers`` answer for hyperparameters ``hp`` (optimizer, lr, weight_decay, lr_decay, lr_decay_start)."""
    optimizer = OPTIMIZER_CLASSES[hp.optimizer](parameters, lr=hp.lr, weight_decay=hp.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, ZarembaDecay(hp.lr_decay, hp.lr_decay_start))
    return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}
