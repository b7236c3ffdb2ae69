# %% [markdown]
# # Lesson 8 · Higher-order derivatives and Hessians
#
# *About 25 minutes.* You will learn:
#
# * why a derivative computed by AD is itself a **program**, which AD can differentiate again;
# * how to get second and higher derivatives, **Hessians** and **Hessian-vector products**, and what
#   they cost;
# * how curvature pays off in **Newton's method**;
# * what **perturbation confusion** is, and why nested derivatives need care inside an AD engine.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import adviz as ad
from adviz.course import higher_order as course   # this lesson's checks and predictions

# %% [markdown]
# ## 1. The derivative is a program too
#
# `ad.grad(f)` returns an ordinary Python function. When it runs, it records $f$'s tape and then performs
# the reverse sweep — and the reverse sweep is itself built from primitives (`cos`, multiplications, …).
# So we can trace the *derivative*:

# %%
def f(x):
    return np.sin(x**2 + 1)

df = ad.grad(f)
print(ad.trace(df, 3.0).to_text())

# %% [markdown]
# The first three lines are $f$'s own tape ($v_1 = x^2$, $v_2 = v_1 + 1$, $v_3 = \sin v_2$); the rest
# is the reverse sweep of lesson 3, written as primitives: $\cos(v_2)\cdot 1 \cdot 2x$. A program can be
# differentiated, so the derivative can be differentiated:
#
# $$f''(x) = \frac{d}{dx}\big[2x\cos(x^2+1)\big] = 2\cos(x^2 + 1) - 4x^2 \sin(x^2+1),
# \qquad f''(3) = 2\cos 10 - 36\sin 10 \approx 17.907 .$$

# %%
d2f = ad.grad(ad.grad(f))
print("AD, grad of grad:", d2f(3.0))
print("by hand:         ", 2 * math.cos(10) - 36 * math.sin(10))

# %% [markdown]
# ## 2. Derivatives of any order: Taylor polynomials
#
# Nesting `ad.grad` $k$ times gives the $k$-th derivative. With them we can build Taylor polynomials,
# $T_k(x) = \sum_{j \le k} f^{(j)}(a)\,(x - a)^j / j!$, and watch them hug $f$ near $a$:

# %%
a = 3.0
derivatives = [f]
for _ in range(4):
    derivatives.append(ad.grad(derivatives[-1]))
coefficients = [float(d(a)) / math.factorial(j) for j, d in enumerate(derivatives)]
print("f, f', f'', f''', f'''' at 3:", [round(float(d(a)), 4) for d in derivatives])

xs = np.linspace(2.7, 3.3, 200)
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(xs, f(xs), color="black", lw=2.5, label="f(x) = sin(x² + 1)")
for k in (1, 2, 4):
    taylor = sum(c * (xs - a) ** j for j, c in enumerate(coefficients[: k + 1]))
    ax.plot(xs, taylor, "--", label=f"Taylor polynomial of degree {k}")
ax.plot([a], [f(a)], "o", color="black")
ax.set_ylim(-1.6, 1.6)
ax.set_xlabel("x")
ax.legend(loc="lower left")
ax.grid(alpha=0.3)
ax.set_title("Taylor polynomials at x = 3 from nested ad.grad")
plt.show()

# %% [markdown]
# Each nesting differentiates a longer program, so the cost grows with the order. (For many
# derivatives of one variable, *Taylor-mode* AD propagates whole truncated power series instead, but
# nesting is the simplest way and it is exact.)

# %%
for k, d in enumerate(derivatives):
    print(f"derivative of order {k}: its tape has {ad.trace(d, a).primitive_count:3d} primitives")

# %% [markdown]
# ## 3. Hessians: forward over reverse
#
# For $f:\mathbb{R}^n\to\mathbb{R}$ the second derivatives form the $n\times n$ **Hessian**
# $H_{ij} = \partial^2 f/\partial x_i\partial x_j$. It is the Jacobian of the gradient. The gradient
# is one reverse sweep (a program $\mathbb{R}^n\to\mathbb{R}^n$); its Jacobian is square, so either mode
# costs $n$ sweeps, and forward mode needs no extra tape. That is what `ad.hessian` does:
# **forward-over-reverse**, `jacfwd(jacrev(f))` (for a scalar $f$, `jacrev(f)` is `grad(f)`).
#
# Rosenbrock's function $r(x, y) = (1 - x)^2 + 100(y - x^2)^2$ has its minimum at $(1, 1)$ at the bottom
# of a long curved valley. Its Hessian there, by hand:
# $\partial_{xx} r = 2 - 400(y - x^2) + 800x^2 = 802$, $\partial_{xy} r = -400x = -400$,
# $\partial_{yy} r = 200$.

