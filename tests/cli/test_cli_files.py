"""Every file adviz writes: one rule for missing folders, atomic writes under a full disk, and
reproducible bytes.

A full disk is simulated with a tiny file-size limit (``RLIMIT_FSIZE``) in the child process:
a write beyond it fails with ``EFBIG`` (Python ignores the SIGXFSZ signal), as a write to a
full disk fails with ``ENOSPC``.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

WRITERS = {                       # name → (arguments, the file written)
    "graph svg": (["graph", "sin(x**2+1)", "--at", "x=3", "-o", "out.svg"], "out.svg"),
    "graph png": (["graph", "sin(x**2+1)", "--at", "x=3", "-o", "out.png"], "out.png"),
    "graph dot": (["graph", "sin(x**2+1)", "--at", "x=3", "--mode", "reverse", "-o", "out.dot"], "out.dot"),
    "graph --animate": (["graph", "sin(x**2+1)", "--at", "x=3", "--animate", "-o", "out.html"], "out.html"),
    "compare --plot svg": (["compare", "sin(x**2+1)", "--at", "x=3", "--plot", "out.svg"], "out.svg"),
    "compare --plot png": (["compare", "sin(x**2+1)", "--at", "x=3", "--plot", "out.png"], "out.png"),
}
LIMIT = 600
"""Bytes a child may write per file: less than any picture or page adviz makes."""


def small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_leaves_no_file_and_a_clear_error(adviz, tmp_path, name):
    args, written = WRITERS[name]
    p = adviz(*args, cwd=tmp_path, preexec_fn=small_files)
    assert p.returncode in (1, 2), p.stdout
    assert p.stderr.startswith("adviz: error: ") and "File too large" in p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    if "Graphviz" not in p.stderr:        # the WebAssembly Graphviz needs scratch files of its own
        assert p.stderr.startswith(f"adviz: error: cannot write {written}: File too large; nothing was written")
    assert list(tmp_path.iterdir()) == []                       # no truncated file, no temporary file


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_keeps_the_old_file(adviz, tmp_path, name):
    args, written = WRITERS[name]
    old = tmp_path / written
    old.write_bytes(b"the previous picture")
    p = adviz(*args, cwd=tmp_path, preexec_fn=small_files)
    assert p.returncode in (1, 2)
    assert f"{written} is unchanged" in p.stderr or "Graphviz" in p.stderr
    assert old.read_bytes() == b"the previous picture"
    assert [f.name for f in tmp_path.iterdir()] == [written]


@pytest.mark.parametrize("name", WRITERS)
def test_without_a_limit_the_same_commands_write_their_file(adviz, tmp_path, name):
    args, written = WRITERS[name]
    p = adviz(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / written).stat().st_size > LIMIT
    assert [f.name for f in tmp_path.iterdir()] == [written]


def test_lessons_on_a_full_disk(adviz, tmp_path):
    p = adviz("lessons", "course", cwd=tmp_path, preexec_fn=small_files)
    assert p.returncode in (1, 2)
    assert p.stderr.startswith("adviz: error: cannot write course: File too large") and p.stderr.count("\n") == 1
    truncated = [f.name for f in (tmp_path / "course").rglob("*") if f.is_file()]
    assert truncated == [], "lessons must be written atomically (adviz.fileio.atomic_write)"


# ---------------------------------------------------------------- one rule for missing folders
@pytest.mark.parametrize("args", [
    ["graph", "sin(x)", "--at", "x=1", "-o", "{missing}/g.svg"],
    ["graph", "sin(x)", "--at", "x=1", "-o", "{missing}/g.dot"],
    ["graph", "sin(x)", "--at", "x=1", "--animate", "-o", "{missing}/g.html"],
    ["compare", "sin(x)", "--at", "x=1", "--plot", "{missing}/p.svg"],
    ["lessons", "{missing}/course"],
])
def test_a_missing_folder_is_refused_the_same_way_everywhere(cli, tmp_path, args):
    missing = tmp_path / "no" / "such"
    r = cli(*[a.format(missing=missing) for a in args])
    assert r.exit_code == 2
    assert r.stderr == (f"adviz: error: cannot write {missing}/{Path(args[-1]).name}: the folder {missing} does not "
                        f"exist (create it first: mkdir -p {missing})\n")
    assert not (tmp_path / "no").exists()                        # nothing was created


def test_a_folder_given_as_the_output_file_is_refused(cli, tmp_path):
    r = cli("graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path))
    assert r.exit_code == 2 and "the file name must end in" in r.stderr
    (tmp_path / "pics.svg").mkdir()
    r = cli("graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "pics.svg"))
    assert r.exit_code == 2 and "that is a folder" in r.stderr


def test_a_path_problem_is_the_users_to_fix_and_a_disk_problem_is_not(cli, tmp_path, monkeypatch):
    """Permission denied (the user can fix the path) exits 2; a full disk exits 1."""
    import errno

    import adviz.fileio

    def refuse(code):
        def atomic_write(path, data, **kwargs):
            raise OSError(code, __import__("os").strerror(code), str(path))
        return atomic_write

    for code, exit_code in ((errno.EACCES, 2), (errno.ENOSPC, 1)):
        monkeypatch.setattr(adviz.fileio, "atomic_write", refuse(code))
        r = cli("graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "g.dot"))
        assert r.exit_code == exit_code
        assert r.stderr == f"adviz: error: cannot write {tmp_path / 'g.dot'}: {__import__('os').strerror(code)}; " \
                           "nothing was written\n"


# ---------------------------------------------------------------- reproducible files
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_compare_plot_is_byte_for_byte_reproducible(adviz, tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    assert adviz("compare", "sin(x**2+1)", "--at", "x=3", "--plot", str(a)).returncode == 0
    assert adviz("compare", "sin(x**2+1)", "--at", "x=3", "--plot", str(b)).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    if suffix == ".svg":
        assert b"<dc:date>" not in a.read_bytes()
