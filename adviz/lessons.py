"""Find the Jupyter lessons that ship with adviz and write them where a class can use them.

The lessons are notebooks (``01_programs_and_the_tape.ipynb``, ``02_…``, …) with their
solutions in them, marked for nbgrader (see :mod:`adviz.editions`).  They live in two
places, depending on how adviz was installed:

* **from a wheel** (``pip install adviz``): inside the package, in ``adviz/_lessons/``;
  the wheel build copies the repository's ``notebooks/`` folder there;
* **from a checkout** (``pip install -e .``): in the repository's ``notebooks/`` folder,
  right next to the ``adviz/`` package folder.

:func:`lesson_paths` looks in both.  Nobody should work in the installed copies (an
upgrade would overwrite them), so three functions write them into a folder of your own:

* :func:`copy_lessons` — the **student edition** (each solution replaced by a stub, the
  checks kept) or, with ``edition="teacher"``, the **teacher edition** (solutions in);
* :func:`write_nbgrader_course` — an **nbgrader course folder**:
  ``source/<lesson>/<lesson>.ipynb`` and ``nbgrader_config.py``, ready for
  ``nbgrader generate_assignment``.

Running them again adds what is missing and keeps what is there: a notebook that differs
from the one adviz would write (a student's work, or another edition) is never replaced
unless ``overwrite=True``.  Every file is written atomically and never through a
symbolic link that leads out of the folder (:mod:`adviz.fileio`): such a file is skipped
and reported (``report.skipped``), and the others are written::

    >>> from adviz.lessons import copy_lessons
    >>> report = copy_lessons(Path("adviz-lessons"))      # doctest: +SKIP
    >>> report.written, report.kept                         # doctest: +SKIP

A kept notebook whose locked check cells differ from this version's (an upgrade changed a
check's signature, so the old check cell would now fail) is also listed in
``report.outdated``: :func:`outdated_checks` compares the check cells by their nbgrader
``grade_id``.  Reading notebooks for that comparison uses nbformat (a dependency, installed with Jupyter too);
everything else needs only the standard library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .editions import NBGRADER_CONFIG, notebook_text, student_edition, teacher_edition
from .fileio import OutsideFolderError, atomic_write, inside

__all__ = ["EDITIONS", "LessonsReport", "copy_lessons", "write_nbgrader_course", "lesson_paths", "lesson_title",
           "edition_text", "outdated_checks"]

LESSON_PATTERN = "[0-9][0-9]_*.ipynb"
"""A lesson is a notebook whose name starts with its two-digit number, e.g. ``03_reverse_mode.ipynb``."""

EDITIONS = ("student", "teacher")

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


def _read(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable notebook ({err})") from None


def lesson_title(path: Path) -> str:
    """The lesson's title: the first Markdown heading of the notebook, without the ``#``.

    Falls back to the file name (without number and suffix) if there is no heading.
    """
    for cell in _read(path).get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return Path(path).stem.split("_", 1)[-1].replace("_", " ")


def edition_text(path: Path, edition: str = "student") -> str:
    """The notebook text of one lesson in one edition (``"student"`` or ``"teacher"``)."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}: choose {' or '.join(EDITIONS)}")
    make = student_edition if edition == "student" else teacher_edition
    return notebook_text(make(_read(path)))


@dataclass
class LessonsReport:
    """What writing the lessons into ``folder`` did, file by file (all paths inside ``folder``).

    written:   missing before, written now
    unchanged: already there with exactly the content adviz would write
    kept:      there with different content (a student's work, another edition or an older
               version): left alone
    replaced:  different, and replaced because ``overwrite=True`` was given
    outdated:  the kept notebooks (a part of ``kept``) whose check cells differ from this
               version's: see :func:`outdated_checks`
    skipped:   its name in ``folder`` is a symbolic link (or lies under one) that leads out of
               ``folder``: never written through, never replaced; ``reasons`` says why
    """

    folder: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    outdated: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    reasons: dict = field(default_factory=dict)
    order: list[Path] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        """Every file this report is about, in lesson order."""
        return list(self.order)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)


def _check_cells(text: "str | bytes") -> "dict[str, tuple[str, object]] | None":
    """A notebook's locked or graded (non-solution) cells: ``{grade_id: (source, points)}``.

    ``None`` if ``text`` is not a notebook nbformat can read (a student's notes saved under
    a lesson's name): nothing to compare then.
    """
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():   # an old notebook without cell ids: nbformat warns, and still reads it
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text.decode("utf-8") if isinstance(text, bytes) else text, as_version=4)
        cells = {}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
            if meta.get("locked") or meta.get("grade") and not meta.get("solution"):
                cells[str(meta.get("grade_id", cell.get("id", "")))] = (cell.source, meta.get("points"))
        return cells
    except Exception:   # not JSON, not a notebook, not UTF-8, …: whatever it is, it has no check cells to compare
        return None


