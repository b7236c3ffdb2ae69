"""Matrix decompositions (``primitives/decompositions.py``): eigh, SVD, Cholesky, QR.

Eigen- and singular vectors are only defined up to sign, so the derivative checks use
quantities that do not depend on that choice (``V ∘ V``, ``vᵢ vᵢᵀ``, ``uᵢ vᵢᵀ``, each
column times its own first entry); eigenvalues, singular values, Cholesky and QR factors
are checked directly.  The singular cases (repeated and zero values, non-unique columns)
are tested against the behaviour documented in the module and the README: the right
number when it exists, ``nan`` when it does not — never a finite number that is wrong.
"""

from __future__ import annotations

import numpy as np
import pytest

import adviz as ad

try:
    from .linalg_checks import (
        check_derivatives,
        distinct_singular,
        rng_for,
        spd,
        symmetric,
    )
except ImportError:  # pragma: no cover - depends on pytest's import mode
    from linalg_checks import (  # type: ignore
        check_derivatives,
        distinct_singular,
        rng_for,
        spd,
        symmetric,
    )

rng = rng_for("decompositions")


def _sign_free(V):
    """Each column times its own first entry: unchanged when a column flips sign."""
    return V * V[..., :1, :]


# ---------------------------------------------------------------- symmetric eigenproblem
S4, S3b, S1 = symmetric(rng, 4), symmetric(rng, 3, (2,)), symmetric(rng, 1)
EIGH = [
    ("eigvalsh", np.linalg.eigvalsh, S4),
    ("eigvalsh UPLO=U", lambda a: np.linalg.eigvalsh(a, UPLO="U"), S4),
    ("eigvalsh stack", np.linalg.eigvalsh, S3b),
    ("eigvalsh 1x1", np.linalg.eigvalsh, S1),
    ("eigh values", lambda a: np.linalg.eigh(a).eigenvalues, S4),
    ("eigh vectors sign-free", lambda a: _sign_free(np.linalg.eigh(a).eigenvectors), S4),
    ("eigh vectors squared, UPLO=U", lambda a: np.linalg.eigh(a, UPLO="U")[1] ** 2, S4),
    ("eigh projector v1 v1ᵀ", lambda a: np.outer(np.linalg.eigh(a)[1][:, 1], np.linalg.eigh(a)[1][:, 1]), S4),
    ("eigh V f(Λ) Vᵀ", lambda a: (lambda w, V: V @ np.diag(np.exp(w)) @ V.T)(*np.linalg.eigh(a)), S4),
    ("eigh stack sign-free", lambda a: _sign_free(np.linalg.eigh(a)[1]), S3b),
    ("eigh 1x1 vectors", lambda a: np.linalg.eigh(a)[1] ** 2, S1),
]


@pytest.mark.parametrize("name, f, a", EIGH, ids=[e[0] for e in EIGH])
def test_eigh(name, f, a):
    """Inputs are *not* symmetrised first: the random directions also probe the triangle NumPy ignores."""
    check_derivatives(f, a, name=name)


def test_eigh_reads_only_one_triangle():
    A = S4.copy()
    A[0, 3] += 10.0  # upper triangle: ignored by UPLO='L'
    g = ad.grad(lambda a: np.sum(np.linalg.eigvalsh(a) ** 2))(A)
    assert np.all(np.triu(g, 1) == 0)
    gU = ad.grad(lambda a: np.sum(np.linalg.eigvalsh(a, UPLO="U") ** 2))(S4)
    assert np.all(np.tril(gU, -1) == 0)


def test_eigenvalue_derivative_is_v_dA_v():
    w, V = np.linalg.eigh(S4)
    dA = rng.standard_normal((4, 4))
    dA = dA + dA.T
    _, dw = ad.jvp(np.linalg.eigvalsh, (S4,), (dA,))
    np.testing.assert_allclose(dw, np.einsum("ji,jk,ki->i", V, dA, V), rtol=1e-10)


