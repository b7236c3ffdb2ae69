"""Messages in the user's words (``/``, ``abs``, ``dot``), warnings that agree with the numbers,
and text that reads right (``v̄1·(−1)``, ``1 chain-rule term``)."""

from __future__ import annotations

import json
import math
import re

import pytest


def first_line(result) -> str:
    return result.stderr.splitlines()[0]


@pytest.mark.parametrize("args, says, never", [
    (["grad", "x/y", "--at", "x=1,y=0"], "outside the domain of /", "true_divide"),
    (["trace", "dot(x, y)", "--at", "x=[1,2],y=[1,2,3]"], "dot(x, y): shapes (2,) and (3,) do not fit", "gufunc"),
    (["trace", "x + y", "--at", "x=[1,2],y=[1,2,3]"], "x + y: shapes (2,) and (3,) do not fit together", "broadcast"),
    (["trace", "sigmoid(x)", "--at", "x=1"], "unknown function 'sigmoid' — write it out: 1/(1 + exp(-x))",
     "to multiply"),
    (["trace", "frobnicate(x)", "--at", "x=1"], "unknown function 'frobnicate': the functions are sin, cos",
     "to multiply"),
])
def test_messages_use_the_users_words(cli, args, says, never):
    r = cli(*args)
    assert says in first_line(r)
    assert never not in r.stderr


def test_a_one_letter_unknown_function_is_most_likely_a_product(cli):
    r = cli("trace", "a(x + 1)", "--at", "a=2,x=1")
    assert "to multiply, write a*(…)" in first_line(r)


def test_compare_names_abs_as_written(cli):
    r = cli("compare", "abs(x) + x", "--at", "x=1", "--json")
    notes = json.loads(r.stdout)["notes"]
    assert any("uses abs," in note for note in notes) and not any("absolute" in note for note in notes)


def test_nonfinite_slope_warning_names_every_operand(cli):
    r = cli("grad", "x**y", "--at", "x=-2,y=3")
    assert r.exit_code == 0
    assert first_line(r) == ("adviz: warning: the local derivative ∂v1/∂y = log(x)*x**y of v1 = x**y is nan at "
                             "x = -2.0, y = 3.0 (the slope is infinite or undefined there); derivatives through it "
                             "are not finite")
    gradient = json.loads(cli("grad", "x**y", "--at", "x=-2,y=3", "--json").stdout)["gradient"]
    assert gradient == {"x": 12.0, "y": "nan"}                    # 3·(-2)² and log(-2)·(-8)


def test_warning_and_numbers_agree_when_derivatives_stay_finite(cli):
    r = cli("grad", "log(x)", "--at", "x=-1")
    assert r.exit_code == 0
    assert first_line(r).startswith("adviz: warning: v1 = log(x) is nan at x = -1.0 (outside the domain of log")
    assert "the derivatives shown stay finite" in first_line(r) and "∂v1/∂x = 1/x = -1.0" in first_line(r)
    assert "derivatives inherit" not in r.stderr
    assert json.loads(cli("grad", "log(x)", "--at", "x=-1", "--json").stdout)["gradient"] == {"x": -1.0}


def test_warning_and_numbers_agree_when_derivatives_inherit(cli):
    r = cli("grad", "x/y", "--at", "x=1,y=0")
    assert "later values and the derivatives inherit it" in first_line(r)
    gradient = json.loads(cli("grad", "x/y", "--at", "x=1,y=0", "--json").stdout)["gradient"]
    assert gradient == {"x": "inf", "y": "-inf"}                  # 1/y and -x/y² at y = 0


def test_negative_partials_are_parenthesised(cli):
    r = cli("trace", "x - 2*x", "--at", "x=1", "--mode", "reverse")
    assert "v̄1 += v̄2·(−1)" in r.text and "·-1" not in r.text and "(-1)" not in r.text
    r = cli("trace", "x - 2*x", "--at", "x=1", "--mode", "reverse", "--json")
    updates = [t["update"] for s in json.loads(r.stdout)["reverse"] for step in s["steps"] for t in step["terms"]]
    assert "v̄1 += v̄2·(−1)" in updates


def test_counts_agree_with_their_nouns(cli, tmp_path):
    r = cli("grad", "sin(x)", "--at", "x=1")
    assert "One reverse sweep, 1 chain-rule term." in r.text
    assert "2 chain-rule terms" in cli("grad", "x*y", "--at", "x=1,y=2").text
    r = cli("graph", "sin(x)", "--at", "x=1", "--mode", "reverse", "--step", "5", "-o", str(tmp_path / "g.dot"))
    assert "(this reverse sweep has 1 step)" in r.stderr
    assert not re.search(r"\b1 (steps|terms|sweeps|lessons)\b", r.stderr + r.stdout)


def test_jacobian_with_as_many_inputs_as_outputs(cli):
    r = cli("jacobian", "[x*y, x+y]", "--at", "x=1,y=2")
    assert "2 input components, 2 output components: both modes need the same number of sweeps here." in r.text
    assert "either" not in r.text


