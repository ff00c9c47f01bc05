"""Probe inputs for every exercise, and a tolerant comparison of results.

``run_probes(module, exercise)`` calls the exercise's functions of ``module`` on fixed, seeded
inputs (fresh copies for every call) and returns one outcome per probe: the result, or the
exception's type name. Two modules *agree* when every outcome matches within tolerance
(``same``); a wrong implementation must disagree with the solution on at least one probe, an
alternative correct one must agree on all. The inputs are deliberately generic (non-square
and square sizes, non-zero states, uneven batches, unseen contexts) and are NOT the hidden
suites; they only show that a mistake is observable.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from collections.abc import Callable

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
WRONG = Path(__file__).resolve().parent / "wrong"
ALTERNATIVE = Path(__file__).resolve().parent / "alternative"
EXERCISES = sorted(path.stem for path in SOLUTIONS.glob("ex[0-9][0-9]_*.py"))
RTOL, ATOL = 1e-5, 1e-6

Probe = tuple[str, Callable[[ModuleType], Any]]


def load(path: Path, name: str | None = None) -> ModuleType:
    """Import ``path`` as a fresh module under a unique name (no clash between copies of an exercise)."""
    name = name or f"_probe_{path.parent.name}_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def same(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Structural equality with a tolerance on floating-point tensors, arrays and floats."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.is_floating_point():
            return bool(torch.allclose(a.detach().double(), b.detach().double(), rtol=rtol, atol=atol, equal_nan=True))
        return bool(torch.equal(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key], rtol, atol) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (math.isnan(a) and math.isnan(b))
    return a == b


def run_probes(module: ModuleType, exercise: str) -> list[tuple[str, Any]]:
    """``[(probe label, result or 'raised <ExceptionType>')]`` for every probe of ``exercise``."""
    outcomes = []
    for label, call in PROBES[exercise]():
        try:
            result = call(module)
        except Exception as error:  # noqa: BLE001 - a probe records any failure as an outcome
            result = f"raised {type(error).__name__}"
        outcomes.append((label, result))
    return outcomes


def differing_probes(module: ModuleType, reference: ModuleType, exercise: str) -> list[str]:
    """Labels of the probes where ``module`` and ``reference`` disagree."""
    mine, theirs = run_probes(module, exercise), run_probes(reference, exercise)
    return [label for (label, a), (_, b) in zip(mine, theirs) if not same(a, b)]


def _arrays(value: Any) -> list:
    """Every tensor and NumPy array inside nested lists, tuples and dicts, in order."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in _arrays(item)]
    return []


def _storage(array: Any) -> int:
    return array.untyped_storage().data_ptr() if isinstance(array, torch.Tensor) else array.__array_interface__["data"][0]


def _snapshot(array: Any) -> tuple:
    if isinstance(array, torch.Tensor):
        return array.detach().clone(), array.requires_grad
    return array.copy(), False


def _unchanged(before: tuple, array: Any) -> bool:
    """Bitwise the same values (a clamp to 1e-12 counts) and the same ``requires_grad``."""
    values, requires_grad = _snapshot(array)
    if isinstance(values, torch.Tensor):
        return requires_grad == before[1] and torch.equal(values, before[0])
    return bool(np.array_equal(values, before[0]))


def side_effects(function: Callable, *args: Any, **kwargs: Any) -> tuple:
    """``(result, which arguments the call changed, which returned arrays alias an argument)``.

    A change is exact: a value (``x += ...``, ``clamp_``) or ``requires_grad`` (``detach_()``); the
    alias flags show an argument returned where a new tensor is promised.
    """
    inputs = _arrays((args, kwargs))
    before = [_snapshot(array) for array in inputs]
    result = function(*args, **kwargs)
    changed = [not _unchanged(old, array) for old, array in zip(before, inputs)]
    aliases = [any(_storage(out) == _storage(array) for array in inputs) for out in _arrays(result)]
    return result, changed, aliases


def with_dtype(array: Any) -> tuple:
    """``(dtype name, array)``: ``same`` compares NumPy arrays by value only."""
    return str(getattr(array, "dtype", type(array).__name__)), array


# ---------------------------------------------------------------- inputs


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _randn(*shape: int, seed: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=_generator(seed)) * scale


