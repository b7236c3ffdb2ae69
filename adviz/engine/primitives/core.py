"""What a primitive is, and the few helpers every derivative rule shares.

A *primitive* is an operation the engine treats as atomic: it knows how to evaluate it
(with NumPy) and how to differentiate it locally.  Everything about one primitive lives in
one :class:`Primitive` entry, so adding an operation to adviz is adding one entry:

* ``impl``: the NumPy function that computes the value;
* ``template`` / ``symbol`` / ``latex``: how tapes, tables and graphs display it;
* ``partials`` (elementwise operations): the textbook local derivatives
  ``∂ans/∂argᵢ`` as functions of ``ans`` and the arguments, with their formula text.
  From these alone the engine derives the forward rule (``tangent = partial · ẋ``), the
  reverse rule (``x̄ += unbroadcast(ȳ · partial)``) and the chain-rule text;
* ``jvps`` / ``vjps`` (structural operations such as ``sum``, ``matmul``, indexing): the
  linear maps themselves, one per argument;
* ``code``: how the operation is written in plain NumPy source (``np.sin({0})``,
  ``{0} @ {1}``), used by :meth:`Trace.to_python` to print a tape — and the rules run on
  a tape — as a Python program.  A NumPy ufunc needs none (``np.<name>(…)`` is derived).

Rules are written with NumPy operations on whatever they receive (arrays *or* tracers of
an enclosing transformation), never on raw ``.data``: that is why derivatives of
derivatives work.

Batched tangents
----------------
``jacfwd`` pushes a whole basis of tangents through one forward sweep, and ``jacrev`` a
whole basis of cotangents through one reverse sweep.  Such a tangent has extra *leading*
axes compared to its primal value.  Rules find out how many with :func:`nbatch` and use
:func:`align` and :func:`unbroadcast`, which understand them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from ..tracer import Tracer

__all__ = [
    "Primitive",
    "Partial",
    "ONE",
    "MINUS_ONE",
    "ndim",
    "shape",
    "nbatch",
    "align",
    "unbroadcast",
    "REGISTRY",
    "register",
    "scale",
    "recip",
]

TextRule = Union[str, Callable[..., str]]


@dataclass(frozen=True)
class Partial:
    """A local partial derivative ∂ans/∂argᵢ of an elementwise primitive.

    ``fn(ans, *args, **params)`` computes its value (any shape that broadcasts against
    ``ans``); ``text`` / ``latex`` give the textbook formula, with ``{0}``, ``{1}`` … for
    the operands and ``{ans}`` for the primitive's own result.  ``text`` may also be a
    function ``(operand_texts, operand_values, ans_text) -> str`` when the formula depends
    on a constant operand (``x**2`` has partial ``2*x``, not ``2*x**(2-1)``).

    Second-order rule (``second``)
        A partial is itself a function, and its own partials are the next line of the
        calculus table: ``sin`` has partial ``p = cos(x)``, and ``∂p/∂x = −sin(x)`` is
        ``sin''``.  ``second`` lists them as the formula of ``p`` is written, with respect
        to ``ans`` first and then each operand: ``(None, −sin(x))`` for sin.  exp's partial
        is written ``ans`` (its own result), so its rule is ``(1, None)``; ``x·y``'s partial
        ``y`` has ``(None, None, 1)``.  Along a direction they give the partial's tangent
        ``ṗ = ∂p/∂ans · ȧns + Σⱼ ∂p/∂xⱼ · ẋⱼ``, and the reverse rule ``x̄ = ȳ·p`` then has the
        tangent ``ȳ̇·p + ȳ·ṗ`` (the product rule): one step of a Hessian-vector product
        (``second_order.py``).  A rule reads only what the reverse rules read
        (``Primitive.vjp_reads``); without one, forward mode differentiates ``fn`` instead.
    """

    fn: Callable[..., Any]
    text: TextRule
    latex: Optional[TextRule] = None
    # "one" / "minus_one" let rules skip a useless multiplication; "select": the partial is a
    # 0/1 mask (``where``'s), so a product with it is a *selection* -- exactly 0 where the mask
    # is 0, even against a nan or infinite tangent or adjoint (0·nan would be nan).
    kind: str = "general"
    fresh: bool = True  # fn returns a new array (not an operand or ans): rules may reuse it in place
    # ``(name, sign)``: the partial is ``sign · name(operand)``, another unary primitive of
    # the same operand (sin's partial is cos(x), cos's is −sin(x)).  A forward transform that
    # runs under a nested one reuses such values instead of evaluating them again (forward.py).
    reuse: Optional[tuple[str, float]] = None
    # The second-order rule (see above): ``(∂p/∂ans, ∂p/∂operand0, …)``, each a Partial,
    # None where it is zero; None for the whole: not declared.
    second: Optional[tuple] = None


ONE = Partial(lambda ans, *args, **params: 1.0, "1", "1", kind="one")
MINUS_ONE = Partial(lambda ans, *args, **params: -1.0, "-1", "-1", kind="minus_one")


@dataclass(eq=False)
class Primitive:
    """One registry entry: everything adviz knows about one operation."""

    name: str
    impl: Callable[..., Any]
    template: str  # definition text, e.g. "sin({0})", "{0} + {1}", "sum({0}{params})"
    symbol: str  # short operator symbol for graph nodes: "sin", "+", "Σ"
    latex: str = ""
    partials: Optional[Sequence[Optional[Partial]]] = None
    jvps: Sequence[Optional[Callable[..., Any]]] = ()
    vjps: Sequence[Optional[Callable[..., Any]]] = ()
    # Display of structural rules: the linear map applied to a tangent ``{t}`` (forward)
    # or to an adjoint ``{g}`` (reverse), per argument.
    jvp_texts: Sequence[str] = ()
    vjp_texts: Sequence[str] = ()
    partial_texts: Sequence[str] = ()  # what ∂ans/∂argᵢ "is" for structural ops
    differentiable: bool = True
    jvp_all: Optional[Callable[..., Any]] = None  # optional all-at-once JVP (concatenate)
    description: str = ""
    extra: dict = field(default_factory=dict)
    # What the reverse rules read besides shapes: "all" (operands and result), "args",
    # "ans" or "nothing" -- or a function of the operands' parents returning one of these.
    # A tape that only serves derivatives keeps the rest as stand-ins.
    vjp_reads: Any = "all"
    # How the operation reads as NumPy source: a template such as "np.sum({0}, axis={axis})"
    # (operands {0}, {1}, … or {args}; parameters by name, as Python literals) or a function
    # (operands, params, lit) -> str.  None: derived from ``impl`` when it is a NumPy ufunc
    # or function without parameters, else the primitive has no code form.
    code: Any = None

    def __post_init__(self) -> None:
        if self.partials is not None:
            self.jvps = tuple(
                self.jvps[i] if i < len(self.jvps) and self.jvps[i] is not None else _jvp_from_partial(p, i)
                for i, p in enumerate(self.partials)
            )
            self.vjps = tuple(
                self.vjps[i] if i < len(self.vjps) and self.vjps[i] is not None else _vjp_from_partial(p, i)
                for i, p in enumerate(self.partials)
            )

    @property
    def elementwise(self) -> bool:
        return self.partials is not None

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    # -- source code -----------------------------------------------------------------------
    def python(self, operands: Sequence[str], params: dict, lit: Callable[..., str]) -> Optional[str]:
        """The operation as a NumPy expression, e.g. ``np.sin(v2)`` (None: no code form).

        ``operands`` are Python expressions (parenthesized where needed); ``lit(value)``
        writes a parameter as a Python literal and ``lit(idx, index=True)`` an index as
        it appears between brackets (``:, 0``).
        """
        code = self.code
        if code is None:
            if params:
                return None
            module = _numpy_home(self.impl)
            return f"{module}.{self.impl.__name__}({', '.join(operands)})" if module else None
        if callable(code):
            return code(list(operands), params, lit)
        return code.format(*operands, args=", ".join(operands),
                           **{k: lit(v) for k, v in params.items()})

    # -- display -------------------------------------------------------------------------
    def definition(self, operands: Sequence[str], params: dict, values: Sequence[Any] = ()) -> str:
        """The right-hand side of a tape line, e.g. ``sin(v2)`` or ``sum(v3, axis=0)``."""
        shown = dict(params)
        if "axis" in shown and isinstance(shown["axis"], tuple) and values:
            if len(shown["axis"]) == ndim(values[0]):
                shown["axis"] = None  # reducing every axis: numpy's default, not worth printing
            elif len(shown["axis"]) == 1:
                shown["axis"] = shown["axis"][0]
        if shown.get("keepdims") is False:
            shown["keepdims"] = None
        fmt = params_for_format(params)
        if "idx" in params:
            fmt["idx"] = format_index(params["idx"])
        return self.template.format(*operands, args=", ".join(operands), params=format_params(shown), **fmt)

    def partial_text(self, argnum: int, operands: Sequence[str], values: Sequence[Any], ans: str) -> str:
        """The textbook formula of ∂ans/∂operand[argnum] with names filled in."""
        if self.partials is not None:
            p = self.partials[argnum]
            return _fill(p.text, operands, values, ans) if p is not None else "0"
        if argnum < len(self.partial_texts):
            return _fill(self.partial_texts[argnum], operands, values, ans)
        return "∂"

    def partial_latex(self, argnum: int, operands: Sequence[str], values: Sequence[Any], ans: str) -> str:
        if self.partials is not None and self.partials[argnum] is not None:
            p = self.partials[argnum]
            if p.latex is not None:
                return _fill(p.latex, operands, values, ans)
        return _latexify(self.partial_text(argnum, operands, values, ans))


def _numpy_home(impl: Any) -> Optional[str]:
    """``"np"`` / ``"np.linalg"`` if ``impl`` is that module's public function, else None."""
    name = getattr(impl, "__name__", "")
    if isinstance(impl, np.ufunc) or getattr(np, name, None) is impl:
        return "np"
    if getattr(np.linalg, name, None) is impl:
        return "np.linalg"
    return None


