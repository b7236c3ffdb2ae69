# %% [markdown]
# # Lesson 3 · Reverse mode: adjoints and backpropagation
#
# *About 30 minutes.* You will learn:
#
# * what an **adjoint** $\bar v = \partial y/\partial v$ is, and how a **reverse sweep** computes
#   all of them, from the output back to the inputs;
# * why adjoints are *accumulated* with `+=`, and why reverse mode needs the **tape**;
# * what a **vector-Jacobian product** (VJP) is, why one reverse sweep gives a whole gradient, and
#   why that makes reverse mode the engine of **backpropagation**;
# * how to build a tiny reverse-mode engine yourself.

# %%
import math

import numpy as np
from IPython.display import SVG, display
from rich.console import Console

import adviz as ad
from adviz.course import adjoints as course   # this lesson's checks and "predict, then run" questions
from adviz.render.widgets import SweepPlayer

console = Console(width=120)

# %% [markdown]
# ## 1. Asking the question backwards
#
# Forward mode asks: *if the input moves, how does every intermediate value move?* It answers for
# one input direction per sweep. Reverse mode asks the opposite question: *how sensitive is the
# output to every intermediate value?* For a scalar output $y$, the answer for a node $v$ is its
# **adjoint**
#
# $$\bar v = \frac{\partial y}{\partial v}.$$
#
# The output's adjoint is trivial: $\bar y = \partial y/\partial y = 1$ — this is the **seed**.
# Now suppose we know $\bar v$ for a node $v = \phi(u, \dots)$. A change in its operand $u$ affects
# $y$ through $v$ by $\bar v \cdot \partial v/\partial u$. If $u$ is used by several nodes, the
# effects add up (the "add over paths" rule of lesson 1). So, visiting the nodes from the output
# back to the inputs:
#
# $$\bar u \mathrel{+}= \bar v\,\frac{\partial v}{\partial u}\qquad\text{for every operand } u \text{ of } v .$$
#
# When the sweep reaches the inputs, their adjoints are the partial derivatives of $y$ — **all of
# them at once**.

# %% [markdown]
# ## 2. By hand: $\sin(x^2+1)$ at $x = 3$
#
# First the ordinary evaluation, which we must *keep*: the local derivatives $\cos v_2$ and $2x$ need
# values from the forward pass. Then the adjoints, from the output back.
#
# **Predict, then run.** The sweep starts with $\bar v_3 = 1$. What will $\bar v_1$ be?
#
# * (a) 1
# * (b) cos(10)
# * (c) 6·cos(10)
# * (d) 6
#
# Replace the `...` with your letter and run the cell; then run the next one.

# %%
course.predict("v1-bar", ...)

# %%
# forward pass: compute and remember the values
x = 3.0
v1 = x**2
v2 = v1 + 1
v3 = math.sin(v2)

# reverse pass: adjoints, starting from the seed
v3_bar = 1.0
v2_bar = v3_bar * math.cos(v2)    # v3 = sin(v2)
v1_bar = v2_bar * 1.0             # v2 = v1 + 1
x_bar = v1_bar * 2 * x            # v1 = x**2
print(f"v̄3 = {v3_bar},  v̄2 = {v2_bar:.6f},  v̄1 = {v1_bar:.6f},  x̄ = {x_bar:.6f}")
print("cos(10)·6 =", math.cos(10) * 6)

# %% [markdown]
# Same number as forward mode, $\cos(10)\cdot 6 \approx -5.034$, but computed in the opposite order:
# the local derivatives were multiplied starting from the output end.
#
# ## 3. The same sweep, recorded by adviz
#
# `t.reverse()` runs the reverse sweep over the tape and records each update. Orange is adviz's
# colour for reverse mode.

# %%
t = ad.trace("sin(x**2 + 1)", x=3.0)
sweep = t.reverse()          # seed v̄3 = 1 on the output
console.print(t.table(sweep))
assert math.isclose(sweep.result["x"], 6 * math.cos(10))

# %% [markdown]
# Press ▶ and watch the orange adjoints flow from the output back to the input — the same graph as
# in lesson 2, the opposite direction:

