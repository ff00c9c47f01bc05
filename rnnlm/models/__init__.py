"""LightningModules for recurrent language models: ``RNNLM``, ``LSTMLM``, ``GRULM``."""

from __future__ import annotations

from pathlib import Path

import torch

from rnnlm.errors import UsageError
from rnnlm.models.language_model import GRULM, LSTMLM, RNNLM, RecurrentLanguageModel

# Checkpoints name the class that wrote them (``checkpoint["rnnlm"]["architecture"]``).
MODEL_CLASSES = {cls.__name__: cls for cls in (RNNLM, LSTMLM, GRULM)}
ARCHITECTURES = MODEL_CLASSES  # the old public name
# The one map from an architecture's name (rnnlm.architectures) to its language model.
LANGUAGE_MODELS = {"rnn": RNNLM, "lstm": LSTMLM, "gru": GRULM}


def load_language_model(path: str | Path, map_location: str | torch.device = "cpu") -> RecurrentLanguageModel:
    """The model saved in a checkpoint, of whichever class wrote it, in eval mode with its ``vocab``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    name = checkpoint.get("rnnlm", {}).get("architecture")
    if name not in MODEL_CLASSES:
        raise UsageError(f"{path} is not an rnnlm language-model checkpoint (architecture {name!r}; "
                         f"expected one of {', '.join(MODEL_CLASSES)})")
    model = MODEL_CLASSES[name].load_from_checkpoint(path, map_location=map_location)
    return model.eval()


__all__ = ["RecurrentLanguageModel", "RNNLM", "LSTMLM", "GRULM", "MODEL_CLASSES", "ARCHITECTURES", "LANGUAGE_MODELS",
           "load_language_model"]
