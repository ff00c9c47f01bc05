"""``rnnlm ngram``: the printed perplexity is the one NGramLM computes on the DataModule's streams."""

from __future__ import annotations

import pytest

from rnnlm.cli import main
from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.ngram.model import NGramLM


def printed_value(output: str, label: str) -> str:
    return next(line[len(label):].strip() for line in output.splitlines() if line.startswith(label))


@pytest.mark.parametrize("extra, smoothing, options", [
    ([], "kneser_ney", {}),
    (["--smoothing", "kneser_ney", "--discount", "0.5", "0.6"], "kneser_ney", {"discount": [0.5, 0.6]}),
    (["--smoothing", "add_k", "--k", "0.1", "--lower", "true"], "add_k", {"k": 0.1}),
])
def test_the_printed_perplexity_is_the_models(tiny_corpus, capsys, extra, smoothing, options):
    assert main(["ngram", "--corpus", tiny_corpus, "--order", "2", "--split", "test", *extra]) == 0
    output = capsys.readouterr().out
    data = LanguageModelDataModule(corpus=tiny_corpus, lower="--lower" in extra)
    model = NGramLM(2, smoothing, **options).fit(data.split_ids("train"), data.vocab_size)
    assert float(printed_value(output, "test perplexity")) == pytest.approx(model.perplexity(data.split_ids("test")),
                                                                           abs=0.006)
    assert printed_value(output, "model") == f"2-gram, {smoothing}"


def test_bpe_ids_and_the_perplexity_per_word(tiny_corpus, capsys):
    """At the bpe level the n-gram counts the DataModule's BPE ids, and the per-word figure is the
    per-token perplexity raised to the tokens per word of the same text."""
    assert main(["ngram", "--corpus", tiny_corpus, "--level", "bpe", "--bpe_vocab_size", "400",
                 "--order", "2", "--split", "test"]) == 0
    output = capsys.readouterr().out
    data = LanguageModelDataModule(corpus=tiny_corpus, level="bpe", bpe_vocab_size=400)
    per_token = NGramLM(2, "kneser_ney").fit(data.split_ids("train"), data.vocab_size).perplexity(data.split_ids("test"))
    assert float(printed_value(output, "test perplexity")) == pytest.approx(per_token, abs=0.006)
    assert data.tokens_per_word("test") > 1.0
    assert float(printed_value(output, "test ppl/word")) == pytest.approx(
        per_token ** data.tokens_per_word("test"), rel=1e-3)
