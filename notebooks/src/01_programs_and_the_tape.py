# %% [markdown]
# # Lesson 1 · Programs are compositions: the tape
#
# *About 20 minutes.* You will learn:
#
# * why a computer can differentiate a program it never saw as a formula;
# * what a **tape** (also called a *Wengert list* or *trace*) is, and how adviz records one;
# * how the **chain rule** turns the local derivatives of the tape's steps into the derivative
#   of the whole program, multiplying along a path and adding over paths.
#
# Run the cells from top to bottom (Shift+Enter). Nothing here needs more than school calculus.

# %% [markdown]
# ## 1. Three ways to get a derivative out of a computer
#
# Suppose some code computes $y = f(x)$ and you need $f'(x)$ — for an optimizer, a sensitivity
# study, or to train a network. There are three families of methods:
#
# * **Numerical** (finite differences): run $f$ at $x$ and at $x + h$ and divide the change by
#   $h$. Easy, but only approximate, and it needs an extra run of $f$ for every input.
# * **Symbolic**: give the *formula* of $f$ to a computer-algebra system that applies the rules
#   of calculus and returns a formula for $f'$. Exact, but the formulas can grow enormous, and a
#   program with loops and `if`s is not a formula.
# * **Automatic differentiation (AD)**: follow the computation *as it runs*, one elementary
#   operation at a time, and apply the chain rule to each operation. Exact up to rounding, and
#   cheap. This is what the lessons are about; lesson 5 puts the three side by side.
#
# The key observation behind AD is that no program is one big indivisible formula. It is a
# sequence of small steps, and for each small step we know the derivative.

# %% [markdown]
# ## 2. One formula, three small steps
#
# Take $y = \sin(x^2 + 1)$. A computer evaluates it in three steps, each applying one
# *primitive* operation to values it already has. Let us do that by hand at $x = 3$:

# %%
import math

x = 3.0
v1 = x**2          # square
v2 = v1 + 1        # add a constant
v3 = math.sin(v2)  # sine
print(f"v1 = {v1},  v2 = {v2},  v3 = sin(10) = {v3:.6f}")

# %% [markdown]
# The list of assignments above — each line one primitive, applied to the inputs or to earlier
# lines — is the **tape**. The intermediate names $v_1, v_2, v_3$ are how AD texts talk about it:
#
# $$v_1 = x^2 = 9, \qquad v_2 = v_1 + 1 = 10, \qquad v_3 = \sin v_2 = \sin 10 \approx -0.544.$$

# %% [markdown]
# ## 3. Recording the tape with adviz
#
# adviz records the tape for you. You write ordinary NumPy code; `ad.trace` runs it once on
# special *traced* values that note down every primitive operation applied to them.

# %%
import numpy as np

import adviz as ad
from adviz.course import tape as course   # this lesson's checks and "predict, then run" questions


def f(x):
    return np.sin(x**2 + 1)

t = ad.trace(f, 3.0)
print(t.to_text())

# %% [markdown]
# The inputs keep their parameter names (`x`), the operations are numbered `v1, v2, …` in the
# order they ran. Each entry of the tape is a `Node` that remembers everything a derivative will
# need later: which primitive ran, on which operands, and the value it produced.

# %%
for node in t.nodes:
    operands = [op.text for op in node.operands]
    print(f"{node.name:>3}: op={node.op:<6} operands={operands!s:<10} value={node.value:.6f}")

assert t["v1"].value == 9.0 and t["v2"].value == 10.0   # the numbers we computed by hand
assert t.primitive_count == 3

# %% [markdown]
# The same tape drawn as a **computational graph**: one box per node (its definition and value),
# one arrow per data dependency. The label on an arrow is the *local partial derivative* of the
# arrow's head with respect to its tail — our next topic. In Jupyter a trace shows itself as its
# graph; `t.to_svg(...)` gives the same picture with options, such as a title.

# %%
from IPython.display import SVG, display

display(SVG(t.to_svg(title="sin(x**2 + 1)  at  x = 3")))

# %% [markdown]
# ## 4. Local derivatives, and the chain rule along a path
#
# Every primitive comes with a rule for its own derivative. For our three steps:
#
# | step | local derivative | value at $x = 3$ |
# |---|---|---|
# | $v_1 = x^2$ | $\partial v_1/\partial x = 2x$ | $6$ |
# | $v_2 = v_1 + 1$ | $\partial v_2/\partial v_1 = 1$ | $1$ |
# | $v_3 = \sin v_2$ | $\partial v_3/\partial v_2 = \cos v_2$ | $\cos 10 \approx -0.839$ |
#
# Each local derivative only looks at *its own* step: the sine does not care how $v_2$ was made.
# The chain rule glues the steps together — the derivative of the composition is the product of
# the local derivatives along the path from $x$ to $y$:
#
# $$\frac{dy}{dx} = \frac{\partial v_3}{\partial v_2}\cdot\frac{\partial v_2}{\partial v_1}\cdot\frac{\partial v_1}{\partial x}
#   = \cos(10)\cdot 1\cdot 6 \approx -5.034.$$
#
# adviz stores each primitive's rule in a registry; a *sweep* over the tape (lessons 2 and 3)
# records which local derivative it used at every step, as a formula and as a number:

