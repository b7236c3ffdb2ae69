"""The quiz on the standalone HTML page: its panel, its styles and the script that marks answers.

``adviz graph EXPR --animate --quiz -o quiz.html`` (or ``sweep_html(t, quiz=True)``) writes
the ordinary sweep page with a panel above the caption: the question, a text box, *check*
and *reveal* buttons, the verdict and the score.  The script below reads the questions
prepared by :meth:`adviz.render.quiz.Quiz.data` and marks answers by the same rules as
:meth:`~adviz.render.quiz.Quiz.answer`: the same tolerance, the same typical slips, the
same texts.  It reads what the student types with a small parser of its own (numbers,
``+ - * / **``, brackets, ``pi``, ``e``, the functions of
:data:`~adviz.render.quiz.ANSWER_FUNCTIONS`, lists ``[a, b]``); nothing typed is ever run
as code.  Pure JavaScript, no kernel: a teacher can put the file on a course website.

While the quiz runs, the player's buttons, slider and keys are locked (the graph moves on
only through answers); once every question is done they work again.  Until a term is
answered, its arrow shows no label and its table row only its number: the arrow's grey
label would say the local partial with its value (``∂v4/∂x2 = cos(x2) = 0.2837``), and
with the incoming adjoint in the box next to it that is the answer.  The panel has the
same height at every question, so nothing below it moves.

The answers are in the page's data: a page that marks answers without a server has to
carry them.  Use it for self-study and practice, not for an exam.
"""

from __future__ import annotations

import html

from .quiz import TOLERANCE_NOTE

__all__ = ["QUIZ_CSS", "QUIZ_JS", "quiz_panel"]

QUIZ_CSS = """
#quiz { border: 2px solid var(--strong); border-radius: 8px; padding: 8px 12px; margin: 0 0 10px; background: #fff; }
#quiz-question { margin: 0 0 6px; font-size: 16px; height: 2.8em; overflow: auto; }
#quiz-form { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0; }
#quiz-symbol { font-weight: bold; min-width: 4em; text-align: right; }
#quiz-answer { font: 16px ui-monospace, "DejaVu Sans Mono", monospace; width: 16em; padding: 3px 6px;
  border: 1px solid #94a3b8; border-radius: 5px; }
#quiz-form button { font-size: 15px; padding: 3px 10px; border: 1px solid #cbd5e1; border-radius: 6px;
  background: #f8fafc; cursor: pointer; }
#quiz-form #quiz-check { color: #fff; background: var(--strong); border-color: var(--strong); }
#quiz-form button:disabled { opacity: 0.45; cursor: default; }
#quiz-score { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: bold; }
#quiz-feedback { margin: 6px 0 0; padding: 4px 8px; height: 4.2em; overflow: auto; border-radius: 5px; }
#quiz-feedback[data-verdict=right] { background: #dcfce7; color: #14532d; }
#quiz-feedback[data-verdict=wrong] { background: #fee2e2; color: #7f1d1d; }
#quiz-feedback[data-verdict=revealed] { background: #fef9c3; color: #713f12; }
#quiz-feedback[data-verdict=unread] { background: #f1f5f9; color: #334155; }
#quiz-feedback[data-verdict=done] { background: var(--light); color: #111827; }
.quiz-note { margin: 4px 0 0; font-size: 12.5px; color: #4b5563; }
body.quiz .controls button:disabled, body.quiz .controls input:disabled { opacity: 0.4; cursor: default; }
/* While the quiz runs, a term not answered yet shows nothing of itself: no table row but its number, and
   no arrow label (the local partial's value, with the adjoint the box shows, would be the answer). */
body.quiz:not([data-quiz=done]) #table tr.pending td:not(:nth-child(2)) { visibility: hidden; }
body.quiz:not([data-quiz=done]) #graph g.pending[data-el^=e] text,
body.quiz:not([data-quiz=done]) #graph g.pending[data-el^=f] text { visibility: hidden; }
"""
"""Styles of the quiz panel (colours from the page's CSS variables)."""


