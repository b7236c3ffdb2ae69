"""The quiz page (``adviz graph … --animate --quiz``) in headless Chromium, as a student uses it.

The student types into the answer box and presses Enter (real key events over the DevTools
protocol, see ``Browser`` in test_html.py); the checks read the page's DOM and its
screenshots.  The script's marking is compared with Python's (:func:`adviz.render.quiz.mark`)
on every question, for right answers, typical slips, other wrong answers and typos.
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from test_html import _GEOMETRY_JS, Browser, _chromium

import adviz as ad
from adviz.render.html import write_sweep_html
from adviz.render.quiz import AnswerError, Quiz, mark


@pytest.fixture(scope="module")
def browser():
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian/Ubuntu: apt-get install chromium)")
    b = Browser(binary, 1200, 1000)
    yield b
    b.close()


@pytest.fixture(scope="module")
def survey():
    return ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)


@pytest.fixture(scope="module")
def page(tmp_path_factory, survey):
    path = tmp_path_factory.mktemp("quiz") / "quiz.html"
    write_sweep_html(survey, path, mode="reverse", quiz=True)
    return path


def _open(b: Browser, url: str) -> None:
    """Load the page afresh (only a hash changed would keep the last test's quiz)."""
    b.call("Page.navigate", session=True, url="about:blank")
    b.wait_for("location.href === 'about:blank'")
    b.open(url)


def _type(b: Browser, text: str) -> None:
    """Focus the answer box, replace its text and press Enter, as a student does."""
    b.js("(() => { const i = document.getElementById('quiz-answer'); i.focus(); i.select(); })()")
    b.call("Input.insertText", session=True, text=text)
    b.call("Input.dispatchKeyEvent", session=True, type="keyDown", key="Enter", code="Enter",
           windowsVirtualKeyCode=13, text="\r")
    b.call("Input.dispatchKeyEvent", session=True, type="keyUp", key="Enter", code="Enter", windowsVirtualKeyCode=13)


def _state(b: Browser) -> dict:
    return b.js("""({
        step: +document.body.getAttribute('data-step'),
        question: document.getElementById('quiz-question').textContent,
        feedback: document.getElementById('quiz-feedback').textContent,
        verdict: document.getElementById('quiz-feedback').getAttribute('data-verdict'),
        score: document.getElementById('quiz-score').textContent,
        reveal: !document.getElementById('quiz-reveal').disabled,
        locked: document.getElementById('next').disabled,
        answer: document.getElementById('quiz-answer').value,
    })""")


def _share(b: Browser, element: str, hex_colour: str) -> float:
    """Share of the element's pixels in the screenshot that have this colour."""
    from PIL import Image

    box = b.js(f"(() => {{ const r = document.getElementById('{element}').getBoundingClientRect();"
               " return [r.left, r.top, r.right, r.bottom].map(Math.round); })()")
    pixels = np.asarray(Image.open(io.BytesIO(b.screenshot())).convert("RGB").crop(tuple(box))).astype(int)
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.all(np.abs(pixels - rgb) <= 4, axis=-1)))


def test_a_wrong_then_a_right_answer(browser, page, survey, tmp_path):
    _open(browser, page.as_uri())
    state = _state(browser)
    assert state["step"] == 0 and state["locked"] and not state["reveal"]
    assert state["question"] == ("Question 1 of 8. Step 1.1 — v5 = v3 - v4 sends its adjoint back to v3. "
                                 "What is v̄3 now?")
    q = Quiz(survey, survey.reverse()).questions[0]

    _type(browser, "0.5")
    state = _state(browser)
    (tmp_path / "wrong.png").write_bytes(browser.screenshot())  # for a person to look at when this fails
    assert state["verdict"] == "wrong" and state["feedback"] == mark(q, "0.5").message
    assert state["feedback"].startswith("✗ Not quite. Chain rule: v̄3 += v̄5·1")
    assert state["reveal"] and state["step"] == 0 and state["score"] == "Score: 0 of 0 right"
    assert state["answer"] == "0.5"  # kept, selected, to be corrected
    assert _share(browser, "quiz-feedback", "#fee2e2") > 0.5  # the verdict box is red

    _type(browser, "1")
    state = _state(browser)
    (tmp_path / "right.png").write_bytes(browser.screenshot())
    assert state["verdict"] == "right" and state["feedback"] == "✓ Right: v̄3 = 1."
    assert state["question"].startswith("Question 2 of 8. Step 1.2") and state["answer"] == ""
    assert state["score"] == "Score: 1 of 1 right" and not state["reveal"]
    assert _share(browser, "quiz-feedback", "#dcfce7") > 0.5  # and now green

    _type(browser, "")  # Enter pressed again on the emptied box: the ✓ stays, nothing is counted
    state = _state(browser)
    assert state["verdict"] == "right" and state["feedback"] == "✓ Right: v̄3 = 1."
    assert state["score"] == "Score: 1 of 1 right" and state["question"].startswith("Question 2 of 8.")

    _type(browser, "−1")  # the minus sign as the page prints it
    assert _state(browser)["step"] == 1  # both terms of step 1 answered: the graph shows step 1


