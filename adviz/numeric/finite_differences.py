"""Finite differences and the complex step: derivatives *approximated* from function values.

Automatic differentiation is easiest to appreciate next to the methods it replaces. This module
implements them for plain NumPy callables, so that adviz can measure (not just claim) how
accurate and how expensive they are.

The idea
--------
Taylor's theorem says ``f(x + s·h) = f(x) + s·h·f'(x) + (s·h)²/2·f''(x) + …``. Evaluate f at a
few points ``x + s_j·h`` (the *stencil* offsets ``s_j``), take a weighted sum, and choose the
weights ``w_j`` so that every Taylor term cancels except the one holding ``f'(x)``::

    f'(x) ≈ (1/h) · Σ_j w_j · f(x + s_j·h)

The first Taylor term that does *not* cancel sets the **truncation error** ``C·h^p``; p is the
stencil's order. Making h small shrinks it, but every f value carries a rounding error of about
``ε·|f(x)|`` (ε ≈ 2.2e-16 in float64), and the formula divides by h: the **round-off error**
grows like ``ε·|f|/h``. The total error is smallest where the two balance, near
``h* ≈ ε^(1/(p+1))``: ``√ε ≈ 1.5e-8`` for one-sided differences (p = 1), ``∛ε ≈ 6e-6`` for
central differences (p = 2). Scaled by ``max(1, |x|)`` those are the defaults used here.

The **complex step** ``f'(x) ≈ Im f(x + i·h) / h`` subtracts nothing, so nothing cancels: h can
be 1e-20 and the answer is correct to machine precision. It needs f to be written with
operations that accept complex numbers (no ``abs``, no ``np.real``, no ``float(·)``).

Every function here returns an :class:`FDResult` holding the estimate *and the number of times
f was called*, because the cost of a finite-difference gradient (n + 1 or 2n calls for n inputs)
is the other half of the lesson.

Example
-------
>>> import numpy as np
>>> r = derivative(np.sin, 1.0, method="central")
>>> round(float(r.value), 9), r.evaluations
(0.540302306, 2)
>>> gradient(lambda v: v[0] * v[1], np.array([2.0, 5.0]), method="forward").evaluations
3
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import factorial
from typing import Any

import numpy as np

__all__ = [
    "EPS",
    "METHODS",
    "FDResult",
    "Stencil",
    "backward_difference",
    "backward_stencil",
    "central_difference",
    "central_stencil",
    "complex_step",
    "default_step",
    "derivative",
    "forward_difference",
    "forward_stencil",
    "gradient",
    "jacobian",
    "method_order",
    "richardson",
    "stencil_coefficients",
]

EPS: float = float(np.finfo(np.float64).eps)
"""Machine epsilon of float64: the gap between 1.0 and the next larger float (≈ 2.22e-16)."""

METHODS: tuple[str, ...] = (
    "forward",
    "backward",
    "central",
    "central4",
    "central6",
    "central8",
    "richardson",
    "complex",
)
"""Method names accepted by :func:`derivative`, :func:`gradient` and :func:`jacobian`."""


# ---------------------------------------------------------------------------------------------
# Stencils: offsets and exact weights, derived by solving a Vandermonde system
# ---------------------------------------------------------------------------------------------


def _solve_exact(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """Gaussian elimination in exact rational arithmetic (no rounding at all)."""
    n = len(rhs)
    rows = [list(row) + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            raise ValueError("stencil offsets must be distinct")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def stencil_coefficients(offsets: Sequence[int], derivative: int = 1) -> tuple[Fraction, ...]:
    """Exact weights w_j with ``f^(d)(x) ≈ h^-d · Σ_j w_j f(x + s_j h)`` for the given offsets s_j.

    Expanding every ``f(x + s_j h)`` in a Taylor series and asking the weighted sum to keep only
    the d-th derivative gives one equation per Taylor term k = 0 … N-1 (N = number of offsets)::

        Σ_j w_j · s_j^k = k! · [k == d]

    a Vandermonde system. It is solved here with fractions, so the classic weights appear
    exactly: offsets (-1, 0, 1) give (-1/2, 0, 1/2); (-2, -1, 0, 1, 2) give
    (1/12, -2/3, 0, 2/3, -1/12).

    >>> [str(w) for w in stencil_coefficients([-2, -1, 0, 1, 2])]
    ['1/12', '-2/3', '0', '2/3', '-1/12']
    """
    s = [Fraction(o) for o in offsets]
    n = len(s)
    if len(set(s)) != n:
        raise ValueError(f"stencil offsets must be distinct, got {list(offsets)}")
    if not 0 <= derivative < n:
        raise ValueError(f"a derivative of order {derivative} needs more than {n} offsets")
    matrix = [[sj**k for sj in s] for k in range(n)]
    rhs = [Fraction(factorial(k)) if k == derivative else Fraction(0) for k in range(n)]
    return tuple(_solve_exact(matrix, rhs))


def _truncation_order(offsets: Sequence[Fraction], weights: Sequence[Fraction], derivative: int) -> int:
    """The first Taylor power k > d whose moment Σ w_j s_j^k does not vanish, minus d.

    The weights cancel the moments k < N by construction; symmetric stencils also cancel
    every other one after that, which is why central differences gain an extra order.
    """
    k = len(offsets)
    while sum(w * Fraction(s) ** k for s, w in zip(offsets, weights)) == 0:
        k += 1
    return k - derivative


@dataclass(frozen=True)
class Stencil:
    """A first-derivative finite-difference formula: offsets s_j, exact weights w_j, order p.

    ``terms`` keeps only the offsets whose weight is non-zero: those are the f evaluations the
    formula actually needs (the central difference never looks at f(x) itself).
    """

    name: str
    offsets: tuple[int, ...]
    weights: tuple[Fraction, ...]
    order: int

    @classmethod
    def from_offsets(cls, name: str, offsets: Sequence[int]) -> Stencil:
        weights = stencil_coefficients(offsets, 1)
        order = _truncation_order([Fraction(o) for o in offsets], weights, 1)
        return cls(name, tuple(int(o) for o in offsets), weights, order)

    @property
    def terms(self) -> tuple[tuple[int, float], ...]:
        """(offset, float weight) pairs with non-zero weight."""
        return tuple((s, float(w)) for s, w in zip(self.offsets, self.weights) if w != 0)

    def formula(self) -> str:
        """The stencil as text, e.g. ``(-1/2·f(x-h) + 1/2·f(x+h)) / h``."""
        parts = []
        for s, w in zip(self.offsets, self.weights):
            if w == 0:
                continue
            point = "x" if s == 0 else f"x{'+' if s > 0 else '-'}{'' if abs(s) == 1 else abs(s)}h"
            parts.append(f"{w}·f({point})")
        return "(" + " + ".join(parts).replace("+ -", "- ") + ") / h"


def forward_stencil(order: int = 1) -> Stencil:
    """One-sided stencil on offsets 0, 1, …, order (order 1 is ``(f(x+h) - f(x)) / h``)."""
    return Stencil.from_offsets("forward" if order == 1 else f"forward{order}", range(order + 1))


def backward_stencil(order: int = 1) -> Stencil:
    """One-sided stencil on offsets -order, …, 0 (order 1 is ``(f(x) - f(x-h)) / h``)."""
    return Stencil.from_offsets("backward" if order == 1 else f"backward{order}", range(-order, 1))


def central_stencil(order: int = 2) -> Stencil:
    """Symmetric stencil of even ``order`` on offsets -order/2 … order/2; it needs ``order`` calls."""
    if order < 2 or order % 2:
        raise ValueError(f"central stencils have an even order >= 2, got {order}")
    half = order // 2
    return Stencil.from_offsets("central" if order == 2 else f"central{order}", range(-half, half + 1))


_STENCILS: dict[str, Callable[[], Stencil]] = {
    "forward": forward_stencil,
    "backward": backward_stencil,
    "central": central_stencil,
    "central4": lambda: central_stencil(4),
    "central6": lambda: central_stencil(6),
    "central8": lambda: central_stencil(8),
}


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def method_order(method: str, levels: int = 2) -> int:
    """Truncation order p (error ≈ C·h^p) of a method: forward 1, central 2, complex 2, …"""
    _check_method(method)
    if method == "complex":
        return 2  # Im f(x+ih)/h = f'(x) - h²/6·f'''(x) + …
    if method == "richardson":
        return 2 * levels  # each level of the table removes the next even power of h
    return _STENCILS[method]().order


def default_step(x: Any, method: str = "central", levels: int = 2) -> np.ndarray:
    """The textbook step per component of x: ``ε^(1/(p+1)) · max(1, |x|)``.

    Balancing truncation ``C·h^p`` against round-off ``ε·|f|/h`` puts the best h at
    ``ε^(1/(p+1))`` when f and its derivatives are of size one: √ε ≈ 1.5e-8 for forward and
    backward differences, ∛ε ≈ 6.1e-6 for central ones. The factor ``max(1, |x|)`` keeps
    ``x + h`` distinguishable from x when |x| is large. The complex step has no round-off
    to balance, so it just takes a tiny h (1e-20).
    """
    scale = np.maximum(1.0, np.abs(np.asarray(x, dtype=float)))
    if _check_method(method) == "complex":
        return np.full_like(scale, 1e-20)
    return EPS ** (1.0 / (method_order(method, levels) + 1)) * scale


# ---------------------------------------------------------------------------------------------
# Results and evaluation counting
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FDResult:
    """A numerical derivative and what it cost.

    value:        the estimate (a float for a scalar derivative, else an array of shape
                  ``output.shape + input.shape`` like ``jax.jacfwd``)
    evaluations:  how many times f was called to get it
    method:       the method name, h: the step(s) used, order: truncation order p
    """

    value: Any
    evaluations: int
    method: str
    h: Any
    order: int


class _Counted:
    """Wraps f and counts calls, so evaluation counts are measured rather than assumed."""

    def __init__(self, f: Callable[[Any], Any]):
        self.f = f
        self.calls = 0

    def __call__(self, x: Any) -> np.ndarray:
        self.calls += 1
        return np.asarray(self.f(x))


def _as_point(flat: np.ndarray, shape: tuple[int, ...]) -> Any:
    """Give f a scalar when x was a scalar, otherwise an array of x's shape."""
    return flat[0] if shape == () else flat.reshape(shape)


