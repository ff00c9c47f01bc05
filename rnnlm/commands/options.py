"""Options shared by verbs: the recurrent network that ``rnnlm compare``, ``tag`` and ``classify`` train.

One dataclass, so that the verbs name, document and check these options once; on the command
line they are a group of dotted flags, ``--model.hidden_size 64``, as in ``rnnlm fit``. Each verb
gives its own defaults (an instance of ``NetworkOptions`` as the parameter's default).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlm.commands.checks import check_minimum
from rnnlm.errors import UsageError


@dataclass
class NetworkOptions:
    """The recurrent network a verb trains.

    Args:
        embedding_dim: size of the token embeddings.
        hidden_size: hidden units of each recurrent layer (per direction).
        num_layers: stacked recurrent layers.
        dropout: dropout probability between layers (Zaremba et al. 2014), in [0, 1).
        lr: learning rate of the optimizer.
    """

    embedding_dim: int = 200
    hidden_size: int = 200
    num_layers: int = 2
    dropout: float = 0.2
    lr: float = 1.0

    def __post_init__(self) -> None:
        for name in ("embedding_dim", "hidden_size", "num_layers"):
            check_minimum(f"model.{name}", getattr(self, name), 1)
        if not 0 <= self.dropout < 1:
            raise UsageError(f"--model.dropout must lie in [0, 1); received {self.dropout}")
        if not self.lr > 0:
            raise UsageError(f"--model.lr must be > 0; received {self.lr}")