def test_matrix_function_through_eigh_matches_its_closed_form():
    """exp of a symmetric matrix via eigh: its derivative along E at A = diag(λ) is
    the divided differences (e^λᵢ − e^λⱼ)/(λᵢ − λⱼ) times E (Daleckii–Krein)."""
    lam = np.array([0.3, 1.1, 2.0])
    E = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, -0.2], [0.5, -0.2, 0.0]])
    expm = lambda a: (lambda w, V: V @ np.diag(np.exp(w)) @ V.T)(*np.linalg.eigh(a))
    _, d = ad.jvp(expm, (np.diag(lam),), (E,))
    li, lj = lam[:, None], lam[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        dd = np.where(li == lj, np.exp(li), (np.exp(li) - np.exp(lj)) / (li - lj))
    np.testing.assert_allclose(d, dd * E, rtol=1e-10)


# ---------------------------------------------------------------- SVD
SHAPES = {"tall": (4, 3), "wide": (3, 5), "square": (3, 3), "stack": (2, 3, 2), "1x1": (1, 1), "column": (3, 1)}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_svd(shape):
    A = distinct_singular(rng, shape)
    reduced = lambda a: np.linalg.svd(a, full_matrices=False)
    check_derivatives(lambda a: np.linalg.svd(a, compute_uv=False), A, name=f"svdvals {shape}")
    check_derivatives(lambda a: reduced(a).S, A, name=f"svd S {shape}")
    check_derivatives(lambda a: _sign_free(reduced(a).U), A, name=f"svd U {shape}")
    check_derivatives(lambda a: _sign_free(np.swapaxes(reduced(a).Vh, -1, -2)), A, name=f"svd V {shape}")
    check_derivatives(lambda a: np.einsum("...ik,...kj->...kij", reduced(a)[0], reduced(a)[2]), A,
                      name=f"svd uᵢvᵢᵀ {shape}")


def test_singular_value_derivative_is_u_dA_v():
    A, dA = distinct_singular(rng, (4, 3)), rng.standard_normal((4, 3))
    U, s, Vh = np.linalg.svd(A, full_matrices=False)
    _, ds = ad.jvp(np.linalg.svdvals, (A,), (dA,))
    np.testing.assert_allclose(ds, np.einsum("ik,ij,kj->k", U, dA, Vh), rtol=1e-10)
    np.testing.assert_allclose(ad.grad(lambda a: np.linalg.svd(a, compute_uv=False)[0])(A), np.outer(U[:, 0], Vh[0]),
                               rtol=1e-10)


def test_svd_full_matrices_of_a_square_matrix_is_differentiable():
    A = distinct_singular(rng, (3, 3))
    check_derivatives(lambda a: _sign_free(np.linalg.svd(a)[0]), A, name="svd full square U")


def test_svd_full_matrices_extra_columns_have_nan_derivatives():
    """Columns beyond min(m, n) are an arbitrary basis: nan; the first min(m, n) are exact."""
    A = distinct_singular(rng, (4, 2))
    check_derivatives(lambda a: _sign_free(np.linalg.svd(a)[0][:, :2]), A, name="svd full U first columns")
    check_derivatives(lambda a: np.linalg.svd(a)[1], A, name="svd full S")  # U's tangent is unused
    _, dU = ad.jvp(lambda a: np.linalg.svd(a)[0], (A,), (np.ones((4, 2)),))
    assert np.all(np.isfinite(dU[:, :2])) and np.all(np.isnan(dU[:, 2:]))
    assert np.all(np.isnan(ad.grad(lambda a: np.sum(np.linalg.svd(a)[0][:, 3]))(A)))
    W = distinct_singular(rng, (2, 4))
    _, dVh = ad.jvp(lambda a: np.linalg.svd(a)[2], (W,), (np.ones((2, 4)),))
    assert np.all(np.isfinite(dVh[:2])) and np.all(np.isnan(dVh[2:]))


@pytest.mark.parametrize("second", ["hessian", "jacfwd(jacfwd)", "jacrev(jacrev)", "jacrev(jacfwd)"])
def test_a_missing_first_derivative_stays_missing_at_second_order(second):
    """Was: the nan that marks a non-unique column was *added* as a constant, whose derivative
    is 0, so the Hessian of a function using those columns came out finite (and wrong against
    central differences) although its gradient is nan.  Now every second-order path gives nan."""
    A = distinct_singular(rng, (3, 2))
    w = np.arange(9.0).reshape(3, 3) - 4.0  # uses U's third column (an arbitrary basis vector)
    f = lambda a: np.sum(w * np.linalg.svd(a)[0])  # noqa: E731
    assert np.all(np.isnan(ad.grad(f)(A)))
    outer, inner = {"hessian": (ad.hessian, None), "jacfwd(jacfwd)": (ad.jacfwd, ad.jacfwd),
                    "jacrev(jacrev)": (ad.jacrev, ad.jacrev), "jacrev(jacfwd)": (ad.jacrev, ad.jacfwd)}[second]
    H = outer(f)(A) if inner is None else outer(inner(f))(A)
    assert H.shape == (3, 2, 3, 2) and np.all(np.isnan(H))
    # the same for a tied eigenvalue's eigenvector (the double eigenvalue 1 of TIED)
    g = lambda a: np.sum(np.linalg.eigh(a)[1][:, 0] * W[0])  # noqa: E731
    G = outer(g)(TIED) if inner is None else outer(inner(g))(TIED)
    assert np.all(np.isnan(G))


def test_svd_hermitian_follows_numpys_recipe():
    A = symmetric(rng, 4) - 0.1 * np.eye(4)  # some negative eigenvalues: signs move into Vh
    got = ad.jvp(lambda a: tuple(np.linalg.svd(a, hermitian=True)), (A,), (np.zeros((4, 4)),))[0]
    for g, r in zip(got, np.linalg.svd(A, hermitian=True)):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-14)
    check_derivatives(lambda a: np.linalg.svd(a, hermitian=True)[1], A, name="svd hermitian S")
    check_derivatives(lambda a: (lambda U, s, Vh: U @ np.diag(s) @ Vh)(*np.linalg.svd(a, hermitian=True)), A,
                      name="svd hermitian U S Vh")


