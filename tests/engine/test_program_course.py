"""``Trace.to_python`` on the course snippets of the audit (``audit/cases_course.py``): the
generated program, run with NumPy alone, must give the function's value, its tangent along a
random direction (against central differences) and an adjoint satisfying ``⟨x̄, v⟩ = ⟨ū, J v⟩``.
A snippet the program cannot be written for (``NoCodeForm``, nested transforms, custom rules'
reverse programs) is skipped by that refusal, never by a wrong program."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import adviz as ad
from adviz.engine.program import NoCodeForm
from audit import cases_course
from audit.core import Rng, close, directional

PLAIN = [(name, f, args) for name, f, args, opts in cases_course.SNIPPETS
         if "modes" not in opts and all(isinstance(a, (float, np.ndarray)) for a in args)]


def _program(f, args):
    try:
        t = ad.trace(f, *args)
        if len(t.outputs) != 1:
            return None
        source = t.to_python(forward=True)
    except (NoCodeForm, ad.UnsupportedOperation):
        return None
    namespace = {"np": np}
    exec(source, namespace)  # noqa: S102 - the program adviz wrote, the point of the test
    name = [n for n in re.findall(r"^def (\w+)\(", source, re.M) if n != "scatter_add"][-1]
    return namespace[name]


def test_most_course_snippets_have_a_program():
    written = sum(_program(f, args) is not None for _, f, args in PLAIN)
    assert len(PLAIN) >= 250 and written >= 0.9 * len(PLAIN), (written, len(PLAIN))


@pytest.mark.parametrize("name, f, args", PLAIN, ids=[p[0] for p in PLAIN])
def test_the_written_program_computes_value_tangent_and_adjoint(name, f, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        program = _program(f, args)
        if program is None:
            return  # refused by name (NoCodeForm): checked for frequency above
        rng = Rng(np.random.default_rng(0))
        vs = [rng.like(a) for a in args]
        y_ref = np.asarray(f(*args), dtype=float)
        u = rng.gen.standard_normal(y_ref.shape)
        y, y_dot, bars = program(*args, *vs, u if y_ref.shape else float(u))
        d_ref, d_err = directional(f, list(args), vs)
    close(y, y_ref, 0, f"{name} value", rtol=1e-9, atol=1e-12)
    close(y_dot, d_ref[0], d_err[0], f"{name} tangent")
    lhs = sum(float(np.sum(np.asarray(b, dtype=float) * v)) for b, v in zip(bars, vs))
    close(lhs, float(np.sum(u * d_ref[0])), float(np.sum(np.abs(u) * d_err[0])), f"{name} adjoint")
