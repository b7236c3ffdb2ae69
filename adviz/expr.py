"""A small, safe expression language: ``"sin(x**2 + 1)"`` → a callable :class:`Expression`.

adviz lets students type formulas at the command line and in notebooks. The tempting shortcut is
``eval(text)``: it understands Python syntax for free. It also runs *any* Python the text
contains (``__import__('os').system(...)``), can hang the process on ``9**9**9**9`` (exact
integer arithmetic) and explains mistakes in Python's words, not a maths student's. So this
module never hands user text to ``eval``, ``exec``, ``compile`` or ``sympy.sympify``. It reads
the text itself, in three small steps a student can follow:

1. **tokenize** – cut the text into numbers, names and operators (``sin`` ``(`` ``x`` ``**``
   ``2`` ...), each remembering its column, so every error can point at the exact spot;
2. **parse** – check the tokens against the grammar below and build a tree of frozen
   :class:`Node` objects (``Call('sin', Binary('+', Binary('**', x, 2), 1))``);
3. **evaluate** – walk the tree leaves-first (post-order) with a value stack, applying only the
   NumPy functions of the :data:`FUNCTIONS` whitelist and Python's arithmetic operators.

Grammar (loosest binding first; ``|`` = or, ``*`` = repeat, ``?`` = optional)::

    expression := factor (("+" | "-" | "*" | "/") factor)*      * and / bind tighter, left to right
    factor     := ("+" | "-")* operand ("**" factor)?           ** is right-associative
    operand    := NUMBER | "pi" | "e" | "inf" | "nan" | NAME index*
                | FUNCTION "(" expression ("," expression)* ")"
                | "(" expression ")" | "[" expression ("," expression)* "]"
    index      := "[" ("-" | "+")? INTEGER "]"                   x[0], x[-1], W[1][0]

As in Python, ``**`` binds tighter than a minus on its left and looser than one on its right:
``-x**2`` is ``-(x**2)``, ``2**-1`` is ``0.5`` and ``2**3**2`` is ``2**9``. Numbers are read as
``np.float64``, so ``9**9**9**9`` is ``inf`` at once (NumPy's overflow rule) and ``1/0`` is ``inf``.
A list ``[a, b, c]`` makes a vector (``np.stack``), nested lists make a matrix.

Evaluation applies the whitelisted NumPy callables and the operators directly to the values it
is given, never converting them, so an AD engine can pass traced values (objects implementing
``__array_ufunc__``) and watch every primitive: the expression *is* ordinary NumPy code.

Limits keep hostile input harmless: at most 10,000 characters, and at most 100 levels of nesting
(brackets, calls, lists, chained signs, chained powers), checked *before* the parser recurses,
so no input can hang it or raise ``RecursionError``. All traversals of the tree are loops.

>>> f = parse("x1*x2 + sin(x1)")
>>> f.variables
('x1', 'x2')
>>> float(f(x1=0.0, x2=5.0))
0.0
"""

from __future__ import annotations

import inspect
import keyword
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, NamedTuple, Optional

import numpy as np

from .envvars import positive_number

__all__ = [
    "CONSTANTS", "FUNCTIONS", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_LENGTH", "MAX_TOTAL_ELEMENTS", "Binary", "Call", "Constant",
    "EvaluationError", "Expression", "Index", "ListLiteral", "Node", "Number", "ParseError",
    "Unary", "Variable", "constant_given_a_value", "literal_out_of_range", "parse", "parse_constant", "postorder", "shortened", "tokenize", "written_as",
]

MAX_LENGTH = 10_000
"""Longest accepted input, in characters."""
MAX_DEPTH = 100
"""Deepest accepted nesting of brackets, calls, lists, chained signs and chained powers."""
MAX_ELEMENTS = positive_number("ADVIZ_MAX_ELEMENTS", 10_000_000, whole=True)
"""Largest array, in elements, that evaluating an expression may create (default 10⁷, i.e.
80 MB of floats). ``[1, 2, 3] + [[1], [2]]`` broadcasts to a 2 × 3 array: a few hundred
characters of list literals could ask for gigabytes, so every operation checks the size of the
result it is about to make and refuses a bigger one *before* allocating it. Change it with
``adviz.expr.MAX_ELEMENTS = …`` or the environment variable ``ADVIZ_MAX_ELEMENTS``."""
MAX_TOTAL_ELEMENTS = positive_number("ADVIZ_MAX_TOTAL_ELEMENTS", 50_000_000, whole=True)
"""Most numbers, all values together, that one evaluation of an expression may create (default
5·10⁷, i.e. 400 MB of floats). :data:`MAX_ELEMENTS` bounds each array, but an AD tape keeps every
intermediate value, so ``sin(sin(…sin(big)…))`` sixty deep would keep sixty arrays of 10⁷ numbers
(4.8 GB). Before each operation the evaluator adds the size of the result it is about to make to
the sizes of the values made so far (the inputs included) and refuses, naming the operation, once
the sum would pass this limit. The sweeps of the ``adviz`` commands keep about as many numbers
again for each sweep. Change it with ``adviz.expr.MAX_TOTAL_ELEMENTS = …`` or the environment
variable ``ADVIZ_MAX_TOTAL_ELEMENTS``."""


class Function(NamedTuple):
    """A whitelisted function: the NumPy callable that computes it and how many arguments it takes."""

    numpy: Callable[..., Any]
    arity: int


# ---------------------------------------------------------------- the whitelist (one row each)
FUNCTIONS: MappingProxyType[str, Function] = MappingProxyType({
    # trigonometric and hyperbolic
    "sin": Function(np.sin, 1), "cos": Function(np.cos, 1), "tan": Function(np.tan, 1),
    "arcsin": Function(np.arcsin, 1), "arccos": Function(np.arccos, 1),
    "arctan": Function(np.arctan, 1), "arctan2": Function(np.arctan2, 2),
    "asin": Function(np.arcsin, 1), "acos": Function(np.arccos, 1),
    "atan": Function(np.arctan, 1), "atan2": Function(np.arctan2, 2),
    "sinh": Function(np.sinh, 1), "cosh": Function(np.cosh, 1), "tanh": Function(np.tanh, 1),
    "arcsinh": Function(np.arcsinh, 1), "arccosh": Function(np.arccosh, 1),
    "arctanh": Function(np.arctanh, 1),
    "asinh": Function(np.arcsinh, 1), "acosh": Function(np.arccosh, 1),
    "atanh": Function(np.arctanh, 1),
    # exponentials, logarithms, powers
    "exp": Function(np.exp, 1), "expm1": Function(np.expm1, 1), "exp2": Function(np.exp2, 1),
    "log": Function(np.log, 1), "log1p": Function(np.log1p, 1), "log2": Function(np.log2, 1),
    "log10": Function(np.log10, 1), "logaddexp": Function(np.logaddexp, 2),
    "sqrt": Function(np.sqrt, 1), "cbrt": Function(np.cbrt, 1), "square": Function(np.square, 1),
    "reciprocal": Function(np.reciprocal, 1), "hypot": Function(np.hypot, 2),
    # piecewise
    "abs": Function(np.abs, 1), "sign": Function(np.sign, 1),
    "maximum": Function(np.maximum, 2), "minimum": Function(np.minimum, 2),
    "clip": Function(np.clip, 3),
    # reductions and products of arrays
    "sum": Function(np.sum, 1), "mean": Function(np.mean, 1), "prod": Function(np.prod, 1),
    "max": Function(np.max, 1), "min": Function(np.min, 1), "dot": Function(np.dot, 2),
})
"""Every function an expression may call: name → (NumPy callable, number of arguments)."""

