# %% [markdown]
# # Lesson 4 · The modes compared: what a Jacobian costs
#
# *About 25 minutes.* You will learn:
#
# * why a full Jacobian of $f:\mathbb{R}^n\to\mathbb{R}^m$ costs **$n$ forward sweeps or $m$ reverse
#   sweeps**, and how to pick the cheaper mode;
# * how to *measure* that cost on a real tape, not just believe it;
# * that both modes compute the same chain-rule product of local Jacobians, bracketed differently;
# * the identity $w^\top (J u) = (J^\top w)^\top u$ that ties JVPs and VJPs together.

# %%
# %matplotlib inline
import timeit

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from rich.console import Console

import adviz as ad
from adviz.course import modes as course   # this lesson's checks and "predict, then run" questions
from adviz.numeric.cost import cost_sweep, layer_function, measure_cost
from adviz.render.widgets import ModeComparison

console = Console(width=120)

# %% [markdown]
# ## 1. Columns or rows
#
# For a function with $n$ inputs and $m$ outputs the Jacobian $J$ has $m$ rows and $n$ columns.
# From lessons 2 and 3:
#
# | | one sweep computes | full Jacobian needs | memory |
# |---|---|---|---|
# | forward mode (JVP) | $J u$: one **column** for $u = e_j$ | $n$ sweeps | no tape |
# | reverse mode (VJP) | $w^\top J$: one **row** for $w = e_i$ | $m$ sweeps | the tape |
#
# Either kind of sweep costs a small constant multiple of one evaluation of $f$: every primitive
# gets one local-derivative update per operand. So the question "which mode?" is simply "which is
# smaller, $n$ or $m$?"
#
# * training a model: loss $\mathbb{R}^{\text{millions}} \to \mathbb{R}$ ⇒ reverse mode, one sweep;
# * sensitivity of a whole trajectory to one parameter, $\mathbb{R} \to \mathbb{R}^{\text{many}}$ ⇒
#   forward mode, one sweep;
# * square Jacobians ⇒ roughly a tie; forward mode wins on memory.

# %% [markdown]
# ## 2. Counting on a real tape
#
# `adviz.numeric.cost.measure_cost` computes the full Jacobian four ways and counts the work:
# every finite-difference evaluation of $f$ is traced and its primitives counted, every forward and
# reverse sweep is run on the tape and its derivative operations (one per local partial used)
# counted. The test function is a small network layer $x \mapsto \tanh(W\sin x)$ from
# $\mathbb{R}^n$ to $\mathbb{R}^m$: three primitives whatever $n$ and $m$ are.
#
# First a **gradient**: $n = 8$ inputs, $m = 1$ output.
#
# **Predict, then run.** How many forward sweeps does forward mode need for this gradient? Replace
# the `...` with a number.

# %%
course.predict("gradient-forward", ...)

# %%
n = 8
gradient_cost = measure_cost(layer_function(n, 1), np.linspace(-1, 1, n), timing=False)
console.print(gradient_cost)

# %% [markdown]
# Forward mode needs one pass per input (8), reverse mode one pass per output (1). Finite differences
# (lesson 5) need an extra *evaluation of the whole function* per input. Now the opposite shape:
# $n = 1$ input, $m = 8$ outputs.

# %%
tall_cost = measure_cost(layer_function(1, 8), np.array([0.3]), timing=False)
console.print(tall_cost)
assert gradient_cost.cheaper_mode == "reverse" and tall_cost.cheaper_mode == "forward"

# %% [markdown]
# ## 3. Where the modes cross
#
# `cost_sweep` repeats the measurement for growing $n$ (with $m = 8$ fixed) and growing $m$ (with
# $n = 8$ fixed). Forward mode's cost grows with $n$ and ignores $m$; reverse mode's grows with $m$
# and ignores $n$. The lines cross at $n = m$.

