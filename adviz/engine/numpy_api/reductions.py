"""Reductions: sum, prod, max/min, mean, var/std, cumulative sums."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim, shape
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from .elementwise import astype
from ._common import _NOVALUE, _as_operand, _axes, _no, _shape_of, getitem
from .shapes import broadcast_to, concatenate, expand_dims, moveaxis, ravel, reshape, transpose


def _plain_dtype(dtype) -> bool:
    """``dtype=int`` (or bool) on a reduction: NumPy truncates the entries, so the result is a
    plain, undifferentiated value (as ``x.astype(int)``).  A float ``dtype`` is honoured by
    casting the entries first (``np.sum(x, dtype=np.float32)`` sums in float32)."""
    return dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact)


def _masked(x, where, fill):
    """``x`` where the mask ``where`` is true and the constant ``fill`` elsewhere.

    ``where=`` on a reduction leaves entries out; here they are replaced by the reduction's
    neutral value (0 for a sum, 1 for a product, -inf for a max), so a left-out entry gets
    derivative exactly 0 (``where``'s rule sends nothing to the branch not taken).  The mask
    is a plain boolean array broadcast to ``x``'s shape, as NumPy requires.
    """
    if where is _NOVALUE or where is True:
        return x
    mask = np.asarray(lowest(where))
    if mask.dtype != bool:
        raise TypeError(f"where= of a reduction must be a boolean mask, not an array of {mask.dtype}")
    mask = np.broadcast_to(mask, _shape_of(x))
    if mask.all():
        return x
    return bind(P["where"], mask, x, np.asarray(fill, dtype=np.result_type(lowest(x))))


def _initial(initial, x):
    """``initial=``: a scalar (plain or traced) in ``x``'s dtype, as NumPy reads it."""
    if ndim(initial) != 0:
        raise ValueError("initial= of a reduction must be a scalar")
    if isinstance(initial, Tracer):
        return initial
    return np.asarray(lowest(initial), dtype=np.result_type(lowest(x)))


def sum(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """``initial`` is added to the sum; entries left out by ``where`` count as 0."""
    _no({"out": out}, "sum", "out")
    if _plain_dtype(dtype):
        return np.sum(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, initial=lowest(initial),
                      where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    total = bind(P["sum"], _masked(x, where, 0.0), axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))
    return total if initial is _NOVALUE else total + _initial(initial, x)


def prod(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """``initial`` multiplies the product; entries left out by ``where`` count as 1."""
    _no({"out": out}, "prod", "out")
    if _plain_dtype(dtype):
        return np.prod(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, initial=lowest(initial),
                       where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    product = bind(P["prod"], _masked(x, where, 1.0), axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))
    return product if initial is _NOVALUE else product * _initial(initial, x)


def _extreme(name, x, axis, keepdims, initial, where):
    """``max``/``min`` with NumPy's ``initial`` and ``where``.

    ``initial`` is one more candidate in every reduction, so a tie between it and an entry
    shares the slope as any tie of a max does (docs/conventions.md): the reduced axes are
    moved last and flattened, and a column of ``initial`` joins them.  Entries left out by
    ``where`` become ∓inf, which never win against ``initial`` (NumPy demands ``initial``
    with ``where``, as a max of nothing has no value).
    """
    nd = ndim(x)
    axes = _axes(axis, nd)
    if where is not _NOVALUE and where is not True and initial is _NOVALUE:
        raise ValueError(f"reduction operation '{'maximum' if name == 'max' else 'minimum'}' does not have an "
                         "identity, so to use a where mask one has to specify 'initial'")
    x = _masked(x, where, -np.inf if name == "max" else np.inf)
    if initial is _NOVALUE:
        return bind(P[name], x, axis=axes, keepdims=bool(keepdims))
    kept = [a for a in range(nd) if a not in axes]
    s = _shape_of(x)
    kept_shape = tuple(s[a] for a in kept)
    lines = reshape(transpose(x, kept + list(axes)), kept_shape + (int(np.prod([s[a] for a in axes])),))
    column = broadcast_to(_initial(initial, x), kept_shape + (1,))
    result = bind(P[name], concatenate([lines, column], axis=-1), axis=(len(kept),), keepdims=False)
    if keepdims:
        result = reshape(result, tuple(1 if a in axes else n for a, n in enumerate(s)))
    return result


def max(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out}, "max", "out")
    return _extreme("max", x, axis, keepdims, initial, where)


def min(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out}, "min", "out")
    return _extreme("min", x, axis, keepdims, initial, where)


def mean(x, axis=None, dtype=None, out=None, keepdims=False, where=_NOVALUE):
    """``sum / count``; with ``where``, the count is the number of entries the mask keeps."""
    _no({"out": out}, "mean", "out")
    if _plain_dtype(dtype):
        return np.mean(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    axes = _axes(axis, ndim(x))
    if where is _NOVALUE or where is True:
        count = math.prod(shape(x)[a] for a in axes)  # entries averaged (1 when no axis is reduced)
        return sum(x, axis=axes, keepdims=keepdims) / count
    mask = np.broadcast_to(np.asarray(lowest(where)), shape(x))
    count = np.sum(mask, axis=axes, keepdims=bool(keepdims)).astype(np.result_type(lowest(x)))
    total = sum(x, axis=axes, keepdims=keepdims, where=where)
    if np.all(count):
        return total / count
    # A mean of nothing is nan, as in NumPy, and a constant: it sends no derivative back (dividing
    # by the count 0 would send 0/0 = nan to every entry of that slice, even to a sum of other slices).
    warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    empty = count == 0
    return bind(P["where"], empty, np.asarray(np.nan, dtype=count.dtype), total / np.where(empty, 1, count))


def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE, correction=_NOVALUE):
    """``mean((x - x̄)²)`` along ``axis`` divided by ``count - ddof``.  NumPy 2's ``mean=`` hands
    in ``x̄`` (shaped as with ``keepdims=True``): it is then used as given, traced or not."""
    _no({"out": out}, "var", "out")
    if _plain_dtype(dtype):
        return np.var(lowest(x), axis=axis, dtype=dtype, ddof=ddof if correction is _NOVALUE else correction,
                      keepdims=keepdims, where=lowest(where), mean=lowest(mean))
    if dtype is not None:
        x = astype(x, dtype)
    if correction is not _NOVALUE:
        ddof = correction
    axes = _axes(axis, ndim(x))
    if mean is not _NOVALUE:
        return _var_about(x, _as_operand(mean), axes, ddof, keepdims, where)
    if where is not _NOVALUE and where is not True:
        return _masked_var(x, axes, ddof, keepdims, where)
    count = int(np.prod([shape(x)[a] for a in axes])) if axes else 1
    centered = x - sum(x, axis=axes, keepdims=True) / count
    return sum(centered * centered, axis=axes, keepdims=keepdims) / (count - ddof)


def _var_about(x, center, axes, ddof, keepdims, where):
    """The mean square of ``x - center`` (``var(x, mean=center)``), over the kept entries."""
    mask = np.ones(shape(x), dtype=bool) if where is _NOVALUE or where is True else \
        np.broadcast_to(np.asarray(lowest(where), dtype=bool), shape(x))
    centered = x - center
    kept = np.sum(mask, axis=axes, keepdims=bool(keepdims)) - ddof
    total = sum(centered * centered, axis=axes, keepdims=keepdims, where=where)
    return total / np.asarray(kept).astype(np.result_type(lowest(total)))


def _masked_var(x, axes, ddof, keepdims, where):
    """``var(x, where=mask)`` as NumPy computes it: the mean of the kept entries, then the mean
    square of their deviations from it (divided by ``count - ddof``)."""
    mask = np.broadcast_to(np.asarray(lowest(where)), shape(x))
    dtype = np.result_type(lowest(x))
    count = np.sum(mask, axis=axes, keepdims=True)
    if np.any(count - ddof <= 0):
        raise UnsupportedOperation(
            f"np.var(..., where=...) with a slice that keeps {int(np.min(count))} entries (ddof={ddof}): its "
            "variance is nan or inf; not supported on traced values")
    centered = x - sum(x, axis=axes, keepdims=True, where=where) / count.astype(dtype)
    kept = np.sum(mask, axis=axes, keepdims=bool(keepdims)) - ddof
    return sum(centered * centered, axis=axes, keepdims=keepdims, where=where) / kept.astype(dtype)


def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE, correction=_NOVALUE):
    """One ``std`` node; its derivative is 0 where the spread is zero (see ``primitives.structural``).
    With ``where=``: the square root of ``var(x, where=...)``, with the same convention."""
    _no({"out": out}, "std", "out")
    if _plain_dtype(dtype):
        return np.std(lowest(x), axis=axis, dtype=dtype, ddof=ddof if correction is _NOVALUE else correction,
                      keepdims=keepdims, where=lowest(where), mean=lowest(mean))
    if dtype is not None:
        x = astype(x, dtype)
    if correction is not _NOVALUE:
        ddof = correction
    if (where is not _NOVALUE and where is not True) or mean is not _NOVALUE:
        return spread_sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims, where=where, mean=mean))
    return bind(P["std"], x, axis=_axes(axis, ndim(x)), ddof=ddof or None, keepdims=bool(keepdims))


