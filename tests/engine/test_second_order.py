"""The second-order rules (``Partial.second``) and the sweep of pairs (``second_order.py``).

``jvp(grad(f))`` runs its reverse sweep on ``(adjoint, tangent)`` pairs with the declared
second-order rules.  A wrong declaration would be a silently wrong Hessian, so each one is
checked against forward mode applied to the partial's own formula, and the Hessian-vector
products against central differences of the gradient and against hand-derived formulas.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import second_order, tape as tape_module
from adviz.engine.primitives import REGISTRY
from adviz.engine.tracer import EscapedTracerError
from cases import softplus  # a custom_jvp rule (the user's own, JAX's API)

rng = np.random.default_rng(5)


def _declared():
    return [(prim, i, p) for prim in REGISTRY.values() if prim.partials
            for i, p in enumerate(prim.partials) if p is not None and p.second is not None]


def _point(prim):
    """Operands where every declared primitive is smooth (log, sqrt: positive)."""
    n = len(prim.partials)
    return [rng.uniform(0.3, 1.7, size=6) for _ in range(n)]


def test_some_primitives_declare_second_order_rules():
    names = {prim.name for prim, _, _ in _declared()}
    assert {"sin", "cos", "exp", "log", "log1p", "tanh", "sqrt", "multiply", "power", "square", "true_divide",
            "reciprocal", "cbrt", "expm1", "exp2", "log2", "log10", "tan", "arctan", "sinh", "cosh"} <= names


@pytest.mark.parametrize("prim,i,p", _declared(), ids=lambda v: getattr(v, "name", str(v)))
def test_each_second_order_rule_is_the_tangent_of_its_partial(prim, i, p):
    """ṗ from the declaration equals forward mode on the partial's formula ``fn(ans, *xs)``."""
    xs = _point(prim)
    ans = prim.impl(*xs)
    dots = [rng.normal(size=np.shape(x)) if np.ndim(x) else None for x in xs]
    ans_dot = sum(prim.jvps[j](t, ans, *xs) for j, t in enumerate(dots) if t is not None)
    assert len(p.second) == 1 + len(xs)
    declared = 0.0
    for j, d in enumerate(p.second):
        t = ans_dot if j == 0 else dots[j - 1]
        if d is not None and t is not None:
            declared = declared + d.fn(ans, *xs) * t
    traced = [j for j, t in enumerate(dots) if t is not None]

    def partial_of(a, *ts):
        args = list(xs)
        for j, t in zip(traced, ts):
            args[j] = t
        return p.fn(a, *args)

    _, by_forward_mode = ad.jvp(partial_of, (ans, *[xs[j] for j in traced]),
                                (ans_dot, *[dots[j] for j in traced]))
    np.testing.assert_allclose(declared, by_forward_mode, rtol=1e-13, atol=1e-13)


_MATH = {name: getattr(np, name) for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "sqrt", "cbrt")}


@pytest.mark.parametrize("prim,i,p", _declared(), ids=lambda v: getattr(v, "name", str(v)))
def test_each_second_order_rule_says_what_it_computes(prim, i, p):
    """The formula text tables would show is the rule's own value (written in the operands)."""
    xs = _point(prim)
    if prim.name == "power":
        xs[1] = 3.0  # the base's text reads the constant exponent
    ans = prim.impl(*xs)
    names = [f"x{j}" for j in range(len(xs))]
    for d in p.second:
        if d is None:
            continue
        text = d.text(names, xs, "ans") if callable(d.text) else d.text.format(*names, ans="ans")
        shown = eval(text.replace("π", "np.pi"), {"np": np, **_MATH, "ans": ans, **dict(zip(names, xs))})
        np.testing.assert_allclose(shown * np.ones_like(ans), d.fn(ans, *xs) * np.ones_like(ans), rtol=1e-13,
                                   err_msg=f"{prim.name}: {text}")


