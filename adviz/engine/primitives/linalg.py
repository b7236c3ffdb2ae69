"""Linear-algebra primitives: products, einsum, the 2-norm, solves, inverses, determinants.

The rules are the matrix-calculus identities every ML course derives once:

====================  ==============================  =====================================
operation             forward (JVP)                   reverse (VJP)
====================  ==============================  =====================================
``C = A @ B``         ``dC = dA @ B + A @ dB``        ``Ā = C̄ @ Bᵀ``,  ``B̄ = Aᵀ @ C̄``
``einsum(s, A, B…)``  the same einsum, ``dA`` in      einsum of ``C̄`` with the other
                      ``A``'s place (linear in each)  operands, written to ``A``'s subscripts
``n = ‖x‖``           ``dn = ⟨x, dx⟩ / n``            ``x̄ = n̄ · x / n``
``x = solve(A, b)``   ``dx = A⁻¹(db − dA x)``         ``b̄ = A⁻ᵀ x̄``,  ``Ā = −b̄ xᵀ``
``Y = inv(A)``        ``dY = −Y dA Y``                ``Ā = −Yᵀ Ȳ Yᵀ``
``d = det(A)``        ``dd = d · tr(A⁻¹ dA)``         ``Ā = d̄ · d · A⁻ᵀ``
``l = log|det A|``    ``dl = tr(A⁻¹ dA)``             ``Ā = l̄ · A⁻ᵀ``
``P = pinv(A)``       Golub–Pereyra (below)           its transpose
====================  ==============================  =====================================

NumPy treats 1-D operands of ``@`` as vectors; the rules promote them to matrices (a row
for the left operand, a column for the right one), apply the matrix identity, and drop the
promoted axis again.  Leading batch axes of (co)tangents ride along through ``@``'s
broadcasting.

Singular inputs: ``det``'s derivative is the cofactor matrix, finite also where ``A`` is
singular (computed there from the SVD, since ``A⁻¹`` does not exist); the 2-norm at 0 has
derivative 0, the subgradient ``abs`` also picks at 0.  ``pinv``'s derivative
``dP = −P dA P + P Pᵀ dAᵀ (I − A P) + (I − P A) dAᵀ Pᵀ P`` is exact wherever the rank is
locally constant — which, with NumPy's cut-off for tiny singular values, is everywhere
except at matrices with a singular value right at the cut-off.
"""

from __future__ import annotations

import numpy as np

from ..tracer import for_mask, lowest
from .core import Primitive, align, dtype_of, float_mask, ndim, register, shape, unbroadcast
from .structural import _PerArg


def _mT(x):
    """Swap the last two axes (matrix transpose of a stack of matrices)."""
    return np.swapaxes(x, -1, -2)


def _insert(x, axis):
    s = shape(x)
    axis = axis % (len(s) + 1)
    return x.reshape(s[:axis] + (1,) + s[axis:])


def _drop(x, axis):
    s = shape(x)
    axis = axis % len(s)
    return x.reshape(s[:axis] + s[axis + 1:])


def _promote(a, b):
    a2 = _insert(a, -2) if ndim(a) == 1 else a
    b2 = _insert(b, -1) if ndim(b) == 1 else b
    return a2, b2


def _demote(c, a, b):
    """Undo the promotion of 1-D operands on a product (batch axes in front untouched)."""
    if ndim(b) == 1:
        c = _drop(c, -1)
    if ndim(a) == 1:
        c = _drop(c, -2 if ndim(b) != 1 else -1)
    return c


def _promote_out(g, a, b):
    if ndim(a) == 1 and ndim(b) == 1:
        return _insert(_insert(g, -1), -1)
    if ndim(a) == 1:
        return _insert(g, -2)
    if ndim(b) == 1:
        return _insert(g, -1)
    return g


