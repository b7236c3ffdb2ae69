"""Structural primitives: reductions, reshaping and indexing.

These operations are *linear* in their input (``sum``, ``reshape``, ``transpose``, ``x[i]``)
or nearly so (``max`` picks entries, ``prod`` multiplies them).  Their derivatives are not
elementwise partials but small linear maps, written directly:

* forward (JVP): apply the same operation to the tangent — the derivative of a linear map
  is the map itself;
* reverse (VJP): apply its *transpose* — ``sum`` becomes ``broadcast``, ``x[i]`` becomes
  "scatter-add into zeros", ``reshape`` becomes reshaping back.

Every rule accepts (co)tangents with extra leading batch axes (see ``core.py``): axes are
addressed from the end (negative axis numbers) so that leading batch axes never get in the way.
"""

from __future__ import annotations

import numpy as np

from ..tracer import Tracer, for_mask, lowest, writes_code
from .core import Primitive, align, dtype_of, nbatch, ndim, reduction_code, register, shape, unbroadcast


def _neg_axes(axis: tuple[int, ...], nd: int) -> tuple[int, ...]:
    return tuple(a - nd for a in axis)


def _keep(g, x_shape, axis, keepdims):
    """Re-insert reduced axes (as length 1) into an adjoint, batch axes untouched."""
    if keepdims:
        return g
    nb = ndim(g) - (len(x_shape) - len(axis))
    kept = list(shape(g)[:nb])
    rest = iter(shape(g)[nb:])
    for i in range(len(x_shape)):
        kept.append(1 if i in axis else next(rest))
    return g.reshape(tuple(kept))


# ---------------------------------------------------------------- sum
def _sum_impl(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims)


def _sum_jvp(t, ans, x, axis, keepdims):
    return np.sum(t, axis=_neg_axes(axis, ndim(x)), keepdims=keepdims)


def _sum_vjp(g, ans, x, axis, keepdims):
    g = _keep(g, shape(x), axis, keepdims)
    return np.broadcast_to(g, shape(g)[: ndim(g) - ndim(x)] + shape(x))


sum_ = register(Primitive(
    name="sum", vjp_reads="nothing", impl=_sum_impl, template="sum({0}{params})", symbol="Σ", latex=r"\sum {0}",
    code=reduction_code("np.sum"),
    jvps=(_sum_jvp,), vjps=(_sum_vjp,), jvp_texts=("sum({t})",), vjp_texts=("broadcast({g})",),
    partial_texts=("1",),
))


# ---------------------------------------------------------------- prod
def _prod_impl(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)


def _product_of_others(ans, x, axis, keepdims):
    """∂(Π x)/∂xᵢ = Π_{j≠i} xⱼ, for every i.

    Without zeros this is simply ``ans / xᵢ``.  With a zero entry that division breaks, so
    we compute the products of the others directly: replace xᵢ by 1 on row i of a K×K
    table and multiply along the rows (K = number of entries reduced).  Trace.to_python
    writes that table form, which is right with or without zeros (a program takes no branch).
    """
    if not writes_code(x) and not np.any(lowest(x) == 0):
        return _keep(ans, shape(x), axis, keepdims) / x
    nd = ndim(x)
    perm = tuple(a for a in range(nd) if a not in axis) + tuple(axis)
    moved = np.transpose(x, perm)
    lead = shape(moved)[: nd - len(axis)]
    k = int(np.prod(shape(moved)[nd - len(axis):], dtype=np.int64))
    if k > 4096:
        raise ValueError("the derivative of prod over more than 4096 entries containing zeros is not supported")
    rows = np.where(np.eye(k, dtype=bool), 1.0, moved.reshape(lead + (1, k)))
    others = np.prod(rows, axis=-1).reshape(shape(moved))
    return np.transpose(others, tuple(np.argsort(perm)))


def _prod_jvp(t, ans, x, axis, keepdims):
    return np.sum(t * _product_of_others(ans, x, axis, keepdims), axis=_neg_axes(axis, ndim(x)), keepdims=keepdims)


def _prod_vjp(g, ans, x, axis, keepdims):
    return _keep(g, shape(x), axis, keepdims) * _product_of_others(ans, x, axis, keepdims)


