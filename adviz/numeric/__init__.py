"""Numerical and symbolic differentiation, measured against AD.

* :mod:`~adviz.numeric.finite_differences` — forward/backward/central differences, higher-order
  stencils, Richardson extrapolation and the complex step, with evaluation counts;
* :mod:`~adviz.numeric.error_sweep` — the error as a function of the step h (the V-shaped curve);
* :mod:`~adviz.numeric.cost` — what a gradient or Jacobian costs by each method, counted on the tape;
* :mod:`~adviz.numeric.symbolic` — expression swell of symbolic derivatives (sympy) vs the tape;
* :mod:`~adviz.numeric.compare` — all of it for one function at one point (``adviz compare``).

sympy, matplotlib and rich are imported only by the functions that need them.
"""

from .compare import ComparisonReport, ComparisonRow, compare
from .cost import CostReport, CostRow, CostSweep, cost_sweep, layer_function, measure_cost
from .error_sweep import ErrorSweep, MethodCurve, error_sweep, fit_slope
from .finite_differences import (
    EPS,
    METHODS,
    FDResult,
    Stencil,
    backward_difference,
    central_difference,
    central_stencil,
    complex_step,
    default_step,
    derivative,
    forward_difference,
    gradient,
    jacobian,
    richardson,
    stencil_coefficients,
)
from .symbolic import FAMILIES, SwellReport, SwellRow, swell, swell_of_expression

__all__ = [
    "EPS",
    "FAMILIES",
    "METHODS",
    "ComparisonReport",
    "ComparisonRow",
    "CostReport",
    "CostRow",
    "CostSweep",
    "ErrorSweep",
    "FDResult",
    "MethodCurve",
    "Stencil",
    "SwellReport",
    "SwellRow",
    "backward_difference",
    "central_difference",
    "central_stencil",
    "compare",
    "complex_step",
    "cost_sweep",
    "default_step",
    "derivative",
    "error_sweep",
    "fit_slope",
    "forward_difference",
    "gradient",
    "jacobian",
    "layer_function",
    "measure_cost",
    "richardson",
    "stencil_coefficients",
    "swell",
    "swell_of_expression",
]
