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
from adviz.numeric import finite_differences as fd

console = Console(width=120)

# %% [markdown]
# ## 1. Elementwise primitives: a diagonal Jacobian, never built
#
# `np.sin(x)` on a vector of length $n$ is one primitive on the tape, not $n$. Its Jacobian is an
# $n \times n$ matrix, but a diagonal one: output $i$ depends only on input $i$.

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

# %%
b = np.array([10.0, 20.0])
tb = ad.trace(lambda X, b: np.sum(X + b), X, b)
sweep_b = tb.reverse()
console.print(tb.table(sweep_b))
display(SVG(tb.to_svg(sweep_b, step=len(sweep_b.steps), title="z = sum(X + b),  X: (3, 2),  b: (2,)")))

# %% [markdown]
# Look at the last row: the update is written $\bar b \mathrel{+}= \bar v_1\cdot 1$, but $\bar v_1$ has
# shape $(3, 2)$ and $\bar b$ has shape $(2,)$. The engine **sums the contribution over the broadcast
# axis** before adding it: each entry of $\bar b$ is $1 + 1 + 1 = 3$, one per row that used it. This
# "unbroadcast" step is written once in the engine and applied to every elementwise primitive.
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
# positions of an array of zeros (a *scatter*). If an index is selected twice, it was used twice —
# and its adjoint is added twice:

# %%
v = np.arange(4.0)
print(ad.grad(lambda v: np.sum(v[1:3] ** 2))(v), "  (2·v at positions 1 and 2, zero elsewhere)")
print(ad.grad(lambda v: np.sum(v[[0, 0, 1]]))(v), "  (position 0 was used twice)")

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
# A dense layer with a bias, on a batch of 5 examples:
#
# $$L(W, b) = \sum \tanh(XW + b), \qquad X: (5, 3),\ W: (3, 4),\ b: (4,).$$
#
# Write the reverse sweep **by hand, in NumPy**: compute `Z = X @ W + b`, its adjoint `Z_bar`, and from
# it `W_bar` (a matrix product — which one?) and `b_bar` (`b` was broadcast over the batch — so?).
# The cell below holds a reference solution so that the notebook runs from top to bottom.
# **Replace it with your own code**, then run the check.

# %% tags=["exercise"]
Xb = np.linspace(-1.0, 1.0, 15).reshape(5, 3)
W = np.linspace(0.5, -0.5, 12).reshape(3, 4)
bias = np.array([0.1, -0.2, 0.3, 0.0])

Z = Xb @ W + bias
Z_bar = 1 - np.tanh(Z) ** 2          # sum passes 1 to every entry, tanh multiplies by 1 - tanh²
W_bar = Xb.T @ Z_bar                  # the matmul rule: X̄-side transpose times the adjoint
b_bar = Z_bar.sum(axis=0)             # the broadcast over the batch becomes a sum

# %% tags=["check"]
def layer_loss(W, b):
    return np.sum(np.tanh(Xb @ W + b))

assert W_bar.shape == W.shape and b_bar.shape == bias.shape, "adjoints have the shapes of their variables"
W_ref = fd.gradient(lambda W: layer_loss(W, bias), W).value      # independent: central differences
b_ref = fd.gradient(lambda b: layer_loss(W, b), bias).value
assert np.allclose(W_bar, W_ref, atol=1e-7), "W_bar does not match finite differences"
assert np.allclose(b_bar, b_ref, atol=1e-7), "b_bar does not match finite differences (did you sum over the batch?)"
W_ad, b_ad = ad.grad(layer_loss, argnums=(0, 1))(W, bias)
assert np.allclose(W_bar, W_ad) and np.allclose(b_bar, b_ad)
print("Correct: your hand-written backward pass matches adviz and finite differences")

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
