"""Tests for adviz.render.graph: the computational graph, sweeps drawn step by step, folding.

Structure is checked on the *rendered* SVG (what a student sees), parsed with
xml.etree: boxes are ``<g class="node">`` titled ``n<index>``, arrows ``<g class="edge">``
titled ``n<a>->n<b>``.  Expected numbers are the textbook ones, written out by hand:
for sin(x**2 + 1) at x = 3, cos(10) = -0.83907 and dy/dx = 6 cos(10) = -5.0344; for
x1*x2 + sin(x1) at (2, 5), dy/dx1 = x2 + cos(x1) = 5 - 0.41615 = 4.58385, dy/dx2 = x1 = 2.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from typer.testing import CliRunner

import adviz as ad
from adviz.cli import app
from adviz.render import graphviz_backend as gb
from adviz.render import style
from adviz.render.graph import (
    MAX_EXPANDED_NODES,
    TooBigToDraw,
    build_graph,
    folding_note,
    repr_mimebundle,
    summary,
    to_svg,
    write_graph,
)

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _auto_backend(monkeypatch):
    monkeypatch.delenv(gb.ENV_VAR, raising=False)


@pytest.fixture
def sin_trace():
    return ad.trace("sin(x**2+1)", x=3.0)


@pytest.fixture
def two_paths():
    return ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)


class Drawing:
    """The boxes, arrows and caption of a rendered graph."""

    def __init__(self, svg: str):
        root = ET.fromstring(svg)
        assert root.tag == f"{NS}svg"
        self.nodes: dict[str, ET.Element] = {}
        self.edges: dict[str, list[ET.Element]] = {}
        self.caption: list[str] = []
        graph = root.find(f"{NS}g")
        self.caption = [t.text or "" for t in graph.findall(f"{NS}text")]
        for g in graph.findall(f"{NS}g"):
            title = g.find(f"{NS}title").text
            classes = (g.get("class") or "").split()
            if "node" in classes:
                self.nodes[title] = g
            elif "edge" in classes:
                self.edges.setdefault(title, []).append(g)

    @staticmethod
    def texts(element: ET.Element) -> list[str]:
        return [(t.text or "").replace("\xa0", " ") for t in element.iter(f"{NS}text")]

    def node_texts(self, name: str) -> list[str]:
        return self.texts(self.nodes[name])

    def edge_texts(self, name: str) -> list[str]:
        return [text for e in self.edges[name] for text in self.texts(e)]

    def fill(self, name: str) -> str:
        shape = next(
            e for e in self.nodes[name].iter() if e.tag in (f"{NS}polygon", f"{NS}path")
        )
        return shape.get("fill")

    def stroke(self, edge: str) -> tuple[str, float]:
        path = self.edges[edge][0].find(f"{NS}path")
        return path.get("stroke"), float(path.get("stroke-width", "1"))

    def caption_text(self) -> str:
        # long caption lines are wrapped to the graph's width: continuations start with spaces
        return "\n".join(self.caption).replace("\xa0", " ").replace("\n   ", " ")


def draw(trace, sweep=None, step=None, **options) -> Drawing:
    return Drawing(to_svg(trace, sweep, step, **options))


# ---------------------------------------------------------------- structure


def test_sin_graph_structure_values_and_partials(sin_trace):
    d = draw(sin_trace)
    assert set(d.nodes) == {"n0", "n1", "n2", "n3"}
    assert set(d.edges) == {"n0->n1", "n1->n2", "n2->n3"}
    assert d.node_texts("n0") == ["x", "input", "3"]
    assert d.node_texts("n1") == ["v1 = x**2", "9"]
    assert d.node_texts("n2") == ["v2 = v1 + 1", "10"]
    assert d.node_texts("n3") == ["v3 = sin(v2)", "−0.544"]
    assert d.edge_texts("n0->n1") == ["∂v1/∂x = 2*x = 6"]
    assert d.edge_texts("n1->n2") == ["∂v2/∂v1 = 1"]
    assert d.edge_texts("n2->n3") == ["∂v3/∂v2 = cos(v2) = −0.8391"]
    assert d.caption_text().startswith("sin(x**2+1)  at  x = 3")


def _net(W, x, b):
    return np.tanh(W * x + b)


def _box_position(d: Drawing, name: str) -> tuple[float, float]:
    text = next(d.nodes[name].iter(f"{NS}text"))  # the box's first line: where it is drawn
    return float(text.get("x")), float(text.get("y"))


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_inputs_are_drawn_in_the_order_of_the_arguments(rankdir):
    """net(W, x, b): W, then x, then b, top to bottom (left to right when the graph runs
    downwards); Graphviz alone put x above W, as it crosses fewer arrows."""
    t = ad.trace(_net, 2.0, 3.0, 0.5)
    svg = to_svg(t, t.reverse(), rankdir=rankdir)
    d = Drawing(svg)
    across = 1 if rankdir == "LR" else 0  # the axis the inputs are lined up along
    places = [_box_position(d, f"n{n.index}") for n in t.inputs]
    assert [n.name for n in t.inputs] == ["W", "x", "b"]
    assert len({p[1 - across] for p in places}) == 1  # side by side, in the first rank
    assert [p[across] for p in places] == sorted(p[across] for p in places)
    assert svg == to_svg(t, t.reverse(), rankdir=rankdir)  # and the same bytes every time


def test_node_kinds_are_styled_distinctly(sin_trace):
    d = draw(sin_trace)
    fills = {d.fill(n) for n in ("n0", "n1", "n3")}
    assert fills == {style.INPUT.fill, style.INTERMEDIATE.fill, style.OUTPUT.fill}
    outline = ET.tostring(d.nodes["n3"], encoding="unicode")
    assert f'stroke="{style.OUTPUT.line}"' in outline


def test_reverse_sweep_complete_shows_every_adjoint(sin_trace):
    d = draw(sin_trace, sin_trace.reverse())
    assert d.node_texts("n3")[-1] == "v̄3 = 1 (seed)"
    assert d.node_texts("n2")[-1] == "v̄2 = −0.8391"
    assert d.node_texts("n1")[-1] == "v̄1 = −0.8391"
    assert d.node_texts("n0")[-1] == "x̄ = −5.034"
    assert d.edge_texts("n0->n1") == ["∂v1/∂x = 2*x = 6", "x̄ += v̄1·(2*x) = −5.034"]
    assert "result: x̄ = ∂v3/∂x = −5.034" in d.caption_text()
    for edge in d.edges:  # every arrow carried its contribution; none is "active"
        assert d.stroke(edge) == (style.REVERSE.strong, pytest.approx(1.4))


def test_reverse_steps_read_like_the_adjoint_derivation(sin_trace):
    sweep = sin_trace.reverse()
    lines = []
    for k in range(len(sweep.steps) + 1):
        d = draw(sin_trace, sweep, k)
        lines.append(d.caption[2].replace("\xa0", " "))
        known = {n for n in d.nodes if "?" not in d.node_texts(n)[-1]}
        assert known == set(
            ["n3", "n2", "n1", "n0"][: k + 1]
        )  # adjoints appear output-first
    assert lines == [
        "step 0 of 3: only the seed is known",
        "step 1 of 3 (v3): v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391",
        "step 2 of 3 (v2): v̄1 += v̄2·1 = (−0.8391)·1 = −0.8391",
        "step 3 of 3 (v1): x̄ += v̄1·(2*x) = (−0.8391)·6 = −5.034",
    ]


def test_step_highlighting_done_active_and_pending(sin_trace):
    d = draw(sin_trace, sin_trace.reverse(), 2)  # v̄1 += v̄2·1 just happened
    assert d.fill("n2") == style.REVERSE.active  # the node being processed
    assert d.fill("n3") == d.fill("n1") == style.REVERSE.light  # done
    assert d.fill("n0") == style.PENDING.fill  # not reached yet
    assert d.stroke("n1->n2") == (style.REVERSE.strong, 3.0)  # the current contribution
    assert d.stroke("n2->n3")[0] == style.REVERSE.strong  # already used
    assert d.stroke("n0->n1")[0] == style.PENDING.line
    assert d.node_texts("n0")[-1] == "x̄ = ?"
    assert d.edge_texts("n0->n1") == [
        "∂v1/∂x = 2*x = 6",
        "x̄ += v̄1·(2*x)",
    ]  # still to come


def test_forward_steps_use_the_forward_colours(sin_trace):
    sweep = sin_trace.forward()
    d = draw(sin_trace, sweep, 1)
    assert d.fill("n1") == style.FORWARD.active
    assert d.fill("n0") == style.FORWARD.light
    assert d.fill("n2") == d.fill("n3") == style.PENDING.fill
    assert d.stroke("n0->n1") == (style.FORWARD.strong, 3.0)
    assert d.node_texts("n0")[-1] == "ẋ = 1 (seed)"
    assert d.node_texts("n1")[-1] == "v̇1 = 6"
    assert draw(sin_trace, sweep).node_texts("n3")[-1] == "v̇3 = −5.034"


def test_forward_inputs_left_out_of_the_seed_start_at_zero(two_paths):
    """Forward mode gives the inputs left out of the seed tangent 0: known from step 0 (not ``ẋ2 = ?``; x + U+0307, as drawn)."""
    sweep = two_paths.forward("x1")
    for k in range(len(sweep.steps) + 1):
        d = draw(two_paths, sweep, k)
        assert d.node_texts("n0")[-1] == "x\u03071 = 1 (seed)"
        assert d.node_texts("n1")[-1] == "x\u03072 = 0"  # not seeded: zero tangent, known from the start
        assert d.fill("n1") != style.PENDING.fill
    assert "seed x\u03071 = 1" in draw(two_paths, sweep, 0).caption_text()
    assert draw(two_paths, two_paths.forward("x2"), 0).node_texts("n0")[-1] == "x\u03071 = 0"


def test_caption_says_the_whole_seed_and_what_it_picks(two_paths):
    """The caption describes the sweep, not only the seed given: every input's tangent and which
    input is seeded (forward), the output's cotangent (reverse); sentences compared whole."""
    dot = "\u0307"
    caption = draw(two_paths, two_paths.forward("x2"), 0).caption_text()
    assert f"forward mode (tangents), seed x{dot}1 = 0, x{dot}2 = 1 (v{dot}3 ends as ∂v3/∂x2)" in caption.splitlines()
    both = draw(two_paths, two_paths.forward({"x1": 2.0, "x2": -1.0}), 0).caption_text()
    assert f"seed x{dot}1 = 2, x{dot}2 = −1 (x1, x2 seeded: a directional derivative)" in both
    reverse = draw(two_paths, two_paths.reverse(), 0).caption_text()
    assert "reverse mode (adjoints), seed v̄3 = 1 (x̄1 ends as ∂v3/∂x1, …)" in reverse.splitlines()
    sin = ad.trace("sin(x)", x=1.0)
    one_input = draw(sin, sin.forward(), 0).caption_text()
    assert f"forward mode (tangents), seed x{dot} = 1\n" in one_input + "\n"  # nothing to pick: no note


