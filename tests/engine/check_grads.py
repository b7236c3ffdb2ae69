"""``check_grads``: check every derivative adviz computes for ``f`` against numbers adviz did not compute.

The model is autograd's ``check_grads`` and JAX's ``jax.test_util.check_grads``: push a
random direction through forward mode and compare with central differences, check reverse
mode by the dot-product identity, then do it all again one order up.  This version is
stricter in three ways:

* the reference comes with an **error estimate**.  Central differences are taken at two
  step sizes ``h`` and ``h/2`` (4th-order stencil, one Richardson step); their disagreement
  bounds the truncation error and ``eps·|f|/h`` the rounding error, so the tolerance follows
  the function's own scale instead of a fixed ``1e-6``.  Where ``f`` is real-analytic the
  **complex step** ``Im f(x + i·h·v)/h`` gives a second reference, exact to rounding, and the
  two references must agree with each other before either is trusted;
* every transform is checked, not only ``jvp``/``vjp``: ``grad``/``value_and_grad`` (scalar
  outputs), and ``jacfwd``/``jacrev`` — the *batched* paths that push a whole basis of
  tangents or cotangents through one sweep — against a Jacobian assembled column by column
  from finite differences;
* second order covers every pairing: forward-over-forward and reverse-over-forward on the
  JVP function ``(x, v) ↦ J(x)·v``, forward-over-reverse and reverse-over-reverse on the VJP
  function ``(x, w) ↦ wᵀJ(x)`` (both differentiated in *all* their inputs, as autograd
  does), and ``hessian`` of the scalar ``⟨w, f(x)⟩`` against finite differences of its
  (already checked) gradient.

A failure raises :class:`WrongDerivative` (an ``AssertionError``) naming the transform, the
argument and the worst element.  Any exception adviz raises propagates unchanged, so a
caller can tell a wrong number from a refusal (``UnsupportedOperation``) or a crash.

Usage::

    check_grads(np.sin, (np.array([0.3, 1.2]),), analytic=True)
    check_grads(lambda x, y: np.maximum(x, y), (x, y))      # kinks: finite differences only
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import adviz as ad

EPS = float(np.finfo(np.float64).eps)
FD_STEP = 1e-3  # relative step; the stencil reaches ±2h, so test domains keep a margin of ~0.01
CS_STEP = 1e-20
RTOL = 1e-6  # relative to the reference: a wrong rule is off by O(1), rounding by O(1e-12)
JACOBIAN_SIZE_LIMIT = 8  # above this many scalar inputs, second-order checks use random directions only


class WrongDerivative(AssertionError):
    """adviz returned a derivative that disagrees with the independent reference."""


@dataclass
class Estimate:
    """A reference derivative and an estimate of its absolute error (same shape)."""

    value: np.ndarray
    error: np.ndarray


# --------------------------------------------------------------------------- references (NumPy only)


def _f64(x: Any) -> np.ndarray:
    """``x`` in float64, a scalar staying a scalar (``round(x)`` works on those, not on 0-d arrays)."""
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return np.float64(x)
    return np.asarray(x, dtype=np.float64)


def _evaluate(f: Callable, args: Sequence[Any]) -> np.ndarray:
    return _evaluate_with_eps(f, args)[0]


def _evaluate_with_eps(f: Callable, args: Sequence[Any]) -> tuple[np.ndarray, float]:
    """``f(*args)`` as float64, and the machine epsilon of the dtype ``f`` really computed in."""
    with np.errstate(all="ignore"):
        out = np.asarray(f(*args))
    eps = float(np.finfo(out.dtype).eps) if out.dtype.kind == "f" else EPS
    return out.astype(np.float64), max(eps, EPS)


def fd_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any], h: float = FD_STEP,
           eps: float = EPS) -> Estimate:
    """``J·v`` by central differences along ``v``, with an error estimate.

    ``D(h) = [8(g(h) − g(−h)) − (g(2h) − g(−2h))] / 12h`` with ``g(t) = f(x + t·v)`` has error
    ``O(h⁴)``; combining ``D(h)`` and ``D(h/2)`` cancels the ``h⁴`` term.  ``|D(h) − D(h/2)|``
    bounds what is left, and ``eps·max|g|/h`` the rounding (``eps`` of float32 if ``f``
    returns float32 or if the caller says it computes in float32 inside).
    """
    xs = [_f64(x) for x in primals]
    vs = [_f64(v) for v in tangents]
    # The step grows with the inputs it moves (x + h must differ from x in enough digits), but
    # slowly (sin at 1e6 still has period 2π) and only as far as the *smallest* of them allows
    # (a step sized for 1e8 would carry 1e-2 out of sqrt's domain).
    moved = [np.abs(x[v != 0]) if np.ndim(x) else np.abs(np.atleast_1d(x)[np.atleast_1d(v) != 0])
             for x, v in zip(xs, vs)]
    sizes = np.concatenate([m.ravel() for m in moved] + [np.zeros(0)])
    h = h * max(1.0, 1e-4 * float(np.min(sizes)) if sizes.size else 1.0)

    def g(t: float) -> np.ndarray:
        nonlocal eps
        out, out_eps = _evaluate_with_eps(f, [x + t * v for x, v in zip(xs, vs)])
        eps = max(eps, out_eps)  # a float32 result rounds 1e9 times more coarsely
        return out

    centre = g(0.0)
    samples = {k: g(k * h / 2) for k in (-4, -2, -1, 1, 2, 4)}
    for _ in range(4):  # a stencil that left the domain (log near 0): shrink the step and retry
        lost = np.isfinite(centre) & ~np.all(np.isfinite(np.stack(list(samples.values()))), axis=0)
        if not np.any(lost):
            break
        h /= 100.0
        samples = {k: g(k * h / 2) for k in (-4, -2, -1, 1, 2, 4)}

    def stencil(step: int) -> np.ndarray:  # step in units of h/2
        return (8 * (samples[step] - samples[-step]) - (samples[2 * step] - samples[-2 * step])) / (12 * step * h / 2)

    coarse, fine = stencil(2), stencil(1)
    value = fine + (fine - coarse) / 15.0
    magnitude = np.max(np.abs(np.stack(list(samples.values()))), axis=0)
    rounding = 30.0 * eps * magnitude / h
    error = np.abs(fine - coarse) / 15.0 + rounding
    return Estimate(value, error)


def cs_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Estimate:
    """``J·v`` by the complex step ``Im f(x + i·h·v) / h`` (``f`` must be real-analytic)."""
    shifted = [_f64(x) + 1j * CS_STEP * _f64(v) for x, v in zip(primals, tangents)]
    with np.errstate(all="ignore"):
        out = np.asarray(f(*shifted))
    value = np.imag(out) / CS_STEP if np.iscomplexobj(out) else np.zeros(out.shape)
    return Estimate(value, 10.0 * EPS * np.abs(value))


def reference_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any], analytic: bool,
                  eps: float = EPS) -> Estimate:
    """The best independent ``J·v``: central differences, confirmed by the complex step if analytic."""
    fd = fd_jvp(f, primals, tangents, eps=eps)
    if not analytic:
        return fd
    cs = cs_jvp(f, primals, tangents)
    if cs.value.shape != fd.value.shape:
        raise AssertionError("reference broken: complex step and finite differences have different shapes")
    _compare(cs.value, fd, "reference self-check: complex step vs central differences (is f really analytic?)")
    return cs


def _unit(primals: Sequence[np.ndarray], argnum: int, flat: int) -> list[np.ndarray]:
    tangents = [np.zeros(np.shape(p)) for p in primals]
    e = np.zeros(np.size(primals[argnum]))
    e[flat] = 1.0
    tangents[argnum] = e.reshape(np.shape(primals[argnum]))
    return tangents


def reference_jacobian(f: Callable, primals: Sequence[Any], argnum: int, analytic: bool = False,
                       eps: float = EPS) -> Estimate:
    """Jacobian of ``f`` with respect to ``primals[argnum]`` (shape ``out.shape + in.shape``), column by column."""
    xs = [_f64(p) for p in primals]
    out_shape = _evaluate(f, xs).shape
    in_shape = xs[argnum].shape
    cols = [reference_jvp(f, xs, _unit(xs, argnum, j), analytic, eps) for j in range(xs[argnum].size)]
    if not cols:
        zeros = np.zeros(out_shape + in_shape)
        return Estimate(zeros, zeros)
    value = np.stack([c.value.reshape(-1) for c in cols], axis=-1).reshape(out_shape + in_shape)
    error = np.stack([c.error.reshape(-1) for c in cols], axis=-1).reshape(out_shape + in_shape)
    return Estimate(value, error)


# --------------------------------------------------------------------------- comparison


def _compare(got: Any, ref: Estimate, what: str, rtol: float = RTOL) -> None:
    """Fail unless ``got`` matches ``ref`` elementwise within its error estimate plus ``rtol``."""
    got_arr = np.asarray(got)
    if got_arr.shape != ref.value.shape:
        raise WrongDerivative(f"{what}: shape {got_arr.shape}, expected {ref.value.shape}")
    if got_arr.dtype.kind not in "fiub":
        raise WrongDerivative(f"{what}: dtype {got_arr.dtype}, expected a real float")
    got_arr = got_arr.astype(np.float64)
    expected = ref.value
    if not got_arr.size:
        return
    both_nonfinite = ~np.isfinite(expected) & (got_arr == expected)
    peak = float(np.max(np.abs(expected[np.isfinite(expected)]), initial=0.0))
    tol = 10.0 * ref.error + rtol * np.abs(expected) + 1e-3 * rtol * peak + 1e-14
    diff = np.abs(got_arr - expected)
    bad = ~(diff <= tol) & ~both_nonfinite
    if np.any(bad):
        flat = int(np.argmax(np.where(bad, np.nan_to_num(diff / np.maximum(tol, 1e-300), nan=np.inf), -1.0)))
        at = np.unravel_index(flat, got_arr.shape) if got_arr.ndim else ()
        raise WrongDerivative(
            f"{what}: {int(np.sum(bad))} of {got_arr.size} entries wrong; at {at}: "
            f"adviz {got_arr[at]!r}, reference {expected[at]!r} ± {tol[at]:.3g}"
        )


def _compare_exact(got: Any, expected: Any, what: str, single: bool = False) -> None:
    """Two engine results that must agree to rounding (same number computed two ways).

    ``single``: one of them went through float32 arithmetic somewhere.
    """
    single = single or any(np.result_type(a) == np.float32 for a in (got, expected))
    rtol = 1e-5 if single else 1e-9
    got_arr, exp_arr = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got_arr.shape != exp_arr.shape:
        raise WrongDerivative(f"{what}: shape {got_arr.shape}, expected {exp_arr.shape}")
    finite = np.isfinite(exp_arr)
    peak = float(np.max(np.abs(exp_arr[finite]), initial=0.0))
    ok = np.isclose(got_arr, exp_arr, rtol=rtol, atol=rtol * 1e-3 * max(1.0, peak), equal_nan=True)
    if not np.all(ok):
        at = np.unravel_index(int(np.argmin(ok)), got_arr.shape) if got_arr.ndim else ()
        raise WrongDerivative(f"{what}: {got_arr[at]!r} != {exp_arr[at]!r} at {at}")


def _check_type(got: Any, primal: Any, what: str) -> None:
    """JAX's rule: a derivative has its input's shape, and float64 in gives float64 out."""
    if np.shape(got) != np.shape(primal):
        raise WrongDerivative(f"{what}: shape {np.shape(got)} but the input has shape {np.shape(primal)}")
    if isinstance(got, ad.engine.tracer.Tracer):
        raise WrongDerivative(f"{what}: a traced value leaked out of the transform: {got!r}")
    want = np.result_type(primal) if np.issubdtype(np.result_type(primal), np.inexact) else np.float64
    if np.result_type(got) != want:
        raise WrongDerivative(f"{what}: dtype {np.result_type(got)}, expected {want}")


def _inner(a: Sequence[Any], b: Sequence[Any]) -> float:
    return float(sum(np.sum(_f64(x) * _f64(y)) for x, y in zip(a, b)))


def _inner_estimate(w: np.ndarray, ref: Estimate) -> Estimate:
    return Estimate(np.asarray(np.sum(w * ref.value)), np.asarray(np.sum(np.abs(w) * ref.error)))


# --------------------------------------------------------------------------- the check


def _random_like(rng: np.random.Generator, x: Any) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, np.shape(x))


def _user_arrays(f: Callable, args: Sequence[Any]) -> list[np.ndarray]:
    """The arrays a user handed over: the arguments, and those ``f`` closes over or reads as globals."""
    found = [a for a in args if isinstance(a, np.ndarray)]
    seen: set = set()

    def visit(fn: Any, depth: int) -> None:
        if depth > 3 or id(fn) in seen:
            return
        seen.add(id(fn))
        values: list = []
        if isinstance(fn, functools.partial):
            values += [*fn.args, *fn.keywords.values(), fn.func]
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                values.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        code = getattr(fn, "__code__", None)
        if code is not None:
            values += [fn.__globals__.get(name) for name in code.co_names]
        for value in values:
            if isinstance(value, np.ndarray):
                found.append(value)
            elif callable(value) and not isinstance(value, (type, np.ufunc)):
                visit(value, depth + 1)

    visit(f, 0)
    return found


def check_grads(f: Callable, args: Sequence[Any], **options: Any) -> None:
    """Check adviz's derivatives of ``f`` at ``args`` (see :func:`_check_grads` for the options),
    and that no array the user handed over (arguments, arrays ``f`` closes over) was modified."""
    arrays = _user_arrays(f, args)
    before = [a.copy() for a in arrays]
    if any(isinstance(a, (tuple, list, dict)) for a in args):  # pytree arguments: checked leaf by leaf
        check_grads_tree(f, tuple(args), name=options.get("name", "f"))
    else:
        _check_grads(f, args, **options)
    for a, b in zip(arrays, before):
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            raise WrongDerivative(f"{options.get('name', 'f')}: adviz modified an array the user handed over: "
                                  f"{b!r} became {a!r}")


def _check_grads(
    f: Callable,
    args: Sequence[Any],
    *,
    order: int = 2,
    modes: Sequence[str] = ("fwd", "rev"),
    analytic: bool = False,
    jacobians: bool = True,
    seed: int = 0,
    single: bool = False,
    name: str = "f",
) -> None:
    """Check adviz's derivatives of ``f`` at ``args`` (all positional, all differentiated).

    ``order=2`` also checks every second-order composition; ``analytic=True`` adds the
    complex-step reference (only for real-analytic ``f``: no ``abs``, ``max``, comparisons);
    ``jacobians=False`` skips the full ``jacfwd``/``jacrev`` comparison (random directions
    only); ``single=True`` says ``f`` computes in float32 somewhere, so two engine paths
    may legitimately differ by float32 rounding.  Raises :class:`WrongDerivative` on the
    first disagreement; adviz's own exceptions propagate.
    """
    rng = np.random.default_rng(seed)
    args = tuple(args)
    single = single or any(np.result_type(a) == np.float32 for a in args)
    n = len(args)
    nums = tuple(range(n))
    expected_y = _evaluate(f, args)
    v = [_random_like(rng, a) for a in args]
    w = _random_like(rng, expected_y)
    eps = float(np.finfo(np.float32).eps) if single else EPS
    ref_jv = reference_jvp(f, args, v, analytic, eps)

    # -- forward mode: jvp along a random direction
    if "fwd" in modes:
        y, y_dot = ad.jvp(f, args, tuple(v))
        _compare_exact(y, expected_y, f"{name}: jvp primal output vs NumPy", single)
        _compare(y_dot, ref_jv, f"{name}: jvp along a random direction vs central differences")

    # -- reverse mode: vjp by the dot-product identity <w, J v> = <vjp(w), v>
    if "rev" in modes:
        y, vjp_fn = ad.vjp(f, *args)
        _compare_exact(y, expected_y, f"{name}: vjp primal output vs NumPy", single)
        x_bar = vjp_fn(w)
        if not isinstance(x_bar, tuple) or len(x_bar) != n:
            raise WrongDerivative(f"{name}: vjp_fn must return a tuple of {n} cotangents, got {type(x_bar).__name__}")
        for i, (xb, a) in enumerate(zip(x_bar, args)):
            _check_type(xb, a, f"{name}: vjp cotangent {i}")
        _compare(_inner(x_bar, v), _inner_estimate(w, ref_jv),
                 f"{name}: dot-product identity <vjp(w), v> vs <w, J v> by central differences")
        if "fwd" in modes:  # the two modes compute the same linear map from two sides
            _compare_exact(_inner(x_bar, v), np.sum(_f64(y_dot) * w), f"{name}: <vjp(w), v> vs <w, jvp(v)>", single)

    # -- the batched paths, grad and vjp elementwise, against an assembled Jacobian
    if jacobians:
        refs = [reference_jacobian(f, args, i, analytic, eps) for i in nums]
        if "fwd" in modes:
            jf = ad.jacfwd(f, argnums=nums)(*args)
            for i in nums:
                _compare(jf[i], refs[i], f"{name}: jacfwd w.r.t. argument {i} vs finite-difference Jacobian")
        if "rev" in modes:
            jr = ad.jacrev(f, argnums=nums)(*args)
            for i in nums:
                _compare(jr[i], refs[i], f"{name}: jacrev w.r.t. argument {i} vs finite-difference Jacobian")
            for i in nums:
                k = expected_y.ndim
                ref_bar = Estimate(np.tensordot(w, refs[i].value, axes=k), np.tensordot(np.abs(w), refs[i].error, axes=k))
                _compare(x_bar[i], ref_bar, f"{name}: vjp cotangent {i} vs wᵀJ from finite differences")
            if expected_y.shape == ():
                value, g = ad.value_and_grad(f, argnums=nums)(*args)
                _compare_exact(value, expected_y, f"{name}: value_and_grad value vs NumPy", single)
                for i in nums:
                    _check_type(g[i], args[i], f"{name}: grad w.r.t. argument {i}")
                    _compare(g[i], refs[i], f"{name}: grad w.r.t. argument {i} vs finite differences")
                g0 = ad.grad(f)(*args)
                _compare_exact(g0, g[0], f"{name}: grad with int argnums vs tuple argnums", single)

    if order < 2:
        return

    # -- second order, autograd-style: differentiate the first-order maps in all their inputs
    sub = {"order": order - 1, "modes": modes, "analytic": False, "seed": seed + 1, "single": single}
    small = sum(int(np.size(a)) for a in args) * 2 <= JACOBIAN_SIZE_LIMIT
    if "fwd" in modes:
        def jvp_map(*xv):
            return ad.jvp(f, xv[:n], xv[n:])[1]

        check_grads(jvp_map, args + tuple(v), jacobians=small, name=f"jvp({name})", **sub)
    if "rev" in modes:
        def vjp_map(*xw):
            bars = ad.vjp(f, *xw[:n])[1](xw[n])
            return bars[0] if n == 1 else np.concatenate([np.ravel(b) for b in bars])

        check_grads(vjp_map, args + (w,), jacobians=small, name=f"vjp({name})", **sub)
    if "fwd" in modes and "rev" in modes:
        _check_hessian(f, args, w, v, name, eps)


def _check_hessian(f: Callable, args: tuple, w: np.ndarray, v: list, name: str, eps: float) -> None:
    """``hessian`` and forward-over-reverse ``jvp(grad)`` of ``s(x) = <w, f(x)>`` vs FD of its gradient."""
    n = len(args)
    nums = tuple(range(n))

    def s(*xs):
        return np.sum(f(*xs) * w)

    def grad_s(*xs):  # checked at first order above (it is wᵀJ)
        g = ad.grad(s, argnums=nums)(*xs)
        return g[0] if n == 1 else np.concatenate([np.ravel(gi) for gi in g])

    ref = fd_jvp(grad_s, args, v, eps=eps)
    _, hv = ad.jvp(grad_s, args, tuple(v))
    _compare(hv, ref, f"{name}: jvp of grad (forward-over-reverse H·v) vs central differences of grad")
    hess = ad.hessian(s, argnums=nums)(*args)
    rows = []
    for i in nums:
        hv_i = sum(np.tensordot(_f64(hess[i][j]), v[j], axes=np.ndim(args[j])) for j in nums)
        rows.append(np.asarray(hv_i).reshape(np.shape(args[i])))
    got = rows[0] if n == 1 else np.concatenate([np.ravel(r) for r in rows])
    _compare(got, ref, f"{name}: hessian·v vs central differences of grad")


# --------------------------------------------------------------------------- pytrees


def tree_leaves(tree: Any) -> list:
    """Leaves of nested tuples, lists and dicts (dict entries in sorted key order, as JAX does)."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in tree_leaves(tree[key])]
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in tree_leaves(item)]
    return [tree]


