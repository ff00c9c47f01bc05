"""``rnnlm tag`` and ``rnnlm classify``: train and test the two Shakespeare tasks.

    rnnlm tag                                   # truecasing with a bidirectional LSTM tagger
    rnnlm classify --pooling mean --cell gru    # genre of a speech from mean-pooled GRU states
    rnnlm tag --max_minutes 8 --max_epochs 3 --limit_train 0          # longer, on every speech

Trains for at most ``--max_epochs`` epochs (3) within ``--max_minutes`` (2 by default: on an idle
2-core CPU that is 2.4 to 3 epochs; the tagger uses a seeded subset of 8,000 training pieces),
validates on a seeded subset of the validation plays, keeps the weights of the best
validation check, and prints the accuracy on the whole test split beside the majority-class
baseline (always predicting the label most frequent in training). The tasks and splits are described in
``rnnlm.tasks.shakespeare``.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time

from rnnlm.tasks.models import CELLS, POOLINGS

DEFAULT_LIMIT_TRAIN = {"tag": 8000, "classify": 0}


def add_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    if verb == "classify":
        parser.add_argument("--pooling", default="max", choices=POOLINGS,
                            help="sentence encoding: mean or max of the hidden states, or the final state")
    parser.add_argument("--cell", default="lstm", choices=tuple(CELLS), help="recurrent cell")
    parser.add_argument("--unidirectional", action="store_true", help="read left to right only")
    parser.add_argument("--embedding_size", type=int, default=64, help="size of the word embeddings")
    parser.add_argument("--hidden_size", type=int, default=64, help="hidden units per direction")
    parser.add_argument("--num_layers", type=int, default=1, help="stacked recurrent layers")
    parser.add_argument("--dropout", type=float, default=0.3, help="dropout on embeddings and encodings")
    parser.add_argument("--learning_rate", type=float, default=5e-3, help="Adam's learning rate")
    parser.add_argument("--batch_size", type=int, default=64, help="examples per batch")
    parser.add_argument("--max_epochs", type=int, default=3, help="most passes over the training examples")
    parser.add_argument("--max_minutes", type=float, default=2.0, help="training time budget in minutes")
    parser.add_argument("--limit_train", type=int, default=DEFAULT_LIMIT_TRAIN[verb],
                        help="train on a random subset of this many examples (0: all)")
    parser.add_argument("--limit_valid", type=int, default=500,
                        help="validate on a random subset of this many examples (0: all)")
    parser.add_argument("--limit_test", type=int, default=0, help="test on this many examples (0: all, the default)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, subsets and training order")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (small RNNs gain little from more; a busy machine loses a lot)")


def run(args: argparse.Namespace) -> int:
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint

    from rnnlm.tasks.data import GenreDataModule, TruecaseDataModule
    from rnnlm.tasks.models import SentenceClassifier, SequenceTagger

    if args.max_minutes <= 0 or args.max_epochs < 1 or args.threads < 1:
        raise SystemExit(f"rnnlm {args.verb}: --max_minutes must be > 0, --max_epochs and --threads >= 1")
    torch.set_num_threads(args.threads)
    L.seed_everything(args.seed, verbose=False)
    options = dict(batch_size=args.batch_size, limit_train=args.limit_train or None,
                   limit_valid=args.limit_valid or None, limit_test=args.limit_test or None, seed=args.seed)
    model_options = dict(embedding_size=args.embedding_size, hidden_size=args.hidden_size, num_layers=args.num_layers,
                         cell=args.cell, bidirectional=not args.unidirectional, dropout=args.dropout,
                         learning_rate=args.learning_rate)
    try:
        if args.verb == "tag":
            data = TruecaseDataModule(**options)
            model = SequenceTagger(data.vocab_size, data.num_labels, **model_options)
        else:
            data = GenreDataModule(**options)
            model = SentenceClassifier(data.vocab_size, data.num_labels, pooling=args.pooling, **model_options)
    except ValueError as error:
        raise SystemExit(f"rnnlm {args.verb}: {error}") from None

    with tempfile.TemporaryDirectory() as checkpoints:
        best = ModelCheckpoint(dirpath=checkpoints, monitor="val/acc", mode="max", save_top_k=1)
        trainer = L.Trainer(max_epochs=args.max_epochs, max_time={"minutes": args.max_minutes}, logger=False,
                            callbacks=[best], enable_progress_bar=False, enable_model_summary=False,
                            num_sanity_val_steps=0)
        start = time.perf_counter()
        trainer.fit(model, data)
        seconds = time.perf_counter() - start
        tested = trainer.test(model, data, ckpt_path=best.best_model_path or None, verbose=False)[0]

    majority, baseline = data.majority_baseline("test")
    unit = "words" if args.verb == "tag" else "speeches"
    counts = data.label_counts("test")
    print(f"task              {'truecasing (tagging)' if args.verb == 'tag' else 'genre of a speech (classification)'}")
    print(f"model             {'uni' if args.unidirectional else 'bi'}directional {args.cell.upper()}"
          + (f", {args.pooling} pooling" if args.verb == "classify" else ""))
    batches_per_epoch = math.ceil(len(data.examples["train"]) / args.batch_size)
    print(f"training          {len(data.examples['train']):,} examples, {trainer.global_step:,} steps of "
          f"{args.batch_size} ({trainer.global_step / batches_per_epoch:.2f} epochs) in {seconds:.0f} s "
          "(best validation kept)")
    print(f"test {unit:<13}{sum(counts.values()):,} ({', '.join(f'{data.labels[k]} {v:,}' for k, v in sorted(counts.items()))})")
    print(f"test accuracy     {tested['test/acc']:.4f}")
    print(f"majority baseline {baseline:.4f} (always '{majority}')")
    return 0
