"""Jupyter widgets that make a derivative move: sweeps you can play, modes side by side,
finite differences under a slider, and a playground for your own expressions.

* :class:`SweepPlayer` plays a forward or reverse sweep of a :class:`~adviz.engine.record.Trace`
  one step at a time: the graph with the active node and arrows highlighted, and the
  table of tangents or adjoints with the current row marked, kept in step by one slider;
* :class:`ModeComparison` runs forward mode (one sweep per input) and reverse mode (one
  sweep per output) on the same function, side by side, counting operations as they go;
* :class:`FiniteDifferenceExplorer` puts the step ``h`` of a finite difference on a log
  slider and shows the estimates, their errors and the V-shaped error curve;
* :class:`Playground` traces whatever expression a student types.

Every widget is an ordinary Python object with a ``.widget`` (an ipywidgets box); a
notebook cell that ends with the object shows it.  Their state can also be driven from
Python (``player.next()``, ``player.goto(3)``, ``explorer.h = 1e-8``), which is how the
tests and the lessons check them.

**Stepping is instant and nothing moves**: the graph is laid out once
(:class:`~adviz.render.layout.SweepLayout`) and sent once with the table and, per step,
what changes; a step then sends one number and the browser repaints
(:class:`~adviz.render.sweep_view.SweepView`).

ipywidgets is imported inside the functions that need it, so ``import adviz`` stays light.

>>> import adviz as ad
>>> from adviz.render.widgets import SweepPlayer
>>> player = SweepPlayer(ad.trace("sin(x**2 + 1)", x=3.0), mode="reverse")
>>> player.next(); player.step
1
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import style
from .graph import summary
from .html import UNIT_CSS, make_sweep, sweep_table_html, table_cell

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Sweep, Trace
    from .quiz import Question, Quiz, Score, Verdict
    from .quiz_widget import QuizPanel

__all__ = [
    "FiniteDifferenceExplorer",
    "ModeComparison",
    "Playground",
    "SweepPlayer",
    "error_html",
    "parse_values",
    "trace_from",
]

logger = logging.getLogger("adviz.render")

SPEEDS = (("¼×", 0.25), ("½×", 0.5), ("1×", 1.0), ("2×", 2.0), ("4×", 4.0))
"""Choices of the speed control: a factor on the player's base interval."""


# ---------------------------------------------------------------- inputs: "x=3, y=[1,2]" and friends


def _split_top_level(text: str) -> list[tuple[int, str]]:
    """Cut ``text`` at commas outside brackets; keep each piece's starting column."""
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces


def parse_values(text: str) -> dict[str, Any]:
    """Read input values written like ``"x=3, y=2"`` or ``"x=[1, 2, 3], t=pi/4"``.

    Each value is read by adviz's own expression language (never Python's ``eval``), so
    numbers, ``pi``, arithmetic and ``[…]`` vectors work and nothing else runs.  A bad
    value raises :class:`~adviz.expr.ParseError` pointing into ``text``.

    >>> parse_values("x=3, v=[1, 2]")
    {'x': 3.0, 'v': array([1., 2.])}
    """
    from ..expr import ParseError, parse

    values: dict[str, Any] = {}
    if not text.strip():
        return values
    for start, piece in _split_top_level(text):
        if not piece.strip():
            raise ParseError("empty value: write name=value, separated by commas", text, start)
        name, eq, value_text = piece.partition("=")
        name_col = start + len(name) - len(name.lstrip())
        if not eq:
            raise ParseError(f"expected name=value, got {piece.strip()!r}", text, name_col)
        name = name.strip()
        if not name.isidentifier():
            raise ParseError(f"{name!r} is not a variable name", text, name_col)
        if name in values:
            raise ParseError(f"{name} is given twice", text, name_col)
        value_col = start + len(piece) - len(value_text) + (len(value_text) - len(value_text.lstrip()))
        try:
            expression = parse(value_text.strip())
        except ParseError as error:  # re-aim the caret at the whole text
            raise ParseError(error.message, text, value_col + error.column) from None
        if expression.variables:
            raise ParseError(f"the value of {name} must be a number, not a formula in "
                             f"{', '.join(expression.variables)}", text, value_col)
        value = np.asarray(expression(), dtype=float)
        values[name] = float(value) if value.ndim == 0 else value
    return values


def trace_from(fn_or_expr: Any, at: Any = None) -> Trace:
    """Trace a function or expression at a point given in any convenient form.

    ``fn_or_expr``: an expression string, a parsed :class:`~adviz.expr.Expression`, a
    Python function of NumPy values, or a :class:`~adviz.engine.record.Trace` already
    recorded (``ad.trace("sin(x**2+1)", x=3.0)``: used as it is, so ``at`` stays out).
    ``at``: a dict ``{name: value}``, a string ``"x=3, y=2"`` (see :func:`parse_values`),
    a tuple of positional arguments (for a function), or one value for a function or
    expression of one variable.
    """
    from .. import engine
    from ..engine.record import Trace
    from ..expr import Expression, parse

    if isinstance(fn_or_expr, Trace):
        if at is not None:
            raise ValueError("this Trace is already recorded at its own point; at= is for a function or "
                             "expression (pass that to trace it elsewhere)")
        return fn_or_expr
    if isinstance(at, str):
        at = parse_values(at)
    if isinstance(fn_or_expr, str):
        fn_or_expr = parse(fn_or_expr)
    if isinstance(fn_or_expr, Expression):
        names = tuple(fn_or_expr.variables)
        if not isinstance(at, dict):
            if len(names) != 1 or at is None:
                raise ValueError(f"give values for {', '.join(names) or 'no variables'} as a dict or 'x=3, y=2'")
            at = {names[0]: at}
        return engine.trace(fn_or_expr, **at)
    if not callable(fn_or_expr):
        raise TypeError(f"need a function or an expression string, got {type(fn_or_expr).__name__}")
    if isinstance(at, dict):
        params = [p.name for p in inspect.signature(fn_or_expr).parameters.values()]
        missing = [p for p in params if p not in at]
        extra = [k for k in at if k not in params]
        if missing or extra:
            raise ValueError(f"{fn_or_expr.__name__}({', '.join(params)}): "
                             + (f"no value for {', '.join(missing)}" if missing else f"no parameter {', '.join(extra)}"))
        return engine.trace(fn_or_expr, *(at[p] for p in params))
    args = at if isinstance(at, tuple) else (at,)
    return engine.trace(fn_or_expr, *args)


