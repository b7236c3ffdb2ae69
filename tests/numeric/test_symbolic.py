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
