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

import functools
import re
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

import numpy as np

from ..engine import notation as marks  # the dot, the bar and ASCII spellings

if TYPE_CHECKING:  # pragma: no cover
    from rich.table import Table

    from ..engine.record import Node, Sweep, Trace

__all__ = [
    "format_value",
    "input_text",
    "nonfinite_origins",
    "nonfinite_partials",
    "tape_table",
    "forward_table",
    "reverse_table",
    "jacobian_summary",
    "matrix_facts",
    "summary_table",
    "jacobian_table",
    "gradient_table",
    "sweep_count_table",
    "progress_table",
    "explain_term",
    "sweep_terms",
    "component_names",
    "seed_text",
    "output_name",
]

SUMMARY_SIZE = 4
"""Arrays with at most this many elements are printed whole even without ``full``."""


# ---------------------------------------------------------------- numbers
_ASCII_VALUES: "ContextVar[bool]" = ContextVar("adviz_ascii_values", default=False)
"""True while a table is built with ``ascii=True``: array summaries then write ``...`` (an ASCII
terminal would print ``…`` as ``?``, which reads as a value)."""


def _ascii_values(build: Callable[..., Any]) -> Callable[..., Any]:
    """Build a table with its values spelled for ``ascii=`` (see :data:`_ASCII_VALUES`)."""
    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _ASCII_VALUES.set(bool(kwargs.get("ascii", False)))
        try:
            return build(*args, **kwargs)
        finally:
            _ASCII_VALUES.reset(token)
    return wrapper


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
    >>> format_value(np.eye(2))
    '(2, 2) [[1.0, 0.0], [0.0, 1.0]]'
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
        body = np.array2string(a, separator=", ", threshold=SUMMARY_SIZE, edgeitems=2,
                               max_line_width=sys.maxsize, formatter=_SHORT_FORMATTER)
        body = body.replace("...", "..." if _ASCII_VALUES.get() else "…")
    return f"{shape} {' '.join(line.strip() for line in body.splitlines())}"   # one line; wraps at spaces


_FORMATTER = {"float_kind": lambda x: _scalar(x), "complex_kind": lambda x: _scalar(x)}


def _short(x: Any) -> str:
    """A scalar in a summary: whole if short, else 4 significant digits (the ``…`` marks a summary)."""
    text = _scalar(x)
    return text if len(text) <= 8 else f"{complex(x):.4g}" if isinstance(x, complex) else f"{float(x):.4g}"


_SHORT_FORMATTER = {"float_kind": lambda x: _short(x), "complex_kind": lambda x: _short(x)}


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


def output_name(trace: "Trace") -> str:
    """What tables call the output: ``y`` as in the textbooks, unless an input is named ``y``
    (then ``f``, or ``out``), so that a symbol such as ``ẏ`` never means two things."""
    taken = {getattr(n, "variable", None) or n.name for n in trace.inputs}
    return next(name for name in ("y", "f", "out", "output") if name not in taken)


@_ascii_values
def input_text(values: dict, full: bool = False, *, ascii: bool = False) -> str:
    """``"x = 3.0, y = 2.0"`` for the values a trace was recorded at (``ascii``: ``...`` in summaries)."""
    return ", ".join(f"{k} = {format_value(v, full)}" for k, v in values.items())


def seed_text(sweep: "Sweep", ascii: bool = False, full: bool = False, bridge: bool = False) -> str:
    """The seed of a sweep in its notation: ``ẋ = 1.0`` or ``v̄3 = 1.0``.

    A numbered input is named as its row is, one notation per view: ``v̇₋₁ = 1.0`` in
    Griewank's notation, never ``ẋ1`` in a title above rows that say ``v̇₋₁``.
    ``bridge=True`` adds the variable where a row ties the two names, as the survey's
    tables do: ``v̇₋₁ = ẋ1 = 1.0``.
    """
    mark = marks.dot if sweep.mode == "forward" else marks.bar

    def named(k: str) -> str:
        var = variable(sweep.trace, k)
        return f"{mark(k, ascii)} = {mark(var, ascii)}" if bridge and var != k else mark(k, ascii)

    return ", ".join(f"{named(k)} = {format_value(v, full)}" for k, v in sweep.seed.items())


def variable(trace: "Trace", name: str) -> str:
    """The variable a row stands for: an input's own name (``x1`` for ``v₋₁``), else ``name``."""
    return getattr(trace[name], "variable", None) or name


def named(trace: "Trace", notation_name: Optional[str], ascii: bool = False) -> "Trace":
    """``trace`` with its rows named in ``notation_name`` (None: as they are); see
    :meth:`Trace.in_notation <adviz.engine.record.Trace.in_notation>`."""
    return trace if notation_name is None else trace.in_notation(notation_name, ascii)


def named_sweep(sweep: "Sweep", notation_name: Optional[str], ascii: bool = False) -> "Sweep":
    """``sweep`` on its trace renamed in ``notation_name`` (None: as it is)."""
    return sweep if notation_name is None else sweep.in_notation(notation_name, ascii)


# ---------------------------------------------------------------- non-finite values
def nonfinite_origins(trace: "Trace") -> list["Node"]:
    """Nodes whose value is ``nan`` or ``±inf`` although every operand is finite.

    These are the places where a computation *left* the real numbers (``log`` of a
    negative number, ``1/0``, an overflow); later nodes merely inherit the damage.
    Constants are not nodes: ``inf * x`` (from ``9**9**9**9 * x``) is where ``inf`` first
    enters the tape, so it counts as an origin.
    """
    found = []
    for node in trace.nodes:
        if node.is_input or _finite(node.value):
            continue
        if all(_finite(o.value) for o in node.operands if o.node is not None):
            found.append(node)
    return found


