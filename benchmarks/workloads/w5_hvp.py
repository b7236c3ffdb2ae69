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


def chain_rule_hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H·v by forward-over-reverse written out by hand: the floor of any AD of f as written.

    The same algorithm as ``ad.jvp(ad.grad(f))`` on ``f`` exactly as the user wrote it (``x**2``
    twice, the minus sign of ``exp(−x²)``, ``log1p``'s partial ``1/(1 + x²)``), with nothing
    an engine must pay for: no tracing or tape, the tangents only where a second-order rule
    reads them (none for the product, the log1p, the sum and Σ), every update in place.  Where
    ``second_derivative`` simplified the formula by hand, this follows the chain rule: 44 passes
    over the array and a sum besides ``sin``, ``cos``, ``exp`` and ``log1p`` (the hand's: 16
    passes besides ``sin``, ``cos`` and ``exp``).  One shortcut an engine working node by node
    would not take: the reverse sweep's partial ``2x`` serves both ``x**2`` (one pass).
    """
    # forward: the values (f's own 8 passes) and the tangents the reverse rules read
    a = x**2
    b = -a
    c = np.exp(b)
    s = np.sin(x)
    d = s * c
    e = x**2
    h = d + np.log1p(e)
    np.sum(h)
    a_dot = 2.0 * x
    a_dot *= v  # ȧ = 2x·v
    c_dot = np.negative(a_dot, out=a_dot)
    c_dot *= c  # ċ = c·ḃ, ḃ = −ȧ
    cos = np.cos(x)
    s_dot = v * cos  # ṡ = cos(x)·v
    e_dot = 2.0 * x
    e_dot *= v  # ė = 2x·v
    # reverse, adjoint pairs (ū, ū̇): Σ, + and the product pass h̄ = 1 on, s̄ = c, c̄ = s
    p = 1.0 + e
    np.reciprocal(p, out=p)  # log1p: ē = 1/(1 + e)
    p_dot = np.square(p)
    np.negative(p_dot, out=p_dot)
    p_dot *= e_dot  # ė̄ = −ė/(1 + e)²
    pe = 2.0 * x  # x**2: x̄ = ē·2x, x̄̇ = ė̄·2x + ē·2v
    x_bar = p * pe
    x_bar_dot = p_dot * pe
    t = 2.0 * v
    t *= p
    x_bar_dot += t
    b_bar = s * c  # exp: b̄ = c̄·c, ḃ̄ = c̄̇·c + c̄·ċ
    b_bar_dot = s_dot * c
    t = s * c_dot
    b_bar_dot += t
    np.negative(b_bar, out=b_bar)  # −: ā = −b̄
    np.negative(b_bar_dot, out=b_bar_dot)
    t = b_bar * pe  # x**2: x̄ += ā·2x, x̄̇ += ā̇·2x + ā·2v
    x_bar += t
    t = b_bar_dot * pe
    x_bar_dot += t
    t = 2.0 * v
    t *= b_bar
    x_bar_dot += t
    t = c * cos  # sin: x̄ += s̄·cos x, x̄̇ += s̄̇·cos x + s̄·(−sin x)·v
    x_bar += t
    t = c_dot * cos
    x_bar_dot += t
    t = s * v
    np.negative(t, out=t)
    t *= c
    x_bar_dot += t
    return x_bar_dot


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
    c0 = check(chain_rule_hvp(x, v), ref)
    chain = measure(lambda: chain_rule_hvp(x, v), **kw).best
    table.add("hand-written forward-over-reverse of f as written (the floor of AD)", chain * 1e3, chain / primal,
              None, str(c0))

    c = check(adviz_hvp(x, v), ref)
    res.adviz_correct = c.ok
    t = measure(lambda: adviz_hvp(x, v), **kw).best
    ratio = t / primal
    table.add("adviz forward-over-reverse ad.jvp(ad.grad(f))", t * 1e3, ratio, None, str(c))
    c2 = check(adviz_hvp_rev_rev(x, v), ref)
    res.adviz_correct = res.adviz_correct and c2.ok
    t2 = measure(lambda: adviz_hvp_rev_rev(x, v), **kw).best
    table.add("adviz reverse-over-reverse ad.grad(<ad.grad(f), v>)", t2 * 1e3, t2 / primal, None, str(c2))
    res.data = {"numpy_primal_ms": primal * 1e3, "adviz_ratio": ratio, "adviz_rev_rev_ratio": t2 / primal,
                "chain_rule_by_hand_ratio": chain / primal}
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
