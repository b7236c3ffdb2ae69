"""Independent derivative references for testing the adviz engine.

Everything here works on *plain NumPy callables* and never asks the engine
for a derivative, so a test that compares the engine with these numbers is
checking the engine against something it did not compute itself.

Two references are provided:

* **Complex step** (for analytic functions). If ``f`` is analytic and real on
  the reals, then ``f(x + i h v) = f(x) + i h J v + O(h^2)`` with a *real*
  ``O(h^2)`` error, so ``Im f(x + i h v) / h`` is ``J v`` with no subtraction
  and hence no cancellation: with ``h = 1e-30`` it is exact to rounding.
  It fails for code that is not analytic (``abs``, comparisons, ``max``,
  ``np.var`` of a complex array, ufuncs without complex loops such as
  ``cbrt``, ``arctan2`` and ``logaddexp``): use finite differences there.

* **Central finite differences of order 8**, optionally improved by one step
  of Richardson extrapolation. The stencil

      f'(x) ~ sum_k c_k (f(x + k h) - f(x - k h)) / h,  k = 1..4,
      c = (4/5, -1/5, 4/105, -1/280)

  has truncation error O(h^8), so a fairly large ``h = 1e-2`` already gives
  about 1e-14 relative accuracy while keeping rounding error (eps / h) small.
  The price: the points ``x +- 4 h v`` must stay on the same smooth piece of
  the function, so test inputs keep a margin from kinks and domain edges.

Second-order references (Hessian-vector products) difference a first-order
reference once more with the same stencil.

The one helper that *does* call the engine is :func:`dot_product_check`,
which checks that forward and reverse mode are adjoint to each other:
``<J v, w> == <v, J^T w>``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Array = np.ndarray

# Coefficients of the 8th-order central difference for a first derivative.
_C8 = (4.0 / 5.0, -1.0 / 5.0, 4.0 / 105.0, -1.0 / 280.0)

COMPLEX_STEP_H = 1e-30
FD_H = 1e-2


# --------------------------------------------------------------------------- helpers


def _as_float64(args: Sequence[Any]) -> list[Array]:
    return [np.asarray(a, dtype=np.float64) for a in args]


def _unit_tangents(
    primals: Sequence[Array], argnum: int, flat_index: int
) -> list[Array]:
    tangents = [np.zeros_like(p) for p in primals]
    t = np.zeros(primals[argnum].size)
    t[flat_index] = 1.0
    tangents[argnum] = t.reshape(primals[argnum].shape)
    return tangents


# --------------------------------------------------------------------------- first order


def complex_step_jvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    h: float = COMPLEX_STEP_H,
) -> Array:
    """J v by the complex step: ``Im f(x + i h v) / h`` (f must be analytic)."""
    xs = _as_float64(primals)
    vs = _as_float64(tangents)
    shifted = [x.astype(np.complex128) + 1j * h * v for x, v in zip(xs, vs)]
    out = np.asarray(f(*shifted))
    return np.imag(out) / h


def central_difference_jvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    h: float = FD_H,
    richardson: bool = False,
) -> Array:
    """J v by the 8th-order central difference along the direction v.

    With ``richardson=True`` the estimates at ``h`` and ``h/2`` are combined
    as ``D(h/2) + (D(h/2) - D(h)) / (2**8 - 1)``, cancelling the h^8 term.
    """
    xs = _as_float64(primals)
    vs = _as_float64(tangents)

    def g(t: float) -> Array:
        return np.asarray(f(*[x + t * v for x, v in zip(xs, vs)]), dtype=np.float64)

    def d(step: float) -> Array:
        acc = 0.0
        for k, c in enumerate(_C8, start=1):
            acc = acc + c * (g(k * step) - g(-k * step))
        return np.asarray(acc / step)

    if not richardson:
        return d(h)
    coarse, fine = d(h), d(h / 2)
    return fine + (fine - coarse) / (2**8 - 1)


def reference_jvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    method: str = "cs",
    h: float | None = None,
) -> Array:
    """J v with ``method`` "cs" (complex step) or "fd" (8th-order differences)."""
    if method == "cs":
        return complex_step_jvp(f, primals, tangents, h or COMPLEX_STEP_H)
    if method == "fd":
        return central_difference_jvp(f, primals, tangents, h or FD_H)
    raise ValueError(f"unknown reference method {method!r}; use 'cs' or 'fd'")


def reference_jacobian(
    f: Callable[..., Any],
    primals: Sequence[Any],
    argnum: int = 0,
    method: str = "cs",
    h: float | None = None,
) -> Array:
    """Jacobian of ``f`` w.r.t. ``primals[argnum]``, shape ``out.shape + in.shape``.

    Built one column at a time: the column for input element ``j`` is the JVP
    along the unit vector ``e_j``.
    """
    xs = _as_float64(primals)
    x = xs[argnum]
    cols = [
        reference_jvp(f, xs, _unit_tangents(xs, argnum, j), method, h)
        for j in range(x.size)
    ]
    if not cols:  # empty input
        out_shape = np.shape(f(*xs))
        return np.zeros(out_shape + x.shape)
    out_shape = np.shape(cols[0])
    jac = np.stack([np.reshape(c, (-1,)) for c in cols], axis=-1)  # (out.size, in.size)
    return jac.reshape(out_shape + x.shape)


def reference_vjp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    cotangent: Any,
    method: str = "cs",
    h: float | None = None,
) -> tuple[Array, ...]:
    """``w^T J`` for every primal: a tuple of arrays shaped like the primals."""
    w = np.asarray(cotangent, dtype=np.float64)
    out = []
    for i, x in enumerate(primals):
        jac = reference_jacobian(f, primals, i, method, h)
        x_shape = np.shape(x)
        flat = jac.reshape(w.size, -1)
        out.append((w.reshape(-1) @ flat).reshape(x_shape))
    return tuple(out)


def reference_grad(
    f: Callable[..., Any],
    primals: Sequence[Any],
    argnum: int = 0,
    method: str = "cs",
    h: float | None = None,
) -> Array:
    """Gradient of a scalar-valued ``f`` w.r.t. ``primals[argnum]``."""
    jac = reference_jacobian(f, primals, argnum, method, h)
    x_shape = np.shape(primals[argnum])
    if jac.shape != x_shape:
        raise ValueError(
            f"reference_grad needs a scalar output; Jacobian shape {jac.shape}"
        )
    return jac


def reference_derivative(
    f: Callable[[Any], Any], x: Any, method: str = "cs", h: float | None = None
) -> Array:
    """df/dx for a function of one input along the all-ones direction (elementwise f)."""
    x = np.asarray(x, dtype=np.float64)
    return reference_jvp(f, [x], [np.ones_like(x)], method, h)


# --------------------------------------------------------------------------- second order


def reference_hvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangent: Any,
    argnum: int = 0,
    method: str = "cs",
    h2: float = FD_H,
) -> Array:
    """Hessian-vector product ``H v`` of a scalar ``f`` w.r.t. ``primals[argnum]``.

    The gradient comes from ``method``; its directional derivative along ``v``
    from the 8th-order central difference with step ``h2``.
    """
    xs = _as_float64(primals)
    v = np.asarray(tangent, dtype=np.float64)

    def grad_at(x: Array) -> Array:
        args = list(xs)
        args[argnum] = x
        return reference_grad(f, args, argnum, method)

    return central_difference_jvp(grad_at, [xs[argnum]], [v], h2)


def reference_hessian(
    f: Callable[..., Any],
    primals: Sequence[Any],
    argnum: int = 0,
    method: str = "cs",
    h2: float = FD_H,
) -> Array:
    """Hessian of a scalar ``f`` w.r.t. ``primals[argnum]``, shape ``x.shape + x.shape``."""
    xs = _as_float64(primals)
    x = xs[argnum]
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = 1.0
        cols.append(
            reference_hvp(f, xs, e.reshape(x.shape), argnum, method, h2).reshape(-1)
        )
    return np.stack(cols, axis=-1).reshape(x.shape + x.shape)


# --------------------------------------------------------------------------- engine checks


def dot_product_check(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    cotangent: Any,
) -> tuple[float, float]:
    """Return ``(<J v, w>, sum_i <v_i, (J^T w)_i>)`` computed by ``ad.jvp`` and ``ad.vjp``.

    Forward and reverse mode compute the same linear map from two sides, so
    the two numbers must agree to rounding whatever ``v`` and ``w`` are.
    """
    import adviz as ad

    _, y_dot = ad.jvp(f, tuple(primals), tuple(tangents))
    _, vjp_fn = ad.vjp(f, *primals)
    x_bars = vjp_fn(cotangent)
    lhs = float(np.sum(np.asarray(y_dot, dtype=np.float64) * np.asarray(cotangent)))
    rhs = float(
        sum(
            np.sum(np.asarray(v, dtype=np.float64) * np.asarray(xb, dtype=np.float64))
            for v, xb in zip(tangents, x_bars)
        )
    )
    return lhs, rhs


def assert_close(
    got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9, what: str = ""
) -> None:
    """``assert_allclose`` with an absolute tolerance scaled by ``max(1, max|expected|)``.

    Also checks that ``got`` has exactly the expected shape (JAX semantics:
    derivatives have the shape of what they differentiate).
    """
    got_arr = np.asarray(got)
    exp_arr = np.asarray(expected)
    assert got_arr.shape == exp_arr.shape, (
        f"{what}: shape {got_arr.shape} != expected {exp_arr.shape}"
    )
    finite = exp_arr[np.isfinite(exp_arr)] if exp_arr.size else exp_arr
    scale = max(1.0, float(np.max(np.abs(finite)))) if finite.size else 1.0
    np.testing.assert_allclose(
        got_arr.astype(np.float64) if got_arr.dtype.kind != "c" else got_arr,
        exp_arr,
        rtol=rtol,
        atol=atol * scale,
        err_msg=what,
    )
