"""``rnnlm ngram``: fit an n-gram baseline on a corpus's training split and report perplexity.

    rnnlm ngram --corpus shakespeare --level word --order 3 --smoothing kneser_ney
    rnnlm ngram --order 5 --smoothing modified_kneser_ney --split test
    rnnlm ngram --level char --order 6 --smoothing add_k --k 0.1

The data are the very ones the neural models see: ``LanguageModelDataModule`` with the same
corpus, level and vocabulary options, ``split_ids("train")`` for the counts and
``split_ids(split)`` for the perplexity (see ``rnnlm.ngram.model`` for the conventions, and
docs/ngram.md).
"""

from __future__ import annotations

import math
import time
from typing import Literal

from rnnlm.commands.checks import check_minimum, options_checked
from rnnlm.ngram.model import SMOOTHINGS

Smoothing = Literal[SMOOTHINGS]  # mle, add_k, kneser_ney, modified_kneser_ney


def command(
    corpus: str = "shakespeare",
    level: Literal["word", "char", "bpe"] = "word",
    order: int = 3,
    smoothing: Smoothing = "kneser_ney",
    k: float | None = None,
    discount: list[float] | None = None,
    split: Literal["valid", "test"] = "valid",
    lower: bool = False,
    min_freq: int = 1,
    max_size: int | None = None,
    data_dir: str | None = None,
    tokenizer: str | None = None,
    bpe_vocab_size: int = 8000,
) -> int:
    """Fit an n-gram baseline on a corpus and report its perplexity.

    Counts on the training split and scores a held-out split with the vocabulary, <unk> and
    <eos> conventions of the neural models, so the numbers are comparable.

    Args:
        corpus: shakespeare, tinyshakespeare, ptb, wikitext2, or a .txt file or folder of train/valid/test.txt.
        level: tokenization: word, char, or bpe (byte-level BPE, as `rnnlm fit --data.level bpe`).
        order: n of the n-grams (1 = unigram, 3 = trigram).
        smoothing: estimator: mle, add_k, kneser_ney or modified_kneser_ney.
        k: pseudo-count of add_k (default 1.0).
        discount: Kneser-Ney discount: one value, or one per order, unigram first (default 0.75).
        split: the held-out split whose perplexity is reported.
        lower: lower-case the text (as the DataModule's lower).
        min_freq: words seen fewer times in train become <unk>.
        max_size: largest vocabulary, special tokens included (default: no cap).
        data_dir: folder of downloaded corpus files (default: the cache).
        tokenizer: at the bpe level, a Hugging Face tokenizer.json to use instead of training one.
        bpe_vocab_size: at the bpe level, the vocabulary size of the trained tokenizer.
    """
    from rnnlm.data.datamodule import LanguageModelDataModule
    from rnnlm.ngram.model import NGramLM

    check_minimum("order", order, 1)
    check_minimum("min_freq", min_freq, 1)
    check_minimum("max_size", max_size, 1)
    with options_checked():
        model = NGramLM(order, smoothing, k=k, discount=discount[0] if discount and len(discount) == 1 else discount)
        data = LanguageModelDataModule(corpus=corpus, level=level, lower=lower, min_freq=min_freq,
                                       max_size=max_size, data_dir=data_dir, tokenizer=tokenizer,
                                       bpe_vocab_size=bpe_vocab_size)
    train, held_out = data.split_ids("train"), data.split_ids(split)
    start = time.perf_counter()
    model.fit(train, data.vocab_size)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    perplexity = model.perplexity(held_out)
    score_seconds = time.perf_counter() - start

    print(f"corpus            {data.corpus} ({level} level)")
    print(f"model             {model.order}-gram, {model.smoothing}")
    print(f"train tokens      {len(train):,}")
    print(f"vocabulary        {data.vocab_size:,} (including <unk>{', <eos>' if level == 'word' else ''})")
    print(f"distinct n-grams  {', '.join(f'{m}: {count:,}' for m, count in enumerate(model.num_ngrams, start=1))}")
    print(f"{split} tokens{' ' * (12 - len(split))}{len(held_out):,}")
    print(f"{split} perplexity{' ' * (8 - len(split))}{perplexity:.2f}"
          + ("" if math.isfinite(perplexity) else "  (MLE gives probability 0 to unseen n-grams)"))
    if level == "char":
        print(f"{split} bits/char{' ' * (9 - len(split))}{math.log2(perplexity):.3f}")
    if level != "word":  # per word over the same text, so that levels compare (docs/data.md)
        per_word = math.exp(math.log(perplexity) * data.tokens_per_word(split))
        print(f"{split} ppl/word{' ' * (10 - len(split))}{per_word:.2f}")
    print(f"fit time          {fit_seconds:.3f} s")
    print(f"score time        {score_seconds:.3f} s ({len(held_out) / max(score_seconds, 1e-9):,.0f} tokens/s)")
    return 0
