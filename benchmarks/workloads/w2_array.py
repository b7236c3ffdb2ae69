"""W2: elementwise array code, reverse mode — does the engine keep up with NumPy itself?

    f(x) = Σ sin(x)·exp(−x²) + log1p(x²),   x ∈ ℝⁿ,  n = 10⁶

The tape here is only ~10 nodes, so bookkeeping is negligible; what counts is how many
full-size arrays the reverse sweep allocates and touches.  The figure is
``time(∇f) / time(f in NumPy)``: 1 would mean the gradient is free.  A hand-written NumPy
derivative that reuses the forward pass's ``sin`` and ``exp`` sets the practical floor.

Reference: f'(x) = (cos x − 2x·sin x)·exp(−x²) + 2x/(1+x²).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import adviz as ad

from ..common import Context, Result, Table, Target, check
from ..timing import measure

N = 1_000_000
TARGET = 1.8
PEERS = ("torch", "jax", "autograd", "mygrad", "micrograd")


def f(x: Any, xp: Any = np) -> Any:
    """The user's code, written once; ``xp`` is the array namespace (NumPy unless a peer needs its own)."""
    return xp.sum(xp.sin(x) * xp.exp(-x**2) + xp.log1p(x**2))


def hand_value_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
    """f and f' written by hand in NumPy, sharing sin(x), exp(−x²) and x² between them."""
    s = np.sin(x)
    x2 = x * x
    e = np.exp(-x2)
    value = np.sum(s * e + np.log1p(x2))
    g = np.cos(x)
    g -= 2.0 * x * s
    g *= e
    g += 2.0 * x / (1.0 + x2)
    return value, g


def reference_grad(x: np.ndarray) -> np.ndarray:
    return (np.cos(x) - 2 * x * np.sin(x)) * np.exp(-x * x) + 2 * x / (1 + x * x)


def make_input(n: int = N, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


def peer_grads(ctx: Context) -> list[tuple[str, Callable[[np.ndarray], Any], Callable[[np.ndarray], Any] | None]]:
    """(label, gradient function, the peer's own primal function or None) per available peer."""
    out = []
    for peer in ctx.available("torch", "jax", "autograd", "mygrad"):
        m = peer.module
        if peer.name == "torch":
            def g(x, torch=m):
                t = torch.from_numpy(x).requires_grad_()
                (d,) = torch.autograd.grad(f(t, torch), t)
                return d

            def p(x, torch=m):
                with torch.no_grad():
                    return f(torch.from_numpy(x), torch)
        elif peer.name == "jax":
            import jax.numpy as jnp

            def g(x, jax=m, jnp=jnp):
                return jax.grad(lambda t: f(t, jnp))(x).block_until_ready()

            def p(x, jnp=jnp):
                return f(jnp.asarray(x), jnp).block_until_ready()
        elif peer.name == "autograd":
            import autograd.numpy as anp

            def g(x, autograd=m, anp=anp):
                return autograd.grad(lambda t: f(t, anp))(x)

            p = None  # autograd's primal is NumPy itself
        elif peer.name == "mygrad":
            def g(x, mg=m):
                t = mg.tensor(x)
                f(t).backward()  # plain NumPy functions on MyGrad tensors
                return t.grad

            p = None
        out.append((peer.label, g, p))
    return out


def run(ctx: Context, n: int = N) -> Result:
    res = Result("W2", f"f(x) = sum(sin(x)·exp(−x²) + log1p(x²)), n = {n:,}, gradient time ÷ NumPy primal time")
    x = make_input(n)
    ref = reference_grad(x)
    kw = {"budget": ctx.budget, "min_reps": ctx.min_reps}

    primal = measure(lambda: f(x), **kw).best
    table = Table(["implementation", "gradient ms", "÷ NumPy primal", "÷ own primal", "derivative"])
    table.add("NumPy primal f(x) (no derivative)", primal * 1e3, 1.0, None, "")

    hand = measure(lambda: hand_value_and_grad(x), **kw).best
    table.add("hand-written NumPy f and f'", hand * 1e3, hand / primal, None, str(check(hand_value_and_grad(x)[1], ref)))

    grad_f = ad.grad(f)
    c = check(grad_f(x), ref)
    res.adviz_correct = c.ok
    t = measure(lambda: grad_f(x), **kw).best
    ratio = t / primal
    table.add("adviz", t * 1e3, ratio, None, str(c))
    res.data = {"numpy_primal_ms": primal * 1e3, "hand_ratio": hand / primal, "adviz_ratio": ratio}

    for label, g, p in peer_grads(ctx):
        c = check(g(x), ref)
        tg = measure(lambda g=g: g(x), **kw).best
        own = measure(lambda p=p: p(x), **kw).best if p is not None else None
        table.add(label, tg * 1e3, tg / primal, tg / own if own else None, str(c))
        res.data[label] = {"ratio": tg / primal, "own_ratio": tg / own if own else None, "correct": c.ok}
    res.tables.append(table)
    res.lines += ctx.absent_lines(PEERS, {"micrograd": "scalars only (no arrays)"})
    res.targets.append(Target(f"gradient ÷ primal ≤ {TARGET}", f"{ratio:.2f}", ratio <= TARGET))
    return res
