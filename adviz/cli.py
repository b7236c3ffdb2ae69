"""The ``adviz`` command: automatic differentiation in the terminal.

    adviz trace "sin(x**2+1)" --at x=3       the tape, the forward and the reverse sweep
    adviz grad "x1*x2 + sin(x1)" --at x1=2 --at x2=5
    adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3
    adviz demo                               a step-by-step classroom walk-through
    adviz lessons                            copy the lesson notebooks to ./adviz-lessons

This module is deliberately thin: it reads the command line, asks the engine for a
:class:`~adviz.engine.record.Trace` and its sweeps, and hands those records to the table
renderers in :mod:`adviz.render.table`. It never differentiates anything itself.

How the file is organised (other commands are added the same way):

* one function per command, registered with ``@app.command()``; its docstring is its
  ``--help`` text and ends with an example;
* shared options (``--at``, ``--json``, ``--ascii``, ``--full``) are module-level
  ``Annotated`` aliases (``AtOption``, ``JsonOption``, …) so every command spells them alike;
* a command reports bad input by raising :class:`InputError` (exit code 2); any other
  exception becomes a one-line ``adviz: error: …`` on stderr with exit code 1. That is done
  once for every command by :class:`_Group`, so commands contain no ``try`` boilerplate;
* rich, the renderers and everything optional are imported inside the commands that use
  them (NumPy and the engine come with the ``adviz`` package), so ``adviz --help`` and
  ``adviz trace`` never import Jupyter, Graphviz, matplotlib or SymPy.

JSON output (``--json``): numbers are JSON numbers, arrays nested lists; values JSON cannot
hold are the strings ``"inf"``, ``"-inf"`` and ``"nan"``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, List, Optional

import typer

try:  # recent Typer versions carry their own copy of click as typer._click
    from typer import _click as _click_mod  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Typer: click itself
    import click as _click_mod  # type: ignore[no-redef]

__all__ = ["app", "main", "InputError", "parse_assignments", "parse_value"]


# ---------------------------------------------------------------- errors
class InputError(Exception):
    """Bad input from the user: printed as ``adviz: error: <message>``, exit code 2.

    ``detail`` is printed below the message (used for the caret under a syntax error).
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _fail(message: str, detail: str = "", code: int = 2) -> "typer.Exit":
    lines = [f"adviz: error: {_one_line(message)}"]
    if detail:
        lines.append(detail)
    typer.echo("\n".join(lines), err=True)
    return typer.Exit(code)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PASS_THROUGH = tuple({typer.Exit, typer.Abort, _click_mod.exceptions.ClickException,
                       *(getattr(_click_mod.exceptions, n) for n in ("Exit", "Abort")
                         if hasattr(_click_mod.exceptions, n))})
"""Exceptions that are Typer/click's own way of ending a command: let them through."""
_ABORTS = tuple({typer.Abort, *(getattr(_click_mod.exceptions, n) for n in ("Abort",)
                                if hasattr(_click_mod.exceptions, n))})


