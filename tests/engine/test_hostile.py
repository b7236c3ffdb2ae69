"""Hostile probes: the inputs and habits an independent suite (or a student) throws at adviz.

Empty arrays, the three kinds of scalar, float32, integers, huge and tiny magnitudes, inf
and nan, non-contiguous / broadcast / read-only inputs, one array passed twice, keyword
arguments, closures, NumPy scalars on the left of an operator, augmented assignment inside
``f``.  Each answer is either right (checked against NumPy or a finite difference) or a
clear refusal; never a silently wrong number, never a crash from deep inside the engine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from check_grads import check_grads, fd_jvp

import adviz as ad

X = np.array([0.5, -1.25, 2.0])
TRANSFORMS = ["grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian"]


def derivative(kind: str, f, x):
    """The derivative of scalar-valued ``f`` at ``x`` by one transform, shaped like JAX's."""
    if kind == "grad":
        return ad.grad(f)(x)
    if kind == "jvp":
        return ad.jvp(f, (x,), (np.ones_like(np.asarray(x)),))[1]
    if kind == "vjp":
        return ad.vjp(f, x)[1](1.0)[0]
    if kind == "jacfwd":
        return ad.jacfwd(f)(x)
    if kind == "jacrev":
        return ad.jacrev(f)(x)
    return ad.hessian(f)(x)


# --------------------------------------------------------------------------- regressions of wrong numbers found here


def test_fmax_and_fmin_ignore_nan_like_numpy():
    """Found by this suite: np.fmax ran np.maximum (nan instead of x, derivative 0 instead of 1)."""
    other = np.array([np.nan, 0.0, 5.0])
    x = np.array([1.0, 2.0, 3.0])
    y, t = ad.jvp(lambda x: np.fmax(x, other), (x,), (np.ones(3),))
    np.testing.assert_array_equal(y, np.fmax(x, other))
    np.testing.assert_array_equal(t, [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(np.fmin(x, other)))(x), [1.0, 0.0, 1.0])
    assert ad.value_and_grad(lambda x: np.fmin(np.nan, x))(2.0) == (2.0, 1.0)


def test_clip_at_a_bound_agrees_with_its_definition_as_minimum_of_maximum():
    """clip used to give slope 1 at a bound while np.maximum(x, 0) gave ½ at 0 (relu two ways, two answers)."""
    for x in (0.0, 1.0):
        via_clip = ad.grad(lambda x: np.clip(x, 0.0, 1.0))(x)
        via_max = ad.grad(lambda x: np.minimum(np.maximum(x, 0.0), 1.0))(x)
        assert via_clip == via_max == 0.5


def test_hypot_at_the_origin_is_zero_not_nan():
    assert ad.grad(np.hypot, argnums=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert ad.grad(lambda x: np.hypot(x, 0.0))(0.0) == ad.grad(np.abs)(0.0) == 0.0
    check_grads(np.hypot, (np.array([3.0, -1.0]), np.array([4.0, 0.5])))


# --------------------------------------------------------------------------- empty arrays


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_empty_arrays_give_empty_derivatives(shape):
    x = np.zeros(shape)
    assert ad.grad(lambda x: np.sum(np.sin(x) * x))(x).shape == shape
    y, t = ad.jvp(np.exp, (x,), (x,))
    assert y.shape == t.shape == shape
    assert ad.vjp(np.tanh, x)[1](x)[0].shape == shape
    assert ad.jacfwd(np.sin)(x).shape == shape + shape
    assert ad.jacrev(np.sin)(x).shape == shape + shape
    assert ad.hessian(lambda x: np.sum(x**3))(x).shape == shape + shape


# --------------------------------------------------------------------------- scalars, dtypes, integers


SCALARS = {"python float": 0.7, "numpy float64": np.float64(0.7), "0-d array": np.array(0.7)}


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("label", list(SCALARS))
def test_every_kind_of_scalar_gives_a_0d_float64_derivative(label, kind):
    f = lambda x: np.sin(x) * x**2
    d1 = np.cos(0.7) * 0.49 + 2 * 0.7 * np.sin(0.7)
    d2 = -np.sin(0.7) * 0.49 + 4 * 0.7 * np.cos(0.7) + 2 * np.sin(0.7)
    got = derivative(kind, f, SCALARS[label])
    assert np.shape(got) == () and np.result_type(got) == np.float64, (type(got), np.result_type(got))
    assert got == pytest.approx(d2 if kind == "hessian" else d1, rel=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.longdouble])
