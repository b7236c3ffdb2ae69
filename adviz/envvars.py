"""adviz's limits read from the environment, never a reason for ``import adviz`` to fail.

These limits can be set before starting Python (or the ``adviz`` command):

=======================  ===========  =====================================================
``ADVIZ_MAX_ELEMENTS``   10,000,000   the largest array an expression may create
                                      (:data:`adviz.expr.MAX_ELEMENTS`)
``ADVIZ_MAX_TOTAL_ELEMENTS``  50,000,000  all values of one evaluation together
                                      (:data:`adviz.expr.MAX_TOTAL_ELEMENTS`)
``ADVIZ_SYMPY_SECONDS``  30           the longest a symbolic step may take
                                      (:data:`adviz.budget.SYMPY_SECONDS`)
``ADVIZ_MAX_BATCH``      100,000,000  the largest identity seed ``jacfwd``/``jacrev`` build
                                      (:data:`adviz.engine.transforms.MAX_BATCH`)
``ADVIZ_PROGRESS_SECONDS``  0.5       how long the command's work runs before a progress
                                      bar appears on a terminal
=======================  ===========  =====================================================

A value that is not a positive number (``ADVIZ_MAX_ELEMENTS=lots``) must not break
``import adviz`` with a traceback: the default is used, and the mistake is kept in
:data:`PROBLEMS`, where the ``adviz`` command finds it and refuses to run with a one-line
usage error (exit code 2) naming the variable.

    >>> import os; os.environ["ADVIZ_MAX_ELEMENTS"] = "1e6"
    >>> positive_number("ADVIZ_MAX_ELEMENTS", 10_000_000, whole=True)
    1000000
"""

from __future__ import annotations

import math
import os

__all__ = ["PROBLEMS", "positive_number"]

PROBLEMS: dict[str, str] = {}
"""Environment variable → what is wrong with its value (empty when all is well)."""


def positive_number(name: str, default: float, *, whole: bool = False) -> float:
    """The positive number in the environment variable ``name``, or ``default`` when it is unset
    or empty. ``whole``: it must be a whole number (``10000000``, ``10_000_000`` and ``1e7``
    are all accepted) and an ``int`` is returned. An invalid value gives ``default`` and is
    recorded in :data:`PROBLEMS`."""
    text = os.environ.get(name, "").strip()
    PROBLEMS.pop(name, None)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value > 0 and (not whole or value == int(value)):
        return int(value) if whole else value
    kind = "a positive whole number" if whole else "a positive number"
    shown = f"{default:,}" if whole else f"{default:g}"
    PROBLEMS[name] = f"{name}={text!r} is not {kind}; give one (the default is {shown}) or unset it"
    return default
