"""Elementwise functions with options: where, clip, astype, nan_to_num, interp, degrees/radians."""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from ._common import _NOVALUE, _as_operand, _no, getitem, is_scalar_true


def where(condition, x=None, y=None):
    if x is None or y is None:  # np.where(c) is np.nonzero(c): indices, a plain value (or NumPy's error)
        return np.where(lowest(condition), *[lowest(v) for v in (x, y) if v is not None])
    if not (isinstance(condition, Tracer) and condition._interp.records_everything):
        condition = np.asarray(lowest(condition))  # a mask is not differentiable: its concrete value
    return bind(P["where"], condition, x, y)


def heaviside(x, h):
    """``np.heaviside(x, h)``: 0 below 0 and 1 above (a step in ``x``: slope 0), and ``h`` where ``x``
    is exactly 0, so there a traced ``h`` passes through with slope 1 (it was a plain value: a
    silent zero derivative)."""
    if not isinstance(h, Tracer):
        return bind(P["heaviside"], x, h)
    step = bind(P["heaviside"], x, np.zeros((), np.result_type(lowest(x))))
    return where(np.equal(x, 0), h, step)


def clip(x, a_min=_NOVALUE, a_max=_NOVALUE, out=None, *, min=_NOVALUE, max=_NOVALUE, **kwargs):
    """``np.clip`` with either spelling of the bounds (``a_min``/``a_max``, or NumPy 2.1's
    ``min``/``max``), one bound or both.  Of the ufunc options, ``dtype`` casts first (as NumPy
    does) and ``casting``/``order``/``subok`` change no number; ``where`` leaves the other entries
    uninitialised without ``out``, so it is refused with ``out``."""
    _no({"out": out}, "clip", "out")
    if not is_scalar_true(kwargs.get("where", True)):
        raise UnsupportedOperation("np.clip(..., where=...) is not supported on traced values: without out= "
                                   "NumPy leaves the unselected entries uninitialised; write "
                                   "np.where(mask, np.clip(x, lo, hi), x) instead")
    unknown = sorted(set(kwargs) - {"dtype", "casting", "order", "subok", "where"})
    if unknown:
        raise TypeError(f"np.clip got unexpected keyword arguments {unknown}")
    lo = a_min if a_min is not _NOVALUE else min
    hi = a_max if a_max is not _NOVALUE else max
    lo = -np.inf if lo is None or lo is _NOVALUE else lo
    hi = np.inf if hi is None or hi is _NOVALUE else hi
    if kwargs.get("dtype") is not None:
        dtype = np.dtype(kwargs["dtype"])
        if not np.issubdtype(dtype, np.inexact):  # NumPy's own value (or casting error): no derivative
            return np.clip(lowest(x), lowest(lo), lowest(hi), dtype=dtype, casting=kwargs.get("casting", "same_kind"))
        x = astype(x, dtype)
    return bind(P["clip"], x, lo, hi)


def astype(x, dtype, copy=True, **kwargs):
    dtype = np.dtype(dtype)
    if dtype == object and isinstance(x, Tracer):
        # NumPy's object array of the entries, each one traced (as np.asarray(x, dtype=object)
        # gives): x.astype(object) used to hold plain floats, a silent zero derivative
        from .building import tracer_array

        return tracer_array(x)
    if not np.issubdtype(dtype, np.inexact):
        return lowest(x).astype(dtype)  # integer/bool casts are not differentiable: plain value
    if dtype == (x.dtype if isinstance(x, Tracer) else np.result_type(x)):
        return x
    return bind(P["astype"], x, dtype=dtype)


def _unit(x, convert):
    """NumPy's own conversion factor in ``x``'s precision (float32's ``180f/πf`` is not the float64
    ``180/π`` rounded to float32, so ``x * (180 / np.pi)`` was 1 ulp off NumPy's ``np.degrees``)."""
    dtype = np.result_type(lowest(x))
    return convert(np.ones((), dtype if np.issubdtype(dtype, np.inexact) else np.float64))


def degrees(x):
    return x * _unit(x, np.rad2deg)


def radians(x):
    return x * _unit(x, np.deg2rad)


