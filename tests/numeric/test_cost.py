"""Cost counts measured on the tape equal the theory on functions whose tapes we know."""

import numpy as np
import pytest

from adviz.numeric.cost import cost_sweep, layer_function, measure_cost


def test_scalar_expression_counts():
    # x1*x2 + sin(x1): tape v1 = x1*x2, v2 = sin(x1), v3 = v1 + v2  (3 primitives, 2 inputs)
    r = measure_cost("x1*x2 + sin(x1)", at={"x1": 2.0, "x2": 5.0}, timing=False)
    assert (r.n_inputs, r.n_outputs, r.primitive_count) == (2, 1, 3)
    fd_fwd, fd_cen, fwd, rev = (r.row(m) for m in ("fd-forward", "fd-central", "forward", "reverse"))
    assert (fd_fwd.passes, fd_fwd.primitive_evals, fd_fwd.derivative_ops) == (3, 9, 0)  # n + 1 evaluations
    assert (fd_cen.passes, fd_cen.primitive_evals) == (4, 12)  # 2n evaluations
    # forward sweep seeded on x1 touches mul, sin, add (both add operands carry a tangent): 4 terms;
    # seeded on x2: mul (one operand), add (one operand): 2 terms
    assert (fwd.passes, fwd.derivative_ops) == (2, 6)
    # one reverse sweep: add -> 2 terms, sin -> 1, mul -> 2
    assert (rev.passes, rev.derivative_ops, rev.primitive_evals) == (1, 5, 3)
    assert r.cheaper_mode == "reverse"


@pytest.mark.parametrize("n", [1, 3, 10])
def test_gradient_of_sum_of_squares_costs(n):
    r = measure_cost(lambda x: np.sum(x**2), np.arange(1.0, n + 1), timing=False)
    assert r.primitive_count == 2  # power, sum: vector primitives
    assert r.row("fd-forward").passes == n + 1
    assert r.row("fd-central").passes == 2 * n
    assert r.row("forward").passes == n and r.row("forward").derivative_ops == 2 * n
    assert r.row("reverse").passes == 1 and r.row("reverse").derivative_ops == 2


@pytest.mark.parametrize("n, m", [(1, 5), (4, 4), (7, 2)])
def test_jacobian_n_forward_vs_m_reverse_sweeps(n, m):
    r = measure_cost(layer_function(n, m), np.linspace(-1, 1, n), timing=False)
    assert (r.n_inputs, r.n_outputs, r.primitive_count) == (n, m, 3)  # sin, matmul, tanh
    assert r.row("forward").passes == n and r.row("forward").derivative_ops == 3 * n
    assert r.row("reverse").passes == m and r.row("reverse").derivative_ops == 3 * m
    assert r.row("fd-forward").primitive_evals == 3 * (n + 1)
    # the flops grow with the sizes each sweep touches
    assert r.row("forward").derivative_flops == n * (n + 2 * m)
    assert r.row("reverse").derivative_flops == m * (m + 2 * n)


def test_crossover_is_at_n_equals_m():
    s = cost_sweep(ns=(1, 2, 4, 8, 16), ms=(1, 2, 4, 8, 16), fixed_m=4, fixed_n=4)
    assert s.series("n", "reverse") == [3 + 12] * 5  # independent of n
    assert s.series("m", "forward") == [3 + 12] * 5  # independent of m
    assert s.series("n", "forward") == [3 + 3 * n for n in (1, 2, 4, 8, 16)]
    assert s.crossover("n") == 4 and s.crossover("m") == 4


def test_timing_is_measured_and_positive():
    r = measure_cost(layer_function(3, 2), np.ones(3), timing=True, repeat=1)
    assert all(row.seconds is not None and row.seconds > 0 for row in r.rows)
    assert r.jacfwd_seconds > 0 and r.jacrev_seconds > 0


def test_bad_input():
    with pytest.raises(ValueError, match="missing x2"):
        measure_cost("x1*x2", at={"x1": 1.0}, timing=False)
    with pytest.raises(ValueError, match="at least 1"):
        layer_function(0, 3)


def test_report_renders_and_serialises():
    import io
    import json

    from rich.console import Console

    r = measure_cost("x1*x2 + sin(x1)", at={"x1": 2.0, "x2": 5.0}, timing=False)
    out = io.StringIO()
    Console(file=out, width=100).print(r)
    text = out.getvalue()
    assert "n = 2 inputs" in text and "reverse mode (VJP)" in text
    data = json.loads(json.dumps(r.to_dict()))
    assert data["rows"][3]["derivative_ops"] == 5


@pytest.mark.parametrize("width", [40, 60, 100])
@pytest.mark.parametrize("timing", [False, True])
def test_narrow_console_wraps_labels_at_words_and_never_cuts(width, timing):
    """``adviz compare`` at 40 columns: no ``forwa…``/``prim…``; each label and header word is
    whole on some line, and every count is printed (as a whole word) for every method."""
    import io
    import re

    from rich.console import Console

    r = measure_cost("sin(x**2+1)", at={"x": 3.0}, timing=timing, repeat=1)
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(r)
    text = out.getvalue()
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    words = set(text.split())
    for label in [row.label for row in r.rows] + ["passes", "primitive", "evals", "derivative", "ops"]:
        assert set(label.split()) <= words | {w + ":" for w in words} | {w.rstrip(":") for w in words}, (label, text)
    # sin(x**2+1): 3 primitives; differences: 2 passes of 3 evals; one forward/reverse sweep: 3 terms
    for n in ("2", "6", "0", "3", "1"):
        assert re.search(rf"(?<![\d.]){n}(?![\d.])", text), (n, text)
