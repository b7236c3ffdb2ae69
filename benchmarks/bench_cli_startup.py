"""How long does ``adviz trace "sin(x**2+1)" --at x=3`` take, next to bare ``import numpy, rich``?

A command-line tool is judged by its start-up: the student types a command and waits. Most of
adviz's start-up is Python itself plus NumPy and rich, which any such tool must load, so the
fair yardstick is ``python -c "import numpy, rich"`` measured in the same run, on the same
machine, at the same moment. The target is a ratio of at most 1.5.

The two commands are run alternately (so that a busy moment on the machine hurts both), each
as a fresh process, and the best of N runs is compared: noise only ever adds time, so the
minimum is the most repeatable estimate (the median is printed too)::

    python benchmarks/bench_cli_startup.py            # 15 runs each
    python benchmarks/bench_cli_startup.py --runs 30
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 1.5


def adviz_command() -> list[str]:
    """The installed ``adviz`` console script of this Python (not a shell shim), else ``-m``."""
    script = Path(sys.executable).with_name("adviz")
    if script.exists():
        return [str(script)]
    found = shutil.which("adviz")
    if found and "shims" not in found:
        return [found]
    return [sys.executable, "-m", "adviz.cli"]


def wall_time(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    args = parser.parse_args(argv)

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    commands = {
        "adviz trace": [*adviz_command(), "trace", "sin(x**2+1)", "--at", "x=3"],
        "import numpy, rich": [sys.executable, "-c", "import numpy, rich"],
    }
    for cmd in commands.values():          # warm the file-system cache and .pyc files
        wall_time(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(wall_time(cmd, env))

    print(f"{'command':<22}{'best':>10}{'median':>10}   ({args.runs} runs each, alternating)")
    for name, ts in times.items():
        print(f"{name:<22}{min(ts) * 1000:>8.1f}ms{statistics.median(ts) * 1000:>8.1f}ms")
    best = min(times["adviz trace"]) / min(times["import numpy, rich"])
    median = statistics.median(times["adviz trace"]) / statistics.median(times["import numpy, rich"])
    verdict = "within" if best <= TARGET else "ABOVE"
    print(f"ratio adviz trace / import numpy, rich: {best:.2f} (best), {median:.2f} (median); "
          f"{verdict} the {TARGET}x target")
    print(f"adviz command: {' '.join(commands['adviz trace'][:1])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
