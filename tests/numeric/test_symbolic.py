"""Expression swell: symbolic derivative sizes grow faster than the program they came from."""

import numpy as np
import pytest

from adviz.numeric import symbolic


def second_differences(values):
    return np.diff(np.asarray(values, dtype=float), n=2)


def test_product_rule_swell_is_quadratic():
    r = symbolic.swell("product", range(2, 9), tape=False)
    d = r.column("derivative_ops")
    f = r.column("function_ops")
    assert np.all(np.diff(f) == np.diff(f)[0])  # the function grows linearly
    assert np.all(second_differences(d) > 0)  # its derivative superlinearly
    assert d[-1] / f[-1] > 8


def test_softplus_layers_swell_quadratically_and_cse_undoes_it():
    r = symbolic.swell("softplus", range(1, 9), tape=False)
    d, cse, f = r.column("derivative_ops"), r.column("derivative_cse_ops"), r.column("function_ops")
    assert np.all(np.diff(f) == 5)  # w·l, + b, exp, 1 +, log: five operations per layer
    assert np.all(second_differences(d) > 0)
    assert np.all(second_differences(cse) == 0)  # sharing brings it back to a constant per layer
    assert cse[-1] < d[-1] / 4


def test_logistic_map_swell_is_exponential():
    r = symbolic.swell("logistic", range(1, 8), tape=False)
    d = r.column("derivative_ops")
    growth = np.array(d[3:]) / np.array(d[2:-1])
    assert min(growth) > 2.3  # more than doubles with every layer
    cse = r.column("derivative_cse_ops")
    assert cse[-1] < d[-1] / 20


def test_known_sizes():
    """x·sin(x): d/dx = x·cos(x) + sin(x): four operations (two multiplications hidden in one
    product, cos, sin, +) as sympy counts them."""
    r = symbolic.swell("product", [2], tape=False)
    assert r.rows[0].function_ops == 2  # x*sin(x): MUL, SIN
    assert r.rows[0].derivative_ops == 4  # x*cos(x) + sin(x): MUL, COS, ADD, SIN


def test_family_function_is_the_same_computation_as_the_formula():
    sympy = pytest.importorskip("sympy")
    for family in symbolic.FAMILIES:
        expr, x = symbolic._family_sympy(family, 4)
        if family == "softplus":  # the tape uses numbers for the weights
            w, b = symbolic._SOFTPLUS_WEIGHTS
            expr = expr.subs({s: (w if s.name.startswith("w") else b) for s in expr.free_symbols if s != x})
        numeric = symbolic.family_function(family, 4)(0.3)
        assert float(expr.subs(x, sympy.Rational(3, 10)).evalf(30)) == pytest.approx(numeric, rel=1e-13)


def test_bad_family_and_depth():
    with pytest.raises(ValueError, match="unknown family"):
        symbolic.swell("fractal", [1], tape=False)
    with pytest.raises(ValueError, match="depth"):
        symbolic.swell("product", [0], tape=False)


def test_report_renders_as_a_rich_table():
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=100).print(symbolic.swell("softplus", [1, 2], tape=False))
    text = out.getvalue()
    assert "softplus layers" in text and "f′ after CSE" in text
    assert "29" in text  # derivative ops at depth 2


# ------------------------------------------------------------------ against the tape (needs the engine)


@pytest.mark.parametrize("family, per_layer", [("product", 3), ("softplus", 5), ("logistic", 3)])
def test_tape_grows_linearly_while_the_symbolic_derivative_does_not(family, per_layer):
    r = symbolic.swell(family, range(2, 8))
    tape = r.column("tape_primitives")
    reverse = r.column("reverse_ops")
    assert np.all(np.diff(tape) == per_layer)  # one fixed set of primitives per layer / factor
    assert np.all(second_differences(reverse) == 0)  # and the reverse sweep, too
    assert np.all(second_differences(r.column("derivative_ops")) > 0)
    swell = [row.swell for row in r.rows]
    assert swell[-1] > 1.5 * swell[0]  # symbolic / AD keeps widening with depth


def test_softplus_tape_matches_the_formula_operation_by_operation():
    r = symbolic.swell("softplus", [1, 2, 3])
    # w·l, + b, exp, 1 +, log: the tape and sympy's count_ops agree on the function
    assert r.column("tape_primitives") == r.column("function_ops") == [5, 10, 15]


def test_user_expression_nested_into_itself():
    r = symbolic.swell_of_expression("x*sin(x)", [1, 2, 3, 4])
    assert r.column("tape_primitives") == [2, 4, 6, 8]  # mul and sin per level
    assert r.column("derivative_ops")[0] == 4  # x*cos(x) + sin(x)
    assert np.all(second_differences(r.column("derivative_ops")) > 0)
    assert "nested into itself" in r.title


def test_user_expression_with_two_variables_needs_a_choice():
    with pytest.raises(ValueError, match="variable="):
        symbolic.swell_of_expression("x1*x2 + sin(x1)", [1])
    r = symbolic.swell_of_expression("x1*x2 + sin(x1)", [1, 2], variable="x1", at={"x2": 5.0})
    assert r.column("tape_primitives") == [3, 6]
    with pytest.raises(ValueError, match="not a variable"):
        symbolic.swell_of_expression("x*y", [1], variable="z")


@pytest.fixture
def shallow_recursion():
    """Python's recursion limit lowered to a few hundred frames above the test's own, so that a
    modest depth reaches it quickly (the real limit of 1000 needs depths of a few hundred)."""
    import inspect
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 250)
    yield
    sys.setrecursionlimit(old)


@pytest.mark.parametrize("run", [lambda: symbolic.swell("softplus", [60], tape=False),
                                 lambda: symbolic.swell_of_expression("sin(x)", [120], tape=False)],
                         ids=["family", "user expression"])
def test_a_formula_too_deep_for_sympy_is_a_clear_error_not_a_recursion_error(shallow_recursion, run):
    from adviz.budget import TooDeep

    with pytest.raises(TooDeep, match="nested too deeply for SymPy.*try a smaller depth") as err:
        run()
    assert "the symbolic derivative of" in str(err.value) and isinstance(err.value, ValueError)
