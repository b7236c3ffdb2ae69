"""Checks that teach: one ✓ or ✗ per part of an exercise, a hint that points at the idea,
and never the answer itself.

Every lesson ends its exercise with a *check cell*.  The check runs the student's answer
against the course's own reference, part by part, and prints one line per part::

    Checking: the dual-number rules for / and exp
      ✓ exp: the value part
      ✗ exp: the tangent part
          Your rule ignores the incoming tangent: try a seed other than 1.
      ✓ division
    1 of 3 parts needs another look: read the hints above, change your answer, run both cells again.

Three rules make a check teach rather than merely grade:

* **A hint names the concept, not the number.**  "an input used twice collects both
  contributions (+=)" helps; "expected 2.7183" only invites copying.  A check never prints
  the value it expected (the course's tests scan every message for it).
* **Unfinished is not wrong.**  While the answer is still the stub the student was given
  (a ``...`` placeholder, ``None``, a function whose body is ``pass`` or raises ``NotImplementedError``), the
  check says *not done yet* instead of listing failures.  So does student code that fails by
  using a ``...`` not replaced yet (``local_partials[0]`` while ``local_partials = ...``): the
  part is *not done yet*, naming what is still ``...``, not a ✗ with a Python error.
* **A check fails loudly but briefly.**  Any failed part raises :class:`CheckFailed`, an
  unfinished answer :class:`NotDoneYet` (both ``AssertionError``\\ s, so nbgrader's
  autograder gives the cell no points).  In Jupyter they show as one red line, not a
  traceback: IPython asks an exception for ``_render_traceback_()`` before formatting one.

Writing a check (the modules of :mod:`adviz.course` are full of examples)::

    from adviz.check import check

    def check_softplus(softplus):
        with check("a softplus that never overflows") as c:
            with c.part("finite values from -800 to 800"):
                for x in (-800.0, 0.0, 800.0):
                    c.expect(np.isfinite(c.call(softplus, x)), "exp(800) overflows: use the identity")

Student code runs inside ``c.call`` (which turns a stub into *not done yet*) and inside a
part (which turns any exception into a ✗ naming it).  An exercise to be done by hand (a
reverse sweep, a backward pass, a count written as a formula) uses ``c.call_by_hand(fn, …,
hint=…)`` instead: if ``fn`` starts any adviz transform (``ad.trace``, ``ad.grad``, …), the
part fails with ``hint``, since the engine would give the right numbers without the idea.  While a check runs, floating-point
warnings are silenced: a warning printed to stderr would make nbgrader give zero points.

"Predict, then run" questions use :class:`Question`: the student types a guess, the
question says whether it was right and explains why (it reveals the answer only after a
guess was made, and never raises).
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import sysconfig
import textwrap
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

import numpy as np

__all__ = ["check", "Check", "CheckFailed", "NotDoneYet", "PartResult", "Question", "Questions", "refers_to", "transforms_counted",
           "complex_arithmetic_seen"]

PASS, FAIL, TODO, SKIP = "pass", "fail", "todo", "skip"
HINT_WIDTH = 88
MARKS = {PASS: "✓", FAIL: "✗", TODO: "·", SKIP: "·"}


# ---------------------------------------------------------------- what a failed check raises
class CheckFailed(AssertionError):
    """At least one part of an exercise is wrong; ``results`` says which (the hints were printed)."""

    def __init__(self, message: str, results: Sequence["PartResult"] = ()):
        super().__init__(message)
        self.results = list(results)

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the hints are already printed above.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class NotDoneYet(CheckFailed):
    """The answer is still the stub the student was given: nothing to check yet."""


class _Wrong(Exception):
    """Raised inside a part by :meth:`Check.expect` / :meth:`Check.fail`: carries the hint."""


class _Unfinished(Exception):
    """Raised inside a part when an answer is still a stub (``...``, ``None``, not implemented)."""


@dataclass(frozen=True)
class PartResult:
    """How one part of a check went: ``status`` is ``"pass"``, ``"fail"``, ``"todo"`` or ``"skip"``."""

    name: str
    status: str
    hint: str = ""


def _is_stub(value: Any) -> bool:
    return value is None or value is Ellipsis


# ---------------------------------------------------------------- the check itself
class Check:
    """One exercise's check: a title, then parts, each ✓, ✗ (with a hint) or not done yet.

    Use it through :func:`check` as a ``with`` block; leaving the block prints the verdict
    and raises :class:`CheckFailed` / :class:`NotDoneYet` unless every part passed.
    """

    def __init__(self, title: str, *, success: str = "", echo: Callable[[str], None] = print):
        self.title = title
        self.success = success
        self.results: list[PartResult] = []
        self._echo = echo
        self._quiet: list[Any] = []

    # -- the with-block ---------------------------------------------------------------
    def __enter__(self) -> "Check":
        self._echo(f"Checking: {self.title}")
        caught = warnings.catch_warnings()
        caught.__enter__()
        warnings.simplefilter("ignore")
        errstate = np.errstate(all="ignore")
        errstate.__enter__()
        self._quiet = [errstate, caught]
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        for ctx in self._quiet:
            ctx.__exit__(None, None, None)
        self._quiet = []
        if exc_type is not None:
            if not issubclass(exc_type, Exception):
                return False  # KeyboardInterrupt and friends pass through
            # something outside any part raised: report it as a part of its own
            self._record("running the check", *self._classify(exc))
        self._verdict()
        return True

    def part(self, name: str) -> "_Part":
        """A ``with`` block for one part: it passes unless something inside raises."""
        return _Part(self, name)

    @property
    def all_passed(self) -> bool:
        """Whether every part recorded so far passed (to skip parts that build on them)."""
        return all(r.status == PASS for r in self.results)

    def skip(self, name: str, reason: str) -> None:
        """Record a part that was not run, saying why (it waits for an earlier part)."""
        self._record(name, SKIP, reason)

    # -- tools for the inside of a part ---------------------------------------------------
    def expect(self, condition: Any, hint: str) -> None:
        """Fail the current part with ``hint`` unless ``condition`` holds."""
        if not bool(condition):
            raise _Wrong(hint)

    def fail(self, hint: str) -> None:
        """Fail the current part with ``hint``."""
        raise _Wrong(hint)

    def todo(self, message: str) -> None:
        """End the current part as *not done yet*, saying what is still missing."""
        raise _Unfinished(message)

    def answer(self, value: Any, name: str) -> Any:
        """``value``, or *not done yet* if it is still the stub (``...`` or ``None``)."""
        if _is_stub(value):
            raise _Unfinished(f"{name} is still `...`: replace it with your answer")
        return value

    def call(self, fn: Any, *args: Any, name: Optional[str] = None, **kwargs: Any) -> Any:
        """Call the student's ``fn``; a stub (or a ``None`` result) means *not done yet*."""
        label = name or getattr(fn, "__name__", "your function")
        if _is_stub(fn):
            raise _Unfinished(f"{label} is not written yet")
        if not callable(fn):
            raise _Wrong(f"{label} should be a function (defined with def), not a {type(fn).__name__}")
        try:
            result = fn(*args, **kwargs)
        except NotImplementedError:
            raise _Unfinished(f"{label} is not written yet") from None
        if _is_stub(result):
            raise _Unfinished(f"{label} returned nothing: write its body (and return the result)")
        return result

    def call_by_hand(self, fn: Any, *args: Any, name: Optional[str] = None, hint: str,
                     complex_hint: Optional[str] = None, **kwargs: Any) -> Any:
        """:meth:`call` for an exercise done by hand: ✗ with ``hint`` if ``fn`` runs adviz itself.

        Lesson 3's reverse sweep written with ``ad.grad``, or lesson 11's counts measured with
        ``ad.trace``, give the check's own numbers without the idea the exercise is about.  Any
        adviz transform (trace, grad, vjp, jvp, …) started inside ``fn`` is counted.

        With ``complex_hint``, complex arithmetic inside ``fn`` fails too (see
        :func:`complex_arithmetic_seen`): the complex step ``imag(f(x + ih)) / h`` is exact to
        rounding, so a derivative asked for by the chain rule could come from it unnoticed.
        """
        with transforms_counted() as started, complex_arithmetic_seen() as complex_seen:
            result = self.call(fn, *args, name=name, **kwargs)
        if started[0]:
            raise _Wrong(hint)
        if complex_hint is not None and complex_seen[0]:
            raise _Wrong(complex_hint)
        return result

    def number(self, value: Any, name: str) -> float:
        """``value`` as a float, *not done yet* for a stub, a ✗ if it is not a single number."""
        self.answer(value, name)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise _Wrong(f"{name} should be a number, not {type(value).__name__}") from None
        if array.shape != ():
            raise _Wrong(f"{name} should be one number, not an array of shape {array.shape}")
        return float(array)

    def array(self, value: Any, name: str, shape: Optional[tuple] = None, shape_hint: str = "") -> np.ndarray:
        """``value`` as a float array (checked against ``shape``), *not done yet* for a stub."""
        self.answer(value, name)
        try:
            result = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise _Wrong(f"{name} should be numbers (an array or a list), not {type(value).__name__}") from None
        if shape is not None and result.shape != tuple(shape):
            raise _Wrong(f"{name} has shape {result.shape}. " + (shape_hint or "Check which shape it must have."))
        return result

    def close(self, actual: Any, expected: Any, hint: str, *, rtol: float = 1e-9, atol: float = 0.0) -> None:
        """Fail with ``hint`` unless ``actual`` matches ``expected`` (same shape, close values).

        The expected value is never shown; NaN only matches NaN, ±inf only itself.
        """
        actual = np.asarray(actual, dtype=float)
        expected = np.asarray(expected, dtype=float)
        if actual.shape != expected.shape:
            raise _Wrong(hint)
        if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
            raise _Wrong(hint)

    # -- bookkeeping --------------------------------------------------------------------
    def _classify(self, exc: BaseException) -> tuple[str, str]:
        if isinstance(exc, _Wrong):
            return FAIL, str(exc)
        if isinstance(exc, (_Unfinished, NotImplementedError)):
            return TODO, str(exc) if isinstance(exc, _Unfinished) else "not written yet"
        if isinstance(exc, (TypeError, AttributeError)) and "ellipsis" in str(exc):
            return TODO, _still_ellipsis(exc)
        where = _student_frame(exc)
        hint = f"your code raised {type(exc).__name__}: {_short(str(exc))}{where}"
        if isinstance(exc, TypeError) and "NoneType" in str(exc):
            hint += "\n(None is what a function without a return statement gives back: is a return missing?)"
        return FAIL, hint

    def _record(self, name: str, status: str, hint: str = "") -> None:
        self.results.append(PartResult(name, status, hint))
        line = f"  {MARKS[status]} {name}"
        if status == TODO:
            line += " — not done yet"
        elif status == SKIP:
            line += f" — {hint}"
        self._echo(line)
        if hint and status not in (PASS, SKIP):
            for text in hint.splitlines():  # wrapped: nbgrader's feedback pages do not wrap output
                for line in textwrap.wrap(text, HINT_WIDTH, break_long_words=False, break_on_hyphens=False):
                    self._echo(f"      {line}")

    def _verdict(self) -> None:
        failed = [r for r in self.results if r.status == FAIL]
        todo = [r for r in self.results if r.status == TODO]
        parts = len(self.results)
        if failed:
            some = "1 of" if len(failed) == 1 else f"{len(failed)} of"
            needs = "needs" if len(failed) == 1 else "need"
            message = (f"{some} {parts} part{'s' if parts != 1 else ''} {needs} another look: read the hints "
                       "above, change your answer, run both cells again.")
            self._echo(message)
            raise CheckFailed(message, self.results)
        if todo:
            message = ("Not done yet: write your answer in the exercise cell above (where it says YOUR CODE HERE, "
                       "and in place of each ...), "
                       "run it, then run this check again.")
            self._echo(message)
            raise NotDoneYet(message, self.results)
        self._echo(f"All {parts} part{'s' if parts != 1 else ''} correct." + (f" {self.success}" if self.success else ""))


