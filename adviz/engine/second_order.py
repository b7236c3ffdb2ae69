"""Second-order adjoints: the reverse sweep of ``jvp(grad(f))`` written out for pairs.

A Hessian-vector product ``H·v`` is the derivative of the gradient along ``v``::

    ad.jvp(ad.grad(f), (x,), (v,))      →      (∇f(x), H·v)

Forward mode runs *outside* reverse mode: while ``grad`` records its tape, every value
is a dual number (value, tangent), so the tape holds ``sin(x)`` together with its tangent
``cos(x)·v``.  Then the reverse sweep runs, and every adjoint is a dual number too: a pair
``(v̄, v̄̇)``, the adjoint and its tangent, the *second-order adjoint* of Griewank and
Walther (*Evaluating Derivatives*, ch. 5).  The adjoints of the inputs are ``∇f(x)``
and their tangents are ``H·v``.

Differentiating the reverse rule ``x̄ += ȳ · p`` (``p = ∂ans/∂x``, the partial) by the
product rule gives the **second-order rule** of an elementwise primitive::

    x̄  += ȳ · p
    x̄̇  += ȳ̇ · p  +  ȳ · ṗ          ṗ = Σ ∂p/∂u · u̇   (u: the result and the operands)

For ``sin``: ``p = cos(x)`` and ``ṗ = −sin(x)·ẋ``, the second derivative times the
tangent.  The registry declares ``∂p/∂u`` next to each partial (``Partial.second``).

The generic way gets there too: the reverse rules run on dual numbers and the forward
interpreter differentiates every operation inside them, ``cos(x)`` included.  This module
is the same sweep written for pairs: each elementwise node computes ``p`` once, its
tangent from the declared rule, and writes products into the arrays it has just made
instead of allocating new ones.  A node whose primitive declares no second-order rule
(``sum``, ``matmul``, a custom rule, …) runs its reverse rule on dual numbers, exactly
as the generic sweep would.  The two ways give the same numbers up to rounding.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .forward import Dual, JVPInterpreter, Pending
from .primitives.core import fits_in, shape, unbroadcast
from .tape import Tape
from .tracer import _ACTIVE, Tracer

__all__ = ["interpreter_below", "backward_pairs"]

_NDARRAY = np.ndarray


def interpreter_below(tape: Tape, seed: Any) -> Optional[JVPInterpreter]:
    """The forward interpreter whose dual numbers fill ``tape``, if this sweep can use pairs.

    That is the case of ``jvp(grad(f))`` run on plain arrays: one forward transform (one
    direction, no batch) below the tape, and nothing else running.
    """
    active = _ACTIVE.get()
    if len(active) != 1 or tape.level != 2 or isinstance(seed, Tracer):
        return None
    interp = active[0]
    if type(interp) is not JVPInterpreter or interp.batch_shape:
        return None
    return interp


def backward_pairs(tape: Tape, out_index: int, seed: Any, interp: JVPInterpreter,
                   consume: bool = False) -> list:
    """The reverse sweep of :func:`tape.backward`, carrying ``(adjoint, tangent)`` pairs.

    ``tape`` was recorded on top of ``interp``, so its values are dual numbers of
    ``interp`` (or constants).  Returns one entry per node like ``backward``: None, a
    plain adjoint (no tangent reached it), or a :class:`Dual` ``(adjoint, tangent)``.
    """
    prims, params_of, answers, nargs, parents_of, args_of = (tape.prims, tape.params, tape.ans, tape.nargs,
                                                             tape.parents, tape.args)
    n_nodes = len(prims)
    bars: list = [None] * n_nodes  # adjoints v̄
    dots: list = [None] * n_nodes  # their tangents v̄̇ (None: zero)
    own_bar = [False] * n_nodes  # arrays this sweep made and nobody else holds: may be updated in place
    own_dot = [False] * n_nodes
    bars[out_index] = seed
    end = tape.offset(out_index + 1)
    for k in range(out_index, -1, -1):
        start = end - nargs[k]
        g = bars[k]
        prim = prims[k]
        if g is None or prim is None:
            end = start
            continue
        ans, params = answers[k], params_of[k]
        args = tuple(args_of[start:end])
        parents = parents_of[start:end]
        if consume:
            answers[k] = None
            args_of[start:end] = [None] * (end - start)
        g_dot = dots[k]
        uses = sum(p is not None for p in parents)
        steps = _pair_rules(prim, params, ans, args, parents, interp)
        if steps is None:
            contributions = _dual_rules(prim, params, ans, args, parents, g, g_dot, interp)
        else:
            # g and its tangent may be overwritten when this node is their only reader
            mine = uses == 1
            contributions = _apply_pair_rules(steps, g, g_dot, own_bar[k] and mine, own_dot[k] and mine, interp)
        for p, c, c_own, c_dot, c_dot_own in contributions:
            bars[p], own_bar[p] = _accumulate(bars[p], own_bar[p], c, c_own)
            if c_dot is not None:
                dots[p], own_dot[p] = _accumulate(dots[p], own_dot[p], c_dot, c_dot_own)
        bars[k] = dots[k] = None
        g = g_dot = args = ans = contributions = None  # release this node's arrays before the next one
        end = start
    out: list = [None] * n_nodes
    for k in range(n_nodes):
        if prims[k] is None and bars[k] is not None:
            bar = bars[k] if own_bar[k] else _copy(bars[k])
            if dots[k] is None:
                out[k] = bar
            else:
                out[k] = Dual(interp, bar, dots[k] if own_dot[k] else _copy(dots[k]))
    return out


def _copy(a: Any) -> Any:
    """A value handed to the user must not be one the tape or the user also holds."""
    return np.array(a) if type(a) is _NDARRAY else a


def _accumulate(prev: Any, prev_own: bool, c: Any, c_own: bool) -> tuple[Any, bool]:
    """``prev + c`` (in place into ``prev`` when it is ours): a node used twice sums what
    each use sends back."""
    if prev is None:
        return c, c_own
    if prev_own and fits_in(prev, c):
        prev += c
        return prev, True
    if c_own and fits_in(c, prev):  # addition commutes: the same numbers either way
        c += prev
        return c, True
    return prev + c, True


def _split(value: Any, interp: JVPInterpreter) -> tuple[Any, Any]:
    """``(primal, tangent)`` of a value on the tape; ``(value, None)`` for a constant."""
    if type(value) is Dual and value._interp is interp:
        return value.primal, value.tangent
    return value, None


# ---------------------------------------------------------------- elementwise nodes: pair rules
class _Step:
    """What one operand of an elementwise node needs for its pair rule."""

    __slots__ = ("parent", "kind", "partial", "ans", "ans_dot", "xs", "x_dots", "target")

    def __init__(self, parent, kind, partial, ans, ans_dot, xs, x_dots, target):
        self.parent, self.kind, self.partial = parent, kind, partial
        self.ans, self.ans_dot, self.xs, self.x_dots, self.target = ans, ans_dot, xs, x_dots, target


def _pair_rules(prim: Any, params: dict, ans: Any, args: tuple, parents: list,
                interp: JVPInterpreter) -> Optional[list]:
    """The node's operands as :class:`_Step` records, or None when a pair rule cannot be used
    (not elementwise, parameters, a partial without a second-order rule, a foreign tracer)."""
    partials = prim.partials
    if partials is None or params or prim.jvp_all is not None:
        return None
    y, y_dot = _split(ans, interp)
    if isinstance(y, Tracer):
        return None
    xs, x_dots = [], []
    for a in args:
        x, x_dot = _split(a, interp)
        if isinstance(x, Tracer):
            return None
        xs.append(x)
        x_dots.append(x_dot)
    steps = []
    for i, p in enumerate(parents):
        if p is None or prim.vjps[i] is None:
            continue
        partial = partials[i]
        if partial is None:
            continue
        rule = prim.vjps[i]
        if partial.kind in ("one", "minus_one"):
            if getattr(rule, "partial", None) is not partial:
                return None  # a reverse rule written by hand (a cast, say): run it
        elif partial.second is None:
            return None
        steps.append(_Step(p, partial.kind, partial, y, y_dot, xs, x_dots, shape(xs[i])))
    return steps


def _apply_pair_rules(steps: list, g: Any, g_dot: Any, g_own: bool, g_dot_own: bool,
                      interp: JVPInterpreter) -> list:
    """``x̄ = ȳ·p`` and ``x̄̇ = ȳ̇·p + ȳ·ṗ`` for each operand: ``(parent, x̄, ours?, x̄̇, ours?)``."""
    out = []
    for s in steps:
        if s.kind == "one":  # x̄ = ȳ, x̄̇ = ȳ̇
            c, c_own, c_dot, c_dot_own = g, g_own, g_dot, g_dot_own
        elif s.kind == "minus_one":  # x̄ = −ȳ, x̄̇ = −ȳ̇
            c, c_own = _negate(g, g_own)
            c_dot, c_dot_own = _negate(g_dot, g_dot_own) if g_dot is not None else (None, False)
        else:
            p, p_own = _value(s.partial, s.ans, s.xs, interp)
            p_dot, p_dot_own = _tangent_of_partial(s.partial, s.ans, s.ans_dot, s.xs, s.x_dots, interp)
            # x̄̇ = ȳ̇·p + ȳ·ṗ first (it reads ȳ and p), then x̄ = ȳ·p may write into either
            c_dot, c_dot_own = None, False
            if p_dot is not None:
                c_dot, c_dot_own = _times(g, False, p_dot, p_dot_own)
            if g_dot is not None:
                term, term_own = _times(g_dot, g_dot_own, p, False)
                c_dot, c_dot_own = (term, term_own) if c_dot is None else _accumulate(c_dot, c_dot_own, term, term_own)
            c, c_own = _times(g, g_own, p, p_own)
        if shape(c) != s.target:
            c, c_own = _unbroadcast(c, c_own, s.target)
        if c_dot is not None and shape(c_dot) != s.target:
            c_dot, c_dot_own = _unbroadcast(c_dot, c_dot_own, s.target)
        out.append((s.parent, c, c_own, c_dot, c_dot_own))
        # a later operand of the same node reads ȳ again: nothing may be written into it
        g_own = g_dot_own = False
    return out


def _value(partial: Any, ans: Any, xs: list, interp: JVPInterpreter) -> tuple[Any, bool]:
    """The partial's value and whether it is ours, taken from the forward interpreter when it
    has it already (``cos(x)``, remembered when the forward sweep computed ``sin(x)``'s tangent)."""
    if partial.reuse is not None and type(xs[0]) is _NDARRAY:
        name, sign = partial.reuse
        known = interp.remembered(xs[0], name)
        if known is not None:
            return (known, False) if sign > 0 else (-known, True)
    p = partial.fn(ans, *xs)
    return p, partial.fresh and type(p) is _NDARRAY


def _tangent_of_partial(partial: Any, ans: Any, ans_dot: Any, xs: list, x_dots: list,
                        interp: JVPInterpreter) -> tuple[Any, bool]:
    """``ṗ = ∂p/∂ans · ȧns + Σⱼ ∂p/∂xⱼ · ẋⱼ`` from the declared second-order rule (None: zero)."""
    total, total_own = None, False
    for j, d in enumerate(partial.second):
        if d is None:
            continue
        t = ans_dot if j == 0 else x_dots[j - 1]
        if t is None:
            continue
        if type(t) is Pending:  # computed now, as the forward sweep would have (it is read)
            t = t.value()
        if d.kind == "one":
            term, term_own = t, False
        elif d.reuse is not None and type(xs[0]) is _NDARRAY \
                and (known := interp.remembered(xs[0], d.reuse[0])) is not None:
            term, term_own = known * t, True  # −sin(x)·ẋ from the remembered sin(x)
            if d.reuse[1] < 0:
                term = _negate(term, True)[0]
        else:
            term, term_own = _times(d.fn(ans, *xs), d.fresh, t, False)
        total, total_own = (term, term_own) if total is None else _accumulate(total, total_own, term, term_own)
    return total, total_own


def _times(a: Any, a_own: bool, b: Any, b_own: bool) -> tuple[Any, bool]:
    """``a · b``, written into whichever operand is ours when the product fits in it."""
    if a_own and fits_in(a, b):
        return np.multiply(a, b, out=a), True
    if b_own and fits_in(b, a):  # multiplication commutes: the same numbers either way
        return np.multiply(b, a, out=b), True
    if _is_one(a, b):
        return b, b_own
    if _is_one(b, a):
        return a, a_own
    return a * b, True


def _is_one(a: Any, b: Any) -> bool:
    """``a`` is a broadcast 1 (the adjoint ``sum`` hands back) and ``a · b`` would be ``b``."""
    return type(a) is _NDARRAY and type(b) is _NDARRAY and a.shape == b.shape and a.size > 0 \
        and not any(a.strides) and a.flat[0] == 1 and b.dtype == np.result_type(a, b)


def _negate(a: Any, own: bool) -> tuple[Any, bool]:
    if own and type(a) is _NDARRAY and a.flags.writeable:
        return np.negative(a, out=a), True
    return -a, True


def _unbroadcast(c: Any, own: bool, target: tuple) -> tuple[Any, bool]:
    out = unbroadcast(c, target, 0)
    if out is c:
        return c, own
    return out, type(out) is _NDARRAY and out.flags.writeable and out.flags.owndata


# ---------------------------------------------------------------- every other node: dual numbers
def _dual_rules(prim: Any, params: dict, ans: Any, args: tuple, parents: list, g: Any, g_dot: Any,
                interp: JVPInterpreter) -> list:
    """The node's reverse rules run on dual numbers: the forward interpreter differentiates
    every operation inside them (the generic forward-over-reverse step)."""
    gd = g if g_dot is None else Dual(interp, g, g_dot)
    out = []
    for i, p in enumerate(parents):
        rule = prim.vjps[i] if p is not None else None
        if rule is None:
            continue
        c, c_dot = _split(rule(gd, ans, *args, **params), interp)
        out.append((p, c, False, c_dot, False))
    return out
