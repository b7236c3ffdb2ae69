# %% [markdown]
# # Lesson 7 · Arrays: broadcasting, reductions and matrix products
#
# *About 30 minutes.* You will learn:
#
# * how AD handles primitives that act on **whole arrays**, without ever building their (huge)
#   Jacobians;
# * why the adjoint of a **sum** is a broadcast, and the adjoint of a **broadcast** is a sum;
# * how indexing, `mean` and **matrix multiplication** propagate adjoints, and how to check such rules
#   yourself.
#
# Everything is reverse mode, since that is what training needs; forward mode follows the same shapes.

# %%
import numpy as np
from IPython.display import SVG, display
from rich.console import Console

import adviz as ad
from adviz.course import arrays as course   # this lesson's checks and "predict, then run" questions
from adviz.numeric import finite_differences as fd

console = Console(width=120)

# %% [markdown]
# ## 1. Elementwise primitives: a diagonal Jacobian, never built
#
# `np.sin(x)` on a vector of length $n$ is one primitive on the tape, not $n$. Its Jacobian is an
# $n \times n$ matrix, but a diagonal one: output $i$ depends only on input $i$.
#
# **Predict, then run.** For $n = 10^6$, how many numbers does AD need to apply this Jacobian?
#
# * (a) 10¹², the whole Jacobian
# * (b) 10⁶, its diagonal
# * (c) 1
#
# Replace the `...` with your letter and run the cell; then read on.

# %%
course.predict("diagonal-storage", ...)

# %%
x = np.array([0.0, 0.5, 1.0])
print(ad.jacfwd(np.sin)(x))

# %% [markdown]
# Multiplying by a diagonal matrix is the same as multiplying elementwise by its diagonal, so AD
# stores only the diagonal: the rules are $\dot y = \cos(x) \odot \dot x$ (forward) and
# $\bar x = \bar y \odot \cos(x)$ (reverse), with $\odot$ the elementwise product — exactly the
# scalar rules, applied to every entry at once. For $n = 10^6$ that is $10^6$ numbers, not $10^{12}$.

# %% [markdown]
# ## 2. Reductions: the adjoint of a sum is a broadcast
#
# Take $s = \sum_i x_i$. Every $x_i$ affects $s$ with slope $1$, so every $\bar x_i$ receives
# $\bar s$: the reverse sweep **copies** the scalar adjoint $\bar s$ back to the shape of $x$. adviz's
# table calls that step `broadcast(v̄)`:

# %%
t = ad.trace(lambda x: np.sum(np.sin(x)), x)
console.print(t.table("reverse"))

# %% [markdown]
# Summing along one axis works the same way: the adjoint is copied back along that axis. A `mean`
# over $n$ entries is a sum followed by a division by $n$, so each entry receives $\bar s / n$:

# %%
X = np.arange(6.0).reshape(3, 2)
print(ad.trace(lambda X: np.mean(X, axis=0), X).to_text())
print("\ngradient of sum(mean(X, axis=0)):\n", ad.grad(lambda X: np.sum(np.mean(X, axis=0)))(X))

# %% [markdown]
# ## 3. Broadcasting: the adjoint of a broadcast is a sum
#
# NumPy lets you add a vector to every row of a matrix: with `X` of shape $(3, 2)$ and `b` of shape
# $(2,)$, `X + b` adds `b` to each of the three rows. Conceptually `b` is first **copied** three times
# (broadcast to shape $(3, 2)$), then added. So `b` is *used three times*, and from lesson 3 we know what
# that means in reverse mode: its adjoint **accumulates** the adjoints of all its uses.
#
# $$z = \sum_{i,j} (X_{ij} + b_j) \quad\Longrightarrow\quad \bar b_j = \sum_i \bar v_{ij}
#   = (\text{sum of the adjoint over the broadcast axis}).$$
#
# **Predict, then run.** For `X` of shape $(3, 2)$ and `b = [10, 20]`, what is each entry of
# $\bar b$ for $z = \sum (X + b)$? Replace the `...` with a number.