# %%
player = SweepPlayer(t, mode="reverse")
display(player)

# %%
for k in range(player.n_steps + 1):
    player.goto(k)
    print(player.current_caption)

# %% [markdown]
# **Your turn: predict the next adjoint.** The quiz below plays the reverse sweep of
# $y = \ln x_1 + x_1x_2 - \sin x_2$ at $(2, 5)$, the example of Baydin et al.'s survey, and stops
# before every chain-rule term: type the adjoint it writes (a number such as `-0.5`, or numbers
# with functions such as `6*cos(10)`), then press Enter. A wrong answer gets a hint, and *reveal*
# shows the answer after a wrong try. Remember that adjoints add up: a variable used twice collects
# one term from each use.

# %%
survey = ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
quiz = SweepPlayer(survey, mode="reverse", quiz=True)
display(quiz)

# %% [markdown]
# Run this cell when you are done to see your score:

# %%
print(quiz.score, "(of", quiz.score.total, "questions)")

# %% [markdown]
# The first exercise at the end of the lesson asks for these answers again, and grades them.


# %% [markdown]
# ## 4. One sweep, every partial derivative
#
# With more than one input the payoff appears. For $f(x_1, x_2) = x_1x_2 + \sin x_1$ at $(2, 5)$
# forward mode needed two sweeps (lesson 2). Reverse mode needs one.
#
# **Predict, then run.** In that one sweep, how many contributions does $\bar x_1$ receive?
# Replace the `...` with a number.

# %%
course.predict("x1-contributions", ...)

# %%
t2 = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
sweep2 = t2.reverse()
console.print(t2.table(sweep2))
print("gradient:", {k: float(v) for k, v in sweep2.result.items()})
print("expected: x1 ->", 5 + math.cos(2), "  x2 ->", 2.0)

# %% [markdown]
# Look at the rows for $\bar x_1$: it receives **two** contributions, $\bar v_1 \cdot x_2$ from the
# product and $\bar v_2\cdot\cos x_1$ from the sine, added with `+=`. Forgetting to accumulate (using
# `=` instead of `+=`) is the classic bug of hand-written backpropagation: it silently drops all
# paths but one.

# %%
display(SVG(t2.to_svg(sweep2, step=len(sweep2.steps))))

# %% [markdown]
# ## 5. The price: the tape
#
# The reverse sweep visits the nodes **in the opposite order** to the program, and each update
# needs values from the forward pass ($\cos v_2$ needs $v_2$, the product rule needs the other
# factor). So reverse mode runs the program first, **stores** every intermediate value it will need
# (the tape), and only then sweeps backwards. Its memory grows with the length of the program;
# forward mode's does not. Deep-learning frameworks spend a lot of effort on this memory
# (checkpointing recomputes parts of the tape instead of storing them).

# %% [markdown]
# ## 6. Vector outputs: vector-Jacobian products
#
# For $f:\mathbb{R}^n\to\mathbb{R}^m$ the seed is a vector $\bar y = w$ with one entry per output, and
# the sweep returns
#
# $$\bar x = J^\top w \quad(\text{equivalently the row vector } w^\top J),$$
#
# a **vector-Jacobian product** (VJP). Seeding the $i$-th unit vector returns the $i$-th **row** of
# the Jacobian: the gradient of output $i$. Forward mode gives columns $Ju$, reverse mode gives rows
# $w^\top J$. adviz, like JAX, has `ad.vjp(f, *primals)`, which returns the value and a function
# that maps $w$ to $J^\top w$ (as a tuple, one entry per primal input).
#
# **Predict, then run.** The polar map of lesson 2 has 2 inputs and 2 outputs. How many reverse
# sweeps does its full Jacobian need?
#
# * (a) 1
# * (b) 2
# * (c) 4

# %%
course.predict("polar-reverse", ...)

# %%
def polar(p):
    r, theta = p[0], p[1]
    return np.stack([r * np.cos(theta), r * np.sin(theta)])

