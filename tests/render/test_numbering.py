"""One step numbering in every view: ``adviz trace --json``, the terminal table, the graph's
``--step``, the HTML page and the Jupyter player.

A *step* is one node's turn in the sweep; a step with several chain-rule terms numbers
them ``k.1, k.2``.  For each expression the tests read the numbering off each view and
check that the step count and the k-th step's updates agree everywhere.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

import adviz as ad
from adviz.cli import app
from adviz.render import table as tables
from adviz.render.html import step_caption, sweep_html, sweep_table_html
from adviz.render.widgets import SweepPlayer

CASES = [
    ("sin(x**2+1)", {"x": 3.0}),
    ("log(x1)+x1*x2-sin(x2)", {"x1": 2.0, "x2": 5.0}),
    ("x1*x2 + sin(x1)", {"x1": 2.0, "x2": 5.0}),
    ("exp(a*b) / (a + b*b)", {"a": 0.5, "b": 1.5}),
]


def _json(expr: str, at: dict) -> dict:
    args = ["trace", expr, "--json"]
    for k, v in at.items():
        args += ["--at", f"{k}={v}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("expr, at", CASES)
def test_json_html_widget_and_table_number_steps_alike(expr, at):
    t = ad.trace(expr, **at)
    sweep = t.reverse()
    data = _json(expr, at)["reverse"][0]
    n = len(data["steps"])
    assert [s["step"] for s in data["steps"]] == list(range(1, n + 1))
    labels = [term["label"] for s in data["steps"] for term in s["terms"]]
    assert labels == [sweep.step_label(k, j) for k, j, _ in sweep.numbered_terms()]

    page = sweep_html(t)
    page_data = json.loads(re.search(r'id="adviz-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert len(page_data["captions"]) - 1 == len(page_data["graph"]["changes"]) - 1 == n
    assert re.search(rf'<input id="slider" type="range" min="0" max="{n}"', page)

    player = SweepPlayer(t, mode="reverse")
    assert player.n_steps == n and player._slider.max == n and len(player.view.captions) == n + 1

    table_html = sweep_table_html(t, sweep)
    html_labels = re.findall(r'<tr data-step="\d+" class="[a-z]+"><td></td><td class="num">([\d.]+)</td>', table_html)
    assert html_labels[1:] == labels  # row 0 is the seed

    console = Console(file=io.StringIO(), width=160)
    console.print(tables.reverse_table(sweep))
    terminal = [line.split()[0] for line in console.file.getvalue().splitlines()
                if line.strip() and re.match(r"\s*\d+(\.\d+)?\s", line)]
    assert terminal[1:] == labels

    for k, step in enumerate(data["steps"], start=1):  # the k-th step says the same updates everywhere
        caption = step_caption(t, sweep, k)
        assert caption.startswith(f"Step {k} of {n} — ")
        assert player.view.captions[k] == page_data["captions"][k] == caption
        for term in step["terms"]:
            assert term["update"] in caption
            if len(step["terms"]) > 1:
                assert f"({term['label']}) {term['update']}" in caption


def test_graph_step_accepts_a_step_or_a_term(tmp_path):
    run = CliRunner().invoke
    out = tmp_path / "g.svg"
    base = ["graph", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "-o", str(out)]
    assert run(app, [*base, "--step", "3.1"]).exit_code == 0
    svg = out.read_text()
    assert "step 3.1 of 3 (v1): x̄1 += v̄1·x2" in svg and "x̄2 +=" not in svg.split("step 3.1")[1].split("</text>")[0]
    assert run(app, [*base, "--step", "3.2"]).exit_code == 0
    assert "step 3 of 3 (v1)" in out.read_text()  # the last term completes the step
    bad = run(app, [*base, "--step", "2.2"])
    assert bad.exit_code == 2 and "step 2 has one chain-rule term: give 2" in bad.stderr


def test_json_numbers_steps_one_way_in_trace_and_graph(tmp_path):
    """``"step"`` is a JSON number everywhere (the node's turn), ``"term"`` the chain-rule term
    within it (a number, or null for the whole step), ``"label"`` how the views print it."""
    data = _json("x1*x2 + sin(x1)", {"x1": 2.0, "x2": 5.0})["reverse"][0]
    terms = [(t["step"], t["term"], t["label"]) for s in data["steps"] for t in s["terms"]]
    assert terms == [(1, 1, "1.1"), (1, 2, "1.2"), (2, 1, "2"), (3, 1, "3.1"), (3, 2, "3.2")]
    assert all(t["step"] == s["step"] for s in data["steps"] for t in s["terms"])
    base = ["graph", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "-o", str(tmp_path / "g.svg"), "--json"]
    seen = {}
    for given in ("0", "2", "3.1", "3.2", "1.2"):
        result = CliRunner().invoke(app, [*base, "--step", given])
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        seen[given] = (out["step"], out["term"], out["label"])
    assert seen == {"0": (0, None, "0"), "2": (2, None, "2"), "3.1": (3, 1, "3.1"),
                    "3.2": (3, None, "3"), "1.2": (1, None, "1")}
    result = CliRunner().invoke(app, base)
    assert result.exit_code == 0 and json.loads(result.stdout)["step"] is None


def test_position_reads_steps_and_terms():
    s = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0).reverse()
    assert [s.position(x) for x in (0, 1, "1.1", "1.2", 2, "2", "2.1", "3.1", (3, 2))] == [
        (0, 0), (1, 0), (0, 1), (1, 0), (2, 0), (2, 0), (2, 0), (2, 1), (3, 0)]
    for bad in (4, -1, "1.3", "0.1", "x", 1.5, True):
        with pytest.raises(ValueError):
            s.position(bad)


def test_demo_screens_are_numbered_like_every_view():
    result = CliRunner().invoke(app, ["demo", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--auto", "0"])
    assert result.exit_code == 0, result.output
    reverse = re.findall(r"· reverse step ([\d.]+) of 3 ·", result.output)
    assert reverse == ["1.1", "1.2", "2", "3.1", "3.2"]


def _issue_examples():
    import numpy as np

    def two_layer_loss(W1, b1, W2, x, y):
        hidden = np.tanh(W1 @ x + b1)
        return np.sum((W2 @ hidden - y) ** 2) / 2

    def loop(x):
        for _ in range(30):
            x = np.sin(x) * 1.01 + 0.1
        return x

    rng = np.random.default_rng(0)
    return {"sin": ad.trace("sin(x**2+1)", x=3.0), "two-inputs": ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0),
            "network": ad.trace(two_layer_loss, rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(1, 3)),
                                np.array([0.5, -1.0]), np.array([0.25])),
            "loop": ad.trace(loop, 0.5)}


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name", ["sin", "two-inputs", "network", "loop"])
def test_issue_examples_are_numbered_alike_in_json_page_widget_and_captions(name, mode):
    """Issue 11's four examples, both sweeps: the JSON of ``adviz trace --json`` (same builder),
    the page's frames, captions and table rows, and the player count the same steps and terms."""
    import numpy as np

    from adviz.cli.output import sweep_json

    t = _issue_examples()[name]
    seed = {t.inputs[0].name: np.ones_like(t.inputs[0].value)} if mode == "forward" else None
    sweep = t.forward(seed) if mode == "forward" else t.reverse()
    data = sweep_json(sweep, t)
    n = len(sweep.steps)
    assert [s["step"] for s in data["steps"]] == list(range(1, n + 1))
    labels = [term["label"] for s in data["steps"] for term in s["terms"]]
    assert labels == [sweep.step_label(k, j) for k, j, _ in sweep.numbered_terms()]
    page = sweep_html(t, sweep=sweep)
    page_data = json.loads(re.search(r'id="adviz-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert len(page_data["captions"]) == len(page_data["graph"]["changes"]) == n + 1
    player = SweepPlayer(t, sweep=sweep)
    assert player.n_steps == n and player._slider.max == n
    assert player.view.captions == page_data["captions"] == [step_caption(t, sweep, k) for k in range(n + 1)]
    rows = re.findall(r'<tr data-step="(\d+)" class="[a-z]+"><td></td><td class="num">([\d.]+)</td>',
                      sweep_table_html(t, sweep))
    rows_expected = [label for s in data["steps"] for label in ([t["label"] for t in s["terms"]] or [str(s["step"])])]
    assert [label for _, label in rows[1:]] == rows_expected  # row 0 is the seed; a step without terms: one row
    assert all(label.split(".")[0] == k for k, label in rows[1:])  # row k.j belongs to step k
    for k in range(1, n + 1):
        assert page_data["captions"][k].startswith(f"Step {k} of {n} — ")
