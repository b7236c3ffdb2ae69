"""NumPy functions refused by name (``numpy_api/refusals.py``), each message saying what to write
instead, and NumPy handed a Python list that mixes traced values and plain numbers."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad
from adviz.engine.tracer import UnsupportedOperation

X = np.array([0.4, 1.3, -0.7])


def _scatter_plain(x):
    a = np.zeros(3)
    np.add.at(a, [0, 0, 2], x)
    return a


def _put(x):
    np.put(x, [0], 1.0)
    return x


def _place(x):
    a = np.zeros(3)
    np.place(a, np.array([True, False, True]), x)
    return a


def _copyto(x):
    a = np.zeros(3)
    np.copyto(a, x, where=np.array([True, False, True]))
    return a


def _putmask(x):
    np.putmask(x, x > 1, 0.0)
    return x


def _maximum_at(x):
    np.maximum.at(x, [1], 0.0)
    return x


@pytest.mark.parametrize("f, name, advice", [
    (_scatter_plain, "np.add.at", "np.bincount(indices, weights=b"),
    (_maximum_at, "np.maximum.at", "np.where(m"),
    (_put, "np.put", "np.where(m, v, a)"),
    (_place, "np.place", "np.where(mask, v, a)"),
    (_copyto, "np.copyto", "np.where(mask, src, dst)"),
    (_putmask, "np.putmask", "np.where(mask, values, a)"),
    (lambda x: np.histogram(x, bins=2)[0], "np.histogram", "outside the transform"),
    (lambda x: np.roots(np.stack([1.0, x[0], x[1]])), "np.roots", "ad.custom_jvp"),
    (lambda x: np.poly(np.outer(x, x)), "np.poly of a traced matrix", "eigvalsh"),
], ids=["add.at", "maximum.at", "put", "place", "copyto", "putmask", "histogram", "roots", "poly-matrix"])
def test_refusal_names_the_function_and_what_to_write(f, name, advice):
    for transform in (ad.jacrev, ad.jacfwd):
        with pytest.raises(UnsupportedOperation) as info:
            transform(lambda x: np.sum(f(x)))(X.copy())
        assert name in str(info.value) and advice in str(info.value)


def test_the_add_at_advice_gives_numpys_scatter_and_its_derivative():
    """What the np.add.at refusal tells the user to write is right: same values as np.add.at, and
    the Jacobian of the one-hot form is the one-hot matrix itself (repeated indices add up)."""
    idx, b = np.array([0, 0, 2]), np.array([1.5, -2.0, 0.25])
    a = np.array([1.0, 2.0, 3.0])
    expected = a.copy()
    np.add.at(expected, idx, b)
    np.testing.assert_array_equal(a + np.bincount(idx, weights=b, minlength=3), expected)
    J = ad.jacrev(lambda b: a + np.eye(3)[idx].T @ b)(b)
    np.testing.assert_array_equal(J, [[1, 1, 0], [0, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize("f, call", [
    (lambda x: np.sin([x, 1.0]), "np.sin(np.array([x, 1.0]))"),
    (lambda x: np.exp([1.0, x * x]), "np.exp(np.stack([x, 1.0]))"),
    (lambda x: np.arctan2([x, 1.0], [1.0, x]), "np.arctan2(np.array([x, 1.0]), y)"),
], ids=["sin", "exp", "arctan2"])
def test_a_ufunc_given_a_mixed_list_says_what_to_write(f, call):
    with pytest.raises(UnsupportedOperation) as info:
        ad.grad(lambda x: np.sum(f(x)))(0.3)
    assert call in str(info.value)


def test_the_mixed_list_advice_traces():
    """Both spellings the refusal suggests give cos(x) (and 0 for the constant entry)."""
    for build in (lambda v: np.array(v), lambda v: np.stack(v)):  # np.array looked up while the transform runs
        g = ad.grad(lambda x: np.sum(np.sin(build([x, 1.0]))))(0.3)
        assert g == pytest.approx(np.cos(0.3), rel=1e-15)


def test_a_list_of_traced_values_only_still_traces():
    g = ad.grad(lambda x: np.sum(np.sin([x, 2.0 * x])))(0.3)
    assert g == pytest.approx(np.cos(0.3) + 2.0 * np.cos(0.6), rel=1e-14)


def test_a_frompyfunc_ufunc_refuses_and_np_vectorize_traces():
    square = lambda t: t * t  # noqa: E731
    x = np.array([0.5, -1.5, 2.0])
    with pytest.raises(UnsupportedOperation, match="np.frompyfunc.*np.vectorize"):
        ad.grad(lambda x: np.sum(np.frompyfunc(square, 1, 1)(x)))(x)
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(np.vectorize(square)(x)))(x), 2 * x)


def test_a_random_sampler_with_a_traced_parameter_says_to_reparameterize():
    """VAE course code: rng.normal(mu, sigma) is C code that takes plain numbers; the refusal names the
    reparameterization, which then traces (d/dmu = 1, d/dsigma = the noise drawn)."""
    rng = np.random.default_rng(0)
    with pytest.raises(UnsupportedOperation, match=r"mu \+ sigma \* rng.standard_normal\(shape\)"):
        ad.grad(lambda mu: rng.normal(mu, 1.0))(0.5)
    eps = np.random.default_rng(1).standard_normal(3)
    g_mu, g_sigma = ad.grad(lambda mu, sigma: np.sum(mu + sigma * eps), argnums=(0, 1))(np.zeros(3), 1.0)
    np.testing.assert_array_equal(g_mu, np.ones(3))
    assert g_sigma == pytest.approx(np.sum(eps), rel=1e-15)
