"""Case tables for the array functions of issue 9 §3–4 (``np.array([...])``, split, sort, pad, …).

Each row is ``(id, plain NumPy function, inputs)``.  The inputs keep every function on a
smooth piece with a margin for finite differences (``distinct`` entries for sort, median
and max; no input near a kink of ``select`` or ``interp``).  Linear functions are squared
or multiplied by their input so that second derivatives are not trivially zero.

Two suites read these tables: ``test_numpy_api_*.py`` (``arraycheck.check``) and the
systematic suite (``cases.py`` → ``check_grads``, whose coverage guard needs a case for
every dispatched function).
"""

from __future__ import annotations

import numpy as np


def distinct(*shape, seed=0):
    """Distinct entries at least 0.3 apart (no ties: sort, median, max are smooth there)."""
    n = int(np.prod(shape, dtype=int))
    return ((np.random.default_rng(seed).permutation(n) - n / 2) * 0.3 + 0.05).reshape(shape)


def rand(*shape, seed=1, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# (id, function, inputs): every row goes through ``check`` (first and second order).
# Linear functions are squared or multiplied by their input so that second order is not trivially 0.
# Entries at least 0.3 apart (a max or a median is not within a difference step of a tie), a mask.
SPREAD = ((np.random.default_rng(7).permutation(12) - 6.0) * 0.3 + 0.05).reshape(3, 4)
MASK34 = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

ARRAY_CASES = [
    # diagonals (more in test_numpy_api_indexing.py)
    ("diagonal-method-3d", lambda x: x.diagonal(1, 2, 0) ** 2, [rand(3, 2, 4)]),
    ("trace-method-offset", lambda x: x.trace(-1) ** 2, [rand(3, 3)]),
    ("diagflat", lambda x: np.diagflat(x, 1) * np.diagflat(x, 1).sum(), [rand(2, 2)]),
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
    ("pad-plain-array-traced-constant", lambda c: np.pad(np.arange(3.0), (1, 2), constant_values=(c, c * c)) * c,
     [rand(seed=3)]),
    # a traced fill value (NumPy's dispatchers for these see only the array, or nothing)
    ("full-traced-fill", lambda c: np.full((2, 3), c, dtype=float) ** 2, [rand(seed=4)]),
    ("full-traced-row", lambda v: np.full((2, 3), v) * v, [rand(3, seed=5)]),
    ("full_like-traced-fill", lambda x, c: np.full_like(x, c) * x, [rand(2, 3), rand(seed=6)]),
    # np.heaviside's value at exactly 0 is its second argument, which may be traced
    ("heaviside-traced-h", lambda h: np.heaviside(np.array([-1.0, 0.0, 2.0, 0.0]), h) * h, [rand(4, seed=7)]),
    ("pad-edge", lambda x: np.pad(x, (2, 3), mode="edge") ** 2, [rand(2, 3)]),
    ("pad-reflect", lambda x: np.pad(x, ((1, 2), (0, 2)), mode="reflect") ** 2, [rand(3, 4)]),
    ("pad-symmetric", lambda x: np.pad(x, 2, mode="symmetric") ** 2, [rand(3)]),
    ("pad-wrap", lambda x: np.pad(x, (4, 1), mode="wrap") ** 2, [rand(3)]),
    ("pad-linear_ramp", lambda x: np.pad(x, ((1, 2), (2, 1)), mode="linear_ramp", end_values=(0.5, -1.0)) ** 2,
     [rand(3, 4)]),
    ("pad-reflect-odd", lambda x: np.pad(x, (2, 1), mode="reflect", reflect_type="odd") ** 2, [rand(4)]),
    ("pad-symmetric-odd", lambda x: np.pad(x, 2, mode="symmetric", reflect_type="odd") ** 2, [rand(2, 3)]),
    ("pad-maximum", lambda x: np.pad(x, ((1, 2), (0, 2)), mode="maximum") ** 2, [SPREAD]),
    ("pad-minimum-stat_length", lambda x: np.pad(x, 2, mode="minimum", stat_length=2) ** 2, [SPREAD]),
    ("pad-mean", lambda x: np.pad(x, (3, 1), mode="mean", stat_length=((1, 2), (3, 2))) ** 2, [SPREAD]),
    ("pad-median", lambda x: np.pad(x, 1, mode="median") ** 2, [SPREAD]),
    # where= and initial= on reductions, the ufunc reduce methods, order='F'
    ("sum-where", lambda x: np.sum(x ** 2, axis=0, where=MASK34), [rand(3, 4)]),
    ("sum-initial-keepdims", lambda x: np.sum(x, axis=1, initial=1.5, keepdims=True) ** 2, [rand(3, 4)]),
    ("prod-where-initial", lambda x: np.prod(x, axis=1, where=MASK34, initial=2.0), [rand(3, 4)]),
    ("max-where-initial", lambda x: np.max(x, axis=0, where=MASK34, initial=-0.4) ** 2, [SPREAD]),
    ("min-initial", lambda x: np.min(x, axis=1, initial=0.2) ** 2, [SPREAD]),
    ("mean-where", lambda x: np.mean(x ** 2, axis=1, where=MASK34), [rand(3, 4)]),
    ("add-reduce-where", lambda x: np.add.reduce(x ** 2, axis=None, where=MASK34), [rand(3, 4)]),
    ("maximum-reduce-initial", lambda x: np.maximum.reduce(x, axis=1, initial=0.0) ** 2, [SPREAD]),
    ("reshape-F", lambda x: np.reshape(x, (2, 6), order="F") ** 2, [rand(3, 4)]),
    ("ravel-F", lambda x: x.ravel("F") * np.arange(12.0), [rand(2, 3, 2)]),
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
    ("quantile-weights", lambda x: np.quantile(x, [0.2, 0.7], axis=1, method="inverted_cdf",
                                               weights=np.array([[1.0, 2.0, 0.5], [0.3, 0.3, 3.0]])) ** 2,
     [distinct(2, 3)]),
    ("percentile-weights-keepdims", lambda x: np.percentile(x, 40.0, method="inverted_cdf", weights=np.arange(1.0, 7.0),
                                                            keepdims=True) * x, [distinct(6)]),
    ("percentile-keepdims", lambda x: np.percentile(x, 75, axis=1, keepdims=True) ** 2, [distinct(2, 5)]),
    # reductions
    ("cumprod", lambda x: np.cumprod(x), [rand(5, lo=0.5, hi=1.5)]),
    ("cumprod-axis-signed", lambda x: np.cumprod(x, axis=1), [rand(2, 4)]),
    ("cumprod-with-zero", lambda x: np.cumprod(x * np.array([1.0, 0.0, 1.0, 1.0])), [rand(4)]),
    ("cumprod-method", lambda x: x.cumprod(axis=0), [rand(3, 2)]),
    ("multiply-accumulate", lambda x: np.multiply.accumulate(x, axis=1), [rand(2, 3)]),
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
    # signals, polynomials, integrals, statistics (signals.py)
    ("convolve-full", lambda a, v: np.convolve(a, v), [rand(4), rand(3, seed=2)]),
    ("convolve-same-short-first", lambda a, v: np.convolve(a, v, "same") ** 2, [rand(2), rand(5, seed=2)]),
    ("convolve-valid", lambda a, v: np.convolve(a, v, mode="valid") ** 2, [rand(5), rand(3, seed=2)]),
    ("correlate", lambda a, v: np.correlate(a, v) ** 2, [rand(5), rand(2, seed=2)]),
    ("correlate-full-plain-kernel", lambda a: np.correlate(a, [1.0, -2.0, 0.5], "full") ** 2, [rand(4)]),
    ("polyval", lambda p, x: np.polyval(p, x), [rand(4), rand(3, seed=2)]),
    ("polyval-list-coefficients", lambda x: np.polyval([2.0, -1.0, 0.5], x) ** 2, [rand(2, 2)]),
    ("trapezoid-dx", lambda y: np.trapezoid(y ** 2, dx=0.5), [rand(5)]),
    ("trapezoid-x-axis0", lambda y, x: np.trapezoid(y, x, axis=0) ** 2, [rand(4, 2), np.array([0.0, 0.3, 1.1, 1.5])]),
    ("linspace-traced-ends", lambda a, b: np.linspace(a, b, 5) ** 2, [rand(), rand(seed=2)]),
    ("linspace-no-endpoint-retstep", lambda a: np.linspace(a, 2.0, 4, endpoint=False, retstep=True)[0] * a,
     [rand()]),
    ("ediff1d", lambda x: np.ediff1d(x, to_begin=0.5, to_end=x[:1]) ** 2, [rand(2, 2)]),
    ("cov", lambda x: np.cov(x), [rand(3, 5)]),
    ("cov-rowvar-false-y", lambda x, y: np.cov(x, y, rowvar=False, ddof=0), [rand(5, 2), rand(5, seed=2)]),
    ("cov-fweights-aweights", lambda x: np.cov(x, fweights=np.array([1, 2, 1, 3, 1]), aweights=np.linspace(0.5, 2, 5)),
     [rand(3, 5)]),
    ("cov-traced-aweights", lambda x, w: np.cov(x, aweights=w ** 2 + 0.5, ddof=2), [rand(2, 5), rand(5, seed=2)]),
    ("corrcoef", lambda x: np.corrcoef(x), [rand(2, 6)]),
    ("nanvar-nanstd", lambda x: np.nanvar(x, axis=1) + np.nanstd(x, ddof=1), [distinct(2, 4)]),
    ("copysign", lambda x, y: np.copysign(x, y) * x, [distinct(5), distinct(5, seed=3)]),
    # joining
    ("column_stack", lambda x, y: np.column_stack([x, y]) ** 2, [rand(3), rand(3, 2, seed=2)]),
    ("dstack", lambda x, y: np.dstack([x, y]) ** 2, [rand(2, 3), rand(2, 3, seed=2)]),
    ("append-flat", lambda x, y: np.append(x, y) ** 2, [rand(2, 2), rand(3, seed=2)]),
    ("append-axis", lambda x, y: np.append(x, y, axis=0) ** 2, [rand(2, 2), rand(1, 2, seed=2)]),
    ("append-plain-values", lambda x: np.append(x, [1.0, 2.0]) ** 2, [rand(2)]),
    # grids and broadcasting
    ("meshgrid-xy", lambda x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1] ** 2, [rand(3), rand(2, seed=2)]),
    ("meshgrid-ij-three", lambda x, y, z: np.stack(np.meshgrid(x, y, z, indexing="ij")) ** 2,
     [rand(2), rand(3, seed=2), rand(2, seed=3)]),
    ("meshgrid-sparse", lambda x, y: np.sin(sum(np.meshgrid(x, y, sparse=True))), [rand(3), rand(2, seed=2)]),
    ("broadcast_arrays", lambda x, y: np.prod(np.stack(np.broadcast_arrays(x, y)), axis=0),
     [rand(3), rand(2, 1, seed=2)]),
    ("block", lambda a, b: np.block([[a, b], [b * b, a]]) ** 2, [rand(2, 2), rand(2, 1, seed=2)]),
    ("block-scalars-and-1d", lambda a, b: np.block([a, 1.0, b]) * a[0], [rand(2), rand(3, seed=2)]),
    ("unstack", lambda x: np.unstack(x, axis=1)[2] * np.unstack(x)[0][:1], [rand(2, 3)]),
    ("matrix_transpose", lambda x: np.matrix_transpose(x) ** 2, [rand(2, 3, 4)]),
    ("linalg-trace-stack", lambda x: np.linalg.trace(x, offset=-1) ** 2, [rand(2, 3, 4)]),
    ("linalg-diagonal-stack", lambda x: np.linalg.diagonal(x, offset=1) ** 2, [rand(2, 3, 3)]),
    # gathers
    ("compress", lambda x: np.compress([True, False, True], x, axis=1) ** 2, [rand(2, 3)]),
    ("extract", lambda x: np.extract(np.array([[1, 0, 1], [0, 1, 1]]), x) ** 2, [rand(2, 3)]),
    ("choose-broadcast", lambda x, y: np.choose(np.array([[0, 1, 0], [1, 1, 0]]), [x, y]) ** 2,
     [rand(3), rand(2, 3, seed=2)]),
    ("delete-axis", lambda x: np.delete(x, [0, -1], axis=1) ** 2, [rand(2, 4)]),
    ("insert-traced-values", lambda x, y: np.insert(x, [1, 2, 2], y) ** 2, [rand(3), rand(3, seed=2)]),
    ("insert-broadcast-scalar-column", lambda x, y: np.insert(x, 1, y, axis=1) * x[:, :1], [rand(2, 3), rand(seed=2)]),
    # running sums and products, NaN-aware reductions
    ("cumulative_sum-include-initial", lambda x: np.cumulative_sum(x, axis=1, include_initial=True) ** 2,
     [rand(2, 3)]),
    ("cumulative_prod", lambda x: np.cumulative_prod(x, include_initial=True), [rand(4)]),
    ("nancumsum-nan-entry", lambda x: np.nancumsum(x) ** 2, [np.array([0.3, np.nan, -1.2, 0.8])]),
    ("nancumprod", lambda x: np.nancumprod(x, axis=0), [rand(3, 2)]),
    ("nanprod-nan-entry", lambda x: np.nanprod(x, axis=1), [np.array([[0.3, np.nan, -1.2], [0.5, 1.5, 0.8]])]),
    ("logaddexp-reduce", lambda x: np.logaddexp.reduce(x, axis=1), [rand(2, 4)]),
    ("var-mean-given", lambda x: np.var(x, axis=1, ddof=1, mean=np.mean(x, axis=1, keepdims=True)), [rand(2, 4)]),
    ("std-mean-given", lambda x: np.std(x, mean=np.full((1, 1), 0.25)), [rand(2, 3)]),
    ("nanmedian-nan-entries", lambda x: np.nanmedian(x, axis=1) * x[:, 2],
     [np.array([[0.3, np.nan, -1.2, 0.8, 2.1], [np.nan, np.nan, 0.5, -0.7, 1.4], [0.1, 0.9, -0.4, 1.7, -2.2]])]),
    ("nanquantile-q-array-keepdims", lambda x: np.nanquantile(x, [0.2, 0.7], axis=0, keepdims=True) ** 2,
     [np.array([[0.3, np.nan, -1.2], [np.nan, 0.5, -0.7], [0.1, 0.9, -0.4], [1.3, -1.9, 0.6]])]),
    ("nanpercentile", lambda x: np.nanpercentile(x, 35) ** 2, [np.array([[0.3, np.nan, -1.2], [0.5, 1.1, -0.7]])]),
    ("maximum-accumulate", lambda x: np.maximum.accumulate(x, axis=1) * x[:, :1], [distinct(2, 4)]),
    ("minimum-accumulate", lambda x: np.minimum.accumulate(x) ** 2, [distinct(5)]),
    # polynomials as coefficient vectors
    ("polymul", lambda a, b: np.polymul(a, b) ** 2, [rand(3), rand(2, seed=2)]),
    ("poly", lambda r: np.poly(r), [rand(4)]),
    ("polyadd-polysub", lambda a, b: np.polyadd(a, b) * np.polysub(b, a)[-1], [rand(3), rand(2, seed=2)]),
    ("polyder", lambda p: np.polyder(p, 2) * p[0], [rand(4)]),
    ("polyint", lambda p: np.polyint(p, 2, k=[1.0, -0.5]) * p[-1], [rand(3)]),
    ("unique-distinct", lambda x: np.unique(x) ** 2, [distinct(2, 3)]),
    # sampling and differences
    ("linspace-array-ends", lambda a, b: np.linspace(a, b, 4, axis=-1) ** 2, [rand(2), rand(2, seed=2)]),
    ("linspace-one-sample", lambda a, b: np.linspace(a, b, 1) * b, [rand(), rand(seed=2)]),
    ("logspace-base", lambda a, b: np.logspace(a, 1.0, 4, base=b), [rand(lo=-1.0, hi=1.0), rand(seed=2, lo=1.5, hi=3.0)]),
    ("geomspace", lambda a, b: np.geomspace(a, b, 5), [rand(lo=0.5, hi=1.5), rand(seed=2, lo=2.0, hi=3.0)]),
    ("geomspace-negative", lambda a: np.geomspace(a, -3.0, 4, endpoint=False), [rand(lo=-1.5, hi=-0.5)]),
    ("vander", lambda x: np.vander(x, 4), [rand(3)]),
    ("gradient-uniform", lambda x: np.gradient(x ** 2, 0.5), [rand(5)]),
    ("gradient-2d-edge-order-2", lambda x: np.stack(np.gradient(x ** 2, edge_order=2)), [rand(3, 4)]),
    ("gradient-coordinates", lambda x: np.gradient(x ** 2, np.array([0.0, 0.5, 1.5, 1.7, 3.0]), edge_order=2),
     [rand(5)]),
    ("gradient-traced-spacing", lambda x, h: np.gradient(x, h, axis=0) ** 2, [rand(4, 2), rand(seed=2, lo=0.5, hi=1.5)]),
    ("interp-period", lambda x, fp: np.interp(x, np.array([3.0, 0.0, 1.5]), fp, period=4.0),
     [np.array([0.3, 5.2, -1.1]), rand(3, seed=2)]),
    # piecewise: each function sees only its piece (sqrt never meets the negative entries)
    ("piecewise-otherwise", lambda x: np.piecewise(x, [x < 0, x > 1], [np.sin, lambda t: t ** 3, lambda t: 2 * t * t]),
     [np.array([-1.3, -0.4, 0.35, 0.8, 1.7, 2.4])]),
    ("piecewise-constant-and-sqrt", lambda x: np.piecewise(x, [x <= 0], [0.5, lambda t: np.sqrt(t)]) * x,
     [np.array([[-1.3, 0.4], [0.9, -0.2]])]),
    ("piecewise-overlap-later-wins", lambda x: np.piecewise(x, [x < 1, x > 0], [lambda t: t, lambda t: t ** 2]),
     [np.array([-1.3, 0.35, 1.7])]),
    # ufuncs with several outputs or an integer operand
    ("modf", lambda x: np.modf(x)[0] * x, [np.array([0.25, -1.6, 2.3])]),
    ("frexp", lambda x: np.frexp(x)[0] ** 2, [np.array([0.37, -1.45, 2.9])]),
    ("ldexp", lambda x: np.ldexp(x, np.array([1, -2, 0])) ** 2, [rand(3)]),
    # found refused by the audit (tests/engine/audit), now traced
    ("bincount-weights", lambda w: np.bincount(np.array([0, 2, 2, 4]), weights=w, minlength=6) ** 2, [rand(4)]),
    ("resize", lambda x: np.resize(x, (3, 3)) ** 2, [rand(2, 2)]),
    ("apply_along_axis", lambda x: np.apply_along_axis(lambda v: v * np.sum(v ** 2), 0, x), [rand(3, 2)]),
    ("imag-angle-real_if_close", lambda x: np.real_if_close(x) ** 2 + np.imag(x) + np.angle(x), [rand(3, lo=0.3)]),
    ("unwrap", lambda x: np.unwrap(x * 3.0) ** 2, [rand(4)]),
    ("astype-function", lambda x: np.astype(x, np.float64) ** 2, [rand(3)]),
    ("fftshift", lambda x: np.fft.fftshift(x, axes=1) ** 2, [rand(3, 4)]),
    ("ifftshift", lambda x: np.fft.ifftshift(x) * x, [rand(5)]),
]
if hasattr(np, "row_stack"):
    import warnings

    def _row_stack(x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.row_stack([x, y]) ** 2

    ARRAY_CASES.append(("row_stack", _row_stack, [rand(3), rand(3, seed=2)]))


# np.array / np.asarray / np.r_ / np.c_ of traced values (building.py)
X, Y = np.array(0.7), np.array(-1.3)
V = np.array([0.4, -0.9, 1.6])
W = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]])

