# %% [markdown]
# # Lesson 12 · How AD systems are built
#
# *About 30 minutes.* Every AD system you will meet — PyTorch, JAX, TensorFlow, Tapenade, the
# micrograd you can read in five minutes, adviz itself — computes the same chain rule. They differ
# in **how they get hold of your program**. You will learn the three ways:
#
# * **operator overloading**: hand the program special numbers whose `+`, `*` and `sin` also
#   compute derivatives (dual numbers, micrograd's `Value`, PyTorch tensors);
# * **tracing**: hand it special numbers that *record* every operation, and keep the record — a
#   tape, a graph or a small program (adviz's `ad.trace`, JAX's jaxprs);
# * **source transformation**: read a program and *write a new program* that computes the
#   derivative (Tapenade, ADIFOR; adviz's `Trace.to_python`), then run that.
#
# You will build a tiny system of the first and of the third kind, and check what they compute
# against finite differences — never against the system itself.

# %%
import math

import numpy as np

import adviz as ad
from adviz.course import ad_systems as course   # this lesson's checks and "predict, then run" questions

# %% [markdown]
# Our running example is the survey's function (Baydin et al. 2018, table 2):
#
# $$f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2, \qquad
#   \frac{\partial f}{\partial x_1} = \frac{1}{x_1} + x_2, \quad
#   \frac{\partial f}{\partial x_2} = x_1 - \cos x_2 .$$
#
# At $(2, 5)$ the gradient is $(5.5,\ 2 - \cos 5)$. Central differences agree:

