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

The stack of active interpreters belongs to the running thread (a context variable), so
transforms in different threads never see each other's levels.  It is only read when a
transform starts: :func:`bind` compares the levels stored on its arguments' interpreters.

Escaped tracers
---------------
A tracer lives as long as its transform runs.  Stored somewhere (a global, a list) and
used afterwards, it would silently compute with a stale value or leak a ``TapeVar`` into
a result.  So when a transform ends its interpreter is *retired*: any later operation on
its tracers raises :class:`EscapedTracerError`, as JAX raises ``UnexpectedTracerError``.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, Optional

import numpy as np

__all__ = ["Tracer", "Interpreter", "bind", "new_interpreter", "lowest", "for_mask", "writes_code",
           "top_interpreter", "UnsupportedOperation", "EscapedTracerError"]


class UnsupportedOperation(TypeError):
    """Raised when traced values meet a NumPy function adviz has no rule for."""


class EscapedTracerError(RuntimeError):
    """A traced value was used after the transform that made it had ended (JAX calls this
    an *UnexpectedTracerError*)."""


class Interpreter:
    """One active transformation (a forward-mode JVP or a tape recording).

    Subclasses implement :meth:`process`, which receives a primitive, its arguments
    (a mix of own tracers, lower-level tracers and plain values) and its parameters.
    ``name`` is the transform the user called (``"ad.grad"``), for error messages.
    """

    level: int = 0
    name: str = "a transform"
    dead: bool = False  # set when the transform has ended: its tracers must not be used again
    # True for an interpreter that also wants non-differentiable operations (comparisons,
    # sign): Trace.to_python writes them as code instead of freezing their values.
    records_everything: bool = False

    def process(self, prim: Any, args: tuple, params: dict) -> Any:  # pragma: no cover
        raise NotImplementedError

    def binary(self, prim: Any, x: Any, y: Any) -> Any:
        """``process(prim, (x, y), {})``: a binary operator whose operands belong to this interpreter
        or are plain numbers (``x * 2.0``, ``x + y``); an interpreter may write it out for speed."""
        return self.process(prim, (x, y), _NO_PARAMS)

    def retire(self) -> None:
        """The transform has ended: from now on any use of its tracers raises.

        The interpreter becomes an instance of a "retired" subclass whose ``process``
        raises.  Swapping the class (rather than testing a flag in :func:`bind`, or
        setting an attribute on the instance, which would slow down every live
        interpreter's method lookups) keeps the check out of the hot path.
        """
        cls = type(self)
        retired = _RETIRED.get(cls)
        if retired is None:
            retired = _RETIRED[cls] = type(f"Retired{cls.__name__}", (cls,), {
                "dead": True, "process": Interpreter._escaped, "binary": Interpreter._escaped, "__doc__": "An interpreter whose transform has ended."})
        self.__class__ = retired

    def _escaped(self, *args: Any, **kwargs: Any):
        raise escaped_error(self)


_RETIRED: dict = {}
_NO_PARAMS: dict = {}  # the parameters of a binary operator (never written to)


def escaped_error(interp: Interpreter) -> EscapedTracerError:
    return EscapedTracerError(
        f"a traced value escaped from {interp.name}: it was stored during the transform (in a global "
        "variable, a list, an attribute or a closure) and used after the transform had ended. Traced values "
        "only exist while their transform runs. Return the value from the function instead (with "
        "has_aux=True, ad.grad, ad.value_and_grad and ad.vjp hand extra outputs back as plain values), or "
        "compute it outside the transform."
    )


def is_complex(value: Any) -> bool:
    """True for a complex number or an array of complex dtype."""
    return type(value) is complex or getattr(getattr(value, "dtype", None), "kind", "") == "c"


def op_text(prim: Any, nargs: int, params: dict) -> str:
    """How the user wrote an operation, for messages: ``a * b``, ``sqrt(a)``, ``a.astype(complex128)``."""
    names = [chr(ord("a") + i) for i in range(nargs)]
    try:
        return prim.definition(names, params)
    except Exception:  # a display template that needs more than names: fall back to the name
        return prim.name


def complex_error(what: str) -> UnsupportedOperation:
    """adviz differentiates real-valued code only: the refusal every complex value meets."""
    return UnsupportedOperation(
        f"{what} is complex: adviz differentiates real-valued NumPy code only, and complex numbers are not "
        "supported (neither complex inputs, tangents and cotangents nor complex values computed from traced "
        "values). Work with the real and imaginary parts as two real arrays."
    )


