"""The Typer app, its entry point and the error policy shared by every command.

A command never prints a traceback. It reports a mistake in the user's input by raising
:class:`InputError` (exit code 2); anything else that goes wrong becomes one line,
``adviz: error: …``, with exit code 1. That policy lives here, once, in :class:`ErrorPolicyGroup`,
so the command modules contain no ``try`` boilerplate.

Exit codes (the same for every command):

====  ==============================================================
0     success (also ``adviz`` alone, which prints the help)
1     anything else that went wrong (a bug, a renderer that failed)
2     a mistake in the command line or the input (usage, syntax, values, paths)
130   interrupted with Ctrl-C
====  ==============================================================
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at start-up,
# and string annotations would each be compiled by eval (see adviz/cli/__init__.py).

import errno
import io
import os
import sys
from typing import Annotated, Any, List, Optional

import typer

from .coercion import install_plain_coercion

try:   # Typer >= 0.2x vendors click; its exceptions derive from typer.TyperException
    from typer import TyperException as _CommandLineError
except ImportError:  # pragma: no cover - older Typer, built on the click package
    from click import ClickException as _CommandLineError  # type: ignore[assignment]

__all__ = ["Command", "CommandError", "InputError", "app", "fail", "main", "tell", "visible", "wrapped"]


# ---------------------------------------------------------------- errors
class InputError(Exception):
    """Bad input from the user: printed as ``adviz: error: <message>``, exit code 2.

    ``detail`` is printed below the message (used for the caret under a syntax error).
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class CommandError(Exception):
    """Something other than the input went wrong (a full disk, a renderer that failed): printed
    as ``adviz: error: <message>``, exit code 1, without the Python exception's class name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fail(message: str, detail: str = "", code: int = 2) -> typer.Exit:
    """Print ``adviz: error: message`` (and ``detail``) on stderr; return the Exit to raise."""
    lines = [f"adviz: error: {one_line(message)}"]
    if detail:
        lines.append(detail)
    _echo_err("\n".join(lines))
    return typer.Exit(code)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` with its whitespace collapsed to single spaces, cut at ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_FULL = frozenset(getattr(errno, name) for name in ("ENOSPC", "EFBIG", "EDQUOT") if hasattr(errno, name))
"""The errors of a write that found no room: a full disk, a file-size limit, a quota."""


def describe(err: BaseException) -> str:
    """A short description of an unexpected exception, for the one-line error."""
    if isinstance(err, RecursionError):
        return "the expression is nested too deeply to evaluate"
    if isinstance(err, MemoryError):     # within the limits, but the machine has less memory than they allow
        return ("out of memory: this needs more memory than is available (the tape and the sweeps keep every "
                "intermediate value, up to ADVIZ_MAX_TOTAL_ELEMENTS numbers for the tape alone); use smaller values, "
                "or a lower ADVIZ_MAX_TOTAL_ELEMENTS so that such work is refused before it starts")
    if isinstance(err, OSError) and err.strerror:
        # Files adviz writes report their own errors (adviz.fileio); an OSError that reaches
        # here is standard output failing (`adviz trace … > /dev/full`, a file-size limit)
        # or a file a library touched: say what and where, not "OSError: [Errno 28] …".
        if err.filename is None and err.errno in _FULL:
            return f"cannot write the output: {err.strerror} (the disk is full or a file-size limit is set)"
        where = f"{err.filename}: " if err.filename is not None else ""
        return f"{where}{err.strerror}"
    text = str(err) or type(err).__name__
    return f"{type(err).__name__}: {text}" if not isinstance(err, (ValueError, TypeError)) else text


def wrapped(text: str, stream: Any = None) -> str:
    """``text`` (one message line) broken at spaces to the terminal's width when ``stream``
    (standard error) is a terminal, continuation lines indented by two spaces; unchanged
    otherwise, so that a pipe or a log file gets one line per message.

    A terminal breaks a long line at its last column, inside a word or a number
    (``-1.6644675`` / ``70201392e-16``). Here a line breaks only at a space: never inside a
    number, a name or a path (a word longer than the line stays whole), and not at the
    hyphen of ``1e-16``."""
    stream = sys.stderr if stream is None else stream
    try:
        if not stream.isatty():
            return text
    except (AttributeError, ValueError):
        return text
    import shutil
    import textwrap

    width = max(20, shutil.get_terminal_size((80, 24)).columns)
    if len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width=width, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False))


def tell(text: str) -> None:
    """Print one message (``adviz: warning: …``, ``adviz: note: …``) on standard error, wrapped
    at spaces to a terminal's width (see :func:`wrapped`)."""
    _echo_err(text)


