"""Issue 9 §5: custom_jvp, custom_vjp, stop_gradient and checkpoint (adviz/engine/custom.py).

Every number is checked against an analytic formula written here in plain NumPy.  Rules
that deliberately differ from the true derivative prove the rule is really used.
"""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

import adviz as ad
from adviz.engine.notation import bar, dot
from adviz.engine.tracer import UnsupportedOperation
from adviz.engine.transforms import _record


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------- custom_jvp
@ad.custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp(text="sigmoid(x)")
def softplus_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    return softplus(x), x_dot * sigmoid(x)


@ad.custom_jvp
def tripled(x):
    """The identity, with a deliberately wrong rule (3·ẋ): results must show the 3."""
    return x


@tripled.defjvp
def tripled_jvp(primals, tangents):
    return primals[0], 3.0 * tangents[0]


X = np.array([0.3, -1.7, 2.5])


def test_custom_jvp_value_is_the_function_outside_transforms():
    np.testing.assert_allclose(softplus(X), np.log1p(np.exp(X)))


@pytest.mark.parametrize("x", [0.7, -3.0])
def test_custom_jvp_first_derivative_in_every_transform(x):
    assert ad.grad(softplus)(x) == pytest.approx(sigmoid(x), rel=1e-14)
    y, t = ad.jvp(softplus, (x,), (2.0,))
    assert y == pytest.approx(np.log1p(np.exp(x))) and t == pytest.approx(2 * sigmoid(x), rel=1e-14)
    (g,) = ad.vjp(softplus, x)[1](1.5)
    assert g == pytest.approx(1.5 * sigmoid(x), rel=1e-14)


@pytest.mark.parametrize("transform", [ad.jacfwd, ad.jacrev])
def test_custom_jvp_batched_jacobians(transform):
    np.testing.assert_allclose(transform(softplus)(X), np.diag(sigmoid(X)), rtol=1e-14)
    np.testing.assert_allclose(transform(tripled)(X), 3 * np.eye(3))


def test_the_rule_is_used_not_the_function():
    # d/dx x = 1, but the rule says 3: every mode must say 3
    assert ad.grad(tripled)(2.0) == 3.0
    assert ad.jvp(tripled, (2.0,), (1.0,))[1] == 3.0
    assert ad.vjp(tripled, 2.0)[1](1.0) == (3.0,)
    assert ad.grad(lambda x: tripled(x) ** 2)(2.0) == pytest.approx(2 * 2.0 * 3.0)


def test_custom_jvp_rule_gives_the_stable_derivative_where_autodiff_overflows():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # exp(1000) overflows in the primal itself
        assert ad.grad(softplus)(1000.0) == 1.0
        assert np.isnan(ad.grad(lambda x: np.log1p(np.exp(x)))(1000.0))  # what plain autodiff gives


@pytest.mark.parametrize("x", [0.4, -1.1])
def test_custom_jvp_second_derivatives_differentiate_the_rule(x):
    want = sigmoid(x) * (1 - sigmoid(x))
    assert ad.grad(ad.grad(softplus))(x) == pytest.approx(want, rel=1e-13)
    assert ad.jvp(ad.grad(softplus), (x,), (1.0,))[1] == pytest.approx(want, rel=1e-13)
    assert ad.grad(lambda x: ad.jvp(softplus, (x,), (1.0,))[1])(x) == pytest.approx(want, rel=1e-13)
    assert ad.hessian(softplus)(x) == pytest.approx(want, rel=1e-13)
    np.testing.assert_allclose(ad.hessian(lambda v: np.sum(softplus(v)))(X),
                               np.diag(sigmoid(X) * (1 - sigmoid(X))), rtol=1e-13)