# The active interpreters of *this* thread (and asyncio task): a context variable, so two
# threads running transforms at the same time never see each other's levels.  It is read
# once per transform (in new_interpreter), never per operation: bind only compares the
# levels stored on the interpreters of its arguments.
_ACTIVE: ContextVar[tuple] = ContextVar("adviz_active_interpreters", default=())

# Called when a transform starts and when it ends (numpy_api/entry_points.py sets them: the
# NumPy calls that never see a traced value inside a list get adviz's entry point meanwhile).
TRANSFORM_HOOKS: list = [lambda: None, lambda: None]


@contextmanager
def new_interpreter(interp: Interpreter, name: Optional[str] = None) -> Iterator[Interpreter]:
    """Activate ``interp`` one level above every interpreter already running in this thread.

    When the block ends the interpreter is retired (see :meth:`Interpreter.retire`): a
    tracer that escaped the transform raises :class:`EscapedTracerError` when used.
    """
    active = _ACTIVE.get()
    interp.level = len(active) + 1
    interp.name = name if name is not None else type(interp).name
    token = _ACTIVE.set(active + (interp,))
    TRANSFORM_HOOKS[0]()
    try:
        yield interp
    except (TypeError, ValueError, AttributeError) as exc:
        explained = _explain_numpy_error(exc)
        if explained is None:
            raise
        raise explained from exc
    finally:
        _ACTIVE.reset(token)
        interp.retire()
        TRANSFORM_HOOKS[1]()


_NO_LOOP = re.compile(r"ufunc '(\w+)' not supported for the input types")
_NO_CAST = re.compile(r"Cannot cast ufunc '(\w+)' (input|output)(?: \d+)? from dtype\('O'\)")
_NO_ATTRIBUTE = re.compile(r"'(\w+)' object has no attribute '(\w+)'")
_NO_METHOD = re.compile(r"loop of ufunc does not support argument \d+ of type (\w+) which has no callable (\w+) method")


def _numpy_frame_called(exc: BaseException) -> Optional[tuple[Any, tuple[str, ...]]]:
    """The first NumPy frame of the traceback (the NumPy function user code called) and the
    names of its parameters, or ``None`` when the error did not pass through NumPy."""
    numpy_dir = os.path.dirname(np.__file__) + os.sep
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.startswith(numpy_dir):
            code = frame.f_code
            return frame, code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    return None


def _numpy_call_with_dtype(exc: BaseException) -> Optional[tuple[str, str, str]]:
    """``("mean", "float64", "a list of traced values")`` when the error came from inside a
    NumPy function called with ``dtype=``; ``None`` otherwise."""
    called = _numpy_frame_called(exc)
    if called is None:
        return None
    frame, params = called
    dtype = frame.f_locals.get("dtype")
    if "dtype" not in params or dtype is None:
        return None
    given = frame.f_locals.get("a")
    given = ("a list of traced values" if isinstance(given, list) else
             "a tuple of traced values" if isinstance(given, tuple) else "traced values")
    try:
        dtype = np.dtype(dtype).name
    except TypeError:
        dtype = str(dtype)
    return frame.f_code.co_name, dtype, given


def _numpy_call_with_traced_option(exc: BaseException) -> Optional[tuple[str, str]]:
    """``("sum", "initial")`` when the error came from inside a NumPy function that was handed
    a traced value through an option such as ``initial=`` while its array was plain: NumPy's
    dispatch looks only at the array, so it never asks adviz and converts the option with
    ``float()``."""
    called = _numpy_frame_called(exc)
    if called is None:
        return None
    frame, params = called
    for option in params[1:]:  # not the array itself
        if isinstance(frame.f_locals.get(option), Tracer):
            return frame.f_code.co_name, option
    return None