def nonfinite_partials(sweep: "Sweep") -> list:
    """Terms whose local partial is ``nan``/``±inf`` at a node whose value is finite.

    ``sqrt(x)`` at ``x = 0`` is 0, but its slope ``0.5/sqrt(x)`` is infinite: the value
    looks harmless while every derivative through that node is not finite. One term per
    node is returned (the first one the sweep met).
    """
    found, seen = [], set()
    for step in sweep.steps:
        for term in step.terms:
            node = term.target if sweep.mode == "forward" else term.source
            if node in seen or term.partial_value is None or _finite(term.partial_value):
                continue
            if _finite(sweep.trace.nodes[node].value):
                seen.add(node)
                found.append(term)
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
    """An empty table in adviz's look. Its title is printed above it by :class:`_Responsive`,
    so a title wider than the table stays on one line instead of wrapping."""
    from rich import box
    from rich.table import Table

    table = Table(box=_ascii_box() if ascii else box.SIMPLE_HEAVY, pad_edge=False, collapse_padding=True,
                  safe_box=ascii, **kwargs)
    table.adviz_title = title  # type: ignore[attr-defined]
    return table


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
    return marks.to_ascii(text).replace("→", "->").replace("—", "-").replace("∂", "d")


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


class _Glued:
    """A cell whose lines may end in a *tail* that belongs to the value before it and must not
    start a line of its own: ``ẋ = (3,) [1.0, 1.0, 1.0] (seed)``, ``v̄3 = 1.0 (seed v̄3)``.

    Rich wraps a text at any whitespace, no-break spaces included, so where the whole line does
    not fit its column the tail could be left alone on the next line (``(seed)`` under the
    vector it marks). Drawn at the column's width, this cell instead moves the value's last
    word down with the tail (``ẋ = (3,) [1.0, 1.0,`` / ``1.0] (seed)``); everything else wraps
    as rich wraps it. ``str()`` is the plain text, which :func:`_fit` measures.
    """

    def __init__(self, text: Any, tails: Sequence[str]) -> None:
        self.text, self.tails = text, tuple(tails)

    def __str__(self) -> str:
        return self.text.plain

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.text)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield _keep_tails(self.text, self.tails, console, options.max_width)


def _keep_tails(text: Any, tails: Sequence[str], console: Any, width: int) -> Any:
    """``text`` with a line break before the last word ahead of a tail (see :class:`_Glued`) on
    each line where rich's wrapping at ``width`` would not leave room for the tail after it."""
    from rich.cells import cell_len
    from rich.text import Text

    out, offset = Text(), 0
    for k, line in enumerate(text.plain.split("\n")):
        piece = text[offset:offset + len(line)]
        offset += len(line) + 1
        tail = next((t for t in tails if line.endswith(" " + t)), None)
        if tail is not None and cell_len(line) > width:
            body = len(line) - len(tail) - 1
            last = piece[:body].wrap(console, width, no_wrap=False)[-1].plain.rstrip()
            cut = line.rfind(" ", 0, body)
            if cell_len(last) + 1 + cell_len(tail) > width and cut > 0:
                head, _, rest = piece.divide([cut, cut + 1])
                piece = Text("\n").join([head, rest])
        if k:
            out.append("\n")
        out.append_text(piece)
    return out


def _cell_text(cell: Any) -> Any:
    """A table cell as a rich Text (a copy, styles kept)."""
    from rich.text import Text

    if isinstance(cell, _Glued):
        return cell.text.copy()
    return cell.copy() if isinstance(cell, Text) else Text(str(cell))


def _fit(table: "Table", console: Any, options: Any, arrays: bool = True) -> bool:
    """Choose column widths so that ``table`` fits ``options.max_width`` without breaking a word.

    Every column keeps at least the width of its longest word, so a number such as
    ``-0.5440211108893698`` is never split or cut; formulas wrap at their spaces. Returns
    False when even that is too wide (the caller then picks a narrower layout).
    ``arrays=False`` lets an array value wrap between any two elements (see :func:`_least_width`).
    """
    from rich.cells import cell_len
    from rich.measure import Measurement

    natural, least = [], []
    for column in table.columns:
        header = column.header
        header = console.render_str(header, highlight=False) if isinstance(header, str) else header  # as rich reads it
        texts = [str(header)] + [str(cell) for cell in column.cells]
        natural.append(max((cell_len(line) for t in texts for line in t.splitlines()), default=0))
        least.append(natural[-1] if column.no_wrap else  # a short phrase read whole ("1 sweep, 3 terms")
                     max((_least_width(line, arrays) for t in texts for line in t.splitlines()), default=0))
    # Each column is fixed at its natural width: the width rich would measure (the longest line
    # of its cells, the same rule), so the borders and padding are what the table measures
    # beyond it. Rich measures every cell of a column whose width is not fixed, twice to measure
    # a table and once more to draw it: most of the cost of printing adviz's small tables.
    for column, width in zip(table.columns, natural):
        column.width = width
    overhead = Measurement.get(console, options.update_width(10**6), table).maximum - sum(natural)
    available = options.max_width - overhead
    if sum(natural) <= available:
        return True
    if sum(least) > available:
        for column in table.columns:
            column.width = None
        return False
    widths = list(natural)
    excess = sum(widths) - available
    # Squeeze the column with the most room first, all the way, before touching the next:
    # one column wrapping neatly ("cos(v2) =" over its value) reads better than several.
    for k in sorted(range(len(widths)), key=lambda i: natural[i] - least[i], reverse=True):
        take = min(excess, widths[k] - least[k])
        widths[k] -= take
        excess -= take
    for column, width in zip(table.columns, widths):
        column.width = width
    return True


ARRAY_LINE = 32
"""An array value keeps up to this many columns on one line (``(100,) [0.0, 1.0, …, 98.0, 99.0]``
is 32): a table narrower than that shows the stacked layout instead of one element per line."""