def test_custom_jvp_with_two_arguments_pytrees_and_nondiff_argnums():
    @ad.custom_jvp
    def scaled_dot(p, x):
        return p["a"] * x + p["b"]

    @scaled_dot.defjvp
    def scaled_dot_jvp(primals, tangents):
        (p, x), (tp, tx) = primals, tangents
        return scaled_dot(p, x), tp["a"] * x + p["a"] * tx + 10.0 * tp["b"]  # deliberate 10 on b

    p = {"a": 2.0, "b": 0.5}
    g = ad.grad(scaled_dot, argnums=(0, 1))(p, 3.0)
    assert g == ({"a": 3.0, "b": 10.0}, 2.0)

    @ad.custom_jvp
    def power(n, x):
        return x ** n

    power.nondiff_argnums = (0,)

    @power.defjvp
    def power_jvp(n, primals, tangents):
        (x,), (t,) = primals, tangents
        return power(n, x), n * x ** (n - 1) * t

    assert ad.grad(power, argnums=1)(3, 2.0) == pytest.approx(12.0)
    assert ad.jacfwd(power, argnums=1)(3, np.array([1.0, 2.0])).tolist() == [[3.0, 0.0], [0.0, 12.0]]


def test_custom_jvp_defjvps_one_rule_per_argument():
    @ad.custom_jvp
    def f(x, y):
        return np.sin(x) * y

    f.defjvps(lambda t, ans, x, y: np.cos(x) * y * t, lambda t, ans, x, y: 7.0 * t)  # deliberate 7
    gx, gy = ad.grad(f, argnums=(0, 1))(0.4, 2.0)
    assert gx == pytest.approx(np.cos(0.4) * 2.0) and gy == 7.0
    assert ad.jvp(f, (0.4, 2.0), (0.0, 1.0))[1] == 7.0


def test_custom_jvp_error_cases():
    @ad.custom_jvp
    def f(x):
        return x

    with pytest.raises(AttributeError, match="no JVP rule"):
        ad.grad(f)(1.0)

    @f.defjvp
    def bad_pair(primals, tangents):
        return primals[0]

    with pytest.raises(TypeError, match="must return a pair"):
        ad.grad(f)(1.0)

    @f.defjvp
    def bad_shape(primals, tangents):
        return primals[0], np.ones(3)

    with pytest.raises(ValueError, match="tangent of shape"):
        ad.jvp(f, (np.ones(2),), (np.ones(2),))

    @f.defjvp
    def bad_primal(primals, tangents):
        return tangents[0], tangents[0]

    with pytest.raises(TypeError, match="primal output"):
        ad.grad(f)(1.0)
    with pytest.raises(ValueError, match="not a parameter"):
        f.defjvp(bad_pair, text={"y": "1"})

    @ad.custom_jvp
    def g(n, x):
        return n * x

    g.nondiff_argnums = (0,)
    g.defjvp(lambda n, p, t: (g(n, p[0]), n * t[0]))
    with pytest.raises(UnsupportedOperation, match="nondiff_argnums but holds a traced value"):
        ad.grad(lambda x: g(x, 2.0))(1.0)


def test_custom_jvp_is_one_node_showing_the_rule_in_tables_and_graphs():
    t = ad.trace(lambda x: softplus(x) * 2.0, 0.7)
    assert [n.definition for n in t.nodes] == ["input", "softplus(x)", "v1 * 2"]
    node = t.nodes[1]
    assert node.custom_rule == "jvp" and "softplus_jvp" in node.description
    updates = [term.update() for s in t.reverse().steps for term in s.terms]
    assert updates[-1] == f"{bar('x')} += {bar('v1')}·sigmoid(x)"
    fwd = [term.update() for s in t.forward().steps for term in s.terms]
    assert fwd[0] == f"{dot('v1')} = sigmoid(x)·{dot('x')}"
    assert t.gradient()["x"] == pytest.approx(2 * sigmoid(0.7), rel=1e-14)
    assert t.forward().result == pytest.approx(2 * sigmoid(0.7), rel=1e-14)
    console = Console(width=160, record=True, color_system=None)
    console.print(t.table("reverse"))
    assert "sigmoid(x)" in console.export_text()
    assert "sigmoid(x)" in t.to_svg()

    t2 = ad.trace(tripled, 1.0)  # no text: the views name the rule
    (term,) = [term for s in t2.reverse().steps for term in s.terms]
    assert term.update() == f"{bar('x')} += tripled_jvpᵀ({bar('v1')})" and "tripled_jvp" in term.partial
    assert t2.gradient()["x"] == 3.0