class _Group(typer.core.TyperGroup):
    """Runs every command inside the error policy: input errors → 2, anything else → 1."""

    def invoke(self, ctx: Any) -> Any:
        import numpy as np  # already loaded by the adviz package

        try:
            with np.errstate(all="ignore"):   # nan/inf are reported by adviz itself, naming the node
                return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except BrokenPipeError:          # `adviz trace … | head`: the reader left; stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except InputError as err:
            raise _fail(err.message, err.detail, 2) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", code=130) from None
        except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
            raise _fail(_describe(err), code=1) from None

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Usage errors (unknown option, missing EXPR) as one line too: ``adviz: error: …``."""
        _lean_coercion(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _click_mod.exceptions.ClickException as err:
            ctx = getattr(err, "ctx", None)
            message = err.format_message()
            if message:                  # empty when `adviz` alone printed the help
                hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
                typer.echo(f"adviz: error: {_one_line(message)}{hint}", err=True)
            sys.exit(err.exit_code)
        except _ABORTS:
            typer.echo("adviz: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _lean_coercion(group: Any) -> None:
    """Convert plain option values (str, float, int, Path, lists of str) without Pydantic.

    Recent Typer versions check every option value with a Pydantic ``TypeAdapter``; importing
    Pydantic for that costs more than importing NumPy, which would make ``adviz trace`` feel
    slow to start. Our options are all plain types, so each parameter gets a small converter
    here before parsing. Parameters of other types, and Typer versions without this
    mechanism, are left exactly as they are.
    """
    try:
        from dataclasses import dataclass
        from typing import Union, get_args, get_origin

        from typer._coercion import RuntimeParam  # type: ignore[import-not-found]
    except ImportError:  # an older Typer: nothing to do
        return
    lean = _LEAN_CLASS.get("class")
    if lean is None:
        @dataclass(frozen=True)
        class _Lean(RuntimeParam):  # type: ignore[misc, valid-type]
            convert: Any = None
            many: bool = False

            def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
                try:
                    return [self.convert(v) for v in value] if self.many else self.convert(value)
                except (TypeError, ValueError):
                    label = getattr(self.convert, "__name__", "value")
                    raise _click_mod.exceptions.BadParameter(f"{value!r} is not a valid {label}",
                                                             ctx=ctx, param=param) from None

        lean = _LEAN_CLASS["class"] = _Lean
    plain = {str: str, float: float, int: int, bool: bool, Path: Path}
    commands = [group, *getattr(group, "commands", {}).values()]
    for command in commands:
        params = list(getattr(command, "params", ()))
        try:   # the --help option is made on first use and then cached: make it now
            help_ctx = _click_mod.Context(command, help_option_names=["-h", "--help"])
            params.append(command.get_help_option(help_ctx))
        except Exception:  # noqa: BLE001 - an optimisation only
            pass
        for param in params:
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is None or getattr(param, "_runtime_param", "missing") is not None:
                continue
            annotation, many = descriptor.annotation, False
            if get_origin(annotation) is Union:                      # Optional[X]
                args = [a for a in get_args(annotation) if a is not type(None)]
                annotation = args[0] if len(args) == 1 else annotation
            if get_origin(annotation) in (list, List) and len(get_args(annotation)) == 1:   # List[X]
                annotation, many = get_args(annotation)[0], True
            if annotation in plain:
                param._runtime_param = lean(descriptor.parameter_info, descriptor.annotation,
                                            convert=plain[annotation], many=many)


_LEAN_CLASS: dict = {}


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


def _describe(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return "the expression is nested too deeply to evaluate"
    if isinstance(err, MemoryError):
        return "out of memory"
    text = str(err) or type(err).__name__
    return f"{type(err).__name__}: {text}" if not isinstance(err, (ValueError, TypeError)) else text


app = typer.Typer(
    cls=_Group,
    name="adviz",
    help="Automatic differentiation you can watch: the tape, the forward and the reverse sweep.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# ---------------------------------------------------------------- shared options
AtOption = Annotated[List[str], typer.Option(
    "--at", "-a", metavar="NAME=VALUE",
    help="Value of a variable: --at x=3, --at x=[1,2,3], --at W=[[1,2],[3,4]] or --at \"x=3,y=2\". "
         "Repeat for several variables.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
AsciiOption = Annotated[bool, typer.Option("--ascii", help="ASCII notation (x_dot, x_bar, *) and boxes.")]
FullOption = Annotated[bool, typer.Option("--full", help="Print arrays whole instead of shape and summary.")]
ExprArgument = Annotated[str, typer.Argument(
    metavar="EXPR", help="The expression, e.g. \"sin(x**2+1)\"; - reads it from standard input.",
    show_default=False)]


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"adviz {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Automatic differentiation you can watch: the tape, the forward and the reverse sweep."""


# ---------------------------------------------------------------- reading values
def parse_value(text: str, name: str = "value") -> Any:
    """Read ``3``, ``-1.5e3``, ``inf``, ``[1, 2, 3]`` or ``[[1, 2], [3, 4]]`` — never with ``eval``.

    Returns a float for a number, a float NumPy array for a (nested) list.

    >>> parse_value("[1, 2.5]").tolist()
    [1.0, 2.5]
    """
    import numpy as np

    src = text.strip()
    if not src:
        raise InputError(f"no value given for {name} (write {name}=3)")
    if len(src) > 1_000_000:
        raise InputError(f"the value for {name} is too long")
    tokens = _value_tokens(src, name)
    pos = 0

    def item() -> Any:
        nonlocal pos
        tok = tokens[pos]
        if tok == "[":
            pos += 1
            out = []
            if tokens[pos] == "]":
                raise InputError(f"empty list in the value for {name}")
            while True:
                out.append(item())
                tok = tokens[pos]
                pos += 1
                if tok == "]":
                    return out
                if tok is None:
                    raise InputError(f"the value for {name} ends before its closing ']' ({src!r})")
                if tok != ",":
                    raise InputError(f"expected ',' or ']' in the value for {name}, found {tok!r}")
        if tok in (",", "]", None):
            raise InputError(f"the value for {name} is missing a number ({src!r})")
        pos += 1
        try:
            return float(tok.replace("_", "#"))
        except ValueError:
            raise InputError(f"the value for {name} is not a number: {tok!r}") from None

    tokens.append(None)
    depth = max_depth = 0
    for tok in tokens:
        depth += tok == "["
        depth -= tok == "]"
        max_depth = max(max_depth, depth)
    if max_depth > 32:
        raise InputError(f"the value for {name} is nested too deeply")
    value = item()
    if tokens[pos] is not None:
        raise InputError(f"unexpected {tokens[pos]!r} after the value for {name} ({src!r})")
    if isinstance(value, float):
        return value
    try:
        return np.array(value, dtype=np.float64)
    except ValueError:
        raise InputError(f"the value for {name} is ragged: all rows of a matrix need the same length") from None


