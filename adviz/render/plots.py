"""Matplotlib figures for the comparisons: error vs h, cost vs n/m, symbolic swell vs depth.

Each function takes a measured record (an :class:`~adviz.numeric.error_sweep.ErrorSweep`, a
cost sweep, a swell report), draws it and returns a ``matplotlib.figure.Figure``. Nothing here
computes derivatives: the pictures only show what the numeric module measured.

The figures are built with the object-oriented API (``Figure()``, no ``pyplot``), so the library
never opens a window, never touches pyplot's global "current figure", and works without a
display. In Jupyter a returned Figure shows inline; ``path=`` saves a PNG or SVG (by suffix).
matplotlib is imported only when a plot is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["METHOD_STYLE", "error_plot", "save_figure", "swell_plot"]

# One colour per method, kept consistent across figures (colour-blind-safe Tableau hues).
METHOD_STYLE: dict[str, dict[str, str]] = {
    "forward": {"color": "#1f77b4", "label": "forward difference"},
    "backward": {"color": "#17becf", "label": "backward difference"},
    "central": {"color": "#ff7f0e", "label": "central difference"},
    "central4": {"color": "#8c564b", "label": "central, order 4"},
    "central6": {"color": "#e377c2", "label": "central, order 6"},
    "central8": {"color": "#7f7f7f", "label": "central, order 8"},
    "richardson": {"color": "#9467bd", "label": "Richardson (central, h and h/2)"},
    "complex": {"color": "#2ca02c", "label": "complex step"},
}


def _new_figure(width: float = 8.0, height: float = 6.0) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Save ``fig`` as PNG or SVG, chosen by the file suffix; returns the path.

    The file is written atomically (:func:`adviz.fileio.atomic_write`): a full disk never
    leaves half a picture, and a file being replaced stays intact until the new one is
    complete. The folder must exist. The bytes are reproducible: the same figure gives the
    same file (no date in the metadata, SVG element ids from a fixed salt).
    """
    import io

    from matplotlib import rc_context

    from ..fileio import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"plots are saved as .png or .svg, got {path.name!r}")
    buffer = io.BytesIO()
    metadata = {"Date": None} if suffix == ".svg" else {}
    with rc_context({"svg.hashsalt": "adviz", "svg.fonttype": "path"}):
        fig.savefig(buffer, dpi=dpi, format=suffix[1:], metadata=metadata)
    return atomic_write(path, buffer.getvalue())


def _sup(k: int) -> str:
    return str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _fmt_h(h: float) -> str:
    """1.5e-08 -> '1.5·10⁻⁸' for labels."""
    mantissa, exponent = f"{h:.1e}".split("e")
    return f"{mantissa}·10{_sup(int(exponent))}"


