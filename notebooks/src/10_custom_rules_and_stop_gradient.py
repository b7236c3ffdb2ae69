# %% [markdown]
# # Lesson 10 · Custom derivative rules and `stop_gradient`
#
# *About 30 minutes.* You will learn:
#
# * when the derivative AD computes is **correct but useless** (it overflows, or it differentiates
#   the steps of a solver), and how to give a function **your own rule** instead: `ad.custom_jvp`
#   (a forward rule, which reverse mode reuses) and `ad.custom_vjp` (a backward rule);
# * how the **implicit function theorem** differentiates a fixed point or a root without
#   differentiating the iterations that found it;
# * how `ad.stop_gradient` **cuts an edge** of the graph: a value that derivatives treat as a constant.
#
# adviz follows JAX's API for all three, so what you learn here carries over to `jax.custom_jvp`,
# `jax.custom_vjp` and `jax.lax.stop_gradient`.

# %%
import math

import numpy as np
from IPython.display import SVG, display

import adviz as ad
from adviz.course import custom_rules as course   # this lesson's checks and predictions

# %% [markdown]
# ## 1. A derivative that overflows
#
# Lesson 6 met softplus, $\log(1 + e^x)$, whose derivative is the logistic sigmoid
# $\sigma(x) = 1/(1 + e^{-x})$. Written the obvious way, its AD derivative breaks for large $x$:

# %%
def softplus_naive(x):
    return np.log1p(np.exp(x))

with np.errstate(over="ignore", invalid="ignore"):
    for x0 in (2.0, 30.0, 800.0):
        print(f"x = {x0:5}:  value = {softplus_naive(x0)},  AD derivative = {ad.grad(softplus_naive)(x0)}")

# %% [markdown]
# At $x = 800$, $e^{800}$ overflows to `inf`, and the chain rule multiplies $e^{v}$ by $1/(1 + e^{v})$:
# $\infty \cdot 0$, which is `nan`. Lesson 6 fixed this by rewriting the program. Here is the other
# fix: keep a program for the *value*, and state the *derivative* yourself, in the form that never
# overflows. The value below avoids overflow too: $\log(1 + e^x) = \max(x, 0) + \log(1 + e^{-|x|})$.

# %%
@ad.custom_jvp
def softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

@softplus.defjvp(text="sigmoid(x)")       # text: the partial ∂f/∂x, as tables and graphs show it
def softplus_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents    # one primal and one tangent per argument
    value = softplus(x)
    sigmoid = np.exp(x - value)           # = e^x / (1 + e^x) = σ(x); x − value ≤ 0: nothing overflows
    return value, sigmoid * x_dot         # the value, and the tangent: ∂f/∂x · ẋ

for x0 in (2.0, 30.0, 800.0, -30.0):
    print(f"x = {x0:5}:  value = {softplus(x0)},  AD derivative = {ad.grad(softplus)(x0)},  "
          f"σ(x) = {1 / (1 + math.exp(-x0))}")

# %% [markdown]
# A JVP rule (lesson 2) receives the **primals** (the arguments) and their **tangents**, and returns
# the value and the output's tangent. The tangent it returns must be *linear* in the incoming
# tangents — here $\sigma(x)\cdot\dot x$ — because that is what a derivative is.
#
# **Predict, then run.** `defjvp` gave `softplus` a *forward*-mode rule. What does `ad.grad`, which
# runs in *reverse* mode, use for `softplus`?
#
# * (a) an error: the function has only a forward-mode rule
# * (b) your rule, run backwards (transposed)
# * (c) ordinary AD through the function's body, ignoring your rule

# %%
course.predict("reverse-uses-jvp", ...)

# %% [markdown]
# Look at the tape. However many primitives the body uses (`maximum`, `abs`, `exp`, `log1p`, …),
# `softplus` is **one node**, and its chain-rule step is your rule — the `text=` you gave is what the
# tables and the graph print:

# %%
t = ad.trace(lambda x: 2 * softplus(x), 800.0)
print(t.to_text())
sweep = t.reverse()
for step in sweep.steps:
    for term in step.terms:
        print(term.update(), "->", term.total)
display(SVG(t.to_svg(sweep, step=len(sweep.steps), title="2 · softplus(x)  at  x = 800, reverse mode")))

# %% [markdown]
# Compare the body differentiated by ordinary AD: six primitives, each with its own rule, and
# forward and reverse mode agreeing with the custom rule wherever neither overflows.