# %%
def f(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


h = 1e-6
fd = (float((f(2 + h, 5) - f(2 - h, 5)) / (2 * h)), float((f(2, 5 + h) - f(2, 5 - h)) / (2 * h)))
print("central differences:", fd)
print("by hand:            ", (1 / 2 + 5, 2 - math.cos(5)))

# %% [markdown]
# ## 1. Operator overloading: numbers that carry their derivative
#
# Python turns `a * b` into a method call, `a.__mul__(b)`. A class that defines `__mul__` decides
# what `*` means for its objects. Lesson 2's dual numbers $a + b\varepsilon$ ($\varepsilon^2 = 0$)
# use this: the value part is computed as usual, the $\varepsilon$ part (the *tangent*) follows the
# product rule. Here is a minimal class with `+`, `*` and unary `-`:

# %%
class Dual:
    """A dual number value + tangent·ε (ε² = 0): forward mode by operator overloading."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    @staticmethod
    def lift(other):
        return other if isinstance(other, Dual) else Dual(other, 0.0)   # a plain number is a constant

    def __add__(self, other):
        other = Dual.lift(other)
        return type(self)(self.value + other.value, self.tangent + other.tangent)

    __radd__ = __add__                                   # 1 + x: Python asks x.__radd__(1)

    def __mul__(self, other):
        other = Dual.lift(other)
        return type(self)(self.value * other.value, self.value * other.tangent + self.tangent * other.value)

    __rmul__ = __mul__                                   # 2 * x: Python asks x.__rmul__(2)

    def __neg__(self):
        return type(self)(-self.value, -self.tangent)

    def __repr__(self):
        return f"{type(self).__name__}({self.value!r}, tangent={self.tangent!r})"


x = Dual(3.0, 1.0)
print(x * x + x)             # d/dx (x² + x) = 2x + 1 = 7 at x = 3

# %% [markdown]
# Nothing in `x * x + x` knows about derivatives: the *user's code runs unchanged*, and the
# language routes each operation to the class. That is the whole idea of operator overloading,
# and also its limit: every operation the program uses must be overloaded. Our $f$ needs `-`,
# `log` and `sin`, which `Dual` does not have yet:

# %%
for attempt in (lambda: Dual(5.0, 1.0) - Dual(2.0, 0.0), lambda: math.log(Dual(2.0, 1.0))):
    try:
        attempt()
    except TypeError as e:
        print("TypeError:", e)

# %% [markdown]
# `math.log` only takes real numbers, so a system built this way also needs its own `log`, `sin`,
# … that accept its numbers. NumPy offers a cleaner door: an object may implement
# `__array_ufunc__`, and then `np.sin(x)` calls *it*. PyTorch's tensors and adviz's tracers use
# exactly these hooks (`__torch_function__`, `__array_ufunc__`, `__array_function__`).
#
# **Predict, then run.** In `2.0 * Dual(3.0, 1.0)` the left operand is a plain `float`. Which method
# computes the product?
#
# * (a) Dual.__mul__
# * (b) float.__mul__, which returns a Dual
# * (c) Dual.__rmul__
# * (d) nothing: it raises TypeError

# %%
course.predict("rmul", ...)

# %%
class Spy(Dual):
    def __mul__(self, other):
        print("  Dual.__mul__ was called")
        return super().__mul__(other)

    def __rmul__(self, other):
        print("  Dual.__rmul__ was called")
        return super().__mul__(other)


print(2.0 * Spy(3.0, 1.0))
print("float.__mul__ says:", (2.0).__mul__(Spy(3.0, 1.0)))

# %% [markdown]
# Forward mode fits operator overloading perfectly: each tangent is computed the moment its value
# is, and forgotten as soon as it has been used. Reverse mode does not: it needs the operations in
# *reverse* order, after the program has finished. micrograd's `Value` objects therefore remember
# their operands (a graph in memory), and `backward()` walks that graph backwards. PyTorch works
# the same way: each tensor operation records a node of the *autograd graph* while it runs, so the
# graph is rebuilt on every call and follows whatever Python control flow happened ("define by
# run").

# %% [markdown]
# ## 2. Tracing: record the operations, keep the record
#
# Recording is the second idea. adviz's `ad.trace` calls your function with **tracers** — objects
# that behave like arrays (they overload every operator and NumPy function) and append one line to
# a tape for each primitive they meet:

# %%
seen = []


def f_traced(x1, x2):
    seen.append(type(x1).__name__)        # what does f receive while it is traced?
    return np.log(x1) + x1 * x2 - np.sin(x2)


t = ad.trace(f_traced, 2.0, 5.0)
print("f was called with:", seen)
print(t.to_text())

# %% [markdown]
# The tape is *data*: a list of primitives with their operands and values that other code can
# read, sweep forwards or backwards, draw or — as in section 3 — print as a program. JAX does the
# same with its tracers and calls the record a *jaxpr*; `jax.make_jaxpr(f)(2.0, 5.0)` prints one.
#
# A tracer answers Python's questions about it (an `if`, a `while`) with its concrete value, so
# Python control flow runs normally — but only the branch that ran is recorded.
#
# **Predict, then run.** How many primitives does the tape of `g` hold when traced at $x = 2$?

# %%
def g(x):
    if x > 0:
        return x * x + 1
    return np.sin(x) * np.exp(x) - x


course.predict("traced-branch", ...)

# %%
t_g = ad.trace(g, 2.0)
print(t_g.to_text())
print("primitives on the tape:", sum(not n.is_input for n in t_g.nodes))

# %% [markdown]
# The comparison `x > 0` is not on the tape: it is not differentiable, and it was decided by the
# concrete value 2. A tape is therefore the program **for this input's path**: re-run it at
# $x = -1$ and it still computes $x^2 + 1$. Tracing systems either re-trace when the inputs change
# (PyTorch builds a new graph on every call; adviz's `ad.grad` traces every call) or, like JAX's
# `jit`, re-trace when the *shapes* change and ask you to write data-dependent branches with
# `jax.lax.cond` so that both branches are recorded.

# %% [markdown]
# ## 3. Source transformation: write the derivative as a program
#
# A source-transformation tool (Tapenade for Fortran and C, ADIFOR, Zygote for Julia's IR) reads
# the program and **writes** another one. For reverse mode it writes the *adjoint program*: the
# primal lines, then one adjoint update per operand of each line, from the last line back to the
# first. `Trace.to_python()` writes that program for a tape:

# %%
source = t.to_python()
print(source)

# %% [markdown]
# Read it against lesson 3's reverse sweep: `v4_bar = -v5_bar` is the subtraction's rule, and $x_1$,
# used twice (in `log(x1)` and `x1 * x2`), first gets `x1_bar = …` and later
# `x1_bar = x1_bar + …`: the adjoint of a variable used twice collects both contributions. The
# program is plain NumPy — run it in a fresh namespace that holds nothing but `np`, and check it
# against central differences:

# %%
namespace = {"np": np}
exec(source, namespace)
value, (x1_bar, x2_bar) = namespace["f_traced"](2.0, 5.0)
print("adjoint program:    ", (float(x1_bar), float(x2_bar)))
print("central differences:", fd)
assert np.allclose((x1_bar, x2_bar), fd, rtol=1e-8)

# %% [markdown]
# The program knows nothing about the point $(2, 5)$ any more: call it elsewhere, and compare again.

# %%
adjoint_program = namespace["f_traced"]
for x1, x2 in ((0.5, -1.0), (3.0, 0.25)):
    _, grad_program = adjoint_program(x1, x2)
    grad_fd = ((f(x1 + h, x2) - f(x1 - h, x2)) / (2 * h), (f(x1, x2 + h) - f(x1, x2 - h)) / (2 * h))
    print(f"at ({x1}, {x2}): program {np.round(grad_program, 8)}   central differences {np.round(grad_fd, 8)}")

# %% [markdown]
# `to_python(forward=True)` adds the **tangent program**. Compare its lines with the `Dual` class
# of section 1: `v2_dot = x1_dot * x2 + x2_dot * x1` is `__mul__`'s tangent, written out instead of
# run. Operator overloading and source transformation compute the same numbers; one does it while
# the program runs, the other writes it down first.

# %%
print(t.to_python(forward=True, reverse=False))

# %% [markdown]
# Where do these lines come from? Not from a second copy of the calculus. Every adviz primitive
# has one registry entry holding its derivative rules, written with NumPy operations. `to_python`
# *runs those rules on a recording tape*: `sin`'s reverse rule, handed traced values, records
# `np.cos(x2)` and a product, and the recording is printed as code. JAX builds its gradients the
# same way (`jax.make_jaxpr(jax.grad(f))` shows the adjoint program JAX will run), which is why it
# can compile a gradient, or take the gradient of a gradient.
#
# Arrays work the same; the adjoint of a broadcast operand is the sum that undoes the broadcast:

# %%
def layer(W, b, x):
    return np.sum(np.tanh(x @ W + b) ** 2)


r = np.random.default_rng(0)
print(ad.trace(layer, r.normal(size=(3, 2)), np.zeros(2), r.normal(size=(4, 3))).to_python())

# %% [markdown]
# **Predict, then run.** In the adjoint program of $x \cdot x + \sin x$, how many lines read
# `x_bar = x_bar + …`?

# %%
course.predict("accumulations", ...)

# %%
print(ad.trace(lambda x: x * x + np.sin(x), 0.5).to_python())

# %% [markdown]
# A program written from a tape is honest only about what the tape knows. A rule that needs a
# mask or a branch must not freeze the traced point's choice into the program. `np.prod`'s
# adjoint is the product of the *other* entries: `ans / v` when no entry is zero, which the
# engine uses, but wrong at a zero. So `to_python` writes the form that is right everywhere (a
# table with ones on its diagonal, multiplied along its rows), traced at $(1, 2, 3)$ and run at
# $(1, 0, 3)$:

# %%
t = ad.trace(lambda v: np.prod(v), np.array([1.0, 2.0, 3.0]))
print(t.to_python())
namespace = {"np": np}
exec(t.to_python(), namespace)
print(namespace["f"](np.array([1.0, 0.0, 3.0])))  # the gradient at a zero: (0, 3, 0)

# %% [markdown]
# What the tape cannot know stays frozen: control flow your function took on concrete values (the
# program is valid for inputs that take the same branches). And what cannot be written as code is
# refused, naming it: the reverse program through an `ad.custom_jvp` rule would need the rule's
# *transpose*, which adviz gets by recording the rule, not by calling it.

# %%
@ad.custom_jvp
def softplus(x):
    return np.logaddexp(0.0, x)


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    return softplus(x), x_dot / (1.0 + np.exp(-x))


try:
    ad.trace(lambda x: softplus(x) * 2.0, 0.3).to_python()
except ValueError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# ## How the systems you use are built
#
# | system | how it gets the program | what reverse mode runs |
# |---|---|---|
# | micrograd | operator overloading on scalar `Value`s | the graph of `Value`s, walked backwards |
# | PyTorch | operator overloading on tensors, graph rebuilt every call | the autograd graph |
# | JAX | tracing to a jaxpr, then transforming that program | a new jaxpr (the transposed linear program), often compiled by XLA |
# | Tapenade, ADIFOR | parsing Fortran/C source | a generated adjoint source file, compiled like any code |
# | adviz | tracing through NumPy's overloading hooks | the tape, swept backwards; `to_python` prints it as code |
#
# The trade-offs follow from the table. Overloading and tracing need nothing but the language, and
# handle any Python the user writes, but only see the path taken; source transformation sees every
# branch and loop, so its output can be compiled and optimised ahead of time, but it must parse the
# whole language.

# %% [markdown]
# ## Exercise: build two tiny AD systems
#
# **Part 1 — operator overloading.** `FullDual` extends section 1's `Dual` with subtraction.
# Write `__sub__` (`x - y`, `x - 1`) and `__rsub__`: Python calls `x.__rsub__(1.0)` for
# `1.0 - x`, so it computes *other − self*. Then teach `sin` and `log` dual numbers:
# $\sin(a + b\varepsilon) = \sin a + \cos(a)\,b\,\varepsilon$ and
# $\ln(a + b\varepsilon) = \ln a + \frac{b}{a}\varepsilon$.
#
# **Part 2 — source transformation.** `write_adjoint(t, adjoint_rule)` (next cell, read it first) writes the
# adjoint program of a scalar tape. For every node, from the last to the first, it asks
# `adjoint_rule(op)` for one *line template* per operand and fills in `{out}` (the node's name),
# `{a}` and `{b}` (its operands). Every adjoint starts at `0.0`, so a template adds with `+=`
# (or `-=`). `add` and `exp` are done; write the templates of `subtract`, `multiply`, `sin` and
# `log`. The functions `sin`, `cos`, `log`, `exp` are available to the generated program.
#
# The checks use seeds other than 1 and variables used twice, and compare with derivatives
# worked out by hand.

# %%
def write_adjoint(t, adjoint_rule):
    """The adjoint program of a scalar trace, as Python source: source transformation, by hand.

    adjoint_rule(op) gives the adjoint line templates of primitive op (the exercise below).
    """
    operations = [n for n in t.nodes if not n.is_input]
    y = t.output.name
    lines = [f"def adjoint({', '.join(t.input_names)}, {y}_bar=1.0):"]
    lines += [f"    {n.name} = {n.definition}" for n in operations]    # the primal: the tape's own lines
    lines += [f"    {n.name}_bar = 0.0" for n in t.nodes if n.name != y]  # every other adjoint starts at 0
    for n in reversed(operations):                                     # adjoints: last node first
        templates = adjoint_rule(n.op)
        if templates is None:
            raise ValueError(f"no adjoint rule for {n.op!r}")
        names = [o.text for o in n.operands]
        for template, operand in zip(templates, n.operands):
            if operand.node is not None:                               # a constant has no adjoint
                lines.append("    " + template.format(out=n.name, a=names[0], b=names[-1]))
    lines.append(f"    return {y}, ({', '.join(name + '_bar' for name in t.input_names)},)")
    return "\n".join(lines) + "\n"

# %% tags=["exercise"] grade_id="systems-answer"
class FullDual(Dual):
    def __sub__(self, other):
        """self - other"""
        ### BEGIN SOLUTION
        return self + (-Dual.lift(other))
        ### END SOLUTION

    def __rsub__(self, other):
        """other - self, for a plain number other: Python calls x.__rsub__(1.0) for 1.0 - x"""
        ### BEGIN SOLUTION
        return Dual.lift(other) + (-self)
        ### END SOLUTION


def sin(u):
    """sin of a plain number, or of a dual number u = a + bε (return a FullDual)."""
    if not isinstance(u, Dual):
        return math.sin(u)
    ### BEGIN SOLUTION
    return FullDual(math.sin(u.value), math.cos(u.value) * u.tangent)
    ### END SOLUTION


def log(u):
    """log of a plain number, or of a dual number u = a + bε (return a FullDual)."""
    if not isinstance(u, Dual):
        return math.log(u)
    ### BEGIN SOLUTION
    return FullDual(math.log(u.value), u.tangent / u.value)
    ### END SOLUTION


def adjoint_rule(op):
    """The adjoint line templates of primitive op, one per operand ({out}: the node; {a}, {b}: operands)."""
    if op == "add":                                  # out = a + b
        return ["{a}_bar += {out}_bar", "{b}_bar += {out}_bar"]
    if op == "exp":                                  # out = exp(a), and ∂out/∂a = exp(a) = out
        return ["{a}_bar += {out}_bar * {out}"]
    ### BEGIN SOLUTION
    if op == "subtract":                             # out = a - b
        return ["{a}_bar += {out}_bar", "{b}_bar -= {out}_bar"]
    if op == "multiply":                             # out = a * b
        return ["{a}_bar += {out}_bar * {b}", "{b}_bar += {out}_bar * {a}"]
    if op == "sin":                                  # out = sin(a)
        return ["{a}_bar += {out}_bar * cos({a})"]
    if op == "log":                                  # out = log(a)
        return ["{a}_bar += {out}_bar / {a}"]
    ### END SOLUTION
    return None                                      # no rule for this primitive

# %% tags=["check"] grade_id="overloading-check" points=2
course.check_dual(FullDual, sin, log)

# %% tags=["check"] grade_id="transformation-check" points=2
course.check_adjoint_rules(adjoint_rule, write_adjoint)

# %% [markdown]
# When both checks pass, look at what you built — the same function differentiated by a class
# (part 1) and by a program writer (part 2). In a new cell, run
#
# ```python
# print(log(FullDual(2.0, 1.0)) + FullDual(2.0, 1.0) * FullDual(5.0, 0.0) - sin(FullDual(5.0, 0.0)))
# print(write_adjoint(ad.trace("log(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0), adjoint_rule))
# ```
#
# and compare the second with `t.to_python()` of section 3: the same updates in the same order
# (`+=` onto adjoints that start at `0.0`, where `to_python` writes a first contribution with `=`),
# written by a few templates instead of the registry's rules.

# %% [markdown]
# ## Summary
#
# * **Operator overloading** gives the program special numbers; the language routes every
#   operation to them. Forward mode needs nothing more; reverse mode must also remember the
#   operations (micrograd, PyTorch).
# * **Tracing** records the operations as data — a tape, a graph, a jaxpr — for the path the
#   inputs took. `ad.trace` is adviz's.
# * **Source transformation** writes a new program for the derivative. `Trace.to_python()` writes
#   the adjoint (and tangent) program of a tape, one line per node and one update per operand, from
#   the registry's own rules; run it and check it against finite differences.
#
# **Try next:** micrograd (further reading) is operator overloading with a graph; write the
# adjoint program its `backward()` runs for `a * b + a`, in the style of `write_adjoint`.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018. §4 "Implementations" sorts AD tools into elemental libraries, compilers
#   and source transformation, and operator overloading, with a table of tools.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3 writes the tangent and adjoint procedures as
#   programs, line by line; ch. 4 counts what they cost (and ch. 6 discusses implementation by
#   overloading and by source transformation).
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html),
#   and JAX's *Autodidax* (docs/autodidax.py), which builds JAX's tracing and transformations
#   from scratch in one notebook.
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): reverse mode by operator
#   overloading in about 100 lines; compare its `Value` with section 1's `Dual`.
# * L. Hascoët, V. Pascual, *The Tapenade automatic differentiation tool*, ACM TOMS 39(3), 2013:
#   source transformation of Fortran and C.