def error_html(error: BaseException) -> str:
    """An error as a student should see it in a widget: a short ``<pre>`` block, no traceback.

    A :class:`~adviz.expr.ParseError` shows its text with a caret under the column.
    """
    from ..expr import ParseError

    text = error.pretty() if isinstance(error, ParseError) else str(error) or type(error).__name__
    return ('<pre class="adviz-error" style="color:#991b1b;background:#fef2f2;border-left:4px solid #dc2626;'
            f'padding:6px 10px;margin:4px 0;white-space:pre-wrap">{html.escape(text)}</pre>')


# ---------------------------------------------------------------- small ipywidgets helpers


def _controls(n_steps: int, interval: int, on_step: Callable[[int], None], label: str = "step"):
    """Play + slider (linked in the browser) + step buttons + speed: the shared transport bar."""
    import ipywidgets as w

    play = w.Play(value=0, min=0, max=n_steps, step=1, interval=interval, description="play",
                  show_repeat=False)
    slider = w.IntSlider(value=0, min=0, max=n_steps, step=1, description=label,
                         layout=w.Layout(width="300px"), style={"description_width": "initial"})
    w.jslink((play, "value"), (slider, "value"))  # in the browser, play moves the slider
    buttons = {
        name: w.Button(description=text, tooltip=tip, layout=w.Layout(width="40px"))
        for name, text, tip in (("first", "⇤", "first step"), ("prev", "←", "previous step"),
                                ("next", "→", "next step"), ("last", "⇥", "last step"))
    }
    speed = w.Dropdown(options=SPEEDS, value=1.0, description="speed", layout=w.Layout(width="130px"),
                       style={"description_width": "initial"})

    def on_speed(change):
        play.interval = max(20, int(interval / change["new"]))

    def on_playing(change):  # ▶ at the end plays again from the start
        if change["new"] and slider.value >= slider.max:
            slider.value = 0

    speed.observe(on_speed, "value")
    play.observe(on_playing, "playing")
    slider.observe(lambda change: on_step(change["new"]), "value")
    bar = w.HBox([buttons["first"], buttons["prev"], play, buttons["next"], buttons["last"], slider, speed],
                 layout=w.Layout(flex_flow="row wrap", align_items="center"))
    return bar, play, slider, buttons, speed


FIT_WIDTH_PX = 1600
"""Python's first guess: graphs up to this wide (in CSS pixels) are shrunk to fit.  In the
browser the view decides from the column's real width (shrunk to no less than
:data:`~adviz.render.sweep_view.MIN_FIT_SCALE` of its size, else full size following the
active node), and the checkbox shows what it chose."""


class _Stepper:
    """What every stepping widget shares: a step number moved by buttons, slider and Play."""

    n_steps: int
    widget: Any

    def _build_transport(self, interval: int, label: str = "step") -> Any:
        bar, self._play, self._slider, buttons, self._speed = _controls(self.n_steps, interval, self._show, label)
        buttons["first"].on_click(lambda _: self.first())
        buttons["prev"].on_click(lambda _: self.prev())
        buttons["next"].on_click(lambda _: self.next())
        buttons["last"].on_click(lambda _: self.last())
        self._buttons = buttons
        return bar

    @property
    def step(self) -> int:
        """The step shown now: ``0`` (only the seed) … ``n_steps`` (the sweep done)."""
        return int(self._slider.value)

    def goto(self, k: int) -> None:
        """Show step ``k`` (clamped to ``0 … n_steps``).

        Only the slider is set from Python; in the browser it moves the Play widget and the
        view (``jslink``).  Setting Play too would make the browser send the slider's old
        value back while the kernel is already at the next step, and quick clicks on → would
        get lost.
        """
        k = max(0, min(self.n_steps, int(k)))
        self._slider.value = k
        self._show(k)

    def next(self) -> None:
        self.goto(self.step + 1)

    def prev(self) -> None:
        self.goto(self.step - 1)

    def first(self) -> None:
        self.goto(0)

    def last(self) -> None:
        self.goto(self.n_steps)

    def _show(self, k: int) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)


# ---------------------------------------------------------------- the sweep player


