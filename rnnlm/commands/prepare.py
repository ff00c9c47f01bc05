"""``rnnlm prepare``: prepare a corpus and say where its splits and vocabulary are.

    rnnlm prepare --corpus ptb --level word

writes ``train.txt``, ``valid.txt``, ``test.txt`` (the splits as the models see them),
``vocab.json`` and ``meta.json`` into the prepared-corpus folder of the cache and prints that
folder with the corpus statistics: tokens per split, vocabulary size, ``<unk>`` rate.
"""

from __future__ import annotations

import argparse
import sys

from rnnlm.data.corpora import KNOWN_CORPORA, SPLITS
from rnnlm.data.download import ChecksumError, OfflineError
from rnnlm.data.vocab import LEVELS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``rnnlm prepare``."""
    parser.add_argument("--corpus", default="shakespeare",
                        help=f"one of {', '.join(KNOWN_CORPORA)}, or a .txt file or folder (default: shakespeare)")
    parser.add_argument("--level", default="word", choices=LEVELS, help="tokenization level (default: word)")
    parser.add_argument("--lower", action="store_true", help="lower-case the text first")
    parser.add_argument("--min-freq", type=int, default=1, help="rarer training tokens become <unk> (default: 1)")
    parser.add_argument("--max-size", type=int, default=None, help="largest vocabulary, specials included")
    parser.add_argument("--data-dir", default=None, help="folder of downloaded corpus files (default: the cache)")
    parser.add_argument("--vocab-file", default=None, help="reuse this vocabulary.json instead of building one")


def format_statistics(folder: str, stats: dict) -> str:
    """The table printed by ``rnnlm prepare``."""
    lines = [f"prepared corpus: {folder}",
             f"vocabulary size: {stats['vocab_size']:,}",
             f"{'split':<6} {'tokens':>12} {'<unk> rate':>11}"]
    for split in SPLITS:
        lines.append(f"{split:<6} {stats['tokens'][split]:>12,} {stats['unk_rate'][split]:>10.2%}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Prepare the corpus and print where it is and its statistics; 1 on bad input."""
    from rnnlm.data.prepared import prepare_corpus

    try:
        prepared = prepare_corpus(args.corpus, args.level, args.lower, args.min_freq, args.max_size,
                                  args.data_dir, args.vocab_file)
    except (ValueError, OSError, ModuleNotFoundError, ChecksumError, OfflineError) as error:
        print(f"rnnlm prepare: {error}", file=sys.stderr)
        return 1
    print(format_statistics(str(prepared.folder), prepared.stats))
    return 0
