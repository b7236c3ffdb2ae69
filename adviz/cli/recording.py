"""From the command line to a trace: parse EXPR, read ``--at``, record the tape, run the sweeps.

Every command that differentiates starts with :func:`record`; the sweeps it needs come from
:func:`run_sweeps`, and :func:`warn_nonfinite` says honestly where a nan or inf appeared.
Nothing here differentiates: the numbers come from :mod:`adviz.engine`'s records.
"""

from __future__ import annotations

import sys
from typing import Any, List, Optional

import typer

from .app import InputError
from .values import parse_assignments

__all__ = ["MODES", "check_mode", "names_text", "parse_expression", "record", "run_sweeps", "warn_nonfinite"]


def parse_expression(expr: str) -> Any:
    from ..expr import ParseError, parse

    try:
        return parse(expr)
    except ParseError as err:
        where = "\n".join(err.pretty(width=70).splitlines()[:2])   # the expression and the caret
        raise InputError(f"syntax error: {err}", _indent(where)) from None


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def record(expr: str, at: Optional[List[str]]) -> tuple[Any, Any, dict]:
    """Parse EXPR, check ``--at`` against its variables and trace it: ``(expression, trace, values)``."""
    import numpy as np

    from ..engine import trace

    if expr == "-":                       # read the expression from standard input
        expr = sys.stdin.read().strip()
    expression = parse_expression(expr)
    values = parse_assignments(at)
    names = expression.variables
    if not names:
        with np.errstate(all="ignore"):
            constant = expression()
        from ..render.table import format_value

        raise InputError(f"the expression has no variables (its value is {format_value(constant)}): "
                         "there is nothing to differentiate")
    missing = [n for n in names if n not in values]
    extra = [n for n in values if n not in names]
    if missing:
        hint = " ".join(f"--at {n}=…" for n in missing)
        raise InputError(f"no value for {names_text(missing)}: the expression uses {names_text(names)} (add {hint})")
    if extra:
        raise InputError(f"{names_text(extra)} {'is' if len(extra) == 1 else 'are'} not in the expression "
                         f"(it uses {names_text(names)})")
    with np.errstate(all="ignore"):
        try:
            t = trace(expression, **{n: values[n] for n in names})
        except ValueError as err:   # e.g. an index out of range, clashing shapes
            raise InputError(str(err)) from None
    return expression, t, {n: values[n] for n in names}


def names_text(names: Any) -> str:
    return ", ".join(names)


def warn_nonfinite(t: Any, ascii: bool = False, sweeps: Any = ()) -> None:
    """Print one honest warning per node where the computation produced nan or inf, and per
    node whose local derivative (as used by ``sweeps``) is not finite although its value is."""
    from ..engine import notation
    from ..render.table import format_value, nonfinite_origins, nonfinite_partials

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




def run_sweeps(t: Any, mode: str, seed: Optional[List[str]]) -> tuple[list, list]:
    """Run the sweeps a command needs, straight from the engine's records."""
    import numpy as np

    forward, reverse = [], []
    if mode in ("forward", "both"):
        if seed:
            direction = parse_assignments(seed, "--seed")
            unknown = [n for n in direction if n not in t.input_names]
            if unknown:
                raise InputError(f"--seed: {names_text(unknown)} {'is' if len(unknown) == 1 else 'are'} not an input "
                                 f"(inputs: {names_text(t.input_names)})")
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


MODES = ("forward", "reverse", "both")


def check_mode(mode: str, allowed: tuple = MODES) -> str:
    mode = mode.lower()
    if mode not in allowed:
        raise InputError(f"--mode must be one of {', '.join(allowed)}, not {mode!r}")
    return mode
