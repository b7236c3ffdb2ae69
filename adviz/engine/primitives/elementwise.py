"""Elementwise primitives: each is fully described by its local partial derivatives.

Read each entry as a line of a calculus table: ``sin`` has partial ``cos(x)``, ``x * y``
has partials ``y`` and ``x``.  ``fn(ans, *args)`` computes the partial's value (``ans`` is
the primitive's result, handy when the derivative reuses it, as for ``exp`` or ``tanh``);
the text is what tables and graphs print.  Forward and reverse rules are derived from the
partials in ``core.py``; a few entries override a rule only to save a multiplication
(``x̄ += ȳ / y`` instead of ``ȳ · (1/y)``), never to change the math.

Some partials also carry their **second-order rule** (``second=``): the partials of the
partial itself, one more line of the calculus table.  ``sin`` has partial ``cos(x)``, and
``cos(x)`` has partial ``−sin(x)``: that is ``sin''``.  A Hessian-vector product needs
them (see ``second_order.py``); where none is declared, forward mode differentiates the
partial's formula instead, which gives the same numbers with more work.
"""

from __future__ import annotations

import operator

import numpy as np

from ..tracer import for_mask, writes_code
from .core import (MINUS_ONE, ONE, Partial, Primitive, align, dtype_of, fits_in, float_mask, ndim, recip, register,
                   shape, unbroadcast)

LOG2 = float(np.log(2.0))  # Python floats are "weak": float32 stays float32
LOG10 = float(np.log(10.0))


def _mask(condition, like):
    """A new 0/1 array in ``like``'s floating dtype (a bare bool mask would promote to float64).

    Always a copy: partials are declared fresh, so the sweeps may update them in place, and
    ``condition`` can be the user's own array (``np.where(c, a, b)`` with a float ``c``).
    """
    return float_mask(condition, like.dtype)  # traced: a recorded comparison (Trace.to_python's code)


def unary(name, impl, fn, text, latex=None, *, template=None, symbol=None, prim_latex=None, jvp=None, vjp=None,
          fresh=True, vjp_reads="all", code=None, reuse=None, second=None):
    return register(
        Primitive(
            name=name,
            impl=impl,
            template=template or f"{name}({{0}})",
            symbol=symbol or name,
            latex=prim_latex or f"\\operatorname{{{name}}}({{0}})",
            partials=(Partial(fn, text, latex, fresh=fresh, reuse=reuse, second=second),),
            jvps=(jvp,),
            vjps=(vjp,),
            vjp_reads=vjp_reads,
            code=code,
        )
    )


def binary(name, impl, partials, *, template, symbol, latex="", jvps=(None, None), vjps=(None, None),
           vjp_reads="all", code=None):
    return register(
        Primitive(name=name, impl=impl, template=template, symbol=symbol, latex=latex,
                  partials=partials, jvps=jvps, vjps=vjps, vjp_reads=vjp_reads, code=code)
    )


def _reduce_rule(i, fn):
    """A reverse rule ``x̄ᵢ += unbroadcast(fn(ȳ, ans, *args))`` (used to save a multiply)."""

    def vjp(g, ans, *args, **params):
        return unbroadcast(fn(g, ans, *args), shape(args[i]), ndim(g) - ndim(ans))

    return vjp


def _fwd_rule(i, fn):
    def jvp(t, ans, *args, **params):
        return fn(align(t, ndim(args[i]), ndim(ans)), ans, *args)

    return jvp


# Second-order rules are written as the partials of a partial's formula with respect to
# (ans, operand 0, operand 1, …); these two build that tuple for a one-operand primitive.
def of_ans(p: Partial) -> tuple:
    """The partial's formula reads the result only: ``(∂p/∂ans, 0)``."""
    return (p, None)


def of_x(p: Partial) -> tuple:
    """The partial's formula reads the operand only: ``(0, ∂p/∂x)`` — the textbook f''."""
    return (None, p)


def _minus_recip_square(q):
    """``-1/q²`` for a ``q`` the caller just made (computed in place when it is an array)."""
    q = recip(q)
    if type(q) is np.ndarray and q.flags.writeable:
        return np.negative(np.multiply(q, q, out=q), out=q)
    return -(q * q)


