"""Taking control of derivatives: custom rules, stopped gradients and checkpoints.

Automatic differentiation applies the chain rule to whatever the code computes.  Sometimes
that is not what you want, and JAX offers four ways to say so; adviz has the same four,
with the same API:

``ad.custom_jvp``
    Give a function its own forward rule.  Useful when the automatic derivative is
    numerically poor (``log(1 + exp(x))`` overflows where its derivative ``σ(x)`` does
    not) or undefined where you know better::

        @ad.custom_jvp
        def softplus(x):
            return np.log1p(np.exp(x))

        @softplus.defjvp(text="sigmoid(x)")       # text: what tables and graphs show
        def softplus_jvp(primals, tangents):
            (x,), (x_dot,) = primals, tangents
            return softplus(x), x_dot / (1 + np.exp(-x))

    Reverse mode uses the same rule, *transposed*: adviz records the rule's tangent
    computation once (it is linear in the tangents) and sweeps that recording backwards,
    as JAX linearizes and transposes.  Higher derivatives differentiate the rule itself.

``ad.custom_vjp``
    Give a function its own reverse rule, ``f.defvjp(fwd, bwd)``: ``fwd(*args)`` returns
    the value and *residuals* (what the backward pass needs), ``bwd(residuals, ȳ)`` returns
    one cotangent per argument.  As in JAX there is no forward mode through it (``jvp``,
    ``jacfwd`` and ``hessian`` refuse with a clear error).

    Shapes: a rule's tangent (``custom_jvp``) or cotangent (``custom_vjp``) has the shape of
    the value it belongs to.  A scalar is taken to mean that number in every entry (the rule
    of ``sum(x)`` may return ``(ȳ,)``), which JAX refuses; any other mismatch is refused
    with the rule's name and both shapes, never broadcast into a silently wrong derivative.

``ad.stop_gradient``
    The identity on values, zero on derivatives: the operand's edge is *cut*.

``ad.checkpoint`` (alias ``ad.remat``)
    Trade time for memory: the block's intermediates are not kept on the tape; the reverse
    sweep recomputes them when it reaches the block.

In a trace (``ad.trace``) each appears as what it is: a custom rule is **one node** whose
tables and graph show the user's rule (its name and formula text); a stopped gradient is a
node whose incoming edge is drawn cut; a checkpoint is a block of nodes the reverse sweep
records as *recomputed* before it sweeps through them.

How it fits the engine
----------------------
A custom function is not a registry primitive: calling it looks for the highest-level
interpreter among its arguments (as :func:`~adviz.engine.tracer.bind` does) and lets that
interpreter apply the rule.  Everything the rule computes runs as ordinary NumPy code one
level down, so transforms nest: ``grad(grad(f))`` differentiates the rule the inner
``grad`` used.  The node put on the tape carries a small :class:`~.primitives.core.Primitive`
made for that function, so views read its name and texts like any other node's.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import re
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from .forward import Dual, JVPInterpreter
from .primitives.core import Primitive, ndim, shape
from .primitives.structural import _PerArg
from .pytree import TreeDef, keystr, tree_flatten, tree_flatten_with_path, tree_map
from .tape import Tape, backward, forward_sweep
from .tracer import Tracer, UnsupportedOperation, bind, escaped_error, new_interpreter, top_interpreter

__all__ = ["custom_jvp", "custom_vjp", "stop_gradient", "checkpoint", "remat", "STOP_GRADIENT"]

Text = Union[None, str, dict, Sequence[str]]


# ---------------------------------------------------------------- stop_gradient
STOP_GRADIENT = Primitive(
    name="stop_gradient", impl=lambda x: x, template="stop_gradient({0})", symbol="stop", code="{0}",
    latex=r"\operatorname{{stop}}({0})", jvps=(None,), vjps=(None,), partial_texts=("0 (gradient stopped)",),
    jvp_texts=("0",), vjp_texts=("0",), vjp_reads="nothing", extra={"stops_gradient": True},
    description="the identity on values, zero on derivatives (ad.stop_gradient)",
)


def stop_gradient(x: Any) -> Any:
    """``x`` itself, treated as a constant by every transform (its derivative is zero).

    Works on pytrees leaf by leaf.  In a trace the node ``stop_gradient(v)`` keeps the
    value and its incoming edge is drawn cut: no tangent or adjoint crosses it.

    >>> ad.grad(lambda x: x * ad.stop_gradient(x))(3.0)     # d/dx (x · c) with c = x
    3.0
    """
    return tree_map(lambda leaf: bind(STOP_GRADIENT, leaf) if isinstance(leaf, Tracer) else leaf, x)


# ---------------------------------------------------------------- shared helpers
def _signature(fun: Callable) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):
        return None


def _positional(fun: Callable, sig: Optional[inspect.Signature], args: tuple, kwargs: dict) -> tuple:
    """The call's arguments as a positional tuple (keywords bound by the signature, as JAX does).

    Defaults of parameters the call leaves out are filled in, as JAX's ``resolve_kwargs`` does:
    ``f(x)`` of ``def f(x, scale=2.0)`` has two primals, so a ``bwd`` returns two cotangents and
    a ``jvp`` rule sees two primals whether or not ``scale`` was written in the call."""
    if not kwargs:
        if sig is None:
            return args
        try:
            bound = sig.bind(*args)
        except TypeError:
            return args  # let the call itself report the wrong arguments, in Python's words
        bound.apply_defaults()
        return tuple(bound.args)  # keyword-only defaults stay with the function, which applies them itself
    if sig is None:
        raise TypeError(f"{_name(fun)} was called with keyword arguments but has no inspectable signature")
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    if bound.kwargs:
        raise TypeError(f"{_name(fun)} has keyword-only parameters ({', '.join(bound.kwargs)}): a custom or "
                        "checkpointed function takes positional parameters only, as in JAX")
    return tuple(bound.args)


def _name(fun: Any) -> str:
    return getattr(fun, "__name__", None) or type(fun).__name__


def _is_float_leaf(v: Any) -> bool:
    try:
        dt = v.dtype if isinstance(v, Tracer) else np.result_type(v)
    except TypeError:  # not a number or an array (a string, an object)
        return False
    return np.issubdtype(dt, np.floating)


def _float_zeros(v: Any, batch: tuple = ()) -> np.ndarray:
    dt = v.dtype if isinstance(v, Tracer) else np.result_type(v)
    return np.zeros(tuple(batch) + shape(v), dtype=dt if np.issubdtype(dt, np.floating) else np.float64)


class _Split:
    """The arguments of one call, separated into the static ones (``nondiff_argnums``) and
    the differentiable ones, flattened into leaves."""

    def __init__(self, fname: str, args: tuple, nondiff: tuple[int, ...]):
        nondiff = tuple(sorted(n % len(args) for n in nondiff)) if args else ()
        self.nargs = len(args)
        self.nondiff = nondiff
        self.static = [args[i] for i in nondiff]
        diff = tuple(a for i, a in enumerate(args) if i not in nondiff)
        for i in nondiff:
            for leaf in tree_flatten(args[i])[0]:
                if isinstance(leaf, Tracer) and not leaf._interp.dead:
                    raise UnsupportedOperation(
                        f"argument {i} of {fname} is listed in nondiff_argnums but holds a traced value: "
                        "nondiff_argnums are for values the derivative does not depend on (numbers, flags, "
                        "functions); pass traced values as ordinary arguments")
        self.leaves, self.tree = tree_flatten(diff)

    def call_args(self, leaves: Sequence[Any]) -> list:
        """The full positional argument list with ``leaves`` in place of the differentiable ones."""
        diff = iter(self.tree.unflatten(leaves))
        static = iter(self.static)
        return [next(static) if i in self.nondiff else next(diff) for i in range(self.nargs)]

    def diff_args(self, leaves: Sequence[Any]) -> tuple:
        return self.tree.unflatten(leaves)


def _top(leaves: Sequence[Any]):
    top = top_interpreter(leaves)
    if top is not None and top.dead:
        raise escaped_error(top)
    return top


_PLAIN_LEAVES = (int, float, complex, str, bytes, np.generic, type(None))
_SCAN = 4096  # entries of one container looked at (a closure over a large list of numbers stays cheap)


def _reads_traced(fun: Any, level: int, depth: int = 0) -> bool:
    """Whether ``fun`` holds, outside its arguments, a live traced value of interpreter level
    ``level`` or above: in its closure cells, default values, bound ``self`` (and its attributes)
    or a ``functools.partial``'s arguments, looking into lists, tuples, dicts and nested functions."""
    if depth > 4 or isinstance(fun, _PLAIN_LEAVES):
        return False
    if isinstance(fun, Tracer):
        return not fun._interp.dead and fun._interp.level >= level
    if isinstance(fun, np.ndarray):  # an object array may hold traced values (np.array bound before the transform)
        return fun.dtype == object and any(_reads_traced(v, level, depth + 1) for v in itertools.islice(fun.flat, _SCAN))
    if isinstance(fun, (list, tuple, set, frozenset)):
        return any(_reads_traced(v, level, depth + 1) for v in itertools.islice(fun, _SCAN))
    if isinstance(fun, dict):
        return any(_reads_traced(v, level, depth + 1) for v in itertools.islice(fun.values(), _SCAN))
    if isinstance(fun, functools.partial):
        return _reads_traced([fun.func, fun.args, fun.keywords], level, depth + 1)
    held = []
    for cell in getattr(fun, "__closure__", None) or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:  # an empty cell (a name assigned later)
            pass
    held += [getattr(fun, "__defaults__", None) or (), getattr(fun, "__kwdefaults__", None) or {}]
    owner = getattr(fun, "__self__", None)
    if owner is not None and not isinstance(owner, type(np)):
        held += [owner, getattr(owner, "__dict__", {})]
    if not inspect.isroutine(fun) and not isinstance(fun, type) and isinstance(getattr(fun, "__dict__", None), dict):
        held.append(fun.__dict__)  # a callable object (a layer holding its weights): its attributes
    return bool(held) and callable(fun) and any(_reads_traced(v, level, depth + 1) for v in held)


