"""What a language model refuses: impossible hyperparameters, a foreign vocabulary, a checkpoint of another shape.

Each check raises one :class:`~rnnlm.errors.UsageError` naming the value, what was expected and
the fix, so that ``rnnlm fit`` prints it on one line. The vocabulary reaches a model by three
doors (its constructor, the DataModule at ``setup``, a checkpoint); all three go through
:func:`check_vocabulary`, so one mismatch reads the same whichever door it came by.
"""

from __future__ import annotations

from typing import Any

from rnnlm.architectures import check_choice
from rnnlm.data.vocab import Vocabulary
from rnnlm.errors import UsageError

BACKENDS = ("fused", "scratch")
OPTIMIZERS = ("sgd", "adam", "adamw")
NONLINEARITIES = ("tanh", "relu")
GRU_VARIANTS = ("pytorch", "textbook")

# What must agree between a checkpoint and the model it is loaded into (the backend need
# not: both backends share one state_dict).
CHECKPOINT_KEYS = ("vocab_size", "embedding_dim", "hidden_size", "num_layers", "tie_weights",
                   "adaptive_softmax_cutoffs", "nonlinearity", "gru_variant", "coupled", "peephole", "connection")


def check_settings(architecture: str, hp: dict[str, Any]) -> None:
    """Refuse impossible hyperparameters ``hp`` (the model's constructor arguments) of ``architecture``."""
    check_choice("backend", hp["backend"], BACKENDS)
    check_choice("optimizer", hp["optimizer"], OPTIMIZERS)
    options = {"nonlinearity": (NONLINEARITIES, "rnn"), "gru_variant": (GRU_VARIANTS, "gru")}
    for name, (valid, owner) in options.items():
        if (hp[name] is None) != (architecture != owner):
            raise TypeError(f"{name} is given by the {owner.upper()} model class only, got {name}={hp[name]!r} "
                            f"for architecture {architecture!r}")
        if hp[name] is not None:
            check_choice(name, hp[name], valid)
    for name in ("vocab_size", "embedding_dim", "hidden_size", "num_layers"):
        if int(hp[name]) < 1:
            raise UsageError(f"{name} must be a positive integer, got {hp[name]}")
    if not 0.0 <= hp["dropout"] < 1.0:
        raise UsageError(f"dropout must be in [0, 1), got {hp['dropout']}")
    for name, low, strict in (("init_range", 0, True), ("lr", 0, True), ("lr_decay", 0, True),
                              ("weight_decay", 0, False), ("lr_decay_start", 0, False)):
        if hp[name] < low or (strict and hp[name] == low):
            raise UsageError(f"{name} must be {'>' if strict else '>='} {low}, got {hp[name]}")
    if hp["tie_weights"] and hp["embedding_dim"] != hp["hidden_size"]:
        raise UsageError(f"tie_weights needs embedding_dim == hidden_size, got embedding_dim={hp['embedding_dim']} "
                         f"and hidden_size={hp['hidden_size']}; set them equal or tie_weights=False")
    if hp["adaptive_softmax_cutoffs"] is not None:
        check_cutoffs(hp["adaptive_softmax_cutoffs"], hp["vocab_size"], hp["tie_weights"])
    if hp["compile_cells"] and hp["backend"] != "scratch":
        raise UsageError("compile_cells compiles the scratch cells: use it with backend='scratch' (the fused "
                         "backend's torch.nn kernels are compiled already)")
    if hp["gru_variant"] == "textbook" and hp["backend"] != "scratch":
        raise UsageError("gru_variant='textbook' (eq. 5.11) needs backend='scratch'; "
                         "torch.nn.GRU implements only gru_variant='pytorch'")


def check_cutoffs(cutoffs: list[int], vocab_size: int, tie_weights: bool) -> None:
    """Refuse adaptive-softmax cluster boundaries that do not split ``range(vocab_size)``."""
    if tie_weights:
        raise UsageError("tie_weights cannot be combined with adaptive_softmax_cutoffs (the adaptive softmax "
                         "has no single output matrix to share): choose one")
    if not cutoffs or list(cutoffs) != sorted(set(cutoffs)) or cutoffs[0] < 1 or cutoffs[-1] >= vocab_size:
        raise UsageError(f"adaptive_softmax_cutoffs must be strictly increasing token ids between 1 and "
                         f"vocab_size - 1 = {vocab_size - 1}, got {list(cutoffs)} (e.g. [2000, 10000])")


def describe(vocab: Vocabulary) -> str:
    """A vocabulary in a few words, for error messages."""
    return f"{getattr(vocab, 'corpus', '?')}, {vocab.level} level, {len(vocab)} tokens, fingerprint {vocab.fingerprint[:12]}"


def check_vocabulary(vocab: Vocabulary, source: str, hp: dict[str, Any], current: Vocabulary | None) -> None:
    """Refuse ``vocab`` (arriving from ``source``) if it does not fit the model's layers or its current vocabulary."""
    if len(vocab) != hp["vocab_size"]:
        raise UsageError(f"{source} has {len(vocab)} tokens but the model was built for vocab_size={hp['vocab_size']}")
    if hp["adaptive_softmax_cutoffs"] is not None and vocab.level != "word":
        raise UsageError(f"the adaptive softmax is for word-level vocabularies; {source} is {vocab.level}-level: "
                         "set --model.adaptive_softmax_cutoffs null")
    if current is not None and current.fingerprint != vocab.fingerprint:
        raise UsageError(f"{source} ({describe(vocab)}) differs from the model's ({describe(current)}): use the "
                         "corpus and vocabulary settings the model was trained with")


def check_checkpoint_fits(class_name: str, hp: dict[str, Any], saved_class: str | None, saved: dict[str, Any]) -> None:
    """Refuse a checkpoint of another class or shape, naming every difference."""
    differences = []
    if saved_class is not None and saved_class != class_name:
        differences.append(f"architecture {saved_class} != {class_name}")
    for key in CHECKPOINT_KEYS:
        if key in saved and key in hp and _normalise(saved[key]) != _normalise(hp[key]):
            differences.append(f"{key} {saved[key]} != {hp[key]}")
    if differences:
        raise UsageError("checkpoint does not fit this model (checkpoint != model): " + "; ".join(differences)
                         + ". Build the model with the checkpoint's settings, or load it with "
                         "rnnlm.models.load_language_model(path)")


def _normalise(value: Any) -> Any:
    return list(value) if isinstance(value, (tuple, list)) else value