prod = register(Primitive(
    name="prod", impl=_prod_impl, template="prod({0}{params})", symbol="Π", latex=r"\prod {0}",
    code=reduction_code("np.prod"),
    jvps=(_prod_jvp,), vjps=(_prod_vjp,), jvp_texts=("sum(Π others · {t})",), vjp_texts=("{g} · Π others",),
    partial_texts=("Π of the others",),
))


# ---------------------------------------------------------------- max / min
def _extremum(name, fn):
    def impl(x, axis, keepdims):
        return fn(x, axis=axis, keepdims=keepdims)

    def mask_and_count(ans, x, axis, keepdims):
        hit = x == _keep(ans, shape(x), axis, keepdims)  # plain: comparisons are not traced
        # (except by Trace.to_python, which records them to write them as code)
        mask = hit.astype(dtype_of(x)) if isinstance(hit, Tracer) else np.asarray(hit, dtype=dtype_of(x))
        return mask, np.sum(mask, axis=axis, keepdims=True)

    def jvp(t, ans, x, axis, keepdims):
        mask, count = mask_and_count(ans, x, axis, keepdims)
        picked = np.sum(t * (mask / count), axis=_neg_axes(axis, ndim(x)), keepdims=keepdims)
        return picked

    def vjp(g, ans, x, axis, keepdims):
        mask, count = mask_and_count(ans, x, axis, keepdims)
        return _keep(g, shape(x), axis, keepdims) * (mask / count)  # ties share the adjoint

    return register(Primitive(
        name=name, impl=impl, template=f"{name}({{0}}{{params}})", symbol=name, latex=f"\\{name} {{0}}",
        code=reduction_code(f"np.{name}"),
        jvps=(jvp,), vjps=(vjp,), jvp_texts=(f"{{t}}[arg{name}]",), vjp_texts=(f"{{g}} at arg{name}",),
        partial_texts=(f"[{{0}} = {name}]",),
    ))


max_ = _extremum("max", np.max)
min_ = _extremum("min", np.min)


# ---------------------------------------------------------------- std
def _std_impl(x, axis, ddof, keepdims):
    return np.std(x, axis=axis, ddof=ddof or 0, keepdims=keepdims)


def _std_slope(ans, x, axis, ddof, keepdims):
    """∂std/∂xᵢ = (xᵢ − mean) / ((n − ddof) · std), and 0 where the spread is zero.

    The standard deviation is ``sqrt(var)``; at a constant vector ``var`` is 0 and the
    chain rule would give ``0 · ∞ = nan``.  There ``std`` behaves like ``|t|`` along the
    direction that spreads the entries, so it has no derivative, only subgradients, and
    adviz returns the one that treats every direction alike: **0** (PyTorch's choice
    since its issue #4320; JAX returns nan, autograd 0 only when a single entry is
    reduced).  A lone entry (``np.std(3.5)``) has ``std`` identically 0: there 0 is the
    true derivative.  The mask is computed on plain values and the division is made safe
    first, so derivatives of this rule (second order) are 0 there too, never nan.
    """
    count = int(np.prod([shape(x)[a] for a in axis])) if axis else 1
    centered = x - np.mean(x, axis=axis, keepdims=True)
    s = _keep(ans, shape(x), axis, keepdims)
    spread = for_mask(s) > 0
    safe = np.where(spread, s, 1.0)
    return np.where(spread, centered / ((count - (ddof or 0)) * safe), 0.0)


std = register(Primitive(
    name="std", impl=_std_impl, template="std({0}{params})", symbol="σ", latex=r"\sigma({0})",
    code=reduction_code("np.std"),
    jvps=(lambda t, ans, x, axis, ddof, keepdims: np.sum(
        t * _std_slope(ans, x, axis, ddof, keepdims), axis=_neg_axes(axis, ndim(x)), keepdims=keepdims),),
    vjps=(lambda g, ans, x, axis, ddof, keepdims: _keep(g, shape(x), axis, keepdims)
          * _std_slope(ans, x, axis, ddof, keepdims),),
    jvp_texts=("sum(({0} - mean)·{t}) / ((n - ddof)·{ans})",),
    vjp_texts=("{g}·({0} - mean) / ((n - ddof)·{ans})",),
    partial_texts=("({0} - mean)/((n - ddof)·{ans}), 0 if {ans} = 0",),
))


# ---------------------------------------------------------------- cumsum
def _flip(x, axis_neg):
    return x[(Ellipsis, slice(None, None, -1)) + (slice(None),) * (-axis_neg - 1)]


