"""The public API contract of ARCHITECTURE.md, checked from the outside.

JAX's names and semantics: signatures and defaults, result shapes and types (a float in, a
0-d value out; ``vjp_fn`` returns a tuple), pytrees in and out, ``has_aux``, custom rules,
``stop_gradient``, ``checkpoint``, nesting without perturbation confusion, escaped tracers
and threads.  References are analytic formulas or central differences, never the engine.
"""

from __future__ import annotations

import inspect
import threading

import numpy as np
import pytest

import adviz as ad
from reference import reference_grad


def cd(f, x):
    """The gradient by central differences (tests/engine/reference.py): the independent reference."""
    return reference_grad(f, [x], method="fd", h=1e-6)

rng = np.random.default_rng(0)

def f(x, W):
    return np.sum(np.tanh(W @ x))

X = rng.normal(size=3)
W = rng.normal(size=(2, 3))

def test_names():
    for n in ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "parse", "trace",
              "custom_jvp", "custom_vjp", "stop_gradient", "checkpoint", "Expression", "Trace"]:
        assert hasattr(ad, n), n

def test_signatures_defaults():
    for n in ["grad","value_and_grad","jacfwd","jacrev","hessian"]:
        p = inspect.signature(getattr(ad, n)).parameters
        assert "argnums" in p and p["argnums"].default == 0, n
    for n in ["grad","value_and_grad","vjp"]:
        p = inspect.signature(getattr(ad, n)).parameters
        assert "has_aux" in p and p["has_aux"].default is False, n

def test_grad_argnums():
    g = ad.grad(f)(X, W)
    assert g.shape == X.shape
    np.testing.assert_allclose(g, cd(lambda x: f(x, W), X), rtol=1e-6, atol=1e-8)
    gW = ad.grad(f, argnums=1)(X, W)
    np.testing.assert_allclose(gW, cd(lambda w: f(X, w), W), rtol=1e-6, atol=1e-8)
    t = ad.grad(f, argnums=(1, 0))(X, W)
    assert isinstance(t, tuple) and len(t) == 2
    np.testing.assert_allclose(t[0], gW)
    np.testing.assert_allclose(t[1], g)

def test_value_and_grad():
    v, g = ad.value_and_grad(f)(X, W)
    assert np.isclose(v, f(X, W))
    np.testing.assert_allclose(g, cd(lambda x: f(x, W), X), rtol=1e-6, atol=1e-8)

def test_jvp():
    dx = rng.normal(size=3)
    dW = rng.normal(size=(2, 3))
    y, yd = ad.jvp(f, (X, W), (dx, dW))
    h = 1e-6
    ref = (f(X + h*dx, W + h*dW) - f(X - h*dx, W - h*dW)) / (2*h)
    assert np.isclose(y, f(X, W))
    assert np.isclose(yd, ref, rtol=1e-6)

def test_vjp():
    y, fn = ad.vjp(f, X, W)
    out = fn(np.float64(1.0))
    assert isinstance(out, tuple) and len(out) == 2
    np.testing.assert_allclose(out[0], cd(lambda x: f(x, W), X), rtol=1e-6, atol=1e-8)
    y, fn = ad.vjp(np.sin, X)
    out = fn(np.ones(3))
    assert isinstance(out, tuple) and len(out) == 1
    np.testing.assert_allclose(out[0], np.cos(X))

def test_jac_shapes():
    g = lambda x, W: np.tanh(W @ x)
    J1 = ad.jacfwd(g)(X, W)
    J2 = ad.jacrev(g)(X, W)
    assert J1.shape == (2, 3) and J2.shape == (2, 3)
    ref = (1 - np.tanh(W @ X)**2)[:, None] * W
    np.testing.assert_allclose(J1, ref, rtol=1e-12)
    np.testing.assert_allclose(J2, ref, rtol=1e-12)
    JW = ad.jacrev(g, argnums=1)(X, W)
    assert JW.shape == (2, 2, 3)
    JW2 = ad.jacfwd(g, argnums=1)(X, W)
    np.testing.assert_allclose(JW, JW2, rtol=1e-12)
    M = rng.normal(size=(2, 2))
    assert ad.jacfwd(lambda m: m * 2.0)(M).shape == (2,2,2,2)

def test_hessian():
    H = ad.hessian(f)(X, W)
    assert H.shape == (3, 3)
    t = np.tanh(W @ X)
    ref = W.T @ np.diag(-2*t*(1-t**2)) @ W
    np.testing.assert_allclose(H, ref, rtol=1e-10, atol=1e-12)

def test_scalar_in_0d_out():
    d = ad.grad(lambda x: np.sin(x**2 + 1))(3.0)
    assert np.ndim(d) == 0
    assert np.isclose(d, np.cos(10) * 6)

