"""The systematic suite's case table: every differentiable thing adviz dispatches, with domains and shapes.

One :class:`Case` is a plain NumPy function of its differentiable arguments plus how to draw
those arguments: a *domain* (where the function is smooth, with a margin for the finite
difference stencil) and a *shape*.  ``test_systematic.py`` runs :func:`check_grads.check_grads`
on every case: ``jvp``, ``vjp``, ``grad``, ``jacfwd``, ``jacrev`` and all second-order
compositions, against finite differences (and the complex step where ``analytic=True``).

Shapes
    ``()`` is a 0-d array, ``"float"`` a Python float, ``"np"`` a NumPy scalar
    (``np.float64``); tuples are arrays.  Families below loop over scalars, 0-d, 1-D, 2-D,
    3-D, size-1 and broadcasting pairs.

Adding a primitive or a NumPy function to adviz?  Add its cases here: the coverage guard in
``test_systematic.py`` fails until every registry entry and every dispatched NumPy
function, method and operator is exercised by some case.  Pick the domain where the
function is smooth (``arccosh`` needs ``x > 1``; ``max`` needs distinct entries; the
remainders need ``x/y`` away from integers) and mark ``analytic=True`` only when the
function is real-analytic (then the complex step checks the finite differences).

``expect="refuse"`` records that adviz must refuse the case with ``UnsupportedOperation``
(flip it when you implement it); ``known="..."`` marks a known wrong result that someone
is fixing (the test is a strict ``xfail``: it fails loudly once fixed, so the mark goes).
"""

from __future__ import annotations

import functools
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import adviz as _ad

Gen = Callable[[np.random.Generator, tuple], np.ndarray]
Shape = tuple | str


# --------------------------------------------------------------------------- domains


def U(lo: float, hi: float) -> Gen:
    """Uniform in [lo, hi]."""
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def S(lo: float, hi: float) -> Gen:
    """Magnitude in [lo, hi] with a random sign: keeps away from 0."""
    return lambda rng, shape: rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Entries at least 0.2 apart (no ties: a unique max/min, a nonzero spread)."""
    n = int(np.prod(shape, dtype=int))
    return ((rng.permutation(n) - (n - 1) / 2) * 0.3 + rng.uniform(0.0, 0.1, n)).reshape(shape)


def grid_a(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """k/2 + [0, 0.1]: with grid_b every pair differs by at least 0.15 (no ties in maximum)."""
    return rng.integers(-3, 4, shape) * 0.5 + rng.uniform(0.0, 0.1, shape)


def grid_b(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.integers(-3, 4, shape) * 0.5 + rng.uniform(0.25, 0.35, shape)


def off_bounds(lo: float, hi: float) -> Gen:
    """Values at least 0.1 away from the clip bounds ``lo`` and ``hi``."""
    def gen(rng, shape):
        pts = np.array([lo - 0.6, lo - 0.2, (lo + hi) / 2, lo + 0.15, hi - 0.15, hi + 0.2, hi + 0.6])
        return rng.choice(pts, shape) + rng.uniform(-0.04, 0.04, shape)
    return gen


def lattice(step: float, lo: float, hi: float) -> Gen:
    """k·step + [lo, hi] for a random integer k: away from the jumps of floor, rint, ``//``."""
    return lambda rng, shape: rng.integers(-3, 4, shape) * step + rng.uniform(lo, hi, shape)


