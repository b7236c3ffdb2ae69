"""The nbgrader round trip for some lessons, in one process: generate, submit, autograde, report.

    python tests/course/nbgrader_round_trip.py COURSE_DIR LESSON [LESSON ...]

``COURSE_DIR`` is a folder written by ``adviz lessons COURSE_DIR --nbgrader``.  For each
lesson this script runs what a teacher runs — ``nbgrader generate_assignment`` — then puts
submissions where JupyterHub's ``nbgrader collect`` would, one per "student":

``teacher``  the source notebook itself (every solution filled in): must get full marks;
``blank``    the released notebook, untouched: must get 0 on every graded cell;
``wrongK``   the released notebook with the exercise answered by the K-th typical wrong
             answer of ``wrong_answers.py``: the checks it targets must lose their points.

and autogrades them all with ``nbgrader autograde``, then writes the feedback pages of
``blank`` and ``wrong0`` with ``nbgrader generate_feedback``.  It prints one JSON line: per lesson
and student, each graded cell's score and maximum, the error names the grader saw in each
cell, and the cells tagged ``raises-exception`` in the autograded notebook.  nbgrader's Python API runs in
this one process, so its start-up is paid once; the test runs two of these in parallel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from course import exercises as ex  # noqa: E402
from course.wrong_answers import NBGRADER_ROUNDS, WRONG  # noqa: E402


def _submit(course: Path, student: str, lesson: str, nb: dict) -> None:
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{lesson}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def _answered(released: dict, stem: str, k: int) -> dict:
    """The released notebook with its exercise cells answered by wrong answer ``k``."""
    nb = json.loads(json.dumps(released))
    wrong = WRONG[stem][k]
    answers = dict(wrong.answers)
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            answer_id = meta["grade_id"]
            cell["source"] = ex.with_regions(ex.answer_source(stem, answer_id), answers[answer_id])
    return nb


def main(course: Path, lessons: list[str]) -> dict:
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())
    config.CourseDirectory.root = str(course)
    config.Exchange.root = str(course / "exchange")
    api = NbGraderAPI(config=config)

    report: dict = {"generate": {}, "autograde": {}, "scores": {}, "errors": {}, "tagged": {}, "feedback": {}}
    for lesson in lessons:
        result = api.generate_assignment(lesson)
        report["generate"][lesson] = {"success": result["success"], "error": result.get("error", "")}
        if not result["success"]:
            continue
        released = json.loads((course / "release" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        source = course / "source" / lesson / f"{lesson}.ipynb"
        _submit(course, "teacher", lesson, json.loads(source.read_text(encoding="utf-8")))
        _submit(course, "blank", lesson, released)
        for k in range(min(NBGRADER_ROUNDS, len(WRONG[lesson]))):
            _submit(course, f"wrong{k}", lesson, _answered(released, lesson, k))
        result = api.autograde(lesson, "*")
        report["autograde"][lesson] = {"success": result["success"], "error": result.get("error", "")}
        for student in ("blank", "wrong0"):  # the README: hand-placed submissions still get feedback
            done = api.generate_feedback(lesson, student)
            page = course / "feedback" / student / lesson / f"{lesson}.html"
            report["feedback"].setdefault(lesson, {})[student] = {
                "success": done["success"], "error": done.get("error", ""),
                "page": str(page) if page.exists() else ""}

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for lesson in lessons:
            for submission in gradebook.assignment_submissions(lesson):
                student = submission.student.id
                cells = {g.name: [g.score, g.max_score] for nb in submission.notebooks for g in nb.grades}
                report["scores"].setdefault(lesson, {})[student] = cells
    for lesson in lessons:
        for student_dir in sorted((course / "autograded").glob(f"*/{lesson}")):
            nb = json.loads((student_dir / f"{lesson}.ipynb").read_text(encoding="utf-8"))
            errors, tagged = {}, []
            for i, cell in enumerate(nb["cells"]):
                if "raises-exception" in cell.get("metadata", {}).get("tags", []):
                    tagged.append(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {i}"))
                names = [o["ename"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                stderr = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream"
                          and o.get("name") == "stderr"]
                if names or stderr:
                    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {i}")
                    errors[grade_id] = names + (["stderr"] if stderr else [])
            report["errors"].setdefault(lesson, {})[student_dir.parent.name] = errors
            report["tagged"].setdefault(lesson, {})[student_dir.parent.name] = tagged
    return report


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2:])))
