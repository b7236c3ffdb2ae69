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
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence, Union

import numpy as np

from .forward import Dual, JVPInterpreter
from .primitives.core import shape
from .tape import Tape, backward
from .numpy_api.building import lift_tree
from .tracer import Tracer, lowest, new_interpreter

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "as_input"]

ArgNums = Union[int, Sequence[int]]


# ---------------------------------------------------------------- inputs and outputs
def as_input(x: Any) -> Any:
    """Turn a user argument into a differentiable value (a float array or NumPy scalar).

    Python and NumPy integers (and bools) are promoted to float64: a derivative with
    respect to an integer would otherwise silently be zero.  Inputs are never copied or
    modified.
    """
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (bool, int, float)):
        return np.float64(x)
    if isinstance(x, complex):
        return np.complex128(x)
    if isinstance(x, np.generic):
        return x if np.issubdtype(x.dtype, np.inexact) else np.float64(x)
    if isinstance(x, (np.matrix, np.ma.MaskedArray)):  # their * and sum are not ndarray's: a silent change of f
        raise TypeError(f"cannot differentiate with respect to a {type(x).__module__}.{type(x).__name__}: its "
                        "arithmetic differs from a plain array's; pass np.asarray(x) (and write f for plain arrays)")
    arr = np.asarray(x)
    if arr.dtype == object:
        raise TypeError(f"cannot differentiate with respect to a value of type {type(x).__name__}")
    if not np.issubdtype(arr.dtype, np.inexact):
        arr = arr.astype(np.float64)
    return arr


