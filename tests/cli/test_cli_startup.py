"""Start-up guards: what ``adviz`` must not do before it prints anything.

Start-up is timed by ``python -m benchmarks --only START`` (docs/performance.md), never here;
these tests only pin down the causes of slowness that were measured and removed, so that they
cannot come back unnoticed.
"""

from __future__ import annotations

import inspect


def test_typer_reads_command_annotations_without_eval():
    """Typer reads every command's annotations on every run; a string annotation (from
    ``from __future__ import annotations`` in a command module) is compiled again by ``eval``:
    about 37 M instructions of ``adviz trace``'s start-up for adviz's seven commands."""
    from adviz.cli import app

    callbacks = [info.callback for info in app.registered_commands]
    callbacks.append(app.registered_callback.callback)
    assert len(callbacks) >= 8
    for callback in callbacks:
        for name, parameter in inspect.signature(callback).parameters.items():
            assert not isinstance(parameter.annotation, str), (
                f"{callback.__module__}.{callback.__name__}({name}: {parameter.annotation!r}): a string annotation; "
                "remove `from __future__ import annotations` from that module")


def test_commands_that_load_logging_libraries_quiet_them_and_trace_skips_it():
    """matplotlib, Graphviz and SymPy log through the root logger: every command but the
    NumPy-and-rich ones (trace, grad, jacobian) gives it a NullHandler before it runs; those
    skip ``logging`` altogether (importing it is ~12 M instructions of their start-up)."""
    import os
    import subprocess
    import sys

    from conftest import ENV

    code = ("import sys\nfrom adviz.cli import main\nsys.argv = ['adviz', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "logging = sys.modules.get('logging')\n"
            "print('HANDLERS', logging and [type(h).__name__ for h in logging.getLogger().handlers], file=sys.stderr)")
    for argv, expected in ((["compare", "--help"], "HANDLERS ['NullHandler']"),
                           (["graph", "--help"], "HANDLERS ['NullHandler']"),
                           (["grad", "x*x", "--at", "x=3"], "HANDLERS None")):
        p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120,
                           env={**os.environ, **ENV})
        assert expected in p.stderr, (argv, p.stderr)
