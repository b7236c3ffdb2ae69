"""Functions of sin, cos, sinh and cosh with second derivatives written by hand.

The tests of value sharing between sweeps (``test_forward.py`` for forward-over-reverse,
``test_tape_shared.py`` for reverse-over-reverse) check Hessian-vector products against these
formulas: ``f(x) = Σ g(xᵢ)`` has ``H·v = g''(x)·v``, so a stale or wrongly declared shared
value shows as a wrong number here, never compared with the engine itself.
"""

import numpy as np

SECOND = {
    "sin": (lambda x: np.sum(np.sin(x)), lambda x: -np.sin(x)),
    "cos": (lambda x: np.sum(np.cos(x)), lambda x: -np.cos(x)),
    "sinh": (lambda x: np.sum(np.sinh(x)), lambda x: np.sinh(x)),
    "cosh": (lambda x: np.sum(np.cosh(x)), lambda x: np.cosh(x)),
    "sin·cos": (lambda x: np.sum(np.sin(x) * np.cos(x)), lambda x: -4 * np.sin(x) * np.cos(x)),
    "sin(sin)": (lambda x: np.sum(np.sin(np.sin(x))),
                 lambda x: -np.sin(np.sin(x)) * np.cos(x) ** 2 - np.cos(np.sin(x)) * np.sin(x)),
    "cos(sin)": (lambda x: np.sum(np.cos(np.sin(x))),
                 lambda x: -np.cos(np.sin(x)) * np.cos(x) ** 2 + np.sin(np.sin(x)) * np.sin(x)),
    "cosh·sin": (lambda x: np.sum(np.cosh(x) * np.sin(x)), lambda x: 2 * np.sinh(x) * np.cos(x)),
    "W2": (lambda x: np.sum(np.sin(x) * np.exp(-x**2) + np.log1p(x**2)),
           lambda x: np.exp(-x * x) * ((4 * x * x - 3) * np.sin(x) - 4 * x * np.cos(x))
           + 2 * (1 - x * x) / (1 + x * x) ** 2),
}
"""name → (f, g''): ``f`` sums ``g`` over the entries; ``g''`` is its second derivative by hand."""
