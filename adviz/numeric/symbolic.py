"""Expression swell: symbolic derivatives against the tape that AD records.

A computer-algebra system differentiates a *formula*: it applies the product, quotient and
chain rules to an expression tree and returns another tree. Nothing in a tree is shared, so
every time a rule copies a sub-expression (the product rule ``(uv)' = u'v + uv'`` copies u and
v; the chain rule copies the inner function into the outer derivative) the result grows. For
compositions the growth is quadratic, and for products of products it is exponential: the
*expression swell* that makes symbolic derivatives of deep programs unusable.

AD differentiates the *program*. The tape (Wengert list) stores every intermediate value once,
and a reverse sweep visits each tape entry once, so its cost grows like the program itself.
Common-subexpression elimination (``sympy.cse``) gives the symbolic result back its sharing:
it is the step that turns symbolic differentiation into something AD-like.

This module measures all of it on families of growing compositions:

``product``   x·sin(x)·sin(2x)·…·sin((d-1)x): the product rule gives d terms of d factors.
``softplus``  d soft-ReLU layers  l ← log(1 + exp(w·l + b)): the chain rule repeats each layer.
``logistic``  the logistic map  l ← 4·l·(1 - l), d times: l appears twice in every layer, so
              the tree doubles per layer and the product rule doubles it again.
``user``      your own one-variable expression nested into itself d times.

For each depth it reports the operation count (``sympy.count_ops``) of the function and of its
derivative, the derivative's count after ``sympy.cse``, and, measured with the adviz engine,
the tape length (primitive applications) and the operations of one reverse sweep.

sympy is imported lazily, and user text is never handed to ``sympify`` (which calls ``eval``):
it goes through adviz's own parser, ``adviz.parse(text).to_sympy()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FAMILIES", "FAMILY_TITLES", "SwellReport", "SwellRow", "family_function", "swell", "swell_of_expression"]

FAMILIES: tuple[str, ...] = ("product", "softplus", "logistic")
"""Built-in families of growing compositions; ``swell_of_expression`` adds your own."""

FAMILY_TITLES: dict[str, str] = {
    "product": "product  x·sin(x)·sin(2x)·…",
    "softplus": "softplus layers  l ← log(1+exp(w·l+b))",
    "logistic": "logistic map  l ← 4·l·(1−l)",
}

_SOFTPLUS_WEIGHTS = (0.5, -0.25)  # numeric (w, b) of every layer on the tape; sympy keeps symbols


def _build(family: str, depth: int, ops: Any, x: Any, symbolic: bool) -> Any:
    """One recipe, two interpreters: ``ops`` is numpy (traced by AD) or sympy (differentiated).

    Writing each family once and running it with either module guarantees that the tape and
    the formula describe the same computation.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    if family == "product":
        value = x
        for k in range(1, depth):
            value = value * ops.sin(k * x)
        return value
    if family == "softplus":
        value = x
        for k in range(1, depth + 1):
            # Symbols for the weights keep sympy from simplifying exp(log(u)) = u, which would
            # fold the whole network into one layer; a real network's weights are variables too.
            w, b = ops.symbols(f"w{k} b{k}") if symbolic else _SOFTPLUS_WEIGHTS
            value = ops.log(1 + ops.exp(w * value + b))
        return value
    if family == "logistic":
        value = x
        for _ in range(depth):
            value = 4 * value * (1 - value)
        return value
    raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")


def family_function(family: str, depth: int) -> Callable[[Any], Any]:
    """The family member of the given depth as a NumPy function of x (what AD traces)."""
    import numpy as np

    _build(family, depth, np, 0.5, False)  # validates family and depth now, not at call time
    return lambda x: _build(family, depth, np, x, False)


def _family_sympy(family: str, depth: int) -> tuple[Any, Any]:
    import sympy

    x = sympy.Symbol("x")
    return _build(family, depth, sympy, x, True), x


@dataclass(frozen=True)
class SwellRow:
    """Sizes at one depth. Counts are operations (``sympy.count_ops``) or tape entries.

    function_ops:       the function's expression tree
    derivative_ops:     d/dx of it, as sympy returns it (a tree: nothing shared)
    derivative_cse_ops: the derivative after common-subexpression elimination (shared parts
                        counted once, including the definitions of the shared parts)
    tape_primitives:    primitive applications on the AD tape of the function
    reverse_ops:        elementary derivative operations of one reverse sweep (the gradient)
    """

    depth: int
    expression: str
    function_ops: int
    derivative_ops: int
    derivative_cse_ops: int
    tape_primitives: int | None
    reverse_ops: int | None

    @property
    def swell(self) -> float:
        """How many times larger the symbolic derivative is than the AD gradient sweep."""
        tape = (self.tape_primitives or 0) + (self.reverse_ops or 0)
        return self.derivative_ops / tape if tape else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("depth", "expression", "function_ops", "derivative_ops",
                                              "derivative_cse_ops", "tape_primitives", "reverse_ops")}