def _explain_numpy_error(exc: BaseException) -> Optional["UnsupportedOperation"]:
    """Errors NumPy raises *from inside its own code* when it meets a tracer, re-worded.

    NumPy's messages name neither adviz nor the traced value, so a student would read them
    as a bug in their code (or in adviz).  ``None`` for every other error (raised unchanged).
    """
    if isinstance(exc, UnsupportedOperation):
        return None
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, ValueError) and isinstance(cause, TypeError) and "traced value" in str(cause):
        called = _numpy_call_with_dtype(exc)
        if called is not None:
            # ``np.mean([x, y], dtype=np.float64)``: NumPy converts each entry itself (float(x))
            name, dtype, given = called
            return UnsupportedOperation(
                f"np.{name}(..., dtype={dtype}) of {given}: NumPy converts each entry to {dtype} itself, "
                f"which would cut the traced values out of the derivative. Write np.{name}(np.stack([...])) "
                f"(one traced array), or call np.{name} without dtype=.")
        option = _numpy_call_with_traced_option(exc)
        if option is not None:
            # ``np.sum(a, initial=c)`` with a plain ``a`` and a traced ``c``
            name, option = option
            examples = (" (np.sum(a) + c, np.prod(a) * c, np.maximum(np.max(a), c))"
                        if option == "initial" else "")
            return UnsupportedOperation(
                f"np.{name}(..., {option}=c) with a traced {option}= and a plain array: NumPy turns c "
                f"into a plain number, which would cut it out of the derivative. Combine c with the "
                f"result outside the call instead{examples}.")
        # ``a[i] = x`` on a float ndarray: NumPy asks float(x), adviz refuses, NumPy then
        # tries x as a sequence and reports "setting an array element with a sequence".
        return UnsupportedOperation(
            "writing a traced value into a NumPy array (a[i] = x) would cut it out of the "
            "derivative: build the array from the traced values instead (np.stack([...]), "
            "np.concatenate, np.where, or arithmetic with a mask).")
    found = _NO_METHOD.search(str(exc)) if isinstance(exc, TypeError) else None
    if not found and isinstance(exc, AttributeError):
        found = _NO_ATTRIBUTE.search(str(exc))
        if found and not isinstance(getattr(np, found.group(2), None), np.ufunc):
            found = None
    if found:
        # ``np.sin([x, 1.0])``: a Python list (or object array) mixing tracers and plain numbers.
        # NumPy's C code turns the list into an object array without asking adviz, and its
        # object loop calls entry.sin() (entry.arctan2(other)) on every entry: a float has none.
        return mixed_list_error(found.group(2), found.group(1))
    found = _NO_CAST.search(str(exc)) if isinstance(exc, TypeError) else None
    if found:
        # ``np.sin(np.array([x, y]), out=np.zeros(2))``, ``np.linalg.det([[x, y], [z, 1.0]])``:
        # an object array of traced values (a list, or np.array([...]) of them) meets compiled
        # code that has no object loop, or an out= array of floats that cannot hold them.
        name, where = found.groups()
        if where == "output":
            return UnsupportedOperation(
                f"np.{name}(..., out=...) would write traced values into a plain float array (the out= "
                "array), cutting them out of the derivative. Drop out= and use the returned value; build "
                "arrays of traced values with np.stack([...]).")
        return UnsupportedOperation(
            f"np.{name} (a compiled NumPy routine, such as those of np.linalg) met an object array of "
            "traced values: a Python list of traced values, or np.array([...]) of them, is an object "
            "array, which compiled routines cannot read. Build the array with np.stack([...]) (nested for "
            "a matrix: np.stack([np.stack([a, b]), np.stack([c, d])])): it is one traced array.")
    found = _NO_LOOP.search(str(exc)) if isinstance(exc, TypeError) else None
    if found and _traced_object_array_near(exc):
        name = found.group(1)
        return UnsupportedOperation(
            f"np.{name} met an object array holding traced values (np.asarray/np.array of a traced value, "
            f"as NumPy helpers such as np.testing make): NumPy has no object loop for {name}. Apply "
            f"np.{name} to the traced value itself.")
    if _raised_by_numpy(exc) and _traced_object_array_near(exc):
        # Any other failure of NumPy's own Python code on such an object array (np.cov of a list
        # of traced values: NumPy's average reads .shape of a plain float it made from one).
        return UnsupportedOperation(
            f"NumPy's own code failed on an object array of traced values (a Python list, or np.array([...]), "
            f"of traced values, which NumPy handles as objects, not numbers): {type(exc).__name__}: {exc}. "
            "Build the array with np.stack([...]) first: it is one traced array.")
    return None


def mixed_list_error(name: str, kind: str = "float") -> "UnsupportedOperation":
    """The refusal of ``np.sin([x, 1.0])``: a NumPy ufunc given a list mixing traced values and numbers."""
    two = getattr(getattr(np, name, None), "nin", 1) == 2
    example, rest = ("[x, 1.0], y", ", y") if two else ("[x, 1.0]", "")
    return UnsupportedOperation(
        f"np.{name} was given a Python list (or object array) mixing traced values and plain numbers, such "
        f"as np.{name}({example}): NumPy turns the list into an array of Python objects without asking adviz "
        f"and calls each entry's .{name}() method, which a plain {kind} does not have. Make the list one "
        f"traced array first: np.{name}(np.array([x, 1.0]){rest}) (inside a transform np.array of traced "
        f"values and numbers traces) or np.{name}(np.stack([x, 1.0]){rest}).")


