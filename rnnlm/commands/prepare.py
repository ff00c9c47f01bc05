"""``rnnlm prepare``: prepare a corpus and say where its token files, splits and vocabulary are.

    rnnlm prepare --corpus ptb --level word
    rnnlm prepare --corpus wikitext103 --level word
    rnnlm prepare --corpus shakespeare --level bpe --bpe_vocab_size 4000

streams the corpus through the two passes of :mod:`rnnlm.data.prepared` (count, then encode,
in worker processes) and writes ``train.bin``/``valid.bin``/``test.bin`` (memory-mapped token
ids), ``train.txt``, ``valid.txt``, ``test.txt`` (the splits as the models see them),
``vocab.json`` (and ``tokenizer.json`` at the bpe level) and ``meta.json`` into the
prepared-corpus folder of the cache; then prints that folder with the corpus statistics:
tokens per split, tokens per word, vocabulary size, ``<unk>`` rate. A corpus already prepared
is read from the cache and its token files checked against the SHA-256 in ``meta.json``.
"""

from __future__ import annotations

from typing import Literal

from rnnlm.data.corpora import SPLITS
from rnnlm.errors import UsageError


def format_statistics(folder: str, stats: dict) -> str:
    """The table printed by ``rnnlm prepare``."""
    lines = [f"prepared corpus: {folder}",
             f"vocabulary size: {stats['vocab_size']:,}",
             f"{'split':<6} {'tokens':>12} {'<unk> rate':>11} {'tokens/word':>12}"]
    for split in SPLITS:
        words = stats["words"][split]
        per_word = stats["tokens"][split] / words if words else 1.0
        lines.append(f"{split:<6} {stats['tokens'][split]:>12,} {stats['unk_rate'][split]:>10.2%} {per_word:>12.3f}")
    return "\n".join(lines)


def command(
    corpus: str = "shakespeare",
    level: Literal["word", "char", "bpe"] = "word",
    lower: bool = False,
    min_freq: int = 1,
    max_size: int | None = None,
    data_dir: str | None = None,
    vocab_file: str | None = None,
    tokenizer: str | None = None,
    bpe_vocab_size: int = 8000,
    token_dtype: Literal["auto", "uint16", "uint32"] = "auto",
    workers: int | None = None,
) -> int:
    """Prepare a corpus: token files, splits as text, vocabulary, statistics.

    Prints the prepared-corpus folder and, per split, the tokens, the ``<unk>`` rate and the
    tokens per word (to convert a perplexity per token into one per word).

    Args:
        corpus: shakespeare, tinyshakespeare, ptb, wikitext2, wikitext103, or a .txt file or folder.
        level: tokenization level: word, char or bpe (byte-level BPE).
        lower: lower-case the text first.
        min_freq: rarer training tokens become <unk> (word and char level).
        max_size: largest vocabulary, specials included (word and char level).
        data_dir: folder of downloaded corpus files (default: the cache).
        vocab_file: reuse this vocab.json instead of building one.
        tokenizer: at the bpe level, a Hugging Face tokenizer.json to use instead of training one.
        bpe_vocab_size: at the bpe level, the vocabulary size of the trained tokenizer.
        token_dtype: ids on disk: auto (uint16 if the vocabulary fits, else uint32), uint16 or uint32.
        workers: processes that count and encode (default: the CPUs available).
    """
    from rnnlm.data.prepared import prepare_corpus

    try:
        prepared = prepare_corpus(corpus, level, lower, min_freq, max_size, data_dir, vocab_file,
                                  tokenizer=tokenizer, bpe_vocab_size=bpe_vocab_size, token_dtype=token_dtype,
                                  workers=workers, verify=True)
    except UsageError:  # a download that failed or a wrong checksum included
        raise
    except (FileNotFoundError, PermissionError, ModuleNotFoundError) as error:
        raise UsageError(str(error)) from None
    except ValueError as error:  # a bad option value reported by the library
        raise UsageError(str(error)) from None
    print(format_statistics(str(prepared.folder), prepared.stats))
    return 0
