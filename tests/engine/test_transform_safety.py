"""Issue 9 §1: never a silently wrong result from the transforms themselves.

Each test pins one way a transform used to return a wrong number (or a tracer object)
and checks the fix against a reference computed with plain NumPy: analytic formulas and
the complex step ``Im f(x + ih)/h``, never the engine against itself.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import adviz as ad
from adviz.engine.tracer import EscapedTracerError, UnsupportedOperation


def complex_step(f, x, h=1e-30):
    """df/dx of a scalar analytic f, computed with plain NumPy complex arithmetic."""
    return np.imag(f(np.complex128(x) + 1j * h)) / h


# ---------------------------------------------------------------- tuple / list / dict outputs
def test_jacrev_of_tuple_output_is_a_tuple_of_jacobians():
    jac = ad.jacrev(lambda x: (np.sin(x), 2 * x))(1.0)
    assert isinstance(jac, tuple) and len(jac) == 2
    assert jac[0] == pytest.approx(np.cos(1.0), rel=1e-15)
    assert jac[1] == pytest.approx(2.0)


@pytest.mark.parametrize("transform", [ad.jacrev, ad.jacfwd])
def test_jacobians_of_list_and_dict_outputs(transform):
    x = np.array([0.3, -0.7, 1.1])
    jac = transform(lambda x: {"s": np.sin(x), "p": [x**2, np.sum(x)]})(x)
    assert set(jac) == {"s", "p"} and isinstance(jac["p"], list)
    np.testing.assert_allclose(jac["s"], np.diag(np.cos(x)), rtol=1e-15)
    np.testing.assert_allclose(jac["p"][0], np.diag(2 * x), rtol=1e-15)
    np.testing.assert_allclose(jac["p"][1], np.ones(3), rtol=1e-15)


def test_vjp_primal_output_holds_no_tracers():
    y, vjp_fn = ad.vjp(lambda x: (np.sin(x), {"twice": 2 * x}), 1.0)
    leaves = [y[0], y[1]["twice"]]
    assert all(type(v) in (float, np.float64, np.ndarray) for v in leaves), [type(v) for v in leaves]
    assert y[0] == pytest.approx(np.sin(1.0)) and y[1]["twice"] == 2.0
    (g,) = vjp_fn((1.0, {"twice": 10.0}))
    assert g == pytest.approx(np.cos(1.0) + 20.0, rel=1e-15)


def test_jvp_of_tuple_output():
    y, t = ad.jvp(lambda x: (np.exp(x), x * x), (0.5,), (2.0,))
    assert y[0] == pytest.approx(np.exp(0.5)) and y[1] == 0.25
    assert t[0] == pytest.approx(2 * complex_step(np.exp, 0.5), rel=1e-15)
    assert t[1] == pytest.approx(2 * 2 * 0.5)


def test_grad_of_tuple_output_is_refused():
    with pytest.raises(TypeError, match="one scalar output"):
        ad.grad(lambda x: (x, x))(1.0)


# ---------------------------------------------------------------- escaped tracers
def _leak(transform):
    """Run a transform whose function stores its traced argument in a list; return it."""
    leaked = []

    def f(x):
        leaked.append(x)
        return x * 2.0

    if transform == "jvp":
        ad.jvp(f, (3.0,), (1.0,))
    elif transform == "vjp":
        ad.vjp(f, 3.0)
    else:
        getattr(ad, transform)(f)(3.0)
    return leaked[0]


TRANSFORMS = ["grad", "value_and_grad", "jacfwd", "jacrev", "hessian", "jvp", "vjp"]
USES = {
    "arithmetic": lambda t: t + 1.0,
    "reflected arithmetic": lambda t: 1.0 - t,
    "np function": lambda t: np.sin(t),
    "np reduction": lambda t: np.sum(t),
    "indexing": lambda t: np.reshape(t, (1,))[0],
    "comparison": lambda t: t > 0,
    "equality": lambda t: t == 3.0,
    "bool": lambda t: bool(t),
    "float": lambda t: float(t),
    "np.asarray": lambda t: np.asarray(t),
    "non-differentiable np": lambda t: np.argmax(t),
    "inside a new grad": lambda t: ad.grad(lambda y: y * t)(2.0),
    "inside a new jvp": lambda t: ad.jvp(lambda y: y + t, (2.0,), (1.0,)),
}


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("use", list(USES))
def test_escaped_tracer_raises_a_clear_error(transform, use):
    t = _leak(transform)
    with pytest.raises(EscapedTracerError, match="escaped from ad") as info:
        USES[use](t)
    assert "used after the transform had ended" in str(info.value)
    assert "has_aux=True" in str(info.value)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_escaped_tracer_repr_says_it_is_stale(transform):
    t = _leak(transform)
    text = repr(t)
    assert "escaped" in text and "3.0" in text
    assert str(t) == text  # print() works too
    assert t.shape == () and t.dtype == np.float64  # metadata stays readable


def test_escaped_tracer_in_the_output_of_a_later_transform_raises():
    t = _leak("grad")
    with pytest.raises(EscapedTracerError):
        ad.grad(lambda y: t)(1.0)  # returns the stale tracer itself: no number, no TapeVar


def test_escaped_inner_tracer_used_inside_a_live_outer_transform():
    inner = []

    def f(x):
        ad.grad(lambda y: inner.append(y) or y * x)(1.0)
        return x * inner[0]  # the inner grad has ended: its y is stale

    with pytest.raises(EscapedTracerError, match="escaped from ad.grad"):
        ad.grad(f)(2.0)


def test_tracers_are_usable_while_their_transform_runs():
    # the check must not fire on the legitimate nested use (closure over a live outer tracer)
    assert ad.grad(lambda x: x * ad.grad(lambda y: x * y)(1.0))(3.0) == 6.0


# ---------------------------------------------------------------- threads
def test_nested_transforms_in_eight_threads_never_mix_levels():
    barrier = threading.Barrier(8)
    wrong: list = []
    errors: list = []
    x0 = 0.7

    def work():
        try:
            barrier.wait()
            for _ in range(150):
                r = ad.grad(lambda x: x * ad.grad(lambda y: x * y)(1.0))(3.0)  # d/dx x² = 6
                if r != 6.0:
                    wrong.append(r)
                # d/dx [∂/∂y sin(x*y)] at y = 1.3 = d/dx [x cos(xy)] = cos(xy) - x y sin(xy)
                r2 = ad.jvp(lambda x: ad.grad(lambda y: np.sin(x * y))(1.3), (x0,), (1.0,))[1]
                want = np.cos(x0 * 1.3) - x0 * 1.3 * np.sin(x0 * 1.3)
                if abs(r2 - want) > 1e-12:
                    wrong.append(r2)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    import sys

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: maximise overlap
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors[:3]
    assert not wrong, wrong[:5]


# ---------------------------------------------------------------- complex numbers are refused
@pytest.mark.parametrize("transform", ["grad", "jacfwd", "jacrev", "hessian"])
@pytest.mark.parametrize("x", [1.0 + 2.0j, np.complex64(1.0), np.array([1.0, 2.0], dtype=complex)])
def test_complex_inputs_are_refused(transform, x):
    with pytest.raises(UnsupportedOperation, match="complex numbers are not supported"):
        getattr(ad, transform)(lambda x: np.sum(x * x))(x)


def test_complex_inputs_refused_by_jvp_vjp_and_trace():
    with pytest.raises(UnsupportedOperation, match="complex"):
        ad.jvp(np.sin, (1j,), (1.0,))
    with pytest.raises(UnsupportedOperation, match="complex"):
        ad.vjp(np.sin, np.array([1j]))
    with pytest.raises(UnsupportedOperation, match="complex"):
        ad.trace(lambda x: x * 2, 1 + 1j)


def test_complex_tangents_and_cotangents_are_refused():
    with pytest.raises(UnsupportedOperation, match="tangent"):
        ad.jvp(np.sin, (1.0,), (1j,))
    _, vjp_fn = ad.vjp(np.sin, np.array([1.0, 2.0]))
    with pytest.raises(UnsupportedOperation, match="cotangent"):
        vjp_fn(np.array([1.0, 1j]))


COMPLEX_FROM_REAL = {
    "times 1j": lambda x: np.sum(x * 1j),
    "plus a complex array": lambda x: np.sum(x + np.array([1j, 0.0])),
    "astype(complex)": lambda x: np.sum(np.exp(x.astype(complex))),
    "np.exp(1j*x) then np.real": lambda x: np.sum(np.real(np.exp(1j * x))),  # real output, complex inside
    "abs of complex": lambda x: np.sum(np.abs(x + 1j)),
}


@pytest.mark.parametrize("name", list(COMPLEX_FROM_REAL))
@pytest.mark.parametrize("transform", ["grad", "jacfwd", "jvp", "trace"])
def test_complex_values_made_from_traced_reals_are_refused(name, transform):
    f = COMPLEX_FROM_REAL[name]
    x = np.array([0.3, 0.9])
    with pytest.raises(UnsupportedOperation, match="is complex") as info:
        if transform == "jvp":
            ad.jvp(f, (x,), (np.ones(2),))
        elif transform == "trace":
            ad.trace(f, x)
        else:
            getattr(ad, transform)(f)(x)
    assert "`" in str(info.value)  # the operation is named as the user wrote it


def test_real_conj_imag_never_act_as_identity_on_complex():
    # np.real / np.conj are only reachable on traced values that are real (complex ones are
    # refused before), where they are the identity; np.imag / np.angle of a traced value
    # must not pretend to be the identity either.
    x = np.array([0.4, -1.3])
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.real(x) * np.conj(x)))(x), 2 * x)
    for fn in (np.imag, np.angle):
        try:
            g = ad.grad(lambda x, fn=fn: np.sum(fn(x) + x))(x)
        except (UnsupportedOperation, TypeError):
            continue  # a refusal is fine
        np.testing.assert_allclose(g, np.ones(2))  # imag/angle of a real are constants: d = 0


# ---------------------------------------------------------------- empty arrays
EMPTY_FUNCTIONS = {
    "sum of sin": lambda x: np.sum(np.sin(x)),
    "sum of squares": lambda x: np.sum(x * x),
    "mean-free": lambda x: np.sum(x) * 2.0 + 1.0,
}


@pytest.mark.parametrize("name", list(EMPTY_FUNCTIONS))
def test_grad_of_empty_input_is_an_empty_gradient(name):
    f = EMPTY_FUNCTIONS[name]
    for x in (np.zeros(0), np.zeros((0, 3)), np.zeros((2, 0))):
        g = ad.grad(f)(x)
        assert isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == np.float64
        value, g2 = ad.value_and_grad(f)(x)
        assert value == f(x) and g2.shape == x.shape


@pytest.mark.parametrize("fn", [np.sin, lambda x: x * 2.0, lambda x: np.outer(x, x), lambda x: np.sum(x)])
def test_jacobians_and_hessians_with_size_zero_inputs_and_outputs(fn):
    x = np.zeros(0)
    out_shape = np.shape(fn(x))
    for transform in (ad.jacfwd, ad.jacrev):
        jac = transform(fn)(x)
        assert np.shape(jac) == out_shape + x.shape
    if out_shape == ():
        assert ad.hessian(fn)(x).shape == (0, 0)


def test_size_zero_output_from_a_non_empty_input():
    x = np.array([1.0, 2.0])
    f = lambda x: x[:0] * 3.0  # noqa: E731
    for transform in (ad.jacfwd, ad.jacrev):
        assert transform(f)(x).shape == (0, 2)
    y, t = ad.jvp(f, (x,), (np.ones(2),))
    assert y.shape == (0,) and t.shape == (0,)
    y, vjp_fn = ad.vjp(f, x)
    np.testing.assert_array_equal(vjp_fn(np.zeros(0))[0], np.zeros(2))


def test_jvp_vjp_and_trace_with_empty_inputs():
    x = np.zeros(0)
    y, t = ad.jvp(np.sin, (x,), (x,))
    assert y.shape == (0,) and t.shape == (0,)
    y, vjp_fn = ad.vjp(np.sin, x)
    assert vjp_fn(np.zeros(0))[0].shape == (0,)
    tr = ad.trace(lambda x: np.sum(np.sin(x)), x)
    assert tr.gradient()["x"].shape == (0,)


# ---------------------------------------------------------------- bool / integer outputs
NON_FLOAT_OUTPUTS = {
    "comparison": lambda x: x > 0,
    "integer cast": lambda x: np.floor(x).astype(int),
    "python int": lambda x: 3,
    "count": lambda x: np.sum(x > 0),
}


@pytest.mark.parametrize("name", list(NON_FLOAT_OUTPUTS))
@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "jacrev"])
def test_reverse_mode_refuses_bool_and_integer_outputs(name, transform):
    with pytest.raises(TypeError, match="requires a real floating-point output") as info:
        getattr(ad, transform)(NON_FLOAT_OUTPUTS[name])(1.5)
    assert "boolean" in str(info.value) or "integer" in str(info.value)


def test_vjp_fn_refuses_a_cotangent_for_a_bool_output():
    y, vjp_fn = ad.vjp(lambda x: x > 0, 1.5)
    assert bool(y) is True  # the primal value itself is fine
    with pytest.raises(TypeError, match="boolean"):
        vjp_fn(1.0)


def test_has_aux_is_the_way_to_return_an_integer_alongside():
    g, count = ad.grad(lambda x: (np.sum(x**2), np.sum(x > 0)), has_aux=True)(np.array([1.0, -2.0, 3.0]))
    np.testing.assert_array_equal(g, [2.0, -4.0, 6.0])
    assert count == 2