def _raised_by_numpy(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside NumPy's own Python code (its innermost frame)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith("numpy.")


def _traced_object_array_near(exc: BaseException) -> bool:
    """Whether the innermost frames of ``exc`` hold an object array of tracers (NumPy's message
    for it is the same as for, say, an array of strings, which must keep NumPy's own error)."""
    tb, frames = exc.__traceback__, []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in frames[-3:]:
        for value in frame.f_locals.values():
            if isinstance(value, np.ndarray) and value.dtype == object and value.size and \
                    any(isinstance(e, Tracer) for e in value.flat[:64]):
                return True
    return False


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
    if not prim.differentiable and not top.records_everything:
        return prim.impl(*[lowest(a) for a in args], **params)
    return top.process(prim, args, params)


def top_interpreter(values: Any) -> Optional[Interpreter]:
    """The highest-level interpreter among the tracers in ``values`` (None if there are none)."""
    top = None
    for a in values:
        if isinstance(a, Tracer):
            interp = a._interp
            if top is None or interp.level > top.level:
                top = interp
    return top


def lowest(x: Any) -> Any:
    """Strip every tracer layer and return the concrete NumPy value underneath.

    Raises :class:`EscapedTracerError` for a tracer whose transform has ended.
    """
    while isinstance(x, Tracer):
        if x._interp.dead:
            raise escaped_error(x._interp)
        x = x.primal
    return x


def writes_code(*values: Any) -> bool:
    """True while :meth:`Trace.to_python` records a derivative rule as code.

    Its tape records every operation (comparisons too) to print them as program lines, so
    a rule must not take a branch on the numbers there: the branch would be frozen into
    the program.  A rule with a fast path for the usual case (``prod`` without zeros) takes
    its general, branch-free path when this is true.
    """
    return any(isinstance(v, Tracer) and v._interp.records_everything for v in values)


def for_mask(x: Any) -> Any:
    """What a derivative rule builds a mask, a safe divisor or a tie test from.

    Masks are piecewise constant: a rule computes them on the concrete value
    (:func:`lowest`), so they are never differentiated and a second derivative does not
    see them.  While :meth:`Trace.to_python` records the rule (:func:`writes_code`), the
    traced value itself: the comparison is recorded and written into the program, where
    it is right at every point instead of frozen at the traced one.
    """
    if isinstance(x, Tracer) and x._interp.records_everything:
        return x
    return lowest(x)


_NUMPY_REDUCERS = frozenset({"numpy._core._methods", "numpy.lib._nanfunctions_impl"})
"""The modules of NumPy's ``mean``, ``var``, ``std`` and ``nanmean``, ``nanvar``, … for anything
that is not a traced value.

``np.mean([x, y])`` of traced ``x, y`` never reaches adviz's ``mean``: NumPy dispatches on
the list, which has no ``__array_function__``.  NumPy makes an object array of the two
traced values (see ``numpy_api/building.py``) and sums it with its object loop, which adds
the entries with ``+``: the sum is one traced value, recorded as such.  Then it divides and
converts the quotient to the sum's *dtype's* scalar type, ``ret.dtype.type(ret / n)``: for a
float64 value that is ``np.float64(...)``, a conversion to a plain float that would cut
the value out of the derivative (and refuses).  It is also how NumPy keeps a float32 mean
float32: ``ret / n`` with the count ``n`` an ``np.intp`` is float64, and ``np.float32(...)``
rounds it back.  Asked from these modules, a traced value's dtype is a :class:`_CastingDtype`:
the same dtype, whose ``type`` casts a traced value with ``astype`` (a recorded, differentiable
cast, nothing when the dtype is already right) instead of converting it to a plain number.
Everywhere else the dtype is NumPy's own.  (Should NumPy move the modules, the conversion
refuses, as before.)
"""


class _CastingDtype:
    """A traced value's dtype as NumPy's reductions see it (see :data:`_NUMPY_REDUCERS`): it
    compares, hashes and reads as the real dtype, and its ``type`` (a subclass of the real scalar
    type, so ``issubclass(dt.type, np.floating)`` holds) keeps a traced value traced."""

    __slots__ = ("dtype", "type")

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype
        self.type = _casting_type(dtype)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dtype, name)

    def __eq__(self, other: Any) -> bool:
        return self.dtype == (other.dtype if isinstance(other, _CastingDtype) else other)

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __repr__(self) -> str:
        return repr(self.dtype)