def well_conditioned(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(-0.5, 0.5, shape) + 2.0 * np.eye(shape[-1])


def well_conditioned_tensor(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """A well-conditioned square matrix with its two sides split into several axes (tensorinv, tensorsolve)."""
    n = int(np.sqrt(np.prod(shape)))
    return well_conditioned(rng, (n, n)).reshape(shape)


REAL = U(-2.0, 2.0)
POS = U(0.5, 2.0)
AWAY0 = S(0.3, 2.0)
INSIDE1 = U(-0.8, 0.8)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Arg:
    """One differentiable argument: where its values come from and its shape."""

    gen: Gen
    shape: Shape = (3,)


@dataclass(frozen=True)
class Case:
    id: str
    fn: Callable
    args: tuple
    analytic: bool = False
    order: int = 2
    expect: str = "pass"  # or "refuse"
    known: str = ""  # a known wrong result being fixed elsewhere (strict xfail)
    single: bool = False  # float32 arithmetic inside: engine-vs-engine comparisons to float32 rounding
    modes: tuple = ("fwd", "rev")  # ("rev",) for custom_vjp functions, which have no forward mode (as in JAX)
    draw: Callable[[np.random.Generator], tuple] | None = None  # joint domains (remainder)

    def values(self) -> tuple:
        """The arguments, drawn reproducibly from the case's id."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        if self.draw is not None:
            return self.draw(rng)
        return tuple(_materialize(a.gen, a.shape, rng) for a in self.args)


def _materialize(gen: Gen, shape: Shape, rng: np.random.Generator) -> Any:
    if shape == "float":
        return float(gen(rng, ()))
    if shape == "np":
        return np.float64(gen(rng, ()))
    return np.asarray(gen(rng, shape), dtype=np.float64)


def _array_shape(shape: Shape) -> tuple:
    return () if isinstance(shape, str) else shape


def _label(shape: Shape) -> str:
    return shape if isinstance(shape, str) else "x".join(map(str, shape)) or "0d"


CASES: list[Case] = []


def case(id: str, fn: Callable, *args: Arg, **options: Any) -> Case:
    c = Case(id, fn, tuple(args), **options)
    CASES.append(c)
    return c


# --------------------------------------------------------------------------- elementwise, one argument

UNARY_SHAPES: list[Shape] = ["float", "np", (), (1,), (4,), (2, 3), (2, 1, 2)]

# (name, function, domain, analytic)
UNARY = [
    ("negative", np.negative, REAL, True),
    ("positive", np.positive, REAL, True),
    ("square", np.square, REAL, True),
    ("reciprocal", np.reciprocal, AWAY0, True),
    ("sqrt", np.sqrt, POS, True),
    ("cbrt", np.cbrt, AWAY0, False),  # no complex loop
    ("i0", np.i0, U(-3.0, 3.0), False),  # its partial is I₁, which NumPy lacks (adviz's series)
    ("i0-large", lambda x: np.i0(x * 12.0), S(1.5, 3.0), False),  # I₁'s asymptotic branch (|x| ≥ 20)
    ("nextafter", lambda x: np.nextafter(x, 3.0 * x) * x, AWAY0, False),  # slope 1 in x, 0 in y
    ("grad-of-i0", lambda x: _ad.grad(lambda y: np.sum(np.i0(y)))(x), U(-3.0, 3.0), False),  # I₁ as a node
    ("exp", np.exp, REAL, True),
    ("expm1", np.expm1, REAL, True),
    ("exp2", np.exp2, REAL, True),
    ("log", np.log, POS, True),
    ("log1p", np.log1p, U(-0.5, 2.0), True),
    ("log2", np.log2, POS, True),
    ("log10", np.log10, POS, True),
    ("sin", np.sin, REAL, True),
    ("cos", np.cos, REAL, True),
    ("tan", np.tan, U(-1.2, 1.2), True),
    ("arcsin", np.arcsin, INSIDE1, True),
    ("arccos", np.arccos, INSIDE1, True),
    ("arctan", np.arctan, REAL, True),
    ("sinh", np.sinh, REAL, True),
    ("cosh", np.cosh, REAL, True),
    ("tanh", np.tanh, REAL, True),
    ("arcsinh", np.arcsinh, REAL, True),
    ("arccosh", np.arccosh, U(1.2, 3.0), True),
    ("arctanh", np.arctanh, INSIDE1, True),
    ("absolute", np.absolute, AWAY0, False),
    ("fabs", np.fabs, AWAY0, False),
    ("abs-builtin", abs, AWAY0, False),
    ("deg2rad", np.deg2rad, REAL, False),  # no complex loop
    ("rad2deg", np.rad2deg, REAL, False),
    ("conjugate", np.conjugate, REAL, False),  # identity on reals; not analytic as a complex map
    ("op-neg", operator.neg, REAL, True),
    ("op-pos", operator.pos, REAL, True),
    ("op-pow-2", lambda x: x**2, REAL, True),
    ("op-pow-3", lambda x: x**3, REAL, True),
    ("op-pow-int-neg", lambda x: x**-2, AWAY0, True),
    ("op-pow-half", lambda x: x**0.5, POS, True),
    ("op-pow-0", lambda x: x**0 * np.sin(x), REAL, True),
    ("op-pow-1", lambda x: x**1, REAL, True),
    ("op-rpow", lambda x: 2.0**x, REAL, True),
    ("op-rpow-npscalar", lambda x: np.float64(1.5) ** x, REAL, True),
    ("op-radd", lambda x: 2.0 + x, REAL, True),
    ("op-rsub", lambda x: 2.0 - x, REAL, True),
    ("op-rmul", lambda x: 3.0 * x, REAL, True),
    ("op-rdiv", lambda x: 2.0 / x, AWAY0, True),
    ("op-npscalar-left", lambda x: np.float64(2.5) * x - np.float64(1.0) / (np.float64(3.0) + x * x), REAL, True),
    ("op-array-left", lambda x: np.array(2.5) * x + np.array(1.5) - x / np.array(4.0), REAL, True),
    ("op-mod-const", lambda x: x % 0.75 + x, U(0.05, 0.7), False),
    ("op-rmod", lambda x: 2.0 % x, U(1.1, 1.9), False),
    ("float_power", lambda x: np.float_power(x, 2.5), POS, True),
    ("relu", lambda x: np.maximum(x, 0.0), AWAY0, False),
    ("where-relu", lambda x: np.where(x > 0, x, 0.1 * x), AWAY0, False),
    ("x-sign-x", lambda x: np.sign(x) * x, AWAY0, False),
    ("chain-sin-x2-plus-1", lambda x: np.sin(x**2 + 1.0), REAL, True),
]
for _name, _fn, _dom, _analytic in UNARY:
    for _shape in UNARY_SHAPES:
        case(f"{_name}[{_label(_shape)}]", _fn, Arg(_dom, _shape), analytic=_analytic)

# Special values (JAX tests these for the inverse hyperbolics) and extreme magnitudes
def fixed(values) -> Gen:
    """Exactly these values (the shape must match)."""
    return lambda rng, shape: np.array(values, dtype=float).reshape(shape)


SPECIAL = [
    ("arcsinh", np.arcsinh, [0.0, 1000.0, -1000.0], True),
    ("arccosh", np.arccosh, [1000.0, 1.5], True),
    ("arctanh", np.arctanh, [0.0, 0.9], True),
    ("tanh", np.tanh, [0.0, 20.0, -20.0], True),
    ("exp", np.exp, [-700.0, 700.0], True),
    ("expm1", np.expm1, [1e-10, -30.0], True),
    ("log1p", np.log1p, [1e-10, -0.9], True),
    ("sqrt", np.sqrt, [1e-2, 1e8], True),
    ("reciprocal", np.reciprocal, [1e-2, -1e6], True),
    ("sin", np.sin, [1e6, -1e-300], True),
    ("square", np.square, [1e100, 1e-100], True),
    ("logaddexp", lambda x: np.logaddexp(x, -x), [-50.0, 0.0, 50.0], False),
    ("hypot", lambda x: np.hypot(x, 1e-3 * x + 1e150), [1e150, -1e-150], False),
]
for _name, _fn, _values, _analytic in SPECIAL:
    case(f"{_name}-special-values", _fn, Arg(fixed(_values), (len(_values),)), analytic=_analytic)


# Non-differentiable ufuncs: plain values with zero derivative (the product keeps a path to x).
# ``lattice`` keeps the inputs away from the jumps (integers, half-integers, zero, the other operand).
NONDIFF_UNARY = [np.sign, np.floor, np.ceil, np.trunc, np.rint, np.isfinite, np.isnan, np.isinf, np.signbit,
                 np.logical_not, np.spacing]
for _uf in NONDIFF_UNARY:
    for _shape in ["float", (4,), (2, 3)]:
        case(f"{_uf.__name__}-times-x[{_label(_shape)}]", lambda x, _uf=_uf: np.sin(x) * _uf(x),
             Arg(lattice(1.0, 0.2, 0.35), _shape))
for _uf in [np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal, np.logical_and,
            np.logical_or, np.logical_xor]:
    case(f"{_uf.__name__}-times-xy[3][3]", lambda x, y, _uf=_uf: x * y * _uf(x, y), Arg(grid_a, (3,)),
         Arg(grid_b, (3,)))
case("divmod[3][3]", lambda x, y: np.divmod(x, y)[1] * x + x * y * np.divmod(x, y)[0], Arg(U(1.25, 1.35), (3,)),
     Arg(U(0.9, 1.0), (3,)))
case("floor_divide-times-xy[3][3]", lambda x, y: x * y * np.floor_divide(x, y), Arg(U(1.25, 1.35), (3,)),
     Arg(U(0.9, 1.0), (3,)))
for _op, _sym in [(operator.lt, "lt"), (operator.le, "le"), (operator.gt, "gt"), (operator.ge, "ge"),
                  (operator.eq, "eq"), (operator.ne, "ne")]:
    case(f"op-{_sym}-times-x[4]", lambda x, _op=_op: x * x * _op(x, 0.3), Arg(grid_a, (4,)))
case("op-floordiv-times-x[4]", lambda x: x * x * (x // 0.3), Arg(lattice(0.3, 0.1, 0.2), (4,)))
case("op-rfloordiv-times-x[4]", lambda x: x * (5.0 // x), Arg(U(0.73, 0.81), (4,)))


# --------------------------------------------------------------------------- elementwise, two arguments

PAIRS: list[tuple[Shape, Shape]] = [
    ("float", "float"),
    ("float", (3,)),
    ((3,), "np"),
    ((), (2, 3)),
    ((4,), (4,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((1,), (2, 3)),
    ((2, 1, 3), (4, 1)),
]

BINARY = [
    ("add", np.add, REAL, REAL, True),
    ("subtract", np.subtract, REAL, REAL, True),
    ("multiply", np.multiply, REAL, REAL, True),
    ("true_divide", np.true_divide, REAL, AWAY0, True),
    ("power", np.power, POS, REAL, True),
    ("float_power", np.float_power, POS, REAL, True),
    ("arctan2", np.arctan2, AWAY0, AWAY0, False),
    ("hypot", np.hypot, AWAY0, AWAY0, False),
    ("logaddexp", np.logaddexp, REAL, REAL, False),
    ("maximum", np.maximum, grid_a, grid_b, False),
    ("minimum", np.minimum, grid_a, grid_b, False),
    ("fmax", np.fmax, grid_a, grid_b, False),
    ("fmin", np.fmin, grid_a, grid_b, False),
    ("op-add", operator.add, REAL, REAL, True),
    ("op-sub", operator.sub, REAL, REAL, True),
    ("op-mul", operator.mul, REAL, REAL, True),
    ("op-truediv", operator.truediv, REAL, AWAY0, True),
    ("op-pow", operator.pow, POS, REAL, True),
]
for _name, _fn, _ga, _gb, _analytic in BINARY:
    for _sa, _sb in PAIRS:
        case(f"{_name}[{_label(_sa)}][{_label(_sb)}]", _fn, Arg(_ga, _sa), Arg(_gb, _sb), analytic=_analytic)


def _remainder_draw(sa: Shape, sb: Shape, trunc: bool) -> Callable:
    """Joint draw keeping x/y at least 0.2 away from an integer (the remainder's jumps)."""
    def draw(rng):
        a_shape, b_shape = _array_shape(sa), _array_shape(sb)
        out = np.broadcast_shapes(a_shape, b_shape)
        frac = rng.uniform(0.2, 0.8, out)
        k = rng.integers(-3, 3, out) if not trunc else rng.integers(0, 3, out) * rng.choice([-1, 1], out)
        q = k + (frac if not trunc else np.sign(k + 0.5) * frac)
        if b_shape == out:
            a = _materialize(S(0.7, 1.9), sa, rng)
            b = np.asarray(a) / q
        else:
            b = np.asarray(_materialize(S(0.7, 1.9), sb, rng))
            a = q * b
        cast = lambda v, s: float(v) if s == "float" else (np.float64(v) if s == "np" else np.asarray(v, float))
        return cast(a, sa), cast(b, sb)
    return draw


for _name, _fn, _trunc in [("remainder", np.remainder, False), ("fmod", np.fmod, True),
                           ("op-mod", operator.mod, False)]:
    for _sa, _sb in PAIRS:
        if np.broadcast_shapes(_array_shape(_sa), _array_shape(_sb)) not in (_array_shape(_sa), _array_shape(_sb)):
            continue  # neither operand has the full shape: no joint draw keeps every x/y off the jumps
        case(f"{_name}[{_label(_sa)}][{_label(_sb)}]", _fn, Arg(REAL, _sa), Arg(REAL, _sb),
             draw=_remainder_draw(_sa, _sb, _trunc))

case("same-arg-multiply[3]", lambda x: np.multiply(x, x), Arg(REAL, (3,)), analytic=True)
case("same-arg-power[3]", lambda x: np.power(x, x), Arg(POS, (3,)), analytic=True)
case("same-arg-hypot[3]", lambda x: np.hypot(x, x), Arg(AWAY0, (3,)))
case("same-arg-arctan2[3]", lambda x: np.arctan2(x, x * 0.5 + 1.5), Arg(U(0.2, 2.0), (3,)))
case("power-int-exponent-array[3]", lambda x: x ** np.array([1, 2, 3]), Arg(U(-2.0, -0.5), (3,)), analytic=True)
case("power-negative-base-int-float[3]", lambda x: x**2.0 + x**3.0, Arg(U(-2.0, -0.5), (3,)), analytic=True)
case("power-const-base[3]", lambda y: np.power(np.array([0.5, 2.0, 3.0]), y), Arg(REAL, (3,)), analytic=True)

# clip: constant bounds, traced bounds, one-sided, the method and keyword spellings
for _shape in ["float", (), (5,), (2, 3)]:
    case(f"clip[{_label(_shape)}]", lambda x: np.clip(x, -0.5, 0.5), Arg(off_bounds(-0.5, 0.5), _shape))
case("clip-traced-bounds[2x4][4][0d]", np.clip, Arg(off_bounds(-0.5, 0.5), (2, 4)),
     Arg(U(-0.54, -0.46), (4,)), Arg(U(0.46, 0.54), ()))
case("clip-lower-only[5]", lambda x: np.clip(x, -0.5, None), Arg(off_bounds(-0.5, 0.5), (5,)))
case("clip-upper-only[5]", lambda x: np.clip(x, None, 0.5), Arg(off_bounds(-0.5, 0.5), (5,)))
case("clip-keywords[5]", lambda x: np.clip(x, a_min=-0.5, a_max=0.5), Arg(off_bounds(-0.5, 0.5), (5,)))
case("clip-array-bounds[2x4]", lambda x: np.clip(x, np.array([-0.5, -0.4, -0.6, -0.5]), 0.5),
     Arg(off_bounds(-0.5, 0.5), (2, 4)))
case("method-clip[2x3]", lambda x: x.clip(-0.5, 0.5), Arg(off_bounds(-0.5, 0.5), (2, 3)))

# where: fixed masks, masks from comparisons, broadcasting branches, scalar branches
MASK = np.array([[True, False, True], [False, False, True]])
case("where-fixed-mask[2x3][2x3]", lambda a, b: np.where(MASK, a, b), Arg(REAL, (2, 3)), Arg(REAL, (2, 3)))
case("where-broadcast[2x1][3]", lambda a, b: np.where(MASK, a, b), Arg(REAL, (2, 1)), Arg(REAL, (3,)))
case("where-scalar-branch[2x3]", lambda a: np.where(MASK, a, 0.0), Arg(REAL, (2, 3)))
case("where-traced-cond[4][4]", lambda a, b: np.where(a > b, a * b, np.sin(b)), Arg(grid_a, (4,)), Arg(grid_b, (4,)))
FMASK = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])  # a float condition: the user's array, never to be written
case("where-float-condition[2x3]", lambda a: np.where(FMASK, a * 2.0, 0.0) + np.where(FMASK, a, 0.0),
     Arg(REAL, (2, 3)), analytic=True)
case("where-0d[float][float]", lambda a, b: np.where(a > 0, a, b), Arg(AWAY0, "float"), Arg(REAL, "float"))

# astype: float casts are differentiable (the cotangent comes back in the input's dtype)
for _shape in ["float", (), (4,), (2, 3)]:
    case(f"astype-float32[{_label(_shape)}]", lambda x: np.sin(x).astype(np.float32) * np.float32(2.0),
         Arg(REAL, _shape), single=True)
case("astype-float64-noop[4]", lambda x: x.astype(np.float64) ** 2, Arg(REAL, (4,)))
case("astype-int-times-x[4]", lambda x: x * x.astype(int), Arg(U(0.1, 2.9), (4,)))


# --------------------------------------------------------------------------- reductions

RED_SHAPES_AXES: list[tuple[Shape, list]] = [
    ("float", [None]),
    ((), [None]),
    ((1,), [None, 0]),
    ((5,), [None, 0, -1]),
    ((2, 3), [None, 0, 1, -1, (0, 1)]),
    ((1, 3), [0, 1]),
    ((2, 3, 2), [None, 1, (0, 2), (-1, 0)]),
]
REDUCTIONS = [
    ("sum", np.sum, REAL, True),
    ("mean", np.mean, REAL, True),
    ("prod", np.prod, S(0.5, 1.5), True),
    ("max", np.max, distinct, False),
    ("min", np.min, distinct, False),
    ("amax", np.amax, distinct, False),
    ("amin", np.amin, distinct, False),
    ("var", np.var, distinct, False),
    ("std", np.std, distinct, False),
]
for _name, _fn, _dom, _analytic in REDUCTIONS:
    for _shape, _axes in RED_SHAPES_AXES:
        for _axis in _axes:
            for _keep in (False, True):
                _kw = {"axis": _axis, "keepdims": _keep}
                case(f"{_name}(axis={_axis}, keepdims={_keep})[{_label(_shape)}]",
                     functools.partial(_fn, **_kw), Arg(_dom, _shape), analytic=_analytic)
case("var-ddof1[2x3]", lambda x: np.var(x, axis=1, ddof=1), Arg(distinct, (2, 3)))
case("std-ddof1[5]", lambda x: np.std(x, ddof=1), Arg(distinct, (5,)))
case("std-keepdims-axis0[3x2]", lambda x: np.std(x, axis=0, keepdims=True), Arg(distinct, (3, 2)))
case("prod-with-zero[4]", np.prod, Arg(lambda rng, s: np.array([0.0, 1.3, -0.7, 2.0]), (4,)))
case("prod-with-zero-axis[2x3]", lambda x: np.prod(x, axis=1),
     Arg(lambda rng, s: np.array([[0.0, 1.3, -0.7], [1.1, 0.9, 2.0]]), (2, 3)))

for _shape, _axis in [((5,), None), ((2, 3), None), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1), ((2, 1, 2), 1), ((2, 2, 2), 2)]:
    case(f"cumsum(axis={_axis})[{_label(_shape)}]", functools.partial(np.cumsum, axis=_axis), Arg(REAL, _shape),
         analytic=True)