def tree_rebuild(tree: Any, leaves: Any) -> Any:
    """``tree``'s structure with ``leaves`` (an iterator) in place of its leaves; dicts keep ``tree``'s key order."""
    if isinstance(tree, dict):
        values = {key: tree_rebuild(tree[key], leaves) for key in sorted(tree)}
        return {key: values[key] for key in tree}
    if isinstance(tree, (tuple, list)):
        return type(tree)(tree_rebuild(item, leaves) for item in tree)
    return next(leaves)


def _flat(tree: Any) -> np.ndarray:
    return np.concatenate([np.ravel(_f64(leaf)) for leaf in tree_leaves(tree)] + [np.zeros(0)])


def _reversed_dicts(tree: Any) -> Any:
    """The same pytree with every dict's keys inserted in reverse order (its meaning must not change)."""
    if isinstance(tree, dict):
        return {key: _reversed_dicts(tree[key]) for key in reversed(list(tree))}
    if isinstance(tree, (tuple, list)):
        return type(tree)(_reversed_dicts(item) for item in tree)
    return tree


def check_grads_tree(f: Callable, args: tuple, *, name: str = "f") -> None:
    """First-order checks of a function whose inputs and output are pytrees (tuples, lists, dicts).

    The reference flattens everything in NumPy (dict entries by sorted key) and takes central
    differences of the flat map; adviz's pytree results are flattened the same way and compared:
    ``jvp``, ``vjp`` (with cotangent dicts built in another key order), ``jacfwd``/``jacrev``
    (the output's structure around the inputs' structure) and ``grad`` for scalar outputs.
    """
    rng = np.random.default_rng(0)
    leaves = tree_leaves(args)

    def flat_f(*xs: Any) -> np.ndarray:
        return _flat(f(*tree_rebuild(args, iter(xs))))

    out = f(*args)
    n_out = _flat(out).size
    jac = [reference_jacobian(flat_f, leaves, i) for i in range(len(leaves))]  # each (n_out, *leaf.shape)

    def j_times(v_leaves: list) -> Estimate:
        value = sum(np.tensordot(j.value, _f64(v), axes=np.ndim(v)) for j, v in zip(jac, v_leaves))
        error = sum(np.tensordot(j.error, np.abs(_f64(v)), axes=np.ndim(v)) for j, v in zip(jac, v_leaves))
        return Estimate(np.asarray(value) + np.zeros(n_out), np.asarray(error) + np.zeros(n_out))

    v = [rng.uniform(-1, 1, np.shape(leaf)) for leaf in leaves]
    tangents = tree_rebuild(args, iter(v))
    _, out_dot = ad.jvp(f, tuple(args), tuple(_reversed_dicts(tangents)))
    _compare(_flat(out_dot), j_times(v), f"{name}: jvp of a pytree function vs central differences")

    w = rng.uniform(-1, 1, n_out)
    cotangent = tree_rebuild(out, iter([w_leaf.reshape(np.shape(leaf)) for w_leaf, leaf in
                                        zip(np.split(w, np.cumsum([np.size(x) for x in tree_leaves(out)])[:-1]),
                                            tree_leaves(out))]))
    _, vjp_fn = ad.vjp(f, *args)
    x_bar = vjp_fn(_reversed_dicts(cotangent))
    if not isinstance(x_bar, tuple) or len(x_bar) != len(args):
        raise WrongDerivative(f"{name}: vjp_fn must return one cotangent per argument")
    for i, (xb, leaf) in enumerate(zip(tree_leaves(x_bar), leaves)):
        ref = Estimate(np.tensordot(w, jac[i].value, axes=1), np.tensordot(np.abs(w), jac[i].error, axes=1))
        _compare(xb, ref, f"{name}: vjp cotangent of leaf {i} vs wᵀJ")
    if [np.shape(x) for x in tree_leaves(x_bar)] != [np.shape(x) for x in leaves]:
        raise WrongDerivative(f"{name}: vjp cotangents do not have the inputs' structure")

    out_leaves = tree_leaves(out)
    offsets = np.cumsum([0] + [np.size(x) for x in out_leaves])
    for transform in (ad.jacfwd, ad.jacrev):
        blocks = tree_leaves(transform(f, argnums=tuple(range(len(args))))(*args))
        k = 0
        for o, out_leaf in enumerate(out_leaves):
            for i, leaf in enumerate(leaves):
                ref = jac[i]
                rows = slice(offsets[o], offsets[o + 1])
                shape = np.shape(out_leaf) + np.shape(leaf)
                block = Estimate(ref.value[rows].reshape(shape), ref.error[rows].reshape(shape))
                _compare(blocks[k], block, f"{name}: {transform.__name__} block (output leaf {o}, input leaf {i})")
                k += 1
    if n_out == 1 and not isinstance(out, (tuple, list, dict)):
        g = ad.grad(f, argnums=tuple(range(len(args))))(*args)
        for i, (gl, leaf) in enumerate(zip(tree_leaves(g), leaves)):
            _compare(gl, Estimate(jac[i].value.reshape(np.shape(leaf)), jac[i].error.reshape(np.shape(leaf))),
                     f"{name}: grad of leaf {i}")
