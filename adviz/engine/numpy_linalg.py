"""How NumPy's linear algebra reaches the primitives: products, ``einsum`` and ``np.linalg``.

Like ``numpy_api/`` (which this module extends: it adds its entries to
``numpy_api.FUNCTIONS``), every function here has NumPy's signature and NumPy's semantics,
and either records primitives or refuses with an error naming what it cannot do.

Most products are *composites* of two primitives, ``matmul`` and ``einsum``:

* ``np.dot``, ``np.inner``, ``np.tensordot``, ``np.vdot`` contract axes: ``@`` where NumPy's
  rule coincides with ``matmul``'s (vectors and matrices), ``einsum`` beyond;
* ``np.outer``, ``np.kron`` and ``np.cross`` are broadcast products of (re)shaped operands;
* ``np.linalg.norm`` picks the right formula for its ``ord``/``axis`` (the 2-norm and
  Frobenius norm have their own primitive; ``'nuc'``, ``2`` and ``-2`` go through the
  singular values);
* decompositions return NumPy's named tuples (``U, S, Vh = np.linalg.svd(A)``,
  ``np.linalg.eigh(A).eigenvalues``), one primitive per output.
"""

from __future__ import annotations

import builtins
import operator
import warnings
from collections import Counter, namedtuple
from typing import Any

import numpy as np

from . import numpy_api as api
from .numpy_api import (
    _as_operand,
    getitem,
    matmul,
    moveaxis,
    ravel,
    reshape,
    stack,
    swapaxes,
)
from .numpy_api._common import _NOVALUE, _no
from .primitives import REGISTRY as P
from .primitives.core import ndim, shape
from .primitives.decompositions import sym
from .tracer import Tracer, UnsupportedOperation, bind, lowest

__all__ = ["EighResult", "QRResult", "SVDResult", "SlogdetResult"]

# NumPy's result types, by field name: ``np.linalg.eigh(A).eigenvectors`` works on traced values too.
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SUBLIST_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # NumPy's order for 0..51


def _axis(a: Any, nd: int) -> int:
    a = operator.index(a)
    if not -nd <= a < nd:
        raise np.exceptions.AxisError(a, nd)
    return a % nd


# ---------------------------------------------------------------- einsum
def einsum(*operands, out=None, optimize=False, **kwargs):
    """``np.einsum`` on traced values: any subscripts, ellipsis, sublists, several operands.

    The subscripts are normalised (explicit output, ellipsis spelled out as letters,
    size-1 axes broadcast) and recorded as one ``einsum`` primitive, whose rules are
    einsums themselves: linear in each operand, so ``ȳ`` goes back to operand ``i`` by
    contracting it with all the other operands.
    """
    _no({"out": out}, "einsum", "out")
    unknown = set(kwargs) - {"dtype", "order", "casting"}
    if unknown:
        raise TypeError(f"np.einsum got unexpected keyword arguments {sorted(unknown)}")
    if not operands:
        raise ValueError("np.einsum needs subscripts and at least one operand")
    subscripts, ops = _einsum_spec(operands)
    if kwargs.get("dtype") is not None:  # NumPy computes in dtype: the operands are cast first
        dtype = np.dtype(kwargs["dtype"])
        casting = kwargs.get("casting", "safe")
        if not np.issubdtype(dtype, np.inexact) or not all(np.can_cast(np.result_type(lowest(o)), dtype, casting)
                                                          for o in ops):
            return np.einsum(*[lowest(o) for o in operands], optimize=optimize, **kwargs)  # NumPy's value or error
        ops = [api.astype(o, dtype) if isinstance(o, Tracer) else np.asarray(o).astype(dtype) for o in ops]
    subscripts, ops = _normalize_einsum(subscripts, ops)
    return bind(P["einsum"], *ops, subscripts=subscripts, optimize=optimize)


def _einsum_spec(operands) -> tuple[str, list]:
    """Subscripts as text and the operands, from either calling convention of ``np.einsum``."""
    if isinstance(operands[0], str):
        return operands[0].replace(" ", ""), [_as_operand(o) for o in operands[1:]]
    n = len(operands) // 2  # einsum(op0, sublist0, op1, sublist1, ..., [output sublist])
    ops, subs = operands[0:2 * n:2], [_sublist(s) for s in operands[1:2 * n:2]]
    text = ",".join(subs) + ("->" + _sublist(operands[-1]) if len(operands) % 2 else "")
    return text, [_as_operand(o) for o in ops]


