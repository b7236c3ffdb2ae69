"""The ``adviz`` command: every command and flag through Typer's CliRunner, the seeds' worked
examples as golden output, and real subprocess runs for exit codes, stderr and start-up imports.

Reference values come from ``math`` and hand-derived formulas, never from the engine:
sin(x²+1) at x = 3 gives v1 = 9, v2 = 10, y = sin 10, dy/dx = cos(10)·6; x1·x2 + sin(x1) at
(2, 5) has gradient (5 + cos 2, 2); [x·y, sin x, x + y] has Jacobian [[y, x], [cos x, 0], [1, 1]].
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adviz.cli import InputError, app, parse_assignments, parse_value

ENV = {"COLUMNS": "140", "LINES": "200", "NO_COLOR": "1", "TERM": "dumb"}
runner = CliRunner()


def run(*args: str, input: str | None = None, env: dict | None = None):
    result = runner.invoke(app, list(args), input=input, env={**ENV, **(env or {})})
    result.text = unicodedata.normalize("NFC", result.stdout)   # "x" + combining dot == "ẋ"
    return result


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


def row(text: str, *start: str) -> list[str]:
    """The first table row whose first cells are ``start``."""
    for r in rows(text):
        if r[: len(start)] == list(start):
            return r
    raise AssertionError(f"no row starting with {start} in\n{text}")


def section(text: str, title: str) -> str:
    """The table under the (unindented) title line starting with ``title``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return "\n".join(lines[start + 1:end])


SIN10, COS10 = math.sin(10.0), math.cos(10.0)


# ---------------------------------------------------------------- reading --at values
@pytest.mark.parametrize("text, value", [
    ("3", 3.0), ("-1.5e3", -1500.0), (" 2 ", 2.0), ("inf", math.inf), ("1_000", None),
])
def test_parse_value_numbers(text, value):
    if value is None:
        with pytest.raises(InputError):
            parse_value(text, "x")
    else:
        assert parse_value(text, "x") == value


def test_parse_value_lists():
    assert parse_value("[1, 2,3]", "x").tolist() == [1.0, 2.0, 3.0]
    assert parse_value("[[1,2],[3,4]]", "W").shape == (2, 2)
    for bad in ("[1,2", "[1,,2]", "[]", "[[1,2],[3]]", "[1]2", "__import__('os')", "y+1", "[" * 40 + "1" + "]" * 40):
        with pytest.raises(InputError):
            parse_value(bad, "x")


