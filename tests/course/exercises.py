"""Run a lesson's exercise cells and check cells in-process, the way a student's kernel would.

The lessons' notebooks are the one source of truth: the teacher's answer is the exercise
cell as committed, the stub is its student edition (``adviz.editions``), and a wrong answer
is the teacher's cell with one of its ``### BEGIN SOLUTION`` regions rewritten
(:func:`with_regions`).  The check cells are executed exactly as written in the notebook.

The names an exercise needs from earlier in the lesson (``Dual`` for lesson 2, the network
and ``train`` for lesson 9) come from executing only the earlier cells that define them,
plus every import of the lesson: no widgets, no pictures, a few seconds at most.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

from adviz.check import CheckFailed, NotDoneYet  # noqa: E402
from adviz.editions import cell_source, clear_solutions, nbgrader_meta  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
STEMS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@lru_cache(maxsize=None)
def notebook(stem: str) -> dict:
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))


def exercise_ids(stem: str) -> list[str]:
    return [nbgrader_meta(c)["grade_id"] for c in notebook(stem)["cells"] if nbgrader_meta(c).get("solution")]


def answer_source(stem: str, answer_id: str) -> str:
    for cell in notebook(stem)["cells"]:
        if nbgrader_meta(cell).get("grade_id") == answer_id:
            return cell_source(cell)
    raise KeyError(answer_id)


def checks_of(stem: str, answer_id: str) -> list[tuple[str, str]]:
    """(grade_id, source) of the graded cells after the exercise ``answer_id``, up to the next one."""
    found, out = False, []
    for cell in notebook(stem)["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            if found:
                break
            found = meta["grade_id"] == answer_id
        elif found and meta.get("grade"):
            out.append((meta["grade_id"], cell_source(cell)))
    return out


def with_regions(source: str, replacements: dict[int, str]) -> str:
    """``source`` with solution region ``k`` (counting from 0) replaced by ``replacements[k]``.

    The new code is indented like the region's ``### BEGIN SOLUTION`` line; the markers stay,
    as they would in a student's notebook that began as the teacher's.
    """
    lines, out, k, skipping = source.split("\n"), [], -1, False
    for line in lines:
        if "BEGIN SOLUTION" in line:
            k += 1
            out.append(line)
            if k in replacements:
                indent = re.match(r"\s*", line).group(0)
                out.extend(indent + new if new else new for new in replacements[k].strip("\n").split("\n"))
                skipping = True
            continue
        if "END SOLUTION" in line:
            skipping = False
        if not skipping:
            out.append(line)
    missing = set(replacements) - set(range(k + 1))
    if missing:
        raise ValueError(f"no solution region {sorted(missing)} in this cell")
    return "\n".join(out)


def student_source(stem: str, answer_id: str) -> str:
    return clear_solutions(answer_source(stem, answer_id))


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith("%") else line for line in source.split("\n"))


def _defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


@lru_cache(maxsize=None)
def _namespace(stem: str, needs: frozenset) -> dict:
    namespace: dict = {"__name__": "__lesson__"}
    for cell in notebook(stem)["cells"]:
        if nbgrader_meta(cell).get("solution"):
            break
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_without_magics(cell_source(cell)))
        if _defined(tree) & needs:
            code = compile(tree, f"<{stem}>", "exec")
        else:
            imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            if not imports:
                continue
            code = compile(ast.Module(body=imports, type_ignores=[]), f"<{stem}>", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
    if "matplotlib.pyplot" in sys.modules:  # a lesson's plots: close them, leave no figure behind
        sys.modules["matplotlib.pyplot"].close("all")
    return namespace


def lesson_namespace(stem: str, needs: set[str] = frozenset()) -> dict:
    """A fresh copy of the lesson's imports and the earlier definitions in ``needs``."""
    return dict(_namespace(stem, frozenset(needs)))


@dataclass
class Outcome:
    """What running an answer and its checks gave: per check cell, a status and the printed text."""

    status: dict[str, str] = field(default_factory=dict)   # grade_id -> "pass" | "todo" | "fail"
    text: dict[str, str] = field(default_factory=dict)     # grade_id -> everything the check printed

    @property
    def all_text(self) -> str:
        return "\n".join(self.text.values())


def run(stem: str, answer_id: str, source: str, needs: set[str] = frozenset()) -> Outcome:
    """Execute ``source`` as the exercise cell, then each of its check cells; report each check."""
    namespace = lesson_namespace(stem, needs)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, f"<{stem}:{answer_id}>", "exec"), namespace)
    outcome = Outcome()
    for grade_id, check_source in checks_of(stem, answer_id):
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(check_source, f"<{stem}:{grade_id}>", "exec"), namespace)
            status = "pass"
        except NotDoneYet as err:
            status = "todo"
            printed.write(f"\n{err}")
        except CheckFailed as err:
            status = "fail"
            printed.write(f"\n{err}")
        outcome.status[grade_id] = status
        outcome.text[grade_id] = printed.getvalue()
    return outcome


def number_forms(x: float) -> list[str]:
    """The ways a number could be printed: repr, fixed, general and scientific formats."""
    x = float(x)
    forms = {repr(x), str(x)}
    for digits in range(2, 9):
        forms.add(f"{x:.{digits}f}")
        forms.add(f"{x:.{digits + 1}g}")
    for digits in range(1, 7):
        forms.add(f"{x:.{digits}e}")
    return sorted(forms)


def leaked(text: str, expected: list[float]) -> list[str]:
    """The printed forms of ``expected`` numbers that occur in ``text`` as whole numbers."""
    hits = []
    for x in expected:
        for form in number_forms(x):
            if len(form.lstrip("-").replace(".", "").replace("0", "")) < 2:
                continue  # forms like "0.00" or "3" say nothing
            if re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text):
                hits.append(form)
    return hits