# %%
sweep = cost_sweep(ns=(1, 2, 4, 8, 16, 32, 64), ms=(1, 2, 4, 8, 16, 32, 64), fixed_m=8, fixed_n=8)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, axis, values, fixed in ((axes[0], "n", sweep.ns, "m = 8 outputs"), (axes[1], "m", sweep.ms, "n = 8 inputs")):
    ax.plot(values, sweep.series(axis, "forward"), "o-", color="#1d4ed8", label="forward mode (JVPs)")
    ax.plot(values, sweep.series(axis, "reverse"), "s-", color="#c2410c", label="reverse mode (VJPs)")
    ax.axvline(8, color="0.5", ls=":", lw=1)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(values, [str(v) for v in values])
    ax.set_xlabel(f"{axis} ({'inputs' if axis == 'n' else 'outputs'})")
    ax.set_title(f"operations for the full Jacobian ({fixed})", fontsize=10)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("operations on the tape")
axes[0].legend()
plt.show()

# %%
print("operations, forward mode, as n grows:", sweep.series("n", "forward"))
print("operations, reverse mode, as n grows:", sweep.series("n", "reverse"))
print("forward differences, as n grows:     ", sweep.series("n", "fd-forward"))
print("the modes cross at n =", sweep.crossover("n"), " and at m =", sweep.crossover("m"))

# %% [markdown]
# In these units (one primitive evaluated or one local partial applied = one operation), forward
# differences cost *exactly* what forward mode costs: both touch every primitive once per input
# direction, $(n + 1)\cdot P$ operations. (`adviz.render.plots.cost_plot(sweep)` draws all four
# methods; there the two lines lie on top of each other.) What separates them is accuracy, the
# subject of lesson 5, not operation count.
#
# Counts are honest but abstract. Here is wall-clock time for the gradient ($m = 1$) as $n$ grows:
# $n$ separate JVPs against one VJP (recording the tape and pulling one adjoint back). Each time is
# the best of five runs, which filters out most of the noise of a busy machine. (Your numbers will
# differ; the trend will not.)

# %%
print("    n    n forward sweeps   1 reverse sweep   total ratio   one JVP / the VJP")
for n in (10, 100, 400):
    f, x = layer_function(n, 1), np.linspace(-1, 1, n)
    directions = np.eye(n)
    fwd = min(timeit.repeat(lambda: [ad.jvp(f, (x,), (e,)) for e in directions], number=1, repeat=5))
    rev = min(timeit.repeat(lambda: ad.vjp(f, x)[1](np.ones(1)), number=1, repeat=5))
    print(f"{n:5d}   {fwd * 1e3:12.3f} ms   {rev * 1e3:11.3f} ms   {fwd / rev:11.1f}   {fwd / n / rev:17.2f}")

# %% [markdown]
# The last column stays of order one — a few at most, depending on $n$ and on the machine: one JVP
# costs about as much as the VJP, because both make one pass over the same three primitives. So the
# total ratio grows roughly in proportion to $n$, the number of forward sweeps — the count of
# section 2, now in seconds.

# %% [markdown]
# To *see* the difference, run both modes side by side on a function of four inputs and one output.
# Each step of the slider advances both: forward mode needs a sweep per input (four), reverse mode
# is done after one sweep. The counters show the chain-rule terms each side has evaluated.

# %%
comparison = ModeComparison("x1*x2 + x2*x3 + x3*x4 + sin(x4)", "x1=1, x2=2, x3=3, x4=4")
display(comparison)

# %% [markdown]
# **Predict, then run.** The function has 7 primitives and 13 edges, so the reverse sweep evaluates 13
# chain-rule terms, one per edge. How many do the four forward sweeps evaluate together?
#
# * (a) 13, as many as reverse mode
# * (b) 21
# * (c) 52 = 4 × 13
# * (d) 4, one per sweep

# %%
course.predict("forward-terms", ...)

# %%
print("chain-rule terms, forward mode (4 sweeps):", comparison.forward_total_ops)
print("chain-rule terms, reverse mode (1 sweep): ", comparison.reverse_total_ops)

