"""W3: the loss of a small neural network, reverse mode w.r.t. all its parameters.

A 784 → 256 (tanh) → 10 perceptron on a batch of 256, with the softmax cross-entropy
written in NumPy through a stable log-sum-exp::

    h = tanh(x W₁ + b₁);  z = h W₂ + b₂;  loss = mean(logsumexp(z)) − Σ onehot·z / B

Time goes into the two big matrix products; reverse mode needs two more of the same size
(``xᵀ·δ`` for W₁'s gradient, ``δ·W₂ᵀ`` through the second layer), so the floor for
``time(∇loss) / time(loss)`` is about 2, and hand-written backpropagation lands near it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import adviz as ad

from ..common import Context, Result, Table, Target, check
from ..timing import measure

BATCH, D_IN, D_HIDDEN, D_OUT = 256, 784, 256, 10
TARGET = 2.1
PEERS = ("torch", "jax", "autograd", "mygrad", "micrograd")


def loss(W1: Any, b1: Any, W2: Any, b2: Any, x: np.ndarray, onehot: np.ndarray, xp: Any = np) -> Any:
    """The user's code: plain NumPy (``xp`` only for peers that need their own namespace)."""
    h = xp.tanh(x @ W1 + b1)
    z = h @ W2 + b2
    m = xp.max(z, axis=1, keepdims=True)
    lse = m + xp.log(xp.sum(xp.exp(z - m), axis=1, keepdims=True))
    return xp.mean(lse) - xp.sum(onehot * z) / x.shape[0]


def loss_torch(W1, b1, W2, b2, x, onehot, torch):
    """The same code in PyTorch's spelling (``dim``/``keepdim``, ``amax``)."""
    h = torch.tanh(x @ W1 + b1)
    z = h @ W2 + b2
    m = torch.amax(z, dim=1, keepdim=True)
    lse = m + torch.log(torch.sum(torch.exp(z - m), dim=1, keepdim=True))
    return torch.mean(lse) - torch.sum(onehot * z) / x.shape[0]


def hand_value_and_grad(W1, b1, W2, b2, x, onehot):
    """Backpropagation written by hand in NumPy: the loss and its four gradients."""
    B = x.shape[0]
    h = np.tanh(x @ W1 + b1)
    z = h @ W2 + b2
    m = np.max(z, axis=1, keepdims=True)
    p = np.exp(z - m)
    s = np.sum(p, axis=1, keepdims=True)
    value = np.mean(m + np.log(s)) - np.sum(onehot * z) / B
    dz = (p / s - onehot) / B  # softmax minus one-hot
    dW2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dpre = (dz @ W2.T) * (1.0 - h * h)
    dW1 = x.T @ dpre
    db1 = dpre.sum(axis=0)
    return value, (dW1, db1, dW2, db2)


def make_inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, D_IN))
    onehot = np.eye(D_OUT)[rng.integers(D_OUT, size=BATCH)]
    params = (rng.standard_normal((D_IN, D_HIDDEN)) / np.sqrt(D_IN), 0.1 * rng.standard_normal(D_HIDDEN),
              rng.standard_normal((D_HIDDEN, D_OUT)) / np.sqrt(D_HIDDEN), 0.1 * rng.standard_normal(D_OUT))
    return params, x, onehot


def peer_grads(ctx: Context, x: np.ndarray, onehot: np.ndarray):
    out = []
    for peer in ctx.available("torch", "jax", "autograd", "mygrad"):
        m = peer.module
        if peer.name == "torch":
            tx, toh = m.from_numpy(x), m.from_numpy(onehot)

            def g(params, torch=m, tx=tx, toh=toh):
                ps = [torch.from_numpy(p).requires_grad_() for p in params]
                return torch.autograd.grad(loss_torch(*ps, tx, toh, torch), ps)

            def p(params, torch=m, tx=tx, toh=toh):
                with torch.no_grad():
                    return loss_torch(*[torch.from_numpy(q) for q in params], tx, toh, torch)
        elif peer.name == "jax":
            import jax.numpy as jnp

            jx, joh = jnp.asarray(x), jnp.asarray(onehot)
            jg = m.grad(lambda *ps, jx=jx, joh=joh: loss(*ps, jx, joh, jnp), argnums=(0, 1, 2, 3))

            def g(params, jg=jg, jax=m):
                return jax.block_until_ready(jg(*params))

            def p(params, jnp=jnp, jx=jx, joh=joh):
                return loss(*[jnp.asarray(q) for q in params], jx, joh, jnp).block_until_ready()
        elif peer.name == "autograd":
            import autograd.numpy as anp

            ag = m.grad(lambda ps: loss(*ps, x, onehot, anp))

            def g(params, ag=ag):
                return tuple(ag(tuple(params)))

            p = None
        elif peer.name == "mygrad":
            def g(params, mg=m):
                ps = [mg.tensor(q) for q in params]
                loss(*ps, x, onehot).backward()
                return tuple(q.grad for q in ps)

            p = None
        out.append((peer.label, g, p))
    return out


def run(ctx: Context) -> Result:
    res = Result("W3", f"MLP loss {D_IN}→{D_HIDDEN} (tanh)→{D_OUT}, batch {BATCH}, softmax cross-entropy, "
                       "gradient w.r.t. W1, b1, W2, b2 ÷ NumPy forward")
    params, x, onehot = make_inputs()
    ref = hand_value_and_grad(*params, x, onehot)[1]
    kw = {"budget": ctx.budget, "min_reps": max(ctx.min_reps, 5)}

    primal = measure(lambda: loss(*params, x, onehot), **kw).best
    table = Table(["implementation", "gradient ms", "÷ NumPy forward", "÷ own forward", "derivative"])
    table.add("NumPy forward (no derivative)", primal * 1e3, 1.0, None, "")
    hand = measure(lambda: hand_value_and_grad(*params, x, onehot), **kw).best
    table.add("hand-written NumPy backprop", hand * 1e3, hand / primal, None, "reference")

    grad_f = ad.grad(loss, argnums=(0, 1, 2, 3))
    c = check(grad_f(*params, x, onehot), ref)
    res.adviz_correct = c.ok
    t = measure(lambda: grad_f(*params, x, onehot), **kw).best
    ratio = t / primal
    table.add("adviz", t * 1e3, ratio, None, str(c))
    res.data = {"numpy_forward_ms": primal * 1e3, "hand_ratio": hand / primal, "adviz_ratio": ratio}

    for label, g, p in peer_grads(ctx, x, onehot):
        c = check(g(params), ref)
        tg = measure(lambda g=g: g(params), **kw).best
        own = measure(lambda p=p: p(params), **kw).best if p is not None else None
        table.add(label, tg * 1e3, tg / primal, tg / own if own else None, str(c))
        res.data[label] = {"ratio": tg / primal, "own_ratio": tg / own if own else None, "correct": c.ok}
    res.tables.append(table)
    res.lines += ctx.absent_lines(PEERS, {"micrograd": "scalars only (no arrays)"})
    res.targets.append(Target(f"gradient ÷ forward ≤ {TARGET}", f"{ratio:.2f}", ratio <= TARGET))
    return res
