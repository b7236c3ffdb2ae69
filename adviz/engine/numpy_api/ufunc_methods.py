"""ufunc methods and options beyond the common ones: ``reduce`` of any two-operand ufunc,
``reduceat``, and ``np.matmul(..., axes=...)``.

``np.add.reduce`` and friends map to ``np.sum`` (see the ``REDUCTIONS`` table); the others
have no single primitive, so they are written as what NumPy defines them to be:

* ``np.hypot.reduce(x)``, ``np.subtract.reduce(x)``, ``np.divide.reduce(x)`` … fold the ufunc
  along the axis, ``f(f(f(start, x[0]), x[1]), x[2])``: one recorded node per entry, each
  with its own rule (``hypot`` at the origin keeps its 0 subgradient).  Only the ufuncs in
  :data:`FOLDS`, whose NumPy reduction *is* that fold: ``np.power.reduce([2., 3., 2.])`` is
  4.0 in NumPy 2.4, not ``(2**3)**2``, and a fold would differentiate another function.  The
  fold's value is compared with NumPy's every time, and a difference refuses;
* ``np.add.reduceat(x, indices)`` is ``np.add.reduce`` of each slice ``x[i:j]`` (or the
  entry ``x[i]`` as it is when ``j <= i + 1``), concatenated along the axis;
* ``np.matmul(a, b, axes=[(…), (…), (…)])`` moves each operand's matrix axes last,
  multiplies, and moves the result's axes where ``axes`` says.

Every one first asks NumPy for the plain value, so a call NumPy rejects fails with NumPy's
own error, and the options nobody can trace (``out=``, a ``where=`` mask) refuse.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from ..primitives.core import ndim, shape
from ..tracer import Tracer, UnsupportedOperation, lowest
from ._common import _NOVALUE, _as_operand, getitem
from .elementwise import astype
from .products import matmul
from .shapes import concatenate, moveaxis, reshape


FOLDS = frozenset({np.hypot, np.subtract, np.true_divide, np.logaddexp2, np.float_power, np.remainder, np.fmod,
                   np.copysign, np.nextafter})
"""Two-operand ufuncs whose ``reduce`` NumPy computes as the left fold (checked on NumPy 2.4;
not ``power`` or ``arctan2``, whose reductions pair the first entry with the last)."""


def fold_reduce(ufunc: np.ufunc, check: bool = True) -> Callable:
    """``ufunc.reduce`` as a left fold along the reduced axes (NumPy's definition); ``check``
    compares its value with NumPy's and refuses a difference."""

    def reduce(x, axis=0, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        name = f"np.{ufunc.__name__}.reduce"
        if out is not None:
            raise UnsupportedOperation(f"{name}(..., out=...) writes in place: not supported on traced values")
        if where is not True:
            raise UnsupportedOperation(f"{name}(..., where=...) is not supported on traced values")
        x = _as_operand(x)
        plain = {} if initial is _NOVALUE else {"initial": lowest(initial)}
        expected = ufunc.reduce(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, **plain)  # NumPy's checks
        if dtype is not None:
            if not np.issubdtype(np.dtype(dtype), np.inexact):
                return expected  # an integer dtype truncates: a plain value
            x = astype(x, dtype)
        nd = ndim(x)
        axes = tuple(range(nd)) if axis is None else tuple(int(a) % nd for a in np.atleast_1d(axis))
        kept = [a for a in range(nd) if a not in axes]
        n = int(np.prod([shape(x)[a] for a in axes], dtype=int))
        if n == 0:
            return expected  # the identity (or initial): a constant
        flat = reshape(moveaxis(x, axes, tuple(range(-len(axes), 0))) if axes else x,
                       tuple(shape(x)[a] for a in kept) + (n,))
        acc = initial if initial is not _NOVALUE else ufunc.identity
        for i in range(n):
            entry = getitem(flat, (Ellipsis, i))
            acc = entry if acc is None else ufunc(acc, entry)
        if keepdims:
            acc = reshape(acc, tuple(1 if a in axes else s for a, s in enumerate(shape(x))))
        if check and not _same(acc, expected):  # never a derivative of a different function than the one NumPy computed
            raise UnsupportedOperation(
                f"{name}: NumPy's reduction of this ufunc is not the left fold f(f(x0, x1), x2) (NumPy "
                f"gives {expected!r}), so adviz cannot differentiate it; write the fold as a Python loop")
        return acc

    return reduce


FIRST_WITH_LAST = frozenset({np.power, np.arctan2})
"""Two-operand ufuncs whose ``reduce`` NumPy (checked on 2.4) computes, along a contiguous line,
as ``f(x[0], x[-1])``, the first entry with the last (``np.power.reduce([2., 3., 2.])`` is
``2.0**2.0 = 4.0``), and along other axes as the left fold (``np.power.reduce(a, axis=0)`` of a
2-D ``a`` is ``(a[0]**a[1])**a[2]``).  adviz computes both and differentiates the one whose
value is NumPy's."""


def paired_reduce(ufunc: np.ufunc) -> Callable:
    """``np.power.reduce`` / ``np.arctan2.reduce``: the left fold or ``f(x[0], x[-1])``, whichever
    NumPy computed (compared every time; when both give NumPy's value they are different
    functions that happen to agree at this point, and the call refuses rather than guess)."""
    fold = fold_reduce(ufunc, check=False)

    def reduce(x, axis=0, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        name = f"np.{ufunc.__name__}.reduce"
        x = _as_operand(x)
        by_fold = fold(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)
        plain = {} if initial is _NOVALUE else {"initial": lowest(initial)}
        expected = ufunc.reduce(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, **plain)
        if not isinstance(by_fold, Tracer) or not np.issubdtype(np.result_type(expected), np.inexact):
            return by_fold  # a constant: an empty line, an integer dtype
        candidates = [by_fold]
        n = _line_length(x, axis)
        if initial is _NOVALUE and n > 2:  # with two entries (or one) both readings are the same function
            flat = _flat_lines(x, axis, dtype)
            pair = ufunc(getitem(flat, (Ellipsis, 0)), getitem(flat, (Ellipsis, n - 1)))
            if keepdims:
                pair = reshape(pair, _kept_shape(x, axis))
            candidates.append(pair)
        matches = [c for c in candidates if _same(c, expected)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnsupportedOperation(
                f"{name}: at this point NumPy's value ({expected!r}) is both the left fold f(f(x0, x1), x2) and "
                "f(x[0], x[-1]), two different functions NumPy computes along different axes, so adviz cannot "
                "tell which one to differentiate; write the reduction as a Python loop")
        raise UnsupportedOperation(
            f"{name}: NumPy gives {expected!r}, which is neither the left fold f(f(x0, x1), x2) nor f(x[0], x[-1]), "
            "so adviz cannot differentiate it; write the reduction as a Python loop")

    return reduce


def extreme_reduce(ufunc: np.ufunc) -> Callable:
    """``np.fmax.reduce`` / ``np.fmin.reduce``: ``np.nanmax`` / ``np.nanmin``, which NumPy
    defines them as (NaN entries ignored, a line of NaNs only is NaN), with the ties of a max
    reduction: ``k`` tied extremes share the slope ``1/k`` (docs/conventions.md), which a
    pairwise fold of ``fmax`` (½ at each tie) would not give."""

    def reduce(x, axis=0, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        from .reductions import nanmax, nanmin

        name = f"np.{ufunc.__name__}.reduce"
        if out is not None:
            raise UnsupportedOperation(f"{name}(..., out=...) writes in place: not supported on traced values")
        x = _as_operand(x)
        plain = {} if initial is _NOVALUE else {"initial": lowest(initial)}
        if where is not True:
            plain["where"] = lowest(where)
        expected = ufunc.reduce(lowest(x), axis=axis, dtype=dtype, keepdims=keepdims, **plain)  # NumPy's checks
        if dtype is not None:
            if not np.issubdtype(np.dtype(dtype), np.inexact):
                return expected
            x = astype(x, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # fmax.reduce of NaNs only is NaN, silently
            y = (nanmax if ufunc is np.fmax else nanmin)(x, axis=axis, keepdims=keepdims, initial=initial,
                                                         where=_NOVALUE if where is True else where)
        if not _same(y, expected):
            raise UnsupportedOperation(f"{name}: NumPy gives {expected!r} here, which np.nan{ufunc.__name__[1:]} "
                                       "does not (an initial= of NaN?); adviz cannot differentiate it")
        return y

    return reduce


def _reduced(x, axis) -> tuple:
    nd = ndim(x)
    return tuple(range(nd)) if axis is None else tuple(int(a) % nd for a in np.atleast_1d(axis))


def _line_length(x, axis) -> int:
    return int(np.prod([shape(x)[a] for a in _reduced(x, axis)], dtype=int))


def _kept_shape(x, axis) -> tuple:
    axes = _reduced(x, axis)
    return tuple(1 if a in axes else s for a, s in enumerate(shape(x)))


def _flat_lines(x, axis, dtype):
    """``x`` with the reduced axes moved last and flattened into one: ``(kept..., n)``."""
    if dtype is not None:
        x = astype(x, dtype)
    axes = _reduced(x, axis)
    kept = [a for a in range(ndim(x)) if a not in axes]
    moved = moveaxis(x, axes, tuple(range(-len(axes), 0))) if axes else x
    return reshape(moved, tuple(shape(x)[a] for a in kept) + (_line_length(x, axis),))


def _same(value, expected) -> bool:
    with np.errstate(all="ignore"):
        return np.shape(lowest(value)) == np.shape(expected) and \
            bool(np.allclose(lowest(value), expected, rtol=1e-12, atol=0.0, equal_nan=True))


def reduceat(ufunc: np.ufunc) -> Callable:
    """``ufunc.reduceat(x, indices, axis)``: ``ufunc.reduce`` of each slice, concatenated."""

    def reduceat_(x, indices, axis=0, dtype=None, out=None):
        name = f"np.{ufunc.__name__}.reduceat"
        if out is not None:
            raise UnsupportedOperation(f"{name}(..., out=...) writes in place: not supported on traced values")
        x = _as_operand(x)
        indices = np.asarray(lowest(indices))
        expected = ufunc.reduceat(lowest(x), indices, axis=axis, dtype=dtype)  # NumPy's checks
        if dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact):
            return expected
        axis = int(axis) % ndim(x)
        n = shape(x)[axis]
        before = (slice(None),) * axis
        parts = []
        for k, i in enumerate(indices.tolist()):
            j = int(indices[k + 1]) if k + 1 < len(indices) else n
            part = getitem(x, before + (slice(i, j if j > i else i + 1),))
            if j > i + 1:  # one entry is kept as it is (np.hypot.reduceat keeps its sign)
                part = ufunc.reduce(part, axis=axis, dtype=dtype, keepdims=True)
            elif dtype is not None:
                part = astype(part, dtype)
            parts.append(part)
        return concatenate(parts, axis=axis)

    return reduceat_


def matmul_axes(a: Any, b: Any, axes: Any) -> Any:
    """``np.matmul(a, b, axes=[(a's two axes), (b's two axes), (the result's two axes)])``."""
    a, b = _as_operand(a), _as_operand(b)
    np.matmul(np.zeros(shape(a)), np.zeros(shape(b)), axes=axes)  # NumPy's checks, on shapes only
    axes = [tuple(np.atleast_1d(ax).tolist()) for ax in axes]
    core = [min(ndim(a), 2), min(ndim(b), 2)]
    a = moveaxis(a, axes[0], tuple(range(-core[0], 0)))
    b = moveaxis(b, axes[1], tuple(range(-core[1], 0)))
    out = matmul(a, b)
    k = (core[0] == 2) + (core[1] == 2)
    if k and len(axes) > 2:
        out = moveaxis(out, tuple(range(-k, 0)), axes[2])
    return out


__all__ = ["FOLDS", "FIRST_WITH_LAST", "fold_reduce", "paired_reduce", "extreme_reduce", "reduceat", "matmul_axes"]
