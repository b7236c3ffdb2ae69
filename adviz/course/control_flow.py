"""Lesson 6 · Control flow and floating point — its check and its predictions.

The exercise: a numerically stable softplus, log(1 + eˣ), built from ``np.exp`` and
``np.log1p`` with a branch, whose value *and AD derivative* are right from −800 to 800.

``np.logaddexp(0, x)`` is NumPy's ready-made stable softplus: excellent in real code, but
it skips the exercise, so the check looks at the function's code and its tape for it.
"""

from __future__ import annotations

import numpy as np

from ..check import Question, Questions, check, refers_to

POINTS = (-800.0, -30.0, -1.0, 0.0, 0.5, 30.0, 800.0)
READY_MADE = ("logaddexp", "logaddexp2")
READY_MADE_HINT = ("np.logaddexp is NumPy's own stable softplus, fine in real code; here the exercise is to build "
                   "it yourself from np.exp and np.log1p, with a branch.")


def _softplus(x: float) -> float:
    return float(np.logaddexp(0.0, x))


def _sigmoid(x: float) -> float:
    return float(np.exp(-np.logaddexp(0.0, -x)))


def check_softplus(softplus) -> None:
    """Check ``softplus`` at points from −800 to 800: values, AD derivatives, how it is built."""
    import adviz as ad

    with check("a softplus that never overflows, in value or derivative") as c:
        with c.part("values: log(1 + eˣ) from −800 to 800"):
            for x in POINTS:
                value = c.number(c.call(softplus, x, name="softplus"), f"softplus({x:g})")
                if not np.isfinite(value):
                    side = "x > 0, e^x" if x > 0 else "x < 0, e^(−x)"
                    c.fail(f"softplus({x:g}) is {value}: for {side} overflows. Use the form of the identity "
                           "in which the exponential never exceeds 1, and choose it with an if.")
                if not np.isclose(value, _softplus(x), rtol=1e-12, atol=1e-300) and np.isclose(
                        value, _softplus(x), rtol=1e-2):
                    c.fail(f"softplus({x:g}) has lost digits: 1 + eˣ rounds most of a tiny eˣ away before the log "
                           "sees it. np.log1p(u) computes log(1 + u) without forming 1 + u.")
                c.expect(np.isclose(value, _softplus(x), rtol=1e-12, atol=1e-300),
                         f"softplus({x:g}) is not log(1 + eˣ): check the identity log(1 + eˣ) = x + log(1 + e^(−x)).")

        with c.part("derivatives: the logistic sigmoid σ(x), from −800 to 800"):
            for x in POINTS:
                c.call(softplus, x, name="softplus")
                try:
                    slope = c.number(ad.grad(softplus)(x), f"the derivative at {x:g}")
                except TypeError:  # np.logaddexp.reduce([0, x]): a list of a traced value and a number
                    if refers_to(softplus, READY_MADE):
                        c.fail(READY_MADE_HINT)
                    raise
                if np.isnan(slope) and refers_to(softplus, ["where"]):
                    c.fail(f"The derivative at {x:g} is nan. np.where evaluates both branches: the unused one "
                           "still overflows, and its 0·∞ poisons the derivative. Use a Python if, so that only "
                           "the safe branch runs.")
                if not np.isfinite(slope):
                    c.fail(f"The derivative at {x:g} is {slope}: an exponential overflowed on the way, and the "
                           "reverse sweep met ∞ (section 5). At each x, run only the form whose exponential "
                           "never exceeds 1.")
                c.expect(np.isclose(slope, _sigmoid(x), rtol=1e-12, atol=1e-300),
                         f"The derivative at {x:g} is not σ(x) = 1/(1 + e^(−x)): look at which branch runs there.")

        with c.part("built from exp and log1p, not np.logaddexp"):
            ready_made = READY_MADE_HINT
            c.call(softplus, 1.0, name="softplus")
            c.expect(not refers_to(softplus, READY_MADE), ready_made)  # before tracing, which it may break
            recorded = {node.op for x in (-1.0, 1.0) for node in ad.trace(softplus, x).nodes}
            c.expect(not any(op in recorded for op in READY_MADE), ready_made)


QUESTIONS = Questions(
    Question(
        "branch-at-zero",
        answer="b",
        choices={"a": "0", "b": "−1", "c": "1", "d": "nan, or an error: f has a kink there"},
        explanation="At x = 0 the condition 0 > 0 is false, so the else branch −x runs and AD differentiates "
                    "it: −1. AD never sees the other branch, so it cannot notice the kink.",
        feedback={"d": "AD differentiates the branch that ran; it does not know there is a kink."},
    ),
    Question(
        "sqrt-square",
        answer="c",
        choices={"a": "0", "b": "1", "c": "nan", "d": "inf"},
        explanation="The program's derivative is 1/(2·sqrt(x²)) · 2x: at 0 that is ∞ · 0, which is nan in "
                    "floating point, although |x| = sqrt(x²) has a perfectly usable subgradient there.",
    ),
    Question(
        "round-trip",
        answer="b",
        choices={"a": "0", "b": "1", "c": "about 1.49", "d": "nan"},
        explanation="AD multiplies the local derivatives of + and −, which are exactly 1, at the computed "
                    "values: it describes the ideal operations, not the staircase that rounding makes of them.",
        feedback={"a": "That is what a tiny finite difference may see on the staircase; AD applies the rules "
                       "of + and −.",
                  "c": "That is a finite difference with h = 1e-8 on the staircase, not AD."},
    ),
)
predict = QUESTIONS.predict
