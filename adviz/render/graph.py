"""Draw a traced computation as a graph, and a sweep as it runs over it.

The computational graph is the tape drawn as a picture: one box per node (an input or
one primitive application), one arrow per data dependency.  Every box shows::

    ┌──────────────┐
    │ v3 = sin(v2) │   name and definition
    │    −0.544    │   value (for arrays: shape and range)
    │   v̄3 = 1     │   tangent v̇ (forward) or adjoint v̄ (reverse), once a sweep has set it
    └──────────────┘

and every arrow the *local partial* of its head with respect to its tail, formula and
value (``∂v3/∂v2 = cos(v2) = −0.839``).  Those local partials are all the chain rule
needs: a sweep multiplies them along paths and adds over paths.  Give a sweep and a
``step`` and the picture shows the sweep after that many steps: the nodes it has reached
filled in its colour (blue forward, orange reverse; see :mod:`adviz.render.style`),
the node being processed and the arrows carrying its contributions drawn strong, the
rest grey.  Stepping ``step=0, 1, 2, …`` through ``t.reverse()`` of ``sin(x**2 + 1)``
replays the textbook's adjoint derivation, one line per picture.

The view only *reads* records: values come from :class:`~adviz.engine.record.Node`,
partials, contributions and running totals from the sweep's
:class:`~adviz.engine.record.Term` records.  Nothing here does calculus.

>>> import adviz as ad
>>> t = ad.trace("sin(x**2 + 1)", x=3.0)
>>> g = build_graph(t, t.reverse(), step=1)     # a graphviz.Digraph
>>> svg = to_svg(t, t.reverse(), step=1)         # the picture, as SVG text  # doctest: +SKIP

Big tapes (a loop, a scalar neural network) are folded: repeated blocks of primitives
are drawn once, with a box saying how many repetitions were folded (see
:mod:`adviz.render.graph_collapse`), and the caption says what was folded.  Pass
``expand=True`` to draw every node.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import style
from .graph_collapse import Group, Plan
from .graphviz_backend import NoBackendError, render, svg_to_png
from .scene import (  # noqa: F401 - re-exported: the graph's public vocabulary
    _HEADER_WIDTH,
    DEFAULT_MAX_NODES,
    FAST_LAYOUT_BOXES,
    MAX_EXPANDED_NODES,
    Arrow,
    Look,
    Structure,
    TooBigToDraw,
    _header,
    _is_scalar,
    _mark,
    _names,
    _next_progress,
    seed_text,
    _num,
    _pattern,
    _plan,
    _Progress,
    _progress,
    changed_elements,
    expand_hint,
    scene,
    structure,
    summary,
    wrapped_places,
)

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

    from ..engine.record import Sweep, Term, Trace

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "MAX_EXPANDED_NODES",
    "TooBigToDraw",
    "Look",
    "Structure",
    "build_graph",
    "caption_lines",
    "changed_elements",
    "folding_note",
    "repr_mimebundle",
    "repr_svg",
    "scene",
    "shorten",
    "structure",
    "to_dot",
    "to_svg",
    "write_graph",
]

logger = logging.getLogger("adviz.render")

FORMATS = ("svg", "png", "pdf", "dot")
"""Output formats of :func:`write_graph`; ``dot`` is the DOT source itself."""

# ---------------------------------------------------------------- DOT text helpers


def _record_field(text: str) -> str:
    """Escape text for one field of a Graphviz record label."""
    text = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


# ---------------------------------------------------------------- DOT


def _box_label(texts: tuple[str, ...], split_header: bool, rankdir: str) -> str:
    """A record label: header (split in two for ``x|input``), value, derivative."""
    fields = [_record_field(t) for t in texts]
    if split_header:
        fields = ["{" + fields[0] + "|" + fields[1] + "}", *fields[2:]]
    label = "|".join(fields)
    return "{" + label + "}" if rankdir == "TB" else label


def _edge_label(texts: tuple[str, ...]) -> str:
    return "\\n".join(t.replace("\\", "\\\\").replace('"', '\\"') for t in texts)


def to_dot(s: Structure, looks: dict[str, Look], caption: list[str] | None = None, *,
           font: str = style.FONT, scale: float = 1.0) -> graphviz.Digraph:
    """The ``graphviz.Digraph`` of structure ``s`` drawn with ``looks``.

    ``caption``: lines of the graph's label (None: no label).  ``font``, ``scale``: the
    font Graphviz measures text with, and a factor on every font size (the layout of
    :mod:`adviz.render.layout` measures generously so that wider fonts fit).
    """
    import graphviz

    mode = s.mode
    g = graphviz.Digraph("adviz")
    g.attr(rankdir=s.rankdir, bgcolor="white", fontname=font, labelloc="t", labeljust="l",
           nodesep="0.3", ranksep="0.45", fontsize=f"{14 * scale:.2f}")
    g.attr("node", fontname=font, fontsize=f"{14 * scale:.2f}", style="filled", fontcolor=style.TEXT)
    g.attr("edge", fontname=font, fontsize=f"{12 * scale:.2f}", fontcolor=style.TEXT, arrowsize="0.8")
    if len(s.boxes) > FAST_LAYOUT_BOXES:  # fewer passes at crossing edges: seconds instead of minutes
        g.attr(mclimit="0.1", nslimit="2", nslimit1="2")
    if caption:
        g.attr(label=graphviz.nohtml("".join(_record_text(line) + "\\l" for line in caption)))
    inputs = []
    for element_id, unit in s.boxes:
        look = looks[element_id]
        paint = style.element_look(look.kind, look.state, mode)
        attrs = {"id": element_id, "class": f"box {look.kind} {look.state}", "color": paint.line,
                 "fillcolor": paint.fill, "penwidth": f"{paint.penwidth:g}"}
        if paint.text != style.TEXT:
            attrs["fontcolor"] = paint.text
        if isinstance(unit, Group):
            attrs.update(shape="record", style="filled,dashed",
                         tooltip=f"folded: {_names(s.trace, unit.members)}")
            label = _box_label(look.texts, False, s.rankdir)
        else:
            node = s.trace.nodes[unit]
            attrs["shape"] = "Mrecord" if node.is_input else "record"
            attrs["tooltip"] = (f"{node.name} = {node.definition} = {summary(node.value)}"
                                + (" (output)" if node.is_output else ""))
            label = _box_label(look.texts, len(_header(node)) == 2, s.rankdir)
            if node.is_input:
                inputs.append(element_id)
        g.node(element_id, graphviz.nohtml(label), **attrs)
    _checkpoint_boxes(g, s, font, scale)
    places = _wrap_rows(g, s, inputs) if s.wrap else {}
    if inputs and not s.wrap:
        with g.subgraph() as same:  # inputs side by side at the start
            same.attr(rank="source")
            for name in inputs:
                same.node(name)
            for first, second in zip(inputs, inputs[1:]):  # in the order of the arguments
                same.edge(first, second, style="invis")
    for arrow in s.arrows:
        look = looks[arrow.id]
        paint = style.element_look(look.kind, look.state, mode)
        attrs = {"id": arrow.id, "class": f"arrow {look.kind} {look.state}", "color": paint.line,
                 "penwidth": f"{paint.penwidth:g}"}
        if paint.text != style.TEXT:
            attrs["fontcolor"] = paint.text
        if arrow.folded:
            attrs["style"] = "dashed"
        attrs.update(_cut_edge_attrs(s, arrow))
        if paint.dash and "style" not in attrs:  # idle: the sweep passed it with nothing to carry
            attrs["style"] = "dotted"
        tail, head = arrow.tail, arrow.head
        upward = bool(places) and places[head][1] < places[tail][1]
        if upward:  # a column running bottom to top: Graphviz is given the arrow downwards, drawn back
            tail, head = head, tail
        if (mode == "reverse") != upward:
            attrs["dir"] = "back"  # adjoints flow from a node back to its operands
        if places and places[tail][0] != places[head][0]:
            attrs["constraint"] = "false"  # on to another column: no rank order between them
        g.edge(tail, head, graphviz.nohtml(_edge_label(look.texts)), **attrs)
    return g


def _wrap_rows(g: Any, s: Structure, inputs: list[str]) -> dict[str, tuple[int, int]]:
    """Wrap a long top-to-bottom picture into columns of ``s.wrap`` rows, as a snake (see
    :func:`~adviz.render.scene.wrapped_places`); return each box's ``(column, row)``.

    The boxes of a row share a rank, and invisible arrows between the columns keep them in
    order left to right (the inputs first, in argument order); :func:`to_dot` gives Graphviz
    every arrow downwards (one running up is drawn back) and lets an arrow on to another
    column order no ranks (``constraint=false``).
    """
    places = wrapped_places(s, s.wrap)
    rows: dict[int, list[str]] = defaultdict(list)
    for element_id, _ in s.boxes:
        rows[places[element_id][1]].append(element_id)
    for r, members in sorted(rows.items()):
        members.sort(key=lambda b: (places[b][0], b not in inputs))  # stable: inputs, then tape order
        with g.subgraph() as same:
            same.attr(rank="source" if r == 0 else "same")
            for b in members:
                same.node(b)
            for first, second in zip(members, members[1:]):
                if first in inputs or places[first][0] != places[second][0]:
                    same.edge(first, second, style="invis")
    return places


def _cut_edge_attrs(s: Structure, arrow: Any) -> dict[str, str]:
    """An arrow into ``ad.stop_gradient`` is drawn cut: dashed, ending in a bar.

    The value flows along it; no tangent or adjoint does (the records have no term for it).
    """
    if arrow.folded or not arrow.head.startswith("n"):
        return {}
    node = s.trace.nodes[int(arrow.head[1:])]
    if not getattr(node, "stops_gradient", False):
        return {}
    return {"style": "dashed", "arrowhead": "tee", "arrowtail": "tee"}


def _checkpoint_boxes(g: Any, s: Structure, font: str, scale: float) -> None:
    """Each ``ad.checkpoint`` block is a dashed box around its nodes, labelled with the
    function's name: the reverse sweep recomputes what is inside instead of keeping it."""
    drawn = {element_id for element_id, unit in s.boxes if not isinstance(unit, Group)}
    for c in getattr(s.trace, "checkpoints", ()):
        members = [f"n{i}" for i in c.nodes if f"n{i}" in drawn]
        if not members:
            continue
        with g.subgraph(name=f"cluster_checkpoint{c.index}") as box:
            box.attr(label=f"checkpoint {c.name}: recomputed in the reverse sweep", style="dashed,rounded",
                     color=style.TEXT, fontcolor=style.TEXT, fontname=font, fontsize=f"{12 * scale:.2f}",
                     labeljust="l")
            for member in members:
                box.node(member)


