"""The engine's public face: JAX-style function transformations.

Each transform takes a NumPy function and returns a new function:

=================  ==============================================  ==================
transform          computes                                        mode
=================  ==============================================  ==================
``jvp``            ``f(x)`` and ``J·v`` (a directional derivative)  forward, online
``vjp``            ``f(x)`` and a function ``u ↦ uᵀJ``               reverse, tape
``grad``           ``∇f(x)`` of a scalar function                  reverse, 1 sweep
``jacfwd``         the Jacobian, ``n`` directions in one sweep     forward
``jacrev``         the Jacobian, ``m`` adjoints in one sweep       reverse
``hessian``        ``∇²f(x)``                                       forward-over-reverse
=================  ==============================================  ==================

Example::

    >>> import numpy as np, adviz as ad
    >>> f = lambda x: np.sin(x**2 + 1)
    >>> float(ad.grad(f)(3.0))          # cos(10) · 6
    -5.03443...

Transforms nest freely (``ad.grad(ad.grad(f))``); see ``tracer.py`` for why they never
confuse each other's perturbations.  Results follow JAX: a derivative has its input's
shape, ``vjp_fn`` returns a tuple, tuple ``argnums`` give tuples, and inputs the output
does not depend on get zeros.

Pytrees
-------
Arguments and results may be nested tuples, lists and dicts (see ``pytree.py``): each
transform flattens the differentiated arguments into leaves, gives every leaf its own tape
input (or tangent), and puts the derivatives back into the same structure.  A Jacobian of
a pytree-to-pytree function nests like JAX's: the output's structure outside, the input's
inside, and each leaf has shape ``out_leaf.shape + in_leaf.shape``.

``has_aux=True`` (``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``jacfwd``, ``jacrev``):
the function returns ``(output, aux)``; only ``output`` is differentiated and ``aux``
comes back as plain values.

Refusals
--------
Reverse-mode derivatives (``grad``, ``value_and_grad``, ``jacrev``, ``vjp_fn``) refuse a
boolean or integer output: it is piecewise constant and "zero" would hide a mistake (a
comparison or a rounding where a smooth function was meant).  Complex inputs, tangents,
cotangents and complex values computed from traced values are refused: adviz
differentiates real-valued code only.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

import numpy as np

from ..envvars import positive_number
from .forward import Dual, JVPInterpreter, tangent_of
from .primitives.core import shape
from .numpy_api.building import foreign_arithmetic, lift
from .pytree import TreeDef, tree_flatten
from .second_order import backward_pairs, interpreter_below
from .tape import Tape, TapeVar, backward
from .tracer import Tracer, UnsupportedOperation, complex_error, lowest, new_interpreter

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "as_input"]

ArgNums = Union[int, Sequence[int]]


# ---------------------------------------------------------------- inputs and outputs
def as_input(x: Any, where: str = "an input") -> Any:
    """Turn a user argument into a differentiable value (a float array or NumPy scalar).

    Python and NumPy integers (and bools) are promoted to float64: a derivative with
    respect to an integer would otherwise silently be zero.  Complex values are refused.
    Inputs are never copied or modified.
    """
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (bool, int, float)):
        return np.float64(x)
    if isinstance(x, complex):
        raise complex_error(f"{where} ({x!r})")
    if isinstance(x, np.generic):
        if x.dtype.kind == "c":
            raise complex_error(f"{where} ({x.dtype})")
        if x.dtype.kind not in "biuf":
            raise TypeError(f"cannot differentiate with respect to {where}: a {type(x).__name__}; give numbers, "
                            "NumPy arrays, or tuples, lists and dicts of them")
        return x if x.dtype.kind == "f" else np.float64(x)
    if foreign_arithmetic(x):  # np.matrix, np.ma.MaskedArray: their * and sum are not ndarray's: a silent change of f
        raise TypeError(f"cannot differentiate with respect to a {type(x).__module__}.{type(x).__name__}: its "
                        "arithmetic differs from a plain array's; pass np.asarray(x) (and write f for plain arrays)")
    arr = np.asarray(x)
    if arr.dtype == object:  # np.array([x, 2.0]) of an outer transform's traced x: one traced array
        lifted = lift(arr)
        if isinstance(lifted, Tracer) or lifted.dtype != object:
            return as_input(lifted, where)
        raise TypeError(f"cannot differentiate with respect to {where}: a value of type {type(x).__name__} "
                        "(give numbers, NumPy arrays, or tuples, lists and dicts of them)")
    if arr.dtype.kind == "c":
        raise complex_error(f"{where} (an array of {arr.dtype})")
    if arr.dtype.kind not in "biuf":  # strings, dates, bytes: np.asarray("1.0").astype(float) would parse them
        raise TypeError(f"cannot differentiate with respect to {where}: a value of type {type(x).__name__} "
                        f"({arr.dtype}); give numbers, NumPy arrays, or tuples, lists and dicts of them")
    if arr.dtype.kind != "f":  # bool or integer (complex and the rest were refused above)
        arr = arr.astype(np.float64)
    return arr


MAX_BATCH = positive_number("ADVIZ_MAX_BATCH", 100_000_000, whole=True)
"""Largest identity seed, in numbers, that ``jacfwd``/``jacrev`` build (default 10⁸: 800 MB of
float64).  ``jacfwd`` pushes all ``n`` input directions at once, an ``n × n`` identity, even when
``f`` has one output; ``jacrev`` pulls back an ``m × m`` identity.  Above the limit they refuse
before allocating anything (``ADVIZ_MAX_BATCH`` or ``adviz.engine.transforms.MAX_BATCH`` to change it)."""


def _check_batch(name: str, count: int, what: str, advice: str) -> None:
    """Refuse, before allocating, a ``count × count`` identity seed larger than :data:`MAX_BATCH`."""
    if count * count > MAX_BATCH:
        size = count * count * 8
        size_text = f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.1f} MiB"
        raise MemoryError(
            f"{name} would push {count:,} {what} of {count:,} numbers each through one sweep "
            f"({count * count:,} numbers, {size_text} in float64), more than the "
            f"limit of {MAX_BATCH:,} (ADVIZ_MAX_BATCH); {advice}")


def _argnums(argnums: ArgNums, nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else tuple(argnums) \
        if isinstance(argnums, (tuple, list)) else (argnums,)
    for n in nums:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= n < nargs:
            raise ValueError(f"argnums={argnums!r} but the function was called with {nargs} positional arguments")
    nums = tuple(int(n) % nargs for n in nums)
    if len(set(nums)) != len(nums):  # the second copy would be traced on its own and the first get zeros
        raise ValueError(f"argnums={argnums!r} names the same argument twice")
    return nums


def _jax_options(name: str, holomorphic: bool) -> None:
    """JAX's ``holomorphic=`` and ``allow_int=`` keywords are accepted so JAX code runs unchanged.

    ``holomorphic=True`` asks for complex derivatives, which adviz (real-valued NumPy code only)
    refuses; ``allow_int`` changes nothing: integer inputs are promoted to floats either way
    (see :func:`as_input`)."""
    if holomorphic:
        raise UnsupportedOperation(
            f"{name}(..., holomorphic=True) differentiates complex functions; adviz differentiates "
            "real-valued NumPy code only (complex inputs are refused), so leave holomorphic=False")


def _finish(g: Any, like_shape: tuple, avoid: Sequence[Any] = ()) -> Any:
    """Shape a derivative like its input: 0-d NumPy scalars for scalars, fresh writable arrays.

    ``avoid`` lists arrays the user handed in (inputs, tangents, cotangents): a result must
    never share memory with them, or an in-place update by the user would corrupt them.
    """
    if isinstance(g, Tracer):
        return g
    g = np.asarray(g)
    if g.shape != like_shape:
        g = np.broadcast_to(g, like_shape)
    if g.ndim == 0:
        return g[()]
    if not g.flags.writeable or not g.flags.owndata or any(
            isinstance(a, np.ndarray) and np.may_share_memory(g, a) for a in avoid):
        g = np.array(g)
    return g


def _float_dtype(x: Any) -> np.dtype:
    dt = np.result_type(lowest(x))
    return dt if np.issubdtype(dt, np.inexact) else np.dtype(np.float64)


def _zeros(x: Any, batch: tuple[int, ...] = ()) -> np.ndarray:
    return np.zeros(batch + shape(x), dtype=_float_dtype(x))


def _kind_of(dtype: np.dtype) -> str:
    return "boolean" if dtype.kind == "b" else "integer" if np.issubdtype(dtype, np.integer) else str(dtype)


def _where(path: str) -> str:
    return f"output {path}" if path else "the output"


def _check_real_output(value: Any, name: str, path: str = "") -> None:
    """Reverse mode needs a floating-point output: refuse bool/int (as JAX does) and complex."""
    value = lowest(value)
    if not isinstance(value, (np.ndarray, np.generic, int, float, bool, complex)):
        raise TypeError(f"{name} requires a function returning numbers or NumPy arrays, but {_where(path)} "
                        f"is a {type(value).__name__}")
    dt = np.result_type(value)
    if dt.kind == "c":
        raise complex_error(f"{_where(path)} of the differentiated function")
    if not np.issubdtype(dt, np.floating):
        raise TypeError(
            f"{name} requires a real floating-point output, but {_where(path)} is {_kind_of(dt)} ({dt}). "
            "A comparison, rounding or integer cast is piecewise constant: its derivative is zero wherever it "
            "exists, which usually hides a mistake. Differentiate a smooth float expression instead, or return "
            "the value as an auxiliary output (has_aux=True)."
        )


def _path_text(treedef: TreeDef, j: int) -> str:
    """``[1]`` / ``["loss"]``: where leaf ``j`` sits in an output pytree ('' for a bare leaf)."""
    if treedef.is_leaf:
        return ""
    from .pytree import keystr, tree_flatten_with_path

    pairs, _ = tree_flatten_with_path(treedef.unflatten(range(treedef.num_leaves)))
    return keystr(pairs[j][0])


def _split_aux(out: Any, name: str) -> tuple[Any, Any]:
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"{name}(..., has_aux=True) expects the function to return a pair (output, aux), "
                        f"got {type(out).__name__}")
    return out[0], out[1]


def _strip(tree: Any, interp: Any) -> Any:
    """Replace the tracers of ``interp`` in a pytree by their values (auxiliary outputs)."""
    leaves, treedef = tree_flatten(tree)
    leaves = [lift(a) for a in leaves]
    return treedef.unflatten(a.primal if isinstance(a, Tracer) and a._interp is interp else a for a in leaves)


def _out_leaves(out: Any) -> tuple[list, TreeDef]:
    """The leaves of a function's output pytree; ``np.array([...])`` of traced values
    (an object array) becomes one traced array."""
    leaves, treedef = tree_flatten(out)
    return [lift(o) for o in leaves], treedef


class _Inputs(NamedTuple):
    """The differentiated arguments, flattened: one entry per leaf, across all argnums."""

    values: list  # the leaves as differentiable values (as_input applied)
    trees: list  # per argnum: the TreeDef of that argument
    counts: list  # per argnum: how many leaves it has

    def rebuild(self, per_leaf: Sequence[Any], single: bool) -> Any:
        """Per-argnum pytrees of ``per_leaf`` (one value per leaf); a tuple unless ``single``."""
        out, start = [], 0
        for tree, n in zip(self.trees, self.counts):
            out.append(tree.unflatten(per_leaf[start:start + n]))
            start += n
        return out[0] if single else tuple(out)


def _flatten_inputs(args: Sequence[Any], nums: tuple[int, ...]) -> _Inputs:
    values, trees, counts = [], [], []
    for i in nums:
        leaves, tree = tree_flatten(args[i])
        values.extend(as_input(leaf, f"argument {i}") for leaf in leaves)
        trees.append(tree)
        counts.append(len(leaves))
    return _Inputs(values, trees, counts)


def _with_inputs(args: Sequence[Any], nums: tuple[int, ...], inputs: _Inputs, traced: Sequence[Any]) -> list:
    """The call's arguments with the differentiated ones replaced by ``traced`` leaves."""
    args = list(args)
    start = 0
    for i, tree, n in zip(nums, inputs.trees, inputs.counts):
        args[i] = tree.unflatten(traced[start:start + n])
        start += n
    return args