def test_enter_on_an_empty_box_asks_for_a_number_before_any_answer(browser, page):
    _open(browser, page.as_uri())
    _type(browser, "")
    state = _state(browser)
    assert state["verdict"] == "unread" and "type a number first" in state["feedback"]
    assert state["score"] == "Score: 0 of 0 right" and not state["reveal"]


def test_reveal_after_a_wrong_try_shows_the_answer_and_moves_on(browser, page):
    _open(browser, page.as_uri())
    for typed in ("1", "-1"):
        _type(browser, typed)
    _type(browser, "x2")  # a typo: said so, not a try
    state = _state(browser)
    assert state["verdict"] == "unread" and not state["reveal"] and "Not counted" in state["feedback"]
    _type(browser, "0.2837")
    assert _state(browser)["reveal"]
    browser.js("document.getElementById('quiz-reveal').click()")
    state = _state(browser)
    assert state["verdict"] == "revealed" and state["feedback"].startswith("Revealed: x̄2 = −0.2836621855.")
    assert state["step"] == 2 and state["score"] == "Score: 2 of 3 right"


def test_nothing_moves_and_the_controls_wait_for_the_quiz(browser, page, survey):
    _open(browser, page.as_uri() + "#step=3")  # the address cannot skip the quiz
    assert _state(browser)["step"] == 0
    where = "['graph', 'quiz', 'caption'].map(id => JSON.stringify(document.getElementById(id).getBoundingClientRect()))"
    first_boxes, first_svg = browser.js(where), browser.js(_GEOMETRY_JS)
    browser.key("ArrowRight", "ArrowRight", 39)
    assert _state(browser)["step"] == 0  # keys are locked during the quiz
    answers = [q.exact for q in Quiz(survey, survey.reverse()).questions]
    for k, typed in enumerate(answers[:-1]):
        _type(browser, typed)
        assert browser.js(where) == first_boxes, k
        assert browser.js(_GEOMETRY_JS) == first_svg, k
    # The last answer is submitted and the focus read in one script, before the browser's own
    # focus fix-up could run: the keys must belong to the player the moment the quiz is done.
    focus_after_done = browser.js(f"""(() => {{
        const i = document.getElementById('quiz-answer');
        i.focus(); i.value = {json.dumps(answers[-1])};
        document.getElementById('quiz-form').requestSubmit();
        return document.activeElement === i ? 'answer box' : 'player';
    }})()""")
    assert focus_after_done == "player"
    assert browser.js(where) == first_boxes and browser.js(_GEOMETRY_JS) == first_svg
    state = _state(browser)
    assert state["step"] == 5 and state["question"].startswith("Done: 8 of 8 right (8 at the first try)")
    assert not state["locked"]
    browser.key("Home", "Home", 36)
    assert _state(browser)["step"] == 0  # once done the player is a player again


def test_later_rows_of_the_table_hide_even_their_formulas(browser, page):
    _open(browser, page.as_uri())
    hidden = browser.js("""Array.from(document.querySelectorAll('#table tr.pending')).map(r =>
        [getComputedStyle(r.cells[1]).visibility, getComputedStyle(r.cells[3]).visibility])""")
    assert hidden and all(v == ["visible", "hidden"] for v in hidden)


_VISIBLE_ARROW_TEXT = """Array.from(document.querySelectorAll('#graph g[data-el^=e] text, #graph g[data-el^=f] text'))
    .filter(t => getComputedStyle(t).visibility === 'visible').map(t => t.textContent)"""


def test_arrows_not_answered_yet_hide_their_labels_until_the_quiz_is_done(browser, page):
    """Question 3 asks for x̄2 after x̄2 += v̄4·cos(x2), with v̄4 = −1 on screen: the arrow's grey label
    ∂v4/∂x2 = cos(x2) = 0.2837 would give the answer away.  Answered terms keep their labels; once the
    quiz is done the player is a player again, and stepping back shows every label in grey."""
    _open(browser, page.as_uri())
    _type(browser, "1")
    _type(browser, "-1")
    assert _state(browser)["question"].startswith("Question 3 of 8. Step 2")
    shown = browser.js(_VISIBLE_ARROW_TEXT)
    assert "v̄4 += v̄5·(−1) = −1" in shown  # answered: still labelled
    assert not any("cos(x2)" in t or "0.2837" in t or "x̄1 +=" in t for t in shown), shown
    for typed in ("-cos(5)", "1", "1", "5", "2 - cos(5)", "5.5"):
        _type(browser, typed)
    assert _state(browser)["question"].startswith("Done")
    browser.key("Home", "Home", 36)
    assert _state(browser)["step"] == 0
    assert "∂v4/∂x2 = cos(x2) = 0.2837" in browser.js(_VISIBLE_ARROW_TEXT)


