"""What a graph shows at each step of a sweep: its structure once, then one scene per step.

A drawing of a sweep has two parts that change at different speeds.  Its **structure**
(:func:`structure`: which boxes, which arrows, which way the picture runs, what is folded)
is fixed for a trace and a sweep.  A **scene** (:func:`scene`) says, for one step, each
element's :class:`Look`: its state (``pending``, ``known``, ``active``, …) and the texts in
its slots (``v̄2 = ?`` becomes ``v̄2 = −0.8391``).  :mod:`adviz.render.graph` turns a scene
into DOT; :mod:`adviz.render.layout` lays the structure out once and paints each scene on it.

Everything here is read off the engine's records (``Sweep``, ``Step``, ``Term``): the
progress of a sweep after ``k`` steps (or ``"k.j"``, inside a step) is the set of terms
applied so far; nothing here does calculus.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.notation import signed
from . import style
from .graph_collapse import Group, Plan, collapse

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Node, Sweep, Term, Trace

__all__ = [
    "DEFAULT_MAX_NODES",
    "MAX_EXPANDED_NODES",
    "MAX_LAYOUT_COST",
    "Arrow",
    "Look",
    "Structure",
    "TooBigToDraw",
    "box_depths",
    "wrapped_places",
    "wraps_cleanly",
    "changed_elements",
    "check_drawable",
    "expand_hint",
    "layout_cost",
    "scene",
    "structure",
    "summary",
]

logger = logging.getLogger("adviz.render")

DEFAULT_MAX_NODES = 60
"""Above this many tape nodes a graph is folded (unless ``expand=True``)."""

_HEADER_WIDTH = 26  # a definition longer than this is shown as "name | symbol"
_LABELLED_BOXES = 30  # with more boxes than this, arrows are not labelled (unless asked)
_LABELLED_EXPANDED = 100  # expand=True: every node asked for, with its arrows' labels up to this many boxes

EdgeKey = tuple[int, int, int]  # (operand node, consuming node, argnum): one arrow of the graph


# ---------------------------------------------------------------- text helpers


def _num(value: Any) -> str:
    """A scalar the way a textbook prints it: 4 significant digits, a real minus sign."""
    x = np.asarray(value).item()
    if isinstance(x, (bool, np.bool_)):
        return str(x)
    if isinstance(x, complex):
        return f"{x:.4g}".replace("-", "−")
    text = f"{x:.4g}"
    return text.replace("-", "−")


def summary(value: Any) -> str:
    """Scalar: its value.  Small vector: all entries.  Otherwise: shape and range.

    >>> summary(3.0), summary(np.array([1.0, -2.0])), summary(np.zeros((3, 4)))
    ('3', '[1, −2]', '(3, 4) [0 … 0]')
    """
    a = np.asarray(value)
    if a.ndim == 0:
        return _num(a)
    shape = str(a.shape)  # NumPy's own notation: (4,), (3, 4)
    if a.size == 0:
        return f"{shape} (empty)"
    if a.ndim == 1 and a.size <= 3:
        return "[" + ", ".join(_num(v) for v in a) + "]"
    if not np.issubdtype(a.dtype, np.number):
        return f"{shape} {a.dtype}"
    return f"{shape} [{_num(a.min())} … {_num(a.max())}]"


def _is_scalar(value: Any) -> bool:
    return np.ndim(value) == 0


def _signed_sum(parts: list[str]) -> str:
    """``["5", "−0.416"]`` → ``"5 − 0.416"``."""
    text = parts[0]
    for part in parts[1:]:
        text += f" − {part[1:]}" if part.startswith("−") else f" + {part}"
    return text


def _mark(name: str, mode: str) -> str:
    from ..engine import notation

    return notation.dot(name) if mode == "forward" else notation.bar(name)


def unbroken(text: str) -> str:
    """An array's summary (``(3, 2) [1 … 2]``, ``[1, 1, 1]``) with no-break spaces, so that a
    caption wraps between values, never inside one (``[1, 1,`` above ``1]``); other text as is."""
    return text.replace(" ", "\u00a0") if "[" in text or "(" in text else text


def seed_values(trace: Trace, sweep: Sweep) -> dict[int, Any]:
    """The whole seed, node by node: in forward mode every input's tangent (the inputs left
    out of the given seed at the zero the sweep recorded for them, as their boxes show); in
    reverse mode the adjoint of each seeded output."""
    seed = {trace.index(name): value for name, value in sweep.seed.items()}
    if sweep.mode == "forward":
        seed = {**{n.index: seed.get(n.index, sweep.value_of(n.index)) for n in trace.inputs}, **seed}
    return seed


def seed_text(trace: Trace, sweep: Sweep, *, note: bool = True) -> str:
    """What a sweep started from, whole and honestly: its values and (``note``) what they pick,
    in the graph caption's few words: ``ẋ1 = 1, ẋ2 = 0 (v̇3 ends as ∂v3/∂x1)`` in forward mode,
    ``v̄3 = 1 (x̄1 ends as ∂v3/∂x1, …)`` in reverse mode (see :func:`seed_note`, which the
    page's introduction uses in full).  ``note=False``: the values alone (``ẋ1 = 1, ẋ2 = 0``).
    """
    seed = seed_values(trace, sweep)
    values = ", ".join(f"{_mark(trace.nodes[i].name, sweep.mode)} = {unbroken(summary(v))}" for i, v in seed.items())
    said = seed_note(trace, sweep, short=True) if note else ""
    return f"{values} ({said})" if said else values


def seed_note(trace: Trace, sweep: Sweep, *, short: bool = False) -> str:
    """What a sweep's seed picks, in words (empty when the values say it all: ``ẋ = 1``).

    Forward mode: which input is seeded (``x1 seeded: the sweep computes ∂v3/∂x1``, or
    ``a directional derivative``); reverse mode: that the output's adjoint is its cotangent
    (``the cotangent of the output v3: x̄1 ends as ∂v3/∂x1, …``).  ``short``: only what the
    sweep ends with (``v̇3 ends as ∂v3/∂x1``, ``x̄1 ends as ∂v3/∂x1, …``), for a caption that
    must stay a line long on a small graph."""
    seed = seed_values(trace, sweep)
    unit = [i for i, v in seed.items() if np.ndim(v) == 0 and float(v) == 1.0]
    if sweep.mode == "reverse":
        if len(seed) == 1 and len(trace.outputs) == 1:
            out = trace.nodes[next(iter(seed))].name
            first = trace.inputs[0].name
            more = ", …" if len(trace.inputs) > 1 else ""
            ends = f"{_mark(first, 'reverse')} ends as ∂{out}/∂{first}{more}"
            if short:
                return ends if unit else f"the cotangent of the output {out}"
            return f"the cotangent of the output {out}" + (f": {ends}" if unit else "")
        return "the outputs' cotangents"
    seeded = [i for i, v in seed.items() if np.any(np.asarray(v) != 0)]
    if len(seed) == 1 and unit:  # one scalar input, tangent 1: nothing to add
        return ""
    if not seeded:
        return "nothing seeded: every tangent stays 0"
    names = ", ".join(trace.nodes[i].name for i in seeded)
    if seeded == unit and len(seeded) == 1 and len(trace.outputs) == 1:
        out = trace.output.name
        if short:
            return f"{_mark(out, 'forward')} ends as ∂{out}/∂{names}"
        return f"{names} seeded: the sweep computes ∂{out}/∂{names}"
    return f"{names} seeded: a directional derivative"


# ---------------------------------------------------------------- what the sweep has done


@dataclass
class _Progress:
    """The state of a sweep at position ``(shown, part)``, read off its records.

    ``shown`` whole steps are done, then the first ``part`` terms of the next step
    (``part == 0``: none; see :meth:`Sweep.position <adviz.engine.record.Sweep.position>`).
    """

    sweep: Sweep
    shown: int
    colours: style.ModeColours
    part: int = 0
    seeds: dict[int, Any] = field(default_factory=dict)  # node -> seeded tangent/adjoint
    known: dict[int, Any] = field(default_factory=dict)  # node -> current tangent/adjoint
    received: dict[int, list[Term]] = field(default_factory=lambda: defaultdict(list))
    expected: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    applied: dict[EdgeKey, Term] = field(default_factory=dict)
    terms: dict[EdgeKey, Term] = field(default_factory=dict)  # every term of the sweep
    step_of: dict[int, int] = field(default_factory=dict)  # node -> the step (1, 2, …) that processes it
    active_node: int | None = None
    active_keys: set[EdgeKey] = field(default_factory=set)
    stepping: bool = False  # a step was asked for: name it in the caption

    @property
    def mode(self) -> str:
        return self.sweep.mode

    @property
    def complete(self) -> bool:
        return self.shown == len(self.sweep.steps) and not self.part

    @property
    def active_step(self):
        """The step being shown (the one partly done, or the last one done)."""
        if self.part:
            return self.sweep.steps[self.shown]
        return self.sweep.steps[self.shown - 1] if self.shown else None

    @property
    def label(self) -> str:
        """The position in the sweep's numbering: ``"3"`` or ``"3.2"``."""
        if self.part:
            return self.sweep.step_label(self.shown + 1, self.part)
        return str(self.shown)

    def is_known(self, index: int) -> bool:
        return index in self.known

    def processed(self, index: int) -> bool:
        """True once node ``index``'s own step is done (or being shown whole): from then on an
        arrow into it that got no term from the sweep is known to carry nothing."""
        if self.complete:
            return True
        step = self.step_of.get(index)
        return step is not None and step <= self.shown


def _edge_key(term: Term) -> EdgeKey:
    """The arrow a term travels along, always named in data-flow direction."""
    if term.mode == "forward":
        return (term.source, term.target, term.argnum)
    return (term.target, term.source, term.argnum)


def _progress(trace: Trace, sweep: Sweep, step: Any) -> _Progress:
    shown, part = sweep.position(len(sweep.steps) if step is None else step)
    p = _Progress(sweep, shown, style.mode_colours(sweep.mode), part, stepping=step is not None)
    for name, value in sweep.seed.items():
        p.seeds[trace.index(name)] = value
    if sweep.mode == "forward":  # an input left out of the seed has tangent 0 from the start, not "?"
        p.known.update({n.index: sweep.value_of(n.index) for n in trace.inputs if n.index not in p.seeds})
    p.known.update(p.seeds)
    for number, s in enumerate(sweep.steps, 1):
        if getattr(s, "kind", "") != "recompute":  # a checkpoint's recomputation is not its turn
            p.step_of[s.node] = number
        for term in s.terms:
            p.terms[_edge_key(term)] = term
            p.expected[term.target] += 1

    def apply(s, terms) -> None:
        if sweep.mode == "forward" and len(terms) == len(s.terms):
            p.known[s.node] = s.value
        for term in terms:
            p.applied[_edge_key(term)] = term
            p.received[term.target].append(term)
            p.known[term.target] = term.total

    for s in sweep.steps[:shown]:
        apply(s, s.terms)
    if part:
        apply(sweep.steps[shown], sweep.steps[shown].terms[:part])
    if p.stepping and p.active_step is not None:  # a finished sweep shown whole has no "current" step
        p.active_node = p.active_step.node
        current = p.active_step.terms[part - 1: part] if part else p.active_step.terms
        p.active_keys = {_edge_key(t) for t in current}
    return p


def _next_progress(trace: Trace, p: _Progress, part: int = 0) -> _Progress:
    """The progress one whole step after ``p`` (a whole step), or ``part`` terms into it.

    Copies ``p``'s bookkeeping and applies one step: walking a sweep this way costs its
    length, not its length squared.
    """
    sweep = p.sweep
    s = sweep.steps[p.shown]
    terms = s.terms[:part] if part else s.terms
    q = _Progress(sweep, p.shown if part else p.shown + 1, p.colours, part, p.seeds, dict(p.known),
                  dict(p.received), p.expected, dict(p.applied), p.terms, p.step_of, stepping=True)
    if sweep.mode == "forward" and not part:
        q.known[s.node] = s.value
    for term in terms:
        key = _edge_key(term)
        q.applied[key] = term
        q.received[term.target] = [*q.received.get(term.target, ()), term]
        q.known[term.target] = term.total
    q.active_node = s.node
    q.active_keys = {_edge_key(t) for t in (terms[-1:] if part else terms)}
    return q


def _label_terms(trace: Trace) -> dict[EdgeKey, Term]:
    """Local partials for every arrow when no sweep is shown.

    They are read from a forward sweep seeded on every input (the engine records each
    edge's partial, formula and value, as it uses it); none of its tangents is shown.
    """
    try:
        sweep = trace.forward({n.name: np.ones_like(n.value) for n in trace.inputs})
    except Exception as error:  # noqa: BLE001 - labels are a nicety; the graph still draws
        logger.debug("graph: no partials for the edge labels (%s)", error)
        return {}
    return {_edge_key(t): t for s in sweep.steps for t in s.terms}


def _has_unswept_edges(trace: Trace, terms: dict[EdgeKey, Term]) -> bool:
    """True if some arrow got no term from the sweep (e.g. from an input left unseeded)."""
    return any(
        o.node is not None and (o.node, n.index, a) not in terms
        for n in trace.nodes
        for a, o in enumerate(n.operands)
    )


# ---------------------------------------------------------------- the drawing's structure
#
# A graph is drawn in two parts that change at different speeds.  Its *structure* (which
# boxes, which arrows, which way the picture runs) is fixed for a trace and a sweep; a
# *scene* says, for one step, each element's state ("pending", "known", "active", …) and
# the texts in its slots.  One Graphviz layout serves every scene of a sweep
# (see :mod:`adviz.render.layout`): stepping changes styles and texts, never positions.


@dataclass(frozen=True)
class Arrow:
    """One arrow of the drawing: a data dependency, or several folded into one dashed arrow."""

    id: str
    tail: str
    head: str
    keys: tuple[EdgeKey, ...]
    folded: bool


@dataclass
class Structure:
    """What a graph draws, independent of the step: boxes, arrows, direction, labels."""

    trace: Trace
    sweep: Sweep | None
    plan: Plan
    boxes: list[tuple[str, Any]]  # (element id, tape index or Group)
    arrows: list[Arrow]
    terms: dict[EdgeKey, Term]  # the term that labels each arrow
    edge_labels: bool
    rankdir: str
    wrap: int = 0  # a top-to-bottom picture wrapped into columns of this many rows (0: one column)

    @property
    def mode(self) -> str | None:
        return self.sweep.mode if self.sweep is not None else None

    def index(self) -> tuple[dict, dict, dict, dict, dict]:
        """Look-up tables, built once: tape position → unit, unit's first position → box id,
        edge key → arrow id, box id → unit, arrow id → arrow (both in drawing order)."""
        if not hasattr(self, "_index"):
            box_id = {(u.members[0] if isinstance(u, Group) else u): i for i, u in self.boxes}
            arrows_of = {key: a.id for a in self.arrows for key in a.keys}
            self._index = (self.plan.unit_of(), box_id, arrows_of, dict(self.boxes),
                           {a.id: a for a in self.arrows})
        return self._index

    def keys_into(self) -> dict[int, list[EdgeKey]]:
        """Tape position → the edge keys of the arrows into it (built once)."""
        if not hasattr(self, "_keys_into"):
            into: dict[int, list[EdgeKey]] = defaultdict(list)
            for key in self.index()[2]:
                into[key[1]].append(key)
            self._keys_into = into
        return self._keys_into


@dataclass(frozen=True)
class Look:
    """One element in one scene: its state (a style name) and the texts of its slots."""

    kind: str  # input, intermediate, output, group, edge, folded
    state: str  # plain, pending, known, active, applied
    texts: tuple[str, ...]


def _kind(node: Node) -> str:
    if node.is_output:
        return "output"
    return "input" if node.is_input else "intermediate"


def _signature(node: Node) -> tuple:
    """What counts as "the same node" when looking for repeated structure."""
    return (node.op, tuple(o.node is None for o in node.operands), np.shape(node.value))


def _longest_chain(trace: Trace) -> int:
    """Length of the longest path through the tape (the number of columns a left-to-right drawing needs)."""
    depth = [0] * len(trace.nodes)
    for node in trace.nodes:
        parents = [depth[o.node] for o in node.operands if o.node is not None]
        depth[node.index] = 1 + max(parents, default=0)
    return max(depth, default=0)


MAX_CHAIN = 14
"""A tape whose longest chain is longer than this has its repeated blocks folded even when
it has few nodes: drawn left to right, every link of a chain costs a box's width."""

FAST_LAYOUT_BOXES = 300
"""Above this many boxes Graphviz is asked to spend less effort reducing edge crossings."""

TOP_DOWN_CHAIN = 9
"""Drawn chains longer than this (and much longer than the graph is wide) run top to bottom."""


MAX_EXPANDED_NODES = 1500
"""``expand=True`` draws at most this many nodes (and at most :data:`MAX_LAYOUT_COST`): past a
few thousand the WebAssembly Graphviz runs out of memory, and every step of a sweep costs
Python time per node too.  Folded, any tape draws in about 60 boxes."""

MAX_LAYOUT_COST = 8000
"""``expand=True`` draws a tape only if its :func:`layout_cost` is at most this: about 8 s of
Graphviz (WebAssembly) on a laptop core.  Measured (2 shared cores, seconds per 1,000 units
0.7–1.1, up to 2 when the machine is busy): a 2,400-node chain costs 4,800 (5 s); a
scalar network of 8 neurons × 4 layers (560 nodes) 2,900 (2.5 s) and of 12 × 4
(1,224 nodes) 9,100 (8 s, refused); a sum of 150 terms that each use ``x`` (453 nodes)
15,300 (13 s, refused): Graphviz draws every arrow that skips layers as a chain of
bends, and untangles the crossings of dense layers, so the node count alone says little."""


def layout_cost(trace: Trace) -> int:
    """An estimate of the work Graphviz's ``dot`` does to lay out every node of ``trace``.

    ``nodes + arrows + bends + crossings / 15``, where ranks are estimated as ``dot`` assigns
    them (inputs first; a node with more consumers than operands is drawn next to its first
    consumer), an arrow spanning ``r`` ranks gets ``r − 1`` bends (``dot``'s virtual nodes),
    and the crossings to untangle between two neighbouring ranks are estimated by the arrows
    crossing that gap times the different nodes they come from.  Calibrated against
    measured layout times (see :data:`MAX_LAYOUT_COST`); linear in the tape's size.
    """
    nodes = trace.nodes
    n = len(nodes)
    if n == 0:
        return 0
    consumers: list[list[int]] = [[] for _ in range(n)]
    operands = [0] * n
    rank = [0] * n
    for node in nodes:
        for o in node.operands:
            if o.node is not None:
                consumers[o.node].append(node.index)
                operands[node.index] += 1
        if not node.is_input:
            rank[node.index] = 1 + max((rank[o.node] for o in node.operands if o.node is not None), default=-1)
    for node in reversed(nodes):  # pull a node towards its consumers when that shortens more arrows
        i = node.index
        if node.is_input or not consumers[i] or len(consumers[i]) < operands[i]:
            continue
        rank[i] = max(rank[i], min(rank[c] for c in consumers[i]) - 1)
    top = max(rank) + 2
    arrows_across = np.zeros(top, dtype=np.int64)  # difference arrays over the gaps between ranks
    sources_across = np.zeros(top, dtype=np.int64)
    edges = bends = 0
    for i in range(n):
        if not consumers[i]:
            continue
        far = rank[i]
        for c in consumers[i]:
            edges += 1
            bends += max(0, rank[c] - rank[i] - 1)
            arrows_across[rank[i]] += 1
            arrows_across[max(rank[c], rank[i] + 1)] -= 1
            far = max(far, rank[c], rank[i] + 1)
        sources_across[rank[i]] += 1
        sources_across[far] -= 1
    crossings = int(np.dot(np.cumsum(arrows_across), np.cumsum(sources_across)))
    return n + edges + bends + crossings // 15


class TooBigToDraw(ValueError):
    """``expand=True`` on a tape beyond :data:`MAX_EXPANDED_NODES` or :data:`MAX_LAYOUT_COST`."""


def check_drawable(trace: Trace) -> None:
    """Raise :class:`TooBigToDraw` if drawing every node of ``trace`` would take Graphviz too long."""
    n = len(trace.nodes)
    if n > MAX_EXPANDED_NODES:
        raise TooBigToDraw(f"this tape has {n:,} nodes; drawing every node (--expand, expand=True) is limited to "
                           f"{MAX_EXPANDED_NODES:,}: Graphviz would need minutes and gigabytes. Without --expand "
                           "the graph is folded to about 60 boxes.")
    cost = layout_cost(trace)
    if cost > MAX_LAYOUT_COST:
        raise TooBigToDraw(
            f"drawing every node of this tape (--expand, expand=True) is limited to a layout cost of "
            f"{MAX_LAYOUT_COST:,} (about 8 s of Graphviz); this one's is {cost:,} ({n:,} nodes, and arrows that "
            f"cross or skip layers), about {max(1, round(cost / MAX_LAYOUT_COST * 8))} s or more. Without --expand "
            "the graph is folded to about 60 boxes.")


def _plan(trace: Trace, expand: bool, max_nodes: int) -> Plan:
    n = len(trace.nodes)
    if expand:
        check_drawable(trace)
        return Plan(tuple(range(n)), n)
    signatures = [_signature(node) for node in trace.nodes]
    keep = {node.index for node in trace.outputs}
    units = max(8, max_nodes)
    plan = None
    if n <= units and _longest_chain(trace) > MAX_CHAIN:
        folded = collapse(signatures, keep=keep, max_units=8, spans=False)
        if folded.collapsed:
            plan = folded
    if plan is None:
        plan = collapse(signatures, keep=keep, max_units=units)
    if plan.collapsed:   # the captions offer expand=True only where it would be drawn
        try:
            check_drawable(trace)
        except TooBigToDraw:
            plan = replace(plan, expandable=False)
    return plan


def expand_hint(plan: Plan) -> str:
    """What a folded picture says about drawing every node: how, or that it is too big to."""
    return ("expand=True / --expand draws all" if plan.expandable
            else f"too big to draw every node: the limit is {MAX_EXPANDED_NODES:,} nodes and a layout cost of "
                 f"{MAX_LAYOUT_COST:,}")


def _direction(trace: Trace, plan: Plan, owner: dict) -> str:
    """``"LR"`` (left to right) unless the drawn graph is a long thin chain: then ``"TB"``."""
    depth: dict[int, int] = {}
    width: dict[int, int] = defaultdict(int)
    for unit in plan.units:
        members = unit.members if isinstance(unit, Group) else (unit,)
        parents = [depth[id(owner[o.node])] for i in members for o in trace.nodes[i].operands
                   if o.node is not None and owner[o.node] is not unit and id(owner[o.node]) in depth]
        depth[id(unit)] = 1 + max(parents, default=0)
        width[depth[id(unit)]] += 1
    chain = max(depth.values(), default=0)
    widest = max(width.values(), default=1)
    return "TB" if chain > TOP_DOWN_CHAIN and chain > 3 * widest else "LR"


def box_depths(s: Structure) -> dict[str, int]:
    """Each box's depth in the drawing: 0 for an input, else one more than its deepest operand's.

    A top-to-bottom picture wrapped into columns (``s.wrap`` rows each) puts the box of depth
    ``d`` in column ``d // s.wrap``, row ``d % s.wrap``.
    """
    parents: dict[str, list[str]] = defaultdict(list)
    for arrow in s.arrows:
        parents[arrow.head].append(arrow.tail)
    depth: dict[str, int] = {}
    for element_id, unit in s.boxes:  # tape order: operands come first
        if isinstance(unit, int) and s.trace.nodes[unit].is_input:
            depth[element_id] = 0
        else:
            depth[element_id] = 1 + max((depth.get(p, 0) for p in parents[element_id]), default=0)
    return depth


def wrapped_places(s: Structure, rows: int) -> dict[str, tuple[int, int]]:
    """Where each box goes when the top-to-bottom picture of ``s`` is wrapped into columns of
    ``rows`` boxes, as a snake: ``(column, row)``, rows counted from the top from 0 to ``rows``.

    A box of depth ``d`` (:func:`box_depths`) goes to column ``d // rows``.  Even columns run
    down (row ``d % rows``), odd ones back up (row ``rows − d % rows``, one lower), so that each
    arrow on to the next column goes one row down or up: Graphviz draws no arrow between two
    record boxes of one row (it leaves such an arrow out), and none is needed.
    """
    places = {}
    for element_id, d in box_depths(s).items():
        column, r = divmod(d, rows)
        places[element_id] = (column, r if column % 2 == 0 else rows - r)
    return places


def wraps_cleanly(s: Structure, rows: int) -> bool:
    """Whether wrapping ``s`` into columns of ``rows`` leaves no arrow within one row (see
    :func:`wrapped_places`): a chain always does; an arrow that jumps columns may not."""
    places = wrapped_places(s, rows)
    return all(places[a.tail][1] != places[a.head][1] for a in s.arrows)


def structure(
    trace: Trace,
    sweep: Sweep | None = None,
    *,
    expand: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | None = None,
    rankdir: str | None = None,
) -> Structure:
    """Decide what the graph of ``trace`` (and ``sweep``) draws; see :func:`build_graph` for the options."""
    if sweep is not None and getattr(sweep, "trace", trace) is not trace:
        raise ValueError("this sweep was recorded on a different trace")
    terms = {_edge_key(t): t for s in sweep.steps for t in s.terms} if sweep is not None else {}
    if sweep is None or _has_unswept_edges(trace, terms):
        terms = {**_label_terms(trace), **terms}
    plan = _plan(trace, expand, max_nodes)
    owner = plan.unit_of()
    if edge_labels is None:  # a graph drawn whole on request keeps its labels longer: it wraps to make room
        edge_labels = len(plan.units) <= (_LABELLED_EXPANDED if expand else _LABELLED_BOXES)

    def unit_id(unit) -> str:
        return f"g{unit.members[0]}" if isinstance(unit, Group) else f"n{unit}"

    boxes = [(unit_id(u), u) for u in plan.units]
    arrows: list[Arrow] = []
    folded: dict[tuple[str, str], list[EdgeKey]] = defaultdict(list)
    for node in trace.nodes:
        for argnum, operand in enumerate(node.operands):
            if operand.node is None:
                continue
            key = (operand.node, node.index, argnum)
            tail, head = owner[operand.node], owner[node.index]
            if isinstance(tail, Group) or isinstance(head, Group):
                if tail is not head:
                    folded[(unit_id(tail), unit_id(head))].append(key)
                continue
            arrows.append(Arrow(f"e{key[0]}-{key[1]}-{key[2]}", unit_id(tail), unit_id(head), (key,), False))
    for (tail, head), keys in folded.items():
        arrows.append(Arrow(f"f{tail}-{head}", tail, head, tuple(keys), True))
    if rankdir is None:
        rankdir = _direction(trace, plan, owner)
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    return Structure(trace, sweep, plan, boxes, arrows, terms, edge_labels, rankdir)


# ---------------------------------------------------------------- boxes


def _header(node: Node) -> tuple[str, ...]:
    """``("x", "input")``, ``("v1 = x**2",)`` or, for a long definition, ``("v5", "@")``; an
    input numbered by a notation shows its variable: ``("v₋₁", "x1")``."""
    if node.is_input:
        return (node.name, node.definition)
    definition = f"{node.name} = {node.definition}"
    if len(definition) <= _HEADER_WIDTH:
        return (definition,)
    return (node.name, node.symbol)


def _derivative_text(node: Node, p: _Progress) -> str:
    """``v̄3 = 1 (seed)``, ``x̄1 = −0.4161 + 5 = 4.584``, ``x̄1 = −0.4161 + …``, ``v̄2 = ?``."""
    sym = _mark(node.name, p.mode)
    i = node.index
    if i in p.seeds and not p.received.get(i):
        return f"{sym} = {summary(p.seeds[i])} (seed)"
    if not p.is_known(i):
        return f"{sym} = 0" if p.complete else f"{sym} = ?"
    total = p.known[i]
    received = p.received.get(i, [])
    more = p.mode == "reverse" and p.expected[i] > len(received)
    scalar = all(_is_scalar(t.contribution) for t in received) and _is_scalar(total)
    if scalar and (len(received) > 1 or more) and received:
        parts = _signed_sum([_num(t.contribution) for t in received])
        if len(received) > 3:  # a variable used many times: say how many paths, keep the box narrow
            count = f"{len(received)} of {p.expected[i]}" if more else f"{len(received)}"
            return f"{sym} = sum of {count} paths" + (" so far" if more else f" = {_num(total)}")
        return f"{sym} = {parts} + …" if more else f"{sym} = {parts} = {_num(total)}"
    paths = f" (sum of {len(received)})" if len(received) > 1 else (" so far" if more else "")
    return f"{sym} = {summary(total)}{paths}"


def _box_state(p: _Progress | None, active: bool, known: bool) -> str:
    if p is None:
        return "plain"
    if active:
        return "active"
    return "known" if known else "pending"


def _node_look(node: Node, p: _Progress | None) -> Look:
    texts = (*_header(node), summary(node.value))
    if p is not None:
        texts += (_derivative_text(node, p),)
    # A finished sweep knows every box: one it never reached has derivative 0 (its text says so),
    # tinted like the rest, never left grey ("not reached yet") under a finished caption.
    return Look(_kind(node), _box_state(p, node.index == p.active_node if p else False,
                                        (p.is_known(node.index) or p.complete) if p else False), texts)


def _names(trace: Trace, members: tuple[int, ...]) -> str:
    first, last = trace.nodes[members[0]].name, trace.nodes[members[-1]].name
    return first if first == last else f"{first} … {last}"


def _pattern(group: Group) -> str:
    ops = [str(sig[0]) if isinstance(sig, tuple) else str(sig) for sig in group.pattern]
    return ", ".join(ops if len(ops) <= 4 else ops[:3] + ["…", ops[-1]])


def _group_look(trace: Trace, group: Group, p: _Progress | None) -> Look:
    if group.kind == "repeat":
        what = f"⋯ {group.repeats} more × [{_pattern(group)}] ⋯"
    else:
        what = f"⋯ {len(group.members)} nodes not drawn ⋯"
    texts = (what, f"{_names(trace, group.members)} ({len(group.members)} nodes)")
    known = 0
    if p is not None:
        known = sum(1 for i in group.members if p.is_known(i))
        texts += (f"{p.colours.word} known for {known} of {len(group.members)}",)
    return Look("group", _box_state(p, p.active_node in group.members if p else False,
                                    bool(known) or (p is not None and p.complete)), texts)


# ---------------------------------------------------------------- arrows


def _edge_texts(trace: Trace, key: EdgeKey, term: Term | None, p: _Progress | None) -> tuple[str, ...]:
    operand, consumer, _ = key
    if term is None:
        return _cut_edge_texts(trace, consumer)
    formula = signed(term.partial)
    partial = f"∂{trace.nodes[consumer].name}/∂{trace.nodes[operand].name} = {formula}"
    if term.partial_value is not None and _is_scalar(term.partial_value):
        value = _num(term.partial_value)
        if value != formula:
            partial += f" = {value}"
    if p is None:
        return (partial,)
    if key not in p.terms:  # no term: nothing crosses this arrow (said once the sweep has passed it)
        return (partial, _nothing_carried(trace, key, p)) if _idle(key, p) else (partial,)
    update = term.update()
    if key not in p.applied:  # still to come: the formula, in grey, without its value
        return (partial, update)
    if _is_scalar(term.contribution):
        update += f" = {_num(term.contribution)}"
    return (partial, update)


def _nothing_carried(trace: Trace, key: EdgeKey, p: _Progress) -> str:
    """Why an arrow the sweep has passed carries nothing: ``ẋ2 = 0: nothing to carry``."""
    operand = key[0]
    if p.mode == "forward" and operand in p.known and not np.any(np.asarray(p.known[operand]) != 0):
        return f"{_mark(trace.nodes[operand].name, 'forward')} = 0: nothing to carry"
    return f"no {p.colours.word} carried"


def idle_note(trace: Trace, sweep: Sweep) -> str:
    """The legend's words for dotted arrows, if this sweep passes any without a term ("" if not)."""
    terms = {_edge_key(t) for s in sweep.steps for t in s.terms}
    if not _has_unswept_edges(trace, terms):
        return ""
    if sweep.mode == "forward":
        return "a dotted arrow carries nothing (its operand's tangent is 0)"
    return "a dotted arrow carries no adjoint"


def _cut_edge_texts(trace: Trace, consumer: int) -> tuple[str, ...]:
    """The label of an arrow into ``ad.stop_gradient``: the one edge no derivative crosses."""
    if getattr(trace.nodes[consumer], "stops_gradient", False):
        return ("✂ gradient stopped: no tangent or adjoint crosses",)
    return ()


def _idle(key: EdgeKey, p: _Progress) -> bool:
    """True if the sweep has passed the arrow ``key`` without a term: nothing crossed it.

    Forward mode skips an operand whose tangent is 0 (an input left out of the seed, and what
    only it reaches); reverse mode an operand that is not differentiable or whose gradient is
    stopped.  Until the consumer's own step that is unknown, and the arrow is pending."""
    return key not in p.terms and p.processed(key[1])


def _edge_state(keys: tuple[EdgeKey, ...], p: _Progress | None) -> str:
    """``plain``, ``active``, ``applied`` (its contribution made), ``idle`` (the sweep passed it
    and nothing crossed: drawn dotted, never grey like what is still to come) or ``pending``."""
    if p is None:
        return "plain"
    if p.active_keys.intersection(keys):
        return "active"
    if all(k in p.applied for k in keys):
        return "applied"
    if all(k in p.applied or _idle(k, p) for k in keys):
        return "applied" if any(k in p.applied for k in keys) else "idle"
    return "pending"


def scene(s: Structure, p: _Progress | None, only: set[str] | None = None) -> dict[str, Look]:
    """Every element's :class:`Look` at progress ``p`` (None: no sweep shown).

    ``only``: compute just these elements (see :func:`changed_elements`).  They come out in
    sorted order, never in a set's order (which changes with Python's hash seed from one
    run to the next): pages made from these looks are the same bytes every time.
    """
    trace = s.trace
    looks: dict[str, Look] = {}
    _, _, _, boxes, arrows = s.index()
    for element_id in boxes if only is None else sorted(i for i in only if i in boxes):
        unit = boxes[element_id]
        looks[element_id] = (_group_look(trace, unit, p) if isinstance(unit, Group)
                             else _node_look(trace.nodes[unit], p))
    for element_id in arrows if only is None else sorted(i for i in only if i in arrows):
        arrow = arrows[element_id]
        if arrow.folded:
            texts = (f"{len(arrow.keys)} edges",) if len(arrow.keys) > 1 else ()
            looks[arrow.id] = Look("folded", _edge_state(arrow.keys, p), texts)
        else:
            key = arrow.keys[0]
            term = s.terms.get(key) if s.edge_labels else None
            looks[arrow.id] = Look("edge", _edge_state(arrow.keys, p), _edge_texts(trace, key, term, p))
    return looks


def changed_elements(s: Structure, before: _Progress, after: _Progress) -> set[str]:
    """The elements whose look may differ between two positions of the same sweep.

    A step touches few elements: the node that was active and the one that is, the
    nodes its terms wrote into, the arrows they travelled along.  Computing only those
    keeps a whole sweep's scenes linear in its length (a 1,000-node tape has 1,000 steps).
    """
    owner, box_id, arrows_of, _, _ = s.index()
    nodes: set[int] = set()
    keys: set[EdgeKey] = set(before.active_keys) | set(after.active_keys)
    keys |= set(before.applied).symmetric_difference(after.applied)
    if before.complete != after.complete:
        nodes.update(range(len(s.trace.nodes)))
        keys |= set(arrows_of)  # arrows no step reached are passed now (idle)
    for p in (before, after):
        if p.active_node is not None:
            nodes.add(p.active_node)
            keys |= set(s.keys_into().get(p.active_node, ()))  # its arrows without a term turn idle
    for key in keys:
        nodes.update(key[:2])
    nodes.update(i for i in set(before.known).symmetric_difference(after.known))
    ids = set()
    for i in nodes:
        unit = owner.get(i)
        if unit is not None:
            ids.add(box_id[unit.members[0] if isinstance(unit, Group) else unit])
    for key in keys:
        if key in arrows_of:
            ids.add(arrows_of[key])
    return ids


