"""Probe: supported NumPy functions with random shapes/axes/kwargs/dtypes, first & second order."""
import sys
import numpy as np
from harness import *  # noqa

rng = np.random.default_rng(SEED)

SHAPES = [(), (1,), (4,), (2, 3), (2, 1, 3), (0,), (3, 0)]


def U(lo, hi):
    return lambda shape: rng.uniform(lo, hi, shape)


def S(lo, hi):
    return lambda shape: rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(shape):
    n = int(np.prod(shape, dtype=int))
    return ((rng.permutation(n) - (n - 1) / 2) * 0.37 + rng.uniform(0, 0.1, n)).reshape(shape)


UNARY = {
    np.sin: U(-3, 3), np.cos: U(-3, 3), np.tan: U(-1.2, 1.2), np.exp: U(-2, 2), np.log: U(0.2, 3),
    np.log2: U(0.2, 3), np.log10: U(0.2, 3), np.log1p: U(-0.7, 3), np.expm1: U(-2, 2), np.exp2: U(-2, 2),
    np.sqrt: U(0.2, 3), np.cbrt: S(0.2, 3), np.square: U(-3, 3), np.reciprocal: S(0.3, 3),
    np.arcsin: U(-0.9, 0.9), np.arccos: U(-0.9, 0.9), np.arctan: U(-3, 3), np.sinh: U(-2, 2),
    np.cosh: U(-2, 2), np.tanh: U(-2, 2), np.arcsinh: U(-3, 3), np.arccosh: U(1.2, 3),
    np.arctanh: U(-0.9, 0.9), np.negative: U(-3, 3), np.positive: U(-3, 3), np.absolute: S(0.1, 3),
    np.fabs: S(0.1, 3), np.deg2rad: U(-3, 3), np.rad2deg: U(-3, 3), np.degrees: U(-3, 3),
    np.radians: U(-3, 3), np.conjugate: U(-3, 3), np.sinc: S(0.1, 2.3), np.real: U(-2, 2),
    np.nan_to_num: U(-2, 2),
}
BINARY = {
    np.add: (U(-3, 3), U(-3, 3)), np.subtract: (U(-3, 3), U(-3, 3)), np.multiply: (U(-3, 3), U(-3, 3)),
    np.divide: (U(-3, 3), S(0.3, 3)), np.power: (U(0.3, 3), U(-2, 2)), np.float_power: (U(0.3, 3), U(-2, 2)),
    np.arctan2: (S(0.3, 3), S(0.3, 3)), np.hypot: (S(0.3, 3), S(0.3, 3)), np.logaddexp: (U(-3, 3), U(-3, 3)),
    np.logaddexp2: (U(-3, 3), U(-3, 3)), np.copysign: (S(0.3, 3), S(0.3, 3)),
    np.remainder: (U(0.1, 0.9), U(1.5, 2.0)), np.fmod: (U(0.1, 0.9), U(1.5, 2.0)),
    np.maximum: None, np.minimum: None, np.fmax: None, np.fmin: None,
}
BCAST = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((1,), (2, 2)), ((2, 1, 3), (4, 1)), ((0,), ()), ((0, 2), (2,))]

for fn, dom in UNARY.items():
    for shape in SHAPES:
        x = dom(shape)
        name = f"{fn.__name__}{shape}"
        check_first_order(name, fn, (x,), rng)
        if shape in ((), (4,), (2, 3)):
            check_second_order(name, fn, x, rng)
    # python float and float32
    check_first_order(f"{fn.__name__} pyfloat", fn, (float(dom(())),), rng)
    x32 = dom((3,)).astype(np.float32)
    check_first_order(f"{fn.__name__} f32", fn, (x32,), rng, rtol=2e-2)

