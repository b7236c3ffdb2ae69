"""Lesson 12 · How AD systems are built — its checks and its predictions.

The exercise builds two tiny AD systems in one cell:

* **operator overloading**: ``FullDual`` (the lesson's ``Dual`` with ``+``, ``*`` and unary
  ``-``) gets ``__sub__`` and ``__rsub__``, and ``sin``/``log`` learn dual numbers, so that
  the survey's f(x1, x2) = log(x1) + x1·x2 − sin(x2) runs unchanged on dual numbers;
* **source transformation**: ``adjoint_rule(op)`` gives, for each primitive, one adjoint
  line template per operand (``"{a}_bar += {out}_bar * {b}"``); the lesson's
  ``write_adjoint(t, adjoint_rule)`` turns a trace into the source of its adjoint program with them.

Both checks compare with derivatives worked out by hand (below), at several points and
with seeds other than 1: a rule that forgets the incoming tangent or adjoint is right for
seed 1 only.  Messages name the rule to revisit, never a number.
"""

from __future__ import annotations

import math

from ..check import Question, Questions, check

CHAIN_HINT = ("The rule drops the incoming {what}: try a seed other than 1. Every local derivative "
              "multiplies what arrives ({example}).")


FULL_DUAL_HINT = ("{fn} of a dual number should return a FullDual, not a Dual: a plain Dual has no subtraction, "
                  "so 1 - {fn}(x) or {fn}(x) - 1 would fail. Build the result with FullDual(value, tangent).")


def _close(a, b, rtol=1e-12) -> bool:
    return isinstance(a, (int, float)) and abs(a - b) <= rtol * max(abs(b), 1.0)


def _parts(d):
    value, tangent = getattr(d, "value", None), getattr(d, "tangent", None)
    try:
        return float(value), float(tangent)
    except (TypeError, ValueError):
        return None, None


def _survey(x1: float, x2: float) -> tuple[float, float, float]:
    """f = log(x1) + x1·x2 − sin(x2) and its gradient by hand: (1/x1 + x2, x1 − cos x2)."""
    return math.log(x1) + x1 * x2 - math.sin(x2), 1 / x1 + x2, x1 - math.cos(x2)


# ---------------------------------------------------------------- operator overloading
BY_HAND = ("{fn} runs adviz (ad.grad, ad.jvp, …): then adviz does the differentiating, not your dual numbers, "
           "which are the AD system here. Write the tangent from the rule above, with {d} and the incoming "
           "tangent b.")


