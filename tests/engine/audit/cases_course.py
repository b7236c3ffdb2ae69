"""Course code as students write it: 150+ small snippets, each checked by ``check`` (jvp, vjp,
jacfwd, jacrev, grad, the recorded sweeps, then second order) against central differences.

The snippets are written the way they appear in homework and lecture notebooks, not the way
adviz's own tests write NumPy: softmax and logsumexp in their stable forms, losses, MLP layers,
ODE steps, polynomial fits, ``np.linalg``, slicing and fancy indexing, kinks evaluated away from
the kink, broadcasting, reductions with ``axis``/``keepdims``, float32 and integer inputs,
augmented assignment, parameter dicts, nested transforms, custom rules, ``stop_gradient`` and
``checkpoint``.  Points are drawn so every function is smooth within the difference step.
"""

from __future__ import annotations

import numpy as np

import adviz as ad

from .core import SEED, Case, check, close, expect_error

R = np.random.default_rng(11 + SEED)
CASES: list[Case] = []
SNIPPETS: list[tuple] = []  # (name, f, args, opts) of every C(...) case, for other checkers (Trace.to_python)


def r(*s):
    return R.standard_normal(s)


def pos(*s):
    return R.uniform(0.5, 2.0, s)


def C(name, f, *args, **opts):
    SNIPPETS.append((name, f, args, opts))
    CASES.append(Case(f"course {name}", lambda: check(f, args, what=name, **opts), "course"))


def E(name, fn, *words):
    CASES.append(Case(f"course refuses {name}", lambda: expect_error(fn, words=words), "course"))


def V(name, fn, want):
    CASES.append(Case(f"course value {name}", lambda: close(fn(), want, what=name), "course"))


# ----------------------------------------------------------------------------- softmax / logsumexp
def softmax(z, axis=-1):
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(z, axis=None, keepdims=False):
    m = np.max(z, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z):
    return z - logsumexp(z, axis=-1, keepdims=True)


C("softmax vector", softmax, r(5))
C("softmax rows", softmax, r(3, 4))
C("softmax columns", lambda z: softmax(z, axis=0), r(3, 4))
C("softmax naive", lambda z: np.exp(z) / np.exp(z).sum(), r(4))
C("softmax with temperature", lambda z, t: softmax(z / t), r(4), 1.7)
C("logsumexp all", logsumexp, r(3, 4))
C("logsumexp axis 1", lambda z: logsumexp(z, axis=1), r(3, 4))
C("logsumexp keepdims", lambda z: logsumexp(z, axis=0, keepdims=True), r(3, 4))
C("log_softmax", log_softmax, r(2, 5))
C("logaddexp.reduce", lambda z: np.logaddexp.reduce(z), r(5))
C("softmax jacobian diag", lambda z: np.diag(softmax(z)) - np.outer(softmax(z), softmax(z)), r(3))
C("entropy of softmax", lambda z: -np.sum(softmax(z) * log_softmax(z)), r(6))
C("softplus", lambda x: np.logaddexp(0.0, x), r(5))
C("softplus log1p", lambda x: np.log1p(np.exp(x)), r(5))
C("sigmoid", lambda x: 1 / (1 + np.exp(-x)), r(5))
C("sigmoid via tanh", lambda x: 0.5 * (np.tanh(x / 2) + 1), r(5))
C("log sigmoid", lambda x: -np.logaddexp(0, -x), r(5))

# ----------------------------------------------------------------------------- losses
Y_CLASS = np.array([0, 2, 1])
Y_ONEHOT = np.eye(3)[Y_CLASS]
Y_BIN = np.array([1.0, 0.0, 1.0, 1.0])
Y_REG = r(4)

C("mse", lambda p: np.mean((p - Y_REG) ** 2), r(4))
C("mse sum / n", lambda p: ((p - Y_REG) ** 2).sum() / len(Y_REG), r(4))
C("rmse", lambda p: np.sqrt(np.mean((p - Y_REG) ** 2)), r(4))
C("mae away from 0", lambda p: np.mean(np.abs(p - Y_REG)), Y_REG + np.array([0.3, -0.4, 0.5, -0.2]))
C("cross entropy onehot", lambda z: -np.sum(Y_ONEHOT * log_softmax(z)) / 3, r(3, 3))
C("cross entropy fancy index", lambda z: -np.mean(log_softmax(z)[np.arange(3), Y_CLASS]), r(3, 3))
C("cross entropy probabilities", lambda z: -np.mean(np.log(softmax(z)[range(3), Y_CLASS])), r(3, 3))
C("bce", lambda p: -np.mean(Y_BIN * np.log(p) + (1 - Y_BIN) * np.log(1 - p)), R.uniform(0.2, 0.8, 4))
C("bce with logits", lambda z: np.mean(np.maximum(z, 0) - z * Y_BIN + np.log1p(np.exp(-np.abs(z)))),
  np.array([0.7, -1.1, 0.4, 2.0]))
C("hinge", lambda w: np.mean(np.maximum(0, 1 - (2 * Y_BIN - 1) * w)), np.array([0.3, 0.2, 1.6, -0.5]))
C("squared hinge", lambda w: np.mean(np.maximum(0, 1 - w) ** 2), np.array([0.3, 0.2, 1.6, -0.5]))
C("huber", lambda e: np.sum(np.where(np.abs(e) < 1, 0.5 * e ** 2, np.abs(e) - 0.5)), np.array([0.3, -2.0, 1.5, 0.7]))
C("kl divergence", lambda p, q: np.sum(p * np.log(p / q)), R.uniform(0.2, 1, 4), R.uniform(0.2, 1, 4))
C("gaussian nll", lambda mu, log_s: np.sum(0.5 * ((Y_REG - mu) / np.exp(log_s)) ** 2 + log_s), r(4), r(4) * 0.3)
C("l2 penalty", lambda w: 0.5 * 1e-2 * np.sum(w * w) + np.sum(np.sin(w)), r(3, 2))
C("l1 penalty away from 0", lambda w: np.sum(np.abs(w)), np.array([0.4, -0.9, 1.2]))
C("cosine similarity", lambda a, b: a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), r(4), r(4))
C("contrastive", lambda a, b: np.maximum(0.0, 1.5 - np.sqrt(np.sum((a - b) ** 2))) ** 2, r(3) * 0.2, r(3) * 0.2)
C("focal loss", lambda p: -np.mean((1 - p) ** 2 * np.log(p)), R.uniform(0.2, 0.9, 4))
C("log-cosh", lambda e: np.sum(np.log(np.cosh(e))), r(5))
C("poisson nll", lambda z: np.sum(np.exp(z) - np.array([1.0, 0.0, 3.0]) * z), r(3))

