"""Records for people: the traced tape and step-by-step sweeps that views display.

``ad.trace(f, *args)`` runs ``f`` once on a tape and returns a :class:`Trace`: the Wengert
list with readable names (inputs keep their variable names, operations are ``v1, v2, …``)::

    >>> t = ad.trace("sin(x**2 + 1)", x=3.0)
    >>> for node in t.nodes: print(node.name, "=", node.definition, "=", node.value)
    x = input = 3.0
    v1 = x**2 = 9.0
    v2 = v1 + 1 = 10.0
    v3 = sin(v2) = -0.5440211108893698

``t.forward(seed)`` and ``t.reverse(seed)`` run the chain rule over that tape and record
**every step**: which node, which local partial (formula *and* value), what contribution
it made and the running tangent/adjoint.  Tables, graphs and animations only read these
records — they never redo the math — so what they show is exactly what was computed::

    >>> for step in t.reverse().steps:
    ...     for term in step.terms: print(term.update())
    v̄2 += v̄3·cos(v2)
    v̄1 += v̄2·1
    x̄ += v̄1·2*x

Large arrays.  A complete record of array code is many times its input: every node's value,
and per sweep every tangent or adjoint, contribution and running total (33 arrays of the
input's size for ``sum(sin(x)·exp(−x²) + log1p(x²))``).  So ``ad.trace`` keeps no result of
:data:`~adviz.engine.tape.DEFER_FROM` bytes or more (1 MiB): the tape holds a
:class:`~adviz.engine.tape.Deferred` stand-in, and a sweep of such a trace runs *lean* — it
computes the values again as it goes, drops each once passed, and records the large
numbers it made as "made when read".  Whatever a view then reads is made by the same
primitives and the same sweep loop, run again: the same numbers, bit for bit.  The trace
of that function on 10⁷ numbers then peaks at 7× its input instead of 33×.
"""

from __future__ import annotations

import functools
import inspect
from array import array
from collections.abc import Sequence as _SequenceABC
from dataclasses import dataclass, field, replace
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import notation
from .notation import check_notation, default_order as notation_default_order, display_names as notation_names
from .primitives.core import Primitive, align, ndim, shape, times_partial, unbroadcast
from .pytree import LEAF, TreeDef, keystr, tree_flatten, tree_flatten_with_path
from . import tape as _tape_module
from .tape import Deferred, Tape, TapeNode, TapeNodes, _stand_in
from .tracer import Tracer, UnsupportedOperation, lowest, new_interpreter
from .numpy_api.building import lift
from .transforms import as_input

_FLOAT64 = np.float64
ORDERS = ("tape", "levels")
"""The orders :meth:`Trace.reordered` lists a tape's operations in."""

__all__ = ["Trace", "Node", "Operand", "Sweep", "Step", "Term", "Checkpoint", "Memory", "trace"]


class NothingToDifferentiate(UnsupportedOperation, ValueError):
    """``ad.trace`` of a function whose output does not depend on its inputs: a tape with no path
    from an input to the output has no chain rule to show.  (The transforms, ``ad.grad`` and
    the rest, return zeros for such a function, as JAX does.)  Both adviz's refusal and the
    ``ValueError`` it always was."""


@dataclass(frozen=True, slots=True)
class Operand:
    """An operand of a tape line: another node (``node`` is its index) or a constant."""

    node: Optional[int]
    value: Any
    text: str


@dataclass(frozen=True, eq=False, slots=True)
class Node:
    """One line of the Wengert list, e.g. ``v2 = v1 + 1`` with value 10."""

    index: int
    name: str
    op: str
    primitive: Optional[Primitive]
    operands: tuple[Operand, ...]
    params: dict
    value: Any
    is_output: bool = False
    checkpoint: Optional[int] = None  # index into Trace.checkpoints when computed inside ad.checkpoint
    variable: Optional[str] = None  # an input shown under a numbered name (v₋₁): its variable name (x1)

    @property
    def is_input(self) -> bool:
        return self.primitive is None

    @property
    def stops_gradient(self) -> bool:
        """``ad.stop_gradient``: no tangent or adjoint crosses the edge from its operand."""
        return self.primitive is not None and bool(self.primitive.extra.get("stops_gradient"))

    @property
    def custom_rule(self) -> Optional[str]:
        """``"jvp"`` / ``"vjp"`` for a function with a custom rule (``ad.custom_jvp``/``custom_vjp``)."""
        return self.primitive.extra.get("custom") if self.primitive is not None else None

    @property
    def description(self) -> str:
        """What the node's operation is, in words (the primitive's description)."""
        return "an input" if self.primitive is None else (self.primitive.description or self.primitive.name)

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.value)

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(self.value)

    @property
    def definition(self) -> str:
        """The right-hand side: ``"x**2"``, ``"v1 + 1"``, ``"sin(v2)"`` (``"input"`` for inputs,
        or the input's variable when a notation numbers the inputs: ``v₋₁ = x1``)."""
        if self.primitive is None:
            return self.variable or "input"
        return self.primitive.definition([o.text for o in self.operands], self.params,
                                         [o.value for o in self.operands])

    @property
    def symbol(self) -> str:
        return "input" if self.primitive is None else self.primitive.symbol

    @property
    def latex(self) -> str:
        if self.primitive is None or not self.primitive.latex:
            return self.name
        try:
            return self.primitive.latex.format(*[o.text for o in self.operands])
        except (IndexError, KeyError):
            return self.definition

    def __repr__(self) -> str:
        return f"Node({self.name} = {self.definition}, shape={self.shape})"


_NOT_YET: Any = object()  # a Term's partial value before any view has asked for it


class Term:
    """One use of the chain rule along one edge of the graph.

    Forward: ``source`` is an operand, ``target`` the node being computed; the term adds
    ``partial · ṡource`` to the target's tangent.  Reverse: ``source`` is the node whose
    adjoint is being propagated and ``target`` one of its operands; the term adds
    ``s̄ource · partial`` to the target's adjoint.

    A sweep over a long tape makes millions of terms, so a term keeps only numbers and
    indices; its texts (``partial``, ``partial_latex``, ``names``, ``rhs``) are written from
    the primitive's registry entry when a view reads them, the same text every time.

    The local partial's *value* (:attr:`partial_value`) is computed the first time a view
    asks for it and then kept on the term.  Why a cache: the views ask often (``adviz trace``
    looks for non-finite partials, then the table prints each one, its formula's grouping
    and its row), and on an array of 10⁶ entries each evaluation of ``cos(v2)`` or
    ``exp(x)`` is a whole new array — without the cache one ``adviz trace`` evaluated each
    partial about six times.  The trade-off: a term whose partial a view has read keeps
    that one array (one per term, the same array the view would have made anyway) for as
    long as the sweep is kept; a term no view reads keeps nothing, so ``ad.grad`` and the
    sweep itself cost no more memory than before.
    """

    __slots__ = ("mode", "source", "target", "argnum", "contribution", "total", "first", "summed", "source_ndim",
                 "_trace", "_partial_value")

    def __init__(self, mode: str, source: int, target: int, argnum: int, contribution: Any, total: Any,
                 first: bool, summed: tuple[int, ...] = (), source_ndim: int = 0, trace: "Optional[Trace]" = None):
        self.mode = mode
        self.source = source
        self.target = target
        self.argnum = argnum
        self.contribution = contribution
        self.total = total
        self.first = first  # the first term written into its target during this sweep
        self.summed = summed  # reverse: axes of the source summed away (the target was broadcast)
        self.source_ndim = source_ndim
        self._trace = trace
        self._partial_value: Any = _NOT_YET  # computed on first read (see the class docstring)

    def __repr__(self) -> str:
        return f"Term({self.mode}, {self.update()})"

    # -- texts, written on demand from the node's primitive --------------------------------
    @property
    def _node(self) -> "Node":
        """The node whose primitive this term differentiates."""
        return self._trace.nodes[self.target if self.mode == "forward" else self.source]

    @property
    def partial_value(self) -> Any:
        """The local partial's value (None for a structural rule): the number the sweep
        multiplied by, evaluated again from the same registry entry on the same values —
        once, on the first read; later reads return that same object (see the class
        docstring for why, and what it costs)."""
        value = self._partial_value
        if value is _NOT_YET:
            value = self._partial_value = _partial_value(self._node, self.argnum)
        return value

    @property
    def names(self) -> tuple[str, str]:
        """(source name, target name)."""
        nodes = self._trace.nodes
        return nodes[self.source].name, nodes[self.target].name

    @property
    def partial(self) -> str:
        """The textbook formula of the local partial, e.g. ``cos(v2)``."""
        node = self._node
        return node.primitive.partial_text(self.argnum, [o.text for o in node.operands],
                                           [o.value for o in node.operands], node.name)

    @property
    def partial_latex(self) -> str:
        node = self._node
        return node.primitive.partial_latex(self.argnum, [o.text for o in node.operands],
                                            [o.value for o in node.operands], node.name)

    @property
    def rhs(self) -> str:
        """The structural formula, used when there is no elementwise partial."""
        node = self._node
        forward = self.mode == "forward"
        rules = node.primitive.jvp_texts if forward else node.primitive.vjp_texts
        return _fmt(_rule(rules, self.argnum, ""), node, "t" if forward else "g")

    def update(self, ascii: bool = False) -> str:
        """The update this term performed, e.g. ``v̄2 += v̄3·cos(v2)`` or ``v̇1 = 2*x·ẋ``."""
        src, tgt = self.names
        times = notation.times(ascii)
        if self.mode == "forward":
            lhs = notation.dot(tgt, ascii)
            rhs = (f"{_group(self.partial)}{times}{notation.dot(src, ascii)}" if self.partial_value is not None
                   else self.rhs.format(t=notation.dot(src, ascii)))
            out = f"{lhs} {'=' if self.first else '+='} {rhs}"
        else:
            lhs = notation.bar(tgt, ascii)
            adjoint = notation.bar(src, ascii)
            if self.summed and self.partial_value is not None:
                product = adjoint if self.partial == "1" else f"({adjoint}{times}{_group(self.partial)})"
                rhs = _summed(product, self.summed, self.source_ndim, ascii)
            else:
                rhs = (f"{adjoint}{times}{_group(self.partial)}" if self.partial_value is not None
                       else self.rhs.format(g=adjoint))
            out = f"{lhs} += {rhs}"
        return notation.to_ascii(out) if ascii else out


