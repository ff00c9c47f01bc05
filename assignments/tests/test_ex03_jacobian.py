"""Public tests of exercise 3 (Jacobians, spectral radius): signatures, shapes, one known value each."""

import inspect

import torch

import ex03_jacobian as ex


def test_signatures():
    assert list(inspect.signature(ex.step_jacobian).parameters) == ["h_t", "W_hh"]
    assert list(inspect.signature(ex.jacobian_product).parameters) == ["hidden_states", "W_hh", "k"]
    assert list(inspect.signature(ex.gradient_norms_by_distance).parameters) == ["hidden_states", "W_hh", "grad_last"]
    assert list(inspect.signature(ex.spectral_radius).parameters) == ["W"]
    assert list(inspect.signature(ex.predict_gradient_behaviour).parameters) == ["W_hh", "tolerance"]
    assert list(inspect.signature(ex.jacobian_norm_bound).parameters) == ["W_hh", "n", "gamma"]
    assert list(inspect.signature(ex.steps_until_below).parameters) == ["factor", "threshold"]


def test_step_jacobian_at_zero_state_is_w_hh():
    W = torch.arange(4.0).reshape(2, 2)
    torch.testing.assert_close(ex.step_jacobian(torch.zeros(2), W), W)


def test_jacobian_product_known_value():
    product = ex.jacobian_product(torch.zeros(4, 2), 0.5 * torch.eye(2), k=0)
    assert product.shape == (2, 2)
    torch.testing.assert_close(product, 0.125 * torch.eye(2))


def test_gradient_norms_by_distance_shape():
    norms = ex.gradient_norms_by_distance(torch.zeros(6, 3), 0.5 * torch.eye(3), torch.tensor([1.0, 0.0, 0.0]))
    assert norms.shape == (6,)
    torch.testing.assert_close(norms[:2], torch.tensor([1.0, 0.5]))


def test_spectral_radius_known_value():
    rho = ex.spectral_radius(torch.tensor([[0.0, -2.0], [2.0, 0.0]]))
    assert isinstance(rho, float) and abs(rho - 2.0) < 1e-5


def test_predict_gradient_behaviour_known_value():
    assert ex.predict_gradient_behaviour(0.9 * torch.eye(3)) == "vanish"


def test_jacobian_norm_bound_known_value():
    assert abs(ex.jacobian_norm_bound(torch.diag(torch.tensor([0.5, 2.0])), 3) - 8.0) < 1e-4


def test_steps_until_below_known_value():
    result = ex.steps_until_below(0.9, 1e-3)
    assert isinstance(result, int) and result == 66
