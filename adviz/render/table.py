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
    """The rich style of a role (``"forward"``, ``"reverse-active"``, …) from the shared palette."""
    from .style import rich_style

    return rich_style(role)


def _table(title: Optional[str], ascii: bool, **kwargs: Any) -> "Table":
    from rich import box
    from rich.table import Table

    from rich.cells import cell_len

    return Table(title=title, box=_ascii_box() if ascii else box.SIMPLE_HEAVY, title_justify="left",
                 title_style="bold", pad_edge=False, safe_box=ascii,
                 min_width=cell_len(title) if title else None, **kwargs)


def _ascii_box() -> Any:
    from rich.box import Box

    return Box("    \n    \n -- \n    \n    \n -- \n    \n    \n", ascii=True)


def _num(table: "Table", header: str, **kwargs: Any) -> None:
    """A column of numbers (never cut: folded onto a second line if a console is very narrow)."""
    table.add_column(header, overflow="fold", **kwargs)


def _text(table: "Table", header: str, **kwargs: Any) -> None:
    """A column of formulas: wraps at spaces, folds long words, never cuts."""
    table.add_column(header, overflow="fold", **kwargs)


def _a(text: str, ascii: bool) -> str:
    """The ASCII spelling of a formula or title when ``ascii`` is set."""
    if not ascii:
        return text
    return notation.to_ascii(text).replace("→", "->").replace("—", "-").replace("∂", "d")


def _esc(text: str, style: str = "") -> Any:
    """A plain-text cell (the brackets in ``[1, 2]`` are not rich markup)."""
    from rich.text import Text

    return Text(text, style=style)


def _lines(*parts: tuple[str, str]) -> Any:
    """A multi-line cell from ``(text, style)`` pairs, one line each (empty texts skipped)."""
    from rich.text import Text

    cell = Text()
    for text, style in parts:
        if text:
            if cell:
                cell.append("\n")
            cell.append(text, style=style)
    return cell


def _fit(table: "Table", console: Any, options: Any) -> bool:
    """Choose column widths so that ``table`` fits ``options.max_width`` without breaking a word.

    Every column keeps at least the width of its longest word, so a number such as
    ``-0.5440211108893698`` is never split or cut; formulas wrap at their spaces. Returns
    False when even that is too wide (the caller then picks a narrower layout).
    """
    from rich.cells import cell_len
    from rich.measure import Measurement

    for column in table.columns:
        column.width = None
    natural, least = [], []
    for column in table.columns:
        texts = [str(column.header)] + [str(cell) for cell in column.cells]
        natural.append(max((cell_len(line) for t in texts for line in t.splitlines()), default=0))
        least.append(max((cell_len(word) for t in texts for word in t.split()), default=0))
    overhead = Measurement.get(console, options.update_width(10**6), table).maximum - sum(natural)
    available = options.max_width - overhead
    if sum(natural) <= available:
        return True
    if sum(least) > available:
        return False
    widths = list(natural)
    excess = sum(widths) - available
    while excess > 0:                      # take one column of width from the widest column that can give
        k = max(range(len(widths)), key=lambda i: widths[i] - least[i])
        widths[k] -= 1
        excess -= 1
    for column, width in zip(table.columns, widths):
        column.width = width
    return True


class _Responsive:
    """Show ``wide`` when it fits the console, else ``narrow`` (a layout with fewer columns).

    Rich asks a renderable for its lines given the available width; deciding there means
    the same object prints well in a 120-column terminal, an 80x24 classroom projector
    and a 60-column split pane. Numbers are never cut: see :func:`_fit`."""

    def __init__(self, wide: Any, narrow: Any = None) -> None:
        self.wide = wide
        self.narrow = narrow

    def __rich_console__(self, console: Any, options: Any) -> Any:
        if _fit(self.wide, console, options) or self.narrow is None:
            yield self.wide
        else:
            _fit(self.narrow, console, options)
            yield self.narrow

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.narrow if self.narrow is not None else self.wide)


# ---------------------------------------------------------------- the tape
def tape_table(trace: "Trace", *, ascii: bool = False, full: bool = False,
               title: Optional[str] = "Tape (Wengert list): one row per primitive") -> "Table":
    """The Wengert list: node, definition and value, inputs first, then ``y = <output>``.

    >>> import adviz as ad; from rich.console import Console
    >>> Console(width=60).print(tape_table(ad.trace("sin(x**2+1)", x=3.0), title=None))  # doctest: +SKIP
     node   definition   value
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
     x      input        3.0
     v1     x**2         9.0
     v2     v1 + 1       10.0
     v3     sin(v2)      -0.5440211108893698
     y      v3           -0.5440211108893698
    """
    table = _table(title, ascii)
    _text(table, "node")
    _text(table, "definition")
    _num(table, "value")
    for node in trace.nodes:
        style = _style("input") if node.is_input else ""
        table.add_row(_esc(node.name, style), _esc(_a(node.definition, ascii)), _esc(format_value(node.value, full)))
    for node in trace.outputs:
        table.add_row(_esc("y", _style("output")), _esc(node.name), _esc(format_value(node.value, full)))
    return _Responsive(table)