def test_caption_says_what_a_question_mark_means_while_one_is_shown(two_paths):
    """``x̄1 = ?`` before any contribution reaches x1 is intended; the caption says what it means,
    and ``+ …`` too, only while a box shows them."""
    sweep = two_paths.reverse()
    first = draw(two_paths, sweep, 1)
    assert first.node_texts("n0")[-1] == "x̄1 = ?"
    assert "? = no contribution yet (not 0: a later step adds it)" in first.caption_text().splitlines()
    after_sin = next(k for k, s in enumerate(sweep.steps, 1) if two_paths.nodes[s.node].op == "sin")
    # x̄1 = −0.4161 + … and x̄2 = ?: both signs, said in one line
    assert "? = no contribution yet (not 0), + … = more to come" in draw(two_paths, sweep, after_sin).caption_text()
    reused = ad.trace("x*x*x", x=2.0)  # v2 = v1 * x: x̄ = 4 + … while v1 has still to send its two
    partial = draw(reused, reused.reverse(), 1).caption_text().splitlines()
    assert "+ … = more contributions to come" in partial and not any(line.startswith("?") for line in partial)
    done = draw(two_paths, sweep).caption_text()
    assert "?" not in done and "+ …" not in done
    forward = draw(two_paths, two_paths.forward("x1"), 1).caption_text()
    assert "? = not computed yet: a later step gives this tangent" in forward


