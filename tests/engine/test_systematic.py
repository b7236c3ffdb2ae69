"""The systematic derivative suite: every case of ``cases.py`` through ``check_grads``, and the coverage guard.

Each case checks ``jvp``, ``vjp``, ``grad``, ``jacfwd``, ``jacrev`` and every second-order
composition against finite differences (and the complex step where the function is
analytic).  The guard below fails when a registry entry or a dispatched NumPy function,
method or operator is not exercised by any case: adding an operation to adviz means adding
its cases.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from cases import CASES, Case
from check_grads import WrongDerivative, check_grads

import adviz as ad
from adviz.engine import numpy_api
from adviz.engine.primitives import REGISTRY
from adviz.engine.tracer import Tracer


def _params():
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, raises=WrongDerivative, reason=c.known)] if c.known else []
        yield pytest.param(c, id=c.id, marks=marks)


def run(case: Case) -> None:
    check_grads(case.fn, case.values(), order=case.order, analytic=case.analytic, single=case.single,
                modes=case.modes, name=case.id)


@pytest.mark.parametrize("case", list(_params()))
def test_derivatives(case: Case):
    if case.expect == "refuse":
        with pytest.raises(ad.UnsupportedOperation):
            run(case)
    else:
        run(case)


# --------------------------------------------------------------------------- the records students read


def _close(got, expected, single: bool) -> bool:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    rtol = 1e-5 if single else 1e-9
    return got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=rtol * 1e-3, equal_nan=True)


@pytest.mark.parametrize("case", [c for c in CASES if c.expect == "pass" and not c.known], ids=lambda c: c.id)
def test_trace_sweeps_agree_with_the_transforms(case: Case):
    """``ad.trace(f).forward()``/``.reverse()`` (what tables and graphs show) recompute derivatives
    step by step from the registry's partials: they must give the transforms' numbers."""
    args = case.values()
    try:
        t = ad.trace(case.fn, *args)
    except ValueError as e:
        assert "does not depend on the inputs" in str(e)
        return
    rng = np.random.default_rng(7)
    v = [rng.uniform(-1, 1, np.shape(a)) for a in args]
    w = rng.uniform(-1, 1, np.shape(case.fn(*args)))
    if "fwd" in case.modes:
        forward = t.forward(dict(zip(t.input_names, v)))
        assert _close(forward.result, ad.jvp(case.fn, args, tuple(v))[1], case.single), "forward sweep vs jvp"
    reverse = t.reverse(seed=w)
    for name, x_bar in zip(t.input_names, ad.vjp(case.fn, *args)[1](w)):
        assert _close(reverse.result[name], x_bar, case.single), f"reverse sweep vs vjp for {name}"
    for step in reverse.steps:  # every recorded update adds its contribution to the running total
        for term in step.terms:
            assert np.shape(term.total) == np.shape(t[term.target].value)


# --------------------------------------------------------------------------- the coverage guard

# Entries no case can exercise, and why.  Keep this short: everything else needs a case.
EXEMPT = {
    "bitwise_and": "needs integer or bool operands; differentiable inputs are floats",
    "bitwise_or": "needs integer or bool operands; differentiable inputs are floats",
    "invert": "needs integer or bool operands; differentiable inputs are floats",
    "eig": "refused with advice (complex in general: use eigh); its refusal is a case",
    "eigvals": "refused with advice (complex in general: use eigvalsh); its refusal is a case",
    **{name: "refused with advice (in place, or no derivative); its refusal is a case in test_numpy_api_refusals.py"
       for name in ("copyto", "fill_diagonal", "histogram", "histogram2d", "histogramdd", "place", "put", "putmask",
                    "roots")},
}


def _dispatch_names() -> dict[str, tuple[str, object, object]]:
    """Every way NumPy code reaches adviz: name -> (kind, table or class, key)."""
    names = {}
    for uf in numpy_api.UFUNCS:
        names[f"np.{uf.__name__}"] = ("ufunc", numpy_api.UFUNCS, uf)
    numpy_api.register_late()  # np.fft's entries, otherwise added on first use
    for fn in numpy_api.FUNCTIONS:
        if isinstance(fn, np.ufunc):
            continue  # np.conj is the ufunc np.conjugate: NumPy sends it to UFUNCS, never here
        module = (getattr(fn, "__module__", None) or "numpy").replace("numpy", "np").replace("._linalg", "")
        names[f"{module}.{fn.__name__}"] = ("function", numpy_api.FUNCTIONS, fn)
    for (uf, method) in numpy_api.REDUCTIONS:
        names[f"np.{uf.__name__}.{method}"] = ("reduction", numpy_api.REDUCTIONS, (uf, method))
    for name in numpy_api.METHODS:
        names[f"x.{name}"] = ("method", Tracer, name)
    for name, value in vars(Tracer).items():
        if name.startswith("__") and name not in ("__array_ufunc__", "__array_function__") \
                and (getattr(value, "__module__", None) or "").startswith(numpy_api.__name__):
            names[f"x.{name}"] = ("method", Tracer, name)
    return names


def _recording(monkeypatch, names: dict) -> set:
    """Wrap every dispatch entry so that calling it records its name."""
    hit: set = set()
    for label, (kind, table, key) in names.items():
        if kind == "method":
            orig = vars(Tracer).get(key, getattr(Tracer, key, None))
            if isinstance(orig, property):
                wrapped = property(lambda self, _o=orig, _l=label: (hit.add(_l), _o.fget(self))[1])
            else:
                def wrapped(*a, _o=orig, _l=label, **k):
                    hit.add(_l)
                    return _o(*a, **k)
            monkeypatch.setattr(Tracer, key, wrapped)
        else:
            orig = table[key]

            def wrapped(*a, _o=orig, _l=label, **k):
                hit.add(_l)
                return _o(*a, **k)

            monkeypatch.setitem(table, key, wrapped)
    for prim in REGISTRY.values():  # non-differentiable primitives never reach a tape
        if not prim.differentiable:
            def impl(*a, _o=prim.impl, _l=prim.name, **k):
                hit.add(f"primitive {_l}")
                return _o(*a, **k)

            monkeypatch.setattr(prim, "impl", impl)
    return hit


def _differentiated_primitives(case: Case) -> set:
    """Primitives on the tape of f *and* of its reverse sweep (rules such as getitem's scatter)."""
    args = case.values()
    nums = tuple(range(len(args)))
    w = np.random.default_rng(0).uniform(-1, 1, np.shape(case.fn(*args)))

    def grad_of_f(*xs):
        g = ad.grad(lambda *ys: np.sum(case.fn(*ys) * w), argnums=nums)(*xs)
        return sum(np.sum(gi * gi) for gi in g) + np.sum(case.fn(*xs) * w)

    seen = set()
    for fn in (grad_of_f, case.fn):
        try:
            t = ad.trace(fn, *args)
        except ValueError as e:  # f is locally constant (3·sign(x)): nothing to record
            assert "does not depend on the inputs" in str(e)
            continue
        for n in t.nodes:
            if n.primitive is None:
                continue
            seen.add(n.op)
            extra = n.primitive.extra
            if extra.get("custom") in ("jvp", "vjp"):
                seen.add(f"ad.custom_{extra['custom']}")
            if extra.get("stops_gradient"):
                seen.add("ad.stop_gradient")
        if getattr(t, "checkpoints", None):
            seen.add("ad.checkpoint")
    return seen


@functools.lru_cache(maxsize=1)
def _exercised() -> tuple[frozenset, frozenset]:
    """(primitives differentiated, dispatch entries and non-differentiable primitives called) by the cases."""
    passing = [c for c in CASES if c.expect == "pass" and not c.known]
    differentiated: set = set()
    for c in passing:
        differentiated |= _differentiated_primitives(c)
    with pytest.MonkeyPatch.context() as monkeypatch:
        hit = _recording(monkeypatch, _dispatch_names())
        for c in passing:
            args = c.values()
            if "fwd" in c.modes:
                ad.jvp(c.fn, args, tuple(np.ones(np.shape(a)) for a in args))
            else:
                ad.vjp(c.fn, *args)
    return frozenset(differentiated), frozenset(hit)


def _missing() -> list[str]:
    differentiated, hit = _exercised()
    missing = [f"primitive {p.name}" for p in REGISTRY.values()
               if p.differentiable and p.name not in differentiated and p.name not in EXEMPT]
    missing += [api for api in ("ad.custom_jvp", "ad.custom_vjp", "ad.checkpoint", "ad.stop_gradient")
                if api not in differentiated]
    missing += [f"primitive {p.name}" for p in REGISTRY.values()
                if not p.differentiable and f"primitive {p.name}" not in hit and p.name not in EXEMPT]
    missing += [label for label in _dispatch_names() if label not in hit and label.split(".")[-1] not in EXEMPT]
    return sorted(missing)


def test_every_registry_entry_and_dispatched_function_has_a_case():
    """A differentiable entry nobody differentiates is an entry whose wrong rule nobody would see."""
    missing = _missing()
    assert not missing, (
        "no case in tests/engine/cases.py exercises: " + ", ".join(missing)
        + ". Add cases (with a domain where the function is smooth) so its derivatives are checked."
    )


def test_the_guard_notices_a_new_entry(monkeypatch):
    """The guard is not vacuous: a registry entry or a NumPy function without a case is reported."""
    from adviz.engine.primitives.core import Primitive

    monkeypatch.setitem(REGISTRY, "untested_op", Primitive("untested_op", np.sin, "untested_op({0})", "?"))
    monkeypatch.setitem(numpy_api.FUNCTIONS, np.fft.fft, lambda x: x)
    missing = _missing()
    assert "primitive untested_op" in missing and "np.fft.fft" in missing