@pytest.mark.parametrize("kind", TRANSFORMS)
def test_the_input_precision_is_kept(kind, dtype):
    x = X.astype(dtype)
    got = derivative(kind, lambda x: np.sum(np.tanh(x) * x), x)
    assert np.result_type(got) == dtype
    expected = derivative(kind, lambda x: np.sum(np.tanh(x) * x), X)
    np.testing.assert_allclose(np.asarray(got, float), expected, rtol=10 * np.finfo(dtype).eps ** 0.5)


@pytest.mark.parametrize("kind", ["grad", "vjp", "jacrev", "hessian"])
def test_reverse_mode_derivatives_have_their_inputs_dtype_even_when_a_constant_promotes(kind):
    """JAX's rule: a cotangent has its primal's dtype.  (jvp/jacfwd tangents follow the output: float64.)"""
    x = X.astype(np.float32)
    got = derivative(kind, lambda x: np.sum(x**3 * np.array([1.0, 2.0, 3.0])), x)
    assert np.result_type(got) == np.float32
    expected = 3 * X**2 * [1, 2, 3] if kind != "hessian" else np.diag(6 * X * [1, 2, 3])
    np.testing.assert_allclose(np.asarray(got, float), expected, rtol=1e-6)
    assert np.result_type(ad.jvp(lambda x: x * np.float64(2.0), (x,), (x,))[1]) == np.float64


@pytest.mark.parametrize("x", [3, np.int64(3), np.array([1, 2, 3]), True], ids=["int", "np.int64", "int array", "bool"])
def test_integer_and_bool_inputs_are_promoted_to_float(x):
    g = ad.grad(lambda x: np.sum(x**2))(x)
    np.testing.assert_array_equal(g, 2 * np.asarray(x, float))
    assert np.result_type(g) == np.float64
    np.testing.assert_array_equal(ad.jacfwd(lambda x: x**2)(x), ad.jacrev(lambda x: x**2)(x))


# --------------------------------------------------------------------------- magnitudes, inf and nan


def test_huge_and_tiny_magnitudes():
    assert ad.grad(lambda x: x**2)(1e200) == 2e200
    assert ad.grad(np.sqrt)(1e-300) == pytest.approx(0.5 / np.sqrt(1e-300), rel=1e-14)
    assert ad.grad(lambda x: np.sum(x * 1e-300))(np.ones(2))[0] == 1e-300
    assert ad.grad(np.logaddexp, argnums=(0, 1))(1e4, 1e4) == pytest.approx((0.5, 0.5), rel=1e-12)
    assert ad.grad(lambda x: np.log(np.exp(x)))(700.0) == pytest.approx(1.0, rel=1e-12)


def test_inf_and_nan_inputs_propagate_as_the_formulas_say():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(ad.grad(np.sin)(np.nan))
        assert ad.grad(np.exp)(np.inf) == np.inf
        assert ad.grad(np.exp)(-np.inf) == 0.0
        assert ad.grad(np.arctan)(np.inf) == 0.0
        np.testing.assert_array_equal(ad.grad(lambda x: np.sum(3.0 * x))(np.array([np.inf, np.nan, 1.0])), [3, 3, 3])
        _, t = ad.jvp(np.tanh, (np.array([np.inf, -np.inf]),), (np.ones(2),))
        np.testing.assert_array_equal(t, [0.0, 0.0])


# --------------------------------------------------------------------------- memory layouts and aliasing


LAYOUTS = {
    "non-contiguous": lambda: np.arange(12.0).reshape(3, 4)[:, ::2] / 7,
    "fortran": lambda: np.asfortranarray(np.arange(6.0).reshape(2, 3) / 7),
    "broadcast view": lambda: np.broadcast_to(np.arange(3.0) / 7, (2, 3)),
    "read-only": lambda: _read_only(np.arange(6.0).reshape(2, 3) / 7),
    "negative strides": lambda: (np.arange(6.0).reshape(2, 3) / 7)[::-1, ::-1],
}


def _read_only(a):
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_unusual_memory_layouts_give_the_same_derivatives_and_stay_untouched(layout):
    x = LAYOUTS[layout]()
    before = x.copy()
    f = lambda x: np.sum(np.sin(x) * x + (x @ x.T) @ x)
    g = ad.grad(f)(x)
    np.testing.assert_allclose(g, ad.grad(f)(np.ascontiguousarray(x)), rtol=1e-14)
    np.testing.assert_array_equal(x, before)
    assert g.flags.writeable and not np.may_share_memory(g, x)
    check_grads(lambda x: np.sin(x) * x + (x @ x.T) @ x, (x,), order=1)


