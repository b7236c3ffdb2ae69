"""``--at`` values are read by the expression language: constants, arithmetic, lists; never ``eval``."""

from __future__ import annotations

import json
import math

import pytest

from adviz.cli import InputError, parse_assignments, parse_value


@pytest.mark.parametrize("text, expected", [
    ("pi", math.pi), ("1/2", 0.5), ("-e", -math.e), ("2**-1", 0.5), ("sin(pi/2)", 1.0),
    ("1e-3", 1e-3), (" 3 ", 3.0), ("inf", math.inf), ("-inf", -math.inf), ("1e308", 1e308),
    ("9**999", math.inf),                   # an overflow computed from typed numbers is arithmetic, not a typo
])
def test_numbers_and_constants(text, expected):
    value = parse_value(text, "x")
    assert isinstance(value, float) and value == expected


@pytest.mark.parametrize("text, shown", [
    ("1e999999", "'1e999999'"), ("-1e400", "'1e400'"), ("[1, 2e308]", "'2e308'"), ("1/1e309", "'1e309'"),
    ("1" + "0" * 320, "'1" + "0" * 28 + "…'"), ("1" + "0" * 300 + "e9", "'1" + "0" * 28 + "…'"),
])
def test_a_typed_number_beyond_the_largest_float_is_refused(text, shown):
    """float("1e999999") is inf: the typed number must not quietly become another one."""
    with pytest.raises(InputError) as err:
        parse_value(text, "x")
    assert err.value.message.startswith("the value for x: the number '")
    assert shown in err.value.message
    assert "is beyond the largest float (about 1.8e308): write inf (or -inf) if infinity is meant" in err.value.message


@pytest.mark.parametrize("text, shown", [
    ("1e-999", "'1e-999'"), ("-1e-400", "'1e-400'"), ("[1, 2e-324]", "'2e-324'"), ("1/1e-99999", "'1e-99999'"),
    ("0." + "0" * 400 + "1", "'0." + "0" * 27 + "…'"), ("[0, 1E-330]", "'1E-330'"),
])
def test_a_typed_nonzero_number_below_the_smallest_float_is_refused(text, shown):
    """float("1e-999") is 0.0: a typed nonzero number must not quietly become zero."""
    with pytest.raises(InputError) as err:
        parse_value(text, "x")
    assert err.value.message.startswith("the value for x: the number '")
    assert shown in err.value.message
    assert err.value.message.endswith("is below the smallest float (about 5e-324) and would read as 0: "
                                      "write 0 if zero is meant")


@pytest.mark.parametrize("text", ["0", "0.0", "0e5", "-0.0", "0e-999", "0." + "0" * 400, "[0, -0.0, 0e-400]"])
def test_a_typed_zero_stays_zero(text):
    value = parse_value(text, "x")
    assert (value == 0).all() if hasattr(value, "shape") else value == 0.0


@pytest.mark.parametrize("text, expected", [("3e-324", 5e-324), ("1e-320", 1e-320), ("1e-300**2", 0.0)])
def test_tiny_numbers_that_do_not_read_as_zero_or_are_computed_are_kept(text, expected):
    """3e-324 rounds up to the smallest float; an underflow computed from in-range numbers is arithmetic."""
    assert parse_value(text, "x") == expected


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


# ---------------------------------------------------------------- long plain lists: the quick reader
def _number_text():
    from hypothesis import strategies as st

    plain = st.floats(allow_nan=False, allow_infinity=False).map(repr)
    whole = st.integers(-10**30, 10**30).map(str)
    odd = st.sampled_from(["-0", "0", "-0.0", "1e400", "-1e400", "1E-5", "5e-324", "1.", ".5", "01", "+1",
                           "1e", "-", "pi", "1/2", "inf", "nan"])
    return st.one_of(plain, whole, odd)


def _nested_text():
    from hypothesis import strategies as st

    rows = st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(_number_text(), min_size=n, max_size=n),
                                                        min_size=1, max_size=4))
    vector = st.lists(_number_text(), min_size=0, max_size=8).map(lambda xs: "[" + ", ".join(xs) + "]")
    matrix = rows.map(lambda rs: "[" + ",".join("[" + ",".join(r) + "]" for r in rs) + "]")
    ragged = st.lists(st.lists(_number_text(), min_size=1, max_size=3), min_size=2, max_size=3).map(
        lambda rs: "[" + ",".join("[" + ",".join(r) + "]" for r in rs) + "]")
    return st.one_of(vector, matrix, ragged)


def _read_the_general_way(text: str, monkeypatch):
    import adviz.expr

    with monkeypatch.context() as m:
        m.setattr(adviz.expr, "_plain_numbers", lambda source, max_depth: None)
        return _outcome(text)


