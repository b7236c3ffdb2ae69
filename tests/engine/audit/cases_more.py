"""NumPy beyond autograd's lists, as JAX's lax_numpy tests reach it: NumPy 2 names and keywords,
array methods, builtins on traced values, and special points where a rule is easy to get wrong."""

from __future__ import annotations

import numpy as np

import adviz as ad

from .core import SEED, Case, check, close

R = np.random.default_rng(5 + SEED)
CASES: list[Case] = []


def r(*s):
    return R.standard_normal(s)


def u(lo, hi, *s):
    return R.uniform(lo, hi, s)


def C(name, f, *args, **opts):
    CASES.append(Case(f"more {name}", lambda: check(f, args, what=name, **opts), "more"))


def V(name, fn, want):
    """A value at a special point against its analytic (or NumPy-only) value."""
    CASES.append(Case(f"special {name}", lambda: close(fn(), want, what=name), "more"))


MASK = np.array([True, False, True])
C("acos", np.acos, u(-.9, .9, 3))
C("asin", np.asin, u(-.9, .9, 3))
C("atan", np.atan, r(3))
C("atan2", np.atan2, r(3), u(.5, 1, 3))
C("acosh", np.acosh, u(1.1, 3, 3))
C("asinh", np.asinh, r(3))
C("atanh", np.atanh, u(-.9, .9, 3))
C("pow", np.pow, u(.5, 2, 3), r(3))
C("concat", lambda a, b: np.concat([a, b]), r(2), r(3))
C("permute_dims", lambda a: np.permute_dims(a, (1, 0)), r(2, 3))
C("matrix_transpose", np.matrix_transpose, r(2, 3))
C("unstack", np.unstack, r(2, 3))
C("np.astype", lambda a: np.astype(a, np.float64) * a, r(3))
C("cumulative_sum include_initial", lambda a: np.cumulative_sum(a, include_initial=True), r(3))
C("cumulative_prod", np.cumulative_prod, r(3))
C("var correction=", lambda a: np.var(a, correction=1), r(4))
C("std mean=", lambda a: np.std(a, mean=np.mean(a, keepdims=True)), r(4))
C("sum where=", lambda a: np.sum(a, where=MASK), r(3))
C("sum initial=", lambda a: np.sum(a, initial=2.0), r(3))
C("max initial=", lambda a: np.max(a, initial=-5.0), r(3))
C("max where= initial=", lambda a: np.max(a, where=MASK, initial=-5.0), r(3))
C("mean where=", lambda a: np.mean(a, where=MASK), r(3))
C("prod where=", lambda a: np.prod(a, where=MASK), r(3))
C("average returned=True", lambda a: np.average(a, weights=np.arange(1., 4.), returned=True), r(3))
C("divmod", np.divmod, u(.1, .7, 3), u(.8, 2, 3))
C("modf", np.modf, u(.1, .9, 3))
C("frexp mantissa", lambda a: np.frexp(a)[0], u(.6, .9, 3))
C("ldexp", lambda a: np.ldexp(a, 3), r(3))
C("heaviside passthrough", lambda a: np.heaviside(a, 0.5) * a, r(3))
C("unwrap", np.unwrap, np.array([0., 1., 2., 3.5, 7.0]))
C("unwrap period", lambda a: np.unwrap(a, period=4.0), np.array([0., 1.5, 3.0, 5.5]))
C("signbit passthrough", lambda a: a * np.signbit(a), r(3))
C("insert const", lambda a: np.insert(a, 1, 5.0), r(3))
C("insert traced", lambda a, b: np.insert(a, 1, b), r(3), 0.5)
C("delete", lambda a: np.delete(a, 1), r(3))
C("resize grow", lambda a: np.resize(a, (2, 3)), r(4))
C("resize shrink", lambda a: np.resize(a, 3), r(2, 2))
C("polyfit", lambda y: np.polyfit(np.arange(4.), y, 1), r(4), order=1)
C("polyder", np.polyder, r(3))
C("polyint", np.polyint, r(3))
C("polymul", np.polymul, r(3), r(2))
C("polyadd", np.polyadd, r(3), r(2))
C("bincount weights", lambda w: np.bincount(np.array([0, 1, 1, 3]), weights=w), r(4))
C("bincount weights minlength", lambda w: np.bincount(np.array([2, 0, 2]), weights=w, minlength=5), r(3))
C("bincount counts passthrough", lambda w: w * np.bincount(np.array([0, 1, 1]))[1], r(3))
C("searchsorted passthrough", lambda a: a * np.searchsorted(np.arange(3.), a), u(.1, .9, 3))
C("unique values", np.unique, np.array([3., 1., 2.]))
C("argpartition index", lambda a: a[np.argpartition(a, 1)], np.array([3., 1., 2.]))
C("ix_", lambda a: a[np.ix_([0, 1], [0, 2])], r(2, 3))
C("triu_indices", lambda a: a[np.triu_indices(3)], r(3, 3))
C("tril_indices_from", lambda a: a[np.tril_indices_from(a, -1)], r(3, 3))
C("diag_indices", lambda a: a[np.diag_indices(3)], r(3, 3))
C("apply_along_axis scalar result", lambda a: np.apply_along_axis(np.sum, 1, a), r(2, 3))
C("apply_along_axis vector result axis 0", lambda a: np.apply_along_axis(lambda v: v[::-1] * np.sum(v), 0, a), r(3, 2))
C("apply_along_axis 3d middle axis", lambda a: np.apply_along_axis(lambda v: np.outer(v, v), 1, a), r(2, 3, 2), order=1)
C("vectorize", lambda a: np.vectorize(lambda v: v * 2)(a), r(3))
C("piecewise", lambda a: np.piecewise(a, [a < 0, a >= 0], [lambda v: -v, lambda v: v ** 2]), np.array([-1., 0.5, 2.]))
C("matvec", np.matvec, r(2, 3), r(3))
C("vecmat", np.vecmat, r(3), r(3, 2))
C("vecdot", np.vecdot, r(2, 3), r(2, 3))
C("isclose passthrough", lambda a: a * np.isclose(a, 0.0), r(3))
C("round decimals", lambda a: np.round(a, 2) + a, np.array([0.111, 0.222]))
C("sum dtype=", lambda a: np.sum(a, dtype=np.float64), r(3))
C("mean dtype=", lambda a: np.mean(a, dtype=np.float64), r(3))
C("cumsum dtype=", lambda a: np.cumsum(a, dtype=np.float64), r(3))
C("sum out=None", lambda a: np.sum(a, out=None), r(3))
C("transpose negative axes", lambda a: np.transpose(a, (-1, 0, 1)), r(2, 3, 4), order=1)
C("sum negative axis tuple", lambda a: np.sum(a, axis=(-1, 0)), r(2, 3, 4), order=1)
C("max axis tuple", lambda a: np.max(a, axis=(0, 2)), r(2, 3, 4), order=1)
C("ptp axis", lambda a: np.ptp(a, axis=1), r(2, 3))
C("argwhere index", lambda a: a[tuple(np.argwhere(a > 0).T)], np.array([[1., -1.], [2., 3.]]))
C("nonzero index", lambda a: a[np.nonzero(a > 0)], np.array([[1., -1.], [2., 3.]]))
C("tri * a", lambda a: np.tri(3) * a, r(3, 3))
C("eye * a + identity", lambda a: np.eye(3) * a + np.identity(3), r(3, 3))
C("einsum optimize=True", lambda a, b: np.einsum("ij,jk->ik", a, b, optimize=True), r(2, 3), r(3, 2))
C("einsum sublist form", lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), r(2, 3), r(3, 2))
C("diff prepend", lambda a: np.diff(a, prepend=0.0), r(4))
C("diff append traced", lambda a: np.diff(a, append=a[:1]), r(4))
C("gradient edge_order=2", lambda a: np.gradient(a, edge_order=2), r(5))
C("gradient coordinates", lambda a: np.gradient(a, np.array([0., 1., 3., 4., 6.])), r(5))
C("sort descending", lambda a: -np.sort(-a), r(4))
C("sort kind=stable", lambda a: np.sort(a, kind="stable"), r(4))
C("sort axis=None", lambda a: np.sort(a, axis=None), r(2, 2))
C("lexsort index", lambda a: a[np.lexsort((a,))], r(4))
C("clip a_min None", lambda a: np.clip(a, None, 0.5), np.array([-1.0, 0.2, 1.0]))
C("clip min= max=", lambda a: np.clip(a, min=-0.5, max=0.5), np.array([-1.0, 0.2, 1.0]))
for nm, fn, x in (("sum", lambda a: a.sum(axis=0, keepdims=True), r(2, 3)), ("mean", lambda a: a.mean(axis=1), r(2, 3)),
                  ("std ddof", lambda a: a.std(ddof=1), r(4)), ("var", lambda a: a.var(axis=0), r(3, 2)),
                  ("prod", lambda a: a.prod(axis=0), r(3, 2)), ("max", lambda a: a.max(axis=0), r(3, 2)),
                  ("min", lambda a: a.min(), r(3, 2)), ("cumsum", lambda a: a.cumsum(), r(3, 2)),
                  ("cumprod", lambda a: a.cumprod(axis=1), r(3, 2)), ("dot", lambda a: a.dot(a.T), r(3, 2)),
                  ("clip", lambda a: a.clip(-0.5, 0.5), np.array([-1.0, 0.2, 1.0])), ("swapaxes", lambda a: a.swapaxes(0, 1), r(3, 2)),
                  ("take", lambda a: a.take([0, 2]), r(3)), ("squeeze(axis)", lambda a: a.squeeze(0), r(1, 3)),
                  ("astype(float)", lambda a: a.astype(float), r(3)), ("conj", lambda a: a.conj(), r(3)),
                  ("real", lambda a: a.real, r(3)), ("imag", lambda a: a.imag + a, r(3)),
                  ("diagonal", lambda a: a.diagonal(), r(2, 2)), ("trace", lambda a: a.trace(), r(2, 2)),
                  ("repeat", lambda a: a.repeat(2, axis=0), r(2, 2)), ("round", lambda a: a.round(1) * 0 + a, r(3)),
                  ("max - a[argmax]", lambda a: a.max() - a[a.argmax()] + a, r(4)), ("__rpow__", lambda a: 2.0 ** a, r(3)),
                  ("ndim/shape/size", lambda a: a * (a.ndim + a.shape[0] + a.size), r(3)),
                  ("reshape(shape=)", lambda a: np.reshape(a, shape=(3, 2)), r(2, 3)),
                  ("compress (array second in np.compress)", lambda a: a.compress([True, False, True]),
                   np.array([0.3, -1.1, 0.8]))):
    C(f"method {nm}", fn, x)
