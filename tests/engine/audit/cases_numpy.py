"""NumPy functions as autograd's test_numpy / test_scalar_ops / test_systematic differentiate them
(same functions, shapes, axes, keepdims and keyword variants; our own values and code)."""

from __future__ import annotations

import itertools
import operator as op

import numpy as np

from .core import SEED, Case, check

R = np.random.default_rng(1 + SEED)
CASES: list[Case] = []


def randn(*shape):
    return R.standard_normal(shape) if shape else float(R.standard_normal())


def uniform(lo, hi, *shape):
    return R.uniform(lo, hi, shape) if shape else float(R.uniform(lo, hi))


def C(name, f, *args, group="numpy", **opts):
    CASES.append(Case(name, lambda: check(f, args, what=name, **opts), group))


# ------------------------------------------------------------------ scalar ops (test_scalar_ops)
SCALAR = {
    "abs": (np.abs, (0.1, 4.0)), "absolute": (np.absolute, (0.1, 4.0)), "fabs": (np.fabs, (0.1, 4.0)),
    "sin": (np.sin, (-2, 2)), "cos": (np.cos, (-2, 2)), "tan": (np.tan, (-1.1, 1.1)),
    "arcsin": (np.arcsin, (-0.9, 0.9)), "arccos": (np.arccos, (-0.9, 0.9)), "arctan": (np.arctan, (-2, 2)),
    "sinh": (np.sinh, (-2, 2)), "cosh": (np.cosh, (-2, 2)), "tanh": (np.tanh, (-2, 2)),
    "arcsinh": (np.arcsinh, (-2, 2)), "arccosh": (np.arccosh, (1.1, 4.0)), "arctanh": (np.arctanh, (-0.9, 0.9)),
    "exp": (np.exp, (-2, 2)), "exp2": (np.exp2, (-2, 2)), "expm1": (np.expm1, (-2, 2)),
    "log": (np.log, (0.2, 2)), "log2": (np.log2, (0.2, 2)), "log10": (np.log10, (0.2, 2)),
    "log1p": (np.log1p, (0.2, 2)), "sqrt": (np.sqrt, (1, 3)), "cbrt": (np.cbrt, (0.3, 3)),
    "square": (np.square, (-2, 2)), "reciprocal": (np.reciprocal, (0.5, 2)), "negative": (np.negative, (-2, 2)),
    "positive": (np.positive, (-2, 2)), "deg2rad": (np.deg2rad, (-2, 2)), "rad2deg": (lambda x: np.rad2deg(x) / 50, (-2, 2)),
    "degrees": (lambda x: np.degrees(x) / 50, (-2, 2)), "radians": (np.radians, (-2, 2)),
    "sign": (np.sign, (0.2, 2)), "ceil": (np.ceil, (0.1, 0.9)), "floor": (np.floor, (0.1, 0.9)),
    "rint": (np.rint, (0.1, 0.4)), "trunc": (np.trunc, (0.1, 0.9)), "fix": (np.fix, (0.1, 0.9)),
    "round": (np.round, (0.1, 0.4)), "around": (lambda x: np.around(x, 1), (0.11, 0.14)),
    "sinc": (np.sinc, (0.2, 2)), "real": (np.real, (-2, 2)), "imag": (np.imag, (-2, 2)),
    "conj": (np.conj, (-2, 2)), "conjugate": (np.conjugate, (-2, 2)), "angle": (np.angle, (0.2, 2)),
    "real_if_close": (np.real_if_close, (-2, 2)), "nan_to_num": (np.nan_to_num, (-2, 2)),
    "logistic_by_hand": (lambda x: 1 / (1 + np.exp(-x)), (-2, 2)), "i0": (np.i0, (-2, 2)),
    "neg_abs": (lambda x: 3.0 * np.abs(x), (-4.0, -0.1)), "sign_neg": (lambda x: 3.0 * np.sign(x), (-2, -0.2)),
    "spacing_free": (lambda x: x + 0 * np.signbit(x), (-2, 2)),
}
for nm, (fn, (lo, hi)) in SCALAR.items():
    C(f"scalar {nm} float", fn, uniform(lo, hi))
    C(f"ufunc {nm} (3,)", fn, uniform(lo, hi, 3))
    C(f"ufunc {nm} (2,3)", fn, uniform(lo, hi, 2, 3), order=1)
    C(f"ufunc {nm} 0-d", fn, np.array(uniform(lo, hi)), order=1)

# derivatives of derivatives as in test_scalar_ops (check_grads(d_fun))
for nm in ("sin", "exp", "tanh", "arctan", "log", "sqrt", "abs", "cosh"):
    fn, (lo, hi) = SCALAR[nm]
    C(f"scalar {nm} third order", fn, uniform(lo, hi), order=2)