_ARRAY = re.compile(r"\(\d+(?:, \d+)*,?\) \[.*")     # ``(3,) [1.0, 2.0, 3.0]`` to the end of the line


def _least_width(line: str, arrays: bool = True) -> int:
    """The narrowest column that shows ``line`` well: its longest word (a number is never
    split), and for an array value its whole text up to :data:`ARRAY_LINE` columns, so that
    ``(3,) [1.0, 2.0, 3.0]`` stays on one line and a longer array breaks only between elements
    onto few lines, never one element per line."""
    from rich.cells import cell_len

    word = max((cell_len(w) for w in line.split()), default=0)
    array = _ARRAY.search(line) if arrays else None
    return max(word, min(cell_len(array.group()), ARRAY_LINE)) if array else word


def _break_title(title: str, width: int) -> str:
    """A title too wide for ``width`` broken at the ``, `` before its array value, so that
    ``seed ẋ = (3,) [1.0, 1.0, 1.0]`` starts a line whole instead of wrapping after ``(3,)``."""
    from rich.cells import cell_len

    array = _ARRAY.search(title)
    if cell_len(title) <= width or array is None:
        return title
    cut = title.rfind(", ", 0, array.start())
    return title if cut < 0 or cell_len(title[cut + 2:]) > width else f"{title[:cut + 1]}\n{title[cut + 2:]}"


def _as_list(table: "Table") -> Any:
    """The last resort for a terminal too narrow for any table (under about 30 columns): each
    cell on lines of its own under its row's and column's names, so that a number is never
    split across lines (a split number reads as another number)."""
    from rich.console import Group
    from rich.text import Text

    text = _cell_text
    columns = [list(column.cells) for column in table.columns]
    headers = [str(column.header).strip() for column in table.columns]
    lines: list[Any] = []
    for r in range(table.row_count):
        for c in range(1, len(columns)):
            cell = text(columns[c][r])
            if not cell.plain.strip():
                continue
            head = text(columns[0][r])
            if headers[c] and len(columns) > 2:          # one value column: the row's name says it
                head.append(f"  {headers[c]}", style="dim")
            lines += [head, Text("  ").append_text(cell)]
    return Group(*lines)


class Heading:
    """A command's first line, broken between its parts and never inside one while it fits:
    ``adviz trace  sum(x*x)`` / ``at x = (8,) [1.0, 2.0, …, 7.0, 8.0]``, or for ``compare``
    ``adviz compare  x1*exp(x2)`` / ``at x1=1.0, x2=1.0:`` / ``f = 2.718281828459045``. A
    name is never split from its value; a part wider than the terminal breaks between its
    items (``at x1=1.0,`` / ``x2=1.0:``), then at its spaces.  Printed bold, without markup."""

    def __init__(self, head: str, items: Sequence[str], tail: Optional[str] = None, *, end: str = ""):
        self.head, self.items, self.tail, self.end = head, list(items), tail, end

    def lines(self, width: int) -> list[str]:
        from rich.cells import cell_len

        at = "at " + ", ".join(self.items) + self.end
        if not self.items:
            parts = [self.head]
        elif cell_len(at) <= width:
            parts = [self.head, at]
        else:  # the values one per part: "at x1=1.0," then "x2=1.0:"
            last = len(self.items) - 1
            parts = [self.head] + [("at " if k == 0 else "") + x + ("," if k < last else self.end)
                                   for k, x in enumerate(self.items)]
        parts += [self.tail] if self.tail else []
        lines: list[str] = []
        for part in parts:
            sep = " " if lines and lines[-1].endswith(",") else "  "
            if lines and cell_len(lines[-1]) + len(sep) + cell_len(part) <= width:
                lines[-1] += sep + part
            else:
                lines.append(part)
        return lines

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        for line in self.lines(options.max_width):
            yield Text(line, style="bold")

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        whole = self.lines(10**6)
        words = [w for line in whole for w in line.split()]
        return Measurement(max((cell_len(w) for w in words), default=0),
                           max((cell_len(line) for line in whole), default=0))


@_ascii_values
def input_items(values: dict, full: bool = False, *, ascii: bool = False) -> list[str]:
    """``["x = 3.0", "y = 2.0"]``: the values a trace was recorded at, one item per variable."""
    return [f"{k} = {format_value(v, full)}" for k, v in values.items()]


def _wraps_array(table: "Table") -> bool:
    """Whether a line holding an array value is wider than its column (as :func:`_fit` set it)."""
    from rich.cells import cell_len

    for column in table.columns:
        if column.width is None:
            continue
        for cell in column.cells:
            if any(_ARRAY.search(line) and cell_len(line) > column.width for line in str(cell).splitlines()):
                return True
    return False


def _merged(table: "Table", width: Optional[int] = None) -> "Table":
    """``table`` with every column after the first stacked into one: each row's cells one
    under the other (``x (input)``, its value, then its update).  The narrowest table layout:
    the values get the whole width but for the first column, so an array that fits the
    terminal stays on one line instead of wrapping element by element in a narrow column."""
    from rich.table import Table
    from rich.text import Text

    first, rest = table.columns[0], table.columns[1:]
    merged = Table(box=table.box, pad_edge=False, collapse_padding=True, safe_box=table.safe_box)
    merged.adviz_title = getattr(table, "adviz_title", None)  # type: ignore[attr-defined]
    merged.add_column(first.header, justify=first.justify, overflow="fold")
    merged.add_column(", ".join(str(c.header).strip() for c in rest if str(c.header).strip()), overflow="fold")
    cells = [list(c.cells) for c in table.columns]
    for r, row in enumerate(table.rows):
        cell = Text()
        tails = [t for c in range(1, len(cells)) if isinstance(cells[c][r], _Glued) for t in cells[c][r].tails]
        for c in range(1, len(cells)):
            part = _cell_text(cells[c][r])
            if width is not None:
                part = _break_before_arrays(part, width)
            if part.plain.strip():
                if cell:
                    cell.append("\n")
                cell.append_text(part)
        merged.add_row(cells[0][r], _Glued(cell, tails) if tails else cell, style=row.style)
    return merged


