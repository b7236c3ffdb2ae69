"""Terminal tables for a :class:`~adviz.engine.record.Trace` and its sweeps (drawn with rich).

These are the textbook tables of automatic differentiation, printed from the engine's
records. Each function *reads* a record and lays it out; none of them differentiates
anything. The numbers in a table are exactly the numbers the sweep computed.

* :func:`tape_table` — the Wengert list: ``v1 = x**2 = 9.0`` one row per node;
* :func:`forward_table` — the forward sweep: for each node its tangent update
  ``v̇1 = (2*x)·ẋ``, the local partial ``2*x = 6.0`` and the new tangent;
* :func:`reverse_table` — the reverse sweep: the adjoint updates ``v̄2 += v̄3·cos(v2)``
  in the order they ran, each with its local partial, contribution and new adjoint;
* :func:`summary_table` — the value and the derivatives each sweep produced;
* :func:`jacobian_table` — a Jacobian laid out as a matrix, outputs down, inputs across.

Colours follow :mod:`adviz.render.style`: blue for forward mode (tangents), orange for
reverse mode (adjoints). ``ascii=True`` swaps the Unicode notation (``v̇2``, ``v̄2``, ``·``)
for ``v2_dot``, ``v2_bar``, ``*`` and draws the boxes with ``+--+``.

rich is imported inside the functions, so importing this module costs nothing::

    >>> import adviz as ad
    >>> from rich.console import Console
    >>> t = ad.trace("sin(x**2 + 1)", x=3.0)
    >>> Console().print(forward_table(t.forward()))          # doctest: +SKIP
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

import numpy as np

from ..engine import notation

if TYPE_CHECKING:  # pragma: no cover
    from rich.table import Table

    from ..engine.record import Node, Sweep, Trace

__all__ = [
    "format_value",
    "input_text",
    "nonfinite_origins",
    "tape_table",
    "forward_table",
    "reverse_table",
    "summary_table",
    "jacobian_table",
    "seed_text",
]

SUMMARY_SIZE = 4
"""Arrays with at most this many elements are printed whole even without ``full``."""


# ---------------------------------------------------------------- numbers
def format_value(value: Any, full: bool = False) -> str:
    """A number as a person should see it: every digit Python would print, nothing hidden.

    Scalars print at ``repr`` precision (``-0.5440211108893698``; ``inf``, ``-inf``, ``nan``
    spelled out). Small arrays (at most :data:`SUMMARY_SIZE` elements) print whole; larger
    ones print as their shape and a short, rounded summary unless ``full`` is true.

    >>> format_value(np.sin(10.0))
    '-0.5440211108893698'
    >>> format_value(np.arange(3.0))
    '(3,) [0.0, 1.0, 2.0]'
    >>> format_value(np.arange(100.0))
    '(100,) [0.0, 1.0, …, 98.0, 99.0]'
    """
    if value is None:
        return "0"
    a = np.asarray(value)
    if a.ndim == 0:
        return _scalar(a[()])
    shape = "(" + ", ".join(str(n) for n in a.shape) + ("," if a.ndim == 1 else "") + ")"
    if a.size == 0:
        return f"{shape} []"
    if full or a.size <= SUMMARY_SIZE:
        body = np.array2string(a, separator=", ", threshold=sys.maxsize, floatmode="unique",
                               max_line_width=sys.maxsize, formatter=_FORMATTER)
    else:
        body = np.array2string(a, separator=", ", threshold=SUMMARY_SIZE, edgeitems=2, precision=4,
                               max_line_width=sys.maxsize)
        body = body.replace("...", "…")
    return f"{shape} {body}"


_FORMATTER = {"float_kind": lambda x: _scalar(x), "complex_kind": lambda x: _scalar(x)}


def _scalar(x: Any) -> str:
    """One scalar: NumPy's shortest round-trip text (``str(np.float64(0.1)) == '0.1'``)."""
    if isinstance(x, (np.bool_, bool)):
        return str(bool(x))
    if isinstance(x, (np.integer, int)):
        return str(int(x))
    if isinstance(x, (np.floating, float)):
        return str(np.float64(x)) if isinstance(x, float) else str(x)
    if isinstance(x, (np.complexfloating, complex)):
        return str(x)
    return str(x)


