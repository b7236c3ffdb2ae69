"""NumPy functions added after the audit (tests/engine/audit) found them refused, checked against
analytic derivatives; and JAX's transform keywords ``holomorphic``/``allow_int``."""

from __future__ import annotations

import math

import numpy as np
import pytest

import adviz as ad


def test_bincount_weights_is_a_sum_per_bin():
    bins = np.array([0, 2, 2, 4])
    w = np.array([0.5, -1.0, 2.0, 3.0])
    f = lambda w: np.bincount(bins, weights=w, minlength=6)  # noqa: E731
    np.testing.assert_allclose(ad.jvp(f, (w,), (np.ones(4),))[0], np.bincount(bins, weights=w, minlength=6))
    J = np.zeros((6, 4))
    J[bins, np.arange(4)] = 1.0
    np.testing.assert_array_equal(ad.jacrev(f)(w), J)
    np.testing.assert_array_equal(ad.jacfwd(f)(w), J)
    assert ad.grad(lambda w: np.bincount(bins)[2] * np.sum(w))(w).tolist() == [2.0] * 4  # counts: plain


def test_resize_repeats_the_entries_in_order():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = lambda x: np.resize(x, (3, 3))  # noqa: E731
    np.testing.assert_array_equal(ad.jvp(f, (x,), (x,))[0], np.resize(x, (3, 3)))
    # entry k of the result is entry k mod 4 of x: the gradient of sum(c * result) adds up c per source
    c = np.arange(9.0).reshape(3, 3)
    g = ad.grad(lambda x: np.sum(c * f(x)))(x)
    np.testing.assert_array_equal(g.ravel(), [0 + 4 + 8, 1 + 5, 2 + 6, 3 + 7])


def test_apply_along_axis_matches_numpy_layout_and_slope():
    x = np.arange(6.0).reshape(2, 3) / 3
    f = lambda x: np.apply_along_axis(lambda v: v ** 2 * v[0], 0, x)  # noqa: E731
    y, t = ad.jvp(f, (x,), (np.ones_like(x),))
    np.testing.assert_allclose(y, np.apply_along_axis(lambda v: v ** 2 * v[0], 0, x))
    # d/dt (v+t)² (v0+t) = 2 v v0 + v²
    np.testing.assert_allclose(t, 2 * x * x[0] + x ** 2)
    g = ad.grad(lambda x: np.sum(np.apply_along_axis(np.sum, 1, x) ** 2))(x)
    np.testing.assert_allclose(g, 2 * np.repeat(x.sum(1, keepdims=True), 3, axis=1))


def test_imag_angle_real_if_close_of_real_values():
    x = np.array([-1.5, 0.5])
    assert ad.grad(lambda x: np.sum(np.imag(x) + x.imag + np.angle(x)))(x).tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(ad.jacfwd(np.real_if_close)(x), np.eye(2))


def test_unwrap_has_slope_one():
    p = np.array([0.0, 3.0, 6.5, 1.0])
    y, t = ad.jvp(np.unwrap, (p,), (np.array([1.0, 2.0, 3.0, 4.0]),))
    np.testing.assert_allclose(y, np.unwrap(p))
    np.testing.assert_array_equal(t, [1.0, 2.0, 3.0, 4.0])


def test_astype_function_of_numpy_2():
    assert ad.grad(lambda x: np.astype(x, np.float64) * x)(1.5) == pytest.approx(3.0)


def test_jax_keywords_are_accepted_and_holomorphic_refused():
    f = lambda x: np.sum(x ** 3)  # noqa: E731
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(ad.grad(f, holomorphic=False, allow_int=True)(x), 3 * x ** 2)
    np.testing.assert_allclose(ad.hessian(f, holomorphic=False)(x), np.diag(6 * x))
    np.testing.assert_allclose(ad.jacfwd(np.sin, allow_int=False)(x), np.diag(np.cos(x)))
    with pytest.raises(ad.UnsupportedOperation, match="holomorphic"):
        ad.jacrev(np.sin, holomorphic=True)


def test_float_and_math_of_traced_values_are_adviz_refusals():
    with pytest.raises(ad.UnsupportedOperation, match="float"):
        ad.grad(lambda x: math.sqrt(x))(2.0)
    with pytest.raises(TypeError):  # still a TypeError, as before (and as JAX's ConcretizationTypeError)
        ad.grad(lambda x: float(x))(2.0)


def test_i0_of_float32_keeps_float32_in_its_tangent():
    """The audit's float32 section: ``np.i0``'s slope I₁ was computed in float64, so the tangent of
    a float32 input came out float64 while the value stayed float32."""
    x = np.array([0.3, 1.5], np.float32)
    y, t = ad.jvp(np.i0, (x,), (np.ones(2, np.float32),))
    assert y.dtype == t.dtype == np.float32
    # I0' = I1 = Σ (x/2)^(2k+1) / (k! (k+1)!), a few terms suffice at these points
    i1 = sum((x.astype(float) / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(12))
    np.testing.assert_allclose(t, i1, rtol=1e-6)
    assert ad.grad(lambda z: np.sum(np.i0(z)))(x).dtype == np.float32


def test_jacfwd_refuses_a_bool_or_integer_output_as_jacrev_does():
    """JAX's jacfwd raises for a non-float output; adviz's jacfwd returned zeros while jacrev refused."""
    for transform in (ad.jacfwd, ad.jacrev):
        with pytest.raises(TypeError, match="floating-point output"):
            transform(lambda x: x > 0)(np.array([1.5, -1.0]))
        with pytest.raises(TypeError, match="floating-point output"):
            transform(lambda x: (np.sin(x), np.floor(x).astype(int)))(np.array([1.5]))
    np.testing.assert_array_equal(ad.jacfwd(lambda x: np.floor(x))(np.array([1.5])), [[0.0]])  # a float step: slope 0