class SweepPlayer(_Stepper):
    """Play a sweep step by step: the graph and the table, kept in sync.

    ``SweepPlayer(trace, mode="reverse")`` plays ``trace.reverse(seed)``;
    ``mode="forward"`` plays ``trace.forward(seed)`` (``seed`` as in those methods; without
    one the first input is seeded, as ``adviz graph --animate`` does).
    Step ``0`` shows only the seed; step ``k`` shows the sweep after k steps, with the
    node processed at step k and the arrows it used drawn strong, and its rows marked
    in the table (a step with several chain-rule terms numbers them ``k.1, k.2``, as
    ``adviz trace`` does).  ``interval``: milliseconds per step when playing at 1×.
    ``notation``: name the rows ``"adviz"``, ``"inputs-first"`` or ``"griewank"`` (``v₋₁``,
    ``v₀``, ``v₁``, …; see :meth:`Trace.in_notation <adviz.engine.record.Trace.in_notation>`).
    ``graph_options`` go to :class:`~adviz.render.layout.SweepLayout`.

    The graph is laid out once and sent once (:class:`~adviz.render.sweep_view.SweepView`);
    a step sends one number and the browser repaints what changes, so nothing moves.
    ``fit``: shrink the graph to the notebook's width (default: when it stays readable,
    up to :data:`FIT_WIDTH_PX` wide); otherwise it is shown full size, scrolled so the
    step's node stays in view.

    Python-side state: ``step``, ``n_steps``, ``next()``, ``prev()``, ``goto(k)``,
    ``first()``, ``last()``, ``fit``, ``current_svg``, ``current_table_html``,
    ``current_caption``.

    **Quiz** (``quiz=True``): "predict the next adjoint".  Before each chain-rule term the
    player asks for the tangent or adjoint it writes (:mod:`adviz.render.quiz`); a right
    answer, or *reveal* after a wrong try, moves the sweep on.  The transport waits until
    every question is done.  From Python: ``answer(text)`` and ``reveal()`` (each returns
    a :class:`~adviz.render.quiz.Verdict`), ``question`` (the current one, or None),
    ``feedback`` (the last verdict's text) and ``score`` (``str(player.score)`` is
    ``"3 of 5 right"``; ``player.score.fraction`` grades the whole quiz).  Answers are marked
    in the kernel; the picture's data (every step's texts, as on the HTML page) is in the
    browser, so a determined student can read ahead: a quiz for practice, not an exam.
    """

    def __init__(self, trace: Trace, mode: str = "reverse", seed: Any = None, *, sweep: Sweep | None = None,
                 interval: int = 1000, fit: bool | None = None, table_rows: int = 16, quiz: bool = False,
                 notation: str | None = None,
                 **graph_options: Any) -> None:
        import ipywidgets as w

        from .graph import in_notation
        from .sweep_view import SweepView

        sweep = sweep if sweep is not None else make_sweep(trace, mode, seed)
        trace, sweep = in_notation(trace, sweep, notation)  # seeds are named as in ``trace``
        self.trace = trace
        self.sweep = sweep
        self.mode = self.sweep.mode
        self.n_steps = len(self.sweep.steps)
        self.table_rows = table_rows
        self.view = SweepView(trace, self.sweep, **graph_options)
        self.sweep_layout = self.view.sweep_layout
        auto = fit is None
        if fit is None:  # a first guess; the browser decides from the column's real width
            fit = self.sweep_layout.size_px[0] <= FIT_WIDTH_PX
        self.view.fit, self.view.auto_fit = bool(fit), auto
        self._fit = w.Checkbox(value=fit, description="fit to width", indent=False, layout=w.Layout(width="110px"))
        bar = self._build_transport(interval)
        bar.children = (*bar.children, self._fit)
        w.jslink((self._slider, "value"), (self.view, "step"))  # stepping needs no kernel round trip
        w.jslink((self._fit, "value"), (self.view, "fit"))
        self.quiz: Quiz | None = None
        self.panel: QuizPanel | None = None
        self.feedback = ""
        parts = [bar, self.view]
        if quiz:
            from .quiz import Quiz
            from .quiz_widget import QuizPanel

            self.quiz = Quiz(trace, self.sweep)
            c = style.mode_colours(self.mode)
            self.panel = QuizPanel([c.strong, c.light], self._check_typed, self._reveal_clicked)
            self.panel.note, self.panel.placeholder = self.quiz.note, self.quiz.placeholder   # no answer as example
            parts = [bar, self.panel, self.view]
        self.widget = w.VBox(parts)
        self.widget.add_class("adviz-sweep-player")
        self._show(0)
        if self.quiz is not None:
            self._ask()

    @property
    def fit(self) -> bool:
        """True: the graph is shrunk to the notebook's width; False: full size, following the step."""
        return bool(self._fit.value)

    @fit.setter
    def fit(self, value: bool) -> None:
        self._fit.value = bool(value)
        self.view.fit = bool(value)

    def _show(self, k: int) -> None:
        self.view.step = k

    @property
    def current_svg(self) -> str:
        """The graph's SVG at the current step (what the browser paints), with its caption."""
        return self.sweep_layout.svg(self.step)

    @property
    def current_table_html(self) -> str:
        """The sweep table at the current step (its rows carry ``class="current"``)."""
        return sweep_table_html(self.trace, self.sweep, self.step, window=self.table_rows)

    @property
    def current_caption(self) -> str:
        """What the current step does, in one line (see :func:`~adviz.render.html.step_caption`)."""
        return self.view.captions[self.step]

    # -- the quiz --------------------------------------------------------------------------
    def _need_quiz(self) -> Quiz:
        if self.quiz is None:
            raise ValueError("this player has no quiz: make it with SweepPlayer(trace, mode, quiz=True)")
        return self.quiz

    @property
    def question(self) -> Question | None:
        """The question being asked (None when the quiz is done)."""
        return self._need_quiz().current

    @property
    def score(self) -> Score:
        """The quiz's score so far: ``str(player.score)`` reads ``"3 of 5 right"``."""
        return self._need_quiz().score

    def answer(self, typed: Any) -> Verdict:
        """Answer the current question, as if typed in the box (``"-0.5"``, ``"cos(10)*6"``, ``2.5``).

        An answer that cannot be read is not a try: it raises :class:`~adviz.render.quiz.AnswerError`
        (in the browser the panel says so instead).
        """
        verdict = self._need_quiz().answer(typed)
        self._after(verdict)
        return verdict

    def reveal(self) -> Verdict:
        """Show the current question's answer and move on (after a wrong try)."""
        verdict = self._need_quiz().reveal()
        self._after(verdict)
        return verdict

    def _stale(self, question: int | None) -> bool:
        """A message from the page for a question that is no longer asked (answered or revealed
        already: Enter or *reveal* pressed twice before the kernel replied)."""
        current = self.quiz.current if self.quiz is not None else None
        return question is not None and (current is None or current.number != question)

    def _check_typed(self, text: str, question: int | None = None) -> None:
        from .quiz import AnswerError

        if self._stale(question):
            return  # that question is answered: this is a duplicate, not an answer to the next one
        try:
            self.answer(text)
        except (AnswerError, ValueError) as error:  # a typo is not a try, and never a traceback
            self.feedback = f"Cannot read that: {error}. (Not counted as a try.)"
            with self.panel.hold_sync():
                self.panel.feedback, self.panel.verdict, self.panel.clear = self.feedback, "unread", False

    def _reveal_clicked(self, question: int | None = None) -> None:
        if self.quiz is not None and self.quiz.can_reveal and not self._stale(question):
            self.reveal()

    def _after(self, verdict: Verdict) -> None:
        self.feedback = verdict.message
        kind = "revealed" if verdict.revealed else ("right" if verdict.right else "wrong")
        self._ask(kind, new_question=verdict.right or verdict.revealed)

    def _ask(self, verdict: str = "", new_question: bool = True) -> None:
        """Show the quiz's state: the steps answered so far, the question, the score."""
        from .quiz import describe

        quiz, panel = self.quiz, self.panel
        self.goto(quiz.shown)
        done = quiz.current is None
        for control in (*self._buttons.values(), self._slider, self._play):
            control.disabled = not done
        self.view.quiz = not done  # until answered, a term's arrow label and table row stay hidden
        q = quiz.current
        with panel.hold_sync():
            panel.question = (f"{describe(quiz)} Replay the sweep with the buttons above." if done else
                              f"Question {q.number} of {len(quiz.questions)}. {q.prompt}")
            panel.symbol = "" if done else f"{q.symbol} ="
            panel.number = 0 if done else q.number
            panel.feedback, panel.verdict = self.feedback, verdict
            panel.score = f"Score: {quiz.score}"
            panel.can_reveal, panel.done, panel.clear = quiz.can_reveal, done, new_question