def _matmul_jvp_a(t, ans, a, b):
    a2, b2 = _promote(a, b)
    t2 = _insert(t, -2) if ndim(a) == 1 else t
    # a batched tangent must not pair its batch axis with b's leading (stack) axes
    t2 = align(t2, ndim(a2), max(ndim(a2), ndim(b2)))
    return _demote(t2 @ b2, a, b)


def _matmul_jvp_b(t, ans, a, b):
    a2, b2 = _promote(a, b)
    t2 = _insert(t, -1) if ndim(b) == 1 else t
    t2 = align(t2, ndim(b2), max(ndim(a2), ndim(b2)))
    return _demote(a2 @ t2, a, b)


def _matmul_vjp_a(g, ans, a, b):
    nb = ndim(g) - ndim(ans)
    a2, b2 = _promote(a, b)
    ga = _promote_out(g, a, b) @ _mT(b2)
    ga = unbroadcast(ga, shape(a2), nb)
    return _drop(ga, -2) if ndim(a) == 1 else ga


def _matmul_vjp_b(g, ans, a, b):
    nb = ndim(g) - ndim(ans)
    a2, b2 = _promote(a, b)
    gb = _mT(a2) @ _promote_out(g, a, b)
    gb = unbroadcast(gb, shape(b2), nb)
    return _drop(gb, -1) if ndim(b) == 1 else gb


matmul = register(Primitive(
    name="matmul", vjp_reads="args", impl=np.matmul, template="{0} @ {1}", symbol="@", latex="{0} {1}",
    code="{0} @ {1}",
    jvps=(_matmul_jvp_a, _matmul_jvp_b), vjps=(_matmul_vjp_a, _matmul_vjp_b),
    jvp_texts=("{t} @ {1}", "{0} @ {t}"), vjp_texts=("{g} @ {1}ᵀ", "{0}ᵀ @ {g}"),
    partial_texts=("{1}ᵀ (as a linear map)", "{0} (as a linear map)"),
))


# ---------------------------------------------------------------- einsum
# ``subscripts`` arrive normalised by ``numpy_linalg.einsum``: explicit output, no ellipsis
# (it became letters), and every letter has one size in every operand (no size-1 broadcasting).
def _einsum_terms(subscripts: str) -> tuple[list[str], str]:
    ins, out = subscripts.split("->")
    return ins.split(","), out


def _rule_optimize(optimize):
    """A contraction path the user computed fits their operands, not a rule's: use ``greedy``."""
    return optimize if isinstance(optimize, (bool, str)) else "greedy"


def _einsum_jvp(i: int):
    def jvp(t, ans, *ops, subscripts, optimize):
        # einsum is linear in each operand: put the tangent in operand i's place.  Its leading
        # batch axes (jacfwd) ride along as an ellipsis.
        ins, out = _einsum_terms(subscripts)
        ins = list(ins)
        ins[i] = "..." + ins[i]
        args = list(ops)
        args[i] = t
        return np.einsum(",".join(ins) + "->..." + out, *args, optimize=_rule_optimize(optimize))

    return jvp


def _letter_sizes(ins: list[str], ops) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for term, op in zip(ins, ops):
        for letter, n in zip(term, shape(op)):
            sizes[letter] = n
    return sizes


