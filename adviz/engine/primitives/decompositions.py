"""Matrix decompositions: symmetric eigenproblems, SVD, Cholesky and QR.

A decomposition returns several arrays (``w, V = eigh(A)``).  Each output is its own
primitive here (``eigvalsh`` and ``eigh_vectors``, ``svdvals``, ``svd_u`` and ``svd_vh``,
``cholesky``, ``qr_q`` and ``qr_r``), so a trace shows one node per array with its own
formula; a rule that needs a sibling (the eigenvalue rule needs the eigenvectors)
recomputes it by binding that primitive, which keeps every rule traceable and derivatives
of derivatives exact.

The textbook rules (``S = sym(dA)``: numpy reads only one triangle of a symmetric input,
so only that triangle matters; ``F_ij = 1/(λⱼ − λᵢ)`` off the diagonal):

=================  ====================================  ==========================================
output             forward (JVP)                          reverse (VJP)
=================  ====================================  ==========================================
``λ = eigvalsh``   ``dλᵢ = vᵢᵀ dS vᵢ``                     ``Ā = V diag(λ̄) Vᵀ``
``V`` of ``eigh``  ``dV = V (F ∘ Vᵀ dS V)``                ``Ā = V (F ∘ VᵀV̄) Vᵀ``
``s = svdvals``    ``dsᵢ = uᵢᵀ dA vᵢ``                     ``Ā = U diag(s̄) Vᵀ``
``U``, ``Vᵀ``      ``dU = U (F ∘ (dP S + S dPᵀ)) + …``     ``Ā = U ((J + Jᵀ) S) Vᵀ + …``
``L = cholesky``   ``dL = L Φ(L⁻¹ dS L⁻ᵀ)``                ``Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹``
``Q, R = qr``      ``dR = (C − Ω) R``, ``dQ = Q(Ω − C) + dA R⁻¹``  ``Ā = (Q̄ + Q copyup(M)) R⁻ᵀ``
=================  ====================================  ==========================================

(SVD: ``dP = Uᵀ dA V``, ``F_ij = 1/(sⱼ² − sᵢ²)``; Cholesky: ``Φ`` keeps the lower triangle
and halves the diagonal; QR: ``C = Qᵀ dA R⁻¹``, ``Ω = tril(C, −1) − tril(C, −1)ᵀ``,
``M = R̄ Rᵀ − QᵀQ̄``.)

Where the rules are singular
----------------------------
Never a silently wrong finite number (the table in ``docs/linear-algebra.md``):

* **the vectors of a repeated eigen- or singular value** are not unique (any rotation of
  them is as good), so they have no derivative: ``F`` has no finite entry for an equal
  pair.  Forward mode puts ``nan`` in the tangent columns of those vectors; reverse mode
  returns ``nan`` whenever the cotangent uses them.  The vectors of the *simple* values
  keep their exact derivatives, and so does every function of the values alone;
* **the vectors of a zero singular value** likewise (their signs may flip independently,
  and a non-square matrix's ``S⁻¹`` term is infinite there): ``nan`` where used;
* **the values themselves at a tie** (``λ₁ = λ₂`` exactly) have a kink, like ``max`` at a
  tie: the tied values share their derivatives equally (the average, adviz's ``max``
  convention), so symmetric functions of them (their sum, a trace, a log-determinant) are
  exact.  A singular value exactly 0 is a kink like ``abs`` at 0: its derivative is 0;
* **non-unique output columns** (``svd(full_matrices=True)`` of a non-square matrix: the
  extra columns of ``U`` or rows of ``Vᵀ`` are an arbitrary basis of a complement) have
  ``nan`` derivatives; the first ``min(m, n)`` are exact.
"""

from __future__ import annotations

import numpy as np

from ..tracer import Tracer, bind, for_mask, writes_code
from .core import Primitive, dtype_of, float_mask, register, shape
from .linalg import _insert, _mT


# ---------------------------------------------------------------- shared helpers
def _dtype(x) -> np.dtype:
    return dtype_of(x)  # read without the numbers (Trace.to_python writes the rules as code)