def outdated_checks(kept: "str | bytes", fresh: str) -> list[str]:
    """The ``grade_id``\\ s of the check cells that differ between a kept notebook and a fresh one.

    A student's copy of a lesson is kept when ``adviz lessons`` runs again, but after an
    upgrade its locked check cells may call a check whose signature changed: the old cell
    would fail with a ``TypeError``.  Check cells are matched by nbgrader's ``grade_id``; a
    cell that changed its source or points, or is in only one of the two, is listed.  A kept
    file that is not a notebook, or has no check cells at all, lists nothing.
    """
    old, new = _check_cells(kept), _check_cells(fresh)
    if not old or new is None:
        return []
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def _skip(report: LessonsReport, relative: str, err: OutsideFolderError) -> None:
    """Record ``folder/relative`` as skipped: a symbolic link on its way leads out of the folder."""
    target = report.folder / relative
    report.order.append(target)
    report.skipped.append(target)
    report.reasons[target] = str(err)


def _place(report: LessonsReport, relative: str, text: str, overwrite: bool) -> None:
    """Write ``text`` to ``folder/relative`` unless a different file is there (and not overwrite).

    A name that leads out of the folder through a symbolic link is skipped (and reported),
    so one stray link does not stop the other lessons from being written."""
    try:
        target = inside(report.folder, relative)
    except OutsideFolderError as err:
        _skip(report, relative, err)
        return
    report.order.append(target)
    if target.exists() or target.is_symlink():
        current = None
        if target.is_file():
            try:
                current = target.read_bytes()
            except OSError:
                current = None
            if current == text.encode("utf-8"):
                report.unchanged.append(target)
                return
        elif not target.is_symlink():
            raise IsADirectoryError(f"{target} is a folder, not a notebook: move it away first")
        if not overwrite:
            report.kept.append(target)
            if target.suffix == ".ipynb" and current is not None and outdated_checks(current, text):
                report.outdated.append(target)
            return
        atomic_write(target, text)
        report.replaced.append(target)
        return
    atomic_write(target, text)
    report.written.append(target)


def _folder(dest: Path) -> Path:
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} exists and is not a folder")
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def copy_lessons(dest: Path, *, edition: str = "student", overwrite: bool = False) -> LessonsReport:
    """Write every lesson, in the student or teacher edition, into the folder ``dest``.

    ``dest`` is created if needed.  A lesson already there is left alone: unchanged if it is
    exactly what would be written, *kept* if it differs (the student edited or ran and saved
    it) unless ``overwrite=True``.  Missing lessons are always written, so deleting one and
    running again restores it, whatever happened to the others.  A lesson whose name in
    ``dest`` is a symbolic link out of ``dest`` is *skipped*: never written through.
    """
    lessons = lesson_paths()
    texts = [(src.name, edition_text(src, edition)) for src in lessons]  # fail before writing anything
    report = LessonsReport(_folder(dest))
    for name, text in texts:
        _place(report, name, text, overwrite)
    return report


def write_nbgrader_course(dest: Path, *, overwrite: bool = False) -> LessonsReport:
    """Write an nbgrader course folder: ``source/<lesson>/<lesson>.ipynb`` and ``nbgrader_config.py``.

    The source notebooks are the teacher edition with nbgrader's metadata (solution cells,
    graded and locked check cells with points).  From ``dest``, a teacher runs
    ``nbgrader generate_assignment <lesson>`` to make the students' version, releases and
    collects it through JupyterHub, then ``nbgrader autograde <lesson>``.  Files already
    there are kept or left unchanged exactly as :func:`copy_lessons` does.
    """
    lessons = lesson_paths()
    texts = [(src.stem, edition_text(src, "teacher")) for src in lessons]
    report = LessonsReport(_folder(dest))
    _place(report, "nbgrader_config.py", NBGRADER_CONFIG, overwrite)
    for stem, text in texts:
        try:   # source/ or source/<stem> may be a link out of the course: make no folder there
            folder = inside(report.folder, f"source/{stem}")
        except OutsideFolderError as err:
            _skip(report, f"source/{stem}/{stem}.ipynb", err)
            continue
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder} exists and is not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:   # a symbolic link on the way that points to nothing
            link = next(p for p in (folder, *folder.parents) if p.is_symlink() and not p.exists())
            raise NotADirectoryError(f"{link} is a symbolic link to {link.readlink()}, which does not exist "
                                     "(create that folder, or remove the link)") from None
        _place(report, f"source/{stem}/{stem}.ipynb", text, overwrite)
    return report
