"""What a derivative costs, measured: finite differences vs forward mode vs reverse mode.

The textbook accounting, for f: Rⁿ → Rᵐ whose evaluation runs P primitives:

====================  =======================  ====================================
method                passes                   what a pass costs
====================  =======================  ====================================
forward differences   n + 1 evaluations of f   P primitives each
central differences   2n evaluations of f      P primitives each
forward mode (JVP)    n sweeps, one per input  about one evaluation of f (value + tangent)
reverse mode (VJP)    m sweeps, one per output one recorded evaluation, then ≈ P per sweep
====================  =======================  ====================================

So a gradient (m = 1) costs n passes by finite differences or forward mode but *one* reverse
sweep; a Jacobian costs n forward or m reverse sweeps, and the cheaper mode flips where n = m.

Nothing in this module assumes those numbers. :func:`measure_cost` counts them on the tape:
every finite-difference evaluation is traced and its primitives counted, every forward and
reverse sweep is run on the recorded tape and its derivative operations (``Sweep.ops``, one per
local partial used) and scalar multiply-adds (``Sweep.flops``) summed; optionally the passes
are also timed. :func:`cost_sweep` repeats that over growing n and m to show the crossover.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import finite_differences as fd

__all__ = ["CostReport", "CostRow", "CostSweep", "cost_sweep", "layer_function", "measure_cost"]

METHOD_LABELS: dict[str, str] = {
    "fd-forward": "forward differences",
    "fd-central": "central differences",
    "forward": "forward mode (JVP)",
    "reverse": "reverse mode (VJP)",
}


@dataclass(frozen=True)
class CostRow:
    """The cost of one way to get the full Jacobian (the gradient when m = 1).

    passes:             evaluations of f (finite differences) or sweeps (AD)
    primitive_evals:    primitive applications spent computing *values* of f: every finite-
                        difference evaluation runs the whole program (each one is traced and
                        counted); AD needs the values once (reverse mode records one tape,
                        ``jacfwd`` carries all n tangents along one evaluation)
    derivative_ops:     local partials applied in the sweeps (``Sweep.ops``; 0 for differences)
    derivative_flops:   scalar multiply-adds of those partials (``Sweep.flops``)
    seconds:            wall-clock time of the passes (None when not timed)
    """

    method: str
    passes: int
    primitive_evals: int
    derivative_ops: int
    derivative_flops: int
    seconds: float | None = None

    @property
    def label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def total_ops(self) -> int:
        """Primitive evaluations plus derivative operations: the work in tape units."""
        return self.primitive_evals + self.derivative_ops

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "label": self.label, "passes": self.passes,
                "primitive_evals": self.primitive_evals, "derivative_ops": self.derivative_ops,
                "derivative_flops": self.derivative_flops, "total_ops": self.total_ops, "seconds": self.seconds}


@dataclass(frozen=True)
class CostReport:
    """Costs of the Jacobian of one function at one point, one :class:`CostRow` per method.

    jacfwd_seconds / jacrev_seconds: adviz's batched ``jacfwd``/``jacrev`` (all n or m seeds
    pushed through a single sweep as a stack), timed for comparison with sweep-by-sweep.
    """

    n_inputs: int
    n_outputs: int
    primitive_count: int
    rows: tuple[CostRow, ...]
    jacfwd_seconds: float | None = None
    jacrev_seconds: float | None = None

    def row(self, method: str) -> CostRow:
        for r in self.rows:
            if r.method == method:
                return r
        raise KeyError(f"no cost row {method!r}; rows are {', '.join(r.method for r in self.rows)}")

    @property
    def cheaper_mode(self) -> str:
        """'forward' or 'reverse', whichever needs fewer derivative operations (ties: reverse)."""
        return "forward" if self.row("forward").total_ops < self.row("reverse").total_ops else "reverse"

    def to_dict(self) -> dict[str, Any]:
        return {"n_inputs": self.n_inputs, "n_outputs": self.n_outputs, "primitive_count": self.primitive_count,
                "rows": [r.to_dict() for r in self.rows], "jacfwd_seconds": self.jacfwd_seconds,
                "jacrev_seconds": self.jacrev_seconds}

    def __str__(self) -> str:
        """``print(report)`` draws the table (as ``rich.print`` does), not the dataclass."""
        from adviz.render.plain import plain_text

        return plain_text(self)

    def __rich__(self) -> Any:
        return self.table()

    def table(self, *, ascii: bool = False) -> Any:
        """The cost table: one row per method, its columns wrapped at word boundaries. A console
        too narrow for five columns (``adviz compare`` at 40) gets two: the method, then its
        counts in words (``2 passes, 6 primitive evals, …``); a label or a number is never cut.
        ``ascii``: ``+--`` boxes, ``-`` for a missing time and ``us``, as ``--ascii`` asks."""
        from rich import box
        from rich.table import Table
        from rich.text import Text

        from ..render.table import _Responsive

        what = "gradient" if self.n_outputs == 1 else "Jacobian"
        timed = any(r.seconds is not None for r in self.rows)
        title = (f"Cost of the {what}: n = {_plural(self.n_inputs, 'input')}, "
                 f"m = {_plural(self.n_outputs, 'output')}, f = {_plural(self.primitive_count, 'primitive')}")
        heads = ("method", "passes", "primitive evals", "derivative ops", "total") + (("time",) if timed else ())
        wide, narrow = (Table(box=box.ASCII2 if ascii else box.SIMPLE_HEAVY, safe_box=ascii, pad_edge=False)
                        for _ in range(2))
        for head in heads:
            wide.add_column(head, justify="left" if head == "method" else "right", overflow="fold")
        narrow.add_column("method: cost", overflow="fold")
        for r in self.rows:
            cells = [str(r.passes), str(r.primitive_evals), str(r.derivative_ops), str(r.total_ops)]
            if timed:
                cells.append("–" if r.seconds is None else _fmt_seconds(r.seconds))
                if ascii:
                    cells[-1] = cells[-1].replace("–", "-").replace("µs", "us")
            wide.add_row(r.label, *cells)
            lines = [r.label, f"{_plural(r.passes, 'pass')}: {_plural(r.primitive_evals, 'primitive eval')}",
                     f"+ {_plural(r.derivative_ops, 'derivative op')} = {r.total_ops} total"]
            if timed:
                lines.append(f"time {cells[-1]}")
            narrow.add_row(Text(lines[0], style="bold").append("\n" + "\n".join(lines[1:]), style="not bold"))
        for table in (wide, narrow):
            table.adviz_title = title  # type: ignore[attr-defined]  # printed above the table, bold
        return _Responsive(wide, narrow)


def _plural(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 'es' if word.endswith('s') else 's'}"


def _fmt_seconds(s: float) -> str:
    return f"{s * 1e6:.0f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def _best_time(fn: Callable[[], Any], repeat: int, budget: float = 0.05) -> float:
    """Best-of-``repeat`` seconds per call, looping short calls until each run takes ~budget/repeat."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, min(1000, int(budget / repeat / once)))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        best = min(best, (time.perf_counter() - start) / loops)
    return best


