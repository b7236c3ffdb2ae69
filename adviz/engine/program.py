"""Source transformation, shown: a trace written out as a straight-line Python program.

Operator overloading and tracing *run* the chain rule; a source-transformation tool
(Tapenade, ADIFOR, early JAX's ``make_jaxpr`` of a gradient) *writes it down*: it reads a
program and emits a new program that computes the derivative.  :func:`to_python` does that
for a recorded trace::

    >>> t = ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
    >>> print(t.to_python())
    def f(x1, x2, v5_bar=1.0):
        # primal: one line per tape node
        v1 = np.log(x1)
        v2 = x1 * x2
        ...
        # reverse sweep: adjoints, last node first
        v4_bar = v5_bar
        v3_bar = -v5_bar
        ...
        x1_bar = x1_bar + v1_bar / x1
        return v5, (x1_bar, x2_bar)

How the adjoint lines are made (one source of truth)
----------------------------------------------------
No derivative is written twice.  The primal lines come from each primitive's ``code``
form in the registry (``np.sin({0})``; a NumPy ufunc needs none).  The adjoint and
tangent lines are made by **running the registry's own rules on a tape**: every rule is
written with traceable NumPy operations (that is what makes second derivatives work), so
calling ``sin``'s reverse rule with traced values records ``np.cos(v2)`` and a product —
the program is a recording of what the reverse sweep does, exactly as ``jax.make_jaxpr``
of a gradient is.  Broadcasting shows up as the ``np.sum(…, axis=…)`` that the rules'
``unbroadcast`` performs.

Comparisons and ``np.sign`` inside rules are recorded too (they are code, not frozen
numbers): ``maximum``'s tie mask becomes ``np.greater(x, y) * 1.0 + np.equal(x, y) * 0.5``.
A rule that needs a mask or a safe divisor builds it from :func:`~adviz.engine.tracer.for_mask`
(the concrete value for the engine, the recorded value here), and a rule with a fast path for
the usual case takes its general, branch-free path under
:func:`~adviz.engine.tracer.writes_code` (``prod``'s products of the others as a table, right
with zeros too; the decompositions' tie sharing and ``nan`` factors).  A rule that still looks
at the numbers would make a program right only at the traced point: :func:`to_python` notices
(the tape sees every peek) and refuses, naming the primitive, as it refuses a primitive
without a code form.

Custom rules are the user's Python functions, so the program calls them by name (run it
where they are defined): ``v3, v3_res = f_fwd(v2)`` and ``(v2_bar,) = f_bwd(v3_res, v3_bar)``
for ``ad.custom_vjp``; ``v2 = f(v1)`` and ``v2_dot = f_jvp((v1,), (v1_dot,))[1]`` for
``ad.custom_jvp``.  The reverse program through a custom JVP rule would need the rule's
transpose (adviz records the rule and sweeps the recording backwards, which a call cannot
say): refused, as are rules without a name and custom functions of pytrees.
``ad.stop_gradient`` is written as a plain copy that no adjoint crosses.  An ``ad.checkpoint``
block shows what checkpointing does: its intermediates are dropped (``del``) before the
reverse part, which recomputes the block from its inputs before its first adjoint line, as
the trace's reverse sweep does.

What stays frozen is what the trace froze: control flow, and constants the traced
function computed from its inputs without NumPy (a mask ``x > 0`` used by ``np.where``
is a constant of the trace).  The program is the *tape*, valid for inputs that take the
same branches — the price tracing pays, and the reason source-transformation tools
parse the program instead.

Accumulation is written ``x_bar = x_bar + …``, not ``x_bar += …``: on NumPy arrays ``+=``
works in place, and the first contribution may be another adjoint itself (``add`` hands its
adjoint to both operands unchanged) or a read-only broadcast view.
"""

from __future__ import annotations

import keyword
import re
from itertools import chain, count
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from .primitives.core import Primitive, shape
from .pytree import TreeDef, keystr, tree_flatten_with_path
from .tape import Tape, TapeVar
from .tracer import UnsupportedOperation, bind, new_interpreter

if TYPE_CHECKING:  # pragma: no cover
    from .record import Trace

__all__ = ["to_python", "NoCodeForm"]


class NoCodeForm(ValueError):
    """The trace holds an operation that :func:`to_python` cannot write as correct code."""


# an assignment ``x_bar = v3_bar``: the first adjoint contribution is another adjoint itself
_ALIAS = Primitive(name="alias", impl=lambda x: x, template="{0}", symbol="=", code="{0}")