def _rnn_args(B: int, T: int, I: int, H: int, seed: int) -> tuple[torch.Tensor, ...]:
    return (_randn(B, T, I, seed=seed), _randn(B, H, seed=seed + 1, scale=0.5), _randn(H, I, seed=seed + 2, scale=0.5),
            _randn(H, H, seed=seed + 3, scale=0.5), _randn(H, seed=seed + 4, scale=0.5))


def _gate_weights(gates: int, I: int, H: int, seed: int) -> tuple[torch.Tensor, ...]:
    return (_randn(gates * H, I, seed=seed, scale=0.5), _randn(gates * H, H, seed=seed + 1, scale=0.5),
            _randn(gates * H, seed=seed + 2, scale=0.5), _randn(gates * H, seed=seed + 3, scale=0.5))


def _ex01() -> list[Probe]:
    probes: list[Probe] = []
    for I, H in ((3, 4), (4, 4)):
        x, h0, W_xh, W_hh, b_h = _rnn_args(2, 5, I, H, seed=I * 10 + H)
        probes.append((f"rnn_step I={I} H={H}", lambda m, a=(x[:, 0], h0, W_xh, W_hh, b_h): m.rnn_step(*[t.clone() for t in a])))
        probes.append((f"rnn_forward I={I} H={H}", lambda m, a=(x, h0, W_xh, W_hh, b_h): m.rnn_forward(*[t.clone() for t in a])))
    h = _randn(2, 3, 4, seed=5)
    probes.append(("lm_output", lambda m: m.lm_output(h.clone(), _randn(6, 4, seed=6), _randn(6, seed=7))))
    probes.append(("lm_output 2d", lambda m: m.lm_output(h[0].clone(), _randn(6, 4, seed=6), _randn(6, seed=7))))
    tokens = torch.randint(0, 7, (2, 5), generator=_generator(8))
    weights = (_randn(7, 4, seed=9), _randn(4, 4, seed=10, scale=0.5), _randn(4, 4, seed=11, scale=0.5),
               _randn(4, seed=12), _randn(7, 4, seed=13), _randn(7, seed=14))
    probes.append(("rnn_language_model h0", lambda m: m.rnn_language_model(tokens.clone(), *weights, h0=_randn(2, 4, seed=15))))
    probes.append(("rnn_language_model zeros", lambda m: m.rnn_language_model(tokens.clone(), *weights)))
    probs = torch.softmax(_randn(2, 3, 5, seed=16), dim=-1)
    targets = torch.randint(0, 5, (2, 3), generator=_generator(17))
    probes.append(("sequence_nll", lambda m: m.sequence_nll(probs.clone(), targets.clone())))
    sparse = torch.tensor([[[0.5, 0.5, 1e-30], [1e-30, 0.25, 0.75]]])  # tiny away from the targets
    probes.append(("sequence_nll zeros", lambda m: side_effects(m.sequence_nll, sparse.clone(), torch.tensor([[0, 2]]))))
    empty = tuple(t.double() for t in _rnn_args(2, 0, 3, 4, seed=18))
    probes.append(("rnn_forward T=0 float64", lambda m: m.rnn_forward(*[t.clone() for t in empty])))
    return probes


def _ex02() -> list[Probe]:
    probes: list[Probe] = []
    for I, H in ((3, 4), (4, 4)):
        args = _rnn_args(2, 5, I, H, seed=20 + I)
        grad_outputs = _randn(2, 5, H, seed=30 + I)
        probes.append((f"rnn_backward I={I} H={H}", lambda m, a=args, g=grad_outputs: m.rnn_backward(*[t.clone() for t in a], g.clone())))
    last_only = torch.zeros(2, 5, 4)
    last_only[:, -1] = 1.0
    probes.append(("rnn_backward last", lambda m: m.rnn_backward(*[t.clone() for t in _rnn_args(2, 5, 4, 4, seed=40)], last_only.clone())))
    big = [_randn(3, 4, seed=41, scale=2.0), _randn(5, seed=42, scale=0.1), _randn(2, 2, seed=43, scale=3.0)]
    probes.append(("clip_grad_norm big", lambda m: m.clip_grad_norm([g.clone() for g in big], 1.0)))
    probes.append(("clip_grad_norm small", lambda m: m.clip_grad_norm([g.clone() for g in big], 100.0)))
    probes.append(("clip_grad_value", lambda m: side_effects(m.clip_grad_value, [g.clone() for g in big], 0.5)))
    probes.append(("clip_grad_norm big, side effects", lambda m: side_effects(m.clip_grad_norm, [g.clone() for g in big], 1.0)))
    probes.append(("clip_grad_norm small, side effects",
                   lambda m: side_effects(m.clip_grad_norm, [g.clone() for g in big], 100.0)))
    norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in big))
    doubles = [g.double() for g in big]
    # the scale is 1 - O(1e-7) here: amplified, so that the probes' tolerance sees whether it was applied
    probes.append(("clip_grad_norm inside the 1e-6 band",
                   lambda m: 1e6 * (1 - m.clip_grad_norm([g.clone() for g in doubles], norm + 0.5e-6)[0][0] / doubles[0])))
    probes.append(("clip_grad_norm empty", lambda m: m.clip_grad_norm([], 1.0)))
    args64 = tuple(t.double() for t in _rnn_args(2, 4, 3, 4, seed=44))
    probes.append(("rnn_backward float64", lambda m: m.rnn_backward(*[t.clone() for t in args64], _randn(2, 4, 4, seed=45).double())))
    return probes


