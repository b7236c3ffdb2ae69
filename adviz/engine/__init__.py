"""The AD engine: tracer, primitives registry, tape, forward & reverse sweeps, transforms."""

from . import numpy_api  # noqa: F401  (installs the NumPy surface on tracers)
from .catalog import supported
from .custom import checkpoint, custom_jvp, custom_vjp, remat, stop_gradient
from .record import Node, Operand, Step, Sweep, Term, Trace, trace
from .tracer import EscapedTracerError, UnsupportedOperation
from .transforms import grad, hessian, jacfwd, jacrev, jvp, value_and_grad, vjp

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "trace", "Trace", "Node",
           "Operand", "Sweep", "Step", "Term", "UnsupportedOperation", "EscapedTracerError", "supported",
           "custom_jvp", "custom_vjp", "stop_gradient", "checkpoint", "remat"]