def _triangle(n: int, uplo: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    """0/1 masks: the triangle NumPy reads (diagonal included) and its strict part."""
    keep = np.tril(np.ones((n, n), dtype=dtype)) if uplo == "L" else np.triu(np.ones((n, n), dtype=dtype))
    return keep, keep - np.eye(n, dtype=dtype)


def sym(x, uplo: str):
    """The symmetric matrix NumPy actually decomposes: ``x``'s ``uplo`` triangle, mirrored.

    ``eigh``, ``eigvalsh`` and ``cholesky`` never read the other triangle, so a
    perturbation there changes nothing: the forward rules first map a tangent through this.
    """
    keep, strict = _triangle(shape(x)[-1], uplo, _dtype(x))
    return x * keep + _mT(x * strict)


def sym_transpose(g, uplo: str):
    """The adjoint of :func:`sym`: the mirrored triangle's adjoint folds back onto ``uplo``'s."""
    keep, strict = _triangle(shape(g)[-1], uplo, _dtype(g))
    return g * keep + _mT(g) * strict


def _divide_gaps(X, gaps):
    """``F ∘ X`` with ``F_ij = 1/gaps_ij`` off the diagonal; 0 on it and where a gap is 0.

    A zero gap (a repeated eigen- or singular value) means the derivative of the vectors
    in that column does not exist: the callers put ``nan`` there (:func:`_nan_columns`,
    :func:`_nan_if_used`), so this 0 is never returned as a derivative.
    """
    d = for_mask(gaps)
    diagonal = np.eye(shape(d)[-1], dtype=bool)
    fix = float_mask(np.logical_or(d == 0, diagonal), _dtype(gaps))  # 1 where we must not divide
    return X * ((1 - fix) / (gaps + fix))


def _divide_columns(X, s):
    """``X S⁻¹`` (column j divided by sⱼ); 0 where sⱼ = 0 (those columns are made ``nan`` by the callers)."""
    fix = float_mask(for_mask(s) == 0, _dtype(s))
    return X * _insert((1 - fix) / (s + fix), -2)


def _tied(values):
    """True for each value (…, n) that equals another one: its vector has no derivative."""
    v = for_mask(values)
    return np.sum(v[..., :, None] == v[..., None, :], axis=-1) > 1


def _any(condition, axis):
    """``np.any`` over ``axis``, written as a sum so that Trace.to_python can record it as code."""
    return np.sum(condition, axis=axis) > 0


def _skip(bad) -> bool:
    """No vector lacks a derivative: skip the ``nan`` factor (a program always applies it)."""
    return not writes_code(bad) and not np.any(bad)


def _nan_columns(d, bad, t):
    """Forward: ``nan`` in the tangent's columns whose vectors have no derivative (when ``t`` ≠ 0)."""
    if _skip(bad):
        return d
    moving = _any(for_mask(t) != 0, (-2, -1))[..., None, None]
    # multiply, not add: a constant ``nan`` added here would have derivative 0, so a second
    # derivative (hessian, jacfwd of jacfwd) would silently drop the missing first derivative
    return d * np.where(np.logical_and(bad[..., None, :], moving), np.nan, 1.0).astype(_dtype(d))


def _nan_if_used(out, g, bad):
    """Reverse: ``nan`` everywhere if the cotangent uses a column whose vector has no derivative."""
    if _skip(bad):
        return out
    used = _any(np.logical_and(for_mask(g) != 0, bad[..., None, :]), (-2, -1))
    return out * np.where(used, np.nan, 1.0).astype(_dtype(out))[..., None, None]  # multiply: see _nan_columns


def _share_ties(d, values):
    """Exactly equal values share their derivatives equally (adviz's tie convention, as ``max``)."""
    v = for_mask(values)
    n = shape(v)[-1]
    equal = v[..., :, None] == v[..., None, :]
    if n == 0 or (not writes_code(v) and np.count_nonzero(equal) == equal.size // n):
        return d  # only the diagonal is equal: no ties (a program always shares, a no-op without ties)
    M = equal / np.sum(equal, axis=-1, keepdims=True)
    return (M.astype(_dtype(values)) @ _insert(d, -1))[..., 0]


# ---------------------------------------------------------------- symmetric eigenproblem
def _eigvalsh_jvp(t, ans, a, UPLO):
    V = bind(eigh_vectors, a, UPLO=UPLO)
    dS = sym(t, UPLO)
    return _share_ties(np.sum(V * (dS @ V), axis=-2), ans)  # dλᵢ = vᵢᵀ dS vᵢ


def _eigvalsh_vjp(g, ans, a, UPLO):
    V = bind(eigh_vectors, a, UPLO=UPLO)
    return sym_transpose((V * _insert(_share_ties(g, ans), -2)) @ _mT(V), UPLO)  # V diag(λ̄) Vᵀ


eigvalsh = register(Primitive(
    name="eigvalsh", impl=lambda a, UPLO: np.linalg.eigvalsh(a, UPLO=UPLO), template="eigvalsh({0})", code="np.linalg.eigvalsh({0}, UPLO={UPLO})",
    symbol="λ", latex=r"\lambda({0})", jvps=(_eigvalsh_jvp,), vjps=(_eigvalsh_vjp,),
    jvp_texts=("diag(Vᵀ {t} V)",), vjp_texts=("V diag({g}) Vᵀ",), partial_texts=("vᵢ vᵢᵀ",),
    description="eigenvalues of a symmetric matrix, ascending",
))


def _eigen_setup(a, UPLO):
    w = bind(eigvalsh, a, UPLO=UPLO)
    return _insert(w, -2) - _insert(w, -1), _tied(w)  # gaps_ij = λⱼ − λᵢ


def _eigh_vectors_jvp(t, ans, a, UPLO):
    V = ans
    gaps, tied = _eigen_setup(a, UPLO)
    X = _mT(V) @ sym(t, UPLO) @ V
    return _nan_columns(V @ _divide_gaps(X, gaps), tied, t)


def _eigh_vectors_vjp(g, ans, a, UPLO):
    V = ans
    gaps, tied = _eigen_setup(a, UPLO)
    out = sym_transpose(V @ _divide_gaps(_mT(V) @ g, gaps) @ _mT(V), UPLO)
    return _nan_if_used(out, g, tied)


eigh_vectors = register(Primitive(
    name="eigh_vectors", impl=lambda a, UPLO: np.linalg.eigh(a, UPLO=UPLO)[1], template="eigh_vectors({0})",
    code="np.linalg.eigh({0}, UPLO={UPLO})[1]",
    symbol="V", latex=r"V({0})", jvps=(_eigh_vectors_jvp,), vjps=(_eigh_vectors_vjp,),
    jvp_texts=("{ans} (F ∘ {ans}ᵀ {t} {ans}),  F_ij = 1/(λⱼ − λᵢ)",),
    vjp_texts=("{ans} (F ∘ {ans}ᵀ {g}) {ans}ᵀ,  F_ij = 1/(λⱼ − λᵢ)",), partial_texts=("V (F ∘ Vᵀ · V)",),
    description="eigenvectors (columns) of a symmetric matrix",
))


# ---------------------------------------------------------------- singular value decomposition
def svd_parts(a):
    """``U, s, Vᵀ`` of the reduced SVD, each bound as its primitive (so they stay traceable)."""
    if not isinstance(a, Tracer):  # plain values: one LAPACK call gives all three
        return tuple(np.linalg.svd(a, full_matrices=False))
    return (bind(svd_u, a, full_matrices=False), bind(svdvals, a),
            bind(svd_vh, a, full_matrices=False))


def _svdvals_jvp(t, ans, a):
    U, _, Vh = svd_parts(a)
    ds = np.sum(U * (t @ _mT(Vh)), axis=-2)  # dsᵢ = uᵢᵀ dA vᵢ
    return _share_ties(ds, ans) * _positive(ans)


def _positive(s):
    return float_mask(for_mask(s) > 0, _dtype(s))


def _svdvals_vjp(g, ans, a):
    U, _, Vh = svd_parts(a)
    return (U * _insert(_share_ties(g, ans) * _positive(ans), -2)) @ Vh  # U diag(s̄) Vᵀ


svdvals = register(Primitive(
    name="svdvals", impl=lambda a: np.linalg.svd(a, compute_uv=False), template="svdvals({0})", symbol="σ",
    code="np.linalg.svd({0}, compute_uv=False)",
    latex=r"\sigma({0})", jvps=(_svdvals_jvp,), vjps=(_svdvals_vjp,),
    jvp_texts=("diag(Uᵀ {t} V)",), vjp_texts=("U diag({g}) Vᵀ",), partial_texts=("uᵢ vᵢᵀ",),
    description="singular values, descending",
))


def _svd_setup(a):
    """``U, s, Vᵀ``, the gaps ``sⱼ² − sᵢ²`` and which vectors have no derivative.

    Those of a repeated singular value, and of a zero one (its ``u`` and ``v`` may flip
    sign independently, and a non-square matrix's ``S⁻¹`` term is infinite there).
    """
    U, s, Vh = svd_parts(a)
    s2 = s * s
    return U, s, Vh, _insert(s2, -2) - _insert(s2, -1), np.logical_or(_tied(s), for_mask(s) == 0)


def _extra_nan(d, full_size: int, axis: int):
    """Pad a reduced tangent with ``nan`` for the non-unique columns (axis −1) or rows (−2)."""
    k = shape(d)[axis]
    if full_size == k:
        return d
    pad = list(shape(d))
    pad[axis] = full_size - k
    # the nan block is computed from d (not np.full) so that it stays nan under a further derivative
    nan_block = np.broadcast_to(np.sum(d, axis=axis, keepdims=True) * np.nan, tuple(pad))
    return np.concatenate([d, nan_block], axis=axis)


def _extra_cotangent(g, k: int, axis: int):
    """Split a full-matrices cotangent: the reduced part, and a factor that is ``nan`` where the
    rest is nonzero (1 elsewhere; the caller multiplies, see :func:`_nan_columns`)."""
    if shape(g)[axis] == k:
        return g, None
    if axis == -1:
        reduced, extra = g[..., :, :k], for_mask(g)[..., :, k:]
    else:
        reduced, extra = g[..., :k, :], for_mask(g)[..., k:, :]
    used = _any(extra != 0, (-2, -1))
    return reduced, np.where(used, np.nan, 1.0).astype(_dtype(g))[..., None, None]


def _svd_u_jvp(t, ans, a, full_matrices):
    U, s, Vh, gaps, bad = _svd_setup(a)
    m, k = shape(U)[-2], shape(U)[-1]
    V = _mT(Vh)
    dAV = t @ V
    dP = _mT(U) @ dAV
    dU = U @ _divide_gaps(dP * _insert(s, -2) + _insert(s, -1) * _mT(dP), gaps)
    if m > k:
        dU = dU + _divide_columns(dAV - U @ (_mT(U) @ dAV), s)
    return _extra_nan(_nan_columns(dU, bad, t), shape(ans)[-1], -1)


def _svd_u_vjp(g, ans, a, full_matrices):
    U, s, Vh, gaps, bad = _svd_setup(a)
    m, k = shape(U)[-2], shape(U)[-1]
    g, poison = _extra_cotangent(g, k, -1)
    J = _divide_gaps(_mT(U) @ g, gaps)
    out = U @ ((J + _mT(J)) * _insert(s, -2)) @ Vh
    if m > k:
        out = out + _divide_columns(g - U @ (_mT(U) @ g), s) @ Vh
    out = _nan_if_used(out, g, bad)
    return out if poison is None else out * poison


svd_u = register(Primitive(
    name="svd_u", impl=lambda a, full_matrices: np.linalg.svd(a, full_matrices=full_matrices)[0],
    template="svd_U({0})", code="np.linalg.svd({0}, full_matrices={full_matrices})[0]", symbol="U", latex=r"U({0})", jvps=(_svd_u_jvp,), vjps=(_svd_u_vjp,),
    jvp_texts=("U (F ∘ (dP S + S dPᵀ)) + (I − UUᵀ) {t} V S⁻¹,  dP = Uᵀ {t} V",),
    vjp_texts=("U ((J + Jᵀ) S) Vᵀ + (I − UUᵀ) {g} S⁻¹ Vᵀ,  J = F ∘ Uᵀ{g}",), partial_texts=("(linear map)",),
    description="left singular vectors (columns)",
))


def _svd_vh_jvp(t, ans, a, full_matrices):
    U, s, Vh, gaps, bad = _svd_setup(a)
    n, k = shape(Vh)[-1], shape(Vh)[-2]
    V = _mT(Vh)
    dAtU = _mT(t) @ U
    dP = _mT(dAtU) @ V  # Uᵀ dA V
    dV = V @ _divide_gaps(_insert(s, -1) * dP + _mT(dP) * _insert(s, -2), gaps)
    if n > k:
        dV = dV + _divide_columns(dAtU - V @ (Vh @ dAtU), s)
    return _extra_nan(_mT(_nan_columns(dV, bad, t)), shape(ans)[-2], -2)


def _svd_vh_vjp(g, ans, a, full_matrices):
    U, s, Vh, gaps, bad = _svd_setup(a)
    n, k = shape(Vh)[-1], shape(Vh)[-2]
    g, poison = _extra_cotangent(g, k, -2)
    V, gV = _mT(Vh), _mT(g)
    K = _divide_gaps(Vh @ gV, gaps)
    out = U @ (_insert(s, -1) * (K + _mT(K))) @ Vh
    if n > k:
        out = out + U @ _mT(_divide_columns(gV - V @ (Vh @ gV), s))
    out = _nan_if_used(out, gV, bad)
    return out if poison is None else out * poison


svd_vh = register(Primitive(
    name="svd_vh", impl=lambda a, full_matrices: np.linalg.svd(a, full_matrices=full_matrices)[2],
    template="svd_Vh({0})", code="np.linalg.svd({0}, full_matrices={full_matrices})[2]", symbol="Vᵀ", latex=r"V^T({0})", jvps=(_svd_vh_jvp,), vjps=(_svd_vh_vjp,),
    jvp_texts=("(V (F ∘ (S dP + dPᵀ S)) + (I − VVᵀ) {t}ᵀ U S⁻¹)ᵀ,  dP = Uᵀ {t} V",),
    vjp_texts=("U (S (K + Kᵀ)) Vᵀ + U S⁻¹ {g} (I − VVᵀ),  K = F ∘ Vᵀ{g}ᵀ",), partial_texts=("(linear map)",),
    description="right singular vectors (rows of Vᵀ)",
))


# ---------------------------------------------------------------- Cholesky
def _phi(X):
    """Keep the lower triangle and halve the diagonal."""
    n = shape(X)[-1]
    return X * (np.tril(np.ones((n, n), dtype=_dtype(X))) - 0.5 * np.eye(n, dtype=_dtype(X)))


def _cholesky_jvp(t, ans, a, upper):
    L = _mT(ans) if upper else ans
    dS = sym(t, "U" if upper else "L")
    X = np.linalg.solve(L, _mT(np.linalg.solve(L, dS)))  # L⁻¹ dS L⁻ᵀ  (dS is symmetric)
    dL = L @ _phi(X)
    return _mT(dL) if upper else dL


def _cholesky_vjp(g, ans, a, upper):
    L = _mT(ans) if upper else ans
    Lbar = _mT(g) if upper else g
    Y = _phi(_mT(L) @ Lbar)
    Z = np.linalg.solve(_mT(L), Y)  # L⁻ᵀ Y
    return sym_transpose(_mT(np.linalg.solve(_mT(L), _mT(Z))), "U" if upper else "L")  # L⁻ᵀ Y L⁻¹


cholesky = register(Primitive(
    name="cholesky", impl=lambda a, upper: np.linalg.cholesky(a, upper=True) if upper else np.linalg.cholesky(a), template="cholesky({0})",
    code=lambda ops, params, lit: f"np.linalg.cholesky({ops[0]}{', upper=True' if params['upper'] else ''})",
    symbol="chol", latex=r"\operatorname{{chol}}({0})", jvps=(_cholesky_jvp,), vjps=(_cholesky_vjp,),
    jvp_texts=("{ans} Φ({ans}⁻¹ {t} {ans}⁻ᵀ)",), vjp_texts=("{ans}⁻ᵀ Φ({ans}ᵀ {g}) {ans}⁻¹",),
    partial_texts=("(linear map)",), description="lower Cholesky factor L of A = L Lᵀ (upper=True: Lᵀ)",
))


# ---------------------------------------------------------------- QR (reduced)
def qr_parts(a):
    if not isinstance(a, Tracer):
        return tuple(np.linalg.qr(a))
    return bind(qr_q, a), bind(qr_r, a)


def _right_solve(X, R):
    """``X R⁻¹`` for an upper-triangular ``R``."""
    return _mT(np.linalg.solve(_mT(R), _mT(X)))


def _qr_tangents(Q, R, t):
    """``dQ, dR`` of ``A = QR`` for a tall or square ``A`` (full column rank)."""
    k = shape(R)[-1]
    B = _right_solve(t, R)  # dA R⁻¹
    C = _mT(Q) @ B
    low = C * np.tril(np.ones((k, k), dtype=_dtype(R)), -1)
    omega = low - _mT(low)  # antisymmetric
    return Q @ (omega - C) + B, (C - omega) @ R


def _qr_split(a):
    """Tall or square: ``(A, None)``; wide (m < n): its square left block and the rest."""
    m, n = shape(a)[-2:]
    return (a, None) if m >= n else (a[..., :, :m], a[..., :, m:])


def _qr_jvp_parts(t, a):
    Q, R = qr_parts(a)
    _, Y = _qr_split(a)
    if Y is None:
        return _qr_tangents(Q, R, t)
    m = shape(a)[-2]
    dQ, dRx = _qr_tangents(Q, R[..., :, :m], t[..., :, :m])
    dRy = _mT(dQ) @ Y + _mT(Q) @ t[..., :, m:]  # R_Y = Qᵀ Y
    return dQ, np.concatenate([dRx, dRy], axis=-1)


def _qr_cotangent(a, Qbar, Rbar):
    """``Ā`` from the cotangents of ``Q`` and ``R`` (either may be None, meaning zero)."""
    Q, R = qr_parts(a)
    _, Y = _qr_split(a)
    Ybar = None
    if Y is not None:
        m = shape(a)[-2]
        if Rbar is not None:
            Rbar, RbarY = Rbar[..., :, :m], Rbar[..., :, m:]
            Ybar = Q @ RbarY
            extra = Y @ _mT(RbarY)
            Qbar = extra if Qbar is None else Qbar + extra
        R = R[..., :, :m]
    M = 0
    if Rbar is not None:
        M = Rbar @ _mT(R)
    if Qbar is not None:
        M = M - _mT(Q) @ Qbar
    k = shape(R)[-1]
    upper = np.triu(np.ones((k, k), dtype=_dtype(R)))
    N = M * upper + _mT(M * (upper - np.eye(k, dtype=_dtype(R))))  # copy the upper triangle down
    Z = Q @ N if Qbar is None else Qbar + Q @ N
    Xbar = _mT(np.linalg.solve(R, _mT(Z)))  # Z R⁻ᵀ
    if Y is None:
        return Xbar
    if Ybar is None:
        Ybar = np.zeros(shape(Xbar)[:-1] + (shape(Y)[-1],), dtype=_dtype(Xbar))
    return np.concatenate([Xbar, Ybar], axis=-1)


qr_q = register(Primitive(
    name="qr_q", impl=lambda a: np.linalg.qr(a)[0], template="qr_Q({0})", code="np.linalg.qr({0})[0]", symbol="Q", latex=r"Q({0})",
    jvps=(lambda t, ans, a: _qr_jvp_parts(t, a)[0],), vjps=(lambda g, ans, a: _qr_cotangent(a, g, None),),
    jvp_texts=("Q(Ω − C) + {t} R⁻¹,  C = Qᵀ {t} R⁻¹, Ω = tril(C,−1) − tril(C,−1)ᵀ",),
    vjp_texts=("({g} + Q copyup(−Qᵀ{g})) R⁻ᵀ",), partial_texts=("(linear map)",),
    description="orthonormal factor Q of the reduced QR decomposition",
))

qr_r = register(Primitive(
    name="qr_r", impl=lambda a: np.linalg.qr(a)[1], template="qr_R({0})", code="np.linalg.qr({0})[1]", symbol="R", latex=r"R({0})",
    jvps=(lambda t, ans, a: _qr_jvp_parts(t, a)[1],), vjps=(lambda g, ans, a: _qr_cotangent(a, None, g),),
    jvp_texts=("(C − Ω) R,  C = Qᵀ {t} R⁻¹, Ω = tril(C,−1) − tril(C,−1)ᵀ",),
    vjp_texts=("Q copyup({g} Rᵀ) R⁻ᵀ",), partial_texts=("(linear map)",),
    description="upper-triangular factor R of the reduced QR decomposition",
))