def _partial_name(trace: "Trace", term: Any, ascii: bool) -> str:
    """``∂v3/∂v2`` for a term (the node computed over the operand it depends on)."""
    out, wrt = (term.target, term.source) if term.mode == "forward" else (term.source, term.target)
    d = "d" if ascii else "∂"
    return f"{d}{trace.nodes[out].name}/{d}{trace.nodes[wrt].name}"


def _partial(term: Any, ascii: bool, full: bool) -> str:
    """``cos(v2) = -0.8390715290764524``; structural rules (sum, matmul, …) have no single
    elementwise partial: their update formula says what they do."""
    if term.partial_value is None:
        return "—" if not ascii else "-"
    return f"{_a(term.partial, ascii)} = {format_value(term.partial_value, full)}"


# ---------------------------------------------------------------- forward sweep
def forward_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None) -> Any:
    """The forward sweep, one row per chain-rule term, in tape order.

    Columns: node, definition, value, the tangent update (``v̇1 = (2*x)·ẋ``), the local
    partial (formula = value) and the node's tangent after the update. Inputs show their
    seed. A node reached by two terms (``v3 = v1 * v2``) gets two rows: ``=`` then ``+=``.
    In a narrow console the same rows are stacked into two columns.

    ``upto`` (used by ``adviz demo``) shows only the first ``upto`` terms and highlights
    the last one shown.
    """
    trace = sweep.trace
    if title is None:
        title = f"Forward sweep (tangents, inputs → output), seed {seed_text(sweep, ascii, full)}"
    title = _a(title, ascii)
    dot = lambda name: notation.dot(name, ascii)  # noqa: E731
    fwd, active = _style("forward"), _style("forward-active")

    wide = _table(title, ascii)
    _text(wide, "node")
    _text(wide, "definition")
    _num(wide, "value")
    _text(wide, "tangent update")
    _text(wide, "local partial")
    _num(wide, "tangent " + dot("v"))
    narrow = _table(title, ascii)
    _text(narrow, "node")
    _text(narrow, "forward step: update, local partial, tangent")

    for node in trace.inputs:
        seeded = node.name in sweep.seed
        tangent = format_value(sweep.seed.get(node.name), full)
        istyle = _style("input")
        update = f"{dot(node.name)} = seed" if seeded else f"{dot(node.name)} = 0 (not seeded)"
        wide.add_row(_esc(node.name, istyle), _esc("input"), _esc(format_value(node.value, full)),
                     _esc(update, fwd), _esc(""), _esc(tangent, fwd))
        narrow.add_row(_lines((f"{node.name} (input)", istyle), (format_value(node.value, full), "")),
                       _lines((f"{dot(node.name)} = {tangent} (seed)" if seeded else update, fwd)))

    steps = {s.node: s for s in sweep.steps}
    shown, total_terms = 0, sum(len(s.terms) for s in sweep.steps)
    for node in trace.nodes:
        if node.is_input:
            continue
        if upto is not None and shown >= upto:
            break
        terms = steps[node.index].terms if node.index in steps else ()
        value = format_value(node.value, full)
        definition = _a(node.definition, ascii)
        if not terms:
            pending = _style("pending")
            wide.add_row(_esc(node.name), _esc(definition), _esc(value), _esc(f"{dot(node.name)} = 0", pending),
                         _esc("no seeded input reaches it", pending), _esc("0", pending))
            narrow.add_row(_lines((f"{node.name} = {definition}", ""), (value, "")),
                           _lines((f"{dot(node.name)} = 0 (no seeded input reaches it)", pending)))
            continue
        for k, term in enumerate(terms):
            if upto is not None and shown >= upto:
                break
            shown += 1
            style = active if upto is not None and shown == upto else ""
            update, partial = _a(term.update(ascii), ascii), _partial(term, ascii, full)
            tangent = format_value(term.total, full)
            first = k == 0
            wide.add_row(_esc(node.name if first else ""), _esc(definition if first else ""),
                         _esc(value if first else ""), _esc(update, fwd), _esc(partial), _esc(tangent, fwd),
                         style=style)
            pname = _partial_name(trace, term, ascii)
            narrow.add_row(_lines((f"{node.name} = {definition}", ""), (value, "")) if first else _esc(""),
                           _lines((update, fwd),
                                  (f"{pname}: {partial}" if term.partial_value is not None else "", ""),
                                  (f"{dot(node.name)} = {tangent}", fwd)),
                           style=style)
    if upto is None or shown >= total_terms:
        ostyle = _style("output")
        for node in trace.outputs:
            tangent = format_value(sweep.value_of(node.index), full)
            value = format_value(node.value, full)
            wide.add_row(_esc("y", ostyle), _esc(node.name), _esc(value), _esc(f"{dot('y')} = {dot(node.name)}", fwd),
                         _esc(""), _esc(tangent, fwd))
            narrow.add_row(_lines((f"y = {node.name}", ostyle), (value, "")),
                           _lines((f"{dot('y')} = {dot(node.name)} = {tangent}", fwd)))
    return _Responsive(wide, narrow)