@dataclass(frozen=True, eq=False, slots=True)
class Step:
    """One node's turn in a sweep: its tangent computed (forward) or its adjoint sent back (reverse).

    ``kind`` is ``"tangent"`` (forward), ``"adjoint"`` (reverse) or ``"recompute"``: in a
    reverse sweep, a node of an ``ad.checkpoint`` block whose value was not kept is
    computed again (``value`` is the recomputed value; there are no chain-rule terms).
    """

    index: int
    node: int
    terms: tuple[Term, ...]
    value: Any
    kind: str = "adjoint"

    @property
    def recompute(self) -> bool:
        return self.kind == "recompute"

    @property
    def ops(self) -> int:
        return len(self.terms)


@dataclass(frozen=True, eq=False)
class Sweep:
    """A whole forward or reverse sweep over a :class:`Trace`, step by step."""

    mode: str
    seed: dict
    steps: Sequence[Step]  # a _Steps: made step by step when a view reads them
    values: tuple
    result: Any
    trace: "Trace" = field(repr=False)

    def __repr__(self) -> str:
        """What the sweep did, one numbered update per line (at most 30), as the tables number them::

            Sweep(reverse, seed v̄5 = 1.0: 5 steps, 8 chain-rule terms)
              1.1  v̄3 += v̄5·1  ->  v̄3 = 1.0
              …
        """
        mark = notation.dot if self.mode == "forward" else notation.bar
        seed = ", ".join(f"{mark(k)} = {_brief(v)}" for k, v in self.seed.items())
        head = (f"Sweep({self.mode}, seed {seed}: {len(self.steps)} step{'s' if len(self.steps) != 1 else ''}, "
                f"{self.ops} chain-rule term{'s' if self.ops != 1 else ''})")
        lines = [f"{self.step_label(k, j)}  {term.update()}  ->  {mark(self.trace.nodes[term.target].name)} = "
                 f"{_brief(term.total)}" for k, j, term in self.numbered_terms()]
        if len(lines) > 30:
            lines = lines[:30] + [f"… {len(lines) - 30} more (adviz.render.table.reverse_table / forward_table "
                                  "show them all)"]
        return "\n  ".join([head, *lines])

    @property
    def ops(self) -> int:
        """Elementary derivative operations performed (one per term)."""
        return sum(len(s.terms) for s in self.steps)

    @property
    def flops(self) -> int:
        """Scalar multiply-adds performed: each term costs the size of its contribution."""
        return sum(int(np.size(lowest(t.contribution))) for s in self.steps for t in s.terms)

    # -- display: the sweep's table (the renderer is imported only when it is shown) ------
    def __rich_console__(self, console: Any, options: Any):
        """``rich.print(sweep)`` draws the sweep's table (``trace.table(sweep)``)."""
        yield self.trace.table(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter shows the sweep's table, as ``trace.table(sweep)`` does."""
        return self.trace.table(self)._repr_mimebundle_(include, exclude)

    # -- one numbering of steps, shared by every view ----------------------------------
    def step_label(self, k: int, j: Optional[int] = None) -> str:
        """How every view names term ``j`` of step ``k`` (both counted from 1).

        A *step* is one node's turn (the unit of the graph, the player and the slider);
        a step whose node has several chain-rule terms numbers them ``k.1, k.2, …``.
        A step with one term is just ``k``.  ``j=None`` names the whole step.

        >>> t = trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
        >>> s = t.reverse()
        >>> [s.step_label(k, j) for k, j, _ in s.numbered_terms()]
        ['1.1', '1.2', '2', '3.1', '3.2']
        """
        if j is None or len(self.steps[k - 1].terms) <= 1:
            return str(k)
        return f"{k}.{j}"

    def numbered_terms(self):
        """``(k, j, term)`` for every term, in the order the sweep performed them."""
        for step in self.steps:
            for j, term in enumerate(step.terms, start=1):
                yield step.index + 1, j, term

    def position(self, step: Any) -> tuple[int, int]:
        """Read a step reference: ``(whole steps done, terms of the next step done)``.

        ``step`` is a whole step ``k`` (``0`` = only the seed, up to ``len(sweep)``) or a
        term ``"k.j"`` (also ``(k, j)``): step ``k`` up to and including its ``j``-th
        chain-rule term.  The last term of a step is the whole step: ``"3.2"`` of a step
        with two terms is ``(3, 0)``; its first term is ``(2, 1)``.
        """
        n = len(self.steps)
        k, j = _parse_step(step)
        if k is None or not 0 <= k <= n or (j is not None and k == 0):
            example = next((f"{s.index + 1}.{len(s.terms)}" for s in self.steps if len(s.terms) > 1), None)
            term = f" or a term such as {example}" if example else ""     # (a term of this sweep, not 2.1 blindly)
            if n == 0:
                raise ValueError(f"this {self.mode} sweep has no steps (the output is an input): the only step "
                                 f"is 0, got {step!r}")
            raise ValueError(f"step must be a whole number from 0 to {n} (this {self.mode} sweep has "
                             f"{n} step{'s' if n != 1 else ''}){term}, got {step!r}")
        if j is None:
            return k, 0
        terms = len(self.steps[k - 1].terms)
        if not 1 <= j <= max(terms, 1):
            if terms <= 1:
                raise ValueError(f"step {k} has {'one chain-rule term' if terms else 'no chain-rule terms'}: "
                                 f"give {k}, got {step!r}")
            raise ValueError(f"step {k} has {terms} chain-rule terms: give {k}.1 to {k}.{terms}, got {step!r}")
        return (k, 0) if j >= terms else (k - 1, j)

    @property
    def recomputed(self) -> int:
        """Values this reverse sweep computed again (the ``ad.checkpoint`` blocks it went through)."""
        return sum(1 for s in self.steps if s.kind == "recompute")

    def value_of(self, name_or_index: Union[str, int]) -> Any:
        """The final tangent/adjoint of a node (zeros if nothing reached it)."""
        i = self.trace.index(name_or_index)
        v = self.values[i]
        return v if v is not None else np.zeros_like(self.trace.nodes[i].value)

    def __len__(self) -> int:
        return len(self.steps)

    def in_notation(self, notation: str = "adviz", ascii: bool = False, order: Optional[str] = None) -> "Sweep":
        """The same sweep (same seed) on its trace in ``notation`` (see :meth:`Trace.in_notation`):
        with ``"griewank"`` its steps run, and are numbered, in the survey's order by levels."""
        return self.trace.in_notation(notation, ascii, order).replay(self)


@dataclass(frozen=True)
class Checkpoint:
    """A block of the tape computed inside ``ad.checkpoint(f)``.

    Its ``intermediates`` are not kept for the reverse sweep: when the sweep reaches the
    block it computes them again (recorded as ``"recompute"`` steps), then sweeps through.
    """

    index: int
    name: str  # the checkpointed function's name
    nodes: tuple[int, ...]  # every node computed inside the block, in tape order
    inputs: tuple[int, ...]  # nodes from outside the block that it reads
    outputs: tuple[int, ...]  # the block's results: kept, like any value outside a block

    @property
    def intermediates(self) -> tuple[int, ...]:
        """The block's nodes whose values are dropped after the forward pass."""
        return tuple(i for i in self.nodes if i not in self.outputs)


@dataclass(frozen=True)
class Memory:
    """What a reverse sweep over a trace keeps from the forward pass, with and without checkpoints.

    ``values``: how many node values (arrays or numbers); ``numbers``: how many floating-
    point numbers they hold.  ``recomputed``: values the reverse sweep computes again.
    """

    values_kept: int
    numbers_kept: int
    values_without_checkpoint: int
    numbers_without_checkpoint: int
    values_recomputed: int
    numbers_recomputed: int

    def __str__(self) -> str:
        text = f"kept {self.values_kept} values ({self.numbers_kept} numbers)"
        if self.values_recomputed:
            text += (f"; without checkpointing {self.values_without_checkpoint} values "
                     f"({self.numbers_without_checkpoint} numbers); the reverse sweep recomputes "
                     f"{self.values_recomputed} values ({self.numbers_recomputed} numbers)")
        return text


class Trace:
    """A recorded computation: the Wengert list plus forward/reverse sweeps over it.

    Build one with :func:`trace`.  ``t.nodes`` is the tape in order (inputs first),
    ``t.forward(seed)`` / ``t.reverse(seed)`` return :class:`Sweep` records, and the
    views (``t.table()``, ``t.graph()``, ``adviz trace …``) display them.
    """

    def __init__(self, nodes: Sequence[Node], output_indices: Sequence[int], value: Any, expression: Any = None,
                 *, arg_trees: Optional[Sequence[tuple[str, TreeDef]]] = None, out_tree: Optional[TreeDef] = None,
                 checkpoints: Sequence[Checkpoint] = ()):
        # the nodes, made when read (a _Nodes over the recorded tape); a sequence of Node also works
        self.nodes: Sequence[Node] = nodes if isinstance(nodes, _Nodes) else _Nodes.of(tuple(nodes))
        self._outputs = tuple(output_indices)
        self.value = value
        self.expression = expression
        self.call: Optional[str] = None  # "loss(W, x, y)" for a traced function (set by trace())
        # f again, as a function of the inputs in tape order (set by trace()): what finite
        # differences call at other points; None for a trace that cannot compute f again
        self.function: Optional[Callable[..., Any]] = None
        # per argument of the traced function: its name and pytree structure (None: one input per argument)
        self.arg_trees = tuple(arg_trees) if arg_trees is not None else None
        self.out_tree = out_tree
        self.checkpoints: tuple[Checkpoint, ...] = tuple(checkpoints)
        self.notation = "adviz"  # how the rows are named (see in_notation)
        self._canonical: Optional[Trace] = None  # the same trace under adviz's names, if this is a renaming
        self._ascii = False  # a renaming spelled in plain ASCII (v_-1)
        # a trace listing its operations in another order (reordered): the trace as recorded,
        # and per row of this one, its row there
        self._recorded: Optional[Trace] = None
        self._rows: Optional[tuple[int, ...]] = None
        self._levels: Optional[Trace] = None  # reordered("levels"), made once

    # -- structure ---------------------------------------------------------------------
    @property
    def inputs(self) -> tuple[Node, ...]:
        return tuple(self.nodes[i] for i in self.nodes.input_indices)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.inputs)

    @property
    def outputs(self) -> tuple[Node, ...]:
        return tuple(self.nodes[i] for i in self._outputs)

    @property
    def output(self) -> Node:
        return self.outputs[0]

    @property
    def title(self) -> str:
        """What this trace computes, in the user's words: the expression (``sin(x**2+1)``),
        the call of the traced function (``loss(W, x, y)``), or else the output's line."""
        source = getattr(self.expression, "source", None)
        if source:
            return source
        call = getattr(self, "call", None)
        if call:
            return call
        return f"{self.output.name} = {self.output.definition}"

    @property
    def primitive_count(self) -> int:
        """Number of primitive applications recorded (the tape's length minus its inputs)."""
        return len(self.nodes) - len(self.nodes.input_indices)

    def __len__(self) -> int:
        return len(self.nodes)

    def index(self, name_or_index: Union[str, int]) -> int:
        if isinstance(name_or_index, (int, np.integer)):
            return int(name_or_index)
        i = self.nodes.index_of(name_or_index)
        if i is None:
            names = [self.nodes.name(k) for k in range(min(len(self.nodes), 50))]
            more = ", …" if len(self.nodes) > 50 else ""
            raise KeyError(f"no node named {name_or_index!r}; nodes are {', '.join(names)}{more}")
        return i

    def __getitem__(self, name_or_index: Union[str, int]) -> Node:
        return self.nodes[self.index(name_or_index)]

    def __repr__(self) -> str:
        lines = [f"{n.name} = {n.definition}" for n in self.nodes]
        return f"Trace({len(self.inputs)} inputs, {self.primitive_count} primitives)\n  " + "\n  ".join(lines)

    def memory(self) -> Memory:
        """How many values the forward pass keeps for a reverse sweep, with the trace's
        ``ad.checkpoint`` blocks and without them, and how many the sweep recomputes."""
        dropped = {i for c in self.checkpoints for i in c.intermediates}
        recomputed = {i for c in self.checkpoints for i in c.nodes}

        def numbers(indices) -> int:
            return int(sum(np.size(self.nodes[i].value) for i in indices))

        every = range(len(self.nodes))
        kept = [i for i in every if i not in dropped]
        return Memory(len(kept), numbers(kept), len(self.nodes), numbers(every), len(recomputed), numbers(recomputed))

    def to_text(self, notation: str = "adviz", ascii: bool = False, order: Optional[str] = None) -> str:
        """The tape as plain text, one line per node with its value.

        ``notation`` names the rows as adviz does (``"adviz"``), numbering the inputs too
        (``"inputs-first"``) or as Griewank & Walther and the Baydin et al. survey do
        (``"griewank"``: ``v₋₁ = x1``, ``v₀ = x2``, ``v₁ = log(v₋₁)``, …, listed by levels as
        the survey lists them); ``order`` overrides the order (see :meth:`in_notation`, which
        every view and ``adviz trace --notation`` use, so they all show the same rows in the
        same order).  ``ascii`` spells subscripts ``v_-1``.
        """
        t = self.in_notation(notation, ascii, order)
        width = max(len(n.name) for n in t.nodes)
        return "\n".join(f"{n.name:>{width}} = {n.definition:<24} = {_short_value(n.value)}" for n in t.nodes)

    # -- the same records under other names or in another order ----------------------
    def in_notation(self, notation: str = "adviz", ascii: bool = False, order: Optional[str] = None) -> "Trace":
        """This trace with its rows named in another textbook's ``notation``, in that
        notation's order.

        The records are this trace's: values, primitives and every derivative are the same.
        ``"adviz"`` names inputs by their variables and numbers the operations ``v1, v2, …``;
        ``"inputs-first"`` numbers every row, inputs first (``v1 = x1``, ``v2 = x2``,
        ``v3 = v1*v2``); ``"griewank"`` numbers the n inputs ``v₋ₙ₊₁ … v₀`` and the
        operations ``v₁ … v_l`` (``ascii=True``: ``v_-1, v_0, v_1``).  A numbered input
        remembers its variable: its definition is ``x1`` instead of ``input``.

        ``order`` (see :meth:`reordered`): ``None``, the notation's own order
        (:func:`~adviz.engine.notation.default_order`) — ``"griewank"`` lists the operations
        by levels, as the Baydin et al. survey does, and the other notations keep this
        trace's order; ``"tape"``, the order the operations ran; ``"levels"``.  A trace with
        ``ad.checkpoint`` blocks keeps its tape order unless ``order="levels"`` is asked
        for (which refuses it).  ``adviz trace/graph/demo --notation`` and every Python view
        (``to_text``, the tables, graphs, the HTML page, the widgets) go through this
        method, so they show the same rows in the same order.  Sweeps of the renamed trace
        (:meth:`replay`) are computed by the engine as on any trace, and numbered in its order::

            >>> t = trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0).in_notation("inputs-first")
            >>> [f"{n.name} = {n.definition}" for n in t.nodes]
            ['v1 = x1', 'v2 = x2', 'v3 = v1 * v2', 'v4 = sin(v1)', 'v5 = v3 + v4']
            >>> s = trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0).in_notation("griewank")
            >>> [f"{n.name} = {n.definition}" for n in s.nodes][2:]
            ['v₁ = log(v₋₁)', 'v₂ = v₋₁ * v₀', 'v₃ = sin(v₀)', 'v₄ = v₁ + v₂', 'v₅ = v₄ - v₃']
        """
        check_notation(notation)
        base = self._canonical or self
        if order is None:
            if notation == self.notation and (notation == "adviz" or ascii == self._ascii):
                return self
            order = notation_default_order(notation)
            if order is not None:
                try:
                    base = base.reordered(order)
                except ValueError:  # a trace with checkpoint blocks keeps its order
                    pass
        else:
            base = base.reordered(order)
        if notation == "adviz":
            return base
        names = notation_names([n.name for n in base.nodes], [n.is_input for n in base.nodes], notation, ascii)
        nodes = []
        for n in base.nodes:
            operands = tuple(replace(o, text=names[o.node]) if o.node is not None else o for o in n.operands)
            nodes.append(replace(n, name=names[n.index], operands=operands, variable=n.name if n.is_input else None))
        renamed = Trace(nodes, base._outputs, base.value, base.expression, arg_trees=base.arg_trees,
                        out_tree=base.out_tree, checkpoints=base.checkpoints)
        renamed.call, renamed.notation, renamed._canonical, renamed._ascii = base.call, notation, base, ascii
        renamed.function = base.function
        return renamed

    @property
    def order(self) -> str:
        """``"tape"`` if the operations are listed in the order they ran, else ``"levels"``."""
        return "tape" if (self._canonical or self)._recorded is None else "levels"

    def _recorded_row(self, i: int) -> int:
        """Row ``i`` of this trace's row in the trace as recorded."""
        base = self._canonical or self
        return base._rows[i] if base._rows is not None else i

    def _row_of_recorded(self, r: int) -> int:
        base = self._canonical or self
        return base._rows.index(r) if base._rows is not None else r

    def _as_recorded(self) -> "Trace":
        base = self._canonical or self
        return base._recorded or base

    def replay(self, sweep: "Sweep") -> "Sweep":
        """The same sweep (same seed) run on this trace, which is ``sweep.trace`` under other
        names or in another order (:meth:`in_notation`, :meth:`reordered`): the engine sweeps
        this trace, in its order; nothing is copied over."""
        other = sweep.trace
        if other is self:
            return sweep
        if other._as_recorded() is not self._as_recorded():
            raise ValueError("this sweep was recorded on a different trace")

        def here(name: Any) -> str:
            return self.nodes[self._row_of_recorded(other._recorded_row(other.index(name)))].name

        if sweep.mode == "forward":
            return self.forward({here(k): v for k, v in sweep.seed.items()})
        if len(self.outputs) > 1:  # one adjoint per output, by name
            return self.reverse({here(k): v for k, v in sweep.seed.items()})
        return self.reverse(next(iter(sweep.seed.values())))

    def reordered(self, order: str = "levels") -> "Trace":
        """The same computation with its operations listed in another valid order.

        ``"tape"``: the order they ran (the trace as recorded).  ``"levels"``: each operation as early
        as its operands allow — first everything computed from the inputs alone, then what
        needs those, and so on; ties keep the order they ran.  Python evaluates
        ``log(x1) + x1*x2 - sin(x2)`` left to right, so the tape has the ``+`` before
        ``sin(x2)``; the Baydin et al. survey lists its operations by levels
        (``ln``, ``×``, ``sin``, ``+``, ``−``).  Both orders compute every value from values
        already computed, so both are Wengert lists of the same function; the operations
        are renumbered ``v1, v2, …`` in the new order and sweeps run in it::

            >>> t = trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0).reordered("levels")
            >>> [f"{n.name} = {n.definition}" for n in t.nodes if not n.is_input]
            ['v1 = log(x1)', 'v2 = x1 * x2', 'v3 = sin(x2)', 'v4 = v1 + v2', 'v5 = v4 - v3']
        """
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}: choose {', '.join(ORDERS)}")
        base = (self._canonical or self)._recorded or (self._canonical or self)
        if order == "tape":
            return base
        if base._levels is not None:
            return base._levels
        level: list[int] = []
        for n in base.nodes:
            level.append(0 if n.is_input else 1 + max((level[o.node] for o in n.operands if o.node is not None),
                                                      default=0))
        new_order = ([n.index for n in base.nodes if n.is_input]
                     + sorted((n.index for n in base.nodes if not n.is_input), key=lambda i: (level[i], i)))
        if new_order == list(range(len(base.nodes))):
            base._levels = base
            return base
        if base.checkpoints:
            raise ValueError("order='levels' would move operations across an ad.checkpoint block: "
                             "use order='tape' for a trace with checkpoints")
        position = {old: new for new, old in enumerate(new_order)}
        tape = Tape()
        for i in new_order:
            n = base.nodes[i]
            tape.nodes.append(TapeNode(n.primitive, tuple(position[o.node] if o.node is not None else None
                                                          for o in n.operands),
                                       tuple(o.value for o in n.operands), dict(n.params), n.value))
        built = _build(tape, [n.name for n in base.inputs], [position[i] for i in base._outputs], base.expression,
                       list(base.arg_trees) if base.arg_trees is not None else None, base.out_tree)
        built.call, built.function = base.call, base.function
        built._recorded, built._rows = base, tuple(new_order)
        base._levels = built
        return built

    def to_python(self, *, forward: bool = False, reverse: bool = True, name: Optional[str] = None) -> str:
        """The tape as a straight-line NumPy program: what a source-transformation AD tool writes.

        Returns the source of one function, ``def f(...)``, with one line per tape node
        (``v1 = np.log(x1)``), then — ``forward=True`` — one tangent line per node
        (``v1_dot = x1_dot / x1``) and — ``reverse=True``, the default — the adjoint
        program, last node first (``x2_bar = v4_bar * np.cos(x2)``, and
        ``x1_bar = x1_bar + …`` where a variable is used twice).  ``exec`` it with ``np``
        in the namespace and call it::

            >>> t = ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
            >>> namespace = {"np": np}
            >>> exec(t.to_python(), namespace)
            >>> y, (x1_bar, x2_bar) = namespace["f"](2.0, 5.0)
            >>> print(y, x1_bar, x2_bar)
            11.652071455223084 5.5 1.7163378145367738

        The function takes the traced function's arguments (pytrees are unpacked leaf by
        leaf: ``params_W = params["W"]``), then with ``forward`` one tangent per argument
        (``x1_dot``, same structure), then with ``reverse`` the output's adjoint
        (``v5_bar``, 1.0 by default for a scalar output).  It returns the value, then the
        output's tangent (``forward``), then a tuple with one adjoint per argument, in the
        argument's structure (``reverse``), as ``ad.vjp`` does.

        Every line comes from the registry: primal lines from each primitive's code form,
        tangent and adjoint lines from *running the primitives' own rules on a tape* (no
        derivative is written a second time); masks and branches of the rules (``np.clip``,
        ``np.prod`` at a zero) are written as code, right past the traced point.  An
        ``ad.checkpoint`` block's intermediates are dropped and recomputed by the reverse
        part; custom rules are called by name (``f_fwd``/``f_bwd``, ``f_jvp``).  What cannot
        be written so — the reverse program through a custom JVP rule, a rule without a name
        — raises :class:`~adviz.engine.program.NoCodeForm` naming it.  See
        :mod:`adviz.engine.program`.
        """
        from .program import to_python

        return to_python(self, forward=forward, reverse=reverse, name=name)

    # -- views (renderers are imported only when asked for: the engine never needs them) --
    def graph(self, sweep: Optional[Sweep] = None, step: Optional[int] = None, **options: Any):
        """The computational graph as a ``graphviz.Digraph`` (see :mod:`adviz.render.graph`).

        ``sweep``: a record from :meth:`forward` / :meth:`reverse`, or the string
        ``"forward"`` / ``"reverse"`` (``"forward"`` seeds the first input, as ``adviz graph``
        does); ``step``: show the sweep after that many steps.
        """
        from ..render.graph import build_graph

        return build_graph(self, self._sweep(sweep), step, **options)

    def to_svg(self, sweep: Any = None, step: Optional[int] = None, **options: Any) -> str:
        """The graph rendered to SVG text (Graphviz's ``dot`` if installed, else its WebAssembly build)."""
        from ..render.graph import to_svg

        return to_svg(self, self._sweep(sweep), step, **options)

    def to_html(self, path: Any, mode: str = "reverse", seed: Any = None, **options: Any):
        """Write a self-contained HTML page that plays the sweep step by step (for slides).

        ``mode="forward"`` without a ``seed`` seeds the first input (see
        :func:`~adviz.render.html.write_sweep_html`)."""
        from ..render.html import write_sweep_html

        return write_sweep_html(self, path, mode, seed, **options)

    def table(self, sweep: Any = None, *, ascii: bool = False, full: bool = False, notation: Optional[str] = None):
        """A rich table: the tape, or a sweep's tangents/adjoints (print it with ``rich.print``).

        ``notation``: ``"adviz"``, ``"inputs-first"`` or ``"griewank"`` (see :meth:`in_notation`).
        """
        from ..render import table as tables

        sweep = self._sweep(sweep)
        if sweep is None:
            return tables.tape_table(self, ascii=ascii, full=full, notation=notation)
        if sweep.mode == "forward":
            return tables.forward_table(sweep, ascii=ascii, full=full, notation=notation)
        return tables.reverse_table(sweep, ascii=ascii, full=full, notation=notation)

    def __rich_console__(self, console: Any, options: Any):
        """``rich.print(t)`` draws the tape's table (``t.table()``)."""
        yield self.table()

    def _repr_svg_(self):
        from ..render.graph import repr_svg

        return repr_svg(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..render.graph import repr_mimebundle

        return repr_mimebundle(self, include, exclude)

    def _sweep(self, sweep: Any) -> Optional[Sweep]:
        if sweep == "forward":  # seeded on the first input, as the CLI and the HTML player do
            return self.forward(self.input_names[0] if self.input_names else None)
        if sweep == "reverse":
            return self.reverse()
        return sweep

    # -- sweeps ------------------------------------------------------------------------
    def forward(self, seed: Any = None) -> Sweep:
        """Forward sweep: push input tangents through the tape, recording each step.

        ``seed``: None (tangent 1 on the only scalar input), an input name (tangent 1 on
        that input: on every entry of an array), or a dict ``{name: tangent}``; inputs left
        out get tangent 0.  A forward sweep computes *one* directional derivative, so with
        several inputs (or one array input) there is no default: ``t.forward("x")`` is ∂/∂x
        (with ``x`` a scalar), ``t.forward({"x": 1.0, "y": 0.5})`` the derivative along a
        direction, and ``None`` raises a ``ValueError`` that says so.
        """
        seeds = self._forward_seed(seed)
        lean = self.nodes.tape.tape.deferred > 0
        tangents, steps, result = self._forward(seeds, lean)
        if lean:  # a view reading a deferred record has the sweep run again, keeping everything
            steps.remake = lambda: self._forward(seeds, False)[:2]
            return Sweep("forward", seeds, steps, _SweepValues(tangents, steps), result, self)
        return Sweep("forward", seeds, steps, tuple(tangents), result, self)

    def _forward(self, seeds: dict, lean: bool) -> tuple:
        """The forward sweep's loop: ``(tangents, steps, result)``.

        ``lean`` (a trace with deferred values, see :class:`~adviz.engine.tape.Deferred`):
        values are computed again in tape order and each is dropped after its last use, as
        is each large tangent, and large contributions and totals are recorded as
        :data:`_LATER` — made, by this same loop run again with ``lean=False``, when a view
        reads them.  The arithmetic is the same either way.
        """
        tape = self.nodes.tape
        tangents: list = [None] * len(tape)
        for name, t in seeds.items():
            tangents[self.index(name)] = t
        steps = _Steps("forward", self)
        # the columns the terms are written into (appending directly: this loop runs once per node)
        src, tgt, argnum, firsts, contributions, totals = steps.term_columns()
        columns = tape.tape  # the tape's flat columns (see Tape): node k's operands are args[start:end]
        prims, params_of, answers, nargs, parents_of, args_of = _value_columns(columns, lean)
        if lean:
            last, outputs = _last_uses(columns), set(self._outputs)
        end = 0
        for k in range(len(prims)):
            start, end = end, end + nargs[k]
            prim = prims[k]
            if prim is None:
                continue
            parents, args, params, ans = parents_of[start:end], args_of[start:end], params_of[k], answers[k]
            if lean:
                if type(ans) is Deferred:
                    ans = answers[k] = columns.compute(k, answers)
                args = [answers[p] if type(a) is Deferred else a for p, a in zip(parents, args)]
            total = None
            jvps, partials = prim.jvps, prim.partials
            for i, p in enumerate(parents):
                if p is None or tangents[p] is None or _rule(jvps, i) is None:
                    continue
                t = tangents[p]
                if partials is not None and partials[i] is not None:
                    if type(t) is _FLOAT64 and type(ans) is _FLOAT64:  # scalars: nothing to align
                        c = times_partial(t, _scalar_partial(partials[i], ans, args, params), partials[i])
                    else:
                        c = times_partial(align(t, ndim(args[i]), ndim(ans)), _partial_of(partials[i], ans, args, params),
                                          partials[i])
                else:
                    c = jvps[i](t, ans, *args, **params)
                if type(ans) is not _FLOAT64 and shape(c) != shape(ans):  # a scalar result: c is scalar too
                    c = np.broadcast_to(c, shape(ans))
                if lean and last[p] == k and p not in parents[i + 1:] and prims[p] is not None \
                        and p not in outputs:
                    tangents[p] = t = _later(t)  # its last use: dropped before the sum allocates
                first = total is None
                total = c if first else total + c
                src.append(p), tgt.append(k), argnum.append(i), firsts.append(first)
                if lean:
                    contributions.append(_later(c)), totals.append(_later(total))
                else:
                    contributions.append(c), totals.append(total)
            tangents[k] = total
            if not lean:
                steps.step(k, total if total is not None else np.zeros_like(ans), _TANGENT)
                continue
            steps.step(k, _later(total) if total is not None else _LATER if _large(ans) else np.zeros_like(ans),
                       _TANGENT)
            for p in (*parents, k):  # values and tangents no later node reads: dropped
                if p is not None and last[p] <= k and p not in outputs:
                    answers[p] = None
                    if prims[p] is not None:  # an input's tangent is the seed: kept anyway
                        tangents[p] = _later(tangents[p])
            c = total = ans = args = None
        steps.close()
        result = tuple(tangents[i] if tangents[i] is not None else np.zeros_like(tape[i].ans) for i in self._outputs)
        return tangents, steps, result[0] if len(result) == 1 else result

    def reverse(self, seed: Any = None) -> Sweep:
        """Reverse sweep: pull the output adjoint back through the tape, recording each update.

        ``seed`` is the output's adjoint ``ȳ`` (default 1 for a scalar output).  A function
        with several outputs (a tuple, list or dict) needs one adjoint per output, as
        ``ad.vjp``'s ``vjp_fn`` does: a dict ``{output name: adjoint}`` (outputs left out get
        0) or a tuple in the outputs' order; there is no default, since "the" gradient of
        several outputs does not exist.
        """
        seeds = self._reverse_seeds(seed)
        lean = self.nodes.tape.tape.deferred > 0
        adjoints, steps = self._reverse(seeds, lean)
        result = {n.name: adjoints[n.index] if adjoints[n.index] is not None else np.zeros_like(n.value)
                  for n in self.inputs}
        seed_record = {self.nodes.name(i): a for i, a in sorted(seeds.items(), reverse=True)}
        if lean:  # a view reading a deferred record has the sweep run again, keeping everything
            steps.remake = lambda: self._reverse(seeds, False)
            return Sweep("reverse", seed_record, steps, _SweepValues(adjoints, steps), result, self)
        return Sweep("reverse", seed_record, steps, tuple(adjoints), result, self)

    def _reverse(self, seeds: dict, lean: bool) -> tuple:
        """The reverse sweep's loop from ``seeds`` (``{output node: adjoint}``): ``(adjoints, steps)``.

        ``lean``: as in :meth:`_forward`, but the values the reverse rules read are computed
        again first (the others stand in by shape, as on the tape of ``grad``), and each
        node's values are dropped once the sweep has passed it.
        """
        out = max(seeds)  # the sweep starts at the last output
        tape = self.nodes.tape
        adjoints: list = [None] * len(tape)
        written = bytearray(len(tape))  # 1 where some term has already written the adjoint
        for index, adjoint in seeds.items():
            adjoints[index] = adjoint
            written[index] = 1
        steps = _Steps("reverse", self)
        src, tgt, argnum, firsts, contributions, totals = steps.term_columns()
        pending = list(self.checkpoints)  # blocks whose intermediates are still to be recomputed
        block_of = self.nodes.block_of
        columns = tape.tape  # the tape's flat columns (see Tape): node k's operands are args[start:end]
        if lean:
            prims, params_of, answers, nargs, parents_of, args_of = _values_for_reverse(columns, out)
        else:
            prims, params_of, answers, nargs, parents_of, args_of = _value_columns(columns, False)
        pos = columns.offset(out + 1)  # walking back: the end of node k's operands
        for k in range(out, -1, -1):
            end = pos
            start = pos = end - nargs[k]
            g = adjoints[k]
            if g is None:
                continue
            prim = prims[k]
            if prim is None:
                continue
            parents, args, params, ans = parents_of[start:end], args_of[start:end], params_of[k], answers[k]
            if lean:
                answers[k] = None
                args_of[start:end] = [None] * (end - start)
            if pending and k in block_of:
                for i, value in self._recompute(k, pending):
                    steps.step(i, _later(value) if lean else value, _RECOMPUTE)
            vjps, partials = prim.vjps, prim.partials
            for i, p in enumerate(parents):
                if p is None or _rule(vjps, i) is None:
                    continue
                if partials is not None and partials[i] is not None:
                    if type(g) is _FLOAT64 and type(ans) is _FLOAT64:  # scalars: nothing to unbroadcast
                        c = times_partial(g, _scalar_partial(partials[i], ans, args, params), partials[i])
                    else:
                        full = times_partial(g, _partial_of(partials[i], ans, args, params), partials[i])
                        summed = _summed_axes(shape(full), shape(args[i]))
                        if summed:  # the operand was broadcast: its adjoint sums these axes
                            steps.summed[len(src)] = (summed, len(shape(full)))
                        c = unbroadcast(full, shape(args[i]), 0)
                else:
                    c = vjps[i](g, ans, *args, **params)
                prev = adjoints[p]
                total = c if prev is None else prev + c
                adjoints[p] = total
                src.append(k), tgt.append(p), argnum.append(i), firsts.append(not written[p])
                if lean:
                    contributions.append(_later(c)), totals.append(_later(total))
                else:
                    contributions.append(c), totals.append(total)
                written[p] = 1
            if lean:  # every term into node k came before it: its adjoint is final
                steps.step(k, _later(g), _ADJOINT)
                adjoints[k] = _later(g)
                g = c = total = prev = full = ans = args = None
            else:
                steps.step(k, g, _ADJOINT)
        steps.close()
        return adjoints, steps

    def _reverse_seeds(self, seed: Any) -> dict:
        """``{output node index: adjoint}`` for :meth:`reverse` (copies: the caller may reuse its buffers)."""
        outs = [_OutputRef(i, self.nodes.name(i), self.nodes.tape.tape.value(i)) for i in self._outputs]
        if len(outs) == 1:
            out = outs[0]
            if seed is None:
                if out.shape != ():
                    raise ValueError(f"the output has shape {out.shape}: give reverse(seed=...) an adjoint of that shape")
                seed = np.ones_like(out.value)
            seed = np.array(seed, dtype=np.result_type(out.value))
            if seed.shape != out.shape:
                raise ValueError(f"reverse seed has shape {seed.shape}, the output has shape {out.shape}")
            return {out.index: seed}
        names = ", ".join(n.name for n in outs)
        if isinstance(seed, (tuple, list, dict)) and self.out_tree is not None and not self.out_tree.is_leaf:
            leaves, tree = tree_flatten(seed)
            if tree == self.out_tree:  # the output's own structure, as ad.vjp's vjp_fn takes it
                seed = tuple(leaves)
        if isinstance(seed, dict):
            unknown = [k for k in seed if k not in {n.name for n in outs}]
            if unknown:
                raise ValueError(f"reverse seed names {unknown[0]!r}, which is not an output; the outputs are {names}")
            pairs = [(n, seed[n.name]) for n in outs if n.name in seed]
        elif isinstance(seed, (tuple, list)) and len(seed) == len(outs):
            pairs = list(zip(outs, seed))
        else:
            raise ValueError(
                f"this trace has {len(outs)} outputs ({names}): a reverse sweep needs one adjoint per output, "
                f"as a dict (reverse({{{outs[0].name!r}: 1.0}}), outputs left out get 0) or a tuple of "
                f"{len(outs)} adjoints in the outputs' order; ad.jacrev gives every output's gradient")
        if not pairs:
            raise ValueError(f"reverse seed gives no output an adjoint; the outputs are {names}")
        seeds: dict = {}
        for node, adjoint in pairs:
            adjoint = np.array(adjoint, dtype=np.result_type(node.value))
            if adjoint.shape != node.shape:
                raise ValueError(f"reverse seed for {node.name} has shape {adjoint.shape}, "
                                 f"the output has shape {node.shape}")
            seeds[node.index] = seeds[node.index] + adjoint if node.index in seeds else adjoint
        return seeds

    def _recompute(self, index: int, pending: list) -> list:
        """``(node, value)`` of the recompute steps for the outermost not yet recomputed block
        holding node ``index``.

        The forward pass dropped the block's intermediates; the reverse sweep runs the
        block again (every node in tape order, each primitive evaluated anew) before it
        sweeps through it.  Blocks nested inside are recomputed with it.
        """
        blocks = [c for c in pending if index in c.nodes]
        if not blocks:
            return []
        block = max(blocks, key=lambda c: len(c.nodes))
        for c in list(pending):
            if set(c.nodes) <= set(block.nodes):
                pending.remove(c)
        values: dict = {}
        for i in block.nodes:
            node = self.nodes[i]
            args = [values.get(o.node, o.value) if o.node is not None else o.value for o in node.operands]
            values[i] = node.primitive.impl(*args, **node.params)
        return list(values.items())

    def gradient(self) -> dict:
        """``{argument name: ∂output/∂argument}`` from one reverse sweep.

        For arguments that are arrays or numbers this is ``{input name: adjoint}``; an
        argument that is a pytree gets its gradient in the same structure, e.g.
        ``{"params": {"W": …, "b": …}, "x": …}``.  (The flat mapping by node name,
        ``params["W"]``, is ``t.reverse().result``.)
        """
        if len(self.outputs) > 1:
            raise ValueError(f"gradient() needs a single scalar output, but this trace has {len(self.outputs)} "
                             f"outputs ({', '.join(n.name for n in self.outputs)}): use reverse(seed) with one "
                             "adjoint per output, or ad.jacrev")
        flat = self.reverse().result
        if self.arg_trees is None:
            return flat
        adjoints = [flat[n.name] for n in self.inputs]
        out, start = {}, 0
        for name, tree in self.arg_trees:
            out[name] = tree.unflatten(adjoints[start:start + tree.num_leaves])
            start += tree.num_leaves
        return out

    # -- helpers -----------------------------------------------------------------------
    def _forward_seed(self, seed: Any) -> dict:
        inputs = self.inputs
        if seed is None:
            scalars = [n for n in inputs if n.shape == ()]
            if len(inputs) != 1 or not scalars:
                names = list(self.input_names)
                first = names[0] if names else "x"
                many = f"{len(names)} inputs ({', '.join(names)})" if len(names) != 1 else f"the array input {first}"
                example = ", ".join(f"{n!r}: {'1.0' if i == 0 else '0.5'}" for i, n in enumerate(names[:2]))
                raise ValueError(
                    f"forward() needs a seed: a forward sweep computes one directional derivative and this trace "
                    f"has {many}. Write t.forward({first!r}) for the derivative along {first} (tangent 1 on "
                    f"{'it, 0 on the other inputs' if len(names) != 1 else 'each of its entries'}) or "
                    f"t.forward({{{example}}}) for a direction (one tangent per input, the shape of the input).")
            seed = inputs[0].name
        if isinstance(seed, str):
            node = self[seed]
            if not node.is_input:
                raise ValueError(f"{seed!r} is not an input")
            return {seed: np.ones_like(node.value)}
        if isinstance(seed, dict):
            out = {}
            for name, t in seed.items():
                node = self[name]
                if not node.is_input:
                    raise ValueError(f"{name!r} is not an input")
                t = np.broadcast_to(np.asarray(t, dtype=np.result_type(node.value)), node.shape)
                out[name] = t
            return out
        raise TypeError("seed must be None, an input name or a dict {name: tangent}")


# ---------------------------------------------------------------- lean sweeps of deferred traces
class _OutputRef(NamedTuple):
    """An output's index, name and value, read without making its :class:`Node` (which would
    compute the deferred operands it shows, undoing what a lean sweep saves)."""

    index: int
    name: str
    value: Any

    @property
    def shape(self) -> tuple:
        return np.shape(self.value)


class _Later:
    """Stands in a lean sweep's record for a large tangent, adjoint or contribution (see
    :meth:`Trace._forward`): the record makes it, by running the sweep again, when read."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<made when read>"


_LATER = _Later()


def _large(value: Any) -> bool:
    return type(value) is np.ndarray and value.nbytes >= _tape_module.DEFER_FROM


def _later(value: Any) -> Any:
    """What a lean sweep records of ``value``: :data:`_LATER` for a large array, else the value."""
    return _LATER if _large(value) else value


def _last_uses(columns: Tape) -> list:
    """Per node, the last node that reads it as an operand (-1: none)."""
    last = [-1] * len(columns.prims)
    pos = 0
    for k, n in enumerate(columns.nargs):
        for p in columns.parents[pos:pos + n]:
            if p is not None:
                last[p] = k
        pos += n
    return last


def _value_columns(columns: Tape, lean: bool) -> tuple:
    """The tape's columns for a sweep: ``(prims, params, ans, nargs, parents, args)``.

    On a tape with deferred values, a lean sweep gets its own copies of ``ans`` and ``args``
    (it fills them in and empties them as it goes); any other sweep has every value computed
    now and kept on the tape (a view asked for the whole record).
    """
    prims, params, ans, nargs, parents, args = (columns.prims, columns.params, columns.ans, columns.nargs,
                                                columns.parents, columns.args)
    if columns.deferred:
        if lean:
            ans, args = list(ans), list(args)
        else:
            ans = [columns.value(k) for k in range(len(prims))]
            args = [ans[p] if type(a) is Deferred else a for p, a in zip(parents, args)]
    return prims, params, ans, nargs, parents, args


def _values_for_reverse(columns: Tape, out_index: int) -> tuple:
    """A lean reverse sweep's columns: deferred values computed again, in tape order, keeping
    only what the reverse rules read (``Primitive.vjp_reads``, as the tape of ``grad`` does);
    the rest stand in by shape and dtype.  Each computed value is dropped after its last use."""
    prims, params, ans, nargs, parents, args = _value_columns(columns, True)
    live = list(ans)  # values as computed, while a later node still needs them
    last = _last_uses(columns)
    end = 0
    for k in range(out_index + 1):
        start, end = end, end + nargs[k]
        prim = prims[k]
        deferred_args = any(type(a) is Deferred for a in args[start:end])
        if prim is None or (type(ans[k]) is not Deferred and not deferred_args):
            continue
        reads = prim.vjp_reads
        if callable(reads):
            reads = reads(tuple(parents[start:end]))
        if type(ans[k]) is Deferred:
            value = live[k] = columns.compute(k, live)
            ans[k] = value if reads in ("all", "ans") else _stand_in(value)
        for j in range(start, end):
            if type(args[j]) is Deferred:
                args[j] = live[parents[j]] if reads in ("all", "args") else _stand_in(live[parents[j]])
        for p in parents[start:end]:  # after every operand: x * x reads x twice
            if p is not None and last[p] == k and type(columns.ans[p]) is Deferred:
                live[p] = None
    return prims, params, ans, nargs, parents, args


class _SweepValues(_SequenceABC):
    """A lean sweep's final tangent or adjoint per node; a large one is made when read."""

    def __init__(self, values: list, steps: "_Steps"):
        self._values, self._steps = values, steps

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(len(self._values))))
        v = self._values[k]
        if v is _LATER:
            self._values = self._steps.materialize()
            v = self._values[k]
        return v


