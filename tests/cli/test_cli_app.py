"""The app as a whole: help, exit codes, the entry points, pipes, encodings, Ctrl-C, short flags."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ENV, MAIN

COMMANDS = ("trace", "grad", "jacobian", "graph", "compare", "demo", "lessons")


def test_adviz_alone_prints_the_help_and_succeeds(cli, adviz):
    r = cli()
    assert r.exit_code == 0 and "Usage: adviz" in r.stdout and "trace" in r.stdout
    p = adviz()
    assert p.returncode == 0 and "Usage: adviz" in p.stdout and p.stderr == ""
    # a new user is told where to start (Typer's help= used to hide the docstring that says it)
    assert 'Start with:  adviz trace "sin(x**2+1)" --at x=3' in r.stdout
    assert "Show this message and exit." not in r.stdout and "Show this help, which says where to start" in r.stdout


def test_python_dash_m_adviz_works():
    p = subprocess.run([sys.executable, "-m", "adviz", "grad", "x*x", "--at", "x=3", "--json"], capture_output=True,
                       text=True, timeout=60, env={**os.environ, **ENV})
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["gradient"] == {"x": 6.0}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_printed_as_written(cli, command):
    r = cli(command, "--help")
    assert r.exit_code == 0
    assert "<bool>" not in r.stdout                                  # flags are flags
    options = [line for line in r.stdout.splitlines() if line.lstrip().startswith("-")]
    assert options and not any("<str>" in line for line in options)  # values have names
    assert "Example:" in r.stdout


@pytest.mark.parametrize("command, usage", [("demo", "Usage: adviz demo [OPTIONS] [EXPR]"),
                                            ("lessons", "Usage: adviz lessons [OPTIONS] [DIR]")])
def test_an_optional_argument_is_bracketed_once(cli, command, usage):
    r = cli(command, "--help")
    assert r.stdout.splitlines()[0] == usage


@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_option_says_what_docs_cli_md_says(cli, command):
    text = " ".join(cli(command, "--help").stdout.split())
    assert "-h, --help Show the command's help, which ends with an example, and exit." in text
    assert "Show this message and exit." not in text


@pytest.mark.parametrize("command, usage, argument", [
    ("trace", "Usage: adviz trace [OPTIONS] EXPR", "EXPR"), ("grad", "Usage: adviz grad [OPTIONS] EXPR", "EXPR"),
    ("graph", "Usage: adviz graph [OPTIONS] EXPR", "EXPR"), ("demo", "Usage: adviz demo [OPTIONS] [EXPR]", "[EXPR]"),
    ("lessons", "Usage: adviz lessons [OPTIONS] [DIR]", "[DIR]")])
def test_an_argument_is_named_as_the_usage_line_names_it(cli, command, usage, argument):
    """A required argument is EXPR (Typer writes {EXPR}, which reads as a set of choices or a
    placeholder to fill in with braces), an optional one [EXPR]; the Arguments section names it
    the same way, without Typer's <str> or <Path>."""
    lines = cli(command, "--help").stdout.splitlines()
    assert lines[0] == usage
    section = lines[lines.index("Arguments:") + 1]
    assert section.split()[0] == argument and "<" not in section and "{" not in "\n".join(lines[:2])


@pytest.mark.parametrize("args, hint", [(["grad", "x", "--at"], "adviz grad --help"),
                                        (["graph", "x", "-o"], "adviz graph --help"),
                                        (["grad"], "adviz grad --help"), (["--bogus"], "adviz --help")])
def test_every_usage_error_points_to_the_help(cli, args, hint):
    r = cli(*args)
    assert r.exit_code == 2 and r.stderr.startswith("adviz: error: ")
    assert r.stderr.endswith(f" (see: {hint})\n") and r.stderr.count("\n") == 1


@pytest.mark.parametrize("args, fixed", [
    (["grad", "--", "(-x**2)", "--at", "x=1"], ["grad", "--at", "x=1", "--", "(-x**2)"]),
    (["trace", "--", "-x", "-a", "x=1"], ["trace", "-a", "x=1", "--", "-x"]),
    (["jacobian", "--", "[-x, x]", "--at=x=1"], ["jacobian", "--at=x=1", "--", "[-x, x]"])])
def test_an_option_after_double_dash_is_explained(cli, args, fixed):
    """After --, every word is EXPR: --at there is an extra argument, and the line says so."""
    r = cli(*args)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "after -- every word is read as EXPR: put the options before it" in r.stderr, r.stderr
    assert cli(*fixed).exit_code == 0


