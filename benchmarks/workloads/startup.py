"""START: how long ``adviz trace "sin(x**2+1)" --at x=3`` takes next to ``python -c "import numpy, rich"``.

A student types a command and waits: most of that wait is Python, NumPy and rich, which any
such tool loads, so the yardstick is bare ``import numpy, rich`` measured in the same run.
The two commands run alternately as fresh processes (a busy moment hurts both), and both the
best and the median of the per-pair ratios are printed.  ``benchmarks/bench_cli_startup.py``
is the same measurement as a stand-alone script.
"""

from __future__ import annotations

import os
import statistics
import sys

from ..bench_cli_startup import TARGET, adviz_command, wall_time
from ..common import Context, Result, Table, Target


def run(ctx: Context) -> Result:
    res = Result("START", 'cold start of `adviz trace "sin(x**2+1)" --at x=3` ÷ `python -c "import numpy, rich"`')
    runs = 1 if ctx.budget < 0.1 else max(3, min(15, int(10 * ctx.budget)))  # the smoke run: one pair
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    commands = {"adviz trace": [*adviz_command(), "trace", "sin(x**2+1)", "--at", "x=3"],
                "import numpy, rich": [sys.executable, "-c", "import numpy, rich"]}
    for cmd in commands.values():  # warm the file-system cache
        wall_time(cmd, env)
    times: dict = {k: [] for k in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall_time(cmd, env))
    ratios = [a / b for a, b in zip(times["adviz trace"], times["import numpy, rich"])]
    table = Table(["command", "best ms", "median ms"])
    for name, ts in times.items():
        table.add(name, min(ts) * 1e3, statistics.median(ts) * 1e3)
    res.tables.append(table)
    best = min(times["adviz trace"]) / min(times["import numpy, rich"])
    med = statistics.median(ratios)
    res.lines.append(f"{runs} alternating pairs; ratio of the best runs {best:.2f}, median of the paired ratios {med:.2f}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        res.lines.append("PYTHONDONTWRITEBYTECODE is set: modules without cached bytecode are compiled on every run "
                         "(run `python -m compileall adviz` once)")
    res.data = {"best_ratio": best, "median_ratio": med}
    res.targets.append(Target(f"cold start ÷ import numpy, rich ≤ {TARGET}", f"{best:.2f}", best <= TARGET))
    return res
