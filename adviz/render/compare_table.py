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


def comparison_table(report: ComparisonReport, *, ascii: bool = False, width: int | None = None) -> Any:
    """The main table: method, h, value, absolute and relative error, digits, cost, note.

    Below 110 columns (``width``) the table drops the absolute error and the note column and
    shortens the method names, so that every number still prints whole on an 80-column terminal.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from adviz.render.style import rich_style

    compact = width is not None and width < 110
    at = ", ".join(f"{k}={np.asarray(v).tolist()}" for k, v in report.at.items())
    k = report.labels.index(report.wrt)
    title = f"adviz compare  {report.expression}  at {at}:  f = {report.value!r}"
    table = Table(title=_a(title, ascii), title_justify="left", title_style="bold",
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
        method_style = {"AD reverse": rich_style("reverse"), "AD forward": rich_style("forward")}.get(row.method, "")
        plain = row.h is not None and row.h_label == f"{row.h:g}"  # a step given as a number
        h_text = "" if row.h is None else f"{row.h:g}" if plain else f"{row.h:.1e}"
        note = row.note or ("" if plain else row.h_label)
        reference = row.method == "AD reverse"
        style = "bold green" if reference else error_style(row.rel_error)
        cells = [
            Text(_SHORT_METHOD.get(row.method, row.method) if compact else row.method, style=method_style),
            Text(_a(h_text + ("*" if compact and note.startswith("textbook") else ""), ascii)),
            Text(_value_text(row.value, k)),
        ]
        if not compact:
            cells.append(Text("(reference)" if reference else _err_text(row.abs_error), style=style))
        cells += [
            Text("" if reference else _err_text(row.rel_error), style=style),
        ]
        if not compact:
            cells.append(Text(f"{row.digits:.1f}" if row.value is not None else "–", style=style))
        cells += [
            Text(_a(row.cost.replace("forward sweep", "fwd sweep").replace("reverse sweep", "rev sweep")
                    if compact else row.cost, ascii)),
        ]
        if not compact:
            cells.append(Text(_a(note, ascii)))
        table.add_row(*cells)
    captions = ["textbook steps: h = √ε·max(1,|x|) one-sided, ∛ε·max(1,|x|) central"
                + (" (marked *)" if compact else "")]
    if len(report.labels) > 1:
        captions.append(f"errors: largest over all {len(report.labels)} gradient entries "
                        f"({', '.join(report.labels[:6])}{', …' if len(report.labels) > 6 else ''}), relative to the "
                        "largest entry; cost: for the whole gradient")
    table.caption = _a("\n".join(captions), ascii)
    table.caption_justify = "left"
    return table


def sweep_summary(report: ComparisonReport, *, ascii: bool = False) -> Any:
    """What the h sweep measured, in a few lines (None without a sweep)."""
    from rich.text import Text

    s = report.sweep
    if s is None:
        return None
    text = Text()
    text.append(_a(f"h sweep along {report.wrt}: {s.hs.size} steps from {s.hs[0]:.0e} to {s.hs[-1]:.0e}\n", ascii),
                style="bold")
    rules = {"forward": "√ε·max(1,|x|)", "central": "∛ε·max(1,|x|)"}
    for name in ("forward", "central"):
        c = s.curves.get(name)
        if c is None:
            continue
        if np.isfinite(c.truncation_slope):
            slopes = f"fitted slopes: truncation {c.truncation_slope:.2f}, round-off {c.roundoff_slope:.2f}"
        else:
            slopes = f"no truncation error to fit (f is a low-degree polynomial in {report.wrt}); " \
                     f"round-off slope {c.roundoff_slope:.2f}"
        rel = c.best_error / abs(s.exact) if s.exact else c.best_error
        text.append(_a(f"  {name:8s} best h ≈ {c.best_h:.1e}  (textbook {rules[name]} = {c.textbook_h:.1e}), "
                       f"relative error there ≈ {rel:.0e}\n           {slopes}\n", ascii))
    if "complex" in s.curves:
        floor = s.complex_floor()
        text.append(_a(f"  complex  relative error ≤ {floor:.1e} for every small h: no subtraction, no cancellation\n",
                       ascii))
    return text


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
        parts.append(report.cost.__rich__())
    return parts