# %%
local = []
for step in t.forward().steps:
    for term in step.terms:
        name = t.nodes[term.target].name
        source = t.nodes[term.source].name
        print(f"∂{name}/∂{source} = {term.partial:<8} = {term.partial_value: .6f}")
        local.append(term.partial_value)

chain = local[0] * local[1] * local[2]
print("product of the local derivatives:", chain)
print("ad.grad(f)(3.0):                 ", ad.grad(f)(3.0))
print("formula cos(x²+1)·2x:            ", math.cos(10) * 6)

# %% [markdown]
# Three numbers, all the same: that is all AD does, done mechanically and for millions of steps.
# Notice what AD did **not** do: it never built the formula $\cos(x^2+1)\cdot 2x$. It worked
# with numbers at one point, $x = 3$, and a short rule per primitive.

# %% [markdown]
# ## 5. A value used twice: add over the paths
#
# Most programs use a value more than once. Take $f(x_1, x_2) = x_1 x_2 + \sin x_1$ at
# $x_1 = 2$, $x_2 = 5$. You can also give adviz the expression as a string.
#
# **Predict, then run.** How many entries will its tape have, counting the inputs?
#
# * (a) 3
# * (b) 5
# * (c) 6
#
# Replace the `...` with your letter (`"a"`, `"b"` or `"c"`) and run the cell; then run the next one.

# %%
course.predict("tape-entries", ...)

# %%
t2 = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
print(t2.to_text())
display(t2)

# %% [markdown]
# Now $x_1$ reaches the output along **two paths**: through the product $v_1 = x_1 x_2$ and
# through the sine $v_2 = \sin x_1$. A small change in $x_1$ travels down both, and the two
# effects add up. That is the multivariable chain rule: *multiply along each path, add over the
# paths*:
#
# $$\frac{\partial f}{\partial x_1}
#   = \underbrace{1\cdot x_2}_{\text{via } v_1} + \underbrace{1\cdot\cos x_1}_{\text{via } v_2}
#   = 5 + \cos 2 \approx 4.584,
# \qquad
# \frac{\partial f}{\partial x_2} = \;?$$
#
# **Predict, then run.** What is $\partial f/\partial x_2$ at $(2, 5)$? Count the paths from $x_2$
# to the output first. Replace the `...` with a number.

# %%
course.predict("partial-x2", ...)

# %%
g1, g2 = ad.grad(lambda x1, x2: x1 * x2 + np.sin(x1), argnums=(0, 1))(2.0, 5.0)
print("∂f/∂x1 =", g1, "   expected 5 + cos 2 =", 5 + math.cos(2))
print("∂f/∂x2 =", g2)

# %% [markdown]
# Counting paths by hand stops being practical quickly (a deep network has astronomically many),
# which is why the next two lessons organise the same sums into one sweep over the tape.

# %% [markdown]
# ## 6. The tape records what ran, not what was written
#
# A tape is not the source code. Python loops, function calls and `if`s run normally; only the
# arithmetic on traced values is recorded, in the order it happened.
#
# **Predict, then run.** How many multiplications will the tape of `power(x, n=4)` below hold?
#
# * (a) 1 (the loop body is one line)
# * (b) 3
# * (c) 4
# * (d) 0: loops are not recorded

# %%
course.predict("loop-length", ...)

# %%
def power(x, n=4):
    y = x
    for _ in range(n - 1):   # the loop itself leaves no trace ...
        y = y * x            # ... but each multiplication it performs does
    return y

tp = ad.trace(power, 2.0)
print(tp.to_text())
print("d/dx x⁴ at 2:", ad.grad(power)(2.0), "  (4·2³ = 32)")

# %% [markdown]
# Each pass through the loop recorded one multiplication: the tape is the *unrolled*, executed
# program. Constants such as the `1` in `v1 + 1` are baked into the tape; only the inputs
# are variables. Lesson 6 shows what this means for programs with branches.

# %% [markdown]
# ## 7. Other books, other names
#
# Textbooks write the same tape with different names for its rows. adviz keeps the inputs' own
# names and numbers only the operations. Many lecture notes number every row, inputs first:
# $v_1 = x_1$, $v_2 = x_2$, then $v_3 = v_1 v_2$. Griewank and Walther's book and the Baydin et
# al. survey (see *Further reading*) number the $n$ inputs $v_{1-n}, \dots, v_0$ and the
# operations $v_1, \dots, v_l$, so the sign of the index tells an input ($i \le 0$) from a
# computed value ($i > 0$). `to_text(notation=...)` writes one tape in each of these notations:

