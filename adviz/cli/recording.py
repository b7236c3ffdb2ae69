"""From the command line to a trace: parse EXPR, read ``--at``, record the tape, run the sweeps.

Every command that differentiates starts with :func:`record`; the sweeps it needs come from
:func:`run_sweeps`, and :func:`warn_nonfinite` says honestly where a nan or inf appeared.
Nothing here differentiates: the numbers come from :mod:`adviz.engine`'s records.
"""

from __future__ import annotations

import sys
from typing import Any, List, Optional

from .app import InputError, tell
from .values import caret_width, parse_assignments

__all__ = ["MODES", "arrange", "check_mode", "check_notation", "names_text", "parse_expression", "record", "run_sweeps", "warn_nonfinite"]


def parse_expression(expr: str) -> Any:
    from ..expr import ParseError, parse

    try:
        return parse(expr)
    except ParseError as err:
        where = "\n".join(err.pretty(width=caret_width()).splitlines()[:2])   # the expression and the caret
        raise InputError(f"syntax error: {err}", _indent(where)) from None


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def read_expression(expr: str) -> str:
    """EXPR as typed, or read from standard input when it is ``-``."""
    if expr != "-":
        return expr
    try:
        typing = sys.stdin.isatty()
    except (AttributeError, ValueError):   # closed or not a file
        typing = False
    if typing:   # `adviz grad - --at x=1` typed at a terminal: say what it waits for, or it looks hung
        tell("adviz: reading EXPR from standard input: type it, press Enter, then Ctrl-D")
    text = sys.stdin.read(MAX_STDIN + 1)
    if len(text) > MAX_STDIN:
        raise InputError(f"the expression read from standard input is too long (more than {MAX_STDIN:,} characters)")
    if not text.strip():   # `echo | adviz grad -`: no caret under an empty line
        raise InputError("EXPR is -, but standard input held no expression (try: echo \"sin(x)\" | adviz grad - --at x=1)")
    return text.strip()


MAX_STDIN = 1_000_000
"""Most characters read from standard input for ``EXPR = -`` (the parser refuses far less)."""


def record(expr: str, at: Optional[List[str]]) -> tuple[Any, Any, dict]:
    """Parse EXPR, check ``--at`` against its variables and trace it: ``(expression, trace, values)``.

    ``expression.source`` is the text of the expression (also when it was read from stdin).
    """
    import numpy as np

    from ..engine import trace
    from ..expr import constant_given_a_value

    expression = parse_expression(read_expression(expr))
    values = parse_assignments(at)
    names = expression.variables
    if not names:
        from ..expr import EvaluationError
        from ..render.table import format_value

        try:
            with np.errstate(all="ignore"):
                constant = expression()
        except EvaluationError as err:
            raise InputError(str(err), _caret(err)) from None
        raise InputError(f"the expression has no variables (its value is {format_value(constant)}): "
                         "there is nothing to differentiate")
    missing = [n for n in names if n not in values]
    extra = [n for n in values if n not in names]
    spelled = next((n for n in missing if n.lower() in ("inf", "infinity", "nan", "pi")), None)
    if spelled is not None:   # `x*Inf`: a variable named Inf, where the constant inf was meant
        meant = {"infinity": "inf"}.get(spelled.lower(), spelled.lower())
        raise InputError(f"no value for {spelled}: names are case-sensitive, so {spelled} is a variable here; "
                         f"the constant is written {meant}")
    if missing:
        hint = " ".join(f"--at {names_text([n])}=…" for n in missing)
        given = ""
        if extra:   # `grad "x" --at X=1`: say what was given instead, and why it does not count
            case = any(e.lower() == m.lower() for e in extra for m in missing)
            given = (f"; {names_text(extra)} {'is' if len(extra) == 1 else 'are'} not in it"
                     + (" (names are case-sensitive)" if case else ""))
        raise InputError(f"no value for {names_text(missing)}: the expression uses {names_text(names)} "
                         f"(add {hint}){given}")
    constant = constant_given_a_value(extra)
    if constant:   # `--at e=2` for "e*x": e is in the expression, as the constant
        raise InputError(constant)
    if extra:
        raise InputError(f"{names_text(extra)} {'is' if len(extra) == 1 else 'are'} not in the expression "
                         f"(it uses {names_text(names)})")
    values = {n: values[n] for n in names}
    with np.errstate(all="ignore"):
        try:
            t = trace(expression, **values)
        except ValueError as err:   # e.g. an index out of range, clashing shapes, too big
            raise InputError(str(err), _caret(err)) from None
    return expression, t, values


def _caret(err: Exception) -> str:
    """The expression with a caret under the place an evaluation error names ("" if none)."""
    pretty = getattr(err, "pretty", None)
    return _indent(pretty(width=caret_width())) if callable(pretty) else ""


def names_text(names: Any) -> str:
    """``x, y`` for a message; a name longer than 30 characters is cut with an ellipsis (a
    500-letter name typed by mistake is not echoed back whole)."""
    from ..expr import shortened

    return ", ".join(shortened(name, 30) for name in names)


