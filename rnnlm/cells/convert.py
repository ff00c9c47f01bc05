"""Move weights between the scratch cells and ``torch.nn``, and build either backend by name.

The two backends share parameter names and layouts, so converting is copying a state_dict;
the converters exist to carry the configuration across too. ``torch.nn.GRU`` has no
textbook variant (eq. 5.11) and no LSTM variant (coupled gates, peepholes, residual or highway
stacks), so ``to_torch`` refuses those; an LSTM whose variants are initialisations only
(``forget_bias``, ``init="chrono"``) converts, with its initialised weights.
"""

from __future__ import annotations

from torch import nn

from rnnlm.architectures import TORCH_CELLS, TORCH_LAYERS

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
from rnnlm.cells import init as init_module
from rnnlm.cells import variants
from rnnlm.cells.layers import GRU, RNN, RecurrentLayer
from rnnlm.cells.lstm import LSTM, STRUCTURAL_VARIANTS, VARIANT_DEFAULTS
from rnnlm.errors import UsageError

_SCRATCH_LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
_SCRATCH_CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


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
    if isinstance(module, LSTM) and not module.is_torch_compatible:
        raise UsageError(
            "torch.nn.LSTM has no coupled gates, peepholes or residual/highway stacks; only an LSTM"
            f" with coupled=False, peephole=False, connection='plain' converts (received {module.extra_repr()})"
        )
    options: dict = dict(bias=module.bias, **_factory(module))
    if module.mode == "rnn":
        options["nonlinearity"] = module.nonlinearity
    if isinstance(module, RecurrentLayer):
        options.update(
            num_layers=module.num_layers, batch_first=module.batch_first,
            dropout=module.dropout, bidirectional=module.bidirectional,
        )
        converted = TORCH_LAYERS[module.mode](module.input_size, module.hidden_size, **options)
    else:
        converted = TORCH_CELLS[module.mode](module.input_size, module.hidden_size, **options)
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
    coupled: bool = False,
    peephole: bool = False,
    connection: str = "plain",
    forget_bias: float | None = None,
    init: str = "default",
    chrono_max: float | None = None,
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
        coupled: LSTM with ``i_t = 1 - f_t`` (backend "scratch" only).
        peephole: LSTM gates that see the cell (backend "scratch" only).
        connection: LSTM stacks: "plain", "residual" or "highway" (the last two: backend "scratch" only).
        forget_bias: initial LSTM forget-gate bias (either backend); None keeps torch's init.
        init: LSTM init, "default" or "chrono" (either backend; needs ``chrono_max``).
        chrono_max: T_max of the chrono init, in steps (> 2).
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
    lstm_options = dict(coupled=coupled, peephole=peephole, connection=connection, forget_bias=forget_bias,
                        init=init, chrono_max=chrono_max)
    check_choice("connection", connection, variants.CONNECTIONS)
    init_module.check_init_options(forget_bias, init, chrono_max, bias)
    changed = [name for name, value in lstm_options.items() if value != VARIANT_DEFAULTS[name]]
    if changed and mode != "lstm":
        raise UsageError(f"{', '.join(changed)} apply only to mode='lstm' (received mode={mode!r})")
    structural = [name for name in STRUCTURAL_VARIANTS if name in changed]
    if structural and backend != "scratch":
        raise UsageError(f"{', '.join(structural)} exist only with backend='scratch'; torch.nn.LSTM has no such variant")
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
        layer = TORCH_LAYERS[mode](input_size, hidden_size, **options)
        if mode == "lstm":  # initialisations only (checked above), the same as the scratch LSTM's
            init_module.apply_init_(layer, forget_bias, init, chrono_max)
        return layer
    if mode == "gru":
        options["variant"] = variant
    if mode == "lstm":
        options.update(lstm_options)
    return _SCRATCH_LAYERS[mode](input_size, hidden_size, **options)

