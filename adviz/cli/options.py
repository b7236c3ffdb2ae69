"""Options shared by several commands, defined once so that every command spells them alike.

Use them as parameter annotations::

    @app.command(cls=Command)
    def grad(expr: ExprArgument, at: AtOption = None, json: JsonOption = False) -> None: ...
"""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

__all__ = ["AsciiOption", "AtOption", "ExprArgument", "FullOption", "JsonOption", "NotationOption", "OrderOption"]

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
NotationOption = Annotated[str, typer.Option(
    "--notation", "-n", metavar="adviz|inputs-first|griewank",
    help="How rows are named: adviz (x1, x2, v1, v2, ...), inputs-first (v1 = x1, v2 = x2, v3, ...) or "
         "griewank (v-1 = x1, v0 = x2, v1, ... as in Griewank & Walther and the Baydin et al. survey).")]
OrderOption = Annotated[Optional[str], typer.Option(
    "--order", metavar="tape|levels", show_default=False,
    help="Order of the operations: tape (as they ran) or levels (each as early as its operands allow, "
         "as the Baydin et al. survey lists them). Default: levels with --notation griewank, else tape.")]