C("divmod builtin", lambda a: divmod(a, 0.7)[1], u(.1, .6, 3))
C("min builtin", lambda a, b: min(a, b), 1.3, 0.2)
C("max builtin on entries", lambda a: max(a[0], a[1]), np.array([0.3, 1.2]))
C("sum builtin over array", sum, r(3))
C("abs builtin", abs, np.array([-1.5, 0.5]))
C("pow builtin 3-arg-free", lambda a: pow(a, 2.5), u(.5, 1.5, 3))

V("sinc'(0) = 0", lambda: ad.grad(np.sinc)(0.0), 0.0)
V("sinc''(0) = -π²/3", lambda: ad.grad(ad.grad(np.sinc))(0.0), -np.pi ** 2 / 3)
V("d/dy 0**y at y=2 is 0", lambda: ad.grad(lambda y: np.power(0.0, y))(2.0), 0.0)
V("d/dx x**2 at 0", lambda: ad.grad(lambda x: x ** 2)(0.0), 0.0)
V("d³/dx³ x**3 at 0", lambda: ad.grad(ad.grad(ad.grad(lambda x: x ** 3)))(0.0), 6.0)
V("d/dx x**0 at 0", lambda: ad.grad(lambda x: x ** 0.0)(0.0), 0.0)
V("logaddexp(x, x) at 1000", lambda: ad.grad(lambda x: np.logaddexp(x, x))(1000.0), 1.0)
V("logaddexp(x, 0) at 1000", lambda: ad.grad(lambda x: np.logaddexp(x, 0.0))(1000.0), 1.0)
V("logaddexp2(x, 0) at -1000", lambda: ad.grad(lambda x: np.logaddexp2(x, 0.0))(-1000.0), 0.0)
V("arctan2 at (0, 1)", lambda: ad.grad(np.arctan2, argnums=(0, 1))(0.0, 1.0), (1.0, 0.0))
V("hypot at (3, 4)", lambda: ad.grad(np.hypot, argnums=(0, 1))(3.0, 4.0), (0.6, 0.8))
V("arcsinh' at 1000", lambda: ad.grad(np.arcsinh)(1000.0), 1 / np.sqrt(1000.0 ** 2 + 1))
V("arccosh' at 1000", lambda: ad.grad(np.arccosh)(1000.0), 1 / np.sqrt(1000.0 ** 2 - 1))
V("tanh'' at 30", lambda: ad.grad(ad.grad(np.tanh))(30.0), 0.0)
V("cbrt' at -8", lambda: ad.grad(np.cbrt)(-8.0), 1 / 12)
V("cbrt'' at -8", lambda: ad.grad(ad.grad(np.cbrt))(-8.0), -2 / 9 * np.cbrt(-8.0) ** -5)
V("power(x, 3.0)' at -2", lambda: ad.grad(lambda x: np.power(x, 3.0))(-2.0), 12.0)
V("power(x, 2)'' at -2", lambda: ad.grad(ad.grad(lambda x: np.power(x, 2)))(-2.0), 2.0)
V("expm1'' at 0", lambda: ad.grad(ad.grad(np.expm1))(0.0), 1.0)
V("log1p'' at -0.5", lambda: ad.grad(ad.grad(np.log1p))(-0.5), -4.0)
V("prod' with one zero", lambda: ad.grad(np.prod)(np.array([0.0, 2.0, 3.0])), [6.0, 0.0, 0.0])
V("prod' with two zeros", lambda: ad.grad(np.prod)(np.array([0.0, 0.0, 3.0])), [0.0, 0.0, 0.0])
V("prod'' with one zero", lambda: ad.hessian(np.prod)(np.array([0.0, 2.0, 3.0])),
  [[0, 3, 2], [3, 0, 0], [2, 0, 0]])
