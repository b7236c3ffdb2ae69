"""A tape's reuse of sin(x) and cos(x) between their reverse rules (``Tape._remember``).

``grad(grad(f))`` (reverse-over-reverse) records ``sin(x)`` while ``f`` runs and ``cos(x)``
while the inner sweep runs ``sin``'s rule; the outer sweep then needs ``cos(x)`` for
``sin``'s rule and ``−sin(x)`` for ``cos``'s, which the tape already holds.  A stale or
wrong value read there would be a silently wrong derivative, so every result here is checked
against formulas derived by hand, and the reuse itself is checked by counting evaluations.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import tape as tape_module
from adviz.engine.primitives import REGISTRY
from second_derivatives import SECOND

rng = np.random.default_rng(23)

@pytest.mark.parametrize("small", [False, True])
@pytest.mark.parametrize("name", list(SECOND))
def test_reverse_over_reverse_matches_the_formulas(name, small, monkeypatch):
    if small:
        monkeypatch.setattr(tape_module, "SHARE_FROM", 0)  # small arrays take the same path
    f, second = SECOND[name]
    x = rng.uniform(-2, 2, size=7 if small else 3000)
    v = rng.normal(size=x.shape)
    hv = ad.grad(lambda t: np.sum(ad.grad(f)(t) * v))(x)
    np.testing.assert_allclose(hv, second(x) * v, rtol=1e-12, atol=1e-12)


def test_gradients_of_sin_times_cos_match_the_formula_in_every_sweep(monkeypatch):
    """Both on one tape from the user's code: plain grad reads each from the tape; a vjp
    function called twice (a tape swept twice) and a batched jacrev read them again."""
    x = rng.uniform(-2, 2, size=3000)
    f = lambda t: np.sin(t) * np.cos(t)  # noqa: E731
    slope = np.cos(x) ** 2 - np.sin(x) ** 2
    np.testing.assert_allclose(ad.grad(lambda t: np.sum(f(t)))(x), slope, rtol=1e-13, atol=1e-13)
    _, pullback = ad.vjp(f, x)
    for w in (rng.normal(size=x.shape), rng.normal(size=x.shape)):
        np.testing.assert_allclose(pullback(w)[0], slope * w, rtol=1e-13, atol=1e-13)
    X = rng.uniform(-2, 2, size=(2, 1500)).astype(np.float32)
    J = ad.jacrev(lambda t: np.sum(np.sin(t) * np.cos(t), axis=1))(X)
    assert J.dtype == np.float32
    want = np.zeros((2, 2, 1500))
    for i in range(2):
        want[i, i] = np.cos(X[i].astype(np.float64)) ** 2 - np.sin(X[i].astype(np.float64)) ** 2
    np.testing.assert_allclose(J, want, atol=1e-6)


def _count_evaluations(monkeypatch) -> dict:
    """Count sin and cos of large arrays, wherever they are computed (the registry's impl and
    the partials' formulas, which call ``np.sin``/``np.cos``)."""
    counts = {"sin": 0, "cos": 0}
    for name in counts:
        original = getattr(np, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if any(type(a) is np.ndarray and a.size >= 1000 for a in args):
                counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(np, name, counted)
        monkeypatch.setattr(REGISTRY[name], "impl", counted)
    return counts


def test_reverse_over_reverse_evaluates_sin_and_cos_once_each(monkeypatch):
    x = rng.uniform(-2, 2, size=3000)
    v = rng.normal(size=x.shape)
    f = SECOND["W2"][0]
    counts = _count_evaluations(monkeypatch)
    ad.grad(lambda t: np.sum(ad.grad(f)(t) * v))(x)
    assert counts == {"sin": 1, "cos": 1}  # before: 2 and 2
    counts.update(sin=0, cos=0)
    ad.grad(lambda t: np.sum(np.sin(t) * np.cos(t)))(x)
    assert counts == {"sin": 1, "cos": 1}


def test_a_value_without_its_partner_is_not_kept():
    """A tape with sin(x) alone only watches it: the slim tape may still let it go."""
    x = rng.uniform(-2, 2, size=3000)
    seen = {}

    def f(t):
        y = np.sum(np.sin(t) ** 2)
        seen.update(t._interp._seen)
        return y

    ad.grad(f)(x)
    (_, values), = seen.values()
    assert set(values) == {"sin"} and not isinstance(values["sin"], np.ndarray)  # a weak reference


def test_values_of_another_array_are_not_taken():
    """cos(sin(x)) and sin(x) have different operands: nothing is shared between them, and
    an operand that died cannot lend its values to a new array at the same address."""
    for _ in range(3):
        x = rng.uniform(-2, 2, size=3000)
        got = ad.grad(lambda t: np.sum(np.cos(np.sin(t)) + np.sin(t * 1.0) * np.cos(t * 1.0)))(x)
        want = -np.sin(np.sin(x)) * np.cos(x) + np.cos(x) ** 2 - np.sin(x) ** 2
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