def _refuse_traced_closure(fname: str, kind: str, top: Any, *functions: Any) -> None:
    """A custom rule states the derivative with respect to the function's *arguments*; a traced
    value of the same transform read from a closure (``W`` in ``def f(x): return W * np.sin(x)``
    defined inside the differentiated function) depends on the inputs too, and no rule covers it.
    As JAX asks for ``jax.closure_convert``, adviz asks for an argument (values of an *outer*
    transform, as in ``grad(grad(...))``, are fine: they are constants to this one)."""
    if any(_reads_traced(f, top.level) for f in functions if f is not None):
        raise UnsupportedOperation(
            f"{fname} (an {kind} function) or its rule reads a traced value of the same transform from its "
            f"closure (a variable of the function being differentiated): the rule gives derivatives with "
            f"respect to {fname}'s arguments only, so that value's derivative would be lost. Pass it to "
            f"{fname} as an argument (and give its derivative in the rule), or define {fname} outside the "
            f"differentiated function.")


def _out_leaves(out: Any) -> tuple[list, TreeDef, list[str]]:
    from .numpy_api.building import lift

    pairs, tree = tree_flatten_with_path(out)
    return [lift(v) for _, v in pairs], tree, [keystr(p) for p, _ in pairs]


def _param_names(sig: Optional[inspect.Signature], nargs: int, nondiff: tuple[int, ...]) -> list[str]:
    """The names of the differentiable parameters, in order (``x1``, ``x2`` without a signature)."""
    names = []
    params = list(sig.parameters.values()) if sig is not None else []
    for i in range(nargs):
        if i in nondiff:
            continue
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY, params[i].POSITIONAL_OR_KEYWORD):
            names.append(params[i].name)
        else:
            names.append(f"x{i + 1}")
    return names