# ----------------------------------------------------------------------------- MLP layers
W1, B1, W2, B2 = r(4, 3) * 0.5, r(4) * 0.1, r(2, 4) * 0.5, r(2) * 0.1
XB = r(5, 3)


def mlp(params, x):
    h = np.tanh(x @ params["W1"].T + params["b1"])
    return h @ params["W2"].T + params["b2"]


PARAMS = {"W1": W1, "b1": B1, "W2": W2, "b2": B2}
C("dense tanh", lambda W, b: np.tanh(XB @ W.T + b), W1, B1)
C("dense sigmoid", lambda W: 1 / (1 + np.exp(-(W @ XB.T))), W1)
C("relu away from 0", lambda x: np.maximum(x, 0), np.array([0.4, -0.7, 1.3, -0.2]))
C("relu via mask", lambda x: x * (x > 0), np.array([0.4, -0.7, 1.3, -0.2]))
C("relu via where", lambda x: np.where(x > 0, x, 0.0), np.array([0.4, -0.7, 1.3, -0.2]))
C("leaky relu", lambda x: np.where(x > 0, x, 0.01 * x), np.array([0.4, -0.7, 1.3, -0.2]))
C("elu", lambda x: np.where(x > 0, x, np.exp(x) - 1), np.array([0.4, -0.7, 1.3, -0.2]))
C("gelu tanh", lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))), r(5))
C("swish", lambda x: x / (1 + np.exp(-x)), r(5))
C("mlp dict params", lambda p: np.sum(mlp(p, XB) ** 2), PARAMS)
C("mlp tuple params", lambda p: np.mean(np.tanh(XB @ p[0].T + p[1]) @ p[2]), (W1, B1, r(4)))
C("mlp list params", lambda p: np.sum(np.tanh(p[0] @ XB.T)), [W1])
C("mlp softmax ce", lambda W: -np.mean(log_softmax(np.tanh(XB[:3] @ W1.T) @ W.T)[np.arange(3), np.array([0, 1, 1])]),
  W2)
C("layer norm", lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5), r(3, 4))
C("batch norm", lambda x, g, b: g * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + b, r(5, 3), pos(3), r(3))
C("rms norm", lambda x: x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + 1e-6), r(2, 4))
C("dropout fixed mask", lambda x: x * np.array([1.0, 0.0, 1.0, 1.0]) / 0.75, r(4))
C("residual block", lambda x, W: x + np.tanh(x @ W), r(2, 3), r(3, 3) * 0.3)
C("attention", lambda q, k, v: softmax(q @ k.T / np.sqrt(3.0)) @ v, r(2, 3), r(4, 3), r(4, 2))
C("conv1d by hand", lambda x, w: np.array([np.sum(x[i:i + 3] * w) for i in range(4)]), r(6), r(3))
C("conv1d np.convolve", lambda x, w: np.convolve(x, w, mode="valid"), r(6), r(3))
C("embedding lookup", lambda E: np.sum(E[np.array([0, 2, 2, 1])] ** 2), r(3, 2))
C("linear regression normal eq", lambda X: np.linalg.solve(X.T @ X, X.T @ Y_REG), r(4, 2))
C("logistic regression loss", lambda w: np.mean(np.logaddexp(0, -(2 * Y_BIN - 1) * (XB[:4] @ w))), r(3))
def rnn(W, h):
    for t in range(3):
        h = np.tanh(W @ h + XB[t])
    return h


C("rnn unrolled", rnn, r(3, 3) * 0.5, r(3))
C("maxout", lambda x: np.max(np.stack([x, 0.5 * x + 1.0, -x]), axis=0), np.array([0.3, 2.5, -1.7]))

# ----------------------------------------------------------------------------- ODE steps
def euler(f, y, h, n):
    for _ in range(n):
        y = y + h * f(y)
    return y


