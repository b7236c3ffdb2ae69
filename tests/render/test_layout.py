"""Tests for adviz.render.layout: one layout per sweep, every step only repainted.

The promise a student relies on is that nothing moves while a sweep plays.  So the tests
compare the *geometry* of the pictures (every coordinate attribute of the SVG: polygon
points, path data, text positions) across all steps, for forward and reverse sweeps of
expressions and of traced NumPy functions, and check that what changes per step is only
paint and text.  Text widths are measured with the DejaVu Sans font that ships with
matplotlib, the first font the pictures ask for.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import adviz as ad
from adviz.render import style
from adviz.render.graph import to_svg, write_graph
from adviz.render.html import sweep_html
from adviz.render.layout import SweepLayout

NS = "{http://www.w3.org/2000/svg}"
GEOMETRY = ("points", "d", "x", "y", "width", "height", "viewBox", "transform")


def two_layer_loss(W1, b1, W2, x, y):
    hidden = np.tanh(W1 @ x + b1)
    return np.sum((W2 @ hidden - y) ** 2) / 2


def loop(x):
    for _ in range(30):
        x = np.sin(x) * 1.01 + 0.1
    return x


def _examples():
    rng = np.random.default_rng(0)
    return {
        "sin": ad.trace("sin(x**2+1)", x=3.0),
        "two-inputs": ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0),
        "network": ad.trace(two_layer_loss, rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(1, 3)),
                            np.array([0.5, -1.0]), np.array([0.25])),
        "loop": ad.trace(loop, 0.5),
    }


EXAMPLES = _examples()


def _sweep(t, mode):
    if mode == "reverse":
        return t.reverse()
    return t.forward({t.inputs[0].name: np.ones_like(t.inputs[0].value)})


def geometry(svg: str) -> list[tuple]:
    """Every coordinate in the picture, in document order (what must not change)."""
    root = ET.fromstring(svg)
    out = []
    for element in root.iter():
        out.append((element.tag, tuple((k, element.get(k)) for k in GEOMETRY if element.get(k) is not None)))
    return out


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_step_has_the_same_geometry(name, mode):
    t = EXAMPLES[name]
    sweep = _sweep(t, mode)
    layout = SweepLayout(t, sweep)
    first = geometry(layout.svg(0))
    steps = [*range(len(sweep.steps) + 1), None]
    steps += [f"{k}.{j}" for k, j, _ in sweep.numbered_terms()]
    for k in steps:
        assert geometry(layout.svg(k)) == first, (name, mode, k)
    # and the per-step pictures differ in what they should: paint and text
    assert layout.svg(0) != layout.svg(len(sweep.steps))


def test_separate_pictures_of_steps_line_up_like_slides():
    t = EXAMPLES["two-inputs"]
    sweep = t.reverse()
    pictures = [to_svg(t, sweep, k) for k in range(len(sweep.steps) + 1)]
    assert all(geometry(p) == geometry(pictures[0]) for p in pictures)


def test_changes_per_step_carry_no_coordinates():
    t = EXAMPLES["network"]
    data = SweepLayout(t, t.reverse()).player_data()
    text = json.dumps(data["changes"])
    assert "points" not in text and "translate" not in text
    for delta in data["changes"]:
        for element_id, paint, texts in delta:
            assert paint in data["paints"] and (texts is None or all(isinstance(s, str) for s in texts))


def test_html_page_of_a_63_node_sweep_is_small():
    """Issue 11: inlining an SVG per frame made a 63-node sweep 3.6 MB; one SVG + changes is far less."""
    def scalar_net(w1, w2, w3, x):
        total = 0.0
        for i in range(10):
            total = total + np.tanh(w1 * x * i + w2) * w3
        return total * total

    t = ad.trace(scalar_net, 0.3, -0.2, 0.7, 1.5)
    assert len(t.nodes) >= 60
    page = sweep_html(t, expand=True)
    assert len(page.encode()) < 3.6e6 / 5
    assert page.count("<svg") == 1


# ---------------------------------------------------------------- fonts and boxes


@pytest.fixture(scope="module")
def dejavu():
    import matplotlib
    from matplotlib.ft2font import FT2Font

    font = FT2Font(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"))

    def width(text: str, size: float) -> float:
        font.set_size(size, 72)
        font.set_text(text)
        return font.get_width_height()[0] / 64

    return width


def _box_extent(g: ET.Element) -> tuple[float, float]:
    shape = next(e for e in g.iter() if e.tag in (f"{NS}polygon", f"{NS}path"))
    raw = shape.get("points") or shape.get("d")
    xs = [float(x) for x, _ in re.findall(r"(-?[\d.]+),(-?[\d.]+)", raw)]
    return min(xs), max(xs)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_labels_fit_their_boxes_in_dejavu_sans(name, dejavu):
    t = EXAMPLES[name]
    sweep = t.reverse()
    svg = SweepLayout(t, sweep)
    for k in range(len(sweep.steps) + 1):
        root = ET.fromstring(svg.svg(k))
        for g in root.iter(f"{NS}g"):
            if "node" not in (g.get("class") or "").split():
                continue
            left, right = _box_extent(g)
            for text in g.iter(f"{NS}text"):
                assert text.get("font-family").startswith("'DejaVu Sans'")
                w = dejavu(text.text or "", float(text.get("font-size")))
                x = float(text.get("x"))
                assert text.get("text-anchor") == "middle"
                assert left <= x - w / 2 and x + w / 2 <= right, (name, k, text.text)


def test_png_is_drawn_with_the_shipped_fonts(tmp_path):
    t = EXAMPLES["two-inputs"]
    path = write_graph(t, tmp_path / "g.png", t.reverse(), 2)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    layout = SweepLayout(t, t.reverse())
    assert width == pytest.approx(layout.width_pt * 192 / 72, abs=2)  # 192 dpi, the graph's own width
    assert height > layout.height_pt * 192 / 72  # plus the caption


def test_font_stack_names_a_font_matplotlib_ships():
    import matplotlib

    assert style.FONT_STACK.split(",")[0].strip("'") == "DejaVu Sans"
    assert os.path.exists(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"))


# ---------------------------------------------------------------- legible at any size


def test_a_long_expression_is_shortened_in_the_caption():
    source = "+".join(["sin(x)"] * 700)
    t = ad.trace(source, x=1.0)
    svg = to_svg(t)
    root = ET.fromstring(svg)
    captions = [e.text or "" for e in root.iter(f"{NS}text") if e.get("class") == "caption"]
    caption = "\n".join(captions).replace("\n   ", " ")  # wrapped lines continue indented
    assert caption.startswith("sin(x)+sin(x)") and f"({len(source):,} characters)" in caption.splitlines()[0]
    width = float(root.get("width").rstrip("pt"))
    assert width < 3000  # the picture is as wide as the (folded) graph, not as the text


def test_a_traced_function_is_titled_by_its_call():
    t = EXAMPLES["network"]
    assert t.title == "two_layer_loss(W1, b1, W2, x, y)"
    root = ET.fromstring(to_svg(t))
    first = next(e.text for e in root.iter(f"{NS}text") if e.get("class") == "caption")
    assert first.startswith("two_layer_loss(W1, b1, W2, x, y)  at  W1: (3, 2)")


def test_a_partial_is_titled_by_the_function_it_wraps():
    """functools.partial(loss, y=…) is how course code fixes the data: the title names loss,
    with the arguments the partial still takes, not the class "partial"."""
    import functools

    def loss(w, x, y):
        return np.sum((w * x - y) ** 2)

    t = ad.trace(functools.partial(loss, y=np.array([1.0, 2.0])), 0.5, np.array([1.0, 3.0]))
    assert t.title == "loss(w, x)"
    nested = functools.partial(functools.partial(loss, y=1.0), x=2.0)
    assert ad.trace(nested, 0.5).title == "loss(w)"


# ---------------------------------------------------------------- big tapes


def _chain(n):
    def f(x):
        for _ in range(n // 3):
            x = np.sin(x) * 1.01 + 0.1
        return x
    return f


def test_expand_beyond_the_limit_is_refused_with_the_limit_named():
    from adviz.render.graph import MAX_EXPANDED_NODES, TooBigToDraw

    t = ad.trace(_chain(MAX_EXPANDED_NODES + 30), 0.5)
    with pytest.raises(TooBigToDraw, match=f"limited to {MAX_EXPANDED_NODES:,}"):
        to_svg(t, expand=True)
    assert "folded" in to_svg(t)  # without expand it draws, folded


def _scalar_network(width, layers):
    """A network written with scalars: every neuron multiplies every value of the layer before."""
    def f(*xs):
        h, rng = list(xs), np.random.default_rng(0)
        for _ in range(layers):
            h = [np.tanh(sum(float(rng.normal()) * v for v in h)) for _ in range(width)]
        return sum(h)
    return f


def _many_uses_of_x(terms):
    return "x*y + " + " + ".join(f"sin(x*{i})" for i in range(1, terms + 1))


def test_layout_cost_counts_what_graphviz_lays_out():
    """Nodes and arrows, plus the bends of arrows that skip ranks (a sum of n terms that each
    use x: about n²/2 of them) and the crossings of dense layers; a chain costs its boxes and arrows."""
    from adviz.render.scene import layout_cost

    chain = ad.trace(_chain(600), 0.5)
    assert len(chain.nodes) * 2 - 1 <= layout_cost(chain) <= len(chain.nodes) * 2 + 50
    costs = [layout_cost(ad.trace(_many_uses_of_x(n), x=0.5, y=0.3)) for n in (40, 80, 160)]
    assert costs[1] > 3 * costs[0] and costs[2] > 3 * costs[1]  # quadratic, not linear, in the terms
    small, dense = ad.trace(_scalar_network(8, 4), *np.linspace(0.1, 0.8, 8)), \
        ad.trace(_scalar_network(12, 4), *np.linspace(0.1, 0.8, 12))
    assert layout_cost(dense) > 2 * len(dense.nodes) + layout_cost(small)


def test_expand_is_refused_by_layout_cost_below_the_node_limit(tmp_path):
    """Issue 11: --expand beyond what Graphviz draws in seconds is refused, naming the limit, even
    with fewer nodes than MAX_EXPANDED_NODES (a 1,224-node scalar network took 8-15 s here, a
    453-node sum that reuses x 13 s); a 1,200-node chain (2 s) still draws."""
    from typer.testing import CliRunner

    from adviz.cli import app
    from adviz.render.graph import MAX_EXPANDED_NODES, TooBigToDraw
    from adviz.render.scene import MAX_LAYOUT_COST, layout_cost

    dense = ad.trace(_scalar_network(12, 4), *np.linspace(0.1, 0.8, 12))
    assert len(dense.nodes) < MAX_EXPANDED_NODES and layout_cost(dense) > MAX_LAYOUT_COST
    with pytest.raises(TooBigToDraw, match=f"limited to a layout cost of {MAX_LAYOUT_COST:,}"):
        to_svg(dense, expand=True)
    with pytest.raises(TooBigToDraw):
        SweepLayout(dense, dense.reverse(), expand=True)
    assert "folded" in to_svg(dense)
    result = CliRunner().invoke(app, ["graph", _many_uses_of_x(150), "--at", "x=0.5", "--at", "y=0.3",
                                      "--expand", "-o", str(tmp_path / "g.svg")])
    assert result.exit_code != 0 and "Traceback" not in result.output and not (tmp_path / "g.svg").exists()
    assert f"limited to a layout cost of {MAX_LAYOUT_COST:,}" in " ".join(result.output.split())
    chain = ad.trace(_chain(1200), 0.5)
    assert layout_cost(chain) < MAX_LAYOUT_COST / 2 and "n1199" in to_svg(chain, expand=True)


def test_a_sweep_of_a_1000_node_tape_is_laid_out_once_in_linear_work():
    """Steps are computed from the step before (only what a step touches), so the scenes of a
    1,000-step sweep cost about as much as 1,000 small updates, not a million (no timing here:
    the count of looks computed is the measure)."""
    from adviz.render import scene as graph

    t = ad.trace(_chain(999), 0.5)
    calls = []
    original = graph._node_look
    try:
        graph._node_look = lambda node, p: calls.append(1) or original(node, p)
        layout = SweepLayout(t, t.reverse(), expand=True)
    finally:
        graph._node_look = original
    assert len(t.nodes) == 1000 and len(calls) < 20 * len(t.nodes)
    assert geometry(layout.svg(3)) == geometry(layout.svg(900))


def test_the_call_titles_the_page_and_the_tape_table():
    import io

    from rich.console import Console

    from adviz.render import table as tables

    t = EXAMPLES["network"]
    page = sweep_html(t)
    assert "<h1>Reverse mode: two_layer_loss(W1, b1, W2, x, y) at W1 = (3, 2)" in page
    console = Console(file=io.StringIO(), width=120)
    console.print(tables.tape_table(t))
    assert console.file.getvalue().startswith("Tape of two_layer_loss(W1, b1, W2, x, y) (Wengert list)")


def test_titles_list_whole_input_values_and_say_how_many_they_leave_out():
    """Past about 100 characters the inputs' values used to be cut wherever that fell, leaving
    ``x = [0… (122 characters)``: a value that reads as broken, and a count of characters of
    the list instead of what was left out.  Whole items now, then ``… (2 more inputs)``."""
    from adviz.render.graph import _title, input_values
    from adviz.render.html import _page_title

    rng = np.random.default_rng(1)
    t = ad.trace(lambda W1, b1, W2, x, y: np.sum((W2 @ np.tanh(W1 @ x + b1) - y) ** 2),
                 rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(1, 4)),
                 np.array([0.5, -1.0, 2.0]), np.array([0.25]))
    values = input_values(t)
    assert values.endswith(", W2 = (1, 4) [−0.7819 … 0.03972], … (2 more inputs)"), values
    assert _page_title(t, t.reverse()).endswith(values)
    many = ad.trace("+".join(f"x{i}" for i in range(40)), **{f"x{i}": float(i) for i in range(40)})
    title = _title(many)
    assert title.endswith("x11 = 11, … (28 more inputs)") and title.count("characters)") == 1, title  # the expression's
    assert input_values(ad.trace("x1*x2", x1=2.0, x2=5.0)) == "x1 = 2, x2 = 5"


def _svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_a_node_no_seeded_input_reaches_shows_its_zero_tangent_from_its_own_step():
    """Forward mode knows a tangent at the node's own step, even one no seeded input reaches
    (sin(x2) with ẋ1 = 1): its box says 0 from that step on, never '?' until the last frame,
    and the caption's '? = a later step gives this tangent' appears only while some box shows '?'."""
    t = ad.trace("x1*x2 + sin(x2)", x1=2.0, x2=5.0)
    sweep = t.forward({"x1": 1.0})
    layout = SweepLayout(t, sweep)
    own_step = {t.nodes[s.node].name: s.index + 1 for s in sweep.steps}
    assert not sweep.steps[own_step["v2"] - 1].terms          # no term: nothing reaches sin(x2)
    for k in range(len(sweep.steps) + 1):
        texts = _svg_texts(layout.svg(k))
        for name, step in own_step.items():
            tangent = next(x for x in texts if x.startswith(f"v̇{name[1:]} = "))
            assert (tangent.endswith("= ?")) == (k < step), (k, tangent)
        assert ("v̇2 = 0" in texts) == (k >= own_step["v2"])
        note = any("a later step gives this tangent" in x for x in texts)
        assert note == any(x.endswith("= ?") for x in texts), (k, texts)
    # the page's player repaints that box at its own step, with the 0
    changes = layout.player_data()["changes"][own_step["v2"]]
    assert any(texts and "v̇2 = 0" in texts for _, _, texts in changes)


def _input_boxes(svg: str) -> dict[str, tuple[float, float]]:
    """Each input box's width and where its header's dividing line sits (from its left edge)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{NS}g"):
        classes = (g.get("class") or "").split()
        if "node" not in classes or "input" not in classes:
            continue
        left, right = _box_extent(g)
        dividers = [float(x) for line in g.iter(f"{NS}polyline")
                    for x, _ in [re.findall(r"(-?[\d.]+),(-?[\d.]+)", line.get("points"))[0]]
                    if len({p[0] for p in re.findall(r"(-?[\d.]+),(-?[\d.]+)", line.get("points"))}) == 1]
        out[g.get("data-el")] = (round(right - left, 1), round(dividers[0] - left, 1))
    return out


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name", ["two-inputs", "network"])
def test_input_boxes_look_alike(name, mode):
    """Boxes of one kind look alike: every input box has one width and its header the same
    cells, although x̄2 = −0.2837 + 2 = 1.716 is longer than x̄1's label (it made x2's box the
    wider one); still one layout for every step."""
    t = EXAMPLES[name]
    layout = SweepLayout(t, _sweep(t, mode))
    for k in (0, None):
        boxes = _input_boxes(layout.svg(k))
        assert len(boxes) == len(t.inputs) >= 2
        assert len(set(boxes.values())) == 1, boxes


def add_bias(X, b):
    return np.sum(np.tanh(X + b))


def _small_graphs():
    bias = ad.trace(add_bias, np.arange(6.0).reshape(3, 2) / 10, np.array([0.5, -0.25]))
    two = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    return [(ad.trace("exp(x)", x=1.0), "forward"), (ad.trace("x", x=3.0), "reverse"),
            (ad.trace("sin(x**2+1)", x=3.0), "reverse"), (two, "forward"), (two, "reverse"),
            (ad.trace("x*x*x + sin(x)*x", x=1.5), "reverse"), (bias, "reverse")]


@pytest.mark.parametrize("case", range(7))
def test_captions_of_small_graphs_are_a_few_unwrapped_lines_that_fit(case, dejavu):
    """A caption ran 5 to 9 lines on a small graph: every fact (title, mode and seed, the step,
    the result or what ? means) wrapped at 48 characters.  Now each is one line (only a result
    listing two arrays may take a second), at most four facts, every line fits the picture in
    DejaVu Sans, and a graph narrower than its caption is centred under it."""
    t, mode = _small_graphs()[case]
    sweep = _sweep(t, mode)
    layout = SweepLayout(t, sweep)
    for k in [*range(len(sweep.steps) + 1), None]:
        root = ET.fromstring(layout.svg(k))
        width = float(root.get("width").rstrip("pt"))
        captions = [e for e in root.iter(f"{NS}text") if e.get("class") == "caption"]
        lines = [(e.text or "").replace("\xa0", " ") for e in captions]
        facts = [line for line in lines if line.strip() and not line.startswith(" ")]
        assert 3 <= len(facts) <= 4, (k, lines)
        # no fact wraps, but a result naming two arrays' gradients (add_bias: X̄ and b̄), once
        wrapped = [before for before, line in zip(lines, lines[1:]) if line.startswith(" ")]
        assert all(w.startswith("result: ") for w in wrapped) and len(lines) <= 5, (k, lines)
        graph = root.find(f"{NS}g")
        tx = float(re.search(r"translate\(([-\d.]+) ", graph.get("transform")).group(1))
        for e, line in zip(captions, lines):
            left = tx + float(e.get("x"))
            assert left == pytest.approx(8, abs=0.5)
            assert left + dejavu(line, float(e.get("font-size"))) <= width - 4, (k, line)
        graph_width = layout.width_pt
        assert tx - 4 == pytest.approx((width - graph_width) / 2, abs=0.6)  # centred (0 when as wide)


def _texts_by_element(svg: str) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    return {g.get("data-el"): [t.text or "" for t in g.iter(f"{NS}text")]
            for g in root.iter(f"{NS}g") if g.get("data-el")}


def _classes_by_element(svg: str) -> dict[str, str]:
    return {g.get("data-el"): g.get("class") for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("data-el")}


def test_every_sweep_of_a_shared_layout_is_painted_with_its_own_numbers():
    """ModeComparison lays its forward sweeps (seed ẋ1, then ẋ2) out once.  The second sweep's
    picture was never painted: it showed the texts the layout was measured with (v̇3 = 0.5 + 5 = 5.5,
    from the first sweep) in grey at every step, its fonts shrunk to 10 pt.  Each sweep's picture,
    and the player's base picture plus its changes, now show that sweep's own step."""
    t = EXAMPLES["two-inputs"]
    sweeps = [t.forward("x1"), t.forward("x2")]
    first, second = SweepLayout.shared(t, sweeps)
    sizes = {e.get("font-size") for e in ET.fromstring(first.svg(0)).iter(f"{NS}text") if e.get("class") != "caption"}
    dot = "\u0307"
    end = _texts_by_element(second.svg(5, caption=False))
    assert end["n6"][-1] == f"v{dot}5 = 2 − 0.2837 = 1.716"  # by hand: ∂v5/∂x2 = x1 − cos(x2) = 2 − 0.2837
    assert end["n4"][-1] == f"v{dot}3 = 2" and end["n2"][-1] == f"v{dot}1 = 0"
    assert _texts_by_element(second.svg(0, caption=False))["n4"][-1] == f"v{dot}3 = ?"
    for layout in (first, second):
        assert {e.get("font-size") for e in ET.fromstring(layout.svg(2)).iter(f"{NS}text")
                if e.get("class") != "caption"} == sizes
        data = layout.player_data()
        texts = _texts_by_element(data["svg"])
        classes = _classes_by_element(data["svg"])
        for k in range(1, layout.steps + 1):
            for element_id, paint, new in data["changes"][k]:
                classes[element_id] = classes[element_id].split()[0] + " " + paint.replace("/", " ")
                if new is not None:
                    texts[element_id] = list(new)
            assert texts == _texts_by_element(layout.svg(k, caption=False)), k
            assert classes == _classes_by_element(layout.svg(k, caption=False)), k


def _box_widths(svg: str, kinds: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for g in ET.fromstring(svg).iter(f"{NS}g"):
        classes = (g.get("class") or "").split()
        if "node" in classes and any(k in classes for k in kinds):
            left, right = _box_extent(g)
            out[g.get("data-el")] = round(right - left, 1)
    return out


def test_a_top_to_bottom_column_of_similar_boxes_has_one_width():
    """The 30-iteration loop runs top to bottom: its boxes (v1 = sin(x), v2 = v1 * 1.01, …, the
    output) were each sized for their own label, a ragged column.  Boxes of similar width now share
    one; a box whose label is much longer than the others' (add_bias's v1 = X + b with
    v̄1 = (3, 2) [0.4869 … 0.9975], against v3 = sum(v2)) keeps its own, the picture no wider."""
    t = EXAMPLES["loop"]
    layout = SweepLayout(t, t.reverse())
    assert layout.structure.rankdir == "TB"
    widths = _box_widths(layout.svg(5), ("intermediate", "output"))
    assert len(widths) >= 7 and len(set(widths.values())) == 1, widths
    bias = ad.trace(add_bias, np.arange(6.0).reshape(3, 2) / 10, np.array([0.5, -0.25]))
    wide = SweepLayout(bias, bias.reverse())
    assert wide.structure.rankdir == "TB"
    assert len(set(_box_widths(wide.svg(0), ("intermediate", "output")).values())) == 3


def _widths_by_rank(svg: str) -> dict[float, list[float]]:
    """The widths of the intermediate and output boxes of a left-to-right picture, by rank (the
    x of their centres: Graphviz centres a rank's boxes on one vertical line)."""
    ranks: dict[float, list[float]] = {}
    for g in ET.fromstring(svg).iter(f"{NS}g"):
        classes = (g.get("class") or "").split()
        if "node" in classes and ("intermediate" in classes or "output" in classes):
            left, right = _box_extent(g)
            ranks.setdefault(round((left + right) / 2), []).append(round(right - left, 1))
    return ranks


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_a_left_to_right_rank_of_similar_boxes_has_one_width(mode, monkeypatch):
    """Left to right, the boxes of a rank stand in one column: tanh(v3) and cos(x2) were 104 and
    132 pt wide, one above the other.  Similar boxes of a rank now share one width, and the
    picture is no larger than it was with ragged ranks (a rank is as wide as its widest box)."""
    import adviz.render.layout as layout_module

    t = ad.trace("x1*x2*x3 + tanh(x1 - x3)*cos(x2)", x1=0.5, x2=1.5, x3=2.5)
    sweep = _sweep(t, mode)
    layout = SweepLayout(t, sweep, rankdir="LR")
    shared = [w for w in _widths_by_rank(layout.svg(0)).values() if len(w) > 1]
    assert len(shared) >= 2 and all(max(w) - min(w) <= 0.2 for w in shared), shared
    monkeypatch.setattr(layout_module, "RANK_ALIKE_BOXES", 0)
    ragged = SweepLayout(t, sweep, rankdir="LR")
    assert any(max(w) - min(w) > 10 for w in _widths_by_rank(ragged.svg(0)).values())  # the test can fail
    assert layout.width_pt <= ragged.width_pt + 0.5 and layout.height_pt <= ragged.height_pt + 0.5


def test_a_picture_turned_top_to_bottom_for_width_gets_its_columns_alike():
    """A graph laid out left to right, found too wide and turned top to bottom, was measured for
    left to right: its column of boxes kept ragged widths (v1 = x**2 narrower than v4 = exp(x))."""
    t = ad.trace("sin(x**2+1)*exp(x)/(1+x**2)", x=0.5)
    layout = SweepLayout(t, t.reverse())
    assert layout.structure.rankdir == "TB"
    widths = _box_widths(layout.svg(0), ("intermediate", "output"))
    assert len(widths) == 8 and max(widths.values()) - min(widths.values()) <= 0.2, widths


def _nested_loop(iterations: int) -> str:
    e = "x"
    for _ in range(iterations):
        e = f"sin({e})*1.01+0.1"
    return e


@pytest.fixture(scope="module")
def expanded_loop():
    """16 iterations of x = sin(x)*1.01 + 0.1 written out: 48 operations, drawn with expand=True."""
    t = ad.trace(_nested_loop(16), x=0.5)
    return t, t.reverse(), SweepLayout(t, t.reverse(), expand=True)


def test_an_expanded_long_chain_wraps_into_columns_with_its_labels(expanded_loop, dejavu):
    """An expanded 48-node loop was one column about 7,800 px tall (15,600 in the PNG) with no
    arrow labels (dropped above 30 boxes).  It now wraps into side-by-side columns that fit a
    1600 px slide, a snake (the arrow on to the next column is one row down or up, and drawn:
    Graphviz leaves out an arrow between two record boxes of one row), its arrows labelled,
    every label inside its box, one geometry for every step."""
    from adviz.render.layout import TALL_PX, WIDE_PX

    t, sweep, layout = expanded_loop
    assert layout.structure.rankdir == "TB" and layout.structure.wrap > 0
    width, height = layout.size_px
    assert width <= WIDE_PX and height < TALL_PX * 2, (width, height)
    root = ET.fromstring(layout.svg(0))
    arrows = [g for g in root.iter(f"{NS}g") if (g.get("data-el") or "").startswith("e")]
    assert len(arrows) == 48 and all(g.find(f".//{NS}path") is not None for g in arrows)
    labels = [t.text for g in arrows for t in g.iter(f"{NS}text")]
    assert "∂v17/∂v16 = 1.01" in labels and len(labels) == 2 * 48
    centres = {round(sum(_box_extent(g)) / 2) for g in root.iter(f"{NS}g")
               if "node" in (g.get("class") or "").split()}
    assert len(centres) >= 3  # columns side by side (one column: a handful of centres at most)
    first = geometry(layout.svg(0))
    for k in (1, 17, 33, len(sweep.steps), None):
        assert geometry(layout.svg(k)) == first, k
        for g in ET.fromstring(layout.svg(k)).iter(f"{NS}g"):
            if "node" not in (g.get("class") or "").split():
                continue
            left, right = _box_extent(g)
            for text in g.iter(f"{NS}text"):
                w = dejavu(text.text or "", float(text.get("font-size")))
                assert left <= float(text.get("x")) - w / 2 and float(text.get("x")) + w / 2 <= right, text.text


def test_wrapped_places_run_as_a_snake_and_refuse_arrows_within_a_row():
    from adviz.render.scene import structure, wrapped_places, wraps_cleanly

    t = ad.trace(_nested_loop(4), x=0.5)  # x, v1 … v12: depths 0 … 12
    s = structure(t, expand=True)
    places = wrapped_places(s, 5)
    assert [places[f"n{i}"] for i in range(13)] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (0, 4),     # down
        (1, 5), (1, 4), (1, 3), (1, 2), (1, 1),     # back up, starting one row lower
        (2, 0), (2, 1), (2, 2)]                     # down again, starting one row higher
    assert wraps_cleanly(s, 5)
    reused = structure(ad.trace("x*" + "sin(" * 9 + "x" + ")" * 9, x=0.5), expand=True)  # x feeds depth 1 and 10
    assert wrapped_places(reused, 5)["n10"] == (2, 0) and not wraps_cleanly(reused, 5)  # x at (0, 0): one row