def sinc(x):
    return bind(P["sinc"], x)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Finite entries pass through (slope 1); NaN and ±inf become constants (slope 0)."""
    plain = lowest(x)
    big = np.finfo(np.result_type(plain)).max
    out = x
    for bad, value in ((np.isnan(plain), nan), (np.isposinf(plain), big if posinf is None else posinf),
                       (np.isneginf(plain), -big if neginf is None else neginf)):
        if np.any(bad):
            if copy is False:  # NumPy writes into x and returns it: code may read x afterwards
                raise UnsupportedOperation(
                    "np.nan_to_num(x, copy=False) replaces entries of x in place, which a traced value (or a "
                    "plain array given traced replacements) cannot do: write x = np.nan_to_num(x) instead")
            out = bind(P["where"], bad, np.asarray(value, dtype=np.result_type(plain)), out)
    return out


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation, differentiable in ``x``, ``fp`` (and ``xp``).

    On the segment ``xp[j] ≤ x < xp[j+1]`` the value is ``fp[j] + t·(fp[j+1] - fp[j])``
    with ``t = (x - xp[j]) / (xp[j+1] - xp[j])``: slope ``(fp[j+1] - fp[j]) / (xp[j+1] - xp[j])``
    in ``x``.  At a knot the segment to its right is used (the right derivative), at the
    last knot the segment to its left; outside the range the value is the constant
    ``left``/``right`` (``fp[0]``/``fp[-1]`` by default) with slope 0 in ``x``.
    """
    if period is not None:
        return _periodic_interp(x, xp, fp, period)
    xp_plain = np.asarray(lowest(xp), dtype=np.float64)
    if xp_plain.ndim != 1 or xp_plain.size < 2:
        raise UnsupportedOperation("np.interp on traced values needs at least two points xp")
    n = xp_plain.size
    xv = np.asarray(lowest(x))
    j = np.clip(np.searchsorted(xp_plain, xv, side="right") - 1, 0, n - 2)
    xp, fp = _as_operand(xp), _as_operand(fp)
    x0, x1 = _take(xp, j), _take(xp, j + 1)
    f0, f1 = _take(fp, j), _take(fp, j + 1)
    y = f0 + (x - x0) / (x1 - x0) * (f1 - f0)
    left = _take(fp, np.zeros((), dtype=np.int64)) if left is None else left
    right = _take(fp, np.full((), n - 1)) if right is None else right
    y = bind(P["where"], xv < xp_plain[0], _as_operand(left), y)
    return bind(P["where"], xv > xp_plain[-1], _as_operand(right), y)


def _take(v, index):
    return getitem(v, index) if isinstance(v, Tracer) else np.asarray(v)[index]


def _periodic_interp(x, xp, fp, period):
    """``np.interp(..., period=p)`` as NumPy defines it: ``x`` and ``xp`` taken modulo ``p``, the
    knots sorted, and one knot added at each end from the other end shifted by ``p``; then the
    ordinary interpolation.  ``x % p`` has slope 1, so the derivative in ``x`` is unchanged; a
    traced ``p`` stays traced (``x % p`` has slope ``-floor(x/p)`` in ``p``, and the two added
    knots move with it)."""
    if lowest(period) == 0:
        raise ValueError("period must be a non-zero value")
    period = np.abs(period) if isinstance(period, Tracer) else abs(period)
    x, xp, fp = x % period, _as_operand(xp) % period, _as_operand(fp)
    order = np.argsort(np.asarray(lowest(xp)), kind="stable")
    xp, fp = _take(xp, order), _take(fp, order)
    from .shapes import concatenate
    xp = concatenate([_take(xp, slice(-1, None)) - period, xp, _take(xp, slice(0, 1)) + period])
    fp = concatenate([_take(fp, slice(-1, None)), fp, _take(fp, slice(0, 1))])
    return interp(x, xp, fp)


def modf(x):
    """``np.modf``: (fractional part, integral part).  ``x - trunc(x)`` is exact in floating
    point and has slope 1; the integral part is piecewise constant (a plain value)."""
    whole = np.trunc(lowest(x))
    return x - whole, whole


def frexp(x):
    """``np.frexp``: ``x = m · 2**e`` with ``0.5 ≤ |m| < 1``.  ``e`` is an integer (a plain
    value); ``m = x · 2**-e`` exactly, with slope ``2**-e``."""
    plain = lowest(x)
    _, e = np.frexp(plain)
    return x * np.ldexp(np.ones_like(plain), -e), e


def ldexp(x, i):
    """``np.ldexp(x, i) = x · 2**i`` for integer ``i`` (exact, slope ``2**i``)."""
    i = lowest(i)
    if not np.issubdtype(np.result_type(i), np.integer):
        raise TypeError("np.ldexp needs integer exponents")
    plain = lowest(x)
    return x * np.ldexp(np.ones_like(plain, dtype=np.result_type(plain, np.float16)), i)


# ---------------------------------------------------------------- the complex-number helpers on real inputs
# adviz refuses complex values, so a traced value is always real: its imaginary part is 0, its angle
# 0 or π (piecewise constant, slope 0) and np.real_if_close returns it unchanged.
def imag(val):
    """``np.imag`` of a real traced value: zeros, a constant (slope 0)."""
    return np.imag(lowest(val))


def angle(z, deg=False):
    """``np.angle`` of a real traced value: 0 or π (or 180°), a step function with slope 0."""
    return np.angle(lowest(z), deg=deg)


def real_if_close(a, tol=100):
    """``np.real_if_close`` of a real traced value is that value (NumPy returns real input as is)."""
    return a


def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """``np.unwrap``: ``p`` plus multiples of ``period`` chosen from the values, so the slope is 1.

    NumPy adds a piecewise-constant correction ``k·period`` (``k`` whole numbers); here it is
    computed by NumPy on the concrete values, so the numbers are NumPy's and the derivative in
    ``p`` is the identity.  A traced ``period`` keeps its part: the result is ``p + k·period``,
    with slope ``k`` in ``period`` (``discont`` only chooses ``k``: slope 0)."""
    value = np.asarray(lowest(p))
    plain_period = lowest(period)
    correction = np.unwrap(value, discont=lowest(discont), axis=axis, period=plain_period) - value
    if not isinstance(period, Tracer):
        return p + correction
    if not np.issubdtype(correction.dtype, np.inexact):
        raise UnsupportedOperation("np.unwrap of integers with a traced period: give p as floats")
    return p + np.round(correction / plain_period) * period
