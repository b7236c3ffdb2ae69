"""adviz's colour language, shared by every view (graphs, terminal tables, widgets).

One idea per colour, the same everywhere, so a student who learned it on one picture
can read the next:

* **blue is forward mode**: tangents ``v̇``, pushed from the inputs towards the output;
* **orange is reverse mode**: adjoints ``v̄``, pulled from the output back to the inputs;
* a **light** tint marks a value that is already known, the **strong** tone marks the
  step happening *now* (the active node, the edge carrying the current contribution);
* **grey** marks what the sweep has not reached yet;
* node *kinds* are told apart by their outline: inputs green, outputs violet (drawn
  thicker), intermediates slate.

Blue and orange stay distinct for the common kinds of colour blindness.  All colours
are hex strings, usable by Graphviz, rich (``"bold #1d4ed8"``) and HTML/CSS alike.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FONT",
    "FORWARD",
    "INPUT",
    "INTERMEDIATE",
    "OUTPUT",
    "PENDING",
    "REVERSE",
    "TEXT",
    "ModeColours",
    "NodeKind",
    "Pending",
    "mode_colours",
    "rich_style",
]


@dataclass(frozen=True)
class ModeColours:
    """The colours of one sweep direction."""

    mode: str  # "forward" or "reverse"
    strong: str  # the active step: edge, outline, table heading
    light: str  # fill of a node whose tangent/adjoint is known
    active: str  # fill of the node being processed now
    mark: str  # the accent over a name: "\u0307" (v̇) or "\u0304" (v̄)
    word: str  # "tangent" or "adjoint"


FORWARD = ModeColours(
    "forward",
    strong="#1d4ed8",
    light="#dbeafe",
    active="#93c5fd",
    mark="\u0307",
    word="tangent",
)
REVERSE = ModeColours(
    "reverse",
    strong="#c2410c",
    light="#ffedd5",
    active="#fdba74",
    mark="\u0304",
    word="adjoint",
)


@dataclass(frozen=True)
class NodeKind:
    """How a kind of node is outlined (and filled when no sweep is shown)."""

    name: str
    line: str  # outline colour
    fill: str  # fill colour when no sweep is shown
    penwidth: float


INPUT = NodeKind("input", line="#15803d", fill="#dcfce7", penwidth=1.6)
INTERMEDIATE = NodeKind("intermediate", line="#334155", fill="#ffffff", penwidth=1.0)
OUTPUT = NodeKind("output", line="#6d28d9", fill="#ede9fe", penwidth=2.4)


@dataclass(frozen=True)
class Pending:
    """Not reached by the sweep yet."""

    fill: str = "#f3f4f6"
    line: str = "#cbd5e1"
    text: str = "#9ca3af"


PENDING = Pending()

TEXT = "#111827"
"""Ordinary text (values)."""

FONT = "Times"
"""Graphviz font: its metrics are built into every Graphviz, including the WebAssembly one,
and the STIX fonts used to rasterise PNGs match them, so labels fit their boxes."""


def mode_colours(mode: str) -> ModeColours:
    """``FORWARD`` or ``REVERSE`` for ``"forward"``/``"reverse"``."""
    try:
        return {"forward": FORWARD, "reverse": REVERSE}[mode]
    except KeyError:
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}") from None


def rich_style(role: str) -> str:
    """A rich style string for a role in a terminal table.

    Roles: ``"forward"``/``"reverse"`` (derivative columns), ``"forward-active"`` /
    ``"reverse-active"`` (the row being processed), ``"pending"``, ``"input"``,
    ``"output"``.

    >>> rich_style("reverse")
    'bold #c2410c'
    """
    styles = {
        "forward": f"bold {FORWARD.strong}",
        "reverse": f"bold {REVERSE.strong}",
        "forward-active": f"bold {TEXT} on {FORWARD.active}",
        "reverse-active": f"bold {TEXT} on {REVERSE.active}",
        "pending": PENDING.text,
        "input": INPUT.line,
        "output": f"bold {OUTPUT.line}",
    }
    try:
        return styles[role]
    except KeyError:
        raise ValueError(
            f"unknown style role {role!r}; known: {', '.join(styles)}"
        ) from None
