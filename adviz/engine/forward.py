"""Forward mode: dual numbers carried alongside the computation, with no tape.

Each traced value is a :class:`Dual` — a pair ``(primal, tangent)``: the value ``v`` and
how fast it changes, ``v̇ = dv/dt``, along one chosen input direction.  Every primitive
updates both at once::

    v = sin(u)      →      v̇ = cos(u) · u̇

so when the function returns, the output's tangent *is* the directional derivative
``J·ẋ`` (a Jacobian-vector product, JVP).  Nothing about the past is kept: memory stays
what the primal computation needs, which is the point the lessons make about forward mode.

The tangent may carry a leading *batch* axis: ``jacfwd`` pushes all ``n`` basis
directions through **one** sweep instead of ``n`` Python-level sweeps.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .primitives.core import REGISTRY, dtype_of, shape
from . import tape as _tape
from .tape import Tape, forget_when_collected, reusing_primitives, shared_stand_in
from .tracer import _ACTIVE, Interpreter, Tracer, bind, complex_error, is_complex, op_text

_FLOAT64 = np.float64


class Dual(Tracer):
    """A value together with its tangent, owned by one :class:`JVPInterpreter`.

    Beneath a reverse transform the tangent of a large array may be a :class:`Pending`
    computation: read it with :func:`tangent_of`, which computes it first."""

    __slots__ = ("tangent",)

    def __init__(self, interp: "JVPInterpreter", primal: Any, tangent: Any):
        self._interp = interp
        self.primal = primal
        self.tangent = tangent


class JVPInterpreter(Interpreter):
    """Processes each primitive on primals (one level down) and on tangents (here).

    ``batch_shape`` is ``()`` for one direction, ``(n,)`` when ``n`` directions travel
    together (``jacfwd``); every tangent of this interpreter has that many leading axes.
    """

    def __init__(self, batch_shape: tuple[int, ...] = ()):
        self.batch_shape = tuple(batch_shape)
        # Values of sin, cos, sinh, cosh per operand array (see _shared_unary): id -> (weak
        # reference to the operand, {primitive name: value}).
        self._seen: dict = {}

    def retire(self) -> None:
        self._seen.clear()  # the remembered values die with the transform
        super().retire()

    def split(self, args: Any) -> tuple[list, list]:
        """``(primals, tangents)`` of a list of arguments (tangent None for a constant)."""
        primals, tangents = [], []
        for a in args:
            if isinstance(a, Dual) and a._interp is self:
                primals.append(a.primal)
                tangents.append(tangent_of(a))
            else:
                primals.append(a)
                tangents.append(None)
        return primals, tangents

    def process(self, prim, args, params):
        primals = []
        tangents = []
        constant = False  # an operand without a tangent: its dtype may promote ans (see below)
        pending = False  # an operand's tangent is not computed yet (see Pending)
        for a in args:
            if isinstance(a, Dual) and a._interp is self:
                primals.append(a.primal)
                t = a.tangent
                pending = pending or type(t) is Pending
                tangents.append(t)
            else:
                primals.append(a)
                tangents.append(None)
                constant = True
        if self.level == 1:
            if type(primals[0]) is np.ndarray:
                if prim in reusing_primitives() and not params:
                    return self._shared_unary(prim, primals[0], _computed(args, tangents, pending)[0])
            ans = prim.impl(*primals, **params)
            if type(ans) is not _FLOAT64 and is_complex(ans):
                raise complex_error(f"the result of `{op_text(prim, len(args), params)}` on a traced value")
            if (pending or type(ans) is np.ndarray and ans.size >= _DEFER_FROM) and _deferrable(prim, params) \
                    and _under_reverse(self) and _has_rule(prim, tangents):
                return Dual(self, ans, Pending(self, prim, tangents, ans, primals, params, constant))
        else:
            ans = bind(prim, *primals, **params)
        if pending:
            tangents = _computed(args, tangents, True)
        tangent = self.tangent(prim, tangents, ans, primals, params, constant)
        if tangent is None:
            return ans
        return Dual(self, ans, tangent)

    def tangent(self, prim, tangents: list, ans: Any, primals: list, params: dict, constant: bool) -> Any:
        """The tangent of ``ans = prim(*primals)`` from the operands' tangents (None: zero, no tangent).

        ``constant``: some operand has no tangent (its dtype may have promoted ``ans``)."""
        if prim.jvp_all is not None:
            tangent = prim.jvp_all(tangents, ans, *primals, **params)
        else:
            tangent = None
            owned = False  # may the running tangent be updated in place?
            for i, t in enumerate(tangents):
                rule = prim.jvps[i] if t is not None else None
                if rule is None:
                    continue
                c = rule(t, ans, *primals, **params)
                if tangent is None:
                    tangent, owned = c, getattr(rule, "fresh", False)
                elif owned and type(tangent) is np.ndarray and type(c) is np.ndarray and tangent.shape == c.shape \
                        and tangent.dtype == np.result_type(tangent, c) and tangent.flags.writeable:
                    tangent += c
                else:
                    tangent, owned = tangent + c, True
        if tangent is None:
            return None
        if constant:
            # ``sin(x32) + ones64`` is float64, but the tangent came from x32 alone (the constant's
            # zero tangent is never built): give it the primal's dtype, as NumPy promoted the primal.
            # (Two NumPy scalars of one type, or two arrays of one dtype, need no look: the usual case.)
            kind = type(ans)
            if kind is not type(tangent) or (kind is np.ndarray and ans.dtype != tangent.dtype) \
                    or isinstance(ans, Tracer):
                tangent = _in_dtype_of(ans, tangent)
        want = self.batch_shape + shape(ans)
        if shape(tangent) != want:  # e.g. a scalar operand's tangent broadcast into an array
            tangent = np.broadcast_to(tangent, want)
        return tangent

    # -- values shared between a forward sweep and the transform nested inside it -------------
    def remembered(self, x: Any, name: str) -> Any:
        """``name(x)`` (``"cos"``, say) if this transform has remembered it for the array ``x``
        (see :meth:`_shared_unary`), else None."""
        known = self._seen.get(id(x))
        if known is None or known[0]() is not x:
            return None
        return known[1].get(name)

    def _shared_unary(self, prim, x, t):
        """``sin``, ``cos``, ``sinh`` or ``cosh`` of the array ``x``, reusing what this
        transform has already computed of the same ``x``.

        ``jvp(grad(f))`` (a Hessian-vector product) differentiates the reverse sweep of
        ``f``: where ``f`` has ``sin(x)``, the forward sweep computes ``sin(x)`` and, for its
        tangent, ``cos(x)``; the reverse rule then asks for ``cos(x)`` again, and the tangent
        of that for ``−sin(x)``.  Each is the same function of the same array, so the second
        time the value is looked up instead: the same numbers, half the work.

        Values are remembered only while a transform nested inside this one is running (its
        rules may ask again), and only while ``x`` is alive; a plain ``jvp`` keeps nothing.
        Results and partials alike are held until this transform ends: the nested ``grad``
        releases its own copy of ``sin(x)`` as soon as its sweep has passed the node that
        read it, before ``cos``'s rule (further back) asks for it, and computing it again
        would cost more than keeping it.
        """
        if x.size < _tape.SHARE_FROM or x.dtype.kind != "f":
            ans = prim.impl(x)
            return ans if t is None else Dual(self, ans, prim.jvps[0](t, ans, x))
        known = self._seen.get(id(x))
        if known is not None and known[0]() is not x:
            known = None
        values = known[1] if known is not None else {}
        keep = len(_ACTIVE.get()) > self.level  # a nested transform is running
        if keep and known is None:
            self._seen[id(x)] = (weakref.ref(x, forget_when_collected(self._seen, id(x))), values)
        ans = values.get(prim.name)
        if ans is None:
            ans = prim.impl(x)
            if keep:
                values[prim.name] = ans
        if t is None:
            return ans
        name, sign = prim.partials[0].reuse
        partial = values.get(name)
        if partial is None:
            partial = REGISTRY[name].impl(x)
            if keep:
                values[name] = partial
        tangent = np.multiply(t, partial)  # never in place: ``partial`` may be remembered
        if sign < 0:
            np.negative(tangent, out=tangent)
        return Dual(self, ans, tangent)


def _in_dtype_of(ans: Any, tangent: Any) -> Any:
    """``tangent`` cast to ``ans``'s floating dtype when the two differ (a tangent has its primal's dtype)."""
    dtype = dtype_of(ans)
    if dtype.kind == "f" and dtype_of(tangent) != dtype:
        return tangent.astype(dtype)
    return tangent


# -- tangents computed when read --------------------------------------------------------------
class Pending:
    """A tangent not computed yet: the forward rule of one operation and what it reads.

    Under ``jvp(grad(f))`` (a Hessian-vector product) the forward sweep runs beneath the
    reverse sweep, and the reverse sweep reads only some tangents: those its second-order
    rules need (``sin(x)`` reads ``ẋ``, ``x·y`` reads ``ẋ`` and ``ẏ``).  In
    ``f = Σ sin(x)·exp(−x²) + log1p(x²)`` nobody reads the tangent of the product, of the
    ``log1p``, of their sum or of ``Σ``: they are the tangent of ``f``'s value, which
    ``grad`` does not return.  So for large arrays under a nested reverse transform the
    forward interpreter records each elementwise operation's (and ``sum``'s) tangent as a
    :class:`Pending` and computes it only when something reads it (:func:`tangent_of`), with
    the same rule on the same numbers: what it would have computed at once, or nothing.
    """

    __slots__ = ("interp", "prim", "tangents", "ans", "primals", "params", "constant", "result")

    def __init__(self, interp: JVPInterpreter, prim: Any, tangents: list, ans: Any, primals: list,
                 params: dict, constant: bool) -> None:
        reads = _forward_reads(prim, tangents)  # keep no array alive that the rules do not read
        if reads in ("nothing", "ans"):
            primals = [_shape_of(a) for a in primals]
        if reads in ("nothing", "args"):
            ans = _shape_of(ans)
        self.interp, self.prim, self.tangents, self.ans = interp, prim, tangents, ans
        self.primals, self.params, self.constant = primals, params, constant
        self.result: Any = _UNSET

    def value(self) -> Any:
        """The tangent, computed now (with the pending tangents it reads, without recursion:
        a chain of thousands of operations is computed in a loop) and kept."""
        stack = [self]
        while stack:
            p = stack[-1]
            if p.result is not _UNSET:
                stack.pop()
                continue
            waiting = [t for t in p.tangents if type(t) is Pending and t.result is _UNSET]
            if waiting:
                stack.extend(waiting)
                continue
            tangents = [t.result if type(t) is Pending else t for t in p.tangents]
            p.result = p.interp.tangent(p.prim, tangents, p.ans, p.primals, p.params, p.constant)
            p.tangents = p.ans = p.primals = p.params = None  # computed: release what it read
            stack.pop()
        return self.result


_UNSET = object()


def tangent_of(d: Dual) -> Any:
    """``d``'s tangent, computing it first if it is :class:`Pending` (the only way to read one)."""
    t = d.tangent
    if type(t) is Pending:
        t = d.tangent = t.value()
    return t


