"""Tests for adviz.render.html: captions, the step table, and the standalone page in a real browser.

Expected numbers are the textbook ones, written out by hand: for x1*x2 + sin(x1) at (2, 5),
cos(2) = -0.41615, so dy/dx1 = x2 + cos(x1) = 4.58385 and dy/dx2 = x1 = 2; for sin(x**2 + 1)
at x = 3, cos(10) = -0.83907 and dy/dx = 6 cos(10) = -5.0344.

The browser tests drive headless Chromium over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: NUL-separated JSON on file descriptors 3 and 4), so they need
no extra Python package, only a ``chromium`` binary (Debian: ``apt-get install chromium``).
They are skipped only when no such binary exists.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pytest

import adviz as ad
from adviz.render import style
from adviz.render.html import (
    focus_node,
    make_sweep,
    node_center,
    step_caption,
    svg_size,
    sweep_frames,
    sweep_html,
    sweep_table_html,
    write_sweep_html,
)


@pytest.fixture(scope="module")
def two_inputs():
    return ad.trace("x1*x2 + sin(x1)", x1=2.0, x2=5.0)


# ---------------------------------------------------------------- captions and table


def test_reverse_captions_say_each_update_with_its_numbers(two_inputs):
    s = two_inputs.reverse()
    assert [step_caption(two_inputs, s, k) for k in range(4)] == [
        "Step 0 of 3 — the seed: v̄3 = 1; no adjoint has been propagated yet",
        "Step 1 of 3 — v3 = v1 + v2 sends its adjoint back: (1.1) v̄1 += v̄3·1 = 1·1 = 1; (1.2) v̄2 += v̄3·1 = 1·1 = 1",
        "Step 2 of 3 — v2 = sin(x1) sends its adjoint back: x̄1 += v̄2·cos(x1) = 1·(−0.4161) = −0.4161",
        ("Step 3 of 3 — v1 = x1 * x2 sends its adjoint back: (3.1) x̄1 += v̄1·x2 = 1·5 = 5, so x̄1 = 4.584; "
         "(3.2) x̄2 += v̄1·x1 = 1·2 = 2. Done: ∂v3/∂x1 = 4.584, ∂v3/∂x2 = 2"),
    ]


def test_forward_caption_multiplies_partial_by_incoming_tangent():
    t = ad.trace("sin(x**2 + 1)", x=3.0)
    s = t.forward()
    x_dot = "x\u0307"  # x with a combining dot above, as the engine writes it
    assert step_caption(t, s, 1) == f"Step 1 of 3 — v1 = x**2 gets its tangent: v̇1 = (2*x)·{x_dot} = 6·1 = 6"
    assert step_caption(t, s, 3).endswith("v̇3 = cos(v2)·v̇2 = (−0.8391)·6 = −5.034. Done: v̇3 = −5.034")


def test_forward_caption_at_step_0_names_every_inputs_tangent(two_inputs):
    """The caption says the whole seed, as the graph's boxes do: the input left out of it has
    tangent 0 (x + U+0307, as the engine writes the dot)."""
    dot = "\u0307"
    assert step_caption(two_inputs, two_inputs.forward("x1"), 0) == (
        f"Step 0 of 3 — the seed: x{dot}1 = 1, x{dot}2 = 0; no tangent has been propagated yet")
    assert step_caption(two_inputs, two_inputs.forward("x2"), 0).startswith(
        f"Step 0 of 3 — the seed: x{dot}1 = 0, x{dot}2 = 1;")
    both = two_inputs.forward({"x1": 2.0, "x2": -1.0})
    assert step_caption(two_inputs, both, 0).startswith(f"Step 0 of 3 — the seed: x{dot}1 = 2, x{dot}2 = −1;")


def test_a_negative_factor_is_written_with_a_real_minus_sign():
    """``v̄4 += v̄5·(−1)``, never ``·(-1)`` or ``·-1``: in the caption, the quiz's hint, the
    graph's arrow label and the table; the ASCII spelling keeps ``-``."""
    from adviz.render.quiz import Quiz

    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    s = t.reverse()
    caption = step_caption(t, s, 1)
    assert "v̄4 += v̄5·(−1) = 1·(−1) = −1" in caption and "(-1)" not in caption
    hints = [q.hint for q in Quiz(t, s).questions]
    assert "Chain rule: v̄4 += v̄5·(−1) — the adjoint arriving from v5" in hints[1]
    assert not any("(-" in h or "·-" in h for h in hints)
    svg = t.to_svg(s, step=len(s.steps))
    assert "∂v5/∂v4 = −1" in svg and "= -1" not in svg and "(-1)" not in svg
    assert "-1 = −1" not in sweep_table_html(t, s, len(s.steps))
    forward = ad.trace("x - sin(x)", x=1.0).forward()
    assert "v̇2 = 1·x\u0307" in step_caption(forward.trace, forward, 2)  # ẋ: x and a combining dot
    assert "v̇2 += (−1)·v̇1" in step_caption(forward.trace, forward, 2)
    assert [term.update(ascii=True) for step in s.steps for term in step.terms][1] == "v4_bar += v5_bar*(-1)"
    assert [term.update() for step in ad.trace("cos(x)", x=1.0).reverse().steps
            for term in step.terms] == ["x̄ += v̄1·(−sin(x))"]


