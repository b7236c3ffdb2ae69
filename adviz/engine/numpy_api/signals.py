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
from .entry_points import holds_traced
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
    """Evenly spaced values between traced end points: ``start + k·step``, the last one
    ``stop`` itself (as NumPy sets it).  Array end points give one line per entry of their
    broadcast shape, the samples along ``axis``."""
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = _as_operand(start) * 1.0, _as_operand(stop) * 1.0  # integers become floats, as NumPy
    nd = len(np.broadcast_shapes(_shape_of(start), _shape_of(stop)))
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else (stop - start) * np.nan
    real = np.result_type(lowest(start), lowest(stop), 1.0)  # float32 end points give float32 samples, as NumPy
    k = np.arange(num - 1 if endpoint and num > 1 else num, dtype=real).reshape((-1,) + (1,) * nd)
    body = start + k * (step if div > 0 else stop - start)  # one sample (div 0): start itself, as NumPy
    if endpoint and num > 1:
        last = stop + 0.0 * start
        body = concatenate([body, reshape(last, (1,) + _shape_of(last))], axis=0)
    if nd and _axes(axis, nd + 1)[0] != 0:
        from .shapes import moveaxis
        body = moveaxis(body, 0, axis)
    if dtype is not None:
        body = astype(body, dtype)
    return (body, step) if retstep else body


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop)``: differentiable in the exponents and in ``base``."""
    y = np.power(_as_operand(base) * 1.0, linspace(start, stop, num, endpoint, axis=0))
    if ndim(y) > 1 and _axes(axis, ndim(y))[0] != 0:
        from .shapes import moveaxis
        y = moveaxis(y, 0, axis)
    return astype(y, dtype) if dtype is not None else y


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Samples evenly spaced on a log scale: ``sign · exp(linspace(log|start|, log|stop|))``,
    with the end points exactly ``start`` and ``stop`` (as NumPy makes them).  Both end points
    must have the same sign (NumPy's complex results are not supported)."""
    start, stop = _as_operand(start) * 1.0, _as_operand(stop) * 1.0
    s0, s1 = np.asarray(lowest(start)), np.asarray(lowest(stop))
    if np.any(s0 == 0) or np.any(s1 == 0):
        raise ValueError("Geometric sequence cannot include zero")
    if np.any(np.sign(s0) != np.sign(s1)):
        raise UnsupportedOperation("np.geomspace between end points of opposite signs gives complex numbers: "
                                   "not supported on traced values")
    sign = np.sign(s0)
    y = sign * np.exp(linspace(np.log(sign * start), np.log(sign * stop), num, endpoint, axis=0))
    num = int(num)
    if num > 0:
        first = reshape(start + 0.0 * stop, (1,) + _shape_of(y)[1:])
        parts = [first, getitem(y, slice(1, num - 1 if endpoint else num))]
        if endpoint and num > 1:
            parts.append(reshape(stop + 0.0 * start, (1,) + _shape_of(y)[1:]))
        y = concatenate(parts, axis=0) if num > 1 else first
    if ndim(y) > 1 and _axes(axis, ndim(y))[0] != 0:
        from .shapes import moveaxis
        y = moveaxis(y, 0, axis)
    return astype(y, dtype) if dtype is not None else y


def vander(x, N=None, increasing=False):
    """``np.vander``: columns ``x**(N-1), …, x, 1`` (reversed with ``increasing``); each column
    is a product of ``x``'s, so the derivative of ``x**k`` is ``k·x**(k-1)`` even at 0."""
    x = _as_operand(x)
    if ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = _shape_of(x)[0] if N is None else int(N)
    cols, power = [], None
    for k in range(n):
        power = np.ones_like(lowest(x) * 1.0) if k == 0 else (x * 1.0 if k == 1 else power * x)
        cols.append(power)
    if not increasing:
        cols.reverse()
    from .shapes import stack
    return stack(cols, axis=1) if cols else np.empty((_shape_of(x)[0], 0))


