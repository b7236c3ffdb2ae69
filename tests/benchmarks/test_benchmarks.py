"""The benchmarks' own references must be right, or a fast wrong engine could pass them.

Each hand-written derivative the benchmarks check adviz (and the peers) against is checked
here against an independent reference: the complex step f'(x) ≈ Im f(x + ih)/h, exact to
rounding for analytic code, or high-order central differences.  Then the whole command runs
once, fast, with no peers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Context, check
from benchmarks.peers import Peer
from benchmarks.workloads import w1_scalar, w2_array, w3_mlp, w4_jacobian, w5_hvp

H = 1e-30  # complex-step size: no subtraction, so no cancellation


def test_w1_reference_is_the_complex_step_derivative():
    n = 2_000
    cs = w1_scalar.loop(complex(w1_scalar.X0, H), n).imag / H
    assert w1_scalar.reference(n) == pytest.approx(cs, rel=1e-12)
    # and not a trivial number: the derivative decays along the loop
    assert 0.0 < w1_scalar.reference(n) < 0.5


def _g(z):
    return np.sin(z) * np.exp(-z * z) + np.log1p(z * z)


def test_w2_references_match_the_complex_step():
    x = w2_array.make_input(1000)
    cs = _g(x + 1j * H).imag / H  # f is a sum of g(xᵢ): ∂f/∂xᵢ = g'(xᵢ)
    np.testing.assert_allclose(w2_array.reference_grad(x), cs, rtol=1e-13, atol=1e-15)
    value, grad = w2_array.hand_value_and_grad(x)
    np.testing.assert_allclose(grad, cs, rtol=1e-13, atol=1e-15)
    assert value == pytest.approx(np.sum(_g(x)), rel=1e-13)


def test_w5_second_derivative_is_the_complex_step_of_the_gradient():
    x = w2_array.make_input(1000)
    cs = w2_array.reference_grad(x + 1j * H).imag / H
    np.testing.assert_allclose(w5_hvp.second_derivative(x), cs, rtol=1e-12, atol=1e-14)


def test_w5_chain_rule_by_hand_is_the_hessian_vector_product():
    """The floor row of W5 (forward-over-reverse written out in NumPy) against the complex step."""
    x = w2_array.make_input(1000)
    v = np.random.default_rng(3).standard_normal(1000)
    cs = w2_array.reference_grad(x + 1j * H * v).imag / H  # H·v: the gradient's derivative along v
    np.testing.assert_allclose(w5_hvp.chain_rule_hvp(x, v), cs, rtol=1e-12, atol=1e-13)


def test_w4_reference_columns_are_complex_step_derivatives():
    x, A = w4_jacobian.make_inputs(5, 7)
    J = w4_jacobian.reference(x, A)
    assert J.shape == (7, 5)
    for j in range(5):
        col = np.tanh(A @ (x + 1j * H * np.eye(5)[j])).imag / H
        np.testing.assert_allclose(J[:, j], col, rtol=1e-13, atol=1e-15)


def test_w3_hand_backprop_matches_central_differences():
    params, x, onehot = w3_mlp.make_inputs(seed=3)
    value, grads = w3_mlp.hand_value_and_grad(*params, x, onehot)
    assert value == pytest.approx(w3_mlp.loss(*params, x, onehot), rel=1e-13)
    rng = np.random.default_rng(0)
    for k in range(4):  # one random direction per parameter, 4th-order central difference
        d = rng.standard_normal(params[k].shape)
        d /= np.linalg.norm(d)  # a unit direction, so the step h is small on the loss's scale

        def L(t, k=k, d=d):
            p = list(params)
            p[k] = params[k] + t * d
            return w3_mlp.loss(*p, x, onehot)

        h = 1e-3
        fd = (-L(2 * h) + 8 * L(h) - 8 * L(-h) + L(-2 * h)) / (12 * h)
        assert np.sum(grads[k] * d) == pytest.approx(fd, rel=1e-8, abs=1e-11)


def test_check_catches_a_wrong_derivative():
    ref = np.array([1.0, 2.0, 3.0])
    assert check(ref * (1 + 1e-14), ref).ok
    assert not check(ref * 1.001, ref).ok
    assert not check(ref[:2], ref).ok  # wrong shape
    assert not check(np.array([1.0, np.nan, 3.0]), ref).ok
    assert not check((ref, ref * 2), (ref, ref)).ok  # the worst entry of a tuple counts
    assert "WRONG" in str(check(-ref, ref))


def test_an_absent_peer_gets_a_line_saying_so():
    ctx = Context(peers={"torch": Peer("torch", None, reason="not installed (ImportError)")})
    assert ctx.available("torch") == []
    assert ctx.absent_lines(["torch"]) == ["torch: skipped, not installed (ImportError)"]


def test_the_one_command_runs_every_workload_and_judges_the_targets():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--no-peers", "--budget", "0.01", "--min-reps", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,  # a hang guard, not a timing
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for key in ("W1", "W2", "W3", "W4", "W5", "MEM", "BIG", "START", "EXPAND", "Summary of targets"):
        assert key in out
    assert "WRONG" not in out
    assert out.count("ok (") >= 8  # adviz's derivatives checked in W1–W5 (two in W5) and in BIG's two sweeps
    assert "the command failed" not in out  # EXPAND drew its graph
    assert "TapeNode(" in out