# ------------------------------------------------------------------ binary ufuncs and operators
BIN = {
    "add": (np.add, (-2, 2), (-2, 2)), "subtract": (np.subtract, (-2, 2), (-2, 2)),
    "multiply": (np.multiply, (-2, 2), (-2, 2)), "divide": (np.divide, (-2, 2), (0.3, 2)),
    "true_divide": (np.true_divide, (-2, 2), (0.3, 2)), "true_divide_neg": (np.true_divide, (-2, 2), (-2, -0.3)),
    "power": (np.power, (0.7, 2), (-2, 2)), "float_power": (np.float_power, (0.7, 2), (-2, 2)),
    "arctan2": (np.arctan2, (-2, 2), (0.3, 2)), "hypot": (np.hypot, (0.3, 2), (0.3, 2)),
    "logaddexp": (np.logaddexp, (-2, 2), (-2, 2)), "logaddexp2": (np.logaddexp2, (-2, 2), (-2, 2)),
    "mod": (np.mod, (0.1, 0.7), (0.8, 2.1)), "remainder": (np.remainder, (-0.9, 0.9), (1.0, 1.9)),
    "mod_neg": (np.mod, (0.1, 0.25), (-2.0, -0.3)), "fmod": (np.fmod, (0.1, 0.7), (0.8, 2.1)),
    "maximum": (np.maximum, (-2, -0.1), (0.1, 2)), "minimum": (np.minimum, (-2, -0.1), (0.1, 2)),
    "fmax": (np.fmax, (0.1, 2), (-2, -0.1)), "fmin": (np.fmin, (0.1, 2), (-2, -0.1)),
    "copysign": (np.copysign, (0.2, 2), (0.2, 2)), "floor_divide": (np.floor_divide, (0.1, 0.7), (0.8, 2.1)),
    "ldexp_free": (lambda a, b: a * np.ldexp(1.0, 2) + b, (-2, 2), (-2, 2)),
    "op.add": (op.add, (-2, 2), (-2, 2)), "op.sub": (op.sub, (-2, 2), (-2, 2)), "op.mul": (op.mul, (-2, 2), (-2, 2)),
    "op.truediv": (op.truediv, (-2, 2), (0.5, 2)), "op.pow": (op.pow, (0.7, 2), (-2, 2)),
    "op.mod": (op.mod, (0.1, 0.25), (0.3, 2.0)), "op.mod_neg": (op.mod, (0.1, 0.25), (-2.0, -0.3)),
    "op.floordiv": (op.floordiv, (0.1, 0.7), (0.8, 2.1)),
}
for nm, (fn, la, lb) in BIN.items():
    C(f"binary {nm} scalars", fn, uniform(*la), uniform(*lb))
    C(f"binary {nm} (3,)x(3,)", fn, uniform(*la, 3), uniform(*lb, 3))
    C(f"binary {nm} (2,3)x(3,)", fn, uniform(*la, 2, 3), uniform(*lb, 3), order=1)
    C(f"binary {nm} (2,1)x(1,3)", fn, uniform(*la, 2, 1), uniform(*lb, 1, 3), order=1)
    C(f"binary {nm} float x (2,2)", fn, uniform(*la), uniform(*lb, 2, 2), order=1)
    C(f"binary {nm} (3,) x const", lambda a, fn=fn, lb=lb: fn(a, np.full(3, (lb[0] + lb[1]) / 2)), uniform(*la, 3))

# same argument twice, where the function is smooth in it
for nm in ("add", "multiply", "power", "hypot", "logaddexp", "arctan2", "maximum", "minimum"):
    fn = BIN[nm][0]
    C(f"binary {nm}(x, x)", lambda x, fn=fn: fn(x, x), uniform(0.5, 1.5, 3), order=2 if nm not in ("maximum", "minimum") else 1)

OPS = {
    "x**2": lambda x: x ** 2, "x**3": lambda x: x ** 3, "x**0.5": lambda x: x ** 0.5, "x**-1.5": lambda x: x ** -1.5,
    "2**x": lambda x: 2 ** x, "2.5**x": lambda x: 2.5 ** x, "pow(x,3)": lambda x: pow(x, 3), "-x": lambda x: -x,
    "+x": lambda x: +x, "abs(x)": lambda x: abs(x), "1/x": lambda x: 1 / x, "x/3": lambda x: x / 3,
    "3-x": lambda x: 3 - x, "x%1.5": lambda x: x % 1.5, "x**0": lambda x: x ** 0 + x, "x**1": lambda x: x ** 1,
    "x**np.int64(2)": lambda x: x ** np.int64(2), "x*True": lambda x: x * True,
    "sum([x, 2x]) python": lambda x: sum([x, 2 * x]),
}
for nm, fn in OPS.items():
    C(f"operator {nm} float", fn, uniform(0.5, 1.4))
    C(f"operator {nm} (2,3)", fn, uniform(0.5, 1.4, 2, 3))