def _break_before_arrays(text: Any, width: int) -> Any:
    """``text`` with a line break before an array value (``∂v1/∂x: cos(x) =`` / ``(8,) […]``)
    on each line too wide for ``width`` whose array alone fits: the array then reads whole."""
    from rich.cells import cell_len
    from rich.text import Text

    out, offset = Text(), 0
    for k, line in enumerate(text.plain.split("\n")):
        piece = text[offset:offset + len(line)]
        offset += len(line) + 1
        match = _ARRAY.search(line)
        if match and match.start() > 0 and cell_len(line) > width and cell_len(match.group()) <= width:
            head, tail = piece.divide([match.start()])
            head.rstrip()
            piece = Text("\n").join([head, tail])
        if k:
            out.append("\n")
        out.append_text(piece)
    return out


class _Responsive:
    """Show ``wide`` when it fits the console, else ``narrow`` (a layout with fewer columns).

    Rich asks a renderable for its lines given the available width; deciding there means
    the same object prints well in a 120-column terminal, an 80x24 classroom projector
    and a 60-column split pane. Numbers are never cut: see :func:`_fit`."""

    def __init__(self, wide: Any, narrow: Any = None) -> None:
        self.wide = wide
        self.narrow = narrow

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        table = self.wide
        fits = _fit(self.wide, console, options)
        if not fits and self.narrow is not None:
            table, fits = self._narrow(console, options)
        title = getattr(table, "adviz_title", None)
        if title:
            yield Text(_break_title(title, options.max_width), style="bold", overflow="fold")
        yield table if fits else _as_list(table)

    def _narrow(self, console: Any, options: Any) -> tuple[Any, bool]:
        """The stacked layout, or the same rows with everything after the first column stacked
        into one (:func:`_merged`): the first of them that shows every array line whole, else
        the first that keeps arrays on one line up to :data:`ARRAY_LINE` columns, else the
        merged one with arrays wrapped between their elements (never one element per line)."""
        narrow = self.narrow
        candidates = [narrow] + ([_merged(narrow)] if len(narrow.columns) > 2 else [])
        for table in candidates:
            if _fit(table, console, options) and not _wraps_array(table):
                return table, True
        if len(candidates) > 1 and _fit(candidates[1], console, options):  # arrays on lines of their own
            width = candidates[1].columns[1].width
            candidates[1] = _merged(narrow, width)
            if _fit(candidates[1], console, options) and not _wraps_array(candidates[1]):
                return candidates[1], True
        for table in candidates:
            if _fit(table, console, options):
                return table, True
        return candidates[-1], _fit(candidates[-1], console, options, arrays=False)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.narrow if self.narrow is not None else self.wide)

    def render(self, width: int = 100, color: bool = False) -> tuple[str, str]:
        """``(text, html)`` of the table at ``width`` columns (for notebooks and the REPL)."""
        import io

        from rich.console import Console

        console = Console(file=io.StringIO(), record=True, width=width, force_terminal=color,
                          color_system="truecolor" if color else None, force_jupyter=False)
        console.print(self)
        text = "\n".join(line.rstrip() for line in console.export_text(clear=False).splitlines())
        html = console.export_html(inline_styles=True, code_format="<pre style=\"font-family: monospace; "
                                   "line-height: 1.25\">{code}</pre>")
        return text, html

    def __repr__(self) -> str:
        return self.render()[0]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        """Jupyter shows the table itself (coloured HTML), not an object address."""
        text, _ = self.render()
        _, html = self.render(color=True)
        return {"text/plain": text, "text/html": html}


# ---------------------------------------------------------------- the tape
_TAPE_TITLE = "Tape (Wengert list): one row per primitive"

@_ascii_values
def tape_table(trace: "Trace", *, ascii: bool = False, full: bool = False,
               title: Optional[str] = "Tape (Wengert list): one row per primitive",  # = _TAPE_TITLE
               upto: Optional[int] = None, notation: Optional[str] = None) -> Any:
    """The Wengert list: node, definition and value, inputs first, then ``y = <output>``.

    ``upto`` (used by ``adviz demo``) shows the inputs and the first ``upto`` primitives,
    highlighting the last one.

    >>> import adviz as ad; from rich.console import Console
    >>> Console(width=60).print(tape_table(ad.trace("sin(x**2+1)", x=3.0), title=None))  # doctest: +SKIP
     node   definition   value
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
     x      input        3.0
     v1     x**2         9.0
     v2     v1 + 1       10.0
     v3     sin(v2)      -0.5440211108893698
     y      v3           -0.5440211108893698

    ``notation`` (``"adviz"``, ``"inputs-first"``, ``"griewank"``) names the rows as that
    textbook does (default: as the trace names them), e.g. ``v₋₁  x1  3.0`` in Griewank's.
    """
    trace = named(trace, notation, ascii)
    if title == _TAPE_TITLE and getattr(trace, "call", None):  # a traced function: say which
        title = f"Tape of {trace.call} (Wengert list): one row per primitive"
    table = _table(title, ascii)
    _text(table, "node")
    _text(table, "definition")
    _num(table, "value")
    shown = 0
    pending = _style("pending")
    for node in trace.nodes:
        if not node.is_input:
            shown += 1
        if upto is not None and shown > upto:     # not recorded yet: shown greyed, value hidden
            table.add_row(_esc(node.name, pending), _esc(_a(node.definition, ascii), pending), _esc("…" if not ascii
                                                                                                  else "...", pending))
            continue
        style = _style("input") if node.is_input else ""
        active = _style("forward-active") if upto is not None and shown == upto and not node.is_input else ""
        table.add_row(_esc(node.name, style), _esc(_a(node.definition, ascii)), _esc(format_value(node.value, full)),
                      style=active)
    for node in trace.outputs:
        done = upto is None or shown <= upto
        table.add_row(_esc(output_name(trace), _style("output") if done else pending),
                      _esc(node.name, "" if done else pending),
                      _esc(format_value(node.value, full) if done else "…" if not ascii else "...",
                           "" if done else pending))
    return _Responsive(table, _merged(table))  # narrow: each definition over its value


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
    return f"{_a(marks.signed(term.partial), ascii)} = {format_value(term.partial_value, full)}"


