"""A recurrent stack unrolled one step at a time, so every hidden state h_k is a graph node.

The analyses need the hidden state of every step as a tensor of its own (to ask autograd for
dL_T/dh_k), which a fused ``torch.nn.LSTM`` call over a whole window does not expose. Here a
stack is a list of single-layer recurrent modules with the ``torch.nn.RNN/LSTM/GRU`` call
signature (``layer(x[B, T, I], hx) -> (output, h_n)``, batch first), called once per step.
That signature is shared by ``torch.nn`` and by the scratch layers of ``rnnlm.cells``, so the
same code unrolls either backend, the textbook GRU (eq. 5.11) included.

A stack comes from (a) a fresh ``torch.nn`` layer (``build_stack``), (b) any module holding a
recurrent layer and an embedding, e.g. a trained ``RNNLM``/``LSTMLM``/``GRULM``
(``stack_from_module``): each layer ``k`` of the model becomes a one-layer copy sharing its
weights, so nothing is copied and gradients still reach the model's parameters.

References: Pascanu, Mikolov & Bengio (2013), On the difficulty of training recurrent neural
networks, ICML; the chapter's eq. 5.1, 5.4-5.8, 5.9-5.11.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

from rnnlm.architectures import ARCHITECTURES, GATES, TORCH_LAYERS, check_architecture

__all__ = ["ARCHITECTURES", "GATES", "RecurrentStack", "build_stack", "check_architecture", "language_model_class",
           "load_checkpoint_stack", "model_stack", "stack_from_module", "unroll"]



def language_model_class(architecture: str) -> type:
    """``RNNLM``, ``LSTMLM`` or ``GRULM`` for 'rnn', 'lstm' or 'gru'."""
    from rnnlm.models import LANGUAGE_MODELS

    return LANGUAGE_MODELS[check_architecture(architecture)]


def architecture_of(layer: nn.Module) -> str:
    """'rnn', 'lstm' or 'gru' from the number of gate blocks stacked in ``weight_hh_l0``."""
    weight_hh = getattr(layer, "weight_hh_l0", None)
    if weight_hh is None:
        raise ValueError(f"{type(layer).__name__} has no weight_hh_l0: not a recurrent layer with torch.nn's layout")
    blocks = weight_hh.shape[0] // weight_hh.shape[1]  # [G*H, H] -> G
    by_blocks = {1: "rnn", 4: "lstm", 3: "gru"}
    if blocks not in by_blocks:
        raise ValueError(f"weight_hh_l0 of shape {tuple(weight_hh.shape)} has {blocks} gate blocks; expected 1, 3 or 4")
    return by_blocks[blocks]


@dataclass
class RecurrentStack:
    """Single-layer recurrent modules (bottom first) over an optional token embedding."""

    architecture: str
    layers: list[nn.Module]
    embedding: nn.Embedding | None = None
    source: str = "init"
    weights_hh: list[torch.Tensor] = field(default_factory=list)

    @property
    def hidden_size(self) -> int:
        return self.weights_hh[0].shape[1]

    @property
    def input_size(self) -> int:
        return self.layers[0].weight_ih_l0.shape[1]

    def copy_as(self, dtype: torch.dtype) -> RecurrentStack:
        """A deep copy of the recurrent layers in ``dtype``, without the embedding (embed first).

        Used with float64, so that norms of 1e-40 do not underflow; the model is left untouched.
        """
        layers, weights = copy.deepcopy((self.layers, self.weights_hh))  # one memo: weights stay the layers' own
        for layer in layers:
            layer.to(dtype)
        return RecurrentStack(self.architecture, layers, None, self.source, weights)

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token ids [B, T] -> inputs [B, T, I] through the embedding (which must exist)."""
        if self.embedding is None:
            raise ValueError("this stack has no embedding: pass float inputs [B, T, I] instead of token ids")
        return self.embedding(tokens)  # [B, T, E]


def _one_layer_view(layer: nn.Module, index: int, architecture: str) -> nn.Module:
    """A one-layer module whose parameters *are* layer ``index`` of ``layer`` (shared, not copied)."""
    weight_ih = getattr(layer, f"weight_ih_l{index}")
    hidden_size = getattr(layer, f"weight_hh_l{index}").shape[1]
    has_bias = hasattr(layer, f"bias_ih_l{index}")
    variant = getattr(layer, "variant", "pytorch")
    if architecture == "gru" and variant != "pytorch":
        from rnnlm.cells import GRU as ScratchGRU

        view: nn.Module = ScratchGRU(weight_ih.shape[1], hidden_size, bias=has_bias, batch_first=True, variant=variant)
    elif architecture == "rnn":
        nonlinearity = getattr(layer, "nonlinearity", "tanh")
        view = nn.RNN(weight_ih.shape[1], hidden_size, nonlinearity=nonlinearity, bias=has_bias, batch_first=True)
    else:
        view = TORCH_LAYERS[architecture](weight_ih.shape[1], hidden_size, bias=has_bias, batch_first=True)
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if has_bias else [])
    for name in names:
        # Re-register the model's own Parameter under the one-layer name: shared storage and autograd.
        view._parameters[f"{name}_l0"] = getattr(layer, f"{name}_l{index}")
    if hasattr(view, "_flat_weights"):
        view._init_flat_weights()  # torch.nn.RNNBase caches its weight list
    return view