# ------------------------------------------------------------------ reductions (stat_check)
for nm, fn in {"sum": np.sum, "mean": np.mean, "prod": np.prod, "var": np.var, "std": np.std, "max": np.max,
               "min": np.min, "amax": np.amax, "amin": np.amin, "ptp": np.ptp, "median": np.median,
               "average": np.average}.items():
    x3 = R.permutation(12).reshape(3, 4) / 6.0 + 0.3 + 0.01 * randn(3, 4)
    x1 = R.permutation(5) / 3.0 + 0.5
    C(f"reduce {nm} (5,)", fn, x1)
    C(f"reduce {nm} scalar", fn, 1.3, order=1)
    for axis in (None, 0, 1, -1, (0, 1)):
        for keep in (False, True):
            if nm in ("ptp", "median", "average") and keep and axis is not None and nm == "average":
                continue
            kw = {"axis": axis, "keepdims": keep}
            C(f"reduce {nm} (3,4) axis={axis} keepdims={keep}", lambda x, fn=fn, kw=kw: fn(x, **kw), x3,
              order=2 if axis in (None, 1) else 1)
    x4 = R.permutation(24).reshape(2, 3, 4) / 8.0 + 0.3
    C(f"reduce {nm} (2,3,4) axis=(0,2)", lambda x, fn=fn: fn(x, axis=(0, 2)), x4, order=1)
    C(f"reduce {nm} method", lambda x, nm=nm: getattr(x, nm)() if hasattr(np.ndarray, nm) else x.sum(), x3, order=1)
for ddof in (0, 1, 2):
    for nm, fn in (("var", np.var), ("std", np.std)):
        for shape in ((3,), (3, 4), (1, 3)):
            for axis in (None, 1) if len(shape) == 2 else (None,):
                for keep in (False, True):
                    C(f"reduce {nm} ddof={ddof} {shape} axis={axis} keep={keep}",
                      lambda x, fn=fn, kw=dict(ddof=ddof, axis=axis, keepdims=keep): fn(x, **kw), randn(*shape), order=1)
C("average weights", lambda x: np.average(x, weights=np.array([1.0, 2.0, 3.0])), randn(3))
C("average weights traced", lambda x, w: np.average(x, weights=w), randn(3), uniform(0.5, 2, 3))
C("average axis weights", lambda x: np.average(x, axis=1, weights=np.array([1.0, 2.0, 3.0, 4.0])), randn(2, 4))
for nm, fn in (("cumsum", np.cumsum), ("cumprod", np.cumprod)):
    C(f"{nm} 1d", fn, uniform(0.5, 1.5, 5))
    C(f"{nm} no axis 2d", fn, uniform(0.5, 1.5, 3, 4))
    C(f"{nm} axis0", lambda x, fn=fn: fn(x, axis=0), uniform(0.5, 1.5, 3, 4))
    C(f"{nm} axis1", lambda x, fn=fn: fn(x, axis=1), uniform(0.5, 1.5, 3, 4))
    C(f"{nm} method", lambda x, nm=nm: getattr(x, nm)(axis=-1), uniform(0.5, 1.5, 3, 4))
C("max equal values", lambda x: np.max(np.array([x, x])), 1.0)
C("max equal values 2d", lambda x: np.max(np.array([[x, x], [x, 0.5]]), axis=1), 1.0)
C("max equal values 2d neg", lambda x: np.max(np.array([[x, x], [x, 0.5]]), axis=1), -1.0)
C("min 3-way equality", lambda x: np.min(np.array([[x, x, x], [x, 0.5, 0.5], [0.5, 0.5, 0.5], [x, x, 0.5]]), axis=0), 1.0)
C("min 3-way equality neg", lambda x: np.min(np.array([[x, x, x], [x, 0.5, 0.5], [0.5, 0.5, 0.5], [x, x, 0.5]]), axis=0), -1.0)
C("maximum equal values", lambda x: np.maximum(x, x), 1.0)
for at in (1.0, -1.0, 2.0):
    C(f"maximum equal values 2d at {at}", lambda x: np.maximum(np.array([x, x, 0.5]), np.array([[x, 0.5, x], [x, x, 0.5]])), at)
C("logsumexp by hand", lambda x: np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x), randn(5))
C("softmax by hand", lambda x: np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True), randn(2, 3))
C("all/any passthrough", lambda x: x * np.all(x > -10) + np.any(x > 10), randn(3))
C("count_nonzero passthrough", lambda x: x * np.count_nonzero(x), randn(3))
C("argmax index", lambda x: x[np.argmax(x)] * x[np.argmin(x)], R.permutation(5) + 0.5)
C("argsort take", lambda x: x[np.argsort(x)][:3], R.permutation(5) + 0.5)

