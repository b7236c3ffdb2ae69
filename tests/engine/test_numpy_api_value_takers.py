"""A traced value handed to NumPy as a fill value: ``np.full``, ``np.full_like``, ``np.pad``'s
``constant_values``/``end_values`` and ``np.nan_to_num``'s replacements.

NumPy's dispatchers for these functions look only at the array (``np.full``: at nothing), so a
traced fill value used to reach NumPy's own code and be refused; and ``np.full_like(x, c)`` of a
traced ``x`` gave a plain array, so ``c``'s derivative came out silently 0.  The references are
written out by hand: a fill value's derivative is the number of entries it fills.
"""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad

A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
W = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]])


def forward(f):
    return lambda c: ad.jvp(f, (c,), (1.0,))[1]


@pytest.mark.parametrize("transform", [ad.grad, forward], ids=["grad", "jvp"])
def test_full_like_of_a_traced_array_carries_the_fill_values_derivative(transform):
    """d/dc Σ W·full_like(c·A, c) = Σ W (it was 0: the fill value was read as a plain number)."""
    assert transform(lambda c: np.sum(W * np.full_like(c * A, c)))(0.7) == pytest.approx(W.sum())


@pytest.mark.parametrize("transform", [ad.grad, forward], ids=["grad", "jvp"])
@pytest.mark.parametrize("fill", [
    lambda c: np.full((2, 3), c),
    lambda c: np.full((2, 3), c, dtype=float),
    lambda c: np.full_like(A, c),
    lambda c: np.full_like(np.ones(6), c, shape=(2, 3)),
], ids=["full", "full dtype=float", "full_like plain", "full_like shape="])
def test_a_traced_fill_value_is_differentiated(transform, fill):
    assert transform(lambda c: np.sum(W * fill(c)))(0.7) == pytest.approx(W.sum())


def test_a_traced_row_as_fill_value_broadcasts():
    v = np.array([0.3, -0.4, 1.1])
    J = ad.jacrev(lambda v: np.full((2, 3), v))(v)
    want = np.zeros((2, 3, 3))
    for i in range(2):
        want[i] = np.eye(3)  # out[i, j] = v[j]
    np.testing.assert_array_equal(J, want)


def test_an_integer_fill_is_a_plain_value_as_an_integer_cast_is():
    """full(..., dtype=int) and full_like of an integer array cast the fill value: piecewise constant."""
    f = ad.grad(lambda c: np.sum(np.full(3, c, dtype=int)) + np.sum(np.full_like(np.arange(3), c)) + c)
    assert f(2.4) == 1.0
    assert ad.jvp(lambda c: np.full(2, c, dtype=int), (2.4,), (1.0,))[0].dtype == np.dtype(int)


def test_full_keeps_numpy_s_dtypes():
    _, t = ad.jvp(lambda c: np.full_like(np.ones(2, np.float32), c), (0.5,), (1.0,))
    assert t.dtype == np.float32
    y, _ = ad.jvp(lambda c: np.full(2, c, dtype=np.float32), (0.5,), (1.0,))
    assert y.dtype == np.float32


@pytest.mark.parametrize("transform", [ad.grad, forward], ids=["grad", "jvp"])
def test_pad_of_a_plain_array_with_traced_constants(transform):
    """np.pad(a, ..., constant_values=c) with a plain a: c fills the border."""
    a = np.array([1.0, 2.0])
    assert transform(lambda c: np.sum(np.pad(a, 1, constant_values=c)))(0.7) == pytest.approx(2.0)
    # (1, 2) entries of c and 2c: 1 + 2·2
    assert transform(lambda c: np.sum(np.pad(a, (1, 2), constant_values=(c, 2 * c))))(0.7) == pytest.approx(5.0)
    # a 2-D pad fills (2+1)·(3+2) - 6 = 9 entries
    assert transform(lambda c: np.sum(np.pad(A, ((1, 0), (0, 2)), constant_values=c)))(0.7) == pytest.approx(9.0)


def test_pad_linear_ramp_toward_a_traced_end_value():
    """np.pad([1, 2], 2, 'linear_ramp', end_values=c) = [c, (c+1)/2, 1, 2, (2+c)/2, c]: Σ' = 1 + ½ + ½ + 1."""
    a = np.array([1.0, 2.0])
    np.testing.assert_allclose(np.pad(a, 2, mode="linear_ramp", end_values=0.3), [0.3, 0.65, 1, 2, 1.15, 0.3])
    assert ad.grad(lambda c: np.sum(np.pad(a, 2, mode="linear_ramp", end_values=c)))(0.3) == pytest.approx(3.0)


def test_nan_to_num_of_a_plain_array_with_traced_replacements():
    a = np.array([1.0, np.nan, np.inf, -np.inf])
    f = lambda c: np.sum(np.nan_to_num(a, nan=c, posinf=2 * c, neginf=-3 * c))  # noqa: E731
    assert ad.grad(f)(0.5) == pytest.approx(1 + 2 - 3)
    assert forward(f)(0.5) == pytest.approx(1 + 2 - 3)


def test_plain_calls_still_give_numpy_s_own_results_inside_a_transform():
    def f(x):
        assert type(np.full(2, 3.0)) is np.ndarray and type(np.pad(np.ones(1), 1)) is np.ndarray
        return x * np.sum(np.full_like(np.ones(2), 3.0))

    assert ad.grad(f)(1.0) == 6.0


@pytest.mark.parametrize("default", [np.array([3.0, 4.0, 5.0]), 0.7], ids=["array", "scalar"])
def test_select_with_plain_choices_and_a_traced_default(default):
    """NumPy 2's dispatcher for np.select does not look at ``default=``: NumPy's own code filled an
    object array with it.  out = [d0, 1, 2] (the first entry fails the condition)."""
    x = np.array([0.0, 1.0, 2.0])
    J = ad.jacfwd(lambda d: np.select([x > 0.5], [x], default=d))(default)
    want = np.array([[1.0, 0, 0], [0, 0, 0], [0, 0, 0]]) if np.ndim(default) else np.array([1.0, 0, 0])
    np.testing.assert_array_equal(J, want)
    np.testing.assert_array_equal(ad.jacrev(lambda d: np.select([x > 0.5], [x], default=d))(default), want)


def test_full_like_keyword_like_a_traced_array():
    """np.full(3, c, like=x) with a traced x asks adviz's np.full (it recursed without end)."""
    x = np.array([0.3, -0.4, 1.1])
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(np.full(3, 2.0, like=x) * x))(x), [2.0, 2.0, 2.0])
    # Σ x0·x: slope Σx + x0 in x0, x0 in the others
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.full(3, x[0], like=x) * x))(x), [1.3, 0.3, 0.3])


def test_nan_to_num_in_place_is_refused_when_it_would_replace_something():
    """copy=False writes into the array, which a traced value (or a plain array given a traced
    replacement) cannot do: code reading the array afterwards would have seen its NaN."""
    a = np.array([1.0, np.nan])
    with pytest.raises(ad.UnsupportedOperation, match=r"copy=False.*in place"):
        ad.grad(lambda c: np.sum(np.nan_to_num(a, copy=False, nan=c)))(0.5)
    with pytest.raises(ad.UnsupportedOperation, match=r"copy=False.*in place"):
        ad.grad(lambda x: np.sum(np.nan_to_num(x * a, copy=False)))(2.0)
    assert np.isnan(a[1])  # never written
    b = np.array([1.0, 2.0])  # nothing to replace: in place or not, the same numbers
    assert ad.grad(lambda x: np.sum(np.nan_to_num(x * b, copy=False)))(2.0) == 3.0
