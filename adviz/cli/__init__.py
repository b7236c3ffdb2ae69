"""The ``adviz`` command: automatic differentiation in the terminal.

    adviz trace "sin(x**2+1)" --at x=3       the tape, the forward and the reverse sweep
    adviz grad "x1*x2 + sin(x1)" --at x1=2 --at x2=5
    adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3
    adviz graph "sin(x**2+1)" --at x=3       the computational graph as a picture
    adviz compare "sin(x**2+1)" --at x=3     AD against finite differences and the complex step
    adviz demo                               a step-by-step classroom walk-through
    adviz lessons                            copy the lesson notebooks to ./adviz-lessons

The package is deliberately thin: it reads the command line, asks the engine for a
:class:`~adviz.engine.record.Trace` and its sweeps, and hands those records to the renderers.
It never differentiates anything itself. Where to find what:

* :mod:`.app` — the Typer ``app``, the entry point :func:`main`, errors and exit codes;
* :mod:`.options` — the options every command spells alike (``--at``, ``--json``, …);
* :mod:`.values` — the ``--at`` value reader;
* :mod:`.recording` — EXPR and ``--at`` → a trace and its sweeps, with honest warnings;
* :mod:`.output` — the console, JSON;
* :mod:`.coercion` — option values read without Pydantic (fast start-up);
* one module per command family: :mod:`.trace` (trace, grad, jacobian), :mod:`.graph`,
  :mod:`.compare`, :mod:`.demo`, :mod:`.lessons`.

A new command is a function in one of those modules (or a new one imported below), registered
with ``@app.command(cls=Command)``; its docstring is its ``--help`` text and ends with an example. rich,
the renderers and everything optional are imported inside the commands that use them, so
``adviz --help`` and ``adviz trace`` never import Jupyter, Graphviz, matplotlib or SymPy.

Start-up is most of what a student waits for (docs/performance.md measures it). Typer reads
the annotations of every command when the command line is parsed, so the command modules do
not use ``from __future__ import annotations``: string annotations would each be compiled
again by ``eval`` (about 37 M machine instructions on every run, 4 % of ``adviz trace``).
"""

from __future__ import annotations

# Importing a command module registers its commands, in this order in `adviz --help`.
from . import trace as _trace  # noqa: F401, I001
from . import graph as _graph  # noqa: F401
from . import compare as _compare  # noqa: F401
from . import demo as _demo  # noqa: F401
from . import lessons as _lessons  # noqa: F401
from .app import InputError, app, main
from .output import to_json_value
from .values import parse_assignments, parse_value

__all__ = ["InputError", "app", "main", "parse_assignments", "parse_value", "to_json_value"]
