"""Lesson 5 · Finite differences and symbolic differentiation vs AD — its check and predictions.

The exercise: write a central difference, measure its relative error against the exact
derivative of g(x) = eˣ sin x at x = 1 for many steps h, and pick the best h.
"""

from __future__ import annotations

import math

import numpy as np

from ..check import Question, Questions, check

HS = np.logspace(-12, -1, 45)


def _g(x):
    return np.exp(x) * np.sin(x)


def _g_prime(x):
    return math.exp(x) * (math.sin(x) + math.cos(x))


def _central(g, x, h):
    return (g(x + h) - g(x - h)) / (2 * h)


def _errors():
    exact = _g_prime(1.0)
    return np.array([abs(_central(_g, 1.0, h) - exact) / abs(exact) for h in HS])


def check_central(central, errors, best_h) -> None:
    """Check ``central(g, x, h)``, the relative ``errors`` over ``hs`` and the chosen ``best_h``."""
    with check("your central difference, its errors and the best step") as c:
        with c.part("central(g, x, h) is a central difference"):
            cube = lambda x: x**3  # noqa: E731  (3x² + h² exactly, in exact arithmetic)
            got = c.number(c.call(central, cube, 2.0, 0.1, name="central"), "central(g, x, h)")
            if abs(got - 12.61) < 1e-9:
                c.fail("That is a forward difference, (g(x + h) − g(x))/h. A central difference steps both "
                       "ways, to x + h and x − h.")
            if abs(got - 24.02) < 1e-9:
                c.fail("The points x − h and x + h are 2h apart: divide by that distance.")
            c.expect(abs(got - 12.01) < 1e-9,
                     "Evaluate g at x + h and at x − h and divide their difference by the distance between them.")
            for g, x, h in ((np.sin, 0.3, 1e-3), (np.exp, -1.0, 0.25)):
                got = c.number(c.call(central, g, x, h, name="central"), "central(g, x, h)")
                c.expect(math.isclose(got, _central(g, x, h), rel_tol=1e-12),
                         "Use the g, x and h you are given: central(g, x, h) works for any function.")

        want = _errors()
        with c.part("errors: the relative error for every h in hs"):
            got = c.array(errors, "errors")
            c.expect(got.shape == want.shape, f"errors has {got.size} entries: one per step in hs.")
            if np.allclose(got, want * abs(_g_prime(1.0)), rtol=1e-6):
                c.fail("These are absolute errors: a relative error divides by the size of the exact derivative.")
            c.close(got, want, "Compare central(g, 1.0, h) with g_exact, for each h in hs, as "
                               "|estimate − exact| / |exact|.", rtol=1e-6, atol=1e-18)

        with c.part("best_h: the step with the smallest error"):
            h = c.number(best_h, "best_h")
            c.expect(np.any(np.isclose(HS, h, rtol=1e-12)), "Pick best_h from hs (the step whose error is smallest).")
            k = int(np.argmin(np.abs(HS - h)))
            if want[k] > 3 * want.min() and k == _smallest(errors):
                c.fail("best_h is the step where your errors are smallest: the right idea. It moves to the "
                       "bottom of the V once your errors are right (the parts above).")
            if k == int(np.argmax(want)):
                c.fail("That is the step with the largest error: np.argmin finds the smallest.")
            c.expect(want[k] <= 3 * want.min(), "That step is not at the bottom of the V: take the h whose "
                                                "error is smallest (np.argmin).")


def _smallest(errors) -> int | None:
    """The index of the smallest of the student's own ``errors`` (None if they are no such array)."""
    try:
        mine = np.asarray(errors, dtype=float)
    except (TypeError, ValueError):
        return None
    if mine.shape != HS.shape or not np.isfinite(mine).any():
        return None
    return int(np.nanargmin(np.where(np.isfinite(mine), mine, np.nan)))


QUESTIONS = Questions(
    Question(
        "shrinking-h",
        answer="b",
        choices={"a": "keeps shrinking", "b": "shrinks, then grows again", "c": "stays about the same"},
        explanation="Truncation error shrinks like h, but round-off grows like ε/h: f(x + h) − f(x) cancels "
                    "almost all digits and dividing by a tiny h magnifies what is left. The best h is near "
                    "√ε ≈ 1e-8.",
    ),
    Question(
        "complex-step",
        answer="c",
        choices={"a": "about 1e-4", "b": "about 1e-8", "c": "about 1e-16, machine precision",
                 "d": "nan: h is far below machine precision"},
        explanation="The complex step subtracts nothing, so nothing cancels: Im f(x + ih)/h is accurate to "
                    "rounding for any tiny h, here 1e-20.",
        feedback={"d": "h is never added to x in the real part: it lives in the imaginary part, where it "
                       "does not get lost."},
    ),
    Question(
        "fd-evaluations",
        answer=12,
        explanation="A central difference evaluates the loss at w + h·eⱼ and w − h·eⱼ for every parameter: "
                    "2 × 6 = 12 evaluations (a reverse sweep: one recorded evaluation).",
    ),
)
predict = QUESTIONS.predict
