"""The nbgrader round trip, on every lesson, with nbgrader itself (as a teacher's class runs it).

For each lesson: ``generate_assignment`` succeeds and releases exactly the student edition
(its sources and its tags: each check cell keeps ``raises-exception``, so Run All goes on past it);
autograding the teacher's solutions gives full marks with no error anywhere; the released
notebook, submitted blank, gives 0 on every graded cell (tagged ``raises-exception`` and
failing: the error still counts), fails only in its check cells and only with ``NotDoneYet``,
and does not crash the grader; three typical wrong answers per
exercise (among them the five that passed the old checks) lose the points of the checks they
target.  Two processes grade half the lessons each (``nbgrader_round_trip.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adviz.editions import cell_source, nbgrader_meta
from adviz.lessons import edition_text, lesson_paths, write_nbgrader_course

from . import exercises as ex
from .wrong_answers import NBGRADER_ROUNDS, WRONG

HERE = Path(__file__).resolve().parent
TIMEOUT = 1200
# Measured lesson run times, heaviest first, split into two groups of about equal time.
GROUPS = (["05_finite_differences_and_symbolic", "09_training_a_tiny_neural_network", "08_higher_order_derivatives",
           "03_reverse_mode_and_adjoints", "07_arrays_broadcasting_and_matmul",
           "11_memory_and_checkpointing"],
          ["04_the_modes_compared", "06_control_flow_and_floating_point", "01_programs_and_the_tape",
           "02_forward_mode_and_dual_numbers", "10_custom_rules_and_stop_gradient", "12_how_ad_systems_are_built"])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run the round trip for all lessons, in two parallel processes; return the merged report."""
    stems = [p.stem for p in lesson_paths()]
    groups = [[s for s in group if s in stems] for group in GROUPS]
    groups[0] += [s for s in stems if not any(s in g for g in GROUPS)]   # a new lesson is graded too
    runs = []
    # nbgrader runs the `alembic` command when it creates a gradebook: find it next to this Python
    # (a venv's bin/), also when the venv was not activated.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    for k, group in enumerate(groups):
        course = tmp_path_factory.mktemp(f"course{k}")
        write_nbgrader_course(course)
        runs.append((course, subprocess.Popen([sys.executable, str(HERE / "nbgrader_round_trip.py"), str(course), *group],
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=course, env=env)))
    report: dict = {"generate": {}, "autograde": {}, "scores": {}, "errors": {}, "tagged": {}, "feedback": {},
                    "courses": []}
    for course, process in runs:
        out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err[-3000:]
        part = json.loads(out.splitlines()[-1])
        for key in ("generate", "autograde", "scores", "errors", "tagged", "feedback"):
            report[key].update(part[key])
        report["courses"].append(course)
    return report


def _stems():
    return [p.stem for p in lesson_paths()]


def _course_of(graded, stem):
    return next(c for c in graded["courses"] if (c / "release" / stem).exists())


@pytest.mark.parametrize("stem", _stems())
def test_generate_assignment_releases_the_student_edition(graded, stem):
    assert graded["generate"][stem]["success"], graded["generate"][stem]["error"]
    assert graded["autograde"][stem]["success"], graded["autograde"][stem]["error"]
    release = json.loads((_course_of(graded, stem) / "release" / stem / f"{stem}.ipynb").read_text(encoding="utf-8"))
    ours = json.loads(edition_text(next(p for p in lesson_paths() if p.stem == stem), "student"))
    assert [cell_source(c) for c in release["cells"]] == [cell_source(c) for c in ours["cells"]]
    tags = [[c.get("metadata", {}).get("tags", []) for c in nb["cells"]] for nb in (release, ours)]
    assert tags[0] == tags[1], "the release keeps the tags: Run All goes past a check that raises"
    assert all("raises-exception" in t for c, t in zip(release["cells"], tags[0]) if nbgrader_meta(c).get("grade"))


@pytest.mark.parametrize("stem", _stems())
def test_the_teacher_solutions_get_full_marks(graded, stem):
    cells = graded["scores"][stem]["teacher"]
    assert cells and all(score == maximum > 0 for score, maximum in cells.values()), cells
    assert graded["errors"][stem]["teacher"] == {}, "the teacher edition runs without an error or a warning"


@pytest.mark.parametrize("stem", _stems())
def test_the_blank_student_version_gets_zero_and_fails_only_in_its_checks(graded, stem):
    cells = graded["scores"][stem]["blank"]
    assert cells == {k: [0.0, m] for k, (_, m) in graded["scores"][stem]["teacher"].items()}
    errors = graded["errors"][stem]["blank"]
    assert set(errors) == set(cells), "every check says 'not done yet', and no other cell fails"
    assert all(names == ["NotDoneYet"] for names in errors.values()), errors
    assert sorted(graded["tagged"][stem]["blank"]) == sorted(cells), (
        "the 0 comes from checks tagged raises-exception: the tag lets Run All go on, the error still counts")


@pytest.mark.parametrize("stem", _stems())
def test_three_wrong_answers_per_exercise_lose_their_points(graded, stem):
    scores = graded["scores"][stem]
    for k, wrong in enumerate(WRONG[stem][:NBGRADER_ROUNDS]):
        cells = scores[f"wrong{k}"]
        for grade_id in wrong.fails:
            assert cells[grade_id][0] < cells[grade_id][1], (wrong.label, grade_id, cells)
        for grade_id, names in graded["errors"][stem][f"wrong{k}"].items():
            assert grade_id in cells and names == ["CheckFailed"], (wrong.label, grade_id, names)
    for answer_id in ex.exercise_ids(stem):
        for grade_id, _ in ex.checks_of(stem, answer_id):
            hits = [w for w in WRONG[stem][:NBGRADER_ROUNDS] if grade_id in w.fails]
            assert len(hits) >= 3, f"{grade_id}: three wrong answers go through the grader"


@pytest.mark.parametrize("stem", _stems())
def test_feedback_pages_show_the_hints_and_never_a_solution(graded, stem):
    """Without a hub's exchange (submissions put in submitted/ by hand, no timestamp.txt), the
    README says generate_feedback still writes each student's page: it does, the blank one says
    "not done yet" and holds no solution line, and a wrong answer's page shows its ✗ hints."""
    import html
    import re

    source = next(p for p in lesson_paths() if p.stem == stem)
    teacher = json.loads(edition_text(source, "teacher"))
    solution_lines = {line.strip() for c in teacher["cells"] if nbgrader_meta(c).get("solution")
                      for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell_source(c), re.S)
                      for line in block.split("\n") if len(line.strip()) > 12 and not line.strip().startswith("#")}
    lesson_text = "\n".join(cell_source(c) for c in json.loads(edition_text(source, "student"))["cells"])
    secret = {line for line in solution_lines if line not in lesson_text}  # not also shown by the lesson itself
    for student, page in graded["feedback"][stem].items():
        assert page["success"], (student, page["error"])
        text = html.unescape(re.sub(r"<[^>]+>", "", Path(page["page"]).read_text(encoding="utf-8")))
        if student == "blank":  # (a wrong answer keeps the teacher's lines around the one it changes)
            assert "Not done yet" in text and not [line for line in secret if line in text], stem
        else:
            assert "✗" in text and "another look" in text, stem