# %%
def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

H = ad.hessian(rosenbrock)(np.array([1.0, 1.0]))
print(H)
assert np.allclose(H, [[802.0, -400.0], [-400.0, 200.0]])
eigenvalues = np.linalg.eigvalsh(H)
print("eigenvalues:", eigenvalues)
print(f"the valley is {eigenvalues[1] / eigenvalues[0]:.0f} times more strongly curved across than along")

# %% [markdown]
# ## 4. Hessian-vector products, without the Hessian
#
# For large $n$ the Hessian has $n^2$ entries.
#
# **Predict, then run.** How many entries does the Hessian of a model with a million parameters have?
#
# * (a) 10⁶
# * (b) 10¹²
# * (c) 2 · 10⁶
#
# Replace the `...` with your letter and run the cell; then read on.

# %%
course.predict("hessian-size", ...)

# %% [markdown]
# Far too many to store. But many algorithms only need products $Hv$. Since $Hv$ is the directional derivative of
# the gradient in direction $v$,
#
# $$H v = \frac{d}{d\varepsilon}\nabla f(x + \varepsilon v)\Big|_{\varepsilon=0},$$
#
# it is **one JVP of the gradient function**: one forward sweep through one reverse sweep.
#
# **Predict, then run.** What does one $Hv$ computed this way cost?
#
# * (a) about n evaluations of f
# * (b) a small constant times one evaluation of f, whatever n is
# * (c) about n² operations

# %%
course.predict("hvp-cost", ...)

# %%
rng = np.random.default_rng(0)
n = 200
M = rng.normal(size=(n, n)) / np.sqrt(n)

def energy(x):
    return np.sum(np.log(np.cosh(M @ x))) + 0.5 * np.sum(x**2)

x0, v0 = rng.normal(size=n), rng.normal(size=n)
_, Hv = ad.jvp(ad.grad(energy), (x0,), (v0,))
H_full = ad.hessian(energy)(x0)
print("H v from one JVP of the gradient matches the full Hessian times v:", np.allclose(Hv, H_full @ v0))
print(f"entries of the Hessian: {H_full.size:,};  entries of H v: {Hv.size}")

# %% [markdown]
# ## 5. Curvature at work: Newton's method
#
# Gradient descent steps along $-\nabla f$ and, in a narrow valley like Rosenbrock's, zigzags and crawls.
# Newton's method uses the curvature: it solves $H\,\Delta = -\nabla f$ and jumps to the minimum of the
# local quadratic model. With exact Hessians from AD it converges in a handful of steps:

# %%
grad_r = ad.grad(rosenbrock)
hess_r = ad.hessian(rosenbrock)

newton = [np.array([-1.2, 1.0])]
for _ in range(7):
    p = newton[-1]
    newton.append(p - np.linalg.solve(hess_r(p), grad_r(p)))

descent = [np.array([-1.2, 1.0])]
for _ in range(2000):
    descent.append(descent[-1] - 1e-3 * grad_r(descent[-1]))

print(f"Newton, 7 steps:               {newton[-1]},  r = {rosenbrock(newton[-1]):.1e}")
print(f"gradient descent, 2000 steps:  {descent[-1]},  r = {rosenbrock(descent[-1]):.1e}")

X, Y = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-0.6, 1.6, 200))
R = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
fig, ax = plt.subplots(figsize=(8, 5))
ax.contour(X, Y, np.log10(R + 1e-3), levels=20, cmap="Greys", linewidths=0.7)
ax.plot(*np.array(descent).T, ".-", color="#c2410c", ms=2, lw=0.8, label="gradient descent (2000 steps)")
ax.plot(*np.array(newton).T, "o-", color="#1d4ed8", label="Newton (7 steps)")
ax.plot([1], [1], "*", color="black", ms=14, label="minimum (1, 1)")
ax.set_xlim(-1.5, 1.5)
ax.set_ylim(-0.6, 1.6)
ax.legend(loc="upper center")
ax.set_title("Rosenbrock's valley: curvature from ad.hessian")
plt.show()

# %% [markdown]
# Newton's path is not pretty: its second step shoots far below the picture (to $y \approx -3.2$),
# because the quadratic model is poor far from the minimum, and then it lands next to $(1, 1)$ and
# converges quadratically (the number of correct digits doubles per step). Practical Newton methods add
# a line search or a trust region to tame the wild steps. Gradient descent, after 2000 careful steps, is
# still creeping along the valley floor.