# ------------------------------------------------------------------ products
C("dot mat vec", np.dot, randn(4, 5), randn(5))
C("dot mat mat", np.dot, randn(4, 5), randn(5, 3), order=1)
C("dot vec mat", np.dot, randn(4), randn(4, 5), order=1)
C("dot vec vec", np.dot, randn(5), randn(5))
C("dot mat float", np.dot, randn(3, 4), randn())
C("dot float mat", np.dot, randn(), randn(3, 4))
C("dot vec float", np.dot, randn(3), randn())
C("dot float float", np.dot, randn(), randn())
C("dot 3d 2d", np.dot, randn(2, 3, 4), randn(4, 2), order=1)
C("dot 3d 3d", np.dot, randn(2, 3, 4), randn(2, 4, 3), order=1)
C("dot 1d 3d", np.dot, randn(3), randn(2, 3, 2), order=1)
C("method dot", lambda a, b: a.dot(b), randn(3, 4), randn(4))
C("outer", np.outer, randn(4), randn(3))
C("outer 2d flattens", np.outer, randn(2, 2), randn(3), order=1)
C("inner vec", np.inner, randn(4), randn(4))
C("inner mat", np.inner, randn(2, 4), randn(3, 4), order=1)
C("inner 3d", np.inner, randn(2, 3, 4), randn(2, 4), order=1)
C("inner float", np.inner, randn(3), randn())
C("vdot", np.vdot, randn(2, 3), randn(2, 3))
for sa, sb in (((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
               ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4))):
    C(f"matmul {sa}@{sb}", np.matmul, randn(*sa), randn(*sb), order=1)
    C(f"operator @ {sa}@{sb}", lambda a, b: a @ b, randn(*sa), randn(*sb), order=1)
C("matmul second order", lambda a, b: np.sum(np.tanh(a @ b)), randn(2, 3), randn(3, 2))
C("rmatmul const@x", lambda x: np.ones((2, 3)) @ x, randn(3, 2))
for sa, sb, axes in (((1, 3), (3,), [(1,), (0,)]), ((2, 3, 2), (3, 1), [(1,), (0,)]), ((2, 3, 2), (3, 4, 2), [(1,), (0,)]),
                     ((3,), (1, 3), [(0,), (1,)]), ((3, 4, 2), (2, 3, 2), [(0,), (1,)]),
                     ((2, 3), (1, 2, 3), [(0, 1), (1, 2)]), ((2, 3, 4), (2, 2, 3, 4), [(1, 0), (2, 1)]),
                     ((2, 2), (2, 2), 1), ((4, 2, 2), (2, 2, 4), 2), ((2, 2), (2, 2), 0), ((2, 3), (3, 2), ([1], [0]))):
    C(f"tensordot {sa} {sb} axes={axes}", lambda a, b, axes=axes: np.tensordot(a, b, axes=axes), randn(*sa), randn(*sb), order=1)
