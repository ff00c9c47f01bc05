"""Hidden suite of exercise 9: n-gram language models with add-k and interpolated Kneser-Ney (5.5.3)."""

import numpy as np

from autograder.checks import compare, expect_true, points, seed_of

EXERCISE = "ex09_ngram"
IMPORT_TORCH = False  # lists and NumPy arrays only: the worker starts without torch (faster)


def _stream(label, length, vocab):
    """A Zipf-like token stream (frequent and rare ids, as in text), as plain Python ints."""
    rng = np.random.default_rng(seed_of(EXERCISE, label))
    weights = 1.0 / np.arange(1, vocab + 1)
    return [int(t) for t in rng.choice(vocab, size=length, p=weights / weights.sum())]


@points(1)
def test_count_ngrams(submission, reference):
    for label, length, vocab, n in [("bigrams", 60, 6, 2), ("unigrams", 40, 5, 1), ("trigrams", 80, 4, 3),
                                    ("n larger than the stream", 2, 3, 3), ("n = stream length", 4, 3, 4),
                                    ("empty stream", 0, 3, 2)]:
        compare(submission, reference, "count_ngrams", (_stream(label, length, vocab), n), rtol=0, atol=0,
                case=label, name="counts")


@points(1)
def test_continuation_counts(submission, reference):
    for label, length, vocab, n in [("unigram continuations", 60, 6, 1), ("bigram continuations", 90, 5, 2),
                                    ("short stream", 3, 3, 1), ("empty stream", 0, 3, 1)]:
        compare(submission, reference, "continuation_counts", (_stream(label, length, vocab), n), rtol=0, atol=0,
                case=label, name="continuation counts")


@points(2)
def test_add_k_distribution(submission, reference):
    train = _stream("add-k train", 200, 8)
    cases = [("unigram, Laplace", (), 1.0), ("bigram context, k=0.5", (train[3],), 0.5),
             ("trigram context, k=0.1", (train[10], train[11]), 0.1), ("unseen context", (7, 7), 1.0),
             ("empty training stream", (), 0.5)]
    for label, context, k in cases:
        stream = [] if label == "empty training stream" else train
        got = compare(submission, reference, "add_k_distribution", (stream, 8), kwargs={"context": context, "k": k},
                      rtol=1e-9, atol=1e-12, case=label, name="P(. | context)")
        expect_true(abs(float(np.sum(got)) - 1.0) < 1e-9, "the distribution must sum to 1", case=label)


@points(3)
def test_kneser_ney_distribution(submission, reference):
    train = _stream("kn train", 300, 9)
    cases = [("trigram model, full context", 3, (train[5], train[6]), 0.75),
             ("trigram model, one-token context", 3, (train[8],), 0.75), ("trigram model, empty context", 3, (), 0.75),
             ("bigram model, D=0.5", 2, (train[1],), 0.5), ("unseen context", 3, (8, 8), 0.75),
             ("4-gram, D=0.9", 4, tuple(train[20:23]), 0.9), ("empty training stream", 2, (3,), 0.75)]
    for label, order, context, discount in cases:
        stream = [] if label == "empty training stream" else train
        got = compare(submission, reference, "kneser_ney_distribution", (stream, 9, order),
                      kwargs={"context": context, "discount": discount}, rtol=1e-9, atol=1e-12, case=label,
                      name="P(. | context)")
        expect_true(abs(float(np.sum(got)) - 1.0) < 1e-9, "the distribution must sum to 1", case=label)


@points(2)
def test_ngram_log_probs(submission, reference):
    train, test = _stream("lp train", 400, 10), _stream("lp test", 60, 10)
    for label, order, smoothing, extra in [("trigram Kneser-Ney", 3, "kneser_ney", {"discount": 0.75}),
                                           ("bigram add-k", 2, "add_k", {"k": 0.1}), ("unigram add-one", 1, "add_k", {"k": 1.0}),
                                           ("4-gram Kneser-Ney", 4, "kneser_ney", {"discount": 0.6})]:
        compare(submission, reference, "ngram_log_probs", (train, test, 10, order),
                kwargs={"smoothing": smoothing, **extra}, rtol=1e-9, atol=1e-10, case=label, name="log-probabilities")
    compare(submission, reference, "ngram_log_probs", (train, [], 10, 3), rtol=0, atol=0,
            case="empty test stream", name="log-probabilities")


@points(1)
def test_perplexity(submission, reference):
    rng = np.random.default_rng(seed_of(EXERCISE, "perplexity"))
    for label, log_probs in [("uniform 1/4", np.log(np.full(4, 0.25))), ("random", np.log(rng.uniform(0.01, 1, 50))),
                             ("one token", np.array([np.log(0.1)]))]:
        compare(submission, reference, "perplexity", (log_probs,), rtol=1e-9, atol=1e-12, case=label,
                name="perplexity", project=lambda value: float(value) if type(value) in (int, float) else value)