def _value_tokens(src: str, name: str) -> list:
    tokens: list = []
    i = 0
    while i < len(src):
        c = src[i]
        if c.isspace():
            i += 1
        elif c in "[],":
            tokens.append(c)
            i += 1
        else:
            j = i
            while j < len(src) and src[j] not in "[],\t\n " :
                j += 1
            tokens.append(src[i:j])
            i = j
    if not tokens:
        raise InputError(f"no value given for {name}")
    return tokens


def _split_top(text: str) -> list[str]:
    """Split ``"x=3,y=[1,2]"`` at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def parse_assignments(items: Optional[List[str]], option: str = "--at") -> dict:
    """``["x=3", "y=[1,2]"]`` or ``["x=3,y=2"]`` → ``{"x": 3.0, "y": array([1., 2.])}``."""
    values: dict = {}
    for item in items or []:
        parts = _split_top(item)
        if not parts:
            raise InputError(f"{option} needs NAME=VALUE, got {item!r}")
        for part in parts:
            if "=" not in part:
                raise InputError(f"{option} needs NAME=VALUE, got {part.strip()!r} (for example {option} x=3)")
            name, _, text = part.partition("=")
            name = name.strip()
            if not name.isidentifier():
                raise InputError(f"{option}: {name!r} is not a variable name")
            if name in values:
                raise InputError(f"{option}: {name} is given twice")
            values[name] = parse_value(text, name)
    return values


# ---------------------------------------------------------------- building the trace
def _parse(expr: str) -> Any:
    from .expr import ParseError, parse

    try:
        return parse(expr)
    except ParseError as err:
        where = "\n".join(err.pretty(width=70).splitlines()[:2])   # the expression and the caret
        raise InputError(f"syntax error: {err}", _indent(where)) from None


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _record(expr: str, at: Optional[List[str]]) -> tuple[Any, Any, dict]:
    """Parse EXPR, check ``--at`` against its variables and trace it: ``(expression, trace, values)``."""
    import numpy as np

    from .engine import trace

    if expr == "-":                       # read the expression from standard input
        expr = sys.stdin.read().strip()
    expression = _parse(expr)
    values = parse_assignments(at)
    names = expression.variables
    if not names:
        with np.errstate(all="ignore"):
            constant = expression()
        from .render.table import format_value

        raise InputError(f"the expression has no variables (its value is {format_value(constant)}): "
                         "there is nothing to differentiate")
    missing = [n for n in names if n not in values]
    extra = [n for n in values if n not in names]
    if missing:
        hint = " ".join(f"--at {n}=…" for n in missing)
        raise InputError(f"no value for {_names(missing)}: the expression uses {_names(names)} (add {hint})")
    if extra:
        raise InputError(f"{_names(extra)} {'is' if len(extra) == 1 else 'are'} not in the expression "
                         f"(it uses {_names(names)})")
    with np.errstate(all="ignore"):
        try:
            t = trace(expression, **{n: values[n] for n in names})
        except ValueError as err:   # e.g. an index out of range, clashing shapes
            raise InputError(str(err)) from None
    return expression, t, {n: values[n] for n in names}


def _names(names: Any) -> str:
    return ", ".join(names)


def _warn_nonfinite(t: Any, ascii: bool = False, sweeps: Any = ()) -> None:
    """Print one honest warning per node where the computation produced nan or inf, and per
    node whose local derivative (as used by ``sweeps``) is not finite although its value is."""
    from .engine import notation
    from .render.table import format_value, nonfinite_origins, nonfinite_partials

    conv = notation.to_ascii if ascii else (lambda s: s)
    for node in t.nodes:
        if node.is_input and not _all_finite(node.value):
            typer.echo(f"adviz: warning: the input {node.name} = {format_value(node.value)} is not finite; "
                       "values and derivatives that depend on it inherit it", err=True)
    for node in nonfinite_origins(t):
        args = ", ".join(f"{o.text} = {format_value(o.value)}" for o in node.operands if o.node is not None)
        constants = [o for o in node.operands if o.node is None and not _all_finite(o.value)]
        why = (f"a constant of the expression is already {_nonfinite_word(constants[0].value)}: it overflowed "
               "a float" if constants else f"outside the domain of {node.op}, or an overflow")
        typer.echo(f"adviz: warning: {node.name} = {conv(node.definition)} is {_nonfinite_word(node.value)}"
                   f"{f' at {args}' if args else ''} ({why}); "
                   "later values and derivatives inherit it", err=True)
    warned = set()
    for sweep in sweeps:
        for term in nonfinite_partials(sweep):
            out, wrt = (term.target, term.source) if sweep.mode == "forward" else (term.source, term.target)
            if (out, wrt) in warned:
                continue
            warned.add((out, wrt))
            node, operand = t.nodes[out], t.nodes[wrt]
            d = "d" if ascii else "∂"
            typer.echo(f"adviz: warning: the local derivative {d}{node.name}/{d}{operand.name} = "
                       f"{conv(term.partial)} of {node.name} = {conv(node.definition)} is "
                       f"{_nonfinite_word(term.partial_value)} at {operand.name} = {format_value(operand.value)} "
                       "(the slope is infinite or undefined there); derivatives through it are not finite", err=True)


def _all_finite(value: Any) -> bool:
    import numpy as np

    return bool(np.all(np.isfinite(np.asarray(value))))


def _nonfinite_word(value: Any) -> str:
    import numpy as np

    a = np.asarray(value)
    kinds = [w for w, present in (("nan", np.isnan(a).any()), ("inf", np.isposinf(a).any()),
                                  ("-inf", np.isneginf(a).any())) if present]
    return "/".join(kinds) or "not finite"


def _console(ascii: bool = False) -> Any:
    """A rich Console that prints plain text when piped or when NO_COLOR is set."""
    from rich.console import Console

    plain = "NO_COLOR" in os.environ and os.environ.get("NO_COLOR", "") != ""
    kwargs: dict = {"highlight": False, "emoji": False}
    if plain:
        kwargs["color_system"] = None
    if ascii:
        kwargs["safe_box"] = True
    return Console(**kwargs)


def _sweeps(t: Any, mode: str, seed: Optional[List[str]]) -> tuple[list, list]:
    """Run the sweeps a command needs, straight from the engine's records."""
    import numpy as np

    forward, reverse = [], []
    if mode in ("forward", "both"):
        if seed:
            direction = parse_assignments(seed, "--seed")
            unknown = [n for n in direction if n not in t.input_names]
            if unknown:
                raise InputError(f"--seed: {_names(unknown)} {'is' if len(unknown) == 1 else 'are'} not an input "
                                 f"(inputs: {_names(t.input_names)})")
            try:
                forward.append(t.forward(direction))
            except ValueError as err:
                raise InputError(f"--seed: {err}") from None
        else:
            forward = [t.forward(name) for name in t.input_names]
    if mode in ("reverse", "both"):
        out = t.output
        if out.shape == ():
            reverse.append(t.reverse())
        else:
            size = int(np.prod(out.shape))
            for k in range(size):
                adjoint = np.zeros(out.shape)
                adjoint.flat[k] = 1.0
                reverse.append(t.reverse(adjoint))
    return forward, reverse


