"""compare(): every row's error is measured against AD and checked against analytic values here."""

import json

import numpy as np
import pytest

from adviz.numeric.compare import compare

EPS = np.finfo(float).eps


@pytest.fixture(scope="module")
def report():
    return compare("sin(x**2+1)", {"x": 3.0})


def test_reference_is_the_analytic_derivative(report):
    exact = 6 * np.cos(10.0)
    assert report.reference[0] == pytest.approx(exact, rel=4 * EPS)
    assert report.value == pytest.approx(np.sin(10.0), rel=EPS)
    assert report.row("AD forward").rel_error <= 2 * EPS
    assert report.row("complex step").rel_error <= 2 * EPS


def test_difference_rows(report):
    fwd = report.row("forward difference", "textbook √ε")
    cen = report.row("central difference", "textbook ∛ε")
    assert fwd.h == pytest.approx(3 * np.sqrt(EPS)) and cen.h == pytest.approx(3 * EPS ** (1 / 3))
    assert 1e-9 < fwd.rel_error < 1e-6 and 1e-12 < cen.rel_error < 1e-8
    assert fwd.evaluations == 2 and cen.evaluations == 2 and report.row("Richardson").evaluations == 4
    # errors are recomputed here from the values, against the formula, not taken on trust
    exact = 6 * np.cos(10.0)
    for row in report.rows:
        if row.value is not None and row.kind == "fd":
            assert row.abs_error == pytest.approx(abs(row.value[0] - exact), rel=1e-6, abs=1e-15)
    # both ends of the V are among the rows: a big h and a tiny h are both worse than the textbook h
    big = report.row("forward difference", "0.01")
    tiny = report.row("forward difference", "1e-14")
    assert big.rel_error > 100 * fwd.rel_error and tiny.rel_error > 100 * fwd.rel_error


def test_sweep_and_cost_are_attached(report):
    s = report.sweep
    assert s.curves["forward"].truncation_slope == pytest.approx(1, abs=0.1)
    assert s.curves["central"].truncation_slope == pytest.approx(2, abs=0.1)
    assert report.cost.row("reverse").passes == 1


def test_gradient_of_several_variables():
    r = compare("x1*x2 + sin(x1)", {"x1": 2.0, "x2": 5.0}, sweep=False, cost=False)
    np.testing.assert_allclose(r.reference, [5 + np.cos(2.0), 2.0], rtol=4 * EPS)
    assert r.labels == ("x1", "x2")
    assert r.row("AD forward").evaluations == 2
    assert r.row("forward difference").evaluations == 3
    assert r.row("central difference").evaluations == 4
    assert r.row("complex step").evaluations == 2


def test_array_variable_and_wrt():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    r = compare("sum(tanh(W))*x", {"W": W, "x": 0.7}, wrt="W[1,0]", cost=False)
    expected = np.concatenate([(0.7 / np.cosh(W) ** 2).ravel(), [np.tanh(W).sum()]])
    np.testing.assert_allclose(r.reference, expected, rtol=1e-14)
    assert r.labels == ("W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "x")
    assert r.wrt == "W[1,0]" and r.sweep.exact == pytest.approx(expected[2])
    with pytest.raises(ValueError, match="W is an array"):
        compare("sum(tanh(W))*x", {"W": W, "x": 0.7}, wrt="W", cost=False, sweep=False)


def test_complex_step_is_skipped_for_non_analytic_functions():
    r = compare("abs(x)*x", {"x": -1.5}, cost=False)
    row = r.row("complex step")
    assert row.value is None and "skipped" in row.note
    assert any("uses abs," in note for note in r.notes)          # the user's word, not NumPy's "absolute"
    assert "complex" not in r.sweep.curves
    assert r.reference[0] == pytest.approx(3.0)


def test_python_function():
    r = compare(lambda x, y: np.exp(x) * y, {"x": 0.5, "y": 2.0}, sweep=False, cost=False)
    np.testing.assert_allclose(r.reference, [2 * np.exp(0.5), np.exp(0.5)], rtol=4 * EPS)


def test_errors():
    with pytest.raises(ValueError, match="missing values for y"):
        compare("x*y", {"x": 1.0})
    with pytest.raises(ValueError, match="scalar-valued"):
        compare("[x, 2*x]", {"x": 1.0})
    with pytest.raises(ValueError, match="'z' is not a variable"):
        compare("x*y", {"x": 1.0, "y": 2.0}, wrt="z")


def test_json_and_plot(report, tmp_path):
    from adviz.cli import to_json_value   # the --json encoder: inf and nan become strings

    data = json.loads(json.dumps(to_json_value(report.to_dict()), allow_nan=False))
    assert data["sweep"]["methods"]["complex"]["textbook_h"] is None  # no textbook h: no value
    assert data["gradient"] == {"x": pytest.approx(6 * np.cos(10.0))}
    methods = [row["method"] for row in data["rows"]]
    assert methods[:3] == ["AD reverse", "AD forward", "complex step"]
    assert methods.count("forward difference") == 5 and methods.count("central difference") == 5
    assert data["sweep"]["methods"]["central"]["truncation_slope"] == pytest.approx(2, abs=0.1)
    fig = report.plot(tmp_path / "fd.png")
    assert (tmp_path / "fd.png").read_bytes()[:4] == b"\x89PNG"
    assert "sin(x**2+1)" in fig.axes[0].get_title()


def test_a_value_for_a_constant_name_says_it_is_the_constant():
    with pytest.raises(ValueError, match=r"e is the constant e = .*\(for example e1\)"):
        compare("e*x", {"e": 2.0, "x": 1.0})
