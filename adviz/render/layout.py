"""One layout per sweep: the graph is laid out once, and each step only restyles it.

An animation in which boxes jump is an animation nobody can follow.  Laying out the
graph again at every step makes them jump: the labels change width as the sweep fills
them in (``v̄2 = ?`` becomes ``v̄2 = −0.4161 + 5 = 4.584``) and Graphviz places
everything anew.  So a :class:`SweepLayout` does it once:

1. it computes the :func:`~adviz.render.graph.scene` of every step of the sweep (each
   box's and arrow's state and texts), and for every text slot keeps the *widest* text
   any step shows;
2. it has Graphviz lay out that widest picture (measuring text generously, see
   :data:`~adviz.render.style.LAYOUT_SCALE`, so that the fonts of
   :data:`~adviz.render.style.FONT_STACK` fit) — the only layout of the sweep;
3. a step is then *painted* onto that one SVG: fills, outlines and text colours from
   :func:`~adviz.render.style.element_look`, and the texts of that step.  Positions
   never change.

:meth:`SweepLayout.svg` paints one step into a standalone SVG (what ``adviz graph
--step`` writes); :meth:`SweepLayout.player_data` is the base SVG plus, per step, only
what changes (for the HTML page and the Jupyter player, whose script paints the same
way: see ``PAINT_JS``).

>>> import adviz as ad
>>> t = ad.trace("sin(x**2 + 1)", x=3.0)
>>> layout = SweepLayout(t, t.reverse())      # doctest: +SKIP
>>> svg = layout.svg(2)                       # doctest: +SKIP
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import style
from .graph import (
    DEFAULT_MAX_NODES,
    Look,
    _next_progress,
    _progress,
    _title,
    caption_lines,
    changed_elements,
    scene,
    structure,
    to_dot,
    wrap,
)
from .graphviz_backend import render
from .scene import box_depths, wraps_cleanly

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Sweep, Trace

__all__ = ["PAINT_JS", "SweepLayout", "caption_html", "text_width"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", _XLINK)
_NS = "{" + _SVG + "}"

CAPTION_SIZE = 14.0
"""Font size of the caption drawn above a standalone picture (points)."""
_CAPTION_LINE = 18.0
CAPTION_MIN_CHARS = 64
"""A caption line may be this many characters even over a narrower graph: each of its facts
(the seed, the step with its numbers, the result) then fits one line on a small graph."""
_CHAR_WIDTH = 0.62 * CAPTION_SIZE  # a generous average width of a DejaVu Sans character
_PX_PER_PT = 96 / 72

WIDE_PX = 1600
"""A layout wider than this (CSS pixels) is tried in the other direction too (top to bottom
instead of left to right), and the narrower one kept: it has to fit a notebook column."""


def text_width(text: str) -> int:
    """A text's width in characters, not counting combining marks (``v̄`` is one)."""
    return sum(1 for ch in text if not unicodedata.combining(ch))


@dataclass
class _Element:
    """The SVG pieces of one box or arrow, found once in the laid-out SVG."""

    id: str
    kind: str
    group: ET.Element
    shapes: list[ET.Element] = field(default_factory=list)  # box outline / arrow paths
    lines: list[ET.Element] = field(default_factory=list)  # record separators
    heads: list[ET.Element] = field(default_factory=list)  # arrowheads
    texts: list[ET.Element] = field(default_factory=list)
    dashes: list[str | None] = field(default_factory=list)  # each arrow path's dash pattern as laid out