# %%
def softplus_plain(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

print(ad.trace(softplus_plain, 2.0).to_text())
print()
print("ordinary AD at 2:", ad.grad(softplus_plain)(2.0), "  custom rule at 2:", ad.grad(softplus)(2.0))
value, tangent = ad.jvp(softplus, (2.0,), (3.0,))
print(f"forward mode through the custom rule, tangent 3: value {value}, tangent {tangent} = 3·σ(2)")

# %% [markdown]
# Why bother, if the plain stable body already differentiates well? Three reasons you will meet in
# practice: the automatic derivative can be poor where the value is fine (`np.sqrt(x**2)` at 0 in
# lesson 6: value 0, derivative `nan`); the rule is shorter than the tape (one node instead of six — for a big function,
# far less memory); and sometimes the derivative you want is *not* the derivative of the code, as the
# next two sections show.
#
# ## 2. Differentiating a solver without its iterations
#
# Many functions are computed by an iteration that stops when it is accurate enough: a square root by
# Newton's method, an equilibrium, the weights of an inner optimisation. Lesson 6 showed that AD
# through the loop works — and records every iteration. But the result $y(a)$ is defined by an
# *equation*, here $F(y, a) = y^2 - a = 0$, and the **implicit function theorem** differentiates
# that equation directly. Differentiate $F(y(a), a) = 0$ with respect to $a$:
#
# $$\frac{\partial F}{\partial y}\,\frac{dy}{da} + \frac{\partial F}{\partial a} = 0
# \quad\Longrightarrow\quad \frac{dy}{da} = -\frac{\partial F/\partial a}{\partial F/\partial y}
# = \frac{1}{2y}.$$
#
# Only the solution $y$ is needed, not the path the solver took to it. `ad.custom_vjp` says exactly
# that: `fwd` computes the value and the **residuals** (what the backward rule will need, here $y$),
# `bwd` turns the output's cotangent $\bar y$ into one cotangent per argument.

# %%
def newton_sqrt(a, tol=1e-15):
    """sqrt(a) for a > 0 by Newton's method, iterating until the step is tiny."""
    y = max(a, 1.0)
    while True:
        new = 0.5 * (y + a / y)
        if abs(new - y) <= tol * new:
            return new
        y = new

@ad.custom_vjp
def sqrt_implicit(a):
    return newton_sqrt(a)

def sqrt_fwd(a):
    y = newton_sqrt(a)
    return y, y                      # the value, and the residuals: the root y

def sqrt_bwd(y, y_bar):
    return (y_bar / (2 * y),)        # ā = ȳ · dy/da, by the implicit function theorem; one per argument

sqrt_implicit.defvjp(sqrt_fwd, sqrt_bwd, text="1/(2·sqrt(a))")

for a0 in (2.0, 9.0, 1e-6):
    h = 1e-6 * a0
    central = (newton_sqrt(a0 + h) - newton_sqrt(a0 - h)) / (2 * h)
    print(f"a = {a0:6}:  sqrt = {sqrt_implicit(a0):.15f}   AD = {ad.grad(sqrt_implicit)(a0):.12f}   "
          f"1/(2√a) = {0.5 / math.sqrt(a0):.12f}   central difference = {central:.8f}")

# %% [markdown]
# The derivatives agree with the formula and with central differences of the solver, computed
# independently of AD. (The `while` loop with a tolerance is no obstacle either: `fwd` runs on plain
# numbers.)
#
# **Predict, then run.** The Newton loop runs several iterations of three primitives each. How many
# nodes does `ad.trace(lambda a: 3 * sqrt_implicit(a), 2.0)` record, counting the input?
#
# * (a) 3
# * (b) about 50
# * (c) about 150
# * (d) 2

# %%
course.predict("implicit-tape-length", ...)

# %%
t = ad.trace(lambda a: 3 * sqrt_implicit(a), 2.0)
print(t.to_text())
for step in t.reverse().steps:
    for term in step.terms:
        print(term.update(), "->", term.total)

def newton_sqrt_traced(a, iterations=6):     # the same Newton steps, differentiated step by step
    y = a
    for _ in range(iterations):
        y = 0.5 * (y + a / y)
    return y

print("\nthrough the loop instead:", ad.trace(newton_sqrt_traced, 2.0).primitive_count, "primitives for",
      6, "iterations;", "derivative", ad.grad(newton_sqrt_traced)(2.0))

# %% [markdown]
# One node, whatever the number of iterations, and the memory of one residual. Differentiating
# through the loop gives the derivative of *the approximation after six steps*; the implicit rule
# gives the derivative of *the exact root*, evaluated at the computed one. For a converged solver
# these agree to rounding; for an iteration stopped early they differ, and the implicit rule is
# usually the one you want.
#
# `ad.custom_vjp` has no forward-mode rule, as in JAX: `ad.jvp`, `ad.jacfwd` and `ad.hessian` refuse it
# with a message saying so. `ad.custom_jvp` serves both modes.

# %%
try:
    ad.jvp(sqrt_implicit, (2.0,), (1.0,))
except Exception as err:
    print(f"{type(err).__name__}: {err}")

# %% [markdown]
# ## 3. `stop_gradient`: cutting an edge
#
# `ad.stop_gradient(v)` returns `v` unchanged, but every transform treats it as a **constant**: no
# tangent crosses it going forward, no adjoint going back. In the graph its incoming edge is cut.
#
# **Predict, then run.** What is `ad.grad(lambda x: x * ad.stop_gradient(x))(3.0)`?
#
# * (a) 6
# * (b) 3
# * (c) 0
# * (d) 9

# %%
course.predict("stop-times-x", ...)

# %%
def x_times_fixed_x(x):
    return x * ad.stop_gradient(x)

t = ad.trace(x_times_fixed_x, 3.0)
sweep = t.reverse()
print(t.to_text())
print("derivative:", sweep.result["x"])
display(SVG(t.to_svg(sweep, step=len(sweep.steps), title="x · stop_gradient(x)  at  x = 3")))

# %% [markdown]
# The dashed grey edge is the cut: $\bar v_1$ is computed, but nothing passes from $v_1$ to $x$, so only
# the direct path contributes, $\bar x = v_1 = 3$.
#
# Where is this useful? Whenever part of a computation should be a **target held fixed**. In
# reinforcement learning, the "target" $r + \gamma V(s')$ of a value update is computed by the same
# network that is being trained, but the update must not move it. In a loss that pulls a prediction
# towards a target that itself depends on the parameters, `stop_gradient(target)` says "chase the
# target, don't drag it along". A small example: fit $w$ so that $w\,x$ approaches $\tanh(w)\,x + 1$,
# with the target held fixed at each step:

# %%
x_data = np.linspace(-1.0, 1.0, 5)

def chase(w, fixed_target):
    target = np.tanh(w) * x_data + 1.0
    if fixed_target:
        target = ad.stop_gradient(target)
    return np.mean((w * x_data - target) ** 2)

w0 = 0.5
for fixed in (False, True):
    print(f"target held fixed: {fixed!s:5}   dL/dw at w = {w0}: {ad.grad(chase)(w0, fixed_target=fixed):+.6f}")
target_value = np.tanh(w0) * x_data + 1.0
print("by hand, target fixed:", np.mean(2 * (w0 * x_data - target_value) * x_data))

# %% [markdown]
# The two numbers differ because the full gradient also moves the target. Which one you want is a
# modelling decision; `stop_gradient` is how you state it.
#
# ## Exercises
#
# ### A · `logsumexp` with its own rule
#
# $\operatorname{logsumexp}(x) = \log \sum_i e^{x_i}$ is everywhere in machine learning (it is the
# normaliser of softmax and of every log-likelihood with a softmax). Written naively it overflows as
# soon as an entry exceeds about 709. Write it as an `ad.custom_jvp`:
#
# * the **value** without overflow: with $m = \max_i x_i$,
#   $\log\sum_i e^{x_i} = m + \log \sum_i e^{x_i - m}$ (every exponential is then at most 1);
# * the **rule**: $\partial\,\mathrm{logsumexp}/\partial x_i = e^{x_i}/\sum_j e^{x_j} =
#   \mathrm{softmax}(x)_i$, and $\mathrm{softmax}(x)_i = e^{x_i - \mathrm{logsumexp}(x)}$ never
#   overflows. The rule returns the value and the output's tangent, one number:
#   $\sum_i \mathrm{softmax}(x)_i\,\dot x_i$.
#
# Build the value yourself from `np.max`, `np.exp`, `np.sum` and `np.log`: NumPy's
# `np.logaddexp.reduce` and SciPy's `logsumexp` are the ready-made versions (use them in real code),
# and the check recognises them. It tries vectors with entries up to 1001, tangents other than all
# ones, and `ad.grad` through your rule. Write the two bodies, run the cell, then run the check.

# %% tags=["exercise"] grade_id="logsumexp-answer"
@ad.custom_jvp
def logsumexp(x):
    """log(sum(exp(x))) of a vector x, without overflow."""
    ### BEGIN SOLUTION
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))
    ### END SOLUTION


