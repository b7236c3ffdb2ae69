# %% [markdown]
# # Lesson 6 · Control flow: AD differentiates the executed program
#
# *About 25 minutes.* You will learn:
#
# * how AD handles `if`, loops and data-dependent iteration counts: it differentiates the path that
#   actually ran;
# * what happens at **kinks** and branch points, and which conventions adviz and other AD systems use
#   there;
# * how "exact" AD can still return `nan` or a surprising number — because it differentiates the
#   **floating-point program**, not the ideal mathematical function — and how to write programs
#   whose derivatives behave.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import adviz as ad
from adviz.course import control_flow as course   # this lesson's checks and predictions

# %% [markdown]
# ## 1. A branch
#
# Here is a function defined in two pieces:

# %%
def f(x):
    if x > 0:
        return x * x
    else:
        return -x

for x0 in (2.0, -2.0):
    print(f"x = {x0:+}:  f(x) = {f(x0)},  AD derivative = {ad.grad(f)(x0)}")

# %% [markdown]
# At $x = 2$ the program runs the first branch, so AD differentiates $x \cdot x$ and reports $2x = 4$.
# At $x = -2$ it runs the second branch and reports $-1$. There is no need for a global formula
# covering every path: the tape only contains the path that ran. Compare the two tapes:

# %%
print(ad.trace(f, 2.0).to_text())
print()
print(ad.trace(f, -2.0).to_text())

# %% [markdown]
# The comparison `x > 0` is nowhere on either tape. A comparison has no useful derivative (its value
# jumps from `False` to `True`), so adviz evaluates it on the plain value and lets Python pick the
# branch. Only arithmetic on traced values is recorded.
#
# ## 2. At the kink
#
# **Predict, then run.** What does AD report for $f'(0)$?
#
# * (a) 0
# * (b) −1
# * (c) 1
# * (d) nan, or an error: f has a kink there
#
# Replace the `...` with your letter and run the cell; then run the next one.

# %%
course.predict("branch-at-zero", ...)

# %% [markdown]
# The condition `0 > 0` is false, so the second branch runs and AD reports the slope of $-x$.
# Mathematically $f$ has no derivative at $0$: the slope is $-1$ on the left and $0$ on the right.
# AD does not notice; it reports the slope of the branch that executed.

# %%
xs = np.linspace(-1.5, 1.5, 301)
values = [f(x) for x in xs]
slopes = [ad.grad(f)(x) for x in xs]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
ax1.plot(xs, values, color="#1d4ed8")
ax1.set_title("f(x) = x·x if x > 0 else −x")
ax2.plot(xs, slopes, ".", markersize=3, color="#c2410c")
ax2.plot([0.0], [ad.grad(f)(0.0)], "o", markersize=9, markerfacecolor="none", color="black")
ax2.annotate("AD at x = 0: the else branch ran", (0.0, -1.0), (0.1, -0.55), arrowprops={"arrowstyle": "->"})
ax2.set_title("derivative reported by AD")
for ax in (ax1, ax2):
    ax.axvline(0, color="grey", lw=0.6)
    ax.grid(alpha=0.3)
    ax.set_xlabel("x")
plt.show()

# %% [markdown]
# The same happens inside primitives that have kinks. At a kink any value between the left and right
# slopes is a valid *subgradient*, and each AD system picks one, in the primitive's derivative rule.
# Here are adviz's:

# %%
kinks = {
    "np.abs(x)": np.abs,
    "np.maximum(x, 0)   (ReLU)": lambda x: np.maximum(x, 0.0),
    "np.where(x > 0, x, 0)": lambda x: np.where(x > 0, x, 0.0 * x),
}
for name, g in kinks.items():
    print(f"{name:28s} derivative at 0: {ad.grad(g)(0.0)}")