def _partial_of(partial: Any, ans: Any, args: tuple, params: dict) -> Any:
    """The value of one elementwise local partial, in the result's dtype."""
    value = partial.fn(ans, *args, **params)
    return np.asarray(value, dtype=np.result_type(value, ans)) if not isinstance(value, Tracer) else value


def _scalar_partial(partial: Any, ans: Any, args: tuple, params: dict) -> Any:
    """The same number as :func:`_partial_of` for a float64 result, without wrapping it in a
    0-d array (the product with a float64 tangent or adjoint is the same float64)."""
    value = partial.fn(ans, *args, **params)
    if type(value) is _FLOAT64 or type(value) is float:
        return value
    return _partial_of(partial, ans, args, params)


def _partial_value(node: Node, i: int) -> Any:
    """The value of ``node``'s local partial for operand ``i`` (None for a structural rule)."""
    partials = node.primitive.partials
    if partials is None or partials[i] is None:
        return None
    return _partial_of(partials[i], node.value, tuple(o.value for o in node.operands), node.params)


def _operation_prefix(input_names: Sequence[str]) -> str:
    """The letter that numbers the operations: ``v`` (v1, v2, … as the textbooks write), unless
    an input is already called ``v1`` or ``v7``: then ``w`` (or the next letter free), so that
    no row of a table, box of a graph or adjoint ``v̄1`` could be either of two nodes."""
    taken = {name[0] for name in input_names if len(name) > 1 and name[1:].isdigit()}
    return next(letter for letter in "vwutsrqpnmkjhgfdcba" if letter not in taken)


