"""Products: matmul (``@``).  The other products and ``np.linalg`` live in ``engine/numpy_linalg.py``."""

from __future__ import annotations

from ..primitives import REGISTRY as P
from ..tracer import bind
from ._common import _as_operand


def matmul(a, b):
    return bind(P["matmul"], _as_operand(a), _as_operand(b))