@pytest.mark.parametrize("y", [0.0, 1.0, 2.0, 3.0, -1.5])
def test_power_with_a_constant_exponent(y):
    """The base's partial takes shortcuts for a constant exponent (2·x for x**2); so does its rule."""
    x = rng.uniform(0.3, 1.7, size=6)
    base = REGISTRY["power"].partials[0]
    np.testing.assert_allclose(base.second[1].fn(x ** y, x, y) * np.ones_like(x), y * (y - 1) * x ** (y - 2),
                               rtol=1e-14)


def test_second_order_rules_read_only_what_the_reverse_rules_keep():
    """``vjp_reads`` decides what a tape keeps; a rule reading a stand-in would read zeros."""
    keeps = {"all": {"ans", "args"}, "args": {"args"}, "ans": {"ans"}, "nothing": set()}
    for prim, i, p in _declared():
        reads = prim.vjp_reads
        if callable(reads):  # power, true_divide: what is kept when operand i alone is traced
            reads = reads(tuple(0 if j == i else None for j in range(len(prim.partials))))
        needed = {"ans" if j == 0 else "args" for j, d in enumerate(p.second) if d is not None}
        assert needed <= keeps[reads], prim.name


# f and g'' written by hand (f = Σ g(xᵢ), so H·v = g''(x)·v), each through declared rules
SECOND = {
    "sin": (lambda x: np.sum(np.sin(x)), lambda x: -np.sin(x)),
    "cos·x": (lambda x: np.sum(np.cos(x) * x), lambda x: -2 * np.sin(x) - x * np.cos(x)),
    "exp(-x²)": (lambda x: np.sum(np.exp(-x**2)), lambda x: (4 * x * x - 2) * np.exp(-x * x)),
    "log": (lambda x: np.sum(np.log(x * x + 1.0)), lambda x: 2 * (1 - x * x) / (1 + x * x) ** 2),
    "log1p·x": (lambda x: np.sum(np.log1p(x * x) * x),
                lambda x: 2 * x / (1 + x * x) + (4 * x * (1 + x * x) - 4 * x ** 3) / (1 + x * x) ** 2),
    "tanh": (lambda x: np.sum(np.tanh(2.0 * x)), lambda x: -8 * np.tanh(2 * x) * (1 - np.tanh(2 * x) ** 2)),
    "sqrt": (lambda x: np.sum(np.sqrt(x * x + 1.0)), lambda x: (x * x + 1.0) ** -1.5),
    "x**3": (lambda x: np.sum(x ** 3 - np.square(x)), lambda x: 6 * x - 2),
    "x*x*x": (lambda x: np.sum(x * x * x), lambda x: 6 * x),
    "1/(1+x²)": (lambda x: np.sum(1.0 / (1.0 + x * x)), lambda x: (6 * x * x - 2) / (1 + x * x) ** 3),
    "1/(2+cosh x)": (lambda x: np.sum(np.reciprocal(2.0 + np.cosh(x)) + np.arctan(x) + np.expm1(x) / 3.0),
                     lambda x: (2 * np.sinh(x) ** 2 / (2 + np.cosh(x)) ** 3 - np.cosh(x) / (2 + np.cosh(x)) ** 2
                                - 2 * x / (1 + x * x) ** 2 + np.exp(x) / 3.0)),
    "logs": (lambda x: np.sum(np.log2(x * x + 1.0) + np.log10(x * x + 2.0) + np.exp2(x) + np.tan(0.5 * x)),
             lambda x: 2 * (1 - x * x) / ((1 + x * x) ** 2 * np.log(2)) + 2 * (2 - x * x) / ((2 + x * x) ** 2 * np.log(10))
             + np.log(2) ** 2 * 2 ** x + 0.5 * np.tan(0.5 * x) / np.cos(0.5 * x) ** 2),
    "cbrt": (lambda x: np.sum(np.cbrt(x * x + 1.0)),
             lambda x: (2 / 3) * (x * x + 1) ** (-2 / 3) - (8 / 9) * x * x * (x * x + 1) ** (-5 / 3)),
    "2**x": (lambda x: np.sum(2.0 ** x), lambda x: np.log(2) ** 2 * 2 ** x),
    "W2": (lambda x: np.sum(np.sin(x) * np.exp(-x**2) + np.log1p(x**2)),
           lambda x: np.exp(-x * x) * ((4 * x * x - 3) * np.sin(x) - 4 * x * np.cos(x))
           + 2 * (1 - x * x) / (1 + x * x) ** 2),
}