# ---------------------------------------------------------------- forward vs reverse


def _unit_seeds(trace: Trace, nodes: Sequence[Any], mode: str) -> list[tuple[str, dict | Any]]:
    """One unit seed per scalar component of ``nodes``: (label, seed for forward/reverse)."""
    mark = "\u0307" if mode == "forward" else "\u0304"
    seeds = []
    for node in nodes:
        shape = np.shape(node.value)
        symbol = node.name[0] + mark + node.name[1:]
        for index in np.ndindex(*shape):
            unit = np.zeros(shape)
            unit[index] = 1.0
            where = "[" + ", ".join(map(str, index)) + "]" if index else ""
            seeds.append((f"{symbol}{where} = 1", {node.name: unit} if mode == "forward" else unit))
    return seeds


def _timeline(sweeps: Sequence[Sweep], total: int) -> list[tuple[int, int, int]]:
    """For each time ``t = 0 … total``: (sweep index, step within it, operations done so far).

    Sweeps run one after the other; a side that finishes early stays on its last frame.
    """
    out = [(0, 0, 0)]
    ops_before = 0
    for i, s in enumerate(sweeps):
        done = ops_before
        for k, step in enumerate(s.steps, start=1):
            done += len(step.terms)
            out.append((i, k, done))
        ops_before = done
    last = out[-1]
    out.extend([last] * (total + 1 - len(out)))
    return out


