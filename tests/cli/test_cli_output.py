"""adviz/cli/output.py: what reaches a pipe or a file."""

from __future__ import annotations

import io

import pytest

from adviz.cli.output import TrimmedLines


def test_trimmed_lines_drop_trailing_spaces_of_complete_lines_only():
    out = io.StringIO()
    stream = TrimmedLines(out)
    stream.write("a  \n  b")
    assert out.getvalue() == "a\n"              # "  b" may still continue
    stream.write("c  \n")
    stream.write("tail  ")
    stream.flush()
    assert out.getvalue() == "a\n  bc\ntail  "
    assert not stream.isatty()


@pytest.mark.parametrize("args", [
    ["trace", "x*y + sin(x)", "--at", "x=1", "--at", "y=2"],
    ["grad", "x*y", "--at", "x=1,y=2"],
    ["jacobian", "[x*y, sin(x)]", "--at", "x=1,y=2"],
    ["compare", "sin(x)", "--at", "x=1"],
])
def test_piped_output_has_no_trailing_spaces(adviz, args):
    """rich pads table lines to the table's width; in a pipe or a file those spaces were kept."""
    r = adviz(*args)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) > 5 and any("━" in line for line in lines)
    assert [line for line in lines if line.endswith(" ")] == []
