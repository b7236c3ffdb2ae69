"""Lesson 8 · Higher-order derivatives and Hessians — its checks and its predictions.

The exercise: ``hessian_by_hand(x)``, the Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂ written from its
formulas, and ``hvp(f, x, v)``, a Hessian-vector product that never builds the Hessian.

``ad.hessian(g)(x)`` returns the same matrix as the formulas, so the first check calls
``hessian_by_hand`` through :meth:`~adviz.check.Check.call_by_hand`: any adviz transform
started inside it fails the part, with a hint that names the formulas, never their values.

``ad.hessian(f)(x) @ v`` gives the same numbers, so values cannot tell them apart.  The
check measures memory: it runs ``hvp`` on a function of 1,000 inputs while Python's
``tracemalloc`` watches every allocation (NumPy reports its arrays to it).  H·v needs a
few vectors of 1,000 numbers; a Hessian is 1,000 × 1,000 = 8 MB.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from ..check import Question, Questions, check, refers_to

XG = np.array([1.0, -2.0, 0.5])
BIG_N = 1000
WHOLE_MATRIX = ("hessian", "jacfwd", "jacrev")


def _g(x):
    return np.sum(x**4) + x[0] * x[1] * x[2]


def _g_hessian(x):
    H = np.diag(12 * x**2)
    H[0, 1] = H[1, 0] = x[2]
    H[0, 2] = H[2, 0] = x[1]
    H[1, 2] = H[2, 1] = x[0]
    return H


A = np.array([[2.0, -1.0, 0.5, 0.0], [-1.0, 3.0, 0.0, 1.0], [0.5, 0.0, 1.0, -0.5], [0.0, 1.0, -0.5, 4.0]])


def _q(x):
    # ½ xᵀAx + Σ sin(xᵢ): Hessian A − diag(sin x)
    return 0.5 * x @ (A @ x) + np.sum(np.sin(x))


def _q_hessian(x):
    return A - np.diag(np.sin(x))


def _wide(x):
    # Σ xᵢ cos xᵢ: a diagonal Hessian, −2 sin xᵢ − xᵢ cos xᵢ
    return np.sum(x * np.cos(x))


OTHER_POINTS = (np.array([0.5, 1.5, -1.0]), np.array([-0.7, 0.3, 2.0]))
BY_HAND = ("hessian_by_hand runs adviz (ad.hessian, ad.grad, …): that is the engine differentiating, not "
           "you. Differentiate g twice yourself and write the formulas with NumPy: 12xᵢ² on the diagonal, "
           "the factor left over from x₀x₁x₂ off it.")


def _hessian_at(c, hessian_by_hand, x) -> np.ndarray:
    """The student's Hessian at ``x``: by hand (no adviz inside), a 3 × 3 array."""
    got = c.call_by_hand(hessian_by_hand, x.copy(), name="hessian_by_hand", hint=BY_HAND)
    return c.array(got, "hessian_by_hand(x)", (3, 3), "g has 3 inputs: its Hessian has one row and one "
                                                       "column per input.")


def _not_differences(c, got: np.ndarray, want: np.ndarray) -> None:
    """Fail with a hint if ``got`` is within 1e-4 of ``want`` but not exact: a difference quotient."""
    if np.allclose(got, want, rtol=1e-4, atol=1e-4) and not np.allclose(got, want, rtol=1e-12, atol=1e-12):
        c.fail("Close, but not exact: differences of g (or of its gradient) only approximate second "
               "derivatives. Differentiate g twice on paper and write the formulas.")


def check_hessian_by_hand(hessian_by_hand) -> None:
    """Check ``hessian_by_hand(x)``, the Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂ written from the formulas.

    It is called at (1, −2, 0.5) and at two other points (numbers worked out for one point are
    not formulas), and inside :meth:`~adviz.check.Check.call_by_hand`: ``ad.hessian(g)(x)``
    gives the same matrix without the idea, so any adviz transform started inside fails.
    """
    want = _g_hessian(XG)
    later = ("the diagonal ∂²g/∂xᵢ²", "the mixed partials ∂²g/∂xᵢ∂xⱼ", "the same formulas at other points")
    with check("your Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂, by hand") as c:
        with c.part("a symmetric 3 × 3 matrix at (1, −2, 0.5), written by hand"):
            for x in OTHER_POINTS:  # adviz anywhere inside, at any point, is the engine's Hessian
                _hessian_at(c, hessian_by_hand, x)
            H = _hessian_at(c, hessian_by_hand, XG)
            c.expect(np.allclose(H, H.T), "∂²g/∂xᵢ∂xⱼ = ∂²g/∂xⱼ∂xᵢ: fill in the mirror images below the diagonal too.")
        if c.results[-1].hint == BY_HAND:
            for name in later:
                c.skip(name, "waits for a Hessian written by hand")
            return
        with c.part(later[0]):
            H = _hessian_at(c, hessian_by_hand, XG)
            if np.allclose(np.diag(H), 4 * XG**3):
                c.fail("That is the first derivative of xᵢ⁴: differentiate once more.")
            _not_differences(c, np.diag(H), np.diag(want))
            c.close(np.diag(H), np.diag(want), "Differentiate xᵢ⁴ twice; the product x₀x₁x₂ has no square "
                                               "terms, so it adds nothing to the diagonal.", rtol=1e-12)
        with c.part(later[1]):
            H = _hessian_at(c, hessian_by_hand, XG)
            _not_differences(c, H - np.diag(np.diag(H)), want - np.diag(np.diag(want)))
            c.close(H - np.diag(np.diag(H)), want - np.diag(np.diag(want)),
                    "∂²(x₀x₁x₂)/∂x₀∂x₁ keeps the factor that was not differentiated: x₂ (and so on).",
                    rtol=1e-12)
        if not c.all_passed:
            c.skip(later[2], "waits for the parts above")
            return
        with c.part(later[2]):
            for x in OTHER_POINTS:
                c.close(_hessian_at(c, hessian_by_hand, x), _g_hessian(x),
                        "Right at (1, −2, 0.5) but not elsewhere: build the matrix from the argument x "
                        "(12·x**2, x[0], …), not from numbers worked out for xg.", rtol=1e-12, atol=1e-12)


