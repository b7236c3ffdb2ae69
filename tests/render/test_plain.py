"""``print(report)`` of adviz.numeric's reports draws the table rich draws, not a dataclass repr."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from adviz.numeric import compare, measure_cost, swell
from adviz.render.plain import plain_text


def _rich(renderable, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False, force_jupyter=False).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()).strip("\n")


@pytest.mark.parametrize("make", [
    lambda: compare("sin(x**2+1)", {"x": 3.0}),
    lambda: measure_cost(lambda v: np.sum(v**2), np.ones(4), timing=False),
    lambda: swell("product", range(1, 4), tape=False),
], ids=["compare", "measure_cost", "swell"])
def test_print_of_a_report_is_its_rich_table(make, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    report = make()
    print(report)
    printed = capsys.readouterr().out
    assert not printed.startswith(type(report).__name__ + "(")   # was: the dataclass's repr
    assert printed.rstrip("\n") == _rich(report, 100)
    assert str(report) == plain_text(report, 100)


def test_plain_text_follows_the_terminal_width(monkeypatch):
    report = compare("sin(x**2+1)", {"x": 3.0})
    monkeypatch.setenv("COLUMNS", "60")
    narrow = str(report)
    assert max(map(len, narrow.splitlines())) <= 60 and "-5.034429174458714" in narrow   # numbers never cut