def _computed(args: tuple, tangents: list, pending: bool) -> list:
    """``tangents`` with every :class:`Pending` one computed (and kept by its :class:`Dual`)."""
    if not pending:
        return tangents
    out = []
    for a, t in zip(args, tangents):
        if type(t) is Pending:
            t = a.tangent = t.value()
        out.append(t)
    return out


_DEFER_FROM = 1024  # smaller arrays: the bookkeeping costs more than the tangent


def _deferrable(prim: Any, params: dict) -> bool:
    """An elementwise primitive without parameters, or ``sum``: forward rules that compute
    numbers and nothing else (no refusal a later computation could skip)."""
    if params:
        return prim is _SUM
    return prim.partials is not None and prim.jvp_all is None


def _under_reverse(interp: JVPInterpreter) -> bool:
    """Whether a reverse transform runs directly inside ``interp`` (``jvp(grad(f))``)."""
    active = _ACTIVE.get()
    return len(active) > interp.level and isinstance(active[interp.level], Tape)


def _has_rule(prim: Any, tangents: list) -> bool:
    """Some operand has a tangent and a rule: the result gets a tangent (else it is a constant)."""
    jvps = prim.jvps
    return any(t is not None and jvps[i] is not None for i, t in enumerate(tangents))


def _forward_reads(prim: Any, tangents: list) -> str:
    """What the forward rules that will run read besides shapes: ``"all"``, ``"args"``,
    ``"ans"`` or ``"nothing"`` (as :attr:`Primitive.vjp_reads` says of the reverse rules).

    ``sum`` and the partials 1 and −1 (``+``, ``−``) read nothing.  A rule derived from a
    partial reads what that partial reads, which is what the reverse rule derived from the
    same partial reads: ``vjp_reads`` then answers.  Any other rule may read anything."""
    if prim is _SUM:
        return "nothing"
    general = False
    for i, (rule, t) in enumerate(zip(prim.jvps, tangents)):
        if t is None or rule is None:
            continue
        p = getattr(rule, "partial", None)
        if p is None or p is not prim.partials[i]:
            return "all"
        if p.kind in ("one", "minus_one"):
            continue
        if getattr(prim.vjps[i], "partial", None) is not p:
            return "all"
        general = True
    if not general:
        return "nothing"
    reads = prim.vjp_reads
    if callable(reads):  # depends on which operands are traced (power's exponent)
        reads = reads(tuple(None if t is None else i for i, t in enumerate(tangents)))
    return reads


def _shape_of(a: Any) -> Any:
    """An array's stand-in for a rule that reads only its shape and dtype: a broadcast view
    of one zero (no memory, one per shape and dtype, shared with the tapes); anything else
    as it is."""
    if type(a) is np.ndarray:
        return shared_stand_in(a)
    return a


_SUM = REGISTRY["sum"]
