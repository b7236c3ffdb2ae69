"""Sweep records of long traces: the float64 columns packed while the sweep runs.

A sweep over a long scalar trace packs its float64 contributions and totals every few
thousand terms (to keep ``ad.trace`` of 10⁶ operations in memory); a term read back must be
the number that was computed, and a column that later meets an array must keep every term.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import record

C = 1.001


def scaled(x, n):
    for _ in range(n):
        x = x * C
    return x


def test_long_sweeps_read_back_each_term():
    n = 3 * record._CHUNK + 17  # several packed chunks and a remainder
    t = ad.trace(lambda x: scaled(x, n), 0.5)
    rev, fwd = t.reverse(), t.forward()
    assert float(rev.result["x"]) == pytest.approx(C**n, rel=1e-12)
    assert float(fwd.result) == pytest.approx(C**n, rel=1e-12)
    # reverse: node v_k receives v̄_{k+1}·C, the adjoint of v_k is C^(n-k)
    for k in (0, 1, record._CHUNK - 1, record._CHUNK, 2 * record._CHUNK + 5, n - 1):
        step = rev.steps[k]
        (term,) = step.terms
        assert type(term.contribution) is np.float64
        assert term.contribution == step.value * C
        assert term.total == term.contribution
        assert term.contribution == pytest.approx(C ** (k + 1), rel=1e-12)
    # forward: the tangent of v_k is C^k
    (term,) = fwd.steps[n - 1].terms
    assert term.total == pytest.approx(C**n, rel=1e-12)


def test_a_column_that_meets_an_array_keeps_every_term():
    n = record._CHUNK + 100
    a = np.array([1.0, 2.0, 3.0])

    def f(x):
        return np.sum(scaled(x, n) * a)

    t = ad.trace(f, 0.5)
    rev = t.reverse()
    assert float(rev.result["x"]) == pytest.approx(6.0 * C**n, rel=1e-12)
    contributions = [term.contribution for step in rev.steps for term in step.terms]
    assert len(contributions) == n + 2  # sum -> product, product -> v_n, then one per scaling
    assert isinstance(contributions[0], np.ndarray) and contributions[0].shape == (3,)
    assert contributions[1] == pytest.approx(6.0)  # v̄_n = Σ a
    assert all(type(c) is np.float64 for c in contributions[1:])
    assert contributions[-1] == pytest.approx(6.0 * C**n, rel=1e-12)


def test_an_array_after_packed_chunks_keeps_every_term():
    # reverse order: the long scalar chain first (packed as it goes), the array terms last
    n = 2 * record._CHUNK + 100
    a = np.array([1.0, -2.0, 0.5])
    t = ad.trace(lambda x: scaled(np.sum(x * a), n), np.array([0.3, 0.2, 0.1]))
    rev = t.reverse()
    np.testing.assert_allclose(rev.result["x"], a * C**n, rtol=1e-12)
    terms = [term for step in rev.steps for term in step.terms]
    assert len(terms) == n + 2
    for k in (0, record._CHUNK, 2 * record._CHUNK + 50, n - 1):
        assert type(terms[k].contribution) is np.float64
        assert terms[k].contribution == pytest.approx(C ** (k + 1), rel=1e-12)
        assert terms[k].total == terms[k].contribution
    assert terms[n].contribution.shape == (3,) and terms[n + 1].contribution.shape == (3,)
    np.testing.assert_allclose(terms[n + 1].contribution, a * C**n, rtol=1e-12)


def test_a_sweep_prints_its_numbered_updates_not_an_object_address():
    """``t.reverse()`` at the REPL or as a cell's last line used to print a dataclass with
    ``steps=<adviz.engine.record._Steps object at 0x7f…>``; it prints what the sweep did."""
    import unicodedata

    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    text = repr(t.reverse())
    assert " at 0x" not in text
    lines = text.splitlines()
    assert lines[0] == "Sweep(reverse, seed v̄5 = 1.0: 5 steps, 8 chain-rule terms)"
    assert lines[1:3] == ["  1.1  v̄3 += v̄5·1  ->  v̄3 = 1.0", "  1.2  v̄4 += v̄5·(−1)  ->  v̄4 = -1.0"]
    assert lines[-1] == "  5  x̄1 += v̄1·(1/x1)  ->  x̄1 = 5.5" and len(lines) == 9
    forward = unicodedata.normalize("NFC", repr(t.forward("x2")))  # ẋ is drawn as x + U+0307
    assert forward.startswith("Sweep(forward, seed ẋ2 = 1.0: 5 steps, 5 chain-rule terms)\n  2  ")

    def loop(x):
        for _ in range(30):
            x = np.sin(x) * 1.01 + 0.1
        return x

    long = repr(ad.trace(loop, 0.5).reverse()).splitlines()
    assert len(long) == 32 and long[-1].startswith("  … 60 more")
    assert repr(ad.trace("sum(x**2)", x=np.arange(3.0)).reverse()).endswith("x̄ = array of shape (3,)")


@pytest.mark.parametrize("name", ["e", "pi"])
def test_a_value_for_a_constant_name_says_it_is_the_constant_not_missing(name):
    """``ad.trace("e*x", e=3)``: e *is* in the expression, as the constant e, so "e is not in
    the expression" would be untrue; the message says what e is and how to get a variable."""
    with pytest.raises(ValueError) as info:
        ad.trace(f"{name}*x", **{name: 3.0, "x": 2.0})
    message = str(info.value)
    assert f"{name} is the constant {name}" in message and f"{name}1" in message
    assert "not in the expression" not in message
