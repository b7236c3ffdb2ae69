"""What adviz answers where a function has a kink, a tie or a jump: docs/conventions.md, checked.

At such points there is no derivative, so any answer is a *convention*; what must never
happen is two answers.  Each row below gives a function, a point on a kink and the Jacobian
adviz documents there; the test demands exactly that Jacobian from every path: one ``jvp``
per input direction and one ``vjp`` per output direction (the unbatched sweeps),
``jacfwd`` and ``jacrev`` (the batched ones) and ``grad`` for scalar outputs.

Functions of several inputs take them packed in one vector ``z`` (``np.maximum(z[0], z[1])``),
so the Jacobian shows how the slope is shared between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import adviz as ad

DOC = Path(__file__).resolve().parents[2] / "docs" / "conventions.md"
T, F = True, False


@dataclass
class Convention:
    row: str  # the operation's name in the table of docs/conventions.md
    fn: Callable
    x: list
    expected: list  # the Jacobian, shape out.shape + x.shape


def diag(*d):
    return np.diag(np.array(d, dtype=float)).tolist()


CONVENTIONS = [
    # kinks: the slope of abs at 0 is sign(0) = 0
    Convention("abs", np.abs, [-1.5, 0.0, 2.0], diag(-1, 0, 1)),
    Convention("abs", abs, [-1.5, 0.0, 2.0], diag(-1, 0, 1)),
    Convention("abs", np.fabs, [0.0], diag(0)),
    # ties between operands: maximum/minimum share the slope equally
    Convention("maximum / minimum", lambda z: np.maximum(z[0], z[1]), [1.0, 1.0], [0.5, 0.5]),
    Convention("maximum / minimum", lambda z: np.minimum(z[0], z[1]), [-2.0, -2.0], [0.5, 0.5]),
    Convention("maximum / minimum", lambda z: np.maximum(z, 0.0), [-1.0, 0.0, 1.0], diag(0, 0.5, 1)),
    Convention("maximum / minimum", lambda z: np.minimum(z, 0.0), [-1.0, 0.0, 1.0], diag(1, 0.5, 0)),
    Convention("maximum / minimum", lambda z: np.maximum(z, z), [0.3, -1.0], diag(1, 1)),
    Convention("maximum / minimum", lambda z: np.maximum(z[:2], z[2:]), [1.0, 2.0, 1.0, 3.0],
               [[0.5, 0, 0.5, 0], [0, 0, 0, 1]]),
    Convention("fmax / fmin", lambda z: np.fmax(z[0], z[1]), [1.0, 1.0], [0.5, 0.5]),
    Convention("fmax / fmin", lambda z: np.fmin(z[0], z[1]), [1.0, 1.0], [0.5, 0.5]),
    Convention("fmax / fmin", lambda z: np.fmax(z, np.array([np.nan, 0.0])), [2.0, 0.0], diag(1, 0.5)),
    Convention("fmax / fmin", lambda z: np.fmin(z, np.nan), [2.0], diag(1)),
    Convention("fmax / fmin reductions", np.fmax.reduce, [1.0, 3.0, 3.0, 3.0], [0, 1 / 3, 1 / 3, 1 / 3]),
    Convention("fmax / fmin reductions", lambda z: np.fmin.reduce(z + np.array([np.nan, 0.0, 0.0])),
               [0.0, -1.0, -1.0], [0, 0.5, 0.5]),
    # ties inside a reduction: k tied extremes get 1/k each
    Convention("max / min reductions", np.max, [1.0, 3.0, 3.0, 2.0], [0, 0.5, 0.5, 0]),
    Convention("max / min reductions", np.max, [2.0, 2.0, 2.0], [1 / 3, 1 / 3, 1 / 3]),
    Convention("max / min reductions", np.amax, [1.0, 3.0, 3.0], [0, 0.5, 0.5]),
    Convention("max / min reductions", np.min, [1.0, 3.0, 1.0], [0.5, 0, 0.5]),
    Convention("max / min reductions", np.amin, [1.0, 1.0], [0.5, 0.5]),
    Convention("max / min reductions", lambda x: x.max(), [0.0, 0.0, -1.0], [0.5, 0.5, 0]),
    Convention("max / min reductions", lambda x: np.maximum.reduce(x), [4.0, 4.0], [0.5, 0.5]),
    Convention("max / min reductions", lambda x: np.minimum.reduce(x), [4.0, 4.0], [0.5, 0.5]),
    Convention("max / min reductions", lambda x: np.max(x.reshape(2, 3), axis=1),
               [1.0, 3.0, 3.0, 2.0, 2.0, 0.0], [[0, 0.5, 0.5, 0, 0, 0], [0, 0, 0, 0.5, 0.5, 0]]),
    Convention("max / min reductions", lambda x: np.min(x.reshape(2, 2), axis=0, keepdims=True),
               [1.0, 5.0, 1.0, 2.0], [[[0.5, 0, 0.5, 0], [0, 0, 0, 1]]]),
    # argmax picks the first of tied entries: indexing with it sends the whole slope there
    Convention("argmax / argmin indexing", lambda x: x[np.argmax(x)], [1.0, 3.0, 3.0], [0, 1, 0]),
    Convention("argmax / argmin indexing", lambda x: x[np.argmin(x)], [1.0, 3.0, 1.0], [1, 0, 0]),
    # clip = minimum(maximum(x, lo), hi): at a bound, x and the bound share the slope
    Convention("clip", lambda x: np.clip(x, 0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0], diag(0, 0.5, 1, 0.5, 0)),
    Convention("clip", lambda x: np.clip(x, 0.0, None), [0.0, 1.0], diag(0.5, 1)),
    Convention("clip", lambda x: x.clip(None, 1.0), [1.0, 1.5], diag(0.5, 0)),
    Convention("clip", lambda z: np.clip(z[0], z[1], z[2]), [0.0, 0.0, 1.0], [0.5, 0.5, 0]),
    Convention("clip", lambda z: np.clip(z[0], z[1], z[2]), [1.0, 0.0, 1.0], [0.5, 0, 0.5]),
    Convention("clip", lambda z: np.clip(z[0], z[1], z[2]), [3.0, 0.0, 1.0], [0, 0, 1]),
    # where: the slope goes to the selected branch only
    Convention("where", lambda z: np.where(np.array([T, F]), z[:2], z[2:]), [1.0, 2.0, 3.0, 4.0],
               [[1, 0, 0, 0], [0, 0, 0, 1]]),
    Convention("where", lambda x: np.where(x > 0, x, 0.0), [0.0, 1.0], diag(0, 1)),
    Convention("where", lambda x: np.where(x >= 0, x, 0.0), [0.0, 1.0], diag(1, 1)),
    # steps: zero slope everywhere, on the jumps too
    Convention("sign, floor, ceil, trunc, rint, //", lambda x: np.sign(x) + 0.0 * x, [0.0, -1.0], diag(0, 0)),
    Convention("sign, floor, ceil, trunc, rint, //", lambda x: np.floor(x) + 0.0 * x, [1.0, 0.5], diag(0, 0)),
    Convention("sign, floor, ceil, trunc, rint, //", lambda x: np.ceil(x) + np.trunc(x) + 0.0 * x, [1.0], diag(0)),
    Convention("sign, floor, ceil, trunc, rint, //", lambda x: np.rint(x) + 0.0 * x, [0.5, 1.5], diag(0, 0)),
    Convention("sign, floor, ceil, trunc, rint, //", lambda x: x // 1.0 + 0.0 * x, [2.0], diag(0)),
    Convention("spacing", lambda x: np.spacing(x) + 0.0 * x, [1.0, 0.75], diag(0, 0)),  # 1.0: a jump
    Convention("nextafter", lambda x: np.nextafter(x, 2.0 * x), [1.0, -0.5], diag(1, 1)),
    # remainders: slope 1 in x; in y, the formula -floor(x/y) (-trunc for fmod) at that point
    Convention("remainder / fmod / %", lambda z: np.remainder(z[0], z[1]), [2.0, 1.0], [1, -2]),
    Convention("remainder / fmod / %", lambda z: z[0] % z[1], [-3.0, 1.5], [1, 2]),
    Convention("remainder / fmod / %", lambda z: np.fmod(z[0], z[1]), [-3.0, 1.5], [1, 2]),
    Convention("remainder / fmod / %", lambda z: np.fmod(z[0], z[1]), [-2.5, 1.0], [1, 2]),
    Convention("remainder / fmod / %", lambda z: np.remainder(z[0], z[1]), [-2.5, 1.0], [1, 3]),
    # infinite slopes
    Convention("sqrt, cbrt, x**p (0 < p < 1) at 0", np.sqrt, [0.0], diag(np.inf)),
    Convention("sqrt, cbrt, x**p (0 < p < 1) at 0", np.cbrt, [0.0], diag(np.inf)),
    Convention("sqrt, cbrt, x**p (0 < p < 1) at 0", lambda x: x**0.5, [0.0], diag(np.inf)),
    # powers at a zero base
    Convention("x**y at x = 0", lambda x: x**2, [0.0], diag(0)),
    Convention("x**y at x = 0", lambda x: x**1, [0.0], diag(1)),
    Convention("x**y at x = 0", lambda z: z[0] ** z[1], [0.0, 2.0], [0, 0]),
    Convention("0**y at y = 0, x**x at 0", lambda x: x**x, [0.0], diag(0)),
    Convention("0**y at y = 0, x**x at 0", lambda y: 0.0**y, [0.0], diag(0)),
    Convention("0**y at y = 0, x**x at 0", lambda z: z[0] ** z[1], [0.0, 0.0], [0, 0]),
    # products with zero entries: the exact product of the others
    Convention("prod with zeros", np.prod, [2.0, 0.0, 3.0], [0, 6, 0]),
    Convention("prod with zeros", np.prod, [0.0, 2.0, 0.0], [0, 0, 0]),
    # distance at the origin: the 0 subgradient, like abs
    Convention("hypot at the origin", lambda z: np.hypot(z[0], z[1]), [0.0, 0.0], [0, 0]),
    # the 2-norm at 0: the 0 subgradient too
    Convention("2-norm at 0", np.linalg.norm, [0.0, 0.0, 0.0], [0, 0, 0]),
    Convention("2-norm at 0", lambda x: np.linalg.norm(x.reshape(2, 2), axis=0), [0.0, 0.0, 1.0, 0.0],
               [[0, 0, 1, 0], [0, 0, 0, 0]]),
    Convention("2-norm at 0", lambda x: np.linalg.norm(x.reshape(2, 2), "fro"), [0.0, 0.0, 0.0, 0.0], [0, 0, 0, 0]),
    # tied eigen- and singular values share; a zero singular value is a kink like abs at 0
    Convention("tied eigenvalues", lambda x: np.linalg.eigvalsh(np.diag(x)), [1.0, 1.0, 3.0],
               [[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1]]),
    Convention("tied eigenvalues", lambda x: np.linalg.eigh(np.diag(x))[0], [2.0, 2.0], [[0.5, 0.5], [0.5, 0.5]]),
    Convention("tied singular values", lambda x: np.linalg.svd(np.diag(x), compute_uv=False), [2.0, 2.0],
               [[0.5, 0.5], [0.5, 0.5]]),
    Convention("tied singular values", lambda x: np.linalg.norm(np.diag(x), 2), [2.0, 2.0, 1.0], [0.5, 0.5, 0]),
    Convention("a zero singular value", lambda x: np.linalg.svdvals(np.diag(x)), [1.0, 0.0], [[1, 0], [0, 0]]),
]
IDS = [f"{c.row}:{i}" for i, c in enumerate(CONVENTIONS)]


def _assert_exact(got, expected, what):
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, documented {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0, err_msg=what)


@pytest.mark.parametrize("c", CONVENTIONS, ids=IDS)
def test_every_mode_gives_the_documented_derivative(c: Convention):
    x = np.array(c.x, dtype=float)
    expected = np.array(c.expected, dtype=float)
    out_shape = expected.shape[: expected.ndim - x.ndim]
    _assert_exact(ad.jacfwd(c.fn)(x), expected, f"{c.row}: jacfwd")
    _assert_exact(ad.jacrev(c.fn)(x), expected, f"{c.row}: jacrev")
    flat = expected.reshape(int(np.prod(out_shape, dtype=int)), x.size)
    for j in range(x.size):  # forward mode, one direction at a time
        e = np.zeros(x.size)
        e[j] = 1.0
        _, t = ad.jvp(c.fn, (x,), (e,))
        _assert_exact(np.ravel(t), flat[:, j], f"{c.row}: jvp along e{j}")
    _, vjp_fn = ad.vjp(c.fn, x)
    for i in range(flat.shape[0]):  # reverse mode, one output at a time
        e = np.zeros(flat.shape[0])
        e[i] = 1.0
        (x_bar,) = vjp_fn(e.reshape(out_shape))
        _assert_exact(np.ravel(x_bar), flat[i], f"{c.row}: vjp of output {i}")
    if out_shape == ():
        _assert_exact(ad.grad(c.fn)(x), expected, f"{c.row}: grad")


def test_the_documented_table_lists_every_convention_tested_here():
    text = DOC.read_text(encoding="utf-8")
    missing = sorted({c.row for c in CONVENTIONS if f"| {c.row} |" not in text})
    assert not missing, f"docs/conventions.md has no row for {missing}"


def test_where_with_an_infinite_slope_in_the_branch_not_taken_gives_nan_as_in_jax():
    """Reverse mode: 0 · inf = nan, the unselected branch still runs (JAX gives nan too).  Forward
    mode selects the tangent of the branch taken (JAX's select), so it agrees with central
    differences.  The documented fix for reverse mode: keep the branch's input safe."""
    def naive(x):
        return np.where(x > 0, np.sqrt(x), 0.0)

    def safe(x):
        return np.where(x > 0, np.sqrt(np.where(x > 0, x, 1.0)), 0.0)

    assert np.isnan(ad.grad(naive)(0.0))
    assert ad.jvp(naive, (-1.0,), (1.0,))[1] == 0.0 == (naive(-1.0 + 1e-6) - naive(-1.0 - 1e-6)) / 2e-6
    x = np.array([-1.0, 0.25, 4.0])
    np.testing.assert_array_equal(ad.jacfwd(naive)(x), np.diag([0.0, 1.0, 0.25]))
    _, t = ad.jvp(naive, (x,), (np.ones(3),))
    np.testing.assert_array_equal(t, [0.0, 1.0, 0.25])
    assert ad.grad(safe)(0.0) == 0.0 and ad.jvp(safe, (0.0,), (1.0,))[1] == 0.0
    assert ad.grad(safe)(4.0) == 0.25


def test_a_tie_breaking_mutation_would_be_noticed():
    """The suite's reason to exist: a max rule that stopped splitting ties must fail here.

    Summing the tied entries' slopes must give 1 (shifting every entry by t shifts the max by t).
    """
    x = np.array([1.0, 3.0, 3.0, 3.0])
    assert float(np.sum(ad.grad(np.max)(x))) == 1.0
    assert float(ad.jvp(np.max, (x,), (np.ones(4),))[1]) == 1.0


def test_running_max_with_a_tie_gives_the_slope_to_the_latest_holder():
    x = np.array([1.0, 3.0, 2.0, 3.0, 0.5])
    J = ad.jacrev(np.maximum.accumulate)(x)
    expected = np.zeros((5, 5))
    expected[0, 0] = expected[1, 1] = expected[2, 1] = expected[3, 3] = expected[4, 3] = 1.0
    np.testing.assert_array_equal(J, expected)
    np.testing.assert_array_equal(ad.jacfwd(np.maximum.accumulate)(x), expected)


def test_nanmedian_of_a_line_of_nans_is_nan_with_derivative_zero():
    x = np.array([[np.nan, np.nan], [0.5, 1.5]])
    y, t = ad.jvp(lambda a: np.nanmedian(a, axis=1), (x,), (np.ones_like(x),))
    assert np.isnan(y[0]) and y[1] == 1.0
    np.testing.assert_array_equal(t, [0.0, 1.0])
    np.testing.assert_array_equal(ad.grad(lambda a: np.nanmedian(a, axis=1)[1])(x), [[0.0, 0.0], [0.5, 0.5]])
