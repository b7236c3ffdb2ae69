"""Every lesson runs from top to bottom, is committed clean, and matches its source.

The lessons are executed with nbclient in a fresh ``python3`` kernel, one test per
notebook, in a scratch folder (so a lesson that writes a file leaves nothing behind).
Each lesson ends its exercise with a check cell full of ``assert``s, so executing a
notebook also checks that its reference solution is right.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 180  # seconds per cell: generous for a slow CI machine; lessons take < 30 s in all


def _builder():
    spec = importlib.util.spec_from_file_location("lesson_build", ROOT / "notebooks" / "src" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_at_least_nine_lessons():
    assert len(NOTEBOOKS) >= 9, [p.name for p in NOTEBOOKS]
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)), "lessons are numbered 01, 02, … without gaps"


def test_notebooks_match_their_sources():
    build = _builder()
    sources = build.sources()
    assert [build.target(s) for s in sources] == NOTEBOOKS, "every lesson has exactly one source in notebooks/src"
    for source in sources:
        committed = nbformat.read(build.target(source), as_version=4)
        expected = build.build_notebook(source)
        assert _content(committed) == _content(expected), (
            f"{build.target(source).name} is out of date: run python notebooks/src/build.py"
        )


def _content(nb) -> list:
    """What a lesson says: its cells (kind, id, tags, text) and the kernel it asks for."""
    cells = [(c.cell_type, c.get("id"), c.metadata.get("tags", []), c.source) for c in nb.cells]
    return [nb.metadata.get("kernelspec"), *cells]


def test_source_parser_rejects_text_outside_cells():
    build = _builder()
    with pytest.raises(ValueError, match="before the first"):
        build.parse_cells("x = 1\n# %%\ny = 2\n", "bad.py")
    with pytest.raises(ValueError, match="must start with '#'"):
        build.parse_cells("# %% [markdown]\nnot a comment\n", "bad.py")
    cells = build.parse_cells(
        '# %% [markdown]\n# # Title\n#\n# text\n\n# %% tags=["exercise"]\n# %matplotlib inline\n# note\nx = 1\n'
    )
    assert cells == [
        {"type": "markdown", "tags": [], "source": "# Title\n\ntext"},
        {"type": "code", "tags": ["exercise"], "source": "%matplotlib inline\n# note\nx = 1"},
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_is_committed_clean_with_an_exercise(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs: clear them"
    tags = [c.metadata.get("tags", []) for c in code]
    exercise = [i for i, t in enumerate(tags) if "exercise" in t]
    check = [i for i, t in enumerate(tags) if "check" in t]
    assert exercise and check and min(check) > min(exercise), "an exercise cell, then a check cell after it"
    assert any("assert" in code[i].source for i in check), "the check cell checks the answer with assert"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Lesson "), "the lesson opens with its title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def _assigned_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _used_names(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_check_cell_looks_at_the_students_answer(path):
    """The check uses what the exercise defines, so a student's own answer is what gets checked."""
    nb = nbformat.read(path, as_version=4)
    exercise = "\n".join(c.source for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    check = "\n".join(c.source for c in nb.cells if "check" in c.metadata.get("tags", []))
    defined = _assigned_names(exercise)
    assert defined & _used_names(check), f"the check cell of {path.name} uses nothing the exercise defines"


def test_a_wrong_answer_fails_the_check(tmp_path):
    """Lesson 1 with a wrong derivative in the exercise: executing it must fail in the check cell."""
    path = next(p for p in NOTEBOOKS if p.name.startswith("01_"))
    nb = nbformat.read(path, as_version=4)
    exercise = next(c for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    exercise.source += "\ndg_dx = dg_dx + 0.1  # a wrong answer"
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="AssertionError"):
        client.execute()
