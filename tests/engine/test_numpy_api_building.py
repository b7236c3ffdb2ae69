"""Building arrays from traced values (``adviz.engine.numpy_api.building``): ``np.array([...])``
and friends trace as one ``pack`` node, entry by entry, against independent references."""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad
from adviz.engine.numpy_api.building import MAX_ENTRIES

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
    for fn in (float, lambda x: np.asarray(x, dtype=float), lambda x: np.array([x, 1.0], dtype=np.float64),
               lambda x: x.item()):
        with pytest.raises(TypeError, match="traced value"):
            ad.grad(lambda x, fn=fn: fn(x) * 1.0)(2.0)


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