def _steps(x: np.ndarray, h: Any, method: str, levels: int) -> np.ndarray:
    if h is None:
        return default_step(x, method, levels).ravel()
    steps = np.broadcast_to(np.asarray(h, dtype=float), x.shape).ravel().copy()
    if not np.all(np.isfinite(steps)) or np.any(steps <= 0):
        raise ValueError(f"step h must be positive and finite, got {h!r}")
    return steps


def _exact_steps(x: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Replace h by ``(x + h) - x``, a step that floating point represents exactly.

    Without this, the computer evaluates f at x + h̃ with h̃ ≠ h but divides by h: an error
    of relative size ε·|x|/h that has nothing to do with f.
    """
    exact = (x + steps) - x
    if np.any(exact == 0):
        i = int(np.argmax(exact == 0))
        raise ValueError(f"step h={steps[i]:.3g} is too small to change x={x[i]!r} in float64")
    return exact


def _jacobian(f, x, method: str, h, levels: int = 2, exact_step: bool = True) -> FDResult:
    """Shared engine: one finite-difference derivative per input component (a column of J)."""
    _check_method(method)
    x_arr = np.asarray(x, dtype=float)
    shape, flat = x_arr.shape, x_arr.ravel()
    steps = _steps(x_arr, h, method, levels)
    if exact_step and method != "complex":
        steps = _exact_steps(flat, steps)
    counted = _Counted(f)
    if method == "complex":
        columns = [_complex_column(counted, flat, shape, i, steps[i]) for i in range(flat.size)]
    elif method == "richardson":
        columns = [_richardson_column(counted, flat, shape, i, steps[i], levels) for i in range(flat.size)]
    else:
        stencil = _STENCILS[method]()
        f0 = counted(_as_point(flat, shape)) if any(s == 0 for s, _ in stencil.terms) else None
        columns = [_stencil_column(counted, flat, shape, i, steps[i], stencil, f0) for i in range(flat.size)]
    if not columns:
        raise ValueError("x has no components to differentiate with respect to")
    value = np.stack(columns, axis=-1)
    value = value.reshape(value.shape[:-1] + shape)
    if value.ndim == 0:
        value = float(value)
    h_out = float(steps[0]) if shape == () else steps.reshape(shape)
    return FDResult(value, counted.calls, method, h_out, method_order(method, levels))


def _shifted(flat: np.ndarray, i: int, delta: complex) -> np.ndarray:
    point = flat.astype(complex if isinstance(delta, complex) else float)
    point[i] = point[i] + delta
    return point


def _stencil_column(counted, flat, shape, i, h, stencil: Stencil, f0):
    total = 0.0
    for s, w in stencil.terms:
        value = f0 if s == 0 else counted(_as_point(_shifted(flat, i, s * h), shape))
        total = total + w * value
    return total / h


def _complex_column(counted, flat, shape, i, h):
    value = counted(_as_point(_shifted(flat, i, 1j * h), shape))
    if not np.iscomplexobj(value):
        raise TypeError(
            "complex step: f returned a real value for a complex input; write f with operations "
            "that keep complex numbers (no abs, np.real, float() or math.* functions)"
        )
    return value.imag / h


def _richardson_column(counted, flat, shape, i, h, levels):
    """Richardson's table on central differences at h, h/2, h/4, …

    Central differences have the error expansion ``D(h) = f' + c2 h² + c4 h⁴ + …``. Combining
    two neighbours, ``(4·D(h/2) - D(h)) / 3`` cancels the h² term; the next column cancels h⁴
    with the factor 16, and so on. Each level costs one more central difference (2 calls).
    """
    stencil = central_stencil(2)
    table = [[_stencil_column(counted, flat, shape, i, h / 2**k, stencil, None)] for k in range(levels)]
    for k in range(1, levels):
        for j in range(1, k + 1):
            factor = 4.0**j
            table[k].append(table[k][j - 1] + (table[k][j - 1] - table[k - 1][j - 1]) / (factor - 1))
    return table[-1][-1]


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def derivative(
    f: Callable[[Any], Any],
    x: float,
    method: str = "central",
    h: float | None = None,
    *,
    levels: int = 2,
    exact_step: bool = True,
) -> FDResult:
    """f'(x) for scalar x by ``method`` (see :data:`METHODS`); f may return a scalar or an array.

    h defaults to :func:`default_step`; ``levels`` is the depth of the Richardson table;
    ``exact_step`` replaces h by the representable step ``(x + h) - x``.
    """
    if np.ndim(x) != 0:
        raise ValueError(f"derivative() needs a scalar x, got shape {np.shape(x)}; use gradient() or jacobian()")
    return _jacobian(f, x, method, h, levels, exact_step)


def gradient(
    f: Callable[[Any], Any],
    x: Any,
    method: str = "central",
    h: Any = None,
    *,
    levels: int = 2,
    exact_step: bool = True,
) -> FDResult:
    """∇f(x) for scalar-valued f of an array x: one directional difference per component.

    Cost for n = x.size inputs: forward/backward n + 1 calls (f(x) is shared), central 2n,
    an order-p central stencil p·n, Richardson 2·levels·n, complex step n.
    """
    result = _jacobian(f, x, method, h, levels, exact_step)
    if np.ndim(result.value) != np.ndim(x):
        raise ValueError(
            f"gradient() needs f to return a scalar, got an output of shape "
            f"{np.shape(result.value)[: np.ndim(result.value) - np.ndim(x)]}; use jacobian()"
        )
    return result


def jacobian(
    f: Callable[[Any], Any],
    x: Any,
    method: str = "central",
    h: Any = None,
    *,
    levels: int = 2,
    exact_step: bool = True,
) -> FDResult:
    """The Jacobian of f: Rⁿ → Rᵐ, shape ``f(x).shape + x.shape`` (m × n for vectors).

    Finite differences build it column by column: each input component is perturbed once per
    stencil point, so the cost grows with n, the number of inputs, whatever m is.
    """
    return _jacobian(f, x, method, h, levels, exact_step)


def forward_difference(f: Callable[[Any], Any], x: Any, h: Any = None) -> FDResult:
    """``(f(x+h) - f(x)) / h``: truncation error ≈ h·|f''|/2 (order 1)."""
    return _jacobian(f, x, "forward", h)


def backward_difference(f: Callable[[Any], Any], x: Any, h: Any = None) -> FDResult:
    """``(f(x) - f(x-h)) / h``: truncation error ≈ h·|f''|/2 (order 1)."""
    return _jacobian(f, x, "backward", h)


def central_difference(f: Callable[[Any], Any], x: Any, h: Any = None, order: int = 2) -> FDResult:
    """Central stencil of even ``order`` (2: ``(f(x+h) - f(x-h)) / 2h``, error ≈ h²·|f'''|/6)."""
    name = "central" if order == 2 else f"central{order}"
    if name not in _STENCILS:
        central_stencil(order)  # raises for odd orders
        raise ValueError(f"central orders offered are 2, 4, 6, 8; got {order}")
    return _jacobian(f, x, name, h)


def complex_step(f: Callable[[Any], Any], x: Any, h: Any = None) -> FDResult:
    """``Im f(x + i·h) / h``: no subtraction, hence no cancellation; exact to rounding for tiny h."""
    return _jacobian(f, x, "complex", h)


def richardson(f: Callable[[Any], Any], x: Any, h: Any = None, levels: int = 2) -> FDResult:
    """Richardson extrapolation of central differences at h, h/2, …, h/2^(levels-1) (order 2·levels)."""
    if levels < 1:
        raise ValueError(f"levels must be >= 1, got {levels}")
    return _jacobian(f, x, "richardson", h, levels)
