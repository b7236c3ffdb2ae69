"""NumPy functions handed a Python list (or tuple) of traced values, and the refusals around them.

``np.mean([x, y])`` never reaches adviz's dispatch (a list has no ``__array_function__``):
NumPy builds an object array of the traced values and runs its own code on it (see
``numpy_api/building.py`` and ``Tracer.dtype``).  Each case is checked with ``check_grads``
(jvp and vjp in random directions against central differences, jacfwd and jacrev against a
reference Jacobian, second order) at generic points and at a few hostile ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad
from adviz.engine.tracer import UnsupportedOperation

try:
    from .check_grads import check_grads
except ImportError:  # pragma: no cover
    from check_grads import check_grads  # type: ignore[no-redef]

W = np.array([2.0, -1.0, 0.5])

LIST_CASES = {
    "mean": lambda x, y, z: np.mean([x, y * z, z]),
    "mean-tuple-with-constant": lambda x, y, z: np.mean((x * y, 1.5, z)),
    "mean-axis0": lambda x, y, z: np.mean([[x, y], [z, x * y]], axis=0),
    "mean-keepdims": lambda x, y, z: np.mean([[x, y], [z, 2.0]], axis=1, keepdims=True),
    "var": lambda x, y, z: np.var([x, y, z]),
    "var-ddof": lambda x, y, z: np.var([x, y * y, z], ddof=1),
    "std": lambda x, y, z: np.std([x, y, z * 2.0]),
    "std-axis": lambda x, y, z: np.std([[x, y], [z, 0.5]], axis=1),
    "median-odd": lambda x, y, z: np.median([x, y, z]),
    "median-even": lambda x, y, z: np.median([x, y, z, 0.1]),
    "average-weights": lambda x, y, z: np.average([x, y, z], weights=[1.0, 2.0, 3.0]),
    "sum": lambda x, y, z: np.sum([x * y, x, z]),
    "prod": lambda x, y, z: np.prod((x, y, z)),
    "max": lambda x, y, z: np.max([x, y, z]),
    "min-tuple": lambda x, y, z: np.min((x, y, z)),
    "norm": lambda x, y, z: np.linalg.norm([x, y, z]),
    "norm-1": lambda x, y, z: np.linalg.norm([x, y, z], ord=1),
    "dot": lambda x, y, z: np.dot([x, y, z], W),
    "dot-two-lists": lambda x, y, z: np.dot([x, y], [z, x]),
    "matmul": lambda x, y, z: np.array([[1.0, 2.0], [0.5, -1.0]]) @ [x, y * z],
    "exp-list": lambda x, y, z: np.exp([x, y, z]),
    "cumsum": lambda x, y, z: np.cumsum([x, y, z]),
    "mean-of-np-array": lambda x, y, z: np.mean(np.array([x, y * z])),
    "var-of-squares": lambda x, y, z: np.var(np.array([x * x, y, z])) + np.mean([x, y]) ** 2,
}
POINT = (0.7, -1.3, 0.4)


@pytest.mark.parametrize("name", list(LIST_CASES))
def test_functions_of_lists_of_traced_values(name):
    check_grads(LIST_CASES[name], POINT, name=name)


@pytest.mark.parametrize("name", ["mean", "var", "std", "median-odd", "norm", "dot"])
def test_functions_of_lists_at_random_points(name):
    rng = np.random.default_rng(7)
    for _ in range(3):
        check_grads(LIST_CASES[name], tuple(rng.normal(size=3)), name=name)


def test_list_results_are_traced_values_with_the_values_numpy_gives():
    x, y = 0.3, 1.9
    got, vjp_fn = ad.vjp(lambda x, y: np.mean([x, y]), x, y)
    assert got == np.mean([x, y]) and np.result_type(got) == np.float64
    assert vjp_fn(1.0) == (0.5, 0.5)
    assert ad.grad(lambda x: np.std([x, 2.0 * x]))(1.5) == pytest.approx(0.5, rel=1e-15)  # std = |x|/2
    assert ad.grad(lambda x: np.var([x, 1.0, 2.0]))(4.0) == pytest.approx(2 / 3 * (4.0 - 7 / 3), rel=1e-13)
    # the dtype of a traced value is its own everywhere else
    assert ad.grad(lambda x: x * (x.dtype == np.float64))(1.0) == 1.0


@pytest.mark.parametrize("f, message", [
    (lambda x: np.linalg.det([[x, 1.0], [2.0, x]]), r"np\.stack"),
    (lambda x: np.linalg.inv([[x, 1.0], [2.0, x]]), r"np\.stack"),
    (lambda x: np.sin(np.array([x, x * x]), out=np.zeros(2)), r"out="),
    (lambda x: np.add(np.array([x, x]), 1.0, where=np.array([True, False]), out=np.zeros(2)), r"out="),
], ids=["det of a list", "inv of a list", "ufunc of an object array into a float out=", "where and out"])
def test_object_arrays_meeting_compiled_code_refuse_clearly(f, message):
    """These used to leak NumPy's UFuncTypeError ("Cannot cast ufunc 'det' input from dtype('O')")."""
    with pytest.raises(UnsupportedOperation, match=message):
        ad.grad(lambda x: np.sum(f(x)))(1.5)


