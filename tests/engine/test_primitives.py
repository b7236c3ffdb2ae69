"""Every primitive of the engine, checked against independent references.

One table row per (NumPy function or operator, input shapes). Each row holds
a plain NumPy function ``fn`` (the *same* callable is traced by the engine and
evaluated by the reference on float64 or complex arrays), a generator of
inputs that keeps them inside the function's smooth domain with a margin, and
the reference method: "cs" (complex step, analytic functions) or "fd"
(8th-order central differences, everything else).

For every row we check, against the reference:
  * forward mode: ``ad.jvp`` value and tangent;
  * reverse mode: ``ad.vjp`` cotangents equal ``w^T J`` built from the
    reference Jacobian, and the dot-product identity <J v, w> = <v, J^T w>;
  * ``ad.grad`` of the scalarized ``np.sum(fn(*x) * w)``;
and second order (forward-over-reverse and reverse-over-reverse Hessian-vector
products, mixed partials, grad of grad at scalars), and float32 in -> float32
out wherever NumPy itself keeps float32.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import adviz as ad

try:  # works whether or not tests/ is a package
    from .reference import (
        assert_close,
        central_difference_jvp,
        dot_product_check,
        reference_grad,
        reference_hvp,
        reference_jvp,
        reference_vjp,
    )
except ImportError:  # pragma: no cover - depends on pytest's import mode
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from reference import (  # type: ignore[no-redef]
        assert_close,
        central_difference_jvp,
        dot_product_check,
        reference_grad,
        reference_hvp,
        reference_jvp,
        reference_vjp,
    )

Gen = Callable[[np.random.Generator, tuple], np.ndarray]


# --------------------------------------------------------------------------- input generators


def uniform(lo: float, hi: float) -> Gen:
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def signed(lo: float, hi: float) -> Gen:
    """Magnitude in [lo, hi], random sign: keeps away from 0 (kinks, poles)."""
    return lambda rng, shape: (
        rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)
    )


def grid_a(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Values in k/2 + [0, 0.1]; with grid_b every pair differs by >= 0.15 (no ties)."""
    return rng.integers(-4, 4, shape) * 0.5 + rng.uniform(0.0, 0.1, shape)