def _fill(rule: TextRule, operands: Sequence[str], values: Sequence[Any], ans: str) -> str:
    if callable(rule):
        return rule(operands, values, ans)
    return rule.format(*operands, ans=ans)


def _latexify(text: str) -> str:
    r"""A plain formula in LaTeX: ``**`` → ``^``, ``*`` → ``\cdot``, ``sin(`` → ``\sin(``."""
    out = text.replace("**", "^").replace("*", r" \cdot ").replace("ᵀ", "^T")
    return re.sub(r"\b(exp|log|sinh|cosh|tanh|sin|cos|tan)\(", r"\\\1(", out)


def format_params(params: dict) -> str:
    shown = {k: v for k, v in params.items() if not k.startswith("_") and v is not None and k != "nb"}
    if not shown:
        return ""
    return ", " + ", ".join(f"{k}={_short(v)}" for k, v in shown.items())


def format_index(idx: tuple) -> str:
    """An index as Python source would write it: ``1:3``, ``None, :``, ``[0, 0, 2]``, ``mask(4,)``."""
    parts = []
    for p in idx if isinstance(idx, tuple) else (idx,):
        if p is None:
            parts.append("None")
        elif p is Ellipsis:
            parts.append("...")
        elif isinstance(p, slice):
            parts.append(_short(p))
        elif isinstance(p, np.ndarray) and p.dtype == bool:
            parts.append(f"mask{p.shape}")
        elif isinstance(p, np.ndarray):
            parts.append(np.array2string(p, separator=", ", threshold=8) if p.size <= 8 else f"int{p.shape}")
        else:
            parts.append(str(p))
    return ", ".join(parts)


