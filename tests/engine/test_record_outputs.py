"""A trace of a function with several outputs, and how records show themselves.

``Trace.reverse()`` of a function returning a tuple, list or dict needs one adjoint per output
(as ``ad.vjp``'s ``vjp_fn`` does): with no seed it refuses instead of sweeping back from the
first output alone, and ``Trace.gradient()`` refuses as ``ad.grad`` does for such a function.
Reference values are the hand derivatives of the functions below.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

import adviz as ad


def two_outputs(x):
    return x**2, 3 * x


def test_reverse_without_seed_refuses_several_outputs():
    t = ad.trace(two_outputs, 2.0)
    with pytest.raises(ValueError, match="2 outputs"):
        t.reverse()
    with pytest.raises(ValueError, match="single scalar output"):
        t.gradient()


@pytest.mark.parametrize("x", [2.0, -0.7])
def test_reverse_seeds_every_output(x):
    t = ad.trace(two_outputs, x)
    assert t.reverse((1.0, 1.0)).result["x"] == pytest.approx(2 * x + 3, rel=1e-15)
    assert t.reverse((2.0, -1.0)).result["x"] == pytest.approx(4 * x - 3, rel=1e-15)
    first, second = (n.name for n in t.outputs)
    assert t.reverse({first: 1.0}).result["x"] == pytest.approx(2 * x, rel=1e-15)
    assert t.reverse({second: 1.0}).result["x"] == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(ValueError, match="not an output"):
        t.reverse({"x": 1.0})
    with pytest.raises(ValueError, match="shape"):
        t.reverse((np.ones(2), 1.0))


def test_an_output_that_feeds_another_output_adds_both_adjoints():
    def f(x):
        y = x**2
        return y, y * x                      # d/dx (x² + x³) = 2x + 3x²

    t = ad.trace(f, 3.0)
    assert t.reverse((1.0, 1.0)).result["x"] == pytest.approx(2 * 3.0 + 3 * 9.0, rel=1e-15)


def test_an_input_returned_as_an_output_gets_its_seed():
    t = ad.trace(lambda x: (x, np.sin(x)), 0.4)
    assert t.reverse((1.0, 1.0)).result["x"] == pytest.approx(1 + np.cos(0.4), rel=1e-15)


def test_dict_output_seeded_by_name():
    x = np.array([1.0, 2.0])
    t = ad.trace(lambda p: {"a": 2 * p, "b": np.sin(p)}, x)
    names = [n.name for n in t.outputs]
    np.testing.assert_allclose(t.reverse({names[1]: np.ones(2)}).result["p"], np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(t.reverse({names[0]: np.ones(2), names[1]: np.ones(2)}).result["p"],
                               2 + np.cos(x), rtol=1e-15)


def _printed(renderable) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_records_draw_themselves_with_rich():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    tape = _printed(t)
    assert "Tape" in tape and "sin(x1)" in tape and "Trace(" not in tape
    reverse = _printed(t.reverse())
    assert "Reverse sweep" in reverse and "x̄2" in reverse
    assert repr(float(5.0 + np.cos(2.0))) in reverse           # x̄1 = x2 + cos(x1)
    forward = _printed(t.forward("x1"))
    assert "Forward sweep" in forward and repr(float(5.0 + np.cos(2.0))) in forward
    bundle = t.reverse()._repr_mimebundle_()
    assert "text/html" in bundle and "x̄1" in bundle["text/plain"]


def test_a_sweep_of_several_outputs_keeps_its_seeds_in_another_notation():
    t = ad.trace(two_outputs, 2.0)
    sweep = t.reverse((1.0, 0.5)).in_notation("griewank")
    assert sweep.result == {"v₀": pytest.approx(2 * 2.0 + 0.5 * 3, rel=1e-15)}


def test_reverse_takes_an_adjoint_shaped_like_the_output_pytree():
    """``t.reverse`` of a pytree-valued trace accepts the output's own structure, as ``vjp_fn`` does."""
    x = np.array([0.3, 0.4])
    t = ad.trace(lambda a: (np.sin(a), {"q": a * 2}), x)
    got = t.reverse((np.ones(2), {"q": np.full(2, 0.5)})).result["a"]
    np.testing.assert_allclose(got, np.cos(x) + 1.0)
    np.testing.assert_allclose(t.reverse((np.ones(2), np.zeros(2))).result["a"], np.cos(x))  # flat leaves still work


def test_a_constant_output_is_refused_by_trace_as_adviz_refuses():
    with pytest.raises(ad.UnsupportedOperation, match="does not depend on the inputs"):
        ad.trace(lambda a: np.ones(2), np.array([0.3, 0.4]))
    with pytest.raises(ValueError):  # and still the ValueError it was
        ad.trace(lambda a: (a, 3.0), 1.0)
