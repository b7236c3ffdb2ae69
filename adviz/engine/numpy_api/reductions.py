"""Reductions: sum, prod, max/min, mean, var/std, cumulative sums."""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim, shape
from ..tracer import bind
from ._common import _NOVALUE, _axes, _no
from .shapes import ravel


def sum(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out, "initial": initial, "where": where}, "sum", "out", "initial", "where")
    return bind(P["sum"], x, axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))


def prod(x, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out, "initial": initial, "where": where}, "prod", "out", "initial", "where")
    return bind(P["prod"], x, axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))


def max(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out, "initial": initial, "where": where}, "max", "out", "initial", "where")
    return bind(P["max"], x, axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))


def min(x, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=_NOVALUE):
    _no({"out": out, "initial": initial, "where": where}, "min", "out", "initial", "where")
    return bind(P["min"], x, axis=_axes(axis, ndim(x)), keepdims=bool(keepdims))


def mean(x, axis=None, dtype=None, out=None, keepdims=False, where=_NOVALUE):
    _no({"out": out, "where": where}, "mean", "out", "where")
    axes = _axes(axis, ndim(x))
    count = int(np.prod([shape(x)[a] for a in axes])) if axes else 1
    return sum(x, axis=axes, keepdims=keepdims) / count


def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE, correction=_NOVALUE):
    _no({"out": out, "where": where, "mean": mean}, "var", "out", "where", "mean")
    if correction is not _NOVALUE:
        ddof = correction
    axes = _axes(axis, ndim(x))
    count = int(np.prod([shape(x)[a] for a in axes])) if axes else 1
    centered = x - sum(x, axis=axes, keepdims=True) / count
    return sum(centered * centered, axis=axes, keepdims=keepdims) / (count - ddof)


def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NOVALUE, mean=_NOVALUE, correction=_NOVALUE):
    """One ``std`` node; its derivative is 0 where the spread is zero (see ``primitives.structural``)."""
    _no({"out": out, "where": where, "mean": mean}, "std", "out", "where", "mean")
    if correction is not _NOVALUE:
        ddof = correction
    return bind(P["std"], x, axis=_axes(axis, ndim(x)), ddof=ddof or None, keepdims=bool(keepdims))


def cumsum(x, axis=None, dtype=None, out=None):
    _no({"out": out}, "cumsum", "out")
    if axis is None:
        x, axis = ravel(x), 0
    return bind(P["cumsum"], x, axis=_axes(axis, ndim(x))[0])