def _ex03() -> list[Probe]:
    states = torch.tanh(_randn(6, 4, seed=50))  # h_0 .. h_5
    W = _randn(4, 4, seed=51, scale=0.6)
    non_normal = torch.tensor([[0.5, 3.0], [0.0, 0.5]])
    rotation = torch.tensor([[0.0, -1.0], [1.0, 0.0]])
    probes: list[Probe] = [
        ("step_jacobian", lambda m: m.step_jacobian(states[3].clone(), W.clone())),
        ("jacobian_product k=1", lambda m: m.jacobian_product(states.clone(), W.clone(), 1)),
        ("jacobian_product k=0", lambda m: m.jacobian_product(states.clone(), W.clone(), 0)),
        ("jacobian_product k=T", lambda m: m.jacobian_product(states.clone(), W.clone(), 5)),
        ("gradient_norms", lambda m: m.gradient_norms_by_distance(states.clone(), W.clone(), _randn(4, seed=52))),
        ("spectral_radius", lambda m: m.spectral_radius(W.clone())),
        ("spectral_radius non-normal", lambda m: m.spectral_radius(non_normal.clone())),
        ("predict vanish non-normal", lambda m: m.predict_gradient_behaviour(non_normal.clone())),
        ("predict explode", lambda m: m.predict_gradient_behaviour(1.3 * rotation)),
        ("predict propagate", lambda m: m.predict_gradient_behaviour(rotation.clone())),
        ("predict negative eigenvalue", lambda m: m.predict_gradient_behaviour(torch.diag(torch.tensor([-1.5, 0.2])))),
        ("bound non-normal", lambda m: m.jacobian_norm_bound(non_normal.clone(), 4)),
        ("bound sigmoid", lambda m: m.jacobian_norm_bound(W.clone(), 3, gamma=0.25)),
        ("steps 0.9", lambda m: m.steps_until_below(0.9, 1e-3)),
        ("steps exact power", lambda m: m.steps_until_below(0.5, 0.25)),
        ("steps 0.99", lambda m: m.steps_until_below(0.99, 0.5)),
        ("steps above one", lambda m: m.steps_until_below(0.5, 2.0)),
        ("predict inside the band", lambda m: m.predict_gradient_behaviour(0.9995 * torch.eye(2, dtype=torch.float64))),
        ("predict on the lower bound", lambda m: m.predict_gradient_behaviour(0.75 * torch.eye(2, dtype=torch.float64), 0.25)),
        ("predict on the upper bound", lambda m: m.predict_gradient_behaviour(1.25 * torch.eye(2, dtype=torch.float64), 0.25)),
        ("jacobian_product float64", lambda m: m.jacobian_product(states.double(), W.double(), 2)),
        ("step_jacobian side effects", lambda m: side_effects(m.step_jacobian, states[3].clone(), W.clone())),
    ]
    return probes


