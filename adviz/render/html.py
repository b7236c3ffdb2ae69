"""A sweep as HTML: the step-by-step table, and one self-contained page that plays it.

A sweep is a sequence of small steps, and a lecture shows it one step at a time.  This
module prepares those steps for a web page:

* :func:`step_caption` writes what a step did in one line, with its numbers;
  the graph is laid out once for the whole sweep (:mod:`adviz.render.layout`) and each
  step only repaints it, so nothing moves while the sweep plays;
* :func:`sweep_table_html` is the sweep as a table: one row per chain-rule term
  (``v̄2 += v̄3·cos(v2)``), with its local partial, its contribution and the running
  tangent or adjoint.  Rows already done are plain, the current step's rows are marked,
  rows still to come are grey with their numbers hidden;
* :func:`sweep_html` puts both, with play/pause/step buttons, a slider and a speed
  control, into **one** HTML file: one SVG and the changes of each step, a small
  script, no network and no Python kernel.  Open it in a browser, put it on a course website, or project it in
  a lecture.  ``page.html#step=3`` opens at step 3, ``#play`` starts playing.

The Jupyter widgets (:mod:`adviz.render.widgets`) show the same picture, captions and table,
painted by the same script (:data:`~adviz.render.layout.PAINT_JS`).

>>> import adviz as ad
>>> t = ad.trace("sin(x**2 + 1)", x=3.0)
>>> write_sweep_html(t, "sweep.html", mode="reverse")     # doctest: +SKIP

Like every view, this module only reads the engine's records: it does no calculus.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.notation import signed
from . import style
from .graph import summary

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Step, Sweep, Term, Trace

__all__ = [
    "TABLE_CSS",
    "UNIT_CSS",
    "Frame",
    "focus_node",
    "make_sweep",
    "node_center",
    "step_caption",
    "svg_size",
    "sweep_frames",
    "sweep_html",
    "sweep_table_html",
    "table_cell",
    "write_sweep_html",
]


def make_sweep(trace: Trace, mode: str = "reverse", seed: Any = None) -> Sweep:
    """``trace.forward(seed)`` or ``trace.reverse(seed)``, with a clear error for any other mode.

    A forward sweep without a seed is seeded on the first input (tangent 1 on each of its
    entries, 0 on the other inputs), as ``adviz graph --animate`` does: with inputs x1, x2
    it computes ∂y/∂x1, and the picture's caption says so.  Choose another direction with
    ``seed="x2"`` or ``seed={"x1": 1.0, "x2": -1.0}``.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    if mode == "forward" and seed is None and trace.input_names:
        seed = trace.input_names[0]
    return trace.forward(seed) if mode == "forward" else trace.reverse(seed)


# ---------------------------------------------------------------- words and numbers


def _mark(name: str, mode: str) -> str:
    from ..engine import notation

    return notation.dot(name) if mode == "forward" else notation.bar(name)


def _scalar(value: Any) -> bool:
    return value is not None and np.ndim(value) == 0


def _paren(text: str) -> str:
    """``−0.8391`` → ``(−0.8391)``, so a product of numbers reads unambiguously."""
    return f"({text})" if text.startswith("−") else text


def _worked(sweep: Sweep, step: Step, term: Term) -> str:
    """``v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391``: a term's update with its numbers."""
    text = term.update()
    if not (_scalar(term.partial_value) and _scalar(term.contribution)):
        return text
    if sweep.mode == "reverse":
        carried = step.value  # the adjoint being sent back
    else:
        carried = sweep.values[term.source]  # a tangent is final once it has been used
    if not _scalar(carried):
        return text
    a, b = _paren(summary(carried)), _paren(summary(term.partial_value))
    product = f"{a}·{b}" if sweep.mode == "reverse" else f"{b}·{a}"
    text = f"{text} = {product} = {summary(term.contribution)}"
    if not term.first:  # an accumulation: say what the sum is now
        text += f", so {_mark(term.names[1], sweep.mode)} = {summary(term.total)}"
    return text


def _seed_text(trace: Trace, sweep: Sweep, note: bool = False) -> str:
    """The whole seed: in forward mode every input's tangent (``ẋ1 = 1, ẋ2 = 0``), the inputs
    left out of the given seed at the zero the sweep recorded for them, as their graph boxes show;
    ``note``: and what it picks (see :func:`adviz.render.scene.seed_text`, as the graph's caption)."""
    from .scene import seed_text

    return seed_text(trace, sweep, note=note)