for fn, doms in BINARY.items():
    for sa, sb in BCAST:
        if doms is None:
            a = distinct(sa) if sa else np.float64(rng.uniform(-1, 1))
            b = a + rng.choice([-1, 1], np.shape(a)) * rng.uniform(0.2, 1, np.shape(a)) if sa == sb else rng.uniform(-3, 3, sb)
            a = np.broadcast_to(a, sa).copy() if sa else a
            # avoid ties
            if sa != sb:
                a = rng.uniform(-3, 3, sa); b = rng.uniform(-3, 3, sb)
        else:
            a, b = doms[0](sa), doms[1](sb)
        name = f"{fn.__name__}{sa}{sb}"
        check_first_order(name, fn, (a, b), rng)
        if sa == sb == (3,) or (sa, sb) == ((2, 3), (3,)):
            check_second_order(name + " x", lambda x, fn=fn, b=b: fn(x, b), a, rng)
            check_second_order(name + " y", lambda y, fn=fn, a=a: fn(a, y), b, rng)
    # with python scalar on one side, numpy on other
    a = (doms[0] if doms else U(-3, 3))((3,))
    c = float((doms[1] if doms else U(-3, 3))(()))
    check_first_order(f"{fn.__name__} arr,const", lambda x, fn=fn, c=c: fn(x, c), (a,), rng)
    check_first_order(f"{fn.__name__} const,arr", lambda x, fn=fn, c=c, a=a: fn(c * np.ones(3) if fn in (np.remainder, np.fmod) else c, x), ((doms[1] if doms else U(-3, 3))((3,)),), rng)

print("ufuncs done", dict(RESULTS), file=sys.stderr)

# ---------------- reductions with axes
RED = {
    np.sum: {}, np.mean: {}, np.prod: {}, np.max: {}, np.min: {}, np.amax: {}, np.amin: {},
    np.std: {}, np.var: {}, np.ptp: {}, np.cumsum: {"nokeep": 1}, np.cumprod: {"nokeep": 1},
    np.nansum: {}, np.nanmean: {}, np.nanmax: {}, np.nanmin: {}, np.nanstd: {}, np.nanvar: {},
    np.median: {}, np.average: {"nokeep": 1},
}
for fn, opt in RED.items():
    for shape in [(5,), (2, 3), (2, 3, 4), (1, 3), (3, 1)]:
        axes = [None, 0, -1]
        if len(shape) >= 2:
            axes += [(0, 1), (-1, 0)]
        if len(shape) == 3:
            axes += [(0, 2), 1]
        for axis in axes:
            for keep in (False, True):
                if keep and opt.get("nokeep"):
                    continue
                if fn in (np.cumsum, np.cumprod) and isinstance(axis, tuple):
                    continue
                kw = {"axis": axis}
                if keep:
                    kw["keepdims"] = True
                x = distinct(shape) if fn not in (np.prod, np.cumprod) else rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)
                try:
                    fn(x, **kw)
                except Exception:
                    continue
                name = f"{fn.__name__}{shape} {kw}"
                check_first_order(name, lambda x, fn=fn, kw=kw: fn(x, **kw), (x,), rng)
                if shape == (2, 3) and axis in (None, 0) and not keep:
                    check_second_order(name, lambda x, fn=fn, kw=kw: fn(x, **kw), x, rng)
    for extra in ({"ddof": 1}, {"dtype": np.float64}, {"initial": 0.5}, {"where": np.array([True, False, True])}):
        x = distinct((3,)) + 3.0
        try:
            fn(x, **extra)
        except Exception:
            continue
        check_first_order(f"{fn.__name__} {extra}", lambda x, fn=fn, kw=extra: fn(x, **kw), (x,), rng)

print("reductions done", dict(RESULTS), file=sys.stderr)

# quantile-ish
for q in (0.3, [0.1, 0.9], 0.5):
    for fn in (np.quantile, np.percentile):
        qq = np.asarray(q) * (100 if fn is np.percentile else 1)
        for axis in (None, 0, 1):
            x = distinct((3, 4))
            check_first_order(f"{fn.__name__} q={q} axis={axis}", lambda x, fn=fn, qq=qq, axis=axis: fn(x, qq, axis=axis), (x,), rng)
            for method in ("lower", "higher", "nearest", "midpoint", "hazen", "weibull", "median_unbiased", "inverted_cdf"):
                check_first_order(f"{fn.__name__} q={q} axis={axis} {method}", lambda x, fn=fn, qq=qq, axis=axis, m=method: fn(x, qq, axis=axis, method=m), (x,), rng)

# average with weights
x = distinct((3, 4)); wts = rng.uniform(0.5, 1.5, (3, 4))
check_first_order("average weights", lambda x, w: np.average(x, weights=w), (x, wts), rng)
check_first_order("average weights axis1", lambda x, w: np.average(x, axis=1, weights=w[0]), (x, wts), rng)
check_first_order("average returned", lambda x: np.average(x, axis=0, weights=wts[:, 0], returned=True)[0], (x,), rng)