V("cumprod' with a zero", lambda: ad.jacrev(np.cumprod)(np.array([2.0, 0.0, 3.0])),
  [[1, 0, 0], [0, 2, 0], [0, 6, 0]])
V("det' of singular matrix is its adjugate", lambda: ad.grad(np.linalg.det)(np.array([[1.0, 2.0], [2.0, 4.0]])),
  [[4.0, -2.0], [-2.0, 1.0]])
V("det' of rank-1 3x3 is 0", lambda: ad.grad(np.linalg.det)(np.ones((3, 3))), np.zeros((3, 3)))
V("var'' at constant", lambda: ad.hessian(np.var)(np.array([2.0, 2.0])), [[0.5, -0.5], [-0.5, 0.5]])
V("median' even count", lambda: ad.grad(np.median)(np.array([1.0, 3.0, 2.0, 4.0])), [0, .5, .5, 0])
V("norm' of zero vector (0 subgradient)", lambda: ad.grad(np.linalg.norm)(np.zeros(3)), np.zeros(3))
V("maximum tie split", lambda: ad.grad(np.maximum, argnums=(0, 1))(1.0, 1.0), (0.5, 0.5))
V("abs'(0) fwd = rev = 0", lambda: (ad.grad(np.abs)(0.0), ad.jvp(np.abs, (0.0,), (1.0,))[1]), (0.0, 0.0))

