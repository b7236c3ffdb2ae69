"""Every file adviz writes: one rule for missing folders, atomic writes under a full disk, and
reproducible bytes.

A full disk is simulated with a tiny file-size limit (``RLIMIT_FSIZE``) in the child process:
a write beyond it fails with ``EFBIG`` (Python ignores the SIGXFSZ signal), as a write to a
full disk fails with ``ENOSPC``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

import pytest

WRITERS = {                       # name → (arguments, the file written)
    "graph svg": (["graph", "sin(x**2+1)", "--at", "x=3", "-o", "out.svg"], "out.svg"),
    "graph png": (["graph", "sin(x**2+1)", "--at", "x=3", "-o", "out.png"], "out.png"),
    "graph pdf": (["graph", "sin(x**2+1)", "--at", "x=3", "-o", "out.pdf"], "out.pdf"),
    "graph dot": (["graph", "sin(x**2+1)", "--at", "x=3", "--mode", "reverse", "-o", "out.dot"], "out.dot"),
    "graph --animate": (["graph", "sin(x**2+1)", "--at", "x=3", "--animate", "-o", "out.html"], "out.html"),
    "graph --animate --quiz": (["graph", "sin(x**2+1)", "--at", "x=3", "--animate", "--quiz", "-o", "out.html"],
                               "out.html"),
    "compare --plot svg": (["compare", "sin(x**2+1)", "--at", "x=3", "--plot", "out.svg"], "out.svg"),
    "compare --plot png": (["compare", "sin(x**2+1)", "--at", "x=3", "--plot", "out.png"], "out.png"),
}
LIMIT = 600
"""Bytes a child may write per file: less than any picture or page adviz makes."""


def small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.fixture(scope="module")
def writer_env(tmp_path_factory):
    """``writer_env(name)`` → the environment a writer runs in. PDF needs Graphviz's dot program,
    which this machine may not have: a stand-in ``dot`` on PATH answers with a PDF-sized page
    (the write path under test is adviz's, not Graphviz's)."""
    folder = tmp_path_factory.mktemp("bin")
    dot = folder / "dot"
    dot.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\n"
                   "sys.stdout.buffer.write(b'%PDF-1.4\\n' + b'%' * 5000 + b'\\n%%EOF\\n')\n")
    dot.chmod(0o755)

    def env(name: str) -> dict:
        return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"} if name == "graph pdf" else {}

    return env


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_leaves_no_file_and_a_clear_error(adviz, tmp_path, name, writer_env):
    args, written = WRITERS[name]
    p = adviz(*args, cwd=tmp_path, preexec_fn=small_files, env=writer_env(name))
    assert p.returncode in (1, 2), p.stdout
    assert p.stderr.startswith("adviz: error: ") and "File too large" in p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    if "Graphviz" not in p.stderr:        # the WebAssembly Graphviz needs scratch files of its own
        assert p.stderr.startswith(f"adviz: error: cannot write {written}: File too large; nothing was written")
    assert list(tmp_path.iterdir()) == []                       # no truncated file, no temporary file


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_keeps_the_old_file(adviz, tmp_path, name, writer_env):
    args, written = WRITERS[name]
    old = tmp_path / written
    old.write_bytes(b"the previous picture")
    p = adviz(*args, cwd=tmp_path, preexec_fn=small_files, env=writer_env(name))
    assert p.returncode in (1, 2)
    assert f"{written} is unchanged" in p.stderr or "Graphviz" in p.stderr
    assert old.read_bytes() == b"the previous picture"
    assert [f.name for f in tmp_path.iterdir()] == [written]


@pytest.mark.parametrize("name", WRITERS)
def test_without_a_limit_the_same_commands_write_their_file(adviz, tmp_path, name, writer_env):
    args, written = WRITERS[name]
    p = adviz(*args, cwd=tmp_path, env=writer_env(name))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / written).stat().st_size > LIMIT
    assert [f.name for f in tmp_path.iterdir()] == [written]


def test_a_full_disk_on_matplotlibs_first_run_is_still_one_line(adviz, tmp_path, tmp_path_factory):
    """The first plot on a machine builds matplotlib's font cache; on a full disk matplotlib
    logs "Could not save font_manager cache": the user sees adviz's one line only."""
    fresh = tmp_path_factory.mktemp("matplotlib-config")                 # no font cache yet
    p = adviz("compare", "sin(x)", "--at", "x=1", "--plot", "out.svg", cwd=tmp_path, preexec_fn=small_files,
              env={"MPLCONFIGDIR": str(fresh)})
    assert p.returncode == 1
    assert p.stderr == "adviz: error: cannot write out.svg: File too large; nothing was written\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("edition", [[], ["--solutions"], ["--nbgrader"]])
