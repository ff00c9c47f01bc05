"""``rnnlm compare``: unigram, bigram, trigram (Kneser-Ney) vs RNN, LSTM, GRU on one corpus and split.

    rnnlm compare --time_budget 120                  # 2 minutes per neural model, on a CPU
    rnnlm compare --split test                       # the full recipes (13 epochs; meant for a GPU)

Writes ``results.csv``, ``results.md``, ``results.json``, ``fig_5_5.png`` (training curves),
``fig_5_6.png`` (perplexity bars), their CSVs and the trained checkpoints into ``--output_dir``.
See ``rnnlm.analysis.compare``.
"""

from __future__ import annotations

import argparse

from rnnlm.analysis.compare import NEURAL_CLASSES, SPLITS, CompareConfig

_DEFAULTS = CompareConfig()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", default=_DEFAULTS.corpus, help="corpus name (shakespeare, tinyshakespeare, ptb, wikitext2) or path")
    parser.add_argument("--level", default=_DEFAULTS.level, choices=("word", "char"), help="tokenization")
    parser.add_argument("--split", default=_DEFAULTS.split, choices=SPLITS, help="held-out split scored")
    parser.add_argument("--ngram_orders", type=int, nargs="+", default=list(_DEFAULTS.ngram_orders), help="n-gram orders")
    parser.add_argument("--smoothing", default=_DEFAULTS.smoothing, help="n-gram smoothing (kneser_ney, modified_kneser_ney, add_k, mle)")
    parser.add_argument("--architectures", nargs="+", default=list(_DEFAULTS.architectures), choices=list(NEURAL_CLASSES),
                        help="neural architectures")
    parser.add_argument("--time_budget", type=float, default=None,
                        help="seconds of training per neural model (default: the full recipe, --max_epochs epochs)")
    parser.add_argument("--max_epochs", type=int, default=_DEFAULTS.max_epochs, help="epochs of the full recipe (a cap under a budget)")
    parser.add_argument("--batch_size", type=int, default=_DEFAULTS.batch_size, help="training streams")
    parser.add_argument("--bptt", type=int, default=_DEFAULTS.bptt, help="TBPTT window length")
    parser.add_argument("--max_size", type=int, default=None, help="vocabulary cap, shared by every model")
    parser.add_argument("--embedding_dim", type=int, default=_DEFAULTS.embedding_dim, help="embedding size")
    parser.add_argument("--hidden_size", type=int, default=_DEFAULTS.hidden_size, help="hidden size")
    parser.add_argument("--num_layers", type=int, default=_DEFAULTS.num_layers, help="stacked recurrent layers")
    parser.add_argument("--dropout", type=float, default=_DEFAULTS.dropout, help="dropout (Zaremba et al. 2014)")
    parser.add_argument("--optimizer", default=_DEFAULTS.optimizer, choices=("sgd", "adam", "adamw"), help="optimizer")
    parser.add_argument("--lr", type=float, default=_DEFAULTS.lr, help="learning rate")
    parser.add_argument("--val_check_interval", type=int, default=_DEFAULTS.val_check_interval,
                        help="training windows between validations under a time budget")
    parser.add_argument("--curve_val_batches", type=int, default=_DEFAULTS.curve_val_batches,
                        help="validation windows per curve point under a time budget (the final score uses all)")
    parser.add_argument("--accelerator", default=_DEFAULTS.accelerator, help="Lightning accelerator (auto, cpu, gpu)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--seed", type=int, default=_DEFAULTS.seed, help="seed of the neural models")
    parser.add_argument("--output_dir", default=_DEFAULTS.output_dir, help="where the table, figures and checkpoints go")


def run(args: argparse.Namespace) -> int:
    from rnnlm.analysis.compare import compare, markdown_table

    fields = {name: getattr(args, name) for name in vars(args) if name in CompareConfig.__dataclass_fields__}
    fields["ngram_orders"], fields["architectures"] = tuple(args.ngram_orders), tuple(args.architectures)
    try:
        config = CompareConfig(**fields)
    except ValueError as error:
        raise SystemExit(f"rnnlm compare: {error}") from None
    import logging

    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # one Trainer per model: no banners
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    try:
        rows = compare(config)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"rnnlm compare: {error}") from None
    print(markdown_table(rows, config))
    print(f"wrote {config.output_dir}/results.csv, results.md, fig_5_5.png, fig_5_6.png")
    return 0
