"""Memory: what the tape keeps per node, and the peak memory of W2's gradient.

Reverse mode trades memory for time: to run the chain rule backwards it must keep, for
every primitive, whatever its reverse rule reads — here each tape node keeps the
primitive, its parents' indices, **the operand values and the result** (``args`` and
``ans``).  For scalar code that is a fixed cost in Python objects per node; for array code
it is every intermediate array, alive until the sweep is over.  Forward mode keeps none.

Peak memory is measured with :mod:`tracemalloc`, which sees NumPy's array allocations (NumPy
reports them to it) but not PyTorch's or JAX's own allocators, so those peers are left out.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import adviz as ad
from adviz.engine.tape import Tape, TapeNode
from adviz.engine.tracer import new_interpreter

from ..common import Context, Result, Table, Target
from . import w1_scalar, w2_array

PEERS = ("torch", "jax", "autograd", "mygrad", "micrograd")


def record(fn: Callable[[Any], Any], x: Any) -> tuple[Tape, Any]:
    """Record ``fn(x)`` on a fresh tape (the engine's own building blocks) and keep it alive."""
    tape = Tape()
    with new_interpreter(tape):
        out = fn(tape.new_input(x))
    return tape, out


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak of traced allocations while ``fn()`` runs, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak


def held_arrays(tape: Tape) -> dict[int, np.ndarray]:
    """The distinct array buffers the tape keeps alive (a view counts as its base)."""
    held: dict[int, np.ndarray] = {}
    for node in tape.nodes:
        _, _, args, _, ans = node  # positional: a node may be a TapeNode or a plain tuple
        for v in (*args, ans):
            if isinstance(v, np.ndarray) and v.size > 1:
                base = v if v.base is None else v.base
                held[id(base)] = base
    return held


def scalar_bytes_per_node(n: int = w1_scalar.ITERATIONS) -> tuple[float, int]:
    """Bytes of traced memory per node of W1's tape (all Python objects it keeps), and node count."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tape, out = record(lambda x: w1_scalar.loop(x, n), np.float64(w1_scalar.X0))
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    nodes = len(tape.nodes)
    del tape, out
    return (after - before) / nodes, nodes


def _node_layout(tape: Tape) -> str:
    node = tape.nodes[-1]  # a TapeNode made when read: the tape itself stores flat columns
    fields = dict(zip(TapeNode._fields, node))
    parts = [f"{name}={type(value).__name__}" for name, value in fields.items()]
    columns = ("prims", "params", "ans", "nargs", "parents", "args")
    slots = sum(len(getattr(tape, c)) for c in columns)
    return (f"TapeNode({', '.join(parts)}) as tape.nodes reads the last W1 node; stored as flat lists "
            f"({', '.join(columns)}): {slots / len(tape.nodes):.1f} list slots of 8 B per node, no object per node")


def run(ctx: Context) -> Result:
    res = Result("MEM", "what the tape keeps, and peak memory of W2's gradient (tracemalloc)")
    per_node, nodes = scalar_bytes_per_node()
    small_tape, _ = record(lambda x: w1_scalar.loop(x, 3), np.float64(w1_scalar.X0))
    res.preface.append(_node_layout(small_tape))
    res.preface.append(f"W1 tape: {nodes:,} nodes, {per_node:.0f} bytes per node kept alive "
                     f"({per_node * nodes / 2**20:.1f} MiB for the whole tape)")

    x = w2_array.make_input()
    mib = x.nbytes / 2**20
    tape, _ = record(w2_array.f, x)
    held = held_arrays(tape)
    res.preface.append(f"W2 tape: {len(tape.nodes)} nodes keep {len(held)} distinct arrays alive, "
                     f"{sum(a.nbytes for a in held.values()) / 2**20:.1f} MiB = "
                     f"{sum(a.nbytes for a in held.values()) / x.nbytes:.1f} × the input ({mib:.1f} MiB)")
    lines = []
    for k, (prim, _, args, _, ans) in enumerate(tape.nodes):
        name = "input" if prim is None else prim.name
        arrays = sum(1 for v in (*args, ans) if isinstance(v, np.ndarray) and v.size > 1)
        lines.append(f"{k}:{name}[{arrays}]")
    res.preface.append("W2 tape nodes, [arrays each keeps]: " + " ".join(lines))
    del tape, held

    table = Table(["computation", "peak MiB", "÷ NumPy primal peak", "÷ input size"])
    primal = peak_bytes(lambda: w2_array.f(x))
    table.add("NumPy primal f(x)", primal / 2**20, 1.0, primal / x.nbytes)
    hand = peak_bytes(lambda: w2_array.hand_value_and_grad(x))
    table.add("hand-written NumPy f and f'", hand / 2**20, hand / primal, hand / x.nbytes)
    grad_f = ad.grad(w2_array.f)
    adv = peak_bytes(lambda: grad_f(x))
    table.add("adviz grad", adv / 2**20, adv / primal, adv / x.nbytes)
    res.data = {"bytes_per_scalar_node": per_node, "w2_primal_peak_mib": primal / 2**20,
                "w2_adviz_peak_ratio": adv / primal, "w2_hand_peak_ratio": hand / primal}
    for label, g, _ in w2_array.peer_grads(ctx):
        if label.startswith(("torch", "jax")):
            continue
        p = peak_bytes(lambda g=g: g(x))
        table.add(f"{label} grad", p / 2**20, p / primal, p / x.nbytes)
        res.data[label] = {"w2_peak_ratio": p / primal}
    res.tables.append(table)
    res.lines += ctx.absent_lines(PEERS, {"torch": "its allocator is invisible to tracemalloc",
                                          "jax": "its allocator is invisible to tracemalloc",
                                          "micrograd": "scalars only"})
    res.targets.append(Target("report tape contents and W2 gradient peak ÷ primal peak", f"{adv / primal:.2f}", None))
    return res