# %% [markdown]
# ## 6. Perturbation confusion: keeping the levels apart
#
# Nesting derivatives hides a classic trap for AD implementers. Consider
#
# $$\frac{d}{dx}\Big[\,x \cdot \frac{d}{dy}(x + y)\Big|_{y=1}\Big].$$
#
# **Predict, then run.** What is the right answer?
#
# * (a) 1
# * (b) 2
# * (c) 0

# %%
course.predict("perturbation", ...)

# %% [markdown]
# The inner derivative is $1$, so the bracket is $x$ and the answer is $1$. An engine that represents
# both derivatives with the *same* kind of tangent (think of one dual-number $\varepsilon$ for both)
# mixes them up: inside the inner derivative $x$ also carries an $\varepsilon$, the inner derivative sees
# $x + y$ moving at rate $2$, and the answer comes out as $2$. The cure is to give every nested
# derivative its own tag ($\varepsilon_1$ and $\varepsilon_2$, with $\varepsilon_1\varepsilon_2 \neq 0$)
# so each level only sees its own tangents. adviz tags every transform call:

# %%
def outer(x):
    inner = ad.grad(lambda y: x + y)(1.0)
    return x * inner

print("d/dx [x · d/dy (x + y)] =", ad.grad(outer)(2.0))
assert ad.grad(outer)(2.0) == 1.0

# %% [markdown]
# ## Exercise
#
# Write `hvp(f, x, v)`, a Hessian-vector product that never builds the Hessian (use `ad.jvp` and
# `ad.grad`). Test it on
#
# $$g(x) = \sum_i x_i^4 + x_0 x_1 x_2 ,$$
#
# whose Hessian you can write by hand: $12x_i^2$ on the diagonal, and $x_2$, $x_1$, $x_0$ at the
# positions $(0,1)$, $(0,2)$, $(1,2)$ (and their mirror images). Write `hessian_by_hand(x)`, which
# builds that matrix at any point `x` from these formulas, with NumPy only: no adviz, since
# `ad.hessian(g)` would do the differentiating for you. The check calls it at `xg` and at other points.
#
# `ad.hessian(f)(x) @ v` gives the same numbers as `hvp`, so the check also runs your `hvp` on a
# function of 1,000 inputs and measures the memory it allocates: a Hessian would need a million
# numbers. Write both function bodies, run the cell, then run the checks.

# %% tags=["exercise"] grade_id="hvp-answer"
def hvp(f, x, v):
    """The Hessian of f at x times v, without building the Hessian."""
    ### BEGIN SOLUTION
    return ad.jvp(ad.grad(f), (x,), (v,))[1]
    ### END SOLUTION


def g(x):
    return np.sum(x**4) + x[0] * x[1] * x[2]


def hessian_by_hand(x):
    """The 3 × 3 Hessian of g at x, from the formulas above (NumPy only, no adviz)."""
    ### BEGIN SOLUTION
    H = np.diag(12 * x**2)
    H[0, 1] = H[1, 0] = x[2]
    H[0, 2] = H[2, 0] = x[1]
    H[1, 2] = H[2, 1] = x[0]
    return H
    ### END SOLUTION


xg = np.array([1.0, -2.0, 0.5])

# %% tags=["check"] grade_id="hessian-check" points=2
course.check_hessian_by_hand(hessian_by_hand)

# %% tags=["check"] grade_id="hvp-check" points=3
course.check_hvp(hvp)

# %% [markdown]
# ## Summary
#
# * AD turns a program into a derivative **program**, which AD can differentiate again: nested `grad`
#   gives derivatives of any order.
# * The **Hessian** is the Jacobian of the gradient; `ad.hessian` computes it forward-over-reverse.
# * A **Hessian-vector product** is one JVP of the gradient: cost independent of $n$, no $n^2$ matrix.
# * Nested transforms must keep their tangents apart (**perturbation confusion**); adviz tags each
#   level.
#
# **Next:** lesson 9 trains a small neural network with nothing but `ad.grad`.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018, on Hessians and Hessian-vector products from forward and reverse mode
#   combined, and on the perturbation confusion that nesting can cause.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3–4 for the first-order modes that the second-order
#   ones combine; ch. 13 on Taylor coefficients and higher derivatives.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html):
#   "Hessian-vector products with `grad`-of-`grad`" and "using both forward- and reverse-mode", the
#   two ways of section 4.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd) computes first derivatives only:
#   its `backward()` works on numbers, not on traced values, so it cannot be differentiated again —
#   compare with section 1.
