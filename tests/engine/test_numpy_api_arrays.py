"""The array functions of issue 9 §4 (``rearranging``, ``sorting``, ``indexing``, ``reductions``,
``elementwise``, ``shapes``), each against independent references: central differences in
random directions for jvp, ``wᵀJ`` and the dot-product identity for vjp, jacfwd/jacrev, and
Hessian-vector products by forward-over-reverse and reverse-over-reverse."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad

try:
    from .array_cases import ARRAY_CASES, rand
    from .arraycheck import check
except ImportError:  # pragma: no cover
    from array_cases import ARRAY_CASES, rand  # type: ignore[no-redef]
    from arraycheck import check  # type: ignore[no-redef]


@pytest.mark.parametrize("name, fn, inputs", ARRAY_CASES, ids=[c[0] for c in ARRAY_CASES])
def test_array_function(name, fn, inputs):
    check(fn, *inputs, name=name)


def test_sinc_at_zero_first_and_second_order():
    """sin(πx)/(πx) = 1 - π²x²/6 + …: slope 0 and curvature -π²/3 at 0 (no 0/0)."""
    assert ad.grad(np.sinc)(0.0) == 0.0
    np.testing.assert_allclose(ad.grad(ad.grad(np.sinc))(0.0), -np.pi ** 2 / 3, rtol=1e-12)
    np.testing.assert_allclose(ad.grad(np.sinc)(1e-4), (np.sinc(1e-4 + 1e-7) - np.sinc(1e-4 - 1e-7)) / 2e-7,
                               rtol=1e-6)


def test_nan_to_num_and_nan_reductions_give_zero_slope_to_nan_and_inf():
    x = np.array([1.5, np.nan, np.inf, -np.inf, -2.0])
    g = ad.grad(lambda a: np.sum(np.nan_to_num(a, posinf=7.0) * np.arange(1.0, 6.0)))(x)
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0, 0.0, 5.0])
    np.testing.assert_array_equal(ad.grad(lambda a: np.nansum(a * 3.0))(np.array([2.0, np.nan])), [3.0, 0.0])
    np.testing.assert_array_equal(ad.grad(np.nanmean)(np.array([2.0, np.nan, 1.0])), [0.5, 0.0, 0.5])


def test_sort_ties_follow_the_stable_order():
    """Equal entries: the first in the input takes the first sorted slot (and its derivative)."""
    x = np.array([2.0, 1.0, 2.0])
    w = np.array([10.0, 20.0, 30.0])
    g = ad.grad(lambda a: np.sum(np.sort(a) * w))(x)
    np.testing.assert_array_equal(g, [20.0, 10.0, 30.0])
    _, t = ad.jvp(lambda a: np.sort(a), (x,), (np.array([1.0, 2.0, 3.0]),))
    np.testing.assert_array_equal(t, [2.0, 1.0, 3.0])
    assert ad.grad(np.median)(np.array([3.0, 1.0, 3.0, 3.0])).tolist() == [0.5, 0.0, 0.5, 0.0]


def test_sort_at_a_tie_is_exact_at_every_order_when_the_whole_function_is_smooth():
    """sum(sort(x)**2) is sum(x**2): gradient 2x and Hessian 2·I even where entries tie."""
    f = lambda a: np.sum(np.sort(a) ** 2)  # noqa: E731
    x = np.array([1.0, 1.0, -0.5])
    np.testing.assert_array_equal(ad.grad(f)(x), 2 * x)
    np.testing.assert_array_equal(ad.hessian(f)(x), 2 * np.eye(3))
    np.testing.assert_array_equal(ad.jacfwd(ad.grad(f))(x), 2 * np.eye(3))


def test_partition_matches_numpy_entry_for_entry():
    x = np.random.default_rng(3).permutation(20).astype(float)
    for kth in (0, 7, (3, 15), -1):
        y, _ = ad.vjp(lambda a: np.partition(a, kth), x)
        np.testing.assert_array_equal(y, np.partition(x, kth))


@pytest.mark.parametrize("fn", [np.isfinite, np.isnan, np.isinf, np.iscomplex, np.isreal, np.isposinf,
                                np.isneginf, np.argsort, np.floor, np.sign, np.fix, np.flatnonzero,
                                lambda a: np.searchsorted(np.sort(a), 0.5), lambda a: np.argpartition(a, 1),
                                lambda a: a.argsort(), lambda a: np.heaviside(a, 0.5)])
def test_predicates_and_integer_results_are_plain_values(fn):
    x = np.array([0.7, -1.2, 3.0])
    seen = {}

    def f(a):
        seen["out"] = fn(a)
        return np.sum(a * 2.0)

    ad.grad(f)(x)
    assert type(seen["out"]) in (np.ndarray, np.bool_, np.float64, np.int64, tuple), type(seen["out"])
    np.testing.assert_array_equal(seen["out"], fn(x))


@pytest.mark.parametrize("fn, message", [
    (lambda a: np.pad(a, 1, mode="empty"), "np.pad(mode='empty')"),
    (lambda a: np.pad(a, 3, mode="reflect", reflect_type="odd"), "reflect_type='odd') reflecting more than once"),
    (lambda a: np.ravel(np.stack([a, a]), order="A"), "ravel(order='A')"),
    (lambda a: np.stack([a, a]).flatten("K"), "ravel(order='K')"),
    (lambda a: np.quantile(np.arange(3.0), a[0] * 0.1, method="nearest"), "method='nearest'"),  # traced q
    (lambda a: np.unique(np.stack([a, a]), axis=0), "np.unique(..., axis=...)"),
    (lambda a: np.sort(np.ones(2)) + a.sort(), "np.sort(x)"),
])
def test_unsupported_variants_are_refused_by_name(fn, message):
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ad.grad(lambda a: np.sum(fn(a)))(np.array([0.2, 0.6]))


def test_float32_stays_float32():
    x = rand(3, 4).astype(np.float32)
    for fn in (lambda a: np.pad(a, 1), lambda a: np.sort(a, axis=0), np.cumprod, lambda a: np.tril(a),
               lambda a: np.median(a, axis=0), np.sinc, lambda a: np.roll(a, 1)):
        y, vjp_fn = ad.vjp(fn, x)
        assert y.dtype == np.float32 and vjp_fn(np.ones_like(y))[0].dtype == np.float32


def test_nanstd_follows_std_at_zero_spread_and_ignores_nan():
    x = np.array([[1.5, 1.5, np.nan], [0.5, -1.0, 2.0]])
    g = ad.grad(lambda a: np.sum(np.nanstd(a, axis=1)))(x)
    row = x[1]
    np.testing.assert_array_equal(g[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(g[1], (row - row.mean()) / (row.size * row.std()), rtol=1e-12)
    np.testing.assert_array_equal(ad.hessian(lambda a: np.nanstd(a))(np.full(3, 2.0)), np.zeros((3, 3)))


def test_signals_match_numpy_values_in_every_mode():
    a, v = rand(5), rand(3, seed=4)
    for mode in ("full", "same", "valid"):
        for p, q in ((a, v), (v, a)):
            for fn in (np.convolve, np.correlate):
                y, _ = ad.vjp(lambda s, t, fn=fn, mode=mode: fn(s, t, mode), p, q)
                np.testing.assert_allclose(y, fn(p, q, mode), rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError):
        ad.grad(lambda s: np.sum(np.convolve(s, s, "middle")))(a)


QUANTILE_METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
                    "hazen", "weibull", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint",
                    "nearest"]


@pytest.mark.parametrize("method", QUANTILE_METHODS)
@pytest.mark.parametrize("q, axis", [(0.37, None), (np.array([0.0, 0.5, 1.0]), 1), (np.array([[0.2], [0.8]]), 0)])
def test_every_quantile_method_gives_numpys_value_and_the_slope_of_central_differences(method, q, axis):
    # Was refused ("only 'linear' is supported"): the other methods are fixed linear
    # combinations of the sorted entries, with NumPy's weights.
    x = np.array([[0.3, -1.1, 2.0, 0.7, 1.4], [-0.2, 0.9, -2.3, 1.6, 0.1], [1.2, -0.6, 0.4, -1.7, 2.5]])
    f = lambda x: np.quantile(x, q, axis=axis, method=method)  # noqa: E731
    v = np.cos(np.arange(15.0)).reshape(3, 5)
    y, y_dot = ad.jvp(f, (x,), (v,))
    np.testing.assert_allclose(y, f(x), rtol=1e-14, atol=1e-15)
    h = 1e-6  # piecewise linear in x between ties: central differences are exact up to rounding
    np.testing.assert_allclose(y_dot, (f(x + h * v) - f(x - h * v)) / (2 * h), rtol=1e-7, atol=1e-8)
    J = ad.jacrev(f)(x)
    np.testing.assert_allclose(np.tensordot(J, v, axes=2), y_dot, rtol=1e-12, atol=1e-14)
    pct = ad.jvp(lambda x: np.percentile(x, 100 * q, axis=axis, method=method), (x,), (v,))[1]
    np.testing.assert_allclose(pct, y_dot, rtol=1e-12, atol=1e-14)


def test_a_traced_q_is_refused_for_the_discrete_quantile_methods():
    with pytest.raises(ad.UnsupportedOperation, match="method='lower'.*traced q"):
        ad.grad(lambda q: np.quantile(np.arange(5.0), q, method="lower"))(0.3)


# ---------------------------------------------------------------- np.pad's other modes, order='F'
PAD_CASES = [
    ("linear_ramp", {}), ("linear_ramp", {"end_values": ((1.5, -2.0), (0.5, 3.0))}),
    ("linear_ramp", {"end_values": 2.0}), ("maximum", {}), ("minimum", {}), ("mean", {}), ("median", {}),
    ("maximum", {"stat_length": 2}), ("mean", {"stat_length": ((1, 2), (3, 1))}), ("median", {"stat_length": (2, 3)}),
    ("reflect", {"reflect_type": "odd"}), ("symmetric", {"reflect_type": "odd"}),
]


def spread(*shape):
    """Entries at least 0.3 apart: a max or a median is not within a finite-difference step of a tie."""
    n = int(np.prod(shape))
    return ((np.random.default_rng(7).permutation(n) - n / 2) * 0.3 + 0.05).reshape(shape)


@pytest.mark.parametrize("mode, kwargs", PAD_CASES, ids=[f"{m}-{k}" for m, k in PAD_CASES])
def test_pad_modes_against_references(mode, kwargs):
    """Were refused.  Two axes with unequal widths, so the corners (filled one axis after the
    other, as NumPy does) are checked too."""
    check(lambda a: np.pad(a, ((1, 2), (2, 1)), mode=mode, **kwargs), spread(3, 4), name=f"pad {mode} {kwargs}")


@pytest.mark.parametrize("mode", ["linear_ramp", "maximum", "minimum", "mean", "median", "reflect", "symmetric", "wrap"])
def test_pad_wider_than_the_array(mode):
    check(lambda a: np.pad(a, 7, mode=mode), spread(5), name=f"pad 7 {mode}")


def test_pad_refuses_what_numpy_refuses():
    for kwargs, message in (({"mode": "foo"}, "mode 'foo' is not supported"),
                            ({"mode": "maximum", "stat_length": 0}, "stat_length of 0"),
                            ({"mode": "edge", "foo": 1}, "unsupported keyword")):
        with pytest.raises(ValueError, match=message):
            np.pad(rand(4), 2, **kwargs)
        with pytest.raises(ValueError, match=message):
            ad.grad(lambda a: np.sum(np.pad(a, 2, **kwargs)))(rand(4))


@pytest.mark.parametrize("name, fn, shape", [
    ("reshape F", lambda a: np.reshape(a, (3, 2), order="F"), (2, 3)),
    ("reshape F by position", lambda a: np.reshape(a, (3, 2), "F"), (2, 3)),
    ("reshape f 3-d", lambda a: np.reshape(a, (2, 3, 2), order="f"), (4, 3)),
    ("reshape F from 1-d", lambda a: np.reshape(a, (2, 3), order="F"), (6,)),
    ("x.reshape F", lambda a: a.reshape(3, 2, order="F"), (2, 3)),
    ("x.reshape(-1) F", lambda a: a.reshape(-1, order="F"), (2, 3)),
    ("ravel F", lambda a: np.ravel(a, order="F"), (2, 3, 2)),
    ("x.ravel F", lambda a: a.ravel("F"), (3, 2)),
    ("flatten F", lambda a: a.flatten(order="F"), (2, 3)),
    ("reshape C by position", lambda a: np.reshape(a, (3, 2), "C"), (2, 3)),
])
def test_fortran_order_against_references(name, fn, shape):
    """``order='F'`` (first index fastest) was refused; entries land where NumPy puts them."""
    x = rand(*shape)
    y, vjp_fn = ad.vjp(fn, x)
    np.testing.assert_array_equal(y, fn(x))
    check(fn, x, name=name)


@pytest.mark.parametrize("name, fn", [
    ("multiply.outer", lambda a: np.multiply.outer(a[0], a[1])),
    ("subtract.outer 2-d by 1-d", lambda a: np.subtract.outer(a, a[0, :2]) ** 2),
    ("arctan2.outer", lambda a: np.arctan2.outer(a[0], 3.0 + a[1, :2])),
    ("power.outer", lambda a: np.power.outer(2.5 + a[0], a[1])),
])
def test_ufunc_outer_against_references(name, fn):
    """``ufunc.outer(a, b)`` is ``ufunc(a[..., None, …], b)`` (was refused by name)."""
    check(fn, rand(3, 4), name=name)


def test_unique_gives_numpys_values_and_the_first_of_tied_entries_the_slope():
    x = np.array([[0.5, -1.0, 0.5], [2.0, -1.0, 3.0]])
    got = ad.vjp(lambda a: np.unique(a, return_index=True, return_inverse=True, return_counts=True), x)[0]
    for g, e in zip(got, np.unique(x, return_index=True, return_inverse=True, return_counts=True)):
        np.testing.assert_array_equal(g, e)
    J = ad.jacrev(np.unique)(x)  # values -1, 0.5, 2, 3 from their first occurrences
    expected = np.zeros((4, 2, 3))
    expected[0, 0, 1] = expected[1, 0, 0] = expected[2, 1, 0] = expected[3, 1, 2] = 1.0
    np.testing.assert_array_equal(J, expected)
    np.testing.assert_array_equal(ad.jacfwd(np.unique)(x), expected)
