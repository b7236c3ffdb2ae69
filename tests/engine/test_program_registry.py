"""Trace.to_python on every case of the systematic table: every registry entry, shape, axis and keyword.

For each case of ``cases.py`` (the table that covers every primitive with a derivative) the
trace is written as a program with its tangent and adjoint parts, the source is executed in a
fresh namespace holding only NumPy (and, for custom rules, the user's functions it calls by
name), and its three results are checked against references adviz did not compute:

* the value against the original function;
* the tangent ``J·v`` against central differences along ``v`` (a 4th-order stencil with an
  error estimate), confirmed by the complex step where the function is real-analytic;
* the adjoints ``wᵀJ`` entry by entry against a Jacobian assembled column by column from the
  same references (a random projection for inputs with many entries).

A coverage guard fails if some differentiable registry entry appears in no checked program,
so a new primitive needs a code form (or an explicit refusal listed here) to land.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest
from cases import CASES, Case
from check_grads import Estimate, _compare, reference_jacobian, reference_jvp

import adviz as ad
from adviz.engine.primitives import REGISTRY
from adviz.engine.program import NoCodeForm

F32_EPS = float(np.finfo(np.float32).eps)

# What Trace.to_python refuses on purpose, with the words the refusal must contain.
REFUSED = {
    # reverse mode through a custom JVP rule needs the rule's transpose, which is not a call
    "custom_jvp-softplus[float]": "transpose of its JVP rule",
    "custom_jvp-softplus[3]": "transpose of its JVP rule",
    "custom_jvp-softplus[2x3]": "transpose of its JVP rule",
    "custom_jvp-in-chain[3]": "transpose of its JVP rule",
    "custom_jvp-two-args-broadcast[2x3][3]": "transpose of its JVP rule",
    # cases.py defines its custom VJP rules as lambdas: a call by name is impossible
    "custom_vjp-cube[float]": "has no name",
    "custom_vjp-cube[3]": "has no name",
    "custom_vjp-cube[2x3]": "has no name",
    "custom_vjp-in-chain[3]": "has no name",
    "custom_vjp-two-args[3][3]": "has no name",
    # a transform nested inside the traced function leaves batched scatters on the tape
    "jacfwd-of-jacrev[2]": "no code form for scatter_add",
}

# The reference for these is unreliable, not the program: a step of 1e-3 on 1e100 or 1e150
# loses every digit of the difference (the systematic suite checks them with adviz's sweeps).
SKIP_REFERENCE = {"square-special-values", "hypot-special-values"}

ELIGIBLE = [c for c in CASES if c.expect == "pass" and not c.known]


def run_source(src: str, **user):
    """Exec the program with only NumPy (no builtins) plus ``user`` in scope; return the function."""
    namespace = {"__builtins__": {}, "np": np, **user}
    exec(compile(src, "<to_python>", "exec"), namespace)
    return namespace[ast.parse(src).body[-1].name]


def _trace(case: Case):
    """The case's trace, or None when there is no program to write: a constant output
    (``grad`` of a piecewise-linear function, which ad.trace refuses) or several outputs
    (tested in test_program.py: the reverse program needs one)."""
    try:
        t = ad.trace(case.fn, *case.values())
    except ValueError as e:
        assert "does not depend on the inputs" in str(e)
        return None
    return t if len(t.outputs) == 1 else None


def _tangent_like(rng, a):
    d = rng.uniform(-1.0, 1.0, np.shape(a))
    if isinstance(a, np.ndarray):
        return d
    return type(a)(d)  # a float or a NumPy scalar, like the argument


@pytest.mark.parametrize("case", ELIGIBLE, ids=lambda c: c.id)
def test_program_of_every_case(case: Case):
    args = case.values()
    t = _trace(case)
    if t is None:
        return
    if case.id in REFUSED:
        with pytest.raises(NoCodeForm, match=REFUSED[case.id]):
            t.to_python(forward=case.modes != ("rev",), reverse=True)
        return
    forward = case.modes != ("rev",)
    src = t.to_python(forward=forward, reverse=True)
    program = run_source(src)
    rng = np.random.default_rng(len(case.id))
    dirs = [_tangent_like(rng, a) for a in args]
    y = np.asarray(case.fn(*args))
    w = rng.uniform(-1.0, 1.0, y.shape)
    out = program(*args, *(dirs if forward else []), w if y.shape else float(w))
    value, bars = out[0], out[-1]
    eps = F32_EPS if case.single else None
    kw = {"eps": eps} if eps else {}
    rtol = 1e-4 if case.single else 1e-6

    np.testing.assert_allclose(value, y, rtol=1e-6 if case.single else 1e-12, atol=1e-12, err_msg=src)
    assert np.shape(value) == y.shape
    if case.id.split("[")[0] in SKIP_REFERENCE:
        return
    if forward:
        _compare(out[1], reference_jvp(case.fn, args, dirs, case.analytic, **kw), f"{case.id}: tangent\n{src}", rtol)
    assert isinstance(bars, tuple) and len(bars) == len(args)
    for k, (bar, a) in enumerate(zip(bars, args)):
        assert np.shape(bar) == np.shape(a), f"{case.id}: adjoint {k} has shape {np.shape(bar)}"
        if np.size(a) <= 12:  # every entry: wᵀ J from the reference Jacobian, column by column
            jac = reference_jacobian(case.fn, args, k, case.analytic, **kw)
            axes = tuple(range(y.ndim))
            ref = Estimate(np.tensordot(w, jac.value, axes=(axes, axes)),
                           np.tensordot(np.abs(w), jac.error, axes=(axes, axes)))
        else:  # many entries: the projection on a random direction (the dot-product identity)
            v = [np.zeros(np.shape(b)) for b in args]
            v[k] = rng.uniform(-1.0, 1.0, np.shape(a))
            jv = reference_jvp(case.fn, args, v, case.analytic, **kw)
            ref = Estimate(np.asarray(np.sum(w * jv.value)), np.asarray(np.sum(np.abs(w) * jv.error)))
            bar = np.sum(np.asarray(bar) * v[k])
        _compare(bar, ref, f"{case.id}: adjoint of argument {k}\n{src}", rtol)


def test_every_differentiable_primitive_is_written_by_some_program():
    """The guard: every registry entry with a derivative is on the tape of some case above whose
    program is written (and so checked by ``test_program_of_every_case``)."""
    written: set[str] = set()
    for case in ELIGIBLE:
        if case.id in REFUSED:
            continue
        t = _trace(case)
        if t is not None:
            t.to_python(forward=case.modes != ("rev",))
            written.update(n.primitive.name for n in t.nodes if not n.is_input)
    missing = sorted(name for name, p in REGISTRY.items() if p.differentiable and name not in written)
    assert not missing, f"no checked program uses {missing}: add a case to cases.py or a code form"