# ---------------------------------------------------------------- custom_vjp
@ad.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(_, g):
    return (np.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


@ad.custom_vjp
def sin_times(x, y):
    return np.sin(x) * y


def _st_fwd(x, y):
    return np.sin(x) * y, (np.cos(x), np.sin(x), y)


def _st_bwd(res, g):
    c, s, y = res
    return g * c * y, g * s


sin_times.defvjp(_st_fwd, _st_bwd, text={"x": "cos(x)*y", "y": "sin(x)"})


def test_custom_vjp_rule_is_used():
    assert ad.grad(lambda x: 5.0 * clip_gradient(x))(2.0) == 1.0  # the true derivative is 5
    np.testing.assert_allclose(ad.jacrev(lambda x: 5.0 * clip_gradient(x))(X), np.eye(3))
    y, vjp_fn = ad.vjp(clip_gradient, X)
    np.testing.assert_array_equal(y, X)
    np.testing.assert_array_equal(vjp_fn(np.array([-3.0, 0.5, 7.0]))[0], [-1.0, 0.5, 1.0])


def test_custom_vjp_two_arguments_first_and_second_order():
    x, y = 0.5, 2.0
    gx, gy = ad.grad(sin_times, argnums=(0, 1))(x, y)
    assert gx == pytest.approx(np.cos(x) * y) and gy == pytest.approx(np.sin(x))
    # grad of grad differentiates fwd and bwd as ordinary code: d/dx (cos(x)·y) = −sin(x)·y
    assert ad.grad(ad.grad(sin_times))(x, y) == pytest.approx(-np.sin(x) * y)
    assert ad.grad(ad.grad(sin_times), argnums=1)(x, y) == pytest.approx(np.cos(x))


def test_custom_vjp_none_cotangent_means_zero_and_pytree_arguments():
    @ad.custom_vjp
    def f(p, scale):
        return p["w"] * scale

    f.defvjp(lambda p, s: (f(p, s), (p, s)), lambda res, g: ({"w": g * res[1]}, None))
    gp, gs = ad.grad(f, argnums=(0, 1))({"w": 3.0}, 2.0)
    assert gp == {"w": 2.0} and gs == 0.0


def test_custom_vjp_refuses_forward_mode_like_jax():
    for attempt in (lambda: ad.jvp(clip_gradient, (1.0,), (1.0,)),
                    lambda: ad.jacfwd(clip_gradient)(X)):
        with pytest.raises(UnsupportedOperation, match="custom_vjp function, which has only a reverse-mode rule"):
            attempt()


def test_custom_vjp_under_forward_over_reverse_follows_jax():
    # hessian = jacfwd(jacrev(f)): forward mode differentiates fwd and bwd as ordinary code,
    # which works while fwd does not call the custom function itself (as in JAX) ...
    assert ad.hessian(lambda x: clip_gradient(x) ** 2)(0.2) == pytest.approx(2.0)  # d/dx clip(2x)
    assert ad.hessian(lambda x: clip_gradient(x) ** 2)(1.0) == 0.0  # clipped: flat
    # ... and is refused when fwd calls it (forward mode then meets the custom_vjp function)
    @ad.custom_vjp
    def square(x):
        return x * x

    square.defvjp(lambda x: (square(x), x), lambda x, g: (2 * x * g,))
    assert ad.grad(square)(3.0) == 6.0
    with pytest.raises(UnsupportedOperation, match="custom_vjp") as refused:
        ad.hessian(square)(3.0)
    assert "works when fwd does not call square itself" in str(refused.value)


def test_the_forward_mode_refusal_does_not_claim_hessian_fails():
    """The message used to list ad.hessian among what cannot differentiate a custom_vjp
    function, but hessian of one whose fwd does not call it works (checked above)."""
    with pytest.raises(UnsupportedOperation) as refused:
        ad.jvp(clip_gradient, (1.0,), (1.0,))
    assert "(ad.jvp, ad.jacfwd)" in str(refused.value) and "ad.jacfwd, ad.hessian)" not in str(refused.value)


def test_custom_vjp_error_cases():
    @ad.custom_vjp
    def f(x, y):
        return x * y

    with pytest.raises(AttributeError, match="no VJP rule"):
        ad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: x * y, lambda r, g: (g,))
    with pytest.raises(TypeError, match="pair"):
        ad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda r, g: (g,))
    with pytest.raises(TypeError, match="one cotangent per differentiable argument"):
        ad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda r, g: (np.ones(3), g))
    with pytest.raises(ValueError, match="shape"):
        ad.grad(f)(1.0, 2.0)


