"""``adviz compare``: AD against the complex step and finite differences.

The numbers come from :mod:`adviz.numeric.compare`, the table from
:mod:`adviz.render.compare_table` and the figure from :mod:`adviz.render.plots`.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import Command, InputError, app, visible
from .options import AsciiOption, AtOption, ExprArgument, JsonOption
from .output import ascii_only, check_output_path, make_console, print_json, progress, writing
from .recording import record, warn_nonfinite

@app.command(cls=Command)
def compare(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    wrt: Annotated[Optional[str], typer.Option(
        "--wrt", metavar="NAME",
        help="Variable (or entry, like W[0,1]) whose partial derivative the h sweep follows. "
             "Default: the first.")] = None,
    plot: Annotated[Optional[Path], typer.Option(
        "--plot", metavar="FILE", help="Save the error-vs-h figure as FILE (.png or .svg).")] = None,
    json: JsonOption = False,
    ascii: AsciiOption = False,
) -> None:
    """AD against the complex step and finite differences: value, error, digits and cost.

    Computes the gradient by reverse and forward mode, the complex step, and forward and
    central differences at the textbook step and at other steps; sweeps h from 1e-16 to
    1e-1 to find the best step; counts what each method costs on the tape.

    \b
    Example:  adviz compare "sin(x**2+1)" --at x=3 --plot fd.png
    """
    ascii = ascii_only(ascii)
    from ..numeric.compare import compare as run_compare

    expression, t, values = record(expr, at)
    if t.output.shape != ():
        raise InputError(f"compare needs a scalar expression, this one has shape {t.output.shape}: "
                         "use adviz jacobian")
    _check_work(t)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot needs a file name ending in .png or .svg, got {plot.name!r}")
    if plot is not None:
        check_output_path(plot, "--plot")
    warn_nonfinite(t, ascii)
    try:
        with progress("sweeping h", enabled=not json) as advance:
            report = run_compare(expression, values, wrt=wrt,
                                 progress=lambda done, total: advance(completed=done, total_now=total))
    except ValueError as err:  # e.g. --wrt names no variable
        raise InputError(str(err)) from None
    if plot is not None and report.sweep is None:
        raise InputError(f"no error-vs-h figure to save: {report.notes[-1]}")
    if plot is not None:
        from ..render.plots import save_figure

        with writing(plot):
            save_figure(report.plot(), plot)
    if json:
        print_json({**report.to_dict(), "plot": None if plot is None else str(plot)})
        return
    from ..render.compare_table import comparison_renderable

    console = make_console(ascii)
    console.print(comparison_renderable(report, ascii=ascii))
    if plot is not None:
        console.print(f"error-vs-h figure saved to {visible(str(plot))}", style="dim", markup=False, highlight=False)


def _check_work(t: object) -> None:
    """Refuse, before any work, a comparison too big to finish: forward mode, the complex step
    and every difference formula go through the inputs one entry at a time (about 22
    evaluations of f each), so the work grows as entries × numbers on the tape, by the rule
    that bounds ``trace``'s reverse sweeps: at most ``ADVIZ_MAX_ELEMENTS`` (60,000 entries of
    ``sum(x*x)`` took nine minutes before this check)."""
    import numpy as np

    from ..expr import MAX_ELEMENTS

    entries = sum(int(np.size(node.value)) for node in t.inputs)   # type: ignore[attr-defined]
    numbers = sum(int(np.size(node.value)) for node in t.nodes)    # type: ignore[attr-defined]
    if entries * numbers > MAX_ELEMENTS:
        raise InputError(f"compare differentiates by each of the {entries:,} input entries separately (about 22 "
                         f"evaluations of f each) over a tape of {numbers:,} numbers: {entries * numbers:,} entries x "
                         f"numbers, more than the limit of {MAX_ELEMENTS:,} (ADVIZ_MAX_ELEMENTS). Use fewer entries, "
                         "or adviz grad for the gradient alone")