# Three rules that write into the array they have just made instead of allocating another
# (the same operations on the same numbers: on large arrays an allocation costs more than
# the arithmetic).
def _minus_ratio_times(t, ans, x, y):
    """The tangent through a divisor: ``-(ans / y) · t``."""
    r = ans / y
    if fits_in(r, t):
        return np.negative(np.multiply(r, t, out=r), out=r)
    return -r * t


def _over_one_plus(t, ans, x):
    """log1p's tangent ``t / (1 + x)``."""
    q = 1.0 + x
    return np.divide(t, q, out=q) if fits_in(q, t) else t / q


def _one_minus_square(ans, x):
    """tanh's partial ``1 - ans²``."""
    sq = ans * ans
    return np.subtract(1.0, sq, out=sq) if type(sq) is np.ndarray and sq.flags.writeable else 1.0 - sq


# ---------------------------------------------------------------- arithmetic
add = binary("add", operator.add, (ONE, ONE), template="{0} + {1}", symbol="+", latex="{0} + {1}", vjp_reads="nothing",
             code="{0} + {1}")
subtract = binary("subtract", operator.sub, (ONE, MINUS_ONE), template="{0} - {1}", symbol="−", latex="{0} - {1}",
                  vjp_reads="nothing", code="{0} - {1}")
multiply = binary(
    "multiply", operator.mul,
    # ∂(x·y)/∂x = y, whose own partial with respect to y is 1 (and the other way round)
    (Partial(lambda ans, x, y: y, "{1}", fresh=False, second=(None, None, ONE)),
     Partial(lambda ans, x, y: x, "{0}", fresh=False, second=(None, ONE, None))),
    template="{0} * {1}", symbol="×", latex=r"{0} \cdot {1}", vjp_reads="args", code="{0} * {1}")
true_divide = binary(
    "true_divide", operator.truediv,
    # ∂/∂x = 1/y, whose own partial is −1/y² (in y); ∂/∂y = −ans/y, written with the result
    (Partial(lambda ans, x, y: 1.0 / y, "1/{1}", r"\frac{{1}}{{{1}}}",
             second=(None, None, Partial(lambda ans, x, y: -1.0 / (y * y), "-1/{1}**2"))),
     Partial(lambda ans, x, y: -ans / y, "-{0}/{1}**2", r"-\frac{{{0}}}{{{1}^2}}",
             second=(Partial(lambda ans, x, y: -1.0 / y, "-1/{1}"), None,
                     Partial(lambda ans, x, y: ans / (y * y), "{0}/{1}**3")))),
    template="{0} / {1}", symbol="÷", latex=r"\frac{{{0}}}{{{1}}}", code="{0} / {1}",
    jvps=(_fwd_rule(0, lambda t, ans, x, y: t / y), _fwd_rule(1, _minus_ratio_times)),
    vjps=(_reduce_rule(0, lambda g, ans, x, y: g / y), _reduce_rule(1, lambda g, ans, x, y: -g * ans / y)),
    # the divisor's rule reads the result; the numerator's only the divisor (x / 2.0 keeps no result)
    vjp_reads=lambda parents: "all" if parents[1] is not None else "args",
)
# the partial -1 itself (not a function returning -1): rules negate, in place when they may
negative = register(Primitive(name="negative", impl=operator.neg, template="-{0}", symbol="−", latex="-{0}",
                              partials=(MINUS_ONE,), vjp_reads="nothing", code="-{0}"))
positive = unary("positive", operator.pos, ONE.fn, "1", "1", template="+{0}", symbol="+",
                 jvp=_fwd_rule(0, lambda t, ans, x: t), vjp=_reduce_rule(0, lambda g, ans, x: g),
    vjp_reads="nothing", code="+{0}")


def _power_base_partial(ans, x, y):
    from ..tracer import Tracer

    if not isinstance(y, Tracer) and np.ndim(y) == 0:
        if y == 2:
            return 2.0 * x
        if y == 1:  # ones of x's shape (read without its numbers: Trace.to_python writes it as code)
            return np.ones(shape(x), dtype=dtype_of(x)) if ndim(x) else 1.0 + 0.0 * x
        if y == 0:
            return 0.0 * x
    return y * _base_where_exponent_is(x, y, 0) ** (y - 1)


def _base_where_exponent_is(x, y, *exponents):
    """``x`` with 1 where the exponent is one of ``exponents``: the partial ``y·x**(y-1)`` of an
    array of exponents holding 0 is 0 there, but at x = 0 it would read 0·0**(-1) = 0·inf = NaN
    (``x**np.array([0., 1.])`` at 0).  Replacing the base (not the result) keeps the unselected
    branch finite, so its derivative does not leak NaN either."""
    m = for_mask(y)
    mask = m == exponents[0]
    for e in exponents[1:]:
        mask = mask | (m == e)
    return np.where(mask, 1.0, x) if writes_code(x, y) or np.any(mask) else x


