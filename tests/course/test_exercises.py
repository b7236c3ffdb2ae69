"""Every exercise's check against the teacher's answer, the student's stub and typical wrong answers.

* the teacher edition's answer passes every check of its exercise;
* the student edition's stub makes each check say *not done yet* (``NotDoneYet``), never a
  ``NameError`` or a traceback from inside adviz;
* each wrong answer in ``wrong_answers.py`` fails the checks it names, with a hint;
* no message ever prints a value the exercise asks for.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from adviz.course import (ad_systems, adjoints, arrays, control_flow, custom_rules, dual_numbers, finite_differences,
                          higher_order, memory, modes, tape)

from . import exercises as ex
from .wrong_answers import NAMED, NBGRADER_ROUNDS, WRONG

NEEDS = {
    "02_forward_mode_and_dual_numbers": {"Dual"},
    "09_training_a_tiny_neural_network": {"X", "y", "logits", "loss", "initial_parameters", "value_and_grad",
                                          "train", "accuracy"},
    "11_memory_and_checkpointing": {"layer", "layers", "segment"},
    "12_how_ad_systems_are_built": {"Dual", "write_adjoint"},
}


def _expected() -> dict[str, list[float]]:
    """The numbers each exercise asks for (what a message must never print)."""
    count, partials, slope = tape._reference()
    elsewhere = [v for x in tape.OTHER_POINTS for v in (*tape._reference(x)[1], tape._reference(x)[2])]
    x = np.array([1.0, 2.0, 3.0])
    W_bar, b_bar = arrays._reference(*arrays._case(5, 3, 4, seed=7))
    expected = {
        "01_programs_and_the_tape": [*partials, slope, *elsewhere],
        "02_forward_mode_and_dual_numbers": [dual_numbers._h(x)[1] * s for x in (0.5, -2.0) for s in (1.0, 3.0)]
        + [math.exp(0.7) * 2.5, math.exp(-1.3) * -0.4, (0.25 * -2.0 - 1.5 * 0.75) / 4.0],
        "03_reverse_mode_and_adjoints": list(adjoints._adjoints(0.5, 2.0, 1.0).values())
        + list(adjoints._adjoints(-0.3, 1.7, 2.5).values())
        + [float(q.answer) for q in adjoints.survey_quiz().questions],
        "04_the_modes_compared": list(modes._j3(x).ravel()) + [1000.0],
        "05_finite_differences_and_symbolic": [12.01, finite_differences.HS[np.argmin(finite_differences._errors())],
                                               finite_differences._g_prime(1.0)],
        "06_control_flow_and_floating_point": [control_flow._softplus(x) for x in control_flow.POINTS]
        + [control_flow._sigmoid(x) for x in control_flow.POINTS],
        "07_arrays_broadcasting_and_matmul": list(W_bar.ravel()) + list(b_bar),
        "08_higher_order_derivatives": list(higher_order._g_hessian(higher_order.XG).ravel())
        + list(higher_order._g_hessian(higher_order.XG) @ np.array([0.3, -1.0, 2.0])),
        "09_training_a_tiny_neural_network": [],
        # (logsumexp of the vectors with entries near ±1000 is left out: rounded, it reads as an input a hint names)
        "10_custom_rules_and_stop_gradient": [custom_rules._logsumexp(x) for x in custom_rules.VECTORS
                                              if max(map(abs, x)) < 100]
        + [v for x in custom_rules.VECTORS for v in custom_rules._softmax(x)]
        + [float(custom_rules._softmax(x) @ np.array(t)) for x, t in zip(custom_rules.VECTORS, custom_rules.TANGENTS)]
        + [d for M, e in custom_rules.ORBITS for d in custom_rules._kepler_partials(M, e)],
        "11_memory_and_checkpointing": [float(np.sum(memory._layers(memory.X.copy(), memory.DEPTH) ** 2))]
        + list(memory._gradient(memory.X.copy(), memory.DEPTH)),
        "12_how_ad_systems_are_built": [math.cos(0.7) * 2.5, math.cos(-1.2) * -0.4, 3.0 / 2.0, -1.5 / 0.25]
        + [g * s for x1, x2 in ((2.0, 5.0), (0.5, -1.0)) for g in ad_systems._survey(x1, x2)[1:]
           for s in (1.0, 1.5, 0.6, -2.0)],
    }
    return {stem: [v for v in values if v != 0 and not float(v).is_integer() or abs(v) >= 100]
            for stem, values in expected.items()}


EXPECTED = _expected()
CASES = [(stem, w) for stem in ex.STEMS for w in WRONG[stem]]


def _run(stem, answer_id, source):
    return ex.run(stem, answer_id, source, NEEDS.get(stem, set()))


def test_every_lesson_has_an_exercise_and_wrong_answers_for_it():
    assert ex.STEMS and set(WRONG) == set(ex.STEMS)
    for stem in ex.STEMS:
        answers = ex.exercise_ids(stem)
        assert answers, f"{stem} has no exercise"
        for answer_id in answers:
            checks = [grade_id for grade_id, _ in ex.checks_of(stem, answer_id)]
            assert checks, f"{stem}: exercise {answer_id} has no check cell"
            for grade_id in checks:
                failing = [w for w in WRONG[stem] if grade_id in w.fails]
                assert len(failing) >= 3, f"{stem}: check {grade_id} needs at least three known wrong answers"
                assert len([w for w in WRONG[stem][:NBGRADER_ROUNDS] if grade_id in w.fails]) >= 3 or \
                    len(WRONG[stem]) < NBGRADER_ROUNDS, f"{stem}: the nbgrader rounds must hit {grade_id} 3 times"
    for stem, label in NAMED:
        assert label in [w.label for w in WRONG[stem][:NBGRADER_ROUNDS]], (stem, label)


@pytest.mark.parametrize("stem", ex.STEMS)
def test_the_teacher_answer_passes(stem):
    for answer_id in ex.exercise_ids(stem):
        outcome = _run(stem, answer_id, ex.answer_source(stem, answer_id))
        assert set(outcome.status.values()) == {"pass"}, outcome.text
        assert all("correct" in text for text in outcome.text.values())


@pytest.mark.parametrize("stem", ex.STEMS)
def test_the_stub_is_not_done_yet(stem):
    for answer_id in ex.exercise_ids(stem):
        outcome = _run(stem, answer_id, ex.student_source(stem, answer_id))
        assert set(outcome.status.values()) == {"todo"}, outcome.text
        for text in outcome.text.values():
            assert "not done yet" in text.lower()
            assert "raised" not in text, text  # no exception from the student's (empty) code
        assert not ex.leaked(outcome.all_text, EXPECTED[stem])


@pytest.mark.parametrize("stem, wrong", CASES, ids=[f"{s[:2]}-{w.label}" for s, w in CASES])
def test_a_wrong_answer_fails_with_a_hint_and_no_answer(stem, wrong):
    outcome = ex.Outcome()
    for answer_id, regions in wrong.answers:
        part = _run(stem, answer_id, ex.with_regions(ex.answer_source(stem, answer_id), regions))
        outcome.status.update(part.status)
        outcome.text.update(part.text)
    assert wrong.fails <= set(outcome.status), "a wrong answer names the checks of the exercises it answers"
    for grade_id in wrong.fails:
        assert outcome.status[grade_id] == "fail", (grade_id, outcome.text[grade_id])
        text = outcome.text[grade_id]
        assert "✗" in text and "another look" in text
        hints = [line for line in text.splitlines() if line.startswith("      ")]
        assert hints, f"a failed part explains itself:\n{text}"
    leaks = ex.leaked(outcome.all_text, EXPECTED[stem])
    assert not leaks, f"a message shows an expected value {leaks}:\n{outcome.all_text}"


# ---------------------------------------------------------------- the hints say the right thing
def _text(stem, answer_id, regions):
    return _run(stem, answer_id, ex.with_regions(ex.answer_source(stem, answer_id), regions)).all_text


def test_exp_without_its_tangent_factor_is_told_to_try_another_seed():
    text = _text("02_forward_mode_and_dual_numbers", "dual-answer",
                 {1: "return MyDual(math.exp(u.value), math.exp(u.value))"})
    assert "ignores the incoming tangent: try a seed other than 1" in text
    assert "✓ exp: the value part" in text


def test_the_closed_form_is_told_what_a_sweep_is():
    text = _text("03_reverse_mode_and_adjoints", "adjoints-answer",
                 {0: "a_bar = b * math.exp(a * b) + 1\nb_bar = a * math.exp(a * b)"})
    assert "✓ ā and b̄" in text  # the numbers at the example point are right ...
    assert "instead of writing the gradient's formula" in text and "ignore the seed" in text


@pytest.mark.parametrize("central", ["return (g(x + h) - g(x)) / h", "return (g(x + h) - g(x - h)) / h"],
                         ids=["forward difference", "divided by h"])
def test_a_best_h_taken_from_wrong_errors_is_sent_back_to_the_errors(central):
    """best_h = hs[np.argmin(errors)] is right; with a wrong central difference the errors are wrong
    and so is the step. The hint once blamed np.argmin ("the step with the largest error")."""
    text = _text("05_finite_differences_and_symbolic", "fd-answer", {0: central})
    assert "where your errors are smallest: the right idea" in text
    assert "largest error" not in text and "not at the bottom of the V" not in text


def test_the_largest_error_picked_is_still_told_so():
    text = _text("05_finite_differences_and_symbolic", "fd-answer", {1: """
