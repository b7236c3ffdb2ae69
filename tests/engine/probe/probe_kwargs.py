"""Keyword arguments and the NumPy that course code reaches for (session engaudit, issue 9):
clip's two spellings of its bounds, dtype= on joins, ufunc methods with where/initial/keepdims,
norms of every ord/axis, einsum with ellipsis and repeated indices, meshgrid, gradient,
linspace/logspace/geomspace with traced (array) end points, lstsq/polyfit, piecewise, insert,
nan-quantiles, running extremes, polynomial arithmetic, det at singular stacks."""
import itertools

import numpy as np
from harness import *  # noqa

rng = np.random.default_rng(SEED + 17)


def R(*s):
    return rng.standard_normal(s)


def POS(*s):
    return rng.uniform(0.5, 2.0, s)


def D(*s):  # distinct entries (no ties for sort/max/median)
    n = int(np.prod(s, dtype=int))
    return ((rng.permutation(n) - n / 2) * 0.3 + 0.05).reshape(s)


CASES = []


def case(name, f, *args, second=True):
    CASES.append((name, f, list(args), second))


A, S3 = R(3, 4), R(3, 3)
SING = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
XN = np.array([[0.3, np.nan, -1.2, 0.8, 2.1], [np.nan, np.nan, 0.5, -0.7, 1.4], [0.1, 0.9, -0.4, 1.7, -2.2]])
for kw in [dict(a_min=-0.5, a_max=0.5), dict(min=-0.5, max=0.5), dict(min=-0.5), dict(max=0.5), dict(a_min=None, a_max=0.5)]:
    case(f"clip {kw}", lambda x, kw=kw: np.clip(x, **kw), R(6))
case("clip traced bounds", lambda x, lo, hi: np.clip(x, lo, hi), R(6), -POS(6), POS(6))
case("clip dtype", lambda x: np.clip(x, -0.5, 0.5, dtype=np.float64), R(6))
for join in ("concatenate", "stack", "hstack", "vstack"):
    case(f"{join} dtype", lambda x, y, j=join: getattr(np, j)([x, y], dtype=np.float64), R(3), R(3))
mask = np.array([[True, False, True, True], [True, True, False, True], [False, True, True, True]])
for (name, f), ax, kd in itertools.product({"add.reduce": np.add.reduce, "multiply.reduce": np.multiply.reduce,
                                           "maximum.reduce": np.maximum.reduce, "sum": np.sum, "prod": np.prod,
                                           "max": np.max, "nanprod": np.nanprod}.items(), [None, 0, (0, 1), -1],
                                          [False, True]):
    case(f"{name} axis={ax} keepdims={kd} where initial", lambda x, f=f, ax=ax, kd=kd: f(
        x, axis=ax, keepdims=kd, where=mask, initial=0.5), D(3, 4), second=name not in ("max", "maximum.reduce"))
for o in [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]:
    case(f"norm ord={o} axis=(2,0)", lambda x, o=o: np.linalg.norm(x, ord=o, axis=(2, 0), keepdims=True), R(2, 3, 4),
         second=False)
for o in [None, 0.5, 1, 2, 3, -1, np.inf]:
    case(f"norm vector ord={o} axis=-1", lambda x, o=o: np.linalg.norm(x, ord=o, axis=-1), R(3, 4), second=False)