@pytest.mark.parametrize("args", [["grad", "x", "+", "y", "--at", "x=1,y=2"], ["trace", "x", "*2", "--at", "x=1"],
                                  ["demo", "x", "+", "1"]])
def test_an_unquoted_expression_is_explained(cli, args):
    """``adviz grad x + y``: the shell splits the expression into three words."""
    r = cli(*args)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "unexpected extra argument" in r.stderr
    assert "an expression with spaces is one word for the shell: put it in quotes" in r.stderr
    assert "put it in quotes" not in cli("lessons", "a", "b").stderr      # DIR is no expression


@pytest.mark.parametrize("args, word", [(["grad", "-x**2", "--at", "x=1"], "-x**2"),
                                        (["trace", "-sin(x)", "--at", "x=1"], "-sin(x)"),
                                        (["jacobian", "-a*x", "--at", "x=1,a=2"], "-a*x")])
def test_an_expression_starting_with_minus_is_explained(cli, args, word):
    """The parser reads "-x**2" as the option -x (and "-sin(x)" as -s with the value "in(x)",
    then misses EXPR): the one line says so, and how to write it."""
    r = cli(*args)
    assert r.exit_code == 2 and r.stderr.startswith("adviz: error: ") and r.stderr.count("\n") == 1
    assert r.stderr.endswith(f'; an expression that starts with - reads as an option: write "({word})" '
                             "or put it after --\n")
    assert cli(*args[:1], f"({word})", *args[2:]).exit_code == 0
    assert cli(*args[:1], *args[2:], "--", word).exit_code == 0


def test_help_keeps_bracketed_formulas(cli):
    r = cli("jacobian", "--help")
    assert 'adviz jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3 --mode reverse' in r.stdout


@pytest.mark.parametrize("command, extra", [
    ("trace", []), ("grad", []), ("jacobian", []), ("compare", []), ("demo", ["--auto", "0"]),
    ("graph", ["-o", "GRAPH.dot"]),
])
def test_short_a_is_at_on_every_command(cli, tmp_path, command, extra):
    extra = [str(tmp_path / e) if e.endswith(".dot") else e for e in extra]
    r = cli(command, "sin(x)", "-a", "x=1", *extra)
    assert r.exit_code == 0, r.output


def test_expression_from_stdin_is_shown_as_read(cli):
    r = cli("grad", "-", "--at", "x=3", input="sin(x**2+1)\n")
    assert r.exit_code == 0
    assert r.text.splitlines()[0] == "adviz grad  sin(x**2+1)  at x = 3.0"
    r = cli("trace", "-", "--at", "x=3", "--json", input="x*x")
    assert json.loads(r.stdout)["expression"] == "x*x"
    r = cli("jacobian", "-", "--at", "x=3", "--json", input="[x, x*x]")
    assert json.loads(r.stdout)["expression"] == "[x, x*x]"
    r = cli("grad", "-", "--at", "x=3", input="\n  \n")
    assert r.exit_code == 2 and r.stderr == ("adviz: error: EXPR is -, but standard input held no expression "
                                             '(try: echo "sin(x)" | adviz grad - --at x=1)\n')