class _Nodes(_SequenceABC):
    """A trace's nodes, made when read: a tape of a million operations need not become a
    million :class:`Node` objects unless a view asks for them.  A node once made is kept,
    so a view reading it twice gets the same object.

    Inputs are named by the caller; operations ``v1, v2, …`` in tape order.
    """

    def __init__(self, tape: TapeNodes, input_names: Sequence[str], outputs: Sequence[int],
                 block_of: Optional[dict] = None, made: Optional[Sequence[Node]] = None):
        self.tape = tape  # the recorded tape, read as TapeNode tuples (prim, parents, args, params, ans)
        self.block_of = block_of or {}
        self._outputs = frozenset(outputs)
        prims = tape.tape.prims
        self.input_indices = tuple(k for k, prim in enumerate(prims) if prim is None)
        self._input_names = dict(zip(self.input_indices, input_names))
        self.prefix = _operation_prefix(input_names)  # "v": operations are v1, v2, …
        # operation k is v{k - _before[k] + 1} when all inputs come first (the usual case)
        n_in = len(self.input_indices)
        self._leading = self.input_indices == tuple(range(n_in))
        self._names: Optional[list] = None
        if not self._leading:
            names, counter = [], 0
            for k, prim in enumerate(prims):
                if prim is None:
                    names.append(self._input_names[k])
                else:
                    counter += 1
                    names.append(f"{self.prefix}{counter}")
            self._names = names
        self._made: list = list(made) if made is not None else [None] * len(tape)

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> "_Nodes":
        """Nodes made elsewhere (their tape rebuilt from them)."""
        tape = Tape.from_nodes((n.primitive, tuple(o.node for o in n.operands), tuple(o.value for o in n.operands),
                                n.params, n.value) for n in nodes).nodes
        out = cls(tape, [n.name for n in nodes if n.is_input], [n.index for n in nodes if n.is_output],
                  {n.index: n.checkpoint for n in nodes if n.checkpoint is not None}, nodes)
        out._names = [n.name for n in nodes]
        return out

    def __len__(self) -> int:
        return len(self.tape)

    def name(self, k: int) -> str:
        if self._names is not None:
            return self._names[k]
        n_in = len(self.input_indices)
        return self._input_names[k] if k < n_in else f"{self.prefix}{k - n_in + 1}"

    def index_of(self, name: str) -> Optional[int]:
        """The index of the node called ``name`` (None if there is none)."""
        if self._names is not None:
            try:
                return self._names.index(name)
            except ValueError:
                return None
        for k, n in self._input_names.items():
            if n == name:
                return k
        if isinstance(name, str) and name[:1] == self.prefix and name[1:].isdigit() and name[1:2] != "0":
            k = int(name[1:]) + len(self.input_indices) - 1
            if k < len(self.tape):
                return k
        return None

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(len(self.tape))))
        if k < 0:
            k += len(self.tape)
        node = self._made[k]
        if node is None:
            node = self._made[k] = self._make(k)
        return node

    def __iter__(self):
        for k in range(len(self.tape)):
            yield self[k]

    def _make(self, k: int) -> Node:
        prim, parents, args, params, ans = self.tape[k]
        if prim is None:
            return Node(k, self.name(k), "input", None, (), {}, ans, k in self._outputs)
        operands = tuple(Operand(p, a, self.name(p) if p is not None else _const_text(a))
                         for p, a in zip(parents, args))
        return Node(k, self.name(k), prim.name, prim, operands, dict(params), ans, k in self._outputs,
                    self.block_of.get(k))