C("tensordot positional axes", lambda x: np.sum(np.tensordot(x * np.ones((2, 2)), x * np.ones((2, 2)), 2)), 1.0)
for sub, shapes in (("ij->ji", [(3, 4)]), ("ij->ji", [(1, 1)]), ("ij,jk->ik", [(2, 3), (3, 4)]),
                    ("ijk,lji->lki", [(3, 4, 4), (4, 4, 3)]), ("...jk,...lj->...lk", [(3, 4, 4), (3, 4, 4)]),
                    ("...,...->...", [(3, 4, 4), (3, 4, 4)]), ("ijk,lji,lli->lki", [(3, 4, 4), (4, 4, 3), (4, 4, 3)]),
                    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij->", [(2, 3)]), ("i,i", [(3,), (3,)]),
                    ("i,j->ij", [(2,), (3,)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i...->...", [(2, 3, 4)]),
                    ("ij,ij->i", [(2, 3), (2, 3)]), ("iij->j", [(2, 2, 3)])):
    C(f"einsum '{sub}' {shapes}", lambda *a, sub=sub: np.einsum(sub, *a), *[randn(*s) for s in shapes], order=1)
C("einsum implicit 'ij,jk'", lambda a, b: np.einsum("ij,jk", a, b), randn(2, 3), randn(3, 2))
C("einsum second order", lambda a: np.sum(np.sin(np.einsum("ij,jk->ik", a, a))), randn(2, 2))
C("kron vec", np.kron, randn(2), randn(3))
C("kron mat", np.kron, randn(2, 2), randn(2, 3), order=1)
C("cross 3-vectors", np.cross, randn(3), randn(3))
C("cross batch", np.cross, randn(2, 3), randn(2, 3), order=1)
C("cross axis", lambda a, b: np.cross(a, b, axisa=0, axisb=0), randn(3, 2), randn(3, 2), order=1)
C("cross 2-vectors", lambda a, b: np.cross(a, b), randn(2, 2), randn(2, 2), order=1)
for mode in ("full", "same", "valid"):
    C(f"convolve {mode}", lambda a, b, mode=mode: np.convolve(a, b, mode=mode), randn(5), randn(3), order=1)
    C(f"correlate {mode}", lambda a, b, mode=mode: np.correlate(a, b, mode=mode), randn(5), randn(3), order=1)

# ------------------------------------------------------------------ indexing (test_numpy)
A3 = randn(5, 6, 4)
C("index ints", lambda x: x[3, 0, 1], A3)
C("index slice", lambda x: x[::-1, 2:4, :], A3)
C("index lists", lambda x: x[[0, 1, 2], :, :], A3)
C("index mixed", lambda x: x[3, 2:, [1, 3]], A3)
C("index vector slice", lambda x: x[2:4], randn(5))
C("index slice fanout", lambda x: x[::-1, 2:4, :] + x[::-1, 3:5, :], A3)
C("index multiple slices", lambda x: x[2:6][1:3], randn(7))
C("index repeated list", lambda x: np.sum(x[[0, 0]]), randn(3))
C("index repeated list 2", lambda x: np.sum(x[[0, 1, 0]]), randn(3))
C("index dot slices", lambda x: np.dot(x[:2], x[2:]), randn(4))
C("index newaxis ellipsis", lambda x: x[None, ..., 1], randn(2, 3))
C("index boolean mask const", lambda x: x[np.array([True, False, True])], randn(3))
C("index boolean mask from values", lambda x: x[x > 0.0], np.array([0.5, -0.4, 1.3, -2.0]))
C("index negative", lambda x: x[-1] * x[-2], randn(4))
C("index int array 2d", lambda x: x[np.array([[0, 1], [1, 2]])], randn(3))
C("index two arrays", lambda x: x[np.array([0, 2]), np.array([1, 0])], randn(3, 2))
C("index np.int64", lambda x: x[np.int64(1)], randn(3))
C("index step", lambda x: x[::2], randn(5))
C("index with cast to int", lambda W: W[:, :-1][np.int64(W[:, -1] * 0 + np.arange(3))].sum(), np.c_[randn(3, 4), np.arange(3.0)])
C("take", lambda x: np.take(x, [2, 0, 2]), randn(4))
C("take axis", lambda x: np.take(x, [1, 0], axis=1), randn(2, 3))
C("take_along_axis", lambda x: np.take_along_axis(x, np.array([[0, 2], [1, 1]]), axis=1), randn(2, 3))
C("len", lambda x: x * len(x), randn(3, 2))
C("iterate rows", lambda x: sum(r * r for r in x), randn(3, 2))
C("unpack rows", lambda x: (lambda a, b: a * b)(*x), randn(2, 3))
C("compress", lambda x: np.compress([True, False, True], x), randn(3))
C("extract", lambda x: np.extract(np.array([True, False, True]), x), randn(3))

# ------------------------------------------------------------------ shapes and rearranging
C("reshape method", lambda x: x.reshape((20, 6)), A3, order=1)
C("reshape call", lambda x: np.reshape(x, (20, 6)), A3, order=1)
C("reshape method nolist", lambda x: x.reshape(20, 6), A3, order=1)
C("reshape -1", lambda x: x.reshape(-1, 2), randn(3, 4))
C("reshape order F", lambda x: np.reshape(x, (4, 3), order="F"), randn(3, 4))
C("ravel method", lambda x: x.ravel(), randn(2, 3))
C("ravel call", np.ravel, randn(2, 3))
C("flatten method", lambda x: x.flatten(), randn(2, 3))
C("ravel order F", lambda x: np.ravel(x, order="F"), randn(2, 3))
for axes in (None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2], [1, 2, 0]):
    C(f"transpose axes={axes}", lambda x, axes=axes: np.transpose(x, axes), randn(2, 3, 4), order=1)
C("transpose method args", lambda x: x.transpose(1, 0, 2), randn(2, 3, 4), order=1)
C(".T", lambda x: x.T, randn(3, 4))
C("mT", lambda x: x.mT, randn(2, 3, 4), order=1)
C("swapaxes", lambda x: np.swapaxes(x, 0, 2), randn(2, 3, 4), order=1)
C("moveaxis", lambda x: np.moveaxis(x, 0, -1), randn(2, 3, 4), order=1)
C("rollaxis", lambda x: np.rollaxis(x, 2), randn(2, 3, 4), order=1)
C("squeeze func", np.squeeze, randn(5, 1, 4), order=1)
C("squeeze method", lambda x: x.squeeze(), randn(5, 1, 4), order=1)
C("squeeze axis", lambda x: np.squeeze(x, axis=1), randn(5, 1, 4), order=1)
C("expand_dims", lambda x: np.expand_dims(x, 2), randn(5, 1, 4), order=1)
C("expand_dims tuple", lambda x: np.expand_dims(x, (0, 2)), randn(2, 3), order=1)
C("broadcast_to", lambda x: np.broadcast_to(x, (2, 3)), randn(3))
C("broadcast_arrays", lambda a, b: np.broadcast_arrays(a, b)[0] * np.broadcast_arrays(a, b)[1], randn(3), randn(2, 1))
B3 = randn(4, 6, 4)
C("concatenate simple", lambda x: np.concatenate((A3, x)), B3, order=1)
C("concatenate axis 0", lambda x: np.concatenate((A3, x, A3)), randn(5, 6, 4), order=1)
C("concatenate axis 1", lambda x: np.concatenate((A3, x, A3), axis=1), randn(5, 6, 4), order=1)
C("concatenate axis 1 unnamed", lambda x: np.concatenate((A3, x, A3), 1), randn(5, 6, 4), order=1)
C("concatenate axis None", lambda x, y: np.concatenate([x, y], axis=None), randn(2, 2), randn(3))
C("concatenate list two traced", lambda x, y: np.concatenate([x, y]), randn(2), randn(3))
C("stack", lambda x, y: np.stack([x, y], axis=1), randn(2, 3), randn(2, 3))
C("hstack", lambda x, y: np.hstack([x, y]), randn(2), randn(3))
C("vstack", lambda x, y: np.vstack([x, y]), randn(3), randn(2, 3))
C("dstack", lambda x, y: np.dstack([x, y]), randn(2, 3), randn(2, 3), order=1)
C("column_stack", lambda x, y: np.column_stack([x, y]), randn(3), randn(3, 2))
C("row_stack-like vstack", lambda x: np.vstack([x, 2 * x]), randn(3))
C("block", lambda x, y: np.block([[x, y], [y, x]]), randn(2, 2), randn(2, 2), order=1)
C("append list", lambda a, b: np.append(a, b), [1.0, 2.0, 3.0], 4.0)
C("append arr", lambda a, b: np.append(a, b), np.array([1.0, 2.0, 3.0]), 4.0)
C("append axis", lambda a, b: np.append(a, b, axis=0), randn(2, 3), randn(1, 3))
C("split int", lambda x: np.split(x, 2)[0], randn(10))
C("split list out", lambda x: np.split(x, [1, 3]), randn(5))
C("split axis", lambda x: np.split(x, 3, axis=1), randn(2, 3), order=1)
C("array_split", lambda x: np.array_split(x, 3), randn(7), order=1)
C("hsplit", lambda x: np.hsplit(x, 2), randn(2, 4), order=1)
C("vsplit", lambda x: np.vsplit(x, 2), randn(4, 2), order=1)
C("dsplit", lambda x: np.dsplit(x, 2), randn(2, 2, 4), order=1)
for reps, axis, shape in ((2, 1, (5, 3, 4)), (1, 1, (5, 3, 4)), (2, 0, (5, 3)), (2, 0, (5,)), (1, 0, (5, 1)),
                          (2, None, (2, 3)), ([1, 2], 0, (2, 3))):
    C(f"repeat {reps} axis={axis} {shape}", lambda x, r=reps, a=axis: np.repeat(x, r, axis=a), randn(*shape), order=1)
C("repeat method", lambda x: x.repeat(2), randn(3))
C("tile", lambda x: np.tile(x, (2, 2)), randn(2, 3), order=1)
C("tile int", lambda x: np.tile(x, 3), randn(2))
C("roll axis", lambda x: np.roll(x, 2, axis=1), randn(4, 5), order=1)
C("roll no axis", lambda x: np.roll(x, 2), randn(4, 5), order=1)
C("roll tuple", lambda x: np.roll(x, (1, -1), axis=(0, 1)), randn(3, 4), order=1)
C("flip", np.flip, randn(2, 3), order=1)
C("flip axis", lambda x: np.flip(x, axis=1), randn(2, 3), order=1)
C("flipud", np.flipud, randn(4, 3), order=1)
C("fliplr", np.fliplr, randn(4, 3), order=1)
for k in (1, 2, 3, -1):
    C(f"rot90 k={k}", lambda x, k=k: np.rot90(x, k), randn(3, 4), order=1)
for k in (-1, 0, 2):
    C(f"triu k={k}", lambda x, k=k: np.triu(x, k=k), randn(5, 5), order=1)
    C(f"tril k={k}", lambda x, k=k: np.tril(x, k=k), randn(5, 5), order=1)
C("triu batched", np.triu, randn(2, 3, 3), order=1)
C("diag of matrix", np.diag, randn(5, 5))
C("diag of vector", np.diag, randn(4))
C("diag k=1 vector", lambda x: np.diag(x, 1), randn(3), order=1)
C("diag k=-1 matrix", lambda x: np.diag(x, -1), randn(3, 4), order=1)
C("diagflat", np.diagflat, randn(2, 2), order=1)
C("diagonal", np.diagonal, randn(4, 4))
C("diagonal 3d last axes", lambda x: np.diagonal(x, axis1=-1, axis2=-2), randn(3, 4, 4), order=1)
C("diagonal offset", lambda x: np.diagonal(x, offset=1), randn(4, 5), order=1)
C("diagonal axis1=0 axis2=2", lambda x: np.diagonal(x, 0, 0, 2), randn(3, 2, 3), order=1)
C("method diagonal", lambda x: x.diagonal(-1), randn(4, 4), order=1)
for shape in ((5, 5), (4, 5), (5, 4)):
    for off in (-1, 0, 1):
        C(f"trace {shape} offset={off}", lambda x, off=off: np.trace(x, offset=off), randn(*shape), order=1)
C("trace extradims", lambda x: np.trace(x, offset=1), randn(5, 6, 4, 3), order=1)
C("trace axis1/axis2", lambda x: np.trace(x, offset=-1, axis1=3, axis2=2), randn(3, 2, 4, 3), order=1)
C("method trace", lambda x: x.trace(), randn(3, 3))
for fn in ("atleast_1d", "atleast_2d", "atleast_3d"):
    for a in (1.2, randn(1), randn(7), randn(1, 4), randn(2, 4), randn(2, 4, 5)):
        C(f"{fn} {np.shape(a)}", getattr(np, fn), a, order=1)
C("sort", np.sort, R.permutation(7) + 0.1 * randn(7))
C("sort axis0", lambda x: np.sort(x, axis=0), R.permutation(6).reshape(3, 2) + 0.0, order=1)
C("sort 1 element", np.sort, randn(1))
C("sort method copy", lambda x: np.sort(x)[::-1], R.permutation(5) + 0.5)
for kth in (0, 3, 6):
    C(f"partition kth={kth}", lambda x, kth=kth: np.partition(x, kth), R.permutation(7) + 0.5, order=1)
C("partition 14 kth=6", lambda x: np.partition(x, 6), R.permutation(14) + 0.5, order=1)
C("clip", lambda x: np.clip(x, 0.1, 1.1), np.array([-1.0, 0.5, 0.9, 2.0, 0.3]))
C("clip kwargs", lambda x: np.clip(x, a_min=0.1, a_max=1.1), np.array([[-1.0, 0.5], [0.9, 2.0]]))
C("clip traced bounds", lambda x, lo, hi: np.clip(x, lo, hi), np.array([-1.0, 0.5, 2.0]), -0.5, 1.5)
C("clip method", lambda x: x.clip(0.0, 1.0), np.array([-1.0, 0.5, 2.0]))
C("where", lambda x, y: np.where(np.array([[True, False], [False, True]]), x, y), randn(2, 2), randn(2, 2))
C("where on values", lambda x: np.where(x > 0, x, 0.1 * x), np.array([0.5, -1.0, 2.0]))
C("where scalar branch", lambda x: np.where(x > 0, x ** 2, 0.0), np.array([0.5, -1.0, 2.0]))
C("select", lambda x: np.select([x < 0, x > 1], [x ** 2, np.sin(x)], default=x), np.array([-0.5, 0.5, 2.0]))
C("piecewise-by-where", lambda x: np.where(x < 0, -x, np.where(x < 1, x ** 2, x)), np.array([-0.5, 0.5, 2.0]))
C("pad constant", lambda x: np.pad(x, 1), randn(2, 3), order=1)
C("pad constant value", lambda x: np.pad(x, (1, 2), constant_values=3.0), randn(3), order=1)
C("pad edge", lambda x: np.pad(x, ((1, 0), (0, 2)), mode="edge"), randn(2, 3), order=1)
C("diff", np.diff, randn(5))
C("diff n=2", lambda x: np.diff(x, n=2), randn(5))
C("diff axis 0", lambda x: np.diff(x, axis=0), randn(3, 4), order=1)
C("ediff1d", np.ediff1d, randn(5))
C("gradient", np.gradient, randn(5))
C("gradient spacing", lambda x: np.gradient(x, 0.5), randn(5))
C("gradient 2d", lambda x: np.gradient(x)[0], randn(3, 4), order=1)
for num in (0, 1, 5):
    for a, b in ((1.2, 3.4), (1.2, -3.4), (1.2, 1.2)):
        C(f"linspace num={num} {a}->{b}", lambda x, y, num=num: np.linspace(x, y, num), a, b, order=1)
C("linspace endpoint False", lambda x, y: np.linspace(x, y, 4, endpoint=False), 0.5, 2.0)
C("logspace", lambda x, y: np.logspace(x, y, 4), 0.1, 0.5)
C("geomspace", lambda x, y: np.geomspace(x, y, 4), 0.5, 2.0)
C("trapezoid", np.trapezoid, randn(5))
C("trapezoid x", lambda y, x: np.trapezoid(y, x), randn(5), np.cumsum(uniform(0.5, 1.0, 5)))
C("polyval", lambda p, x: np.polyval(p, x), randn(3), randn(4))
C("vander", lambda x: np.vander(x, 3), randn(3), order=1)
C("meshgrid", lambda x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1], randn(2), randn(3), order=1)
C("zeros_like + x", lambda x: np.zeros_like(x) + np.ones_like(x) * x + np.full_like(x, 2.0), randn(3))
C("copy", lambda x: np.copy(x) * x.copy(), randn(3))
C("astype float64", lambda x: np.sin(x.astype("float64")), randn(3))
C("astype float32 grad dtype", lambda x: np.sum(np.sin(x.astype("float64"))), np.arange(3, dtype=np.float32) / 2, order=1)
C("float32 input", lambda x: np.sin(x) * 2, np.array([0.5, 1.0], np.float32), order=1)
C("np.float64 scalar input", lambda x: x ** 2 * np.sin(x), np.float64(0.7))
C("0-d array input", lambda x: x ** 2 * np.sin(x), np.array(0.7))
C("python int exponent loop", lambda x: sum(x ** k for k in range(4)), 0.7)

