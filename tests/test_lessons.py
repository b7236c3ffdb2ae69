"""adviz.lessons: finding the shipped notebooks and copying them without clobbering work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adviz import lessons
from adviz.lessons import LessonsModifiedError, copy_lessons, lesson_paths, lesson_title

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, title: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "text"]}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.fixture
def wheel_layout(tmp_path, monkeypatch):
    """A fake installed package: adviz/_lessons/ holds two lessons and a non-lesson file."""
    package = tmp_path / "site-packages" / "adviz"
    shipped = package / "_lessons"
    shipped.mkdir(parents=True)
    _notebook(shipped / "02_second.ipynb", "Lesson 2 · Second")
    _notebook(shipped / "01_first.ipynb", "Lesson 1 · First")
    (shipped / "notes.ipynb").write_text("{}")
    (shipped / "src").mkdir()
    monkeypatch.setattr(lessons, "PACKAGE_DIR", package)
    return shipped


def test_checkout_finds_the_repository_notebooks():
    found = lesson_paths()
    assert found == sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(found) >= 9
    assert lesson_title(found[0]).startswith("Lesson 1")


def test_wheel_layout_is_preferred_and_ordered(wheel_layout):
    assert [p.name for p in lesson_paths()] == ["01_first.ipynb", "02_second.ipynb"]
    assert lesson_title(lesson_paths()[1]) == "Lesson 2 · Second"


def test_no_lessons_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(lessons, "PACKAGE_DIR", tmp_path / "pkg" / "adviz")
    with pytest.raises(FileNotFoundError, match="no adviz lessons found"):
        lesson_paths()


def test_copy_then_copy_again_is_a_no_op(wheel_layout, tmp_path):
    dest = tmp_path / "mine" / "lessons"
    copied = copy_lessons(dest)
    assert copied == [dest / "01_first.ipynb", dest / "02_second.ipynb"]
    assert sorted(p.name for p in dest.iterdir()) == ["01_first.ipynb", "02_second.ipynb"]
    assert all(c.read_bytes() == (wheel_layout / c.name).read_bytes() for c in copied)
    assert copy_lessons(dest) == copied


def test_modified_lessons_are_not_overwritten_unless_asked(wheel_layout, tmp_path):
    dest = tmp_path / "mine"
    copy_lessons(dest)
    (dest / "01_first.ipynb").write_text("my own work")
    (dest / "02_second.ipynb").unlink()
    with pytest.raises(LessonsModifiedError) as info:
        copy_lessons(dest)
    assert info.value.paths == [dest / "01_first.ipynb"]
    message = str(info.value)
    assert "1 lesson was changed" in message and "01_first.ipynb" in message and "overwrite=True" in message
    # nothing was copied: the missing lesson is still missing, the edit is intact
    assert not (dest / "02_second.ipynb").exists()
    assert (dest / "01_first.ipynb").read_text() == "my own work"

    copy_lessons(dest, overwrite=True)
    assert (dest / "01_first.ipynb").read_bytes() == (wheel_layout / "01_first.ipynb").read_bytes()
    assert (dest / "02_second.ipynb").exists()


def test_destination_that_is_a_file_is_rejected(wheel_layout, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        copy_lessons(target)


def test_title_falls_back_to_the_file_name(tmp_path):
    path = tmp_path / "07_arrays_and_shapes.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1", "metadata": {}}]}))
    assert lesson_title(path) == "arrays and shapes"
    broken = tmp_path / "08_broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="not a readable notebook"):
        lesson_title(broken)