@pytest.mark.parametrize("columns", ["60", "40", "37", "36", "32", "26", "20"])
def test_compare_never_cuts_numbers(cli, columns):
    data = json.loads(cli("compare", "exp(x)", "--at", "x=1", "--json").stdout)
    r = cli("compare", "exp(x)", "--at", "x=1", env={"COLUMNS": columns})
    assert r.exit_code == 0
    for row in data["rows"]:
        if row["value"] is not None:
            assert repr(row["value"][0]) in r.stdout, row
    assert repr(math.e) in r.stdout
    assert max(len(line.rstrip()) for line in r.stdout.splitlines()) <= int(columns)
    words = " ".join(r.stdout.split())                 # the title, however it wrapped, loses no word
    assert words.startswith(f"adviz compare exp(x) at x=1.0: f = {math.e!r} ")


@pytest.mark.parametrize("columns", ["30", "24", "20"])
def test_grad_jacobian_and_trace_never_split_numbers(cli, columns):
    """Folding 2.718281828459045 as '2.71828182845904' over '5' shows another number: in a terminal
    too narrow for a table the cells go on lines of their own."""
    from rich.cells import cell_len

    grad = json.loads(cli("grad", "exp(x)*y", "--at", "x=1,y=2", "--json").stdout)
    jac = json.loads(cli("jacobian", "[exp(x), x*y]", "--at", "x=1,y=3", "--json").stdout)
    shown = {"grad": [grad["value"], *grad["gradient"].values()],
             "jacobian": [v for row in jac["jacobian"] for v in row],
             "trace": [math.sin(10.0), math.cos(10.0) * 6]}
    runs = {"grad": ["grad", "exp(x)*y", "--at", "x=1,y=2"], "jacobian": ["jacobian", "[exp(x), x*y]", "--at", "x=1,y=3"],
            "trace": ["trace", "sin(x**2+1)", "--at", "x=3"]}
    for name, args in runs.items():
        r = cli(*args, env={"COLUMNS": columns})
        assert r.exit_code == 0
        lines = r.text.splitlines()
        assert max(cell_len(line.rstrip()) for line in lines) <= int(columns), name
        words = {w for line in lines for w in line.split()}
        for number in shown[name]:
            assert repr(float(number)) in words, (name, number)


def test_compare_wrt_shows_that_entrys_own_error(cli):
    """x1·exp(x2) is linear in x1: its difference quotients are much better than x2's."""
    data = json.loads(cli("compare", "x1*exp(x2)", "--at", "x1=1,x2=1", "--wrt", "x1", "--json").stdout)
    gradient = data["gradient"]
    row = next(r for r in data["rows"] if r["method"] == "forward difference" and r["h_label"] == "1e-06")
    own = abs(row["value"][0] - gradient["x1"]) / abs(gradient["x1"])
    largest = row["rel_error"]
    assert own < largest / 10                                    # the largest error is x2's
    r = cli("compare", "x1*exp(x2)", "--at", "x1=1,x2=1", "--wrt", "x1", env={"COLUMNS": "160"})
    line = next(line for line in r.stdout.splitlines() if repr(row["value"][0]) in line)
    assert f"{own:.1e}" in line and f"{largest:.1e}" not in line


def test_a_nonfinite_input_warning_agrees_with_the_derivatives(cli):
    r = cli("grad", "2*x", "--at", "x=inf")
    assert first_line(r) == ("adviz: warning: the input x = inf is not finite; values that depend on it inherit it; "
                             "the derivatives shown stay finite")
    assert json.loads(cli("grad", "2*x", "--at", "x=inf", "--json").stdout)["gradient"] == {"x": 2.0}
    r = cli("grad", "x*x", "--at", "x=inf")
    assert first_line(r).endswith("values and derivatives that depend on it inherit it")


@pytest.mark.parametrize("text, word, column", [("x if x else 1", "if", 3), ("not x", "not", 1),
                                                 ("x and y", "and", 3), ("import os", "import", 1)])
def test_python_words_are_named_as_python_not_as_a_missing_times(cli, text, word, column):
    """'x if …' used to say 'write x*if to multiply'."""
    r = cli("grad", text, "--at", "x=1")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"adviz: error: syntax error: '{word}' is Python, not part of the expression language")
    assert f"(column {column})" in r.stderr and "to multiply" not in r.stderr
    caret = r.stderr.splitlines()[2]
    assert caret == " " * (2 + column - 1) + "^"


@pytest.mark.parametrize("text, char, column", [("x if x > 0 else 1", ">", 8), ("x<1", "<", 2), ("x != 1", "!", 3)])
def test_a_comparison_says_there_are_none(cli, text, char, column):
    r = cli("grad", text, "--at", "x=1")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"adviz: error: syntax error: unexpected '{char}': there are no comparisons")
    assert f"(column {column})" in r.stderr and r.stderr.splitlines()[2] == " " * (2 + column - 1) + "^"


def test_a_step_out_of_range_names_a_term_of_this_sweep(cli, tmp_path):
    """'or a term such as 2.1' was said of sweeps with no step 2, or with no steps at all."""
    out = str(tmp_path / "g.svg")
    r = cli("graph", "x", "--at", "x=1", "--step", "99", "-o", out)
    assert r.exit_code == 2 and "this reverse sweep has no steps (the output is an input): the only step is 0" in r.stderr
    r = cli("graph", "sin(x)", "--at", "x=1", "--step", "9", "-o", out)
    assert r.exit_code == 2 and "from 0 to 1 (this reverse sweep has 1 step), got '9'" in r.stderr
    assert "such as" not in r.stderr
    r = cli("graph", "x*y", "--at", "x=1,y=2", "--step", "9", "-o", out)
    assert r.exit_code == 2 and "or a term such as 1.2, got '9'" in r.stderr