BUILDING_CASES = [
    ("array-of-products", lambda x, y: np.array([x * y, x + y]), [X, Y]),
    ("nested-lists-mixed", lambda x, y: np.array([[x, 1.0], [x * y, 2]]) ** 2, [X, Y]),
    ("tuple-of-traced", lambda x, y: np.array((np.sin(x), y, x * y)), [X, Y]),
    ("asarray-list", lambda x, y: np.asarray([x, y * y]) * 3.0, [X, Y]),
    ("asarray-entries-of-vector", lambda v: np.asarray([v[0] * v[1], v[2]]) ** 2, [V]),
    ("traced-arrays-equal-shapes", lambda v: np.array([v, 2 * v, np.sin(v)]) ** 2, [V]),
    ("matmul-after-building", lambda x, y: W @ np.array([x * y, np.exp(x)]), [X, Y]),
    ("ufunc-after-building", lambda x: np.tanh(np.array([x, x * 2.0])), [X]),
    ("sum-after-building", lambda x, y: np.sum(np.array([x, y]) ** 2), [X, Y]),
    ("building-meets-tracer", lambda x, y: np.array([x, y]) * np.stack([y, x]), [X, Y]),
    ("np-function-of-built", lambda x, y: np.concatenate([np.array([x, y]), np.array([1.0])]) * x, [X, Y]),
    ("r_", lambda x, y: np.r_[x, y * x, 3.0], [X, Y]),
    ("r_-vectors", lambda v: np.r_[v, v[:2] * 2.0] ** 2, [V]),
    ("c_", lambda x, y: np.c_[np.array([x, y]), np.array([y, 1.0])] ** 2, [X, Y]),
    ("column_stack-scalars", lambda x, y: np.column_stack([x, y * 2.0]) ** 2, [X, Y]),
    ("append-scalars", lambda x, y: np.append(x, [y, 1.0]) ** 2, [X, Y]),
    ("hstack-scalars", lambda x, y: np.hstack([x, y, x * y]) ** 2, [X, Y]),
    ("vstack-built", lambda x, y: np.vstack([np.array([x, y]), np.array([y, x])]) ** 2, [X, Y]),
    ("dstack-scalars", lambda x, y: np.dstack([x, y]) ** 2, [X, Y]),
    ("asarray-single-scalar-keeps-tracing", lambda x: np.asarray(x) ** 2 + x, [X]),
    # a float dtype= of traced values: one pack node cast to that dtype (entry_points.py)
    ("array-dtype-float", lambda x, y: np.array([x * y, x + y], dtype=float) ** 2, [X, Y]),
    ("asarray-dtype-float64-nested-mixed", lambda x, y: np.asarray([[x, 1.0], [x * y, 2]], dtype=np.float64) ** 2,
     [X, Y]),
    ("asanyarray-dtype-float", lambda x, y: np.sin(np.asanyarray((x, y * y), dtype="float64")), [X, Y]),
    ("asarray-single-dtype-float", lambda x: np.asarray(x, dtype=float) * x, [X]),
    ("array-dtype-ndmin", lambda x, y: np.array([x, y], dtype=float, ndmin=3) ** 2, [X, Y]),
    ("array-dtype-entries-of-vector", lambda v: np.array([v[0] * v[1], v[2]], dtype=float) ** 2, [V]),
    ("array-dtype-traced-arrays", lambda v: np.array([v, np.sin(v)], dtype=float) ** 2, [V]),
    ("asarray-dtype-object-array", lambda x, y: np.asarray(np.array([x, x * y]), dtype=float) ** 2, [X, Y]),
    # a list mixing traced values and numbers is one traced array: NumPy's object loops lack 1.0.sin()
    ("ufunc-of-mixed-array", lambda x, y: np.sin(np.array([x * y, 1.0, y])), [X, Y]),
    ("ufunc-of-mixed-nested-asarray", lambda x, y: np.exp(np.asarray([[x, 1], [2.0, x * y]])), [X, Y]),
    ("norm-of-mixed-array", lambda x, y: np.linalg.norm(np.array([x, y, 1.0])), [X, Y]),
    # NumPy functions handed lists of traced values that NumPy's own code cannot read
    ("cov-list", lambda x, y: np.cov([x * y, x + y, x - y, y * y]), [X, Y]),
    ("cov-nested-list", lambda x, y: np.cov([[x * y, x + y, 1.0], [x, y * y, x - y]]), [X, Y]),
    ("cov-list-y-ddof", lambda x, y: np.cov([x, y, x * y], [y, 1.0, x], ddof=0), [X, Y]),
    ("corrcoef-lists", lambda x, y: np.corrcoef([x * y, x + y, x - y], [x, y * y, 0.5]), [X, Y]),
    ("percentile-list", lambda x, y: np.percentile([x * y, x + 2.0, y - 1.0], 30), [X, Y]),
    ("quantile-list-qs", lambda x, y: np.quantile([x * y, x + 2.0, y - 1.0, 0.25], [0.2, 0.9]), [X, Y]),
    ("nanpercentile-list", lambda x, y: np.nanpercentile([x * y, np.nan, y - 1.0], 60), [X, Y]),
    ("interp-list-fp", lambda x, y: np.interp([0.25, 1.5], [0.0, 1.0, 2.0], [x, y, x * y]), [X, Y]),
    ("interp-list-x", lambda x, y: np.interp([x, y], [-3.0, 0.5, 3.0], [1.0, -2.0, 3.0]), [X, Y]),
    ("nanmean-list", lambda x, y: np.nanmean([x * y, np.nan, x + y]), [X, Y]),
    ("nanstd-list", lambda x, y: np.nanstd([x * y, np.nan, x + y, 1.0]), [X, Y]),
    ("nanvar-list-ddof", lambda x, y: np.nanvar([[x * y, np.nan], [x + y, y]], axis=0, ddof=0), [X, Y]),
]


