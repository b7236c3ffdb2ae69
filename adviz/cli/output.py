"""What the commands print: a rich console that respects the terminal, and JSON.

JSON output (``--json``): numbers are JSON numbers, arrays nested lists; values JSON cannot
hold are the strings ``"inf"``, ``"-inf"`` and ``"nan"``.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import typer

from .app import CommandError, InputError

__all__ = ["ascii_only", "check_output_folder", "check_output_path", "interruptible", "make_console", "node_json", "plural",
           "print_json", "progress", "sweep_json", "to_json_value", "writing"]


# ---------------------------------------------------------------- files
def check_output_path(path: Path, option: str) -> None:
    """The one rule for every file adviz writes: the folder it goes into must already exist.

    adviz never creates folders for an output file (a typo in a path should not leave new
    folders behind); the message says how to make it. Checked before any work is done.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            raise InputError(f"{option} {path}: that is a folder; give a file name, such as "
                             f"{path / ('out' + path.suffix)}")
        if not folder.is_dir():
            dangling = _dangling_link(folder)
            if dangling:
                raise InputError(f"cannot write {path}: {dangling}")
            if folder.exists():            # `-o notes.txt/a.svg`: mkdir -p cannot help there
                raise InputError(f"cannot write {path}: {folder} is a file, not a folder")
            raise InputError(f"cannot write {path}: the folder {folder} does not exist (create it first: "
                             f"mkdir -p {folder})")
    except OSError as err:                 # a name too long for the file system, a loop of links…
        raise InputError(f"cannot write {_short(path)}: {err.strerror or err}; nothing was written") from None


def _dangling_link(folder: Path) -> str:
    """What to say when ``folder`` is a symbolic link to nothing ("" when it is not one):
    ``mkdir -p`` cannot make a folder where a link stands, so the message names the target."""
    if not folder.is_symlink() or folder.exists():
        return ""
    return (f"{folder} is a symbolic link to {os.readlink(folder)}, which does not exist "
            "(create that folder, or remove the link)")


def _short(path: Path, limit: int = 120) -> str:
    """``path`` for a one-line message: a very long one keeps its start and its end."""
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit // 2 - 1]}…{text[-(limit // 2):]}"


def check_output_folder(folder: Path) -> None:
    """For a command that writes a folder of files (``adviz lessons DIR``): DIR is created if
    needed, but the folder it goes into must exist, by the same rule as for a file."""
    try:
        if folder.exists() and not folder.is_dir():
            raise InputError(f"cannot write into {folder}: it is a file, not a folder")
        dangling = _dangling_link(folder)
        if dangling:
            raise InputError(f"cannot write into {folder}: {dangling}")
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir():
            if parent.exists():
                raise InputError(f"cannot write {folder}: {parent} is a file, not a folder")
            raise InputError(f"cannot write {folder}: the folder {parent} does not exist (create it first: "
                             f"mkdir -p {parent})")
    except OSError as err:                 # a name too long for the file system, a loop of links…
        raise InputError(f"cannot write {_short(folder)}: {err.strerror or err}; nothing was written") from None


_PATH_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM, errno.EROFS,
                          errno.ENAMETOOLONG, errno.ELOOP})


@contextmanager
def writing(path: Path, *, folder: bool = False) -> Iterator[None]:
    """Turn a failed write into one line: a problem with the path (permissions, a missing folder)
    is the user's to fix (exit 2); anything else (a full disk, a file-size limit) exits 1.

    Files are written with :func:`adviz.fileio.atomic_write`, so either way nothing was
    written and a file that was there before is unchanged; the message says so (for a
    ``folder`` of files: no file in it is left half-written).
    """
    from ..fileio import OutsideFolderError

    try:
        yield
    except OutsideFolderError as err:
        raise InputError(str(err)) from None
    except OSError as err:
        reason = err.strerror or str(err)
        if folder:
            kept = "; no file in it was left half-written"
        else:
            kept = f"; {path} is unchanged" if path.exists() else "; nothing was written"
        if err.errno in _PATH_ERRORS:
            raise InputError(f"cannot write {path}: {reason}{kept}") from None
        raise CommandError(f"cannot write {path}: {reason}{kept}") from None