def _sublist(sub) -> str:
    parts = []
    for s in sub:
        if s is Ellipsis:
            parts.append("...")
            continue
        k = operator.index(s)
        if not 0 <= k < 52:
            raise ValueError(f"np.einsum: subscript {k} in a sublist is outside [0, 52)")
        parts.append(_SUBLIST_LETTERS[k])
    return "".join(parts)


def _normalize_einsum(subscripts: str, ops: list) -> tuple[str, list]:
    """Explicit output, no ellipsis, no size-1 broadcasting: what the primitive's rules expect."""
    for ch in subscripts:
        if not (ch.isascii() and ch.isalpha()) and ch not in ",.->":
            raise ValueError(f"np.einsum: invalid subscript {ch!r} in {subscripts!r} (subscripts must be letters)")
    if subscripts.count("->") > 1 or subscripts.replace("->", "").count("-") or subscripts.replace("->", "").count(">"):
        raise ValueError(f"np.einsum: subscripts {subscripts!r} must contain at most one '->'")
    lhs, _, out = subscripts.partition("->")
    explicit = "->" in subscripts
    terms = lhs.split(",")
    if len(terms) != len(ops):
        raise ValueError(f"np.einsum: subscripts {subscripts!r} name {len(terms)} operands but {len(ops)} were given")
    fresh = [c for c in _LETTERS if c not in subscripts]
    ellipsis_dims = []
    for i, (term, op) in enumerate(zip(terms, ops)):
        named = term.replace("...", "")
        if "." in named:
            raise ValueError(f"np.einsum: operand {i}'s subscripts {term!r} contain a '.' that is not part of '...'")
        extra = ndim(op) - len(named)
        if "..." not in term and extra != 0 or extra < 0:
            raise ValueError(f"np.einsum: operand {i} has {ndim(op)} dimensions but its subscripts {term!r} "
                             f"name {len(named)}" + ("" if "..." in term else " (and have no '...')"))
        ellipsis_dims.append(extra if "..." in term else 0)
    n_ell = builtins.max(ellipsis_dims, default=0)
    if n_ell > len(fresh):
        raise ValueError("np.einsum: too many dimensions for the 52 subscript letters")
    ell = "".join(fresh[:n_ell])
    terms = [t.replace("...", ell[n_ell - k:]) for t, k in zip(terms, ellipsis_dims)]
    if explicit:
        if "." in out.replace("...", ""):
            raise ValueError(f"np.einsum: the output subscripts {out!r} contain a '.' that is not part of '...'")
        if "..." not in out and n_ell and builtins.any("..." in t for t in lhs.split(",")):
            raise ValueError("np.einsum: the operands have '...' dimensions but the output has no '...' to put them in")
        out = out.replace("...", ell)
    else:
        counts = Counter("".join(terms))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    inputs = set("".join(terms))
    for c in out:
        if c not in inputs:
            raise ValueError(f"np.einsum: output subscript {c!r} never appears in an input")
        if out.count(c) > 1:
            raise ValueError(f"np.einsum: output subscript {c!r} appears more than once")
    sizes: dict[str, int] = {}
    for i, (term, op) in enumerate(zip(terms, ops)):
        within: dict[str, int] = {}
        for c, n in zip(term, shape(op)):  # a repeated letter takes a diagonal: no broadcasting there
            if within.setdefault(c, n) != n:
                raise ValueError(f"np.einsum: dimensions in operand {i} for the repeated subscript {c!r} "
                                 f"don't match ({within[c]} != {n})")
    for term, op in zip(terms, ops):
        for c, n in zip(term, shape(op)):
            if n != 1:
                if sizes.get(c, n) != n:
                    raise ValueError(f"np.einsum: subscript {c!r} has size {sizes[c]} in one operand and {n} in another")
                sizes[c] = n
    ops = [api.broadcast_to(op, tuple(sizes.get(c, 1) for c in term)) if ndim(op) else op
           for term, op in zip(terms, ops)]
    return ",".join(terms) + "->" + out, ops


# ---------------------------------------------------------------- products
def dot(a, b, out=None):
    """``np.dot``: a product for scalars, ``@`` for vectors and matrices, beyond that the sum over
    ``a``'s last axis and ``b``'s second-to-last (result shape ``a.shape[:-1] + b.shape[:-2] + b.shape[-1:]``)."""
    _no({"out": out}, "dot", "out")
    a, b = _as_operand(a), _as_operand(b)
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) == 1 or ndim(a) == 1 or (ndim(a) <= 2 and ndim(b) <= 2):
        return matmul(a, b)  # here NumPy's dot and matmul agree
    la, lb = _LETTERS[: ndim(a)], _LETTERS[ndim(a): ndim(a) + ndim(b)]
    lb = lb[:-2] + la[-1] + lb[-1]
    return einsum(f"{la},{lb}->{la[:-1] + lb[:-2] + lb[-1]}", a, b)