def input_text(values: dict, full: bool = False) -> str:
    """``"x = 3.0, y = 2.0"`` for the values a trace was recorded at."""
    return ", ".join(f"{k} = {format_value(v, full)}" for k, v in values.items())


def seed_text(sweep: "Sweep", ascii: bool = False, full: bool = False) -> str:
    """The seed of a sweep in its notation: ``ẋ = 1.0`` or ``v̄3 = 1.0``."""
    mark = notation.dot if sweep.mode == "forward" else notation.bar
    return ", ".join(f"{mark(k, ascii)} = {format_value(v, full)}" for k, v in sweep.seed.items())


# ---------------------------------------------------------------- non-finite values
def nonfinite_origins(trace: "Trace") -> list["Node"]:
    """Nodes whose value is ``nan`` or ``±inf`` although every operand is finite.

    These are the places where a computation *left* the real numbers (``log`` of a
    negative number, ``1/0``, an overflow); later nodes merely inherit the damage.
    """
    found = []
    for node in trace.nodes:
        if node.is_input or _finite(node.value):
            continue
        if all(_finite(o.value) for o in node.operands):
            found.append(node)
    return found


def _finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(value)))
    except TypeError:
        return True


# ---------------------------------------------------------------- shared pieces
def _style(role: str) -> str:
    try:
        from .style import rich_style
    except ImportError:  # pragma: no cover - style.py is part of the package
        return "bold"
    return rich_style(role)


def _table(title: Optional[str], ascii: bool, caption: Optional[str] = None, **kwargs: Any) -> "Table":
    from rich import box
    from rich.table import Table

    return Table(title=title, caption=caption, box=box.ASCII2 if ascii else box.SIMPLE_HEAVY,
                 title_justify="left", caption_justify="left", pad_edge=False,
                 safe_box=ascii, **kwargs)


def _num(table: "Table", header: str, **kwargs: Any) -> None:
    """A column of numbers: long numbers fold onto the next line instead of being cut."""
    table.add_column(header, overflow="fold", **kwargs)


def _text(table: "Table", header: str, **kwargs: Any) -> None:
    table.add_column(header, overflow="fold", **kwargs)


def _a(text: str, ascii: bool) -> str:
    return notation.to_ascii(text) if ascii else text


def _esc(text: str) -> "Any":
    """Plain text for a cell (square brackets in ``[1, 2]`` are not rich markup)."""
    from rich.text import Text

    return Text(text)


# ---------------------------------------------------------------- the tape
def tape_table(trace: "Trace", *, ascii: bool = False, full: bool = False,
               title: Optional[str] = "Tape (Wengert list): one row per primitive") -> "Table":
    """The Wengert list: node, definition and value, inputs first, then ``y = <output>``.

    >>> import adviz as ad; from rich.console import Console
    >>> Console(width=60).print(tape_table(ad.trace("sin(x**2+1)", x=3.0), title=None))  # doctest: +NORMALIZE_WHITESPACE
     node   definition   value
    ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
     x      input        3.0
     v1     x**2         9.0
     v2     v1 + 1       10.0
     v3     sin(v2)      -0.5440211108893698
     y      v3           -0.5440211108893698
    """
    table = _table(title, ascii)
    _text(table, "node", no_wrap=True)
    _text(table, "definition")
    _num(table, "value")
    for node in trace.nodes:
        style = _style("input") if node.is_input else None
        table.add_row(_esc(node.name), _esc(_a(node.definition, ascii)), _esc(format_value(node.value, full)),
                      style=style)
    for node in trace.outputs:
        table.add_row(_esc("y"), _esc(node.name), _esc(format_value(node.value, full)), style=_style("output"))
    return table