def rk4(f, y, h, n):
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + h / 2 * k1)
        k3 = f(y + h / 2 * k2)
        k4 = f(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


A_ODE = np.array([[0.0, 1.0], [-1.0, -0.1]])
C("euler linear", lambda y0: euler(lambda y: A_ODE @ y, y0, 0.1, 5), r(2))
C("euler logistic", lambda y0, k: euler(lambda y: k * y * (1 - y), y0, 0.1, 5), 0.3, 1.2)
C("rk4 pendulum", lambda y0: rk4(lambda y: np.array([y[1], -np.sin(y[0])]), y0, 0.1, 4), r(2))
C("rk4 stack form", lambda y0: rk4(lambda y: np.stack([y[1], -np.sin(y[0])]), y0, 0.1, 4), r(2))
C("rk4 damping param", lambda c: rk4(lambda y: np.array([y[1], -y[0] - c * y[1]]), np.array([1.0, 0.0]), 0.1, 4), 0.3)
def leapfrog(q, p, h=0.1):
    for _ in range(3):
        p = p - h / 2 * np.sin(q)
        q = q + h * p
        p = p - h / 2 * np.sin(q)
    return q, p


C("leapfrog", leapfrog, 0.4, 0.2)
C("heat equation roll", lambda u: euler(lambda u: np.roll(u, 1) - 2 * u + np.roll(u, -1), u, 0.1, 3), r(6))
C("heat equation slices", lambda u: euler(lambda u: np.concatenate([[0.0], u[:-2] - 2 * u[1:-1] + u[2:], [0.0]]),
                                          u, 0.1, 3), r(6))
C("lotka volterra", lambda y0: euler(lambda y: np.array([y[0] - y[0] * y[1], y[0] * y[1] - y[1]]), y0, 0.05, 4), pos(2))
C("sir model", lambda beta: euler(lambda s: np.array([-beta * s[0] * s[1], beta * s[0] * s[1] - 0.1 * s[1]]),
                                  np.array([0.99, 0.01]), 0.5, 6)[1], 0.8)
C("implicit euler solve", lambda y: np.linalg.solve(np.eye(2) - 0.1 * A_ODE, y), r(2))
C("trapezoid integral", lambda y: np.trapezoid(y ** 2, dx=0.1), r(5))
C("cumulative trapezoid", lambda y: np.cumsum((y[1:] + y[:-1]) / 2 * 0.1), r(5))
C("gradient finite difference", lambda y: np.gradient(y ** 2, 0.1), r(5))
C("newton step", lambda a: (lambda x: x - (x ** 2 - a) / (2 * x))(1.0 + 0 * a), 2.0)
def fixed_point(a):
    x = 0.5
    for _ in range(6):
        x = np.cos(a * x)
    return x


C("fixed point iteration", fixed_point, 0.7)

# ----------------------------------------------------------------------------- polynomial fits
T = np.linspace(0, 1, 6)
C("polyfit deg 2", lambda y: np.polyfit(T, y, 2), r(6))
C("polyfit then polyval", lambda y: np.polyval(np.polyfit(T, y, 2), 0.3), r(6))
C("vander lstsq", lambda y: np.linalg.lstsq(np.vander(T, 3), y, rcond=None)[0], r(6))
C("normal equations", lambda y: np.linalg.solve(np.vander(T, 3).T @ np.vander(T, 3), np.vander(T, 3).T @ y), r(6))
C("polyval coefficients", lambda c: np.polyval(c, T), r(3))
C("polyval x", lambda x: np.polyval(np.array([1.0, -2.0, 0.5]), x), r(4))
C("horner by hand", lambda c, x: c[0] + x * (c[1] + x * c[2]), r(3), r(4))
C("vander of traced x", lambda x: np.vander(x, 3) @ np.array([1.0, 2.0, 3.0]), r(4))
C("polyder", lambda c: np.polyval(np.polyder(c), 0.7), r(4))
C("polyint", lambda c: np.polyint(c), r(3))
C("least squares residual", lambda c: np.sum((np.polyval(c, T) - np.sin(T)) ** 2), r(3))
C("pinv fit", lambda y: np.linalg.pinv(np.vander(T, 2)) @ y, r(6))
C("ridge", lambda y, lam: np.linalg.solve(np.vander(T, 3).T @ np.vander(T, 3) + lam * np.eye(3),
                                          np.vander(T, 3).T @ y), r(6), 0.1)

# ----------------------------------------------------------------------------- np.linalg
def spd(n):
    a = r(n, n)
    return a @ a.T + n * np.eye(n)


SPD3 = spd(3)
C("solve", lambda A, b: np.linalg.solve(A, b), SPD3, r(3))
C("solve matrix rhs", lambda A, B: np.linalg.solve(A, B), SPD3, r(3, 2))
C("inv", np.linalg.inv, SPD3)
C("inv times vector", lambda A: np.linalg.inv(A) @ np.ones(3), SPD3)
C("det", np.linalg.det, r(3, 3))
C("logdet via slogdet", lambda A: np.linalg.slogdet(A)[1], SPD3)
C("log det cholesky", lambda A: 2 * np.sum(np.log(np.diag(np.linalg.cholesky(A)))), SPD3)
C("gaussian log density", lambda x, S: -0.5 * x @ np.linalg.solve(S, x) - 0.5 * np.linalg.slogdet(S)[1], r(3), SPD3)
C("norm 2", np.linalg.norm, r(4))
C("norm fro", lambda A: np.linalg.norm(A, "fro"), r(3, 2))
C("norm axis", lambda A: np.linalg.norm(A, axis=1), r(3, 2))
C("norm ord 1 vector", lambda x: np.linalg.norm(x, 1), np.array([0.5, -1.0, 2.0]))
C("norm spectral", lambda A: np.linalg.norm(A, 2), r(3, 2))
C("eigh values", lambda A: np.linalg.eigh(A)[0], SPD3)
C("eigvalsh", np.linalg.eigvalsh, SPD3)
C("eigh top vector abs", lambda A: np.abs(np.linalg.eigh(A)[1][:, -1]), SPD3)
C("cholesky", np.linalg.cholesky, SPD3)
C("qr r diag abs", lambda A: np.abs(np.diag(np.linalg.qr(A)[1])), r(4, 3))
C("svd values", lambda A: np.linalg.svd(A, compute_uv=False), r(3, 2))
C("svd nuclear", lambda A: np.sum(np.linalg.svd(A)[1]), r(3, 3))
C("matrix power", lambda A: np.linalg.matrix_power(A, 3), r(2, 2))
C("trace of product", lambda A, B: np.trace(A @ B), r(3, 3), r(3, 3))
C("quadratic form", lambda x: x @ SPD3 @ x, r(3))
C("outer and einsum", lambda a, b: np.einsum("i,j->ij", a, b), r(3), r(2))
C("einsum batch matmul", lambda A, B: np.einsum("bij,bjk->bik", A, B), r(2, 2, 3), r(2, 3, 2))
C("einsum trace", lambda A: np.einsum("ii", A), r(3, 3))
C("matmul batch broadcast", lambda A, x: A @ x, r(2, 3, 3), r(3))
C("dot 1d", lambda a, b: np.dot(a, b), r(3), r(3))
C("cross product", lambda a, b: np.cross(a, b), r(3), r(3))
C("kron", lambda a, b: np.kron(a, b), r(2, 2), r(2))
C("mahalanobis", lambda x, mu: np.sqrt((x - mu) @ np.linalg.inv(SPD3) @ (x - mu)), r(3), r(3))
C("cond 2", lambda A: np.linalg.cond(A), SPD3)
C("gram schmidt", lambda A: (lambda q0: A[:, 1] - (q0 @ A[:, 1]) * q0)(A[:, 0] / np.linalg.norm(A[:, 0])), r(3, 2))
def power_iteration(A):
    v = np.ones(3) / np.sqrt(3)
    for _ in range(5):
        v = A @ v
        v = v / np.linalg.norm(v)
    return v


C("power iteration", power_iteration, SPD3)
C("multi_dot", lambda A, B, c: np.linalg.multi_dot([A, B, c]), r(2, 3), r(3, 3), r(3))

# ----------------------------------------------------------------------------- indexing and slicing
C("slice step", lambda x: x[::2] * x[1::2], r(6))
C("slice negative", lambda x: x[1:-1] - x[:-2], r(6))
C("reverse slice", lambda x: x[::-1] * x, r(5))
C("2d slice", lambda A: A[1:, :2] ** 2, r(3, 3))
C("row and column", lambda A: A[0] + A[:, 1], r(3, 3))
C("fancy index repeat", lambda x: x[[0, 0, 2, 1]] ** 2, r(3))
C("fancy index 2d pairs", lambda A: A[[0, 1, 2], [2, 0, 1]], r(3, 3))
C("boolean mask", lambda x: np.sum(x[x > 0] ** 2), np.array([0.5, -1.0, 2.0, -0.3]))
C("boolean mask plain", lambda x: x[np.array([True, False, True, False])] * 3, r(4))
C("newaxis", lambda x: x[:, None] * x[None, :], r(3))
C("ellipsis", lambda A: A[..., 0] * A[..., 1], r(2, 3, 2))
C("negative index", lambda x: x[-1] * x[-2], r(4))
C("argmax select", lambda x: x[np.argmax(x)] ** 2, np.array([0.1, 2.0, -1.0]))
C("take_along_axis", lambda A: np.take_along_axis(A, np.argsort(A, axis=1), axis=1), r(3, 3))
C("sort", lambda x: np.sort(x) * np.arange(1.0, 5.0), r(4))
C("top k", lambda x: np.sort(x)[-2:], r(5))
C("np.take", lambda x: np.take(x, [2, 0]), r(3))
C("diag", lambda A: np.diag(A) * 2, r(3, 3))
C("tril", lambda A: np.tril(A) @ np.ones(3), r(3, 3))
C("triu indices", lambda A: A[np.triu_indices(3, 1)], r(3, 3))
C("meshgrid", lambda x, y: np.sum(np.sin(np.meshgrid(x, y)[0]) * np.meshgrid(x, y)[1]), r(3), r(2))
C("one-hot matmul", lambda E: np.eye(4)[[1, 3]] @ E, r(4, 2))
C("where by index", lambda x: np.where(np.arange(4) % 2 == 0, x, -x), r(4))
C("diff", lambda x: np.diff(x) ** 2, r(5))
C("diff n=2", lambda x: np.diff(x, n=2), r(5))
C("cumsum axis", lambda A: np.cumsum(A, axis=1), r(2, 3))
C("cumprod", lambda x: np.cumprod(x), pos(4))
C("flip", lambda A: np.flip(A, axis=0) * A, r(3, 2))
C("reshape -1", lambda x: x.reshape(2, -1) @ np.ones(3), r(6))
C("transpose T", lambda A: A.T @ A, r(3, 2))
C("concatenate", lambda a, b: np.concatenate([a, b, a * b]), r(2), r(2))
C("stack axis 1", lambda a, b: np.stack([a, b], axis=1), r(3), r(3))
C("hstack vstack", lambda a: np.vstack([np.hstack([a, a]), np.hstack([a, -a])]), r(2))
C("split", lambda x: np.split(x, 3)[1] * np.split(x, 3)[2], r(6))
C("pad", lambda x: np.pad(x, 1) * np.arange(6.0), r(4))
C("tile repeat", lambda x: np.tile(x, 2) + np.repeat(x, 2), r(3))
C("roll", lambda x: np.roll(x, 1) * x, r(4))

# ----------------------------------------------------------------------------- kinks away from the kink
C("clip inside", lambda x: np.clip(x, -1, 1), np.array([0.5, -0.3, 0.9]))
C("clip outside", lambda x: np.clip(x, -1, 1) * x, np.array([1.5, -1.3, 0.2]))
C("maximum of two", lambda x, y: np.maximum(x, y), np.array([0.5, -0.3, 2.0]), np.array([0.1, 0.4, 1.0]))
C("minimum with scalar", lambda x: np.minimum(x, 0.5) ** 2, np.array([0.2, 1.3, -0.7]))
C("abs", lambda x: np.abs(x) ** 3, np.array([0.2, -1.3, 0.7]))
C("max reduction", lambda A: np.max(A, axis=0), r(3, 2))
C("amax keepdims", lambda A: A - np.amax(A, axis=1, keepdims=True), r(2, 3))
C("min of vector", lambda x: np.min(x) * x, r(4))
C("where quadratic", lambda x: np.where(x < 0, x ** 2, np.sin(x)), np.array([-0.5, 0.3, 1.4]))
C("sign times x", lambda x: np.sign(x) * x ** 2, np.array([-0.5, 0.3, 1.4]))
C("floor fractional", lambda x: x - np.floor(x), np.array([0.3, 1.6, -0.4]))
C("piecewise", lambda x: np.piecewise(x, [x < 0, x >= 0], [lambda t: t ** 2, lambda t: np.sin(t)]),
  np.array([-0.5, 0.3, 1.4]))
C("select", lambda x: np.select([x < 0, x < 1], [x ** 2, x], default=np.sqrt(np.abs(x))), np.array([-0.5, 0.3, 1.4]))
C("smooth max", lambda x: np.log(np.sum(np.exp(10 * x))) / 10, r(3))
C("median odd", lambda x: np.median(x), np.array([0.3, -1.0, 2.0]))
C("percentile", lambda x: np.percentile(x, 30), np.array([0.3, -1.0, 2.0, 0.9]))
C("nanmean", lambda x: np.nanmean(np.where(np.array([True, False, True]), x, np.nan)), r(3))

# ----------------------------------------------------------------------------- broadcasting
C("pairwise distances", lambda X: np.sqrt(np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1) + 1e-9), r(3, 2))
C("rbf kernel", lambda X, ell: np.exp(-np.sum((X[:, None] - X[None]) ** 2, -1) / (2 * ell ** 2)), r(3, 2), 0.8)
C("row minus column mean", lambda A: A - A.mean(axis=0), r(3, 2))
C("scale columns", lambda A, s: A * s, r(3, 2), r(2))
C("add row vector", lambda A, b: A + b[None, :], r(3, 2), r(2))
C("outer via broadcasting", lambda a, b: a[:, None] * b, r(3), r(2))
C("scalar broadcast", lambda a, s: s * a + s ** 2, r(3), 0.7)
C("broadcast_to", lambda x: np.broadcast_to(x, (3, 2)) * np.arange(6.0).reshape(3, 2), r(2))
C("standardize", lambda X: (X - X.mean(0)) / X.std(0), r(5, 2))
C("zscore keepdims", lambda X: (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True), r(2, 5))