def _seed_sentence(trace: Trace, sweep: Sweep) -> str:
    """``seed v̄3 = 1 — the cotangent of the output v3: …`` for the page's introduction (in
    brackets there, so the note follows a dash rather than brackets of its own)."""
    from .scene import seed_note

    note = seed_note(trace, sweep)
    return f"seed {_seed_text(trace, sweep)}" + (f" — {note}" if note else "")


def _unknown_text(mode: str) -> str:
    """What ``?`` in a box means, for the page's lead (the graph's caption says it too)."""
    if mode == "forward":
        return "? marks a tangent a later step computes"
    return ("? marks an adjoint no contribution has reached yet (not 0: a later step adds to it), "
            "+ … one still waiting for more")


def _idle_text(trace: Trace, sweep: Sweep) -> str:
    """``, a dotted arrow carries nothing (…)`` for the page's lead, when the sweep has such arrows."""
    from .scene import idle_note

    note = idle_note(trace, sweep)
    return f", {note}" if note else ""


def _result_text(trace: Trace, sweep: Sweep) -> str:
    from .scene import unbroken  # a value is never split across the caption's lines

    out = trace.output.name
    if sweep.mode == "reverse":
        return ", ".join(f"∂{out}/∂{name} = {unbroken(summary(v))}" for name, v in sweep.result.items())
    result = sweep.result
    if isinstance(result, tuple):
        return ", ".join(f"{_mark(n.name, 'forward')} = {unbroken(summary(v))}" for n, v in zip(trace.outputs, result))
    return f"{_mark(out, 'forward')} = {unbroken(summary(result))}"


def _unbroken(text: str) -> str:
    from .scene import unbroken

    return unbroken(text)


def _recompute_note(trace: Trace, node: Any) -> str:
    """Why a reverse step computes a value again: it sits in an ``ad.checkpoint`` block."""
    if node.checkpoint is None:
        return "its value was not kept"
    return f"checkpoint {trace.checkpoints[node.checkpoint].name} did not keep its value"


def step_caption(trace: Trace, sweep: Sweep, step: int) -> str:
    """One line saying what the sweep does at ``step`` (``0`` = only the seed is set).

    >>> import adviz as ad
    >>> t = ad.trace("sin(x**2 + 1)", x=3.0)
    >>> step_caption(t, t.reverse(), 1)
    'Step 1 of 3 — v3 = sin(v2) sends its adjoint back: v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391'
    """
    n = len(sweep.steps)
    if not 0 <= step <= n:
        raise ValueError(f"step must be from 0 to {n}, got {step}")
    if step == 0:
        what = "tangent" if sweep.mode == "forward" else "adjoint"
        return f"Step 0 of {n} — the seed: {_seed_text(trace, sweep)}; no {what} has been propagated yet"
    s = sweep.steps[step - 1]
    node = trace.nodes[s.node]
    head = f"Step {step} of {n} — {node.name} = {node.definition}"
    if getattr(s, "kind", "") == "recompute":
        return f"{head} is recomputed: {_recompute_note(trace, node)}; {node.name} = {_unbroken(summary(s.value))}"
    if sweep.mode == "forward":
        verb = "gets its tangent"
    else:
        verb = "sends its adjoint back"
    several = len(s.terms) > 1
    updates = "; ".join((f"({sweep.step_label(step, j)}) " if several else "") + _worked(sweep, s, t)
                        for j, t in enumerate(s.terms, start=1))
    if not updates:
        updates = (f"{_mark(node.name, 'forward')} = 0 (no operand carries a tangent)" if sweep.mode == "forward"
                   else "nothing to propagate (no differentiable operand)")
    text = f"{head} {verb}: {updates}"
    if step == n:
        text += f". Done: {_result_text(trace, sweep)}"
    return text


# ---------------------------------------------------------------- frames


@dataclass(frozen=True)
class Frame:
    """What is shown after ``step`` steps of a sweep.

    svg: the graph (SVG text, no XML prolog); caption: :func:`step_caption`;
    width, height: the picture's natural size in CSS pixels; focus: the centre (x, y) in
    those pixels of the box the step is about (the node being processed, or the seeded
    node at step 0), or None if it is not drawn on its own (folded into a group).
    """

    step: int
    svg: str
    caption: str
    width: float = 0.0
    height: float = 0.0
    focus: tuple[float, float] | None = None