# ------------------------------------------------------------------ building arrays from traced values
C("1d array", lambda x: np.array([x, x * 1.0, x + 2.5]), 3.0)
C("2d array", lambda x: np.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]]), 3.0)
C("1d array fanout", lambda x: (lambda A: A + A)(np.array([x, x * 1.0, x + 2.5])), 3.0)
C("2d array fanout", lambda x: (lambda A: A + A)(np.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]])), 3.0)
C("array from scalar", lambda x: np.array(x), 3.0)
C("array from arrays", lambda x: np.array([x, x]), randn(3, 2))
C("array from arrays 2", lambda x: np.array([[2 * x, x + 1], [x, x]]), randn(3, 2))
C("asarray list", lambda x, y: np.asarray([x * y, x + y]), 1.5, -0.5)
C("array mixed const", lambda x: np.array([x, 1.0, 2 * x]), 0.7)
C3 = randn(3, 2)
C("r_ basic", lambda x: np.r_[x], randn(3, 2))
C("r_ double", lambda x: np.r_[x, x], randn(3, 2))
C("r_ no relation", lambda x: np.r_[C3], randn(3, 2), order=1)
C("r_ node and const", lambda x: np.r_[x, C3], randn(3, 2))
C("r_ mixed", lambda x: np.r_[x, C3, x], randn(3, 2))
C("r_ slicing", lambda x: np.r_[x, C3[:, 0], 1:10], randn(3))
C("c_", lambda x: np.c_[x, C3, x], randn(3, 2))
C("no relation", lambda x: C3, randn(3, 2), order=1)
C("non-numpy sum", lambda x, y: sum([x, y]), randn(3, 2), randn(3, 2))
C("list comprehension stack", lambda x: np.stack([x[i] * i for i in range(3)]), randn(3))
C("nan_to_num of x + [0, nan, inf, -inf] (autograd)", lambda x: np.sum(np.sin(np.nan_to_num(x + np.array([0., np.nan, np.inf, -np.inf])))), randn(4))
for mode in ("constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum", "minimum", "mean", "median"):
    C(f"pad mode={mode}", lambda a, m=mode: np.pad(a, (2, 1), mode=m), R.permutation(4) + 0.3 * randn(4), order=1)