# ----------------------------------------------------------------------------- reductions
C("sum axis 0", lambda A: np.sum(A, axis=0), r(3, 2))
C("sum axis tuple", lambda A: np.sum(A, axis=(0, 2)), r(2, 3, 2))
C("mean keepdims", lambda A: np.mean(A, axis=1, keepdims=True) * A, r(2, 3))
C("prod", lambda x: np.prod(x), pos(4))
C("prod with zero", lambda x: np.prod(x), np.array([0.0, 1.5, -2.0]))
C("var ddof", lambda x: np.var(x, ddof=1), r(5))
C("std axis", lambda A: np.std(A, axis=0), r(4, 2))
C("average weights", lambda x, w: np.average(x, weights=w), r(4), pos(4))
C("cov", lambda X: np.cov(X), r(2, 5))
C("corrcoef", lambda X: np.corrcoef(X)[0, 1], r(2, 5))
C("x.sum method", lambda A: A.sum(axis=1) ** 2, r(2, 3))
C("x.mean method", lambda A: A.mean() * A.max(), r(2, 3))
C("norm squared via dot", lambda x: x.dot(x), r(4))
C("ptp", lambda x: np.ptp(x), r(4))

# ----------------------------------------------------------------------------- dtype games
C("float32 input", lambda x: np.sum(np.sin(x) ** 2), r(3).astype(np.float32))
C("float32 meets float64", lambda x: x * np.float64(2.0) + np.ones(3), r(3).astype(np.float32))
C("astype float64", lambda x: np.sum(x.astype(np.float64) ** 2), r(3))
C("int constant", lambda x: x * np.arange(3) + 2, r(3))
C("int power", lambda x: x ** np.array([1, 2, 3]), r(3))
C("true division by int", lambda x: x / 3, r(3))
C("python floats", lambda x: 3 * x ** 2 + 2 * x + 1, 0.7)
C("np.float64 constant", lambda x: np.float64(0.5) * x, r(2))
C("mean of ints times x", lambda x: np.mean(np.array([1, 2, 4])) * x, 0.3)
C("astype float32 roundtrip", lambda x: x.astype(np.float32).astype(np.float64) ** 2, np.array([0.5, 0.25]), order=1)