# ---------------------------------------------------------------- Cholesky and QR
CHOLESKY = [
    ("cholesky", np.linalg.cholesky, spd(rng, 3)),
    ("cholesky stack", np.linalg.cholesky, spd(rng, 3, (2,))),
    ("cholesky upper", lambda a: np.linalg.cholesky(a, upper=True), spd(rng, 3)),
    ("cholesky 1x1", np.linalg.cholesky, spd(rng, 1)),
]


@pytest.mark.parametrize("name, f, a", CHOLESKY, ids=[c[0] for c in CHOLESKY])
def test_cholesky(name, f, a):
    check_derivatives(f, a, name=name)


def test_cholesky_reads_only_the_lower_triangle():
    A = spd(rng, 3)
    g = ad.grad(lambda a: np.sum(np.linalg.cholesky(a) ** 3))(A)
    assert np.all(np.triu(g, 1) == 0)


QR_SHAPES = {"tall": (4, 3), "square": (3, 3), "wide": (2, 4), "stack": (2, 4, 3), "wide stack": (2, 2, 3),
             "column": (3, 1), "1x1": (1, 1)}


@pytest.mark.parametrize("shape", QR_SHAPES.values(), ids=QR_SHAPES.keys())
def test_qr(shape):
    A = distinct_singular(rng, shape)
    check_derivatives(lambda a: np.linalg.qr(a).Q, A, name=f"qr Q {shape}")
    check_derivatives(lambda a: np.linalg.qr(a).R, A, name=f"qr R {shape}")
    check_derivatives(lambda a: np.linalg.qr(a, mode="r"), A, name=f"qr r {shape}", order=1)
    check_derivatives(lambda a: (lambda q, r: q * r[..., :1, :1] + np.sum(r))(*np.linalg.qr(a)), A,
                      name=f"qr Q and R {shape}", order=1)


# ---------------------------------------------------------------- the singular cases
TIED = np.diag([1.0, 1.0, 3.0])  # a repeated eigenvalue (and repeated singular value)
W = np.array([1.0, 2.0, 3.0])


def test_repeated_eigenvalue_a_simple_eigenvectors_derivative_is_still_exact():
    f = lambda a: np.sum(np.linalg.eigh(a)[1][:, 2] ** 2 * W)  # the eigenvalue 3 is simple
    np.testing.assert_allclose(ad.grad(f)(TIED), np.zeros((3, 3)), atol=1e-14)  # v = e₃ moves ⟂ to itself
    dA = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 2.0], [1.0, 2.0, 0.0]])
    _, dV = ad.jvp(lambda a: np.linalg.eigh(a)[1], (TIED,), (dA,))
    # v₃ = e₃ tilts towards e₁, e₂ by dA₁₃/(3−1), dA₂₃/(3−1) (up to the sign LAPACK picked for v₃)
    sign = np.linalg.eigh(TIED)[1][2, 2]
    np.testing.assert_allclose(dV[:, 2], sign * np.array([0.5, 1.0, 0.0]), atol=1e-14)