def test_lessons_on_a_full_disk(adviz, tmp_path, edition):
    p = adviz("lessons", "course", *edition, cwd=tmp_path, preexec_fn=small_files)
    assert p.returncode in (1, 2)
    assert p.stderr.startswith("adviz: error: cannot write course: File too large") and p.stderr.count("\n") == 1
    truncated = [f.name for f in (tmp_path / "course").rglob("*") if f.is_file()]
    assert truncated == [], "lessons must be written atomically (adviz.fileio.atomic_write)"
    assert list(tmp_path.iterdir()) == []                     # nor the folder it made for them


def test_lessons_on_a_full_disk_keep_a_folder_that_was_there(adviz, tmp_path):
    (tmp_path / "course").mkdir()
    for edition in ([], ["--nbgrader"]):
        p = adviz("lessons", "course", *edition, cwd=tmp_path, preexec_fn=small_files)
        assert p.returncode == 1
        assert (tmp_path / "course").is_dir()


@pytest.mark.parametrize("edition", [[], ["--nbgrader"]])
def test_lessons_replaced_on_a_full_disk_are_kept_as_they_were(adviz, tmp_path, edition):
    assert adviz("lessons", "course", *edition, cwd=tmp_path).returncode == 0
    files = sorted(f for f in (tmp_path / "course").rglob("*") if f.is_file())
    before = {f: f.read_bytes() for f in files}
    for f in files:                                   # every file differs from a fresh copy: --force replaces all
        f.write_bytes(b"the student's own work")
    p = adviz("lessons", "course", *edition, "--force", cwd=tmp_path, preexec_fn=small_files)
    assert p.returncode == 1 and p.stderr.startswith("adviz: error: cannot write course: File too large")
    assert p.stderr.count("\n") == 1
    assert sorted(f for f in (tmp_path / "course").rglob("*") if f.is_file()) == files   # no temporary file left
    now = {f: f.read_bytes() for f in files}          # each file whole: the old one, or (a small file) the new
    assert all(now[f] in (b"the student's own work", before[f]) for f in files)
    assert list(now.values()).count(b"the student's own work") >= 1


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


@pytest.mark.parametrize("args", [
    ["graph", "sin(x)", "--at", "x=1", "-o", "{long}.svg"],
    ["graph", "sin(x)", "--at", "x=1", "--animate", "-o", "{long}.html"],
    ["compare", "sin(x)", "--at", "x=1", "--plot", "{long}.svg"],
    ["lessons", "{long}"],
    ["lessons", "{long}/course"],
])
def test_a_name_too_long_for_the_file_system_is_one_line(cli, tmp_path, args):
    long = tmp_path / ("a" * 300)
    r = cli(*[a.format(long=long) for a in args])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("adviz: error: cannot write ") and "File name too long" in r.stderr
    assert r.stderr.count("\n") == 1 and "OSError" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_lessons_refuse_an_empty_folder_name(cli, tmp_path, monkeypatch):
    """``adviz lessons "$DIR"`` with DIR unset must not fill the current folder with notebooks."""
    monkeypatch.chdir(tmp_path)
    r = cli("lessons", "")
    assert r.exit_code == 2 and r.stderr == "adviz: error: DIR is empty: give a folder (write . for the current one)\n"
    assert list(tmp_path.iterdir()) == []
    assert cli("lessons", ".").exit_code == 0 and any(tmp_path.glob("*.ipynb"))   # the current folder, if meant


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


SURVEY = ["log(x1)+x1*x2-sin(x2)", "--at", "x1=2", "--at", "x2=5"]