# ----------------------------------------------------------------------------- in-place habits
def augmented(x):
    y = x.copy()
    y += 1.0
    y *= x
    y -= 0.5 * x
    y /= 2.0
    y **= 2
    return y


def accumulate(x):
    total = 0.0
    for xi in x:
        total += xi ** 2
    return total


def loop_append(x):
    out = []
    for i in range(len(x)):
        out.append(x[i] * i)
    return np.array(out)


def build_then_stack(x):
    rows = [x * k for k in range(3)]
    return np.stack(rows)


C("augmented assignment", augmented, r(3))
C("accumulate in loop", accumulate, r(4))
C("list then np.array", loop_append, r(4))
C("list of rows then stack", build_then_stack, r(2))
C("python sum", lambda x: sum(x ** 2), r(3))
C("python max of two", lambda x: max(x[0], x[1]) * x[2], np.array([0.5, 1.5, 2.0]))
C("np.array of traced scalars", lambda x, y: np.array([[x, y], [y * y, x * y]]), 0.5, 1.5)
C("np.asarray of list", lambda x: np.asarray([x, 2 * x, x ** 2]), 0.7)
C("np.array mixed numbers", lambda x: np.sin(np.array([x, 1.0])), 0.7)
E("a[i] = x", lambda: ad.grad(lambda x: (lambda a: (a.__setitem__(0, x), a.sum())[1])(np.zeros(3)))(0.5),
  "derivative")
E("x[i] = 1", lambda: ad.grad(lambda x: (x.__setitem__(0, 1.0), x.sum())[1])(np.ones(3)), "in-place")
E("np.add.at", lambda: ad.grad(lambda x: (np.add.at(np.zeros(3), [0, 0], x), 0.0)[1])(np.ones(2)), "np.add.at")
E("float(x)", lambda: ad.grad(lambda x: float(x) * x)(0.5), "float")
E("math.sin", lambda: ad.grad(lambda x: __import__("math").sin(x))(0.5), "math")
E("sin of mixed list", lambda: ad.grad(lambda x: np.sum(np.sin([x, 1.0])))(0.5), "np.sin(np.array([x, 1.0]))")
E("histogram", lambda: ad.grad(lambda x: np.sum(np.histogram(x, 3)[0]))(r(4)), "np.histogram")

# ----------------------------------------------------------------------------- pytrees
def loss_dict(p):
    return np.sum((XB @ p["w"] + p["b"] - np.arange(5.0)) ** 2) + p["reg"] * np.sum(p["w"] ** 2)


C("dict params", loss_dict, {"w": r(3), "b": 0.3, "reg": 0.1})
C("nested dict", lambda p: np.sum(p["layer"]["W"] @ p["x"]) * p["layer"]["s"],
  {"layer": {"W": r(2, 3), "s": 1.5}, "x": r(3)})
C("tuple of arrays", lambda p: np.sum(p[0] * p[1]) + p[2] ** 2, (r(3), r(3), 0.4))
C("list of layers", lambda layers: np.sum(np.tanh(np.tanh(XB @ layers[0]) @ layers[1])), [r(3, 4) * 0.5, r(4, 2) * 0.5])
C("dict output", lambda x: {"sq": x ** 2, "sin": np.sin(x)}, r(3))
C("tuple output", lambda x: (np.sum(x), x * 2, np.prod(x)), r(3))
C("two args one dict", lambda p, x: mlp(p, x), PARAMS, r(2, 3))


def _pytree_grad_structure():
    g = ad.grad(loss_dict)({"w": np.ones(3), "b": 0.5, "reg": 0.1})
    if set(g) != {"w", "b", "reg"} or np.shape(g["w"]) != (3,) or np.shape(g["b"]) != ():
        raise AssertionError(f"grad of a dict of params: {g!r:.200}")
    want = 2 * XB.T @ (XB @ np.ones(3) + 0.5 - np.arange(5.0)) + 0.2 * np.ones(3)
    close(g["w"], want, 0, "grad dict w")
    close(g["reg"], 3.0, 0, "grad dict reg")