def _ex04() -> list[Probe]:
    probes: list[Probe] = []
    for I, H in ((3, 5), (4, 4)):
        weights = _gate_weights(4, I, H, seed=60 + I)
        x = _randn(2, 6, I, seed=70 + I)
        state = (_randn(2, H, seed=71, scale=0.5), _randn(2, H, seed=72))
        probes.append((f"concatenated_weights I={I}", lambda m, w=weights: m.concatenated_weights(w[0].clone(), w[1].clone())))
        probes.append((f"lstm_gates I={I}", lambda m, w=weights, x=x, s=state: m.lstm_gates(x[:, 0].clone(), s[0].clone(), *w)))
        probes.append((f"lstm_cell I={I}", lambda m, w=weights, x=x, s=state: m.lstm_cell(x[:, 0].clone(), (s[0].clone(), s[1].clone()), *w)))
        probes.append((f"lstm_forward I={I}", lambda m, w=weights, x=x, s=state: m.lstm_forward(x.clone(), (s[0].clone(), s[1].clone()), *w)))
        probes.append((f"lstm_forward zeros I={I}", lambda m, w=weights, x=x: m.lstm_forward(x.clone(), None, *w)))
    weights64 = tuple(w.double() for w in _gate_weights(4, 3, 4, seed=66))
    x64 = _randn(2, 3, 3, seed=67).double()
    probes.append(("lstm_forward zeros float64", lambda m: m.lstm_forward(x64.clone(), None, *weights64)))
    probes.append(("lstm_forward T=0", lambda m: m.lstm_forward(x64[:, :0].clone(), None, *weights64)))
    state = (_randn(2, 4, seed=68).double(), _randn(2, 4, seed=69).double())
    probes.append(("lstm_cell side effects",
                   lambda m: side_effects(m.lstm_cell, x64[:, 0].clone(), tuple(t.clone() for t in state), *weights64)))
    return probes


def memory_check(parameters: dict[str, torch.Tensor]) -> tuple[bool, bool, bool]:
    """(holds 100 steps, erased by the trigger, stays erased) for several start values, with nn.LSTMCell."""
    cell = torch.nn.LSTMCell(2, 1)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(parameters[name])
        holds = erased = stays = True
        for c0 in (-1.0, -0.4, 0.25, 1.0):
            h, c = torch.zeros(1, 1), torch.full((1, 1), c0)
            tokens = [0] * 100 + [1] + [0] * 20
            for step, token in enumerate(tokens):
                x = torch.nn.functional.one_hot(torch.tensor([token]), 2).float()
                h, c = cell(x, (h, c))
                value = c.item()
                if step < 100:
                    holds &= abs(value - c0) <= 0.01
                elif step == 100:
                    erased &= abs(value) <= 0.01
                else:
                    stays &= abs(value) <= 0.01
    return holds, erased, stays


def _ex05() -> list[Probe]:
    forget = torch.rand(6, 3, generator=_generator(80))
    batched = torch.rand(5, 2, 3, generator=_generator(81))
    return [
        ("cell_gradient k=0", lambda m: m.cell_gradient_through_time(forget.clone(), 0)),
        ("cell_gradient k=2", lambda m: m.cell_gradient_through_time(forget.clone(), 2)),
        ("cell_gradient k=T", lambda m: m.cell_gradient_through_time(forget.clone(), 6)),
        ("cell_gradient batched", lambda m: m.cell_gradient_through_time(batched.clone(), 1)),
        ("forget_bias 100 0.5", lambda m: m.forget_bias_for_retention(100, 0.5)),
        ("forget_bias 10 0.9", lambda m: m.forget_bias_for_retention(10, 0.9)),
        ("memory_parameters", lambda m: memory_check(m.memory_parameters())),
        ("memory_parameters dtypes", lambda m: {name: str(value.dtype) for name, value in m.memory_parameters().items()}),
        ("cell_gradient side effects", lambda m: side_effects(m.cell_gradient_through_time, forget.clone(), 2)),
    ]


def _ex06() -> list[Probe]:
    probes: list[Probe] = []
    for I, H in ((3, 5), (4, 4)):
        weights = _gate_weights(3, I, H, seed=90 + I)
        x = _randn(2, 6, I, seed=95 + I)
        h0 = _randn(2, H, seed=99, scale=0.8)
        for variant in ("textbook", "pytorch"):
            probes.append((f"gru_cell {variant} I={I}", lambda m, w=weights, x=x, h=h0, v=variant: m.gru_cell(x[:, 0].clone(), h.clone(), *w, variant=v)))
            probes.append((f"gru_forward {variant} I={I}", lambda m, w=weights, x=x, h=h0, v=variant: m.gru_forward(x.clone(), h.clone(), *w, variant=v)))
        probes.append((f"gru_forward default I={I}", lambda m, w=weights, x=x: m.gru_forward(x.clone(), None, *w)))
    weights64 = tuple(w.double() for w in _gate_weights(3, 3, 4, seed=97))
    x64 = _randn(2, 3, 3, seed=98).double()
    probes.append(("gru_forward zeros float64", lambda m: m.gru_forward(x64.clone(), None, *weights64)))
    probes.append(("gru_forward T=0", lambda m: m.gru_forward(x64[:, :0].clone(), None, *weights64)))
    probes.append(("gru_cell side effects", lambda m: side_effects(m.gru_cell, x64[:, 0].clone(), _randn(2, 4, seed=96).double(),
                                                                     *weights64)))
    probes.append(("gru_cell bad variant", lambda m: m.gru_cell(torch.zeros(1, 1), torch.zeros(1, 1), *_gate_weights(3, 1, 1, 0), variant="cho")))
    return probes


