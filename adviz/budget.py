"""Time budgets for work whose cost cannot be known in advance: SymPy simplifying a formula.

Most of adviz bounds its work by *size*, before starting (see :data:`adviz.expr.MAX_ELEMENTS`).
Symbolic algebra cannot be bounded that way: SymPy may spend a second or an hour on an
innocent-looking ``2**(1/3)**(1/3)**…``, depending on which simplification it tries. So the
symbolic steps (:meth:`adviz.expr.Expression.to_sympy`, ``to_latex``, the swell measurements of
:mod:`adviz.numeric.symbolic`) run inside :func:`time_budget`, which stops them with
:class:`BudgetExceeded` after :data:`SYMPY_SECONDS` and says so.

The budget is a ``SIGALRM`` timer: no thread and no subprocess, and SymPy (pure Python) is
interrupted between two bytecodes.

SymPy also walks its trees *recursively*: a formula nested a few hundred levels deep (a
derivative of ``softplus`` layers at depth 200) exhausts Python's recursion limit. Inside
:func:`time_budget` that ``RecursionError`` becomes :class:`TooDeep`, which names the step. It works in the main thread of a Unix process (the ``adviz``
command, a Jupyter kernel); elsewhere (another thread, Windows) the work simply runs unbounded,
and the size checks made before it are the only guard.

    >>> with time_budget(5, "a quick sum"):
    ...     sum(range(10))
    45
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from .envvars import positive_number

__all__ = ["SYMPY_SECONDS", "BudgetExceeded", "TooDeep", "time_budget"]

SYMPY_SECONDS = positive_number("ADVIZ_SYMPY_SECONDS", 30.0)
"""Longest a symbolic step may take (default 30 s: generous, since a busy machine slows honest work); set ``adviz.budget.SYMPY_SECONDS`` or the
environment variable ``ADVIZ_SYMPY_SECONDS``."""


class BudgetExceeded(TimeoutError):
    """A step ran out of its time budget and was stopped."""


class TooDeep(ValueError):
    """A symbolic step nested deeper than Python's recursion limit allows, and was stopped."""


@contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Run the body for at most ``seconds``; then raise :class:`BudgetExceeded` naming ``what``.
    A ``RecursionError`` in the body is raised as :class:`TooDeep` naming ``what``.

    Sets no timer when a budget cannot be set: outside the main thread, without ``SIGALRM``, or
    inside another budget (the outer one keeps running).
    """
    try:
        with _timer(seconds, what):
            yield
    except RecursionError:
        raise TooDeep(f"{what} is nested too deeply for SymPy, which walks formulas recursively "
                      "(Python's recursion limit was reached): try a smaller depth") from None


@contextmanager
def _timer(seconds: float, what: str) -> Iterator[None]:
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0 and seconds > 0)
    if not usable:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise BudgetExceeded(f"{what} took longer than {seconds:g} s and was stopped "
                             "(adviz.budget.SYMPY_SECONDS, or the environment variable ADVIZ_SYMPY_SECONDS)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