CASES.append(Case("course value grad of dict params", _pytree_grad_structure, "course"))

# ----------------------------------------------------------------------------- nested transforms
C("grad of grad", lambda x: ad.grad(ad.grad(lambda t: np.sin(t) * t ** 3))(x), 0.7, order=1)
C("jvp of grad", lambda x: ad.jvp(ad.grad(lambda t: np.sum(np.tanh(t) ** 2)), (x,), (np.ones(3),))[1], r(3), order=1)
C("grad inside loss", lambda w: np.sum(ad.grad(lambda x: np.sum(np.sin(w * x)))(np.ones(3)) ** 2), r(3), order=1)
C("hessian vector product", lambda x: ad.hessian(lambda t: np.sum(t ** 3 * np.roll(t, 1)))(x) @ np.ones(3), r(3),
  order=1)
C("jacrev of jacfwd", lambda x: ad.jacrev(ad.jacfwd(lambda t: np.sin(t) * t[0]))(x), r(2), order=1)
C("vjp inside", lambda x: ad.vjp(lambda t: np.exp(t) * t, x)[1](np.ones(3))[0], r(3), order=1)
C("perturbation confusion", lambda x: x * ad.grad(lambda y: x * y)(2.0), 0.7, order=1)
C("grad of value_and_grad", lambda x: ad.value_and_grad(lambda t: np.sum(np.cos(t)))(x)[1], r(3), order=1)
C("laplacian", lambda x: np.trace(ad.hessian(lambda t: np.exp(-np.sum(t ** 2)))(x)), r(2), order=1)
C("newton step with hessian", lambda x: x - np.linalg.solve(ad.hessian(lambda t: np.sum(t ** 4) + t @ t)(x),
                                                         ad.grad(lambda t: np.sum(t ** 4) + t @ t)(x)), r(2), order=1)
C("grad wrt closed-over param", lambda a: ad.grad(lambda x: a * x ** 2 + np.sin(a * x))(0.3), 1.2, order=1)


def _textbook_perturbation():
    got = ad.grad(lambda x: x * ad.grad(lambda y: x + y)(1.0))(2.0)
    close(got, 1.0, 0, "d/dx [x d/dy (x + y)]")
    got = ad.jvp(lambda x: x * ad.jvp(lambda y: x + y, (1.0,), (1.0,))[1], (2.0,), (1.0,))[1]
    close(got, 1.0, 0, "jvp perturbation confusion")


CASES.append(Case("course value perturbation confusion", _textbook_perturbation, "course"))

# ----------------------------------------------------------------------------- custom rules, stop_gradient, checkpoint
@ad.custom_jvp
def safe_log1pexp(x):
    return np.logaddexp(0.0, x)


safe_log1pexp.defjvp(lambda p, t: (safe_log1pexp(p[0]), t[0] / (1 + np.exp(-p[0]))))


@ad.custom_vjp
def clip_grad_identity(x):
    return x


clip_grad_identity.defvjp(lambda x: (x, None), lambda res, g: (g,))


@ad.custom_vjp
def scaled_sin(x, a):
    return np.sin(x) * a


scaled_sin.defvjp(lambda x, a: (np.sin(x) * a, (x, a)),
                  lambda res, g: (g * np.cos(res[0]) * res[1], np.sum(g * np.sin(res[0]))))


@ad.custom_jvp
def norm_safe(x):
    return np.sqrt(np.sum(x ** 2))


norm_safe.defjvp(lambda p, t: (norm_safe(p[0]), p[0] @ t[0] / norm_safe(p[0])))

C("custom_jvp softplus", lambda x: np.sum(safe_log1pexp(x) ** 2), r(4))
C("custom_vjp identity", lambda x: np.sum(clip_grad_identity(x) ** 3), r(3), modes=("rev",))
C("custom_vjp two args", lambda x, a: scaled_sin(x, a), r(3), 1.3, modes=("rev",), order=1)
C("custom_jvp norm", lambda x: norm_safe(x) * x, r(3))
C("checkpoint block", lambda x: np.sum(ad.checkpoint(lambda t: np.tanh(np.sin(t) * t))(x) ** 2), r(4))
C("checkpoint layer", lambda W: np.sum(ad.checkpoint(lambda w: np.tanh(XB @ w))(W)), r(3, 2))
C("remat twice", lambda x: ad.checkpoint(lambda t: ad.checkpoint(np.sin)(t) * t)(x), r(3))
V("stop_gradient", lambda: ad.grad(lambda x: x * ad.stop_gradient(x) ** 2)(1.5), 1.5 ** 2)
V("stop_gradient straight-through", lambda: ad.grad(
    lambda x: np.sum(x + ad.stop_gradient(np.round(x) - x)))(np.array([0.3, 1.7])), [1.0, 1.0])
V("stop_gradient jvp", lambda: ad.jvp(lambda x: x * ad.stop_gradient(x), (2.0,), (1.0,))[1], 2.0)
V("custom_vjp gradient clipping", lambda: ad.grad(lambda x: np.sum(clip_grad_identity(x) * 3.0))(np.ones(2)),
  [3.0, 3.0])

