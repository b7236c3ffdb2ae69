"""W5: a Hessian-vector product by forward-over-reverse, the transform behind Newton-CG.

    H v = d/dε ∇f(x + ε v) at ε = 0   →   ad.jvp(ad.grad(f), (x,), (v,))

Forward mode differentiates the whole reverse sweep (tape, adjoints and all) along one
direction ``v``, so the cost is a small constant times one gradient and never forms H.
W2's f at n = 10⁵; the figure is ``time(Hv) / time(f in NumPy)``.

Reference: f is a sum of g(xᵢ), so H is diagonal with
g''(x) = exp(−x²)·((4x² − 3)·sin x − 4x·cos x) + 2(1 − x²)/(1 + x²)².
"""

from __future__ import annotations

from typing import Any

import numpy as np

import adviz as ad

from ..common import Context, Result, Table, Target, check
from ..timing import measure
from .w2_array import f, make_input

N = 100_000
TARGET = 2.5
PEERS = ("torch", "jax", "autograd", "mygrad", "micrograd")


def second_derivative(x: np.ndarray) -> np.ndarray:
    """g''(x) for g(x) = sin(x)·exp(−x²) + log1p(x²), derived by hand."""
    x2 = x * x
    return np.exp(-x2) * ((4 * x2 - 3) * np.sin(x) - 4 * x * np.cos(x)) + 2 * (1 - x2) / (1 + x2) ** 2


def adviz_hvp(x: np.ndarray, v: np.ndarray) -> Any:
    return ad.jvp(ad.grad(f), (x,), (v,))[1]


def adviz_hvp_rev_rev(x: np.ndarray, v: np.ndarray) -> Any:
    """The same product by reverse-over-reverse: the gradient of ⟨∇f(x), v⟩."""
    return ad.grad(lambda t: np.sum(ad.grad(f)(t) * v))(x)


def _peer_hvps(ctx: Context, x: np.ndarray, v: np.ndarray):
    out = []
    for peer in ctx.available("torch", "jax", "autograd"):
        m = peer.module
        if peer.name == "torch":
            tx, tv = m.from_numpy(x), m.from_numpy(v)
            gf = m.func.grad(lambda t, torch=m: f(t, torch))

            def fwd_rev(torch=m, gf=gf, tx=tx, tv=tv):
                return torch.func.jvp(gf, (tx,), (tv,))[1]

            def double_backward(torch=m, tv=tv):
                t = torch.from_numpy(x).requires_grad_()
                (g,) = torch.autograd.grad(f(t, torch), t, create_graph=True)
                return torch.autograd.grad(g, t, tv)[0]

            def primal(torch=m, tx=tx):
                with torch.no_grad():
                    return f(tx, torch)

            out.append((f"{peer.label} forward-over-reverse (torch.func)", fwd_rev, primal))
            out.append((f"{peer.label} double backward (reverse-over-reverse)", double_backward, primal))
        elif peer.name == "jax":
            import jax.numpy as jnp

            jx, jv = jnp.asarray(x), jnp.asarray(v)
            gf = m.grad(lambda t: f(t, jnp))

            def fwd_rev(jax=m, gf=gf, jx=jx, jv=jv):
                return jax.jvp(gf, (jx,), (jv,))[1].block_until_ready()

            def primal(jx=jx):
                return f(jx, jnp).block_until_ready()

            out.append((f"{peer.label} forward-over-reverse (eager)", fwd_rev, primal))
        elif peer.name == "autograd":
            import autograd.numpy as anp

            gf = m.grad(lambda t: f(t, anp))

            def fwd_rev(autograd=m, gf=gf):
                return autograd.make_jvp(gf)(x)(v)[1]

            def rev_rev(autograd=m):
                return autograd.hessian_vector_product(lambda t: f(t, anp))(x, v)

            out.append((f"{peer.label} forward-over-reverse (make_jvp of grad)", fwd_rev, None))
            out.append((f"{peer.label} reverse-over-reverse (hessian_vector_product)", rev_rev, None))
    return out


def run(ctx: Context, n: int = N) -> Result:
    res = Result("W5", f"Hessian-vector product of W2's f, n = {n:,}, forward-over-reverse, HVP time ÷ NumPy primal time")
    x = make_input(n)
    v = np.random.default_rng(1).standard_normal(n)
    ref = second_derivative(x) * v
    kw = {"budget": ctx.budget, "min_reps": max(ctx.min_reps, 5)}

    primal = measure(lambda: f(x), **kw).best
    table = Table(["implementation", "HVP ms", "÷ NumPy primal", "÷ own primal", "Hv"])
    table.add("NumPy primal f(x) (no derivative)", primal * 1e3, 1.0, None, "")
    hand = measure(lambda: second_derivative(x) * v, **kw).best
    table.add("hand-written NumPy f''(x)·v", hand * 1e3, hand / primal, None, "reference")

    c = check(adviz_hvp(x, v), ref)
    res.adviz_correct = c.ok
    t = measure(lambda: adviz_hvp(x, v), **kw).best
    ratio = t / primal
    table.add("adviz forward-over-reverse ad.jvp(ad.grad(f))", t * 1e3, ratio, None, str(c))
    c2 = check(adviz_hvp_rev_rev(x, v), ref)
    res.adviz_correct = res.adviz_correct and c2.ok
    t2 = measure(lambda: adviz_hvp_rev_rev(x, v), **kw).best
    table.add("adviz reverse-over-reverse ad.grad(<ad.grad(f), v>)", t2 * 1e3, t2 / primal, None, str(c2))
    res.data = {"numpy_primal_ms": primal * 1e3, "adviz_ratio": ratio, "adviz_rev_rev_ratio": t2 / primal}
    own_primal: dict = {}
    for label, fn, own in _peer_hvps(ctx, x, v):
        c = check(fn(), ref)
        tp = measure(fn, **kw).best
        if own is not None and own not in own_primal:
            own_primal[own] = measure(own, **kw).best
        o = own_primal.get(own)
        table.add(label, tp * 1e3, tp / primal, tp / o if o else None, str(c))
        res.data[label] = {"ratio": tp / primal, "own_ratio": tp / o if o else None, "correct": c.ok}
    res.tables.append(table)
    res.lines += ctx.absent_lines(PEERS, {"mygrad": "no higher-order derivatives", "micrograd": "scalars only"})
    res.targets.append(Target(f"HVP (forward-over-reverse) ÷ primal ≤ {TARGET}", f"{ratio:.2f}", ratio <= TARGET))
    return res