def gradient(f, *varargs, axis=None, edge_order=1):
    """``np.gradient``: central differences inside, one-sided ones at the ends, NumPy's own
    formulas (uniform spacing, scalar or traced; or constant coordinate arrays).  Linear in
    ``f``, so its derivative is the same stencil applied to the tangent."""
    plain_args = [lowest(v) for v in varargs]
    expected = np.gradient(np.asarray(lowest(f), dtype=np.float64) if np.issubdtype(
        np.result_type(lowest(f)), np.integer) else lowest(f), *plain_args, axis=axis, edge_order=edge_order)
    f = _as_operand(f)
    if np.issubdtype(np.result_type(lowest(f)), np.integer):
        f = f * 1.0
    nd = ndim(f)
    axes = list(range(nd)) if axis is None else [a % nd for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and ndim(varargs[0]) == 0:
        spacing = [varargs[0]] * len(axes)
    else:
        spacing = list(varargs)
    out = []
    for a, h in zip(axes, spacing):
        if ndim(h) != 0:
            if holds_traced(h):
                raise UnsupportedOperation("np.gradient with traced coordinate arrays is not supported: "
                                           "give a traced scalar spacing or constant coordinates")
            dx = np.diff(np.asarray(h, dtype=np.float64))
            h = dx[0] if np.all(dx == dx[0]) else dx
        out.append(_gradient_along(f, a, h, int(edge_order)))
    return out[0] if len(out) == 1 and not isinstance(expected, (tuple, list)) else type(expected)(out)


def _gradient_along(f, a, h, edge_order):
    nd = ndim(f)

    def at(sl):
        return getitem(f, (slice(None),) * a + (sl,))

    def along(c):  # a vector of coefficients, lying along axis a
        return np.reshape(c, (-1,) + (1,) * (nd - a - 1))

    uniform = ndim(h) == 0
    if uniform:
        inner = (at(slice(2, None)) - at(slice(None, -2))) / (2.0 * h)
    else:
        dx1, dx2 = h[:-1], h[1:]
        ca = along(-dx2 / (dx1 * (dx1 + dx2)))
        cb = along((dx2 - dx1) / (dx1 * dx2))
        cc = along(dx1 / (dx2 * (dx1 + dx2)))
        inner = ca * at(slice(None, -2)) + cb * at(slice(1, -1)) + cc * at(slice(2, None))
    if edge_order == 1:
        first = (at(slice(1, 2)) - at(slice(0, 1))) / (h if uniform else h[0])
        last = (at(slice(-1, None)) - at(slice(-2, -1))) / (h if uniform else h[-1])
    else:
        if uniform:
            a0, b0, c0 = -1.5 / h, 2.0 / h, -0.5 / h
            a1, b1, c1 = 0.5 / h, -2.0 / h, 1.5 / h
        else:
            d1, d2 = h[0], h[1]
            a0, b0, c0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
            d1, d2 = h[-2], h[-1]
            a1, b1, c1 = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2))
        first = a0 * at(slice(0, 1)) + b0 * at(slice(1, 2)) + c0 * at(slice(2, 3))
        last = a1 * at(slice(-3, -2)) + b1 * at(slice(-2, -1)) + c1 * at(slice(-1, None))
    return concatenate([first, inner, last], axis=a)


def ediff1d(ary, to_end=None, to_begin=None):
    flat = ravel(_as_operand(ary))
    parts = [getitem(flat, slice(1, None)) - getitem(flat, slice(None, -1))]
    if to_begin is not None:
        parts.insert(0, ravel(_as_operand(to_begin)))
    if to_end is not None:
        parts.append(ravel(_as_operand(to_end)))
    return concatenate(parts) if len(parts) > 1 else parts[0]


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    """``np.cov``: ``(X − mean)(X − mean)ᵀ / (N − ddof)``, and with weights NumPy's weighted
    formula (see :func:`_weighted_cov`); the weights may be traced too."""
    X = atleast_2d(_as_operand(m))
    # NumPy computes in ``dtype``, by default at least float64 (float32 data give a float64 cov)
    real = np.dtype(dtype) if dtype is not None else np.result_type(
        lowest(X), np.float64, *([] if y is None else [lowest(_as_operand(y))]))
    if np.result_type(lowest(X)) != real:
        X = astype(X, real)
    if not rowvar and _shape_of(X)[0] != 1:
        X = swapaxes(X, 0, 1)
    if y is not None:
        Y = atleast_2d(_as_operand(y))
        if not rowvar and _shape_of(Y)[0] != 1:
            Y = swapaxes(Y, 0, 1)
        X = concatenate([X, Y], axis=0)
    n = _shape_of(X)[1]
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    if fweights is not None or aweights is not None:
        c = _weighted_cov(X, n, ddof, fweights, aweights, real)
        return reshape(c, ()) if _shape_of(c) == (1, 1) else c
    centered = X - mean(X, axis=1, keepdims=True)
    c = bind(P["matmul"], centered, swapaxes(centered, 0, 1)) / (n - ddof)
    return reshape(c, ()) if _shape_of(c) == (1, 1) else c


