# %% [markdown]
# # Lesson 9 · Training a tiny neural network with `ad.grad` alone
#
# *About 30 minutes.* You will learn:
#
# * how a neural network, its loss and its training loop are ordinary NumPy code plus **one call to
#   `ad.value_and_grad`**;
# * what the tape of a network looks like, and how to **check** a gradient before trusting it;
# * how plain gradient descent trains the network, and how **momentum** speeds it up (the exercise).
#
# Nothing here is special to neural networks: it is lesson 3's reverse mode applied to a loss with a
# few hundred parameters.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import adviz as ad
from adviz.course import training as course   # this lesson's checks and "predict, then run" questions
from adviz.numeric import finite_differences as fd

# %% [markdown]
# ## 1. The data: two interleaved moons
#
# Two classes of 2-D points, shaped like two interleaving half moons, with some noise. No straight line
# separates them, so the model has to learn a curved boundary.

# %%
rng = np.random.default_rng(0)
n = 200
angle = rng.uniform(0, np.pi, n // 2)
upper = np.column_stack([np.cos(angle), np.sin(angle)])
lower = np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)])
X = np.vstack([upper, lower]) + rng.normal(scale=0.12, size=(n, 2))
X = (X - X.mean(axis=0)) / X.std(axis=0)          # centre and scale the inputs
y = np.concatenate([np.zeros(n // 2), np.ones(n // 2)])

fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(*X[y == 0].T, s=12, color="#1d4ed8", label="class 0")
ax.scatter(*X[y == 1].T, s=12, color="#c2410c", label="class 1")
ax.legend()
ax.set_title("the training data")
plt.show()

# %% [markdown]
# ## 2. The model and the loss
#
# A network with one hidden layer of 16 `tanh` units: for an input $x \in \mathbb{R}^2$,
#
# $$z = W_2^\top \tanh(W_1^\top x + b_1) + b_2,$$
#
# a single number, the **logit**: positive means "class 1", negative "class 0". The probability of
# class 1 is $\sigma(z) = 1/(1 + e^{-z})$. The loss is the average **binary cross-entropy**
# $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$, which simplifies to $\log(1 + e^z) - yz$; we write it
# with `np.logaddexp(0, z)` $= \log(e^0 + e^z)$, the overflow-safe form from lesson 6.
#
# The whole batch goes through at once: `X @ W1` is one matrix product for all 200 points (lesson 7).
#
# **Predict, then run.** How many parameters (numbers in `W1`, `b1`, `W2` and `b2`) does this
# network have? Replace the `...` with a number and run the cell; then run the next one.

# %%
course.predict("parameter-count", ...)

# %%
def logits(W1, b1, W2, b2, X):
    hidden = np.tanh(X @ W1 + b1)        # (200, 16)
    return hidden @ W2 + b2              # (200,)

def loss(W1, b1, W2, b2):
    z = logits(W1, b1, W2, b2, X)
    return np.mean(np.logaddexp(0.0, z) - y * z)

def initial_parameters(hidden=16, seed=1):
    r = np.random.default_rng(seed)
    return [r.normal(size=(2, hidden)) / np.sqrt(2), np.zeros(hidden),
            r.normal(size=hidden) / np.sqrt(hidden), np.zeros(())]

params = initial_parameters()
print("number of parameters:", sum(p.size for p in params))
print("initial loss:", loss(*params), "  (log 2 ≈ 0.693 would be a coin flip)")

# %% [markdown]
# ## 3. The tape of a network
#
# To AD, the network is just another program.
#
# **Predict, then run.** The loss runs on a batch of 200 points. What will its tape look like?
#
# * (a) about 200 times as many lines as for one example
# * (b) the same lines as for one example, each on an array with 200 rows
# * (c) one line per parameter

# %%
course.predict("batch-tape", ...)

# %%
t = ad.trace(loss, *params)
for node in t.nodes:
    print(f"{node.name:>4} = {node.definition:<26} shape {node.shape}")

# %% [markdown]
# **Predict, then run.** One reverse sweep over this tape gives the derivative of the loss with
# respect to…
#
# * (a) 1 parameter
# * (b) 16 parameters
# * (c) all 65 parameters

# %%
course.predict("one-sweep", ...)

# %% [markdown]
# The data `X` and labels `y` appear as constants (`const(200, 2)`): we differentiate with respect to
# the parameters only. The `mean` became a `sum` and a division, and the cross-entropy three
# elementwise primitives. One reverse sweep over these ten lines gives the gradient with respect to all
# 65 parameters at once — the "backpropagation" of lesson 3.

# %% [markdown]
# ## 4. Check the gradient before you trust it
#
# Before training, practitioners compare the gradient with finite differences on a few parameters. AD
# will pass — but the same check catches bugs in hand-written gradients, in custom derivative rules, and
# in a loss that silently does something other than you think.

# %%
value_and_grad = ad.value_and_grad(loss, argnums=(0, 1, 2, 3))
L0, grads = value_and_grad(*params)

W1, b1, W2, b2 = params
numeric_W1 = fd.gradient(lambda W: loss(W, b1, W2, b2), W1).value
numeric_b2 = fd.derivative(lambda c: loss(W1, b1, W2, c), float(b2)).value
print("largest difference for W1:", np.max(np.abs(grads[0] - numeric_W1)))
print("difference for b2:        ", abs(float(grads[3]) - numeric_b2))
assert np.allclose(grads[0], numeric_W1, atol=1e-8) and np.isclose(grads[3], numeric_b2, atol=1e-8)

# %% [markdown]
# ## 5. Training: gradient descent
#
# Gradient descent repeats one step: compute the gradient and move every parameter a little against it,
# $\theta \leftarrow \theta - \eta\,\nabla_\theta L$, with a **learning rate** $\eta$.

# %%
def train(steps, learning_rate):
    params = initial_parameters()
    history = []
    for _ in range(steps):
        L, grads = value_and_grad(*params)
        history.append(float(L))
        params = [p - learning_rate * g for p, g in zip(params, grads)]
    return params, history

def accuracy(params):
    return np.mean((logits(*params, X) > 0) == (y == 1))

# %%
trained, history = train(steps=1000, learning_rate=0.5)
print(f"loss: {history[0]:.3f} -> {history[-1]:.4f}   accuracy: {accuracy(trained):.1%}")

# %%
def show_boundary(params, title, ax):
    gx, gy = np.meshgrid(np.linspace(-2.5, 2.5, 150), np.linspace(-2.5, 2.5, 150))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    probability = 1 / (1 + np.exp(-logits(*params, grid))).reshape(gx.shape)
    ax.contourf(gx, gy, probability, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.35)
    ax.contour(gx, gy, probability, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(*X[y == 0].T, s=10, color="#1d4ed8")
    ax.scatter(*X[y == 1].T, s=10, color="#c2410c")
    ax.set_title(title)

fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.2))
ax1.plot(history, color="black")
ax1.set_yscale("log")
ax1.set_xlabel("step")
ax1.set_ylabel("loss")
ax1.set_title("training loss")
ax1.grid(alpha=0.3)
show_boundary(initial_parameters(), "before training", ax2)
show_boundary(trained, f"after 1000 steps ({accuracy(trained):.0%} correct)", ax3)
plt.show()

# %% [markdown]
# Every number that moved the parameters came from `ad.value_and_grad`: no derivative was written by
# hand. Deep-learning frameworks add mini-batches, smarter optimizers, GPUs and memory tricks for the
# tape — but the derivative at their core is exactly this reverse sweep.

# %% [markdown]
# ## Exercise
#
# Plain gradient descent needed about 1000 steps. **Momentum** keeps a running "velocity" $v$ per
# parameter, so that consistent gradient directions build up speed and zigzags cancel out:
#
# $$v \leftarrow \beta v - \eta\,\nabla_\theta L, \qquad \theta \leftarrow \theta + v,$$
#
# with $\beta = 0.9$ a common choice. Write `train_momentum(steps, learning_rate, beta)`: start from
# `initial_parameters()` and zero velocities, and return the parameters and the loss history like
# `train` (the loss recorded once per step, before the update). With 300 steps, $\eta = 0.5$ and
# $\beta = 0.9$ it should reach a loss below $0.02$ and classify at least 98% of the points correctly —
# plain gradient descent gets nowhere near that in 300 steps. The check first follows your first few
# steps exactly (with $\beta = 0$ they must be `train`'s), then trains for 300 steps.

# %% tags=["exercise"] grade_id="momentum-answer"
def train_momentum(steps, learning_rate, beta):
    """Gradient descent with momentum; returns (params, history) like train."""
    ### BEGIN SOLUTION
    params = initial_parameters()
    velocity = [np.zeros_like(p) for p in params]
    history = []
    for _ in range(steps):
        L, grads = value_and_grad(*params)
        history.append(float(L))
        velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
        params = [p + v for p, v in zip(params, velocity)]
    return params, history
    ### END SOLUTION

# %% tags=["check"] grade_id="momentum-check" points=3
course.check_momentum(train_momentum, train, value_and_grad, initial_parameters, accuracy)

# %% [markdown]
# ## Summary
#
# * A network, its loss and its training loop are plain NumPy; `ad.value_and_grad` supplies every
#   derivative with one reverse sweep per step.
# * The tape of a batched network is a handful of array primitives; the data enter as constants.
# * Check gradients against finite differences before trusting them; AD passes, hand-written rules
#   often do not.
# * Optimizers (momentum, Adam, …) only decide what to do with the gradient; AD's job ends at computing
#   it exactly.
#
# That completes the tour of AD's core: tapes (1), forward mode (2), reverse mode (3), their costs (4),
# the alternatives (5), programs with control flow (6), arrays (7), higher derivatives (8) and training
# (9). Try `adviz trace "your expression" --at x=…` in a terminal, or the playground widget, on
# functions of your own.
#
# **Next:** lesson 10 takes control of the derivatives themselves: custom rules and `stop_gradient`.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §4 on gradient-based optimisation and neural networks: backpropagation as
#   reverse-mode AD of a loss.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3–4: why a gradient costs a small constant times the
#   loss however many parameters there are — the reason training like this is affordable.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html)
#   starts from `grad` of a logistic-regression loss, a one-layer cousin of this network.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd) trains a small MLP on the same
#   two-moons data, one scalar `Value` at a time; its demo notebook is a good companion to this lesson.
