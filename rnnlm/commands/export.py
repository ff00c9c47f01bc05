"""``rnnlm export``: a trained model's forward as a TorchScript or ONNX file, for use without rnnlm.

    rnnlm export --ckpt_path lstm.ckpt --output lstm.pt                    # TorchScript
    rnnlm export --ckpt_path lstm.ckpt --format onnx --output lstm.onnx    # needs the onnx package

The exported function is the model's ``forward(inputs, hidden) -> (logits, hidden)``, as
pytorch/examples' ``word_language_model`` exports it: ``inputs`` are token ids ``[B, T]``
(int64), ``hidden`` is ``h [L, B, H]`` (an ``(h, c)`` pair for an LSTM), ``logits`` are
``[B, T, V]`` (log-probabilities when the model has an adaptive softmax). Batch size and length
may differ from the example the export was traced with. The model is exported in eval mode
(no dropout).

- TorchScript (``LightningModule.to_torchscript``, a ``torch.jit.trace``): load with ``torch.jit.load(path)``; the vocabulary travels
  inside the file as ``vocab.json`` (``torch.jit.load(path, _extra_files={"vocab.json": ""})``).
- ONNX (torch's TorchScript-based exporter, ``dynamo=False``): inputs ``inputs``, ``h0`` (and
  ``c0``), outputs ``logits``, ``h1`` (and ``c1``), batch and time axes dynamic; the vocabulary
  is written beside it as ``<output>.vocab.json``.

After writing, the file is loaded back (TorchScript) and its logits compared with the model's.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from typing import Literal

import torch
from torch import nn

from rnnlm.atomic import atomic_open, write_bytes_atomic, write_text_atomic
from rnnlm.commands.checks import check_minimum, load_checkpoint
from rnnlm.errors import UsageError


class FlatForward(nn.Module):
    """The model's forward with the hidden state as separate tensors: ``(inputs, h[, c]) -> (logits, h[, c])``."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor, *state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        hidden = state[0] if len(state) == 1 else tuple(state)
        logits, hidden = self.model(inputs, hidden)  # [B, T, V]; [L, B, H] each
        return (logits, *(hidden if isinstance(hidden, tuple) else (hidden,)))


def example_inputs(model, batch_size: int = 2, steps: int = 5) -> tuple[torch.Tensor, object]:
    """Random token ids [B, T] and a random hidden state of the model's shape (for tracing and checks)."""
    generator = torch.Generator().manual_seed(0)
    vocab_size = model.hparams.vocab_size
    inputs = torch.randint(vocab_size, (batch_size, steps), generator=generator)  # [B, T]
    hidden = model.init_hidden(batch_size)
    if isinstance(hidden, tuple):
        hidden = tuple(torch.randn(h.shape, generator=generator) for h in hidden)  # [L, B, H] each
    else:
        hidden = torch.randn(hidden.shape, generator=generator)  # [L, B, H]
    return inputs, hidden


def export_torchscript(model, output: Path) -> nn.Module:
    """Trace the model's forward and save it with its vocabulary; returns the reloaded module."""
    inputs, hidden = example_inputs(model)
    with warnings.catch_warnings():  # shape checks in torch.nn.LSTM are constants for the trace: expected
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # Lightning's own tracing entry point: a plain torch.jit.trace would read `model.trainer`
        traced = model.to_torchscript(method="trace", example_inputs=(inputs, hidden), check_trace=False)
    vocab = json.dumps(model.vocab.to_dict()) if model.vocab is not None else "null"
    with atomic_open(output, binary=True) as stream:
        torch.jit.save(traced, stream, _extra_files={"vocab.json": vocab})
    return torch.jit.load(str(output))


def export_onnx(model, output: Path) -> None:
    """Export ``FlatForward(model)`` to ONNX with dynamic batch and time axes, and the vocabulary beside it."""
    if importlib.util.find_spec("onnx") is None:
        raise UsageError("--format onnx needs the onnx package: `pip install onnx` (and onnxruntime to run the file)"
                         ", or use --format torchscript")
    inputs, hidden = example_inputs(model)
    state = hidden if isinstance(hidden, tuple) else (hidden,)
    state_in, state_out = ["h0", "c0"][: len(state)], ["h1", "c1"][: len(state)]
    axes = {"inputs": {0: "batch", 1: "time"}, "logits": {0: "batch", 1: "time"}}
    axes.update({name: {1: "batch"} for name in state_in + state_out})
    data = _onnx_bytes(FlatForward(model), (inputs, *state), ["inputs", *state_in], ["logits", *state_out], axes)
    write_bytes_atomic(output, data)
    if model.vocab is not None:
        write_text_atomic(Path(f"{output}.vocab.json"), json.dumps(model.vocab.to_dict()))


def _onnx_bytes(module: nn.Module, args: tuple, input_names: list[str], output_names: list[str], axes: dict) -> bytes:
    import io

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings of the TorchScript-based exporter
        torch.onnx.export(module, args, buffer, input_names=input_names, output_names=output_names,
                          dynamic_axes=axes, dynamo=False)
    return buffer.getvalue()


@torch.no_grad()
def largest_difference(model, exported: nn.Module, batch_size: int = 3, steps: int = 7) -> float:
    """max |logits| difference between ``model`` and ``exported`` on a batch of another shape than the trace's."""
    inputs, hidden = example_inputs(model, batch_size, steps)
    expected, _ = model(inputs, hidden)  # [B, T, V]
    received, _ = exported(inputs, hidden)  # [B, T, V]
    return float((expected - received).abs().max())


def command(
    *,
    ckpt_path: str,
    output: str,
    format: Literal["torchscript", "onnx"] = "torchscript",
    tolerance: float = 1e-4,
) -> int:
    """Export a trained model's forward to TorchScript or ONNX.

    The file computes forward(inputs [B, T], hidden) -> (logits [B, T, V], hidden) with the
    trained weights, in eval mode, for any batch size and length.

    Args:
        ckpt_path: checkpoint of an RNNLM / LSTMLM / GRULM written by `rnnlm fit`.
        output: the file to write (e.g. model.pt for TorchScript, model.onnx for ONNX).
        format: torchscript (torch.jit.load, vocabulary inside) or onnx (vocabulary in OUTPUT.vocab.json).
        tolerance: largest logit difference between the reloaded TorchScript file and the model that is accepted.
    """
    check_minimum("tolerance", tolerance, 0)
    target = Path(output)
    if not target.parent.is_dir():
        raise UsageError(f"the folder of --output does not exist: {target.parent}; create it first")
    model = load_checkpoint(ckpt_path)
    if format == "onnx":
        export_onnx(model, target)
        print(f"wrote {target} (ONNX; inputs, h0{', c0' if isinstance(model.init_hidden(1), tuple) else ''})")
        return 0
    difference = largest_difference(model, export_torchscript(model, target))
    if difference > tolerance:
        raise RuntimeError(f"the exported file's logits differ from the model's by {difference:.3g} > {tolerance}")
    print(f"wrote {target} (TorchScript; largest logit difference from the model {difference:.2g})")
    return 0
