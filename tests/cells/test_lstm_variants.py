"""The LSTM variants against a naive per-step implementation written from their equations.

Reference: ``naive_lstm`` below, one gate at a time with its own slice of the weights, one time
step at a time, written from the papers' equations (Gers & Schmidhuber 2000 for peepholes,
Greff et al. 2017 for coupled gates, Srivastava et al. 2015 for highway stacks). It is checked
first against ``torch.nn.LSTM`` on the plain LSTM, so that it is a reference in its own right.
Outputs, final states and every gradient agree to 1e-10 in float64.
"""

from __future__ import annotations

import itertools
import math
import zlib

import pytest
import torch
from torch import nn

from rnnlm.cells import LSTM, make_recurrent_layer, to_torch
from rnnlm.cells.init import chrono_, forget_bias_
from rnnlm.errors import UsageError

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}


def naive_lstm(module: nn.Module, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor):
    """``x`` ``[B, T, I]``, ``h0``/``c0`` ``[L*D, B, H]`` -> ``(output [B, T, D*H], (h_n, c_n))``."""
    hidden = module.hidden_size
    coupled, peephole = getattr(module, "coupled", False), getattr(module, "peephole", False)
    connection = getattr(module, "connection", "plain")
    directions = 2 if module.bidirectional else 1
    order = ["f", "g", "o"] if coupled else ["i", "f", "g", "o"]
    peephole_order = ["f", "o"] if coupled else ["i", "f", "o"]
    parameters = dict(module.named_parameters())

    def block(tensor, names, gate):
        k = names.index(gate)
        return tensor[k * hidden : (k + 1) * hidden]

    layer_input, h_n, c_n = x, [], []
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            w, u = parameters[f"weight_ih{suffix}"], parameters[f"weight_hh{suffix}"]
            b = parameters[f"bias_ih{suffix}"] + parameters[f"bias_hh{suffix}"] if module.bias else None
            h, c = h0[layer * directions + direction], c0[layer * directions + direction]
            steps = [None] * x.shape[1]
            for t in (reversed(range(x.shape[1])) if direction else range(x.shape[1])):
                pre = {}
                for gate in order:
                    pre[gate] = layer_input[:, t] @ block(w, order, gate).T + h @ block(u, order, gate).T
                    if b is not None:
                        pre[gate] = pre[gate] + block(b, order, gate)
                if peephole:
                    p = parameters[f"weight_peephole{suffix}"]
                    pre["f"] = pre["f"] + block(p, peephole_order, "f") * c
                    if not coupled:
                        pre["i"] = pre["i"] + block(p, peephole_order, "i") * c
                f = torch.sigmoid(pre["f"])
                i = 1 - f if coupled else torch.sigmoid(pre["i"])
                c = f * c + i * torch.tanh(pre["g"])
                if peephole:
                    pre["o"] = pre["o"] + block(parameters[f"weight_peephole{suffix}"], peephole_order, "o") * c
                h = torch.sigmoid(pre["o"]) * torch.tanh(c)
                steps[t] = h
            outputs.append(torch.stack(steps, dim=1))
            h_n.append(h)
            c_n.append(c)
        output = torch.cat(outputs, dim=2)
        if layer > 0 and connection == "residual":
            output = output + layer_input
        if layer > 0 and connection == "highway":
            gate = torch.sigmoid(layer_input @ parameters[f"weight_highway_l{layer}"].T + parameters[f"bias_highway_l{layer}"])
            output = gate * output + (1 - gate) * layer_input
        layer_input = output
    return layer_input, (torch.stack(h_n), torch.stack(c_n))


def _results_and_gradients(run, module, x, h0, c0, upstream):
    """Run ``run(module, x, h0, c0)``, backward a fixed projection of every result; return all of it."""
    leaves = [t.detach().clone().requires_grad_(True) for t in (x, h0, c0)]
    output, (h_n, c_n) = run(module, *leaves)
    results = [output, h_n, c_n]
    module.zero_grad()
    sum((r * w).sum() for r, w in zip(results, upstream)).backward()
    gradients = {name: p.grad.clone() for name, p in module.named_parameters()}
    gradients.update(zip(("input", "h0", "c0"), (leaf.grad for leaf in leaves)))
    return [r.detach() for r in results], gradients


def _scratch(module, x, h0, c0):
    return module(x, (h0, c0))


