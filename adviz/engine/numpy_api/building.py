"""Building arrays from traced values: ``np.array([x*y, x + y])`` and its relatives.

Why this needs care
-------------------
``np.array`` and ``np.asarray`` are written in C and are *not* dispatched through
``__array_function__``: whatever a tracer does, ``np.array([...])`` returns a genuine
``ndarray``, never a tracer.  While it reads a list, NumPy asks each element that is not a
plain number for an array through the ``__array__`` protocol.  A tracer cannot answer with
its floats (the result would be a constant: a silently wrong, zero derivative), so it
answers with an **object array holding the tracer itself**.  NumPy then builds an array of
``dtype=object`` whose entries are traced values::

    h = np.array([x * y, x + y])      # ndarray(dtype=object): [<traced>, <traced>]

Such an array keeps tracing, entry by entry: NumPy's object loops call each entry's own
operators and methods (``h * 2`` calls ``entry.__mul__``, ``np.sin(h)`` calls
``entry.sin()``, ``W @ h`` multiplies and adds entries), and every one of them is a
recorded operation.  As soon as the array meets adviz again — an operand of a traced
operation, an argument of an ``np.*`` function together with a tracer, or the output of a
transformed function — :func:`lift` turns it into **one traced array**: a single ``pack``
node whose operands are the entries (the "stack" of the issue).  Its derivative is the
obvious one: entry ``i`` of the tangent is the tangent of operand ``i``; the adjoint of
operand ``i`` is entry ``i`` of the adjoint.

What works, what refuses
------------------------
* nested lists, tuples, a mix of traced values and plain numbers, ``np.asarray`` of such a
  list, ``np.r_``/``np.c_`` (pure-Python helpers that call ``np.array``): all trace;
* a traced *array* inside the list (``np.array([v1, v2])``) is answered entry by entry
  (``v[0]``, ``v[1]``, … recorded as indexing), up to :data:`MAX_ENTRIES` entries;
  beyond that the conversion refuses and says to write ``np.stack([v1, v2])``, which is
  one node whatever the size;
* ``np.asarray(x)`` of a *single* traced value reaches ``__array__`` exactly as an entry
  of a list does (NumPy gives no way to tell them apart), so it also gives an object array
  that keeps tracing — never a constant; ``np.float64(x)``, ``float(x)`` and ``x.item()`` ask for
  plain floats and refuse.  ``np.asarray(x, dtype=float)`` and ``np.array([x, y], dtype=float)``
  refuse *here* (NumPy returns a genuine float array whatever ``__array__`` answers), and trace
  because, while a transform runs, ``np.array`` is adviz's entry point that catches the
  refusal and builds the traced array itself (``entry_points.py``);
* NumPy's loops for object arrays need every entry to have the method: ``np.sin`` of an
  object array that mixes traced values with plain numbers fails inside NumPy ("float ...
  has no callable sin method"), which the transform re-words as an
  :class:`UnsupportedOperation` naming the ufunc and ``np.stack`` (see
  ``tracer._explain_numpy_error``).  So while a transform runs ``np.array([x, 1.0])`` and
  ``np.array([[a, b], [c, d]])`` (lists of traced values and numbers, no ``dtype=``) return one
  traced array instead (``entry_points.py``); a list handed to a ufunc directly
  (``np.sin([x, 1.0])``) still meets NumPy's loop and refuses, naming the call to write, and
  ``np.stack([x, 1.0])`` always works;
* ``np.mean``, ``np.var``, ``np.std`` and ``np.median`` of a list of traced values (or of
  such an object array) trace: NumPy sums the entries with ``+`` and converts the result to
  its dtype's scalar type, which for a traced value asked from there is ``object`` (see
  ``Tracer.dtype``): the value itself;
* compiled routines without object loops (``np.linalg.det([[x, y], [z, 1.0]])``) and a
  float ``out=`` array for an object array refuse, re-worded by the transform (NumPy raises
  "Cannot cast ufunc ... from dtype('O')"); the message says to build with ``np.stack``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..primitives.core import Primitive, dtype_of, nbatch, register, shape
from ..primitives.structural import _PerArg
from ..tracer import Tracer, UnsupportedOperation, bind

MAX_ENTRIES = 1024
"""Largest traced array that ``np.array``/``np.asarray`` split into entries (one node each)."""

REFUSE_MESSAGE = (
    "a traced value cannot be converted to a plain NumPy array of numbers: it would drop out of "
    "the derivative. Use NumPy functions on it directly (np.stack([...]) to build an array, "
    "arithmetic instead of float())."
)


DTYPE_MESSAGE = (
    "a traced value cannot become a plain {dtype} array: NumPy would hold plain numbers, constants cut out of "
    "the derivative. This happens with np.{dtype}(x), when a traced value is written into a NumPy array "
    "(a[1:] = x), and with np.array([...], dtype={dtype}) when np.array was bound before the transform "
    "started (from numpy import array). Use x.astype({dtype}) or np.array([...], dtype={dtype}) (both trace), "
    "and build arrays with np.stack, np.concatenate or np.where instead of writing into them. A random "
    "sampler handed a traced parameter (rng.normal(mu, sigma), np.random.uniform(a, b)) asks the same: draw "
    "plain noise and transform it, mu + sigma * rng.standard_normal(shape) (the reparameterization trick)."
)

# ---------------------------------------------------------------- the pack primitive
def _pack_impl(*entries, to):
    dtype = np.result_type(*entries)
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.float64  # plain integers only: a derivative needs floats
    return np.array(entries, dtype=dtype).reshape(to)


def _pack_jvp_all(tangents, ans, *entries, to):
    """Tangent of ``array([e0, e1, …])``: ``array([ė0, ė1, …])``, zeros for constant entries.

    Every entry is a scalar, so a tangent's own shape is its batch shape.
    """
    batch = next(shape(t) for t in tangents if t is not None)
    zero = np.zeros(batch, dtype=dtype_of(ans))
    parts = [t if t is not None else zero for t in tangents]
    return np.reshape(np.stack(parts, axis=-1), batch + tuple(to))


def _pack_jvp(i):
    def jvp(t, ans, *entries, to):
        tangents = [None] * len(entries)
        tangents[i] = t
        return _pack_jvp_all(tangents, ans, *entries, to=to)

    return jvp


def _pack_vjp(i):
    def vjp(g, ans, *entries, to):
        return np.reshape(g, shape(g)[: nbatch(g, ans)] + (-1,))[..., i]

    return vjp


pack = register(Primitive(
    name="pack", vjp_reads="nothing", impl=_pack_impl, template="array([{args}])", symbol="array",
    code="np.reshape(np.array([{args}]), {to})",
    jvps=_PerArg(_pack_jvp), vjps=_PerArg(_pack_vjp), jvp_all=_pack_jvp_all,
    jvp_texts=_PerArg(lambda i: "array(…, {t}, …)"), vjp_texts=_PerArg(lambda i: "{g}[entry]"),
    partial_texts=_PerArg(lambda i: "1 (its entry)"),
    description="an array built from traced values with np.array([...])",
))


# ---------------------------------------------------------------- Tracer.__array__
def tracer_array(self: Tracer, dtype: Any = None, copy: Any = None) -> np.ndarray:
    """``__array__`` of a traced value: an object array that holds it (see the module docstring)."""
    self._check_alive()  # an escaped tracer (its transform has ended) raises, never gets packed
    if dtype is not None and np.dtype(dtype).kind in "iub":
        # np.int64(x), np.asarray(x, dtype=int): an integer cast, piecewise constant like
        # x.astype(int): a plain value (its derivative is zero wherever it exists)
        from ..tracer import lowest

        return np.asarray(lowest(self)).astype(dtype)
    if dtype is not None and np.dtype(dtype) != object:
        raise UnsupportedOperation(DTYPE_MESSAGE.format(dtype=np.dtype(dtype)))
    # copy=False (np.asarray(x, copy=False): "never copy") gets the same holder: a traced value is
    # immutable, so no write can tell a copy from a view (it used to raise NumPy's ValueError)
    s = self.shape
    holder = np.empty(s, dtype=object)
    if not s:
        holder[()] = self
        return holder
    if self.size > MAX_ENTRIES:
        raise TypeError(
            f"np.array/np.asarray would split a traced array of {self.size} entries into one traced "
            f"value per entry (at most {MAX_ENTRIES}). Pass the traced array to NumPy functions "
            "directly, and build arrays from traced arrays with np.stack([...]) or np.concatenate."
        )
    for idx in np.ndindex(*s):
        holder[idx] = self[idx]
    return holder


# ---------------------------------------------------------------- back to one traced array
def holds_tracers(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == object and any(isinstance(e, Tracer) for e in a.flat)


def foreign_arithmetic(a: Any) -> bool:
    """Is ``a`` a ``np.matrix`` or a ``np.ma.MaskedArray``, whose ``*`` and ``sum`` differ from a plain array's?

    Asked without touching ``np.ma``: that attribute imports ``numpy.ma`` (about 40 M machine
    instructions, a tenth of NumPy's own import, on every ``adviz`` command), and a masked array
    can only exist once something has imported ``numpy.ma``.
    """
    if type(a) is np.ndarray or not isinstance(a, np.ndarray):
        return False  # both are ndarray subclasses
    if isinstance(a, np.matrix):
        return True
    ma = sys.modules.get("numpy.ma")
    return ma is not None and isinstance(a, ma.MaskedArray)


def lift(a: Any) -> Any:
    """An object array holding traced values becomes one traced array (a ``pack`` node).

    Anything else is returned unchanged, so callers may apply it to every operand.
    """
    if not (isinstance(a, np.ndarray) and a.dtype == object):
        if foreign_arithmetic(a):
            raise UnsupportedOperation(
                f"a {type(a).__module__}.{type(a).__name__} met a traced value: its arithmetic differs from a "
                "plain array's (matrix * is @, a mask hides entries), so adviz would record the wrong "
                "function; convert it with np.asarray (or np.ma.filled) first")
        return a
    entries = list(a.flat)
    if not any(isinstance(e, Tracer) for e in entries):
        if entries and all(isinstance(e, (int, float, np.number, np.bool_, bool)) for e in entries):
            # every entry became a plain number (np.clip of [x*y, x+y] clipped them all): a constant
            return np.array(entries).reshape(a.shape)
        return a
    if a.ndim == 0:
        return entries[0]
    for e in entries:
        if isinstance(e, Tracer):
            if e.shape != ():
                raise UnsupportedOperation(
                    "an object array holding traced arrays: build it with np.stack([...]) instead"
                )
        elif isinstance(e, np.ndarray) and e.ndim == 0 and e.dtype.kind in "biuf":
            continue  # a plain 0-d array NumPy kept as an entry
        elif not isinstance(e, (int, float, np.number, np.bool_, bool)):
            raise UnsupportedOperation(f"np.array of traced values and {type(e).__name__} objects")
    return bind(pack, *entries, to=a.shape)


def lift_tree(out: Any) -> Any:
    """:func:`lift` every leaf of a (nested) tuple, list or dict of outputs."""
    if isinstance(out, (tuple, list)):
        leaves = [lift_tree(o) for o in out]
        return type(out)(*leaves) if hasattr(out, "_fields") else type(out)(leaves)  # namedtuples too
    if isinstance(out, dict):
        return {k: lift_tree(v) for k, v in out.items()}
    return lift(out)


__all__ = ["pack", "tracer_array", "lift", "lift_tree", "holds_tracers", "foreign_arithmetic", "MAX_ENTRIES"]
