"""``rnnlm gradients``: ||dL_T/dh_k|| against T - k for RNN, LSTM and GRU (Fig. 5.2).

    rnnlm gradients                                   # the three architectures at initialisation
    rnnlm gradients --ckpt_path rnn.ckpt lstm.ckpt    # trained models (embedding + first layer)

Writes ``fig_5_2.png``, ``fig_5_2.csv`` (norm by architecture, layer and distance) and
``fig_5_2.json`` (decay per step, half-life, spectral radius of each W_hh gate block) into
``--output_dir`` and prints the summary table. See ``rnnlm.analysis.gradients`` for the method
(Pascanu, Mikolov & Bengio 2013).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from rnnlm.architectures import ARCHITECTURES, Architecture
from rnnlm.commands.checks import check_minimum


def _format(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else str(value)


def _keep(stats: dict | None) -> str:
    if stats is None:
        return "-"
    return f"{stats['mean']:.3f} / {stats['units_above_0.9']:.1%} / {stats['max_unit']:.3f}"


def summary_table(flows) -> str:
    """Markdown table: architecture, source, factor per step, half-life, norms, spectral radius."""
    lines = ["| architecture | source | factor / step | half-life (steps) | norm at 10 | norm at 50 | "
             "keep gate (LSTM f, GRU 1-z): mean / units > 0.9 / max unit | spectral radius of W_hh blocks |",
             "|---|---|---|---|---|---|---|---|"]
    for flow in flows:
        summary = flow.summary()
        radius = ", ".join(f"{gate} {value:.3f}" for gate, value in flow.spectral_radius.items())
        lines.append(f"| {flow.architecture.upper()} | {flow.source} | {_format(flow.factor_per_step)} | "
                     f"{_format(flow.half_life)} | {_format(summary.get('norm_at_10', math.nan))} | "
                     f"{_format(summary.get('norm_at_50', math.nan))} | "
                     f"{_keep(flow.keep_gate)} | {radius} |")
    return "\n".join(lines)


def command(
    architectures: tuple[Architecture, ...] = ARCHITECTURES,
    ckpt_path: list[str] | None = None,
    all_layers: bool = False,
    init: Literal["model", "torch"] = "model",
    init_range: float = 0.1,
    hidden_size: int = 200,
    embedding_size: int = 200,
    num_layers: int = 1,
    vocab_size: int = 1000,
    steps: int = 100,
    batch_size: int = 32,
    seed: int = 0,
    output_dir: Path = Path("gradients"),
) -> int:
    """Gradient norm against distance for RNN, LSTM and GRU (Fig. 5.2), and the spectral radius of W_hh.

    Measures ||dL_T/dh_k|| for every k on random token sequences, at initialisation or for trained
    checkpoints; writes fig_5_2.png/.csv/.json into --output_dir and prints the summary table.

    Args:
        architectures: architectures measured at initialisation (ignored with --ckpt_path).
        ckpt_path: checkpoints of trained RNNLM/LSTMLM/GRULM models to measure instead.
        all_layers: unroll the whole stack (default: embedding + first layer); the figure shows the bottom layer.
        init: model: a fresh RNNLM/LSTMLM/GRULM with its own init (uniform +-init_range); torch: torch.nn's default.
        init_range: the models' uniform init range (with --init model).
        hidden_size: hidden size at initialisation.
        embedding_size: embedding size at initialisation.
        num_layers: layers at initialisation.
        vocab_size: vocabulary of the random tokens at initialisation.
        steps: sequence length T (at least 2).
        batch_size: random sequences averaged over.
        seed: seed of the weights (at initialisation), tokens and readout.
        output_dir: where the figure and numbers go.
    """
    from rnnlm.analysis.gradients import measure_gradient_flow
    from rnnlm.analysis.stack import build_stack, load_checkpoint_stack, model_stack
    from rnnlm.plots import plot_gradient_flow

    for name, value in (("hidden_size", hidden_size), ("embedding_size", embedding_size), ("num_layers", num_layers),
                        ("vocab_size", vocab_size), ("batch_size", batch_size)):
        check_minimum(name, value, 1)
    check_minimum("steps", steps, 2)
    layers = num_layers if all_layers else 1
    if ckpt_path:
        stacks = [load_checkpoint_stack(path, num_layers=None if all_layers else 1) for path in ckpt_path]
    elif init == "model":
        stacks = [model_stack(architecture, vocab_size, embedding_size, hidden_size, layers, seed=seed,
                              init_range=init_range) for architecture in architectures]
    else:
        stacks = [build_stack(architecture, hidden_size, input_size=embedding_size, vocab_size=vocab_size,
                              num_layers=layers, seed=seed) for architecture in architectures]
    flows = [measure_gradient_flow(stack, steps=steps, batch_size=batch_size, seed=seed) for stack in stacks]
    paths = plot_gradient_flow(flows, Path(output_dir) / "fig_5_2")
    print(summary_table(flows))
    print("wrote " + ", ".join(str(path) for path in paths))
    return 0