def _power_base_text(ops, vals, ans):
    x, y = ops
    yv = vals[1]
    from ..tracer import Tracer

    if not isinstance(yv, Tracer) and np.ndim(yv) == 0:
        yf = float(np.real(yv))
        if yf == 2:
            return f"2*{x}"
        if yf == 1:
            return "1"
        if yf == 0:
            return "0"
        if yf == 0.5:
            return f"0.5/sqrt({x})"
        return f"{y}*{x}**{_num(yf - 1)}"
    return f"{y}*{x}**({y} - 1)"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _power_base_second(ans, x, y):
    """∂/∂x of the base's partial ``y·x**(y-1)``: ``y·(y-1)·x**(y-2)`` (2 for ``x**2``)."""
    from ..tracer import Tracer

    if not isinstance(y, Tracer) and np.ndim(y) == 0:
        if y == 2:
            return 2.0
        if y == 1 or y == 0:
            return 0.0
    return y * (y - 1) * _base_where_exponent_is(x, y, 0, 1) ** (y - 2)


def _power_base_second_text(ops, vals, ans):
    x, y = ops
    yv = vals[1]
    from ..tracer import Tracer

    if not isinstance(yv, Tracer) and np.ndim(yv) == 0:
        yf = float(np.real(yv))
        if yf == 2:
            return "2"
        if yf in (0, 1):
            return "0"
        return f"{_num(yf * (yf - 1))}*{x}**{_num(yf - 2)}"
    return f"{y}*({y} - 1)*{x}**({y} - 2)"


def _power_base_mixed(ans, x, y):
    """∂/∂y of the base's partial ``y·x**(y-1)``: ``x**(y-1) + y·∂/∂y x**(y-1)``, the last
    term being the exponent's own partial of ``x**(y-1)`` (0 where x = 0, as there)."""
    q = x ** (y - 1)
    return q + y * _power_exponent_partial(q, x, y - 1)


def _power_exponent_partial(ans, x, y):
    # d/dy x**y = x**y · log(x); where x == 0 the limit is 0 (for y > 0), not 0·(-inf).
    from ..tracer import Tracer

    if not isinstance(x, Tracer) and np.ndim(x) == 0:  # a constant base, e.g. 2.0**y
        return ans * float(np.log(x)) if x != 0 else 0.0 * ans
    zero = x == 0
    safe_x = np.where(zero, 1.0, x)
    return np.where(zero, 0.0 * ans, ans * np.log(safe_x))


power = binary(
    "power", operator.pow,
    # The exponent's partial declares no second-order rule: a traced exponent sends the node
    # to forward mode.  The base's does, since an exponent may carry a tangent (from an
    # outer transform) without being traced by the reverse sweep itself.
    (Partial(_power_base_partial, _power_base_text, None,
             second=(None, Partial(_power_base_second, _power_base_second_text),
                     Partial(_power_base_mixed, "{0}**({1} - 1)*(1 + {1}*log({0}))"))),
     Partial(_power_exponent_partial, "log({0})*{0}**{1}", r"\log({0})\,{0}^{{{1}}}")),
    template="{0}**{1}", symbol="^", latex="{0}^{{{1}}}", code="{0}**{1}",
    # the exponent's partial x**y·log(x) reads the result; the base's partial does not
    vjp_reads=lambda parents: "all" if parents[1] is not None else "args",
)
square = unary("square", np.square, lambda ans, x: 2.0 * x, "2*{0}", "2{0}", template="{0}**2", symbol="x²", prim_latex="{0}^2", vjp_reads="args",
               second=of_x(Partial(lambda ans, x: 2.0, "2")))
reciprocal = unary("reciprocal", np.reciprocal, lambda ans, x: -(ans * ans), "-1/{0}**2", r"-\frac{{1}}{{{0}^2}}",
                   template="1/{0}", symbol="1/x", prim_latex=r"\frac{{1}}{{{0}}}",
    vjp_reads="ans", second=of_ans(Partial(lambda ans, x: -2.0 * ans, "-2/{0}")))