def params_for_format(params: dict) -> dict:
    return {k: _short(v) for k, v in params.items() if k != "params"}


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array{v.shape}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_short(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, slice):
        parts = ["" if p is None else str(p) for p in (v.start, v.stop)]
        return ":".join(parts) + (f":{v.step}" if v.step is not None else "")
    return repr(v) if not isinstance(v, str) else v


# -- shapes of values that may be arrays, NumPy scalars, Python numbers or tracers --------

def shape(x: Any) -> tuple[int, ...]:
    s = getattr(x, "shape", None)
    return s if s is not None else ()


def dtype_of(x: Any) -> np.dtype:
    """The dtype of a value or tracer (reading it never needs the numbers, which matters to
    Trace.to_python: a rule that reads numbers is refused, one that reads a dtype is not)."""
    return x.dtype if isinstance(x, Tracer) else np.result_type(x)


def float_mask(condition: Any, dtype: Any) -> Any:
    """A new 0/1 array of ``dtype`` from a boolean condition (a recorded ``astype`` when the
    condition is traced, as it is while Trace.to_python writes a rule as code)."""
    if isinstance(condition, Tracer):
        return condition.astype(dtype)
    return np.array(condition, dtype=dtype)


def ndim(x: Any) -> int:
    s = getattr(x, "shape", None)  # shape(x) written out: rules ask for ndim a few times per node
    return len(s) if s is not None else 0