class ModeComparison(_Stepper):
    """Forward mode and reverse mode on the same function, one above the other, stepping together.

    Forward mode gets one column of the Jacobian per sweep, so it runs one sweep per
    input component (seed ``ẋᵢ = 1``); reverse mode gets one row per sweep, so it runs one
    sweep per output component (for a scalar function: one).  Both start together; the
    slider is a clock ``t`` that counts steps of all the sweeps one after the other (each
    side's heading says which sweep and which step of it it shows), and the operation
    counters (chain-rule terms evaluated, :attr:`Sweep.ops <adviz.engine.record.Sweep.ops>`)
    grow as they go.  For ``f(x1, …, xn) -> scalar`` the forward side needs ``n`` sweeps
    while the reverse side is done after one: that is why training uses reverse mode.

    The two sides are stacked, each graph at the notebook's full width (``fit`` toggles
    shrinking it to the width).  ``fn_or_expr``, ``at``: as in :func:`trace_from`.
    ``max_sweeps``: refuse examples that would need more sweeps per mode.
    """

    def __init__(self, fn_or_expr: Any, at: Any = None, *, interval: int = 1000, max_sweeps: int = 12,
                 **graph_options: Any) -> None:
        import ipywidgets as w

        from .sweep_view import SweepView

        self.trace = trace = trace_from(fn_or_expr, at)
        forward_seeds = _unit_seeds(trace, trace.inputs, "forward")
        reverse_seeds = _unit_seeds(trace, [trace.output], "reverse")
        for what, seeds in (("input", forward_seeds), ("output", reverse_seeds)):
            if len(seeds) > max_sweeps:
                raise ValueError(f"this function has {len(seeds)} {what} components: drawing {len(seeds)} sweeps "
                                 f"is too much for a comparison (max_sweeps={max_sweeps}); try a smaller example")
        self.forward_labels = [label for label, _ in forward_seeds]
        self.reverse_labels = [label for label, _ in reverse_seeds]
        self.forward_sweeps = [trace.forward(seed) for _, seed in forward_seeds]
        self.reverse_sweeps = [trace.reverse(seed) for _, seed in reverse_seeds]
        self.forward_total_ops = sum(s.ops for s in self.forward_sweeps)
        self.reverse_total_ops = sum(s.ops for s in self.reverse_sweeps)
        self.n_steps = max(sum(len(s.steps) for s in self.forward_sweeps),
                           sum(len(s.steps) for s in self.reverse_sweeps))
        self._timelines = {"forward": _timeline(self.forward_sweeps, self.n_steps),
                           "reverse": _timeline(self.reverse_sweeps, self.n_steps)}
        from .layout import SweepLayout

        # one layout per side for all its sweeps: moving on to the next seed moves no box
        self._views = {mode: [SweepView(trace, s, sweep_layout=layout, show_table=False)
                              for s, layout in zip(sweeps, SweepLayout.shared(trace, sweeps, **graph_options))]
                       for mode, sweeps in (("forward", self.forward_sweeps), ("reverse", self.reverse_sweeps))}
        for views in self._views.values():  # a side's caption box keeps one height whichever sweep it shows
            every_caption = [c for view in views for c in view.captions]
            for view in views:
                view.caption_ghosts = every_caption
        self._heads = {mode: w.HTML() for mode in ("forward", "reverse")}
        self._known = {mode: w.HTML() for mode in ("forward", "reverse")}
        self._slots = {mode: w.VBox() for mode in ("forward", "reverse")}
        widest = max(v.sweep_layout.size_px[0] for views in self._views.values() for v in views)
        self._fit = w.Checkbox(value=widest <= FIT_WIDTH_PX, description="fit to width", indent=False,
                               layout=w.Layout(width="110px"))
        every = [view for views in self._views.values() for view in views]
        widest_view = max(every, key=lambda v: v.sweep_layout.size_px[0])
        for view in every:  # the widest view decides from the column's width; the others follow it
            view.fit, view.auto_fit = bool(self._fit.value), view is widest_view
            w.jslink((self._fit, "value"), (view, "fit"))
        sides = [w.VBox([self._heads[m], self._slots[m], self._known[m]]) for m in ("forward", "reverse")]
        bar = self._build_transport(interval, label="t")
        bar.children = (*bar.children, self._fit)
        self._clock = w.HTML()
        self._summary = w.HTML(self._summary_html())
        self.widget = w.VBox([bar, self._clock, *sides, self._summary])
        self.widget.add_class("adviz-mode-comparison")
        self._show(0)

    # -- where each side is -------------------------------------------------------------
    def position(self, mode: str, t: int | None = None) -> tuple[int, int]:
        """(which sweep, its step) that side ``mode`` shows at time ``t`` (default: now)."""
        i, k, _ = self._timelines[mode][self.step if t is None else t]
        return i, k

    @property
    def forward_position(self) -> tuple[int, int]:
        return self.position("forward")

    @property
    def reverse_position(self) -> tuple[int, int]:
        return self.position("reverse")

    @property
    def forward_ops(self) -> int:
        """Chain-rule terms the forward side has evaluated so far."""
        return self._timelines["forward"][self.step][2]

    @property
    def reverse_ops(self) -> int:
        """Chain-rule terms the reverse side has evaluated so far."""
        return self._timelines["reverse"][self.step][2]

    def _svg(self, mode: str) -> str:
        i, k = self.position(mode)
        return self._views[mode][i].sweep_layout.svg(k)

    @property
    def current_forward_svg(self) -> str:
        return self._svg("forward")

    @property
    def current_reverse_svg(self) -> str:
        return self._svg("reverse")

    def caption(self, mode: str) -> str:
        """The caption that side shows now (what its current step does)."""
        i, k = self.position(mode)
        return self._views[mode][i].captions[k]

    def known(self, mode: str, t: int | None = None) -> dict[str, Any]:
        """The derivatives ``∂output/∂input`` that side has finished at time ``t`` (default: now).

        Forward sweep i delivers the derivative with respect to input component i (a column
        of the Jacobian); a reverse sweep delivers all of them for its output component.
        """
        i, k = self.position(mode, t)
        sweeps = self.forward_sweeps if mode == "forward" else self.reverse_sweeps
        finished = i + (k == len(sweeps[i].steps))
        out: dict[str, Any] = {}
        if mode == "forward":
            for label, s in zip(self.forward_labels[:finished], sweeps[:finished]):
                out[label.split(" = ")[0]] = s.result
        else:
            for label, s in zip(self.reverse_labels[:finished], sweeps[:finished]):
                out[label.split(" = ")[0]] = dict(s.result)
        return out

    # -- drawing ------------------------------------------------------------------------
    def _head_html(self, mode: str, t: int) -> str:
        c = style.mode_colours(mode)
        i, k, done = self._timelines[mode][t]
        sweeps = self.forward_sweeps if mode == "forward" else self.reverse_sweeps
        labels = self.forward_labels if mode == "forward" else self.reverse_labels
        total = self.forward_total_ops if mode == "forward" else self.reverse_total_ops
        what = "one sweep per input" if mode == "forward" else "one sweep per output"
        finished = i == len(sweeps) - 1 and k == len(sweeps[i].steps)
        status = ("done" if finished else
                  f"sweep {i + 1} of {len(sweeps)} (seed {labels[i]}), step {k} of {len(sweeps[i].steps)}")
        return (f'<div class="adviz-side-head" style="border-bottom:3px solid {c.strong};margin:8px 0 4px">'
                f'<b style="color:{c.strong};font-size:16px">{mode.capitalize()} mode</b> ({what}): '
                f'{html.escape(status)}<br><span style="font-size:15px">operations so far: '
                f'<b class="ops">{done}</b> of {total}</span></div>')

    def _known_html(self, mode: str, t: int) -> str:
        out = self.trace.output.name
        rows = []
        if mode == "forward":
            for label, s in zip(self.forward_labels, self.forward_sweeps):
                name = label.split(" = ")[0]
                wrt = name.replace("\u0307", "")
                value = self.known("forward", t).get(name)
                rows.append(f"∂{out}/∂{wrt} = {summary(value) if value is not None else '?'}")
        else:
            known = self.known("reverse", t)
            for label in self.reverse_labels:
                name = label.split(" = ")[0]
                for wrt in self.trace.input_names:
                    value = known.get(name, {}).get(wrt)
                    where = name.replace("\u0304", "")
                    rows.append(f"∂{where}/∂{wrt} = {summary(value) if value is not None else '?'}")
        return '<div style="font-size:14px">' + "<br>".join(html.escape(r) for r in rows) + "</div>"

    def _summary_html(self) -> str:
        n, m = len(self.forward_sweeps), len(self.reverse_sweeps)
        return (f'<p style="font-size:15px">The whole Jacobian ({m}×{n}): forward mode needs <b>{n}</b> '
                f'sweep{"s" if n != 1 else ""} and <b>{self.forward_total_ops}</b> operations, reverse mode '
                f'<b>{m}</b> sweep{"s" if m != 1 else ""} and <b>{self.reverse_total_ops}</b>.</p>')

    def _show(self, t: int) -> None:
        self._clock.value = (f'<span style="font-size:14px">t = {t} of {self.n_steps}: the clock counts the steps '
                             "of every sweep, one after the other</span>")
        for mode in ("forward", "reverse"):
            i, k = self.position(mode, t)
            view = self._views[mode][i]
            view.step = k
            if self._slots[mode].children != (view,):
                self._slots[mode].children = (view,)
            self._heads[mode].value = self._head_html(mode, t)
            self._known[mode].value = self._known_html(mode, t)


