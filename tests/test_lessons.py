"""adviz.lessons and ``adviz lessons``: the editions, the nbgrader course folder, and never clobbering work.

Re-running keeps what a student changed and adds what is missing (even next to changed
lessons); every write is atomic and stays inside the folder it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adviz import lessons
from adviz.cli import app
from adviz.editions import CODE_STUB, NBGRADER_CONFIG, cell_source, nbgrader_meta
from adviz.lessons import copy_lessons, edition_text, lesson_paths, lesson_title, write_nbgrader_course

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _notebook(path: Path, title: str, answer: str = "x = 1") -> Path:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "text"]},
        {"cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade": False, "locked": False,
                                                        "grade_id": "a", "schema_version": 3}},
         "source": ["x = ...\n", "### BEGIN SOLUTION\n", f"{answer}\n", "### END SOLUTION"],
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {"nbgrader": {"solution": False, "grade": True, "locked": True,
                                                        "grade_id": "c", "points": 1, "schema_version": 3}},
         "source": "assert x == 1", "outputs": [], "execution_count": None},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.fixture
def wheel_layout(tmp_path, monkeypatch):
    """A fake installed package: adviz/_lessons/ holds two lessons and a non-lesson file."""
    package = tmp_path / "site-packages" / "adviz"
    shipped = package / "_lessons"
    shipped.mkdir(parents=True)
    _notebook(shipped / "02_second.ipynb", "Lesson 2 · Second", answer="x = 2 - 1")
    _notebook(shipped / "01_first.ipynb", "Lesson 1 · First")
    (shipped / "notes.ipynb").write_text("{}")
    (shipped / "src").mkdir()
    monkeypatch.setattr(lessons, "PACKAGE_DIR", package)
    return shipped


def _sources(path: Path) -> list[str]:
    return [cell_source(c) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


# ---------------------------------------------------------------- finding the lessons
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


def test_title_falls_back_to_the_file_name(tmp_path):
    path = tmp_path / "07_arrays_and_shapes.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1", "metadata": {}}]}))
    assert lesson_title(path) == "arrays and shapes"
    broken = tmp_path / "08_broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="not a readable notebook"):
        lesson_title(broken)


# ---------------------------------------------------------------- the editions
def test_the_student_edition_has_stubs_where_the_solutions_were():
    for path in lesson_paths():
        student = json.loads(edition_text(path, "student"))
        teacher = json.loads(path.read_text(encoding="utf-8"))
        assert len(student["cells"]) == len(teacher["cells"])
        for s_cell, t_cell in zip(student["cells"], teacher["cells"]):
            meta = nbgrader_meta(t_cell)
            if meta.get("solution"):
                assert "BEGIN SOLUTION" in cell_source(t_cell) and "BEGIN SOLUTION" not in cell_source(s_cell)
                assert CODE_STUB in cell_source(s_cell) and s_cell["metadata"]["deletable"] is False
            elif meta.get("grade"):
                assert cell_source(s_cell) == cell_source(t_cell), "the checks stay as they are"
                assert s_cell["metadata"]["editable"] is False and s_cell["metadata"]["deletable"] is False
            else:
                assert s_cell == t_cell


def test_running_an_unfinished_exercise_cell_shows_nothing():
    """Jupyter prints the value of a cell's last expression: a stub ``...`` there would greet the
    student with ``Ellipsis``, as if something had been computed.  The stub is a statement
    with no value, so an unfinished exercise cell runs silently and its check says what to do."""
    import ast

    for path in lesson_paths():
        student = json.loads(edition_text(path, "student"))
        for cell in student["cells"]:
            if nbgrader_meta(cell).get("solution") and cell["cell_type"] == "code":
                last = ast.parse(cell_source(cell)).body[-1]
                shown = isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant)
                assert not shown, (path.name, nbgrader_meta(cell)["grade_id"], ast.unparse(last))
    assert not isinstance(ast.parse(CODE_STUB).body[-1], ast.Expr)


def test_every_check_cell_and_only_a_check_cell_is_tagged_raises_exception():
    """A check that is not done yet raises (nbgrader needs that to give 0 points), and Jupyter's
    *Run All* stops at the first cell that raises unless the cell is tagged ``raises-exception``.
    Every check cell carries the tag, in both editions, so an unfinished lesson runs to its end
    (``tests/course/test_run_all.py`` runs it in nbclient and in JupyterLab); no other cell
    does, where the tag would let a real error pass unnoticed."""
    for path in lesson_paths():
        for edition in ("student", "teacher"):
            for cell in json.loads(edition_text(path, edition))["cells"]:
                tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
                graded = bool(nbgrader_meta(cell).get("grade"))
                assert tagged == graded, (path.name, edition, cell_source(cell)[:60])


def test_the_teacher_edition_is_the_lesson_as_committed():
    for path in lesson_paths():
        assert edition_text(path, "teacher") == path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="unknown edition 'answers'"):
        edition_text(lesson_paths()[0], "answers")


def test_the_student_edition_never_contains_a_solution_line():
    """No line from inside a solution region survives into the student edition (unless the lesson
    shows it elsewhere too, like ``params = initial_parameters()``)."""
    for path in lesson_paths():
        student = edition_text(path, "student")
        solution, elsewhere = [], set()
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in cell_source(cell).split("\n"):
                if "BEGIN SOLUTION" in line:
                    inside = True
                elif "END SOLUTION" in line:
                    inside = False
                elif inside:
                    solution.append(line.strip())
                else:
                    elsewhere.add(line.strip())
        for line in solution:
            if len(line) > 12 and line not in elsewhere:
                assert json.dumps(line)[1:-1] not in student, (path.name, line)


# ---------------------------------------------------------------- copying, again and again
def test_copy_then_copy_again_leaves_everything_unchanged(wheel_layout, tmp_path):
    dest = tmp_path / "mine" / "lessons"
    report = copy_lessons(dest)
    assert report.paths == [dest / "01_first.ipynb", dest / "02_second.ipynb"] == report.written
    assert sorted(p.name for p in dest.iterdir()) == ["01_first.ipynb", "02_second.ipynb"]
    assert "x = 1" not in _sources(dest / "01_first.ipynb")[1] and CODE_STUB in _sources(dest / "01_first.ipynb")[1]
    again = copy_lessons(dest)
    assert again.unchanged == report.paths and not again.written and not again.kept


def test_a_changed_lesson_is_kept_and_a_deleted_one_restored(wheel_layout, tmp_path):
    dest = tmp_path / "mine"
    copy_lessons(dest)
    (dest / "01_first.ipynb").write_text("my own work")
    (dest / "02_second.ipynb").unlink()
    report = copy_lessons(dest)
    assert report.kept == [dest / "01_first.ipynb"] and report.written == [dest / "02_second.ipynb"]
    assert (dest / "01_first.ipynb").read_text() == "my own work"
    assert (dest / "02_second.ipynb").exists()

    forced = copy_lessons(dest, overwrite=True)
    assert forced.replaced == [dest / "01_first.ipynb"] and forced.unchanged == [dest / "02_second.ipynb"]
    assert (dest / "01_first.ipynb").read_text() == edition_text(wheel_layout / "01_first.ipynb")


def _change_check(path: Path, source: str) -> None:
    """Give the lesson at ``path`` a different check cell (as an upgrade that changed a check's signature)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    check_cell = next(c for c in nb["cells"] if nbgrader_meta(c).get("grade"))
    check_cell["source"] = source
    path.write_text(json.dumps(nb), encoding="utf-8")


def _answer(path: Path, answer: str) -> None:
    """The student's work: the answer cell of the notebook at ``path`` written."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    next(c for c in nb["cells"] if nbgrader_meta(c).get("solution"))["source"] = answer
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_a_kept_lesson_whose_check_cells_changed_since_is_reported_outdated(wheel_layout, tmp_path):
    """After an upgrade that changed lesson 1's check cell, the student's lesson 1 is kept and
    reported outdated; a changed lesson 2 (same checks) and a file that is no notebook are only kept."""
    dest = tmp_path / "class"
    copy_lessons(dest)
    _answer(dest / "01_first.ipynb", "x = 1")
    _answer(dest / "02_second.ipynb", "x = 1")
    assert not copy_lessons(dest).outdated

    _change_check(wheel_layout / "01_first.ipynb", "check(x, points=1)")
    report = copy_lessons(dest)
    assert report.kept == [dest / "01_first.ipynb", dest / "02_second.ipynb"]
    assert report.outdated == [dest / "01_first.ipynb"]
    assert "x = 1" in _sources(dest / "01_first.ipynb")[1]        # the student's work is still kept
    assert lessons.outdated_checks((dest / "01_first.ipynb").read_text(), edition_text(wheel_layout / "01_first.ipynb")) \
        == ["c"]

    r = _run(str(dest))
    assert r.exit_code == 0, r.output
    first, second = (next(line for line in r.stdout.splitlines() if name in line)
                     for name in ("01_first.ipynb", "02_second.ipynb"))
    assert first.split()[:2] == ["kept", "01_first.ipynb"]
    assert "its check cells are from another version of adviz" in first and "move it aside and run again" in first
    assert second.split() == ["kept", "02_second.ipynb"]
    files = json.loads(_run(str(dest), "--json").stdout)["files"]
    assert [f.get("outdated_checks", False) for f in files] == [True, False]

    (dest / "01_first.ipynb").write_text("my notes")               # not a notebook: nothing to compare
    assert copy_lessons(dest).outdated == [] and lessons.outdated_checks("my notes", "{}") == []
    (dest / "01_first.ipynb").unlink()                              # moved aside: the new version is written
    again = copy_lessons(dest)
    assert again.written == [dest / "01_first.ipynb"] and not again.outdated
    assert _sources(dest / "01_first.ipynb")[2] == "check(x, points=1)"


def test_the_teacher_edition_into_a_student_folder_keeps_the_students_copies(wheel_layout, tmp_path):
    copy_lessons(tmp_path / "class")
    report = copy_lessons(tmp_path / "class", edition="teacher")
    assert len(report.kept) == 2 and CODE_STUB in _sources(tmp_path / "class" / "01_first.ipynb")[1]
    teacher = copy_lessons(tmp_path / "teacher", edition="teacher")
    assert "x = 1" in _sources(teacher.paths[0])[1]


def test_destination_that_is_a_file_is_rejected(wheel_layout, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        copy_lessons(target)


def test_a_folder_where_a_lesson_should_be_is_rejected(wheel_layout, tmp_path):
    (tmp_path / "d" / "01_first.ipynb").mkdir(parents=True)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        copy_lessons(tmp_path / "d")


def test_a_symlink_out_of_the_folder_is_never_written_through(wheel_layout, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("do not touch")
    dest = tmp_path / "lessons"
    dest.mkdir()
    (dest / "01_first.ipynb").symlink_to(outside)
    report = copy_lessons(dest, overwrite=True)          # skipped and reported; the other lesson is written
    assert outside.read_text() == "do not touch" and (dest / "01_first.ipynb").is_symlink()
    assert report.skipped == [dest / "01_first.ipynb"] and "leads outside" in report.reasons[dest / "01_first.ipynb"]
    assert report.written == [dest / "02_second.ipynb"] and report.paths == [dest / "01_first.ipynb", dest / "02_second.ipynb"]
    (tmp_path / "elsewhere").mkdir()
    course = tmp_path / "course"
    course.mkdir()
    (course / "source").symlink_to(tmp_path / "elsewhere")
    report = write_nbgrader_course(course)
    assert not any((tmp_path / "elsewhere").iterdir())
    assert report.written == [course / "nbgrader_config.py"] and len(report.skipped) == 2


def test_a_symlink_inside_the_folder_is_replaced_not_followed(wheel_layout, tmp_path):
    dest = tmp_path / "lessons"
    copy_lessons(dest)
    (dest / "02_second.ipynb").unlink()
    (dest / "notes.ipynb").write_text("notes")
    (dest / "02_second.ipynb").symlink_to(dest / "notes.ipynb")
    report = copy_lessons(dest, overwrite=True)
    assert report.replaced == [dest / "02_second.ipynb"]
    assert not (dest / "02_second.ipynb").is_symlink() and (dest / "notes.ipynb").read_text() == "notes"


# ---------------------------------------------------------------- the nbgrader course folder
def test_the_nbgrader_course_has_the_sources_and_a_config(wheel_layout, tmp_path):
    course = tmp_path / "course"
    report = write_nbgrader_course(course)
    assert [p.relative_to(course).as_posix() for p in report.paths] == [
        "nbgrader_config.py", "source/01_first/01_first.ipynb", "source/02_second/02_second.ipynb"]
    assert (course / "nbgrader_config.py").read_text() == NBGRADER_CONFIG
    assert "x = 1" in _sources(course / "source/01_first/01_first.ipynb")[1]   # the source holds the solution
    (course / "nbgrader_config.py").write_text("c = get_config()  # the teacher's own\n")
    again = write_nbgrader_course(course)
    assert again.kept == [course / "nbgrader_config.py"] and len(again.unchanged) == 2


def test_the_config_sets_the_same_stub_as_the_student_edition():
    namespace: dict = {}

    class Config(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Config())

        def __setattr__(self, name, value):
            self[name] = value

    config = Config()
    exec(NBGRADER_CONFIG, {"get_config": lambda: config}, namespace)
    assert config.ClearSolutions.code_stub == {"python": CODE_STUB}
    assert config.CourseDirectory.course_id and config.Execute.timeout >= 60


# ---------------------------------------------------------------- atomic writes under a full disk
def test_a_full_disk_leaves_no_truncated_notebook(tmp_path):
    """Under a 4 kB file-size limit every write fails: one line, exit 1, old files intact, no new file."""
    dest = tmp_path / "lessons"
    dest.mkdir()
    first = lesson_paths()[0].name
    (dest / first).write_text("my work")
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096));"
              "from adviz.cli import main; sys.argv = ['adviz', 'lessons', sys.argv[1], '--force']; main()")
    done = subprocess.run([sys.executable, "-c", script, str(dest)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"adviz: error: cannot write {dest}: File too large; no file in it was left half-written\n"
    assert "Traceback" not in done.stderr
    assert sorted(os.listdir(dest)) == [first] and (dest / first).read_text() == "my work"


# ---------------------------------------------------------------- the command
def _run(*args):
    return runner.invoke(app, ["lessons", *args], env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_the_command_writes_the_student_edition_and_reports_each_file(tmp_path):
    dest = tmp_path / "class"
    r = _run(str(dest))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f"adviz lessons, student edition, in {dest}:"
    for path in lesson_paths():
        assert f"  written    {path.name}" in r.stdout
        assert (dest / path.name).read_text(encoding="utf-8") == edition_text(path, "student")
    assert f"jupyter lab {dest}" in r.stdout

    (dest / lesson_paths()[2].name).write_text("my notes")
    (dest / lesson_paths()[4].name).unlink()
    again = _run(str(dest))
    assert again.exit_code == 0
    assert f"  kept       {lesson_paths()[2].name}" in again.stdout
    assert f"  written    {lesson_paths()[4].name}" in again.stdout
    assert "1 file kept as it was" in again.stdout and "--force" in again.stdout
    assert (dest / lesson_paths()[2].name).read_text() == "my notes"

    forced = _run(str(dest), "--force")
    assert f"  replaced   {lesson_paths()[2].name}" in forced.stdout


def test_the_command_writes_the_teacher_edition_and_the_nbgrader_course(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = _run("--solutions")
    assert r.exit_code == 0 and "teacher edition (with solutions), in adviz-lessons" in r.stdout
    assert (tmp_path / "adviz-lessons" / lesson_paths()[0].name).read_bytes() == lesson_paths()[0].read_bytes()
    r = _run("--nbgrader")
    assert r.exit_code == 0 and "nbgrader course folder, in adviz-course" in r.stdout
    assert "  written    nbgrader_config.py" in r.stdout
    first = lesson_paths()[0].stem
    assert (tmp_path / "adviz-course" / "source" / first / f"{first}.ipynb").exists()
    assert f"nbgrader generate_assignment {first}" in r.stdout


def test_the_command_refuses_bad_requests_in_one_line(tmp_path):
    both = _run(str(tmp_path / "x"), "--solutions", "--nbgrader")
    assert both.exit_code == 2 and "choose one of --solutions and --nbgrader" in both.stderr
    (tmp_path / "file").write_text("x")
    assert _run(str(tmp_path / "file")).exit_code == 2
    dest = tmp_path / "d"
    dest.mkdir()
    (dest / lesson_paths()[0].name).symlink_to(tmp_path / "file")
    r = _run(str(dest), "--force")
    assert r.exit_code == 2 and "leads outside" in r.stderr and (tmp_path / "file").read_text() == "x"
