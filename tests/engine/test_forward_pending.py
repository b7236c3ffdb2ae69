"""Tangents computed when read (``forward.Pending``), under ``jvp(grad(f))`` and ``hessian``.

Beneath a reverse transform the forward interpreter records the tangent of a large
elementwise result (or of ``sum``) as a pending computation, and computes it only when
something reads it.  Skipping a tangent is only right if nobody needed it, and computing
it later is only right if it comes out the same: so every Hessian-vector product here is
checked against an independent reference (central differences of a complex-step or
finite-difference gradient, or a formula derived by hand) *and* against the same product
with every tangent computed at once, bit for bit.  ``_DEFER_FROM = 0`` makes every array,
however small, pending.
"""

import tracemalloc

import numpy as np
import pytest

import adviz as ad
from adviz.engine import forward
from cases import softplus  # a custom_jvp rule (the user's own, JAX's API)
from reference import reference_hvp

rng = np.random.default_rng(11)


@pytest.fixture
def pending_everywhere(monkeypatch):
    monkeypatch.setattr(forward, "_DEFER_FROM", 0)


def _eager(monkeypatch, fn):
    """``fn()`` with every tangent computed at once (the behaviour before Pending)."""
    with monkeypatch.context() as m:
        m.setattr(forward, "_DEFER_FROM", float("inf"))
        return fn()


def _made(monkeypatch) -> list:
    """Every Pending made from now on (its primitive's name and the object)."""
    made = []
    init = forward.Pending.__init__

    def spy(self, interp, prim, *args):
        init(self, interp, prim, *args)
        made.append((prim.name, self))

    monkeypatch.setattr(forward.Pending, "__init__", spy)
    return made


def w5(x):
    return np.sum(np.sin(x) * np.exp(-x**2) + np.log1p(x**2))


def w5_second(x):
    return np.exp(-x * x) * ((4 * x * x - 3) * np.sin(x) - 4 * x * np.cos(x)) + 2 * (1 - x * x) / (1 + x * x) ** 2


def test_w5_computes_only_the_tangents_its_sweep_reads(monkeypatch):
    """The product's, log1p's, the sum's and Σ's tangents are f's own tangent, which grad does
    not return: never computed.  x², −x² and exp(−x²) feed second-order rules: computed."""
    x, v = rng.uniform(-2, 2, size=5000), rng.normal(size=5000)
    made = _made(monkeypatch)
    g, hv = ad.jvp(ad.grad(w5), (x,), (v,))
    np.testing.assert_allclose(hv, w5_second(x) * v, rtol=1e-12, atol=1e-12)
    computed = {name for name, p in made if p.result is not forward._UNSET}
    skipped = {name for name, p in made if p.result is forward._UNSET}
    assert computed == {"power", "negative", "exp"}
    assert skipped == {"multiply", "log1p", "add", "sum"}
    g2, hv2 = _eager(monkeypatch, lambda: ad.jvp(ad.grad(w5), (x,), (v,)))
    np.testing.assert_array_equal(hv, hv2)
    np.testing.assert_array_equal(g, g2)


def test_a_plain_jvp_and_small_arrays_compute_tangents_at_once(monkeypatch):
    monkeypatch.setattr(forward, "_DEFER_FROM", 1024)  # the default (a run may force it to 0)
    made = _made(monkeypatch)
    x, v = rng.uniform(-2, 2, size=5000), rng.normal(size=5000)
    ad.jvp(w5, (x,), (v,))  # no reverse transform inside: every tangent is the answer's
    ad.jvp(ad.grad(w5), (x[:10],), (v[:10],))  # below _DEFER_FROM
    assert made == []


