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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import style
from .graph_collapse import Group, Plan, collapse
from .graphviz_backend import NoBackendError, render

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

    from ..engine.record import Node, Sweep, Term, Trace

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "build_graph",
    "folding_note",
    "repr_mimebundle",
    "repr_svg",
    "to_svg",
    "write_graph",
]

logger = logging.getLogger("adviz.render")

DEFAULT_MAX_NODES = 60
"""Above this many tape nodes a graph is folded (unless ``expand=True``)."""

FORMATS = ("svg", "png", "pdf", "dot")
"""Output formats of :func:`write_graph`; ``dot`` is the DOT source itself."""

_HEADER_WIDTH = 26  # a definition longer than this is shown as "name | symbol"
_LABELLED_BOXES = (
    30  # with more boxes than this, arrows are not labelled (unless asked)
)

EdgeKey = tuple[
    int, int, int
]  # (operand node, consuming node, argnum): one arrow of the graph


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


def _record_field(text: str) -> str:
    """Escape text for one field of a Graphviz record label."""
    text = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _lines(*lines: str, left: bool = False) -> str:
    """Join label lines with Graphviz's line breaks (``\\l``: left-justified)."""
    clean = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines if line]
    if left:
        return "".join(line + "\\l" for line in clean)
    return "\\n".join(clean)


def _signed_sum(parts: list[str]) -> str:
    """``["5", "−0.416"]`` → ``"5 − 0.416"``."""
    text = parts[0]
    for part in parts[1:]:
        text += f" − {part[1:]}" if part.startswith("−") else f" + {part}"
    return text


def _mark(name: str, mode: str) -> str:
    from ..engine import notation

    return notation.dot(name) if mode == "forward" else notation.bar(name)


# ---------------------------------------------------------------- what the sweep has done


@dataclass
class _Progress:
    """The state of a sweep after its first ``shown`` steps, read off its records."""

    sweep: Sweep
    shown: int
    colours: style.ModeColours
    seeds: dict[int, Any] = field(
        default_factory=dict
    )  # node -> seeded tangent/adjoint
    known: dict[int, Any] = field(
        default_factory=dict
    )  # node -> current tangent/adjoint
    received: dict[int, list[Term]] = field(default_factory=lambda: defaultdict(list))
    expected: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    applied: dict[EdgeKey, Term] = field(default_factory=dict)
    terms: dict[EdgeKey, Term] = field(default_factory=dict)  # every term of the sweep
    active_node: int | None = None
    active_keys: set[EdgeKey] = field(default_factory=set)
    stepping: bool = False  # a step was asked for: name it in the caption

    @property
    def mode(self) -> str:
        return self.sweep.mode

    @property
    def complete(self) -> bool:
        return self.shown == len(self.sweep.steps)

    @property
    def active_step(self):
        return self.sweep.steps[self.shown - 1] if self.shown else None

    def is_known(self, index: int) -> bool:
        return index in self.known


def _edge_key(term: Term) -> EdgeKey:
    """The arrow a term travels along, always named in data-flow direction."""
    if term.mode == "forward":
        return (term.source, term.target, term.argnum)
    return (term.target, term.source, term.argnum)


def _progress(trace: Trace, sweep: Sweep, step: int | None) -> _Progress:
    steps = sweep.steps
    shown = len(steps) if step is None else step
    if (
        not isinstance(shown, (int, np.integer))
        or isinstance(shown, bool)
        or not 0 <= shown <= len(steps)
    ):
        raise ValueError(
            f"step must be a whole number from 0 to {len(steps)} (this sweep has {len(steps)} steps), got {step!r}"
        )
    p = _Progress(
        sweep, int(shown), style.mode_colours(sweep.mode), stepping=step is not None
    )
    for name, value in sweep.seed.items():
        p.seeds[trace.index(name)] = value
    p.known.update(p.seeds)
    for s in steps:
        for term in s.terms:
            p.terms[_edge_key(term)] = term
            p.expected[term.target] += 1
    for s in steps[: p.shown]:
        if sweep.mode == "forward":
            p.known[s.node] = s.value
        for term in s.terms:
            p.applied[_edge_key(term)] = term
            p.received[term.target].append(term)
            p.known[term.target] = term.total
    if p.shown and p.stepping:  # a finished sweep shown whole has no "current" step
        p.active_node = p.active_step.node
        p.active_keys = {_edge_key(t) for t in p.active_step.terms}
    return p


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


# ---------------------------------------------------------------- boxes


def _kind(node: Node) -> style.NodeKind:
    if node.is_output:
        return style.OUTPUT
    return style.INPUT if node.is_input else style.INTERMEDIATE