def test_caption_rejects_a_step_outside_the_sweep(two_inputs):
    with pytest.raises(ValueError, match="from 0 to 3"):
        step_caption(two_inputs, two_inputs.reverse(), 4)


def _plain(table: str) -> str:
    """The table without its no-wrap ``<span class="unit">`` wrappers (a formula with its value)."""
    return re.sub(r'<span class="unit">|</span>', "", table)


def _rows(table: str) -> list[tuple[int, str, str]]:
    """(data-step, class, text of the update cell) for every body row."""
    out = []
    for m in re.finditer(r'<tr data-step="(\d+)" class="(\w+)">(.*?)</tr>', table, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", _plain(m.group(3)))
        out.append((int(m.group(1)), m.group(2), cells[3]))
    return out


def test_table_marks_rows_of_the_current_step_and_greys_later_ones(two_inputs):
    s = two_inputs.reverse()
    rows = _rows(sweep_table_html(two_inputs, s, step=3))
    assert rows == [
        (0, "done", "v̄3 = 1 (seed)"),
        (1, "done", "v̄1 += v̄3·1"),
        (1, "done", "v̄2 += v̄3·1"),
        (2, "done", "x̄1 += v̄2·cos(x1)"),
        (3, "current", "x̄1 += v̄1·x2"),
        (3, "current", "x̄2 += v̄1·x1"),
    ]
    at_one = _rows(sweep_table_html(two_inputs, s, step=1))
    assert [c for _, c, _ in at_one] == ["done", "current", "current", "pending", "pending", "pending"]
    assert [c for _, c, _ in _rows(sweep_table_html(two_inputs, s, step=0))][:2] == ["current", "pending"]
    assert {c for _, c, _ in _rows(sweep_table_html(two_inputs, s))} == {"done"}


def test_table_shows_running_adjoint_after_each_term(two_inputs):
    table = _plain(sweep_table_html(two_inputs, two_inputs.reverse(), step=3))
    # x̄1 collects cos(2) = -0.4161 first, then x2 = 5: the running sum is 4.584
    assert "x̄1 = −0.4161</td>" in table and "x̄1 = 4.584</td>" in table
    assert "cos(x1) = −0.4161" in table  # the local partial with its value
    assert f"--active:{style.REVERSE.active}" in table


def test_table_units_never_break_at_an_equals_sign_nor_before_seed():
    """Where a table cell may wrap: between terms and between a vector's entries, never at an
    ``=``/``+=`` (the formula, the sign and the value's first entry stay together) and never
    before ``(seed)``."""
    from adviz.render.html import _units

    assert _units("1 - tanh(v2)**2 = [0.181, 0.3246, 0.2431]") == ["1 -", "tanh(v2)**2 = [0.181,", "0.3246,", "0.2431]"]
    assert _units("v̄6 += broadcast(v̄7)") == ["v̄6 += broadcast(v̄7)"]
    assert _units("x̄ = [1, 1] (seed)") == ["x̄ = [1,", "1] (seed)"]
    assert _units("v̄8 = 1 (seed)") == ["v̄8 = 1 (seed)"]
    assert _units("(3, 2) [−0.4452 … 0.2226]", value=True) == ["(3, 2)", "[−0.4452 …", "0.2226]"]
    t = ad.trace("sum(exp(x) * y)", x=np.array([0.5, 1.5]), y=np.array([1.0, 2.0]))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", sweep_table_html(t, t.forward({"x": np.ones(2)}), 0))
    seed = next(c for c in cells if "(seed)" in c)
    assert seed.endswith('<span class="unit">1] (seed)</span>'), seed


def test_table_escapes_html():
    t = ad.trace(lambda x: np.where(x > 0, x, -x), 2.0)
    table = sweep_table_html(t, t.reverse(), step=1)
    assert '<td class="node">v2 = where(' in table  # the node column, one line per formula
    assert "x > 0" not in table  # any '<' or '>' from a definition must arrive escaped
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", _plain(table)):
        assert "<" not in cell and ">" not in cell


def test_frames_one_per_step_plus_the_seed(two_inputs):
    s = two_inputs.reverse()
    frames = sweep_frames(two_inputs, s)
    assert [f.step for f in frames] == [0, 1, 2, 3]
    assert all(f.svg.startswith("<svg") for f in frames)  # inlinable: no XML prolog
    assert "x̄1 = −0.4161 + …" in frames[2].svg  # the box of x1 has its first contribution
    assert frames[2].caption == step_caption(two_inputs, s, 2)


def test_make_sweep_rejects_unknown_mode(two_inputs):
    with pytest.raises(ValueError, match="'forward' or 'reverse'"):
        make_sweep(two_inputs, "sideways")


def test_forward_without_a_seed_seeds_the_first_input_as_the_cli_does(two_inputs, tmp_path):
    """`adviz graph --animate --mode forward` seeds the first input; the Python API does the same
    instead of refusing with "forward() needs a seed"."""
    dot = "\u0307"
    assert make_sweep(two_inputs, "forward").seed.keys() == {"x1"}
    path = write_sweep_html(two_inputs, tmp_path / "fwd.html", mode="forward")
    page = path.read_text(encoding="utf-8")
    assert page == sweep_html(two_inputs, "forward", "x1")
    assert f"x{dot}1 = 1, x{dot}2 = 0" in page
    assert two_inputs.to_html(tmp_path / "fwd2.html", "forward").read_text(encoding="utf-8") == page
    # x1*x2 + sin(x1) at (2, 5): dy/dx1 = x2 + cos(x1), by hand
    assert make_sweep(two_inputs, "forward").result == pytest.approx(5 + np.cos(2.0))
    assert two_inputs.graph("forward") is not None  # the string form, seeded the same way
    assert make_sweep(two_inputs, "forward", "x2").seed.keys() == {"x2"}  # a given seed still wins


def test_table_window_keeps_the_current_rows_in_view():
    t = ad.trace(_chain, 0.5)  # 12 steps, one term each
    s = t.reverse()
    table = sweep_table_html(t, s, step=9, window=5)
    rows = _rows(table)
    assert len(rows) == 5 and [k for k, c, _ in rows if c == "current"] == [9]
    assert "⋮ 8 earlier rows" in table and "⋮ 0 later" not in table
    assert [k for k, _, _ in _rows(sweep_table_html(t, s, step=0, window=5))] == [0, 1, 2, 3, 4]
    assert "earlier" not in sweep_table_html(t, s, step=0, window=5)
    assert [k for k, _, _ in _rows(sweep_table_html(t, s, step=12, window=5))] == [8, 9, 10, 11, 12]
    assert len(_rows(sweep_table_html(t, s, step=3, window=50))) == 13  # small enough: everything


def _chain(x):
    for _ in range(4):
        x = np.sin(x) * 2.0 + 0.5
    return x


def test_focus_is_the_processed_node_or_the_seed(two_inputs):
    s = two_inputs.reverse()
    assert focus_node(two_inputs, s, 0) == two_inputs.output.index
    assert [focus_node(two_inputs, s, k) for k in (1, 2, 3)] == [4, 3, 2]  # v3, v2, v1
    f = two_inputs.forward("x1")
    assert focus_node(two_inputs, f, 0) == 0 and focus_node(two_inputs, f, 1) == 2


def test_node_centres_follow_the_left_to_right_layout(two_inputs):
    frames = sweep_frames(two_inputs, two_inputs.reverse())
    svg = frames[1].svg
    width, height = svg_size(svg)
    assert (frames[1].width, frames[1].height) == (width, height) and width > 300 and height > 100
    x_in = node_center(svg, 0)[0]
    x_v1 = node_center(svg, 2)[0]
    x_out = node_center(svg, 4)[0]
    assert 0 < x_in < x_v1 < x_out < width  # inputs on the left, output on the right
    assert frames[1].focus == node_center(svg, 4)
    assert node_center(svg, 99) is None


# ---------------------------------------------------------------- the page, statically


def test_page_is_self_contained(two_inputs):
    page = sweep_html(two_inputs)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(link|img|iframe)\b", page)
    assert not re.search(r"\bsrc\s*=", page)
    assert "@import" not in page and "url(http" not in page and "fetch(" not in page
    data = json.loads(re.search(r'<script type="application/json" id="adviz-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert len(data["graph"]["changes"]) == len(data["captions"]) == 4
    assert data["graph"]["svg"].startswith("<svg") and page.count("<svg") == 1  # one picture (the data holds the same, escaped)


def test_page_data_cannot_close_its_script_tag(two_inputs):
    page = sweep_html(two_inputs, title="</script><b>x</b>")
    assert page.count("</script>") == 2  # the data block's and the program's, nothing injected
    assert "&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page


def test_page_rejects_bad_arguments(two_inputs, tmp_path):
    with pytest.raises(ValueError, match="start must be a step from 0 to 3"):
        sweep_html(two_inputs, start=7)
    with pytest.raises(ValueError, match="interval"):
        sweep_html(two_inputs, interval=0)
    with pytest.raises(ValueError, match=r"\.html file"):
        write_sweep_html(two_inputs, tmp_path / "sweep.svg")
    other = ad.trace("x*2", x=1.0)
    with pytest.raises(ValueError, match="different trace"):
        sweep_html(two_inputs, sweep=other.reverse())


def test_write_sweep_html_writes_utf8(two_inputs, tmp_path):
    path = write_sweep_html(two_inputs, tmp_path / "sweep.html", mode="forward", seed="x1")
    text = path.read_text(encoding="utf-8")
    assert "Forward mode: x1*x2 + sin(x1) at x1 = 2, x2 = 5" in text
    assert f"--strong: {style.FORWARD.strong}" in text


# ---------------------------------------------------------------- the page in headless Chromium


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, binary: str, width: int = 1200, height: int = 900):
        self.profile = tempfile.mkdtemp(prefix="adviz-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()

        def wire_pipes():  # in the child: the protocol pipes become fds 3 (commands) and 4 (replies)
            high_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
             "--hide-scrollbars", f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"],
            preexec_fn=wire_pipes, close_fds=False,  # noqa: PLW1509 - the tests start no threads stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = os.fdopen(to_child_w, "wb", buffering=0)
        self._in = os.fdopen(from_child_r, "rb", buffering=0)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        page = next(t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Network.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = self._in.read(1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._out.write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("document.readyState === 'complete' && document.body.hasAttribute('data-step')")

    def wait_for(self, condition: str, timeout: float = 60.0) -> None:
        """Poll until ``condition`` holds; ``timeout`` only guards against a hang (a loaded machine is slow)."""
        deadline = time.monotonic() + timeout
        while not self.js(condition):
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout} s: {condition}")
            time.sleep(0.02)

    def key(self, key: str, code: str, key_code: int) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", session=True, type=kind, key=key, code=code,
                      windowsVirtualKeyCode=key_code)

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"])

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian/Ubuntu: apt-get install chromium)")
    b = Browser(binary)
    yield b
    b.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory, two_inputs):
    path = tmp_path_factory.mktemp("html") / "sweep.html"
    write_sweep_html(two_inputs, path, mode="reverse", interval=250)
    return path


def _state(b: Browser) -> dict:
    return b.js("""({
        step: +document.body.getAttribute('data-step'),
        caption: document.getElementById('caption').textContent,
        slider: +document.getElementById('slider').value,
        current: Array.from(document.querySelectorAll('tr.current td:nth-child(4)')).map(td => td.textContent),
        svgs: document.querySelectorAll('#graph svg').length,
        graphText: document.getElementById('graph').textContent,
        hash: location.hash,
    })""")


def test_browser_opens_the_step_named_in_the_address(browser, page, two_inputs):
    s = two_inputs.reverse()
    browser.open(page.as_uri() + "#step=2")
    state = _state(browser)
    assert state["step"] == state["slider"] == 2
    assert state["caption"] == step_caption(two_inputs, s, 2)
    assert state["current"] == ["x̄1 += v̄2·cos(x1)"]
    assert state["svgs"] == 1 and "x̄1 = −0.4161 + …" in state["graphText"]
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests and all(url.startswith(page.as_uri()) for url in requests), requests  # no network


def test_browser_buttons_keys_and_slider_step_the_sweep(browser, page, two_inputs):
    s = two_inputs.reverse()
    browser.open(page.as_uri())
    assert _state(browser)["step"] == 0
    browser.js("document.getElementById('next').click()")
    state = _state(browser)
    assert state["step"] == 1 and state["current"] == ["v̄1 += v̄3·1", "v̄2 += v̄3·1"]
    assert state["hash"] == "#step=1"
    browser.js("document.getElementById('last').click()")
    assert _state(browser)["caption"] == step_caption(two_inputs, s, 3)
    browser.js("document.getElementById('next').click()")  # past the end: stays at the end
    assert _state(browser)["step"] == 3
    browser.js("document.getElementById('prev').click()")
    assert _state(browser)["step"] == 2
    browser.key("ArrowLeft", "ArrowLeft", 37)
    assert _state(browser)["step"] == 1
    browser.key("ArrowRight", "ArrowRight", 39)
    assert _state(browser)["step"] == 2
    browser.js("const r = document.getElementById('slider'); r.value = 0; r.dispatchEvent(new Event('input'))")
    assert _state(browser)["caption"] == step_caption(two_inputs, s, 0)
    browser.js("document.getElementById('first').click()")
    assert _state(browser)["step"] == 0


def test_browser_plays_to_the_end_and_stops(browser, page):
    browser.open(page.as_uri())
    time.sleep(0.4)
    assert _state(browser)["step"] == 0  # nothing moves until asked
    browser.open(page.as_uri() + "#play")
    browser.wait_for("+document.body.getAttribute('data-step') === 3 && !document.body.hasAttribute('data-playing')")
    assert browser.js("document.getElementById('play').textContent") == "▶ play"
    # play again from the end: restarts at 0 (click and read in one evaluation, so that no timer
    # tick of a slow, loaded machine comes between them)
    playing, step = browser.js("(() => { document.getElementById('play').click(); return "
                               "[document.body.hasAttribute('data-playing'), +document.body.getAttribute('data-step')]; })()")
    assert playing and step < 3
    paused_at = browser.js("(() => { document.getElementById('play').click();"   # pause
                           " return +document.body.getAttribute('data-step'); })()")
    time.sleep(0.6)
    assert not browser.js("document.body.hasAttribute('data-playing')")
    assert browser.js("+document.body.getAttribute('data-step')") == paused_at


def _graph_pixels(b: Browser):
    """The screenshot cropped to the graph, as an (h, w, 3) array of 0-255 ints."""
    from PIL import Image

    box = b.js("(() => { const r = document.getElementById('graph').getBoundingClientRect();"
               " return [r.left, r.top, r.right, r.bottom].map(Math.round); })()")
    image = Image.open(io.BytesIO(b.screenshot())).convert("RGB").crop(tuple(box))
    return np.asarray(image).astype(int)


def _share(pixels, hex_colour: str) -> float:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.all(np.abs(pixels - rgb) <= 6, axis=-1)))


