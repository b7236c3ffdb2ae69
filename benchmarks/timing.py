"""Best-of-k wall-clock timing with warm-up, garbage collector left ON.

Why best-of-k?  Everything that disturbs a measurement (another process, a page fault,
a CPU frequency change) only ever makes it *slower*, so the minimum over several runs is
the most repeatable estimate of what the code itself costs.

Why keep the garbage collector on?  ``timeit`` switches it off, which hides a real cost:
a tape whose nodes form reference cycles makes every collection walk the whole graph, and
users run with the collector on.  We collect *between* runs (outside the timed region) so
that each run starts from the same state, and let it run freely *inside*.

After the warm-up, every object alive (imported libraries, their caches, the inputs) is
moved to the collector's permanent generation with :func:`gc.freeze`: otherwise each
collection would also walk the ~2·10⁵ objects PyTorch and JAX bring along, and a library's
figure would depend on which *other* libraries happen to be imported.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Timing", "gc_disabled", "measure"]


@dataclass(frozen=True)
class Timing:
    """The best (minimum) and median wall time of ``reps`` timed runs, in seconds."""

    best: float
    median: float
    reps: int


@contextmanager
def gc_disabled() -> Iterator[None]:
    """Switch the cyclic garbage collector off for the block (restored afterwards)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def measure(
    fn: Callable[[], Any],
    *,
    budget: float = 1.0,
    min_reps: int = 3,
    max_reps: int = 50,
    max_time: float | None = None,
    warmup: Callable[[], Any] | None = None,
    gc_on: bool = True,
) -> Timing:
    """Time ``fn()``: one warm-up call, then runs until ``min_reps`` are done and ``budget``
    seconds have been spent (or ``max_reps`` runs, or ``max_time`` seconds, default 3 × budget,
    after at least one run: a peer that takes seconds per run gets one or two runs).

    ``warmup`` replaces the warm-up call (for peers whose full run takes seconds, a small
    run compiles/caches the same code paths).  ``gc_on=False`` disables the garbage
    collector during the timed runs only.
    """
    (warmup or fn)()
    gc.collect()
    gc.freeze()
    times: list[float] = []
    spent = 0.0
    cap = 3 * budget if max_time is None else max_time
    while not times or (len(times) < max_reps and (len(times) < min_reps or spent < budget) and spent < cap):
        gc.collect()
        if gc_on:
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
        else:
            with gc_disabled():
                t0 = time.perf_counter()
                fn()
                dt = time.perf_counter() - t0
        times.append(dt)
        spent += dt
    times.sort()
    return Timing(best=times[0], median=times[len(times) // 2], reps=len(times))
