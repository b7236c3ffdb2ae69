"""Options that carry numbers into the result and may be traced: ``np.interp(..., period=p)``,
``np.unwrap(..., period=p)``, ``np.cov(..., fweights, aweights)``, a constant piece of
``np.piecewise``, and ``np.poly``'s roots.  ``np.interp`` with a traced period once gave a
silent 0 (the period was read as a plain number); each is now checked against central
differences, with the arrays traced and with only the option traced."""

from __future__ import annotations

import numpy as np
import pytest
from check_grads import check_grads

import adviz as ad

XP, FP = np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.5])
XS = np.array([0.4, 2.5, 3.7, -1.2])
M = np.random.default_rng(3).standard_normal((3, 5))
FW, AW = np.array([1, 2, 1, 1, 3]), np.array([1.0, 2.0, 0.5, 1.0, 3.0])


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("f, at", [
    (lambda p: np.sum(np.interp(XS, XP, FP, period=p)), 3.0),
    (lambda p: np.sum(np.interp(XS, XP, FP, period=p) ** 2), -3.0),
    (lambda p: np.sum(np.interp(XS * p, XP, FP, period=p)), 3.0),
    (lambda p: np.sum(np.interp(XS, XP * p, FP, period=2 * p)), 1.3),
    (lambda c: np.sum(np.interp(np.array([-5.0, 0.5, 9.0]), XP, FP, left=c, right=2 * c)), 0.7),
    (lambda p: np.sum(np.unwrap(np.array([0.0, 2.0, 4.2, 9.1]), period=p) ** 2), 3.0),
    (lambda p: np.sum(np.unwrap(np.array([0.0, 2.0, 4.2, 9.1]) * p, period=p) ** 2), 3.0),
    (lambda p: np.sum(np.unwrap(np.array([0.0, 2.0, 4.2, 9.1]) * p, discont=p) ** 2), 3.0),
    (lambda c: np.sum(np.piecewise(np.array([-1.0, 0.5, 2.0]), [np.array([True, False, False])], [c, lambda t: t * c])), 1.5),
    (lambda c: np.sum(np.piecewise(np.array([-1.0, 0.5, 2.0]) * c, [np.array([True, False, False])], [c, np.sin])), 1.5),
], ids=["interp-period", "interp-period-sq", "interp-x-and-period", "interp-xp-and-period", "interp-left-right",
        "unwrap-period", "unwrap-p-and-period", "unwrap-discont", "piecewise-constant", "piecewise-constant-x"])
def test_a_traced_option_is_differentiated(f, at):
    want = central(f, at)
    assert ad.grad(f)(at) == pytest.approx(want, rel=1e-6, abs=1e-6)
    assert ad.jvp(f, (at,), (1.0,))[1] == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_interp_period_against_the_formula():
    """x = 3.7 with period 3 reads 0.7 = 3.7 − p: on the segment [0, 1] of slope 1 the value is
    1 + (3.7 − p), so its slope in p is −1 (and in x it is 1)."""
    g = ad.grad(lambda x, p: np.interp(x, XP, FP, period=p), argnums=(0, 1))(3.7, 3.0)
    assert g[0] == pytest.approx(1.0, rel=1e-14) and g[1] == pytest.approx(-1.0, rel=1e-14)


@pytest.mark.parametrize("options", [
    {"fweights": FW}, {"aweights": AW}, {"fweights": FW, "aweights": AW}, {"fweights": FW, "aweights": AW, "ddof": 0},
    {"aweights": AW, "bias": True}, {"aweights": AW, "ddof": 2},
], ids=["fweights", "aweights", "both", "both-ddof0", "aweights-bias", "aweights-ddof2"])
def test_weighted_cov_matches_numpy_and_its_derivative(options):
    np.testing.assert_allclose(ad.value_and_grad(lambda m: np.sum(np.cov(m, **options) ** 2))(M)[0],
                               np.sum(np.cov(M, **options) ** 2), rtol=1e-13)
    check_grads(lambda m: np.cov(m, **options), (M,), name=f"cov{sorted(options)}")


def test_cov_with_traced_weights():
    check_grads(lambda w: np.cov(M, aweights=w), (AW,), name="cov(aweights traced)")
    check_grads(lambda m, w: np.cov(m[0], m[1], aweights=w), (M, AW), order=1, name="cov(x, y, aweights)")


def test_cov_refuses_bad_weights_as_numpy_does():
    with pytest.raises(TypeError, match="fweights must be integer"):
        ad.grad(lambda m: np.sum(np.cov(m, fweights=np.array([1.5, 1, 1, 1, 1]))))(M)
    with pytest.raises(ValueError, match="cannot be negative"):
        ad.grad(lambda m: np.sum(np.cov(m, aweights=-AW)))(M)


def test_poly_of_roots():
    """np.poly(r) = coefficients of Π(x − rᵢ): the coefficient of x^0 of (x − a)(x − b) is ab."""
    r = np.array([0.5, -1.2, 2.0])
    np.testing.assert_allclose(ad.jacrev(np.poly)(r)[1:, 0], [-1.0, r[1] + r[2], -r[1] * r[2]], rtol=1e-14)
    check_grads(np.poly, (r,), name="poly")
    check_grads(lambda r: np.polyval(np.poly(r), 0.7), (r,), name="polyval(poly)")


def test_power_with_an_array_of_exponents_at_zero():
    """x**[0, 1, 2] at x = 0 is [1, 0, 0] with slope [0, 1, 0]; the partial of the exponent 0
    read 0·0**(−1) = NaN there (and so did the second derivative of x**1)."""
    f = lambda c: np.sum(c ** np.array([0.0, 1.0, 2.0, 3.0]))
    assert ad.grad(f)(0.0) == 1.0
    assert ad.grad(ad.grad(f))(0.0) == 2.0
    assert ad.hessian(f)(0.0) == 2.0 and ad.jacfwd(ad.jacrev(f))(0.0) == 2.0
    y = np.array([0.0, 1.0, 0.0])
    np.testing.assert_array_equal(ad.jacrev(lambda x: x ** y)(np.array([0.0, 0.0, 2.0])), np.diag([0.0, 1.0, 0.0]))
    check_grads(lambda x: x ** np.array([0.0, 1.0, 2.0]), (np.array([0.7, -1.3, 2.0]),), name="x**[0, 1, 2]")
