"""Build the lesson notebooks (``notebooks/NN_*.ipynb``) from their sources in this folder.

The lessons are written as plain Python files in the *percent* format that jupytext and
VS Code understand, because a ``.py`` file is easy to review and diff::

    # %% [markdown]
    # # A heading
    # Some text, each line behind "# ".

    # %%
    x = 1 + 1

    # %% tags=["exercise"] grade_id="double-answer"
    def double(x):
        \"\"\"Twice x.\"\"\"
        ### BEGIN SOLUTION
        return 2 * x
        ### END SOLUTION

    # %% tags=["check"] grade_id="double-check" points=2
    course.check_double(double)

A ``# %%`` line starts a cell; ``[markdown]`` makes it a Markdown cell (its lines lose the
leading ``# ``), and ``key=value`` pairs (values in JSON) describe the cell:

``tags=[...]``      Jupyter cell tags.  Two of them make nbgrader cells:
                    ``"exercise"`` — the student's answer: an nbgrader *solution* cell whose
                    ``### BEGIN SOLUTION`` … ``### END SOLUTION`` regions the student
                    edition replaces by a stub (``adviz.editions``);
                    ``"check"`` — the exercise's check: a *graded, locked* nbgrader cell.
``grade_id="..."``  the stable nbgrader id of an exercise or check cell (required for them;
                    lowercase letters, digits and dashes; unique in the lesson).
``points=N``        what a check cell is worth (default 1).

Every check cell also gets Jupyter's ``raises-exception`` tag (the builder adds it; a source
never writes it).  A check that fails or is not done yet raises, so that nbgrader gives it
no points; the tag tells Jupyter that this cell is expected to raise, so *Run All* (in
JupyterLab, Jupyter Notebook and nbclient/nbconvert) shows the error and goes on to the
next cell instead of stopping there.  An unfinished exercise fails at its own check, and
the lesson still runs to its end.  Anywhere else the tag would hide a real error, so the
builder refuses it.

In a code cell an IPython magic is written commented out, ``# %matplotlib inline``, so the
source stays valid Python (jupytext's rule).  The builder refuses a source with control
characters (a ``"\\a"`` in a normal string once turned ``\\approx`` into a bell character and
``pprox``), solution markers outside exercise cells, unbalanced markers, and an exercise
whose student edition would not be valid Python.  The notebooks are written without
outputs and with stable cell ids, so building twice gives identical files.  Run::

    python notebooks/src/build.py           # rebuild every lesson
    python notebooks/src/build.py --check   # exit 1 if a notebook is out of date

``tests/test_notebooks.py`` runs the same check, so the sources and notebooks cannot drift.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import unicodedata
from pathlib import Path

import nbformat

SRC = Path(__file__).resolve().parent
OUT = SRC.parent
sys.path.insert(0, str(OUT.parent))  # build from a checkout without installing adviz

from adviz.editions import BEGIN_SOLUTION, END_SOLUTION, clear_solutions, notebook_text  # noqa: E402
from adviz.fileio import atomic_write  # noqa: E402

MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?P<meta>(?: .*)?)$")
MAGIC = re.compile(r"^# (?P<magic>%[a-z]\w*.*)$")
GRADE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYS = {"tags": list, "grade_id": str, "points": (int, float)}
ALLOWED_CONTROL = {"\n"}
INVISIBLE = {"\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR", "\ufeff": "BYTE ORDER MARK"}
RAISES = "raises-exception"
"""Jupyter's tag for a cell expected to raise: Run All shows its error and continues."""
CONTROL_NAMES = {"\0": "NUL", "\a": "BEL", "\b": "BACKSPACE", "\t": "TAB", "\v": "VERTICAL TAB", "\f": "FORM FEED",
                 "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE"}


class SourceError(ValueError):
    """A lesson source that cannot be built; the message names the file and line."""