_MODES = ("forward", "reverse", "both")


def _check_mode(mode: str, allowed: tuple = _MODES) -> str:
    mode = mode.lower()
    if mode not in allowed:
        raise InputError(f"--mode must be one of {', '.join(allowed)}, not {mode!r}")
    return mode


# ---------------------------------------------------------------- JSON
def to_json_value(value: Any) -> Any:
    """NumPy values → JSON: numbers, nested lists, and the strings "inf", "-inf", "nan".

    ``None`` stays ``null`` (a term with no elementwise partial, such as ``sum``'s).
    """
    import math

    import numpy as np

    if value is None:                    # e.g. the partial of a structural rule (sum, reshape)
        return None
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    a = np.asarray(value)
    if a.ndim > 0:
        return [to_json_value(v) for v in a]
    x = a.item()
    if isinstance(x, complex):
        return {"real": to_json_value(x.real), "imag": to_json_value(x.imag)}
    if isinstance(x, bool) or isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def _node_json(node: Any) -> dict:
    return {"name": node.name, "op": node.op, "definition": node.definition,
            "operands": [o.text for o in node.operands], "value": to_json_value(node.value),
            "shape": list(node.shape), "is_input": node.is_input, "is_output": node.is_output}


def _sweep_json(sweep: Any, trace: Any) -> dict:
    steps = []
    for step in sweep.steps:
        steps.append({
            "node": trace.nodes[step.node].name,
            "value": to_json_value(step.value),
            "terms": [{"update": term.update(), "update_ascii": term.update(ascii=True),
                       "from": trace.nodes[term.source].name, "to": trace.nodes[term.target].name,
                       "partial": term.partial, "partial_value": to_json_value(term.partial_value),
                       "contribution": to_json_value(term.contribution), "total": to_json_value(term.total)}
                      for term in step.terms],
        })
    result = sweep.result
    return {"mode": sweep.mode, "seed": to_json_value(sweep.seed), "steps": steps, "ops": sweep.ops,
            "result": to_json_value(result)}


