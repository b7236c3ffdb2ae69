"""The primitives registry: one entry per operation adviz can differentiate.

``REGISTRY["sin"]`` is the :class:`~adviz.engine.primitives.core.Primitive` for ``np.sin``:
its NumPy implementation, display symbol and LaTeX, its textbook partial ``cos(x)`` and
its forward/reverse rules.  To teach adviz a new operation, add one entry in the module
that fits (``elementwise.py``, ``structural.py``, ``linalg.py``) and map the NumPy
function to it in ``adviz/engine/numpy_api.py``.
"""

from . import elementwise, linalg, structural  # noqa: F401  (registration side effects)
from .core import MINUS_ONE, ONE, REGISTRY, Partial, Primitive, register

# What each reverse rule reads, beyond shapes (see Primitive.vjp_reads).  Anything not
# listed keeps everything, which is always safe.
_VJP_READS = {
    "nothing": ("add", "subtract", "negative", "positive", "sum", "reshape", "transpose", "broadcast_to",
                "getitem", "concatenate", "cumsum"),
    "ans": ("exp", "expm1", "exp2", "tanh", "sqrt", "cbrt", "reciprocal", "tan"),
    "args": ("multiply", "sin", "cos", "log", "log1p", "log2", "log10", "square", "absolute", "arcsin", "arccos",
             "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "matmul"),
}
for _reads, _names in _VJP_READS.items():
    for _name in _names:
        REGISTRY[_name].vjp_reads = _reads
# x**y: the exponent's partial x**y·log(x) reads the result; the base's partial does not.
REGISTRY["power"].vjp_reads = lambda parents: "all" if parents[1] is not None else "args"

__all__ = ["REGISTRY", "Primitive", "Partial", "ONE", "MINUS_ONE", "register"]
