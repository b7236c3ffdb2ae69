"""Lesson 4 · The modes compared — its checks and its predictions.

The exercise: build a Jacobian column by column from ``ad.jvp`` (one call per input) and
row by row from one ``ad.vjp`` (one tape, one pullback per output), and count sweeps.

``ad.jacfwd`` computes the same matrix, so the values alone cannot tell the two apart.
The check counts how often the function is evaluated: every ``ad.jvp`` call evaluates it
once (pushing one direction), ``ad.jacfwd`` once for all directions; ``ad.vjp`` records
it once however many rows are pulled back.
"""

from __future__ import annotations

import numpy as np

from ..check import Question, Questions, check, refers_to

WHOLE_JACOBIAN = ("jacfwd", "jacrev", "hessian")


def _f3(x):
    return np.stack([x[0] * x[1] * x[2], np.sin(x[0]) + x[2] ** 2])


def _j3(x):
    return np.array([[x[1] * x[2], x[0] * x[2], x[0] * x[1]], [np.cos(x[0]), 0.0, 2 * x[2]]])


def _f4(x):
    return np.stack([x[0] * x[3], np.cos(x[1]) * x[2], x[0] + x[1] ** 2 + np.exp(x[3])])


def _j4(x):
    return np.array([[x[3], 0.0, 0.0, x[0]],
                     [0.0, -np.sin(x[1]) * x[2], np.cos(x[1]), 0.0],
                     [1.0, 2 * x[1], 0.0, np.exp(x[3])]])


CASES = ((_f3, _j3, np.array([1.0, 2.0, 3.0])), (_f4, _j4, np.array([0.3, -1.1, 2.0, -0.5])))


