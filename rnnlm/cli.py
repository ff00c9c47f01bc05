"""The ``rnnlm`` command.

``rnnlm fit | validate | test | predict`` are Lightning's own subcommands (LightningCLI:
``--config``, ``--print_config``, every argument of the model, the DataModule and the
Trainer). The other verbs (``rnnlm generate``, ``rnnlm score``, ...) are one typed function
each under ``rnnlm/commands/``, whose parser jsonargparse builds from the signature and the
docstring (``rnnlm.commands``); each module is imported only when its verb is used, so that
``rnnlm --help`` starts fast.

Every verb runs inside ``rnnlm.errors.run_cli``: a user mistake (``UsageError``) prints one
line, ``rnnlm: error: ...``, and exits with status 2 (``RNNLM_DEBUG=1`` shows the traceback);
an internal error keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rnnlm.errors import UsageError, run_cli

LIGHTNING_VERBS = ("fit", "validate", "test", "predict")

# verb -> (module, one-line help). The module's ``command`` function, or where two verbs share a
# module the function named after the verb (``tag``, ``classify``), takes the verb's options as
# typed, documented parameters. A module that still defines ``add_arguments(parser)`` and
# ``run(args)`` instead is run through argparse.
EXTRA_VERBS: dict[str, tuple[str, str]] = {
    "generate": ("rnnlm.commands.generate", "sample text from a trained checkpoint"),
    "score": ("rnnlm.commands.score", "log-probability of each line of a file and its perplexity"),
    "export": ("rnnlm.commands.export", "export a trained model's forward to TorchScript or ONNX"),
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
    """Parse ``argv`` for one of EXTRA_VERBS and run it; returns its exit status."""
    module_name, help_ = EXTRA_VERBS[verb]
    module = importlib.import_module(module_name)
    function = verb_function(module, verb)
    if function is not None:
        from rnnlm.commands import run_function

        return run_function(function, f"rnnlm {verb}", argv)
    return _run_argparse_verb(module, verb, help_, argv)


def verb_function(module, verb: str):
    """The typed function behind ``verb`` in ``module``: ``command``, else the function named ``verb``; or None."""
    function = getattr(module, "command", None) or getattr(module, verb, None)
    return function if callable(function) else None


def _run_argparse_verb(module, verb: str, help_: str, argv: list[str]) -> int:
    """The transition path for a module with ``add_arguments(parser)`` and ``run(args)``."""
    import inspect

    parser = argparse.ArgumentParser(prog=f"rnnlm {verb}", description=help_)
    if len(inspect.signature(module.add_arguments).parameters) == 2:
        module.add_arguments(parser, verb)
    else:
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    args.verb = verb
    return int(module.run(args) or 0)


def _dispatch(argv: list[str]) -> int:
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
    raise UsageError(f"unknown verb {verb!r}; choose one of: {', '.join(LIGHTNING_VERBS + tuple(EXTRA_VERBS))}")


def main(argv: list[str] | None = None) -> int:
    """The ``rnnlm`` entry point: ``argv`` without the program name (default: ``sys.argv[1:]``)."""
    # Idle OpenMP threads sleep instead of spinning: on a CPU shared with other processes,
    # spinning threads that wait for a descheduled partner made training steps up to 8x slower
    # (benchmarks/results/char_quality.md). Must be set before torch is imported.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from rnnlm.training.noise import quiet_dependency_noise

    quiet_dependency_noise()
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_cli(lambda: _dispatch(argv), "rnnlm")


if __name__ == "__main__":
    sys.exit(main())