# ---------------------------------------------------------------- powers, exponentials, logarithms
sqrt = unary("sqrt", np.sqrt, lambda ans, x: 0.5 / ans, "1/(2*sqrt({0}))", r"\frac{{1}}{{2\sqrt{{{0}}}}}",
             symbol="√", prim_latex=r"\sqrt{{{0}}}",
    vjp_reads="ans", second=of_ans(Partial(lambda ans, x: -0.5 / (ans * ans), "-1/(2*sqrt({0})**2)")))
cbrt = unary("cbrt", np.cbrt, lambda ans, x: 1.0 / (3.0 * ans * ans), "1/(3*cbrt({0})**2)",
             r"\frac{{1}}{{3\sqrt[3]{{{0}}}^2}}", symbol="∛", prim_latex=r"\sqrt[3]{{{0}}}",
    vjp_reads="ans", second=of_ans(Partial(lambda ans, x: -2.0 / (3.0 * ans * ans * ans), "-2/(3*{0})")))
exp = unary("exp", np.exp, lambda ans, x: ans, "exp({0})", r"e^{{{0}}}", prim_latex=r"e^{{{0}}}", fresh=False, vjp_reads="ans",
            second=of_ans(ONE))  # the partial is the result itself: its tangent is the result's tangent
expm1 = unary("expm1", np.expm1, lambda ans, x: ans + 1.0, "exp({0})", r"e^{{{0}}}", vjp_reads="ans",
              second=of_ans(ONE))
exp2 = unary("exp2", np.exp2, lambda ans, x: ans * LOG2, "2**{0}*log(2)", r"2^{{{0}}}\ln 2", prim_latex="2^{{{0}}}", vjp_reads="ans",
             second=of_ans(Partial(lambda ans, x: LOG2, "log(2)")))
log = unary("log", np.log, lambda ans, x: 1.0 / x, "1/{0}", r"\frac{{1}}{{{0}}}", prim_latex=r"\log({0})",
            jvp=_fwd_rule(0, lambda t, ans, x: t / x), vjp=_reduce_rule(0, lambda g, ans, x: g / x),
    vjp_reads="args", second=of_x(Partial(lambda ans, x: -1.0 / (x * x), "-1/{0}**2")))
log1p = unary("log1p", np.log1p, lambda ans, x: recip(1.0 + x), "1/(1 + {0})", r"\frac{{1}}{{1+{0}}}",
              jvp=_fwd_rule(0, _over_one_plus),
    vjp_reads="args", second=of_x(Partial(lambda ans, x: _minus_recip_square(1.0 + x), "-1/(1 + {0})**2")))
log2 = unary("log2", np.log2, lambda ans, x: 1.0 / (x * LOG2), "1/({0}*log(2))", r"\frac{{1}}{{{0}\ln 2}}", vjp_reads="args",
             second=of_x(Partial(lambda ans, x: -1.0 / (x * x * LOG2), "-1/({0}**2*log(2))")))
log10 = unary("log10", np.log10, lambda ans, x: 1.0 / (x * LOG10), "1/({0}*log(10))", r"\frac{{1}}{{{0}\ln 10}}", vjp_reads="args",
              second=of_x(Partial(lambda ans, x: -1.0 / (x * x * LOG10), "-1/({0}**2*log(10))")))

# ---------------------------------------------------------------- trigonometric and hyperbolic
sin = unary("sin", np.sin, lambda ans, x: np.cos(x), "cos({0})", r"\cos({0})", prim_latex=r"\sin({0})", vjp_reads="args", reuse=("cos", 1.0),
            second=of_x(Partial(lambda ans, x: -np.sin(x), "-sin({0})", reuse=("sin", -1.0))))
cos = unary("cos", np.cos, lambda ans, x: -np.sin(x), "-sin({0})", r"-\sin({0})", prim_latex=r"\cos({0})", vjp_reads="args", reuse=("sin", -1.0),
            second=of_x(Partial(lambda ans, x: -np.cos(x), "-cos({0})", reuse=("cos", -1.0))))
tan = unary("tan", np.tan, lambda ans, x: 1.0 + ans * ans, "1 + tan({0})**2", r"1+\tan^2({0})", prim_latex=r"\tan({0})", vjp_reads="ans",
            second=of_ans(Partial(lambda ans, x: 2.0 * ans, "2*tan({0})")))