def test_custom_vjp_is_one_node_in_a_trace():
    t = ad.trace(sin_times, 0.5, 2.0)
    assert [n.definition for n in t.nodes] == ["input", "input", "sin_times(x, y)"]
    updates = [term.update() for s in t.reverse().steps for term in s.terms]
    assert updates == [f"{bar('x')} += {bar('v1')}·(cos(x)*y)", f"{bar('y')} += {bar('v1')}·sin(x)"]
    g = t.gradient()
    assert g["x"] == pytest.approx(np.cos(0.5) * 2.0) and g["y"] == pytest.approx(np.sin(0.5))
    with pytest.raises(UnsupportedOperation, match="custom_vjp"):
        t.forward("x")


# ---------------------------------------------------------------- stop_gradient
def test_stop_gradient_in_every_mode():
    f = lambda x: x * ad.stop_gradient(x) ** 2  # noqa: E731   derivative treats x² as a constant
    assert ad.grad(f)(3.0) == 9.0
    assert ad.jvp(f, (3.0,), (1.0,)) == (27.0, 9.0)
    assert ad.hessian(f)(3.0) == 0.0
    np.testing.assert_allclose(ad.jacfwd(lambda v: v * ad.stop_gradient(v))(X), np.diag(X))
    np.testing.assert_allclose(ad.jacrev(lambda v: v * ad.stop_gradient(v))(X), np.diag(X))


def test_stop_gradient_on_pytrees_and_plain_values():
    out = ad.stop_gradient({"a": 1.0, "b": (np.ones(2), None)})
    assert out["a"] == 1.0 and out["b"][1] is None
    g = ad.grad(lambda p: p["a"] * ad.stop_gradient(p)["b"])({"a": 2.0, "b": 5.0})
    assert g == {"a": 5.0, "b": 0.0}


def test_stop_gradient_is_a_node_with_a_cut_edge():
    t = ad.trace(lambda x: x * ad.stop_gradient(x**2), 3.0)
    stop = [n for n in t.nodes if n.stops_gradient]
    assert len(stop) == 1 and stop[0].definition == "stop_gradient(v1)"
    # no chain-rule term crosses the cut edge, in either sweep
    assert all(term.source != stop[0].index for s in t.reverse().steps for term in s.terms)
    assert all(term.target != stop[0].index for s in t.forward().steps for term in s.terms)
    assert t.gradient()["x"] == 9.0
    svg = t.to_svg("reverse")
    assert "gradient stopped" in svg and "stroke-dasharray" in svg


# ---------------------------------------------------------------- checkpoint
def block_np(x):
    return np.sin(np.cos(x) * x)


def block_derivative(x):
    return np.cos(np.cos(x) * x) * (np.cos(x) - x * np.sin(x))


def loss_np(x):
    return np.sum(block_np(x) ** 2)


def loss_grad(x):
    return 2 * block_np(x) * block_derivative(x)


def test_checkpoint_derivatives_are_unchanged():
    blk = ad.checkpoint(block_np)
    loss = lambda x: np.sum(blk(x) ** 2)  # noqa: E731
    np.testing.assert_allclose(ad.grad(loss)(X), loss_grad(X), rtol=1e-13)
    (value, g) = ad.value_and_grad(loss)(X)
    assert value == pytest.approx(loss_np(X))
    np.testing.assert_allclose(ad.jacrev(blk)(X), np.diag(block_derivative(X)), rtol=1e-13)
    np.testing.assert_allclose(ad.jacfwd(blk)(X), np.diag(block_derivative(X)), rtol=1e-13)
    np.testing.assert_allclose(ad.jvp(blk, (X,), (np.ones(3),))[1], block_derivative(X), rtol=1e-13)
    h = 1e-5  # second order: the Hessian is diagonal; central differences of the analytic gradient
    want = (loss_grad(X + h) - loss_grad(X - h)) / (2 * h)
    np.testing.assert_allclose(np.diag(ad.hessian(loss)(X)), want, rtol=1e-7)
    np.testing.assert_allclose(np.diag(ad.jacrev(ad.grad(loss))(X)), want, rtol=1e-7)
    assert ad.remat is ad.checkpoint


