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
