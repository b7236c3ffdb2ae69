"""The primitives registry: one entry per operation adviz can differentiate.

``REGISTRY["sin"]`` is the :class:`~adviz.engine.primitives.core.Primitive` for ``np.sin``:
its NumPy implementation, display symbol and LaTeX, its textbook partial ``cos(x)`` and
its forward/reverse rules.  To teach adviz a new operation, add one entry in the module
that fits (``elementwise.py``, ``structural.py``, ``linalg.py``, ``decompositions.py``) and
map the NumPy function to it in ``adviz/engine/numpy_api/`` (linear algebra:
``adviz/engine/numpy_linalg.py``).
"""

from . import decompositions, elementwise, linalg, structural  # noqa: F401  (registration side effects)
from .core import MINUS_ONE, ONE, REGISTRY, Partial, Primitive, register

__all__ = ["REGISTRY", "Primitive", "Partial", "ONE", "MINUS_ONE", "register"]