def check_dual(FullDual, sin, log) -> None:
    """Check subtraction (both ways round), sin and log on dual numbers, then the survey's f."""
    with check("forward mode by operator overloading: FullDual, sin and log") as c:
        def make(value, tangent):
            return FullDual(value, tangent)

        with c.part("x - y and x - 1 (__sub__)"):
            try:
                d = c.call(lambda: make(5.0, 1.0) - make(2.0, 0.5), name="FullDual.__sub__")
            except RecursionError:
                c.fail("__sub__ ends up calling itself: build self − other from what Dual has, + and unary −.")
            value, tangent = _parts(d)
            c.expect(value is not None, "x - y should give a dual number (with .value and .tangent).")
            c.expect(_close(value, 3.0), "The value part of (a + bε) − (c + dε) is a − c.")
            c.expect(_close(tangent, 0.5), "The tangent part of (a + bε) − (c + dε) is b − d.")
            value, tangent = _parts(c.call(lambda: make(5.0, 1.0) - 1.0, name="FullDual.__sub__"))
            c.expect(_close(value, 4.0) and _close(tangent, 1.0),
                     "Subtracting a plain number: lift it first (Dual.lift gives it tangent 0).")

        with c.part("1 - x: Python calls x.__rsub__(1)"):
            try:
                d = c.call(lambda: 1.0 - make(5.0, 2.0), name="FullDual.__rsub__")
            except RecursionError:
                c.fail("__rsub__ ends up calling itself: Dual.lift(other) is a plain Dual, which has no -, so "
                       "Python asks your __rsub__ again, forever. Build other − self from what Dual has: + and "
                       "unary −.")
            value, tangent = _parts(d)
            c.expect(value is not None, "1 - x should give a dual number: define __rsub__.")
            if _close(value, 4.0):
                c.fail("__rsub__(self, other) computes other − self, not self − other "
                       "(so __rsub__ = __sub__ gets the sign wrong).")
            c.expect(_close(value, -4.0) and _close(tangent, -2.0),
                     "__rsub__(self, other) computes other − self: the tangent is −(tangent of self).")

        with c.part("sin and log of a dual number, seeds other than 1"):
            for a, b in ((0.7, 2.5), (-1.2, -0.4)):
                out = c.call_by_hand(sin, make(a, b), name="sin", hint=BY_HAND.format(fn="sin", d="math.cos"))
                value, tangent = _parts(out)
                c.expect(value is not None, "sin of a dual number should return a dual number.")
                c.expect(isinstance(out, FullDual), FULL_DUAL_HINT.format(fn="sin"))
                c.expect(_close(value, math.sin(a)), "The value part of sin(a + bε) is sin(a).")
                if _close(tangent, math.cos(a)):
                    c.fail(CHAIN_HINT.format(what="tangent", example="sin(a + bε) = sin a + cos(a)·b·ε"))
                c.expect(_close(tangent, math.cos(a) * b), "The tangent part of sin(a + bε) is cos(a)·b.")
            for a, b in ((2.0, 3.0), (0.25, -1.5)):
                out = c.call_by_hand(log, make(a, b), name="log", hint=BY_HAND.format(fn="log", d="a division"))
                value, tangent = _parts(out)
                c.expect(value is not None, "log of a dual number should return a dual number.")
                c.expect(isinstance(out, FullDual), FULL_DUAL_HINT.format(fn="log"))
                c.expect(_close(value, math.log(a)), "The value part of log(a + bε) is log(a).")
                if _close(tangent, 1 / a):
                    c.fail(CHAIN_HINT.format(what="tangent", example="log(a + bε) = log a + (b/a)·ε"))
                c.expect(_close(tangent, b / a), "The tangent part of log(a + bε) is b/a: d log(a) = da/a.")
            c.expect(_close(c.call(sin, 0.5, name="sin"), math.sin(0.5)) and
                     _close(c.call(log, 0.5, name="log"), math.log(0.5)),
                     "sin and log of a plain number should still return the plain number.")

        whole = "f(x1, x2) = log(x1) + x1·x2 − sin(x2), unchanged, on dual numbers"
        if not c.all_passed:
            c.skip(whole, "waits for the parts above")
            return
        with c.part(whole):
            for x1, x2 in ((2.0, 5.0), (0.5, -1.0)):
                y, d1, d2 = _survey(x1, x2)
                for s1, s2 in ((1.0, 0.0), (0.0, 1.0), (0.6, -2.0)):
                    out = c.call(lambda: log(make(x1, s1)) + make(x1, s1) * make(x2, s2) - sin(make(x2, s2)),
                                 name="f on dual numbers")
                    value, tangent = _parts(out)
                    c.expect(_close(value, y), "The value of f is off: check the value parts of your rules.")
                    c.expect(_close(tangent, d1 * s1 + d2 * s2, rtol=1e-10),
                             "The tangent of f is off, though each rule passed above: check that every "
                             "operation returns a FullDual (build results with type(self)).")


# ---------------------------------------------------------------- source transformation
_OPS = {"subtract": 2, "multiply": 2, "sin": 1, "log": 1}
_CASES = (  # expression, point, gradient by hand
    ("sin(x)", {"x": 0.7}, lambda x: (math.cos(x),)),
    ("log(x)", {"x": 2.5}, lambda x: (1 / x,)),
    ("x - y", {"x": 1.5, "y": -0.5}, lambda x, y: (1.0, -1.0)),
    ("x * y", {"x": 1.5, "y": -0.75}, lambda x, y: (y, x)),
)


def _program(c, write_adjoint, adjoint_rule, source_expr: str, point: dict):
    from ..engine.record import trace

    t = trace(source_expr, **point)
    source = c.call(write_adjoint, t, adjoint_rule, name="write_adjoint")
    namespace = {"sin": math.sin, "cos": math.cos, "log": math.log, "exp": math.exp, "math": math}
    try:
        exec(compile(source, "<adjoint program>", "exec"), namespace)
    except SyntaxError as e:
        c.fail(f"The adjoint program is not valid Python ({e.msg}, line {e.lineno}): print write_adjoint(t) "
               "and look at the lines your templates made.")
    return namespace["adjoint"], list(point.values())