_SCATTER_HELPER = '''def scatter_add(g, idx, shape):
    """The transpose of x[idx]: zeros of x's shape with g added at [idx] (repeats add up)."""
    out = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(out, idx, g)
    return out
'''


class _CodeTape(Tape):
    """A tape that records everything the rules do, and notices when they peek.

    ``records_everything``: comparisons and ``np.sign`` are recorded as nodes (code),
    not evaluated to frozen values.  ``peeked``: set whenever something asks whether a
    tracer is still alive — which :func:`~adviz.engine.tracer.lowest` does before it
    hands out a concrete value (a mask, a branch condition).
    """

    records_everything = True

    def __init__(self) -> None:
        super().__init__()
        self.peeked = False

    @property
    def dead(self) -> bool:  # type: ignore[override]
        self.peeked = True
        return False


def to_python(trace: "Trace", *, forward: bool = False, reverse: bool = True, name: Optional[str] = None) -> str:
    """The source of a straight-line NumPy function: the primal, tangent and adjoint programs.

    See :meth:`adviz.engine.record.Trace.to_python` for the signature of the generated
    function.  Raises :class:`NoCodeForm` (naming the primitives) rather than emit code
    that would be wrong.
    """
    return _Writer(trace, forward, reverse, name).source()


class _Writer:
    def __init__(self, trace: "Trace", forward: bool, reverse: bool, name: Optional[str]) -> None:
        self.trace = trace
        self.forward, self.reverse = forward, reverse
        self.user = _user_functions(trace, forward, reverse)  # the custom rules the program calls by name
        self.fname = _identifier(name or _function_name(trace), set(self.user) if name is None else set())
        if name is not None and self.fname != name:
            raise ValueError(f"name must be a Python identifier, got {name!r}")
        if self.fname in self.user:
            raise ValueError(f"name {name!r} is the name of a function the program calls: choose another")
        if reverse and len(trace.outputs) != 1:
            raise ValueError(f"the reverse program needs one output, this trace has {len(trace.outputs)}: "
                             "trace a function that returns one array (or use forward=True, reverse=False)")
        missing = sorted({n.primitive.name for n in trace.nodes if not n.is_input and not n.custom_rule
                          and not _has_code(n.primitive, n.params, len(n.operands))})
        if missing:
            raise NoCodeForm(f"no code form for {', '.join(missing)}: Trace.to_python can only write "
                             "primitives whose registry entry says how to write them in NumPy")
        self.tape = _CodeTape()
        self.names: dict[int, str] = {}  # tape node -> variable name (None: a temporary)
        self.used = {"np", "scatter_add", self.fname, *self.user}
        self.residuals: dict[int, str] = {}  # custom_vjp node -> the name of its residuals
        self.called: set[str] = set()  # the user's functions the program calls
        self.statements: list = []  # ("node", index) | ("zeros", name, like)
        self.consts: dict[tuple, tuple[str, Any]] = {}  # (dtype, shape, bytes) -> (name, value)
        self.const_lines: list[str] = []
        self.helpers: set[str] = set()

    # -- names -------------------------------------------------------------------------
    def fresh(self, wanted: str, numbered: bool = False) -> str:
        base = _identifier(wanted, self.used, numbered)
        self.used.add(base)
        return base

    # -- running the primal and the rules on the code tape --------------------------------
    def source(self) -> str:
        trace, tape = self.trace, self.tape
        var: dict[int, Any] = {}
        dots: dict[int, Any] = {}
        with new_interpreter(tape, "Trace.to_python"):
            ident = {}
            for node in trace.inputs:
                var[node.index] = tape.new_input(node.value)
                ident[node.index] = self.fresh(node.name)
                self.names[var[node.index].index] = ident[node.index]
            if self.forward:
                for node in trace.inputs:
                    dots[node.index] = tape.new_input(np.ones_like(node.value))
                    self.names[dots[node.index].index] = self.fresh(ident[node.index] + "_dot")
            self.statements.append(("comment", "# primal: one line per tape node"))
            for node in trace.nodes:
                if node.is_input:
                    continue
                if node.custom_rule:
                    var[node.index] = self._custom_primal(node, var)
                    continue
                before = len(tape.nodes)
                ans = bind(node.primitive, *self._args(node, var), **node.params)
                if not isinstance(ans, TapeVar) or len(tape.nodes) != before + 1:  # pragma: no cover
                    raise RuntimeError(f"replaying {node.name} did not record one node")
                var[node.index] = ans
                self.names[ans.index] = self.fresh(node.name)
                self.statements.append(("node", ans.index))
            if self.forward:
                self.statements.append(("comment", "# forward sweep: tangents, first node first"))
                self._tangents(var, dots)
            bars: dict[int, Any] = {}
            if self.reverse:
                self._drop_checkpointed(var)
                self.statements.append(("comment", "# reverse sweep: adjoints, last node first"))
                bars = self._adjoints(var, ident)
        return self._emit(var, dots, bars, ident)

    def _args(self, node, var) -> list:
        return [var[o.node] if o.node is not None else o.value for o in node.operands]

    def _rule(self, node, what: str, call):
        """Run one rule of ``node`` on the code tape, refusing rules that peek at values."""
        self.tape.peeked = False
        before = len(self.tape.nodes)
        try:
            out = call()
        except (TypeError, UnsupportedOperation, ValueError) as e:
            raise NoCodeForm(f"the {what} rule of {node.primitive.name} ({node.name} = {node.definition}) "
                             f"cannot be written as code: {e}") from None
        if self.tape.peeked:
            raise NoCodeForm(f"the {what} rule of {node.primitive.name} ({node.name} = {node.definition}) "
                             "looks at the values of the traced numbers (a mask or a branch), so its code "
                             "would be right only at this point; Trace.to_python does not write it")
        if not isinstance(out, TapeVar):
            raise NoCodeForm(f"the {what} rule of {node.primitive.name} returned a constant; "
                             "Trace.to_python does not write it")
        for i in range(before, len(self.tape.nodes)):
            prim = self.tape.nodes[i].prim
            if not _has_code(prim, self.tape.nodes[i].params, len(self.tape.nodes[i].parents)):
                raise NoCodeForm(f"the {what} rule of {node.primitive.name} uses {prim.name}, which has no code form")
            self.statements.append(("node", i))
        return out, before

    def _name(self, out, before: int, wanted: str):
        """Give a rule's result its name: a node made by the rule is named; an existing
        value (an adjoint handed on unchanged) is copied into a new name."""
        if out.index < before or out.index in self.names:
            out = bind(_ALIAS, out)
            self.statements.append(("node", out.index))
        self.names[out.index] = self.fresh(wanted)
        return out

    def _tangents(self, var, dots) -> None:
        for node in self.trace.nodes:
            if node.is_input:
                continue
            prim, args, ans = node.primitive, self._args(node, var), var[node.index]
            ts = [dots.get(o.node) if o.node is not None else None for o in node.operands]
            if all(t is None for t in ts):
                continue
            if node.custom_rule:
                dots[node.index] = self._custom_tangent(node, var, ts)
                continue

            def total(ts=ts, prim=prim, args=args, ans=ans, params=node.params):
                if prim.jvp_all is not None:
                    out = prim.jvp_all(ts, ans, *args, **params)
                else:
                    out = None
                    for i, t in enumerate(ts):
                        rule = prim.jvps[i] if t is not None and i < len(prim.jvps) else None
                        if rule is not None:
                            c = rule(t, ans, *args, **params)
                            out = c if out is None else out + c
                if out is not None and shape(out) != shape(ans):
                    out = np.broadcast_to(out, shape(ans))
                return out

            if node.stops_gradient:
                continue
            out, before = self._rule(node, "tangent (forward)", total)
            dots[node.index] = self._name(out, before, self.names[ans.index] + "_dot")

    def _drop_checkpointed(self, var) -> None:
        """``del`` the intermediates of every ``ad.checkpoint`` block: the reverse program keeps
        only a block's inputs and outputs, as a tape for derivatives does."""
        trace, dropped = self.trace, set()
        outputs = {n.index for n in trace.outputs}
        for block in trace.checkpoints:
            inside = set(block.nodes)
            read_outside = {o.node for n in trace.nodes if n.index not in inside for o in n.operands}
            names = [self.names[var[i].index] for i in block.intermediates
                     if i not in dropped and i not in read_outside and i not in outputs]
            dropped.update(block.intermediates)
            if names:
                self.statements.append(("comment", f"# ad.checkpoint({block.name}): its intermediates are not kept"))
                self.statements.append(("del", names))

    def _recompute(self, index: int, pending: list, var) -> None:
        """Before the first adjoint line of a checkpointed block, its primal lines again (the
        outermost block holding node ``index``, with the blocks nested in it)."""
        blocks = [c for c in pending if index in c.nodes]
        if not blocks:
            return
        block = max(blocks, key=lambda c: len(c.nodes))
        for c in list(pending):
            if set(c.nodes) <= set(block.nodes):
                pending.remove(c)
        self.statements.append(("comment", f"# ad.checkpoint({block.name}): recompute the block from its inputs"))
        for i in block.nodes:
            self.statements.append(("node", var[i].index))
        self.statements.append(("comment", f"# ad.checkpoint({block.name}): its adjoints"))

    def _adjoints(self, var, ident) -> dict:
        trace = self.trace
        pending = list(trace.checkpoints)
        out_node = trace.output
        seed = self.tape.new_input(np.ones_like(out_node.value))
        self.seed_name = self.fresh(self.names[var[out_node.index].index] + "_bar")
        self.names[seed.index] = self.seed_name
        bars: dict[int, Any] = {out_node.index: seed}
        for node in reversed(trace.nodes[: out_node.index + 1]):
            g = bars.get(node.index)
            if g is None or node.is_input or node.stops_gradient:
                continue
            if pending:
                self._recompute(node.index, pending, var)
            prim, args, ans = node.primitive, self._args(node, var), var[node.index]
            custom = self._custom_cotangents(node, g, var, bars) if node.custom_rule else None
            for i, o in enumerate(node.operands):
                rule = prim.vjps[i] if o.node is not None and i < len(prim.vjps) else None
                if rule is None or (custom is not None and custom[i] is None):
                    continue
                if custom is not None:
                    c, before = custom[i], custom[i].index
                else:
                    c, before = self._rule(node, "reverse", lambda: rule(g, ans, *args, **node.params))
                target = self.names[var[o.node].index] + "_bar"
                prev = bars.get(o.node)
                if prev is None and custom is not None:
                    bars[o.node] = c  # named by _custom_cotangents
                elif prev is None:
                    bars[o.node] = self._name(c, before, target)
                else:
                    total = prev + c
                    self.statements.append(("node", total.index))
                    self.names[total.index] = self.names[prev.index]  # x_bar = x_bar + …
                    bars[o.node] = total
        for node in trace.inputs:
            if node.index not in bars:
                name = self.fresh(ident[node.index] + "_bar")
                self.statements.append(("zeros", name, ident[node.index]))
                bars[node.index] = name
        return bars

    # -- custom rules: calls of the user's functions by name ----------------------------------
    def _line(self, template: str, refs: list, value: Any, wanted: str) -> TapeVar:
        """A line the program writes as it is (a call of a user's function) whose result is
        ``value``: ``template`` names the result ``{0}`` and its other slots are ``refs``
        (tape nodes, written by name or inline, or source text)."""
        out = self.tape.new_input(value)
        self.names[out.index] = self.fresh(wanted)
        self.statements.append(("line", template, [self.names[out.index]] + refs, [out.index]))
        return out

    def _operands(self, node, var) -> list:
        return [var[o.node].index if o.node is not None else self.lit(o.value) for o in node.operands]

    def _custom_primal(self, node, var) -> TapeVar:
        call, fn = node.params["_call"], self.user_of(node)
        split, ops = call.split, self._operands(node, var)
        placed = split.call_args(["{%d}" % (k + 1) for k in range(len(ops))])  # static arguments in place
        slots = ", ".join(self.lit(a) if i in split.nondiff else a for i, a in enumerate(placed))
        if node.custom_rule == "vjp" and self.reverse:  # the value and the residuals the bwd rule needs
            self.called.add(fn["fwd"])
            out = self._line("{0}, {%d} = %s(%s)" % (len(ops) + 1, fn["fwd"], slots),
                             ops + [None], node.value, node.name)
            res = self.fresh(self.names[out.index] + "_res")
            self.statements[-1][2][-1] = res
            self.residuals[node.index] = res
            return out
        self.called.add(fn["fun"])
        return self._line("{0} = %s(%s)" % (fn["fun"], slots), ops, node.value, node.name)

    def _custom_tangent(self, node, var, ts) -> TapeVar:
        """``v_dot = f_jvp((x, y), (x_dot, y_dot))[1]``: the user's JVP rule, by name."""
        call, fn = node.params["_call"], self.user_of(node)
        split, ops = call.split, self._operands(node, var)
        refs = ops + [t.index if t is not None else "np.zeros_like({})" for t in ts]
        texts = ["{%d}" % (k + 1) for k in range(len(refs))]
        n = len(ops)
        for k, t in enumerate(ts):
            if t is None:
                texts[n + k] = "np.zeros_like({%d})" % (k + 1)
                refs[n + k] = ""
        tup = lambda items: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # noqa: E731
        static = [self.lit(a) for a in split.static]
        self.called.add(fn["jvp"])
        template = "{0} = %s(%s)[1]" % (fn["jvp"], ", ".join(static + [tup(texts[:n]), tup(texts[n:])]))
        primals = [v.primal if isinstance(v, TapeVar) else v for v in self._args(node, var)]
        tangents = [t.primal if t is not None else np.zeros_like(p) for t, p in zip(ts, primals)]
        value = call.cj.jvp(*split.static, split.diff_args(primals), split.diff_args(tangents))[1]
        return self._line(template, refs, value, self.names[var[node.index].index] + "_dot")

    def _custom_cotangents(self, node, g, var, bars) -> list:
        """``x_ct, y_ct = f_bwd(v3_res, v3_bar)``: the user's backward rule, by name; one tape
        value per operand (None where the rule returns None or the operand is a constant)."""
        call, fn = node.params["_call"], self.user_of(node)
        cts = call.cv.bwd(*call.split.static, call.residuals, g.primal)
        static = [self.lit(a) for a in call.split.static]
        targets, refs, outs = [], [], []
        for k, o in enumerate(node.operands):
            if o.node is None or cts[k] is None:
                targets.append("_")
                outs.append(None)
                continue
            v = self.tape.new_input(np.asarray(cts[k]))
            first = o.node not in bars and o.node not in [p.node for p in node.operands[:k]]
            self.names[v.index] = self.fresh(self.names[var[o.node].index] + ("_bar" if first else "_ct"))
            targets.append(self.names[v.index])
            outs.append(v)
        self.called.add(fn["bwd"])
        lhs = ", ".join(targets) if len(targets) > 1 else f"({targets[0]},)"
        args = ", ".join(static + [self.residuals[node.index], "{0}"])
        self.statements.append(("line", f"{lhs} = {fn['bwd']}({args})", [g.index], [v.index for v in outs if v is not None]))
        return outs

    def user_of(self, node) -> dict:
        return self.user[node.primitive.extra["function"]]

    # -- writing it out ------------------------------------------------------------------
    def _emit(self, var, dots, bars, ident) -> str:
        tape = self.tape
        returned = {v.index for v in list(var.values()) + list(dots.values()) + list(bars.values())
                    if isinstance(v, TapeVar)}
        self._drop_dead(returned)
        uses = [0] * len(tape.nodes)
        for kind, *rest in self.statements:
            if kind == "node":
                for p in tape.nodes[rest[0]].parents:
                    if p is not None:
                        uses[p] += 1
            elif kind == "line":
                for r in rest[1]:
                    if isinstance(r, int):
                        uses[r] += 1
        code: dict[int, tuple[str, int]] = {i: (n, _ATOM) for i, n in self.names.items()}
        current: dict[str, int] = {n: i for i, n in self.names.items() if tape.nodes[i].prim is None}
        body: list[str] = []
        for kind, *rest in self.statements:
            if kind == "comment":
                body.append(rest[0])
                continue
            if kind == "line":
                body.append(rest[0].format(*[code[r][0] if isinstance(r, int) else r for r in rest[1]]))
                for r in rest[2]:
                    current[self.names[r]] = r
                    code[r] = (self.names[r], _ATOM)
                continue
            if kind == "del":
                body.append(f"del {', '.join(rest[0])}")
                continue
            if kind == "zeros":
                body.append(f"{rest[0]} = np.zeros_like({rest[1]})  # no path from {rest[1]} to the output")
                continue
            i = rest[0]
            node = tape.nodes[i]
            operands = []
            for p, a in zip(node.parents, node.args):
                if p is None:
                    text = self.lit(a)
                    operands.append((text, _UNARY if text.startswith("-") else _ATOM))
                    continue
                if p in self.names and current.get(self.names[p]) != p:  # pragma: no cover
                    raise RuntimeError(f"{self.names[p]} was overwritten before its last use")
                operands.append(code[p])
            expr = self._call(node.prim, operands, node.params)
            if i in self.names:
                line = f"{self.names[i]} = {expr[0]}"
                if node.prim.extra.get("stops_gradient"):
                    line += "  # ad.stop_gradient: no tangent or adjoint crosses this line"
                body.append(line)
                current[self.names[i]] = i
                code[i] = (self.names[i], _ATOM)
            elif uses[i] == 1 and i not in returned and len(expr[0]) <= _INLINE:
                code[i] = expr  # a short temporary used once: written where it is used
            else:
                name = self.fresh("t", numbered=True)
                self.names[i] = name
                current[name] = i
                code[i] = (name, _ATOM)
                body.append(f"{name} = {expr[0]}")
        params, unpack = self._signature(ident)
        outs = self.trace.out_tree
        out_leaves = [code[var[n.index].index][0] for n in self.trace.outputs]
        returns = [_tree_code(outs, out_leaves)]
        if self.forward:
            returns.append(_tree_code(outs, [code[dots[n.index].index][0] if n.index in dots else f"np.zeros_like({o})"
                                             for n, o in zip(self.trace.outputs, out_leaves)]))
        if self.reverse:
            leaves = [bars[n.index] if isinstance(bars[n.index], str) else code[bars[n.index].index][0]
                      for n in self.trace.inputs]
            returns.append("(" + ", ".join(self._by_argument(leaves)) + ("," if len(self._arg_trees()) == 1 else "")
                           + ")")
        lines = [f"def {self.fname}({', '.join(params)}):"]
        calls = ["# calls the user's functions " + ", ".join(sorted(self.called)) + ": run it where they are defined"]
        lines += ["    " + line for line in (calls if self.called else []) + unpack + self.const_lines + body]
        lines.append("    return " + ", ".join(returns))
        helpers = "".join(h + "\n\n" for h in sorted(self.helpers))
        return helpers + "\n".join(lines) + "\n"

    def _drop_dead(self, returned: set) -> None:
        """Remove the lines whose value nothing reads: a rule may compute more than it returns
        (clip's shares for all three operands when one is traced)."""
        needed = set(returned) | set(self.names)
        keep = []
        for st in reversed(self.statements):
            if st[0] == "node":
                if st[1] not in needed:
                    continue
                needed.update(p for p in self.tape.nodes[st[1]].parents if p is not None)
            elif st[0] == "line":
                needed.update(r for r in st[2] if isinstance(r, int))
            keep.append(st)
        self.statements = keep[::-1]

    def _call(self, prim: Primitive, operands: list, params: dict) -> tuple[str, int]:
        """The primitive applied to operand expressions, as ``(source, precedence)``."""
        level = _level(prim)
        if prim.code is None:  # np.<ufunc>(a, b): arguments of a call need no parentheses
            texts = [o for o, _ in operands]
        elif level < _ATOM:  # an operator: parenthesize what binds less tightly
            texts = []
            for j, (o, lv) in enumerate(operands):
                right = j > 0 or level == _UNARY
                tight = lv < level or (lv == level and (right if level != _POWER else not right))
                texts.append(f"({o})" if tight else o)
        else:  # a call or an index: parenthesize operands that are not whole arguments of a call
            whole = (lambda j: _is_argument(prim.code, j)) if isinstance(prim.code, str) \
                else (lambda j: getattr(prim.code, "arguments", False))
            texts = [o if lv == _ATOM or whole(j) else f"({o})" for j, (o, lv) in enumerate(operands)]
        if prim.name == "scatter_add":
            self.helpers.add(_SCATTER_HELPER)
        text = prim.python(texts, params, self.lit)
        if text is None:  # pragma: no cover  (checked when the node was recorded)
            raise NoCodeForm(f"no code form for {prim.name}")
        return text, level

    def _arg_trees(self) -> list:
        trees = self.trace.arg_trees
        if trees is None:
            return [(n.name, TreeDef("leaf")) for n in self.trace.inputs]
        return list(trees)

    def _by_argument(self, leaves: list[str]) -> list[str]:
        out, start = [], 0
        for _, tree in self._arg_trees():
            out.append(_tree_code(tree, leaves[start:start + tree.num_leaves]))
            start += tree.num_leaves
        return out

    def _signature(self, ident) -> tuple[list[str], list[str]]:
        params, unpack = [], []
        tangent_params = []
        inputs = list(self.trace.inputs)
        start = 0
        for arg, tree in self._arg_trees():
            leaves = inputs[start:start + tree.num_leaves]
            start += tree.num_leaves
            if tree.kind == "leaf":
                params.append(ident[leaves[0].index])
                if self.forward:
                    tangent_params.append(ident[leaves[0].index] + "_dot")
                continue
            pname = self.fresh(arg)
            params.append(pname)
            paths = [p for p, _ in tree_flatten_with_path(tree.unflatten(range(tree.num_leaves)))[0]]
            for leaf, path in zip(leaves, paths):
                unpack.append(f"{ident[leaf.index]} = {pname}{keystr(path)}")
            if self.forward:
                dname = self.fresh(pname + "_dot")
                tangent_params.append(dname)
                for leaf, path in zip(leaves, paths):
                    unpack.append(f"{ident[leaf.index]}_dot = {dname}{keystr(path)}")
        params += tangent_params
        if self.reverse:
            params.append(self.seed_name + ("=1.0" if self.trace.output.shape == () else ""))
        return params, unpack

    # -- literals ------------------------------------------------------------------------
    def lit(self, value: Any, index: bool = False) -> str:
        """A value as Python source; arrays become named constants at the top of the body."""
        if index:
            parts = value if isinstance(value, tuple) else (value,)
            return ", ".join(self._index_part(p) for p in parts)  # x[(0,)] is x[0]
        if isinstance(value, np.ndarray):
            if value.ndim == 0:
                return f"np.array({_number(value.item())}, dtype={_dtype_code(value.dtype)})"
            key = (value.dtype.str, value.shape, value.tobytes())  # one name per constant value
            if key not in self.consts:
                cname = self.fresh("c", numbered=True)
                self.consts[key] = (cname, value)
                self.const_lines.append(f"{cname} = np.array({_nested(value.tolist())}, dtype={_dtype_code(value.dtype)})")
            return self.consts[key][0]
        if isinstance(value, np.generic):
            return f"{_dtype_code(value.dtype)}({_number(value.item())})"
        if isinstance(value, (bool, type(None), str)):
            return repr(value)
        if isinstance(value, (int, float)):
            return _number(value)
        if isinstance(value, tuple):
            items = [self.lit(v) for v in value]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if isinstance(value, list):
            return "[" + ", ".join(self.lit(v) for v in value) + "]"
        if isinstance(value, slice):
            return f"slice({self.lit(value.start)}, {self.lit(value.stop)}, {self.lit(value.step)})"
        if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
            return _dtype_code(np.dtype(value))
        if value is float or value is int or value is bool:
            return value.__name__
        raise NoCodeForm(f"Trace.to_python cannot write the value {value!r} ({type(value).__name__}) as code")

    def _index_part(self, p: Any) -> str:
        if p is None:
            return "None"
        if p is Ellipsis:
            return "..."
        if isinstance(p, slice):
            parts = ["" if v is None else self.lit(v) for v in (p.start, p.stop)]
            return ":".join(parts) + (f":{self.lit(p.step)}" if p.step is not None else "")
        return self.lit(p)


