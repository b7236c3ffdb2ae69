"""Forward mode's reuse of values under a nested transform (``forward.py``).

Under ``jvp(grad(f))`` the forward sweep remembers ``sin(x)`` and its partial ``cos(x)`` so
that the reverse rules inside (which ask for ``cos(x)`` and its tangent ``−sin(x)·ẋ``) need
not evaluate them again.  A wrong declaration or a stale value would be a silently wrong
second derivative, so every result here is checked against formulas derived by hand.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import tape as tape_module
from adviz.engine.primitives import REGISTRY
from second_derivatives import SECOND

rng = np.random.default_rng(11)


def test_every_reuse_declaration_is_the_partial_itself():
    x = rng.uniform(-2, 2, size=50)
    declared = [(prim, p) for prim in REGISTRY.values() if prim.partials for p in prim.partials
                if p is not None and p.reuse is not None]
    shared = {prim.name for prim in tape_module.reusing_primitives()}
    assert {prim.name for prim, _ in declared} == shared == {"sin", "cos", "sinh", "cosh"}
    for prim, p in declared:
        name, sign = p.reuse
        assert name in shared  # the partial's primitive shares its values back
        np.testing.assert_array_equal(p.fn(prim.impl(x), x), sign * REGISTRY[name].impl(x))


@pytest.mark.parametrize("small", [False, True])
@pytest.mark.parametrize("name", list(SECOND))
def test_hessian_vector_products_match_formulas(name, small, monkeypatch):
    if small:
        monkeypatch.setattr(tape_module, "SHARE_FROM", 0)  # small arrays take the same path
    f, second = SECOND[name]
    x = rng.uniform(-2, 2, size=7 if small else 3000)
    v = rng.normal(size=x.shape)
    ref = second(x) * v
    np.testing.assert_allclose(ad.jvp(ad.grad(f), (x,), (v,))[1], ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ad.grad(lambda t: np.sum(ad.grad(f)(t) * v))(x), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ad.jvp(lambda t: ad.jvp(f, (t,), (v,))[1], (x,), (v,))[1], np.sum(ref * v),
                               rtol=1e-10)
    if small:
        np.testing.assert_allclose(ad.hessian(f)(x), np.diag(second(x)), rtol=1e-12, atol=1e-12)


def test_a_batched_tangent_reuses_values_correctly(monkeypatch):
    monkeypatch.setattr(tape_module, "SHARE_FROM", 0)
    f, second = SECOND["W2"]
    x = rng.uniform(-2, 2, size=5)
    np.testing.assert_allclose(ad.jacfwd(ad.grad(f))(x), np.diag(second(x)), rtol=1e-12, atol=1e-12)


def test_the_first_derivative_is_unchanged():
    x = rng.uniform(-2, 2, size=3000)
    v = rng.normal(size=x.shape)
    for f, d in [(np.sin, np.cos), (np.cos, lambda x: -np.sin(x)), (np.sinh, np.cosh), (np.cosh, np.sinh)]:
        y, y_dot = ad.jvp(f, (x,), (v,))
        np.testing.assert_array_equal(y, f(x))
        np.testing.assert_allclose(y_dot, d(x) * v, rtol=1e-15, atol=1e-15)


def test_a_plain_jvp_remembers_nothing():
    x = rng.uniform(-2, 2, size=3000)
    remembered = {}

    def f(t):
        y = np.cos(np.sin(t))
        remembered["n"] = len(t._interp._seen)  # nothing nested runs: nothing kept
        return y

    ad.jvp(f, (x,), (np.ones_like(x),))
    assert remembered["n"] == 0


def test_remembered_values_die_with_their_operand():
    x = rng.uniform(-2, 2, size=3000)
    counts = {}

    def f(t):
        g = ad.grad(lambda u: np.sum(np.sin(u)))(t)
        counts["input"] = len(t._interp._seen)
        g = g + ad.grad(lambda u: np.sum(np.sin(u * 2.0)))(t)
        counts["temporary"] = len(t._interp._seen)
        return np.sum(g)

    ad.jvp(f, (x,), (np.ones_like(x),))
    assert counts["input"] == 1  # sin(x) and cos(x), kept while x lives
    # sin was applied to the temporary u * 2.0: once it is gone, so is what was remembered
    assert counts["temporary"] == 1


@pytest.mark.parametrize("f", [
    lambda x: np.sin(x) + np.ones(2),                       # the constant's zero tangent is never built
    lambda x: np.where(x > 0.5, x, np.float64(1.0)),
    lambda x: np.concatenate([x, np.ones(2)]),
    lambda x: np.maximum(x, np.array([0.5, 0.5])),
    lambda x: x - np.float64(2.0),
], ids=["add", "where", "concatenate", "maximum", "subtract-np.float64"])
def test_a_tangent_has_its_primals_dtype_when_a_float64_constant_promotes_float32(f):
    """NumPy promotes ``float32 + float64`` to float64; the tangent must follow (JAX's rule: a
    tangent has its primal's dtype), in one direction and batched."""
    x = np.array([0.3, 0.7], dtype=np.float32)
    y, y_dot = ad.jvp(f, (x,), (np.ones(2, np.float32),))
    assert np.result_type(y) == np.result_type(f(x)) == np.float64
    assert np.result_type(y_dot) == np.float64
    J = ad.jacfwd(f)(x)
    assert J.dtype == np.float64
    h = 1e-3
    fd = (f(x.astype(np.float64) + h) - f(x.astype(np.float64) - h)) / (2 * h)
    np.testing.assert_allclose(y_dot, fd, atol=1e-6)
    np.testing.assert_allclose(J.sum(axis=-1), fd, atol=1e-6)
    assert np.result_type(ad.jvp(lambda x: x + 2.5, (x,), (x,))[1]) == np.float32  # NEP 50: a Python float is weak