# ---------------------------------------------------------------- reverse sweep
def reverse_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None) -> Any:
    """The reverse sweep as the ordered list of adjoint updates it performed.

    Row 0 is the seed (``v̄3 = 1.0``); each later row is one term, ``v̄2 += v̄3·cos(v2)``,
    with the local partial (formula = value), the contribution it added and the adjoint
    of the updated node afterwards. The last update of each input is its gradient
    component. In a narrow console the same rows are stacked into two columns.
    """
    trace = sweep.trace
    if title is None:
        title = f"Reverse sweep (adjoints, output → inputs), seed {seed_text(sweep, ascii, full)}"
    title = _a(title, ascii)
    bar = lambda name: notation.bar(name, ascii)  # noqa: E731
    rev, active = _style("reverse"), _style("reverse-active")

    wide = _table(title, ascii)
    _text(wide, "#", justify="right")
    _text(wide, "adjoint update")
    _text(wide, "local partial")
    _num(wide, "contribution")
    _num(wide, "new adjoint")
    narrow = _table(title, ascii)
    _text(narrow, "#", justify="right")
    _text(narrow, "reverse step: update, local partial, contribution, adjoint")

    for name, value in sweep.seed.items():
        seed = f"{bar(name)} = {format_value(value, full)} (seed {bar('y')})"
        wide.add_row(_esc("0"), _esc(f"{bar(name)} = seed", rev), _esc(""), _esc(""),
                     _esc(format_value(value, full), rev))
        narrow.add_row(_esc("0"), _esc(seed, rev))
    shown = 0
    for step in sweep.steps:
        for term in step.terms:
            if upto is not None and shown >= upto:
                break
            shown += 1
            style = active if upto is not None and shown == upto else ""
            target = trace.nodes[term.target].name
            update, partial = _a(term.update(ascii), ascii), _partial(term, ascii, full)
            contribution, total = format_value(term.contribution, full), format_value(term.total, full)
            wide.add_row(_esc(str(shown)), _esc(update, rev), _esc(partial), _esc(contribution),
                         _esc(f"{bar(target)} = {total}", rev), style=style)
            pname = _partial_name(trace, term, ascii)
            narrow.add_row(_esc(str(shown)),
                           _lines((update, rev),
                                  (f"{pname}: {partial}" if term.partial_value is not None else "", ""),
                                  (f"adds {contribution}", ""),
                                  (f"{bar(target)} = {total}", rev)),
                           style=style)
    return _Responsive(wide, narrow)


# ---------------------------------------------------------------- summary
def summary_table(trace: "Trace", forward: Sequence["Sweep"] = (), reverse: Sequence["Sweep"] = (), *,
                  ascii: bool = False, full: bool = False, title: Optional[str] = "Result") -> "Table":
    """The value and every derivative the given sweeps produced, with their cost.

    One row per forward sweep (``ẏ`` for its seed: a directional derivative) and one
    row per input for each reverse sweep (``x̄ = ∂y/∂x``), each with the number of
    chain-rule terms (elementary derivative operations) the sweep evaluated.
    """
    table = _table(title, ascii)
    _text(table, "")
    _text(table, "quantity")
    _num(table, "value")
    _text(table, "cost")
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
    return _Responsive(table)


# ---------------------------------------------------------------- jacobian
def jacobian_table(rows: Sequence[str], columns: Sequence[str], matrix: Any, *, ascii: bool = False,
                   title: Optional[str] = None) -> "Table":
    """A Jacobian as a matrix: one row per output component, one column per input component.

    ``matrix`` is a 2-D array (``len(rows) × len(columns)``) that a sweep produced;
    ``rows`` and ``columns`` name the components (``y[0]``, ``x``, ``W[1,0]``).
    """
    m = np.asarray(matrix)
    table = _table(title, ascii)
    _text(table, "")
    for name in columns:
        _num(table, f"∂/∂{name}" if not ascii else f"d/d{name}", justify="right")
    for i, name in enumerate(rows):
        table.add_row(_esc(name), *[_esc(format_value(m[i, j])) for j in range(len(columns))])
    return _Responsive(table)


def component_names(name: str, shape: Iterable[int]) -> list[str]:
    """``x`` for a scalar, ``x[0], x[1]`` for a vector, ``W[0,1]`` for a matrix."""
    shape = tuple(shape)
    if not shape:
        return [name]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]
