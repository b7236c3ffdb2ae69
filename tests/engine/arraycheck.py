"""``check``: one call that tests a NumPy function's derivatives in adviz against references.

For a plain NumPy callable ``fn`` and a point, it compares with the independent references
of ``reference.py`` (central differences or complex step, never the engine itself):

* the value against NumPy's;
* ``jvp`` along a random direction against the reference directional derivative;
* ``vjp`` with a random cotangent against ``wᵀJ`` from the reference Jacobian, and the
  dot-product identity ``<J v, w> = <v, Jᵀ w>`` between forward and reverse mode;
* the batched paths ``jacfwd`` and ``jacrev`` against the reference Jacobian;
* second order: ``H v`` of the scalarized function ``sum(fn(x) * w)`` by forward-over-
  reverse and by reverse-over-reverse against differences of the reference gradient.
"""

from __future__ import annotations

import zlib

import numpy as np

import adviz as ad

try:
    from .reference import assert_close, reference_hvp, reference_jacobian, reference_jvp, reference_vjp
except ImportError:  # pragma: no cover - depends on pytest's import mode
    from reference import (  # type: ignore[no-redef]
        assert_close,
        reference_hvp,
        reference_jacobian,
        reference_jvp,
        reference_vjp,
    )


def check(fn, *primals, method: str = "fd", second: bool = True, batched: bool = True, name: str = "") -> None:
    primals = tuple(np.asarray(p, dtype=np.float64) for p in primals)
    what = name or getattr(fn, "__name__", "fn")
    rng = np.random.default_rng(zlib.crc32(what.encode()))
    tol = {"rtol": 1e-6, "atol": 1e-8} if method == "cs" else {"rtol": 1e-5, "atol": 1e-7}
    expected_y = np.asarray(fn(*primals))

    tangents = tuple(rng.uniform(-1, 1, p.shape) for p in primals)
    y, y_dot = ad.jvp(fn, primals, tangents)
    assert_close(y, expected_y, rtol=1e-12, atol=1e-12, what=f"{what}: value")
    assert np.shape(y) == expected_y.shape, f"{what}: shape {np.shape(y)} != {expected_y.shape}"
    assert_close(y_dot, reference_jvp(fn, primals, tangents, method), **tol, what=f"{what}: jvp")

    w = rng.uniform(-1, 1, expected_y.shape)
    y2, vjp_fn = ad.vjp(fn, *primals)
    x_bars = vjp_fn(w)
    for i, (got, exp) in enumerate(zip(x_bars, reference_vjp(fn, primals, w, method))):
        assert_close(got, exp, **tol, what=f"{what}: vjp, argument {i}")
    lhs = float(np.sum(np.asarray(y_dot) * w))
    rhs = float(sum(np.sum(np.asarray(xb) * t) for xb, t in zip(x_bars, tangents)))
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs), abs(rhs)), f"{what}: <Jv,w>={lhs} but <v,Jᵀw>={rhs}"

    if batched:
        for i in range(len(primals)):
            jac = reference_jacobian(fn, primals, i, method)
            assert_close(ad.jacfwd(fn, argnums=i)(*primals), jac, **tol, what=f"{what}: jacfwd, argument {i}")
            assert_close(ad.jacrev(fn, argnums=i)(*primals), jac, **tol, what=f"{what}: jacrev, argument {i}")

    if second:
        def g(*args):
            return np.sum(fn(*args) * w)

        for i in range(len(primals)):
            def g_i(xi, i=i):
                args = list(primals)
                args[i] = xi
                return g(*args)

            v = tangents[i]
            expected = reference_hvp(g, primals, v, argnum=i, method=method)
            _, hv = ad.jvp(ad.grad(g_i), (primals[i],), (v,))
            assert_close(hv, expected, rtol=1e-5, atol=1e-6, what=f"{what}: H v (fwd-over-rev), argument {i}")
            rr = ad.grad(lambda xi: np.sum(ad.grad(g_i)(xi) * v))(primals[i])
            assert_close(rr, expected, rtol=1e-5, atol=1e-6, what=f"{what}: H v (rev-over-rev), argument {i}")