class _Recording(NamedTuple):
    """What reverse mode keeps after running ``f`` once on a tape."""

    tape: Tape
    inputs: _Inputs
    input_indices: list  # tape node index per input leaf
    outputs: list  # per output leaf: (tape node index or None, primal value)
    out_tree: TreeDef
    aux: Any


def _record(f: Callable, args: Sequence[Any], kwargs: dict, nums: tuple[int, ...], name: str = "ad.grad",
            has_aux: bool = False) -> _Recording:
    """Run ``f`` on a fresh tape with the arguments in ``nums`` (pytrees) as its inputs."""
    inputs = _flatten_inputs(args, nums)
    tape = Tape(slim=True)
    with new_interpreter(tape, name):
        traced = [tape.new_input(v) for v in inputs.values]
        out = f(*_with_inputs(args, nums, inputs, traced), **kwargs)
        aux = None
        if has_aux:
            out, aux = _split_aux(out, name)
            aux = _strip(aux, tape)
        leaves, out_tree = _out_leaves(out)
        outputs = [(o.index, o.primal) if type(o) is TapeVar and o._interp is tape else (None, o) for o in leaves]
    return _Recording(tape, inputs, [v.index for v in traced], outputs, out_tree, aux)


def _pullback(rec: _Recording, out_index: Optional[int], seed: Any, out_value: Any,
              consume: bool = False) -> list:
    """Adjoints of every input leaf for output adjoint ``seed`` (zeros where nothing flows).

    ``consume=True`` lets the sweep free the tape as it goes (for tapes swept only once).
    """
    batch = shape(seed)[: len(shape(seed)) - len(shape(out_value))]
    if out_index is None:
        return [_zeros(v, batch) for v in rec.inputs.values]
    below = interpreter_below(rec.tape, seed) if not batch else None
    if below is not None:  # jvp(grad(f)): adjoints and their tangents in one sweep
        adjoints = backward_pairs(rec.tape, out_index, seed, below, consume=consume)
    else:
        adjoints = backward(rec.tape.nodes, out_index, seed, consume=consume)
    return [_in_dtype_of(adjoints[k], v) if adjoints[k] is not None else _zeros(v, batch)
            for k, v in zip(rec.input_indices, rec.inputs.values)]