def _check_text(fname: str, text: Text, names: Optional[list[str]]) -> None:
    if text is None or isinstance(text, str):
        return
    if isinstance(text, dict):
        if names is not None:
            unknown = [k for k in text if k not in names]
            if unknown:
                raise ValueError(f"text for {fname} names {', '.join(map(repr, unknown))}, which "
                                 f"{'is not a parameter' if len(unknown) == 1 else 'are not parameters'} "
                                 f"of {fname} ({', '.join(names)})")
        return
    if not all(isinstance(t, str) for t in text):
        raise TypeError(f"text for {fname} must be a string, a dict {{parameter: formula}} or a list of formulas")


class _Display:
    """What tables and graphs write for a custom node: one call structure of one function.

    ``text`` is the user's formula for the local partial, written in the function's own
    parameter names (``"sigmoid(x)"``); the names are replaced by the node's operands.
    """

    def __init__(self, fname: str, rule_name: str, kind: str, text: Text, names: list[str],
                 counts: list[int]):
        self.fname, self.rule_name, self.kind = fname, rule_name, kind
        # leaf position -> (parameter name, is the parameter a single leaf)
        self.leaf_param: list[tuple[str, bool]] = []
        for name, n in zip(names, counts):
            self.leaf_param.extend((name, n == 1) for _ in range(n))
        self.formulas: list[Optional[str]] = []
        for name, _ in self.leaf_param:
            if text is None:
                f = None
            elif isinstance(text, str):
                f = text
            elif isinstance(text, dict):
                f = text.get(name)
            else:
                idx = names.index(name)
                f = text[idx] if idx < len(text) else None
            self.formulas.append(self._placeholders(f) if f is not None else None)

    def _placeholders(self, formula: str) -> str:
        """``sigmoid(x)`` → ``sigmoid({0})``: parameter names become operand slots."""
        formula = formula.replace("{", "{{").replace("}", "}}")
        for k, (name, single) in enumerate(self.leaf_param):
            if single:
                formula = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", f"{{{k}}}", formula)
        return formula

    def partial_text(self, i: int) -> str:
        f = self.formulas[i] if i < len(self.formulas) else None
        if f is not None:
            return f
        return f"{self.rule_name} (custom rule)"

    def jvp_text(self, i: int) -> str:
        f = self.formulas[i] if i < len(self.formulas) else None
        if self.kind == "vjp":
            return "(no forward rule)"
        if f is not None:
            return f"{_grouped(f)}·{{t}}"
        return f"{self.rule_name}({{t}})"

    def vjp_text(self, i: int) -> str:
        f = self.formulas[i] if i < len(self.formulas) else None
        if f is not None:
            return f"{{g}}·{_grouped(f)}"
        return f"{self.rule_name}({{g}})" if self.kind == "vjp" else f"{self.rule_name}ᵀ({{g}})"


def _grouped(formula: str) -> str:
    depth = 0
    for ch in formula:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in "+-*/ ":
            return f"({formula})"
    return formula


def _make_primitive(display: _Display, kind: str, jvp: Callable, vjp: Callable, impl: Callable) -> Primitive:
    """The per-function registry-style entry of a custom node (not in REGISTRY: not NumPy)."""
    description = {"jvp": f"{display.fname} with the custom JVP rule {display.rule_name}",
                   "vjp": f"{display.fname} with the custom VJP rule {display.rule_name}",
                   "checkpoint": f"{display.fname}, checkpointed: recomputed in the reverse sweep"}[kind]
    return Primitive(
        name=display.fname, impl=impl, template=display.fname + "({args}){_at}", symbol=display.fname,
        jvps=_PerArg(jvp), vjps=_PerArg(vjp), jvp_texts=_PerArg(display.jvp_text),
        vjp_texts=_PerArg(display.vjp_text), partial_texts=_PerArg(display.partial_text),
        description=description,
        extra={"custom": kind, "function": display.fname, "rule": display.rule_name},
    )


