"""The seed texts' worked examples, read back from the records (``ad.trace``).

The numbers below are computed by hand from the formulas, not by the engine:
for y = sin(x**2 + 1) at x = 3 the tape is v1 = x**2 = 9, v2 = v1 + 1 = 10,
v3 = sin(v2); the forward tangents are 6, 6, 6 cos 10; the reverse adjoints
are 1, cos 10, cos 10 and finally x_bar = 6 cos 10.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import adviz as ad

BAR = "\u0304"  # combining macron:    v̄2 == "v" + BAR + "2"
DOT = "\u0307"  # combining dot above: v̇2 == "v" + DOT + "2"
C10, S10 = math.cos(10.0), math.sin(10.0)


def by_name(trace) -> dict:
    return {n.name: n for n in trace.nodes}


def step_for(sweep, node_index):
    steps = [s for s in sweep.steps if s.node == node_index]
    assert len(steps) == 1, f"expected one step for node {node_index}, got {len(steps)}"
    return steps[0]


def only_term(step):
    assert len(step.terms) == 1, f"expected one term, got {step.terms!r}"
    return step.terms[0]


# --------------------------------------------------------------------------- sin(x**2 + 1)


def sin_trace_from_function():
    return ad.trace(lambda x: np.sin(x**2 + 1), 3.0)


SIN_TRACES = {
    "function": sin_trace_from_function,
    "string": lambda: ad.trace("sin(x**2+1)", x=3.0),
    "expression": lambda: ad.trace(ad.parse("sin(x**2 + 1)"), x=3.0),
}


@pytest.fixture(params=list(SIN_TRACES), ids=list(SIN_TRACES))
def sin_trace(request):
    return SIN_TRACES[request.param]()


def test_sin_tape_nodes(sin_trace):
    t = sin_trace
    assert t.input_names == ("x",)
    assert t.primitive_count == 3
    assert t.nodes[0].is_input and t.nodes[0].name == "x" and t.nodes[0].op == "input"
    assert [n.index for n in t.nodes] == list(range(len(t.nodes)))
    ops = [n for n in t.nodes if not n.is_input]
    assert [n.name for n in ops] == ["v1", "v2", "v3"]
    v1, v2, v3 = ops
    assert float(v1.value) == 9.0
    assert float(v2.value) == 10.0
    assert float(v3.value) == pytest.approx(S10, rel=1e-15)
    assert v3.op == "sin" and v2.op == "add"
    assert v1.op in {"power", "square"}
    assert v3.definition.replace(" ", "") == "sin(v2)"
    assert "v1" in v2.definition and "1" in v2.definition.replace("v1", "")
    assert "x" in v1.definition and "2" in v1.definition
    assert v3.is_output and not v2.is_output
    assert t.output.index == v3.index and len(t.outputs) == 1 and len(t.inputs) == 1
    assert float(t.value) == pytest.approx(S10, rel=1e-15)
    for n in ops:
        assert n.shape == () and n.dtype == np.float64
        assert isinstance(n.symbol, str) and n.symbol
        assert n.primitive is not None
    assert t.nodes[0].primitive is None


def test_sin_tape_operands(sin_trace):
    nodes = by_name(sin_trace)
    v2 = nodes["v2"]
    linked = [o for o in v2.operands if o.node is not None]
    consts = [o for o in v2.operands if o.node is None]
    assert [o.node for o in linked] == [nodes["v1"].index]
    assert len(consts) == 1 and float(consts[0].value) == 1.0
    assert [o.node for o in nodes["v3"].operands] == [v2.index]
    assert nodes["x"].index in [o.node for o in nodes["v1"].operands]


def test_sin_forward_sweep(sin_trace):
    t = sin_trace
    n = by_name(t)
    sw = t.forward()
    assert sw.mode == "forward"
    assert float(sw.values[n["x"].index]) == 1.0
    assert float(sw.values[n["v1"].index]) == 6.0
    assert float(sw.values[n["v2"].index]) == 6.0
    assert float(sw.values[n["v3"].index]) == pytest.approx(6 * C10, rel=1e-15)
    assert float(sw.result) == pytest.approx(6 * C10, rel=1e-15)
    # Steps in tape order, one per operation.
    op_steps = [s.node for s in sw.steps if not t.nodes[s.node].is_input]
    assert op_steps == [n["v1"].index, n["v2"].index, n["v3"].index]
    assert [s.index for s in sw.steps] == list(range(len(sw.steps)))
    # v1 = x**2: partial 2x = 6.
    term = only_term(step_for(sw, n["v1"].index))
    assert (term.source, term.target) == (n["x"].index, n["v1"].index)
    assert "x" in term.partial and float(term.partial_value) == 6.0
    assert float(term.contribution) == 6.0
    # v3 = sin(v2): partial cos(v2).
    step = step_for(sw, n["v3"].index)
    term = only_term(step)
    assert (term.source, term.target, term.argnum) == (n["v2"].index, n["v3"].index, 0)
    assert term.partial.replace(" ", "") == "cos(v2)"
    assert float(term.partial_value) == pytest.approx(C10, rel=1e-15)
    assert float(term.contribution) == pytest.approx(6 * C10, rel=1e-15)
    assert float(term.total) == pytest.approx(6 * C10, rel=1e-15)
    assert float(step.value) == pytest.approx(6 * C10, rel=1e-15)
    text = term.update()
    assert f"v{DOT}3" in text and f"v{DOT}2" in text and "cos(v2)" in text
    ascii_text = term.update(ascii=True)
    assert "v3_dot" in ascii_text and "v2_dot" in ascii_text and "cos(v2)" in ascii_text
    assert ascii_text.isascii()
    assert sw.ops == sum(len(s.terms) for s in sw.steps) == 3


def test_sin_reverse_sweep(sin_trace):
    t = sin_trace
    n = by_name(t)
    sw = t.reverse()
    assert sw.mode == "reverse"
    assert list(sw.seed) == [t.output.name] and float(sw.seed[t.output.name]) == 1.0
    assert float(sw.values[n["v3"].index]) == 1.0
    assert float(sw.values[n["v2"].index]) == pytest.approx(C10, rel=1e-15)
    assert float(sw.values[n["v1"].index]) == pytest.approx(C10, rel=1e-15)
    assert float(sw.values[n["x"].index]) == pytest.approx(6 * C10, rel=1e-15)
    assert set(sw.result) == {"x"}
    assert float(sw.result["x"]) == pytest.approx(6 * C10, rel=1e-15)
    # Reverse tape order.
    op_steps = [s.node for s in sw.steps if not t.nodes[s.node].is_input]
    assert op_steps == [n["v3"].index, n["v2"].index, n["v1"].index]
    # v̄2 += v̄3 · cos(v2)
    step = step_for(sw, n["v3"].index)
    assert float(step.value) == 1.0
    term = only_term(step)
    assert (term.source, term.target) == (n["v3"].index, n["v2"].index)
    assert term.partial.replace(" ", "") == "cos(v2)"
    assert float(term.contribution) == pytest.approx(C10, rel=1e-15)
    assert float(term.total) == pytest.approx(C10, rel=1e-15)
    text = term.update()
    assert (
        f"v{BAR}2" in text and f"v{BAR}3" in text and "cos(v2)" in text and "+=" in text
    )
    assert text.index(f"v{BAR}2") < text.index("+=") < text.index(f"v{BAR}3")
    ascii_text = term.update(ascii=True)
    assert "v2_bar" in ascii_text and "v3_bar" in ascii_text and "+=" in ascii_text
    assert ascii_text.isascii()
    # x̄ += v̄1 · 2x  = cos(10) * 6
    term = only_term(step_for(sw, n["v1"].index))
    assert (term.source, term.target) == (n["v1"].index, n["x"].index)
    assert float(term.partial_value) == 6.0
    assert float(term.contribution) == pytest.approx(6 * C10, rel=1e-15)
    assert sw.ops == sum(len(s.terms) for s in sw.steps) == 3


def test_sin_gradient_convenience(sin_trace):
    g = sin_trace.gradient()
    assert set(g) == {"x"}
    assert float(g["x"]) == pytest.approx(6 * C10, rel=1e-15)


def test_forward_seed_forms_agree(sin_trace):
    a = sin_trace.forward().result
    b = sin_trace.forward("x").result
    c = sin_trace.forward({"x": 1.0}).result
    d = sin_trace.forward({"x": 2.0}).result
    assert float(a) == float(b) == float(c) == pytest.approx(6 * C10, rel=1e-15)
    assert float(d) == pytest.approx(12 * C10, rel=1e-15)
    assert float(sin_trace.reverse(2.0).result["x"]) == pytest.approx(
        12 * C10, rel=1e-15
    )


def test_sweeps_are_repeatable(sin_trace):
    """A sweep does not change the trace: running it twice gives the same records."""
    r1 = sin_trace.reverse()
    r2 = sin_trace.reverse()
    assert float(r1.result["x"]) == float(r2.result["x"])
    assert [float(v) for v in r1.values] == [float(v) for v in r2.values]


def test_notation_helpers():
    from adviz.engine.notation import bar, dot

    assert dot("v2") == f"v{DOT}2" and bar("v2") == f"v{BAR}2"
    assert dot("v2", ascii=True) == "v2_dot" and bar("v2", ascii=True) == "v2_bar"


# --------------------------------------------------------------------------- x1*x2 + sin(x1)

G1 = 5.0 + math.cos(2.0)


@pytest.fixture(params=["string", "function"])
def two_trace(request):
    if request.param == "string":
        return ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)
    return ad.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)


def test_two_input_tape(two_trace):
    t = two_trace
    assert t.input_names == ("x1", "x2")
    assert [n.name for n in t.inputs] == ["x1", "x2"]
    n = by_name(t)
    assert n["v1"].op == "multiply" and float(n["v1"].value) == 10.0
    assert n["v2"].op == "sin" and float(n["v2"].value) == pytest.approx(math.sin(2.0))
    assert n["v3"].op == "add" and float(n["v3"].value) == pytest.approx(
        10 + math.sin(2.0)
    )
    assert t.primitive_count == 3
    assert float(t.value) == pytest.approx(10 + math.sin(2.0), rel=1e-15)


def test_two_input_gradient(two_trace):
    g = two_trace.gradient()
    assert set(g) == {"x1", "x2"}
    assert float(g["x1"]) == pytest.approx(G1, rel=1e-15)
    assert float(g["x2"]) == 2.0


def test_x1_receives_two_reverse_contributions(two_trace):
    t = two_trace
    n = by_name(t)
    sw = t.reverse()
    x1 = n["x1"].index
    terms = [term for s in sw.steps for term in s.terms if term.target == x1]
    assert len(terms) == 2, (
        "x1 feeds two operations, so it gets two adjoint contributions"
    )
    contributions = sorted(float(term.contribution) for term in terms)
    assert contributions == pytest.approx(sorted([5.0, math.cos(2.0)]), rel=1e-15)
    # Running adjoint: the first contribution alone, then the sum.
    assert float(terms[0].total) == pytest.approx(
        float(terms[0].contribution), rel=1e-15
    )
    assert float(terms[1].total) == pytest.approx(G1, rel=1e-15)
    assert float(sw.values[x1]) == pytest.approx(G1, rel=1e-15)
    # The multiply's partial w.r.t. x1 is x2 (= 5), w.r.t. x2 is x1 (= 2).
    mul_terms = {term.target: term for term in step_for(sw, n["v1"].index).terms}
    assert (
        mul_terms[x1].partial.replace(" ", "") == "x2"
        and float(mul_terms[x1].partial_value) == 5
    )
    x2 = n["x2"].index
    assert (
        mul_terms[x2].partial.replace(" ", "") == "x1"
        and float(mul_terms[x2].partial_value) == 2
    )
    assert sw.ops == sum(len(s.terms) for s in sw.steps) == 5


def test_two_input_forward_seeds(two_trace):
    t = two_trace
    assert float(t.forward("x1").result) == pytest.approx(G1, rel=1e-15)
    assert float(t.forward("x2").result) == 2.0
    assert float(t.forward({"x1": 1.0, "x2": 0.0}).result) == pytest.approx(
        G1, rel=1e-15
    )
    assert float(t.forward({"x2": 1.0}).result) == 2.0  # missing input: zero tangent
    assert float(t.forward({"x1": 2.0, "x2": 3.0}).result) == pytest.approx(
        2 * G1 + 6.0
    )
    sw = t.forward("x2")
    assert float(sw.seed["x2"]) == 1.0
    # Forward sweep with x2 seeded never touches sin(x1): its tangent is zero / untouched.
    v2 = by_name(t)["v2"].index
    assert sw.values[v2] is None or float(sw.values[v2]) == 0.0


def test_forward_without_seed_needs_a_single_input(two_trace):
    """Several inputs: no default seed, and the error shows both ways to give one, with the
    trace's own input names; each of them then works."""
    with pytest.raises(ValueError) as info:
        two_trace.forward()
    names = list(two_trace.input_names)
    assert f"t.forward({names[0]!r})" in str(info.value)
    assert f"t.forward({{{names[0]!r}: 1.0, {names[1]!r}: 0.5}})" in str(info.value)
    by_name_seed = two_trace.forward(names[0]).result
    by_dict = two_trace.forward({names[0]: 1.0, names[1]: 0.0}).result
    assert float(by_name_seed) == float(by_dict)


