"""Property tests: random expressions over random broadcastable shapes.

Hypothesis builds small expression trees from a set of smooth, complex-safe
operations (so the complex step is an exact reference) and feeds them inputs
whose shapes broadcast against each other. For every tree, forward mode,
reverse mode and the reference must agree.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adviz as ad

try:
    from .reference import assert_close, complex_step_jvp, reference_hvp, reference_vjp
except ImportError:  # pragma: no cover - depends on pytest's import mode
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from reference import (  # type: ignore[no-redef]
        assert_close,
        complex_step_jvp,
        reference_hvp,
        reference_vjp,
    )

N_INPUTS = 3

# Smooth on all of R and analytic near it, so complex step applies.
UNARY = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "neg": np.negative,
    "sq": lambda a: a * a,
    "exp_tanh": lambda a: np.exp(np.tanh(a)),
    "log1p_sq": lambda a: np.log1p(a * a),
    "sqrt_1p_sq": lambda a: np.sqrt(1.0 + a * a),
    "half": lambda a: 0.5 * a,
}
BINARY = {
    "add": np.add,
    "sub": lambda a, b: a - b,
    "mul": np.multiply,
    "div_safe": lambda a, b: a / (1.0 + b * b),
    "pow_pos": lambda a, b: np.power(1.0 + a * a, np.tanh(b)),
    "hypot1": lambda a, b: np.sqrt(a * a + b * b + 1.0),
}
REDUCTIONS = ["none", "sum", "sum_last", "mean_first"]

leaves = st.one_of(
    st.tuples(st.just("x"), st.integers(0, N_INPUTS - 1)),
    st.tuples(st.just("x"), st.integers(0, N_INPUTS - 1)),
    st.tuples(st.just("c"), st.integers(-20, 20).map(lambda k: k / 10)),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), children, children),
    )


def uses_input(tree) -> bool:
    if tree[0] == "x":
        return True
    if tree[0] == "c":
        return False
    return any(uses_input(t) for t in tree[2:])


trees = st.recursive(leaves, _extend, max_leaves=8).filter(uses_input)


def evaluate(tree, xs):
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "c":
        return tree[1]
    if kind == "u":
        return UNARY[tree[1]](evaluate(tree[2], xs))
    return BINARY[tree[1]](evaluate(tree[2], xs), evaluate(tree[3], xs))


def show(tree) -> str:
    kind = tree[0]
    if kind == "x":
        return f"x{tree[1]}"
    if kind == "c":
        return repr(tree[1])
    if kind == "u":
        return f"{tree[1]}({show(tree[2])})"
    return f"{tree[1]}({show(tree[2])}, {show(tree[3])})"


@st.composite
def broadcast_shapes(draw):
    """A base shape and N_INPUTS shapes that broadcast to (a suffix of) it."""
    ndim = draw(st.integers(0, 3))
    base = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    shapes = []
    for _ in range(N_INPUTS):
        keep = draw(st.integers(0, ndim))
        s = [1 if draw(st.booleans()) else d for d in base[ndim - keep :]]
        shapes.append(tuple(s))
    return shapes


def make_function(tree, reduction, out_ndim):
    def f(*xs):
        y = evaluate(tree, xs)
        if reduction == "sum":
            return np.sum(y)
        if reduction == "sum_last" and out_ndim >= 1:
            return np.sum(y, axis=-1)
        if reduction == "mean_first" and out_ndim >= 1:
            return np.mean(y, axis=0, keepdims=True)
        return y * 1.0

    return f


def setup(tree, shapes, reduction, seed):
    rng = np.random.default_rng(seed)
    xs = tuple(rng.uniform(-1.5, 1.5, s) for s in shapes)
    out_ndim = np.ndim(evaluate(tree, xs))
    f = make_function(tree, reduction, out_ndim)
    y = np.asarray(f(*xs))
    vs = tuple(rng.uniform(-1, 1, s) for s in shapes)
    w = rng.uniform(-1, 1, y.shape)
    return f, xs, vs, w, y


def describe(tree, shapes, reduction) -> str:
    return f"f = {reduction}[{show(tree)}], shapes {shapes}"


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(
    trees, broadcast_shapes(), st.sampled_from(REDUCTIONS), st.integers(0, 2**32 - 1)
)
def test_random_expression_jvp_matches_complex_step(tree, shapes, reduction, seed):
    f, xs, vs, _w, y = setup(tree, shapes, reduction, seed)
    what = describe(tree, shapes, reduction)
    val, y_dot = ad.jvp(f, xs, vs)
    assert_close(val, y, rtol=1e-12, atol=1e-12, what=what + ": value")
    assert_close(
        y_dot, complex_step_jvp(f, xs, vs), rtol=1e-9, atol=1e-11, what=what + ": jvp"
    )


@SETTINGS
@given(
    trees, broadcast_shapes(), st.sampled_from(REDUCTIONS), st.integers(0, 2**32 - 1)
)
def test_random_expression_vjp_matches_reference(tree, shapes, reduction, seed):
    f, xs, _vs, w, _y = setup(tree, shapes, reduction, seed)
    what = describe(tree, shapes, reduction)
    _, vjp_fn = ad.vjp(f, *xs)
    x_bars = vjp_fn(w)
    assert isinstance(x_bars, tuple) and len(x_bars) == N_INPUTS
    for i, (got, exp) in enumerate(zip(x_bars, reference_vjp(f, xs, w))):
        assert_close(got, exp, rtol=1e-9, atol=1e-11, what=f"{what}: cotangent of x{i}")


@SETTINGS
@given(
    trees, broadcast_shapes(), st.sampled_from(REDUCTIONS), st.integers(0, 2**32 - 1)
)
def test_random_expression_forward_reverse_adjoint(tree, shapes, reduction, seed):
    """<J v, w> == <v, J^T w> with both sides from the engine."""
    f, xs, vs, w, _y = setup(tree, shapes, reduction, seed)
    _, y_dot = ad.jvp(f, xs, vs)
    _, vjp_fn = ad.vjp(f, *xs)
    lhs = float(np.sum(np.asarray(y_dot) * w))
    rhs = float(sum(np.sum(v * np.asarray(xb)) for v, xb in zip(vs, vjp_fn(w))))
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs)), (
        f"{describe(tree, shapes, reduction)}: <Jv,w>={lhs!r} <v,J^T w>={rhs!r}"
    )


@settings(SETTINGS, max_examples=25)
@given(trees, broadcast_shapes(), st.integers(0, 2**32 - 1))
def test_random_expression_hessian_vector_product(tree, shapes, seed):
    f, xs, vs, w, _y = setup(tree, shapes, "none", seed)

    def g(*args):
        return np.sum(f(*args) * w)

    def g0(x0):
        return g(x0, *xs[1:])

    _, hv = ad.jvp(ad.grad(g0), (xs[0],), (vs[0],))
    expected = reference_hvp(g, xs, vs[0], argnum=0, method="cs")
    assert_close(hv, expected, rtol=1e-6, atol=1e-8, what=describe(tree, shapes, "H v"))
