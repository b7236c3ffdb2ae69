# %% [markdown]
# # Lesson 2 · Forward mode: tangents and dual numbers
#
# *About 25 minutes.* You will learn:
#
# * how **forward mode** carries a derivative (a *tangent*) along with every value, in the same
#   order as the program runs;
# * why **dual numbers** $a + b\varepsilon$ with $\varepsilon^2 = 0$ are forward mode in disguise,
#   and how to build them in a few lines of Python;
# * what a **Jacobian-vector product** (JVP) is, and why one forward sweep gives one
#   directional derivative — so a gradient of $n$ inputs needs $n$ sweeps.

# %%
import math

import numpy as np
from IPython.display import SVG, display
from rich.console import Console

import adviz as ad
from adviz.course import dual_numbers as course   # this lesson's checks and "predict, then run" questions
from adviz.render.widgets import SweepPlayer

console = Console(width=120)

# %% [markdown]
# ## 1. Nudge the input, follow the nudge
#
# Lesson 1 computed $\frac{d}{dx}\sin(x^2+1)$ by multiplying local derivatives along the tape.
# Forward mode does this multiplication *while the program runs*. Picture nudging the input by a
# tiny amount $\dot x$. Each intermediate value then moves too, by its own small amount, which we
# call its **tangent** and write with a dot:
#
# $$\dot v = \frac{\partial v}{\partial u}\,\dot u \quad\text{(one operand)}, \qquad
#   \dot v = \sum_{\text{operands } u} \frac{\partial v}{\partial u}\,\dot u \quad\text{(several operands).}$$
#
# Each step needs only its own local derivative and the tangents of its operands, which were
# computed one step earlier. If we **seed** the input with $\dot x = 1$, the tangent that arrives at
# the output is exactly $dy/dx$.
#
# Here is the forward sweep for $y = \sin(x^2+1)$ at $x = 3$, by hand, as value/tangent pairs:

# %%
x, x_dot = 3.0, 1.0                                  # seed: x moves at rate 1
v1, v1_dot = x**2, 2 * x * x_dot                     # d(x²) = 2x·dx
v2, v2_dot = v1 + 1, v1_dot                          # d(v1 + 1) = dv1
v3, v3_dot = math.sin(v2), math.cos(v2) * v2_dot     # d(sin v2) = cos(v2)·dv2

for name, value, tangent in [("x", x, x_dot), ("v1", v1, v1_dot), ("v2", v2, v2_dot), ("v3", v3, v3_dot)]:
    print(f"{name:>2} = {value:9.4f}    tangent = {tangent:9.4f}")

# %% [markdown]
# The tangent column reads $1,\ 6,\ 6,\ 6\cos 10 \approx -5.034$: the derivative appears at the
# output, and at no point did we need a formula for the whole function.
#
# ## 2. The same sweep, recorded by adviz
#
# `t.forward()` runs this sweep over a recorded tape and keeps a record of every step: which local
# partial it used, the contribution it made, and the new tangent. `t.table(sweep)` lays that record
# out as a table (print it with a `rich` console); blue is adviz's colour for forward mode.

# %%
t = ad.trace("sin(x**2 + 1)", x=3.0)
sweep = t.forward()          # seed ẋ = 1 on the only input
console.print(t.table(sweep))
assert math.isclose(sweep.result, 6 * math.cos(10))

# %% [markdown]
# **Predict, then run.** Seed the same sweep with $\dot x = 2$ instead of $1$. What is the output
# tangent?
#
# * (a) the same, 6·cos(10)
# * (b) twice as large, 12·cos(10)
# * (c) four times as large
# * (d) 6·cos(10) + 1
#
# Replace the `...` with your letter and run the cell; then run the next one.

# %%
course.predict("seed-twice", ...)

# %%
print("seed 1:", t.forward({"x": 1.0}).result)
print("seed 2:", t.forward({"x": 2.0}).result)

# %% [markdown]
# Now watch it. The player below shows the graph and the table after each step: press ▶ (or step
# with the buttons, or drag the slider). The strong blue box is the node whose tangent is computed at
# that step, the strong arrow carries the contribution, grey nodes are not reached yet.

# %%
player = SweepPlayer(t, mode="forward")
display(player)

# %% [markdown]
# The caption under the graph narrates each step; here are all of them, and the last picture:

# %%
for k in range(player.n_steps + 1):
    player.goto(k)
    print(player.current_caption)
display(SVG(t.to_svg(sweep, step=len(sweep.steps))))