arcsin = unary("arcsin", np.arcsin, lambda ans, x: 1.0 / np.sqrt(1.0 - x * x), "1/sqrt(1 - {0}**2)", r"\frac{{1}}{{\sqrt{{1-{0}^2}}}}", vjp_reads="args")
arccos = unary("arccos", np.arccos, lambda ans, x: -1.0 / np.sqrt(1.0 - x * x), "-1/sqrt(1 - {0}**2)", r"-\frac{{1}}{{\sqrt{{1-{0}^2}}}}", vjp_reads="args")
arctan = unary("arctan", np.arctan, lambda ans, x: 1.0 / (1.0 + x * x), "1/(1 + {0}**2)", r"\frac{{1}}{{1+{0}^2}}", vjp_reads="args",
               second=of_x(Partial(lambda ans, x: -2.0 * x / ((1.0 + x * x) * (1.0 + x * x)), "-2*{0}/(1 + {0}**2)**2")))
sinh = unary("sinh", np.sinh, lambda ans, x: np.cosh(x), "cosh({0})", r"\cosh({0})", vjp_reads="args", reuse=("cosh", 1.0),
             second=of_x(Partial(lambda ans, x: np.sinh(x), "sinh({0})", reuse=("sinh", 1.0))))
cosh = unary("cosh", np.cosh, lambda ans, x: np.sinh(x), "sinh({0})", r"\sinh({0})", vjp_reads="args", reuse=("sinh", 1.0),
             second=of_x(Partial(lambda ans, x: np.cosh(x), "cosh({0})", reuse=("cosh", 1.0))))
tanh = unary("tanh", np.tanh, _one_minus_square, "1 - tanh({0})**2", r"1-\tanh^2({0})", prim_latex=r"\tanh({0})", vjp_reads="ans",
             second=of_ans(Partial(lambda ans, x: -2.0 * ans, "-2*tanh({0})")))
arcsinh = unary("arcsinh", np.arcsinh, lambda ans, x: 1.0 / np.sqrt(x * x + 1.0), "1/sqrt({0}**2 + 1)", r"\frac{{1}}{{\sqrt{{{0}^2+1}}}}", vjp_reads="args")
arccosh = unary("arccosh", np.arccosh, lambda ans, x: 1.0 / np.sqrt(x * x - 1.0), "1/sqrt({0}**2 - 1)", r"\frac{{1}}{{\sqrt{{{0}^2-1}}}}", vjp_reads="args")
arctanh = unary("arctanh", np.arctanh, lambda ans, x: 1.0 / (1.0 - x * x), "1/(1 - {0}**2)", r"\frac{{1}}{{1-{0}^2}}", vjp_reads="args")

# ---------------------------------------------------------------- kinks: abs, max/min, clip, where
absolute = unary("absolute", np.absolute, lambda ans, x: np.sign(x), "sign({0})", r"\operatorname{{sign}}({0})",
                 template="abs({0})", symbol="|x|", prim_latex=r"\lvert {0} \rvert",
    vjp_reads="args")


def _tie_split(a, b, ans):
    """1 where ``a`` wins, ½ at a tie (the symmetric choice JAX and autograd make), else 0."""
    return _mask((a > b) * 1.0 + (a == b) * 0.5, ans)


maximum = binary("maximum", np.maximum,
                 (Partial(lambda ans, x, y: _tie_split(x, y, ans), "[{0} > {1}]"),
                  Partial(lambda ans, x, y: _tie_split(y, x, ans), "[{1} > {0}]")),
                 template="maximum({0}, {1})", symbol="max", latex=r"\max({0}, {1})", vjp_reads="args")
minimum = binary("minimum", np.minimum,
                 (Partial(lambda ans, x, y: _tie_split(y, x, ans), "[{0} < {1}]"),
                  Partial(lambda ans, x, y: _tie_split(x, y, ans), "[{1} < {0}]")),
                 template="minimum({0}, {1})", symbol="min", latex=r"\min({0}, {1})", vjp_reads="args")


def _nan_aware_split(a, b, ans, wins=operator.gt):
    """``fmax``/``fmin`` ignore a NaN operand: the other one wins outright (ties still split ½)."""
    wins_or_nan = np.logical_or(wins(a, b), np.logical_and(np.isnan(b), np.logical_not(np.isnan(a))))
    return _mask(wins_or_nan * 1.0 + (a == b) * 0.5, ans)


