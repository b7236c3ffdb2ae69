"""Lesson 1 · Programs are compositions: the tape — its check and its predictions.

The exercise: for g(x) = exp(cos(3x)) at x = 0.5, count the primitives on the tape, give
each step's local derivative in tape order, and multiply them (the chain rule).
"""

from __future__ import annotations

import math

from ..check import Question, Questions, check

X0 = 0.5


def _reference() -> tuple[int, list[float], float]:
    # tape of exp(cos(3x)):  v1 = 3·x,  v2 = cos(v1),  v3 = exp(v2)
    v1 = 3 * X0
    v2 = math.cos(v1)
    partials = [3.0, -math.sin(v1), math.exp(v2)]
    return 3, partials, partials[0] * partials[1] * partials[2]


def check_tape(n_primitives, local_partials, dg_dx) -> None:
    """Check the tape of g(x) = exp(cos(3x)) at x = 0.5: its length, local partials, g'(x)."""
    count, partials, slope = _reference()
    with check("the tape of g(x) = exp(cos(3x)) at x = 0.5") as c:
        with c.part("n_primitives: how many primitives the tape records"):
            n = c.number(n_primitives, "n_primitives")
            if n == count - 1:
                c.fail("Multiplying x by the constant 3 is an operation too: every operation applied to a "
                       "traced value gets its own line on the tape.")
            if n == count + 1:
                c.fail("Constants and inputs are not operations: count only the primitives applied to values "
                       "(the 3 is baked into the line that uses it).")
            c.expect(n == count, "Write g as a chain of single operations, one per line, as in section 2.")

        with c.part("local_partials: each step's own derivative, in tape order"):
            given = c.array(local_partials, "local_partials")
            c.expect(given.shape == (count,),
                     "Give one local derivative per primitive on the tape (a list, in tape order): count the "
                     "primitives again.")
            if abs(given[1] - partials[1]) > 1e-9 and abs(given[1] + partials[1]) <= 1e-9 * abs(partials[1]) + 1e-12:
                c.fail("Check the sign of the cosine step: the derivative of cos is −sin.")
            values = [3 * X0, math.cos(3 * X0), math.exp(math.cos(3 * X0))]
            if sum(abs(a - v) <= 1e-9 * (abs(v) + 1) for a, v in zip(given, values)) >= 2:
                c.fail("Those are the values v1, v2, v3 the steps compute. A local partial is the derivative of "
                       "one step with respect to its own operand (∂v2/∂v1 for v2 = cos(v1)).")
            if all(abs(a - b) <= 1e-9 * (abs(b) + 1) for a, b in zip(given[::-1], partials)):
                c.fail("Tape order starts at the input: the first primitive applied to x comes first.")
            if abs(given[1] - 3 * partials[1]) <= 1e-9 * abs(partials[1]):
                c.fail("A local derivative looks at its own step only: ∂v2/∂v1 is −sin(v1), with nothing "
                       "from the earlier step multiplied in.")
            for k, (a, b) in enumerate(zip(given, partials), start=1):
                c.expect(abs(a - b) <= 1e-9 * (abs(b) + 1),
                         f"Step {k} is off. Evaluate each local derivative at the value of its own operand "
                         "(v1 = 3·x0 for the cosine, v2 = cos(v1) for the exponential), not at x.")

        with c.part("dg_dx: the chain rule"):
            d = c.number(dg_dx, "dg_dx")
            if abs(d - sum(partials)) <= 1e-9 * abs(sum(partials)):
                c.fail("Along one path the chain rule multiplies the local derivatives (adding is for "
                       "several paths).")
            if abs(d - slope / 3) <= 1e-9 * abs(slope):
                c.fail("Did you include the first step's factor? The inner 3·x contributes its derivative too.")
            c.expect(abs(d - slope) <= 1e-9 * abs(slope),
                     "Multiply the three local derivatives along the path from x to g.")


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
