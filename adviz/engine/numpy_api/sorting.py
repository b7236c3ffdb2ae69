"""Sorting and order statistics: sort, partition, median, quantile, percentile.

Sorting only *moves* entries, so ``sort(x)`` is ``x`` gathered by a permutation that the
concrete values decide: ``take_along_axis(x, perm)``.  The derivative follows the entries:
entry ``i`` of the tangent travels to wherever entry ``i`` went, and the adjoint of a
sorted slot flows back to the entry sitting there.

Ties
----
When entries are equal, several permutations sort them and the slopes differ (sort is
piecewise linear and not differentiable there).  adviz uses NumPy's **stable** order:
among equal entries the one that comes first in the input takes the first slot, so it gets
that slot's derivative.  This is the exact derivative of ``x[perm]``, a function that
equals ``sort`` on a whole cone of directions, so whenever the function *as a whole* is
smooth at the tie (``np.sum(np.sort(x)**2)`` is just ``np.sum(x**2)``) every order of
derivative comes out right: its Hessian at ``x = [1, 1]`` is ``2·I``.  Sharing each tied
slot equally (the rule ``max``/``min`` reductions follow) would break that: it would give
``[[1, 1], [1, 1]]``.  JAX makes the same choice.  ``partition``, ``median`` and
``quantile`` inherit it: with ties at the middle, the middle slot's derivative goes to
the tied entry that comes first in the input.

Every ``method`` NumPy has is a fixed linear combination of the sorted entries (weights from
``n``, ``q`` and the method, read off NumPy itself: :func:`_method_weights`); only the default
``method='linear'`` is also differentiated in ``q``.  With ``method='linear'``, between the sorted neighbours
``s[lo]`` and ``s[lo + 1]`` at position ``q·(n-1)``, ``(1 - f)·s[lo] + f·s[lo + 1]``;
``q`` itself may be traced (the slope is ``(n-1)·(s[lo + 1] - s[lo])``).
"""

from __future__ import annotations

import numpy as np

from ..primitives.core import ndim
from ..tracer import Tracer, UnsupportedOperation, lowest
from ._common import _axes, _no, _shape_of
from .elementwise import astype
from .indexing import getitem, take, take_along_axis
from .reductions import mean
from .entry_points import holds_traced, traced_array
from .shapes import moveaxis, ravel, reshape


def matching_permutation(values: np.ndarray, arranged: np.ndarray, axis: int) -> np.ndarray:
    """Indices ``p`` along ``axis`` with ``take_along_axis(values, p) == arranged``.

    ``arranged`` must hold the same entries as ``values`` along every line (a sort or a
    partition of it).  Matching the stable sort orders of both sides pairs equal entries
    first-come first-served, so ties follow the input order.
    """
    by_value = np.argsort(values, axis=axis, kind="stable")
    slots = np.argsort(arranged, axis=axis, kind="stable")
    perm = np.empty_like(by_value)
    np.put_along_axis(perm, slots, by_value, axis=axis)
    return perm


def sort(a, axis=-1, kind=None, order=None, stable=None):
    _no({"order": order}, "sort", "order")
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axes(axis, ndim(a))[0]
    plain = lowest(a)
    return take_along_axis(a, np.argsort(plain, axis=axis, kind="stable"), axis=axis)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    _no({"order": order}, "partition", "order")
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axes(axis, ndim(a))[0]
    plain = lowest(a)
    arranged = np.partition(plain, kth, axis=axis)  # NumPy's own arrangement, entry for entry
    return take_along_axis(a, matching_permutation(plain, arranged, axis), axis=axis)


def _lines(a, axis):
    """Move the reduced axes to the end and merge them: ``(kept..., n)``; also the kept shape."""
    nd = ndim(a)
    axes = _axes(axis, nd)
    moved = moveaxis(a, axes, tuple(range(nd - len(axes), nd))) if axes else a
    kept = _shape_of(moved)[: nd - len(axes)]
    return reshape(moved, kept + (-1,)), axes


