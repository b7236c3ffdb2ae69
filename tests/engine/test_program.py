"""Trace.to_python: the generated program, executed with only NumPy, against independent references.

Every derivative here is checked against central differences of the *original* function
or an analytic formula — never against adviz's own gradient.  The generated source is run
in a fresh namespace holding ``np`` and nothing else (not even builtins), at the traced
point and at other points (the program must be right wherever the trace's branches hold).
"""

from __future__ import annotations

import ast
import functools

import numpy as np
import pytest

import adviz as ad
from adviz.engine.program import NoCodeForm

H = 1e-6


def compile_program(t, **kw):
    """Exec ``t.to_python(**kw)`` with only NumPy in scope; return (function, source)."""
    src = t.to_python(**kw)
    namespace = {"__builtins__": {}, "np": np}
    exec(compile(src, "<to_python>", "exec"), namespace)
    name = ast.parse(src).body[-1].name
    return namespace[name], src


def central_gradient(f, args, k):
    """∂f/∂args[k] by central differences, entry by entry (f returns a scalar)."""
    a = np.asarray(args[k], dtype=float)
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = H
        plus = [a + e if j == k else x for j, x in enumerate(args)]
        minus = [a - e if j == k else x for j, x in enumerate(args)]
        grad[idx] = (f(*plus) - f(*minus)) / (2 * H)
    return grad


def central_tangent(f, args, dirs):
    plus = [a + H * d for a, d in zip(args, dirs)]
    minus = [a - H * d for a, d in zip(args, dirs)]
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * H)


def check_program(f, trace_at, *points, rtol=1e-5, atol=1e-6):
    """Trace ``f`` at ``trace_at``, run the program at every point, compare with FD."""
    t = ad.trace(f, *trace_at)
    program, src = compile_program(t, forward=True, reverse=True)
    rng = np.random.default_rng(7)
    for args in (trace_at,) + points:
        args = [np.asarray(a, dtype=float) if np.ndim(a) else float(a) for a in args]
        dirs = [rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal()) for a in args]
        value, tangent, bars = program(*args, *dirs)
        np.testing.assert_allclose(value, f(*args), rtol=1e-12, atol=1e-12, err_msg=src)
        np.testing.assert_allclose(tangent, central_tangent(f, args, dirs), rtol=rtol, atol=atol, err_msg=src)
        assert len(bars) == len(args)
        for k in range(len(args)):
            np.testing.assert_allclose(bars[k], central_gradient(f, args, k), rtol=rtol, atol=atol, err_msg=src)
            assert np.shape(bars[k]) == np.shape(args[k])
    return src


# ---------------------------------------------------------------- the survey's example
def test_survey_example_gradient_and_source():
    t = ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
    program, src = compile_program(t)
    y, (x1_bar, x2_bar) = program(2.0, 5.0)
    # analytic: ∂y/∂x1 = 1/x1 + x2, ∂y/∂x2 = x1 - cos(x2)
    assert x1_bar == pytest.approx(1 / 2.0 + 5.0, abs=1e-15) and x1_bar == pytest.approx(5.5)
    assert x2_bar == pytest.approx(2.0 - np.cos(5.0), abs=1e-15)
    assert x2_bar == pytest.approx(1.7163378145367738, abs=1e-15)
    assert y == pytest.approx(np.log(2.0) + 10.0 - np.sin(5.0), abs=1e-14)
    lines = [line.strip() for line in src.splitlines()]
    assert lines[0] == "def f(x1, x2, v5_bar=1.0):"
    primal = ["v1 = np.log(x1)", "v2 = x1 * x2", "v3 = v1 + v2", "v4 = np.sin(x2)", "v5 = v3 - v4"]
    assert lines[2:7] == primal  # one line per tape node, in tape order
    assert "x2_bar = v4_bar * np.cos(x2)" in lines
    assert "x1_bar = x1_bar + v1_bar / x1" in lines  # x1 is used twice: its adjoint accumulates
    assert lines[-1] == "return v5, (x1_bar, x2_bar)"
    # at another point, too: the program is not a table of numbers
    _, (b1, b2) = program(3.0, -1.5)
    assert (b1, b2) == (pytest.approx(1 / 3.0 - 1.5), pytest.approx(3.0 - np.cos(-1.5)))


