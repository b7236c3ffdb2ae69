"""Issue 9 §2: pytree inputs and outputs for every transform, has_aux, trace names.

References are computed per leaf with plain NumPy (the complex step on the function of
that one leaf, the others held fixed), never by the engine.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
from rich.console import Console

import adviz as ad

rng = np.random.default_rng(3)
W = rng.normal(size=(3, 2))
B = rng.normal(size=3)
X = rng.normal(size=2)


def cs_jacobian(f, x, h=1e-30):
    """Jacobian of ``f`` at array ``x`` (shape out + in) by the complex step, plain NumPy."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in np.ndindex(x.shape or ()):
        dx = np.zeros(x.shape, dtype=complex)
        dx[i] = 1j * h
        cols.append(np.imag(np.asarray(f(x + dx))) / h)
    out_shape = np.shape(cols[0]) if cols else np.shape(f(x))
    jac = np.stack([np.reshape(c, -1) for c in cols], axis=-1) if cols else np.zeros((int(np.prod(out_shape)), 0))
    return jac.reshape(out_shape + x.shape)


def loss(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h * h)


def loss_np(W, b, x):
    h = np.tanh(W @ x + b)
    return np.sum(h * h)


PARAMS = {"W": W, "b": B}
REF = {
    "W": cs_jacobian(lambda w: loss_np(w, B, X), W),
    "b": cs_jacobian(lambda b: loss_np(W, b, X), B),
    "x": cs_jacobian(lambda x: loss_np(W, B, x), X),
}


def assert_tree_close(got, want, rtol=1e-12):
    assert type(got) is type(want), (type(got), type(want))
    if isinstance(want, dict):
        assert set(got) == set(want)
        for k in want:
            assert_tree_close(got[k], want[k], rtol)
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert_tree_close(a, b, rtol)
    elif want is None:
        assert got is None
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-14)


# ---------------------------------------------------------------- grad and value_and_grad
def test_grad_of_a_dict_of_parameters_is_a_dict():
    g = ad.grad(loss)(PARAMS, X)
    assert_tree_close(g, {"W": REF["W"], "b": REF["b"]})


def test_grad_with_tuple_argnums_over_pytrees():
    gp, gx = ad.grad(loss, argnums=(0, 1))(PARAMS, X)
    assert_tree_close(gp, {"W": REF["W"], "b": REF["b"]})
    np.testing.assert_allclose(gx, REF["x"], rtol=1e-12)


def test_nested_lists_tuples_and_none_leaves():
    layers = [(W, B), (np.eye(3), None)]

    def f(layers, x):
        (W1, b1), (W2, _) = layers
        return np.sum(np.tanh(W2 @ np.tanh(W1 @ x + b1)))

    def f_np(W1, b1, x=X):
        return np.sum(np.tanh(np.eye(3) @ np.tanh(W1 @ x + b1)))

    g = ad.grad(f)(layers, X)
    assert isinstance(g, list) and isinstance(g[0], tuple) and g[1][1] is None
    np.testing.assert_allclose(g[0][0], cs_jacobian(lambda w: f_np(w, B), W), rtol=1e-12)
    np.testing.assert_allclose(g[0][1], cs_jacobian(lambda b: f_np(W, b), B), rtol=1e-12)
    np.testing.assert_allclose(g[1][0], cs_jacobian(lambda m: np.sum(np.tanh(m @ np.tanh(W @ X + B))), np.eye(3)),
                               rtol=1e-12)


def test_namedtuple_inputs_keep_their_type():
    P = namedtuple("P", ["a", "b"])
    g = ad.grad(lambda p: p.a * np.sin(p.b))(P(2.0, 0.5))
    assert type(g) is P
    assert g.a == pytest.approx(np.sin(0.5)) and g.b == pytest.approx(2.0 * np.cos(0.5))


def test_unused_leaf_gets_zeros_and_integer_leaves_are_promoted():
    g = ad.grad(lambda p: p["used"] ** 2)({"used": 3.0, "unused": np.array([1, 2])})
    assert g["used"] == 6.0
    np.testing.assert_array_equal(g["unused"], [0.0, 0.0])
    assert g["unused"].dtype == np.float64


