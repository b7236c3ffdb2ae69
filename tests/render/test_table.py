"""Exact-text tests of the terminal tables, rendered into a string console of fixed width.

The numbers are checked against the seed's worked example computed by hand with ``math``
(sin(x²+1) at x = 3: v1 = 9, v2 = 10, y = sin 10, ẏ = cos(10)·6), never against the engine.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata

import numpy as np
import pytest
from rich.console import Console

import adviz as ad
from adviz.render import table as T


def render(renderable, width: int = 120, height: int = 200) -> str:
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None, legacy_windows=False)
    console.print(renderable)
    # NFC, so that the engine's "x" + combining dot compares equal to a typed "ẋ"
    return unicodedata.normalize("NFC", console.file.getvalue())


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_trace():
    return ad.trace("sin(x**2+1)", x=3.0)


# ---------------------------------------------------------------- numbers
@pytest.mark.parametrize("value, text", [
    (math.sin(10.0), "-0.5440211108893698"),
    (np.float64(0.1), "0.1"),
    (np.float32(0.1), "0.1"),
    (float("inf"), "inf"),
    (float("-inf"), "-inf"),
    (float("nan"), "nan"),
    (1e308 * 10, "inf"),
    (2.0, "2.0"),
    (1e-20, "1e-20"),
    (None, "0"),
    (np.array([1.0, 2.5]), "(2,) [1.0, 2.5]"),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), "(2, 2) [[1.0, 2.0], [3.0, 4.0]]"),
    (np.array([math.pi, np.inf, np.nan]), f"(3,) [{math.pi!r}, inf, nan]"),
])
def test_format_value_is_honest(value, text):
    assert T.format_value(value) == text


def test_large_arrays_are_summarised_unless_full():
    a = np.linspace(0.0, 1.0, 101)
    short = T.format_value(a)
    assert short.startswith("(101,) [")
    assert "…" in short and len(short) < 60
    full = T.format_value(a, full=True)
    assert full.count(",") == 101            # shape "(101,)" plus 100 separators
    assert repr(float(a[37])) in full        # every element at full precision


def test_component_names():
    assert T.component_names("x", ()) == ["x"]
    assert T.component_names("y", (3,)) == ["y[0]", "y[1]", "y[2]"]
    assert T.component_names("W", (2, 2)) == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]"]


# ---------------------------------------------------------------- the seed's example
def test_tape_table_golden(seed_trace):
    text = render(T.tape_table(seed_trace))
    assert text.splitlines()[0] == "Tape (Wengert list): one row per primitive"
    table = rows(text)
    assert table[1] == ["node", "definition", "value"]
    assert set(table[2][0]) == {"━"}                     # the heading rule
    assert table[3:] == [
        ["x", "input", "3.0"],
        ["v1", "x**2", "9.0"],
        ["v2", "v1", "+", "1", "10.0"],
        ["v3", "sin(v2)", repr(math.sin(10.0))],
        ["y", "v3", repr(math.sin(10.0))],
    ]


def _number(cell: str) -> float:
    return float(cell)


def test_forward_table_golden(seed_trace):
    text = render(T.forward_table(seed_trace.forward()), width=140)
    table = rows(text)
    assert table[0] == ["Forward", "sweep", "(tangents,", "inputs", "→", "output),", "seed", "ẋ", "=", "1.0"]
    assert table[1] == ["#", "node", "definition", "value", "tangent", "update", "local", "partial", "tangent", "v̇"]
    # the first column numbers the steps as every view does; the output row has none
    assert [r[0] for r in table[3:]] == ["0", "1", "2", "3", "y"]
    body = {r[1] if r[0].isdigit() else r[0]: r[1:] if r[0].isdigit() else r for r in table[3:]}
    assert body["x"] == ["x", "input", "3.0", "ẋ", "=", "seed", "1.0"]
    assert body["v1"] == ["v1", "x**2", "9.0", "v̇1", "=", "(2*x)·ẋ", "2*x", "=", "6.0", "6.0"]
    assert body["v2"] == ["v2", "v1", "+", "1", "10.0", "v̇2", "=", "1·v̇1", "1", "=", "1.0", "6.0"]
    v3 = body["v3"]
    assert v3[:5] == ["v3", "sin(v2)", repr(math.sin(10.0)), "v̇3", "="]
    assert v3[5:8] == ["cos(v2)·v̇2", "cos(v2)", "="]
    assert _number(v3[8]) == pytest.approx(math.cos(10.0), rel=1e-15)
    assert _number(v3[9]) == pytest.approx(math.cos(10.0) * 6.0, rel=1e-15)
    y = body["y"]
    assert y[:6] == ["y", "v3", repr(math.sin(10.0)), "ẏ", "=", "v̇3"]
    assert _number(y[6]) == pytest.approx(math.cos(10.0) * 6.0, rel=1e-15)


def test_reverse_table_golden(seed_trace):
    text = render(T.reverse_table(seed_trace.reverse()), width=140)
    table = rows(text)
    assert table[0][:3] == ["Reverse", "sweep", "(adjoints,"]
    assert table[0][-3:] == ["v̄3", "=", "1.0"]
    body = table[3:]
    assert body[0] == ["0", "v̄3", "=", "seed", "1.0"]
    # the seed's order of updates: v̄2 += v̄3 cos(v2), v̄1 += v̄2, x̄ += v̄1 2x
    assert [r[1:4] for r in body[1:]] == [["v̄2", "+=", "v̄3·cos(v2)"], ["v̄1", "+=", "v̄2·1"], ["x̄", "+=", "v̄1·(2*x)"]]
    c = math.cos(10.0)
    assert _number(body[1][-1]) == pytest.approx(c, rel=1e-15)
    assert _number(body[3][-1]) == pytest.approx(c * 6.0, rel=1e-15)
    assert body[3][4:7] == ["2*x", "=", "6.0"]


def test_ascii_tables_are_pure_ascii(seed_trace):
    for renderable in (T.tape_table(seed_trace, ascii=True), T.forward_table(seed_trace.forward(), ascii=True),
                       T.reverse_table(seed_trace.reverse(), ascii=True),
                       T.summary_table(seed_trace, [seed_trace.forward()], [seed_trace.reverse()], ascii=True)):
        for width in (120, 60):
            text = render(renderable, width=width)
            assert text.isascii(), text
    text = render(T.reverse_table(seed_trace.reverse(), ascii=True))
    assert "v2_bar += v3_bar*cos(v2)" in text


@pytest.mark.parametrize("width", [140, 100, 80, 60])
def test_no_number_is_ever_cut(seed_trace, width):
    """Down to 60 columns every number appears whole on one line (wrapping happens at spaces)."""
    from rich.cells import cell_len

    numbers = {repr(math.sin(10.0)), repr(math.cos(10.0)), repr(math.cos(10.0) * 6.0)}
    for renderable in (T.forward_table(seed_trace.forward()), T.reverse_table(seed_trace.reverse()),
                       T.summary_table(seed_trace, [seed_trace.forward()], [seed_trace.reverse()])):
        text = render(renderable, width=width)
        assert max(cell_len(line.rstrip()) for line in text.splitlines()) <= width
        found = set(re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text))
        # every float printed is one that the sweep produced, not a fragment of one
        for f in found:
            assert any(f == n or f in {"3.0", "9.0", "10.0", "6.0", "1.0"} for n in numbers), (f, text)
        assert numbers & found


def test_very_narrow_console_folds_but_loses_no_digit(seed_trace):
    text = render(T.tape_table(seed_trace), width=30)
    assert repr(math.sin(10.0)) in "".join(text.split())


def test_narrow_layout_is_used_when_wide_does_not_fit(seed_trace):
    wide = render(T.forward_table(seed_trace.forward()), width=140)
    narrow = render(T.forward_table(seed_trace.forward()), width=70)
    assert "local partial" in wide.splitlines()[2] or "local partial" in wide
    assert "∂v3/∂v2: cos(v2) =" in narrow       # the stacked layout names each partial


def test_forward_with_two_terms_and_unseeded_input():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    text = render(T.forward_table(t.forward("x1")), width=140)
    assert "v̇3 = 1·v̇1" in text and "v̇3 += 1·v̇2" in text
    assert "ẋ2 = 0 (not seeded)" in text
    # the total after the second term is ∂f/∂x1 = x2 + cos(x1)
    last = [r for r in rows(text) if r[:1] == ["y"]][0]
    assert float(last[-1]) == pytest.approx(5.0 + math.cos(2.0), rel=1e-15)
    text = render(T.forward_table(t.forward("x2")), width=140)
    assert "no seeded input reaches it" in text


def test_summary_and_gradient_tables():
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    sweep = t.reverse()
    text = render(T.gradient_table(sweep))
    g = {r[0]: float(r[1]) for r in rows(text)[2:]}
    assert g["∂y/∂x1"] == pytest.approx(5.0 + math.cos(2.0), rel=1e-15)
    assert g["∂y/∂x2"] == 2.0
    assert g["y"] == pytest.approx(10.0 + math.sin(2.0), rel=1e-15)
    text = render(T.summary_table(t, [t.forward("x1"), t.forward("x2")], [sweep]))
    assert "1 sweep, 5 terms" in text and "1 sweep, 2 terms" in text


def test_jacobian_and_sweep_count_tables():
    J = np.array([[3.0, 2.0], [math.cos(2.0), 0.0], [1.0, 1.0]])
    text = render(T.jacobian_table(["y[0]", "y[1]", "y[2]"], ["x", "y"], J, title="J"))
    assert rows(text)[1] == ["∂/∂x", "∂/∂y"]
    assert rows(text)[3] == ["y[0]", "3.0", "2.0"]
    assert rows(text)[4] == ["y[1]", repr(math.cos(2.0)), "0.0"]
    text = render(T.sweep_count_table({"forward": 2, "reverse": 3}, {"reverse": 33}))
    body = rows(text)[3:]
    assert body[0][:2] == ["forward", "2"] and body[0][-2:] == ["(not", "run)"]
    assert body[1][:2] == ["reverse", "3"] and body[1][-1] == "33"


def test_progress_table_reveals_and_highlights(seed_trace):
    sweep = seed_trace.reverse()
    text = render(T.progress_table(sweep, 1))
    assert "v̄2 += v̄3·cos(v2)" in text
    assert text.count("…") == 2                     # the two updates not performed yet
    text = render(T.progress_table(sweep, 3))
    assert "…" not in text
    assert len(T.sweep_terms(sweep)) == 3
    styled = Console(file=io.StringIO(), width=100, force_terminal=True, color_system="truecolor")
    styled.print(T.progress_table(sweep, 2))
    assert "\x1b[" in styled.file.getvalue()          # the current step is highlighted


def test_progress_table_scrolls_long_sweeps():
    t = ad.trace("sin(sin(sin(sin(sin(sin(sin(sin(x))))))))", x=0.5)
    text = render(T.progress_table(t.forward(), 8, max_rows=5))
    assert "earlier rows" in text
    assert len([r for r in rows(text) if r[0].startswith("v")]) <= 5


def test_explain_term_uses_recorded_numbers(seed_trace):
    fwd = seed_trace.forward()
    text = T.explain_term(fwd, T.sweep_terms(fwd)[2])
    assert text.startswith("v̇3 = cos(v2)·v̇2: the local partial ∂v3/∂v2 = cos(v2) = ")
    assert f"times v̇2 = 6.0 gives v̇3 = {T.format_value(T.sweep_terms(fwd)[2].total)}" in text
    rev = seed_trace.reverse()
    text = T.explain_term(rev, T.sweep_terms(rev)[0])
    assert text.startswith("v̄2 += v̄3·cos(v2): v̄3 = 1.0 times the local partial")
    assert T.explain_term(rev, T.sweep_terms(rev)[0], ascii=True).isascii()


def test_a_negative_partial_is_written_with_one_minus_sign_in_update_and_partial():
    """``v̄4 += v̄5·(−1)`` used to sit above ``∂v5/∂v4: -1``: one formula, two minus signs.
    Formulas write ``−`` (U+2212); full-precision numbers stay as Python prints them."""
    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    text = render(T.reverse_table(t.reverse()), width=60)
    assert "v̄4 += v̄5·(−1)" in text and "∂v5/∂v4: −1 = -1.0" in text and ": -1 " not in text
    cosine = ad.trace("cos(x)", x=1.0)
    text = render(T.forward_table(cosine.forward()), width=100)
    assert "(−sin(x))·ẋ" in text and "−sin(x) =" in text and "-sin" not in text
    rev = cosine.reverse()
    assert "local partial ∂v1/∂x = −sin(x) = -0.84" in T.explain_term(rev, T.sweep_terms(rev)[0])
    ascii_text = render(T.reverse_table(t.reverse(), ascii=True), width=60)
    assert "v4_bar += v5_bar*(-1)" in ascii_text and "dv5/dv4: -1 = -1.0" in ascii_text


def test_nonfinite_origins_names_the_first_bad_node():
    import warnings

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        t = ad.trace("exp(log(x) + 1)", x=-1.0)
    origins = T.nonfinite_origins(t)
    assert [n.definition for n in origins] == ["log(x)"]   # later nodes only inherit the nan


def test_nonfinite_origins_counts_an_overflowed_constant():
    with np.errstate(all="ignore"):
        t = ad.trace(ad.parse("exp(x * 9**9**9**9)"), x=1.0)   # the constant is inf, not a node
    assert [n.definition for n in T.nonfinite_origins(t)] == ["x * inf"]


def test_importing_the_module_does_not_import_rich():
    import subprocess
    import sys

    code = "import sys, adviz.render.table; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_nonfinite_partials_finds_vertical_tangents():
    t = ad.trace("sqrt(x) + x", x=0.0)
    with np.errstate(divide="ignore"):
        sweep = t.reverse()
    (term,) = T.nonfinite_partials(sweep)
    assert term.partial_value == np.inf and t.nodes[term.source].definition == "sqrt(x)"
    assert T.nonfinite_partials(ad.trace("sqrt(x) + x", x=4.0).reverse()) == []


def test_tables_display_themselves_in_notebooks_and_the_repl(seed_trace):
    view = T.reverse_table(seed_trace.reverse())
    bundle = view._repr_mimebundle_()
    assert "v̄2 += v̄3·cos(v2)" in bundle["text/plain"]
    assert "<pre" in bundle["text/html"] and "color" in bundle["text/html"]     # coloured HTML
    assert "v̄2 += v̄3·cos(v2)" in bundle["text/html"]
    assert repr(view) == bundle["text/plain"]
    assert "\x1b" not in repr(view)


@pytest.mark.parametrize("width", [60, 80])
def test_a_short_array_stays_on_one_line_in_a_narrow_console(width):
    """``(3,) [1.0, 2.0, 3.0]`` is one value: a narrow console shows the stacked layout rather
    than a wide table that stacks it one element per line (``(3,)`` / ``[1.0,`` / ``2.0,``)."""
    x = np.array([1.0, 2.0, 3.0])
    t = ad.trace("sum(x**2)", x=x)
    for table in (T.tape_table(t), T.forward_table(t.forward("x")), T.reverse_table(t.reverse()),
                  T.summary_table(t, [t.forward("x")], [t.reverse()])):
        text = render(table, width=width)
        assert max(len(line.rstrip()) for line in text.splitlines()) <= width
        for values in (x, x**2, 2 * x, np.ones(3)):          # by hand: x, x², 2x, the seed
            shown = "(3,) [" + ", ".join(repr(float(v)) for v in values) + "]"
            if shown in text.replace("\n", " ") or (values is x and "Tape" in text):
                assert any(shown in line for line in text.splitlines()), (shown, text)
        assert not re.search(r"\(3,\)\s*$", text, re.M), text          # no shape left alone on a line
        assert not re.search(r"^\s*\[?-?\d+\.\d+,\s*$", text, re.M), text   # no element alone on a line


def test_a_long_array_keeps_the_stacked_table_in_a_narrow_console():
    """Arrays too long for one line still get the stacked table (wrapped between elements),
    not the bare list kept for consoles under about 30 columns."""
    x = np.array([1.0, 2.0, 3.0])
    t = ad.trace("sum(sin(x))", x=x)
    text = render(T.forward_table(t.forward("x")), width=60)
    assert "━" in text and "update, local" in text
    numbers = {word.strip("[],") for word in text.split()}
    assert {repr(float(v)) for v in np.cos(x)} <= numbers          # by hand: cos(x), each whole


# ---------------------------------------------------------------- a seed's tail stays with its value
def _seed_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "(seed" in line or line.strip().startswith(("v̄", "ẋ"))]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_the_seed_tail_never_starts_a_line_or_splits(mode):
    """In a narrow table ``ẋ = (3,) [1.0, 1.0, 1.0]`` / ``(seed)`` put the tail on a line of its own
    (rich breaks at no-break spaces too): the value's last word now moves down with it."""
    t = ad.trace("sum(x*y)", x=np.array([1.0, 2.0, 3.0]), y=np.array([1.0, 2.0, 3.0]))
    sweep = t.forward({"x": np.ones(3), "y": np.zeros(3)}) if mode == "forward" else t.reverse()
    build = T.forward_table if mode == "forward" else T.reverse_table
    tail = "(seed)" if mode == "forward" else "(seed f̄)"
    moved = 0
    for width in range(24, 72):
        text = render(build(sweep), width=width)
        cells = [line.strip(" │|") for line in text.splitlines()]
        assert not any(line.startswith("(seed") for line in cells), (width, text)
        tails = [line for line in cells if "(seed" in line and not line.startswith(("Forward", "Reverse"))]
        assert tails and all(line.endswith(tail) and line != tail for line in tails), (width, text)
        moved += any(line.endswith(f"1.0] {tail}") and not line.startswith(("ẋ", "v̄", "(3,)")) for line in cells)
    assert moved or mode == "reverse"        # some width did need the last word moved down


def test_keep_tails_moves_only_the_last_word_and_keeps_styles():
    from rich.text import Text

    console = Console(file=io.StringIO(), width=80, color_system=None)
    text = Text("a = (3,) [1.0, 1.0, 1.0] (seed)", style="blue")
    assert T._keep_tails(text, ["(seed)"], console, 40).plain == text.plain          # fits: unchanged
    kept = T._keep_tails(text, ["(seed)"], console, 26)
    assert kept.plain == "a = (3,) [1.0, 1.0,\n1.0] (seed)"
    assert kept.style == "blue" or all(span.style == "blue" for span in kept.spans)
    assert T._keep_tails(Text("a = 1.0 (seed)"), ["(seed)"], console, 12).plain == "a =\n1.0 (seed)"
    assert T._keep_tails(Text("a = 1.0 (not seeded)"), ["(seed)"], console, 12).plain == "a = 1.0 (not seeded)"
