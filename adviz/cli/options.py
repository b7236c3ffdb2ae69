"""Options shared by several commands, defined once so that every command spells them alike.

Use them as parameter annotations::

    @app.command()
    def grad(expr: ExprArgument, at: AtOption = None, json: JsonOption = False) -> None: ...
"""

from __future__ import annotations

from typing import Annotated, List

import typer

__all__ = ["AsciiOption", "AtOption", "ExprArgument", "FullOption", "JsonOption"]

AtOption = Annotated[List[str], typer.Option(
    "--at", "-a", metavar="NAME=VALUE",
    help="Value of a variable: --at x=3, --at x=pi/4, --at x=[1,2,3], --at W=[[1,2],[3,4]] or --at \"x=3,y=2\". "
         "Repeat for several variables.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
AsciiOption = Annotated[bool, typer.Option("--ascii", help="ASCII notation (x_dot, x_bar, *) and boxes.")]
FullOption = Annotated[bool, typer.Option("--full", help="Print arrays whole instead of shape and summary.")]
ExprArgument = Annotated[str, typer.Argument(
    metavar="EXPR", help="The expression, e.g. \"sin(x**2+1)\"; - reads it from standard input.",
    show_default=False)]