# ufunc methods (np.add.reduce, np.maximum.reduce, np.add.accumulate …)
case("add.reduce[2x3]", lambda x: np.add.reduce(x), Arg(REAL, (2, 3)), analytic=True)
case("add.reduce-axis1-keepdims[2x3]", lambda x: np.add.reduce(x, axis=1, keepdims=True), Arg(REAL, (2, 3)),
     analytic=True)
case("multiply.reduce[2x3]", lambda x: np.multiply.reduce(x, axis=1), Arg(S(0.5, 1.5), (2, 3)), analytic=True)
case("maximum.reduce[2x3]", lambda x: np.maximum.reduce(x, axis=0), Arg(distinct, (2, 3)))
case("minimum.reduce[2x3]", lambda x: np.minimum.reduce(x), Arg(distinct, (2, 3)))
case("add.accumulate[2x3]", lambda x: np.add.accumulate(x, axis=1), Arg(REAL, (2, 3)), analytic=True)
# both operands traced Python floats: the tape's scalar path meets a zero partial (was a TypeError)
case("copysign-times-x[float][float]", lambda x, y: np.copysign(x, y) * x, Arg(AWAY0, "float"), Arg(AWAY0, "float"))
case("nextafter-times-y[float][float]", lambda x, y: np.nextafter(x, y) * y, Arg(AWAY0, "float"), Arg(AWAY0, "float"))
# reduce of ufuncs without a reduction of their own: a left fold, one node per entry
case("hypot.reduce[2x3]", lambda x: np.hypot.reduce(x, axis=1), Arg(AWAY0, (2, 3)))
case("hypot.reduce-all-keepdims[2x3]", lambda x: np.hypot.reduce(x, axis=(0, 1), keepdims=True), Arg(AWAY0, (2, 3)))
case("hypot.reduce-one-entry[1x3]", lambda x: np.hypot.reduce(x), Arg(AWAY0, (1, 3)))
case("subtract.reduce[3x2]", lambda x: np.subtract.reduce(x), Arg(REAL, (3, 2)), analytic=True)
case("divide.reduce-initial[3]", lambda x: np.divide.reduce(x, initial=2.0), Arg(AWAY0, (3,)), analytic=True)
case("logaddexp2.reduce[2x3]", lambda x: np.logaddexp2.reduce(x, axis=-1), Arg(REAL, (2, 3)))
# power/arctan2.reduce: NumPy's f(x[0], x[-1]) along a contiguous line, the left fold along other axes
case("power.reduce[4]", lambda x: np.power.reduce(x), Arg(POS, (4,)))
case("power.reduce-axis0[3x2]", lambda x: np.power.reduce(x, axis=0), Arg(POS, (3, 2)))
case("power.reduce-axis1-keepdims[2x3]", lambda x: np.power.reduce(x, axis=1, keepdims=True), Arg(POS, (2, 3)))
case("arctan2.reduce[3]", lambda x: np.arctan2.reduce(x), Arg(AWAY0, (3,)))
case("arctan2.reduce-axis0[3x2]", lambda x: np.arctan2.reduce(x), Arg(AWAY0, (3, 2)))
# fmax/fmin.reduce: np.nanmax/np.nanmin (NaN entries get 0)
case("fmax.reduce[2x3]", lambda x: np.fmax.reduce(x, axis=1), Arg(distinct, (2, 3)))
case("fmin.reduce-axis-none[2x3]", lambda x: np.fmin.reduce(x, axis=None), Arg(distinct, (2, 3)))
case("fmax.reduce-nan-entry[2x3]", lambda x: np.fmax.reduce(x + np.array([[np.nan, 0.0, 0.0], [0.0] * 3])),
     Arg(distinct, (2, 3)))