# ---------------------------------------------------------------- finite differences


FD_TABLE_CSS = """
.adviz-fd { border-collapse: collapse; font-size: 13px; }
.adviz-fd th, .adviz-fd td { padding: 2px 6px; text-align: left; }
.adviz-fd td.num { text-align: right; font-variant-numeric: tabular-nums; }
.adviz-fd tr.exact td { font-weight: bold; }  /* AD's value: the reference */
""".strip() + "\n" + UNIT_CSS
"""Styles of the finite-difference explorer's table; its cells keep together by the tables' one rule."""

_FD_FORMULAS = {
    "forward": "(f(x+h) − f(x)) / h",
    "backward": "(f(x) − f(x−h)) / h",
    "central": "(f(x+h) − f(x−h)) / 2h",
    "complex": "Im f(x+ih) / h",
}


def _scalar_function(trace: Trace, wrt: str) -> Callable[[Any], Any]:
    """``f`` as a function of the input ``wrt`` alone, the other inputs held at their values:
    the trace's own :attr:`~adviz.engine.record.Trace.function` (what ``ad.trace`` recorded)."""
    function = trace.function
    if function is None:
        raise ValueError("finite differences evaluate f at other points, and this Trace cannot compute f again "
                         "(it keeps no function or expression); pass the function or expression instead")
    values = [n.value for n in trace.inputs]
    k = trace.input_names.index(wrt)
    return lambda x: function(*values[:k], x, *values[k + 1:])


