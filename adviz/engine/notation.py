"""The textbook notation for tangents and adjoints, in Unicode and in plain ASCII.

* tangent (forward mode) of ``v2``: ``v̇2`` — "v-dot", how fast v2 moves;
* adjoint (reverse mode) of ``v2``: ``v̄2`` — "v-bar", ∂output/∂v2.

The accent is a combining character placed on the name's first letter, so ``x1`` becomes
``ẋ1`` and ``W`` becomes ``W̄``.  ASCII terminals get ``v2_dot`` and ``v2_bar`` instead.
"""

from __future__ import annotations

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


def to_ascii(text: str) -> str:
    """Replace the Unicode symbols used in formulas by ASCII spellings."""
    table = {"·": "*", "ᵀ": ".T", "≤": "<=", "≥": ">=", "⁻¹": "^-1", "⁻ᵀ": "^-T", "…": "...", "Σ": "sum",
             "Π": "prod", "√": "sqrt", "∛": "cbrt", "×": "*", "÷": "/", "−": "-", "∂": "d"}
    for k in sorted(table, key=len, reverse=True):
        text = text.replace(k, table[k])
    return text.replace(DOT, "").replace(BAR, "")
