"""How fast the sweep widgets step: the target is at most 50 ms per step on a 50-node graph.

Run from the repository root::

    python benchmarks/bench_widgets.py          # or: python -m benchmarks.bench_widgets

A :class:`~adviz.render.widgets.SweepPlayer` draws every frame when it is built, so a
step only swaps the text of its HTML widgets.  This script builds players for a 50-node
tape (forward and reverse), then times every step (``goto(k)``, and the slider moving as
the browser's Play button would move it) and prints the build time and the median and
worst step.  Also timed: one step of a :class:`ModeComparison` and of a
:class:`FiniteDifferenceExplorer` h change.  The kernel side is what is measured; the
browser then only replaces two HTML elements.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import adviz as ad
from adviz.render.graphviz_backend import backend_name
from adviz.render.widgets import FiniteDifferenceExplorer, ModeComparison, SweepPlayer

TARGET_MS = 50.0


def fifty_nodes(x, y):
    """2 inputs + 48 primitives: 12 rounds of z = sin(z)*y + z (4 primitives each)."""
    z = x
    for _ in range(12):
        z = np.sin(z) * y + z / 2.0
    return z


def _time_steps(step_to, n: int) -> list[float]:
    times = []
    for k in list(range(n + 1)) + list(range(n, -1, -1)):
        start = time.perf_counter()
        step_to(k)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _report(name: str, build_s: float, times: list[float]) -> bool:
    worst = max(times)
    ok = worst <= TARGET_MS
    print(f"{name:<38} build {build_s:6.2f} s   step median {statistics.median(times):6.2f} ms   "
          f"worst {worst:6.2f} ms   {'ok' if ok else 'TOO SLOW'} (target ≤ {TARGET_MS:.0f} ms)")
    return ok


def main() -> int:
    trace = ad.trace(fifty_nodes, 0.3, 1.7)
    print(f"tape: {len(trace.nodes)} nodes; Graphviz backend: {backend_name()}")
    ok = True
    for mode, seed in (("reverse", None), ("forward", "x")):
        start = time.perf_counter()
        player = SweepPlayer(trace, mode=mode, seed=seed)
        build = time.perf_counter() - start
        ok &= _report(f"SweepPlayer {mode}, goto(k)", build, _time_steps(player.goto, player.n_steps))

        def slide(k, player=player):  # what the front end's Play does: the slider value changes
            player._slider.value = k

        ok &= _report(f"SweepPlayer {mode}, slider moved", 0.0, _time_steps(slide, player.n_steps))

    small = ad.trace("x1*x2 + sin(x1)*x3 - exp(x2/x3)", x1=2.0, x2=5.0, x3=1.5)
    start = time.perf_counter()
    comparison = ModeComparison(small.expression, {"x1": 2.0, "x2": 5.0, "x3": 1.5})
    ok &= _report("ModeComparison (3 inputs), goto(k)", time.perf_counter() - start,
                  _time_steps(comparison.goto, comparison.n_steps))

    start = time.perf_counter()
    explorer = FiniteDifferenceExplorer("sin(x**2 + 1)", "x=3")
    build = time.perf_counter() - start
    hs = np.logspace(-16, -1, 31)
    times = []
    for h in hs:
        t0 = time.perf_counter()
        explorer.h = float(h)
        times.append((time.perf_counter() - t0) * 1000)
    ok &= _report("FiniteDifferenceExplorer, h changed", build, times)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
