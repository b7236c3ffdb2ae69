"""Big inputs: refused before allocating when they would not fit, summarised when they would not read."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest


def vector(n: int, value: str = "1") -> str:
    return "x=[" + ",".join([value] * n) + "]"


def test_a_dense_jacobian_too_big_is_refused_before_computing(adviz):
    """60,000 inputs and outputs: 3.6e9 entries, 28.8 GB. Refused at once, within a small address space."""
    import resource

    def little_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))

    p = adviz("jacobian", "x*2", "--at", vector(60_000), preexec_fn=little_memory)
    assert p.returncode == 2
    assert p.stderr.startswith("adviz: error: the Jacobian would be 60,000 x 60,000 = 3,600,000,000 entries (28.8 GB)")
    assert p.stderr.count("\n") == 1


def test_trace_reverse_on_a_big_vector_output_shows_a_few_sweeps(cli):
    r = cli("trace", "x*2", "--at", vector(60_000), "--mode", "reverse")
    assert r.exit_code == 0, r.output
    assert r.text.count("Reverse sweep") == 5
    assert "The output has 60,000 entries: 59,995 more reverse sweeps (one per entry) not shown." in \
        " ".join(r.text.split())
    r = cli("trace", "x*2", "--at", vector(60_000), "--mode", "reverse", "--full")
    assert r.exit_code == 2 and "more than the limit of 10,000,000" in r.stderr


def test_a_big_jacobian_is_summarised_unless_full(cli):
    n = 20
    r = cli("jacobian", "sin(x)*x", "--at", vector(n, "0.5"))
    assert r.exit_code == 0, r.output
    out = r.text
    assert "Jacobian (20 x 20), computed in forward and reverse mode: corners" in out
    diagonal = math.sin(0.5) + 0.5 * math.cos(0.5)               # d/dx x·sin x at 0.5
    row0 = next(line.split() for line in out.splitlines() if line.split()[:1] == ["y[0]"])
    assert row0 == ["y[0]", repr(diagonal), "0.0", "…", "0.0", "0.0"]
    assert any(line.split()[0] == "…" for line in out.splitlines() if line.strip())
    assert f"20 x 20 = 400 entries, 20 nonzero; largest |entry| {diagonal!r}; " \
           f"Frobenius norm {float(np.linalg.norm(np.full(n, diagonal)))!r}" in out
    full = cli("jacobian", "sin(x)*x", "--at", vector(n, "0.5"), "--full", env={"COLUMNS": "2000"})
    assert "corners" not in full.text and "∂/∂x[10]" in full.text
    data = json.loads(cli("jacobian", "sin(x)*x", "--at", vector(n, "0.5"), "--json").stdout)
    assert np.allclose(data["jacobian"], np.eye(n) * diagonal, rtol=1e-15, atol=0)


def test_small_jacobians_are_shown_whole(cli):
    r = cli("jacobian", "[x*y, sin(x), x+y]", "--at", "x=2,y=3")
    assert "corners" not in r.text and "f[2]" in r.text


# Run the command with 200 MB of address space above what Python and adviz need once imported:
# every array fits ADVIZ_MAX_ELEMENTS, but the tape keeps them all, so the machine runs out.
_LITTLE_MEMORY = """
import resource, sys
from adviz.cli import main
pages = int(open('/proc/self/statm').read().split()[0])
limit = pages * resource.getpagesize() + 200 * 1024 ** 2
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv[0] = 'adviz'
main()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
@pytest.mark.parametrize("command", ["grad", "trace"])
def test_running_out_of_memory_says_what_to_do(command):
    """x (2,000) + y (250 x 1) broadcasts to 500,000 elements (4 MB): allowed, but 60 nested sin
    keep 60 such arrays (and their partials) for the sweeps: more than 200 MB."""
    expression = "sum(" + "sin(" * 60 + "x+y" + ")" * 60 + ")"
    y = "y=[" + ",".join(["[0.5]"] * 250) + "]"
    p = subprocess.run([sys.executable, "-c", _LITTLE_MEMORY, command, expression, "--at", vector(2000), "--at", y],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("adviz: error: out of memory: ") and p.stderr.count("\n") == 1, p.stderr
    assert "every intermediate value" in p.stderr and "lower ADVIZ_MAX_TOTAL_ELEMENTS" in p.stderr


def test_all_values_together_are_refused_before_the_memory_runs_out(adviz):
    """The same 60 nested sin, each array allowed: under ADVIZ_MAX_TOTAL_ELEMENTS the tape's total
    is refused while the expression is evaluated, with a caret under the sin that passes it."""
    expression = "sum(" + "sin(" * 60 + "x+y" + ")" * 60 + ")"
    y = "y=[" + ",".join(["[0.5]"] * 250) + "]"
    p = adviz("grad", expression, "--at", vector(2000), "--at", y, env={"ADVIZ_MAX_TOTAL_ELEMENTS": "3000000"})
    assert p.returncode == 2, p.stderr
    first, shown, caret = p.stderr.splitlines()
    assert first.startswith("adviz: error: sin(sin(") and "would bring the values of this evaluation to 3,002,250 " \
        "numbers" in first and "more than the limit of 3,000,000" in first
    # x (2,000) + y (250) + x+y (500,000) + five sin (2,500,000) = 3,002,250 at the fifth sin from the inside
    assert shown[caret.index("^"):].startswith("sin(sin(sin(sin(sin(x+y)))))")