def _einsum_vjp_plan(subscripts: str, i: int) -> tuple[str, list[tuple[str, str]]]:
    """How to send an adjoint back to operand ``i``: the einsum of ``ȳ`` with the other operands.

    The result must carry operand ``i``'s subscripts, which einsum cannot always write:

    * a letter repeated in operand ``i`` (a diagonal, ``'ii->'``) gets a fresh letter and a
      Kronecker delta (an identity matrix) tying the two: ``ȳ δᵢⱼ``;
    * a letter only operand ``i`` has (summed away, ``'ij->i'``) is broadcast back by a
      vector of ones.

    Returns the subscripts and the extra constant operands as ``(kind, letters)``.
    """
    ins, out = _einsum_terms(subscripts)
    others = [s for j, s in enumerate(ins) if j != i]
    fresh = iter(c for c in _LETTERS if c not in subscripts)
    target, extras, seen = [], [], set()
    for c in ins[i]:
        if c in seen:
            d = next(fresh)
            target.append(d)
            extras.append(("eye", c + d))
        else:
            seen.add(c)
            target.append(c)
    present = set(out).union(*others, *(letters for _, letters in extras))
    extras += [("ones", c) for c in sorted(seen - present)]
    terms = ["..." + out] + others + [letters for _, letters in extras]
    return ",".join(terms) + "->..." + "".join(target), extras


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_vjp(i: int):
    def vjp(g, ans, *ops, subscripts, optimize):
        ins, _ = _einsum_terms(subscripts)
        plan, extras = _einsum_vjp_plan(subscripts, i)
        sizes = _letter_sizes(ins, ops)
        dtype = dtype_of(ans)
        consts = [np.eye(sizes[letters[0]], dtype=dtype) if kind == "eye" else np.ones(sizes[letters], dtype=dtype)
                  for kind, letters in extras]
        others = [op for j, op in enumerate(ops) if j != i]
        return np.einsum(plan, g, *others, *consts, optimize=_rule_optimize(optimize))

    return vjp


def _einsum_impl(*ops, subscripts, optimize):
    return np.einsum(subscripts, *ops, optimize=optimize)


def _einsum_jvp_text(i: int):
    return lambda params: _replace_operand(params["subscripts"], i, "{t}")


def _einsum_vjp_text(i: int):
    def text(params):
        plan, extras = _einsum_vjp_plan(params["subscripts"], i)
        n = len(_einsum_terms(params["subscripts"])[0])
        names = ["{g}"] + ["{" + str(j) + "}" for j in range(n) if j != i]
        names += ["I" if kind == "eye" else "ones" for kind, _ in extras]
        return f"einsum('{plan.replace('...', '')}', " + ", ".join(names) + ")"

    return text


def _replace_operand(subscripts: str, i: int, symbol: str) -> str:
    ins, _ = _einsum_terms(subscripts)
    names = ["{" + str(j) + "}" if j != i else symbol for j in range(len(ins))]
    return f"einsum('{subscripts}', " + ", ".join(names) + ")"


einsum = register(Primitive(
    name="einsum", vjp_reads="args", impl=_einsum_impl, template="einsum('{subscripts}', {args})", symbol="einsum",
    code="np.einsum({subscripts}, {args})",
    latex=r"\operatorname{{einsum}}",
    jvps=_PerArg(_einsum_jvp), vjps=_PerArg(_einsum_vjp),
    jvp_texts=_PerArg(_einsum_jvp_text), vjp_texts=_PerArg(_einsum_vjp_text),
    partial_texts=_PerArg(lambda i: "the other operands (einsum is linear in each)"),
))


# ---------------------------------------------------------------- the 2-norm
def _keep(x, x_ndim: int, axis: tuple, keepdims: bool):
    """Re-insert the reduced axes (length 1) into a reduction's result, batch axes untouched."""
    if keepdims:
        return x
    s = shape(x)
    nb = len(s) - (x_ndim - len(axis))
    kept, rest = list(s[:nb]), iter(s[nb:])
    for a in range(x_ndim):
        kept.append(1 if a in axis else next(rest))
    return x.reshape(tuple(kept))


def _safe(n):
    """``n`` with its zeros replaced by ones (constant mask): ``x / safe(‖x‖)`` is 0, not nan, at x = 0."""
    return n + float_mask(for_mask(n) == 0, dtype_of(n))


def _norm_jvp(t, ans, x, axis, keepdims):
    n = _keep(ans, ndim(x), axis, keepdims)
    return np.sum(t * (x / _safe(n)), axis=tuple(a - ndim(x) for a in axis), keepdims=keepdims)