# ---------------------------------------------------------------- helpers
def _function_name(trace: "Trace") -> str:
    call = trace.call
    return call.split("(")[0] if call else "f"


def _identifier(name: str, used: set, numbered: bool = False) -> str:
    """``params["W"]`` -> ``params_W``: a Python identifier, not a keyword, not yet used.

    ``numbered`` (temporaries and constants) counts from 1: ``t1``, ``t2``; other names get
    a suffix only when taken (``x``, then ``x_2``).
    """
    base = re.sub(r"\W+", "_", name).strip("_") or "x"
    if base[0].isdigit():
        base = "x_" + base
    if keyword.iskeyword(base):
        base += "_"
    if numbered:
        candidates = (f"{base}{k}" for k in count(1))
    else:
        candidates = chain([base], (f"{base}_{k}" for k in count(2)))
    return next(c for c in candidates if c not in used)


def _has_code(prim: Primitive, params: dict, nargs: int) -> bool:
    """True if the registry says how to write ``prim`` (with these parameters) in NumPy."""
    if prim is None:
        return True
    try:
        return prim.python(["a"] * nargs, params, lambda v, index=False: "c") is not None
    except (KeyError, IndexError, TypeError):
        return False


# a temporary used once is written where it is used if its expression is at most this long,
# else on a line of its own (t1 = …), so that no line of the program holds a whole formula
_INLINE = 48