def test_checkpoint_keeps_no_intermediates_and_recomputes_in_the_reverse_sweep():
    calls = []

    def counted(x):
        calls.append(1)
        return block_np(x)

    blk = ad.checkpoint(counted)
    rec = _record(lambda x: np.sum(blk(x) ** 2), (X,), {}, (0,))
    plain = _record(lambda x: np.sum(block_np(x) ** 2), (X,), {}, (0,))
    assert len(rec.tape.nodes) == 4 and len(plain.tape.nodes) == 6  # x, block, **2, sum  vs  + cos, *, sin
    calls.clear()
    ad.grad(lambda x: np.sum(blk(x) ** 2))(X)
    assert len(calls) == 2  # once forward, once more in the reverse sweep


def test_checkpoint_decorator_static_argnums_and_policy_refused():
    @ad.checkpoint
    def scaled(x, k):
        return np.sin(x) * k

    assert ad.grad(scaled)(0.3, 2.0) == pytest.approx(2 * np.cos(0.3))
    part = ad.checkpoint(lambda n, x: x ** n, static_argnums=(0,))
    assert ad.grad(part, argnums=1)(3, 2.0) == pytest.approx(12.0)
    with pytest.raises(UnsupportedOperation, match="policy"):
        ad.checkpoint(np.sin, policy=object())


def test_checkpoint_in_a_trace_is_a_block_recomputed_by_the_reverse_sweep():
    blk = ad.checkpoint(block_np)
    t = ad.trace(lambda x: np.sum(blk(x) ** 2), X)
    (c,) = t.checkpoints
    assert c.name == "block_np" and [t.nodes[i].definition for i in c.nodes] == ["cos(x)", "v1 * x", "sin(v2)"]
    assert c.inputs == (0,) and c.outputs == (3,) and c.intermediates == (1, 2)
    assert all(t.nodes[i].checkpoint == 0 for i in c.nodes)
    m = t.memory()
    assert (m.values_kept, m.values_without_checkpoint, m.values_recomputed) == (4, 6, 3)
    assert (m.numbers_kept, m.numbers_without_checkpoint) == (10, 16)  # x, v3, v4 (3 each), v5; + v1, v2
    sweep = t.reverse()
    kinds = [(s.kind, t.nodes[s.node].name) for s in sweep.steps]
    assert kinds[:5] == [("adjoint", "v5"), ("adjoint", "v4"),
                         ("recompute", "v1"), ("recompute", "v2"), ("recompute", "v3")]
    assert sweep.recomputed == 3
    for s in sweep.steps:
        if s.recompute:  # the recomputed values are the forward pass's
            np.testing.assert_array_equal(s.value, t.nodes[s.node].value)
    np.testing.assert_allclose(t.gradient()["x"], loss_grad(X), rtol=1e-13)
    console = Console(width=160, record=True, color_system=None)
    console.print(t.table("reverse"))
    assert "recompute v2 = v1 * x" in console.export_text()
    assert "checkpoint block_np: recomputed in the reverse sweep" in t.to_svg("reverse")
    from adviz.render.html import step_caption, sweep_table_html

    assert "v2 = v1 * x is recomputed: checkpoint block_np did not keep its value" in step_caption(t, sweep, 4)
    assert "recomputed" in sweep_table_html(t, sweep) and "recomputed" in t.to_svg("reverse", step=4)


def test_trace_without_checkpoint_reports_plain_memory():
    t = ad.trace(lambda x: np.sum(block_np(x) ** 2), X)
    m = t.memory()
    assert t.checkpoints == () and m.values_recomputed == 0
    assert m.values_kept == m.values_without_checkpoint == 6
    assert t.reverse().recomputed == 0