def check_adjoint_rules(adjoint_rule, write_adjoint) -> None:
    """Check each adjoint template on its own, then whole programs with reuse and other seeds."""
    with check("source transformation: adjoint line templates") as c:
        with c.part("one template per operand"):
            for op, n in _OPS.items():
                rule = c.call(adjoint_rule, op, name=f'adjoint_rule("{op}")')
                c.expect(isinstance(rule, (list, tuple)) and all(isinstance(r, str) for r in rule),
                         f'adjoint_rule("{op}") returns a list of strings, one line template per operand.')
                c.expect(len(rule) == n, f'"{op}" has {n} operand{"s" if n > 1 else ""}: give one template for each '
                                         "(a constant operand's line is skipped by write_adjoint).")
                c.expect(all("_bar" in r.split("=")[0] for r in rule),
                         "Each template updates an operand's adjoint: it starts with {a}_bar or {b}_bar.")

        if not c.all_passed:
            c.skip("each rule, seed 1 and seed 2.5", "waits for the templates above")
            c.skip("whole programs: variables used twice, constants, seeds", "waits for the templates above")
            return
        with c.part("each rule, seed 1 and seed 2.5"):
            for expr, point, by_hand in _CASES:
                adjoint, args = _program(c, write_adjoint, adjoint_rule, expr, point)
                want = by_hand(*args)
                for seed in (1.0, 2.5):
                    got = c.call(adjoint, *args, seed, name=f"the adjoint program of {expr}")[1]
                    if seed != 1.0 and all(_close(g, w) for g, w in zip(got, want)):
                        c.fail(CHAIN_HINT.format(what="adjoint", example=f"{{a}}_bar += {{out}}_bar · ∂out/∂a"))
                    if expr == "x - y" and _close(got[1], seed):
                        c.fail("out = a − b, so ∂out/∂b = −1: b's adjoint receives −out_bar.")
                    own = {"sin(x)": [math.sin(args[0])],  # out_bar·out, or for log also out_bar/out
                           "log(x)": [math.log(args[0]), 1 / math.log(args[0])]}.get(expr, [])
                    if any(_close(got[0], seed * value) for value in own):
                        op = expr.split("(")[0]
                        if "{out}" in " ".join(c.call(adjoint_rule, op, name=f'adjoint_rule("{op}")')).replace(
                                "{out}_bar", ""):
                            c.fail(f"The template of {expr} uses the node's own value {{out}} where the local "
                                   "derivative needs its operand {a}: only exp is its own derivative.")
                        c.fail(f"The template of {expr} multiplies by {op} itself, the node's own value: only exp is "
                               f"its own derivative. Differentiate {op} once, at its operand {{a}}.")
                    if expr == "x * y" and _close(got[0], seed * args[0]):
                        c.fail("∂(a·b)/∂a is b: each operand's adjoint is multiplied by the *other* operand.")
                    c.expect(all(_close(g, seed * w) for g, w in zip(got, want)),
                             f"The adjoint lines of {expr} are off: write ∂out/∂a for this primitive by hand "
                             "and compare with your template.")

        whole = "whole programs: variables used twice, constants, seeds"
        if not c.all_passed:  # its hint starts from 'each rule passed on its own'
            c.skip(whole, "waits for the rules above")
            return
        with c.part(whole):
            for x1, x2 in ((2.0, 5.0), (0.5, -1.0)):
                adjoint, args = _program(c, write_adjoint, adjoint_rule, "log(x1) + x1*x2 - sin(x2)",
                                         {"x1": x1, "x2": x2})
                y, d1, d2 = _survey(x1, x2)
                value, grads = c.call(adjoint, *args, 1.5, name="the adjoint program")
                c.expect(_close(value, y), "The primal part of the program is off (it comes from the tape).")
                c.expect(_close(grads[0], 1.5 * d1) and _close(grads[1], 1.5 * d2),
                         "Each rule passed on its own, so look at what a whole program adds: x1 and x2 are each "
                         "used twice (log(x1) and x1*x2; x1*x2 and sin(x2)), and an adjoint collects every "
                         "contribution. Every template must add (+= or -=), never overwrite (=).")
            adjoint, args = _program(c, write_adjoint, adjoint_rule, "2 - x * x", {"x": 0.8})
            c.expect(_close(c.call(adjoint, 0.8, 1.0, name="the adjoint program")[1][0], -1.6),
                     "2 - x*x: a constant operand gets no adjoint line, and x, used twice in x*x, collects "
                     "both contributions (+=).")


# ---------------------------------------------------------------- predictions
QUESTIONS = Questions(
    Question(
        "rmul",
        answer="c",
        choices={"a": "Dual.__mul__", "b": "float.__mul__, which returns a Dual", "c": "Dual.__rmul__",
                 "d": "nothing: it raises TypeError"},
        explanation="Python first asks the left operand: float.__mul__ does not know Dual and returns "
                    "NotImplemented, so Python asks the right operand for its reflected method, Dual.__rmul__. "
                    "Every operator a user may write with a plain number on the left needs its reflected twin.",
        feedback={"d": "It would raise only if Dual had no __rmul__: Python asks the right operand second.",
                  "a": "__mul__ is asked when the Dual is on the left."},
    ),
    Question(
        "traced-branch",
        answer=2,
        explanation="At x = 2 the condition x > 0 is true, so only x * x and then + 1 run: two primitives. "
                    "The tracer answered the if with its concrete value; the other branch was never "
                    "recorded, so the tape (and any program written from it) knows nothing about it.",
    ),
    Question(
        "accumulations",
        answer=2,
        explanation="x is read three times (twice by x * x, once by sin(x)): the first contribution assigns "
                    "x_bar, each later one adds to it, so two lines read x_bar = x_bar + ….",
    ),
)
predict = QUESTIONS.predict