def test_value_and_grad_with_has_aux():
    def f(params, x):
        value = loss(params, x)
        return value, {"value_twice": 2 * value, "note": "plain"}

    (value, aux), g = ad.value_and_grad(f, has_aux=True)(PARAMS, X)
    assert value == pytest.approx(loss_np(W, B, X), rel=1e-15)
    assert aux["note"] == "plain"
    assert type(aux["value_twice"]) in (float, np.float64)  # a plain value, not a tracer
    assert aux["value_twice"] == pytest.approx(2 * value)
    assert_tree_close(g, {"W": REF["W"], "b": REF["b"]})


def test_grad_with_has_aux_returns_gradient_and_aux():
    g, aux = ad.grad(lambda x: (np.sin(x), np.cos(x)), has_aux=True)(0.3)
    assert g == pytest.approx(np.cos(0.3)) and aux == pytest.approx(np.cos(0.3))
    with pytest.raises(TypeError, match="pair"):
        ad.grad(lambda x: np.sin(x), has_aux=True)(0.3)


def test_has_aux_inside_an_outer_transform_keeps_outer_tracing():
    # aux loses only the inner transform's tracing: the outer grad still sees it
    def outer(x):
        g, aux = ad.grad(lambda y: (x * y * y, x * y), has_aux=True)(2.0)  # g = 4x, aux = 2x
        return g + aux  # 6x

    assert ad.grad(outer)(1.5) == pytest.approx(6.0)


# ---------------------------------------------------------------- vjp and jvp
def test_vjp_with_pytree_primals_and_outputs():
    def f(params, x):
        z = params["W"] @ x + params["b"]
        return {"z": z, "s": np.sum(np.sin(z))}

    y, vjp_fn = ad.vjp(f, PARAMS, X)
    np.testing.assert_allclose(y["z"], W @ X + B)
    zbar = rng.normal(size=3)
    ct_params, ct_x = vjp_fn({"z": zbar, "s": 1.5})
    # reference: z̄_total = zbar + 1.5 cos(z); W̄ = z̄ xᵀ; b̄ = z̄; x̄ = Wᵀ z̄
    zt = zbar + 1.5 * np.cos(W @ X + B)
    assert_tree_close(ct_params, {"W": np.outer(zt, X), "b": zt})
    np.testing.assert_allclose(ct_x, W.T @ zt, rtol=1e-12)
    with pytest.raises(ValueError, match="structure"):
        vjp_fn((zbar, 1.5))


def test_vjp_with_has_aux():
    y, vjp_fn, aux = ad.vjp(lambda x: (x * x, {"half": x / 2}), 3.0, has_aux=True)
    assert y == 9.0 and aux == {"half": 1.5}
    assert vjp_fn(1.0) == (6.0,)


def test_jvp_with_pytree_primals_and_tangents():
    tW, tb = rng.normal(size=W.shape), rng.normal(size=B.shape)
    y, t = ad.jvp(loss, (PARAMS, X), ({"W": tW, "b": tb}, np.zeros(2)))
    assert y == pytest.approx(loss_np(W, B, X))
    assert t == pytest.approx(np.sum(REF["W"] * tW) + np.sum(REF["b"] * tb), rel=1e-12)
    with pytest.raises(ValueError, match="structure"):
        ad.jvp(loss, (PARAMS, X), ((tW, tb), np.zeros(2)))


def test_jvp_with_has_aux():
    y, t, aux = ad.jvp(lambda x: (np.exp(x), x + 1), (0.0,), (2.0,), has_aux=True)
    assert (y, t, aux) == (1.0, 2.0, 1.0)


