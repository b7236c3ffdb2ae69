"""NumPy's linear-algebra surface on traced values (``engine/numpy_linalg.py``).

Two promises: every call gives NumPy's shape and value (so code written for NumPy means
the same thing traced), and every ``ord``/``axis`` of ``np.linalg.norm`` NumPy accepts is
either differentiated correctly or refused with NumPy's own error — never a different norm.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import adviz as ad
from adviz import UnsupportedOperation

try:
    from .linalg_checks import check_derivatives, rng_for
except ImportError:  # pragma: no cover - depends on pytest's import mode
    from linalg_checks import check_derivatives, rng_for  # type: ignore[no-redef]


def _r(*shape, seed="x"):
    return rng_for(seed + str(shape)).standard_normal(shape)


def traced_value(f, *args):
    """``f``'s value computed on traced inputs (forward mode), for comparison with NumPy."""
    return ad.jvp(f, args, tuple(np.zeros_like(a) for a in args))[0]


# ---------------------------------------------------------------- NumPy's shapes and values
SHAPES = [(), (3,), (2, 3), (4, 3), (2, 2, 3), (3, 2, 3)]


@pytest.mark.parametrize("fn", [np.dot, np.inner, np.outer, np.vdot, np.kron, np.tensordot, np.matmul],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("sa, sb", list(itertools.product(SHAPES, SHAPES)), ids=str)
def test_products_match_numpy_for_every_pair_of_shapes(fn, sa, sb):
    """Same shapes, same values, and the same refusal where NumPy refuses."""
    a, b = _r(*sa), _r(*sb, seed="y")
    try:
        expected = fn(a, b)
    except (ValueError, TypeError, IndexError) as numpy_error:
        # (NumPy's tensordot of arrays too small for ``axes`` fails with an IndexError: we say ValueError)
        with pytest.raises((type(numpy_error), ValueError)):
            traced_value(fn, a, b)
        return
    got = traced_value(fn, a, b)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("subscripts, shapes", [
    ("ij,jk", [(2, 3), (3, 4)]), ("ba,ac", [(2, 3), (3, 4)]), ("Ba,aC", [(2, 3), (3, 4)]),
    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("i...->...", [(2, 3, 4)]), ("...ij->...ji", [(2, 3, 4)]),
    ("...ij,...jk", [(1, 3, 4), (5, 4, 2)]), ("ij,ij->i", [(1, 3), (4, 3)]), ("i,i", [(3,), (3,)]),
    ("ijk,kj", [(2, 3, 4), (4, 3)]), ("...", [(2, 3)]), ("a,b,c->cba", [(2,), (3,), (4,)]),
])
def test_einsum_matches_numpy(subscripts, shapes):
    ops = [_r(*s, seed=str(i)) for i, s in enumerate(shapes)]
    got = traced_value(lambda *a: np.einsum(subscripts, *a), *ops)
    expected = np.einsum(subscripts, *ops)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("subscripts, shapes, message", [
    ("ij,jk->ik", [(2, 3)], "operand"),
    ("i", [(2, 2)], "dimensions"),
    ("...i->i", [(3, 4)], "'...'"),
    ("i->j", [(2,)], "'j'"),
    ("i->ii", [(2,)], "more than once"),
    ("ij,jk", [(2, 3), (4, 2)], "size"),
    ("i1", [(2, 2)], "invalid subscript"),
    ("..i", [(2,)], "'.'"),
    ("ii", [(2, 1)], "repeated subscript"),  # a diagonal is never broadcast
])
def test_einsum_errors_say_what_is_wrong(subscripts, shapes, message):
    ops = [_r(*s) for s in shapes]
    with pytest.raises(ValueError) as numpy_info:
        np.einsum(subscripts, *ops)
    with pytest.raises(ValueError) as info:
        ad.grad(lambda a: np.sum(np.einsum(subscripts, a, *ops[1:])))(ops[0])
    assert message in str(info.value) and "einsum" in str(info.value), (info.value, numpy_info.value)


def test_einsum_refuses_out_and_follows_numpy_on_dtype():
    x = _r(2, 2)
    with pytest.raises(UnsupportedOperation, match="out"):
        ad.grad(lambda a: np.sum(np.einsum("ij->i", a, out=np.zeros(2))))(x)
    # float64 -> float32 is not a 'safe' cast (einsum's default): NumPy's own error, as without adviz
    with pytest.raises(TypeError, match="safe"):
        np.einsum("ij->i", x, dtype=np.float32)
    with pytest.raises(TypeError, match="safe"):
        ad.grad(lambda a: np.sum(np.einsum("ij->i", a, dtype=np.float32)))(x)
    # allowed casts compute in dtype, as NumPy does
    f = lambda a: np.einsum("ij,jk->ik", a, a, dtype=np.float32, casting="same_kind")
    y, y_dot = ad.jvp(f, (x,), (np.ones_like(x),))
    assert y.dtype == np.float32 and y_dot.dtype == np.float32
    np.testing.assert_array_equal(y, f(x))
    np.testing.assert_allclose(y_dot, np.ones_like(x) @ x + x @ np.ones_like(x), rtol=1e-6)
    check_derivatives(lambda a: np.einsum("ij,jk->ik", a, a, dtype=np.float64), x, name="einsum(dtype=float64)")


def test_einsum_accepts_optimize_and_a_precomputed_path():
    ops = [_r(2, 3), _r(3, 4), _r(4, 5)]
    path = np.einsum_path("ij,jk,kl->il", *ops, optimize="optimal")[0]
    for optimize in (False, True, "greedy", "optimal", path):
        check_derivatives(lambda *a: np.einsum("ij,jk,kl->il", *a, optimize=optimize), *ops,
                          name=f"einsum optimize={optimize}", order=1, batched=False)


# ---------------------------------------------------------------- norms
VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 3, 0.5, -1, -2.5, 4.0]
MATRIX_ORDS = [None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]