# Predicates and integer-valued results: plain values (the product keeps a path to x).
PLAIN_ARRAY_CASES = [
    ("iscomplex", lambda x: x * np.iscomplex(x)),
    ("isreal", lambda x: x * np.isreal(x)),
    ("isposinf", lambda x: x * (1 + np.isposinf(x))),
    ("isneginf", lambda x: x * (1 + np.isneginf(x))),
    ("searchsorted", lambda x: x * np.searchsorted(np.array([-1.0, 0.0, 1.0]), x)),
    ("argpartition", lambda x: x[np.argpartition(x, 2)]),
    ("argwhere", lambda x: x * np.argwhere(x).shape[0]),
    ("flatnonzero", lambda x: x[np.flatnonzero(x)]),
    ("nanargmax", lambda x: x * np.nanargmax(x)),
    ("nanargmin", lambda x: x * np.nanargmin(x)),
    ("fix", lambda x: x * np.fix(x)),
    ("digitize", lambda x: x * np.digitize(x, np.array([-0.5, 0.5]))),
    ("isin", lambda x: x * np.isin(x, np.array([1.0]))),
    ("array_equiv", lambda x: x * np.array_equiv(x, x)),
    ("lexsort", lambda x: x[np.lexsort((x,))]),
    ("shares_memory", lambda x: x * (1 + np.shares_memory(x, np.ones(2)))),
    ("may_share_memory", lambda x: x * (1 + np.may_share_memory(x, np.ones(2)))),
    ("heaviside", lambda x: x * np.heaviside(x, 0.5)),
    ("method-argsort", lambda x: x[x.argsort()]),
    ("method-nonzero", lambda x: x[x.nonzero()]),
    ("method-searchsorted", lambda x: x * np.sort(np.array([0.5, -0.5])).searchsorted(0.0) + x.searchsorted(0.0)),
    ("method-round", lambda x: x * x.round(1)),
    ("triu_indices_from", lambda x: np.outer(x, x)[np.triu_indices_from(np.outer(x, x), 1)]),
    ("tril_indices_from", lambda x: np.outer(x, x)[np.tril_indices_from(np.outer(x, x))]),
    ("diag_indices_from", lambda x: np.outer(x, x)[np.diag_indices_from(np.outer(x, x))]),
    ("method-take", lambda x: x.take(np.array([1, 1, 0])) ** 2),
    ("quantile-nearest", lambda x: np.quantile(x, 0.5, method="nearest")),
    ("quantile-hazen", lambda x: np.quantile(x, [0.3, 0.9], method="hazen")),
    ("percentile-midpoint", lambda x: np.percentile(x, 40.0, method="midpoint")),
]

# Variants adviz refuses by name (UnsupportedOperation), never computing something wrong.
REFUSED_ARRAY_CASES = [
    ("pad-empty", lambda x: np.pad(x, 1, mode="empty")),
    ("pad-reflect-odd-twice", lambda x: np.pad(x, 3, mode="reflect", reflect_type="odd")),
    ("add-at-in-place", lambda x: np.add.at(x, [0, 0], 1.0)),
    ("ravel-order-A", lambda x: np.ravel(np.stack([x, x]), order="A")),
    ("quantile-nearest-traced-q", lambda x: np.quantile(np.arange(4.0), x[0] * 0.0 + 0.5, method="nearest")),
    ("method-sort-in-place", lambda x: x.sort()),
]
