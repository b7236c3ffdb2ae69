"""How NumPy code reaches the primitives: operators, ufuncs, array functions, methods.

User code is plain NumPy.  When a tracer meets

* an operator (``x * y``, ``x @ W``, ``-x``, ``x[1:3]``) Python calls the dunder methods
  installed on :class:`~adviz.engine.tracer.Tracer` below;
* a ufunc (``np.sin(x)``, ``np.maximum(x, 0)``) NumPy calls ``Tracer.__array_ufunc__``,
  which looks the ufunc up in :data:`UFUNCS`;
* any other NumPy function (``np.sum``, ``np.where``, ``np.linalg.solve``) NumPy calls
  ``Tracer.__array_function__``, which looks it up in :data:`FUNCTIONS`.

Functions that are combinations of primitives (``mean = sum / n``, ``stack =
expand_dims + concatenate``, ``var``, ``outer``, ``dot``) are written here as *composites*:
they record several primitive nodes, and derivatives come for free.  A NumPy function in
neither table raises :class:`~adviz.engine.tracer.UnsupportedOperation` naming it, rather
than computing something silently wrong.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable

import numpy as np

from .primitives import REGISTRY as P
from .primitives.core import ndim, shape
from .tracer import Tracer, UnsupportedOperation, bind, lowest

_NOVALUE = np._NoValue  # NumPy's "argument not given" marker


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


# ---------------------------------------------------------------- reductions
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
    return np.sqrt(var(x, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where,
                       mean=mean, correction=correction))


def cumsum(x, axis=None, dtype=None, out=None):
    _no({"out": out}, "cumsum", "out")
    if axis is None:
        x, axis = ravel(x), 0
    return bind(P["cumsum"], x, axis=_axes(axis, ndim(x))[0])


# ---------------------------------------------------------------- shapes
def reshape(x, *shape_args, order="C", newshape=None, shape=None):
    if order != "C":
        raise UnsupportedOperation("reshape(order=...) other than 'C' is not supported on traced values")
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
    return bind(P["reshape"], x, newshape=target)


def _shape_of(x) -> tuple[int, ...]:
    return np.shape(lowest(x))


def ravel(x, order="C"):
    return reshape(x, (-1,), order=order)


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


def atleast_1d(x):
    return reshape(x, (1,)) if ndim(x) == 0 else x


def atleast_2d(x):
    return reshape(x, (1,) * (2 - ndim(x)) + _shape_of(x)) if ndim(x) < 2 else x


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


def broadcast_to(x, shape, subok=False):
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if shape == _shape_of(x):
        return x
    return bind(P["broadcast_to"], x, to=shape)


def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _no({"out": out}, "concatenate", "out")
    arrays = [_as_operand(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    return bind(P["concatenate"], *arrays, axis=int(axis) % ndim(arrays[0]))


def stack(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    arrays = [_as_operand(a) for a in arrays]
    nd = ndim(arrays[0]) + 1
    return concatenate([expand_dims(a, int(axis) % nd) for a in arrays], axis=int(axis) % nd)


def hstack(arrays, dtype=None, casting="same_kind"):
    arrays = [atleast_1d(_as_operand(a)) for a in arrays]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def vstack(arrays, dtype=None, casting="same_kind"):
    return concatenate([atleast_2d(_as_operand(a)) for a in arrays], axis=0)


def flip(x, axis=None):
    axes = _axes(axis, ndim(x))
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(x))))


# ---------------------------------------------------------------- indexing
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


# ---------------------------------------------------------------- products
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


def norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and ndim(x) != 1 and axis is None):
        raise UnsupportedOperation("np.linalg.norm on traced values supports the 2-norm / Frobenius norm only")
    return np.sqrt(sum(x * x, axis=axis, keepdims=keepdims))


# ---------------------------------------------------------------- elementwise functions with options
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


def _identity(x, *args, **kwargs):
    return x


def _plain(fn: Callable) -> Callable:
    """Functions whose result does not depend differentiably on values (shapes, zeros_like…)."""

    def plain(*args, **kwargs):
        return fn(*[lowest(a) for a in args], **{k: lowest(v) for k, v in kwargs.items()})

    plain.__name__ = getattr(fn, "__name__", "plain")
    return plain


def _as_operand(a):
    return a if isinstance(a, Tracer) else (np.asarray(a) if isinstance(a, (list, tuple)) else a)


# ---------------------------------------------------------------- dispatch tables
def _prim_caller(name: str) -> Callable:
    prim = P[name]
    return lambda *args: bind(prim, *args)


UFUNCS: dict[np.ufunc, Callable] = {
    np.add: _prim_caller("add"), np.subtract: _prim_caller("subtract"), np.multiply: _prim_caller("multiply"),
    np.true_divide: _prim_caller("true_divide"), np.negative: _prim_caller("negative"),
    np.positive: _prim_caller("positive"), np.power: _prim_caller("power"), np.float_power: _prim_caller("power"),
    np.square: _prim_caller("square"), np.reciprocal: _prim_caller("reciprocal"), np.sqrt: _prim_caller("sqrt"),
    np.cbrt: _prim_caller("cbrt"), np.exp: _prim_caller("exp"), np.expm1: _prim_caller("expm1"),
    np.exp2: _prim_caller("exp2"), np.log: _prim_caller("log"), np.log1p: _prim_caller("log1p"),
    np.log2: _prim_caller("log2"), np.log10: _prim_caller("log10"), np.sin: _prim_caller("sin"),
    np.cos: _prim_caller("cos"), np.tan: _prim_caller("tan"), np.arcsin: _prim_caller("arcsin"),
    np.arccos: _prim_caller("arccos"), np.arctan: _prim_caller("arctan"), np.sinh: _prim_caller("sinh"),
    np.cosh: _prim_caller("cosh"), np.tanh: _prim_caller("tanh"), np.arcsinh: _prim_caller("arcsinh"),
    np.arccosh: _prim_caller("arccosh"), np.arctanh: _prim_caller("arctanh"),
    np.absolute: _prim_caller("absolute"), np.fabs: _prim_caller("absolute"),
    np.maximum: _prim_caller("maximum"), np.minimum: _prim_caller("minimum"),
    np.fmax: _prim_caller("maximum"), np.fmin: _prim_caller("minimum"),
    np.arctan2: _prim_caller("arctan2"), np.logaddexp: _prim_caller("logaddexp"), np.hypot: _prim_caller("hypot"),
    np.matmul: matmul, np.conjugate: _identity, np.remainder: _prim_caller("remainder"),
    np.fmod: _prim_caller("fmod"),
    np.deg2rad: lambda x: x * (np.pi / 180.0), np.rad2deg: lambda x: x * (180.0 / np.pi),
}
for _name in ("sign", "floor", "ceil", "trunc", "rint", "greater", "greater_equal", "less", "less_equal", "equal",
              "not_equal", "logical_and", "logical_or", "logical_not", "logical_xor", "isfinite", "isnan", "isinf",
              "signbit", "floor_divide", "bitwise_and", "bitwise_or", "invert"):
    UFUNCS[getattr(np, _name)] = _prim_caller(_name)

REDUCTIONS: dict[tuple[np.ufunc, str], Callable] = {
    (np.add, "reduce"): lambda x, axis=0, **kw: sum(x, axis=axis, keepdims=kw.get("keepdims", False)),
    (np.multiply, "reduce"): lambda x, axis=0, **kw: prod(x, axis=axis, keepdims=kw.get("keepdims", False)),
    (np.maximum, "reduce"): lambda x, axis=0, **kw: max(x, axis=axis, keepdims=kw.get("keepdims", False)),
    (np.minimum, "reduce"): lambda x, axis=0, **kw: min(x, axis=axis, keepdims=kw.get("keepdims", False)),
    (np.add, "accumulate"): lambda x, axis=0, **kw: cumsum(x, axis=axis),
}

FUNCTIONS: dict[Callable, Callable] = {
    np.sum: sum, np.prod: prod, np.max: max, np.min: min, np.amax: max, np.amin: min, np.mean: mean,
    np.var: var, np.std: std, np.cumsum: cumsum, np.reshape: reshape, np.ravel: ravel, np.squeeze: squeeze,
    np.expand_dims: expand_dims, np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.transpose: transpose,
    np.swapaxes: swapaxes, np.moveaxis: moveaxis, np.broadcast_to: broadcast_to, np.concatenate: concatenate,
    np.stack: stack, np.hstack: hstack, np.vstack: vstack, np.flip: flip, np.take: take, np.dot: dot,
    np.inner: inner, np.vdot: vdot, np.outer: outer, np.trace: trace, np.diag: diag, np.diagonal: lambda x, offset=0, axis1=0, axis2=1: diag(x), np.where: where, np.clip: clip,
    np.linalg.solve: lambda a, b: bind(P["solve"], a, b), np.linalg.inv: lambda a: bind(P["inv"], a),
    np.linalg.det: lambda a: bind(P["det"], a), np.linalg.norm: norm, np.copy: _identity,
    np.real: _identity, np.conj: _identity,
    np.shape: _plain(np.shape), np.ndim: _plain(np.ndim), np.size: _plain(np.size),
    np.result_type: _plain(np.result_type), np.zeros_like: _plain(np.zeros_like),
    np.ones_like: _plain(np.ones_like), np.full_like: _plain(np.full_like), np.empty_like: _plain(np.empty_like),
    np.isclose: _plain(np.isclose), np.allclose: _plain(np.allclose), np.array_equal: _plain(np.array_equal),
    np.argmax: _plain(np.argmax), np.argmin: _plain(np.argmin), np.argsort: _plain(np.argsort),
    np.round: _plain(np.round), np.around: _plain(np.around), np.iscomplexobj: _plain(np.iscomplexobj),
    np.isrealobj: _plain(np.isrealobj), np.any: _plain(np.any), np.all: _plain(np.all),
    np.count_nonzero: _plain(np.count_nonzero), np.nonzero: _plain(np.nonzero),
}


def _unsupported(name: str) -> UnsupportedOperation:
    return UnsupportedOperation(
        f"adviz cannot differentiate through {name}: it has no entry in the primitives registry. "
        "To add it, write one Primitive entry in adviz/engine/primitives/ (or a composite of existing "
        "ones) and map the NumPy function to it in adviz/engine/numpy_api.py."
    )


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if kwargs.get("out") is not None:
        raise UnsupportedOperation(f"np.{ufunc.__name__}(..., out=...) writes in place: not supported on traced values")
    if method == "__call__":
        fn = UFUNCS.get(ufunc)
        if fn is None:
            raise _unsupported(f"np.{ufunc.__name__}")
        kwargs.pop("out", None)
        if kwargs and not all(k in ("dtype", "casting") for k in kwargs):
            raise UnsupportedOperation(f"np.{ufunc.__name__} with options {sorted(kwargs)} on traced values")
        return fn(*inputs)
    fn = REDUCTIONS.get((ufunc, method))
    if fn is None:
        raise _unsupported(f"np.{ufunc.__name__}.{method}")
    kwargs.pop("out", None)
    return fn(*inputs, **kwargs)


def _array_function(self, func, types, args, kwargs):
    fn = FUNCTIONS.get(func)
    if fn is None:
        module = getattr(func, "__module__", "numpy") or "numpy"
        module = module.replace("numpy.linalg._linalg", "np.linalg").replace("numpy", "np")
        raise _unsupported(f"{module}.{func.__name__}" if "np" in module else f"np.{func.__name__}")
    return fn(*args, **kwargs)


# ---------------------------------------------------------------- install the NumPy surface on Tracer
def _binop(prim_name: str):
    prim = P[prim_name]

    def op(self, other):
        return bind(prim, self, _as_operand(other))

    def rop(self, other):
        return bind(prim, _as_operand(other), self)

    return op, rop


def _transpose_method(self, *axes):
    """``x.transpose()``, ``x.transpose(1, 0)`` and ``x.transpose((1, 0))`` all work, as in NumPy."""
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    return transpose(self, axes or None)


def _plain_method(fn: Callable) -> Callable:
    return lambda self, *args, **kwargs: fn(lowest(self), *args, **kwargs)


# Array methods of traced values: the same functions as the np.* ones above.
METHODS: dict[str, Any] = {
    "sum": sum, "prod": prod, "max": max, "min": min, "mean": mean, "var": var, "std": std, "cumsum": cumsum,
    "reshape": reshape, "ravel": ravel, "flatten": lambda self, order="C": ravel(self, order), "squeeze": squeeze,
    "transpose": _transpose_method, "swapaxes": swapaxes, "dot": dot, "clip": clip, "astype": astype,
    "copy": _identity, "conj": _identity, "conjugate": _identity, "real": property(_identity),
    "T": property(lambda self: transpose(self)), "mT": property(lambda self: swapaxes(self, -1, -2)),
    "all": _plain_method(np.all), "any": _plain_method(np.any), "argmax": _plain_method(np.argmax),
    "argmin": _plain_method(np.argmin),
}


def _install() -> None:
    T = Tracer
    T.__array_ufunc__ = _array_ufunc
    T.__array_function__ = _array_function
    for dunder, name in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "true_divide"),
                         ("pow", "power"), ("matmul", "matmul"), ("mod", "remainder"), ("floordiv", "floor_divide")):
        op, rop = _binop(name)
        setattr(T, f"__{dunder}__", op)
        setattr(T, f"__r{dunder}__", rop)
    for dunder, name in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal"),
                         ("eq", "equal"), ("ne", "not_equal")):
        op, _ = _binop(name)
        setattr(T, f"__{dunder}__", op)
    T.__neg__ = lambda self: bind(P["negative"], self)
    T.__pos__ = lambda self: self
    T.__abs__ = lambda self: bind(P["absolute"], self)
    T.__getitem__ = getitem
    for name, method in METHODS.items():
        setattr(T, name, method)


_install()

__all__ = ["UFUNCS", "FUNCTIONS", "REDUCTIONS"]