def _keepdims(x, a_shape, axes, q_ndim):
    """Re-insert reduced axes as length 1 after the ``q_ndim`` leading quantile axes."""
    s = list(_shape_of(x)[:q_ndim])
    kept = iter(_shape_of(x)[q_ndim:])
    for i in range(len(a_shape)):
        s.append(1 if i in axes else next(kept))
    return reshape(x, tuple(s))


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None, interpolation=None):
    _no({"out": out, "interpolation": interpolation}, "quantile", "out", "interpolation")
    q = _q_operand(q)
    if weights is not None:
        return _weighted_quantile(a, q, axis, method, keepdims, weights)
    if method != "linear" and isinstance(q, Tracer):
        raise UnsupportedOperation(f"np.quantile(method={method!r}) with a traced q: only method='linear' "
                                   "is differentiable in q")
    q_plain = np.asarray(lowest(q), dtype=np.float64)
    if np.any((q_plain < 0) | (q_plain > 1)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    # NumPy's result type: float32 data with a Python float q stay float32; an array of q promotes
    dtype = np.result_type(lowest(a), q if isinstance(q, (float, int)) else np.asarray(lowest(q)), 1.0)
    result = _quantile(a, q, q_plain, axis, method, keepdims)
    return result if np.result_type(lowest(result)) == dtype else astype(result, dtype)


def _q_operand(q):
    """``q`` as given, or one traced array when it is a list (or object array) holding traced values, so
    that the checks for a traced ``q`` see it (``np.asarray(q, dtype=float)`` of it traces while a
    transform runs: ``entry_points.py``)."""
    return traced_array(q) if not isinstance(q, Tracer) and holds_traced(q) else q


def _weighted_quantile(a, q, axis, method, keepdims, weights):
    """``np.quantile(a, q, weights=w, method='inverted_cdf')`` (the one method NumPy weights).

    The result is one entry of the data, the first in sorted order whose cumulative weight
    reaches ``q``: NumPy says which by its value, and the entry of the sorted data holding that
    value (the first one, in stable order, at a tie) is taken, so the slope 1 goes to it.  The
    choice is a step function of ``q`` and of the weights: their slope is 0 (a traced ``q``
    refuses, traced weights are read as plain numbers).
    """
    if isinstance(q, Tracer):
        raise UnsupportedOperation("np.quantile(..., weights=...) with a traced q: the weighted quantile is a step "
                                   "function of q")
    q_plain = np.asarray(lowest(q), dtype=np.float64)
    expected = np.quantile(lowest(a), q_plain, axis=axis, method=method, weights=lowest(weights))  # NumPy's checks
    if np.any(np.isnan(expected)):
        raise UnsupportedOperation("np.quantile(..., weights=...) of data holding NaN on traced values is not "
                                   "supported (use np.nanquantile without weights, or drop the NaNs)")
    lines, axes = _lines(a, axis)
    s = sort(lines, axis=-1)
    qn = q_plain.ndim
    r = np.moveaxis(np.asarray(expected), tuple(range(qn)), tuple(range(-qn, 0))) if qn else np.asarray(expected)
    r = r.reshape(_shape_of(s)[:-1] + (-1,))  # (kept..., q.size)
    index = np.argmax(np.asarray(lowest(s))[..., :, None] == r[..., None, :], axis=-2)  # the first entry equal
    result = take_along_axis(s, index, axis=-1)
    if qn:
        result = reshape(result, _shape_of(result)[:-1] + q_plain.shape)
        kept_nd = ndim(result) - qn
        result = moveaxis(result, tuple(range(kept_nd, kept_nd + qn)), tuple(range(qn)))
    else:
        result = getitem(result, (Ellipsis, 0))
    result = _keepdims(result, _shape_of(a), axes, qn) if keepdims else result
    dtype = np.result_type(expected)
    return result if np.result_type(lowest(result)) == dtype else astype(result, dtype)


def _quantile(a, q, q_plain, axis, method, keepdims):
    a_shape = _shape_of(a)
    lines, axes = _lines(a, axis)
    n = _shape_of(lines)[-1]
    s = sort(lines, axis=-1)
    if method != "linear":
        weights = _method_weights(n, q_plain, method)  # (n, q.size)
        qn = q_plain.ndim
        result = s @ (weights if qn else weights[:, 0])  # (kept..., q.size) or (kept...)
        if qn:
            result = reshape(result, _shape_of(result)[:-1] + q_plain.shape)
            kept_nd = ndim(result) - qn
            result = moveaxis(result, tuple(range(kept_nd, kept_nd + qn)), tuple(range(qn)))
        return _keepdims(result, a_shape, axes, qn) if keepdims else result
    position = q_plain * (n - 1)
    lo = np.clip(np.floor(position).astype(np.int64), 0, max(n - 2, 0))
    hi = np.minimum(lo + 1, n - 1)
    q = q if isinstance(q, Tracer) else q_plain
    frac = q * (n - 1) - lo  # traced when q is: the quantile's slope in q
    below, above = take(s, lo, axis=-1), take(s, hi, axis=-1)  # (kept..., *q.shape)
    result = below + (above - below) * frac
    qn = q_plain.ndim
    if qn:  # NumPy puts the quantile axes first
        kept_nd = ndim(result) - qn
        result = moveaxis(result, tuple(range(kept_nd, kept_nd + qn)), tuple(range(qn)))
    return _keepdims(result, a_shape, axes, qn) if keepdims else result


def _method_weights(n: int, q: np.ndarray, method: str) -> np.ndarray:
    """The weight of each sorted entry in NumPy's ``quantile(..., method=method)``, shape ``(n, q.size)``.

    Every method picks two neighbours of the sorted data and interpolates, with an index and a
    fraction that depend only on ``n``, ``q`` and the method: the quantile is a fixed linear
    combination of the sorted entries, and NumPy itself says which.  Step vectors
    ``u_k = [0, …, 0, 1, …, 1]`` (ones from entry ``k`` on) are sorted, so
    ``quantile(u_k) = Σ_{i ≥ k} w_i``; differences give the ``w_i``.  The derivative with respect
    to the data is then ``w`` routed back through the sort (its ties: see ``sort``).
    """
    steps = (np.arange(n)[None, :] >= np.arange(n)[:, None]).astype(np.float64)  # row k is u_k
    cumulative = np.quantile(steps, q.ravel(), axis=1, method=method).reshape(q.size, n)  # [j, k] = Σ_{i≥k} w_i
    weights = cumulative - np.concatenate([cumulative[:, 1:], np.zeros((q.size, 1))], axis=1)
    return weights.T


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None, interpolation=None):
    q = _q_operand(q)
    return quantile(a, q / 100.0 if not isinstance(q, (list, tuple)) else np.asarray(q) / 100.0, axis=axis, out=out,
                    method=method, keepdims=keepdims, weights=weights, interpolation=interpolation)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle sorted entry, or the mean of the two middle ones (each gets half)."""
    _no({"out": out}, "median", "out")
    a_shape = _shape_of(a)
    lines, axes = _lines(a, axis)
    n = _shape_of(lines)[-1]
    s = sort(lines, axis=-1)
    middle = getitem(s, (Ellipsis, slice((n - 1) // 2, n // 2 + 1)))
    result = mean(middle, axis=-1)
    return _keepdims(result, a_shape, axes, 0) if keepdims else result


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                weights=None, interpolation=None):
    """``np.nanquantile``: the quantile of each line's entries that are not NaN (NaN for a line of
    NaNs only, as NumPy).  Sorting puts the NaNs last, so line ``i`` with ``kᵢ`` numbers
    interpolates between its sorted entries ``⌊q(kᵢ - 1)⌋`` and the next (``method='linear'``)."""
    _no({"out": out, "weights": weights, "interpolation": interpolation}, "nanquantile", "out", "weights",
        "interpolation")
    q = _q_operand(q)
    if method != "linear":
        raise UnsupportedOperation(f"np.nanquantile(method={method!r}) is not supported on traced values: "
                                   "use method='linear' (the default)")
    if isinstance(q, Tracer):
        raise UnsupportedOperation("np.nanquantile with a traced q is not supported: give q as numbers")
    q_plain = np.asarray(q, dtype=np.float64)
    if np.any((q_plain < 0) | (q_plain > 1)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    a_shape = _shape_of(a)
    dtype = np.result_type(lowest(a), q if isinstance(q, (float, int)) else q_plain, 1.0)
    lines, axes = _lines(a, axis)
    s = sort(lines, axis=-1)  # NaNs last
    count = np.sum(~np.isnan(np.asarray(lowest(lines))), axis=-1)  # (kept...)
    qs = q_plain.reshape(q_plain.shape + (1,) * count.ndim)  # (*q.shape, kept...)
    position = qs * np.maximum(count - 1, 0)
    lo = np.minimum(np.floor(position).astype(np.int64), np.maximum(count - 2, 0))
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    frac = (position - lo).astype(dtype)
    # gather along the last axis of s for every q: move q's axes behind the kept ones
    qn = q_plain.ndim
    lo_k, hi_k, frac_k = (np.moveaxis(v, tuple(range(qn)), tuple(range(v.ndim - qn, v.ndim))) if qn else v
                          for v in (lo, hi, frac))
    flat = lambda v: v.reshape(v.shape[:count.ndim] + (-1,))  # noqa: E731  (kept..., q.size)
    below = take_along_axis(s, flat(lo_k), axis=-1)
    above = take_along_axis(s, flat(hi_k), axis=-1)
    result = below + (above - below) * flat(frac_k)
    result = reshape(result, count.shape + q_plain.shape)
    empty = np.moveaxis(np.broadcast_to(count == 0, q_plain.shape + count.shape), tuple(range(qn)),
                        tuple(range(count.ndim, count.ndim + qn))) if qn else count == 0
    if np.any(empty):
        from .elementwise import where
        result = where(empty, np.nan, result)
    if qn:
        kept_nd = count.ndim
        result = moveaxis(result, tuple(range(kept_nd, kept_nd + qn)), tuple(range(qn)))
    result = _keepdims(result, a_shape, axes, qn) if keepdims else result
    return result if np.result_type(lowest(result)) == dtype else astype(result, dtype)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  weights=None, interpolation=None):
    q = _q_operand(q)
    return nanquantile(a, q / 100.0 if not isinstance(q, (list, tuple)) else np.asarray(q) / 100.0, axis=axis,
                       out=out, method=method, keepdims=keepdims, weights=weights, interpolation=interpolation)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``np.nanmedian``: the median of the entries that are not NaN (each middle entry half)."""
    return nanquantile(a, 0.5, axis=axis, out=out, keepdims=keepdims)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True,
           sorted=True):
    """``np.unique``: the sorted distinct entries, each a gather of its first occurrence (so
    where entries tie, the first one carries the slope; where all differ it is ``sort``).  The
    indices, inverse and counts are plain integers, as NumPy returns them."""
    if axis is not None:
        raise UnsupportedOperation("np.unique(..., axis=...) is not supported on traced values")
    plain = np.ravel(np.asarray(lowest(ar)))
    found = np.unique(plain, return_index=True, return_inverse=return_inverse, return_counts=return_counts,
                      equal_nan=equal_nan)
    values = take(ravel(ar), found[1])
    extras = ([found[1]] if return_index else []) + list(found[2:])
    if return_inverse:
        k = 1 + bool(return_index)
        extras[k - 1] = extras[k - 1].reshape(np.shape(lowest(ar))) if np.ndim(lowest(ar)) else extras[k - 1]
    return tuple([values] + extras) if extras else values