# ---------------------------------------------------------------- forward sweep
def forward_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None) -> "Table":
    """The forward sweep, one row per chain-rule term, in tape order.

    Columns: node, definition, value, the tangent update (``v̇1 = (2*x)·ẋ``), the local
    partial (formula = value) and the node's tangent after the update. Inputs show their
    seed. A node reached by two terms (``v3 = x1 * x2``) gets two rows: ``=`` then ``+=``.

    ``upto`` (used by ``adviz demo``) shows only the first ``upto`` terms and highlights
    the last one shown.
    """
    trace = sweep.trace
    if title is None:
        title = f"Forward sweep (tangents, inputs → output): seed {seed_text(sweep, ascii, full)}"
    table = _table(_a(title, ascii), ascii)
    dot = lambda name: notation.dot(name, ascii)  # noqa: E731
    _text(table, "node", no_wrap=True)
    _text(table, "definition")
    _num(table, "value")
    _text(table, "tangent update", style=_style("forward"))
    _num(table, "local partial")
    _num(table, _a("tangent " + dot("v"), ascii), style=_style("forward"))
    for node in trace.inputs:
        tangent = sweep.seed.get(node.name)
        table.add_row(_esc(node.name), _esc("input"), _esc(format_value(node.value, full)),
                      _esc(f"{dot(node.name)} = seed"), _esc(""), _esc(format_value(tangent, full)),
                      style=_style("input"))
    shown = 0
    steps = {s.node: s for s in sweep.steps}
    last = None
    for node in trace.nodes:
        if node.is_input:
            continue
        step = steps.get(node.index)
        terms = step.terms if step is not None else ()
        first_cells = [_esc(node.name), _esc(_a(node.definition, ascii)), _esc(format_value(node.value, full))]
        if not terms:
            if upto is not None and shown >= upto:
                break
            table.add_row(*first_cells, _esc(f"{dot(node.name)} = 0"), _esc("(no seeded input reaches it)"),
                          _esc("0"), style=_style("pending"))
            continue
        for k, term in enumerate(terms):
            if upto is not None and shown >= upto:
                break
            cells = first_cells if k == 0 else [_esc(""), _esc(""), _esc("")]
            table.add_row(*cells, _esc(term.update(ascii)), _esc(_partial(term, ascii, full)),
                          _esc(format_value(term.total, full)))
            shown += 1
            last = len(table.rows) - 1
    if upto is not None and last is not None:
        table.rows[last].style = _style("forward-active")
    if upto is None or shown >= sum(len(s.terms) for s in sweep.steps):
        for node in trace.outputs:
            table.add_row(_esc("y"), _esc(node.name), _esc(format_value(node.value, full)),
                          _esc(f"{dot('y')} = {dot(node.name)}"), _esc(""),
                          _esc(format_value(sweep.value_of(node.index), full)), style=_style("output"))
    return table


def _partial(term: Any, ascii: bool, full: bool) -> str:
    if term.partial_value is None:
        return f"{_a(term.partial, ascii)} (structural)" if term.partial else "(structural)"
    return f"{_a(term.partial, ascii)} = {format_value(term.partial_value, full)}"