W = rng.normal(size=(4, 3))
C = rng.uniform(0.5, 1.5, size=(1, 3))
# f, the shape of x, and whether the complex step may differentiate f (else finite differences)
CASES = {
    "W2": (w5, (6,), True),
    "broadcast": (lambda x: np.sum(np.sin(x[:, None] * C) * np.exp(x[:, None] - C)), (4,), True),
    "scalar*array": (lambda x: np.sum(np.tanh(x * 3.0) * (x - 1.0) ** 2), (6,), True),
    "matmul": (lambda x: np.sum(np.tanh(W @ x) ** 2), (3,), True),
    "axis sum": (lambda x: np.sum(np.exp(np.sum(x * x, axis=1)) * np.cos(x[:, 0])), (3, 2), True),
    "where": (lambda x: np.sum(np.where(x > 0, np.sin(x) * x, x ** 3)), (7,), False),
    "custom_jvp": (lambda x: np.sum(softplus(x) * np.cos(x)), (5,), True),
    "x*x": (lambda x: np.sum(x * x * np.exp(x)), (5,), True),
    "x**x": (lambda x: np.sum(x ** x * np.sin(x) + x ** (x * 0.5)), (5,), True),
    "divide": (lambda x: np.sum(np.sqrt(x) / (1.0 + x) - np.log(x) * x[::-1]), (5,), True),
    "mean of max": (lambda x: np.mean(np.maximum(x, 0.15) ** 2 + np.abs(x - 0.1) * np.minimum(x, 1.25)), (6,), False),
    "scalar": (lambda x: np.sin(x) * np.exp(x) / (1.0 + x * x), (), True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hvp_with_every_tangent_pending(name, monkeypatch, pending_everywhere):
    f, shp, analytic = CASES[name]
    x = rng.uniform(0.2, 1.2, size=shp)
    v = rng.normal(size=shp)
    if shp == ():
        x, v = float(x), float(v)
    g, hv = ad.jvp(ad.grad(f), (x,), (v,))
    ref = reference_hvp(f, [x], v, method="cs" if analytic else "fd")
    np.testing.assert_allclose(hv, ref, rtol=1e-7, atol=1e-8)
    g2, hv2 = _eager(monkeypatch, lambda: ad.jvp(ad.grad(f), (x,), (v,)))
    np.testing.assert_array_equal(hv, hv2)
    np.testing.assert_array_equal(g, g2)
    assert np.shape(hv) == shp


@pytest.mark.parametrize("name", ["W2", "broadcast", "axis sum", "custom_jvp", "x**x"])
def test_hessian_with_every_tangent_pending(name, monkeypatch, pending_everywhere):
    """jacfwd(jacrev(f)): many directions at once, through the generic reverse sweep on dual numbers."""
    f, shp, _ = CASES[name]
    x = rng.uniform(0.2, 1.2, size=shp)
    h = ad.hessian(f)(x)
    for _ in range(2):
        v = rng.normal(size=shp)
        np.testing.assert_allclose(np.tensordot(h, v, axes=v.ndim), reference_hvp(f, [x], v),
                                   rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(h, _eager(monkeypatch, lambda: ad.hessian(f)(x)))


def test_value_and_grad_under_jvp_computes_the_value_tangent(monkeypatch, pending_everywhere):
    """The tangent of f's value is returned here: the pending chain is computed when read."""
    x, v = rng.uniform(-2, 2, size=50), rng.normal(size=50)
    (y, g), (y_dot, hv) = ad.jvp(ad.value_and_grad(w5), (x,), (v,))
    grad_by_hand = (np.cos(x) - 2 * x * np.sin(x)) * np.exp(-x * x) + 2 * x / (1 + x * x)
    np.testing.assert_allclose(y_dot, np.dot(grad_by_hand, v), rtol=1e-12)
    np.testing.assert_allclose(hv, w5_second(x) * v, rtol=1e-12, atol=1e-12)
    (y2, _), (y_dot2, _) = _eager(monkeypatch, lambda: ad.jvp(ad.value_and_grad(w5), (x,), (v,)))
    assert y == y2 and y_dot == y_dot2


def test_pytrees_argnums_and_aux(monkeypatch, pending_everywhere):
    def f(p, scale):
        loss = np.sum(np.sin(p["a"]) * np.exp(p["b"]) * scale + p["a"] ** 2 * p["b"])
        return loss, {"b": np.cos(p["b"])}

    p = {"a": rng.uniform(0.2, 1.2, size=4), "b": rng.uniform(0.2, 1.2, size=4)}
    t = {"a": rng.normal(size=4), "b": rng.normal(size=4)}

    def hvp():
        return ad.jvp(lambda q: ad.grad(f, has_aux=True)(q, 1.5)[0], (p,), (t,))

    g, hv = hvp()
    flat = lambda z: np.concatenate([z[:4], z[4:]])  # noqa: E731
    loss = lambda z: f({"a": z[:4], "b": z[4:]}, 1.5)[0]  # noqa: E731
    ref = reference_hvp(loss, [flat(np.concatenate([p["a"], p["b"]]))], np.concatenate([t["a"], t["b"]]))
    np.testing.assert_allclose(np.concatenate([hv["a"], hv["b"]]), ref, rtol=1e-7, atol=1e-8)
    g2, hv2 = _eager(monkeypatch, hvp)
    for k in "ab":
        np.testing.assert_array_equal(hv[k], hv2[k])
        np.testing.assert_array_equal(g[k], g2[k])


def test_nested_third_order_and_forward_over_forward(monkeypatch, pending_everywhere):
    """A grad inside the grad (third derivative along v), and a jvp inside the jvp: each level's
    tangents come out the same whether computed at once or when read."""
    g3 = lambda x: np.sum(np.sin(x) * x ** 3)  # noqa: E731
    x, v = rng.uniform(0.2, 1.2, size=5), rng.normal(size=5)
    inner = lambda z: np.sum(ad.grad(g3)(z) * v)  # noqa: E731  (H(z)·v, a scalar: its gradient is H·v)
    third = ad.jvp(ad.grad(inner), (x,), (v,))[1]  # d/dε H(x + εv)·v
    # g''' of sin(x)·x³ written by hand: −cos·x³ − 9 sin·x² + 18 cos·x + 6 sin
    by_hand = (-np.cos(x) * x ** 3 - 9 * np.sin(x) * x ** 2 + 18 * np.cos(x) * x + 6 * np.sin(x)) * v * v
    np.testing.assert_allclose(third, by_hand, rtol=1e-11, atol=1e-11)
    np.testing.assert_array_equal(third, _eager(monkeypatch, lambda: ad.jvp(ad.grad(inner), (x,), (v,))[1]))
    ff = ad.jvp(lambda z: ad.jvp(g3, (z,), (v,))[1], (x,), (v,))[1]  # vᵀ H v
    np.testing.assert_allclose(ff, np.dot(6 * x * np.sin(x) + 6 * x * x * np.cos(x) - x ** 3 * np.sin(x), v * v),
                               rtol=1e-12)


def test_a_long_chain_is_computed_without_recursion(monkeypatch, pending_everywhere):
    """value_and_grad reads the tangent of a value thousands of pending steps deep."""
    def f(x):
        for _ in range(3000):
            x = x * 0.999 + 0.001
        return np.sum(np.sin(x))

    x, v = rng.uniform(0.2, 1.2, size=3), rng.normal(size=3)
    (y, g), (y_dot, hv) = ad.jvp(ad.value_and_grad(f), (x,), (v,))
    a = 0.999 ** 3000
    z = a * x + (1 - a)  # the loop's closed form
    np.testing.assert_allclose(y_dot, np.dot(np.cos(z) * a, v), rtol=1e-10)
    np.testing.assert_allclose(hv, -np.sin(z) * a * a * v, rtol=1e-10)


def test_pending_tangents_lower_the_peak_of_w5(monkeypatch):
    """Skipped tangents are never allocated and ad.grad lets its value go before the sweep:
    the Hessian-vector product's peak memory is lower than with every tangent computed."""
    x, v = rng.uniform(-2, 2, size=100_000), rng.normal(size=100_000)

    def peak(fn):
        fn()
        tracemalloc.start()
        fn()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top / x.nbytes

    hvp = lambda: ad.jvp(ad.grad(w5), (x,), (v,))  # noqa: E731
    assert peak(hvp) < _eager(monkeypatch, lambda: peak(hvp)) - 1.5
