"""Run the examples of the README and of docs/*.md, and compare what they print with what is shown.

The README promises that every output it shows is what the user sees. This module keeps that
promise checkable. It reads the fenced code blocks of a Markdown file:

``python`` blocks are run, in order, in one namespace per file (like one REPL session), in a
fresh temporary folder. A statement whose line ends with ``# ->`` shows what the REPL would
display for it: the text it prints, then the ``repr`` of its value when it is an expression
whose value is not ``None``::

    ad.grad(f)(3.0)                  # -> np.float64(-5.034429174458714)
    print(f.variables)               # -> ('x1', 'x2')

When the output has several lines, ``# ->`` ends the statement's line and the output follows
as comment lines (``# `` then the line as printed), up to the next line that is not a comment::

    print(t.to_text())               # ->
    # x1 = input   = 2.0
    # x2 = input   = 5.0

Statements without ``# ->`` are run and must not raise.

``console`` blocks are shell sessions: each ``$ command`` line (continued by a trailing ``\\``)
is run with ``bash`` in the file's temporary folder, with ``COLUMNS=100``, ``NO_COLOR=1`` and
the ``adviz`` of this Python first on ``PATH``; the lines up to the next ``$`` are what it
prints (standard output and standard error together). The exit code is not checked: examples
of errors are shown on purpose.

Blocks of any other kind (``bash``, ``text``, …) are illustrations and are not run; a
``python`` or ``console`` block whose info string carries the word ``no-check``
(```` ```python no-check ````) is not run either: say next to it why.

Comparison: exact, except that trailing spaces and blank lines at the ends are ignored, and
accented letters are compared as they look (``ẋ`` typed as one character or two). Where an output legitimately varies (a time, a
temporary path), write ``...`` for the varying part: it matches any text, across lines too,
as doctest's ELLIPSIS does.

Run it by hand to see every mismatch of a file at once::

    python tests/doc_examples.py README.md
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CONSOLE_ENV = {"COLUMNS": "100", "LINES": "200", "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}


@dataclass
class Block:
    """One fenced code block: its language, its info-string words, its text and first line (1-based)."""

    language: str
    words: tuple[str, ...]
    text: str
    line: int

    @property
    def checked(self) -> bool:
        return self.language in ("python", "console") and "no-check" not in self.words


@dataclass
class Mismatch:
    """One example whose output differs from what the document shows."""

    document: str
    line: int
    source: str
    expected: str
    actual: str

    def __str__(self) -> str:
        import difflib

        diff = difflib.unified_diff(_normal(self.expected).splitlines(), _normal(self.actual).splitlines(),
                                    "shown", "printed", lineterm="")
        return f"{self.document}:{self.line}: {self.source}\n" + "\n".join(diff)


@dataclass
class Report:
    mismatches: list[Mismatch] = field(default_factory=list)
    examples: int = 0


FENCE = re.compile(r"^(```+|~~~+)\s*([\w-]*)(.*)$")


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, language, rest = m.group(1), m.group(2).lower(), m.group(3)
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        out.append(Block(language, tuple(rest.split()), "\n".join(lines[start:j]), start + 1))
        i = j + 1
    return out


# ---------------------------------------------------------------- comparing
def _normal(text: str) -> str:
    """Trailing spaces and blank lines at the ends dropped; accents composed (NFC), since
    ``x`` + combining dot and ``ẋ`` look the same on screen."""
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def matches(expected: str, actual: str) -> bool:
    """Does ``actual`` show what ``expected`` says (``...`` = any text)?"""
    expected, actual = _normal(expected), _normal(actual)
    if "..." not in expected:
        return expected == actual
    pattern = ".*?".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


# ---------------------------------------------------------------- python blocks
def _comments(source: str) -> dict[int, str]:
    """Line number (1-based, in ``source``) → the comment on that line."""
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0]] = tok.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def python_examples(block: Block) -> list[tuple[ast.stmt, str, str | None]]:
    """The block's statements, each with its first line of text and the output it shows
    (``None``: not shown). Statements are numbered as lines of the whole document."""
    tree = ast.parse(block.text)
    comments = _comments(block.text)
    lines = block.text.splitlines()
    out: list[tuple[ast.stmt, str, str | None]] = []
    for stmt in tree.body:
        source = lines[stmt.lineno - 1].strip()
        end = stmt.end_lineno or stmt.lineno
        comment = comments.get(end, "")
        expected = None
        if comment.startswith("# ->"):
            expected = comment[len("# ->"):].strip()
            if not expected:                           # a multi-line output follows as comments
                shown = []
                for line in lines[end:]:
                    stripped = line.strip()
                    if not stripped.startswith("#"):
                        break
                    shown.append(stripped[2:] if stripped.startswith("# ") else stripped[1:])
                expected = "\n".join(shown)
        ast.increment_lineno(stmt, block.line - 1)
        out.append((stmt, source, expected))
    return out


def run_python(path: Path, report: Report) -> None:
    """Run the ``python`` blocks of ``path`` as one session; record every mismatch."""
    namespace: dict = {"__name__": "__main__"}
    name = path.name
    for block in blocks(path):
        if not block.checked or block.language != "python":
            continue
        for stmt, source, expected in python_examples(block):
            buffer = io.StringIO()
            try:
                with contextlib.redirect_stdout(buffer):
                    if isinstance(stmt, ast.Expr):
                        value = eval(compile(ast.Expression(stmt.value), name, "eval"), namespace)
                        if value is not None:
                            print(repr(value), file=buffer)
                    else:
                        exec(compile(ast.Module([stmt], type_ignores=[]), name, "exec"), namespace)
            except Exception as err:  # noqa: BLE001 - reported as a mismatch, with where
                report.mismatches.append(Mismatch(name, stmt.lineno, source, expected or "(runs without error)",
                                                  f"{type(err).__name__}: {err}"))
                return                                  # later statements depend on this one
            report.examples += 1
            if expected is not None and not matches(expected, buffer.getvalue()):
                report.mismatches.append(Mismatch(name, stmt.lineno, source, expected, buffer.getvalue()))


# ---------------------------------------------------------------- console blocks
def console_examples(block: Block) -> list[tuple[int, str, str]]:
    """``(line, command, shown output)`` for each ``$ command`` of a console block."""
    out: list[tuple[int, str, str]] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        line = block.line + i
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + "\n" + lines[i]
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        out.append((line, command, "\n".join(shown)))
    return out


def console_env() -> dict:
    env = {**os.environ, **CONSOLE_ENV}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("FORCE_COLOR", None)
    return env


def run_console(path: Path, report: Report, folder: Path) -> None:
    for block in blocks(path):
        if not block.checked or block.language != "console":
            continue
        for line, command, shown in console_examples(block):
            done = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=folder, env=console_env(),
                                  capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
            report.examples += 1
            if not matches(shown, done.stdout):
                report.mismatches.append(Mismatch(path.name, line, "$ " + command, shown, done.stdout))


def check(path: Path) -> Report:
    """Run every checked example of ``path`` in a fresh temporary folder."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="adviz-docs-") as tmp:
        previous = os.getcwd()
        os.chdir(tmp)
        try:
            env_before = {k: os.environ.get(k) for k in CONSOLE_ENV}
            os.environ.update(CONSOLE_ENV)
            try:
                run_python(path, report)
            finally:
                for k, v in env_before.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            run_console(path, report, Path(tmp))
        finally:
            os.chdir(previous)
    return report


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or DOCUMENTS
    as_json = os.environ.get("DOC_EXAMPLES_JSON") == "1"
    failed = 0
    for path in paths:
        report = check(path.resolve())
        failed += len(report.mismatches)
        if as_json:
            print(json.dumps({"document": str(path), "examples": report.examples,
                              "mismatches": [m.__dict__ for m in report.mismatches]}))
        else:
            for m in report.mismatches:
                print(m, end="\n\n")
            print(f"{path}: {report.examples} examples, {len(report.mismatches)} mismatches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