def _check_weights(w, n: int, name: str, integer: bool):
    """NumPy's checks of ``fweights``/``aweights`` (on the concrete values: they choose nothing)."""
    plain = np.asarray(lowest(w))
    if integer and not np.all(plain == np.around(plain)):
        raise TypeError("fweights must be integer")
    if plain.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if plain.shape[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    if np.any(plain < 0):
        raise ValueError(f"{name} cannot be negative")


def _weighted_cov(X, n: int, ddof: int, fweights, aweights, real):
    """NumPy's weighted covariance: with ``w = fweights·aweights``,
    ``avg = Σ w x / Σ w`` and ``cov = (X − avg)·w·(X − avg)ᵀ / f`` where ``f = Σ w − ddof`` (only
    frequency weights) or ``Σ w − ddof·Σ(w·aweights)/Σ w`` (with analytic weights); ``f = Σ w``
    for ``ddof = 0``.  Every step is a traced operation, so ``X`` and the weights are differentiated."""
    w = None
    if fweights is not None:
        _check_weights(fweights, n, "fweights", integer=True)
        w = astype(_as_operand(fweights), real)
    if aweights is not None:
        _check_weights(aweights, n, "aweights", integer=False)
        a = astype(_as_operand(aweights), real)
        w = a if w is None else w * a
    w_sum = sum(w)
    avg = sum(X * w, axis=1, keepdims=True) / w_sum
    if ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * sum(w * a) / w_sum
    centered = X - avg
    return bind(P["matmul"], centered * w, swapaxes(centered, 0, 1)) / fact


def corrcoef(x, y=None, rowvar=True, bias=_NOVALUE, ddof=_NOVALUE, *, dtype=None):
    c = cov(x, y, rowvar, dtype=dtype)
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


def _poly(p):
    p = _as_operand(p)
    if ndim(p) != 1:
        p = reshape(p, (-1,)) if ndim(p) == 0 else p
    return p


def polymul(a1, a2):
    """Product of two polynomials (coefficients highest power first): their convolution."""
    return convolve(_poly(a1), _poly(a2))


def poly(seq_of_zeros):
    """``np.poly(r)``: the coefficients of ``(x − r₀)(x − r₁)…`` (highest power first), one factor
    at a time: ``a ← [a, 0] − rₖ·[0, a]``, differentiable in every root.  The characteristic
    polynomial of a matrix (``np.poly(A)``) needs its eigenvalues, in general complex: refused."""
    r = _as_operand(seq_of_zeros)
    if ndim(r) == 0:
        r = reshape(r, (1,))
    if ndim(r) != 1:
        raise UnsupportedOperation(
            "np.poly of a traced matrix (its characteristic polynomial) needs its eigenvalues, in general "
            "complex, which adviz does not differentiate; for a symmetric matrix write "
            "np.poly(np.linalg.eigvalsh(A))")
    dtype = np.result_type(lowest(r), 1.0)
    a = np.ones(1, dtype=dtype)
    for k in range(_shape_of(r)[0]):
        zero = np.zeros(1, dtype=dtype)
        a = concatenate([a, zero]) - getitem(r, k) * concatenate([zero, a])
    return a


def _aligned(a1, a2):
    a1, a2 = _poly(a1), _poly(a2)
    n1, n2 = _shape_of(a1)[0], _shape_of(a2)[0]
    pad = lambda p, k: concatenate([np.zeros(k, dtype=np.result_type(lowest(p), 1.0)), p]) if k else p  # noqa: E731
    return pad(a1, max(n2 - n1, 0)), pad(a2, max(n1 - n2, 0))


def polyadd(a1, a2):
    """Sum of two polynomials: the shorter padded with leading zeros."""
    a, b = _aligned(a1, a2)
    return a + b


def polysub(a1, a2):
    a, b = _aligned(a1, a2)
    return a - b


def polyder(p, m=1):
    """``m``-th derivative of a polynomial: each coefficient times its power, ``m`` times."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = _poly(p)
    for _ in range(m):
        p = getitem(p, slice(None, -1)) * np.arange(_shape_of(p)[0] - 1, 0, -1)  # a constant's is empty
    return p


def polyint(p, m=1, k=None):
    """``m``-th antiderivative: each coefficient divided by its new power, the integration
    constant ``k`` (0 by default; one per order) appended as the last coefficient."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if holds_traced(k):
        raise UnsupportedOperation("np.polyint with traced integration constants k is not supported")
    k = np.zeros(m) if k is None else np.atleast_1d(np.asarray(k, dtype=np.float64))
    if k.size == 1 and m > 1:
        k = np.full(m, k[0])
    if k.size < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _poly(p) * 1.0
    for i in range(m):
        n = _shape_of(p)[0]
        p = concatenate([p / np.arange(n, 0, -1), np.full(1, k[i], dtype=np.result_type(lowest(p)))])
    return p
