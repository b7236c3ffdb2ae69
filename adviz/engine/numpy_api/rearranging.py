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
                       symmetric, wrap: ``take`` with ``np.pad(arange(n), …, mode)``;
                       linear_ramp and the statistics: arithmetic on edge slices
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
_STAT_MODES = ("maximum", "minimum", "mean", "median")
_OPTIONS = {"constant": {"constant_values"}, "linear_ramp": {"end_values"}, "reflect": {"reflect_type"},
            "symmetric": {"reflect_type"}, "edge": set(), "wrap": set(),
            **{m: {"stat_length"} for m in _STAT_MODES}}


def pad(x, pad_width, mode="constant", **kwargs):
    """``np.pad``, one axis after the other as NumPy does (so corners come out the same).

    constant: ``concatenate`` with constant blocks; edge, reflect, symmetric, wrap: a gather
    with the index map ``np.pad(arange(n), …, mode)`` (``reflect_type='odd'``: ``2·edge −`` the
    even reflection, one reflection deep); linear_ramp: ``end + k·(edge − end)/width``, as
    ``np.linspace`` computes it; maximum, minimum, mean, median: the statistic of the first
    (last) ``stat_length`` entries, broadcast over the pad.  ``'empty'`` (undefined entries)
    and a function as ``mode`` are refused.
    """
    nd = ndim(x)
    widths = np.broadcast_to(np.asarray(lowest(pad_width), dtype=np.int64), (nd, 2)).tolist()
    if isinstance(mode, str) and mode not in _OPTIONS and mode != "empty":
        raise ValueError(f"mode '{mode}' is not supported")
    if not isinstance(mode, str) or mode not in _OPTIONS:  # 'empty' (undefined entries) or a function
        raise UnsupportedOperation(
            f"np.pad(mode={mode!r}) is not supported on traced values: use mode 'constant', 'edge', 'reflect', "
            "'symmetric', 'wrap', 'linear_ramp', 'maximum', 'minimum', 'mean' or 'median'")
    unknown = set(kwargs) - _OPTIONS[mode]
    if unknown:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unknown}")
    if any(w < 0 for pair in widths for w in pair):
        raise ValueError("index can't contain negative values")
    if mode != "constant" and int(np.prod(_shape_of(x))) == 0:
        for axis, pair in enumerate(widths):
            if _shape_of(x)[axis] == 0 and any(pair):
                raise ValueError(f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'")
        mode, kwargs = "constant", {}  # nothing to copy: the result is empty along some axis
    odd = kwargs.get("reflect_type", "even")
    if odd not in ("even", "odd"):
        raise ValueError(f"reflect_type must be 'even' or 'odd', not {odd!r}")
    for axis, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        if mode == "constant":
            x = _pad_constant(x, axis, before, after, kwargs.get("constant_values", 0.0))
        elif mode == "linear_ramp":
            x = _pad_ramp(x, axis, before, after, kwargs.get("end_values", 0.0))
        elif mode in _STAT_MODES:
            x = _pad_stat(x, axis, before, after, mode, kwargs.get("stat_length"))
        else:
            n = _shape_of(x)[axis]
            index = np.pad(np.arange(n), (before, after), mode=mode)
            reflected = take(x, index, axis=axis)
            if odd == "odd" and n > 1:
                x = _odd(x, reflected, axis, before, after, n, mode)
            else:
                x = reflected
    return x


def _odd(x, reflected, axis, before, after, n, mode):
    """NumPy's ``reflect_type='odd'``: each padded entry is ``2·edge − its even reflection``."""
    if max(before, after) > (n - 1 if mode == "reflect" else n):
        raise UnsupportedOperation(
            f"np.pad(mode={mode!r}, reflect_type='odd') reflecting more than once (a pad of {max(before, after)} "
            f"on an axis of {n}) is not supported on traced values")
    edges = take(x, np.r_[np.zeros(before, dtype=np.int64), np.arange(n), np.full(after, n - 1)], axis=axis)
    inside = np.zeros(before + n + after, dtype=bool)
    inside[before:before + n] = True
    s = [1] * ndim(x)
    s[axis] = inside.size
    from .elementwise import where
    return where(inside.reshape(s), reflected, 2 * edges - reflected)


def _at_axis(values, axis, nd):
    """A 1-D array laid along ``axis`` of an ``nd``-dimensional array (for broadcasting)."""
    s = [1] * nd
    s[axis] = -1
    return np.reshape(values, s)


def _pair(value, nd, axis):
    """NumPy's per-axis ``(before, after)`` from a scalar, a pair or one pair per axis."""
    if isinstance(value, Tracer):
        if ndim(value) != 0:
            raise UnsupportedOperation("np.pad with a traced array of end values: give a traced scalar")
        return value, value
    return tuple(np.broadcast_to(np.asarray(value), (nd, 2))[axis])


def _pad_ramp(x, axis, before, after, end_values):
    """``linear_ramp``: from the end value to the edge, not reaching it, as ``np.linspace(end, edge, width,
    endpoint=False)``: ``end + k·step`` with ``step = (edge − end)/width`` (``end + (k/width)·(edge − end)``
    when a step is 0, NumPy's other branch)."""
    nd, n = ndim(x), _shape_of(x)[axis]
    dtype = np.result_type(lowest(x))
    blocks = []
    for end, width, edge_at in zip(_pair(end_values, nd, axis), (before, after), (0, n - 1)):
        if not width:
            blocks.append(None)
            continue
        if not isinstance(end, Tracer):
            end = np.asarray(end, dtype=dtype)
        edge = take(x, np.array([edge_at]), axis=axis)
        delta = edge - end
        k = _at_axis(np.arange(width, dtype=dtype), axis, nd)
        step = delta / width
        ramp = (k / width) * delta + end if np.any(lowest(step) == 0) else k * step + end
        blocks.append(ramp)
    if blocks[1] is not None:
        blocks[1] = flip(blocks[1], axis)
    return concatenate([b for b in (blocks[0], x, blocks[1]) if b is not None], axis=axis)


def _pad_stat(x, axis, before, after, mode, stat_length):
    """``maximum``/``minimum``/``mean``/``median``: the statistic of the first (last) ``stat_length``
    entries along the axis (all of them by default), repeated over the pad on that side."""
    from .reductions import max as amax, mean, min as amin
    from .sorting import median
    stat = {"maximum": amax, "minimum": amin, "mean": mean, "median": median}[mode]
    nd, n = ndim(x), _shape_of(x)[axis]
    if stat_length is None:
        lengths = (n, n)
    else:
        lengths = np.broadcast_to(np.asarray(lowest(stat_length)), (nd, 2))[axis]
        if np.any(lengths < 0):
            raise ValueError("index can't contain negative values")
        lengths = tuple(min(int(v), n) for v in lengths)
    if 0 in lengths and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    before_axis = (slice(None),) * axis
    blocks, whole = [], None
    for width, length, part in ((before, lengths[0], slice(0, lengths[0])), (after, lengths[1], slice(n - lengths[1], n))):
        if not width:
            blocks.append(None)
            continue
        if length == n:  # the whole axis: one statistic serves both sides (NumPy computes it once too)
            whole = value = stat(x, axis=axis, keepdims=True) if whole is None else whole
        else:
            value = stat(getitem(x, before_axis + (part,)), axis=axis, keepdims=True)
        s = list(_shape_of(x))
        s[axis] = width
        blocks.append(broadcast_to(value, tuple(s)))
    return concatenate([b for b in (blocks[0], x, blocks[1]) if b is not None], axis=axis)


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


def _fft_shift(x, axes, sign: int):
    shape = _shape_of(x)
    if axes is None:
        axes = tuple(range(len(shape)))
    elif isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    axes = tuple(axes)
    if not axes:
        return x
    return roll(x, [sign * (shape[a] // 2) for a in axes], axes)


def fftshift(x, axes=None):
    """``np.fft.fftshift``: the zero-frequency entry moved to the centre, a roll by ``n // 2``
    along each axis (only entries move: the slope is a permutation)."""
    return _fft_shift(x, axes, 1)


def ifftshift(x, axes=None):
    """``np.fft.ifftshift``: the inverse of ``fftshift``, a roll by ``-(n // 2)`` along each axis."""
    return _fft_shift(x, axes, -1)
