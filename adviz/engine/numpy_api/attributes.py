"""Array attributes a traced value does not define itself: forward them, or refuse clearly.

``x.take(idx)`` is ``np.take(x, idx)``: when NumPy's method is its function in disguise and
the function is supported, the method works too.  One method puts the array elsewhere:
``x.compress(condition)`` is ``np.compress(condition, x)``, the array *second* (passed first, the
traced array became the condition and the boolean mask the data: a silent zero derivative).  ``x.sort()`` sorts *in place*, which a
traced value (an immutable record of a computation) cannot do: the refusal names the
function to use instead.  Any other ``ndarray`` attribute is refused by name rather than
failing with ``AttributeError: 'Dual' object has no attribute …``, which names a class the
user never wrote.  The refusal is both an :class:`UnsupportedOperation` and an
``AttributeError``, so ``hasattr(x, name)`` stays ``False`` and NumPy's own probing works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tracer import UnsupportedOperation, lowest

# ndarray methods that are exactly the NumPy function of the same name applied to the array
_SAME_AS_FUNCTION = frozenset({
    "all", "any", "argmax", "argmin", "argpartition", "argsort", "choose", "clip", "conj", "conjugate",
    "cumprod", "cumsum", "diagonal", "dot", "max", "mean", "min", "nonzero", "prod", "ravel", "repeat", "round",
    "searchsorted", "squeeze", "std", "sum", "swapaxes", "take", "trace", "var",
})
_SAME_AS_FUNCTION_PROPERTY = frozenset({"imag", "real"})
# ndarray methods that are the NumPy function with the array in second place
_ARRAY_SECOND = frozenset({"compress"})

# methods that change the array in place, and what to write instead
_IN_PLACE = {
    "sort": "np.sort(x)", "partition": "np.partition(x, kth)", "fill": "np.full_like(x, value)",
    "resize": "np.resize(x, shape)", "put": "np.where or np.concatenate", "itemset": "np.where",
    "setfield": "arithmetic on a new array", "byteswap": "a new array", "setflags": "a new array",
}


# ndarray attributes NumPy lets you assign to, and what to write instead
ASSIGNABLE = {
    "shape": "write x = x.reshape(new_shape) instead", "dtype": "x.astype(dtype) is the cast that traces",
    "real": "build a new array (np.where, or arithmetic with a mask)", "imag": "complex values are not supported",
}


class UnsupportedAttribute(UnsupportedOperation, AttributeError):
    """An ``ndarray`` attribute adviz has no rule for on traced values."""


def missing_attribute(self: Any, name: str) -> Any:
    """``Tracer.__getattr__``: called only when ``name`` is not found the ordinary way."""
    if name.startswith("__"):
        raise AttributeError(name)
    from . import (
        FUNCTIONS,  # the dispatch table, filled in after this module is imported
    )

    fn = getattr(np, name, None)
    if fn is not None and fn in FUNCTIONS:
        if name in _SAME_AS_FUNCTION:
            return lambda *args, **kwargs: fn(self, *args, **kwargs)
        if name in _ARRAY_SECOND:
            return lambda first, *args, **kwargs: fn(first, self, *args, **kwargs)
        if name in _SAME_AS_FUNCTION_PROPERTY:
            return fn(self)
    if name in _IN_PLACE:
        raise UnsupportedAttribute(f"x.{name}() changes the array in place, which a traced value cannot do: "
                                   f"use {_IN_PLACE[name]} instead")
    if hasattr(np.ndarray, name):
        raise UnsupportedAttribute(f"x.{name} is not supported on traced values (adviz has no rule for it)")
    raise AttributeError(f"a traced {type(lowest(self)).__name__} has no attribute {name!r}")


def round_(self: Any, ndigits: Any = None) -> Any:
    """``round(x)``: a plain value, like ``np.round`` (rounding has slope 0 almost everywhere)."""
    value = lowest(self)
    if isinstance(value, np.ndarray):  # a 0-d array too: NumPy's arrays have no __round__
        raise TypeError("round() of an array is not defined in NumPy either: use np.round(x, decimals)")
    return round(value) if ndigits is None else np.round(value, ndigits)


def three_argument_pow(power: Any) -> Any:
    """``x ** y`` with a refusal for ``pow(x, y, mod)``, which Python sends to the same method
    (NumPy has no modular power for arrays either)."""

    def __pow__(self: Any, other: Any, mod: Any = None) -> Any:
        if mod is not None:
            raise UnsupportedOperation("pow(x, y, mod) of a traced value: a modular power is integer "
                                       "arithmetic, with no derivative (NumPy has none for arrays either)")
        return power(self, other)

    return __pow__


def assignable(cls: type, name: str) -> property:
    """``cls``'s attribute ``name`` as a property whose assignment (``x.shape = (3, 1)``, which NumPy
    does in place) is refused by name, instead of ``property 'shape' of 'TapeVar' object has no setter``."""
    current = cls.__dict__.get(name) or getattr(cls, name, None)
    fget = current.fget if isinstance(current, property) else (lambda self: missing_attribute(self, name))

    def refuse(self: Any, value: Any) -> None:
        raise UnsupportedAttribute(f"x.{name} = ... changes the array in place, which a traced value cannot do: "
                                   f"{ASSIGNABLE[name]}")

    return property(fget, refuse, doc=getattr(current, "__doc__", None))