def _norm_vjp(g, ans, x, axis, keepdims):
    n = _keep(ans, ndim(x), axis, keepdims)
    return _keep(g, ndim(x), axis, keepdims) * (x / _safe(n))


norm = register(Primitive(
    name="norm", impl=lambda x, axis, keepdims: np.sqrt(np.sum(np.square(x), axis=axis, keepdims=keepdims)),
    template="norm({0}{params})", symbol="‖·‖", latex=r"\lVert {0} \rVert",
    code=lambda ops, params, lit: (f"np.sqrt(np.sum(np.square({ops[0]}), axis={lit(params['axis'])}"
                                   f"{', keepdims=True' if params['keepdims'] else ''}))"),
    jvps=(_norm_jvp,), vjps=(_norm_vjp,),
    jvp_texts=("sum({0}·{t})/{ans}",), vjp_texts=("{g}·{0}/{ans}",), partial_texts=("{0}/{ans}",),
))


# ---------------------------------------------------------------- solve, inv, det, slogdet, pinv
def _solve_impl(A, b):
    return np.linalg.solve(A, b)


_NUMPY2 = int(np.__version__.split(".")[0]) >= 2


def _b_is_vector(A, b) -> bool:
    """NumPy 2 reads ``b`` as a vector only if it is 1-D; NumPy 1 also if it is a stack of them."""
    return ndim(b) == 1 or (not _NUMPY2 and ndim(b) == ndim(A) - 1)


def _solve_like_b(A, y, b):
    """Solve ``A z = y`` where ``y`` is laid out like ``b`` (a vector or a matrix right-hand side)."""
    if _b_is_vector(A, b):
        return _drop(np.linalg.solve(A, _insert(y, -1)), -1)
    return np.linalg.solve(A, y)


def _solve_jvp_A(t, ans, A, b):
    # dx = −A⁻¹ (dA x); batch axes of t go in front of every stack axis of the result
    vector = _b_is_vector(A, b)
    t = align(t, ndim(A), ndim(ans) + (1 if vector else 0))
    dAx = _drop(t @ _insert(ans, -1), -1) if vector else t @ ans
    return -_solve_like_b(A, dAx, b)


def _solve_jvp_b(t, ans, A, b):
    return _solve_like_b(A, align(t, ndim(b), ndim(ans)), b)


def _solve_vjp_b(g, ans, A, b):
    nb = ndim(g) - ndim(ans)
    return unbroadcast(_solve_like_b(_mT(A), g, b), shape(b), nb)


def _solve_vjp_A(g, ans, A, b):
    nb = ndim(g) - ndim(ans)
    gb = _solve_like_b(_mT(A), g, b)
    if _b_is_vector(A, b):
        ga = -(_insert(gb, -1) * _insert(ans, -2))  # outer product  −b̄ xᵀ
    else:
        ga = -(gb @ _mT(ans))
    return unbroadcast(ga, shape(A), nb)


solve = register(Primitive(
    name="solve", impl=_solve_impl, template="solve({0}, {1})", symbol="A⁻¹b", latex=r"{0}^{{-1}} {1}",
    code="np.linalg.solve({0}, {1})",
    jvps=(_solve_jvp_A, _solve_jvp_b), vjps=(_solve_vjp_A, _solve_vjp_b),
    jvp_texts=("-solve({0}, {t} @ {ans})", "solve({0}, {t})"),
    vjp_texts=("-solve({0}ᵀ, {g}) {ans}ᵀ", "solve({0}ᵀ, {g})"),
    partial_texts=("-A⁻¹(·){ans}", "{0}⁻¹"),
))


def _inv_vjp(g, ans, A):
    nb = ndim(g) - ndim(ans)
    return unbroadcast(-(_mT(ans) @ g @ _mT(ans)), shape(A), nb)