def test_two_paths_sum_in_reverse_mode(two_paths):
    d = draw(two_paths, two_paths.reverse())
    # x1 feeds v1 = x1*x2 and v2 = sin(x1): two arrows, two contributions, one sum
    assert {"n0->n2", "n0->n3", "n1->n2"} <= set(d.edges)
    assert d.node_texts("n0")[-1] == "x̄1 = −0.4161 + 5 = 4.584"
    assert d.node_texts("n1")[-1] == "x̄2 = 2"
    assert d.edge_texts("n0->n2")[-1] == "x̄1 += v̄1·x2 = 5"
    assert d.edge_texts("n0->n3")[-1] == "x̄1 += v̄2·cos(x1) = −0.4161"
    assert "x̄1 = ∂v3/∂x1 = 4.584, x̄2 = ∂v3/∂x2 = 2" in d.caption_text()


def test_two_paths_partial_sum_while_stepping(two_paths):
    sweep = two_paths.reverse()
    after_sin = next(
        k for k, s in enumerate(sweep.steps, 1) if two_paths.nodes[s.node].op == "sin"
    )
    d = draw(two_paths, sweep, after_sin)
    assert d.node_texts("n0")[-1] == "x̄1 = −0.4161 + …"  # one path in, one to come


def test_forward_sum_of_two_paths(two_paths):
    d = draw(two_paths, two_paths.forward("x1"))
    assert d.node_texts("n4")[-1] == "v̇3 = 5 − 0.4161 = 4.584"
    assert d.node_texts("n1")[-1] == "ẋ2 = 0"  # not seeded: zero tangent
    assert d.edge_texts("n1->n2") == [
        "∂v1/∂x2 = x1 = 2", "x\u03072 = 0: nothing to carry"
    ]  # partial shown even with no term, and why nothing crossed