@pytest.mark.parametrize("n", [1, 5, 3000])
@pytest.mark.parametrize("name", list(SECOND))
def test_pairs_match_formulas(name, n):
    f, second = SECOND[name]
    x = rng.uniform(-1.5, 1.5, size=n)
    v = rng.normal(size=n)
    g, hv = ad.jvp(ad.grad(f), (x,), (v,))
    np.testing.assert_allclose(hv, second(x) * v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, ad.grad(f)(x), rtol=1e-14, atol=1e-14)


def _hvp_by_differences(f, args, v, argnum=0, h=1e-5):
    def grad_at(eps):
        shifted = list(args)
        shifted[argnum] = args[argnum] + eps * v
        return ad.grad(f, argnums=argnum)(*shifted)
    return (grad_at(h) - grad_at(-h)) / (2 * h)


# functions mixing nodes with pair rules and nodes without (sum over an axis, matmul,
# where, a custom rule, broadcasting, constants, an input used twice, float32)
W = rng.normal(size=(4, 3))
C = rng.uniform(0.5, 1.5, size=(1, 3))
MIXED = {
    "broadcast": (lambda x: np.sum(np.sin(x[:, None] * C) * np.exp(x[:, None] - C)), (4,)),
    "scalar*array": (lambda x: np.sum(np.tanh(x * 3.0) * (x - 1.0) ** 2), (6,)),
    "matmul": (lambda x: np.sum(np.tanh(W @ x) ** 2), (3,)),
    "axis sum": (lambda x: np.sum(np.exp(np.sum(x * x, axis=1)) * np.cos(x[:, 0])), (3, 2)),
    "where": (lambda x: np.sum(np.where(x > 0, np.sin(x) * x, x ** 3)), (7,)),
    "custom_jvp": (lambda x: np.sum(softplus(x) * np.cos(x)), (5,)),
    "x*x": (lambda x: np.sum(x * x * np.exp(x)), (5,)),
    "x**x": (lambda x: np.sum(x ** x * np.sin(x) + x ** (x * 0.5)), (5,)),
    "scalar": (lambda x: np.sin(x) * np.exp(x) / (1.0 + x * x), ()),
}


@pytest.mark.parametrize("name", list(MIXED))
def test_pairs_match_central_differences(name):
    f, shp = MIXED[name]
    x = rng.uniform(0.2, 1.2, size=shp)
    v = rng.normal(size=shp)
    if shp == ():
        x, v = float(x), float(v)
    hv = ad.jvp(ad.grad(f), (x,), (v,))[1]
    np.testing.assert_allclose(hv, _hvp_by_differences(f, (x,), v), rtol=1e-6, atol=1e-7)
    assert np.shape(hv) == shp


def test_stop_gradient_stops_the_tangent_too():
    """As in JAX: H·v of Σ sin(x)·c² with c = stop_gradient(x) holds c fixed, −sin(x)·x²·v."""
    x, v = rng.uniform(0.2, 1.2, size=4), rng.normal(size=4)
    hv = ad.jvp(ad.grad(lambda t: np.sum(np.sin(t) * ad.stop_gradient(t) ** 2)), (x,), (v,))[1]
    np.testing.assert_allclose(hv, -np.sin(x) * x * x * v, rtol=1e-14)


