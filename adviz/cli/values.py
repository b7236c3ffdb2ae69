"""The ``--at`` value reader: ``x=3``, ``x=1/2``, ``x=-pi``, ``x=[1,2,3]``, ``W=[[1,2],[3,4]]``, ``"x=3,y=2"``.

A value is read by the same safe expression language as EXPR (:func:`adviz.expr.parse_constant`),
never with ``eval``: numbers, ``pi``, ``e``, ``inf``, ``nan``, arithmetic and function calls on
them, and (nested) lists for vectors and matrices, but no variables. So ``--at x=pi/4`` works
exactly as ``pi/4`` does inside an expression, and a mistake is shown with a caret under it.
"""

from __future__ import annotations

import re
from typing import Any, List, Optional

from .app import InputError

__all__ = ["caret_width", "parse_assignments", "parse_value"]


def caret_width() -> int:
    """How many characters of an expression a syntax error shows above its caret: 70, or less
    in a narrow terminal, so that the line never wraps and the caret stays under the spot
    (the line is two spaces, an ellipsis, the window and an ellipsis)."""
    import shutil

    return max(16, min(70, shutil.get_terminal_size((80, 24)).columns - 4))

MAX_VALUE_LENGTH = 1_000_000
"""Longest accepted value, in characters (a vector of about 100,000 numbers)."""


def parse_value(text: str, name: str = "value") -> Any:
    """Read one value: a float for a number, a float NumPy array for a (nested) list.

    >>> parse_value("[1, 2.5]").tolist(), parse_value("1/4")
    ([1.0, 2.5], 0.25)
    """
    from ..expr import EvaluationError, ParseError, parse_constant

    src = text.strip()
    if not src:
        raise InputError(f"no value given for {name} (write {name}=3)")
    try:
        if len(src) <= MAX_VALUE_LENGTH:      # before the parser, which refuses such a number less briefly
            _refuse_out_of_range_numbers(src, name)
        value = parse_constant(src, max_length=MAX_VALUE_LENGTH)
    except ParseError as err:
        if err.message.startswith("unclosed '['"):
            problem = "ends before its closing ']'"
        elif err.message.startswith("value too long"):
            problem = f"is too long ({len(src):,} characters; the limit is {MAX_VALUE_LENGTH:,})"
        elif "is a variable" in err.message:
            problem = f"is not a number: {err.message}"
        else:
            problem = f"is not valid: {err.message}"
        detail = "\n".join("  " + line for line in err.pretty(width=caret_width()).splitlines()[:2])
        raise InputError(f"the value for {name} {problem} (column {err.column + 1})", detail) from None
    except EvaluationError as err:
        raise InputError(f"the value for {name}: {err}") from None
    return float(value) if value.ndim == 0 else value


# A typed number can overflow or underflow only with a 3-digit exponent (1e309, 1e-999) or 100+
# digits in a row (a 309-digit integer, 0.000…0001): a cheap test that spares tokenizing every long vector.
_MAY_BE_OUT_OF_RANGE = re.compile(r"[eE][+-]?\d{3}|\d{100}")


def _refuse_out_of_range_numbers(src: str, name: str) -> None:
    """Refuse a typed number that no float holds (``1e999999``, ``1e-999``): the expression
    language's own check (:func:`adviz.expr.literal_out_of_range`), said as one line about the
    value before the parser would say it as a syntax error with a caret."""
    if not _MAY_BE_OUT_OF_RANGE.search(src):
        return
    from ..expr import literal_out_of_range, tokenize

    for tok in tokenize(src):
        problem = literal_out_of_range(tok.text) if tok.kind == "number" else None
        if problem is not None:
            raise InputError(f"the value for {name}: {problem}")


def _split_top(text: str) -> list[str]:
    """Split ``"x=3,y=[1,2]"`` at the commas outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _is_name(name: str) -> bool:
    """A variable name as the expression language spells it: ASCII letters, digits, ``_``."""
    return name.isascii() and name.isidentifier()


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
            if not _is_name(name):
                from ..expr import shortened

                raise InputError(f"{option}: {shortened(name, 30)!r} is not a variable name (letters, digits and _, "
                                 "starting with a letter or _)")
            if name in values:
                raise InputError(f"{option}: {name} is given twice")
            values[name] = parse_value(text, name)
    return values