CONSTANTS: MappingProxyType[str, np.float64] = MappingProxyType(
    {"pi": np.float64(np.pi), "e": np.float64(np.e), "inf": np.float64(np.inf), "nan": np.float64(np.nan)})
"""Named constants. These names (and the function names) cannot be variables. ``inf`` and ``nan``
are constants too, in expressions as in ``--at`` values: ``x*inf`` is how adviz writes a node
whose constant overflowed, and that text reads back as the same expression."""


def constant_given_a_value(names: Iterable[str]) -> Optional[str]:
    """The message for a value given to a name that expressions read as a constant (``e=3`` for
    ``"e*x"``: e *is* in the expression, as the constant), or None when no given name is one.
    One text for ``ad.trace``, ``compare`` and ``--at``."""
    name = next((n for n in names if n in CONSTANTS), None)
    if name is None:
        return None
    value = float(CONSTANTS[name])
    meaning = f"{name} = {value!r}" if math.isfinite(value) else {"inf": "inf (infinity)",
                                                                    "nan": "nan (not a number)"}[name]
    return (f"{name} is the constant {meaning} in expressions, not a variable: "
            f"give yours another name (for example {name}1)")

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": operator.pow}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}       # "**" is handled by factor()
_NAME_HINTS = {"ln": "did you mean 'log'?", "pow": "use ** for powers",
               "power": "use ** for powers", "root": "use sqrt(x) or x**(1/n)",
               "sigmoid": "write it out: 1/(1 + exp(-x))", "logistic": "write it out: 1/(1 + exp(-x))",
               "relu": "write it out: maximum(x, 0)", "softplus": "write it out: logaddexp(0, x)",
               "sec": "write it out: 1/cos(x)", "csc": "write it out: 1/sin(x)",
               "cot": "write it out: 1/tan(x)", "exp10": "write it out: 10**x",
               "norm": "write it out: sqrt(sum(x**2))", "matmul": "use dot(a, b)"}
_CHAR_HINTS = {"^": "use ** for powers", "@": "use dot(a, b) for matrix products",
               "%": "there is no % operator", "=": "write an expression, not an equation",
               "{": "use [ ] for vectors", "}": "use [ ] for vectors",
               "π": "write pi", "²": "write **2", "³": "write **3", "×": "use * to multiply",
               "·": "use * to multiply", "÷": "use / to divide", "−": "use the ASCII minus -",
               **dict.fromkeys("<>!", "there are no comparisons (a formula has no conditions; "
                                      "maximum, minimum, clip and abs make the choices)")}
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | _DIGITS
_SPACE = frozenset(" \t\r\n")


