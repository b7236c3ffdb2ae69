"""adviz.fileio: atomic writes survive a full disk; symlinks never lead out of a folder."""

import os
import subprocess
import sys
import textwrap

import pytest

from adviz.fileio import OutsideFolderError, atomic_write, inside


def test_atomic_write_creates_and_replaces(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write(target, "first")
    atomic_write(target, b"second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left behind


def test_atomic_write_keeps_old_file_when_the_disk_is_full(tmp_path):
    target = tmp_path / "old.svg"
    target.write_text("old content")
    script = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        from adviz.fileio import atomic_write
        try:
            atomic_write({str(target)!r}, "x" * 100_000)
        except OSError:
            raise SystemExit(3)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 3, result.stderr
    assert target.read_text() == "old content"
    assert sorted(os.listdir(tmp_path)) == ["old.svg"]


def test_atomic_write_replaces_a_symlink_instead_of_following_it(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    atomic_write(folder / "link.txt", "new")
    assert outside.read_text() == "precious"
    assert not (folder / "link.txt").is_symlink()


def test_inside_refuses_a_symlink_out_of_the_folder(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "escape").symlink_to(tmp_path)
    assert inside(folder, "a.ipynb") == folder / "a.ipynb"
    with pytest.raises(OutsideFolderError, match="outside"):
        inside(folder, "escape/a.ipynb")