def check_characters(text: str, name: str = "<source>") -> None:
    """Refuse control characters (other than newlines) and invisible line breaks in a source."""
    for lineno, line in enumerate(text.split("\n"), 1):
        for col, ch in enumerate(line, 1):
            if (unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROL) or ch in INVISIBLE:
                label = INVISIBLE.get(ch) or CONTROL_NAMES.get(ch) or unicodedata.name(ch, "unnamed")
                hint = ""
                if ch == "\r":
                    hint = " (Windows line ending? save the file with \\n line endings)"
                elif ch == "\t":
                    hint = " (indent with spaces)"
                elif ord(ch) < 32:
                    escape = {7: "a", 8: "b", 11: "v", 12: "f"}.get(ord(ch))
                    if escape:
                        hint = f" (a '\\{escape}' in a normal string? write '\\\\{escape}' or use a raw string)"
                raise SourceError(f"{name}:{lineno}:{col}: control character U+{ord(ch):04X} ({label}){hint}")


def _parse_meta(text: str, name: str, lineno: int) -> dict:
    """``tags=["check"] grade_id="x" points=2`` → a dict (values are JSON)."""
    meta: dict = {}
    decoder = json.JSONDecoder()
    pos, text = 0, text.strip()
    while pos < len(text):
        match = re.compile(r"(\w+)=").match(text, pos)
        if not match:
            raise SourceError(f"{name}:{lineno}: expected key=value in the cell marker, found {text[pos:]!r}")
        key = match.group(1)
        try:
            value, end = decoder.raw_decode(text, match.end())
        except json.JSONDecodeError:
            raise SourceError(f"{name}:{lineno}: the value of {key} must be JSON (strings in double quotes)") from None
        if key not in KEYS or not isinstance(value, KEYS[key]) or isinstance(value, bool):
            allowed = ", ".join(KEYS)
            raise SourceError(f"{name}:{lineno}: unknown or malformed cell option {key}={text[match.end():end]} "
                              f"(options: {allowed})")
        meta[key] = value
        pos = end
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return meta


def parse_cells(text: str, name: str = "<source>") -> list[dict]:
    """Split a percent-format source into cells: ``{"type", "source", "tags", ...}`` dicts.

    Options other than tags (``grade_id``, ``points``) appear as keys only when given.
    """
    check_characters(text, name)
    cells: list[dict] = []
    current: dict | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        match = MARKER.match(line)
        if match:
            meta = _parse_meta(match["meta"], name, lineno)
            current = {"type": "markdown" if match["markdown"] else "code", "lines": [], "line": lineno,
                       "tags": meta.pop("tags", []), **meta}
            cells.append(current)
            continue
        if line.startswith("# %%"):
            raise SourceError(f"{name}:{lineno}: malformed cell marker {line!r}")
        if current is None:
            if line.strip():
                raise SourceError(f"{name}:{lineno}: text before the first '# %%' cell marker")
            continue
        if current["type"] == "markdown":
            if line.strip() and not line.startswith("#"):
                raise SourceError(f"{name}:{lineno}: a Markdown line must start with '#': {line!r}")
            line = line[2:] if line.startswith("# ") else line[1:]
        elif MAGIC.match(line):
            line = MAGIC.match(line)["magic"]
        current["lines"].append(line)
    for cell in cells:
        lines = cell.pop("lines")
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        cell["source"] = "\n".join(lines)
    cells = [c for c in cells if c["source"]]
    _check_grading(cells, name)
    for cell in cells:
        cell.pop("line")
    return cells