# reduceat: the reduce of each slice, a single entry as it is
case("add.reduceat[2x5]", lambda x: np.add.reduceat(x, [0, 3, 1, 4], axis=1), Arg(REAL, (2, 5)), analytic=True)
case("multiply.reduceat[4]", lambda x: np.multiply.reduceat(x, [0, 2]), Arg(S(0.5, 1.5), (4,)), analytic=True)
case("maximum.reduceat[4x2]", lambda x: np.maximum.reduceat(x, [0, 1, 3]), Arg(distinct, (4, 2)))
case("hypot.reduceat[5]", lambda x: np.hypot.reduceat(x, [0, 1, 3]), Arg(AWAY0, (5,)))
case("matmul-axes[2x3][4x3]", lambda a, b: np.matmul(a, b, axes=[(0, 1), (1, 0), (1, 0)]), Arg(REAL, (2, 3)),
     Arg(REAL, (4, 3)), analytic=True)
case("matmul-axes-batched[2x3x2][3x2]", lambda a, b: np.matmul(a, b, axes=[(1, 2), (1, 0), (0, 2)]),
     Arg(REAL, (2, 3, 2)), Arg(REAL, (3, 2)), analytic=True)
case("matmul-axes-vector[3x2][3]", lambda a, b: np.matmul(a, b, axes=[(1, 0), (0,), (0,)]), Arg(REAL, (3, 2)),
     Arg(REAL, (3,)), analytic=True)


# --------------------------------------------------------------------------- shapes and indexing