def _compare(module, *, batch=3, steps=5, seed=0):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # wider than the default init, so that gates saturate differently
        for parameter in module.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=torch.float64) * 0.7)
    directions = 2 if module.bidirectional else 1
    x = torch.randn(batch, steps, module.input_size, generator=generator, dtype=torch.float64)
    state = (module.num_layers * directions, batch, module.hidden_size)
    h0, c0 = (torch.randn(state, generator=generator, dtype=torch.float64) for _ in range(2))
    upstream = [torch.randn(shape, generator=generator, dtype=torch.float64)
                for shape in [(batch, steps, directions * module.hidden_size), state, state]]
    expected, expected_gradients = _results_and_gradients(naive_lstm, module, x, h0, c0, upstream)
    actual, gradients = _results_and_gradients(_scratch, module, x, h0, c0, upstream)
    for e, a in zip(expected, actual):
        torch.testing.assert_close(a, e, **TOLERANCE)
    assert gradients.keys() == expected_gradients.keys()
    for name, e in expected_gradients.items():
        torch.testing.assert_close(gradients[name], e, **TOLERANCE, msg=lambda m, name=name: f"d/d{name}: {m}")


def test_naive_reference_is_torch_lstm():
    """The reference itself: on the plain LSTM it must compute torch.nn.LSTM (outputs and gradients)."""
    torch.manual_seed(0)
    reference = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True).double()
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(2, 6, 3, generator=generator, dtype=torch.float64)
    h0, c0 = (torch.randn(4, 2, 4, generator=generator, dtype=torch.float64) for _ in range(2))
    upstream = [torch.randn(s, generator=generator, dtype=torch.float64) for s in [(2, 6, 8), (4, 2, 4), (4, 2, 4)]]
    expected, expected_gradients = _results_and_gradients(_scratch, reference, x, h0, c0, upstream)
    actual, gradients = _results_and_gradients(naive_lstm, reference, x, h0, c0, upstream)
    for e, a in zip(expected, actual):
        torch.testing.assert_close(a, e, **TOLERANCE)
    for name, e in expected_gradients.items():
        torch.testing.assert_close(gradients[name], e, **TOLERANCE)


# Every coupled x peephole x connection combination, with depth and direction varied across them.
CASES = [
    (coupled, peephole, connection, 1 + index % 3 if connection == "plain" else 2 + index % 2, index % 2 == 1, index % 3 != 2)
    for index, (coupled, peephole, connection) in enumerate(
        itertools.product((False, True), (False, True), ("plain", "residual", "highway"))
    )
]


@pytest.mark.parametrize(
    "coupled, peephole, connection, num_layers, bidirectional, bias", CASES,
    ids=[f"{'cifg' if c else 'lstm'}-{'peep' if p else 'nopeep'}-{k}-L{n}-{'bi' if b else 'uni'}-{'bias' if bb else 'nobias'}"
         for c, p, k, n, b, bb in CASES],
)
def test_variant_matches_naive_equations(coupled, peephole, connection, num_layers, bidirectional, bias):
    module = LSTM(3, 4, num_layers=num_layers, bias=bias, bidirectional=bidirectional, coupled=coupled,
                  peephole=peephole, connection=connection, dtype=torch.float64)
    seed = zlib.crc32(repr((coupled, peephole, connection, num_layers, bidirectional, bias)).encode())
    _compare(module, seed=seed)


def test_variant_parameters_are_named_and_shaped():
    module = LSTM(3, 4, num_layers=2, bidirectional=True, coupled=True, peephole=True, connection="highway")
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    assert shapes["weight_ih_l0"] == (12, 3) and shapes["weight_hh_l1_reverse"] == (12, 4)  # f, g, o only
    assert shapes["weight_peephole_l0"] == (8,) and shapes["weight_peephole_l1_reverse"] == (8,)  # f, o
    assert shapes["weight_highway_l1"] == (8, 8) and shapes["bias_highway_l1"] == (8,)
    assert "weight_highway_l0" not in shapes  # layer 0's input has I features, not D*H
    assert module.gate_order == ("f", "g", "o")
    torch.testing.assert_close(module.bias_highway_l1.detach(), torch.full((8,), -1.0))
    assert tuple(LSTM(3, 4, peephole=True).weight_peephole_l0.shape) == (12,)  # i, f, o


def test_defaults_are_torch_lstm_with_the_same_random_draws():
    torch.manual_seed(5)
    reference = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    torch.manual_seed(5)
    scratch = LSTM(3, 4, num_layers=2)
    assert list(scratch.state_dict()) == list(reference.state_dict())
    for (name, p), q in zip(scratch.named_parameters(), reference.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0, msg=name)