def test_unused_arg_zeros():
    g = ad.grad(lambda x, y: x * 2.0, argnums=(0, 1))(1.0, np.ones(3))
    assert g[1] is not None and np.array_equal(g[1], np.zeros(3))

def test_inputs_not_modified():
    x = X.copy()
    ad.grad(f)(x, W)
    ad.jacrev(lambda x: np.sin(x))(x)
    assert np.array_equal(x, X)

def test_integer_input():
    try:
        r = ad.grad(lambda x: x**2)(3)
    except Exception as e:
        assert "int" in str(e).lower()
    else:
        assert np.isclose(r, 6.0)

def test_integer_array_input():
    try:
        r = ad.grad(lambda x: np.sum(x**2))(np.array([1, 2]))
    except Exception as e:
        assert "int" in str(e).lower()
    else:
        np.testing.assert_allclose(r, [2.0, 4.0])

def test_perturbation_confusion():
    # classic: d/dx [x * d/dy (x + y)] = 1
    r = ad.grad(lambda x: x * ad.grad(lambda y: x + y)(1.0))(1.0)
    assert np.isclose(r, 1.0)
    r = ad.grad(lambda x: x * ad.grad(lambda y: x * y)(1.0))(3.0)
    assert np.isclose(r, 6.0)
    # jvp nesting
    r = ad.jvp(lambda x: x * ad.jvp(lambda y: x * y, (1.0,), (1.0,))[1], (3.0,), (1.0,))[1]
    assert np.isclose(r, 6.0)

def test_grad_of_grad():
    d2 = ad.grad(ad.grad(lambda x: np.sin(x) * x))(0.7)
    assert np.isclose(d2, 2*np.cos(0.7) - 0.7*np.sin(0.7))

def test_hessian_fwd_over_rev_matches():
    q = lambda x: np.sum(np.exp(x[0]*x) * x)
    x = np.array([0.3, -0.2, 0.5])
    H = ad.hessian(q)(x)
    Hn = np.array([cd(lambda z: ad.grad(q)(z)[i], x) for i in range(3)])
    np.testing.assert_allclose(H, Hn, rtol=1e-6, atol=1e-8)

