"""Hostile probes, round seven: array methods whose NumPy function takes its arguments in another
order, and the Python builtins and protocols a student's code reaches a traced value through.

Each answer is either right (checked against a formula written out here, never against adviz)
or adviz's own refusal, :class:`adviz.UnsupportedOperation`, naming what is unsupported; never
a silent zero, never a ``TypeError`` from inside the engine or from the standard library.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

import adviz as ad

X = np.array([0.5, -1.25, 2.0])
KEEP = np.array([True, False, True])


@pytest.mark.parametrize("condition", [KEEP, [True, False, True], (1, 0, 1)])
def test_x_compress_keeps_the_array_second_as_numpy_does(condition):
    """``x.compress(c)`` is ``np.compress(c, x)``: it used to be ``np.compress(x, c)``, which
    compressed the (constant) mask by the traced array, so the gradient came out silently 0."""
    w = np.array([3.0, 5.0])
    g = ad.grad(lambda x: np.sum(x.compress(condition) * w))(X)
    np.testing.assert_array_equal(g, [3.0, 0.0, 5.0])
    J = ad.jacfwd(lambda x: x.compress(condition))(X)
    np.testing.assert_array_equal(J, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def test_x_compress_along_an_axis():
    A = np.arange(6.0).reshape(2, 3)
    J = ad.jacrev(lambda a: a.compress([False, True, True], axis=1))(A)
    want = np.zeros((2, 2, 2, 3))  # out[i, j] = a[i, j + 1]
    for i in range(2):
        for j in range(2):
            want[i, j, i, j + 1] = 1.0
    np.testing.assert_array_equal(J, want)


@pytest.mark.parametrize("transform", [ad.grad, lambda f: (lambda x: ad.jvp(f, (x,), (1.0,))[1])])
@pytest.mark.parametrize("call, name", [(math.trunc, "math.trunc"), (math.floor, "math.floor"),
                                        (math.ceil, "math.ceil"), (statistics.mean, "as_integer_ratio")])
def test_python_conversions_refuse_by_name(transform, call, name):
    """They raised ``TypeError: type TapeVar doesn't define __trunc__`` (a class the user never
    wrote) or ``can't convert type 'Dual' to numerator/denominator`` from inside statistics."""
    f = (lambda x: call([x, x])) if call is statistics.mean else call
    with pytest.raises(ad.UnsupportedOperation, match=rf"{name}\(\) of a traced value"):
        transform(lambda x: f(x) * x)(0.7)


def test_three_argument_pow_is_refused_and_two_argument_pow_differentiates():
    with pytest.raises(ad.UnsupportedOperation, match=r"pow\(x, y, mod\)"):
        ad.grad(lambda x: pow(x, 2, 5))(3.0)
    assert ad.grad(lambda x: pow(x, 3))(2.0) == 12.0  # 3·x² at 2
    assert ad.grad(lambda x: pow(x, 3, None))(2.0) == 12.0


def test_round_of_a_0d_array_is_refused_as_numpy_refuses_it():
    with pytest.raises(TypeError):
        round(np.array(0.7))  # NumPy's own behaviour, which adviz keeps
    with pytest.raises(TypeError, match="np.round"):
        ad.grad(lambda x: round(x) * x)(np.array(0.7))
    assert ad.grad(lambda x: round(x) * x)(np.float64(0.7)) == 1.0  # round(0.7) = 1, a constant


@pytest.mark.parametrize("write", [
    lambda y, x: y.__setitem__(0, 5.0),
    lambda y, x: y.__setitem__(x > 0, 2 * y[x > 0]),
    lambda y, x: y.__setitem__(slice(1, None), y[1:] + x[:2]),
])
def test_writing_into_a_traced_array_is_adviz_s_refusal(write):
    """``y[0] = 5``, ``y[mask] *= 2``, ``y[1:] += x[:2]`` on a traced ``y`` were refused with a plain
    TypeError; it is now an UnsupportedOperation (still a TypeError, as before)."""
    def f(x):
        y = x * 1.0
        write(y, x)
        return np.sum(y)

    for transform in (ad.grad, ad.jacfwd):
        with pytest.raises(ad.UnsupportedOperation, match=r"in-place assignment \(x\[i\] = \.\.\.\)"):
            transform(f)(X)


@pytest.mark.parametrize("to_object", [lambda x: x.astype(object), lambda x: x.astype("O"),
                                       lambda x: np.astype(x, object), lambda x: np.asarray(x, dtype=object)])