# ---------------------------------------------------------------- commands
@app.command()
def trace(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[str, typer.Option("--mode", "-m", help="Which sweeps to show: forward, reverse or both.")] = "both",
    seed: Annotated[Optional[List[str]], typer.Option(
        "--seed", "-s", metavar="NAME=VALUE",
        help="Forward-mode direction, e.g. --seed x=1 --seed y=0 (inputs left out get 0). "
             "Default: one forward sweep per input.")] = None,
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """Show the tape of EXPR and the chain rule run forwards and backwards.

    Example:  adviz trace "sin(x**2+1)" --at x=3
    """
    mode = _check_mode(mode)
    _, t, values = _record(expr, at)
    forward, reverse = _sweeps(t, mode, seed)
    _warn_nonfinite(t, ascii, [*forward, *reverse])
    if json:
        _print_json({"expression": expr, "at": to_json_value(values), "value": to_json_value(t.value),
                     "output": t.output.name,
                     "nodes": [_node_json(n) for n in t.nodes],
                     "forward": [_sweep_json(s, t) for s in forward],
                     "reverse": [_sweep_json(s, t) for s in reverse]})
        return
    from .render.table import forward_table, input_text, reverse_table, summary_table, tape_table

    console = _console(ascii)
    console.print(f"adviz trace  {expr}  at {input_text(values, full)}", style="bold", markup=False)
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


@app.command()
def grad(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """Value and gradient of a scalar EXPR (one reverse sweep).

    Example:  adviz grad "x1*x2 + sin(x1)" --at x1=2 --at x2=5
    """
    _, t, values = _record(expr, at)
    if t.output.shape != ():
        raise InputError(f"grad needs a scalar expression, this one has shape {t.output.shape}: "
                         "use adviz jacobian")
    sweep = t.reverse()
    _warn_nonfinite(t, ascii, [sweep])
    if json:
        _print_json({"expression": expr, "at": to_json_value(values), "value": to_json_value(t.value),
                     "gradient": to_json_value(sweep.result)})
        return
    from .render.table import gradient_table, input_text

    console = _console(ascii)
    console.print(f"adviz grad  {expr}  at {input_text(values, full)}", style="bold", markup=False)
    console.print(gradient_table(sweep, ascii=ascii, full=full))
    console.print(f"One reverse sweep, {sweep.ops} chain-rule terms. Every step: adviz trace", style="dim",
                  markup=False)


# ---------------------------------------------------------------- graph (adviz.render.graph)
@app.command()
def graph(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[Optional[str], typer.Option(
        "--mode", "-m", help="Draw a sweep on the graph: forward or reverse. Default: values and local "
                             "partials only (reverse when --step is given).")] = None,
    step: Annotated[Optional[int], typer.Option(
        "--step", "-k", metavar="K", help="Show the sweep after K steps (0: only the seed is known).")] = None,
    seed: Annotated[Optional[List[str]], typer.Option(
        "--seed", "-s", metavar="NAME=VALUE",
        help="Forward-mode direction, e.g. --seed x1=1 (inputs left out get 0). Default: the first input.")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE",
        help="Where to write: .svg, .png, .pdf (needs Graphviz's dot program) or .dot (the DOT source). "
             "Default: ./adviz-graph.svg")] = None,
    expand: Annotated[bool, typer.Option(
        "--expand", help="Draw every node of a big tape instead of folding repeated structure.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Say which Graphviz (dot program or WebAssembly) rendered the picture.")] = False,
    animate: Annotated[bool, typer.Option(
        "--animate", "-a", help="Write one self-contained HTML page that plays the sweep step by step "
                                "(default -o ./adviz-sweep.html; --step K opens it at step K).")] = False,
    json: JsonOption = False,
) -> None:
    """Draw the computational graph of EXPR, optionally with a forward or reverse sweep.

    Example:  adviz graph "sin(x**2+1)" --at x=3 --mode reverse --step 2 -o step2.svg
    Animated: adviz graph "sin(x**2+1)" --at x=3 --animate -o sweep.html
    """
    import logging

    from .render.graph import FORMATS, folding_note, write_graph
    from .render.graphviz_backend import NoBackendError, RenderError, backend_name

    if mode is None and (step is not None or animate):
        mode = "reverse"
    mode = _check_mode(mode, ("forward", "reverse")) if mode is not None else None
    path = output if output is not None else Path("adviz-sweep.html" if animate else "adviz-graph.svg")
    fmt = path.suffix.lstrip(".").lower().replace("gv", "dot")
    if animate and fmt not in ("html", "htm"):
        raise InputError(f"-o {path}: --animate writes an HTML page; the file name must end in .html")
    if not animate and fmt not in FORMATS:
        hint = " (add --animate for an HTML page that plays the sweep)" if fmt in ("html", "htm") else ""
        raise InputError(f"-o {path}: the file name must end in .svg, .png, .pdf or .dot{hint}")
    _, t, values = _record(expr, at)
    sweep = None
    if mode == "forward" and not seed:
        sweep = t.forward(t.input_names[0])
        if len(t.input_names) > 1:
            typer.echo(f"adviz: note: forward sweep seeded on {t.input_names[0]} (choose with --seed)", err=True)
    elif mode is not None:
        sweeps = _sweeps(t, mode, seed)
        sweep = (sweeps[0] or sweeps[1])[0]
        if mode == "reverse" and t.output.shape != ():
            typer.echo(f"adviz: note: the output has shape {t.output.shape}; "
                       "the reverse sweep is seeded on its first entry", err=True)
    if step is not None and not 0 <= step <= len(sweep.steps):
        raise InputError(f"--step must be from 0 to {len(sweep.steps)} (this {mode} sweep has "
                         f"{len(sweep.steps)} steps), got {step}")
    handler = None
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("adviz: %(message)s"))
        logger = logging.getLogger("adviz.render")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        if animate:
            from .render.html import write_sweep_html

            write_sweep_html(t, path, sweep=sweep, start=step or 0, expand=expand)
        else:
            write_graph(t, path, sweep, step, expand=expand)
    except NoBackendError as err:
        raise InputError(str(err)) from None
    except RenderError as err:
        raise _fail(str(err), code=1) from None
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        if handler is not None:
            logging.getLogger("adviz.render").removeHandler(handler)
    note = folding_note(t, expand=expand)
    if json:
        _print_json({"expression": expr, "at": to_json_value(values), "path": str(path), "format": fmt,
                     "mode": mode, "step": step, "nodes": len(t.nodes),
                     "backend": None if fmt == "dot" else backend_name(), "folded": note or None,
                     "frames": len(sweep.steps) + 1 if animate else None})
        return
    if note:
        typer.echo(f"adviz: note: {note}", err=True)
    typer.echo(str(path))