def quiz_panel(note: str = TOLERANCE_NOTE, placeholder: str = "e.g. -0.8391 or cos(10)*6") -> str:
    """The quiz's HTML: question, answer box, check/reveal, verdict, score, and how answers are marked
    (``note`` and ``placeholder``: :attr:`Quiz.note` and :attr:`Quiz.placeholder`, whose examples
    are none of the quiz's answers)."""
    return f"""<section id="quiz" aria-label="predict the next value">
<p id="quiz-question">Predict each value before the sweep shows it.</p>
<form id="quiz-form" autocomplete="off">
<label id="quiz-symbol" for="quiz-answer"></label>
<input id="quiz-answer" type="text" spellcheck="false" autocapitalize="off" placeholder="{html.escape(placeholder)}">
<button id="quiz-check" type="submit">check</button>
<button id="quiz-reveal" type="button" disabled title="show the answer (after a wrong try)">reveal</button>
<span id="quiz-score"></span>
</form>
<p id="quiz-feedback" role="status" aria-live="polite" data-verdict=""></p>
<p class="quiz-note">{html.escape(note)}</p>
</section>"""


QUIZ_JS = r"""
// The quiz (adviz.render.quiz_page): ask each chain-rule term's value before the page shows it.
// page: {show(k), lock(on)}; quiz: adviz.render.quiz.Quiz.data().
function adviz_read_answer(text, functions) {
  // numbers, + - * / **, brackets, pi, e, whitelisted functions, [lists]; nothing is run as code
  var s = String(text).replace(/\u2212/g, "-").replace(/[\u00b7\u00d7]/g, "*"), i = 0;
  var names = {arctan: "atan", arcsin: "asin", arccos: "acos"};
  function fail(what) { throw new Error(what); }
  function space() { while (i < s.length && /\s/.test(s[i])) i++; }
  function peek(t) { space(); return s.substr(i, t.length) === t; }
  function eat(t) { if (peek(t)) { i += t.length; return true; } return false; }
  function num(v) { if (Array.isArray(v)) fail("arithmetic on a list: write each entry as a number"); return v; }
  function expression() {
    var v = term();
    for (;;) {
      if (peek("+")) { i++; v = num(v) + num(term()); }
      else if (peek("-")) { i++; v = num(v) - num(term()); }
      else return v;
    }
  }
  function term() {
    var v = factor();
    for (;;) {
      if (peek("*")) { i++; v = num(v) * num(factor()); }
      else if (peek("/")) { i++; v = num(v) / num(factor()); }
      else return v;
    }
  }
  function factor() {
    if (eat("-")) return -num(factor());
    if (eat("+")) return num(factor());
    var v = operand();
    if (eat("**")) return Math.pow(num(v), num(factor()));
    if (peek("^")) fail("use ** for powers");
    return v;
  }
  function operand() {
    space();
    var m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
    if (m) {  // as adviz.expr reads it: no literal quietly becomes inf or 0
      i += m[0].length;
      var x = parseFloat(m[0]);
      if (!isFinite(x)) fail("the number '" + m[0] + "' is beyond the largest float");
      if (x === 0 && /[1-9]/.test(m[1])) fail("the number '" + m[0] + "' is below the smallest float and would read as 0");
      return x;
    }
    m = /^[A-Za-z_]\w*/.exec(s.slice(i));
    if (m) {
      i += m[0].length;
      if (m[0] === "pi") return Math.PI;
      if (m[0] === "e") return Math.E;
      if (functions.indexOf(m[0]) < 0) fail("unknown name '" + m[0] + "': type numbers, not variables");
      if (!eat("(")) fail("write " + m[0] + "(...)");
      var arg = num(expression());
      if (!eat(")")) fail("missing )");
      return Math[names[m[0]] || m[0]](arg);
    }
    if (eat("(")) { var v = expression(); if (!eat(")")) fail("missing )"); return v; }
    if (eat("[")) {
      var items = [expression()];
      while (eat(",")) items.push(expression());
      if (!eat("]")) fail("missing ]");
      return items;
    }
    fail(i < s.length ? "unexpected '" + s[i] + "'" : "something is missing at the end");
  }
  if (!s.trim()) fail("type a number first");
  var value = expression();
  space();
  if (i < s.length) fail("unexpected '" + s[i] + "'");
  (function finite(v) { if (Array.isArray(v)) v.forEach(finite); else if (!isFinite(v)) fail("not a finite number"); })(value);
  return value;
}
function adviz_close(a, b, rtol, atol) {
  if (Array.isArray(b) || Array.isArray(a)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (var k = 0; k < b.length; k++) if (!adviz_close(a[k], b[k], rtol, atol)) return false;
    return true;
  }
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}
function adviz_shape(v) { return Array.isArray(v) ? [v.length].concat(adviz_shape(v[0])) : []; }
function adviz_quiz(page, quiz) {
  var $ = function (id) { return document.getElementById(id); };
  var question = $("quiz-question"), symbol = $("quiz-symbol"), input = $("quiz-answer"), check = $("quiz-check"),
      reveal = $("quiz-reveal"), feedback = $("quiz-feedback"), scoreBox = $("quiz-score");
  var qs = quiz.questions, at = 0, tries = qs.map(function () { return 0; }), outcome = qs.map(function () { return null; });
  document.body.classList.add("quiz");

  function count(what) { return outcome.filter(function (o) { return o === what; }).length; }
  function score() {
    var right = count("right"), revealed = count("revealed");
    var first = outcome.filter(function (o, k) { return o === "right" && tries[k] === 0; }).length;
    var wrong = tries.reduce(function (a, b) { return a + b; }, 0);
    return {right: right, first_try: first, revealed: revealed, wrong: wrong, total: qs.length, done: right + revealed};
  }
  function say(verdict, text) { feedback.setAttribute("data-verdict", verdict); feedback.textContent = text; }
  function ask() {
    var s = score(), q = qs[at];
    scoreBox.textContent = "Score: " + s.right + " of " + s.done + " right";
    document.body.setAttribute("data-score", s.right + "/" + s.done + "/" + s.total);
    page.show(q ? q.step - 1 : Infinity);
    if (!q) {
      question.textContent = "Done: " + s.right + " of " + s.total + " right (" + s.first_try + " at the first try" +
        (s.revealed ? ", " + s.revealed + " revealed" : "") + "). Replay the sweep with the buttons above.";
      symbol.textContent = "";
      // Hand the keys back to the player now: a focused box that is disabled keeps the focus
      // until the browser's next focus fix-up, and keys typed before then would go nowhere.
      if (document.activeElement === input) input.blur();
      input.disabled = check.disabled = reveal.disabled = true;
      page.lock(false);
      document.body.setAttribute("data-quiz", "done");
      return;
    }
    question.textContent = "Question " + (at + 1) + " of " + qs.length + ". " + q.prompt;
    symbol.textContent = q.symbol + " =";
    reveal.disabled = tries[at] === 0;
    document.body.setAttribute("data-question", String(at + 1));
  }
  function next() { at++; input.value = ""; ask(); input.focus(); }
  $("quiz-form").onsubmit = function (event) {
    event.preventDefault();
    var q = qs[at], value;
    if (!q) return;
    // Enter again on the emptied box after an answer: keep that answer's verdict on screen.
    var last = feedback.getAttribute("data-verdict");
    if (!input.value.trim() && (last === "right" || last === "revealed")) return;
    try {
      value = adviz_read_answer(input.value, quiz.functions);
      if (adviz_shape(value).join(",") !== adviz_shape(q.answer).join(","))
        throw new Error(q.symbol + " is " + (Array.isArray(q.answer) ? "an array: type it as a list [a, b, \u2026]" : "one number"));
    } catch (error) {
      say("unread", "Cannot read that: " + error.message + ". (Not counted as a try.)");
      return;
    }
    if (adviz_close(value, q.answer, quiz.rtol, quiz.atol)) {
      outcome[at] = "right";
      say("right", q.right);
      next();
      return;
    }
    tries[at]++;
    var slip = null;
    q.slips.forEach(function (pair) { if (slip === null && adviz_close(value, pair[0], quiz.rtol, quiz.atol)) slip = pair[1]; });
    say("wrong", quiz.wrong + " " + (slip || q.hint));
    reveal.disabled = false;
    ask();
    input.select();
  };
  reveal.onclick = function () {
    if (!qs[at] || tries[at] === 0) return;
    outcome[at] = "revealed";
    say("revealed", qs[at].reveal);
    next();
  };
  page.lock(true);
  ask();
}
"""
"""The page-side quiz: reads answers safely, marks them like :meth:`Quiz.answer`, keeps score."""
