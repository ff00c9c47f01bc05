"""``rnnlm gradients``: ||dL_T/dh_k|| against T - k for RNN, LSTM and GRU (Fig. 5.2).

    rnnlm gradients                                   # the three architectures at initialisation
    rnnlm gradients --ckpt_path rnn.ckpt lstm.ckpt    # trained models (embedding + first layer)

Writes ``fig_5_2.png``, ``fig_5_2.csv`` (norm by architecture, layer and distance) and
``fig_5_2.json`` (decay per step, half-life, spectral radius of each W_hh gate block) into
``--output_dir`` and prints the summary table. See ``rnnlm.analysis.gradients`` for the method.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rnnlm.analysis.stack import ARCHITECTURES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--architectures", nargs="+", default=list(ARCHITECTURES), choices=ARCHITECTURES,
                        help="architectures measured at initialisation (ignored with --ckpt_path)")
    parser.add_argument("--ckpt_path", nargs="+", default=None,
                        help="checkpoints of trained RNNLM/LSTMLM/GRULM models to measure instead")
    parser.add_argument("--all_layers", action="store_true",
                        help="unroll the whole stack (default: embedding + first layer); the figure shows the bottom layer")
    parser.add_argument("--init", choices=("model", "torch"), default="model",
                        help="model: a fresh RNNLM/LSTMLM/GRULM with its own init (uniform +-init_range); torch: torch.nn's default")
    parser.add_argument("--init_range", type=float, default=0.1, help="the models' uniform init range (with --init model)")
    parser.add_argument("--hidden_size", type=int, default=200, help="hidden size at initialisation")
    parser.add_argument("--embedding_size", type=int, default=200, help="embedding size at initialisation")
    parser.add_argument("--num_layers", type=int, default=1, help="layers at initialisation")
    parser.add_argument("--vocab_size", type=int, default=1000, help="vocabulary of the random tokens at initialisation")
    parser.add_argument("--steps", type=int, default=100, help="sequence length T")
    parser.add_argument("--batch_size", type=int, default=32, help="random sequences averaged over")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights (at initialisation), tokens and readout")
    parser.add_argument("--output_dir", type=Path, default=Path("gradients"), help="where the figure and numbers go")


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


def _stacks(args: argparse.Namespace) -> list:
    from rnnlm.analysis.stack import build_stack, load_checkpoint_stack, model_stack

    layers = args.num_layers if args.all_layers else 1
    if args.ckpt_path:
        return [load_checkpoint_stack(path, num_layers=None if args.all_layers else 1) for path in args.ckpt_path]
    if args.init == "model":
        return [model_stack(architecture, args.vocab_size, args.embedding_size, args.hidden_size, layers,
                            seed=args.seed, init_range=args.init_range) for architecture in args.architectures]
    return [build_stack(architecture, args.hidden_size, input_size=args.embedding_size, vocab_size=args.vocab_size,
                        num_layers=layers, seed=args.seed) for architecture in args.architectures]


def run(args: argparse.Namespace) -> int:
    from rnnlm.analysis.gradients import measure_gradient_flow
    from rnnlm.plots import plot_gradient_flow

    for name in ("hidden_size", "embedding_size", "num_layers", "vocab_size", "steps", "batch_size"):
        if getattr(args, name) < (2 if name == "steps" else 1):
            raise SystemExit(f"rnnlm gradients: --{name} must be positive (steps >= 2); received {getattr(args, name)}")
    try:
        stacks = _stacks(args)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"rnnlm gradients: {error}") from None
    flows = [measure_gradient_flow(stack, steps=args.steps, batch_size=args.batch_size, seed=args.seed) for stack in stacks]
    paths = plot_gradient_flow(flows, args.output_dir / "fig_5_2")
    print(summary_table(flows))
    print("wrote " + ", ".join(str(path) for path in paths))
    return 0
