"""The error of a finite difference as a function of the step h: the V-shaped curve.

Sweep h over many decades (1e-16 … 1e-1), compute f'(x) by each method at every h, and compare
with an exact value (AD's, or an analytic formula). On a log-log plot a one-sided or central
difference draws a V:

* right branch, **truncation**: the neglected Taylor terms, ``error ≈ C·h^p``: a straight line
  of slope p (1 for forward/backward differences, 2 for central ones);
* left branch, **round-off**: f is only known to about ``ε_f`` (a few ulps of f), and the
  formula divides differences of such values by h: ``error ≈ R/h``, a line of slope -1. It
  ends where ``x + h`` rounds back to x and the difference is exactly 0 (relative error 1);
* the bottom, **best h**, where the two meet: ``h* = (R / (p·C))^(1/(p+1))``. If f and its
  derivatives are of size one this is ``ε^(1/(p+1))``: the textbook estimates √ε and ∛ε.

The complex step has no left branch: its error falls like h² and then stays at machine
precision however small h gets.

:func:`error_sweep` measures all of this: the curves, slopes *fitted* on each branch (not
assumed), the constants C and R, the best h found against the textbook estimate, and the
model curves ``C·h^p`` and ``R/h`` for plotting.

>>> import numpy as np
>>> s = error_sweep(np.exp, 1.0, exact=np.e)
>>> round(s.curves["forward"].truncation_slope), round(s.curves["central"].truncation_slope)
(1, 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .finite_differences import _STENCILS, EPS, METHODS, default_step, derivative, method_order

__all__ = ["ErrorSweep", "MethodCurve", "error_sweep", "fit_slope"]


def fit_slope(hs: np.ndarray, errors: np.ndarray) -> float:
    """Least-squares slope of log10(error) against log10(h); NaN with fewer than 3 points."""
    hs, errors = np.asarray(hs, float), np.asarray(errors, float)
    keep = (errors > 0) & np.isfinite(errors)
    if keep.sum() < 3:
        return float("nan")
    slope, _ = np.polyfit(np.log10(hs[keep]), np.log10(errors[keep]), 1)
    return float(slope)


def _smoothed(hs: np.ndarray, errors: np.ndarray, floor: float) -> np.ndarray:
    """The error curve's typical level: a running median of log10(error) over one decade of h.

    Round-off makes the left branch jagged (some h are lucky, their rounding errors cancel), so
    the raw minimum of the curve is a lottery ticket. The median over a decade is the error you
    can expect near that h; its minimum is the best h worth reporting. Errors below a quarter
    ulp of f'(x) (including exact zeros) count as that floor, and NaN/inf as a huge error.
    """
    logs = np.log10(np.clip(np.nan_to_num(errors, nan=np.inf), floor, 1e300))
    decades = np.log10(hs[-1] / hs[0])
    half = max(1, round((hs.size - 1) / decades / 2)) if decades > 0 else 1
    smooth = np.array([np.median(logs[max(0, i - half): i + half + 1]) for i in range(hs.size)])
    return 10**smooth


def _fixed_slope_constant(hs: np.ndarray, errors: np.ndarray, p: float) -> float:
    """The constant K of ``error ≈ K·h^p`` with the slope p held fixed (geometric mean fit)."""
    keep = (errors > 0) & np.isfinite(errors)
    if keep.sum() == 0:
        return float("nan")
    return float(10 ** np.mean(np.log10(errors[keep]) - p * np.log10(hs[keep])))


@dataclass(frozen=True)
class MethodCurve:
    """One method's error curve over the h grid and what was measured on it.

    estimates, abs_error, rel_error: one entry per h of the sweep.
    order:            theoretical truncation order p.
    evaluations:      calls of f per derivative estimate.
    best_h, best_error: where the error curve, smoothed over a decade of h (a running median:
                      round-off makes the raw curve jagged), is lowest, and that typical error,
                      absolute (``best_error / abs(sweep.exact)`` is the relative one).
    textbook_h:       ``ε^(1/(p+1))·max(1, |x|)`` (NaN for the complex step: any tiny h works).
    truncation_slope: fitted on the right branch (expect ≈ p).
    roundoff_slope:   fitted on the left branch (expect ≈ -1; NaN for the complex step).
    truncation_constant C, roundoff_constant R: fitted with the slopes held at p and -1.
    model_h:          the optimum ``(R/(p·C))^(1/(p+1))`` of the model ``C·h^p + R/h``.
    truncation_mask, roundoff_mask: which h the two fits used.
    """

    method: str
    order: int
    evaluations: int
    estimates: np.ndarray
    abs_error: np.ndarray
    rel_error: np.ndarray
    best_h: float
    best_error: float
    textbook_h: float
    truncation_slope: float
    roundoff_slope: float
    truncation_constant: float
    roundoff_constant: float
    model_h: float
    truncation_mask: np.ndarray = field(repr=False)
    roundoff_mask: np.ndarray = field(repr=False)

    def truncation_model(self, hs: Any) -> np.ndarray:
        """``C·h^p``: the truncation part of the error."""
        return self.truncation_constant * np.asarray(hs, float) ** self.order

    def roundoff_model(self, hs: Any) -> np.ndarray:
        """``R/h``: the round-off part of the error (zeros for the complex step)."""
        hs = np.asarray(hs, float)
        if not np.isfinite(self.roundoff_constant):
            return np.zeros_like(hs)
        return self.roundoff_constant / hs

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary (no per-h arrays). Computed numbers keep ``inf``/``nan``; the
        complex step's ``textbook_h`` is None: it has no textbook step (any tiny h works), which
        is "no value", not a number that came out NaN."""
        keys = ("method", "order", "evaluations", "best_h", "best_error", "textbook_h", "truncation_slope",
                "roundoff_slope", "truncation_constant", "roundoff_constant", "model_h")
        out = {k: _jsonable(getattr(self, k)) for k in keys}
        if self.method == "complex" and math.isnan(self.textbook_h):
            out["textbook_h"] = None
        return out