def _peak_bytes(run):
    """Peak memory allocated while ``run()`` executes, measured by tracemalloc."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, peak - base


def check_hvp(hvp) -> None:
    """Check ``hvp(f, x, v)``: exact H·v for two functions, and no Hessian built on the way."""
    with check("hvp(f, x, v): a Hessian-vector product without the Hessian") as c:
        cases = (("g at (1, −2, 0.5)", _g, _g_hessian, XG,
                  [np.eye(3)[0], np.eye(3)[1], np.eye(3)[2], np.array([0.3, -1.0, 2.0])]),
                 ("another function of 4 inputs", _q, _q_hessian, np.array([0.2, -0.7, 1.5, 0.4]),
                  [np.array([1.0, 2.0, -1.0, 0.5]), np.array([0.0, -3.0, 0.25, 1.0])]))
        for label, f, hessian, x, vectors in cases:
            with c.part(f"H·v for {label}"):
                for v in vectors:
                    got = c.array(c.call(hvp, f, x.copy(), v.copy(), name="hvp"), "hvp(f, x, v)", x.shape,
                                  "H·v has one entry per input, like v.")
                    want = hessian(x) @ v
                    scale = np.max(np.abs(want)) + 1.0
                    if np.allclose(got, want, rtol=1e-5, atol=1e-5 * scale) and not np.allclose(
                            got, want, rtol=1e-12, atol=1e-12 * scale):
                        c.fail("Close, but not exact: differences of gradients only approximate H·v. AD gives it "
                               "to rounding error as the directional derivative of the gradient, one ad.jvp.")
                    c.close(got, want, "H·v is off. It is the derivative of the gradient in the direction v: "
                                       "ad.jvp of the function ad.grad(f), at x, along v.",
                            rtol=1e-12, atol=1e-12 * scale)

        with c.part(f"no Hessian built: a function of {BIG_N:,} inputs"):
            x = np.linspace(-1.0, 1.0, BIG_N)
            v = np.cos(np.arange(BIG_N))
            got, peak = _peak_bytes(lambda: c.call(hvp, _wide, x, v, name="hvp"))
            used = refers_to(hvp, WHOLE_MATRIX)
            if used:
                c.fail(f"ad.{used[0]} builds all n² entries of the matrix. H·v needs none of them: "
                       "one ad.jvp of ad.grad(f).")
            c.expect(peak < BIG_N * BIG_N * 8 / 8,
                     f"hvp allocated {peak / 1e6:.1f} MB at its peak for {BIG_N:,} inputs: about the size of a "
                     f"{BIG_N:,} × {BIG_N:,} matrix. H·v needs only a few vectors: one ad.jvp of ad.grad(f).")
            want = (-2 * np.sin(x) - x * np.cos(x)) * v
            c.close(c.array(got, "hvp(f, x, v)", x.shape), want, "H·v is off for this function.",
                    rtol=1e-12, atol=1e-12)


QUESTIONS = Questions(
    Question(
        "perturbation",
        answer="a",
        choices={"a": "1", "b": "2", "c": "0"},
        explanation="d/dy (x + y) = 1, so the bracket is x · 1 = x, whose derivative is 1. An engine that "
                    "mixes the two levels' tangents would answer 2.",
        feedback={"b": "That is the answer of an engine with perturbation confusion: the inner derivative "
                       "does not move when x moves."},
    ),
    Question(
        "hessian-size",
        answer="b",
        choices={"a": "10⁶", "b": "10¹²", "c": "2 · 10⁶"},
        explanation="One second derivative per pair of parameters: (10⁶)² = 10¹² numbers, 8 TB in float64. "
                    "That is why large models use Hessian-vector products.",
    ),
    Question(
        "hvp-cost",
        answer="b",
        choices={"a": "about n evaluations of f", "b": "a small constant times one evaluation of f, whatever n is",
                 "c": "about n² operations"},
        explanation="H·v is one forward sweep through one reverse sweep: each costs a few evaluations of f, "
                    "independently of the number of inputs.",
    ),
)
predict = QUESTIONS.predict
