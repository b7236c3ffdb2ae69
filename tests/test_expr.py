"""Tests for adviz.expr: grammar, errors with columns, limits, evaluation, SymPy translation.

Reference values come from Python's own arithmetic (the right-hand sides of the precedence table
are Python expressions written in this file), from an independent recursive evaluator of
hypothesis-generated trees, and from SymPy.
"""

from __future__ import annotations

import inspect
import math
import operator
import pickle
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adviz.expr import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    Binary,
    Call,
    EvaluationError,
    Expression,
    Number,
    ParseError,
    Unary,
    Variable,
    parse,
    postorder,
)

X, Y = 1.5, -2.5

# ------------------------------------------------------------------ precedence and associativity
# Each right-hand side is evaluated by Python itself when this module is imported.
PRECEDENCE = [
    ("2 + 3 * 4", 2 + 3 * 4),
    ("2 * 3 + 4", 2 * 3 + 4),
    ("10 - 4 - 3", 10 - 4 - 3),
    ("1 - 2 + 3", 1 - 2 + 3),
    ("64 / 8 / 2", 64 / 8 / 2),
    ("12 / 3 * 2", 12 / 3 * 2),
    ("7 - 3 * 2 ** 2 / 4 + 1", 7 - 3 * 2 ** 2 / 4 + 1),
    ("2 ** 3 ** 2", 2 ** 3 ** 2),
    ("2 ** (1 + 1) ** 2", 2 ** (1 + 1) ** 2),
    ("(2 ** 3) ** 2", (2 ** 3) ** 2),
    ("-2 ** 2", -2 ** 2),
    ("(-2) ** 2", (-2) ** 2),
    ("2 ** -1", 2 ** -1),
    ("-2 ** -2 ** 2", -2 ** -2 ** 2),
    ("2 * -3", 2 * -3),
    ("-3 * 2", -3 * 2),
    ("2 - -3", 2 - -3),
    ("- - 3", 3),
    ("+-+3", +-+3),
    ("2 * 3 ** 2", 2 * 3 ** 2),
    ("2 ** 2 * 3", 2 ** 2 * 3),
    ("(1 + 2) * 3", (1 + 2) * 3),
    ("1e3 + .5 - 2.5e-1 + 3.", 1e3 + .5 - 2.5e-1 + 3.),
    ("1E+2 * 2e0", 1E+2 * 2e0),
    ("4 ** 0.5", 4 ** 0.5),
    ("x * y ** 2 - x / y", X * Y ** 2 - X / Y),
    ("-x ** 2 + y", -X ** 2 + Y),
    ("x - y - x * y / x", X - Y - X * Y / X),
    ("x ** 2 ** -1", X ** 2 ** -1),
    ("(x + y) * (x - y) / 2", (X + Y) * (X - Y) / 2),
]


@pytest.mark.parametrize(("source", "expected"), PRECEDENCE)
def test_precedence_matches_python(source: str, expected: float) -> None:
    f = parse(source)
    value = f(**{name: {"x": X, "y": Y}[name] for name in f.variables})
    assert isinstance(value, np.float64)
    assert value == pytest.approx(expected, rel=1e-15, abs=0)


def test_tree_shapes_follow_python() -> None:
    minus_square = parse("-x**2").tree
    assert isinstance(minus_square, Unary) and isinstance(minus_square.operand, Binary)
    tower = parse("a**b**c").tree                         # a ** (b ** c)
    assert isinstance(tower, Binary) and isinstance(tower.right, Binary)
    assert isinstance(tower.left, Variable) and tower.left.name == "a"
    chain = parse("a - b - c").tree                       # (a - b) - c
    assert isinstance(chain.left, Binary) and chain.right.name == "c"
    call = parse("sin(x**2 + 1)").tree
    assert isinstance(call, Call) and call.name == "sin" and len(call.args) == 1


def test_spans_cover_each_subexpression_including_parentheses() -> None:
    source = "(x + 1) * sin(y[0]) - [2, x]"
    texts = [source[node.start:node.end] for node in postorder(parse(source).tree)]
    assert texts == ["x", "1", "(x + 1)", "y", "y[0]", "sin(y[0])", "(x + 1) * sin(y[0])",
                     "2", "x", "[2, x]", "(x + 1) * sin(y[0]) - [2, x]"]


def test_numbers_in_all_spellings() -> None:
    for text, value in [("0", 0.0), ("42", 42.0), ("3.25", 3.25), (".5", 0.5), ("5.", 5.0),
                        ("1e-3", 1e-3), ("2.5E+2", 250.0), ("007", 7.0)]:
        tree = parse(text).tree
        assert isinstance(tree, Number) and tree.text == text and tree.value == value


# ------------------------------------------------------------------ variables and evaluation
def test_variables_in_order_of_first_appearance() -> None:
    assert parse("y*x + z + x").variables == ("y", "x", "z")
    assert parse("pi * e * sin(t) + exp(t)").variables == ("t",)
    assert parse("x[0] + x[-1] * w").variables == ("x", "w")
    assert parse("2 + 3").variables == ()
    assert parse("x1*x2 + sin(x1)").variables == ("x1", "x2")


def test_seed_example_value() -> None:
    assert parse("sin(x**2 + 1)")(x=3.0) == np.sin(10.0)
    assert parse("x1*x2 + sin(x1)")(x1=2.0, x2=5.0) == 10.0 + np.sin(2.0)