def _check_grading(cells: list[dict], name: str) -> None:
    """Exercise and check cells carry what nbgrader needs; solution markers are where they belong."""
    seen: set[str] = set()
    exercise_seen = False
    for cell in cells:
        where = f"{name}:{cell['line']}"
        tags = cell["tags"]
        graded = "exercise" in tags or "check" in tags
        if RAISES in tags:
            raise SourceError(f"{where}: the builder tags every check cell {RAISES!r} itself; "
                              "on any other cell it would hide a real error")
        if "exercise" in tags and "check" in tags:
            raise SourceError(f"{where}: a cell is either an exercise or its check, not both")
        if graded and "grade_id" not in cell:
            raise SourceError(f'{where}: an exercise or check cell needs a stable grade_id="..."')
        if not graded and ("grade_id" in cell or "points" in cell):
            raise SourceError(f"{where}: grade_id and points belong to exercise and check cells only")
        if "points" in cell and ("check" not in tags or cell["points"] <= 0):
            raise SourceError(f"{where}: points must be positive, on a check cell")
        if graded:
            grade_id = cell["grade_id"]
            if not GRADE_ID.match(grade_id):
                raise SourceError(f"{where}: grade_id {grade_id!r}: use lowercase letters, digits and dashes")
            if grade_id in seen:
                raise SourceError(f"{where}: grade_id {grade_id!r} is used twice")
            seen.add(grade_id)
        markers = [ln for ln in cell["source"].split("\n") if "BEGIN SOLUTION" in ln or "END SOLUTION" in ln]
        if markers and "exercise" not in tags:
            raise SourceError(f"{where}: solution markers belong in an exercise cell")
        if "exercise" in tags:
            exercise_seen = True
            if cell["type"] != "code":
                raise SourceError(f"{where}: an exercise cell is a code cell")
            if not markers:
                raise SourceError(f"{where}: an exercise cell marks its solution with {BEGIN_SOLUTION} … {END_SOLUTION}")
            for marker in markers:
                if marker.strip() not in (BEGIN_SOLUTION, END_SOLUTION):
                    raise SourceError(f"{where}: a marker line holds only the marker: {marker.strip()!r}")
            try:
                student = clear_solutions(cell["source"])
            except ValueError as err:
                raise SourceError(f"{where}: {err}") from None
            _parses(student, f"{where} (the student edition of exercise {cell['grade_id']!r})")
        if "check" in tags and not exercise_seen:
            raise SourceError(f"{where}: a check cell comes after the exercise it checks")
        if cell["type"] == "code":
            _parses(cell["source"], where)


def _parses(source: str, where: str) -> None:
    code = "\n".join("" if line.lstrip().startswith("%") else line for line in source.split("\n"))
    try:
        ast.parse(code)
    except SyntaxError as err:
        raise SourceError(f"{where}: not valid Python: {err.msg} (cell line {err.lineno})") from None


def nbgrader_metadata(cell: dict) -> dict | None:
    """The ``nbgrader`` cell metadata for an exercise or check cell (None for other cells)."""
    tags = cell["tags"]
    if "exercise" in tags:
        return {"grade": False, "grade_id": cell["grade_id"], "locked": False, "schema_version": 3,
                "solution": True, "task": False}
    if "check" in tags:
        return {"grade": True, "grade_id": cell["grade_id"], "locked": True, "points": cell.get("points", 1),
                "schema_version": 3, "solution": False, "task": False}
    return None


def notebook_tags(cell: dict) -> list[str]:
    """The cell's tags in the notebook: its own, plus ``raises-exception`` on a check cell."""
    return cell["tags"] + [RAISES] if "check" in cell["tags"] else list(cell["tags"])


def build_notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook for one source file: cells in order, no outputs, ids ``lessonNN-KK``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = source.stem.split("_", 1)[0]
    for i, cell in enumerate(parse_cells(source.read_text(encoding="utf-8"), source.name)):
        make = nbformat.v4.new_markdown_cell if cell["type"] == "markdown" else nbformat.v4.new_code_cell
        new = make(cell["source"])
        new.id = f"lesson{stem}-{i:02d}"
        tags = notebook_tags(cell)
        if tags:
            new.metadata["tags"] = tags
        grading = nbgrader_metadata(cell)
        if grading:
            new.metadata["nbgrader"] = grading
        nb.cells.append(new)
    nbformat.validate(nb)
    return nb


def sources() -> list[Path]:
    return sorted(SRC.glob("[0-9][0-9]_*.py"))


def target(source: Path) -> Path:
    return OUT / (source.stem + ".ipynb")


def render(source: Path) -> str:
    return notebook_text(build_notebook(source))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    try:
        rendered = [(source, render(source)) for source in sources()]
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for source, text in rendered:
        out = target(source)
        if out.exists() and out.read_text(encoding="utf-8") == text:
            continue
        stale.append(out)
        if not check:
            atomic_write(out, text)
            print(f"wrote {out.relative_to(OUT.parent)}")
    if check and stale:
        print("out of date: " + ", ".join(p.name for p in stale) + " (run python notebooks/src/build.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
