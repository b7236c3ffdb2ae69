"""Rearranging entries: split, repeat, tile, roll, rotate, pad.

Every function here only moves or copies entries, so each is written as an *index map*
applied with one gather (``take``) or a few slices: the forward rule gathers the tangent
the same way, the reverse rule scatter-adds the adjoint back (copies of one entry add up).
No new primitive is needed, and second derivatives come for free.

=====================  ===========================================================
function               how it is built
=====================  ===========================================================
``split`` & co.        slices ``x[..., a:b, ...]``, one per piece
``repeat``, ``tile``   ``take(x, np.repeat(arange(n), r))`` / ``np.tile(arange(n), r)``
``roll``               ``take(x, (arange(n) - shift) % n)``
``rot90``              flips and a transpose, as NumPy defines it
``pad``                constant: ``concatenate`` with constant blocks; edge, reflect,
                       symmetric, wrap: ``take`` with ``np.pad(arange(n), …, mode)``
=====================  ===========================================================
"""

from __future__ import annotations

import numpy as np

from ..primitives.core import ndim
from ..tracer import Tracer, UnsupportedOperation, lowest
from ._common import _axes, _shape_of
from .indexing import flip, getitem, take
from .shapes import broadcast_to, concatenate, ravel, reshape, transpose


def _slice_along(x, axis: int, start: int, stop: int):
    return getitem(x, (slice(None),) * axis + (slice(start, stop),))


def array_split(x, indices_or_sections, axis=0):
    axis = _axes(axis, ndim(x))[0]
    n = _shape_of(x)[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [_slice_along(x, axis, a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def split(x, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, (int, np.integer)) and _shape_of(x)[_axes(axis, ndim(x))[0]] % int(
            indices_or_sections):
        raise ValueError("array split does not result in an equal division")
    return array_split(x, indices_or_sections, axis)


def hsplit(x, indices_or_sections):
    if ndim(x) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, axis=1 if ndim(x) > 1 else 0)


def vsplit(x, indices_or_sections):
    if ndim(x) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    if ndim(x) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, axis=2)


def repeat(x, repeats, axis=None):
    if axis is None:
        x, axis = ravel(x), 0
    axis = _axes(axis, ndim(x))[0]
    index = np.repeat(np.arange(_shape_of(x)[axis]), np.asarray(lowest(repeats)))
    return take(x, index, axis=axis)


def tile(x, reps):
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    d = max(ndim(x), len(reps))
    x = reshape(x, (1,) * (d - ndim(x)) + _shape_of(x))
    reps = (1,) * (d - len(reps)) + reps
    for axis, r in enumerate(reps):
        if r != 1:
            x = take(x, np.tile(np.arange(_shape_of(x)[axis]), r), axis=axis)
    return x


def roll(x, shift, axis=None):
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), _shape_of(x))
    shifts = np.broadcast_to(np.asarray(shift), np.shape(axis)).tolist()
    axes = [axis] if np.ndim(axis) == 0 else list(axis)
    shifts = [shifts] if np.ndim(axis) == 0 else shifts
    for a, s in zip(axes, shifts):
        a = _axes(a, ndim(x))[0]
        n = _shape_of(x)[a]
        if n:
            x = take(x, (np.arange(n) - int(s)) % n, axis=a)
    return x


def rot90(m, k=1, axes=(0, 1)):
    nd = ndim(m)
    a0, a1 = (_axes(a, nd)[0] for a in axes)
    if len(axes) != 2 or a0 == a1:
        raise ValueError("Axes must be different.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


def flipud(x):
    if ndim(x) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(x, 0)


def fliplr(x):
    if ndim(x) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(x, 1)


_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode="constant", **kwargs):
    """``np.pad`` for the modes that copy entries or constants; the others are refused."""
    nd = ndim(x)
    widths = np.broadcast_to(np.asarray(lowest(pad_width), dtype=np.int64), (nd, 2)).tolist()
    if mode == "constant":
        unknown = set(kwargs) - {"constant_values"}
        values = kwargs.get("constant_values", 0.0)
    elif mode in _INDEX_MODES:
        unknown = set(kwargs) - ({"reflect_type"} if mode in ("reflect", "symmetric") else set())
        if kwargs.get("reflect_type", "even") != "even":
            unknown.add("reflect_type='odd'")
    else:
        raise UnsupportedOperation(
            f"np.pad(mode={mode!r}) is not supported on traced values: use mode 'constant', "
            "'edge', 'reflect', 'symmetric' or 'wrap'")
    if unknown:
        raise UnsupportedOperation(f"np.pad(mode={mode!r}) with {', '.join(sorted(unknown))} on traced values")
    for axis, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        if mode == "constant":
            x = _pad_constant(x, axis, before, after, values)
        else:
            index = np.pad(np.arange(_shape_of(x)[axis]), (before, after), mode=mode)
            x = take(x, index, axis=axis)
    return x


def _pad_constant(x, axis, before, after, values):
    """Constant blocks on both sides of one axis; the constants may themselves be traced."""
    if isinstance(values, Tracer) and ndim(values) == 0:
        pair = (values, values)
    elif isinstance(values, Tracer):
        raise UnsupportedOperation("np.pad with a traced array of constant_values: give a traced scalar")
    else:
        pair = np.broadcast_to(np.asarray(values), (ndim(x), 2))[axis]
    s = list(_shape_of(x))
    blocks = []
    for value, width in zip(pair, (before, after)):
        s[axis] = width
        if not isinstance(value, Tracer):
            value = np.asarray(value, dtype=np.result_type(lowest(x)))  # np.pad keeps the array's dtype
        blocks.append(broadcast_to(value, tuple(s)) if width else None)
    return concatenate([b for b in (blocks[0], x, blocks[1]) if b is not None], axis=axis)
