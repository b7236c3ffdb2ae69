"""The sweep's picture in Jupyter: one SVG sent once, each step painted in the browser.

:class:`SweepView` is a small `anywidget <https://anywidget.dev>`_: when it is shown, the
kernel sends the graph laid out once (:class:`~adviz.render.layout.SweepLayout`), the
captions, the table and, per step, what changes.  After that a step is one integer
(``view.step = 3``): the browser repaints the boxes and arrows that change (the same
painter as the HTML page, :data:`~adviz.render.layout.PAINT_JS`), swaps the caption and
marks the table's rows.  Nothing moves and nothing is sent again.

The players of :mod:`adviz.render.widgets` put their transport bar (play, slider,
buttons) next to it and link the slider to ``step`` in the browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from . import style
from .html import TABLE_CSS, step_caption, sweep_table_html
from .layout import PAINT_JS, SweepLayout

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.record import Sweep, Trace

__all__ = ["MIN_FIT_SCALE", "SweepView", "VIEW_CSS"]

MIN_FIT_SCALE = 0.625
"""Fit to width shrinks a graph to no less than this share of its size: 12-point labels
stay at least 10 pixels high.  The HTML page uses the same rule."""

VIEW_CSS = TABLE_CSS + """
.adviz-view { box-sizing: border-box; max-width: 100%; min-width: 0; }
.adviz-sweep-view, .adviz-marked-plot-host { min-width: 0; max-width: 100%; }  /* flex items: may shrink */
.adviz-view .adviz-captions { display: grid; margin: 4px 0; }  /* the caption and, hidden, every caption */
.adviz-view .adviz-captions > *, .adviz-view .adviz-caption-ghosts > * { grid-area: 1 / 1; }  /* in one cell */
.adviz-view .adviz-caption, .adviz-view .adviz-caption-ghosts > div { border-left: 5px solid var(--strong);
  padding: 6px 10px; font: 15px/1.4 system-ui, sans-serif; color: #111827; overflow-wrap: anywhere; }
.adviz-view .adviz-caption { background: var(--light); }
.adviz-view .adviz-caption-ghosts { display: grid; visibility: hidden; }
.adviz-view .adviz-graph { overflow: auto; max-width: 100%; border: 1px solid #e5e7eb; border-radius: 6px; }
.adviz-view .adviz-graph { max-height: 600px; }
.adviz-view .adviz-graph svg { display: block; }
.adviz-view .adviz-graph.fit svg { max-width: 100%; height: auto; }
.adviz-view .adviz-table-box { max-height: 320px; overflow: auto; margin-top: 6px; }
/* a running quiz (SweepPlayer(quiz=True)): a term not answered yet shows no arrow label and no row but
   its number (the local partial's value, with the adjoint in the box, would be the answer) */
.adviz-view.quiz .adviz-table-box tr.pending td:not(:nth-child(2)) { visibility: hidden; }
.adviz-view.quiz .adviz-graph g.pending[data-el^=e] text,
.adviz-view.quiz .adviz-graph g.pending[data-el^=f] text { visibility: hidden; }
"""

_ESM = PAINT_JS + r"""
function render({ model, el }) {
  var root = document.createElement("div");
  root.className = "adviz-view";
  var style = document.createElement("style");
  style.textContent = model.get("css");
  var captions = document.createElement("div");  // the caption box is as tall as the longest caption
  captions.className = "adviz-captions";         // (all of them sit hidden in the same grid cell):
  var caption = document.createElement("div");   // the graph below never slides while stepping
  caption.className = "adviz-caption";
  var ghosts = document.createElement("div");
  ghosts.className = "adviz-caption-ghosts";
  ghosts.setAttribute("aria-hidden", "true");
  model.get("captions").concat(model.get("caption_ghosts")).forEach(function (text) {
    var ghost = document.createElement("div");
    adviz_caption(ghost, text);
    ghosts.appendChild(ghost);
  });
  captions.append(caption, ghosts);
  var graph = document.createElement("div");
  graph.className = "adviz-graph";
  var table = document.createElement("div");
  table.className = "adviz-table-box";
  root.append(style, captions, graph, table);
  el.style.minWidth = "0";  // a flex item may shrink below its picture's width: the picture scrolls instead
  el.style.maxWidth = "100%";
  el.appendChild(root);
  var colours = model.get("colours");
  root.style.cssText = "--strong:" + colours[0] + ";--light:" + colours[1] + ";--active:" + colours[2];
  var picture = adviz_player(graph, model.get("graph"));
  table.innerHTML = model.get("table");
  if (!model.get("show_table")) table.style.display = "none";
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-step]"));
  function state(rowStep, k) {
    if (rowStep < k || (rowStep === 0 && k > 0)) return "done";
    return rowStep === k ? "current" : "pending";
  }
  function show() {
    var data = model.get("graph"), k = Math.max(0, Math.min(data.changes.length - 1, model.get("step")));
    adviz_goto(picture, k);
    adviz_caption(caption, model.get("captions")[k]);
    root.setAttribute("data-step", k);
    root.classList.toggle("quiz", model.get("quiz"));
    graph.classList.toggle("fit", model.get("fit"));
    var first = null;
    rows.forEach(function (r) {
      r.className = state(+r.getAttribute("data-step"), k);
      if (!first && r.className === "current") first = r;
    });
    if (first) {
      var top = first.offsetTop;
      if (top < table.scrollTop + 30 || top + first.offsetHeight > table.scrollTop + table.clientHeight)
        table.scrollTop = Math.max(0, top - table.clientHeight / 3);
    }
    follow();
  }
  function follow() {  // keep the node of this step in view (a wide graph full size, a tall one in any case)
    var data = model.get("graph"), active = picture.els[data.active[picture.step]];
    if (!active || !graph.clientHeight) return;  // not laid out yet (a cell out of view): done when it shows
    var box = active.g.getBoundingClientRect(), frame = graph.getBoundingClientRect();
    graph.scrollLeft += box.left + box.width / 2 - frame.left - graph.clientWidth / 2;
    graph.scrollTop += box.top + box.height / 2 - frame.top - graph.clientHeight / 2;
  }
  if (window.ResizeObserver) new ResizeObserver(function () { decide(); }).observe(root);
  if (window.IntersectionObserver) {  // JupyterLab lays out cells lazily: follow once visible
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { decide(); follow(); }
    }).observe(graph);
  }
  function decide() {  // auto: shrink only while the text stays readable (>= 10 px)
    if (!model.get("auto_fit") || root.clientWidth < 240) return;  // not laid out yet: wait
    var width = root.clientWidth;
    var fit = model.get("graph").size[0] * model.get("min_fit_scale") <= width;
    model.set("auto_fit", false);
    model.set("fit", fit);
    model.save_changes();
  }
  model.on("change:step", show);
  model.on("change:fit", show);
  model.on("change:quiz", show);
  decide();
  show();
  requestAnimationFrame(function () { decide(); show(); });  // once laid out: fit or not, then follow
}
export default { render };
"""


class SweepView(anywidget.AnyWidget):
    """The graph, caption and table of one sweep; ``step`` chooses what is shown."""

    _esm = _ESM
    graph = traitlets.Dict().tag(sync=True)
    captions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    caption_ghosts = traitlets.List(traitlets.Unicode()).tag(sync=True)  # more captions the box makes room for
    table = traitlets.Unicode("").tag(sync=True)
    show_table = traitlets.Bool(True).tag(sync=True)
    colours = traitlets.List(traitlets.Unicode()).tag(sync=True)
    css = traitlets.Unicode(VIEW_CSS).tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    fit = traitlets.Bool(True).tag(sync=True)
    auto_fit = traitlets.Bool(False).tag(sync=True)  # the browser chooses ``fit`` from the column's width
    min_fit_scale = traitlets.Float(MIN_FIT_SCALE).tag(sync=True)
    quiz = traitlets.Bool(False).tag(sync=True)  # a quiz runs: terms not answered yet hide their labels and rows

    def __init__(self, trace: Trace, sweep: Sweep, *, sweep_layout: SweepLayout | None = None, show_table: bool = True,
                 **graph_options: Any) -> None:
        layout = sweep_layout if sweep_layout is not None else SweepLayout(trace, sweep, **graph_options)
        colours = style.mode_colours(sweep.mode)
        n = len(sweep.steps)
        super().__init__(graph=layout.player_data(), captions=[step_caption(trace, sweep, k) for k in range(n + 1)],
                         table=sweep_table_html(trace, sweep, 0) if show_table else "", show_table=show_table,
                         colours=[colours.strong, colours.light, colours.active])
        self.sweep_layout = layout
        self.add_class("adviz-sweep-view")
