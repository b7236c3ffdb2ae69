"""Diagonals and traces of ``adviz.engine.numpy_api.indexing`` against independent references."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad

try:
    from .arraycheck import check
except ImportError:  # pragma: no cover
    from arraycheck import check  # type: ignore[no-redef]

RNG = np.random.default_rng(7)
X34 = RNG.uniform(-2, 2, (3, 4))
X234 = RNG.uniform(-2, 2, (2, 3, 4))

DIAGONALS = [
    ({}, X34), ({"offset": 1}, X34), ({"offset": -2}, X34), ({"offset": 3}, X34),
    ({}, X234), ({"offset": 1}, X234), ({"axis1": 1, "axis2": 2}, X234), ({"axis1": 2, "axis2": 0, "offset": -1}, X234),
    ({"axis1": -1, "axis2": -2, "offset": 2}, X234),
]


@pytest.mark.parametrize("kw, x", DIAGONALS, ids=[f"{k}{x.shape}" for k, x in DIAGONALS])
def test_diagonal_and_trace(kw, x):
    check(lambda a: np.diagonal(a, **kw), x, name=f"diagonal{kw}", second=False)
    check(lambda a: np.trace(a, **kw), x, name=f"trace{kw}")
    check(lambda a: a.diagonal(**kw) ** 2, x, name=f"method diagonal{kw}")
    check(lambda a: a.trace(**kw) ** 2, x, name=f"method trace{kw}")


def test_diagonal_offset_is_not_ignored():
    y, _ = ad.vjp(lambda a: np.diagonal(a, offset=1), X34)
    np.testing.assert_array_equal(y, np.diagonal(X34, offset=1))
    g = ad.grad(lambda a: np.sum(np.diagonal(a, 1)))(X34)
    np.testing.assert_array_equal(g, np.eye(3, 4, k=1))


def test_empty_diagonal_has_zero_derivative():
    y, vjp_fn = ad.vjp(lambda a: np.diagonal(a, offset=7), X34)
    assert y.shape == (0,)
    np.testing.assert_array_equal(vjp_fn(np.zeros(0))[0], np.zeros((3, 4)))
    assert ad.grad(lambda a: np.trace(a, offset=-5))(X34).tolist() == np.zeros((3, 4)).tolist()


@pytest.mark.parametrize("k", [0, 1, -1, 2, -3])
def test_diag_both_directions(k):
    v = RNG.uniform(-2, 2, 3)
    check(lambda a: np.diag(a, k), v, name=f"diag(vector, {k})", second=False)
    check(lambda a: np.diag(a, k) ** 2, v, name=f"diag(vector, {k})**2")
    if np.diag(X34, k).size:
        check(lambda a: np.diag(a, k) * 1.5, X34, name=f"diag(matrix, {k})", second=False)
    check(lambda a: np.diagflat(a, k), v.reshape(1, 3), name=f"diagflat({k})", second=False)


def test_diag_of_other_dimensions_is_refused_as_numpy_does():
    with pytest.raises(ValueError):
        ad.grad(lambda a: np.sum(np.diag(a)))(X234)
    with pytest.raises(ValueError):
        ad.grad(lambda a: np.sum(np.diagonal(a, axis1=1, axis2=1)))(X234)


def test_an_empty_list_index_selects_nothing_as_in_numpy():
    """``x[[]]`` is an empty selection (NumPy reads ``[]`` as an intp index), not an IndexError."""
    x = np.array([1.0, 2.0, 3.0])
    y, t = ad.jvp(lambda a: a[[]], (x,), (np.ones(3),))
    assert y.shape == (0,) and t.shape == (0,)
    np.testing.assert_array_equal(ad.grad(lambda a: np.sum(a[[]]) + a[1])(x), [0.0, 1.0, 0.0])
