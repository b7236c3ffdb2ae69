# %% [markdown]
# # Lesson 5 · Finite differences and symbolic differentiation vs AD
#
# *About 30 minutes.* You will learn:
#
# * why a **finite difference** can never be exact: truncation error for large steps $h$, round-off
#   error for small ones, and a best $h$ in between;
# * how the **complex step** escapes the round-off trap, and what AD's accuracy looks like next to it;
# * why **symbolic differentiation** is exact but suffers from **expression swell**, and how sharing
#   common subexpressions turns it into something very close to AD;
# * what each method costs.

# %%
# %matplotlib inline
import math

import numpy as np
import sympy
from IPython.display import display

import adviz as ad
from adviz.course import finite_differences as course   # this lesson's checks and predictions
from adviz.numeric import finite_differences as fd
from adviz.numeric.error_sweep import error_sweep
from adviz.numeric.symbolic import swell
from adviz.render.plots import error_plot, swell_plot
from adviz.render.widgets import FiniteDifferenceExplorer

# %% [markdown]
# ## 1. The derivative as a limit, taken too literally
#
# The definition of the derivative suggests an algorithm: pick a small $h$ and compute
#
# $$f'(x) \approx \frac{f(x + h) - f(x)}{h}\qquad\text{(forward difference).}$$
#
# Let us try it on our running example $f(x) = \sin(x^2 + 1)$ at $x = 3$, where AD gives
# $f'(3) = 6\cos 10$, and make $h$ smaller and smaller.
#
# **Predict, then run.** As $h$ goes from $10^{-1}$ down to $10^{-14}$, the error of the estimate…
#
# * (a) keeps shrinking
# * (b) shrinks, then grows again
# * (c) stays about the same
#
# Replace the `...` with your letter and run the cell; then run the next one.

# %%
course.predict("shrinking-h", ...)

# %%
def f(x):
    return np.sin(x**2 + 1)

exact = float(ad.grad(f)(3.0))
print(f"AD:   f'(3) = {exact:.16f}\n")
for h in [1e-1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-14]:
    estimate = (f(3.0 + h) - f(3.0)) / h
    print(f"h = {h:7.0e}:  estimate = {estimate: .16f}   relative error = {abs(estimate - exact) / abs(exact):.1e}")

# %% [markdown]
# The error first shrinks with $h$, reaches about $10^{-8}$, and then **grows again**. Two errors are
# fighting:
#
# * **Truncation error.** Taylor's theorem says
#   $f(x+h) = f(x) + h f'(x) + \tfrac{h^2}{2} f''(x) + \dots$, so the forward difference is off by about
#   $\tfrac{h}{2}|f''(x)|$: proportional to $h$.
# * **Round-off error.** $f(x+h)$ and $f(x)$ are each known only to about machine precision
#   $\varepsilon \approx 2.2\times 10^{-16}$ (relative). Their difference is tiny, so its relative
#   error is huge — catastrophic cancellation — and dividing by $h$ magnifies it: error
#   $\approx \varepsilon |f| / h$.
#
# The sum $C h + R/h$ is smallest near $h \approx \sqrt{\varepsilon} \approx 10^{-8}$, where both are
# about $10^{-8}$: **half of the sixteen digits are lost**, at best. The **central difference**
# $\frac{f(x+h) - f(x-h)}{2h}$ cancels the $h^2$ term of Taylor's series, so its truncation error is
# $\propto h^2$; its best $h \approx \varepsilon^{1/3}$ gives about ten correct digits.

# %% [markdown]
# ## 2. The V-shaped error curve
#
# `error_sweep` computes the derivative by several methods for 151 values of $h$ between $10^{-16}$ and
# $10^{-1}$, compares each with the exact value, and fits the two branches. On log-log axes each
# finite-difference curve is a V: the right branch has slope $p$ (the method's order), the left branch
# slope $-1$ (round-off $\propto 1/h$).

# %%
sweep = error_sweep(f, 3.0, exact, methods=("forward", "central", "complex"))
error_plot(sweep)

# %%
for name, curve in sweep.curves.items():
    relative = curve.best_error / abs(sweep.exact)      # best_error is absolute: |estimate − f'(x)|
    print(f"{name:>8}: best h ≈ {curve.best_h:.1e}, best relative error ≈ {relative:.1e}, "
          f"truncation slope ≈ {curve.truncation_slope:.2f}, {curve.evaluations} evaluation(s) of f")