def test_parse_assignments_forms():
    got = parse_assignments(["x=3", "y=[1,2]"])
    assert got["x"] == 3.0 and got["y"].tolist() == [1.0, 2.0]
    got = parse_assignments(["x=3,y=2", "W=[[1,2],[3,4]],b=[0,1]"])
    assert list(got) == ["x", "y", "W", "b"] and got["W"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    for bad in (["x"], ["x=1", "x=2"], ["1x=2"], ["x=1,,"], ["=3"]):
        if bad == ["x=1,,"]:
            assert parse_assignments(bad) == {"x": 1.0}       # stray commas are harmless
            continue
        with pytest.raises(InputError):
            parse_assignments(bad)


# ---------------------------------------------------------------- trace: the seed's example
def test_trace_golden_seed_example():
    r = run("trace", "sin(x**2+1)", "--at", "x=3")
    assert r.exit_code == 0, r.output
    out = r.text
    assert out.splitlines()[0] == "adviz trace  sin(x**2+1)  at x = 3.0"
    # the tape, with the seed's numbering
    assert row(out, "v1", "x**2") == ["v1", "x**2", "9.0"]
    assert row(out, "v2", "v1") == ["v2", "v1", "+", "1", "10.0"]
    assert row(out, "v3", "sin(v2)") == ["v3", "sin(v2)", repr(SIN10)]
    assert row(out, "y", "v3") == ["y", "v3", repr(SIN10)]
    # the forward table: ẋ = 1, v̇1 = 2x·ẋ = 6, v̇2 = 6, ẏ = cos(10)·6
    fwd = section(out, "Forward sweep")
    # (the first column numbers the steps as the graph, the player and --json do)
    assert row(fwd, "0", "x") == ["0", "x", "input", "3.0", "ẋ", "=", "seed", "1.0"]
    assert row(fwd, "1", "v1") == ["1", "v1", "x**2", "9.0", "v̇1", "=", "(2*x)·ẋ", "2*x", "=", "6.0", "6.0"]
    assert row(fwd, "2", "v2") == ["2", "v2", "v1", "+", "1", "10.0", "v̇2", "=", "1·v̇1", "1", "=", "1.0", "6.0"]
    v3 = row(fwd, "3", "v3")
    assert v3[:8] == ["3", "v3", "sin(v2)", repr(SIN10), "v̇3", "=", "cos(v2)·v̇2", "cos(v2)"]
    assert float(v3[-2]) == pytest.approx(COS10, rel=1e-15)
    assert float(v3[-1]) == pytest.approx(COS10 * 6, rel=1e-15)
    assert float(row(fwd, "y", "v3", repr(SIN10), "ẏ")[-1]) == pytest.approx(COS10 * 6, rel=1e-15)
    # the reverse updates, in the seed's order
    updates = [" ".join(r[1:4]) for r in rows(out) if len(r) > 3 and r[2] == "+="]
    assert updates == ["v̄2 += v̄3·cos(v2)", "v̄1 += v̄2·1", "x̄ += v̄1·(2*x)"]
    assert float(row(out, "3", "x̄", "+=")[-1]) == pytest.approx(COS10 * 6, rel=1e-15)
    # the summary
    assert float(row(out, "reverse", "x̄")[4]) == pytest.approx(COS10 * 6, rel=1e-15)


def test_trace_second_seed_example_two_inputs():
    r = run("trace", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5")
    assert r.exit_code == 0, r.output
    out = r.text
    tape = section(out, "Tape")
    assert row(tape, "v1") == ["v1", "x1", "*", "x2", "10.0"]
    assert row(tape, "v2")[:3] == ["v2", "sin(x1)", repr(math.sin(2.0))]
    # one forward sweep per input, each giving one partial derivative
    forward = [r for r in rows(out) if r[:2] == ["forward", "ẏ"]]
    assert [float(r[6]) for r in forward] == pytest.approx([5 + math.cos(2.0), 2.0], rel=1e-15)
    assert float(row(out, "reverse", "x̄1")[4]) == pytest.approx(5 + math.cos(2.0), rel=1e-15)
    assert float(row(out, "x̄2", "=")[3]) == 2.0


def test_trace_modes_and_seed_direction():
    r = run("trace", "x*y", "--at", "x=2,y=3", "--mode", "forward", "--seed", "x=1", "--seed", "y=1")
    assert r.exit_code == 0, r.output
    assert "Reverse sweep" not in r.text and r.text.count("Forward sweep") == 1
    # the output is called f here, since an input is named y: ḟ = y + x along (1, 1)
    assert float(row(r.text, "forward")[-5]) == 5.0
    r = run("trace", "x*y", "--at", "x=2,y=3", "--mode", "reverse")
    assert "Forward sweep" not in r.text and "Reverse sweep" in r.text
    r = run("trace", "x*y", "--at", "x=2,y=3", "--seed", "z=1")
    assert r.exit_code == 2 and "z is not an input" in r.stderr
    r = run("trace", "x", "--at", "x=2", "--mode", "sideways")
    assert r.exit_code == 2 and "--mode must be one of" in r.stderr


def test_a_seed_is_never_silently_ignored(tmp_path):
    """--seed is a forward-mode direction. With --mode reverse it was dropped without a word;
    on adviz graph without --mode it drew no sweep at all. Now: an error, and forward mode."""
    for command in (["trace", "x*y", "--at", "x=2,y=3"], ["graph", "x*y", "--at", "x=2,y=3", "-o", str(tmp_path / "g.dot")]):
        r = run(*command, "--mode", "reverse", "--seed", "x=1")
        assert r.exit_code == 2 and r.stderr.startswith("adviz: error: --seed sets the direction of a forward sweep")
    r = run("graph", "x*y", "--at", "x=2,y=3", "--seed", "y=1", "-o", str(tmp_path / "g.dot"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["mode"] == "forward"
    assert "y\u0307 = 1 (seed)" in (tmp_path / "g.dot").read_text(encoding="utf-8")   # ẏ: y and a combining dot


@pytest.mark.parametrize("at, seed, message", [
    ("x=[1,2,3]", "x=[1,0]", "x has shape (3,), so its tangent is of shape (3,) (or one number, the same for every "
                             "entry); got shape (2,)"),
    ("x=[1,2,3]", "x=[[1,0,0],[0,1,0]]", "x has shape (3,), so its tangent is of shape (3,)"),
    ("x=2", "x=[1,0]", "x has shape (), so its tangent is one number; got shape (2,)"),
])
def test_a_seed_of_the_wrong_shape_is_said_in_shapes(at, seed, message):
    """NumPy's words ("operands could not be broadcast together with remapped shapes
    [original->remapped]", "input operand has more dimensions than allowed by the axis
    remapping") told a student nothing about which --seed was wrong."""
    r = run("trace", "sum(x*x)", "--at", at, "--mode", "forward", "--seed", seed)
    assert r.exit_code == 2 and r.stderr.startswith(f"adviz: error: --seed: {message}")
    assert "remapp" not in r.stderr and "operand" not in r.stderr


def test_trace_vectors_summary_and_full():
    r = run("trace", "sum(x*x)", "--at", "x=[1,2,3,4,5,6,7,8,9,10]", "--mode", "reverse")
    assert r.exit_code == 0, r.output
    assert "(10,) [1.0, 2.0, …, 9.0, 10.0]" in r.text
    r = run("trace", "sum(x*x)", "--at", "x=[1,2,3,4,5,6,7,8,9,10]", "--mode", "reverse", "--full")
    assert "[2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0]" in "".join(r.text.split("\n"))


def test_trace_vector_output_reverse_per_component():
    r = run("trace", "[x*y, sin(x)]", "--at", "x=2", "--at", "y=3", "--mode", "reverse")
    assert r.exit_code == 0, r.output
    assert r.text.count("Reverse sweep") == 2           # one per output component


def test_trace_json():
    r = run("trace", "sin(x**2+1)", "--at", "x=3", "--json")
    data = json.loads(r.stdout)
    assert [n["name"] for n in data["nodes"]] == ["x", "v1", "v2", "v3"]
    assert [n["value"] for n in data["nodes"][:3]] == [3.0, 9.0, 10.0]
    assert data["value"] == pytest.approx(SIN10, rel=1e-15)
    (fwd,) = data["forward"]
    assert fwd["result"] == pytest.approx(COS10 * 6, rel=1e-15)
    (rev,) = data["reverse"]
    assert [t["update_ascii"] for s in rev["steps"] for t in s["terms"]] == [
        "v2_bar += v3_bar*cos(v2)", "v1_bar += v2_bar*1", "x_bar += v1_bar*(2*x)"]
    assert rev["result"]["x"] == pytest.approx(COS10 * 6, rel=1e-15)


def test_trace_json_with_structural_rules_and_arrays():
    r = run("trace", "sum(x*x)", "--at", "x=[1,2]", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    (rev,) = data["reverse"]
    terms = [t for s in rev["steps"] for t in s["terms"]]
    assert terms[0]["partial_value"] is None                  # sum has no elementwise partial
    assert rev["result"] == {"x": [2.0, 4.0]}                 # d/dx sum(x²) = 2x
    assert [f["result"] for f in data["forward"]] == [6.0]    # seed ẋ = (1, 1): 2·1 + 2·2


# ---------------------------------------------------------------- grad
def test_grad_golden():
    r = run("grad", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5")
    assert r.exit_code == 0, r.output
    assert float(row(r.text, "y")[1]) == pytest.approx(10 + math.sin(2.0), rel=1e-15)
    assert float(row(r.text, "∂y/∂x1")[1]) == pytest.approx(5 + math.cos(2.0), rel=1e-15)
    assert row(r.text, "∂y/∂x2") == ["∂y/∂x2", "2.0"]


def test_grad_json_numbers_and_nested_lists():
    r = run("grad", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", "--json")
    data = json.loads(r.stdout)
    assert data["value"] == pytest.approx(10 + math.sin(2.0), rel=1e-15)
    assert data["gradient"] == {"x1": pytest.approx(5 + math.cos(2.0), rel=1e-15), "x2": 2.0}
    r = run("grad", "sum(W*W)", "--at", "W=[[1,2],[3,4]]", "--json")
    assert json.loads(r.stdout)["gradient"] == {"W": [[2.0, 4.0], [6.0, 8.0]]}


def test_json_spells_inf_and_nan_as_strings():
    r = run("grad", "log(x) + y*1e308*10", "--at", "x=-1,y=1", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)                  # strict JSON: no bare NaN/Infinity tokens
    assert data["value"] == "nan"
    assert data["gradient"] == {"x": -1.0, "y": "inf"}
    assert "NaN" not in r.stdout and "Infinity" not in r.stdout


def test_grad_needs_a_scalar():
    r = run("grad", "[x, x]", "--at", "x=1")
    assert r.exit_code == 2 and "adviz jacobian" in r.stderr


def test_ascii_and_no_color():
    r = run("trace", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", "--ascii")
    assert r.exit_code == 0 and r.stdout.isascii()
    assert "x1_bar += v1_bar*x2" in r.stdout
    assert "\x1b" not in r.stdout
    r = run("trace", "sin(x)", "--at", "x=1", env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b" not in r.stdout                 # NO_COLOR wins, even on a terminal
    r = run("trace", "sin(x)", "--at", "x=1", env={"NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm"})
    assert "\x1b[" in r.stdout                    # and colour is really there otherwise


@pytest.mark.parametrize("columns", ["80", "60"])
def test_narrow_terminals_keep_numbers_whole(columns):
    from rich.cells import cell_len

    r = run("trace", "sin(x**2+1)", "--at", "x=3", env={"COLUMNS": columns})
    assert r.exit_code == 0
    assert max(cell_len(line.rstrip()) for line in r.stdout.splitlines()) <= int(columns)
    for number in (repr(SIN10), repr(COS10), repr(COS10 * 6)):
        assert number in r.stdout


# ---------------------------------------------------------------- jacobian
@pytest.mark.parametrize("mode", ["forward", "reverse", "both"])
def test_jacobian_modes_and_sweep_counts(mode):
    r = run("jacobian", "[x*y, sin(x), x+y]", "--at", "x=2", "--at", "y=3", "--mode", mode)
    assert r.exit_code == 0, r.output
    out = r.text
    # an input is named y, so the output is called f
    assert row(out, "f[0]") == ["f[0]", "3.0", "2.0"]
    assert row(out, "f[1]") == ["f[1]", repr(math.cos(2.0)), "0.0"]
    assert row(out, "f[2]") == ["f[2]", "1.0", "1.0"]
    assert row(out, "forward")[:2] == ["forward", "2"]
    assert row(out, "reverse")[:2] == ["reverse", "3"]
    if mode != "both":
        other = "reverse" if mode == "forward" else "forward"
        assert row(out, other)[-2:] == ["(not", "run)"]
    else:
        assert "Both modes gave the same Jacobian" in out


def test_jacobian_json_and_vector_inputs():
    r = run("jacobian", "[sum(x*x), x[0]*y]", "--at", "x=[1,2]", "--at", "y=3", "--json", "--mode", "reverse")
    data = json.loads(r.stdout)
    assert data["columns"] == ["x[0]", "x[1]", "y"] and data["rows"] == ["f[0]", "f[1]"]
    assert data["jacobian"] == [[2.0, 4.0, 0.0], [3.0, 0.0, 1.0]]
    assert data["jacobian_by_input"] == {"x": [[2.0, 4.0], [3.0, 0.0]], "y": [0.0, 1.0]}
    assert data["sweeps"] == {"forward": 3, "reverse": 2}
    assert set(data["terms"]) == {"reverse"}


# ---------------------------------------------------------------- demo (lessons: tests/test_lessons.py)
def _frames(stdout: str, rule: str = "─") -> list[str]:
    return [f for f in stdout.split(rule * 80) if f.strip()]


def test_demo_auto_plays_every_step_in_80x24():
    r = run("demo", "--auto", "0", env={"COLUMNS": "80", "LINES": "24"})
    assert r.exit_code == 0, r.output
    frames = _frames(r.text)
    assert len(frames) == 1 + 3 + 4 + 4 + 1        # idea, tape, forward (seed + 3), reverse (seed + 3), summary
    for frame in frames:
        assert len(frame.strip("\n").splitlines()) <= 24
    assert "v̄2 += v̄3·cos(v2)" in frames[-3]
    last = frames[-1]
    assert "summary" in last.splitlines()[0 if last.splitlines()[0] else 1]
    assert repr(COS10 * 6) in last


def test_demo_advances_on_enter_and_stops_on_q():
    r = run("demo", input="\n" * 40)
    assert r.exit_code == 0 and "summary" in r.text
    r = run("demo", input="\nq\n")
    assert r.exit_code == 0
    assert len(_frames(r.text)) == 2 and "summary" not in r.text


def test_demo_first_screen_says_forward_mode_needs_one_sweep_per_input():
    """With two inputs the demo plays two forward sweeps; its first screen once promised one sweep,
    "(ẋ1 = 1) from the input to the output"."""
    one = _frames(run("demo", "--auto", "0", env={"COLUMNS": "120"}).text)[0]
    assert "2. Forward sweep: push tangents (ẋ = 1) from the input to the output." in one
    two = _frames(run("demo", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", "--auto", "0",
                      env={"COLUMNS": "120"}).text, "─")[0]
    assert ("2. Forward sweeps: push tangents from the inputs to the output, one sweep per input "
            "(ẋ1 = 1, then ẋ2 = 1).") in two
    three = _frames(run("demo", "a*b*c", "--at", "a=1,b=2,c=3", "--auto", "0", env={"COLUMNS": "120"}).text)[0]
    assert "one sweep per input (ȧ = 1, then ḃ = 1, …)" in three


def test_demo_with_an_expression_and_errors():
    r = run("demo", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", "--auto", "0", "--ascii")
    assert r.exit_code == 0 and r.stdout.isascii()
    assert "x2_bar += v1_bar*x1" in r.stdout
    assert len(_frames(r.stdout, "=")) == 19
    assert run("demo", "[x, x]", "--at", "x=1", "--auto", "0").exit_code == 2
    assert run("demo", "x", "--at", "x=1", "--auto", "-1").exit_code == 2
    assert run("demo", "x*y", "--at", "x=1", "--auto", "0").exit_code == 2


# ---------------------------------------------------------------- help, version, usage
def test_help_on_every_command_has_an_example():
    r = run("--help")
    assert r.exit_code == 0
    for command in ("trace", "grad", "jacobian", "demo", "lessons"):
        assert command in r.stdout
        sub = run(command, "--help")
        assert sub.exit_code == 0
        assert "Example:" in sub.stdout and f"adviz {command}" in sub.stdout


def test_version():
    from adviz import __version__

    r = run("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"adviz {__version__}"


def test_usage_errors_are_one_line_with_exit_2():
    for args in (["grad", "--bogus", "x"], ["grad"], ["nonsense"]):
        r = run(*args)
        assert r.exit_code == 2
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("adviz: error: ")


# ---------------------------------------------------------------- bad input: one line, exit 2, fast
BAD_INPUTS = [
    (["trace", "sin(x^2)", "--at", "x=1"], "use ** for powers"),
    (["trace", "sinn(x)", "--at", "x=1"], "did you mean 'sin'"),
    (["trace", "__import__('os').system('echo pwned')"], "syntax error"),
    (["trace", ""], "empty expression"),
    (["trace", "x*y", "--at", "x=1"], "no value for y"),
    (["trace", "x", "--at", "x=1", "--at", "z=2"], "z is not in the expression"),
    # e and pi are constants of the expression language: "e is not in the expression" was untrue for e*x
    (["grad", "e*x", "--at", "x=1", "--at", "e=2"], "e is the constant e = 2.718281828459045 in expressions"),
    (["grad", "x", "--at", "x=1", "--at", "pi=3"], "pi is the constant pi = 3.141592653589793 in expressions"),
    (["trace", "x", "--at", "x=abc"], "not a number"),
    (["trace", "x", "--at", "x"], "NAME=VALUE"),
    (["trace", "x", "--at", "x=[[1,2],[3]]"], "ragged"),
    (["trace", "x", "--at", "x=[1,2"], "ends before its closing ']'"),
    (["trace", "x[5]", "--at", "x=[1,2]"], "x[5]"),
    (["trace", "9**9**9**9"], "no variables (its value is inf)"),
    (["trace", "(" * 10_000 + "x" + ")" * 10_000, "--at", "x=1"], "syntax error"),
    (["trace", "x+" * 500_000 + "x", "--at", "x=1"], "too long"),
    (["grad", "x", "--at", "x=1", "--at", "x=2"], "given twice"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[m.split()[0] for _, m in BAD_INPUTS])
def test_bad_input_in_process(args, message):
    start = time.process_time()
    r = run(*args)
    assert time.process_time() - start < 10.0   # a hang guard in CPU seconds: other processes' load cannot trip it
    assert r.exit_code == 2, r.output
    first = r.stderr.splitlines()[0]
    assert first.startswith("adviz: error: ") and message in first
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert "pwned" not in r.stdout               # echoed in the error message, never executed


def test_syntax_error_shows_a_caret_under_the_column():
    r = run("trace", "sin(x) + 2x", "--at", "x=1")
    lines = r.stderr.splitlines()
    assert lines[0].startswith("adviz: error: syntax error: missing operator")
    assert lines[1] == "  sin(x) + 2x"
    assert lines[2].index("^") == lines[1].index("x", 10)


def test_overflow_and_domain_errors_are_computed_honestly():
    r = run("grad", "x*9**9**9**9", "--at", "x=1")
    assert r.exit_code == 0
    assert row(r.text, "y") == ["y", "inf"]
    # the overflowed constant is not a tape node: the first node that uses it is named
    assert r.stderr.startswith("adviz: warning: v1 = x * inf is inf at x = 1.0 (a constant of the expression")
    r = run("trace", "log(x)", "--at", "x=-1")
    assert r.exit_code == 0
    assert row(r.text, "v1", "log(x)") == ["v1", "log(x)", "nan"]
    assert r.stderr.startswith("adviz: warning: v1 = log(x) is nan at x = -1.0")
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("value, word", [("inf", "inf"), ("nan", "nan"), ("[1,-inf]", "-inf")])
def test_non_finite_inputs_are_computed_with_a_warning(value, word):
    r = run("grad", "sum(2*x)", "--at", f"x={value}")
    assert r.exit_code == 0
    assert r.stderr.startswith("adviz: warning: the input x = ") and "is not finite" in r.stderr
    assert word in r.stderr.splitlines()[0]
    assert run("grad", "sum(2*x)", "--at", "x=[1,2]").stderr == ""


def test_a_typed_number_that_overflows_a_float_is_refused_in_one_line():
    r = run("grad", "sum(2*x)", "--at", "x=1e999999")
    assert r.exit_code == 2
    assert r.stderr == ("adviz: error: the value for x: the number '1e999999' is beyond the largest float "
                        "(about 1.8e308): write inf (or -inf) if infinity is meant\n")
    assert r.text == ""


def test_a_typed_nonzero_number_that_underflows_a_float_is_refused_in_one_line():
    r = run("grad", "sum(2*x)", "--at", "x=1e-999")
    assert r.exit_code == 2
    assert r.stderr == ("adviz: error: the value for x: the number '1e-999' is below the smallest float "
                        "(about 5e-324) and would read as 0: write 0 if zero is meant\n")
    assert r.text == ""
    assert run("grad", "sum(2*x)", "--at", "x=-0.0").exit_code == 0


def test_infinite_local_derivative_is_named():
    r = run("grad", "sqrt(x)", "--at", "x=0")
    assert r.exit_code == 0
    assert row(r.text, "∂y/∂x") == ["∂y/∂x", "inf"]          # d/dx sqrt(x) = 1/(2 sqrt x) → inf at 0
    assert r.stderr.startswith("adviz: warning: the local derivative ∂v1/∂x = 1/(2*sqrt(x)) of v1 = sqrt(x) is inf")
    assert r.stderr.count("\n") == 1
    assert run("grad", "sqrt(x)", "--at", "x=4").stderr == ""


def test_unexpected_errors_are_one_line_exit_1(monkeypatch):
    import adviz.cli.trace as trace_commands

    def boom(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(trace_commands, "record", boom)
    r = run("trace", "x", "--at", "x=1")
    assert r.exit_code == 1
    assert r.stderr == "adviz: error: RuntimeError: something broke\n"


def test_expression_from_stdin():
    r = run("grad", "-", "--at", "x=3", input="sin(x**2+1)\n")
    assert r.exit_code == 0
    assert float(row(r.text, "∂y/∂x")[1]) == pytest.approx(COS10 * 6, rel=1e-15)


# ---------------------------------------------------------------- real processes
def adviz(*args: str, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from adviz.cli import main; sys.argv[0] = 'adviz'; main()"
    environment = {**os.environ, **ENV, **(env or {})}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, input=input,
                          env=environment, timeout=60)


def test_subprocess_success_and_exit_codes():
    p = adviz("grad", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--json")
    assert p.returncode == 0 and p.stderr == ""
    assert json.loads(p.stdout)["gradient"]["x2"] == 2.0
    p = adviz("trace", "sin(x^2)", "--at", "x=1")
    assert p.returncode == 2
    assert p.stderr.splitlines() == ["adviz: error: syntax error: unexpected '^': use ** for powers (column 6)",
                                     "  sin(x^2)", "       ^"]
    p = adviz("grad", "--bogus")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


@pytest.mark.parametrize("args, stdin", [
    (["trace", "-", "--at", "x=1"], "x+" * 500_000 + "x"),               # 1 MB expression (argv cannot hold it)
    (["trace", "(" * 10_000 + "x" + ")" * 10_000, "--at", "x=1"], None),
    (["trace", "9**9**9**9"], None),
    (["trace", "x", "--at", "x=" + "[" * 5000 + "1" + "]" * 5000], None),
], ids=["1MB-stdin", "10k-parentheses", "power-tower", "deep-list-value"])
def test_subprocess_hostile_input_is_a_clean_error(args, stdin):
    p = adviz(*args, input=stdin)
    assert p.returncode == 2
    assert p.stderr.startswith("adviz: error: ") and "Traceback" not in p.stderr
    assert p.stdout == ""


def test_startup_imports_nothing_heavy():
    """`adviz --help` and `adviz trace` must not import notebook or plotting stacks."""
    heavy = ["jupyter", "ipywidgets", "IPython", "graphviz", "matplotlib", "sympy", "wasmtime", "nbformat",
             "pydantic",      # Typer would import Pydantic to check option values; adviz spares it
             "numpy.ma",      # np.ma imports it (~40 M instructions): asked through sys.modules instead
             "argparse",      # only `python -m adviz.engine.catalog` parses its arguments with it
             "logging"]       # trace and grad load no library that logs (app.NO_LIBRARY_LOGGING)
    for argv in (["--help"], ["trace", "sin(x**2+1)", "--at", "x=3"]):
        code = ("import sys\nfrom adviz.cli import main\nsys.argv = ['adviz', *sys.argv[1:]]\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                f"print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)")
        p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60,
                           env={**os.environ, **ENV})
        assert "LOADED []" in p.stderr, p.stderr


# ---------------------------------------------------------------- classroom scripts in cli/
SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "cli").glob("demo_*.sh"))


def test_classroom_scripts_exist():
    assert {"demo_sin.sh", "demo_two_inputs.sh", "demo_modes.sh", "demo_walkthrough.sh"} <= {s.name for s in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_classroom_scripts_run_to_the_end(script):
    env = {**os.environ, **ENV, "PAUSE": "0", "ADVIZ": f"{sys.executable} -m adviz.cli"}
    p = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert "$ adviz " in p.stdout and "\x1b" not in p.stdout


@pytest.mark.parametrize("command, at, seed, given", [
    ("trace", "x=1", "x=nan", "x=nan"),
    ("trace", "x=1", "x=-inf", "x=-inf"),
    ("graph", "x=[1,2]", "x=[1,inf]", "x with an entry inf"),
])
def test_a_seed_that_is_not_finite_is_refused(command, at, seed, given, tmp_path):
    """--seed x=nan made every tangent nan under a table that looked like a result: a direction must be finite."""
    out = tmp_path / "g.svg"
    extra = ["-o", str(out)] if command == "graph" else []
    r = run(command, "sum(x*y)", "--at", at, "--at", "y=2", "--seed", seed, *extra)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"adviz: error: --seed: {given} is not a direction: a seed must be finite")
    assert not out.exists()


def test_a_warning_names_an_operand_used_twice_once():
    """x * x overflowing said 'at x = 1e+200, x = 1e+200'."""
    r = run("grad", "x*x", "--at", "x=1e200")
    assert r.exit_code == 0
    assert r.stderr.startswith("adviz: warning: v1 = x * x is inf at x = 1e+200 (an overflow: the result is beyond "
                               "the largest float, about 1.8e308)")
    r = run("grad", "exp(x)", "--at", "x=1000")                 # exp has no domain to leave: an overflow
    assert "(an overflow: the result is beyond the largest float" in r.stderr and "domain" not in r.stderr