@pytest.mark.parametrize("name", ["f", "self", "expr", "at", "mode", "args"])
def test_any_variable_name_works(cli, name):
    r = cli("grad", f"{name}*{name}", "--at", f"{name}=3", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["gradient"] == {name: 6.0}
    assert cli("trace", f"2*{name}", "--at", f"{name}=1").exit_code == 0


def test_a_variable_named_like_an_operation_never_shares_its_name(cli):
    """Variables v1 and v2 once shared their names with the operations v1 = v1 * v2 and
    v2 = sin(v1): the table said "v̄1 += v̄1·v2", a sum of two different v1s. The
    operations then take the next free letter (w1, w2, …)."""
    import adviz as ad

    r = cli("trace", "v1*v2 + sin(v1)", "--at", "v1=2,v2=5", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    names = [node["name"] for node in data["nodes"]]
    assert names == ["v1", "v2", "w1", "w2", "w3"]
    assert data["reverse"][0]["result"] == pytest.approx({"v1": 5 + np.cos(2.0), "v2": 2.0})
    updates = [term["update"] for step in data["reverse"][0]["steps"] for term in step["terms"]]
    assert updates[-2:] == ["v̄1 += w̄1·v2", "v̄2 += w̄1·v1"]
    t = ad.trace(lambda v1, w1: v1 * w1, 2.0, 3.0)   # a traced function's arguments too
    assert [n.name for n in t.nodes] == ["v1", "w1", "u1"] and t.nodes[t.index("u1")].definition == "v1 * w1"
    assert [n.name for n in ad.trace(lambda x: x * 2, 1.0).nodes] == ["x", "v1"]


def test_demo_auto_must_be_a_sensible_number(cli):
    for bad in ("inf", "nan", "-1", "1e9"):
        r = cli("demo", "--auto", bad)
        assert r.exit_code == 2, (bad, r.output)
        assert r.stderr.startswith("adviz: error: --auto needs") and r.stderr.count("\n") == 1


def test_invalid_graphviz_backend_is_a_usage_error(cli, tmp_path):
    r = cli("graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "g.svg"), env={"ADVIZ_GRAPHVIZ_BACKEND": "bogus"})
    assert r.exit_code == 2
    assert "ADVIZ_GRAPHVIZ_BACKEND" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize("name, value", [("ADVIZ_MAX_ELEMENTS", "lots"), ("ADVIZ_MAX_ELEMENTS", "-5"),
                                         ("ADVIZ_MAX_ELEMENTS", "0"), ("ADVIZ_MAX_ELEMENTS", "2.5"),
                                         ("ADVIZ_MAX_ELEMENTS", "inf"), ("ADVIZ_SYMPY_SECONDS", "soon"),
                                         ("ADVIZ_SYMPY_SECONDS", "0")])
def test_an_invalid_limit_in_the_environment_is_a_usage_error(adviz, name, value):
    """Read when adviz is imported: a bad value once stopped even ``import adviz`` with a traceback."""
    p = adviz("grad", "x*x", "--at", "x=3", env={name: value})
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == f"adviz: error: {name}={value!r} is not a positive {'whole ' if 'ELEMENTS' in name else ''}" \
                       f"number; give one (the default is {'10,000,000' if 'ELEMENTS' in name else '30'}) or unset it\n"
    library = subprocess.run([sys.executable, "-c", "import adviz, adviz.budget; from adviz.envvars import PROBLEMS; "
                              "print(adviz.expr.MAX_ELEMENTS, adviz.budget.SYMPY_SECONDS, sorted(PROBLEMS))"],
                             capture_output=True, text=True, timeout=120, env={**os.environ, name: value})
    assert library.returncode == 0 and library.stdout.split() == ["10000000", "30.0", f"['{name}']"]


@pytest.mark.parametrize("value", ["soon", "-1", "0"])
def test_an_invalid_progress_delay_is_a_usage_error_for_every_command(cli, value):
    """ADVIZ_PROGRESS_SECONDS is read only when work is long enough for a bar: a typo in it went
    unnoticed by every quick command. It is checked with the other variables, before any work."""
    r = cli("grad", "x*x", "--at", "x=3", env={"ADVIZ_PROGRESS_SECONDS": value})
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (f"adviz: error: ADVIZ_PROGRESS_SECONDS={value!r} is not a positive number; "
                        "give one (the default is 0.5) or unset it\n")


def test_a_valid_limit_in_the_environment_is_used(adviz):
    big = "sum([1,2,3,4,5,6,7,8,9,10,11] + [[1],[2],[3],[4],[5],[6],[7],[8],[9],[10]])*x"   # a 10 x 11 array
    assert adviz("grad", big, "--at", "x=1", env={"ADVIZ_MAX_ELEMENTS": "1e3"}).returncode == 0
    p = adviz("grad", big, "--at", "x=1", env={"ADVIZ_MAX_ELEMENTS": "100"})
    assert p.returncode == 2 and "(110 elements); the limit is 100 " in p.stderr


# ---------------------------------------------------------------- real processes: streams and signals
@pytest.mark.parametrize("args", [["trace", "sin(x**2+1)", "--at", "x=3"],
                                  ["trace", "sin(x**2+1)", "--at", "x=3", "--json"],
                                  ["jacobian", "[x*y, sin(x), x+y]", "--at", "x=2,y=3"]])
def test_a_reader_that_leaves_early_is_not_an_error(args):
    """`adviz trace … | head -1`: exit 0, nothing on stderr, whenever head leaves."""
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", MAIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **ENV})
        proc.stdout.readline()
        proc.stdout.close()
        assert proc.wait(timeout=60) == 0
        assert proc.stderr.read() == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["grad", "x*y", "--at", "x=2,y=3"],
                                  ["jacobian", "x*2", "--at", "x=[1,2,3]", "--json"],
                                  ["trace", "sin(x)", "--at", "x=1", "--python"],
                                  ["--help"], ["--version"]])
def test_output_to_a_full_disk_is_one_clear_line_and_exit_1(args):
    """`adviz … > /dev/full`: standard output finds no room. That is a failure (exit 1), said in
    words, without Python's class name and errno ("OSError: [Errno 28] …")."""
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-c", MAIN, *args], stdout=full, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, **ENV}, timeout=60)
    assert p.returncode == 1
    assert p.stderr == ("adviz: error: cannot write the output: No space left on device "
                        "(the disk is full or a file-size limit is set)\n")


@pytest.mark.skipif(not hasattr(__import__("os"), "fork") or sys.platform == "win32", reason="needs RLIMIT_FSIZE")
@pytest.mark.parametrize("args", [["trace", "sin(x**2+1)*cos(x)*exp(x)+log(x)*tanh(x)", "--at", "x=3", "--python"],
                                  ["trace", "sin(x**2+1)*cos(x)*exp(x)+log(x)*tanh(x)", "--at", "x=3", "--json"],
                                  ["trace", "sin(x**2+1)*cos(x)*exp(x)+log(x)*tanh(x)", "--at", "x=3"]])
def test_output_cut_short_by_a_file_size_limit_is_a_failure(args, tmp_path):
    """`ulimit -f 1; adviz trace … --json > out.json`: the system takes the first KiB and refuses
    the rest. Python's buffered writer takes such a short write as done and drops the rest, which
    made this a truncated file and exit 0; the output is a failure, said once, in words."""
    import resource

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    out = tmp_path / "out.txt"
    with open(out, "w") as target:
        p = subprocess.run([sys.executable, "-c", MAIN, *args], stdout=target, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, **ENV}, timeout=60, preexec_fn=limit_file_size)
    assert out.stat().st_size == 1024          # the limit was reached: the output is longer
    assert p.returncode == 1
    assert p.stderr == ("adviz: error: cannot write the output: File too large "
                        "(the disk is full or a file-size limit is set)\n")


