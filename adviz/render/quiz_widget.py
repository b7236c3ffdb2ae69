"""The quiz panel of the Jupyter sweep player: a question, an answer box, check and reveal.

:class:`QuizPanel` is a small `anywidget <https://anywidget.dev>`_ that only *shows* the
quiz: the kernel marks the answers (:class:`~adviz.render.quiz.Quiz`).  The browser sends
``{"check": text, "question": n}`` when the student presses Enter or *check*, and
``{"reveal": true, "question": n}`` for *reveal*; Python answers by setting the panel's
texts.

An answered question stays answered: after sending, the page disables the box and both
buttons until the kernel replies (every reply changes ``tick``), and the kernel ignores a
message for a question that is no longer the current one.  Without both, Enter pressed
twice on a slow kernel would score the next question with the answer typed for this one.

The panel keeps the same height at every question (the question and the verdict have
fixed heights), so the graph below it never moves.  :class:`~adviz.render.widgets.SweepPlayer`
with ``quiz=True`` puts it above the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from .quiz import TOLERANCE_NOTE

__all__ = ["QUIZ_WIDGET_CSS", "QuizPanel"]

QUIZ_WIDGET_CSS = """
.adviz-quiz { border: 2px solid var(--strong); border-radius: 8px; padding: 8px 12px; margin: 4px 0 6px;
  font: 15px/1.4 system-ui, sans-serif; color: #111827; background: #fff; box-sizing: border-box; max-width: 100%; }
.adviz-quiz .q { margin: 0 0 6px; font-size: 16px; height: 2.8em; overflow: auto; }
.adviz-quiz form { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0; }
.adviz-quiz .sym { font-weight: bold; min-width: 4em; text-align: right; }
.adviz-quiz input { font: 16px ui-monospace, "DejaVu Sans Mono", monospace; width: 16em; max-width: 100%;
  padding: 3px 6px; border: 1px solid #94a3b8; border-radius: 5px; }
.adviz-quiz button { font-size: 15px; padding: 3px 10px; border: 1px solid #cbd5e1; border-radius: 6px;
  background: #f8fafc; cursor: pointer; }
.adviz-quiz button.check { color: #fff; background: var(--strong); border-color: var(--strong); }
.adviz-quiz button:disabled { opacity: 0.45; cursor: default; }
.adviz-quiz .score { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: bold; }
.adviz-quiz .fb { margin: 6px 0 0; padding: 4px 8px; height: 4.2em; overflow: auto; border-radius: 5px; }
.adviz-quiz .fb[data-verdict=right] { background: #dcfce7; color: #14532d; }
.adviz-quiz .fb[data-verdict=wrong] { background: #fee2e2; color: #7f1d1d; }
.adviz-quiz .fb[data-verdict=revealed] { background: #fef9c3; color: #713f12; }
.adviz-quiz .fb[data-verdict=unread] { background: #f1f5f9; color: #334155; }
.adviz-quiz .fb[data-verdict=done] { background: var(--light); }
.adviz-quiz .note { margin: 4px 0 0; font-size: 12.5px; color: #4b5563; }
"""

_ESM = r"""
function render({ model, el }) {
  var root = document.createElement("div");
  root.className = "adviz-quiz";
  root.innerHTML = '<style></style><p class="q"></p><form autocomplete="off"><label class="sym"></label>' +
    '<input type="text" spellcheck="false" autocapitalize="off">' +
    '<button type="submit" class="check">check</button>' +
    '<button type="button" class="reveal" title="show the answer (after a wrong try)">reveal</button>' +
    '<span class="score"></span></form><p class="fb" role="status" aria-live="polite"></p><p class="note"></p>';
  el.appendChild(root);
  var q = function (s) { return root.querySelector(s); };
  var colours = model.get("colours");
  root.style.cssText = "--strong:" + colours[0] + ";--light:" + colours[1];
  q("style").textContent = model.get("css");
  q(".note").textContent = model.get("note");
  q("input").placeholder = model.get("placeholder");
  var input = q("input");
  var pending = false;  // an answer is on its way to the kernel: nothing more until it replies
  var refocus = false;  // the student was typing: give the box its focus back after the reply
  function lock() {
    var done = model.get("done");
    input.disabled = q(".check").disabled = done || pending;
    q(".reveal").disabled = done || pending || !model.get("can_reveal");
  }
  function show() {
    pending = false;
    q(".q").textContent = model.get("question");
    q(".sym").textContent = model.get("symbol");
    q(".score").textContent = model.get("score");
    var fb = q(".fb");
    fb.textContent = model.get("feedback");
    fb.setAttribute("data-verdict", model.get("verdict"));
    lock();
    root.setAttribute("data-question", model.get("number"));
    if (model.get("clear")) input.value = "";
    if (refocus && !input.disabled) input.focus();  // disabled while waiting, the box lost its focus
    refocus = false;
  }
  function send(message) {
    if (pending || model.get("done")) return;
    refocus = root.contains(document.activeElement);
    pending = true;
    lock();
    message.question = model.get("number");  // the question this answers: a late duplicate is ignored
    model.send(message);
  }
  function check() {  // Enter again on the empty box after an answer: keep its verdict on screen
    var last = model.get("verdict");
    if (!input.value.trim() && (last === "right" || last === "revealed")) return;
    send({ check: input.value });
  }
  q("form").onsubmit = function (event) { event.preventDefault(); check(); };
  input.addEventListener("keydown", function (event) {
    event.stopPropagation();  // typing is not a notebook shortcut (Enter, arrows, a, b, …)
    if (event.key === "Enter") { event.preventDefault(); check(); }
  });
  q(".reveal").onclick = function () { send({ reveal: true }); };
  model.on("change", show);
  show();
}
export default { render };
"""


class QuizPanel(anywidget.AnyWidget):
    """What the student sees of a quiz; ``on_check(text, question)`` and ``on_reveal(question)``
    are called back with the number of the question the student answered (None if unknown)."""

    _esm = _ESM
    css = traitlets.Unicode(QUIZ_WIDGET_CSS).tag(sync=True)
    note = traitlets.Unicode(TOLERANCE_NOTE).tag(sync=True)
    placeholder = traitlets.Unicode("e.g. -0.8391 or cos(10)*6").tag(sync=True)
    colours = traitlets.List(traitlets.Unicode()).tag(sync=True)
    question = traitlets.Unicode("").tag(sync=True)
    symbol = traitlets.Unicode("").tag(sync=True)
    number = traitlets.Int(0).tag(sync=True)
    feedback = traitlets.Unicode("").tag(sync=True)
    verdict = traitlets.Unicode("").tag(sync=True)  # "", right, wrong, revealed, unread, done
    score = traitlets.Unicode("").tag(sync=True)
    can_reveal = traitlets.Bool(False).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    clear = traitlets.Bool(False).tag(sync=True)  # empty the answer box (a new question)
    tick = traitlets.Int(0).tag(sync=True)  # changes with every reply: the page unlocks its box

    def __init__(self, colours: list[str], on_check: Callable[[str, int | None], None],
                 on_reveal: Callable[[int | None], None],
                 **kwargs: Any) -> None:
        super().__init__(colours=colours, **kwargs)
        self._on_check, self._on_reveal = on_check, on_reveal
        self.on_msg(self._message)
        self.add_class("adviz-quiz-panel")

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        question = content.get("question")
        question = question if isinstance(question, int) and not isinstance(question, bool) else None
        if "check" in content:
            self._on_check(str(content["check"]), question)
        elif content.get("reveal"):
            self._on_reveal(question)
        self.tick += 1  # whatever happened, the page may take the next answer