errors = np.array([abs(central(g, 1.0, h) - g_exact) / abs(g_exact) for h in hs])
best_h = hs[np.argmax(errors)]
"""})
    assert "That is the step with the largest error" in text and "the right idea" not in text


def test_jacfwd_is_caught_by_counting_evaluations():
    text = _text("04_the_modes_compared", "modes-answer", {0: "return ad.jacfwd(f)(x)"})
    assert "ad.jacfwd computes the whole matrix" in text


def test_a_hessian_is_caught_by_its_memory(monkeypatch):
    """Even called through a helper (so no 'hessian' in hvp's own code), the n² memory shows."""
    answer = ex.answer_source("08_higher_order_derivatives", "hvp-answer")
    source = ex.with_regions(answer, {0: "return via_helper(f, x, v)"})
    namespace = ex.lesson_namespace("08_higher_order_derivatives")
    namespace["via_helper"] = lambda f, x, v: namespace["ad"].hessian(f)(x) @ v
    exec(source, namespace)
    with pytest.raises(Exception) as info:
        namespace["course"].check_hvp(namespace["hvp"])
    assert "MB at its peak" in str(info.value.results[-1].hint)


def test_logaddexp_is_recognised_on_the_tape_too():
    from adviz.check import CheckFailed

    def helper(x):
        return np.logaddexp(0.0, x)

    with pytest.raises(CheckFailed) as info:
        control_flow.check_softplus(lambda x: helper(x))
    assert [r.status for r in info.value.results] == ["pass", "pass", "fail"]


def test_a_numpy_where_softplus_is_told_about_both_branches():
    text = _text("06_control_flow_and_floating_point", "softplus-answer",
                 {0: "return np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))"})
    assert "np.where evaluates both branches" in text


def test_another_correct_softplus_passes():
    control_flow.check_softplus(lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))