def test_screenshot_shows_the_highlighted_step(browser, page, tmp_path):
    """At step 2 the active node is filled in the reverse 'active' orange; at step 0 nothing is."""
    browser.open(page.as_uri() + "#step=0")
    before = _graph_pixels(browser)
    browser.open(page.as_uri() + "#step=2")
    after = _graph_pixels(browser)
    (tmp_path / "step2.png").write_bytes(browser.screenshot())  # for a person to look at when this fails
    assert after.shape[0] > 150 and after.shape[1] > 300  # the graph is drawn at a readable size
    assert _share(before, style.REVERSE.active) < 0.001
    assert _share(after, style.REVERSE.active) > 0.005
    assert _share(after, style.REVERSE.strong) > _share(before, style.REVERSE.strong)


def test_current_rows_have_their_own_background(browser, page):
    """What a student sees in the table: the current rows' background differs from every other row's."""
    browser.open(page.as_uri() + "#step=3")
    colours = browser.js("""Array.from(document.querySelectorAll('#table tr[data-step]')).map(r =>
        [r.className, getComputedStyle(r.cells[3]).backgroundColor])""")
    current = {c for cls, c in colours if cls == "current"}
    others = {c for cls, c in colours if cls != "current"}
    assert len(current) == 1 and current.isdisjoint(others)
    assert current == {f"rgb({int(style.REVERSE.active[1:3], 16)}, {int(style.REVERSE.active[3:5], 16)}, "
                       f"{int(style.REVERSE.active[5:7], 16)})"}


