"""Reductions of ``adviz.engine.numpy_api.reductions``: std's convention at zero spread, and
every axis / ddof / keepdims combination against independent references."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

import adviz as ad

try:
    from .arraycheck import check
except ImportError:  # pragma: no cover
    from arraycheck import check  # type: ignore[no-redef]


def distinct(shape, seed=0):
    n = int(np.prod(shape, dtype=int))
    return ((np.random.default_rng(seed).permutation(n) - n / 2) * 0.3 + 0.1).reshape(shape)


AXES = [None, 0, 1, -1, (0, 1)]


@pytest.mark.parametrize("axis, ddof, keepdims", list(itertools.product(AXES, [0, 1], [False, True])))
def test_std_and_var_against_references(axis, ddof, keepdims):
    x = distinct((3, 4))
    for fn in (np.std, np.var):
        check(functools.partial(fn, axis=axis, ddof=ddof, keepdims=keepdims), x,
              name=f"{fn.__name__}(axis={axis}, ddof={ddof}, keepdims={keepdims})")


def test_std_method_and_3d():
    check(lambda x: x.std(axis=(0, 2)), distinct((2, 3, 4)), name="x.std(axis=(0, 2))")
    check(lambda x: np.std(x, axis=1, correction=1), distinct((2, 3, 4)), name="std(correction=1)")


def test_std_of_a_single_number_has_derivative_zero():
    """std of one entry is identically 0: its derivative is exactly 0, never nan."""
    assert ad.grad(np.std)(3.5) == 0.0
    g = ad.grad(np.std)(np.array([2.0]))
    assert g.shape == (1,) and g[0] == 0.0
    assert ad.grad(ad.grad(np.std))(3.5) == 0.0
    assert ad.grad(lambda x: np.sum(np.std(x, axis=1)))(np.ones((3, 1))).tolist() == [[0.0]] * 3


@pytest.mark.parametrize("axis, ddof, keepdims", list(itertools.product(AXES, [0, 1], [False, True])))
def test_std_at_a_constant_vector_uses_the_zero_subgradient(axis, ddof, keepdims):
    """At zero spread std has no derivative (it is |t|·std(v) along x + t v); adviz picks the
    subgradient 0 in every mode, and a symmetric central difference agrees with it."""
    x = np.full((3, 4), 1.5)
    f = functools.partial(np.std, axis=axis, ddof=ddof, keepdims=keepdims)
    v = np.random.default_rng(1).uniform(-1, 1, x.shape)
    _, t = ad.jvp(f, (x,), (v,))
    assert np.all(np.asarray(t) == 0.0)
    fd = (f(x + 1e-3 * v) - f(x - 1e-3 * v)) / 2e-3
    np.testing.assert_allclose(t, fd, atol=1e-12)
    w = np.ones(np.shape(f(x)))
    (xb,) = ad.vjp(f, x)[1](w)
    assert np.all(xb == 0.0)
    assert np.all(ad.jacrev(f)(x) == 0.0) and np.all(ad.jacfwd(f)(x) == 0.0)
    h = ad.hessian(lambda a: np.sum(f(a)))(x)
    assert np.all(h == 0.0), "second order at zero spread follows the same convention: 0, never nan"


def test_std_with_one_constant_row_keeps_the_other_rows_exact():
    x = np.array([[2.0, 2.0, 2.0], [0.5, -1.0, 3.0]])
    g = ad.grad(lambda a: np.sum(np.std(a, axis=1) * np.array([1.0, 2.0])))(x)
    row = x[1]
    expected = 2.0 * (row - row.mean()) / (row.size * row.std())
    np.testing.assert_allclose(g[0], 0.0, atol=0)
    np.testing.assert_allclose(g[1], expected, rtol=1e-12)
    check(lambda a: np.std(a, axis=0), x[1:], name="std one row")


def test_std_keeps_float32():
    x = distinct((3, 4)).astype(np.float32)
    assert ad.grad(lambda a: np.std(a))(x).dtype == np.float32
    assert ad.grad(lambda a: np.std(a))(np.ones(3, np.float32)).dtype == np.float32


def test_std_trace_shows_one_node():
    t = ad.trace(lambda x: np.std(x, ddof=1), np.array([1.0, 2.0, 4.0]))
    assert "std(x, ddof=1)" in repr(t)
