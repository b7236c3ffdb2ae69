"""Indexing and selecting: ``x[i]``, ``take``, ``where``, diagonals."""

from __future__ import annotations

import builtins

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim
from ..primitives.structural import scatter_add_prim_apply
from ..tracer import Tracer, bind, lowest
from ._common import _as_operand, _axes, _no, _shape_of, getitem
from .reductions import sum
from .shapes import ravel, transpose


def take(x, indices, axis=None, out=None, mode="raise"):
    """``np.take``; ``mode='wrap'``/``'clip'`` map the indices first, as NumPy does."""
    _no({"out": out}, "take", "out")
    if axis is None:
        x, a = ravel(x), 0
    else:
        a = _axes(axis, ndim(x))[0]
    idx = np.asarray(lowest(indices))
    n = _shape_of(x)[a]
    if mode == "wrap":
        idx = np.mod(idx, n) if n else idx
    elif mode == "clip":
        idx = np.clip(idx, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    return getitem(x, (slice(None),) * a + (idx,))


def diagonal(x, offset=0, axis1=0, axis2=1):
    """``np.diagonal``: entries ``x[..., i, i + offset]`` of the plane (axis1, axis2), as one gather.

    The two axes are moved to the end (a transpose) and the diagonal is picked with a pair
    of integer index arrays, so the result has the other axes first and the diagonal last,
    exactly as NumPy orders it.  Its derivative is the gather's: scatter the adjoint back
    onto the diagonal, zeros elsewhere.
    """
    nd = ndim(x)
    if nd < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    a1, a2 = _axes(axis1, nd)[0], _axes(axis2, nd)[0]
    if a1 == a2:
        raise ValueError("axis1 and axis2 cannot be the same")
    s = _shape_of(x)
    offset = int(offset)
    n = builtins.max(0, builtins.min(s[a1] + builtins.min(offset, 0), s[a2] - builtins.max(offset, 0)))
    rows = np.arange(n) + builtins.max(-offset, 0)
    cols = np.arange(n) + builtins.max(offset, 0)
    moved = transpose(x, [a for a in range(nd) if a not in (a1, a2)] + [a1, a2])
    return getitem(moved, (Ellipsis, rows, cols))


def diag(v, k=0):
    """``np.diag``: a vector becomes a square matrix with ``v`` on its ``k``-th diagonal
    (a scatter into zeros); a matrix gives its ``k``-th diagonal (a gather)."""
    k = int(k)
    if ndim(v) == 1:
        n = _shape_of(v)[0]
        m = n + abs(k)
        idx = (np.arange(n) + builtins.max(-k, 0), np.arange(n) + builtins.max(k, 0))
        return scatter_add_prim_apply(v, idx, (m, m), 0)
    if ndim(v) == 2:
        return diagonal(v, k)
    raise ValueError("Input must be 1- or 2-d.")


def diagflat(v, k=0):
    return diag(ravel(v), k)


def trace(x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """``np.trace``: the sum of :func:`diagonal` along its last axis (any dimension, offset)."""
    _no({"out": out}, "trace", "out")
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def flip(x, axis=None):
    axes = _axes(axis, ndim(x))
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(x))))


def _triangle(m, keep):
    """Keep the entries of the last two axes where the plain mask ``keep`` is true, 0 elsewhere."""
    return bind(P["where"], keep, m, np.zeros((), dtype=np.result_type(lowest(m))))


def tril(m, k=0):
    return _triangle(m, np.tri(*_shape_of(m)[-2:], k=int(k), dtype=bool))


def triu(m, k=0):
    return _triangle(m, ~np.tri(*_shape_of(m)[-2:], k=int(k) - 1, dtype=bool))


