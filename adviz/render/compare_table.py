"""The terminal view of a :class:`~adviz.numeric.compare.ComparisonReport` (drawn with rich).

One table, one row per way of computing the derivative: AD (reverse, forward), the complex
step, then forward and central differences at the textbook step and at other steps, each with
its value, its error against AD reverse mode, the correct digits and the cost. Under it, what
the h sweep found (best steps against the textbook ones, the fitted slopes) and the cost of the
whole gradient counted on the tape. The renderer only lays out numbers the report holds.

rich is imported when a table is drawn, not when this module is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.numeric.compare import digits
from adviz.render.style import rich_style

if TYPE_CHECKING:  # pragma: no cover
    from adviz.numeric.compare import ComparisonReport

__all__ = ["comparison_renderable", "comparison_table", "error_style", "sweep_summary"]

_ASCII = str.maketrans({"∂": "d", "√": "sqrt ", "∛": "cbrt ", "ε": "eps", "·": "*", "≈": "~", "≤": "<=", "–": "-",
                        "…": "...", "→": "->"})


def _a(text: str, ascii: bool) -> str:
    return text.translate(_ASCII) if ascii else text


def error_style(rel_error: float) -> str:
    """Green at machine precision, yellow for a usable approximation, red when it is poor."""
    if not np.isfinite(rel_error):
        return "dim"
    if rel_error < 1e-13:
        return "bold green"
    if rel_error < 1e-6:
        return "yellow"
    return "bold red"


def _value_text(value: Any, k: int) -> str:
    """Entry k of a gradient at full precision (``repr``), or a dash when there is none."""
    return "–" if value is None else repr(float(np.ravel(value)[k]))


def _err_text(x: float) -> str:
    if not np.isfinite(x):
        return "–"
    return "0" if x == 0 else f"{x:.1e}"


_SHORT_METHOD = {"forward difference": "forward diff.", "central difference": "central diff."}


def comparison_table(report: ComparisonReport, *, ascii: bool = False, width: int | None = None,
                     layout: str | None = None) -> Any:
    """The main table: method, h, value, absolute and relative error, digits, cost, note.

    The value column shows the gradient entry :attr:`~ComparisonReport.wrt`, and the error
    columns that entry's own error. Four layouts, so that every number prints whole:
    ``"wide"`` (all columns), ``"compact"`` (no absolute error, digits or note column, but a
    warning such as "changes with h: see the note" under the cost; shorter method names), ``"stacked"`` (two lines per method, for terminals narrower than about 80
    columns) and ``"list"`` (no columns at all, under about 36). ``layout`` picks one; by
    default the widest that fits ``width`` is used.
    """
    if layout is None:
        if width is None:
            layout = "wide"
        else:
            from rich.console import Console

            console = Console(width=100_000, file=_NullFile(), color_system=None)   # natural widths
            layout = "list"
            for candidate in ("wide", "compact"):
                table = comparison_table(report, ascii=ascii, layout=candidate)
                if console.measure(table).maximum <= width:
                    return table
            stacked = _stacked_table(report, ascii)
            if console.measure(stacked).minimum <= width:        # its values are never wrapped: they fit
                return stacked
    if layout == "list":
        return _list_view(report, ascii)
    return _stacked_table(report, ascii) if layout == "stacked" else _wide_table(report, ascii, layout == "compact")


class _NullFile:
    """A file that swallows what is written (measuring needs a console, not output)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _title(report: ComparisonReport, ascii: bool) -> str:
    at = ", ".join(f"{k}={np.asarray(v).tolist()}" for k, v in report.at.items())
    return _a(f"adviz compare  {report.expression}  at {at}:  f = {report.value!r}", ascii)


class _Detail:
    """``rel err 2.5e-09 · 3 f evals`` on one line where it fits, else the error over its cost
    (``rel err 2.5e-09 ·`` / ``3 f evals``), rather than a line broken inside the cost."""

    def __init__(self, error: Any, cost: str, ascii: bool):
        self.error, self.cost, self.sep = error, cost, " * " if ascii else " · "

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.text import Text

        line = self.error.copy()
        line.append(self.sep + self.cost)
        if cell_len(line.plain) <= options.max_width:
            yield line
            return
        first = self.error.copy()
        first.append(self.sep.rstrip())
        yield first
        yield Text(self.cost)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        whole = cell_len(self.error.plain + self.sep + self.cost)
        return Measurement(min(whole, max(cell_len(self.error.plain) + 2, cell_len(self.cost))), whole)


def _Title(report: ComparisonReport, ascii: bool) -> Any:
    """The title, broken between its parts (see :class:`adviz.render.table.Heading`)."""
    from .table import Heading

    items = [_a(f"{k}={np.asarray(v).tolist()}", ascii) for k, v in report.at.items()]
    return Heading(_a(f"adviz compare  {report.expression}", ascii), items, _a(f"f = {report.value!r}", ascii),
                   end=":")