fmax = binary("fmax", np.fmax,
              (Partial(lambda ans, x, y: _nan_aware_split(x, y, ans), "[{0} > {1} or {1} is nan]"),
               Partial(lambda ans, x, y: _nan_aware_split(y, x, ans), "[{1} > {0} or {0} is nan]")),
              template="fmax({0}, {1})", symbol="fmax", latex=r"\max({0}, {1})", vjp_reads="args")
fmin = binary("fmin", np.fmin,
              (Partial(lambda ans, x, y: _nan_aware_split(x, y, ans, operator.lt), "[{0} < {1} or {1} is nan]"),
               Partial(lambda ans, x, y: _nan_aware_split(y, x, ans, operator.lt), "[{1} < {0} or {0} is nan]")),
              template="fmin({0}, {1})", symbol="fmin", latex=r"\min({0}, {1})", vjp_reads="args")
def _clip_shares(x, lo, hi):
    """How ``clip(x, lo, hi) = minimum(maximum(x, lo), hi)`` splits its slope among x, lo, hi.

    The slope goes to whichever operand is the result; at a bound it is shared ½/½, exactly
    as ``maximum``/``minimum`` share a tie (JAX's choice, and the mean of the two one-sided
    slopes, which is what central differences see).  The masks are piecewise constant, so
    they are computed on concrete values (written as code by Trace.to_python: :func:`for_mask`).
    """
    x, lo, hi = for_mask(x), for_mask(lo), for_mask(hi)
    m = np.maximum(x, lo)
    through_m = (m < hi) + 0.5 * (m == hi)
    return through_m * ((x > lo) + 0.5 * (x == lo)), through_m * ((lo > x) + 0.5 * (x == lo)), \
        (hi < m) + 0.5 * (m == hi)


clip = register(Primitive(
    name="clip", impl=np.clip, template="clip({0}, {1}, {2})", symbol="clip", latex=r"\operatorname{{clip}}({0}, {1}, {2})",
    partials=(Partial(lambda ans, x, lo, hi: _mask(_clip_shares(x, lo, hi)[0], ans), "[{1} < {0} < {2}] (½ at a bound)"),
              Partial(lambda ans, x, lo, hi: _mask(_clip_shares(x, lo, hi)[1], ans), "[{0} < {1}] (½ at a bound)"),
              Partial(lambda ans, x, lo, hi: _mask(_clip_shares(x, lo, hi)[2], ans), "[{0} > {2}] (½ at a bound)")),
    vjp_reads="args",  # masks of the operands (of the result, only its dtype)
))
def _where_jvp_all(tangents, ans, c, x, y):
    """The tangent *selected*, not ``[c]·ẋ + [not c]·ẏ``: the branch not taken may carry a nan
    or inf tangent (``np.where(x > 0, np.sqrt(x), 0.0)`` at ``x = -1``), and 0·nan is nan.
    Forward mode then agrees with central differences (and with JAX's select)."""
    _, tx, ty = tangents
    if tx is None and ty is None:
        return None
    zero = np.zeros((), dtype=dtype_of(ans))
    tx = zero if tx is None else align(tx, ndim(x), ndim(ans))
    ty = zero if ty is None else align(ty, ndim(y), ndim(ans))
    return np.where(c, tx, ty)


where = register(Primitive(
    name="where", impl=np.where, template="where({0}, {1}, {2})", symbol="where",
    latex=r"\operatorname{{where}}({0}, {1}, {2})",
    partials=(None,
              Partial(lambda ans, c, x, y: _mask(c, ans), "[{0}]", kind="select"),
              Partial(lambda ans, c, x, y: _mask(~np.asarray(c, dtype=bool), ans), "[not {0}]", kind="select")),
    jvp_all=_where_jvp_all,
    vjp_reads="args",  # the condition (of the result, only its dtype and shape)
))

# ---------------------------------------------------------------- remainders: slope 1 between the jumps
remainder = binary("remainder", np.remainder,
                   (ONE, Partial(lambda ans, x, y: -np.floor(x / y), "-floor({0}/{1})")),
                   template="{0} % {1}", symbol="mod", latex=r"{0} \bmod {1}", vjp_reads="args")
fmod = binary("fmod", np.fmod,
              (ONE, Partial(lambda ans, x, y: -np.trunc(x / y), "-trunc({0}/{1})")),
              template="fmod({0}, {1})", symbol="fmod", latex=r"\operatorname{{fmod}}({0}, {1})", vjp_reads="args")