def test_ascii_only_output_falls_back_to_ascii(adviz):
    p = adviz("trace", "sin(x**2+1)", "--at", "x=3", env={"PYTHONIOENCODING": "ascii"})
    assert p.returncode == 0, p.stderr
    assert "x_dot" in p.stdout and "->" in p.stdout
    p = adviz("grad", "log(x)", "--at", "x=-1", env={"PYTHONIOENCODING": "ascii"})
    assert p.returncode == 0 and p.stderr.startswith("adviz: warning:")
    p = adviz("grad", "x", "--at", "x=1", "--json", env={"PYTHONIOENCODING": "ascii"})
    assert p.returncode == 0 and json.loads(p.stdout)["gradient"] == {"x": 1.0}


def _ctrl_c_reaches_the_child() -> None:
    """Run in the child before adviz starts: Ctrl-C (SIGINT) does what it does in a terminal.

    A shell starts a background job (``pytest … &``, ``nohup pytest &`` in a CI script) with SIGINT
    ignored, children inherit that, and Python installs its KeyboardInterrupt handler only where
    SIGINT is not ignored: the tests below would send a SIGINT that nobody hears and time out."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_with_one_line():
    proc = subprocess.Popen([sys.executable, "-c", MAIN, "demo"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **ENV}, text=True,
                            preexec_fn=_ctrl_c_reaches_the_child)
    deadline = time.monotonic() + 60
    while "adviz demo 1/" not in (proc.stdout.readline() or "") and time.monotonic() < deadline:
        pass                                   # the first screen is up: the demo waits for Enter
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert proc.stderr.read() == "adviz: error: interrupted\n"
    proc.stdin.close()
    proc.stdout.close()


def test_ctrl_c_during_long_work_exits_130_with_one_line():
    """Ctrl-C while a big Jacobian is being computed. The signal is sent once the progress bar is
    on the terminal (the work is under way and far from done), not after a guessed delay."""
    import pty

    values = "x=[" + ",".join(["1"] * 3000) + "]"          # 3000 sweeps each way: seconds of work
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", MAIN, "jacobian", "sin(x)*x", "--at", values],
                            stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                            env={**os.environ, **ENV, "COLUMNS": "100", "TERM": "xterm",
                                 "ADVIZ_PROGRESS_SECONDS": "1e-6"},   # the bar at the first sweep
                            preexec_fn=_ctrl_c_reaches_the_child)
    os.close(follower)
    shown = b""
    while b"Jacobian sweeps" not in shown:
        chunk = os.read(leader, 65536)
        assert chunk, shown                                # the bar appears before the work is done
        shown += chunk
    proc.send_signal(signal.SIGINT)
    rest = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:                                    # the child closed the terminal
            break
        if not chunk:
            break
        rest += chunk
    assert proc.wait(timeout=120) == 130
    os.close(leader)
    text = rest.decode("utf-8", "replace")
    assert "adviz: error: interrupted" in text and "Traceback" not in text
    assert "Jacobian (" not in text                      # stopped: no table printed


SLOW_EXIT = """
import atexit, sys, time
atexit.register(time.sleep, 3)   # like the WebAssembly Graphviz released at exit: work after the command
from adviz.cli import main
sys.argv[0] = "adviz"
main()
"""


def test_a_second_ctrl_c_while_adviz_exits_prints_nothing_more():
    """Users press Ctrl-C twice. The second one, while Python runs its exit handlers (adviz releases
    the WebAssembly Graphviz there), printed "Exception ignored in atexit callback" and a traceback
    after the one-line message."""
    proc = subprocess.Popen([sys.executable, "-c", SLOW_EXIT, "demo"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **ENV}, text=True,
                            preexec_fn=_ctrl_c_reaches_the_child)
    deadline = time.monotonic() + 60
    while "adviz demo 1/" not in (proc.stdout.readline() or "") and time.monotonic() < deadline:
        pass
    proc.send_signal(signal.SIGINT)
    time.sleep(1.0)                                   # the command has ended; the exit handler sleeps
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert proc.stderr.read() == "adviz: error: interrupted\n"
    proc.stdin.close()
    proc.stdout.close()

STUCK_IN_NATIVE_CODE = """
import hashlib, signal, sys
import adviz.render.graph, adviz.render.html