t4 = ad.trace("x1*x2 + x2*x3 + x3*x4 + sin(x4)", x1=1.0, x2=2.0, x3=3.0, x4=4.0)
per_sweep = {name: sum(len(step.terms) for step in t4.forward(name).steps) for name in t4.input_names}
edges = sum(len(step.terms) for step in t4.reverse().steps)
print("terms per forward sweep:", per_sweep, "  edges:", edges, "  dense count:", len(per_sweep) * edges)

# %% [markdown]
# Written densely, each forward sweep would apply all 13 local partials: $4 \times 13 = 52$ terms.
# adviz skips a term whose incoming tangent is known to be zero (never set because that operand does
# not depend on the seeded input): the sweep seeded on $x_1$ only reaches $v_1 = x_1x_2$ and what
# follows from it. In the comparison above the skipped arrows are the dotted ones
# ("ẋ2 = 0: nothing to carry"). Reverse mode has nothing to skip here: every node lies on a path
# to the single output. Either way, forward mode does more work for this shape ($n = 4 > m = 1$).

# %% [markdown]
# ## 4. Same product, different brackets
#
# Why is there a choice at all? Write a program as a chain of three steps,
# $f = f_3 \circ f_2 \circ f_1$. The chain rule makes its Jacobian a product of the steps' Jacobians:
#
# $$J = J_3\, J_2\, J_1 .$$
#
# Matrix multiplication is associative, so we may bracket this product as we like:
#
# * **forward mode** starts at the input end: $J_3\,(J_2\,(J_1\,u))$ — matrix times *vector*, three
#   times, for each input direction $u$;
# * **reverse mode** starts at the output end: $((w^\top J_3)\, J_2)\, J_1$ — *vector* times matrix,
#   three times, for each output direction $w$.
#
# Counting multiply-adds for a chain $\mathbb{R}^{n}\to\mathbb{R}^{h}\to\mathbb{R}^{h}\to\mathbb{R}^{m}$
# makes the $n$ versus $m$ rule visible:

# %%
def chain_flops(n, h, m):
    per_column = h * n + h * h + m * h        # J1 u, then J2 (...), then J3 (...)
    per_row = m * h + h * h + h * n           # w^T J3, then (...) J2, then (...) J1
    return n * per_column, m * per_row        # full Jacobian: n columns, or m rows

for n, h, m in [(1000, 50, 1), (1, 50, 1000), (100, 50, 100)]:
    fwd, rev = chain_flops(n, h, m)
    print(f"n={n:5d} h={h} m={m:5d}:  forward {fwd:>12,d}   reverse {rev:>12,d}   -> "
          f"{'forward' if fwd < rev else 'reverse' if rev < fwd else 'tie'}")

# %% [markdown]
# AD never builds the matrices $J_k$: a sweep applies each local Jacobian to a vector directly, which
# is why a sweep costs about as much as the function. (For a long chain with mixed widths, neither
# pure bracketing need be cheapest; mixing the two orders is called *cross-country* elimination, and
# finding the cheapest order is a hard optimisation problem in general.)

# %% [markdown]
# ## 5. JVPs and VJPs are transposes of each other
#
# The derivative of $f$ at $x$ is a linear map. Forward mode applies it, $u \mapsto Ju$; reverse mode
# applies its transpose, $w \mapsto J^\top w$. Transposes satisfy the **dot-product identity**
#
# $$w^\top (J u) = (J^\top w)^\top u \qquad\text{for all } u, w,$$
#
# which makes a good sanity check of any AD implementation (adviz's test suite uses it).
#
# **Predict, then run.** Computed in floating point, how do the two sides compare?
#
# * (a) exactly equal, always
# * (b) equal up to rounding
# * (c) equal only when J is symmetric

# %%
course.predict("dot-identity", ...)

# %%
rng = np.random.default_rng(0)
f = layer_function(5, 3)
x = rng.normal(size=5)
u, w = rng.normal(size=5), rng.normal(size=3)

_, Ju = ad.jvp(f, (x,), (u,))
_, pullback = ad.vjp(f, x)
(JTw,) = pullback(w)
print("w·(J u)  =", w @ Ju)
print("(Jᵀw)·u  =", JTw @ u)
assert np.isclose(w @ Ju, JTw @ u)

