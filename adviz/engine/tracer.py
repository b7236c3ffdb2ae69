"""Tracers, interpreters and `bind`: the one place where every operation is intercepted.

How can ordinary NumPy code be differentiated without rewriting it?  We hand the user's
function special values, *tracers*, instead of arrays.  A tracer looks like an array (it has
``shape``, ``dtype``, operators and methods) and it implements NumPy's two override
protocols, ``__array_ufunc__`` (for ``np.sin``, ``np.add``, …) and ``__array_function__``
(for ``np.sum``, ``np.where``, ``np.linalg.solve``, …).  Every operation therefore ends up
in :func:`bind`, which asks the right *interpreter* to process it:

* the forward-mode interpreter (``forward.py``) computes the value **and** its tangent on
  the spot (dual numbers, no memory of the past);
* the tape interpreter (``tape.py``) computes the value and **appends a node** to the tape
  (the Wengert list) so that a reverse sweep can later walk it backwards.

Nesting and perturbation confusion
----------------------------------
``grad(grad(f))`` or ``jvp`` of ``grad`` runs one interpreter *inside* another.  Each active
interpreter gets a **level** (its depth on a stack).  A tracer belongs to exactly one
interpreter, and an operation is handled by the highest-level interpreter among its
arguments.  That interpreter treats a tracer as its own only if ``tracer._interp is self``
(an identity check, not a type check); anything else — plain arrays *and* tracers of lower
levels — is a constant to it, and its arithmetic is handed down by calling :func:`bind`
again.  This is what makes the classic test pass::

    d/dx [ x * (d/dy (x + y))(y=1) ]  ==  1      (not 2)

because the inner derivative never mistakes the outer ``x`` for its own ``y``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

__all__ = ["Tracer", "Interpreter", "bind", "new_interpreter", "lowest", "UnsupportedOperation"]


class UnsupportedOperation(TypeError):
    """Raised when traced values meet a NumPy function adviz has no rule for."""


class Interpreter:
    """One active transformation (a forward-mode JVP or a tape recording).

    Subclasses implement :meth:`process`, which receives a primitive, its arguments
    (a mix of own tracers, lower-level tracers and plain values) and its parameters.
    """

    level: int = 0

    def process(self, prim: Any, args: tuple, params: dict) -> Any:  # pragma: no cover
        raise NotImplementedError


_STACK: list[Interpreter] = []


@contextmanager
def new_interpreter(interp: Interpreter) -> Iterator[Interpreter]:
    """Activate ``interp`` one level above every interpreter already running."""
    interp.level = len(_STACK) + 1
    _STACK.append(interp)
    try:
        yield interp
    finally:
        _STACK.pop()


def bind(prim: Any, *args: Any, **params: Any) -> Any:
    """Apply primitive ``prim`` to ``args``: the single interception point.

    With no tracer among the arguments this is just ``prim.impl(*args, **params)``, plain
    NumPy.  Otherwise the interpreter of the highest level among the tracers processes it.
    """
    top = None
    for a in args:
        if isinstance(a, Tracer):
            interp = a._interp
            if top is None or interp.level > top.level:
                top = interp
    if top is None:
        return prim.impl(*args, **params)
    if not prim.differentiable:
        return prim.impl(*[lowest(a) for a in args], **params)
    return top.process(prim, args, params)


def lowest(x: Any) -> Any:
    """Strip every tracer layer and return the concrete NumPy value underneath."""
    while isinstance(x, Tracer):
        x = x.primal
    return x


class Tracer:
    """An array stand-in that routes every NumPy operation through :func:`bind`.

    Subclasses store their interpreter in ``_interp`` and their own-level value in
    ``primal`` (which may itself be a tracer of a lower level when transforms are nested).
    The NumPy surface (operators, ufuncs, array functions, methods) is wired up in
    ``numpy_api/`` so that this class stays about the idea, not the plumbing.
    """

    __slots__ = ("_interp", "primal")
    __array_priority__ = 1000  # beat ndarray in mixed binary operations

    # -- array-like attributes, read from the concrete value --------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(lowest(self))

    @property
    def ndim(self) -> int:
        return np.ndim(lowest(self))

    @property
    def size(self) -> int:
        return int(np.size(lowest(self)))

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(lowest(self))

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d traced value")
        return shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        # Control flow on concrete values is allowed: AD differentiates the executed branch.
        return bool(lowest(self))

    # -- conversions that would silently drop the value out of the derivative -------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "a traced value cannot be converted to a plain NumPy array: it would drop out of "
            "the derivative. Use NumPy functions on it directly (np.stack instead of "
            "np.array([...]), arithmetic instead of float())."
        )

    def _refuse_scalar(self, kind: str):
        raise TypeError(
            f"{kind}() of a traced value would silently cut it out of the derivative; keep it "
            "as an array (use np.* functions, not the math module)."
        )

    def __float__(self):
        self._refuse_scalar("float")

    def __int__(self):
        self._refuse_scalar("int")

    def __complex__(self):
        self._refuse_scalar("complex")

    def item(self, *args):
        self._refuse_scalar("item")

    def tolist(self):
        self._refuse_scalar("tolist")

    def __setitem__(self, key, value):
        raise TypeError(
            "in-place assignment (x[i] = ...) on a traced value is not supported: build a new "
            "array instead (np.where, np.concatenate, or arithmetic with a mask)."
        )

    def __hash__(self):
        return id(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({lowest(self)!r})"
