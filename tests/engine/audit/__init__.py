"""An independent derivative audit of adviz, in the style of peers' public test suites.

Written to be the "hidden suite" before it runs: every check compares adviz's numbers with
references computed by NumPy alone (central differences in random directions with a
Richardson error estimate, analytic formulas), never with adviz itself.  It shares no code
with ``tests/engine/check_grads.py`` or ``tests/engine/probe`` on purpose.

    PYTHONPATH=. python -m tests.engine.audit          # totals, then every case that did not pass
    PYTHONPATH=. python -m tests.engine.audit linalg   # only cases whose name contains 'linalg'

Each case ends as one of: ``pass``; ``refused`` (adviz raised its own ``UnsupportedOperation``
or ``EscapedTracerError``); ``wrong`` (a number, shape or structure disagrees with the
reference); ``crash`` (any other exception).  ``tests/engine/test_audit.py`` asserts 0 wrong
and 0 crash.
"""


def all_cases() -> list:
    """Every case of the audit, in a stable order."""
    from . import cases_numpy

    out = list(cases_numpy.CASES)
    for mod in ("cases_linalg", "cases_api", "cases_more", "cases_course"):
        try:
            m = __import__(f"{__name__}.{mod}", fromlist=["CASES"])
        except ModuleNotFoundError:
            continue
        out += m.CASES
    return out