def test_a_float_scalar_conversion_refuses():
    """``np.float64(x)`` must be a plain float (a NumPy scalar type, not a call adviz sees): its
    number would be a constant, so it refuses rather than give a zero derivative.  (``np.array([x],
    dtype=float)`` traces: ``test_numpy_api_building.py``.)"""
    for fn in (np.float64, np.float32):
        with pytest.raises(TypeError, match=r"dtype="):
            ad.grad(lambda x, fn=fn: np.sum(fn(x)))(2.0)


@pytest.mark.parametrize("f, call, kind", [
    (lambda x: np.mean([x, 2.0 * x], dtype=np.float64), "np.mean", "list"),
    (lambda x: np.sum((x, x * x), dtype=float), "np.sum", "tuple"),
], ids=["mean dtype=float64", "sum of a tuple dtype=float"])
def test_dtype_on_a_list_of_traced_values_names_what_was_written(f, call, kind):
    """NumPy converts each entry to that dtype itself (float(x)): the refusal names the
    function and its dtype= argument, not ``a[i] = x`` (the user wrote no assignment)."""
    for transform in (ad.grad(f), lambda x: ad.jvp(f, (x,), (1.0,))):
        with pytest.raises(UnsupportedOperation) as info:
            transform(1.5)
        message = str(info.value)
        assert "a[i] = x" not in message
        assert f"{call}(..., dtype=float64) of a {kind} of traced values" in message
        assert "np.stack" in message and "without dtype=" in message


@pytest.mark.parametrize("reduce", [np.mean, np.var, np.std, np.nanmean, np.nanvar, np.nanstd])
def test_a_float32_list_keeps_float32_as_numpy(reduce):
    """NumPy divides a float32 sum by an np.intp count (float64) and casts the quotient back with
    ``sum.dtype.type``; the traced value's dtype there casts with astype, so the result is float32 and
    equal to NumPy's, and its derivative is the analytic one (mean: 1/n; var: 2 (v - m) / n)."""
    v = np.array([0.3, 1.7, -0.4], dtype=np.float32)
    f = lambda a, b, c: reduce([a, b * 1.0, c])  # noqa: E731
    value, tangent = ad.jvp(f, tuple(v), (np.float32(1.0), np.float32(0.0), np.float32(0.0)))
    expected = reduce(v)
    assert value.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(value, expected, rtol=2e-7)
    m = np.mean(v.astype(float))
    slope = {"mean": 1 / 3, "var": 2 * (v[0] - m) / 3, "std": (v[0] - m) / 3 / np.std(v.astype(float))}
    np.testing.assert_allclose(tangent, slope[reduce.__name__.removeprefix("nan")], rtol=1e-5)
    assert tangent.dtype == np.float32