def ascii_only(ascii: bool) -> bool:
    """``--ascii`` as given, or True when standard output cannot show adviz's notation
    (``PYTHONIOENCODING=ascii``, a Latin-1 terminal): then tables fall back to ASCII by themselves."""
    return ascii or not _can_encode(getattr(__import__("sys"), "stdout", None), "ẋx̄→∂·━")


def _can_encode(stream: Any, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
        return True
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True


def plural(count: int, word: str) -> str:
    """``1 chain-rule term``, ``3 chain-rule terms``, ``1,000 sweeps``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@contextmanager
def progress(description: str, total: Optional[int] = None, *, enabled: bool = True,
             delay: Optional[float] = None) -> Iterator[Callable[..., None]]:
    """Report long work with a rich progress bar on the terminal; yields ``advance(steps=1)``
    (or ``advance(completed=k, total_now=n)`` when the caller counts itself).

    The bar is drawn on standard error, only when both standard output and standard error are
    terminals (never into a pipe, a file or JSON), only when ``enabled``, and only once the work
    has taken ``delay`` seconds (default: ``ADVIZ_PROGRESS_SECONDS``, 0.5), so quick commands
    never flash a bar. It disappears when done.
    Work that cannot count its steps (one long call, such as drawing a big graph) gets a
    spinner with the elapsed time instead, started by a timer after ``delay``.
    """
    import sys
    import threading
    import time

    if delay is None:
        from ..envvars import positive_number

        delay = positive_number("ADVIZ_PROGRESS_SECONDS", 0.5)
    show = enabled and _is_terminal(sys.stdout) and _is_terminal(sys.stderr)
    start = time.perf_counter()
    lock = threading.Lock()
    state: dict = {"done": 0, "total": total, "bar": None, "task": None, "finished": False}

    def open_bar() -> None:
        with lock:
            if state["bar"] is not None or state["finished"]:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
            state["bar"] = Progress(*columns, console=Console(stderr=True), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task(description, total=state["total"], completed=state["done"])

    def advance(steps: int = 1, *, completed: Optional[int] = None, total_now: Optional[int] = None) -> None:
        state["done"] = completed if completed is not None else state["done"] + steps
        if total_now is not None:
            state["total"] = total_now
        if not show:
            return
        if state["bar"] is None:
            if time.perf_counter() - start < delay:
                return
            open_bar()
        state["bar"].update(state["task"], completed=state["done"], total=state["total"])

    timer = None
    if show and total is None:                 # one long call: a spinner, once it is worth one
        timer = threading.Timer(delay, open_bar)
        timer.daemon = True
        timer.start()
    try:
        yield advance
    finally:
        if timer is not None:
            timer.cancel()
        with lock:
            state["finished"] = True
            if state["bar"] is not None:
                state["bar"].stop()


def interruptible(work: Callable[[], Any]) -> Any:
    """``work()``, run so that Ctrl-C stops the command at once.

    Python handles Ctrl-C only between its own instructions; native code that runs for minutes
    without returning (the WebAssembly Graphviz laying out a big ``--expand`` graph) would
    keep the user waiting. So the work runs in a helper thread while this one waits in short
    slices and receives the KeyboardInterrupt at once. The abandoned helper is a daemon thread:
    it ends with the process. Files are written atomically, so it leaves no half-written file.
    """
    import contextvars
    import threading

    import numpy as np

    outcome: dict = {}
    context, errors = contextvars.copy_context(), np.geterr()   # what this thread set up, for the helper

    def run() -> None:
        try:
            with np.errstate(**errors):
                outcome["value"] = context.run(work)
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread as it is
            outcome["error"] = err

    helper = threading.Thread(target=run, name="adviz-work", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(0.05)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def make_console(ascii: bool = False) -> Any:
    """A rich Console that prints plain text when piped or when NO_COLOR is set, and that
    stops quietly when the reader of a pipe leaves (``adviz trace … | head -1``)."""
    from rich.console import Console

    class PipeFriendlyConsole(Console):
        def on_broken_pipe(self) -> None:       # rich's hook; its default exits with status 1
            self.quiet = True
            raise BrokenPipeError               # the app's error policy ends the command with 0

    import sys

    plain = "NO_COLOR" in os.environ and os.environ.get("NO_COLOR", "") != ""
    kwargs: dict = {"highlight": False, "emoji": False}
    if not _is_terminal(sys.stdout):     # piped or redirected: no padding spaces at the ends of lines
        kwargs["file"] = TrimmedLines(sys.stdout)
    if plain:
        kwargs["color_system"] = None
    if ascii:
        kwargs["safe_box"] = True
    console = PipeFriendlyConsole(**kwargs)
    if console.width < MIN_WIDTH:      # COLUMNS=0 drew nothing at all; COLUMNS=5 broke every number
        console.width = MIN_WIDTH
    return console


class TrimmedLines:
    r"""A text stream that passes lines on to ``stream`` without their trailing spaces.

    rich pads every line of a table to the table's width, so ``adviz trace … > out.txt``
    wrote lines ending in runs of spaces (a diff, a ``grep 'x$'`` or an editor shows them).
    The console is given this stream (rich's public ``file=`` parameter) when standard output is
    not a terminal. A line is passed on once complete; :meth:`flush` passes on the unfinished rest.

    >>> import io; out = io.StringIO(); t = TrimmedLines(out)
    >>> _ = t.write("a  \n b \n"); t.flush(); out.getvalue()
    'a\n b\n'
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._rest = ""

    def write(self, text: str) -> int:
        lines = (self._rest + text).split("\n")
        self._rest = lines.pop()
        if lines:
            self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._rest:
            self._stream.write(self._rest)
            self._rest = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:      # fileno, errors, …: the stream's own
        return getattr(self._stream, name)


MIN_WIDTH = 20
"""The narrowest layout: a terminal (or ``COLUMNS``) narrower than this is laid out this wide,
so that a full-precision number (``-0.5440211108893698``) always keeps a line of its own."""




def to_json_value(value: Any) -> Any:
    """NumPy values → JSON: numbers, nested lists, and the strings "inf", "-inf", "nan".

    ``None`` stays ``null`` (a term with no elementwise partial, such as ``sum``'s).
    """
    import math

    import numpy as np

    if value is None or isinstance(value, str):   # None: e.g. the partial of a structural rule (sum, reshape)
        return value
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    a = np.asarray(value)
    if a.ndim > 0:
        return [to_json_value(v) for v in a]
    x = a.item()
    if isinstance(x, complex):
        return {"real": to_json_value(x.real), "imag": to_json_value(x.imag)}
    if isinstance(x, bool) or isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def print_json(data: Any) -> None:
    """Strict JSON (no NaN/Infinity tokens: every number goes through :func:`to_json_value`), in UTF-8, or with ``\\u`` escapes when standard
    output cannot encode UTF-8 (the JSON means the same either way)."""
    import json
    import sys

    plain = not _can_encode(sys.stdout, "ẋx̄→∂·")
    data = to_json_value(data)   # the one encoder: whatever a command passes, inf and nan become strings
    typer.echo(json.dumps(data, indent=2, ensure_ascii=plain, allow_nan=False))


def node_json(node: Any, shown: Any = None) -> dict:
    """A tape row in adviz's own names (what programs match on); ``shown``, the same row in
    another ``--notation``, adds its ``display`` name and definition (``v₋₁``, ``x1``)."""
    data = {"name": node.name, "op": node.op, "definition": node.definition,
            "operands": [o.text for o in node.operands], "value": to_json_value(node.value),
            "shape": list(node.shape), "is_input": node.is_input, "is_output": node.is_output}
    if shown is not None:
        data["display"] = {"name": shown.name, "definition": shown.definition}
    return data


def sweep_json(sweep: Any, trace: Any) -> dict:
    steps = []
    for step in sweep.steps:
        k = step.index + 1
        steps.append({
            "step": k,  # one numbering in every view: step k, its terms k.1, k.2 (see Sweep.step_label)
            "node": trace.nodes[step.node].name,
            "value": to_json_value(step.value),
            "terms": [{"step": k, "term": j, "label": sweep.step_label(k, j),
                       "update": term.update(), "update_ascii": term.update(ascii=True),
                       "from": trace.nodes[term.source].name, "to": trace.nodes[term.target].name,
                       "partial": term.partial, "partial_value": to_json_value(term.partial_value),
                       "contribution": to_json_value(term.contribution), "total": to_json_value(term.total)}
                      for j, term in enumerate(step.terms, start=1)],
        })
    result = sweep.result
    return {"mode": sweep.mode, "seed": to_json_value(sweep.seed), "steps": steps, "ops": sweep.ops,
            "result": to_json_value(result)}
