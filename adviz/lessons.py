"""Find the Jupyter lessons that ship with adviz, and copy them somewhere a student can edit.

The lessons are notebooks (``01_programs_and_the_tape.ipynb``, ``02_…``, …). They live in
two places, depending on how adviz was installed:

* **from a wheel** (``pip install adviz``): inside the package, in ``adviz/_lessons/``;
  the wheel build copies the repository's ``notebooks/`` folder there;
* **from a checkout** (``pip install -e .``): in the repository's ``notebooks/`` folder,
  right next to the ``adviz/`` package folder.

:func:`lesson_paths` looks in both and returns the notebooks in lesson order.  Students
should not edit the installed copies (an upgrade would overwrite their work, and a
site-packages folder may not even be writable), so :func:`copy_lessons` copies them into a
folder of their own.  It never silently overwrites a notebook the student has changed:
running it again only fills in what is missing, and asks before replacing edited files::

    >>> from adviz.lessons import copy_lessons
    >>> copied = copy_lessons(Path("adviz-lessons"))      # doctest: +SKIP
    >>> # then, in a terminal:  jupyter lab adviz-lessons

This module needs only the standard library, so ``adviz lessons`` works without Jupyter.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

__all__ = ["LessonsModifiedError", "copy_lessons", "lesson_paths", "lesson_title"]

LESSON_PATTERN = "[0-9][0-9]_*.ipynb"
"""A lesson is a notebook whose name starts with its two-digit number, e.g. ``03_reverse_mode.ipynb``."""

PACKAGE_DIR = Path(__file__).resolve().parent


def _candidate_dirs() -> list[Path]:
    """Where lessons may be: the wheel's package data first, then a checkout's ``notebooks/``."""
    return [PACKAGE_DIR / "_lessons", PACKAGE_DIR.parent / "notebooks"]


def lesson_paths() -> list[Path]:
    """The lesson notebooks, in lesson order (``01_…``, ``02_…``, …).

    Raises ``FileNotFoundError`` naming the folders it searched if no lessons are found
    (for example, an installation built without the notebooks).
    """
    for folder in _candidate_dirs():
        if folder.is_dir():
            found = sorted(folder.glob(LESSON_PATTERN))
            if found:
                return found
    searched = ", ".join(str(d) for d in _candidate_dirs())
    raise FileNotFoundError(f"no adviz lessons found (looked for {LESSON_PATTERN} in {searched})")


def lesson_title(path: Path) -> str:
    """The lesson's title: the first Markdown heading of the notebook, without the ``#``.

    Falls back to the file name (without number and suffix) if there is no heading.
    """
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable notebook ({err})") from None
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return Path(path).stem.split("_", 1)[-1].replace("_", " ")


class LessonsModifiedError(FileExistsError):
    """Raised by :func:`copy_lessons` when copying would overwrite notebooks the student changed.

    ``paths`` lists those notebooks.  Nothing has been copied when this is raised.
    """

    def __init__(self, paths: list[Path]):
        self.paths = list(paths)
        names = ", ".join(p.name for p in self.paths)
        folder = self.paths[0].parent if self.paths else "."
        some = "1 lesson was" if len(self.paths) == 1 else f"{len(self.paths)} lessons were"
        super().__init__(
            f"{some} changed in {folder} ({names}), so nothing was copied; "
            "rename or move them (or pass overwrite=True) to get fresh copies"
        )


def copy_lessons(dest: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy every lesson into the folder ``dest`` (created if needed); return the copies' paths.

    A lesson already present with identical content is left as it is.  A lesson present with
    *different* content (the student edited or ran and saved it) is only replaced when
    ``overwrite=True``; otherwise :class:`LessonsModifiedError` is raised before anything
    is copied, so the folder is never left half updated.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} exists and is not a folder")
    lessons = lesson_paths()
    targets = [dest / src.name for src in lessons]
    modified = [t for s, t in zip(lessons, targets) if t.exists() and t.read_bytes() != s.read_bytes()]
    if modified and not overwrite:
        raise LessonsModifiedError(modified)
    dest.mkdir(parents=True, exist_ok=True)
    for src, target in zip(lessons, targets):
        if not target.exists() or target.read_bytes() != src.read_bytes():
            shutil.copyfile(src, target)
    return targets