def test_pytrees():
    params = {"W": W, "b": np.array([0.1, -0.2])}
    loss = lambda p, x: np.sum(np.tanh(p["W"] @ x + p["b"]) ** 2)
    g = ad.grad(loss)(params, X)
    assert isinstance(g, dict) and set(g) == {"W", "b"}
    np.testing.assert_allclose(g["W"], cd(lambda w: loss({"W": w, "b": params["b"]}, X), W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g["b"], cd(lambda b: loss({"W": W, "b": b}, X), params["b"]), rtol=1e-6, atol=1e-8)
    # nested list/tuple
    g = ad.grad(lambda p: p[0] * p[1][0] + p[1][1])([2.0, (3.0, 4.0)])
    assert isinstance(g, list) and isinstance(g[1], tuple)
    assert np.isclose(g[0], 3.0) and np.isclose(g[1][0], 2.0) and np.isclose(g[1][1], 1.0)

def test_jacrev_tuple_out():
    J = ad.jacrev(lambda x: (np.sin(x), 2*x))(1.0)
    assert isinstance(J, tuple) and np.isclose(J[0], np.cos(1.0)) and np.isclose(J[1], 2.0)
    J = ad.jacfwd(lambda x: {"a": np.sin(x), "b": 2*x})(1.0)
    assert isinstance(J, dict) and np.isclose(J["a"], np.cos(1.0)) and np.isclose(J["b"], 2.0)

def test_vjp_tuple_out():
    y, fn = ad.vjp(lambda x: (np.sin(x), 2*x), 1.0)
    assert isinstance(y, tuple)
    for v in y:                          # plain values, no tracer leaks into the primal
        assert type(v).__module__.startswith("numpy") or isinstance(v, float)
    (xb,) = fn((1.0, 1.0))
    assert np.isclose(xb, np.cos(1.0) + 2)

def test_jvp_pytree():
    y, yd = ad.jvp(lambda p: p["a"] * p["b"], ({"a": 2.0, "b": 3.0},), ({"a": 1.0, "b": 0.0},))
    assert np.isclose(y, 6.0) and np.isclose(yd, 3.0)

def test_hessian_pytree():
    H = ad.hessian(lambda p: p["a"]**2 * p["b"])({"a": 2.0, "b": 3.0})
    assert isinstance(H, dict) and isinstance(H["a"], dict)
    assert np.isclose(H["a"]["a"], 6.0) and np.isclose(H["a"]["b"], 4.0) and np.isclose(H["b"]["b"], 0.0)

def test_has_aux():
    g, aux = ad.grad(lambda x: (x**2, {"v": x}), has_aux=True)(3.0)
    assert np.isclose(g, 6.0) and np.isclose(aux["v"], 3.0)
    assert isinstance(aux["v"], (float, np.floating, np.ndarray))
    (v, aux), g = ad.value_and_grad(lambda x: (x**2, "s"), has_aux=True)(3.0)
    assert np.isclose(v, 9.0) and aux == "s" and np.isclose(g, 6.0)
    y, fn, aux = ad.vjp(lambda x: (x**2, x + 1), 3.0, has_aux=True)
    assert np.isclose(y, 9) and np.isclose(aux, 4) and np.isclose(fn(1.0)[0], 6.0)

def test_custom_jvp():
    @ad.custom_jvp
    def g(x):
        return np.log1p(np.exp(x))
    @g.defjvp
    def g_jvp(primals, tangents):
        (x,), (xd,) = primals, tangents
        return g(x), xd * 0.5            # not the true derivative: shows the user's rule is the one used
    assert np.isclose(ad.grad(g)(1.0), 0.5)
    assert np.isclose(ad.jvp(g, (1.0,), (2.0,))[1], 1.0)

def test_custom_vjp():
    @ad.custom_vjp
    def g(x):
        return np.sin(x)
    def fwd(x):
        return np.sin(x), np.cos(x)
    def bwd(res, gb):
        return (gb * res * 3.0,)
    g.defvjp(fwd, bwd)
    assert np.isclose(ad.grad(g)(1.0), 3*np.cos(1.0))

def test_stop_gradient():
    assert np.isclose(ad.grad(lambda x: x * ad.stop_gradient(x))(3.0), 3.0)

def test_checkpoint():
    h = ad.checkpoint(lambda x: np.sin(np.cos(x)))
    assert np.isclose(ad.grad(h)(0.4), -np.cos(np.cos(0.4)) * np.sin(0.4))
    H = ad.hessian(lambda x: h(x) * x)(0.4)
    assert np.ndim(H) == 0

def test_escaped_tracer():
    box = []
    def g(x):
        box.append(x)                    # the traced value escapes its transform
        return x * 2
    ad.grad(g)(1.0)
    with pytest.raises(Exception) as ei:
        r = box[0] * 3.0
        float(r)
    assert "transform" in str(ei.value).lower() or "escap" in str(ei.value).lower() or "ended" in str(ei.value).lower()

def test_threads():
    res = []
    def work():
        for _ in range(20):
            res.append(ad.grad(lambda x: x * ad.grad(lambda y: x * y)(1.0))(3.0))
    ts = [threading.Thread(target=work) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(res) == 160 and all(np.isclose(r, 6.0) for r in res)

def test_control_flow():
    def fb(x):                           # the seeds' example: the executed branch is differentiated
        if x > 0:
            return x * x
        return -x
    assert np.isclose(ad.grad(fb)(3.0), 6.0)
    assert np.isclose(ad.grad(fb)(-3.0), -1.0)

def test_nondiff_plain():
    assert np.isclose(ad.grad(lambda x: np.sign(x) * x)(-2.0), -1.0)
    assert np.isclose(ad.grad(lambda x: x * (x > 0))(2.0), 1.0)

def test_unsupported_named():
    with pytest.raises(Exception) as ei:
        ad.grad(lambda x: np.sum(np.fft.fft(x).real))(np.ones(4))
    assert "fft" in str(ei.value)

def test_numpy_surface():
    x = rng.normal(size=(3, 4))
    c = x > 0
    fns = [
        lambda x: np.sum(np.sin(x), axis=0) @ np.ones(4),
        lambda x: np.sum(x[1:3] ** 2),
        lambda x: np.sum(np.where(c, x, x**2)),
        lambda x: np.sum(x @ x.T),
        lambda x: np.mean(np.exp(x)) + np.max(x),
    ]
    for fn in fns:
        np.testing.assert_allclose(ad.grad(fn)(x), cd(fn, x), rtol=1e-6, atol=1e-7)

def test_parse():
    e = ad.parse("sin(x**2 + 1)")
    assert isinstance(e, ad.Expression)
    assert e.variables == ("x",)
    assert np.isclose(e(x=3.0), np.sin(10.0))
    with pytest.raises(Exception):
        ad.parse("__import__('os')")

def test_trace_entry_points():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    assert isinstance(t, ad.Trace)
    t2 = ad.trace(f, X, W)
    assert isinstance(t2, ad.Trace)


def test_grad_of_several_outputs_refuses_in_plain_words():
    with pytest.raises(TypeError, match="a tuple of 2 values") as err:
        ad.grad(lambda x: (x, x * 2))(1.0)
    assert "TreeDef" not in str(err.value)
    with pytest.raises(TypeError, match="returned None"):
        ad.grad(lambda x: None)(1.0)
