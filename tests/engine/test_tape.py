"""The tape's flat columns, read back line by line, and the reverse sweep over them.

The tape stores its lines as parallel lists; ``Tape.nodes`` makes each line a ``TapeNode``
when asked.  These tests check that what is read back is what was recorded, and that the
sweep's scalar shortcuts (``ȳ · ∂v/∂x`` computed in the sweep rather than by the rule) give
derivatives that agree with the complex step and with analytic formulas.
"""

import numpy as np
import pytest

import adviz as ad
from adviz.engine.primitives import REGISTRY
from adviz.engine.tape import Tape, TapeNode, backward
from adviz.engine.tracer import new_interpreter


def record(fn, *inputs):
    tape = Tape()
    with new_interpreter(tape):
        xs = [tape.new_input(np.float64(v)) for v in inputs]
        out = fn(*xs)
    return tape, out


def test_nodes_read_back_what_was_recorded():
    tape, out = record(lambda x, y: np.sin(x * 2.0) + x * y, 0.5, 3.0)
    nodes = tape.nodes
    assert len(nodes) == 6 and out.index == 5
    x, y = np.float64(0.5), np.float64(3.0)
    assert nodes[0] == TapeNode(None, (), (), {}, x)
    assert nodes[2] == TapeNode(REGISTRY["multiply"], (0, None), (x, 2.0), {}, x * 2.0)
    assert nodes[3] == TapeNode(REGISTRY["sin"], (2,), (x * 2.0,), {}, np.sin(x * 2.0))
    assert nodes[4] == TapeNode(REGISTRY["multiply"], (0, 1), (x, y), {}, x * y)
    assert nodes[5].parents == (3, 4) and nodes[5].ans == np.sin(x * 2.0) + x * y
    assert nodes[-1] == nodes[5] and list(nodes) == [nodes[k] for k in range(6)] == nodes[:]
    with pytest.raises(IndexError):
        nodes[6]


def test_a_sweep_over_node_tuples_equals_the_sweep_over_the_tape():
    tape, out = record(lambda x, y: (x * y - y / x) * np.exp(x), 0.7, -1.3)
    seed = np.float64(1.0)
    from_tape = backward(tape, out.index, seed)
    from_tuples = backward(list(tape.nodes), out.index, seed)
    assert [from_tape[0], from_tape[1]] == [from_tuples[0], from_tuples[1]]


def complex_step(f, x, h=1e-30):
    return np.imag(f(complex(x, h))) / h


# scalar code through every shortcut of the sweep: ± (rules of kind one / minus_one),
# x * y and x * x (the partial is an operand), x / y (a hand-written rule), sin, exp (partials)
SCALAR_FUNCTIONS = {
    "sum and difference": lambda x: (x + 2.0) - (3.0 - x) + x,
    "products": lambda x: x * x * 1.5 + (-0.5) * (x * (x + 1.0)),
    "quotients": lambda x: 1.0 / x + x / (x * x + 2.0),
    "elementwise partials": lambda x: np.sin(x * x) * np.exp(-x) - np.tanh(x),
    "negation and powers": lambda x: -(x ** 3) + (-x) * 0.25,
}


@pytest.mark.parametrize("name", list(SCALAR_FUNCTIONS))
@pytest.mark.parametrize("x0", [0.3, -1.7, 2.5])
def test_scalar_gradients_match_the_complex_step(name, x0):
    f = SCALAR_FUNCTIONS[name]
    g = ad.grad(f)(x0)
    assert type(g) is np.float64
    assert g == pytest.approx(complex_step(f, x0), rel=1e-13, abs=1e-13)


def test_a_long_scalar_loop_against_its_analytic_derivative():
    c, n = 1e-3, 5000

    def loop(x):
        for _ in range(n):
            x = x * (1 + c) + (-c) * (x * x)
        return x

    x, d = 0.5, 1.0
    for _ in range(n):  # dx_{k+1}/dx_k = (1 + c) - 2 c x_k
        d *= (1 + c) - 2 * c * x
        x = x * (1 + c) + (-c) * (x * x)
    assert ad.grad(loop)(0.5) == pytest.approx(d, rel=1e-12)


def test_float32_scalars_keep_their_dtype_through_the_sweep():
    g = ad.grad(lambda x: x * x * np.float32(3.0) + x)(np.float32(2.0))
    assert g.dtype == np.float32 and g == np.float32(13.0)