_GEOMETRY_JS = """(() => { const r = document.getElementById('graph').getBoundingClientRect();
    const t = document.querySelector('#table table').getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.width, r.height, t.width, t.height].join(',') + '#' +
    Array.from(document.querySelectorAll('#table th')).map(c => c.getBoundingClientRect().width).join(',') + '#' +
    Array.from(document.querySelectorAll('#graph svg *')).map(e =>
    ['points', 'd', 'x', 'y', 'transform'].map(a => e.getAttribute(a)).join('|')).join(';'); })()"""
"""Where the graph sits on the page, the table's size and columns, every coordinate inside the graph."""


def _two_layer_loss(W1, b1, W2, x, y):
    hidden = np.tanh(W1 @ x + b1)
    return np.sum((W2 @ hidden - y) ** 2) / 2


def _loop(x):
    for _ in range(30):
        x = np.sin(x) * 1.01 + 0.1
    return x


def _issue_examples():
    rng = np.random.default_rng(0)
    return [ad.trace("sin(x**2+1)", x=3.0), ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0),
            ad.trace(_two_layer_loss, rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(1, 3)),
                     np.array([0.5, -1.0]), np.array([0.25])),
            ad.trace(_loop, 0.5)]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_nothing_moves_in_the_browser_from_first_to_last_step(browser, tmp_path, mode):
    """Issue 11's examples: every coordinate of the picture, and the picture's place on the page,
    is the same at every step, forward and back (the → ← keys; the 90-step loop with End and
    Home and a few steps around).  A caption that wraps to more lines must not push the graph down,
    and the table's columns must not reflow as the current row moves."""
    for i, t in enumerate(_issue_examples()):
        path = tmp_path / f"p{i}-{mode}.html"
        seed = {t.inputs[0].name: np.ones_like(t.inputs[0].value)} if mode == "forward" else None
        write_sweep_html(t, path, mode=mode, seed=seed)
        browser.open(path.as_uri() + "#step=0")
        first = browser.js(_GEOMETRY_JS)
        n = int(browser.js("document.body.getAttribute('data-steps')"))
        keys = (["ArrowRight"] * n + ["ArrowLeft"] * n) if n <= 10 else \
            ["ArrowRight"] * 3 + ["End", "ArrowLeft", "ArrowLeft", "Home"]
        codes = {"ArrowRight": 39, "ArrowLeft": 37, "End": 35, "Home": 36}
        step = 0
        for key in keys:
            browser.key(key, key, codes[key])
            step = {"ArrowRight": step + 1, "ArrowLeft": step - 1, "End": n, "Home": 0}[key]
            assert int(browser.js("document.body.getAttribute('data-step')")) == step
            assert browser.js(_GEOMETRY_JS) == first, (i, mode, step)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_sweep_tables_fit_a_laptop_notebook_column(browser, tmp_path, mode):
    """JupyterLab at 1024 px leaves a 592 px output column: the 2-layer network's table (its
    longest formulas and shapes) fits it without a sideways scrollbar, at every step, with room
    to spare (its narrowest layout is at least 16 px narrower: a wider fallback font does not
    push it over), and each node's formula stays on one line (``v1 = log(x1)``, not ``v1 =``
    above ``log(x1)``)."""
    from adviz.render.sweep_view import VIEW_CSS

    for i in (1, 2):  # log(x1)+x1*x2-sin(x2), and the 2-layer network
        t = _issue_examples()[i]
        s = t.forward({t.inputs[0].name: np.ones_like(t.inputs[0].value)}) if mode == "forward" else t.reverse()
        for k in (0, len(s.steps) // 2, len(s.steps)):
            path = tmp_path / f"table-{i}-{mode}-{k}.html"
            path.write_text(f"<!DOCTYPE html><meta charset=utf-8><style>{VIEW_CSS}</style><body data-step=0>"
                            f"<div class=adviz-view style='width:592px'><div class=adviz-table-box>"
                            f"{sweep_table_html(t, s, k)}</div></div>", encoding="utf-8")
            browser.open(path.as_uri())
            box = browser.js("(() => { const b = document.querySelector('.adviz-table-box');"
                             " return [b.scrollWidth, b.clientWidth]; })()")
            assert box[0] <= box[1], (i, k, box)
            narrowest = browser.js("(() => { const t = document.querySelector('.adviz-table');"
                                   " t.style.width = 'min-content'; const w = t.getBoundingClientRect().width;"
                                   " t.style.width = ''; return w; })()")
            assert narrowest <= 592 - 16, (i, k, narrowest)
            wrapped = browser.js("""Array.from(document.querySelectorAll('tr[data-step] td:nth-child(3)'))
                .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                                return r.getClientRects().length > 1; })
                .map(td => td.textContent)""")
            assert wrapped == [], (i, k)
            # a formula and its value stay together: every formula of columns 4-7 sits in no-wrap
            # units, none of them broken across lines, none ending in = or += (v̄5 = above
            # [−1.943] was the bug), none starting with one (2*v5 above = [−3.887]) or with a
            # seed's "(seed)" (x̄ = 1 above (seed)), and a new tangent/adjoint's name shares a
            # unit with its value
            broken = browser.js("""(() => {
                const cells = Array.from(document.querySelectorAll('tr[data-step] td:nth-child(n+4)'));
                const units = cells.flatMap(td => td.matches('.unit') ? [td] : Array.from(td.querySelectorAll('.unit')));
                const loose = cells.filter(td => /=/.test(td.textContent) && !td.matches('.unit') &&
                    Array.from(td.childNodes).some(n => n.nodeType === 3 ? n.textContent.trim() !== ''
                                                                          : !n.matches('.unit'))).map(td => td.textContent);
                const split = units.filter(u => {
                    const r = document.createRange(); r.selectNodeContents(u);
                    return new Set(Array.from(r.getClientRects()).map(c => Math.round(c.top))).size > 1;
                }).map(u => u.textContent);
                const dangling = units.filter(u => /=$|^\\+?=|^\\(seed\\)/.test(u.textContent.trim())).map(u => u.textContent);
                const orphan = Array.from(document.querySelectorAll('tr[data-step] td:nth-child(7)'))
                    .filter(td => !/ = /.test((td.matches('.unit') ? td : td.querySelector('.unit') || {textContent: ''}).textContent))
                    .map(td => td.textContent);
                return [loose, split, dangling, orphan]; })()""")
            assert broken == [[], [], [], []], (i, k, broken)
            if i == 2 and k == len(s.steps):
                (tmp_path.parent / f"table-592-{mode}.png").write_bytes(browser.screenshot())


def test_labels_stay_inside_their_boxes_in_the_browser(browser, page):
    """Whatever font the browser picked from the stack, every text of a box lies inside it."""
    for k in (0, 2, 3):
        browser.open(page.as_uri() + f"#step={k}")
        outside = browser.js("""Array.from(document.querySelectorAll('#graph g.node')).flatMap(g => {
            const shape = g.querySelector('polygon, path').getBBox();
            return Array.from(g.querySelectorAll('text')).filter(t => {
                const b = t.getBBox();
                return b.width > 0 && (b.x < shape.x - 0.5 || b.x + b.width > shape.x + shape.width + 0.5);
            }).map(t => t.textContent);
        })""")
        assert outside == [], k


@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    """A 40-node tape: too wide to shrink to the window, so the page follows the active node."""
    def f(x, y):
        z = x
        for _ in range(10):
            z = np.sin(z) * y + z / 2.0
        return z

    path = tmp_path_factory.mktemp("html") / "big.html"
    t = ad.trace(f, 0.3, 1.7)
    write_sweep_html(t, path, mode="reverse", expand=True, rankdir="LR")  # a wide strip
    return path, t


def test_browser_follows_the_active_node_of_a_wide_graph(browser, big_page):
    path, t = big_page
    s = t.reverse()
    for k in (5, 20, len(s.steps) - 3):
        browser.open(path.as_uri() + f"#step={k}")
        assert browser.js("document.getElementById('fit').checked") is False
        node = s.steps[k - 1].node
        inside = browser.js(f"""(() => {{
            const g = document.getElementById('graph').getBoundingClientRect();
            const title = Array.from(document.querySelectorAll('#graph g.node > title'))
                               .find(t => t.textContent === 'n{node}');
            const r = title.parentNode.getBoundingClientRect();
            const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
            return [cx > g.left && cx < g.right && cy > g.top && cy < g.bottom,
                    document.getElementById('graph').scrollWidth > g.width];
        }})()""")
        assert inside == [True, True], k
    browser.js("const c = document.getElementById('fit'); c.checked = true; c.dispatchEvent(new Event('change'))")
    fits = browser.js("(() => { const g = document.getElementById('graph');"
                      " return g.scrollWidth <= g.clientWidth + 1; })()")
    assert fits


# ---------------------------------------------------------------- entry points: Trace.to_html and the CLI


def test_trace_to_html_writes_the_page(two_inputs, tmp_path):
    path = two_inputs.to_html(tmp_path / "t.html", mode="forward", seed="x1")
    page = path.read_text(encoding="utf-8")
    assert "Forward mode" in page and 'data-steps="3"' in page


def test_cli_graph_animate_writes_a_page(tmp_path):
    from typer.testing import CliRunner

    from adviz.cli import app

    runner = CliRunner()
    out = tmp_path / "sweep.html"
    result = runner.invoke(app, ["graph", "x1*x2 + sin(x1)", "--at", "x1=2", "--at", "x2=5", "--animate",
                                 "--step", "2", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert (info["format"], info["mode"], info["frames"]) == ("html", "reverse", 4)
    page = out.read_text(encoding="utf-8")
    assert 'data-step="2"' in page and "Step 2 of 3 — v2 = sin(x1)" in page  # opens at --step
    bad = runner.invoke(app, ["graph", "sin(x)", "--at", "x=1", "--animate", "-o", str(tmp_path / "a.svg")])
    assert bad.exit_code != 0 and "must end in .html" in bad.output
    hint = runner.invoke(app, ["graph", "sin(x)", "--at", "x=1", "-o", str(tmp_path / "a.html")])
    assert hint.exit_code != 0 and "--animate" in hint.output


def test_player_draws_arrows_the_sweep_passed_empty_dotted_and_undoes_it(browser, tmp_path):
    """Forward mode seeded on x1 carries nothing along x2's arrows: at the last step the page paints
    them dotted in slate (not the grey of "not reached yet"), going back to step 1 paints them grey
    and solid again, and the lead says what a dotted arrow means."""
    t = ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0)
    path = tmp_path / "idle.html"
    write_sweep_html(t, path, mode="forward", seed="x1")
    paths = """Object.fromEntries(Array.from(document.querySelectorAll('#graph g.edge')).map(g => {
        const p = g.querySelector('path');
        return [g.getAttribute('data-el'), [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray')]]; }))"""
    skipped = {"e1-3-1", "e1-5-0", "e5-6-1"}  # x2 -> v2, x2 -> v4 = sin(x2), v4 -> v5
    browser.open(path.as_uri() + "#step=1")
    browser.js("document.getElementById('last').click()")
    end = browser.js(paths)
    assert {k for k, (_, dash) in end.items() if dash} == skipped
    assert all(end[k] == [style.IDLE.line, style.IDLE.dash] for k in skipped)
    assert not [k for k, (line, _) in end.items() if line == style.PENDING.line]
    browser.js("document.getElementById('first').click(); document.getElementById('next').click()")
    one = browser.js(paths)
    assert all(one[k] == [style.PENDING.line, None] for k in skipped)
    assert "a dotted arrow carries nothing (its operand's tangent is 0)" in browser.js(
        "document.querySelector('p.lead').textContent")


def test_captions_never_wrap_inside_an_array_value():
    """The page's caption wrapped ``∂v3/∂b = [1, 1,`` above ``1]``: an array's summary now holds
    together (no-break spaces), in the seed, the result and a recomputed value."""
    def net(W, x, b):
        return np.sum(W @ x + b)

    t = ad.trace(net, np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]]), np.array([1.0, 2.0]),
                 np.array([0.1, -0.2, 0.3]))
    nb = "\u00a0"
    reverse, forward = t.reverse(), t.forward("W")
    done = step_caption(t, reverse, len(reverse.steps))
    assert done.endswith(f"Done: ∂v3/∂W = (3,{nb}2){nb}[1{nb}…{nb}2], ∂v3/∂x = [3.5,{nb}0], ∂v3/∂b = [1,{nb}1,{nb}1]")
    seed = step_caption(t, forward, 0)
    d = "\u0307"  # the engine's dot: a combining mark after the letter
    assert seed.startswith(f"Step 0 of 3 — the seed: W{d} = (3,{nb}2){nb}[1{nb}…{nb}1], x{d} = [0,{nb}0], b{d} = [0,{nb}0,{nb}0];")
    for k in range(len(reverse.steps) + 1):  # numbers and sums elsewhere keep their ordinary spaces
        assert "Σ" not in step_caption(t, reverse, k) or "[i, :]" in step_caption(t, reverse, k)