# %%
t2 = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
for name in ("adviz", "inputs-first", "griewank"):
    print(f"--- notation={name!r}")
    print(t2.to_text(notation=name))

# %% [markdown]
# Only the names change: the rows and their values are the same records.
#
# The survey's own example is $y = \ln x_1 + x_1 x_2 - \sin x_2$ at $(2, 5)$, and its table lists
# the operations in the order $\ln$, $\times$, $\sin$, $+$, $-$. Before you run the next cell,
# decide in which order Python evaluates `log(x1) + x1*x2 - sin(x2)`: does `sin(x2)` come before
# or after the `+`? The cell prints adviz's tape in the order Python ran it (`order="tape"`),
# then in the survey's notation with its own order, *by levels* (each operation as early as its
# operands allow), which is what `notation="griewank"` lists unless told otherwise.

# %%
ts = ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
print(ts.to_text(notation="griewank", order="tape"))
print()
print(ts.to_text(notation="griewank"))

# %% [markdown]
# Any order in which every row uses only rows above it is a valid tape of the same function,
# and every order gives the same derivatives. adviz records the order Python ran; the survey
# wrote its rows by levels. In a terminal,
# `adviz trace "log(x1) + x1*x2 - sin(x2)" --at x1=2 --at x2=5 --notation griewank`
# prints the survey's forward and reverse tables row for row, in the same order as this cell
# (lessons 2 and 3 explain them).

# %% [markdown]
# ## 8. Your turn: a playground
#
# Type any expression and values below and press Enter: the widget traces it and shows its tape and
# graph, with a player for the sweep (lessons 2 and 3 explain the sweeps). Try `x*x*x`,
# `exp(sin(x)) * x` or `x1*x2 + sin(x1)`. A typing mistake shows where the problem is.

# %%
from adviz.render.widgets import Playground

Playground("x1*x2 + sin(x1)", "x1=2, x2=5")

# %% [markdown]
# ## Exercise
#
# Take $g(x) = e^{\cos(3x)}$. You are the AD engine now: without calling adviz, work out
#
# 1. `n_primitives`: how many primitive operations the tape of `np.exp(np.cos(3 * x))` has;
# 2. `local_partials`: the value of each step's local derivative at the point `x`, in tape order
#    (use `np.sin`, `np.cos`, `np.exp` on numbers);
# 3. `dg_dx`: the derivative $g'(x)$, from the chain rule.
#
# Write your answers inside the function `by_hand(x)` below, as formulas in its argument `x`
# rather than numbers worked out for $0.5$: the check calls it at $x = 0.5$ and at two other
# points. Leave adviz out of it: `ad.grad` or `ad.trace` would do the work for you, and the check
# notices if `by_hand` runs them.
#
# Replace each `...` in the cell below with your answer and run it (to see your numbers, call
# `by_hand(x0)` in a new cell), then run the check cell after it. The check marks each part ✓ or
# ✗ and, for a ✗, gives a hint about the idea to revisit (never the number itself).

# %% tags=["exercise"] grade_id="tape-answer"
x0 = 0.5


def by_hand(x):
    """The tape of g(x) = exp(cos(3x)) at the point x, worked through by hand (no adviz)."""
    n_primitives = ...      # how many primitive operations does the tape of g record?
    local_partials = ...    # a list: each step's own local derivative at x, in tape order
    dg_dx = ...             # g'(x), by the chain rule
    ### BEGIN SOLUTION
    n_primitives = 3        # v1 = 3 * x,  v2 = cos(v1),  v3 = exp(v2)
    v1 = 3 * x
    v2 = np.cos(v1)
    local_partials = [3.0, -np.sin(v1), np.exp(v2)]
    dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
    ### END SOLUTION
    return n_primitives, local_partials, dg_dx

# %% tags=["check"] grade_id="tape-check" points=3
course.check_tape(by_hand)

# %% [markdown]
# ## Summary
#
# * A program is a composition of primitives; its **tape** lists them in the order they ran,
#   with their values. `ad.trace(f, x)` records it.
# * Every primitive knows its **local derivative**. The chain rule multiplies local derivatives
#   along a path and adds the contributions of different paths.
# * AD works with numbers at one point and never builds a derivative formula.
# * Books name the rows differently (`x1, v1, …`; `v1 = x1, …`; `v₋₁, v₀, v₁, …`); the tape is
#   the same, and any order in which each row uses only earlier rows is a valid tape.
#
# **Next:** lesson 2 pushes derivatives *forward* along the tape, alongside the values.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §2 contrasts AD with numerical and symbolic differentiation; §3 writes a small
#   program as an evaluation trace, the tape of this lesson.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 (fundamentals of forward and reverse) starts from the
#   same evaluation procedures; ch. 4 counts their memory and operations.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html): `grad`
#   and friends on real NumPy-style code.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): a complete scalar AD engine in
#   about 100 lines, whose `Value` objects record the same graph as adviz's tape.