def error_plot(
    sweep: Any,
    *,
    methods: tuple[str, ...] | None = None,
    relative: bool = True,
    models: bool = True,
    title: str | None = None,
    path: str | Path | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The V-shaped error-vs-h curve of a lecture on numerical differentiation (log-log).

    Draws, for each method of the sweep, the measured error at every h; dashed lines for the
    fitted truncation part ``C·h^p`` and round-off part ``R/h`` (one-sided and central only);
    a dot at each method's best h; dotted verticals at the textbook optima √ε·max(1,|x|) and
    ∛ε·max(1,|x|); and a horizontal band at ε·|f'(x)|, the error of a float64 derivative that
    is exact up to rounding, which is what AD delivers.

    relative: plot |error| / |f'(x)| (default) or the absolute error.
    """
    curves = {m: sweep.curves[m] for m in (methods or sweep.methods)}
    fig = ax.figure if ax is not None else _new_figure()
    ax = ax if ax is not None else fig.add_subplot()
    scale = abs(sweep.exact) if (relative and sweep.exact != 0) else 1.0
    floor = sweep.ad_floor / scale  # ε (relative) or ε·|f'| (absolute)
    clip = floor / 8  # where exact zeros are drawn (log scale has no 0)
    hs = sweep.hs

    ax.axhspan(clip, floor, color="#2ca02c", alpha=0.08, lw=0)
    ax.axhline(floor, color="black", lw=1.2, ls="-", alpha=0.8)
    ax.annotate(
        "AD: exact up to rounding, error ≈ ε·|f′(x)|" if not relative else "AD: exact up to rounding (relative error ≈ ε)",
        xy=(hs[0], floor), xytext=(4, 3), textcoords="offset points", fontsize=8.5, va="bottom",
    )

    # The complex step first, wide and pale: its right arm coincides with the central
    # difference's (both err by h²·|f‴|/6), which must stay visible on top of it.
    order = sorted(curves, key=lambda m: m != "complex")
    for name in order:
        c = curves[name]
        style = METHOD_STYLE.get(name, {"color": None, "label": name})
        err = np.clip(c.abs_error / scale, clip, None)
        evals = f"{c.evaluations} eval{'s' if c.evaluations > 1 else ''}"
        label = f"{style['label']}: p={c.order}, {evals}, best h≈{_fmt_h(c.best_h)}"
        wide = name == "complex"
        ax.loglog(hs, err, "-", color=style["color"], lw=3.2 if wide else 1.5, alpha=0.55 if wide else 0.95,
                  label=label, zorder=2 if wide else 3)
        best = max(c.best_error / scale, clip)
        ax.loglog([c.best_h], [best], "o", color=style["color"], ms=8, mec="black", mew=0.8, zorder=6)
        if models and np.isfinite(c.truncation_constant):
            part = hs >= c.best_h / 30
            ax.loglog(hs[part], c.truncation_model(hs[part]) / scale, "--", color=style["color"], lw=0.9, alpha=0.8)
        if models and np.isfinite(c.roundoff_constant):
            part = hs <= c.best_h * 30
            ax.loglog(hs[part], c.roundoff_model(hs[part]) / scale, ":", color=style["color"], lw=1.2, alpha=0.9)

    scale_x = max(1.0, abs(sweep.x))
    eps = sweep.eps
    for power, text in ((1 / 2, "√ε"), (1 / 3, "∛ε")):
        h_star = eps**power * scale_x
        ax.axvline(h_star, color="0.35", ls=(0, (2, 3)), lw=1)
        ax.annotate(f"h = {text}·max(1,|x|)\n= {_fmt_h(h_star)}", xy=(h_star, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -4), textcoords="offset points", fontsize=8, va="top", color="0.25")

    ax.set_ylim(clip, 30.0 * max(abs(sweep.exact), 1e-300) / scale)  # errors beyond 30·|f′| say nothing new
    ax.set_xlim(hs[0], hs[-1])
    ax.set_xlabel("step size h")
    ax.set_ylabel("relative error |estimate − f′(x)| / |f′(x)|" if relative else "absolute error |estimate − f′(x)|")
    _annotate_regimes(ax, curves, scale, relative)
    ax.set_title(title or f"Finite-difference error at x = {sweep.x:g}  (f′(x) = {sweep.exact:.6g})", fontsize=11)
    ax.grid(True, which="major", alpha=0.25)
    handles, labels = ax.get_legend_handles_labels()
    ranked = sorted(range(len(handles)), key=lambda i: list(curves).index(order[i]))
    handles, labels = [handles[i] for i in ranked], [labels[i] for i in ranked]
    from matplotlib.lines import Line2D

    if models:  # the legend names only what is drawn
        handles += [Line2D([], [], color="0.3", ls="--", lw=0.9), Line2D([], [], color="0.3", ls=":", lw=1.1)]
        labels += ["fitted truncation part C·hᵖ", "fitted round-off part R/h"]
    handles.append(Line2D([], [], marker="o", ls="", color="0.6", mec="black"))
    labels.append("best h (lowest median error over a decade)")
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize=8, frameon=False)
    if path is not None:
        save_figure(fig, path)
    return fig


def _annotate_regimes(ax: Axes, curves: dict, scale: float, relative: bool) -> None:
    """Label the two arms of the V with what causes them and their fitted slopes."""
    for name in ("forward", "central"):
        c = curves.get(name)
        if c is None:
            continue
        color = METHOD_STYLE[name]["color"]
        if np.isfinite(c.truncation_slope):
            h = c.best_h * 10**2.2
            y = float(c.truncation_model(h)) / scale
            above = name == "forward"  # forward: above-left of its line; central: below-right of its own
            ax.annotate(f"truncation ∝ h{_sup(c.order)}\n(fitted slope {c.truncation_slope:.2f})",
                        xy=(h, y), xytext=(-10, 10) if above else (8, -14), textcoords="offset points", fontsize=8,
                        color=color, ha="right" if above else "left", va="bottom" if above else "top")
    c = curves.get("forward") or curves.get("central")
    if c is not None and np.isfinite(c.roundoff_slope):
        h = c.best_h * 10**-3.5
        y = float(c.roundoff_model(h)) / scale
        ax.annotate(f"round-off ∝ ε/h\n(fitted slope {c.roundoff_slope:.2f})", xy=(h, y), xytext=(-4, -22),
                    textcoords="offset points", fontsize=8, color=METHOD_STYLE[c.method]["color"],
                    ha="right", va="top")


COST_STYLE: dict[str, dict[str, str]] = {
    "fd-forward": {"color": "#1f77b4", "marker": "o", "ls": "--"},
    "fd-central": {"color": "#ff7f0e", "marker": "s", "ls": "--"},
    "forward": {"color": "#9467bd", "marker": "^", "ls": "-"},
    "reverse": {"color": "#2ca02c", "marker": "v", "ls": "-"},
}


def cost_plot(sweep: Any, *, timing: bool | None = None, path: str | Path | None = None) -> Figure:
    """Cost of a Jacobian against n (m fixed) and against m (n fixed), from a cost sweep.

    Top row: work counted on the tape (primitive evaluations + derivative operations). Forward
    mode and finite differences climb with n and ignore m; reverse mode climbs with m and
    ignores n; the dotted line marks n = m, where they cross. Bottom row (when the sweep was
    timed): wall-clock seconds of the same passes.
    """
    from adviz.numeric.cost import METHOD_LABELS

    timing = timing if timing is not None else sweep.by_n[0].rows[0].seconds is not None
    rows = 2 if timing else 1
    fig = _new_figure(10.0, 4.2 * rows)
    axes = fig.subplots(rows, 2, squeeze=False)
    panels = (("n", sweep.ns, f"m = {sweep.fixed_m} outputs", sweep.fixed_m, "n (inputs)"),
              ("m", sweep.ms, f"n = {sweep.fixed_n} inputs", sweep.fixed_n, "m (outputs)"))
    fields = [("total_ops", "operations on the tape")] + ([("seconds", "seconds")] if timing else [])
    for r, (field, ylabel) in enumerate(fields):
        for c, (axis, values, fixed_text, fixed, xlabel) in enumerate(panels):
            ax = axes[r][c]
            for method, style in COST_STYLE.items():
                ys = sweep.series(axis, method, field)
                fd_line = method.startswith("fd-")  # wide and pale: AD lines may lie exactly on top
                ax.plot(values, ys, ls=style["ls"], marker=style["marker"], color=style["color"],
                        ms=6 if fd_line else 4, lw=3.0 if fd_line else 1.5, alpha=0.55 if fd_line else 1.0,
                        label=METHOD_LABELS[method])
            ax.axvline(fixed, color="0.4", ls=":", lw=1)
            ax.annotate("n = m", xy=(fixed, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                        textcoords="offset points", fontsize=8, va="top", color="0.3")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xticks(values, [str(v) for v in values])
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.set_title(f"Jacobian cost vs {axis}  ({fixed_text})", fontsize=10)
            ax.grid(True, alpha=0.25)
    axes[0][0].legend(fontsize=8, loc="upper left")
    if path is not None:
        save_figure(fig, path)
    return fig


def swell_plot(reports: Any, *, path: str | Path | None = None, log: bool = True) -> Figure:
    """Operation counts against depth, one panel per :class:`~adviz.numeric.symbolic.SwellReport`.

    Symbolic derivative (a tree, nothing shared) in red, the same after common-subexpression
    elimination in orange, the function itself in grey, and what AD needs, tape plus one
    reverse sweep, in green. On a log axis a straight rising red line is exponential swell.
    """
    reports = [reports] if hasattr(reports, "rows") else list(reports)
    if not reports:
        raise ValueError("swell_plot() needs at least one swell report")
    fig = _new_figure(4.2 * len(reports) + 0.6, 4.4)
    axes = fig.subplots(1, len(reports), squeeze=False)[0]
    series = (
        ("derivative_ops", "f′ symbolic (sympy.diff)", "#d62728", "-o"),
        ("derivative_cse_ops", "f′ after sympy.cse", "#ff7f0e", "-s"),
        ("function_ops", "f itself (expression tree)", "0.55", "--"),
    )
    for ax, report in zip(axes, reports):
        depths = report.depths
        for key, label, color, fmt in series:
            ax.plot(depths, _positive(report.column(key)), fmt, color=color, label=label, ms=4)
        primitives, reverse = report.column("tape_primitives"), report.column("reverse_ops")
        if all(v is not None for v in primitives + reverse):
            ax.plot(depths, _positive([p + r for p, r in zip(primitives, reverse)]), "-^", color="#2ca02c", ms=5,
                    label="AD: tape + reverse sweep")
            ax.plot(depths, _positive(primitives), ":", color="#2ca02c", label="AD: tape of f")
        if log:
            ax.set_yscale("log")
        ax.set_title(_short_title(getattr(report, "title", "") or report.family, 48), fontsize=10)
        ax.set_xlabel("depth (layers / factors)")
        ax.set_xticks(depths)
        ax.grid(True, alpha=0.25)
    axes[0].set_ylabel("operations")
    axes[0].legend(fontsize=8, loc="upper left")
    if path is not None:
        save_figure(fig, path)
    return fig


def _positive(values: list[Any]) -> list[float]:
    """Counts for a log axis: zeros (an empty derivative, f = x) become gaps, not a plunge."""
    return [float(v) if v and v > 0 else float("nan") for v in values]


def _short_title(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
