"""Figures for the comparisons: they draw what was measured and save as PNG/SVG."""

import sys

import numpy as np
import pytest

from adviz.numeric.error_sweep import error_sweep
from adviz.numeric.symbolic import swell
from adviz.render import plots


@pytest.fixture(scope="module")
def sweep():
    return error_sweep(lambda x: np.sin(x**2 + 1), 3.0, 6.0 * np.cos(10.0))


def test_error_plot_draws_each_curve_with_its_data(sweep):
    fig = plots.error_plot(sweep)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    for name in ("forward difference", "central difference", "complex step"):
        (line,) = [ln for ln, lab in zip(ax.get_lines(), labels) if lab.startswith(name)]
        x, y = line.get_data()
        np.testing.assert_array_equal(x, sweep.hs)
        method = {"forward difference": "forward", "central difference": "central", "complex step": "complex"}[name]
        expected = np.clip(sweep.curves[method].rel_error, sweep.eps / 8, None)
        np.testing.assert_allclose(y, expected)


def test_error_plot_marks_the_textbook_optima_and_the_ad_floor(sweep):
    ax = plots.error_plot(sweep).axes[0]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "√ε" in texts and "∛ε" in texts and "AD" in texts
    verticals = [ln.get_xdata()[0] for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
    eps = np.finfo(float).eps
    assert any(np.isclose(v, 3 * np.sqrt(eps)) for v in verticals)
    assert any(np.isclose(v, 3 * eps ** (1 / 3)) for v in verticals)
    assert "slope 1.00" in texts and "slope 2.00" in texts


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_error_plot_saves(sweep, tmp_path, suffix, magic):
    path = tmp_path / f"fd{suffix}"
    plots.error_plot(sweep, path=path)
    assert path.read_bytes().startswith(magic)
    assert path.stat().st_size < 400_000


def test_bad_suffix_is_refused(sweep, tmp_path):
    with pytest.raises(ValueError, match="png or .svg"):
        plots.error_plot(sweep, path=tmp_path / "fd.jpg")


def test_library_never_uses_pyplot(sweep):
    plots.error_plot(sweep)
    plots.swell_plot(swell("product", [2, 3], tape=False))
    if "matplotlib.pyplot" in sys.modules:  # imported by someone else: at least no figures of ours
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_swell_plot_one_panel_per_family(tmp_path):
    reports = [swell(f, range(1, 5), tape=False) for f in ("product", "softplus")]
    fig = plots.swell_plot(reports, path=tmp_path / "swell.png")
    assert len(fig.axes) == 2
    line = fig.axes[1].get_lines()[0]
    assert list(line.get_ydata()) == reports[1].column("derivative_ops")
    assert (tmp_path / "swell.png").stat().st_size > 1000


def test_cost_plot_shows_the_crossover(tmp_path):
    from adviz.numeric.cost import cost_sweep

    s = cost_sweep(ns=(1, 2, 4, 8), ms=(1, 2, 4, 8), fixed_m=4, fixed_n=4)
    fig = plots.cost_plot(s, path=tmp_path / "cost.svg")
    assert len(fig.axes) == 2  # not timed: counts only
    by_label = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert list(by_label["reverse mode (VJP)"].get_ydata()) == s.series("n", "reverse")
    assert list(by_label["forward mode (JVP)"].get_ydata()) == s.series("n", "forward")
    verticals = [ln.get_xdata()[0] for ln in fig.axes[1].get_lines() if len(set(ln.get_xdata())) == 1]
    assert verticals == [4]  # the n = m marker
    assert (tmp_path / "cost.svg").stat().st_size > 1000


def test_swell_plot_includes_the_tape_when_measured():
    fig = plots.swell_plot(swell("logistic", range(1, 5)))
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert "AD: tape + reverse sweep" in labels and "AD: tape of f" in labels
