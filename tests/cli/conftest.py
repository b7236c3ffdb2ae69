"""Helpers for the CLI tests: run a command in-process (Typer's CliRunner) or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest
from typer.testing import CliRunner

ENV = {"COLUMNS": "140", "LINES": "200", "NO_COLOR": "1", "TERM": "dumb"}
MAIN = "import sys; from adviz.cli import main; sys.argv[0] = 'adviz'; main()"


@pytest.fixture
def cli():
    """``cli("trace", "x", "--at", "x=1")`` → the CliRunner result, with ``.text`` (NFC stdout)."""
    from adviz.cli import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None):
        result = runner.invoke(app, list(args), input=input, env={**ENV, **(env or {})})
        result.text = unicodedata.normalize("NFC", result.stdout)
        return result

    return run


@pytest.fixture
def adviz():
    """``adviz("grad", …)`` → a finished ``subprocess.CompletedProcess`` of the real entry point."""

    def run(*args: str, input: str | None = None, env: dict | None = None, cwd=None,
            preexec_fn=None) -> subprocess.CompletedProcess:
        environment = {**os.environ, **ENV, **(env or {})}
        return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True, input=input,
                              env=environment, timeout=120, cwd=cwd, preexec_fn=preexec_fn)

    return run