def test_one_array_passed_as_two_arguments():
    gx, gy = ad.grad(lambda x, y: np.sum(x * np.sin(y)), argnums=(0, 1))(X, X)
    np.testing.assert_allclose(gx, np.sin(X))
    np.testing.assert_allclose(gy, X * np.cos(X))
    assert not np.may_share_memory(gx, gy)
    jx, jy = ad.jacrev(lambda x, y: x * y, argnums=(0, 1))(X, X)
    np.testing.assert_array_equal(jx, np.diag(X))
    np.testing.assert_array_equal(jy, np.diag(X))


def test_derivatives_returned_are_fresh_arrays_the_user_may_modify():
    f = lambda x: x * 1.0
    v = np.ones(3)
    _, t = ad.jvp(f, (X,), (v,))
    t[0] = 99.0
    assert v[0] == 1.0
    w = np.ones(3)
    (xb,) = ad.vjp(f, X)[1](w)
    xb[0] = 99.0
    assert w[0] == 1.0 and ad.vjp(f, X)[1](w)[0][0] == 1.0


# --------------------------------------------------------------------------- how f is written


def test_keyword_arguments_to_f_are_passed_through_and_not_differentiated():
    f = lambda x, *, p=2.0, scale=1.0: np.sum(scale * x**p)
    np.testing.assert_allclose(ad.grad(f)(X, p=3.0, scale=2.0), 6.0 * X**2)
    assert ad.value_and_grad(f)(X, p=1.0)[0] == pytest.approx(np.sum(X))
    np.testing.assert_allclose(ad.jacfwd(lambda x, p=2: x**p)(X, p=3), np.diag(3 * X**2))
    np.testing.assert_allclose(ad.jacrev(lambda x, p=2: x**p)(X, p=3), np.diag(3 * X**2))
    np.testing.assert_allclose(ad.hessian(f)(X, p=3.0), np.diag(6 * X))


def test_functions_closing_over_arrays():
    W = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]])
    W_before = W.copy()
    f = lambda x: np.sum(np.tanh(W @ x))
    check_grads(lambda x: np.tanh(W @ x), (X,))
    np.testing.assert_allclose(ad.grad(f)(X), W.T @ (1 - np.tanh(W @ X) ** 2), rtol=1e-13)
    np.testing.assert_array_equal(W, W_before)


@pytest.mark.parametrize("left", [np.float64(2.5), np.float32(2.5), np.int64(2), np.array(2.5), np.array([2.5, 1.0, 3.0])],
                         ids=["np.float64", "np.float32", "np.int64", "0-d array", "array"])
def test_numpy_values_on_the_left_of_operators(left):
    f = lambda x: left * x + left / (1.0 + x * x) - left ** (x / 4) + (left - x) ** 2
    check_grads(f, (X,))


def test_augmented_assignment_inside_f_rebinds_and_never_touches_the_input():
    def f(x):
        x += 1.0
        x *= x
        x -= 2.0
        x /= 3.0
        x **= 2
        return np.sum(x)

    x = X.copy()
    expected = 2 * (((X + 1) ** 2 - 2) / 3) / 3 * 2 * (X + 1)
    np.testing.assert_allclose(ad.grad(f)(x), expected, rtol=1e-14)
    np.testing.assert_allclose(ad.jvp(f, (x,), (np.ones(3),))[1], np.sum(expected), rtol=1e-14)
    np.testing.assert_array_equal(x, X)


def test_writing_a_traced_value_into_a_numpy_array_is_refused():
    def accumulate(x):
        out = np.zeros(3)
        out += x
        return np.sum(out)

    with pytest.raises(ad.UnsupportedOperation, match="np.add.*out"):
        ad.grad(accumulate)(X)

    def assign(x):
        out = np.zeros(3)
        out[:2] = x[:2]
        return np.sum(out)

    with pytest.raises(TypeError, match="traced value"):
        ad.grad(assign)(X)

    def assign_element(x):
        out = np.zeros(3)
        out[0] = x[0]  # NumPy's own "setting an array element with a sequence", re-worded by adviz
        return np.sum(out)

    for transform in TRANSFORMS:
        with pytest.raises(ad.UnsupportedOperation, match=r"a\[i\] = x.*np.stack"):
            derivative(transform, assign_element, X)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_a_ufunc_on_an_array_mixing_traced_values_and_numbers(transform):
    # np.array([x, 1.0]) was an object array; NumPy's object loop calls entry.exp(), which a float
    # lacks.  While a transform runs np.array makes it one traced array: d/dx (e^x + e) = e^x.
    for build in ("array", "stack", "asarray"):  # looked up while the transform runs, as user code does
        np.testing.assert_allclose(derivative(transform, lambda x: np.sum(np.exp(getattr(np, build)([x, 1.0]))), 0.5),
                                   np.exp(0.5), rtol=1e-15)
    # a list straight into a ufunc never meets np.array: NumPy's object loop, refused by name
    with pytest.raises(ad.UnsupportedOperation, match=r"np\.exp .*np\.array\(\[x, 1\.0\]\).*np\.stack"):
        derivative(transform, lambda x: np.sum(np.exp([x, 1.0])), 0.5)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_formatting_a_traced_value_prints_its_number_and_leaves_the_derivative_alone(transform, capsys):
    def f(x):
        print(f"x = {x:.3f}, {x:>9.2e}")
        return x**2

    np.testing.assert_allclose(derivative(transform, f, 1.5), 2 * 1.5 if transform != "hessian" else 2.0)
    assert "x = 1.500,  1.50e+00" in capsys.readouterr().out
    with pytest.raises(TypeError, match="format"):  # as NumPy: a vector has no .3f
        ad.grad(lambda x: (f"{x:.3f}", np.sum(x))[1])(X)