@logsumexp.defjvp(text="softmax(x)")
def logsumexp_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    ### BEGIN SOLUTION
    value = logsumexp(x)
    softmax = np.exp(x - value)
    return value, np.sum(softmax * x_dot)
    ### END SOLUTION

# %% tags=["check"] grade_id="logsumexp-check" points=3
course.check_logsumexp(logsumexp)

# %% [markdown]
# ### B · Kepler's equation, differentiated implicitly
#
# A planet's position on its orbit at time $t$ comes from **Kepler's equation**
#
# $$E - e \sin E = M,$$
#
# where $M$ (the *mean anomaly*) grows steadily with time, $e \in [0, 1)$ is the orbit's eccentricity,
# and the *eccentric anomaly* $E$ locates the planet. There is no formula for $E(M, e)$: it is found by
# Newton's method. Below, `solve_kepler` does that and `kepler_fwd` keeps the residuals. Write
# `kepler_bwd`: given the residuals and the cotangent $\bar E$ (`E_bar`), return
# $(\bar M, \bar e) = (\bar E\,\partial E/\partial M,\ \bar E\,\partial E/\partial e)$.
#
# Use the implicit function theorem on $F(E, M, e) = E - e\sin E - M = 0$:
# $\partial E/\partial p = -(\partial F/\partial p)/(\partial F/\partial E)$ for each parameter $p$.
# The check compares with an independent reference at five orbits, with cotangents other than 1.