def test_arrays_show_shape_and_summary():
    def f(x, W):
        return np.sum(np.tanh(W @ x))

    t = ad.trace(f, np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3) / 10)
    d = draw(t, t.reverse())
    assert d.node_texts("n0")[:3] == ["x", "input", "[1, 2, 3]"]
    assert d.node_texts("n1")[2] == "(2, 3) [0 … 0.5]"
    assert d.node_texts("n1")[3].startswith("W̄ = (2, 3) [")
    assert summary(np.zeros((0, 2))) == "(0, 2) (empty)"


def test_record_syntax_in_labels_is_escaped():
    def f(a_rather_long_input_name):  # a long definition: the box shows the symbol |x|
        return np.abs(a_rather_long_input_name)

    d = draw(ad.trace(f, -3.0))
    assert d.node_texts("n1") == ["v1", "|x|", "3"]


# ---------------------------------------------------------------- backends


@pytest.mark.parametrize("backend", gb.available_backends())
def test_valid_svg_through_each_backend(monkeypatch, two_paths, backend):
    monkeypatch.setenv(gb.ENV_VAR, backend)
    d = draw(two_paths, two_paths.reverse(), 2)
    assert len(d.nodes) == 5 and sum(len(e) for e in d.edges.values()) == 5


def test_graph_without_the_dot_program(monkeypatch, tmp_path, sin_trace):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gb.backend_name() == "wasm"
    d = draw(sin_trace, sin_trace.reverse(), 1)
    assert d.fill("n3") == style.REVERSE.active
    png = write_graph(
        sin_trace, tmp_path / "g.png", sin_trace.reverse(), 1
    ).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_dot_source_needs_no_graphviz(monkeypatch, tmp_path, sin_trace):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(gb, "_wasm_installed", lambda: False)
    path = write_graph(sin_trace, tmp_path / "g.dot")
    assert path.read_text().startswith("digraph adviz {")
    assert repr_mimebundle(sin_trace) == {"text/plain": repr(sin_trace)}


def test_repr_mimebundle_has_svg(sin_trace):
    bundle = repr_mimebundle(sin_trace)
    assert Drawing(bundle["image/svg+xml"]).nodes.keys() == {"n0", "n1", "n2", "n3"}
    assert repr_mimebundle(sin_trace, exclude={"image/svg+xml"}).keys() == {
        "text/plain"
    }


def test_bad_arguments(sin_trace, two_paths, tmp_path):
    with pytest.raises(ValueError, match="step needs a sweep"):
        build_graph(sin_trace, step=1)
    with pytest.raises(ValueError, match="from 0 to 3"):
        build_graph(sin_trace, sin_trace.reverse(), step=4)
    with pytest.raises(ValueError, match="different trace"):
        build_graph(sin_trace, two_paths.reverse())
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.dot"):
        write_graph(sin_trace, tmp_path / "g.jpg")