# ---------------------------------------------------------------- reverse sweep
def reverse_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None) -> "Table":
    """The reverse sweep as the ordered list of adjoint updates it performed.

    Row 0 is the seed (``v̄3 = 1.0``); each later row is one term, ``v̄2 += v̄3·cos(v2)``,
    with the local partial (formula = value), the contribution it added and the
    adjoint of the updated node afterwards. The last row reached for each input is its
    gradient component.
    """
    trace = sweep.trace
    if title is None:
        title = f"Reverse sweep (adjoints, output → inputs): seed {seed_text(sweep, ascii, full)}"
    table = _table(_a(title, ascii), ascii)
    bar = lambda name: notation.bar(name, ascii)  # noqa: E731
    _text(table, "#", no_wrap=True, justify="right")
    _text(table, "adjoint update", style=_style("reverse"))
    _num(table, "local partial")
    _num(table, "contribution")
    _num(table, _a("adjoint " + bar("v") + " after", ascii), style=_style("reverse"))
    for name, value in sweep.seed.items():
        table.add_row(_esc("0"), _esc(f"{bar(name)} = seed ({bar('y')})"), _esc(""), _esc(""),
                      _esc(format_value(value, full)), style=_style("output"))
    shown = 0
    last = None
    for step in sweep.steps:
        for term in step.terms:
            if upto is not None and shown >= upto:
                break
            shown += 1
            table.add_row(_esc(str(shown)), _esc(term.update(ascii)), _esc(_partial(term, ascii, full)),
                          _esc(format_value(term.contribution, full)),
                          _esc(f"{bar(trace.nodes[term.target].name)} = {format_value(term.total, full)}"))
            last = len(table.rows) - 1
    if upto is not None and last is not None:
        table.rows[last].style = _style("reverse-active")
    return table


# ---------------------------------------------------------------- summary
def summary_table(trace: "Trace", forward: Sequence["Sweep"] = (), reverse: Sequence["Sweep"] = (), *,
                  ascii: bool = False, full: bool = False, title: Optional[str] = "Result") -> "Table":
    """The value and every derivative the given sweeps produced, with their cost.

    One row per forward sweep (``ẏ`` for its seed: a directional derivative) and one
    row per input for each reverse sweep (``x̄ = ∂y/∂x``), each with the number of
    chain-rule terms (elementary derivative operations) the sweep evaluated.
    """
    table = _table(title, ascii)
    _text(table, "", no_wrap=True)
    _text(table, "quantity")
    _num(table, "value")
    _text(table, "cost", no_wrap=False)
    for node in trace.outputs:
        table.add_row(_esc("value"), _esc(f"y = {node.name}"), _esc(format_value(node.value, full)), _esc(""),
                      style=_style("output"))
    for sweep in forward:
        label = _a(f"{notation.dot('y', ascii)} for {seed_text(sweep, ascii, full)}", ascii)
        table.add_row(_esc("forward"), _esc(label), _esc(format_value(sweep.result, full)),
                      _esc(f"1 sweep, {sweep.ops} terms"), style=_style("forward"))
    for sweep in reverse:
        seed = seed_text(sweep, ascii, full)
        for k, (name, value) in enumerate(sweep.result.items()):
            label = f"{notation.bar(name, ascii)} = ∂y/∂{name}"
            if len(trace.output.shape) > 0:
                label += f" for {seed}"
            table.add_row(_esc("reverse" if k == 0 else ""), _esc(_a(label, ascii)), _esc(format_value(value, full)),
                          _esc(f"1 sweep, {sweep.ops} terms" if k == 0 else ""), style=_style("reverse"))
    return table


# ---------------------------------------------------------------- jacobian
def jacobian_table(rows: Sequence[str], columns: Sequence[str], matrix: Any, *, ascii: bool = False,
                   title: Optional[str] = None) -> "Table":
    """A Jacobian as a matrix: one row per output component, one column per input component.

    ``matrix`` is a 2-D array (``len(rows) × len(columns)``) that a sweep produced;
    ``rows`` and ``columns`` name the components (``y[0]``, ``x``, ``W[1,0]``).
    """
    m = np.asarray(matrix)
    table = _table(title, ascii)
    _text(table, "", no_wrap=True)
    for name in columns:
        _num(table, f"∂/∂{name}" if not ascii else f"d/d{name}", justify="right")
    for i, name in enumerate(rows):
        table.add_row(_esc(name), *[_esc(format_value(m[i, j])) for j in range(len(columns))])
    return table


def component_names(name: str, shape: Iterable[int]) -> list[str]:
    """``x`` for a scalar, ``x[0], x[1]`` for a vector, ``W[0,1]`` for a matrix."""
    shape = tuple(shape)
    if not shape:
        return [name]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]
