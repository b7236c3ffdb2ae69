"""``adviz graph``: the computational graph as a picture (SVG, PNG, PDF, DOT) or an HTML animation.

    adviz graph "sin(x**2+1)" --at x=3 --mode reverse --step 2 -o step2.svg

Drawing is done by :mod:`adviz.render.graph` and :mod:`adviz.render.html`; this module only
reads the command line and reports what was written.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .app import Command, CommandError, InputError, app, tell, visible
from .options import AtOption, ExprArgument, JsonOption, NotationOption, OrderOption
from .output import check_output_path, interruptible, print_json, progress, to_json_value, writing
from .recording import arrange, check_mode, check_notation, record, run_sweeps


@app.command(cls=Command)
def graph(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[Optional[str], typer.Option(
        "--mode", "-m", metavar="forward|reverse",
        help="Draw a sweep on the graph: forward or reverse. Default: values and local "
             "partials only (forward with --seed, reverse with --step or --animate).")] = None,
    step: Annotated[Optional[str], typer.Option(
        "--step", "-k", metavar="K",
        help="Show the sweep after K steps (0: only the seed is known), or up to a chain-rule term "
             "K.J as numbered by adviz trace (3.2: step 3's second term).")] = None,
    seed: Annotated[Optional[List[str]], typer.Option(
        "--seed", "-s", metavar="NAME=VALUE",
        help="Forward-mode direction, e.g. --seed x1=1 (inputs left out get 0); implies --mode forward. "
             "Default: the first input.")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE",
        help="Where to write: .svg, .png, .pdf (needs Graphviz's dot program) or .dot (the DOT source). "
             "Default: ./adviz-graph.svg")] = None,
    expand: Annotated[bool, typer.Option(
        "--expand", help="Draw every node of a big tape instead of folding repeated structure.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Say which Graphviz (dot program or WebAssembly) rendered the picture.")] = False,
    animate: Annotated[bool, typer.Option(
        "--animate", help="Write one self-contained HTML page that plays the sweep step by step "
                                "(default -o ./adviz-sweep.html; --step K opens it at step K).")] = False,
    quiz: Annotated[bool, typer.Option(
        "--quiz", help="With --animate: the page asks the student to predict each tangent or adjoint before "
                       "showing it, marks the answers and keeps score (pure JavaScript; the page carries the "
                       "answers: for practice, not exams).")] = False,
    json: JsonOption = False,
    notation: NotationOption = "adviz",
    order: OrderOption = None,
) -> None:
    """Draw the computational graph of EXPR, optionally with a forward or reverse sweep.

    \b
    Example:  adviz graph "sin(x**2+1)" --at x=3 --mode reverse --step 2 -o step2.svg
    Animated: adviz graph "sin(x**2+1)" --at x=3 --animate -o sweep.html
    Quiz:     adviz graph "sin(x**2+1)" --at x=3 --animate --quiz -o quiz.html
    """
    import logging

    from ..render.graph import FORMATS, TooBigToDraw, folding_note, write_graph
    from ..render.graphviz_backend import NoBackendError, RenderError, backend_name

    if quiz and not animate:
        raise InputError("--quiz needs --animate: the quiz is part of the HTML page that plays the sweep")
    if quiz and step is not None:
        raise InputError("--quiz starts at the seed and asks every step: leave out --step")
    if mode is None and seed:       # a forward direction asks for the forward sweep
        mode = "forward"
    if mode is None and (step is not None or animate):
        mode = "reverse"
    mode = check_mode(mode, ("forward", "reverse")) if mode is not None else None
    notation = check_notation(notation)
    default = "adviz-sweep.html" if animate else "adviz-graph.svg"
    if output is not None and not output.strip():     # -o "$OUT" with OUT unset: Path("") would be "."
        raise InputError(f"-o is empty: give a file name, such as {default}")
    path = Path(output) if output is not None else Path(default)
    fmt = path.suffix.lstrip(".").lower().replace("gv", "dot")
    if animate and fmt not in ("html", "htm"):
        raise InputError(f"-o {path}: --animate writes an HTML page; the file name must end in .html")
    if not animate and fmt not in FORMATS:
        hint = " (add --animate for an HTML page that plays the sweep)" if fmt in ("html", "htm") else ""
        raise InputError(f"-o {path}: the file name must end in .svg, .png, .pdf or .dot{hint}")
    check_output_path(path, "-o")
    if fmt != "dot":
        try:
            backend_name()                # also checks ADVIZ_GRAPHVIZ_BACKEND, before any work
        except NoBackendError as err:
            raise InputError(str(err)) from None
        except ValueError as err:
            raise InputError(str(err)) from None
    expression, t, values = record(expr, at)
    t, order = arrange(t, order, notation)
    sweep = None
    if mode == "forward" and not seed:
        sweep = t.forward(t.input_names[0])
        if len(t.input_names) > 1:
            tell(f"adviz: note: forward sweep seeded on {t.input_names[0]} (choose with --seed)")
    elif mode is not None:
        sweeps = run_sweeps(t, mode, seed)
        sweep = (sweeps[0] or sweeps[1])[0]
        if mode == "reverse" and t.output.shape != ():
            tell(f"adviz: note: the output has shape {t.output.shape}; "
                 "the reverse sweep is seeded on its first entry")
    # the rows named in --notation, in --order (as the tables of adviz trace name and list them)
    t = t.in_notation(notation, order=order)
    sweep = t.replay(sweep) if sweep is not None else None
    start, shown = 0, None
    if step is not None:
        try:
            done, part = sweep.position(step)
        except ValueError as err:
            raise InputError(f"--step: {err}".replace("step must be", "give")) from None
        start = done + 1 if part else done  # the page plays whole steps: open at the one holding the term
        shown = {"step": start, "term": part or None,
                 "label": sweep.step_label(start, part) if part else str(start)}
    handler = None
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("adviz: %(message)s"))
        logger = logging.getLogger("adviz.render")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        with writing(path), progress("writing the animation" if animate else "drawing the graph", enabled=not json):
            if animate:
                from ..render.html import write_sweep_html

                interruptible(lambda: write_sweep_html(t, path, sweep=sweep, start=start, expand=expand, quiz=quiz))
            else:
                interruptible(lambda: write_graph(t, path, sweep, step, expand=expand))
    except (NoBackendError, TooBigToDraw) as err:
        raise InputError(str(err)) from None
    except RenderError as err:
        raise CommandError(str(err)) from None
    finally:
        if handler is not None:
            logging.getLogger("adviz.render").removeHandler(handler)
    note = folding_note(t, expand=expand)
    if json:
        print_json({"expression": expression.source, "at": to_json_value(values), "path": str(path), "format": fmt,
                     "mode": mode, **(shown or {"step": None, "term": None, "label": None}),
                     "nodes": len(t.nodes),
                     "backend": None if fmt == "dot" else backend_name(), "folded": note or None,
                     "frames": len(sweep.steps) + 1 if animate else None,
                     "questions": _question_count(t, sweep) if quiz else None, "notation": notation,
                     "order": order.lower()})
        return
    if note:
        tell(f"adviz: note: {note}")
    typer.echo(visible(str(path)))


def _question_count(t, sweep) -> int:
    from ..render.quiz import questions

    return len(questions(t, sweep))