def distinct(*shape):
    """Entries with distinct magnitudes, 0.25 apart and away from 0: no kink of any norm nearby."""
    rng = rng_for(f"distinct{shape}")
    n = int(np.prod(shape))
    return ((rng.permutation(n) + 1) * 0.25 * rng.choice([-1.0, 1.0], n)).reshape(shape)


@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_vector_norms(ord):
    x = distinct(5)
    check_derivatives(lambda v: np.linalg.norm(v, ord), x, name=f"norm(x, {ord})")
    T = distinct(2, 3, 4)
    for axis, keepdims in ((1, True), (-1, False), (0, False)):
        check_derivatives(lambda v: np.linalg.norm(v, ord, axis=axis, keepdims=keepdims), T,
                          name=f"norm(T, {ord}, axis={axis}, keepdims={keepdims})", order=1, batched=False)


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norms(ord):
    M = distinct(3, 4)
    check_derivatives(lambda m: np.linalg.norm(m, ord), M, name=f"norm(M, {ord})")
    for axis in ((0, 1), (1, 0), (-1, -2), (-2, 1)):
        check_derivatives(lambda m: np.linalg.norm(m, ord, axis=axis), M, name=f"norm(M, {ord}, axis={axis})",
                          order=1, batched=False)
    T = distinct(2, 3, 4)
    for axis, keepdims in (((0, 2), True), ((2, 1), False), ((-1, 0), True), ((1, 2), False)):
        check_derivatives(lambda m: np.linalg.norm(m, ord, axis=axis, keepdims=keepdims), T,
                          name=f"norm(T, {ord}, axis={axis}, keepdims={keepdims})", order=1)


def test_spectral_norm_is_not_the_frobenius_norm():
    """The bug this module fixed: ord=2 with a 2-tuple axis silently returned the Frobenius norm."""
    M = np.array([[3.0, 0.0], [4.0, 5.0]])
    got = traced_value(lambda m: np.linalg.norm(m, ord=2, axis=(0, 1)), M)
    assert got == pytest.approx(np.linalg.norm(M, 2)) and got != pytest.approx(np.linalg.norm(M))
    U, s, Vh = np.linalg.svd(M)
    np.testing.assert_allclose(ad.grad(lambda m: np.linalg.norm(m, ord=2, axis=(0, 1)))(M),
                               np.outer(U[:, 0], Vh[0]), rtol=1e-12)  # dσ₁ = u₁ᵀ dA v₁
    np.testing.assert_allclose(ad.grad(lambda m: np.linalg.norm(m, "nuc"))(M), U @ Vh, rtol=1e-12)


def test_zero_norm_counts_nonzeros_and_has_zero_derivative():
    x = np.array([0.0, 1.5, -2.0, 0.0])
    assert traced_value(lambda v: np.linalg.norm(v, 0), x) == 2.0
    np.testing.assert_array_equal(ad.grad(lambda v: np.linalg.norm(v, 0))(x), np.zeros(4))
    np.testing.assert_array_equal(ad.jacfwd(lambda v: np.linalg.norm(v, 0, axis=0, keepdims=True))(x),
                                  np.zeros((1, 4)))


