"""docs/cli.md lists every option of every command, generated from the app (it cannot drift)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from adviz.cli import app
from adviz.cli.reference import BEGIN, END, markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN):text.index(END) + len(END)]
    assert generated == markdown(), "run: python -m adviz.cli.reference --write docs/cli.md"


def test_every_option_and_short_flag_is_in_the_reference():
    reference = markdown()
    for name, command in typer.main.get_command(app).commands.items():
        section = reference.split(f"### adviz {name}\n", 1)[1].split("### adviz ", 1)[0]
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("-"):
                    assert f"`{flag}`" in section, (name, flag)
            if param.help:
                assert " ".join(param.help.split())[:40] in section.replace("\\|", "|")
