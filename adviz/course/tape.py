"""Lesson 1 · Programs are compositions: the tape — its check and its predictions.

The exercise: ``by_hand(x)`` works through the tape of g(x) = exp(cos(3x)) at the point x as
an AD engine would, and returns three answers: how many primitives the tape records, each
step's local derivative in tape order, and their product g'(x) (the chain rule).

As plain numbers, ``dg_dx = ad.grad(g)(x0)`` and a count read off ``ad.trace`` would be right
without the idea of the lesson.  So the answers are written in terms of x, inside a function
the check calls through :meth:`~adviz.check.Check.call_by_hand` at x = 0.5 and at two other
points: any adviz transform started inside fails the first part with a hint that names the
rules to use (never their values), and numbers worked out for 0.5 fail at the other points.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..check import Check, Question, Questions, check

X0 = 0.5
OTHER_POINTS = (-0.8, 1.3)
"""Where the check calls ``by_hand`` besides x0 (sin(3x) and cos(3x) are far from 0 at both)."""
EXACT = 1e-12
"""How close dg_dx must be, relative: a product of three local derivatives is exact to rounding
(about 1e-16); a central difference with a usual step (1e-4 … 1e-8) is off by 5e-12 to 3e-8 at
these three points, so it cannot pass for the chain rule at all of them."""
DIFFERENCES = ("Close, but not exact: a difference quotient (g(x + h) − g(x)) / h only approximates the "
               "derivative. Multiply the local derivatives: the chain rule is exact.")

BY_HAND = ("by_hand runs adviz (ad.grad, ad.trace, …): then the engine did the work, not you. Be the engine "
           "yourself: count the steps of g as in section 2, and write each step's derivative with the rules "
           "of school calculus (the derivative of cos is −sin, of exp is exp itself), using np.sin, np.cos "
           "and np.exp on numbers.")
COMPLEX = ("by_hand computes with complex numbers: that is the complex step imag(g(x + ih)) / h, a way to "
           "measure a derivative (lesson 5), not the chain rule. Work out each step's derivative with the rules "
           "of school calculus (the derivative of cos is −sin, of exp is exp itself) on real numbers, and "
           "multiply them along the path from x to g.")
RETURNS = "by_hand should return three answers: keep its last line, return n_primitives, local_partials, dg_dx."


def _reference(x: float = X0) -> tuple[int, list[float], float]:
    """The three answers at ``x``: the tape's length, its local partials, g'(x)."""
    # tape of exp(cos(3x)):  v1 = 3·x,  v2 = cos(v1),  v3 = exp(v2)
    v1 = 3 * x
    v2 = math.cos(v1)
    partials = [3.0, -math.sin(v1), math.exp(v2)]
    return 3, partials, partials[0] * partials[1] * partials[2]


def _answers_at(c: Check, by_hand: Any, x: float) -> tuple[Any, Any, Any]:
    """The student's three answers at ``x``, worked out by hand (no adviz inside)."""
    got = c.call_by_hand(by_hand, x, name="by_hand", hint=BY_HAND, complex_hint=COMPLEX)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        c.fail(RETURNS)
    return tuple(got)


ANSWERS = ("n_primitives", "local_partials", "dg_dx")


def _is_stub(value: Any) -> bool:
    """Whether ``value`` is still the stub: ``...`` or ``None``, or a list holding one."""
    if value is Ellipsis or value is None:
        return True
    held = isinstance(value, (tuple, list)) or isinstance(value, np.ndarray) and value.dtype == object
    return held and any(item is Ellipsis or item is None for item in np.ravel(np.asarray(value, dtype=object)))


def _still_stubs(answers: tuple[Any, Any, Any]) -> list[str]:
    """The names of the answers that are still ``...`` (in the order by_hand returns them)."""
    return [name for name, value in zip(ANSWERS, answers) if _is_stub(value)]