TYPED = ["1", "-1", "0.5", "−0.2837", "0.2837", "2", "5", "5.5", "1.7163", "-1.7163", "cos(5)", "2 - cos(5)",
         "1/2 + 5", "7", "x1", "2^3", "[1, 2]", "", "sin(", "1e400", "1e-999", "0e-999", "3e-324"]


def test_the_script_marks_every_answer_as_python_does(browser, page, survey):
    _open(browser, page.as_uri())
    data = json.loads(browser.js("document.getElementById('adviz-data').textContent"))["quiz"]
    for q_data, q in zip(data["questions"], Quiz(survey, survey.reverse()).questions):
        for typed in TYPED:
            js = browser.js(f"""(() => {{
                const quiz = JSON.parse(document.getElementById('adviz-data').textContent).quiz, q = quiz.questions[{q.number - 1}];
                let value;
                try {{ value = adviz_read_answer({json.dumps(typed)}, quiz.functions); }} catch (e) {{ return null; }}
                if (adviz_shape(value).join() !== adviz_shape(q.answer).join()) return null;
                if (adviz_close(value, q.answer, quiz.rtol, quiz.atol)) return q.right;
                const slip = q.slips.find(p => adviz_close(value, p[0], quiz.rtol, quiz.atol));
                return quiz.wrong + " " + (slip ? slip[1] : q.hint);
            }})()""")
            try:
                expected = mark(q, typed).message
            except AnswerError:
                expected = None
            assert js == expected, (q.label, typed)
        assert math.isclose(q_data["answer"], q.answer, rel_tol=0, abs_tol=0)


def test_cli_writes_the_quiz_page(tmp_path):
    from typer.testing import CliRunner

    from adviz.cli import app

    out = tmp_path / "quiz.html"
    result = CliRunner().invoke(app, ["graph", "log(x1)+x1*x2-sin(x2)", "--at", "x1=2", "--at", "x2=5", "--animate",
                                      "--quiz", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["questions"] == 8
    text = out.read_text(encoding="utf-8")
    assert 'id="quiz-answer"' in text and "adviz_quiz(" in text and "for practice, not exams" in text
    for args, message in ((["--quiz"], "--quiz needs --animate"), (["--animate", "--quiz", "--step", "2"], "leave out --step")):
        bad = CliRunner().invoke(app, ["graph", "sin(x)", "--at", "x=1", *args, "-o", str(tmp_path / "q.html")])
        assert bad.exit_code == 2 and message in bad.output and "Traceback" not in bad.output


def test_arrays_on_the_page_are_typed_as_lists_or_asked_by_entry(browser, tmp_path):
    x = np.array([1.0, 2.0])
    t = ad.trace(lambda x: np.sum(x * x), x)
    path = tmp_path / "arrays.html"
    write_sweep_html(t, path, mode="reverse", quiz=True)
    _open(browser, path.as_uri())
    quiz = Quiz(t, t.reverse())
    for q in quiz.questions[:-1]:
        _type(browser, "[" + ", ".join(str(v) for v in np.atleast_1d(q.answer)) + "]")
    state = _state(browser)
    assert "type it as a list" in state["question"]
    _type(browser, "4")  # one number for an array: said so, not a try
    state = _state(browser)
    assert state["verdict"] == "unread" and "an array" in state["feedback"] and not state["reveal"]
    _type(browser, "[2, 4]")  # d/dx sum(x²) = 2x, by hand
    assert _state(browser)["question"].startswith("Done: ")
    big = np.array([0.5, -3.0, 1.0, 2.0, 0.25, -1.0])
    t = ad.trace(lambda x: np.sum(x * x), big)
    write_sweep_html(t, path, mode="reverse", quiz=True)
    _open(browser, path.as_uri())
    last = Quiz(t, t.reverse()).questions[-1]
    for q in Quiz(t, t.reverse()).questions[:-1]:
        _type(browser, q.exact)
    assert "x̄[1]" in _state(browser)["question"]
    _type(browser, "-6")  # 2·x[1], by hand
    assert _state(browser)["verdict"] == "right" and last.answer == -6.0