def test_forward_without_seed_on_an_array_input_says_so():
    import adviz as ad

    t = ad.trace(lambda x: np.sum(np.sin(x)), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="the array input x"):
        t.forward()
    assert float(t.forward("x").result) == pytest.approx(np.cos(1.0) + np.cos(2.0), rel=1e-14)


def test_unknown_seed_name_is_an_error(two_trace):
    with pytest.raises((ValueError, KeyError)) as info:
        two_trace.forward("x3")
    assert "x3" in str(info.value)


# --------------------------------------------------------------------------- the branch


def branch(x):
    if x > 0:
        return x * x
    else:
        return -x


def test_branch_positive_side():
    t = ad.trace(branch, 3.0)
    assert t.input_names == ("x",)
    assert t.primitive_count == 1
    (op,) = [n for n in t.nodes if not n.is_input]
    assert op.op in {"multiply", "square", "power"}
    assert float(t.value) == 9.0
    assert float(t.gradient()["x"]) == 6.0
    assert float(t.forward().result) == 6.0


def test_branch_negative_side():
    t = ad.trace(branch, -2.0)
    assert t.primitive_count == 1
    (op,) = [n for n in t.nodes if not n.is_input]
    assert op.op == "negative"
    assert float(t.value) == 2.0
    assert float(t.gradient()["x"]) == -1.0
    assert float(t.forward().result) == -1.0


