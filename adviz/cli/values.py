"""The ``--at`` value reader: ``x=3``, ``x=[1,2,3]``, ``W=[[1,2],[3,4]]``, ``"x=3,y=2"``.

Values are read by a small parser of their own, never with ``eval``.
"""

from __future__ import annotations

from typing import Any, List, Optional

from .app import InputError

__all__ = ["parse_assignments", "parse_value"]

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