def test_seed_scales_the_adjoints():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    program, _ = compile_program(t)
    _, (b1, b2) = program(2.0, 5.0, 3.0)
    assert b1 == pytest.approx(3.0 * (5.0 + np.cos(2.0)))
    assert b2 == pytest.approx(3.0 * 2.0)


# ---------------------------------------------------------------- every scalar primitive
UNARY = {
    "sin": (np.sin, 0.7), "cos": (np.cos, 0.7), "tan": (np.tan, 0.7), "arcsin": (np.arcsin, 0.4),
    "arccos": (np.arccos, 0.4), "arctan": (np.arctan, 0.4), "sinh": (np.sinh, 0.7), "cosh": (np.cosh, 0.7),
    "tanh": (np.tanh, 0.7), "arcsinh": (np.arcsinh, 0.7), "arccosh": (np.arccosh, 1.7),
    "arctanh": (np.arctanh, 0.4), "exp": (np.exp, 0.7), "expm1": (np.expm1, 0.7), "exp2": (np.exp2, 0.7),
    "log": (np.log, 0.7), "log1p": (np.log1p, 0.7), "log2": (np.log2, 0.7), "log10": (np.log10, 0.7),
    "sqrt": (np.sqrt, 0.7), "cbrt": (np.cbrt, 0.7), "square": (np.square, 0.7),
    "reciprocal": (np.reciprocal, 0.7), "negative": (np.negative, 0.7), "positive": (np.positive, 0.7),
    "absolute": (np.abs, 0.7), "pow2": (lambda x: x ** 2, 0.7), "pow3": (lambda x: x ** 3.5, 0.7),
    "rpow": (lambda x: 2.0 ** x, 0.7), "scalar-ops": (lambda x: (3.0 - x) / (1.0 + x) * -x, 0.7),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_primitive(name):
    fn, x = UNARY[name]
    other = -x if name in ("absolute", "negative", "positive", "sin", "tan", "arctan", "sinh", "tanh",
                           "arcsinh", "arctanh", "exp", "expm1", "cbrt", "square", "pow2", "rpow",
                           "arcsin", "arccos", "cos", "cosh") else 1.3 * x
    check_program(lambda v: fn(v) * 1.0, (x,), (other,))


BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "true_divide": np.true_divide,
    "power": np.power, "maximum": np.maximum, "minimum": np.minimum, "arctan2": np.arctan2,
    "logaddexp": np.logaddexp, "logaddexp2": np.logaddexp2, "remainder": np.remainder, "fmod": np.fmod,
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_primitive(name):
    fn = BINARY[name]
    # traced with x < y, then run where x > y: maximum/minimum must follow the values, not the trace
    check_program(lambda a, b: fn(a, b), (0.7, 1.3), (1.9, 1.2), (0.45, 2.1))


def test_abs_and_maximum_follow_the_values_not_the_traced_branch():
    f = lambda x, y: np.abs(x) + np.maximum(x, y) * 2.0  # noqa: E731
    src = check_program(f, (0.5, 0.2), (-0.5, 0.2), (-0.5, -0.1))
    assert "np.sign(x)" in src and "np.greater(x, y)" in src  # comparisons are code, not frozen numbers


# ---------------------------------------------------------------- arrays
rng = np.random.default_rng(3)
X = rng.normal(size=(3, 4))
V = rng.normal(size=4)

ARRAY_CASES = {
    "broadcast": (lambda x, v: np.sum(np.tanh(x * v + v[None, :] / (1 + x ** 2))), (X, V)),
    "matmul": (lambda x, v: np.sum((x @ v) ** 2) + v @ v, (X, V)),
    "transpose-matmul": (lambda x: np.sum(np.sin(x.T @ x)), (X,)),
    "sum-axis": (lambda x: np.sum(np.sum(x, axis=0) ** 2) + np.sum(np.mean(x, axis=1) ** 3), (X,)),
    "keepdims": (lambda x: np.sum(x / np.sum(x ** 2, axis=1, keepdims=True)), (X,)),
    "max-reduce": (lambda x: np.sum(np.max(x, axis=1)) + np.min(x), (X,)),
    "softmax": (lambda v: np.sum(np.exp(v - np.max(v)) / np.sum(np.exp(v - np.max(v))) * v), (V,)),
    "logsumexp": (lambda v: np.log(np.sum(np.exp(v))), (V,)),
    "relu": (lambda x, v: np.sum(np.maximum(x @ v, 0.0) ** 2), (X, V)),
    "index": (lambda x: np.sum(x[1:, ::2] ** 2) + x[0, 3] * x[2, 1], (X,)),
    "gather-repeats": (lambda v: np.sum(v[np.array([0, 0, 2])] ** 2), (V,)),
    "reshape": (lambda x: np.sum(np.cos(x.reshape(2, 6)) @ np.ones(6)), (X,)),
    "concatenate": (lambda x, v: np.sum(np.concatenate([x, v[None, :]], axis=0) ** 2), (X, V)),
    "stack": (lambda x, v: np.sum(np.stack([x[0], v]) ** 3), (X, V)),
    "cumsum": (lambda x: np.sum(np.cumsum(x, axis=1) ** 2), (X,)),
    "einsum": (lambda x, v: np.sum(np.einsum("ij,j->i", x, v) ** 2), (X, V)),
    "outer": (lambda v: np.sum(np.sin(np.outer(v, v))), (V,)),
    "reuse": (lambda v: np.sum(v * v * v + np.sin(v) * v), (V,)),
}


@pytest.mark.parametrize("name", sorted(ARRAY_CASES))
def test_array_program(name):
    f, args = ARRAY_CASES[name]
    other = tuple(a + 0.3 * np.random.default_rng(11).normal(size=a.shape) for a in args)
    check_program(f, args, other)


def test_broadcasting_shows_the_sum():
    src = ad.trace(lambda x, v: np.sum(x * v), X, V).to_python()
    assert "v_bar = np.sum(" in src and "axis=(0,)" in src  # the broadcast copy's adjoint is a sum


def test_reuse_accumulates_without_in_place_updates():
    f = lambda x: x * x * x + np.sin(x) * x  # noqa: E731  (x is read 5 times: 4 accumulations)
    t = ad.trace(f, 0.8)
    program, src = compile_program(t)
    _, (x_bar,) = program(0.8)
    assert x_bar == pytest.approx(3 * 0.8 ** 2 + np.cos(0.8) * 0.8 + np.sin(0.8), abs=1e-14)
    assert src.count("x_bar = x_bar + ") == 4 and "+=" not in src


def test_an_array_input_is_not_modified():
    x = np.array([0.3, -0.2, 0.9])
    program, _ = compile_program(ad.trace(lambda v: np.sum(v + v + v), x))
    seed = np.array(1.0)
    copy, seed_copy = x.copy(), seed.copy()
    _, (bar,) = program(x, seed)
    np.testing.assert_array_equal(bar, [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(x, copy)
    np.testing.assert_array_equal(seed, seed_copy)


# ---------------------------------------------------------------- pytrees: a 2-layer MLP with dict params
def mlp_loss(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.mean((out - y) ** 2)


def test_mlp_loss_with_dict_params():
    r = np.random.default_rng(0)
    params = {"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4), "W2": r.normal(size=(4, 1)), "b2": r.normal(size=1)}
    x, y = r.normal(size=(5, 3)), r.normal(size=(5, 1))
    program, src = compile_program(ad.trace(mlp_loss, params, x, y), forward=True)
    assert src.splitlines()[0] == "def mlp_loss(params, x, y, params_dot, x_dot, y_dot, v9_bar=1.0):"
    assert 'params_W1 = params["W1"]' in src
    for p in (params, {k: v + 0.1 for k, v in params.items()}):
        dirs = {k: r.normal(size=v.shape) for k, v in p.items()}
        dx, dy = r.normal(size=x.shape), r.normal(size=y.shape)
        value, tangent, (g_params, g_x, g_y) = program(p, x, y, dirs, dx, dy)
        assert value == pytest.approx(mlp_loss(p, x, y), abs=1e-14)
        assert set(g_params) == set(params)
        for key in p:
            def f_key(w, key=key):
                return mlp_loss({**p, key: w}, x, y)
            np.testing.assert_allclose(g_params[key], central_gradient(f_key, [p[key]], 0), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(g_x, central_gradient(lambda xx: mlp_loss(p, xx, y), [x], 0), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(g_y, central_gradient(lambda yy: mlp_loss(p, x, yy), [y], 0), rtol=1e-5, atol=1e-7)
        plus = mlp_loss({k: v + H * dirs[k] for k, v in p.items()}, x + H * dx, y + H * dy)
        minus = mlp_loss({k: v - H * dirs[k] for k, v in p.items()}, x - H * dx, y - H * dy)
        assert tangent == pytest.approx((plus - minus) / (2 * H), rel=1e-6)


def test_list_and_tuple_arguments_and_outputs():
    def f(layers, scale):
        a, b = layers[0]
        return {"out": np.sin(a) * b + scale, "aux": (a * scale,)}

    t = ad.trace(f, [(0.4, 1.5)], 2.0)
    program, src = compile_program(t, forward=True, reverse=False)
    value, tangent = program([(0.4, 1.5)], 2.0, [(1.0, 0.0)], 0.0)
    assert value["out"] == pytest.approx(np.sin(0.4) * 1.5 + 2.0) and value["aux"][0] == pytest.approx(0.8)
    assert tangent["out"] == pytest.approx(np.cos(0.4) * 1.5) and tangent["aux"][0] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="one output"):
        t.to_python()


# ---------------------------------------------------------------- valid, readable, deterministic
def test_source_is_valid_readable_and_deterministic():
    f = ARRAY_CASES["broadcast"][0]
    t = ad.trace(f, X, V)
    src = t.to_python(forward=True)
    ast.parse(src)
    assert src == t.to_python(forward=True) == ad.trace(f, X, V).to_python(forward=True)
    lines = src.splitlines()
    start = lines.index("    # primal: one line per tape node")
    ops = [n for n in t.nodes if not n.is_input]
    primal = lines[start + 1:start + 1 + len(ops)]
    assert [line.split(" = ")[0].strip() for line in primal] == [n.name for n in ops]
    assert all(len(line) < 120 for line in lines)
    assert lines[start + 1 + len(ops)] == "    # forward sweep: tangents, first node first"


def test_name_option():
    src = ad.trace("x**2", x=3.0).to_python(name="square_and_adjoint")
    assert src.startswith("def square_and_adjoint(x, v1_bar=1.0):")
    with pytest.raises(ValueError, match="identifier"):
        ad.trace("x**2", x=3.0).to_python(name="not a name")


# ---------------------------------------------------------------- stop_gradient, checkpoint, refusals
def test_stop_gradient_is_a_copy_no_adjoint_crosses():
    program, src = compile_program(ad.trace(lambda x: x * ad.stop_gradient(x), 3.0))
    _, (x_bar,) = program(3.0)
    assert x_bar == 3.0  # d/dx (x · c) with c = x held constant
    assert "ad.stop_gradient" in src


def test_checkpoint_drops_its_intermediates_and_the_reverse_program_recomputes_them():
    f = lambda v: np.sum(ad.checkpoint(lambda u: np.sin(np.cos(u) * u))(v) ** 2)  # noqa: E731
    plain = lambda v: np.sum(np.sin(np.cos(v) * v) ** 2)  # noqa: E731
    program, src = compile_program(ad.trace(f, V), forward=True)
    lines = [line.strip() for line in src.splitlines()]
    assert "del v1, v2" in lines  # cos(u) and cos(u)*u are not kept; the block's output v3 is
    recompute = lines.index("# ad.checkpoint(<lambda>): recompute the block from its inputs")
    assert lines.index("del v1, v2") < lines.index("# reverse sweep: adjoints, last node first") < recompute
    assert lines[recompute + 1:recompute + 4] == ["v1 = np.cos(v)", "v2 = v1 * v", "v3 = np.sin(v2)"]
    first_block_adjoint = min(i for i, line in enumerate(lines) if line.startswith(("v2_bar", "v1_bar")))
    assert recompute < first_block_adjoint  # recomputed before the block's adjoints read v1, v2
    for x in (V, V[::-1] * 0.7):
        d = np.random.default_rng(2).normal(size=x.shape)
        value, tangent, (bar,) = program(x, d)
        assert value == pytest.approx(plain(x), abs=1e-13)
        assert tangent == pytest.approx(float(central_tangent(plain, [x], [d])), rel=1e-6)
        np.testing.assert_allclose(bar, central_gradient(plain, [x], 0), rtol=1e-6)


def test_nested_checkpoints_are_recomputed_once_from_the_outer_block():
    def inner(z):
        return np.tanh(z * 2.0) + z

    f = lambda x: np.exp(ad.checkpoint(lambda y: ad.checkpoint(inner)(y * y) * y)(x))  # noqa: E731
    plain = lambda x: np.exp((np.tanh(x * x * 2.0) + x * x) * x)  # noqa: E731
    program, src = compile_program(ad.trace(f, 0.4))
    assert src.count("recompute the block from its inputs") == 1 and "del v2, v3" in src
    for x in (0.4, -1.1):
        _, (bar,) = program(x)
        assert bar == pytest.approx(float(central_gradient(plain, [x], 0)), rel=1e-7)


# ---------------------------------------------------------------- past the traced point: masks are code
@pytest.mark.parametrize("f, traced, elsewhere", [
    (lambda v: np.prod(v), [1.5, -0.5, 2.0], [[1.5, 0.0, 2.0], [0.0, 0.0, 3.0]]),  # zeros: products of the others
    (lambda v: np.sum(np.clip(v, -0.5, 0.5) * v), [0.1, -0.2, 0.3], [[0.9, -0.8, 0.2]]),  # past the bounds
    (lambda v: np.hypot(v[0], v[1]) * 3.0, [0.3, 0.4], [[0.0, 0.0], [-1.0, 2.0]]),  # the origin: 0 (FD agrees)
    (lambda v: np.std(v), [0.3, 0.4, 1.0], [[2.0, 2.0, 2.0]]),  # no spread: 0 (FD agrees)
    (lambda v: np.linalg.norm(v), [0.3, 0.4], [[0.0, 0.0]]),  # zero vector: 0 (FD agrees)
    (lambda v: np.sum(np.maximum(v, 0.25)), [0.1, 0.5], [[0.25, 0.6]]),  # a tie: half, as FD sees
    (lambda v: np.sum(np.sinc(v)), [0.3, 0.7], [[0.0, 1e-5]]),  # the series branch near 0
    (lambda v: np.sum(np.fmax(v, 0.2) ** 2), [0.1, 0.5], [[0.6, -0.3]]),
    (lambda v: np.sum(v ** 1 * np.sin(v)), [0.1, 0.5], [[-0.6, 2.0]]),
])
def test_masks_and_branches_are_code_right_elsewhere(f, traced, elsewhere):
    program, src = compile_program(ad.trace(f, np.array(traced)))
    for x in [traced] + elsewhere:
        x = np.array(x, dtype=float)
        value, (bar,) = program(x)
        assert value == pytest.approx(f(x), abs=1e-14)
        np.testing.assert_allclose(bar, central_gradient(f, [x], 0), rtol=1e-6, atol=1e-8, err_msg=src)


def test_prod_program_has_no_branch_and_one_line_per_operation():
    t = ad.trace(lambda v: np.prod(v) * 2.0, np.array([1.5, -0.5, 2.0]))
    src = t.to_python()
    assert " if " not in src and "np.prod(" in src
    lines = src.splitlines()
    start = lines.index("    # primal: one line per tape node")
    assert [line.strip() for line in lines[start + 1:start + 3]] == ["v1 = np.prod(v, axis=(0,))", "v2 = v1 * 2.0"]
    assert lines[start + 3] == "    # reverse sweep: adjoints, last node first"


def test_refuses_and_names_what_it_cannot_write():
    """A transform nested inside the traced function leaves batched scatters on the tape: refused by name."""
    f = ad.jacfwd(ad.jacrev(lambda x: np.tanh(x) * x[::-1]))
    with pytest.raises(NoCodeForm, match="scatter_add"):
        ad.trace(lambda x: np.sum(f(x)), np.array([0.3, -0.4])).to_python()


@ad.custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    return softplus(x), x_dot / (1.0 + np.exp(-x))


@functools.partial(ad.custom_vjp, nondiff_argnums=(2,))
def scaled(x, y, k):
    return k * x * y


def scaled_fwd(x, y, k):
    return k * x * y, (x, y)


def scaled_bwd(k, residuals, y_bar):
    x, y = residuals
    return k * y * y_bar, k * x * y_bar


scaled.defvjp(scaled_fwd, scaled_bwd)


def test_custom_vjp_rule_is_called_by_name():
    f = lambda x, y: np.sum(np.tanh(scaled(np.sin(x), y, 3.0)))  # noqa: E731
    plain = lambda x, y: np.sum(np.tanh(3.0 * np.sin(x) * y))  # noqa: E731
    x, y = np.array([0.3, -0.5]), np.array([1.5, 0.2])
    src = ad.trace(f, x, y).to_python()
    lines = [line.strip() for line in src.splitlines()]
    assert "# calls the user's functions scaled_bwd, scaled_fwd: run it where they are defined" in lines
    assert "v2, v2_res = scaled_fwd(v1, y, 3.0)" in lines  # the static k in its place
    assert "v1_bar, y_bar = scaled_bwd(3.0, v2_res, v2_bar)" in lines  # static arguments first, as JAX
    with pytest.raises(NameError):  # the names are the user's: only NumPy in scope is not enough
        run = {"__builtins__": {}, "np": np}
        exec(src, run)
        run["f"](x, y)
    namespace = {"__builtins__": {}, "np": np, "scaled_fwd": scaled_fwd, "scaled_bwd": scaled_bwd}
    exec(src, namespace)
    for p in ((x, y), (x * 2.0, -y)):
        value, bars = namespace["f"](*p)
        assert value == pytest.approx(plain(*p), abs=1e-14)
        for k in range(2):
            np.testing.assert_allclose(bars[k], central_gradient(plain, list(p), k), rtol=1e-6)


def test_custom_jvp_rule_is_called_by_name_in_the_tangent_program():
    f = lambda x: np.sum(np.sin(softplus(x * x)) * x)  # noqa: E731
    plain = lambda x: np.sum(np.sin(np.log1p(np.exp(x * x))) * x)  # noqa: E731
    src = ad.trace(f, V).to_python(forward=True, reverse=False)
    lines = [line.strip() for line in src.splitlines()]
    assert "v2 = softplus(v1)" in lines and "v2_dot = softplus_jvp((v1,), (v1_dot,))[1]" in lines
    namespace = {"__builtins__": {}, "np": np, "softplus": softplus, "softplus_jvp": softplus_jvp}
    exec(src, namespace)
    d = np.random.default_rng(5).normal(size=V.shape)
    value, tangent = namespace["f"](V, d)
    assert value == pytest.approx(plain(V), abs=1e-13)
    assert tangent == pytest.approx(float(central_tangent(plain, [V], [d])), rel=1e-7)


def test_custom_rules_refused_where_a_call_cannot_express_them():
    t = ad.trace(lambda x: softplus(x) * 2.0, 0.3)
    with pytest.raises(NoCodeForm, match=r"softplus.*transpose of its JVP rule.*forward=True, reverse=False"):
        t.to_python()

    @ad.custom_vjp
    def cube(x):
        return x ** 3

    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x * x * g,))
    with pytest.raises(NoCodeForm, match=r"cube.*fwd rule has no name \(<lambda>\).*define it with def"):
        ad.trace(lambda x: cube(x) * 2.0, 0.3).to_python()
    with pytest.raises(NoCodeForm, match="no forward mode"):
        ad.trace(lambda x, y: scaled(x, y, 2.0), 0.3, 0.4).to_python(forward=True)

    @ad.custom_vjp
    def pair(p):
        return p["a"] * p["b"]

    def pair_fwd(p):
        return pair(p), p

    def pair_bwd(p, g):
        return ({"a": g * p["b"], "b": g * p["a"]},)

    pair.defvjp(pair_fwd, pair_bwd)
    with pytest.raises(NoCodeForm, match="not of pytrees"):
        ad.trace(lambda a, b: pair({"a": a, "b": b}), 0.3, 0.4).to_python()


def test_inputs_keep_their_names_and_constants_do_not_collide():
    """Inputs called t and c (the prefixes of temporaries and constants) keep their names."""
    f = lambda t, c: np.sum(t * np.array([1.0, 2.0]) + c) * np.sum(t)  # noqa: E731
    program, src = compile_program(ad.trace(f, np.ones(2), 3.0))
    assert src.startswith("def f(t, c, ")
    t0 = np.array([0.5, -1.5])
    _, (t_bar, c_bar) = program(t0, 3.0)
    np.testing.assert_allclose(t_bar, central_gradient(f, [t0, 3.0], 0), rtol=1e-7)
    assert c_bar == pytest.approx(2 * np.sum(t0))  # ∂/∂c of (Σ(t·w) + 2c)·Σt