def _jsonable(v: Any) -> Any:
    """Plain Python numbers; ``inf``/``nan`` stay floats (``--json`` writes them as strings)."""
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


@dataclass(frozen=True)
class ErrorSweep:
    """The result of :func:`error_sweep`: the h grid and one :class:`MethodCurve` per method.

    ``roundoff_bound(method)`` is the textbook round-off estimate ``Σ|w_j|·ε·|f(x)|/h`` (every f
    value off by at most one rounding); compare it with the fitted R to see how many ulps
    of error f itself carries.
    """

    x: float
    exact: float
    f_value: float
    hs: np.ndarray
    curves: dict[str, MethodCurve]
    eps: float = EPS

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.curves)

    @property
    def ad_floor(self) -> float:
        """The smallest error any float64 answer can have: ``ε·|f'(x)|`` (AD reaches it)."""
        return self.eps * max(abs(self.exact), np.finfo(float).tiny)

    def roundoff_bound(self, method: str, hs: Any = None) -> np.ndarray:
        """Textbook round-off ``Σ|w_j|·ε·|f(x)|/h`` for a stencil method."""
        hs = self.hs if hs is None else np.asarray(hs, float)
        factory = _STENCILS.get(method)
        weight = sum(abs(w) for _, w in factory().terms) if factory else 2.0
        return weight * self.eps * abs(self.f_value) / hs

    def complex_floor(self) -> float:
        """Largest relative error of the complex step once its truncation (C·h²) is below ε.

        This is the claim "the complex step is exact to machine precision", measured.
        """
        curve = self.curves.get("complex")
        if curve is None:
            raise KeyError("the sweep did not include the 'complex' method")
        c = curve.truncation_constant
        limit = np.sqrt(self.ad_floor / c) if np.isfinite(c) and c > 0 else 1e-10 * max(1.0, abs(self.x))
        mask = self.hs <= limit
        return float(np.max(curve.rel_error[mask])) if mask.any() else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary, including the per-h relative errors (inf and nan stay floats)."""
        return {
            "x": float(self.x),
            "exact": float(self.exact),
            "f_value": float(self.f_value),
            "eps": self.eps,
            "h": [float(h) for h in self.hs],
            "methods": {
                name: {**c.to_dict(), "rel_error": [_jsonable(float(e)) for e in c.rel_error]}
                for name, c in self.curves.items()
            },
        }


def _curve(f, x: float, exact: float, hs: np.ndarray, method: str, levels: int, tick=None) -> MethodCurve:
    estimates, evaluations = np.empty(hs.size), 0
    with np.errstate(all="ignore"):
        for k, h in enumerate(hs):
            r = derivative(f, x, method, float(h), levels=levels, exact_step=False)
            estimates[k], evaluations = float(np.real(r.value)), r.evaluations
            if tick is not None:
                tick(k + 1)
    abs_error = np.abs(estimates - exact)
    rel_error = abs_error / abs(exact) if exact != 0 else abs_error.copy()
    p = method_order(method, levels)

    finite = np.isfinite(abs_error)
    if not finite.any():
        raise ValueError(f"{method}: every estimate was NaN or infinite; is f defined near x={x}?")
    typical = _smoothed(hs, abs_error, floor=EPS * max(abs(exact), 1e-300) / 4)
    smallest = np.min(typical)
    best = int(np.flatnonzero(typical == smallest)[-1])  # largest h on ties
    best_h = float(hs[best])

    # Right branch: well above the best h, still a usable estimate, above the rounding floor.
    floor = 50 * EPS * max(abs(exact), 1e-300)
    trunc = finite & (hs >= 10 * best_h) & (rel_error <= 0.1) & (abs_error > floor)
    if method == "complex":
        rnd = np.zeros_like(trunc)
    else:  # left branch: well below the best h, but x + h still differs from x (error < |f'|/10)
        rnd = finite & (hs <= best_h / 10) & (rel_error <= 0.1) & (abs_error > 0)
    c = _fixed_slope_constant(hs[trunc], abs_error[trunc], p)
    r = _fixed_slope_constant(hs[rnd], abs_error[rnd], -1.0)
    model_h = (r / (p * c)) ** (1.0 / (p + 1)) if np.isfinite(c) and np.isfinite(r) and c > 0 else float("nan")
    textbook = float("nan") if method == "complex" else float(default_step(x, method, levels))
    return MethodCurve(
        method=method, order=p, evaluations=evaluations, estimates=estimates,
        abs_error=abs_error, rel_error=rel_error, best_h=best_h, best_error=float(smallest),
        textbook_h=textbook, truncation_slope=fit_slope(hs[trunc], abs_error[trunc]),
        roundoff_slope=fit_slope(hs[rnd], abs_error[rnd]), truncation_constant=c,
        roundoff_constant=r, model_h=float(model_h), truncation_mask=trunc, roundoff_mask=rnd,
    )


def error_sweep(
    f: Callable[[Any], Any],
    x: float,
    exact: float,
    hs: Sequence[float] | np.ndarray | None = None,
    methods: Sequence[str] = ("forward", "central", "complex"),
    *,
    levels: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> ErrorSweep:
    """Measure the error of each finite-difference ``method`` at every step in ``hs``.

    f:        a scalar function of a scalar (NumPy code; the complex step needs complex-safe code).
    x:        the point; exact: the true f'(x) (from AD or a formula).
    hs:       steps to try; default ``np.logspace(-16, -1, 151)`` (ten per decade).
    methods:  any of :data:`~adviz.numeric.finite_differences.METHODS`.
    progress: optional callback ``progress(done, total)``, called after each (method, h)
              estimate, for a progress bar.
    """
    if np.ndim(x) != 0:
        raise ValueError(f"error_sweep() needs a scalar x, got shape {np.shape(x)}")
    if not np.isfinite(exact):
        raise ValueError(f"exact derivative must be a finite number, got {exact!r}")
    hs = np.logspace(-16, -1, 151) if hs is None else np.sort(np.asarray(hs, dtype=float))
    if hs.ndim != 1 or hs.size < 2 or np.any(hs <= 0):
        raise ValueError("hs must be a 1-d sequence of at least two positive steps")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
    x, exact = float(x), float(exact)
    f_value = float(np.real(np.asarray(f(x))))
    curves: dict[str, MethodCurve] = {}
    total = len(methods) * hs.size
    for k, m in enumerate(methods):
        tick = None if progress is None else (lambda j, k=k: progress(k * hs.size + j, total))
        curves[m] = _curve(f, x, exact, hs, m, levels, tick)
    return ErrorSweep(x=x, exact=exact, f_value=f_value, hs=hs, curves=curves)
