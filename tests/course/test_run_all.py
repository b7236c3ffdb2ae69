"""Run All on an unfinished student edition goes to the end; each check fails on its own.

A check that is not done yet must raise (nbgrader gives a cell no points only when it
raises), and Jupyter's *Run All* stops at the first cell that raises, unless the cell is
tagged ``raises-exception``.  The lesson builder tags every check cell so (and only check
cells: anywhere else the tag would hide a real error).  Here the student edition is run as
a student's Jupyter runs it, without ``allow_errors``:

* by nbclient (what nbconvert and CI use), on every lesson with more than one check: every
  code cell runs, each check shows one line, ``NotDoneYet``, and nothing else fails;
* by a real JupyterLab 4 in headless Chromium, Run All on lesson 10 (three exercises): the
  last cell runs; the same notebook without the tags stops at its first check, so the test
  sees the difference the tag makes.  A screenshot is kept in pytest's temporary folder.

The nbgrader side (the release keeps the tags, the blank release still scores 0) is in
``test_nbgrader.py``.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from adviz.editions import nbgrader_meta
from adviz.lessons import edition_text, lesson_paths

ROOT = Path(__file__).resolve().parents[2]
RAISES = "raises-exception"
MULTI = [p for p in lesson_paths() if sum(bool(nbgrader_meta(c).get("grade"))
                                           for c in json.loads(p.read_text(encoding="utf-8"))["cells"]) > 1]
LAB_LESSON = "10_custom_rules_and_stop_gradient"


def _code_cells(nb: dict) -> list[tuple[int, dict]]:
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _errors(cell: dict) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def test_several_lessons_have_several_checks():
    """The lessons where Run All used to stop early: 3, 4, 8, 10, 11 and 12."""
    assert {p.name[:2] for p in MULTI} >= {"03", "04", "08", "10", "11", "12"}


@pytest.mark.parametrize("path", MULTI, ids=[p.stem for p in MULTI])
def test_nbclient_runs_the_unfinished_student_edition_to_the_end(path, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.reads(edition_text(path, "student"), as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = json.loads(nbformat.writes(nb))
    checks = [i for i, c in _code_cells(cells) if nbgrader_meta(c).get("grade")]
    assert [i for i, c in _code_cells(cells) if c["execution_count"] is None] == [], "every code cell ran"
    assert [i for i, c in _code_cells(cells) if _errors(c)] == checks, "the checks fail, and nothing else"
    for i in checks:
        (error,) = _errors(cells["cells"][i])
        assert error["ename"] == "NotDoneYet" and len(error["traceback"]) == 1, error
        assert "Not done yet" in error["traceback"][0]
    after = [i for i, _ in _code_cells(cells) if i > checks[0]]
    assert after and all(cells["cells"][i]["execution_count"] > cells["cells"][checks[0]]["execution_count"]
                         for i in after), "the cells after the first failing check ran, after it"


# ---------------------------------------------------------------- a real JupyterLab
def _harness():
    spec = importlib.util.spec_from_file_location("jupyterlab_harness", ROOT / "tests" / "render" / "jupyterlab_harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lab = _harness()


def _untagged(text: str) -> str:
    nb = json.loads(text)
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if RAISES in tags:
            tags.remove(RAISES)
    return json.dumps(nb)


def _run_all_and_save(b, base: str, token: str, root: Path, name: str, done_js: str, shot: Path) -> dict:
    """Run All in JupyterLab, wait until ``done_js`` holds and the kernel is idle, save; the saved notebook."""
    before = (root / name).read_text(encoding="utf-8")
    page = lab.open_and_run(b, base, token, name, 1280)
    page.wait_for_function(done_js, timeout=240_000)
    page.wait_for_function("/Python 3 \\(ipykernel\\) \\| Idle/.test(document.body.innerText)", timeout=240_000)
    time.sleep(2)   # a cell the kernel would still run after an error would have started by now
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while (root / name).read_text(encoding="utf-8") == before and time.monotonic() < deadline:
        time.sleep(0.3)
    page.locator(".jp-CodeCell").last.scroll_into_view_if_needed()
    page.screenshot(path=str(shot))
    page.close()
    return json.loads((root / name).read_text(encoding="utf-8"))


LAST_PROMPT_NUMBERED = """(() => { const p = document.querySelectorAll('.jp-CodeCell .jp-InputPrompt');
    return p.length && /\\[\\d+\\]/.test(p[p.length - 1].textContent); })()"""
FIRST_CHECK_FAILED = "/NotDoneYet/.test(document.body.innerText)"


@pytest.mark.skipif(lab.available() is not None, reason=str(lab.available()))
def test_run_all_in_jupyterlab_reaches_the_last_cell(tmp_path):
    path = next(p for p in lesson_paths() if p.stem == LAB_LESSON)
    text = edition_text(path, "student")
    root = tmp_path / "lab"
    root.mkdir()
    (root / "tagged.ipynb").write_text(text, encoding="utf-8")
    (root / "untagged.ipynb").write_text(_untagged(text), encoding="utf-8")
    with lab.jupyterlab(root) as (base, token), lab.browser() as b:
        tagged = _run_all_and_save(b, base, token, root, "tagged.ipynb", LAST_PROMPT_NUMBERED,
                                   tmp_path / "run-all-student-edition.png")
        untagged = _run_all_and_save(b, base, token, root, "untagged.ipynb", FIRST_CHECK_FAILED,
                                     tmp_path / "run-all-without-the-tag.png")
    code = _code_cells(tagged)
    checks = [i for i, c in code if nbgrader_meta(c).get("grade")]
    assert len(checks) == 3
    assert all(c["execution_count"] for _, c in code), [c["execution_count"] for _, c in code]
    assert [i for i, c in code if _errors(c)] == checks
    assert all(_errors(tagged["cells"][i])[0]["ename"] == "NotDoneYet" for i in checks)
    assert code[-1][0] > checks[0] and code[-1][1]["execution_count"] == len(code), "the last cell ran, last"

    ran = [i for i, c in _code_cells(untagged) if c["execution_count"]]
    assert ran and ran[-1] == checks[0], "without the tag, Run All stops at the first check (the tag is what helps)"
