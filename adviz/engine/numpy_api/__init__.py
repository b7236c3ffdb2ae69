"""How NumPy code reaches the primitives: operators, ufuncs, array functions, methods.

User code is plain NumPy.  When a tracer meets

* an operator (``x * y``, ``x @ W``, ``-x``, ``x[1:3]``) Python calls the dunder methods
  installed on :class:`~adviz.engine.tracer.Tracer` below;
* a ufunc (``np.sin(x)``, ``np.maximum(x, 0)``) NumPy calls ``Tracer.__array_ufunc__``,
  which looks the ufunc up in :data:`UFUNCS`;
* any other NumPy function (``np.sum``, ``np.where``, ``np.linalg.solve``) NumPy calls
  ``Tracer.__array_function__``, which looks it up in :data:`FUNCTIONS`.

Functions that are combinations of primitives (``mean = sum / n``, ``stack =
expand_dims + concatenate``, ``var``) are written as *composites*:
they record several primitive nodes, and derivatives come for free.  They live in one
module per family:

=================  ==============================================================
``reductions``     sum, prod, max/min, mean, var/std, cumsum/cumprod, diff, nan*
``shapes``         reshape, transpose, broadcast, concatenate/stack and friends
``indexing``       ``x[i]``, take, diagonals and traces, tril/triu, select
``rearranging``    split, repeat, tile, roll, rot90, pad: index maps and slices
``sorting``        sort, partition, median, quantile (ties: see its docstring)
``signals``        convolve, polyval, trapezoid, linspace, cov, corrcoef
``elementwise``    where, clip, astype, nan_to_num, interp, degrees/radians
``building``       ``np.array([x*y, x + y])`` of traced values (read its docstring)
``attributes``     array methods that forward to their function, or refuse
``products``       ``@``; the other products and ``np.linalg`` are in ``numpy_linalg``
=================  ==============================================================

This module holds the dispatch tables and installs them on :class:`Tracer`.  A NumPy
function in no table raises :class:`~adviz.engine.tracer.UnsupportedOperation` naming it,
rather than computing something silently wrong.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from ..primitives import REGISTRY as P
from ..tracer import Tracer, UnsupportedOperation, bind, lowest
from ._common import _NOVALUE, _as_operand, _identity, _plain, getitem, is_scalar_true
from .attributes import ASSIGNABLE, assignable, missing_attribute, round_, three_argument_pow
from .building import lift, tracer_array
from .elementwise import (angle, astype, clip, degrees, frexp, heaviside, imag, interp, ldexp, modf, nan_to_num, radians,
                          real_if_close, sinc, unwrap, where)
from .refusals import refusing_functions, ufunc_at_refusal
from .indexing import (choose, compress, delete, diag, diagflat, diagonal, extract, flip, linalg_diagonal,
                       linalg_trace, insert, piecewise, select, take, take_along_axis, trace, tril, triu)
from .products import matmul
from .rearranging import (array_split, dsplit, fftshift, fliplr, flipud, hsplit, ifftshift, pad, repeat, roll, rot90,
                          split, tile, vsplit)
from .reductions import (average, bincount, cumprod, cumsum, cumulative_prod, cumulative_sum, diff, logaddexp_reduce, max,
                         maximum_accumulate, mean, min, minimum_accumulate, nancumprod, nancumsum, nanmax, nanmean,
                         nanmin, nanprod, nansum, prod, ptp, std, sum, var)
from .shapes import (append, atleast_1d, atleast_2d, atleast_3d, block, broadcast_arrays, broadcast_to,
                     column_stack, concatenate, dstack, expand_dims, full, full_like, hstack, matrix_transpose, meshgrid, moveaxis,
                     ravel, reshape, resize, rollaxis, squeeze, stack, swapaxes, transpose, unstack, vstack,
                     apply_along_axis)
from .signals import (convolve, corrcoef, correlate, cov, ediff1d, geomspace, gradient, linspace, logspace, nanstd,
                      nanvar, poly, polyadd, polyder, polyint, polymul, polysub, polyval, trapezoid, vander)
from .ufunc_methods import FIRST_WITH_LAST, FOLDS, extreme_reduce, fold_reduce, matmul_axes, paired_reduce, reduceat
from .sorting import median, nanmedian, nanpercentile, nanquantile, partition, percentile, quantile, sort, unique


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
    np.fmax: _prim_caller("fmax"), np.fmin: _prim_caller("fmin"),
    np.arctan2: _prim_caller("arctan2"), np.logaddexp: _prim_caller("logaddexp"), np.hypot: _prim_caller("hypot"),
    np.matmul: matmul, np.conjugate: _identity, np.remainder: _prim_caller("remainder"),
    np.fmod: _prim_caller("fmod"),
    np.deg2rad: radians, np.rad2deg: degrees, np.radians: radians, np.degrees: degrees,
    np.logaddexp2: _prim_caller("logaddexp2"), np.copysign: _prim_caller("copysign"),
    np.modf: modf, np.frexp: frexp, np.ldexp: ldexp, np.nextafter: _prim_caller("nextafter"),
    np.divmod: lambda x, y: (np.floor_divide(x, y), np.remainder(x, y)),  # as NumPy defines it
}
for _name in ("sign", "floor", "ceil", "trunc", "rint", "greater", "greater_equal", "less", "less_equal", "equal",
              "not_equal", "logical_and", "logical_or", "logical_not", "logical_xor", "isfinite", "isnan", "isinf",
              "signbit", "floor_divide", "bitwise_and", "bitwise_or", "invert", "heaviside", "spacing"):
    UFUNCS[getattr(np, _name)] = _prim_caller(_name)
UFUNCS[np.heaviside] = heaviside  # a step in x, but its value at 0 may be traced

def _reduce(fn: Callable) -> Callable:
    """``np.add.reduce(x, axis=0, dtype, out, keepdims, initial, where)`` as ``np.sum`` with the
    same options (a ufunc's ``reduce`` defaults to ``axis=0``); none is silently dropped."""
    def reduce(x, axis=0, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        if dtype is not None:
            x = astype(x, dtype)  # as NumPy: the entries are cast first (an integer dtype truncates)
        return fn(x, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)
    return reduce


def _accumulate(fn: Callable) -> Callable:
    def accumulate(x, axis=0, dtype=None, out=None):
        return fn(x, axis=axis, dtype=dtype, out=out)
    return accumulate


REDUCTIONS: dict[tuple[np.ufunc, str], Callable] = {
    (np.add, "reduce"): _reduce(sum), (np.multiply, "reduce"): _reduce(prod),
    (np.maximum, "reduce"): _reduce(max), (np.minimum, "reduce"): _reduce(min),
    (np.add, "accumulate"): _accumulate(cumsum), (np.multiply, "accumulate"): _accumulate(cumprod),
    (np.logaddexp, "reduce"): logaddexp_reduce, (np.maximum, "accumulate"): maximum_accumulate,
    (np.minimum, "accumulate"): minimum_accumulate,
}

FUNCTIONS: dict[Callable, Callable] = {
    np.sum: sum, np.prod: prod, np.max: max, np.min: min, np.amax: max, np.amin: min, np.mean: mean,
    np.var: var, np.std: std, np.cumsum: cumsum, np.reshape: reshape, np.ravel: ravel, np.squeeze: squeeze,
    np.expand_dims: expand_dims, np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.transpose: transpose,
    np.swapaxes: swapaxes, np.moveaxis: moveaxis, np.broadcast_to: broadcast_to, np.concatenate: concatenate,
    np.stack: stack, np.hstack: hstack, np.vstack: vstack, np.flip: flip, np.take: take,
    np.trace: trace, np.diag: diag, np.diagonal: diagonal, np.diagflat: diagflat, np.where: where, np.clip: clip,
    np.copy: _identity,
    np.real: _identity, np.conj: _identity, np.imag: imag, np.angle: angle, np.real_if_close: real_if_close,
    np.astype: lambda x, dtype, copy=True, device=None: astype(x, dtype), np.unwrap: unwrap, np.resize: resize,
    np.apply_along_axis: apply_along_axis, np.bincount: bincount,
    np.shape: _plain(np.shape), np.ndim: _plain(np.ndim), np.size: _plain(np.size),
    np.result_type: _plain(np.result_type), np.zeros_like: _plain(np.zeros_like),
    np.ones_like: _plain(np.ones_like), np.full_like: full_like, np.full: full, np.empty_like: _plain(np.empty_like),
    np.isclose: _plain(np.isclose), np.allclose: _plain(np.allclose), np.array_equal: _plain(np.array_equal),
    np.argmax: _plain(np.argmax), np.argmin: _plain(np.argmin), np.argsort: _plain(np.argsort),
    np.round: _plain(np.round), np.around: _plain(np.around), np.iscomplexobj: _plain(np.iscomplexobj),
    np.isrealobj: _plain(np.isrealobj), np.any: _plain(np.any), np.all: _plain(np.all),
    np.count_nonzero: _plain(np.count_nonzero), np.nonzero: _plain(np.nonzero),
    # more array functions (see each module for its rule)
    np.atleast_3d: atleast_3d, np.rollaxis: rollaxis, np.column_stack: column_stack, np.dstack: dstack,
    np.append: append, np.split: split, np.array_split: array_split, np.hsplit: hsplit, np.vsplit: vsplit,
    np.dsplit: dsplit, np.repeat: repeat, np.tile: tile, np.roll: roll, np.rot90: rot90, np.flipud: flipud,
    np.fliplr: fliplr, np.pad: pad, np.tril: tril, np.triu: triu, np.select: select,
    np.take_along_axis: take_along_axis, np.sort: sort, np.partition: partition, np.median: median,
    np.quantile: quantile, np.percentile: percentile, np.cumprod: cumprod, np.diff: diff, np.nansum: nansum,
    np.nanmean: nanmean, np.nanmax: nanmax, np.nanmin: nanmin, np.ptp: ptp, np.average: average,
    np.nan_to_num: nan_to_num, np.sinc: sinc, np.interp: interp, np.convolve: convolve, np.correlate: correlate,
    np.polyval: polyval, np.trapezoid: trapezoid, np.linspace: linspace, np.ediff1d: ediff1d, np.cov: cov,
    np.corrcoef: corrcoef, np.nanvar: nanvar, np.nanstd: nanstd,
    np.meshgrid: meshgrid, np.broadcast_arrays: broadcast_arrays, np.block: block, np.gradient: gradient,
    np.logspace: logspace, np.geomspace: geomspace, np.vander: vander, np.nanprod: nanprod,
    np.nancumsum: nancumsum, np.nancumprod: nancumprod, np.compress: compress, np.extract: extract,
    np.choose: choose, np.delete: delete, np.piecewise: piecewise, np.insert: insert,
    np.nanmedian: nanmedian, np.nanquantile: nanquantile, np.nanpercentile: nanpercentile,
    np.i0: lambda x: bind(P["i0"], _as_operand(x)),
    np.unique: unique, np.poly: poly, np.polymul: polymul, np.polyadd: polyadd, np.polysub: polysub, np.polyder: polyder, np.polyint: polyint,
    # predicates and integer-valued results: plain values, not differentiable
    np.iscomplex: _plain(np.iscomplex), np.isreal: _plain(np.isreal), np.isposinf: _plain(np.isposinf),
    np.isneginf: _plain(np.isneginf), np.searchsorted: _plain(np.searchsorted),
    np.argpartition: _plain(np.argpartition), np.argwhere: _plain(np.argwhere),
    np.flatnonzero: _plain(np.flatnonzero), np.nanargmax: _plain(np.nanargmax),
    np.triu_indices_from: _plain(np.triu_indices_from), np.tril_indices_from: _plain(np.tril_indices_from),
    np.diag_indices_from: _plain(np.diag_indices_from),
    np.nanargmin: _plain(np.nanargmin), np.fix: _plain(np.fix), np.digitize: _plain(np.digitize),
    np.isin: _plain(np.isin), np.array_equiv: _plain(np.array_equiv), np.lexsort: _plain(np.lexsort),
    np.shares_memory: _plain(np.shares_memory), np.may_share_memory: _plain(np.may_share_memory),
}
FUNCTIONS.update(refusing_functions())  # np.put, np.copyto, np.histogram, np.roots: refused, saying what to write


def _unsupported(name: str) -> UnsupportedOperation:
    return UnsupportedOperation(
        f"adviz cannot differentiate through {name}: it has no entry in the primitives registry. "
        "To add it, write one Primitive entry in adviz/engine/primitives/ (or a composite of existing "
        "ones) and map the NumPy function to it in adviz/engine/numpy_api/."
    )


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if kwargs.get("out") is not None:
        raise UnsupportedOperation(f"np.{ufunc.__name__}(..., out=...) writes in place: not supported on traced values")
    if method == "__call__":
        fn = UFUNCS.get(ufunc)
        if fn is None:
            if ufunc.__name__.endswith("(vectorized)"):  # np.frompyfunc(f, 1, 1): a ufunc adviz cannot know
                raise UnsupportedOperation(
                    f"a ufunc made by np.frompyfunc ({ufunc.__name__}) met a traced value: it has no derivative "
                    "rule. Call the Python function on the traced array itself when it is written with NumPy "
                    "operations, or wrap it with np.vectorize, which traces it entry by entry.")
            raise _unsupported(f"np.{ufunc.__name__}")
        if not kwargs:  # the usual call, np.sin(x) or x + y: no options to check
            return fn(*[lift(a) if isinstance(a, np.ndarray) else a for a in inputs])
        kwargs.pop("out", None)
        for key, harmless in (("where", is_scalar_true), ("subok", lambda v: v is True), ("order", None)):
            if key in kwargs and (harmless is None or harmless(kwargs[key])):
                del kwargs[key]  # where=True (np.True_ too) computes every entry; order= is a memory layout
        if ufunc is np.matmul and "axes" in kwargs and not set(kwargs) - {"axes", "casting"}:
            return matmul_axes(*[lift(a) if isinstance(a, np.ndarray) else a for a in inputs], kwargs["axes"])
        options = {"axis": kwargs.pop("axis")} if "axis" in kwargs and ufunc.__name__ == "vecdot" else {}
        if "where" in kwargs:
            raise UnsupportedOperation(
                f"np.{ufunc.__name__}(..., where=mask) on traced values: NumPy leaves the masked-out entries "
                f"uninitialised (or keeps an out= array's, which cannot hold traced values). Write "
                f"np.where(mask, np.{ufunc.__name__}(...), fill) instead: the same numbers, traced.")
        if kwargs and not all(k in ("dtype", "casting") for k in kwargs):
            raise UnsupportedOperation(f"np.{ufunc.__name__} with options {sorted(kwargs)} on traced values")
        if kwargs.get("dtype") is not None:
            inputs = _ufunc_dtype(ufunc, inputs, kwargs)
            if not isinstance(inputs, list):
                return inputs  # an integer or bool dtype: NumPy's plain value
        return fn(*[lift(a) if isinstance(a, np.ndarray) else a for a in inputs], **options)  # object arrays: building.py
    if method == "outer" and ufunc in UFUNCS and ufunc.nin == 2:
        a, b = (_as_operand(v) for v in inputs)  # np.multiply.outer(a, b) = a[..., None, …] * b, as NumPy defines it
        return ufunc(reshape(a, tuple(np.shape(lowest(a))) + (1,) * np.ndim(lowest(b))), b, **kwargs)
    if method == "at":
        raise ufunc_at_refusal(ufunc)
    fn = REDUCTIONS.get((ufunc, method)) or _method_composite(ufunc, method)
    if fn is None:
        raise _unsupported(f"np.{ufunc.__name__}.{method}")
    kwargs.pop("out", None)
    return fn(*[lift(a) if type(a) is np.ndarray else a for a in inputs], **kwargs)


def _method_composite(ufunc, method):
    """``reduce`` of a two-operand ufunc with no reduction of its own (``np.hypot.reduce``,
    ``np.subtract.reduce``), and ``reduceat`` of every ufunc whose ``reduce`` traces."""
    if method == "reduceat" and ((ufunc, "reduce") in REDUCTIONS or _method_composite(ufunc, "reduce")):
        return reduceat(ufunc)
    if method == "reduce" and ufunc in FOLDS:
        return fold_reduce(ufunc)
    if method == "reduce" and ufunc in FIRST_WITH_LAST:
        return paired_reduce(ufunc)
    if method == "reduce" and ufunc in (np.fmax, np.fmin):
        return extreme_reduce(ufunc)
    if method == "reduce" and ufunc in UFUNCS and ufunc.nin == 2:
        prim = P.get(ufunc.__name__)
        if prim is not None and not prim.differentiable:  # np.logical_and.reduce, np.greater.reduce
            return _plain(getattr(ufunc, method))
    return None


def _ufunc_dtype(ufunc, inputs, kwargs):
    """``np.sin(x, dtype=np.float32)`` computes in float32, as NumPy: the operands are cast first.

    An integer or bool ``dtype`` gives NumPy's own plain value (or NumPy's casting error),
    never a derivative of the un-truncated function.
    """
    dtype = np.dtype(kwargs["dtype"])
    if not np.issubdtype(dtype, np.inexact):
        return ufunc(*[lowest(a) for a in inputs], **kwargs)
    return [astype(a, dtype) if isinstance(a, Tracer) else np.asarray(lowest(a)).astype(dtype) for a in inputs]


# Functions of NumPy submodules that ``import numpy`` does not load (``np.fft``, a C extension:
# a few milliseconds of every start-up): their entries join FUNCTIONS when NumPy first hands
# one of them to a tracer, or when everything is listed (``register_late``), not at import.
_LATE: dict[tuple[str, str], Callable] = {("numpy.fft", "fftshift"): fftshift, ("numpy.fft", "ifftshift"): ifftshift}


def register_late() -> None:
    """Add the entries of :data:`_LATE` to :data:`FUNCTIONS` (importing their modules): for
    whoever lists every supported function (the catalog, the tests)."""
    import importlib

    for (module, name), fn in _LATE.items():
        FUNCTIONS[getattr(importlib.import_module(module), name)] = fn


def _late(func: Any) -> Any:
    """The entry of ``func`` if it is one of :data:`_LATE` (now added to FUNCTIONS), else None."""
    module = getattr(func, "__module__", None)
    fn = _LATE.get((module, getattr(func, "__name__", None)))
    if fn is None or getattr(sys.modules.get(module), func.__name__, None) is not func:
        return None
    FUNCTIONS[func] = fn
    return fn


def _array_function(self, func, types, args, kwargs):
    fn = FUNCTIONS.get(func)
    if fn is None:
        fn = _late(func)
    if fn is None:
        for a in (*args, *kwargs.values()):
            if isinstance(a, Tracer):
                a._check_alive()  # a traced value used after its transform: say so, not "no rule"
        module = getattr(func, "__module__", "numpy") or "numpy"
        module = module.replace("numpy.linalg._linalg", "np.linalg").replace("numpy", "np")
        raise _unsupported(f"{module}.{func.__name__}" if "np" in module else f"np.{func.__name__}")
    return fn(*[lift(a) for a in args], **{k: lift(v) for k, v in kwargs.items()})


# ---------------------------------------------------------------- install the NumPy surface on Tracer
_SCALARS = frozenset({float, int, np.float64, np.float32})  # operands _as_operand returns unchanged

def _binop(prim_name: str):
    prim = P[prim_name]

    if prim.differentiable:
        # The common case, ``x * 2.0``: one tracer and a plain number.  bind would hand it to
        # the tracer's own interpreter (the only one involved), so go there directly (its
        # ``binary`` method, which the tape writes out for two operands).
        # So does ``x * y`` of two tracers of the same interpreter.
        def op(self, other):
            if type(other) in _SCALARS or (type(other) is type(self) and other._interp is self._interp):
                return self._interp.binary(prim, self, other)
            return bind(prim, self, _as_operand(other))

        def rop(self, other):
            if type(other) in _SCALARS:
                return self._interp.binary(prim, other, self)
            return bind(prim, _as_operand(other), self)
    else:
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
    "transpose": _transpose_method, "swapaxes": swapaxes, "clip": clip, "astype": astype,
    "copy": _identity, "conj": _identity, "conjugate": _identity, "real": property(_identity),
    "T": property(lambda self: transpose(self)), "mT": property(lambda self: swapaxes(self, -1, -2)),
    "all": _plain_method(np.all), "any": _plain_method(np.any), "argmax": _plain_method(np.argmax),
    "argmin": _plain_method(np.argmin),
}  # more (x.diagonal, x.trace, x.cumprod, x.repeat, x.take, …) are forwarded by attributes.missing_attribute


def _ufunc_method(ufunc: np.ufunc) -> Callable:
    if ufunc.nin == 1:
        return lambda self: ufunc(self)
    return lambda self, other: ufunc(self, other)


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
    T.__array__ = tracer_array
    for name, method in METHODS.items():
        setattr(T, name, method)
    T.__getattr__ = missing_attribute  # x.take(...) as np.take(x, ...); clear refusals for the rest
    for name in ASSIGNABLE:  # x.shape = (3, 1): NumPy's in-place reshape, refused by name
        setattr(T, name, assignable(T, name))
    T.__round__ = round_
    T.__pow__ = three_argument_pow(T.__pow__)
    T.__divmod__ = lambda self, other: (self // other, self % other)
    T.__rdivmod__ = lambda self, other: (other // self, other % self)
    # NumPy's loops for object arrays (``np.sin(np.array([x, y]))``, see ``building.py``) call
    # each entry's method of the ufunc's name: ``entry.sin()``, ``entry.arctan2(other)``.
    for ufunc in UFUNCS:
        if not hasattr(T, ufunc.__name__):
            setattr(T, ufunc.__name__, _ufunc_method(ufunc))


_install()

for _name, _fn in (("matrix_transpose", matrix_transpose), ("unstack", unstack), ("cumulative_sum", cumulative_sum),
                   ("cumulative_prod", cumulative_prod)):
    if hasattr(np, _name):  # array-API names of NumPy >= 2.0 / 2.1
        FUNCTIONS[getattr(np, _name)] = _fn
for _name, _fn in (("trace", linalg_trace), ("diagonal", linalg_diagonal)):
    if hasattr(np.linalg, _name):
        FUNCTIONS[getattr(np.linalg, _name)] = _fn

from .. import numpy_linalg  # noqa: E402,F401  (adds np.linalg, dot, einsum, ... to the tables above)
from . import entry_points  # noqa: E402,F401  (np.array([x, y], dtype=float), np.cov([a, b, c]): see its docstring)

__all__ = ["UFUNCS", "FUNCTIONS", "REDUCTIONS", "register_late"]