def _and(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * (abs(b) + 1)


def _approximates(d: float, slope: float) -> bool:
    """Whether ``d`` is near ``slope`` (within 1e-4) but not exact: a difference quotient."""
    return abs(d - slope) <= 1e-4 * abs(slope) and not abs(d - slope) <= EXACT * abs(slope)


def check_tape(by_hand) -> None:
    """Check ``by_hand(x)``: the tape of g(x) = exp(cos(3x)) worked through by hand at x.

    ``by_hand`` returns ``(n_primitives, local_partials, dg_dx)``.  It is called at x = 0.5,
    where the hints look for the typical slips, and at two other points (numbers worked out
    for 0.5 are not formulas in x), always inside :meth:`~adviz.check.Check.call_by_hand`:
    ``ad.grad`` or ``ad.trace`` inside give the right numbers without the idea, so any adviz
    transform started inside fails.
    """
    count, partials, slope = _reference()
    later = ("n_primitives: how many primitives the tape records",
             "local_partials: each step's own derivative, in tape order",
             "dg_dx: the chain rule",
             "the same formulas at other points x")
    with check("the tape of g(x) = exp(cos(3x)), worked through by hand") as c:
        with c.part("by_hand: three answers, worked out without adviz"):
            for x in OTHER_POINTS:  # adviz anywhere inside, at any point, is the engine at work
                _answers_at(c, by_hand, x)
            unfinished = _still_stubs(_answers_at(c, by_hand, X0))
            if len(unfinished) == 3:
                c.todo("by_hand still has its `...`: replace each one with your answer")
            if unfinished:
                c.todo(f"{_and(unfinished)} {'is' if len(unfinished) == 1 else 'are'} still `...`: "
                       "replace each `...` with your answer")
        first = c.results[-1]
        if not c.all_passed:
            reason = "waits for your answers" if first.status == "todo" else "waits for answers worked out by hand"
            for name in later:
                c.skip(name, reason)
            return

        with c.part(later[0]):
            n = c.number(_answers_at(c, by_hand, X0)[0], "n_primitives")
            if n == count - 1:
                c.fail("Multiplying x by the constant 3 is an operation too: every operation applied to a "
                       "traced value gets its own line on the tape.")
            if n == count + 1:
                c.fail("Constants and inputs are not operations: count only the primitives applied to values "
                       "(the 3 is baked into the line that uses it).")
            c.expect(n == count, "Write g as a chain of single operations, one per line, as in section 2.")

        with c.part(later[1]):
            given = c.array(_answers_at(c, by_hand, X0)[1], "local_partials")
            c.expect(given.shape == (count,),
                     "Give one local derivative per primitive on the tape (a list, in tape order): count the "
                     "primitives again.")
            if abs(given[1] - partials[1]) > 1e-9 and abs(given[1] + partials[1]) <= 1e-9 * abs(partials[1]) + 1e-12:
                c.fail("Check the sign of the cosine step: the derivative of cos is −sin.")
            values = [3 * X0, math.cos(3 * X0), math.exp(math.cos(3 * X0))]
            if sum(_near(a, v) for a, v in zip(given, values)) >= 2:
                c.fail("Those are the values v1, v2, v3 the steps compute. A local partial is the derivative of "
                       "one step with respect to its own operand (∂v2/∂v1 for v2 = cos(v1)).")
            if all(_near(a, b) for a, b in zip(given[::-1], partials)):
                c.fail("Tape order starts at the input: the first primitive applied to x comes first.")
            if abs(given[1] - 3 * partials[1]) <= 1e-9 * abs(partials[1]):
                c.fail("A local derivative looks at its own step only: ∂v2/∂v1 is −sin(v1), with nothing "
                       "from the earlier step multiplied in.")
            for k, (a, b) in enumerate(zip(given, partials), start=1):
                c.expect(_near(a, b),
                         f"Step {k} is off. Evaluate each local derivative at the value of its own operand "
                         "(v1 = 3·x for the cosine, v2 = cos(v1) for the exponential), not at x.")

        with c.part(later[2]):
            d = c.number(_answers_at(c, by_hand, X0)[2], "dg_dx")
            if abs(d - sum(partials)) <= 1e-9 * abs(sum(partials)):
                c.fail("Along one path the chain rule multiplies the local derivatives (adding is for "
                       "several paths).")
            if abs(d - slope / 3) <= 1e-9 * abs(slope):
                c.fail("Did you include the first step's factor? The inner 3·x contributes its derivative too.")
            if _approximates(d, slope):
                c.fail(DIFFERENCES)
            c.expect(abs(d - slope) <= EXACT * abs(slope),
                     "Multiply the three local derivatives along the path from x to g.")

        if not c.all_passed:
            c.skip(later[3], "waits for the parts above")
            return
        with c.part(later[3]):
            for x in OTHER_POINTS:
                n, given, d = _answers_at(c, by_hand, x)
                want_n, want_partials, want_slope = _reference(x)
                c.expect(c.number(n, "n_primitives") == want_n,
                         "n_primitives changes with x: the tape has the same steps at every point.")
                c.close(c.array(given, "local_partials"), want_partials,
                        "Right at x = 0.5 but not elsewhere: write local_partials with the argument x "
                        "(np.cos(3 * x), …), not with x0 or numbers worked out for 0.5.", rtol=1e-9, atol=1e-12)
                if _approximates(c.number(d, "dg_dx"), want_slope):
                    c.fail(DIFFERENCES)
                c.close(c.number(d, "dg_dx"), want_slope,
                        "Right at x = 0.5 but not elsewhere: compute dg_dx from this call's local "
                        "partials (in terms of x), not from x0 or a number worked out for 0.5.",
                        rtol=EXACT, atol=1e-15)


QUESTIONS = Questions(
    Question(
        "tape-entries",
        answer="b",
        choices={"a": "3", "b": "5", "c": "6"},
        explanation="The tape lists the two inputs x1, x2 and one line per primitive: x1·x2, sin(x1) and "
                    "the sum. Using x1 twice does not copy it: both primitives refer to the same entry.",
        feedback={"a": "Inputs are entries of the tape too (they start it).",
                  "c": "6 counts x1 twice, once for each use."},
    ),
    Question(
        "partial-x2",
        answer=2.0,
        explanation="x2 reaches the output along one path only, through v1 = x1·x2, whose local derivative "
                    "with respect to x2 is x1 = 2; the sum passes it on with factor 1.",
    ),
    Question(
        "loop-length",
        answer="b",
        choices={"a": "1 (the loop body is one line)", "b": "3", "c": "4", "d": "0: loops are not recorded"},
        explanation="y starts as x and the loop runs n − 1 = 3 times, each time recording one "
                    "multiplication: the tape is the unrolled, executed program.",
        feedback={"a": "The tape records what ran, not what was written: each pass through the loop adds a line.",
                  "c": "y = x is not an operation: it only names the input.",
                  "d": "The loop itself leaves no trace, but each multiplication it performs does."},
    ),
)
predict = QUESTIONS.predict