@pytest.mark.parametrize("args", [
    ["graph", *SURVEY, "--step", "3", "-o", "out.svg"],
    ["graph", *SURVEY, "--animate", "-o", "out.html"],
    ["graph", *SURVEY, "--mode", "forward", "--animate", "-o", "out.html"],
    ["graph", *SURVEY, "--animate", "--quiz", "-o", "out.html"],
], ids=["svg", "reverse page", "forward page", "quiz page"])
def test_pictures_and_pages_are_the_same_bytes_whatever_the_hash_seed(adviz, tmp_path, args):
    """Python salts the hash of strings differently in every process, so anything built by
    iterating over a set of element ids changes order from run to run: the pages once listed
    each step's changes that way, and two runs of the same command wrote different files."""
    pages = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        p = adviz(*args, cwd=folder, env={"PYTHONHASHSEED": seed})
        assert p.returncode == 0, p.stderr
        pages.append((folder / args[-1]).read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.parametrize("name", WRITERS)
def test_an_output_that_is_a_symlink_is_replaced_never_written_through(adviz, tmp_path, name, writer_env):
    args, written = WRITERS[name]
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (elsewhere / "precious").write_bytes(b"not adviz's to change")
    (work / written).symlink_to(elsewhere / "precious")
    p = adviz(*args, cwd=work, env=writer_env(name))
    assert p.returncode == 0, p.stderr
    assert (elsewhere / "precious").read_bytes() == b"not adviz's to change"
    assert not (work / written).is_symlink() and (work / written).stat().st_size > LIMIT


# ---------------------------------------------------------------- lessons: a link out of DIR
def test_lessons_skip_a_link_out_of_dir_and_write_the_others(cli, tmp_path):
    """One lesson's name in DIR is a symbolic link to a file outside DIR: that one is skipped
    (never written through, never replaced), every other lesson is written, and the run says
    which file it skipped and why, in one line, with exit code 2."""
    from adviz.lessons import lesson_paths

    names = [path.name for path in lesson_paths()]
    outside = tmp_path / "precious.txt"
    outside.write_text("do not touch")
    dest = tmp_path / "course"
    dest.mkdir()
    (dest / names[1]).symlink_to(outside)
    for force in ([], ["--force"]):
        r = cli("lessons", str(dest), *force)
        assert r.exit_code == 2, r.output
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("adviz: error: skipped 1 file")
        assert names[1] in r.stderr and "outside" in r.stderr and "symbolic link" in r.stderr
        assert f"skipped    {names[1]}" in r.stdout
        assert outside.read_text() == "do not touch" and (dest / names[1]).is_symlink()
        assert all((dest / name).is_file() and not (dest / name).is_symlink() for name in names if name != names[1])
    r = cli("lessons", str(dest), "--json")
    files = {f["path"]: f["status"] for f in json.loads(r.stdout)["files"]}
    assert r.exit_code == 2 and files[names[1]] == "skipped" and files[names[0]] == "unchanged"


def test_nbgrader_skips_the_lessons_under_a_link_out_of_dir(cli, tmp_path):
    from adviz.lessons import lesson_paths

    stems = [path.stem for path in lesson_paths()]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "source" / stems[0]).symlink_to(elsewhere)
    r = cli("lessons", str(course), "--nbgrader")
    assert r.exit_code == 2 and r.stderr.startswith("adviz: error: skipped 1 file") and r.stderr.count("\n") == 1
    assert not any(elsewhere.iterdir())
    assert (course / "nbgrader_config.py").is_file()
    assert all((course / "source" / stem / f"{stem}.ipynb").is_file() for stem in stems[1:])


# ---------------------------------------------------------------- a link to a folder that does not exist
def test_a_dangling_link_as_the_folder_says_where_it_points(cli, tmp_path, monkeypatch):
    """``mkdir -p`` cannot make a folder where a link stands: the message names the link and
    its target instead of suggesting it (and lessons said 'File exists' with exit code 1)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere" / "pictures")
    for args in (["graph", "sin(x)", "--at", "x=1", "-o", "gone/sin.svg"],
                 ["compare", "sin(x)", "--at", "x=1", "--plot", "gone/err.png"],
                 ["lessons", "gone"], ["lessons", "gone", "--nbgrader"]):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.count("\n") == 1 and "gone is a symbolic link to" in r.stderr, r.stderr
        assert str(tmp_path / "nowhere" / "pictures") in r.stderr and "does not exist" in r.stderr
        assert "mkdir -p gone" not in r.stderr and "File exists" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone"]


@pytest.mark.parametrize("link", ["source", "source/{stem}"])
def test_nbgrader_names_a_dangling_link_inside_the_course(cli, tmp_path, link):
    from adviz.lessons import lesson_paths

    stem = lesson_paths()[0].stem
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    where = course / link.format(stem=stem)
    if where.is_dir():
        where.rmdir()
    where.symlink_to(course / "missing")
    r = cli("lessons", str(course), "--nbgrader")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.output
    assert f"{where} is a symbolic link to {course / 'missing'}, which does not exist" in r.stderr


@pytest.mark.parametrize("extra", [[], ["--animate"]])
def test_an_empty_output_name_is_named_as_empty(cli, tmp_path, monkeypatch, extra):
    monkeypatch.chdir(tmp_path)
    r = cli("graph", "sin(x)", "--at", "x=1", *extra, "-o", "")
    assert r.exit_code == 2 and r.stderr.startswith("adviz: error: -o is empty: give a file name, such as adviz-")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args", [["graph", "sin(x)", "--at", "x=1", "-o", "notes.txt/sin.svg"],
                                  ["compare", "sin(x)", "--at", "x=1", "--plot", "notes.txt/err.png"],
                                  ["lessons", "notes.txt/course"]])
def test_a_file_where_the_folder_should_be_is_not_told_to_mkdir(cli, tmp_path, monkeypatch, args):
    """``mkdir -p notes.txt`` cannot work when notes.txt is a file: the message says what it is."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    r = cli(*args)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert r.stderr.endswith(": notes.txt is a file, not a folder\n") and "mkdir" not in r.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