def test_leak_detection_finds_numbers_in_any_format():
    assert ex.leaked("expected 2.7183 here", [math.e])
    assert ex.leaked("value -5.0344", [6 * math.cos(10)])
    assert not ex.leaked("step 12 of 27.5", [2.7183])


def test_lesson_3s_quiz_is_graded_like_the_other_exercises():
    """The sweep player's quiz in lesson 3 is an exercise with an autograded check worth points
    (answers typed into the widget are gone when nbgrader runs the notebook again)."""
    stem = "03_reverse_mode_and_adjoints"
    assert "quiz-answer" in ex.exercise_ids(stem)
    assert [grade_id for grade_id, _ in ex.checks_of(stem, "quiz-answer")] == ["quiz-check"]
    cell = next(c for c in ex.notebook(stem)["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "quiz-check")
    assert cell["metadata"]["nbgrader"]["grade"] and cell["metadata"]["nbgrader"]["points"] > 0
    assert cell["metadata"]["nbgrader"]["locked"]
    text = _text(stem, "quiz-answer", {0: 'quiz_answers = {"1.1": 1, "1.2": 1, "2": "-cos(5)", "3.1": 1, '
                                          '"3.2": 1, "4.1": 5, "4.2": 2, "5": 5.5}'})
    assert "✗ 1.2: v̄4" in text and "✗ 4.2: x̄2" in text and "✓ 5: x̄1" in text
    assert "adjoints from every path add up" in text


def test_lesson_3s_text_never_types_a_quiz_answer_for_the_student():
    """The quiz's examples of how to type an answer must not be answers: `-cos(5)` is x̄2 after
    step 2.  Every number or expression the student edition writes in backticks or quotes is read
    as the quiz reads answers; none may be (close to) a quiz answer that is not a whole number."""
    import json
    import re

    from adviz.lessons import edition_text, lesson_paths
    from adviz.render.quiz import AnswerError, close, read_answer

    path = next(p for p in lesson_paths() if p.stem == "03_reverse_mode_and_adjoints")
    text = "".join("".join(c["source"]) for c in json.loads(edition_text(path, "student"))["cells"])
    answers = [float(q.answer) for q in adjoints.survey_quiz().questions if not float(q.answer).is_integer()]
    assert len(answers) == 3
    shown = []
    for snippet in re.findall(r"`([^`\n]+)`|\"([^\"\n]+)\"", text):
        try:
            value = read_answer(snippet[0] or snippet[1])
        except AnswerError:
            continue
        if value.shape == () and any(close(value, a) for a in answers):
            shown.append(snippet[0] or snippet[1])
    assert not shown, f"lesson 3 shows quiz answers as examples: {shown}"


def test_the_quiz_checks_example_of_an_answer_is_not_an_answer(capsys):
    from adviz.check import CheckFailed
    from adviz.render.quiz import close, read_answer

    unreadable = {"1.1": 1, "1.2": -1, "2": "x2", "3.1": 1, "3.2": 1, "4.1": 5, "4.2": "2 - cos(5)", "5": 5.5}
    with pytest.raises(CheckFailed):
        adjoints.check_quiz(unreadable)
    said = capsys.readouterr().out
    example = said.split("functions such as ")[1].split('"')[1]
    assert not any(close(read_answer(example), q.answer) for q in adjoints.survey_quiz().questions)


def test_an_input_used_twice_is_named_at_every_point():
    """'= instead of +=' fails at the example point and away from it: both parts name the idea
    (a is used twice), not the forward values."""
    text = _text("03_reverse_mode_and_adjoints", "adjoints-answer",
                 {0: "v2_bar += v3_bar * 1.0\na_bar += v3_bar * 1.0\nv1_bar += v2_bar * v2\n"
                     "a_bar = v1_bar * b\nb_bar += v1_bar * a"})
    words = " ".join(text.split())  # hints are wrapped at 88 columns
    assert words.count("use += for every update") == 2 and "worked out for one point" not in words


def test_formulas_that_trace_and_count_are_told_to_write_a_formula():
    """Lesson 11's exercise A asks for formulas; tracing the program and counting its nodes gives
    the check's own numbers without the idea, so it fails (both functions), with a hint."""
    from .wrong_answers import WRONG

    measured = next(w for w in WRONG["11_memory_and_checkpointing"] if "tracing the program" in w.label)
    text = _text("11_memory_and_checkpointing", "formulas-answer", measured.regions)
    words = " ".join(text.split())
    assert "✓" not in text
    assert "tape_values traces the program and counts" in words and "peak_values traces the program" in words
    right = _run("11_memory_and_checkpointing", "formulas-answer",
                 ex.answer_source("11_memory_and_checkpointing", "formulas-answer"))
    assert set(right.status.values()) == {"pass"}


def _wrong_text(stem, words_in_label):
    from .wrong_answers import WRONG

    w = next(w for w in WRONG[stem] if words_in_label in w.label)
    return " ".join(_text(stem, w.answer_id, w.regions).split())


def test_kepler_by_finite_differences_is_told_to_use_the_theorem():
    """Central differences agree to 1e-10: the check's tolerance (EXACT) tells them from the rule."""
    words = _wrong_text("10_custom_rules_and_stop_gradient", "finite differences")
    assert "close but not exact, as a finite difference" in words and "implicit function theorem" in words
    assert custom_rules.EXACT <= 1e-12


def test_stop_gradient_around_round_alone_is_told_why_it_records_nothing():
    words = _wrong_text("10_custom_rules_and_stop_gradient", "around round(x) alone")
    assert "✗ built with ad.stop_gradient" in words and "is not even recorded" in words


def test_an_overflow_hint_names_the_point_as_plain_numbers():
    """The hint printed `x = [np.float64(1000.0), …]` (NumPy 2's repr of a list of its scalars)."""
    words = _wrong_text("10_custom_rules_and_stop_gradient", "overflows at 1000")
    assert "the tangent at x = [1000.0, 1001.0, 999.0] is nan" in words and "np.float64" not in words


def test_a_plain_dual_from_sin_is_told_to_build_a_full_dual():
    words = _wrong_text("12_how_ad_systems_are_built", "plain Dual")
    assert "sin of a dual number should return a FullDual, not a Dual" in words


def test_whole_programs_wait_for_the_rules_instead_of_saying_they_passed():
    """'Each rule passed on its own, so …' was printed under a rule that had just failed."""
    words = _wrong_text("12_how_ad_systems_are_built", "multiplies by the operand itself")
    assert "✗ each rule, seed 1 and seed 2.5" in words
    assert "Each rule passed on its own" not in words and "waits for the rules above" in words


def test_a_reverse_sweep_done_by_adviz_is_told_to_sweep_by_hand():
    words = _wrong_text("03_reverse_mode_and_adjoints", "the engine's sweep")
    assert "reverse_sweep runs adviz (ad.grad, ad.vjp, …): that is the engine's sweep, not yours" in words
    assert "✓" not in words


def test_quiz_answers_already_held_get_the_quizs_specific_hint():
    words = _wrong_text("03_reverse_mode_and_adjoints", "values already held")
    assert "✗ 4.2: x̄2 That is what x̄2 already held, from step 2" in words
    assert "✗ 5: x̄1 That is x̄2, which you already have (step 4.2)" in words


def test_a_list_for_one_quiz_answer_is_told_so_in_plain_words():
    """It said "float() argument must be a string or a real number, not 'list'"."""
    words = _wrong_text("03_reverse_mode_and_adjoints", "a list for one number")
    assert "cannot read the answer to 5: x̄1 is one number" in words and "float()" not in words


def test_a_dense_backward_done_by_adviz_is_told_to_write_it_by_hand():
    words = _wrong_text("07_arrays_broadcasting_and_matmul", "the engine's backward pass")
    assert "dense_backward runs adviz (ad.grad, ad.vjp, …)" in words and "✓" not in words


@pytest.mark.parametrize("label", ["sin's template multiplies by the node's own value",
                                   "log's derivative divides by the log"])
def test_a_template_using_the_nodes_own_value_is_told_only_exp_is_its_own_derivative(label):
    words = _wrong_text("12_how_ad_systems_are_built", label)
    assert "uses the node's own value {out} where the local derivative needs its operand {a}" in words


def test_an_engine_hessian_is_told_to_differentiate_by_hand():
    """ad.hessian(g)(x) gives the same matrix as the formulas: the check sees adviz run inside
    hessian_by_hand, says so once, and waits with the other parts."""
    words = _wrong_text("08_higher_order_derivatives", "ad.hessian(g) for the Hessian asked by hand")
    assert "hessian_by_hand runs adviz (ad.hessian, ad.grad, …)" in words
    assert words.count("runs adviz") == 1 and "waits for a Hessian written by hand" in words
    assert "✓" not in words.split("hvp(f, x, v)")[0]


def test_a_hessian_typed_in_at_xg_is_told_to_use_formulas_in_x():
    words = _wrong_text("08_higher_order_derivatives", "numbers at xg typed in")
    assert "✗ the same formulas at other points" in words and "not from numbers worked out for xg" in words


def test_an_engine_hessian_through_a_helper_is_caught_too():
    import adviz as ad
    from adviz.check import CheckFailed

    def helper(x):
        return ad.hessian(higher_order._g)(x)

    with pytest.raises(CheckFailed) as info:
        higher_order.check_hessian_by_hand(lambda x: helper(x))
    assert info.value.results[0].hint == higher_order.BY_HAND


def test_a_ready_made_logsumexp_in_a_helper_is_seen_applying_logaddexp():
    """np.logaddexp.reduce in a helper function (not in the body's own code) still reaches NumPy's
    ufunc protocol: the check watches which ufuncs the body applies."""
    import adviz as ad
    from adviz.check import CheckFailed

    def helper(x):
        return np.logaddexp.reduce(x)

    @ad.custom_jvp
    def logsumexp(x):
        return helper(x)

    @logsumexp.defjvp
    def _(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        value = logsumexp(x)
        return value, np.sum(np.exp(x - value) * x_dot)

    with pytest.raises(CheckFailed) as info:
        custom_rules.check_logsumexp(logsumexp)
    assert [r.status for r in info.value.results] == ["pass", "fail", "pass", "pass"]
    assert "np.logaddexp.reduce" in info.value.results[1].hint


def test_a_dual_number_rule_taken_from_the_engine_is_told_to_use_the_rule():
    words = _wrong_text("12_how_ad_systems_are_built", "sin's tangent from the engine")
    assert "sin runs adviz (ad.grad, ad.jvp, …)" in words and "✗ sin and log of a dual number" in words


@pytest.mark.parametrize("label", ["dg_dx from ad.grad", "the count read off ad.trace",
                                   "the local partials from ad.trace's forward sweep"])
def test_the_engine_in_lesson_1s_by_hand_is_told_to_be_the_engine(label):
    """ad.grad(g)(x) and ad.trace(g, x).primitive_count give the right numbers without the idea:
    the check sees adviz run inside by_hand, says so once (naming the rules, not their values),
    and lets the other parts wait."""
    words = _wrong_text("01_programs_and_the_tape", label)
    assert "✗ by_hand: three answers, worked out without adviz by_hand runs adviz (ad.grad, ad.trace, …)" in words
    assert "the derivative of cos is −sin" in words and words.count("runs adviz") == 1
    assert words.count("waits for answers worked out by hand") == 4 and "✓" not in words


def test_lesson_1s_answers_worked_out_for_x0_are_told_to_use_x():
    words = _wrong_text("01_programs_and_the_tape", "numbers worked out at x0")
    assert "✓ dg_dx: the chain rule" in words  # right at 0.5 ...
    assert "✗ the same formulas at other points x Right at x = 0.5 but not elsewhere" in words  # ... only there


def test_lesson_1s_difference_quotient_is_told_it_is_not_exact():
    words = _wrong_text("01_programs_and_the_tape", "a central difference")
    assert "✗ dg_dx: the chain rule Close, but not exact" in words
    assert "waits for the parts above" in words


def test_lesson_1s_by_hand_returning_one_number_is_told_to_return_three():
    words = _wrong_text("01_programs_and_the_tape", "returns only the derivative")
    assert "by_hand should return three answers" in words and "runs adviz" not in words


def test_the_engine_through_a_helper_in_lesson_1_is_caught_too():
    import adviz as ad
    from adviz.check import CheckFailed

    def slope(x):
        return ad.grad(lambda u: np.exp(np.cos(3 * u)))(x)

    def by_hand(x):
        return 3, [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))], slope(x)

    with pytest.raises(CheckFailed) as info:
        tape.check_tape(by_hand)
    assert info.value.results[0].hint == tape.BY_HAND
    assert [r.status for r in info.value.results] == ["fail"] + ["skip"] * 4


def test_lesson_1s_check_passes_formulas_written_differently():
    """The check compares numbers, not spelling: math instead of NumPy, the chain rule as one formula."""
    import math

    def by_hand(x):
        return 3, (3, -math.sin(3 * x), math.exp(math.cos(3 * x))), -3 * math.sin(3 * x) * math.exp(math.cos(3 * x))

    tape.check_tape(by_hand)


def test_lesson_1s_difference_quotient_lucky_at_x0_is_caught_at_the_other_points():
    """A step tuned to x0 (h = 1.0471285480508985e-06, found by scanning against the exact value)
    makes a central difference pass there (off by 2e-13); at the other points it is off by 3e-11
    and more, and told it is a difference quotient."""
    from adviz.check import CheckFailed

    def g(x):
        return np.exp(np.cos(3 * x))

    def by_hand(x):
        h = 1.0471285480508985e-06
        return 3, [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))], (g(x + h) - g(x - h)) / (2 * h)

    with pytest.raises(CheckFailed) as info:
        tape.check_tape(by_hand)
    assert [r.status for r in info.value.results] == ["pass"] * 4 + ["fail"]
    assert info.value.results[-1].hint == tape.DIFFERENCES