def _call_cache(call: Any, g: Any, j: int, i: int, compute: Callable[[], list]) -> Any:
    """Cotangent of input leaf ``i`` for adjoint ``g`` of output ``j``.

    The per-operand rules of one node are called one after the other with the same ``g``;
    they share one sweep (or one call of the user's rule): the first computes every
    operand's cotangent, the others read theirs, and the last read forgets them (so a
    later sweep, even with the same buffer holding new numbers, computes afresh).
    """
    if call._cache is None or call._cache_g is not g or call._cache_j != j:
        call._cache, call._cache_g, call._cache_j, call._served = compute(), g, j, 0
    c = call._cache[i]
    call._served += 1
    if call._served >= call.needed:
        call._cache = call._cache_g = None
    return c


def _batch(g: Any, out: Any) -> tuple:
    return tuple(shape(g)[: ndim(g) - ndim(out)])


# ---------------------------------------------------------------- custom_jvp
class custom_jvp:
    """A function with its own forward-mode rule, as ``jax.custom_jvp``.

    ::

        @ad.custom_jvp
        def f(x, y): ...

        @f.defjvp                       # or @f.defjvp(text="...") to show a formula
        def f_jvp(primals, tangents):
            x, y = primals
            x_dot, y_dot = tangents
            return f(x, y), <tangent of the output>

    ``primals``/``tangents`` are tuples with one entry per argument (pytrees allowed);
    a tangent is zeros where the argument is not being differentiated.  With
    ``nondiff_argnums`` those arguments are passed first to the rule, unchanged:
    ``f_jvp(*nondiff, primals, tangents)``.

    ``text``: the local partial derivative ``∂f/∂argument`` as a formula in the function's
    parameter names, shown in tables and graphs (a string for one argument, a dict
    ``{name: formula}`` or a list for several).  Without it the views name the rule.
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp: Optional[Callable] = None
        self.text: Text = None
        self._sig = _signature(fun)
        self._prims: dict = {}

    def defjvp(self, jvp: Optional[Callable] = None, *, text: Text = None) -> Callable:
        """Set the JVP rule (usable as ``@f.defjvp`` or ``@f.defjvp(text="...")``)."""
        if jvp is None:
            return lambda rule: self.defjvp(rule, text=text)
        _check_text(_name(self.fun), text, _param_names(self._sig, len(self._sig.parameters), self.nondiff_argnums)
                    if self._sig is not None else None)
        self.jvp, self.text = jvp, text
        self._prims = {}
        return jvp

    def defjvps(self, *rules: Optional[Callable], text: Text = None) -> None:
        """One rule per argument, as JAX's ``defjvps``: ``rule(tangent, primal_out, *primals)``
        returns that argument's contribution to the output's tangent (None: no contribution)."""
        fun = self.fun

        def jvp(primals, tangents):
            out = fun(*primals)
            total = None
            for rule, t in zip(rules, tangents):
                if rule is None:
                    continue
                c = rule(t, out, *primals)
                total = c if total is None else total + c
            return out, (total if total is not None else np.zeros(shape(out)))

        jvp.__name__ = f"{_name(fun)}_jvps"
        self.defjvp(jvp, text=text)

    def __get__(self, obj, objtype=None):  # a method: bind like a function would
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fname = _name(self.fun)
        if self.jvp is None:
            raise AttributeError(f"no JVP rule defined for the custom_jvp function {fname}: "
                                 f"add one with @{fname}.defjvp")
        args = _positional(self.fun, self._sig, args, kwargs)
        split = _Split(fname, args, self.nondiff_argnums)
        top = _top(split.leaves)
        if top is None:
            return self.fun(*args)
        _refuse_traced_closure(fname, "ad.custom_jvp", top, self.fun, self.jvp)
        if isinstance(top, JVPInterpreter):
            return self._forward(top, split)
        if isinstance(top, Tape):
            return self._reverse(top, split)
        raise UnsupportedOperation(f"{fname}: custom_jvp under an unknown transform {type(top).__name__}")

    # -- applying the rule ---------------------------------------------------------------
    def _rule(self, split: _Split, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
        out = self.jvp(*split.static, split.diff_args(primals), split.diff_args(tangents))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"the JVP rule {_name(self.jvp)} of {_name(self.fun)} must return a pair "
                            f"(primal_out, tangent_out), got {type(out).__name__}")
        return out[0], out[1]

    def _forward(self, interp: JVPInterpreter, split: _Split) -> Any:
        primals, tangents = interp.split(split.leaves)
        batch = interp.batch_shape
        if batch:  # n directions at once: record the rule's linear map once, push all n through it
            lin = _Linearization(self, split, primals)
            outs = []
            for j, p in enumerate(lin.primal_leaves):
                t = lin.forward(j, tangents, batch) if _is_float_leaf(p) else None
                outs.append(Dual(interp, p, t) if t is not None else p)
            return lin.out_tree.unflatten(outs)
        tangents = [t if t is not None else _float_zeros(p) for p, t in zip(primals, tangents)]
        p_out, t_out = self._rule(split, primals, tangents)
        p_leaves, p_tree, _ = _out_leaves(p_out)
        t_leaves, t_tree, _ = _out_leaves(t_out)
        _check_tangent_tree(self, p_tree, t_tree)
        outs = []
        for p, t in zip(p_leaves, t_leaves):
            if not _is_float_leaf(p):
                outs.append(p)
                continue
            t = _tangent_like(self, p, t)
            outs.append(Dual(interp, p, t))
        return p_tree.unflatten(outs)

    def _reverse(self, tape: Tape, split: _Split) -> Any:
        vals, parents = tape.split(split.leaves)
        lin = _Linearization(self, split, vals, parents)
        prim = self._primitive(split)
        return _record_outputs(tape, prim, parents, vals, lin)

    def _primitive(self, split: _Split) -> Primitive:
        key = (split.tree, split.nondiff)
        prim = self._prims.get(key)
        if prim is None:
            display = _display(self, split, _name(self.jvp), "jvp", self.text)
            prim = self._prims[key] = _make_primitive(
                display, "jvp",
                jvp=lambda i: lambda t, ans, *args, _call, _out, _at: _call.jvp_one(i, _out, t, args),
                vjp=lambda i: lambda g, ans, *args, _call, _out, _at: _call.cotangent(i, _out, g, ans),
                impl=lambda *args, _call, _out, _at: _call.recompute(args)[_out],
            )
        return prim


def _display(rule: Any, split: "_Split", rule_name: str, kind: str, text: Optional[str]) -> "_Display":
    """How the tables name one call of ``rule`` (a custom_jvp, custom_vjp or checkpoint): the
    function, its rule, and the parameter names and leaf counts of the traced arguments."""
    names = _param_names(rule._sig, split.nargs, split.nondiff)
    counts = [c.num_leaves for c in split.tree.children] if split.tree.kind == "tuple" else [1]
    return _Display(_name(rule.fun), rule_name, kind, text, names, counts)


def _record_outputs(tape: Tape, prim: Primitive, parents: Sequence[Any], vals: Sequence[Any], call: Any) -> Any:
    """One tape node per floating-point output leaf of ``call`` (a linearization, a VJP call or a
    checkpointed block), all reading the same inputs; other leaves (integers, bools) pass
    through as constants.  Returns the outputs in the function's own structure."""
    outs = []
    for j, (p, at) in enumerate(zip(call.primal_leaves, call.paths)):
        if _is_float_leaf(p):
            p = tape.record(prim, parents, vals, {"_call": call, "_out": j, "_at": at}, p)
        outs.append(p)
    return call.out_tree.unflatten(outs)