# ---------------------------------------------------------------- two-argument functions
arctan2 = binary("arctan2", np.arctan2,
                 (Partial(lambda ans, y, x: x / (x * x + y * y), "{1}/({0}**2 + {1}**2)"),
                  Partial(lambda ans, y, x: -y / (x * x + y * y), "-{0}/({0}**2 + {1}**2)")),
                 template="arctan2({0}, {1})", symbol="atan2", latex=r"\operatorname{{atan2}}({0}, {1})",
                 vjp_reads="args")
logaddexp = binary("logaddexp", np.logaddexp,
                   (Partial(lambda ans, x, y: np.exp(x - ans), "exp({0} - {ans})"),
                    Partial(lambda ans, x, y: np.exp(y - ans), "exp({1} - {ans})")),
                   template="logaddexp({0}, {1})", symbol="lse", latex=r"\log(e^{{{0}}}+e^{{{1}}})")
logaddexp2 = binary("logaddexp2", np.logaddexp2,
                    (Partial(lambda ans, x, y: np.exp2(x - ans), "2**({0} - {ans})"),
                     Partial(lambda ans, x, y: np.exp2(y - ans), "2**({1} - {ans})")),
                    template="logaddexp2({0}, {1})", symbol="lse2", latex=r"\log_2(2^{{{0}}}+2^{{{1}}})")


def _over_hypot(v, ans):
    """``v / hypot``, with 0 at the origin (the 0 subgradient, as ``abs`` has at 0) instead of 0/0."""
    return v / np.where(for_mask(ans) == 0, 1.0, ans)


hypot = binary("hypot", np.hypot,
               (Partial(lambda ans, x, y: _over_hypot(x, ans), "{0}/{ans}"),
                Partial(lambda ans, x, y: _over_hypot(y, ans), "{1}/{ans}")),
               template="hypot({0}, {1})", symbol="hypot", latex=r"\sqrt{{{0}^2+{1}^2}}")


copysign = binary("copysign", np.copysign,
                  (Partial(lambda ans, x, y: np.sign(x) * np.copysign(1.0, y), "sign({0})·sign({1})"), None),
                  template="copysign({0}, {1})", symbol="copysign", latex=r"\operatorname{{copysign}}({0}, {1})",
                  vjp_reads="args")


def _sinc_slope(ans, x):
    """d/dx sin(πx)/(πx) = (cos(πx) − sinc(x)) / x, and its Taylor series −π²x/3 + π⁴x³/30 near 0.

    At 0 the closed form is 0/0; the series is exact to rounding for |x| < 1e-3 and, being
    written with traceable operations, gives the right second derivative there (−π²/3).
    """
    small = np.abs(for_mask(x)) < 1e-3
    safe = np.where(small, 1.0, x)
    series = x * (-(np.pi ** 2) / 3.0) + x * x * x * (np.pi ** 4 / 30.0)
    return np.where(small, series, (np.cos(np.pi * x) - ans) / safe)


sinc = unary("sinc", np.sinc, _sinc_slope, "(cos(π·{0}) - sinc({0}))/{0}",
             r"\frac{{\cos(\pi {0}) - \operatorname{{sinc}}({0})}}{{{0}}}")


def _i1_impl(x):
    """The modified Bessel function I₁ (NumPy has ``np.i0`` but no ``i1``): ``i0``'s slope.

    For ``|x| < 20`` its power series ``Σₖ (x/2)^(2k+1) / (k! (k+1)!)``, 60 terms (all positive:
    no cancellation); beyond, the asymptotic series ``e^|x| / √(2π|x|) · (1 + Σₖ aₖ)`` with
    ``aₖ = Πⱼ≤ₖ ((2j−1)² − 4) / (8j|x|)``, 20 terms.  Both agree with SciPy's ``i1`` to
    rounding.  I₁ is odd.  Written with whole-array NumPy calls only, so that
    ``Trace.to_python`` can print it (``I1_CODE`` is the same expression).
    """
    ax = np.abs(x)
    k = np.arange(60)
    big = np.maximum(ax, 20.0)
    j = np.arange(1.0, 21.0)
    with np.errstate(over="ignore"):  # the branch not taken may overflow: np.where drops it
        series = np.sum(np.power.outer(ax / 2.0, 2.0 * k + 1.0)
                        / (np.cumprod(np.r_[1.0, np.arange(1.0, 60.0)]) * np.cumprod(np.arange(1.0, 61.0))), axis=-1)
        asym = np.exp(big) / np.sqrt(2.0 * np.pi * big) * (
            1.0 + np.sum(np.cumprod(((2.0 * j - 1.0) ** 2 - 4.0) / (8.0 * j * np.expand_dims(big, -1)), axis=-1),
                         axis=-1))
        out = np.sign(x) * np.where(ax < 20.0, series, asym)
    dtype = np.asarray(x).dtype
    # computed in float64 (the series' constants are); a float32 or float16 x gets its own precision
    # back, as np.i0 keeps it, so a tangent of I0 has the primal's dtype
    return out.astype(dtype) if dtype.kind == "f" and dtype.itemsize < 8 else out


