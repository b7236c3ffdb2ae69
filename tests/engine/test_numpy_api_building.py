"""Building arrays from traced values (``adviz.engine.numpy_api.building``): ``np.array([...])``
and friends trace as one ``pack`` node, entry by entry, against independent references."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad
from adviz.engine.numpy_api.building import MAX_ENTRIES
from adviz.engine.tracer import UnsupportedOperation

try:
    from .array_cases import BUILDING_CASES
    from .arraycheck import check
except ImportError:  # pragma: no cover
    from array_cases import BUILDING_CASES  # type: ignore[no-redef]
    from arraycheck import check  # type: ignore[no-redef]

@pytest.mark.parametrize("name, fn, inputs", BUILDING_CASES, ids=[c[0] for c in BUILDING_CASES])
def test_building_arrays(name, fn, inputs):
    check(fn, *inputs, name=name)


def test_the_trace_shows_one_pack_node():
    t = ad.trace(lambda x, y: np.array([x * y, x + y]), 2.0, 3.0)
    lines = repr(t).splitlines()
    assert lines[-1].strip() == "v3 = array([v1, v2])"
    assert ad.jacrev(lambda x, y: np.array([x * y, x + y]), argnums=(0, 1))(2.0, 3.0)[0].tolist() == [3.0, 1.0]


def test_plain_floats_are_still_refused():
    for fn in (float, np.float64, lambda x: x.item()):
        with pytest.raises(TypeError, match="traced value"):
            ad.grad(lambda x, fn=fn: fn(x) * 1.0)(2.0)


def test_a_float_dtype_traces_as_one_pack_node_in_that_dtype():
    """np.array([x*y, x+y], dtype=float): the Jacobian [[y, x], [1, 1]]; float32 computes in float32 as NumPy."""
    x, y = 2.0, 3.0
    jac = ad.jacrev(lambda x, y: np.array([x * y, x + y], dtype=float), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(np.stack(jac, axis=-1), [[y, x], [1.0, 1.0]])
    t = ad.trace(lambda x, y: np.asarray([x * y, x + y], dtype=np.float64), x, y)
    assert repr(t).splitlines()[-1].strip() == "v3 = array([v1, v2])"  # float64 already: no cast node
    x32, y32 = np.float32(0.1), np.float32(0.7)
    value, tangent = ad.jvp(lambda x, y: np.array([x * y, np.sin(x)], dtype=np.float32), (0.1, 0.7), (1.0, 0.0))
    assert value.dtype == np.float32 and tangent.dtype == np.float32
    np.testing.assert_array_equal(value, np.array([np.float64(0.1) * 0.7, np.sin(0.1)], dtype=np.float32))
    np.testing.assert_allclose(tangent, [0.7, np.cos(0.1)], rtol=1e-6)
    assert np.array([x32 * y32], dtype=np.float32).dtype == np.float32  # outside a transform: NumPy's own


def test_an_integer_or_complex_dtype_of_traced_values_refuses_naming_the_call():
    for f, message in ((lambda x: np.array([x, x * x], dtype=int), r"np\.array\(\.\.\., dtype=int64\)"),
                       (lambda x: np.asarray([x, 1.0], dtype=np.int32), r"np\.asarray\(\.\.\., dtype=int32\)"),
                       (lambda x: np.asarray([x, 1.0], dtype=complex), "complex")):
        for transform in (ad.grad, ad.jacfwd):
            with pytest.raises(UnsupportedOperation, match=message):
                transform(lambda x: np.sum(f(x)) * 1.0)(2.0)


def test_numpys_own_functions_are_back_when_no_transform_runs():
    """The entry points are NumPy's own functions outside transforms (nested and failing ones included)."""
    originals = {name: getattr(np, name) for name in ("array", "asarray", "cov", "interp")}
    with pytest.raises(UnsupportedOperation):
        ad.grad(lambda x: ad.grad(lambda y: np.array([x, y], dtype=int).sum() * 1.0)(x))(1.0)
    ad.hessian(lambda x: np.sum(np.array([x * x, x], dtype=float)))(1.0)
    assert {name: getattr(np, name) for name in originals} == originals
    assert type(np.array) is type(np.zeros)  # the builtin


def test_large_traced_arrays_are_not_split_into_entries():
    big = np.zeros(MAX_ENTRIES + 1)
    with pytest.raises(TypeError, match=r"np\.stack"):
        ad.grad(lambda v: np.sum(np.array([v, v])))(big)


def test_mean_of_an_object_array_traces():
    assert ad.grad(lambda x: np.mean(np.array([x, x * x])))(2.0) == 2.5
    assert ad.grad(lambda x: np.mean(np.stack([x, x * x])))(2.0) == 2.5


def test_second_order_through_a_built_array():
    f = lambda x: np.sum(np.array([x ** 3, np.sin(x)]) * np.array([1.0, 2.0]))  # noqa: E731
    np.testing.assert_allclose(ad.hessian(f)(0.5), 6 * 0.5 - 2 * np.sin(0.5), rtol=1e-12)
    np.testing.assert_allclose(ad.grad(ad.grad(f))(0.5), 6 * 0.5 - 2 * np.sin(0.5), rtol=1e-12)


def test_float32_entries_build_float32():
    x = np.float32(1.5)
    y, vjp_fn = ad.vjp(lambda a: np.array([a, a * a]), x)
    assert y.dtype == np.float32 and vjp_fn(np.ones(2, np.float32))[0].dtype == np.float32


@pytest.mark.parametrize("transform", ["grad", "jvp", "trace", "hessian"])
def test_a_matrix_built_from_traced_entries_only_reaches_compiled_routines(transform):
    """np.array([[a, b], [b, a*a]]) with a and b both traced was NumPy's object array, which
    np.linalg.det cannot read (it worked only when some entry was a plain number).  det = a³ − b²."""
    f = lambda a, b: np.linalg.det(np.array([[a, b], [b, a * a]]))  # noqa: E731
    a, b = 0.7, 0.3
    if transform == "grad":
        got, want = ad.grad(f, argnums=(0, 1))(a, b), (3 * a * a, -2 * b)
    elif transform == "jvp":
        got, want = ad.jvp(f, (a, b), (1.0, 2.0))[1], 3 * a * a - 4 * b
    elif transform == "trace":
        result = ad.trace(f, a, b).reverse().result
        got, want = (result["a"], result["b"]), (3 * a * a, -2 * b)
    else:
        got, want = ad.hessian(f, argnums=(0, 1))(a, b), ((6 * a, 0.0), (0.0, -2.0))
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want), rtol=1e-12, atol=1e-14)
