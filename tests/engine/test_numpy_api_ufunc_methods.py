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
}


@pytest.mark.parametrize("name", list(VALUE_CASES))
def test_the_value_is_numpys(name):
    f = VALUE_CASES[name]
    expected = f(X)
    got, _ = ad.jvp(f, (X,), (np.ones_like(X),))
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
    (lambda x: np.fmax.reduce(x), "fmax.reduce"),
    (lambda x: np.power.reduce(np.abs(x) + 0.5, axis=1), "power.reduce"),  # NumPy's is not the fold
    (lambda x: np.arctan2.reduce(x), "arctan2.reduce"),
    (lambda x: np.add.at(x, [0], 1.0), "add.at"),
], ids=["reduce out=", "reduce where=", "reduceat out=", "fmax.reduce", "power.reduce", "arctan2.reduce", "add.at"])
def test_what_cannot_trace_refuses(f, message):
    with pytest.raises(UnsupportedOperation, match=message):
        ad.grad(lambda x: np.sum(f(x)))(X)