# ---------------------------------------------------------------- errors
class ParseError(ValueError):
    """The text is not a valid expression. Knows where: ``column`` is 0-based.

    ``str(err)`` is one line, ``"use ** for powers (column 6)"`` (1-based for humans);
    :meth:`pretty` draws a caret under the spot.
    """

    def __init__(self, message: str, expression: str, column: int) -> None:
        super().__init__(f"{message} (column {column + 1})")
        self.message = message
        self.expression = expression
        self.column = column

    def __reduce__(self) -> tuple:          # keep the error picklable (multiprocessing, caches)
        return type(self), (self.message, self.expression, self.column)

    def pretty(self, width: int = 70) -> str:
        """The expression (a window of about ``width`` characters around the error),
        a caret under the offending column, and the message::

            sin(x^2)
                 ^
            use ** for powers
        """
        text, column = self.expression, self.column
        start, end = 0, len(text)
        if end > width:
            start = max(0, min(column - width // 2, end - width))
            end = start + width
        window = "".join(c if c.isprintable() else " " for c in text[start:end])
        before = "…" if start > 0 else ""
        after = "…" if end < len(text) else ""
        caret = " " * (len(before) + column - start) + "^"
        return f"{before}{window}{after}\n{caret}\n{self.message}"


class EvaluationError(ValueError):
    """An expression could not be evaluated with the given values (missing or unknown
    variables, a bad index, list elements of clashing shapes, a result too big).

    When the problem is at one place of the expression, ``expression`` and ``column`` (0-based)
    say where, and :meth:`pretty` draws a caret under it; otherwise both are None."""

    expression: Optional[str] = None
    column: Optional[int] = None

    def at(self, expression: str, column: int) -> "EvaluationError":
        """Remember where in ``expression`` the problem is (the first place given wins)."""
        if self.expression is None:
            self.expression, self.column = expression, column
        return self

    def pretty(self, width: int = 70) -> str:
        """The expression around the place, and a caret under it (empty when unknown)."""
        if self.expression is None or self.column is None:
            return ""
        return "\n".join(ParseError("", self.expression, self.column).pretty(width).splitlines()[:2])


# ---------------------------------------------------------------- step 1: tokens
class Token(NamedTuple):
    kind: str     # "number", "name", "op" or "end"
    text: str
    start: int    # 0-based column


def tokenize(source: str) -> list[Token]:
    """Cut ``source`` into tokens, ending with an ``"end"`` token. Rejects unknown characters."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in _SPACE:
            i += 1
        elif c in _DIGITS or (c == "." and i + 1 < n and source[i + 1] in _DIGITS):
            j = _number_end(source, i)
            if j < n and source[j] == ".":
                raise ParseError(f"malformed number '{source[i:j + 1]}'", source, j)
            if j < n and source[j] in "eE" and (j + 1 == n or source[j + 1] not in _NAME_CHARS):
                # "1e", "1e-", "1e+x": an exponent without its digits (not a product with e)
                raise ParseError(f"malformed number '{source[i:j + 1]}': an exponent needs digits, as in "
                                 f"{source[i:j]}e3 or {source[i:j]}e-3 (for a product with e, write "
                                 f"{source[i:j]}*{source[j]})", source, j)
            tokens.append(Token("number", source[i:j], i))
            i = j
        elif c in _NAME_START:
            j = i + 1
            while j < n and source[j] in _NAME_CHARS:
                j += 1
            if j < n and source[j] == ".":
                raise ParseError(f"unexpected '.' after '{source[i:j]}' (write sin(x), not "
                                 "np.sin(x))", source, j)
            tokens.append(Token("name", source[i:j], i))
            i = j
        elif source.startswith("**", i):
            tokens.append(Token("op", "**", i))
            i += 2
        elif c in "+-*/()[],":
            tokens.append(Token("op", c, i))
            i += 1
        else:
            raise ParseError(_bad_character(c), source, i)
    tokens.append(Token("end", "", n))
    return tokens


def _number_end(s: str, i: int) -> int:
    """Index just past the number starting at ``i``: digits, optional fraction, optional exponent."""
    n = len(s)
    while i < n and s[i] in _DIGITS:
        i += 1
    if i < n and s[i] == ".":
        i += 1
        while i < n and s[i] in _DIGITS:
            i += 1
    if i < n and s[i] in "eE":                     # an exponent only if digits follow: 2e3, 1e-3
        j = i + 1 + (i + 1 < n and s[i + 1] in "+-")
        if j < n and s[j] in _DIGITS:
            i = j
            while i < n and s[i] in _DIGITS:
                i += 1
    return i


def _literal_value(tok: Token, source: str) -> float:
    """The float of a number literal, refusing one that no float can hold (see
    :func:`literal_out_of_range`) with a :class:`ParseError` under it."""
    problem = literal_out_of_range(tok.text)
    if problem is not None:
        raise ParseError(problem, source, tok.start)
    return float(tok.text)


def literal_out_of_range(text: str) -> Optional[str]:
    """What is wrong with the number literal ``text`` if no float can hold it, else None.

    ``float("1e999")`` is quietly ``inf`` and ``float("1e-999")`` quietly ``0.0``: a computation
    would use another number than the one written, and only a later "not finite" warning (or
    nothing at all, for zero) would hint at it. Infinity is written ``inf``, zero ``0``. A literal
    below the smallest float that still rounds to it (``3e-324`` reads as ``5e-324``) is kept, and
    so is an overflow *computed* from literals that fit (``10.0**400``): that is arithmetic, not a
    typo. The one check behind expressions and ``--at`` values alike.
    """
    value = float(text)
    if math.isfinite(value) and (value != 0.0 or not any(c in "123456789" for c in _mantissa(text))):
        return None
    shown = shortened(text, 30)
    if value != 0.0:
        return (f"the number '{shown}' is beyond the largest float (about 1.8e308): "
                "write inf (or -inf) if infinity is meant")
    return (f"the number '{shown}' is below the smallest float (about 5e-324) and would "
            "read as 0: write 0 if zero is meant")


def _mantissa(text: str) -> str:
    """A number literal's digits before its exponent: ``"0.5"`` of ``"0.5e-9"``."""
    cut = next((k for k, c in enumerate(text) if c in "eE"), len(text))
    return text[:cut]


def _bad_character(c: str) -> str:
    if c in _CHAR_HINTS:
        return f"unexpected '{c}': {_CHAR_HINTS[c]}"
    if "\udc80" <= c <= "\udcff":   # how Python keeps a byte that is not UTF-8 (argv, stdin, files)
        return f"byte 0x{ord(c) - 0xDC00:02X} is not UTF-8 text (is the file or the terminal in another encoding?)"
    if not c.isprintable():
        return f"control character U+{ord(c):04X} is not allowed"
    if not c.isascii():
        return f"character '{c}' (U+{ord(c):04X}) is not allowed: use plain ASCII"
    return f"unexpected character '{c}'"


# ---------------------------------------------------------------- step 2: the tree
class Node:
    """Base of the syntax-tree nodes. Every node is frozen and knows its span
    ``source[start:end]`` (0-based, end exclusive), so tools can point at sub-expressions.
    Equality is identity (as in Python's ``ast``): two ``x`` at different places are different nodes.
    """

    __slots__ = ()
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        """The sub-expressions, in source order."""
        return ()

    def __repr__(self) -> str:
        return _dump(self)


_NODE = {"frozen": True, "eq": False, "repr": False, "slots": True}


@dataclass(**_NODE)
class Number(Node):
    """A number literal; ``text`` is as typed, ``value`` its float."""
    value: float
    text: str
    start: int
    end: int


@dataclass(**_NODE)
class Constant(Node):
    """``pi``, ``e``, ``inf`` or ``nan``."""
    name: str
    start: int
    end: int


@dataclass(**_NODE)
class Variable(Node):
    """A free variable; its value is supplied when the expression is called."""
    name: str
    start: int
    end: int


@dataclass(**_NODE)
class Index(Node):
    """``target[index]``: one element of a vector variable (``x[0]``, ``x[-1]``, ``W[1][0]``)."""
    target: Node
    index: int
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.target,)


@dataclass(**_NODE)
class Unary(Node):
    """``-operand`` or ``+operand``."""
    op: str
    operand: Node
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(**_NODE)
class Binary(Node):
    """``left op right`` for op in ``+ - * / **``."""
    op: str
    left: Node
    right: Node
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(**_NODE)
class Call(Node):
    """``name(args...)`` of a whitelisted function."""
    name: str
    args: tuple[Node, ...]
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(**_NODE)
class ListLiteral(Node):
    """``[a, b, c]``: a vector (or a matrix, when the items are lists)."""
    items: tuple[Node, ...]
    start: int
    end: int

    @property
    def children(self) -> tuple[Node, ...]:
        return self.items


def postorder(root: Node) -> Iterator[Node]:
    """Yield the nodes children-first, left to right: the order in which they are computed.

    A loop with an explicit stack, not recursion, so a 5,000-term sum is no problem."""
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))


def _fold(root: Node, combine: Callable[[Node, list], Any]) -> Any:
    """Compute ``combine(node, values_of_children)`` for every node, leaves first, with a value
    stack (the way a calculator evaluates reverse Polish notation). Returns the root's value."""
    values: list = []
    for node in postorder(root):
        k = len(values) - len(node.children)
        args = values[k:]
        del values[k:]
        values.append(combine(node, args))
    return values[0]


def _dump(root: Node) -> str:
    """``repr`` of a tree, written with a loop so that very long expressions print too."""
    out: list[str] = []
    stack: list = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        parts: list = [f"{type(item).__name__}("]
        for k, f in enumerate(fields(item)):
            value = getattr(item, f.name)
            parts.append(f"{', ' if k else ''}{f.name}=")
            if isinstance(value, Node):
                parts.append(value)
            elif isinstance(value, tuple) and value:
                parts.append("(")
                for j, v in enumerate(value):
                    parts.extend([", "] * bool(j) + [v])
                parts.append(",)" if len(value) == 1 else ")")
            else:
                parts.append(repr(value))
        parts.append(")")
        stack.extend(reversed(parts))
    return "".join(out)


