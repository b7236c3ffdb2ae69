"""Narrow terminals (40, 60, 80 columns), NO_COLOR, ASCII-only output and pipes: every number
whole, arrays on one line where the terminal allows, labels and titles broken between their
parts. The real entry point runs in a subprocess, output piped, width from COLUMNS."""

from __future__ import annotations

import math
import re
import unicodedata

import pytest

ARRAY = ["sum(sin(x)*x)", "--at", "x=[1,2,3,4,5,6,7,8]"]


def lines(result) -> list[str]:
    return [line.rstrip() for line in result.stdout.splitlines()]


def section(text: list[str], start: str, end: str | None = None) -> list[str]:
    k = next(i for i, line in enumerate(text) if line.startswith(start))
    rest = text[k:]
    stop = next((i for i, line in enumerate(rest) if end and line.startswith(end)), len(rest))
    return rest[:stop]


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_result_table_with_arrays_is_a_table_not_a_bare_list(adviz, columns):
    r = adviz("trace", *ARRAY, env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    result = section(lines(r), "Result")
    from rich.cells import cell_len

    assert max(cell_len(line) for line in lines(r)) <= columns
    assert any("quantity" in line for line in result)               # a header row: a table
    assert not any(re.fullmatch(r"\S+  (quantity|value|cost)", line.strip()) for line in result)  # not the list
    costs = [line for line in result if "sweep" in line]
    assert costs and all(re.search(r"1 sweep, \d+ terms", line) for line in costs)  # never '1' / 'sweep,'
    assert any("(8,) [2.0, 4.0, …" in line or "(8,) [1.382," in line for line in result)


@pytest.mark.parametrize("columns", [60, 80])
def test_stacked_forward_table_keeps_each_array_on_one_line(adviz, columns):
    r = adviz("trace", *ARRAY, "--mode", "forward", env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    forward = section(lines(r), "Forward sweep", "Result")
    for array in ("(8,) [1.0, 2.0, …, 7.0, 8.0]", "(8,) [0.8415, 0.9093, …, 0.657, 0.9894]",
                  "v̇2 = (8,) [1.382, 0.077, …, 5.934, -0.1746]"):
        assert any(array in line for line in forward), (columns, array)
    # never one element per line: no line of the sweep holds a lone array element
    assert not any(re.fullmatch(r"-?\d+\.\d+(,|\])", line.strip()) for line in forward)


def test_compare_title_keeps_the_expression_and_value_together_at_40_columns(adviz):
    r = adviz("compare", "x1*exp(x2)", "--at", "x1=1,x2=1", env={"COLUMNS": "40", "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    head = lines(r)[:3]
    assert head == ["adviz compare  x1*exp(x2)", "at x1=1.0, x2=1.0:", f"f = {math.e!r}"]
    body = lines(r)
    assert all(not line.strip().endswith(("· 3 f", "· 2 complex")) for line in body)  # cost never split
    assert any(line.strip() == "3 f evals" for line in body)
    wide = adviz("compare", "x1*exp(x2)", "--at", "x1=1,x2=1", env={"COLUMNS": "60", "NO_COLOR": "1"})
    assert lines(wide)[:2] == ["adviz compare  x1*exp(x2)  at x1=1.0, x2=1.0:", f"f = {math.e!r}"]


@pytest.mark.parametrize("command", [["trace", *ARRAY],
                                     ["jacobian", "sin(x)", "--at", "x=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"],
                                     ["compare", "x1*exp(x2)", "--at", "x1=1,x2=1"]])
def test_ascii_terminal_spells_summaries_with_dots_not_question_marks(adviz, command):
    r = adviz(*command, env={"COLUMNS": "60", "PYTHONIOENCODING": "ascii"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.isascii()
    assert "?" not in r.stdout
    if command[0] != "compare":
        assert "..." in r.stdout


def test_big_jacobian_corners_stay_a_table_at_80_columns(adviz):
    r = adviz("jacobian", "sin(x)", "--at", "x=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]",
              env={"COLUMNS": "80", "NO_COLOR": "1"})
    text = lines(r)
    row = next(line for line in text if line.lstrip().startswith("y[14]"))
    assert "-0.7596879128588213" in row                              # the last corner, on its row
    assert any("∂/∂x[0]" in line and "∂/∂x[14]" in line for line in text)


@pytest.mark.parametrize("columns", [40, 60])
def test_heading_breaks_between_the_expression_and_its_values(adviz, columns):
    r = adviz("trace", *ARRAY, "--mode", "reverse", env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert lines(r)[:2] == ["adviz trace  sum(sin(x)*x)", "at x = (8,) [1.0, 2.0, …, 7.0, 8.0]"]
    g = adviz("grad", "x1*exp(x2)+x3*x4", "--at", "x1=1,x2=1,x3=2.5,x4=-3.25",
              env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    head = lines(g)[:3]
    assert head[0] == "adviz grad  x1*exp(x2)+x3*x4"
    assert all(re.search(r"x\d = -?\d", line) for line in head[1:3] if line)  # each value beside its name


def test_tape_table_at_40_columns_is_a_table_not_a_bare_list(adviz):
    r = adviz("trace", *ARRAY, "--mode", "reverse", env={"COLUMNS": "40", "NO_COLOR": "1"})
    tape = section(lines(r), "Tape", "Reverse sweep")
    assert any(line.split() == ["node", "definition,", "value"] for line in tape)
    assert not any(line.strip().endswith("  definition") for line in tape)
    assert any(line.strip() == "(8,) [1.0, 2.0, …, 7.0, 8.0]" for line in tape)


@pytest.mark.parametrize("columns", ["40", "60", "100"])
def test_grad_never_breaks_the_command_it_suggests(cli, columns):
    lines = cli("grad", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", env={"COLUMNS": columns}).stdout.splitlines()
    assert any(line.rstrip().endswith("Every step: adviz trace") for line in lines), lines
    assert not any(line.rstrip().endswith("adviz") for line in lines)


@pytest.mark.parametrize("columns", [30, 60, 100])
@pytest.mark.parametrize("where", ["expression", "value"])
def test_the_caret_of_a_long_syntax_error_stays_under_the_spot(cli, columns, where):
    """The window of the expression above the caret fits the terminal, so it never wraps and
    the caret points at the character that is wrong."""
    text = "+".join(f"sin(x*{i})" for i in range(60)) + "^2"
    args = [text, "--at", "x=1"] if where == "expression" else ["x", "--at", f"x=[{','.join(['1'] * 60)}]]"]
    r = cli("grad", *args, env={"COLUMNS": str(columns)})
    assert r.exit_code == 2
    shown, caret = r.stderr.splitlines()[1:3]
    assert len(shown) <= columns and caret.strip() == "^"
    spot = shown[len(caret) - 1]
    assert spot == ("^" if where == "expression" else "]"), (shown, caret)


@pytest.mark.parametrize("columns", ["0", "1", "12"])
@pytest.mark.parametrize("args", [["grad", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5"],
                                  ["compare", "sin(x)", "--at", "x=1"], ["demo", "--auto", "0"]])
def test_a_terminal_width_too_small_to_use_still_shows_every_number(adviz, columns, args):
    """COLUMNS=0 printed nothing at all (and exit 0), COLUMNS=1 one character per line, every
    number broken: narrower than 20 columns is laid out as 20, and every number stays whole."""
    p = adviz(*args, env={"COLUMNS": columns})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    cells = [sum(not unicodedata.combining(c) for c in line.rstrip()) for line in lines]   # v̄ is one cell
    assert lines and max(cells) <= 20
    if args[0] == "grad":
        assert any("4.583853163452858" in line for line in lines) and any("10.909297426825681" in line for line in lines)
    if args[0] == "compare":
        assert any("0.5403023058681398" in line for line in lines)


@pytest.mark.parametrize("columns", [30, 31, 40, 60])
def test_a_vector_seed_keeps_its_seed_mark(adviz, columns):
    """At 30 columns ``ẋ = (3,) [1.0, 1.0, 1.0]`` left ``(seed)`` on a line of its own."""
    r = adviz("trace", "sum(x*y)", "--at", "x=[1,2,3],y=[1,2,3]", "--mode", "forward", "--seed", "x=[1,1,1]",
              env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    forward = [unicodedata.normalize("NFC", line).strip() for line in section(lines(r), "Forward sweep", "Result")]
    marked = [line for line in forward if line.endswith("(seed)")]
    assert len(marked) == 1 and marked[0] != "(seed)"
    assert marked[0].endswith("1.0] (seed)")                        # the value's last word, then its mark
    assert "ẋ = (3,) [1.0, 1.0" in " ".join(forward)