C("pad reflect odd", lambda a: np.pad(a, 2, mode="reflect", reflect_type="odd"), randn(4))
C("take mode=wrap", lambda a: np.take(a, [0, 4, -5], mode="wrap"), randn(3))
C("take mode=clip", lambda a: np.take(a, [0, 4, -5], mode="clip"), randn(3))
C("clip array bounds", lambda a: np.clip(a, np.array([-0.5, 0.0, 0.2]), 1.0), np.array([-1.0, 0.5, 0.1]))
C("repeat array of repeats", lambda a: np.repeat(a, [1, 0, 2]), randn(3))
C("choose", lambda a, b: np.choose([0, 1, 0], [a, b]), randn(3), randn(3))
C("linspace retstep", lambda a, b: np.linspace(a, b, 4, retstep=True), 0.3, 1.2)
C("einsum uppercase", lambda a, b: np.einsum("Ab,bC->AC", a, b), randn(2, 3), randn(3, 2))
C("tensordot axes=0", lambda a, b: np.tensordot(a, b, 0), randn(2), randn(3))
C("norm of python float", np.linalg.norm, -1.5)
C("interp at traced x", lambda x: np.interp(x, [0.0, 1.0, 2.0], [0.0, 3.0, 1.0]), np.array([0.3, 1.4]))
