"""Probe: custom_jvp/custom_vjp/checkpoint/stop_gradient, pytrees, has_aux, nesting — vs FD."""
import numpy as np
from harness import *  # noqa
import adviz as ad

rng = np.random.default_rng(5)


@ad.custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def _sp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1 + np.exp(-x))


@ad.custom_jvp
def f2(x, y):
    return np.sin(x) * y


@f2.defjvp
def _f2_jvp(p, t):
    (x, y), (tx, ty) = p, t
    return f2(x, y), np.cos(x) * y * tx + np.sin(x) * ty


@ad.custom_vjp
def g2(x, y):
    return x * np.exp(y)


def g2_fwd(x, y):
    e = np.exp(y)
    return x * e, (x, e)


def g2_bwd(res, gbar):
    x, e = res
    return gbar * e, gbar * x * e


g2.defvjp(g2_fwd, g2_bwd)


@ad.checkpoint
def block(x):
    return np.tanh(np.sin(x) * x + 0.3)


@ad.checkpoint
def block2(x, W):
    return np.tanh(W @ x)


cases = [
    ("custom_jvp softplus", lambda x: softplus(x) * x, (rng.standard_normal(3),)),
    ("custom_jvp 2 args", lambda x, y: f2(x, y) ** 2, (rng.standard_normal(3), rng.standard_normal(3))),
    ("custom_jvp bcast", lambda x, y: f2(x, y), (rng.standard_normal((2, 3)), rng.standard_normal(3))),
    ("custom_jvp nested", lambda x: softplus(softplus(x)), (rng.standard_normal(4),)),
    ("checkpoint", lambda x: block(block(x)) * x, (rng.standard_normal(3),)),
    ("checkpoint 2 args", lambda x, W: block2(block2(x, W), W), (rng.standard_normal(3), rng.standard_normal((3, 3)))),
    ("checkpoint of custom", lambda x: ad.checkpoint(lambda z: softplus(z) * np.sin(z))(x), (rng.standard_normal(3),)),
    ("stop_gradient", lambda x: x * ad.stop_gradient(x) + np.sin(x), (rng.standard_normal(3),)),
]

# stop_gradient reference: treat the stopped value as a constant -> define reference fn manually
def make_ref(name, f):
    if name == "stop_gradient":
        return None
    return f


for name, f, args in cases:
    if name == "stop_gradient":
        x = args[0]
        expect(name + " grad", lambda: ad.grad(lambda x: np.sum(f(x)))(x), x + np.cos(x))
        expect(name + " jacfwd", lambda: ad.jacfwd(f)(x), np.diag(x + np.cos(x)))
        expect(name + " hessian", lambda: ad.hessian(lambda x: np.sum(f(x)))(x), np.diag(-np.sin(x)))
        continue
    check_first_order(name, f, args, rng)
    if len(args) == 1:
        check_second_order(name, f, args[0], rng)
    else:
        check_second_order(name + " arg0", lambda a, f=f, rest=args[1:]: f(a, *rest), args[0], rng)
        check_second_order(name + " arg1", lambda b, f=f, a=args[0]: f(a, b), args[1], rng)

# custom_vjp: first order reverse, refused forward
x, y = rng.standard_normal(3), rng.standard_normal(3)
gfun = lambda x, y: np.sum(g2(x, y) ** 2)
ref = lambda: (2 * g2(x, y) * np.exp(y), 2 * g2(x, y) * x * np.exp(y))
expect("custom_vjp grad", lambda: ad.grad(gfun, argnums=(0, 1))(x, y), lambda: list(ref()))
expect("custom_vjp jacrev", lambda: ad.jacrev(lambda x: g2(x, y))(x), np.diag(np.exp(y)))
expect("custom_vjp jvp refused", lambda: ad.jvp(lambda x: g2(x, y), (x,), (x,)), None)
expect("custom_vjp grad(grad)", lambda: ad.grad(lambda x: np.sum(ad.grad(lambda z: np.sum(g2(z, y) ** 2))(x)))(x), 2 * np.exp(2 * y))

# pytrees everywhere
params = {"W": rng.standard_normal((2, 3)), "b": [rng.standard_normal(2), (np.float64(0.3),)]}
xin = rng.standard_normal(3)


def loss(p, x):
    h = np.tanh(p["W"] @ x + p["b"][0]) * p["b"][1][0]
    return np.sum(h ** 2)


def flat(p):
    return np.concatenate([p["W"].ravel(), p["b"][0], [p["b"][1][0]]])


def unflat(v):
    return {"W": v[:6].reshape(2, 3), "b": [v[6:8], (v[8],)]}


v0 = flat(params)
check_first_order("pytree loss (flattened ref)", lambda v: loss(unflat(v), xin), (v0,), rng)
check_second_order("pytree loss (flattened ref)", lambda v: loss(unflat(v), xin), v0, rng)
G = None


def t_tree_grad():
    g = ad.grad(loss)(params, xin)
    gv = flat(g)
    ref, err = fd_dir(lambda v: loss(unflat(v), xin), [v0], [np.eye(9)[3]])
    gflat = ad.grad(lambda v: loss(unflat(v), xin))(v0)
    close(gv, gflat, np.zeros(9), "tree grad vs flat", rtol=1e-12, atol=1e-14)
    assert isinstance(g["b"], list) and isinstance(g["b"][1], tuple)


record("pytree grad structure", t_tree_grad)


