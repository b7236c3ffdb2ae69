import numpy as np
from harness import *  # noqa
import adviz as ad
rng = np.random.default_rng(9)
X = rng.standard_normal((5, 3)); labels = np.array([0, 2, 1, 1, 0]); yv = rng.standard_normal(5)
def softmax_xent(W):
    logits = X @ W
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(5), labels]))
def onehot_xent(W):
    Y = np.eye(3)[labels]
    z = X @ W
    return -np.sum(Y * (z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))) / len(labels)
def relu_net(W1):
    h = np.maximum(0, X @ W1)
    return np.mean((h.sum(axis=1) - yv) ** 2)
def leaky(x): return np.where(x > 0, x, 0.01 * x)
def pairwise(x):
    d = x[:, None, :] - x[None, :, :]
    return np.sum(np.sum(d ** 2, axis=-1))
def bce(w):
    p = 1 / (1 + np.exp(-(X @ w)))
    p = np.clip(p, 1e-7, 1 - 1e-7)
    t = (yv > 0).astype(float)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
def eye_scale(x): return np.sum((np.eye(3) * x[0] + np.ones_like(np.eye(3)) * x[1]) @ x)
def zeros_like_acc(x):
    acc = np.zeros_like(x)
    for i in range(3):
        acc = acc + x ** i
    return acc
def full_like(x): return np.full_like(x, 3.0) * x + np.empty_like(x).shape[0]
def gram(x): return x.T.dot(x)
def poly(x):
    c = np.array([1.0, -2.0, 0.5])
    return sum(c[i] * x ** i for i in range(3))
def norm_rows(x): return np.linalg.norm(x, axis=1)
def kernel(x):
    d2 = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    return np.exp(-d2 / 2.0)
def rnn(w):
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(w[0] * h + w[1] * X[t])
    return h
def gradient_descent(w0):
    w = w0
    for _ in range(3):
        w = w - 0.1 * ad.grad(lambda v: np.sum((X @ v - yv) ** 2))(w)
    return np.sum(w ** 2)
def stats(x): return np.array([x.mean(), x.std(), x.var(ddof=1), np.median(x), x.max() - x.min()])
def cumtrapz(y): return np.cumsum((y[1:] + y[:-1]) / 2 * 0.1)
def roll_conv(x): return x + 0.5 * np.roll(x, 1) + 0.25 * np.roll(x, -1)
def logsumexp_ax(x): return np.log(np.sum(np.exp(x), axis=0))
def attn(q):
    K = X[:3]; V = X[2:5].T
    s = q @ K.T
    a = np.exp(s - s.max()); a = a / a.sum()
    return V @ a
def det_inv(A): return np.linalg.det(A) * np.trace(np.linalg.inv(A))
def sweep_where(x): return np.where(np.abs(x) < 1, 0.5 * x ** 2, np.abs(x) - 0.5)  # huber
cases = [
 ("softmax xent", softmax_xent, (rng.standard_normal((3, 3)),)),
 ("onehot xent", onehot_xent, (rng.standard_normal((3, 3)),)),
 ("relu net", relu_net, (rng.standard_normal((3, 4)),)),
 ("leaky", leaky, (rng.standard_normal(6),)),
 ("pairwise", pairwise, (rng.standard_normal((4, 2)),)),
 ("bce", bce, (rng.standard_normal(3),)),
 ("eye scale", eye_scale, (rng.standard_normal(3),)),
 ("zeros_like acc", zeros_like_acc, (rng.standard_normal(3),)),
 ("full_like", full_like, (rng.standard_normal(3),)),
 ("gram", gram, (rng.standard_normal((3, 2)),)),
 ("poly sum builtin", poly, (rng.standard_normal(4),)),
 ("norm rows", norm_rows, (rng.standard_normal((3, 2)),)),
 ("kernel", kernel, (rng.standard_normal((3, 2)),)),
 ("rnn", rnn, (rng.standard_normal(2) * 0.5,)),
 ("gd unrolled", gradient_descent, (rng.standard_normal(3),)),
 ("stats", stats, (np.array([0.3, -1.2, 2.2, 0.9, 1.7]),)),
 ("cumtrapz", cumtrapz, (rng.standard_normal(5),)),
 ("roll conv", roll_conv, (rng.standard_normal(5),)),
 ("logsumexp axis", logsumexp_ax, (rng.standard_normal((3, 2)),)),
 ("attention", attn, (rng.standard_normal(3),)),
 ("det*tr inv", det_inv, (rng.standard_normal((3, 3)) + 3 * np.eye(3),)),
 ("huber", sweep_where, (np.array([-2.0, -0.5, 0.3, 1.7]),)),
]
for name, f, args in cases:
    check_first_order(name, f, args, rng)
    check_second_order(name, f, args[0], rng)