def _header(node: Node) -> str:
    """``{x|input}``, ``v1 = x**2`` or, for a long definition, ``{v5|@}``."""
    if node.is_input:
        return "{" + _record_field(node.name) + "|input}"
    definition = f"{node.name} = {node.definition}"
    if len(definition) <= _HEADER_WIDTH:
        return _record_field(definition)
    return "{" + _record_field(node.name) + "|" + _record_field(node.symbol) + "}"


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
        return f"{sym} = {parts} + …" if more else f"{sym} = {parts} = {_num(total)}"
    paths = (
        f" (sum of {len(received)})"
        if len(received) > 1
        else (" so far" if more else "")
    )
    return f"{sym} = {summary(total)}{paths}"


def _state_style(p: _Progress, active: bool, known: bool) -> dict[str, str]:
    """Colours for a box's place in the sweep: the active step, already reached, or not yet."""
    if active:
        return {"fillcolor": p.colours.active, "color": p.colours.strong, "penwidth": "3"}
    if known:
        return {"fillcolor": p.colours.light}
    return {"fillcolor": style.PENDING.fill, "color": style.PENDING.line, "fontcolor": style.PENDING.text}


def _node_attrs(node: Node, p: _Progress | None) -> dict[str, str]:
    kind = _kind(node)
    fields = [_header(node), _record_field(summary(node.value))]
    attrs = {
        "shape": "Mrecord" if node.is_input else "record",
        "color": kind.line,
        "fillcolor": kind.fill,
        "penwidth": str(kind.penwidth),
        "tooltip": f"{node.name} = {node.definition} = {summary(node.value)}"
        + (" (output)" if node.is_output else ""),
    }
    if p is not None:
        fields.append(_record_field(_derivative_text(node, p)))
        attrs.update(_state_style(p, node.index == p.active_node, p.is_known(node.index)))
    attrs["label"] = "|".join(fields)
    return attrs


def _names(trace: Trace, members: tuple[int, ...]) -> str:
    first, last = trace.nodes[members[0]].name, trace.nodes[members[-1]].name
    return first if first == last else f"{first} … {last}"


def _pattern(group: Group) -> str:
    ops = [str(sig[0]) if isinstance(sig, tuple) else str(sig) for sig in group.pattern]
    return ", ".join(ops if len(ops) <= 4 else ops[:3] + ["…", ops[-1]])


def _group_attrs(trace: Trace, group: Group, p: _Progress | None) -> dict[str, str]:
    if group.kind == "repeat":
        what = f"⋯ {group.repeats} more × [{_pattern(group)}] ⋯"
    else:
        what = f"⋯ {len(group.members)} nodes not drawn ⋯"
    fields = [what, f"{_names(trace, group.members)} ({len(group.members)} nodes)"]
    attrs = {
        "shape": "record",
        "style": "filled,dashed",
        "color": style.INTERMEDIATE.line,
        "fillcolor": "#f8fafc",
    }
    if p is not None:
        known = sum(1 for i in group.members if p.is_known(i))
        fields.append(f"{p.colours.word} known for {known} of {len(group.members)}")
        attrs.update(_state_style(p, p.active_node in group.members, bool(known)))
    attrs["label"] = "|".join(_record_field(f) for f in fields)
    attrs["tooltip"] = f"folded: {_names(trace, group.members)}"
    return attrs


# ---------------------------------------------------------------- arrows


def _edge_label(
    trace: Trace, key: EdgeKey, term: Term | None, p: _Progress | None
) -> str:
    operand, consumer, _ = key
    if term is None:
        return ""
    partial = (
        f"∂{trace.nodes[consumer].name}/∂{trace.nodes[operand].name} = {term.partial}"
    )
    if term.partial_value is not None and _is_scalar(term.partial_value):
        value = _num(term.partial_value)
        if value != term.partial:
            partial += f" = {value}"
    if p is None:
        return _lines(partial)
    update = term.update()
    if key not in p.applied:  # still to come: the formula, in grey, without its value
        return _lines(partial, update if key in p.terms else "")
    if _is_scalar(term.contribution):
        update += f" = {_num(term.contribution)}"
    return _lines(partial, update)


def _edge_attrs(
    trace: Trace, key: EdgeKey, term: Term | None, p: _Progress | None
) -> dict[str, str]:
    attrs = {"label": _edge_label(trace, key, term, p)}
    if p is None:
        attrs["color"] = "#64748b"
        return attrs
    if p.mode == "reverse":
        attrs["dir"] = "back"  # adjoints flow from a node back to its operands
    if key in p.active_keys:
        attrs.update(color=p.colours.strong, fontcolor=p.colours.strong, penwidth="3")
    elif key in p.applied:
        attrs.update(color=p.colours.strong, penwidth="1.4")
    else:
        attrs.update(color=style.PENDING.line, fontcolor=style.PENDING.text)
    return attrs