def test_trace_of_array_function():
    """Records hold arrays too: shapes, dtypes and a gradient shaped like the input."""

    def f(x):
        return np.sum(np.sin(x) * x)

    x = np.array([0.5, 1.0, 2.0])
    t = ad.trace(f, x)
    assert t.nodes[0].shape == (3,)
    assert t.output.shape == ()
    g = t.gradient()["x"]
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-14)
    tangent = np.array([1.0, 0.0, -1.0])
    fwd = t.forward({"x": tangent}).result
    assert float(fwd) == pytest.approx(
        float(np.dot(np.cos(x) * x + np.sin(x), tangent))
    )


def test_reverse_needs_a_seed_for_non_scalar_output():
    t = ad.trace(lambda x: x * 2.0, np.ones(3))
    with pytest.raises((ValueError, TypeError)):
        t.reverse()
    r = t.reverse(np.array([1.0, 0.0, 3.0]))
    np.testing.assert_array_equal(r.result["x"], [2.0, 0.0, 6.0])


def test_unused_input_gets_zero_adjoint():
    t = ad.trace(lambda x, y: np.sin(x), 1.0, 2.0)
    g = t.gradient()
    assert set(g) == {"x", "y"}
    assert float(g["x"]) == pytest.approx(math.cos(1.0))
    assert g["y"] is not None and float(g["y"]) == 0.0


