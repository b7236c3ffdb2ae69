"""Re-render the README's graph pictures (docs/images/graph-*.svg) with this checkout's adviz.

Run from the repository root after changing how graphs look:

    python docs/images/make_graphs.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import adviz as ad
from adviz.render.graph import write_graph

HERE = Path(__file__).resolve().parent


def add_bias(X, b):
    return np.sum(np.tanh(X + b))


def loop(x):
    for _ in range(30):
        x = np.sin(x) * 1.01 + 0.1
    return x


def main() -> None:
    sin = ad.trace("sin(x**2+1)", x=3.0)
    write_graph(sin, HERE / "graph-reverse-step2.svg", sin.reverse(), step=2)
    two = ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    write_graph(two, HERE / "graph-two-paths.svg", two.reverse())
    bias = ad.trace(add_bias, np.arange(6.0).reshape(3, 2) / 10, np.array([0.5, -0.25]))
    write_graph(bias, HERE / "graph-broadcast-sum.svg", bias.reverse(), step=3)
    looped = ad.trace(loop, 0.5)
    write_graph(looped, HERE / "graph-loop-folded.svg", looped.reverse(), step=5)


if __name__ == "__main__":
    main()