def _ex07() -> list[Probe]:
    probes: list[Probe] = [(f"gate_count {cell}", lambda m, c=cell: m.gate_count(c)) for cell in ("rnn", "lstm", "gru")]
    for cell in ("rnn", "lstm", "gru"):
        probes += [
            (f"layer {cell}", lambda m, c=cell: m.layer_parameters(7, 13, c)),
            (f"layer {cell} no bias bidirectional", lambda m, c=cell: m.layer_parameters(7, 13, c, bias=False, bidirectional=True)),
            (f"stack {cell}", lambda m, c=cell: m.stack_parameters(7, 13, 3, c)),
            (f"stack {cell} bidirectional", lambda m, c=cell: m.stack_parameters(7, 13, 3, c, bidirectional=True)),
            (f"lm {cell}", lambda m, c=cell: m.language_model_parameters(50, 11, 13, 2, c)),
            (f"lm {cell} tied", lambda m, c=cell: m.language_model_parameters(50, 13, 13, 2, c, tie_weights=True)),
            (f"macs {cell}", lambda m, c=cell: m.multiply_adds_per_step(7, 13, c)),
            (f"macs {cell} stack bidirectional", lambda m, c=cell: m.multiply_adds_per_step(7, 13, c, num_layers=3, bidirectional=True)),
        ]
    probes += [
        ("lm tied mismatch", lambda m: m.language_model_parameters(50, 11, 13, 1, "lstm", tie_weights=True)),
        ("budget 10 20", lambda m: m.gru_hidden_size_for_budget(10, 20)),
        ("budget 300 650", lambda m: m.gru_hidden_size_for_budget(300, 650)),
        ("budget 1 1", lambda m: m.gru_hidden_size_for_budget(1, 1)),
        ("budget tie 2 5", lambda m: m.gru_hidden_size_for_budget(2, 5)),
    ]
    return probes


def _detach_summary(state: Any) -> Any:
    if isinstance(state, torch.Tensor):
        return (state.detach().clone(), state.requires_grad, state.grad_fn is None)
    return (type(state).__name__, tuple(_detach_summary(part) for part in state))


def _ex08() -> list[Probe]:
    ids = torch.arange(100, 137)  # 37 tokens, distinct from their positions

    def detach_probe(m: ModuleType, as_tuple: bool) -> Any:
        weight = torch.ones(3, requires_grad=True)
        h = torch.arange(6.0).reshape(2, 3) * weight  # part of a graph
        c = h * 2
        state = (h, c) if as_tuple else h
        detached = _detach_summary(m.detach_state(state))
        return detached, _detach_summary(state)  # the caller's state is left attached

    return [
        ("batchify", lambda m: m.batchify(ids.clone(), 4)),
        ("batchify exact", lambda m: m.batchify(ids[:36].clone(), 6)),
        ("rank_streams r=1", lambda m: m.rank_streams(ids.clone(), 3, 1, 2)),
        ("rank_streams r=0", lambda m: m.rank_streams(ids.clone(), 2, 0, 3)),
        ("rank_streams uneven", lambda m: m.rank_streams(ids.clone(), 4, 1, 2)),
        ("window_schedule 6 2", lambda m: m.window_schedule(6, 2)),
        ("window_schedule 11 5", lambda m: m.window_schedule(11, 5)),
        ("window_schedule 10 3", lambda m: m.window_schedule(10, 3)),
        ("get_window", lambda m: m.get_window(ids[:36].reshape(3, 12).clone(), 8, 5)),
        ("get_window full", lambda m: m.get_window(ids[:36].reshape(3, 12).clone(), 0, 4)),
        ("tbptt_windows", lambda m: m.tbptt_windows(ids.clone(), 2, 4, 1, 2)),
        ("tbptt_windows single", lambda m: m.tbptt_windows(ids.clone(), 3, 5)),
        ("detach tensor", lambda m: detach_probe(m, False)),
        ("detach tuple", lambda m: detach_probe(m, True)),
        ("window_schedule one token", lambda m: m.window_schedule(1, 3)),
        ("batchify int32", lambda m: with_dtype(m.batchify(ids.to(torch.int32), 4))),
    ]