@pytest.mark.parametrize("answers, still", [
    ((3, ..., ...), "local_partials and dg_dx are still `...`"),
    ((..., [3.0, 1.0, 1.0], 1.0), "n_primitives is still `...`"),
    ((3, [3.0, ..., ...], ...), "local_partials and dg_dx are still `...`"),
    ((3, np.array([3.0, ..., 1.0], dtype=object), 1.0), "local_partials is still `...`"),
    ((..., ..., ...), "by_hand still has its `...`"),
])
def test_lesson_1s_half_filled_by_hand_names_the_answers_still_to_write(answers, still):
    """Some `...` filled in is not a ✓ for the first part: it is not done yet, naming the rest."""
    from adviz.check import NotDoneYet

    with pytest.raises(NotDoneYet) as info:
        tape.check_tape(lambda x: answers)
    first, *later = info.value.results
    assert first.status == "todo" and first.hint.startswith(still), first.hint
    assert [r.status for r in later] == ["skip"] * 4 and all(r.hint == "waits for your answers" for r in later)


def test_lesson_1s_by_hand_using_a_still_ellipsis_answer_is_not_done_yet():
    """dg_dx written from local_partials while local_partials is still `...`: not done yet,
    naming it, instead of "your code raised TypeError: 'ellipsis' object is not subscriptable"."""
    from adviz.check import NotDoneYet

    def by_hand(x):
        n_primitives = 3
        local_partials = ...
        dg_dx = local_partials[0] * local_partials[1] * local_partials[2]
        return n_primitives, local_partials, dg_dx

    with pytest.raises(NotDoneYet) as info:
        tape.check_tape(by_hand)
    first = info.value.results[0]
    assert first.status == "todo" and first.hint.startswith("local_partials is still `...` (in by_hand, line "), first.hint
    assert "ellipsis" not in first.hint and "TypeError" not in first.hint