_KINDS = ("tangent", "adjoint", "recompute")
_TANGENT, _ADJOINT, _RECOMPUTE = range(3)


class _Steps(_SequenceABC):
    """A sweep's steps, stored column by column while the sweep runs; each :class:`Step`
    (with its :class:`Term` objects) is made when a view reads it, and then kept.

    A sweep over a tape of 10⁶ scalar operations records about 1.5·10⁶ terms: as objects
    they would cost several hundred bytes each; as columns (indices in integer arrays,
    float64 numbers packed in one array) a few dozen.
    """

    def __init__(self, mode: str, trace: "Trace"):
        self.mode, self.trace = mode, trace
        self._node = array("q")
        self._kind = bytearray()
        self._end = array("q")  # per step: index of the first term of the next step
        self._value: list = []
        # per term: source and target node, operand number, first write into the target,
        # contribution and running total
        self._terms: Any = (array("q"), array("q"), bytearray(), bytearray(), [], [])
        # while every contribution and total is a float64 scalar, they are packed every
        # _CHUNK terms as the sweep runs (a float64 object costs 32 bytes, a packed one 8)
        self._packed = (array("d"), array("d"))
        self._packing = True
        self.summed: dict = {}  # term index -> (axes summed away, ndim of the full product)
        self._made: dict = {}
        # a lean sweep (see Trace._forward): how to run it again keeping every value, and
        # then the per-node values of that run
        self.remake: Optional[Callable[[], tuple]] = None
        self._full_values: Optional[Sequence] = None

    # -- recording (the sweep writes into these) ----------------------------------------
    def term_columns(self) -> tuple:
        """The lists a sweep appends each term to: source, target, argnum, first, contribution, total."""
        return self._terms

    def step(self, node: int, value: Any, kind: int) -> None:
        """Close a step: the terms recorded since the previous step are its terms."""
        self._node.append(node)
        self._kind.append(kind)
        self._end.append(len(self._terms[0]))
        self._value.append(value)
        if self._packing and len(self._terms[4]) >= _CHUNK:
            self._pack_chunk()

    def _pack_chunk(self) -> None:
        """Move the contributions and totals recorded so far into the packed arrays, if they
        are all float64 scalars (otherwise stop packing: the columns keep their objects)."""
        contribution, total = self._terms[4], self._terms[5]
        if all(type(v) is _FLOAT64 for v in contribution) and all(type(v) is _FLOAT64 for v in total):
            self._packed[0].extend(contribution)
            self._packed[1].extend(total)
            contribution.clear()  # in place: the sweep appends to these very lists
            total.clear()
        else:
            self._packing = False

    def close(self) -> None:
        """Pack the columns: indices into integer arrays, float64 numbers into one array each."""
        src, tgt, arg, first, contribution, total = self._terms
        packed_c, packed_t = self._packed
        if packed_c:  # chunks were packed while the sweep ran
            self._pack_chunk()
            if self._packing:
                contribution, total = _Packed.of(packed_c), _Packed.of(packed_t)
            else:  # a later term was not a float64 scalar: the whole column keeps objects
                contribution[:0] = map(_FLOAT64, packed_c)
                total[:0] = map(_FLOAT64, packed_t)
        self._terms = (src, tgt, arg, first, _pack(contribution), _pack(total))
        self._packed = (array("d"), array("d"))

    # -- reading (views) ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._node)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(len(self._node))))
        if k < 0:
            k += len(self._node)
        if not 0 <= k < len(self._node):
            raise IndexError("step index out of range")
        step = self._made.get(k)
        if step is None:
            step = self._made[k] = self._make(k)
        return step

    def __iter__(self):
        for k in range(len(self._node)):
            yield self[k]

    def materialize(self) -> Sequence:
        """Replace a lean sweep's record by the whole record (the same sweep run again,
        keeping every value); returns that run's per-node values."""
        if self.remake is not None:
            values, full = self.remake()
            self._node, self._kind, self._end, self._value = full._node, full._kind, full._end, full._value
            self._terms, self.summed, self._full_values = full._terms, full.summed, values
            self.remake = None
        return self._full_values

    def _make(self, k: int) -> Step:
        start = self._end[k - 1] if k else 0
        if self.remake is not None and (self._value[k] is _LATER or any(
                self._terms[4][j] is _LATER or self._terms[5][j] is _LATER for j in range(start, self._end[k]))):
            self.materialize()
        terms = tuple(self._make_term(j) for j in range(start, self._end[k]))
        return Step(k, self._node[k], terms, self._value[k], _KINDS[self._kind[k]])

    def _make_term(self, j: int) -> Term:
        src, tgt, arg, first, contribution, total = self._terms
        summed, ndim_full = self.summed.get(j, ((), 0))
        return Term(self.mode, src[j], tgt[j], arg[j], contribution[j], total[j], bool(first[j]), summed, ndim_full,
                    self.trace)