def test_reverse_contributions_are_unbroadcast():
    """b (shape (3,)) is broadcast against x (2, 3): its adjoint contributions have b's shape."""
    x = np.arange(6.0).reshape(2, 3) / 4
    b = np.array([1.0, 2.0, 3.0])
    t = ad.trace(lambda x, b: np.sum((x + b) * b), x, b)
    sw = t.reverse()
    ib = by_name(t)["b"].index
    terms = [term for s in sw.steps for term in s.terms if term.target == ib]
    assert len(terms) == 2
    for term in terms:
        assert np.shape(term.contribution) == (3,) and np.shape(term.total) == (3,)
    expected_b = np.sum(x + 2 * b, axis=0)  # d/db sum((x + b) * b)
    np.testing.assert_allclose(sw.result["b"], expected_b, rtol=1e-14)
    np.testing.assert_allclose(
        sum(term.contribution for term in terms), expected_b, rtol=1e-14
    )
    np.testing.assert_allclose(sw.result["x"], np.broadcast_to(b, (2, 3)), rtol=1e-14)
    for node, value in zip(t.nodes, sw.values):
        assert value is None or np.shape(value) == node.shape, node.name
    fw = t.forward({"b": np.ones(3)})
    for node, value in zip(t.nodes, fw.values):
        assert value is None or np.shape(value) == node.shape, node.name
    assert float(fw.result) == pytest.approx(float(np.sum(expected_b)))