# empty and size-1 arrays (JAX's lax_numpy tests draw shapes such as (0,) and (2, 0))
Z0, Z03, Z20 = np.zeros(0), np.zeros((0, 3)), np.zeros((2, 0))
C("empty sum axis 0", lambda a: np.sum(a, axis=0), Z03)
C("empty sum axis 1", lambda a: np.sum(a, axis=1), Z03)
C("empty sin", np.sin, Z20)
C("empty matmul (2,0)@(0,3)", np.matmul, Z20, Z03)
C("empty matmul (0,2)@(2,3)", np.matmul, np.zeros((0, 2)), np.ones((2, 3)))
C("empty concatenate", lambda a, b: np.concatenate([a, b]), Z0, np.ones(2))
C("empty prod", np.prod, Z0)
C("empty cumsum", np.cumsum, Z0)
C("empty dot", np.dot, Z0, Z0)
C("empty outer", np.outer, Z0, np.ones(2))
C("empty reshape", lambda a: a.reshape(0, 5), np.zeros((5, 0)))
C("empty slice", lambda a: a[2:2], np.ones(4))
C("empty list index", lambda a: a[[]], np.ones(4))
C("empty einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), Z20, Z03)
C("empty norm", np.linalg.norm, Z0)
C("empty inv 0x0", np.linalg.inv, np.zeros((0, 0)))
C("empty det 0x0", np.linalg.det, np.zeros((0, 0)))
C("empty where", lambda a: np.where(a > 0, a, 0.0), Z0)
C("empty max axis 0 of (2,0)", lambda a: np.max(a, axis=0), Z20)
C("empty sort", np.sort, Z0)
C("diff of length 1", np.diff, np.ones(1))
C("empty var axis 1", lambda a: np.var(a, axis=1), Z03)
C("size-1 std+max+prod", lambda a: np.std(a) + np.max(a) + np.prod(a), np.ones((1, 1)) * 0.5)
C("size-1 norm*sort*cumprod", lambda a: np.linalg.norm(a) * np.sort(a) * np.cumprod(a), np.array([0.7]))
C("fft.fftshift", np.fft.fftshift, r(5))
C("fft.ifftshift axes", lambda a: np.fft.ifftshift(a, axes=(0,)), r(3, 4))

# float32 (JAX's default precision): derivatives keep the input's dtype, and agree with float64
# central differences at float32's accuracy
F32_TOL = dict(rtol=2e-3, atol=2e-3)


def f32_case(name, fn, *args):
    def run():
        from .core import Mismatch, directional

        xs = [np.asarray(a, np.float32) for a in args]
        vs = [np.asarray(R32.standard_normal(np.shape(a)), np.float32) for a in args]
        want_dtype = np.asarray(fn(*xs)).dtype
        y, t = ad.jvp(fn, tuple(xs), tuple(vs))
        ref, _ = directional(fn, [x.astype(np.float64) for x in xs], [v.astype(np.float64) for v in vs])
        close(np.asarray(t, np.float64), ref[0], 0, f"{name} float32 jvp", **F32_TOL)
        if np.asarray(t).dtype != want_dtype or np.asarray(y).dtype != want_dtype:
            raise Mismatch(f"{name}: jvp gives {np.asarray(y).dtype}/{np.asarray(t).dtype}, NumPy's value is {want_dtype}")
        gs = ad.grad(lambda *zs: np.sum(fn(*zs)), argnums=tuple(range(len(xs))))(*xs)
        for k, (g, x) in enumerate(zip(gs, xs)):
            if np.asarray(g).dtype != np.float32:
                raise Mismatch(f"{name}: gradient {k} is {np.asarray(g).dtype} for a float32 input")
        close(sum(np.sum(np.asarray(g, np.float64) * v) for g, v in zip(gs, vs)), np.sum(ref[0]), 0,
              f"{name} float32 grad", **F32_TOL)

    CASES.append(Case(f"float32 {name}", run, "more"))


R32 = np.random.default_rng(32 + SEED)
for nm, fn, lo, hi in (("sin", np.sin, -2, 2), ("exp", np.exp, -2, 2), ("log", np.log, 0.2, 2), ("tanh", np.tanh, -2, 2),
                       ("sqrt", np.sqrt, 0.5, 2), ("arctanh", np.arctanh, -0.8, 0.8), ("i0", np.i0, -2, 2),
                       ("sinc", np.sinc, 0.2, 2), ("cbrt", np.cbrt, 0.3, 2), ("expm1", np.expm1, -1, 1),
                       ("log1p", np.log1p, 0.2, 2), ("arccosh", np.arccosh, 1.2, 3), ("erf-free logistic", lambda x: 1 / (1 + np.exp(-x)), -2, 2)):
    f32_case(nm, fn, u(lo, hi, 3))
for nm, fn in (("power", np.power), ("arctan2", np.arctan2), ("hypot", np.hypot), ("logaddexp", np.logaddexp),
               ("divide", np.divide), ("maximum", np.maximum)):
    f32_case(nm, fn, u(0.5, 1.0, 3), u(1.2, 2.0, 3))
f32_case("matmul", np.matmul, r(2, 3), r(3, 2))
f32_case("sum/mean/var", lambda a: np.sum(a) + np.mean(a, axis=0) * np.var(a), r(3, 2))
f32_case("norm", np.linalg.norm, r(4))
f32_case("inv", np.linalg.inv, r(3, 3) + 3 * np.eye(3))
f32_case("det", np.linalg.det, r(3, 3))
f32_case("eigvalsh", lambda a: np.linalg.eigvalsh(a + a.T), r(3, 3))
f32_case("svd values", lambda a: np.linalg.svd(a, compute_uv=False), r(3, 2))
f32_case("solve", lambda a, b: np.linalg.solve(a, b), r(3, 3) + 3 * np.eye(3), r(3))
f32_case("slogdet", lambda a: np.linalg.slogdet(a)[1], r(3, 3) + 3 * np.eye(3))
f32_case("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), r(2, 3), r(3, 2))
f32_case("softmax", lambda a: np.exp(a) / np.sum(np.exp(a)), r(4))
f32_case("cumprod", np.cumprod, u(0.5, 1.5, 4))
f32_case("sort", np.sort, np.array([0.3, -1.0, 2.0]))

# a traced fill value, which NumPy's dispatchers for these functions do not look at
FILL_A = np.array([[0.4, -1.2, 0.9], [1.5, 0.2, -0.3]])
C("full_like(traced, traced fill)", lambda a, c: np.full_like(a, c) * a, FILL_A, 0.7)
C("full(shape, traced fill, dtype=float)", lambda c: np.full((2, 3), c, dtype=float) * FILL_A, 0.7)
C("full(shape, traced row)", lambda v: np.full((2, 3), v), np.array([0.3, -0.4, 1.1]))
C("pad plain array, traced constant_values", lambda c: np.pad(FILL_A, ((1, 0), (0, 2)), constant_values=(c, 2 * c)), 0.7)
C("pad plain array, traced linear_ramp end", lambda c: np.pad(np.array([1.0, 2.0]), 2, mode="linear_ramp", end_values=c), 0.3)
C("nan_to_num plain array, traced nan=", lambda c: np.nan_to_num(np.array([1.0, np.nan, np.inf]), nan=c, posinf=2 * c), 0.3)
C("select plain choices, traced default", lambda d: np.select([FILL_A > 0.3], [FILL_A], default=d), -FILL_A)
C("x.astype(object) keeps tracing", lambda a: np.stack(list(a.astype(object) * a)), np.array([0.3, -0.4, 1.1]))
C("heaviside with a traced value at 0", lambda h: np.heaviside(np.array([-1.0, 0.0, 2.0, 0.0]), h) * h,
  np.array([0.3, -0.4, 1.1, 0.7]))