def test_constants_and_whitelisted_functions() -> None:
    assert parse("pi")() == np.pi and parse("e")() == np.e
    assert set(CONSTANTS) == {"pi", "e", "inf", "nan"}
    assert parse("clip(x, 0, 1)")(x=3.0) == 1.0
    assert parse("atan2(1, 1) - arctan2(1, 1)")() == 0.0
    assert parse("max([x, 4, 2]) - min([x, 4, 2])")(x=1.0) == 3.0
    assert parse("dot([1, 2], [3, x])")(x=4.0) == 11.0
    for name, fn in FUNCTIONS.items():
        assert callable(fn.numpy) and fn.arity in (1, 2, 3), name


def test_results_are_numpy_floats_so_overflow_is_inf_not_an_exception() -> None:
    with np.errstate(all="ignore"):
        start = time.process_time()
        assert parse("9**9**9**9")() == np.inf
        assert parse("1/0")() == np.inf and parse("-1/0")() == -np.inf
        assert np.isnan(parse("0/0")())
        assert parse("x**y")(x=9, y=9**9) == np.inf           # Python ints become float64
        assert parse("2**1024")() == np.inf
        assert time.process_time() - start < 10.0   # a hang guard in CPU seconds: other processes' load cannot trip it
    assert isinstance(parse("2 ** 3")(), np.float64)


def test_inputs_are_coerced_only_when_plain_numbers() -> None:
    f = parse("x**2")
    assert f(x=1 + 2j) == (1 + 2j) ** 2                       # complex step keeps working
    assert f(x=[1, 2, 3]).tolist() == [1.0, 4.0, 9.0]
    assert f(x=np.array([2, 3])).dtype == np.float64
    array = np.array([1.0, 2.0])
    assert parse("x")(x=array) is array                       # float arrays are used as they are


def test_vector_and_matrix_expressions() -> None:
    f = parse("[x*y, sin(x), x+y]")
    assert f.is_vector and not parse("x*y").is_vector
    value = f(x=2.0, y=3.0)
    assert value.shape == (3,)
    np.testing.assert_array_equal(value, [6.0, np.sin(2.0), 5.0])
    assert parse("[[1, x], [x, 1]]")(x=0.5).shape == (2, 2)
    assert parse("[x, 0]")(x=np.array([1.0, 2.0, 3.0])).shape == (2, 3)   # broadcast first
    assert parse("x[0] * x[-1]")(x=np.array([2.0, 5.0, 7.0])) == 14.0
    assert parse("W[1][0]")(W=np.array([[1.0, 2.0], [3.0, 4.0]])) == 3.0