def spread_sqrt(v):
    """``sqrt`` of a variance, with derivative 0 (at every order) where the variance is 0: a
    standard deviation's convention at zero spread (docs/conventions.md), where sqrt's slope is inf."""
    flat = np.asarray(lowest(v) == 0)  # not ``v > 0``: a NaN variance (a line of NaNs) stays NaN, as NumPy's
    if not flat.any():
        return np.sqrt(v)
    safe = bind(P["where"], flat, np.ones((), dtype=np.result_type(lowest(v))), v)
    return bind(P["where"], flat, np.zeros((), dtype=np.result_type(lowest(v))), np.sqrt(safe))


def cumsum(x, axis=None, dtype=None, out=None):
    _no({"out": out}, "cumsum", "out")
    if _plain_dtype(dtype):
        return np.cumsum(lowest(x), axis=axis, dtype=dtype)
    if dtype is not None:
        x = astype(x, dtype)
    if axis is None:
        x, axis = ravel(x), 0
    return bind(P["cumsum"], x, axis=_axes(axis, ndim(x))[0])


def cumprod(x, axis=None, dtype=None, out=None):
    """Running products as one ``prod`` over a triangle: ``out[k] = prod(where(j ≤ k, x[j], 1))``.

    The triangle costs n² entries, but ``prod``'s rule already handles zeros exactly, so
    the derivative is right even where a running product passes through 0.
    """
    _no({"out": out}, "cumprod", "out")
    if _plain_dtype(dtype):
        return np.cumprod(lowest(x), axis=axis, dtype=dtype)
    if dtype is not None:
        x = astype(x, dtype)
    if axis is None:
        x, axis = ravel(x), 0
    a = _axes(axis, ndim(x))[0]
    lines = moveaxis(x, a, -1)
    n = _shape_of(lines)[-1]
    rows = broadcast_to(expand_dims(lines, -2), _shape_of(lines)[:-1] + (n, n))
    tri = bind(P["where"], np.tri(n, dtype=bool), rows, np.ones((), dtype=np.result_type(lowest(x))))
    return moveaxis(prod(tri, axis=-1), -1, a)