def test_repeated_eigenvalue_its_eigenvectors_have_nan_derivatives():
    f = lambda a: np.sum(np.linalg.eigh(a)[1][:, 0] ** 2 * W)  # an eigenvector of λ = 1 (double)
    assert np.all(np.isnan(ad.grad(f)(TIED)))
    assert np.all(np.isnan(ad.jacrev(f)(TIED)))
    assert np.isnan(ad.jvp(f, (TIED,), (np.ones((3, 3)),))[1])
    _, dV = ad.jvp(lambda a: np.linalg.eigh(a)[1], (TIED,), (np.ones((3, 3)),))
    assert np.all(np.isnan(dV[:, :2])) and np.all(np.isfinite(dV[:, 2]))


def test_repeated_eigenvalues_share_their_derivatives_like_max_ties():
    g_min = ad.grad(lambda a: np.linalg.eigvalsh(a)[0])(TIED)
    np.testing.assert_allclose(g_min, np.diag([0.5, 0.5, 0.0]))  # the average of the two
    g_sum = ad.grad(lambda a: np.sum(np.linalg.eigvalsh(a)[:2]))(TIED)  # smooth: exact
    np.testing.assert_allclose(g_sum, np.diag([1.0, 1.0, 0.0]))
    _, dw = ad.jvp(np.linalg.eigvalsh, (TIED,), (np.diag([2.0, 4.0, 1.0]),))
    np.testing.assert_allclose(dw, [3.0, 3.0, 1.0])
    # a function of the eigenvalues only does not care about the vectors' nan
    np.testing.assert_allclose(ad.grad(lambda a: np.sum(np.linalg.eigh(a)[0] ** 2))(TIED), 2 * TIED)


def test_repeated_and_zero_singular_values():
    A = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])  # σ = 2, 2
    np.testing.assert_allclose(ad.grad(lambda a: np.linalg.svd(a, compute_uv=False)[0])(A),
                               [[0.5, 0.0], [0.0, 0.5], [0.0, 0.0]])
    assert np.all(np.isnan(ad.grad(lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0] ** 3))(A)))
    Z = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])  # σ = 1, 0
    # σ = 0 is a kink like abs at 0: derivative 0 (which central differences also give)
    np.testing.assert_allclose(ad.grad(lambda a: np.linalg.svd(a, compute_uv=False)[1])(Z), np.zeros((3, 2)))
    np.testing.assert_allclose(ad.jvp(np.linalg.svdvals, (Z,), (np.ones((3, 2)),))[1], [1.0, 0.0])
    f_u1 = lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0][:, 1] ** 3)
    assert np.all(np.isnan(ad.grad(f_u1)(Z)))  # the vector of σ = 0 has no derivative
    f_u0 = lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0][:, 0] * np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(ad.grad(f_u0)(Z), [[0.0, 0.0], [2.0, 0.0], [3.0, 0.0]], atol=1e-14)


def test_nuclear_norm_at_a_rank_deficient_matrix_gives_a_subgradient():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank 1
    g = ad.grad(lambda a: np.linalg.norm(a, "nuc"))(A)
    u = np.array([1.0, 2.0]) / np.sqrt(5)
    # the subgradients are u uᵀ + W with W ⟂ u on both sides and ‖W‖₂ ≤ 1
    Wpart = g - np.outer(u, u)
    assert np.allclose(Wpart @ u, 0, atol=1e-12) and np.allclose(u @ Wpart, 0, atol=1e-12)
    assert np.linalg.norm(Wpart, 2) <= 1 + 1e-12


def test_cholesky_of_a_matrix_that_is_not_positive_definite_raises_numpys_error():
    with pytest.raises(np.linalg.LinAlgError):
        ad.grad(lambda a: np.sum(np.linalg.cholesky(a)))(np.array([[1.0, 2.0], [2.0, 1.0]]))
