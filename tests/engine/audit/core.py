"""The audit's machinery: NumPy-only references, a ``check_grads``-style checker, the tally.

References never call adviz:

* ``directional`` — central differences of ``f`` along a random direction, at steps ``h`` and
  ``h/2``, combined by one Richardson step (error O(h⁴)); the gap between the two levels is
  the error estimate that widens the tolerance;
* Jacobians are assembled column by column from the same stencil;
* second order is checked as autograd does: the first-order checks are applied to the
  *derivative functions* adviz builds (``x ↦ J(x)·v`` and ``x ↦ uᵀJ(x)``), whose own values
  were already checked against the references, plus ``hessian`` against differences of the
  checked gradient.
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

import adviz as ad

SEED = int(os.environ.get("AUDIT_SEED", "0"))  # other seeds draw other points and directions
RTOL = 2e-5
ATOL = 2e-6
STEP = 1e-3


class Mismatch(AssertionError):
    """adviz's answer disagrees with the reference: a WRONG result."""


class BadCase(Exception):
    """The case itself is broken (NumPy refuses the plain call): fix the audit, not adviz."""


# ----------------------------------------------------------------------------- tiny pytrees


def leaves(tree: Any) -> list:
    """Leaves in JAX's order: tuples/lists in order, dicts by sorted key; ``None`` is no leaf."""
    if tree is None:
        return []
    if isinstance(tree, (tuple, list)):
        return [x for t in tree for x in leaves(t)]
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in leaves(tree[k])]
    return [tree]


def structure(tree: Any) -> Any:
    """A hashable description of the containers (leaves become '*')."""
    if tree is None:
        return None
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(structure(t) for t in tree))
    if isinstance(tree, dict):
        return ("dict", tuple((k, structure(tree[k])) for k in sorted(tree)))
    return "*"


def rebuild(tree: Any, new_leaves: Sequence[Any]) -> Any:
    it = iter(new_leaves)

    def go(t):
        if t is None:
            return None
        if isinstance(t, tuple) and hasattr(t, "_fields"):  # a namedtuple (NumPy's EighResult, SVDResult, ...)
            return type(t)(*(go(x) for x in t))
        if isinstance(t, (tuple, list)):
            return type(t)(go(x) for x in t)
        if isinstance(t, dict):
            out = {k: None for k in t}
            for k in sorted(t):
                out[k] = go(t[k])
            return out
        return next(it)

    return go(tree)


def f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# ----------------------------------------------------------------------------- references


def plain(f: Callable, args: Sequence[Any]) -> list[np.ndarray]:
    """``f(*args)`` with plain NumPy, flattened to float64 leaves."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            out = f(*args)
        except Exception as e:  # noqa: BLE001
            raise BadCase(f"NumPy itself fails: {type(e).__name__}: {e}") from e
    return [f64(y) for y in leaves(out)]


def _shift(args: Sequence[Any], dirs: Sequence[Any], t: float) -> list:
    out = []
    for a, d in zip(args, dirs):
        if isinstance(a, (list, tuple)):
            out.append(type(a)(_shift(a, d, t)))
        elif isinstance(a, dict):
            out.append(dict(zip(sorted(a), _shift([a[k] for k in sorted(a)], [d[k] for k in sorted(a)], t))))
        elif isinstance(a, (float, int)) and not isinstance(a, bool):
            out.append(float(a + t * d))
        else:
            out.append(f64(a) + t * f64(d))
    return out


def directional(f: Callable, args: Sequence[Any], dirs: Sequence[Any], h: float = STEP) -> tuple[list, list]:
    """d/dt f(args + t·dirs) at t = 0 for every output leaf, and an error estimate per leaf."""

    def cd(step):
        plus, minus = plain(f, _shift(args, dirs, step)), plain(f, _shift(args, dirs, -step))
        return [(p - m) / (2 * step) for p, m in zip(plus, minus)]

    coarse, fine = cd(h), cd(h / 2)
    best = [(4 * b - a) / 3 for a, b in zip(coarse, fine)]
    scale = [np.abs(y) for y in plain(f, args)]
    err = [np.abs(b - c) + 1e-12 * (1 + s) / h for b, c, s in zip(best, fine, scale)]
    return best, err


def jacobian_by_columns(g: Callable, xs: list, i: int, out_shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The Jacobian of ``g`` (one output of shape ``out_shape``) with respect to ``xs[i]``, one
    column per entry of ``xs[i]`` by central differences along that unit direction, and the
    columns' error estimates: both of shape ``out_shape + shape(xs[i])``."""
    x = xs[i]
    cols, errs = [], []
    for j in range(int(np.size(x))):
        e = np.zeros(np.size(x))
        e[j] = 1.0
        dirs = [(e.reshape(np.shape(x)) if k == i else np.zeros(np.shape(xk))) for k, xk in enumerate(xs)]
        dirs = [float(d) if isinstance(xk, float) else d for d, xk in zip(dirs, xs)]
        c, ce = directional(g, xs, dirs)
        cols.append(c[0])
        errs.append(ce[0])
    shape = tuple(out_shape) + np.shape(x)
    if not cols:
        return np.zeros(shape), np.zeros(shape)
    return np.stack(cols, axis=-1).reshape(shape), np.stack(errs, axis=-1).reshape(shape)