class _Part:
    def __init__(self, owner: Check, name: str):
        self.owner, self.name = owner, name

    def __enter__(self) -> "_Part":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.owner._record(self.name, PASS)
            return False
        if not issubclass(exc_type, Exception):
            return False
        self.owner._record(self.name, *self.owner._classify(exc))
        return True  # the part is recorded; the check goes on with the next part


@contextmanager
def transforms_counted() -> Iterator[list]:
    """Count the adviz transforms (``ad.trace``, ``ad.grad``, …) started inside the block: ``[n]``."""
    from .engine import tracer

    started, count = tracer.TRANSFORM_HOOKS[0], [0]

    def counting() -> None:
        count[0] += 1
        started()

    tracer.TRANSFORM_HOOKS[0] = counting
    try:
        yield count
    finally:
        if tracer.TRANSFORM_HOOKS[0] is counting:  # (never undo a hook installed meanwhile)
            tracer.TRANSFORM_HOOKS[0] = started


def _holds_complex(value: Any) -> bool:
    return isinstance(value, (complex, np.complexfloating)) or isinstance(value, np.ndarray) and np.iscomplexobj(value)


def _writes_complex(code: types.CodeType) -> bool:
    """Whether ``code`` (or a function or lambda inside it) writes a complex literal (``1e-20j``)
    or names ``complex``, ``.imag`` or ``cmath``."""
    def constants(values: Any) -> Iterator[Any]:
        for value in values:
            yield from constants(value) if isinstance(value, (tuple, frozenset)) else (value,)

    for value in constants(code.co_consts):
        if isinstance(value, complex) or isinstance(value, types.CodeType) and _writes_complex(value):
            return True
    return bool({"complex", "imag", "cmath"} & set(code.co_names))


