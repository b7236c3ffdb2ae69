"""Options of NumPy functions that change the numbers (``dtype=``, ``where=``): each is either
honoured exactly as NumPy honours it, with derivatives checked against central differences,
or refused by name.  None may be silently dropped: ``np.concatenate([x, y], dtype=np.float32)``
once returned float64 values, and ``np.clip(x, lo, hi, where=mask)`` clipped every entry."""

from __future__ import annotations

import numpy as np
import pytest
from check_grads import check_grads

import adviz as ad

X = np.array([-1.25, 0.3, 0.7, 2.0])
Y = np.array([0.5, -0.4, 1.1, 0.2])

JOINS = {
    "concatenate": lambda x, y, **kw: np.concatenate([x, y], **kw),
    "stack": lambda x, y, **kw: np.stack([x, y], axis=1, **kw),
    "hstack": lambda x, y, **kw: np.hstack([x, y], **kw),
    "vstack": lambda x, y, **kw: np.vstack([x, y], **kw),
}


@pytest.mark.parametrize("name", sorted(JOINS))
def test_joining_with_dtype_gives_numpys_values_and_dtype(name):
    join = JOINS[name]
    expected = join(X, Y, dtype=np.float32)
    y, y_dot = ad.jvp(lambda x, y: join(x, y, dtype=np.float32), (X, Y), (np.ones(4), np.zeros(4)))
    assert y.dtype == np.float32 and y_dot.dtype == np.float32
    np.testing.assert_array_equal(y, expected)
    # the derivative of a float32 cast is 1 (entries of x) and 0 (entries of y)
    np.testing.assert_array_equal(y_dot, join(np.ones(4), np.zeros(4)))
    check_grads(lambda x, y: join(x, y, dtype=np.float64), (X, Y), name=f"{name}(dtype=float64)")


def test_clip_dtype_casts_first():
    f = lambda x: np.clip(x, -1.0, 1.0, dtype=np.float32)
    y, y_dot = ad.jvp(f, (X,), (np.ones(4),))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, f(X))
    np.testing.assert_array_equal(y_dot, [0.0, 1.0, 1.0, 0.0])
    check_grads(lambda x: np.clip(x, -1.0, 1.0, casting="same_kind", where=True), (X,), name="clip(where=True)")


def test_clip_where_is_refused_not_dropped():
    with pytest.raises(ad.UnsupportedOperation, match=r"np.clip\(\.\.\., where="):
        ad.grad(lambda x: np.sum(np.clip(x, -1.0, 1.0, where=x > 0)))(X)


def test_clip_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword"):
        ad.grad(lambda x: np.sum(np.clip(x, -1.0, 1.0, bogus=1)))(X)
