"""Every lesson is committed clean, matches its source, and has what a class needs.

What a lesson must contain: a title, an exercise graded by nbgrader (a solution cell with
``### BEGIN SOLUTION`` markers, then graded check cells that call the lesson's
``adviz.course`` module), two or three "predict, then run" questions whose choices match the
module's, and a further-reading cell.  Executing the lessons, in both editions, is the job
of ``tests/course/test_nbgrader.py`` (the nbgrader round trip runs every notebook).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

from adviz.editions import clear_solutions, nbgrader_meta

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REFERENCES = ("jmlr.org/papers/v18/17-468", "Griewank", "Walther", "Evaluating Derivatives",
              "autodiff_cookbook", "karpathy/micrograd")


def _builder():
    spec = importlib.util.spec_from_file_location("lesson_build", ROOT / "notebooks" / "src" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_at_least_eleven_lessons():
    assert len(NOTEBOOKS) >= 11, [p.name for p in NOTEBOOKS]
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


def test_source_parser_reads_cells_and_their_options():
    build = _builder()
    with pytest.raises(ValueError, match="before the first"):
        build.parse_cells("x = 1\n# %%\ny = 2\n", "bad.py")
    with pytest.raises(ValueError, match="must start with '#'"):
        build.parse_cells("# %% [markdown]\nnot a comment\n", "bad.py")
    cells = build.parse_cells(
        '# %% [markdown]\n# # Title\n#\n# text\n\n# %% tags=["exercise"] grade_id="ex-1"\n# %matplotlib inline\n'
        "x = ...\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n\n"
        '# %% tags=["check"] grade_id="ex-1-check" points=2\ncourse.check(x)\n'
    )
    assert cells == [
        {"type": "markdown", "tags": [], "source": "# Title\n\ntext"},
        {"type": "code", "tags": ["exercise"], "grade_id": "ex-1",
         "source": "%matplotlib inline\nx = ...\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"},
        {"type": "code", "tags": ["check"], "grade_id": "ex-1-check", "points": 2, "source": "course.check(x)"},
    ]
    assert build.notebook_tags(cells[2]) == ["check", "raises-exception"], "Run All goes on past a failing check"
    assert build.notebook_tags(cells[1]) == ["exercise"] and build.notebook_tags(cells[0]) == []
    assert build.nbgrader_metadata(cells[1]) == {"grade": False, "grade_id": "ex-1", "locked": False,
                                                 "schema_version": 3, "solution": True, "task": False}
    assert build.nbgrader_metadata(cells[2])["points"] == 2 and build.nbgrader_metadata(cells[0]) is None


@pytest.mark.parametrize("source, message", [
    ('# %% tags=["exercise"]\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n', "needs a stable grade_id"),
    ('# %% tags=["exercise"] grade_id="Bad Id"\n### BEGIN SOLUTION\nx=1\n### END SOLUTION\n', "lowercase letters"),
    ('# %% tags=["exercise"] grade_id="a"\nx = 1\n', "marks its solution"),
    ('# %%\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n', "belong in an exercise cell"),
    ('# %% [markdown]\n# ### BEGIN SOLUTION\n', "belong in an exercise cell"),
    ('# %% tags=["exercise"] grade_id="a"\n### BEGIN SOLUTION\nx = 1\n', "never closed"),
    ('# %% tags=["exercise"] grade_id="a"\nx = 1  ### BEGIN SOLUTION\n### END SOLUTION\n', "only the marker"),
    ('# %% tags=["exercise"] grade_id="a"\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n'
     '    return 2 +\n', "not valid Python"),
    ('# %% tags=["check"] grade_id="c"\ncheck()\n', "comes after the exercise"),
    ('# %% tags=["exercise"] grade_id="a"\n### BEGIN SOLUTION\nx=1\n### END SOLUTION\n'
     '# %% tags=["check"] grade_id="a"\ncheck()\n', "used twice"),
    ('# %% tags=["check"] points=0 grade_id="c"\ncheck()\n', "points must be positive"),
    ('# %% grade_id="x"\nx = 1\n', "belong to exercise and check cells"),
    ("# %% colour='red'\nx = 1\n", "must be JSON"),
    ('# %% tags=["raises-exception"]\nx = 1 / 0\n', "would hide a real error"),
    ('# %% colour="red"\nx = 1\n', "unknown or malformed cell option colour"),
])
def test_source_parser_refuses_what_nbgrader_would_choke_on(source, message):
    with pytest.raises(ValueError, match=message):
        _builder().parse_cells(source, "bad.py")


@pytest.mark.parametrize("char, name", [("\a", "BEL"), ("\r", "CARRIAGE RETURN"), ("\t", "TAB"), ("\x1b", "ESCAPE"),
                                        ("\u2028", "LINE SEPARATOR"), ("\ufeff", "BYTE ORDER MARK")])
def test_the_builder_rejects_control_characters(char, name):
    """A "\\approx" typed in a normal Python string became a bell character plus "pprox" once."""
    source = f"# %% [markdown]\n# a line\n# to $y {char}pprox 3$\n"
    with pytest.raises(ValueError, match=rf"bad.py:3:9: control character U\+{ord(char):04X} \({name}\)"):
        _builder().parse_cells(source, "bad.py")


def test_no_source_holds_a_control_character():
    for source in _builder().sources():
        _builder().check_characters(source.read_text(encoding="utf-8"), source.name)


def _cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_is_committed_clean_with_a_graded_exercise(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["language"] == "python"  # nbgrader picks its code stub by language
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs: clear them"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Lesson "), "the lesson opens with its title"
    solutions = [i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution")]
    checks = [i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade")]
    assert solutions and checks and min(checks) > min(solutions), "an exercise cell, then its graded checks"
    for i in checks:
        meta = nbgrader_meta(nb.cells[i])
        assert meta["locked"] and not meta["solution"] and meta["points"] > 0
        assert re.fullmatch(r"course\.check_\w+\(.*\)", nb.cells[i].source, re.S), "a check calls its course module"
    for i in solutions:
        source = nb.cells[i].source
        assert "### BEGIN SOLUTION" in source and "### END SOLUTION" in source
        ast.parse(clear_solutions(source))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_uses_its_course_module_and_asks_predictions(path):
    cells = _cells(path)
    imports = [m for c in cells if c.cell_type == "code"
               for m in re.findall(r"from adviz\.course import (\w+) as course", c.source)]
    assert len(imports) == 1, "one 'from adviz.course import <topic> as course' line"
    module = importlib.import_module(f"adviz.course.{imports[0]}")
    asked = []
    for i, cell in enumerate(cells):
        for key in re.findall(r'course\.predict\("([\w-]+)", \.\.\.\)', cell.source) if cell.cell_type == "code" else []:
            question = module.QUESTIONS[key]
            asked.append(key)
            before = next(c.source for c in reversed(cells[:i]) if c.cell_type == "markdown")
            assert "Predict, then run" in before, f"{key}: the question is posed just before"
            for letter, text in question.choices.items():
                assert f"* ({letter}) {text}" in before, f"{key}: choice ({letter}) {text!r} is listed"
            assert "course.predict" not in "".join(c.source for c in cells[i + 1:i + 2] if c.cell_type == "markdown")
    assert 2 <= len(asked) <= 3 and len(set(asked)) == len(asked)
    assert sorted(asked) == sorted(q.key for q in module.QUESTIONS), "every question of the module is asked once"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_ends_with_further_reading(path):
    cells = _cells(path)
    reading = [c for c in cells if c.cell_type == "markdown" and c.source.startswith("## Further reading")]
    assert len(reading) == 1 and cells[-1] is reading[0]
    for reference in REFERENCES:
        assert reference in reading[0].source, reference
    assert "ch. 3" in reading[0].source.lower() or "ch. 3–4" in reading[0].source


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
    cells = _cells(path)
    exercise = "\n".join(c.source for c in cells if nbgrader_meta(c).get("solution"))
    for check in (c.source for c in cells if nbgrader_meta(c).get("grade")):
        assert _assigned_names(exercise) & _used_names(check), f"a check cell of {path.name} ignores the exercise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_cell_after_an_exercise_uses_the_students_answer(path):
    """Later cells never depend on an unfinished answer: only the check cells read it."""
    cells = _cells(path)
    first = min(i for i, c in enumerate(cells) if nbgrader_meta(c).get("solution"))
    answered = set()
    for cell in cells[first:]:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            answered |= _assigned_names(clear_solutions(cell.source).replace("...", "None")) | _assigned_names(
                cell.source)
        elif not meta.get("grade"):
            assert not (_used_names(cell.source) & answered), cell.source


def test_lessons_never_import_nbgrader():
    """nbgrader grades the lessons; a student's kernel needs only adviz (nbgrader is a test dependency)."""
    for path in NOTEBOOKS:
        for cell in _cells(path):
            assert not re.search(r"^\s*(import|from)\s+nbgrader", cell.source, re.M), path.name


