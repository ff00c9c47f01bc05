"""A tiny word corpus (train/valid/test .txt) and the small model and data flags the CLI tests start from."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ("the king queen lord lady sword crown night day love death war peace speak hear "
         "come go stay fly run rest sleep dream wake die live know think see").split()


def write_corpus(folder: Path, lines: int = 300, seed: int = 0) -> Path:
    """Lines of 4-12 words drawn with a bias (so that there is something to learn)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, count in (("train", lines), ("valid", lines // 5), ("test", lines // 5)):
        text = []
        for _ in range(count):
            word = rng.choice(WORDS)
            line = []
            for _ in range(rng.randint(4, 12)):
                line.append(word)
                word = WORDS[(WORDS.index(word) + rng.choice((1, 1, 2, 3))) % len(WORDS)]
            text.append(" ".join(line))
        (folder / f"{split}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    return folder


# Small and quick: every CLI test starts from these and adds what it checks.
TINY_MODEL = ["--model.embedding_dim", "16", "--model.hidden_size", "16", "--model.num_layers", "1"]
TINY_DATA = ["--data.batch_size", "4", "--data.eval_batch_size", "4", "--data.bptt", "8"]
