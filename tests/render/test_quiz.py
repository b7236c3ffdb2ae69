"""Tests for adviz.render.quiz (the questions and their marking) and SweepPlayer(quiz=True).

Expected values are written out by hand, never read off the engine: for the Baydin et al.
survey's y = log(x1) + x1*x2 - sin(x2) at (2, 5), ∂y/∂x1 = 1/x1 + x2 = 5.5 and
∂y/∂x2 = x1 - cos(x2) = 2 - cos(5) = 1.7163378145367738 (math.cos, not adviz).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import adviz as ad
from adviz.engine import notation
from adviz.render.quiz import (
    ATOL,
    RTOL,
    TOLERANCE_NOTE,
    WRONG,
    AnswerError,
    Quiz,
    close,
    mark,
    questions,
    read_answer,
)

SURVEY = "log(x1)+x1*x2-sin(x2)"


@pytest.fixture(scope="module")
def survey():
    return ad.trace(SURVEY, x1=2.0, x2=5.0)


# ---------------------------------------------------------------- the questions


def test_reverse_questions_follow_the_shared_numbering_with_hand_computed_answers(survey):
    qs = questions(survey, survey.reverse())
    assert [q.label for q in qs] == ["1.1", "1.2", "2", "3.1", "3.2", "4.1", "4.2", "5"]
    assert [q.symbol for q in qs] == ["v̄3", "v̄4", "x̄2", "v̄1", "v̄2", "x̄1", "x̄2", "x̄1"]
    expected = [1.0, -1.0, -math.cos(5.0), 1.0, 1.0, 5.0, 2.0 - math.cos(5.0), 0.5 + 5.0]
    assert np.allclose([q.answer for q in qs], expected, rtol=1e-15, atol=0)
    assert qs[-1].answer == 5.5 and qs[6].answer == pytest.approx(1.7163378145367738, rel=1e-15)
    assert qs[0].prompt == "Step 1.1 — v5 = v3 - v4 sends its adjoint back to v3. What is v̄3 now?"
    assert [q.step for q in qs] == [1, 1, 2, 3, 3, 4, 4, 5]


def test_forward_questions_ask_running_tangents_and_skip_steps_without_terms(survey):
    s = survey.forward("x1")
    qs = questions(survey, s)
    # v4 = sin(x2) gets no tangent from a seed on x1: it asks nothing
    assert [(q.label, q.symbol) for q in qs] == [("1", "v̇1"), ("2", "v̇2"), ("3.1", "v̇3"), ("3.2", "v̇3"), ("5", "v̇5")]
    assert [q.answer for q in qs] == [0.5, 5.0, 0.5, 5.5, 5.5]
    assert qs[2].prompt == ("Step 3.1 — v3 = v1 + v2 gets its tangent: first the term through v1. What is v̇3?")
    assert qs[3].prompt.endswith("then the term through v2. What is v̇3 now?")
    quiz = Quiz(survey, s)
    for q in qs[:4]:
        assert quiz.answer(q.answer).right
    assert quiz.shown == 4  # step 4 (no question) is shown with step 3, before question 5


def test_small_array_nodes_are_typed_whole_as_a_list():
    x = np.array([1.0, 2.0])
    t = ad.trace(lambda x: np.sum(x * x), x)
    quiz = Quiz(t, t.reverse())
    last = quiz.questions[-1]
    assert "type it as a list" in last.prompt and last.shape == (2,)
    assert np.array_equal(last.answer, 2 * x)  # d/dx sum(x²) = 2x, written by hand
    while quiz.current is not last:
        quiz.answer(quiz.current.answer)
    with pytest.raises(AnswerError, match="an array"):
        quiz.answer("4")
    assert quiz.answer("[2, 4.001]").right


def test_big_array_nodes_ask_for_their_largest_entry():
    x = np.array([0.5, -3.0, 1.0, 2.0, 0.25, -1.0])
    t = ad.trace(lambda x: np.sum(x * x), x)
    last = questions(t, t.reverse())[-1]
    assert last.entry == (1,) and last.symbol == "x̄[1]"
    assert "one entry of the (6,) array" in last.prompt
    assert last.answer == 2 * x[1]


# ---------------------------------------------------------------- reading answers


@pytest.mark.parametrize("text, value", [
    ("-0.5", -0.5), ("−0.5", -0.5), ("1·cos(0)*6", 6.0), ("cos(10)*6", 6 * math.cos(10)), ("2**-1", 0.5),
    ("-2**2", -4.0), ("2**3**2", 512.0), ("1e-3", 1e-3), (".5", 0.5), ("pi/2", math.pi / 2), ("1/2 + 5", 5.5),
    ("[1, 2.5]", [1.0, 2.5]), ("[[1, 2], [3, -4]]", [[1.0, 2.0], [3.0, -4.0]]), ("log(2)", math.log(2)),
])
def test_answers_are_numbers_or_expressions_of_numbers(text, value):
    assert np.array_equal(read_answer(text), np.array(value))


@pytest.mark.parametrize("text, message", [
    ("", "type a number"), ("x1*2", "not a formula in x1"), ("__import__('os')", "cannot read"),
    ("2^3", "use \\*\\* for powers"), ("1/0", "not a finite number"), ("sum([1, 2])", "not allowed"),
    ("open('f')", "cannot read"),
])
def test_unreadable_answers_say_why(text, message):
    with pytest.raises(AnswerError, match=message):
        read_answer(text)


def test_tolerance_accepts_four_shown_digits_and_rejects_real_mistakes():
    exact = -math.cos(5.0)  # -0.28366...
    assert close(-0.2837, exact) and close(-0.284, exact)  # rounded as the graph shows it: right
    assert not close(-0.285, exact) and not close(0.2837, exact)  # 0.5 % off, or the sign: wrong
    assert close(0.0, 1e-17) and not close(1e-6, 0.0)  # rounding residue around zero
    assert RTOL == 2e-3 and ATOL == 1e-9
    assert "0.2%" in TOLERANCE_NOTE and "floating-point" in TOLERANCE_NOTE


# ---------------------------------------------------------------- marking


def _numbers(text: str) -> set[float]:
    return {float(m.replace("−", "-")) for m in re.findall(r"(?<![\w.∂])[−-]?\d+(?:\.\d+)?", text)}


def test_wrong_answers_get_the_chain_rule_term_or_their_slip_never_the_value(survey):
    qs = {q.label: q for q in questions(survey, survey.reverse())}
    contribution = mark(qs["4.2"], "2")  # x̄2's term from x1*x2 alone, forgetting −cos(5) it held
    assert not contribution.right and "contribution alone" in contribution.message
    # cos(5) is the local partial alone (v̄4 = −1 was not multiplied in)
    assert mark(qs["2"], "0.2837").message == (f"{WRONG} That is the local partial ∂v4/∂x2 alone: multiply it "
                                               "by the incoming adjoint v̄4.")
    assert mark(qs["4.2"], "-1.7163").message.startswith(f"{WRONG} Right size, wrong sign")
    partial = mark(qs["5"], "0.5")  # 1/x1: the contribution here (and x̄1 held 5 already)
    assert "contribution alone" in partial.message
    generic = mark(qs["5"], "7")
    assert generic.message == f"{WRONG} {qs['5'].hint}"
    assert "x̄1 += v̄1·(1/x1)" in generic.message and "already holds" in generic.message
    for q in qs.values():
        for typed in ("7", "-3", "0.123"):
            verdict = mark(q, typed)
            assert not verdict.right
            if q.answer not in (0.0, 1.0, -1.0):  # ±1 and 0 are also the formulas' constants
                assert q.exact not in verdict.message
                assert all(not close(v, q.answer) for v in _numbers(verdict.message)), (q.label, verdict.message)


def test_a_value_the_sweep_already_holds_is_named_without_the_answer(survey):
    """A student who types an adjoint already found (or what the target held before this term)
    is told which one it is and what this step does instead, never the number asked for."""
    qs = {q.label: q for q in questions(survey, survey.reverse())}
    # 4.2 asks for x̄2 after x̄2 += v̄2·x1; x̄2 held −cos(5) from step 2 (math.cos, by hand)
    before = mark(qs["4.2"], repr(-math.cos(5.0)))
    assert before.message == (f"{WRONG} That is what x̄2 already held, from step 2: step 4.2 adds this term's "
                              "contribution to it, x̄2 += v̄2·x1.")
    # at step 5 (x̄1), x̄2 = 2 − cos(5) is an adjoint the student already has, from step 4.2
    other = mark(qs["5"], "1.7163")
    assert other.message == (f"{WRONG} That is x̄2, which you already have (step 4.2). Step 5 asks for x̄1: "
                             "x̄1 += v̄1·(1/x1).")
    assert mark(qs["4.1"], "-0.2837").message.startswith(f"{WRONG} That is x̄2, which you already have (step 2).")
    # the more specific slips still come first: v̄4 = −1 at step 2 is the incoming adjoint
    assert "incoming adjoint v̄4 alone" in mark(qs["2"], "-1").message
    for q in qs.values():
        for value, text in q.slips:
            assert not close(value, q.answer)
            if "already" in text and q.answer not in (0.0, 1.0, -1.0):  # ±1: also the formulas' constants
                assert q.exact not in text and all(not close(v, q.answer) for v in _numbers(text)), (q.label, text)


def test_a_tangent_already_found_is_named_in_forward_mode(survey):
    qs = {q.label: q for q in questions(survey, survey.forward("x1"))}
    # 3.2: v̇3 += 1·v̇2; v̇3 was 1/x1 = 0.5 after the term through v1
    assert mark(qs["3.2"], "0.5").message == (f"{WRONG} That is v̇3 before this term, from step 3.1: add the term "
                                              "through v2, v̇3 += 1·v̇2.")
    assert mark(qs["2"], "0.5").message.startswith(f"{WRONG} That is v̇1, which you already have (step 1).")
    seeded = {q.label: q for q in questions(survey, survey.forward("x2"))}
    seed = mark(seeded["5.2"], "1").message  # ẋ2 = 1, the seed
    assert seed.startswith(f"{WRONG} That is {notation.dot('x2')}, which you already have (the seed). Step 5.2")


def test_a_held_value_is_named_by_its_entry_only_when_it_is_an_array():
    """A question about one entry of a big array: a held array is named by the same entry, a held
    scalar (the seed) by its name alone."""
    x = np.array([0.5, -3.0, 1.0, 2.0, 0.25, -1.0])
    t = ad.trace(lambda x: 2.5 * np.sum(np.sin(x) * x), x)
    last = questions(t, t.reverse())[-1]  # x̄[1] += v̄1·cos(x): v̄1 = 2.5·sin(x)·… was found before
    assert last.symbol == "x̄[1]"
    assert mark(last, "1").message.startswith(f"{WRONG} That is v̄4, which you already have (the seed).")
    assert mark(last, "2.5").message.startswith(f"{WRONG} That is v̄2[1], which you already have (step 2).")


def test_zeros_held_are_not_named():
    """Many nodes hold 0 (an input the seed does not reach): typing 0 gets the chain-rule hint."""
    t = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    for q in questions(t, t.forward("x1")):
        assert all(not close(v, 0.0) for v, text in q.slips if "already have" in text)


def test_a_slip_that_is_the_right_answer_is_dropped(survey):
    q = questions(survey, survey.reverse())[0]  # v̄3 += v̄5·1: the partial and the incoming adjoint are 1
    assert all(not close(v, q.answer) for v, _ in q.slips)
    assert mark(q, "1").right


def test_score_counts_right_first_tries_reveals_and_wrong_tries(survey):
    quiz = Quiz(survey, survey.reverse())
    with pytest.raises(ValueError, match="try an answer first"):
        quiz.reveal()
    assert quiz.answer("1").right  # 1.1 at the first try
    assert not quiz.answer("1").right  # 1.2: v̄4 = −1
    assert quiz.answer("-1").right
    with pytest.raises(AnswerError):
        quiz.answer("x2")  # unreadable: not a try
    assert quiz.tries[2] == 0
    assert not quiz.answer("0.5").right
    revealed = quiz.reveal()
    assert revealed.revealed and revealed.message.startswith("Revealed: x̄2 = −0.2836621855.")
    s = quiz.score
    assert (s.right, s.first_try, s.revealed, s.wrong, s.total, s.done) == (2, 1, 1, 2, 8, 3)
    assert str(s) == "2 of 3 right" and quiz.shown == 2
    for typed in ("1", "1", "5", "2 - cos(5)", "5.5"):
        assert quiz.answer(typed).right
    assert quiz.current is None and quiz.shown == 5 and quiz.score.finished
    assert quiz.score.fraction == 7 / 8
    with pytest.raises(ValueError, match="the quiz is done"):
        quiz.answer("1")


def test_page_data_is_json_and_carries_what_the_script_needs(survey):
    data = json.loads(json.dumps(Quiz(survey, survey.reverse()).data()))
    assert data["rtol"] == RTOL and data["wrong"] == WRONG and "cos" in data["functions"]
    q = data["questions"][6]
    assert q["answer"] == pytest.approx(2 - math.cos(5.0)) and q["label"] == "4.2"
    assert q["right"] == "✓ Right: x̄2 = 1.716337815." and q["slips"][0][0] == 2.0


# ---------------------------------------------------------------- the widget


def test_player_quiz_moves_the_sweep_only_through_answers(survey):
    from adviz.render.widgets import SweepPlayer

    player = SweepPlayer(survey, "reverse", quiz=True)
    assert player.step == 0 and player.question.label == "1.1"
    assert player._slider.disabled and all(b.disabled for b in player._buttons.values())
    assert player.panel.question.startswith("Question 1 of 8. Step 1.1")
    assert player.panel.symbol == "v̄3 ="
    assert not player.answer("0.5").right
    assert player.panel.verdict == "wrong" and player.panel.can_reveal and player.step == 0
    assert player.answer("1").right and player.step == 0  # step 1 has a second term still to ask
    assert player.panel.verdict == "right" and not player.panel.can_reveal and player.panel.clear
    player.answer("-1")
    assert player.step == 1 and player.panel.score == "Score: 2 of 2 right"
    player._check_typed("nonsense(")  # what the browser sends for a typo: a message, not a try
    assert player.panel.verdict == "unread" and "Not counted" in player.panel.feedback
    assert player.quiz.tries[2] == 0
    player._check_typed("0.9")
    player._reveal_clicked()
    assert player.step == 2 and player.panel.verdict == "revealed"
    for typed in ("1", "1", "5", "1.716", "5.5"):
        player._check_typed(typed)
    assert player.step == player.n_steps == 5 and player.question is None
    assert str(player.score) == "7 of 8 right" and player.panel.done
    assert player.panel.question.startswith("Done: 7 of 8 right (6 at the first try, 1 revealed).")
    assert not player._slider.disabled  # replay freely once done
    player.first()
    assert player.step == 0


def test_an_answered_question_cannot_be_answered_again(survey):
    """Enter pressed twice before the kernel replies sends the same answer twice.  Questions
    3.1 and 3.2 both have the answer 1: the second message must not score 3.2 with what was
    typed for 3.1.  Each message names the question it answers; a message for a question
    already answered (or revealed) is ignored, and the page disables its box and buttons
    until the kernel has replied."""
    from adviz.render.widgets import SweepPlayer

    player = SweepPlayer(survey, "reverse", quiz=True)
    for typed in ("1", "-1", "-cos(5)"):
        player.answer(typed)
    assert player.question.label == "3.1" and player.panel.number == 4
    browser = {"check": "1", "question": player.panel.number}
    player.panel._message(player.panel, browser, [])
    player.panel._message(player.panel, browser, [])  # the second Enter, sent before the reply
    assert player.question.label == "3.2" and str(player.score) == "4 of 4 right"
    assert player.quiz.tries[4] == 0 and player.panel.feedback == "✓ Right: v̄1 = 1."
    player.panel._message(player.panel, {"check": "7", "question": 5}, [])
    player.panel._message(player.panel, {"reveal": True, "question": 5}, [])
    player.panel._message(player.panel, {"reveal": True, "question": 5}, [])  # clicked twice
    assert player.question.label == "4.1" and player.quiz.outcome[5] is None
    assert player.quiz.outcome[4] == "revealed" and str(player.score) == "4 of 5 right"
    ticks = player.panel.tick
    player.panel._message(player.panel, {"check": "0.5", "question": 6}, [])
    player.panel._message(player.panel, {"check": "0.5", "question": 6}, [])  # the same wrong answer again
    assert player.panel.tick == ticks + 2  # every reply changes the panel: the page unlocks its box
    from adviz.render.quiz_widget import _ESM
    assert "pending = true;" in _ESM and "done || pending" in _ESM  # the page waits for the reply


def test_panel_never_shows_the_answer_before_it_is_revealed(survey):
    from adviz.render.widgets import SweepPlayer

    player = SweepPlayer(survey, "reverse", quiz=True)
    while player.question is not None:
        q = player.question
        shown = player.panel.question + player.panel.feedback
        if q.answer not in (0.0, 1.0, -1.0):
            assert q.exact not in shown and all(not close(v, q.answer) for v in _numbers(shown))
        player.answer("123")
        player.reveal()


def test_player_without_quiz_says_how_to_get_one(survey):
    from adviz.render.widgets import SweepPlayer

    player = SweepPlayer(survey, "reverse")
    assert player.panel is None
    with pytest.raises(ValueError, match="quiz=True"):
        player.score


@pytest.mark.parametrize("source, at", [("sin(x**2 + 1)", {"x": 3.0}), ("log(x1)+x1*x2-sin(x2)", {"x1": 2.0, "x2": 5.0}),
                                        ("x*y", {"x": 0.25, "y": 22.0})])
def test_the_typing_examples_never_answer_a_question(source, at):
    """The note under the answer box once said 'Type a number (-0.8391) or an expression of numbers
    (cos(10)*6)' on every page: for sin(x**2+1) at 3 those are v̄2 and x̄, answers handed out."""
    from adviz.render.html import sweep_html
    from adviz.render.quiz import Quiz, read_answer

    t = ad.trace(source, **at)
    quiz = Quiz(t, t.reverse())
    answers = [abs(float(v)) for q in quiz.questions for v in np.ravel(q.answer)]
    examples = re.findall(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)\.$", quiz.note)[0:1]
    examples += re.findall(r"Type a number \(([^)]*)\)", quiz.note) + quiz.placeholder[len("e.g. "):].split(" or ")
    assert len(examples) == 4
    for text in examples:
        value = abs(float(read_answer(text)))
        assert all(abs(value - a) > 0.01 * a for a in answers), (text, answers)
    page = sweep_html(t, "reverse", quiz=True)
    assert quiz.note.replace("'", "&#x27;") in page and f'placeholder="{quiz.placeholder}"' in page


def test_player_quiz_hides_unanswered_terms_until_done(survey):
    """view.quiz tells the browser to hide the labels and rows of terms not answered yet."""
    from adviz.render.sweep_view import VIEW_CSS
    from adviz.render.widgets import SweepPlayer

    player = SweepPlayer(survey, "reverse", quiz=True)
    assert player.view.quiz is True
    assert ".adviz-view.quiz .adviz-graph g.pending[data-el^=e] text" in VIEW_CSS
    for typed in ("1", "-1", "-cos(5)", "1", "1", "5", "2 - cos(5)", "5.5"):
        assert player.answer(typed).right
    assert player.view.quiz is False
    assert SweepPlayer(survey, "reverse").view.quiz is False