def diff(a, n=1, axis=-1, prepend=_NOVALUE, append=_NOVALUE):
    """``a[1:] - a[:-1]`` along ``axis``, ``n`` times (after adding ``prepend``/``append``)."""
    axis = _axes(axis, ndim(a))[0]
    parts = []
    for extra in (prepend, a, append):
        if extra is a:
            parts.append(a)
        elif extra is not _NOVALUE:
            extra = _as_operand(extra)
            if ndim(extra) == 0:
                s = list(_shape_of(a))
                s[axis] = 1
                extra = broadcast_to(extra, tuple(s))
            parts.append(extra)
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    before = (slice(None),) * axis
    for _ in range(int(n)):
        a = getitem(a, before + (slice(1, None),)) - getitem(a, before + (slice(None, -1),))
    return a


def nansum(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """NaN entries count as 0 (and get derivative 0)."""
    _no({"out": out}, "nansum", "out")
    if _plain_dtype(dtype):
        return np.nansum(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, initial=lowest(initial),
                         where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    return sum(_nan_to(x, 0.0), axis=axis, keepdims=keepdims, initial=initial, where=where)


def nanmean(x, axis=None, dtype=None, out=None, keepdims=False, where=_NOVALUE):
    """The mean of the entries that are not NaN (and that ``where`` keeps): ``mean`` with a mask,
    so a slice of NaNs only is nan, as in NumPy, and sends no derivative back."""
    _no({"out": out}, "nanmean", "out")
    if _plain_dtype(dtype):
        return np.nanmean(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    keep = ~np.isnan(lowest(x))
    if where is not _NOVALUE and where is not True:
        keep = keep & np.broadcast_to(np.asarray(lowest(where), dtype=bool), keep.shape)
    return mean(_nan_to(x, 0.0), axis=axis, keepdims=keepdims, where=keep)


def nanmax(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """``max`` of the entries that are not NaN; a line of NaNs only is NaN (a constant), as in NumPy."""
    y = max(_nan_to(x, -np.inf), axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)
    return _nan_where_all_nan(y, x, axis, keepdims, initial, where)


def nanmin(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """``min`` of the entries that are not NaN; a line of NaNs only is NaN (a constant), as in NumPy."""
    y = min(_nan_to(x, np.inf), axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)
    return _nan_where_all_nan(y, x, axis, keepdims, initial, where)


def _nan_where_all_nan(y, x, axis, keepdims, initial, where):
    """NaN (a constant, derivative 0) where every entry a reduction read was NaN and no
    ``initial`` stood in: ``np.nanmax``'s value there (with its warning), not the ∓inf that
    replaced the NaNs."""
    plain = np.asarray(lowest(x))
    if initial is not _NOVALUE or not np.isnan(plain).any():
        return y
    read = np.isnan(plain) if where is _NOVALUE or where is True else \
        np.isnan(plain) | ~np.broadcast_to(np.asarray(lowest(where), dtype=bool), plain.shape)
    empty = np.all(read, axis=_axes(axis, plain.ndim), keepdims=bool(keepdims))
    if not empty.any():
        return y
    warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    return bind(P["where"], empty, np.asarray(np.nan, dtype=np.result_type(lowest(y))), y)


def _nan_to(x, value):
    nan = np.isnan(lowest(x))
    if not np.any(nan):
        return x
    return bind(P["where"], nan, np.asarray(value, dtype=np.result_type(lowest(x))), x)


def ptp(x, axis=None, out=None, keepdims=False):
    return max(x, axis=axis, out=out, keepdims=keepdims) - min(x, axis=axis, out=out, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """``sum(a·w) / sum(w)`` along ``axis``; the weights may be traced too."""
    a = _as_operand(a)
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = np.asarray(np.size(lowest(a)) / np.size(lowest(avg)), dtype=np.result_type(lowest(avg)))
        return (avg, np.broadcast_to(scl, _shape_of(avg))) if returned else avg
    w = _as_operand(weights)
    if _shape_of(w) != _shape_of(a):
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if ndim(w) != 1 or isinstance(axis, tuple):
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        ax = _axes(axis, ndim(a))[0]
        if _shape_of(w)[0] != _shape_of(a)[ax]:
            raise ValueError("Length of weights not compatible with specified axis.")
        w = reshape(w, tuple(-1 if i == ax else 1 for i in range(ndim(a))))
    total = sum(w * np.ones_like(lowest(a)), axis=axis, keepdims=keepdims)
    avg = sum(a * w, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """``np.cumulative_sum`` (the array API's cumsum): ``axis`` may be omitted only for 1-D
    input; ``include_initial`` puts the empty sum 0 first."""
    return _cumulative(cumsum, 0.0, "cumulative_sum", x, axis, dtype, out, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """``np.cumulative_prod``: running products, the empty product 1 first with ``include_initial``."""
    return _cumulative(cumprod, 1.0, "cumulative_prod", x, axis, dtype, out, include_initial)


def _cumulative(running, initial, name, x, axis, dtype, out, include_initial):
    _no({"out": out}, name, "out")
    if _plain_dtype(dtype):
        return getattr(np, name)(lowest(x), axis=axis, dtype=dtype, include_initial=include_initial)
    if axis is None:
        if ndim(x) != 1:
            raise ValueError(f"{name}: axis must be given for an array of {ndim(x)} dimensions")
        axis = 0
    a = _axes(axis, ndim(x))[0]
    y = running(x, axis=a, dtype=dtype)
    if not include_initial:
        return y
    first = list(shape(x))
    first[a] = 1
    return concatenate([np.full(first, initial, dtype=np.result_type(lowest(y))), y], axis=a)


def nanprod(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """NaN entries count as 1 (and get derivative 0)."""
    _no({"out": out}, "nanprod", "out")
    if _plain_dtype(dtype):
        return np.nanprod(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, initial=lowest(initial),
                          where=lowest(where))
    if dtype is not None:
        x = astype(x, dtype)
    return prod(_nan_to(x, 1.0), axis=axis, keepdims=keepdims, initial=initial, where=where)


def nancumsum(x, axis=None, dtype=None, out=None):
    """Running sums with NaN entries counted as 0 (derivative 0 there)."""
    if _plain_dtype(dtype):
        return np.nancumsum(lowest(x), axis=axis, dtype=dtype)
    return cumsum(_nan_to(x, 0.0), axis=axis, dtype=dtype, out=out)


def nancumprod(x, axis=None, dtype=None, out=None):
    """Running products with NaN entries counted as 1 (derivative 0 there)."""
    if _plain_dtype(dtype):
        return np.nancumprod(lowest(x), axis=axis, dtype=dtype)
    return cumprod(_nan_to(x, 1.0), axis=axis, dtype=dtype, out=out)


def logaddexp_reduce(x, axis=0, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    """``np.logaddexp.reduce`` = log Σ exp(x): ``m + log Σ exp(x - m)`` with the concrete
    maximum ``m`` (a constant: it cancels exactly, so it stops no derivative and only keeps
    ``exp`` from overflowing)."""
    _no({"out": out}, "logaddexp.reduce", "out")
    _no({"initial": initial, "where": where}, "logaddexp.reduce", "initial", "where")
    if dtype is not None:
        x = astype(x, dtype)
    axes = _axes(axis, ndim(x))
    m = np.max(lowest(x), axis=axes, keepdims=True) if axes else np.asarray(lowest(x))
    m = np.where(np.isfinite(m), m, 0.0).astype(np.result_type(lowest(x)))
    total = m + np.log(sum(np.exp(x - m), axis=axes, keepdims=True))
    return total if keepdims else reshape(total, tuple(d for i, d in enumerate(shape(x)) if i not in axes))


def _running_extreme(ufunc):
    """``np.maximum.accumulate`` / ``np.minimum.accumulate``: entry ``k`` is the extreme of
    ``x[:k+1]``, a gather of the entry that holds it (the latest of tied ones)."""
    def accumulate(x, axis=0, dtype=None, out=None):
        _no({"out": out}, f"{ufunc.__name__}.accumulate", "out")
        if dtype is not None:
            x = astype(x, dtype)
        a = _axes(axis, ndim(x))[0]
        plain = np.asarray(lowest(x))
        running = ufunc.accumulate(plain, axis=a)
        steps = np.arange(plain.shape[a]).reshape((-1,) + (1,) * (plain.ndim - a - 1))
        holder = np.maximum.accumulate(np.where(plain == running, steps, 0), axis=a)
        from .indexing import take_along_axis
        return take_along_axis(x, holder, axis=a)
    return accumulate


maximum_accumulate = _running_extreme(np.maximum)
minimum_accumulate = _running_extreme(np.minimum)


def bincount(x, weights=None, minlength=0):
    """``np.bincount(x, weights=w)``: ``out[k] = Σ_{i: x[i] = k} w[i]``, linear in the weights.

    ``x`` holds bin numbers (integers, never differentiated); the sum is written as a 0/1 matrix
    times ``w``, so the slope of ``out[k]`` in ``w[i]`` is 1 when ``x[i] = k`` and 0 otherwise.
    Without weights the counts are plain integers."""
    bins = np.asarray(lowest(x))
    if weights is None or not isinstance(weights, Tracer):
        return np.bincount(bins, None if weights is None else lowest(weights), minlength=minlength)
    counts = np.bincount(bins, minlength=minlength)  # NumPy's own checks (1-D, non-negative integers)
    if _shape_of(weights) != bins.shape:
        raise ValueError("np.bincount: the weights and the list don't have the same length")
    member = (np.arange(counts.shape[0])[:, None] == bins[None, :]).astype(np.result_type(lowest(weights), np.float64))
    return bind(P["matmul"], member, weights)
