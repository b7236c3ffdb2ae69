"""Lesson 10 · Custom derivative rules and stop_gradient — its checks and its predictions.

Three exercises:

* ``logsumexp`` as an ``ad.custom_jvp``: a value that never overflows, written by hand (not
  NumPy's ``np.logaddexp.reduce`` or SciPy's ``logsumexp``, which the check recognises by
  name and by watching which ufuncs the body applies), and a forward rule, softmax(x)·ẋ, that
  reverse mode uses too (transposed);
* the backward rule of Kepler's equation ``E − e·sin E = M``, solved by Newton's method,
  as an ``ad.custom_vjp`` whose rule comes from the implicit function theorem;
* the straight-through estimator: ``round(x)`` in value, derivative 1, with ``ad.stop_gradient``.

The references below never use adviz: Python's ``math`` for values, the analytic formulas
for derivatives.  A rule that ignores its incoming tangent or cotangent passes with a seed
of 1, so every derivative is also checked with other seeds.
"""

from __future__ import annotations

import math

import numpy as np

from ..check import Question, Questions, check, refers_to

# ---------------------------------------------------------------- logsumexp
VECTORS = ([1.0, 2.0, 3.0], [-0.5, 0.25, 2.0, -3.0], [1000.0, 1001.0, 999.0], [-1000.0, -1002.0], [700.0, -700.0])
TANGENTS = ([0.3, -1.2, 2.0], [1.5, 0.0, -0.75, 0.4], [2.0, -1.0, 0.5], [-0.6, 1.1], [1.3, 2.2])


def _logsumexp(x) -> float:
    m = max(x)
    return m + math.log(math.fsum(math.exp(v - m) for v in x))


def _softmax(x) -> np.ndarray:
    lse = _logsumexp(x)
    return np.array([math.exp(v - lse) for v in x])


READY_MADE = ("logaddexp", "logaddexp2", "logsumexp")
"""NumPy's and SciPy's stable log-sum-exp: the exercise asks for the value built by hand."""


