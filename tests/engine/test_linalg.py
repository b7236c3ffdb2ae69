"""Linear-algebra primitives (``primitives/linalg.py``) and the products built on them.

Every case runs :func:`linalg_checks.check_derivatives`: value against NumPy, forward mode
against central differences, reverse mode by the dot-product identity against those
differences, the batched Jacobians, and second order both ways.  Analytic formulas
(``d det = det · tr(A⁻¹ dA)``, the cofactor matrix at a singular matrix, ``d A⁻¹``) are
checked on top.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

import adviz as ad

try:
    from .linalg_checks import check_derivatives, rng_for, spd
except ImportError:  # pragma: no cover - depends on pytest's import mode
    from linalg_checks import check_derivatives, rng_for, spd  # type: ignore[no-redef]


def _r(*shape, seed="x"):
    return rng_for(seed + str(shape)).standard_normal(shape)


# ---------------------------------------------------------------- matmul, dot, inner, ...
PRODUCTS = [
    ("matmul 1-D @ 1-D", np.matmul, (_r(4), _r(4, seed="y"))),
    ("matmul 1-D @ stack", np.matmul, (_r(4), _r(2, 4, 3))),
    ("matmul stack @ 1-D", np.matmul, (_r(2, 3, 4), _r(4))),
    ("matmul broadcast stacks", np.matmul, (_r(2, 1, 3, 4), _r(5, 4, 2))),
    ("@ operator", lambda a, b: a @ b, (_r(3, 4), _r(4, 2))),
    ("dot 0-D", np.dot, (_r(), _r(3))),
    ("dot 1-D 1-D", np.dot, (_r(4), _r(4, seed="y"))),
    ("dot 2-D 1-D", np.dot, (_r(3, 4), _r(4))),
    ("dot 3-D 1-D", np.dot, (_r(2, 3, 4), _r(4))),
    ("dot 1-D 3-D", np.dot, (_r(3), _r(2, 3, 4))),
    ("dot 2-D 3-D", np.dot, (_r(2, 3), _r(4, 3, 2))),
    ("dot 3-D 3-D", np.dot, (_r(2, 3, 4), _r(5, 4, 2))),
    ("x.dot(y) 3-D", lambda a, b: a.dot(b), (_r(2, 3, 4), _r(4, 2))),
    ("inner 1-D", np.inner, (_r(4), _r(4, seed="y"))),
    ("inner 2-D 2-D", np.inner, (_r(3, 4), _r(2, 4))),
    ("inner 3-D 1-D", np.inner, (_r(2, 3, 4), _r(4))),
    ("inner 1-D 3-D", np.inner, (_r(4), _r(2, 3, 4))),
    ("inner 3-D 2-D", np.inner, (_r(2, 3, 4), _r(5, 4))),
    ("inner 3-D 3-D", np.inner, (_r(2, 3, 4), _r(2, 1, 4))),
    ("inner 0-D", np.inner, (_r(), _r(2, 3))),
    ("vdot", np.vdot, (_r(2, 3), _r(3, 2))),
    ("outer flattens", np.outer, (_r(2, 3), _r(2, 2))),
    ("tensordot 2", np.tensordot, (_r(2, 3, 4), _r(3, 4, 2))),
    ("tensordot 0", lambda a, b: np.tensordot(a, b, axes=0), (_r(2, 3), _r(3))),
    ("tensordot pairs", lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 0])), (_r(2, 3, 4), _r(4, 5, 2))),
    ("tensordot int pair", lambda a, b: np.tensordot(a, b, axes=(1, 0)), (_r(2, 3), _r(3, 4))),
    ("kron 2-D", np.kron, (_r(2, 3), _r(3, 2))),
    ("kron 1-D 3-D", np.kron, (_r(2), _r(2, 3, 2))),
    ("kron scalar", np.kron, (_r(), _r(2, 2))),
    ("cross 3-vectors", np.cross, (_r(3), _r(3, seed="y"))),
    ("cross stacks broadcast", np.cross, (_r(4, 3), _r(3))),
    ("cross axisa/axisb/axisc", lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0), (_r(3, 4), _r(4, 3))),
    ("cross axis", lambda a, b: np.cross(a, b, axis=0), (_r(3, 2), _r(3, 2, seed="y"))),
    ("multi_dot vector ends", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (_r(3), _r(3, 4), _r(4))),
    ("multi_dot matrices", lambda a, b, c, d: np.linalg.multi_dot([a, b, c, d]),
     (_r(2, 3), _r(3, 4), _r(4, 2), _r(2, 2))),
    ("matrix_power 5", lambda a: np.linalg.matrix_power(a, 5), (_r(3, 3) / 2,)),
    ("matrix_power 1", lambda a: np.linalg.matrix_power(a, 1), (_r(3, 3),)),
    ("matrix_power stack", lambda a: np.linalg.matrix_power(a, 2), (_r(2, 3, 3),)),
    ("vecdot", np.linalg.vecdot, (_r(2, 3), _r(3))),
    ("linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), (_r(2, 3), _r(3, 4))),
]


@pytest.mark.parametrize("name, f, args", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_products(name, f, args):
    check_derivatives(f, *args, name=name)


def test_2d_cross_vectors_warn_like_numpy_and_differentiate():
    a, b = _r(4, 2), _r(4, 2, seed="y")
    with pytest.warns(DeprecationWarning):
        check_derivatives(np.cross, a, b, name="cross 2-vectors", order=1, batched=False)


# ---------------------------------------------------------------- einsum
EINSUMS = [
    ("ij,jk->ik", (_r(3, 4), _r(4, 2))),
    ("ij,jk", (_r(3, 4), _r(4, 2))),  # implicit output
    ("Ba,aC", (_r(2, 3), _r(3, 4))),  # implicit output sorts upper case first, as NumPy
    ("ii", (_r(3, 3),)),  # trace
    ("ii->i", (_r(3, 3),)),  # diagonal
    ("iij->j", (_r(3, 3, 2),)),
    ("iii->", (_r(2, 2, 2),)),
    ("ij->i", (_r(3, 4),)),  # a letter only one operand has
    ("ij->ji", (_r(3, 4),)),
    ("i,i->", (_r(4), _r(4, seed="y"))),
    ("i,j->ij", (_r(3), _r(4))),
    ("...ij,...jk->...ik", (_r(2, 3, 4), _r(2, 4, 5))),
    ("...ij,...jk->...ik", (_r(1, 3, 4), _r(5, 4, 2))),  # broadcast ellipsis
    ("...ij,kjl->...kil", (_r(2, 3, 4), _r(5, 4, 2))),
    ("i...->...", (_r(2, 3, 4),)),
    ("...", (_r(2, 3),)),
    ("ij,ij->ij", (_r(1, 3), _r(4, 3))),  # size-1 broadcast of a named axis
    ("ij,jk,kl->il", (_r(3, 4), _r(4, 2), _r(2, 5))),
    ("bij,bjk,bkl->bil", (_r(2, 2, 3), _r(2, 3, 2), _r(2, 2, 2))),
    ("ab,ab,ab->", (_r(2, 3), _r(2, 3, seed="y"), _r(2, 3, seed="z"))),
    ("ii,i->", (_r(3, 3), _r(3))),
    (",ij->ij", (_r(), _r(2, 3))),
]


@pytest.mark.parametrize("subscripts, args", EINSUMS, ids=[f"{e[0]}{[a.shape for a in e[1]]}" for e in EINSUMS])
@pytest.mark.parametrize("optimize", [False, True])
def test_einsum(subscripts, args, optimize):
    check_derivatives(lambda *a: np.einsum(subscripts, *a, optimize=optimize), *args,
                      name=f"einsum {subscripts} {optimize}", order=2 if optimize else 1)


def test_einsum_sublist_form():
    a, b = _r(3, 4), _r(4, 2)
    check_derivatives(lambda x, y: np.einsum(x, [0, 1], y, [1, 2], [2, 0]), a, b, name="einsum sublists")
    check_derivatives(lambda x, y: np.einsum(x, [Ellipsis, 1], y, [1, 2]), _r(2, 3, 4), b, name="einsum ...")


def test_einsum_with_a_constant_operand():
    C = _r(4, 2)
    check_derivatives(lambda a: np.einsum("ij,jk->ik", a, C), _r(3, 4), name="einsum const")
    check_derivatives(lambda a: np.einsum("ij,jk->ik", C.T, a), _r(4, 3), name="einsum const left")


# ---------------------------------------------------------------- solve, inv, det, slogdet, pinv
rng = rng_for("solve")
A3, A3b, A1 = spd(rng, 3), spd(rng, 3, (2,)), spd(rng, 1)
SOLVES = [
    ("solve vector", np.linalg.solve, (A3, _r(3))),
    ("solve matrix", np.linalg.solve, (A3, _r(3, 2))),
    ("solve stack, vector b", np.linalg.solve, (A3b, _r(3))),
    ("solve stack, stack of matrices", np.linalg.solve, (A3b, _r(2, 3, 2))),
    ("solve A broadcast", np.linalg.solve, (A3, _r(2, 3, 1))),
    ("solve stacks broadcast", np.linalg.solve, (spd(rng, 3, (2, 1)), _r(4, 3, 1))),
    ("solve 1x1", np.linalg.solve, (A1, _r(1))),
    ("inv", np.linalg.inv, (A3,)),
    ("inv stack", np.linalg.inv, (A3b,)),
    ("inv 1x1", np.linalg.inv, (A1,)),
    ("det", np.linalg.det, (_r(3, 3),)),
    ("det stack", np.linalg.det, (_r(2, 3, 3),)),
    ("det 1x1", np.linalg.det, (A1,)),
    ("logabsdet", lambda a: np.linalg.slogdet(a)[1], (_r(3, 3) + 3 * np.eye(3),)),
    ("logabsdet stack", lambda a: np.linalg.slogdet(a).logabsdet, (_r(2, 3, 3) - 3 * np.eye(3),)),
    ("pinv tall", np.linalg.pinv, (_r(4, 3),)),
    ("pinv wide stack", np.linalg.pinv, (_r(2, 2, 3),)),
    ("pinv square", np.linalg.pinv, (_r(3, 3),)),
    ("pinv hermitian", lambda a: np.linalg.pinv(a, hermitian=True), (A3,)),
    ("cond", np.linalg.cond, (A3,)),
    ("cond -2", lambda a: np.linalg.cond(a, -2), (A3,)),
    ("cond fro", lambda a: np.linalg.cond(a, "fro"), (A3,)),
    ("matrix_power -2", lambda a: np.linalg.matrix_power(a, -2), (A3,)),
]


@pytest.mark.parametrize("name, f, args", SOLVES, ids=[s[0] for s in SOLVES])
def test_solve_inv_det(name, f, args):
    check_derivatives(f, *args, name=name)


def test_det_derivative_is_det_times_trace_of_inverse():
    A, dA = _r(2, 4, 4), _r(2, 4, 4, seed="dA")
    d, dd = ad.jvp(np.linalg.det, (A,), (dA,))
    expected = d * np.trace(np.linalg.solve(A, dA), axis1=-2, axis2=-1)
    np.testing.assert_allclose(dd, expected, rtol=1e-10)
    np.testing.assert_allclose(ad.grad(lambda a: np.sum(np.linalg.det(a)))(A),
                               d[:, None, None] * np.linalg.inv(A).swapaxes(-1, -2), rtol=1e-10)


@pytest.mark.parametrize("A, cofactor", [
    ([[1.0, 2.0], [2.0, 4.0]], [[4.0, -2.0], [-2.0, 1.0]]),
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[-3.0, 6.0, -3.0], [6.0, -12.0, 6.0], [-3.0, 6.0, -3.0]]),
    (np.zeros((3, 3)), np.zeros((3, 3))),
])
def test_det_derivative_at_a_singular_matrix_is_the_cofactor_matrix(A, cofactor):
    A = np.asarray(A)
    np.testing.assert_allclose(ad.grad(np.linalg.det)(A), cofactor, atol=1e-12)
    np.testing.assert_allclose(ad.jacfwd(np.linalg.det)(A), cofactor, atol=1e-12)


def test_det_hessian_at_a_singular_2x2_matrix():
    H = ad.hessian(np.linalg.det)(np.array([[1.0, 2.0], [2.0, 4.0]]))  # det = ad − bc
    expected = np.zeros((2, 2, 2, 2))
    expected[0, 0, 1, 1] = expected[1, 1, 0, 0] = 1.0
    expected[0, 1, 1, 0] = expected[1, 0, 0, 1] = -1.0
    np.testing.assert_allclose(H, expected, atol=1e-12)


def _det_hessian_3x3(A):
    """∂²det/∂A_ij ∂A_kl for 3×3 ``A``, analytically: ±A_mn for the one entry (m, n) left
    when rows {i, k} and columns {j, l} are taken out (0 when i = k or j = l), with the sign
    of the permutation."""
    H = np.zeros((3, 3, 3, 3))
    for i, j, k, l in np.ndindex(3, 3, 3, 3):
        if i != k and j != l:
            m, n = 3 - i - k, 3 - j - l
            perm_rows, perm_cols = [i, k, m], [j, l, n]
            H[i, j, k, l] = np.linalg.det(np.eye(3)[perm_rows]) * np.linalg.det(np.eye(3)[perm_cols]) * A[m, n]
    return H


@pytest.mark.parametrize("A", [
    np.zeros((3, 3)),
    np.diag([0.0, 1.0, 1.0]),  # singular with a repeated singular value
    np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
])
def test_det_second_derivatives_at_singular_matrices_also_in_a_stack(A):
    """At a singular matrix the cofactor matrix is a polynomial in A: its derivative is finite.
    A stack holding one singular matrix used to send every matrix of the stack through an SVD,
    whose derivative is nan at repeated singular values (the identity beside it gave nan)."""
    expected = _det_hessian_3x3(A)
    np.testing.assert_allclose(ad.hessian(np.linalg.det)(A), expected, atol=1e-12)
    stack = np.stack([A, np.eye(3)])
    H = ad.hessian(lambda a: np.sum(np.linalg.det(a)))(stack)
    np.testing.assert_allclose(H[0, :, :, 0], expected, atol=1e-12)
    np.testing.assert_allclose(H[1, :, :, 1], _det_hessian_3x3(np.eye(3)), atol=1e-12)
    np.testing.assert_allclose(H[0, :, :, 1], 0.0, atol=1e-12)
    v = rng_for("det-stack").standard_normal(stack.shape)
    _, hv = ad.jvp(ad.grad(lambda a: np.sum(np.linalg.det(a))), (stack,), (v,))
    np.testing.assert_allclose(hv[0], np.einsum("ijkl,kl->ij", expected, v[0]), atol=1e-12)


def test_inverse_derivative_formula():
    A, dA = spd(rng_for("inv"), 3), _r(3, 3, seed="dA")
    Y, dY = ad.jvp(np.linalg.inv, (A,), (dA,))
    np.testing.assert_allclose(dY, -Y @ dA @ Y, rtol=1e-12)


def test_slogdet_returns_numpys_named_tuple_with_a_plain_sign():
    A = _r(3, 3)
    sign, logabsdet = ad.jvp(lambda a: np.linalg.slogdet(a), (A,), (np.eye(3),))[0]
    ref = np.linalg.slogdet(A)
    assert sign == ref.sign and logabsdet == pytest.approx(ref.logabsdet, rel=1e-14)
    # d log|det A| = tr(A⁻¹ dA)
    dA = _r(3, 3, seed="dA")
    _, d = ad.jvp(lambda a: np.linalg.slogdet(a).logabsdet, (A,), (dA,))
    assert d == pytest.approx(np.trace(np.linalg.solve(A, dA)), rel=1e-12)


def test_pinv_of_a_rank_deficient_matrix_along_matrices_of_the_same_rank():
    """pinv is only differentiable along matrices of its rank: test along A(t) = L(t) R(t)ᵀ (rank 2)."""
    L, R = _r(4, 2), _r(3, 2)
    check_derivatives(lambda l, r: np.linalg.pinv(l @ r.T), L, R, name="pinv rank 2 of 4x3")


def test_pinv_rank_deficient_gradient_matches_golub_pereyra():
    L, R = _r(4, 2), _r(3, 2)
    A = L @ R.T
    P = np.linalg.pinv(A)
    dA = _r(4, 3, seed="dA")
    _, dP = ad.jvp(np.linalg.pinv, (A,), (dA,))
    expected = (-P @ dA @ P + P @ P.T @ dA.T @ (np.eye(4) - A @ P) + (np.eye(3) - P @ A) @ dA.T @ P.T @ P)
    np.testing.assert_allclose(dP, expected, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- trace records
def _nfc(texts):
    return [unicodedata.normalize("NFC", s) for s in texts]


def test_einsum_trace_shows_the_subscripts_and_the_rules():
    t = ad.trace(lambda A, B: np.sum(np.einsum("ij,jk->ik", A, B)), np.ones((2, 3)), np.ones((3, 2)))
    assert "einsum('ij,jk->ik', A, B)" in t.to_text()
    updates = _nfc(term.update() for step in t.reverse().steps for term in step.terms)
    assert _nfc(["Ā += einsum('ik,jk->ij', v̄1, B)", "B̄ += einsum('ik,ij->jk', v̄1, A)"]) == updates[1:]
    forward = _nfc(term.update() for step in t.forward({"A": np.ones((2, 3))}).steps for term in step.terms)
    assert _nfc(["v̇1 = einsum('ij,jk->ik', Ȧ, B)"]) == forward[:1]
    trace_of = ad.trace(lambda A: np.einsum("ii", A), np.ones((2, 2)))
    assert _nfc(term.update() for step in trace_of.reverse().steps for term in step.terms) == _nfc(
        ["Ā += einsum(',ia->ia', v̄1, I)"])  # the scalar ȳ times the identity