REDUCTIONS_WITH_DTYPE = [np.sum, np.prod, np.mean, np.var, np.std, np.nansum, np.nanmean, np.nanvar, np.nanstd,
                         np.cumsum, np.cumprod]


@pytest.mark.parametrize("reduce", REDUCTIONS_WITH_DTYPE, ids=lambda f: f.__name__)
def test_an_integer_dtype_on_a_reduction_gives_numpys_plain_value(reduce):
    # Was: dtype ignored, so np.sum(x**2, dtype=int) gave 8.5 instead of NumPy's 8 and a
    # derivative 2x that NumPy's truncated value does not have.
    x = np.array([1.5, 2.5, -0.75])
    if reduce in (np.nanmean, np.nanvar, np.nanstd):  # NumPy itself refuses these
        with pytest.raises(TypeError, match="inexact"):
            ad.grad(lambda x: np.sum(reduce(x, dtype=int)))(x)
        return
    def f(x):
        return np.sum(reduce(x**2, dtype=int) * 1.0) + np.sum(x)
    value, g = ad.value_and_grad(f)(x)
    assert value == f(x)  # NumPy's own number, truncation included
    np.testing.assert_array_equal(g, np.ones(3))  # the integer term is piecewise constant
    assert np.result_type(ad.jvp(lambda x: reduce(x, dtype=int), (x,), (x,))[0]) == np.result_type(reduce(x, dtype=int))


@pytest.mark.parametrize("reduce", REDUCTIONS_WITH_DTYPE, ids=lambda f: f.__name__)
def test_a_float32_dtype_on_a_reduction_is_honoured(reduce):
    x = np.array([1.5, 2.5, -0.75, 0.3])
    f = lambda x: reduce(x, dtype=np.float32)  # noqa: E731
    y, y_dot = ad.jvp(f, (x,), (np.ones(4),))
    assert np.result_type(y) == np.float32
    np.testing.assert_allclose(y, f(x), rtol=2e-7)
    reference = fd_jvp(lambda x: reduce(x, dtype=np.float64), (x,), (np.ones(4),))
    np.testing.assert_allclose(y_dot, reference.value, rtol=1e-5, atol=1e-6)


def test_jacobians_refuse_a_huge_identity_seed_before_allocating(monkeypatch):
    from adviz.engine import transforms

    monkeypatch.setattr(transforms, "MAX_BATCH", 100)
    np.testing.assert_array_equal(ad.jacfwd(lambda x: np.sum(x**2))(np.ones(10)), 2 * np.ones(10))
    with pytest.raises(MemoryError, match=r"ad.jacfwd would push 11 input directions.*ad.grad"):
        ad.jacfwd(lambda x: np.sum(x**2))(np.ones(11))
    with pytest.raises(MemoryError, match=r"ad.jacfwd would push"):
        ad.hessian(lambda x: np.sum(x**3))(np.ones(11))
    with pytest.raises(MemoryError, match=r"ad.jacrev would push 11 output adjoints"):
        ad.jacrev(np.sin)(np.ones(11))
    np.testing.assert_array_equal(ad.jacrev(lambda x: np.sum(x**2))(np.ones(1000)), 2 * np.ones(1000))


def test_an_unsupported_numpy_function_is_named_in_the_refusal():
    with pytest.raises(ad.UnsupportedOperation, match="np.fft.fft"):
        ad.grad(lambda x: np.sum(np.abs(np.fft.fft(x))))(X)