# %% [markdown]
# Now find the V yourself. Drag the slider: it moves $h$ on a log scale, the table shows each method's
# estimate and its error against AD, and on the error curves a red line marks the current $h$, with a
# ring in each method's colour where its curve crosses that line.

# %%
explorer = FiniteDifferenceExplorer(f, 3.0)
display(explorer)

# %%
for h in (1e-2, 1e-6, 1e-10):
    explorer.h = h
    print(f"h = {h:.0e}:  |error| " + ",  ".join(f"{m} {e:.1e}" for m, e in explorer.errors.items()))

# %% [markdown]
# ## 3. The complex step: no subtraction, no cancellation
#
# If $f$ is written so that it also works on complex numbers, Taylor's theorem with an *imaginary* step
# gives $f(x + ih) = f(x) + ih f'(x) - \tfrac{h^2}{2}f''(x) + \dots$, so
#
# $$f'(x) \approx \frac{\operatorname{Im} f(x + ih)}{h}.$$
#
# There is no difference of nearly equal numbers, hence no cancellation: $h = 10^{-20}$ is fine and the
# result is correct to machine precision (the green curve above). The catch: every operation in $f$
# must be complex-safe (no `abs`, no comparisons, no `np.real` hidden inside), and it still costs one
# evaluation of $f$ per input direction — like forward mode, to which it is closely related.
#
# **Predict, then run.** With $h = 10^{-20}$, far below machine precision, what relative error does
# the complex step reach?
#
# * (a) about 1e-4
# * (b) about 1e-8
# * (c) about 1e-16, machine precision
# * (d) nan: h is far below machine precision

# %%
course.predict("complex-step", ...)

# %%
cs = fd.complex_step(f, 3.0)
print(f"complex step: {cs.value:.16f}  (h = {cs.h:g}, {cs.evaluations} evaluation)")
print(f"AD:           {exact:.16f}")

# %% [markdown]
# AD is exact in the same sense: it applies the exact derivative rule of each primitive to the computed
# values, so its only errors are the rounding errors of those few multiplications — relative error of
# order $\varepsilon$, with no $h$ to tune.

# %% [markdown]
# ## 4. What finite differences cost
#
# A forward-difference gradient of $f:\mathbb{R}^n\to\mathbb{R}$ needs $f(x)$ plus $f(x + h e_j)$ for every
# input: **$n + 1$ evaluations**; central differences need $2n$. For a model with a million parameters,
# that is a million runs of the model per gradient, against one reverse sweep. Finite differences still
# have one great use: **checking** an AD implementation (or a hand-written gradient) on small problems.
#
# **Predict, then run.** The loss below has 6 parameters. How many evaluations of the loss does a
# central-difference gradient make? Replace the `...` with a number.

# %%
course.predict("fd-evaluations", ...)

# %%
rng = np.random.default_rng(1)
A = rng.normal(size=(6, 6))

def loss(w):
    return np.sum(np.tanh(A @ w) ** 2)

w0 = rng.normal(size=6)
fd_gradient = fd.gradient(loss, w0, "central")
ad_gradient = ad.grad(loss)(w0)
print("central differences:", fd_gradient.evaluations, "evaluations of the loss")
print("largest difference from AD:", np.max(np.abs(fd_gradient.value - ad_gradient)))

# %% [markdown]
# ## 5. Symbolic differentiation: exact formulas
#
# A computer-algebra system such as SymPy differentiates the *formula*, applying the textbook rules to
# its expression tree:

# %%
x = sympy.symbols("x")
derivative = sympy.diff(sympy.sin(x**2 + 1), x)
display(derivative)
print("at x = 3:", float(derivative.subs(x, 3)), "   AD:", exact)

# %% [markdown]
# Exact, and a formula you can read. So why not always do this? Because formulas **swell**. Each
# application of the product rule $(uv)' = u'v + uv'$ copies $u$ and $v$; the chain rule copies the
# inner function into the outer derivative. A tree cannot share a copy, so the derivative grows much
# faster than the function. Iterate the logistic map $\ell \leftarrow 4\ell(1-\ell)$, starting from
# $\ell = x$:

# %%
ell = x
for depth in range(1, 5):
    ell = 4 * ell * (1 - ell)
    d_ell = sympy.diff(ell, x)
    print(f"depth {depth}: f has {sympy.count_ops(ell):3d} operations, "
          f"f' has {sympy.count_ops(d_ell):4d} operations ({len(str(d_ell))} characters)")
