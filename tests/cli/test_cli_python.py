"""``adviz trace EXPR --python``: the tape printed as a Python module, run and checked by hand.

References are hand-derived: log(x1) + x1·x2 − sin(x2) has gradient (1/x1 + x2, x1 − cos x2)
and tangent (1/x1 + x2)·ẋ1 + (x1 − cos x2)·ẋ2.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest


def load(source: str):
    namespace: dict = {}
    exec(compile(source, "<adviz trace --python>", "exec"), namespace)  # the module imports numpy itself
    return namespace["f"]


def test_python_prints_a_module_with_both_programs(cli):
    result = cli("trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "--at", "x2=5", "--python")
    assert result.exit_code == 0, result.output
    assert result.text.startswith("import numpy as np\n\n\ndef f(x1, x2, x1_dot, x2_dot, v5_bar=1.0):\n")
    value, tangent, (b1, b2) = load(result.text)(3.0, 0.5, 1.0, 2.0)
    assert value == math.log(3.0) + 1.5 - math.sin(0.5)
    assert (b1, b2) == (1 / 3.0 + 0.5, 3.0 - math.cos(0.5))
    assert tangent == (1 / 3.0 + 0.5) * 1.0 + (3.0 - math.cos(0.5)) * 2.0


def test_python_mode_reverse_only_and_json(cli):
    result = cli("trace", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--python", "--mode", "reverse")
    assert "_dot" not in result.text and "# reverse sweep" in result.text
    assert load(result.text)(2.0, 5.0)[1] == (5.0 + math.cos(2.0), 2.0)
    data = json.loads(cli("trace", "sin(x)", "--at", "x=1", "--python", "--json").stdout)
    assert data["expression"] == "sin(x)" and "x_bar = v1_bar * np.cos(x)" in data["python"]


# one expression per function of the expression language, at a point where it is smooth
EVERY_FUNCTION = {
    "sin": "sin(x)", "cos": "cos(x)", "tan": "tan(x)", "arcsin": "arcsin(x/4)", "arccos": "arccos(x/4)",
    "arctan": "arctan(x)", "arctan2": "arctan2(x, y)", "asin": "asin(x/4)", "acos": "acos(x/4)",
    "atan": "atan(x)", "atan2": "atan2(y, x)", "sinh": "sinh(x)", "cosh": "cosh(x)", "tanh": "tanh(x)",
    "arcsinh": "arcsinh(x)", "arccosh": "arccosh(x + 2)", "arctanh": "arctanh(x/4)", "asinh": "asinh(x)",
    "acosh": "acosh(y + 2)", "atanh": "atanh(y/4)", "exp": "exp(x)", "expm1": "expm1(x)", "exp2": "exp2(x)",
    "log": "log(x)", "log1p": "log1p(x)", "log2": "log2(x)", "log10": "log10(x)", "logaddexp": "logaddexp(x, y)",
    "sqrt": "sqrt(x)", "cbrt": "cbrt(x)", "square": "square(x)", "reciprocal": "reciprocal(x)",
    "hypot": "hypot(x, y)", "abs": "abs(x - y)", "sign": "sign(x) * x", "maximum": "maximum(x, y)",
    "minimum": "minimum(x, y)", "clip": "clip(x, 0.5, y)", "sum": "sum(v * x)", "mean": "mean(v * v)",
    "prod": "prod(v)", "max": "max(v * x)", "min": "min(v)", "dot": "dot(v, v) * y",
}


def test_every_function_of_the_expression_language(cli):
    """``--python`` writes every function an expression may call; the module runs and its gradient
    matches central differences of the expression evaluated by NumPy (not by adviz)."""
    import adviz as ad

    assert set(EVERY_FUNCTION) == set(ad.expr.FUNCTIONS)
    numpy_names = {name: f.numpy for name, f in ad.expr.FUNCTIONS.items()}
    at = {"x": 1.25, "y": 0.75, "v": np.array([0.5, -1.5, 2.0])}
    h = 1e-6
    for name, text in EVERY_FUNCTION.items():
        names = [n for n in ("x", "y", "v") if n in ad.parse(text).variables]
        options = [a for n in names for a in ("--at", f"{n}={np.asarray(at[n]).tolist()}".replace(" ", ""))]
        result = cli("trace", text, *options, "--python", "--mode", "reverse")
        assert result.exit_code == 0, (name, result.output)
        program = load(result.text)
        names = program.__code__.co_varnames[:len(names)]  # the parameters, in the program's order
        value, bars = program(*[at[n] for n in names])

        def plain(**values):
            return eval(text, {"__builtins__": {}}, {**numpy_names, **at, **values})

        assert value == pytest.approx(plain(), rel=1e-12), name
        for k, n in enumerate(names):
            a = np.asarray(at[n], dtype=float)
            for idx in np.ndindex(a.shape):
                e = np.zeros_like(a)
                e[idx] = h
                fd = (plain(**{n: a + e}) - plain(**{n: a - e})) / (2 * h)
                assert np.asarray(bars[k])[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8), (name, n, idx)


def test_python_of_a_former_refusal_runs(adviz):
    """``prod`` was refused before its rule learned to write its masks as code."""
    done = adviz("trace", "prod(x)", "--at", "x=[1,2,0]", "--python")
    assert done.returncode == 0 and done.stderr == "" and "Traceback" not in done.stdout
    namespace: dict = {}
    exec(done.stdout, namespace)
    value, tangent, (bar,) = namespace["f"](np.array([1.0, 2.0, 0.0]), np.array([0.0, 0.0, 1.0]))
    assert value == 0.0 and tangent == 2.0 and bar.tolist() == [0.0, 0.0, 2.0]  # products of the others