# ---------------------------------------------------------------- the caption


def _title(trace: Trace) -> str:
    # "x = 3", "x = [1, 2]" when every entry is shown, else "W: (3, 4) [−1 … 2]"
    shown = {n.name: summary(n.value) for n in trace.inputs}
    values = ", ".join(
        f"{k}: {v}" if v.startswith("(") else f"{k} = {v}" for k, v in shown.items()
    )
    expression = getattr(trace, "expression", None)
    source = getattr(expression, "source", None)
    head = f"{source}" if source else f"{trace.output.name} = {trace.output.definition}"
    return f"{head}  at  {values}" if values else head


def _caption(trace: Trace, p: _Progress | None, plan: Plan, title: str | None) -> str:
    lines = [title if title is not None else _title(trace)]
    if p is not None:
        seeds = ", ".join(
            f"{_mark(trace.nodes[i].name, p.mode)} = {summary(v)}"
            for i, v in p.seeds.items()
        )
        lines.append(f"{p.mode} mode ({p.colours.word}s), seed {seeds}")
        total = len(p.sweep.steps)
        if p.shown == 0:
            lines.append(f"step 0 of {total}: only the seed is known")
        elif p.stepping:
            step = p.active_step
            updates = (
                "; ".join(_worked_update(trace, t, p) for t in step.terms)
                or "nothing to propagate"
            )
            lines.append(
                f"step {p.shown} of {total} ({trace.nodes[step.node].name}): {updates}"
            )
        if p.complete:
            lines.append("result: " + _result_text(trace, p))
    for group in plan.groups:
        if group.kind == "repeat":
            lines.append(
                f"folded {_names(trace, group.members)}: {group.repeats} more repetitions of [{_pattern(group)}]"
            )
        else:
            lines.append(
                f"folded {_names(trace, group.members)}: {len(group.members)} nodes not drawn"
            )
    if plan.collapsed:
        lines.append(
            f"(drawn: {len(plan.units)} boxes for {plan.total} nodes; expand=True / --expand draws all)"
        )
    return _lines(*lines, left=True)


def _worked_update(trace: Trace, term: Term, p: _Progress) -> str:
    """``v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391``: the update with its numbers."""
    text = term.update()
    if not (
        _is_scalar(term.contribution)
        and term.partial_value is not None
        and _is_scalar(term.partial_value)
    ):
        return text
    source = (
        p.sweep.steps[p.shown - 1].value
        if p.mode == "reverse"
        else p.known.get(term.source)
    )
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
        return ", ".join(
            f"{_mark(name, 'reverse')} = ∂{out}/∂{name} = {summary(v)}"
            for name, v in result.items()
        )
    if isinstance(result, tuple):
        return ", ".join(
            f"{_mark(n.name, 'forward')} = {summary(v)}"
            for n, v in zip(trace.outputs, result)
        )
    return f"{_mark(out, 'forward')} = {summary(result)}"


# ---------------------------------------------------------------- the graph


def _signature(node: Node) -> tuple:
    """What counts as "the same node" when looking for repeated structure."""
    return (node.op, tuple(o.node is None for o in node.operands), np.shape(node.value))


