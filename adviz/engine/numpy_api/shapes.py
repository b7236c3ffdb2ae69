"""Shapes: reshaping, transposing, broadcasting, joining and flipping arrays."""

from __future__ import annotations

import numpy as np

from ..primitives import REGISTRY as P
from ..primitives.core import ndim
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from ._common import _as_operand, _axes, _no, _shape_of, getitem


def _order(x, order, fname: str) -> str:
    """NumPy's ``order=``: 'C' (last index fastest, the default) or 'F' (first index fastest).

    'A' and 'K' choose by how the array lies in memory, which a traced value does not
    promise to match (adviz may copy where NumPy would make a view), so they are refused
    unless the order cannot matter (fewer than two axes).
    """
    order = "C" if order is None else str(order).upper()
    if order not in ("C", "F", "A", "K") or len(order) != 1:
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    if order in ("A", "K"):
        if ndim(x) <= 1:
            return "C"
        raise UnsupportedOperation(
            f"{fname}(order={order!r}) follows the array's memory layout, which adviz does not track on "
            "traced values: write order='C' (the default) or order='F'")
    return order


def reshape(x, *shape_args, order="C", newshape=None, shape=None, copy=None):
    """``x.reshape(3, 2)``, ``np.reshape(x, (3, 2), order)``.  ``order='F'`` fills the new shape first index fastest: the same as reversing the axes,
    reshaping in C order to the reversed shape and reversing back (two transposes around it)."""
    if shape_args and isinstance(shape_args[-1], str):  # np.reshape(x, (3, 2), "F"): order given by position
        *shape_args, order = shape_args
    if str(order).upper() == "K":
        raise ValueError("order 'K' is not permitted for reshaping")
    order = _order(x, order, "reshape")
    target = shape if shape is not None else newshape
    if target is None:
        target = shape_args[0] if len(shape_args) == 1 else shape_args
    if isinstance(target, (int, np.integer)):
        target = (int(target),)
    size = int(np.prod(_shape_of(x)))
    target = tuple(int(s) for s in target)
    if -1 in target:
        known = int(np.prod([s for s in target if s != -1]))
        target = tuple(size // known if s == -1 else s for s in target)
    if int(np.prod(target)) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {target}")
    if target == _shape_of(x):
        return x
    if order == "F" and (ndim(x) > 1 or len(target) > 1):
        return transpose(reshape(transpose(x), target[::-1]))
    return bind(P["reshape"], x, newshape=target)


def ravel(x, order="C"):
    return reshape(x, (-1,), order=_order(x, order, "ravel"))


def squeeze(x, axis=None):
    s = _shape_of(x)
    axes = tuple(i for i, n in enumerate(s) if n == 1) if axis is None else _axes(axis, len(s))
    for a in axes:
        if s[a] != 1:
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return reshape(x, tuple(n for i, n in enumerate(s) if i not in axes))


def expand_dims(x, axis):
    s = list(_shape_of(x))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    nd = len(s) + len(axes)
    for a in sorted(int(a) % nd for a in axes):
        s.insert(a, 1)
    return reshape(x, tuple(s))


def _one_or_all(fn):
    """NumPy's ``atleast_*d(a, b, …)`` returns a tuple when given several arrays."""

    def each(*arys):
        out = tuple(fn(_as_operand(a)) for a in arys)
        return out[0] if len(out) == 1 else out

    each.__name__ = fn.__name__
    return each


@_one_or_all
def atleast_1d(x):
    return reshape(x, (1,)) if ndim(x) == 0 else x


@_one_or_all
def atleast_2d(x):
    return reshape(x, (1,) * (2 - ndim(x)) + _shape_of(x)) if ndim(x) < 2 else x


@_one_or_all
def atleast_3d(x):
    s = _shape_of(x)
    if len(s) == 0:
        return reshape(x, (1, 1, 1))
    if len(s) == 1:
        return reshape(x, (1,) + s + (1,))
    return reshape(x, s + (1,)) if len(s) == 2 else x


def transpose(x, axes=None):
    nd = ndim(x)
    axes = tuple(range(nd))[::-1] if axes is None else tuple(int(a) % nd for a in axes)
    if axes == tuple(range(nd)):
        return x
    return bind(P["transpose"], x, axes=axes)


def swapaxes(x, axis1, axis2):
    nd = ndim(x)
    perm = list(range(nd))
    a, b = int(axis1) % nd, int(axis2) % nd
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def moveaxis(x, source, destination):
    nd = ndim(x)
    src = [int(s) % nd for s in np.atleast_1d(source)]
    dst = [int(d) % nd for d in np.atleast_1d(destination)]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def rollaxis(x, axis, start=0):
    nd = ndim(x)
    axis = _axes(axis, nd)[0]
    start = int(start) + (nd if start < 0 else 0)
    if not 0 <= start <= nd:
        raise np.exceptions.AxisError(f"'start' arg requires {-nd} <= start < {nd + 1}")
    if axis < start:
        start -= 1
    order = [a for a in range(nd) if a != axis]
    order.insert(start, axis)
    return transpose(x, order)


def broadcast_to(x, shape, subok=False):
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if shape == _shape_of(x):
        return x
    return bind(P["broadcast_to"], x, to=shape)


def full(shape, fill_value, dtype=None, order="C", *, like=None, **kwargs):
    """``np.full(shape, x)``: the fill value broadcast to ``shape`` — so its derivative is the fill
    value's, summed over the copies.  NumPy writes the value into a new float array (which would
    cut a traced value out), so a transform sends a traced fill value here (``entry_points.py``).
    ``like=`` only chooses whose ``np.full`` runs: this one."""
    return _filled(fill_value, shape, dtype, lambda v, d: np.full(shape, v, d, order, **kwargs))


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    """``np.full_like(a, x)``: ``np.full`` with ``a``'s shape and dtype; ``a``'s values are not read."""
    plain_a = lowest(a)
    target = np.result_type(plain_a) if dtype is None else dtype
    return _filled(fill_value, _shape_of(a) if shape is None else shape, target,
                   lambda v, d: np.full_like(plain_a, v, d, order, subok, shape, **kwargs))


def _filled(fill_value, shape, dtype, numpy_fill):
    """The fill value as one traced array, cast to ``dtype`` and broadcast to ``shape``; NumPy's own
    ``numpy_fill(value, dtype)`` when the result holds no derivative (a plain value, or an integer
    or bool dtype: a cast, piecewise constant like ``x.astype(int)``)."""
    from .elementwise import astype  # elementwise imports _common, which this module shares

    if dtype is not None and np.dtype(dtype) == object:  # NumPy's object array, holding the traced values
        return numpy_fill(fill_value, dtype)               # (np.select fills one so: see building.py)
    value = _as_operand(fill_value)
    if not isinstance(value, Tracer) or (dtype is not None and np.dtype(dtype).kind in "iub"):
        return numpy_fill(lowest(value), dtype)
    if dtype is not None:
        value = astype(value, dtype)
    return broadcast_to(value, shape)


def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _no({"out": out}, "concatenate", "out")
    arrays = [_as_operand(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    return _cast(bind(P["concatenate"], *arrays, axis=int(axis) % ndim(arrays[0])), dtype)


def _cast(joined, dtype):
    """``dtype=`` of the joining functions: NumPy casts every piece to it, the same numbers as
    casting the joined array (a float32 ``dtype`` rounds, an integer one truncates: no derivative)."""
    if dtype is None:
        return joined
    from .elementwise import astype  # elementwise imports _common, which this module shares
    return astype(joined, dtype)


def stack(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    arrays = [_as_operand(a) for a in arrays]
    _no({"out": out}, "stack", "out")
    nd = ndim(arrays[0]) + 1
    return concatenate([expand_dims(a, int(axis) % nd) for a in arrays], axis=int(axis) % nd, dtype=dtype)


def hstack(arrays, dtype=None, casting="same_kind"):
    arrays = [atleast_1d(_as_operand(a)) for a in arrays]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1, dtype=dtype)


def vstack(arrays, dtype=None, casting="same_kind"):
    return concatenate([atleast_2d(_as_operand(a)) for a in arrays], axis=0, dtype=dtype)


def column_stack(tup):
    arrays = [_as_operand(a) for a in tup]
    return concatenate([reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in arrays], axis=1)


def dstack(tup):
    return concatenate([atleast_3d(_as_operand(a)) for a in tup], axis=2)


def append(arr, values, axis=None):
    arr, values = _as_operand(arr), _as_operand(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


def matrix_transpose(x):
    """``np.matrix_transpose`` (and ``x.mT``): swap the last two axes."""
    if ndim(x) < 2:
        raise ValueError("matrix_transpose requires an array of at least two dimensions")
    return swapaxes(x, -1, -2)


def broadcast_arrays(*args, subok=False):
    """Every argument broadcast to their common shape (a tuple, as NumPy 2 returns)."""
    arrays = [_as_operand(a) for a in args]
    common = np.broadcast_shapes(*[_shape_of(a) for a in arrays])
    return tuple(a if _shape_of(a) == common else broadcast_to(a, common) for a in arrays)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from 1-D coordinate vectors, as NumPy builds them: each vector
    reshaped to lie along its own axis (the first two axes swapped for ``indexing='xy'``),
    then broadcast to the full grid unless ``sparse``.  Each entry of a grid is one entry of
    its vector, so the derivative sums the adjoint along the other axes."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    grids = []
    for i, x in enumerate(xi):
        shape = [1] * nd
        shape[i] = -1
        if indexing == "xy" and nd > 1 and i < 2:
            shape[i], shape[1 - i] = 1, -1
        grids.append(reshape(_as_operand(x), tuple(shape)))
    return tuple(grids) if sparse else broadcast_arrays(*grids)


def unstack(x, /, *, axis=0):
    """``np.unstack``: the slices of ``x`` along ``axis``, as a tuple."""
    a = _axes(axis, ndim(x))[0]
    return tuple(getitem(x, (slice(None),) * a + (i,)) for i in range(_shape_of(x)[a]))


def block(arrays):
    """``np.block``: nested lists joined innermost-last, the innermost along the last axis.

    A list nested ``d`` deep joins its pieces along axis ``-d`` at the outermost level and
    ``-1`` at the innermost; every piece first gets leading axes of length 1 up to the
    result's dimension (``max(d, ndim of the pieces)``), exactly as NumPy's rule.
    """
    def depth(a):
        if isinstance(a, tuple):
            raise TypeError("np.block does not accept tuples: use a list")
        return 1 + depth(a[0]) if isinstance(a, list) and a else (1 if isinstance(a, list) else 0)

    def leaves(a):
        return [leaf for part in a for leaf in leaves(part)] if isinstance(a, list) else [_as_operand(a)]

    d = depth(arrays)
    nd = max([d] + [ndim(leaf) for leaf in leaves(arrays)])

    def join(a, level):
        if not isinstance(a, list):
            a = _as_operand(a)
            return reshape(a, (1,) * (nd - ndim(a)) + _shape_of(a)) if ndim(a) < nd else a
        if depth(a) != d - level:
            raise ValueError("List depths are mismatched in np.block")
        return concatenate([join(part, level + 1) for part in a], axis=nd - (d - level))

    return join(arrays, 0)



def resize(a, new_shape):
    """``np.resize``: the entries of ``a`` read in order, repeated as often as needed, cut to the new
    size and reshaped (NumPy's definition), written as ravel + concatenate + slice + reshape."""
    new_shape = (int(new_shape),) if isinstance(new_shape, (int, np.integer)) else tuple(int(n) for n in new_shape)
    size = int(np.prod(new_shape, dtype=np.int64))
    flat = ravel(a)
    n = int(np.prod(_shape_of(a), dtype=np.int64))
    if n == 0 or size == 0:
        return np.zeros(new_shape, dtype=np.result_type(lowest(a)))
    reps = -(-size // n)
    whole = concatenate([flat] * reps) if reps > 1 else flat
    return reshape(whole[:size], new_shape)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``np.apply_along_axis``: ``func1d`` called on every 1-D slice along ``axis``, results stacked
    where the axis was (NumPy's layout: the result's own axes replace ``axis``)."""
    nd = len(_shape_of(arr))
    axis = int(axis)
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(axis, nd)
    axis %= nd
    moved = moveaxis(arr, axis, -1)
    outer = _shape_of(moved)[:-1]
    if any(n == 0 for n in outer):
        raise UnsupportedOperation("np.apply_along_axis over an empty array of traced values: NumPy cannot "
                                   "call func1d to learn the result's shape either")
    results = [func1d(moved[idx], *args, **kwargs) for idx in np.ndindex(*outer)]
    out = stack([r if isinstance(r, Tracer) else np.asarray(r) for r in results])
    res_shape = _shape_of(out)[1:]
    out = reshape(out, tuple(outer) + tuple(res_shape))
    # the result's axes go where ``axis`` was
    k = len(res_shape)
    order = list(range(axis)) + list(range(len(outer), len(outer) + k)) + list(range(axis, len(outer)))
    return transpose(out, tuple(order)) if order != list(range(len(order))) else out