p = np.array([2.0, np.pi / 6])
y, pullback = ad.vjp(polar, p)
(row_x,) = pullback(np.array([1.0, 0.0]))    # gradient of the first output, r·cos θ
(row_y,) = pullback(np.array([0.0, 1.0]))    # gradient of the second output, r·sin θ
J = np.vstack([row_x, row_y])
print("Jacobian from two VJPs:\n", J)
assert np.allclose(J, ad.jacfwd(polar)(p))   # rows from reverse mode = columns from forward mode

# %% [markdown]
# ## 7. Backpropagation is reverse mode on a loss
#
# Training a model means adjusting many parameters to decrease one number, the loss. That is a
# function $\mathbb{R}^n \to \mathbb{R}$ with huge $n$ and $m = 1$: one reverse sweep returns the
# derivative of the loss with respect to *every* parameter. "Backpropagation" is the name the
# neural-network community gave to exactly this reverse sweep.
#
# A single neuron with a squared-error loss, $L = (\tanh(w x + b) - y)^2$, already shows the
# whole mechanism:

# %%
def neuron_loss(w, b, x=1.5, y=0.5):
    prediction = np.tanh(w * x + b)
    return (prediction - y) ** 2

tn = ad.trace(neuron_loss, 0.8, -0.3)
sweep_n = tn.reverse()
console.print(tn.table(sweep_n))
display(SVG(tn.to_svg(sweep_n, step=len(sweep_n.steps), title="L = (tanh(w·1.5 + b) − 0.5)²  at  w = 0.8, b = −0.3")))

# %%
w, b, x_in, y_target = 0.8, -0.3, 1.5, 0.5
a = np.tanh(w * x_in + b)
dL_dw = 2 * (a - y_target) * (1 - a**2) * x_in      # the chain rule, by hand
dL_db = 2 * (a - y_target) * (1 - a**2)
print("adviz  :", float(sweep_n.result["w"]), float(sweep_n.result["b"]))
print("by hand:", dL_dw, dL_db)
assert np.isclose(sweep_n.result["w"], dL_dw) and np.isclose(sweep_n.result["b"], dL_db)

# %% [markdown]
# ## 8. A reverse-mode engine in thirty lines
#
# Nothing about reverse mode is magic. Each value remembers its parents and the local derivative
# with respect to each; `backward` orders the nodes so that every node comes after its operands
# (that order *is* the tape), seeds the output and walks the order backwards, accumulating.

# %%
class Var:
    """A scalar that remembers how it was computed: its parents and the local partials."""

    def __init__(self, value, parents=()):
        self.value = value
        self.parents = parents          # pairs (parent Var, ∂self/∂parent)
        self.adjoint = 0.0

    def __add__(self, other):
        other = other if isinstance(other, Var) else Var(other)
        return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = other if isinstance(other, Var) else Var(other)
        return Var(self.value * other.value, ((self, other.value), (other, self.value)))

    __radd__, __rmul__ = __add__, __mul__


def var_sin(u):
    return Var(math.sin(u.value), ((u, math.cos(u.value)),))


def backward(output):
    order, seen = [], set()

    def visit(node):                    # depth-first: operands before the nodes that use them
        if id(node) not in seen:
            seen.add(id(node))
            for parent, _ in node.parents:
                visit(parent)
            order.append(node)

    visit(output)
    for node in order:
        node.adjoint = 0.0              # start clean, so calling backward twice is safe
    output.adjoint = 1.0                # the seed
    for node in reversed(order):        # the reverse sweep
        for parent, partial in node.parents:
            parent.adjoint += node.adjoint * partial


x1, x2 = Var(2.0), Var(5.0)
f = x1 * x2 + var_sin(x1)
backward(f)
print("f =", f.value, "  ∂f/∂x1 =", x1.adjoint, "  ∂f/∂x2 =", x2.adjoint)

# %% [markdown]
# adviz's engine does the same, with arrays instead of scalars, a registry of primitives instead of
# two methods, and a record of every step so that tables and pictures can show it.

# %% [markdown]
# ## Exercises
#
# ### 1. The quiz of section 3, graded
#
# What you type into the quiz widget stays in the browser: when your notebook is graded, it is run
# again from the top and the widget starts afresh. So write your answers here too, one per question
# (the questions again, without their answers):

