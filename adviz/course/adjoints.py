"""Lesson 3 · Reverse mode: adjoints and backpropagation — its checks and its predictions.

The quiz, graded: the sweep player's quiz on the survey's ``y = ln x1 + x1·x2 − sin x2`` at
(2, 5) (Baydin et al., Table 3) asks for each adjoint before the sweep shows it.  Answers
typed into the widget are gone when nbgrader runs the notebook again, so the lesson also
asks for them in code, ``quiz_answers = {"1.1": …, "1.2": …, …}``, and
:func:`check_quiz` marks each one by the quiz's own rules (:func:`adviz.render.quiz.mark`:
the same tolerance, the same hints, never the expected value).

The exercise: be the reverse sweep of g(a, b) = exp(a·b) + a, tape v1 = a·b, v2 = exp(v1),
v3 = v2 + a, seeded with an output adjoint ``y_bar``.  ``reverse_sweep(a, b, y_bar)``
returns every adjoint, ``{"v3", "v2", "v1", "a", "b"}``.

Writing down the closed-form gradient (b·e^(ab) + 1, a·e^(ab)) is not a reverse sweep:
the check looks at the intermediate adjoints and seeds other than 1, which a closed form
skips or ignores.
"""

from __future__ import annotations

import math

from ..check import Question, Questions, check

NAMES = ("v3", "v2", "v1", "a", "b")
SURVEY = "log(x1) + x1*x2 - sin(x2)"
SURVEY_AT = {"x1": 2.0, "x2": 5.0}


def survey_quiz():
    """The quiz of the lesson's sweep player: the reverse sweep of the survey's example."""
    from ..engine import trace
    from ..render.quiz import Quiz

    t = trace(SURVEY, **SURVEY_AT)
    return Quiz(t, t.reverse())


def check_quiz(quiz_answers) -> None:
    """Mark the student's answers to the quiz, one part per question, as the quiz marks them."""
    from ..render.quiz import WRONG, AnswerError, mark

    questions = survey_quiz().questions
    with check("your answers to the quiz: the adjoints of y = ln x1 + x1·x2 − sin x2 at (2, 5)") as c:
        answers = c.answer(quiz_answers, "quiz_answers")
        if not isinstance(answers, dict):
            c.fail('quiz_answers is a dict from question to answer: {"1.1": 1, "1.2": ..., ...}')
        for q in questions:
            with c.part(f"{q.label}: {q.symbol}"):
                if q.label not in answers:
                    c.fail(f'quiz_answers has no answer for question "{q.label}": keep one entry per question')
                typed = c.answer(answers[q.label], f"the answer to {q.label}")
                try:
                    verdict = mark(q, typed)
                except AnswerError as error:  # unreadable text, or a list for one number
                    what = repr(typed) if isinstance(typed, str) else f"the answer to {q.label}"
                    c.fail(f"cannot read {what}: {error}. Write a number, or a string of numbers and "
                           'functions such as "6*cos(10)".')
                except (TypeError, ValueError):
                    c.fail(f"cannot read {typed!r}: it is not a number. Write a number, or a string of numbers "
                           'and functions such as "6*cos(10)".')
                if not verdict.right:
                    c.fail(verdict.message.removeprefix(WRONG).strip())


def _adjoints(a: float, b: float, y_bar: float) -> dict[str, float]:
    e = math.exp(a * b)
    return {"v3": y_bar, "v2": y_bar, "v1": y_bar * e, "a": y_bar * (b * e + 1), "b": y_bar * a * e}


def _close(x, y) -> bool:
    return abs(x - y) <= 1e-12 * max(abs(y), 1.0)


BY_HAND = ("reverse_sweep runs adviz (ad.grad, ad.vjp, …): that is the engine's sweep, not yours. Be the "
           "reverse sweep by hand, with math and the forward values v1, v2, v3 only.")


def _sweep(c, reverse_sweep, a, b, y_bar):
    result = c.call_by_hand(reverse_sweep, a, b, y_bar, name="reverse_sweep", hint=BY_HAND)
    c.expect(isinstance(result, dict) and set(NAMES) <= set(result),
             'reverse_sweep returns a dict with the adjoints "v3", "v2", "v1", "a" and "b".')
    values = {k: c.number(result[k], f'the adjoint "{k}"') for k in NAMES}
    if all(values[k] == 0.0 for k in ("v2", "v1", "a", "b")):
        c.todo("reverse_sweep returns the starting zeros: write the adjoint updates")
    return values


