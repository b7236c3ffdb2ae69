"""Helpers shared by the NumPy-surface modules: argument checks, axes, operands."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from ..primitives import REGISTRY as P
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from .building import lift

# NumPy's "argument not given" marker: the default of ``keepdims`` in ``np.sum``'s signature.
# Read through ``inspect`` (public) rather than ``np._NoValue`` (a private name).
_NOVALUE = inspect.signature(np.sum).parameters["keepdims"].default


def _no(kw: dict, fname: str, *names: str) -> None:
    for name in names:
        value = kw.get(name, _NOVALUE)
        if value is not _NOVALUE and value is not None:
            raise UnsupportedOperation(f"np.{fname}(..., {name}=...) is not supported on traced values")


def _axes(axis, nd: int) -> tuple[int, ...]:
    """Normalize an ``axis`` argument to a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(nd))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -nd <= a < nd:
            raise np.exceptions.AxisError(a, nd)
        out.append(a % nd)
    return tuple(sorted(out))


def _shape_of(x) -> tuple[int, ...]:
    """The shape of a value or tracer (a shape is not a value: reading it never needs the numbers)."""
    return x.shape if isinstance(x, Tracer) else np.shape(x)


def _identity(x, *args, **kwargs):
    return x


def is_scalar_true(value: Any) -> bool:
    """``where=True`` in any spelling NumPy gives it: ``True``, ``np.True_`` (what ``np.all``
    and comparisons return) or a 0-d boolean array holding True.  Such a ``where=`` changes
    no number, so it is dropped; any other value is not."""
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype == bool and bool(value)
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _plain(fn: Callable) -> Callable:
    """Functions whose result does not depend differentiably on values (shapes, zeros_like…)."""

    def plain(*args, **kwargs):
        return fn(*[_lowest_tree(a) for a in args], **{k: _lowest_tree(v) for k, v in kwargs.items()})

    plain.__name__ = getattr(fn, "__name__", "plain")
    return plain


def _lowest_tree(x):
    """Concrete values, also inside lists and tuples (``np.lexsort((a, b))``)."""
    if isinstance(x, (list, tuple)):
        return type(x)(_lowest_tree(v) for v in x)
    return lowest(x)


def _as_operand(a):
    """An operand as the primitives take it: lists become arrays, arrays of traced values one tracer."""
    if isinstance(a, (list, tuple)):
        a = np.asarray(a)
    return lift(a) if isinstance(a, np.ndarray) else a  # matrices and masked arrays refuse in lift


def _normalize_index(idx) -> tuple:
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for part in idx:
        part = lowest(part)  # indices are not differentiable: use their concrete values
        if isinstance(part, list):
            part = np.asarray(part)
            if part.size == 0 and part.dtype == np.float64:
                part = part.astype(np.intp)  # x[[]] selects nothing, as NumPy reads an empty list (intp)
        if isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype != bool:
            part = int(part)
        elif isinstance(part, np.integer):
            part = int(part)
        out.append(part)
    return tuple(out)


def getitem(x, idx):
    return bind(P["getitem"], x, idx=_normalize_index(idx))