_PX_PER_PT = 96 / 72  # Graphviz measures in points, browsers in CSS pixels
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt" height="([\d.]+)pt"')
_TRANSLATE = re.compile(r'class="graph" transform="[^"]*translate\(([-\d.]+) ([-\d.]+)\)"')
_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def svg_size(svg: str) -> tuple[float, float]:
    """Natural (width, height) of a Graphviz SVG in CSS pixels; (0, 0) if it does not say."""
    m = _SIZE.search(svg)
    return (float(m.group(1)) * _PX_PER_PT, float(m.group(2)) * _PX_PER_PT) if m else (0.0, 0.0)


def node_center(svg: str, index: int) -> tuple[float, float] | None:
    """Centre of tape node ``index``'s box in a graph SVG, in CSS pixels from the top left.

    The graph titles each box ``n<index>`` (see :mod:`adviz.render.graph`); the box's
    outline is the first ``points``/``d`` attribute after the title.  None if the node
    is not drawn as its own box.
    """
    title = svg.find(f"<title>n{index}</title>")
    translate = _TRANSLATE.search(svg)
    if title < 0 or translate is None:
        return None
    shape = re.compile(r'\s(?:points|d)="([^"]*)"').search(svg, title)
    if shape is None:
        return None
    points = [(float(x), float(y)) for x, y in _POINT.findall(shape.group(1))]
    if not points:
        return None
    tx, ty = float(translate.group(1)), float(translate.group(2))
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return ((min(xs) + max(xs)) / 2 + tx) * _PX_PER_PT, ((min(ys) + max(ys)) / 2 + ty) * _PX_PER_PT


def focus_node(trace: Trace, sweep: Sweep, step: int) -> int:
    """The tape node a step is about: the one processed at ``step``, or the seeded one at 0."""
    if step > 0:
        return sweep.steps[step - 1].node
    return trace.index(next(iter(sweep.seed)))


def sweep_frames(trace: Trace, sweep: Sweep, **graph_options: Any) -> list[Frame]:
    """The graph after every step of ``sweep``: ``len(sweep.steps) + 1`` frames, one layout.

    Every frame is the same laid-out SVG painted for its step (see
    :class:`~adviz.render.layout.SweepLayout`), so boxes never move between frames.
    ``graph_options`` go to the layout (``expand=True``, ``max_nodes=…``,
    ``edge_labels=…``, ``title=…``).  Pages and widgets do not need these frames (they
    paint steps onto one SVG in the browser); they are for slides and tests.
    """
    from .layout import SweepLayout

    layout = SweepLayout(trace, sweep, **graph_options)
    width, height = layout.size_px
    frames = []
    for k in range(len(sweep.steps) + 1):
        svg = layout.svg(k, caption=False)
        frames.append(Frame(k, svg, step_caption(trace, sweep, k), width, height,
                            node_center(svg, focus_node(trace, sweep, k))))
    return frames


# ---------------------------------------------------------------- the table

UNIT_CSS = (".adviz-table .unit, .adviz-fd .unit { white-space: nowrap; }"
            "  /* a formula and its value together: never v̄5 = / [−1.943] */")
"""The one rule that keeps text together in adviz's tables: :func:`table_cell` puts each piece
that must not break (``v̄5 = [−1.943]``, a number) in class ``unit``; part of :data:`TABLE_CSS`."""

