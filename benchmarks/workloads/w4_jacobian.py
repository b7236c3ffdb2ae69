"""W4: a full Jacobian, forward mode against reverse mode, where theory says each should win.

    f(x) = tanh(A x),   A ∈ ℝ^{m×n},   J = diag(1 − tanh²(Ax)) · A ∈ ℝ^{m×n}

Forward mode yields one *column* of J per sweep, reverse mode one *row*.  So with
n = 10 inputs and m = 1000 outputs forward mode needs 10 directions and reverse 1000, and
with (n, m) = (1000, 10) the other way round.  adviz pushes all directions through **one**
batched sweep (the tangent or adjoint carries a leading axis of size n or m), as
``torch.func`` does with ``vmap``; the mode that needs more directions must still lose.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import adviz as ad

from ..common import Context, Result, Table, Target, check
from ..timing import measure

FEW_MANY = (10, 1000)  # (n inputs, m outputs): forward mode's case
MANY_FEW = (1000, 10)  # reverse mode's case
PEERS = ("torch", "jax", "autograd", "mygrad", "micrograd")


def f(x: Any, A: np.ndarray, xp: Any = np) -> Any:
    return xp.tanh(A @ x)


def reference(x: np.ndarray, A: np.ndarray) -> np.ndarray:
    return (1.0 - np.tanh(A @ x) ** 2)[:, None] * A


def make_inputs(n: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal((m, n)) / np.sqrt(n)


def _jacobians(ctx: Context):
    """(label, jacfwd-like, jacrev-like) builders: each maps (x, A) to a function of no arguments."""
    out = [("adviz", lambda x, A: (lambda: ad.jacfwd(f)(x, A)), lambda x, A: (lambda: ad.jacrev(f)(x, A)))]
    for peer in ctx.available("torch", "jax", "autograd"):
        m = peer.module
        if peer.name == "torch":
            def fwd(x, A, torch=m):
                tx, tA = torch.from_numpy(x), torch.from_numpy(A)
                return lambda: torch.func.jacfwd(lambda v: torch.tanh(tA @ v))(tx)

            def rev(x, A, torch=m):
                tx, tA = torch.from_numpy(x), torch.from_numpy(A)
                return lambda: torch.func.jacrev(lambda v: torch.tanh(tA @ v))(tx)

            out.append((f"{peer.label} (torch.func)", fwd, rev))
        elif peer.name == "jax":
            import jax.numpy as jnp

            def fwd(x, A, jax=m, jnp=jnp):
                jx, jA = jnp.asarray(x), jnp.asarray(A)
                return lambda: jax.jacfwd(lambda v: jnp.tanh(jA @ v))(jx).block_until_ready()

            def rev(x, A, jax=m, jnp=jnp):
                jx, jA = jnp.asarray(x), jnp.asarray(A)
                return lambda: jax.jacrev(lambda v: jnp.tanh(jA @ v))(jx).block_until_ready()

            out.append((f"{peer.label} (eager)", fwd, rev))
        elif peer.name == "autograd":
            import autograd.numpy as anp

            def fwd(x, A, autograd=m, anp=anp):
                # autograd has no batched forward Jacobian: one make_jvp per input direction.
                def jac():
                    push = autograd.make_jvp(lambda v: anp.tanh(A @ v))(x)
                    return np.stack([push(e)[1] for e in np.eye(x.size)], axis=1)
                return jac

            def rev(x, A, autograd=m, anp=anp):
                return lambda: autograd.jacobian(lambda v: anp.tanh(A @ v))(x)  # one VJP per output

            out.append((f"{peer.label} (loop of JVPs / VJPs)", fwd, rev))
    return out


def run(ctx: Context) -> Result:
    (n1, m1), (n2, m2) = FEW_MANY, MANY_FEW
    res = Result("W4", f"Jacobian of tanh(A x): (n, m) = ({n1}, {m1}) and ({n2}, {m2}), ms per Jacobian")
    kw = {"budget": ctx.budget / 2, "min_reps": max(ctx.min_reps, 5)}
    x1, A1 = make_inputs(n1, m1)
    x2, A2 = make_inputs(n2, m2, seed=1)
    ref1, ref2 = reference(x1, A1), reference(x2, A2)
    table = Table(["implementation", f"jacfwd ({n1}→{m1})", f"jacrev ({n1}→{m1})", f"jacrev ({n2}→{m2})",
                   f"jacfwd ({n2}→{m2})", "Jacobians"])
    times: dict[str, list[float]] = {}
    for label, fwd, rev in _jacobians(ctx):
        fns = [fwd(x1, A1), rev(x1, A1), rev(x2, A2), fwd(x2, A2)]
        refs = [ref1, ref1, ref2, ref2]
        checks = [check(fn(), r) for fn, r in zip(fns, refs)]
        worst = max(checks, key=lambda c: c.error)
        if label == "adviz":
            res.adviz_correct = all(c.ok for c in checks)
        ms = [measure(fn, **kw).best * 1e3 for fn in fns]
        times[label] = ms
        table.add(label, *ms, str(worst))
        res.data[label] = {"jacfwd_few_many_ms": ms[0], "jacrev_few_many_ms": ms[1],
                           "jacrev_many_few_ms": ms[2], "jacfwd_many_few_ms": ms[3]}
    res.tables.append(table)
    res.lines += ctx.absent_lines(PEERS, {"mygrad": "no Jacobian transform", "micrograd": "scalars only"})

    a = times["adviz"]
    torch_label = next((k for k in times if k.startswith("torch")), None)
    if torch_label:
        t = times[torch_label]
        res.targets.append(Target(f"jacfwd ({n1}→{m1}) ≤ ½ of torch.func's time",
                                  f"{a[0]:.3f} ms vs {t[0]:.3f} ms ({a[0] / t[0]:.2f}×)", a[0] <= 0.5 * t[0]))
        res.targets.append(Target(f"jacrev ({n2}→{m2}) ≤ ½ of torch.func's time",
                                  f"{a[2]:.3f} ms vs {t[2]:.3f} ms ({a[2] / t[2]:.2f}×)", a[2] <= 0.5 * t[2]))
    else:
        res.targets.append(Target("no slower than torch.func", "PyTorch not installed", None))
    res.targets.append(Target(f"the opposite mode loses at ({n1}, {m1})",
                              f"jacrev {a[1]:.3f} ms vs jacfwd {a[0]:.3f} ms", a[1] > a[0]))
    res.targets.append(Target(f"the opposite mode loses at ({n2}, {m2})",
                              f"jacfwd {a[3]:.3f} ms vs jacrev {a[2]:.3f} ms", a[3] > a[2]))
    return res
