"""``rnnlm ngram``: fit an n-gram baseline on a corpus's training split and report perplexity.

    rnnlm ngram --corpus shakespeare --level word --order 3 --smoothing kneser_ney
    rnnlm ngram --order 5 --smoothing modified_kneser_ney --split test
    rnnlm ngram --level char --order 6 --smoothing add_k --k 0.1

The data are the very ones the neural models see: ``LanguageModelDataModule`` with the same
corpus, level and vocabulary options, ``split_ids("train")`` for the counts and
``split_ids(split)`` for the perplexity (see ``rnnlm.ngram.model`` for the conventions).
"""

from __future__ import annotations

import argparse
import math
import time

from rnnlm.ngram.model import SMOOTHINGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", default="shakespeare",
                        help="shakespeare (default), tinyshakespeare, ptb, wikitext2, or a .txt file / folder")
    parser.add_argument("--level", default="word", choices=("word", "char"), help="tokenization")
    parser.add_argument("--order", type=int, default=3, help="n of the n-grams (1 = unigram, 3 = trigram)")
    parser.add_argument("--smoothing", default="kneser_ney", choices=SMOOTHINGS, help="estimator")
    parser.add_argument("--k", type=float, default=None, help="pseudo-count of add_k (default 1.0)")
    parser.add_argument("--discount", type=float, nargs="+", default=None,
                        help="Kneser-Ney discount: one value, or one per order, unigram first (default 0.75)")
    parser.add_argument("--split", default="valid", choices=("valid", "test"), help="split whose perplexity is reported")
    parser.add_argument("--lower", action="store_true", help="lower-case the text (as the DataModule's --lower)")
    parser.add_argument("--min_freq", type=int, default=1, help="words seen fewer times in train become <unk>")
    parser.add_argument("--max_size", type=int, default=None, help="largest vocabulary, special tokens included")
    parser.add_argument("--data_dir", default=None, help="folder of downloaded corpus files")


def run(args: argparse.Namespace) -> int:
    from rnnlm.data.datamodule import LanguageModelDataModule
    from rnnlm.ngram.model import NGramLM

    discount = None if args.discount is None else (args.discount[0] if len(args.discount) == 1 else args.discount)
    try:
        model = NGramLM(args.order, args.smoothing, k=args.k, discount=discount)
        data = LanguageModelDataModule(corpus=args.corpus, level=args.level, lower=args.lower,
                                       min_freq=args.min_freq, max_size=args.max_size, data_dir=args.data_dir)
        train, held_out = data.split_ids("train"), data.split_ids(args.split)
        start = time.perf_counter()
        model.fit(train, data.vocab_size)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        perplexity = model.perplexity(held_out)
        score_seconds = time.perf_counter() - start
    except ValueError as error:
        raise SystemExit(f"rnnlm ngram: {error}") from None

    print(f"corpus            {data.corpus} ({args.level} level)")
    print(f"model             {model.order}-gram, {model.smoothing}")
    print(f"train tokens      {len(train):,}")
    print(f"vocabulary        {data.vocab_size:,} (including <unk>{', <eos>' if args.level == 'word' else ''})")
    print(f"distinct n-grams  {', '.join(f'{m}: {count:,}' for m, count in enumerate(model.num_ngrams, start=1))}")
    print(f"{args.split} tokens{' ' * (12 - len(args.split))}{len(held_out):,}")
    print(f"{args.split} perplexity{' ' * (8 - len(args.split))}{perplexity:.2f}"
          + ("" if math.isfinite(perplexity) else "  (MLE gives probability 0 to unseen n-grams)"))
    if args.level == "char":
        print(f"{args.split} bits/char{' ' * (9 - len(args.split))}{math.log2(perplexity):.3f}")
    print(f"fit time          {fit_seconds:.3f} s")
    print(f"score time        {score_seconds:.3f} s ({len(held_out) / max(score_seconds, 1e-9):,.0f} tokens/s)")
    return 0