def select(condlist, choicelist, default=0):
    """The first true condition picks its choice: nested ``where``s, built from the last."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = bind(P["where"], np.asarray(lowest(cond), dtype=bool), _as_operand(choice), _as_operand(out))
    return out


def along_axis_index(indices, axis: int, nd: int) -> tuple:
    """The fancy index that ``take_along_axis`` applies: ``indices`` on ``axis``, aranges elsewhere."""
    shape_ = np.shape(indices)
    index = []
    for a in range(nd):
        if a == axis:
            index.append(indices)
        else:
            fancy = [1] * nd
            fancy[a] = shape_[a]
            index.append(np.arange(shape_[a]).reshape(fancy))
    return tuple(index)


def take_along_axis(arr, indices, axis=-1):
    indices = np.asarray(lowest(indices))
    if axis is None:
        return getitem(ravel(arr), indices)
    nd = ndim(arr)
    return getitem(arr, along_axis_index(indices, _axes(axis, nd)[0], nd))


def linalg_diagonal(x, /, *, offset=0):
    """``np.linalg.diagonal``: the diagonal of the last two axes (a stack of matrices)."""
    return diagonal(x, offset, -2, -1)


def linalg_trace(x, /, *, offset=0, dtype=None):
    """``np.linalg.trace``: the trace of the last two axes (a stack of matrices)."""
    out = trace(x, offset, -2, -1)
    if dtype is not None:
        from .elementwise import astype
        out = astype(out, dtype)
    return out


def compress(condition, a, axis=None, out=None):
    """``np.compress``: the slices along ``axis`` where ``condition`` is true (a gather)."""
    _no({"out": out}, "compress", "out")
    keep = np.flatnonzero(np.asarray(lowest(condition), dtype=bool))
    return take(a, keep, axis=axis)


def extract(condition, arr):
    """``np.extract``: the entries of ``ravel(arr)`` where ``ravel(condition)`` is true."""
    return take(ravel(arr), np.flatnonzero(np.ravel(lowest(condition))))


def delete(arr, obj, axis=None):
    """``np.delete``: keep every index along ``axis`` except ``obj`` (a gather)."""
    arr = _as_operand(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    a = _axes(axis, ndim(arr))[0]
    keep = np.delete(np.arange(_shape_of(arr)[a]), lowest(obj))
    return take(arr, keep, axis=a)


def choose(a, choices, out=None, mode="raise"):
    """``np.choose``: entry ``i`` from ``choices[a[i]]`` (all broadcast together): the choices
    stacked on a new first axis and one entry picked from each column."""
    _no({"out": out}, "choose", "out")
    from .shapes import broadcast_arrays, stack
    index = np.asarray(lowest(a))
    n = len(choices)
    if mode == "clip":
        index = np.clip(index, 0, n - 1)
    elif mode == "wrap":
        index = index % n
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    elif np.any((index < 0) | (index >= n)):
        raise ValueError("invalid entry in choice array")
    parts = broadcast_arrays(index, *[_as_operand(c) for c in choices])
    index, stacked = parts[0], stack(parts[1:], axis=0)
    return take_along_axis(stacked, index[None], axis=0)[0]


def piecewise(x, condlist, funclist, *args, **kw):
    """``np.piecewise``: ``y[cond_i] = f_i(x[cond_i])``, later conditions overwriting earlier
    ones, 0 where none holds (an extra function is the "otherwise" piece).

    As NumPy does, each function sees only the entries of its piece (``x[cond]``), so a
    function undefined elsewhere (``np.sqrt`` on the negative piece) never meets them.  The
    pieces' values are joined in one vector and every entry of ``y`` gathers its own: the
    derivative of an entry is its piece's, and 0 where a constant or no piece applies.
    """
    from .shapes import concatenate, ravel, reshape
    x = _as_operand(x)
    xs = _shape_of(x)
    plain_x = np.asarray(lowest(x))
    if np.isscalar(condlist) or (not isinstance(condlist[0], (list, np.ndarray, Tracer)) and plain_x.ndim != 0):
        condlist = [condlist]
    conds = [np.broadcast_to(np.asarray(lowest(c), dtype=bool), xs) for c in condlist]
    if len(funclist) == len(conds) + 1:
        conds.append(~np.any(conds, axis=0) if conds else np.ones(xs, dtype=bool))
    elif len(funclist) != len(conds):
        raise ValueError(f"with {len(conds)} condition(s), either {len(conds)} or {len(conds) + 1} functions are expected")
    dtype = np.result_type(plain_x, 1.0) if plain_x.dtype.kind not in "fc" else plain_x.dtype
    owner = np.full(xs, -1)  # which piece each entry takes its value from (the last true condition)
    for i, cond in enumerate(conds):
        owner[cond] = i
    flat_x = ravel(x)
    parts, where_in = [], np.full(int(np.prod(xs, dtype=int)), -1)
    offset = 0
    for i, (cond, func) in enumerate(zip(conds, funclist)):
        positions = np.flatnonzero(cond)
        if positions.size == 0:
            continue
        if callable(func):
            values = ravel(_as_operand(func(getitem(flat_x, positions), *args, **kw)))
            if _shape_of(values) == (1,) and positions.size > 1:
                values = values * np.ones(positions.size, dtype=dtype)
        elif isinstance(func, Tracer):  # a traced constant piece: its entries follow it (slope 1)
            values = func * np.ones(positions.size, dtype=dtype)
        else:
            values = np.full(positions.size, func, dtype=dtype)
        keep = np.flatnonzero(owner.ravel()[positions] == i)  # entries a later piece does not overwrite
        where_in[positions[keep]] = offset + keep
        parts.append(values)
        offset += positions.size
    zero = np.zeros(1, dtype=dtype)
    where_in[where_in < 0] = offset  # entries of no piece: the 0 after the pieces
    joined = concatenate(parts + [zero]) if parts else zero
    return reshape(getitem(joined, where_in), xs)


def insert(arr, obj, values, axis=None):
    """``np.insert``: NumPy itself inserts *labels* (the position of each entry of ``arr``, and
    ``-1 - k`` for entry ``k`` of ``values``) so its rules for ``obj`` and for broadcasting
    ``values`` apply unchanged; the result then gathers those entries from ``arr`` and ``values``
    (an inserted value used twice, as a broadcast scalar is, adds up both adjoints)."""
    from .shapes import concatenate, ravel, reshape
    arr, values = _as_operand(arr), _as_operand(values)
    if not np.issubdtype(np.result_type(lowest(arr)), np.inexact):  # NumPy truncates the values: a plain result
        return np.insert(lowest(arr), lowest(obj), lowest(values), axis=axis)
    if axis is None:
        arr, axis = ravel(arr), 0
    labels = np.arange(int(np.prod(_shape_of(arr), dtype=int)), dtype=np.int64).reshape(_shape_of(arr))
    value_labels = -1 - np.arange(int(np.prod(_shape_of(values), dtype=int)), dtype=np.int64).reshape(_shape_of(values))
    placed = np.insert(labels, lowest(obj), value_labels, axis=axis)
    index = np.where(placed >= 0, placed, labels.size - 1 - placed)
    dtype = np.result_type(lowest(arr))
    pool = concatenate([ravel(arr), ravel(values if np.result_type(lowest(values)) == dtype
                                           else np.asarray(lowest(values)).astype(dtype)
                                           if not isinstance(values, Tracer) else values * np.ones((), dtype))])
    return reshape(getitem(pool, index.ravel()), placed.shape)
