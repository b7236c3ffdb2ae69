"""Re-render the README's graph pictures (docs/images/graph-*.svg) with this checkout's adviz.

Run from the repository root after changing how graphs look:

    python docs/images/make_graphs.py

The screenshot of the quiz page (docs/images/quiz-wrong-answer.png) needs a browser:
Playwright (in the ``test`` extras) driving Chromium (``chromium`` on the PATH, else
Playwright's own).  Retake it after changing the quiz page or the player:

    python docs/images/make_graphs.py quiz
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

import adviz as ad
from adviz.render.graph import write_graph

HERE = Path(__file__).resolve().parent


def add_bias(X, b):
    return np.sum(np.tanh(X + b))


def loop(x):
    for _ in range(30):
        x = np.sin(x) * 1.01 + 0.1
    return x


def main() -> None:
    sin = ad.trace("sin(x**2+1)", x=3.0)
    write_graph(sin, HERE / "graph-reverse-step2.svg", sin.reverse(), step=2)
    two = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    write_graph(two, HERE / "graph-two-paths.svg", two.reverse())
    bias = ad.trace(add_bias, np.arange(6.0).reshape(3, 2) / 10, np.array([0.5, -0.25]))
    write_graph(bias, HERE / "graph-broadcast-sum.svg", bias.reverse(), step=3)
    looped = ad.trace(loop, 0.5)
    write_graph(looped, HERE / "graph-loop-folded.svg", looped.reverse(), step=5)


def quiz_screenshot(path: Path = HERE / "quiz-wrong-answer.png") -> None:
    """The README's quiz example (``adviz graph "log(x1)+x1*x2-sin(x2)" --at x1=2 --at x2=5
    --mode reverse --animate --quiz``) after two right answers (1, −1) and a typical slip at
    question 3: the local partial ∂v4/∂x2 = cos(5) = 0.2837 alone."""
    from playwright.sync_api import sync_playwright

    from adviz.render.html import write_sweep_html

    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = write_sweep_html(t, Path(tmp) / "quiz.html", mode="reverse", quiz=True)
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(page_path.as_uri())
        for answer in ("1", "-1", "0.2837"):
            page.fill("#quiz-answer", answer)
            page.press("#quiz-answer", "Enter")
        page.wait_for_selector("#quiz-feedback[data-verdict=wrong]")
        bottom = page.evaluate("document.getElementById('graph').getBoundingClientRect().bottom")
        page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": 1100, "height": bottom + 12})
        browser.close()


if __name__ == "__main__":
    quiz_screenshot() if sys.argv[1:] == ["quiz"] else main()
