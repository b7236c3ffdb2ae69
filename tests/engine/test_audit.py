"""The independent audit (tests/engine/audit) as a test: 0 wrong numbers and 0 crashes.

Refusals are allowed (adviz's own clear ``UnsupportedOperation``), and reported; a wrong number,
a wrong shape or structure, or any other exception fails, naming every offending case."""

from __future__ import annotations

import pytest

from audit import all_cases
from audit.core import run_case

CASES = all_cases()
GROUPS = sorted({c.group for c in CASES})


@pytest.mark.parametrize("group", GROUPS)
def test_audit_has_no_wrong_number_and_no_crash(group):
    bad = []
    for case in (c for c in CASES if c.group == group):
        kind, msg = run_case(case)
        if kind in ("wrong", "crash"):
            bad.append(f"{kind}: {case.name}: {msg}")
    assert not bad, "\n".join(bad)


def test_audit_mostly_passes():
    """Refusals stay rare: at least 97% of the audit's cases pass outright."""
    kinds = [run_case(c)[0] for c in CASES]
    assert kinds.count("pass") >= 0.97 * len(kinds), f"{kinds.count('refused')} refused of {len(kinds)}"


def test_audit_catches_a_wrong_rule():
    """The audit can fail: a custom_jvp whose rule is off by 0.1% is reported WRONG, and one whose
    rule is right to first order but not second order is caught by the second-order checks."""
    import numpy as np

    import adviz as ad
    from audit.core import Case, check

    @ad.custom_jvp
    def off(x):
        return np.sin(x)

    off.defjvp(lambda p, t: (np.sin(p[0]), 1.001 * np.cos(p[0]) * t[0]))

    @ad.custom_jvp
    def flat2(x):
        return np.sin(x)

    flat2.defjvp(lambda p, t: (np.sin(p[0]), np.cos(ad.stop_gradient(p[0])) * t[0]))
    x = np.array([0.3, 0.5])
    assert run_case(Case("off", lambda: check(off, [x], order=1)))[0] == "wrong"
    assert run_case(Case("flat2 first", lambda: check(flat2, [x], order=1)))[0] == "pass"
    assert run_case(Case("flat2 second", lambda: check(flat2, [x], order=2)))[0] == "wrong"
    assert run_case(Case("flat2 rev", lambda: check(flat2, [x], order=2, modes=("rev",))))[0] == "wrong"