def nbatch(t: Any, primal: Any) -> int:
    """How many leading batch axes a (co)tangent ``t`` carries beyond its primal's shape."""
    return ndim(t) - ndim(primal)


def align(t: Any, primal_ndim: int, out_ndim: int) -> Any:
    """Make a batched tangent of an operand broadcast correctly against the output.

    An operand of shape ``(4,)`` broadcast into an output of shape ``(3, 4)`` has, when
    batched, a tangent of shape ``(B, 4)``; NumPy would align ``B`` with the ``3``.  We
    insert the missing axes after the batch axes: ``(B, 1, 4)``.
    """
    nb = ndim(t) - primal_ndim
    if nb == 0 or primal_ndim >= out_ndim:
        return t
    s = shape(t)
    return t.reshape(s[:nb] + (1,) * (out_ndim - primal_ndim) + s[nb:])


def unbroadcast(x: Any, target_shape: tuple[int, ...], nb: int = 0) -> Any:
    """Sum an adjoint back down to the shape of the operand that was broadcast.

    Broadcasting copies a value along new or length-1 axes; the adjoint of a copy is a
    sum, so the reverse rule sums over exactly those axes.  ``nb`` leading batch axes are
    left alone.
    """
    xs = shape(x)
    if nb == 0 and xs == target_shape:
        return x  # nothing was broadcast: the usual case, answered before any bookkeeping
    extra = len(xs) - nb - len(target_shape)
    if extra > 0:
        x = x.sum(axis=tuple(range(nb, nb + extra)))
        xs = shape(x)
    elif extra < 0:  # a scalar-like adjoint for a bigger operand: broadcast it up
        return _broadcast(x, xs[:nb] + tuple(target_shape))
    axes = tuple(nb + i for i, n in enumerate(target_shape) if n == 1 and xs[nb + i] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    if shape(x)[nb:] != tuple(target_shape):
        x = _broadcast(x, shape(x)[:nb] + tuple(target_shape))
    return x


def _broadcast(x: Any, to: tuple[int, ...]) -> Any:
    return np.broadcast_to(x, to)


def times_partial(x: Any, partial_value: Any, partial: Partial) -> Any:
    """``x · partial_value``: the chain rule's product of a tangent or adjoint with a local
    partial, where a ``"select"`` partial picks ``x`` where the mask is 1 and gives exactly 0
    elsewhere (``where``'s branch not taken gets 0, never ``0·nan``)."""
    if partial.kind == "select":
        return np.where(partial_value != 0, x, np.zeros((), dtype=np.result_type(dtype_of(x), dtype_of(partial_value))))
    return x * partial_value


def _jvp_from_partial(p: Optional[Partial], i: int):
    """Forward rule of an elementwise operand: tangent contribution = partial · ẋᵢ."""
    if p is None:
        return None

    def jvp_rule(t, ans, *args, **params):
        t = align(t, ndim(args[i]), ndim(ans))
        if p.kind == "one":
            return t
        if p.kind == "minus_one":
            return -t
        if p.kind == "select":
            return times_partial(t, p.fn(ans, *args, **params), p)
        return scale(t, p.fn(ans, *args, **params), p.fresh)

    jvp_rule.partial = p  # type: ignore[attr-defined]
    jvp_rule.fresh = p.kind != "one"  # type: ignore[attr-defined]  (returns an array nobody else holds)
    return jvp_rule


_FLOAT64 = np.float64


def _vjp_from_partial(p: Optional[Partial], i: int):
    """Reverse rule of an elementwise operand: x̄ᵢ += unbroadcast(ȳ · partial)."""
    if p is None:
        return None

    kind = p.kind

    def vjp_rule(g, ans, *args, _g_is_ours=False, **params):
        if type(g) is _FLOAT64:  # scalar adjoint: scalar operands, nothing to unbroadcast
            if kind == "one":
                return g
            if kind == "minus_one":
                return -g
            if kind == "select":
                return times_partial(g, p.fn(ans, *args, **params), p)
            return g * p.fn(ans, *args, **params)
        nb = ndim(g) - ndim(ans)
        # ``_g_is_ours``: the sweep allocated ``g`` and nothing else will read it, so the
        # product may be written straight into it (saves allocating a fresh array).
        ours = _g_is_ours and type(g) is np.ndarray and g.flags.writeable
        if p.kind == "one":
            c = g
        elif p.kind == "minus_one":
            c = np.negative(g, out=g) if ours else -g
        elif p.kind == "select":
            c = times_partial(g, p.fn(ans, *args, **params), p)
        else:
            partial = p.fn(ans, *args, **params)
            if ours and not p.fresh and type(partial) is np.ndarray and partial.shape == g.shape \
                    and g.dtype == np.result_type(g, partial):
                c = np.multiply(g, partial, out=g)
            else:
                c = scale(g, partial, p.fresh)
        return unbroadcast(c, shape(args[i]), nb)

    vjp_rule.partial = p  # type: ignore[attr-defined]
    vjp_rule.fresh = p.kind != "one"  # type: ignore[attr-defined]
    vjp_rule.reuses_adjoint = True  # type: ignore[attr-defined]  (accepts _g_is_ours)
    return vjp_rule


# -- memory-aware products ----------------------------------------------------------------
# On large arrays, allocating a fresh result costs more than the arithmetic itself (the
# operating system must hand over and zero new pages).  These two helpers save allocations
# when it is safe: they only ever write into an array the caller has just created.

def _is_broadcast_one(g: Any) -> bool:
    """``g`` is a broadcast view of the scalar 1 (the adjoint that ``sum`` hands back)."""
    return type(g) is np.ndarray and g.size > 0 and not any(g.strides) and g.flat[0] == 1


def scale(g: Any, partial: Any, fresh: bool) -> Any:
    """``g * partial``, written into ``partial`` when it is a fresh array of the right shape.

    The result is an array that nobody else holds, a read-only view, or a tracer of an
    enclosing transformation: callers may update it in place if it is writeable.
    """
    if type(g) is np.ndarray and shape(partial) == g.shape:
        if type(partial) is np.ndarray:
            if _is_broadcast_one(g) and partial.dtype == g.dtype:
                # multiplying by a broadcast 1 is a no-op; an operand's own array (not fresh)
                # comes back as a read-only view, so that nobody writes into the user's data
                # through an adjoint (a copy cost a full array, as large as the operand)
                return partial if fresh else _read_only(partial)
            if fresh and partial.dtype == np.result_type(partial, g):
                return np.multiply(partial, g, out=partial)
        elif _is_broadcast_one(g) and isinstance(partial, Tracer):
            return partial  # a traced value is never written in place
    return g * partial


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


def fits_in(out: Any, other: Any) -> bool:
    """Whether ``out``, an array the caller just created, can hold ``out ∘ other`` (same
    shape and dtype after broadcasting and promotion): then the result is written into it."""
    return type(out) is np.ndarray and type(other) is np.ndarray and out.shape == other.shape \
        and out.dtype == np.result_type(out, other) and out.flags.writeable


def recip(x: Any) -> Any:
    """``1 / x`` for an ``x`` the caller just created (inverted in place when it is an array)."""
    if type(x) is np.ndarray and np.issubdtype(x.dtype, np.inexact) and x.flags.writeable:
        return np.reciprocal(x, out=x)
    return 1.0 / x


def reduction_code(function: str) -> Callable[..., str]:
    """The code form of a reduction with ``axis``/``keepdims`` (and ``ddof``) parameters:
    ``np.sum(x, axis=(0,))``; ``keepdims`` and ``ddof`` are written only when they matter."""

    def code(ops: list, params: dict, lit: Callable[..., str]) -> str:
        extra = "".join(f", {k}={lit(params[k])}" for k in ("ddof", "keepdims") if params.get(k))
        return f"{function}({ops[0]}, axis={lit(params['axis'])}{extra})"

    code.arguments = True  # type: ignore[attr-defined]  (operands are whole call arguments)
    return code


REGISTRY: dict[str, Primitive] = {}


def register(prim: Primitive) -> Primitive:
    """Add a primitive to the registry (one entry per operation)."""
    if prim.name in REGISTRY:
        raise ValueError(f"primitive {prim.name!r} registered twice")
    REGISTRY[prim.name] = prim
    return prim