def _ex09() -> list[Probe]:
    rng = np.random.default_rng(110)
    train = rng.integers(0, 6, 120).tolist()
    sparse = rng.integers(0, 12, 30).tolist()
    test = rng.integers(0, 6, 25).tolist()
    probes: list[Probe] = [(f"count_ngrams {n}", lambda m, n=n: m.count_ngrams(list(train), n)) for n in (1, 2, 3)]
    probes += [(f"continuation {n}", lambda m, n=n: m.continuation_counts(list(train), n)) for n in (1, 2)]
    probes += [
        ("add_k unigram", lambda m: m.add_k_distribution(list(train), 6, (), 0.5)),
        ("add_k bigram", lambda m: m.add_k_distribution(list(train), 6, [train[0]], 0.5)),
        ("add_k trigram unseen", lambda m: m.add_k_distribution(list(sparse), 12, [11, 11], 1.0)),
        ("kn unigram of trigram", lambda m: m.kneser_ney_distribution(list(train), 6, 3, (), 0.75)),
        ("kn bigram of trigram", lambda m: m.kneser_ney_distribution(list(train), 6, 3, [train[5]], 0.75)),
        ("kn trigram", lambda m: m.kneser_ney_distribution(list(train), 6, 3, train[5:7], 0.6)),
        ("kn bigram top", lambda m: m.kneser_ney_distribution(list(train), 6, 2, [train[3]], 0.9)),
        ("kn sparse unseen", lambda m: m.kneser_ney_distribution(list(sparse), 12, 3, [sparse[-1], 0], 0.75)),
        ("kn unigram model", lambda m: m.kneser_ney_distribution(list(sparse), 12, 1, (), 0.5)),
        ("log_probs add_k 2", lambda m: m.ngram_log_probs(list(train), list(test), 6, 2, "add_k", k=0.5)),
        ("log_probs kn 3", lambda m: m.ngram_log_probs(list(train), list(test), 6, 3, "kneser_ney", discount=0.7)),
        ("log_probs kn sparse", lambda m: m.ngram_log_probs(list(sparse), list(test), 12, 3)),
        ("log_probs bad smoothing", lambda m: m.ngram_log_probs(list(train), list(test), 6, 2, "witten_bell")),
        ("perplexity", lambda m: side_effects(m.perplexity, np.log(np.array([0.5, 0.25, 0.125, 0.2])))),
        ("log_probs dtype", lambda m: with_dtype(m.ngram_log_probs(list(train), list(test), 6, 2, "add_k", k=0.5))),
    ]
    return probes


def _ex10() -> list[Probe]:
    return [
        ("corpus_perplexity uneven", lambda m: m.corpus_perplexity([70.0, 35.0, 4.0], [20, 10, 3])),
        ("corpus_perplexity one", lambda m: m.corpus_perplexity([12.5], [5])),
        ("uniform", lambda m: m.uniform_perplexity(33278)),
        ("unigram", lambda m: m.unigram_perplexity([5, 0, 3, 1, 1])),
        ("unigram uniform", lambda m: m.unigram_perplexity([2, 2, 2, 2])),
        ("bpc", lambda m: m.bits_per_character(1234.5, 1000)),
        ("from bits", lambda m: m.perplexity_from_bits(1.37)),
        ("word from bpc", lambda m: m.word_perplexity_from_bpc(1.37, 5.6)),
        ("compare", lambda m: m.compare_models(4100.0, 5200.0, 1000)),
        ("compare trigram better", lambda m: m.compare_models(5300.0, 5200.0, 1000)),
    ]


PROBES: dict[str, Callable[[], list[Probe]]] = dict(
    zip(EXERCISES, (_ex01, _ex02, _ex03, _ex04, _ex05, _ex06, _ex07, _ex08, _ex09, _ex10))
)