def test_control_flow_on_values_follows_the_branch_taken_in_every_mode():
    def f(x):
        return np.sin(x) if x > 0 else x**3

    for x in (0.5, -0.5):
        d = np.cos(x) if x > 0 else 3 * x**2
        assert ad.grad(f)(x) == pytest.approx(d)
        assert ad.jvp(f, (x,), (1.0,))[1] == pytest.approx(d)
        assert ad.jacrev(f)(x) == pytest.approx(d)


def test_finite_differences_agree_with_the_closed_form_here():
    """The reference the suites lean on, checked once against a formula on a nasty scale."""
    est = fd_jvp(lambda x: np.exp(10 * x), [np.array([1.0])], [np.array([1.0])])
    assert abs(est.value[0] - 10 * np.exp(10.0)) <= 10 * est.error[0]


def test_array_methods_that_are_numpy_functions_work_and_the_rest_are_refused_by_name():
    """No ``AttributeError: 'Dual' object has no attribute ...``: the user never wrote a Dual."""
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(x.take([0, 0, 2])))(X), [2.0, 0.0, 1.0])
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(x[x.nonzero()] * x.round()))(X), np.round(X))

    def sorts_in_place(x):
        x.sort()
        return np.sum(x)

    with pytest.raises(ad.UnsupportedOperation, match=r"x\.sort\(\) changes the array in place.*np\.sort"):
        ad.grad(sorts_in_place)(X)
    with pytest.raises(ad.UnsupportedOperation, match=r"x\.tofile"):
        ad.grad(lambda x: x.tofile("never-written"))(X)

    def probe(x):
        assert not hasattr(x, "no_such_attribute") and not hasattr(x, "tofile")
        with pytest.raises(AttributeError, match="traced ndarray has no attribute 'no_such_attribute'"):
            x.no_such_attribute  # noqa: B018
        return np.sum(x)

    ad.grad(probe)(X)


def test_divmod_and_round_builtins():
    q, r = ad.jvp(lambda x: divmod(x, 0.75), (X,), (np.ones(3),))[1]
    np.testing.assert_array_equal(q, 0.0)
    np.testing.assert_array_equal(r, 1.0)
    assert ad.grad(lambda x: x * round(x))(2.6) == 3.0
    with pytest.raises(TypeError, match="np.round"):
        ad.grad(lambda x: np.sum(round(x)))(X)


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad, ad.jacfwd, ad.jacrev, ad.hessian])
def test_argnums_naming_an_argument_twice_is_refused(transform):
    """It used to give (0.0, 3.0) for d(a·b)/da asked twice: the first copy silently lost its derivative."""
    with pytest.raises(ValueError, match="same argument twice"):
        transform(lambda a, b: a * b, argnums=(0, -2))(2.0, 3.0)


@pytest.mark.parametrize("x", [np.matrix([[1.0, 2.0], [3.0, 4.0]]), np.ma.array([1.0, 2.0], mask=[0, 1])],
                         ids=["np.matrix", "masked array"])
def test_array_subclasses_with_their_own_arithmetic_are_refused(x):
    """Converted to plain arrays they changed f: np.sum(m * m) of a matrix is a matrix product in NumPy
    (54 here) and became elementwise (30); a masked sum counted the masked entry."""
    for transform in (ad.grad, ad.value_and_grad):
        with pytest.raises(TypeError, match="arithmetic differs"):
            transform(lambda x: np.sum(x * x))(x)
    with pytest.raises(TypeError, match="arithmetic differs"):
        ad.jvp(lambda x: np.sum(x * x), (x,), (np.ones(np.shape(x)),))


def test_a_float_condition_given_to_where_is_never_written_into():
    """Found here: the where rule handed the user's float mask back as its (fresh) partial, and the
    reverse sweep accumulated into it: the mask became [3, 0, 3], the next gradient [9, 0, 9]."""
    cond = np.array([1.0, 0.0, 1.0])
    f = lambda x: np.sum(np.where(cond, x * 2, 0.0)) + np.sum(np.where(cond, x, 0.0))
    for _ in range(2):
        np.testing.assert_array_equal(ad.grad(f)(X), [3.0, 0.0, 3.0])
        np.testing.assert_array_equal(ad.jvp(f, (X,), (np.ones(3),))[1], 6.0)
        np.testing.assert_array_equal(ad.jacrev(lambda x: np.where(cond, x, 0.0) * 2 + np.where(cond, x, 0.0))(X),
                                      np.diag([3.0, 0.0, 3.0]))
    np.testing.assert_array_equal(cond, [1.0, 0.0, 1.0])
    g = ad.grad(lambda x: np.sum(np.where(cond, x, 0.0)))(X)
    assert not np.shares_memory(g, cond)


