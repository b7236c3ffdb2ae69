"""The array functions of issue 9 §4 (``rearranging``, ``sorting``, ``indexing``, ``reductions``,
``elementwise``, ``shapes``), each against independent references: central differences in
random directions for jvp, ``wᵀJ`` and the dot-product identity for vjp, jacfwd/jacrev, and
Hessian-vector products by forward-over-reverse and reverse-over-reverse."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad

try:
    from .arraycheck import check
except ImportError:  # pragma: no cover
    from arraycheck import check  # type: ignore[no-redef]


def distinct(*shape, seed=0):
    """Distinct entries at least 0.3 apart (no ties: sort, median, max are smooth there)."""
    n = int(np.prod(shape, dtype=int))
    return ((np.random.default_rng(seed).permutation(n) - n / 2) * 0.3 + 0.05).reshape(shape)


def rand(*shape, seed=1, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# (id, function, inputs): every row goes through ``check`` (first and second order).
# Linear functions are squared or multiplied by their input so that second order is not trivially 0.
CASES = [
    # splitting
    ("split-sections", lambda x: np.stack(np.split(x, 2)) ** 2, [rand(4, 3)]),
    ("split-indices-axis1", lambda x: np.concatenate(np.split(x, [1, 3], axis=1)[::-1], axis=1) * x.sum(), [rand(2, 5)]),
    ("array_split-uneven", lambda x: np.array_split(x, 3)[0] * np.array_split(x, 3)[2][0], [rand(7)]),
    ("array_split-axis", lambda x: np.array_split(x, 2, axis=1)[1] ** 3, [rand(2, 5)]),
    ("hsplit", lambda x: np.hsplit(x, 2)[1] * np.hsplit(x, 2)[0], [rand(3, 4)]),
    ("hsplit-1d", lambda x: np.hsplit(x, [2])[1] ** 2, [rand(5)]),
    ("vsplit", lambda x: np.vsplit(x, 2)[0] * np.vsplit(x, 2)[1], [rand(4, 3)]),
    ("dsplit", lambda x: np.dsplit(x, [1])[1] ** 2, [rand(2, 2, 3)]),
    # repeating and moving
    ("repeat-flat", lambda x: np.repeat(x, 2) ** 2, [rand(2, 3)]),
    ("repeat-axis-counts", lambda x: np.repeat(x, [1, 0, 3], axis=1) * np.repeat(x, [1, 0, 3], axis=1).sum(),
     [rand(2, 3)]),
    ("repeat-method", lambda x: x.repeat(3, axis=0) ** 2, [rand(2, 2)]),
    ("tile-int", lambda x: np.tile(x, 3) ** 2, [rand(2)]),
    ("tile-tuple-grows-ndim", lambda x: np.tile(x, (2, 1, 2)) ** 2, [rand(2, 3)]),
    ("roll-flat", lambda x: np.roll(x, 2) * x, [rand(2, 3)]),
    ("roll-axis-negative", lambda x: np.roll(x, -1, axis=1) * x, [rand(2, 3)]),
    ("roll-two-axes", lambda x: np.roll(x, (1, 2), axis=(0, 1)) * x, [rand(3, 4)]),
    ("rot90", lambda x: np.rot90(x) ** 2, [rand(2, 3)]),
    ("rot90-k3-axes", lambda x: np.rot90(x, 3, axes=(1, 2)) ** 2, [rand(2, 3, 4)]),
    ("rot90-k2", lambda x: np.rot90(x, 2) * x, [rand(3, 3)]),
    ("flipud", lambda x: np.flipud(x) * x, [rand(3, 2)]),
    ("fliplr", lambda x: np.fliplr(x) * x, [rand(3, 2)]),
    ("rollaxis", lambda x: np.rollaxis(x, 2) ** 2, [rand(2, 3, 4)]),
    ("rollaxis-start", lambda x: np.rollaxis(x, 0, 3) ** 2, [rand(2, 3, 4)]),
    ("atleast_1d", lambda x: np.atleast_1d(x) ** 2, [rand()]),
    ("atleast_2d", lambda x: np.atleast_2d(x) ** 2, [rand(3)]),
    ("atleast_3d-1d", lambda x: np.atleast_3d(x) ** 2, [rand(3)]),
    ("atleast_3d-2d", lambda x: np.atleast_3d(x) ** 2, [rand(2, 3)]),
    ("atleast_3d-several", lambda x, y: np.atleast_3d(x, y)[0] * np.atleast_3d(x, y)[1], [rand(), rand(seed=2)]),
    # padding
    ("pad-constant", lambda x: np.pad(x, 1) ** 2, [rand(2, 3)]),
    ("pad-constant-values", lambda x: np.pad(x, ((1, 0), (2, 1)), constant_values=((1.0, 2.0), (3.0, 4.0))) ** 2,
     [rand(2, 3)]),
    ("pad-traced-constant", lambda c: np.pad(np.arange(3.0) * c, 2, constant_values=c) ** 2, [rand(seed=3)]),
    ("pad-edge", lambda x: np.pad(x, (2, 3), mode="edge") ** 2, [rand(2, 3)]),
    ("pad-reflect", lambda x: np.pad(x, ((1, 2), (0, 2)), mode="reflect") ** 2, [rand(3, 4)]),
    ("pad-symmetric", lambda x: np.pad(x, 2, mode="symmetric") ** 2, [rand(3)]),
    ("pad-wrap", lambda x: np.pad(x, (4, 1), mode="wrap") ** 2, [rand(3)]),
    # triangles, selection, gathers
    ("tril", lambda x: np.tril(x) ** 2, [rand(3, 4)]),
    ("tril-k", lambda x: np.tril(x, -1) * x, [rand(2, 3, 3)]),
    ("triu-k", lambda x: np.triu(x, 1) ** 2, [rand(4, 3)]),
    ("triu-1d", lambda x: np.triu(x) ** 2, [rand(3)]),
    ("select", lambda x: np.select([x < -1, x < 1], [x ** 2, np.sin(x)], default=x * 3), [rand(3, 4, seed=5)]),
    ("select-traced-default", lambda x, d: np.select([x > 0], [x], default=d), [distinct(5), rand(5, seed=9)]),
    ("take_along_axis", lambda x: np.take_along_axis(x, np.array([[2, 0], [1, 1]]), axis=1) ** 2, [rand(2, 3)]),
    ("take_along_axis-none", lambda x: np.take_along_axis(x, np.array([3, 0, 3]), axis=None) ** 2, [rand(2, 2)]),
    # sorting and order statistics (distinct entries: smooth there)
    ("sort", lambda x: np.sort(x) * np.arange(1.0, 6.0), [distinct(5)]),
    ("sort-axis0", lambda x: np.sort(x, axis=0) ** 2, [distinct(3, 4)]),
    ("sort-none", lambda x: np.sort(x, axis=None) ** 3, [distinct(2, 3)]),
    ("partition", lambda x: np.partition(x, 2) ** 2, [distinct(6)]),
    ("partition-kths-axis0", lambda x: np.partition(x, (0, 2), axis=0) ** 2, [distinct(4, 3)]),
    ("median-odd", lambda x: np.median(x) ** 2, [distinct(5)]),
    ("median-even-axis", lambda x: np.median(x, axis=1) ** 2, [distinct(3, 4)]),
    ("median-axes-keepdims", lambda x: np.median(x, axis=(0, 2), keepdims=True) ** 2, [distinct(2, 3, 2)]),
    ("quantile", lambda x: np.quantile(x, 0.3) ** 2, [distinct(6)]),
    ("quantile-array-q-axis", lambda x: np.quantile(x, [0.1, 0.5, 0.95], axis=0) ** 2, [distinct(5, 2)]),
    ("quantile-traced-q", lambda x, q: np.quantile(x, q) ** 2, [distinct(6), np.array(0.31)]),
    ("percentile-keepdims", lambda x: np.percentile(x, 75, axis=1, keepdims=True) ** 2, [distinct(2, 5)]),
    # reductions
    ("cumprod", lambda x: np.cumprod(x), [rand(5, lo=0.5, hi=1.5)]),
    ("cumprod-axis-signed", lambda x: np.cumprod(x, axis=1), [rand(2, 4)]),
    ("cumprod-with-zero", lambda x: np.cumprod(x * np.array([1.0, 0.0, 1.0, 1.0])), [rand(4)]),
    ("cumprod-method", lambda x: x.cumprod(axis=0), [rand(3, 2)]),
    ("diff", lambda x: np.diff(x) ** 2, [rand(5)]),
    ("diff-n2-axis0", lambda x: np.diff(x, n=2, axis=0) ** 2, [rand(4, 3)]),
    ("diff-prepend-append", lambda x: np.diff(x, prepend=0.5, append=np.array([[1.0], [2.0]])) ** 2, [rand(2, 3)]),
    ("diff-traced-prepend", lambda x, p: np.diff(x, prepend=p) ** 2, [rand(4), rand(seed=4)]),
    ("nansum-nanmean-no-nan", lambda x: np.nansum(x, axis=0) * np.nanmean(x), [rand(3, 2)]),
    ("nanmax-nanmin", lambda x: np.nanmax(x, axis=1) - np.nanmin(x), [distinct(2, 3)]),
    ("ptp", lambda x: np.ptp(x, axis=0) ** 2, [distinct(3, 2)]),
    ("average", lambda x: np.average(x, axis=1) ** 2, [rand(2, 3)]),
    ("average-weights", lambda x: np.average(x, axis=0, weights=np.array([1.0, 2.0, 0.5])) ** 2, [rand(3, 2)]),
    ("average-traced-weights", lambda x, w: np.average(x, weights=w) ** 2, [rand(2, 3), rand(2, 3, lo=0.5, hi=1.5)]),
    # elementwise
    ("degrees", lambda x: np.degrees(x) ** 2, [rand(3)]),
    ("radians", lambda x: np.radians(x) ** 2, [rand(3)]),
    ("deg2rad-rad2deg", lambda x: np.deg2rad(x) * np.rad2deg(x), [rand(3)]),
    ("logaddexp2", np.logaddexp2, [rand(3, 2), rand(2, seed=3)]),
    ("sinc", np.sinc, [rand(2, 3)]),
    ("nan_to_num-finite", lambda x: np.nan_to_num(x) ** 2, [rand(3)]),
    ("interp-x", lambda x: np.interp(x, [-1.0, 0.5, 2.0], [3.0, -1.0, 0.0]) ** 2, [np.array([-0.7, 0.1, 1.2, 1.9])]),
    ("interp-x-outside", lambda x: np.interp(x, [-1.0, 0.5], [3.0, -1.0], right=2.5) * x,
     [np.array([-1.5, 0.2, 0.9])]),
    ("interp-fp", lambda fp: np.interp(np.array([0.25, 1.5]), np.array([0.0, 1.0, 2.0]), fp) ** 2, [rand(3)]),
    # joining
    ("column_stack", lambda x, y: np.column_stack([x, y]) ** 2, [rand(3), rand(3, 2, seed=2)]),
    ("dstack", lambda x, y: np.dstack([x, y]) ** 2, [rand(2, 3), rand(2, 3, seed=2)]),
    ("append-flat", lambda x, y: np.append(x, y) ** 2, [rand(2, 2), rand(3, seed=2)]),
    ("append-axis", lambda x, y: np.append(x, y, axis=0) ** 2, [rand(2, 2), rand(1, 2, seed=2)]),
    ("append-plain-values", lambda x: np.append(x, [1.0, 2.0]) ** 2, [rand(2)]),
]
if hasattr(np, "row_stack"):
    import warnings

    def _row_stack(x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.row_stack([x, y]) ** 2

    CASES.append(("row_stack", _row_stack, [rand(3), rand(3, seed=2)]))


@pytest.mark.parametrize("name, fn, inputs", CASES, ids=[c[0] for c in CASES])
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
    (lambda a: np.pad(a, 1, mode="linear_ramp"), "np.pad(mode='linear_ramp')"),
    (lambda a: np.pad(a, 1, mode="reflect", reflect_type="odd"), "reflect_type"),
    (lambda a: np.quantile(a, 0.5, method="nearest"), "method='nearest'"),
    (lambda a: np.interp(a, [0.0, 1.0], [1.0, 2.0], period=1.0), "period"),
    (lambda a: np.unique(a), "np.unique"),
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
