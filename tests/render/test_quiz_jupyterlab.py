"""SweepPlayer(quiz=True) in a real JupyterLab 4, in headless Chromium: a student types answers.

The answer box, Enter and the reveal button go through the browser to the kernel and back
(the panel is an anywidget; the kernel marks).  The checks read what the student sees.
"""

from __future__ import annotations

import re

import pytest

import jupyterlab_harness as lab

pytestmark = pytest.mark.skipif(lab.available() is not None, reason=str(lab.available()))

CELLS = [
    "import adviz as ad\nfrom adviz.render.widgets import SweepPlayer\n"
    "t = ad.trace('log(x1)+x1*x2-sin(x2)', x1=2.0, x2=5.0)\nquiz = SweepPlayer(t, 'reverse', quiz=True)\nquiz",
]
PANEL = ".adviz-sweep-player .adviz-quiz"
VIEW = ".adviz-sweep-player .adviz-view"
# How long to wait for the kernel's reply before calling it lost. Only a guard against a hang:
# a passing run waits as long as the reply takes (tens of ms on a quiet machine, seconds when
# the machine runs several test suites at once).
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    lab.notebook(root / "quiz.ipynb", CELLS)
    with lab.jupyterlab(root) as (base, token), lab.browser() as b:
        yield lab.open_and_run(b, base, token, "quiz.ipynb", 1280, wait_for=PANEL + "[data-question='1']")


def _shows(locator, text: str, *, starts: bool = False) -> None:
    """Wait (up to 10 s) until the element's visible text is ``text`` (or starts with it).

    The kernel's reply updates the panel's attributes and its texts in separate browser
    updates; on a busy machine a check made the moment the attribute changed could still read
    the previous feedback, so the texts are awaited as the attributes are."""
    from playwright.sync_api import expect

    pattern = re.compile("^" + re.escape(text) + ("" if starts else "$"))
    expect(locator).to_have_text(pattern, use_inner_text=True, timeout=WAIT_MS)


def _answer(page, text: str) -> None:
    box = page.locator(PANEL + " input").first
    box.fill(text)
    box.press("Enter")


def test_student_answers_wrong_then_right_and_nothing_moves(page, tmp_path):
    feedback = page.locator(PANEL + " .fb").first
    before = page.evaluate(lab.GEOMETRY_JS, VIEW)
    top = page.locator(VIEW).first.bounding_box()["y"]
    assert page.locator(PANEL + " .q").first.inner_text().startswith("Question 1 of 8. Step 1.1")
    assert page.locator(".adviz-sweep-player button", has_text="→").first.is_disabled()
    labels = page.evaluate("""v => Array.from(document.querySelectorAll(v + ' g[data-el^=e] text'))
        .filter(t => getComputedStyle(t).visibility === 'visible').map(t => t.textContent)""", VIEW)
    assert labels == [], labels  # no term answered yet: no arrow says its local partial's value

    _answer(page, "0.5")
    page.wait_for_selector(PANEL + " .fb[data-verdict='wrong']", timeout=WAIT_MS)
    page.screenshot(path=str(tmp_path / "wrong.png"))  # for a person to look at when this fails
    _shows(feedback, "✗ Not quite. Chain rule: v̄3 += v̄5·1", starts=True)
    assert not page.locator(PANEL + " button.reveal").first.is_disabled()

    _answer(page, "1")
    page.wait_for_selector(PANEL + "[data-question='2']", timeout=WAIT_MS)
    _shows(feedback, "✓ Right: v̄3 = 1.")
    assert page.locator(PANEL + " input").first.input_value() == ""
    _answer(page, "−1")
    page.wait_for_selector(VIEW + "[data-step='1']", timeout=WAIT_MS)
    _answer(page, "0.9")
    page.wait_for_selector(PANEL + " .fb[data-verdict='wrong']", timeout=WAIT_MS)
    page.locator(PANEL + " button.reveal").first.click()
    page.wait_for_selector(VIEW + "[data-step='2']", timeout=WAIT_MS)
    _shows(feedback, "Revealed: x̄2 = −0.2836621855.", starts=True)
    _shows(page.locator(PANEL + " .score").first, "Score: 2 of 3 right")
    assert page.evaluate(lab.GEOMETRY_JS, VIEW) == before
    assert page.locator(VIEW).first.bounding_box()["y"] == top  # the panel kept its height
    page.screenshot(path=str(tmp_path / "revealed.png"))


def test_enter_pressed_twice_answers_once(page):
    """Questions 3.1 and 3.2 both have the answer 1.  Enter pressed twice before the kernel
    replies must not score both: the box waits for the reply, and the kernel ignores a
    second message for a question already answered."""
    panel = page.locator(PANEL).first
    if panel.get_attribute("data-question") != "4":  # after the first test: question 4 (3.1) is asked
        pytest.skip("runs after test_student_answers_wrong_then_right_and_nothing_moves")
    box = page.locator(PANEL + " input").first
    box.fill("1")
    box.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # at once, before the kernel's reply
    box.evaluate("b => b.form.requestSubmit()")  # and once more through the form
    page.wait_for_selector(PANEL + "[data-question='5']", timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # time for any further reply
    assert panel.get_attribute("data-question") == "5"
    _shows(page.locator(PANEL + " .score").first, "Score: 3 of 4 right")
    assert not box.is_disabled()  # the reply unlocked the box for the next question
    assert box.evaluate("b => document.activeElement === b")  # and gave it its focus back: type on
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    page.wait_for_selector(PANEL + " .fb[data-verdict='wrong']", timeout=WAIT_MS)
    assert box.evaluate("b => document.activeElement === b") and box.input_value() == "0.5"
    box.fill("1")
    page.keyboard.press("Enter")
    page.wait_for_selector(PANEL + "[data-question='6']", timeout=WAIT_MS)
    page.keyboard.press("Enter")  # once more, on the emptied box, after the reply: the ✓ stays
    page.wait_for_timeout(1500)
    _shows(page.locator(PANEL + " .fb").first, "✓ Right: v̄2 = 1.")
    assert page.locator(PANEL + " .fb").first.get_attribute("data-verdict") == "right"