def _check_tangent_tree(cj: custom_jvp, p_tree: TreeDef, t_tree: TreeDef) -> None:
    if p_tree != t_tree:
        raise TypeError(f"the JVP rule {_name(cj.jvp)} of {_name(cj.fun)} returned a primal output with "
                        f"structure {p_tree} but a tangent with structure {t_tree}")


def _tangent_like(cj: custom_jvp, p: Any, t: Any) -> Any:
    if t is None:
        return _float_zeros(p)
    if shape(t) != shape(p):
        if shape(t) == ():
            return np.broadcast_to(t, shape(p)) if not isinstance(t, Tracer) else t * np.ones(shape(p))
        raise ValueError(f"the JVP rule {_name(cj.jvp)} of {_name(cj.fun)} returned a tangent of shape "
                         f"{shape(t)} for a primal output of shape {shape(p)}")
    return t


class _Linearization:
    """One call of a custom JVP rule, recorded on its own tape with the tangents as inputs.

    The rule is linear in the tangents, so this recording *is* the linear map
    ``ṫ ↦ J·ṫ``: a forward sweep over it applies ``J`` to new tangents (``jacfwd``), a
    reverse sweep applies ``Jᵀ`` to adjoints — JAX's "linearize, then transpose".
    """

    _cache: Optional[list] = None
    _cache_g: Any = None
    _cache_j: int = -1
    _served: int = 0

    def __init__(self, cj: custom_jvp, split: _Split, vals: Sequence[Any], parents: Sequence[Any] = ()):
        self.cj, self.split, self.vals = cj, split, list(vals)
        self.needed = max(1, sum(p is not None for p in parents))  # operand rules a sweep calls per node
        rec = Tape()
        with new_interpreter(rec, f"the JVP rule of {_name(cj.fun)}"):
            tangents = [rec.new_input(_float_zeros(v)) if _is_float_leaf(v) else _float_zeros(v) for v in vals]
            self.in_index = [t.index if isinstance(t, Tracer) else None for t in tangents]
            p_out, t_out = cj._rule(split, vals, tangents)
            p_leaves, p_tree, paths = _out_leaves(p_out)
            t_leaves, t_tree, _ = _out_leaves(t_out)
            _check_tangent_tree(cj, p_tree, t_tree)
            for p in p_leaves:
                if isinstance(p, Tracer) and p._interp is rec:
                    raise TypeError(f"the JVP rule {_name(cj.jvp)} of {_name(cj.fun)} computed its primal output "
                                    "from the tangents: primal_out must depend on the primals only")
            self.out_index = []
            for p, t in zip(p_leaves, t_leaves):
                if t is not None and shape(t) not in (shape(p), ()):
                    _tangent_like(cj, p, t)  # raises the shape error
                self.out_index.append(rec.index_of(t))
        self.nodes = rec.nodes
        self.primal_leaves, self.out_tree, self.paths = p_leaves, p_tree, paths

    def recompute(self, args: Sequence[Any]) -> list:
        """The outputs of the user's function at ``args`` (a checkpoint's recomputation)."""
        return _out_leaves(self.cj.fun(*self.split.call_args(list(args))))[0]

    def forward(self, j: int, tangents: Sequence[Any], batch: tuple) -> Any:
        seeds = {k: t for k, t in zip(self.in_index, tangents) if k is not None and t is not None}
        (t,) = forward_sweep(self.nodes, seeds, [self.out_index[j]], batch)
        p = self.primal_leaves[j]
        if t is None:
            return _float_zeros(p, batch)
        want = tuple(batch) + shape(p)
        return t if shape(t) == want else np.broadcast_to(t, want)

    def jvp_one(self, i: int, j: int, t: Any, args: Sequence[Any]) -> Any:
        """The tangent of output ``j`` when only input leaf ``i`` moves, by ``t`` (for records)."""
        tangents = [None] * len(self.vals)
        tangents[i] = t
        return self.forward(j, tangents, tuple(shape(t)[: ndim(t) - ndim(args[i])]))

    def cotangent(self, i: int, j: int, g: Any, ans: Any) -> Any:
        def sweep() -> list:
            k = self.out_index[j]
            if k is None:
                return [None] * len(self.vals)
            adjoints = backward(self.nodes, k, g)
            return [adjoints[idx] if idx is not None else None for idx in self.in_index]

        c = _call_cache(self, g, j, i, sweep)
        return c if c is not None else _float_zeros(self.vals[i], _batch(g, ans))

    def __repr__(self) -> str:
        return f"<linearized JVP rule of {_name(self.cj.fun)}>"


