"""Products: matmul, dot, inner, vdot, outer, norm."""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim
from ..tracer import UnsupportedOperation, bind
from ._common import _as_operand, _no
from .reductions import sum
from .shapes import ravel, reshape, swapaxes


def matmul(a, b):
    return bind(P["matmul"], _as_operand(a), _as_operand(b))


def dot(a, b, out=None):
    _no({"out": out}, "dot", "out")
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(a) <= 2 and ndim(b) <= 2:
        return matmul(a, b)
    raise UnsupportedOperation("np.dot on arrays with more than 2 dimensions: use np.matmul or @")


def inner(a, b):
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return sum(a * b, axis=-1) if ndim(a) == 1 and ndim(b) == 1 else matmul(a, swapaxes(b, -1, -2) if ndim(b) > 1 else b)


def vdot(a, b):
    return sum(ravel(a) * ravel(b))


def outer(a, b, out=None):
    _no({"out": out}, "outer", "out")
    return reshape(ravel(a), (-1, 1)) * reshape(ravel(b), (1, -1))


def norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and ndim(x) != 1 and axis is None):
        raise UnsupportedOperation("np.linalg.norm on traced values supports the 2-norm / Frobenius norm only")
    return np.sqrt(sum(x * x, axis=axis, keepdims=keepdims))