# %%
course.predict("bias-adjoint", ...)

# %%
b = np.array([10.0, 20.0])
tb = ad.trace(lambda X, b: np.sum(X + b), X, b)
sweep_b = tb.reverse()
console.print(tb.table(sweep_b))
display(SVG(tb.to_svg(sweep_b, step=len(sweep_b.steps), title="z = sum(X + b),  X: (3, 2),  b: (2,)")))

# %% [markdown]
# Look at the last row. The local partial is $1$, but $\bar v_1$ has shape $(3, 2)$ and $\bar b$ has
# shape $(2,)$, so the update is written $\bar b \mathrel{+}= \sum_i \bar v_1[i, :]$: the engine
# **sums the contribution over the broadcast axis** $i$ before adding it: each entry of $\bar b$ is
# $1 + 1 + 1 = 3$, one per row that used it. This "unbroadcast" step is written once in the engine and
# applied to every elementwise primitive.
#
# The rule in general: sum the adjoint over every axis that broadcasting **added** (leading axes) or
# **stretched** (size 1 → $n$, keeping the size-1 axis). A column vector of shape $(3, 1)$ added to `X`
# is stretched along axis 1, so its adjoint sums along axis 1:

# %%
weights = np.arange(6.0).reshape(3, 2)            # makes every entry's adjoint different
c = np.array([[1.0], [2.0], [3.0]])                # shape (3, 1)
c_bar = ad.grad(lambda c: np.sum((X + c) * weights))(c)
print("adjoint of c, shape", c_bar.shape, ":\n", c_bar)
print("sum of the weights over axis 1:\n", weights.sum(axis=1, keepdims=True))

# %% [markdown]
# **Why sum and broadcast are partners.** Both are linear maps, and they are each other's transpose:
# for any vector $b$ and matrix $Y$ of matching shapes,
# $\langle \operatorname{broadcast}(b), Y\rangle = \langle b, \operatorname{sum}_{\text{rows}}(Y)\rangle$.
# Reverse mode applies transposes of local Jacobians (lesson 4), so the reverse of one is the other:

# %%
rng = np.random.default_rng(0)
b_test, Y = rng.normal(size=2), rng.normal(size=(3, 2))
print(np.sum(np.broadcast_to(b_test, (3, 2)) * Y), "=", b_test @ Y.sum(axis=0))

# %% [markdown]
# ## 4. Indexing: the adjoint of a selection is a scatter
#
# `x[1:3]` selects entries. In reverse, the adjoint of the selection is written back into the selected
# positions of an array of zeros (a *scatter*).
#
# **Predict, then run.** For `v = [0, 1, 2, 3]`, what is entry 0 of the gradient of `np.sum(v[[0, 0, 1]])`?
# Replace the `...` with a number.

# %%
course.predict("index-twice", ...)

# %%
v = np.arange(4.0)
print(ad.grad(lambda v: np.sum(v[1:3] ** 2))(v), "  (2·v at positions 1 and 2, zero elsewhere)")
print(ad.grad(lambda v: np.sum(v[[0, 0, 1]]))(v), "  (an index selected twice was used twice)")

# %% [markdown]
# ## 5. Matrix multiplication
#
# For $Y = AX$ the perturbation rule is the product rule for matrices,
# $dY = dA\,X + A\,dX$ (the forward rule). The reverse rules follow from asking which expression has the
# right shape *and* satisfies the dot-product identity $\langle \bar Y, dY\rangle =
# \langle \bar A, dA\rangle + \langle \bar X, dX\rangle$:
#
# $$\bar A = \bar Y X^\top, \qquad \bar X = A^\top \bar Y .$$
#
# A shape check is a good memory aid: with $A$ of shape $(m, k)$ and $X$ of shape $(k, n)$, $\bar Y$ has
# shape $(m, n)$, and $\bar Y X^\top$ is the only product of $\bar Y$ and $X$ with $A$'s shape.