class FiniteDifferenceExplorer:
    """Drag ``h`` and watch finite differences go right, then wrong, against AD.

    The slider moves ``h`` over 1e-16 … 1e-1 on a log scale.  The table shows each
    method's estimate of ``df/d(wrt)`` at that ``h``, its error against the AD value (a
    forward sweep of the trace), and the plot shows the whole error-vs-h curve (the "V":
    truncation error on the right, round-off on the left) with the current h marked.

    ``fn_or_expr``, ``at``: as in :func:`trace_from` (a Trace too: its recorded
    :attr:`~adviz.engine.record.Trace.function` is evaluated at the other points); the
    function must have a scalar output.  ``wrt``: the (scalar) input to vary (default: the first input).
    ``methods``: any of :data:`adviz.numeric.finite_differences.METHODS`.

    Python-side state: ``h`` (settable), ``ad_value``, ``estimates``, ``errors``,
    ``table_html``, ``plot_html``, ``marker_xy``.
    """

    def __init__(self, fn_or_expr: Any, at: Any = None, wrt: str | None = None, *,
                 methods: Sequence[str] = ("forward", "central", "complex"), h: float = 1e-6) -> None:
        import ipywidgets as w

        from ..numeric.error_sweep import error_sweep
        from ..numeric.finite_differences import METHODS

        self.trace = trace = trace_from(fn_or_expr, at)
        self.wrt = wrt if wrt is not None else trace.input_names[0]
        if self.wrt not in trace.input_names:
            raise ValueError(f"wrt={self.wrt!r} is not an input; the inputs are {', '.join(trace.input_names)}")
        if np.ndim(trace[self.wrt].value) != 0 or np.ndim(trace.output.value) != 0:
            raise ValueError("the finite-difference explorer needs a scalar input and a scalar output")
        for m in methods:
            if m not in METHODS:
                raise ValueError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
        self.methods = tuple(methods)
        self.x = float(trace[self.wrt].value)
        self.ad_value = float(np.real(trace.forward(self.wrt).result))
        self.function = _scalar_function(trace, self.wrt)
        self.sweep = error_sweep(self.function, self.x, exact=self.ad_value, methods=self.methods)
        from .marked_plot import MarkedPlot

        self._draw_curve()
        self._check_h(h)
        self._h = float(h)
        self._slider = w.FloatLogSlider(value=h, base=10, min=-16, max=-1, step=0.05, description="h",
                                        readout_format=".1e", continuous_update=True,
                                        layout=w.Layout(width="min(520px, 100%)"))
        self._table = w.HTML(layout=w.Layout(overflow="auto hidden", max_width="100%"))
        self._plot = MarkedPlot(png=self._png, size=list(self._size), alt="relative error against h")
        self._slider.observe(self._on_slider, "value")
        title = w.HTML(f'<b style="font-size:16px">Finite differences vs AD: d/d{html.escape(self.wrt)} at '
                       f'{html.escape(self.wrt)} = {summary(self.x)}</b>')
        css = w.HTML(f"<style>{FD_TABLE_CSS}</style>")  # the table's styles, sent once (not with every h)
        self.widget = w.VBox([css, title, self._slider, self._table, self._plot])
        self.widget.add_class("adviz-fd-explorer")
        self._show(self.h)

    # -- state ---------------------------------------------------------------------------
    @property
    def h(self) -> float:
        """The step shown.  Set from Python it is kept exactly (``explorer.h = 1e-10``); the
        slider shows it rounded to its grid, and only a real move of the slider changes it."""
        return self._h

    @h.setter
    def h(self, value: float) -> None:
        self._check_h(value)
        self._h = float(value)
        self._slider.value = value
        self._show(self._h)

    @staticmethod
    def _check_h(value: float) -> None:
        if not (np.isfinite(value) and 1e-16 <= value <= 1e-1):
            raise ValueError(f"h must be between 1e-16 and 1e-1, got {value!r}")

    def _on_slider(self, change) -> None:
        # The browser sends back the slider's value rounded to its grid of 10**0.05: that is
        # not a move, and must not overwrite a value set from Python.
        if abs(np.log10(change["new"]) - np.log10(self._h)) < self._slider.step / 2 + 1e-9:
            return
        self._h = float(change["new"])
        self._show(self._h)

    def estimate(self, method: str, h: float | None = None) -> float:
        """The ``method`` estimate of the derivative at step ``h`` (default: the slider's)."""
        from ..numeric.finite_differences import derivative

        with np.errstate(all="ignore"):
            r = derivative(self.function, self.x, method, self.h if h is None else h, exact_step=False)
        return float(np.real(r.value))

    @property
    def estimates(self) -> dict[str, float]:
        return {m: self.estimate(m) for m in self.methods}

    @property
    def errors(self) -> dict[str, float]:
        """``|estimate − AD value|`` per method at the current h."""
        return {m: abs(v - self.ad_value) for m, v in self.estimates.items()}

    @property
    def table_html(self) -> str:
        return self._table.value

    @property
    def plot_html(self) -> str:
        """The plot with its marks as one HTML snippet (what the widget draws)."""
        return self._plot_html(self.h)

    # -- drawing ------------------------------------------------------------------------
    def _draw_curve(self) -> None:
        """Draw the error curves once; remember how to place a marker on the picture."""
        from .plots import error_plot

        fig = error_plot(self.sweep, relative=True, models=False)
        self._ax = ax = fig.axes[0]
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=fig.dpi)  # same dpi: data → pixel transform stays valid
        self._png = base64.b64encode(buffer.getvalue()).decode("ascii")
        self._size = (round(fig.bbox.width), round(fig.bbox.height))
        self._scale = abs(self.sweep.exact) if self.sweep.exact != 0 else 1.0
        self._ylim = ax.get_ylim()
        self.figure = fig

    def _pixel(self, h: float, value: float | None = None) -> tuple[float, float]:
        """Where the point (h, relative error) sits on the saved picture, in pixels from top-left."""
        y = self._ylim[1] if value is None else min(max(value, self._ylim[0]), self._ylim[1])
        px, py = self._ax.transData.transform((h, y))
        return float(px), float(self._size[1] - py)

    def marker_xy(self, method: str | None = None) -> tuple[float, float]:
        """Pixel position of the h marker (top of the line) or of ``method``'s dot on it."""
        if method is None:
            return self._pixel(self.h)
        return self._pixel(self.h, self.errors[method] / self._scale)

    def _marks(self, h: float) -> list[dict]:
        """The h marker, its label (at the bottom, clear of the √ε notes) and a ring per method."""
        from .plots import METHOD_STYLE

        (x, top), (_, bottom) = self._pixel(h), self._pixel(h, self._ylim[0])
        marks = [{"tag": "line", "class": "h-marker", "x1": f"{x:.1f}", "x2": f"{x:.1f}", "y1": f"{top:.1f}",
                  "y2": f"{bottom:.1f}", "stroke": "#dc2626", "stroke-width": "2"}]
        right = x > self._size[0] * 0.7  # near the right edge the label goes to the left of the line
        marks.append({"tag": "text", "class": "h-label", "x": f"{x - 4 if right else x + 4:.1f}",
                      "y": f"{top + 0.45 * (bottom - top):.1f}", "fill": "#dc2626", "font-size": "13",
                      "stroke": "white", "stroke-width": "3", "paint-order": "stroke",
                      "text-anchor": "end" if right else "start", "text": f"h = {h:.1e}"})
        for m, error in self.errors.items():
            cx, cy = self._pixel(h, error / self._scale)
            colour = METHOD_STYLE.get(m, {}).get("color", "#111827")
            marks.append({"tag": "circle", "class": "h-dot", "cx": f"{cx:.1f}", "cy": f"{cy:.1f}", "r": "8",
                          "fill": "white", "fill-opacity": "0.6", "stroke": colour, "stroke-width": "3"})
        return marks

    def _plot_html(self, h: float) -> str:
        width, height = self._size
        items = []
        for m in self._marks(h):
            attrs = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in m.items() if k not in ("tag", "text"))
            items.append(f"<{m['tag']} {attrs}>{html.escape(m.get('text', ''))}</{m['tag']}>")
        return (f'<div style="position:relative;max-width:100%;width:{width}px">'
                f'<img src="data:image/png;base64,{self._png}" style="width:100%;height:auto" alt="error vs h">'
                f'<svg style="position:absolute;left:0;top:0;width:100%;height:100%" viewBox="0 0 {width} {height}">'
                + "".join(items) + "</svg></div>")

    def _table_html(self, h: float) -> str:
        """The estimates at ``h``, styled by :data:`FD_TABLE_CSS` (sent once, in its own widget);
        every cell is one no-wrap unit, as in the sweep tables (a number never breaks)."""
        rows = [(f"<tr><th>method</th><th>formula</th><th>estimate at h&nbsp;=&nbsp;{h:.1e}</th><th>|error|</th>"
                 "<th>relative</th></tr>")]
        for m, value in self.estimates.items():
            error = abs(value - self.ad_value)
            rel = error / abs(self.ad_value) if self.ad_value != 0 else error
            rows.append("<tr>" + "".join(table_cell(text, cls) for text, cls in (
                (m, ""), (_FD_FORMULAS.get(m, m), "code"), (f"{value:.16g}", "num"), (f"{error:.2e}", "num"),
                (f"{rel:.2e}", "num"))) + "</tr>")
        rows.append('<tr class="exact">' + "".join(table_cell(text, cls) for text, cls in (
            ("AD", ""), ("forward sweep", ""), (f"{self.ad_value:.16g}", "num"))) + "<td colspan=2>exact up to rounding</td></tr>")
        return ('<table class="adviz-fd">' + "".join(rows) + "</table>"
                + '<p style="font-size:13px;color:#374151">The red line on the plot is the current h; the rings '
                "are each method's error there. Filled dots mark each method's best h.</p>")

    def _show(self, h: float) -> None:
        self._table.value = self._table_html(h)
        self._plot.marks = self._marks(h)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)


