"""``rnnlm interpret`` end to end on a tiny budget, and the corpora it reads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonargparse
import pytest

from rnnlm.commands.interpret import command
from rnnlm.errors import UsageError
from rnnlm.interpret.features import PROSE_FEATURES
from rnnlm.interpret.train import HELD_OUT_EVERY, excerpt, load_python_corpus, python_source_files

SHARED_DATA = Path("/work/shared/data")


def run(*args: str) -> int:
    return jsonargparse.CLI(command, args=list(args), as_positional=False)


@pytest.fixture
def tiny_corpus(tmp_path) -> str:
    """A local text corpus shaped like Tiny Shakespeare (speaker lines, speeches)."""
    speech = "ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east.\n\n"
    speech += "JULIET:\nAy me! O Romeo, Romeo, wherefore art thou Romeo?\n\n"
    path = tmp_path / "plays.txt"
    path.write_text(speech * 200, encoding="utf-8")
    return str(path)


@pytest.mark.slow
def test_interpret_writes_page_figures_and_table(tmp_path, tiny_corpus):
    out = tmp_path / "out"
    assert run("--corpus", tiny_corpus, "--output_dir", str(out), "--hidden_size", "8", "--num_layers", "1",
               "--max_steps", "3", "--text_chars", "1200", "--page_chars", "300") == 0
    stem = out / "interpret_plays"
    for suffix in (".html", ".png", "_traces.png", ".json", ".md"):
        assert (Path(f"{stem}{suffix}")).stat().st_size > 200
    document = json.loads(Path(f"{stem}.json").read_text())
    assert [row["feature"] for row in document["features"]] == list(PROSE_FEATURES)
    assert document["training"]["steps"] == 3 and document["characters"] == 1200
    assert all(0.0 <= row["held_out_score"] <= 1.0 for row in document["features"])
    assert all("untrained_held_out_score" in row for row in document["features"])
    table = Path(f"{stem}.md").read_text()
    assert table.count("\n") == 2 + len(PROSE_FEATURES) and "speaker_line" in table
    page = Path(f"{stem}.html").read_text()
    assert 1 <= page.count('<section class="row"') <= 6


def test_bad_inputs_get_one_clear_error(tmp_path, tiny_corpus):
    with pytest.raises(UsageError, match="unknown feature"):
        command(corpus=tiny_corpus, features=["quotes"], output_dir=str(tmp_path))
    with pytest.raises(UsageError, match="threads"):
        command(corpus=tiny_corpus, threads=0, output_dir=str(tmp_path))
    with pytest.raises(UsageError, match="selection_share"):
        command(corpus=tiny_corpus, selection_share=1.5, output_dir=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()  # refused before training or writing anything
    with pytest.raises(UsageError, match="max_chars"):
        excerpt("abc", 0)


def test_python_corpus_holds_out_every_tenth_standard_library_file():
    files = python_source_files()
    corpus = load_python_corpus()
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    assert corpus.held_out.startswith(texts[0]) and texts[HELD_OUT_EVERY] in corpus.held_out
    assert corpus.train.startswith(texts[1]) and texts[HELD_OUT_EVERY] not in corpus.train
    assert len(corpus.train) + len(corpus.held_out) == sum(map(len, texts))


def test_excerpt_starts_at_a_line():
    assert excerpt("ab\ncd\nef", 3, start=1) == "cd\n"
    assert excerpt("ab\ncd\nef", 10) == "ab\ncd\nef"


@pytest.mark.slow
def test_interpret_reads_a_checkpoint_written_by_lightning(tmp_path, tiny_corpus):
    import torch
    from lightning.pytorch import Trainer

    from rnnlm.data.streams import TBPTTLoader
    from rnnlm.data.vocab import Vocabulary
    from rnnlm.interpret.record import record_activations
    from rnnlm.interpret.train import load_interpret_corpus
    from rnnlm.models import LSTMLM

    texts = load_interpret_corpus(tiny_corpus)
    vocab = Vocabulary.build(list(texts.train), level="char", corpus="plays")
    model = LSTMLM(vocab=vocab, embedding_dim=8, hidden_size=6, num_layers=1, dropout=0.0)
    ids = torch.tensor(vocab.encode(list(texts.train)))
    trainer = Trainer(max_steps=2, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                      enable_model_summary=False, accelerator="cpu")
    trainer.fit(model, train_dataloaders=TBPTTLoader(ids, batch_size=2, bptt=16))
    path = tmp_path / "char.ckpt"
    trainer.save_checkpoint(path)
    out = tmp_path / "out"
    assert run("--corpus", tiny_corpus, "--checkpoint", str(path), "--output_dir", str(out),
               "--text_chars", "800", "--page_chars", "200") == 0
    document = json.loads((out / "interpret_plays.json").read_text())
    assert document["checkpoint"] == str(path) and "training" not in document
    cells = {str(cell) for cell in record_activations(model, "ab").cells}
    assert {row["best_cell"] for row in document["features"]} <= cells  # the checkpoint's 12 cells


def test_python_analysis_text_is_cut_at_top_level_statements():
    from rnnlm.interpret.features import code_bracket_depth, python_spans
    from rnnlm.interpret.train import analysis_text, statement_starts

    corpus = load_python_corpus()
    text = analysis_text(corpus, 12_000, pieces=4)
    assert 4_000 < len(text) <= 12_000 + 4
    string, comment = python_spans(text)
    assert code_bracket_depth(text)[-1] == 0 and string[-1] == 0 and comment[-1] == 0
    assert text[:300] in corpus.held_out and text[:300] not in corpus.train  # held-out files only
    source = "x = (1,\n2)\ns = '''\nnot a statement\n'''\n# c\ndef f():\n    pass\n"
    lines = [source[start:].split("\n")[0] for start in statement_starts(source)]
    assert lines == ["x = (1,", "s = '''", "def f():"]