def _argnums(argnums: ArgNums, nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise ValueError(f"argnums={argnums!r} but the function was called with {nargs} positional arguments")
    nums = tuple(n % nargs for n in nums)
    if len(set(nums)) != len(nums):  # the second copy would be traced on its own and the first get zeros
        raise ValueError(f"argnums={argnums!r} names the same argument twice")
    return nums


def _finish(g: Any, like: Any, avoid: Sequence[Any] = ()) -> Any:
    """Shape a derivative like its input: 0-d NumPy scalars for scalars, fresh writable arrays.

    ``avoid`` lists arrays the user handed in (tangents, cotangents): a result must never
    share memory with them, or an in-place update by the user would corrupt their input.
    """
    if isinstance(g, Tracer):
        return g
    g = np.asarray(g)
    want = shape(like)
    if g.shape != want:
        g = np.broadcast_to(g, want)
    if g.ndim == 0:
        return g[()]
    if not g.flags.writeable or g is like or not g.flags.owndata or any(
            isinstance(a, np.ndarray) and np.may_share_memory(g, a) for a in avoid):
        g = np.array(g)
    return g


def _zeros_like(x: Any, batch: tuple[int, ...] = ()) -> Any:
    base = lowest(x)
    return np.zeros(batch + np.shape(base), dtype=np.result_type(base, np.float64) if not np.issubdtype(
        np.result_type(base), np.inexact) else np.result_type(base))


def _tree_map(fn: Callable, tree: Any) -> Any:
    if isinstance(tree, (tuple, list)):
        leaves = [_tree_map(fn, t) for t in tree]
        return type(tree)(*leaves) if hasattr(tree, "_fields") else type(tree)(leaves)  # namedtuples too
    return fn(tree)


def _record(f: Callable, args: tuple, kwargs: dict, nums: tuple[int, ...]):
    """Run ``f`` on a fresh tape with the arguments in ``nums`` as its inputs."""
    tape = Tape(slim=True)
    args = list(args)
    with new_interpreter(tape):
        inputs = []
        for i in nums:
            args[i] = as_input(args[i])
            inputs.append(tape.new_input(args[i]))
            args[i] = inputs[-1]
        out = lift_tree(f(*args, **kwargs))  # np.array([...]) of traced values: one traced array
    return tape, out, inputs


def _pullback(tape: Tape, out: Any, inputs: list, seed: Any, consume: bool = False) -> list:
    """Adjoints of ``inputs`` for output adjoint ``seed`` (zeros where nothing flows).

    ``consume=True`` lets the sweep free the tape as it goes (for tapes swept only once).
    """
    idx = tape.index_of(out)
    batch = shape(seed)[: len(shape(seed)) - len(shape(lowest(out)))]
    if idx is None:
        return [_zeros_like(v.primal, batch) for v in inputs]
    adjoints = backward(tape.nodes, idx, seed, consume=consume)
    return [_in_dtype_of(adjoints[v.index], v.primal) if adjoints[v.index] is not None
            else _zeros_like(v.primal, batch) for v in inputs]


def _in_dtype_of(g: Any, primal: Any) -> Any:
    """JAX's rule: a cotangent has its primal's dtype (float32 in, float32 out, even when a
    float64 constant promoted the computation in between)."""
    want = np.result_type(lowest(primal))
    if np.result_type(lowest(g)) == want or not np.issubdtype(want, np.inexact):
        return g
    return g.astype(want) if isinstance(g, Tracer) else np.asarray(g).astype(want)


def _primal_of(out: Any, tape: Tape) -> Any:
    return out.primal if tape.index_of(out) is not None else out


# ---------------------------------------------------------------- reverse mode
def value_and_grad(f: Callable, argnums: ArgNums = 0) -> Callable:
    """Return a function computing ``(f(*args), ∇f(*args))`` by one reverse sweep.

    ``f`` must return a scalar.  With a tuple ``argnums`` the gradient is a tuple.
    """

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        tape, out, inputs = _record(f, args, kwargs, nums)
        value = _primal_of(out, tape)
        if shape(lowest(value)) != ():
            raise TypeError(
                f"grad requires a function with a scalar output, but it returned shape {shape(lowest(value))}; "
                "use ad.jacrev, ad.jacfwd or ad.vjp for vector outputs"
            )
        seed = np.ones_like(lowest(value))
        grads = [_finish(g, v.primal) for g, v in zip(_pullback(tape, out, inputs, seed, consume=True), inputs)]
        return value, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return value_and_grad_f


def grad(f: Callable, argnums: ArgNums = 0) -> Callable:
    """Return a function computing the gradient of scalar-valued ``f`` (reverse mode).

    >>> ad.grad(lambda x, y: x * y + np.sin(x))(2.0, 5.0)   # ∂/∂x = y + cos(x)
    """
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return grad_f


def vjp(f: Callable, *primals: Any) -> tuple[Any, Callable]:
    """Run ``f`` once, recording a tape; return ``(y, vjp_fn)`` with ``vjp_fn(ȳ) = ȳᵀ J``.

    ``vjp_fn`` returns a tuple with one cotangent per primal (even for one primal) and
    can be called many times: the tape is swept again, never re-recorded.
    """
    nums = tuple(range(len(primals)))
    tape, out, inputs = _record(f, primals, {}, nums)
    value = _primal_of(out, tape)
    out_shape = shape(lowest(value))

    def vjp_fn(cotangent: Any) -> tuple:
        ct = cotangent if isinstance(cotangent, Tracer) else np.asarray(cotangent, dtype=np.result_type(lowest(value)))
        if shape(ct) != out_shape:
            raise ValueError(f"vjp_fn expected a cotangent of shape {out_shape}, got {shape(ct)}")
        return tuple(_finish(g, v.primal, (cotangent,)) for g, v in zip(_pullback(tape, out, inputs, ct), inputs))

    return value, vjp_fn


def jacrev(f: Callable, argnums: ArgNums = 0) -> Callable:
    """Jacobian by reverse mode: one tape, then all ``m`` output adjoints in one batched sweep.

    The result has shape ``out.shape + in.shape``.
    """

    @functools.wraps(f)
    def jacrev_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        tape, out, inputs = _record(f, args, kwargs, nums)
        value = _primal_of(out, tape)
        out_shape = shape(lowest(value))
        m = int(np.prod(out_shape))
        seed = np.eye(m, dtype=np.result_type(lowest(value), np.float32)).reshape((m,) + out_shape)
        jacs = []
        for g, v in zip(_pullback(tape, out, inputs, seed, consume=True), inputs):
            jacs.append(_finish(g.reshape(out_shape + shape(v.primal)), np.empty(out_shape + shape(v.primal))))
        return jacs[0] if isinstance(argnums, int) else tuple(jacs)

    return jacrev_f


# ---------------------------------------------------------------- forward mode
def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate ``f`` at ``primals`` and its directional derivative along ``tangents``.

    Forward mode, online: each value travels with its tangent; no tape is kept.
    Returns ``(f(*primals), J · tangents)``.
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp expects primals and tangents as tuples, e.g. ad.jvp(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    primals = [as_input(p) for p in primals]
    tans = []
    for p, t in zip(primals, tangents):
        t = t if isinstance(t, Tracer) else np.asarray(t, dtype=np.result_type(lowest(p)))
        if shape(t) != shape(p):
            raise ValueError(f"tangent shape {shape(t)} does not match primal shape {shape(p)}")
        tans.append(t)
    interp = JVPInterpreter()
    with new_interpreter(interp):
        out = lift_tree(f(*[Dual(interp, p, t) for p, t in zip(primals, tans)]))
    y = _tree_map(lambda o: _split(o, interp)[0], out)
    y_dot = _tree_map(lambda o: _finish(_split(o, interp)[1], _split(o, interp)[0], tangents), out)
    return y, y_dot


def _split(o: Any, interp: JVPInterpreter, batch: tuple[int, ...] = ()) -> tuple[Any, Any]:
    if isinstance(o, Dual) and o._interp is interp:
        return o.primal, o.tangent
    return o, _zeros_like(o, batch)


def jacfwd(f: Callable, argnums: ArgNums = 0) -> Callable:
    """Jacobian by forward mode: all ``n`` input directions pushed through one batched sweep.

    The result has shape ``out.shape + in.shape`` (a tuple of them for tuple ``argnums``).
    """

    @functools.wraps(f)
    def jacfwd_f(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        args = list(args)
        for i in nums:
            args[i] = as_input(args[i])
        sizes = [int(np.prod(shape(args[i]))) for i in nums]
        n = sum(sizes)
        dtype = np.result_type(*[lowest(args[i]) for i in nums])  # inputs are inexact already (as_input)
        eye = np.eye(n, dtype=dtype)
        interp = JVPInterpreter(batch_shape=(n,))
        with new_interpreter(interp):
            start = 0
            for i, size in zip(nums, sizes):
                basis = eye[:, start:start + size].reshape((n,) + shape(args[i]))
                args[i] = Dual(interp, args[i], basis)
                start += size
            out = lift_tree(f(*args, **kwargs))

        def jac_of(o):
            primal, tangent = _split(o, interp, (n,))
            out_shape = shape(lowest(primal))
            k = len(out_shape)
            jacs, start = [], 0
            for i, size in zip(nums, sizes):
                block = tangent[start:start + size] if len(nums) > 1 else tangent
                start += size
                in_shape = shape(args[i].primal)
                block = block.reshape((size,) + out_shape)
                if k:
                    block = np.transpose(block, tuple(range(1, k + 1)) + (0,))
                jac = block.reshape(out_shape + in_shape)
                jacs.append(_finish(jac, np.empty(out_shape + in_shape)))
            return jacs[0] if isinstance(argnums, int) else tuple(jacs)

        return _tree_map(jac_of, out)

    return jacfwd_f


def hessian(f: Callable, argnums: ArgNums = 0) -> Callable:
    """The Hessian of scalar ``f``: forward mode over reverse mode, ``jacfwd(jacrev(f))``.

    Reverse mode gives the gradient in one sweep; forward mode then differentiates that
    whole gradient computation — tape, adjoints and all — along every input direction.
    """
    return jacfwd(jacrev(f, argnums), argnums)