class _Packed(_SequenceABC):
    """A column of float64 scalars packed in one array (read back as the same float64 numbers)."""

    def __init__(self, values: list):
        self._floats = np.array(values, dtype=np.float64)

    @classmethod
    def of(cls, floats: array) -> "_Packed":
        """The packed column of an ``array('d')`` (shared, not copied)."""
        packed = cls.__new__(cls)
        packed._floats = np.frombuffer(floats, dtype=np.float64)
        return packed

    def __len__(self) -> int:
        return len(self._floats)

    def __getitem__(self, j: int) -> Any:
        return self._floats[j]


_CHUNK = 4096  # terms recorded between two packings of a sweep's float64 columns


def _pack(values: Any) -> Sequence:
    """A long column of float64 scalars packed in one array; any other column as it is."""
    if isinstance(values, _Packed):
        return values
    if len(values) < 64 or set(map(type, values)) != {_FLOAT64}:
        return values
    return _Packed(values)


_SUBSCRIPTS = "ᵢⱼₖₗₘₙ"
_LETTERS = "ijklmn"


def _summed_axes(full: tuple[int, ...], target: tuple[int, ...]) -> tuple[int, ...]:
    """Axes of an adjoint of shape ``full`` that sum away when it flows back to an operand
    of shape ``target`` that was broadcast: new leading axes and axes of length 1."""
    extra = len(full) - len(target)
    if extra < 0:
        return ()
    return tuple(range(extra)) + tuple(extra + i for i, n in enumerate(target) if n == 1 and full[extra + i] != 1)