@pytest.mark.parametrize("fn", ["custom_jvp", "custom_vjp", "checkpoint"])
def test_a_sweep_never_reuses_the_previous_sweeps_cotangents(fn):
    # the operand rules of one custom node share one computation per sweep; a second sweep
    # handed the same buffer with new numbers must compute afresh (engine level: no copy)
    from adviz.engine.tape import backward

    f = {"custom_jvp": softplus, "custom_vjp": lambda v: sin_times(v, np.full(3, 2.0)),
         "checkpoint": ad.checkpoint(np.sin)}[fn]
    rec = _record(f, (X,), {}, (0,))
    (index, value), = rec.outputs
    seed = np.ones(3)
    first = backward(rec.tape.nodes, index, seed)[0].copy()
    seed *= 3.0  # same object, new numbers
    second = backward(rec.tape.nodes, index, seed)[0]
    np.testing.assert_allclose(second, 3.0 * first)


def test_checkpointing_every_layer_lowers_the_measured_peak_of_grad():
    """What ad.checkpoint is for, measured: the peak memory of a gradient, not only the trace's counts.

    Sixteen layers of four primitives on vectors of 20,000 numbers.  Without checkpoints the slim
    tape keeps about two vectors per layer; with each layer checkpointed, one (its output), plus one
    layer's recomputation at a time.  (The recomputed values once waited for the cyclic garbage
    collector, and checkpointing saved nothing.)
    """
    import gc
    import tracemalloc

    def layer(x):
        return np.tanh(np.sin(x) * x + 0.5)

    checkpointed = ad.checkpoint(layer)

    def deep(x, lay):
        for _ in range(16):
            x = lay(x)
        return np.sum(x**2)

    x = np.linspace(-1.0, 1.0, 20_000)

    def peak(lay):
        gc.collect()
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            g = ad.grad(deep)(x, lay)
            _, top = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return top - before, g

    plain, g_plain = peak(layer)
    saved, g_saved = peak(checkpointed)
    np.testing.assert_allclose(g_saved, g_plain, rtol=1e-13)
    assert saved < 0.75 * plain, (saved, plain)


def test_default_arguments_are_primals_as_in_jax():
    """``f(x)`` of ``def f(x, scale=2.0)`` has two primals (JAX's ``resolve_kwargs`` fills in the
    default): ``bwd`` returns two cotangents, whether or not the call wrote ``scale``."""

    @ad.custom_vjp
    def scaled(x, scale=2.0):
        return x * scale

    scaled.defvjp(lambda x, scale=2.0: (x * scale, scale), lambda s, g: (10 * s * g, 0.0))
    assert ad.grad(scaled)(1.0) == 20.0  # the rule's (deliberately 10x) slope, with the default scale
    assert ad.grad(lambda x: scaled(x, scale=3.0))(1.0) == 30.0
    assert ad.grad(lambda x: scaled(x, 3.0))(1.0) == 30.0

    @ad.custom_jvp
    def shifted(x, shift=1.0):
        return x + shift

    seen = []
    shifted.defjvp(lambda p, t: (seen.append(len(p)), (shifted(*p), 5.0 * t[0]))[1])
    assert ad.grad(shifted)(2.0) == 5.0 and seen[-1] == 2


# ---------------------------------------------------------------- closures over traced values
W_CLOSE = np.array([[0.3, -1.2, 0.5], [0.8, 0.1, -0.4]])
X_CLOSE = np.array([0.7, -0.2, 1.1])


def _checkpoint_closing_over_w(x, W):
    return np.sum(ad.checkpoint(lambda t: np.tanh(W @ t) * t[0])(x) ** 2)


def _by_central_differences(f, args, i, h=1e-6):
    base = [np.array(a, dtype=float) for a in args]
    out = np.zeros_like(base[i])
    for k in np.ndindex(base[i].shape):
        plus, minus = [a.copy() for a in base], [a.copy() for a in base]
        plus[i][k] += h
        minus[i][k] -= h
        out[k] = (f(*plus) - f(*minus)) / (2 * h)
    return out