# how tightly an expression binds, for parentheses: a + b < a * b < -a < a**b < a name or a call
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5


def _level(prim: Primitive) -> int:
    code = prim.code
    if not isinstance(code, str):
        return _ATOM
    if re.fullmatch(r"\{0\} [+-] \{1\}", code):
        return _SUM
    if re.fullmatch(r"\{0\} [*/@%] \{1\}", code):
        return _PRODUCT
    if re.fullmatch(r"[+-]\{0\}", code):
        return _UNARY
    if code == "{0}**{1}":
        return _POWER
    return _ATOM  # a call, an index, or a plain copy ("{0}")


def _user_functions(trace: "Trace", forward: bool, reverse: bool) -> dict:
    """``{function name: {"fun": …, "jvp": …} or {"fun": …, "fwd": …, "bwd": …}}``: the custom
    rules of the trace, which the program calls by name.  Refuses (naming the function) what a
    call cannot express: a rule without a name (a lambda), a function of pytrees or with several
    outputs, reverse mode through a custom JVP rule (adviz transposes the rule's recording, which
    is not a call) and forward mode through a custom VJP rule (it has none, as in JAX)."""
    found: dict = {}
    for n in trace.nodes:
        kind = n.custom_rule
        if kind not in ("jvp", "vjp"):
            continue
        call = n.params["_call"]
        user = call.cj if kind == "jvp" else call.cv
        fname = n.primitive.extra["function"]
        what = f"{n.name} = {n.definition} (ad.custom_{kind} function {fname})"
        if kind == "jvp" and reverse:
            raise NoCodeForm(
                f"{what}: the reverse program would need the transpose of its JVP rule, which adviz gets by "
                "recording the rule and sweeping that recording backwards, not by calling it; Trace.to_python "
                "writes its forward program (forward=True, reverse=False), or define the reverse rule with "
                "ad.custom_vjp")
        if kind == "vjp" and forward:
            raise NoCodeForm(f"{what}: a custom VJP rule has no forward mode (as in JAX), so there is no "
                             "tangent program; use reverse=True, forward=False")
        if call.out_tree.kind != "leaf" or any(c.kind != "leaf" for c in call.split.tree.children):
            raise NoCodeForm(f"{what}: Trace.to_python calls custom rules of functions of arrays that return "
                             "one array, not of pytrees")
        rules = {"fun": user.fun, "jvp": user.jvp} if kind == "jvp" else \
            {"fun": user.fun, "fwd": user.fwd, "bwd": user.bwd}
        names = {}
        for role, fn in rules.items():
            name = getattr(fn, "__name__", "")
            if not name.isidentifier() or keyword.iskeyword(name):
                raise NoCodeForm(f"{what}: its {'function' if role == 'fun' else role + ' rule'} has no name "
                                 f"({name or type(fn).__name__}); Trace.to_python calls the user's rules by name, "
                                 "so define it with def")
            names[role] = name
        names["fun"] = fname if fname.isidentifier() else names["fun"]
        found[fname] = names
    return {name: rules for name, rules in found.items()} | {
        rule: {} for rules in found.values() for role, rule in rules.items() if rule not in found}