@dataclass(frozen=True)
class SwellReport:
    """One family's rows, depth by depth (``title`` describes the family for plots and tables)."""

    family: str
    rows: tuple[SwellRow, ...]
    title: str = ""

    @property
    def depths(self) -> list[int]:
        return [r.depth for r in self.rows]

    def column(self, name: str) -> list[Any]:
        """All rows' values of one field, e.g. ``report.column("derivative_ops")``."""
        return [getattr(r, name) for r in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "title": self.title, "rows": [r.to_dict() for r in self.rows]}

    def __str__(self) -> str:
        """``print(report)`` draws the table (as ``rich.print`` does), not the dataclass."""
        from adviz.render.plain import plain_text

        return plain_text(self)

    def __rich__(self) -> Any:  # a rich Table when printed with rich
        from rich.table import Table

        table = Table(title=f"Expression swell: {self.title or self.family}", title_justify="left")
        for head in ("depth", "f (ops)", "f′ symbolic", "f′ after CSE", "tape (f)", "reverse sweep"):
            table.add_column(head, justify="right")
        for r in self.rows:
            table.add_row(str(r.depth), str(r.function_ops), str(r.derivative_ops), str(r.derivative_cse_ops),
                          "–" if r.tape_primitives is None else str(r.tape_primitives),
                          "–" if r.reverse_ops is None else str(r.reverse_ops))
        return table


def _sizes(build: Callable[[], tuple[Any, Any]], what: str) -> tuple[str, int, int, int]:
    """The formula ``build()`` makes (shortened text), and the operation counts of it, of its
    derivative, and of the derivative after CSE. All of it runs within the SymPy time budget
    (:mod:`adviz.budget`): a derivative that swells past it stops with
    :class:`~adviz.budget.BudgetExceeded` instead of hanging, and one nested too deeply for
    SymPy's recursive tree walks stops with :class:`~adviz.budget.TooDeep`."""
    import sympy

    from ..budget import SYMPY_SECONDS, time_budget

    with time_budget(SYMPY_SECONDS, what):
        expr, x = build()
        return (_short(str(expr)), *_sizes_unbounded(sympy, expr, x))


def _sizes_unbounded(sympy: Any, expr: Any, x: Any) -> tuple[int, int, int]:
    deriv = sympy.diff(expr, x)
    replacements, reduced = sympy.cse(deriv)
    shared = sum(sympy.count_ops(rhs) for _, rhs in replacements) + sum(sympy.count_ops(e) for e in reduced)
    return int(sympy.count_ops(expr)), int(sympy.count_ops(deriv)), int(shared)


def _tape_sizes(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int | None, int | None]:
    """(tape length, reverse-sweep operations) from the adviz engine; (None, None) without it."""
    try:
        from adviz import trace
    except ImportError:
        return None, None
    tape = trace(fn, *args, **kwargs)
    return int(tape.primitive_count), int(tape.reverse().ops)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def swell(family: str, depths: Sequence[int] = range(1, 7), *, tape: bool = True) -> SwellReport:
    """Measure symbolic vs tape sizes for one built-in family at each depth.

    ``tape=False`` skips the AD columns (they need the engine).

    >>> r = swell("product", [2, 4], tape=False)
    >>> r.column("derivative_ops")
    [4, 36]
    """
    rows = []
    for depth in depths:
        text, f_ops, d_ops, cse_ops = _sizes(lambda: _family_sympy(family, depth),
                                             f"the symbolic derivative of {family} at depth {depth}")
        primitives, reverse = _tape_sizes(family_function(family, depth), 0.3) if tape else (None, None)
        rows.append(SwellRow(depth, text, f_ops, d_ops, cse_ops, primitives, reverse))
    return SwellReport(family, tuple(rows), FAMILY_TITLES[family])


def swell_of_expression(
    text: str,
    depths: Sequence[int] = range(1, 5),
    *,
    variable: str | None = None,
    at: dict[str, float] | None = None,
    tape: bool = True,
) -> SwellReport:
    """Swell of a user expression nested into itself: f, f(f(x)), f(f(f(x))), …

    text:     an adviz expression such as ``"sin(x)*x"`` (parsed safely, never eval'd).
    variable: the variable to nest through and differentiate by (default: the only one).
    at:       values of all variables for the tape (default 0.5 each).
    """
    import sympy

    from adviz import parse

    expression = parse(text)
    names = tuple(expression.variables)
    if variable is None:
        if len(names) != 1:
            raise ValueError(f"{text!r} has variables {', '.join(names) or 'none'}; say which one with variable=")
        variable = names[0]
    if variable not in names:
        raise ValueError(f"{variable!r} is not a variable of {text!r} (it has {', '.join(names)})")
    values = {name: 0.5 for name in names} | dict(at or {})
    base = expression.to_sympy()
    # the parser's symbol may carry assumptions (real=True, …): find it by name
    symbol = next((s for s in base.free_symbols if s.name == variable), sympy.Symbol(variable))
    others = {n: v for n, v in values.items() if n != variable}

    def nested(depth: int) -> Callable[[Any], Any]:
        def fn(x: Any) -> Any:
            value = x
            for _ in range(depth):
                value = expression(**others, **{variable: value})
            return value

        return fn

    rows = []
    for depth in depths:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        def build(depth: int = depth) -> tuple[Any, Any]:
            expr = symbol
            for _ in range(depth):
                expr = base.xreplace({symbol: expr})
            return expr, symbol

        row_text, f_ops, d_ops, cse_ops = _sizes(build, f"the symbolic derivative of {_short(text, 40)!r} "
                                                        f"nested {depth} deep")
        primitives, reverse = _tape_sizes(nested(depth), values[variable]) if tape else (None, None)
        rows.append(SwellRow(depth, row_text, f_ops, d_ops, cse_ops, primitives, reverse))
    return SwellReport(text, tuple(rows), f"{text}  nested into itself (through {variable})")