def test_an_array_built_from_traced_values_whose_entries_all_became_constants():
    """np.clip of np.array([x*y, x+y]) (an object array of traced entries) clipped every entry to a
    plain float: the output is a constant, with zero derivative, not an 'object' output refused."""
    def f(x, y):
        return np.clip(np.array([x * y, x + y]), -0.5, 0.5)

    y, f_vjp = ad.vjp(f, 0.7, -1.3)
    np.testing.assert_array_equal(y, [-0.5, -0.5])
    assert f_vjp(np.ones(2)) == (0.0, 0.0)
    check_grads(f, (0.7, -1.3))


def test_integer_casts_through_numpy_constructors_give_plain_values():
    """np.int64(x) and np.asarray(x, dtype=int) are integer casts, like x.astype(int): plain values
    (autograd's test_cast_to_int indexes with them); they used to be refused."""
    W = np.arange(10.0).reshape(5, 2) / 3

    def pick(W):
        rows = np.int64(W[:, -1] * 0 + 1)
        assert rows.dtype == np.int64
        return W[:, :-1][rows].sum()

    expected = np.zeros((5, 2))
    expected[1, 0] = 5.0
    np.testing.assert_array_equal(ad.grad(pick)(W), expected)
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(x * np.asarray(x, dtype=int)))(np.array([1.5, 2.5])), [1, 2])
    # a float conversion is x.astype(float32) (numpy_api/entry_points.py): slope 1, not a constant's 0
    np.testing.assert_array_equal(ad.grad(lambda x: np.sum(np.asarray(x, dtype=np.float32)))(X), np.ones_like(X))


@ad.custom_jvp
def _softplus(x):
    return np.log1p(np.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _softplus(x), t / (1 + np.exp(-x))


@ad.custom_vjp
def _square(x):
    return x * x


_square.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * x * g,))


@pytest.mark.parametrize("f", [_softplus, _square, ad.checkpoint(lambda x: np.sin(x) * x)],
                         ids=["custom_jvp", "custom_vjp", "checkpoint"])
def test_jacobian_rows_through_one_reused_cotangent_buffer(f):
    """Found here: custom nodes remembered their last adjoint by identity, so vjp_fn called again
    with the same buffer changed in place returned the first answer (every row = row 0)."""
    x = np.array([0.3, -1.2, 2.0])
    _, vjp_fn = ad.vjp(f, x)
    buffer = np.zeros(3)
    rows = []
    for i in range(3):
        buffer[:] = 0.0
        buffer[i] = 1.0
        rows.append(vjp_fn(buffer)[0])
    np.testing.assert_allclose(np.array(rows), ad.jacfwd(f)(x) if f is not _square else np.diag(2 * x), rtol=1e-12)
    t = ad.trace(f, x)
    seed = np.ones(3)
    first = t.reverse(seed=seed).result["x"].copy()
    seed *= 2.0
    np.testing.assert_allclose(t.reverse(seed=seed).result["x"], 2 * first, rtol=1e-12)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_a_ufuncs_dtype_is_honoured(transform):
    # Was: dtype= ignored, so np.add(x, 0.5, dtype=int, casting="unsafe") * x kept the
    # fractions (3.2·x instead of NumPy's (int(2.7) + int(0.5))·x = 2·x) and differentiated them.
    x = 2.7
    f = lambda x: np.add(x, 0.5, dtype=int, casting="unsafe") * x  # noqa: E731
    assert f(x) == 2 * x
    expected = {"hessian": 0.0}.get(transform, 2.0)
    np.testing.assert_array_equal(derivative(transform, f, x), expected)
    assert ad.jvp(f, (x,), (1.0,))[0] == f(x)
    # a float dtype computes in that precision, value and derivative
    g = lambda x: np.sin(x, dtype=np.float32)  # noqa: E731
    y, y_dot = ad.jvp(g, (np.array([0.3, 1.1]),), (np.ones(2),))
    assert y.dtype == np.float32 and np.array_equal(y, g(np.array([0.3, 1.1])))
    np.testing.assert_allclose(y_dot, np.cos([0.3, 1.1]), rtol=1e-6)


@pytest.mark.parametrize("mode", ["wrap", "clip"])
def test_take_with_an_index_mode(mode):
    # Was: a TypeError from inside adviz (take() got an unexpected keyword argument 'mode').
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    idx = [4, -1, 0]
    f = lambda x: np.take(x**2, idx, axis=1, mode=mode)  # noqa: E731
    J = ad.jacrev(f)(x)
    reference = fd_jvp(f, (x,), (np.ones_like(x),)).value
    np.testing.assert_allclose(np.sum(J, axis=(-2, -1)), reference, rtol=1e-8)
    np.testing.assert_array_equal(ad.jvp(f, (x,), (np.ones_like(x),))[0], f(x))