def _unit_vectors(shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    size = int(np.prod(shape))
    for k in range(size):
        e = np.zeros(size)
        e[k] = 1.0
        yield e.reshape(shape)


class _Function:
    """A function of named array inputs, as both a NumPy callable and a flat-vector callable."""

    def __init__(self, f: Any, args: Sequence[Any], at: dict[str, Any] | None):
        from adviz import parse

        if isinstance(f, str) or (type(f).__name__ == "Expression" and hasattr(f, "variables")):
            expression = parse(f) if isinstance(f, str) else f
            at = dict(at or {})
            missing = [v for v in expression.variables if v not in at]
            if args or missing:
                raise ValueError(f"give every variable of {expression.source!r} a value with at=: "
                                 f"missing {', '.join(missing) or 'none'}")
            self.fn = expression
            self.names: tuple[str, ...] | None = tuple(expression.variables)
            self.values = [np.asarray(at[v], dtype=float) for v in expression.variables]
        else:
            if at:
                raise ValueError("pass a Python function's inputs as positional arguments, not at=")
            self.fn = f
            self.names = None
            self.values = [np.asarray(a, dtype=float) for a in args]
        if not self.values:
            raise ValueError("the function has no inputs to differentiate with respect to")
        self.shapes = [v.shape for v in self.values]
        self.sizes = [v.size for v in self.values]

    def trace(self, values: Sequence[Any]) -> Any:
        """Record the function at ``values`` (expressions take their values by name)."""
        from adviz import trace

        if self.names is not None:
            return trace(self.fn, **dict(zip(self.names, values)))
        return trace(self.fn, *values)

    def unflatten(self, flat: np.ndarray) -> list[Any]:
        parts, start = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            part = flat[start:start + size]
            parts.append(part[0] if shape == () else part.reshape(shape))
            start += size
        return parts

    def flat(self) -> np.ndarray:
        return np.concatenate([v.ravel() for v in self.values])

    def call_flat(self, flat: np.ndarray) -> Any:
        return self.fn(*self.unflatten(flat))


def measure_cost(
    f: Any,
    *args: Any,
    at: dict[str, Any] | None = None,
    timing: bool = True,
    repeat: int = 3,
) -> CostReport:
    """Count (and time) the full Jacobian of f by differences, forward mode and reverse mode.

    f:      a NumPy function of its positional ``args``, or an expression string /
            :class:`~adviz.expr.Expression` with its values in ``at``.
    timing: also time each method: finite differences on plain floats; forward mode as n
            separate ``jvp`` calls (each also recomputes the value, as a forward pass does);
            reverse mode as one ``vjp`` (the recording) plus m pullbacks; and, for comparison,
            the batched ``jacfwd``/``jacrev``.

    >>> r = measure_cost("x1*x2 + sin(x1)", at={"x1": 2.0, "x2": 5.0}, timing=False)
    >>> [(row.method, row.passes) for row in r.rows]
    [('fd-forward', 3), ('fd-central', 4), ('forward', 2), ('reverse', 1)]
    """
    from adviz import jacfwd, jacrev, jvp, vjp

    fun = _Function(f, args, at)
    tape = fun.trace(fun.values)
    names = tape.input_names
    out = tape.output
    n, m, p = sum(fun.sizes), int(np.size(out.value)), tape.primitive_count

    rows = []
    for method in ("forward", "central"):
        spent = [0]

        def counted(flat: np.ndarray, spent: list[int] = spent) -> Any:
            # each evaluation is recorded, so its primitives are counted, not assumed equal to P
            evaluation = fun.trace(fun.unflatten(flat))
            spent[0] += evaluation.primitive_count
            return evaluation.value

        result = fd.jacobian(counted, fun.flat(), method)
        seconds = _best_time(lambda m=method: fd.jacobian(fun.call_flat, fun.flat(), m), repeat) if timing else None
        rows.append(CostRow(f"fd-{method}", result.evaluations, spent[0], 0, 0, seconds))

    fwd_ops = fwd_flops = 0
    for name, value in zip(names, fun.values):
        for e in _unit_vectors(value.shape):
            sweep = tape.forward(seed={name: e})
            fwd_ops, fwd_flops = fwd_ops + sweep.ops, fwd_flops + sweep.flops
    rev_ops = rev_flops = 0
    for e in _unit_vectors(np.shape(out.value)):
        sweep = tape.reverse(seed=e)
        rev_ops, rev_flops = rev_ops + sweep.ops, rev_flops + sweep.flops

    fwd_seconds = rev_seconds = jacfwd_seconds = jacrev_seconds = None
    if timing:
        primals = tuple(fun.values)
        tangent_sets = [tuple(e if i == k else np.zeros(fun.shapes[i]) for i in range(len(primals)))
                        for k, value in enumerate(fun.values) for e in _unit_vectors(value.shape)]
        out_seeds = list(_unit_vectors(np.shape(out.value)))

        def forward_passes() -> None:
            for tangents in tangent_sets:
                jvp(fun.fn, primals, tangents)

        def reverse_passes() -> None:
            _, pullback = vjp(fun.fn, *primals)
            for seed in out_seeds:
                pullback(seed)

        argnums = tuple(range(len(primals)))
        fwd_seconds = _best_time(forward_passes, repeat)
        rev_seconds = _best_time(reverse_passes, repeat)
        jacfwd_seconds = _best_time(lambda: jacfwd(fun.fn, argnums)(*primals), repeat)
        jacrev_seconds = _best_time(lambda: jacrev(fun.fn, argnums)(*primals), repeat)

    rows.append(CostRow("forward", n, p, fwd_ops, fwd_flops, fwd_seconds))
    rows.append(CostRow("reverse", m, p, rev_ops, rev_flops, rev_seconds))
    return CostReport(n, m, p, tuple(rows), jacfwd_seconds, jacrev_seconds)


def layer_function(n: int, m: int) -> Callable[[np.ndarray], Any]:
    """A small network layer Rⁿ → Rᵐ, ``tanh(W @ sin(x))``, with a fixed, deterministic W.

    Its tape has the same three primitives for every n and m, so the cost of a Jacobian is
    purely a matter of how many sweeps each mode needs.
    """
    if n < 1 or m < 1:
        raise ValueError(f"n and m must be at least 1, got n={n}, m={m}")
    W = np.cos(np.add.outer(np.arange(m) * 0.7, np.arange(n) * 1.3)) / np.sqrt(n)
    return lambda x: np.tanh(W @ np.sin(x))


@dataclass(frozen=True)
class CostSweep:
    """Cost reports over a grid: ``by_n`` varies the inputs at m = fixed_m, ``by_m`` the outputs at n = fixed_n."""

    ns: tuple[int, ...]
    ms: tuple[int, ...]
    fixed_m: int
    fixed_n: int
    by_n: tuple[CostReport, ...]
    by_m: tuple[CostReport, ...]

    def series(self, axis: str, method: str, field: str = "total_ops") -> list[Any]:
        """One method's ``field`` along ``axis`` ('n' or 'm'), e.g. ``series('n', 'forward')``."""
        reports = {"n": self.by_n, "m": self.by_m}[axis]
        return [getattr(r.row(method), field) for r in reports]

    def crossover(self, axis: str) -> int | None:
        """The first n (or m) at which the other mode stops being cheaper, measured in ops."""
        values = self.ns if axis == "n" else self.ms
        fwd, rev = self.series(axis, "forward"), self.series(axis, "reverse")
        for v, a, b in zip(values, fwd, rev):
            if (axis == "n" and a >= b) or (axis == "m" and b >= a):
                return v
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"ns": list(self.ns), "ms": list(self.ms), "fixed_m": self.fixed_m, "fixed_n": self.fixed_n,
                "by_n": [r.to_dict() for r in self.by_n], "by_m": [r.to_dict() for r in self.by_m]}


def cost_sweep(
    ns: Sequence[int] = (1, 2, 4, 8, 16, 32),
    ms: Sequence[int] = (1, 2, 4, 8, 16, 32),
    *,
    fixed_m: int = 8,
    fixed_n: int = 8,
    timing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CostSweep:
    """Measure :func:`layer_function` Jacobians over n (at m = fixed_m) and over m (at n = fixed_n).

    Forward mode's cost grows with n and not m, reverse mode's with m and not n: the two
    curves cross where n = m. ``progress(done, total)`` is called after each measurement.
    """
    total = len(ns) + len(ms)
    done = 0
    x0 = lambda n: np.linspace(-1.0, 1.0, n)
    by_n, by_m = [], []
    for n in ns:
        by_n.append(measure_cost(layer_function(n, fixed_m), x0(n), timing=timing))
        done += 1
        if progress:
            progress(done, total)
    for m in ms:
        by_m.append(measure_cost(layer_function(fixed_n, m), x0(fixed_n), timing=timing))
        done += 1
        if progress:
            progress(done, total)
    return CostSweep(tuple(ns), tuple(ms), fixed_m, fixed_n, tuple(by_n), tuple(by_m))