def _library_folders() -> tuple[str, ...]:
    """Python's own library, installed packages, NumPy and adviz: code that is not the student's."""
    paths = sysconfig.get_paths()
    folders = {paths.get(key, "") for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders |= {os.path.dirname(np.__file__), os.path.dirname(os.path.abspath(__file__))}
    return tuple(os.path.join(os.path.realpath(f), "") for f in folders if f)


@contextmanager
def complex_arithmetic_seen() -> Iterator[list]:
    """``[True]`` once the block has done complex arithmetic in Python: ``[False]`` otherwise.

    Seen (through :func:`sys.setprofile`) are a Python function called with, holding or
    returning a complex number or array (``g(x + 1e-20j)``, ``np.imag(z)``), and student code
    (anything outside Python's library, installed packages and adviz) that writes a complex
    literal or names ``complex``, ``.imag`` or ``cmath``, which catches ``np.exp(1j * x).imag``
    written out in one line of NumPy calls.  If a profiler or debugger already uses the profile
    hook, nothing is watched (``[False]``): the check never takes the hook away from a tool.
    """
    seen = [False]
    if sys.getprofile() is not None:
        yield seen
        return
    library = _library_folders()
    scanned: dict[types.CodeType, bool] = {}

    def writes_complex(code: types.CodeType) -> bool:
        if code not in scanned:
            own = not os.path.realpath(code.co_filename).startswith(library)
            scanned[code] = own and _writes_complex(code)
        return scanned[code]

    def watch(frame: types.FrameType, event: str, arg: Any) -> None:
        if seen[0] or event not in ("call", "return"):
            return
        if (event == "call" and writes_complex(frame.f_code)) or (event == "return" and _holds_complex(arg)) \
                or any(_holds_complex(value) for value in frame.f_locals.values()):
            seen[0] = True

    sys.setprofile(watch)
    try:
        yield seen
    finally:
        if sys.getprofile() is watch:  # (never undo a hook installed meanwhile)
            sys.setprofile(None)


def check(title: str, *, success: str = "") -> Check:
    """Start a check: ``with check("what is checked") as c:`` then ``with c.part(...)`` blocks.

    ``success`` is added to the final line when every part passes.
    """
    return Check(title, success=success)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _student_frames(exc: BaseException) -> list[tuple[types.FrameType, int]]:
    """The frames (and lines) of ``exc``'s traceback outside adviz, NumPy and installed packages, innermost first."""
    package = os.path.dirname(os.path.abspath(__file__))
    frames, tb = [], exc.__traceback__
    while tb is not None:
        filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if not filename.startswith(package) and "site-packages" not in filename and "/numpy/" not in filename:
            frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames[::-1]


def _still_ellipsis(exc: BaseException) -> str:
    """What to say when student code failed by using a ``...`` it has not replaced yet.

    ``dg_dx = local_partials[0] * v`` while ``local_partials`` is still ``...`` raises
    "TypeError: 'ellipsis' object is not subscriptable": that is an unfinished answer, not a
    wrong one.  The names still ``...`` are looked up on the line that failed (in the
    student's innermost frame), so the message can say which answer is missing.
    """
    import linecache
    import tokenize
    from io import StringIO

    for frame, lineno in _student_frames(exc):
        line = linecache.getline(frame.f_code.co_filename, lineno)
        try:
            words = [t.string for t in tokenize.generate_tokens(StringIO(line.strip() + "\n").readline)
                     if t.type == tokenize.NAME]
        except (tokenize.TokenError, SyntaxError):
            words = []
        scope = {**frame.f_globals, **frame.f_locals}
        names = list(dict.fromkeys(w for w in words if w in scope and scope[w] is Ellipsis))
        if not names:   # the line is not available (or names no `...`): the function's own variables
            own = frame.f_locals if frame.f_locals is not frame.f_globals else {}
            names = [name for name, value in own.items() if value is Ellipsis]
        where = f" (in {frame.f_code.co_name}, line {lineno})" if frame.f_code.co_name != "<module>" else ""
        if names:
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            verb = "is" if len(names) == 1 else "are"
            return (f"{listed} {verb} still `...`{where}: replace each `...` with your answer "
                    "before using it")
        return f"your code uses an answer that is still `...`{where}: replace each `...` with your answer"
    return "an answer is still `...`: replace each `...` with your answer"


def _student_frame(exc: BaseException) -> str:
    """' (in softplus, line 4)' for the innermost frame outside adviz, if any."""
    import os

    package = os.path.dirname(os.path.abspath(__file__))
    frame, where = exc.__traceback__, ""
    while frame is not None:
        code = frame.tb_frame.f_code
        filename = os.path.abspath(code.co_filename)
        if not filename.startswith(package) and "site-packages" not in filename and "/numpy/" not in filename:
            where = f" (in {code.co_name}, line {frame.tb_lineno})" if code.co_name != "<module>" else ""
        frame = frame.tb_next
    return where


def refers_to(fn: Any, names: Sequence[str]) -> list[str]:
    """The names among ``names`` that ``fn``'s code mentions (``ad.jacfwd`` mentions ``jacfwd``).

    Looks at the function's compiled code (its global and attribute names, and those of
    functions defined inside it), so it works on code typed into a notebook without its
    source file.  Used to say "this exercise asks you to build it without ad.hessian".
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        code = getattr(getattr(fn, "__call__", None), "__code__", None)
    found: set[str] = set()
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        found.update(current.co_names)
        stack.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    return [n for n in names if n in found]


# ---------------------------------------------------------------- "predict, then run"
@dataclass(frozen=True)
class Question:
    """A "predict, then run" question: multiple choice (``choices``) or a number.

    key:         how the lesson refers to it, ``course.predict("loop-length", ...)``
    answer:      the right choice (``"c"``) or the right number
    explanation: why, shown after any prediction (it may state the answer: the student
                 has committed to a guess by then)
    choices:     ``{"a": "1", "b": "3", ...}`` for multiple choice; empty for a number
    feedback:    extra words for particular wrong choices (``{"a": "the loop runs 3 times…"}``)
    rtol, atol:  how close a number must be (``abs(guess - answer) <= atol + rtol·|answer|``)
    """

    key: str
    answer: Any
    explanation: str
    choices: Mapping[str, str] = field(default_factory=dict)
    feedback: Mapping[str, str] = field(default_factory=dict)
    rtol: float = 0.0
    atol: float = 0.0

    def __call__(self, prediction: Any, echo: Callable[[str], None] = print) -> Optional[bool]:
        """Say whether ``prediction`` is right, and why.  Returns True/False, None if no guess."""
        if self.choices:
            options = ", ".join(f'"{k}"' for k in self.choices)
            if _is_stub(prediction):
                echo(f"Make your prediction first: replace the ... with one of {options}, then run the cell again.")
                return None
            key = str(prediction).strip().strip("()").strip().lower()
            if key not in self.choices:
                echo(f"Answer with one of {options} (you wrote {prediction!r}).")
                return None
            right = key == self.answer
            said = f"({key}) {self.choices[key]}"
            truth = f"({self.answer}) {self.choices[self.answer]}"
        else:
            if _is_stub(prediction):
                echo("Make your prediction first: replace the ... with a number, then run the cell again.")
                return None
            try:
                guess = float(prediction)
            except (TypeError, ValueError):
                echo(f"Answer with a number (you wrote {prediction!r}).")
                return None
            right = math.isfinite(guess) and abs(guess - float(self.answer)) <= self.atol + self.rtol * abs(
                float(self.answer))
            said = _number_text(guess)
            truth = _number_text(self.answer)
            key = None
        if right:
            echo(f"✓ Right: {said}. {self.explanation}")
        else:
            extra = self.feedback.get(key, "") if key is not None else ""
            echo(f"✗ Not quite: you predicted {said}; the answer is {truth}. " + (f"{extra} " if extra else "")
                 + self.explanation)
        return right


def _number_text(x: Any) -> str:
    if isinstance(x, numbers.Integral) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    return repr(float(x))


class Questions:
    """A lesson's "predict, then run" questions, asked by key: ``predict("loop-length", "c")``."""

    def __init__(self, *questions: Question):
        self._by_key: dict[str, Question] = {}
        for q in questions:
            if q.key in self._by_key:
                raise ValueError(f"two questions share the key {q.key!r}")
            if q.choices and q.answer not in q.choices:
                raise ValueError(f"question {q.key!r}: its answer {q.answer!r} is not one of its choices")
            self._by_key[q.key] = q

    def __getitem__(self, key: str) -> Question:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"no question {key!r}; this lesson asks {', '.join(self._by_key)}") from None

    def __iter__(self):
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def predict(self, key: str, prediction: Any = ...) -> None:
        """Tell the student whether ``prediction`` was right, and why (prints; never raises)."""
        self[key](prediction)
