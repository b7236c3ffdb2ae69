"""The transforms' contract as JAX's api_test / custom_derivatives_test and autograd's test_core /
test_wrappers exercise it: argnums, has_aux, pytrees in and out, return structures, nesting,
closures over traced values, custom rules, stop_gradient, checkpoint, and the errors."""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np

import adviz as ad

from .core import SEED, Case, Mismatch, check, close, directional, expect_error, leaves, structure

R = np.random.default_rng(3 + SEED)
CASES: list[Case] = []


def case(name):
    def deco(fn):
        CASES.append(Case(f"api {name}", fn, "api"))
        return fn
    return deco


def C(name, f, *args, **opts):
    CASES.append(Case(f"api {name}", lambda: check(f, args, what=name, **opts), "api"))


def randn(*shape):
    return R.standard_normal(shape)


def fd_grad(f, x, *rest):
    """The gradient of scalar ``f`` in its first argument by central differences (NumPy only)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = 1.0
        d, _ = directional(lambda z: f(z, *rest), [x], [e.reshape(x.shape)])
        out.flat[j] = d[0]
    return out


def same_structure(got, want, what):
    if structure(got) != structure(want):
        raise Mismatch(f"{what}: structure {structure(got)}, expected {structure(want)}")


# ------------------------------------------------------------------ argnums, value_and_grad, has_aux
x2, y3, W = randn(2), randn(3), randn(3, 2)


def loss(x, W, y):
    return np.sum((np.tanh(W @ x) - y) ** 2)


@case("grad argnums default is 0")
def _():
    close(ad.grad(loss)(x2, W, y3), fd_grad(loss, x2, W, y3), what="grad")


@case("grad argnums int 1 (matrix)")
def _():
    close(ad.grad(loss, argnums=1)(x2, W, y3), fd_grad(lambda w: loss(x2, w, y3), W), what="grad W")


@case("grad argnums tuple order kept")
def _():
    g = ad.grad(loss, argnums=(2, 0))(x2, W, y3)
    if not isinstance(g, tuple) or len(g) != 2:
        raise Mismatch(f"expected a tuple of 2, got {type(g).__name__}")
    close(g[0], fd_grad(lambda y: loss(x2, W, y), y3), what="d/dy")
    close(g[1], fd_grad(loss, x2, W, y3), what="d/dx")


@case("grad argnums 1-tuple gives a 1-tuple")
def _():
    g = ad.grad(loss, argnums=(0,))(x2, W, y3)
    if not isinstance(g, tuple) or len(g) != 1:
        raise Mismatch(f"expected a 1-tuple, got {g!r:.80}")


@case("grad argnums negative")
def _():
    close(ad.grad(loss, argnums=-1)(x2, W, y3), fd_grad(lambda y: loss(x2, W, y), y3), what="d/dy")


@case("value_and_grad")
def _():
    v, g = ad.value_and_grad(loss, argnums=(0, 1))(x2, W, y3)
    close(v, loss(x2, W, y3), what="value")
    close(g[1], fd_grad(lambda w: loss(x2, w, y3), W), what="d/dW")


@case("grad has_aux")
def _():
    g, aux = ad.grad(lambda x: (np.sum(np.sin(x)), {"c": np.cos(x), "n": 3}), has_aux=True)(x2)
    close(g, np.cos(x2), what="grad")
    close(aux["c"], np.cos(x2), what="aux")
    if aux["n"] != 3 or any(type(a).__module__.startswith("adviz") for a in leaves(aux)):
        raise Mismatch(f"aux leaked a tracer or lost a value: {aux!r:.100}")


@case("value_and_grad has_aux")
def _():
    (v, aux), g = ad.value_and_grad(lambda x: (np.sum(x ** 3), x ** 2), has_aux=True)(x2)
    close(v, np.sum(x2 ** 3), what="value")
    close(aux, x2 ** 2, what="aux")
    close(g, 3 * x2 ** 2, what="grad")


@case("vjp has_aux")
def _():
    y, pull, aux = ad.vjp(lambda x: (np.sin(x), [x * 2]), x2, has_aux=True)
    close(y, np.sin(x2), what="y")
    close(aux[0], 2 * x2, what="aux")
    (ct,) = pull(np.ones(2))
    close(ct, np.cos(x2), what="ct")


@case("jvp has_aux")
def _():
    y, t, aux = ad.jvp(lambda x: (np.exp(x), x.sum()), (x2,), (np.ones(2),), has_aux=True)
    close(t, np.exp(x2), what="tangent")
    close(aux, x2.sum(), what="aux")


@case("jacrev/jacfwd has_aux")
def _():
    for tf in (ad.jacfwd, ad.jacrev):
        J, aux = tf(lambda x: (np.sin(x), x.sum()), has_aux=True)(x2)
        close(J, np.diag(np.cos(x2)), what=tf.__name__)
        close(aux, x2.sum(), what="aux")


@case("hessian has_aux")
def _():
    H, aux = ad.hessian(lambda x: (np.sum(x ** 3), 7.0), has_aux=True)(x2)
    close(H, np.diag(6 * x2), what="H")


@case("kwargs are not differentiated")
def _():
    close(ad.grad(lambda x, scale=1.0: scale * np.sum(x ** 2))(x2, scale=3.0), 6 * x2, what="grad")


# ------------------------------------------------------------------ jvp / vjp signatures
@case("jvp returns (primal, tangent) and accepts lists")
def _():
    out = ad.jvp(np.sin, [x2], [np.ones(2)])
    if not isinstance(out, tuple) or len(out) != 2:
        raise Mismatch(f"jvp returned {type(out).__name__}")
    close(out[1], np.cos(x2), what="tangent")


@case("jvp of several primals")
def _():
    y, t = ad.jvp(lambda a, b: a * b, (x2, 3.0), (np.ones(2), 1.0))
    close(t, 3.0 + x2, what="tangent")


@case("vjp one primal gives a 1-tuple")
def _():
    y, pull = ad.vjp(np.sin, x2)
    ct = pull(np.ones(2))
    if not isinstance(ct, tuple) or len(ct) != 1:
        raise Mismatch(f"vjp_fn returned {ct!r:.80}")
    close(ct[0], np.cos(x2), what="ct")


@case("vjp unused primal gets zeros")
def _():
    y, pull = ad.vjp(lambda a, b: np.sin(a), x2, y3)
    ca, cb = pull(np.ones(2))
    close(cb, np.zeros(3), what="zeros")


@case("grad unused argument gets zeros, not None")
def _():
    g = ad.grad(lambda a, b: np.sum(a), argnums=(0, 1))(x2, W)
    close(g[1], np.zeros_like(W), what="zeros")


@case("vjp_fn called twice, linear")
def _():
    y, pull = ad.vjp(np.sin, x2)
    close(pull(np.ones(2))[0] + pull(2 * np.ones(2))[0], 3 * np.cos(x2), what="ct")


@case("vjp with pytree output and pytree cotangent")
def _():
    y, pull = ad.vjp(lambda a: {"s": np.sin(a), "t": (a * 2, [a ** 2])}, x2)
    (ct,) = pull({"s": np.ones(2), "t": (np.full(2, 0.5), [np.ones(2)])})
    close(ct, np.cos(x2) + 1.0 + 2 * x2, what="ct")


@case("vjp with pytree primal")
def _():
    p = {"w": x2, "b": [1.5, y3]}
    y, pull = ad.vjp(lambda p: p["w"].sum() * p["b"][0] + np.sum(p["b"][1] ** 2), p)
    (ct,) = pull(1.0)
    same_structure(ct, p, "ct")
    close(ct["w"], np.full(2, 1.5), what="w")
    close(ct["b"][0], x2.sum(), what="b0")
    close(ct["b"][1], 2 * y3, what="b1")


@case("jvp with pytree primals and tangents")
def _():
    p = {"a": x2, "b": (2.0,)}
    t = {"a": np.ones(2), "b": (0.5,)}
    y, yd = ad.jvp(lambda p: {"o": p["a"] * p["b"][0]}, (p,), (t,))
    same_structure(yd, {"o": 0}, "tangent")
    close(yd["o"], 2.0 + 0.5 * x2, what="tangent")


@case("jvp tangent shape mismatch refused")
def _():
    expect_error(lambda: ad.jvp(np.sin, (x2,), (np.ones(3),)), words=("shape", "tangent"))


@case("vjp cotangent shape mismatch refused")
def _():
    y, pull = ad.vjp(np.sin, x2)
    expect_error(lambda: pull(np.ones(3)), words=("shape", "cotangent"))


@case("jvp primals not a sequence refused")
def _():
    expect_error(lambda: ad.jvp(np.sin, x2, np.ones(2)), words=("tuple", "list", "primals", "sequence"))


# ------------------------------------------------------------------ pytrees through every transform
P = {"W": randn(2, 3), "b": randn(2), "layers": [randn(2), (1.5, randn(3))]}


def tree_loss(p, x):
    h = np.tanh(p["W"] @ x + p["b"]) * p["layers"][0]
    return np.sum(h ** 2) * p["layers"][1][0] + np.sum(p["layers"][1][1] * x)


def flat(p):
    return np.concatenate([np.ravel(v) for v in leaves(p)])


@case("grad of dict/list/tuple params")
def _():
    g = ad.grad(tree_loss)(P, y3)
    same_structure(g, P, "grad")
    ref = fd_grad(lambda v: tree_loss(_unflat_from(v), y3), flat(P))
    close(flat(g), ref, what="grad")


def _unflat_from(v):
    out, i = [], 0
    for leaf in leaves(P):
        n = int(np.size(leaf))
        out.append(v[i:i + n].reshape(np.shape(leaf)) if np.ndim(leaf) else v[i])
        i += n
    return {"W": out[0], "b": out[1], "layers": [out[2], (out[3], out[4])]}


@case("pytree leaf order matches JAX (sorted dict keys)")
def _():
    if [np.shape(v) for v in leaves(P)] != [(2, 3), (2,), (2,), (), (3,)]:
        raise Mismatch("audit's own flattening is off")
    g = ad.grad(lambda p: p["z"] * 1.0 + 2 * p["a"])({"z": 1.0, "a": 2.0})
    close(g["z"], 1.0, what="z")
    close(g["a"], 2.0, what="a")


@case("check_grads on pytree input")
def _():
    check(tree_loss, [P, y3], what="tree")


@case("jacfwd/jacrev dict in, tuple out")
def _():
    f = lambda p: (p["a"] * p["b"], np.sum(p["a"]))  # noqa: E731
    p = {"a": randn(3), "b": randn(3)}
    for tf in (ad.jacfwd, ad.jacrev):
        J = tf(f)(p)
        if not isinstance(J, tuple) or len(J) != 2 or not isinstance(J[0], dict):
            raise Mismatch(f"{tf.__name__}: structure {structure(J)}")
        close(J[0]["a"], np.diag(p["b"]), what=f"{tf.__name__} J0a")
        close(J[0]["b"], np.diag(p["a"]), what=f"{tf.__name__} J0b")
        close(J[1]["a"], np.ones(3), what=f"{tf.__name__} J1a")
        close(J[1]["b"], np.zeros(3), what=f"{tf.__name__} J1b")


@case("jacrev of tuple-valued function")
def _():
    J = ad.jacrev(lambda x: (np.sin(x), 2 * x))(1.0)
    if not isinstance(J, tuple):
        raise Mismatch(f"got {J!r:.80}")
    close(J[0], np.cos(1.0), what="J0")
    close(J[1], 2.0, what="J1")


@case("jacfwd of dict-valued function of list input")
def _():
    J = ad.jacfwd(lambda l: {"p": l[0] * l[1], "q": l[1] ** 2})([2.0, 3.0])
    close(J["p"][0], 3.0, what="dp/dl0")
    close(J["p"][1], 2.0, what="dp/dl1")
    close(J["q"][0], 0.0, what="dq/dl0")
    close(J["q"][1], 6.0, what="dq/dl1")


@case("hessian of dict input")
def _():
    H = ad.hessian(lambda p: p["a"] ** 2 * p["b"])({"a": 1.5, "b": 2.0})
    close(H["a"]["a"], 2 * 2.0, what="aa")
    close(H["a"]["b"], 2 * 1.5, what="ab")
    close(H["b"]["b"], 0.0, what="bb")


@case("value_and_grad of list input")
def _():
    v, g = ad.value_and_grad(lambda l: l[0] * l[1])([2.0, 3.0])
    if not isinstance(g, list):
        raise Mismatch(f"gradient of a list is {type(g).__name__}")
    close(g, [3.0, 2.0], what="grad")


@case("namedtuple-free tuple output from vjp keeps the tuple")
def _():
    y, pull = ad.vjp(lambda a: (a, [a * 2]), 1.0)
    if not isinstance(y, tuple) or not isinstance(y[1], list):
        raise Mismatch(f"primal structure {structure(y)}")
    close(pull((1.0, [1.0]))[0], 3.0, what="ct")


@case("None leaves in output pytree")
def _():
    y, pull = ad.vjp(lambda a: (a * 2, None), 1.5)
    close(pull((1.0, None))[0], 2.0, what="ct")


# ------------------------------------------------------------------ jacobian shapes, hessian of several arguments
@case("jacfwd/jacrev matrix in, matrix out shape")
def _():
    A = randn(4, 2)
    f = lambda X: A @ np.sin(X)  # noqa: E731  (2,3) -> (4,3)
    X = randn(2, 3)
    ref = np.einsum("ij,kl,jl->ikjl", A, np.eye(3), np.cos(X))
    for tf in (ad.jacfwd, ad.jacrev):
        close(tf(f)(X), ref, what=tf.__name__)


@case("jacobian of scalar in, vector out and vector in scalar out")
def _():
    close(ad.jacfwd(lambda t: np.array([t, t ** 2]))(2.0), [1.0, 4.0], what="jacfwd")
    close(ad.jacrev(lambda v: np.sum(v ** 2))(x2), 2 * x2, what="jacrev")


@case("jacfwd/jacrev argnums tuple")
def _():
    f = lambda a, b: a * b[0]  # noqa: E731
    for tf in (ad.jacfwd, ad.jacrev):
        Ja, Jb = tf(f, argnums=(0, 1))(x2, y3)
        close(Ja, np.eye(2) * y3[0], what="Ja")
        ref = np.zeros((2, 3))
        ref[:, 0] = x2
        close(Jb, ref, what="Jb")


@case("hessian of two arguments (nested tuple, shapes out+in_i+in_j)")
def _():
    f = lambda a, b: np.sum(a ** 2) * np.sum(b ** 3)  # noqa: E731
    a, b = randn(2), randn(3)
    H = ad.hessian(f, argnums=(0, 1))(a, b)
    close(H[0][0], 2 * np.eye(2) * np.sum(b ** 3), what="aa")
    close(H[0][1], np.outer(2 * a, 3 * b ** 2), what="ab")
    close(H[1][0], np.outer(3 * b ** 2, 2 * a), what="ba")
    close(H[1][1], np.diag(6 * b) * np.sum(a ** 2), what="bb")


@case("hessian of a matrix argument")
def _():
    X = randn(2, 2)
    H = ad.hessian(lambda X: np.sum(X ** 3))(X)
    close(H, np.einsum("ij,ik,jl->ijkl", 6 * X, np.eye(2), np.eye(2)), what="H")


@case("hessian of vector-valued function (shape out + in + in)")
def _():
    H = ad.hessian(lambda x: x ** 3)(x2)
    ref = np.zeros((2, 2, 2))
    for i in range(2):
        ref[i, i, i] = 6 * x2[i]
    close(H, ref, what="H")


# ------------------------------------------------------------------ nesting
@case("grad of grad of grad")
def _():
    close(ad.grad(ad.grad(ad.grad(np.sin)))(0.7), -np.cos(0.7), what="d3 sin")
    close(ad.grad(ad.grad(ad.grad(lambda x: x ** 4)))(1.3), 24 * 1.3, what="d3 x^4")
    t = np.tanh(0.4)
    close(ad.grad(ad.grad(ad.grad(np.tanh)))(0.4), -2 * (1 - t ** 2) ** 2 + 4 * t ** 2 * (1 - t ** 2), what="d3 tanh")


@case("fourth derivative by mixed modes")
def _():
    d4 = ad.grad(lambda x: ad.jvp(lambda y: ad.grad(lambda z: ad.jvp(np.exp, (z,), (1.0,))[1])(y), (x,), (1.0,))[1])
    close(d4(0.3), np.exp(0.3), what="d4 exp")


@case("perturbation confusion (closure over a traced value)")
def _():
    close(ad.grad(lambda x: x * ad.grad(lambda y: x + y)(1.0))(1.0), 1.0, what="reverse")
    f = lambda x: ad.jvp(lambda y: x * ad.jvp(lambda z: x * z, (1.0,), (1.0,))[1] * y, (2.0,), (1.0,))[1]  # noqa: E731
    close(ad.grad(f)(3.0), 2 * 3.0, what="mixed")
    close(ad.jvp(lambda x: x * ad.grad(lambda y: x * y)(2.0), (3.0,), (1.0,))[1], 6.0, what="jvp of closure")


@case("grad of function closing over outer traced array")
def _():
    def outer(w):
        inner = lambda v: np.sum(np.sin(w * v))  # noqa: E731
        return np.sum(ad.grad(inner)(x2) * w)
    # d/dw sum(cos(w x) w^2) = -sin(w x) x w^2 + 2 w cos(w x)
    w = randn(2)
    close(ad.grad(outer)(w), -np.sin(w * x2) * x2 * w ** 2 + 2 * w * np.cos(w * x2), what="grad")


@case("jvp of grad = Hessian-vector product")
def _():
    f = lambda x: np.sum(np.sin(x) * x[::-1])  # noqa: E731
    v = randn(3)
    x = randn(3)
    Hv = ad.jvp(ad.grad(f), (x,), (v,))[1]
    H = np.diag(-np.sin(x) * x[::-1]) + np.diag(np.cos(x))[:, ::-1] + np.diag(np.cos(x))[::-1, :]
    close(Hv, H @ v, what="Hv")


@case("grad of vjp and vjp of jvp")
def _():
    x = randn(3)
    g = ad.grad(lambda x: np.sum(ad.vjp(np.sin, x)[1](np.ones(3))[0]))(x)
    close(g, -np.sin(x), what="grad of vjp")
    y, pull = ad.vjp(lambda x: ad.jvp(np.exp, (x,), (np.ones(3),))[1], x)
    close(pull(np.ones(3))[0], np.exp(x), what="vjp of jvp")


@case("jacfwd of jacrev and jacrev of jacfwd")
def _():
    x = randn(3)
    f = lambda x: np.sum(np.exp(x) * x)  # noqa: E731
    ref = np.diag(np.exp(x) * (x + 2))
    close(ad.jacfwd(ad.jacrev(f))(x), ref, what="fwd(rev)")
    close(ad.jacrev(ad.jacfwd(f))(x), ref, what="rev(fwd)")
    close(ad.jacrev(ad.jacrev(f))(x), ref, what="rev(rev)")
    close(ad.jacfwd(ad.jacfwd(f))(x), ref, what="fwd(fwd)")


@case("hessian inside grad (third order)")
def _():
    x = randn(2)
    g = ad.grad(lambda x: np.sum(ad.hessian(lambda z: np.sum(z ** 4))(x)))(x)
    close(g, 24 * x, what="grad of trace-sum of hessian")


@case("python control flow on concrete values")
def _():
    def f(x):
        if x > 0:
            return x ** 2
        for _ in range(3):
            x = np.sin(x)
        return x
    close(ad.grad(f)(1.5), 3.0, what="pos")
    a = -0.5
    ref = np.cos(np.sin(np.sin(a))) * np.cos(np.sin(a)) * np.cos(a)
    close(ad.grad(f)(a), ref, what="neg")
    close(ad.grad(ad.grad(f))(1.5), 2.0, what="second")


@case("while loop on a traced value")
def _():
    def f(x):
        while x < 10.0:
            x = x * 2
        return x
    close(ad.grad(f)(1.5), 8.0, what="grad")


# ------------------------------------------------------------------ custom rules
@ad.custom_jvp
def twice_slope(x):
    return np.sin(x)


@twice_slope.defjvp
def _twice_slope_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return np.sin(x), 2 * np.cos(x) * t  # deliberately twice the true slope: the rule must be used


@case("custom_jvp used by grad/jvp/jacfwd/jacrev")
def _():
    x = randn(3)
    close(ad.grad(lambda x: np.sum(twice_slope(x)))(x), 2 * np.cos(x), what="grad")
    close(ad.jvp(twice_slope, (x,), (np.ones(3),))[1], 2 * np.cos(x), what="jvp")
    close(ad.jacfwd(twice_slope)(x), np.diag(2 * np.cos(x)), what="jacfwd")
    close(ad.jacrev(twice_slope)(x), np.diag(2 * np.cos(x)), what="jacrev")
    close(ad.vjp(twice_slope, x)[1](np.ones(3))[0], 2 * np.cos(x), what="vjp")


@case("custom_jvp second order differentiates the rule")
def _():
    x = randn(3)
    close(ad.hessian(lambda x: np.sum(twice_slope(x)))(x), np.diag(-2 * np.sin(x)), what="hessian")
    close(ad.grad(ad.grad(twice_slope))(0.4), -2 * np.sin(0.4), what="grad grad")
    close(ad.jacfwd(ad.jacrev(lambda x: np.sum(twice_slope(x))))(x), np.diag(-2 * np.sin(x)), what="fwd(rev)")


@ad.custom_jvp
def safe_log1pexp(x):
    return np.log1p(np.exp(x))


@safe_log1pexp.defjvp
def _sl_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return safe_log1pexp(x), t / (1 + np.exp(-x))


@case("custom_jvp recursive rule (JAX docs softplus) at large x")
def _():
    close(ad.grad(safe_log1pexp)(100.0), 1.0, what="grad at 100")
    close(ad.grad(ad.grad(safe_log1pexp))(0.3), np.exp(-0.3) / (1 + np.exp(-0.3)) ** 2, what="second")


@ad.custom_jvp
def two_args(x, y):
    return x * y


two_args.defjvps(lambda t, ans, x, y: 3 * y * t, lambda t, ans, x, y: 5 * x * t)


@case("custom_jvp defjvps with two arguments")
def _():
    gx, gy = ad.grad(two_args, argnums=(0, 1))(2.0, 7.0)
    close(gx, 21.0, what="gx")
    close(gy, 10.0, what="gy")


@ad.custom_vjp
def clip_grad(x, lim):
    return x


def _cg_fwd(x, lim):
    return x, lim


def _cg_bwd(lim, g):
    return np.clip(g, -lim, lim), 0.0


clip_grad.defvjp(_cg_fwd, _cg_bwd)


@case("custom_vjp used by grad/vjp/jacrev")
def _():
    x = randn(3)
    g = ad.grad(lambda x: np.sum(5 * clip_grad(x, 1.0)))(x)
    close(g, np.full(3, 1.0), what="grad")
    close(ad.jacrev(lambda x: 5 * clip_grad(x, 1.0))(x), np.eye(3), what="jacrev")


@ad.custom_vjp
def cube(x):
    return x ** 3


cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x ** 2 * g,))


@case("custom_vjp under hessian / grad of grad (reverse of bwd)")
def _():
    close(ad.grad(ad.grad(cube))(1.3), 6 * 1.3, what="grad grad")
    x = randn(2)
    close(ad.hessian(lambda x: np.sum(cube(x)))(x), np.diag(6 * x), what="hessian")


@case("custom_vjp under jvp/jacfwd: right or refused")
def _():
    x = randn(2)
    close(ad.jacfwd(cube)(x), np.diag(3 * x ** 2), what="jacfwd")


@case("custom_vjp with pytree argument")
def _():
    @ad.custom_vjp
    def f(p):
        return p["a"] * p["b"]

    f.defvjp(lambda p: (p["a"] * p["b"], p), lambda p, g: ({"a": g * p["b"] * 10, "b": g * p["a"]},))
    g = ad.grad(lambda p: np.sum(f(p)))({"a": x2, "b": np.array([1.0, 2.0])})
    close(g["a"], 10 * np.array([1.0, 2.0]), what="a")
    close(g["b"], x2, what="b")


@case("custom_jvp with nondiff_argnums")
def _():
    from functools import partial

    @partial(ad.custom_jvp, nondiff_argnums=(0,))
    def app(n, x):
        return x ** n

    @app.defjvp
    def app_jvp(n, primals, tangents):
        (x,), (t,) = primals, tangents
        return x ** n, n * x ** (n - 1) * t * 10

    close(ad.grad(app, argnums=1)(3, 2.0), 120.0, what="grad")


# ------------------------------------------------------------------ stop_gradient and checkpoint under every transform
def sg_f(x):
    return np.sum(x * ad.stop_gradient(x) + np.sin(ad.stop_gradient(x) * x))


@case("stop_gradient under grad/jvp/vjp/jacfwd/jacrev")
def _():
    x = randn(3)
    ref = x + np.cos(x * x) * x
    close(ad.grad(sg_f)(x), ref, what="grad")
    close(ad.jvp(sg_f, (x,), (np.ones(3),))[1], np.sum(ref), what="jvp")
    close(ad.vjp(sg_f, x)[1](1.0)[0], ref, what="vjp")
    close(ad.jacfwd(sg_f)(x), ref, what="jacfwd")
    close(ad.jacrev(sg_f)(x), ref, what="jacrev")


@case("stop_gradient under hessian / second order (JAX: stopped at every level)")
def _():
    # grad = sg(x) + cos(sg(x) x) sg(x); its derivative: -sin(x·x) x·x (only the unstopped x moves)
    x = randn(3)
    ref = np.diag(-np.sin(x * x) * x * x)
    close(ad.hessian(sg_f)(x), ref, what="hessian")
    close(ad.jacfwd(ad.grad(sg_f))(x), ref, what="jacfwd(grad)")
    close(ad.jacrev(ad.grad(sg_f))(x), ref, what="jacrev(grad)")


@case("stop_gradient of pytree and of a constant")
def _():
    out = ad.stop_gradient({"a": 1.0, "b": np.ones(2)})
    close(out["b"], np.ones(2), what="plain")
    close(ad.grad(lambda x: x * ad.stop_gradient(2.0))(1.0), 2.0, what="const")


def ck_body(x, W):
    return np.tanh(W @ np.sin(x))


@case("checkpoint under grad/jvp/vjp/jacfwd/jacrev/hessian equals plain")
def _():
    x, Wm = randn(3), randn(2, 3)
    f_plain = lambda x, W: np.sum(ck_body(x, W) ** 2)  # noqa: E731
    f_ck = lambda x, W: np.sum(ad.checkpoint(ck_body)(x, W) ** 2)  # noqa: E731
    check(f_ck, [x, Wm], what="checkpoint")
    close(ad.grad(f_ck, argnums=(0, 1))(x, Wm)[1], fd_grad(lambda w: f_plain(x, w), Wm), what="grad W")
    H = ad.hessian(f_ck)(x, Wm)
    Hp = np.array([fd_grad(lambda z: ad.grad(f_plain)(z, Wm)[i], x) for i in range(3)])
    close(H, Hp, what="hessian")


@case("checkpoint as decorator, remat alias, policy-free kwargs")
def _():
    @ad.checkpoint
    def g(x):
        return np.sin(np.sin(x))

    close(ad.grad(g)(0.5), np.cos(np.sin(0.5)) * np.cos(0.5), what="decorator")
    close(ad.grad(ad.remat(np.exp))(0.5), np.exp(0.5), what="remat")
    close(ad.grad(ad.grad(g))(0.5), -np.sin(np.sin(0.5)) * np.cos(0.5) ** 2 - np.cos(np.sin(0.5)) * np.sin(0.5),
          what="second")


@case("checkpoint containing custom_jvp and stop_gradient")
def _():
    f = ad.checkpoint(lambda x: twice_slope(x) * ad.stop_gradient(x))
    x = 0.7
    close(ad.grad(f)(x), 2 * np.cos(x) * x, what="grad")
    close(ad.jvp(f, (x,), (1.0,))[1], 2 * np.cos(x) * x, what="jvp")


# ------------------------------------------------------------------ errors and refusals
@case("grad of non-scalar output refused")
def _():
    expect_error(lambda: ad.grad(np.sin)(x2), words=("scalar", "shape"))


@case("grad of (1,)-shaped output refused like JAX")
def _():
    expect_error(lambda: ad.grad(lambda x: x[:1] * 2)(x2), words=("scalar", "shape"))


@case("grad of bool output refused")
def _():
    expect_error(lambda: ad.grad(lambda x: x > 0)(1.0), words=("bool", "float", "real", "differentiable"))


@case("grad of int output refused")
def _():
    expect_error(lambda: ad.grad(lambda x: np.int64(3))(1.0))


def promoted_or_refused(call: Callable[[], Any], expected: Any) -> None:
    """An integer or bool input is either promoted to float (and then the derivative is right)
    or refused with a message; never a silent zero."""
    try:
        g = call()
    except (TypeError, ValueError) as e:
        if not str(e):
            raise Mismatch("empty message") from e
        return
    close(g, expected, what="promoted")


@case("grad of integer input: promoted (right) or refused")
def _():
    promoted_or_refused(lambda: ad.grad(lambda x: x ** 2)(3), 6.0)


@case("grad of integer array input: promoted or refused, never zero")
def _():
    promoted_or_refused(lambda: ad.grad(lambda x: np.sum(x ** 2))(np.array([1, 2])), [2.0, 4.0])


@case("grad of bool input: promoted (right) or refused")
def _():
    promoted_or_refused(lambda: ad.grad(lambda x: x * 3.0)(True), 3.0)


@case("argnums out of range refused")
def _():
    expect_error(lambda: ad.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0), words=("argnum",))


@case("complex input: right or refused")
def _():
    try:
        g = ad.grad(lambda z: np.real(z * np.conj(z)))(1.0 + 2.0j)
    except (TypeError, ValueError) as e:
        if not str(e):
            raise Mismatch("empty message") from e
        return
    close(np.real(g), 2.0, what="re")  # JAX convention: conj of the Wirtinger gradient, 2z̄ -> 2 - 4j


@case("escaped tracer raises")
def _():
    box = []
    ad.grad(lambda x: (box.append(x), x * 2)[1])(1.0)
    expect_error(lambda: box[0] * 3.0)


@case("threads do not see each other's transforms")
def _():
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(ad.grad(lambda x: x * ad.grad(lambda y: x * y)(1.0))(3.0))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    close(np.array(results), np.full(len(results), 6.0), what="threads")


@case("inputs never modified in place")
def _():
    x = randn(3)
    keep = x.copy()
    ad.grad(lambda x: np.sum(x ** 2))(x)
    ad.jacfwd(np.sin)(x)
    ad.hessian(lambda x: np.sum(x ** 3))(x)
    close(x, keep, what="input")


@case("empty arrays")
def _():
    close(ad.grad(lambda x: np.sum(np.sin(x)))(np.zeros(0)), np.zeros(0), what="grad")
    close(ad.jacfwd(np.sin)(np.zeros(0)), np.zeros((0, 0)), what="jacfwd")
    close(ad.jacrev(np.sin)(np.zeros(0)), np.zeros((0, 0)), what="jacrev")


@case("float derivative shape/dtype follows input")
def _():
    g = ad.grad(lambda x: x ** 2)(3.0)
    if np.shape(g) != ():
        raise Mismatch(f"shape {np.shape(g)}")
    g32 = ad.grad(lambda x: np.sum(x ** 2))(np.ones(2, np.float32))
    if np.asarray(g32).dtype != np.float32:
        raise Mismatch(f"dtype {np.asarray(g32).dtype}")


@case("std at a constant vector is 0 (documented convention)")
def _():
    close(ad.grad(np.std)(3.5), 0.0, what="scalar")
    close(ad.grad(np.std)(np.array([2.0, 2.0])), np.zeros(2), what="vector")


@case("sqrt at 0 under grad is inf like NumPy, not a crash")
def _():
    g = ad.grad(np.sqrt)(0.0)
    if not np.isinf(g):
        raise Mismatch(f"got {g}")


@case("norm at zero vector: finite subgradient or nan, never crash")
def _():
    g = np.asarray(ad.grad(np.linalg.norm)(np.zeros(3)))
    if g.shape != (3,):
        raise Mismatch(f"shape {g.shape}")


@case("abs at 0 convention agrees in forward and reverse")
def _():
    a = ad.grad(np.abs)(0.0)
    b = ad.jvp(np.abs, (0.0,), (1.0,))[1]
    close(a, b, what="fwd vs rev")


@case("max tie convention agrees in forward and reverse")
def _():
    x = np.array([1.0, 3.0, 3.0])
    g = ad.grad(np.max)(x)
    J = ad.jacfwd(np.max)(x)
    close(g, J, what="fwd vs rev")
    close(np.sum(g), 1.0, what="sum of subgradient")


@case("JAX keywords holomorphic=False, allow_int= accepted")
def _():
    f = lambda x: np.sum(np.sin(x))  # noqa: E731
    close(ad.grad(f, holomorphic=False, allow_int=True)(x2), np.cos(x2), what="grad")
    close(ad.value_and_grad(f, holomorphic=False)(x2)[1], np.cos(x2), what="value_and_grad")
    close(ad.jacfwd(np.sin, holomorphic=False)(x2), np.diag(np.cos(x2)), what="jacfwd")
    close(ad.jacrev(np.sin, allow_int=True)(x2), np.diag(np.cos(x2)), what="jacrev")
    close(ad.hessian(f, holomorphic=False)(x2), np.diag(-np.sin(x2)), what="hessian")


@case("holomorphic=True refused (complex numbers are not supported)")
def _():
    expect_error(lambda: ad.grad(lambda z: z * z, holomorphic=True)(1.0), words=("holomorphic", "complex"))


@case("float()/math.* of a traced value refused by adviz")
def _():
    import math
    try:
        ad.grad(lambda x: math.sin(x))(0.5)
    except ad.UnsupportedOperation:
        return
    raise Mismatch("math.sin of a traced value was not refused")


@ad.custom_vjp
def _scaled(x, scale=2.0):
    return x * scale


_scaled.defvjp(lambda x, scale=2.0: (x * scale, scale), lambda s, g: (10 * s * g, 0.0))


@case("custom_vjp default argument is a primal (JAX resolve_kwargs)")
def _():
    close(ad.grad(_scaled)(1.0), 20.0, what="default")
    close(ad.grad(lambda x: _scaled(x, scale=3.0))(1.0), 30.0, what="keyword")
    close(ad.jacrev(lambda x: _scaled(x) * x)(2.0), 40.0 + 4.0, what="jacrev")


@case("custom_jvp with tuple output under jacfwd/jacrev/second order")
def _():
    @ad.custom_jvp
    def sc(x):
        return (np.sin(x), np.cos(x))

    sc.defjvp(lambda p, t: (sc(p[0]), (np.cos(p[0]) * t[0], -3 * np.sin(p[0]) * t[0])))
    x = 0.7
    for tf in (ad.jacfwd, ad.jacrev):
        J = tf(sc)(x)
        close(J[0], np.cos(x), what="J0")
        close(J[1], -3 * np.sin(x), what="J1")
    close(ad.grad(ad.grad(lambda z: sc(z)[1]))(x), -3 * np.cos(x), what="second")


@case("hessian of two pytree arguments nests as JAX: H[a][path][b][path]")
def _():
    p = {"w": randn(2), "c": [1.3, randn(2, 2)]}
    q = (randn(2),)

    def f(p, q):
        return np.sum(np.tanh(p["c"][1] @ (p["w"] * q[0]))) * p["c"][0]

    def F(v):  # the same function of one flat vector: c0, c1 (4), w (2), q0 (2)
        return f({"w": v[5:7], "c": [v[0], v[1:5].reshape(2, 2)]}, (v[7:9],))

    v0 = np.concatenate([[p["c"][0]], p["c"][1].ravel(), p["w"], q[0]])
    fd_g = lambda v: fd_grad(F, v)  # noqa: E731
    H = np.array([directional(fd_g, [v0], [np.eye(9)[i]])[0][0] for i in range(9)])
    Ha = ad.hessian(f, argnums=(0, 1))(p, q)
    where = [{("c", 0): [0], ("c", 1): [1, 2, 3, 4], ("w",): [5, 6]}, {(0,): [7, 8]}]
    trees = (p, q)

    def get(t, path):
        for k in path:
            t = t[k]
        return t

    for a in (0, 1):
        for b in (0, 1):
            for pa, ia in where[a].items():
                for pb, ib in where[b].items():
                    blk = np.asarray(get(get(Ha[a], pa)[b], pb))
                    want_shape = np.shape(get(trees[a], pa)) + np.shape(get(trees[b], pb))
                    if blk.shape != want_shape:
                        raise Mismatch(f"H[{a}]{pa}[{b}]{pb}: shape {blk.shape}, expected {want_shape}")
                    close(blk.reshape(len(ia), len(ib)), H[np.ix_(ia, ib)], 1e-5, f"H[{a}]{pa}[{b}]{pb}", rtol=1e-4)


@case("jacfwd and jacrev of a bool output refused (as JAX)")
def _():
    expect_error(lambda: ad.jacfwd(lambda x: x > 0)(x2), words=("float", "bool"))
    expect_error(lambda: ad.jacrev(lambda x: x > 0)(x2), words=("float", "bool"))