def build_graph(
    trace: Trace,
    sweep: Sweep | None = None,
    step: int | None = None,
    *,
    expand: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | None = None,
    title: str | None = None,
) -> graphviz.Digraph:
    """The computational graph of ``trace`` as a ``graphviz.Digraph``.

    ``sweep``: a ``trace.forward(...)`` or ``trace.reverse(...)`` record to show; ``step``:
    show it after that many steps (``0`` = only the seed, default = all).  ``expand``:
    draw every node even on a big tape; ``max_nodes``: fold tapes longer than this.
    ``edge_labels``: write the local partials on the arrows (default: when at most
    30 boxes are drawn; beyond that they make the picture unreadably wide).
    ``title``: the first caption line (default: the expression and the input values).
    """
    import graphviz

    if step is not None and sweep is None:
        raise ValueError(
            "step needs a sweep: build_graph(trace, trace.reverse(), step=1)"
        )
    if sweep is not None and getattr(sweep, "trace", trace) is not trace:
        raise ValueError("this sweep was recorded on a different trace")
    p = _progress(trace, sweep, step) if sweep is not None else None
    terms = dict(p.terms) if p is not None else {}
    if p is None or _has_unswept_edges(trace, terms):
        terms = {**_label_terms(trace), **terms}

    plan = (
        Plan(tuple(range(len(trace.nodes))), len(trace.nodes))
        if expand
        else collapse(
            [_signature(n) for n in trace.nodes],
            keep={n.index for n in trace.outputs},
            max_units=max(8, max_nodes),
        )
    )
    owner = plan.unit_of()
    if edge_labels is None:
        edge_labels = len(plan.units) <= _LABELLED_BOXES

    def unit_id(unit) -> str:
        return f"g{unit.members[0]}" if isinstance(unit, Group) else f"n{unit}"

    g = graphviz.Digraph("adviz")
    g.attr(
        rankdir="LR",
        bgcolor="white",
        fontname=style.FONT,
        labelloc="t",
        labeljust="l",
        nodesep="0.3",
        ranksep="0.45",
    )
    g.attr(
        "node", fontname=style.FONT, fontsize="14", style="filled", fontcolor=style.TEXT
    )
    g.attr(
        "edge",
        fontname=style.FONT,
        fontsize="12",
        fontcolor=style.TEXT,
        arrowsize="0.8",
    )
    g.attr(label=graphviz.nohtml(_caption(trace, p, plan, title)))

    inputs = []
    for unit in plan.units:
        if isinstance(unit, Group):
            attrs = _group_attrs(trace, unit, p)
        else:
            node = trace.nodes[unit]
            attrs = _node_attrs(node, p)
            if node.is_input:
                inputs.append(unit_id(unit))
        g.node(unit_id(unit), graphviz.nohtml(attrs.pop("label")), **attrs)
    if inputs:
        with g.subgraph() as same:  # inputs side by side on the left
            same.attr(rank="source")
            for name in inputs:
                same.node(name)

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
            attrs = _edge_attrs(trace, key, terms.get(key) if edge_labels else None, p)
            g.edge(
                unit_id(tail),
                unit_id(head),
                graphviz.nohtml(attrs.pop("label")),
                **attrs,
            )
    for (tail, head), keys in folded.items():
        attrs = {"style": "dashed", "color": "#64748b"}
        if p is not None:
            if p.active_keys & set(keys):
                attrs.update(color=p.colours.strong, penwidth="3")
            elif all(k in p.applied for k in keys):
                attrs.update(color=p.colours.strong)
            else:
                attrs.update(color=style.PENDING.line)
            if p.mode == "reverse":
                attrs["dir"] = "back"
        label = f"{len(keys)} edges" if len(keys) > 1 else ""
        g.edge(tail, head, label, **attrs)
    return g


def folding_note(
    trace: Trace, *, expand: bool = False, max_nodes: int = DEFAULT_MAX_NODES
) -> str:
    """One line saying what :func:`build_graph` folds on this trace ("" if nothing)."""
    if expand:
        return ""
    plan = collapse(
        [_signature(n) for n in trace.nodes],
        keep={n.index for n in trace.outputs},
        max_units=max(8, max_nodes),
    )
    if not plan.collapsed:
        return ""
    folded = sum(len(g.members) for g in plan.groups)
    return (
        f"folded {folded} of {plan.total} nodes into {len(plan.groups)} boxes "
        f"({len(plan.units)} boxes drawn); draw every node with expand=True (adviz graph --expand)"
    )


# ---------------------------------------------------------------- pictures


def to_svg(
    trace: Trace, sweep: Sweep | None = None, step: int | None = None, **options: Any
) -> str:
    """The graph of :func:`build_graph` rendered to SVG text (``dot`` or WebAssembly Graphviz)."""
    return render(build_graph(trace, sweep, step, **options).source, "svg").decode(
        "utf-8"
    )


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
    wanted = (include is None or "image/svg+xml" in include) and not (
        exclude and "image/svg+xml" in exclude
    )
    if wanted:
        svg = repr_svg(trace)
        if svg is not None:
            bundle["image/svg+xml"] = svg
    return bundle


def write_graph(
    trace: Trace,
    path: str | Path,
    sweep: Sweep | None = None,
    step: int | None = None,
    *,
    format: str | None = None,
    **options: Any,
) -> Path:
    """Write the graph to ``path``; the format is ``format`` or the file's suffix.

    ``.svg`` and ``.png`` work everywhere, ``.pdf`` needs Graphviz's ``dot`` program,
    ``.dot``/``.gv`` write the DOT source itself (no rendering needed).
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot write {path.name!r}: choose a .svg, .png, .pdf or .dot file (or format=...)"
        )
    source = build_graph(trace, sweep, step, **options).source
    data = source.encode("utf-8") if fmt == "dot" else render(source, fmt)
    from ..fileio import atomic_write

    return atomic_write(path, data)