def _echo_err(text: str) -> None:
    """Print on standard error; the first line is the message (wrapped for a terminal), any
    further lines are details drawn to fit already (the expression and its caret)."""
    first, newline, rest = text.partition("\n")
    text = wrapped(visible(first)) + newline + rest
    try:
        typer.echo(_encodable(text, sys.stderr), err=True)
    except (OSError, ValueError):   # stderr closed or unencodable: nothing more we can do
        pass


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``): a message quotes what was
    typed (a path, a --wrt), and an escape sequence in it must not clear or recolour the terminal.
    Paths adviz prints after writing a file go through it too, so they read as error lines do."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _encodable(text: str, stream: Any) -> str:
    """``text`` in ASCII spellings (``…`` → ``...``, ``∂`` → ``d``, ``—`` → ``-``) when ``stream``
    cannot encode it (``PYTHONIOENCODING=ascii``, a Latin-1 terminal), as the tables fall back to
    ASCII; anything still unencodable becomes ``?``. Unchanged otherwise."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return text
    from ..engine.notation import to_ascii

    for wide, narrow in (("—", "-"), ("–", "-"), ("→", "->"), ("≈", "~"), ("’", "'")):
        text = text.replace(wide, narrow)
    return to_ascii(text).encode(encoding, "replace").decode(encoding)


def _silence_stdout() -> None:
    """After the reader of a pipe left (``adviz trace … | head -1``), send what is still
    buffered to /dev/null so that Python's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


class _WholeWrites(io.RawIOBase):
    """Standard output's file descriptor, written in whole or not at all.

    Under a file-size limit (``ulimit -f``) or on a nearly full disk, the operating system may
    accept only the first part of a write. Python's buffered writer takes that short write as
    done and drops the rest without an error, so ``adviz trace --json > out.json`` would leave a
    truncated file and exit 0. Writing the rest again makes the system say why it cannot
    (``File too large``, ``No space left on device``), and the command fails as it should."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done

    def close(self) -> None:     # the descriptor belongs to the process, not to this object
        self.flush()
        super().close()


def _whole_writes_to_stdout() -> None:
    """Route the real standard output through :class:`_WholeWrites` (same encoding, errors and
    buffering), so that an output cut short by a full disk is an error, not a silent success.
    Leaves a replaced ``sys.stdout`` (a test runner's capture) alone."""
    stream = sys.stdout
    if stream is None or stream is not sys.__stdout__:
        return
    try:
        fd = stream.fileno()
        stream.flush()
    except (AttributeError, OSError, ValueError):   # not a real file: nothing to route
        return
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_WholeWrites(fd)),
        encoding=stream.encoding, errors=stream.errors,
        line_buffering=stream.line_buffering, write_through=stream.write_through)


def _tolerate_narrow_encodings() -> None:
    """With ``PYTHONIOENCODING=ascii`` (or a Latin-1 terminal), a character the stream cannot
    encode is replaced instead of crashing; the commands also switch to ASCII notation
    themselves (:func:`adviz.cli.output.ascii_only`), so nothing needs replacing in practice."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "ẋ→∂".encode(stream.encoding or "ascii")
        except UnicodeEncodeError:
            try:
                stream.reconfigure(errors="replace")
            except (AttributeError, ValueError):   # not a text file we can reconfigure (tests)
                pass
        except (AttributeError, LookupError):
            pass


def _quiet_library_logging() -> None:
    """Keep the libraries' log records (matplotlib's "Could not save font_manager cache" on a
    full disk, "building the font cache") off the terminal: adviz says itself, in one line,
    what went wrong. Python prints a warning of a library that configured no logging through
    ``logging.lastResort``; a handler on the root logger that drops records stops that. A
    program that set up logging itself (it gave the root logger a handler) is left alone.

    Only commands that load such libraries need it (see :data:`NO_LIBRARY_LOGGING`):
    importing ``logging`` costs ``adviz trace`` about 12 M instructions of its start-up."""
    import logging

    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


NO_LIBRARY_LOGGING = frozenset({"trace", "grad", "jacobian"})
"""Commands that load no library that logs (NumPy and rich only): they skip
:func:`_quiet_library_logging` and so never import ``logging`` (a start-up test checks it)."""

EXPRESSION_COMMANDS = frozenset({"trace", "grad", "jacobian", "graph", "compare", "demo"})
"""Commands whose argument is EXPR (an extra argument there is most often an unquoted expression)."""

_ENDINGS = (typer.Exit, typer.Abort, _CommandLineError)
"""Exceptions that are Typer's own way of ending a command: let them through."""


