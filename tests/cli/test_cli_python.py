"""``adviz trace EXPR --python``: the tape printed as a Python module, run and checked by hand.

References are hand-derived: log(x1) + x1·x2 − sin(x2) has gradient (1/x1 + x2, x1 − cos x2)
and tangent (1/x1 + x2)·ẋ1 + (x1 − cos x2)·ẋ2.
"""

from __future__ import annotations

import json
import math


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


def test_python_refusal_is_one_line_without_traceback(adviz):
    done = adviz("trace", "prod(x)", "--at", "x=[1,2]", "--python")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "prod" in done.stderr and "Traceback" not in done.stderr