inv = register(Primitive(
    name="inv", impl=np.linalg.inv, template="inv({0})", symbol="A⁻¹", latex="{0}^{{-1}}",
    jvps=(lambda t, ans, A: -(ans @ t @ ans),), vjps=(_inv_vjp,),
    jvp_texts=("-{ans} @ {t} @ {ans}",), vjp_texts=("-{ans}ᵀ @ {g} @ {ans}ᵀ",), partial_texts=("-{ans}(·){ans}",),
))


def _cofactor(A, ans):
    """∂det(A)/∂A, the cofactor matrix ``det(A)·A⁻ᵀ`` — also where A is singular.

    ``det(A)·A⁻ᵀ`` needs the inverse; at a singular matrix (where the cofactors are still
    perfectly finite: d det [[1, 2], [2, 4]] = [[4, -2], [-2, 1]]) we use a polynomial in A
    instead (:func:`_adjugate`), exact at every order; for big matrices the SVD: with
    ``A = U S Vᵀ``, ``cofactor(A) = det(U) det(V) · U · diag(Πⱼ≠ᵢ sⱼ) · Vᵀ`` (whose own
    derivative needs distinct singular values).
    """
    try:
        return _insert(_insert(ans, -1), -1) * _mT(np.linalg.inv(A))
    except np.linalg.LinAlgError:
        pass
    if shape(A)[-1] <= _ADJUGATE_MAX_N:
        return _mT(_adjugate(A))
    from .decompositions import svd_parts

    U, s, Vh = svd_parts(A)
    signs = np.linalg.det(lowest(U)) * np.linalg.det(lowest(Vh))  # ±1, locally constant
    k = shape(s)[-1]
    one = np.ones((), dtype=np.result_type(lowest(s)))
    others = np.prod(np.where(np.eye(k, dtype=bool), one, _insert(s, -2)), axis=-1)  # Πⱼ≠ᵢ sⱼ
    return _insert(_insert(np.asarray(signs, dtype=np.result_type(lowest(s))), -1), -1) * (
        (U * _insert(others, -2)) @ Vh)


_ADJUGATE_MAX_N = 6  # Faddeev–LeVerrier loses digits as n grows; small singular matrices are the usual case


def _adjugate(A):
    """adj(A) (= det(A)·A⁻¹ where A is invertible) by the Faddeev–LeVerrier recursion.

    ``M₁ = I``, ``c = -tr A``; then ``Mₖ = A Mₖ₋₁ + c I`` and ``c = -tr(A Mₖ)/k``; finally
    ``adj(A) = (-1)ⁿ⁺¹ Mₙ``.  Only products and traces of A: a polynomial, so it is right at a
    singular matrix and its derivatives (any order, any stack of matrices, repeated singular
    values included) are too.  For n = 2 it is ``tr(A) I - A``.
    """
    n = shape(A)[-1]
    eye = np.eye(n, dtype=np.result_type(lowest(A)))
    M = np.broadcast_to(eye, shape(A))
    c = -np.trace(A, axis1=-2, axis2=-1)
    for k in range(2, n + 1):
        M = A @ M + _insert(_insert(c, -1), -1) * eye
        c = -np.trace(A @ M, axis1=-2, axis2=-1) / k
    return M if n % 2 else -M


def _det_jvp(t, ans, A):
    # d det(A) = tr(cofactor(A)ᵀ dA) = det(A) · tr(A⁻¹ dA)
    return np.sum(_cofactor(A, ans) * t, axis=(-2, -1))


def _det_vjp(g, ans, A):
    nb = ndim(g) - ndim(ans)
    return unbroadcast(_insert(_insert(g, -1), -1) * _cofactor(A, ans), shape(A), nb)


det = register(Primitive(
    name="det", impl=np.linalg.det, template="det({0})", symbol="det", latex=r"\det {0}",
    jvps=(_det_jvp,), vjps=(_det_vjp,),
    jvp_texts=("{ans}·tr({0}⁻¹ {t})",), vjp_texts=("{g}·{ans}·{0}⁻ᵀ",), partial_texts=("det({0})·{0}⁻ᵀ",),
))