def inner(a, b):
    """``np.inner``: the sum over the last axes (result shape ``a.shape[:-1] + b.shape[:-1]``)."""
    a, b = _as_operand(a), _as_operand(b)
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) == 1:
        return matmul(a, b)
    if ndim(a) == 1:
        return matmul(b, a)
    if ndim(a) == 2 and ndim(b) == 2:
        return matmul(a, swapaxes(b, -1, -2))
    la, lb = _LETTERS[: ndim(a)], _LETTERS[ndim(a): ndim(a) + ndim(b) - 1]
    return einsum(f"{la},{lb + la[-1]}->{la[:-1] + lb}", a, b)


def vdot(a, b):
    """``np.vdot``: both arrays flattened, then the dot product (the first one conjugated)."""
    a, b = _as_operand(a), _as_operand(b)
    if np.iscomplexobj(lowest(a)):
        a = np.conj(a)
    return matmul(ravel(a), ravel(b))


def outer(a, b, out=None):
    """``np.outer``: both arrays flattened, then every product ``a[i] * b[j]``."""
    _no({"out": out}, "outer", "out")
    return reshape(ravel(_as_operand(a)), (-1, 1)) * reshape(ravel(_as_operand(b)), (1, -1))


def tensordot(a, b, axes=2):
    """``np.tensordot``: sum over ``a``'s and ``b``'s paired ``axes`` (an int N: a's last N with b's first N)."""
    a, b = _as_operand(a), _as_operand(b)
    na, nb = ndim(a), ndim(b)
    try:
        n = operator.index(axes)
        a_axes, b_axes = list(range(na - n, na)), list(range(n))
        if n < 0 or n > na or n > nb:
            raise ValueError(f"np.tensordot: axes={n} but the operands have {na} and {nb} dimensions")
    except TypeError:
        a_axes, b_axes = axes
        a_axes = [a_axes] if np.ndim(a_axes) == 0 else list(a_axes)
        b_axes = [b_axes] if np.ndim(b_axes) == 0 else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError("np.tensordot: the two lists of axes have different lengths")
    a_axes = [_axis(x, na) for x in a_axes]
    b_axes = [_axis(x, nb) for x in b_axes]
    la = list(_LETTERS[:na])
    lb = list(_LETTERS[na: na + nb])
    for i, j in zip(a_axes, b_axes):
        if shape(a)[i] != shape(b)[j]:
            raise ValueError(f"np.tensordot: shape-mismatch for sum (axis {i} of a has {shape(a)[i]}, "
                             f"axis {j} of b has {shape(b)[j]})")
        lb[j] = la[i]
    out = [c for k, c in enumerate(la) if k not in a_axes] + [c for k, c in enumerate(lb) if k not in b_axes]
    return einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out)}", a, b)


