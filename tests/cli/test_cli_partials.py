"""``adviz trace`` evaluates each local partial at most once per sweep for its views.

The warnings about non-finite values and every table read ``Term.partial_value``; the term
keeps the value it computed on the first read (see ``adviz.engine.record.Term``), so the
views never evaluate ``cos(v1)`` or ``1/(2*sqrt(x))`` on the same numbers twice.
"""

from collections import Counter

import numpy as np
import pytest

from adviz.engine import record


@pytest.fixture
def partial_calls(monkeypatch):
    """Counts the views' evaluations of local partials, by (node name, operand number)."""
    calls: Counter = Counter()
    evaluate = record._partial_value

    def counting(node, i):
        calls[(node.name, i)] += 1
        return evaluate(node, i)

    monkeypatch.setattr(record, "_partial_value", counting)
    return calls


@pytest.mark.parametrize("expr, at, warns", [("sin(x**2+1)", "x=3", False),
                                             ("sqrt(x)*x + sin(x*x)", "x=0", True)])
@pytest.mark.parametrize("mode, sweeps", [("forward", 1), ("reverse", 1), ("both", 2)])
def test_each_partial_is_evaluated_at_most_once_per_sweep(cli, partial_calls, expr, at, warns, mode, sweeps):
    result = cli("trace", expr, "--at", at, "--mode", mode)
    assert result.exit_code == 0, result.output
    assert ("not finite" in result.stderr) == warns  # sqrt's slope at 0 is infinite: the warning path ran
    assert partial_calls, "the tables show local partials, so some were evaluated"
    over = {key: n for key, n in partial_calls.items() if n > sweeps}
    assert not over, f"partials evaluated more than once per sweep: {over}"


def test_a_cached_partial_is_the_right_number_and_kept():
    import adviz as ad

    x = np.linspace(0.1, 2.0, 7)
    t = ad.trace(lambda x: np.sum(np.sin(x * x)), x)
    sweep = t.reverse()
    (term,) = [term for step in sweep.steps for term in step.terms if t.nodes[term.source].op == "sin"]
    first = term.partial_value
    np.testing.assert_allclose(first, np.cos(x * x), rtol=1e-15)  # d sin(u)/du = cos(u), by hand
    assert term.partial_value is first  # read again: the same array, not evaluated anew