@pytest.mark.parametrize("build", [
    lambda **kw: LSTM(3, 5, num_layers=2, bidirectional=True, **kw),
    lambda **kw: make_recurrent_layer("lstm", "fused", 3, 5, num_layers=2, bidirectional=True, **kw),
    lambda **kw: LSTM(3, 5, num_layers=2, bidirectional=True, coupled=True, **kw),
], ids=["scratch", "fused", "coupled"])
def test_forget_bias_and_chrono_set_the_chapter_bias(build):
    order = ("f", "g", "o") if "coupled" in repr(build(forget_bias=1.0)) else ("i", "f", "g", "o")
    blocks = lambda m, suffix: dict(zip(order, (getattr(m, f"bias_ih{suffix}") + getattr(m, f"bias_hh{suffix}")).detach().split(5)))  # noqa: E731
    suffixes = ["_l0", "_l0_reverse", "_l1", "_l1_reverse"]
    module = build(forget_bias=1.0)
    for suffix in suffixes:
        torch.testing.assert_close(blocks(module, suffix)["f"], torch.ones(5))
    torch.manual_seed(0)
    module = build(init="chrono", chrono_max=50)
    draws = []
    for suffix in suffixes:
        gates = blocks(module, suffix)
        assert bool((gates["f"] >= 0).all()) and bool((gates["f"] <= math.log(49) + 1e-6).all())  # log U[1, T_max - 1]
        if "i" in gates:
            torch.testing.assert_close(gates["i"], -gates["f"])
        draws.append(gates["f"])
    assert len({tuple(d.tolist()) for d in draws}) == 4  # an independent draw per layer and direction


def test_chrono_time_constants_cover_the_range():
    """sigmoid(b_f) = u / (1 + u): the forgetting time 1 / (1 - f) = 1 + u is uniform on [2, T_max]."""
    torch.manual_seed(0)
    module = LSTM(2, 4000, init="chrono", chrono_max=200)
    forget = torch.sigmoid(module.bias_ih_l0[4000:8000] + module.bias_hh_l0[4000:8000]).detach().double()
    times = 1 / (1 - forget)  # [H]
    assert 2 - 1e-4 <= times.min() and times.max() <= 200 + 1e-3
    assert abs(times.mean().item() - 101) < 3  # mean of U[2, 200]


def test_init_helpers_refuse_what_they_cannot_do():
    with pytest.raises(UsageError, match="bias=False"):
        forget_bias_(nn.LSTM(2, 3, bias=False), 1.0)
    with pytest.raises(UsageError, match="chrono_max .* > 2"):
        chrono_(nn.LSTM(2, 3), 2)
    with pytest.raises(UsageError, match="forget_bias must be a finite number"):
        forget_bias_(nn.LSTM(2, 3), float("nan"))


@pytest.mark.parametrize("options, message", [
    (dict(init="chrono"), "needs chrono_max"),
    (dict(chrono_max=10), "used only by init='chrono'"),
    (dict(init="chrono", chrono_max=10, forget_bias=1.0), "either forget_bias or init='chrono'"),
    (dict(forget_bias=1.0, bias=False), "need bias=True"),
    (dict(connection="dense"), "unknown connection 'dense'; valid: 'plain', 'residual', 'highway'"),
    (dict(init="xavier"), "unknown init 'xavier'; valid: 'default', 'chrono'"),
])
def test_bad_variant_options_get_one_clear_error(options, message):
    with pytest.raises(UsageError, match=message):
        LSTM(3, 4, num_layers=2, **options)


def test_factory_and_converter_know_which_variants_torch_has():
    with pytest.raises(UsageError, match="peephole exist only with backend='scratch'"):
        make_recurrent_layer("lstm", "fused", 3, 4, peephole=True)
    with pytest.raises(UsageError, match="coupled apply only to mode='lstm'"):
        make_recurrent_layer("gru", "scratch", 3, 4, coupled=True)
    layer = make_recurrent_layer("lstm", "scratch", 3, 4, num_layers=2, connection="residual", coupled=True)
    assert isinstance(layer, LSTM) and layer.coupled and layer.connection == "residual"
    with pytest.raises(UsageError, match="torch.nn.LSTM has no coupled gates"):
        to_torch(layer)
    chrono = LSTM(3, 4, init="chrono", chrono_max=20)  # an initialisation only: converts with its weights
    torch.testing.assert_close(to_torch(chrono).bias_ih_l0, chrono.bias_ih_l0)
    with pytest.warns(UserWarning, match="no effect with num_layers=1"):
        LSTM(3, 4, connection="highway")


def test_init_variants_restores_what_a_model_wide_reinit_overwrote():
    torch.manual_seed(0)
    module = LSTM(3, 4, num_layers=2, connection="highway", init="chrono", chrono_max=30)
    for parameter in module.parameters():  # what a language model's uniform init does
        nn.init.uniform_(parameter, -0.1, 0.1)
    module.init_variants_()
    torch.testing.assert_close(module.bias_highway_l1.detach(), torch.full((4,), -1.0))
    total = (module.bias_ih_l0 + module.bias_hh_l0).detach()  # [4H]: i, f, g, o
    assert bool((total[4:8] >= 0).all()) and torch.equal(total[0:4], -total[4:8])