def test_an_inner_transform_takes_an_array_built_from_outer_traced_values():
    # Was: "cannot differentiate with respect to argument 0: a value of type ndarray" for the
    # object array np.array([x, 2.0]) holds while an outer transform traces x.
    inner = lambda x: ad.grad(lambda v: np.sum(v**2 * np.array([1.0, 3.0])))(np.array([x, x * x]))[1]  # noqa: E731
    # inner(x) = 6·x², so the outer derivative is 12·x (analytic)
    np.testing.assert_allclose(ad.grad(inner)(1.5), 18.0, rtol=1e-15)
    np.testing.assert_allclose(ad.jvp(inner, (1.5,), (1.0,))[1], 18.0, rtol=1e-15)
    np.testing.assert_allclose(ad.hessian(inner)(1.5), 12.0, rtol=1e-15)
    with pytest.raises(TypeError, match="cannot differentiate with respect to argument 0"):
        ad.grad(lambda v: 1.0)(np.array(["a", 1.0], dtype=object))


@pytest.mark.parametrize("f", [
    lambda x: np.sum(x * np.ma.array([1.0, 2.0], mask=[False, True])),  # was [1, 1]: the mask was ignored
    lambda x: np.sum(np.add(x, np.ma.array([1.0, 2.0], mask=[False, True]))),
    lambda x: np.sum(x @ np.matrix([[1.0, 2.0], [3.0, 4.0]])),
    lambda x: np.sum(np.dot(np.matrix([[1.0, 2.0], [3.0, 4.0]]), x)),  # was a TypeError from inside adviz
], ids=["x * masked", "np.add masked", "x @ matrix", "np.dot(matrix, x)"])
def test_a_matrix_or_masked_constant_meeting_a_traced_value_is_refused(f):
    x = np.array([1.0, 1.0])
    # NumPy's own masked sum ignores the masked entry: a derivative of [1, 1] was wrong
    assert np.isclose(fd_jvp(lambda x: np.sum(x * np.ma.array([1.0, 2.0], mask=[False, True])), (x,),
                             (np.array([0.0, 1.0]),)).value, 0.0)
    for transform in TRANSFORMS:
        with pytest.raises(ad.UnsupportedOperation, match=r"numpy\.(matrix|ma\.MaskedArray) met a traced value"):
            derivative(transform, f, x)