def test_captions_wrap_between_items_not_inside_a_list_or_before_an_equals_sign():
    """The caption of a narrow picture wraps; it used to wrap wherever a space fell, leaving
    "b = [0.1," on one line and "0.2]" on the next, or "b̄" above "= ∂v3/∂b"."""
    from adviz.render.graph import wrap

    assert wrap(["sum(tanh(X + b))  at  X: (3, 2) [1 … 6], b = [0.1, 0.2]"], 48) == [
        "sum(tanh(X + b))  at  X: (3, 2) [1 … 6],", "   b = [0.1, 0.2]"]
    assert wrap(["result: X̄ = ∂v3/∂X = (3, 2) [1.647e−05 … 0.3592], b̄ = ∂v3/∂b = [0.3674, 0.04884]"], 48) == [
        "result: X̄ = ∂v3/∂X =", "   (3, 2) [1.647e−05 … 0.3592],", "   b̄ = ∂v3/∂b = [0.3674, 0.04884]"]
    assert wrap(["step 5 of 90 (v86): v̄85 += v̄86·1.01 = 0.6469·1.01 = 0.6534"], 48) == [
        "step 5 of 90 (v86): v̄85 += v̄86·1.01 =", "   0.6469·1.01 = 0.6534"]
    assert wrap(["step 3 of 3 (v1): X̄ += v̄1·1; b̄ += Σᵢ v̄1[i, :]"], 40) == [
        "step 3 of 3 (v1): X̄ += v̄1·1;", "   b̄ += Σᵢ v̄1[i, :]"]
    t = ad.trace("sum(tanh(X + b))", X=np.arange(1.0, 7.0).reshape(3, 2), b=np.array([0.1, 0.2]))
    lines = draw(t, t.reverse(), 3).caption
    assert not any(line.rstrip().endswith(("[0.1,", "b̄")) for line in lines), lines
    assert not any(line.lstrip().startswith(("=", "+=", "0.2]")) for line in lines), lines


def test_captions_break_a_word_longer_than_a_line_after_an_operator_not_inside_a_name():
    """A word longer than the caption's width (an expression written without spaces) used to be
    cut every 48 characters, wherever that fell: ``tanh(x1/x2`` above ``)*sqrt(x1)``."""
    from adviz.render.graph import wrap

    line = "sin(alpha1)*cos(beta2)+exp(alpha1*beta2)-log(alpha1+beta2)+1e-10*tanh(alpha1/beta2)**2"
    with_values = wrap([line + "  at  alpha1 = 2"], 48)
    assert all(len(part) <= 48 for part in with_values), with_values
    assert "".join(with_values).replace(" ", "") == (line + "  at  alpha1 = 2").replace(" ", "")  # nothing lost
    lines = wrap([line], 48)
    assert "".join(part.strip() for part in lines) == line and all(len(part) <= 48 for part in lines), lines
    for before, after in zip(lines, lines[1:]):  # every break falls after an operator, a comma or a bracket
        assert before.rstrip()[-1] in "+-−*/,(" and not before.rstrip().endswith(("**", "e-")), lines
        assert after.strip()[0] not in ")*", lines
    assert wrap(["x**2+y**2+z**2+w**2+x**3+y**3+z**3+w**3+x**4+y**4+z**4"], 48) == [
        "x**2+y**2+z**2+w**2+x**3+y**3+z**3+w**3+x**4+", "   y**4+z**4"]
    assert wrap(["a" * 70], 48) == ["a" * 45, "   " + "a" * 25]  # a name with no place to break: cut, last resort


# ---------------------------------------------------------------- big tapes


def _loop(x):
    for _ in range(330):
        x = np.sin(x) * 1.01 + 0.1
    return x


def test_big_loop_is_folded_and_says_so():
    t = ad.trace(_loop, 0.5)
    assert len(t.nodes) == 991
    sweep = t.reverse()
    d = draw(t, sweep, 500)
    assert len(d.nodes) <= 20
    assert "327 more repetitions of [sin, multiply, add]" in d.caption_text()
    folded = [n for n in d.nodes if any("more ×" in s for s in d.node_texts(n))]
    assert (
        len(folded) == 1 and d.fill(folded[0]) == style.REVERSE.active
    )  # step 500 is inside
    assert "folded 981 of 991 nodes" in folding_note(t)


def test_expand_draws_every_node():
    t = ad.trace(_loop, 0.5)
    source = build_graph(t, expand=True).source
    assert all(f"\tn{i} [" in source for i in range(len(t.nodes)))
    assert folding_note(t, expand=True) == ""