# ---------------------------------------------------------------- the playground


def _tape_html(trace: Trace) -> str:
    """The tape as an HTML table: one row per node, names coloured by kind."""
    pad = "padding:2px 10px"
    rows = [f'<tr><th style="{pad}">node</th><th style="{pad}">definition</th><th style="{pad}">value</th></tr>']
    for node in trace.nodes:
        kind = style.INPUT if node.is_input else (style.OUTPUT if node.is_output else style.INTERMEDIATE)
        rows.append(f'<tr><td style="{pad};color:{kind.line};font-weight:bold">{html.escape(node.name)}</td>'
                    f'<td style="{pad}">{html.escape(node.definition)}</td>'
                    f'<td style="{pad}">{html.escape(summary(node.value))}</td></tr>')
    return '<table class="adviz-tape" style="border-collapse:collapse;font-size:14px">' + "".join(rows) + "</table>"


class Playground:
    """Type an expression and values, see its tape, graph and sweep.

    Two text boxes, ``sin(x**2 + 1)`` and ``x=3`` (vectors as ``v=[1, 2, 3]``), and a
    forward/reverse switch; pressing Enter (or the button) traces the expression and
    shows the tape and a :class:`SweepPlayer`.  A mistake shows what is wrong and where
    (for a syntax error: the text with a caret under the spot), never a traceback.

    Python-side: ``submit(expression=None, values=None, mode=None)``, ``error`` (the
    message shown, or None), ``trace``, ``player``.
    """

    def __init__(self, expression: str = "sin(x**2 + 1)", values: str = "x=3", mode: str = "reverse") -> None:
        import ipywidgets as w

        self._expression = w.Text(value=expression, description="f =", continuous_update=False,
                                  layout=w.Layout(width="480px"))
        self._values = w.Text(value=values, description="at", continuous_update=False,
                              layout=w.Layout(width="480px"))
        self._mode = w.ToggleButtons(options=["forward", "reverse"], value=mode)
        self._seed = w.Dropdown(options=[], description="seed on", layout=w.Layout(width="200px"))
        button = w.Button(description="trace it", button_style="primary")
        self._output = w.VBox()
        self.trace: Trace | None = None
        self.player: SweepPlayer | None = None
        self.error: str | None = None
        self.error_widget = w.HTML()
        button.on_click(lambda _: self.submit())
        for box in (self._expression, self._values):
            box.observe(lambda _: self.submit(), "value")
        self._mode.observe(lambda _: self.submit(), "value")
        self._mode.observe(lambda change: self._show_seed(change["new"]), "value")
        self._show_seed(mode)
        self._seed.observe(lambda change: self._on_seed(change), "value")
        self.widget = w.VBox([self._expression, self._values, w.HBox([self._mode, self._seed, button]),
                              self.error_widget, self._output])
        self.widget.add_class("adviz-playground")
        self._busy = False
        self.submit()

    def _show_seed(self, mode: str) -> None:
        """The seed choice matters only in forward mode (reverse mode seeds the output)."""
        self._seed.layout.display = "" if mode == "forward" else "none"

    def _on_seed(self, change) -> None:
        if not self._busy and self._mode.value == "forward":
            self.submit()

    def submit(self, expression: str | None = None, values: str | None = None, mode: str | None = None) -> None:
        """Trace the expression at the values (optionally replacing them first) and show it."""
        import ipywidgets as w

        if self._busy:
            return
        self._busy = True
        try:
            if expression is not None:
                self._expression.value = expression
            if values is not None:
                self._values.value = values
            if mode is not None:
                self._mode.value = mode
            self._run(w)
        finally:
            self._busy = False

    def _run(self, w) -> None:
        from ..expr import ParseError, parse

        try:
            trace = trace_from(parse(self._expression.value), parse_values(self._values.value))
            names = list(trace.input_names)
            if list(self._seed.options) != names:
                self._seed.options = names
            if self._seed.value not in names:  # show the input the forward sweep is seeded on
                self._seed.value = names[0]
            seed = None
            if self._mode.value == "forward":
                name = self._seed.value or names[0]
                seed = {name: np.ones_like(trace[name].value)}
            player = SweepPlayer(trace, self._mode.value, seed)
        except Exception as error:  # a student's input must never end in a traceback
            if not isinstance(error, (ValueError, TypeError, ArithmeticError)):
                logger.debug("playground: %r", error, exc_info=True)
            self.error = error.pretty() if isinstance(error, ParseError) else str(error) or type(error).__name__
            self.error_widget.value = error_html(error)
            self._output.children = ()
            self.trace, self.player = None, None
            return
        self.error = None
        self.error_widget.value = ""
        self.trace, self.player = trace, player
        self._output.children = (w.HTML("<b>The tape</b>" + _tape_html(trace)), player.widget)

    @property
    def error_html(self) -> str:
        """The HTML shown for the current error ('' when there is none)."""
        return self.error_widget.value

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)
