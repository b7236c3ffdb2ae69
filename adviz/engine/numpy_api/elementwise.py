"""Elementwise functions with options: where, clip, astype."""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..tracer import UnsupportedOperation, bind, lowest
from ._common import _NOVALUE, _no


def where(condition, x=None, y=None):
    if x is None or y is None:
        raise UnsupportedOperation("np.where(condition) with one argument returns indices: not differentiable")
    return bind(P["where"], np.asarray(lowest(condition)), x, y)


def clip(x, a_min=_NOVALUE, a_max=_NOVALUE, out=None, *, min=_NOVALUE, max=_NOVALUE, **kwargs):
    _no({"out": out}, "clip", "out")
    lo = a_min if a_min is not _NOVALUE else min
    hi = a_max if a_max is not _NOVALUE else max
    lo = -np.inf if lo is None or lo is _NOVALUE else lo
    hi = np.inf if hi is None or hi is _NOVALUE else hi
    return bind(P["clip"], x, lo, hi)


def astype(x, dtype, copy=True, **kwargs):
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.inexact):
        return lowest(x).astype(dtype)  # integer/bool casts are not differentiable: plain value
    if dtype == np.result_type(lowest(x)):
        return x
    return bind(P["astype"], x, dtype=dtype)
