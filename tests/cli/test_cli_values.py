"""``--at`` values are read by the expression language: constants, arithmetic, lists; never ``eval``."""

from __future__ import annotations

import json
import math

import pytest

from adviz.cli import InputError, parse_assignments, parse_value


@pytest.mark.parametrize("text, expected", [
    ("pi", math.pi), ("1/2", 0.5), ("-e", -math.e), ("2**-1", 0.5), ("sin(pi/2)", 1.0),
    ("1e-3", 1e-3), (" 3 ", 3.0), ("inf", math.inf), ("-inf", -math.inf), ("1e400", math.inf),
])
def test_numbers_and_constants(text, expected):
    value = parse_value(text, "x")
    assert isinstance(value, float) and value == expected


def test_nan_is_a_value():
    assert math.isnan(parse_value("nan", "x"))


def test_vectors_and_matrices_may_hold_expressions():
    assert parse_value("[1, 2/3, -pi]", "x").tolist() == [1.0, 2 / 3, -math.pi]
    assert parse_value("[[1, 2], [3, 4/2]]", "W").tolist() == [[1.0, 2.0], [3.0, 2.0]]
    assert parse_value("[1, -inf]", "x").tolist() == [1.0, -math.inf]


@pytest.mark.parametrize("text, words", [
    ("y", "'y' is a variable"),
    ("x + 1", "'x' is a variable"),
    ("３", "U+FF13"),                         # a non-ASCII digit: refused as the expression parser refuses it
    ("[[1, 2], [3]]", "ragged"),
    ("[1, 2", "ends before its closing ']'"),
    ("__import__('os').system('echo pwned')", "is not valid"),
    ("[" * 40 + "1" + "]" * 40, "nested too deeply"),
    ("", "no value given"),
])
def test_bad_values_say_what_is_wrong(text, words):
    with pytest.raises(InputError) as err:
        parse_value(text, "x")
    assert words in err.value.message
    assert err.value.message.startswith("the value for x") or "no value" in err.value.message


def test_the_expression_parser_and_the_value_reader_agree_on_non_ascii_digits():
    from adviz import parse
    from adviz.expr import ParseError

    with pytest.raises(ParseError) as expression_error:
        parse("x + ３")
    with pytest.raises(InputError) as value_error:
        parse_value("３", "x")
    assert expression_error.value.message in value_error.value.message


def test_commas_inside_calls_do_not_split_assignments():
    got = parse_assignments(["x=maximum(1, 2),y=[1, 2]"])
    assert got["x"] == 2.0 and got["y"].tolist() == [1.0, 2.0]


def test_names_are_the_expression_languages_names():
    with pytest.raises(InputError, match="not a variable name"):
        parse_assignments(["ｘ=3"])
    assert parse_assignments(["f=1", "self=2"]) == {"f": 1.0, "self": 2.0}


def test_a_long_vector_is_accepted():
    values = ",".join(["0.5"] * 20_000)
    assert parse_value(f"[{values}]", "x").shape == (20_000,)


def test_command_line_values(cli):
    r = cli("grad", "sin(x)*y", "--at", "x=pi/2", "--at", "y=-e", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["at"] == {"x": math.pi / 2, "y": -math.e}
    assert data["value"] == pytest.approx(-math.e, rel=1e-15)
    r = cli("grad", "x", "--at", "x=３")
    assert r.exit_code == 2
    assert r.stderr.startswith("adviz: error: the value for x is not valid: character '３' (U+FF13)")