def test_a_q_list_holding_a_traced_value_is_a_traced_q():
    """np.quantile(d, [q, 0.5]): the linear quantile's slope in q is (n - 1)(upper - lower) (docs/conventions.md);
    the other methods and nanquantile refuse a traced q, in a list as well as alone."""
    d = np.array([0.3, -1.2, 2.0, 0.7])  # sorted: -1.2, 0.3, 0.7, 2.0; q = 0.3 sits between -1.2 and 0.3
    np.testing.assert_allclose(ad.jacrev(lambda q: np.quantile(d, [q, 0.5]))(0.3), [3 * 1.5, 0.0], rtol=1e-12)
    np.testing.assert_allclose(ad.jacfwd(lambda q: np.percentile(d, [100 * q, 50.0]))(0.3), [4.5, 0.0], rtol=1e-12)
    for f in (lambda q: np.quantile(d, [q, 0.5], method="hazen"), lambda q: np.nanquantile(d, [q, 0.5])):
        with pytest.raises(UnsupportedOperation, match="traced q"):
            ad.jacrev(f)(0.3)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_reductions_of_a_list_with_a_line_of_nans_only():
    """NumPy's own nanvar divided a plain 0 by a count of 0 on the object array (ZeroDivisionError); the list
    goes to adviz's rule: NaN for the line of NaNs (derivative 0), var([x, y]) = (x - y)²/4 for the other."""
    x, y = 0.7, 1.3
    for name, slope in (("nanvar", [(x - y) / 2, (y - x) / 2]), ("nanstd", [-0.5, 0.5]), ("nanmean", [0.5, 0.5])):
        f = lambda x, y: getattr(np, name)([[x, y], [np.nan, np.nan]], axis=1)  # noqa: E731  (np.<name> as called)
        value = ad.jvp(f, (x, y), (1.0, 0.0))[0]
        np.testing.assert_array_equal(np.isnan(value), [False, True])
        jac = ad.jacrev(f, argnums=(0, 1))(x, y)
        np.testing.assert_allclose([jac[0][0], jac[1][0]], slope, rtol=1e-12)
        if name == "nanmean":  # a line of NaNs only: derivative 0 (docs/conventions.md); nanvar's is NaN
            assert jac[0][1] == jac[1][1] == 0.0
    # the standard deviation of a NaN variance is NaN, not the 0 of a zero spread (was 0)
    for f in (lambda x: np.nanstd(np.stack([np.stack([x, 2.0 * x]), np.full(2, np.nan)]), axis=1),
              lambda x: np.std(np.stack([x, np.nan, 1.0]), where=np.array([True, True, False]))):
        value = ad.jvp(f, (x,), (1.0,))[0]
        np.testing.assert_array_equal(np.isnan(value), np.isnan(f(x)))
        assert np.isnan(value).any()


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_a_reduction_of_a_list_with_tied_entries_shares_the_slope(name):
    """np.max([x, y]) at x == y went through NumPy's object loop, which picks one entry (slope 1 to x,
    0 to y); the documented convention, and np.max(np.stack([x, y])), give each ½, in every mode.
    (np.max is looked up while the transform runs, as user code does: see entry_points.py.)"""
    sign = 1.0 if "max" in name else -1.0

    def f(x, y):
        return getattr(np, name)([x, y, x - sign])

    assert ad.grad(f, argnums=(0, 1))(sign, sign) == (0.5, 0.5)
    assert ad.jvp(f, (sign, sign), (1.0, 0.0))[1] == 0.5 and ad.jvp(f, (sign, sign), (0.0, 1.0))[1] == 0.5
    assert ad.grad(f, argnums=(0, 1))(sign, 1.25 * sign) == (0.0, 1.0)
