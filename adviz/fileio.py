"""Writing files safely: atomically, and never through a symlink out of the chosen folder.

Every file adviz writes (graphs, HTML animations, plots, lessons) goes through
:func:`atomic_write`.  The bytes are written to a temporary file *in the same folder* as
the destination, flushed to disk, and only then renamed over the destination.  A rename
within one file system is atomic, so a reader (or a crash, or a full disk half-way
through) sees either the old file, untouched, or the complete new one: never a truncated
file.

:func:`inside` checks that a path chosen relative to a folder stays in that folder once
symbolic links are resolved, so a crafted ``lessons/evil -> /etc`` link cannot redirect a
write.

    >>> from adviz.fileio import atomic_write
    >>> atomic_write("graph.svg", "<svg/>")          # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union

__all__ = ["atomic_write", "inside", "OutsideFolderError"]

PathLike = Union[str, "os.PathLike[str]"]


class OutsideFolderError(ValueError):
    """A destination resolves (through a symbolic link) to a place outside its folder."""


def atomic_write(path: PathLike, data: Union[bytes, str], *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The folder must exist (a missing folder raises :class:`FileNotFoundError`).  If writing
    fails for any reason (``OSError`` from a full disk, ``ulimit -f``, an interrupt), the
    temporary file is removed and any previous ``path`` is left exactly as it was.
    A symbolic link at ``path`` itself is replaced by the new file, never written through.
    """
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # keep the permissions a normal open() would give (mkstemp makes it 0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        except OSError:  # pragma: no cover - e.g. file systems without permissions
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def inside(folder: PathLike, relative: PathLike) -> Path:
    """``folder / relative``, refusing it if symlinks make it resolve outside ``folder``.

    Raises :class:`OutsideFolderError` naming the path.  The check resolves every symlink
    on the way (including one at the final component), so call it right before writing.
    """
    base = Path(folder).resolve()
    target = Path(folder) / relative
    resolved = target.resolve()
    if resolved != base and base not in resolved.parents:
        raise OutsideFolderError(f"{target} leads outside {folder} (through a symbolic link); refusing to write there")
    return target
