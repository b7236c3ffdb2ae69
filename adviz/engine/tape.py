"""The tape (Wengert list) and the reverse sweep that walks it backwards.

Reverse mode needs the past.  While the function runs, every primitive application is
appended to a list — the *tape*::

    index  primitive  parents   values of the operands      result
    0      (input)    ()        ()                          x = 3
    1      power      (0, -)    (3, 2)                      9
    2      add        (1, -)    (9, 1)                      10
    3      sin        (2,)      (10,)                       sin 10

Then :func:`backward` visits the tape from the end, holding one *adjoint*
``v̄ = ∂output/∂v`` per node, and for every node pushes ``v̄ · ∂v/∂operand`` into each
operand's adjoint.  One backward sweep yields the derivative with respect to *every*
input at once — the reason backpropagation trains networks with millions of weights.

Design notes (for speed and correctness):

* a node is a plain tuple and refers to its operands by **index**, never by object, so the
  tape holds no reference cycles (the garbage collector has nothing to chase);
* an adjoint is released as soon as its node has been processed;
* the adjoint of a node used twice is the **sum** of what each use sends back (micrograd's
  classic bug #2 is overwriting instead of summing).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

import numpy as np

from .tracer import Interpreter, Tracer, bind, complex_error, is_complex, op_text


class TapeNode(NamedTuple):
    """One line of the Wengert list (inputs have ``prim = None``)."""

    prim: Any
    parents: tuple  # per operand: index of the node it came from, or None for a constant
    args: tuple  # the operands' values as the primitive saw them
    params: dict
    ans: Any


_new_node = tuple.__new__  # builds a TapeNode without NamedTuple's slower keyword constructor
_new_var = object.__new__  # an empty TapeVar, filled in by Tape.process


class TapeVar(Tracer):
    """A value recorded on a tape: the tape's interpreter plus the node's index."""

    __slots__ = ("index",)

    def __init__(self, tape: "Tape", primal: Any, index: int):
        self._interp = tape
        self.primal = primal
        self.index = index


class Tape(Interpreter):
    """The recording interpreter: computes each primitive and appends a :class:`TapeNode`."""

    def __init__(self, slim: bool = False, expand_checkpoints: bool = False) -> None:
        self.nodes: list[TapeNode] = []
        # slim: the tape only serves derivatives (grad, vjp, jacrev), so large values its
        # reverse rules will never read are stored as zero-cost stand-ins of the same shape.
        self.slim = slim
        # expand_checkpoints: a tape for people (ad.trace) records the nodes inside an
        # ad.checkpoint block and lists the block in ``blocks``; a tape for derivatives
        # keeps one node per block and recomputes the inside during the reverse sweep.
        self.expand_checkpoints = expand_checkpoints
        self.blocks: list = []

    def new_input(self, value: Any) -> TapeVar:
        self.nodes.append(TapeNode(None, (), (), {}, value))
        return TapeVar(self, value, len(self.nodes) - 1)

    def record(self, prim: Any, parents: tuple, args: tuple, params: dict, ans: Any) -> TapeVar:
        """Append a node computed elsewhere (custom rules, checkpoints) and return its tracer."""
        self.nodes.append(_new_node(TapeNode, (prim, tuple(parents), tuple(args), params, ans)))
        return TapeVar(self, ans, len(self.nodes) - 1)

    def split(self, args: Any) -> tuple[list, list]:
        """``(values, parents)`` of a list of arguments: own tracers by their node index."""
        vals, parents = [], []
        for a in args:
            if type(a) is TapeVar and a._interp is self:
                vals.append(a.primal)
                parents.append(a.index)
            else:
                vals.append(a)
                parents.append(None)
        return vals, parents

    def process(self, prim, args, params):
        vals = []
        parents = []
        for a in args:
            if type(a) is TapeVar and a._interp is self:
                vals.append(a.primal)
                parents.append(a.index)
            else:
                vals.append(a)
                parents.append(None)
        if self.level == 1:
            # Level 1 has no interpreter below it: every value is concrete, call NumPy directly.
            ans = prim.impl(*vals, **params)
            if type(ans) is not _FLOAT64 and is_complex(ans):
                raise complex_error(f"the result of `{op_text(prim, len(args), params)}` on a traced value")
        else:
            ans = bind(prim, *vals, **params)
        nodes = self.nodes
        kept_vals, kept_ans = tuple(vals), ans
        reads = prim.vjp_reads
        # At level 1 values are concrete (a cheap type test skips scalars); above it they
        # are tracers of the transform below (jvp of grad), whose arrays are just as large.
        if self.slim and reads != "all" and (
                self.level > 1 or type(ans) is np.ndarray or np.ndarray in map(type, vals)):
            if callable(reads):  # depends on which operands are traced, e.g. power's exponent
                reads = reads(parents)
            if reads in ("nothing", "ans"):
                kept_vals = tuple(_stand_in(v) for v in kept_vals)
            if reads in ("nothing", "args"):
                kept_ans = _stand_in(ans)
        # most primitives have no parameters: their nodes share one empty dict (64 bytes a
        # node saved on long scalar tapes); nothing writes into a node's params
        nodes.append(_new_node(TapeNode, (prim, tuple(parents), kept_vals, params or _NO_PARAMS, kept_ans)))
        # TapeVar(self, ans, index) without the call of __init__ (this line runs once per operation)
        var = _new_var(TapeVar)
        var._interp, var.primal, var.index = self, ans, len(nodes) - 1
        return var

    def index_of(self, out: Any) -> Optional[int]:
        """The node index of ``out`` if it was recorded on this tape, else None."""
        if isinstance(out, TapeVar) and out._interp is self:
            return out.index
        return None


_FLOAT64 = np.float64
_NO_PARAMS: dict = {}  # shared by every node without parameters: never written to


def _shape(x: Any) -> tuple:
    s = getattr(x, "shape", None)
    return s if s is not None else ()

_SLIM_FROM = 1024  # values smaller than this are kept: a stand-in would save nothing


def _stand_in(value: Any) -> Any:
    """A zero-memory array with ``value``'s shape and dtype (a broadcast view of one zero).

    Rules still see the right shape (for unbroadcasting) but the real array can be freed as
    soon as the user's code no longer needs it.  A tracer of an enclosing transform (the
    tape of ``grad`` inside ``jvp``) is replaced the same way: the rules that do not read a
    value do not read its tangent either.
    """
    base = value
    while isinstance(base, Tracer):  # a tracer of an enclosing transform: its concrete value
        base = base.primal
    if type(base) is np.ndarray and base.size >= _SLIM_FROM:
        return np.broadcast_to(np.zeros((), dtype=base.dtype), base.shape)
    return value


def backward(nodes: list[TapeNode], out_index: int, seed: Any, keep: Optional[set] = None,
             consume: bool = False) -> list:
    """Propagate ``seed`` (the output's adjoint) back through ``nodes``.

    Returns the list of adjoints, one per node (None where nothing flowed).  Adjoints of
    intermediate nodes are dropped once used unless their index is in ``keep``; input
    nodes' adjoints are always kept.  With ``consume=True`` (a tape swept only once, as in
    ``grad``) each node is also dropped from the tape as soon as it has been processed,
    so the memory of the forward values is released while the sweep runs.
    """
    adjoints: list = [None] * len(nodes)
    owned = [False] * len(nodes)  # adjoint arrays this sweep allocated itself (safe to update in place)
    adjoints[out_index] = seed
    for k in range(out_index, -1, -1):
        g = adjoints[k]
        if g is None:
            continue
        prim, parents, args, params, ans = nodes[k]
        if prim is None:
            continue  # an input: its adjoint is a result
        if consume:
            nodes[k] = None
        vjps = prim.vjps
        # May a rule overwrite g?  Only if this sweep allocated it, nobody keeps it, and a
        # single operand edge reads it.
        ours = (owned[k] and type(g) is np.ndarray and (keep is None or k not in keep)
                and sum(p is not None for p in parents) == 1)
        for i, p in enumerate(parents):
            if p is None:
                continue
            rule = vjps[i]
            if rule is None:
                continue
            if ours and getattr(rule, "reuses_adjoint", False):
                c = rule(g, ans, *args, _g_is_ours=True, **params)
            else:
                c = rule(g, ans, *args, **params)
            prev = adjoints[p]
            if prev is None:
                adjoints[p] = c
                owned[p] = getattr(rule, "fresh", False)
            elif owned[p] and type(prev) is np.ndarray and type(c) is np.ndarray and prev.shape == c.shape \
                    and prev.dtype == np.result_type(prev, c) and prev.flags.writeable:
                prev += c
            else:
                adjoints[p] = prev + c
                owned[p] = True
        if keep is None or k not in keep:
            adjoints[k] = None
        g = c = args = ans = None  # release this node's arrays before the next one allocates
    return adjoints


def forward_sweep(nodes: list[TapeNode], seeds: dict, out_indices: list, batch_shape: tuple = ()) -> list:
    """Push tangents through recorded ``nodes``: the forward counterpart of :func:`backward`.

    ``seeds`` maps input node indices to tangents, each with the leading ``batch_shape``;
    returns the tangents of ``out_indices`` (None where no seeded input reaches).  Used to
    replay a recorded linear map, e.g. a custom JVP rule, on new tangents.
    """
    tangents: list = [None] * len(nodes)
    for k, t in seeds.items():
        tangents[k] = t
    last = max((i for i in out_indices if i is not None), default=-1)
    for k in range(last + 1):
        prim, parents, args, params, ans = nodes[k]
        if prim is None:
            continue
        ts = [tangents[p] if p is not None else None for p in parents]
        if all(t is None for t in ts):
            continue
        if prim.jvp_all is not None:
            tangents[k] = prim.jvp_all(ts, ans, *args, **params)
            continue
        total = None
        for i, t in enumerate(ts):
            rule = prim.jvps[i] if t is not None and i < len(prim.jvps) else None
            if rule is None:
                continue
            c = rule(t, ans, *args, **params)
            total = c if total is None else total + c
        if total is not None and _shape(total) != tuple(batch_shape) + _shape(ans):
            total = np.broadcast_to(total, tuple(batch_shape) + _shape(ans))
        tangents[k] = total
    return [tangents[i] if i is not None else None for i in out_indices]
