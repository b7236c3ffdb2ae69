"""Tests for adviz.render.widgets: the widgets' state, driven from Python as a notebook would.

No browser here: clicking a button is ``button.click()``, dragging the slider is setting its
``value``, and we check what the HTML widgets then hold.  Reference numbers are written out
by hand: for x1*x2 + sin(x1) at (2, 5), dy/dx1 = x2 + cos(x1) = 5 + cos(2) and dy/dx2 = x1 = 2;
for sin(x**2 + 1) at x = 3, dy/dx = 6 cos(10).  Operation counts are counted by hand on the
graph (one per chain-rule term, i.e. per arrow a sweep carries a nonzero derivative along).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import adviz as ad
from adviz.expr import ParseError
from adviz.render import style
from adviz.render.widgets import (
    FiniteDifferenceExplorer,
    ModeComparison,
    Playground,
    SweepPlayer,
    error_html,
    parse_values,
    trace_from,
)

DX1 = 5.0 + math.cos(2.0)  # d(x1*x2 + sin x1)/dx1 at (2, 5)
DSIN = 6.0 * math.cos(10.0)  # d sin(x**2 + 1)/dx at 3


@pytest.fixture(scope="module")
def two_inputs():
    return ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)


def _current_updates(table_html: str) -> list[str]:
    rows = re.findall(r'<tr data-step="\d+" class="current">(.*?)</tr>', table_html, re.DOTALL)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r)[3]) for r in rows]  # its text


# ---------------------------------------------------------------- SweepPlayer


def test_player_steps_forward_and_back_and_clamps(two_inputs):
    p = SweepPlayer(two_inputs, mode="reverse")
    assert (p.n_steps, p.step) == (3, 0)
    p.next()
    p.next()
    assert p.step == 2
    p.prev()
    assert p.step == 1
    p.goto(10)
    assert p.step == 3
    p.goto(-4)
    assert p.step == 0
    p.last()
    assert p.step == 3
    p.first()
    assert p.step == 0


def test_player_graph_table_and_caption_follow_the_step(two_inputs):
    p = SweepPlayer(two_inputs, mode="reverse")
    p.goto(3)
    # step 3 is v1 = x1*x2 sending v̄1 to both operands: terms 3.1 and 3.2
    assert _current_updates(p.current_table_html) == ["x̄1 += v̄1·x2", "x̄2 += v̄1·x1"]
    assert "step 3 of 3 (v1)" in p.current_svg
    assert p.current_caption.endswith("Done: ∂v3/∂x1 = 4.584, ∂v3/∂x2 = 2")
    assert f"{DX1:.4g}" == "4.584"
    # what the browser holds: the step number, and the captions it swaps in
    assert p.view.step == 3 and p.view.captions[3] == p.current_caption
    assert "3.2" in p.view.table  # the table numbers terms as adviz trace does


def test_player_sends_one_layout_and_only_changes_per_step(two_inputs):
    """The view gets one SVG; each step lists only the boxes and arrows that change."""
    p = SweepPlayer(two_inputs, mode="reverse")
    data = p.view.graph
    assert data["svg"].count("<svg") == 1 and len(data["changes"]) == p.n_steps + 1
    assert data["changes"][0] == []
    # step 2 (v2 = sin(x1) sends its adjoint): v2 becomes active, v3 goes back to "known",
    # the arrow x1 -> v2 becomes active, the two arrows into v3 are done, x1 gets a first term
    changed = {c[0]: c[1] for c in data["changes"][2]}
    assert changed == {"n0": "input/known", "n3": "intermediate/active", "n4": "output/known",
                       "e0-3-0": "edge/active", "e2-4-0": "edge/applied", "e3-4-1": "edge/applied"}
    texts = {c[0]: c[2] for c in data["changes"][2]}
    assert texts["n0"][-1] == "x̄1 = −0.4161 + …" and texts["n3"] is None  # v2's texts did not change


def test_player_syncs_when_the_front_end_moves_the_slider(two_inputs):
    """Play moves the slider in the browser (jslink); the kernel sees a new slider value."""
    p = SweepPlayer(two_inputs, mode="reverse")
    p._slider.value = 2
    assert p.step == 2 and p.view.step == 2
    assert _current_updates(p.current_table_html) == ["x̄1 += v̄2·cos(x1)"]
    assert "step 2 of 3 (v2)" in p.current_svg
    assert p._play.max == p._slider.max == 3


def test_play_at_the_end_starts_again_from_the_first_step(two_inputs):
    p = SweepPlayer(two_inputs, mode="reverse")
    p.last()
    p._play.playing = True  # the ▶ button in the browser
    assert p.step == 0 and p.view.step == 0


def test_player_buttons_and_speed(two_inputs):
    p = SweepPlayer(two_inputs, mode="reverse", interval=1000)
    p._buttons["next"].click()
    p._buttons["next"].click()
    assert p.step == 2
    p._buttons["prev"].click()
    assert p.step == 1
    p._buttons["last"].click()
    assert p.step == 3
    p._buttons["first"].click()
    assert p.step == 0
    p._speed.value = 4.0
    assert p._play.interval == 250
    p._speed.value = 0.5
    assert p._play.interval == 2000


def test_forward_player_marks_tangent_rows_in_blue(two_inputs):
    p = SweepPlayer(two_inputs, mode="forward", seed="x1")
    assert p.n_steps == 3  # one step per primitive, in tape order
    p.goto(1)
    assert _current_updates(p.current_table_html) == ["v\u03071 = x2·x\u03071"]
    assert f"--strong:{style.FORWARD.strong}" in p.current_table_html
    p.last()
    assert p.current_caption.endswith(f"Done: v̇3 = {DX1:.4g}")


def test_forward_player_without_a_seed_seeds_the_first_input(two_inputs):
    """As `adviz graph --animate` and write_sweep_html do, instead of "forward() needs a seed"."""
    p = SweepPlayer(two_inputs, mode="forward")
    assert p.sweep.seed.keys() == {"x1"}
    p.last()
    assert p.current_caption.endswith(f"Done: v̇3 = {DX1:.4g}")


def test_player_rejects_a_bad_mode(two_inputs):
    with pytest.raises(ValueError, match="'forward' or 'reverse'"):
        SweepPlayer(two_inputs, mode="backwards")


def test_player_shows_in_a_notebook(two_inputs):
    bundle = SweepPlayer(two_inputs)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def _long_chain(x):
    for _ in range(12):
        x = np.sin(x) * 2.0 + 0.5
    return x


def test_player_on_a_wide_graph_follows_the_active_node():
    t = ad.trace(_long_chain, 0.5)  # 37 nodes in a row: far too wide to shrink
    p = SweepPlayer(t, mode="reverse", table_rows=8, expand=True, rankdir="LR")
    assert p.fit is False and p.view.fit is False
    p.goto(10)
    assert p.view.graph["active"][10] == f"n{p.sweep.steps[9].node}"  # the browser scrolls to it
    # the table shows the rows around the current step, not the first ones
    assert _current_updates(p.current_table_html) == [p.sweep.steps[9].terms[0].update()]
    assert "earlier rows" in p.current_table_html
    p.fit = True
    assert p.view.fit is True


def test_long_chains_fold_and_run_top_to_bottom():
    t = ad.trace(_long_chain, 0.5)
    p = SweepPlayer(t, mode="reverse")
    assert p.sweep_layout.structure.plan.collapsed  # 12 repetitions: drawn as first, last and a box
    assert p.fit is True
    expanded = SweepPlayer(t, mode="reverse", expand=True)
    assert expanded.sweep_layout.structure.rankdir == "TB"


def test_small_graphs_fit_by_default(two_inputs):
    assert SweepPlayer(two_inputs).fit is True


# ---------------------------------------------------------------- ModeComparison


def test_mode_comparison_counts_sweeps_and_operations():
    m = ModeComparison("x1*x2 + sin(x1)", "x1=2, x2=5")
    assert m.forward_labels == ["x\u03071 = 1", "x\u03072 = 1"]
    assert m.reverse_labels == ["v\u03043 = 1"]
    # forward, seed x1: v1 (x1 edge), v2 (x1 edge), v3 (both edges) = 4; seed x2: v1, v3 = 2
    # reverse: v3 -> v1, v2; v2 -> x1; v1 -> x1, x2 = 5
    assert (m.forward_total_ops, m.reverse_total_ops) == (6, 5)
    assert m.n_steps == 6  # forward: 2 sweeps x 3 steps; reverse: 1 sweep of 3 steps


def test_mode_comparison_steps_both_sides_together():
    m = ModeComparison("x1*x2 + sin(x1)", {"x1": 2.0, "x2": 5.0})
    assert (m.forward_position, m.reverse_position, m.forward_ops, m.reverse_ops) == ((0, 0), (0, 0), 0, 0)
    m.goto(3)
    assert m.reverse_position == (0, 3) and m.reverse_ops == 5
    assert m.known("reverse")["v\u03043"]["x1"] == pytest.approx(DX1)
    assert m.known("reverse")["v\u03043"]["x2"] == pytest.approx(2.0)
    assert list(m.known("forward")) == ["x\u03071"]  # one column so far
    assert m.known("forward")["x\u03071"] == pytest.approx(DX1)
    m.next()
    assert m.forward_position == (1, 1) and m.reverse_position == (0, 3)  # reverse waits, done
    m.last()
    assert m.forward_ops == 6 and m.known("forward")["x\u03072"] == pytest.approx(2.0)
    assert "operations so far: <b class=\"ops\">6</b> of 6" in m._heads["forward"].value
    view = m._slots["forward"].children[0]
    assert view is m._views["forward"][1] and view.step == 3  # the second sweep, finished
    assert "step 3 of 3" in m.caption("forward") or m.caption("forward").startswith("Step 3 of 3")
    assert "2</b> sweeps and <b>6</b> operations" in m._summary.value


def test_mode_comparison_next_sweep_moves_no_box():
    """Going from forward sweep 1 (seed ẋ1) to sweep 2 (seed ẋ2) swaps views: both use one layout,
    with room for the texts of both, so every coordinate stays; the captions of both sweeps size
    the caption box of each (it keeps its height when the side switches sweeps)."""
    def geometry_of(svg):
        return re.findall(r'\s(?:points|d|x|y|width|height|viewBox|transform)="[^"]*"', svg)

    m = ModeComparison("log(x1)+x1*x2-sin(x2)", "x1=2, x2=5")
    first, second = m._views["forward"]
    assert geometry_of(first.sweep_layout.svg(5, caption=False)) == geometry_of(second.sweep_layout.svg(0, caption=False))
    assert first.sweep_layout.svg(5, caption=False) != second.sweep_layout.svg(0, caption=False)  # texts differ
    assert set(first.captions) | set(second.captions) <= set(first.caption_ghosts)


def test_mode_comparison_array_input_and_vector_output():
    m = ModeComparison(lambda x: np.sum(x * x), (np.array([1.0, 2.0, 3.0]),))
    assert len(m.forward_sweeps) == 3 and len(m.reverse_sweeps) == 1
    m.last()
    assert [float(v) for v in m.known("forward").values()] == [2.0, 4.0, 6.0]  # d/dxi sum(x*x) = 2 xi
    v = ModeComparison("[x*y, x + y]", "x=3, y=4")
    assert len(v.forward_sweeps) == 2 and len(v.reverse_sweeps) == 2
    out = v.trace.output.name
    assert v.reverse_labels == [f"{out[0]}\u0304{out[1:]}[0] = 1", f"{out[0]}\u0304{out[1:]}[1] = 1"]
    v.last()  # each reverse sweep gives one row of the Jacobian [[y, x], [1, 1]]
    rows = list(v.known("reverse").values())
    assert [rows[0]["x"], rows[0]["y"], rows[1]["x"], rows[1]["y"]] == [4.0, 3.0, 1.0, 1.0]


def test_mode_comparison_refuses_huge_examples():
    with pytest.raises(ValueError, match="20 input components"):
        ModeComparison(lambda x: np.sum(x), (np.ones(20),))


# ---------------------------------------------------------------- FiniteDifferenceExplorer


def _f(x):
    return np.sin(x**2 + 1)


def test_fd_explorer_compares_estimates_with_ad():
    e = FiniteDifferenceExplorer("sin(x**2 + 1)", "x=3", h=1e-4)
    assert e.ad_value == pytest.approx(DSIN, rel=1e-14)
    h = e.h
    assert h == pytest.approx(1e-4)
    # independent formulas, written here
    assert e.estimates["forward"] == pytest.approx((_f(3 + h) - _f(3)) / h, rel=1e-12)
    assert e.estimates["central"] == pytest.approx((_f(3 + h) - _f(3 - h)) / (2 * h), rel=1e-12)
    assert e.estimates["complex"] == pytest.approx(np.imag(_f(3 + 1j * h)) / h, rel=1e-12)
    assert e.errors["forward"] > 1e-4  # truncation error ~ h f''/2
    assert e.errors["central"] < 1e-6 < e.errors["forward"]
    assert f"{e.estimates['central']:.16g}" in e.table_html


def test_fd_explorer_table_keeps_numbers_whole_by_the_tables_one_rule():
    """The estimates table keeps each number and formula on one line the way the sweep tables do
    (cells in class ``unit``, styled by UNIT_CSS, sent once beside the table), not by a
    second, inline ``white-space`` styling of its own."""
    from adviz.render.html import UNIT_CSS
    from adviz.render.widgets import FD_TABLE_CSS

    e = FiniteDifferenceExplorer(_f, 3.0, h=1e-8)
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", e.table_html)
    assert len(cells) == 3 * 5 + 4
    assert "white-space" not in e.table_html
    loose = [text for attrs, text in cells if "unit" not in attrs and "colspan" not in attrs]
    assert loose == []
    assert f"{e.estimates['forward']:.16g}" in [text for _, text in cells]
    assert UNIT_CSS in FD_TABLE_CSS and ".adviz-fd .unit" in UNIT_CSS
    assert any(f"<style>{FD_TABLE_CSS}</style>" == getattr(c, "value", None) for c in e.widget.children)


def test_fd_explorer_slider_moves_the_marker_and_shows_roundoff():
    e = FiniteDifferenceExplorer(_f, 3.0)
    e.h = 1e-2
    right = e.marker_xy()[0]
    e.h = 1e-13
    assert e.marker_xy()[0] < right  # smaller h: further left on the log axis
    assert e.errors["forward"] > 1e-4  # round-off: far worse than at h = 1e-6
    assert e.errors["complex"] < 1e-13  # no subtraction, no cancellation
    assert 'class="h-marker"' in e.plot_html and "h = 1.0e-13" in e.plot_html
    _, y = e.marker_xy("complex")
    assert y > e.marker_xy("forward")[1]  # a smaller error sits lower on the picture
    e._slider.value = 1e-8  # dragging the slider in the browser
    assert "estimate at h&nbsp;=&nbsp;1.0e-08" in e.table_html


def test_fd_explorer_other_inputs_held_fixed_and_bad_arguments():
    e = FiniteDifferenceExplorer("x1*x2 + sin(x1)", "x1=2, x2=5", wrt="x2")
    assert e.ad_value == pytest.approx(2.0)
    assert e.estimates["central"] == pytest.approx(2.0, rel=1e-8)
    with pytest.raises(ValueError, match="not an input"):
        FiniteDifferenceExplorer("x*2", "x=1", wrt="y")
    with pytest.raises(ValueError, match="scalar input and a scalar output"):
        FiniteDifferenceExplorer(lambda x: np.sum(x), (np.ones(3),))
    with pytest.raises(ValueError, match="between 1e-16 and 1e-1"):
        e.h = 1.0


def test_widgets_accept_a_trace(two_inputs):
    m = ModeComparison(two_inputs)
    assert m.trace is two_inputs  # the record itself, not a second recording
    m.last()
    assert m.known("reverse")["v\u03043"]["x1"] == pytest.approx(DX1)
    assert m.known("reverse")["v\u03043"]["x2"] == pytest.approx(2.0)
    e = FiniteDifferenceExplorer(ad.trace("sin(x**2 + 1)", x=3.0), h=1e-4)
    h = e.h
    assert e.ad_value == pytest.approx(DSIN, rel=1e-14)
    assert e.estimates["central"] == pytest.approx((_f(3 + h) - _f(3 - h)) / (2 * h), rel=1e-12)


def test_fd_explorer_recomputes_a_traced_function_with_the_others_held():
    def f(a, b):
        return a * b + np.sin(a)

    e = FiniteDifferenceExplorer(ad.trace(f, 2.0, 5.0), wrt="b", h=1e-5)
    assert e.estimates["central"] == pytest.approx(2.0, rel=1e-8)
    assert e.estimates["complex"] == pytest.approx(2.0, rel=1e-14)
    renamed = ad.trace(f, 2.0, 5.0).in_notation("griewank")  # other names, same function
    e = FiniteDifferenceExplorer(renamed, h=1e-5)
    assert e.estimates["central"] == pytest.approx(5.0 + math.cos(2.0), rel=1e-8)


def test_a_trace_that_cannot_be_recomputed_is_refused_clearly(two_inputs):
    with pytest.raises(ValueError, match="at= is for a function or expression"):
        ModeComparison(two_inputs, "x1=1, x2=1")
    bare = ad.trace("sin(x**2 + 1)", x=3.0)
    bare.function = None  # a trace that keeps no way to compute f again
    with pytest.raises(ValueError, match="cannot compute f again"):
        FiniteDifferenceExplorer(bare)


# ---------------------------------------------------------------- Playground


def test_playground_traces_the_default_expression():
    p = Playground()
    assert p.error is None
    assert p.trace.output.value == pytest.approx(math.sin(10.0))
    assert p.player.sweep.result["x"] == pytest.approx(DSIN)
    assert p._output.children[1] is p.player.widget


def test_playground_shows_parse_errors_in_the_widget():
    p = Playground()
    p.submit("sin(x^2)", "x=3")  # no exception escapes
    error = ParseError("use ** for powers", "sin(x^2)", 5)
    assert p.error.splitlines()[:2] == ["sin(x^2)", "     ^"]
    assert p.error_html.startswith("<pre") and "sin(x^2)\n     ^" in p.error_html
    assert p.trace is None and p._output.children == ()
    assert "^" in error_html(error)


def test_playground_value_errors_point_into_the_values():
    p = Playground()
    p.submit("x*y", "x=1, y=[2, 3")
    assert p.error.splitlines()[0] == "x=1, y=[2, 3"
    assert p.error.splitlines()[1] == " " * 7 + "^"
    p.submit("x*y", "x=1")
    assert p.error == "no value given for y"
    p.submit("x*y", "x=1, y=2, z=3")
    assert "z is not in the expression" in p.error
    p.submit("x*y", "x=1, y=<script>")
    assert "<script>" not in p.error_html  # escaped


def test_playground_recovers_and_seeds_forward_mode():
    p = Playground("x1*x2", "x1=1")
    assert p.error is not None
    p.submit("x1*x2 + sin(x1)", "x1=2, x2=5", mode="forward")
    assert p.error is None and p.error_html == ""
    assert list(p.player.sweep.seed) == ["x1"]
    assert p.player.sweep.result == pytest.approx(DX1)
    p._seed.value = "x2"  # choosing another seed in the widget re-runs the sweep
    assert p.player.sweep.result == pytest.approx(2.0)
    p._mode.value = "reverse"
    assert p.player.mode == "reverse" and p.player.sweep.result["x1"] == pytest.approx(DX1)


def test_playground_typing_in_the_box_retraces():
    p = Playground()
    p._expression.value = "exp(x)"  # Enter in the text box (continuous_update=False)
    assert p.trace.output.value == pytest.approx(math.exp(3.0))


# ---------------------------------------------------------------- inputs


def test_parse_values_reads_numbers_vectors_and_constants():
    values = parse_values("x=3, v=[1, 2.5], t = pi/4")
    assert values["x"] == 3.0 and values["t"] == pytest.approx(math.pi / 4)
    np.testing.assert_array_equal(values["v"], [1.0, 2.5])
    assert parse_values("  ") == {}


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("x=3, y", 5, "expected name=value"),
        ("x=3,, y=2", 4, "empty value"),
        ("2x=3", 0, "not a variable name"),
        ("x=1, x=2", 5, "given twice"),
        ("x=y+1", 2, "must be a number"),
        ("x=__import__('os')", 13, "unexpected character"),
    ],
)
def test_parse_values_errors_say_where(text, column, message):
    with pytest.raises(ParseError) as info:
        parse_values(text)
    assert info.value.expression == text
    assert info.value.column == column
    assert message in info.value.message


def test_trace_from_accepts_the_usual_forms():
    def f(a, b):
        return a * b

    assert trace_from(f, {"b": 3.0, "a": 2.0}).input_names == ("a", "b")
    assert trace_from(f, (2.0, 3.0)).value == 6.0
    assert trace_from("x**2", 4.0).value == 16.0
    assert trace_from("x*y", "x=2, y=5").value == 10.0
    with pytest.raises(ValueError, match="no value for b"):
        trace_from(f, {"a": 1.0})
    with pytest.raises(ValueError, match="give values for x, y"):
        trace_from("x*y", 1.0)


# ---------------------------------------------------------------- issue 11: state round trips


def test_fd_explorer_keeps_h_set_from_python_against_the_rounded_slider():
    e = FiniteDifferenceExplorer(_f, 3.0)
    e.h = 1.234e-10
    e._slider.value = 10 ** -9.9  # the slider grid's nearest value, echoed by the browser
    assert e.h == 1.234e-10  # the browser echoing its rounded value is not a move
    e._slider.value = 1e-3  # a real move
    assert e.h == pytest.approx(1e-3)


def test_fd_explorer_sends_the_picture_once_and_only_marks_per_tick():
    e = FiniteDifferenceExplorer(_f, 3.0)
    sent = []
    e._plot.observe(lambda change: sent.append(change["name"]), names=["png", "marks"])
    for h in (1e-2, 1e-5, 1e-9):
        e.h = h
    assert sent == ["marks", "marks", "marks"]
    assert sum(len(str(m)) for m in e._plot.marks) < 2000
    label = next(m for m in e._plot.marks if m.get("class") == "h-label")
    top, bottom = e._pixel(1e-9)[1], e._pixel(1e-9, e._ylim[0])[1]
    assert label["text"] == "h = 1.0e-09" and float(label["y"]) > top + 40  # clear of the √ε notes at the top


def test_fd_plot_legend_names_only_what_is_drawn():
    from adviz.numeric.error_sweep import error_sweep
    from adviz.render.plots import error_plot

    s = error_sweep(lambda x: np.sin(x), 1.0, exact=np.cos(1.0), methods=("forward", "central"))
    labels = [t.get_text() for t in error_plot(s, models=False).axes[0].get_legend().get_texts()]
    assert not any("fitted" in label for label in labels)
    labels = [t.get_text() for t in error_plot(s, models=True).axes[0].get_legend().get_texts()]
    assert any("fitted truncation" in label for label in labels)


def test_playground_seed_box_shows_the_seeded_input():
    p = Playground("x1*x2 + sin(x1)", "x1=2, x2=5", mode="forward")
    assert p._seed.value == "x1" and list(p.player.sweep.seed) == ["x1"]
    p._seed.value = "x2"
    assert list(p.player.sweep.seed) == ["x2"]


def test_mode_comparison_stacks_its_sides_and_labels_its_clock():
    m = ModeComparison("x1*x2 + sin(x1)", "x1=2, x2=5")
    assert m._slider.description == "t" and m._slider.max == 6
    sides = [c for c in m.widget.children if hasattr(c, "children") and len(c.children) == 3]
    assert len(sides) == 2  # one above the other, each as wide as the notebook
    m.goto(4)
    assert "sweep 2 of 2 (seed x\u03072 = 1), step 1 of 3" in m._heads["forward"].value
    assert "t = 4 of 6" in m._clock.value