SHAPE_CASES = [
    ("reshape", lambda x: np.reshape(x, (3, 2)), (2, 3)),
    ("reshape-minus1", lambda x: np.reshape(x, (-1,)), (2, 3)),
    ("reshape-0d", lambda x: np.reshape(x, (1, 1)), ()),
    ("ravel", np.ravel, (2, 3)),
    ("squeeze", np.squeeze, (1, 3, 1)),
    ("squeeze-axis", lambda x: np.squeeze(x, axis=2), (1, 3, 1)),
    ("expand_dims", lambda x: np.expand_dims(x, 1), (2, 3)),
    ("expand_dims-neg", lambda x: np.expand_dims(x, -1), (3,)),
    ("atleast_1d-0d", np.atleast_1d, ()),
    ("atleast_1d", np.atleast_1d, (3,)),
    ("atleast_2d-1d", np.atleast_2d, (3,)),
    ("atleast_2d-0d", np.atleast_2d, ()),
    ("transpose", np.transpose, (2, 3)),
    ("transpose-axes", lambda x: np.transpose(x, (1, 2, 0)), (2, 3, 2)),
    ("transpose-neg-axes", lambda x: np.transpose(x, (-1, 0, 1)), (2, 3, 2)),
    ("swapaxes", lambda x: np.swapaxes(x, 0, 2), (2, 3, 2)),
    ("moveaxis", lambda x: np.moveaxis(x, 0, -1), (2, 3, 2)),
    ("moveaxis-multi", lambda x: np.moveaxis(x, (0, 1), (2, 0)), (2, 3, 2)),
    ("broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 2)), (3, 1)),
    ("broadcast_to-0d", lambda x: np.broadcast_to(x, (2, 3)), ()),
    ("flip", np.flip, (2, 3)),
    ("flip-axis", lambda x: np.flip(x, axis=1), (2, 3)),
    ("take", lambda x: np.take(x, [2, 0, 2]), (2, 3)),
    ("take-axis", lambda x: np.take(x, np.array([1, 1, 0]), axis=1), (2, 3)),
    ("copy", lambda x: np.copy(x) * 2.0, (2, 3)),
]
for _name, _fn, _shape in SHAPE_CASES:
    case(f"{_name}[{_label(_shape)}]", _fn, Arg(REAL, _shape), analytic=True)
# identities on real numbers, but not complex-analytic: no complex step
case("real[2x3]", lambda x: np.real(x) * 2.0, Arg(REAL, (2, 3)))
case("conj[2x3]", lambda x: np.conj(x) * 2.0, Arg(REAL, (2, 3)))

JOIN_CASES = [
    ("concatenate", lambda a, b: np.concatenate([a, b]), (2, 3), (1, 3)),
    ("concatenate-axis1", lambda a, b: np.concatenate((a, b), axis=1), (2, 3), (2, 1)),
    ("concatenate-axis-none", lambda a, b: np.concatenate((a, b), axis=None), (2, 2), (3,)),
    ("concatenate-with-const", lambda a, b: np.concatenate([a, np.ones(2), b, a]), (3,), (1,)),
    ("stack", lambda a, b: np.stack([a, b]), (2, 3), (2, 3)),
    ("stack-axis-last", lambda a, b: np.stack([a, b, a], axis=-1), (2, 3), (2, 3)),
    ("hstack", lambda a, b: np.hstack([a, b]), (3,), (2,)),
    ("hstack-2d", lambda a, b: np.hstack([a, b]), (2, 1), (2, 3)),
    ("vstack", lambda a, b: np.vstack([a, b]), (3,), (2, 3)),
]
for _name, _fn, _sa, _sb in JOIN_CASES:
    case(f"{_name}[{_label(_sa)}][{_label(_sb)}]", _fn, Arg(REAL, _sa), Arg(REAL, _sb), analytic=True)

GETITEMS = [
    ("int", lambda x: x[1], (3, 2)),
    ("negative-int", lambda x: x[-1], (4,)),
    ("slice", lambda x: x[1:3], (4,)),
    ("step-slice", lambda x: x[::2], (5,)),
    ("reverse-slice", lambda x: x[::-1], (4,)),
    ("column", lambda x: x[:, 1], (2, 3)),
    ("2d-slices", lambda x: x[1:, ::-2], (3, 3)),
    ("ellipsis", lambda x: x[..., 0], (2, 2, 2)),
    ("newaxis", lambda x: x[None, :], (3,)),
    ("newaxis-middle", lambda x: x[:, None, 1:], (2, 3)),
    ("int-array", lambda x: x[np.array([2, 0, 1])], (4,)),
    ("int-array-repeated", lambda x: x[np.array([0, 2, 2, 2])], (3,)),
    ("int-list-repeated", lambda x: x[[1, 1, 0]], (2, 3)),
    ("int-array-pairs", lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 2])], (2, 3)),
    ("int-array-2d-index", lambda x: x[np.array([[0, 1], [1, 1]])], (3,)),
    ("mixed-int-slice-list", lambda x: x[1, 1:, [0, 1]], (2, 3, 2)),
    ("bool-mask", lambda x: x[np.array([True, False, True, True])], (4,)),
    ("bool-mask-2d", lambda x: x[MASK], (2, 3)),
    ("mask-from-comparison", lambda x: x[x > 0], (2, 3)),
    ("scalar-element", lambda x: x[1, 2], (2, 3)),
    ("0d-ellipsis", lambda x: x[...], ()),
    ("0d-newaxis", lambda x: x[None], ()),
    ("fanout-slices", lambda x: x[::-1, 1:3] + x[::-1, 0:2], (2, 3)),
]
for _name, _fn, _shape in GETITEMS:
    case(f"getitem-{_name}[{_label(_shape)}]", _fn, Arg(AWAY0 if "comparison" in _name else REAL, _shape),
         analytic="comparison" not in _name)
case("getitem-then-nonlinear[3]", lambda x: np.sin(x[np.array([0, 0, 1])]) * x[0], Arg(REAL, (3,)), analytic=True)
case("builtin-iter-sum[3]", lambda x: sum(x), Arg(REAL, (3,)), analytic=True)
case("builtin-sum-list[2x2][2x2]", lambda a, b: sum([a, b]), Arg(REAL, (2, 2)), Arg(REAL, (2, 2)), analytic=True)
case("len-in-code[3x2]", lambda x: x * len(x), Arg(REAL, (3, 2)), analytic=True)
case("forwarded-methods[2x3]", lambda x: x[x.nonzero()] * np.ravel(x.round(1)), Arg(AWAY0, (2, 3)))
case("builtin-round[float]", lambda x: x * round(x, 1), Arg(lattice(0.1, 0.02, 0.04), "float"))
case("builtin-divmod[3]", lambda x: divmod(x, 0.75)[1] * (1.0 + divmod(x, 0.75)[0]), Arg(lattice(0.75, 0.1, 0.6), (3,)))
case("builtin-rdivmod[3]", lambda x: divmod(2.0, x)[1] + x * divmod(2.0, x)[0], Arg(U(1.1, 1.9), (3,)))


# --------------------------------------------------------------------------- linear algebra

LINALG_CASES = [
    ("dot-vv", np.dot, [(4,), (4,)]),
    ("dot-mv", np.dot, [(2, 3), (3,)]),
    ("dot-vm", np.dot, [(2,), (2, 3)]),
    ("dot-mm", np.dot, [(2, 3), (3, 2)]),
    ("dot-scalar-left", np.dot, ["float", (2, 3)]),
    ("dot-scalar-right", np.dot, [(3,), "float"]),
    ("inner-vv", np.inner, [(3,), (3,)]),
    ("inner-mv", np.inner, [(2, 3), (3,)]),
    ("inner-mm", np.inner, [(2, 3), (2, 3)]),
    ("vdot", np.vdot, [(2, 3), (2, 3)]),
    ("outer", np.outer, [(3,), (2,)]),
    ("outer-2d", np.outer, [(2, 2), (3,)]),
    ("matmul-vv", np.matmul, [(3,), (3,)]),
    ("matmul-mv", np.matmul, [(2, 3), (3,)]),
    ("matmul-vm", np.matmul, [(2,), (2, 3)]),
    ("matmul-mm", np.matmul, [(2, 3), (3, 2)]),
    ("matmul-batched", np.matmul, [(2, 2, 3), (3, 2)]),
    ("matmul-batched-broadcast", np.matmul, [(1, 2, 3), (2, 3, 2)]),
    ("matmul-v-batched", np.matmul, [(3,), (2, 3, 2)]),
    ("op-matmul", operator.matmul, [(2, 3), (3,)]),
    ("method-dot", lambda a, b: a.dot(b), [(2, 3), (3,)]),
]
for _name, _fn, _shapes in LINALG_CASES:  # vdot conjugates its first argument: not analytic
    case(f"{_name}" + "".join(f"[{_label(s)}]" for s in _shapes), _fn, *[Arg(REAL, s) for s in _shapes],
         analytic=_name != "vdot")
case("op-rmatmul-const[3]", lambda x: np.arange(6.0).reshape(2, 3) @ x, Arg(REAL, (3,)), analytic=True)
case("op-rmatmul-list[2]", lambda x: [[1.0, 2.0], [0.5, -1.0]] @ x, Arg(REAL, (2,)), analytic=True)
case("trace[3x3]", np.trace, Arg(REAL, (3, 3)), analytic=True)
case("trace[2x3]", np.trace, Arg(REAL, (2, 3)), analytic=True)
case("diag-of-vector[3]", np.diag, Arg(REAL, (3,)), analytic=True)
case("diag-of-matrix[3x3]", np.diag, Arg(REAL, (3, 3)), analytic=True)
case("diagonal[3x3]", np.diagonal, Arg(REAL, (3, 3)), analytic=True)
case("diagonal-offset1[3x3]", lambda x: np.diagonal(x, offset=1), Arg(REAL, (3, 3)), analytic=True)
case("linalg.solve-vector[3x3][3]", np.linalg.solve, Arg(well_conditioned, (3, 3)), Arg(REAL, (3,)), analytic=True)
case("linalg.solve-matrix[3x3][3x2]", np.linalg.solve, Arg(well_conditioned, (3, 3)), Arg(REAL, (3, 2)),
     analytic=True)
