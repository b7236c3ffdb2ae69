"""The editions of a lesson, all made from one source notebook.

Each lesson is written once, with its solutions in it, marked the way nbgrader marks them
(so the same notebook is also an nbgrader *source* notebook)::

    def softplus(x):
        \"\"\"log(1 + eˣ), without overflow.\"\"\"
        ### BEGIN SOLUTION
        if x > 0:
            return x + np.log1p(np.exp(-x))
        return np.log1p(np.exp(x))
        ### END SOLUTION

and with nbgrader's cell metadata: the cell holding an answer is a *solution* cell, the
cell that checks it a *graded, locked* cell worth some points::

    {"nbgrader": {"solution": true, "grade": false, "locked": false,
                  "grade_id": "softplus-answer", "schema_version": 3}}

Every check cell also carries Jupyter's ``raises-exception`` tag (the lesson builder,
``notebooks/src/build.py``, puts it there, so every edition has it): a check raises while its
exercise is unfinished or wrong, which is what makes nbgrader give it 0 points, and the tag
makes *Run All* show that one-line error and go on instead of stopping the lesson there.

From that one source:

* the **teacher edition** is the notebook as it is (solutions filled in, every cell runs);
* the **student edition** replaces each solution region by :data:`CODE_STUB` exactly as
  ``nbgrader generate_assignment`` does (same rule, same stub; the test suite compares the
  two), and locks the check cells against accidental edits, as nbgrader's release does;
* the **nbgrader course** (:mod:`adviz.lessons`) puts the source notebooks where nbgrader
  expects them, with a ``nbgrader_config.py`` (:data:`NBGRADER_CONFIG`) that sets the same
  stub.

The stub is ``pass`` so that an unfinished answer still *runs*, and runs silently: a
function whose body is ``pass`` returns ``None``, a placeholder the lesson wrote before the
solution (``x = ...``) stays ``Ellipsis``, and the exercise's check says "not done yet"
instead of the next cell failing with a ``NameError``.  (A stub ``...`` would do the same,
except at the end of a cell, where Jupyter shows its value: the student would see
``Ellipsis`` as if something had been computed.)

Notebooks are handled as plain JSON (no nbformat needed), written the way nbformat writes
them, so an edition is byte-for-byte reproducible.
"""

from __future__ import annotations

import copy
import json
import re
__all__ = ["BEGIN_SOLUTION", "END_SOLUTION", "CODE_STUB", "NBGRADER_CONFIG", "clear_solutions",
           "student_edition", "teacher_edition", "notebook_text", "cell_source", "nbgrader_meta"]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = "pass  # YOUR CODE HERE"
"""What replaces a solution region in the student edition (and in nbgrader's release)."""

# nbgrader looks for these words anywhere in a line
_BEGIN_WORDS, _END_WORDS = "BEGIN SOLUTION", "END SOLUTION"

NBGRADER_CONFIG = '''\
# nbgrader configuration for the adviz lessons (written by `adviz lessons DIR --nbgrader`).
# Run the nbgrader commands from this folder; see "Teaching with adviz" in adviz's README.
c = get_config()  # noqa: F821  (nbgrader provides get_config)

# The course's name. On a JupyterHub with nbgrader's exchange, use the id your hub knows.
c.CourseDirectory.course_id = "adviz"

# A solution becomes `pass` in the students' copies: an unfinished exercise still runs
# (silently), and its check cell says "not done yet" instead of later cells failing.
c.ClearSolutions.code_stub = {"python": "pass  # YOUR CODE HERE"}

# Some lessons train a small network or render graphs: give each cell time on a busy hub.
c.Execute.timeout = 300
'''


def cell_source(cell: dict) -> str:
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def nbgrader_meta(cell: dict) -> dict:
    """The cell's ``nbgrader`` metadata, or ``{}``."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def clear_solutions(source: str, stub: str = CODE_STUB) -> str:
    """``source`` with every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region replaced by ``stub``.

    The rule is nbgrader's: a line containing ``BEGIN SOLUTION`` starts a region and is
    replaced by the stub, indented like that line; every line up to the one containing
    ``END SOLUTION`` is dropped.  Raises ``ValueError`` for a region that is nested or
    never closed.
    """
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        if _BEGIN_WORDS in line:
            if inside:
                raise ValueError("a solution region starts inside another one (nested BEGIN SOLUTION)")
            inside = True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + stub_line for stub_line in stub.split("\n"))
        elif _END_WORDS in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("a solution region is never closed (BEGIN SOLUTION without END SOLUTION)")
    return "\n".join(out)


def teacher_edition(nb: dict) -> dict:
    """The lesson with its solutions, outputs cleared: a copy of the source notebook."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        _clear_outputs(cell)
    return nb


def student_edition(nb: dict, stub: str = CODE_STUB) -> dict:
    """The lesson for students: solutions replaced by ``stub``, checks locked, outputs cleared."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            cleared = clear_solutions(cell_source(cell), stub)
            if cleared == cell_source(cell):  # a solution cell without a region: all of it is the answer
                cleared = stub if cell.get("cell_type") == "code" else "YOUR ANSWER HERE"
            cell["source"] = cleared
            cell["metadata"]["deletable"] = False
        if meta.get("locked") or meta.get("grade") and not meta.get("solution"):
            cell["metadata"]["deletable"] = False
            cell["metadata"]["editable"] = False
        _clear_outputs(cell)
    return nb


def _clear_outputs(cell: dict) -> None:
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None


def notebook_text(nb: dict) -> str:
    """The notebook as nbformat writes it (sorted keys, one-space indent, sources as line lists)."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        cell["source"] = cell_source(cell).splitlines(keepends=True)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"