_CASTING_TYPES: dict = {}


def _casting_type(dtype: np.dtype) -> type:
    cls = _CASTING_TYPES.get(dtype)
    if cls is None:
        scalar = dtype.type

        def __new__(_cls, value=0, *args):
            if isinstance(value, Tracer):
                from .numpy_api.elementwise import astype

                return astype(value, dtype)
            return scalar(value, *args)

        cls = _CASTING_TYPES[dtype] = type(scalar.__name__, (scalar,), {"__new__": __new__, "__slots__": ()})
    return cls


def _base(x: Any) -> Any:
    """The concrete value under every tracer layer, without the escape check (for shapes
    and dtypes, which stay readable on an escaped tracer, and for its repr)."""
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
        return np.shape(_base(self))

    @property
    def ndim(self) -> int:
        return np.ndim(_base(self))

    @property
    def size(self) -> int:
        return int(np.size(_base(self)))

    @property
    def dtype(self) -> np.dtype:
        if sys._getframe(1).f_globals.get("__name__") in _NUMPY_REDUCERS:
            return _CastingDtype(np.result_type(_base(self)))  # see _NUMPY_REDUCERS
        return np.result_type(_base(self))

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
    def _check_alive(self) -> None:
        x = self
        while isinstance(x, Tracer):
            if x._interp.dead:
                raise escaped_error(x._interp)
            x = x.primal

    def __array__(self, dtype=None, copy=None):
        self._check_alive()
        raise UnsupportedOperation(
            "a traced value cannot be converted to a plain NumPy array: it would drop out of "
            "the derivative. Use NumPy functions on it directly (np.stack instead of "
            "np.array([...]), arithmetic instead of float())."
        )

    def _refuse_scalar(self, kind: str):
        self._check_alive()
        raise UnsupportedOperation(
            f"{kind}() of a traced value would silently cut it out of the derivative; keep it "
            "as an array (use np.* functions, not the math module)."
        )

    def __float__(self):
        self._refuse_scalar("float")

    def __int__(self):
        self._refuse_scalar("int")

    def __complex__(self):
        self._refuse_scalar("complex")

    def __trunc__(self):
        self._refuse_scalar("math.trunc")

    def __floor__(self):
        self._refuse_scalar("math.floor")

    def __ceil__(self):
        self._refuse_scalar("math.ceil")

    def item(self, *args):
        self._refuse_scalar("item")

    def as_integer_ratio(self):  # how statistics.mean and fractions read a number
        self._refuse_scalar("as_integer_ratio")

    def tolist(self):
        self._refuse_scalar("tolist")

    def __setitem__(self, key, value):
        self._check_alive()
        raise UnsupportedOperation(
            "in-place assignment (x[i] = ...) on a traced value is not supported: build a new "
            "array instead (np.where, np.concatenate, or arithmetic with a mask)."
        )

    def __hash__(self):
        return id(self)

    # A traced value is immutable (``x[i] = …`` refuses), so a copy may be the value itself.  The
    # default protocols copied the interpreter too: the copy belonged to no running transform,
    # counted as a constant, and its derivative came out silently 0.
    def __copy__(self):
        self._check_alive()
        return self

    def __deepcopy__(self, memo):
        self._check_alive()
        return self

    def __reduce_ex__(self, protocol):
        raise UnsupportedOperation("a traced value cannot be pickled: it exists only while its transform runs "
                        "(pickle the function's inputs or results instead)")

    def __format__(self, spec: str) -> str:
        """``f"{x:.3f}"`` formats the value (printing never enters the derivative); an empty
        spec gives ``str(x)``.  A spec NumPy cannot apply (``.3f`` of a vector) fails as in NumPy."""
        if not spec:
            return str(self)
        self._check_alive()
        return format(_base(self), spec)

    def __repr__(self) -> str:
        stale = ""
        x = self
        while isinstance(x, Tracer):
            if x._interp.dead:
                stale = f", escaped from {x._interp.name} (its transform has ended; using it raises)"
                break
            x = x.primal
        return f"{type(self).__name__}({_base(self)!r}{stale})"