def _in_dtype_of(g: Any, primal: Any) -> Any:
    """JAX's rule: a cotangent has its primal's dtype (float32 in, float32 out, even when a
    float64 constant promoted the computation in between)."""
    want = np.result_type(lowest(primal))
    if np.result_type(lowest(g)) == want or not np.issubdtype(want, np.inexact):
        return g
    return g.astype(want) if isinstance(g, Tracer) else np.asarray(g).astype(want)


# ---------------------------------------------------------------- reverse mode
def value_and_grad(f: Callable, argnums: ArgNums = 0, has_aux: bool = False, holomorphic: bool = False,
                   allow_int: bool = False) -> Callable:
    """Return a function computing ``(f(*args), ∇f(*args))`` by one reverse sweep.

    ``f`` must return a scalar float.  Arguments may be pytrees (the gradient has the same
    structure); with a tuple ``argnums`` the gradient is a tuple.  With ``has_aux=True``
    ``f`` returns ``(value, aux)`` and the result is ``((value, aux), gradient)``.
    """
    _jax_options("ad.value_and_grad", holomorphic)
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        rec = _record(f, args, kwargs, nums, _name(value_and_grad_f, "ad.value_and_grad"), has_aux)
        if not rec.out_tree.is_leaf:
            tree = rec.out_tree
            returned = ("None" if tree.kind == "none" else
                        f"a {tree.kind} of {tree.num_leaves} value{'s' if tree.num_leaves != 1 else ''}, "
                        f"shaped {tree._show()} (each * an array or number)")
            raise TypeError(f"grad requires a function with one scalar output, but it returned {returned}; "
                            "use ad.jacrev or ad.vjp for several outputs, or has_aux=True to return extra values")
        index, value = rec.outputs[0]
        if shape(value) != ():
            raise TypeError(
                f"grad requires a function with a scalar output, but it returned shape {shape(value)}; "
                "use ad.jacrev, ad.jacfwd or ad.vjp for vector outputs"
            )
        _check_real_output(value, "grad")
        seed = np.ones((), dtype=np.result_type(lowest(value)))
        if not value_and_grad_f._keeps_value:  # ad.grad: let the value go before the sweep (under
            value = rec.outputs[0] = None  # jvp it holds its tangent's pending computation, see forward.Pending)
        grads = [_finish(g, shape(v), (v,)) for g, v in zip(_pullback(rec, index, seed, seed, consume=True),
                                                            rec.inputs.values)]
        grads = rec.inputs.rebuild(grads, single)
        return ((value, rec.aux) if has_aux else value), grads

    value_and_grad_f._adviz_name = "ad.value_and_grad"  # type: ignore[attr-defined]
    value_and_grad_f._keeps_value = True  # type: ignore[attr-defined]  (False: ad.grad, which drops it)
    return value_and_grad_f