def test_two_norm_at_zero_has_derivative_zero_like_abs():
    """‖x‖ at x = 0 is a kink; adviz returns 0, the subgradient abs(0) also gets."""
    for f in (np.linalg.norm, lambda v: np.linalg.norm(v, axis=0), lambda v: np.linalg.norm(v, "fro")):
        z = np.zeros((2, 2))
        np.testing.assert_array_equal(ad.grad(lambda v: np.sum(f(v)))(z), np.zeros((2, 2)))
        np.testing.assert_array_equal(ad.jvp(lambda v: np.sum(f(v)), (z,), (np.ones((2, 2)),))[1], 0.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns too (negative p of empty arrays)
@pytest.mark.parametrize("x_shape", [(5,), (3, 4), (2, 3, 4), (0,), (2, 0)])
@pytest.mark.parametrize("ord", VECTOR_ORDS + ["fro", "nuc", "f", -2])
@pytest.mark.parametrize("axis", [None, 0, -1, 1, (0, 1), (1, 0), (0, -1), (0, 1, 2), (0, 0)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_every_norm_call_numpy_accepts_gives_numpys_value_and_every_other_raises_its_error(x_shape, ord, axis,
                                                                                          keepdims):
    x = _r(*x_shape)
    try:
        expected = np.linalg.norm(x, ord, axis, keepdims)
    except Exception as numpy_error:  # whatever NumPy raises, we raise the same
        with pytest.raises(type(numpy_error)) as info:
            traced_value(lambda v: np.linalg.norm(v, ord, axis, keepdims), x)
        assert str(info.value) == str(numpy_error) or isinstance(numpy_error, (IndexError, np.exceptions.AxisError))
        return
    got = traced_value(lambda v: np.linalg.norm(v, ord, axis, keepdims), x)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_array_api_norms():
    T = _r(2, 3, 4)
    for kwargs in ({}, {"axis": (0, 2), "ord": 3}, {"ord": np.inf, "keepdims": True}, {"axis": 1, "ord": 1}):
        np.testing.assert_allclose(traced_value(lambda v: np.linalg.vector_norm(v, **kwargs), T),
                                   np.linalg.vector_norm(T, **kwargs), rtol=1e-12)
    check_derivatives(lambda v: np.linalg.vector_norm(v, axis=(0, 2), ord=3), T, name="vector_norm", order=1)
    for ord in ("fro", "nuc", 2, 1):
        np.testing.assert_allclose(traced_value(lambda v: np.linalg.matrix_norm(v, ord=ord), T),
                                   np.linalg.matrix_norm(T, ord=ord), rtol=1e-12)


# ---------------------------------------------------------------- decompositions return NumPy's tuples
def test_decompositions_return_named_tuples_like_numpy():
    A = _r(3, 3)
    S = A + A.T

    def f(a, s):
        svd, eig, qr = np.linalg.svd(a), np.linalg.eigh(s), np.linalg.qr(a)
        assert (svd.U is svd[0]) and (eig.eigenvectors is eig[1]) and (qr.R is qr[1])
        return svd.U, svd.S, svd.Vh, eig.eigenvalues, eig.eigenvectors, qr.Q, qr.R

    got = traced_value(f, A, S)
    ref = (*np.linalg.svd(A), *np.linalg.eigh(S), *np.linalg.qr(A))
    for g, r in zip(got, ref):
        np.testing.assert_allclose(np.abs(g), np.abs(r), rtol=1e-10, atol=1e-12)  # vectors: up to sign


def test_svd_compute_uv_false_and_svdvals():
    A = _r(4, 3)
    np.testing.assert_allclose(traced_value(lambda a: np.linalg.svd(a, compute_uv=False), A),
                               np.linalg.svd(A, compute_uv=False), rtol=1e-12)
    np.testing.assert_allclose(traced_value(np.linalg.svdvals, A), np.linalg.svdvals(A), rtol=1e-12)


def test_full_matrices_shapes_match_numpy():
    for shape in ((4, 2), (2, 4), (3, 3), (2, 4, 2)):
        A = _r(*shape)
        for full in (True, False):
            got = traced_value(lambda a: tuple(np.linalg.svd(a, full_matrices=full)), A)
            assert [np.shape(g) for g in got] == [r.shape for r in np.linalg.svd(A, full_matrices=full)]


def test_qr_modes():
    for shape in ((4, 3), (3, 4), (3, 3)):
        A = _r(*shape)
        np.testing.assert_allclose(traced_value(lambda a: np.linalg.qr(a, mode="r"), A), np.linalg.qr(A, mode="r"))
    for A in (_r(2, 3), _r(4, 2), _r(2, 3, 2), _r(5, 2).astype(np.float32)):  # wide, tall, a stack, float32
        for g, r in zip(traced_value(lambda a: tuple(np.linalg.qr(a, mode="complete")), A),
                        np.linalg.qr(A, mode="complete")):
            np.testing.assert_allclose(g, r, rtol=1e-10 if A.dtype == np.float64 else 1e-4, atol=1e-12)
            assert np.result_type(g) == r.dtype


@pytest.mark.parametrize("call, message", [
    (lambda a: np.linalg.qr(a, mode="raw"), "mode='raw'"),
    (lambda a: np.linalg.eig(a @ a.T), "np.linalg.eigh"),
    (lambda a: np.linalg.eigvals(a @ a.T), "np.linalg.eigvalsh"),
    (lambda a: np.linalg.lstsq(a[:, :1] * np.ones(3), a[:, 0]), "rank-deficient"),
])
def test_refusals_name_the_function_and_suggest_another(call, message):
    with pytest.raises(UnsupportedOperation) as info:
        ad.grad(lambda a: np.sum(call(a)[0]))(_r(4, 3))
    assert message in str(info.value)


def test_bad_arguments_raise_numpys_errors():
    A = _r(3, 3)
    with pytest.raises(ValueError, match="UPLO"):
        ad.grad(lambda a: np.sum(np.linalg.eigh(a, UPLO="X")[0]))(A)
    with pytest.raises(ValueError, match="dimension must be 2 or 3"):
        ad.grad(lambda a: np.sum(np.cross(a, a)))(_r(3, 4))
    with pytest.raises(ValueError, match="shape-mismatch"):
        ad.grad(lambda a: np.sum(np.tensordot(a, a, axes=([0], [1]))))(_r(3, 4))
    with pytest.raises(TypeError, match="integer"):
        ad.grad(lambda a: np.sum(np.linalg.matrix_power(a, 1.5)))(A)
    with pytest.raises(UnsupportedOperation, match="out"):
        ad.grad(lambda a: np.sum(np.dot(a, a, out=np.empty((3, 3)))))(A)


def test_matrix_power_zero_is_the_identity_with_zero_derivative():
    A = _r(2, 3, 3)
    np.testing.assert_array_equal(traced_value(lambda a: np.linalg.matrix_power(a, 0), A),
                                  np.broadcast_to(np.eye(3), (2, 3, 3)))
    np.testing.assert_array_equal(ad.grad(lambda a: np.sum(np.linalg.matrix_power(a, 0) * a))(A),
                                  np.broadcast_to(np.eye(3), (2, 3, 3)))


def test_dot_method_and_linalg_aliases():
    A, B = _r(2, 3, 4), _r(4, 2)
    np.testing.assert_allclose(traced_value(lambda a: a.dot(B), A), A.dot(B))
    np.testing.assert_allclose(traced_value(lambda a: np.linalg.matmul(a, B), A), np.matmul(A, B))
    np.testing.assert_allclose(traced_value(lambda a: np.linalg.matrix_transpose(a), A), np.swapaxes(A, -1, -2))
    np.testing.assert_allclose(traced_value(lambda a: np.linalg.outer(a[0, 0], B[:, 0]), A),
                               np.outer(A[0, 0], B[:, 0]))
    np.testing.assert_allclose(traced_value(lambda a: np.vecdot(a, A), A), np.vecdot(A, A))
    assert traced_value(lambda a: np.linalg.matrix_rank(a[0]), A) == np.linalg.matrix_rank(A[0])


def test_lstsq_matches_numpy_and_central_differences():
    """``lstsq`` returns NumPy's tuple: the solution, residuals and singular values traced,
    the rank a plain integer; each derivative against finite differences."""
    a, b = _r(5, 3), _r(5, seed="b")
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=None)
    got = ad.vjp(lambda a, b: np.linalg.lstsq(a, b, rcond=None), a, b)[0]
    for g, e in zip(got, (x, res, rank, s)):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    assert type(got[2]) is type(rank)
    check_derivatives(lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], a, b, name="lstsq-x")
    check_derivatives(lambda a, b: np.linalg.lstsq(a, b)[1], a, b, name="lstsq-residuals")
    check_derivatives(lambda a, b: np.linalg.lstsq(a, b)[0], _r(2, 4), _r(2, seed="w"), name="lstsq-wide")


def test_polyfit_matches_numpy_and_central_differences():
    x, y = np.array([0.0, 0.4, 1.1, 1.5, 2.2]), _r(5, seed="y")
    np.testing.assert_allclose(ad.jvp(lambda y: np.polyfit(x, y, 2), (y,), (y,))[0], np.polyfit(x, y, 2), rtol=1e-12)
    check_derivatives(lambda y: np.polyfit(x, y, 2), y, name="polyfit-y")
    check_derivatives(lambda x: np.polyfit(x, y, 1, w=np.arange(1.0, 6.0)), x, name="polyfit-x-weights")
    check_derivatives(lambda y2: np.polyfit(x, y2, 1), _r(5, 2, seed="y2"), name="polyfit-2d")