cumsum = register(Primitive(
    name="cumsum", vjp_reads="nothing", impl=lambda x, axis: np.cumsum(x, axis=axis), template="cumsum({0}, axis={axis})", symbol="cumsum",
    code="np.cumsum({0}, axis={axis})",
    jvps=(lambda t, ans, x, axis: np.cumsum(t, axis=axis - ndim(x)),),
    vjps=(lambda g, ans, x, axis: _flip(np.cumsum(_flip(g, axis - ndim(x)), axis=axis - ndim(x)), axis - ndim(x)),),
    jvp_texts=("cumsum({t})",), vjp_texts=("reverse-cumsum({g})",), partial_texts=("[j ≤ i]",),
))


# ---------------------------------------------------------------- reshape / transpose / broadcast_to
reshape = register(Primitive(
    name="reshape", vjp_reads="nothing", impl=lambda x, newshape: np.reshape(x, newshape), template="reshape({0}, {newshape})",
    symbol="reshape", code="np.reshape({0}, {newshape})",
    jvps=(lambda t, ans, x, newshape: t.reshape(shape(t)[: nbatch(t, x)] + tuple(newshape)),),
    vjps=(lambda g, ans, x, newshape: g.reshape(shape(g)[: nbatch(g, ans)] + shape(x)),),
    jvp_texts=("reshape({t})",), vjp_texts=("reshape({g})",), partial_texts=("1",),
))


def _batched_perm(axes, nb):
    return tuple(range(nb)) + tuple(a + nb for a in axes)


transpose = register(Primitive(
    name="transpose", vjp_reads="nothing", impl=lambda x, axes: np.transpose(x, axes), template="transpose({0}, {axes})", symbol="ᵀ",
    code="np.transpose({0}, {axes})",
    jvps=(lambda t, ans, x, axes: np.transpose(t, _batched_perm(axes, nbatch(t, x))),),
    vjps=(lambda g, ans, x, axes: np.transpose(g, _batched_perm(tuple(np.argsort(axes)), nbatch(g, ans))),),
    jvp_texts=("{t}ᵀ",), vjp_texts=("{g}ᵀ",), partial_texts=("1",),
))


def _broadcast_jvp(t, ans, x, to):
    nb = nbatch(t, x)
    t = align(t, ndim(x), len(to))
    return np.broadcast_to(t, shape(t)[:nb] + tuple(to))


broadcast_to = register(Primitive(
    name="broadcast_to", vjp_reads="nothing", impl=lambda x, to: np.broadcast_to(x, to), template="broadcast_to({0}, {to})",
    symbol="bcast", code="np.broadcast_to({0}, {to})", jvps=(_broadcast_jvp,),
    vjps=(lambda g, ans, x, to: unbroadcast(g, shape(x), nbatch(g, ans)),),
    jvp_texts=("broadcast({t})",), vjp_texts=("sum({g})",), partial_texts=("1",),
))


# ---------------------------------------------------------------- indexing and its transpose
def _is_gather(idx: tuple) -> bool:
    """True if ``idx`` has integer-array parts (which may repeat entries)."""
    for part in idx:
        if isinstance(part, np.ndarray) and part.dtype != bool:
            return True
    return False


def _full_index(idx: tuple, nb: int) -> tuple:
    """Extend ``idx`` so that ``nb`` trailing batch axes are kept whole."""
    if any(p is Ellipsis for p in idx):
        return idx + (slice(None),) * nb
    return idx + (Ellipsis,) + (slice(None),) * nb


def _to_back(x, nb):
    n = ndim(x)
    return np.transpose(x, tuple(range(nb, n)) + tuple(range(nb))) if nb else x


def _to_front(x, nb):
    n = ndim(x)
    return np.transpose(x, tuple(range(n - nb, n)) + tuple(range(n - nb))) if nb else x


def batched_getitem(x, idx, nb):
    """``x[idx]`` for an ``x`` with ``nb`` leading batch axes (moved out of the way first)."""
    if nb == 0:
        return x[idx]
    return _to_front(_to_back(x, nb)[_full_index(idx, nb)], nb)