def t_tree_hess():
    H = ad.hessian(loss)(params, xin)
    Hf = ad.hessian(lambda v: loss(unflat(v), xin))(v0)
    close(H["W"]["b"][0].reshape(6, 2), Hf[:6, 6:8], np.zeros(12), "tree hessian block W,b0", rtol=1e-10)
    close(np.asarray(H["b"][1][0]["W"]).reshape(6), Hf[8, :6], np.zeros(6), "tree hessian block b1,W", rtol=1e-10)


record("pytree hessian blocks", t_tree_hess)


def t_tree_jvp():
    tang = unflat(rng.standard_normal(9))
    y, t = ad.jvp(loss, (params, xin), (tang, np.zeros(3)))
    ref, err = fd_dir(lambda v: loss(unflat(v), xin), [v0], [flat(tang)])
    close(t, ref, err, "tree jvp")


record("pytree jvp", t_tree_jvp)


def t_tree_vjp_out():
    f = lambda p: {"a": p["W"] @ xin, "c": (np.sum(p["b"][0]) * p["b"][1][0],)}
    y, fn = ad.vjp(f, params)
    ct = {"a": rng.standard_normal(2), "c": (1.5,)}
    (g,) = fn(ct)
    d = unflat(rng.standard_normal(9))
    ref, err = fd_dir(lambda v: np.concatenate([f(unflat(v))["a"], [f(unflat(v))["c"][0]]]), [v0], [flat(d)])
    lhs = float(np.sum(flat(g) * flat(d)))
    rhs = float(np.sum(ref * np.concatenate([ct["a"], [1.5]])))
    close(lhs, rhs, np.array(1e-8), "tree vjp")


record("pytree vjp dict out", t_tree_vjp_out)


def t_jac_tree_out():
    f = lambda x: {"s": np.sin(x), "p": (x[0] * x[1], [np.sum(x)])}
    J = ad.jacrev(f)(xin)
    J2 = ad.jacfwd(f)(xin)
    close(J["s"], np.diag(np.cos(xin)), np.zeros(9), "jacrev dict s")
    close(J2["p"][0], [xin[1], xin[0], 0], np.zeros(3), "jacfwd tuple p0")
    close(J["p"][1][0], np.ones(3), np.zeros(3), "jacrev list")


record("jacobian tree output", t_jac_tree_out)


def t_aux():
    (v, aux), g = ad.value_and_grad(lambda x: (np.sum(x ** 2), {"n": np.sum(x), "raw": x}), has_aux=True)(xin)
    close(g, 2 * xin, np.zeros(3), "aux grad")
    assert not isinstance(aux["raw"], ad.engine.tracer.Tracer)
    close(aux["raw"], xin, np.zeros(3), "aux raw")
    J, aux2 = ad.jacfwd(lambda x: (np.sin(x), np.cos(x)), has_aux=True)(xin)
    close(aux2, np.cos(xin), np.zeros(3), "jacfwd aux")
    H, aux3 = ad.hessian(lambda x: (np.sum(x ** 3), x * 2), has_aux=True)(xin)
    close(H, np.diag(6 * xin), np.zeros(9), "hessian aux")
    close(aux3, 2 * xin, np.zeros(3), "hessian aux value")


record("has_aux transforms", t_aux)


def t_nested_closure():
    # d/dx [ x * d/dy (x*y + y**2) at y = x ] = d/dx [x * (x + 2x)] = 6x
    f = lambda x: x * ad.grad(lambda y: x * y + y ** 2)(x)
    close(ad.grad(f)(1.3), 6 * 1.3, np.zeros(1), "nested closure")
    close(ad.jvp(f, (1.3,), (1.0,))[1], 6 * 1.3, np.zeros(1), "nested closure jvp")
    close(ad.jacfwd(f)(1.3), 6 * 1.3, np.zeros(1), "nested closure jacfwd")
    g = lambda x: ad.jvp(lambda y: x * np.sin(y), (x,), (1.0,))[1]  # x cos x
    close(ad.grad(g)(0.7), np.cos(0.7) - 0.7 * np.sin(0.7), np.zeros(1), "grad of jvp closure")
    h = lambda x: ad.jacrev(lambda y: y * x ** 2)(np.array([x, 2.0]))  # diag(x^2) -> d/dx sum = 2*2x
    close(ad.grad(lambda x: np.sum(h(x)))(0.7), 4 * 0.7, np.zeros(1), "grad of jacrev closure")
    k = lambda x: ad.vjp(lambda y: np.sin(x * y), 2.0)[1](1.0)[0]  # x cos(2x)
    close(ad.grad(k)(0.7), np.cos(1.4) - 1.4 * np.sin(1.4), np.zeros(1), "grad of vjp closure")
    third = ad.grad(ad.grad(ad.grad(lambda x: x ** 5)))(1.1)
    close(third, 60 * 1.1 ** 2, np.zeros(1), "third order")
    h3 = ad.jacfwd(ad.hessian(lambda x: np.sum(x ** 4)))(np.array([1.0, 2.0]))
    ref = np.zeros((2, 2, 2)); ref[0, 0, 0] = 24; ref[1, 1, 1] = 48
    close(h3, ref, np.zeros(8), "jacfwd(hessian)")


record("nesting", t_nested_closure)


def t_custom_in_hessian_of_pytree():
    f = lambda p: np.sum(softplus(p["a"] * p["b"]))
    p = {"a": rng.standard_normal(2), "b": rng.standard_normal(2)}
    H = ad.hessian(f)(p)
    s = lambda z: 1 / (1 + np.exp(-z))
    z = p["a"] * p["b"]
    ds = s(z) * (1 - s(z))
    close(H["a"]["b"], np.diag(ds * z + s(z)), np.zeros(4), "custom hessian a,b", rtol=1e-10)


record("custom_jvp hessian pytree", t_custom_in_hessian_of_pytree)