def _is_argument(template: str, j: int) -> bool:
    """True if operand ``{j}`` of a code template is a whole argument of a call (``np.f({0}, …)``)."""
    for m in re.finditer(r"\{" + str(j) + r"\}|\{args\}", template):
        before, after = template[: m.start()].rstrip(), template[m.end():].lstrip()
        if not (before.endswith(("(", ",", "[")) and after[:1] in (",", ")", "]")):
            return False
    return True


def _dtype_code(dtype: np.dtype) -> str:
    """``np.float32``; ``np.bool_`` for booleans (``np.bool`` is NumPy 2 only)."""
    return "np.bool_" if dtype == np.bool_ else f"np.{dtype.name}"


def _number(x: Any) -> str:
    if isinstance(x, float):
        if np.isnan(x):
            return "np.nan"
        if np.isinf(x):
            return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def _nested(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x) for x in v) + "]"
    return _number(v)


def _tree_code(tree: TreeDef, leaves: list[str]) -> str:
    """Python source building ``tree`` from leaf expressions: ``{'W': p_W_bar, 'b': p_b_bar}``."""
    it = iter(leaves)

    def build(t: TreeDef) -> str:
        if t.kind == "leaf":
            return next(it)
        if t.kind == "none":
            return "None"
        parts = [build(c) for c in t.children]
        if t.kind == "tuple":
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if t.kind == "list":
            return "[" + ", ".join(parts) + "]"
        if t.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(t.meta, parts)) + "}"
        raise NoCodeForm(f"Trace.to_python writes tuples, lists and dicts, not a {t.kind}")

    return build(tree)