# %% tags=["exercise"] grade_id="kepler-answer"
def solve_kepler(M, e):
    """E with E - e·sin(E) = M, by Newton's method (plain numbers: nothing is traced here)."""
    E = M if e < 0.8 else math.pi
    for _ in range(50):
        E = E - (E - e * math.sin(E) - M) / (1 - e * math.cos(E))
    return E


@ad.custom_vjp
def kepler(M, e):
    return solve_kepler(M, e)


def kepler_fwd(M, e):
    E = solve_kepler(M, e)
    return E, (e, E)                  # the value, and the residuals the backward rule receives


def kepler_bwd(residuals, E_bar):
    e, E = residuals
    ### BEGIN SOLUTION
    dF_dE = 1 - e * math.cos(E)       # F = E - e·sin(E) - M
    return E_bar / dF_dE, E_bar * math.sin(E) / dF_dE
    ### END SOLUTION


kepler.defvjp(kepler_fwd, kepler_bwd)

# %% tags=["check"] grade_id="kepler-check" points=3
course.check_kepler(kepler, kepler_fwd, kepler_bwd)

# %% [markdown]
# ### C · The straight-through estimator
#
# Rounding (quantising a network's weights, choosing a discrete action) has derivative $0$ wherever it
# has one, so nothing flows back through `np.round` and training stalls. The **straight-through
# estimator** keeps the rounded *value* but passes the derivative straight through, as if the
# function were the identity.
#
# Write `round_ste(x)` (elementwise on an array) whose value is exactly `np.round(x)` and whose
# derivative is 1 in each entry. Use `ad.stop_gradient`: start from `x`, and add a correction that
# turns its value into `np.round(x)` but that derivatives cannot see.

# %% tags=["exercise"] grade_id="ste-answer"
def round_ste(x):
    """round(x) in value, the identity's derivative: the straight-through estimator."""
    ### BEGIN SOLUTION
    return x + ad.stop_gradient(np.round(x) - x)
    ### END SOLUTION

# %% tags=["check"] grade_id="ste-check" points=2
course.check_straight_through(round_ste)

# %% [markdown]
# ## Summary
#
# * `ad.custom_jvp` gives a function its own forward rule (value, and a tangent linear in the
#   incoming tangents); reverse mode runs the same rule transposed. On the tape the function is one
#   node whose step is your rule.
# * `ad.custom_vjp` gives a backward rule: `fwd` returns the value and residuals, `bwd` one cotangent
#   per argument. With the **implicit function theorem** it differentiates a root or fixed point from
#   the solution alone, whatever the solver did — no iterations on the tape.
# * `ad.stop_gradient` is the identity on values and a constant for derivatives: a cut edge. It holds
#   targets fixed and builds estimators such as straight-through.
# * A custom rule is a promise you make: the check of each rule above compares it with an
#   independent reference. Do the same with yours: central differences, as in section 2.
#
# **Next:** lesson 11 measures what reverse mode keeps in memory, and trades memory for recomputation
# with `ad.checkpoint`.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018: the forward and reverse modes whose rules you override here.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3–4 for the modes; ch. 15, "Implicit and Iterative
#   Differentiation", for fixed points and the derivatives of solvers.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html) and
#   JAX's "Custom derivative rules" tutorial: `custom_jvp` for `log1pexp`, `custom_vjp` for fixed
#   points and gradient clipping, with the same API as here.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): each `Value` operation carries
#   its own `_backward` — a custom VJP for every primitive, written by hand.