class SweepLayout:
    """The graph of ``trace`` (and of ``sweep``, if given) laid out once for every step.

    Options as in :func:`~adviz.render.graph.build_graph`: ``expand``, ``max_nodes``,
    ``edge_labels``, ``title``, ``rankdir``.  ``steps`` is the number of whole steps;
    positions are numbered as :meth:`Sweep.position <adviz.engine.record.Sweep.position>`
    reads them (``0 … steps``, or ``"k.j"`` for a term inside a step).
    """

    def __init__(self, trace: Trace, sweep: Sweep | None = None, *, expand: bool = False,
                 max_nodes: int = DEFAULT_MAX_NODES, edge_labels: bool | None = None,
                 title: str | None = None, rankdir: str | None = None) -> None:
        self._scan(trace, sweep, expand=expand, max_nodes=max_nodes, edge_labels=edge_labels, title=title,
                   rankdir=rankdir)
        self._lay_out(self._widest, rankdir)

    @classmethod
    def shared(cls, trace: Trace, sweeps: list[Sweep], **options: Any) -> list[SweepLayout]:
        """One layout for several sweeps of ``trace``: every box and arrow in the same place in all.

        Room is kept for the widest text any step of any of the sweeps shows, and Graphviz
        runs once.  :class:`~adviz.render.widgets.ModeComparison` switches from one forward
        sweep to the next (seed ``ẋ1``, then ``ẋ2``): with one layout, nothing jumps.
        ``options`` as for the constructor.
        """
        layouts = []
        for sweep in sweeps:
            layout = cls.__new__(cls)
            layout._scan(trace, sweep, **options)
            layouts.append(layout)
        if not layouts:
            return layouts
        widest: dict[str, list[str]] = {}
        for layout in layouts:
            for element_id, texts in layout._widest.items():
                _widen_slots(widest.setdefault(element_id, []), texts)
        first = layouts[0]
        first._lay_out(widest, options.get("rankdir"))
        for layout in layouts[1:]:
            layout.structure = replace(layout.structure, rankdir=first.structure.rankdir, wrap=first.structure.wrap)
            layout._adopt(first)
        return layouts

    def _scan(self, trace: Trace, sweep: Sweep | None, *, expand: bool = False,
              max_nodes: int = DEFAULT_MAX_NODES, edge_labels: bool | None = None,
              title: str | None = None, rankdir: str | None = None) -> None:
        """Every step's scene and caption, and the widest text of each slot (no Graphviz yet)."""
        self.trace = trace
        self.sweep = sweep
        self.title = title if title is not None else _title(trace)
        self.structure = s = structure(trace, sweep, expand=expand, max_nodes=max_nodes,
                                       edge_labels=edge_labels, rankdir=rankdir)
        self.mode = s.mode
        self.steps = len(sweep.steps) if sweep is not None else 0
        self._cache: dict[Any, tuple[dict[str, Look], list[str]]] = {}
        self._base: dict[str, Look] = {}
        self._deltas: list[dict[str, Look]] = []  # whole steps: what changed since the step before
        widest: dict[str, list[str]] = {}

        def widen(looks: dict[str, Look]) -> None:
            for element_id, look in looks.items():
                _widen_slots(widest.setdefault(element_id, []), look.texts)

        if sweep is None:
            self._base = scene(s, None)
            widen(self._base)
            captions = []
        else:
            # Whole steps, computed step to step: only the elements a step touches change.
            title = self.title
            previous = None
            current: dict[str, Look] = {}
            partial_captions = []
            captions: list[list[str]] = []
            for k in [*range(self.steps + 1), "end"]:
                if k == "end":
                    p = _progress(trace, sweep, None)
                elif previous is None:
                    p = _progress(trace, sweep, k)
                else:
                    # inside the step (``3.2``): a few texts of its own, reserved too
                    for j in range(1, len(sweep.steps[previous.shown].terms)):
                        q = _next_progress(trace, previous, j)
                        widen(scene(s, q, changed_elements(s, previous, q)))
                        partial_captions.append(caption_lines(trace, q, s.plan, title))
                    p = _next_progress(trace, previous)
                if previous is None:
                    current = self._base = scene(s, p)
                    delta = dict(current)
                else:
                    delta = {i: look for i, look in scene(s, p, changed_elements(s, previous, p)).items()
                             if current[i] != look}
                    current = {**current, **delta}
                widen(delta)
                captions.append(caption_lines(trace, p, s.plan, title))
                if k == "end":
                    self._end = delta
                else:
                    self._deltas.append(delta if k else {})
                previous = p
            captions += partial_captions
        self._widest = widest
        self._captions_seen = captions

    def _lay_out(self, widest: dict[str, list[str]], rankdir: str | None) -> None:
        """Graphviz lays out the picture with the ``widest`` texts: the one layout of the sweep."""
        s = self.structure
        widest = _alike_inputs(widest, self._base)
        dot, root = self._graphviz(s, widest)
        if rankdir is None and _size(root)[0] * _PX_PER_PT > WIDE_PX and len(s.boxes) <= 200:
            # Too wide for a notebook or a slide: try the other direction, keep the narrower.
            other = replace(s, rankdir="TB" if s.rankdir == "LR" else "LR")
            other_dot, other_root = self._graphviz(other, widest)
            if _size(other_root)[0] < 0.7 * _size(root)[0]:
                self.structure = s = other
                dot, root = other_dot, other_root
        rows = _wrap_rows(s, root) if s.rankdir == "TB" and not s.wrap and len(s.boxes) <= WRAP_BOXES else 0
        if rows:  # a long column: wrapped into columns side by side, as many as fit the width
            wrapped = replace(s, wrap=rows)
            wrapped_dot, wrapped_root = self._graphviz(wrapped, widest)
            if _size(wrapped_root)[1] < 0.7 * _size(root)[1] and _size(wrapped_root)[0] * _PX_PER_PT <= WIDE_PX:
                self.structure = s = wrapped
                dot, root = wrapped_dot, wrapped_root
        self.dot_source = dot.source
        self._root = root
        self._finish()

    def _graphviz(self, s: Any, widest: dict[str, list[str]]) -> tuple[Any, ET.Element]:
        """Structure ``s`` laid out with the ``widest`` texts, its boxes of one kind made alike:
        a top-to-bottom column of similar boxes gets one width before the layout; the similar
        boxes of one left-to-right rank (one column of the picture, which is as wide as its
        widest box anyway) get one width after a first layout has shown which boxes share a rank,
        and a second layout draws them so: the picture gets no wider."""
        if s.rankdir == "TB":
            widest = _alike_in_a_column(widest, self._base)

        def run(texts: dict[str, list[str]]) -> tuple[Any, ET.Element]:
            looks = {k: Look(v.kind, v.state, tuple(texts.get(k, ()))) for k, v in self._base.items()}
            dot = to_dot(s, looks, None, font=style.FONT, scale=style.LAYOUT_SCALE)
            return dot, ET.fromstring(render(dot.source, "svg"))

        dot, root = run(widest)
        if s.rankdir == "LR" and len(s.boxes) <= RANK_ALIKE_BOXES:
            alike = _alike_in_ranks(widest, self._base, _ranks(root))
            if alike != widest:
                dot, root = run(alike)
        return dot, root

    def _adopt(self, other: SweepLayout) -> None:
        """Use ``other``'s laid-out picture (a copy: painting changes it) for this sweep.

        ``other``'s picture is already indexed (its boxes and arrows carry ``data-el``, its
        fonts are the stack at their real size): this sweep finds its elements by those and
        leaves the fonts alone.  (Indexing it as fresh Graphviz output found no element, so
        every sweep after the first was never painted, and shrank its fonts once more.)"""
        self.dot_source = other.dot_source
        self._root = ET.fromstring(ET.tostring(other._root, encoding="unicode"))
        self._finish(fonts=False)

    def _finish(self, fonts: bool = True) -> None:
        self._elements = self._index(self._root, fonts=fonts)
        self.width_pt, self.height_pt = _size(self._root)
        width = self._caption_width()
        captions = self._captions_seen
        every = [wrap(lines, width) for lines in captions] if self.sweep is not None else [self._caption(None)]
        self._caption_rows = max(len(c) for c in every)
        # the widest caption line of any step: every picture of the sweep gets the same width
        self._caption_chars = max((text_width(line) for c in every for line in c), default=0)

    # -- scenes ---------------------------------------------------------------------------
    def _scene(self, position: Any) -> tuple[dict[str, Look], list[str]]:
        key = position if position is None or isinstance(position, str) else int(position)
        if key not in self._cache:
            p = None
            if self.sweep is not None:  # "end": the finished sweep shown whole, no step highlighted
                p = _progress(self.trace, self.sweep, None if key == "end" else position)
            if isinstance(key, int) and self._deltas:
                looks = dict(self._base)
                for delta in self._deltas[1:key + 1]:
                    looks.update(delta)
            elif key == "end" and self._deltas:
                looks = dict(self._base)
                for delta in [*self._deltas[1:], self._end]:
                    looks.update(delta)
            else:
                looks = scene(self.structure, p)
            if len(self._cache) > 8:  # keep a few: pictures are painted one at a time
                self._cache.clear()
            self._cache[key] = (looks, caption_lines(self.trace, p, self.structure.plan, self.title))
        return self._cache[key]

    def looks(self, step: Any = None) -> dict[str, Look]:
        """Every element's :class:`~adviz.render.graph.Look` at ``step`` (default: the end)."""
        return self._scene(self._key(step))[0]

    def _key(self, step: Any) -> Any:
        if self.sweep is None:
            if step is not None:
                raise ValueError("step needs a sweep")
            return None
        if step is None:
            return "end"
        k, j = self.sweep.position(step)
        return f"{k + 1}.{j}" if j else k

    def _caption_width(self) -> int:
        """Characters per caption line: the graph's width, but at least :data:`CAPTION_MIN_CHARS`
        (a narrow graph gets a picture wider than itself, the graph centred under the caption,
        rather than a caption wrapped into twice as many lines)."""
        return max(CAPTION_MIN_CHARS, int((self.width_pt - 16) / _CHAR_WIDTH))

    def _caption(self, position: Any) -> list[str]:
        return wrap(self._scene(position)[1], self._caption_width())

    # -- the one SVG ----------------------------------------------------------------------
    def _index(self, root: ET.Element, fonts: bool = True) -> dict[str, _Element]:
        """Find every box and arrow in Graphviz's SVG (by its ``id``, or by the ``data-el`` an
        earlier indexing gave it); ``fonts``: make the fonts :data:`~style.FONT_STACK` at their
        real size (Graphviz measured them :data:`~style.LAYOUT_SCALE` times larger)."""
        for text in root.iter(f"{_NS}text") if fonts else ():
            text.set("font-family", style.FONT_STACK)
            size = text.get("font-size")
            if size:
                text.set("font-size", f"{float(size) / style.LAYOUT_SCALE:.2f}")
        kinds = {element_id: look.kind for element_id, look in self._base.items()}
        elements: dict[str, _Element] = {}
        for g in root.iter(f"{_NS}g"):
            element_id = g.get("data-el") or g.get("id")
            if element_id not in kinds:
                if element_id and element_id.startswith("a_"):
                    del g.attrib["id"]  # the tooltip's anchor: ids must not clash between pictures
                continue
            g.attrib.pop("id", None)
            g.set("data-el", element_id)
            e = _Element(element_id, kinds[element_id], g)
            for child in g.iter():
                tag = child.tag.replace(_NS, "")
                if tag == "text":
                    child.set("data-slot", str(len(e.texts)))
                    e.texts.append(child)
                elif tag == "polyline":
                    e.lines.append(child)
                elif tag in ("polygon", "path"):
                    if e.kind in ("edge", "folded"):
                        (e.shapes if tag == "path" else e.heads).append(child)
                        if tag == "path":
                            e.dashes.append(child.get("stroke-dasharray"))
                    elif not e.shapes:
                        e.shapes.append(child)
            elements[element_id] = e
        return elements

    def _paint(self, looks: dict[str, Look]) -> None:
        """Paint ``looks`` onto the SVG in place (attributes only: any viewer shows it)."""
        for element_id, e in self._elements.items():
            look = looks[element_id]
            paint = style.element_look(look.kind, look.state, self.mode)
            cls = e.group.get("class", "").split()[:1] + [look.kind, look.state]
            e.group.set("class", " ".join(cls))
            for i, shape in enumerate(e.shapes):
                if e.kind not in ("edge", "folded"):
                    shape.set("fill", paint.fill)
                else:  # dotted while idle, else as laid out (a cut or folded arrow stays dashed)
                    dash = paint.dash or e.dashes[i]
                    if dash:
                        shape.set("stroke-dasharray", dash)
                    else:
                        shape.attrib.pop("stroke-dasharray", None)
                shape.set("stroke", paint.line)
                shape.set("stroke-width", f"{paint.penwidth:g}")
            for line in e.lines:
                line.set("stroke", paint.line)
                line.set("stroke-width", f"{paint.penwidth:g}")
            for head in e.heads:
                head.set("fill", paint.line)
                head.set("stroke", paint.line)
                head.set("stroke-width", f"{paint.penwidth:g}")
            for i, text in enumerate(e.texts):
                text.set("fill", paint.text)
                text.text = look.texts[i] if i < len(look.texts) else ""

    def svg(self, step: Any = None, *, caption: bool = True) -> str:
        """A standalone SVG of ``step`` (default: the finished sweep), caption on top.

        ``caption=False`` leaves the caption out (pages that write it in HTML).
        """
        key = self._key(step)
        self._paint(self._scene(key)[0])
        root = self._root
        if not caption:
            return ET.tostring(root, encoding="unicode")
        lines = self._caption(key)
        lines += [""] * (self._caption_rows - len(lines))  # every step: the same rows, in the same places
        extra = self._caption_rows * _CAPTION_LINE + 8
        return _with_caption(root, lines, extra, max(self._caption_chars, *(text_width(x) for x in lines)))

    @property
    def size_px(self) -> tuple[float, float]:
        """The picture's natural (width, height) in CSS pixels, without the caption."""
        return self.width_pt * _PX_PER_PT, self.height_pt * _PX_PER_PT

    def element_ids(self) -> list[str]:
        return list(self._elements)

    # -- for players: one SVG and the changes per step -------------------------------------
    def player_data(self) -> dict[str, Any]:
        """What a page needs to play the sweep: the SVG of step 0 and, per step, the changes.

        ``changes[k]`` lists ``[element id, paint key, texts]`` for the elements whose look
        differs between step ``k - 1`` and step ``k`` (``changes[0]`` is empty);
        ``paints[key]`` is ``[fill, line, penwidth, text colour, arrow dash]``; ``active[k]`` is the
        element of the node processed at step ``k`` (the seeded one at 0), or None.
        """
        if self.sweep is None:
            raise ValueError("player_data needs a sweep")
        svg = self.svg(0, caption=False)
        paints: dict[str, list] = {}
        changes: list[list] = [[]]
        current = dict(self._base)
        for k in range(1, self.steps + 1):
            delta = []
            for element_id, new in self._deltas[k].items():
                if element_id not in self._elements:
                    continue
                old = current[element_id]
                delta.append([element_id, _paint_key(new, paints, self.mode),
                              list(new.texts) if new.texts != old.texts else None])
                current[element_id] = new
            changes.append(delta)
        for look in self._base.values():
            _paint_key(look, paints, self.mode)
        return {"svg": svg, "paints": paints, "changes": changes, "active": self.active_elements(),
                "size": [round(v) for v in self.size_px]}

    def active_elements(self) -> list[str | None]:
        """Per step, the id of the box the step is about (the seeded node's at step 0)."""
        sweep = self.sweep
        owner = self.structure.plan.unit_of()
        out: list[str | None] = []
        for k in range(self.steps + 1):
            node = sweep.steps[k - 1].node if k else self.trace.index(next(iter(sweep.seed)))
            unit = owner.get(node)
            out.append(None if unit is None else (f"n{unit}" if isinstance(unit, int) else f"g{unit.members[0]}"))
        return out


