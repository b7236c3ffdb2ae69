"""Lesson 2 · Forward mode: tangents and dual numbers — its check and its predictions.

The exercise: give the lesson's ``Dual`` class the quotient rule (``MyDual.__truediv__``)
and write ``exp`` for dual numbers, then differentiate h(x) = eˣ / (1 + x²).

The classic wrong ``exp`` forgets the incoming tangent, ``e^a + e^a·ε``.  Seeded with
ẋ = 1 it gives the right number, so this check always also seeds other tangents.
"""

from __future__ import annotations

import math

from ..check import Question, Questions, check

TANGENT_HINT = ("Your tangent rule ignores the incoming tangent: try a seed other than 1. "
                "e^(a + bε) = e^a + e^a·b·ε: the ε part carries b along.")


def _h(x: float) -> tuple[float, float]:
    """h(x) = eˣ/(1 + x²) and its derivative, by hand: eˣ(1 − x)²/(1 + x²)²."""
    return math.exp(x) / (1 + x * x), math.exp(x) * (1 - x) ** 2 / (1 + x * x) ** 2


def _close(a, b, rtol=1e-12):
    return isinstance(a, (int, float)) and abs(a - b) <= rtol * max(abs(b), 1e-300) + 1e-300


def _parts(d):
    value = getattr(d, "value", None)
    tangent = getattr(d, "tangent", None)
    return float(value) if value is not None else None, float(tangent) if tangent is not None else None


def check_dual_rules(MyDual, exp) -> None:
    """Check ``exp`` and ``MyDual.__truediv__`` with several seeds, then h'(x) = d/dx eˣ/(1 + x²)."""
    with check("exp and division for dual numbers") as c:
        with c.part("exp: the value part"):
            out = c.call(exp, MyDual(0.7, 1.0), name="exp")
            c.expect(hasattr(out, "value") and hasattr(out, "tangent"),
                     "exp of a dual number must return a dual number (value and tangent).")
            c.expect(isinstance(out, MyDual),
                     "Return a MyDual from exp, so that its result can be divided by another dual number.")
            c.expect(_close(_parts(out)[0], math.exp(0.7)), "The value part of e^(a + bε) is e^a.")

        with c.part("exp: the tangent part, with seeds other than 1"):
            for a, b in ((0.7, 2.5), (-1.3, -0.4), (0.2, 0.0)):
                value, tangent = _parts(c.call(exp, MyDual(a, b), name="exp"))
                if _close(tangent, math.exp(a)) and b != 1.0:
                    c.fail(TANGENT_HINT)
                c.expect(_close(tangent, math.exp(a) * b), TANGENT_HINT if b != 0.0 else
                         "A constant (tangent 0) stays constant: e^(a + 0ε) has tangent 0.")

        with c.part("division: the quotient rule"):
            for (a, b), (cc, d) in (((1.5, 0.25), (-2.0, 0.75)), ((0.3, -1.0), (4.0, 2.0))):
                quotient = c.call(lambda: MyDual(a, b) / MyDual(cc, d), name="MyDual.__truediv__")
                value, tangent = _parts(quotient)
                c.expect(_close(value, a / cc), "The value part of (a + bε)/(c + dε) is a/c.")
                right = (b * cc - a * d) / cc**2
                if _close(tangent, -right):
                    c.fail("Check the order in the numerator: (b·c − a·d), the tangent of the top times the "
                           "bottom, minus the top times the tangent of the bottom.")
                if _close(tangent, (b * cc - a * d) / cc):
                    c.fail("The quotient rule divides by the square of the denominator's value.")
                c.expect(_close(tangent, right),
                         "Both parts move: write (a + bε)/(c + dε) = a/c + (b·c − a·d)/c² · ε.")
            value, tangent = _parts(c.call(lambda: MyDual(3.0, 1.5) / 2.0, name="MyDual.__truediv__"))
            c.expect(_close(value, 1.5) and _close(tangent, 0.75),
                     "Dividing by a plain number should work too: lift it with Dual.lift (tangent 0).")

        with c.part("h(x) = eˣ/(1 + x²): value and derivative, seeds 1 and 3"):
            for x in (0.5, -2.0):
                for seed in (1.0, 3.0):
                    xd = MyDual(x, seed)
                    top = c.call(exp, xd, name="exp")
                    result = c.call(lambda: top / (1 + xd * xd), name="MyDual.__truediv__")
                    value, tangent = _parts(result)
                    h, dh = _h(x)
                    c.expect(_close(value, h), "The value part of h is off: check the value parts of your rules.")
                    c.expect(_close(tangent, seed * dh, rtol=1e-10),
                             TANGENT_HINT if seed != 1.0 else "The tangent of h is off: check each rule on its own.")


QUESTIONS = Questions(
    Question(
        "seed-twice",
        answer="b",
        choices={"a": "the same, 6·cos(10)", "b": "twice as large, 12·cos(10)", "c": "four times as large",
                 "d": "6·cos(10) + 1"},
        explanation="Every step multiplies the incoming tangent by a local derivative, so the whole sweep is "
                    "linear in the seed: doubling ẋ doubles every tangent, including the output's.",
        feedback={"c": "A tangent is multiplied by local derivatives, never by itself: the sweep is linear.",
                  "d": "Tangents scale, they do not shift: a seed of 0 gives tangent 0 everywhere."},
    ),
    Question(
        "dual-square",
        answer="b",
        choices={"a": "1 + ε", "b": "1 + 2ε", "c": "1 + 2ε + ε²", "d": "2 + 2ε"},
        explanation="(1 + ε)(1 + ε) = 1 + 2ε + ε², and ε² = 0: the ε part, 2, is the derivative of x² at 1.",
        feedback={"c": "That is right before the rule of the game: ε² = 0."},
    ),
    Question(
        "polar-sweeps",
        answer=2,
        explanation="One forward sweep pushes one input direction and returns one column J·u; polar has two "
                    "inputs (r and θ), so two sweeps give both columns.",
    ),
)
predict = QUESTIONS.predict