# %%
A = rng.normal(size=(2, 3))
Xm = rng.normal(size=(3, 4))
tm = ad.trace(lambda A, X: np.sum(np.tanh(A @ X)), A, Xm)
console.print(tm.table("reverse"))

# %%
A_bar, X_bar = ad.grad(lambda A, X: np.sum(np.tanh(A @ X)), argnums=(0, 1))(A, Xm)
Y_bar = 1 - np.tanh(A @ Xm) ** 2                      # adjoint of Y = A @ X, from sum and tanh
print("Ā = Ȳ Xᵀ:", np.allclose(A_bar, Y_bar @ Xm.T), "   X̄ = Aᵀ Ȳ:", np.allclose(X_bar, A.T @ Y_bar))
print("independent check with central differences:",
      np.allclose(A_bar, fd.gradient(lambda A: np.sum(np.tanh(A @ Xm)), A).value, atol=1e-7))

# %% [markdown]
# Notice that reverse mode through a matrix product costs two matrix products — the same order of
# work as the forward evaluation. That is the "small constant multiple" of lesson 4, for arrays.

# %% [markdown]
# ## Exercise
#
# A dense layer with a bias, on a batch of examples:
#
# $$L(W, b) = \sum \tanh(XW + b), \qquad X: (\text{batch}, \text{inputs}),\ W: (\text{inputs}, \text{units}),\
#   b: (\text{units},).$$
#
# Write its reverse sweep **by hand, in NumPy**: `dense_backward(X, W, b)` computes `Z = X @ W + b`, its
# adjoint `Z_bar`, and from it `W_bar` (a matrix product — which one?) and `b_bar` (`b` was broadcast
# over the batch — so?), and returns `(W_bar, b_bar)`. The check runs it on batches of two different
# sizes and compares with an independent reference. Replace the `...`, run the cell, then the check.

# %% tags=["exercise"] grade_id="arrays-answer"
def dense_backward(X, W, b):
    """The adjoints (W_bar, b_bar) of L = sum(tanh(X @ W + b)), by hand."""
    Z = X @ W + b                    # the forward pass
    ### BEGIN SOLUTION
    Z_bar = 1 - np.tanh(Z) ** 2      # sum sends 1 to every entry; tanh multiplies by 1 - tanh²
    W_bar = X.T @ Z_bar              # Z = X W: the adjoint of W is Xᵀ Z̄ (the matmul rule)
    b_bar = Z_bar.sum(axis=0)        # b was broadcast over the batch: its adjoint sums over it
    return W_bar, b_bar
    ### END SOLUTION


# try it out on a batch of 5 examples, 3 inputs, 4 units
Xb = np.linspace(-1.0, 1.0, 15).reshape(5, 3)
W = np.linspace(0.5, -0.5, 12).reshape(3, 4)
bias = np.array([0.1, -0.2, 0.3, 0.0])

# %% tags=["check"] grade_id="arrays-check" points=3
course.check_dense_backward(dense_backward)

# %% [markdown]
# ## Summary
#
# * Elementwise primitives have diagonal Jacobians; AD applies them as elementwise products.
# * Reverse of a **sum** is a **broadcast** (copy the adjoint back); reverse of a **broadcast** is a
#   **sum** over the broadcast axes — the fan-out rule of lesson 3, for arrays. Selection and scatter
#   are partners in the same way.
# * For $Y = AX$: $\bar A = \bar Y X^\top$ and $\bar X = A^\top \bar Y$. Shapes and the dot-product
#   identity tell you the rule.
#
# **Next:** lesson 8 differentiates derivatives: second derivatives, Hessians and Newton's method.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §4 and §5 on AD in machine-learning frameworks, which differentiate whole
#   array operations rather than scalars.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 and 4 work with vector-valued elementals; the
#   adjoint of each elemental is the transpose of its local Jacobian, as in section 3 here.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html):
#   VJPs of array functions, and why they never build full Jacobians.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd) works on scalars only; compare its
#   neuron-by-neuron backward pass with the two matrix products of section 5.
