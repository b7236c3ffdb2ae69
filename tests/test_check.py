"""adviz.check: per-part ✓/✗ with hints, "not done yet" for stubs, questions that reveal only after a guess."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from adviz.check import CheckFailed, NotDoneYet, Question, Questions, check, refers_to


def _run(body, capsys):
    """Run ``body(c)`` inside a check; return (exception or None, printed text)."""
    try:
        with check("the thing") as c:
            body(c)
    except CheckFailed as err:
        return err, capsys.readouterr().out
    return None, capsys.readouterr().out


def test_a_passing_check_prints_one_tick_per_part_and_raises_nothing(capsys):
    def body(c):
        with c.part("first"):
            c.expect(True, "never shown")
        with c.part("second"):
            c.close([1.0, 2.0], [1.0, 2.0 + 1e-12], "never shown")

    err, out = _run(body, capsys)
    assert err is None
    assert out == "Checking: the thing\n  ✓ first\n  ✓ second\nAll 2 parts correct.\n"


def test_a_failing_part_shows_its_hint_and_the_check_raises(capsys):
    def body(c):
        with c.part("good"):
            pass
        with c.part("bad"):
            c.close(3.0, 2.0, "think about the chain rule")
        with c.part("after the bad one"):
            pass

    err, out = _run(body, capsys)
    assert isinstance(err, CheckFailed) and not isinstance(err, NotDoneYet)
    assert isinstance(err, AssertionError)  # nbgrader and pytest treat it as a failed assertion
    assert "  ✗ bad\n      think about the chain rule\n  ✓ after the bad one" in out
    assert [r.status for r in err.results] == ["pass", "fail", "pass"]
    assert "1 of 3 parts needs another look" in str(err)
    assert "2.0" not in out  # the expected value is never printed
    assert err._render_traceback_() == [f"\x1b[0;31mCheckFailed\x1b[0m: {err}"]


@pytest.mark.parametrize("stub", [..., None])
def test_a_stub_value_is_not_done_yet(stub, capsys):
    def body(c):
        with c.part("the value"):
            c.number(stub, "answer")

    err, out = _run(body, capsys)
    assert isinstance(err, NotDoneYet)
    assert "· the value — not done yet" in out and "answer is still `...`" in out
    assert "Not done yet" in str(err)


def test_stub_functions_are_not_done_yet(capsys):
    def empty(x):
        """Nothing written yet."""

    def raising(x):
        raise NotImplementedError()

    def body(c):
        with c.part("empty body"):
            c.call(empty, 1.0)
        with c.part("not implemented"):
            c.call(raising, 1.0)
        with c.part("no function at all"):
            c.call(..., 1.0, name="f")

    err, out = _run(body, capsys)
    assert isinstance(err, NotDoneYet)
    assert [r.status for r in err.results] == ["todo", "todo", "todo"]
    assert "empty returned nothing" in out


def test_a_wrong_part_wins_over_an_unfinished_one(capsys):
    def body(c):
        with c.part("unfinished"):
            c.answer(..., "x")
        with c.part("wrong"):
            c.fail("no")

    err, _ = _run(body, capsys)
    assert type(err) is CheckFailed


def test_student_exceptions_are_reported_in_their_part(capsys):
    def student(x):
        return x / "oops"

    def returns_none(x):
        pass

    def body(c):
        with c.part("raises"):
            c.call(student, 1.0)
        with c.part("uses a None"):
            c.call(lambda: returns_none(1) + 1, name="g")

    err, out = _run(body, capsys)
    assert [r.status for r in err.results] == ["fail", "fail"]
    text = " ".join(out.split())  # hints are wrapped at 88 columns
    assert "your code raised TypeError: unsupported operand" in text and "(in student, line" in text
    assert "is a return missing?" in text
    assert max(len(line) for line in out.splitlines() if line.startswith("      ")) <= 6 + 88


def test_code_that_uses_a_still_ellipsis_answer_is_not_done_yet_naming_it(capsys):
    """`local_partials[0]` while local_partials is still `...` is unfinished, not a ✗ with a TypeError."""
    def subscripts(x):
        local_partials = ...
        slope = local_partials[0] * x
        return slope

    def calls_a_method(x):
        values = ...
        return values.sum()

    def in_numpy(x):
        v1 = ...
        return np.exp(v1) + x

    def two_on_one_line(x):
        a, b = ..., ...
        return a * b

    def body(c):
        for fn in (subscripts, calls_a_method, in_numpy, two_on_one_line):
            with c.part(fn.__name__):
                c.call(fn, 1.0)
        with c.part("a real TypeError"):
            c.call(lambda x: x / "oops", 1.0, name="g")

    err, out = _run(body, capsys)
    assert isinstance(err, CheckFailed) and not isinstance(err, NotDoneYet)   # the real error still counts
    assert [r.status for r in err.results] == ["todo"] * 4 + ["fail"]
    hints = [r.hint for r in err.results]
    assert hints[0].startswith("local_partials is still `...` (in subscripts, line ")
    assert hints[1].startswith("values is still `...` (in calls_a_method, line ")
    assert hints[2].startswith("v1 is still `...` (in in_numpy, line ")
    assert hints[3].startswith("a and b are still `...` (in two_on_one_line, line ")
    assert not any("ellipsis" in h or "raised" in h for h in hints[:4]), hints
    assert "your code raised TypeError" in hints[4]

    def body_todo(c):
        with c.part("only unfinished"):
            c.call(subscripts, 1.0)

    err, out = _run(body_todo, capsys)
    assert isinstance(err, NotDoneYet) and "not done yet" in out and "TypeError" not in out


def test_an_exception_outside_the_parts_is_reported_too(capsys):
    def body(c):
        with c.part("fine"):
            pass
        raise ValueError("broken input")

    err, out = _run(body, capsys)
    assert [r.name for r in err.results] == ["fine", "running the check"]
    assert "ValueError: broken input" in out


def test_keyboard_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        with check("t") as c:
            with c.part("p"):
                raise KeyboardInterrupt


def test_parts_can_be_skipped_after_a_failure(capsys):
    def body(c):
        with c.part("shapes"):
            c.fail("wrong shape")
        if not c.all_passed:
            c.skip("values", "checked once the shapes are right")

    err, out = _run(body, capsys)
    assert "  · values — checked once the shapes are right" in out
    assert [r.status for r in err.results] == ["fail", "skip"]
    assert "1 of 2 parts needs another look" in str(err)


def test_numbers_and_arrays_are_validated(capsys):
    def body(c):
        with c.part("text"):
            c.number("three", "n")
        with c.part("vector"):
            c.number([1.0, 2.0], "n")
        with c.part("shape"):
            c.array(np.zeros((2, 3)), "W_bar", (3, 2), "like W")
        with c.part("nan matches nan"):
            c.close([np.nan, 1.0], [np.nan, 1.0], "never")
        with c.part("inf is not a number nearby"):
            c.close(np.inf, 1e308, "too big")

    err, out = _run(body, capsys)
    assert [r.status for r in err.results] == ["fail", "fail", "fail", "pass", "fail"]
    assert "n should be a number, not str" in out and "W_bar has shape (2, 3). like W" in out


def test_warnings_are_silenced_inside_and_restored_after(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with check("quiet") as c:
            with c.part("overflow"):
                np.exp(np.array(1000.0))
                warnings.warn("a warning on stderr would cost the nbgrader cell its points")
        assert np.geterr()["over"] == "warn"
        with pytest.raises(UserWarning):
            warnings.warn("loud again")
    assert "✓ overflow" in capsys.readouterr().out


def test_refers_to_sees_attribute_names_and_inner_functions():
    import adviz as ad

    def direct(f, x):
        return ad.jacfwd(f)(x)

    def nested(f, x):
        def inner():
            return ad.hessian(f)(x)
        return inner()

    def clean(f, x):
        return ad.jvp(f, (x,), (x,))

    assert refers_to(direct, ["jacfwd", "hessian"]) == ["jacfwd"]
    assert refers_to(nested, ["jacfwd", "hessian"]) == ["hessian"]
    assert refers_to(clean, ["jacfwd", "hessian"]) == []
    assert refers_to(np.sin, ["sin"]) == []  # no Python code to look at


# ---------------------------------------------------------------- predict, then run
CHOICE = Question("loop", answer="b", choices={"a": "1", "b": "3"}, explanation="The loop runs three times.",
                  feedback={"a": "Each pass records a line."})
NUMBER = Question("count", answer=65, explanation="32 + 16 + 16 + 1.", atol=0.5)


def test_a_question_waits_for_a_prediction(capsys):
    assert CHOICE(...) is None
    out = capsys.readouterr().out
    assert "Make your prediction first" in out and "three" not in out and "(b)" not in out
    assert NUMBER(None) is None
    assert "65" not in capsys.readouterr().out


def test_a_question_says_right_or_wrong_and_explains(capsys):
    assert CHOICE("(B)") is True
    assert capsys.readouterr().out == "✓ Right: (b) 3. The loop runs three times.\n"
    assert CHOICE("a") is False
    out = capsys.readouterr().out
    assert out.startswith("✗ Not quite: you predicted (a) 1; the answer is (b) 3. Each pass records a line.")
    assert NUMBER(65.2) is True and NUMBER("64") is False
    assert "the answer is 65" in capsys.readouterr().out


def test_a_question_refuses_answers_it_cannot_read(capsys):
    assert CHOICE("z") is None and NUMBER("many") is None and NUMBER(float("nan")) is False
    out = capsys.readouterr().out
    assert 'Answer with one of "a", "b"' in out and "Answer with a number" in out


def test_questions_are_asked_by_key_and_validated(capsys):
    questions = Questions(CHOICE, NUMBER)
    assert len(questions) == 2 and questions["loop"] is CHOICE
    assert questions.predict("count", 65) is None  # prints, returns nothing for a notebook to display
    assert "✓ Right" in capsys.readouterr().out
    with pytest.raises(KeyError, match="this lesson asks loop, count"):
        questions.predict("nope", 1)
    with pytest.raises(ValueError, match="share the key"):
        Questions(CHOICE, CHOICE)
    with pytest.raises(ValueError, match="not one of its choices"):
        Questions(Question("bad", answer="z", choices={"a": "1"}, explanation=""))


def test_call_by_hand_fails_a_function_that_runs_adviz_and_restores_the_hook():
    import adviz as ad
    from adviz.check import CheckFailed, check, transforms_counted
    from adviz.engine import tracer

    hook = tracer.TRANSFORM_HOOKS[0]
    with pytest.raises(CheckFailed) as info:
        with check("by hand") as c:
            with c.part("plain Python"):
                c.expect(c.call_by_hand(lambda x: 2 * x, 3.0, hint="no adviz here") == 6.0, "wrong")
            with c.part("the engine"):
                c.call_by_hand(lambda x: ad.grad(lambda y: y * y)(x), 3.0, hint="write it by hand")
    assert [r.status for r in info.value.results] == ["pass", "fail"]
    assert info.value.results[1].hint == "write it by hand"
    assert tracer.TRANSFORM_HOOKS[0] is hook
    with transforms_counted() as started:
        ad.trace(lambda x: x + 1, 1.0)
        ad.grad(lambda x: x * x)(2.0)
    assert started == [2] and tracer.TRANSFORM_HOOKS[0] is hook


def test_complex_arithmetic_is_seen_in_calls_and_in_code_but_real_arithmetic_is_not():
    import sys

    from adviz.check import complex_arithmetic_seen

    def real(x):
        return np.exp(np.cos(3 * x)) * -np.sin(3 * x) * 3

    def through_a_call(x):
        return np.imag(np.exp(x + 1e-20j))

    def literal_in_one_line(x):
        return np.exp(np.asarray(x) + 1e-20j).imag

    for fn, complex_inside in ((real, False), (through_a_call, True), (literal_in_one_line, True)):
        with complex_arithmetic_seen() as seen:
            fn(0.5)
        assert seen == [complex_inside], fn.__name__
        assert sys.getprofile() is None  # the hook is gone afterwards


def test_complex_arithmetic_watch_leaves_a_running_profiler_alone():
    import sys

    from adviz.check import complex_arithmetic_seen

    def profiler(frame, event, arg):
        return None

    sys.setprofile(profiler)
    try:
        with complex_arithmetic_seen() as seen:
            np.imag(np.exp(0.5 + 1e-20j))
        assert seen == [False] and sys.getprofile() is profiler
    finally:
        sys.setprofile(None)
