"""One derivative check for the linear-algebra tests, in the style of autograd's ``check_grads``.

:func:`check_derivatives` compares adviz with references it did not compute:

* the value with NumPy's own result on plain arrays;
* forward mode (``jvp``) with 8th-order central differences of NumPy's function along a
  random direction ``v``;
* reverse mode (``vjp``) by the dot-product identity ``⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩``, with
  ``J v`` from those same finite differences;
* the batched paths: ``jacfwd(f)`` contracted with ``v`` and ``jacrev(f)`` contracted with
  ``ȳ`` and ``v`` against the same numbers;
* second order, on the scalar ``g = ⟨ȳ, f⟩``: ``jvp`` of ``grad g`` (forward over reverse)
  and ``grad ⟨grad g, u⟩`` (reverse over reverse) against central differences of the
  gradient (itself checked at first order).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import adviz as ad

try:
    from .reference import central_difference_jvp
except ImportError:  # pragma: no cover - depends on pytest's import mode
    from reference import central_difference_jvp  # type: ignore[no-redef]


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def _flat(x: Any) -> np.ndarray:
    parts = x if isinstance(x, tuple) else (x,)
    return np.concatenate([np.ravel(np.asarray(p, dtype=np.float64)) for p in parts]) if parts else np.zeros(0)


def _close(got: Any, want: Any, rtol: float, what: str) -> None:
    got, want = _flat(got), _flat(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    err = float(np.max(np.abs(got - want))) if want.size else 0.0
    assert err <= rtol * scale, f"{what}: max error {err:.3g} (scale {scale:.3g})\n got {got}\nwant {want}"


def _close_scalar(a: float, b: float, rtol: float, what: str) -> None:
    assert abs(a - b) <= rtol * max(1.0, abs(a), abs(b)), f"{what}: {a!r} != {b!r}"


def check_derivatives(f: Callable, *primals: Any, name: str = "", order: int = 2, h: float = 1e-3,
                      rtol: float = 1e-6, batched: bool = True) -> None:
    """Check ``f``'s value, JVP, VJP, jacfwd/jacrev and (``order=2``) second derivatives."""
    name = name or getattr(f, "__name__", "f")
    rng = rng_for(name)
    xs = [np.asarray(p, dtype=np.float64) for p in primals]
    vs = [rng.standard_normal(x.shape) for x in xs]
    expected = np.asarray(f(*xs))
    w = rng.standard_normal(expected.shape)

    y, y_dot = ad.jvp(f, tuple(xs), tuple(vs))
    _close(y, expected, 1e-12, f"{name}: value")
    assert np.shape(y) == expected.shape, f"{name}: value shape {np.shape(y)} != NumPy's {expected.shape}"
    jv = central_difference_jvp(f, xs, vs, h=h)
    _close(y_dot, jv, rtol, f"{name}: jvp")

    y2, vjp_fn = ad.vjp(f, *xs)
    _close(y2, expected, 1e-12, f"{name}: vjp value")
    x_bars = vjp_fn(w)
    assert len(x_bars) == len(xs)
    for xb, x in zip(x_bars, xs):
        assert np.shape(xb) == x.shape, f"{name}: cotangent shape {np.shape(xb)} != {x.shape}"
    lhs = float(np.sum(w * jv))
    rhs = float(sum(np.sum(xb * v) for xb, v in zip(x_bars, vs)))
    _close_scalar(lhs, rhs, rtol, f"{name}: <w, Jv> (finite differences) vs <J^T w, v> (vjp)")

    argnums = tuple(range(len(xs)))
    if batched:
        jf = ad.jacfwd(f, argnums=argnums)(*xs)
        jr = ad.jacrev(f, argnums=argnums)(*xs)
        k = expected.ndim
        for J, kind in ((jf, "jacfwd"), (jr, "jacrev")):
            J_v = sum(np.tensordot(Ji, v, axes=v.ndim) if v.ndim else Ji * v for Ji, v in zip(J, vs))
            _close(J_v, jv, rtol, f"{name}: {kind} · v")
            wJ = [np.tensordot(w, Ji, axes=k) for Ji in J]
            _close_scalar(float(sum(np.sum(a * v) for a, v in zip(wJ, vs))), lhs, rtol, f"{name}: w · {kind} · v")

    if order >= 2:
        def g(*args):
            return np.sum(f(*args) * w)

        grad_g = ad.grad(g, argnums=argnums)
        hv_ref = central_difference_jvp(lambda *a: _flat(grad_g(*a)), xs, vs, h=h)
        _, hv = ad.jvp(grad_g, tuple(xs), tuple(vs))
        _close(hv, hv_ref, 10 * rtol, f"{name}: H v (forward over reverse)")
        us = [rng.standard_normal(x.shape) for x in xs]
        rr = ad.grad(lambda *a: sum(np.sum(p * q) for p, q in zip(grad_g(*a), us)), argnums=argnums)(*xs)
        _close_scalar(float(sum(np.sum(a * v) for a, v in zip(rr, vs))), float(np.sum(hv_ref * _flat(tuple(us)))),
                      10 * rtol, f"{name}: <grad <grad g, u>, v> (reverse over reverse)")


def random_matrix(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    return rng.standard_normal(tuple(shape))


def spd(rng: np.random.Generator, n: int, stack: Sequence[int] = ()) -> np.ndarray:
    """A well-conditioned symmetric positive definite matrix (or stack of them)."""
    B = rng.standard_normal(tuple(stack) + (n, n))
    return B @ np.swapaxes(B, -1, -2) + n * np.eye(n)


def symmetric(rng: np.random.Generator, n: int, stack: Sequence[int] = (), gap: float = 1.0) -> np.ndarray:
    """A symmetric matrix with eigenvalues at least ``gap`` apart (room for finite differences)."""
    Q = np.linalg.qr(rng.standard_normal(tuple(stack) + (n, n)))[0]
    w = np.arange(n) * gap - n * gap / 3 + rng.uniform(0, 0.1 * gap, tuple(stack) + (n,))
    return Q @ (w[..., :, None] * np.swapaxes(Q, -1, -2))


def distinct_singular(rng: np.random.Generator, shape: Sequence[int], gap: float = 1.0) -> np.ndarray:
    """A matrix whose singular values are at least ``gap`` apart and at least ``gap`` from 0."""
    *stack, m, n = shape
    k = min(m, n)
    U = np.linalg.qr(rng.standard_normal(tuple(stack) + (m, k)))[0]
    V = np.linalg.qr(rng.standard_normal(tuple(stack) + (n, k)))[0]
    s = (np.arange(k, 0, -1) * gap + rng.uniform(0, 0.1 * gap, tuple(stack) + (k,)))
    return (U * s[..., None, :]) @ np.swapaxes(V, -1, -2)
