"""Lesson 8 · Higher-order derivatives and Hessians — its checks and its predictions.

The exercise: the Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂ by hand, and ``hvp(f, x, v)``, a
Hessian-vector product that never builds the Hessian.

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


def check_hessian_by_hand(H_by_hand) -> None:
    """Check the hand-written Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂ at x = (1, −2, 0.5)."""
    want = _g_hessian(XG)
    with check("your Hessian of g(x) = Σ xᵢ⁴ + x₀x₁x₂ at (1, −2, 0.5)") as c:
        with c.part("a symmetric 3 × 3 matrix"):
            H = c.array(H_by_hand, "H_by_hand", (3, 3), "g has 3 inputs: its Hessian has one row and one column "
                                                        "per input.")
            c.expect(np.allclose(H, H.T), "∂²g/∂xᵢ∂xⱼ = ∂²g/∂xⱼ∂xᵢ: fill in the mirror images below the diagonal too.")
        with c.part("the diagonal ∂²g/∂xᵢ²"):
            H = c.array(H_by_hand, "H_by_hand", (3, 3))
            if np.allclose(np.diag(H), 4 * XG**3):
                c.fail("That is the first derivative of xᵢ⁴: differentiate once more.")
            c.close(np.diag(H), np.diag(want), "Differentiate xᵢ⁴ twice; the product x₀x₁x₂ has no square "
                                               "terms, so it adds nothing to the diagonal.", rtol=1e-12)
        with c.part("the mixed partials ∂²g/∂xᵢ∂xⱼ"):
            H = c.array(H_by_hand, "H_by_hand", (3, 3))
            c.close(H - np.diag(np.diag(H)), want - np.diag(np.diag(want)),
                    "∂²(x₀x₁x₂)/∂x₀∂x₁ keeps the factor that was not differentiated: x₂ (and so on).",
                    rtol=1e-12)


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