def kron(a, b):
    """``np.kron``: block ``(i, j)`` of the result is ``a[i, j] * b`` (for any number of dimensions)."""
    a, b = _as_operand(a), _as_operand(b)
    nd = builtins.max(ndim(a), ndim(b))
    sa = (1,) * (nd - ndim(a)) + shape(a)
    sb = (1,) * (nd - ndim(b)) + shape(b)
    spread_a = reshape(a, tuple(x for n in sa for x in (n, 1)))  # a[i, j] on axes 0, 2, …
    spread_b = reshape(b, tuple(x for n in sb for x in (1, n)))  # b[k, l] on axes 1, 3, …
    return reshape(spread_a * spread_b, tuple(p * q for p, q in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``np.cross`` of 3-vectors (and NumPy's deprecated 2-vectors) along any axes."""
    a, b = _as_operand(a), _as_operand(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(a, _axis(axisa, ndim(a)), -1)
    b = moveaxis(b, _axis(axisb, ndim(b)), -1)
    na, nb = shape(a)[-1], shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    if na == 2 or nb == 2:
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of 3-dimensional vectors "
                      "instead. (deprecated in NumPy 2.0)", DeprecationWarning, stacklevel=3)
    a0, a1, a2 = (getitem(a, (Ellipsis, i)) if i < na else None for i in range(3))
    b0, b1, b2 = (getitem(b, (Ellipsis, i)) if i < nb else None for i in range(3))
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    x = _minus(_times(a1, b2), _times(a2, b1))
    y = _minus(_times(a2, b0), _times(a0, b2))
    c = stack([x, y, z], axis=-1)
    return moveaxis(c, -1, _axis(axisc, ndim(c)))


def _times(p, q):
    return None if p is None or q is None else p * q


def _minus(p, q):
    return p if q is None else (-q if p is None else p - q)


def linalg_cross(x1, x2, /, *, axis=-1):
    """``np.linalg.cross``: 3-vectors only."""
    if shape(x1)[axis] != 3 or shape(x2)[axis] != 3:
        raise ValueError("np.linalg.cross: both inputs must be 3-vectors along the given axis")
    return cross(x1, x2, axis=axis)


def vecdot(x1, x2, /, *, axis=-1):
    """``np.linalg.vecdot`` (and the ufunc ``np.vecdot``): the dot product along ``axis``, broadcasting."""
    x1, x2 = _as_operand(x1), _as_operand(x2)
    if np.iscomplexobj(lowest(x1)):
        x1 = np.conj(x1)
    return api.sum(x1 * x2, axis=axis)


def matvec(A, v):
    """``np.matvec``: ``A @ v`` for stacks of matrices and of vectors."""
    return getitem(matmul(A, api.expand_dims(v, -1)), (Ellipsis, 0))


def vecmat(v, A):
    """``np.vecmat``: ``v @ A`` for stacks of vectors and of matrices."""
    return getitem(matmul(api.expand_dims(v, -2), A), (Ellipsis, 0, slice(None)))


def multi_dot(arrays, *, out=None):
    """``np.linalg.multi_dot``: ``A @ B @ C …`` (the first may be a row vector, the last a column)."""
    _no({"out": out}, "multi_dot", "out")
    arrays = [_as_operand(x) for x in arrays]
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        return dot(arrays[0], arrays[1])
    first_1d, last_1d = ndim(arrays[0]) == 1, ndim(arrays[-1]) == 1
    if first_1d:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last_1d:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for x in arrays:
        if ndim(x) != 2:
            raise np.linalg.LinAlgError(f"{ndim(x)}-dimensional array given. Array must be two-dimensional")
    result = arrays[0]
    for x in arrays[1:]:
        result = matmul(result, x)
    if first_1d and last_1d:
        return getitem(result, (0, 0))
    return ravel(result) if first_1d or last_1d else result


def matrix_power(a, n):
    """``np.linalg.matrix_power``: repeated squaring, as NumPy does it (``inv`` first for ``n < 0``)."""
    a = _as_operand(a)
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    if ndim(a) < 2 or shape(a)[-1] != shape(a)[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    if n == 0:
        return np.broadcast_to(np.eye(shape(a)[-1], dtype=np.result_type(lowest(a))), shape(a)).copy()
    if n < 0:
        a, n = inv(a), -n
    z = result = None
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


# ---------------------------------------------------------------- norms
def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm`` with NumPy's choice of vector or matrix norm for every ``ord``/``axis``."""
    x = _as_operand(x)
    nd = ndim(x)
    if axis is None:
        if ord is None or (_is_str(ord) and ord in ("f", "fro") and nd == 2) or (_is_num(ord) and ord == 2 and nd == 1):
            return bind(P["norm"], x, axis=tuple(range(nd)), keepdims=bool(keepdims))
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = (operator.index(axis),)
        except TypeError as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
    if len(axis) == 1:
        return _vector_norm(x, ord, axis[0], keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def _is_str(ord) -> bool:
    return isinstance(ord, str)


def _is_num(ord) -> bool:
    return not isinstance(ord, str) and ord is not None


def _vector_norm(x, ord, axis: int, keepdims: bool):
    if _is_str(ord):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    keepdims, axis = bool(keepdims), _axis(axis, ndim(x))
    if ord is None or ord == 2:
        return bind(P["norm"], x, axis=(axis,), keepdims=keepdims)
    if ord == np.inf:
        return _max_or_zero(np.abs(x), axis, keepdims)
    if ord == -np.inf:
        return api.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        # the number of nonzero entries: piecewise constant, so its derivative is 0 wherever it exists
        v = lowest(x)
        return np.sum(v != 0, axis=axis, keepdims=keepdims).astype(np.result_type(v))
    if ord == 1:
        return api.sum(np.abs(x), axis=axis, keepdims=keepdims)
    p = float(ord)
    return api.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _max_or_zero(x, axis: int, keepdims: bool = False):
    """``max`` over ``axis``, 0 where that axis is empty (NumPy's ``initial=0`` for these norms)."""
    if shape(x)[axis] == 0:  # nothing to reduce: a constant, as NumPy gives
        return np.max(lowest(x), axis=axis, keepdims=keepdims, initial=0)
    return api.max(x, axis=axis, keepdims=keepdims)


def _matrix_norm(x, ord, axis, keepdims: bool):
    nd = ndim(x)
    row, col = _axis(axis[0], nd), _axis(axis[1], nd)
    if row == col:
        raise ValueError("Duplicate axes given.")
    num = _is_num(ord)
    if num and ord == 2:
        ret = _max_or_zero(_singular_values(x, row, col), -1)
    elif num and ord == -2:
        ret = api.min(_singular_values(x, row, col), axis=-1)
    elif num and ord in (1, -1):  # the largest (smallest) column sum
        reduce = _max_or_zero if ord == 1 else api.min
        ret = reduce(api.sum(np.abs(x), axis=row), axis=col - 1 if col > row else col)
    elif num and ord in (np.inf, -np.inf):  # the largest (smallest) row sum
        reduce = _max_or_zero if ord == np.inf else api.min
        ret = reduce(api.sum(np.abs(x), axis=col), axis=row - 1 if row > col else row)
    elif ord is None or ord in ("fro", "f"):
        ret = bind(P["norm"], x, axis=tuple(sorted((row, col))), keepdims=False)
    elif ord == "nuc":
        ret = api.sum(_singular_values(x, row, col), axis=-1)
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        kept = list(shape(x))
        kept[row] = kept[col] = 1
        ret = reshape(ret, tuple(kept))
    return ret


def _singular_values(x, row: int, col: int):
    return bind(P["svdvals"], moveaxis(x, (row, col), (-2, -1)))


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """``np.linalg.vector_norm``: a vector norm over one, several or all axes."""
    x = _as_operand(x)
    nd = ndim(x)
    axes = tuple(range(nd)) if axis is None else tuple(
        sorted(_axis(a, nd) for a in ((axis,) if np.ndim(axis) == 0 else axis)))
    if ord is None or (_is_num(ord) and ord == 2):
        return bind(P["norm"], x, axis=axes, keepdims=bool(keepdims))
    rest = [a for a in range(nd) if a not in axes]
    flat = reshape(api.transpose(x, rest + list(axes)), tuple(shape(x)[a] for a in rest) + (-1,))
    ret = _vector_norm(flat, ord, ndim(flat) - 1, False)
    if keepdims:
        ret = reshape(ret, tuple(1 if a in axes else n for a, n in enumerate(shape(x))))
    return ret


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """``np.linalg.matrix_norm``: a matrix norm over the last two axes."""
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def cond(x, p=None):
    """``np.linalg.cond``: ``σ_max / σ_min`` (p = None, 2, -2) or ``‖x‖ · ‖x⁻¹‖`` in norm ``p``."""
    x = _as_operand(x)
    if p is None or (_is_num(p) and p in (2, -2)):
        s = bind(P["svdvals"], x)
        big, small = getitem(s, (Ellipsis, 0)), getitem(s, (Ellipsis, -1))
        return small / big if p == -2 else big / small
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


# ---------------------------------------------------------------- solve, inverse, determinants
def solve(a, b):
    return bind(P["solve"], _as_operand(a), _as_operand(b))


def inv(a):
    return bind(P["inv"], _as_operand(a))


def det(a):
    return bind(P["det"], _as_operand(a))


def tensorinv(a, ind=2):
    """``np.linalg.tensorinv``: the inverse of ``a`` read as a matrix (its first ``ind`` axes
    against the rest), reshaped back with the two groups of axes swapped (NumPy's recipe)."""
    a = _as_operand(a)
    np.linalg.tensorinv(lowest(a), ind=ind)  # NumPy's checks (a singular a raises)
    rows = shape(a)[ind:]
    n = int(np.prod(rows, dtype=int))
    return reshape(inv(reshape(a, (n, -1))), tuple(rows) + tuple(shape(a)[:ind]))


def tensorsolve(a, b, axes=None):
    """``np.linalg.tensorsolve``: ``x`` with ``tensordot(a, x, x.ndim) == b``, by ``solve`` of
    ``a`` read as a square matrix (NumPy's recipe; ``axes`` are moved to the end first)."""
    a, b = _as_operand(a), _as_operand(b)
    np.linalg.tensorsolve(lowest(a), lowest(b), axes=axes)  # NumPy's checks (a singular a raises)
    if axes is not None:
        order = [k for k in range(ndim(a)) if k not in [int(ax) % ndim(a) for ax in axes]]
        a = api.transpose(a, order + [int(ax) % ndim(a) for ax in axes])
    old = shape(a)[-(ndim(a) - ndim(b)):]
    n = int(np.prod(old, dtype=int))
    return reshape(solve(reshape(a, (n, n)), ravel(b)), tuple(old))


def slogdet(a):
    """``np.linalg.slogdet``: the sign (piecewise constant: not differentiated) and ``log|det a|``."""
    a = _as_operand(a)
    return SlogdetResult(np.linalg.slogdet(lowest(a))[0], bind(P["logabsdet"], a))


def pinv(a, rcond=None, hermitian=False, *, rtol=_NOVALUE):
    """``np.linalg.pinv``, with NumPy's cut-off for small singular values (``rcond``/``rtol``)."""
    a = _as_operand(a)
    if rcond is None:
        if rtol is _NOVALUE:
            rcond = 1e-15
        elif rtol is None:
            rcond = builtins.max(shape(a)[-2:]) * np.finfo(np.result_type(lowest(a))).eps
        else:
            rcond = rtol
    elif rtol is not _NOVALUE:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if hermitian:
        a = sym(a, "L")  # NumPy's hermitian path reads the lower triangle only
    return bind(P["pinv"], a, rcond=lowest(rcond))


def lstsq(a, b, rcond=None):
    """``np.linalg.lstsq``: ``(x, residuals, rank, s)`` with ``x = pinv(a) @ b``, the minimum-norm
    least-squares solution NumPy returns (singular values below ``rcond · s_max`` cut, NumPy's
    default ``rcond`` ``eps · max(M, N)``).  Differentiable in ``a`` and ``b`` where ``a`` has full
    rank; a rank-deficient ``a`` is refused (the solution jumps as the rank changes, so it has no
    derivative there).  ``rank`` is a plain integer; ``residuals`` (the squared 2-norm of each
    column of ``b - a @ x``, empty unless ``a`` is tall of full rank) and ``s`` are traced."""
    a, b = _as_operand(a), _as_operand(b)
    x_np, res_np, rank, s_np = np.linalg.lstsq(lowest(a), lowest(b), rcond=lowest(rcond))
    m, n = shape(a)
    if rank < builtins.min(m, n):
        raise UnsupportedOperation(
            f"np.linalg.lstsq of a rank-deficient matrix (rank {rank} < {builtins.min(m, n)}): its solution has no "
            "derivative there (it jumps when the rank changes); add a ridge term, e.g. "
            "np.linalg.solve(A.T @ A + lam * np.eye(n), A.T @ b)")
    cutoff = (np.finfo(np.result_type(lowest(a))).eps * builtins.max(m, n)) if rcond is None else lowest(rcond)
    x = pinv(a, rcond=cutoff) @ b
    if rank == n and m > n:
        r = b - a @ x
        residuals = np.sum(r * r, axis=0)
        residuals = reshape(residuals, (1,)) if ndim(residuals) == 0 else residuals
    else:
        residuals = res_np
    return x, residuals, rank, bind(P["svdvals"], a)


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """``np.polyfit`` as NumPy computes it: a least-squares fit on the Vandermonde matrix with
    scaled columns (:func:`lstsq`), differentiable in the data ``x``, ``y`` and the weights ``w``."""
    from .numpy_api.signals import vander
    if cov:
        raise UnsupportedOperation("np.polyfit(..., cov=True) is not supported on traced values")
    deg = int(deg)
    if deg < 0:
        raise ValueError("expected deg >= 0")
    x, y = _as_operand(x) * 1.0, _as_operand(y) * 1.0
    if ndim(x) != 1 or shape(x)[0] == 0 or ndim(y) not in (1, 2) or shape(x)[0] != shape(y)[0]:
        np.polyfit(lowest(x), lowest(y), deg)  # NumPy's own error for a bad shape
    if rcond is None:
        rcond = shape(x)[0] * np.finfo(np.result_type(lowest(x))).eps
    lhs = vander(x, deg + 1)
    rhs = y
    if w is not None:
        w = _as_operand(w) * 1.0
        lhs = lhs * reshape(w, (-1, 1))
        rhs = rhs * (w if ndim(rhs) == 1 else reshape(w, (-1, 1)))
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    c, resids, rank, s = lstsq(lhs / scale, rhs, rcond)
    c = c / (scale if ndim(c) == 1 else reshape(scale, (-1, 1)))
    if full:
        return c, resids, rank, s, rcond
    return c


# ---------------------------------------------------------------- decompositions
def _uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return UPLO


def eigh(a, UPLO="L"):
    """``np.linalg.eigh``: ``(eigenvalues, eigenvectors)`` of a symmetric matrix (one triangle read)."""
    a = _as_operand(a)
    UPLO = _uplo(UPLO)
    return EighResult(bind(P["eigvalsh"], a, UPLO=UPLO), bind(P["eigh_vectors"], a, UPLO=UPLO))


def eigvalsh(a, UPLO="L"):
    return bind(P["eigvalsh"], _as_operand(a), UPLO=_uplo(UPLO))


def cholesky(a, /, *, upper=False):
    return bind(P["cholesky"], _as_operand(a), upper=bool(upper))


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``np.linalg.svd``: ``U, S, Vh`` (or only ``S``), NumPy's result for every option.

    With ``full_matrices=True`` (NumPy's default) a non-square matrix's extra columns of
    ``U`` (or rows of ``Vh``) are an arbitrary basis: their derivatives are ``nan``.
    """
    a = _as_operand(a)
    if hermitian:
        return _hermitian_svd(a, compute_uv)
    if not compute_uv:
        return bind(P["svdvals"], a)
    full = bool(full_matrices)
    return SVDResult(bind(P["svd_u"], a, full_matrices=full), bind(P["svdvals"], a),
                     bind(P["svd_vh"], a, full_matrices=full))


def _hermitian_svd(a, compute_uv: bool):
    """NumPy's ``hermitian=True`` recipe: |eigenvalues| sorted descending, signs moved into ``Vh``."""
    w = eigvalsh(a)
    order = np.argsort(np.abs(lowest(w)), axis=-1)[..., ::-1]
    n = shape(w)[-1]
    perm = (order[..., :, None] == np.arange(n)).astype(np.result_type(lowest(w)))  # one-hot rows
    s = getitem(matmul(perm, api.expand_dims(np.abs(w), -1)), (Ellipsis, 0))
    if not compute_uv:
        return s
    V = bind(P["eigh_vectors"], a, UPLO="L")
    signs = np.take_along_axis(np.sign(lowest(w)), order, axis=-1)
    U = matmul(V, swapaxes(perm, -1, -2))
    return SVDResult(U, s, swapaxes(U * signs[..., None, :], -1, -2))


def qr(a, mode="reduced"):
    """``np.linalg.qr``: modes ``'reduced'``, ``'r'`` and ``'complete'`` (for a tall matrix, see
    :func:`_householder_q`)."""
    a = _as_operand(a)
    m, n = shape(a)[-2:]
    if mode == "complete" and m > n:
        R = bind(P["qr_r"], a)
        zeros = np.zeros(shape(a)[:-2] + (m - n, n), dtype=np.result_type(lowest(a), np.float32))
        return QRResult(_householder_q(a), api.concatenate([R, zeros], axis=-2))
    if mode == "raw":
        raise UnsupportedOperation("np.linalg.qr(mode='raw') (Householder reflectors) is not supported on "
                                   "traced values; use mode='reduced'")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    R = bind(P["qr_r"], a)
    if mode == "r":
        return R
    return QRResult(bind(P["qr_q"], a), R)


def _householder_q(a):
    """The ``m × m`` Q of ``np.linalg.qr(a, mode='complete')`` for a tall ``a`` (``m > n``).

    Its last ``m − n`` columns are *some* orthonormal basis of the complement of ``a``'s
    columns: LAPACK's, the product ``H₁ H₂ … Hₙ`` of the Householder reflectors
    ``Hₖ = I − τₖ vₖ vₖᵀ`` that ``dgeqrf`` chooses (``dlarfg``: ``β = −sign(α)‖x‖``,
    ``τ = (β − α)/β``, ``v = [1, x₁…/(α − β)]``).  Written here with traced operations, that
    basis is a differentiable function of ``a`` wherever no ``α`` changes sign, and its
    derivative is that of the numbers NumPy returns.  The product is compared with NumPy's Q
    every time; a LAPACK with other conventions refuses rather than differentiate another basis.
    """
    m, n = shape(a)[-2:]
    batch = shape(a)[:-2]
    dt = np.result_type(lowest(a), np.float32)  # float32 stays float32, as in NumPy (LAPACK's sgeqrf)
    mats = reshape(a, (-1, m, n))
    qs = []
    for b in range(shape(mats)[0]):
        R = getitem(mats, (b,))
        Q = None
        for k in range(min(m - 1, n)):
            x = getitem(R, (slice(k, None), k))
            alpha, rest = getitem(x, (0,)), getitem(x, (slice(1, None),))
            if not np.any(lowest(rest)):
                continue  # dlarfg: nothing below the diagonal, H = I (τ = 0)
            sign = 1.0 if lowest(alpha) >= 0 else -1.0  # Fortran's SIGN(·, α): piecewise constant
            beta = -sign * norm(x)
            v = api.concatenate([np.zeros(k, dt), np.ones(1, dt), rest / (alpha - beta)])
            H = np.eye(m, dtype=dt) - ((beta - alpha) / beta) * outer(v, v)
            R = matmul(H, R)
            Q = H if Q is None else matmul(Q, H)
        qs.append(Q if Q is not None else np.eye(m, dtype=dt) + 0.0 * getitem(mats, (b, 0, 0)))
    Q = reshape(stack(qs), tuple(batch) + (m, m))
    expected = np.linalg.qr(lowest(a), mode="complete")[0]
    tol = max(1e-8, 1e3 * float(np.finfo(dt).eps))  # Q's entries are at most 1 in size
    if not np.allclose(lowest(Q), expected, rtol=tol, atol=tol):
        raise UnsupportedOperation(
            "np.linalg.qr(mode='complete') of a tall matrix: this LAPACK's Householder conventions differ from "
            "the ones adviz replays, so the extra columns of Q cannot be differentiated; use mode='reduced'")
    return Q


def _refuse(name: str, advice: str):
    def refuse(*args, **kwargs):
        raise UnsupportedOperation(f"adviz cannot differentiate through {name}: {advice}")

    refuse.__name__ = name
    refuse.refused = True  # the catalog of supported functions lists it as refused
    return refuse


# ---------------------------------------------------------------- dispatch tables
api.FUNCTIONS.update({
    np.dot: dot, np.inner: inner, np.vdot: vdot, np.outer: outer, np.einsum: einsum, np.tensordot: tensordot,
    np.kron: kron, np.cross: cross, np.einsum_path: api._plain(np.einsum_path), np.polyfit: polyfit,
})
_LINALG = {
    "solve": solve, "inv": inv, "det": det, "slogdet": slogdet, "pinv": pinv, "norm": norm, "cond": cond,
    "eigh": eigh, "eigvalsh": eigvalsh, "cholesky": cholesky, "svd": svd, "qr": qr, "multi_dot": multi_dot,
    "matrix_power": matrix_power, "tensorinv": tensorinv, "tensorsolve": tensorsolve,
    "matrix_rank": api._plain(np.linalg.matrix_rank),
    # the array-API additions of NumPy 2.0
    "vector_norm": vector_norm, "matrix_norm": matrix_norm, "svdvals": lambda x, /: bind(P["svdvals"], x),
    "matmul": lambda x1, x2, /: matmul(x1, x2), "outer": lambda x1, x2, /: outer(x1, x2),
    "tensordot": lambda x1, x2, /, *, axes=2: tensordot(x1, x2, axes), "vecdot": vecdot, "cross": linalg_cross,
    "matrix_transpose": lambda x, /: swapaxes(x, -1, -2),
    # refused with advice
    "eig": _refuse("np.linalg.eig", "a general matrix can have complex eigenvalues and eigenvectors; "
                   "for a symmetric matrix use np.linalg.eigh"),
    "eigvals": _refuse("np.linalg.eigvals", "a general matrix can have complex eigenvalues; for a symmetric "
                       "matrix use np.linalg.eigvalsh"),
    "lstsq": lstsq,
}
for _name, _fn in _LINALG.items():
    if hasattr(np.linalg, _name):
        api.FUNCTIONS[getattr(np.linalg, _name)] = _fn
for _name, _fn in (("vecdot", lambda x1, x2, axis=-1: vecdot(x1, x2, axis=axis)), ("matvec", matvec),
                   ("vecmat", vecmat)):
    if hasattr(np, _name):  # gufuncs of NumPy >= 2.0 (vecdot) and >= 2.2 (matvec, vecmat)
        api.UFUNCS[getattr(np, _name)] = _fn
api.METHODS["dot"] = Tracer.dot = dot  # the array method x.dot(y)