_SLASHED = re.compile(r"[^\s;,]*/[^\s;,]*")


def caption_html(text: str) -> str:
    """A caption as HTML: escaped, each word with a ``/`` in it (``∂v5/∂x``, ``(1/x1)``) in a
    span that does not wrap, so a browser never breaks ``∂v5/`` from ``∂x`` (the page's script,
    ``adviz_caption`` in :data:`PAINT_JS`, writes the same spans)."""
    import html

    out, at = [], 0
    for m in _SLASHED.finditer(text):
        out.append(html.escape(text[at:m.start()]))
        out.append(f'<span style="white-space: nowrap;">{html.escape(m.group())}</span>')
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def _widen_slots(slots: list[str], texts: Any) -> None:
    """Keep in ``slots`` the widest of ``texts``, slot by slot."""
    for i, text in enumerate(texts):
        if i == len(slots):
            slots.append(text)
        elif text != slots[i] and text_width(text) > text_width(slots[i]):
            slots[i] = text


def _share_widths(widest: dict[str, list[str]], keys: list[str],
                  ratio: float | None = None) -> dict[str, list[str]]:
    """``widest`` with the boxes ``keys`` measured alike: boxes with the same number of text
    slots get, slot by slot, the widest text any of them shows, so Graphviz gives them one
    width (each step then paints its own texts into them, centred).  With ``ratio``, a group
    whose widest texts differ by more than that factor is left as it is."""
    by_slots: dict[int, list[str]] = {}
    for k in keys:
        by_slots.setdefault(len(widest[k]), []).append(k)
    out = dict(widest)
    for same in by_slots.values():
        if len(same) < 2:
            continue
        if ratio is not None:
            sizes = [max(text_width(t) for t in widest[k]) for k in same]
            if max(sizes) > ratio * min(sizes):
                continue
        common: list[str] = []
        for k in same:
            _widen_slots(common, widest[k])
        for k in same:
            out[k] = list(common)
    return out