def test_a_folded_picture_offers_expand_only_where_it_would_be_drawn():
    """991 nodes can be drawn whole: the note and the caption say how. 1,651 cannot (over
    MAX_EXPANDED_NODES): telling the student to add --expand would only earn a refusal."""
    small = ad.trace(_loop, 0.5)
    assert folding_note(small).endswith("draw every node with expand=True (adviz graph --expand)")
    assert "expand=True / --expand draws all" in draw(small).caption_text()

    def longer(x):
        for _ in range(550):
            x = np.sin(x) * 1.01 + 0.1
        return x

    big = ad.trace(longer, 0.5)
    assert len(big.nodes) > MAX_EXPANDED_NODES
    with pytest.raises(TooBigToDraw):
        build_graph(big, expand=True)
    note, caption = folding_note(big), draw(big).caption_text()
    for text in (note, caption):
        assert "--expand draws" not in text and "draw every node with" not in text
        assert f"too big to draw every node: the limit is {MAX_EXPANDED_NODES:,} nodes" in text


def test_small_graphs_are_never_folded(two_paths):
    assert folding_note(two_paths) == ""


# ---------------------------------------------------------------- command line

runner = CliRunner()


def test_cli_default_writes_adviz_graph_svg(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["graph", "sin(x**2+1)", "--at", "x=3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "adviz-graph.svg"
    assert set(Drawing((tmp_path / "adviz-graph.svg").read_text()).nodes) == {
        "n0",
        "n1",
        "n2",
        "n3",
    }


def test_cli_reverse_step_png_and_dot(tmp_path):
    out = tmp_path / "step2.svg"
    result = runner.invoke(
        app,
        [
            "graph",
            "sin(x**2+1)",
            "--at",
            "x=3",
            "--mode",
            "reverse",
            "--step",
            "2",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "step 2 of 3 (v2): v̄1 += v̄2·1 = (−0.8391)·1 = −0.8391"
        in Drawing(out.read_text()).caption_text()
    )
    png = tmp_path / "g.png"
    assert (
        runner.invoke(
            app,
            [
                "graph",
                "x1*x2 + sin(x1)",
                "--at",
                "x1=2",
                "--at",
                "x2=5",
                "-m",
                "forward",
                "-o",
                str(png),
            ],
        ).exit_code
        == 0
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dot = tmp_path / "g.dot"
    assert (
        runner.invoke(app, ["graph", "sin(x)", "--at", "x=1", "-o", str(dot)]).exit_code
        == 0
    )
    assert dot.read_text().startswith("digraph adviz {")


def test_cli_verbose_names_the_backend(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(
        app,
        ["graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--verbose"],
    )
    assert result.exit_code == 0, result.output
    assert "rendered svg with wasm" in result.stderr


def test_cli_errors(tmp_path):
    bad_suffix = runner.invoke(
        app, ["graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "g.jpg")]
    )
    assert bad_suffix.exit_code == 2 and ".svg, .png, .pdf or .dot" in bad_suffix.stderr
    bad_step = runner.invoke(
        app,
        [
            "graph",
            "sin(x)",
            "--at",
            "x=1",
            "--step",
            "5",
            "-o",
            str(tmp_path / "g.svg"),
        ],
    )
    assert bad_step.exit_code == 2 and "--step: give a whole number from 0 to 1" in bad_step.stderr


# ---------------------------------------------------------------- arrows nothing crosses


def _dash(d: Drawing, edge: str) -> str | None:
    return d.edges[edge][0].find(f"{NS}path").get("stroke-dasharray")


def test_arrows_the_forward_sweep_passes_with_a_zero_tangent_are_dotted_not_grey():
    """Seeded on x1, forward mode skips x2's arrows (ẋ2 = 0) and v4 = sin(x2)'s arrow (v̇4 = 0).
    Grey means "not reached yet": at the end of the sweep nothing is still to come, so those arrows
    are drawn dotted in slate, labelled with why they carry nothing; before their consumer's step
    they are grey like every arrow still to come."""
    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    sweep = t.forward("x1")
    dot = "\u0307"
    # tape: n0 x1, n1 x2, n2 v1 = log(x1), n3 v2 = x1*x2, n4 v3, n5 v4 = sin(x2), n6 v5
    skipped = {"n1->n3": f"x{dot}2 = 0: nothing to carry", "n1->n5": f"x{dot}2 = 0: nothing to carry",
               "n5->n6": f"v{dot}4 = 0: nothing to carry"}
    end = draw(t, sweep)
    for edge, why in skipped.items():
        assert end.stroke(edge) == (style.IDLE.line, pytest.approx(style.IDLE.penwidth)), edge
        assert _dash(end, edge) == style.IDLE.dash
        assert end.edge_texts(edge)[-1] == why
    for edge in set(end.edges) - set(skipped):
        assert end.stroke(edge)[0] == style.FORWARD.strong and _dash(end, edge) is None, edge
    assert not [e for e in end.edges if end.stroke(e)[0] == style.PENDING.line]
    # step 1 (v1): nothing has passed x2's arrows yet; step 2 processes v2 = x1*x2: its x2 arrow turns idle
    one, two = draw(t, sweep, 1), draw(t, sweep, 2)
    assert one.stroke("n1->n3")[0] == style.PENDING.line and _dash(one, "n1->n3") is None
    assert [x for x in one.edge_texts("n1->n3") if x] == ["∂v2/∂x2 = x1 = 2"]
    assert two.stroke("n1->n3")[0] == style.IDLE.line and two.stroke("n1->n5")[0] == style.PENDING.line
    four = draw(t, sweep, 4)  # v4 = sin(x2): no operand carries a tangent
    assert four.stroke("n1->n5")[0] == style.IDLE.line and four.stroke("n5->n6")[0] == style.PENDING.line


def test_a_stopped_gradient_arrow_keeps_its_dashes_when_the_sweep_passes_it():
    def f(x):
        return x * ad.stop_gradient(x) + np.sin(x)

    t = ad.trace(f, 3.0)
    sweep = t.reverse()
    cut = next(e for e in draw(t, sweep, 0).edges if "gradient stopped" in " ".join(draw(t, sweep, 0).edge_texts(e)))
    before, after = _dash(draw(t, sweep, 0), cut), _dash(draw(t, sweep), cut)
    assert before and after == style.IDLE.dash  # dashed as laid out, dotted once passed
    assert draw(t, sweep).stroke(cut)[0] == style.IDLE.line


def test_a_step_with_no_term_says_why_in_the_picture_as_on_the_page():
    """Forward mode at v4 = sin(x2) with ẋ2 = 0 computes v̇4 = 0; the picture's caption said
    'nothing to propagate' (reverse mode's words) where the page says why.  Both now say it."""
    from adviz.render.html import step_caption

    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    sweep = t.forward("x1")
    k = next(i for i, s in enumerate(sweep.steps, 1) if not s.terms)
    line = draw(t, sweep, k).caption[2].replace("\xa0", " ")
    assert line == f"step {k} of 5 (v4): v\u03074 = 0 (no operand carries a tangent)"
    assert step_caption(t, sweep, k).endswith(": v\u03074 = 0 (no operand carries a tangent)")

    def f(x):
        return x * ad.stop_gradient(x)

    g = ad.trace(f, 3.0)
    back = g.reverse()
    k = next(i for i, s in enumerate(back.steps, 1) if not s.terms)
    assert draw(g, back, k).caption[2].replace("\xa0", " ").endswith(
        "(v1): nothing to propagate (no differentiable operand)")


def test_a_finished_reverse_sweep_leaves_no_box_grey():
    """cos(y) is computed but never used: no adjoint reaches it or y.  While the sweep runs their
    boxes are grey ("not reached yet", ȳ = ?); once it is finished they say ȳ = 0 and are tinted
    like every finished box (the input keeps its green outline), not left grey under 'result:'."""
    def h(x, y):
        np.cos(y)
        return np.sin(x) * 2

    t = ad.trace(h, 1.0, 2.0)  # n0 x, n1 y, n2 v1 = cos(y), n3 v2 = sin(x), n4 v3 = v2 * 2
    sweep = t.reverse()
    assert len(sweep.steps) == 2
    during, end, last = draw(t, sweep, 1), draw(t, sweep), draw(t, sweep, 2)
    for d in (end, last):
        assert d.fill("n1") == d.fill("n2") == style.REVERSE.light
        assert d.node_texts("n1")[-1] == "y\u0304 = 0" and d.node_texts("n2")[-1] == "v\u03041 = 0"
        outline = next(e for e in d.nodes["n1"].iter() if e.tag in (f"{NS}polygon", f"{NS}path"))
        assert outline.get("stroke") == style.INPUT.line
    assert during.fill("n1") == during.fill("n2") == style.PENDING.fill
    assert during.node_texts("n1")[-1] == "y\u0304 = ?"  # y and a combining bar, as the engine writes it
