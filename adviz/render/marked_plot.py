"""A picture sent once, with a few marks drawn over it that move (for sliders).

The finite-difference explorer shows a matplotlib figure (the error-vs-h curves) and a
marker for the current ``h``.  Re-sending the picture at every tick of the slider costs
~120 KB a tick; :class:`MarkedPlot` sends it once and then only the marks: a vertical line,
a label and a ring per method, in the picture's own pixel coordinates.  The overlay is an
SVG with the picture's ``viewBox``, so picture and marks shrink together in a narrow
column.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["MarkedPlot"]

_ESM = r"""
function render({ model, el }) {
  var box = document.createElement("div");
  box.className = "adviz-marked-plot";
  box.style.cssText = "position:relative;max-width:100%;line-height:0";
  var img = document.createElement("img");
  img.alt = model.get("alt");
  img.style.cssText = "display:block;width:100%;height:auto";
  var ns = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(ns, "svg");
  svg.style.cssText = "position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible";
  box.append(img, svg);
  el.style.minWidth = "0";
  el.style.maxWidth = "100%";
  el.appendChild(box);
  function picture() {
    var size = model.get("size");
    img.src = "data:image/png;base64," + model.get("png");
    box.style.width = size[0] + "px";
    svg.setAttribute("viewBox", "0 0 " + size[0] + " " + size[1]);
  }
  function marks() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    model.get("marks").forEach(function (m) {
      var e = document.createElementNS(ns, m.tag);
      Object.keys(m).forEach(function (k) { if (k !== "tag" && k !== "text") e.setAttribute(k, m[k]); });
      if (m.text) e.textContent = m.text;
      svg.appendChild(e);
    });
  }
  model.on("change:png", picture);
  model.on("change:marks", marks);
  picture();
  marks();
}
export default { render };
"""


class MarkedPlot(anywidget.AnyWidget):
    """``png`` (base64, sent once), ``size`` (its pixels), ``marks``: SVG elements as dicts."""

    _esm = _ESM
    png = traitlets.Unicode("").tag(sync=True)
    size = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    marks = traitlets.List(traitlets.Dict()).tag(sync=True)
