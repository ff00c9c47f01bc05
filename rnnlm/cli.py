"""The ``rnnlm`` command.

``rnnlm fit | validate | test | predict`` are Lightning's own subcommands (LightningCLI:
``--config``, ``--print_config``, every argument of the model, the DataModule and the
Trainer). The other verbs (``rnnlm generate``, ``rnnlm ngram``, ...) are small argparse
programs, one module each under ``rnnlm/commands/``, imported only when used so that
``rnnlm --help`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

LIGHTNING_VERBS = ("fit", "validate", "test", "predict")

# verb -> (module under rnnlm.commands, one-line help). Each module defines
# ``add_arguments(parser)`` and ``run(args) -> int``.
EXTRA_VERBS: dict[str, tuple[str, str]] = {
    "generate": ("rnnlm.commands.generate", "sample text from a trained checkpoint"),
    "ngram": ("rnnlm.commands.ngram", "fit and evaluate an n-gram baseline on a corpus"),
    "compare": ("rnnlm.commands.compare", "n-grams vs RNN/LSTM/GRU: table, Fig. 5.5 and Fig. 5.6"),
    "gradients": ("rnnlm.commands.gradients", "gradient norm against distance (Fig. 5.2), spectral radius"),
    "longrange": ("rnnlm.commands.longrange", "largest recall gap each architecture learns"),
    "prepare": ("rnnlm.commands.prepare", "prepare a corpus: splits as text, vocabulary, statistics"),
    "tag": ("rnnlm.commands.tasks", "train and test the bidirectional sequence tagger"),
    "classify": ("rnnlm.commands.tasks", "train and test the sentence classifier"),
    "interpret": ("rnnlm.commands.interpret", "find and show LSTM cells that track quotes, lines, code (Karpathy 2015)"),
    "diagrams": ("rnnlm.commands.diagrams", "draw Figs. 5.1, 5.3, 5.4 (unrolled RNN, LSTM and GRU cells) as SVG"),
}


def _usage() -> str:
    lines = ["usage: rnnlm VERB [options]", "", "training (LightningCLI; `rnnlm fit --help`):"]
    lines += [f"  {verb}" for verb in LIGHTNING_VERBS]
    lines += ["", "tools (`rnnlm VERB --help`):"]
    lines += [f"  {verb:<10} {help_}" for verb, (_, help_) in EXTRA_VERBS.items()]
    return "\n".join(lines)


def run_extra_verb(verb: str, argv: list[str]) -> int:
    module_name, help_ = EXTRA_VERBS[verb]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"rnnlm {verb}", description=help_)
    module.add_arguments(parser, verb) if _takes_verb(module) else module.add_arguments(parser)
    args = parser.parse_args(argv)
    args.verb = verb
    return int(module.run(args) or 0)


def _takes_verb(module) -> bool:
    import inspect

    return len(inspect.signature(module.add_arguments).parameters) == 2


def main(argv: list[str] | None = None) -> int:
    # Idle OpenMP threads sleep instead of spinning: on a CPU shared with other processes,
    # spinning threads that wait for a descheduled partner made training steps up to 8x slower
    # (benchmarks/results/char_quality.md). Must be set before torch is imported.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from rnnlm.training.noise import quiet_dependency_noise

    quiet_dependency_noise()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    verb = argv[0]
    if verb in EXTRA_VERBS:
        return run_extra_verb(verb, argv[1:])
    if verb in LIGHTNING_VERBS or verb.startswith("-"):
        from rnnlm.training.cli import lightning_main

        lightning_main(argv)
        return 0
    print(f"rnnlm: unknown verb {verb!r}; choose one of: "
          f"{', '.join(LIGHTNING_VERBS + tuple(EXTRA_VERBS))}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
