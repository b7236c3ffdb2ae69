"""A tape that only serves derivatives keeps stand-ins for values its reverse rules never read.

The declarations (``Primitive.vjp_reads``) must be right: if a rule read a stand-in, the
gradient would silently be computed from zeros.  These tests force stand-ins for every value
and compare gradients against the complex step, which never touches the engine.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine import tape as tape_module
from adviz.engine.primitives import REGISTRY
from adviz.engine.transforms import _record
from reference import reference_grad

rng = np.random.default_rng(7)
A = rng.normal(size=(4, 5))


def complex_step_grad(f, x, h=1e-30):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        dx = np.zeros(x.shape, dtype=complex)
        dx[i] = 1j * h
        g[i] = np.imag(f(x + dx)) / h
    return g


FUNCTIONS = {
    "elementwise chain": lambda x: np.sum(np.sin(x) * np.exp(-x**2) + np.log1p(x**2)),
    "reads the result": lambda x: np.sum(np.tanh(x) * np.sqrt(x * x + 1) + np.exp2(x) / np.expm1(x + 3)),
    "linear ops": lambda x: np.sum(np.cumsum(np.transpose(np.reshape(x, (5, 4))), axis=0) ** 2),
    "broadcast and index": lambda x: np.sum(np.broadcast_to(x[1:3], (3, 2, 5)) * x[0]),
    "matmul and concat": lambda x: np.sum(np.cos(np.concatenate([A @ x[0], -x[1]]))) + np.sum(np.arccos(np.tanh(x[2]) / 2)),
    "power with a traced exponent": lambda x: np.sum(x ** x[0] + x**3),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradient_with_stand_ins_everywhere_matches_complex_step(name, monkeypatch):
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)  # every array becomes a stand-in where allowed
    f = FUNCTIONS[name]
    x = rng.uniform(0.2, 0.9, size=(4, 5))
    np.testing.assert_allclose(ad.grad(f)(x), complex_step_grad(f, x), rtol=1e-12, atol=1e-12)


def test_the_tape_releases_values_no_rule_reads(monkeypatch):
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    x = rng.normal(size=1000)
    f = FUNCTIONS["elementwise chain"]
    tape = _record(f, (x,), {}, (0,)).tape
    kept = {id(v) for node in tape.nodes for v in (*node.args, node.ans)
            if isinstance(v, np.ndarray) and v.size and any(v.strides)}
    # sin(x), exp(-x**2) (read by multiply), x**2 (read by log1p), and the input x itself
    assert len(kept) == 4


def test_stand_ins_are_shared_read_only_views_holding_no_numbers():
    # one stand-in per shape and dtype serves every tape: it must be impossible to write into
    # (a rule that updated it in place would change every other tape's) and hold no data
    a = tape_module._stand_in(np.ones((40, 30)))
    b = tape_module._stand_in(np.full((40, 30), 7.0))
    c = tape_module._stand_in(np.ones((40, 30), dtype=np.float32))
    assert a is b and a is not c
    assert a.shape == (40, 30) and a.dtype == np.float64 and c.dtype == np.float32
    assert not a.flags.writeable and a.strides == (0, 0) and a.base.size == 1 and not a.any()
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    small = np.ones(3)  # below the threshold: the value itself is kept
    assert tape_module._stand_in(small) is small


def test_every_declaration_names_a_known_category():
    categories = {"all", "args", "ans", "nothing"}
    for prim in REGISTRY.values():
        reads = prim.vjp_reads
        assert (reads(parents=(0, 1)) in categories and reads(parents=(0, None)) in categories) \
            if callable(reads) else reads in categories


def _central_hvp(f, x, v, h=1e-5):
    """H·v from the complex-step gradient (independent of adviz) by a central difference."""
    return (complex_step_grad(f, x + h * v) - complex_step_grad(f, x - h * v)) / (2 * h)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_second_order_with_stand_ins_everywhere_matches_differences(name, monkeypatch):
    # the tape of grad inside jvp (level 2) holds tracers, and stands in for them too
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    f = FUNCTIONS[name]
    x = rng.uniform(0.2, 0.9, size=(4, 5))
    v = rng.normal(size=(4, 5))
    ref = _central_hvp(f, x, v)
    fwd_rev = ad.jvp(ad.grad(f), (x,), (v,))[1]
    rev_rev = ad.grad(lambda t: np.sum(ad.grad(f)(t) * v))(x)
    np.testing.assert_allclose(fwd_rev, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(rev_rev, ref, rtol=1e-6, atol=1e-6)


def test_a_nested_tape_releases_tracers_no_rule_reads(monkeypatch):
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    x = rng.normal(size=1000)
    seen = {}

    def f(t):
        tape = _record(FUNCTIONS["elementwise chain"], (t,), {}, (0,)).tape
        seen["kept"] = {id(v) for node in tape.nodes for v in (*node.args, node.ans)
                        if isinstance(v, ad.engine.tracer.Tracer) and v.ndim}
        return np.sum(t)

    ad.jvp(f, (x,), (np.ones_like(x),))
    # as at level 1: sin(x), exp(-x**2), x**2 and the input, now as the jvp's dual numbers
    # (the 0-d result is not counted, as there)
    assert len(seen["kept"]) == 4


def _central_grad(f, x):
    """The gradient by central differences (tests/engine/reference.py), never by the engine."""
    return reference_grad(f, [x], method="fd", h=1e-6)


# the primitives whose reverse rules read their operands but not their result (kinks,
# masks, remainders, angles, division by a constant): central differences, away from kinks
KINKED = {
    "division": lambda x: np.sum(x / 3.0 + np.sin(x) / (x + 1.0) + 2.0 / x),
    "maximum and minimum": lambda x: np.sum(np.maximum(x, 0.55) * np.minimum(x[0], x) + np.fmax(x, x[1]) ** 2
                                            - np.fmin(x, 0.45) ** 3),
    "where and clip": lambda x: np.sum(np.where(x > 0.6, x**2, -x) + np.clip(x, 0.3, 0.7) ** 3
                                       + np.clip(0.5, x[0], x[1]) * x),
    "remainders and angles": lambda x: np.sum(np.remainder(x * 7.0, x + 0.3) + np.fmod(x * 5.0, 0.5002) ** 2
                                              + np.arctan2(x, x[0] + 1.0) + np.copysign(x, x - 0.5) ** 3),
}


@pytest.mark.parametrize("name", list(KINKED))
def test_rules_reading_only_operands_get_stand_ins_for_results(name, monkeypatch):
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    f = KINKED[name]
    x = np.array([[0.21, 0.33, 0.41, 0.52, 0.63], [0.74, 0.86, 0.28, 0.37, 0.47],
                  [0.58, 0.69, 0.81, 0.24, 0.31], [0.43, 0.57, 0.66, 0.78, 0.89]])
    np.testing.assert_allclose(ad.grad(f)(x), _central_grad(f, x), rtol=1e-6, atol=1e-7)
    v = rng.normal(size=x.shape)  # and at second order, where the tape of grad holds tracers
    np.testing.assert_allclose(ad.jvp(ad.grad(f), (x,), (v,))[1],
                               (_central_grad(f, x + 1e-4 * v) - _central_grad(f, x - 1e-4 * v)) / 2e-4,
                               rtol=1e-4, atol=1e-4)


def test_a_cast_reads_only_its_operands_dtype(monkeypatch):
    monkeypatch.setattr(tape_module, "_SLIM_FROM", 0)
    x = np.linspace(0.5, 1.5, 12)
    g = ad.grad(lambda x: np.sum(x.astype(np.float32).astype(np.float64) * 2.0))(x)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, np.full(12, 2.0))