def grid_b(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.integers(-4, 4, shape) * 0.5 + rng.uniform(0.25, 0.35, shape)


def distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Distinct values at least 0.25 apart, shuffled: a unique max/min everywhere."""
    n = int(np.prod(shape, dtype=int))
    vals = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(0.0, 0.05, n)
    return vals.reshape(shape)


def off_bounds(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Values at least 0.2 away from the clip bounds +-0.5."""
    base = rng.choice([-1.5, -1.0, -0.2, 0.0, 0.2, 1.0, 1.5], shape)
    return base + rng.uniform(-0.05, 0.05, shape)


def well_conditioned(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    n = shape[-1]
    return rng.uniform(-1, 1, shape) + 3.0 * np.eye(n)


STD = uniform(-2.0, 2.0)
POS = uniform(0.5, 2.0)


# --------------------------------------------------------------------------- the table


@dataclass
class Case:
    id: str
    fn: Callable
    gens: tuple  # one (generator, shape) per differentiable input
    method: str = "cs"

    def primals(self, dtype=np.float64) -> tuple:
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        return tuple(np.asarray(g(rng, s), dtype=dtype) for g, s in self.gens)

    def rng(self, salt: str) -> np.random.Generator:
        return np.random.default_rng(zlib.crc32((self.id + salt).encode()))


CASES: list[Case] = []


def add(id, fn, *gens, method="cs"):
    CASES.append(Case(id, fn, tuple(gens), method))


# Elementwise unary: (name, function, input generator, reference method)
UNARY = [
    ("negative", np.negative, STD, "cs"),
    ("square", np.square, STD, "cs"),
    ("reciprocal", np.reciprocal, signed(0.5, 2.0), "cs"),
    ("sqrt", np.sqrt, POS, "cs"),
    ("cbrt", np.cbrt, signed(0.3, 2.0), "fd"),
    ("exp", np.exp, STD, "cs"),
    ("expm1", np.expm1, STD, "cs"),
    ("exp2", np.exp2, STD, "cs"),
    ("log", np.log, POS, "cs"),
    ("log1p", np.log1p, uniform(-0.5, 2.0), "cs"),
    ("log2", np.log2, POS, "cs"),
    ("log10", np.log10, POS, "cs"),
    ("sin", np.sin, STD, "cs"),
    ("cos", np.cos, STD, "cs"),
    ("tan", np.tan, uniform(-1.2, 1.2), "cs"),
    ("arcsin", np.arcsin, uniform(-0.8, 0.8), "cs"),
    ("arccos", np.arccos, uniform(-0.8, 0.8), "cs"),
    ("arctan", np.arctan, STD, "cs"),
    ("sinh", np.sinh, STD, "cs"),
    ("cosh", np.cosh, STD, "cs"),
    ("tanh", np.tanh, STD, "cs"),
    ("arcsinh", np.arcsinh, STD, "cs"),
    ("arctanh", np.arctanh, uniform(-0.8, 0.8), "cs"),
    ("abs", np.abs, signed(0.2, 2.0), "fd"),
    ("absolute-builtin", lambda x: abs(x), signed(0.2, 2.0), "fd"),
    ("sign", np.sign, signed(0.2, 2.0), "fd"),
    ("sign-times-x", lambda x: np.sign(x) * x, signed(0.2, 2.0), "fd"),
    ("op-neg", lambda x: -x, STD, "cs"),
    ("op-pos", lambda x: +x, STD, "cs"),
    ("op-pow-2", lambda x: x**2, STD, "cs"),
    ("op-pow-3-negative-base", lambda x: x**3, uniform(-2.0, -0.5), "cs"),
    ("op-pow-int-minus-2", lambda x: x**-2, signed(0.5, 2.0), "cs"),
    ("op-pow-2.0-negative-base", lambda x: x**2.0, uniform(-2.0, -0.5), "cs"),
    ("op-pow-half", lambda x: x**0.5, POS, "cs"),
    ("op-pow-2.5", lambda x: x**2.5, POS, "cs"),
    ("op-x-pow-x", lambda x: x**x, POS, "cs"),
    ("op-rpow-2", lambda x: 2.0**x, STD, "cs"),
    ("np-power-int", lambda x: np.power(x, 3), STD, "cs"),
    ("op-radd", lambda x: 2.0 + x, STD, "cs"),
    ("op-rsub", lambda x: 2.0 - x, STD, "cs"),
    ("op-rmul", lambda x: 3.0 * x, STD, "cs"),
    ("op-rdiv", lambda x: 2.0 / x, signed(0.5, 2.0), "cs"),
    ("numpy-scalar-left", lambda x: np.float64(2.5) * x - np.float64(1.0), STD, "cs"),
    ("relu-maximum-0", lambda x: np.maximum(x, 0.0), signed(0.2, 2.0), "fd"),
    ("clip", lambda x: np.clip(x, -0.5, 0.5), off_bounds, "fd"),
    ("leaky-relu-where", lambda x: np.where(x > 0, x, 0.1 * x), signed(0.2, 2.0), "fd"),
    ("chain-sin-x2-plus-1", lambda x: np.sin(x**2 + 1), STD, "cs"),
]
for name, fn, gen, method in UNARY:
    for shape in [(), (5,), (2, 3)]:
        add(
            f"{name}{list(shape)}",
            fn,
            (gen, shape),
            method=method,
        )

# Elementwise binary: broadcast pairs of shapes.
PAIRS = [
    ((), ()),
    ((5,), (5,)),
    ((3, 4), (4,)),
    ((1, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
]
BINARY = [
    ("add", np.add, STD, STD, "cs"),
    ("subtract", np.subtract, STD, STD, "cs"),
    ("multiply", np.multiply, STD, STD, "cs"),
    ("true_divide", np.true_divide, STD, signed(0.5, 2.0), "cs"),
    ("divide", np.divide, STD, signed(0.5, 2.0), "cs"),
    ("power", np.power, POS, STD, "cs"),
    ("arctan2", np.arctan2, signed(0.3, 2.0), STD, "fd"),
    ("maximum", np.maximum, grid_a, grid_b, "fd"),
    ("minimum", np.minimum, grid_a, grid_b, "fd"),
    ("logaddexp", np.logaddexp, STD, STD, "fd"),
    ("op-add", lambda x, y: x + y, STD, STD, "cs"),
    ("op-sub", lambda x, y: x - y, STD, STD, "cs"),
    ("op-mul", lambda x, y: x * y, STD, STD, "cs"),
    ("op-div", lambda x, y: x / y, STD, signed(0.5, 2.0), "cs"),
    ("op-pow", lambda x, y: x**y, POS, STD, "cs"),
    (
        "where-mixed",
        lambda x, y: np.where(x > 0, x * y, np.sin(y)),
        signed(0.2, 2.0),
        STD,
        "fd",
    ),
]
for name, fn, gx, gy, method in BINARY:
    for sx, sy in PAIRS:
        add(
            f"{name}{list(sx)}{list(sy)}",
            fn,
            (gx, sx),
            (gy, sy),
            method=method,
        )

# Power: special bases and exponents.
add(
    "power-int-array-exponent",
    lambda x: x ** np.array([1, 2, 3]),
    (uniform(-2, -0.5), (3,)),
)
add(
    "power-base-traced-exponent-array",
    lambda x: np.power(x, np.array([0.5, 1.5, -1.0])),
    (POS, (2, 3)),
)
add(
    "power-const-base-traced-exponent",
    lambda y: np.power(np.array([0.5, 2.0, 3.0]), y),
    (STD, (3,)),
)

# where with a fixed mask and broadcasting branches.
MASK34 = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)
add("where-fixed-mask", lambda a, b: np.where(MASK34, a, b), (STD, (3, 4)), (STD, (4,)))
add("where-scalar-branch", lambda a: np.where(MASK34, a, 0.0), (STD, (3, 4)))
add(
    "where-broadcast-both",
    lambda a, b: np.where(MASK34, a, b),
    (STD, (3, 1)),
    (STD, ()),
)

# clip with traced bounds.
add(
    "clip-traced-bounds",
    lambda x, lo, hi: np.clip(x, lo, hi),
    (off_bounds, (2, 4)),
    (lambda r, s: -0.5 + r.uniform(-0.05, 0.05, s), (4,)),
    (lambda r, s: 0.5 + r.uniform(-0.05, 0.05, s), ()),
    method="fd",
)

# clip with plain-array bounds (not traced): only x is differentiated.
CLIP_LO, CLIP_HI = np.array([-0.5, -0.4, -0.6, -0.5]), np.array([0.5, 0.6, 0.4, 0.5])
add(
    "clip-array-bounds",
    lambda x: np.clip(x, CLIP_LO, CLIP_HI),
    (off_bounds, (3, 4)),
    method="fd",
)

# Reductions.
RED_KW = [
    {},
    {"axis": 0},
    {"axis": 1},
    {"axis": -1},
    {"axis": (0, 1)},
    {"axis": 1, "keepdims": True},
    {"keepdims": True},
]
for name, fn, gen, method in [
    ("sum", np.sum, STD, "cs"),
    ("mean", np.mean, STD, "cs"),
    ("prod", np.prod, signed(0.5, 1.5), "cs"),
    ("max", np.max, distinct, "fd"),
    ("min", np.min, distinct, "fd"),
    ("amax", np.amax, distinct, "fd"),
    ("var", np.var, distinct, "fd"),  # distinct: no near-zero spread, std stays smooth
    ("std", np.std, distinct, "fd"),
]:
    for kw in RED_KW:
        for shape in [(3, 4), (2, 3, 4)]:
            kws = ", ".join(f"{k}={v}" for k, v in kw.items())
            add(
                f"{name}({kws}){list(shape)}",
                functools.partial(fn, **kw),
                (gen, shape),
                method=method,
            )
add("var-ddof1", lambda x: np.var(x, axis=0, ddof=1), (distinct, (3, 4)), method="fd")
add("std-ddof1", lambda x: np.std(x, ddof=1), (distinct, (3, 4)), method="fd")
add("sum-axis-tuple-3d", lambda x: np.sum(x, axis=(0, 2)), (STD, (2, 3, 4)))
add("mean-of-square", lambda x: np.mean(x**2, axis=1), (STD, (3, 4)))

# Linear algebra.
add("dot-vv", np.dot, (STD, (4,)), (STD, (4,)))
add("dot-mv", np.dot, (STD, (3, 4)), (STD, (4,)))
add("dot-vm", np.dot, (STD, (3,)), (STD, (3, 4)))
add("dot-mm", np.dot, (STD, (2, 3)), (STD, (3, 4)))
add("dot-scalar", np.dot, (STD, ()), (STD, (3,)))
add("matmul-vv", np.matmul, (STD, (4,)), (STD, (4,)))
add("matmul-mv", np.matmul, (STD, (3, 4)), (STD, (4,)))
add("matmul-vm", np.matmul, (STD, (3,)), (STD, (3, 4)))
add("matmul-mm", np.matmul, (STD, (2, 3)), (STD, (3, 4)))
add("matmul-batched-b-m", np.matmul, (STD, (2, 3, 4)), (STD, (4, 2)))
add("matmul-batched-b-b", np.matmul, (STD, (2, 3, 4)), (STD, (2, 4, 2)))
add("matmul-batched-broadcast", np.matmul, (STD, (1, 3, 4)), (STD, (2, 4, 2)))
add("matmul-v-batched", np.matmul, (STD, (4,)), (STD, (2, 4, 3)))
add("matmul-batched-v", np.matmul, (STD, (2, 3, 4)), (STD, (4,)))
add("op-matmul", lambda a, b: a @ b, (STD, (2, 3)), (STD, (3,)))
C34 = np.arange(12.0).reshape(3, 4) / 10 - 0.5
add("const-matrix-left-matmul", lambda x: C34 @ x, (STD, (4, 2)))
add(
    "const-array-left-ops",
    lambda x: C34 * x - C34 / (1.0 + x * x) + (C34 - x),
    (STD, (3, 4)),
)
add("outer", np.outer, (STD, (3,)), (STD, (4,)))
add(
    "linalg-solve-vector",
    np.linalg.solve,
    (well_conditioned, (3, 3)),
    (STD, (3,)),
)
add("linalg-solve-matrix", np.linalg.solve, (well_conditioned, (3, 3)), (STD, (3, 2)))
add("linalg-inv", np.linalg.inv, (well_conditioned, (3, 3)))
add("linalg-det", np.linalg.det, (well_conditioned, (3, 3)))
add("linalg-det-2x2", np.linalg.det, (well_conditioned, (2, 2)))
add("linalg-det-batched", np.linalg.det, (well_conditioned, (2, 3, 3)))

# Shape manipulation.
add("transpose", np.transpose, (STD, (3, 4)))
add("transpose-axes", lambda x: np.transpose(x, (1, 2, 0)), (STD, (2, 3, 4)))
add("attr-T", lambda x: x.T, (STD, (3, 4)))
add("attr-T-3d", lambda x: x.T, (STD, (2, 3, 4)))
add("swapaxes", lambda x: np.swapaxes(x, 0, 2), (STD, (2, 3, 4)))
add("reshape", lambda x: np.reshape(x, (4, 3)), (STD, (3, 4)))
add("reshape-minus-one", lambda x: np.reshape(x, (-1, 2)), (STD, (3, 4)))
add("ravel", np.ravel, (STD, (3, 4)))
add("squeeze", np.squeeze, (STD, (1, 3, 1)))
add("squeeze-axis", lambda x: np.squeeze(x, axis=0), (STD, (1, 3, 1)))
add("expand_dims", lambda x: np.expand_dims(x, 1), (STD, (3, 4)))
add("expand_dims-0", lambda x: np.expand_dims(x, 0), (STD, (3,)))
add("broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 4)), (STD, (3, 1)))
add("broadcast_to-scalar", lambda x: np.broadcast_to(x, (2, 3)), (STD, ()))
add(
    "concatenate-axis0",
    lambda a, b: np.concatenate([a, b]),
    (STD, (2, 3)),
    (STD, (1, 3)),
)
add(
    "concatenate-axis1",
    lambda a, b: np.concatenate((a, b), axis=1),
    (STD, (2, 3)),
    (STD, (2, 2)),
)
add(
    "concatenate-with-constant",
    lambda a: np.concatenate([a, np.ones(2), a]),
    (STD, (3,)),
)
add("stack", lambda a, b: np.stack([a, b]), (STD, (2, 3)), (STD, (2, 3)))
add(
    "stack-axis1",
    lambda a, b: np.stack([a, b, a], axis=1),
    (STD, (2, 3)),
    (STD, (2, 3)),
)
add("cumsum", np.cumsum, (STD, (5,)))
add("cumsum-flat-2d", np.cumsum, (STD, (2, 3)))
add("cumsum-axis0", lambda x: np.cumsum(x, axis=0), (STD, (3, 4)))
add("cumsum-axis1", lambda x: np.cumsum(x, axis=1), (STD, (3, 4)))
add(
    "logaddexp-large",
    np.logaddexp,
    (uniform(1000.0, 1001.0), (3,)),
    (uniform(1000.0, 1001.0), (3,)),
    method="fd",
)
add(
    "logaddexp-very-negative",
    np.logaddexp,
    (uniform(-1001.0, -1000.0), (3,)),
    (uniform(-1001.0, -1000.0), (3,)),
    method="fd",
)

# Indexing (getitem).
GETITEMS = [
    ("int", lambda x: x[1], (3, 4)),
    ("negative-int", lambda x: x[-1], (5,)),
    ("slice", lambda x: x[1:3], (5,)),
    ("step-slice", lambda x: x[::2], (5,)),
    ("reverse-slice", lambda x: x[::-1], (5,)),
    ("column", lambda x: x[:, 1], (3, 4)),
    ("2d-slices", lambda x: x[1:, ::-2], (3, 4)),
    ("ellipsis", lambda x: x[..., 0], (2, 3, 4)),
    ("newaxis", lambda x: x[None, :], (4,)),
    ("newaxis-middle", lambda x: x[:, None, 1:], (3, 4)),
    ("int-array", lambda x: x[np.array([3, 0, 1])], (5,)),
    ("int-array-repeated", lambda x: x[np.array([0, 2, 2, 2, 4])], (5,)),
    ("int-list-repeated", lambda x: x[[1, 1, 0]], (3, 4)),
    ("int-array-pairs", lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 2])], (3, 4)),
    ("int-array-2d-index", lambda x: x[np.array([[0, 1], [1, 1]])], (3,)),
    ("bool-mask", lambda x: x[np.array([True, False, True, True, False])], (5,)),
    ("bool-mask-2d", lambda x: x[MASK34], (3, 4)),
    ("mask-from-comparison", lambda x: x[x > 0], (3, 4)),
    ("scalar-element", lambda x: x[1, 2], (3, 4)),
]
for name, fn, shape in GETITEMS:
    gen = signed(0.2, 2.0) if name == "mask-from-comparison" else STD
    add(
        f"getitem-{name}",
        fn,
        (gen, shape),
        method="fd" if "comparison" in name else "cs",
    )
add(
    "getitem-then-nonlinear",
    lambda x: np.sin(x[np.array([0, 0, 1])]) * x[0],
    (STD, (3,)),
)

# Array methods and attributes.
METHODS = [
    ("sum", lambda x: x.sum(), (3, 4)),
    ("sum-axis", lambda x: x.sum(axis=1), (3, 4)),
    ("mean-axis0", lambda x: x.mean(axis=0), (3, 4)),
    ("max", lambda x: x.max(), (3, 4)),
    ("min-axis1", lambda x: x.min(axis=1), (3, 4)),
    ("reshape-args", lambda x: x.reshape(4, 3), (3, 4)),
    ("reshape-tuple", lambda x: x.reshape((2, 6)), (3, 4)),
    ("T", lambda x: x.T, (3, 4)),
    ("newaxis", lambda x: x[None, :], (4,)),
    ("prod", lambda x: x.prod(), (3, 4)),
    ("var", lambda x: x.var(), (3, 4)),
    ("std-axis0", lambda x: x.std(axis=0), (3, 4)),
    ("cumsum", lambda x: x.cumsum(axis=1), (3, 4)),
    ("ravel", lambda x: x.ravel(), (3, 4)),
    ("transpose", lambda x: x.transpose(), (3, 4)),
    ("swapaxes", lambda x: x.swapaxes(0, 1), (3, 4)),
    ("squeeze", lambda x: x.squeeze(), (1, 4)),
    ("clip", lambda x: x.clip(-0.5, 0.5), (3, 4)),
]
for name, fn, shape in METHODS:
    if name in {"max", "min-axis1"} or name in {"var", "std-axis0"}:
        gen, method = distinct, "fd"
    elif name == "clip":
        gen, method = off_bounds, "fd"
    elif name == "prod":
        gen, method = signed(0.5, 1.5), "cs"
    else:
        gen, method = STD, "cs"
    add(f"method-{name}", fn, (gen, shape), method=method)
add("method-dot", lambda x, y: x.dot(y), (STD, (3, 4)), (STD, (4,)))

# Composite functions a user would write.
add(
    "softmax",
    lambda x: (
        np.exp(x - np.max(x, axis=-1, keepdims=True))
        / np.sum(np.exp(x - np.max(x, axis=-1, keepdims=True)), axis=-1, keepdims=True)
    ),
    (distinct, (2, 4)),
    method="fd",
)
add(
    "mlp-layer",
    lambda W, x, b: np.tanh(W @ x + b),
    (STD, (3, 4)),
    (STD, (4,)),
    (STD, (3,)),
)
add("logsumexp", lambda x: np.log(np.sum(np.exp(x))), (STD, (5,)))
add(
    "normalize",
    lambda x: (x - x.mean()) / x.std(),
    (distinct, (6,)),
    method="fd",
)

IDS = [c.id for c in CASES]
assert len(IDS) == len(set(IDS)), "duplicate case ids"
# Every row at second order too: derivative rules are themselves traced, so each one must
# differentiate again (linear ops must give exact zeros, not errors). The one exception:
# differentiating x.dot(y) w.r.t. y alone leaves x a plain ndarray, whose .dot is NumPy's.
SECOND = [c for c in CASES if c.id != "method-dot"]


def _numpy_keeps_float32(case: Case) -> bool:
    """float32 in -> float32 out is only promised where NumPy itself keeps float32
    (a float64 constant array inside ``fn`` promotes, in NumPy as in the engine)."""
    with np.errstate(all="ignore"):
        return np.asarray(case.fn(*case.primals(np.float32))).dtype == np.float32


F32 = [c for c in CASES if _numpy_keeps_float32(c)]


# --------------------------------------------------------------------------- helpers


def numpy_value(case: Case, primals) -> np.ndarray:
    return np.asarray(case.fn(*primals))


def tangents_for(case: Case, primals, dtype=np.float64):
    rng = case.rng("tangent")
    return tuple(
        np.asarray(rng.uniform(-1, 1, np.shape(p)), dtype=dtype) for p in primals
    )


def cotangent_for(case: Case, out_shape, dtype=np.float64):
    return np.asarray(case.rng("cotangent").uniform(-1, 1, out_shape), dtype=dtype)


def tol(case: Case) -> dict:
    return (
        {"rtol": 1e-6, "atol": 1e-8}
        if case.method == "cs"
        else {"rtol": 1e-5, "atol": 1e-7}
    )


# --------------------------------------------------------------------------- first order


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jvp_matches_reference(case: Case):
    primals = case.primals()
    tangents = tangents_for(case, primals)
    y, y_dot = ad.jvp(case.fn, primals, tangents)
    expected_y = numpy_value(case, primals)
    assert_close(
        y, expected_y, rtol=1e-12, atol=1e-12, what=f"{case.id}: primal output"
    )
    expected = reference_jvp(case.fn, primals, tangents, case.method)
    assert_close(y_dot, expected, **tol(case), what=f"{case.id}: jvp tangent")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vjp_matches_reference(case: Case):
    primals = case.primals()
    y, vjp_fn = ad.vjp(case.fn, *primals)
    expected_y = numpy_value(case, primals)
    assert_close(
        y, expected_y, rtol=1e-12, atol=1e-12, what=f"{case.id}: primal output"
    )
    w = cotangent_for(case, expected_y.shape)
    x_bars = vjp_fn(w)
    assert isinstance(x_bars, tuple) and len(x_bars) == len(primals), (
        f"{case.id}: vjp_fn must return a tuple with one cotangent per primal, got {x_bars!r}"
    )
    expected = reference_vjp(case.fn, primals, w, case.method)
    for i, (got, exp) in enumerate(zip(x_bars, expected)):
        assert_close(
            got, exp, **tol(case), what=f"{case.id}: cotangent of argument {i}"
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_dot_product_identity(case: Case):
    """<J v, w> computed by forward mode equals <v, J^T w> computed by reverse mode."""
    primals = case.primals()
    tangents = tangents_for(case, primals)
    w = cotangent_for(case, np.shape(numpy_value(case, primals)))
    lhs, rhs = dot_product_check(case.fn, primals, tangents, w)
    scale = max(1.0, abs(lhs), abs(rhs))
    assert abs(lhs - rhs) <= 1e-9 * scale, (
        f"{case.id}: <Jv,w>={lhs!r} but <v,J^T w>={rhs!r}"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_of_scalarized(case: Case):
    primals = case.primals()
    w = cotangent_for(case, np.shape(numpy_value(case, primals)))

    def g(*args):
        return np.sum(case.fn(*args) * w)

    # All arguments at once (tuple argnums), so every argument is traced: as in JAX, a
    # NumPy method called on a *plain* array (x.dot(traced)) is NumPy's own, not ours.
    got = ad.grad(g, argnums=tuple(range(len(primals))))(*primals)
    assert isinstance(got, tuple) and len(got) == len(primals)
    for i in range(len(primals)):
        expected = reference_grad(g, primals, i, case.method)
        assert_close(
            got[i], expected, **tol(case), what=f"{case.id}: grad w.r.t. argument {i}"
        )
    if len(primals) == 1:  # int argnums gives the bare gradient
        assert_close(ad.grad(g)(*primals), got[0], rtol=0, atol=0, what=case.id)


# --------------------------------------------------------------------------- second order


@pytest.mark.parametrize("case", SECOND, ids=[c.id for c in SECOND])
def test_hessian_vector_product(case: Case):
    """Forward-over-reverse H v of the scalarized function, for each argument."""
    primals = case.primals()
    w = cotangent_for(case, np.shape(numpy_value(case, primals)))

    def g(*args):
        return np.sum(case.fn(*args) * w)

    tangents = tangents_for(case, primals)
    for i in range(len(primals)):

        def g_i(xi, i=i):
            args = list(primals)
            args[i] = xi
            return g(*args)

        _, hv = ad.jvp(ad.grad(g_i), (primals[i],), (tangents[i],))
        expected = reference_hvp(g, primals, tangents[i], argnum=i, method=case.method)
        assert_close(
            hv, expected, rtol=1e-5, atol=1e-7, what=f"{case.id}: H v, argument {i}"
        )


@pytest.mark.parametrize("case", SECOND, ids=[c.id for c in SECOND])
def test_reverse_over_reverse(case: Case):
    """grad of (grad . v): the same H v by reverse-over-reverse."""
    primals = case.primals()
    w = cotangent_for(case, np.shape(numpy_value(case, primals)))
    v = tangents_for(case, primals)[0]
    rest = primals[1:]

    def g0(x0):
        return np.sum(case.fn(x0, *rest) * w)

    def directional(x0):
        return np.sum(ad.grad(g0)(x0) * v)

    got = ad.grad(directional)(primals[0])
    expected = reference_hvp(
        lambda *a: np.sum(case.fn(*a) * w), primals, v, 0, case.method
    )
    assert_close(
        got, expected, rtol=1e-5, atol=1e-7, what=f"{case.id}: grad(<grad g, v>)"
    )


SECOND_BINARY = [c for c in SECOND if len(c.gens) >= 2]


@pytest.mark.parametrize("case", SECOND_BINARY, ids=[c.id for c in SECOND_BINARY])
def test_mixed_second_derivative(case: Case):
    """d/dt grad_x g(x, y + t v): the cross term of the Hessian."""
    primals = case.primals()
    x, y, rest = primals[0], primals[1], primals[2:]
    w = cotangent_for(case, np.shape(numpy_value(case, primals)))

    def g(*args):
        return np.sum(case.fn(*args) * w)

    v = tangents_for(case, primals)[1]
    _, got = ad.jvp(lambda yy: ad.grad(g, argnums=0)(x, yy, *rest), (y,), (v,))
    expected = central_difference_jvp(
        lambda yy: reference_grad(g, [x, yy, *rest], 0, case.method), [y], [v]
    )
    assert_close(got, expected, rtol=1e-5, atol=1e-7, what=f"{case.id}: d/dy grad_x")


SCALAR_SECOND = [  # scalar in, scalar out
    c
    for c in SECOND
    if len(c.gens) == 1 and c.gens[0][1] == () and np.shape(c.fn(*c.primals())) == ()
]


@pytest.mark.parametrize("case", SCALAR_SECOND, ids=[c.id for c in SCALAR_SECOND])
def test_grad_of_grad_scalar(case: Case):
    (x,) = case.primals()
    got = ad.grad(ad.grad(case.fn))(x)
    first = lambda t: reference_jvp(case.fn, [t], [np.ones_like(t)], case.method)
    expected = central_difference_jvp(first, [x], [np.ones_like(x)])
    assert_close(got, expected, rtol=1e-5, atol=1e-7, what=f"{case.id}: f''")


# --------------------------------------------------------------------------- float32


@pytest.mark.parametrize("case", F32, ids=[c.id for c in F32])
def test_float32_stays_float32(case: Case):
    primals = case.primals(np.float32)
    tangents = tangents_for(case, primals, np.float32)
    y, y_dot = ad.jvp(case.fn, primals, tangents)
    assert np.asarray(y).dtype == np.float32, (
        f"{case.id}: primal dtype {np.asarray(y).dtype}"
    )
    assert np.asarray(y_dot).dtype == np.float32, (
        f"{case.id}: tangent dtype {np.asarray(y_dot).dtype}"
    )
    w = cotangent_for(case, np.shape(y), np.float32)
    _, vjp_fn = ad.vjp(case.fn, *primals)
    for i, xb in enumerate(vjp_fn(w)):
        assert np.asarray(xb).dtype == np.float32, (
            f"{case.id}: cotangent {i} dtype {np.asarray(xb).dtype}"
        )
    g = ad.grad(lambda *a: np.sum(case.fn(*a) * w))(*primals)
    assert np.asarray(g).dtype == np.float32, (
        f"{case.id}: grad dtype {np.asarray(g).dtype}"
    )
    # Values still right (to float32 precision), against a float64 reference at the same point.
    expected = reference_jvp(case.fn, primals, tangents, case.method)
    assert_close(
        y_dot, expected, rtol=2e-3, atol=2e-4, what=f"{case.id}: float32 tangent"
    )


# --------------------------------------------------------------------------- edge values


def test_sqrt_like_at_zero_gives_inf_derivative():
    """x**0.5, sqrt and cbrt have an infinite slope at 0: report inf, not nan or an error."""
    for fn in (lambda x: x**0.5, np.sqrt, np.cbrt):
        d = ad.grad(fn)(0.0)
        assert np.isposinf(d), f"derivative at 0 should be +inf, got {d!r}"
        _, t = ad.jvp(fn, (0.0,), (1.0,))
        assert np.isposinf(t), f"jvp at 0 should be +inf, got {t!r}"


@pytest.mark.parametrize(
    "fn, x, expected",
    [
        (lambda x: x**2, 0.0, 0.0),
        (lambda x: x**3, 0.0, 0.0),
        (lambda x: x**1, 0.0, 1.0),
        (lambda x: np.power(x, 2), 0.0, 0.0),
        (lambda x: x**2.0, -3.0, -6.0),
        (lambda x: x**3, -2.0, 12.0),
        (lambda x: x**-1, -2.0, -0.25),
        (lambda x: np.square(x), 0.0, 0.0),
        (lambda x: x**x, 1.0, 1.0),
    ],
    ids=[
        "x2-at-0",
        "x3-at-0",
        "x1-at-0",
        "power-2-at-0",
        "x2.0-neg",
        "x3-neg",
        "x-1-neg",
        "square-at-0",
        "x-pow-x-at-1",
    ],
)
def test_power_at_special_points(fn, x, expected):
    """Integer powers at zero and negative bases have exact, finite derivatives."""
    got = ad.grad(fn)(x)
    assert np.isfinite(got) and got == pytest.approx(expected, rel=1e-12, abs=1e-300), (
        f"got {got!r}, expected {expected!r}"
    )
    _, t = ad.jvp(fn, (x,), (1.0,))
    assert t == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_power_second_derivative_at_zero():
    """d²/dx² x**2 = 2 everywhere, including 0 (no 0*inf = nan)."""
    assert ad.grad(ad.grad(lambda x: x**2))(0.0) == pytest.approx(2.0)
    assert ad.grad(ad.grad(lambda x: x**3))(0.0) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "fn", [np.sign, lambda x: np.sign(x) * 3.0], ids=["sign", "3sign"]
)
def test_sign_has_zero_derivative(fn):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    g = ad.grad(lambda x: np.sum(fn(x)))(x)
    assert np.shape(g) == (5,)
    assert np.all(np.asarray(g) == 0.0)
    _, t = ad.jvp(fn, (x,), (np.ones(5),))
    assert np.shape(t) == (5,) and np.all(np.asarray(t) == 0.0)


def test_prod_with_a_zero_entry():
    """d/dx_i prod(x) = prod of the others, also when x_i == 0 (no division by x)."""
    x = np.array([2.0, 0.0, 3.0, -1.5])
    expected = np.array([0.0, 2.0 * 3.0 * -1.5, 0.0, 0.0])
    assert_close(
        ad.grad(np.prod)(x), expected, rtol=1e-12, what="prod grad with one zero"
    )
    _, t = ad.jvp(np.prod, (x,), (np.ones(4),))
    assert t == pytest.approx(expected.sum())


def test_prod_with_two_zeros():
    x = np.array([0.0, 2.0, 0.0])
    assert_close(
        ad.grad(np.prod)(x), np.zeros(3), rtol=0, atol=0, what="prod grad two zeros"
    )


def test_getitem_repeated_indices_accumulate():
    """The adjoint of gathering x[[0, 2, 2, 2]] is a scatter-ADD: x[2] gets 3 contributions."""
    idx = np.array([0, 2, 2, 2])
    g = ad.grad(lambda x: np.sum(x[idx] * np.array([1.0, 10.0, 100.0, 1000.0])))(
        np.ones(4)
    )
    assert_close(
        g, np.array([1.0, 0.0, 1110.0, 0.0]), rtol=0, atol=0, what="scatter-add"
    )


def test_logaddexp_is_stable_for_large_arguments():
    g = ad.grad(lambda a, b: np.logaddexp(a, b), argnums=(0, 1))(1000.0, 1000.0)
    assert g[0] == pytest.approx(0.5) and g[1] == pytest.approx(0.5)
    g = ad.grad(lambda a, b: np.logaddexp(a, b), argnums=(0, 1))(-1000.0, -1000.0)
    assert g[0] == pytest.approx(0.5) and g[1] == pytest.approx(0.5)
