"""Signals, polynomials and integrals of course code: convolve, correlate, polyval,
trapezoid, linspace, ediff1d, cov, corrcoef, nanvar, nanstd.

All are composites of primitives that already have rules:

* ``convolve(a, v)``: the outer product ``a[i]·v[j]`` scatter-added onto ``k = i + j`` (the
  definition ``out[k] = Σ a[i] v[k−i]``), then sliced for ``'same'`` and ``'valid'``;
  ``correlate(a, v)`` is ``convolve(a, v[::-1])`` (real inputs);
* ``polyval(p, x)``: Horner's rule ``((p₀x + p₁)x + p₂)…``, differentiable in ``p`` and ``x``;
* ``trapezoid(y, x)``: ``Σ (x[i+1] − x[i])·(y[i+1] + y[i]) / 2``;
* ``cov``: ``(X − mean)(X − mean)ᵀ / (N − ddof)``; ``corrcoef`` divides by the standard
  deviations; ``nanstd`` uses the same zero-spread convention as ``std`` (derivative 0).
"""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim
from ..primitives.structural import scatter_add_prim_apply
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from ._common import _NOVALUE, _as_operand, _axes, _no, _shape_of, getitem
from .elementwise import astype
from .reductions import _plain_dtype, mean, spread_sqrt, sum, var
from .shapes import atleast_2d, concatenate, ravel, reshape, swapaxes


def convolve(a, v, mode="full"):
    a, v = _as_operand(a), _as_operand(v)
    if ndim(a) != 1 or ndim(v) != 1:
        raise ValueError("object too deep for desired array")
    n, m = _shape_of(a)[0], _shape_of(v)[0]
    if n == 0 or m == 0:
        raise ValueError("a cannot be empty" if n == 0 else "v cannot be empty")
    products = reshape(a, (n, 1)) * reshape(v, (1, m))
    k = np.arange(n)[:, None] + np.arange(m)[None, :]
    full = scatter_add_prim_apply(products, (k,), (n + m - 1,), 0)
    short, long_ = min(n, m), max(n, m)
    if mode == "full":
        return full
    if mode == "same":
        start = (short - 1) // 2
        return getitem(full, slice(start, start + long_))
    if mode == "valid":
        return getitem(full, slice(short - 1, long_))
    raise ValueError(f"mode must be one of 'full', 'same', or 'valid', not {mode!r}")


def correlate(a, v, mode="valid"):
    v = _as_operand(v)
    return convolve(a, getitem(v, slice(None, None, -1)) if isinstance(v, Tracer) else np.asarray(v)[::-1], mode)


def polyval(p, x):
    """Horner's rule, exactly as NumPy evaluates it (so values agree to the last bit)."""
    p = _as_operand(p)
    y = np.zeros_like(lowest(x)) if isinstance(x, Tracer) else np.zeros_like(np.asarray(x, dtype=float))
    for i in range(_shape_of(p)[0]):
        y = y * x + (getitem(p, i) if isinstance(p, Tracer) else p[i])
    return y


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = _as_operand(y)
    axis = _axes(axis, ndim(y))[0]
    before = (slice(None),) * axis
    upper, lower = getitem(y, before + (slice(1, None),)), getitem(y, before + (slice(None, -1),))
    if x is None:
        d = dx
    else:
        x = _as_operand(x)
        if ndim(x) == 1:  # sample points along ``axis``, shared by every line
            x = reshape(x, tuple(-1 if i == axis else 1 for i in range(ndim(y))))
        d = getitem(x, before + (slice(1, None),)) - getitem(x, before + (slice(None, -1),))
    return sum(d * (upper + lower) / 2.0, axis=axis)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    """Evenly spaced values between traced (scalar) end points: ``start + k·step``."""
    if ndim(start) or ndim(stop):
        raise UnsupportedOperation("np.linspace with array end points is not supported on traced values")
    num = int(num)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else (stop - start) * np.nan
    k = np.arange(num - 1 if endpoint and num > 1 else num, dtype=np.float64)
    body = start + k * step
    out = concatenate([ravel(body), ravel(stop + 0.0 * start)]) if endpoint and num > 1 else body
    return (out, step) if retstep else out


