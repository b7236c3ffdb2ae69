"""``adviz trace``, ``adviz grad`` and ``adviz jacobian``: the chain rule as tables.

    adviz trace "sin(x**2+1)" --at x=3       the tape, the forward and the reverse sweep
    adviz grad "x1*x2 + sin(x1)" --at x1=2 --at x2=5
    adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3

Each command asks :mod:`.recording` for the trace and its sweeps and hands the records to the
table renderers of :mod:`adviz.render.table`; it never differentiates anything itself.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

from typing import Annotated, List, Optional

import typer

from .app import Command, InputError, app, tell
from .options import AsciiOption, AtOption, ExprArgument, FullOption, JsonOption, NotationOption, OrderOption
from .output import ascii_only, make_console, node_json, plural, print_json, progress, sweep_json, to_json_value
from .recording import (arrange, check_mode, check_notation, derivative_values, record, run_sweeps,
                        warn_nonfinite)

MAX_SHOWN_SWEEPS = 5
"""``adviz trace`` on a vector output shows this many reverse sweeps (one per output entry)
unless ``--full``; the others are summarised in one line."""
MAX_TABLE_ROWS, MAX_TABLE_COLUMNS = 12, 6
"""A Jacobian with more rows or columns is shown as a summary (shape, norms, corners) unless ``--full``."""


@app.command(cls=Command)
def trace(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[str, typer.Option(
        "--mode", "-m", metavar="forward|reverse|both", help="Which sweeps to show (default: both).",
        show_default=False)] = "both",
    seed: Annotated[Optional[List[str]], typer.Option(
        "--seed", "-s", metavar="NAME=VALUE",
        help="Forward-mode direction, e.g. --seed x=1 --seed y=0 (inputs left out get 0). "
             "Default: one forward sweep per input.")] = None,
    python: Annotated[bool, typer.Option(
        "--python", help="Print the tape as a straight-line Python program instead (Trace.to_python): "
                         "the primal lines, then the tangent lines (--mode forward), the adjoint lines "
                         "(--mode reverse) or both.")] = False,
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
    notation: NotationOption = "adviz",
    order: OrderOption = None,
) -> None:
    """Show the tape of EXPR and the chain rule run forwards and backwards.

    \b
    Example:  adviz trace "sin(x**2+1)" --at x=3
    Survey:   adviz trace "log(x1) + x1*x2 - sin(x2)" --at x1=2 --at x2=5 --notation griewank
    """
    ascii = ascii_only(ascii)
    mode = check_mode(mode)
    notation = check_notation(notation)
    expression, t, values = record(expr, at)
    t, order = arrange(t, order, notation)
    if python:
        _print_program(t, mode, expression.source if json else None)
        return
    limit = None if (full or json) else MAX_SHOWN_SWEEPS
    forward, reverse = run_sweeps(t, mode, seed, max_reverse=limit)
    warn_nonfinite(t, ascii, [*forward, *reverse], derivatives=derivative_values([*forward, *reverse]))
    if json:  # adviz's names, which programs match on; --notation adds each row's display name
        shown = t.in_notation(notation, order=order) if notation != "adviz" else None
        data = {"expression": expression.source, "at": to_json_value(values), "value": to_json_value(t.value),
                "output": t.output.name,
                "nodes": [node_json(n, shown.nodes[n.index] if shown else None) for n in t.nodes],
                "forward": [sweep_json(s, t) for s in forward],
                "reverse": [sweep_json(s, t) for s in reverse]}
        if notation != "adviz" or order != "tape":
            data = {**data, "notation": notation, "order": order.lower()}
        print_json(data)
        return
    # the views name the rows in --notation: the same records under the textbook's names
    t = t.in_notation(notation, ascii, order)
    forward, reverse = [t.replay(s) for s in forward], [t.replay(s) for s in reverse]
    from ..render.table import Heading, forward_table, input_items, reverse_table, summary_table, tape_table

    console = make_console(ascii)
    console.print(Heading(f"adviz trace  {expression.source}", input_items(values, full, ascii=ascii)))
    console.print()
    console.print(tape_table(t, ascii=ascii, full=full))
    for sweep in forward:
        console.print()
        console.print(forward_table(sweep, ascii=ascii, full=full))
    for sweep in reverse:
        console.print()
        console.print(reverse_table(sweep, ascii=ascii, full=full))
    console.print()
    console.print(summary_table(t, forward, reverse, ascii=ascii, full=full))
    skipped = (t.output.value.size - len(reverse)) if mode != "forward" and t.output.shape != () else 0
    if skipped:
        console.print(f"The output has {t.output.value.size:,} entries: {plural(skipped, 'more reverse sweep')} "
                      "(one per entry) not shown. --full shows them all; adviz jacobian gives the whole matrix.",
                      style="dim", markup=False)


def _print_program(t, mode: str, source: Optional[str]) -> None:
    """``adviz trace --python``: the program text (or, with ``--json``, JSON holding it)."""
    from ..engine.program import NoCodeForm

    try:
        program = t.to_python(forward=mode in ("forward", "both"), reverse=mode in ("reverse", "both"))
    except (NoCodeForm, ValueError) as e:
        raise InputError(str(e)) from None
    program = "import numpy as np\n\n\n" + program  # a module: save it and import it
    if source is not None:
        print_json({"expression": source, "python": program})
    else:
        typer.echo(program, nl=False)


@app.command(cls=Command)
def grad(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """Value and gradient of a scalar EXPR (one reverse sweep).

    \b
    Example:  adviz grad "x1*x2 + sin(x1)" --at x1=2 --at x2=5
    """
    ascii = ascii_only(ascii)
    expression, t, values = record(expr, at)
    if t.output.shape != ():
        raise InputError(f"grad needs a scalar expression, this one has shape {t.output.shape}: "
                         "use adviz jacobian")
    sweep = t.reverse()
    warn_nonfinite(t, ascii, [sweep], derivatives=derivative_values([sweep]))
    if json:
        print_json({"expression": expression.source, "at": to_json_value(values), "value": to_json_value(t.value),
                    "gradient": to_json_value(sweep.result)})
        return
    from ..render.table import Heading, gradient_table, input_items

    console = make_console(ascii)
    console.print(Heading(f"adviz grad  {expression.source}", input_items(values, full, ascii=ascii)))
    console.print(gradient_table(sweep, ascii=ascii, full=full))
    done, more = f"One reverse sweep, {plural(sweep.ops, 'chain-rule term')}.", "Every step: adviz trace"
    fits = len(done) + 1 + len(more) <= console.width     # never break the command "adviz trace" in two
    console.print(f"{done} {more}" if fits else f"{done}\n{more}", style="dim", markup=False)


@app.command(cls=Command)
def jacobian(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[str, typer.Option(
        "--mode", "-m", metavar="forward|reverse|both", show_default=False,
        help="forward (one sweep per input component), reverse (one per output component) or both "
             "(run both and check they agree; the default).")] = "both",
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """The Jacobian of a (vector-valued) EXPR, and how many sweeps each mode needs.

    Forward mode fills the Jacobian one column per sweep (seed one input component);
    reverse mode fills it one row per sweep (seed one output component). A Jacobian
    larger than 12 x 6 is shown as a summary (shape, norms, corners) unless --full;
    --json always gives the whole matrix.

    \b
    Example:  adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3 --mode reverse
    """
    ascii = ascii_only(ascii)
    import numpy as np

    from ..expr import MAX_ELEMENTS
    from ..render.table import component_names, output_name

    mode = check_mode(mode)
    expression, t, values = record(expr, at)
    out = t.output
    n = sum(int(np.prod(node.shape, dtype=int)) for node in t.inputs)
    m = int(np.prod(out.shape, dtype=int))
    if n * m > MAX_ELEMENTS:
        raise InputError(f"the Jacobian would be {m:,} x {n:,} = {n * m:,} entries ({n * m * 8 / 1e9:.1f} GB), "
                         f"more than the limit of {MAX_ELEMENTS:,} (ADVIZ_MAX_ELEMENTS); adviz jacobian builds it "
                         "whole, one sweep per column or row. Try fewer components, or adviz grad for one output")
    columns = [(node, idx) for node in t.inputs for idx in np.ndindex(*node.shape)]
    col_names = [c for node in t.inputs for c in component_names(node.name, node.shape)]
    row_names = component_names(output_name(t), out.shape)
    matrices, terms = {}, {}
    runs = {"forward": n, "reverse": m}
    total = sum(runs[k] for k in runs if mode in (k, "both"))
    with progress("Jacobian sweeps", total, enabled=not json) as advance:
        if mode in ("forward", "both"):                   # one forward sweep per input component
            cols, ops = [], 0
            for node, idx in columns:
                tangent = np.zeros(node.shape)
                tangent[idx] = 1.0
                sweep = t.forward({node.name: tangent})
                cols.append(np.ravel(sweep.result))
                ops += sweep.ops
                advance()
            matrices["forward"], terms["forward"] = np.stack(cols, axis=1), ops
        if mode in ("reverse", "both"):                   # one reverse sweep per output component
            rows, ops = [], 0
            for idx in np.ndindex(*out.shape):
                adjoint = np.zeros(out.shape)
                adjoint[idx] = 1.0
                sweep = t.reverse(adjoint)
                rows.append(np.concatenate([np.ravel(sweep.result[node.name]) for node in t.inputs]))
                ops += sweep.ops
                advance()
            matrices["reverse"], terms["reverse"] = np.stack(rows, axis=0), ops
    warn_nonfinite(t, ascii, derivatives=list(matrices.values()))
    matrix = matrices.get("forward", matrices.get("reverse"))
    agree = None
    if len(matrices) == 2:
        agree = bool(np.allclose(matrices["forward"], matrices["reverse"], rtol=1e-12, atol=0, equal_nan=True))
        if not agree:
            tell("adviz: warning: the forward and reverse Jacobians differ")
    if json:
        by_input, start = {}, 0
        for node in t.inputs:
            size = int(np.prod(node.shape, dtype=int))
            by_input[node.name] = to_json_value(matrix[:, start:start + size].reshape(out.shape + node.shape))
            start += size
        data = {"expression": expression.source, "at": to_json_value(values), "value": to_json_value(t.value),
                "mode": mode, "rows": row_names, "columns": col_names, "jacobian": to_json_value(matrix),
                "jacobian_by_input": by_input, "sweeps": runs, "terms": terms}
        if agree is not None:
            data["modes_agree"] = agree
        print_json(data)
        return
    from ..render.table import (Heading, format_value, input_items, jacobian_summary, jacobian_table, matrix_facts,
                                sweep_count_table)

    console = make_console(ascii)
    console.print(Heading(f"adviz jacobian  {expression.source}", input_items(values, full, ascii=ascii)))
    value = format_value(t.value, full)
    console.print(f"{row_names[0].split('[')[0]} = {value.replace('…', '...') if ascii else value}", markup=False)
    console.print()
    used = " and ".join(k for k in ("forward", "reverse") if k in matrices)
    title = f"Jacobian ({m} x {n}), computed in {used} mode"
    if full or (m <= MAX_TABLE_ROWS and n <= MAX_TABLE_COLUMNS):
        console.print(jacobian_table(row_names, col_names, matrix, ascii=ascii, title=title))
    else:
        console.print(jacobian_summary(row_names, col_names, matrix, ascii=ascii, title=title))
        console.print(matrix_facts(matrix), markup=False)
        console.print("(--full prints every entry, --json gives the whole matrix)", style="dim", markup=False)
    console.print()
    console.print(sweep_count_table(runs, terms, ascii=ascii))
    sizes = f"{plural(n, 'input component')}, {plural(m, 'output component')}"
    if n == m:
        note = f"{sizes}: both modes need the same number of sweeps here."
    else:
        note = f"{sizes}: {'forward' if n < m else 'reverse'} mode needs fewer sweeps here."
    if agree:
        note += " Both modes gave the same Jacobian."
    console.print(note, markup=False)
