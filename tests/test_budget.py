"""adviz.budget: a symbolic step is bounded in time, and in depth of recursion."""

import sys

import pytest

from adviz.budget import TooDeep, time_budget


def _down(n):
    return 0 if n == 0 else 1 + _down(n - 1)


def test_a_recursion_error_inside_a_budget_becomes_too_deep_naming_the_step():
    with pytest.raises(TooDeep, match="the LaTeX of 'x' is nested too deeply for SymPy") as err:
        with time_budget(5, "the LaTeX of 'x'"):
            _down(sys.getrecursionlimit() + 10)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_inside_another_budget_a_recursion_error_still_becomes_too_deep():
    with pytest.raises(TooDeep, match="inner"):
        with time_budget(5, "outer"):
            with time_budget(5, "inner"):
                _down(sys.getrecursionlimit() + 10)


def test_a_budget_lets_other_errors_through_unchanged():
    with pytest.raises(KeyError):
        with time_budget(5, "a lookup"):
            {}["missing"]