print("\nf' at depth 2:", sympy.diff(4 * (4 * x * (1 - x)) * (1 - 4 * x * (1 - x)), x))

# %% [markdown]
# AD never builds that formula. Its tape stores each intermediate value **once** and a reverse sweep
# visits each tape entry once, so its cost grows like the program. `adviz.numeric.symbolic.swell`
# measures both for growing depth: SymPy's derivative, the same derivative after common-subexpression
# elimination (`sympy.cse`, which gives the tree back its sharing), and AD's tape plus reverse sweep.

# %%
reports = [swell("logistic", range(1, 8)), swell("softplus", range(1, 8))]
swell_plot(reports)

# %%
for row in reports[0].rows:
    print(f"depth {row.depth}: symbolic f' {row.derivative_ops:5d} ops,  after cse {row.derivative_cse_ops:4d},"
          f"  AD tape + reverse sweep {row.tape_primitives + row.reverse_ops:3d}")

# %% [markdown]
# Common-subexpression elimination helps a lot: a derivative with shared subexpressions *is* a
# program, and a program with named intermediate results is exactly a tape. In that sense AD is
# symbolic differentiation that never lets go of the sharing. And it differentiates things that are not
# formulas at all: loops whose length depends on the data, branches, calls into libraries (lesson 6).

# %% [markdown]
# ## 6. The three methods side by side
#
# | | finite differences | symbolic | automatic (AD) |
# |---|---|---|---|
# | accuracy | about 8 (forward) or 10 (central) digits; needs a good $h$ | exact formula | exact rules, rounding only |
# | gradient of $n$ inputs | $n + 1$ or $2n$ evaluations | one formula per partial; can swell | one reverse sweep |
# | input | any black box | a closed-form expression | a program (loops, branches) |
# | output | numbers | formulas | numbers (and a tape) |

# %% [markdown]
# ## Exercise
#
# Write your own central difference `central(g, x, h)` and use it on $g(x) = e^x \sin x$ at $x = 1$:
#
# 1. compute `errors`, the relative errors against the exact derivative $e^x(\sin x + \cos x)$, for the
#    steps in `hs`;
# 2. set `best_h` to the step with the smallest error.
#
# Then compare `best_h` with $\varepsilon^{1/3}$: is it where section 1 says a central difference is
# at its best? Replace each `...` below, run the cell, then run the check.

# %% tags=["exercise"] grade_id="fd-answer"
def central(g, x, h):
    """The central difference of g at x with step h."""
    ### BEGIN SOLUTION
    return (g(x + h) - g(x - h)) / (2 * h)
    ### END SOLUTION


def g(x):
    return np.exp(x) * np.sin(x)


hs = np.logspace(-12, -1, 45)
g_exact = math.exp(1.0) * (math.sin(1.0) + math.cos(1.0))
errors = ...    # the relative error of central(g, 1.0, h) for each h in hs (an array)
best_h = ...    # the h in hs with the smallest error
### BEGIN SOLUTION
errors = np.array([abs(central(g, 1.0, h) - g_exact) / abs(g_exact) for h in hs])
best_h = hs[np.argmin(errors)]
### END SOLUTION

# %% tags=["check"] grade_id="fd-check" points=3
course.check_central(central, errors, best_h)

# %% [markdown]
# ## Summary
#
# * Finite differences trade **truncation** error ($\propto h^p$) against **round-off** error
#   ($\propto \varepsilon/h$): at the best $h$ they keep roughly half (forward) or two thirds (central)
#   of the digits, and a gradient costs $n + 1$ or $2n$ evaluations.
# * The **complex step** avoids cancellation but needs complex-safe code and still one evaluation per
#   input.
# * **Symbolic** derivatives are exact but **swell**; sharing subexpressions (CSE) tames them and turns
#   them into a program — a tape.
# * **AD** applies exact local rules to the executed program: machine-precision accuracy at a cost of a
#   few evaluations.
#
# **Next:** lesson 6 asks what "exact" means for programs with branches, kinks and floating point.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §2, "What AD is not", sets AD against numerical differentiation (truncation
#   and round-off) and symbolic differentiation (expression swell), with a figure much like section 2's.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 and 4: AD's derivatives as exact evaluations of the
#   chain rule on the program, at a cost bounded by a small multiple of the function's.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html)
#   checks its own gradients against finite differences (`jax.test_util.check_grads`), as section 4
#   recommends.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): its tests compare against
#   PyTorch, another way of checking an AD engine.