def stuck(*args, **kwargs):   # like the WebAssembly Graphviz on a huge graph: native code, no signal checks
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})   # this thread: no Ctrl-C from now on, so
    sys.stderr.write("drawing\\n"); sys.stderr.flush()         # none is seen before the native code runs
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 2**31 - 1)      # many minutes in C

adviz.render.graph.write_graph = adviz.render.html.write_sweep_html = stuck
from adviz.cli import main
sys.argv[0] = "adviz"
main()
"""


@pytest.mark.parametrize("extra", [["-o", "g.svg"], ["--animate", "-o", "g.html"]])
def test_ctrl_c_stops_a_graph_stuck_in_native_code(tmp_path, extra):
    """Python sees Ctrl-C only between its own instructions: the drawing runs in a helper thread
    so that the command stops at once instead of when Graphviz returns (minutes later)."""
    proc = subprocess.Popen([sys.executable, "-c", STUCK_IN_NATIVE_CODE, "graph", "sin(x)", "--at", "x=1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, **ENV}, preexec_fn=_ctrl_c_reaches_the_child)
    try:
        assert proc.stderr.readline() == "drawing\n"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 130          # a hang guard: without the helper thread, hours
    finally:
        proc.kill()
        proc.wait()
    assert proc.stderr.read() == "adviz: error: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_the_helper_thread_works_as_the_command_would():
    """Same NumPy error settings (the commands report nan/inf themselves), same exceptions."""
    import warnings

    import numpy as np

    from adviz.cli.output import interruptible

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):
            assert interruptible(lambda: np.float64(1e308) * 10) == np.inf
        with np.errstate(over="raise"), pytest.raises(FloatingPointError):
            interruptible(lambda: np.float64(1e308) * 10)
    with pytest.raises(ZeroDivisionError):
        interruptible(lambda: 1 / 0)


def test_ctrl_c_while_the_command_line_is_read_exits_130(cli, monkeypatch):
    """Before a command runs, Typer turns Ctrl-C into its Abort: that is an interrupt too."""
    from adviz.cli.coercion import PlainValue

    def interrupted(self, value, param, ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr(PlainValue, "coerce", interrupted)
    r = cli("grad", "x", "--at", "x=1")
    assert r.exit_code == 130
    assert r.stderr.endswith("adviz: error: interrupted\n") and "aborted" not in r.stderr


def _run_in_a_terminal(args: list[str], **env: str) -> str:
    """Run adviz with stdout and stderr on a pseudo-terminal; return everything it showed."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", MAIN, *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL,
                            env={**os.environ, **ENV, "COLUMNS": "100", "TERM": "xterm", **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:                  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_long_work_shows_progress_on_a_terminal_and_never_in_a_pipe(adviz):
    """How long is "long" depends on the machine, so the test sets the delay before the bar to
    a microsecond (ADVIZ_PROGRESS_SECONDS) instead of hoping the work takes half a second."""
    values = "x=[" + ",".join(["1"] * 2500) + "]"
    shown = _run_in_a_terminal(["jacobian", "sin(x)*x", "--at", values], ADVIZ_PROGRESS_SECONDS="1e-6")
    assert "Jacobian sweeps" in shown and "━" in shown
    quick = _run_in_a_terminal(["jacobian", "sin(x)*x", "--at", "x=[1,2]"])
    assert "Jacobian sweeps" not in quick and "Jacobian" in quick     # quick work never flashes a bar
    piped = adviz("jacobian", "sin(x)*x", "--at", values, env={"ADVIZ_PROGRESS_SECONDS": "1e-6"})
    assert piped.returncode == 0 and piped.stderr == "" and "Jacobian sweeps" not in piped.stdout


def test_expr_dash_at_a_terminal_says_what_it_waits_for():
    """``adviz grad - --at x=1`` typed at a terminal waits for the expression: it says so on
    standard error (otherwise it looks hung), then reads what is typed up to Ctrl-D."""
    master, slave = os.openpty()
    p = subprocess.Popen([sys.executable, "-c", MAIN, "grad", "-", "--at", "x=3", "--json"], stdin=slave,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **ENV})
    os.close(slave)
    try:
        os.write(master, b"x*x\n")
        time.sleep(0.5)
        os.write(master, b"\x04")
        out, err = p.communicate(timeout=60)
    finally:
        os.close(master)
    assert p.returncode == 0, err
    assert err.decode() == "adviz: reading EXPR from standard input: type it, press Enter, then Ctrl-D\n"
    assert json.loads(out)["gradient"] == {"x": 6.0}
    piped = subprocess.run([sys.executable, "-c", MAIN, "grad", "-", "--at", "x=3"], input="x*x", text=True,
                           capture_output=True, env={**os.environ, **ENV}, timeout=60)
    assert piped.returncode == 0 and piped.stderr == ""


