"""Run the benchmark workloads and print adviz's figures beside every installed peer's.

Usage (from the repository root)::

    python -m benchmarks                       # everything, about 2–3 minutes on 2 cores
    python benchmarks/run.py                   # the same
    python -m benchmarks --only W1,W5          # some workloads (W1 W2 W3 W4 W5 MEM BIG START EXPAND)
    python -m benchmarks --peers torch,jax     # some peers;  --no-peers: adviz alone
    python -m benchmarks --budget 0.3          # seconds of timed runs per implementation
    python -m benchmarks --json out.json --markdown

The exit status is 1 if adviz computed a wrong derivative in any workload.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _threads_from_argv(argv: list[str]) -> int | None:
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return None


# Thread pools are sized when a library loads, so --threads must act before NumPy is imported.
_THREADS = _threads_from_argv(sys.argv[1:])
if _THREADS is not None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(_THREADS)
    if _THREADS == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()

import numpy as np

import adviz
from benchmarks.common import Context
from benchmarks.peers import PEER_NAMES, load_peers
from benchmarks.workloads import WORKLOADS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads: " + " ".join(WORKLOADS))
    p.add_argument("--peers", default=",".join(PEER_NAMES), help="comma-separated peers: " + " ".join(PEER_NAMES))
    p.add_argument("--no-peers", action="store_true", help="measure adviz alone")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of timed runs per measurement (default 1)")
    p.add_argument("--min-reps", type=int, default=3, help="at least this many timed runs per measurement")
    p.add_argument("--threads", type=int, help="limit NumPy's BLAS, PyTorch and JAX to N threads "
                   "(default: each library's own choice)")
    p.add_argument("--steady-heap", action="store_true",
                   help="tell glibc's malloc to keep freed memory (no page faults from fresh allocations): "
                   "figures of the computation alone, steadier between runs")
    p.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    p.add_argument("--markdown", action="store_true", help="also print the tables as Markdown (for the README)")
    return p


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, NumPy {np.__version__}, "
            f"adviz {adviz.__version__}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"threads: {_THREADS if _THREADS is not None else 'library defaults'}"
            + (", steady heap (glibc keeps freed memory)" if "--steady-heap" in sys.argv else ""))


def steady_heap() -> None:
    """Ask glibc's malloc never to return freed memory to the operating system.

    By default glibc gives large freed blocks back (``munmap``, or trimming the heap top), so
    the next large NumPy array arrives as fresh pages that the kernel must fault in and zero:
    on this kind of virtual machine about 2 µs per 4 KiB page, several times the arithmetic
    on them.  Whether a call pays that depends on how much memory happened to be free, so
    timings flip between two modes.  With this setting every workload reuses its memory.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if platform.system() != "Linux" or not name:
        print("--steady-heap: only for Linux with glibc; ignored", file=sys.stderr)
        return
    libc = ctypes.CDLL(name)
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
    ok = libc.mallopt(M_MMAP_THRESHOLD, 2**30) and libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1) \
        and libc.mallopt(M_TOP_PAD, 2**28)
    if not ok:
        print("--steady-heap: mallopt refused; ignored", file=sys.stderr)


def _load() -> str:
    """The 1-minute load average: other processes on the machine skew timings."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:  # not available on this platform
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keys = [k.strip().upper() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown:
        print(f"unknown workload(s) {', '.join(unknown)}; choose from {' '.join(WORKLOADS)}", file=sys.stderr)
        return 2
    if args.steady_heap:
        steady_heap()
    wanted = [] if args.no_peers else [p.strip() for p in args.peers.split(",") if p.strip()]
    peers = load_peers(wanted)
    if args.threads is not None and "torch" in peers and peers["torch"].available:
        peers["torch"].module.set_num_threads(args.threads)
    # Objects that exist now (the imported libraries: PyTorch and JAX bring ~2·10⁵ of them) go to
    # the collector's permanent generation, so a full collection costs what the workload itself
    # allocated, whichever peers happen to be imported.
    gc.collect()
    gc.freeze()
    ctx = Context(peers=peers, budget=args.budget, min_reps=args.min_reps)

    print(f"adviz benchmarks — {machine()}")
    print("peers: " + (", ".join(p.label if p.available else f"{p.name} (absent)" for p in peers.values()) or "none"))
    print(f"timing: best of ≥ {args.min_reps} runs after a warm-up, garbage collector on unless stated; "
          f"load average {_load()}\n")

    results, start = [], time.perf_counter()
    for key in keys:
        t0 = time.perf_counter()
        res = WORKLOADS[key].run(ctx)
        res.seconds = time.perf_counter() - t0
        results.append(res)
        print(res.render())
        print(f"  ({res.seconds:.1f} s)\n", flush=True)

    print("Summary of targets")
    for res in results:
        for t in res.targets:
            print(f"  {res.key:<7}{t.render().strip()[len('target '):]}")
    wrong = [r.key for r in results if not r.adviz_correct]
    if wrong:
        print(f"\nadviz computed a WRONG derivative in: {', '.join(wrong)}")
    print(f"\ntotal {time.perf_counter() - start:.0f} s; load average {_load()}")

    if args.markdown:
        print("\n" + "\n\n".join(r.markdown() for r in results))
    if args.json:
        payload = {"machine": machine(), "peers": {k: p.label for k, p in peers.items() if p.available},
                   "results": {r.key: {"data": r.data, "targets": [vars(t) for t in r.targets],
                                       "adviz_correct": r.adviz_correct, "seconds": r.seconds} for r in results}}
        Path(args.json).write_text(json.dumps(payload, indent=2, default=float))
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