def argument_name(param: Any) -> str:
    """How help names a positional argument: ``EXPR`` when it is required, ``[DIR]`` when not."""
    name = param.metavar or (param.name or "").upper()
    return name if param.required or name.startswith("[") else f"[{name}]"


class Command(typer.core.TyperCommand):
    """Every adviz command: its help names arguments as Unix manuals do.

    Typer writes a required argument ``{EXPR}`` on the usage line (braces read as a set of
    choices, or as a placeholder to type with its braces) and ``EXPR <str>`` in the Arguments
    section. Here the usage line says ``adviz trace [OPTIONS] EXPR`` (optional ones in brackets,
    ``[DIR]``) and the section uses the same name, with Typer's own help text. Only Click's
    public command methods are overridden (``collect_usage_pieces``, ``format_options``); the
    class is given to ``@app.command(cls=Command)``."""

    HELP_TEXT = "Show the command's help, which ends with an example, and exit."
    """What ``-h, --help`` says, here and in docs/cli.md's tables (Click's own is "Show this message and exit.")."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = self.HELP_TEXT
        return option

    def collect_usage_pieces(self, ctx: Any) -> list:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(argument_name(param) + ("..." if param.nargs != 1 else ""))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class ErrorPolicyGroup(typer.core.TyperGroup):
    """Runs every command inside the error policy: input errors → 2, anything else → 1."""

    def get_help_option(self, ctx: Any) -> Any:
        """``adviz -h`` says what it shows, as the commands' own -h does (not Click's "this message")."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Show this help, which says where to start, and exit."
        return option

    def invoke(self, ctx: Any) -> Any:
        import numpy as np  # already loaded by the adviz package

        try:
            with np.errstate(all="ignore"):   # nan/inf are reported by adviz itself, naming the node
                return super().invoke(ctx)
        except _ENDINGS:
            raise
        except BrokenPipeError:          # `adviz trace … | head`: the reader left; stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except InputError as err:
            raise fail(err.message, err.detail, 2) from None
        except CommandError as err:
            raise fail(err.message, code=1) from None
        except KeyboardInterrupt:
            raise fail("interrupted", code=130) from None
        except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
            raise fail(describe(err), code=1) from None

    def resolve_command(self, ctx: Any, args: Any) -> Any:
        """The command about to run: quiet the libraries' logging unless it loads none."""
        name, command, rest = super().resolve_command(ctx, args)
        if name not in NO_LIBRARY_LOGGING:
            _quiet_library_logging()
        return name, command, rest

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        """Reading the command line: Ctrl-C here is an interrupt like any other (130, one line)."""
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            raise fail("interrupted", code=130) from None

    def _expression_read_as_option(self, words: list) -> str | None:
        """The first word before ``--`` that starts with ``-`` but is no option of adviz
        (``-x**2``, ``-sin(x)``, ``-2*x``): the command-line parser reads it as options, so
        the error it gives (``No such option: -x``, or ``Missing argument 'EXPR'`` when
        ``-sin(x)`` became ``-s in(x)``) needs a word on what happened."""
        names = {"--"}
        for command in [self, *self.commands.values()]:
            for param in getattr(command, "params", ()):
                names.update(getattr(param, "opts", ()), getattr(param, "secondary_opts", ()))
        for word in words:
            if word == "--":
                return None
            if isinstance(word, str) and len(word) > 1 and word.startswith("-") and not word.startswith("--") \
                    and word not in names:
                return word
        return None

    def _option_after_double_dash(self, words: list) -> bool:
        """True when an option of adviz (``--at``) comes after ``--``, where it is an argument."""
        if "--" not in words:
            return False
        names = set()
        for command in self.commands.values():
            for param in getattr(command, "params", ()):
                names.update(getattr(param, "opts", ()))
        rest = words[words.index("--") + 1:]
        return any(isinstance(w, str) and (w in names or w.split("=", 1)[0] in names) for w in rest)

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Usage errors (unknown option, missing EXPR) as one line too: ``adviz: error: …``."""
        install_plain_coercion(self)
        if standalone_mode and sys.stdout is None:   # `adviz grad … >&-`: Python gives no stream at all
            _echo_err("adviz: error: cannot write the output: standard output is closed")
            sys.exit(1)
        if standalone_mode and sys.stdin is None:    # `adviz demo <&-`: read as an empty input, not as None
            sys.stdin = open(os.devnull)  # noqa: SIM115 - the process's standard input, open until it exits
        if standalone_mode:
            _whole_writes_to_stdout()
        _tolerate_narrow_encodings()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _CommandLineError as err:
            ctx = getattr(err, "ctx", None)
            message = err.format_message()
            if message:
                if ctx is not None:
                    where = ctx.command_path
                else:                    # the option parser gives no context ("--at requires an argument")
                    words = list(sys.argv[1:] if args is None else args)
                    where = " ".join(["adviz", *[w for w in words if w in self.commands][:1]])
                hint = f" (see: {where} --help)"
                words = list(sys.argv[1:] if args is None else args)
                dashed = self._expression_read_as_option(words)
                if dashed is not None:   # `adviz grad "-x**2"`: the parser took it for options
                    hint += f'; an expression that starts with - reads as an option: write "({dashed})" or put it after --'
                elif self._option_after_double_dash(words):   # `adviz grad -- "-x**2" --at x=1`
                    hint += "; after -- every word is read as EXPR: put the options before it, " \
                            'as in adviz grad --at x=1 -- "-x**2"'
                elif message.startswith("Got unexpected extra argument") and ctx is not None \
                        and ctx.command.name in EXPRESSION_COMMANDS:   # `adviz grad x + y --at …`
                    hint += '; an expression with spaces is one word for the shell: put it in quotes, ' \
                            'as in adviz grad "x + y" --at x=1,y=2'
                _echo_err(f"adviz: error: {one_line(message)}{hint}")
            sys.exit(getattr(err, "exit_code", 2))
        except typer.Abort:
            _echo_err("adviz: aborted")
            sys.exit(1)
        try:
            sys.stdout.flush()
        except BrokenPipeError:           # the reader of a pipe left before the last line
            _silence_stdout()
        except OSError as err:            # the last of the output found no room: not a success
            _silence_stdout()
            if not rv:                    # (a command that already failed has said why, once)
                _echo_err(f"adviz: error: {one_line(describe(err))}")
            sys.exit(rv if isinstance(rv, int) and rv else 1)
        except ValueError:                # standard output was closed: nothing to flush
            pass
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=ErrorPolicyGroup,
    name="adviz",      # the help is _root's docstring, which ends with where to start
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,     # help text is printed as written: "[x*y, sin(x)]" is an expression, not markup
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"adviz {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Automatic differentiation you can watch: the tape, the forward and the reverse sweep.

    \b
    Start with:  adviz trace "sin(x**2+1)" --at x=3
    Every command's --help ends with an example.
    """
    if ctx.invoked_subcommand is None:      # `adviz` alone: the help, and success
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from .. import budget, expr  # noqa: F401 - they read their limits from the environment
    from ..envvars import PROBLEMS, positive_number

    positive_number("ADVIZ_PROGRESS_SECONDS", 0.5)  # read when a bar would appear: check it now, like the others

    if PROBLEMS:                            # ADVIZ_MAX_ELEMENTS=lots: a usage error, before any work
        raise InputError(next(iter(PROBLEMS.values())))


# ---------------------------------------------------------------- entry point
def _ignore_further_interrupts() -> None:
    """After "interrupted", a second Ctrl-C (users press it twice) must not interrupt Python's exit
    handlers: it would print "Exception ignored in atexit callback" and a traceback under the one
    line. Only the real entry point does this; tests that run the app in-process keep their Ctrl-C."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv: Optional[List[str]] = None) -> None:
    """The ``adviz`` console script: run the app; never show a traceback.

    Exit codes: 0 success, 2 usage or input error, 1 anything else, 130 interrupted.
    """
    try:
        app(args=argv, prog_name="adviz")
    except SystemExit as done:
        if done.code == 130:
            _ignore_further_interrupts()
        raise
    except KeyboardInterrupt:
        _echo_err("adviz: interrupted")
        _ignore_further_interrupts()
        sys.exit(130)
    except Exception as err:  # noqa: BLE001
        if isinstance(err, OSError) and err.filename is None and err.errno in _FULL:
            _silence_stdout()     # (`adviz --help > /dev/full`): what is left in the buffer has no room either
        _echo_err(f"adviz: error: {one_line(describe(err))}")
        sys.exit(1)