class _Terminal:
    def __init__(self, tty: bool = True) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_long_message_is_wrapped_at_spaces_for_a_terminal_only(monkeypatch):
    """A terminal breaks a long line at its last column, inside a number; adviz breaks it at spaces."""
    from adviz.cli.app import wrapped

    monkeypatch.setenv("COLUMNS", "60")
    text = ("adviz: warning: the local derivative ∂v1/∂x = -1.664467570201392e-16 of v1 = sqrt(x) "
            "is inf at x = 0.0000000000000000001234567890123 (the slope is infinite or undefined there)")
    lines = wrapped(text, _Terminal()).splitlines()
    assert len(lines) > 2 and all(len(line) <= 60 for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == text          # only spaces became line breaks
    words = text.split()
    assert all(word in words for line in lines for word in line.split())   # no number cut in two
    assert wrapped(text, _Terminal(tty=False)) == text                  # a pipe or a log: one line


def test_warnings_at_a_narrow_terminal_break_between_words(tmp_path):
    """The real command on a pseudo-terminal of 60 columns: every line fits, no number is split."""
    import pty

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "60", "NO_COLOR": "1", "TERM": "dumb"}
    with open(os.devnull, "w") as devnull:
        done = subprocess.run([sys.executable, "-c", MAIN, "grad", "log(x)", "--at", "x=-1"],
                              stdout=devnull, stderr=secondary, env=env, timeout=120)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    lines = text.strip().splitlines()
    assert done.returncode == 0
    assert lines[0].startswith("adviz: warning: v1 = log(x) is nan at x = -1.0")
    assert len(lines) > 2 and all(len(line) <= 60 for line in lines)
    assert "(∂v1/∂x = 1/x = -1.0)," in " ".join(line.strip() for line in lines)