# ----------------------------------------------------------------------------- less common spellings
A33, A23 = r(3, 3), r(2, 3)
C("fancy then fancy", lambda A: A[[0, 2]][:, [1, 0]], A33)
C("np.ix_", lambda A: A[np.ix_([0, 2], [1, 2])], A33)
C("int and list index", lambda A: A[1, [0, 2]], A33)
C("bool column mask", lambda A: A[:, np.array([True, False, True])], A33)
C("2-d index array", lambda x: x[np.array([[0, 1], [2, 2]])], r(3))
C("none ellipsis none", lambda A: A[None, ..., None] * 2, A23)
C("negative steps 2d", lambda A: A[::-1, ::2], A33)
C("0-d index array", lambda x: x[np.array(1)] * x, r(3))
C("2-d boolean mask", lambda A: A[A > 0.1] ** 2, A33)
C("index with np.int64", lambda x: x[np.int64(2)] ** 2, r(3))
C("slice object", lambda x: x[slice(1, None)] * 2, r(4))
C("diagonal offset", lambda A: np.diagonal(A, offset=1), A33)
C("trace offset", lambda A: np.trace(A, offset=-1), A33)
C("cumsum flat", lambda A: np.cumsum(A), A23)
C("diff prepend", lambda x: np.diff(x, prepend=0.0), r(4))
C("diff traced append", lambda x, a: np.diff(x, append=a), r(4), 0.3)
C("linspace traced ends", lambda a, b: np.linspace(a, b, 5, endpoint=False), 0.2, 1.7)
C("linspace retstep", lambda a, b: np.linspace(a, b, 4, retstep=True)[1] * np.linspace(a, b, 4), 0.2, 1.7)
C("std ddof where", lambda x: np.std(x, ddof=1, where=np.array([True, True, False, True])), r(4))
# float32 outputs: first order only (the second-order checks compare primals of two derivative
# programs to 1e-9 and difference float32-rounded values, both below float32's own resolution)
C("var float32 keepdims", lambda A: np.var(A, axis=0, keepdims=True), r(3, 2).astype(np.float32), order=1)
C("clip traced bounds", lambda x, lo, hi: np.clip(x, lo, hi), np.array([-2.0, 0.1, 2.0]), np.array([-1.0, -1.0, -1.0]),
  np.array([1.0, 1.0, 1.5]))
C("maximum.accumulate", lambda x: np.maximum.accumulate(x), np.array([0.3, -1.0, 1.2, 0.8]))
C("logaddexp with -inf", lambda x: np.logaddexp(x, -np.inf), r(3))
C("negative axes", lambda A: A.mean(axis=-1) + A.sum(-2)[:2], r(2, 3))
C("expand_dims tuple", lambda x: np.expand_dims(x, (0, 2)) * 2, r(3))
C("reshape order F", lambda x: x.reshape((2, 3), order="F") @ np.ones(3), r(6))
C("moveaxis", lambda A: np.moveaxis(A, 0, -1), r(2, 3, 2))
C("swapaxes", lambda A: np.swapaxes(A, 0, 1) @ np.ones(2), A23)
C("einsum ellipsis", lambda A, B: np.einsum("...ij,...jk->...ik", A, B), r(2, 2, 3), r(2, 3, 2))
C("einsum repeated output", lambda a: np.einsum("i,i->i", a, a), r(3))
C("einsum contraction all", lambda A, B: np.einsum("ij,ij", A, B), A23, r(2, 3))
C("solve batched", lambda A, b: np.linalg.solve(A, b), np.stack([SPD3, spd(3)]), r(2, 3, 1))
C("inv batched", np.linalg.inv, np.stack([SPD3, spd(3)]))
C("det batched", np.linalg.det, r(2, 3, 3))
C("matmul 1-d @ 2-d", lambda x, A: x @ A, r(2), A23)
C("dot n-d", lambda A, B: np.dot(A, B), r(2, 2, 3), r(3, 2))
C("tensordot axes int", lambda A, B: np.tensordot(A, B, axes=1), A23, r(3, 2))
C("tensordot axes pairs", lambda A, B: np.tensordot(A, B, axes=([0, 1], [1, 0])), A23, r(3, 2))
C("inner", lambda a, B: np.inner(a, B), r(3), A23)
C("outer of matrices", lambda A, B: np.outer(A, B), r(2, 2), r(2))
C("interp traced fp", lambda fp: np.interp(np.array([0.25, 0.5, 0.9]), T, fp), r(6))
C("interp traced x", lambda x: np.interp(x, T, np.sin(T)), np.array([0.13, 0.55, 0.91]))
C("int input promoted", lambda x: x ** 2 * 1.5, np.array([1, 2, 3]), order=1, jac=False)
C("0-d array input", lambda x: np.sin(x) * x, np.array(0.7))
C("float32 scalar input", lambda x: np.exp(x) * 2, np.float32(0.3), order=1)
C("hypot", lambda x, y: np.hypot(x, y), r(3), r(3))
C("arctan2 angles", lambda y, x: np.arctan2(y, x), r(3), pos(3))
C("degrees radians", lambda x: np.degrees(np.sin(np.radians(x))), r(3) * 50)
C("sinc", np.sinc, np.array([0.3, -1.4, 2.2]))
C("expm1 log1p", lambda x: np.expm1(x) * np.log1p(x ** 2), r(3))
C("exp2 log2", lambda x: np.exp2(x) + np.log2(x), pos(3))
C("cbrt", np.cbrt, np.array([0.3, -1.4, 2.2]))
C("tan arctan", lambda x: np.tan(x) + np.arctan(x), np.array([0.3, -1.1, 0.9]))
C("arcsinh arccosh arctanh", lambda x: np.arcsinh(x) + np.arccosh(x + 2) + np.arctanh(x / 3), pos(3))
C("remainder", lambda x: np.remainder(x, 0.7), np.array([0.3, 1.1, 2.0]))
C("fmod", lambda x, y: np.fmod(x, y), np.array([0.3, 1.1, 2.0]), np.array([0.7, 0.8, 0.9]))
C("power traced exponent", lambda x, y: x ** y, pos(3), r(3))
C("power negative base int exp", lambda x: x ** 3 + x ** -2, np.array([-0.8, -1.3, 1.1]))
C("sqrt of sum of squares", lambda x: np.sqrt(x @ x), r(3))
C("square", lambda x: np.square(x) * np.reciprocal(x), pos(3))
C("copysign", lambda x: np.copysign(x, np.array([-1.0, 1.0, -1.0])), r(3))
C("nan_to_num", lambda x: np.nan_to_num(np.log(x)), np.array([0.5, 1.5, 2.0]))
C("unique values", lambda x: np.unique(x), np.array([0.3, 1.2, -0.4]))
C("quantile array q", lambda x: np.quantile(x, [0.25, 0.75]), r(5))
C("nanmedian", lambda x: np.nanmedian(np.where(np.array([True, True, False, True]), x, np.nan)), r(4))
C("corrcoef rowvar False", lambda X: np.corrcoef(X, rowvar=False), r(5, 2))
C("cov weighted", lambda X: np.cov(X, aweights=np.array([1.0, 2.0, 0.5, 1.0, 3.0])), r(2, 5))
C("poly roots to coefficients", lambda r_: np.poly(r_), r(3))
C("interp period", lambda x, p: np.interp(x, np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.5]), period=p),
  np.array([0.4, 2.5, 3.7]), 3.0)
