"""What a workload returns, the correctness check, and plain-text tables.

A workload produces a :class:`Result`: one or more tables (a row per implementation), the
targets it is judged against, and free-text lines (peers skipped and why).  Numbers are
kept as numbers (for ``--json``) and formatted only when printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Check", "Context", "Result", "Table", "Target", "check", "fmt"]


@dataclass(frozen=True)
class Check:
    """Largest error of a derivative against the reference, relative to the reference's size."""

    error: float
    tol: float

    @property
    def ok(self) -> bool:
        return bool(np.isfinite(self.error)) and self.error <= self.tol

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'WRONG'} ({self.error:.0e})"


def check(value: Any, reference: Any, tol: float = 1e-9) -> Check:
    """Compare ``value`` with ``reference``: max |value − ref| / max |ref| (shapes must match).

    Tuples (several gradients) are compared entry by entry; the worst entry counts.
    """
    if isinstance(reference, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(reference):
            return Check(float("inf"), tol)
        worst = max((check(v, r, tol) for v, r in zip(value, reference)), key=lambda c: c.error if np.isfinite(c.error) else np.inf)
        return worst
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):  # a peer's tensor type (PyTorch refuses)
        v = np.asarray(_to_numpy(value), dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if v.shape != r.shape:
        return Check(float("inf"), tol)
    scale = float(np.max(np.abs(r))) or 1.0
    return Check(float(np.max(np.abs(v - r))) / scale, tol)


def _to_numpy(x: Any) -> Any:
    for attr in ("detach", "numpy"):
        if hasattr(x, attr):
            x = getattr(x, attr)()
    return x


@dataclass
class Table:
    """Rows of cells under column headings; ``None`` prints as a dash."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    digits: int = 3

    def add(self, *cells: Any) -> None:
        self.rows.append(list(cells))

    def render(self, indent: str = "  ") -> str:
        text = [[str(c) for c in self.columns]] + [[fmt(c, self.digits) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in text) for i in range(len(self.columns))]
        lines = []
        for k, r in enumerate(text):
            cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
            lines.append(indent + "  ".join(cells).rstrip())
            if k == 0:
                lines.append(indent + "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def markdown(self) -> str:
        """The same table in GitHub Markdown (for the README)."""
        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join(["---"] + ["---:"] * (len(self.columns) - 1)) + "|"
        body = ["| " + " | ".join(fmt(c, self.digits) for c in row) + " |" for row in self.rows]
        return "\n".join([head, rule, *body])


@dataclass
class Target:
    """One line of the issue's Targets list and whether this run met it (None: not measurable)."""

    text: str
    measured: str
    met: bool | None

    def render(self) -> str:
        verdict = {True: "MET", False: "MISSED", None: "n/a"}[self.met]
        return f"  target {self.text}: {self.measured} -> {verdict}"


@dataclass
class Result:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    preface: list[str] = field(default_factory=list)  # lines printed before the tables
    adviz_correct: bool = True
    data: dict = field(default_factory=dict)
    seconds: float = 0.0  # wall time the workload took, measurement included

    def markdown(self) -> str:
        out = [f"**{self.key}** {self.title}", ""]
        out += [f"- {line}" for line in self.preface]
        if self.preface:
            out.append("")
        for t in self.tables:
            out += [t.markdown(), ""]
        out += [f"- {line}" for line in self.lines]
        out += [f"- {t.render().strip()}" for t in self.targets]
        return "\n".join(out)

    def render(self) -> str:
        out = [f"{self.key}  {self.title}"]
        out += ["  " + line for line in self.preface]
        out += [t.render() for t in self.tables]
        out += ["  " + line for line in self.lines]
        out += [t.render() for t in self.targets]
        return "\n".join(out)


@dataclass
class Context:
    """What every workload receives: the peers and how hard to try."""

    peers: dict
    budget: float = 1.0  # seconds of timed runs per implementation (at least min_reps runs)
    min_reps: int = 3

    def available(self, *names: str) -> list:
        return [self.peers[n] for n in names if n in self.peers and self.peers[n].available]

    def absent_lines(self, names: Sequence[str], why_not: dict | None = None) -> list[str]:
        """One line per requested peer that is not measured here, saying why."""
        lines = []
        for n in names:
            if n not in self.peers:
                continue
            p = self.peers[n]
            if not p.available:
                lines.append(f"{n}: skipped, {p.reason}")
            elif why_not and n in why_not:
                lines.append(f"{p.label}: not measured, {why_not[n]}")
        return lines


def fmt(x: Any, digits: int = 3) -> str:
    """Numbers with ``digits`` significant digits (no scientific notation in the usual range)."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if not np.isfinite(x):
            return str(x)
        if x == 0:
            return "0"
        if abs(x) >= 10 ** digits or abs(x) < 1e-3:
            return f"{x:.{digits - 1}e}"
        mag = int(np.floor(np.log10(abs(x))))
        return f"{x:.{max(digits - 1 - mag, 0)}f}"
    return str(x)