def _inv_or_nan(A):
    """``A⁻¹``, and ``nan`` for each matrix of the stack that is exactly singular.

    ``log|det A|`` is ``-inf`` there (NumPy's ``slogdet`` says so) and has no derivative;
    ``np.linalg.inv`` would raise ``LinAlgError`` from inside the rule.  The ``nan`` is
    multiplied in (not a constant), so it stays ``nan`` under a further derivative.
    """
    try:
        return np.linalg.inv(A)
    except np.linalg.LinAlgError:
        singular = (np.linalg.det(lowest(A)) == 0)[..., None, None]  # LU's exact zero pivot, as inv's test
        safe = np.where(singular, np.eye(shape(A)[-1], dtype=np.result_type(lowest(A))), A)
        return np.linalg.inv(safe) * np.where(singular, np.nan, 1.0)


def _logabsdet_jvp(t, ans, A):
    return np.sum(_mT(_inv_or_nan(A)) * t, axis=(-2, -1))  # tr(A⁻¹ dA)


def _logabsdet_vjp(g, ans, A):
    nb = ndim(g) - ndim(ans)
    return unbroadcast(_insert(_insert(g, -1), -1) * _mT(_inv_or_nan(A)), shape(A), nb)


logabsdet = register(Primitive(
    name="logabsdet", impl=lambda A: np.linalg.slogdet(A)[1], template="log|det({0})|", symbol="log|det|",
    code="np.linalg.slogdet({0})[1]",
    latex=r"\log\lvert\det {0}\rvert", jvps=(_logabsdet_jvp,), vjps=(_logabsdet_vjp,),
    jvp_texts=("tr({0}⁻¹ {t})",), vjp_texts=("{g}·{0}⁻ᵀ",), partial_texts=("{0}⁻ᵀ",),
))


def _pinv_jvp(t, ans, A, rcond):
    # Golub & Pereyra (1973): exact wherever the rank is locally constant.
    P = ans
    I_m = np.eye(shape(A)[-2], dtype=dtype_of(P))
    I_n = np.eye(shape(A)[-1], dtype=dtype_of(P))
    tT = _mT(t)
    return (-(P @ t @ P) + (P @ _mT(P)) @ tT @ (I_m - A @ P) + (I_n - P @ A) @ tT @ (_mT(P) @ P))


def _pinv_vjp(g, ans, A, rcond):
    nb = ndim(g) - ndim(ans)
    P = ans
    I_m = np.eye(shape(A)[-2], dtype=dtype_of(P))
    I_n = np.eye(shape(A)[-1], dtype=dtype_of(P))
    PT, gT = _mT(P), _mT(g)
    ga = -(PT @ g @ PT) + (I_m - A @ P) @ gT @ (P @ PT) + (PT @ P) @ gT @ (I_n - P @ A)
    return unbroadcast(ga, shape(A), nb)


pinv = register(Primitive(
    name="pinv", impl=lambda A, rcond: np.linalg.pinv(A, rcond=rcond), template="pinv({0})", symbol="A⁺",
    code="np.linalg.pinv({0}, rcond={rcond})",
    latex="{0}^{{+}}", jvps=(_pinv_jvp,), vjps=(_pinv_vjp,),
    jvp_texts=("-{ans}{t}{ans} + {ans}{ans}ᵀ{t}ᵀ(I - {0}{ans}) + (I - {ans}{0}){t}ᵀ{ans}ᵀ{ans}",),
    vjp_texts=("-{ans}ᵀ{g}{ans}ᵀ + (I - {0}{ans}){g}ᵀ{ans}{ans}ᵀ + {ans}ᵀ{ans}{g}ᵀ(I - {ans}{0})",),
    partial_texts=("Golub–Pereyra (linear map)",),
))