# %%
for question in quiz.quiz.questions:
    print(question.prompt)

# %% [markdown]
# Replace each `...` with your answer: a number (`-0.5`) or a string of numbers and functions
# (`"6*cos(10)"`). The check marks them as the quiz does (within 0.2 %) and gives each wrong one the
# quiz's hint.

# %% tags=["exercise"] grade_id="quiz-answer"
quiz_answers = {   # question -> the adjoint it asks for
    "1.1": ...,
    "1.2": ...,
    "2": ...,
    "3.1": ...,
    "3.2": ...,
    "4.1": ...,
    "4.2": ...,
    "5": ...,
}
### BEGIN SOLUTION
quiz_answers = {"1.1": 1, "1.2": -1, "2": "-cos(5)", "3.1": 1, "3.2": 1, "4.1": 5, "4.2": "2 - cos(5)", "5": 5.5}
### END SOLUTION

# %% tags=["check"] grade_id="quiz-check" points=2
course.check_quiz(quiz_answers)

# %% [markdown]
# ### 2. Be the reverse sweep
#
# Be the reverse sweep for $g(a, b) = e^{ab} + a$. Its tape is
#
# $$v_1 = a\,b,\qquad v_2 = e^{v_1},\qquad v_3 = v_2 + a .$$
#
# `reverse_sweep(a, b, y_bar)` below runs the forward pass, seeds $\bar v_3 = \bar y$ and starts every
# other adjoint at zero. Write the adjoint updates in reverse order, `+=` each time, so that a variable
# used twice (which one is?) collects both contributions. Use only `math` and the forward values.
# The function returns every adjoint, so the check can follow your sweep node by node, with seeds
# other than 1 and at other points: the closed-form gradient is not what is asked for.

# %% tags=["exercise"] grade_id="adjoints-answer"
def reverse_sweep(a, b, y_bar=1.0):
    """All adjoints of g(a, b) = exp(a·b) + a, by one reverse sweep seeded with y_bar."""
    v1 = a * b                    # forward pass: compute and keep the values
    v2 = math.exp(v1)
    v3 = v2 + a
    v3_bar = y_bar                # the seed
    v2_bar = v1_bar = a_bar = b_bar = 0.0
    ### BEGIN SOLUTION
    # v3 = v2 + a
    v2_bar += v3_bar * 1.0
    a_bar += v3_bar * 1.0
    # v2 = exp(v1)
    v1_bar += v2_bar * v2
    # v1 = a * b
    a_bar += v1_bar * b
    b_bar += v1_bar * a
    ### END SOLUTION
    return {"v3": v3_bar, "v2": v2_bar, "v1": v1_bar, "a": a_bar, "b": b_bar}

# %% tags=["check"] grade_id="adjoints-check" points=3
course.check_reverse_sweep(reverse_sweep)

# %% [markdown]
# ## Summary
#
# * The **adjoint** $\bar v = \partial y/\partial v$ measures how much the output depends on $v$.
#   Seed $\bar y = 1$ and sweep backwards: $\bar u \mathrel{+}= \bar v\,\partial v/\partial u$.
# * One reverse sweep yields the partial derivatives with respect to **all** inputs; adjoints of a
#   value used several times **accumulate**.
# * Reverse mode needs the **tape**: values from the forward pass, visited in reverse order.
# * One sweep gives one **VJP** $J^\top w$, a row of the Jacobian. For a scalar loss that row is the
#   gradient: this is **backpropagation**.
#
# **Next:** lesson 4 counts the cost of both modes and tells you when to use which.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §3.2 is reverse mode, with a forward primal trace and a reverse adjoint trace
#   side by side; §3.3 and §4 tell how backpropagation and AD met.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 derives the adjoint (reverse) mode and its
#   incremental `+=` form; ch. 4 shows that a gradient costs a small constant times the function,
#   and what the tape costs in memory.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html),
#   "Vector-Jacobian products (VJPs, aka reverse-mode autodiff)".
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): `engine.py` is the `Var` class of
#   section 8, grown into a complete engine with a topological sort and `backward()`.