C("unwrap period", lambda x, p: np.unwrap(x, period=p), np.array([0.0, 2.0, 4.2]), 3.0)
C("value_and_grad has_aux", lambda x: ad.value_and_grad(lambda t: (np.sum(t ** 3), t), has_aux=True)(x)[1], r(3),
  order=1)
C("grad argnums tuple", lambda x, y: ad.grad(lambda a, b: np.sum(a * b ** 2), argnums=(0, 1))(x, y)[1], r(3), r(3),
  order=1)
C("hessian of dict input", lambda x: ad.hessian(lambda p: np.sum(p["a"] ** 2 * p["b"]))({"a": x, "b": 2.0})["a"]["a"],
  r(2), order=1)
C("vjp dict output", lambda x: ad.vjp(lambda t: {"u": t * 2, "v": np.sin(t)}, x)[1]({"u": np.ones(3), "v": np.ones(3)})[0],
  r(3), order=1)
C("checkpoint tuple output", lambda x, y: ad.checkpoint(lambda a, b: (a * b, np.sin(a) + b))(x, y), r(3), r(3))
# stop_gradient stops every level, as JAX's does: the outer x inside it gets no derivative either,
# so the reference is not the plain function's (where stop_gradient is the identity)
V("stop_gradient in nested grad", lambda: ad.grad(lambda x: ad.grad(lambda y: y * ad.stop_gradient(x * y))(x))(0.7), 0.0)


def _custom_vjp_none():
    @ad.custom_vjp
    def f(x, scale):
        return x * scale

    f.defvjp(lambda x, s: (x * s, s), lambda s, g: (g * s, None))
    close(ad.grad(lambda x: np.sum(f(x, 3.0)))(np.ones(2)), [3.0, 3.0], 0, "custom_vjp with a None cotangent")


CASES.append(Case("course value custom_vjp None cotangent", _custom_vjp_none, "course"))
V("integer input grad", lambda: ad.grad(lambda x: x ** 2)(3), 6.0)
V("grad wrt float32 keeps dtype", lambda: np.asarray(ad.grad(lambda x: x * x)(np.float32(1.5))).dtype == np.float32, True)
V("max tie split", lambda: ad.grad(lambda x: np.max(x))(np.array([1.0, 1.0, 0.0])), [0.5, 0.5, 0.0])
V("abs at 0", lambda: ad.grad(np.abs)(0.0), 0.0)
V("norm of zero vector is refused or 0",
  lambda: np.nan_to_num(ad.grad(lambda x: np.linalg.norm(x))(np.zeros(2)), nan=0.0), [0.0, 0.0])
V("empty mask sum", lambda: ad.grad(lambda x: np.sum(x[x > 10]))(np.ones(3)), [0.0, 0.0, 0.0])


def _checkpoint_closure(x, W):
    return np.sum(ad.checkpoint(lambda t: np.tanh(W @ t) * t[0])(x) ** 2)


def _custom_closure(W, x):
    @ad.custom_jvp
    def f(t):
        return W * np.sin(t)

    f.defjvp(lambda p, t: (f(p[0]), W * np.cos(p[0]) * t[0]))
    return np.sum(f(x))


C("checkpoint closing over a traced W", _checkpoint_closure, r(3), r(2, 3))
E("custom_jvp closing over a traced W", lambda: ad.grad(_custom_closure, argnums=(0, 1))(r(2), r(2)), "as an argument")
C("det of np.array of traced entries", lambda a, b: np.linalg.det(np.array([[a, b], [b, a * a]])), 0.7, 0.3)
C("inv of np.array of traced entries", lambda a, b: np.linalg.inv(np.array([[a, b], [-b, a + 2.0]])), 0.7, 0.3)
C("jacobian matrix then solve", lambda x, y: np.linalg.solve(np.array([[2 * x, 1.0], [y, 3 * y]]), np.array([x, y])),
  0.7, 1.3)

# ----------------------------------------------------------------------------- solvers and Python habits
T_FIT = np.linspace(0, 1, 6)
Y_FIT = np.exp(-1.3 * T_FIT) * 2.0


def gauss_newton(p):
    def residuals(q):
        return q[0] * np.exp(-q[1] * T_FIT) - Y_FIT

    for _ in range(2):
        J = ad.jacfwd(residuals)(p)
        p = p - np.linalg.solve(J.T @ J, J.T @ residuals(p))
    return p


def newton_sqrt(a):
    x = 1.0 + 0 * a
    while abs(x * x - a) > 1e-12:  # control flow on the value: the executed iterations are differentiated
        x = x - (x * x - a) / (2 * x)
    return x


def gradient_descent(w):
    for _ in range(3):
        w = w - 0.1 * ad.grad(lambda v: np.sum((v - 1.0) ** 2 * np.arange(1.0, 4.0)))(w)
    return w


C("gauss-newton through jacfwd", gauss_newton, np.array([1.8, 1.1]), order=1)
C("newton while loop", newton_sqrt, 2.0, order=1)
C("gradient descent unrolled", gradient_descent, r(3), order=1)
C("map over entries", lambda x: np.array(list(map(np.sin, x))), r(3))
C("zip and enumerate", lambda x, y: sum(i * a * b for i, (a, b) in enumerate(zip(x, y))), r(3), r(3))
C("np.vectorize", lambda x: np.vectorize(lambda t: t * np.sin(t))(x), r(3))
E("np.frompyfunc", lambda: ad.grad(lambda x: np.sum(np.frompyfunc(lambda t: t * t, 1, 1)(x)))(r(3)), "np.vectorize")
EPS = np.random.default_rng(4).standard_normal(3)
C("vae reparameterization", lambda mu, log_s: np.sum((mu + np.exp(log_s) * EPS) ** 2) - np.sum(log_s), r(3), r(3))
E("sampler with a traced parameter", lambda: ad.grad(lambda m: np.random.default_rng(0).normal(m, 1.0))(0.5),
  "reparameterization")