# ---------------------------------------------------------------- forward sweep
@_ascii_values
def forward_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None, notation: Optional[str] = None) -> Any:
    """The forward sweep, one row per chain-rule term, in tape order.

    Columns: node, definition, value, the tangent update (``v̇1 = (2*x)·ẋ``), the local
    partial (formula = value) and the node's tangent after the update. Inputs show their
    seed. A node reached by two terms (``v3 = v1 * v2``) gets two rows: ``=`` then ``+=``.
    In a narrow console the same rows are stacked into two columns.

    ``upto`` (used by ``adviz demo``) shows only the first ``upto`` terms and highlights
    the last one shown.  ``notation`` names the rows (see :func:`tape_table`).
    """
    sweep = named_sweep(sweep, notation, ascii)
    trace = sweep.trace
    if title is None:
        title = f"Forward sweep (tangents, inputs → output), seed {seed_text(sweep, ascii, full)}"
    title = _a(title, ascii)
    dot = lambda name: marks.dot(name, ascii)  # noqa: E731
    fwd, active = _style("forward"), _style("forward-active")
    y = output_name(trace)

    wide = _table(title, ascii)
    _text(wide, "#", justify="right")
    _text(wide, "node")
    _text(wide, "definition")
    _num(wide, "value")
    _text(wide, "tangent update")
    _text(wide, "local partial")
    _num(wide, "tangent " + dot("v"))
    narrow = _table(title, ascii)
    _text(narrow, "#", justify="right")
    _text(narrow, "node")
    _text(narrow, "update, local partial, new tangent")

    for node in trace.inputs:
        seeded = node.name in sweep.seed
        tangent = format_value(sweep.seed.get(node.name), full)
        istyle = _style("input")
        start = f"{dot(node.name)} = {dot(node.variable)}" if node.variable else dot(node.name)  # v̇₋₁ = ẋ1
        update = f"{start} = seed" if seeded else f"{start} = 0 (not seeded)"
        wide.add_row(_esc("0" if seeded else ""), _esc(node.name, istyle), _esc(node.definition),
                     _esc(format_value(node.value, full)),
                     _esc(update, fwd), _esc(""), _esc(tangent, fwd))
        head = f"{node.name} = {node.variable}" if node.variable else f"{node.name} (input)"
        narrow.add_row(_esc("0" if seeded else ""), _lines((head, istyle), (format_value(node.value, full), "")),
                       _Glued(_lines((f"{start} = {tangent} (seed)" if seeded else update, fwd)), ["(seed)"]))

    steps = {s.node: s for s in sweep.steps}
    shown, total_terms = 0, sum(len(s.terms) for s in sweep.steps)
    for node in trace.nodes:
        if node.is_input:
            continue
        if upto is not None and shown >= upto:
            break
        terms = steps[node.index].terms if node.index in steps else ()
        k = steps[node.index].index + 1 if node.index in steps else None
        value = format_value(node.value, full)
        definition = _a(node.definition, ascii)
        if not terms:
            pending = _style("pending")
            wide.add_row(_esc(str(k) if k else ""), _esc(node.name), _esc(definition), _esc(value),
                         _esc(f"{dot(node.name)} = 0", pending),
                         _esc("no seeded input reaches it", pending), _esc("0", pending))
            narrow.add_row(_esc(str(k) if k else ""), _lines((f"{node.name} = {definition}", ""), (value, "")),
                           _lines((f"{dot(node.name)} = 0 (no seeded input reaches it)", pending)))
            continue
        for j, term in enumerate(terms):
            if upto is not None and shown >= upto:
                break
            shown += 1
            style = active if upto is not None and shown == upto else ""
            update, partial = _a(term.update(ascii), ascii), _partial(term, ascii, full)
            tangent = format_value(term.total, full)
            first = j == 0
            label = sweep.step_label(k, j + 1)  # the numbering every view shares
            wide.add_row(_esc(label), _esc(node.name if first else ""), _esc(definition if first else ""),
                         _esc(value if first else ""), _esc(update, fwd), _esc(partial), _esc(tangent, fwd),
                         style=style)
            pname = _partial_name(trace, term, ascii)
            narrow.add_row(_esc(label), _lines((f"{node.name} = {definition}", ""), (value, "")) if first else _esc(""),
                           _lines((update, fwd),
                                  (f"{pname}: {partial}" if term.partial_value is not None else "", ""),
                                  (f"{dot(node.name)} = {tangent}", fwd)),
                           style=style)
    if upto is None or shown >= total_terms:
        ostyle = _style("output")
        for node in trace.outputs:
            tangent = format_value(sweep.value_of(node.index), full)
            value = format_value(node.value, full)
            wide.add_row(_esc(""), _esc(y, ostyle), _esc(node.name), _esc(value), _esc(f"{dot(y)} = {dot(node.name)}", fwd),
                         _esc(""), _esc(tangent, fwd))
            narrow.add_row(_esc(""), _lines((f"{y} = {node.name}", ostyle), (value, "")),
                           _lines((f"{dot(y)} = {dot(node.name)} = {tangent}", fwd)))
    return _Responsive(wide, narrow)