# %% [markdown]
# * **`abs`**: adviz's rule is $\operatorname{sign}(x)$, so at $0$ it gives $\operatorname{sign}(0) = 0$.
#   Zero is the middle of the subgradient interval $[-1, 1]$ and its element of smallest magnitude, so
#   gradient descent on $|x|$ stays at the minimum instead of being pushed off it. PyTorch
#   (`grad · sgn(x)`), TensorFlow (`grad · sign(x)`) and HIPS autograd (`x / |x|` with $0/0$ replaced by
#   $0$) give $0$ too.
#   **JAX gives 1**: its rule for `abs` selects the slope of the right side, `x >= 0`.
# * **`maximum`**: a tie sends half of the derivative to each argument, so `np.maximum(x, 0)` has slope
#   $\tfrac12$ at $0$, as in JAX's `jnp.maximum` and PyTorch's `torch.maximum`. The dedicated ReLUs
#   `jax.nn.relu` and `torch.relu` define their slope at $0$ to be $0$.
# * **`where`**: follows whichever branch it selected, everywhere.
#
# In optimisation these choices rarely matter, because landing *exactly* on a kink is rare — but they
# are choices, and two AD systems can disagree there without either being wrong.

# %% [markdown]
# ## 3. Same function, different program, different derivative
#
# AD differentiates the *program*, and two programs can compute the same values and still have
# different derivatives. This one computes $x^2$ everywhere, with a "shortcut" at $x = 1$:

# %%
def square_with_shortcut(x):
    if x == 1.0:
        return 1.0          # correct value, but a constant: nothing depends on x
    return x * x

print("value at 1:", square_with_shortcut(1.0), "   AD derivative at 1:", ad.grad(square_with_shortcut)(1.0))
print("value at 1.1:", square_with_shortcut(1.1), "   AD derivative at 1.1:", ad.grad(square_with_shortcut)(1.1))

# %% [markdown]
# At $x = 1$ the executed program returns a constant, whose derivative is $0$, although the function it
# computes, $x^2$, has derivative $2$. Look-up tables, caches, clamps and early exits can all do this.
# AD is right about the program; whether the program is a good model of your function is up to you.

# %% [markdown]
# ## 4. Loops: differentiating an iteration
#
# Loops are unrolled on the tape (lesson 1), so AD differentiates *the iterations that ran*. Newton's
# method for $\sqrt a$ repeats $y \leftarrow \tfrac12\,(y + a/y)$. After $k$ iterations the result is
# an approximation of $\sqrt a$, and AD returns the exact derivative of that approximation. As the
# iteration converges, so does its derivative, towards $\frac{1}{2\sqrt a}$:

# %%
def newton_sqrt(a, iterations):
    y = a
    for _ in range(iterations):
        y = 0.5 * (y + a / y)
    return y

a = 2.0
print(" k   value error      derivative error   tape length")
for k in range(1, 7):
    value = newton_sqrt(a, k)
    slope = ad.grad(newton_sqrt)(a, iterations=k)    # differentiate with respect to a only
    tape = ad.trace(newton_sqrt, a, iterations=k)    # keyword arguments are passed through, not traced
    print(f"{k:2d}   {abs(value - np.sqrt(a)):.2e}         {abs(slope - 0.5 / np.sqrt(a)):.2e}           "
          f"{tape.primitive_count}")

# %% [markdown]
# The tape grows by three primitives per iteration. A loop that stops when a tolerance is met works the
# same way: the tape holds however many iterations happened to run at this input. (For long iterations
# there are smarter methods — the implicit function theorem differentiates the *fixed point* instead of
# the iterations — but plain AD through the loop is always available.)

# %% [markdown]
# ## 5. Floating point: the derivative of what the computer computes
#
# AD applies exact derivative rules to the values the program computed — in floating point. When the
# floating-point program departs from the ideal function, so does its derivative.
#
# **Overflow.** The softplus function $\log(1 + e^x)$ is smooth, with derivative
# $\sigma(x) = 1/(1 + e^{-x})$, which is $\approx 1$ for large $x$. Written naively:

# %%
def softplus_naive(x):
    return np.log(1 + np.exp(x))

with np.errstate(over="ignore", invalid="ignore"):
    for x0 in (1.0, 30.0, 800.0):
        print(f"x = {x0:5}:  value = {softplus_naive(x0)},  AD derivative = {ad.grad(softplus_naive)(x0)}")

# %% [markdown]
# At $x = 800$, $e^{800}$ overflows to `inf`; the value becomes `inf`. The reverse sweep starts at the
# `log`: it divides $\bar v$ by $1 + e^{v} = \infty$, which gives the adjoint $0$; then it multiplies that
# $0$ by the partial of `exp`, $e^{v} = \infty$: $0 \cdot \infty =$ `nan`. The *mathematics* has a
# perfectly good derivative there; the *program* does not. The fix is to change the program, not the AD
# (see the exercise).
#
# **Rounding.** Now the opposite surprise. This program adds and subtracts a large number.
#
# **Predict, then run.** What does AD report for its derivative at $x = 0.3$?
#
# * (a) 0
# * (b) 1
# * (c) about 1.49
# * (d) nan