def test_no_lesson_moves_a_player_it_shows():
    """After Run All a player must still be at its start, where the text says "press ▶" (issue 11 §8):
    a lesson reads totals (``forward_total_ops``), it never calls ``last()``/``first()`` or sets ``step``."""
    for path in NOTEBOOKS:
        for cell in _cells(path):
            if cell.cell_type == "code":
                assert not re.search(r"\.(last|first)\(\)|\.step\s*=[^=]", cell.source), (path.name, cell.source)


def test_lesson_6_says_what_adviz_gives_for_abs_at_0_and_that_jax_differs():
    """Lesson 6 once claimed adviz follows JAX at abs's kink; JAX's rule gives 1 there, adviz's gives 0."""
    import numpy as np

    import adviz as ad

    text = "\n".join(c.source for c in _cells(ROOT / "notebooks" / "06_control_flow_and_floating_point.ipynb"))
    assert ad.grad(np.abs)(0.0) == 0.0 and ad.grad(abs)(0.0) == 0.0
    assert r"at $0$ it gives $\operatorname{sign}(0) = 0$" in text
    assert "**JAX gives 1**" in text and "`x >= 0`" in text
    # 0 is the subgradient of smallest magnitude in [-1, 1], not its smallest element (that is -1)
    assert "smallest element" not in text and "smallest magnitude" in text


