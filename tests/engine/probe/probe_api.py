import numpy as np
from harness import *  # noqa
import adviz as ad
rng = np.random.default_rng(3)
p = {"W": rng.standard_normal((2, 2)), "b": rng.standard_normal(2)}
x = rng.standard_normal(2)
def loss(p, x, scale=1.0):
    return scale * np.sum(np.tanh(p["W"] @ x + p["b"]) ** 2)
def flatloss(v, x, scale=1.0):
    return loss({"W": v[:4].reshape(2, 2), "b": v[4:]}, x, scale)
v = np.concatenate([p["W"].ravel(), p["b"]])
gref = lambda: ad.grad(flatloss)(v, x, scale=2.0)
def fdgrad(f, a):
    return np.array([fd_dir(f, [a], [np.eye(a.size)[i]])[0][0] for i in range(a.size)])
expect("grad kwargs pytree", lambda: np.concatenate([ad.grad(loss)(p, x, scale=2.0)["W"].ravel(), ad.grad(loss)(p, x, scale=2.0)["b"]]),
       lambda: fdgrad(lambda a: flatloss(a, x, 2.0), v), rtol=1e-6)
expect("grad argnums tuple pytree", lambda: ad.grad(loss, argnums=(0, 1))(p, x)[1], lambda: fdgrad(lambda a: loss(p, a), x), rtol=1e-6)
expect("jacfwd argnums tuple", lambda: ad.jacfwd(loss, argnums=(1, 0))(p, x)[0], lambda: fdgrad(lambda a: loss(p, a), x), rtol=1e-6)
expect("jacrev argnums tuple", lambda: ad.jacrev(loss, argnums=(1, 0))(p, x)[1]["b"], lambda: fdgrad(lambda a: loss({"W": p["W"], "b": a}, x), p["b"]), rtol=1e-6)
expect("hessian argnums tuple", lambda: ad.hessian(loss, argnums=(0, 1))(p, x)[1][1],
       lambda: np.array([fdgrad(lambda a: ad.grad(loss, argnums=1)(p, a)[i], x) for i in range(2)]), rtol=1e-5)
expect("jvp has_aux", lambda: ad.jvp(lambda a: (np.sin(a), {"c": np.cos(a)}), (x,), (np.ones(2),), has_aux=True)[2]["c"], np.cos(x))
expect("vjp has_aux", lambda: ad.vjp(lambda a: (np.sin(a), [a * 2]), x, has_aux=True)[1](np.ones(2))[0], np.cos(x))
expect("value_and_grad argnums tuple", lambda: ad.value_and_grad(loss, argnums=(1,))(p, x)[1][0], lambda: fdgrad(lambda a: loss(p, a), x), rtol=1e-6)
def t_trace():
    t = ad.trace(loss, p, x)
    g = t.gradient()
    return np.concatenate([np.ravel(g[0]["W"]) if isinstance(g, (list, tuple)) else np.ravel(list(g.values())[0]["W"])])
expect("trace gradient pytree", t_trace, lambda: fdgrad(lambda a: flatloss(np.concatenate([a, p["b"]]), x), p["W"].ravel()), rtol=1e-6)
expect("trace expr", lambda: ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0).gradient()["x1"], 5 + np.cos(2.0))
expect("parse grad", lambda: ad.grad(ad.parse("sin(x**2 + 1)"))(3.0), 6 * np.cos(10.0))
expect("parse vector", lambda: ad.grad(lambda v: ad.parse("sum(x**2)")(x=v))(x), 2 * x)
expect("grad with list arg", lambda: ad.grad(lambda l: l[0] * l[1])([2.0, 3.0]), [3.0, 2.0])
expect("grad with tuple of arrays", lambda: ad.grad(lambda t: np.sum(t[0] * t[1]))((x, 2 * x))[1], x)
expect("jacrev tuple output w/ pytree in", lambda: ad.jacrev(lambda p: (p["b"] * 2, np.sum(p["W"])))(p)[0]["b"], 2 * np.eye(2))
expect("jvp tangent int", lambda: ad.jvp(lambda a: a ** 2, (3.0,), (1,))[1], 6.0)
expect("jvp tangent f32 primal f64", lambda: ad.jvp(lambda a: a ** 2, (np.float64(3.0),), (np.float32(1.0),))[1], 6.0)
expect("vjp cot f32", lambda: ad.vjp(lambda a: a ** 2, x)[1](np.ones(2, np.float32))[0], 2 * x)
expect("vjp cot int", lambda: ad.vjp(lambda a: a ** 2, x)[1](np.ones(2, int))[0], 2 * x)
expect("vjp cot pytree", lambda: ad.vjp(lambda a: {"s": a, "t": (a * 2,)}, x)[1]({"t": (np.ones(2),), "s": np.ones(2)})[0], 3 * np.ones(2))
expect("vjp cot wrong struct", lambda: ad.vjp(lambda a: {"s": a}, x)[1]({"q": np.ones(2)}), None)
expect("vjp_fn called twice", lambda: (lambda fn: (fn(np.ones(2))[0] + fn(2 * np.ones(2))[0]))(ad.vjp(np.sin, x)[1]), 3 * np.cos(x))
expect("grad f returns python float", lambda: ad.grad(lambda a: float(2.0))(1.0), 0.0)
expect("grad f returns int", lambda: ad.grad(lambda a: 2)(1.0), None)
expect("grad f returns None", lambda: ad.grad(lambda a: None)(1.0), None)
expect("grad f returns str", lambda: ad.grad(lambda a: "x")(1.0), None)
expect("grad no args", lambda: ad.grad(lambda: 1.0)(), None)
expect("grad string arg", lambda: ad.grad(lambda a: a)("1.0"), None)
expect("grad None arg", lambda: ad.grad(lambda a: 1.0)(None), None)
expect("argnums bad type", lambda: ad.grad(lambda a: a, argnums="0")(1.0), None)
expect("jacfwd 0-d out 0-d in python", lambda: ad.jacfwd(lambda a: a ** 2)(3.0), 6.0)
expect("hessian python float", lambda: ad.hessian(lambda a: a ** 3)(2.0), 12.0)
expect("grad keeps np scalar type", lambda: type(ad.grad(lambda a: a ** 2)(np.float32(3.0))).__name__ == "float32", True)