_SLASHED_WORDS_JS = """(() => {
    // every word with a "/" (∂v5/∂x, (1/x1)): on how many lines does the browser lay it out?
    const p = document.getElementById('caption'), text = p.textContent, out = [];
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    const nodes = []; let offset = 0, node;
    while ((node = walker.nextNode())) { nodes.push([node, offset]); offset += node.length; }
    const re = /[^\\s;,]*\\/[^\\s;,]*/g; let m;
    while ((m = re.exec(text)) !== null) {
      const tops = new Set();
      for (let i = m.index; i < m.index + m[0].length; i++) {
        const [n, start] = nodes.filter(([n, s]) => s <= i && i < s + n.length)[0];
        const r = document.createRange(); r.setStart(n, i - start); r.setEnd(n, i - start + 1);
        for (const rect of r.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
      }
      out.push([m[0], tops.size]);
    }
    return out;
})()"""


def test_captions_never_break_a_derivative_after_its_slash(browser, tmp_path):
    """The browser broke 'Done: ∂v5/' from '∂x = 7.854' at the end of a line (it may break after a
    slash).  At every caption width from 320 to 1000 px, each word with a slash stays on one line,
    and the caption's text is still the step's caption, character for character."""
    t = ad.trace("x*x*x + sin(x)*x", x=1.5)
    sweep = t.reverse()
    path = tmp_path / "slash.html"
    write_sweep_html(t, path, mode="reverse")
    browser.open(path.as_uri() + "#step=5")
    assert browser.js("document.getElementById('caption').textContent") == step_caption(t, sweep, 5)
    words = set()
    for width in range(320, 1001, 6):
        browser.js(f"document.getElementById('captions').style.width = '{width}px'")
        seen = browser.js(_SLASHED_WORDS_JS)
        words.update(w for w, _ in seen)
        assert all(lines == 1 for _, lines in seen), (width, seen)
    assert {"∂v5/∂x"} <= words
