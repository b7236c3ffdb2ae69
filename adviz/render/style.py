"""adviz's colour language, shared by every view (graphs, terminal tables, widgets).

One idea per colour, the same everywhere, so a student who learned it on one picture
can read the next:

* **blue is forward mode**: tangents ``v̇``, pushed from the inputs towards the output;
* **orange is reverse mode**: adjoints ``v̄``, pulled from the output back to the inputs;
* a **light** tint marks a value that is already known, the **strong** tone marks the
  step happening *now* (the active node, the edge carrying the current contribution);
* **grey** marks what the sweep has not reached yet;
* a **dotted** arrow is one the sweep has passed with nothing to carry (forward mode skips an
  operand whose tangent is 0, such as an input left out of the seed);
* node *kinds* are told apart by their outline: inputs green, outputs violet (drawn
  thicker), intermediates slate.

Blue and orange stay distinct for the common kinds of colour blindness.  All colours
are hex strings, usable by Graphviz, rich (``"bold #1d4ed8"``) and HTML/CSS alike.
"""

from __future__ import annotations

from typing import NamedTuple  # immutable records: frozen dataclasses would compile six methods each on every start-up

__all__ = [
    "FONT",
    "FONT_STACK",
    "LAYOUT_SCALE",
    "FORWARD",
    "INPUT",
    "IDLE",
    "INTERMEDIATE",
    "OUTPUT",
    "PENDING",
    "REVERSE",
    "TEXT",
    "ModeColours",
    "NodeKind",
    "Paint",
    "element_look",
    "Pending",
    "mode_colours",
    "rich_style",
]


class ModeColours(NamedTuple):
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


class NodeKind(NamedTuple):
    """How a kind of node is outlined (and filled when no sweep is shown)."""

    name: str
    line: str  # outline colour
    fill: str  # fill colour when no sweep is shown
    penwidth: float


INPUT = NodeKind("input", line="#15803d", fill="#dcfce7", penwidth=1.6)
INTERMEDIATE = NodeKind("intermediate", line="#334155", fill="#ffffff", penwidth=1.0)
OUTPUT = NodeKind("output", line="#6d28d9", fill="#ede9fe", penwidth=2.4)


class Pending(NamedTuple):
    """Not reached by the sweep yet."""

    fill: str = "#f3f4f6"
    line: str = "#cbd5e1"
    text: str = "#9ca3af"


PENDING = Pending()

TEXT = "#111827"
"""Ordinary text (values)."""

FONT = "Helvetica"
"""The font Graphviz *measures* labels with: its metrics are built into every Graphviz,
including the WebAssembly one.  Pictures are then *drawn* with :data:`FONT_STACK`."""

FONT_STACK = "'DejaVu Sans', 'Bitstream Vera Sans', Arial, Helvetica, sans-serif"
"""The fonts an SVG asks for, first choice first.  DejaVu Sans ships with matplotlib (a
dependency), so PNGs are drawn with it everywhere; a browser without it falls back to
Arial or Helvetica, which are narrower.  Boxes are sized for DejaVu Sans: Graphviz
measures every label at :data:`LAYOUT_SCALE` times its size in Helvetica, which is wider
than DejaVu Sans at the real size for every text adviz writes."""

LAYOUT_SCALE = 1.2
"""Font sizes are multiplied by this while Graphviz measures labels (see :data:`FONT_STACK`):
DejaVu Sans is up to 19 % wider than Helvetica's metrics (digits 14 %, ``i``/``l`` 25 %)."""


class Paint(NamedTuple):
    """How one element of a graph is painted: fill, outline, outline width, text colour, and
    for an arrow the dash pattern of its line (``""``: as drawn, solid or dashed)."""

    fill: str
    line: str
    penwidth: float
    text: str
    dash: str = ""


IDLE = Paint("none", "#94a3b8", 1.2, "#475569", "2,3")
"""An arrow the sweep has passed without a contribution: dotted, in slate — not the pale grey
of what is still to come, which at the end of a sweep would say the sweep never got there."""


def element_look(kind: str, state: str, mode: str | None) -> Paint:
    """The paint of a graph element of ``kind`` in ``state`` during a ``mode`` sweep.

    kind: ``input``, ``intermediate``, ``output`` (boxes of tape nodes), ``group`` (a
    folded box), ``edge``, ``folded`` (a dashed arrow standing for several); state:
    ``plain`` (no sweep shown), ``pending`` (not reached yet), ``known``, ``applied``
    (done), ``active`` (the step being shown), and for arrows ``idle`` (passed by the sweep
    with nothing to carry: :data:`IDLE`).  The one table every view paints from.

    >>> element_look("intermediate", "active", "reverse").fill == REVERSE.active
    True
    """
    if kind in ("edge", "folded"):
        base = "#64748b"
        if state == "plain" or mode is None:
            return Paint("none", base, 1.0, TEXT)
        colours = mode_colours(mode)
        if state == "active":
            return Paint("none", colours.strong, 3.0, colours.strong)
        if state in ("applied", "known"):
            return Paint("none", colours.strong, 1.4 if kind == "edge" else 1.0, TEXT)
        if state == "idle":
            return IDLE
        return Paint("none", PENDING.line, 1.0, PENDING.text)
    if kind == "group":
        node = NodeKind("group", line=INTERMEDIATE.line, fill="#f8fafc", penwidth=1.0)
    else:
        node = {"input": INPUT, "intermediate": INTERMEDIATE, "output": OUTPUT}.get(kind)
        if node is None:
            raise ValueError(f"unknown element kind {kind!r}")
    if state == "plain" or mode is None:
        return Paint(node.fill, node.line, node.penwidth, TEXT)
    colours = mode_colours(mode)
    if state == "active":
        return Paint(colours.active, colours.strong, 3.0, TEXT)
    if state in ("known", "applied"):
        return Paint(colours.light, node.line, node.penwidth, TEXT)
    return Paint(PENDING.fill, PENDING.line, node.penwidth, PENDING.text)


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
