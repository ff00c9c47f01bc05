"""Move weights between the scratch cells and ``torch.nn``, and build either backend by name.

The two backends share parameter names and layouts, so converting is copying a state_dict;
the converters exist to carry the configuration across too. ``torch.nn.GRU`` has no
textbook variant (eq. 5.11), so ``to_torch`` refuses that one.
"""

from __future__ import annotations

from torch import nn

from rnnlm.cells._validation import (
    BACKENDS,
    GRU_VARIANTS,
    MODES,
    NONLINEARITIES,
    check_choice,
    check_dropout,
    check_positive_int,
)
from rnnlm.cells.cells import GRUCell, LSTMCell, RecurrentCell, RNNCell
from rnnlm.cells.layers import GRU, LSTM, RNN, RecurrentLayer

_SCRATCH_LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
_TORCH_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_SCRATCH_CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}
_TORCH_CELLS = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}


def _factory(module: nn.Module) -> dict:
    parameter = next(module.parameters())
    return {"device": parameter.device, "dtype": parameter.dtype}


def from_torch(module: nn.Module) -> RecurrentLayer | RecurrentCell:
    """A scratch copy (same configuration, same weights) of a ``torch.nn`` RNN/LSTM/GRU layer or cell."""
    if isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)):
        mode = {nn.LSTM: "lstm", nn.GRU: "gru"}.get(type(module), "rnn")
        if getattr(module, "proj_size", 0):
            raise ValueError("LSTMs with proj_size > 0 have no scratch counterpart; use proj_size=0")
        options = dict(
            num_layers=module.num_layers, bias=module.bias, batch_first=module.batch_first,
            dropout=module.dropout, bidirectional=module.bidirectional, **_factory(module),
        )
        if mode == "rnn":
            options["nonlinearity"] = "relu" if module.mode == "RNN_RELU" else "tanh"
        scratch = _SCRATCH_LAYERS[mode](module.input_size, module.hidden_size, **options)
    elif isinstance(module, (nn.RNNCell, nn.LSTMCell, nn.GRUCell)):
        mode = {nn.LSTMCell: "lstm", nn.GRUCell: "gru"}.get(type(module), "rnn")
        options = dict(bias=module.bias, **_factory(module))
        if mode == "rnn":
            options["nonlinearity"] = module.nonlinearity
        scratch = _SCRATCH_CELLS[mode](module.input_size, module.hidden_size, **options)
    else:
        raise TypeError(
            "from_torch expects torch.nn.RNN, LSTM, GRU, RNNCell, LSTMCell or GRUCell,"
            f" received {type(module).__name__}"
        )
    scratch.load_state_dict(module.state_dict())
    return scratch.train(module.training)


def to_torch(module: RecurrentLayer | RecurrentCell) -> nn.Module:
    """The ``torch.nn`` module (same configuration, same weights) of a scratch layer or cell."""
    if not isinstance(module, (RecurrentLayer, RecurrentCell)):
        raise TypeError(
            f"to_torch expects a scratch layer or cell of rnnlm.cells, received {type(module).__name__}"
        )
    if module.mode == "gru" and module.variant == "textbook":
        raise ValueError(
            "torch.nn has no GRU with the reset gate applied before the matmul (eq. 5.11,"
            " variant='textbook'); only variant='pytorch' converts to torch.nn.GRU"
        )
    options: dict = dict(bias=module.bias, **_factory(module))
    if module.mode == "rnn":
        options["nonlinearity"] = module.nonlinearity
    if isinstance(module, RecurrentLayer):
        options.update(
            num_layers=module.num_layers, batch_first=module.batch_first,
            dropout=module.dropout, bidirectional=module.bidirectional,
        )
        converted = _TORCH_LAYERS[module.mode](module.input_size, module.hidden_size, **options)
    else:
        converted = _TORCH_CELLS[module.mode](module.input_size, module.hidden_size, **options)
    converted.load_state_dict(module.state_dict())
    return converted.train(module.training)


def make_recurrent_layer(
    mode: str,
    backend: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    dropout: float = 0.0,
    bias: bool = True,
    bidirectional: bool = False,
    nonlinearity: str = "tanh",
    variant: str = "pytorch",
) -> nn.Module:
    """Stacked recurrent layers with ``batch_first=True``: ``torch.nn`` (``backend="fused"``,
    cuDNN on GPU) or the cells of this package (``backend="scratch"``); one state_dict for both.

    Args:
        mode: "rnn", "lstm" or "gru".
        backend: "fused" (torch.nn) or "scratch" (rnnlm.cells).
        input_size: features per input step (I).
        hidden_size: size of the hidden state (H).
        num_layers: stacked layers (L).
        dropout: dropout between stacked layers, in [0, 1).
        bias: learn the biases.
        bidirectional: also read each window backwards.
        nonlinearity: "tanh" or "relu" (mode "rnn" only).
        variant: GRU form, "pytorch" or "textbook" (eq. 5.11; backend "scratch" only).
    """
    check_choice("mode", mode, MODES)
    check_choice("backend", backend, BACKENDS)
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_choice("GRU variant", variant, GRU_VARIANTS)
    check_positive_int("input_size", input_size)
    check_positive_int("hidden_size", hidden_size)
    check_positive_int("num_layers", num_layers)
    dropout = check_dropout(dropout)
    if nonlinearity != "tanh" and mode != "rnn":
        raise ValueError(f"nonlinearity={nonlinearity!r} applies only to mode='rnn' (received mode={mode!r})")
    if variant != "pytorch" and mode != "gru":
        raise ValueError(f"variant={variant!r} applies only to mode='gru' (received mode={mode!r})")
    if variant == "textbook" and backend != "scratch":
        raise ValueError(
            "variant='textbook' (eq. 5.11) exists only with backend='scratch'; torch.nn.GRU"
            " implements variant='pytorch'"
        )
    options: dict = dict(
        num_layers=num_layers, bias=bias, batch_first=True, dropout=dropout, bidirectional=bidirectional
    )
    if mode == "rnn":
        options["nonlinearity"] = nonlinearity
    if backend == "fused":
        return _TORCH_LAYERS[mode](input_size, hidden_size, **options)
    if mode == "gru":
        options["variant"] = variant
    return _SCRATCH_LAYERS[mode](input_size, hidden_size, **options)

