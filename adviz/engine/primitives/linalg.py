"""Linear-algebra primitives: matrix products, solves, inverses and determinants.

The rules are the matrix-calculus identities every ML course derives once:

=================  =========================  ===============================
operation          forward (JVP)              reverse (VJP)
=================  =========================  ===============================
``C = A @ B``      ``dC = dA @ B + A @ dB``   ``Ā = C̄ @ Bᵀ``,  ``B̄ = Aᵀ @ C̄``
``x = solve(A,b)`` ``dx = A⁻¹(db − dA x)``    ``b̄ = A⁻ᵀ x̄``,  ``Ā = −b̄ xᵀ``
``Y = inv(A)``     ``dY = −Y dA Y``           ``Ā = −Yᵀ Ȳ Yᵀ``
``d = det(A)``     ``dd = d · tr(A⁻¹ dA)``    ``Ā = d̄ · d · A⁻ᵀ``
=================  =========================  ===============================

NumPy treats 1-D operands of ``@`` as vectors; the rules promote them to matrices (a row
for the left operand, a column for the right one), apply the matrix identity, and drop the
promoted axis again.  Leading batch axes of (co)tangents ride along through ``@``'s
broadcasting.
"""

from __future__ import annotations

import numpy as np

from .core import Primitive, align, ndim, register, shape, unbroadcast


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
    jvps=(_matmul_jvp_a, _matmul_jvp_b), vjps=(_matmul_vjp_a, _matmul_vjp_b),
    jvp_texts=("{t} @ {1}", "{0} @ {t}"), vjp_texts=("{g} @ {1}ᵀ", "{0}ᵀ @ {g}"),
    partial_texts=("{1}ᵀ (as a linear map)", "{0} (as a linear map)"),
))


# ---------------------------------------------------------------- solve, inv, det
def _solve_impl(A, b):
    return np.linalg.solve(A, b)


def _vec_solve(A, t, b):
    """Solve ``A y = t`` where ``t`` has the layout of ``b`` plus leading batch axes."""
    if ndim(b) == 1:
        return _drop(np.linalg.solve(A, _insert(t, -1)), -1)
    return np.linalg.solve(A, t)


def _solve_jvp_A(t, ans, A, b):
    x = ans
    t = align(t, ndim(A), max(ndim(A), ndim(b)))
    dAx = (t @ _insert(x, -1))[..., 0] if ndim(b) == 1 else t @ x
    return -_vec_solve(A, dAx, b)


def _solve_jvp_b(t, ans, A, b):
    return _vec_solve(A, t, b)


def _solve_vjp_b(g, ans, A, b):
    return _vec_solve(_mT(A), g, b)


def _solve_vjp_A(g, ans, A, b):
    nb = ndim(g) - ndim(ans)
    gb = _vec_solve(_mT(A), g, b)
    if ndim(b) == 1:
        ga = -(_insert(gb, -1) * ans)  # outer product  −b̄ xᵀ
    else:
        ga = -(gb @ _mT(ans))
    return unbroadcast(ga, shape(A), nb)


solve = register(Primitive(
    name="solve", impl=_solve_impl, template="solve({0}, {1})", symbol="A⁻¹b", latex=r"{0}^{{-1}} {1}",
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


def _det_jvp(t, ans, A):
    # d det(A) = det(A) · tr(A⁻¹ dA) = det(A) · Σᵢⱼ (A⁻ᵀ)ᵢⱼ dAᵢⱼ
    return ans * np.sum(_mT(np.linalg.inv(A)) * t, axis=(-2, -1))


def _det_vjp(g, ans, A):
    nb = ndim(g) - ndim(ans)
    scale = _insert(_insert(g * ans, -1), -1)
    return unbroadcast(scale * _mT(np.linalg.inv(A)), shape(A), nb)


det = register(Primitive(
    name="det", impl=np.linalg.det, template="det({0})", symbol="det", latex=r"\det {0}",
    jvps=(_det_jvp,), vjps=(_det_vjp,),
    jvp_texts=("{ans}·tr({0}⁻¹ {t})",), vjp_texts=("{g}·{ans}·{0}⁻ᵀ",), partial_texts=("det({0})·{0}⁻ᵀ",),
))
