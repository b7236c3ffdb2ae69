"""An independent, adversarial derivative probe of adviz: ``python tests/engine/probe/run.py``.

Written apart from the systematic suite (``check_grads.py``, ``cases.py``), in the style of
autograd's ``check_grads`` and JAX's rule tests, to audit it: every NumPy function adviz lists
in ``adviz.engine.supported()`` with 0-d to 3-d, size-0 and size-1 shapes, negative and tuple
axes, ``keepdims`` and keyword arguments, broadcasting, float32 / int / bool inputs; every
transform (``grad``, ``value_and_grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev``, ``hessian``,
``jvp(grad)``, ``grad(grad)``, ``jacfwd(jacfwd)``, ``jacrev(jacrev)``) against central
differences in random directions; pytrees, ``has_aux``, custom rules and checkpoints; and
hostile habits (``a[0] = x``, ``np.array([x, 1.0])``, ``out=``, ``dtype=``, ``np.matrix``,
the ``math`` module, ``copy.deepcopy``, singular points, overflow, huge Jacobians); and keyword
arguments as course code writes them (``probe_kwargs``: clip's bound spellings, ``dtype=``,
``where=``/``initial=`` on reductions, every norm, meshgrid, gradient, lstsq, piecewise, …); and
NumPy handed Python lists of traced values, float32 meeting float64, ufunc methods (``probe_lists``).

Each check ends as **pass**, **wrong** (a number that disagrees with the reference), **crash**
(any exception other than adviz's own refusal) or **refused** (``UnsupportedOperation``, an
escaped-tracer error, a ``MemoryError`` from the ``ADVIZ_MAX_BATCH`` guard, or a ``TypeError``
/ ``ValueError`` adviz raises itself with a message).  The exit status is 1 when anything is
wrong or crashed.  ``PROBE_SEED=3`` draws other random points.  It takes a few minutes: it is
not part of the pytest run; the regressions it found are tests in ``test_hostile.py`` and
``test_decompositions.py``.
"""

import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

PARTS = ["probe_funcs", "probe_struct", "probe_hostile", "probe_custom", "probe_course", "probe_more", "probe_api",
         "probe_kwargs", "probe_lists"]

if __name__ == "__main__":
    for part in sys.argv[1:] or PARTS:
        importlib.import_module(part)
        print(f"{part}: {dict(harness.RESULTS)}", file=sys.stderr)
    harness.summary()
    sys.exit(1 if harness.RESULTS["wrong"] or harness.RESULTS["crash"] else 0)