def _name(fn: Callable, default: str) -> str:
    return getattr(fn, "_adviz_name", default)


def grad(f: Callable, argnums: ArgNums = 0, has_aux: bool = False, holomorphic: bool = False,
         allow_int: bool = False) -> Callable:
    """Return a function computing the gradient of scalar-valued ``f`` (reverse mode).

    >>> ad.grad(lambda x, y: x * y + np.sin(x))(2.0, 5.0)   # ∂/∂x = y + cos(x)

    With ``has_aux=True`` ``f`` returns ``(value, aux)`` and the result is ``(gradient, aux)``.
    """
    _jax_options("ad.grad", holomorphic)
    vg = value_and_grad(f, argnums, has_aux)
    vg._adviz_name = "ad.grad"  # type: ignore[attr-defined]
    vg._keeps_value = False  # type: ignore[attr-defined]

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


def vjp(f: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """Run ``f`` once, recording a tape; return ``(y, vjp_fn)`` with ``vjp_fn(ȳ) = ȳᵀ J``.

    ``y`` may be a pytree; ``vjp_fn`` takes a cotangent of the same structure and returns a
    tuple with one cotangent per primal (each shaped like its primal pytree), even for one
    primal.  It can be called many times: the tape is swept again, never re-recorded.
    With ``has_aux=True`` the result is ``(y, vjp_fn, aux)``.
    """
    nums = tuple(range(len(primals)))
    rec = _record(f, primals, {}, nums, "ad.vjp", has_aux)
    values = [v for _, v in rec.outputs]
    y = rec.out_tree.unflatten(values)

    def vjp_fn(cotangent: Any) -> tuple:
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != rec.out_tree:
            raise ValueError(f"vjp_fn expected a cotangent with the output's structure {rec.out_tree}, "
                             f"got {ct_tree}")
        total = None
        for j, ((index, value), ct) in enumerate(zip(rec.outputs, ct_leaves)):
            path = _path_text(rec.out_tree, j)
            _check_real_output(value, "vjp_fn", path)
            if not isinstance(ct, Tracer):
                if np.asarray(ct).dtype.kind == "c":
                    raise complex_error(f"the cotangent{' of output ' + path if path else ''}")
                # a copy: the sweep must not see the caller's buffer change between calls (custom
                # nodes remember the last adjoint they were given, by identity)
                ct = np.array(ct, dtype=np.result_type(lowest(value)))
            if shape(ct) != shape(value):
                raise ValueError(f"vjp_fn expected a cotangent of shape {shape(value)}"
                                 f"{' for output ' + path if path else ''}, got {shape(ct)}")
            cts = _pullback(rec, index, ct, value)
            total = cts if total is None else [a + b for a, b in zip(total, cts)]
        if total is None:  # a function with no outputs at all
            total = [_zeros(v) for v in rec.inputs.values]
        grads = [_finish(g, shape(v), (v, *ct_leaves)) for g, v in zip(total, rec.inputs.values)]
        return rec.inputs.rebuild(grads, single=False)

    return (y, vjp_fn, rec.aux) if has_aux else (y, vjp_fn)


def jacrev(f: Callable, argnums: ArgNums = 0, has_aux: bool = False, holomorphic: bool = False,
           allow_int: bool = False) -> Callable:
    """Jacobian by reverse mode: one tape, then all ``m`` output adjoints in one batched sweep.

    Each block has shape ``out.shape + in.shape``; pytrees nest as in JAX (the output's
    structure outside, the input's inside).  With ``has_aux=True`` returns ``(jacobian, aux)``.
    """
    _jax_options("ad.jacrev", holomorphic)
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(f)
    def jacrev_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        rec = _record(f, args, kwargs, nums, "ad.jacrev", has_aux)
        blocks = []
        last = len(rec.outputs) - 1
        for j, (index, value) in enumerate(rec.outputs):
            _check_real_output(value, "jacrev", _path_text(rec.out_tree, j))
            out_shape = shape(value)
            m = int(np.prod(out_shape, dtype=np.int64))
            _check_batch("ad.jacrev", m, "output adjoints",
                         "use ad.vjp for a few output directions, or ad.jacfwd when there are fewer inputs than outputs")
            seed = np.eye(m, dtype=np.result_type(lowest(value), np.float32)).reshape((m,) + out_shape)
            jacs = []
            for g, v in zip(_pullback(rec, index, seed, value, consume=j == last), rec.inputs.values):
                want = out_shape + shape(v)
                jacs.append(_finish(g.reshape(want), want, (v,)))
            blocks.append(rec.inputs.rebuild(jacs, single))
        jac = rec.out_tree.unflatten(blocks)
        return (jac, rec.aux) if has_aux else jac

    return jacrev_f


# ---------------------------------------------------------------- forward mode
def _tangent_for(t: Any, p: Any, where: str) -> Any:
    if isinstance(t, Tracer):
        return t
    if np.asarray(t).dtype.kind == "c":
        raise complex_error(f"the tangent of {where}")
    t = np.asarray(t, dtype=_float_dtype(p))
    if t.shape != shape(p):
        raise ValueError(f"tangent shape {t.shape} does not match primal shape {shape(p)} ({where})")
    return t


def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False) -> tuple:
    """Evaluate ``f`` at ``primals`` and its directional derivative along ``tangents``.

    Forward mode, online: each value travels with its tangent; no tape is kept.
    ``primals`` and ``tangents`` are tuples of matching pytrees; returns
    ``(f(*primals), J · tangents)`` (and ``aux`` third with ``has_aux=True``).
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp expects primals and tangents as tuples, e.g. ad.jvp(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    nums = tuple(range(len(primals)))
    inputs = _flatten_inputs(primals, nums)
    tans: list = []
    for i, t in enumerate(tangents):
        t_leaves, t_tree = tree_flatten(t)
        p_tree = inputs.trees[i]
        if t_tree != p_tree:
            raise ValueError(f"the tangent of argument {i} has structure {t_tree}, its primal {p_tree}")
        tans.extend(t_leaves)
    tans = [_tangent_for(t, p, f"argument leaf {k}") for k, (t, p) in enumerate(zip(tans, inputs.values))]
    interp = JVPInterpreter()
    with new_interpreter(interp, "ad.jvp"):
        duals = [Dual(interp, p, t) for p, t in zip(inputs.values, tans)]
        out = f(*_with_inputs(primals, nums, inputs, duals))
        aux = None
        if has_aux:
            out, aux = _split_aux(out, "ad.jvp")
            aux = _strip(aux, interp)
        leaves, out_tree = _out_leaves(out)
        pairs = [_split(o, interp) for o in leaves]
    y = out_tree.unflatten(p for p, _ in pairs)
    y_dot = out_tree.unflatten(_finish(t, shape(p), (*tans, *inputs.values)) for p, t in pairs)
    return (y, y_dot, aux) if has_aux else (y, y_dot)


def _split(o: Any, interp: JVPInterpreter, batch: tuple[int, ...] = ()) -> tuple[Any, Any]:
    if isinstance(o, Dual) and o._interp is interp:
        return o.primal, tangent_of(o)
    return o, _zeros(o, batch)


def jacfwd(f: Callable, argnums: ArgNums = 0, has_aux: bool = False, holomorphic: bool = False,
           allow_int: bool = False) -> Callable:
    """Jacobian by forward mode: all ``n`` input directions pushed through one batched sweep.

    Each block has shape ``out.shape + in.shape``; pytrees nest as in JAX (the output's
    structure outside, the input's inside).  With ``has_aux=True`` returns ``(jacobian, aux)``.
    """
    _jax_options("ad.jacfwd", holomorphic)
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(f)
    def jacfwd_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        inputs = _flatten_inputs(args, nums)
        sizes = [int(np.prod(shape(v), dtype=np.int64)) for v in inputs.values]
        n = sum(sizes)
        dtype = np.result_type(*[lowest(v) for v in inputs.values]) if inputs.values else np.float64  # inexact (as_input)
        _check_batch("ad.jacfwd", n, "input directions",
                     "use ad.grad for a scalar function, ad.jvp for a few directions, or ad.jacrev when there are "
                     "fewer outputs than inputs")
        eye = np.eye(n, dtype=dtype)
        interp = JVPInterpreter(batch_shape=(n,))
        with new_interpreter(interp, "ad.jacfwd"):
            duals, start = [], 0
            for v, size in zip(inputs.values, sizes):
                basis = eye[:, start:start + size].reshape((n,) + shape(v))
                duals.append(Dual(interp, v, basis))
                start += size
            out = f(*_with_inputs(args, nums, inputs, duals), **kwargs)
            aux = None
            if has_aux:
                out, aux = _split_aux(out, "ad.jacfwd")
                aux = _strip(aux, interp)
            leaves, out_tree = _out_leaves(out)
            pairs = [_split(o, interp, (n,)) for o in leaves]
        for j, (p, _) in enumerate(pairs):  # a bool or integer output is refused, as jacrev (and JAX's jacfwd) do
            _check_real_output(p, "jacfwd", _path_text(out_tree, j))

        def jac_of(primal: Any, tangent: Any) -> Any:
            out_shape = shape(primal)
            k = len(out_shape)
            jacs, start = [], 0
            for v, size in zip(inputs.values, sizes):
                block = tangent[start:start + size] if len(sizes) > 1 else tangent
                start += size
                block = block.reshape((size,) + out_shape)
                if k:
                    block = np.transpose(block, tuple(range(1, k + 1)) + (0,))
                want = out_shape + shape(v)
                jacs.append(_finish(block.reshape(want), want, (v,)))
            return inputs.rebuild(jacs, single)

        jac = out_tree.unflatten(jac_of(p, t) for p, t in pairs)
        return (jac, aux) if has_aux else jac

    return jacfwd_f


def hessian(f: Callable, argnums: ArgNums = 0, has_aux: bool = False, holomorphic: bool = False,
            allow_int: bool = False) -> Callable:
    """The Hessian of scalar ``f``: forward mode over reverse mode, ``jacfwd(jacrev(f))``.

    Reverse mode gives the gradient in one sweep; forward mode then differentiates that
    whole gradient computation — tape, adjoints and all — along every input direction.
    For pytree arguments the blocks nest as in JAX: ``H[a][b]`` is ``∂²f/∂a∂b``.
    """
    _jax_options("ad.hessian", holomorphic)
    return jacfwd(jacrev(f, argnums, has_aux), argnums, has_aux)