def _record_text(line: str) -> str:
    return line.replace("\\", "\\\\").replace('"', '\\"')


# ---------------------------------------------------------------- the caption


def shorten(text: str, limit: int = 80) -> str:
    """A long text cut to about ``limit`` characters, saying how long it was.

    >>> shorten("sin(x)+" * 3, 10)
    'sin(x)+si… (21 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text):,} characters)"


def _title(trace: Trace) -> str:
    # "x = 3", "x = [1, 2]" when every entry is shown, else "W: (3, 4) [−1 … 2]"
    values = input_values(trace, lambda v: ": " if v.startswith("(") else " = ")
    head = shorten(trace.title)
    return f"{head}  at  {values}" if values else head


def input_values(trace: Trace, sep: Any = lambda v: " = ") -> str:
    """``x1 = 2, x2 = 5``: the inputs' values for a title, whole items only.  Past about 100
    characters the list ends with how many inputs it leaves out (cutting inside a value, as
    ``x = [0…``, read as a broken value)."""
    shown = {n.variable or n.name: summary(n.value) for n in trace.inputs}  # x1 = 2, also when shown as v₋₁
    items = [f"{k}{sep(v)}{v}" for k, v in shown.items()]
    values = ", ".join(items)
    if len(values) <= 120:
        return values
    kept = [item for k, item in enumerate(items) if len(", ".join(items[:k + 1])) <= 100] or [shorten(items[0], 100)]
    left = len(items) - len(kept)
    return ", ".join(kept) + f", … ({left} more input{'s' if left > 1 else ''})"


def caption_lines(trace: Trace, p: _Progress | None, plan: Plan, title: str | None) -> list[str]:
    """The caption, one line per fact: title, mode and seed, the step with its numbers, the result, folds."""
    lines = [title if title is not None else _title(trace)]
    if p is not None:
        lines.append(f"{p.mode} mode ({p.colours.word}s), seed {seed_text(trace, p.sweep)}")
        total = len(p.sweep.steps)
        if p.shown == 0 and not p.part:
            lines.append(f"step 0 of {total}: only the seed is known")
        elif p.stepping:
            step = p.active_step
            terms = step.terms[p.part - 1: p.part] if p.part else step.terms
            updates = "; ".join(_worked_update(trace, t, p) for t in terms) or (
                "recomputed (checkpoint: its value was not kept)" if getattr(step, "kind", "") == "recompute"
                else f"{_mark(trace.nodes[step.node].name, 'forward')} = 0 (no operand carries a tangent)"
                if p.mode == "forward" else "nothing to propagate (no differentiable operand)")
            lines.append(f"step {p.label} of {total} ({trace.nodes[step.node].name}): {updates}")
        if p.complete:
            lines.append("result: " + _result_text(trace, p))
        else:
            lines += pending_note(trace, p)
    for group in plan.groups:
        if group.kind == "repeat":
            lines.append(f"folded {_names(trace, group.members)}: {group.repeats} more repetitions of "
                         f"[{_pattern(group)}]")
        else:
            lines.append(f"folded {_names(trace, group.members)}: {len(group.members)} nodes not drawn")
    if plan.collapsed:
        lines.append(f"(drawn: {len(plan.units)} boxes for {plan.total} nodes; {expand_hint(plan)})")
    return lines


def pending_note(trace: Trace, p: _Progress) -> list[str]:
    """What ``?`` and ``+ …`` in the boxes mean, while the picture shows any (an unfinished sweep).

    ``x̄1 = ?``: no contribution has reached that adjoint yet — it is not 0, a later step adds
    to it (a reverse sweep reaches an input last); ``x̄1 = 5 + …``: some have, more are coming.
    ``v̇2 = ?``: that tangent is computed by a later step.  One line, short enough for the
    caption of a small graph."""
    unknown = any(not p.is_known(n.index) for n in trace.nodes)
    if p.mode == "forward":
        return ["? = not computed yet: a later step gives this tangent"] if unknown else []
    partial = any(p.received.get(i) and p.expected[i] > len(p.received[i]) for i in list(p.received))
    if unknown and partial:  # both in one short line: a small graph's caption stays a few lines
        return ["? = no contribution yet (not 0), + … = more to come"]
    if unknown:
        return ["? = no contribution yet (not 0: a later step adds it)"]
    return ["+ … = more contributions to come"] if partial else []


_JOIN = "\u00a0"  # a space the caption is not wrapped at (textwrap breaks at ASCII whitespace only)


def _keep_together(line: str, width: int) -> str:
    """``line`` with some spaces made unbreakable, so that it wraps between its items rather
    than inside one: the spaces of a short bracket (``[0.1, 0.2]``, ``(3, 2)``), the one between
    a shape and its summary (``(3, 2) [1 … 6]``), and those around ``=`` (``b = [0.1, 0.2]``)
    as long as the equation so joined stays shorter than three quarters of a line."""
    join = [False] * len(line)
    opened: list[int] = []
    for i, c in enumerate(line):
        if c in "([{":
            opened.append(i)
        elif c in ")]}" and opened:
            start = opened.pop()
            if i - start < width // 2:
                for k in range(start, i):
                    join[k] = join[k] or line[k] == " "
        elif c == " " and line[i - 1:i] == ")" and line[i + 1:i + 2] == "[":
            join[i] = True
    for m in re.finditer(r"(?:Σ\S*|\(\d+(?:\.\d+)?\))( )", line):   # "Σᵢ v̄1[i, :]", "(1.2) v̄4 += …"
        join[m.start(1)] = True
    for i, c in enumerate(line):                  # never break before = or +=
        if c == " " and (line[i + 1:i + 2] == "=" or line[i + 1:i + 3] == "+="):
            join[i] = True
    after = [i for i, c in enumerate(line) if c == " " and not join[i] and line[i - 1:i] == "="]
    for i in after:
        join[i] = True
    start = 0
    for end in [i for i, c in enumerate(line) if c == " " and not join[i]] + [len(line)]:
        if end - start > 3 * width // 4:          # too long to keep whole: break after its = signs
            for i in after:
                if start <= i < end:
                    join[i] = False
        start = end + 1
    return "".join(_JOIN if j else c for c, j in zip(line, join))


_BREAK_AFTER = re.compile(r"(?<=[-−+*/,;=|&·(\[_])(?<!\*\*)(?=[^-−+*/,;=|&·)\]\s])")  # not inside x**4
_EXPONENT = re.compile(r"\d[eE][-−+]$")


def _pieces(word: str, width: int) -> list[str]:
    """A word that fits on a line, whole; a longer one in the pieces it may break into: after
    an operator, a comma, an opening bracket or an underscore (``sin(x1)*cos(x2)+…`` breaks
    after ``*`` or ``+``, never inside ``x1`` or ``1e-10``), and only as a last resort, a
    piece longer than a line by itself, every ``width`` characters."""
    if len(word) <= width:
        return [word]
    cuts = [m.start() for m in _BREAK_AFTER.finditer(word) if not _EXPONENT.search(word[:m.start()])]
    pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)])]
    return [p[k:k + width] for p in pieces for k in range(0, len(p), width)]


def _fill(line: str, width: int, indent: str = "   ") -> list[str]:
    """Greedy filling: spaces are kept as written inside a line and dropped where it breaks."""
    out: list[str] = []
    current, space = "", ""
    for token in re.split(r"( +)", line):
        if token.startswith(" "):
            space = token
            continue
        for k, piece in enumerate(_pieces(token, width - len(indent))):
            gap = space if k == 0 else ""
            if current.strip() and len(current) + len(gap) + len(piece) > width:
                out.append(current)
                current, gap = indent, ""
            current += gap + piece
        space = ""
    return [*out, current]


def wrap(lines: list[str], width: int) -> list[str]:
    """Wrap caption lines at ``width`` characters (continuations indented), preferably between
    the items of a line rather than inside a list of numbers or an equation; a word longer than
    a line breaks after an operator or a comma, inside a name only when it has neither."""
    out: list[str] = []
    width = max(20, width)
    for line in lines:
        line = re.sub(r"\s", " ", line.replace(_JOIN, "\0")).replace("\0", _JOIN)
        out.extend(part.replace(_JOIN, " ") for part in _fill(_keep_together(line, width), width))
    return out


def _worked_update(trace: Trace, term: Term, p: _Progress) -> str:
    """``v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391``: the update with its numbers."""
    text = term.update()
    if not (_is_scalar(term.contribution) and term.partial_value is not None and _is_scalar(term.partial_value)):
        return text
    source = p.active_step.value if p.mode == "reverse" else p.known.get(term.source)
    if source is None or not _is_scalar(source):
        return text
    a, b = _num(source), _num(term.partial_value)
    b = f"({b})" if b.startswith("−") else b
    a = f"({a})" if a.startswith("−") else a
    product = f"{a}·{b}" if p.mode == "reverse" else f"{b}·{a}"
    return f"{text} = {product} = {_num(term.contribution)}"


def _result_text(trace: Trace, p: _Progress) -> str:
    result = p.sweep.result
    out = trace.output.name
    if p.mode == "reverse":
        return ", ".join(f"{_mark(name, 'reverse')} = ∂{out}/∂{name} = {summary(v)}" for name, v in result.items())
    if isinstance(result, tuple):
        return ", ".join(f"{_mark(n.name, 'forward')} = {summary(v)}" for n, v in zip(trace.outputs, result))
    return f"{_mark(out, 'forward')} = {summary(result)}"


# ---------------------------------------------------------------- the graph


def build_graph(
    trace: Trace,
    sweep: Sweep | None = None,
    step: Any = None,
    *,
    expand: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | None = None,
    title: str | None = None,
    rankdir: str | None = None,
    notation: str | None = None,
) -> graphviz.Digraph:
    """The computational graph of ``trace`` as a ``graphviz.Digraph``.

    ``sweep``: a ``trace.forward(...)`` or ``trace.reverse(...)`` record to show; ``step``:
    show it after that many steps (``0`` = only the seed, default = all; ``"3.2"`` = step 3
    up to its second chain-rule term, see :meth:`Sweep.position
    <adviz.engine.record.Sweep.position>`).  ``expand``: draw every node even on a big
    tape; ``max_nodes``: fold tapes longer than this (long chains fold sooner).
    ``edge_labels``: write the local partials on the arrows (default: when at most 30
    boxes are drawn, 100 with ``expand``: a long picture then wraps into columns).  ``title``: the first caption line (default: the expression or
    function and the input values).  ``rankdir``: ``"LR"`` or ``"TB"`` (default: left to
    right unless the graph is a long chain).  ``notation``: name the boxes as adviz
    (``"adviz"``), numbering the inputs too (``"inputs-first"``) or as Griewank & Walther
    (``"griewank"``: ``v₋₁``, ``v₀``, ``v₁``, …); default: as the trace names them.
    """
    if step is not None and sweep is None:
        raise ValueError("step needs a sweep: build_graph(trace, trace.reverse(), step=1)")
    trace, sweep = in_notation(trace, sweep, notation)
    s = structure(trace, sweep, expand=expand, max_nodes=max_nodes, edge_labels=edge_labels, rankdir=rankdir)
    p = _progress(trace, sweep, step) if sweep is not None else None
    return to_dot(s, scene(s, p), wrap(caption_lines(trace, p, s.plan, title), 110))


def folding_note(trace: Trace, *, expand: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """One line saying what :func:`build_graph` folds on this trace ("" if nothing)."""
    if expand:
        return ""
    plan = _plan(trace, expand, max_nodes)
    if not plan.collapsed:
        return ""
    folded = sum(len(g.members) for g in plan.groups)
    groups = len(plan.groups)
    return (f"folded {folded} of {plan.total} nodes into {groups} box{'es' if groups != 1 else ''} "
            f"({len(plan.units)} boxes drawn); " + ("draw every node with expand=True (adviz graph --expand)"
                                                   if plan.expandable else expand_hint(plan)))


# ---------------------------------------------------------------- pictures


def in_notation(trace: Trace, sweep: Sweep | None, notation: str | None) -> tuple[Trace, Sweep | None]:
    """``trace`` and ``sweep`` with their rows named in ``notation`` (None: as they are)."""
    if notation is None:
        return trace, sweep
    if sweep is not None and getattr(sweep, "trace", trace) is not trace:
        raise ValueError("this sweep was recorded on a different trace")
    named = trace.in_notation(notation)
    return named, (named.replay(sweep) if sweep is not None else None)


def to_svg(trace: Trace, sweep: Sweep | None = None, step: Any = None, *, notation: str | None = None,
           **options: Any) -> str:
    """The graph rendered to SVG text, laid out once per sweep (see :mod:`adviz.render.layout`).

    Every step of a sweep drawn this way has its boxes and arrows in the same places, so
    pictures of consecutive steps can be flipped through like slides.  ``notation``: see
    :func:`build_graph`.
    """
    from .layout import SweepLayout

    if step is not None and sweep is None:
        raise ValueError("step needs a sweep: to_svg(trace, trace.reverse(), step=1)")
    trace, sweep = in_notation(trace, sweep, notation)
    return SweepLayout(trace, sweep, **options).svg(step)


def repr_svg(trace: Trace) -> str | None:
    """Body of ``Trace._repr_svg_``: the graph as SVG, or None if nothing can render here."""
    try:
        return to_svg(trace)
    except NoBackendError as error:
        logger.warning("cannot draw the trace: %s", error)
        return None


def repr_mimebundle(trace: Trace, include=None, exclude=None) -> dict[str, str]:
    """Body of ``Trace._repr_mimebundle_``: SVG picture plus the plain-text tape."""
    bundle = {"text/plain": repr(trace)}
    wanted = (include is None or "image/svg+xml" in include) and not (exclude and "image/svg+xml" in exclude)
    if wanted:
        svg = repr_svg(trace)
        if svg is not None:
            bundle["image/svg+xml"] = svg
    return bundle


def write_graph(
    trace: Trace,
    path: str | Path,
    sweep: Sweep | None = None,
    step: Any = None,
    *,
    format: str | None = None,
    **options: Any,
) -> Path:
    """Write the graph to ``path``; the format is ``format`` or the file's suffix.

    ``.svg`` and ``.png`` work everywhere (the PNG is the SVG rasterised with the fonts
    shipped in matplotlib), ``.pdf`` needs Graphviz's ``dot`` program, ``.dot``/``.gv``
    write the DOT source itself (no rendering needed).
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"cannot write {path.name!r}: choose a .svg, .png, .pdf or .dot file (or format=...)")
    trace, sweep = in_notation(trace, sweep, options.pop("notation", None))
    if fmt == "dot":
        data = build_graph(trace, sweep, step, **options).source.encode("utf-8")
    elif fmt == "pdf":
        data = render(build_graph(trace, sweep, step, **options).source, fmt)
    else:
        svg = to_svg(trace, sweep, step, **options)
        data = svg.encode("utf-8") if fmt == "svg" else svg_to_png(svg.encode("utf-8"))
    from ..fileio import atomic_write

    return atomic_write(path, data)
