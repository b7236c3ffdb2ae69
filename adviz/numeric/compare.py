"""One function, every way of differentiating it: AD, the complex step and finite differences.

:func:`compare` computes the gradient of a scalar expression (or NumPy function) at a point by

* AD reverse mode (one sweep), the reference every other row is measured against;
* AD forward mode (one sweep per input);
* the complex step (one complex evaluation per input);
* forward and central differences at the textbook-optimal step, then at a few other steps on
  both sides of it, and Richardson extrapolation;

and reports, per row, the value, its absolute and relative error, the number of correct
digits and what it cost. It also sweeps h over 1e-16 … 1e-1 along one variable (the V-shaped
error curve, :mod:`adviz.numeric.error_sweep`) and counts the cost of the whole gradient on
the tape (:mod:`adviz.numeric.cost`). ``adviz compare EXPR --at x=3`` prints the report.

>>> r = compare("sin(x**2+1)", {"x": 3.0}, sweep=False, cost=False)
>>> r.row("complex step").rel_error < 1e-15, r.row("forward difference").rel_error > 1e-10
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import finite_differences as fd
from .cost import CostReport, measure_cost
from .error_sweep import ErrorSweep, error_sweep

__all__ = ["NOT_COMPLEX_SAFE", "OTHER_STEPS", "ComparisonReport", "ComparisonRow", "compare", "digits"]

OTHER_STEPS: tuple[float, ...] = (1e-2, 1e-6, 1e-10, 1e-14)
"""Steps tried besides the textbook one: two on each side of the two optima."""

NOT_COMPLEX_SAFE: frozenset[str] = frozenset({
    "absolute", "sign", "signbit", "maximum", "minimum", "max", "min", "clip", "where", "floor", "ceil",
    "rint", "trunc", "floor_divide", "hypot", "arctan2", "astype",
})
"""Primitives that are not complex-analytic (or refuse complex input): if the tape holds one,
the complex step's answer is not the derivative, so the report says so instead of showing it."""


