"""Tests that look at what a student sees, not only at the text.

* In the terminal tables the step being shown is highlighted: exactly that row carries the
  active background, read off the styles of the rendered segments.
* The narration (``adviz demo``'s sentences, the players' captions) is compared whole,
  signs and all: a flipped sign is a wrong lesson.

The browser-side check (the current row's computed background in the HTML page) lives
with the other headless-Chromium tests in ``test_html.py``.
"""

from __future__ import annotations

import io
import math
import unicodedata

import pytest
from rich.console import Console
from rich.segment import Segment

import adviz as ad
from adviz.render import style
from adviz.render import table as T
from adviz.render.html import step_caption


@pytest.fixture(scope="module")
def seed_trace():
    return ad.trace("sin(x**2+1)", x=3.0)


def highlighted_lines(renderable, colour: str) -> list[str]:
    """The text of every rendered line that has a segment with background ``colour``."""
    console = Console(file=io.StringIO(), width=140, color_system="truecolor", force_terminal=True)
    lines = Segment.split_lines(console.render(renderable))
    out = []
    for line in lines:
        text = "".join(s.text for s in line)
        marked = any(s.style is not None and s.style.bgcolor is not None
                     and s.style.bgcolor.get_truecolor().hex == colour for s in line)
        if marked:
            out.append(unicodedata.normalize("NFC", " ".join(text.split())))
    return out


@pytest.mark.parametrize("upto, update", [(1, "v̄2 += v̄3·cos(v2)"), (2, "v̄1 += v̄2·1"), (3, "x̄ += v̄1·(2*x)")])
def test_only_the_active_row_of_the_reverse_table_is_highlighted(seed_trace, upto, update):
    lines = highlighted_lines(T.reverse_table(seed_trace.reverse(), upto=upto), style.REVERSE.active)
    assert len(lines) == 1 and update in lines[0] and lines[0].startswith(str(upto))


@pytest.mark.parametrize("upto, update", [(1, "v̇1 = (2*x)·ẋ"), (3, "v̇3 = cos(v2)·v̇2")])
def test_only_the_active_row_of_the_forward_table_is_highlighted(seed_trace, upto, update):
    lines = highlighted_lines(T.forward_table(seed_trace.forward(), upto=upto), style.FORWARD.active)
    assert len(lines) == 1 and unicodedata.normalize("NFC", update) in lines[0]


def test_only_the_active_row_of_the_demo_table_is_highlighted(seed_trace):
    for upto, update in [(1, "v̄2 += v̄3·cos(v2)"), (2, "v̄1 += v̄2·1")]:
        lines = highlighted_lines(T.progress_table(seed_trace.reverse(), upto), style.REVERSE.active)
        assert len(lines) == 1 and update in lines[0]
    assert highlighted_lines(T.tape_table(seed_trace, upto=2), style.FORWARD.active) == ["v2 v1 + 1 10.0"]


def test_demo_narration_sentences_whole_with_signs(seed_trace):
    c = math.cos(10.0)
    fwd, rev = seed_trace.forward(), seed_trace.reverse()
    assert T.explain_term(fwd, T.sweep_terms(fwd)[2]) == (
        f"v̇3 = cos(v2)·v̇2: the local partial ∂v3/∂v2 = cos(v2) = {c!r} times v̇2 = 6.0 "
        f"gives v̇3 = {6 * c!r}.")
    assert T.explain_term(rev, T.sweep_terms(rev)[0]) == (
        f"v̄2 += v̄3·cos(v2): v̄3 = 1.0 times the local partial ∂v3/∂v2 = cos(v2) = {c!r} adds {c!r} "
        f"to v̄2; now v̄2 = {c!r}.")
    assert T.explain_term(rev, T.sweep_terms(rev)[2]) == (
        f"x̄ += v̄1·(2*x): v̄1 = {c!r} times the local partial ∂v1/∂x = 2*x = 6.0 adds {6 * c!r} "
        f"to x̄; now x̄ = {6 * c!r}.")


def test_caption_narration_whole_with_signs(seed_trace):
    rev = seed_trace.reverse()
    assert [step_caption(seed_trace, rev, k) for k in range(4)] == [
        "Step 0 of 3 — the seed: v̄3 = 1; no adjoint has been propagated yet",
        "Step 1 of 3 — v3 = sin(v2) sends its adjoint back: v̄2 += v̄3·cos(v2) = 1·(−0.8391) = −0.8391",
        "Step 2 of 3 — v2 = v1 + 1 sends its adjoint back: v̄1 += v̄2·1 = (−0.8391)·1 = −0.8391",
        "Step 3 of 3 — v1 = x**2 sends its adjoint back: x̄ += v̄1·(2*x) = (−0.8391)·6 = −5.034. "
        "Done: ∂v3/∂x = −5.034",
    ]
    fwd = seed_trace.forward()
    assert step_caption(seed_trace, fwd, 3) == (
        "Step 3 of 3 — v3 = sin(v2) gets its tangent: v̇3 = cos(v2)·v̇2 = (−0.8391)·6 = −5.034. Done: v̇3 = −5.034")