def _alike_inputs(widest: dict[str, list[str]], looks: dict[str, Look]) -> dict[str, list[str]]:
    """``widest`` with every input box measured by the widest text of any input, slot by slot.

    Boxes of one kind should look alike: sized each for its own longest label, ``x2``'s box
    (``x̄2 = −0.2837 + 2 = 1.716``) came out wider than ``x1``'s.  Graphviz lays the inputs
    out with the same texts, so they get one width (and the same cells).
    """
    return _share_widths(widest, [k for k, look in looks.items() if look.kind == "input" and k in widest])


ALIKE_RATIO = 1.6
"""Boxes of a top-to-bottom picture get one width when their widest texts differ by at most this
factor (a loop's ``v1 = sin(x)`` and ``v2 = v1 * 1.01``); a much longer label keeps its own box."""


def _alike_in_a_column(widest: dict[str, list[str]], looks: dict[str, Look]) -> dict[str, list[str]]:
    """``widest`` with the intermediate and output boxes of a top-to-bottom picture measured by the
    widest text among them, slot by slot, when they are of similar width (:data:`ALIKE_RATIO`):
    a column of boxes of ragged widths reads as a column of different things."""
    boxes = [k for k, look in looks.items() if look.kind in ("intermediate", "output") and widest.get(k)]
    return _share_widths(widest, boxes, ratio=ALIKE_RATIO)