def _outcome(text: str):
    from adviz.expr import EvaluationError, ParseError, parse_constant

    try:
        value = parse_constant(text)
    except (ParseError, EvaluationError) as err:
        return type(err).__name__, str(err)
    return value.shape, value.tobytes()                 # bit for bit: -0.0 and 0.0 differ


def test_the_quick_reader_gives_bit_for_bit_what_the_general_reader_gives(monkeypatch):
    """A plain list of numbers (``--at x=[60,000 numbers]``) is read by the JSON reader; any text,
    valid or not, gives exactly the array (or the error) the expression language gives."""
    from hypothesis import given, settings

    @settings(max_examples=400, deadline=None)
    @given(_nested_text())
    def check(text):
        assert _outcome(text) == _read_the_general_way(text, monkeypatch), text

    check()


def test_a_long_plain_list_takes_the_quick_reader(monkeypatch):
    """60,000 numbers without building a 60,000-node tree (what made it take seconds)."""
    import adviz.expr

    def no_tree(*args, **kwargs):
        raise AssertionError("the general parser was used")

    monkeypatch.setattr(adviz.expr, "_Parser", no_tree)
    value = parse_value("[" + ",".join(["1.5", "-0", "2e-3"] * 20_000) + "]", "x")
    assert value.shape == (60_000,) and value[:3].tolist() == [1.5, -0.0, 0.002] and math.copysign(1, value[1]) == -1
    matrix = parse_value("[" + ",".join(["[1, 2, 3]"] * 1000) + "]", "W")
    assert matrix.shape == (1000, 3)


@pytest.mark.parametrize("text, meant", [("NaN", "nan"), ("Infinity", "inf"), ("INF", "inf"), ("PI", "pi")])
def test_a_constant_in_other_spelling_gets_the_right_one(text, meant):
    with pytest.raises(InputError) as err:
        parse_value(text, "x")
    assert err.value.message.startswith(f"the value for x is not a number: '{text}' is a variable")
    assert f"; write {meant})" in err.value.message


@pytest.mark.parametrize("args, words", [
    (["x", "--at", "X=1"], "no value for x: the expression uses x (add --at x=…); X is not in it (names are case-sensitive)"),
    (["x*y", "--at", "x=1,z=2"], "no value for y: the expression uses x, y (add --at y=…); z is not in it"),
    (["x", "--at", "1x=1"], "--at: '1x' is not a variable name (letters, digits and _, starting with a letter or _)")])
def test_a_value_for_the_wrong_name_says_which_name_it_got(cli, args, words):
    r = cli("grad", *args)
    assert r.exit_code == 2 and r.stderr == f"adviz: error: {words}\n"
    assert cli("grad", "_x", "--at", "_x=1").exit_code == 0


def test_inf_is_a_constant_in_the_expression_as_in_the_value(cli):
    r = cli("grad", "x*inf", "--at", "x=2", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["gradient"] == {"x": "inf"}
    r = cli("grad", "x*inf", "--at", "x=1", "--at", "inf=2")
    assert r.exit_code == 2 and "inf is the constant inf (infinity) in expressions, not a variable" in r.stderr


def test_a_long_name_is_not_echoed_back_whole(cli):
    """A 500-letter name came back whole, two or three times, in one error line."""
    long = "y" * 500
    r = cli("grad", long)
    assert r.exit_code == 2 and long not in r.stderr and len(r.stderr) < 200
    assert r.stderr.startswith("adviz: error: no value for " + "y" * 29 + "…: the expression uses")
    r = cli("grad", "x", "--at", "x=1", "--at", f"{long}=2")
    assert r.exit_code == 2 and r.stderr == "adviz: error: " + "y" * 29 + "… is not in the expression (it uses x)\n"
    r = cli("grad", "x", "--at", "x=1", "--at", "y-" * 300 + "=2")
    assert r.exit_code == 2 and len(r.stderr) < 200 and "is not a variable name" in r.stderr


@pytest.mark.parametrize("name, meant", [("Inf", "inf"), ("NaN", "nan"), ("Infinity", "inf"), ("Pi", "pi")])
def test_a_constant_in_other_case_in_the_expression_says_how_it_is_written(cli, name, meant):
    r = cli("grad", f"x*{name}", "--at", "x=1")
    assert r.exit_code == 2
    assert r.stderr == (f"adviz: error: no value for {name}: names are case-sensitive, so {name} is a variable here; "
                        f"the constant is written {meant}\n")
    assert cli("grad", f"x*{name}", "--at", "x=1", "--at", f"{name}=2").exit_code == 0   # given a value, it is a variable
