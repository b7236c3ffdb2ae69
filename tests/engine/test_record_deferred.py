"""Traces of large arrays: deferred values and lean sweeps.

``ad.trace`` does not keep an operation's result of ``DEFER_FROM`` bytes or more; its
sweeps keep no large tangent, adjoint or contribution.  Whatever a view reads is made when
read, by the same primitives and the same sweep loop, so it must be *exactly* (bit for bit)
what a trace that kept everything holds.  The tests lower ``DEFER_FROM`` to 0, so that
every array is deferred, and compare with a trace that keeps everything; the derivatives
are also checked against formulas written by hand.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import record
from adviz.engine import tape as tape_module
from cases import softplus  # a custom_jvp rule (the user's own, JAX's API)


def w2(x):
    return np.sum(np.sin(x) * np.exp(-x**2) + np.log1p(x**2))


def w2_prime(x):
    return (np.cos(x) - 2 * x * np.sin(x)) * np.exp(-x * x) + 2 * x / (1 + x * x)


def mixed(x, W):
    """Broadcasting, a matrix product, indexing, kinks and a constant divisor."""
    h = np.tanh(W @ x) * np.maximum(x[:3], 0.1)
    return np.sum(h) + np.sum(np.where(x > 0, np.sqrt(np.abs(x) + 1.0), x / 2.0)) + np.sum(np.outer(h, x) ** 2)


def blocks(x, y):
    """An ad.checkpoint block (recomputed by the reverse sweep), a custom rule, and one node
    read twice by the same operation (``s * s``)."""
    inner = ad.checkpoint(lambda u: np.tanh(u) * u + 1.0)
    s = np.sin(x)
    return np.sum(inner(x * y) ** 2) + np.sum(softplus(x) * y) + np.sum(s * s)


RNG = np.random.default_rng(7)
CASES = [(w2, (np.linspace(-2.0, 2.0, 9),)),
         (mixed, (RNG.standard_normal(4), RNG.standard_normal((3, 4)))),
         (blocks, (RNG.standard_normal(5), RNG.standard_normal(5)))]


def record_all(f, args, defer_from, monkeypatch):
    """ad.trace, a forward sweep (tangent 1 on every input) and a reverse sweep."""
    monkeypatch.setattr(tape_module, "DEFER_FROM", defer_from)
    t = ad.trace(f, *args)
    fwd = t.forward({name: np.ones_like(a) for name, a in zip(t.input_names, args)})
    rev = t.reverse()
    return t, fwd, rev


def same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("f, args", CASES, ids=["w2", "mixed", "blocks"])
def test_deferred_records_are_the_kept_ones(f, args, monkeypatch):
    kept = record_all(f, args, 1 << 62, monkeypatch)
    lean = record_all(f, args, 0, monkeypatch)
    tape = lean[0].nodes.tape.tape
    assert tape.deferred > 0 and kept[0].nodes.tape.tape.deferred == 0
    # the sweeps ran on deferred values and kept no array of theirs
    for sweep in lean[1:]:
        assert sweep.steps.remake is not None
        assert any(v is record._LATER for v in sweep.steps._value)
    # what the lean sweeps computed, read before anything is made again
    assert same(kept[1].result, lean[1].result) and same(kept[2].result, lean[2].result)
    # every record a view reads, made when read: the same numbers and texts
    for k_sweep, l_sweep in zip(kept[1:], lean[1:]):
        assert len(k_sweep.values) == len(l_sweep.values)
        assert all(same(a, b) for a, b in zip(k_sweep.values, l_sweep.values) if a is not None)
        for a, b in zip(k_sweep.steps, l_sweep.steps):
            assert (a.node, a.kind, len(a.terms)) == (b.node, b.kind, len(b.terms)) and same(a.value, b.value)
            for ta, tb in zip(a.terms, b.terms):
                assert same(ta.contribution, tb.contribution) and same(ta.total, tb.total)
                assert ta.update() == tb.update()
                assert (ta.partial_value is None) == (tb.partial_value is None)
                if ta.partial_value is not None:
                    assert same(ta.partial_value, tb.partial_value)
    for a, b in zip(kept[0].nodes, lean[0].nodes):
        assert same(a.value, b.value) and all(same(p.value, q.value) for p, q in zip(a.operands, b.operands))
    assert kept[0].to_text() == lean[0].to_text()


def test_lean_sweeps_give_the_derivative(monkeypatch):
    x = np.linspace(-2.0, 2.0, 9)
    t, fwd, rev = record_all(w2, (x,), 0, monkeypatch)
    np.testing.assert_allclose(rev.result["x"], w2_prime(x), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(fwd.result, np.sum(w2_prime(x)), rtol=1e-13)
    # and a view reading the lean reverse sweep, then the trace, sees consistent records
    assert same(rev.value_of("x"), rev.result["x"])
    assert same(t.nodes[1].value, np.sin(x))


def test_large_intermediates_are_not_kept():
    """With the default threshold: the tape of W2's f on 2¹⁸ numbers keeps none of the 8
    intermediate arrays (2 MiB each); a view reading a node computes it then."""
    x = np.linspace(-2.0, 2.0, 1 << 18)
    t = ad.trace(w2, x)
    tape = t.nodes.tape.tape
    assert sum(type(v) is tape_module.Deferred for v in tape.ans) == 8
    assert float(t.value) == pytest.approx(float(w2(x)), rel=1e-12)
    rev = t.reverse()
    np.testing.assert_allclose(rev.result["x"], w2_prime(x), rtol=1e-12, atol=1e-14)
    assert sum(type(v) is tape_module.Deferred for v in tape.ans) == 8  # the sweep made its own values
    assert same(t.nodes[1].value, np.sin(x))  # v1 = sin(x), made when read, then kept
    assert type(tape.ans[1]) is np.ndarray
