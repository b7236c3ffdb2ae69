"""Predict the next tangent or adjoint: the questions of a sweep, and how answers are marked.

The quiz mode of the sweep player (``SweepPlayer(t, mode="reverse", quiz=True)``, and
``adviz graph … --animate --quiz``) stops before each chain-rule term and asks the student
for the value it writes: *"Step 1.2 — v5 = v4 − v3 sends its adjoint back to v3. What is
v̄3 now?"*.  The step is shown only once the student has answered right, or has tried and
then pressed *reveal*.

This module holds everything about the questions and nothing about how they look:

* :func:`questions` reads one :class:`Question` per chain-rule term off the sweep's
  records (``Step``, ``Term``).  The expected answer is the running tangent/adjoint the
  engine recorded (``term.total``), never recomputed here;
* :func:`read_answer` reads what the student typed: a number (``-0.5``), or an expression of
  numbers (``cos(10)*6``, ``1/2 + 5``) read by adviz's own safe expression language, never
  ``eval``; an array as a list (``[1, 2.5]``).  ``−`` and ``·`` copied from the page are
  understood as ``-`` and ``*``;
* :meth:`Quiz.answer` marks it: right when it is within the tolerance of the recorded
  value (:data:`RTOL`, :data:`ATOL`, explained to the student by :data:`TOLERANCE_NOTE`);
  when wrong, a hint names the chain-rule term (``v̄3 += v̄5·(−1)``), or recognises a
  typical slip (the term's contribution alone when the adjoint already held a value; the
  local partial without the incoming adjoint; the right size with the wrong sign), and
  never says the expected value;
* :meth:`Quiz.data` is the same questions for the HTML page, whose script marks answers
  by the same rules (``QUIZ_JS`` in :mod:`adviz.render.html`).

**Arrays.**  A node with at most :data:`MAX_TYPED_ENTRIES` entries is asked whole: type
``[a, b]`` (a matrix as ``[[a, b], [c, d]]``).  A bigger one is asked for one entry, the
one of largest magnitude (first in row-major order among equals), named by its index:
``What is v̄3[1, 0] now?``.

>>> import adviz as ad
>>> t = ad.trace("sin(x**2 + 1)", x=3.0)
>>> quiz = Quiz(t, t.reverse())
>>> quiz.current.prompt
'Step 1 — v3 = sin(v2) sends its adjoint back to v2. What is v̄2 now?'
>>> quiz.answer("0.8").right, quiz.answer("cos(10)").right
(False, True)
>>> str(quiz.score)
'1 of 1 right'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Step, Sweep, Term, Trace

__all__ = [
    "ATOL",
    "ANSWER_FUNCTIONS",
    "MAX_TYPED_ENTRIES",
    "RTOL",
    "TOLERANCE_NOTE",
    "WRONG",
    "AnswerError",
    "Question",
    "Quiz",
    "Score",
    "Verdict",
    "close",
    "describe",
    "mark",
    "questions",
    "read_answer",
    "tolerance_note",
    "typing_examples",
]

RTOL = 2e-3
"""Relative tolerance: an answer within 0.2 % of the recorded value is right.

Why not exact?  Floating-point arithmetic rounds every result (``0.1 + 0.2`` is
``0.30000000000000004``), so the engine's number and a student's differ in the last
digits even when both did the same arithmetic.  Why so wide?  The graph and the table
show 4 significant digits; a product of two numbers rounded that way can be 0.1 % off,
and that is still a right answer.  A wrong chain-rule step is off by far more."""

ATOL = 1e-9
"""Absolute tolerance, for answers that are (or should be) zero: ``0`` is right for a
recorded ``1e-17`` left over from rounding."""

MAX_TYPED_ENTRIES = 4
"""Arrays with at most this many entries are typed whole (``[a, b, c]``); larger ones are
asked for one entry."""

ANSWER_FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "abs",
                    "log1p", "expm1", "arctan", "atan", "arcsin", "asin", "arccos", "acos")
"""Functions an answer may use (``cos(10)*6``); the page's script knows the same ones."""

_EXAMPLE_NUMBERS = (("-0.8391", -0.8391), ("0.25", 0.25), ("-1.5", -1.5), ("2.75", 2.75), ("-3.2", -3.2))
_EXAMPLE_EXPRESSIONS = (("cos(10)*6", 6 * math.cos(10)), ("1/2 + 5", 5.5), ("exp(1)/3", math.e / 3),
                        ("sqrt(2)*4", 4 * math.sqrt(2)), ("-sin(2)/7", -math.sin(2) / 7))


