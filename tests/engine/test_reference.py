"""The references themselves, checked against derivatives known in closed form.

If a reference were wrong, every engine test built on it would be too; these
tests do not touch the engine at all.
"""

from __future__ import annotations

import numpy as np
import pytest

try:
    from .reference import (
        assert_close,
        central_difference_jvp,
        complex_step_jvp,
        reference_grad,
        reference_hessian,
        reference_hvp,
        reference_jacobian,
        reference_vjp,
    )
except ImportError:  # pragma: no cover - depends on pytest's import mode
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from reference import (  # type: ignore[no-redef]
        assert_close,
        central_difference_jvp,
        complex_step_jvp,
        reference_grad,
        reference_hessian,
        reference_hvp,
        reference_jacobian,
        reference_vjp,
    )

X = np.array([0.3, -1.2, 2.0])


def test_complex_step_is_exact_for_sin():
    got = complex_step_jvp(np.sin, [X], [np.ones(3)])
    np.testing.assert_allclose(got, np.cos(X), rtol=1e-15)


@pytest.mark.parametrize("richardson", [False, True])
def test_central_difference_order8(richardson):
    got = central_difference_jvp(np.exp, [X], [np.ones(3)], richardson=richardson)
    np.testing.assert_allclose(got, np.exp(X), rtol=1e-11)


def test_fd_on_nonanalytic_abs():
    got = central_difference_jvp(np.abs, [X], [np.ones(3)])
    np.testing.assert_allclose(got, np.sign(X), rtol=1e-12)


def test_jacobian_shape_and_values():
    A = np.arange(6.0).reshape(2, 3)
    jac = reference_jacobian(lambda x: A @ np.sin(x), [X])
    assert jac.shape == (2, 3)
    np.testing.assert_allclose(jac, A * np.cos(X), rtol=1e-14)
    jac2 = reference_jacobian(lambda M: np.sum(M * M, axis=0), [A], method="fd")
    assert jac2.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for i in range(2):
        for j in range(3):
            expected[j, i, j] = 2 * A[i, j]
    assert_close(jac2, expected, rtol=1e-10)


def test_vjp_and_grad():
    f = lambda x, y: x * y + np.sin(x)
    y = np.array([1.0, 2.0, 3.0])
    w = np.array([1.0, -1.0, 0.5])
    xb, yb = reference_vjp(f, [X, y], w)
    np.testing.assert_allclose(xb, w * (y + np.cos(X)), rtol=1e-14)
    np.testing.assert_allclose(yb, w * X, rtol=1e-14)
    g = reference_grad(lambda x, y: np.sum(f(x, y)), [X, y], argnum=1)
    np.testing.assert_allclose(g, X, rtol=1e-14)


@pytest.mark.parametrize("method", ["cs", "fd"])
def test_hvp_and_hessian(method):
    f = lambda x: np.sum(np.sin(x) * x[::-1])
    n = len(X)
    H = np.zeros((n, n))
    for i in range(n):
        H[i, i] += -np.sin(X[i]) * X[n - 1 - i]
        H[i, n - 1 - i] += np.cos(X[i])
        H[n - 1 - i, i] += np.cos(X[i])
    v = np.array([0.5, -1.0, 0.25])
    assert_close(reference_hvp(f, [X], v, method=method), H @ v, rtol=1e-8)
    assert_close(reference_hessian(f, [X], method=method), H, rtol=1e-8)


def test_assert_close_checks_shape():
    with pytest.raises(AssertionError):
        assert_close(np.zeros(1), np.zeros(()))