def _lesson_text(name: str) -> str:
    return "\n".join(c.source for c in _cells(ROOT / "notebooks" / name) if c.cell_type == "markdown")


def test_lesson_6_explains_the_nan_of_softplus_in_the_order_the_sweep_computes_it():
    """The naive softplus's nan at 800 is 0·inf: the sweep divides by 1 + e^800 first (adjoint 0), then
    multiplies by e^800. The lesson once said "∞/∞", an order and a form the sweep never computes."""
    import numpy as np

    import adviz as ad

    with np.errstate(over="ignore", invalid="ignore"):
        t = ad.trace(lambda x: np.log(1 + np.exp(x)), 800.0)
        terms = [term for step in t.reverse().steps for term in step.terms]
    partials = [float(term.partial_value) for term in terms]
    totals = [float(term.total) for term in terms]
    assert partials[0] == 0.0 and totals[0] == 0.0          # ∂log(u)/∂u = 1/u at u = inf: the adjoint is 0
    assert partials[-1] == np.inf and np.isnan(totals[-1])  # ... then times e^800 = inf: 0·inf = nan
    text = _lesson_text("06_control_flow_and_floating_point.ipynb")
    assert r"\infty/\infty" not in text
    assert r"$0 \cdot \infty =$ `nan`" in text