def typing_examples(answers: Any = ()) -> tuple[str, str]:
    """A number and an expression of numbers that show how an answer is typed, chosen so that
    neither (nor its negative) is within 1 % of an answer of the quiz: the example under the
    answer box of ``sin(x**2+1)`` at 3 must not be ``cos(10)*6``, which is its x̄."""
    values = [abs(v) for a in answers for v in np.ravel(np.asarray(a, dtype=float)) if np.isfinite(v)]

    def free(value: float) -> bool:
        return all(abs(abs(value) - v) > 0.01 * v for v in values)

    number = next((t for t, v in _EXAMPLE_NUMBERS if free(v)), _EXAMPLE_NUMBERS[-1][0])
    expression = next((t for t, v in _EXAMPLE_EXPRESSIONS if free(v)), _EXAMPLE_EXPRESSIONS[-1][0])
    return number, expression


def tolerance_note(answers: Any = ()) -> str:
    """What the quiz says about how answers are compared, with examples that answer nothing."""
    number, expression = typing_examples(answers)
    return (f"Answers are checked to within {RTOL:.1%} (relative): the graph shows 4 significant "
            "digits, and floating-point arithmetic rounds every result (0.1 + 0.2 gives "
            "0.30000000000000004), so an exact comparison would mark right answers wrong. "
            f"Type a number ({number}) or an expression of numbers ({expression}).")


TOLERANCE_NOTE = tolerance_note()
"""What the quiz says about how answers are compared (:meth:`Quiz.note` picks its examples
among numbers that are none of the quiz's answers)."""


WRONG = "✗ Not quite."
"""How a wrong answer's message starts (a hint follows)."""


class AnswerError(ValueError):
    """What the student typed cannot be read as a number (or an array of the right shape)."""


