"""LightningModules for recurrent language models: ``RNNLM``, ``LSTMLM``, ``GRULM``."""

from __future__ import annotations

from pathlib import Path

import torch

from rnnlm.models.language_model import GRULM, LSTMLM, RNNLM, RecurrentLanguageModel

ARCHITECTURES = {cls.__name__: cls for cls in (RNNLM, LSTMLM, GRULM)}


def load_language_model(path: str | Path, map_location: str | torch.device = "cpu") -> RecurrentLanguageModel:
    """The model saved in a checkpoint, of whichever class wrote it, in eval mode with its ``vocab``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    name = checkpoint.get("rnnlm", {}).get("architecture")
    if name not in ARCHITECTURES:
        raise ValueError(f"{path} is not an rnnlm language-model checkpoint (architecture {name!r}; "
                         f"expected one of {', '.join(ARCHITECTURES)})")
    model = ARCHITECTURES[name].load_from_checkpoint(path, map_location=map_location)
    return model.eval()


__all__ = ["RecurrentLanguageModel", "RNNLM", "LSTMLM", "GRULM", "ARCHITECTURES", "load_language_model"]
