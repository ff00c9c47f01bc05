"""``rnnlm compare``: unigram, bigram, trigram (Kneser-Ney) vs RNN, LSTM, GRU on one corpus and split.

    rnnlm compare --time_budget 120                  # 2 minutes per neural model, on a CPU
    rnnlm compare --split test                       # the full recipes (13 epochs; meant for a GPU)
    rnnlm compare --architectures lstm --model.hidden_size 650 --model.dropout 0.5

Writes ``results.csv``, ``results.md``, ``results.json``, ``fig_5_5.png`` (training curves),
``fig_5_6.png`` (perplexity bars), their CSVs and the trained checkpoints into ``--output_dir``.
See ``rnnlm.analysis.compare``.
"""

from __future__ import annotations

from typing import Literal

from rnnlm.analysis.compare import CompareConfig
from rnnlm.architectures import ARCHITECTURES, Architecture
from rnnlm.commands.checks import check_minimum
from rnnlm.commands.ngram import Smoothing
from rnnlm.commands.options import NetworkOptions

_DEFAULTS = CompareConfig()
_NETWORK = NetworkOptions(embedding_dim=_DEFAULTS.embedding_dim, hidden_size=_DEFAULTS.hidden_size,
                          num_layers=_DEFAULTS.num_layers, dropout=_DEFAULTS.dropout, lr=_DEFAULTS.lr)


def command(
    corpus: str = _DEFAULTS.corpus,
    level: Literal["word", "char"] = "word",
    split: Literal["valid", "test"] = "valid",
    ngram_orders: tuple[int, ...] = _DEFAULTS.ngram_orders,
    smoothing: Smoothing = "kneser_ney",
    architectures: tuple[Architecture, ...] = ARCHITECTURES,
    time_budget: float | None = None,
    max_epochs: int = _DEFAULTS.max_epochs,
    batch_size: int = _DEFAULTS.batch_size,
    bptt: int = _DEFAULTS.bptt,
    max_size: int | None = None,
    model: NetworkOptions = _NETWORK,
    optimizer: Literal["sgd", "adam", "adamw"] = "sgd",
    val_check_interval: int = _DEFAULTS.val_check_interval,
    curve_val_batches: int = _DEFAULTS.curve_val_batches,
    accelerator: str = _DEFAULTS.accelerator,
    threads: int | None = None,
    seed: int = _DEFAULTS.seed,
    output_dir: str = _DEFAULTS.output_dir,
) -> int:
    """n-grams vs RNN/LSTM/GRU on one corpus and split: table, Fig. 5.5 and Fig. 5.6.

    Fits each n-gram order and trains each neural architecture on the training split of the
    same DataModule, then scores the held-out split; prints the Markdown table.

    Args:
        corpus: corpus name (shakespeare, tinyshakespeare, ptb, wikitext2) or path.
        level: tokenization: word or char.
        split: the held-out split scored.
        ngram_orders: n-gram orders to fit.
        smoothing: n-gram smoothing: kneser_ney, modified_kneser_ney, add_k or mle.
        architectures: neural architectures to train.
        time_budget: seconds of training per neural model (default: the full recipe, --max_epochs epochs).
        max_epochs: epochs of the full recipe (a cap under a budget).
        batch_size: training streams.
        bptt: TBPTT window length.
        max_size: vocabulary cap, shared by every model (default: none).
        model: the recurrent network each architecture uses.
        optimizer: sgd, adam or adamw.
        val_check_interval: training windows between validations under a time budget.
        curve_val_batches: validation windows per curve point under a time budget (the final score uses all).
        accelerator: Lightning accelerator (auto, cpu, gpu).
        threads: torch CPU threads (default: torch's choice).
        seed: seed of the neural models.
        output_dir: where the table, figures and checkpoints go.
    """
    import logging

    from rnnlm.analysis.compare import compare, markdown_table

    check_minimum("threads", threads, 1)
    for name, value in (("max_epochs", max_epochs), ("batch_size", batch_size), ("bptt", bptt),
                        ("val_check_interval", val_check_interval), ("curve_val_batches", curve_val_batches)):
        check_minimum(name, value, 1)
    config = CompareConfig(corpus=corpus, level=level, split=split, ngram_orders=tuple(ngram_orders),
                           smoothing=smoothing, architectures=tuple(architectures), time_budget=time_budget,
                           max_epochs=max_epochs, batch_size=batch_size, bptt=bptt, max_size=max_size,
                           embedding_dim=model.embedding_dim, hidden_size=model.hidden_size,
                           num_layers=model.num_layers, dropout=model.dropout, optimizer=optimizer, lr=model.lr,
                           val_check_interval=val_check_interval, curve_val_batches=curve_val_batches,
                           accelerator=accelerator, seed=seed, output_dir=output_dir)
    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # one Trainer per model: no banners
    if threads:
        import torch

        torch.set_num_threads(threads)
    rows = compare(config)
    print(markdown_table(rows, config))
    print(f"wrote {config.output_dir}/results.csv, results.md, fig_5_5.png, fig_5_6.png")
    return 0