# %% [markdown]
# ## 3. Dual numbers: forward mode as arithmetic
#
# There is a neat algebraic way to carry tangents. Invent a number $\varepsilon$ that is not zero
# but whose square is zero, $\varepsilon^2 = 0$ (like an infinitesimal you are allowed to compute
# with), and work with **dual numbers** $a + b\,\varepsilon$. Adding them is what you expect, and
# multiplying gives
#
# $$(a + b\varepsilon)(c + d\varepsilon) = ac + (ad + bc)\,\varepsilon + bd\,\varepsilon^2
#   = ac + (ad + bc)\,\varepsilon .$$
#
# The $\varepsilon$ part is exactly the product rule! More generally, Taylor's theorem gives
# $f(a + b\varepsilon) = f(a) + f'(a)\,b\,\varepsilon$, because every higher power of
# $\varepsilon$ vanishes. So if we evaluate a program on $x + 1\varepsilon$, the
# $\varepsilon$ part of the answer is the derivative. The "real" part is the value, the
# $\varepsilon$ part is the tangent.
#
# A dual-number class is short enough to write right here:

# %%
class Dual:
    """A dual number value + tangent·ε, with ε² = 0."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    @staticmethod
    def lift(other):
        return other if isinstance(other, Dual) else Dual(other, 0.0)  # a constant has tangent 0

    def __add__(self, other):
        other = Dual.lift(other)
        return type(self)(self.value + other.value, self.tangent + other.tangent)

    __radd__ = __add__

    def __mul__(self, other):
        other = Dual.lift(other)
        return type(self)(self.value * other.value, self.value * other.tangent + self.tangent * other.value)

    __rmul__ = __mul__

    def __pow__(self, n):   # integer powers only: v**n, with d(v**n) = n·v**(n-1)·dv
        return type(self)(self.value**n, n * self.value ** (n - 1) * self.tangent)

    def __repr__(self):
        sign = "-" if self.tangent < 0 else "+"
        return f"Dual({self.value:.6g} {sign} {abs(self.tangent):.6g}ε)"


# %% [markdown]
# **Predict, then run.** What is $(1 + \varepsilon)\cdot(1 + \varepsilon)$ with the class above?
#
# * (a) 1 + ε
# * (b) 1 + 2ε
# * (c) 1 + 2ε + ε²
# * (d) 2 + 2ε

# %%
course.predict("dual-square", ...)

# %%
print(Dual(1.0, 1.0) * Dual(1.0, 1.0))

# %%
def sin(u):
    """sin of a float or of a dual number: sin(a + bε) = sin a + cos(a)·b·ε."""
    if isinstance(u, Dual):
        return Dual(math.sin(u.value), math.cos(u.value) * u.tangent)
    return math.sin(u)


def f(x):
    return sin(x**2 + 1)

y = f(Dual(3.0, 1.0))          # evaluate at 3 + 1·ε
print(y)
print("derivative from the ε part:", y.tangent, "  cos(10)·6 =", math.cos(10) * 6)

# %% [markdown]
# Notice what the dual numbers did **not** need: a tape. Each tangent is computed the moment its
# value is, and can be forgotten as soon as the next step has used it. Forward mode therefore needs
# memory proportional to what the program itself keeps alive — a property reverse mode (lesson 3)
# does not have. adviz's `ad.jvp` works this way too: tangents travel alongside values, online.

# %% [markdown]
# ## 4. Several inputs: one sweep, one direction
#
# With several inputs we choose a tangent for each. Take $f(x_1, x_2) = x_1x_2 + \sin x_1$ at
# $(2, 5)$. Seeding $(\dot x_1, \dot x_2) = (1, 0)$ means "move $x_1$ only", and the output tangent
# is $\partial f/\partial x_1 = x_2 + \cos x_1$. Seeding $(0, 1)$ gives $\partial f/\partial x_2 = x_1$.
# Any other seed $u$ gives the derivative in the direction $u$, which is $\nabla f\cdot u$.

# %%
t2 = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
d1 = t2.forward("x1").result                         # seed (1, 0)
d2 = t2.forward("x2").result                         # seed (0, 1)
du = t2.forward({"x1": 0.6, "x2": 0.8}).result       # seed u = (0.6, 0.8)
print(f"∂f/∂x1 = {d1:.6f}   (5 + cos 2 = {5 + math.cos(2):.6f})")
print(f"∂f/∂x2 = {d2:.6f}   (x1 = 2)")
print(f"∇f·u   = {du:.6f}   (0.6·∂f/∂x1 + 0.8·∂f/∂x2 = {0.6 * d1 + 0.8 * d2:.6f})")
console.print(t2.table(t2.forward("x1")))

# %% [markdown]
# Each forward sweep answers one question: *how does the output move if the inputs move in
# direction $u$?* To get the whole gradient of a function of $n$ inputs you need $n$ sweeps, one per
# input direction. Keep that count in mind; it is the heart of lesson 4.

# %% [markdown]
# ## 5. Vector outputs: Jacobian-vector products
#
# When the output is a vector, the tangent at the output is a vector too. For
# $f:\mathbb{R}^n\to\mathbb{R}^m$ with Jacobian $J$ (the $m\times n$ matrix of partials), seeding
# $u$ gives
#
# $$\dot y = J\,u,$$
#
# a **Jacobian-vector product** (JVP). adviz, like JAX, calls it `ad.jvp(f, primals, tangents)`.
# Seeding the $j$-th unit vector returns the $j$-th *column* of $J$.
#
# Example: polar to Cartesian coordinates, $(r, \theta) \mapsto (r\cos\theta,\ r\sin\theta)$.
#
# **Predict, then run.** How many forward sweeps (JVPs) does its full $2\times 2$ Jacobian need?
# Replace the `...` with a number.

# %%
course.predict("polar-sweeps", ...)

# %%
def polar(p):
    r, theta = p[0], p[1]
    return np.stack([r * np.cos(theta), r * np.sin(theta)])

p = np.array([2.0, np.pi / 6])
_, column_r = ad.jvp(polar, (p,), (np.array([1.0, 0.0]),))       # move r only
_, column_theta = ad.jvp(polar, (p,), (np.array([0.0, 1.0]),))   # move θ only
J = np.column_stack([column_r, column_theta])
print("Jacobian from two JVPs:\n", J)
print("by hand [[cos θ, -r sin θ], [sin θ, r cos θ]]:\n",
      np.array([[np.cos(p[1]), -p[0] * np.sin(p[1])], [np.sin(p[1]), p[0] * np.cos(p[1])]]))
assert np.allclose(J, ad.jacfwd(polar)(p))

# %% [markdown]
# `ad.jacfwd` builds the whole Jacobian this way, one column per input direction.

# %% [markdown]
# ## Exercise
#
# Extend the dual numbers so that they can differentiate
#
# $$h(x) = \frac{e^x}{1 + x^2}.$$
#
# You need two more rules: **division** (the quotient rule, written for dual numbers:
# $\frac{a + b\varepsilon}{c + d\varepsilon} = \frac{a}{c} + \frac{bc - ad}{c^2}\varepsilon$) and
# the **exponential** ($e^{a + b\varepsilon} = e^a + e^a b\,\varepsilon$).
#
# `MyDual` below inherits addition, multiplication and powers from `Dual` (they return a `MyDual`
# because they build their result with `type(self)`), so you only add the two new rules: replace
# each `...` with the body, run the cell, then run the check. The check tries seeds other than
# $\dot x = 1$ too: a rule must work for any incoming tangent, not just the one `h'(x)` needs.

# %% tags=["exercise"] grade_id="dual-answer"
class MyDual(Dual):
    def __truediv__(self, other):
        """(a + bε) / (c + dε), by the quotient rule."""
        other = Dual.lift(other)
        a, b, c, d = self.value, self.tangent, other.value, other.tangent
        ### BEGIN SOLUTION
        return MyDual(a / c, (b * c - a * d) / c**2)
        ### END SOLUTION


def exp(u):
    """e^u for a float, or for a dual number u = a + bε (return a MyDual)."""
    if not isinstance(u, Dual):
        return math.exp(u)
    ### BEGIN SOLUTION
    return MyDual(math.exp(u.value), math.exp(u.value) * u.tangent)
    ### END SOLUTION


def h(x):
    return exp(x) / (1 + x * x)

# %% tags=["check"] grade_id="dual-check" points=3
course.check_dual_rules(MyDual, exp)

# %% [markdown]
# ## Summary
#
# * Forward mode carries a **tangent** $\dot v$ with every value, computed from local derivatives
#   in program order. Seed $\dot x = 1$ and the output tangent is $dy/dx$.
# * **Dual numbers** $a + b\varepsilon$, $\varepsilon^2 = 0$, are forward mode as arithmetic; no
#   tape is needed.
# * One sweep gives one **JVP** $J u$: a directional derivative, or one column of the Jacobian.
#   A full gradient of $n$ inputs costs $n$ sweeps.
#
# **Next:** lesson 3 runs the chain rule *backwards* and gets the whole gradient in one sweep.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §3.1 is forward mode, with a worked primal and tangent trace and a short
#   section on dual numbers.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 develops the tangent (forward) propagation and its
#   vector mode; ch. 4 bounds what it costs.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html),
#   "How it's made: two foundational autodiff functions": `jvp`, and how `jacfwd` is built from it.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd) implements reverse mode only:
#   after lesson 3, compare its `Value` class with the `Dual` class above.