def warn_nonfinite(t: Any, ascii: bool = False, sweeps: Any = (), derivatives: Any = None) -> None:
    """Print one honest warning per place where the computation left the real numbers.

    * an input that is ``inf``/``nan``;
    * a node whose value is ``nan``/``inf`` although its operands are finite (``log(x)`` at
      ``x = -1``): the warning names the operation as the user wrote it (``/``, ``abs``) and says
      whether the derivatives the command prints (``derivatives``, if given) inherited it;
    * a node whose local derivative (as used by ``sweeps``) is not finite although its value is
      (``sqrt(x)`` at 0, ``x**y`` at ``x = -2`` for the slope in ``y``), with every operand's value.
    """
    from ..engine import notation
    from ..expr import written_as
    from ..render.table import format_value, nonfinite_origins, nonfinite_partials

    conv = notation.to_ascii if ascii else (lambda s: s)
    d = "d" if ascii else "∂"

    def warn(text: str) -> None:
        tell(f"adviz: warning: {conv(text)}")

    def at_operands(node: Any) -> str:
        args = ", ".join(dict.fromkeys(f"{o.text} = {format_value(o.value)}"      # x * x: "at x = 2.0", once
                                       for o in node.operands if o.node is not None))
        return f" at {args}" if args else ""

    derivatives_finite = None if derivatives is None else all(_all_finite(v) for v in derivatives)
    for node in t.nodes:
        if node.is_input and not _all_finite(node.value):
            effect = {None: "values that depend on it inherit it",
                      False: "values and derivatives that depend on it inherit it",
                      True: "values that depend on it inherit it; the derivatives shown stay finite"}
            warn(f"the input {node.name} = {format_value(node.value)} is not finite; {effect[derivatives_finite]}")
    for node in nonfinite_origins(t):
        constants = [o for o in node.operands if o.node is None and not _all_finite(o.value)]
        why = (f"a constant of the expression is {_nonfinite_word(constants[0].value)}, as written or because "
               "a number overflowed a float" if constants
               else "an overflow: the result is beyond the largest float, about 1.8e308" if node.op in _OVERFLOW_ONLY
               else f"outside the domain of {written_as(node.op)}, or an overflow")
        if derivatives_finite is None:
            effect = "later values inherit it"
        elif not derivatives_finite:
            effect = "later values and the derivatives inherit it"
        else:
            partials = [f"{d}{node.name}/{d}{t.nodes[term.target if sweep.mode == 'reverse' else term.source].name}"
                        f" = {term.partial} = {format_value(term.partial_value)}"
                        for sweep in sweeps for term in _terms_of(sweep, node.index)
                        if term.partial_value is not None]
            formula = f" ({'; '.join(dict.fromkeys(partials))})" if partials else ""
            effect = ("later values inherit it, but the derivatives shown stay finite: they use the local "
                      f"derivative formulas{formula}, which are finite there")
        warn(f"{node.name} = {node.definition} is {_nonfinite_word(node.value)}{at_operands(node)} ({why}); {effect}")
    warned = set()
    for sweep in sweeps:
        for term in nonfinite_partials(sweep):
            out, wrt = (term.target, term.source) if sweep.mode == "forward" else (term.source, term.target)
            if (out, wrt) in warned:
                continue
            warned.add((out, wrt))
            node, operand = t.nodes[out], t.nodes[wrt]
            warn(f"the local derivative {d}{node.name}/{d}{operand.name} = {notation.signed(term.partial, ascii)} of {node.name} = "
                 f"{node.definition} is {_nonfinite_word(term.partial_value)}{at_operands(node)} "
                 "(the slope is infinite or undefined there); derivatives through it are not finite")


_OVERFLOW_ONLY = frozenset({"add", "subtract", "multiply", "negative", "exp", "exp2", "expm1", "sinh", "cosh", "square",
                            "hypot", "logaddexp", "sum", "mean", "prod", "dot", "matmul"})
"""Operations defined for every finite number: from finite operands, only an overflow gives inf."""


def _terms_of(sweep: Any, index: int) -> list:
    """The terms of ``sweep`` that use the local derivative of node ``index``."""
    side = "target" if sweep.mode == "forward" else "source"
    return [term for step in sweep.steps for term in step.terms if getattr(term, side) == index]


def _all_finite(value: Any) -> bool:
    import numpy as np

    return bool(np.all(np.isfinite(np.asarray(value))))


def _nonfinite_word(value: Any) -> str:
    import numpy as np

    a = np.asarray(value)
    kinds = [w for w, present in (("nan", np.isnan(a).any()), ("inf", np.isposinf(a).any()),
                                  ("-inf", np.isneginf(a).any())) if present]
    return "/".join(kinds) or "not finite"




