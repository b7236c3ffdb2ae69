"""BIG: traces for people at scale — ``ad.trace`` and both sweeps of a long scalar loop, and
the memory of a recorded trace of W2's function on large arrays.

``ad.trace`` records what every view needs (node values, and per sweep the tangents or
adjoints and every chain-rule term); on large arrays it keeps them as "made when read"
(see :mod:`adviz.engine.record`), which its sweeps compute again and drop as they go, so
it costs about what ``grad`` costs, which keeps only what its reverse rules read.  The
scalar run is a fresh process (its peak resident memory is the figure); the array run
measures the traced allocations with :mod:`tracemalloc`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np

import adviz as ad

from ..common import Context, Result, Table, Target, check
from . import w1_scalar, w2_array

SCALAR_OPS = 1_000_000
ARRAY_N = 10_000_000
TIME_TARGET, MB_TARGET, RATIO_TARGET = 10.0, 500, 10.0

_SCRIPT = r"""
import json, resource, sys, time
import adviz as ad
n = int(sys.argv[1])

def loop(x):
    for _ in range(n // 4):
        x = x * 1.001 + (-1e-3) * (x * x)
    return x

wall, cpu = time.perf_counter(), time.process_time()
t = ad.trace(loop, 0.5)
fwd, rev = t.forward(), t.reverse()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "nodes": len(t.nodes), "steps": len(fwd.steps) + len(rev.steps),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "derivative": float(rev.result["x"]), "tangent": float(fwd.result)}))
"""


def scalar_run(n: int) -> dict:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(n)], capture_output=True, text=True, cwd=root,
                          check=True)
    return json.loads(proc.stdout)


def array_ratio(n: int) -> tuple[float, float]:
    """Peak traced memory of ad.trace + forward + reverse of W2's f, and of ad.grad, ÷ the input's size."""
    x = w2_array.make_input(n)

    def peak(fn) -> float:
        tracemalloc.start()
        try:
            fn()
            return tracemalloc.get_traced_memory()[1] / x.nbytes
        finally:
            tracemalloc.stop()

    def recorded():
        t = ad.trace(w2_array.f, x)
        return t, t.forward({"x": np.ones_like(x)}), t.reverse()

    return peak(recorded), peak(lambda: ad.grad(w2_array.f)(x))


def run(ctx: Context) -> Result:
    quick = ctx.budget < 0.1  # the test suite's smoke run: the same code on small sizes
    n_ops, n_arr = (10_000, 100_000) if quick else (SCALAR_OPS, ARRAY_N)
    res = Result("BIG", f"ad.trace + forward + reverse of {n_ops:,} scalar operations; recorded trace of W2's f at "
                        f"n = {n_arr:,}")
    s = scalar_run(n_ops)
    ref = w1_scalar.reference(n_ops // 4)  # the same loop: x ← x·(1 + c) − c·x², c = 10⁻³, from x₀ = 0.5
    c_rev, c_fwd = check(s["derivative"], ref), check(s["tangent"], ref)
    res.adviz_correct = c_rev.ok and c_fwd.ok
    res.lines.append(f"derivative: reverse sweep {c_rev}, forward sweep {c_fwd}")
    table = Table(["measurement", "wall s", "CPU s", "peak MB"])
    table.add(f"ad.trace + both sweeps, {s['nodes']:,} nodes, {s['steps']:,} steps", s["wall"], s["cpu"],
              s["maxrss_mb"])
    res.tables.append(table)
    traced, grad = array_ratio(n_arr)
    t2 = Table(["W2's f, memory ÷ input", "peak ÷ input"])
    t2.add("ad.trace + forward + reverse (large records made when read)", traced)
    t2.add("ad.grad (what reverse rules read)", grad)
    res.tables.append(t2)
    res.lines.append("CPU s is the process's own CPU time (what other processes on the machine cannot inflate); "
                     "wall s includes waiting for a core")
    if quick:
        res.lines.append("reduced sizes (--budget < 0.1): not comparable with the targets")
    res.data = {"scalar": s, "array_trace_ratio": traced, "array_grad_ratio": grad}
    ok = None if quick else (s["cpu"] <= TIME_TARGET and s["maxrss_mb"] <= MB_TARGET)
    res.targets.append(Target(f"trace + sweeps of 10⁶ scalar ops ≤ {TIME_TARGET:g} s and ≤ {MB_TARGET} MB",
                              f"{s['cpu']:.1f} s CPU ({s['wall']:.1f} s wall), {s['maxrss_mb']:.0f} MB", ok))
    res.targets.append(Target(f"recorded trace of W2's f at 10⁷ ≤ {RATIO_TARGET:g}× the input",
                              f"{traced:.1f}×", None if quick else traced <= RATIO_TARGET))
    return res
