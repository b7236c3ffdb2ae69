"""The comparison table: exact text at 80 columns, Unicode and ASCII, and the wide layout."""

import io

import pytest
from rich.console import Console

from adviz.numeric.compare import compare
from adviz.render.compare_table import comparison_renderable, error_style

# x*x*x at 2: multiplications only, so every finite difference below is the same IEEE result
# on every machine, and the expected text can be written out exactly.
NARROW = """\
adviz compare  x*x*x  at x=2.0:  f = 8.0

 method          h                       ∂f/∂x   rel err   cost
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
 AD reverse                               12.0             1 rev sweep
 AD forward                               12.0         0   1 fwd sweep
 complex step    1e-20                    12.0         0   1 complex f eval
 forward diff.   3.0e-08*   12.000000178813934   1.5e-08   2 f evals
 forward diff.   0.01       12.060099999999707   5.0e-03   2 f evals
 forward diff.   1e-06      12.000006002210739   5.0e-07   2 f evals
 forward diff.   1e-10      12.000000992884452   8.3e-08   2 f evals
 forward diff.   1e-14      12.256862191861728   2.1e-02   2 f evals
 central diff.   1.2e-05*   12.000000000099297   8.3e-12   2 f evals
 central diff.   0.01       12.000099999999847   8.3e-06   2 f evals
 central diff.   1e-06      12.000000000345068   2.9e-11   2 f evals
 central diff.   1e-10      12.000000992884452   8.3e-08   2 f evals
 central diff.   1e-14       12.12363542890671   1.0e-02   2 f evals
 Richardson      1.5e-03    11.999999999999599   3.3e-14   4 f evals

textbook steps: h = √ε·max(1,|x|) one-sided, ∛ε·max(1,|x|) central (marked
*)"""

ASCII = """\
adviz compare  x*x*x  at x=2.0:  f = 8.0
+--------------+----------+--------------------+---------+-----------------+
|method        | h        |              df/dx | rel err | cost            |
+--------------+----------+--------------------+---------+-----------------+
|AD reverse    |          |               12.0 |         | 1 rev sweep     |
|AD forward    |          |               12.0 |       0 | 1 fwd sweep     |
|complex step  | 1e-20    |               12.0 |       0 | 1 complex f eval|
|forward diff. | 3.0e-08* | 12.000000178813934 | 1.5e-08 | 2 f evals       |
|forward diff. | 0.01     | 12.060099999999707 | 5.0e-03 | 2 f evals       |
|forward diff. | 1e-06    | 12.000006002210739 | 5.0e-07 | 2 f evals       |
|forward diff. | 1e-10    | 12.000000992884452 | 8.3e-08 | 2 f evals       |
|forward diff. | 1e-14    | 12.256862191861728 | 2.1e-02 | 2 f evals       |
|central diff. | 1.2e-05* | 12.000000000099297 | 8.3e-12 | 2 f evals       |
|central diff. | 0.01     | 12.000099999999847 | 8.3e-06 | 2 f evals       |
|central diff. | 1e-06    | 12.000000000345068 | 2.9e-11 | 2 f evals       |
|central diff. | 1e-10    | 12.000000992884452 | 8.3e-08 | 2 f evals       |
|central diff. | 1e-14    |  12.12363542890671 | 1.0e-02 | 2 f evals       |
|Richardson    | 1.5e-03  | 11.999999999999599 | 3.3e-14 | 4 f evals       |
+--------------+----------+--------------------+---------+-----------------+
textbook steps: h = sqrt eps*max(1,|x|) one-sided, cbrt eps*max(1,|x|)
central (marked *)"""


@pytest.fixture(scope="module")
def report():
    return compare("x*x*x", {"x": 2.0}, sweep=False, cost=False)


def render(renderable, width):
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def test_exact_text_at_80_columns(report):
    assert render(report, 80) == NARROW


def test_exact_ascii_text(report):
    assert render(comparison_renderable(report, ascii=True), 80) == ASCII


def test_wide_layout_adds_absolute_error_digits_and_notes(report):
    text = render(report, 130)
    header = next(line for line in text.splitlines() if "method" in line)
    for column in ("abs error", "rel error", "digits", "note"):
        assert column in header
    row = next(line for line in text.splitlines() if "textbook ∛ε" in line)
    assert row.split()[:4] == ["central", "difference", "1.2e-05", "12.000000000099297"]
    assert "11.1" in row  # digits: -log10(8.3e-12)
    assert "1 reverse sweep" in text and "(reference)" in text


def test_sweep_summary_and_cost_are_printed():
    r = compare("exp(x)", {"x": 1.0})
    text = render(r, 120)
    assert "h sweep along x: 151 steps" in text
    assert "fitted slopes: truncation 1.00" in text and "truncation 2.00" in text
    assert "complex  relative error" in text
    assert "Cost of the gradient: n = 1 input, m = 1 output, f = 1 primitive" in text


def test_sweep_summary_wraps_under_itself_in_a_narrow_terminal():
    """At 60 columns the lines of the h sweep wrap: each continuation starts under the text of
    its method, never at the margin where it would read as a line of its own."""
    text = render(compare("sin(x**2+1)", {"x": 3.0}), 60)
    lines = text[text.index("h sweep along x"):text.index("Cost of the gradient")].rstrip().splitlines()[1:]
    assert [line[:9] for line in lines if not line.startswith(" " * 11)] == ["  forward", "  central", "  complex"]
    assert len(lines) > 3 + 2        # it did wrap
    assert all(len(line.rstrip()) <= 60 for line in lines)


def test_error_colours():
    assert error_style(1e-16) == "bold green"
    assert error_style(1e-9) == "yellow"
    assert error_style(1e-3) == "bold red"
    assert error_style(float("nan")) == "dim"


@pytest.mark.parametrize("layout", ["wide", "compact", "stacked", "list"])
def test_each_layout_keeps_the_changes_with_h_warning(layout):
    """Only the wide layout has a note column; the others say the warning under the row's cost."""
    from adviz.render.compare_table import comparison_table

    report = compare("log(x)", {"x": 0.0})
    console = Console(file=io.StringIO(), width=300, color_system=None)
    console.print(comparison_table(report, layout=layout))
    text = console.file.getvalue()
    assert text.count("changes with h: see the note") == 1
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "complex step" in line)
    assert any("changes with h" in line for line in lines[start:start + 4])