# ---------------------------------------------------------------- Jacobians nest as in JAX
@pytest.mark.parametrize("transform", [ad.jacfwd, ad.jacrev])
def test_jacobian_of_pytree_to_pytree_nests_out_outside_in_inside(transform):
    def f(p):
        return (p["a"] * p["b"], [np.sin(p["a"])])

    a, b = np.array([0.2, 0.5]), 1.5
    jac = transform(f)({"a": a, "b": b})
    # out structure outside: (·, [·]); in structure inside: {"a", "b"}
    assert isinstance(jac, tuple) and isinstance(jac[1], list)
    assert set(jac[0]) == {"a", "b"} and set(jac[1][0]) == {"a", "b"}
    np.testing.assert_allclose(jac[0]["a"], cs_jacobian(lambda a_: a_ * b, a))
    np.testing.assert_allclose(jac[0]["b"], cs_jacobian(lambda b_: a * b_, np.float64(b)))
    np.testing.assert_allclose(jac[1][0]["a"], np.diag(np.cos(a)))
    np.testing.assert_allclose(jac[1][0]["b"], np.zeros(2))
    assert jac[0]["a"].shape == (2, 2) and np.shape(jac[0]["b"]) == (2,)


@pytest.mark.parametrize("transform", [ad.jacfwd, ad.jacrev])
def test_jacobian_with_tuple_argnums_and_has_aux(transform):
    jac, aux = transform(lambda x, y: (x * y, "aux"), argnums=(0, 1), has_aux=True)(2.0, np.array([1.0, 3.0]))
    assert aux == "aux"
    assert isinstance(jac, tuple) and len(jac) == 2
    np.testing.assert_allclose(jac[0], [1.0, 3.0])
    np.testing.assert_allclose(jac[1], 2.0 * np.eye(2))


def test_hessian_of_a_dict_function_nests_like_jax():
    def f(p):
        return p["x"] ** 2 * p["y"] + np.sum(p["v"] ** 3)

    x, y, v = 1.5, -0.5, np.array([0.3, 0.7])
    H = ad.hessian(f)({"x": x, "y": y, "v": v})
    assert set(H) == {"x", "y", "v"} and all(set(H[k]) == {"x", "y", "v"} for k in H)
    assert H["x"]["x"] == pytest.approx(2 * y) and H["x"]["y"] == pytest.approx(2 * x)
    assert H["y"]["x"] == pytest.approx(2 * x) and H["y"]["y"] == pytest.approx(0.0)
    np.testing.assert_allclose(H["v"]["v"], np.diag(6 * v))
    assert H["x"]["v"].shape == (2,) and H["v"]["x"].shape == (2,)


def test_hessian_with_has_aux():
    H, aux = ad.hessian(lambda x: (np.sum(x**3), "note"), has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, np.diag([6.0, 12.0]))
    assert aux == "note"


# ---------------------------------------------------------------- traces name their inputs by key path
def test_trace_names_pytree_inputs_by_their_key_paths():
    t = ad.trace(loss, PARAMS, X)
    assert t.input_names == ('params["W"]', 'params["b"]', "x")
    assert 'params["W"] @ x' in t.to_text()
    g = t.gradient()
    assert_tree_close(g, {"params": {"W": REF["W"], "b": REF["b"]}, "x": REF["x"]})
    flat = t.reverse().result
    np.testing.assert_allclose(flat['params["W"]'], REF["W"], rtol=1e-12)


def test_trace_of_tuple_arguments_and_outputs():
    t = ad.trace(lambda pair, c: (pair[0] * pair[1] + c, pair[0]), (2.0, 3.0), 1.0)
    assert t.input_names == ("pair[0]", "pair[1]", "c")
    assert isinstance(t.value, tuple) and t.value == (7.0, 2.0)
    assert len(t.outputs) == 2


def test_trace_views_show_the_key_path_names():
    t = ad.trace(loss, PARAMS, X)
    console = Console(width=200, record=True, color_system=None)
    console.print(t.table())
    console.print(t.table("reverse"))
    text = console.export_text()
    assert 'params["W"]' in text and 'params["b"]' in text
    assert 'params["W̄"]' in text  # the adjoint's bar sits on the key, not on "params"
    svg = t.to_svg()
    assert "params[&quot;W&quot;]" in svg or 'params["W"]' in svg


def test_trace_gradient_of_plain_arguments_is_unchanged():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    g = t.gradient()
    assert set(g) == {"x1", "x2"}
    assert g["x1"] == pytest.approx(5.0 + np.cos(2.0)) and g["x2"] == pytest.approx(2.0)
