"""Finite differences and the complex step against analytic derivatives and independent libraries."""

from fractions import Fraction

import numpy as np
import pytest

from adviz.numeric import finite_differences as fd

# f(x) = sin(x**2 + 1) and friends, with derivatives written out by hand.
F = lambda x: np.sin(x**2 + 1)
DF = lambda x: 2 * x * np.cos(x**2 + 1)


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b))


# ------------------------------------------------------------------ stencils


def test_classic_stencil_weights_come_out_exactly():
    assert fd.stencil_coefficients([-1, 0, 1]) == (Fraction(-1, 2), 0, Fraction(1, 2))
    assert fd.stencil_coefficients([-2, -1, 0, 1, 2]) == (
        Fraction(1, 12), Fraction(-2, 3), 0, Fraction(2, 3), Fraction(-1, 12))
    assert fd.stencil_coefficients([0, 1]) == (-1, 1)
    # second derivative on three points: the familiar 1, -2, 1
    assert fd.stencil_coefficients([-1, 0, 1], derivative=2) == (1, -2, 1)


@pytest.mark.parametrize("order", [2, 4, 6, 8])
def test_central_weights_match_findiff(order):
    findiff = pytest.importorskip("findiff", reason="findiff is the independent reference here")
    ref = findiff.coefficients(deriv=1, acc=order)["center"]
    stencil = fd.central_stencil(order)
    assert list(ref["offsets"]) == list(stencil.offsets)
    np.testing.assert_allclose([float(w) for w in stencil.weights], ref["coefficients"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, order", [("forward", 1), ("backward", 1), ("central", 2), ("central4", 4),
                                         ("central6", 6), ("central8", 8), ("complex", 2)])
def test_declared_orders(name, order):
    assert fd.method_order(name) == order
    assert fd.method_order("richardson", levels=3) == 6


def test_bad_stencils_are_rejected():
    with pytest.raises(ValueError, match="distinct"):
        fd.stencil_coefficients([0, 1, 1])
    with pytest.raises(ValueError, match="even order"):
        fd.central_stencil(3)
    with pytest.raises(ValueError, match="unknown method"):
        fd.derivative(F, 1.0, method="sideways")


# ------------------------------------------------------------------ convergence orders


@pytest.mark.parametrize("method", ["forward", "backward", "central", "central4", "central6", "richardson", "complex"])
def test_error_falls_like_h_to_the_order(method):
    """Halving h divides the truncation error by 2^p: the order, measured."""
    x = 0.7
    p = fd.method_order(method)
    # steps large enough that round-off is negligible against the truncation error
    hs = {1: [1e-2, 5e-3, 2.5e-3], 2: [1e-2, 5e-3, 2.5e-3], 4: [0.1, 0.05, 0.025], 6: [0.4, 0.2, 0.1]}[p]
    errors = [abs(fd.derivative(np.exp, x, method, h).value - np.exp(x)) for h in hs]
    rates = [np.log2(errors[i] / errors[i + 1]) for i in range(2)]
    assert rates == pytest.approx([p, p], abs=0.15), rates


def test_richardson_beats_the_central_difference_it_extrapolates():
    x, h = 1.3, 1e-2
    plain = abs(fd.central_difference(F, x, h).value - DF(x))
    extrapolated = abs(fd.richardson(F, x, h).value - DF(x))
    deeper = abs(fd.richardson(F, x, h, levels=3).value - DF(x))
    assert extrapolated < plain / 100
    assert deeper < extrapolated / 10


# ------------------------------------------------------------------ default steps and accuracy


def test_textbook_default_steps():
    eps = np.finfo(float).eps
    assert fd.default_step(0.5, "forward") == pytest.approx(np.sqrt(eps))
    assert fd.default_step(-40.0, "backward") == pytest.approx(40 * np.sqrt(eps))
    assert fd.default_step(3.0, "central") == pytest.approx(3 * eps ** (1 / 3))
    assert fd.default_step(2.0, "central4") == pytest.approx(2 * eps ** (1 / 5))


@pytest.mark.parametrize("method, tolerance", [("forward", 1e-7), ("backward", 1e-7), ("central", 1e-8),
                                               ("richardson", 1e-9), ("complex", 1e-15)])
def test_default_accuracy(method, tolerance):
    for x in (0.3, 1.0, 3.0):
        assert rel(fd.derivative(F, x, method).value, DF(x)) < tolerance