@dataclass(frozen=True)
class ComparisonRow:
    """One way of computing the gradient and how it fared against AD reverse mode.

    value: the gradient, flattened over all inputs (None when the method could not run);
    h: the step (None for AD); h_label: how h was chosen; evaluations: f evaluations for
    differences, sweeps for AD; cost: the same in words; note: why a row is missing or suspect.
    Textbook steps are scaled: "textbook √ε" means h = √ε·max(1, |x|) for each component x.
    """

    method: str
    kind: str
    h: float | None
    h_label: str
    value: np.ndarray | None
    abs_error: float
    rel_error: float
    evaluations: int
    cost: str
    note: str = ""

    @property
    def digits(self) -> float:
        """Correct significant digits, ``-log10(relative error)``, capped at 16."""
        return digits(self.rel_error)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data; ``value`` is None only when the method did not run. Numbers JSON
        cannot hold stay ``inf``/``nan`` floats (``adviz compare --json`` writes them as the
        strings ``"inf"``, ``"-inf"``, ``"nan"``, as every ``--json`` does)."""
        return {"method": self.method, "kind": self.kind, "h": self.h, "h_label": self.h_label,
                "value": None if self.value is None else [_num(float(v)) for v in self.value],
                "abs_error": _num(self.abs_error), "rel_error": _num(self.rel_error),
                "digits": None if self.value is None else _num(round(self.digits, 2)),
                "evaluations": self.evaluations, "cost": self.cost,
                "note": self.note}


def digits(rel_error: float) -> float:
    """Correct significant digits of a relative error: ``-log10(rel_error)``, from 0 to 16;
    ``nan`` when the error itself is unknown (``nan``: AD's derivative is infinite, say)."""
    if np.isnan(rel_error):
        return float("nan")
    if not np.isfinite(rel_error):
        return 0.0
    return float(min(16.0, max(0.0, -np.log10(max(rel_error, 1e-16)))))


def _num(x: float) -> float:
    """A plain float, ``inf`` and ``nan`` included: never None, which means "no value" (a
    method that did not run), not "not finite"."""
    return float(x)


@dataclass(frozen=True)
class ComparisonReport:
    """Everything :func:`compare` measured; printable with rich, plottable, JSON-ready.

    ``labels`` name the gradient's components (``x``, or ``W[0,1]`` for array inputs);
    ``wrt`` is the component the error sweep moved.
    """

    expression: str
    at: dict[str, Any]
    value: float
    labels: tuple[str, ...]
    reference: np.ndarray
    rows: tuple[ComparisonRow, ...]
    wrt: str
    sweep: ErrorSweep | None = None
    cost: CostReport | None = None
    notes: tuple[str, ...] = field(default=())

    def row(self, method: str, h_label: str | None = None) -> ComparisonRow:
        """The first row of ``method`` (and of ``h_label``, if given)."""
        for r in self.rows:
            if r.method == method and (h_label is None or r.h_label == h_label):
                return r
        raise KeyError(f"no row {method!r}" + (f" with h {h_label!r}" if h_label else ""))

    def entry_error(self, row: ComparisonRow, entry: str | None = None) -> tuple[float, float]:
        """Absolute and relative error of one gradient entry of ``row`` (default: :attr:`wrt`),
        against AD reverse mode. ``row.abs_error``/``row.rel_error`` are the largest over all
        entries; a table that shows one entry's value shows this entry's own error next to it.
        """
        k = self.labels.index(entry or self.wrt)
        if row.value is None:
            return float("nan"), float("nan")
        ref = float(self.reference[k])
        abs_error = abs(float(np.ravel(row.value)[k]) - ref)
        return abs_error, abs_error / abs(ref) if ref != 0 else abs_error

    def nested(self, flat: Any) -> dict[str, Any]:
        """A gradient given entry by entry (in :attr:`labels`' order) as ``adviz grad --json``
        writes one: ``{name: number or nested list}``, each in its input's shape.

        >>> report = compare("sum(W*W)*y", {"W": [[1.0, 2.0], [3.0, 4.0]], "y": 2.0}, sweep=False)
        >>> report.nested(report.reference)
        {'W': [[4.0, 8.0], [12.0, 16.0]], 'y': 30.0}
        """
        flat = np.ravel(np.asarray(flat, dtype=float))
        out: dict[str, Any] = {}
        start = 0
        for name in dict.fromkeys(label.split("[", 1)[0] for label in self.labels):
            shape = np.shape(self.at[name])
            size = int(np.prod(shape))
            part = flat[start:start + size]
            start += size
            out[name] = _num(float(part[0])) if shape == () else _nested_list(part.reshape(shape))
        return out

    def plot(self, path: Any = None, **kwargs: Any) -> Any:
        """The error-vs-h figure of the sweep (see :func:`adviz.render.plots.error_plot`)."""
        if self.sweep is None:
            raise ValueError("this comparison was made with sweep=False: there is no error curve to plot")
        from adviz.render.plots import error_plot

        title = kwargs.pop("title", None) or f"∂/∂{self.wrt} of {self.expression} at {_at_text(self.at)}"
        return error_plot(self.sweep, path=path, title=title, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data (numbers, lists, None for what is missing); non-finite numbers stay
        ``inf``/``nan`` floats, which ``adviz compare --json`` writes as ``"inf"``/``"-inf"``/``"nan"``."""
        return {
            "expression": self.expression,
            "at": {k: np.asarray(v).tolist() for k, v in self.at.items()},
            "value": float(self.value),
            "gradient": self.nested(self.reference),
            "entries": list(self.labels),
            "rows": [{**r.to_dict(), "gradient": None if r.value is None else self.nested(r.value)}
                     for r in self.rows],
            "wrt": self.wrt,
            "sweep": None if self.sweep is None else self.sweep.to_dict(),
            "cost": None if self.cost is None else self.cost.to_dict(),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        """``print(report)`` draws the table (as ``rich.print`` does), not the dataclass."""
        from adviz.render.plain import plain_text

        return plain_text(self)

    def __rich__(self) -> Any:
        from adviz.render.compare_table import comparison_renderable

        return comparison_renderable(self)


def _nested_list(a: np.ndarray) -> list:
    return [_nested_list(v) if np.ndim(v) else _num(float(v)) for v in a]


def _at_text(at: dict[str, Any]) -> str:
    return ", ".join(f"{k}={np.asarray(v).tolist()}" for k, v in at.items())


class _Target:
    """The function under study as a callable of one flat float vector (all inputs concatenated)."""

    def __init__(self, f: Any, at: dict[str, Any]):
        from adviz import parse

        if isinstance(f, str) or (type(f).__name__ == "Expression" and hasattr(f, "variables")):
            self.expression = parse(f) if isinstance(f, str) else f
            self.source = self.expression.source
            names = tuple(self.expression.variables)
            missing = [n for n in names if n not in at]
            extra = [n for n in at if n not in names]
            from ..expr import constant_given_a_value

            constant = constant_given_a_value(extra)
            if constant:  # compare("e*x", {"e": 2}): e is in the expression, as the constant
                raise ValueError(constant)
            if missing or extra:
                raise ValueError(f"{self.source!r} uses {', '.join(names) or 'no variables'}; "
                                 + (f"missing values for {', '.join(missing)}" if missing else
                                    f"{', '.join(extra)} not in the expression"))
            self.call = self.expression
        elif callable(f):
            self.expression, names = None, tuple(at)
            self.source = getattr(f, "__name__", "f")
            self.call = lambda *values: f(**dict(zip(names, values)))
        else:
            raise TypeError(f"compare() needs an expression string or a function, got {type(f).__name__}")
        if not names:
            raise ValueError("the function has no variables: there is nothing to differentiate")
        self.names = names
        self.values = [np.asarray(at[n], dtype=float) for n in names]
        self.shapes = [v.shape for v in self.values]
        self.labels = tuple(
            name if shape == () else f"{name}[{','.join(map(str, idx))}]"
            for name, shape in zip(names, self.shapes) for idx in np.ndindex(*shape)
        )
        self.x0 = np.concatenate([v.ravel() for v in self.values])

    def split(self, flat: Any) -> list[Any]:
        parts, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            part = flat[start:start + size]
            parts.append(part[0] if shape == () else part.reshape(shape))
            start += size
        return parts

    def flat_call(self, flat: Any) -> Any:
        return self.call(*self.split(flat))


def _errors(value: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Max-norm absolute error and the same relative to the largest gradient entry."""
    abs_error = float(np.max(np.abs(value - reference)))
    scale = float(np.max(np.abs(reference)))
    return abs_error, abs_error / scale if scale > 0 else abs_error


def _plural(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def compare(
    expression_or_fn: Any,
    at: dict[str, Any],
    *,
    wrt: str | None = None,
    other_steps: Sequence[float] = OTHER_STEPS,
    sweep: bool = True,
    hs: Sequence[float] | None = None,
    cost: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ComparisonReport:
    """Compare AD with the complex step and finite differences on one scalar function.

    expression_or_fn: an expression string (``"sin(x**2+1)"``), an ``Expression``, or a Python
                      function taking the variables of ``at`` as keyword arguments.
    at:               values of the variables, e.g. ``{"x": 3.0}``; arrays are allowed.
    wrt:              the variable (a scalar one, or ``"W[0,1]"`` for an entry) whose partial
                      derivative the h sweep follows; default the first component.
    other_steps:      steps tried besides the textbook one, for both difference formulas.
    sweep, hs:        run the error-vs-h sweep (``hs`` default ``logspace(-16, -1, 151)``).
    cost:             count the gradient's cost on the tape (:func:`~adviz.numeric.cost.measure_cost`).
    progress:         ``progress(done, total)`` during the sweep.
    """
    from adviz import grad, jvp, trace

    target = _Target(expression_or_fn, at)
    n = target.x0.size
    tape = trace(target.expression, **dict(zip(target.names, target.values))) if target.expression is not None \
        else trace(target.call, *target.values)
    if np.size(tape.output.value) != 1 or np.shape(tape.output.value) != ():
        raise ValueError(f"compare needs a scalar-valued function; {target.source!r} has shape "
                         f"{np.shape(tape.output.value)} (use a Jacobian command for vector outputs)")
    value = float(tape.value)

    # AD reverse mode: the reference.
    argnums = tuple(range(len(target.values)))
    gradient = grad(target.call, argnums=argnums)(*target.values)
    reference = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in gradient])
    rows = [ComparisonRow("AD reverse", "ad", None, "", reference, 0.0, 0.0, 1, "1 reverse sweep",
                          "reference")]

    # AD forward mode: one JVP per input direction.
    columns = []
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1.0
        _, tangent = jvp(target.call, tuple(target.values), tuple(target.split(e)))
        columns.append(float(tangent))
    forward = np.array(columns)
    rows.append(ComparisonRow("AD forward", "ad", None, "", forward, *_errors(forward, reference), n,
                              _plural(n, "forward sweep")))

    notes: list[str] = []
    unsafe = sorted({node.op for node in tape.nodes if node.op in NOT_COMPLEX_SAFE})
    complex_ok = not unsafe
    if complex_ok:
        try:
            r = fd.gradient(target.flat_call, target.x0, "complex")
        except TypeError:    # a function NumPy has for real numbers only (cbrt, logaddexp)
            complex_ok = False
            notes.append(f"complex step skipped: {_real_only(tape)}, so f cannot be evaluated at x + ih")
        else:
            estimate = np.ravel(r.value)
            shaky = _complex_step_changes_with_h(target, value, reference, estimate)
            if shaky:
                notes.append(shaky)
            rows.append(ComparisonRow("complex step", "complex", float(np.ravel(r.h)[0]), "1e-20",
                                      estimate, *_errors(estimate, reference), r.evaluations,
                                      _plural(r.evaluations, "complex f eval"),
                                      "changes with h: see the note" if shaky else ""))
    else:
        from adviz.expr import written_as

        used = ", ".join(dict.fromkeys(written_as(op) for op in unsafe))
        notes.append(f"complex step skipped: the expression uses {used}, which is not complex-analytic, "
                     "so Im f(x+ih)/h would not be the derivative")
    if not complex_ok:
        rows.append(ComparisonRow("complex step", "complex", None, "", None, float("nan"), float("nan"), 0,
                                  "–", "skipped: see the note"))

    with np.errstate(all="ignore"):
        for method, label, rule in (("forward", "forward difference", "√ε"),
                                    ("central", "central difference", "∛ε")):
            for h in (None, *other_steps):
                r = fd.gradient(target.flat_call, target.x0, method, h, exact_step=False)
                est = np.ravel(r.value)
                h_value = float(np.max(np.ravel(r.h)))
                rows.append(ComparisonRow(label, "fd", h_value, f"textbook {rule}" if h is None else f"{h:g}",
                                          est, *_errors(est, reference), r.evaluations,
                                          _plural(r.evaluations, "f eval")))
        r = fd.richardson(target.flat_call, target.x0)
        est = np.ravel(r.value)
        rows.append(ComparisonRow("Richardson", "fd", float(np.max(np.ravel(r.h))), "ε^(1/5), h/2",
                                  est, *_errors(est, reference), r.evaluations, _plural(r.evaluations, "f eval")))

    k = _component(target, wrt)
    sweep_result = None
    if sweep and not np.isfinite(reference[k]):
        notes.append(f"h sweep skipped: AD gives ∂f/∂{target.labels[k]} = {float(reference[k])!r} here, "
                     "so there is no finite derivative to measure the errors against")
    elif sweep and not np.isfinite(value):
        notes.append(f"h sweep skipped: f = {value!r} here, so the differences of f have no error curve to show")
    elif sweep:
        def along(t: Any, k: int = k) -> Any:
            point = target.x0.astype(np.result_type(target.x0, t))
            point[k] = t
            return target.flat_call(point)

        methods = ("forward", "central", "complex") if complex_ok else ("forward", "central")
        with np.errstate(all="ignore"):
            try:
                sweep_result = error_sweep(along, float(target.x0[k]), float(reference[k]), hs=hs, methods=methods,
                                           progress=progress)
            except ValueError as err:   # every difference is nan: f is undefined on both sides of x
                notes.append(f"h sweep skipped: {err}")
    cost_result = None
    if cost:
        if target.expression is not None:
            cost_result = measure_cost(target.expression, at=dict(zip(target.names, target.values)), timing=False)
        else:
            cost_result = measure_cost(target.call, *target.values, timing=False)
    return ComparisonReport(target.source, dict(zip(target.names, target.values)), value, target.labels, reference,
                            tuple(rows), target.labels[k], sweep_result, cost_result, tuple(notes))


def _real_only(tape: Any) -> str:
    """Which functions on the tape NumPy has for real numbers only, in the user's words:
    ``cbrt has no complex version in NumPy`` (a ufunc's ``types`` list no complex signature)."""
    from adviz.expr import written_as

    names = []
    for node in tape.nodes:
        function = getattr(np, node.op, None)
        if isinstance(function, np.ufunc) and not any("D" in t.split("->")[0] for t in function.types):
            names.append(written_as(node.op))
    names = list(dict.fromkeys(names))
    if not names:
        return "one of its functions takes real numbers only"
    return f"{' and '.join(names)} {'has' if len(names) == 1 else 'have'} no complex version in NumPy"


COMPLEX_CHECK_STEP = 1e-10
"""A second complex step, to see whether ``Im f(x+ih)/h`` depends on h (it does not where f is analytic)."""


def _complex_step_changes_with_h(target: _Target, value: float, reference: np.ndarray, estimate: np.ndarray) -> str:
    """The note for a complex step that is not a derivative, or "".

    Where f has no finite derivative (AD gives inf or nan: ``log`` or ``sqrt`` at 0, ``1/x`` at 0)
    or f itself is not finite (x outside the domain of a real function, where NumPy's complex
    version takes another branch), ``Im f(x+ih)/h`` is a finite number that measures h, not f:
    π/(2h) for ``log`` at 0. Evaluated again at h = 1e-10, it changes; the note shows both
    values and why. Where it does not change (AD's nan from 0·inf, with a complex step that has
    a limit) nothing is said: the row's error speaks for itself."""
    if np.isfinite(value) and np.all(np.isfinite(reference)):
        return ""
    with np.errstate(all="ignore"):
        try:
            again = np.ravel(fd.gradient(target.flat_call, target.x0, "complex", COMPLEX_CHECK_STEP).value)
        except (TypeError, ValueError, ArithmeticError):
            return ""
        for j in range(reference.size):
            a, b = float(estimate[j]), float(again[j])
            if a == b or (np.isfinite(a) and np.isfinite(b) and abs(a - b) <= 1e-6 * max(abs(a), abs(b))):
                continue
            name, ref = target.labels[j], float(reference[j])
            if not np.isfinite(ref):
                why = (f"AD gives ∂f/∂{name} = {ref!r}: the derivative is not finite, so f is not complex-analytic "
                       "at this point, and the difference quotients change with h for the same reason")
            else:
                why = (f"f = {value!r}: the point is outside the domain of a real function in f, where NumPy's "
                       "complex version of it takes another branch")
            return (f"complex step: Im f(x+ih)/h changes with h ({a!r} at h=1e-20, {b!r} at "   # h=…: one word
                    f"h={COMPLEX_CHECK_STEP:g}), so it is not a derivative here. {why}")
    return ""


def _component(target: _Target, wrt: str | None) -> int:
    """The index of the gradient entry ``wrt`` names (``x``, ``W[0,1]``); a message quotes what
    was typed, cut to 40 characters with an ellipsis (a 300-digit index is not echoed back)."""
    if wrt is None:
        return 0
    wrt = "".join(wrt.split())                    # W[0, 1] is W[0,1]
    if wrt in target.labels:
        return target.labels.index(wrt)
    shown = _short(wrt)
    if wrt in target.names:
        example = next(lab for lab in target.labels if lab.startswith(wrt + "["))
        raise ValueError(f"{shown} is an array; name one of its entries for the sweep, such as {example}")
    name = wrt.split("[", 1)[0]
    if name in target.names and wrt.endswith("]"):
        entries = [lab for lab in target.labels if lab.startswith(name + "[")]
        if entries:
            shape = target.shapes[target.names.index(name)]
            raise ValueError(f"{shown} is not an entry of {name}, whose shape is {shape}: "
                             f"{entries[0]} to {entries[-1]}")
        if name in target.labels:                 # x[5] for a number x
            raise ValueError(f"{shown}: {name} is a single number, not an array; write --wrt {name}")
    raise ValueError(f"{shown!r} is not a variable here (variables: {', '.join(target.names)})")


def _short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, its end replaced by an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