I1_CODE = ("np.sign({0}) * np.where(np.abs({0}) < 20.0, np.sum(np.power.outer(np.abs({0}) / 2.0, "
           "2.0 * np.arange(60) + 1.0) / (np.cumprod(np.r_[1.0, np.arange(1.0, 60.0)]) * "
           "np.cumprod(np.arange(1.0, 61.0))), axis=-1), np.exp(np.maximum(np.abs({0}), 20.0)) / "
           "np.sqrt(2.0 * np.pi * np.maximum(np.abs({0}), 20.0)) * (1.0 + np.sum(np.cumprod(((2.0 * "
           "np.arange(1.0, 21.0) - 1.0) ** 2 - 4.0) / (8.0 * np.arange(1.0, 21.0) * "
           "np.expand_dims(np.maximum(np.abs({0}), 20.0), -1)), axis=-1), axis=-1)))")


def _i1_slope(ans, x):
    """I₁' = I₀ − I₁/x, and ½ at 0 (the limit; I₁(x) ≈ x/2 there)."""
    zero = for_mask(x) == 0
    return np.where(zero, 0.5, np.i0(x) - ans / np.where(zero, 1.0, x))


i0 = unary("i0", np.i0, lambda ans, x: i1_of(x), "i1({0})", r"I_1({0})",
           prim_latex=r"I_0({0})")
i1 = unary("i1", _i1_impl, _i1_slope, "i0({0}) - i1({0})/{0}", r"I_0({0}) - \frac{{I_1({0})}}{{{0}}}",
           prim_latex=r"I_1({0})", code=I1_CODE)


def i1_of(x):
    """I₁ of a value or traced value (``i0``'s partial, traced itself for second derivatives)."""
    from ..tracer import bind

    return bind(i1, x)


# nextafter(x, y) is x moved one floating-point step towards y: slope 1 in x, 0 in y
# (a step function of y), which is what a central difference of it measures.
nextafter = binary("nextafter", np.nextafter, (ONE, None), template="nextafter({0}, {1})", symbol="nextafter",
                   latex=r"\operatorname{{nextafter}}({0}, {1})", vjp_reads="nothing")


def _astype_impl(x, dtype):
    return x.astype(dtype) if hasattr(x, "astype") else np.asarray(x, dtype=dtype)


astype = register(Primitive(
    name="astype", impl=_astype_impl, template="{0}.astype({dtype})", symbol="cast", code="np.asarray({0}, dtype={dtype})",
    partials=(ONE,),
    jvps=(lambda t, ans, x, dtype: t.astype(dtype),),
    vjps=(lambda g, ans, x, dtype: g.astype(dtype_of(x)),),
    vjp_reads="nothing",  # the operand's dtype only, which a stand-in keeps
))

# ---------------------------------------------------------------- not differentiable: plain values
# Comparisons, sign, rounding and integer casts have derivative zero almost everywhere (or
# none at all); they return plain, untraced values, and control flow follows the branch taken.
NONDIFFERENTIABLE_UFUNCS = (
    np.sign, np.floor, np.ceil, np.trunc, np.rint, np.greater, np.greater_equal, np.less,
    np.less_equal, np.equal, np.not_equal, np.logical_and, np.logical_or, np.logical_not,
    np.logical_xor, np.isfinite, np.isnan, np.isinf, np.signbit, np.floor_divide,
    np.bitwise_and, np.bitwise_or, np.invert, np.heaviside,
    np.spacing,  # the distance to the next float: a step function of x
)
for _uf in NONDIFFERENTIABLE_UFUNCS:
    register(Primitive(name=_uf.__name__, impl=_uf, template=f"{_uf.__name__}({{0}})", symbol=_uf.__name__,
                       differentiable=False))
