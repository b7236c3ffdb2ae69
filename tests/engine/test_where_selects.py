"""``np.where`` *selects*: the branch not taken gets exactly 0, in every mode and every path.

A product ``0 · nan`` is nan, so a rule that multiplies the adjoint (or tangent) by a 0/1 mask
leaks a nan from where the mask is 0 into an input that does not influence the result.  These
functions are finite and smooth in every input at the points used, so the true derivatives are
finite; the references are central differences (tests/engine/reference.py), never adviz.
"""

import warnings

import numpy as np
import pytest

import adviz as ad
from tests.engine.reference import reference_grad

MASK5 = np.arange(5) == 2


def nanmean_of_squares(v):
    """v[2] is replaced by nan, then ignored by nanmean: ∂f/∂v[2] = 0, though the square's
    local slope at that entry (2·nan) is nan."""
    return np.nanmean(np.where(MASK5, np.nan, v) ** 2)


def masked_sum(v):
    """sqrt(-1) is nan and nansum ignores it, but sqrt's local slope there is nan, so the
    adjoint reaching ``where`` is nan at entry 2, which never selects v[2]."""
    with np.errstate(invalid="ignore"):
        return np.nansum(np.sqrt(np.where(MASK5, -1.0, v)) * np.array([1.0, 2.0, 0.0, 3.0, 4.0]))


X5 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


@pytest.mark.parametrize("f", [nanmean_of_squares, masked_sum], ids=lambda f: f.__name__)
def test_an_input_the_branch_never_selects_gets_zero_in_every_transform(f):
    expected = reference_grad(f, [X5], method="fd", h=1e-6)
    assert expected[2] == 0.0 and np.all(np.isfinite(expected))
    with np.errstate(invalid="ignore"):
        for name, got in (("grad", ad.grad(f)(X5)), ("jacrev", ad.jacrev(f)(X5)),
                          ("jacfwd", ad.jacfwd(f)(X5)), ("trace reverse", ad.trace(f, X5).gradient()["v"])):
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8, err_msg=name)
            assert got[2] == 0.0, name


def test_the_hessian_of_a_masked_function_has_no_nan():
    h = ad.hessian(nanmean_of_squares)(X5)
    expected = np.diag(np.where(MASK5, 0.0, 2.0 / 4))  # mean of 4 squares: 2/4 on the diagonal
    np.testing.assert_allclose(h, expected, rtol=1e-12, atol=0)


def test_a_recorded_forward_sweep_selects_as_jvp_does():
    """``where(x > 0, sqrt(x), 0)`` at x = -1: sqrt's tangent is nan, but the result is the
    constant branch, whose slope central differences see as 0.  The trace's forward sweep (what
    the tables and graphs show) must give the same 0 as ``ad.jvp``."""
    def f(x):
        return np.where(x > 0, np.sqrt(x), 0.0)

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = reference_grad(f, [np.float64(-1.0)], method="fd", h=1e-6)
        _, tangent = ad.jvp(f, (-1.0,), (1.0,))
        sweep = ad.trace(f, -1.0).forward()
    assert expected == 0.0
    assert tangent == 0.0
    assert sweep.steps[-1].value == 0.0


def test_a_broadcast_branch_sums_only_the_selected_adjoints():
    """A scalar branch broadcast against an array: its adjoint is the sum over the entries that
    select it, and a nan adjoint at an entry that does not select it stays out of the sum."""
    cond = np.array([True, False, True])

    def f(a, v):
        with np.errstate(invalid="ignore"):
            return np.nansum(np.sqrt(np.where(cond, a, v)))  # v[1] = -1: sqrt's slope there is nan

    a, v = 2.0, np.array([1.0, -1.0, 1.0])
    expected = reference_grad(lambda a_: f(a_, v), [np.float64(a)], method="fd", h=1e-6)
    assert expected == pytest.approx(2 * 0.5 / np.sqrt(2.0), rel=1e-7)
    with np.errstate(invalid="ignore"):
        for name, got in (("grad", ad.grad(f, argnums=0)(a, v)), ("jacfwd", ad.jacfwd(f, argnums=0)(a, v)),
                          ("trace reverse", ad.trace(f, a, v).gradient()["a"])):
            assert got == pytest.approx(expected, rel=1e-7), name
