"""``--notation`` and ``--order`` on adviz trace, graph and demo (the survey's and seed 002's tapes)."""

from __future__ import annotations

import json
import math
import re
import unicodedata

SURVEY = ["log(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "--at", "x2=5"]
SEED_002 = ["x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5"]


def rows(text: str) -> list[list[str]]:
    return [[c for c in re.split(r"\s{2,}", line.strip()) if c] for line in text.splitlines()]


def test_trace_griewank_levels_is_the_survey_table(cli):
    r = cli("trace", *SURVEY, "--notation", "griewank", "--order", "levels")
    assert r.exit_code == 0, r.output
    tape = [row[:2] for row in rows(r.text) if len(row) == 3 and row[0].startswith(("v", "y"))][:8]
    assert tape == [["v₋₁", "x1"], ["v₀", "x2"], ["v₁", "log(v₋₁)"], ["v₂", "v₋₁ * v₀"], ["v₃", "sin(v₀)"],
                    ["v₄", "v₁ + v₂"], ["v₅", "v₄ - v₃"], ["y", "v₅"]]
    assert "x̄1 = v̄₋₁ = ∂y/∂x1" in r.text and "1.7163378145367738" in r.text


def test_griewank_alone_numbers_rows_as_the_survey_and_order_tape_keeps_the_run_order(cli):
    """`--notation griewank` implies `--order levels` (the command the issue names reproduces the
    survey); `--order tape` keeps the order Python ran the operations in."""
    def tape(*extra):
        r = cli("trace", *SURVEY, "--notation", "griewank", *extra)
        assert r.exit_code == 0, r.output
        return [row[:2] for row in rows(r.text) if len(row) == 3 and row[0].startswith(("v", "y"))][:8]

    assert tape()[4:6] == [["v₃", "sin(v₀)"], ["v₄", "v₁ + v₂"]]
    assert tape("--order", "tape")[4:6] == [["v₃", "v₁ + v₂"], ["v₄", "sin(v₀)"]]
    assert json.loads(cli("trace", *SURVEY, "--notation", "griewank", "--json").stdout)["order"] == "levels"


def test_trace_default_is_unchanged(cli):
    r = cli("trace", *SURVEY, "--mode", "reverse")
    assert r.exit_code == 0
    assert "v₋₁" not in r.text and "v4    sin(x2)" in r.text


def test_json_keeps_adviz_names_and_adds_display(cli):
    r = cli("trace", *SURVEY, "--notation", "griewank", "--order", "levels", "--json")
    data = json.loads(r.stdout)
    assert (data["notation"], data["order"]) == ("griewank", "levels")
    names = [(n["name"], n["display"]["name"], n["display"]["definition"]) for n in data["nodes"]]
    assert names == [("x1", "v₋₁", "x1"), ("x2", "v₀", "x2"), ("v1", "v₁", "log(v₋₁)"), ("v2", "v₂", "v₋₁ * v₀"),
                     ("v3", "v₃", "sin(v₀)"), ("v4", "v₄", "v₁ + v₂"), ("v5", "v₅", "v₄ - v₃")]
    assert data["reverse"][0]["result"] == {"x1": 5.5, "x2": 2.0 - math.cos(5.0)}
    plain = json.loads(cli("trace", *SURVEY, "--json").stdout)
    assert "notation" not in plain and all("display" not in n for n in plain["nodes"])


def test_inputs_first_is_seed_002(cli):
    r = cli("trace", *SEED_002, "--notation", "inputs-first", "--mode", "reverse")
    tape = [row[:2] for row in rows(r.text) if len(row) == 3 and re.fullmatch(r"v\d|y", row[0])][:6]
    assert tape == [["v1", "x1"], ["v2", "x2"], ["v3", "v1 * v2"], ["v4", "sin(v1)"], ["v5", "v3 + v4"], ["y", "v5"]]


def test_bad_values_are_one_line_errors(cli):
    for option, value, message in (("--notation", "knuth", "--notation must be one of adviz, inputs-first, griewank"),
                                   ("--order", "random", "--order must be one of tape, levels")):
        r = cli("trace", *SURVEY, option, value)
        assert r.exit_code != 0
        assert message in r.stderr and "Traceback" not in r.stderr


def test_graph_svg_in_notation(cli, tmp_path):
    out = tmp_path / "g.svg"
    r = cli("graph", *SURVEY, "--notation", "griewank", "--order", "levels", "--mode", "reverse", "-o", str(out))
    assert r.exit_code == 0, r.output
    svg = out.read_text(encoding="utf-8")
    assert "v₃ = sin(v₀)" in svg and "v₄ = v₁ + v₂" in svg


def test_demo_in_ascii_on_a_narrow_terminal(adviz):
    p = adviz("demo", *SURVEY, "--notation", "griewank", "--order", "levels", "--auto", "0",
              env={"COLUMNS": "60", "PYTHONIOENCODING": "ascii"})
    assert p.returncode == 0, p.stderr
    assert "v_3   sin(v_0)" in p.stdout and "v_-1_bar" in p.stdout
    assert all(ord(ch) < 128 for ch in p.stdout)
    assert max(len(line) for line in p.stdout.splitlines()) <= 60


def test_demo_ties_the_seed_to_the_rows_that_carry_it(cli):
    """The demo's titles speak of the function's variables (seed ẋ1, seed ȳ); the note under
    each sweep's first screen ties them to the rows in the chosen notation, forward as reverse:
    'Seed v̇₋₁ = ẋ1 = 1.0', 'Seed v̄₅ = ȳ = 1'."""
    r = cli("demo", *SURVEY, "--notation", "griewank", "--auto", "0")
    assert r.exit_code == 0, r.output
    assert unicodedata.normalize("NFC", "Seed v\u0307₋₁ = x\u03071 = 1.0: we ask") in r.text  # .text is NFC
    assert "Seed v̄₅ = ȳ = 1." in r.text
    plain = cli("demo", *SURVEY, "--auto", "0")
    assert unicodedata.normalize("NFC", "Seed x\u03071 = 1.0: we ask") in plain.text


def test_cli_and_python_give_the_same_rows_in_the_same_order_for_every_notation(cli):
    """One source of truth: `adviz trace --notation N [--order O]` lists the rows, and numbers
    the sweeps' steps, as `Trace.to_text(notation=N, order=O)` and `Sweep.in_notation` do."""
    import adviz as ad

    for notation in ("adviz", "inputs-first", "griewank"):
        for order in (None, "tape", "levels"):
            extra = ["--order", order] if order else []
            t = ad.trace(SURVEY[0], x1=2.0, x2=5.0)
            python_rows = [line.split(" = ")[:2] for line in t.to_text(notation=notation, order=order).splitlines()]
            python_rows = [[a.strip(), b.strip()] for a, b in python_rows]
            r = cli("trace", *SURVEY, "--notation", notation, *extra, "--mode", "reverse")
            assert r.exit_code == 0, r.output
            tape_rows = r.text.split("Tape (Wengert list)")[1].split("Reverse sweep")[0]
            shown = [row[:2] for row in rows(tape_rows) if len(row) == 3 and row[0] != "node"][:len(python_rows)]
            assert shown == python_rows, (notation, order)
            data = json.loads(cli("trace", *SURVEY, "--notation", notation, *extra, "--json").stdout)
            sweep = t.reverse().in_notation(notation, order=order)
            names = sweep.trace.nodes
            python_steps = [(k + 1, names[s.node].name) for k, s in enumerate(sweep.steps)]
            by_name = {n["name"]: (n.get("display") or {}).get("name", n["name"]) for n in data["nodes"]}
            cli_steps = [(step["step"], by_name[step["node"]]) for step in data["reverse"][0]["steps"]]
            assert cli_steps == python_steps, (notation, order)
