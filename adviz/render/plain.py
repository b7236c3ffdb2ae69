"""What ``print`` shows for a record that rich draws: the same table, as plain text.

The reports of :mod:`adviz.numeric` (``compare``, ``measure_cost``, ``swell``) draw themselves
with rich (``__rich__``). ``rich.print(report)`` and a rich ``Console`` use that directly; plain
``print(report)`` calls ``str(report)``, which would otherwise be the dataclass's long repr.
Their ``__str__`` is :func:`plain_text`: the rich drawing, without colours, at the terminal's
width::

    >>> from adviz.numeric import compare
    >>> print(compare("sin(x**2+1)", {"x": 3.0}))      # the table adviz compare prints
"""

from __future__ import annotations

import io
import shutil
from typing import Any, Optional

__all__ = ["plain_text"]


def plain_text(renderable: Any, width: Optional[int] = None) -> str:
    """``renderable`` drawn by rich as plain text, ``width`` columns wide (default: the terminal's,
    or 100 when there is none), trailing spaces removed."""
    from rich.console import Console

    width = width or shutil.get_terminal_size((100, 24)).columns
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      force_jupyter=False, record=True)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()).strip("\n")
