"""The reference solutions agree with independent references: torch.nn, autograd, and rnnlm.

Tolerances are explicit: float32 comparisons use rtol=1e-5, atol=1e-6 unless stated; float64
(n-grams, perplexities) rtol=1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercise_probes import SOLUTIONS, load

ex01 = load(SOLUTIONS / "ex01_rnn_forward.py")
ex02 = load(SOLUTIONS / "ex02_bptt.py")
ex03 = load(SOLUTIONS / "ex03_jacobian.py")
ex04 = load(SOLUTIONS / "ex04_lstm_cell.py")
ex05 = load(SOLUTIONS / "ex05_lstm_memory.py")
ex06 = load(SOLUTIONS / "ex06_gru_cell.py")
ex07 = load(SOLUTIONS / "ex07_counting.py")
ex08 = load(SOLUTIONS / "ex08_tbptt_batching.py")
ex09 = load(SOLUTIONS / "ex09_ngram.py")
ex10 = load(SOLUTIONS / "ex10_perplexity.py")

TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


def torch_parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ex01 ---------------------------------------------------------------------------------------


def test_ex01_rnn_forward_matches_torch_rnn():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 5, batch_first=True)
    x, h0 = torch.randn(4, 7, 3), torch.randn(1, 4, 5)
    expected, expected_last = rnn(x, h0)
    outputs, last = ex01.rnn_forward(x, h0[0], rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0)
    torch.testing.assert_close(outputs, expected, **TOLERANCE)
    torch.testing.assert_close(last, expected_last[0], **TOLERANCE)


def test_ex01_language_model_matches_embedding_rnn_linear_and_cross_entropy():
    torch.manual_seed(1)
    V, E, H = 11, 4, 6
    embedding, rnn, decoder = torch.nn.Embedding(V, E), torch.nn.RNN(E, H, batch_first=True), torch.nn.Linear(H, V)
    tokens = torch.randint(0, V, (3, 8))
    hidden, last = rnn(embedding(tokens))
    logits = decoder(hidden)
    probs, h_last = ex01.rnn_language_model(tokens, embedding.weight, rnn.weight_ih_l0, rnn.weight_hh_l0,
                                            rnn.bias_ih_l0 + rnn.bias_hh_l0, decoder.weight, decoder.bias)
    torch.testing.assert_close(probs, torch.softmax(logits, -1), **TOLERANCE)
    torch.testing.assert_close(h_last, last[0], **TOLERANCE)
    torch.testing.assert_close(ex01.lm_output(hidden, decoder.weight, decoder.bias), torch.softmax(logits, -1), **TOLERANCE)
    targets = torch.randint(0, V, (3, 8))
    torch.testing.assert_close(ex01.sequence_nll(probs, targets), F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)),
                               rtol=1e-5, atol=1e-5)


# ex02 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("input_size", "hidden_size"), [(3, 5), (4, 4)])
def test_ex02_bptt_matches_autograd(input_size, hidden_size):
    generator = torch.Generator().manual_seed(input_size)
    x = torch.randn(3, 6, input_size, generator=generator, dtype=torch.float64)
    parameters = {
        "h0": torch.randn(3, hidden_size, generator=generator, dtype=torch.float64),
        "W_xh": torch.randn(hidden_size, input_size, generator=generator, dtype=torch.float64) * 0.5,
        "W_hh": torch.randn(hidden_size, hidden_size, generator=generator, dtype=torch.float64) * 0.5,
        "b_h": torch.randn(hidden_size, generator=generator, dtype=torch.float64),
    }
    upstream = torch.randn(3, 6, hidden_size, generator=generator, dtype=torch.float64)
    leaves = {name: value.clone().requires_grad_(True) for name, value in parameters.items()}
    outputs, _ = ex01.rnn_forward(x, leaves["h0"], leaves["W_xh"], leaves["W_hh"], leaves["b_h"])
    expected = dict(zip(leaves, torch.autograd.grad((outputs * upstream).sum(), list(leaves.values()))))
    grads = ex02.rnn_backward(x, parameters["h0"], parameters["W_xh"], parameters["W_hh"], parameters["b_h"], upstream)
    for name in expected:
        torch.testing.assert_close(grads[name], expected[name], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_ex02_clip_grad_norm_matches_torch(max_norm):
    torch.manual_seed(2)
    grads = [torch.randn(3, 4), torch.randn(7), torch.randn(2, 2, 2) * 5]
    parameters = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for parameter, grad in zip(parameters, grads):
        parameter.grad = grad.clone()
    expected_norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    clipped, norm = ex02.clip_grad_norm(grads, max_norm)
    assert math.isclose(norm, expected_norm.item(), rel_tol=1e-6)
    for mine, parameter in zip(clipped, parameters):
        torch.testing.assert_close(mine, parameter.grad, **TOLERANCE)


def test_ex02_clip_grad_value_matches_torch():
    torch.manual_seed(3)
    grads = [torch.randn(3, 4) * 3, torch.randn(5)]
    parameters = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for parameter, grad in zip(parameters, grads):
        parameter.grad = grad.clone()
    torch.nn.utils.clip_grad_value_(parameters, 0.7)
    for mine, parameter in zip(ex02.clip_grad_value(grads, 0.7), parameters):
        torch.testing.assert_close(mine, parameter.grad)


# ex03 ---------------------------------------------------------------------------------------


def unrolled_states(W_hh: torch.Tensor, steps: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    H = W_hh.shape[0]
    W_xh = torch.randn(H, 2, generator=generator, dtype=torch.float64)
    inputs = torch.randn(steps, 2, generator=generator, dtype=torch.float64)
    states = [torch.randn(H, generator=generator, dtype=torch.float64) * 0.3]
    for t in range(steps):
        states.append(torch.tanh(W_hh @ states[-1] + W_xh @ inputs[t]))
    return torch.stack(states), W_xh, inputs


def test_ex03_jacobian_product_matches_autograd_jacobian():
    W_hh = torch.randn(4, 4, generator=torch.Generator().manual_seed(4), dtype=torch.float64) * 0.8
    states, W_xh, inputs = unrolled_states(W_hh, 6, seed=5)
    for k in (0, 2, 6):
        def h_T_from_h_k(h_k: torch.Tensor, k: int = k) -> torch.Tensor:
            h = h_k
            for t in range(k, 6):
                h = torch.tanh(W_hh @ h + W_xh @ inputs[t])
            return h
        expected = torch.autograd.functional.jacobian(h_T_from_h_k, states[k])
        torch.testing.assert_close(ex03.jacobian_product(states, W_hh, k), expected, rtol=1e-10, atol=1e-12)


def test_ex03_gradient_norms_match_autograd_and_respect_the_bound():
    W_hh = torch.randn(5, 5, generator=torch.Generator().manual_seed(6), dtype=torch.float64) * 0.5
    states, _, _ = unrolled_states(W_hh, 8, seed=7)
    grad_last = torch.randn(5, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    norms = ex03.gradient_norms_by_distance(states, W_hh, grad_last)
    for n in range(9):
        expected = torch.linalg.vector_norm(grad_last @ ex03.jacobian_product(states, W_hh, 8 - n))
        assert math.isclose(norms[n].item(), expected.item(), rel_tol=1e-10)
        product_norm = torch.linalg.matrix_norm(ex03.jacobian_product(states, W_hh, 8 - n), ord=2).item()
        assert product_norm <= ex03.jacobian_norm_bound(W_hh, n) * (1 + 1e-9)


def test_ex03_spectral_radius_and_prediction_match_numpy_and_powers():
    for seed, scale in ((9, 0.2), (10, 0.6)):
        W = torch.randn(6, 6, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * scale
        rho = ex03.spectral_radius(W)
        assert math.isclose(rho, float(np.max(np.abs(np.linalg.eigvals(W.numpy())))), rel_tol=1e-9)
        power_norm = torch.linalg.matrix_norm(torch.linalg.matrix_power(W, 200), ord=2).item()
        behaviour = ex03.predict_gradient_behaviour(W)
        assert behaviour == ("vanish" if power_norm < 1e-3 else "explode"), (rho, power_norm)


def test_ex03_steps_until_below_is_the_first_power_under_the_threshold():
    for factor, threshold in ((0.9, 1e-3), (0.5, 0.25), (0.99, 0.5), (0.3, 1e-9)):
        n = ex03.steps_until_below(factor, threshold)
        assert factor**n < threshold and (n == 0 or factor ** (n - 1) >= threshold)


# ex04 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("input_size", "hidden_size"), [(3, 5), (4, 4)])
def test_ex04_lstm_matches_torch_lstm(input_size, hidden_size):
    torch.manual_seed(11)
    lstm = torch.nn.LSTM(input_size, hidden_size, batch_first=True)
    x = torch.randn(3, 9, input_size)
    h0, c0 = torch.randn(1, 3, hidden_size), torch.randn(1, 3, hidden_size)
    expected, (h_n, c_n) = lstm(x, (h0, c0))
    weights = (lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
    output, (h, c) = ex04.lstm_forward(x, (h0[0], c0[0]), *weights)
    torch.testing.assert_close(output, expected, **TOLERANCE)
    torch.testing.assert_close((h, c), (h_n[0], c_n[0]), **TOLERANCE)
    cell = torch.nn.LSTMCell(input_size, hidden_size)
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in lstm.state_dict().items()})
    torch.testing.assert_close(ex04.lstm_cell(x[:, 0], (h0[0], c0[0]), *weights), cell(x[:, 0], (h0[0], c0[0])), **TOLERANCE)


def test_ex04_concatenated_weights_compute_the_chapter_gates():
    torch.manual_seed(12)
    lstm = torch.nn.LSTMCell(3, 4)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    chapter = ex04.concatenated_weights(lstm.weight_ih, lstm.weight_hh)
    biases = (lstm.bias_ih + lstm.bias_hh).chunk(4)
    concatenation = torch.cat([h, x], dim=1)  # [h_{t-1}, x_t]
    i, f, g, o = ex04.lstm_gates(x, h, lstm.weight_ih, lstm.weight_hh, lstm.bias_ih, lstm.bias_hh)
    torch.testing.assert_close(f, torch.sigmoid(concatenation @ chapter["f"].T + biases[1]), **TOLERANCE)  # eq. 5.4
    torch.testing.assert_close(i, torch.sigmoid(concatenation @ chapter["i"].T + biases[0]), **TOLERANCE)  # eq. 5.5
    torch.testing.assert_close(g, torch.tanh(concatenation @ chapter["c"].T + biases[2]), **TOLERANCE)  # eq. 5.6
    torch.testing.assert_close(o, torch.sigmoid(concatenation @ chapter["o"].T + biases[3]), **TOLERANCE)  # eq. 5.8


# ex05 ---------------------------------------------------------------------------------------


def test_ex05_cell_gradient_matches_autograd_through_the_cell_path():
    generator = torch.Generator().manual_seed(13)
    forget = torch.rand(7, 3, generator=generator, dtype=torch.float64)
    writes = torch.randn(7, 3, generator=generator, dtype=torch.float64)
    for k in (0, 3, 7):
        c_k = torch.randn(3, generator=generator, dtype=torch.float64, requires_grad=True)
        c = c_k
        for t in range(k, 7):
            c = forget[t] * c + writes[t]  # eq. 5.7 with the gates held fixed
        (gradient,) = torch.autograd.grad(c.sum(), c_k)  # diagonal Jacobian: its diagonal
        torch.testing.assert_close(ex05.cell_gradient_through_time(forget, k), gradient, rtol=1e-12, atol=0)


def test_ex05_forget_bias_and_memory_parameters_do_what_they_claim():
    bias = ex05.forget_bias_for_retention(100, 0.5)
    assert math.isclose((1 / (1 + math.exp(-bias))) ** 100, 0.5, rel_tol=1e-9)
    from exercise_probes import memory_check

    assert memory_check(ex05.memory_parameters()) == (True, True, True)
    cells = ex05.simulate_cell(ex05.memory_parameters(), [ex05.FILLER] * 100 + [ex05.TRIGGER], -0.8)
    assert cells.shape == (101,) and abs(cells[99].item() + 0.8) <= ex05.TOLERANCE and abs(cells[100].item()) <= ex05.TOLERANCE


# ex06 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("input_size", "hidden_size"), [(3, 5), (4, 4)])
def test_ex06_pytorch_variant_matches_torch_gru(input_size, hidden_size):
    torch.manual_seed(14)
    gru = torch.nn.GRU(input_size, hidden_size, batch_first=True)
    x, h0 = torch.randn(3, 8, input_size), torch.randn(1, 3, hidden_size)
    expected, h_n = gru(x, h0)
    weights = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
    output, h = ex06.gru_forward(x, h0[0], *weights, variant="pytorch")
    torch.testing.assert_close(output, expected, **TOLERANCE)
    torch.testing.assert_close(h, h_n[0], **TOLERANCE)


def test_ex06_textbook_variant_matches_rnnlm_and_eq_5_11():
    from rnnlm.cells import GRU

    torch.manual_seed(15)
    layer = GRU(3, 4, variant="textbook")
    x, h0 = torch.randn(2, 6, 3), torch.randn(1, 2, 4)
    expected, h_n = layer(x, h0)
    weights = (layer.weight_ih_l0, layer.weight_hh_l0, layer.bias_ih_l0, layer.bias_hh_l0)
    output, h = ex06.gru_forward(x, h0[0], *weights, variant="textbook")
    torch.testing.assert_close(output, expected, **TOLERANCE)
    # eq. 5.11 written with the chapter's concatenated weights, step 1
    w_ih, w_hh = layer.weight_ih_l0.chunk(3), layer.weight_hh_l0.chunk(3)
    b = (layer.bias_ih_l0 + layer.bias_hh_l0).chunk(3)
    h_prev, x1 = h0[0], x[:, 0]
    r = torch.sigmoid(torch.cat([h_prev, x1], 1) @ torch.cat([w_hh[0], w_ih[0]], 1).T + b[0])  # eq. 5.10
    z = torch.sigmoid(torch.cat([h_prev, x1], 1) @ torch.cat([w_hh[1], w_ih[1]], 1).T + b[1])  # eq. 5.9
    candidate = torch.tanh(torch.cat([r * h_prev, x1], 1) @ torch.cat([w_hh[2], w_ih[2]], 1).T + b[2])
    torch.testing.assert_close(output[:, 0], (1 - z) * h_prev + z * candidate, **TOLERANCE)  # eq. 5.11


# ex07 ---------------------------------------------------------------------------------------

MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_ex07_counts_match_torch_modules(cell):
    for input_size, hidden_size, num_layers, bias, bidirectional in [
        (7, 13, 1, True, False), (7, 13, 1, False, True), (5, 9, 3, True, True), (9, 5, 2, False, False)
    ]:
        module = MODULES[cell](input_size, hidden_size, num_layers, bias=bias, bidirectional=bidirectional)
        expected = torch_parameters(module)
        assert ex07.stack_parameters(input_size, hidden_size, num_layers, cell, bias, bidirectional) == expected
        if num_layers == 1:
            assert ex07.layer_parameters(input_size, hidden_size, cell, bias, bidirectional) == expected
        # multiply-adds: the weight matrices' entries, each used once per step
        weights = sum(p.numel() for name, p in module.named_parameters() if name.startswith("weight"))
        assert ex07.multiply_adds_per_step(input_size, hidden_size, cell, num_layers, bidirectional) == weights


@pytest.mark.parametrize(("cell", "model_name"), [("rnn", "RNNLM"), ("lstm", "LSTMLM"), ("gru", "GRULM")])
@pytest.mark.parametrize("tie_weights", [False, True])
def test_ex07_language_model_count_matches_rnnlm_models(cell, model_name, tie_weights):
    import rnnlm.models

    model_class = getattr(rnnlm.models, model_name)
    embedding_dim = 12 if tie_weights else 8
    model = model_class(vocab_size=31, embedding_dim=embedding_dim, hidden_size=12, num_layers=2, tie_weights=tie_weights)
    assert ex07.language_model_parameters(31, embedding_dim, 12, 2, cell, tie_weights) == torch_parameters(model)


def test_ex07_gru_budget_is_the_largest_that_fits():
    for input_size, lstm_hidden in ((10, 20), (300, 650), (1, 1)):
        budget = torch_parameters(torch.nn.LSTM(input_size, lstm_hidden))
        hidden = ex07.gru_hidden_size_for_budget(input_size, lstm_hidden)
        assert hidden == 0 or torch_parameters(torch.nn.GRU(input_size, hidden)) <= budget
        assert torch_parameters(torch.nn.GRU(input_size, hidden + 1)) > budget


# ex08 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("batch_size", "bptt", "world_size"), [(4, 7, 1), (3, 10, 2), (2, 5, 3), (1, 1, 1)])
def test_ex08_windows_match_rnnlm_tbptt_loader(batch_size, bptt, world_size):
    from rnnlm.data.streams import TBPTTLoader

    ids = torch.randint(0, 50, (1003,), generator=torch.Generator().manual_seed(16))
    for rank in range(world_size):
        loader = TBPTTLoader(ids, batch_size, bptt, rank=rank, world_size=world_size)
        windows = ex08.tbptt_windows(ids, batch_size, bptt, rank, world_size)
        batches = list(loader)
        assert len(windows) == len(batches) == len(loader)
        assert ex08.window_schedule(loader.stream_length, bptt) == loader.windows()
        torch.testing.assert_close(ex08.rank_streams(ids, batch_size, rank, world_size), loader.data, rtol=0, atol=0)
        for (inputs, targets), batch in zip(windows, batches):
            assert torch.equal(inputs, batch.inputs) and torch.equal(targets, batch.targets)


def test_ex08_detached_state_cuts_the_graph_but_keeps_values():
    weight = torch.ones(3, requires_grad=True)
    h = torch.randn(2, 3) * weight
    c = torch.randn(2, 3) * weight
    detached = ex08.detach_state((h, c))
    assert all(not part.requires_grad and part.grad_fn is None for part in detached)
    assert torch.equal(detached[0], h) and torch.equal(detached[1], c)
    (detached[0] * weight).sum().backward()  # the new graph ends at the detached state
    assert torch.equal(weight.grad, detached[0].sum(0))


# ex09 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize(("smoothing", "options"), [("add_k", {"k": 0.3}), ("kneser_ney", {"discount": 0.65})])
def test_ex09_matches_rnnlm_ngram(order, smoothing, options):
    from rnnlm.ngram.model import NGramLM

    rng = np.random.default_rng(order)
    vocab_size = 9
    train, test = rng.integers(0, vocab_size, 300), rng.integers(0, vocab_size, 40)
    reference = NGramLM(order, smoothing, **options).fit(train, vocab_size)
    mine = ex09.ngram_log_probs(train, test, vocab_size, order, smoothing, **options)
    np.testing.assert_allclose(mine, reference.log_prob(test), rtol=1e-12, atol=1e-14)
    assert math.isclose(ex09.perplexity(mine), reference.perplexity(test), rel_tol=1e-12)
    for context_length in range(order):
        context = test[:context_length]
        if smoothing == "add_k":
            distribution = ex09.add_k_distribution(train, vocab_size, context, options["k"])
        else:
            distribution = ex09.kneser_ney_distribution(train, vocab_size, order, context, options["discount"])
        np.testing.assert_allclose(distribution, reference.distribution(context), rtol=1e-12, atol=1e-15)


def test_ex09_kneser_ney_matches_rnnlm_on_sparse_data_with_unseen_contexts():
    from rnnlm.ngram.model import NGramLM

    rng = np.random.default_rng(17)
    train, test = rng.integers(0, 40, 60), rng.integers(0, 40, 50)
    reference = NGramLM(3, "kneser_ney").fit(train, 40)
    np.testing.assert_allclose(ex09.ngram_log_probs(train, test, 40, 3), reference.log_prob(test), rtol=1e-12)


# ex10 ---------------------------------------------------------------------------------------


def test_ex10_corpus_perplexity_matches_cross_entropy_over_all_tokens():
    generator = torch.Generator().manual_seed(18)
    lengths = [35, 35, 12]  # the last TBPTT window is shorter
    logits = [torch.randn(n, 20, generator=generator, dtype=torch.float64) for n in lengths]
    targets = [torch.randint(0, 20, (n,), generator=generator) for n in lengths]
    sums = [F.cross_entropy(lg, tg, reduction="sum").item() for lg, tg in zip(logits, targets)]
    expected = math.exp(F.cross_entropy(torch.cat(logits), torch.cat(targets)).item())
    assert math.isclose(ex10.corpus_perplexity(sums, lengths), expected, rel_tol=1e-12)


def test_ex10_unigram_bound_matches_the_fitted_unigram_model():
    from rnnlm.ngram.model import NGramLM

    ids = np.random.default_rng(19).integers(0, 8, 500)
    counts = np.bincount(ids, minlength=10).tolist()  # two ids never occur
    reference = NGramLM(1, "mle").fit(ids, 10).perplexity(ids)
    assert math.isclose(ex10.unigram_perplexity(counts), reference, rel_tol=1e-10)
    assert ex10.unigram_perplexity(counts) <= ex10.uniform_perplexity(10)


def test_ex10_bits_and_perplexity_are_consistent():
    nll, characters = 1234.5, 1000
    bpc = ex10.bits_per_character(nll, characters)
    assert math.isclose(ex10.perplexity_from_bits(bpc), ex10.corpus_perplexity([nll], [characters]), rel_tol=1e-12)
    result = ex10.compare_models(4100.0, 5200.0, 1000)
    assert math.isclose(ex10.perplexity_from_bits(result["bits_saved_per_token"]),
                        result["trigram_perplexity"] / result["lstm_perplexity"], rel_tol=1e-12)
