"""The adjoint of a broadcast operand is a sum, and every view writes it as one.

Lesson 7's one idea: ``b`` added to every row of ``X`` is *copied*, so its adjoint is the
sum of what the copies received, ``b̄ = Σᵢ v̄1[i, :]``.  The text comes from the sweep's
record (``Term.update``); the graph, the tables and the captions all show that text.
The numbers are checked against the sum computed here by hand with NumPy.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

import adviz as ad
from adviz.render import table as tables
from adviz.render.graph import to_svg
from adviz.render.html import step_caption


def add_bias(X, b):
    return np.sum(np.tanh(X + b))


X = np.arange(6.0).reshape(3, 2) / 10
B = np.array([0.5, -0.25])


@pytest.fixture(scope="module")
def sweep():
    return ad.trace(add_bias, X, B).reverse()


def _term(sweep, target):
    return next(t for _, _, t in sweep.numbered_terms() if sweep.trace.nodes[t.target].name == target)


def test_broadcast_adjoint_is_written_as_the_sum_it_is(sweep):
    term = _term(sweep, "b")
    assert term.update() == "b̄ += Σᵢ v̄1[i, :]"
    assert term.update(ascii=True) == "b_bar += sum_i v1_bar[i, :]"
    v1_bar = 1 - np.tanh(X + B) ** 2  # the adjoint of X + b
    np.testing.assert_allclose(term.contribution, v1_bar.sum(axis=0), rtol=1e-14)
    assert _term(sweep, "X").update() == "X̄ += v̄1·1"  # X is not broadcast: no sum


def test_scalar_times_matrix_sums_over_both_axes():
    s = ad.trace(lambda M, c: np.sum(M * c), X, 2.0).reverse()
    term = _term(s, "c")
    assert term.update() == "c̄ += Σᵢⱼ (v̄1·M)[i, j]"
    assert float(term.contribution) == pytest.approx(X.sum(), rel=1e-14)


def test_graph_tables_and_captions_show_the_sum(sweep):
    text = "b̄ += Σᵢ v̄1[i, :]"
    assert text in to_svg(sweep.trace, sweep)
    console = Console(file=io.StringIO(), width=200)
    console.print(tables.reverse_table(sweep))
    assert text in console.file.getvalue()
    k = next(k for k, _, t in sweep.numbered_terms() if sweep.trace.nodes[t.target].name == "b")
    assert text in step_caption(sweep.trace, sweep, k)
