"""The CLI contract (ARCHITECTURE.md, issues 10 and 12) checked from the outside, with every
number computed here from the formulas, never read back from the engine.

The seeds' worked examples: the Baydin et al. survey's ``y = ln(x1) + x1·x2 − sin(x2)`` at
(2, 5), row for row in its forward (tangent) and reverse (adjoint) tables, and seed 002's
tape of ``x1·x2 + sin(x1)`` with the inputs numbered first.
"""

from __future__ import annotations

import json
import math

import pytest

SURVEY = ["log(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "--at", "x2=5"]
X1, X2 = 2.0, 5.0
Y = math.log(X1) + X1 * X2 - math.sin(X2)


def _json(cli, *args):
    r = cli(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_grad_json_is_the_survey_result(cli):
    data = _json(cli, "grad", *SURVEY)
    assert data["value"] == pytest.approx(Y, rel=1e-15)
    assert data["gradient"] == {"x1": pytest.approx(1 / X1 + X2, rel=1e-15),
                                "x2": pytest.approx(X1 - math.cos(X2), rel=1e-15)}
    assert data["value"] == pytest.approx(11.652071455223084, rel=1e-15)
    assert data["gradient"]["x2"] == pytest.approx(1.7163378145367738, rel=1e-15)


def test_griewank_tables_are_the_survey_tables_row_for_row(cli):
    data = _json(cli, "trace", *SURVEY, "--notation", "griewank")
    shown = [(n["display"]["name"], n["display"]["definition"], n["value"]) for n in data["nodes"]]
    v1, v2, v3 = math.log(X1), X1 * X2, math.sin(X2)
    assert shown == [("v₋₁", "x1", X1), ("v₀", "x2", X2), ("v₁", "log(v₋₁)", pytest.approx(v1, rel=1e-15)),
                     ("v₂", "v₋₁ * v₀", pytest.approx(v2, rel=1e-15)),
                     ("v₃", "sin(v₀)", pytest.approx(v3, rel=1e-15)),
                     ("v₄", "v₁ + v₂", pytest.approx(v1 + v2, rel=1e-15)),
                     ("v₅", "v₄ - v₃", pytest.approx(v1 + v2 - v3, rel=1e-15))]
    display = {n["name"]: n["display"]["name"] for n in data["nodes"]}

    # the survey's forward table, seeded with ẋ1 = 1: v̇₁ … v̇₅
    (fwd,) = [s for s in data["forward"] if s["seed"] == {"x1": 1.0}]
    tangents = [(display[st["node"]], st["value"]) for st in fwd["steps"]]
    assert tangents == [("v₁", pytest.approx(1 / X1)), ("v₂", pytest.approx(X2)), ("v₃", 0.0),
                        ("v₄", pytest.approx(1 / X1 + X2)), ("v₅", pytest.approx(1 / X1 + X2))]

    # the survey's reverse table, one adjoint update per row, in its order
    (rev,) = data["reverse"]
    rows = [(display[t["to"]], t["total"]) for st in rev["steps"] for t in st["terms"]]
    c = math.cos(X2)
    assert rows == [("v₄", 1.0), ("v₃", -1.0), ("v₁", 1.0), ("v₂", 1.0), ("v₀", pytest.approx(-c, rel=1e-15)),
                    ("v₋₁", pytest.approx(X2)), ("v₀", pytest.approx(X1 - c, rel=1e-15)),
                    ("v₋₁", pytest.approx(X2 + 1 / X1, rel=1e-15))]
    assert [t["label"] for st in rev["steps"] for t in st["terms"]] == ["1.1", "1.2", "2.1", "2.2", "3",
                                                                        "4.1", "4.2", "5"]
    assert [st["step"] for st in rev["steps"]] == [1, 2, 3, 4, 5]


def test_inputs_first_is_seed_002s_tape(cli):
    data = _json(cli, "trace", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--notation", "inputs-first")
    rows = [(n["display"]["name"], n["display"]["definition"]) for n in data["nodes"]]
    assert rows == [("v1", "x1"), ("v2", "x2"), ("v3", "v1 * v2"), ("v4", "sin(v1)"), ("v5", "v3 + v4")]
    assert data["value"] == pytest.approx(2 * 5 + math.sin(2), rel=1e-15)


@pytest.mark.parametrize("text, value", [("pi/4", math.pi / 4), ("1/2", 0.5), ("-e", -math.e),
                                         ("sqrt(2)", math.sqrt(2)), ("2**-3", 0.125)])
def test_at_values_are_read_by_the_expression_language(cli, text, value):
    data = _json(cli, "grad", "sin(x)", "-a", f"x={text}")
    assert data["at"]["x"] == pytest.approx(value, rel=1e-15)
    assert data["gradient"]["x"] == pytest.approx(math.cos(value), rel=1e-15)


@pytest.mark.parametrize("name", ["f", "self", "expr", "at", "json"])
def test_any_variable_name_the_language_accepts(cli, name):
    data = _json(cli, "grad", f"{name}**3", "-a", f"{name}=2")
    assert data["gradient"] == {name: 12.0}


def test_vectors_and_matrices_keep_their_shape_in_json(cli):
    data = _json(cli, "grad", "sum(W*W) + dot(x, x)", "-a", "W=[[1,2],[3,4]]", "-a", "x=[1,2,3]")
    assert data["gradient"] == {"W": [[2.0, 4.0], [6.0, 8.0]], "x": [2.0, 4.0, 6.0]}


def test_jacobian_json_is_rows_outputs_columns_inputs(cli):
    data = _json(cli, "jacobian", "[x*y, sin(x), x+y]", "-a", "x=2", "-a", "y=3")
    assert data["jacobian"] == [[3.0, 2.0], [pytest.approx(math.cos(2.0), rel=1e-15), 0.0], [1.0, 1.0]]


@pytest.mark.parametrize("command", ["trace", "grad", "jacobian", "compare"])
def test_short_a_and_json_on_every_command(cli, command):
    data = _json(cli, command, "sin(x)", "-a", "x=1")
    assert data["expression"] == "sin(x)"


def test_graph_takes_a_as_at_and_json(cli, tmp_path):
    out = tmp_path / "g.svg"
    data = _json(cli, "graph", "sin(x)", "-a", "x=1", "-o", str(out))
    assert out.read_text().lstrip().startswith(("<?xml", "<svg")) and json.dumps(data)


def test_expression_from_standard_input_is_shown(cli):
    r = cli("grad", "-", "-a", "x=2", "--json", input="x**3\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["expression"] == "x**3"


def test_seed_000s_sin_example_forward_and_reverse(cli):
    """Seed 000: v1 = x², v2 = v1 + 1, v3 = sin(v2); tangents 2x, 2x, cos(x²+1)·2x; adjoints
    v̄2 = cos(v2), v̄1 = v̄2, x̄ = v̄1·2x."""
    x = 3.0
    data = _json(cli, "trace", "sin(x**2+1)", "-a", "x=3")
    assert [(n["name"], n["definition"]) for n in data["nodes"]] == [
        ("x", "input"), ("v1", "x**2"), ("v2", "v1 + 1"), ("v3", "sin(v2)")]
    assert data["value"] == pytest.approx(math.sin(x**2 + 1), rel=1e-15)
    (fwd,) = data["forward"]
    assert [(t["partial"], t["total"]) for st in fwd["steps"] for t in st["terms"]] == [
        ("2*x", 2 * x), ("1", 2 * x), ("cos(v2)", pytest.approx(math.cos(x**2 + 1) * 2 * x, rel=1e-15))]
    (rev,) = data["reverse"]
    c = math.cos(x**2 + 1)
    assert [(t["to"], t["partial"], t["total"]) for st in rev["steps"] for t in st["terms"]] == [
        ("v2", "cos(v2)", pytest.approx(c, rel=1e-15)), ("v1", "1", pytest.approx(c, rel=1e-15)),
        ("x", "2*x", pytest.approx(c * 2 * x, rel=1e-15))]


def test_seed_000s_array_examples(cli):
    """z = sum(x*y) has ∂z/∂x = y, ∂z/∂y = x; z = sum(X + b) with b broadcast across the rows
    sums b's adjoint over them (one per row)."""
    data = _json(cli, "grad", "sum(x*y)", "-a", "x=[1,2,3]", "-a", "y=[4,5,6]")
    assert data["gradient"] == {"x": [4.0, 5.0, 6.0], "y": [1.0, 2.0, 3.0]}
    data = _json(cli, "grad", "sum(X + b)", "-a", "X=[[1,2,3],[4,5,6]]", "-a", "b=[1,2,3]")
    assert data["gradient"] == {"X": [[1.0] * 3] * 2, "b": [2.0, 2.0, 2.0]}


def test_lessons_json_lists_every_file_and_what_happened(cli, tmp_path):
    folder = tmp_path / "class"
    first = _json(cli, "lessons", str(folder))
    assert first["edition"] == "student" and first["folder"] == str(folder)
    assert first["files"] and {f["status"] for f in first["files"]} == {"written"}
    assert all((folder / f["path"]).is_file() for f in first["files"])
    again = _json(cli, "lessons", str(folder))
    assert [f["path"] for f in again["files"]] == [f["path"] for f in first["files"]]
    assert {f["status"] for f in again["files"]} == {"unchanged"}
    teacher = _json(cli, "lessons", str(tmp_path / "t"), "--solutions")
    assert teacher["edition"] == "teacher"


def test_compare_json_nests_the_gradient_as_grad_does(cli):
    """`compare --json` and `grad --json` write a gradient the same way: a mapping from variable to
    number or nested list in the input's shape; `entries` names the flat row values in order."""
    args = ["sum(W*W)*y + dot(x, x)", "-a", "W=[[1,2],[3,4]]", "-a", "y=2", "-a", "x=[1,2,3]"]
    grad = _json(cli, "grad", *args)
    compare = _json(cli, "compare", *args)
    assert compare["gradient"] == grad["gradient"] == {"W": [[4.0, 8.0], [12.0, 16.0]], "y": 30.0,
                                                       "x": [2.0, 4.0, 6.0]}
    assert compare["entries"] == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "y", "x[0]", "x[1]", "x[2]"]
    central = next(r for r in compare["rows"] if r["method"] == "central difference")
    assert set(central["gradient"]) == {"W", "y", "x"} and len(central["gradient"]["W"]) == 2
    assert central["gradient"]["x"] == pytest.approx([2.0, 4.0, 6.0], rel=1e-6)
    assert central["value"] == pytest.approx([4.0, 8.0, 12.0, 16.0, 30.0, 2.0, 4.0, 6.0], rel=1e-6)


def _nonfinite_leaves(data):
    """Every value in a JSON document that is not a finite number, a string, a bool or a list/dict."""
    if isinstance(data, dict):
        return [x for v in data.values() for x in _nonfinite_leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _nonfinite_leaves(v)]
    return [data] if isinstance(data, float) and not math.isfinite(data) else []


@pytest.mark.parametrize("expr, at, value, derivative", [
    ("log(x)", "x=0", "-inf", "inf"),
    ("1/x", "x=0", "inf", "-inf"),
    ("sqrt(x)", "x=-1", "nan", "nan"),
])
def test_compare_json_names_inf_and_nan_as_strings_not_null(cli, expr, at, value, derivative):
    """docs/cli.md: inf and nan are the strings "inf", "-inf", "nan" in every --json; null means
    "no value" (a method that did not run), never "not finite"."""
    data = _json(cli, "compare", expr, "-a", at)
    assert data["value"] == value and data["gradient"] == {"x": derivative}
    ad = data["rows"][0]
    assert ad["method"] == "AD reverse" and ad["value"] == [derivative] and ad["gradient"] == {"x": derivative}
    forward = data["rows"][1]
    assert forward["value"] == [derivative]
    assert forward["abs_error"] == "nan" and forward["rel_error"] == "nan"      # inf - inf, nan - nan
    for row in data["rows"]:
        assert row["value"] is not None and None not in row["value"], row
        assert row["abs_error"] is not None and row["rel_error"] is not None, row
    assert data["sweep"] is None and any("h sweep skipped" in n for n in data["notes"])


def test_compare_json_arrays_and_sweep_keep_inf_and_nan_as_strings(cli):
    data = _json(cli, "compare", "sum(sqrt(x))", "-a", "x=[0, 1, 4]", "--wrt", "x[1]")
    assert data["gradient"] == {"x": ["inf", 0.5, 0.25]}
    assert data["value"] == 3.0
    assert data["rows"][0]["value"] == ["inf", 0.5, 0.25]
    assert all(None not in row["value"] for row in data["rows"])
    rel = data["sweep"]["methods"]["complex"]
    assert rel["textbook_h"] is None                       # the complex step has no textbook h
    central = data["sweep"]["methods"]["central"]["rel_error"]
    assert all(isinstance(e, float) or e in ("inf", "nan") for e in central) and None not in central


def test_compare_plot_without_a_sweep_is_one_line(cli, tmp_path):
    r = cli("compare", "1/x", "-a", "x=0", "--plot", str(tmp_path / "fd.png"))
    assert r.exit_code == 2 and "h sweep skipped" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "fd.png").exists()


@pytest.mark.parametrize("command", [
    ["grad", "sum(log(x)*y)", "-a", "x=0", "-a", "y=[1, nan, inf]"],
    ["trace", "log(x)*y", "-a", "x=0", "-a", "y=[1, nan, inf]"],
    ["trace", "sqrt(x)", "-a", "x=-1", "--python"],
    ["jacobian", "[1/x, sqrt(y)]", "-a", "x=0", "-a", "y=-1"],
])
def test_every_json_writes_inf_and_nan_as_strings(cli, command):
    data = _json(cli, *command)
    text = json.dumps(data)
    assert _nonfinite_leaves(data) == [] and ("inf" in text or "nan" in text or "python" in data)


def test_graph_json_writes_inf_and_nan_as_strings(cli, tmp_path):
    data = _json(cli, "graph", "log(x)", "-a", "x=0", "-o", str(tmp_path / "g.dot"))
    assert data["at"] == {"x": 0.0} and _nonfinite_leaves(data) == []
