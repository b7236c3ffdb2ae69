"""Typical wrong answers to every exercise: what students really write, and which checks must fail.

Each answer is the teacher's exercise cell with some ``### BEGIN SOLUTION`` regions rewritten
(region numbers count from 0 in the cell).  The same list drives the in-process tests of the
checks (``tests/course/test_*.py``) and the nbgrader round trip (``test_nbgrader.py``), which
submits the first :data:`NBGRADER_ROUNDS` answers of each lesson to the real autograder.

``NAMED`` are the wrong answers that passed the old checks (issue 10): each must now fail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    label: str
    answer_id: str
    regions: dict
    fails: frozenset  # grade_ids of the check cells that must not pass
    more: tuple = ()  # further (answer_id, regions): a lesson with several exercise cells answers each

    @property
    def answers(self) -> tuple:
        """Every exercise cell this wrong answer rewrites: ``(answer_id, regions)`` pairs."""
        return ((self.answer_id, self.regions), *self.more)


def wrong(label, answer_id, regions, *fails):
    return Wrong(label, answer_id, regions, frozenset(fails))


def together(*answers: Wrong) -> Wrong:
    """One submission answering several exercise cells of a lesson wrongly at once (for nbgrader's rounds)."""
    first, *rest = answers
    return Wrong("; ".join(w.label for w in answers), first.answer_id, first.regions,
                 frozenset().union(*(w.fails for w in answers)), tuple(a for w in rest for a in w.answers))


NBGRADER_ROUNDS = 3

# lesson 3's quiz, answered right: a wrong answer changes some entries
_QUIZ = {"1.1": 1, "1.2": -1, "2": "-cos(5)", "3.1": 1, "3.2": 1, "4.1": 5, "4.2": "2 - cos(5)", "5": 5.5}


def _quiz(label: str, changes: dict) -> Wrong:
    """Lesson 3's graded quiz answered with ``changes`` to the right answers."""
    return wrong(label, "quiz-answer", {0: f"quiz_answers = {dict(_QUIZ, **changes)!r}"}, "quiz-check")

# lesson 12's adjoint templates, as the teacher wrote them (its wrong answers change one line)
_RULES = """if op == "subtract":
    return ["{a}_bar += {out}_bar", "{b}_bar -= {out}_bar"]
if op == "multiply":
    return ["{a}_bar += {out}_bar * {b}", "{b}_bar += {out}_bar * {a}"]
if op == "sin":
    return ["{a}_bar += {out}_bar * cos({a})"]
if op == "log":
    return ["{a}_bar += {out}_bar / {a}"]
"""

WRONG: dict[str, list[Wrong]] = {
    "01_programs_and_the_tape": [
        wrong("dg_dx from ad.grad: the engine, not the chain rule by hand", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = ad.grad(lambda u: np.exp(np.cos(3 * u)))(x)
"""}, "tape-check"),
        wrong("the count read off ad.trace", "tape-answer", {0: """
n_primitives = ad.trace(lambda u: np.exp(np.cos(3 * u)), x).primitive_count
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("numbers worked out at x0 (not formulas in x)", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x0), np.exp(np.cos(3 * x0))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("a central difference for dg_dx", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
h = 1e-5
dg_dx = (np.exp(np.cos(3 * (x + h))) - np.exp(np.cos(3 * (x - h)))) / (2 * h)
"""}, "tape-check"),
        wrong("by_hand returns only the derivative", "tape-answer", {0: """
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
return local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("the local partials from ad.trace's forward sweep", "tape-answer", {0: """
n_primitives = 3
sweep = ad.trace(lambda u: np.exp(np.cos(3 * u)), x).forward()
local_partials = [term.partial_value for step in sweep.steps for term in step.terms]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("does not count the constant multiplication", "tape-answer", {0: """
n_primitives = 2
local_partials = [-np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1]
"""}, "tape-check"),
        wrong("sign error in the derivative of cos", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("adds the local derivatives", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = sum(local_partials)
"""}, "tape-check"),
        wrong("partials in reverse order", "tape-answer", {0: """
n_primitives = 3
local_partials = [np.exp(np.cos(3 * x)), -np.sin(3 * x), 3.0]
dg_dx = -3 * np.sin(3 * x) * np.exp(np.cos(3 * x))
"""}, "tape-check"),
        wrong("evaluates the local derivatives at x instead of at the operands", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(x), np.exp(x)]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("forgets the inner factor 3", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = -np.sin(3 * x) * np.exp(np.cos(3 * x))
"""}, "tape-check"),
        wrong("the values v1, v2, v3 instead of their local derivatives", "tape-answer", {0: """
n_primitives = 3
local_partials = [3 * x, np.cos(3 * x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("exp's derivative evaluated at v1 = 3·x instead of at v2", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(3 * x)]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("the input counted as a primitive", "tape-answer", {0: """
n_primitives = 4
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("the derivative of cos taken as sin of x (no inner 3, no minus)", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, np.sin(x), np.exp(np.cos(3 * x))]
dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
"""}, "tape-check"),
        wrong("a complex step for dg_dx (lesson 5's method, not the chain rule)", "tape-answer", {0: """
n_primitives = 3
local_partials = [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]
dg_dx = np.imag(np.exp(np.cos(3 * (x + 1e-20j)))) / 1e-20
"""}, "tape-check"),
    ],
    "02_forward_mode_and_dual_numbers": [
        wrong("exp drops the incoming tangent (passes with seed 1)", "dual-answer",
              {1: "return MyDual(math.exp(u.value), math.exp(u.value))"}, "dual-check"),
        wrong("quotient rule with the numerator the wrong way round", "dual-answer",
              {0: "return MyDual(a / c, (a * d - b * c) / c**2)"}, "dual-check"),
        wrong("quotient rule divided by c instead of c²", "dual-answer",
              {0: "return MyDual(a / c, (b * c - a * d) / c)"}, "dual-check"),
        wrong("exp returns a plain Dual", "dual-answer",
              {1: "return Dual(math.exp(u.value), math.exp(u.value) * u.tangent)"}, "dual-check"),
        wrong("quotient rule forgets the denominator's tangent", "dual-answer",
              {0: "return MyDual(a / c, b / c)"}, "dual-check"),
        wrong("quotient rule with + between its terms", "dual-answer",
              {0: "return MyDual(a / c, (b * c + a * d) / c**2)"}, "dual-check"),
        wrong("quotient rule without the numerator's tangent b (right for seed 1 only)", "dual-answer",
              {0: "return MyDual(a / c, (c - a * d) / c**2)"}, "dual-check"),
        wrong("exp passes the tangent on without the factor e^a", "dual-answer",
              {1: "return MyDual(math.exp(u.value), u.tangent)"}, "dual-check"),
        wrong("the tangents divided, b / d", "dual-answer",
              {0: "return MyDual(a / c, b / d)"}, "dual-check"),
    ],
    "03_reverse_mode_and_adjoints": [
        together(wrong("writes the closed-form gradient instead of sweeping", "adjoints-answer", {0: """
a_bar = b * math.exp(a * b) + 1
b_bar = a * math.exp(a * b)
"""}, "adjoints-check"), _quiz("quiz: an input used twice keeps only its last contribution", {"4.2": 2, "5": 0.5})),
        together(wrong("= instead of += for the input used twice", "adjoints-answer", {0: """
v2_bar += v3_bar * 1.0
a_bar += v3_bar * 1.0
v1_bar += v2_bar * v2
a_bar = v1_bar * b
b_bar += v1_bar * a
"""}, "adjoints-check"), _quiz("quiz: the minus of v5 = v3 - v4 forgotten", {"1.2": 1, "2": "cos(5)", "4.2": "2 + cos(5)"})),
        together(wrong("visits v1 before v2", "adjoints-answer", {0: """
v1_bar += v2_bar * v2
a_bar += v1_bar * b
b_bar += v1_bar * a
v2_bar += v3_bar * 1.0
a_bar += v3_bar * 1.0
"""}, "adjoints-check"), _quiz("quiz: the local partials alone, without the incoming adjoint", {"2": "cos(5)"})),
        wrong("seeds with 1 instead of y_bar", "adjoints-answer", {0: """
v2_bar += 1.0
a_bar += 1.0
v1_bar += v2_bar * v2
a_bar += v1_bar * b
b_bar += v1_bar * a
"""}, "adjoints-check"),
        _quiz("quiz: formulas typed instead of numbers", {"4.1": "x2", "5": "1/x1 + x2"}),
        wrong("the engine's sweep: ad.grad for ā and b̄", "adjoints-answer", {0: """
v2_bar += v3_bar * 1.0
v1_bar += v2_bar * v2
g_a, g_b = ad.grad(lambda a, b: np.exp(a * b) + a, argnums=(0, 1))(a, b)
a_bar, b_bar = y_bar * float(g_a), y_bar * float(g_b)
"""}, "adjoints-check"),
        _quiz("quiz: values already held (x̄2 before its second term, x̄2 for x̄1)", {"4.2": "-cos(5)", "5": "2 - cos(5)"}),
        _quiz("quiz: a list for one number", {"5": [5.5]}),
        wrong("exp's local derivative taken as v1 instead of exp(v1)", "adjoints-answer", {0: """
v2_bar += v3_bar * 1.0
a_bar += v3_bar * 1.0
v1_bar += v2_bar * v1
a_bar += v1_bar * b
b_bar += v1_bar * a
"""}, "adjoints-check"),
        wrong("the product's partials swapped (ā gets a, b̄ gets b)", "adjoints-answer", {0: """
v2_bar += v3_bar * 1.0
a_bar += v3_bar * 1.0
v1_bar += v2_bar * v2
a_bar += v1_bar * a
b_bar += v1_bar * b
"""}, "adjoints-check"),
        wrong("a's direct path through v3 = v2 + a forgotten", "adjoints-answer", {0: """
v2_bar += v3_bar * 1.0
v1_bar += v2_bar * v2
a_bar += v1_bar * b
b_bar += v1_bar * a
"""}, "adjoints-check"),
        _quiz("quiz: the derivative of sin taken as −sin", {"2": "sin(5)", "4.2": "2 + sin(5)", "5": 5.5}),
        _quiz("quiz: the product's partials swapped (x̄1 gets x1, x̄2 gets x2)", {"4.1": 2, "4.2": "5 - cos(5)"}),
        _quiz("quiz: x̄1 as 1/x1 alone, without the 5 it already held", {"5": 0.5}),
    ],
    "04_the_modes_compared": [
        wrong("ad.jacfwd for the columns, jacrev for the rows, counts swapped", "modes-answer", {
            0: "return ad.jacfwd(f)(x)",
            1: "return ad.jacrev(f)(x)",
            2: 'forward_sweeps, reverse_sweeps, cheaper = 10, 1000, "forward"'},
            "modes-columns-check", "modes-rows-check", "modes-counts-check"),
        wrong("JVPs stacked as rows, vjp re-recorded per row, wrong mode", "modes-answer", {
            0: "return np.vstack([ad.jvp(f, (x,), (e,))[1] for e in np.eye(len(x))])",
            1: ("m = len(f(x))\n"
                "return np.vstack([ad.vjp(f, x)[1](e)[0] for e in np.eye(m)])"),
            2: 'forward_sweeps, reverse_sweeps, cheaper = 1000, 10, "forward"'},
            "modes-columns-check", "modes-rows-check", "modes-counts-check"),
        wrong("columns from vjp, rows transposed, one sweep each", "modes-answer", {
            0: ("y, pullback = ad.vjp(f, x)\n"
                "return np.vstack([pullback(e)[0] for e in np.eye(len(y))])"),
            1: ("y, pullback = ad.vjp(f, x)\n"
                "return np.column_stack([pullback(e)[0] for e in np.eye(len(y))])"),
            2: 'forward_sweeps, reverse_sweeps, cheaper = 1, 1, "reverse"'},
            "modes-columns-check", "modes-rows-check", "modes-counts-check"),
        wrong("columns hard-coded for three inputs", "modes-answer", {
            0: ("columns = [ad.jvp(f, (x,), (e,))[1] for e in np.eye(3)]\n"
                "return np.column_stack(columns)")}, "modes-columns-check"),
        wrong("one JVP seeded with all ones: a single column", "modes-answer",
              {0: "return ad.jvp(f, (x,), (np.ones_like(x),))[1]"}, "modes-columns-check"),
        wrong("as many unit vectors as outputs (off by one shape)", "modes-answer",
              {0: "return np.column_stack([ad.jvp(f, (x,), (e,))[1] for e in np.eye(len(f(x)))])"},
              "modes-columns-check"),
        wrong("columns by central differences instead of ad.jvp", "modes-answer", {0: """
h = 1e-6
return np.column_stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])
"""}, "modes-columns-check"),
        wrong("rows from ad.grad of each output (one tape per row)", "modes-answer", {1: """
m = len(f(x))
return np.vstack([ad.grad(lambda x, i=i: f(x)[i])(x) for i in range(m)])
"""}, "modes-rows-check"),
        wrong("one pullback seeded with ones: the sum of the rows", "modes-answer", {1: """
y, pullback = ad.vjp(f, x)
return pullback(np.ones_like(y))[0]
"""}, "modes-rows-check"),
        wrong("the rows computed column by column", "modes-answer",
              {1: "return jacobian_by_columns(f, x)"}, "modes-rows-check"),
        wrong("counts: sweeps swapped but the right mode", "modes-answer",
              {2: 'forward_sweeps, reverse_sweeps, cheaper = 10, 1000, "reverse"'}, "modes-counts-check"),
        wrong("counts: one reverse sweep for the whole Jacobian", "modes-answer",
              {2: 'forward_sweeps, reverse_sweeps, cheaper = 1000, 1, "reverse"'}, "modes-counts-check"),
        wrong("counts: one sweep per entry", "modes-answer",
              {2: 'forward_sweeps, reverse_sweeps, cheaper = 10000, 10000, "reverse"'}, "modes-counts-check"),
    ],
    "05_finite_differences_and_symbolic": [
        wrong("forward difference instead of central", "fd-answer",
              {0: "return (g(x + h) - g(x)) / h"}, "fd-check"),
        wrong("central difference divided by h", "fd-answer",
              {0: "return (g(x + h) - g(x - h)) / h"}, "fd-check"),
        wrong("absolute errors, largest error picked", "fd-answer", {1: """
errors = np.array([abs(central(g, 1.0, h) - g_exact) for h in hs])
best_h = hs[np.argmax(errors)]
"""}, "fd-check"),
        wrong("relative errors but the largest one picked", "fd-answer", {1: """
errors = np.array([abs(central(g, 1.0, h) - g_exact) / abs(g_exact) for h in hs])
best_h = hs[np.argmax(errors)]
"""}, "fd-check"),
        wrong("central difference with its terms swapped (sign error)", "fd-answer",
              {0: "return (g(x - h) - g(x + h)) / (2 * h)"}, "fd-check"),
        wrong("signed errors: np.argmin picks the most negative", "fd-answer", {1: """
errors = np.array([(central(g, 1.0, h) - g_exact) / g_exact for h in hs])
best_h = hs[np.argmin(errors)]
"""}, "fd-check"),
        wrong("best_h is the index np.argmin returns, not the step", "fd-answer", {1: """
errors = np.array([abs(central(g, 1.0, h) - g_exact) / abs(g_exact) for h in hs])
best_h = np.argmin(errors)
"""}, "fd-check"),
        wrong("one error short: hs[1:] (off by one)", "fd-answer", {1: """
errors = np.array([abs(central(g, 1.0, h) - g_exact) / abs(g_exact) for h in hs[1:]])
best_h = hs[1:][np.argmin(errors)]
"""}, "fd-check"),
    ],
    "06_control_flow_and_floating_point": [
        wrong("np.logaddexp, NumPy's ready-made softplus", "softplus-answer",
              {0: "return np.logaddexp(0.0, x)"}, "softplus-check"),
        wrong("the naive formula", "softplus-answer",
              {0: "return np.log(1 + np.exp(x))"}, "softplus-check"),
        wrong("the identity without a branch", "softplus-answer",
              {0: "return x + np.log1p(np.exp(-x))"}, "softplus-check"),
        wrong("np.where instead of if (nan derivatives)", "softplus-answer",
              {0: "return np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))"}, "softplus-check"),
        wrong("branches swapped", "softplus-answer", {0: """
if x > 0:
    return np.log1p(np.exp(x))
return x + np.log1p(np.exp(-x))
"""}, "softplus-check"),
        wrong("the identity with a minus: x − log1p(e^(−x))", "softplus-answer", {0: """
if x > 0:
    return x - np.log1p(np.exp(-x))
return np.log1p(np.exp(x))
"""}, "softplus-check"),
        wrong("np.log(1 + …) instead of np.log1p in the safe forms", "softplus-answer", {0: """
if x > 0:
    return x + np.log(1 + np.exp(-x))
return np.log(1 + np.exp(x))
"""}, "softplus-check"),
        wrong("log1p(e^(−|x|)) without adding max(x, 0)", "softplus-answer",
              {0: "return np.log1p(np.exp(-abs(x)))"}, "softplus-check"),
        wrong("np.logaddexp.reduce over [0, x]", "softplus-answer",
              {0: "return np.logaddexp.reduce([0.0, x])"}, "softplus-check"),
    ],
    "07_arrays_broadcasting_and_matmul": [
        wrong("b_bar not summed over the batch", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(X @ W + b) ** 2
return X.T @ Z_bar, Z_bar
"""}, "arrays-check"),
        wrong("W_bar transposed", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(X @ W + b) ** 2
return Z_bar.T @ X, Z_bar.sum(axis=0)
"""}, "arrays-check"),
        wrong("forgets the tanh factor", "arrays-answer", {0: """
Z_bar = np.ones_like(X @ W + b)
return X.T @ Z_bar, Z_bar.sum(axis=0)
"""}, "arrays-check"),
        wrong("averages over the batch", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(X @ W + b) ** 2
return X.T @ Z_bar, Z_bar.mean(axis=0)
"""}, "arrays-check"),
        wrong("sums b_bar over the wrong axis", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(X @ W + b) ** 2
return X.T @ Z_bar, Z_bar.sum(axis=1)
"""}, "arrays-check"),
        wrong("the engine's backward pass: ad.grad instead of the rules by hand", "arrays-answer",
              {0: "return ad.grad(lambda W, b: np.sum(np.tanh(X @ W + b)), argnums=(0, 1))(W, b)"}, "arrays-check"),
        wrong("tanh's local derivative taken as tanh itself", "arrays-answer", {0: """
Z_bar = np.tanh(Z)
return X.T @ Z_bar, Z_bar.sum(axis=0)
"""}, "arrays-check"),
        wrong("1 − tanh without the square", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(Z)
return X.T @ Z_bar, Z_bar.sum(axis=0)
"""}, "arrays-check"),
        wrong("W_bar as the outer product of the batch sums", "arrays-answer", {0: """
Z_bar = 1 - np.tanh(Z) ** 2
return np.outer(X.sum(axis=0), Z_bar.sum(axis=0)), Z_bar.sum(axis=0)
"""}, "arrays-check"),
        wrong("the engine's pullback: ad.vjp instead of the rules by hand", "arrays-answer", {0: """
_, pullback = ad.vjp(lambda W, b: np.sum(np.tanh(X @ W + b)), W, b)
return pullback(1.0)
"""}, "arrays-check"),
    ],
    "08_higher_order_derivatives": [
        wrong("ad.hessian(f)(x) @ v; ad.hessian(g) for the Hessian asked by hand", "hvp-answer", {
            0: "return ad.hessian(f)(x) @ v",
            1: "return ad.hessian(g)(x)"}, "hessian-check", "hvp-check"),
        wrong("differences of gradients; first derivatives on the diagonal", "hvp-answer", {
            0: """
eps = 1e-5
return (ad.grad(f)(x + eps * v) - ad.grad(f)(x - eps * v)) / (2 * eps)
""",
            1: """
H = np.diag(4 * x**3)
H[0, 1] = H[1, 0] = x[2]
H[0, 2] = H[2, 0] = x[1]
H[1, 2] = H[2, 1] = x[0]
return H
"""}, "hessian-check", "hvp-check"),
        wrong("gradient times v, elementwise; mixed partials swapped", "hvp-answer", {
            0: "return ad.grad(f)(x) * v",
            1: """
H = np.diag(12 * x**2)
H[0, 1] = H[1, 0] = x[0]
H[0, 2] = H[2, 0] = x[1]
H[1, 2] = H[2, 1] = x[2]
return H
"""}, "hessian-check", "hvp-check"),
        wrong("the Hessian built column by column from HVPs", "hvp-answer", {0: """
columns = [ad.jvp(ad.grad(f), (x,), (e,))[1] for e in np.eye(len(x))]
return np.column_stack(columns) @ v
"""}, "hvp-check"),
        wrong("a JVP of f itself (a directional derivative)", "hvp-answer",
              {0: "return ad.jvp(f, (x,), (v,))[1]"}, "hvp-check"),
        wrong("Hessian without its mirror half", "hvp-answer", {1: """
H = np.diag(12 * x**2)
H[0, 1] = x[2]
H[0, 2] = x[1]
H[1, 2] = x[0]
return H
"""}, "hessian-check"),
        wrong("the Hessian as forward over reverse, ad.jacfwd(ad.grad(g))", "hvp-answer",
              {1: "return ad.jacfwd(ad.grad(g))(x)"}, "hessian-check"),
        wrong("the numbers at xg typed in (not formulas in x)", "hvp-answer", {1: """
return np.array([[12.0, 0.5, -2.0], [0.5, 48.0, 1.0], [-2.0, 1.0, 3.0]])
"""}, "hessian-check"),
        wrong("second differences of g instead of the formulas", "hvp-answer", {1: """
h = 1e-4
E = np.eye(3) * h
return np.array([[(g(x + E[i] + E[j]) - g(x + E[i] - E[j]) - g(x - E[i] + E[j]) + g(x - E[i] - E[j])) / (4 * h * h)
                  for j in range(3)] for i in range(3)])
"""}, "hessian-check"),
        wrong("the diagonal without the factor 12 (xᵢ² only)", "hvp-answer", {1: """
H = np.diag(x**2)
H[0, 1] = H[1, 0] = x[2]
H[0, 2] = H[2, 0] = x[1]
H[1, 2] = H[2, 1] = x[0]
return H
"""}, "hessian-check"),
        wrong("the Hessian of x·x transposed: an outer product", "hvp-answer", {1: """
return 12 * np.outer(x, x)
"""}, "hessian-check"),
        wrong("hvp: the gradient of vᵀ∇f taken with ad.hessian hidden in a lambda", "hvp-answer",
              {0: "H = lambda y: ad.hessian(f)(y)\nreturn H(x) @ v"}, "hvp-check"),
        wrong("hvp: the gradient at x + v (missing the limit)", "hvp-answer",
              {0: "return ad.grad(f)(x + v) - ad.grad(f)(x)"}, "hvp-check"),
        wrong("hvp: the JVP of the gradient seeded with ones, v ignored", "hvp-answer",
              {0: "return ad.jvp(ad.grad(f), (x,), (np.ones_like(x),))[1]"}, "hvp-check"),
    ],
    "09_training_a_tiny_neural_network": [
        wrong("no memory: plain gradient descent", "momentum-answer", {0: """
params = initial_parameters()
history = []
for _ in range(steps):
    L, grads = value_and_grad(*params)
    history.append(float(L))
    params = [p - learning_rate * g for p, g in zip(params, grads)]
return params, history
"""}, "momentum-check"),
        wrong("velocity along the gradient (sign error)", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
for _ in range(steps):
    L, grads = value_and_grad(*params)
    history.append(float(L))
    velocity = [beta * v + learning_rate * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
return params, history
"""}, "momentum-check"),
        wrong("loss recorded after the update", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
for _ in range(steps):
    L, grads = value_and_grad(*params)
    velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
    history.append(float(value_and_grad(*params)[0]))
return params, history
"""}, "momentum-check"),
        wrong("velocity reset to zero every step", "momentum-answer", {0: """
params = initial_parameters()
history = []
for _ in range(steps):
    velocity = [np.zeros_like(p) for p in params]
    L, grads = value_and_grad(*params)
    history.append(float(L))
    velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
return params, history
"""}, "momentum-check"),
        wrong("β and the learning rate swapped in the velocity", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
for _ in range(steps):
    L, grads = value_and_grad(*params)
    history.append(float(L))
    velocity = [learning_rate * v - beta * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
return params, history
"""}, "momentum-check"),
        wrong("the gradient computed once, before the loop", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
L, grads = value_and_grad(*params)
for _ in range(steps):
    history.append(float(value_and_grad(*params)[0]))
    velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
return params, history
"""}, "momentum-check"),
        wrong("one step short: range(steps - 1)", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
for _ in range(steps - 1):
    L, grads = value_and_grad(*params)
    history.append(float(L))
    velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
    params = [p + v for p, v in zip(params, velocity)]
return params, history
"""}, "momentum-check"),
        wrong("the parameters moved by the gradient; the velocity computed but unused", "momentum-answer", {0: """
params = initial_parameters()
velocity = [np.zeros_like(p) for p in params]
history = []
for _ in range(steps):
    L, grads = value_and_grad(*params)
    history.append(float(L))
    velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
    params = [p - learning_rate * g for p, g in zip(params, grads)]
return params, history
"""}, "momentum-check"),
    ],
    "10_custom_rules_and_stop_gradient": [
        together(
            wrong("the naive logsumexp (overflows)", "logsumexp-answer", {0: "return np.log(np.sum(np.exp(x)))"},
                  "logsumexp-check"),
            wrong("a Kepler rule that ignores E_bar", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return 1 / dF_dE, math.sin(E) / dF_dE
"""}, "kepler-check"),
            wrong("np.round alone (its gradient is zero)", "ste-answer", {0: "return np.round(x)"}, "ste-check"),
        ),
        together(
            wrong("a logsumexp rule that ignores the tangent", "logsumexp-answer", {1: """
value = logsumexp(x)
softmax = np.exp(x - value)
return value, np.sum(softmax)
"""}, "logsumexp-check"),
            wrong("Kepler: sign error in dF/dE", "kepler-answer", {0: """
dF_dE = 1 + e * math.cos(E)
return E_bar / dF_dE, E_bar * math.sin(E) / dF_dE
"""}, "kepler-check"),
            wrong("the whole round stopped", "ste-answer", {0: "return ad.stop_gradient(np.round(x))"}, "ste-check"),
        ),
        together(
            wrong("softmax without its normaliser, and not summed", "logsumexp-answer", {1: """
value = logsumexp(x)
return value, np.exp(x) * x_dot
"""}, "logsumexp-check"),
            wrong("Kepler: forgets to divide de by dF/dE", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return E_bar / dF_dE, E_bar * math.sin(E)
"""}, "kepler-check"),
            wrong("the identity, without the rounding", "ste-answer", {0: "return x + 0 * ad.stop_gradient(x)"},
                  "ste-check"),
        ),
        wrong("logsumexp: the max subtracted but not added back", "logsumexp-answer", {0: """
m = np.max(x)
return np.log(np.sum(np.exp(x - m)))
"""}, "logsumexp-check"),
        wrong("logsumexp: softmax not normalised", "logsumexp-answer", {1: """
value = logsumexp(x)
return value, np.sum(np.exp(x - np.max(x)) * x_dot)
"""}, "logsumexp-check"),
        wrong("Kepler: only the cotangent of M", "kepler-answer", {0: """
return (E_bar / (1 - e * math.cos(E)),)
"""}, "kepler-check"),
        wrong("Kepler: zero for e", "kepler-answer", {0: """
return E_bar / (1 - e * math.cos(E)), None
"""}, "kepler-check"),
        wrong("Kepler: cotangents swapped", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return E_bar * math.sin(E) / dF_dE, E_bar / dF_dE
"""}, "kepler-check"),
        wrong("straight-through, sign of the correction flipped", "ste-answer",
              {0: "return x - ad.stop_gradient(np.round(x) - x)"}, "ste-check"),
        wrong("straight-through without stop_gradient (x - x cancels the derivative)", "ste-answer",
              {0: "return x + (np.round(x) - x)"}, "ste-check"),
        wrong("Kepler: finite differences (a new solve at M ± h) instead of the implicit function theorem",
              "kepler-answer", {0: """
M = E - e * math.sin(E)
h = 1e-5
dE_dM = (solve_kepler(M + h, e) - solve_kepler(M - h, e)) / (2 * h)
dE_de = (solve_kepler(M, e + h) - solve_kepler(M, e - h)) / (2 * h)
return E_bar * dE_dM, E_bar * dE_de
"""}, "kepler-check"),
        wrong("straight-through: stop_gradient around round(x) alone", "ste-answer",
              {0: "return x + ad.stop_gradient(np.round(x))"}, "ste-check"),
        wrong("logsumexp: the rule's softmax from exp(x) itself (overflows at 1000)", "logsumexp-answer", {1: """
value = logsumexp(x)
return value, np.sum(np.exp(x) / np.sum(np.exp(x)) * x_dot)
"""}, "logsumexp-check"),
        wrong("np.logaddexp.reduce, NumPy's ready-made log-sum-exp", "logsumexp-answer",
              {0: "return np.logaddexp.reduce(x)"}, "logsumexp-check"),
        wrong("np.logaddexp folded over the entries", "logsumexp-answer", {0: """
total = x[0]
for v in x[1:]:
    total = np.logaddexp(total, v)
return total
"""}, "logsumexp-check"),
        wrong("logsumexp: the smallest entry subtracted instead of the largest", "logsumexp-answer", {0: """
m = np.min(x)
return m + np.log(np.sum(np.exp(x - m)))
"""}, "logsumexp-check"),
        wrong("logsumexp: the rule's tangent times the value instead of the softmax", "logsumexp-answer", {1: """
value = logsumexp(x)
return value, value * np.sum(x_dot)
"""}, "logsumexp-check"),
        wrong("logsumexp: the rule's softmax upside down, exp(value − x)", "logsumexp-answer", {1: """
value = logsumexp(x)
return value, np.sum(np.exp(value - x) * x_dot)
"""}, "logsumexp-check"),
        wrong("Kepler: cos(E) instead of sin(E) in ∂F/∂e", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return E_bar / dF_dE, E_bar * math.cos(E) / dF_dE
"""}, "kepler-check"),
        wrong("Kepler: the minus of the implicit function theorem lost for e", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return E_bar / dF_dE, -E_bar * math.sin(E) / dF_dE
"""}, "kepler-check"),
        wrong("Kepler: multiplies by dF/dE instead of dividing", "kepler-answer", {0: """
dF_dE = 1 - e * math.cos(E)
return E_bar * dF_dE, E_bar * math.sin(E) * dF_dE
"""}, "kepler-check"),
        wrong("straight-through: stop_gradient on x instead of on the correction (derivative −1)", "ste-answer",
              {0: "return ad.stop_gradient(x) + (np.round(x) - x)"}, "ste-check"),
        wrong("straight-through with np.floor instead of np.round", "ste-answer",
              {0: "return x + ad.stop_gradient(np.floor(x) - x)"}, "ste-check"),
        wrong("straight-through as x scaled by a stopped ratio round(x)/x", "ste-answer",
              {0: "return x * ad.stop_gradient(np.round(x) / x)"}, "ste-check"),
    ],
    "11_memory_and_checkpointing": [
        together(
            wrong("counts the layers' nodes only; peak = kept", "formulas-answer", {
                0: "return 4 * depth",
                1: "return 1 + depth // k + 2"}, "formulas-check"),
            wrong("every layer checkpointed (over budget)", "budget-answer", {0: """
for _ in range(12):
    x = segment(x, 1)
return np.sum(x**2)
"""}, "budget-check"),
        ),
        together(
            wrong("forgets the loss's nodes; counts a block's output as recomputed", "formulas-answer", {
                0: "return 1 + 4 * depth",
                1: "return 1 + depth // k + 2 + 4 * k"}, "formulas-check"),
            wrong("one block around the whole model", "budget-answer",
                  {0: "return np.sum(segment(x, 12) ** 2)"}, "budget-check"),
        ),
        together(
            wrong("peak from the number of blocks only", "formulas-answer", {
                0: "return 1 + 4 * depth + 2",
                1: "return 1 + depth // k + 2 + 4 * (depth // k) - 1"}, "formulas-check"),
            wrong("no checkpoints at all", "budget-answer", {0: "return np.sum(layers(x, 12) ** 2)"},
                  "budget-check"),
        ),
        wrong("segments of 3 (over budget)", "budget-answer", {0: """
for _ in range(4):
    x = segment(x, 3)
return np.sum(x**2)
"""}, "budget-check"),
        wrong("segments of 2, one short: 10 layers", "budget-answer", {0: """
for _ in range(5):
    x = segment(x, 2)
return np.sum(x**2)
"""}, "budget-check"),
        wrong("the loss left out of the count", "formulas-answer", {1: """
return 1 + depth // k + 4 * k - 1
"""}, "formulas-check"),
        wrong("the gradient stopped to save memory", "budget-answer", {0: """
for _ in range(6):
    x = segment(ad.stop_gradient(x), 2)
return np.sum(x**2)
"""}, "budget-check"),
        wrong("the counts measured by tracing the program, not written as formulas", "formulas-answer", {
            0: "return ad.trace(lambda x: np.sum(layers(x, depth) ** 2), np.ones(3)).memory().values_kept",
            1: """def segmented(x):
    for _ in range(depth // k):
        x = segment(x, k)
    return np.sum(x**2)
t = ad.trace(segmented, np.ones(3))
return t.memory().values_kept + max(len(block.intermediates) for block in t.checkpoints)"""},
              "formulas-check"),
        wrong("the input left out of the tape's count", "formulas-answer",
              {0: "return 4 * depth + 2"}, "formulas-check"),
        wrong("three values per layer instead of four", "formulas-answer",
              {0: "return 1 + 3 * depth + 2"}, "formulas-check"),
        wrong("peak with the block count and the block size swapped", "formulas-answer",
              {1: "return 1 + k + 2 + 4 * (depth // k) - 1"}, "formulas-check"),
        wrong("segments of 4 (over budget)", "budget-answer", {0: """
for _ in range(3):
    x = segment(x, 4)
return np.sum(x**2)
"""}, "budget-check"),
        wrong("only the first half checkpointed", "budget-answer", {0: """
for _ in range(3):
    x = segment(x, 2)
return np.sum(layers(x, 6) ** 2)
"""}, "budget-check"),
        wrong("the loss without its square", "budget-answer", {0: """
for _ in range(6):
    x = segment(x, 2)
return np.sum(x)
"""}, "budget-check"),
    ],
    "12_how_ad_systems_are_built": [
        wrong("forgets the incoming tangent and adjoint in sin (right for seed 1 only)", "systems-answer", {
            2: "return FullDual(math.sin(u.value), math.cos(u.value))",
            4: _RULES.replace('"{a}_bar += {out}_bar * cos({a})"', '"{a}_bar += cos({a})"')},
              "overloading-check", "transformation-check"),
        wrong("sign slips: __rsub__ computes self - other, subtract's second adjoint adds", "systems-answer", {
            1: "return self - other",
            4: _RULES.replace('"{b}_bar -= {out}_bar"', '"{b}_bar += {out}_bar"')},
              "overloading-check", "transformation-check"),
        wrong("log's derivative divides by the log instead of by its argument", "systems-answer", {
            3: "return FullDual(math.log(u.value), u.tangent / math.log(u.value))",
            4: _RULES.replace('"{a}_bar += {out}_bar / {a}"', '"{a}_bar += {out}_bar / {out}"')},
              "overloading-check", "transformation-check"),
        wrong("= instead of += in the templates (a reused variable keeps only its last contribution)",
              "systems-answer", {4: _RULES.replace("_bar += ", "_bar = ").replace("_bar -= ", "_bar = -")},
              "transformation-check"),
        wrong("multiply's adjoint multiplies by the operand itself", "systems-answer",
              {4: _RULES.replace('"{a}_bar += {out}_bar * {b}", "{b}_bar += {out}_bar * {a}"',
                                 '"{a}_bar += {out}_bar * {a}", "{b}_bar += {out}_bar * {b}"')},
              "transformation-check"),
        wrong("__sub__ subtracts the values but adds the tangents", "systems-answer",
              {0: "other = Dual.lift(other)\nreturn FullDual(self.value - other.value, self.tangent + other.tangent)"},
              "overloading-check"),
        wrong("log's tangent forgets the incoming tangent", "systems-answer",
              {3: "return FullDual(math.log(u.value), 1 / u.value)"}, "overloading-check"),
        wrong("sin's template multiplies by the node's own value {out} (as exp's does)", "systems-answer",
              {4: _RULES.replace('"{a}_bar += {out}_bar * cos({a})"', '"{a}_bar += {out}_bar * {out}"')},
              "transformation-check"),
        wrong("sin returns a plain Dual (then 1 - sin(x) has no subtraction)", "systems-answer",
              {2: "return Dual(math.sin(u.value), math.cos(u.value) * u.tangent)"}, "overloading-check"),
        wrong("__sub__ subtracts the tangents the wrong way round", "systems-answer",
              {0: "other = Dual.lift(other)\nreturn FullDual(self.value - other.value, other.tangent - self.tangent)"},
              "overloading-check"),
        wrong("sin's tangent with sin instead of cos", "systems-answer",
              {2: "return FullDual(math.sin(u.value), math.sin(u.value) * u.tangent)"}, "overloading-check"),
        wrong("log's tangent multiplied by the value instead of divided", "systems-answer",
              {3: "return FullDual(math.log(u.value), u.tangent * u.value)"}, "overloading-check"),
        wrong("log's template multiplies by {a} instead of dividing", "systems-answer",
              {4: _RULES.replace('"{a}_bar += {out}_bar / {a}"', '"{a}_bar += {out}_bar * {a}"')},
              "transformation-check"),
        wrong("multiply's templates without the incoming adjoint (seed 1 only)", "systems-answer",
              {4: _RULES.replace('"{a}_bar += {out}_bar * {b}", "{b}_bar += {out}_bar * {a}"',
                                 '"{a}_bar += {b}", "{b}_bar += {a}"')},
              "transformation-check"),
        wrong("sin's tangent from the engine, ad.grad(np.sin)", "systems-answer",
              {2: "return FullDual(math.sin(u.value), float(ad.grad(np.sin)(u.value)) * u.tangent)"},
              "overloading-check"),
        wrong("sin's template with sin({a}) instead of cos({a})", "systems-answer",
              {4: _RULES.replace('"{a}_bar += {out}_bar * cos({a})"', '"{a}_bar += {out}_bar * sin({a})"')},
              "transformation-check"),
    ],
}

NAMED = {
    ("02_forward_mode_and_dual_numbers", "exp drops the incoming tangent (passes with seed 1)"),
    ("08_higher_order_derivatives", "ad.hessian(f)(x) @ v; ad.hessian(g) for the Hessian asked by hand"),
    ("06_control_flow_and_floating_point", "np.logaddexp, NumPy's ready-made softplus"),
    ("03_reverse_mode_and_adjoints", "writes the closed-form gradient instead of sweeping; "
                                     "quiz: an input used twice keeps only its last contribution"),
    ("04_the_modes_compared", "ad.jacfwd for the columns, jacrev for the rows, counts swapped"),
}
"""The wrong answers issue 10 found passing; they are among the first NBGRADER_ROUNDS of their lesson."""