class _Watched(np.ndarray):
    """An array that notes the name of every NumPy ufunc applied to it, and to what comes of it.

    ``np.logaddexp.reduce(x)`` reaches NumPy's ``__array_ufunc__`` protocol as ufunc
    ``logaddexp``, method ``reduce``; so does the call hidden in a helper function, which a
    look at the function's code (:func:`~adviz.check.refers_to`) cannot see.
    """

    seen: set

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _Watched.seen.add(ufunc.__name__)
        plain = [np.asarray(v) if isinstance(v, _Watched) else v for v in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(v) if isinstance(v, _Watched) else v for v in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(result, np.ndarray) and not isinstance(result, _Watched):
            return result.view(_Watched)
        return result


def _ufuncs_applied(fn, x) -> set:
    """The names of the NumPy ufuncs ``fn(x)`` applies to ``x`` and to arrays computed from it
    (empty if the body does not run on a watched array)."""
    _Watched.seen = set()
    try:
        fn(np.array(x, dtype=float).view(_Watched))
    except Exception:  # noqa: BLE001 - code that needs a plain ndarray: the names still say enough
        return set()
    return set(_Watched.seen)


def _ready_made(logsumexp) -> list[str]:
    """Which of :data:`READY_MADE` the body of the custom_jvp ``logsumexp`` uses."""
    body = getattr(logsumexp, "fun", logsumexp)
    used = refers_to(body, READY_MADE)
    applied = _ufuncs_applied(body, VECTORS[1])
    return used + [name for name in READY_MADE if name in applied and name not in used]


def check_logsumexp(logsumexp) -> None:
    """Check a custom_jvp logsumexp: its values, its forward rule and reverse mode through it."""
    import adviz as ad

    with check("logsumexp with its own derivative rule (ad.custom_jvp)") as c:
        with c.part("values, from small to huge entries"):
            if not isinstance(logsumexp, ad.custom_jvp):
                c.fail("logsumexp should stay decorated with @ad.custom_jvp (and its rule with @logsumexp.defjvp).")
            for x in VECTORS:
                value = c.number(c.call(logsumexp, np.array(x), name="logsumexp"), f"logsumexp({x})")
                if not np.isfinite(value):
                    c.fail(f"logsumexp({x}) is {value}: exp of a large entry overflows (exp(710) is already "
                           "inf). Subtract the largest entry m before exponentiating and add it back outside "
                           "the log: log Σ eˣ = m + log Σ e^(x − m).")
                c.expect(np.isclose(value, _logsumexp(x), rtol=1e-12, atol=1e-12),
                         f"logsumexp({x}) is not log(Σ exp(xᵢ)): check that you add back what you subtracted.")

        with c.part("the value built by hand, not np.logaddexp.reduce"):
            c.call(logsumexp, np.array(VECTORS[0]), name="logsumexp")
            c.expect(not _ready_made(logsumexp),
                     "np.logaddexp.reduce (like scipy.special.logsumexp) is a ready-made stable log-sum-exp, "
                     "fine in real code; here the exercise is to build it yourself: subtract the largest "
                     "entry, exponentiate, sum, take the log and add the largest entry back.")

        with c.part("the rule's tangent: ad.jvp with several tangents"):
            for x, t in zip(VECTORS, TANGENTS):
                x, t = np.array(x), np.array(t)
                c.call(logsumexp, x, name="logsumexp")
                y, y_dot = ad.jvp(logsumexp, (x,), (t,))
                c.answer(y_dot, "the tangent your rule returns")
                y_dot = c.array(y_dot, "the tangent your rule returns")
                if y_dot.shape != ():
                    c.fail(f"your rule returns a tangent of shape {y_dot.shape}: logsumexp gives one number, so its "
                           "tangent is one number too. Sum the products softmax(x)ᵢ·ẋᵢ.")
                if not np.isfinite(y_dot):
                    c.fail(f"the tangent at x = {x.tolist()} is {float(y_dot)}: exp(x) overflowed inside your rule. "
                           "softmax(x) = exp(x − logsumexp(x)) never does.")
                own = c.number(logsumexp(x), "logsumexp(x)")
                c.expect(np.isclose(c.number(y, "the value your rule returns"), own, rtol=1e-12, atol=1e-12),
                         "the first thing your rule returns is the function's value, logsumexp(x).")
                if np.isclose(float(y_dot), np.sum(_softmax(x)), rtol=1e-9):
                    c.fail("your rule ignores the incoming tangent ẋ (x_dot): the tangent of the output is "
                           "∂f/∂x · ẋ, here Σᵢ softmax(x)ᵢ·ẋᵢ. Try a tangent other than all ones.")
                c.expect(np.isclose(float(y_dot), float(_softmax(x) @ t), rtol=1e-9, atol=1e-12),
                         "∂logsumexp/∂xᵢ = exp(xᵢ)/Σⱼexp(xⱼ) = softmax(x)ᵢ; the output's tangent is Σᵢ "
                         "softmax(x)ᵢ·ẋᵢ.")

        with c.part("gradients: reverse mode through your rule, transposed"):
            for x in VECTORS:
                x = np.array(x)
                c.call(logsumexp, x, name="logsumexp")
                weights = np.array([2.5, -1.0])
                g = c.array(ad.grad(lambda x: weights @ np.stack([logsumexp(x), logsumexp(2 * x)]))(x),
                            "the gradient", shape=x.shape)
                want = 2.5 * _softmax(x) - 2.0 * _softmax(2 * x)
                c.expect(np.all(np.isfinite(g)), f"the gradient at x = {x.tolist()} is not finite: look for an "
                                                 "exp that can overflow in your rule.")
                c.expect(np.allclose(g, want, rtol=1e-9, atol=1e-12),
                         "ad.grad uses your JVP rule transposed: when jvp is right for every tangent, grad is "
                         "right too. Look at the tangent part above.")


# ---------------------------------------------------------------- Kepler's equation
ORBITS = ((0.3, 0.1), (1.2, 0.5), (2.9, 0.9), (-1.0, 0.25), (4.0, 0.7))
EXACT = 1e-12
"""The implicit function theorem's partials agree with the reference to a few ulps (2e-16 measured);
a central difference, at its best step, is 1e-12 to 1e-10 off at these orbits (measured for steps
1e-4 … 1e-8): so the check tells a derivative rule from a difference quotient."""


def _solve_kepler(M: float, e: float) -> float:
    """E with E − e sin E = M, by bisection on [M − e, M + e] (E − e sin E is increasing)."""
    lo, hi = M - e - 1e-12, M + e + 1e-12
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid - e * math.sin(mid) < M:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _kepler_partials(M: float, e: float) -> tuple[float, float]:
    E = _solve_kepler(M, e)
    d = 1.0 - e * math.cos(E)
    return 1.0 / d, math.sin(E) / d


def check_kepler(kepler, kepler_fwd, kepler_bwd) -> None:
    """Check the custom_vjp of Kepler's equation: the backward rule by the implicit function theorem."""
    import adviz as ad

    with check("Kepler's equation with an implicit backward rule (ad.custom_vjp)") as c:
        with c.part("kepler_bwd returns one cotangent per argument, (M̄, ē)"):
            M, e = ORBITS[1]
            _, residuals = kepler_fwd(M, e)
            out = c.call(kepler_bwd, residuals, 1.0, name="kepler_bwd")
            if not isinstance(out, (tuple, list)):
                c.fail(f"kepler_bwd returned a {type(out).__name__}: return a tuple (M_bar, e_bar), one cotangent "
                       "per argument of kepler(M, e), even when one of them is zero.")
            c.expect(len(out) == 2, f"kepler_bwd returned {len(out)} cotangent(s): kepler(M, e) has two "
                                    "arguments, so return (M_bar, e_bar).")
            c.expect(all(o is not None for o in out),
                     "a None says 'this argument gets zero': E does depend on both M and e.")

        with c.part("∂E/∂M and ∂E/∂e at five orbits"):
            for M, e in ORBITS:
                c.call(kepler_bwd, kepler_fwd(M, e)[1], 1.0, name="kepler_bwd")
                dM, de = ad.grad(kepler, argnums=(0, 1))(M, e)
                dM = c.number(dM, "∂E/∂M")
                de = c.number(de, "∂E/∂e")
                want_M, want_e = _kepler_partials(M, e)
                if np.isclose(de, want_M, rtol=1e-9) and np.isclose(dM, want_e, rtol=1e-9):
                    c.fail("the two cotangents are swapped: return them in the order of the arguments, (M, e).")
                near = np.isclose(dM, want_M, rtol=1e-6, atol=0) and np.isclose(de, want_e, rtol=1e-6, atol=0)
                if near and not (np.isclose(dM, want_M, rtol=EXACT, atol=0) and np.isclose(de, want_e, rtol=EXACT, atol=0)):
                    c.fail(f"at M = {M}, e = {e} your cotangents are close but not exact, as a finite difference "
                           "(solving again at M ± h) gives: its step leaves an error in the last digits. The "
                           "implicit function theorem gives them exactly from E and e alone, with no new solve.")
                if np.isclose(-dM, want_M, rtol=1e-9) or np.isclose(-de, want_e, rtol=1e-9):
                    c.fail(f"at M = {M}, e = {e} a cotangent has the right size but the wrong sign. The implicit "
                           "function theorem has a minus: ∂E/∂p = −(∂F/∂p)/(∂F/∂E), and F = E − e·sin E − M "
                           "has ∂F/∂M = −1 and ∂F/∂e = −sin E.")
                c.expect(np.isclose(dM, want_M, rtol=EXACT, atol=0),
                         f"∂E/∂M at M = {M}, e = {e} is off. Differentiate F(E, M, e) = E − e·sin E − M = 0 "
                         "with respect to M: (1 − e·cos E)·∂E/∂M − 1 = 0.")
                c.expect(np.isclose(de, want_e, rtol=EXACT, atol=0),
                         f"∂E/∂e at M = {M}, e = {e} is off. Differentiate F = E − e·sin E − M = 0 with "
                         "respect to e: E moves too, so ∂E/∂e appears with the factor 1 − e·cos E.")

        with c.part("the rule multiplies by the incoming cotangent Ē"):
            for (M, e), E_bar in zip(ORBITS, (2.5, -0.4, 3.0, 0.7, -1.8)):
                c.call(kepler_bwd, kepler_fwd(M, e)[1], 1.0, name="kepler_bwd")
                _, pullback = ad.vjp(kepler, M, e)
                once = [c.number(v, "a cotangent") for v in pullback(1.0)]     # your rule with Ē = 1 ...
                scaled = [c.number(v, "a cotangent") for v in pullback(E_bar)]  # ... and with another Ē
                c.expect(np.allclose(scaled, np.multiply(E_bar, once), rtol=1e-9, atol=1e-15),
                         "your rule ignores E_bar: by the chain rule M̄ = Ē·∂E/∂M and ē = Ē·∂E/∂e. (A gradient "
                         "seeds Ē = 1, which hides this; inside a bigger program Ē is anything.)")


# ---------------------------------------------------------------- straight-through
POINTS = np.array([-2.7, -1.2, -0.4, 0.3, 0.6, 1.49, 2.51, 3.2])
WEIGHTS = np.array([0.5, -1.0, 2.0, 1.5, -0.25, 3.0, -2.0, 0.75])


def check_straight_through(round_ste) -> None:
    """Check a straight-through round: round(x) in value, identity in derivative, via stop_gradient."""
    import adviz as ad

    with check("a straight-through round: round(x) forward, derivative 1 backward") as c:
        with c.part("values: round(x)"):
            value = c.array(c.call(round_ste, POINTS.copy(), name="round_ste"), "round_ste(x)", shape=POINTS.shape,
                            shape_hint="round_ste works elementwise: one result per entry of x.")
            c.expect(np.array_equal(value, np.round(POINTS)),
                     "the value must be exactly round(x): what you add to x has to cancel x and add round(x).")
        with c.part("derivatives: the identity's, entry by entry"):
            c.call(round_ste, POINTS.copy(), name="round_ste")
            g = c.array(ad.grad(lambda x: WEIGHTS @ round_ste(x))(POINTS.copy()), "the gradient",
                        shape=POINTS.shape)
            if np.allclose(g, 0.0):
                c.fail("the gradient is zero: round's own derivative is 0 wherever it exists, so nothing "
                       "flows back. Let x carry the derivative and hide the difference round(x) − x from it.")
            c.expect(np.allclose(g, WEIGHTS, rtol=1e-12),
                     "straight-through means ∂round_ste(x)ᵢ/∂xᵢ = 1: x must reach the output once, with "
                     "factor 1, and everything else must be invisible to derivatives.")
        with c.part("built with ad.stop_gradient"):
            c.call(round_ste, POINTS.copy(), name="round_ste")
            try:
                ops = {node.op for node in ad.trace(round_ste, POINTS.copy()).nodes}
            except ValueError:  # the output is a constant: nothing was recorded
                c.fail("ad.trace finds nothing recorded between x and the result: x itself must reach the "
                       "output, and ad.stop_gradient hides the correction round(x) − x.")
            c.expect("stop_gradient" in ops,
                     "this exercise is about ad.stop_gradient: use it to hide round(x) − x from derivatives. "
                     "(np.round(x) alone is already a constant for derivatives, its slope is 0, so "
                     "ad.stop_gradient(np.round(x)) has nothing to hide and is not even recorded.)")


QUESTIONS = Questions(
    Question(
        "reverse-uses-jvp",
        answer="b",
        choices={"a": "an error: the function has only a forward-mode rule",
                 "b": "your rule, run backwards (transposed)",
                 "c": "ordinary AD through the function's body, ignoring your rule"},
        explanation="The tangent your rule computes is linear in ẋ, so adviz records that little computation "
                    "and sweeps it backwards: one rule serves both modes, as in JAX (linearize, then "
                    "transpose). Only ad.custom_vjp is reverse-only.",
        feedback={"c": "The body only gives the value; every derivative goes through the rule."},
    ),
    Question(
        "implicit-tape-length",
        answer="a",
        choices={"a": "3", "b": "about 50", "c": "about 150", "d": "2"},
        explanation="The inputs a, then one node for sqrt_implicit and one for the multiplication by 3: the "
                    "solver runs on plain numbers inside fwd, and none of its iterations is recorded. Only the "
                    "residual (the root y) is kept for the backward rule.",
        feedback={"c": "That is what differentiating through the loop would record (three primitives per "
                       "iteration, lesson 6); a custom_vjp keeps the iterations off the tape.",
                  "d": "Count the input too: the tape starts with a."},
    ),
    Question(
        "stop-times-x",
        answer="b",
        choices={"a": "6", "b": "3", "c": "0", "d": "9"},
        explanation="stop_gradient(x) is a constant c = 3 for derivatives, so d/dx (x · c) = c = 3. Only one of "
                    "the two paths from x to the output is open.",
        feedback={"a": "6 is d/dx x²: both paths open. stop_gradient cuts one of them.",
                  "c": "Only one factor is stopped; x reaches the output through the other one."},
    ),
)
predict = QUESTIONS.predict
