"""Tagger and classifier: shapes, padding invariance, pooling against hand computations."""

from __future__ import annotations

import pytest
import torch

from rnnlm.tasks.models import POOLINGS, RecurrentEncoder, SentenceClassifier, SequenceTagger, pool


def test_pooling_by_hand():
    states = torch.tensor([[[1.0, -2.0], [3.0, 5.0], [100.0, 100.0]],    # length 2: row 3 is padding
                           [[-1.0, 0.0], [2.0, -4.0], [0.5, 1.0]]])      # length 3
    lengths = torch.tensor([2, 3])
    torch.testing.assert_close(pool(states, lengths, "mean"), torch.tensor([[2.0, 1.5], [0.5, -1.0]]))
    torch.testing.assert_close(pool(states, lengths, "max"), torch.tensor([[3.0, 5.0], [2.0, 1.0]]))
    torch.testing.assert_close(pool(states, lengths, "final"), torch.tensor([[3.0, 5.0], [0.5, 1.0]]))
    with pytest.raises(ValueError, match="unknown pooling 'sum'; valid: 'mean', 'max', 'final'"):
        pool(states, lengths, "sum")


def padded_batch(sentences: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(s) for s in sentences])
    tokens = torch.full((len(sentences), int(lengths.max()) + 2), pad)  # 2 extra padded steps
    for row, sentence in enumerate(sentences):
        tokens[row, :len(sentence)] = torch.tensor(sentence)
    return tokens, lengths


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [True, False])
def test_padding_does_not_change_the_sentence_encoding(cell, pooling, bidirectional):
    torch.manual_seed(0)
    model = SentenceClassifier(50, 3, pooling=pooling, cell=cell, bidirectional=bidirectional,
                               embedding_size=8, hidden_size=6, num_layers=2).eval()
    sentences = [[3, 7, 9], [1, 2, 3, 4, 5, 6], [11]]
    expected = torch.cat([model.encode(torch.tensor([s]), torch.tensor([len(s)])) for s in sentences])
    for pad in (0, 49):  # whatever the pad id and the padded length
        tokens, lengths = padded_batch(sentences, pad)
        torch.testing.assert_close(model.encode(tokens, lengths), expected, rtol=1e-6, atol=1e-6)
    assert expected.shape == (3, (2 if bidirectional else 1) * 6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_encodings_match_an_unpacked_torch_run(cell):
    """mean / max / final computed here by hand from torch.nn's outputs on the unpadded sentence."""
    torch.manual_seed(1)
    encoder = RecurrentEncoder(30, 5, 4, 1, cell, bidirectional=True, dropout=0.0).eval()
    sentence = torch.tensor([[4, 8, 15, 16, 23]])
    outputs, _ = encoder.rnn(encoder.embedding(sentence))  # [1, 5, 8]: forward | backward
    forward, backward = outputs[0, :, :4], outputs[0, :, 4:]
    tokens, lengths = padded_batch([sentence[0].tolist(), [1, 2]], pad=0)
    states, final = encoder(tokens, lengths)
    torch.testing.assert_close(states[0, :5], outputs[0], rtol=1e-6, atol=1e-6)
    assert torch.all(states[0, 5:] == 0) and torch.all(states[1, 2:] == 0)
    # final = the forward state after the last word | the backward state after reading back to the first
    torch.testing.assert_close(final[0], torch.cat([forward[-1], backward[0]]), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(pool(states, lengths, "mean")[0], outputs[0].mean(0), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(pool(states, lengths, "max")[0], outputs[0].max(0).values, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_tagger_shapes_and_padding_invariance(bidirectional):
    torch.manual_seed(2)
    model = SequenceTagger(40, 3, embedding_size=8, hidden_size=5, bidirectional=bidirectional).eval()
    sentences = [[1, 2, 3, 4], [5, 6]]
    tokens, lengths = padded_batch(sentences, pad=39)
    logits = model(tokens, lengths)
    assert logits.shape == (2, 6, 3)
    alone = model(torch.tensor([sentences[1]]), torch.tensor([2]))
    torch.testing.assert_close(logits[1, :2], alone[0], rtol=1e-6, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown architecture 'transformer'; valid: 'rnn', 'lstm', 'gru'"):
        SequenceTagger(10, 3, cell="transformer")
    with pytest.raises(ValueError, match="unknown pooling 'sum'"):
        SentenceClassifier(10, 3, pooling="sum")
    with pytest.raises(ValueError, match="num_classes must be >= 2"):
        SentenceClassifier(10, 1)
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        SequenceTagger(10, 3, hidden_size=0)
    with pytest.raises(ValueError, match=r"dropout must lie in \[0, 1\)"):
        SequenceTagger(10, 3, dropout=1.0)
    model = SequenceTagger(10, 3)
    with pytest.raises(ValueError, match=r"expected tokens \[B, T\] and lengths \[B\]"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.tensor([3]))
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 3\]"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.tensor([3, 0]))


def test_architecture_is_the_name_and_cell_its_old_alias():
    tagger = SequenceTagger(10, 3, architecture="gru")
    assert isinstance(tagger.encoder.rnn, torch.nn.GRU) and tagger.hparams.architecture == "gru"
    old = SentenceClassifier(10, 3, cell="rnn")
    assert isinstance(old.encoder.rnn, torch.nn.RNN) and old.hparams.architecture == "rnn"
    assert "cell" not in old.hparams
