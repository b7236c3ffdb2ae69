"""Drive adviz's widgets in a real JupyterLab, in headless Chromium, as a student would.

Used by ``test_jupyterlab.py`` (a short check that runs in CI) and by
``jupyterlab_screens.py`` (screenshots of every widget at laptop widths, run by hand).
It starts JupyterLab from this Python (pip's ``jupyterlab``) on a free local port with a
fresh workspace, opens a notebook, runs all its cells and hands back a Playwright page.
Chromium is the system one (``/usr/bin/chromium``), driven by Playwright's Python package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("ADVIZ_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def available() -> str | None:
    """Why the JupyterLab checks cannot run here, or None if they can."""
    if not Path(CHROMIUM).exists():
        return "no chromium binary (apt-get install chromium)"
    for module in ("playwright", "jupyterlab", "anywidget"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[test]')"
    return None


def notebook(path: Path, cells: list[str]) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path):
    """A JupyterLab server serving ``root``; yields its base URL (with the token)."""
    port, token = _free_port(), "adviz-test"
    home = Path(tempfile.mkdtemp(prefix="adviz-lab-"))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws")}
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--allow-root",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.3)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def open_and_run(b, base: str, token: str, name: str, width: int, height: int = 900, wait_for: str = ""):
    """Open notebook ``name`` in a ``width``-px window, run all cells, wait for ``wait_for``."""
    page = b.new_page(viewport={"width": width, "height": height})
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function("document.querySelector('.jp-StatusBar-Widget') && "
                           "/Idle/.test(document.body.innerText)", timeout=90_000)
    page.get_by_text("Run", exact=True).first.click()  # the menu: Run → Run All Cells
    page.get_by_text("Run All Cells", exact=True).first.click()
    if wait_for:
        page.wait_for_selector(wait_for, timeout=120_000)
    time.sleep(1.5)
    return page


def overflowing_outputs(page) -> list[str]:
    """Output areas wider than their column (a horizontal scrollbar a student would see)."""
    return page.evaluate("""Array.from(document.querySelectorAll('.jp-OutputArea-output')).flatMap(o =>
        Array.from(o.querySelectorAll('*')).concat([o]).filter(e => {
            const s = getComputedStyle(e);
            return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1
                   && !e.closest('.adviz-graph:not(.fit)');
        }).map(e => e.className || e.tagName))""")


def smallest_text_px(page, selector: str) -> float:
    """The smallest on-screen height (px) of the SVG texts under ``selector`` (the font size a student reads)."""
    return page.evaluate(f"""Math.min(...Array.from(document.querySelectorAll('{selector} svg text'))
        .filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect().height).filter(h => h > 0))""")


VIEW_GEOMETRY_JS = """v => { const g = v.querySelector('.adviz-graph');
    const a = v.getBoundingClientRect(), b = g.getBoundingClientRect(), t = v.querySelector('.adviz-table-box');
    return [b.left - a.left, b.top - a.top, b.width, b.height, t.scrollWidth, t.scrollHeight].join(',') + '#' +
    Array.from(v.querySelectorAll('svg *')).map(e =>
    ['points', 'd', 'x', 'y', 'transform'].map(a => e.getAttribute(a)).join('|')).join(';'); }"""
"""Where a view's graph sits inside the view (a caption growing a line would push it down), the
size of its table (a bold current row would reflow it), and every coordinate of its picture."""

GEOMETRY_JS = "sel => (" + VIEW_GEOMETRY_JS + ")(document.querySelector(sel))"
""":data:`VIEW_GEOMETRY_JS` of the first view matching a CSS selector."""