def test_a_scalar_contribution_into_an_array_node_is_recorded_at_the_node_shape():
    # s*v + s: the add node is an array, its second term's contribution (from the scalar s)
    # is one number; the record shows it broadcast to the node's shape, as the tangent is.
    t = ad.trace(lambda s, v: s * v + s, 2.0, np.array([1.0, 2.0]))
    sweep = t.forward("s")
    add = sweep.steps[-1]
    assert [term.names for term in add.terms] == [("v1", "v2"), ("s", "v2")]
    second = add.terms[1]
    assert np.shape(second.contribution) == (2,)
    np.testing.assert_array_equal(second.contribution, [1.0, 1.0])  # ∂(s*v + s)/∂s through the "+ s" edge
    np.testing.assert_array_equal(second.total, [2.0, 3.0])  # d/ds (s*v + s) = v + 1


def test_long_scalar_trace_records_every_term_with_its_numbers():
    # 200 nodes: the sweep packs its float64 numbers; each term must still read back its own
    # contribution, and the forward and reverse sweeps must agree with the chain rule by hand.
    c = 1e-3

    def loop(x):
        for _ in range(50):
            x = x * (1 + c) + (-c) * (x * x)
        return x

    t = ad.trace(loop, 0.5)
    fwd, rev = t.forward(), t.reverse()
    x, d = 0.5, 1.0
    for _ in range(50):
        d *= (1 + c) - 2 * c * x
        x = x * (1 + c) + (-c) * (x * x)
    assert float(fwd.result) == pytest.approx(d, rel=1e-13)
    assert float(rev.result["x"]) == pytest.approx(d, rel=1e-13)
    terms = [term for step in rev.steps for term in step.terms]
    assert len(terms) == 300  # per iteration: x*(1+c) 1, x*x 2, (-c)*(...) 1, + 2
    for term in terms:  # each contribution is the source's adjoint times the local partial
        g = rev.values[term.source]
        assert float(term.contribution) == float(g * term.partial_value)
