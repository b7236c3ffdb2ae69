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


FLOAT32_AS_NUMPY = {
    "quantile": lambda x: np.quantile(x, 0.3),
    "percentile-axis": lambda x: np.percentile(x, [20.0, 70.0], axis=0),
    "quantile-nearest": lambda x: np.quantile(x, 0.5, method="nearest", axis=1),
    "linspace-float32-ends": lambda x: np.linspace(x[0, 0], x[0, 1], 4),
    "cov-is-float64": np.cov,
    "corrcoef-is-float64": np.corrcoef,
    "cov-dtype-float32": lambda x: np.cov(x, dtype=np.float32),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_AS_NUMPY))
def test_float32_input_gives_numpys_dtype(name):
    """The value, tangent and cotangent come in NumPy's dtype (quantiles of float32 data were
    float64; cov of float32 data float32 where NumPy computes in float64; cov ignored dtype=)."""
    f = FLOAT32_AS_NUMPY[name]
    x = np.array([[0.2, 0.9, 0.45, 0.7], [0.35, 0.1, 0.8, 0.6], [0.5, 0.3, 0.15, 0.95]], dtype=np.float32)
    expected = f(x)
    v = np.random.default_rng(3).uniform(-1, 1, x.shape).astype(np.float32)
    y, y_dot = ad.jvp(f, (x,), (v,))
    assert y.dtype == expected.dtype and y_dot.dtype == expected.dtype
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    y2, vjp_fn = ad.vjp(f, x)
    assert vjp_fn(np.ones_like(expected))[0].dtype == np.float32
    x64, v64 = x.astype(np.float64), v.astype(np.float64)
    f64 = np.cov if name == "cov-dtype-float32" else f  # the same function computed in float64
    fd = (f64(x64 + 1e-6 * v64) - f64(x64 - 1e-6 * v64)) / 2e-6
    np.testing.assert_allclose(np.asarray(y_dot, np.float64), fd, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("true", [True, np.True_, np.array(True)], ids=["True", "np.True_", "0-d array(True)"])
def test_ufunc_where_any_scalar_true_computes_every_entry(true):
    """``where=np.True_`` (what ``np.all(...)`` or a NumPy comparison returns) means the same as
    ``where=True``: every entry is computed; it used to be refused as a mask."""
    for f, df in ((lambda x: np.sin(x, where=true), np.cos(X)),
                  (lambda x: np.multiply(x, x, where=true, subok=True), 2 * X)):
        y, y_dot = ad.jvp(f, (X,), (np.ones(4),))
        np.testing.assert_array_equal(y, f(X))
        np.testing.assert_allclose(y_dot, df, rtol=1e-15)
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.sin(x, where=true)))(X), np.cos(X), rtol=1e-15)
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.clip(x, -1.0, 1.0, where=true)))(X),
                               [0.0, 1.0, 1.0, 0.0])


def test_ufunc_where_false_or_a_mask_is_still_refused():
    for mask in (np.False_, X > 0):
        with pytest.raises(ad.UnsupportedOperation, match=r"where=mask"):
            ad.grad(lambda x: np.sum(np.sin(x, where=mask)))(X)


def test_the_safe_division_idiom_refuses_rather_than_lose_its_out_array():
    """``np.divide(a, b, out=np.zeros_like(a), where=b != 0)``: NumPy's result *is* the out= array, a plain
    float array that cannot hold traced values; returning a traced copy would leave ``out`` stale for code
    that reads it (a silent zero derivative), so it refuses and names np.where."""
    b = np.array([0.0, 2.0, 0.0, 4.0])
    for f in (lambda x: np.divide(x, b, out=np.zeros_like(X), where=b != 0),
              lambda x: np.divide(1.0, x, where=x > 0)):
        with pytest.raises(ad.UnsupportedOperation, match=r"out=|np\.where"):
            ad.grad(lambda x: np.sum(f(x)))(X)