TABLE_CSS = """
.adviz-table { border-collapse: collapse; font: 14px/1.35 system-ui, sans-serif; color: #111827; }
.adviz-table th { text-align: left; padding: 4px 10px; border-bottom: 2px solid var(--strong); color: var(--strong); }
.adviz-table td { padding: 3px 8px; border-bottom: 1px solid #e5e7eb; overflow-wrap: normal; }  /* wraps at spaces only: never inside a number */
.adviz-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.adviz-table td.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.adviz-table td.node { white-space: nowrap; }  /* a node's formula on one line: v1 = log(x1), never v1 = / log(x1) */
%(unit)s
.adviz-table td:first-child { width: 1.6em; color: var(--strong); font-weight: bold; }
.adviz-table tr.done td.new { background: var(--light); }
.adviz-table tr.current td { background: var(--active); text-shadow: 0.45px 0 0 currentColor; }  /* bold without
   getting wider: the columns do not reflow as the current row moves */
.adviz-table tr.current td:first-child::before { content: "\\25B6\\00A0"; }
.adviz-table tr.pending td { color: #9ca3af; }
.adviz-table tr.pending td.val { visibility: hidden; }
.adviz-table tr.more td { color: #6b7280; font-style: italic; }
.adviz-table-box, #table { container-type: inline-size; }
@container (max-width: 700px) {  /* a laptop's notebook column: tighter cells, the table still fits */
  .adviz-table th, .adviz-table td { padding-left: 2px; padding-right: 2px; }
  .adviz-table { font-size: 12px; }
  .adviz-table td.code { font-size: 11px; }  /* monospace runs wider than the text beside it */
  .adviz-table td:nth-child(2), .adviz-table td:nth-child(3) { padding-right: 5px; }  /* step, node, update apart */
  .adviz-table th:first-child, .adviz-table td:first-child { width: 0; padding: 0; }  /* the mark moves */
  .adviz-table tr.current td:first-child::before { content: none; }                 /* into the step */
  .adviz-table td:nth-child(2)::before { content: "\\25B6\\00A0"; visibility: hidden; }  /* cell, whose room */
  .adviz-table tr.current td:nth-child(2)::before { visibility: visible; }          /* is kept in every row */
}
""".strip().replace("%(unit)s", UNIT_CSS)
"""Styles of :func:`sweep_table_html`; the colours come from CSS variables set on the table."""


def _row_state(row_step: int, step: int) -> str:
    """A row of step ``row_step`` is done, current or pending when the sweep is at ``step``."""
    if row_step < step or (row_step == 0 and step > 0):
        return "done"
    return "current" if row_step == step else "pending"