def ediff1d(ary, to_end=None, to_begin=None):
    flat = ravel(_as_operand(ary))
    parts = [getitem(flat, slice(1, None)) - getitem(flat, slice(None, -1))]
    if to_begin is not None:
        parts.insert(0, ravel(_as_operand(to_begin)))
    if to_end is not None:
        parts.append(ravel(_as_operand(to_end)))
    return concatenate(parts) if len(parts) > 1 else parts[0]


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    _no({"fweights": fweights, "aweights": aweights}, "cov", "fweights", "aweights")
    X = atleast_2d(_as_operand(m))
    if not rowvar and _shape_of(X)[0] != 1:
        X = swapaxes(X, 0, 1)
    if y is not None:
        Y = atleast_2d(_as_operand(y))
        if not rowvar and _shape_of(Y)[0] != 1:
            Y = swapaxes(Y, 0, 1)
        X = concatenate([X, Y], axis=0)
    n = _shape_of(X)[1]
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    centered = X - mean(X, axis=1, keepdims=True)
    c = bind(P["matmul"], centered, swapaxes(centered, 0, 1)) / (n - ddof)
    return reshape(c, ()) if _shape_of(c) == (1, 1) else c


def corrcoef(x, y=None, rowvar=True, bias=_NOVALUE, ddof=_NOVALUE, *, dtype=None):
    c = cov(x, y, rowvar)
    if ndim(c) == 0:
        return c / c
    n = _shape_of(c)[0]
    i = np.arange(n)
    d = np.sqrt(getitem(c, (i, i)))
    return c / reshape(d, (n, 1)) / reshape(d, (1, n))


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE,
           correction=_NOVALUE):
    _no({"out": out, "mean": mean}, "nanvar", "out", "mean")
    if _plain_dtype(dtype):
        return np.nanvar(lowest(a), axis=axis, dtype=dtype, ddof=ddof if correction is _NOVALUE else correction,
                         keepdims=keepdims, where=lowest(where))
    if dtype is not None:
        a = astype(a, dtype)
    if correction is not _NOVALUE:
        ddof = correction
    nan = np.isnan(lowest(a))
    if where is not _NOVALUE and where is not True:  # the variance of the entries neither NaN nor left out
        keep = ~nan & np.broadcast_to(np.asarray(lowest(where), dtype=bool), nan.shape)
        clean = bind(P["where"], nan, np.zeros((), dtype=np.result_type(lowest(a))), a) if nan.any() else a
        return var(clean, axis=axis, ddof=ddof, keepdims=keepdims, where=keep)
    zero = np.zeros((), dtype=np.result_type(lowest(a)))
    clean = bind(P["where"], nan, zero, a) if nan.any() else a
    real = np.result_type(lowest(a))
    count = np.sum(~nan, axis=axis, keepdims=True).astype(real)
    centered = bind(P["where"], nan, zero, a - sum(clean, axis=axis, keepdims=True) / count) if nan.any() \
        else a - sum(clean, axis=axis, keepdims=True) / count
    total = sum(centered * centered, axis=axis, keepdims=keepdims)
    return total / (np.sum(~nan, axis=axis, keepdims=keepdims) - ddof).astype(real)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE,
           correction=_NOVALUE):
    """``sqrt(nanvar)``, with derivative 0 where the spread is zero (as ``std``)."""
    if _plain_dtype(dtype):
        return np.nanstd(lowest(a), axis=axis, dtype=dtype, ddof=ddof if correction is _NOVALUE else correction,
                         keepdims=keepdims)
    v = nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where, mean=mean, correction=correction)
    return spread_sqrt(v)