# %%
course.predict("round-trip", ...)

# %%
def round_trip(x):
    return (x + 1e8) - 1e8

x0 = 0.3
print("value:", round_trip(x0), "  (not 0.3: the sum kept only about 8 digits of x)")
print("AD derivative:", ad.grad(round_trip)(x0))
for h in (1e-6, 1e-8, 1e-9):
    print(f"forward difference, h = {h:.0e}:", (round_trip(x0 + h) - round_trip(x0)) / h)

# %% [markdown]
# In floating point, `round_trip` is a staircase: it is constant between neighbouring multiples of
# $2^{-26} \approx 1.5\cdot 10^{-8}$, so finite differences return $0$ or nonsense depending on $h$. AD
# returns $1$: the product of the local derivatives of `+` and `-`, evaluated at the computed values. It
# describes the ideal operations the program performs — usually what an optimizer wants — not the
# staircase.
#
# **0 · ∞.** $\sqrt{x^2} = |x|$ as functions, but not as programs.
#
# **Predict, then run.** What does adviz report for the derivative of `np.sqrt(x**2)` at $x = 0$?
#
# * (a) 0
# * (b) 1
# * (c) nan
# * (d) inf

# %%
course.predict("sqrt-square", ...)

# %% [markdown]
# The program's derivative is $\frac{1}{2\sqrt{x^2}} \cdot 2x$: at $x = 0$ the first factor is
# infinite and the second zero.

# %%
with np.errstate(divide="ignore", invalid="ignore"):
    print("d/dx sqrt(x**2) at 0:", ad.grad(lambda x: np.sqrt(x**2))(0.0))
print("d/dx abs(x) at 0:     ", ad.grad(np.abs)(0.0))

# %% [markdown]
# ## Exercise
#
# Write a **numerically stable softplus** whose AD derivative is right everywhere. Use the identity
#
# $$\log(1 + e^x) = x + \log(1 + e^{-x}),$$
#
# and a branch: for $x > 0$ use the right-hand side (then $e^{-x} \le 1$ never overflows), otherwise the
# left-hand side. `np.log1p(u)` computes $\log(1 + u)$ accurately for small $u$.
#
# Its value should be $\log(1 + e^x)$ and its derivative the logistic sigmoid at every test point,
# including $x = \pm 800$. Build it from `np.exp` and `np.log1p` (NumPy's ready-made `np.logaddexp`
# would skip the exercise). Replace the `...`, run the cell, then run the check.

# %% tags=["exercise"] grade_id="softplus-answer"
def softplus(x):
    """log(1 + e^x) for a float x, without overflow in the value or its derivative."""
    ### BEGIN SOLUTION
    if x > 0:
        return x + np.log1p(np.exp(-x))
    return np.log1p(np.exp(x))
    ### END SOLUTION

# %% tags=["check"] grade_id="softplus-check" points=3
course.check_softplus(softplus)

# %% [markdown]
# ## Summary
#
# * AD differentiates the **path that executed**: branches are chosen on values, loops are unrolled,
#   comparisons leave no trace on the tape.
# * At kinks and branch points AD reports the derivative of the branch that ran, or the primitive's
#   convention (in adviz `abs`: 0, `maximum`: ½; JAX's `abs` gives 1). Two programs computing the same
#   values can have different derivatives.
# * AD is exact for the **floating-point program**: overflow, `0·∞` and constant shortcuts show up in
#   the derivative. Fix them in the program (stable formulas), not in the differentiation.
#
# **Next:** lesson 7 moves from scalars to arrays: broadcasting, reductions and matrix products.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §2 explains why AD, unlike symbolic differentiation, handles programs with
#   branches and loops.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3–4 for the evaluation procedures AD differentiates;
#   ch. 14, "Differentiation without Differentiability", treats kinks, branches and `abs` in depth.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html) and
#   JAX's FAQ on `where` and `nan` gradients: the same 0 · ∞ trap, and the "double where" fix.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): its `relu` picks a slope at 0 too —
#   look it up in `engine.py`.