def _scatter_impl(g, idx, shape, nb):
    batch = np.shape(g)[:nb]
    moved = np.moveaxis(g, tuple(range(nb)), tuple(range(-nb, 0))) if nb else g
    out = np.zeros(tuple(shape) + batch, dtype=np.result_type(g))
    full = _full_index(idx, nb) if nb else idx
    if _is_gather(idx):
        np.add.at(out, full, moved)  # repeated indices accumulate
    else:
        out[full] = moved
    return np.moveaxis(out, tuple(range(-nb, 0)), tuple(range(nb))) if nb else out


getitem = register(Primitive(
    name="getitem", vjp_reads="nothing", impl=lambda x, idx: x[idx], template="{0}[{idx}]", symbol="[ ]",
    code=lambda ops, params, lit: f"{ops[0]}[{lit(params['idx'], index=True)}]",
    jvps=(lambda t, ans, x, idx: batched_getitem(t, idx, nbatch(t, x)),),
    vjps=(lambda g, ans, x, idx: scatter_add_prim_apply(g, idx, shape(x), nbatch(g, ans)),),
    jvp_texts=("{t}[…]",), vjp_texts=("scatter({g})",), partial_texts=("1 (selected entries)",),
))

scatter_add = register(Primitive(
    name="scatter_add", impl=_scatter_impl, template="scatter_add({0}, {idx})", symbol="scatter",
    # scatter_add(g, idx, shape): zeros of x's shape with g added at x[idx] (a helper that
    # Trace.to_python writes into the program; np.add.at lets repeated indices add up)
    code=lambda ops, params, lit: (f"scatter_add({ops[0]}, np.s_[{lit(params['idx'], index=True)}], "
                                   f"{lit(params['shape'])})") if not params["nb"] else None,
    jvps=(lambda t, ans, g, idx, shape, nb: scatter_add_prim_apply(t, idx, shape, nb + nbatch(t, g)),),
    vjps=(lambda h, ans, g, idx, shape, nb: batched_getitem(h, idx, nb + nbatch(h, ans)),),
    jvp_texts=("scatter({t})",), vjp_texts=("{g}[…]",), partial_texts=("1",),
))


def scatter_add_prim_apply(g, idx, shape_, nb):
    from ..tracer import bind

    return bind(scatter_add, g, idx=idx, shape=tuple(shape_), nb=nb)


# ---------------------------------------------------------------- concatenate
def _concat_impl(*xs, axis):
    return np.concatenate(xs, axis=axis)


def _concat_slices(xs, axis):
    start = 0
    for x in xs:
        stop = start + shape(x)[axis]
        yield start, stop
        start = stop


def _concat_vjp(i):
    def vjp(g, ans, *xs, axis):
        a = axis - ndim(ans)
        start, stop = list(_concat_slices(xs, axis))[i]
        return g[(Ellipsis, slice(start, stop)) + (slice(None),) * (-a - 1)]

    return vjp


def _concat_jvp_all(tangents, ans, *xs, axis):
    nb = next(nbatch(t, x) for t, x in zip(tangents, xs) if t is not None)
    batch = next(shape(t)[:nb] for t in tangents if t is not None)
    parts = [t if t is not None else np.zeros(batch + shape(x), dtype=dtype_of(ans)) for t, x in zip(tangents, xs)]
    return np.concatenate(parts, axis=axis - ndim(ans))


def _concat_jvp(i):
    def jvp(t, ans, *xs, axis):
        tangents = [None] * len(xs)
        tangents[i] = t
        return _concat_jvp_all(tangents, ans, *xs, axis=axis)

    return jvp


class _PerArg(tuple):
    """A tuple of rules for variadic primitives: rule ``i`` is built on demand."""

    def __new__(cls, factory):
        obj = super().__new__(cls, ())
        obj.factory = factory
        return obj

    def __getitem__(self, i):
        return self.factory(i)

    def __len__(self):
        return 1 << 30


concatenate = register(Primitive(
    name="concatenate", vjp_reads="nothing", impl=_concat_impl, template="concatenate({args}, axis={axis})", symbol="concat",
    code="np.concatenate([{args}], axis={axis})",
    jvps=_PerArg(_concat_jvp), vjps=_PerArg(_concat_vjp), jvp_all=_concat_jvp_all,
    jvp_texts=_PerArg(lambda i: "pad({t})"), vjp_texts=_PerArg(lambda i: "{g}[block]"),
    partial_texts=_PerArg(lambda i: "1 (its block)"),
))