# %% [markdown]
# ## Exercise
#
# Build Jacobians yourself, the way `jacfwd` and `jacrev` do conceptually.
#
# 1. `jacobian_by_columns(f, x)`: the Jacobian of `f` at `x`, one column per call of `ad.jvp`
#    (seed the unit vectors $e_j$). How many calls does it take?
# 2. `jacobian_by_rows(f, x)`: the Jacobian from **one** call of `ad.vjp`, whose pullback you call once
#    per output (seed $e_i$).
# 3. For a function $\mathbb{R}^{1000}\to\mathbb{R}^{10}$, how many sweeps does each mode need for the
#    full Jacobian? Set `forward_sweeps`, `reverse_sweeps` and `cheaper` (`"forward"` or `"reverse"`).
#
# `f3` below, $f(x) = \big(x_0 x_1 x_2,\ \sin x_0 + x_2^2\big)$ at $x = (1, 2, 3)$, is for trying your
# functions out. The checks run them on other functions too, and count how often `f` is evaluated:
# `ad.jacfwd` would give the right numbers, but not the way this exercise asks for.

# %% tags=["exercise"] grade_id="modes-answer"
def f3(x):
    return np.stack([x[0] * x[1] * x[2], np.sin(x[0]) + x[2] ** 2])


def jacobian_by_columns(f, x):
    """The Jacobian of f at the vector x, one ad.jvp call per column."""
    ### BEGIN SOLUTION
    columns = [ad.jvp(f, (x,), (e,))[1] for e in np.eye(len(x))]
    return np.column_stack(columns)
    ### END SOLUTION


def jacobian_by_rows(f, x):
    """The Jacobian of f at the vector x from one ad.vjp call: one pullback per row."""
    ### BEGIN SOLUTION
    y, pullback = ad.vjp(f, x)
    return np.vstack([pullback(e)[0] for e in np.eye(len(y))])
    ### END SOLUTION


forward_sweeps = ...    # for R^1000 -> R^10
reverse_sweeps = ...
cheaper = ...           # "forward" or "reverse"
### BEGIN SOLUTION
forward_sweeps, reverse_sweeps, cheaper = 1000, 10, "reverse"
### END SOLUTION

# %% tags=["check"] grade_id="modes-columns-check" points=2
course.check_columns(jacobian_by_columns)

# %% tags=["check"] grade_id="modes-rows-check" points=2
course.check_rows(jacobian_by_rows)

# %% tags=["check"] grade_id="modes-counts-check"
course.check_counts(forward_sweeps, reverse_sweeps, cheaper)

# %% [markdown]
# ## Summary
#
# * Full Jacobian of $\mathbb{R}^n\to\mathbb{R}^m$: **$n$ forward sweeps** (columns) or **$m$ reverse
#   sweeps** (rows); each sweep costs a few evaluations of $f$. Pick the smaller of $n$ and $m$.
# * Gradients of scalar losses ($m = 1$) are reverse mode's home ground; forward mode needs no tape.
# * Both modes evaluate the chain-rule product $J_3J_2J_1$ — bracketed from the input end or from
#   the output end — without ever forming the matrices.
# * JVP and VJP are transposes: $w^\top(Ju) = (J^\top w)^\top u$.
#
# **Next:** lesson 5 compares AD with the two classic alternatives, finite differences and symbolic
# differentiation.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §3.1 and §3.2 end with the cost of each mode: $n$ forward or $m$ reverse
#   sweeps for a full Jacobian.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 introduces both modes on the same evaluation
#   procedure; ch. 4 proves the complexity bounds (a gradient for a small constant times the cost of
#   the function) and what reverse mode pays in memory. Part II of the book goes beyond pure forward
#   and reverse: sparsity, and Jacobian accumulation by cross-country elimination.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html),
#   "Jacobians and Hessians using `jacfwd` and `jacrev`": when each is the faster one.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): a scalar reverse-mode engine — it
#   only ever needs gradients of one loss, reverse mode's home ground.