def _find_recurrent_layer(module: nn.Module) -> nn.Module:
    if hasattr(module, "weight_hh_l0"):
        return module
    for child in module.modules():
        if hasattr(child, "weight_hh_l0"):
            return child
    raise ValueError(f"{type(module).__name__} holds no recurrent layer (no submodule with a weight_hh_l0 parameter)")


def stack_from_module(module: nn.Module, num_layers: int | None = None, source: str = "module") -> RecurrentStack:
    """The embedding and the first ``num_layers`` recurrent layers (all when None) of ``module``."""
    layer = _find_recurrent_layer(module)
    architecture = architecture_of(layer)
    available = sum(1 for name, _ in layer.named_parameters() if name.startswith("weight_hh_l") and "reverse" not in name)
    num_layers = available if num_layers is None else num_layers
    if not 1 <= num_layers <= available:
        raise ValueError(f"num_layers={num_layers} but the model has {available} recurrent layer(s)")
    if hasattr(layer, "weight_hh_l0_reverse"):
        raise ValueError("bidirectional layers have no single direction of time to measure; use a unidirectional model")
    views = [_one_layer_view(layer, k, architecture) for k in range(num_layers)]
    embedding = next((m for m in module.modules() if isinstance(m, nn.Embedding)), None)
    weights = [getattr(layer, f"weight_hh_l{k}") for k in range(num_layers)]
    return RecurrentStack(architecture, views, embedding, source, weights)


def build_stack(
    architecture: str,
    hidden_size: int,
    input_size: int | None = None,
    vocab_size: int | None = None,
    num_layers: int = 1,
    seed: int = 0,
) -> RecurrentStack:
    """A freshly initialised ``torch.nn`` stack (PyTorch's default init), with an embedding if ``vocab_size``."""
    architecture = check_architecture(architecture)
    input_size = hidden_size if input_size is None else input_size
    with torch.random.fork_rng(devices=[]):  # the caller's random stream is left as it was
        torch.manual_seed(seed)
        layer = TORCH_LAYERS[architecture](input_size, hidden_size, num_layers=num_layers, batch_first=True)
        embedding = nn.Embedding(vocab_size, input_size) if vocab_size else None
    holder = nn.ModuleDict({"layer": layer, **({"embedding": embedding} if embedding is not None else {})})
    stack = stack_from_module(holder, source="init")
    return stack


def unroll(stack: RecurrentStack, inputs: torch.Tensor) -> tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]:
    """Run ``stack`` over inputs [B, T, I] one step at a time from a zero state.

    Returns ``(hidden, cell)``: ``hidden[l][t]`` is h_{t+1} of layer ``l`` ([B, H], a graph node
    of its own, so autograd can differentiate with respect to it); ``cell`` likewise holds the
    LSTM cell states c_t (empty lists for the RNN and the GRU).
    """
    if inputs.dim() != 3:
        raise ValueError(f"inputs must be [batch, time, features]; received shape {tuple(inputs.shape)}")
    batch_size, steps, _ = inputs.shape  # [B, T, I]
    hidden: list[list[torch.Tensor]] = [[] for _ in stack.layers]
    cell: list[list[torch.Tensor]] = [[] for _ in stack.layers]
    zeros = inputs.new_zeros(1, batch_size, stack.hidden_size)  # [1, B, H]
    for t in range(steps):
        below = inputs[:, t : t + 1]  # [B, 1, I]
        for index, layer in enumerate(stack.layers):
            h_previous = hidden[index][-1].unsqueeze(0) if t else zeros  # [1, B, H]
            if stack.architecture == "lstm":
                c_previous = cell[index][-1].unsqueeze(0) if t else zeros
                _, (h_n, c_n) = layer(below, (h_previous, c_previous))
                cell[index].append(c_n[0])  # [B, H]
            else:
                _, h_n = layer(below, h_previous)
            hidden[index].append(h_n[0])  # [B, H]
            below = h_n[0].unsqueeze(1)  # [B, 1, H]: the input of the layer above
    return hidden, cell


def load_checkpoint_stack(ckpt_path: str, num_layers: int | None = 1) -> RecurrentStack:
    """The embedding and first ``num_layers`` layers (all when None) of a trained RNNLM/LSTMLM/GRULM.

    A missing, truncated or foreign checkpoint is a ``UsageError`` (``rnnlm.commands.checks.load_checkpoint``).
    """
    from pathlib import Path

    from rnnlm.commands.checks import load_checkpoint

    model = load_checkpoint(ckpt_path)
    return stack_from_module(model, num_layers=num_layers, source=f"trained ({Path(ckpt_path).name})")


def model_stack(
    architecture: str,
    vocab_size: int = 1000,
    embedding_dim: int = 200,
    hidden_size: int = 200,
    num_layers: int = 1,
    seed: int = 0,
    **model_options,
) -> RecurrentStack:
    """A fresh ``RNNLM``/``LSTMLM``/``GRULM`` with the model's own initialisation, as a stack."""
    model_class = language_model_class(architecture)
    with torch.random.fork_rng(devices=[]):  # the caller's random stream is left as it was
        torch.manual_seed(seed)
        model = model_class(vocab_size=vocab_size, embedding_dim=embedding_dim, hidden_size=hidden_size,
                            num_layers=num_layers, dropout=0.0, **model_options)
    return stack_from_module(model.eval(), source="init")