# ---------------------------------------------------------------- reverse sweep
@_ascii_values
def reverse_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                  title: Optional[str] = None, upto: Optional[int] = None, notation: Optional[str] = None) -> Any:
    """The reverse sweep as the ordered list of adjoint updates it performed.

    Row 0 is the seed (``v̄3 = 1.0``); each later row is one term, ``v̄2 += v̄3·cos(v2)``,
    numbered as in every view: step ``k`` is one node sending its adjoint back (a step of
    the graph and the player), its terms are ``k.1, k.2, …`` when it has several; with
    the local partial (formula = value), the contribution it added and the adjoint
    of the updated node afterwards. The last update of each input is its gradient
    component. In a narrow console the same rows are stacked into two columns.

    ``notation`` names the rows (see :func:`tape_table`); when it numbers the inputs
    (``v₋₁`` for ``x1``), closing rows read the gradient off them: ``x̄1 = v̄₋₁``.
    """
    sweep = named_sweep(sweep, notation, ascii)
    trace = sweep.trace
    if title is None:
        title = f"Reverse sweep (adjoints, output → inputs), seed {seed_text(sweep, ascii, full)}"
    title = _a(title, ascii)
    bar = lambda name: marks.bar(name, ascii)  # noqa: E731
    rev, active = _style("reverse"), _style("reverse-active")

    wide = _table(title, ascii)
    _text(wide, "#", justify="right")
    _text(wide, "adjoint update")
    _text(wide, "local partial")
    _num(wide, "contribution")
    _num(wide, "new adjoint")
    narrow = _table(title, ascii)
    _text(narrow, "#", justify="right")
    _text(narrow, "update, local partial, contribution, new adjoint")

    for name, value in sweep.seed.items():
        tail = f"(seed {bar(output_name(trace))})"
        seed = f"{bar(name)} = {format_value(value, full)} {tail}"
        wide.add_row(_esc("0"), _esc(f"{bar(name)} = seed", rev), _esc(""), _esc(""),
                     _esc(format_value(value, full), rev))
        narrow.add_row(_esc("0"), _Glued(_esc(seed, rev), [tail]))
    shown = 0
    for k, j, term in _with_recomputes(sweep):
        if upto is not None and shown >= upto:
            break
        if j is None:  # an ad.checkpoint block's value computed again (term is the Step)
            _recompute_row(wide, narrow, trace, sweep.step_label(k), term, ascii, full)
            continue
        shown += 1
        label = sweep.step_label(k, j)  # the numbering every view shares: step k, its terms k.1, k.2
        style = active if upto is not None and shown == upto else ""
        target = trace.nodes[term.target].name
        update, partial = _a(term.update(ascii), ascii), _partial(term, ascii, full)
        contribution, total = format_value(term.contribution, full), format_value(term.total, full)
        wide.add_row(_esc(label), _esc(update, rev), _esc(partial), _esc(contribution),
                     _esc(f"{bar(target)} = {total}", rev), style=style)
        pname = _partial_name(trace, term, ascii)
        narrow.add_row(_esc(label),
                       _lines((update, rev),
                              (f"{pname}: {partial}" if term.partial_value is not None else "", ""),
                              (f"adds {contribution}", ""),
                              (f"{bar(target)} = {total}", rev)),
                       style=style)
    if upto is None or shown >= len(sweep_terms(sweep)):
        for node in trace.inputs:
            if node.variable:  # a numbered input: its adjoint is the variable's gradient component
                value = format_value(sweep.value_of(node.index), full)
                wide.add_row(_esc(""), _esc(f"{bar(node.variable)} = {bar(node.name)}", rev), _esc(""), _esc(""),
                             _esc(value, rev))
                narrow.add_row(_esc(""), _esc(f"{bar(node.variable)} = {bar(node.name)} = {value}", rev))
    return _Responsive(wide, narrow)


def _with_recomputes(sweep: "Sweep"):
    """``(k, j, term)`` for every term as :meth:`Sweep.numbered_terms`, and ``(k, None, step)``
    for the steps that recompute a checkpointed value (``ad.checkpoint``: they have no terms)."""
    for step in sweep.steps:
        if getattr(step, "kind", "") == "recompute":
            yield step.index + 1, None, step
            continue
        for j, term in enumerate(step.terms, start=1):
            yield step.index + 1, j, term


def _recompute_row(wide: Any, narrow: Any, trace: "Trace", label: str, step: Any, ascii: bool, full: bool) -> None:
    """``recompute v2 = v1 * x`` with the value computed again: the forward pass did not keep it."""
    node = trace.nodes[step.node]
    text = _a(f"recompute {node.name} = {node.definition}", ascii)
    block = trace.checkpoints[node.checkpoint].name if node.checkpoint is not None else ""
    note = f"(checkpoint {block}: not kept)" if block else "(not kept)"
    value = format_value(step.value, full)
    wide.add_row(_esc(label), _esc(text, "dim"), _esc(note, "dim"), _esc(""), _esc(f"{node.name} = {value}", "dim"))
    narrow.add_row(_esc(label), _lines((text, "dim"), (note, "dim"), (f"{node.name} = {value}", "dim")))


# ---------------------------------------------------------------- one step at a time (adviz demo)
def sweep_terms(sweep: "Sweep") -> list:
    """The terms of a sweep in the order they ran (what ``adviz demo`` reveals one by one)."""
    return [term for step in sweep.steps for term in step.terms]


