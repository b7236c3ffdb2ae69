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

from typing import Any

import numpy as np

from .primitives.core import shape
from .tracer import Interpreter, Tracer, bind, complex_error, is_complex, op_text

_FLOAT64 = np.float64


class Dual(Tracer):
    """A value together with its tangent, owned by one :class:`JVPInterpreter`."""

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

    def split(self, args: Any) -> tuple[list, list]:
        """``(primals, tangents)`` of a list of arguments (tangent None for a constant)."""
        primals, tangents = [], []
        for a in args:
            if isinstance(a, Dual) and a._interp is self:
                primals.append(a.primal)
                tangents.append(a.tangent)
            else:
                primals.append(a)
                tangents.append(None)
        return primals, tangents

    def process(self, prim, args, params):
        primals = []
        tangents = []
        for a in args:
            if isinstance(a, Dual) and a._interp is self:
                primals.append(a.primal)
                tangents.append(a.tangent)
            else:
                primals.append(a)
                tangents.append(None)
        if self.level == 1:
            ans = prim.impl(*primals, **params)
            if type(ans) is not _FLOAT64 and is_complex(ans):
                raise complex_error(f"the result of `{op_text(prim, len(args), params)}` on a traced value")
        else:
            ans = bind(prim, *primals, **params)
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
            return ans
        want = self.batch_shape + shape(ans)
        if shape(tangent) != want:  # e.g. a scalar operand's tangent broadcast into an array
            tangent = np.broadcast_to(tangent, want)
        return Dual(self, ans, tangent)