def test_an_object_array_of_a_traced_array_holds_traced_entries(to_object):
    """x.astype(object) held plain floats: the derivative of 2·x.astype(object) came out 0."""
    J = ad.jacfwd(lambda x: np.stack(list(to_object(x) * x)))(X)  # entries x_i², slope 2·x_i
    np.testing.assert_array_equal(J, np.diag(2 * X))
    g = ad.grad(lambda x: np.sum(np.stack(list(to_object(x) * 2.0))))(X)
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])


@pytest.mark.parametrize("convert", [lambda x: np.asarray(x, copy=False), lambda x: np.array(x, copy=False)])
def test_numpy_s_no_copy_conversion_keeps_tracing(convert):
    """np.asarray(x, copy=False) raised ValueError from inside adviz: a traced value is immutable,
    so the object array holding its entries is as good as a view."""
    g = ad.grad(lambda x: np.sum(np.stack(list(convert(x))) ** 2))(X)
    np.testing.assert_array_equal(g, 2 * X)


def test_escaped_traced_values_raise_through_the_new_paths():
    leaked = []
    ad.grad(lambda x: leaked.append(x) or np.sum(x))(X)
    ad.grad(lambda c: leaked.append(c) or c)(0.5)
    array, scalar = leaked
    for use in (lambda: array.compress([True, False, True]), lambda: array.astype(object),
                lambda: np.asarray(array, copy=False), lambda: np.full(3, scalar), lambda: np.full_like(X, scalar),
                lambda: np.pad(X, 1, constant_values=scalar), lambda: np.select([X > 0], [X], default=scalar)):
        with pytest.raises(ad.EscapedTracerError):
            use()


@pytest.mark.parametrize("name, value, instead", [("shape", (3, 1), "x.reshape"), ("dtype", np.float32, "astype"),
                                                  ("real", 1.0, "np.where"), ("imag", 0.0, "complex")])
@pytest.mark.parametrize("transform", [ad.grad, ad.jacfwd])
def test_assigning_an_array_attribute_of_a_traced_value_is_refused_by_name(name, value, instead, transform):
    """``y.shape = (3, 1)`` (NumPy's in-place reshape) raised ``property 'shape' of 'TapeVar' object
    has no setter``, naming a class the user never wrote."""
    def f(x):
        y = x * 2.0
        setattr(y, name, value)
        return np.sum(y)

    with pytest.raises(ad.UnsupportedOperation, match=rf"x\.{name} = \.\.\. changes the array in place.*{instead}"):
        transform(f)(X)


def test_reading_the_assignable_attributes_still_works():
    g = ad.grad(lambda x: np.sum(x.real * 3.0 + x.imag) + x.shape[0] + x.dtype.itemsize)(X)
    np.testing.assert_array_equal(g, [3.0, 3.0, 3.0])


@pytest.mark.parametrize("transform", [ad.grad, lambda f: (lambda h: ad.jvp(f, (h,), (1.0,))[1])], ids=["grad", "jvp"])
def test_heaviside_passes_its_value_at_zero_through(transform):
    """np.heaviside(x, h) is h where x is exactly 0: with a traced h its slope there is 1. It was a
    plain value (heaviside was 'not differentiated' as a whole), so d/dh came out silently 0."""
    x = np.array([-1.0, 0.0, 2.0, 0.0])
    assert transform(lambda h: np.sum(np.heaviside(x, h)))(0.5) == 2.0  # two zeros
    assert transform(lambda h: np.sum(np.heaviside(x, h) * h))(0.5) == 2 * 2 * 0.5 + 1.0  # d/dh (2h² + h)
    # a step in x: slope 0, also where x itself is traced
    np.testing.assert_array_equal(ad.grad(lambda z: np.sum(np.heaviside(z, 0.5) * z))(x), [0.0, 0.5, 1.0, 0.5])


def test_where_with_only_a_condition_is_nonzero_as_in_numpy():
    """np.where(x) of a traced x was refused while np.nonzero(x), the same indices, worked."""
    x = np.array([0.3, 0.0, 1.1])
    np.testing.assert_array_equal(ad.grad(lambda z: np.sum(z[np.where(z)] ** 2))(x), [0.6, 0.0, 2.2])
    with pytest.raises(ValueError, match="both or neither"):  # NumPy's own error for one of x, y
        ad.grad(lambda z: np.sum(np.where(z > 0, z)))(x)