def close(typed: Any, expected: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``|typed − expected| ≤ atol + rtol·|expected|`` entry by entry (shapes must match)."""
    a, b = np.asarray(typed, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(a - b) <= atol + rtol * np.abs(b)
    return bool(np.all(ok | ((a == b) & np.isinf(b))))


def read_answer(text: str) -> np.ndarray:
    """What the student typed, as a float array (0-d for a number).

    >>> float(read_answer("−0.5")), float(read_answer("1·cos(0)*6"))
    (-0.5, 6.0)
    >>> read_answer("[1, 2.5]").tolist()
    [1.0, 2.5]
    """
    from ..expr import Call, ParseError, parse, postorder

    source = (text or "").strip().replace("−", "-").replace("·", "*").replace("×", "*")
    if not source:
        raise AnswerError("type a number first")
    try:
        expression = parse(source)
    except ParseError as error:
        raise AnswerError(f"cannot read {text.strip()!r}: {error.message}") from None
    if expression.variables:
        names = ", ".join(expression.variables)
        raise AnswerError(f"type a number, not a formula in {names} (write the values in: 2*5, not x1*x2)")
    for node in postorder(expression.tree):
        if isinstance(node, Call) and node.name not in ANSWER_FUNCTIONS:
            raise AnswerError(f"{node.name}() is not allowed in an answer; use {', '.join(ANSWER_FUNCTIONS[:10])}")
    with np.errstate(all="ignore"):
        value = np.asarray(expression(), dtype=float)
    if not np.all(np.isfinite(value)):
        raise AnswerError(f"{text.strip()!r} is not a finite number")
    return value


# ---------------------------------------------------------------- the questions of a sweep


@dataclass(frozen=True)
class Question:
    """One chain-rule term of a sweep, asked before it is shown.

    ``step``: the whole step it belongs to (1 … n); ``label``: its number as every view
    writes it (``"3"`` or ``"3.2"``); ``symbol``: what is asked (``"x̄1"``, or
    ``"v̄3[1, 0]"`` for one entry); ``answer``: the value recorded by the engine (a float,
    or a float array for a small array node); ``hint``: the chain-rule term, in words and
    symbols; ``slips``: (value, message) pairs for typical wrong answers.
    """

    number: int
    step: int
    label: str
    symbol: str
    prompt: str
    answer: Any
    hint: str
    slips: tuple[tuple[Any, str], ...] = ()
    entry: tuple[int, ...] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.answer)

    @property
    def exact(self) -> str:
        """The recorded answer with 10 significant digits (shown after a right answer or a reveal)."""
        return _exact(self.answer)

    @property
    def right_text(self) -> str:
        """What a right answer gets: ``✓ Right: x̄1 = 5.5.``"""
        return f"✓ Right: {self.symbol} = {self.exact}."

    @property
    def reveal_text(self) -> str:
        """What a reveal shows: the answer and the chain-rule term that gives it."""
        return f"Revealed: {self.symbol} = {self.exact}. {self.hint}"


def _exact(value: Any) -> str:
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.10g}".replace("-", "−")
    return "[" + ", ".join(_exact(v) for v in a) + "]"


def _symbol(name: str, mode: str) -> str:
    from ..engine import notation

    return notation.dot(name) if mode == "forward" else notation.bar(name)


def _entry(value: Any) -> tuple[int, ...] | None:
    """Which entry to ask for: None (all of it) for a small array, else the largest in magnitude."""
    a = np.asarray(value, dtype=float)
    if a.size <= MAX_TYPED_ENTRIES:
        return None
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(a))), a.shape))


def _pick(value: Any, shape: tuple[int, ...], entry: tuple[int, ...] | None) -> Any:
    """``value`` as the question asks it (the entry, if one is asked); None if it does not fit."""
    if value is None:
        return None
    a = np.asarray(value)
    if np.iscomplexobj(a) or not np.issubdtype(a.dtype, np.number):
        return None
    a = a.astype(float)
    if a.ndim == 0 and entry is not None:
        return float(a)
    if a.shape != shape:
        return None
    return float(a[entry]) if entry is not None else (float(a) if a.ndim == 0 else a)


def _question(trace: Trace, sweep: Sweep, s: Step, j: int, term: Term, number: int,
              held: tuple[tuple[int, Any, str], ...] = ()) -> Question:
    """The question of one term.  ``held``: (node, value, where) of the tangents or adjoints the
    sweep already holds before this term, the most recent first (``where``: "step 2", "the seed")."""
    mode = sweep.mode
    k = s.index + 1
    node = trace.nodes[s.node]
    src, tgt = term.names
    shape = np.shape(term.total)
    entry = _entry(term.total)
    where = "" if entry is None else "[" + ", ".join(map(str, entry)) + "]"
    symbol = _symbol(tgt, mode) + where
    label = sweep.step_label(k, j)
    several = len(s.terms) > 1
    if mode == "reverse":
        what = f"{node.name} = {node.definition} sends its adjoint back to {tgt}."
        incoming, word = _symbol(src, mode), "adjoint"
    else:
        through = f": {'first' if j == 1 else 'then'} the term through {src}" if several else ""
        what = f"{node.name} = {node.definition} gets its tangent{through}."
        incoming, word = _symbol(src, mode), "tangent"
    asked = f"What is {symbol} now?" if mode == "reverse" or j > 1 else f"What is {symbol}?"
    if entry is not None:
        asked += f" (one entry of the {shape} array)"
    elif shape:
        asked += f" (a {shape} array: type it as a list, [a, b, …])"
    prompt = f"Step {label} — {what} {asked}"

    partial = f"∂{node.name}/∂{tgt}" if mode == "reverse" else f"∂{tgt}/∂{src}"
    if mode == "reverse":
        how = f"the adjoint arriving from {src} ({incoming}) times the local partial {partial}"
    else:
        how = f"the local partial {partial} times the tangent of {src} ({incoming})"
    if not term.first:
        how += (f", added to what {_symbol(tgt, mode)} already holds" if mode == "reverse"
                else ", added to the terms before it")
    hint = f"Chain rule: {term.update()} — {how}."

    answer = _pick(term.total, shape, entry)
    slips: list[tuple[Any, str]] = []
    if not term.first:
        if mode == "reverse":
            text = (f"That is this term's contribution alone; {_symbol(tgt, mode)} already held a value "
                    f"from an earlier step: adjoints from every path add up.")
        else:
            text = f"That is the term through {src} alone; add the term(s) before it."
        slips.append((_pick(term.contribution, shape, entry), text))
    carried = s.value if mode == "reverse" else sweep.values[term.source]
    slips.append((_pick(term.partial_value, shape, entry) if term.partial_value is not None else None,
                  f"That is the local partial {partial} alone: multiply it by the incoming {word} {incoming}."))
    slips.append((_pick(carried, shape, entry),
                  f"That is the incoming {word} {incoming} alone: multiply it by the local partial {partial}."))
    slips.append((None if answer is None else -np.asarray(answer),
                  f"Right size, wrong sign: look again at the sign of the local partial {partial} "
                  f"and of {incoming}."))
    slips.extend(_held_slips(trace, sweep, term, label, symbol, shape, entry, held))
    kept: list[tuple[Any, str]] = []
    for value, text in slips:  # a slip that is (close to) the right answer is no slip
        if value is None or answer is None or close(value, answer):
            continue
        if any(close(value, v) for v, _ in kept):
            continue
        kept.append((value, text))
    return Question(number, k, label, symbol, prompt, answer, hint, tuple(kept), entry)


MAX_HELD_SLIPS = 8
"""At most this many values the sweep already holds are recognised per question (the most recent)."""


def _held_slips(trace: Trace, sweep: Sweep, term: Term, label: str, symbol: str, shape: tuple[int, ...],
                entry: tuple[int, ...] | None, held: tuple[tuple[int, Any, str], ...]) -> list[tuple[Any, str]]:
    """Slips for an answer the student already has: what the target held before this term,
    or another node's tangent/adjoint found earlier.  The message names that value by its
    symbol and where it came from, and says what this term does instead (its update in
    symbols); it never says the number asked for.  Values that are zero are left out: a
    zero is held by many nodes, so it says nothing about which one the student meant.
    """
    mode = sweep.mode
    where_entry = "" if entry is None else "[" + ", ".join(map(str, entry)) + "]"
    src, tgt = term.names
    out: list[tuple[Any, str]] = []
    mine_first = sorted(held, key=lambda h: h[0] != term.target)  # stable: then the most recent first
    for node, held_value, where in mine_first:
        value = _pick(held_value, shape, entry)
        if value is None or close(value, np.zeros_like(value)):
            continue
        if node == term.target:
            if mode == "reverse":
                text = (f"That is what {symbol} already held, from {where}: step {label} adds this term's "
                        f"contribution to it, {term.update()}.")
            else:
                text = (f"That is {symbol} before this term, from {where}: add the term through {src}, "
                        f"{term.update()}.")
        else:
            name = _symbol(trace.nodes[node].name, mode) + (where_entry if np.ndim(held_value) else "")
            text = (f"That is {name}, which you already have ({where}). Step {label} asks for {symbol}: "
                    f"{term.update()}.")
        out.append((value, text))
    return out


def questions(trace: Trace, sweep: Sweep) -> list[Question]:
    """One :class:`Question` per chain-rule term of ``sweep``, in the order the sweep applies them.

    Steps without terms (a recomputed value inside ``ad.checkpoint``, a node no tangent
    reaches) ask nothing: they are shown together with the step before the next question.
    Terms whose value is not a real number (complex tangents) are not asked either.
    """
    out: list[Question] = []
    names = {node.name: node.index for node in trace.nodes}
    held: dict[int, tuple[Any, str]] = {names[k]: (v, "the seed") for k, v in sweep.seed.items() if k in names}
    for s in sweep.steps:
        for j, term in enumerate(s.terms, start=1):
            recent = tuple((node, v, where) for node, (v, where) in reversed(held.items()))[:MAX_HELD_SLIPS]
            own = held.get(term.target)
            if own is not None and all(node != term.target for node, _, _ in recent):
                recent += ((term.target, *own),)
            q = _question(trace, sweep, s, j, term, len(out) + 1, recent)
            if q.answer is not None:
                out.append(q)
            held.pop(term.target, None)  # the most recent last
            held[term.target] = (term.total, f"step {sweep.step_label(s.index + 1, j)}")
    return out


# ---------------------------------------------------------------- marking and score


@dataclass(frozen=True)
class Verdict:
    """How an answer was marked: ``right``; ``message`` (✓/✗ and what to do next)."""

    right: bool
    message: str
    revealed: bool = False


def mark(q: Question, typed: Any, rtol: float = RTOL, atol: float = ATOL) -> Verdict:
    """Mark one answer to ``q`` (text as typed, or a number); no state is kept.

    Right: within the tolerance of the recorded value.  Wrong: the message is the first
    typical slip the answer matches, else the chain-rule hint.  Raises
    :class:`AnswerError` when the answer cannot be read or has the wrong shape.
    """
    value = read_answer(typed) if isinstance(typed, str) else np.asarray(typed, dtype=float)
    if value.shape != q.shape:
        want = "one number" if q.shape == () else "an array: type it as a list [a, b, …]"
        raise AnswerError(f"{q.symbol} is {want}")
    if close(value, q.answer, rtol, atol):
        return Verdict(True, q.right_text)
    slip = next((text for v, text in q.slips if close(value, v, rtol, atol)), None)
    return Verdict(False, f"{WRONG} {slip or q.hint}")


@dataclass(frozen=True)
class Score:
    """The quiz so far.  ``right``: questions answered right (before any reveal);
    ``first_try``: of those, right at the first try; ``revealed``: questions shown after
    pressing reveal; ``wrong``: wrong tries in all; ``total``: questions in the quiz.

    ``str(score)`` is what the student reads: ``"3 of 5 right"`` (5 questions done).
    """

    right: int
    first_try: int
    revealed: int
    wrong: int
    total: int

    @property
    def done(self) -> int:
        return self.right + self.revealed

    @property
    def finished(self) -> bool:
        return self.done == self.total

    @property
    def fraction(self) -> float:
        """Share of all questions answered right: a grade between 0 and 1."""
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.right} of {self.done} right"


@dataclass
class Quiz:
    """The questions of one sweep, asked one at a time, with the student's score.

    ``answer(text)`` marks an answer to the current question (a wrong one can be tried
    again); ``reveal()`` gives up on it (only after a wrong try); ``shown`` is how many
    whole steps of the sweep may be shown now.
    """

    trace: Trace
    sweep: Sweep
    rtol: float = RTOL
    atol: float = ATOL
    questions: list[Question] = field(init=False)
    position: int = field(init=False, default=0)
    tries: list[int] = field(init=False)
    outcome: list[str | None] = field(init=False)  # None, "right", "revealed"

    def __post_init__(self) -> None:
        self.questions = questions(self.trace, self.sweep)
        self.tries = [0] * len(self.questions)
        self.outcome = [None] * len(self.questions)

    @property
    def current(self) -> Question | None:
        """The question being asked, or None when the quiz is done."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def shown(self) -> int:
        """Whole steps that may be shown: every step before the current question's."""
        q = self.current
        return len(self.sweep.steps) if q is None else q.step - 1

    @property
    def score(self) -> Score:
        right = sum(1 for o in self.outcome if o == "right")
        first = sum(1 for o, t in zip(self.outcome, self.tries) if o == "right" and t == 0)
        return Score(right, first, sum(1 for o in self.outcome if o == "revealed"), sum(self.tries),
                     len(self.questions))

    @property
    def can_reveal(self) -> bool:
        return self.current is not None and self.tries[self.position] > 0

    def answer(self, typed: Any) -> Verdict:
        """Mark ``typed`` (text as the student typed it, or a number) for the current question.

        Raises :class:`AnswerError` if it cannot be read (that is no try), ``ValueError``
        when the quiz is done.
        """
        q = self._need_question()
        verdict = mark(q, typed, self.rtol, self.atol)
        if verdict.right:
            self.outcome[self.position] = "right"
            self.position += 1
        else:
            self.tries[self.position] += 1
        return verdict

    def reveal(self) -> Verdict:
        """Show the current question's answer and move on (allowed after one wrong try)."""
        q = self._need_question()
        if not self.can_reveal:
            raise ValueError("try an answer first: reveal is there after a wrong try")
        self.outcome[self.position] = "revealed"
        self.position += 1
        return Verdict(False, q.reveal_text, revealed=True)

    def _need_question(self) -> Question:
        q = self.current
        if q is None:
            raise ValueError(f"the quiz is done: {self.score}")
        return q

    @property
    def note(self) -> str:
        """:data:`TOLERANCE_NOTE`, with typing examples that are none of this quiz's answers."""
        return tolerance_note(q.answer for q in self.questions)

    @property
    def placeholder(self) -> str:
        """The answer box's grey example text, again none of this quiz's answers."""
        return "e.g. {} or {}".format(*typing_examples(q.answer for q in self.questions))

    def data(self) -> dict[str, Any]:
        """The questions for a page's script (JSON-ready); it marks answers by the same rules.

        The answers are in it: a page that marks answers without a server has to carry
        them.  Fine for self-study, not for an exam.
        """
        def plain(value: Any) -> Any:
            return np.asarray(value, dtype=float).tolist()

        return {
            "rtol": self.rtol, "atol": self.atol, "functions": list(ANSWER_FUNCTIONS), "note": self.note,
            "wrong": WRONG,
            "questions": [{"step": q.step, "label": q.label, "symbol": q.symbol, "prompt": q.prompt,
                           "answer": plain(q.answer), "right": q.right_text, "reveal": q.reveal_text, "hint": q.hint,
                           "slips": [[plain(v), text] for v, text in q.slips]} for q in self.questions],
        }


def describe(quiz: Quiz) -> str:
    """One line for the end of a quiz: ``Done: 4 of 5 right (3 at the first try).``"""
    s = quiz.score
    return (f"Done: {s.right} of {s.total} right ({s.first_try} at the first try"
            + (f", {s.revealed} revealed" if s.revealed else "") + ").")

