"""`adviz compare`: the command prints the comparison, writes the plot, speaks JSON, fails cleanly."""

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from adviz.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["compare", *args], env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_table_output():
    result = run("sin(x**2+1)", "--at", "x=3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "adviz compare  sin(x**2+1)  at x=3.0" in out
    assert "-5.034429174458714" in out  # AD = 6·cos(10)
    for method in ("AD reverse", "AD forward", "complex step", "forward difference", "central difference",
                   "Richardson"):
        assert method in out
    assert "h sweep along x" in out and "Cost of the gradient" in out


def test_json_output():
    result = run("x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["gradient"]["x1"] == pytest.approx(5 + np.cos(2.0), rel=1e-15)
    assert data["gradient"]["x2"] == pytest.approx(2.0)
    rows = {(r["method"], r["h_label"]): r for r in data["rows"]}
    assert rows[("forward difference", "textbook √ε")]["evaluations"] == 3
    assert rows[("central difference", "textbook ∛ε")]["evaluations"] == 4
    assert rows[("complex step", "1e-20")]["rel_error"] < 1e-15
    assert data["plot"] is None and data["cost"]["rows"][3]["passes"] == 1


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_is_written(tmp_path, suffix, magic):
    path = tmp_path / f"fd{suffix}"
    result = run("sin(x**2+1)", "--at", "x=3", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(magic)
    assert f"saved to {path}" in result.output.replace("\n", "")


@pytest.mark.parametrize("args, message", [
    (["x*y", "--at", "x=1", "--at", "y=2", "--wrt", "z"], "'z' is not a variable"),
    (["[x, 2*x]", "--at", "x=1"], "scalar"),
    (["sin(x)", "--at", "x=1", "--plot", "out.jpg"], ".png or .svg"),
    (["sin(x)", "--at", "y=1"], "no value for x"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_real_process(tmp_path):
    """The installed console script, as a student would run it."""
    path = tmp_path / "fd.png"
    done = subprocess.run([sys.executable, "-m", "adviz.cli", "compare", "sin(x**2+1)", "--at", "x=3",
                           "--plot", str(path)], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "complex step" in done.stdout and path.stat().st_size > 10_000