def test_evaluation_errors_are_clear_valueerrors() -> None:
    f = parse("a*b + c")
    with pytest.raises(EvaluationError, match="missing value for 'a', 'c'"):
        f(b=1.0)
    with pytest.raises(EvaluationError, match="unknown variable 'd'"):
        f(a=1, b=2, c=3, d=4)
    with pytest.raises(EvaluationError, match="did you mean 'b'"):
        f(a=1, bb=2, c=3)
    with pytest.raises(EvaluationError, match="got two values for 'a'"):
        f(1.0, a=2.0)
    with pytest.raises(EvaluationError, match="takes 3 value"):
        f(1, 2, 3, 4)
    with pytest.raises(EvaluationError, match=r"cannot evaluate x\[5\]: x has 2 entries \(x\[0\] to x\[1\], "
                                              r"or x\[-1\] to x\[-2\]\)$"):   # not NumPy's "axis 0"
        parse("x[5]")(x=[1.0, 2.0])
    with pytest.raises(EvaluationError, match=r"cannot evaluate W\[1\]\[-3\]: W\[1\] has 2 entries"):
        parse("W[1][-3]")(W=[[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(EvaluationError, match=r"cannot evaluate x\[0\]: x is a single number, not a vector"):
        parse("x[0]")(x=2.0)                                 # not "invalid index to scalar variable"
    with pytest.raises(EvaluationError, match="clashing shapes"):
        parse("[x, y]")(x=[1.0, 2.0], y=[1.0, 2.0, 3.0])
    assert issubclass(EvaluationError, ValueError)
    assert f(1.0, 2.0, c=3.0) == 5.0                          # positions follow .variables


class Spy:
    """A stand-in for the AD engine's traced values: records every NumPy call made on it and
    refuses to be converted to a plain array or float."""

    def __init__(self, value: object, log: list[str]) -> None:
        self.value, self.log = np.asarray(value, dtype=float), log

    def __array__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a traced value was converted with np.asarray")

    def __float__(self) -> float:
        raise AssertionError("a traced value was converted with float()")

    def _unwrap(self, x: object) -> object:
        if isinstance(x, (list, tuple)):
            return type(x)(self._unwrap(v) for v in x)
        return x.value if isinstance(x, Spy) else x

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        self.log.append(ufunc.__name__)
        return Spy(getattr(ufunc, method)(*self._unwrap(inputs), **kwargs), self.log)

    def __array_function__(self, func, types, args, kwargs):
        self.log.append(func.__name__)
        return Spy(func(*self._unwrap(args), **kwargs), self.log)

    def __getitem__(self, index: int) -> Spy:
        self.log.append("getitem")
        return Spy(self.value[index], self.log)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    __add__ = lambda s, o: np.add(s, o)
    __radd__ = lambda s, o: np.add(o, s)
    __sub__ = lambda s, o: np.subtract(s, o)
    __rsub__ = lambda s, o: np.subtract(o, s)
    __mul__ = lambda s, o: np.multiply(s, o)
    __rmul__ = lambda s, o: np.multiply(o, s)
    __truediv__ = lambda s, o: np.divide(s, o)
    __rtruediv__ = lambda s, o: np.divide(o, s)
    __pow__ = lambda s, o: np.power(s, o)
    __rpow__ = lambda s, o: np.power(o, s)
    __neg__ = lambda s: np.negative(s)


def test_traced_values_flow_through_untouched_in_tape_order() -> None:
    log: list[str] = []
    out = parse("sin(x**2 + 1)")(x=Spy(3.0, log))
    assert log == ["power", "add", "sin"] and out.value == np.sin(10.0)
    log.clear()
    out = parse("[2 / x, 1 - x, 2 ** -x, sum(x)]")(x=Spy([1.0, 2.0], log))
    assert log == ["divide", "subtract", "negative", "power", "sum", "broadcast_to", "stack"]
    assert out.value.shape == (4, 2)
    log.clear()
    parse("x[0] * y")(x=Spy([1.0, 2.0], log), y=Spy(3.0, log))
    assert log == ["getitem", "multiply"]


# ------------------------------------------------------------------ the Expression object
def test_expression_object_protocols() -> None:
    f = parse("x1*x2 + sin(x1)")
    assert f.source == str(f) == "x1*x2 + sin(x1)"
    assert repr(f) == "Expression('x1*x2 + sin(x1)')"
    assert f == Expression("x1*x2 + sin(x1)") and hash(f) == hash(Expression(f.source))
    assert parse(f) is f
    with pytest.raises(AttributeError):
        f.source = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        f.tree.start = 3  # type: ignore[misc]
    assert list(inspect.signature(f).parameters) == ["x1", "x2"]
    odd = parse("lambda * 2")                         # any name is fine: it is never Python code
    assert odd.variables == ("lambda",) and odd(**{"lambda": 2.0}) == 4.0
    with pytest.raises(TypeError, match="must be a string"):
        parse(3)  # type: ignore[arg-type]


def test_repr_of_a_very_long_tree_does_not_recurse() -> None:
    f = parse("+".join(["x"] * 4000))
    assert f(x=1.0) == 4000.0
    assert repr(f.tree).count("Variable(name='x'") == 4000


# ------------------------------------------------------------------ errors, with columns
ERRORS = [
    # source, 0-based column, part of the message
    ("sin(x^2)", 5, "use ** for powers"),
    ("2x", 1, "missing operator between '2' and 'x' (write 2*x"),
    ("x y", 2, "missing operator"),
    ("(x)(y)", 3, "missing operator between ')' and '('"),
    ("2 sin(x)", 2, "missing operator"),
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    ("(x + 1", 0, "unclosed '('"),
    ("sin(x", 3, "unclosed '('"),
    ("[1, 2", 0, "unclosed '['"),
    ("x + 1)", 5, "unmatched ')'"),
    ("x]", 1, "unmatched ']'"),
    ("(x]", 2, "expected ')' to close '(' at column 1"),
    ("x +", 3, "expression ends after '+'"),
    ("* x", 0, "expected a number, name or '(' but found '*'"),
    ("x + * y", 4, "found '*'"),
    ("sine(x)", 0, "unknown function 'sine' — did you mean 'sin'?"),
    ("ln(x)", 0, "did you mean 'log'?"),
    ("foo(x)", 0, "unknown function 'foo'"),
    ("x(y + 1) + x", 0, "'x' is a variable, not a function"),
    ("pi(2)", 0, "'pi' is a constant, not a function"),
    ("sin + 1", 0, "'sin' is a function: call it like sin(x)"),
    ("2 * exp", 4, "'exp' is a function"),
    ("sin(x, y)", 0, "sin() takes 1 argument, got 2"),
    ("arctan2(x)", 0, "arctan2() takes 2 arguments, got 1"),
    ("clip(x, 1)", 0, "clip() takes 3 arguments, got 2"),
    ("max(x, y)", 0, "use maximum(a, b)"),
    ("sin()", 0, "takes 1 argument, got 0"),
    ("[1, 2,]", 6, "found ']'"),
    ("[]", 0, "empty list"),
    ("()", 0, "empty parentheses"),
    ("(x, y)", 2, "write [a, b] for a vector"),
    ("x, y", 1, "write [a, b] for a vector"),
    ("x[1.5]", 2, "an index must be a whole number"),
    ("x[i]", 2, "an index must be a whole number"),
    ("x[1, 2]", 3, "expected ']'"),
    ("sin(x)[0]", 6, "only variables can be indexed"),
    ("pi[0]", 2, "only variables can be indexed"),
    ("1.2.3", 3, "malformed number"),
    ("1e", 1, "malformed number '1e': an exponent needs digits, as in 1e3 or 1e-3"),   # not "write 1*e"
    ("x*1.5e-3x", 8, "missing operator between '1.5e-3' and 'x'"),
    ("x*1.5e-", 5, "malformed number '1.5e'"),
    ("np.sin(x)", 2, "not np.sin(x)"),
    ("x % 2", 2, "unexpected '%'"),
    ("a @ b", 2, "dot(a, b)"),
    ("x == 1", 2, "not an equation"),
    ("2π", 1, "write pi"),
    ("x²", 1, "write **2"),
    ("é + 1", 0, "not allowed: use plain ASCII"),
    ("x\x00", 1, "control character U+0000"),
    ("x\udce9 + 1", 1, "byte 0xE9 is not UTF-8 text"),   # a Latin-1 'é' as Python decodes argv and stdin
    ("x + \x1b[31m", 4, "control character U+001B"),
    ("__import__('os').system('ls')", 11, "unexpected character"),
    ("x.real", 1, "unexpected '.'"),
]


@pytest.mark.parametrize(("source", "column", "message"), ERRORS)
def test_parse_errors_point_at_the_column(source: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(source)
    err = info.value
    assert message in err.message
    assert err.column == column
    assert err.expression == source
    assert str(err) == f"{err.message} (column {column + 1})"
    assert "\n" not in str(err)


def test_pretty_draws_a_caret_under_the_column() -> None:
    with pytest.raises(ParseError) as info:
        parse("sin(x^2)")
    assert info.value.pretty() == "sin(x^2)\n     ^\nunexpected '^': use ** for powers"
    assert isinstance(info.value, ValueError)


def test_pretty_windows_long_inputs_around_the_column() -> None:
    source = "x + " * 200 + "2y" + " + x" * 200
    with pytest.raises(ParseError) as info:
        parse(source)
    err = info.value
    assert err.column == source.index("2y") + 1
    line, caret, message = err.pretty().split("\n")
    assert len(line) <= 75 and line.startswith("…") and line.endswith("…")
    assert line[caret.index("^")] == "y" and caret.strip() == "^"
    assert message == err.message


def test_parse_error_survives_pickling() -> None:
    with pytest.raises(ParseError) as info:
        parse("1 +")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.message, copy.expression, copy.column) == ("expression ends after '+'", "1 +", 3)


# ------------------------------------------------------------------ limits
def _raises_quickly(source: str, message: str, column: int | None = None) -> None:
    start = time.process_time()
    with pytest.raises(ParseError) as info:
        parse(source)
    assert time.process_time() - start < 10.0   # a hang guard in CPU seconds: other processes' load cannot trip it
    assert message in info.value.message
    if column is not None:
        assert info.value.column == column
    info.value.pretty()                                   # displaying it must be cheap too


def test_long_inputs_are_refused_at_once() -> None:
    _raises_quickly("x" * 1_000_000, "the limit is 10,000", column=10_000)
    _raises_quickly("1+" * 5000 + "1", "too long")
    parse("+".join(["1"] * 5000))                          # 9,999 characters is fine


@pytest.mark.parametrize(("opener", "closer", "allowed", "column"), [
    ("(", ")", 100, 100), ("sin(", ")", 100, 403), ("[", "]", 100, 100), ("-", "", 100, 100),
    ("+", "", 100, 100), ("2**", "", 100, 301), ("x*(", ")", 100, 302),
    ("sum([", "])", 50, 253),                           # each sum([ opens two levels
])
def test_nesting_depth_limit(opener: str, closer: str, allowed: int, column: int) -> None:
    assert MAX_DEPTH == 100
    parse(opener * allowed + "x" + closer * allowed)
    deeper = allowed + 1
    _raises_quickly(opener * deeper + "x" + closer * deeper, "too deeply nested", column=column)
    _raises_quickly(opener * (10_000 // len(opener)), "too deeply nested", column=column)


def test_deep_input_never_raises_recursion_error() -> None:
    _raises_quickly("(" * 10_000, "too deeply nested")
    _raises_quickly("(" * 10_000 + "x" + ")" * 10_000, "too long")
    _raises_quickly("(" * 4_999 + "x" + ")" * 4_999, "too deeply nested", column=MAX_DEPTH)
    _raises_quickly("-(" * 3_000, "too deeply nested")
    _raises_quickly("x**(" * 2_000, "too deeply nested")


# ------------------------------------------------------------------ SymPy translation
x_, y_ = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
POINT = {"x": 0.35, "y": 0.8, "z": 0.5}


def _function_cases() -> list[str]:
    cases = []
    for name, fn in FUNCTIONS.items():
        if name in ("sum", "mean", "prod", "max", "min", "dot"):
            continue
        first = "x + 1" if name in ("arccosh", "acosh") else "x"
        cases.append(f"{name}({', '.join([first, 'y', 'z'][:fn.arity])})")
    return cases + ["sum([x, y, x*y])", "mean([x, y])", "prod([x, y, 3])", "max([x, y])",
                    "min([x, y])", "dot([x, y], [y, 2])", "x**2 ** -y / 3 - pi*e + 1e-3",
                    "-x**2 + 2**3**2 + abs(-x) + sqrt(x**2 + y**2)"]


@pytest.mark.parametrize("source", _function_cases())
def test_to_sympy_agrees_numerically(source: str) -> None:
    f = parse(source)
    expr = f.to_sympy()
    symbols = {s.name: s for s in expr.free_symbols}
    assert set(symbols) == set(f.variables)
    assert all(s.is_real for s in symbols.values())
    reference = float(expr.subs({symbols[n]: POINT[n] for n in symbols}).evalf(30))
    assert float(f(**{n: POINT[n] for n in f.variables})) == pytest.approx(reference, rel=1e-13)


def test_to_sympy_vectors_matrices_and_indices() -> None:
    f = parse("[x*y, sin(x), x+y]")
    m = f.to_sympy()
    assert m.shape == (3, 1)
    np.testing.assert_allclose(np.array(m.subs({x_: 2.0, y_: 3.0}), dtype=float).ravel(),
                               f(x=2.0, y=3.0), rtol=1e-15)
    assert parse("[[1, x], [2, 3]]").to_sympy() == sp.ImmutableMatrix([[1, x_], [2, 3]])
    assert parse("[x, y] * [y, 2] + 1").to_sympy() == sp.ImmutableMatrix([x_ * y_ + 1, 2 * y_ + 1])
    assert parse("dot([[1, 2], [3, 4]], [x, y])").to_sympy() == \
        sp.ImmutableMatrix([x_ + 2 * y_, 3 * x_ + 4 * y_])
    v = sp.IndexedBase("v", real=True)
    assert parse("v[0] * v[-1]").to_sympy() == v[0] * v[-1]


def test_to_sympy_exact_small_numbers_and_no_huge_integers() -> None:
    assert parse("x**2 + 1").to_sympy() == x_ ** 2 + 1
    assert parse("2**10").to_sympy() == 1024
    start = time.process_time()
    tower = parse("9**9**9**9").to_sympy()                 # must not compute 9**387420489
    assert time.process_time() - start < 10.0              # a hang guard in CPU seconds, not a timing test
    assert isinstance(tower, sp.UnevaluatedExpr) and isinstance(tower.args[0], sp.Pow)  # kept as written


def test_to_sympy_refuses_what_sympy_cannot_express() -> None:
    with pytest.raises(ValueError, match=r"sum\(\) needs a list literal"):
        parse("sum(x)").to_sympy()


def test_to_latex() -> None:
    assert parse("sin(x**2 + 1)").to_latex() == r"\sin{\left(x^{2} + 1 \right)}"


# ------------------------------------------------------------------ random expressions
# A random tree of the grammar, printed with the parentheses Python's precedence rules need
# (plus random redundant ones), must parse back to a tree that evaluates exactly like the
# original, computed by the independent recursive evaluator below.
REF_FUNCTIONS = {"sin": (np.sin, 1), "cos": (np.cos, 1), "tanh": (np.tanh, 1), "exp": (np.exp, 1),
                 "log": (np.log, 1), "sqrt": (np.sqrt, 1), "abs": (np.abs, 1),
                 "atan": (np.arctan, 1), "square": (np.square, 1), "cbrt": (np.cbrt, 1),
                 "arctan2": (np.arctan2, 2), "maximum": (np.maximum, 2), "hypot": (np.hypot, 2),
                 "logaddexp": (np.logaddexp, 2), "clip": (np.clip, 3)}
REF_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": operator.pow}                  # Python's operators on np.float64 values
ENV = {"x": np.float64(0.7), "y": np.float64(-1.3), "z": np.float64(2.0)}
SUM, PRODUCT, SIGNED, POWER, ATOM = range(1, 6)

numbers = st.one_of(st.sampled_from(["0", "1", "2", "3", "10", "0.5", ".25", "7.", "2.5e-1",
                                     "1e2", "1E-3"]),
                    st.floats(0, 1e6).map(repr))
leaves = st.one_of(numbers.map(lambda t: ("num", t)),
                   st.sampled_from(["x", "y", "z"]).map(lambda n: ("var", n)),
                   st.sampled_from(["pi", "e"]).map(lambda n: ("const", n)))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    calls = st.sampled_from(sorted(REF_FUNCTIONS)).flatmap(
        lambda name: st.lists(children, min_size=REF_FUNCTIONS[name][1],
                              max_size=REF_FUNCTIONS[name][1])
        .map(lambda args: ("call", name, tuple(args))))
    return st.one_of(st.tuples(st.sampled_from(["neg", "pos", "paren"]), children),
                     st.tuples(st.just("bin"), st.sampled_from(sorted(REF_OPS)), children, children),
                     calls)


trees = st.recursive(leaves, _extend, max_leaves=12)


def render(tree: tuple, space: str) -> tuple[str, int]:
    """Text of ``tree`` and its binding strength, parenthesizing operands as Python requires."""
    def wrap(sub: tuple, need: int) -> str:
        text, strength = render(sub, space)
        return text if strength >= need else f"({text})"

    kind = tree[0]
    if kind in ("num", "var", "const"):
        return tree[1], ATOM
    if kind == "paren":
        return f"({render(tree[1], space)[0]})", ATOM
    if kind == "call":
        return f"{tree[1]}({(',' + space).join(render(a, space)[0] for a in tree[2])})", ATOM
    if kind in ("neg", "pos"):
        return ("-" if kind == "neg" else "+") + wrap(tree[1], SIGNED), SIGNED
    op, left, right = tree[1:]
    if op == "**":
        return f"{wrap(left, ATOM)}{space}**{space}{wrap(right, SIGNED)}", POWER
    strength = SUM if op in "+-" else PRODUCT
    return f"{wrap(left, strength)}{space}{op}{space}{wrap(right, strength + 1)}", strength


def reference(tree: tuple) -> np.float64:
    kind = tree[0]
    if kind == "num":
        return np.float64(float(tree[1]))
    if kind == "var":
        return ENV[tree[1]]
    if kind == "const":
        return np.float64(math.pi if tree[1] == "pi" else math.e)
    if kind == "neg":
        return -reference(tree[1])
    if kind in ("pos", "paren"):
        return reference(tree[1])
    if kind == "call":
        return REF_FUNCTIONS[tree[1]][0](*(reference(a) for a in tree[2]))
    return REF_OPS[tree[1]](reference(tree[2]), reference(tree[3]))


def variables_of(tree: tuple) -> list[str]:
    if tree[0] == "var":
        return [tree[1]]
    subs = tree[2] if tree[0] == "call" else [t for t in tree[1:] if isinstance(t, tuple)]
    return [name for sub in subs for name in variables_of(sub)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, space=st.sampled_from(["", " "]))
def test_random_expressions_evaluate_like_the_reference(tree: tuple, space: str) -> None:
    source, _ = render(tree, space)
    f = parse(source)
    assert f.variables == tuple(dict.fromkeys(variables_of(tree)))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(f(**{n: ENV[n] for n in f.variables}), reference(tree))
    for node in postorder(f.tree):                         # every span is a valid expression
        sub = parse(source[node.start:node.end]).tree
        assert [type(n) for n in postorder(sub)] == [type(n) for n in postorder(node)]


garbage_alphabet = st.sampled_from(list("xyz019.eE+-*/()[], ^sincopqrtlgmabx_\t\n") +
                                   ["**", "sin(", "log", "pi", "[0]", "é", "\x00", "π"])


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.lists(garbage_alphabet, max_size=30).map("".join), st.text(max_size=40)))
def test_garbage_raises_only_parse_errors(text: str) -> None:
    try:
        f = parse(text)
    except ParseError as err:
        assert 0 <= err.column <= len(text)
        assert err.pretty().count("\n") == 2
        return
    with np.errstate(all="ignore"):
        try:
            f(**{name: np.array([0.5, 1.5]) for name in f.variables})
        except ValueError:              # e.g. an index out of range or clashing list shapes
            pass


# ------------------------------------------------------------------ with the AD engine
def test_engine_differentiates_parsed_expressions() -> None:
    import adviz as ad

    f = parse("sin(x**2 + 1)")
    assert ad.grad(f)(3.0) == pytest.approx(np.cos(10.0) * 6.0, rel=1e-15)   # analytic
    t = ad.trace(f, x=3.0)
    assert [float(node.value) for node in t.nodes] == [3.0, 9.0, 10.0, np.sin(10.0)]
    g = parse("x1*x2 + sin(x1)")
    dx1, dx2 = ad.grad(g, argnums=(0, 1))(2.0, 5.0)
    assert (dx1, dx2) == (pytest.approx(5.0 + np.cos(2.0), rel=1e-15), 2.0)
    jac = ad.jacfwd(parse("[x*y, sin(x), x+y]"), argnums=0)(2.0, 3.0)
    np.testing.assert_allclose(jac, [3.0, np.cos(2.0), 1.0], rtol=1e-15)
    np.testing.assert_allclose(ad.grad(parse("sum(x**2) + x[0]"))(np.array([1.0, 2.0, 3.0])),
                               [3.0, 4.0, 6.0], rtol=1e-15)


# ---------------------------------------------------------------- limits, shapes and names (issue 12)
def test_variables_named_self_or_f_work_everywhere():
    import adviz as ad

    assert float(parse("self*2")(self=3.0)) == 6.0
    assert float(parse("self*f")(2.0, 5.0)) == 10.0
    assert ad.trace("f*2", f=1.5).value == 3.0
    assert ad.trace("f*self", f=2.0, self=3.0).gradient() == {"f": 3.0, "self": 2.0}


def test_broadcast_lists_are_refused_before_allocating():
    """A 9,952-character expression used to allocate 5.8 GB: [1,…] + [[1],…] + [[[1]],…]."""
    import tracemalloc

    from adviz.expr import EvaluationError

    n = 800
    text = ("sum([" + ",".join(["1"] * n) + "] + [" + ",".join(["[1]"] * n) + "] + ["
            + ",".join(["[[1]]"] * n) + "])*x")
    tracemalloc.start()
    try:
        with pytest.raises(EvaluationError) as err:
            parse(text)(x=1.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(text) < 10_000
    assert "would make an array of shape (800, 800, 800) (512,000,000 elements)" in str(err.value)
    assert "the limit is 10,000,000" in str(err.value)
    assert peak < 50_000_000                     # refused before the big array existed


def test_the_size_limit_is_configurable(monkeypatch):
    import adviz.expr as expr_module

    f = parse("[1, 2, 3] + [[1], [2]]")
    assert f().shape == (2, 3)
    monkeypatch.setattr(expr_module, "MAX_ELEMENTS", 5)
    with pytest.raises(expr_module.EvaluationError, match="shape \\(2, 3\\)"):
        f()
    with pytest.raises(expr_module.EvaluationError, match="shape \\(6, 1\\)"):
        parse("[x, x, x, x, x, x]")(x=np.ones(1))


def test_the_size_limit_reads_the_environment():
    import subprocess
    import sys

    code = "import adviz.expr as e; print(e.MAX_ELEMENTS)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "ADVIZ_MAX_ELEMENTS": "1234"})
    assert done.stdout.strip() == "1234"


@pytest.mark.parametrize("text, values, words", [
    ("dot(a, b)", {"a": np.ones(2), "b": np.ones(3)},
     "dot(a, b): shapes (2,) and (3,) do not fit: dot needs the last dimension of the first (2) to equal the "
     "only dimension of the second (3)"),
    ("dot(A, B)", {"A": np.ones((2, 3)), "B": np.ones((2, 3))}, "the second-to-last dimension of the second (2)"),
    ("a * b", {"a": np.ones(2), "b": np.ones(3)}, "a * b: shapes (2,) and (3,) do not fit together"),
    ("maximum(a, b)", {"a": np.ones(2), "b": np.ones(3)}, "maximum(a, b): shapes (2,) and (3,)"),
])
def test_shape_mismatches_are_explained_in_the_expressions_words(text, values, words):
    from adviz.expr import EvaluationError

    with pytest.raises(EvaluationError) as err:
        parse(text)(**values)
    assert words in str(err.value)
    assert "gufunc" not in str(err.value) and "broadcast" not in str(err.value)


def test_dot_shapes_that_fit_still_work():
    A, v = np.arange(6.0).reshape(2, 3), np.ones(3)
    assert parse("dot(A, v)")(A=A, v=v).tolist() == (A @ v).tolist()
    assert parse("dot(v, v)")(v=v) == 3.0
    assert parse("dot(2, v)")(v=v).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("text, hint", [
    ("sigmoid(x)", "write it out: 1/(1 + exp(-x))"), ("relu(x)", "maximum(x, 0)"),
    ("softplus(x)", "logaddexp(0, x)"), ("sinn(x)", "did you mean 'sin'?"),
    ("frobnicate(x)", "the functions are sin, cos"), ("a(x)", "to multiply, write a*(…)"),
])
def test_unknown_functions_get_a_useful_hint(text, hint):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert hint in err.value.message


def test_written_as_speaks_the_expression_language():
    from adviz.expr import written_as

    assert [written_as(op) for op in ("add", "subtract", "true_divide", "power", "absolute", "arcsin", "sqrt")] == \
        ["+", "-", "/", "**", "abs", "arcsin", "sqrt"]


def test_parse_constant_reads_values_only():
    from adviz.expr import EvaluationError, parse_constant

    assert parse_constant("pi/4") == np.pi / 4
    assert parse_constant("[1, 2**-1]").tolist() == [1.0, 0.5]
    assert np.isnan(parse_constant("nan")) and parse_constant("-inf") == -np.inf
    with pytest.raises(ParseError) as err:
        parse_constant("2*y")
    assert err.value.column == 2 and "'y' is a variable" in err.value.message
    with pytest.raises(EvaluationError, match="ragged"):
        parse_constant("[[1], [2, 3]]")
    with pytest.raises(ParseError, match="value too long"):
        parse_constant("1" * 20, max_length=10)


# ---------------------------------------------------------------- SymPy within bounds (issue 12)
def test_constant_power_towers_reach_sympy_without_hanging():
    tower = "**".join(["2"] + ["(1/3)"] * 30) + "*x"
    latex = parse(tower).to_latex()                                 # hung before: SymPy simplified the tower
    assert latex.count("\\frac{1}{3}") >= 28 and latex.startswith("x 2^{")
    nested = "2"
    for _ in range(30):
        nested = f"({nested})**(1/3)"
    assert parse(nested + "*x").to_latex() == f"\\sqrt[{3 ** 30}]{{2}} x"
    assert parse("9**9**9 + x").to_latex() == "x + 9^{387420489}"  # a sum does not re-evaluate the power


def test_constants_stay_constants_for_sympy():
    import sympy as sp

    f = parse("2**(1/3)**(1/3)*x").to_sympy()
    x = next(iter(f.free_symbols))
    assert sp.diff(f, x).free_symbols == set()
    assert float(sp.diff(f, x).doit()) == pytest.approx(2 ** ((1 / 3) ** (1 / 3)), rel=1e-14)


def test_a_time_budget_stops_runaway_work_and_says_what():
    import time

    from adviz.budget import BudgetExceeded, time_budget

    start = time.process_time()
    with pytest.raises(BudgetExceeded) as err:
        with time_budget(0.2, "counting to infinity"):
            while True:
                pass
    assert time.process_time() - start < 10.0     # stopped (CPU seconds: other processes' load cannot trip it)
    assert str(err.value).startswith("counting to infinity took longer than 0.2 s and was stopped")
    with time_budget(5, "nothing"):                                  # the timer is cleared afterwards
        time.sleep(0.01)
    import signal

    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_symbolic_swell_stops_within_its_budget(monkeypatch):
    import adviz.budget
    from adviz.budget import BudgetExceeded
    from adviz.numeric import swell_of_expression

    monkeypatch.setattr(adviz.budget, "SYMPY_SECONDS", 0.3)
    with pytest.raises(BudgetExceeded, match="nested 12 deep took longer than 0.3 s"):
        swell_of_expression("sin(x)*x + exp(x)/(1 + x)", depths=[12], tape=False)


@pytest.mark.parametrize("value", [{"x": 1.0}, "1.0", None])
def test_a_value_that_is_not_a_number_is_refused_in_words(value):
    with pytest.raises(EvaluationError, match="not a number or an array"):
        parse("x + 1")(value)


def test_inf_and_nan_are_constants_in_expressions_as_in_values():
    """One reading of ``inf`` and ``nan`` everywhere: constants in expressions (so the definition
    ``x * inf`` that adviz prints reads back as the same expression) and in ``--at`` values."""
    from adviz.expr import CONSTANTS, Constant, constant_given_a_value, parse_constant

    f = parse("x*inf - nan*0")
    assert f.variables == ("x",)
    assert isinstance(parse("inf").tree, Constant) and isinstance(parse("nan").tree, Constant)
    assert parse("x*inf")(x=2.0) == np.inf and parse("-inf")() == -np.inf
    assert np.isnan(f(x=1.0))
    assert parse_constant("inf") == parse("inf")() == CONSTANTS["inf"]
    assert "inf is the constant inf (infinity)" in constant_given_a_value(["inf"])
    with pytest.raises(ParseError, match="'inf' is a constant, not a function"):
        parse("inf(x)")
    assert parse("x*inf").to_latex() == r"\infty x"


def test_all_values_of_one_evaluation_together_are_bounded_before_allocating(monkeypatch):
    """Each array within MAX_ELEMENTS, yet sin(sin(…)) keeps one array per level on a tape: the
    sum of all the values made (inputs included) is checked before each operation runs."""
    import adviz.expr as expr_module

    x = np.linspace(0.0, 1.0, 10)
    f = parse("sum(sin(sin(sin(x))) * x)")
    assert np.isclose(f(x=x), np.sum(np.sin(np.sin(np.sin(x))) * x))   # 10 + 30 + 10 + 1 numbers
    monkeypatch.setattr(expr_module, "MAX_TOTAL_ELEMENTS", 35)
    with pytest.raises(expr_module.EvaluationError) as err:
        f(x=x)
    message = str(err.value)
    assert message.startswith("sin(sin(sin(x))) would bring the values of this evaluation to 40 numbers")
    assert "more than the limit of 35" in message and "ADVIZ_MAX_TOTAL_ELEMENTS" in message
    assert err.value.column == f.source.index("sin(sin(sin")
    assert err.value.pretty().splitlines() == ["sum(sin(sin(sin(x))) * x)", "    ^"]
    monkeypatch.setattr(expr_module, "MAX_TOTAL_ELEMENTS", 45)        # x once (10), three sin (30), then the product
    with pytest.raises(expr_module.EvaluationError, match="\\* x would bring the values of this evaluation to 50"):
        f(x=x)


def test_the_total_is_counted_before_the_operation_runs(monkeypatch):
    """The refusal comes before NumPy is asked to make the value (a huge broadcast is never allocated)."""
    import adviz.expr as expr_module

    monkeypatch.setattr(expr_module, "MAX_TOTAL_ELEMENTS", 1_000)
    calls = []
    real = np.ndarray.__add__

    class Watched(np.ndarray):
        def __add__(self, other):
            calls.append(np.shape(other))
            return real(self, other)

    x = np.zeros(600).view(Watched)
    with pytest.raises(expr_module.EvaluationError, match="x \\+ x would bring the values of this evaluation to 1,200"):
        parse("x + x")(x=x)                                   # x once (600), x + x (600): 1,200 > 1,000
    assert calls == []


def test_an_evaluation_error_points_at_its_place():
    from adviz.expr import EvaluationError

    with pytest.raises(EvaluationError) as err:
        parse("x * ([1, 2] + [1, 2, 3])")(x=1.0)
    assert err.value.column == len("x * ([1, 2] ")
    assert err.value.pretty().splitlines()[1] == " " * len("x * ([1, 2] ") + "^"
    with pytest.raises(EvaluationError) as err:
        parse("2 * x[7]")(x=np.ones(3))
    assert err.value.column == 4


def test_an_input_bigger_than_each_array_may_be_still_counts_in_the_total(monkeypatch):
    """An input is not checked against MAX_ELEMENTS (it exists already), but it is part of the tape."""
    import adviz.expr as expr_module

    monkeypatch.setattr(expr_module, "MAX_ELEMENTS", 10)
    monkeypatch.setattr(expr_module, "MAX_TOTAL_ELEMENTS", 100)
    with pytest.raises(expr_module.EvaluationError, match="sin\\(x\\) would bring the values of this evaluation to 120"):
        parse("sum(sin(x))")(x=np.ones(60))
    with pytest.raises(expr_module.EvaluationError, match="would make an array of shape \\(2, 60\\)"):
        parse("sum(x + [[1], [2]])")(x=np.ones(60))                # one array too big: said as such


@pytest.mark.parametrize("source, column, shown, what", [
    ("x*1e999", 2, "1e999", "beyond the largest float (about 1.8e308): write inf (or -inf) if infinity is meant"),
    ("sin(x) + 2E+400*x", 9, "2E+400", "beyond the largest float"),
    ("1" + "0" * 320 + "*x", 0, "1" + "0" * 28 + "…", "beyond the largest float"),
    ("x*1e-999", 2, "1e-999", "below the smallest float (about 5e-324) and would read as 0: write 0 if zero is meant"),
    ("x + 0." + "0" * 400 + "1", 4, "0." + "0" * 27 + "…", "below the smallest float"),
    ("[x, 2.5e-330]", 4, "2.5e-330", "below the smallest float"),
])
def test_a_literal_no_float_can_hold_is_refused_under_a_caret(source, column, shown, what):
    """float("1e999") is inf and float("1e-999") is 0: the expression must not quietly compute with
    another number than the one written."""
    from adviz.expr import parse_constant

    with pytest.raises(ParseError) as info:
        parse(source)
    err = info.value
    assert err.column == column
    assert err.message.startswith(f"the number '{shown}' is ") and what in err.message
    line, caret, message = err.pretty(width=1000).split("\n")
    assert caret == " " * column + "^" and line == source
    with pytest.raises(ParseError):
        parse_constant(source.replace("x", "1"))          # the quick way for plain lists too


@pytest.mark.parametrize("source, expected", [
    ("x*inf", np.inf), ("x*0", 0.0), ("x*0e999", 0.0), ("x*-0.0", 0.0), ("x*0." + "0" * 400, 0.0),
    ("x*1.7976931348623157e308", 1.7976931348623157e308), ("x*3e-324", 5e-324), ("x*1e-320", 1e-320),
    ("x*10.0**400", np.inf), ("x*1e-300**2", 0.0),          # computed from literals that fit: arithmetic
])
def test_literals_that_fit_and_inf_are_read_as_written(source, expected):
    with np.errstate(all="ignore"):
        assert parse(source)(x=1.0) == expected


def test_an_overflowed_constant_is_written_back_as_a_literal_that_reads():
    """A Trace writes a constant that overflowed as inf (and a tiny one as a nonzero literal):
    the text it prints must read back with the parser that now refuses 1e999 and 1e-999."""
    from adviz import trace

    with np.errstate(all="ignore"):
        t = trace(lambda x: x * (np.float64(10.0) ** 400) + x * np.float64(5e-324), 2.0)
    text = t.to_text()
    assert "inf" in text and "e+400" not in text
    for line in text.splitlines():
        if "=" in line:
            rhs = line.split("=", 1)[1].strip()
            for literal in [w for w in rhs.replace("*", " ").split() if w[:1].isdigit()]:
                parse(literal)