TALL_PX = 2000
"""A top-to-bottom picture taller than this (CSS pixels) is wrapped into columns side by side."""

WRAP_BOXES = 200
"""Pictures of at most this many boxes are wrapped when too tall (it costs a second layout)."""

_COLUMN_GAP = 36.0  # points between the columns of a wrapped picture (about Graphviz's nodesep and a margin)


def _wrap_rows(s: Any, root: ET.Element) -> int:
    """Rows per column for wrapping the top-to-bottom picture ``root`` of ``s``, or 0 to leave it.

    Decided by the space the picture takes: one column of ``D`` rows, ``w`` wide and ``h`` tall
    (its arrows' labels included), becomes ``c`` columns of ``ceil(D / c)`` rows, about
    ``c·w`` wide and ``h / c`` tall.  The fewest columns that make the picture no taller than
    wide, but no more than fit :data:`WIDE_PX`; a picture no taller than :data:`TALL_PX`, or
    whose one column is already more than half of :data:`WIDE_PX`, stays as it is.
    """
    width, height = _size(root)
    if height * _PX_PER_PT <= TALL_PX:
        return 0
    depth = max(box_depths(s).values(), default=0) + 1
    fit = int((WIDE_PX / _PX_PER_PT + _COLUMN_GAP) // (width + _COLUMN_GAP))
    if fit < 2 or depth < 4:
        return 0
    row = height / depth
    columns = next((c for c in range(2, fit + 1) if -(-depth // c) * row <= c * width + (c - 1) * _COLUMN_GAP), fit)
    rows = -(-depth // columns)
    return rows if wraps_cleanly(s, rows) else 0


RANK_ALIKE_BOXES = 200
"""Left-to-right pictures of at most this many boxes get their ranks' similar boxes one width
(it costs a second Graphviz layout)."""


def _ranks(root: ET.Element) -> list[list[str]]:
    """The boxes of a left-to-right Graphviz SVG grouped by rank: Graphviz centres every box of a
    rank on one vertical line, so boxes whose centres share an x are in one rank."""
    centres: dict[float, list[str]] = {}
    for g in root.iter(f"{_NS}g"):
        if "node" not in (g.get("class") or "").split() or not g.get("id"):
            continue
        shape = next((e for e in g.iter() if e.tag in (f"{_NS}polygon", f"{_NS}path")), None)
        if shape is None:
            continue
        xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", shape.get("points") or shape.get("d") or "")]
        if xs:
            centres.setdefault(round((min(xs) + max(xs)) / 2), []).append(g.get("id"))
    return [ids for ids in centres.values() if len(ids) > 1]


def _alike_in_ranks(widest: dict[str, list[str]], looks: dict[str, Look],
                    ranks: list[list[str]]) -> dict[str, list[str]]:
    """``widest`` with the intermediate and output boxes of each rank of a left-to-right picture
    measured alike when they are of similar width (:data:`ALIKE_RATIO`), as in a top-to-bottom
    column: stacked boxes of ragged widths read as different things."""
    out = widest
    for rank in ranks:
        boxes = [k for k in rank if k in looks and looks[k].kind in ("intermediate", "output") and widest.get(k)]
        out = _share_widths(out, boxes, ratio=ALIKE_RATIO)
    return out


def _paint_key(look: Look, paints: dict, mode: str | None) -> str:
    key = f"{look.kind}/{look.state}"
    if key not in paints:
        p = style.element_look(look.kind, look.state, mode)
        paints[key] = [p.fill, p.line, p.penwidth, p.text, p.dash]
    return key




def _size(root: ET.Element) -> tuple[float, float]:
    return float(root.get("width", "0pt").rstrip("pt")), float(root.get("height", "0pt").rstrip("pt"))


def _with_caption(root: ET.Element, lines: list[str], extra: float, chars: int) -> str:
    """Serialize ``root`` with ``lines`` drawn above the graph (``extra`` points taller, and
    wide enough for ``chars`` characters; a graph narrower than its caption is centred under it)."""
    graph_width, height = _size(root)
    width = max(graph_width, chars * _CHAR_WIDTH + 12)
    graph = root.find(f"{_NS}g")
    transform = graph.get("transform", "")
    background = graph.find(f"{_NS}polygon")
    m = re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", transform)
    tx, ty = (float(m.group(1)), float(m.group(2))) if m else (4.0, height - 4)
    shift = round((width - graph_width) / 2, 2) if m else 0.0  # the caption stays at the left edge
    saved = (root.get("width"), root.get("height"), root.get("viewBox"), transform,
             background.get("points") if background is not None else None)
    new_height = height + extra
    root.set("width", f"{width:g}pt")
    root.set("height", f"{new_height:g}pt")
    root.set("viewBox", f"0.00 0.00 {width:.2f} {new_height:.2f}")
    graph.set("transform", transform.replace(m.group(0), f"translate({tx + shift:g} {ty + extra:g})") if m else transform)
    if background is not None:
        top, left = -(ty + extra), -(tx + shift)
        background.set("points", f"{left:g},{4:g} {left:g},{top:g} {width + left:g},{top:g} {width + left:g},4 {left:g},4")
    texts = []
    for i, line in enumerate(lines):
        t = ET.Element(f"{_NS}text", {"text-anchor": "start", "x": f"{4 - shift:g}", "y": f"{-(ty + extra) + 4 + (i + 1) * _CAPTION_LINE - 4:.1f}",
                                      "font-family": style.FONT_STACK, "font-size": f"{CAPTION_SIZE:g}",
                                      "fill": style.TEXT, "class": "caption"})
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = line
        texts.append(t)
    index = list(graph).index(background) + 1 if background is not None else 0
    for offset, t in enumerate(texts):
        graph.insert(index + offset, t)
    try:
        return ET.tostring(root, encoding="unicode")
    finally:
        for t in texts:
            graph.remove(t)
        w, h, vb, tr, pts = saved
        root.set("width", w)
        root.set("height", h)
        root.set("viewBox", vb)
        graph.set("transform", tr)
        if background is not None and pts is not None:
            background.set("points", pts)


PAINT_JS = r"""
// Paint one step onto the SVG laid out once (adviz.render.layout): the same rules as
// SweepLayout._paint in Python.  data = SweepLayout.player_data().
function adviz_index(svg) {
  var els = {};
  svg.querySelectorAll("[data-el]").forEach(function (g) {
    var e = {g: g, shapes: [], lines: [], heads: [], texts: [], arrow: /^[ef]/.test(g.getAttribute("data-el"))};
    g.querySelectorAll("*").forEach(function (c) {
      var tag = c.tagName.toLowerCase();
      if (tag === "text") e.texts.push(c);
      else if (tag === "polyline") e.lines.push(c);
      else if (tag === "path" || tag === "polygon") {
        if (e.arrow) {
          (tag === "path" ? e.shapes : e.heads).push(c);
          if (tag === "path") c.adviz_dash = c.getAttribute("stroke-dasharray");  // as laid out
        }
        else if (!e.shapes.length) e.shapes.push(c);
      }
    });
    els[g.getAttribute("data-el")] = e;
  });
  return els;
}
function adviz_paint(e, p, key, texts) {
  var w = String(p[2]);
  e.shapes.forEach(function (s) {
    if (!e.arrow) s.setAttribute("fill", p[0]);
    else {  // dotted while idle (p[4]), else as laid out
      var dash = p[4] || s.adviz_dash;
      if (dash) s.setAttribute("stroke-dasharray", dash); else s.removeAttribute("stroke-dasharray");
    }
    s.setAttribute("stroke", p[1]); s.setAttribute("stroke-width", w);
  });
  e.lines.forEach(function (s) { s.setAttribute("stroke", p[1]); s.setAttribute("stroke-width", w); });
  e.heads.forEach(function (s) { s.setAttribute("fill", p[1]); s.setAttribute("stroke", p[1]); s.setAttribute("stroke-width", w); });
  e.texts.forEach(function (t, i) { t.setAttribute("fill", p[3]); if (texts) t.textContent = i < texts.length ? texts[i] : ""; });
  var cls = (e.g.getAttribute("class") || "").split(" ")[0];
  e.g.setAttribute("class", cls + " " + key.replace("/", " "));
}
// Show step k: undo back to step 0 (the SVG as sent) and replay the changes 1..k.
function adviz_goto(state, k) {
  var data = state.data;
  if (k < state.step) {
    state.host.innerHTML = data.svg;
    state.els = adviz_index(state.host);
    state.step = 0;
  }
  for (var s = state.step + 1; s <= k; s++) {
    data.changes[s].forEach(function (c) {
      var e = state.els[c[0]];
      if (e) adviz_paint(e, data.paints[c[1]], c[1], c[2]);
    });
  }
  state.step = k;
}
// Write a caption: the same text, but a word with a "/" in it (∂v5/∂x, (1/x1)) never breaks
// across lines, as browsers do after a slash: caption_html in Python writes the same spans.
function adviz_caption(el, text) {
  el.textContent = "";
  var at = 0, re = /[^\s;,]*\/[^\s;,]*/g, m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > at) el.appendChild(document.createTextNode(text.slice(at, m.index)));
    var span = document.createElement("span");
    span.style.whiteSpace = "nowrap";
    span.textContent = m[0];
    el.appendChild(span);
    at = m.index + m[0].length;
  }
  if (at < text.length) el.appendChild(document.createTextNode(text.slice(at)));
}
function adviz_player(host, data) {
  host.innerHTML = data.svg;
  return {host: host, data: data, step: 0, els: adviz_index(host)};
}
"""
"""The page-side painter shared by the HTML page and the Jupyter player."""