case("einsum ellipsis", lambda a, b: np.einsum("...ij,...jk->...ik", a, b), R(2, 3, 4), R(2, 4, 2))
case("einsum repeated", lambda a, b: np.einsum("ii,i->i", a, b), S3, R(3))
case("einsum iij", lambda a: np.einsum("iij->ij", a), R(3, 3, 2))
case("einsum dtype", lambda a, b: np.einsum("ij,jk", a, b, dtype=np.float64), A, R(4, 2))
case("meshgrid xy", lambda x, y: np.stack(np.meshgrid(x, y)) ** 2, R(3), R(2))
case("meshgrid ij sparse", lambda x, y: sum(np.meshgrid(x, y, indexing="ij", sparse=True)), R(3), R(2))
case("broadcast_arrays", lambda x, y: np.broadcast_arrays(x, y)[0] * np.broadcast_arrays(x, y)[1], R(3), R(2, 1))
case("block", lambda a, b: np.block([[a, b], [b, a]]), R(2, 2), R(2, 2))
case("gradient 2d", lambda x: np.stack(np.gradient(x ** 2, 0.5, edge_order=2)), R(4, 3))
case("gradient coordinates", lambda x: np.gradient(x, np.array([0.0, 0.5, 1.5, 1.7, 3.0])), R(5))
case("gradient traced spacing", lambda x, h: np.gradient(x, h), R(5), 0.7)
case("linspace array ends axis", lambda a, b: np.linspace(a, b, 4, axis=-1), R(2), R(2))
case("linspace one sample", lambda a, b: np.linspace(a, b, 1), 0.3, 1.7)
case("logspace base", lambda a, b: np.logspace(a, 1.0, 4, base=b), 0.3, 2.5)
case("geomspace", lambda a, b: np.geomspace(a, b, 5), 0.7, 2.5)
case("cumulative_sum initial", lambda x: np.cumulative_sum(x, axis=1, include_initial=True), A)
case("nancumprod", lambda x: np.nancumprod(x), R(5))
case("var mean=", lambda x: np.var(x, axis=1, mean=np.mean(x, axis=1, keepdims=True)), A)
case("std mean= where", lambda x: np.std(x, mean=np.zeros(1), where=mask), A)
case("logaddexp.reduce", lambda x: np.logaddexp.reduce(x, axis=1), A)
case("interp period", lambda x: np.interp(x, np.arange(4.0), np.arange(4.0) ** 2, period=4.0), np.array([0.3, 5.2, -1.1]))
case("lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], R(5, 3), R(5))
case("lstsq residuals", lambda a, b: np.linalg.lstsq(a, b)[1], R(5, 3), R(5, 2))
case("polyfit", lambda y: np.polyfit(np.arange(5.0), y, 2), R(5))
case("polyfit weights", lambda y, w: np.polyfit(np.arange(5.0), y, 1, w=w), R(5), POS(5))
case("piecewise", lambda x: np.piecewise(x, [x < 0, x > 1], [np.sin, lambda t: np.sqrt(t), lambda t: 2 * t]),
     np.array([-1.3, -0.4, 0.35, 0.8, 1.7, 2.4]))
case("insert traced", lambda x, y: np.insert(x, [1, 2], y), R(3), R(2))
case("insert axis broadcast", lambda x, y: np.insert(x, 1, y, axis=1), R(2, 3), 0.7)
case("delete", lambda x: np.delete(x, [0, -1], axis=1), A)
case("choose", lambda x, y: np.choose(np.array([[0, 1, 0], [1, 1, 0]]), [x, y]), R(3), R(2, 3))
case("compress/extract", lambda x: np.compress([True, False, True], x, axis=0) + np.extract(mask, x)[:4], A)
case("nanmedian", lambda x: np.nanmedian(x, axis=1), XN, second=False)
case("nanquantile q array", lambda x: np.nanquantile(x, [0.2, 0.7], axis=1, keepdims=True), XN, second=False)
case("maximum.accumulate", lambda x: np.maximum.accumulate(x, axis=1), D(3, 4), second=False)
case("polymul/polyder/polyint", lambda a, b: np.polyint(np.polyder(np.polymul(a, b)), k=1.0), R(3), R(2))
case("unique", lambda x: np.unique(x), D(2, 3))
case("vander", lambda x: np.vander(x, 4), np.array([0.0, 1.0, -0.5]))
case("modf/frexp/ldexp", lambda x: np.modf(x)[0] + np.frexp(x)[0] + np.ldexp(x, 2), np.array([0.37, -1.45, 2.9]))
case("det singular", np.linalg.det, SING)
case("det stack with singular", np.linalg.det, np.stack([SING, np.eye(3)]))
case("where with a scalar branch", lambda x: np.where(x > 0, np.sqrt(np.abs(x)), 0.0) + np.where(x > 0, x, -x), R(5))

run_cases(CASES, rng)
