"""The README and docs/*.md show what the user really sees: every checked example is run.

How examples are written (``# ->`` outputs in ``python`` blocks, ``$ command`` and its output in
``console`` blocks, ``...`` where output legitimately varies) is explained in
``tests/doc_examples.py``; ``python tests/doc_examples.py README.md`` lists every mismatch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import doc_examples  # noqa: E402
from doc_examples import Block, console_examples, matches, python_examples  # noqa: E402

ROOT = doc_examples.ROOT


@pytest.mark.parametrize("document", doc_examples.DOCUMENTS, ids=[p.name for p in doc_examples.DOCUMENTS])
def test_documented_outputs_are_what_the_user_sees(document):
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "doc_examples.py"), str(document)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "DOC_EXAMPLES_JSON": "1"})
    assert done.stdout, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    mismatches = [str(doc_examples.Mismatch(**m)) for m in result["mismatches"]]
    assert not mismatches, "\n\n".join(mismatches)


def test_the_readme_has_checked_examples_of_both_kinds():
    kinds = {b.language for b in doc_examples.blocks(ROOT / "README.md") if b.checked}
    assert {"python", "console"} <= kinds


def test_ci_runs_the_readme_setup_commands():
    """The quick start's install and test commands are exactly what CI runs."""
    quick = next(b for b in doc_examples.blocks(ROOT / "README.md") if b.language == "bash")
    commands = [line.split("#")[0].strip() for line in quick.text.splitlines()]
    install = next(c for c in commands if "pip install" in c)
    tests = next(c for c in commands if "pytest" in c)
    assert any(c.startswith("python3 -m venv") for c in commands)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install in ci and tests in ci


# ---------------------------------------------------------------- the checker itself
def test_matching_is_exact_except_trailing_space_and_ellipsis():
    assert matches("a  b\n", "a  b   \n\n")
    assert not matches("a b", "a  b")
    assert matches("took ... ms", "took 12.5 ms")
    assert matches("first\n...\nlast", "first\nx\ny\nlast")
    assert not matches("took ... ms", "took 12.5 s")
    assert matches("ẋ", "x\u0307")


def test_python_outputs_are_read_from_arrow_comments():
    block = Block("python", (), 'x = 1\nx + 1   # -> 2\nprint("a\\nb")  # ->\n# a\n# b\ny = 3\n', 10)
    examples = python_examples(block)
    assert [expected for _, _, expected in examples] == [None, "2", "a\nb", None]
    assert [stmt.lineno for stmt, _, _ in examples] == [10, 11, 12, 15]


def test_console_commands_and_outputs():
    block = Block("console", (), "$ adviz --version\nadviz 0.1.0\n$ echo a \\\n  b\na b\n", 3)
    assert console_examples(block) == [(3, "adviz --version", "adviz 0.1.0"), (5, "echo a \n  b", "a b")]


def test_a_wrong_output_is_reported(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("```python\n1 + 1   # -> 3\n```\n\n```console\n$ echo hello\nbye\n```\n"
                   "```python no-check\nraise SystemExit\n```\n", encoding="utf-8")
    report = doc_examples.check(doc)
    assert report.examples == 2
    assert [(m.line, m.actual.strip()) for m in report.mismatches] == [(2, "2"), (6, "hello")]