def test_a_checkpoint_closing_over_a_traced_value_differentiates_it():
    """``ad.checkpoint(lambda t: np.tanh(W @ t))(x)`` with W traced by the same ``ad.grad``: the reverse
    sweep's recomputation ran after ``grad`` had recorded everything and could not read W (an
    EscapedTracerError naming nothing the user stored). The block is recorded inline then."""
    want = [_by_central_differences(_checkpoint_closing_over_w, (X_CLOSE, W_CLOSE), i) for i in (0, 1)]
    for got in (ad.grad(_checkpoint_closing_over_w, argnums=(0, 1))(X_CLOSE, W_CLOSE),
                ad.vjp(_checkpoint_closing_over_w, X_CLOSE, W_CLOSE)[1](1.0),
                (ad.jacrev(_checkpoint_closing_over_w)(X_CLOSE, W_CLOSE),
                 ad.jacfwd(_checkpoint_closing_over_w, argnums=1)(X_CLOSE, W_CLOSE))):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-8)
    hess = ad.hessian(_checkpoint_closing_over_w)(X_CLOSE, W_CLOSE)
    grad_x = lambda x: ad.grad(_checkpoint_closing_over_w)(x, W_CLOSE)  # noqa: E731
    np.testing.assert_allclose(hess, np.stack([_by_central_differences(lambda x: grad_x(x)[j], (X_CLOSE,), 0)
                                               for j in range(3)]), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ["custom_jvp", "custom_vjp"])
def test_a_custom_rule_closing_over_a_traced_value_of_the_same_transform_refuses(kind):
    """The rule covers the arguments only: W's derivative would be lost, so adviz asks for an argument."""

    def loss(W, x):
        if kind == "custom_jvp":
            @ad.custom_jvp
            def f(x):
                return W * np.sin(x)

            f.defjvp(lambda p, t: (f(p[0]), W * np.cos(p[0]) * t[0]))
        else:
            @ad.custom_vjp
            def f(x):
                return W * np.sin(x)

            f.defvjp(lambda x: (f(x), x), lambda x, g: (g * W * np.cos(x),))
        return np.sum(f(x))

    W, x = np.array([2.0, 1.5]), np.array([0.5, -0.3])
    for run in (lambda: ad.grad(loss, argnums=(0, 1))(W, x), lambda: ad.trace(loss, W, x).reverse(),
                lambda: ad.jacrev(loss, argnums=(0, 1))(W, x)):
        with pytest.raises(UnsupportedOperation, match="as an argument"):
            run()
    # only one of them traced: the closure holds a constant (W) or the rule is not used (x)
    np.testing.assert_allclose(ad.grad(loss, argnums=1)(W, x), W * np.cos(x), rtol=1e-14)
    np.testing.assert_allclose(ad.grad(loss, argnums=0)(W, x), np.sin(x), rtol=1e-14)


def test_a_custom_rule_closing_over_an_outer_transforms_value_still_works():
    """d/dW [d/dx (W·sin x)] = cos x: W belongs to the outer grad, a constant to the inner one."""

    def outer(W):
        @ad.custom_jvp
        def f(x):
            return W * np.sin(x)

        f.defjvp(lambda p, t: (f(p[0]), W * np.cos(p[0]) * t[0]))
        return ad.grad(f)(0.4)

    assert ad.grad(outer)(1.7) == pytest.approx(np.cos(0.4), rel=1e-14)


class _Layer:
    """A layer object holding its weights, as course code writes models."""

    def __init__(self, W):
        self.W = W

    def __call__(self, x):
        return np.tanh(self.W @ x)

    def apply(self, x):
        return np.tanh(self.W @ x)


@pytest.mark.parametrize("make", [lambda W: _Layer(W), lambda W: _Layer(W).apply], ids=["callable object", "method"])
def test_a_checkpointed_layer_object_holding_traced_weights(make):
    want = [_by_central_differences(lambda W, x: np.sum(np.tanh(W @ x) ** 2), (W_CLOSE, X_CLOSE), i) for i in (0, 1)]
    got = ad.grad(lambda W, x: np.sum(ad.checkpoint(make(W))(x) ** 2), argnums=(0, 1))(W_CLOSE, X_CLOSE)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-8)