def _cell(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{html.escape(text)}</td>"


def _units(text: str, *, value: bool = False) -> list[str]:
    """``text`` cut where a line may break, keeping each ``name = value`` start whole.

    A line may break after a ``+``/``-`` between terms and between the entries of a value
    (``[0.181,`` ``0.3246]``); never at an ``=``/``+=`` (the name or formula before it, the
    ``=`` and the value's first entry stay together: no ``v̄5 =`` above ``[−1.943]``, no
    ``2*v5`` above ``= [−3.887]``), and never before ``(seed)``, which stays with its value:
    ``"v̄2 = [0.181, 0.3246]"`` → ``["v̄2 = [0.181,", "0.3246]"]``;
    ``"1 - tanh(v2)**2 = [0.18, 0.32]"`` → ``["1 -", "tanh(v2)**2 = [0.18,", "0.32]"]``.
    """
    pieces: list[list[str]] = [[]]
    words = text.split(" ")
    depth, seen_equals = 0, value  # depth: inside () of a shape or formula, not [] of a value
    for i, word in enumerate(words):
        pieces[-1].append(word)
        depth += word.count("(") - word.count(")")
        seen_equals = seen_equals or word in ("=", "+=")
        following = words[i + 1] if i + 1 < len(words) else None
        glued = word in ("=", "+=") or following in ("=", "+=", "(seed)")
        entry_end = seen_equals and depth == 0 and (word.endswith((",", ")")) or word == "…")  # [a, b], (3, 2), [a … b]
        if not glued and (word in ("+", "-") or entry_end):
            pieces.append([])
    return [" ".join(p) for p in pieces if p]


def table_cell(text: str, cls: str = "", *, value: bool = False) -> str:
    """A table cell (``<td>``) whose ``name = value`` units never break across lines.

    The one way adviz's HTML tables keep text together: each unit is in class ``unit``,
    which :data:`TABLE_CSS` keeps from wrapping (a cell that is one unit carries the class
    itself).  A long formula may still wrap, but only between its terms or a vector's entries
    (see :func:`_units`).  ``value``: the text is a bare value (a contribution), which may break
    between its entries only, as after an ``=`` (``(3, 2)`` ``[−0.4452 …`` ``0.2226]``,
    never ``(3,`` above ``2)``).  ``cls``: more classes for the cell (``num``, ``code``, …).
    """
    pieces = _units(text, value=value)
    if len(pieces) == 1:
        return _cell(text, f"{cls} unit".strip())
    return (f'<td class="{cls}">' + " ".join(f'<span class="unit">{html.escape(p)}</span>' for p in pieces)
            + "</td>")


def _partial_text(term: Term) -> str:
    if term.partial_value is None:
        return "—"  # structural op (matmul, sum): no elementwise partial; the update says it all
    value, formula = summary(term.partial_value), signed(term.partial)
    return formula if value == formula else f"{formula} = {value}"


def sweep_table_html(trace: Trace, sweep: Sweep, step: int | None = None, *, window: int | None = None) -> str:
    """The sweep as an HTML table, one row per chain-rule term, the rows of ``step`` marked.

    ``step`` counts like the graph's: ``0`` = only the seed, ``k`` = after k steps (its
    rows are the *current* ones), ``None`` = the finished sweep with nothing marked.
    Every row carries ``data-step`` and a class ``done``/``current``/``pending``, so a
    page script can move the mark without rebuilding the table.  Style it with
    :data:`TABLE_CSS`.

    ``window``: show at most this many rows, chosen around the current ones, with a
    "⋮ 12 earlier rows" line where rows are left out (for a widget, which cannot scroll
    its table to the current row by itself).
    """
    n = len(sweep.steps)
    shown = n + 1 if step is None else step  # "after the end": every row done, none current
    if step is not None and not 0 <= step <= n:
        raise ValueError(f"step must be from 0 to {n}, got {step}")
    colours = style.mode_colours(sweep.mode)
    word = "tangent" if sweep.mode == "forward" else "adjoint"
    variables = f"--strong:{colours.strong};--light:{colours.light};--active:{colours.active}"
    head = ["", "step", "node", "update", "local partial", "contri\u00adbution", f"new {word}"]  # may hyphenate
    body: list[tuple[int, str]] = []

    def row(row_step: int, cells: list[str]) -> None:
        state = _row_state(row_step, shown)
        body.append((row_step, f'<tr data-step="{row_step}" class="{state}">' + "".join(cells) + "</tr>"))

    for name, value in sweep.seed.items():
        mark = f"{_mark(name, sweep.mode)} = {summary(value)}"
        row(0, [_cell(""), _cell("0", "num"), _cell(name, "node"), table_cell(f"{mark} (seed)", "code"), _cell(""), _cell(""),
                table_cell(mark, "num val new")])
    for s in sweep.steps:
        k = s.index + 1
        node = trace.nodes[s.node]
        where = f"{node.name} = {node.definition}" if not node.is_input else node.name
        if getattr(s, "kind", "") == "recompute":
            row(k, [_cell(""), _cell(str(k), "num"), _cell(where, "node"), _cell("recomputed", "code"),
                    _cell(_recompute_note(trace, node)), _cell(""),
                    table_cell(f"{node.name} = {summary(s.value)}", "num val new")])
            continue
        if not s.terms:
            what = ("no operand carries a tangent" if sweep.mode == "forward" else "nothing to propagate")
            row(k, [_cell(""), _cell(str(k), "num"), _cell(where, "node"), _cell(what, "code"), _cell(""), _cell(""),
                    table_cell(f"{_mark(node.name, sweep.mode)} = {summary(s.value)}", "num val new")])
        for j, term in enumerate(s.terms, start=1):
            row(k, [
                _cell(""), _cell(sweep.step_label(k, j), "num"), _cell(where, "node"), table_cell(term.update(), "code"),
                table_cell(_partial_text(term), "code val"), table_cell(summary(term.contribution), "num val", value=True),
                table_cell(f"{_mark(term.names[1], sweep.mode)} = {summary(term.total)}", "num val new"),
            ])
    lines = [f'<table class="adviz-table {sweep.mode}" style="{variables}">',
             "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    first, last = 0, len(body)
    if window is not None and len(body) > max(window, 3):
        window = max(window, 3)
        current = [i for i, (k, _) in enumerate(body) if k == shown] or [i for i, (k, _) in enumerate(body) if k < shown]
        anchor = current[0] if current else 0
        first = max(0, min(anchor - window // 3, len(body) - window))
        last = first + window
    if first:
        lines.append(f'<tr class="more"><td></td><td colspan="6">⋮ {first} earlier row{"s" if first > 1 else ""}</td></tr>')
    lines.extend(text for _, text in body[first:last])
    if last < len(body):
        later = len(body) - last
        lines.append(f'<tr class="more"><td></td><td colspan="6">⋮ {later} later row{"s" if later > 1 else ""}</td></tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


# ---------------------------------------------------------------- the page

_PAGE_CSS = """
:root { --strong: %(strong)s; --light: %(light)s; --active: %(active)s; }
body { margin: 0; padding: 16px 24px; font: 15px/1.4 system-ui, sans-serif; color: #111827; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
.lead { margin: 0 0 12px; color: #374151; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 8px; }
.controls button { font-size: 16px; min-width: 2.6em; padding: 3px 8px; border: 1px solid #cbd5e1;
  border-radius: 6px; background: #f8fafc; cursor: pointer; }
.controls button:hover { border-color: var(--strong); }
.controls #play { min-width: 5.5em; color: #fff; background: var(--strong); border-color: var(--strong); }
.controls input[type=range] { flex: 1; min-width: 160px; accent-color: var(--strong); }
#counter { font-variant-numeric: tabular-nums; min-width: 7em; }
#captions { display: grid; margin: 0 0 10px; }  /* the caption and, hidden, every step's caption in one cell: */
#captions > *, .ghosts > * { grid-area: 1 / 1; }  /* the box is as tall as the longest, the graph never slides */
#caption, .ghosts > p { margin: 0; padding: 8px 12px; border-left: 5px solid var(--strong); font-size: 17px;
  min-height: 1.4em; }
#caption { background: var(--light); }
.ghosts { display: grid; visibility: hidden; }
#graph { overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; margin-bottom: 12px; }
#graph { max-height: 75vh; }
#graph svg { display: block; }
#graph.fit svg { max-width: 100%%; height: auto; margin: 0 auto; }
#table { overflow: auto; max-height: 40vh; }
footer { margin-top: 10px; color: #6b7280; font-size: 13px; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("adviz-data").textContent);
  var n = data.captions.length - 1, step = 0, timer = null, locked = false;
  var picture = adviz_player(document.getElementById("graph"), data.graph);
  var $ = function (id) { return document.getElementById(id); };
  var graph = $("graph"), caption = $("caption"), slider = $("slider"), counter = $("counter"),
      playButton = $("play"), speed = $("speed"), table = $("table"), fit = $("fit");
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-step]"));
  var ghosts = document.createElement("div");  // every caption, hidden: the caption box keeps the height
  ghosts.className = "ghosts";                  // of the longest, so the graph below it never slides
  ghosts.setAttribute("aria-hidden", "true");
  data.captions.forEach(function (text) {
    var p = document.createElement("p");
    adviz_caption(p, text);
    ghosts.appendChild(p);
  });
  $("captions").appendChild(ghosts);

  function state(rowStep, k) {
    if (rowStep < k || (rowStep === 0 && k > 0)) return "done";
    return rowStep === k ? "current" : "pending";
  }
  function show(k) {
    k = Math.max(0, Math.min(n, k | 0));
    step = k;
    adviz_goto(picture, k);
    var active = picture.els[data.graph.active[k]];
    if (active) {  // keep the node of this step in the middle (full size, or a tall graph)
      var box = active.g.getBoundingClientRect(), frame = graph.getBoundingClientRect();
      graph.scrollLeft += box.left + box.width / 2 - frame.left - graph.clientWidth / 2;
      graph.scrollTop += box.top + box.height / 2 - frame.top - graph.clientHeight / 2;
    }
    adviz_caption(caption, data.captions[k]);
    slider.value = k;
    counter.textContent = "step " + k + " of " + n;
    document.body.setAttribute("data-step", k);
    var first = null;
    rows.forEach(function (r) {
      r.className = state(+r.getAttribute("data-step"), k);
      if (!first && r.className === "current") first = r;
    });
    if (first) {  // keep the current row visible inside the table's own scroll box
      var top = first.offsetTop, bottom = top + first.offsetHeight;
      if (top < table.scrollTop + 30 || bottom > table.scrollTop + table.clientHeight) {
        table.scrollTop = Math.max(0, top - table.clientHeight / 3);
      }
    }
    if (history.replaceState) history.replaceState(null, "", "#step=" + k + (timer ? "&play" : ""));
  }
  function pause() {
    if (timer) clearInterval(timer);
    timer = null;
    playButton.textContent = "\u25B6 play";
    document.body.removeAttribute("data-playing");
    if (history.replaceState) history.replaceState(null, "", "#step=" + step);
  }
  function play() {
    if (step >= n) show(0);
    timer = setInterval(function () { if (step >= n) { pause(); } else { show(step + 1); } },
                        data.interval / +speed.value);
    playButton.textContent = "\u275A\u275A pause";
    document.body.setAttribute("data-playing", "");
  }
  function toggle() { if (locked) return; if (timer) pause(); else play(); }
  function manual(k) { if (locked) return; pause(); show(k); }
  function lock(on) {  // the quiz moves the sweep on; the controls wait until it is done
    locked = on;
    if (on) pause();
    Array.prototype.forEach.call(document.querySelectorAll(".controls button, .controls input[type=range]"),
                                 function (c) { c.disabled = on; });
  }
  function reserveCaption() {  // as tall as the tallest caption: the graph below never moves
    if (n > 400) return;
    var shown = caption.textContent, tallest = 0;
    caption.style.minHeight = "";
    data.captions.forEach(function (text) { adviz_caption(caption, text); tallest = Math.max(tallest, caption.offsetHeight); });
    adviz_caption(caption, shown);
    caption.style.minHeight = tallest + "px";
    caption.style.boxSizing = "border-box";
  }

  playButton.onclick = toggle;
  $("first").onclick = function () { manual(0); };
  $("prev").onclick = function () { manual(step - 1); };
  $("next").onclick = function () { manual(step + 1); };
  $("last").onclick = function () { manual(n); };
  slider.oninput = function () { manual(+slider.value); };
  fit.onchange = function () { graph.classList.toggle("fit", fit.checked); show(step); };
  var widest = data.graph.size[0];
  fit.checked = widest <= 1.6 * graph.clientWidth;  // shrink only while labels stay readable
  graph.classList.toggle("fit", fit.checked);
  speed.onchange = function () { if (timer) { clearInterval(timer); timer = null; play(); } };
  document.addEventListener("keydown", function (e) {
    if (locked || (e.target && /^(SELECT|INPUT|TEXTAREA)$/.test(e.target.tagName))) return;
    if (e.key === "ArrowRight") { manual(step + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { manual(step - 1); e.preventDefault(); }
    else if (e.key === "Home") { manual(0); e.preventDefault(); }
    else if (e.key === "End") { manual(n); e.preventDefault(); }
    else if (e.key === " ") { toggle(); e.preventDefault(); }
  });
  function fromHash() {  // "#step=3" opens step 3, "#play" starts playing
    if (locked) return;  // a quiz starts at the seed, whatever the address says
    var hash = location.hash, m = /step=(\d+)/.exec(hash);
    pause();
    show(m ? +m[1] : data.start);
    if (/play/.test(hash)) play();
  }
  window.addEventListener("hashchange", fromHash);
  reserveCaption();
  window.addEventListener("resize", reserveCaption);
  if (data.quiz) adviz_quiz({show: function (k) { show(Math.min(k, n)); }, lock: lock}, data.quiz);
  else fromHash();
})();
"""


def _json_for_script(value: Any) -> str:
    """JSON that can sit inside ``<script>``: every ``<`` escaped, so no ``</script>`` ends it early."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _page_title(trace: Trace, sweep: Sweep) -> str:
    from .graph import input_values, shorten

    what = shorten(trace.title)  # the expression, or the traced call: loss(W, x, y)
    values = input_values(trace)
    mode = "Forward mode" if sweep.mode == "forward" else "Reverse mode"
    return f"{mode}: {what} at {values}" if values else f"{mode}: {what}"


def sweep_html(
    trace: Trace,
    mode: str = "reverse",
    seed: Any = None,
    *,
    sweep: Sweep | None = None,
    title: str | None = None,
    interval: int = 1200,
    start: int = 0,
    quiz: bool = False,
    notation: str | None = None,
    **graph_options: Any,
) -> str:
    """One self-contained HTML page that plays a sweep of ``trace`` step by step.

    mode, seed: which sweep (``trace.forward(seed)`` / ``trace.reverse(seed)``), or pass
    the ``sweep`` itself; forward mode without a seed seeds the first input, as
    ``adviz graph --animate`` does (see :func:`make_sweep`).  title: the heading (default: mode, expression and values).
    interval: milliseconds per step when playing at 1×.  start: the step shown on
    opening (a ``#step=k`` in the address overrides it).  notation: name the rows as
    ``"adviz"``, ``"inputs-first"`` or ``"griewank"`` (``v₋₁``, ``v₀``, ``v₁``, …) in the
    graph, the captions and the table.  graph_options go to
    :func:`~adviz.render.graph.build_graph`.

    The page holds the graph laid out once (one SVG) and, per step, only what changes
    (styles and texts), plus a small script that paints them: no network, no kernel.
    Without JavaScript it shows the picture of ``start``.

    quiz: the page asks the student to predict each chain-rule term's tangent or adjoint
    before it shows the step (see :mod:`adviz.render.quiz_page`); it starts at step 0 and
    its controls wait until every question is answered.  Its data carries the answers:
    for practice, not for exams.
    """
    if sweep is None:
        sweep = make_sweep(trace, mode, seed)
    elif getattr(sweep, "trace", trace) is not trace:
        raise ValueError("this sweep was recorded on a different trace")
    if notation is not None:
        from .graph import in_notation

        trace, sweep = in_notation(trace, sweep, notation)
    if not isinstance(interval, int) or interval <= 0:
        raise ValueError(f"interval must be a positive number of milliseconds, got {interval!r}")
    n = len(sweep.steps)
    if not 0 <= start <= n:
        raise ValueError(f"start must be a step from 0 to {n}, got {start}")
    from .layout import PAINT_JS, SweepLayout, caption_html

    layout = SweepLayout(trace, sweep, **graph_options)
    captions = [step_caption(trace, sweep, k) for k in range(n + 1)]
    colours = style.mode_colours(sweep.mode)
    heading = title if title is not None else _page_title(trace, sweep)
    word, direction = (
        ("tangents", "from the inputs forward to the output") if sweep.mode == "forward"
        else ("adjoints", "from the output back to the inputs")
    )
    data = {"graph": layout.player_data(), "captions": captions, "interval": interval, "start": start}
    quiz_css = quiz_js = panel = ""
    if quiz:
        from .quiz import Quiz
        from .quiz_page import QUIZ_CSS, QUIZ_JS, quiz_panel

        start = 0
        data["start"] = 0
        quiz = Quiz(trace, sweep)
        data["quiz"] = quiz.data()
        quiz_css, quiz_js, panel = QUIZ_CSS, QUIZ_JS, quiz_panel(quiz.note, quiz.placeholder) + "\n"
    speeds = "".join(f'<option value="{v}"{" selected" if v == 1 else ""}>{v:g}×</option>' for v in (0.25, 0.5, 1, 2, 4))
    css = _PAGE_CSS % {"strong": colours.strong, "light": colours.light, "active": colours.active}
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="adviz">
<title>{html.escape(heading)}</title>
<style>{css}
{TABLE_CSS}{quiz_css}</style>
</head>
<body class="{sweep.mode}" data-step="{start}" data-steps="{n}">
<h1>{html.escape(heading)}</h1>
<p class="lead">{sweep.mode.capitalize()} mode carries {word} {direction}, one node per step
({html.escape(_seed_sentence(trace, sweep))}).  The strong box is the node being processed, the strong
arrows carry this step's contributions; grey is not reached yet{html.escape(_idle_text(trace, sweep))}, and {html.escape(_unknown_text(sweep.mode))}.</p>
<div class="controls">
<button id="first" title="first step (Home)">⇤</button>
<button id="prev" title="previous step (←)">←</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="next" title="next step (→)">→</button>
<button id="last" title="last step (End)">⇥</button>
<input id="slider" type="range" min="0" max="{n}" step="1" value="{start}" aria-label="step">
<span id="counter">step {start} of {n}</span>
<label>speed <select id="speed">{speeds}</select></label>
<label title="shrink the graph to the page width, or show it full size following the active node">
<input type="checkbox" id="fit"> fit to width</label>
</div>
{panel}<div id="captions"><p id="caption">{caption_html(captions[start])}</p></div>
<div id="graph" class="fit">{layout.svg(start, caption=False)}</div>
<div id="table">{sweep_table_html(trace, sweep, start)}</div>
<footer>Keys: ← → step, space play/pause, Home/End.  Address <code>#step=3</code> opens step 3,
<code>#play</code> starts playing.{" The quiz marks answers in this page: its data carries them (for practice, not exams)." if quiz else ""}  Made with adviz.</footer>
<script type="application/json" id="adviz-data">{_json_for_script(data)}</script>
<script>{PAINT_JS}{quiz_js}{_SCRIPT}</script>
</body>
</html>
"""


def write_sweep_html(
    trace: Trace, path: str | Path, mode: str = "reverse", seed: Any = None, **options: Any
) -> Path:
    """Write :func:`sweep_html` to ``path`` (UTF-8) and return the path.

    ``mode="forward"`` without a ``seed`` seeds the first input (tangent 1, the other
    inputs 0), as ``adviz graph --animate`` does; pass ``seed="x2"`` or a dict of tangents
    for another direction.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"write the sweep to an .html file, got {path.name!r}")
    page = sweep_html(trace, mode, seed, **options)
    from ..fileio import atomic_write

    return atomic_write(path, page)
