"""Screenshots of the sweep players in JupyterLab at laptop widths (run by hand, not in CI).

    python tests/render/jupyterlab_screens.py [OUT_DIR]

For the issue-11 examples (``sin(x**2+1)``, ``log(x1)+x1*x2-sin(x2)``, a 2-layer network's
loss and a 30-iteration loop), forward and reverse, at 1024, 1280 and 1920 px windows:
plays each sweep in the browser (the → and ⇥ buttons), checks that no coordinate of its
picture changes from the first step to the last, that no output overflows its column, and
writes first, middle and last step screenshots to OUT_DIR (default ./jupyterlab-screens)
for a person to look at.  Takes a few minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupyterlab_harness as lab

SETUP = '''import numpy as np
import adviz as ad
from adviz.render.widgets import SweepPlayer

def two_layer_loss(W1, b1, W2, x, y):
    hidden = np.tanh(W1 @ x + b1)
    return np.sum((W2 @ hidden - y) ** 2) / 2

def loop(x):
    for _ in range(30):
        x = np.sin(x) * 1.01 + 0.1
    return x

rng = np.random.default_rng(0)
traces = {
    "sin": ad.trace("sin(x**2+1)", x=3.0),
    "two-inputs": ad.trace("log(x1)+x1*x2-sin(x2)", x1=2.0, x2=5.0),
    "network": ad.trace(two_layer_loss, rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(1, 3)),
                        np.array([0.5, -1.0]), np.array([0.25])),
    "loop": ad.trace(loop, 0.5),
}
def seed(t):
    return {t.inputs[0].name: np.ones_like(t.inputs[0].value)}
'''

NAMES = ["sin", "two-inputs", "network", "loop"]


def cells() -> list[str]:
    out = [SETUP]
    for name in NAMES:
        for mode in ("forward", "reverse"):
            out.append(f"SweepPlayer(traces[{name!r}], {mode!r}, seed(traces[{name!r}]) if {mode!r} == 'forward' "
                       "else None)")
    return out


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    root = out / "notebook"
    root.mkdir(exist_ok=True)
    lab.notebook(root / "players.ipynb", cells())
    problems = []
    with lab.jupyterlab(root) as (base, token), lab.browser() as b:
        for width in (1024, 1280, 1920):
            page = lab.open_and_run(b, base, token, "players.ipynb", width,
                                    wait_for=".adviz-sweep-player >> nth=7")
            over = lab.overflowing_outputs(page)
            if over:
                problems.append(f"{width}px: overflowing outputs {over}")
            players = page.locator(".adviz-sweep-player")
            for i in range(players.count()):
                name, mode = NAMES[i // 2], ("forward", "reverse")[i % 2]
                player = players.nth(i)
                player.scroll_into_view_if_needed()
                view = player.locator(".adviz-view")
                geometry = view.evaluate(lab.VIEW_GEOMETRY_JS)
                player.locator("button", has_text="⇤").first.click()
                shots = {"first": 0}
                player.screenshot(path=str(out / f"{width}-{name}-{mode}-first.png"))
                player.locator("button", has_text="⇥").first.click()
                page.wait_for_timeout(300)
                n = int(view.get_attribute("data-step"))
                player.screenshot(path=str(out / f"{width}-{name}-{mode}-last.png"))
                player.locator("button", has_text="⇤").first.click()
                for _ in range(n // 2):
                    player.locator("button", has_text="→").first.click()
                page.wait_for_timeout(300)
                shots["middle"] = int(view.get_attribute("data-step"))
                player.screenshot(path=str(out / f"{width}-{name}-{mode}-middle.png"))
                after = view.evaluate(lab.VIEW_GEOMETRY_JS)
                if after != geometry:
                    problems.append(f"{width}px {name} {mode}: the picture moved")
                print(f"{width}px {name:10} {mode:7} steps 0, {shots['middle']}, {n}: ok", flush=True)
            page.close()
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "jupyterlab-screens")))
