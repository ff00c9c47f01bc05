"""Sampling: reproducible with a seed, greedy at temperature 0, top-k, <unk> for unknown prompt words."""

from __future__ import annotations

import pytest
import torch

from rnnlm.cli import main
from rnnlm.generate import encode_prompt, generate
from rnnlm.models import LSTMLM, load_language_model

from tests.support.batches import quiet_trainer
from .test_checkpoint import FixedData


@pytest.fixture
def word_checkpoint(tmp_path, word_vocab):
    torch.manual_seed(0)
    model = LSTMLM(vocab_size=len(word_vocab), embedding_dim=8, hidden_size=8, num_layers=1, init_range=1.0)
    trainer = quiet_trainer(max_steps=1)
    trainer.fit(model, datamodule=FixedData(word_vocab))
    trainer.save_checkpoint(tmp_path / "word.ckpt")
    return tmp_path / "word.ckpt"


def test_same_seed_same_text(word_checkpoint):
    model = load_language_model(word_checkpoint)
    first = generate(model, "w1 w2", max_tokens=30, seed=5)
    assert first == generate(model, "w1 w2", max_tokens=30, seed=5)
    assert first != generate(model, "w1 w2", max_tokens=30, seed=6)
    assert first.startswith("w1 w2 ")
    assert len(first.split()) + first.count("\n") == 2 + 30  # each <eos> printed as a line end


def test_greedy_and_top_k_one_follow_the_most_likely_token(word_checkpoint):
    model = load_language_model(word_checkpoint)
    ids = encode_prompt(model, "w3")
    with torch.no_grad():  # an independent greedy walk
        logits, hidden = model(torch.tensor([ids]))
        expected = []
        for _ in range(8):
            expected.append(int(logits[0, -1].argmax()))
            logits, hidden = model(torch.tensor([[expected[-1]]]), hidden)
    reference = " ".join(["w3"] + model.vocab.decode(expected)).replace(" <eos> ", "\n").replace(" <eos>", "\n")
    greedy = generate(model, "w3", max_tokens=8, temperature=0)
    assert greedy.split() == reference.split()
    assert generate(model, "w3", max_tokens=8, top_k=1, seed=1) == greedy


def test_unknown_prompt_words_become_unk_with_a_warning(word_checkpoint):
    model = load_language_model(word_checkpoint)
    with pytest.warns(UserWarning, match=r"1 prompt token\(s\) not in the vocabulary, read as <unk>: 'zebra'"):
        ids = encode_prompt(model, "w1 zebra")
    assert ids == [model.vocab.stoi["w1"], model.vocab.unk_index]
    assert encode_prompt(model, "") == [model.vocab.eos_index]


def test_bad_sampling_options_are_refused(word_checkpoint):
    model = load_language_model(word_checkpoint)
    for options, message in ((dict(temperature=-1.0), "temperature must be >= 0"), (dict(top_k=0), "top_k must be"),
                             (dict(max_tokens=-2), "max_tokens must be >= 0")):
        with pytest.raises(ValueError, match=message):
            generate(model, "w1", **options)
    with pytest.raises(ValueError, match="has no vocabulary"):
        generate(LSTMLM(vocab_size=5), "w1")


def test_generate_command(word_checkpoint, tmp_path, capsys):
    arguments = ["generate", "--ckpt_path", str(word_checkpoint), "--prompt", "w1 w2", "--max_tokens", "12",
                 "--seed", "3", "--temperature", "0.8", "--top_k", "5"]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    model = load_language_model(word_checkpoint)
    assert printed == generate(model, "w1 w2", max_tokens=12, temperature=0.8, top_k=5, seed=3) + "\n"
    assert main(["generate", "--ckpt_path", str(tmp_path / "missing.ckpt")]) == 2
    assert "checkpoint not found" in capsys.readouterr().err