def test_complex_step_is_exact_to_rounding_on_many_functions():
    cases = [
        (np.exp, np.exp, 1.0),
        (np.tanh, lambda x: 1 / np.cosh(x) ** 2, 0.4),
        (lambda x: np.log(1 + np.exp(x)), lambda x: 1 / (1 + np.exp(-x)), -2.0),
        (lambda x: x**5 / (1 + x**2), lambda x: (5 * x**4 * (1 + x**2) - 2 * x**6) / (1 + x**2) ** 2, 1.7),
        (F, DF, 3.0),
    ]
    for f, df, x in cases:
        for h in (1e-20, 1e-30, 1e-100):
            assert rel(fd.complex_step(f, x, h).value, df(x)) <= 4e-16


def test_complex_step_refuses_functions_that_drop_the_imaginary_part():
    with pytest.raises(TypeError, match="complex"):
        fd.complex_step(lambda x: np.abs(x) ** 2 + np.real(x), 1.0)


def test_a_step_too_small_to_move_x_is_an_error():
    with pytest.raises(ValueError, match="too small"):
        fd.forward_difference(np.sin, 1e8, h=1e-12)
    with pytest.raises(ValueError, match="positive"):
        fd.forward_difference(np.sin, 1.0, h=-1e-3)


def test_exact_step_uses_the_representable_increment():
    x, h = 3.0, 1e-7
    r = fd.forward_difference(np.sin, x, h)
    assert r.h == (x + h) - x and r.h != h


# ------------------------------------------------------------------ gradients, Jacobians, counts


def rosen(v):
    return np.sum(100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)


def rosen_grad(v):
    g = np.zeros_like(v)
    g[:-1] = -400 * v[:-1] * (v[1:] - v[:-1] ** 2) - 2 * (1 - v[:-1])
    g[1:] += 200 * (v[1:] - v[:-1] ** 2)
    return g


@pytest.mark.parametrize("n", [1, 2, 5, 9])
@pytest.mark.parametrize("method, count, tolerance", [
    ("forward", lambda n: n + 1, 1e-6), ("backward", lambda n: n + 1, 1e-6), ("central", lambda n: 2 * n, 1e-9),
    ("central4", lambda n: 4 * n, 1e-10), ("richardson", lambda n: 4 * n, 1e-10), ("complex", lambda n: n, 1e-14),
])
def test_gradient_values_and_evaluation_counts(n, method, count, tolerance):
    x = np.linspace(-1.2, 1.1, n + 1)
    r = fd.gradient(rosen, x, method)
    assert r.evaluations == count(n + 1)
    assert r.value.shape == x.shape
    assert rel(r.value, rosen_grad(x)) < tolerance


def test_jacobian_shape_counts_and_values():
    def f(v):  # R^3 -> R^2
        return np.array([v[0] * v[1] * v[2], np.sin(v[0]) + v[2] ** 2])

    x = np.array([0.5, -1.5, 2.0])
    exact = np.array([[x[1] * x[2], x[0] * x[2], x[0] * x[1]], [np.cos(x[0]), 0.0, 2 * x[2]]])
    for method, count in (("forward", 4), ("central", 6), ("complex", 3)):
        r = fd.jacobian(f, x, method)
        assert r.value.shape == (2, 3)
        assert r.evaluations == count  # grows with n = 3 inputs, not with m = 2 outputs
        np.testing.assert_allclose(r.value, exact, rtol=1e-6, atol=1e-7)


def test_matrix_input_gives_output_shape_plus_input_shape():
    W = np.arange(6.0).reshape(2, 3) / 5
    r = fd.jacobian(lambda w: np.tanh(w).sum(axis=0), W, "complex")
    assert r.value.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for j in range(3):
        expected[j, :, j] = 1 / np.cosh(W[:, j]) ** 2
    np.testing.assert_allclose(r.value, expected, rtol=1e-14, atol=1e-16)


def test_gradient_insists_on_scalar_output():
    with pytest.raises(ValueError, match="scalar"):
        fd.gradient(lambda v: v * 2, np.ones(3))
    with pytest.raises(ValueError, match="scalar x"):
        fd.derivative(np.sin, np.ones(2))


def test_agrees_with_numdifftools():
    nd = pytest.importorskip("numdifftools", reason="numdifftools is the independent reference here")
    x = np.array([0.3, -0.8, 1.4, 0.9])
    ref = nd.Gradient(rosen)(x)
    for method, tol in (("central", 1e-8), ("richardson", 1e-9), ("complex", 1e-9)):
        np.testing.assert_allclose(fd.gradient(rosen, x, method).value, ref, rtol=tol)

    def g(v):
        return np.array([np.exp(v[0]) * v[1], np.log(1 + v[1] ** 2), v[0] / (1 + v[1] ** 2)])

    y = np.array([0.4, 1.7])
    np.testing.assert_allclose(fd.jacobian(g, y, "complex").value, nd.Jacobian(g)(y), rtol=1e-9)
    assert fd.derivative(F, 3.0, "complex").value == pytest.approx(nd.Derivative(F)(3.0), rel=1e-9)
