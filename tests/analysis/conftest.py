"""The analysis tests train tiny models: one torch thread is faster and keeps the shared CPU free."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> str:
    """A folder with train/valid/test.txt: the first lines of each split of the complete works."""
    from rnnlm.data.corpora import load_corpus

    corpus = load_corpus("shakespeare")
    folder = tmp_path_factory.mktemp("tiny_corpus")
    for split, lines in (("train", 1500), ("valid", 200), ("test", 200)):
        text = "\n".join(getattr(corpus, split).splitlines()[:lines]) + "\n"
        (folder / f"{split}.txt").write_text(text)
    return str(folder)