case("linalg.inv[3x3]", np.linalg.inv, Arg(well_conditioned, (3, 3)), analytic=True)
case("linalg.qr-complete-Q[4x2]", lambda a: np.linalg.qr(a, mode="complete")[0], Arg(REAL, (4, 2)))
case("linalg.qr-complete-R[2x3x2]", lambda a: np.linalg.qr(a, mode="complete")[1], Arg(REAL, (2, 3, 2)))
case("linalg.tensorinv[4x2x2]", lambda a: np.linalg.tensorinv(a, ind=1), Arg(well_conditioned_tensor, (4, 2, 2)),
     analytic=True)
case("linalg.tensorinv[2x2x2x2]", lambda a: np.linalg.tensorinv(a), Arg(well_conditioned_tensor, (2, 2, 2, 2)),
     analytic=True)
case("linalg.tensorsolve[2x2x4][2x2]", np.linalg.tensorsolve, Arg(well_conditioned_tensor, (2, 2, 4)),
     Arg(REAL, (2, 2)),
     analytic=True)
case("linalg.tensorsolve-axes[4x2x2][2x2]", lambda a, b: np.linalg.tensorsolve(a, b, axes=(0,)),
     Arg(well_conditioned_tensor, (4, 2, 2)), Arg(REAL, (2, 2)), analytic=True)
case("linalg.inv-batched[2x2x2]", np.linalg.inv, Arg(well_conditioned, (2, 2, 2)), analytic=True)
case("linalg.det[3x3]", np.linalg.det, Arg(well_conditioned, (3, 3)), analytic=True)
case("linalg.det[1x1]", np.linalg.det, Arg(well_conditioned, (1, 1)), analytic=True)
case("linalg.det-batched[2x2x2]", np.linalg.det, Arg(well_conditioned, (2, 2, 2)), analytic=True)
case("linalg.norm-vector[4]", np.linalg.norm, Arg(AWAY0, (4,)))
case("linalg.norm-fro[2x3]", np.linalg.norm, Arg(AWAY0, (2, 3)))
case("linalg.norm-axis1[2x3]", lambda x: np.linalg.norm(x, axis=1), Arg(AWAY0, (2, 3)))
case("linalg.norm-ord2-vector[3]", lambda x: np.linalg.norm(x, ord=2), Arg(AWAY0, (3,)))


# ---- linear algebra beyond matrices and decompositions (engine/numpy_linalg.py, primitives/decompositions.py)


