"""``adviz compare`` where f has no finite derivative (a singularity, a point outside the domain)
or no complex version: the rows keep their honest numbers, and a note says why they disagree.

The complex step's ``Im f(x+ih)/h`` is the derivative only where f is analytic. At ``log`` of 0
it is π/(2h), at ``sqrt`` of 0 it is 1/√(2h), at ``1/x`` at 0 it is -1/h²: numbers that measure
h, not f. The note shows it changing with h (the values below are computed here with NumPy's
complex functions, independently of adviz).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

CASES = [   # expression, x, the complex function NumPy evaluates, why
    ("log(x)", 0.0, np.log, "inf"),
    ("sqrt(x)", 0.0, np.sqrt, "inf"),
    ("1/x", 0.0, lambda z: 1 / z, "-inf"),
    ("log(x)", -1.0, np.log, "nan"),
    ("sqrt(x)", -4.0, np.sqrt, "nan"),
]


def _complex_step(fn, x: float, h: float) -> float:
    return float(np.imag(fn(np.complex128(complex(x, h)))) / h)


@pytest.mark.parametrize("expression, x, fn, why", CASES)
def test_the_complex_step_at_a_singularity_is_shown_and_explained(cli, expression, x, fn, why):
    r = cli("compare", expression, "--at", f"x={x!r}", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    row = next(row for row in report["rows"] if row["method"] == "complex step")
    assert row["value"] == [_complex_step(fn, x, 1e-20)]            # the honest number, not hidden
    assert "changes with h" in row["note"]
    note = next(n for n in report["notes"] if n.startswith("complex step:"))
    assert f"{_complex_step(fn, x, 1e-20)!r} at h=1e-20" in note and f"{_complex_step(fn, x, 1e-10)!r} at h=1e-10" in note
    assert "not a derivative" in note and why in note
    assert _complex_step(fn, x, 1e-20) != pytest.approx(_complex_step(fn, x, 1e-10), rel=1e-3)


def test_the_table_shows_the_note_and_no_digits_it_cannot_count(cli):
    r = cli("compare", "log(x)", "--at", "x=0", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    reference = next(line for line in lines if line.lstrip().startswith("AD reverse"))
    assert "(reference)" in reference and " 0.0 " not in reference     # no digits against an infinite derivative
    complex_row = next(line for line in lines if line.lstrip().startswith("complex step"))
    assert repr(_complex_step(np.log, 0.0, 1e-20)) in complex_row and "changes with h" in complex_row
    assert any(line.startswith("note: complex step:") for line in lines)


def test_a_regular_point_has_no_such_note(cli):
    report = json.loads(cli("compare", "sin(x**2+1)", "--at", "x=3", "--json").stdout)
    assert not any(n.startswith("complex step") for n in report["notes"])
    row = next(row for row in report["rows"] if row["method"] == "complex step")
    assert row["note"] == "" and row["digits"] > 14


@pytest.mark.parametrize("expression, name", [("cbrt(x)", "cbrt"), ("logaddexp(x, 1)", "logaddexp")])
def test_a_function_without_a_complex_version_is_named_in_the_users_words(cli, expression, name):
    r = cli("compare", expression, "--at", "x=2", "--json")
    assert r.exit_code == 0, r.output
    note = next(n for n in json.loads(r.stdout)["notes"] if n.startswith("complex step skipped"))
    assert f"{name} has no complex version" in note
    assert "ufunc" not in note and "casting" not in note and "coerced" not in note


def test_wrt_names_an_entry_as_people_write_it(cli):
    at = ["--at", "W=[[1,2],[3,4]]", "--json"]
    spaced = json.loads(cli("compare", "sum(W*W*W)", *at, "--wrt", "W[1, 0]").stdout)
    assert spaced["wrt"] == "W[1,0]" and spaced["sweep"]["exact"] == 27.0     # 3·3² from the formula 3W²
    r = cli("compare", "sum(W*W)", *at, "--wrt", "W[0,5]")
    assert r.exit_code == 2
    assert "W[0,5] is not an entry of W, whose shape is (2, 2): W[0,0] to W[1,1]" in r.stderr


def test_the_sweep_summary_at_a_kink_does_not_call_f_a_polynomial(cli):
    """abs at 0: forward differences stay at 1 for every h (AD's 0 is the convention at the kink);
    the summary says the error does not fall with h, not that f is a low-degree polynomial, and
    calls an error against a zero derivative absolute."""
    text = " ".join(cli("compare", "abs(x)", "--at", "x=0", env={"COLUMNS": "200"}).stdout.split())
    forward = text[text.index("forward best h"):text.index("central best h")]
    assert "the error does not fall as h shrinks" in forward and "polynomial" not in forward
    assert "absolute error there ≈ 1e+00" in forward and "relative error" not in forward
    smooth = " ".join(cli("compare", "x**2", "--at", "x=1", env={"COLUMNS": "200"}).stdout.split())
    assert "truncation 1.00" in smooth and "as for a low-degree polynomial in x" in smooth   # central: exact


@pytest.mark.parametrize("columns", ["40", "70", "200"])
@pytest.mark.parametrize("how", [{"PYTHONIOENCODING": "ascii"}, {}])
def test_ascii_output_writes_a_missing_number_as_a_dash(adviz, columns, how):
    """The table's missing errors ('–' in Unicode) are '-' in ASCII, never '?' (a character the
    terminal's encoding replaced)."""
    p = adviz("compare", "sqrt(x)", "--at", "x=0", *([] if how else ["--ascii"]), env={"COLUMNS": columns, **how})
    assert p.returncode == 0, p.stderr
    assert "?" not in p.stdout and "–" not in p.stdout and p.stdout.isascii()


def test_a_comparison_too_big_to_finish_is_refused_before_any_work(adviz):
    """Every method but reverse mode goes through the inputs one entry at a time: 60,000 entries
    of sum(x*x) took nine minutes. The work (entries x numbers on the tape) has the same limit
    as trace's reverse sweeps; under it the command runs."""
    values = "x=[" + ",".join(["1"] * 200) + "]"
    limit = {"ADVIZ_MAX_ELEMENTS": "10000"}
    start = time.monotonic()
    p = adviz("compare", "sum(x*x)", "--at", values, env=limit)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and time.monotonic() - start < 60
    assert "each of the 200 input entries separately" in p.stderr and "limit of 10,000 (ADVIZ_MAX_ELEMENTS)" in p.stderr
    small = adviz("compare", "sum(x*x)", "--at", "x=[1,2,3]", "--json", env=limit)
    assert small.returncode == 0 and json.loads(small.stdout)["gradient"] == {"x": [2.0, 4.0, 6.0]}


def test_json_never_counts_digits_it_cannot_know(cli):
    """Against an infinite derivative the errors are nan, so are the digits (0.0 said 'no digit
    right', which nobody measured); a method that did not run has none (null)."""
    rows = json.loads(cli("compare", "log(x)", "--at", "x=0", "--json").stdout)["rows"]
    forward = next(r for r in rows if r["method"] == "AD forward")
    assert forward["rel_error"] == "nan" and forward["digits"] == "nan"
    rows = json.loads(cli("compare", "abs(x)", "--at", "x=1", "--json").stdout)["rows"]
    skipped = next(r for r in rows if r["method"] == "complex step")
    assert skipped["value"] is None and skipped["digits"] is None
    assert next(r for r in rows if r["method"] == "AD forward")["digits"] == 16.0


def test_a_long_wrt_is_not_echoed_back_whole(cli):
    """A 300-digit index came back in full (300 characters of the error line): it is cut with an ellipsis."""
    digits = "1" * 300
    r = cli("compare", "sum(x*y)", "--at", "x=[1,2]", "--at", "y=2", "--wrt", f"x[{digits}]")
    assert r.exit_code == 2
    line = r.stderr.strip()
    assert "…" in line and digits not in line and len(line) < 140
    assert "is not an entry of x, whose shape is (2,): x[0] to x[1]" in line
    r = cli("compare", "x*y", "--at", "x=1", "--at", "y=2", "--wrt", "x[3]")
    assert r.exit_code == 2 and "x is a single number, not an array; write --wrt x" in r.stderr


@pytest.mark.parametrize("columns", ["200", "80", "50", "30"])
def test_every_layout_says_the_complex_step_changes_with_h(cli, columns):
    """The wide table's note column says "changes with h"; the compact, stacked and list layouts,
    which have no note column, lost it: the suspicious number stood there like any other."""
    r = cli("compare", "log(x)", "--at", "x=0", env={"COLUMNS": columns})
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "complex step" in line)
    end = next(i for i, line in enumerate(lines) if "forward diff" in line)
    assert "changes with h: see the note" in " ".join(lines[start:end])
    assert sum("changes with h: see the note" in line for line in lines) == 1
