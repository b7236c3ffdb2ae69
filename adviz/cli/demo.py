"""``adviz demo``: a classroom walk-through, one step of the sweeps per screen.

    adviz demo "x1*x2 + sin(x1)" --at x1=2 --at x2=5 --auto 2
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

import sys
from typing import Annotated, Any, Optional

import typer

from .app import Command, InputError, app
from .options import AsciiOption, AtOption, FullOption, NotationOption, OrderOption
from .output import ascii_only, make_console
from .recording import arrange, check_notation, record, warn_nonfinite

MAX_AUTO_SECONDS = 3600.0
"""Longest pause ``--auto`` accepts between two screens."""
MAX_OPERATIONS = 100
"""Most operations (primitives on the tape) a demo walks through. Each operation makes a screen
of the tape and one per chain-rule term of each sweep, and the tape's screen grows with it, so
the work grows with the square of the length: 4,900 multiplications would be some 15,000
screens, hours of tables. A longer expression is refused before any screen is built."""

@app.command(cls=Command)
def demo(
    expr: Annotated[Optional[str], typer.Argument(
        metavar="EXPR", help="The expression (default: sin(x**2+1) at x=3).", show_default=False)] = None,
    at: AtOption = None,  # type: ignore[assignment]
    auto: Annotated[Optional[float], typer.Option(
        "--auto", metavar="SECONDS", help="Advance by itself every SECONDS instead of waiting for Enter.")] = None,
    ascii: AsciiOption = False,
    full: FullOption = False,
    notation: NotationOption = "adviz",
    order: OrderOption = None,
) -> None:
    """A classroom walk-through: the tape, then the forward and the reverse sweep, one step at a time.

    Press Enter to advance (q then Enter to stop); --auto SECONDS plays it by itself.

    \b
    Example:  adviz demo "x1*x2 + sin(x1)" --at x1=2 --at x2=5 --auto 2
    """
    ascii = ascii_only(ascii)
    import time

    if expr is None:
        expr, at = "sin(x**2+1)", at or ["x=3"]
    if auto is not None and not 0 <= auto <= MAX_AUTO_SECONDS:
        raise InputError(f"--auto needs a number of seconds from 0 to {MAX_AUTO_SECONDS:g}, got {auto:g}")
    notation = check_notation(notation)
    expression, t, values = record(expr, at)
    t, order = arrange(t, order, notation)
    expr = expression.source
    if t.output.shape != ():
        raise InputError(f"demo needs a scalar expression, this one has shape {t.output.shape}")
    if t.primitive_count > MAX_OPERATIONS:
        from .app import one_line

        raise InputError(f"demo shows one step per screen, and {one_line(expr, 60)} has {t.primitive_count:,} "
                         f"operations; the limit is {MAX_OPERATIONS:,}: use adviz trace, which shows every step "
                         "at once, or adviz graph")
    warn_nonfinite(t, ascii)
    t = t.in_notation(notation, ascii, order)  # every screen names the rows in --notation
    console = make_console(ascii)
    frames = _demo_frames(t, expr, values, console, ascii, full)
    interactive = auto is None and sys.stdin.isatty() and console.is_terminal
    for k, (title, body, note) in enumerate(frames):
        if console.is_terminal:
            console.clear()
        elif k:
            console.rule(style="dim", characters="=" if ascii else "─")
        dot = "-" if ascii else "·"
        console.print(f"adviz demo {k + 1}/{len(frames)} {dot} {title} {dot} {expr}", style="bold", markup=False)
        console.print()
        if body is not None:
            console.print(body)
        if note:
            console.print(note, markup=False)
        if k == len(frames) - 1:
            break
        if auto is not None:
            time.sleep(auto)
            continue
        console.print("Enter: next step   q: quit" if interactive else "", style="dim", markup=False)
        line = sys.stdin.readline()
        if line.strip().lower() in ("q", "quit", "exit") or (interactive and not line):   # q, or Ctrl-D
            break


def _forward_plan(t: Any, ascii: bool) -> str:
    """Screen 1's line on forward mode: one sweep, or one sweep per input when there are several."""
    from ..engine import notation
    from ..render.table import variable

    seeds = [f"{notation.dot(variable(t, n), ascii)} = 1" for n in t.input_names]
    if len(seeds) == 1:
        return f"2. Forward sweep: push tangents ({seeds[0]}) from the input to the output.\n"
    listed = ", then ".join(seeds) if len(seeds) == 2 else f"{seeds[0]}, then {seeds[1]}, …"
    return (f"2. Forward sweeps: push tangents from the inputs to the output, one sweep per input "
            f"({listed}).\n")


