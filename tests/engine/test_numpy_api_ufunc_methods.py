"""``numpy_api/ufunc_methods.py``: reduce of any two-operand ufunc (a left fold), reduceat and
``np.matmul(axes=)``.  Derivatives are checked by the systematic suite (``cases.py``); here:
the values are NumPy's, NumPy's own errors come through, and what cannot trace refuses."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad
from adviz.engine.tracer import UnsupportedOperation

X = np.array([[0.3, -1.2, 2.0, 0.7], [1.5, 0.4, -0.8, 1.1], [-0.6, 0.9, 1.3, -2.2]])

VALUE_CASES = {
    "hypot.reduce": lambda x: np.hypot.reduce(x),
    "hypot.reduce-one-negative-entry": lambda x: np.hypot.reduce(x[2:, :1]),
    "hypot.reduce-empty": lambda x: np.hypot.reduce(x[:0], axis=0),
    "hypot.reduce-axes": lambda x: np.hypot.reduce(x, axis=(1, 0), keepdims=True),
    "subtract.reduce-axis1": lambda x: np.subtract.reduce(x, axis=1),
    "divide.reduce-initial": lambda x: np.divide.reduce(x, axis=0, initial=3.0),
    "float_power.reduce": lambda x: np.float_power.reduce(np.abs(x) + 0.5, axis=1),
    "remainder.reduce": lambda x: np.remainder.reduce(np.abs(x) + 3.0, axis=1),
    "add.reduceat": lambda x: np.add.reduceat(x, [0, 2, 1, 3], axis=1),
    "add.reduceat-repeated-index": lambda x: np.add.reduceat(x, [1, 1, 2], axis=0),
    "hypot.reduceat-single-entries-keep-their-sign": lambda x: np.hypot.reduceat(x, [0, 1, 2]),
    "maximum.reduceat": lambda x: np.maximum.reduceat(x, [0, 3], axis=1),
    "matmul-axes": lambda x: np.matmul(x, x, axes=[(1, 0), (0, 1), (1, 0)]),
    "add.reduce-int-dtype": lambda x: np.add.reduce(x * 10.0, dtype=int) + 0.0,
    "power.reduce-1d": lambda x: np.power.reduce(np.abs(x[0]) + 0.5),  # NumPy: x[0] ** x[-1]
    "power.reduce-axis0": lambda x: np.power.reduce(np.abs(x) + 0.5, axis=0),  # NumPy: the left fold
    "power.reduce-axis1-keepdims": lambda x: np.power.reduce(np.abs(x) + 0.5, axis=1, keepdims=True),
    "power.reduce-float32": lambda x: np.power.reduce((np.abs(x) + 0.5).astype(np.float32), axis=1),
    "arctan2.reduce-1d": lambda x: np.arctan2.reduce(x[1]),
    "arctan2.reduce-axis0": lambda x: np.arctan2.reduce(x, axis=0),
    "fmax.reduce": lambda x: np.fmax.reduce(x),
    "fmin.reduce-axis-none": lambda x: np.fmin.reduce(x, axis=None),
    "fmax.reduce-nan-entries": lambda x: np.fmax.reduce(np.where(x > 1.0, np.nan, x), axis=1),
    "fmin.reduce-initial-where": lambda x: np.fmin.reduce(x, axis=1, initial=0.5, where=x > -1.0),
    "nanmax-all-nan-line": lambda x: np.nanmax(np.where(x > 0.0, np.nan, x), axis=0),
    "nanmin-all-nan-line-keepdims": lambda x: np.nanmin(np.where(x > 0.0, np.nan, x), axis=0, keepdims=True),
}


@pytest.mark.parametrize("name", list(VALUE_CASES))
@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_the_value_is_numpys(name):
    f = VALUE_CASES[name]
    expected = f(X)
    got, _ = ad.jvp(f, (X,), (np.ones_like(X),))
    assert np.result_type(got) == np.result_type(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)
    assert np.shape(got) == np.shape(expected)


def test_a_single_entry_and_an_empty_axis():
    """NumPy keeps a lone entry of reduceat as it is (sign included) but starts reduce from the
    identity (hypot.reduce of [-3] is 3); an empty reduction is the identity, a constant."""
    g = ad.jacrev(lambda x: np.hypot.reduceat(x, [0, 1]))(np.array([-3.0, 4.0, 0.0]))
    np.testing.assert_array_equal(g, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert ad.grad(lambda x: np.hypot.reduce(x[:1]))(np.array([-3.0, 4.0])).tolist() == [-1.0, 0.0]
    assert ad.grad(lambda x: np.sum(np.hypot.reduce(x[:0], axis=0)) + x[0])(np.array([2.0])).tolist() == [1.0]


def test_hypot_reduce_at_the_origin_has_the_zero_subgradient():
    g = ad.grad(lambda x: np.hypot.reduce(x))(np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_numpys_errors_come_through_unchanged():
    with pytest.raises(ValueError, match="not reorderable"):
        ad.grad(lambda x: np.subtract.reduce(x, axis=None))(X)
    with pytest.raises(ValueError):
        ad.jacfwd(lambda a: np.matmul(a, a, axes=[(0, 1), (0, 1), (0, 1)]))(X)  # 3x4 @ 3x4


@pytest.mark.parametrize("f, message", [
    (lambda x: np.hypot.reduce(x, out=np.zeros(4)), "out="),
    (lambda x: np.hypot.reduce(x, where=np.ones((3, 4), bool)), "where="),
    (lambda x: np.add.reduceat(x, [0, 1], out=np.zeros((2, 4))), "out="),
    (lambda x: np.fmax.reduce(x, out=np.zeros(4)), "out="),
    (lambda x: np.power.reduce(np.stack([x[0, 0], 1.0, x[0, 1]])), "both"),  # fold and x0**x2 agree at x1 = 1
    (lambda x: np.arctan2.reduce(x, out=np.zeros(4)), "out="),
    (lambda x: np.add.at(x, [0], 1.0), "add.at"),
], ids=["reduce out=", "reduce where=", "reduceat out=", "fmax.reduce out=", "power.reduce ambiguous",
        "arctan2.reduce out=", "add.at"])
def test_what_cannot_trace_refuses(f, message):
    with pytest.raises(UnsupportedOperation, match=message):
        ad.grad(lambda x: np.sum(f(x)))(X)


def test_power_and_arctan2_reduce_differentiate_what_numpy_computes():
    """NumPy 2.4 reduces a contiguous line of power/arctan2 as f(x[0], x[-1]) and other axes as the left
    fold; the derivatives are those of the analytic formulas of whichever it computed."""
    x = np.array([1.3, 0.8, 1.7, 1.1])
    assert np.isclose(np.power.reduce(x), x[0] ** x[-1])  # what the rule relies on; fails if NumPy changes
    np.testing.assert_allclose(ad.grad(np.power.reduce)(x),
                               [x[3] * x[0] ** (x[3] - 1), 0.0, 0.0, np.log(x[0]) * x[0] ** x[3]], rtol=1e-13)
    a = np.array([[1.3, 0.7], [0.8, 1.4], [1.7, 0.9]])  # along axis 0: ((a0 ** a1) ** a2) = a0 ** (a1 a2)
    expected = np.zeros_like(a)
    expected[0] = a[1] * a[2] * a[0] ** (a[1] * a[2] - 1)
    expected[1:] = np.log(a[0]) * a[0] ** (a[1] * a[2]) * a[[2, 1]]
    np.testing.assert_allclose(ad.grad(lambda a: np.sum(np.power.reduce(a, axis=0)))(a), expected, rtol=1e-13)
    y, z = 0.6, -1.9  # arctan2(y, z): ∂/∂y = z / (y² + z²), ∂/∂z = -y / (y² + z²)
    g = ad.grad(np.arctan2.reduce)(np.array([y, 0.4, z]))
    np.testing.assert_allclose(g, [z / (y * y + z * z), 0.0, -y / (y * y + z * z)], rtol=1e-13)


def test_fmax_reduce_is_nanmax_with_shared_ties():
    """A tie of k extremes shares the slope 1/k (docs/conventions.md), NaN entries get 0, a line of NaNs only is
    NaN with derivative 0, as np.fmax.reduce's value."""
    x = np.array([[2.0, 1.0, 2.0, np.nan], [np.nan, np.nan, np.nan, np.nan]])
    y, jac = ad.jvp(lambda x: np.fmax.reduce(x, axis=1), (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(y, [2.0, np.nan])
    np.testing.assert_array_equal(ad.jacrev(lambda x: np.fmax.reduce(x, axis=1))(x)[0], [[0.5, 0.0, 0.5, 0.0],
                                                                                       [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(ad.grad(lambda x: np.fmin.reduce(x))(np.array([1.0, 1.0, 1.0, 3.0])),
                                  [1 / 3, 1 / 3, 1 / 3, 0.0])
