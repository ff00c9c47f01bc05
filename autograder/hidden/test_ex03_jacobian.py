"""Hidden suite of exercise 3 (theory): Jacobian products, spectral radius, vanishing and exploding (5.2.2-5.2.3)."""

import math

import torch

from autograder.checks import compare, inputs, points, randn

EXERCISE = "ex03_jacobian"


def _sequence(label, time, hidden, weight_scale):
    """Hidden states h_0 .. h_T of a real tanh RNN run, and its W_hh."""
    generator = inputs(EXERCISE, "sequence", label)
    W_hh = randn(generator, hidden, hidden, scale=weight_scale / math.sqrt(hidden))
    W_xh = randn(generator, hidden, 2, scale=0.5)
    states = [randn(generator, hidden, scale=0.5)]
    for _ in range(time):
        states.append(torch.tanh(W_hh @ states[-1] + W_xh @ randn(generator, 2)))
    return torch.stack(states), W_hh, randn(generator, hidden)  # [T+1, H], [H, H], [H]


CASES = [("T=6 H=4", 6, 4, 1.0), ("T=1 H=3", 1, 3, 1.0), ("H=1", 5, 1, 1.5), ("contracting W (vanish)", 12, 5, 0.5),
         ("expanding W (explode)", 12, 5, 3.0), ("T=0 (no step)", 0, 3, 1.0)]


@points(1.5)
def test_step_jacobian(submission, reference):
    for label, *shape in CASES:
        states, W_hh, _ = _sequence(label, *shape)
        compare(submission, reference, "step_jacobian", (states[-1], W_hh), rtol=1e-9, atol=1e-12, case=label,
                name="J_t", allow_alias=False)
    states, W_hh, _ = _sequence("float32", 3, 4, 1.0)
    compare(submission, reference, "step_jacobian", (states[-1].float(), W_hh.float()), rtol=1e-5, atol=1e-6,
            case="float32", name="J_t")
    compare(submission, reference, "step_jacobian", (torch.zeros(3, dtype=torch.float64), torch.eye(3, dtype=torch.float64)),
            rtol=0, atol=0, case="h_t = 0", name="J_t")


@points(1.5)
def test_jacobian_product(submission, reference):
    for label, *shape in CASES:
        states, W_hh, _ = _sequence(label, *shape)
        time = states.shape[0] - 1
        for k in sorted({0, time // 2, time - 1, time}):
            compare(submission, reference, "jacobian_product", (states, W_hh, k), rtol=1e-8, atol=1e-12,
                    case=f"{label}, k={k}", name="dh_T/dh_k")
    states, W_hh, _ = _sequence("float32", 4, 3, 1.0)
    for k in (0, 4):
        compare(submission, reference, "jacobian_product", (states.float(), W_hh.float(), k), rtol=1e-5, atol=1e-6,
                case=f"float32, k={k}", name="dh_T/dh_k")


@points(1.5)
def test_gradient_norms_by_distance(submission, reference):
    for label, *shape in CASES:
        states, W_hh, grad_last = _sequence(label, *shape)
        compare(submission, reference, "gradient_norms_by_distance", (states, W_hh, grad_last), rtol=1e-8,
                atol=1e-12, case=label, name="norms by distance")


@points(1.5)
def test_spectral_radius(submission, reference):
    generator = inputs(EXERCISE, "spectral")
    rotation = torch.tensor([[0.0, -2.0], [2.0, 0.0]], dtype=torch.float64)  # complex eigenvalues +-2i
    nonsymmetric = torch.tensor([[0.5, 10.0], [0.0, 0.4]], dtype=torch.float64)  # norm >> radius
    matrices = [("random 5x5", randn(generator, 5, 5)), ("complex eigenvalues", rotation),
                ("non-normal", nonsymmetric), ("1x1 negative", torch.tensor([[-3.0]], dtype=torch.float64)),
                ("zeros", torch.zeros(3, 3, dtype=torch.float64))]
    for label, matrix in matrices:
        compare(submission, reference, "spectral_radius", (matrix,), rtol=1e-9, atol=1e-12, case=label,
                name="spectral radius")


@points(1)
def test_predict_gradient_behaviour(submission, reference):
    generator = inputs(EXERCISE, "predict")
    orthogonal, _ = torch.linalg.qr(randn(generator, 4, 4))
    rotation = torch.tensor([[0.0, -1.2], [1.2, 0.0]], dtype=torch.float64)
    matrices = [("0.9 I", 0.9 * torch.eye(3, dtype=torch.float64)), ("orthogonal", orthogonal),
                ("rotation, |lambda| = 1.2", rotation), ("non-normal, large norm, radius 0.5",
                                                        torch.tensor([[0.5, 10.0], [0.0, 0.3]], dtype=torch.float64)),
                ("negative eigenvalue -1.5", torch.diag(torch.tensor([-1.5, 0.2], dtype=torch.float64)))]
    for label, matrix in matrices:
        compare(submission, reference, "predict_gradient_behaviour", (matrix,), rtol=0, atol=0, case=label,
                name="prediction")
    compare(submission, reference, "predict_gradient_behaviour", (1.05 * torch.eye(2, dtype=torch.float64),),
            kwargs={"tolerance": 0.1}, rtol=0, atol=0, case="inside a wide tolerance", name="prediction")


@points(1)
def test_predict_gradient_behaviour_band(submission, reference):
    """Just inside and just outside the band 1 -/+ tolerance, and exactly on its bounds (strict comparisons)."""
    identity = torch.eye(2, dtype=torch.float64)
    cases = [("radius 0.9995, just inside", 0.9995, {}), ("radius 1.0005, just inside", 1.0005, {}),
             ("radius 0.998, just outside", 0.998, {}), ("radius 1.002, just outside", 1.002, {}),
             ("radius exactly 1 - tolerance", 0.75, {"tolerance": 0.25}),
             ("radius exactly 1 + tolerance", 1.25, {"tolerance": 0.25})]
    for label, radius, kwargs in cases:
        compare(submission, reference, "predict_gradient_behaviour", (radius * identity,), kwargs=kwargs, rtol=0,
                atol=0, case=label, name="prediction")


@points(1)
def test_jacobian_norm_bound(submission, reference):
    generator = inputs(EXERCISE, "bound")
    cases = [("random, n=3", randn(generator, 4, 4), 3, 1.0), ("n=0", randn(generator, 3, 3), 0, 1.0),
             ("sigmoid gamma=1/4", randn(generator, 3, 3, scale=2.0), 5, 0.25),
             ("non-normal", torch.tensor([[0.5, 10.0], [0.0, 0.3]], dtype=torch.float64), 2, 1.0)]
    for label, matrix, n, gamma in cases:
        compare(submission, reference, "jacobian_norm_bound", (matrix, n), kwargs={"gamma": gamma}, rtol=1e-9,
                atol=1e-12, case=label, name="bound")


@points(1)
def test_steps_until_below(submission, reference):
    cases = [(0.9, 1e-3), (0.5, 0.25), (0.99, 1e-6), (0.5, 2.0), (0.1, 0.5), (0.7, 1.0)]
    for factor, threshold in cases:
        compare(submission, reference, "steps_until_below", (factor, threshold), rtol=0, atol=0,
                case=f"factor={factor}, threshold={threshold}", name="steps")