def spd(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Symmetric positive definite (Cholesky, slogdet): B Bᵀ + n I."""
    B = rng.uniform(-1, 1, shape)
    return B @ np.swapaxes(B, -1, -2) + shape[-1] * np.eye(shape[-1])


def spread_eigenvalues(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Symmetric, eigenvalues at least 1 apart (eigenvectors are smooth only for distinct eigenvalues)."""
    *stack, n, _ = shape
    Q = np.linalg.qr(rng.uniform(-1, 1, shape))[0]
    w = np.arange(n) - n / 3 + rng.uniform(0, 0.1, (*stack, n))
    return Q @ (w[..., :, None] * np.swapaxes(Q, -1, -2))


def spread_singular_values(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Singular values at least 1 apart and from 0 (singular vectors smooth; QR of full rank)."""
    *stack, m, n = shape
    k = min(m, n)
    U = np.linalg.qr(rng.uniform(-1, 1, (*stack, m, k)))[0]
    V = np.linalg.qr(rng.uniform(-1, 1, (*stack, n, k)))[0]
    s = np.arange(k, 0, -1) + rng.uniform(0, 0.1, (*stack, k))
    return (U * s[..., None, :]) @ np.swapaxes(V, -1, -2)


def _sign_free(V):
    """Eigen/singular vectors are defined up to sign: each column times its own first entry is not."""
    return V * V[..., :1, :]


for _sub, _shapes in [("ij,jk->ik", [(2, 3), (3, 2)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
                      ("ij->i", [(2, 3)]), ("...ij,...jk", [(1, 2, 3), (2, 3, 2)]), ("i,i", [(3,), (3,)]),
                      ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)])]:
    case(f"einsum-{_sub}" + "".join(f"[{_label(s)}]" for s in _shapes),
         functools.partial(np.einsum, _sub), *[Arg(REAL, s) for s in _shapes], analytic=True)
case("einsum-optimize-path[2x3][3x2][2x2]",
     lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c, optimize=np.einsum_path("ij,jk,kl->il", a, b, c)[0]),
     Arg(REAL, (2, 3)), Arg(REAL, (3, 2)), Arg(REAL, (2, 2)), analytic=True)
for _name, _fn, _shapes in [
    ("dot-3d", np.dot, [(2, 2, 3), (2, 3, 2)]),
    ("inner-3d", np.inner, [(2, 2, 3), (2, 3)]),
    ("tensordot", np.tensordot, [(2, 2, 3), (2, 3, 2)]),
    ("tensordot-pairs", lambda a, b: np.tensordot(a, b, axes=([0], [1])), [(2, 3), (3, 2)]),
    ("linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), [(2, 3), (3, 2)]),
    ("kron", np.kron, [(2, 2), (2, 3)]),
    ("cross", np.cross, [(2, 3), (3,)]),
    ("cross-axis0", lambda a, b: np.cross(a, b, axis=0), [(3, 2), (3, 2)]),
    ("linalg.cross", np.linalg.cross, [(3,), (3,)]),
    ("linalg.matmul", np.linalg.matmul, [(2, 3), (3,)]),
    ("linalg.outer", np.linalg.outer, [(2,), (3,)]),
    ("matvec", np.matvec, [(2, 2, 3), (3,)]),
    ("linalg.multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]), [(3,), (3, 2), (2, 2)]),
    ("linalg.matrix_power-3", lambda a: np.linalg.matrix_power(a, 3), [(2, 2)]),
    ("linalg.matrix_transpose", np.linalg.matrix_transpose, [(2, 2, 3)]),
]:
    case(f"{_name}" + "".join(f"[{_label(s)}]" for s in _shapes), _fn, *[Arg(REAL, s) for s in _shapes],
         analytic=True)
for _name, _fn, _shapes in [  # these conjugate an argument: not analytic
    ("linalg.vecdot", np.linalg.vecdot, [(2, 3), (3,)]),
    ("vecdot", np.vecdot, [(2, 3), (2, 3)]),
    ("vecmat", np.vecmat, [(3,), (2, 3, 2)]),
]:
    case(f"{_name}" + "".join(f"[{_label(s)}]" for s in _shapes), _fn, *[Arg(REAL, s) for s in _shapes])
case("linalg.matrix_power--2[3x3]", lambda a: np.linalg.matrix_power(a, -2), Arg(well_conditioned, (3, 3)),
     analytic=True)
case("linalg.matrix_rank-as-constant[3x3]", lambda a: a * np.linalg.matrix_rank(a), Arg(well_conditioned, (3, 3)))
case("linalg.slogdet[3x3]", lambda a: np.linalg.slogdet(a).logabsdet, Arg(well_conditioned, (3, 3)))
case("linalg.slogdet-batched[2x3x3]", lambda a: np.linalg.slogdet(a)[1], Arg(spd, (2, 3, 3)))
case("linalg.pinv[3x2]", np.linalg.pinv, Arg(spread_singular_values, (3, 2)))
case("linalg.pinv-batched[2x2x3]", np.linalg.pinv, Arg(spread_singular_values, (2, 2, 3)))
case("linalg.cond[3x3]", np.linalg.cond, Arg(spread_singular_values, (3, 3)))
for _ord in [None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]:
    case(f"linalg.norm-matrix-ord={_ord}[3x4]", functools.partial(np.linalg.norm, ord=_ord), Arg(distinct, (3, 4)))
case("linalg.norm-matrix-2-axes[2x3x4]", lambda x: np.linalg.norm(x, 2, axis=(2, 0), keepdims=True),
     Arg(distinct, (2, 3, 4)))
for _ord in [1, np.inf, -np.inf, 3, 0.5, -1.5]:
    case(f"linalg.norm-vector-ord={_ord}[4]", functools.partial(np.linalg.norm, ord=_ord), Arg(distinct, (4,)))
case("linalg.vector_norm[2x3x2]", lambda x: np.linalg.vector_norm(x, axis=(0, 2), ord=3), Arg(distinct, (2, 3, 2)))
case("linalg.matrix_norm[2x2x3]", lambda x: np.linalg.matrix_norm(x, ord="nuc"), Arg(spread_singular_values, (2, 2, 3)))
case("linalg.eigvalsh[3x3]", np.linalg.eigvalsh, Arg(spread_eigenvalues, (3, 3)))
case("linalg.eigvalsh-U-batched[2x3x3]", lambda a: np.linalg.eigvalsh(a, UPLO="U"), Arg(spread_eigenvalues, (2, 3, 3)))
case("linalg.eigh-values[3x3]", lambda a: np.linalg.eigh(a).eigenvalues, Arg(spread_eigenvalues, (3, 3)))
case("linalg.eigh-vectors[3x3]", lambda a: _sign_free(np.linalg.eigh(a).eigenvectors), Arg(spread_eigenvalues, (3, 3)))
case("linalg.eigh-vectors-batched[2x2x2]", lambda a: _sign_free(np.linalg.eigh(a)[1]),
     Arg(spread_eigenvalues, (2, 2, 2)))
for _shape in [(3, 2), (2, 3), (2, 2), (2, 3, 2)]:
    _l = "x".join(map(str, _shape))
    case(f"linalg.svd-S[{_l}]", lambda a: np.linalg.svd(a)[1], Arg(spread_singular_values, _shape))
    case(f"linalg.svd-U[{_l}]", lambda a: _sign_free(np.linalg.svd(a, full_matrices=False).U),
         Arg(spread_singular_values, _shape))
    case(f"linalg.svd-Vh[{_l}]", lambda a: _sign_free(np.swapaxes(np.linalg.svd(a, full_matrices=False).Vh, -1, -2)),
         Arg(spread_singular_values, _shape))
    case(f"linalg.qr-Q[{_l}]", lambda a: np.linalg.qr(a).Q, Arg(spread_singular_values, _shape))
    case(f"linalg.qr-R[{_l}]", lambda a: np.linalg.qr(a)[1], Arg(spread_singular_values, _shape))
case("linalg.svdvals[3x2]", np.linalg.svdvals, Arg(spread_singular_values, (3, 2)))
case("linalg.svd-compute_uv=False[2x3]", lambda a: np.linalg.svd(a, compute_uv=False), Arg(spread_singular_values, (2, 3)))
case("linalg.cholesky[3x3]", np.linalg.cholesky, Arg(spd, (3, 3)))
case("linalg.cholesky-upper-batched[2x2x2]", lambda a: np.linalg.cholesky(a, upper=True), Arg(spd, (2, 2, 2)))
for _name, _fn in [("linalg.eig", lambda a: np.linalg.eig(a)[0]), ("linalg.eigvals", np.linalg.eigvals)]:
    case(f"{_name}[3x3]", _fn, Arg(spread_eigenvalues, (3, 3)), expect="refuse")
case("linalg.lstsq-solution[4x2][4]", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
     Arg(spread_singular_values, (4, 2)), Arg(REAL, (4,)))
case("linalg.lstsq-residuals[4x2][4x2]", lambda a, b: np.linalg.lstsq(a, b)[1],
     Arg(spread_singular_values, (4, 2)), Arg(REAL, (4, 2)))
case("polyfit-data-and-weights[5][5]", lambda y, w: np.polyfit(np.array([0.0, 0.4, 1.1, 1.5, 2.2]), y, 2, w=w),
     Arg(REAL, (5,)), Arg(POS, (5,)))
case("polyfit-abscissae[5]", lambda x: np.polyfit(x, np.array([1.0, 2.0, 0.0, 3.0, 1.0]), 1),
     Arg(lambda rng, shape: np.arange(5.0) + rng.uniform(-0.2, 0.2, shape), (5,)))


# --------------------------------------------------------------------------- array methods and attributes

METHOD_CASES = [
    ("sum", lambda x: x.sum(), REAL),
    ("sum-axis0", lambda x: x.sum(axis=0), REAL),
    ("sum-keepdims", lambda x: x.sum(axis=1, keepdims=True), REAL),
    ("mean", lambda x: x.mean(axis=1), REAL),
    ("prod", lambda x: x.prod(axis=0), S(0.5, 1.5)),
    ("max", lambda x: x.max(), distinct),
    ("min", lambda x: x.min(axis=1), distinct),
    ("var", lambda x: x.var(), distinct),
    ("std", lambda x: x.std(axis=0), distinct),
    ("cumsum", lambda x: x.cumsum(axis=1), REAL),
    ("reshape-args", lambda x: x.reshape(3, 2), REAL),
    ("reshape-tuple", lambda x: x.reshape((6,)), REAL),
    ("reshape-minus1", lambda x: x.reshape(-1, 2), REAL),
    ("ravel", lambda x: x.ravel(), REAL),
    ("flatten", lambda x: x.flatten(), REAL),
    ("squeeze", lambda x: x[None].squeeze(), REAL),
    ("T", lambda x: x.T, REAL),
    ("mT", lambda x: x.mT, REAL),
    ("transpose", lambda x: x.transpose(), REAL),
    ("transpose-args", lambda x: x.transpose(1, 0), REAL),
    ("swapaxes", lambda x: x.swapaxes(0, 1), REAL),
    ("astype", lambda x: x.astype(np.float32), REAL),
    ("copy", lambda x: x.copy() * x, REAL),
    ("conj", lambda x: x.conj() * x, AWAY0),
    ("conjugate", lambda x: x.conjugate() * x, AWAY0),
    ("real", lambda x: x.real * x, AWAY0),
    ("argmax", lambda x: x * x.argmax(), distinct),
    ("argmin", lambda x: x * x.argmin(), distinct),
    ("all", lambda x: x * x.all(), AWAY0),
    ("any", lambda x: x * x.any(), AWAY0),
]
for _name, _fn, _dom in METHOD_CASES:  # analytic: only where a complex input means the same function
    case(f"method-{_name}[2x3]", _fn, Arg(_dom, (2, 3)), analytic=_dom is REAL and _name != "astype",
         single=_name == "astype")


# --------------------------------------------------------------------------- functions of values that are not differentiated

PLAIN_CASES = [
    ("shape", lambda x: x * np.shape(x)[0]),
    ("ndim", lambda x: x * np.ndim(x)),
    ("size", lambda x: x * np.size(x)),
    ("result_type", lambda x: x.astype(np.result_type(x, np.float32))),
    ("zeros_like", lambda x: x + np.zeros_like(x)),
    ("ones_like", lambda x: x * np.ones_like(x)),
    ("full_like", lambda x: x * np.full_like(x, 2.0)),
    ("empty_like", lambda x: x * np.empty_like(x).shape[0]),
    ("isclose", lambda x: x * np.isclose(x, 0.5)),
    ("allclose", lambda x: x * np.allclose(x, 0.5)),
    ("array_equal", lambda x: x * np.array_equal(x, x)),
    ("argmax", lambda x: x * np.argmax(x)),
    ("argmin", lambda x: x * np.argmin(x)),
    ("argsort", lambda x: x[np.argsort(x)]),
    ("round", lambda x: x * np.round(x)),
    ("around", lambda x: x * np.around(x, 1)),
    ("iscomplexobj", lambda x: x * (1 + np.iscomplexobj(x))),
    ("isrealobj", lambda x: x * np.isrealobj(x)),
    ("any", lambda x: x * np.any(x)),
    ("all", lambda x: x * np.all(x)),
    ("count_nonzero", lambda x: x * np.count_nonzero(x)),
    ("nonzero", lambda x: x[np.nonzero(x)]),
]
for _name, _fn in PLAIN_CASES:
    case(f"plain-{_name}[5]", _fn, Arg(distinct, (5,)))


# --------------------------------------------------------------------------- derivatives of derivatives
# The function under test is itself a derivative computed by adviz (autograd's scalar-op tests do
# this): check_grads then reaches third order, and nested transforms meet every rule again.
def _nested(transform: Callable, g: Callable) -> Callable:
    return transform(lambda x: np.sum(g(x)))


NESTED = [
    ("sin", np.sin, REAL), ("exp", np.exp, REAL), ("tanh", np.tanh, REAL), ("log", np.log, POS),
    ("cube", lambda x: x**3, REAL), ("abs", lambda x: 3.0 * np.abs(x), AWAY0), ("sign", lambda x: 3.0 * np.sign(x), AWAY0),
    ("sqrt", np.sqrt, POS), ("arctan", np.arctan, REAL), ("logaddexp", lambda x: np.logaddexp(x, 0.5 * x), REAL),
    ("max", lambda x: np.max(x) * x, distinct), ("prod", np.prod, S(0.5, 1.5)), ("softplus-of-dot",
     lambda x: np.log1p(np.exp(x @ np.array([0.5, -1.0, 2.0]))), REAL),
]
for _name, _g, _dom in NESTED:
    case(f"grad-of-{_name}[3]", _nested(_ad.grad, _g), Arg(_dom, (3,)))
    case(f"hessian-of-{_name}[3]", _nested(_ad.hessian, _g), Arg(_dom, (3,)), order=1)
case("grad-of-grad-scalar[float]", _ad.grad(_ad.grad(lambda x: x**3 * np.sin(x))), Arg(REAL, "float"))
case("jacfwd-of-jacrev[2]", _ad.jacfwd(_ad.jacrev(lambda x: np.tanh(x) * x[::-1])), Arg(REAL, (2,)), order=1)


# --------------------------------------------------------------------------- custom rules and checkpoints
# The user's own rules (JAX's API): the rule itself is checked against the function it claims
# to differentiate, in every mode it supports, to second order (which differentiates the rule).
@_ad.custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1.0 + np.exp(-x))


@_ad.custom_jvp
def scaled_product(x, y):
    return 2.0 * x * y


@scaled_product.defjvp
def _scaled_product_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return scaled_product(x, y), 2.0 * (tx * y + x * ty)


@_ad.custom_vjp
def cube(x):
    return x**3


cube.defvjp(lambda x: (x**3, x), lambda x, g: (3.0 * x * x * g,))


@_ad.custom_vjp
def product(x, y):
    return x * y


product.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * res[1], g * res[0]))

for _shape in ["float", (3,), (2, 3)]:
    case(f"custom_jvp-softplus[{_label(_shape)}]", softplus, Arg(REAL, _shape))
    case(f"custom_vjp-cube[{_label(_shape)}]", cube, Arg(REAL, _shape), modes=("rev",))
    case(f"checkpoint[{_label(_shape)}]", _ad.checkpoint(lambda x: np.sin(np.cos(x) * x)), Arg(REAL, _shape))
case("custom_jvp-in-chain[3]", lambda x: np.sin(softplus(x * x)) * x, Arg(REAL, (3,)))
case("custom_jvp-two-args-broadcast[2x3][3]", scaled_product, Arg(REAL, (2, 3)), Arg(REAL, (3,)))
case("custom_vjp-in-chain[3]", lambda x: np.tanh(cube(np.sin(x))), Arg(REAL, (3,)), modes=("rev",))
case("custom_vjp-two-args[3][3]", product, Arg(REAL, (3,)), Arg(REAL, (3,)), modes=("rev",))
case("checkpoint-nested[3]", _ad.checkpoint(lambda x: np.exp(_ad.checkpoint(lambda z: np.tanh(z @ np.ones((3, 2))))(x * x))),
     Arg(REAL, (3,)))
case("checkpoint-two-args[3][3]", _ad.checkpoint(lambda a, b: np.sum(a * np.sin(b))), Arg(REAL, (3,)), Arg(REAL, (3,)))
# a stopped path that carries no slope anyway (x·0), so the function's derivative is still cos(x)
case("stop_gradient-on-a-flat-path[3]", lambda x: np.sin(x) + _ad.stop_gradient(x * 0.0), Arg(REAL, (3,)))


# --------------------------------------------------------------------------- what course code looks like

case("softmax[2x4]", lambda x: np.exp(x - x.max(axis=-1, keepdims=True))
     / np.sum(np.exp(x - x.max(axis=-1, keepdims=True)), axis=-1, keepdims=True), Arg(distinct, (2, 4)))
case("logsumexp[5]", lambda x: np.log(np.sum(np.exp(x))), Arg(REAL, (5,)), analytic=True)
case("mlp-layer[3x2][2][3]", lambda W, x, b: np.tanh(W @ x + b), Arg(REAL, (3, 2)), Arg(REAL, (2,)),
     Arg(REAL, (3,)), analytic=True)
case("mse-loss[2x3][3]", lambda W, x: np.mean((W @ x - np.array([1.0, -1.0])) ** 2), Arg(REAL, (2, 3)),
     Arg(REAL, (3,)), analytic=True)
case("logistic-loss[3][4x3]", lambda w, X: np.mean(np.log1p(np.exp(-(X @ w) * np.array([1, -1, 1, -1])))),
     Arg(REAL, (3,)), Arg(REAL, (4, 3)), analytic=True)
case("normalize[5]", lambda x: (x - x.mean()) / x.std(), Arg(distinct, (5,)))
case("rosenbrock[4]", lambda x: np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2), Arg(REAL, (4,)),
     analytic=True)
case("gaussian-kernel[3][3]", lambda a, b: np.exp(-np.sum((a[:, None] - b[None, :]) ** 2, axis=-1)),
     Arg(REAL, (3,)), Arg(REAL, (3,)), analytic=True)
case("python-loop[3]", lambda x: functools.reduce(lambda acc, i: acc * np.sin(x[i]) + x[i], range(3), 1.0),
     Arg(REAL, (3,)), analytic=True)
case("closure-over-array[3]", lambda x: np.sum(np.array([1.0, 2.0, 3.0]) * np.sin(x)), Arg(REAL, (3,)),
     analytic=True)
case("reused-input[3]", lambda x: x * x + np.sin(x) * x / (1.0 + x * x), Arg(REAL, (3,)), analytic=True)


# --------------------------------------------------------------------------- array functions, np.array([...])
# Their tables live in array_cases.py, shared with test_numpy_api_*.py (fixed inputs on smooth pieces).
from array_cases import ARRAY_CASES, BUILDING_CASES, PLAIN_ARRAY_CASES, REFUSED_ARRAY_CASES  # noqa: E402

for _name, _fn, _inputs in ARRAY_CASES + BUILDING_CASES:
    case(f"arrays-{_name}", _fn, *[Arg(REAL, np.shape(v)) for v in _inputs],
         draw=lambda rng, _v=tuple(_inputs): tuple(np.array(v, dtype=np.float64) for v in _v))
for _name, _fn in PLAIN_ARRAY_CASES:
    case(f"plain-{_name}[5]", _fn, Arg(distinct, (5,)))
for _name, _fn in REFUSED_ARRAY_CASES:
    case(f"refused-{_name}[3]", _fn, Arg(REAL, (3,)), expect="refuse")


IDS = [c.id for c in CASES]
assert len(IDS) == len(set(IDS)), [i for i in IDS if IDS.count(i) > 1]