def _summed(product: str, axes: tuple[int, ...], ndim: int, ascii: bool) -> str:
    """``Σᵢ v̄1[i, :]``, ``Σᵢⱼ (v̄1·X)[i, j]``: the adjoint of a broadcast operand is the
    sum of what every copy received."""
    if ndim > len(_LETTERS):
        return f"{'sum' if ascii else 'Σ'} over axes {axes} of {product}"
    index = ", ".join(_LETTERS[a] if a in axes else ":" for a in range(ndim))
    if ascii:
        return f"sum_{''.join(_LETTERS[a] for a in axes)} {product}[{index}]"
    return f"Σ{''.join(_SUBSCRIPTS[a] for a in axes)} {product}[{index}]"


def _parse_step(step: Any) -> tuple[Optional[int], Optional[int]]:
    """``3`` → (3, None); ``"3.2"``/``(3, 2)`` → (3, 2); anything else → (None, None)."""
    if isinstance(step, bool):
        return None, None
    if isinstance(step, (int, np.integer)):
        return int(step), None
    if isinstance(step, tuple) and len(step) == 2 and all(isinstance(v, (int, np.integer)) for v in step):
        return int(step[0]), int(step[1])
    if isinstance(step, str):
        whole, dot, part = step.strip().partition(".")
        if whole.isdigit() and (not dot or part.isdigit()):
            return int(whole), (int(part) if dot else None)
    return None, None