def _g(x):
    return np.exp(np.cos(3 * x))


def _partials(x):
    return [3.0, -np.sin(3 * x), np.exp(np.cos(3 * x))]


def _complex_step(f, x):
    return np.imag(f(x + 1e-20j)) / 1e-20


def _complex_step_in_one_line(x):
    return np.exp(np.cos(3 * (x + 1e-20j))).imag / 1e-20


@pytest.mark.parametrize("by_hand", [
    lambda x: (3, _partials(x), np.imag(_g(x + 1e-20j)) / 1e-20),
    lambda x: (3, _partials(x), np.exp(np.cos(3 * (x + 1e-20j)))[()].imag / 1e-20),
    lambda x: (3, _partials(x), np.exp(np.cos(3 * complex(x, 1e-20))).imag / 1e-20),
    lambda x: (3, _partials(x), _complex_step(_g, x)),
    lambda x: (3, _partials(x), _complex_step_in_one_line(x)),
    lambda x: (3, _partials(x), __import__("cmath").exp(__import__("cmath").cos(3 * (x + 1e-20j))).imag / 1e-20),
], ids=["np.imag of g", "one line of numpy", "complex()", "a helper", "a one-line helper", "cmath"])
def test_lesson_1s_complex_step_is_told_to_use_the_chain_rule(by_hand):
    """The complex step is exact to rounding, so its dg_dx would pass: the check sees complex
    arithmetic inside by_hand (however it is written) and points at the chain rule."""
    from adviz.check import CheckFailed

    assert abs(by_hand(0.5)[2] - tape._reference(0.5)[2]) <= 1e-15  # (it does give the right number)
    with pytest.raises(CheckFailed) as info:
        tape.check_tape(by_hand)
    assert info.value.results[0].hint == tape.COMPLEX and "chain rule" in tape.COMPLEX
    assert [r.status for r in info.value.results] == ["fail"] + ["skip"] * 4


def test_lesson_1s_complex_step_wrong_answer_gets_the_complex_hint():
    words = _wrong_text("01_programs_and_the_tape", "a complex step")
    assert "✗ by_hand: three answers, worked out without adviz by_hand computes with complex numbers" in words
    assert "runs adviz" not in words and "✓" not in words
