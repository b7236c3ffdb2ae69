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


# ---------------------------------------------------------------- where= and initial=
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
ROW_MASK = np.array([True, False, True, True])  # broadcast over the rows, as NumPy allows


@pytest.mark.parametrize("name, fn", [
    ("sum(where)", lambda x: np.sum(x, where=MASK)),
    ("sum(axis=0, where=row mask)", lambda x: np.sum(x, axis=0, where=ROW_MASK)),
    ("sum(axis=1, initial, keepdims)", lambda x: np.sum(x, axis=1, initial=1.5, keepdims=True)),
    ("prod(axis=1, where, initial)", lambda x: np.prod(x, axis=1, where=MASK, initial=2.0)),
    ("max(axis=0, where, initial)", lambda x: np.max(x, axis=0, where=MASK, initial=-0.25)),
    ("min(initial) over everything", lambda x: np.min(x, axis=(0, 1), initial=0.3)),
    ("amax(axis=1, initial, keepdims)", lambda x: np.amax(x, axis=1, initial=0.0, keepdims=True)),
    ("mean(axis=1, where)", lambda x: np.mean(x, axis=1, where=MASK)),
    ("mean(where)", lambda x: np.mean(x, where=MASK)),
    ("x.sum(where)", lambda x: x.sum(axis=0, where=MASK)),
    ("x.max(initial)", lambda x: x.max(axis=1, initial=0.1)),
    ("x.prod(initial)", lambda x: x.prod(initial=0.5)),
    ("nansum(where)", lambda x: np.nansum(x, axis=0, where=MASK)),
    ("nanmax(initial)", lambda x: np.nanmax(x, axis=0, initial=0.0)),
])
def test_where_and_initial_on_reductions_against_references(name, fn):
    """Were refused; each is now checked (value, jvp, vjp, jacobians, second order) against
    central differences."""
    check(fn, distinct((3, 4)), name=name)


@pytest.mark.parametrize("name, fn", [
    ("add.reduce(where)", lambda x: np.add.reduce(x, axis=1, where=MASK)),
    ("add.reduce(axis=None, where)", lambda x: np.add.reduce(x, axis=None, where=MASK)),
    ("multiply.reduce(initial)", lambda x: np.multiply.reduce(x, initial=2.0)),
    ("maximum.reduce(where, initial)", lambda x: np.maximum.reduce(x, axis=None, where=MASK, initial=-9.0)),
    ("minimum.reduce(keepdims)", lambda x: np.minimum.reduce(x, axis=1, keepdims=True)),
    ("add.accumulate(axis=1)", lambda x: np.add.accumulate(x, axis=1)),
])
def test_ufunc_reduce_honours_every_option(name, fn):
    """``np.add.reduce(x, where=mask)`` used to drop ``where`` silently and differentiate the
    sum of every entry: a wrong number.  Every option now reaches the reduction."""
    check(fn, distinct((3, 4)), name=name)


def test_ufunc_reduce_with_an_unknown_option_is_an_error_not_ignored():
    with pytest.raises(TypeError, match="foo"):
        ad.grad(lambda x: np.add.reduce(x, foo=1))(distinct((3, 4)))
    with pytest.raises(TypeError, match="out"):
        ad.grad(lambda x: np.add.reduce(x, out=np.zeros(4)))(distinct((3, 4)))


def test_initial_is_one_more_candidate_of_a_max():
    """A tie between ``initial`` and an entry shares the slope as any tie of a max does
    (docs/conventions.md): ½ to the entry here, 1/3 with two tied entries."""
    np.testing.assert_array_equal(ad.grad(lambda x: np.max(x, initial=3.0))(np.array([1.0, 3.0])), [0.0, 0.5])
    np.testing.assert_allclose(ad.grad(lambda x: np.max(x, initial=3.0))(np.array([3.0, 3.0])), [1 / 3, 1 / 3])
    assert np.all(ad.grad(lambda x: np.max(x, initial=5.0))(np.array([1.0, 3.0])) == 0.0)
    # a max over nothing is initial itself
    g = ad.grad(lambda x: np.sum(np.max(x, axis=0, initial=1.0)))(np.zeros((0, 3)))
    assert g.shape == (0, 3)


def test_a_traced_initial_is_differentiated():
    x = distinct((3, 4))
    g = ad.grad(lambda x: np.sum(x, initial=x[0, 0] * 2.0))(x)
    expected = np.ones((3, 4))
    expected[0, 0] = 3.0
    np.testing.assert_array_equal(g, expected)


def test_max_with_where_needs_initial_as_in_numpy():
    x = distinct((3, 4))
    with pytest.raises(ValueError, match="initial"):
        np.max(x, where=MASK)
    with pytest.raises(ValueError, match="initial"):
        ad.grad(lambda a: np.max(a, where=MASK))(x)


