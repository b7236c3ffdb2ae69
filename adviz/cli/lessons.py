"""``adviz lessons``: copy the lesson notebooks somewhere of your own and say how to open them.

The copying itself is :mod:`adviz.lessons`; this module reports what happened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import InputError, app
from .output import check_output_folder, plural, writing


@app.command()
def lessons(
    dest: Annotated[Path, typer.Argument(metavar="[DIR]", help="Where to copy the notebooks.")] = Path("adviz-lessons"),
    force: Annotated[bool, typer.Option(
        "--force", help="Replace lessons you changed in DIR with fresh copies (your changes are lost).")] = False,
) -> None:
    """Copy the lesson notebooks into DIR (default ./adviz-lessons) and say how to open them.

    Running it again only adds what is missing; a lesson you changed is kept unless --force.
    DIR is created if needed; the folder it goes into must exist.

    \b
    Example:  adviz lessons ~/ad-course
    """
    try:
        from ..lessons import LessonsModifiedError, copy_lessons, lesson_paths
    except ImportError:
        typer.echo("No lessons are installed yet in this version of adviz.")
        return
    try:
        # Which lessons are already there, unchanged? (They are left alone; say so honestly.)
        present = {s.name for s in lesson_paths()
                   if (dest / s.name).is_file() and (dest / s.name).read_bytes() == s.read_bytes()}
    except OSError:
        present = set()
    check_output_folder(dest)
    with writing(dest, folder=True):
        try:
            copied = copy_lessons(dest, overwrite=force)
        except LessonsModifiedError as err:
            names = ", ".join(p.name for p in err.paths)
            some = "1 lesson was" if len(err.paths) == 1 else f"{len(err.paths)} lessons were"
            raise InputError(f"{some} changed in {dest} ({names}), so nothing was copied; move "
                             f"{'it' if len(err.paths) == 1 else 'them'} away, or run: adviz lessons {dest} --force "
                             "(replaces them with fresh copies)") from None
    if not copied:
        typer.echo("No lessons are installed yet in this version of adviz.")
        return
    fresh = [p for p in copied if p.name not in present]
    if fresh:
        typer.echo(f"Copied {plural(len(fresh), 'lesson')} to {dest}"
                   f"{f' ({len(present)} already there, unchanged)' if present else ''}:")
    else:
        typer.echo(f"All {len(copied)} lessons are already in {dest}, unchanged; nothing to copy:")
    for path in copied:
        typer.echo(f"  {path}")
    typer.echo(f"Open them with:  jupyter lab {dest}   (or: jupyter notebook {dest})")
