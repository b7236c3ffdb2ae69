"""The textbook notation for tangents and adjoints, in Unicode and in plain ASCII.

* tangent (forward mode) of ``v2``: ``v̇2`` — "v-dot", how fast v2 moves;
* adjoint (reverse mode) of ``v2``: ``v̄2`` — "v-bar", ∂output/∂v2.

The accent is a combining character placed on the name's first letter, so ``x1`` becomes
``ẋ1`` and ``W`` becomes ``W̄``.  ASCII terminals get ``v2_dot`` and ``v2_bar`` instead.
"""

from __future__ import annotations

from typing import Sequence

DOT = "\u0307"  # combining dot above
BAR = "\u0304"  # combining macron


def _accent(name: str, mark: str) -> str:
    """Put ``mark`` on the name's first letter; for a dict entry (``params["W"]``, a pytree
    input of ``ad.trace``) on the key's first letter, ``params["W̄"]``: the adjoint of W."""
    if name.endswith('"]'):
        start = name.rfind('["') + 2
        if 2 <= start < len(name) - 2:
            return name[:start + 1] + mark + name[start + 1:]
    return name[0] + mark + name[1:] if name else name


def dot(name: str, ascii: bool = False) -> str:
    """Tangent symbol: ``dot("v2") == "v̇2"``; ``dot("v2", ascii=True) == "v2_dot"``."""
    return f"{name}_dot" if ascii else _accent(name, DOT)


def bar(name: str, ascii: bool = False) -> str:
    """Adjoint symbol: ``bar("v2") == "v̄2"``; ``bar("v2", ascii=True) == "v2_bar"``."""
    return f"{name}_bar" if ascii else _accent(name, BAR)


def times(ascii: bool = False) -> str:
    return "*" if ascii else "·"


def signed(formula: str, ascii: bool = False) -> str:
    """A formula's leading minus as a real minus sign: ``signed("-1") == "−1"``,
    ``signed("-sin(v2)") == "−sin(v2)"``.  A hyphen reads as a dash or a subtraction
    (``v̄5·-1``); ``ascii=True`` keeps ``-``.  Minus signs inside a formula (``1 - v**2``)
    are left as written."""
    return formula if ascii or not formula.startswith("-") else "−" + formula[1:]


def to_ascii(text: str) -> str:
    """Replace the Unicode symbols used in formulas by ASCII spellings."""
    table = {"·": "*", "ᵀ": ".T", "≤": "<=", "≥": ">=", "⁻¹": "^-1", "⁻ᵀ": "^-T", "…": "...", "Σ": "sum",
             "Π": "prod", "√": "sqrt", "∛": "cbrt", "×": "*", "÷": "/", "−": "-", "∂": "d"}
    for k in sorted(table, key=len, reverse=True):
        text = text.replace(k, table[k])
    return text.replace(DOT, "").replace(BAR, "")


# ---------------------------------------------------------------- naming the tape's variables
NOTATIONS = ("adviz", "inputs-first", "griewank")
"""How the rows of a tape are named.  The tape itself is the same in every notation:

* ``"adviz"`` (the default): inputs keep their variable names, operations are numbered
  ``v1, v2, …`` — ``x1, x2, v1 = x1*x2, v2 = sin(x1), v3 = v1 + v2``;
* ``"inputs-first"``: every row is numbered, inputs first, as many lecture notes write the
  tape — ``v1 = x1, v2 = x2, v3 = v1*v2, v4 = sin(v1), v5 = v3 + v4``;
* ``"griewank"``: the n inputs are ``v₋ₙ₊₁ … v₀`` and the operations ``v₁ … v_l``, as in
  Griewank & Walther's *Evaluating Derivatives* and the Baydin et al. survey —
  ``v₋₁ = x1, v₀ = x2, v₁ = v₋₁*v₀, v₂ = sin(v₋₁), v₃ = v₁ + v₂``.  Plain-ASCII output
  spells them ``v_-1, v_0, v_1, …``.
"""

_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


def check_notation(name: str) -> str:
    """``name`` if it is one of :data:`NOTATIONS`, else a ValueError that lists them."""
    if name not in NOTATIONS:
        raise ValueError(f"unknown notation {name!r}: choose {', '.join(NOTATIONS)}")
    return name


def default_order(notation: str) -> "str | None":
    """The order ``notation`` lists a tape's operations in, when none is asked for:
    ``"levels"`` for ``"griewank"`` (each operation as early as its operands allow, as the
    Baydin et al. survey's tables list them, row for row), ``None`` (the trace's own order)
    for the others.  The one rule ``Trace.in_notation`` and ``adviz … --notation`` follow."""
    return "levels" if check_notation(notation) == "griewank" else None


def subscript(name: str, number: int, ascii: bool = False) -> str:
    """``subscript("v", -1) == "v₋₁"``; ``subscript("v", -1, ascii=True) == "v_-1"``."""
    return f"{name}_{number}" if ascii else name + str(number).translate(_SUB)


def display_names(names: Sequence[str], is_input: Sequence[bool], notation: str = "adviz",
                  ascii: bool = False) -> list[str]:
    """The name each row of a tape is shown with in ``notation`` (rows in tape order).

    ``names`` are adviz's own names (the inputs' variable names, ``v1, v2, …`` for the
    operations); only the numbering changes, never the rows::

        >>> rows = ["x1", "x2", "v1", "v2", "v3"]; inputs = [True, True, False, False, False]
        >>> display_names(rows, inputs, "inputs-first")
        ['v1', 'v2', 'v3', 'v4', 'v5']
        >>> display_names(rows, inputs, "griewank")
        ['v₋₁', 'v₀', 'v₁', 'v₂', 'v₃']
    """
    check_notation(notation)
    if notation == "adviz":
        return list(names)
    n = sum(bool(i) for i in is_input)
    first_input, first_op = (1, n + 1) if notation == "inputs-first" else (1 - n, 1)
    out, k_in, k_op = [], first_input, first_op
    for inp in is_input:
        if notation == "inputs-first":
            out.append(f"v{k_in if inp else k_op}")
        else:
            out.append(subscript("v", k_in if inp else k_op, ascii))
        k_in, k_op = (k_in + 1, k_op) if inp else (k_in, k_op + 1)
    return out
