"""NumPy functions adviz refuses by name, each with what to write instead.

**In place.** ``np.add.at(a, idx, b)``, ``np.put``, ``np.place``, ``np.putmask`` and ``np.copyto`` change the
array they are given.  Neither array can take part in a derivative that way: a traced array is
an immutable record of a computation, and a plain float array cannot hold traced values (they
would drop out of the derivative).  Differentiable code builds a *new* array instead; each
refusal names the line to write.

**No derivative to give.** ``np.histogram`` counts are piecewise constant in the data and its
bin edges follow the data's extremes; ``np.roots`` are eigenvalues of a companion matrix, in
general complex.  Rather than a derivative that is right only sometimes, the refusal says what
differentiable code writes instead.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..tracer import Tracer, UnsupportedOperation

_WHY = ("writes into an array in place: a traced array cannot be changed in place, and a plain array "
        "cannot hold traced values (they would drop out of the derivative). Compute a new array instead")

FUNCTIONS = {
    np.put: ("np.put(a, indices, v)", "a = np.where(m, v, a) for one value v, with a plain mask m "
             "(m = np.zeros(a.shape, bool); m.flat[indices] = True); for one value per index, "
             "np.concatenate of the pieces or a one-hot matrix as for np.add.at"),
    np.place: ("np.place(a, mask, vals)", "a = np.where(mask, v, a) for one value v; for several values, "
               "the entries a[mask] are a.flat positions np.flatnonzero(mask): combine the pieces with "
               "np.concatenate or np.where"),
    np.putmask: ("np.putmask(a, mask, values)", "a = np.where(mask, values, a)"),
    np.fill_diagonal: ("np.fill_diagonal(a, v)", "a = np.where(np.eye(*a.shape, dtype=bool), v, a)"),
    np.copyto: ("np.copyto(dst, src)", "dst = np.where(mask, src, dst) for copyto(..., where=mask), and "
                "src itself (np.broadcast_to(src, dst.shape) for dst's shape) without where="),
}


NOT_DIFFERENTIABLE = {
    np.histogram: "np.histogram of traced values: its counts are whole numbers that jump as a value crosses "
                  "a bin edge (derivative 0 or undefined), so adviz gives no derivative. Compute the histogram "
                  "on plain values outside the transform; for a differentiable density, sum smooth bumps "
                  "instead: np.sum(np.exp(-(x[:, None] - centers) ** 2 / (2 * h ** 2)), axis=0)",
    np.histogram2d: "np.histogram2d of traced values: its counts are whole numbers (see np.histogram); "
                    "compute it on plain values outside the transform",
    np.histogramdd: "np.histogramdd of traced values: its counts are whole numbers (see np.histogram); "
                    "compute it on plain values outside the transform",
    np.roots: "np.roots of traced coefficients: the roots are the eigenvalues of a companion matrix, in "
              "general complex, and adviz does not differentiate them. For a quadratic write the formula "
              "((-b + np.sqrt(b**2 - 4*a*c)) / (2*a)); for a simple real root r of p, p(r) = 0 gives "
              "dr = -(dp)(r) / p'(r), which ad.custom_jvp can state",
}


def refusal(name: str, recipe: str) -> UnsupportedOperation:
    return UnsupportedOperation(f"{name} {_WHY}: {recipe}.")


def _refuser(make: Callable[[], UnsupportedOperation], name: str) -> Callable:
    """A dispatch-table entry that only raises (the catalog lists it as refused)."""
    def refuse(*args, **kwargs):
        for a in (*args, *kwargs.values()):
            if isinstance(a, Tracer):
                a._check_alive()  # a traced value used after its transform: say that first
        raise make()

    refuse.__name__ = name
    refuse.refused = True
    return refuse


def refusing_functions() -> dict:
    """``{np.put: refuse, ...}``: the entries this module adds to the dispatch table ``FUNCTIONS``."""
    table = {fn: _refuser(lambda entry=entry: refusal(*entry), fn.__name__) for fn, entry in FUNCTIONS.items()}
    table.update({fn: _refuser(lambda message=message: UnsupportedOperation(message + "."), fn.__name__)
                  for fn, message in NOT_DIFFERENTIABLE.items()})
    return table


def ufunc_at_refusal(ufunc: np.ufunc) -> UnsupportedOperation:
    """``np.add.at(a, indices, b)`` and the other ``ufunc.at``: unbuffered in-place updates."""
    name = f"np.{ufunc.__name__}.at(a, indices, b)"
    if ufunc is np.add:
        recipe = ("a + np.bincount(indices, weights=b, minlength=len(a)) for a 1-D a; in general "
                  "a + np.eye(len(a))[indices].T @ b (a one-hot matrix adds each row of b to its index, "
                  "repeated indices adding up)")
    elif ufunc is np.subtract:
        recipe = "a - np.bincount(indices, weights=b, minlength=len(a)) for a 1-D a (np.add.at has the general form)"
    else:
        recipe = (f"np.where(m, np.{ufunc.__name__}(a, b_spread), a) with a plain mask m of the indices and "
                  "b_spread holding b at those positions (repeated indices need one step per repeat)")
    return refusal(name, recipe)


__all__ = ["refusing_functions", "ufunc_at_refusal"]
