"""``adviz lessons``: write the lessons somewhere of your own, for a student, a teacher or nbgrader.

The writing itself is :mod:`adviz.lessons`; this module chooses the edition and reports,
file by file, what happened.  Paths follow every command's rule (:mod:`.output`): DIR is
created if needed, the folder it goes into must exist, and a failed write is one line.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import Command, CommandError, InputError, app, visible
from .options import JsonOption
from .output import check_output_folder, plural, print_json, writing

STATUSES = ("written", "replaced", "unchanged", "kept", "skipped")
OUTDATED = ("your changes; its check cells are from another version of adviz and may fail: "
            "move it aside and run again to get the new one")
"""What a kept notebook's line adds when its check cells differ from this version's (``report.outdated``)."""


@app.command(cls=Command)
def lessons(
    dest: Annotated[Optional[str], typer.Argument(
        metavar="DIR", help="Where to write them (default ./adviz-lessons, or ./adviz-course with --nbgrader).",
        show_default=False)] = None,
    solutions: Annotated[bool, typer.Option(
        "--solutions", help="The teacher edition: every exercise with its solution filled in.")] = False,
    nbgrader: Annotated[bool, typer.Option(
        "--nbgrader", help="An nbgrader course folder (source/<lesson>/<lesson>.ipynb and nbgrader_config.py).")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace files in DIR that differ from what adviz writes (changes in them are lost).")] = False,
    json: JsonOption = False,
) -> None:
    """Write the lesson notebooks into DIR: the student edition unless you ask for another.

    In the student edition each exercise's solution is replaced by ..., and its check cell says, part by part, what is right. Run it again to add what is missing: a lesson that differs from a fresh copy (your work) is kept, unless --force. DIR is created if needed; the folder it goes into must exist.

    \b
    Example:  adviz lessons ~/ad-course
    """  # noqa: E501  (Typer shows each docstring line as written)
    from ..lessons import copy_lessons, lesson_paths, write_nbgrader_course

    if solutions and nbgrader:
        raise InputError("choose one of --solutions and --nbgrader (the nbgrader course holds the solutions already)")
    try:
        lesson_paths()
    except FileNotFoundError as err:
        raise CommandError(f"this installation of adviz has no lessons ({err})") from None
    if dest is not None and not dest.strip():   # `adviz lessons "$DIR"` with DIR unset: not the current folder
        raise InputError("DIR is empty: give a folder (write . for the current one)")
    folder = Path(dest) if dest is not None else Path("adviz-course" if nbgrader else "adviz-lessons")
    check_output_folder(folder)
    created = not folder.exists()
    try:
        with writing(folder, folder=True):
            try:
                if nbgrader:
                    report = write_nbgrader_course(folder, overwrite=force)
                else:
                    report = copy_lessons(folder, edition="teacher" if solutions else "student", overwrite=force)
            except (NotADirectoryError, IsADirectoryError) as err:   # a lesson's place taken by a folder, and so on
                raise InputError(str(err)) from None
    except (InputError, CommandError):
        if created:                          # a failed first run (a full disk) leaves no empty folders behind
            _remove_empty_folders(folder)
        raise

    what = ("nbgrader course folder" if nbgrader else
            "teacher edition (with solutions)" if solutions else "student edition")
    status = {path: word for word in STATUSES for path in getattr(report, word)}
    if json:
        print_json({"folder": str(folder), "edition": "nbgrader" if nbgrader else "teacher" if solutions else "student",
                    "files": [{"path": path.relative_to(report.folder).as_posix(), "status": status[path],
                               **({"outdated_checks": True} if path in report.outdated else {})}
                              for path in report.paths]})
        _refuse_skipped(report, folder)
        return
    shown = visible(str(folder))
    typer.echo(f"adviz lessons, {what}, in {shown}:")
    for path in report.paths:
        note = f"   ({OUTDATED})" if path in report.outdated else ""
        typer.echo(f"  {status[path]:<9}  {path.relative_to(report.folder).as_posix()}{note}")
    if report.kept:
        n = len(report.kept)
        they, them = ("they", "them") if n != 1 else ("it", "it")
        typer.echo(f"{plural(n, 'file')} kept as {they} {'were' if n != 1 else 'was'}: {they} "
                   f"differ{'' if n != 1 else 's'} from a fresh copy (your changes, or another edition). Move "
                   f"{them} away, or add --force to replace {them} (changes in {them} are lost).")
    if nbgrader:
        first = report.paths[1].parent.name if len(report.paths) > 1 else "<lesson>"
        typer.echo(f"Next, in {shown}:  nbgrader generate_assignment {first}   "
                   "(the README's \"Teaching with adviz\" walks through the rest)")
    else:
        typer.echo(f"Open them with:  jupyter lab {shown}   (or: jupyter notebook {shown})")
    _refuse_skipped(report, folder)


def _refuse_skipped(report: object, folder: Path) -> None:
    """A file skipped because its name in DIR is a link out of DIR: the others were written,
    and the run still fails (exit code 2) so that a script notices the missing lesson."""
    skipped = report.skipped  # type: ignore[attr-defined]
    if skipped:
        names = [path.relative_to(report.folder).as_posix() for path in skipped]  # type: ignore[attr-defined]
        listed = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more (see the list)"
        raise InputError(f"skipped {plural(len(names), 'file')} whose path in {folder} leads outside it through a "
                         f"symbolic link: {listed}; adviz never writes through such a link. The other files are "
                         "done: remove the link and run again")


def _remove_empty_folders(folder: Path) -> None:
    """Remove ``folder`` and the folders in it, as far as they are empty (never a file)."""
    import os

    for here, _, _ in os.walk(folder, topdown=False):        # deepest first; symlinks are not followed
        try:
            os.rmdir(here)
        except OSError:                                       # not empty: keep it
            pass