def check_reverse_sweep(reverse_sweep) -> None:
    """Check every adjoint of g(a, b) = exp(a·b) + a, at several points and seeds."""
    with check("your reverse sweep of g(a, b) = exp(a·b) + a") as c:
        with c.part("ā and b̄ at (0.5, 2) with the seed ȳ = 1"):
            got, want = _sweep(c, reverse_sweep, 0.5, 2.0, 1.0), _adjoints(0.5, 2.0, 1.0)
            e = math.exp(1.0)
            if _close(got["a"], 2.0 * e) or _close(got["a"], 1.0):
                c.fail("a is used twice, in v1 = a·b and in v3 = v2 + a, so ā collects both contributions: "
                       "use += for every update.")
            if _close(got["a"], 1.0 + 0.5 * e) or _close(got["b"], 2.0 * e):
                c.fail("v1 = a·b: ∂v1/∂a is b and ∂v1/∂b is a. Each operand's adjoint is multiplied by the "
                       "*other* operand.")
            c.expect(_close(got["a"], want["a"]), "ā is off: it adds v̄3·∂v3/∂a and v̄1·∂v1/∂a.")
            c.expect(_close(got["b"], want["b"]), "b̄ is off: it receives v̄1 times ∂v1/∂b.")

        with c.part("the sweep visits v3, v2, v1 in turn: their adjoints v̄2, v̄1"):
            got = _sweep(c, reverse_sweep, 0.5, 2.0, 1.0)
            if got["v2"] == 0.0 and got["v1"] == 0.0:
                c.fail("v̄2 and v̄1 are still 0: a reverse sweep computes the adjoint of every node on its way "
                       "back, v̄2 from v̄3, then v̄1 from v̄2, instead of writing the gradient's formula.")
            c.expect(_close(got["v2"], 1.0) and _close(got["v1"], math.exp(1.0)),
                     "Visit the nodes from the output back: v̄2 from v̄3 (through the sum), then v̄1 from v̄2 "
                     "(through exp, whose local derivative is its own value).")

        with c.part("other points, and seeds other than 1"):
            for a, b, y_bar in ((-0.3, 1.7, 2.5), (1.2, -0.4, -0.75)):
                got, want = _sweep(c, reverse_sweep, a, b, y_bar), _adjoints(a, b, y_bar)
                unseeded = _adjoints(a, b, 1.0)
                e = math.exp(a * b)
                if _close(got["a"], y_bar * b * e) or _close(got["a"], y_bar):
                    c.fail("ā keeps only one of its two contributions (a is used in v1 = a·b and in "
                           "v3 = v2 + a): use += for every update.")
                if all(_close(got[k], unseeded[k]) for k in ("a", "b")):
                    c.fail("Your adjoints ignore the seed: start from v̄3 = y_bar, and every update multiplies "
                           "by the adjoint flowing in.")
                c.expect(all(_close(got[k], want[k]) for k in NAMES),
                         "Some adjoints are off away from (0.5, 2): use the forward values v1, v2 of this "
                         "call, not numbers worked out for one point.")


QUESTIONS = Questions(
    Question(
        "v1-bar",
        answer="b",
        choices={"a": "1", "b": "cos(10)", "c": "6·cos(10)", "d": "6"},
        explanation="v̄2 = v̄3·cos(v2) = cos(10), and v2 = v1 + 1 passes it on with local derivative 1, so "
                    "v̄1 = cos(10). The factor 6 = 2x only appears one step later, in x̄.",
        feedback={"c": "That is x̄: the factor 2x belongs to the step v1 = x², which the sweep reaches next."},
    ),
    Question(
        "x1-contributions",
        answer=2,
        explanation="x1 is an operand of two nodes, v1 = x1·x2 and v2 = sin(x1): the sweep visits both, and "
                    "each adds its contribution to x̄1.",
    ),
    Question(
        "polar-reverse",
        answer="b",
        choices={"a": "1", "b": "2", "c": "4"},
        explanation="One reverse sweep gives one row wᵀJ; polar has two outputs, so two sweeps (seeded with "
                    "e1 and e2) give both rows.",
        feedback={"a": "One reverse sweep gives the whole gradient of one output: a row, not the matrix.",
                  "c": "A sweep gives a whole row at once, not one entry."},
    ),
)
predict = QUESTIONS.predict