def _demo_frames(t: Any, expr: str, values: dict, console: Any, ascii: bool, full: bool) -> list:
    """Every screen of ``adviz demo`` as ``(title, renderable, note)``, built from the records."""
    from ..engine import notation
    from ..render.table import (explain_term, format_value, input_text, output_name, progress_table,
                               summary_table, tape_table, variable)

    y = output_name(t)
    a = (lambda s: notation.to_ascii(s).replace("→", "->")) if ascii else (lambda s: s)  # noqa: E731
    max_rows = max(3, console.height - 12)
    frames: list = [("the idea", None, a(
        f"We compute y = {expr} at {input_text(values, full)} and its derivative(s).\n\n"
        f"1. Record the tape: the computation cut into primitives, {_numbering(t)} in order.\n"
        + _forward_plan(t, ascii) +
        f"3. Reverse sweep: pull adjoints ({notation.bar(y, ascii)} = 1) from the output back to the inputs.\n\n"
        "Each step uses one local derivative: the chain rule, one primitive at a time."))]
    ops = [n for n in t.nodes if not n.is_input]
    for k, node in enumerate(ops, start=1):
        frames.append((f"tape {k}/{len(ops)}", tape_table(t, ascii=ascii, full=full, title=None, upto=k),
                       a(f"{node.name} = {node.definition} = {format_value(node.value, full)}: "
                         "evaluate one primitive and record it on the tape.")))
    forward = [t.forward(name) for name in t.input_names]
    shown = forward if len(forward) <= 2 else forward[:1]    # the others only in the summary
    for sweep in shown:
        seed = ", ".join(f"{notation.dot(variable(t, n), ascii)} = {format_value(v, full)}"
                         for n, v in sweep.seed.items())
        # the note ties the variable to its row, as the reverse sweep's does (v̇₋₁ = ẋ1 = 1.0)
        tied = ", ".join(f"{notation.dot(n, ascii)} = " * (n != variable(t, n))
                         + f"{notation.dot(variable(t, n), ascii)} = {format_value(v, full)}"
                         for n, v in sweep.seed.items())
        frames.append((f"forward sweep, seed {seed}", progress_table(sweep, 0, ascii=ascii, full=full,
                                                                     max_rows=max_rows),
                       a(f"Seed {tied}: we ask how y moves when {variable(t, next(iter(sweep.seed)))} moves. "
                         "Tangents flow "
                         "in tape order.")))
        for k, (step, j, term) in enumerate(sweep.numbered_terms(), start=1):  # numbered as every view does
            frames.append((f"forward step {sweep.step_label(step, j)} of {len(sweep)}",
                           progress_table(sweep, k, ascii=ascii, full=full, max_rows=max_rows),
                           explain_term(sweep, term, ascii=ascii, full=full)))
        dy = f"{notation.dot(y, ascii)} = {format_value(sweep.result, full)}"
        others = "" if len(shown) == len(forward) else (
            f" The other {len(forward) - 1} inputs each need a sweep of their own (see the summary).")
        frames[-1] = (frames[-1][0], frames[-1][1], frames[-1][2] + "\n" + a(
            f"Done: {dy} is d{y}/d{variable(t, next(iter(sweep.seed)))}, one forward sweep per input.{others}"))
    reverse = t.reverse()
    frames.append((f"reverse sweep, seed {notation.bar(y, ascii)} = 1",
                   progress_table(reverse, 0, ascii=ascii, full=full, max_rows=max_rows),
                   a(f"Seed {notation.bar(t.output.name, ascii)} = {notation.bar(y, ascii)} = 1. "
                     "Adjoints flow backwards: each "
                     "node sends its adjoint to its operands.")))
    for k, (step, j, term) in enumerate(reverse.numbered_terms(), start=1):  # numbered as every view does
        frames.append((f"reverse step {reverse.step_label(step, j)} of {len(reverse)}",
                       progress_table(reverse, k, ascii=ascii, full=full, max_rows=max_rows),
                       explain_term(reverse, term, ascii=ascii, full=full)))
    grads = ", ".join(f"{notation.bar(variable(t, n), ascii)} = {format_value(g, full)}"
                      for n, g in reverse.result.items())
    frames.append(("summary", summary_table(t, forward, [reverse], ascii=ascii, full=full, title=None),
                   a(f"One reverse sweep gave the whole gradient ({grads}); forward mode needed "
                     f"{len(forward)} sweep{'s' if len(forward) != 1 else ''}, one per input.")))
    return frames


def _numbering(t: Any) -> str:
    """How the first rows of the tape are named: ``v1, v2, …`` (adviz), ``v₁, v₂, …`` (Griewank)."""
    ops = [n.name for n in t.nodes if not n.is_input][:2]
    return ", ".join(ops + ["…"])
