"""Indexing and selecting: ``x[i]``, ``take``, ``where``, diagonals."""

from __future__ import annotations

import builtins

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim
from ..tracer import UnsupportedOperation, bind, lowest
from ._common import _axes, _shape_of
from .reductions import sum
from .shapes import ravel, reshape


def _normalize_index(idx) -> tuple:
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for part in idx:
        part = lowest(part)  # indices are not differentiable: use their concrete values
        if isinstance(part, list):
            part = np.asarray(part)
        if isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype != bool:
            part = int(part)
        elif isinstance(part, np.integer):
            part = int(part)
        out.append(part)
    return tuple(out)


def getitem(x, idx):
    return bind(P["getitem"], x, idx=_normalize_index(idx))


def take(x, indices, axis=None):
    if axis is None:
        return getitem(ravel(x), np.asarray(lowest(indices)))
    a = int(axis) % ndim(x)
    return getitem(x, (slice(None),) * a + (np.asarray(lowest(indices)),))


def trace(x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if ndim(x) != 2 or offset != 0:
        raise UnsupportedOperation("np.trace is supported for 2-D arrays with offset 0")
    n = builtins.min(_shape_of(x))
    i = np.arange(n)
    return sum(getitem(x, (i, i)))


def diag(x, k=0):
    if k != 0:
        raise UnsupportedOperation("np.diag with k != 0 is not supported on traced values")
    if ndim(x) == 1:
        return reshape(x, (-1, 1)) * np.eye(_shape_of(x)[0], dtype=np.result_type(lowest(x)))
    if ndim(x) == 2:
        i = np.arange(builtins.min(_shape_of(x)))
        return getitem(x, (i, i))
    raise ValueError("np.diag expects a 1-D or 2-D array")


def flip(x, axis=None):
    axes = _axes(axis, ndim(x))
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(x))))