def close(got: Any, want: Any, err: Any = 0.0, what: str = "", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise ``Mismatch`` unless ``got`` matches ``want`` (shape and value)."""
    g, w = np.asarray(got), f64(want)
    if g.shape != w.shape:
        raise Mismatch(f"{what}: shape {g.shape}, expected {w.shape}")
    if g.dtype == object:
        raise Mismatch(f"{what}: an object array (a leaked tracer?) {g!r:.120}")
    g = g.astype(np.complex128 if np.iscomplexobj(g) else np.float64)
    if np.iscomplexobj(g) and np.any(np.imag(g) != 0):
        raise Mismatch(f"{what}: complex result for a real function")
    g = np.real(g)
    scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
    tol = atol * scale + rtol * np.abs(w) + 10 * np.asarray(err)
    bad = ~(np.abs(g - w) <= tol)
    bad &= ~(np.isnan(g) & np.isnan(w))
    if np.any(bad):
        i = np.unravel_index(int(np.argmax(np.where(bad, np.abs(g - w), -1))), g.shape) if g.ndim else ()
        raise Mismatch(f"{what}: got {g[i]!r}, expected {w[i]!r} (at {i}, tol {np.broadcast_to(tol, g.shape)[i]:.2g})")


# ----------------------------------------------------------------------------- the checker


@dataclass
class Rng:
    gen: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def like(self, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return type(x)(self.like(e) for e in x)
        if isinstance(x, dict):
            return {k: self.like(x[k]) for k in sorted(x)}
        if isinstance(x, float) or np.ndim(x) == 0 and not isinstance(x, np.ndarray):
            return float(self.gen.standard_normal())
        return self.gen.standard_normal(np.shape(x))


def _dot(a: Sequence[Any], b: Sequence[Any]) -> float:
    return float(sum(np.sum(f64(x) * f64(y)) for x, y in zip(leaves(list(a)), leaves(list(b)))))


def first_order(g: Callable, xs: list, rng: Rng, what: str, modes: Sequence[str] = ("fwd", "rev"),
                jac: bool = True) -> None:
    """jvp, vjp (dot-product identity), grad/value_and_grad and jacfwd/jacrev of ``g`` at ``xs``."""
    y_ref = plain(g, xs)
    vs = [rng.like(x) for x in xs]
    d_ref, d_err = directional(g, xs, vs)
    n = len(xs)
    if "fwd" in modes:
        y, yd = ad.jvp(g, tuple(xs), tuple(vs))
        if len(leaves(y)) != len(y_ref) or len(leaves(yd)) != len(y_ref):
            raise Mismatch(f"{what} jvp: {len(leaves(yd))} tangent leaves for {len(y_ref)} outputs")
        if structure(y) != structure(yd):
            raise Mismatch(f"{what} jvp: primal and tangent structures differ")
        for k, (a, b) in enumerate(zip(leaves(y), y_ref)):
            close(a, b, 0, f"{what} jvp primal[{k}]", rtol=1e-9, atol=1e-12)
        for k, (a, b, e) in enumerate(zip(leaves(yd), d_ref, d_err)):
            close(a, b, e, f"{what} jvp tangent[{k}]")
    if "rev" in modes:
        y, pull = ad.vjp(g, *xs)
        out_leaves = leaves(y)
        if len(out_leaves) != len(y_ref):
            raise Mismatch(f"{what} vjp: {len(out_leaves)} output leaves, expected {len(y_ref)}")
        for k, (a, b) in enumerate(zip(out_leaves, y_ref)):
            close(a, b, 0, f"{what} vjp primal[{k}]", rtol=1e-9, atol=1e-12)
        us = [rng.gen.standard_normal(np.shape(b)) for b in y_ref]
        cts = pull(rebuild(y, us))
        if not isinstance(cts, tuple) or len(cts) != n:
            raise Mismatch(f"{what} vjp_fn: returned {type(cts).__name__} of {len(cts) if hasattr(cts, '__len__') else '?'}, expected a tuple of {n}")
        for k, (c, x) in enumerate(zip(cts, xs)):
            if structure(c) != structure(x) or [np.shape(q) for q in leaves(c)] != [np.shape(q) for q in leaves(x)]:
                raise Mismatch(f"{what} vjp cotangent[{k}]: shape {np.shape(c)}, expected {np.shape(x)}")
        lhs, rhs = _dot(cts, vs), _dot(us, d_ref)
        err = _dot([np.abs(u) for u in us], d_err)
        close(lhs, rhs, err, f"{what} vjp <ct, v> vs <u, Jv>")
    if "trace" in modes and all(structure(x) == "*" for x in xs) and xs:
        check_trace(g, xs, vs, d_ref, d_err, y_ref, rng, what)
    size_in = sum(int(np.size(leaf)) for leaf in leaves(xs))
    if any(structure(x) != "*" for x in xs):
        jac = False  # pytree inputs: jacobians are checked by the API cases
    single = len(y_ref) == 1
    if jac and single and size_in <= 16 and y_ref[0].size <= 40:
        for i, x in enumerate(xs):
            J, JE = jacobian_by_columns(g, xs, i, y_ref[0].shape)
            if "fwd" in modes:
                close(ad.jacfwd(g, argnums=i)(*xs), J, JE, f"{what} jacfwd[{i}]")
            if "rev" in modes:
                close(ad.jacrev(g, argnums=i)(*xs), J, JE, f"{what} jacrev[{i}]")
            if "rev" in modes and y_ref[0].shape == ():
                close(ad.grad(g, argnums=i)(*xs), J, JE, f"{what} grad[{i}]")
                v, gr = ad.value_and_grad(g, argnums=i)(*xs)
                close(v, y_ref[0], 0, f"{what} value_and_grad value", rtol=1e-9, atol=1e-12)
                close(gr, J, JE, f"{what} value_and_grad grad[{i}]")


def check_trace(g: Callable, xs: list, vs: list, d_ref: list, d_err: list, y_ref: list, rng: Rng, what: str) -> None:
    """``ad.trace``'s recorded sweeps (a separate code path from the transforms): the forward
    sweep seeded with ``vs`` gives ``J·v``, the reverse sweep seeded with ``u`` gives ``uᵀJ``."""
    try:
        t = ad.trace(g, *xs)
    except ad.UnsupportedOperation as e:
        if "does not depend on the inputs" in str(e):
            return  # ad.trace's documented refusal of constant outputs; the transforms gave zeros above
        raise
    names = list(t.input_names)
    if len(names) != len(xs):
        raise Mismatch(f"{what} trace: {len(names)} input nodes for {len(xs)} inputs")
    for k, (a, b) in enumerate(zip(leaves(t.value) if hasattr(t, "value") else [], y_ref)):
        close(a, b, 0, f"{what} trace value[{k}]", rtol=1e-9, atol=1e-12)
    fwd = t.forward(dict(zip(names, vs)))
    got = leaves(fwd.result) if len(y_ref) > 1 else [fwd.result]
    if len(got) != len(y_ref):
        raise Mismatch(f"{what} trace forward: {len(got)} tangents for {len(y_ref)} outputs")
    for k, (a, b, e) in enumerate(zip(got, d_ref, d_err)):
        close(a, b, e, f"{what} trace forward tangent[{k}]")
    us = [rng.gen.standard_normal(np.shape(b)) for b in y_ref]
    rev = t.reverse(us[0] if len(us) == 1 else tuple(us))
    cts = [rev.result[n] for n in names]
    for k, (c, x) in enumerate(zip(cts, xs)):
        if np.shape(c) != np.shape(x):
            raise Mismatch(f"{what} trace reverse adjoint[{k}]: shape {np.shape(c)}, expected {np.shape(x)}")
    close(_dot(cts, vs), _dot(us, d_ref), _dot([np.abs(u) for u in us], d_err), f"{what} trace reverse <ū, J v>")


def check(f: Callable, args: Sequence[Any], argnums: Sequence[int] | None = None, order: int = 2,
          modes: Sequence[str] = ("fwd", "rev", "trace"), jac: bool = True, seed: int = 0, what: str = "") -> None:
    """autograd's ``check_grads`` done independently: first order, then second order on the
    derivative functions adviz builds, in every pairing of the requested modes."""
    rng = Rng(np.random.default_rng(seed + 1000 * SEED))
    args = list(args)
    nums = list(range(len(args))) if argnums is None else list(argnums)

    def g(*xs):
        full = list(args)
        for k, x in zip(nums, xs):
            full[k] = x
        return f(*full)

    xs = [args[k] for k in nums]
    plain(f, args)  # a broken case is BadCase, not a verdict on adviz
    first_order(g, xs, rng, what or "f", modes, jac)
    if order < 2:
        return
    vs = [rng.like(x) for x in xs]
    if "fwd" in modes:
        def jv(*zs):
            return ad.jvp(g, tuple(zs), tuple(vs))[1]
        first_order(jv, xs, rng, f"{what} (x ↦ J·v)", [m for m in modes if m != "trace"], jac=False)
    if "rev" in modes:
        y_ref = plain(g, xs)
        us = [rng.gen.standard_normal(np.shape(b)) for b in y_ref]

        def vj(*zs):
            y, pull = ad.vjp(g, *zs)
            return pull(rebuild(y, us))
        first_order(vj, xs, rng, f"{what} (x ↦ uᵀJ)", [m for m in modes if m != "trace"], jac=False)
        trees = any(structure(x) != "*" for x in xs)
        if not trees and len(y_ref) == 1 and y_ref[0].shape == () and sum(np.size(x) for x in xs) <= 12:
            for i, x in enumerate(xs):
                H = ad.hessian(g, argnums=i)(*xs)
                gi = lambda *zs: ad.grad(g, argnums=i)(*zs)  # noqa: E731
                close(H, *jacobian_by_columns(gi, xs, i, np.shape(x)), f"{what} hessian[{i}]")


# ----------------------------------------------------------------------------- cases and tally


@dataclass
class Case:
    name: str
    run: Callable[[], None]
    group: str = ""


def refusal(exc: BaseException) -> bool:
    return isinstance(exc, (ad.UnsupportedOperation, ad.EscapedTracerError))


def classify(exc: BaseException | None) -> str:
    if exc is None:
        return "pass"
    if isinstance(exc, Mismatch):
        return "wrong"
    if refusal(exc):
        return "refused"
    return "crash"


def run_case(case: Case) -> tuple[str, str]:
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            case.run()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the tally is the point
        kind = classify(exc)
        if isinstance(exc, BadCase):
            kind = "crash"
        where = ""
        if kind == "crash":
            tb = traceback.extract_tb(exc.__traceback__)
            if tb:
                where = f" [{tb[-1].filename.split('/')[-1]}:{tb[-1].lineno}]"
        return kind, f"{type(exc).__name__}: {str(exc)[:400]}{where}"
    return "pass", ""


def tally(cases: Sequence[Case]) -> tuple[Counter, list[tuple[str, str, str]]]:
    counts: Counter = Counter()
    notes = []
    for c in cases:
        kind, msg = run_case(c)
        counts[kind] += 1
        if kind != "pass":
            notes.append((kind, c.name, msg))
    return counts, notes


def expect_error(fn: Callable[[], Any], *, words: Sequence[str] = ()) -> None:
    """The call must raise a clear error (adviz's refusal, or a TypeError/ValueError whose message
    says something); returning a value is WRONG.  ``words``: one must appear in the message."""
    try:
        out = fn()
    except (TypeError, ValueError, IndexError, RuntimeError) as exc:  # UnsupportedOperation is a TypeError
        msg = str(exc)
        if not msg or (words and not any(w.lower() in msg.lower() for w in words)):
            raise Mismatch(f"unclear error: {type(exc).__name__}: {msg[:200]}") from exc
        return
    raise Mismatch(f"expected a clear error, got a result {out!r:.120}")
