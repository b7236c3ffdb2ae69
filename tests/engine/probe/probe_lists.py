"""NumPy handed Python lists of traced values, float32 meeting float64, and the ufunc methods
and functions added with them (session lists, issue 9): np.mean/var/std/median/norm/dot/... of
lists and tuples, nested lists, lists mixing plain numbers; NEP 50 promotion of tangents and
cotangents; reduce of every two-operand ufunc, reduceat, matmul(axes=), i0, nextafter,
spacing, tensorinv/tensorsolve; and the refusals around them (float dtype=, out=, where= masks,
compiled routines on object arrays)."""
import numpy as np
from harness import *  # noqa

import adviz as ad

rng = np.random.default_rng(SEED + 23)


def R(*s):
    return rng.standard_normal(s)


def D(*s):  # distinct entries (no ties for max/median)
    n = int(np.prod(s, dtype=int))
    return ((rng.permutation(n) - n / 2) * 0.3 + 0.05).reshape(s)


def WC(n, shape):  # a well-conditioned n x n matrix, its sides split into axes
    return (rng.uniform(-0.5, 0.5, (n, n)) + 2.0 * np.eye(n)).reshape(shape)


CASES = []


def case(name, f, *args, second=True):
    CASES.append((name, f, args, second))


W3 = np.array([2.0, -1.0, 0.5])
# -- lists and tuples of traced values (x a vector: its entries are separate traced values)
case("mean list", lambda x: np.mean([x[0], x[1] * x[2], x[2]]), R(3))
case("mean tuple const", lambda x: np.mean((x[0] * x[1], 1.5, x[2])), R(3))
case("mean nested axis0", lambda x: np.mean([[x[0], x[1]], [x[2], x[0] * x[1]]], axis=0), R(3))
case("mean keepdims", lambda x: np.mean([[x[0], x[1]], [x[2], 2.0]], axis=1, keepdims=True), R(3))
case("var list", lambda x: np.var([x[0], x[1], x[2]]), R(3))
case("var ddof", lambda x: np.var([x[0], x[1] ** 2, x[2]], ddof=1), R(3))
case("std list", lambda x: np.std([x[0], x[1], 2.0 * x[2]]), R(3))
case("std axis", lambda x: np.std([[x[0], x[1]], [x[2], 0.5]], axis=1), R(3))
case("median odd", lambda x: np.median([x[0], x[1], x[2]]), D(3))
case("median even", lambda x: np.median([x[0], x[1], x[2], 0.05]), D(3))
case("average weights", lambda x: np.average([x[0], x[1], x[2]], weights=[1.0, 2.0, 3.0]), R(3))
case("sum list", lambda x: np.sum([x[0] * x[1], x[0], x[2]]), R(3))
case("prod tuple", lambda x: np.prod((x[0], x[1], x[2])), R(3))
case("max list", lambda x: np.max([x[0], x[1], x[2]]), D(3))
case("min tuple", lambda x: np.min((x[0], x[1], x[2])), D(3))
case("norm list", lambda x: np.linalg.norm([x[0], x[1], x[2]]), R(3))
case("norm list ord1", lambda x: np.linalg.norm([x[0], x[1]], ord=1), D(3))
case("dot list", lambda x: np.dot([x[0], x[1], x[2]], W3), R(3))
case("dot two lists", lambda x: np.dot([x[0], x[1]], [x[2], x[0]]), R(3))
case("matmul list", lambda x: np.array([[1.0, 2.0], [0.5, -1.0]]) @ [x[0], x[1] * x[2]], R(3))
case("exp list", lambda x: np.exp([x[0], x[1], x[2]]), R(3))
case("cumsum list", lambda x: np.cumsum([x[0], x[1], x[2]]), R(3))
case("mean of np.array", lambda x: np.mean(np.array([x[0], x[1] * x[2]])), R(3))
case("list of arrays mean", lambda x: np.mean([x, 2 * x], axis=0), R(3))
# a float dtype= of traced values, and NumPy functions whose own code cannot read a list of them
case("np.array dtype=float", lambda x: np.array([x[0] * x[1], x[2], 1.0], dtype=float) ** 2, R(3))
case("np.asarray list dtype float64", lambda x: np.asarray([x[0], x[1] * x[2]], dtype=np.float64), R(3))
case("np.asarray of a traced vector dtype", lambda x: np.asarray(x, dtype=float) * x, R(3))
case("cov of a list", lambda x: np.cov([x[0], 2.0 * x[1], 0.5, x[2]]), R(3))
case("cov rowvar list", lambda x: np.cov([[x[0], x[1]], [x[2], 1.0], [x[0] * x[2], 0.5]], rowvar=False), R(3))
case("corrcoef of lists", lambda x: np.corrcoef([x[0], x[1], x[2], 0.3], [x[2], 1.0, x[0] * x[1], x[1]]), R(3))
case("percentile of a list", lambda x: np.percentile([x[0], x[1], x[2], 0.05], [25, 80]), D(3))
case("quantile of a tuple", lambda x: np.quantile((x[0], x[1] * 2.0, x[2]), 0.4), D(3))
case("interp of lists", lambda x: np.interp(0.3, [-1.0, 0.5, 2.0], [x[0], x[1], x[2]]), R(3))
case("interp of a list of points", lambda x: np.interp([x[0], x[1]], [-5.0, 0.1, 5.0], [1.0, -2.0, 0.5]), D(3))
case("nanmean of a list", lambda x: np.nanmean([x[0], np.nan, x[1] * x[2]]), R(3))
case("nanstd of a list", lambda x: np.nanstd([x[0], np.nan, x[1], x[2]]), R(3))
case("nanvar of a list", lambda x: np.nanvar([x[0], x[1], np.nan, 2.0 * x[2]], ddof=1), R(3))
case("list of arrays var", lambda x: np.var([x, x ** 2]), R(3))
case("two args mean", lambda x, y: np.mean([x, y, x * y]), 0.7, -1.3)
case("two args std", lambda x, y: np.std([x, y * y]), 0.7, -1.3)
case("nested grad mean", lambda x: ad.grad(lambda y: np.mean([x * y, y ** 2, x]))(x * 0.5), 0.7, second=False)
# -- float32 inputs meeting float64 constants (NEP 50)
X32 = R(3).astype(np.float32)
case("f32 * np.float64", lambda x: x * np.float64(2.5), X32)
case("f32 + f64 array", lambda x: np.sin(x) + np.ones(3), X32)
case("f32 @ f64", lambda x: np.array([[1.0, 2.0, 0.5]]) @ x, X32)
case("f32 where f64", lambda x: np.where(x > 0, x, np.float64(1.0)), X32)
case("f32 concat f64", lambda x: np.concatenate([x, np.ones(2)]), X32)
case("f32 * python float", lambda x: x * 2.5 + 1.0, X32)
# -- ufunc methods, options and functions added with this part
A = R(3, 4)
case("hypot.reduce", lambda x: np.hypot.reduce(x, axis=1), A)
case("hypot.reduce all keepdims", lambda x: np.hypot.reduce(x, axis=(0, 1), keepdims=True), A)
case("hypot.reduce one entry", lambda x: np.hypot.reduce(x[:1]), A)
case("subtract.reduce", lambda x: np.subtract.reduce(x), A)
case("divide.reduce initial", lambda x: np.divide.reduce(x + 3.0, initial=2.0, axis=0), A)
case("logaddexp2.reduce", lambda x: np.logaddexp2.reduce(x, axis=-1), A)
case("add.reduceat", lambda x: np.add.reduceat(x, [0, 2, 1, 3], axis=1), A)
case("multiply.reduceat", lambda x: np.multiply.reduceat(x, [0, 2]), A)
case("maximum.reduceat", lambda x: np.maximum.reduceat(x, [0, 1, 3], axis=1), D(3, 4))
case("hypot.reduceat", lambda x: np.hypot.reduceat(x, [0, 1]), A)
case("matmul axes", lambda a, b: np.matmul(a, b, axes=[(0, 1), (1, 0), (1, 0)]), R(2, 3), R(4, 3))
case("matmul axes vector", lambda a, b: np.matmul(a, b, axes=[(1, 0), (0,), (0,)]), R(3, 2), R(3))
case("add where=True subok order", lambda x: np.add(x, 1.0, where=True, subok=True, order="K") * x, A)
case("i0", lambda x: np.i0(x * 2.0), A)
case("i0 large", lambda x: np.i0(x * 10.0 + 30.0), R(3))
case("nextafter", lambda x, y: np.nextafter(x, y) * y, A, R(3, 4))
case("spacing", lambda x: x / np.spacing(x) * 1e-16 + x, A)
case("tensorinv", lambda a: np.linalg.tensorinv(a, ind=1), WC(4, (4, 2, 2)))
case("tensorinv ind2", lambda a: np.linalg.tensorinv(a), WC(4, (2, 2, 2, 2)))
case("tensorsolve", lambda a, b: np.linalg.tensorsolve(a, b), WC(4, (2, 2, 4)), R(2, 2))
case("tensorsolve axes", lambda a, b: np.linalg.tensorsolve(a, b, axes=(0,)), WC(4, (4, 2, 2)), R(2, 2))
case("qr complete tall Q", lambda a: np.linalg.qr(a, mode="complete")[0], R(4, 2))
case("qr complete tall R", lambda a: np.linalg.qr(a, mode="complete")[1], R(3, 2))
case("qr complete null space", lambda a: np.linalg.qr(a, mode="complete")[0][..., -1] ** 2, R(2, 4, 3))
case("copysign two floats", lambda x, y: np.copysign(x, y) * x, 0.7, -1.3)

