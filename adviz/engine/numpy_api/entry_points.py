"""NumPy calls that never see a traced value: ``np.array([x*y, x + y], dtype=float)``, ``np.cov([a, b, c])``.

Why they need an entry point of their own
-----------------------------------------
NumPy hands a call to adviz (``__array_function__``) only when one of its *arguments* is a
traced value.  A Python list holding traced values is not one, so

* ``np.array([x * y, x + y], dtype=float)`` and ``np.asarray(values, dtype=np.float32)`` run
  NumPy's C code, which must return a genuine float array whatever the entries say: no answer a
  traced value can give makes those numbers part of the derivative (``building.py``);
* ``np.cov([a, b, c])``, ``np.percentile([a, b, c], 30)``, ``np.interp(t, [0, 1], [a, b])`` run
  NumPy's own Python code on an object array of traced values, which fails somewhere inside
  (``interp`` is compiled; ``cov`` reads ``.shape`` of a number it made).

So while a transform runs, these few names of the ``numpy`` module are thin wrappers around
NumPy's own functions (:func:`activate` puts them in place when the first transform of the
process starts and :func:`deactivate` restores NumPy's originals when the last one ends; code
outside every transform calls NumPy's own functions):

* the **array builders** (``np.array``, ``np.asarray``, ``np.asanyarray``) call NumPy first.
  Only when NumPy refuses (a float ``dtype=`` asked of traced values) and the input holds
  traced values do they build one traced array (a ``pack`` node, as ``np.array([x, y])``
  without ``dtype=``) and cast it to the requested float dtype (an ``astype`` node when it
  changes anything).  An integer or bool ``dtype=`` of a list of traced values refuses,
  naming the call: the integers hold no derivative.  Plain input never takes this path, so
  NumPy's result and speed are unchanged;
  A list of traced values (plain numbers mixed in or not) without ``dtype=`` comes back as
  one traced array too: as NumPy's object array its plain entries have no ``.sin()`` for
  NumPy's object loops (``np.sin(np.array([x, 1.0]))`` failed), and compiled routines cannot
  read objects at all (``np.linalg.det(np.array([[a, b], [b, a * a]]))`` failed);
* the **list readers** (``cov``, ``corrcoef``, ``percentile``, ``quantile``, ``interp``, ``max``, …)
  turn each argument that is a list, tuple or object array holding traced values into one
  traced array first, which is what NumPy's own first line (``np.asarray(m)``) means, and then
  call NumPy's function, which now hands the call to adviz's rule (for ``np.max([x, y])`` NumPy's
  object loop would pick one of two tied entries, where adviz's ``max`` shares the slope);  ``np.interp`` and ``np.unwrap`` with plain
  arrays and a traced ``left=``, ``right=``, ``period=`` or ``discont=`` call adviz's rule directly (NumPy's
  dispatch does not look at those options);
* the **value takers** (``full``, ``full_like``, ``pad``, ``nan_to_num``, ``select``) are
  functions whose dispatcher hands NumPy only the array (or, for ``np.full``, nothing): a traced
  fill value (``np.full(3, x, dtype=float)``, ``np.full_like(a, x)``, ``np.pad(a, 1,
  constant_values=x)``, ``np.nan_to_num(a, nan=x)``, ``np.select(conds, plain_choices,
  default=x)``, ``np.piecewise(a, conds, [x, f])``) reached NumPy's own code, which writes it into a float array and refused (or,
  for ``select``, into an object array).  When any argument holds a traced value they call
  adviz's rule directly.

Code that bound a name before (``from numpy import array``) keeps NumPy's function and
with it the refusal, never a wrong number.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable

import numpy as np

from .. import tracer
from ..tracer import Tracer, UnsupportedOperation, complex_error
from .building import lift

BUILDERS = ("array", "asarray", "asanyarray")
READERS = ("cov", "corrcoef", "percentile", "quantile", "nanpercentile", "nanquantile", "interp", "nanmean", "nanvar",
           "nanstd", "unwrap", "poly", "max", "min", "amax", "amin")
# readers whose options may be traced while the arrays are plain (np.interp(x, xp, fp, period=p)):
# NumPy's dispatch looks at x, xp and fp only, so adviz's rule is called directly
OPTION_READERS = ("interp", "unwrap", "cov")
VALUE_TAKERS = ("full", "full_like", "pad", "nan_to_num", "select", "piecewise")

_ORIGINALS: dict[str, Callable] = {name: getattr(np, name) for name in BUILDERS + READERS + VALUE_TAKERS}
_LOCK = threading.Lock()
_running = 0  # transforms running in this process (all threads)
_MAX_DEPTH = 32  # nesting of lists scanned for traced values


def holds_traced(obj: Any, depth: int = 0) -> bool:
    """Whether ``obj`` is a traced value, or a (nested) list, tuple or object array holding one."""
    if isinstance(obj, Tracer):
        return True
    if isinstance(obj, (list, tuple)) and depth < _MAX_DEPTH:
        return any(holds_traced(e, depth + 1) for e in obj)
    if isinstance(obj, np.ndarray) and obj.dtype == object:
        return any(isinstance(e, Tracer) or holds_traced(e, depth + 1) for e in obj.flat)
    return False


def traced_array(obj: Any) -> Any:
    """A list (nested, mixing traced values and numbers) as one traced array: ``np.array(obj)``
    without ``dtype=``, then :func:`~.building.lift` (one ``pack`` node)."""
    if isinstance(obj, Tracer):
        return obj
    return lift(_ORIGINALS["array"](obj, dtype=object) if not isinstance(obj, np.ndarray) else obj)


def _builder(name: str) -> Callable:
    numpy_fn = _ORIGINALS[name]

    @functools.wraps(numpy_fn)
    def build(*args: Any, **kwargs: Any) -> Any:
        try:
            out = numpy_fn(*args, **kwargs)
            if type(out) is np.ndarray and out.dtype == object and out.size and type(args[0] if args else None) in (
                    list, tuple) and (len(args) < 2 or args[1] is None) and kwargs.get("dtype") is None \
                    and _traced_numbers(out):
                # np.array([x, 1.0]): NumPy's ufunc loops would call 1.0.sin(); np.array([[a, b], [c, d]]):
                # compiled routines (np.linalg.det) cannot read objects
                return lift(out)
            return out
        except (TypeError, ValueError) as exc:
            obj = args[0] if args else kwargs.get("object", kwargs.get("a"))
            dtype = args[1] if len(args) > 1 else kwargs.get("dtype")
            if dtype is None or not holds_traced(obj):
                raise
            dtype = np.dtype(dtype)
            if dtype.kind == "c":
                raise complex_error(f"np.{name}(..., dtype={dtype.name})") from exc
            if dtype.kind in "iub":
                raise UnsupportedOperation(
                    f"np.{name}(..., dtype={dtype.name}) of traced values: a {dtype.name} array holds plain "
                    f"values, cut out of the derivative. Leave out dtype= (np.{name}([...]) of traced values "
                    f"traces), or write np.stack([...]).astype({dtype.name}) for the plain values."
                ) from exc
            if dtype.kind != "f":
                raise
        from .elementwise import astype
        from .shapes import reshape

        out = astype(traced_array(obj), dtype)
        ndmin = int(kwargs.get("ndmin", 0))
        if np.ndim(out) < ndmin:
            out = reshape(out, (1,) * (ndmin - np.ndim(out)) + tuple(np.shape(out)))
        return out

    return build


def _traced_numbers(out: np.ndarray) -> bool:
    """Whether an object array holds traced values and nothing but plain numbers besides
    (``np.array([x, 1.0])``, ``np.array([[a, b], [c, d]])``)."""
    traced = False
    for e in out.flat:
        if isinstance(e, Tracer):
            if e.shape != ():
                return False  # a traced array inside: lift refuses it, NumPy's object array as it is
            traced = True
        elif not (isinstance(e, (int, float, np.number, np.bool_)) or (
                isinstance(e, np.ndarray) and e.ndim == 0 and e.dtype.kind in "biuf")):
            return False  # anything else (a string, a list): NumPy's object array, as it is
    return traced


def _reader(name: str) -> Callable:
    numpy_fn = _ORIGINALS[name]

    @functools.wraps(numpy_fn)
    def read(*args: Any, **kwargs: Any) -> Any:
        if any(type(a) in (list, tuple) or (type(a) is np.ndarray and a.dtype == object)
               for a in (*args, *kwargs.values())):
            args = tuple(traced_array(a) if _traced_sequence(a) else a for a in args)
            kwargs = {k: traced_array(v) if _traced_sequence(v) else v for k, v in kwargs.items()}
        if name in OPTION_READERS and any(isinstance(v, Tracer) for v in (*args, *kwargs.values())):
            from . import FUNCTIONS

            return FUNCTIONS[numpy_fn](*args, **kwargs)  # a traced option NumPy's dispatch does not look at
        return numpy_fn(*args, **kwargs)

    return read


def _traced_sequence(a: Any) -> bool:
    return (type(a) in (list, tuple) or (type(a) is np.ndarray and a.dtype == object)) and holds_traced(a)


def _value_taker(name: str) -> Callable:
    numpy_fn = _ORIGINALS[name]

    @functools.wraps(numpy_fn)
    def take(*args: Any, **kwargs: Any) -> Any:
        if any(holds_traced(a) for a in (*args, *kwargs.values())):
            from . import FUNCTIONS

            return FUNCTIONS[numpy_fn](*args, **kwargs)  # adviz's rule, whichever argument is traced
        return numpy_fn(*args, **kwargs)

    return take


_WRAPPERS: dict[str, Callable] = {**{n: _builder(n) for n in BUILDERS}, **{n: _reader(n) for n in READERS},
                                  **{n: _value_taker(n) for n in VALUE_TAKERS}}
_NUMPY_NAMES = vars(np)  # the numpy module's namespace: np.array is _NUMPY_NAMES["array"]


def activate() -> None:
    """A transform starts: the first one puts the wrappers in place."""
    global _running
    with _LOCK:
        _running += 1
        if _running == 1:
            _NUMPY_NAMES.update(_WRAPPERS)  # one dict update: every transform pays for this


def deactivate() -> None:
    """A transform ends: the last one puts NumPy's own functions back."""
    global _running
    with _LOCK:
        _running -= 1
        if _running == 0:
            _NUMPY_NAMES.update(_ORIGINALS)


tracer.TRANSFORM_HOOKS[:] = [activate, deactivate]

__all__ = ["BUILDERS", "READERS", "VALUE_TAKERS", "activate", "deactivate", "holds_traced", "traced_array"]