@app.command()
def jacobian(
    expr: ExprArgument,
    at: AtOption = None,  # type: ignore[assignment]
    mode: Annotated[str, typer.Option(
        "--mode", "-m", help="forward (one sweep per input component), reverse (one per output "
                             "component) or both (run both and check they agree).")] = "both",
    json: JsonOption = False,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """The Jacobian of a (vector-valued) EXPR, and how many sweeps each mode needs.

    Forward mode fills the Jacobian one column per sweep (seed one input component);
    reverse mode fills it one row per sweep (seed one output component).

    Example:  adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3 --mode reverse
    """
    import numpy as np

    from .render.table import component_names, output_name

    mode = _check_mode(mode)
    _, t, values = _record(expr, at)
    out = t.output
    columns = [(node, idx) for node in t.inputs for idx in np.ndindex(*node.shape)]
    col_names = [n for node in t.inputs for n in component_names(node.name, node.shape)]
    row_names = component_names(output_name(t), out.shape)
    n, m = len(columns), int(np.prod(out.shape, dtype=int))
    matrices, terms = {}, {}
    if mode in ("forward", "both"):                   # one forward sweep per input component
        cols, ops = [], 0
        for node, idx in columns:
            tangent = np.zeros(node.shape)
            tangent[idx] = 1.0
            sweep = t.forward({node.name: tangent})
            cols.append(np.ravel(sweep.result))
            ops += sweep.ops
        matrices["forward"], terms["forward"] = np.stack(cols, axis=1), ops
    if mode in ("reverse", "both"):                   # one reverse sweep per output component
        rows, ops = [], 0
        for idx in np.ndindex(*out.shape):
            adjoint = np.zeros(out.shape)
            adjoint[idx] = 1.0
            sweep = t.reverse(adjoint)
            rows.append(np.concatenate([np.ravel(sweep.result[node.name]) for node in t.inputs]))
            ops += sweep.ops
        matrices["reverse"], terms["reverse"] = np.stack(rows, axis=0), ops
    _warn_nonfinite(t, ascii)
    matrix = matrices.get("forward", matrices.get("reverse"))
    agree = None
    if len(matrices) == 2:
        agree = bool(np.allclose(matrices["forward"], matrices["reverse"], rtol=1e-12, atol=0, equal_nan=True))
        if not agree:
            typer.echo("adviz: warning: the forward and reverse Jacobians differ", err=True)
    if json:
        by_input, start = {}, 0
        for node in t.inputs:
            size = int(np.prod(node.shape, dtype=int))
            by_input[node.name] = to_json_value(matrix[:, start:start + size].reshape(out.shape + node.shape))
            start += size
        data = {"expression": expr, "at": to_json_value(values), "value": to_json_value(t.value),
                "mode": mode, "rows": row_names, "columns": col_names, "jacobian": to_json_value(matrix),
                "jacobian_by_input": by_input, "sweeps": {"forward": n, "reverse": m},
                "terms": terms}
        if agree is not None:
            data["modes_agree"] = agree
        _print_json(data)
        return
    from .render.table import format_value, input_text, jacobian_table, sweep_count_table

    console = _console(ascii)
    console.print(f"adviz jacobian  {expr}  at {input_text(values, full)}", style="bold", markup=False)
    console.print(f"{row_names[0].split('[')[0]} = {format_value(t.value, full)}", markup=False)
    console.print()
    used = " and ".join(k for k in ("forward", "reverse") if k in matrices)
    console.print(jacobian_table(row_names, col_names, matrix, ascii=ascii,
                                 title=f"Jacobian ({m} x {n}), computed in {used} mode"))
    console.print()
    console.print(sweep_count_table({"forward": n, "reverse": m}, terms, ascii=ascii))
    cheaper = "forward" if n < m else "reverse" if m < n else "either"
    note = (f"{n} input component{'s' if n != 1 else ''}, {m} output component{'s' if m != 1 else ''}: "
            f"{cheaper} mode needs fewer sweeps here.")
    if agree:
        note += " Both modes gave the same Jacobian."
    console.print(note, markup=False)


@app.command()
def demo(
    expr: Annotated[Optional[str], typer.Argument(
        metavar="[EXPR]", help="The expression (default: sin(x**2+1) at x=3).", show_default=False)] = None,
    at: AtOption = None,  # type: ignore[assignment]
    auto: Annotated[Optional[float], typer.Option(
        "--auto", metavar="SECONDS", help="Advance by itself every SECONDS instead of waiting for Enter.")] = None,
    ascii: AsciiOption = False,
    full: FullOption = False,
) -> None:
    """A classroom walk-through: the tape, then the forward and the reverse sweep, one step at a time.

    Press Enter to advance (q then Enter to stop); --auto SECONDS plays it by itself.

    Example:  adviz demo "x1*x2 + sin(x1)" --at x1=2 --at x2=5 --auto 2
    """
    import time

    if expr is None:
        expr, at = "sin(x**2+1)", at or ["x=3"]
    if auto is not None and not auto >= 0:
        raise InputError("--auto needs a number of seconds >= 0")
    _, t, values = _record(expr, at)
    if t.output.shape != ():
        raise InputError(f"demo needs a scalar expression, this one has shape {t.output.shape}")
    _warn_nonfinite(t, ascii)
    console = _console(ascii)
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


def _demo_frames(t: Any, expr: str, values: dict, console: Any, ascii: bool, full: bool) -> list:
    """Every screen of ``adviz demo`` as ``(title, renderable, note)``, built from the records."""
    from .engine import notation
    from .render.table import (explain_term, format_value, input_text, output_name, progress_table,
                               summary_table, sweep_terms, tape_table)

    y = output_name(t)
    a = (lambda s: notation.to_ascii(s).replace("→", "->")) if ascii else (lambda s: s)  # noqa: E731
    max_rows = max(3, console.height - 12)
    frames: list = [("the idea", None, a(
        f"We compute y = {expr} at {input_text(values, full)} and its derivative(s).\n\n"
        "1. Record the tape: the computation cut into primitives, v1, v2, … in order.\n"
        f"2. Forward sweep: push tangents ({notation.dot(t.input_names[0], ascii)} = 1) from the input to the output.\n"
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
        seed = ", ".join(f"{notation.dot(n, ascii)} = {format_value(v, full)}" for n, v in sweep.seed.items())
        terms = sweep_terms(sweep)
        frames.append((f"forward sweep, seed {seed}", progress_table(sweep, 0, ascii=ascii, full=full,
                                                                     max_rows=max_rows),
                       a(f"Seed {seed}: we ask how y moves when {next(iter(sweep.seed))} moves. Tangents flow "
                         "in tape order.")))
        for k, term in enumerate(terms, start=1):
            frames.append((f"forward {k}/{len(terms)}", progress_table(sweep, k, ascii=ascii, full=full,
                                                                       max_rows=max_rows),
                           explain_term(sweep, term, ascii=ascii, full=full)))
        dy = f"{notation.dot(y, ascii)} = {format_value(sweep.result, full)}"
        others = "" if len(shown) == len(forward) else (
            f" The other {len(forward) - 1} inputs each need a sweep of their own (see the summary).")
        frames[-1] = (frames[-1][0], frames[-1][1], frames[-1][2] + "\n" + a(
            f"Done: {dy} is d{y}/d{next(iter(sweep.seed))}, one forward sweep per input.{others}"))
    reverse = t.reverse()
    terms = sweep_terms(reverse)
    frames.append((f"reverse sweep, seed {notation.bar(y, ascii)} = 1",
                   progress_table(reverse, 0, ascii=ascii, full=full, max_rows=max_rows),
                   a(f"Seed {notation.bar(t.output.name, ascii)} = {notation.bar(y, ascii)} = 1. "
                     "Adjoints flow backwards: each "
                     "node sends its adjoint to its operands.")))
    for k, term in enumerate(terms, start=1):
        frames.append((f"reverse {k}/{len(terms)}", progress_table(reverse, k, ascii=ascii, full=full,
                                                                   max_rows=max_rows),
                       explain_term(reverse, term, ascii=ascii, full=full)))
    grads = ", ".join(f"{notation.bar(n, ascii)} = {format_value(g, full)}" for n, g in reverse.result.items())
    frames.append(("summary", summary_table(t, forward, [reverse], ascii=ascii, full=full, title=None),
                   a(f"One reverse sweep gave the whole gradient ({grads}); forward mode needed "
                     f"{len(forward)} sweep{'s' if len(forward) != 1 else ''}, one per input.")))
    return frames


@app.command()
def lessons(
    dest: Annotated[Path, typer.Argument(metavar="[DIR]", help="Where to copy the notebooks.")] = Path("adviz-lessons"),
    force: Annotated[bool, typer.Option(
        "--force", help="Replace lessons you changed in DIR with fresh copies (your changes are lost).")] = False,
) -> None:
    """Copy the lesson notebooks into DIR (default ./adviz-lessons) and say how to open them.

    Running it again only adds what is missing; a lesson you changed is kept unless --force.

    Example:  adviz lessons ~/ad-course
    """
    try:
        from .lessons import LessonsModifiedError, copy_lessons, lesson_paths
    except ImportError:
        typer.echo("No lessons are installed yet in this version of adviz.")
        return
    try:
        # Which lessons are already there, unchanged? (They are left alone; say so honestly.)
        present = {s.name for s in lesson_paths()
                   if (dest / s.name).is_file() and (dest / s.name).read_bytes() == s.read_bytes()}
    except OSError:
        present = set()
    try:
        copied = copy_lessons(dest, overwrite=force)
    except LessonsModifiedError as err:
        names = ", ".join(p.name for p in err.paths)
        some = "1 lesson was" if len(err.paths) == 1 else f"{len(err.paths)} lessons were"
        raise InputError(f"{some} changed in {dest} ({names}), so nothing was copied; move "
                         f"{'it' if len(err.paths) == 1 else 'them'} away, or run: adviz lessons {dest} --force "
                         "(replaces them with fresh copies)") from None
    except OSError as err:
        raise InputError(f"cannot copy the lessons to {dest}: {err.strerror or err}") from None
    if not copied:
        typer.echo("No lessons are installed yet in this version of adviz.")
        return
    fresh = [p for p in copied if p.name not in present]
    if fresh:
        typer.echo(f"Copied {len(fresh)} lesson{'s' if len(fresh) != 1 else ''} to {dest}"
                   f"{f' ({len(present)} already there, unchanged)' if present else ''}:")
    else:
        typer.echo(f"All {len(copied)} lessons are already in {dest}, unchanged; nothing to copy:")
    for path in copied:
        typer.echo(f"  {path}")
    typer.echo(f"Open them with:  jupyter lab {dest}   (or: jupyter notebook {dest})")


# ---------------------------------------------------------------- compare (owned by the comparisons module)
@app.command()
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

    Example:  adviz compare "sin(x**2+1)" --at x=3 --plot fd.png
    """
    import time

    import numpy as np

    from .numeric.compare import compare as run_compare

    expression, t, values = _record(expr, at)
    if t.output.shape != ():
        raise InputError(f"compare needs a scalar expression, this one has shape {t.output.shape}: "
                         "use adviz jacobian")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot needs a file name ending in .png or .svg, got {plot.name!r}")
    _warn_nonfinite(t, ascii)
    # One evaluation, timed, says whether the h sweep (151 steps × 5 evaluations) deserves a
    # progress bar: only when it will take more than a moment, and never inside JSON output.
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        expression(**values)
    slow = (time.perf_counter() - start) * 151 * 5 > 0.5 and not json
    progress_bar = None
    if slow:
        from rich.console import Console
        from rich.progress import Progress

        progress_bar = Progress(console=Console(stderr=True), transient=True)
    try:
        if progress_bar is not None:
            with progress_bar:
                task = progress_bar.add_task("sweeping h", total=None)
                report = run_compare(expression, values, wrt=wrt,
                                     progress=lambda done, total: progress_bar.update(task, completed=done, total=total))
        else:
            report = run_compare(expression, values, wrt=wrt)
    except ValueError as err:  # e.g. --wrt names no variable
        raise InputError(str(err)) from None
    if plot is not None:
        from .render.plots import save_figure

        save_figure(report.plot(), plot)
    if json:
        _print_json({**report.to_dict(), "plot": None if plot is None else str(plot)})
        return
    from .render.compare_table import comparison_renderable

    console = _console(ascii)
    console.print(comparison_renderable(report, ascii=ascii))
    if plot is not None:
        console.print(f"error-vs-h figure saved to {plot}", style="dim", markup=False, highlight=False)


# ---------------------------------------------------------------- entry point
def main(argv: Optional[List[str]] = None) -> None:
    """The ``adviz`` console script: run the app; never show a traceback.

    Exit codes: 0 success, 2 usage or input error, 1 anything else.
    """
    try:
        app(args=argv, prog_name="adviz")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("adviz: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # noqa: BLE001
        typer.echo(f"adviz: error: {_one_line(_describe(err))}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