# ---------------------------------------------------------------- custom_vjp
class custom_vjp:
    """A function with its own reverse-mode rule, as ``jax.custom_vjp``.

    ::

        @ad.custom_vjp
        def f(x): ...

        def f_fwd(x):                   # the value and what bwd will need
            return f(x), residuals

        def f_bwd(residuals, y_bar):    # one cotangent per argument, in a tuple
            return (x_bar,)

        f.defvjp(f_fwd, f_bwd)          # optionally text="..." to show a formula

    ``bwd`` may return ``None`` for an argument that gets zero.  With ``nondiff_argnums``
    those arguments come first: ``bwd(*nondiff, residuals, y_bar)``.  Forward mode
    (``jvp``, ``jacfwd``, ``hessian``) through a custom_vjp function is refused, as in JAX.
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd: Optional[Callable] = None
        self.bwd: Optional[Callable] = None
        self.text: Text = None
        self._sig = _signature(fun)
        self._prims: dict = {}

    def defvjp(self, fwd: Callable, bwd: Callable, *, text: Text = None) -> None:
        """Set the forward pass (value and residuals) and the backward rule."""
        _check_text(_name(self.fun), text, _param_names(self._sig, len(self._sig.parameters), self.nondiff_argnums)
                    if self._sig is not None else None)
        self.fwd, self.bwd, self.text = fwd, bwd, text
        self._prims = {}

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fname = _name(self.fun)
        if self.fwd is None:
            raise AttributeError(f"no VJP rule defined for the custom_vjp function {fname}: "
                                 f"add one with {fname}.defvjp(fwd, bwd)")
        args = _positional(self.fun, self._sig, args, kwargs)
        split = _Split(fname, args, self.nondiff_argnums)
        top = _top(split.leaves)
        if top is None:
            return self.fun(*args)
        _refuse_traced_closure(fname, "ad.custom_vjp", top, self.fun, self.fwd, self.bwd)
        if isinstance(top, JVPInterpreter):
            raise UnsupportedOperation(
                f"forward mode (ad.jvp, ad.jacfwd) cannot differentiate {fname}: it is an ad.custom_vjp "
                f"function, which has only a reverse-mode rule (as in JAX). Use reverse mode (ad.grad, ad.vjp, "
                f"ad.jacrev), or define the rule with ad.custom_jvp, which serves both modes. (ad.hessian runs "
                f"forward mode over fwd and bwd as ordinary code: it works when fwd does not call {fname} itself.)")
        if isinstance(top, Tape):
            return self._reverse(top, split)
        raise UnsupportedOperation(f"{fname}: custom_vjp under an unknown transform {type(top).__name__}")

    def _reverse(self, tape: Tape, split: _Split) -> Any:
        vals, parents = tape.split(split.leaves)
        out = self.fwd(*split.call_args(vals))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"the forward function {_name(self.fwd)} of {_name(self.fun)} must return a pair "
                            f"(output, residuals), got {type(out).__name__}")
        call = _VJPCall(self, split, vals, parents, out[0], out[1])
        prim = self._primitive(split)
        return _record_outputs(tape, prim, parents, vals, call)

    def _primitive(self, split: _Split) -> Primitive:
        key = (split.tree, split.nondiff)
        prim = self._prims.get(key)
        if prim is None:
            display = _display(self, split, _name(self.bwd), "vjp", self.text)
            fname = _name(self.fun)

            def no_forward(i):
                def rule(*args, **kwargs):
                    raise UnsupportedOperation(
                        f"a forward sweep cannot go through {fname}: it is an ad.custom_vjp function, which has "
                        "only a reverse-mode rule (as in JAX)")
                return rule

            prim = self._prims[key] = _make_primitive(
                display, "vjp", jvp=no_forward,
                vjp=lambda i: lambda g, ans, *args, _call, _out, _at: _call.cotangent(i, _out, g, ans),
                impl=lambda *args, _call, _out, _at: _out_leaves(
                    self.fwd(*_call.split.call_args(list(args)))[0])[0][_out],
            )
        return prim


class _VJPCall:
    """One call of a custom_vjp function: its residuals, kept until the reverse sweep."""

    _cache: Optional[list] = None
    _cache_g: Any = None
    _cache_j: int = -1
    _served: int = 0

    def __init__(self, cv: custom_vjp, split: _Split, vals: Sequence[Any], parents: Sequence[Any], out: Any,
                 residuals: Any):
        self.cv, self.split, self.vals, self.residuals = cv, split, list(vals), residuals
        self.needed = max(1, sum(p is not None for p in parents))
        self.primal_leaves, self.out_tree, self.paths = _out_leaves(out)

    def _bwd(self, j: int, g: Any) -> list:
        """Cotangent leaves of every input for adjoint ``g`` of output leaf ``j`` (others zero)."""
        cv = self.cv
        g_tree = self.out_tree.unflatten(
            g if k == j else _float_zeros(p) for k, p in enumerate(self.primal_leaves))
        cts = cv.bwd(*self.split.static, self.residuals, g_tree)
        n_diff = self.split.nargs - len(self.split.nondiff)
        if not isinstance(cts, (tuple, list)) or len(cts) != n_diff:
            got = f"a {type(cts).__name__} of length {len(cts)}" if isinstance(cts, (tuple, list)) else \
                type(cts).__name__
            raise TypeError(f"the backward rule {_name(cv.bwd)} of {_name(cv.fun)} must return a tuple with one "
                            f"cotangent per differentiable argument ({n_diff}), got {got}")
        leaves = []
        for arg_i, (ct, arg_tree) in enumerate(zip(cts, self.split.tree.children if self.split.tree.kind == "tuple"
                                                    else [self.split.tree])):
            n = arg_tree.num_leaves
            if ct is None:
                leaves.extend([None] * n)
                continue
            ct_leaves, ct_tree = tree_flatten(ct)
            if ct_tree != arg_tree:
                raise TypeError(f"the backward rule {_name(cv.bwd)} of {_name(cv.fun)} returned a cotangent with "
                                f"structure {ct_tree} for argument {arg_i}, whose structure is {arg_tree}")
            leaves.extend(ct_leaves)
        out = []
        for c, v in zip(leaves, self.vals):
            if c is not None and shape(c) != shape(v):
                if shape(c) == ():
                    c = c * np.ones(shape(v))
                else:
                    raise ValueError(f"the backward rule {_name(cv.bwd)} of {_name(cv.fun)} returned a cotangent "
                                     f"of shape {shape(c)} for an argument of shape {shape(v)}")
            out.append(c)
        return out

    def cotangent(self, i: int, j: int, g: Any, ans: Any) -> Any:
        batch = _batch(g, ans)

        def run() -> list:
            if not batch:
                return self._bwd(j, g)
            # the user's bwd handles one adjoint: call it per batch entry and stack (jacrev)
            flat = g.reshape((-1,) + shape(ans))
            per = [self._bwd(j, flat[b]) for b in range(shape(flat)[0])]
            stacked = []
            for k, v in enumerate(self.vals):
                cols = [p[k] if p[k] is not None else _float_zeros(v) for p in per]
                stacked.append(np.stack(cols).reshape(batch + shape(v)) if cols else _float_zeros(v, batch))
            return stacked

        c = _call_cache(self, g, j, i, run)
        return c if c is not None else _float_zeros(self.vals[i], batch)

    def __repr__(self) -> str:
        return f"<custom VJP call of {_name(self.cv.fun)}>"


# ---------------------------------------------------------------- checkpoint
class _Checkpointed:
    """``ad.checkpoint(f)``: ``f`` whose intermediates a reverse sweep recomputes."""

    def __init__(self, fun: Callable, static_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.static_argnums = tuple(static_argnums)
        self._sig = _signature(fun)
        self._prims: dict = {}

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fname = _name(self.fun)
        args = _positional(self.fun, self._sig, args, kwargs)
        split = _Split(fname, args, self.static_argnums)
        top = _top(split.leaves)
        if top is None or isinstance(top, JVPInterpreter):
            return self.fun(*args)  # forward mode keeps nothing: there is nothing to save
        if isinstance(top, Tape):
            if top.expand_checkpoints:
                return self._expanded(top, split)
            if _reads_traced(self.fun, top.level):
                # ``ad.checkpoint(lambda t: np.tanh(W @ t))(x)`` with W traced by the same transform:
                # the recomputation runs in the reverse sweep, after that transform has recorded
                # everything, and could not read W then.  Recorded inline instead (as without
                # checkpoint): the same derivatives, the intermediates kept.
                return self.fun(*split.call_args(split.leaves))
            return self._block(top, split)
        raise UnsupportedOperation(f"{fname}: checkpoint under an unknown transform {type(top).__name__}")

    def _expanded(self, tape: Tape, split: _Split) -> Any:
        """A tape for people (ad.trace) records the block's nodes and remembers the block."""
        start = len(tape.nodes)
        inputs = sorted({a.index for a in split.leaves if isinstance(a, Tracer) and a._interp is tape})
        out = self.fun(*split.call_args(split.leaves))
        leaves, tree, _ = _out_leaves(out)
        outputs = tuple(v.index for v in leaves if isinstance(v, Tracer) and v._interp is tape
                        and v.index >= start)
        tape.blocks.append((_name(self.fun), start, len(tape.nodes), tuple(inputs), outputs))
        return tree.unflatten(leaves)

    def _block(self, tape: Tape, split: _Split) -> Any:
        """A tape for derivatives keeps one node per output: inputs in, output out."""
        vals, parents = tape.split(split.leaves)
        block = _Block(self, split, vals, parents)
        prim = self._primitive(split)
        return _record_outputs(tape, prim, parents, vals, block)

    def _primitive(self, split: _Split) -> Primitive:
        key = (split.tree, split.nondiff)
        prim = self._prims.get(key)
        if prim is None:
            display = _display(self, split, "recomputation", "checkpoint", None)
            prim = self._prims[key] = _make_primitive(
                display, "checkpoint",
                jvp=lambda i: lambda t, ans, *args, _call, _out, _at: _call.jvp_one(i, _out, t, args),
                vjp=lambda i: lambda g, ans, *args, _call, _out, _at: _call.cotangent(i, _out, g, ans),
                impl=lambda *args, _call, _out, _at: _call.recompute(args)[_out],
            )
        return prim


