"""The four widgets in a real JupyterLab 4, in headless Chromium, at a laptop's width.

One JupyterLab server and one notebook for the whole module (about a minute): the cells
build a SweepPlayer, a ModeComparison, a FiniteDifferenceExplorer whose ``h`` is set from
Python before it is shown, and a forward-mode Playground; then the checks look at what a
student sees: no horizontal scrollbars, readable text, nothing moving while stepping, state
set from Python surviving the trip to the browser.  ``jupyterlab_screens.py`` beside this
file takes screenshots of every widget at 1024, 1280 and 1920 px (run it by hand).
"""

from __future__ import annotations

import time

import pytest

import jupyterlab_harness as lab

pytestmark = pytest.mark.skipif(lab.available() is not None, reason=str(lab.available()))

CELLS = [
    "import numpy as np\nimport adviz as ad\n"
    "from adviz.render.widgets import FiniteDifferenceExplorer, ModeComparison, Playground, SweepPlayer\n"
    "t = ad.trace('log(x1)+x1*x2-sin(x2)', x1=2.0, x2=5.0)\nplayer = SweepPlayer(t, 'reverse')\nplayer",
    "m = ModeComparison('log(x1)+x1*x2-sin(x2)', 'x1=2, x2=5')\nm",
    "e = FiniteDifferenceExplorer(lambda x: np.sin(x**2 + 1), 3.0)\ne.h = 1e-10\ne",
    "Playground('x1*x2 + sin(x1)', 'x1=2, x2=5', mode='forward')",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    lab.notebook(root / "widgets.ipynb", CELLS)
    with lab.jupyterlab(root) as (base, token), lab.browser() as b:
        yield lab.open_and_run(b, base, token, "widgets.ipynb", 1280,
                               wait_for=".adviz-playground .adviz-view svg")


def test_no_widget_overflows_its_column(page):
    assert lab.overflowing_outputs(page) == []


def test_player_steps_in_the_browser_without_moving_anything(page):
    view = ".adviz-sweep-player .adviz-view"
    before = page.evaluate(lab.GEOMETRY_JS, view)
    nxt = page.locator(".adviz-sweep-player button", has_text="→").first
    for k in (1, 2, 3):
        nxt.click()
        page.wait_for_selector(f"{view}[data-step='{k}']", timeout=60_000)  # a guard against a hang only
        assert page.evaluate(lab.GEOMETRY_JS, view) == before
        current = page.locator(view).first.evaluate(
            "v => Array.from(v.querySelectorAll('tr.current td:nth-child(2)')).map(td => td.textContent)")
        assert current and all(label.split(".")[0] == str(k) for label in current)  # rows of step k: k or k.j
    assert page.locator(view + " .adviz-caption").first.inner_text().startswith("Step 3 of 5")
    page.locator(".adviz-sweep-player button", has_text="⇤").first.click()
    page.wait_for_selector(f"{view}[data-step='0']", timeout=60_000)  # a guard against a hang only
    for _ in range(4):  # quick clicks, as an impatient student makes them: none is lost
        nxt.click()
    page.wait_for_selector(f"{view}[data-step='4']", timeout=60_000)   # waits for the state, not a fixed time
    page.wait_for_timeout(500)
    assert page.locator(view).first.get_attribute("data-step") == "4"   # and it stays there


def test_mode_comparison_text_is_readable(page):
    assert lab.smallest_text_px(page, ".adviz-mode-comparison") >= 9


def test_values_set_from_python_survive_the_browser(page):
    labels = page.evaluate("Array.from(document.querySelectorAll('.adviz-marked-plot text.h-label'))"
                           ".map(t => t.textContent)")
    assert labels == ["h = 1.0e-10"]
    time.sleep(0.5)
    seeds = page.evaluate("Array.from(document.querySelectorAll('.adviz-playground select'))"
                          ".filter(s => Array.from(s.options).some(o => o.textContent === 'x2')).map(s => s.value)")
    assert seeds == ["x1"]  # the forward sweep is seeded on x1, and the box says so
