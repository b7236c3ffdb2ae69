"""The checker checked: its references are accurate, and it catches the bugs it exists to catch.

Each "caught" test builds a deliberately broken primitive (never registered) and asserts
that ``check_grads`` reports it: a wrong partial, a wrong reverse rule only, a rule that is
right at first order but cuts the second (computed on concrete values, MyGrad's trap), a
rule that is right for one tangent but wrong for the batched ones of ``jacfwd``, and a
reverse rule that forgets to unbroadcast.
"""

from __future__ import annotations

import numpy as np
import pytest
from check_grads import WrongDerivative, check_grads, cs_jvp, fd_jvp, reference_jacobian

from adviz.engine.primitives.core import Partial, Primitive, ndim, unbroadcast
from adviz.engine.tracer import bind, lowest

X = np.array([0.3, -1.2, 2.0])


def _prim(name, impl, *partials, **kw):
    return Primitive(name, impl, f"{name}({{0}})", name, partials=partials or None, **kw)


# --------------------------------------------------------------------------- references


def test_central_differences_are_accurate_and_their_error_estimate_is_honest():
    v = np.array([1.0, 0.5, -2.0])
    est = fd_jvp(np.exp, [X], [v])
    exact = np.exp(X) * v
    assert np.all(np.abs(est.value - exact) <= est.error * 10)
    assert np.max(np.abs(est.value - exact)) < 1e-9
    assert np.max(est.error) < 1e-8


def test_complex_step_is_exact_to_rounding():
    est = cs_jvp(np.sin, [X], [np.ones(3)])
    np.testing.assert_allclose(est.value, np.cos(X), rtol=1e-15)


def test_reference_jacobian_shape_and_values():
    A = np.arange(6.0).reshape(2, 3)
    jac = reference_jacobian(lambda x: A @ x, [X], 0)
    assert jac.value.shape == (2, 3)
    np.testing.assert_allclose(jac.value, A, atol=1e-9)


def test_a_non_analytic_function_marked_analytic_is_reported():
    """abs is not complex-analytic: the two references disagree and the checker says so."""
    with pytest.raises(AssertionError, match="complex step vs central differences"):
        check_grads(np.abs, (np.array([-0.5, 0.7]),), analytic=True, order=1)


def test_correct_derivatives_pass():
    check_grads(lambda x, y: np.sin(x) * y**2 + np.sum(x), (X, np.array([[0.5], [1.5]])), analytic=True)


# --------------------------------------------------------------------------- bugs it catches


def test_catches_a_wrong_partial():
    wrong = _prim("wrong_sin", np.sin, Partial(lambda ans, x: np.cos(x) * 1.001, "cos({0})"))
    with pytest.raises(WrongDerivative, match="jvp along a random direction"):
        check_grads(lambda x: bind(wrong, x), (X,), order=1)


def test_catches_a_reverse_rule_that_disagrees_with_the_forward_rule():
    right = Partial(lambda ans, x: np.cos(x), "cos({0})")
    wrong = _prim("wrong_vjp_sin", np.sin, right, vjps=(lambda g, ans, x: g * np.cos(x) * 2.0,))
    check_grads(lambda x: bind(wrong, x), (X,), order=1, modes=("fwd",))  # forward is right
    with pytest.raises(WrongDerivative, match="dot-product identity"):
        check_grads(lambda x: bind(wrong, x), (X,), order=1)


def test_catches_a_rule_that_cuts_the_second_derivative():
    """A partial computed on concrete values is right at first order and silently wrong at second."""
    cut = _prim("cut_sin", np.sin, Partial(lambda ans, x: np.cos(lowest(x)), "cos({0})"))
    check_grads(lambda x: bind(cut, x), (X,), order=1)
    with pytest.raises(WrongDerivative):
        check_grads(lambda x: bind(cut, x), (X,), order=2)


def test_catches_a_rule_that_is_wrong_only_when_batched():
    """Rolling a batched tangent without an axis rolls the flattened batch: only jacfwd sees it."""
    roll = Primitive("roll_batch_bug", lambda x: np.roll(x, 1), "roll({0})", "roll",
                     jvps=(lambda t, ans, x: np.roll(t, 1),), vjps=(lambda g, ans, x: np.roll(g, -1, axis=-1),))
    check_grads(lambda x: bind(roll, x), (X,), order=1, jacobians=False)
    with pytest.raises(WrongDerivative, match="jacfwd"):
        check_grads(lambda x: bind(roll, x), (X,), order=1)


def test_catches_a_reverse_rule_that_forgets_to_unbroadcast():
    mul = Primitive("mul_no_unbroadcast", np.multiply, "{0} * {1}", "×",
                    jvps=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
                    vjps=(lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x))
    with pytest.raises((WrongDerivative, ValueError)):  # a wrong shape is never silent
        check_grads(lambda x, y: bind(mul, x, y), (X, np.array(2.0)), order=1)


def test_catches_a_reverse_rule_that_sums_where_it_should_not():
    mul = Primitive("mul_oversummed", np.multiply, "{0} * {1}", "×",
                    jvps=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
                    vjps=(lambda g, ans, x, y: unbroadcast(g * y, np.shape(x), ndim(g) - ndim(ans)),
                          lambda g, ans, x, y: unbroadcast(g * x, np.shape(y), ndim(g) - ndim(ans)) * 0 + np.sum(g)))
    with pytest.raises(WrongDerivative):
        check_grads(lambda x, y: bind(mul, x, y), (X, np.array(2.0)), order=1)