def _brief(value: Any) -> str:
    """A recorded number for a repr: a scalar as Python prints it, an array by its shape."""
    a = np.asarray(value)
    return repr(a.item()) if a.ndim == 0 else f"array of shape {a.shape}"


def _group(formula: str) -> str:
    """Parenthesize a compound or negative partial so ``v̄1·(2*x)`` and ``v̄5·(−1)`` read
    unambiguously (``v̄5·-1`` looks like a subtraction); a leading minus is a real minus
    sign, ``−`` (the ASCII spelling turns it back into ``-``)."""
    if formula.startswith("-"):
        return f"({notation.signed(formula)})"
    depth = 0
    for ch in formula[1:]:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in "+-*/ ":
            return f"({formula})"
    return formula


def _rule(rules, i, default=None):
    try:
        return rules[i]
    except (IndexError, TypeError):
        return default


def _fmt(template: Any, node: Node, placeholder: str) -> str:
    """Fill a structural rule's display template, keeping ``{t}``/``{g}`` for the symbol.

    A template may also be a function of the node's parameters (``einsum``'s rule depends
    on its subscripts).
    """
    if callable(template):
        template = template(node.params)
    if not template:
        return "{" + placeholder + "}"
    ops = [o.text for o in node.operands]
    try:
        filled = template.format(*ops, ans=node.name, t="\0t", g="\0g")
    except (IndexError, KeyError):
        filled = template
    return filled.replace("{", "{{").replace("}", "}}").replace("\0t", "{t}").replace("\0g", "{g}")


def _short_value(v: Any) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return repr(a.item())
    return f"array{a.shape} " + " ".join(np.array2string(a, precision=4, threshold=6).split())


# ---------------------------------------------------------------- recording
def _const_text(v: Any) -> str:
    v = lowest(v)
    a = np.asarray(v)
    if a.ndim == 0 and a.dtype != object:
        x = a.item()
        if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return repr(x) if not isinstance(x, float) else f"{x:.6g}"
    return f"const{a.shape}"


def _input_names(f: Callable, nargs: int) -> list[str]:
    """The names of ``f``'s first ``nargs`` positional parameters (``args[0]``, ``args[1]``
    for ``*args``; ``x1``, ``x2`` when there is no signature), as :func:`_call_text` shows them."""
    call = _call_text(f, nargs, any_name=True)
    return _split_call(call) if call else [f"x{i + 1}" for i in range(nargs)]


def _split_call(call: str) -> list[str]:
    inside = call[call.index("(") + 1:-1]
    return inside.split(", ") if inside else []


def trace(f: Any, /, *args: Any, **kwargs: Any) -> Trace:
    """Record ``f`` at the given inputs and return its :class:`Trace`.

    ``f`` is a Python function of NumPy arrays (inputs named after its parameters), an
    expression string (``ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)``) or a parsed
    :class:`~adviz.expr.Expression` (values given as keywords).

    Arguments may be pytrees (nested tuples, lists and dicts of arrays): every leaf is an
    input node named by its key path, ``params["W"]``, ``params["b"]``, ``layers[0]``.
    The function may return a pytree too: each leaf is an output node.
    """
    expression = None
    if isinstance(f, str) or _is_expression(f):
        from ..expr import parse

        expression = parse(f) if isinstance(f, str) else f
        if args:
            raise TypeError("give expression values as keywords: ad.trace('x**2', x=3.0)")
        missing = [v for v in expression.variables if v not in kwargs]
        extra = [k for k in kwargs if k not in expression.variables]
        if missing:
            raise ValueError(f"no value given for {', '.join(missing)}")
        if extra:
            from ..expr import constant_given_a_value

            constant = constant_given_a_value(extra)
            if constant:  # ad.trace("e*x", e=3): e is in the expression, as the constant
                raise ValueError(constant)
            raise ValueError(f"{', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not in the expression")
        names = list(expression.variables)
        values = [kwargs[n] for n in names]
        fn = lambda *vals: expression(**dict(zip(names, vals)))  # noqa: E731
        fn_kwargs: dict = {}
    else:
        names = _input_names(f, len(args))
        values, fn, fn_kwargs = list(args), f, kwargs
    leaf_names: list[str] = []
    leaf_values: list = []
    arg_trees: list[tuple[str, TreeDef]] = []
    for name, v in zip(names, values):
        pairs, tree = tree_flatten_with_path(v)
        arg_trees.append((name, tree))
        for path, leaf in pairs:
            leaf_names.append(keystr(path, name))
            leaf_values.append(as_input(leaf, f"the input {keystr(path, name)}"))
    tape = Tape(expand_checkpoints=True, defer=True)
    with new_interpreter(tape, "ad.trace"):
        inputs = [tape.new_input(v) for v in leaf_values]
        out = fn(*[tree.unflatten(inputs[start:start + tree.num_leaves])
                   for (_, tree), start in zip(arg_trees, _starts(arg_trees))], **fn_kwargs)
        out_pairs, out_tree = tree_flatten_with_path(out)
        out_indices = []
        for path, o in out_pairs:
            o = lift(o)  # np.array([...]) of traced values: one traced array
            idx = tape.index_of(o)
            if idx is None:
                where = f"the output {keystr(path, 'out')}" if path else "the output"
                raise NothingToDifferentiate(f"{where} does not depend on the inputs: there is nothing to "
                                             "differentiate (ad.grad, ad.jacrev, ... give zeros)")
            tape.keep(idx, o.primal)  # an output is at hand: never computed again
            out_indices.append(idx)
    if not out_indices:
        raise NothingToDifferentiate("the function returned no output: there is nothing to differentiate")
    built = _build(tape, leaf_names, out_indices, expression, arg_trees, out_tree)
    if expression is None:
        built.call = _call_text(f, len(args))
    built.function = _flat_function(fn, arg_trees, fn_kwargs)
    return built


def _flat_function(fn: Callable, arg_trees: list, kwargs: dict) -> Callable[..., Any]:
    """``fn`` as a function of the trace's inputs in tape order (one per pytree leaf): the
    leaves are put back into the arguments' structures and ``fn`` is called as it was traced."""
    starts = _starts(arg_trees)

    def function(*leaves: Any) -> Any:
        return fn(*[tree.unflatten(list(leaves[start:start + tree.num_leaves]))
                    for (_, tree), start in zip(arg_trees, starts)], **kwargs)

    return function


def _starts(arg_trees: list) -> list[int]:
    starts, n = [], 0
    for _, tree in arg_trees:
        starts.append(n)
        n += tree.num_leaves
    return starts


def _call_text(f: Callable, nargs: int, any_name: bool = False) -> Optional[str]:
    """``"loss(W, x, y)"``: the traced function's name and the names of the arguments it
    was called with (None for a function without a usable name, such as a lambda, unless
    ``any_name``)."""
    named = f
    while isinstance(named, functools.partial):  # partial(loss, y=y): the title says loss(…)
        named = named.func
    name = getattr(named, "__name__", None) or type(named).__name__
    if not name.isidentifier():
        if not any_name:
            return None
        name = "f"
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        params = []
    args = []
    for i in range(nargs):
        if i < len(params) and params[i].kind != params[i].VAR_POSITIONAL:
            args.append(params[i].name)
        elif params and params[-1].kind == params[-1].VAR_POSITIONAL:
            args.append(f"{params[-1].name}[{i - len(params) + 1}]")
        else:
            args.append(f"x{i + 1}")
    return f"{name}({', '.join(args)})"


def _is_expression(f: Any) -> bool:
    return type(f).__name__ == "Expression" and hasattr(f, "variables")


def _build(tape: Tape, input_names: list[str], out_indices: list[int], expression: Any,
           arg_trees: Optional[list] = None, out_tree: Optional[TreeDef] = None) -> Trace:
    checkpoints = [Checkpoint(b, name, tuple(range(start, end)), tuple(ins), tuple(outs))
                   for b, (name, start, end, ins, outs) in enumerate(tape.blocks)]
    block_of: dict[int, int] = {}
    for c in sorted(checkpoints, key=lambda c: -len(c.nodes)):  # the innermost block wins
        for i in c.nodes:
            block_of[i] = c.index
    nodes = _Nodes(tape.nodes, input_names, out_indices, block_of)
    if out_tree is None:
        out_tree = LEAF if len(out_indices) == 1 else tree_flatten(tuple(out_indices))[1]
    value = out_tree.unflatten(tape.value(i) for i in out_indices)
    return Trace(nodes, out_indices, value, expression, arg_trees=arg_trees, out_tree=out_tree,
                 checkpoints=checkpoints)