run_cases(CASES, rng, float32_rtol=1e-2)

# -- what stays refused, clearly (each must be a refusal, never a crash)
for name, f in [
    ("np.float64(x)", lambda x: np.float64(x)),
    ("np.array dtype=int", lambda x: np.array([x, 1.0], dtype=int)),
    ("det of a list", lambda x: np.linalg.det([[x, 1.0], [2.0, x]])),
    ("inv of a list", lambda x: np.linalg.inv([[x, 1.0], [2.0, x]])),
    ("object array into float out=", lambda x: np.sin(np.array([x, x * x]), out=np.zeros(2))),
    ("where mask out=", lambda x: np.add(np.array([x, x]), 1.0, where=np.array([True, False]), out=np.zeros(2))),
    ("where mask", lambda x: np.sqrt(np.stack([x, x]), where=np.array([True, False]))),
    ("mean where of a list", lambda x: np.mean([x, x * x, 1.0], where=[True, False, True])),
    ("sin of a mixed list", lambda x: np.sin([x, 1.0])),
    ("power.reduce where fold and first-with-last agree", lambda x: np.power.reduce(np.stack([x, 1.0, x]))),
]:
    expect(f"refuses: {name}", lambda f=f: ad.grad(lambda x: np.sum(f(x)))(1.5))
