"""EXPAND: ``adviz graph --expand`` of a 1,000-node tape (every node drawn, nothing folded).

The expression ``sin(sin(…sin(x*1)…)) + … + sin(sin(…sin(x*10)…))`` — ten chains of 98
``sin`` each (the expression language allows 100 levels of brackets) — records 1,000 nodes.
(A sum that reuses ``x`` in every term, ``sin(x*1) + … + sin(x*333)``, is refused by
``--expand``: its arrows cross so much that Graphviz would take over a minute.)  The command
runs as a fresh process writing an SVG; its wall time and CPU time are the figures.
"""

from __future__ import annotations

import resource
import subprocess
import tempfile
import time
from pathlib import Path

from ..bench_cli_startup import adviz_command
from ..common import Context, Result, Table, Target

TARGET_S = 10.0


def expression(chains: int, depth: int) -> str:
    """``chains`` chains of ``depth`` nested sines, summed: chains·(depth + 2) − 1 nodes with x."""
    terms = []
    for k in range(1, chains + 1):
        term = f"x*{k}"
        for _ in range(depth):
            term = f"sin({term})"
        terms.append(term)
    return "+".join(terms)


def run(ctx: Context) -> Result:
    chains, depth = (10, 98) if ctx.budget >= 0.1 else (2, 10)  # 1,000 nodes; the smoke run draws 24
    nodes = chains * (depth + 2)
    res = Result("EXPAND", f"`adviz graph --expand` of a {nodes:,}-node tape to SVG")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "graph.svg"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([*adviz_command(), "graph", expression(chains, depth), "--at", "x=0.5", "--expand",
                               "-o", str(out)], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        drawn = out.exists() and out.stat().st_size > 0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    table = Table(["run", "wall s", "CPU s", "SVG written"])
    table.add(f"adviz graph --expand ({nodes:,} nodes)", wall, cpu, drawn)
    res.tables.append(table)
    if proc.returncode != 0:
        res.lines.append(f"the command failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    res.data = {"wall": wall, "cpu": cpu, "ok": proc.returncode == 0 and drawn}
    met = None if ctx.budget < 0.1 else (proc.returncode == 0 and drawn and cpu <= TARGET_S)
    res.targets.append(Target(f"--expand of 1,000 nodes ≤ {TARGET_S:g} s", f"{cpu:.1f} s CPU ({wall:.1f} s wall)", met))
    return res
