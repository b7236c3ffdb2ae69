"""Build the lesson notebooks (``notebooks/NN_*.ipynb``) from their sources in this folder.

The lessons are written as plain Python files in the *percent* format that jupytext and
VS Code understand, because a ``.py`` file is easy to review and diff::

    # %% [markdown]
    # # A heading
    # Some text, each line behind "# ".

    # %%
    x = 1 + 1

    # %% tags=["exercise"]
    answer = x

A ``# %%`` line starts a cell; ``[markdown]`` makes it a Markdown cell (its lines lose the
leading ``# ``), ``tags=[...]`` adds cell tags.  In a code cell an IPython magic is written
commented out, ``# %matplotlib inline``, so the source stays valid Python (jupytext's rule).  The notebooks are written without outputs
and with stable cell ids, so building twice gives identical files.  Run::

    python notebooks/src/build.py           # rebuild every lesson
    python notebooks/src/build.py --check   # exit 1 if a notebook is out of date

``tests/test_notebooks.py`` runs the same check, so the sources and notebooks cannot drift.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat

SRC = Path(__file__).resolve().parent
OUT = SRC.parent
MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")
MAGIC = re.compile(r"^# (?P<magic>%[a-z]\w*.*)$")


def parse_cells(text: str, name: str = "<source>") -> list[dict]:
    """Split a percent-format source into cells: ``{"type", "source", "tags"}`` dicts."""
    cells: list[dict] = []
    current: dict | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        match = MARKER.match(line)
        if match:
            tags = ast.literal_eval(match["tags"]) if match["tags"] else []
            current = {"type": "markdown" if match["markdown"] else "code", "lines": [], "tags": tags}
            cells.append(current)
            continue
        if line.startswith("# %%"):
            raise ValueError(f"{name}:{lineno}: malformed cell marker {line!r}")
        if current is None:
            if line.strip():
                raise ValueError(f"{name}:{lineno}: text before the first '# %%' cell marker")
            continue
        if current["type"] == "markdown":
            if line.strip() and not line.startswith("#"):
                raise ValueError(f"{name}:{lineno}: a Markdown line must start with '#': {line!r}")
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
    return [c for c in cells if c["source"]]


def build_notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook for one source file: cells in order, no outputs, ids ``<stem>-NN``."""
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
        if cell["tags"]:
            new.metadata["tags"] = cell["tags"]
        nb.cells.append(new)
    nbformat.validate(nb)
    return nb


def sources() -> list[Path]:
    return sorted(SRC.glob("[0-9][0-9]_*.py"))


def target(source: Path) -> Path:
    return OUT / (source.stem + ".ipynb")


def render(source: Path) -> str:
    return nbformat.writes(build_notebook(source)) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sources():
        text = render(source)
        out = target(source)
        if out.exists() and out.read_text(encoding="utf-8") == text:
            continue
        stale.append(out)
        if not check:
            out.write_text(text, encoding="utf-8")
            print(f"wrote {out.relative_to(OUT.parent)}")
    if check and stale:
        print("out of date: " + ", ".join(p.name for p in stale) + " (run python notebooks/src/build.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