@_ascii_values
def progress_table(sweep: "Sweep", upto: int, *, ascii: bool = False, full: bool = False,
                   max_rows: int = 12) -> Any:
    """A compact view of the first ``upto`` terms of a sweep, the last one highlighted.

    Four columns (node = definition, value, update, new tangent/adjoint) so that it fits an
    80-column projector; only the last ``max_rows`` rows are kept, with a note of how many
    scrolled away.
    """
    trace = sweep.trace
    forward = sweep.mode == "forward"
    mark = marks.dot if forward else marks.bar
    colour, active = _style(sweep.mode), _style(f"{sweep.mode}-active")
    rows = []
    if forward:
        for node in trace.inputs:
            label = "seed" if node.name in sweep.seed else "0 (not seeded)"
            head = f"{node.name} = {node.variable}" if node.variable else f"{node.name} (input)"  # v₋₁ = x1
            rows.append((head, format_value(node.value, full), f"{mark(node.name, ascii)} = {label}",
                         format_value(sweep.seed.get(node.name), full)))
    else:
        for name, value in sweep.seed.items():
            rows.append((f"{name} = {_a(trace[name].definition, ascii)}", format_value(trace[name].value, full),
                         f"{mark(name, ascii)} = seed", format_value(value, full)))
    first_term_row = len(rows)
    terms = sweep_terms(sweep)
    for term in terms:
        node = trace.nodes[term.target]
        left = f"{node.name} = {_a(node.definition, ascii)}" if not node.is_input else f"{node.name} (input)"
        rows.append((left, format_value(node.value, full), _a(term.update(ascii), ascii),
                     format_value(term.total, full)))
    current = first_term_row + upto - 1 if upto else None          # row of the term just performed
    last_visible = current if current is not None else first_term_row - 1
    hidden = max(0, min(len(rows) - max_rows, last_visible + 1 - max_rows // 2)) if len(rows) > max_rows else 0
    header = "tangent " + mark("v", ascii) if forward else "adjoint " + mark("v", ascii)
    table = _table(None, ascii)
    _text(table, "node")
    _num(table, "value")
    _text(table, "update")
    _num(table, header)
    if hidden:
        table.add_row(_esc(f"… {hidden} earlier rows" if not ascii else f"... {hidden} earlier rows",
                           _style("pending")), _esc(""), _esc(""), _esc(""))
    pending = _style("pending")
    for k, (left, value, update, total) in enumerate(rows[hidden:hidden + max_rows], start=hidden):
        if k > last_visible:            # not performed yet: formula greyed, number hidden
            table.add_row(_esc(left, pending), _esc(value, pending), _esc(update, pending),
                          _esc("…" if not ascii else "...", pending))
            continue
        table.add_row(_esc(left), _esc(value), _esc(update, colour), _esc(total, colour),
                      style=active if k == current else "")
    if hidden + max_rows < len(rows):
        more = len(rows) - hidden - max_rows
        table.add_row(_esc(f"… {more} more rows" if not ascii else f"... {more} more rows", pending),
                      _esc(""), _esc(""), _esc(""))
    return _Responsive(table)


@_ascii_values
def explain_term(sweep: "Sweep", term: Any, *, ascii: bool = False, full: bool = False) -> str:
    """One sentence about one chain-rule term, with the numbers the sweep recorded::

        v̇3 = cos(v2)·v̇2: the local partial ∂v3/∂v2 = cos(v2) = -0.839… times the
        tangent of v2 gives v̇3 = -5.034429174458714.
    """
    trace = sweep.trace
    src, tgt = trace.nodes[term.source].name, trace.nodes[term.target].name
    update = _a(term.update(ascii), ascii)
    mark = marks.dot if sweep.mode == "forward" else marks.bar
    if sweep.mode == "forward":     # a node's tangent is final once computed: read it from the sweep
        incoming = sweep.value_of(term.source)
    else:                           # the adjoint the step was propagating when it made this term
        incoming = next(s.value for s in sweep.steps if any(x is term for x in s.terms))
    incoming_text = f"{mark(src, ascii)} = {format_value(incoming, full)}"
    total = f"{mark(tgt, ascii)} = {format_value(term.total, full)}"
    if term.partial_value is None:
        what = "tangent" if sweep.mode == "forward" else "adjoint"
        return _a(f"{update}: a structural rule (no single elementwise partial) moves the {what} "
                  f"{incoming_text}; now {total}.", ascii)
    partial = f"{_partial_name(trace, term, ascii)} = {_partial(term, ascii, full)}"
    contribution = format_value(term.contribution, full)
    if sweep.mode == "forward":
        action = "gives" if term.first else f"adds {contribution}, so now"
        text = f"{update}: the local partial {partial} times {incoming_text} {action} {total}."
    else:
        text = (f"{update}: {incoming_text} times the local partial {partial} adds {contribution} "
                f"to {mark(tgt, ascii)}; now {total}.")
    return _a(text, ascii)


# ---------------------------------------------------------------- summary
@_ascii_values
def summary_table(trace: "Trace", forward: Sequence["Sweep"] = (), reverse: Sequence["Sweep"] = (), *,
                  ascii: bool = False, full: bool = False, title: Optional[str] = "Result",
                  notation: Optional[str] = None) -> Any:
    """The value and every derivative the given sweeps produced, with their cost.

    One row per forward sweep (``ẏ`` for its seed: a directional derivative) and one
    row per input for each reverse sweep (``x̄ = ∂y/∂x``), each with the number of
    chain-rule terms (elementary derivative operations) the sweep evaluated.
    ``notation`` names the rows (see :func:`tape_table`).
    """
    trace = named(trace, notation, ascii)
    forward = [named_sweep(s, notation, ascii) for s in forward]
    reverse = [named_sweep(s, notation, ascii) for s in reverse]
    table = _table(title, ascii)
    _text(table, "")
    _text(table, "quantity")
    _num(table, "value")
    _text(table, "cost", no_wrap=True)
    # a narrow console: each row's quantity over its value and cost, in one column
    narrow = _table(title, ascii)
    _text(narrow, "")
    _text(narrow, "quantity, value, cost")

    def add(kind: str, label: str, value: str, cost: str, role: str, narrow_cost: Optional[str] = None) -> None:
        table.add_row(_esc(kind), _esc(label), _esc(value), _esc(cost), style=_style(role))
        narrow.add_row(_esc(kind), _lines((label, ""), (value, ""), (cost if narrow_cost is None else narrow_cost, "")),
                       style=_style(role))

    for node in trace.outputs:
        add("value", f"{output_name(trace)} = {node.name}", format_value(node.value, full), "", "output")
    for sweep in forward:
        label = _a(f"{marks.dot(output_name(trace), ascii)} for {seed_text(sweep, ascii, full, bridge=True)}", ascii)
        add("forward", label, format_value(sweep.result, full), _cost(sweep), "forward")
    for sweep in reverse:
        seed = seed_text(sweep, ascii, full)
        for k, (name, value) in enumerate(sweep.result.items()):
            var = variable(sweep.trace, name)  # x1, also when the row is numbered v₋₁
            label = (f"{marks.bar(var, ascii)} = {marks.bar(name, ascii)} = ∂{output_name(trace)}/∂{var}"
                     if var != name else f"{marks.bar(name, ascii)} = ∂{output_name(trace)}/∂{name}")
            if len(trace.output.shape) > 0:
                label += f" for {seed}"
            last = k == len(sweep.result) - 1  # stacked, the sweep's cost closes its rows
            add("reverse" if k == 0 else "", _a(label, ascii), format_value(value, full),
                _cost(sweep) if k == 0 else "", "reverse", narrow_cost=_cost(sweep) if last else "")
    return _Responsive(table, narrow)


@_ascii_values
def gradient_table(sweep: "Sweep", *, ascii: bool = False, full: bool = False,
                   title: Optional[str] = None) -> Any:
    """The value and the gradient a reverse sweep produced: ``y``, then ``∂y/∂x`` per input."""
    trace = sweep.trace
    table = _table(title, ascii)
    _text(table, "")
    _num(table, "value")
    table.add_row(_esc(output_name(trace), _style("output")), _esc(format_value(trace.output.value, full)))
    for name, g in sweep.result.items():
        table.add_row(_esc(_a(f"∂{output_name(trace)}/∂{name}", ascii)), _esc(format_value(g, full), _style("reverse")))
    return _Responsive(table)


def sweep_count_table(sweeps: dict, terms: dict, *, ascii: bool = False,
                      title: Optional[str] = "Sweeps needed for the whole Jacobian") -> Any:
    """How many sweeps each mode needs (``sweeps``: mode → count) and, for the modes that
    ran, how many chain-rule terms they evaluated (``terms``: mode → count)."""
    table = _table(title, ascii)
    for header in ("mode", "sweeps", "one sweep per", "chain-rule terms"):
        _text(table, header)
    per = {"forward": "input component (fills a column)", "reverse": "output component (fills a row)"}
    for mode, count in sweeps.items():
        ran = mode in terms
        table.add_row(_esc(mode), _esc(str(count)), _esc(per[mode]), _esc(str(terms[mode]) if ran else "(not run)"),
                      style=_style(mode) if ran else _style("pending"))
    return _Responsive(table)


def _cost(sweep: "Sweep") -> str:
    return f"1 sweep, {sweep.ops} term{'s' if sweep.ops != 1 else ''}"


# ---------------------------------------------------------------- jacobian
@_ascii_values
def jacobian_table(rows: Sequence[str], columns: Sequence[str], matrix: Any, *, ascii: bool = False,
                   title: Optional[str] = None) -> Any:
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


@_ascii_values
def jacobian_summary(rows: Sequence[str], columns: Sequence[str], matrix: Any, *, ascii: bool = False,
                     title: Optional[str] = None, corner: int = 3) -> Any:
    """A big Jacobian in brief: its corners (the first and last ``corner`` rows and columns,
    ``…`` for what lies between); :func:`matrix_facts` says the rest in one line.

    Every number shown is an entry of ``matrix``, at full precision.
    """
    m = np.asarray(matrix)
    row_idx = _corners(len(rows), corner)
    dots = "..." if ascii else "…"

    def corners(ncols: int) -> Any:
        col_idx = _corners(len(columns), ncols)
        table = _table(f"{title}: corners" if title else None, ascii)
        _text(table, "")
        for j in col_idx:
            _num(table, dots if j is None else (f"∂/∂{columns[j]}" if not ascii else f"d/d{columns[j]}"),
                 justify="right")
        for i in row_idx:
            if i is None:
                table.add_row(_esc(dots), *[_esc(dots) for _ in col_idx])
                continue
            table.add_row(_esc(rows[i]), *[_esc(dots if j is None else format_value(m[i, j])) for j in col_idx])
        return table

    # a narrower terminal: the first and last column only, rather than a list of cells
    wide = corners(corner - 1 if corner > 1 else 1)
    return _Responsive(wide, corners(1) if corner > 2 else None)


def matrix_facts(matrix: Any) -> str:
    """Size, nonzeros, largest entry and Frobenius norm of a matrix, in one line."""
    m = np.asarray(matrix)
    finite = m[np.isfinite(m)]
    facts = (f"{m.shape[0]:,} x {m.shape[1]:,} = {m.size:,} entries, {int(np.count_nonzero(m)):,} nonzero; "
             f"largest |entry| {format_value(np.max(np.abs(finite)) if finite.size else np.nan)}; "
             f"Frobenius norm {format_value(np.linalg.norm(finite))}")
    if finite.size < m.size:
        facts += f"; {m.size - finite.size:,} entries are inf or nan"
    return facts


def _corners(count: int, k: int) -> list:
    """``[0, 1, …, k-1, None, count-k, …, count-1]``, or every index when there are few."""
    if count <= 2 * k + 1:
        return list(range(count))
    return [*range(k), None, *range(count - k, count)]


def component_names(name: str, shape: Iterable[int]) -> list[str]:
    """``x`` for a scalar, ``x[0], x[1]`` for a vector, ``W[0,1]`` for a matrix."""
    shape = tuple(shape)
    if not shape:
        return [name]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]