def test_two_arguments_and_has_aux():
    f = lambda x, y: (np.sum(np.sin(x) * np.exp(y) * x), np.cos(x))
    x, y = rng.uniform(0.2, 1.2, size=5), rng.uniform(0.2, 1.2, size=5)
    vx, vy = rng.normal(size=5), rng.normal(size=5)
    (gx, gy), (hx, hy) = ad.jvp(lambda a, b: ad.grad(f, argnums=(0, 1), has_aux=True)(a, b)[0], (x, y), (vx, vy))
    h = 1e-5
    plus = ad.grad(f, argnums=(0, 1), has_aux=True)(x + h * vx, y + h * vy)[0]
    minus = ad.grad(f, argnums=(0, 1), has_aux=True)(x - h * vx, y - h * vy)[0]
    np.testing.assert_allclose(hx, (plus[0] - minus[0]) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(hy, (plus[1] - minus[1]) / (2 * h), rtol=1e-6)


def test_float32_stays_float32():
    f = SECOND["W2"][0]
    x = rng.uniform(-1, 1, size=2000).astype(np.float32)
    v = rng.normal(size=2000).astype(np.float32)
    g, hv = ad.jvp(ad.grad(f), (x,), (v,))
    assert g.dtype == hv.dtype == np.float32
    np.testing.assert_allclose(hv, SECOND["W2"][1](x.astype(float)) * v, rtol=1e-4, atol=1e-4)


def test_the_sweep_of_pairs_is_the_one_used_and_agrees_with_dual_numbers(monkeypatch):
    """W5's function goes through pair rules at every elementwise node; forcing every node
    onto dual numbers (the generic forward-over-reverse) gives the same numbers."""
    f, _ = SECOND["W2"]
    x, v = rng.uniform(-2, 2, size=3000), rng.normal(size=3000)
    seen = []
    pair_rules = second_order._pair_rules

    def spy(prim, *args):
        steps = pair_rules(prim, *args)
        seen.append((prim.name, steps is not None))
        return steps

    monkeypatch.setattr(second_order, "_pair_rules", spy)
    g, hv = ad.jvp(ad.grad(f), (x,), (v,))
    assert {name for name, paired in seen if not paired} == {"sum"}
    monkeypatch.setattr(second_order, "_pair_rules", lambda *args: None)
    g2, hv2 = ad.jvp(ad.grad(f), (x,), (v,))
    np.testing.assert_allclose(hv, hv2, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(g, g2)


def test_stand_ins_everywhere_change_nothing(monkeypatch):
    """Every array a reverse rule does not read becomes a stand-in: the pair rules never read one."""
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    for name, (f, second) in SECOND.items():
        x, v = rng.uniform(-1.5, 1.5, size=9), rng.normal(size=9)
        np.testing.assert_allclose(ad.jvp(ad.grad(f), (x,), (v,))[1], second(x) * v, rtol=1e-12, atol=1e-12,
                                   err_msg=name)


def test_results_are_fresh_arrays():
    """Neither the gradient nor H·v may share memory with the inputs (x̄ of Σ x·y is y itself)."""
    x, y = rng.normal(size=2000), rng.normal(size=2000)
    vx, vy = rng.normal(size=2000), rng.normal(size=2000)
    saved = [a.copy() for a in (x, y, vx, vy)]
    (gx, gy), (hx, hy) = ad.jvp(ad.grad(lambda a, b: np.sum(a * b), argnums=(0, 1)), (x, y), (vx, vy))
    np.testing.assert_array_equal(gx, y)
    np.testing.assert_array_equal(hx, vy)
    for out in (gx, gy, hx, hy):
        assert out.flags.writeable
        out += 1.0
    for a, s in zip((x, y, vx, vy), saved):
        np.testing.assert_array_equal(a, s)


def test_an_escaped_vjp_function_still_refuses():
    """A vjp_fn recorded under one jvp and called under another sees dead dual numbers: the
    sweep must refuse as the generic one does, not read their values."""
    kept = {}

    def inner(x):
        _, kept["fn"] = ad.vjp(lambda t: np.sin(t) * t, x)
        return np.sum(x)

    ad.jvp(inner, (np.ones(3),), (np.ones(3),))
    with pytest.raises(EscapedTracerError):
        ad.jvp(lambda c: kept["fn"](c)[0], (np.ones(3),), (np.ones(3),))