def test_lesson_7_quotes_the_broadcast_update_as_the_table_writes_it():
    """The table writes b's update in sum(X + b) as a sum over the broadcast axis; the lesson once quoted
    an older form (b̄ += v̄1·1) that the table no longer shows."""
    import numpy as np

    import adviz as ad

    t = ad.trace(lambda X, b: np.sum(X + b), np.arange(6.0).reshape(3, 2), np.array([10.0, 20.0]))
    last = t.reverse().steps[-1].terms[-1]
    assert t.nodes[last.target].name == "b" and last.update() == "b̄ += Σᵢ v̄1[i, :]"
    text = _lesson_text("07_arrays_broadcasting_and_matmul.ipynb")
    assert r"$\bar b \mathrel{+}= \sum_i \bar v_1[i, :]$" in text
    assert r"written $\bar b \mathrel{+}= \bar v_1\cdot 1$" not in text


def test_lesson_5_prints_the_best_relative_error_as_a_relative_error():
    """``MethodCurve.best_error`` is absolute; lesson 5 once printed it as "best relative error", five
    times too large for f'(3) = -5.03. The printed number must be the relative error the V shows there."""
    import contextlib
    import io

    import numpy as np

    import adviz as ad
    from adviz.numeric.error_sweep import error_sweep

    f = lambda x: np.sin(x**2 + 1)  # noqa: E731  (the lesson's f)
    exact = float(ad.grad(f)(3.0))
    sweep = error_sweep(f, 3.0, exact, methods=("forward", "central", "complex"))
    cell = next(c.source for c in _cells(ROOT / "notebooks" / "05_finite_differences_and_symbolic.ipynb")
                if c.cell_type == "code" and "best relative error" in c.source)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cell, {"sweep": sweep, "exact": exact})
    for name, curve in sweep.curves.items():
        printed = float(re.search(rf"{name}: .*best relative error ≈ ([-+.e0-9]+),", out.getvalue()).group(1))
        decade = (sweep.hs >= curve.best_h / 10**0.5) & (sweep.hs <= curve.best_h * 10**0.5)
        typical = max(float(np.median(curve.rel_error[decade])), np.finfo(float).eps / 4)
        assert typical / 2 < printed < typical * 2, (name, printed, typical)


def test_lesson_11_calls_the_measured_tie_a_tie():
    """Lesson 11 once said the measured best segments were "a little longer" than the counted ones, on
    peaks of 15.1 and 15.0 vectors (k = 2 and 4). With about two kept vectors per layer, L/k + 2k is the
    same at k = 2 and 4: the lesson now says the measured peaks tie there, which this measures again
    (tracemalloc counts bytes, so the numbers do not depend on the machine's speed)."""
    import tracemalloc

    import numpy as np

    import adviz as ad
    from adviz.course.memory import _layers

    segment = ad.checkpoint(_layers, static_argnums=(1,))

    def model(x, k, depth=16):
        for _ in range(depth // k):
            x = segment(x, k)
        return np.sum(x**2)

    x = np.linspace(-1.0, 1.0, 50_000)
    peaks = {}
    for k in (1, 2, 4, 8):
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        ad.grad(lambda x: model(x, k))(x)
        peaks[k] = (tracemalloc.get_traced_memory()[1] - before) / x.nbytes
        tracemalloc.stop()
    assert abs(peaks[2] - peaks[4]) <= 0.5, peaks                          # a tie ...
    assert min(peaks[1], peaks[8]) > max(peaks[2], peaks[4]) + 3, peaks     # ... at the bottom of the curve
    cell = next(c.source for c in _cells(ROOT / "notebooks" / "11_memory_and_checkpointing.ipynb")
                if c.cell_type == "code" and "lowest measured peak" in c.source)
    assert "a tie: within half a vector" in cell
    text = " ".join(_lesson_text("11_memory_and_checkpointing.ipynb").split())
    assert "a little longer" not in text and "the measured peaks at 2 and 4 are a tie" in text