class _Parser:
    """Recursive descent over the token list, one method per grammar rule.

    Python recursion happens only when a bracket opens (at most five frames per level, so
    100 levels stay far from Python's limit of 1000); sums, products, signs and power chains
    are loops. ``self.depth`` counts the open levels and is checked *before* going deeper."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0
        self.variables: dict[str, None] = {}        # insertion-ordered set
        self.uncalled = {t.text for t, nxt in zip(self.tokens, self.tokens[1:])
                         if t.kind == "name" and nxt.text != "("}

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def error(self, message: str, column: int) -> ParseError:
        return ParseError(message, self.source, column)

    def enter(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"too deeply nested (more than {MAX_DEPTH} levels of brackets, "
                             "signs or powers)", column)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error("empty expression", 0)
        node = self.expression()
        tok = self.peek()
        if tok.kind != "end":                            # only ) ] , can be left over here
            hint = " (write [a, b] for a vector)" if tok.text == "," else ""
            what = "unmatched" if tok.text in ")]" else "unexpected"
            raise self.error(f"{what} '{tok.text}'{hint}", tok.start)
        return node

    def expression(self) -> Node:
        """Sums and products with two stacks (operator-precedence parsing): before pushing an
        operator, finish every pending one that binds at least as tightly (left to right)."""
        operands, pending = [self.factor()], []
        while (tok := self.peek()).kind == "op" and tok.text in _PRECEDENCE:
            self.advance()
            while pending and _PRECEDENCE[pending[-1]] >= _PRECEDENCE[tok.text]:
                _reduce(operands, pending)
            pending.append(tok.text)
            operands.append(self.factor())
        while pending:
            _reduce(operands, pending)
        return operands[0]

    def factor(self) -> Node:
        """Signs and a power chain: ``-a ** -b ** c`` is ``-(a ** (-(b ** c)))``. Collected in a
        loop as (signs, base) segments, then assembled from the right (** is right-associative)."""
        segments, entered = [], 0
        while True:
            signs = []
            while self.peek().kind == "op" and self.peek().text in ("+", "-"):
                signs.append(self.advance())
                self.enter(signs[-1].start)
                entered += 1
            segments.append((signs, self.operand()))
            if self.peek().text != "**":
                break
            self.enter(self.advance().start)
            entered += 1
        self.depth -= entered
        signs, node = segments.pop()
        node = _signed(signs, node)
        while segments:
            signs, base = segments.pop()
            node = _signed(signs, Binary("**", base, node, base.start, node.end))
        return node

    def operand(self) -> Node:
        tok = self.advance()
        if tok.kind == "number":
            node: Node = Number(_literal_value(tok, self.source), tok.text, tok.start, tok.start + len(tok.text))
        elif tok.kind == "name":
            node = self.name(tok)
        elif tok.text == "(":
            self.enter(tok.start)
            if self.peek().text == ")":
                raise self.error("empty parentheses", tok.start)
            inner = self.expression()
            close = self.close(")", tok)
            self.depth -= 1
            node = replace(inner, start=tok.start, end=close.start + 1)   # span includes ( )
        elif tok.text == "[":
            items, close = self.items(tok, "]")
            if not items:
                raise self.error("empty list: a vector needs at least one element", tok.start)
            node = ListLiteral(tuple(items), tok.start, close.start + 1)
        else:
            self.pos -= 1
            raise self.expected_operand(tok)
        while self.peek().text == "[":
            node = self.subscript(node)
        nxt = self.peek()
        if nxt.kind in ("number", "name") or nxt.text == "(":      # "2x", "x y", ")("
            prev = self.tokens[self.pos - 1]
            for word in (prev, nxt):   # "x if x else 1", "not x", "import os": Python, not formulas
                if word.kind == "name" and keyword.iskeyword(word.text):
                    raise self.error(f"'{word.text}' is Python, not part of the expression language "
                                     "(formulas only: numbers, variables, + - * / **, and functions such as sin)",
                                     word.start)
            fix = f"write {prev.text}*{nxt.text}" if prev.kind != "op" and nxt.kind != "op" \
                else "insert *"
            raise self.error(f"missing operator between '{prev.text}' and '{nxt.text}' "
                             f"({fix} to multiply)", nxt.start)
        return node

    def name(self, tok: Token) -> Node:
        name, end = tok.text, tok.start + len(tok.text)
        if self.peek().text == "(":
            if name not in FUNCTIONS:
                raise self.unknown_function(tok)
            args, close = self.items(self.advance(), ")")
            fn = FUNCTIONS[name]
            if len(args) != fn.arity:
                s = "" if fn.arity == 1 else "s"
                msg = f"{name}() takes {fn.arity} argument{s}, got {len(args)}"
                if name in ("max", "min") and len(args) == 2:
                    msg += f" — for two values use {name}imum(a, b)"
                raise self.error(msg, tok.start)
            return Call(name, tuple(args), tok.start, close.start + 1)
        if name in FUNCTIONS:
            raise self.error(f"'{name}' is a function: call it like {name}(x)", tok.start)
        if name in CONSTANTS:
            return Constant(name, tok.start, end)
        self.variables.setdefault(name)
        return Variable(name, tok.start, end)

    def items(self, open_tok: Token, closer: str) -> tuple[list[Node], Token]:
        """Comma-separated expressions after ``open_tok`` (a call's ``(`` or a list's ``[``)."""
        self.enter(open_tok.start)
        items = []
        if self.peek().text != closer:
            items.append(self.expression())
            while self.peek().text == ",":
                self.advance()
                items.append(self.expression())
        close = self.close(closer, open_tok)
        self.depth -= 1
        return items, close

    def close(self, closer: str, open_tok: Token) -> Token:
        tok = self.peek()
        if tok.text == closer:
            return self.advance()
        opener = f"'{open_tok.text}' at column {open_tok.start + 1}"
        if tok.kind == "end":
            raise self.error(f"unclosed '{open_tok.text}'", open_tok.start)
        if tok.text == ",":
            raise self.error("unexpected ',' inside ( ) (write [a, b] for a vector)", tok.start)
        raise self.error(f"expected '{closer}' to close {opener}, found '{tok.text}'", tok.start)

    def subscript(self, node: Node) -> Node:
        open_tok = self.advance()
        if not isinstance(node, (Variable, Index)):
            raise self.error("only variables can be indexed, like x[0]", open_tok.start)
        sign = self.advance().text if self.peek().text in ("+", "-") else ""
        tok = self.advance()
        if tok.kind != "number" or not tok.text.isdigit():
            raise self.error("an index must be a whole number, like x[0] or x[-1]", tok.start)
        if len(tok.text) > 18:
            raise self.error("index too large", tok.start)
        close = self.advance()
        if close.text != "]":
            raise self.error("expected ']': an index is one whole number, like x[0]", close.start)
        return Index(node, int(sign + tok.text), node.start, close.start + 1)

    def expected_operand(self, tok: Token) -> ParseError:
        if tok.kind == "end":
            prev = self.tokens[self.pos - 1].text
            return self.error(f"expression ends after '{prev}'", tok.start)
        return self.error(f"expected a number, name or '(' but found '{tok.text}'", tok.start)

    def unknown_function(self, tok: Token) -> ParseError:
        name = tok.text
        multiply = f"(to multiply, write {name}*(…))"
        if name in CONSTANTS:
            return self.error(f"'{name}' is a constant, not a function {multiply}", tok.start)
        if name in self.uncalled:
            return self.error(f"'{name}' is a variable, not a function {multiply}", tok.start)
        if name in _NAME_HINTS:
            return self.error(f"unknown function '{name}' — {_NAME_HINTS[name]}", tok.start)
        import difflib  # only needed for a suggestion, kept off the start-up path

        close = difflib.get_close_matches(name[:40], FUNCTIONS, n=1)
        if close:
            return self.error(f"unknown function '{name}' — did you mean '{close[0]}'?", tok.start)
        if len(name) == 1:                                    # a(b + c): most likely a product
            return self.error(f"unknown function '{name}' {multiply}", tok.start)
        return self.error(f"unknown function '{name}': the functions are {', '.join(FUNCTIONS)}",
                          tok.start)


def _reduce(operands: list[Node], pending: list[str]) -> None:
    right, left = operands.pop(), operands.pop()
    operands.append(Binary(pending.pop(), left, right, left.start, right.end))


def _signed(signs: list[Token], node: Node) -> Node:
    for sign in reversed(signs):
        node = Unary(sign.text, node, sign.start, node.end)
    return node


# ---------------------------------------------------------------- step 3: evaluation
def _apply(node: Node, args: list, env: dict[str, Any], source: str) -> Any:
    """Compute one node from its children's values. Values are passed to NumPy and the operators
    untouched: they may be arrays, or traced values of the AD engine. Before an operation that
    can make a bigger array (broadcasting, ``dot``, a list), the shapes are checked: a mismatch
    is explained in the expression's own words, and a result above :data:`MAX_ELEMENTS` is
    refused before it is allocated."""
    match node:
        case Number(value=value):
            return np.float64(value)
        case Constant(name=name):
            return CONSTANTS[name]
        case Variable(name=name):
            return env[name]
        case Index(index=index):
            target, text = source[node.target.start:node.target.end], source[node.start:node.end]
            shape = getattr(args[0], "shape", None)   # a traced value's own (np.shape would be recorded)
            shape = tuple(shape) if shape is not None else np.shape(args[0])
            size = shape[0] if shape else None
            if size is None:      # said in the expression's words, not NumPy's ("invalid index to scalar variable")
                raise EvaluationError(f"cannot evaluate {text}: {target} is a single number, not a vector, "
                                      "so it has no entries to pick")
            if not -size <= index < size:
                last = (f"{target}[0], or {target}[-1]" if size == 1 else
                        f"{target}[0] to {target}[{size - 1}], or {target}[-1] to {target}[-{size}]")
                raise EvaluationError(f"cannot evaluate {text}: {target} has {size} "
                                      f"entr{'y' if size == 1 else 'ies'} ({last})")
            try:
                return args[0][index]
            except (IndexError, TypeError) as exc:
                raise EvaluationError(f"cannot evaluate {text}: {exc}") from None
        case Unary(op="-"):
            return -args[0]
        case Unary():
            return args[0]
        case Binary(op=op):
            _check_broadcast(args, node, source)
            return _BINARY[op](*args)
        case Call(name="dot"):
            _check_dot(args, node, source)
            return np.dot(*args)
        case Call(name=name):
            if len(args) > 1:
                _check_broadcast(args, node, source)
            return FUNCTIONS[name].numpy(*args)
        case ListLiteral():
            return _stack(args, source[node.start:node.end])
    raise TypeError(f"not an expression node: {node!r}")


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(getattr(value, "shape", ()))


def _where(node: Node, source: str) -> int:
    """The column a message about ``node`` points at: its operator for ``a + b``, else its start."""
    if isinstance(node, Binary):
        gap = source.find(node.op, node.left.end, node.right.start)
        if gap >= 0:
            return gap
    return node.start


_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min"})


def _result_size(node: Node, args: list, env: dict[str, Any]) -> int:
    """How many numbers ``node``'s value will hold, from its operands' shapes, before it is
    computed (0 when the shapes do not fit: :func:`_apply` then says why)."""
    shapes = [_shape(a) for a in args]
    try:
        match node:
            case Variable(name=name):
                return math.prod(_shape(env[name]))
            case Index():
                return math.prod(shapes[0][1:])
            case Call(name=name) if name in _REDUCTIONS:
                return 1
            case Call(name="dot"):
                a, b = shapes
                if not a or not b:
                    return math.prod(np.broadcast_shapes(a, b))
                return math.prod(a[:-1] + b[:-2] + b[-1:]) if len(b) > 1 else math.prod(a[:-1])
            case ListLiteral():
                return len(args) * math.prod(np.broadcast_shapes(*shapes))
            case Number() | Constant():
                return 1
        return math.prod(np.broadcast_shapes(*shapes))
    except ValueError:
        return 0


def _check_size(shape: tuple[int, ...], text: str) -> None:
    """Refuse a result of more than :data:`MAX_ELEMENTS` elements, before it exists."""
    size = math.prod(shape)
    if size > MAX_ELEMENTS:
        raise EvaluationError(f"{shortened(text)} would make an array of shape {shape} ({size:,} elements); "
                              f"the limit is {MAX_ELEMENTS:,} (adviz.expr.MAX_ELEMENTS, or the "
                              "environment variable ADVIZ_MAX_ELEMENTS)")


def _check_broadcast(args: list, node: Node, source: str) -> None:
    """The operands of ``+ - * / **`` (or of ``maximum``, ``hypot``, …) must broadcast together."""
    shapes = [_shape(a) for a in args]
    if all(shape == shapes[0] for shape in shapes):
        return                                       # nothing grows (the common case)
    text = source[node.start:node.end]
    try:
        result = np.broadcast_shapes(*shapes)
    except ValueError:
        raise EvaluationError(
            f"{shortened(text)}: shapes {' and '.join(map(str, shapes))} do not fit together "
            "(elementwise operations need equal sizes, or size 1, in each dimension counted "
            "from the right)") from None
    _check_size(result, text)


def _check_dot(args: list, node: Node, source: str) -> None:
    """``dot(a, b)`` as NumPy defines it: the last axis of ``a`` meets the (second-to-)last of ``b``."""
    a, b = (_shape(x) for x in args)
    text = source[node.start:node.end]
    if not a or not b:                                # a number times an array
        _check_broadcast(args, node, source)
        return
    where = "only" if len(b) == 1 else "second-to-last"
    meets = b[0] if len(b) == 1 else b[-2]
    if a[-1] != meets:
        raise EvaluationError(f"{shortened(text)}: shapes {a} and {b} do not fit: dot needs the last "
                              f"dimension of the first ({a[-1]}) to equal the {where} dimension of "
                              f"the second ({meets})")
    _check_size(a[:-1] + b[:-2] + b[-1:] if len(b) > 1 else a[:-1], text)


def _stack(items: list, text: str, strict: bool = False) -> Any:
    """``[a, b, c]`` → ``np.stack``; elements of different shapes are broadcast first
    (``[x, 0]`` with a vector ``x`` gives two rows), unless ``strict`` (values typed as data:
    ``[[1, 2], [3]]`` is a ragged matrix, not a broadcast)."""
    shapes = [_shape(item) for item in items]
    target = shapes[0]
    if len(set(shapes)) > 1:
        if strict:
            raise EvaluationError(f"{shortened(text)} is ragged: all rows of a matrix need the same length")
        try:
            target = np.broadcast_shapes(*shapes)
        except ValueError:
            raise EvaluationError(f"the elements of {shortened(text)} have clashing shapes "
                                  f"{', '.join(map(str, shapes))}") from None
    _check_size((len(items), *target), text)
    if len(set(shapes)) > 1:
        items = [item if shape == target else np.broadcast_to(item, target)
                 for item, shape in zip(items, shapes)]
    return np.stack(items)


def _coerce(name: str, value: Any) -> Any:
    """Plain Python numbers, integer arrays and lists become float64 NumPy values (so ``**`` on
    them follows NumPy's overflow rules); anything else (float arrays, traced values) is used as is."""
    try:
        if isinstance(value, (bool, int, float, np.bool_, np.integer)):
            return np.float64(value)
        if isinstance(value, complex):
            return np.complex128(value)
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
    except (OverflowError, ValueError) as exc:
        raise EvaluationError(f"bad value for '{name}': {exc}") from None
    if isinstance(value, (dict, str, set)) or value is None:
        how = " (give the values by name: e(**values) or e(x=3.0))" if isinstance(value, dict) else ""
        kind = "None" if value is None else f"a {type(value).__name__}"
        raise EvaluationError(f"the value for '{name}' is {kind}, not a number or an array{how}")
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return value.astype(np.float64)
    if isinstance(value, np.ndarray) and value.dtype.kind not in "fc":
        raise EvaluationError(f"the value for '{name}' is not numeric (dtype {value.dtype})")
    return value


def shortened(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters with an ellipsis: how a message quotes what was
    typed (a 500-letter name or a 320-digit number is not echoed back whole)."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _names(names: Any) -> str:
    return ", ".join(f"'{name}'" for name in names)


# ---------------------------------------------------------------- the public object
class Expression:
    """A parsed expression: immutable, callable, and inspectable.

    >>> f = Expression("[x*y, sin(x), x + y]")
    >>> f.variables, f.is_vector
    (('x', 'y'), True)
    >>> f(x=0.0, y=2.0).tolist()
    [0.0, 0.0, 2.0]

    Values can be given by keyword or by position (in the order of :attr:`variables`), so
    ``Expression`` objects work wherever a NumPy function of those variables does.
    """

    __slots__ = ("_source", "_tree", "_variables")

    def __init__(self, source: str) -> None:
        if not isinstance(source, str):
            raise TypeError(f"an expression must be a string, not {type(source).__name__}")
        if len(source) > MAX_LENGTH:
            raise ParseError(f"expression too long: {len(source):,} characters (the limit is "
                             f"{MAX_LENGTH:,})", source, MAX_LENGTH)
        parser = _Parser(source)
        object.__setattr__(self, "_tree", parser.parse())
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_variables", tuple(parser.variables))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression objects are immutable")

    @property
    def source(self) -> str:
        """The text as given."""
        return self._source

    @property
    def tree(self) -> Node:
        """The root :class:`Node` of the syntax tree."""
        return self._tree

    @property
    def variables(self) -> tuple[str, ...]:
        """Free variables in order of first appearance (constants and functions excluded)."""
        return self._variables

    @property
    def is_vector(self) -> bool:
        """True when the expression is a list literal ``[...]`` (vector- or matrix-valued)."""
        return isinstance(self._tree, ListLiteral)

    @property
    def __signature__(self) -> inspect.Signature | None:
        """Lets ``inspect.signature(f)`` (and so the AD transforms) see ``(x1, x2)``."""
        if any(keyword.iskeyword(name) for name in self._variables):
            return None
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature([inspect.Parameter(n, kind) for n in self._variables])

    def __call__(self, /, *args: Any, **values: Any) -> Any:
        """Evaluate with the given values (keywords, or positions in :attr:`variables` order)."""
        names = self._variables
        if len(args) > len(names):
            raise EvaluationError(f"{shortened(self._source)!r} takes {len(names)} value(s) "
                                  f"({_names(names)}), got {len(args)}")
        for name, value in zip(names, args):
            if name in values:
                raise EvaluationError(f"got two values for '{name}'")
            values[name] = value
        unknown = [name for name in values if name not in names]
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            uses = _names(names) or "no variables"
            raise EvaluationError(f"unknown variable {_names(unknown)}{hint}: "
                                  f"{shortened(self._source)!r} uses {uses}")
        missing = [name for name in names if name not in values]
        if missing:
            raise EvaluationError(f"missing value for {_names(missing)}: "
                                  f"{shortened(self._source)!r} uses {_names(names)}")
        env = {name: _coerce(name, values[name]) for name in names}
        source, made, seen = self._source, 0, set()

        def step(node: Node, kids: list) -> Any:
            nonlocal made
            size = _result_size(node, kids, env)
            if isinstance(node, Variable):        # an input is one value, however often it is used
                size = 0 if node.name in seen else size
                seen.add(node.name)
            made += size
            grows = isinstance(node, (Binary, ListLiteral)) or (isinstance(node, Call) and len(kids) > 1)
            if made > MAX_TOTAL_ELEMENTS and not (grows and size > MAX_ELEMENTS):   # (_apply names one array too big)
                text = source[node.start:node.end]
                raise EvaluationError(
                    f"{shortened(text, 40)} would bring the values of this evaluation to {made:,} numbers (a tape "
                    f"keeps every intermediate value), more than the limit of {MAX_TOTAL_ELEMENTS:,} for all of "
                    "them together (adviz.expr.MAX_TOTAL_ELEMENTS, or ADVIZ_MAX_TOTAL_ELEMENTS in the "
                    "environment); use smaller values").at(source, _where(node, source))
            try:
                return _apply(node, kids, env, source)
            except EvaluationError as err:
                raise err.at(source, _where(node, source))

        return _fold(self._tree, step)

    def __str__(self) -> str:
        return self._source

    def __repr__(self) -> str:
        return f"Expression({self._source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other._source == self._source

    def __hash__(self) -> int:
        return hash(self._source)

    def to_sympy(self) -> Any:
        """The same expression as a SymPy object, built from the tree (never from the text).

        Variables become real ``Symbol``s, ``x[0]`` becomes ``IndexedBase('x')[0]``, lists become
        ``ImmutableMatrix`` columns (nested lists: rows). Raises ``ValueError`` for what SymPy
        cannot express, such as ``sum`` of a vector variable.
        """
        import sympy as sp
        from sympy.matrices import MatrixBase

        from .budget import SYMPY_SECONDS, time_budget
        rules = _sympy_rules(sp, MatrixBase)

        def convert(node: Node, args: list) -> Any:
            match node:
                case Number(text=text):
                    return sp.Integer(int(text)) if text.isdigit() and len(text) <= 15 \
                        else sp.Float(text)
                case Constant(name=name):
                    return {"pi": sp.pi, "e": sp.E, "inf": sp.oo, "nan": sp.nan}[name]
                case Variable(name=name):
                    return sp.Symbol(name, real=True)
                case Index(index=index):
                    base = args[0]
                    if isinstance(base, sp.Indexed):
                        return base.base[(*base.indices, index)]
                    return sp.IndexedBase(base.name, real=True)[index]
                case Unary(op=op):
                    return _sympy_map(MatrixBase, operator.neg, args[0]) if op == "-" else args[0]
                case Binary(op="**"):
                    return _sympy_map(MatrixBase, lambda b, p: _sympy_pow(sp, b, p), *args)
                case Binary(op=op):
                    return _sympy_map(MatrixBase, _BINARY[op], *args)
                case Call(name=name):
                    rule = rules.get(FUNCTIONS[name].numpy)
                    if rule is None:
                        raise ValueError(f"{name}() has no SymPy counterpart")
                    return rule(name, *args)
                case ListLiteral():
                    return _sympy_matrix(sp, MatrixBase, args)
            raise TypeError(f"not an expression node: {node!r}")

        with time_budget(SYMPY_SECONDS, f"converting {shortened(self._source, 40)!r} to SymPy"):
            return _fold(self._tree, convert)

    def to_latex(self) -> str:
        """LaTeX of :meth:`to_sympy` (SymPy's printer). Like :meth:`to_sympy`, it runs within
        :data:`adviz.budget.SYMPY_SECONDS` and raises :class:`~adviz.budget.BudgetExceeded` beyond."""
        import sympy as sp

        from .budget import SYMPY_SECONDS, time_budget
        expression = self.to_sympy()
        with time_budget(SYMPY_SECONDS, f"the LaTeX of {shortened(self._source, 40)!r}"):
            return sp.latex(expression)


def parse(source: str | Expression) -> Expression:
    """Parse ``source`` into an :class:`Expression`; raises :class:`ParseError` saying where.

    >>> parse("sin(x**2 + 1)").variables
    ('x',)
    >>> parse("2x")
    Traceback (most recent call last):
    ...
    adviz.expr.ParseError: missing operator between '2' and 'x' (write 2*x to multiply) (column 2)
    """
    return source if isinstance(source, Expression) else Expression(source)


_OPERATOR_NAMES = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "true_divide": "/",
                   "power": "**", "negative": "-", "matmul": "dot"}


def written_as(op: str) -> str:
    """How a user writes the NumPy operation ``op`` in an expression: ``true_divide`` → ``/``,
    ``absolute`` → ``abs``, ``arcsin`` → ``arcsin``. Messages use it to speak the user's words.

    >>> written_as("true_divide"), written_as("absolute"), written_as("sin")
    ('/', 'abs', 'sin')
    """
    if op in _OPERATOR_NAMES:
        return _OPERATOR_NAMES[op]
    for name, function in FUNCTIONS.items():               # the first spelling of the whitelist
        if getattr(function.numpy, "__name__", None) == op:
            return name
    return op


_PLAIN_LIST_CHARACTERS = frozenset("0123456789.eE+-[], \t\n\r")


def _plain_numbers(source: str, max_depth: int) -> Any:
    """The quick way to read the commonest long value, a (nested) list of plain decimal numbers
    such as ``[1, 2.5, -3e-2]``: the JSON reader, about forty times faster than building and
    folding a tree of 60,000 nodes. Returns None for anything else (an empty or ragged list,
    ``pi``, ``1/2``, ``+1``, too deep a nesting); :func:`parse_constant` then reads it the
    general way, with its error messages. Each number is read by ``float`` from its text, as
    the general way does: the same float64, including the sign of ``-0``."""
    if not source.startswith("[") or not _PLAIN_LIST_CHARACTERS.issuperset(source):
        return None
    import json  # here: `--at x=3` never needs it

    try:
        data = json.loads(source, parse_int=float, parse_float=float)
        array = np.array(data, dtype=np.float64)
    except (ValueError, TypeError, RecursionError):      # not JSON, or ragged
        return None
    if array.size == 0 or array.ndim > max_depth or 0 in array.shape:
        return None
    if not np.isfinite(array).all() or (_MAY_UNDERFLOW.search(source) and not array.all()):
        return None            # maybe a literal no float holds (1e999, 1e-999): the general way refuses it
    return array


# A nonzero literal can read as 0 only with a 3-digit negative exponent or 100+ digits in a row.
_MAY_UNDERFLOW = re.compile(r"[eE]-\d{3}|\d{100}")



def parse_constant(source: str, *, max_length: int = 1_000_000, max_depth: int = 32) -> Any:
    """Read a *value*: an expression of numbers only, such as ``3``, ``1/2``, ``-pi``, ``1e-3``,
    ``[1, 2/3, sqrt(2)]`` or ``[[1, 2], [3, 4]]``; ``inf`` and ``nan`` are constants here as in expressions.

    Returns an ``np.float64`` or a float array. Values are data, so a matrix must not be ragged
    (``[[1, 2], [3]]`` is refused, not broadcast) and lists may nest ``max_depth`` deep. A
    variable is a :class:`ParseError` pointing at it. Values may be much longer than
    expressions (a vector of 60,000 numbers): up to ``max_length`` characters.

    >>> float(parse_constant("1/2")), parse_constant("[pi, -e]").round(3).tolist()
    (0.5, [3.142, -2.718])
    """
    if not isinstance(source, str):
        raise TypeError(f"a value must be a string, not {type(source).__name__}")
    if len(source) > max_length:
        raise ParseError(f"value too long: {len(source):,} characters (the limit is {max_length:,})",
                         source, max_length)
    quick = _plain_numbers(source.strip(), max_depth)
    if quick is not None:
        return quick
    parser = _Parser(source)
    tree = parser.parse()
    lists = 0
    for node in postorder(tree):
        if isinstance(node, Variable):
            meant = {"nan": "nan", "inf": "inf", "infinity": "inf", "pi": "pi", "e": "e"}.get(node.name.lower())
            hint = f"; write {meant}" if meant else ""
            raise ParseError(f"'{node.name}' is a variable (a value is made of numbers, like 3, 1/2, "
                             f"pi or [1, 2]{hint})", source, node.start)
        if isinstance(node, ListLiteral):
            lists += 1
    if lists:                                     # nesting depth of lists, checked before stacking
        depth, deepest = 0, 0
        for tok in parser.tokens:
            depth += tok.text == "["
            depth -= tok.text == "]"
            deepest = max(deepest, depth)
        if deepest > max_depth:
            raise ParseError(f"lists nested too deeply (more than {max_depth} levels)", source, 0)

    def combine(node: Node, args: list) -> Any:
        if isinstance(node, ListLiteral):
            return _stack(args, source[node.start:node.end], strict=True)
        return _apply(node, args, {}, source)

    with np.errstate(all="ignore"):
        value = _fold(tree, combine)
    value = np.asarray(value, dtype=np.float64) if np.ndim(value) else np.float64(value)
    return value


# ---------------------------------------------------------------- SymPy translation
def _sympy_map(matrix_type: type, fn: Callable, *args: Any) -> Any:
    """Apply a scalar function elementwise when some arguments are matrices (NumPy semantics:
    ``[a, b] * 2`` scales, ``[a, b] * [c, d]`` multiplies elementwise, never matrix-multiplies)."""
    matrices = [a for a in args if isinstance(a, matrix_type)]
    if not matrices:
        return fn(*args)
    shape = matrices[0].shape
    if any(m.shape != shape for m in matrices):
        raise ValueError(f"to_sympy: shapes {[m.shape for m in matrices]} do not match")
    pick = [(lambda i, j, a=a: a[i, j]) if isinstance(a, matrix_type) else (lambda i, j, a=a: a)
            for a in args]
    return type(matrices[0])(*shape, lambda i, j: fn(*(p(i, j) for p in pick)))


def _sympy_pow(sp: Any, base: Any, power: Any) -> Any:
    """``base**power``, left unevaluated when both are constants that SymPy could spend without
    bound on: exact numbers whose power would be huge (``9**9**9`` must not make SymPy compute
    a 370-million-digit integer), or a constant raised to an irrational constant
    (``2**(1/3)**(1/3)**…``, whose automatic simplification grows without limit)."""
    if isinstance(base, sp.Rational) and isinstance(power, sp.Rational):
        size = max(abs(base.p), abs(base.q), 2).bit_length() * abs(power.p)
        if size > 10_000 or power.q > 100:
            return sp.UnevaluatedExpr(sp.Pow(base, power, evaluate=False))
    elif getattr(base, "is_number", False) and getattr(power, "is_number", False) \
            and not isinstance(power, sp.Rational):
        # UnevaluatedExpr, not just evaluate=False: a sum or product containing the power
        # would evaluate it again while flattening its terms.
        return sp.UnevaluatedExpr(sp.Pow(base, power, evaluate=False))
    return base ** power


def _sympy_matrix(sp: Any, matrix_type: type, items: list) -> Any:
    if not any(isinstance(item, matrix_type) for item in items):
        return sp.ImmutableMatrix(items)                              # a column vector
    if all(isinstance(item, matrix_type) and item.shape[1] == 1 for item in items):
        return sp.ImmutableMatrix([list(item) for item in items])     # rows of a matrix
    raise ValueError("to_sympy: only lists of numbers (vectors) and lists of vectors "
                     "(matrices) have a SymPy counterpart")


def _sympy_rules(sp: Any, matrix_type: type) -> dict[Callable, Callable]:
    """NumPy callable → function(name, *sympy_args) building the SymPy equivalent."""
    def each(f: Callable) -> Callable:
        return lambda name, *args: _sympy_map(matrix_type, f, *args)

    def entries(name: str, a: Any) -> list:
        if not isinstance(a, matrix_type):
            raise ValueError(f"to_sympy: {name}() needs a list literal such as {name}([a, b]); "
                             "SymPy has no counterpart for reducing a vector variable")
        return list(a)

    def dot(name: str, a: Any, b: Any) -> Any:
        if not (isinstance(a, matrix_type) and isinstance(b, matrix_type)):
            return _sympy_map(matrix_type, operator.mul, a, b)
        if a.shape[1] == 1 and b.shape[1] == 1:
            return (a.T * b)[0]
        return b.T * a if a.shape[1] == 1 else a * b

    return {
        np.sin: each(sp.sin), np.cos: each(sp.cos), np.tan: each(sp.tan),
        np.arcsin: each(sp.asin), np.arccos: each(sp.acos), np.arctan: each(sp.atan),
        np.arctan2: each(sp.atan2), np.sinh: each(sp.sinh), np.cosh: each(sp.cosh),
        np.tanh: each(sp.tanh), np.arcsinh: each(sp.asinh), np.arccosh: each(sp.acosh),
        np.arctanh: each(sp.atanh), np.exp: each(sp.exp),
        np.expm1: each(lambda x: sp.exp(x) - 1), np.exp2: each(lambda x: sp.Integer(2) ** x),
        np.log: each(sp.log), np.log1p: each(lambda x: sp.log(1 + x)),
        np.log2: each(lambda x: sp.log(x, 2)), np.log10: each(lambda x: sp.log(x, 10)),
        np.logaddexp: each(lambda a, b: sp.log(sp.exp(a) + sp.exp(b))),
        np.sqrt: each(sp.sqrt), np.cbrt: each(lambda x: sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3)),
        np.square: each(lambda x: x ** 2), np.reciprocal: each(lambda x: 1 / x),
        np.hypot: each(lambda a, b: sp.sqrt(a ** 2 + b ** 2)),
        np.abs: each(sp.Abs), np.sign: each(sp.sign),
        np.maximum: each(sp.Max), np.minimum: each(sp.Min),
        np.clip: each(lambda x, lo, hi: sp.Min(sp.Max(x, lo), hi)),
        np.sum: lambda name, a: sp.Add(*entries(name, a)),
        np.mean: lambda name, a: sp.Add(*entries(name, a)) / len(entries(name, a)),
        np.prod: lambda name, a: sp.Mul(*entries(name, a)),
        np.max: lambda name, a: sp.Max(*entries(name, a)),
        np.min: lambda name, a: sp.Min(*entries(name, a)),
        np.dot: dot,
    }