def _captions(report: ComparisonReport, compact: bool) -> list[str]:
    captions = ["textbook steps: h = √ε·max(1,|x|) one-sided, ∛ε·max(1,|x|) central"
                + (" (marked *)" if compact else "")]
    if len(report.labels) > 1:
        captions.append(f"errors: of ∂f/∂{report.wrt}, the entry shown (--json also gives the largest over all "
                        f"{len(report.labels)} entries); cost: for the whole gradient")
    return captions


def _row_texts(report: ComparisonReport, row: Any, compact: bool, ascii: bool = False) -> dict:
    """The cells of one row as strings (and the style of its error cells); with ``ascii``, the
    dash of a missing number is ``-``, as everywhere in ASCII output."""
    k = report.labels.index(report.wrt)
    plain = row.h is not None and row.h_label == f"{row.h:g}"  # a step given as a number
    h_text = "" if row.h is None else f"{row.h:g}" if plain else f"{row.h:.1e}"
    note = row.note or ("" if plain else row.h_label)
    reference = row.method == "AD reverse"
    abs_error, rel_error = report.entry_error(row)
    cost = row.cost.replace("forward sweep", "fwd sweep").replace("reverse sweep", "rev sweep") if compact else row.cost
    cells = {
        "method": _SHORT_METHOD.get(row.method, row.method) if compact else row.method,
        "h": h_text + ("*" if compact and note.startswith("textbook") else ""),
        "value": _value_text(row.value, k),
        "abs": "(reference)" if reference else _err_text(abs_error),
        "rel": "" if reference else _err_text(rel_error),
        "digits": "–" if row.value is None or np.isnan(rel_error) else f"{digits(rel_error):.1f}",
        "cost": cost,
        "note": note,
        # what the narrow layouts (no note column) must still say: "changes with h: see the note"
        "warning": row.note if "see the note" in (row.note or "") else "",
        "style": "bold green" if reference else error_style(rel_error),
        "method_style": {"AD reverse": rich_style("reverse"), "AD forward": rich_style("forward")}.get(row.method, ""),
    }
    for key in ("value", "abs", "rel", "digits"):
        cells[key] = _a(cells[key], ascii)
    return cells


def _wide_table(report: ComparisonReport, ascii: bool, compact: bool) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=_title(report, ascii), title_justify="left", title_style="bold",
                  box=box.ASCII2 if ascii else box.SIMPLE_HEAVY, safe_box=ascii, pad_edge=False)
    table.add_column("method", no_wrap=True)
    table.add_column("h", no_wrap=True)
    table.add_column(_a(f"∂f/∂{report.wrt}", ascii), justify="right", no_wrap=True)
    if not compact:
        table.add_column("abs error", justify="right", no_wrap=True)
    table.add_column("rel err" if compact else "rel error", justify="right", no_wrap=True)
    if not compact:
        table.add_column("digits", justify="right", no_wrap=True)
    table.add_column("cost", no_wrap=True)
    if not compact:
        table.add_column("note", overflow="fold", style="dim")
    previous = None
    for row in report.rows:
        if previous is not None and row.method != previous and not compact:
            table.add_section()
        previous = row.method
        c = _row_texts(report, row, compact, ascii)
        cells = [Text(c["method"], style=c["method_style"]), Text(_a(c["h"], ascii)), Text(c["value"])]
        if not compact:
            cells.append(Text(c["abs"], style=c["style"]))
        cells.append(Text(c["rel"], style=c["style"]))
        if not compact:
            cells.append(Text(c["digits"], style=c["style"]))
        cost_cell = Text(_a(c["cost"], ascii))
        if compact and c["warning"]:
            cost_cell.append("\n" + _a(c["warning"], ascii), style="yellow")
        cells.append(cost_cell)
        if not compact:
            cells.append(Text(_a(c["note"], ascii)))
        table.add_row(*cells)
    table.caption = _a("\n".join(_captions(report, compact)), ascii)
    table.caption_justify = "left"
    return table


