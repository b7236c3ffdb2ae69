"""adviz: automatic differentiation you can watch.

The public API follows JAX's names and semantics::

    import numpy as np
    import adviz as ad

    ad.grad(lambda x: np.sin(x**2 + 1))(3.0)        # reverse mode: cos(10)·6
    ad.jvp(f, (x,), (v,))                            # forward mode: (f(x), J·v)
    t = ad.trace("sin(x**2 + 1)", x=3.0)              # the tape, ready for sweeps and views

Taking control of derivatives, as in JAX: ``ad.custom_jvp``, ``ad.custom_vjp``,
``ad.stop_gradient`` and ``ad.checkpoint`` (alias ``ad.remat``).
"""

from .engine import (
    EscapedTracerError,
    Node,
    Step,
    Sweep,
    Term,
    Trace,
    UnsupportedOperation,
    checkpoint,
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    remat,
    stop_gradient,
    trace,
    value_and_grad,
    vjp,
)

try:  # the expression language lands in its own module
    from .expr import Expression, ParseError, parse
except ImportError:  # pragma: no cover - during development only
    pass

__version__ = "0.1.0"

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "trace", "parse", "Expression",
           "ParseError", "Trace", "Node", "Sweep", "Step", "Term", "UnsupportedOperation", "EscapedTracerError",
           "custom_jvp", "custom_vjp", "stop_gradient", "checkpoint", "remat", "__version__"]
