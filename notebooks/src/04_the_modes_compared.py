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
import numpy as np
from IPython.display import display
from rich.console import Console

import adviz as ad
from adviz.numeric.cost import cost_sweep, layer_function, measure_cost
from adviz.render.plots import cost_plot
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
cost_plot(sweep)

# %%
print("operations, forward mode, as n grows:", sweep.series("n", "forward"))
print("operations, reverse mode, as n grows:", sweep.series("n", "reverse"))
print("the modes cross at n =", sweep.crossover("n"), " and at m =", sweep.crossover("m"))

# %% [markdown]
# Counts are honest but abstract. Here is wall-clock time for the gradient ($m = 1$) as $n$ grows:
# $n$ separate JVPs against one VJP. (Timings on your machine will differ; the trend will not.)

# %%
for n in (10, 100, 400):
    report = measure_cost(layer_function(n, 1), np.linspace(-1, 1, n), timing=True, repeat=1)
    fwd, rev = report.row("forward").seconds, report.row("reverse").seconds
    print(f"n = {n:4d}:  {n:4d} forward sweeps {fwd * 1e3:8.3f} ms    1 reverse sweep {rev * 1e3:7.3f} ms"
          f"    ratio {fwd / rev:6.1f}")

# %% [markdown]
# To *see* the difference, run both modes side by side on a function of four inputs and one output.
# Each step of the slider advances both: forward mode needs a sweep per input (four), reverse mode
# is done after one sweep. The counters show the chain-rule terms each side has evaluated.

# %%
comparison = ModeComparison("x1*x2 + x2*x3 + x3*x4 + sin(x4)", "x1=1, x2=2, x3=3, x4=4")
display(comparison)

# %%
comparison.last()
print("chain-rule terms, forward mode (4 sweeps):", comparison.forward_ops)
print("chain-rule terms, reverse mode (1 sweep): ", comparison.reverse_ops)

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
# which makes a good sanity check of any AD implementation (adviz's test suite uses it):

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
# Let $f:\mathbb{R}^3\to\mathbb{R}^2$, $f(x) = \big(x_0 x_1 x_2,\ \sin x_0 + x_2^2\big)$, at
# $x = (1, 2, 3)$.
#
# 1. Build the Jacobian `J_forward` column by column with `ad.jvp` (how many calls?).
# 2. Build `J_reverse` row by row with `ad.vjp` (how many calls of the pullback?).
# 3. For a function $\mathbb{R}^{1000}\to\mathbb{R}^{10}$, how many sweeps does each mode need for the
#    full Jacobian? Set `forward_sweeps`, `reverse_sweeps` and `cheaper` (`"forward"` or `"reverse"`).
#
# The cell below holds a reference solution so that the notebook runs from top to bottom.
# **Replace it with your own code**, then run the check.

# %% tags=["exercise"]
def f3(x):
    return np.stack([x[0] * x[1] * x[2], np.sin(x[0]) + x[2] ** 2])

x0 = np.array([1.0, 2.0, 3.0])
columns = [ad.jvp(f3, (x0,), (e,))[1] for e in np.eye(3)]
J_forward = np.column_stack(columns)

_, pull = ad.vjp(f3, x0)
J_reverse = np.vstack([pull(e)[0] for e in np.eye(2)])

forward_sweeps, reverse_sweeps, cheaper = 1000, 10, "reverse"

# %% tags=["check"]
J_exact = np.array([[x0[1] * x0[2], x0[0] * x0[2], x0[0] * x0[1]],     # by hand
                    [np.cos(x0[0]), 0.0, 2 * x0[2]]])
assert np.allclose(J_forward, J_exact), J_forward
assert np.allclose(J_reverse, J_exact), J_reverse
assert (forward_sweeps, reverse_sweeps) == (1000, 10), "one forward sweep per input, one reverse sweep per output"
assert cheaper == "reverse"
print("Correct:\n", J_exact)

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