class _Block:
    """One call of a checkpointed function on a tape for derivatives.

    Only its inputs and outputs stay on the tape.  When the reverse sweep reaches it, the
    function runs again on a fresh tape (the *recomputation*) and that tape is swept.
    """

    _cache: Optional[list] = None
    _cache_g: Any = None
    _cache_j: int = -1
    _served: int = 0

    def __init__(self, ck: _Checkpointed, split: _Split, vals: Sequence[Any], parents: Sequence[Any]):
        self.ck, self.split, self.vals, self.parents = ck, split, list(vals), list(parents)
        self.needed = max(1, sum(p is not None for p in parents))
        # the value, one level down: a checkpoint there too when transforms are nested
        out = ck(*split.call_args(vals))
        self.primal_leaves, self.out_tree, self.paths = _out_leaves(out)

    def recompute(self, args: Sequence[Any]) -> list:
        return _out_leaves(self.ck.fun(*self.split.call_args(list(args))))[0]

    def _rerun(self) -> tuple[Tape, list, list]:
        """Run the function again on a fresh tape, the traced inputs as its inputs."""
        rec = Tape(slim=True)
        with new_interpreter(rec, f"the recomputation of {_name(self.ck.fun)}"):
            leaves = [rec.new_input(v) if p is not None else v for v, p in zip(self.vals, self.parents)]
            outs = _out_leaves(self.ck.fun(*self.split.call_args(leaves)))[0]
            in_index = [v.index if isinstance(v, Tracer) and v._interp is rec else None for v in leaves]
            out_index = [rec.index_of(o) for o in outs]
        return rec, in_index, out_index

    def cotangent(self, i: int, j: int, g: Any, ans: Any) -> Any:
        def sweep() -> list:
            rec, in_index, out_index = self._rerun()
            k = out_index[j]
            if k is None:
                return [None] * len(self.vals)
            adjoints = backward(rec.nodes, k, g, consume=True)
            return [adjoints[idx] if idx is not None else None for idx in in_index]

        c = _call_cache(self, g, j, i, sweep)
        return c if c is not None else _float_zeros(self.vals[i], _batch(g, ans))

    def jvp_one(self, i: int, j: int, t: Any, args: Sequence[Any]) -> Any:
        rec, in_index, out_index = self._rerun()
        batch = tuple(shape(t)[: ndim(t) - ndim(args[i])])
        (tan,) = forward_sweep(rec.nodes, {in_index[i]: t} if in_index[i] is not None else {}, [out_index[j]], batch)
        p = self.primal_leaves[j]
        return tan if tan is not None else _float_zeros(p, batch)

    def __repr__(self) -> str:
        return f"<checkpointed call of {_name(self.ck.fun)}>"


def checkpoint(fun: Optional[Callable] = None, *, prevent_cse: bool = True, policy: Any = None,
               static_argnums: Sequence[int] = ()) -> Any:
    """``f`` that keeps no intermediates for reverse mode: the sweep recomputes them.

    Use as ``ad.checkpoint(f)`` or ``@ad.checkpoint``.  Derivatives are unchanged (tested);
    what changes is memory: a reverse-mode tape keeps only the block's inputs and outputs,
    and the reverse sweep runs the block again when it reaches it.  ``ad.trace`` records
    the block's nodes and marks them (``t.checkpoints``); its reverse sweep records the
    recomputation as steps, and ``t.memory()`` counts values kept with and without it.
    ``prevent_cse`` is accepted for JAX compatibility (adviz never merges computations);
    ``policy`` (JAX's selective saving) is not supported.
    """
    if policy is not None:
        raise UnsupportedOperation("ad.checkpoint(policy=...) is not supported: adviz recomputes the whole block")
    if fun is None:
        return lambda f: checkpoint(f, prevent_cse=prevent_cse, static_argnums=static_argnums)
    return _Checkpointed(fun, static_argnums)


remat = checkpoint