def test_mean_of_an_empty_slice_is_nan_and_sends_nothing_back():
    """NumPy's mean of nothing is nan (with a warning); its slice gets derivative 0, and the
    other slices stay exact (dividing by the count 0 would send 0/0 = nan to every entry)."""
    x = distinct((2, 3))
    keep = np.array([[True, False, True], [False, False, False]])
    with pytest.warns(RuntimeWarning, match="empty slice"):
        value = ad.jvp(lambda a: np.mean(a, axis=1, where=keep), (x,), (x,))[0]
    assert value[0] == np.mean(x[0, [0, 2]]) and np.isnan(value[1])
    with pytest.warns(RuntimeWarning):
        g = ad.grad(lambda a: np.mean(a, axis=1, where=keep)[0])(x)
    np.testing.assert_array_equal(g, [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]])


def test_where_and_initial_keep_float32():
    x = distinct((3, 4)).astype(np.float32)
    for fn in (lambda a: np.sum(a, where=MASK, initial=np.float64(2.0)), lambda a: np.max(a, initial=0.0),
               lambda a: np.mean(a, where=MASK)):
        y, vjp_fn = ad.vjp(fn, x)
        assert y.dtype == fn(x).dtype == np.float32
        assert vjp_fn(np.ones_like(y))[0].dtype == np.float32


@pytest.mark.parametrize("name, fn", [
    ("var(axis=1, where)", lambda x: np.var(x, axis=1, where=MASK)),
    ("var(where, ddof=1)", lambda x: np.var(x, where=MASK, ddof=1)),
    ("var(axis=1, where=row mask, keepdims)", lambda x: np.var(x, axis=1, where=ROW_MASK, keepdims=True)),
    ("nanmean(axis=1, where)", lambda x: np.nanmean(x, axis=1, where=MASK)),
])
def test_var_and_nanmean_with_where_against_references(name, fn):
    check(fn, distinct((3, 4)), name=name)


def test_var_with_where_refuses_a_slice_without_enough_entries():
    with pytest.raises(TypeError, match="keeps 1 entries"):
        ad.grad(lambda a: np.sum(np.var(a, axis=1, where=MASK, ddof=1)))(distinct((3, 4)))


def test_nanmean_of_a_slice_of_nans_sends_nothing_back():
    """NaN entries get slope 0 (docs/conventions.md), also when their whole slice is NaN: the
    mean of nothing used to divide by the count 0 and send 0/0 = nan to them."""
    x = np.array([[1.0, 2.0], [np.nan, np.nan]])
    with pytest.warns(RuntimeWarning):
        g = ad.grad(lambda a: np.nanmean(a, axis=1)[0])(x)
    np.testing.assert_array_equal(g, [[0.5, 0.5], [0.0, 0.0]])
    with pytest.warns(RuntimeWarning):
        g = ad.grad(lambda a: np.nansum(np.nanmean(a, axis=0)))(np.array([[1.0, np.nan], [3.0, np.nan]]))
    np.testing.assert_array_equal(g, [[0.5, 0.0], [0.5, 0.0]])


@pytest.mark.parametrize("name, fn", [
    ("std(axis=1, where)", lambda x: np.std(x, axis=1, where=MASK)),
    ("std(where, ddof=1, keepdims)", lambda x: np.std(x, where=MASK, ddof=1, keepdims=True)),
    ("nanvar(axis=1, where)", lambda x: np.nanvar(np.where(x > 1.5, np.nan, x), axis=1, where=MASK)),
    ("nanstd(axis=1, where)", lambda x: np.nanstd(np.where(x > 1.5, np.nan, x), axis=1, where=MASK)),
])
def test_std_and_nanvar_with_where_against_references(name, fn):
    x = distinct((3, 4))
    assert np.isnan(np.where(x > 1.5, np.nan, x)).any()
    check(fn, x, name=name)


def test_std_with_where_at_zero_spread_follows_the_convention():
    """0 where the entries kept are all equal, at first and second order, as std without where."""
    x = np.array([[2.0, 2.0, 5.0], [1.0, 3.0, 2.0]])
    keep = np.array([[True, True, False], [True, True, True]])
    g = ad.grad(lambda a: np.sum(np.std(a, axis=1, where=keep)))(x)
    row = x[1]
    np.testing.assert_array_equal(g[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(g[1], (row - row.mean()) / (row.size * row.std()), rtol=1e-12)
    assert np.all(ad.hessian(lambda a: np.std(a, axis=1, where=keep)[0])(x) == 0.0)