def test_a_closed_standard_output_is_one_line():
    """`adviz grad … >&-`: Python's sys.stdout is None, and the command said
    "AttributeError: 'NoneType' object has no attribute 'write'" twice."""
    p = subprocess.run([sys.executable, "-c", MAIN, "grad", "x", "--at", "x=1"], stdout=None, stderr=subprocess.PIPE,
                       text=True, timeout=60, env={**os.environ, **ENV}, preexec_fn=lambda: os.close(1))
    assert p.returncode == 1
    assert p.stderr == "adviz: error: cannot write the output: standard output is closed\n"


def test_a_closed_standard_input_reads_as_empty():
    """`adviz grad - <&-` and `adviz demo <&-` said "AttributeError: 'NoneType' object has no attribute …"."""
    def run(*args):
        return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=False, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120, env={**os.environ, **ENV},
                              preexec_fn=lambda: os.close(0))

    p = run("grad", "-", "--at", "x=1")
    assert p.returncode == 2 and "standard input held no expression" in p.stderr
    p = run("demo", "x*x", "--at", "x=2")
    assert p.returncode == 0 and p.stderr == "" and "One reverse sweep gave the whole gradient" in p.stdout


def test_messages_fall_back_to_ascii_with_the_tables(adviz):
    """With PYTHONIOENCODING=ascii the tables print ASCII; the errors still carried '…', '—' and '∂'
    (bytes an ASCII or Latin-1 terminal shows as garbage)."""
    env = {"PYTHONIOENCODING": "ascii"}
    p = adviz("grad", "sigmoid(x)", "--at", "x=1", env=env)
    assert p.returncode == 2 and p.stderr.isascii()
    assert "unknown function 'sigmoid' - write it out: 1/(1 + exp(-x))" in p.stderr
    p = adviz("compare", "sum(x*y)", "--at", "x=[1,2]", "--at", "y=2", "--wrt", "x[" + "1" * 80 + "]", env=env)
    assert p.returncode == 2 and p.stderr.isascii() and "1...: is not" not in p.stderr and "1... is not" in p.stderr
    p = adviz("grad", "log(x)", "--at", "x=-1", env=env)
    assert p.returncode == 0 and p.stderr.isascii() and "(dv1/dx = 1/x = -1.0)" in p.stderr
    p = adviz("grad", "sigmoid(x)", "--at", "x=1")                     # a UTF-8 terminal keeps the dash
    assert "unknown function 'sigmoid' — write it out" in p.stderr


def test_control_characters_typed_in_a_path_are_shown_escaped(cli, tmp_path):
    """A message quotes what was typed; an escape sequence in it reached the terminal raw."""
    r = cli("graph", "x", "--at", "x=1", "-o", str(tmp_path / "no\x1b[2Jdir" / "g.svg"))
    assert r.exit_code == 2 and "no\\x1b[2Jdir" in r.stderr and "\x1b" not in r.stderr
    r = cli("compare", "sum(x)", "--at", "x=[1,2]", "--wrt", "x[\x1b[31m]")
    assert r.exit_code == 2 and r.stderr.startswith("adviz: error: x[\\x1b[31m] is not an entry of x")


def test_control_characters_in_a_written_path_are_shown_escaped(cli, tmp_path):
    """graph -o printed the written path raw, while error lines escape it: an escape sequence in a
    file name reached the terminal. Every path printed after a write now reads as in an error line."""
    name = "a\x1b[2Jb"
    r = cli("graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / f"{name}.svg"))
    assert r.exit_code == 0 and (tmp_path / f"{name}.svg").exists()
    assert r.stdout == str(tmp_path / "a\\x1b[2Jb.svg") + "\n"
    r = cli("compare", "sin(x)", "--at", "x=1", "--plot", str(tmp_path / f"{name}.png"))
    assert r.exit_code == 0 and (tmp_path / f"{name}.png").exists()
    assert "\x1b" not in r.stdout and "figure saved to " + str(tmp_path / "a\\x1b[2Jb.png") in r.stdout
    r = cli("lessons", str(tmp_path / name))
    assert r.exit_code == 0 and (tmp_path / name).is_dir()
    assert "\x1b" not in r.stdout and str(tmp_path / "a\\x1b[2Jb") in r.stdout