def _stacked_table(report: ComparisonReport, ascii: bool) -> Any:
    """Two columns, two lines per method: ``method`` over ``h = …``; the value over its error
    and cost. The value sits alone on its line, so it is never cut or wrapped."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.ASCII2 if ascii else box.SIMPLE_HEAVY, safe_box=ascii, pad_edge=False)
    table.add_column("method, h")
    table.add_column(_a(f"∂f/∂{report.wrt}; rel err, cost", ascii), min_width=19)
    for row in report.rows:
        c = _row_texts(report, row, True, ascii)
        left = Text(c["method"], style=c["method_style"])
        if c["h"]:
            left.append(_a(f"\nh = {c['h']}", ascii))
        error = Text(c["abs"] if not c["rel"] else f"rel err {c['rel']}", style=c["style"])
        right = [Text(c["value"], no_wrap=True), _Detail(error, _a(c["cost"], ascii), ascii)]
        if c["warning"]:
            right.append(Text(_a(c["warning"], ascii), style="yellow"))
        table.add_row(left, Group(*right))
    table.caption = _a("\n".join(_captions(report, True)), ascii)
    table.caption_justify = "left"
    # the title above the table, not as its title: rich wraps a title to the table's own width,
    # which in a narrow terminal can exceed the terminal's and lose a word
    return Group(_Title(report, ascii), table)


def _list_view(report: ComparisonReport, ascii: bool) -> Any:
    """For terminals too narrow even for two columns (under about 36): one method after another,
    the method and h on one line, the value alone on the next (never cut), then its error and
    cost, which may wrap."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [_Title(report, ascii),
                        Text(_a(f"∂f/∂{report.wrt}; rel err, cost", ascii), style="bold")]
    for row in report.rows:
        c = _row_texts(report, row, True, ascii)
        head = Text(c["method"], style=c["method_style"])
        if c["h"]:
            head.append(_a(f"  h = {c['h']}", ascii))
        detail = Text("  ")
        detail.append(c["abs"] if not c["rel"] else f"rel err {c['rel']}", style=c["style"])
        detail.append(_a(f" · {c['cost']}", ascii))
        parts += [head, Text("  " + c["value"], no_wrap=True), detail]
        if c["warning"]:
            parts.append(Text("  " + _a(c["warning"], ascii), style="yellow"))
    parts.append(Text(_a("\n".join(_captions(report, True)), ascii), style="dim"))
    return Group(*parts)


def sweep_summary(report: ComparisonReport, *, ascii: bool = False) -> Any:
    """What the h sweep measured, in a few lines (None without a sweep).

    One row per method, its name in a column of its own: in a narrow terminal the text wraps
    under itself (``(textbook √ε·max(1,|x|) =`` / ``4.5e-08), …``), never back to the margin.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    s = report.sweep
    if s is None:
        return None
    head = Text(_a(f"h sweep along {report.wrt}: {s.hs.size} steps from {s.hs[0]:.0e} to {s.hs[-1]:.0e}", ascii),
                style="bold")
    rows = Table.grid(padding=(0, 2))
    rows.add_column(no_wrap=True)
    rows.add_column()
    rules = {"forward": "√ε·max(1,|x|)", "central": "∛ε·max(1,|x|)"}
    for name in ("forward", "central"):
        c = s.curves.get(name)
        if c is None:
            continue
        rel = c.best_error / abs(s.exact) if s.exact else c.best_error
        if np.isfinite(c.truncation_slope):
            slopes = f"fitted slopes: truncation {c.truncation_slope:.2f}, round-off {c.roundoff_slope:.2f}"
        elif rel > 1e-3:   # abs(x) at 0: the error stays at 1 for every h
            slopes = (f"no truncation error to fit: the error does not fall as h shrinks, so these differences do "
                      f"not approach AD's value (f has a kink or a jump at {report.wrt}; what AD gives there is "
                      f"a convention: docs/conventions.md); round-off slope {c.roundoff_slope:.2f}")
        else:
            slopes = (f"no truncation error to fit (the differences are exact but for round-off, as for a "
                      f"low-degree polynomial in {report.wrt}); round-off slope {c.roundoff_slope:.2f}")
        error = f"relative error there ≈ {rel:.0e}" if s.exact else \
            f"absolute error there ≈ {c.best_error if c.best_error > 1e-300 else 0.0:.0e} (AD gives 0 here)"
        rows.add_row(f"  {name}", _a(f"best h ≈ {c.best_h:.1e}  (textbook {rules[name]} = {c.textbook_h:.1e}), "
                                     f"{error}\n{slopes}", ascii))
    if "complex" in s.curves:
        floor = s.complex_floor()
        rows.add_row("  complex", _a(f"relative error ≤ {floor:.1e} for every small h: no subtraction, no cancellation",
                                     ascii))
    return Group(head, rows, Text(""))


def comparison_renderable(report: ComparisonReport, *, ascii: bool = False, cost: bool = True) -> Any:
    """Table, notes, sweep summary and cost table as one rich renderable."""
    return _ComparisonView(report, ascii, cost)


class _ComparisonView:
    """Builds the table for the width it is actually given (terminal, notebook, file)."""

    def __init__(self, report: ComparisonReport, ascii: bool, cost: bool):
        self.report, self.ascii, self.cost = report, ascii, cost

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield from _parts(self.report, self.ascii, self.cost, options.max_width)


def _parts(report: ComparisonReport, ascii: bool, cost: bool, width: int) -> list[Any]:
    from rich.text import Text

    parts: list[Any] = [comparison_table(report, ascii=ascii, width=width)]
    for note in report.notes:
        parts.append(Text(_a(f"note: {note}", ascii), style="yellow"))
    summary = sweep_summary(report, ascii=ascii)
    if summary is not None:
        parts.append(summary)
    if cost and report.cost is not None:
        parts.append(report.cost.table(ascii=ascii))
    return parts