class _Counted:
    """Wraps f and counts its evaluations (each ad.jvp or ad.vjp call evaluates f once)."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def _jacobian(c, build, f, j, x, name):
    counted = _Counted(f)
    m, n = np.shape(j(x))
    got = c.array(c.call(build, counted, np.array(x), name=name), "your Jacobian")
    want = j(x)
    if got.shape == (n, m) and np.allclose(got.T, want, rtol=1e-12, atol=1e-12):
        c.fail("The entries are right but transposed: the Jacobian has one row per output and one column "
               "per input.")
    c.expect(got.shape == (m, n), f"Your Jacobian has shape {got.shape}: it needs one row per output and one "
                                  "column per input.")
    if np.allclose(got, want, rtol=1e-4, atol=1e-6) and not np.allclose(got, want, rtol=1e-12, atol=1e-12):
        c.fail("Close, but not exact: difference quotients only approximate the Jacobian. ad.jvp (ad.vjp) gives "
               "each column (row) exactly, to rounding error.")
    c.close(got, want, "Some entries are off: compare your columns (or rows) with what ad.jvp (ad.vjp) returns.",
            rtol=1e-12, atol=1e-12)
    return counted.calls, n, m


def check_columns(jacobian_by_columns) -> None:
    """Check ``jacobian_by_columns(f, x)``: the right matrix, from one ``ad.jvp`` per input."""
    with check("the Jacobian, column by column from ad.jvp") as c:
        for k, (f, j, x) in enumerate(CASES):
            label = "f3 at (1, 2, 3)" if k == 0 else "another function, R⁴ → R³"
            with c.part(f"{label}: the matrix, one JVP per column"):
                used = refers_to(jacobian_by_columns, WHOLE_JACOBIAN)
                calls, n, _ = _jacobian(c, jacobian_by_columns, f, j, x, "jacobian_by_columns")
                if used:
                    c.fail(f"ad.{used[0]} computes the whole matrix for you; this exercise builds it from "
                           "ad.jvp, one call per column, to see what that costs.")
                if calls == 1:
                    c.fail("f was evaluated only once: ad.jacfwd and ad.jacrev push every direction through one "
                           "evaluation. Call ad.jvp once per input direction eⱼ; each call gives column j.")
                c.expect(calls == n, f"f was evaluated {calls} times: one ad.jvp call per column evaluates it "
                                     "once per input, and nothing more.")


def check_rows(jacobian_by_rows) -> None:
    """Check ``jacobian_by_rows(f, x)``: the right matrix, from one ``ad.vjp`` and its pullback."""
    with check("the Jacobian, row by row from one ad.vjp") as c:
        for k, (f, j, x) in enumerate(CASES):
            label = "f3 at (1, 2, 3)" if k == 0 else "another function, R⁴ → R³"
            with c.part(f"{label}: the matrix, one tape, one pullback per row"):
                used = refers_to(jacobian_by_rows, WHOLE_JACOBIAN)
                calls, _, m = _jacobian(c, jacobian_by_rows, f, j, x, "jacobian_by_rows")
                if used:
                    c.fail(f"ad.{used[0]} computes the whole matrix for you; this exercise builds it from "
                           "the pullback that ad.vjp returns, one call per row.")
                if calls > 1:
                    c.fail(f"f was evaluated {calls} times: ad.vjp records the tape once and returns a pullback; "
                           "call that pullback once per output (eᵢ) instead of calling ad.vjp again.")
                c.expect(calls == 1, "Call ad.vjp(f, x) once and use its pullback for each row.")


def check_counts(forward_sweeps, reverse_sweeps, cheaper) -> None:
    """Check the sweep counts for the full Jacobian of a function R¹⁰⁰⁰ → R¹⁰."""
    n, m = 1000, 10
    with check("sweeps for the Jacobian of a function R¹⁰⁰⁰ → R¹⁰") as c:
        with c.part("forward_sweeps and reverse_sweeps"):
            fwd = c.number(forward_sweeps, "forward_sweeps")
            rev = c.number(reverse_sweeps, "reverse_sweeps")
            if (fwd, rev) == (m, n):
                c.fail("Swapped: a forward sweep gives a column (one per input), a reverse sweep a row "
                       "(one per output).")
            c.expect(fwd == n, "A forward sweep pushes one input direction and gives one column: count the columns.")
            c.expect(rev == m, "A reverse sweep pulls back one output direction and gives one row: count the rows.")
        with c.part("cheaper: the mode with fewer sweeps"):
            c.answer(cheaper, "cheaper")
            c.expect(cheaper in ("forward", "reverse"), 'cheaper is "forward" or "reverse".')
            c.expect(cheaper == ("reverse" if m < n else "forward"),
                     "Each sweep costs about one evaluation of f either way: fewer sweeps wins.")


QUESTIONS = Questions(
    Question(
        "gradient-forward",
        answer=8,
        explanation="A forward sweep answers one input direction; the gradient of 8 inputs needs all 8 "
                    "directions, so 8 sweeps (reverse mode: 1).",
    ),
    Question(
        "forward-terms",
        answer="b",
        choices={"a": "13, as many as reverse mode", "b": "21", "c": "52 = 4 × 13", "d": "4, one per sweep"},
        explanation="Written densely, 4 sweeps × 13 terms = 52. But a forward sweep seeded on x1 only reaches "
                    "the nodes that depend on x1: adviz skips a term whose incoming tangent is known to be zero "
                    "(never set), so the sweeps touch 4 + 6 + 6 + 5 = 21 terms. The reverse sweep needs all 13.",
        feedback={"c": "That is the dense count; adviz skips terms whose incoming tangent is zero."},
    ),
    Question(
        "dot-identity",
        answer="b",
        choices={"a": "exactly equal, always", "b": "equal up to rounding", "c": "equal only when J is symmetric"},
        explanation="wᵀ(Ju) and (Jᵀw)ᵀu are the same number in exact arithmetic (the same sum of wᵢJᵢⱼuⱼ, "
                    "added in a different order), so in floating point they agree to about 1e-16 relative.",
        feedback={"c": "Transposing moves J to the other side of the dot product; no symmetry is needed."},
    ),
)
predict = QUESTIONS.predict