@pytest.mark.parametrize("convert", [np.degrees, np.rad2deg, np.radians, np.deg2rad], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_angle_conversions_give_numpys_numbers_in_every_precision(convert, dtype):
    # Was: x * (180 / np.pi) in float32 differs from NumPy's float32 np.degrees by 1 ulp.
    x = np.linspace(-7.0, 7.0, 1001).astype(dtype)
    y, y_dot = ad.jvp(convert, (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(y, convert(x))
    np.testing.assert_allclose(y_dot, convert(np.ones((), dtype)), rtol=1e-7)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_copies_of_traced_values_keep_tracing_and_pickling_refuses(transform):
    import copy
    import pickle

    # Was: copy.deepcopy(x) copied the transform's interpreter too, so the copy was a
    # constant: derivative 0 (and jvp returned a leaked Dual as its primal output).
    f = lambda x: np.sum(copy.deepcopy({"a": [x]})["a"][0] ** 3 + copy.copy(x))  # noqa: E731
    expected = {"hessian": np.diag(6 * X)}.get(transform, 3 * X**2 + 1)
    got = derivative(transform, f, X)
    np.testing.assert_allclose(np.sum(got, axis=0) if transform == "jvp" else got,
                               np.sum(expected) if transform == "jvp" else expected, rtol=1e-14)
    y, _ = ad.jvp(lambda x: copy.deepcopy(x) * 2, (X,), (np.ones(3),))
    assert type(y) is np.ndarray
    with pytest.raises(ad.UnsupportedOperation, match="pickled"):
        derivative(transform, lambda x: np.sum(pickle.loads(pickle.dumps(x))), X)


@pytest.mark.parametrize("bad", ["1.0", np.array(["1", "2"]), np.datetime64("2020-01-01"), np.str_("2")],
                         ids=["str", "str array", "datetime64", "np.str_"])
def test_strings_and_dates_are_not_differentiable_inputs(bad):
    # Was: np.asarray("1.0").astype(float) parsed the string and returned a derivative.
    with pytest.raises(TypeError, match="cannot differentiate with respect to argument 0"):
        ad.grad(lambda a: np.sum(a * 2.0))(bad)


def test_malformed_argnums_and_outputs_are_refused_by_name():
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        ad.grad(lambda a: a, argnums="0")(1.0)
    with pytest.raises(TypeError, match="returning numbers or NumPy arrays.*str"):
        ad.grad(lambda a: "x")(1.0)
    assert ad.grad(lambda a, b: a * b, argnums=[0, 1])(2.0, 3.0) == (3.0, 2.0)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_slogdet_of_a_singular_matrix_has_a_nan_derivative_not_a_linalg_error(transform):
    # Was: LinAlgError("Singular matrix") from inside the rule, although NumPy's value (-inf) exists.
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert np.linalg.slogdet(singular)[1] == -np.inf
    assert np.all(np.isnan(derivative(transform, lambda a: np.linalg.slogdet(a)[1], singular)))
    # a stack: only the singular matrix gets nan; the other keeps its exact A⁻ᵀ
    stack = np.stack([singular, np.array([[2.0, 1.0], [1.0, 3.0]])])
    g = ad.grad(lambda a: np.sum(np.linalg.slogdet(a)[1]))(stack)
    assert np.all(np.isnan(g[0]))
    np.testing.assert_allclose(g[1], np.linalg.inv(stack[1]).T, rtol=1e-14)


def test_numpy_helpers_that_turn_a_traced_value_into_an_object_array_are_refused_by_name():
    # Was: "ufunc 'isnan' not supported for the input types" from inside np.testing.
    with pytest.raises(ad.UnsupportedOperation, match=r"np\.isnan met an object array holding traced values"):
        ad.grad(lambda x: (np.testing.assert_allclose(x, X), np.sum(x))[1])(X)
    with pytest.raises(TypeError, match="not supported for the input types") as info:  # NumPy's own, unchanged
        ad.grad(lambda x: (np.isnan(np.array(["a"])), np.sum(x))[1])(X)
    assert not isinstance(info.value, ad.UnsupportedOperation)


@pytest.mark.parametrize("f, gx", [
    (lambda x, y: np.sum(x * y), lambda x, y: y),
    (lambda x, y: np.sum(x * y) + np.sum(np.exp(x)), lambda x, y: y + np.exp(x)),
    (lambda x, y: np.sum(np.exp(x) * y), lambda x, y: np.exp(x) * y),
    (lambda x, y: np.sum(-x * y) + np.sum(x * y * y), lambda x, y: -y + y * y),
    (lambda x, y: np.sum((x * y) * np.cos(y)), lambda x, y: y * np.cos(y)),
])
def test_an_adjoint_that_is_an_operand_never_writes_into_it(f, gx):
    """The adjoint of ``x`` in ``sum(x * y)`` is ``y`` itself: the sweep hands it on as a
    read-only view (no copy) and every later update must leave the user's ``y`` alone."""
    x, y = np.linspace(-1.0, 1.0, 2000), np.linspace(0.5, 2.0, 2000)
    keep = x.copy(), y.copy()
    g = ad.grad(f)(x, y)
    gx_, gy_ = ad.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(x, keep[0])
    np.testing.assert_array_equal(y, keep[1])
    np.testing.assert_allclose(g, gx(x, y), rtol=1e-14)
    np.testing.assert_allclose(gx_, gx(x, y), rtol=1e-14)
    for d in (g, gx_, gy_):
        assert d.flags.writeable and not np.may_share_memory(d, x) and not np.may_share_memory(d, y)


@pytest.mark.parametrize("reduction", [np.sum, np.prod, np.max, np.min])
def test_a_traced_initial_on_a_plain_array_is_refused_by_name(reduction):
    """NumPy never shows adviz a traced ``initial=`` when the array is plain: it would turn
    the value into a float (a silent 0 derivative), so adviz refuses, naming the option."""
    a = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ad.UnsupportedOperation, match=rf"np\.{reduction.__name__}\(\.\.\., initial=c\)"):
        ad.grad(lambda c: reduction(a, initial=c))(0.5)


def test_a_traced_initial_on_a_traced_array_is_differentiated():
    """With the array traced too, the call reaches adviz's rule: d/dc of sum(a*c, initial=c)
    is sum(a) + 1, by hand."""
    a = np.array([1.0, 2.0, 3.0])
    assert ad.grad(lambda c: np.sum(a * c, initial=c))(0.5) == pytest.approx(np.sum(a) + 1, rel=1e-15)