def run_sweeps(t: Any, mode: str, seed: Optional[List[str]], max_reverse: Optional[int] = None
               ) -> tuple[list, list]:
    """Run the sweeps a command needs, straight from the engine's records.

    Forward: one sweep per input (or one along ``--seed``). Reverse: one sweep per output
    entry, at most ``max_reverse`` of them (all when None). Recording every sweep of a big
    vector output could need gigabytes, so the work (sweeps × numbers on the tape) is checked
    against :data:`adviz.expr.MAX_ELEMENTS` before any sweep runs.
    """
    import numpy as np

    from ..expr import MAX_ELEMENTS

    forward, reverse = [], []
    if seed and mode == "reverse":   # silently ignoring it would answer a question not asked
        raise InputError("--seed sets the direction of a forward sweep, and --mode reverse runs none (the reverse "
                         "sweep starts from the output): leave out --seed, or use --mode forward")
    if mode in ("forward", "both"):
        if seed:
            direction = parse_assignments(seed, "--seed")
            unknown = [n for n in direction if n not in t.input_names]
            if unknown:
                raise InputError(f"--seed: {names_text(unknown)} {'is' if len(unknown) == 1 else 'are'} not an input "
                                 f"(inputs: {names_text(t.input_names)})")
            for name, tangent in direction.items():   # said in shapes, not in NumPy's broadcasting words
                if not _all_finite(tangent):         # a direction of nan/inf is no direction: every tangent would be nan
                    given = (f"{name}={_nonfinite_word(tangent)}" if np.ndim(tangent) == 0
                             else f"{name} with an entry {_nonfinite_word(tangent)}")
                    raise InputError(f"--seed: {given} is not a direction: a seed must "
                                     "be finite (every tangent would be nan or inf); give a number such as "
                                     f"--seed {name}=1")
                want = t.nodes[t.index(name)].shape
                try:
                    fits = np.broadcast_shapes(np.shape(tangent), want) == want
                except ValueError:
                    fits = False
                if not fits:
                    size = "one number" if want == () else f"of shape {want} (or one number, the same for every entry)"
                    raise InputError(f"--seed: {name} has shape {want}, so its tangent is {size}; "
                                     f"got shape {np.shape(tangent)}")
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
            count = size if max_reverse is None else min(size, max_reverse)
            numbers = sum(int(np.size(node.value)) for node in t.nodes)
            if count * numbers > MAX_ELEMENTS:
                raise InputError(f"{count:,} reverse sweeps (one per output entry) over a tape of {numbers:,} "
                                 f"numbers would record {count * numbers:,} numbers, more than the limit of "
                                 f"{MAX_ELEMENTS:,} (ADVIZ_MAX_ELEMENTS): use --mode forward, leave out --full, "
                                 "or use fewer entries")
            for k in range(count):
                adjoint = np.zeros(out.shape)
                adjoint.flat[k] = 1.0
                reverse.append(t.reverse(adjoint))
    return forward, reverse


def derivative_values(sweeps: Any) -> list:
    """Every derivative the sweeps produced (a forward sweep's tangent, a reverse sweep's adjoints)."""
    values: list = []
    for sweep in sweeps:
        result = sweep.result
        values.extend(result.values() if isinstance(result, dict) else [result])
    return values


MODES = ("forward", "reverse", "both")


def check_mode(mode: str, allowed: tuple = MODES) -> str:
    mode = mode.lower()
    if mode not in allowed:
        raise InputError(f"--mode must be one of {', '.join(allowed)}, not {mode!r}")
    return mode


def check_notation(notation: str) -> str:
    """``--notation`` read case-insensitively, or a one-line error listing the notations."""
    from ..engine.notation import NOTATIONS

    name = notation.lower()
    if name not in NOTATIONS:
        raise InputError(f"--notation must be one of {', '.join(NOTATIONS)}, not {notation!r}")
    return name


def arrange(t: Any, order: Optional[str], notation: str = "adviz") -> tuple[Any, str]:
    """``t`` with its operations in ``--order`` (tape: as they ran; levels: as early as possible),
    and the order used.

    Without ``--order``, each notation lists the operations in its own order
    (:func:`adviz.engine.notation.default_order`, the rule ``Trace.in_notation`` follows too):
    ``--notation griewank`` by levels, so that ``adviz trace "log(x1) + x1*x2 - sin(x2)"
    --notation griewank`` numbers the rows exactly as the Baydin et al. survey does
    (``v₃ = sin v₀``) and as ``t.to_text(notation="griewank")`` does; a trace that cannot be
    reordered (one with ``ad.checkpoint`` blocks) then keeps its tape order. Every other
    notation keeps the tape order.
    """
    from ..engine.notation import default_order
    from ..engine.record import ORDERS

    if order is None:
        wanted = default_order(notation)
        if wanted is not None:
            try:
                return t.reordered(wanted), wanted
            except ValueError:
                return t, "tape"
        return t, "tape"
    if order.lower() not in ORDERS:
        raise InputError(f"--order must be one of {', '.join(ORDERS)}, not {order!r}")
    try:
        return t.reordered(order.lower()), order.lower()
    except ValueError as err:
        raise InputError(str(err)) from None
