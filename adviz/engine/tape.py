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

* the tape is stored column by column (flat lists: primitives, values, operands), with no
  object per node, and a node refers to its operands by **index**, never by object, so the
  tape holds no reference cycles (the garbage collector has nothing to chase);
* for a scalar adjoint through ``+``, ``*`` and the other elementwise primitives, the sweep
  computes ``v̄ · ∂v/∂operand`` itself, exactly as the primitive's rule would;
* an adjoint is released as soon as its node has been processed;
* the adjoint of a node used twice is the **sum** of what each use sends back (micrograd's
  classic bug #2 is overwriting instead of summing).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence as _SequenceABC
from itertools import accumulate, islice
from typing import Any, NamedTuple, Optional, Sequence
import weakref

import numpy as np

from .primitives.core import fits_in, ndim, unbroadcast
from .tracer import Interpreter, Tracer, bind, complex_error, is_complex, op_text


class TapeNode(NamedTuple):
    """One line of the Wengert list, as :attr:`Tape.nodes` hands it out (inputs have ``prim = None``)."""

    prim: Any
    parents: tuple  # per operand: index of the node it came from, or None for a constant
    args: tuple  # the operands' values as the primitive saw them
    params: dict
    ans: Any


class Deferred:
    """Stands, on a tape for people (``ad.trace``), for a large value that is not kept: it is
    computed again from its operands, by the same primitive, when something reads it.

    Keeps only what a reader may ask without the numbers (shape, dtype).  See
    :meth:`Tape.value` and :data:`DEFER_FROM`.
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, value: np.ndarray) -> None:
        self.shape, self.dtype = value.shape, value.dtype

    def __repr__(self) -> str:
        return f"<deferred array{self.shape} {self.dtype}>"


DEFER_FROM = 1 << 20
"""Bytes from which ``ad.trace`` does not keep an operation's result (default 1 MiB): a recorded
trace of array code would otherwise hold every intermediate array, and its sweeps every
tangent and adjoint, many times the input's memory.  A deferred value is computed again when
read — the same primitive on the same operands, so the same numbers."""


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
    """The recording interpreter: computes each primitive and appends a line to the tape.

    The tape is stored **column by column** in flat parallel lists, not as one object per
    line: node ``k`` is ``prims[k]`` applied with ``params[k]`` giving ``ans[k]``, and its
    ``nargs[k]`` operands sit one after another in ``parents`` (the node each came from,
    None for a constant) and ``args`` (the values), right after the operands of node
    ``k - 1``.  Appending a line is a handful of ``list.append`` calls — no tuple per line,
    nothing for the garbage collector to track — which is what makes a long scalar loop
    cheap to record (benchmark W1) and a tape of a million operations small (BIG).
    :attr:`nodes` still reads the tape line by line, as :class:`TapeNode` tuples.
    """

    def __init__(self, slim: bool = False, expand_checkpoints: bool = False, defer: bool = False) -> None:
        self.prims: list = []  # per node: its primitive (None for an input)
        self.params: list = []  # per node: its parameters (nodes without share one empty dict)
        self.ans: list = []  # per node: its value
        self.nargs: list = []  # per node: how many operands it has
        self.parents: list = []  # per operand, all nodes in order: its node's index, or None
        self.args: list = []  # per operand: its value as the primitive saw it
        self._offsets = array("q", (0,))  # operand position of node k (built when read, see offset)
        # slim: the tape only serves derivatives (grad, vjp, jacrev), so large values its
        # reverse rules will never read are stored as zero-cost stand-ins of the same shape.
        self.slim = slim
        # expand_checkpoints: a tape for people (ad.trace) records the nodes inside an
        # ad.checkpoint block and lists the block in ``blocks``; a tape for derivatives
        # keeps one node per block and recomputes the inside during the reverse sweep.
        self.expand_checkpoints = expand_checkpoints
        self.blocks: list = []
        # defer: a tape for people keeps large results as Deferred stand-ins (see value())
        self.defer = defer
        self.deferred = 0  # how many results were deferred (operand columns may hold their stand-ins)
        # sin/cos (sinh/cosh) values of one operand array recorded on this tape, which the
        # reverse rules of the other may reuse (see _remember): id -> (weak ref to the operand, {name: value})
        self._seen: dict = {}

    @classmethod
    def from_nodes(cls, nodes: Any) -> "Tape":
        """A tape holding ``nodes``, ``(prim, parents, args, params, ans)`` tuples (made elsewhere)."""
        if isinstance(nodes, TapeNodes):
            return nodes.tape
        tape = cls()
        for prim, parents, args, params, ans in nodes:
            tape.append_node(prim, parents, args, params, ans)
        return tape

    @property
    def nodes(self) -> "TapeNodes":
        """The tape line by line: a sequence of :class:`TapeNode` made when read."""
        return TapeNodes(self)

    def __len__(self) -> int:
        return len(self.prims)

    def append_node(self, prim: Any, parents: Sequence, args: Sequence, params: dict, ans: Any) -> int:
        """Append one line; returns its index."""
        self.prims.append(prim)
        # most primitives have no parameters: their nodes share one empty dict (64 bytes a
        # node saved on long scalar tapes); nothing writes into a node's params
        self.params.append(params or _NO_PARAMS)
        self.ans.append(ans)
        self.nargs.append(len(args))
        self.parents.extend(parents)
        self.args.extend(args)
        return len(self.prims) - 1

    def offset(self, k: int) -> int:
        """Position in ``parents``/``args`` of node ``k``'s first operand (``k == len(tape)``: the end)."""
        offsets = self._offsets
        n = len(offsets)
        if n <= k:  # extend the running sums over the nodes appended since the last call
            offsets.extend(islice(accumulate(self.nargs[n - 1:k], initial=offsets[-1]), 1, None))
        return offsets[k]

    def node(self, k: int) -> TapeNode:
        """Line ``k`` as a :class:`TapeNode` (deferred values computed: see :meth:`value`)."""
        start = self.offset(k)
        end = start + self.nargs[k]
        args = self.args[start:end]
        if self.deferred:
            args = [self.value(p) if type(a) is Deferred else a for p, a in zip(self.parents[start:end], args)]
        return _new_node(TapeNode, (self.prims[k], tuple(self.parents[start:end]), tuple(args),
                                    self.params[k], self.value(k)))

    def value(self, k: int) -> Any:
        """The value of node ``k``, computed now if it was deferred (and then kept).

        A deferred node is computed from its operands in tape order, deferred operands
        first — the same primitive on the same numbers as when it was recorded::

            v1 = sin(x)     deferred    value(2) computes v1, then v2 = v1 * 2,
            v2 = v1 * 2     deferred    and keeps both (a view read them)
        """
        v = self.ans[k]
        if type(v) is not Deferred:
            return v
        need, todo = set(), [k]  # every deferred node that k's value depends on
        while todo:
            i = todo.pop()
            if i in need:
                continue
            need.add(i)
            start = self.offset(i)
            todo.extend(p for p in self.parents[start:start + self.nargs[i]]
                        if p is not None and type(self.ans[p]) is Deferred)
        for i in sorted(need):
            self.ans[i] = self.compute(i, self.ans)
        return self.ans[k]

    def compute(self, k: int, values: list) -> Any:
        """Node ``k``'s primitive evaluated again, its deferred operands read from ``values``."""
        start = self.offset(k)
        end = start + self.nargs[k]
        args = [values[p] if type(a) is Deferred else a for p, a in zip(self.parents[start:end], self.args[start:end])]
        return self.prims[k].impl(*args, **self.params[k])

    def new_input(self, value: Any) -> TapeVar:
        return TapeVar(self, value, self.append_node(None, (), (), _NO_PARAMS, value))

    def record(self, prim: Any, parents: tuple, args: tuple, params: dict, ans: Any) -> TapeVar:
        """Append a node computed elsewhere (custom rules, checkpoints) and return its tracer."""
        return TapeVar(self, ans, self.append_node(prim, parents, args, params, ans))

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

    def binary(self, prim: Any, x: Any, y: Any) -> TapeVar:
        """:meth:`process` for a binary operator without parameters (``x * y``, ``x + 2.0``),
        written out for its two operands: the line a scalar loop runs for every operation."""
        if type(x) is TapeVar and x._interp is self:
            px, x = x.index, x.primal
        else:
            px = None
        if type(y) is TapeVar and y._interp is self:
            py, y = y.index, y.primal
        else:
            py = None
        if self.level != 1:
            return self._append(prim, [x, y], [px, py], _NO_PARAMS, bind(prim, x, y))
        ans = prim.impl(x, y)  # level 1: every value is concrete, call NumPy directly
        if type(ans) is _FLOAT64 and type(x) is not _NDARRAY and type(y) is not _NDARRAY:
            # the usual scalar: nothing to check, nothing to slim; append_node and _append
            # written out, as this is the line a scalar loop runs for every operation
            self.prims.append(prim)
            self.params.append(_NO_PARAMS)
            self.ans.append(ans)
            self.nargs.append(2)
            parents, args = self.parents, self.args
            parents.append(px)
            parents.append(py)
            args.append(x)
            args.append(y)
            var = _new_var(TapeVar)
            var._interp, var.primal, var.index = self, ans, len(self.prims) - 1
            return var
        if is_complex(ans):
            raise complex_error(f"the result of `{op_text(prim, 2, _NO_PARAMS)}` on a traced value")
        return self._append(prim, [x, y], [px, py], _NO_PARAMS, ans)

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
            if type(ans) is np.ndarray and prim in (_SHARED or reusing_primitives()) and not params:
                self._remember(prim, vals[0], ans)
        else:
            ans = bind(prim, *vals, **params)
        return self._append(prim, vals, parents, params, ans)

    # -- sin(x) and cos(x) of one array: each is the other's partial -----------------------
    def _remember(self, prim: Any, x: Any, ans: np.ndarray) -> None:
        """Note ``ans = prim(x)`` (``prim`` is sin, cos, sinh or cosh) for the reverse sweep.

        ``sin``'s partial is ``cos(x)`` and ``cos``'s is ``−sin(x)``.  When a tape holds both
        of one array ``x`` -- ``grad(grad(f))`` (reverse-over-reverse) records ``sin(x)`` in
        ``f`` and ``cos(x)`` in the inner sweep's rule, and ``sin(x)·cos(x)`` in user code does
        too -- the reverse sweep would compute each a second time for the other's rule.  So
        the tape keeps both (strong references, from the moment the second is recorded, until
        the sweep has read them) and :func:`backward` reads them instead: the same numbers,
        two transcendental passes fewer.  A value whose partner never comes is only watched
        (a weak reference), so a tape with ``sin(x)`` alone keeps nothing more than before.
        """
        if type(x) is not np.ndarray or x.size < SHARE_FROM or x.dtype.kind != "f":
            return
        key = id(x)
        entry = self._seen.get(key)
        if entry is None or entry[0]() is not x:
            entry = self._seen[key] = (weakref.ref(x, forget_when_collected(self._seen, key)), {})
        values = entry[1]
        partner = prim.partials[0].reuse[0]
        known = values.get(partner)
        if type(known) is weakref.ref:
            known = known()
        if known is not None:  # both are on the tape: each rule will read the other
            values[partner], values[prim.name] = known, ans
        elif prim.name not in values:
            values[prim.name] = weakref.ref(ans)

    def remembered(self, x: Any, name: str, forget: bool = False) -> Any:
        """``name(x)`` if this tape recorded it of the very array ``x`` and holds it, else None
        (``forget``: let go of it, for a sweep that runs once)."""
        entry = self._seen.get(id(x))
        if entry is None or entry[0]() is not x:
            return None
        value = entry[1].get(name)
        if type(value) is not np.ndarray:
            return None
        if forget:
            del entry[1][name]
        return value

    def _append(self, prim: Any, vals: list, parents: list, params: dict, ans: Any) -> TapeVar:
        """Append the line ``ans = prim(*vals, **params)``, slimmed for a tape that only serves derivatives."""
        kept_vals, kept_ans = vals, ans
        reads = prim.vjp_reads
        # At level 1 values are concrete (a cheap type test skips scalars); above it they
        # are tracers of the transform below (jvp of grad), whose arrays are just as large.
        if self.slim and reads != "all" and (
                self.level > 1 or type(ans) is np.ndarray or np.ndarray in map(type, vals)):
            if callable(reads):  # depends on which operands are traced, e.g. power's exponent
                reads = reads(tuple(parents))
            if reads in ("nothing", "ans"):
                kept_vals = [_stand_in(v) for v in kept_vals]
            if reads in ("nothing", "args"):
                kept_ans = _stand_in(ans)
        if self.defer:
            kept_vals, kept_ans = self._deferring(prim, parents, kept_vals, kept_ans)
        index = self.append_node(prim, parents, kept_vals, params, kept_ans)
        # TapeVar(self, ans, index) without the call of __init__ (this line runs once per operation)
        var = _new_var(TapeVar)
        var._interp, var.primal, var.index = self, ans, index
        return var

    def _deferring(self, prim: Any, parents: list, vals: list, ans: Any) -> tuple[list, Any]:
        """What a tape for people keeps of a line: a large result of a registered primitive
        (a pure NumPy function, so it can be computed again) as a :class:`Deferred`, and each
        operand that is such a result as its node's stand-in."""
        if self.deferred:
            vals = [self.ans[p] if p is not None and type(self.ans[p]) is Deferred else v
                    for v, p in zip(vals, parents)]
        if self.level == 1 and type(ans) is np.ndarray and ans.nbytes >= DEFER_FROM and _pure(prim):
            self.deferred += 1
            return vals, Deferred(ans)
        return vals, ans

    def keep(self, k: int, value: Any) -> None:
        """Keep ``value`` as node ``k``'s value (an output of ``ad.trace``, still at hand)."""
        if type(self.ans[k]) is Deferred:
            self.ans[k] = value

    def index_of(self, out: Any) -> Optional[int]:
        """The node index of ``out`` if it was recorded on this tape, else None."""
        if isinstance(out, TapeVar) and out._interp is self:
            return out.index
        return None


class TapeNodes(_SequenceABC):
    """A tape read line by line: ``nodes[k]`` is a :class:`TapeNode` made when asked for.

    ``append`` adds a line (a :class:`TapeNode` or any 5-tuple in its order).
    """

    __slots__ = ("tape",)

    def __init__(self, tape: Tape) -> None:
        self.tape = tape

    def __len__(self) -> int:
        return len(self.tape.prims)

    def __getitem__(self, k: Any) -> Any:
        n = len(self.tape.prims)
        if isinstance(k, slice):
            return [self.tape.node(i) for i in range(*k.indices(n))]
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("tape index out of range")
        return self.tape.node(k)

    def __iter__(self):
        t = self.tape
        if t.deferred:
            yield from (t.node(k) for k in range(len(t.prims)))
            return
        prims, params, ans, nargs, parents, args = t.prims, t.params, t.ans, t.nargs, t.parents, t.args
        pos = 0
        for k in range(len(prims)):
            end = pos + nargs[k]
            yield _new_node(TapeNode, (prims[k], tuple(parents[pos:end]), tuple(args[pos:end]), params[k], ans[k]))
            pos = end

    def append(self, node: Any) -> None:
        self.tape.append_node(*node)


_FLOAT64 = np.float64
_NDARRAY = np.ndarray
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

    A stand-in holds no numbers and cannot be written to, so one per shape and dtype serves
    every tape (``np.broadcast_to`` costs a few microseconds, a stand-in is made per node).
    """
    base = value
    while isinstance(base, Tracer):  # a tracer of an enclosing transform: its concrete value
        base = base.primal
    if type(base) is np.ndarray and base.size >= _SLIM_FROM:
        return shared_stand_in(base)
    return value


def shared_stand_in(a: np.ndarray) -> np.ndarray:
    """The read-only broadcast view of one zero with ``a``'s shape and dtype that every tape
    (and every pending tangent, ``forward.Pending``) shares."""
    key = (a.shape, a.dtype)
    stand_in = _STAND_INS.get(key)
    if stand_in is None:
        if len(_STAND_INS) >= 256:  # a bound, for programs that meet many shapes
            _STAND_INS.clear()
        stand_in = _STAND_INS[key] = np.broadcast_to(np.zeros((), dtype=a.dtype), a.shape)
    return stand_in


_STAND_INS: dict = {}  # (shape, dtype) -> the read-only stand-in that every tape shares

SHARE_FROM = 1024
"""Arrays smaller than this are not remembered for sharing (computing cos again is cheaper than
the bookkeeping); the forward sweep's :class:`~adviz.engine.forward.Pending` tangents use it too."""
_SHARED: Optional[frozenset] = None


def reusing_primitives() -> frozenset:
    """sin, cos, sinh and cosh: the primitives whose partial is another primitive of the same
    operand (``sin``'s is ``cos``), as the registry declares it (``Partial.reuse``), found once.
    Both sweeps share such values: the reverse sweep here, the forward sweep in ``forward.py``."""
    global _SHARED
    if _SHARED is None:
        from .primitives.core import REGISTRY

        _SHARED = frozenset(p for p in REGISTRY.values()
                            if p.partials is not None and len(p.partials) == 1
                            and p.partials[0] is not None and p.partials[0].reuse is not None)
    return _SHARED


def forget_when_collected(seen: dict, key: int):
    """A weak-reference callback: drop ``seen[key]``, the entry of an operand array that no
    longer exists (its ``id`` may be reused by a new array)."""

    def callback(ref: weakref.ref) -> None:
        entry = seen.get(key)
        if entry is not None and entry[0] is ref:
            del seen[key]

    return callback


def _pure(prim: Any) -> bool:
    """A registered primitive (its value a NumPy function of its operands), not a custom rule's."""
    from .primitives.core import REGISTRY

    return REGISTRY.get(prim.name) is prim


def _tape(nodes: Any) -> Tape:
    """The tape behind ``nodes``: a :class:`Tape`, its :attr:`~Tape.nodes`, or a list of node tuples."""
    if isinstance(nodes, Tape):
        return nodes
    return Tape.from_nodes(nodes)


# Reverse rules of elementwise primitives, for scalar float64 adjoints (the W1 loop): per
# primitive and operand, how the sweep may compute the rule's ``ȳ · ∂ans/∂x`` itself instead
# of calling it — the same arithmetic on the same numbers, without two Python calls.
_ONE, _MINUS_ONE, _GENERAL = -1, -2, -3  # anything >= 0: the partial is operand number j itself


def _scalar_rules(prim: Any) -> Optional[tuple]:
    """Per operand: a code above (or the operand number), or None to call the rule; None for
    a primitive whose reverse rules are not the ones derived from its partials."""
    rules = _SCALAR_RULES.get(prim, False)
    if rules is not False:
        return rules
    rules = None
    partials, vjps = prim.partials, prim.vjps
    if partials is not None and len(vjps) == len(partials):
        rules = []
        for p, rule in zip(partials, vjps):
            if p is None or rule is None or getattr(rule, "partial", None) is not p or p.kind == "select":
                rules.append(None)  # no rule, a rule written by hand, or a selection: call it
            elif p.kind == "one":
                rules.append(_ONE)
            elif p.kind == "minus_one":
                rules.append(_MINUS_ONE)
            else:
                rules.append(_operand_partials().get(p, _GENERAL))
        rules = tuple(rules)
    _SCALAR_RULES[prim] = rules
    return rules


_SCALAR_RULES: dict = {}


def _operand_partials() -> dict:
    """Partials that are one of the operands, unchanged: ``∂(x·y)/∂x = y``, ``∂(x·y)/∂y = x``."""
    global _OPERAND_PARTIALS
    if _OPERAND_PARTIALS is not None:
        return _OPERAND_PARTIALS
    from .primitives import REGISTRY

    px, py = REGISTRY["multiply"].partials
    out = {}
    # checked on two distinct numbers, so that a changed rule can never be taken for these
    a, b = np.float64(3.0), np.float64(5.0)
    if px.fn(a * b, a, b) is b:
        out[px] = 1
    if py.fn(a * b, a, b) is a:
        out[py] = 0
    _OPERAND_PARTIALS = out
    return out


_OPERAND_PARTIALS: Optional[dict] = None


def backward(nodes: Any, out_index: int, seed: Any, keep: Optional[set] = None,
             consume: bool = False) -> list:
    """Propagate ``seed`` (the output's adjoint) back through a tape.

    ``nodes``: a :class:`Tape` (or its ``nodes``, or a list of node tuples).  Returns the
    list of adjoints, one per node (None where nothing flowed).  Adjoints of intermediate
    nodes are dropped once used unless their index is in ``keep``; input nodes' adjoints are
    always kept.  With ``consume=True`` (a tape swept only once, as in ``grad``) each node's
    arrays are also dropped from the tape as soon as it has been processed, so the memory of
    the forward values is released while the sweep runs.
    """
    tape = _tape(nodes)
    prims, params_of, answers, nargs, parents_of, args_of = (tape.prims, tape.params, tape.ans, tape.nargs,
                                                             tape.parents, tape.args)
    n_nodes = len(prims)
    adjoints: list = [None] * n_nodes
    owned = [False] * n_nodes  # adjoint arrays this sweep allocated itself (safe to update in place)
    adjoints[out_index] = seed
    seen = tape._seen  # sin/cos values the rules may read instead of computing them
    end = tape.offset(out_index + 1)  # operands of node k: positions end - nargs[k] .. end - 1
    for k in range(out_index, -1, -1):
        start = end - nargs[k]
        g = adjoints[k]
        if g is None:
            end = start
            continue
        prim = prims[k]
        if prim is None:
            end = start
            continue  # an input: its adjoint is a result
        ans, params = answers[k], params_of[k]
        if type(g) is _FLOAT64 and not params and (scalar := _scalar_rules(prim)) is not None:
            # A scalar adjoint through an elementwise primitive: ȳ · ∂ans/∂x computed here, as
            # its rule would (the same operations on the same numbers, in the same order).
            for i in range(start, end):
                p = parents_of[i]
                if p is None:
                    continue
                how = scalar[i - start]
                if how is None:
                    rule = prim.vjps[i - start]
                    if rule is None:
                        continue  # a zero partial (copysign's in y): nothing to add
                    c = rule(g, ans, *args_of[start:end])
                elif how >= 0:
                    c = g * args_of[start + how]
                elif how == _ONE:
                    c = g
                elif how == _MINUS_ONE:
                    c = -g
                else:
                    c = g * prim.partials[i - start].fn(ans, *args_of[start:end])
                prev = adjoints[p]
                if prev is None:
                    adjoints[p] = c
                    owned[p] = how != _ONE if how is not None else getattr(prim.vjps[i - start], "fresh", False)
                else:
                    adjoints[p] = prev + c
                    owned[p] = True
            if keep is None or k not in keep:
                adjoints[k] = None
            end = start
            continue
        args = tuple(args_of[start:end])
        parents = parents_of[start:end]
        if consume:
            answers[k] = None
            args_of[start:end] = [None] * (end - start)
        vjps = prim.vjps
        # May a rule overwrite g?  Only if this sweep allocated it, nobody keeps it, and a
        # single operand edge reads it.
        ours = (owned[k] and type(g) is np.ndarray and (keep is None or k not in keep)
                and len(parents) - parents.count(None) == 1)
        for i, p in enumerate(parents):
            if p is None:
                continue
            rule = vjps[i]
            if rule is None:
                continue
            if seen and (c := _from_remembered(tape, rule, g, ans, args, ours, consume)) is not None:
                pass  # sin's or cos's partial read from the tape (see Tape._remember)
            elif ours and getattr(rule, "reuses_adjoint", False):
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
        end = start
    return adjoints


def _from_remembered(tape: Tape, rule: Any, g: Any, ans: Any, args: tuple, ours: bool, consume: bool) -> Any:
    """``ȳ · cos(x)`` for sin (``ȳ · −sin(x)`` for cos, …) with the partial the tape already
    holds (:meth:`Tape._remember`), or None: then the rule computes it.  The same numbers as
    the rule: it computes ``cos(x)`` and multiplies by ``ȳ``, here ``cos(x)`` is read."""
    p = getattr(rule, "partial", None)
    if p is None or p.reuse is None or len(args) != 1:
        return None
    name, sign = p.reuse
    known = tape.remembered(args[0], name, forget=consume)
    if known is None:
        return None
    if sign < 0:
        c = np.negative(known)  # −sin(x), as the rule's partial, then times ȳ in place
        c = np.multiply(c, g, out=c) if fits_in(c, g) else c * g
    elif ours and fits_in(g, known):
        c = np.multiply(g, known, out=g)
    else:
        c = g * known  # never into ``known``: the tape may hand it out again
    return unbroadcast(c, args[0].shape, ndim(g) - ndim(ans))


def forward_sweep(nodes: Any, seeds: dict, out_indices: list, batch_shape: tuple = ()) -> list:
    """Push tangents through a recorded tape: the forward counterpart of :func:`backward`.

    ``nodes``: a :class:`Tape` (or its ``nodes``, or a list of node tuples).  ``seeds`` maps
    input node indices to tangents, each with the leading ``batch_shape``; returns the
    tangents of ``out_indices`` (None where no seeded input reaches).  Used to replay a
    recorded linear map, e.g. a custom JVP rule, on new tangents.
    """
    tape = _tape(nodes)
    prims, params_of, answers, nargs, parents_of, args_of = (tape.prims, tape.params, tape.ans, tape.nargs,
                                                             tape.parents, tape.args)
    tangents: list = [None] * len(prims)
    for k, t in seeds.items():
        tangents[k] = t
    last = max((i for i in out_indices if i is not None), default=-1)
    end = 0
    for k in range(last + 1):
        start, end = end, end + nargs[k]
        prim = prims[k]
        if prim is None:
            continue
        ts = [tangents[p] if p is not None else None for p in parents_of[start:end]]
        if all(t is None for t in ts):
            continue
        ans, params, args = answers[k], params_of[k], args_of[start:end]
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
